//! Room in `cuba`'s registers: the current `u` wraps (Loihi's rule) and the potential `v`
//! saturates, where the float network would not. The import picks `align_shift` and, when it
//! must, a coarser weight scale, so that `u` cannot wrap for any input; saturation of `v` is
//! counted on the stimulus and reported (compare.rs).

/// Largest `|u|` before it wraps: `u` lives in `(-2^(U-1), 2^(U-1)]`.
pub fn u_limit(current_bits: u32) -> i64 {
    1i64 << (current_bits - 1)
}

/// The largest input one neuron of a layer can receive in a timestep, in weight steps: the
/// sum of the magnitudes of its incoming integer weights, given as (post, weight), every
/// presynaptic neuron firing.
pub fn fan_in(weights: impl Iterator<Item = (u32, i64)>, size: usize) -> i64 {
    let mut sum = vec![0i64; size];
    for (post, w) in weights {
        sum[post as usize] += w.abs();
    }
    sum.into_iter().max().unwrap_or(0)
}

/// How far `u` can grow over a steady input: `u = decay(u) + x` keeps `(4095 - du) / 4096`
/// of itself, so it tends to `x * 4096 / (du + 1)` (a bound: decay rounds toward zero).
pub fn amplification(du: &[i64]) -> f64 {
    du.iter().map(|&d| 4096.0 / (d + 1) as f64).fold(1.0, f64::max)
}

/// The largest `align_shift` up to `max_shift` at which `u` cannot wrap for any input and
/// the aligned threshold fits `vmax`; None when even 0 lets `u` wrap.
pub fn align_shift(
    fan_in: i64,
    amplification: f64,
    threshold: i64,
    vmax: i64,
    ulim: i64,
    max_shift: i64,
) -> Option<i64> {
    (0..=max_shift).rev().find(|&k| (fan_in << k) as f64 * amplification <= ulim as f64 && threshold << k <= vmax)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shift_backs_off_until_the_current_fits() {
        let ulim = u_limit(24);
        // 8-bit weights, 64 inputs: 64 * 127 << 6 = 520192 fits 2^23 with room: Loihi's 6.
        assert_eq!(align_shift(64 * 127, 1.0, 100, (1 << 23) - 1, ulim, 6), Some(6));
        // 16-bit weights, 64 inputs: 2^21 << k fits only at k <= 2.
        assert_eq!(align_shift(64 * 32767, 1.0, 100, (1 << 23) - 1, ulim, 6), Some(2));
        // A slow current (du = 0 keeps 4095/4096) multiplies the bound by 4096.
        assert_eq!(align_shift(64 * 127, amplification(&[0]), 100, (1 << 23) - 1, ulim, 6), None);
        assert_eq!(fan_in([(0, 5), (0, -7), (1, 3)].into_iter(), 2), 12);
    }
}
