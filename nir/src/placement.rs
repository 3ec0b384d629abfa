//! Placement by position: the neurons of a hidden layer shaped (C, H, W), a convolution's
//! feature maps, are renumbered position-major so that a core's consecutive slots hold every
//! channel of a compact patch of positions, not a strip of one channel.
//!
//! Why: a core stores one crossbar row per source neuron that reaches it (`spec::mapping`).
//! NIR numbers a feature map channel-major, so 64 consecutive neurons of an 8-channel 14x14 map
//! are 64 positions of one channel, whose receptive fields cover some 350 of MNIST's 784
//! pixels. The same 64 slots as 8 channels of a 2x4 patch see about 77. With each core's
//! crossbar as deep as its own rows (`core_axons`), that is the memory the chip needs.
//!
//! Positions go in Morton (Z) order, channels innermost: any run of `C * 4^k` slots aligned
//! to its size is one 2^k x 2^k square of positions (of a map padded to a power of two), so
//! the order serves every core size without knowing it. Only the numbering changes: the
//! network computes the same function, and readout layers keep the file's order.

use crate::reduce::Net;

/// Renumbers every hidden (C, H, W) layer of `net` position-major; returns the names of the
/// layers renumbered.
pub fn by_position(net: &mut Net) -> Vec<String> {
    let mut moved = Vec::new();
    for l in 0..net.layers.len() {
        let Some(shape) = net.layers[l].neurons.as_ref().map(|n| n.shape.clone()) else { continue };
        let readout = net.outputs.iter().any(|(_, o)| *o == l);
        if readout || shape.len() != 3 || shape[1] * shape[2] < 2 {
            continue;
        }
        let order = morton_order(shape[0], shape[1], shape[2]);
        renumber(net, l, &order);
        moved.push(net.layers[l].name.clone());
    }
    moved
}

/// The mesh for `cores` cores: the fewest empty cores, then the narrowest, with no side more
/// than 4 times the other (so 14 cores are 7x2, not 4x4). An empty core costs a whole tile: its
/// memories (2 block RAMs of a 128-neuron core on the ECP5, its type indices and destinations)
/// and its logic; a longer side costs a router hop per flit, a clock or two.
pub fn mesh_shape(cores: usize) -> [usize; 2] {
    let cores = cores.max(1);
    (1..=16usize)
        .flat_map(|y| (y..=16).map(move |x| (x, y)))
        .filter(|&(x, y)| x * y >= cores && x <= 4 * y)
        .min_by_key(|&(x, y)| (x * y - cores, x))
        .map_or([16, 16], |(x, y)| [x, y])
}

/// The file's index of each new slot: positions in Morton order, channels innermost.
fn morton_order(c: usize, h: usize, w: usize) -> Vec<usize> {
    let mut positions: Vec<(usize, usize)> = (0..h).flat_map(|y| (0..w).map(move |x| (y, x))).collect();
    positions.sort_by_key(|&(y, x)| morton(y, x));
    positions.iter().flat_map(|&(y, x)| (0..c).map(move |k| (k * h + y) * w + x)).collect()
}

/// The bits of `y` and `x` interleaved (x in the even bits).
fn morton(y: usize, x: usize) -> u64 {
    let spread = |v: usize| (0..32).fold(0u64, |acc, b| acc | ((((v >> b) & 1) as u64) << (2 * b)));
    spread(x) | (spread(y) << 1)
}

/// Renumbers layer `l`: new neuron `i` is the file's neuron `order[i]`.
fn renumber(net: &mut Net, l: usize, order: &[usize]) {
    let mut new_of = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_of[old] = new as u32;
    }
    let permute = |v: &mut Vec<f64>| *v = order.iter().map(|&o| v[o]).collect();
    let layer = &mut net.layers[l];
    permute(&mut layer.bias);
    if let Some(n) = layer.neurons.as_mut() {
        for v in
            [&mut n.tau_mem, &mut n.tau_syn, &mut n.r, &mut n.v_leak, &mut n.v_threshold, &mut n.v_reset, &mut n.w_in]
        {
            permute(v);
        }
        // The order is no longer (C, H, W).
        n.shape = vec![order.len()];
    }
    for c in net.connections.iter_mut() {
        if c.to == l {
            c.rows = order.iter().map(|&o| std::mem::take(&mut c.rows[o])).collect();
            c.delays = order.iter().map(|&o| std::mem::take(&mut c.delays[o])).collect();
        }
        if c.from == l {
            // Each row stays sorted by source, its delays alongside.
            for (row, delays) in c.rows.iter_mut().zip(c.delays.iter_mut()) {
                let mut joined: Vec<((u32, f64), f64)> =
                    row.iter().map(|&(pre, w)| (new_of[pre as usize], w)).zip(delays.iter().copied()).collect();
                joined.sort_by_key(|&((pre, _), _)| pre);
                *row = joined.iter().map(|&(s, _)| s).collect();
                *delays = joined.iter().map(|&(_, d)| d).collect();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meshes_leave_few_cores_empty() {
        let shapes: Vec<[usize; 2]> = [1, 2, 3, 4, 5, 7, 9, 14, 15, 16, 17].iter().map(|&c| mesh_shape(c)).collect();
        let want = [[1, 1], [2, 1], [3, 1], [2, 2], [3, 2], [4, 2], [3, 3], [7, 2], [5, 3], [4, 4], [6, 3]];
        assert_eq!(shapes, want);
    }

    #[test]
    fn morton_squares_hold_every_channel_of_a_patch() {
        // 2 channels of a 4x4 map: the first 8 slots are both channels of the top-left 2x2.
        let o = morton_order(2, 4, 4);
        let first: Vec<(usize, usize, usize)> = o[..8].iter().map(|&i| (i / 16, i % 16 / 4, i % 4)).collect();
        assert_eq!(first, vec![(0, 0, 0), (1, 0, 0), (0, 0, 1), (1, 0, 1), (0, 1, 0), (1, 1, 0), (0, 1, 1), (1, 1, 1)]);
        let mut all = o.clone();
        all.sort_unstable();
        assert_eq!(all, (0..32).collect::<Vec<_>>(), "a permutation");
    }
}
