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

#[cfg(test)]
mod tests {
    use super::*;

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
