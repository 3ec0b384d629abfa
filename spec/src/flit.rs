//! The packet (flit) that crosses the mesh: the one definition the router, the fan-out unit,
//! the host bridge and the golden model's mesh view share.
//!
//! A flit is one 23-bit word: `[22]` host, `[21:18]` x, `[17:14]` y, `[13:0]` payload.
//! - host = 0: an axon event for core (x, y); payload = the axon row.
//! - host = 1: a recorded spike travelling to the host port (west side of router (0,0));
//!   (x, y) = the core that fired, payload = its neuron slot.
//!
//! The field widths are the largest any valid `[hardware]` allows (mesh <= 16 x 16, 16384 axons,
//! 4096 neurons), so one router design serves every shape.

/// Bits of a flit.
pub const FLIT_BITS: u32 = 23;
/// Bits of the x and y fields.
pub const COORD_BITS: u32 = 4;
/// Bits of the payload.
pub const PAYLOAD_BITS: u32 = 14;

/// A decoded flit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flit {
    /// Bound for the host (a recorded spike) rather than a core.
    pub host: bool,
    /// Core x (destination, or source for host flits).
    pub x: u8,
    /// Core y (destination, or source for host flits).
    pub y: u8,
    /// Axon row (core flits) or neuron slot (host flits).
    pub payload: u16,
}

impl Flit {
    /// An axon event for core (x, y).
    pub fn axon(x: u8, y: u8, axon: u16) -> Self {
        Self { host: false, x, y, payload: axon }
    }

    /// A recorded spike of neuron `slot` of core (x, y), for the host.
    pub fn record(x: u8, y: u8, slot: u16) -> Self {
        Self { host: true, x, y, payload: slot }
    }

    /// The 23-bit word.
    pub fn encode(self) -> u64 {
        debug_assert!(self.x < 16 && self.y < 16 && self.payload < (1 << PAYLOAD_BITS));
        (self.host as u64) << 22
            | (self.x as u64 & 0xf) << 18
            | (self.y as u64 & 0xf) << 14
            | (self.payload as u64 & 0x3fff)
    }

    /// Decodes a 23-bit word (higher bits are ignored).
    pub fn decode(w: u64) -> Self {
        Self {
            host: (w >> 22) & 1 == 1,
            x: ((w >> 18) & 0xf) as u8,
            y: ((w >> 14) & 0xf) as u8,
            payload: (w & 0x3fff) as u16,
        }
    }
}

/// Router ports, in the order the hardware numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Port {
    /// Towards y - 1.
    North = 0,
    /// Towards x + 1.
    East = 1,
    /// Towards y + 1.
    South = 2,
    /// Towards x - 1 (at (0,0): the host).
    West = 3,
    /// The router's own core.
    Local = 4,
}

/// Dimension-order (XY) routing: the output port a flit takes at router (x, y). Core flits
/// go along x first, then y. Host flits head for (0,0) the same way and leave it westwards;
/// that final turn ends in the host, a sink, so it cannot close a cycle of waiting flits.
pub fn route(f: Flit, x: u8, y: u8) -> Port {
    let (tx, ty) = if f.host { (0, 0) } else { (f.x, f.y) };
    if tx > x {
        Port::East
    } else if tx < x {
        Port::West
    } else if ty > y {
        Port::South
    } else if ty < y {
        Port::North
    } else if f.host {
        Port::West
    } else {
        Port::Local
    }
}

/// Whether XY routing can ever send a flit that came in on `from` out of `to`: flits finish
/// their x leg before their y leg, never turn back, and only host flits turn from y to x (at
/// (0,0), into the host). Routers leave the other turns unwired.
pub fn can_turn(from: Port, to: Port) -> bool {
    use Port::*;
    match from {
        // Moving south: only further south, or into the core.
        North => matches!(to, South | Local),
        // Moving north: further north, into the core, or (host flits at (0,0)) to the host.
        South => matches!(to, North | Local | West),
        // Moving west (core flits, and host flits heading for x = 0).
        East => matches!(to, West | North | South | Local),
        // Moving east (and the host's own injections at (0,0), which enter here too).
        West => matches!(to, East | North | South | Local),
        Local => true,
    }
}

/// The flit bits a `mesh_x x mesh_y` chip of cores with `axons` rows and `neurons` slots can
/// set: host, the x and y bits the mesh needs, and the payload bits its axon or neuron
/// indices need. Routers store and move only these (the others are always zero), so the
/// flit a chip carries is as narrow as its shape allows while the layout stays one.
pub fn used_mask(mesh_x: usize, mesh_y: usize, axons: usize, neurons: usize) -> u64 {
    let bits = |n: usize| usize::BITS - (n.max(2) - 1).leading_zeros();
    let field = |w: u32, lo: u32| ((1u64 << w) - 1) << lo;
    1 << 22 | field(bits(mesh_x), 18) | field(bits(mesh_y), 14) | field(bits(axons.max(neurons)), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTS: [Port; 5] = [Port::North, Port::East, Port::South, Port::West, Port::Local];

    /// The neighbour a flit leaving by `p` reaches, and the input it arrives on there.
    fn hop(p: Port, x: u8, y: u8) -> Option<(u8, u8, Port)> {
        match p {
            Port::North => y.checked_sub(1).map(|y| (x, y, Port::South)),
            Port::South => Some((x, y + 1, Port::North)),
            Port::East => Some((x + 1, y, Port::West)),
            Port::West => x.checked_sub(1).map(|x| (x, y, Port::East)),
            Port::Local => None,
        }
    }

    #[test]
    fn every_turn_a_flit_takes_is_wired() {
        // Walk every flit from every core (and from the host) to its end on a 5x5 mesh.
        let flits = (0..5u8).flat_map(|x| (0..5u8).flat_map(move |y| [Flit::axon(x, y, 1), Flit::record(x, y, 1)]));
        for f in flits {
            let starts: Vec<(u8, u8, Port)> = if f.host {
                vec![(f.x, f.y, Port::Local)]
            } else {
                (0..5u8).flat_map(|x| (0..5u8).map(move |y| (x, y, Port::Local))).chain([(0, 0, Port::West)]).collect()
            };
            for (mut x, mut y, mut input) in starts {
                loop {
                    let out = route(f, x, y);
                    assert!(can_turn(input, out), "{f:?} at ({x},{y}) turns {input:?} -> {out:?}");
                    match hop(out, x, y) {
                        Some((nx, ny, ni)) => (x, y, input) = (nx, ny, ni),
                        None => break,
                    }
                }
            }
        }
        // And the unwired turns are really unused: no U-turns, no y-to-x turns for core flits.
        assert!(PORTS.iter().all(|&p| p == Port::Local || !can_turn(p, p)));
        assert!(!can_turn(Port::North, Port::East) && !can_turn(Port::South, Port::East));
    }

    #[test]
    fn used_mask_covers_the_shape() {
        assert_eq!(used_mask(2, 2, 256, 256), 1 << 22 | 1 << 18 | 1 << 14 | 0xff);
        assert_eq!(used_mask(16, 16, 16384, 4096), (1 << FLIT_BITS) - 1);
        assert_eq!(used_mask(3, 1, 64, 32), 1 << 22 | 3 << 18 | 1 << 14 | 0x3f);
    }

    #[test]
    fn encode_decode_round_trip() {
        for f in [Flit::axon(0, 0, 0), Flit::axon(15, 15, 16383), Flit::record(3, 7, 4095), Flit::axon(1, 2, 3)] {
            assert_eq!(Flit::decode(f.encode()), f);
            assert!(f.encode() < 1 << FLIT_BITS);
        }
    }

    #[test]
    fn xy_routing() {
        assert_eq!(route(Flit::axon(2, 0, 0), 1, 1), Port::East);
        assert_eq!(route(Flit::axon(0, 2, 0), 1, 1), Port::West);
        assert_eq!(route(Flit::axon(1, 2, 0), 1, 1), Port::South);
        assert_eq!(route(Flit::axon(1, 0, 0), 1, 1), Port::North);
        assert_eq!(route(Flit::axon(1, 1, 0), 1, 1), Port::Local);
        assert_eq!(route(Flit::record(1, 1, 0), 1, 1), Port::West);
        assert_eq!(route(Flit::record(1, 1, 0), 0, 1), Port::North);
        assert_eq!(route(Flit::record(1, 1, 0), 0, 0), Port::West);
    }
}
