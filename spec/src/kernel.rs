//! Shared kernels: a core whose crossbar rows are made of a few distinct pieces stores each
//! piece once.
//!
//! A convolution's weights repeat: every output position applies the same kernel. Unrolled,
//! a core's crossbar row for input neuron `i` holds, at each output position it reaches, the
//! kernel weights of the tap joining them, and zeros elsewhere. A core with a [`Kernel`]
//! shape cuts each of its rows into segments of `segment` neurons (aligned to multiples of
//! `segment`) and stores each distinct non-zero segment once, as a kernel row. Each axon then
//! holds a short list of taps, (kernel row, segment's first neuron), at most `taps` of them.
//! Integrating an event streams each of its taps' kernel rows into that segment's
//! accumulators (`docs/hardware.md`, "Shared kernels").
//!
//! Nothing here is specific to convolutions, and the sums are the unrolled row's: each
//! neuron still receives each of the event's synapses once, so `docs/semantics.md` is
//! unchanged. The golden model keeps the unrolled rows.

use serde::Serialize;
use std::collections::HashMap;

/// The most taps an axon may have (the tap memory's column bits: 4).
pub const MAX_TAPS: usize = 16;

/// The shape of a core's shared kernels (`[hardware] core_kernels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Kernel {
    /// Neurons per segment: a multiple of `synapses_per_clock` that divides `neurons_per_core`.
    pub segment: usize,
    /// Taps each axon may have: 1 up to [`MAX_TAPS`].
    pub taps: usize,
    /// Kernel rows the core stores, row 0 (all zeros, the tap of an axon without synapses) included.
    pub rows: usize,
}

/// One tap of an axon: add kernel row `row` to the accumulators of neurons `base ..
/// base + segment`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tap {
    /// Kernel row.
    pub row: u32,
    /// The segment's first neuron slot.
    pub base: u32,
}

/// A core's crossbar as shared kernels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelImage {
    /// Neurons per segment (the kernel rows' length).
    pub segment: usize,
    /// The kernel rows in use, `segment` weights each, row-major; row 0 is all zeros.
    pub rows: Vec<i16>,
    /// Each axon row's taps, in neuron order; at least one (row 0 for an axon without synapses).
    pub taps: Vec<Vec<Tap>>,
}

/// Why a crossbar does not fit its kernel shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// Axon `axon`'s row has `needs` non-zero segments, more than the shape's taps.
    Taps { axon: usize, needs: usize },
    /// The rows have `needs` distinct non-zero segments (plus the zero row), more than the shape's rows.
    Rows { needs: usize },
}

impl KernelImage {
    /// Cuts `crossbar` (row-major, `neurons` weights a row, `axons` rows) into the kernel
    /// rows and taps of `k`, or says which limit it passes (counting what it would need).
    pub fn of(crossbar: &[i16], axons: usize, neurons: usize, k: &Kernel) -> Result<Self, KernelError> {
        let s = k.segment;
        let mut rows = vec![0i16; s];
        let mut index: HashMap<&[i16], u32> = HashMap::new();
        let mut taps = Vec::with_capacity(axons);
        let mut too_many = None;
        for a in 0..axons {
            let row = &crossbar[a * neurons..(a + 1) * neurons];
            let mut mine = Vec::new();
            for (g, seg) in row.chunks(s).enumerate() {
                if seg.iter().all(|&w| w == 0) {
                    continue;
                }
                let next = index.len() as u32 + 1;
                let r = *index.entry(seg).or_insert_with(|| {
                    rows.extend_from_slice(seg);
                    next
                });
                mine.push(Tap { row: r, base: (g * s) as u32 });
            }
            if mine.len() > k.taps && too_many.is_none() {
                too_many = Some(KernelError::Taps { axon: a, needs: mine.len() });
            }
            if mine.is_empty() {
                mine.push(Tap { row: 0, base: 0 });
            }
            taps.push(mine);
        }
        // An axon's taps first: the one axon named is the quicker fix to read.
        if let Some(e) = too_many {
            return Err(e);
        }
        if index.len() + 1 > k.rows {
            return Err(KernelError::Rows { needs: index.len() + 1 });
        }
        Ok(Self { segment: s, rows, taps })
    }

    /// The unrolled crossbar again (`axons` rows of `neurons`): what the taps add, row by row.
    pub fn unrolled(&self, neurons: usize) -> Vec<i16> {
        let segment = self.segment;
        let mut out = vec![0i16; self.taps.len() * neurons];
        for (a, taps) in self.taps.iter().enumerate() {
            for t in taps {
                let src = &self.rows[t.row as usize * segment..(t.row as usize + 1) * segment];
                let at = a * neurons + t.base as usize;
                out[at..at + segment].copy_from_slice(src);
            }
        }
        out
    }
}

/// The segments [`choose`] tries are multiples of this: the most synapses per clock a core
/// streams (`hdl::shape::MAX_LANES`), so the shape holds at any lane count.
pub const SEGMENT_STEP: usize = 4;

/// The kernel shape that stores `crossbar` (`axons` rows of `neurons`) in the fewest bits at
/// `weight_bits`, with at most `max_rows` kernel rows, if one takes fewer bits than the rows
/// whole: each segment a multiple of [`SEGMENT_STEP`] dividing `neurons` is tried, its kernel
/// rows counted and its tap table added (`axons x taps` words of [`tap_bits`]).
pub fn choose(crossbar: &[i16], axons: usize, neurons: usize, weight_bits: u32, max_rows: usize) -> Option<Kernel> {
    let whole = axons * neurons * weight_bits as usize;
    let mut best: Option<(usize, Kernel)> = None;
    for segment in (SEGMENT_STEP..=neurons).step_by(SEGMENT_STEP).filter(|s| neurons.is_multiple_of(*s)) {
        let open = Kernel { segment, taps: MAX_TAPS, rows: max_rows };
        let Ok(img) = KernelImage::of(crossbar, axons, neurons, &open) else { continue };
        let taps = img.taps.iter().map(Vec::len).max().unwrap_or(1);
        let k = Kernel { segment, taps, rows: img.rows.len() / segment };
        if k.rows < 2 {
            // No synapses: nothing to share (and a kernel holds at least the zero row and one).
            return None;
        }
        let bits = k.rows * segment * weight_bits as usize + axons.max(2) * taps * tap_bits(neurons, &k);
        if bits < whole && best.is_none_or(|(b, _)| bits < b) {
            best = Some((bits, k));
        }
    }
    best.map(|(_, k)| k)
}

/// The (lowest bit, width) of each field of a tap word (`memory_map::tap_word`) that a core of
/// `neurons` with kernel shape `k` can set: the kernel row's index, the base's bits above the
/// segment's alignment (a base is a multiple of the segment), and the last-tap flag. The tap
/// table stores exactly these (`hdl::memory::taps`).
pub fn tap_fields(neurons: usize, k: &Kernel) -> [(usize, usize); 3] {
    use crate::memory_map::{TAP_BASE_BITS, TAP_ROW_BITS};
    let bits = |n: usize| (usize::BITS - (n.max(2) - 1).leading_zeros()) as usize;
    let lo = k.segment.trailing_zeros() as usize;
    let base = bits(neurons).saturating_sub(lo).max(1);
    [(0, bits(k.rows)), (TAP_ROW_BITS as usize + lo, base), ((TAP_ROW_BITS + TAP_BASE_BITS) as usize, 1)]
}

/// Bits a tap of such a core stores: the widths of [`tap_fields`].
pub fn tap_bits(neurons: usize, k: &Kernel) -> usize {
    tap_fields(neurons, k).iter().map(|f| f.1).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A 1-D convolution unrolled: input i reaches output positions p with i = 2p + t - 1
    /// (kernel of 3 taps, stride 2), `ch` channels per position.
    fn conv1d(inputs: usize, positions: usize, ch: usize, kernel: &[i16]) -> Vec<i16> {
        let n = positions * ch;
        let mut x = vec![0i16; inputs * n];
        for p in 0..positions {
            for t in 0..3 {
                let Some(i) = (2 * p + t).checked_sub(1).filter(|&i| i < inputs) else { continue };
                for c in 0..ch {
                    x[i * n + p * ch + c] = kernel[t * ch + c];
                }
            }
        }
        x
    }

    #[test]
    fn a_convolution_stores_its_kernel_once() {
        let kernel: Vec<i16> = (1..=12).map(|w| w as i16 - 6).collect();
        let (inputs, positions, ch) = (16, 8, 4);
        let x = conv1d(inputs, positions, ch, &kernel);
        let k = Kernel { segment: ch, taps: 2, rows: 4 };
        let img = KernelImage::of(&x, inputs, positions * ch, &k).unwrap();
        // Three kernel taps plus the zero row, whatever the positions.
        assert_eq!(img.rows.len(), 4 * ch);
        assert_eq!(img.unrolled(positions * ch), x);
        assert!(img.taps.iter().all(|t| t.len() <= 2));
    }

    #[test]
    fn limits_name_what_they_need() {
        let kernel: Vec<i16> = (1..=12).map(|w| w as i16).collect();
        let x = conv1d(16, 8, 4, &kernel);
        let k = Kernel { segment: 4, taps: 1, rows: 16 };
        // Input 1 reaches positions 0 (tap 2) and 1 (tap 0).
        assert_eq!(KernelImage::of(&x, 16, 32, &k), Err(KernelError::Taps { axon: 1, needs: 2 }));
        let k = Kernel { segment: 4, taps: 4, rows: 3 };
        assert_eq!(KernelImage::of(&x, 16, 32, &k), Err(KernelError::Rows { needs: 4 }));
    }

    #[test]
    fn a_convolution_chooses_its_channels_and_random_rows_stay_whole() {
        // 16 positions of 8 channels; each input reaches at most 2 positions.
        let kernel: Vec<i16> = (0..24).map(|w| (w % 7) as i16 - 3).collect();
        let x = conv1d(32, 16, 8, &kernel);
        let k = choose(&x, 32, 128, 8, 1024).expect("a convolution shares its kernel");
        assert_eq!((k.segment, k.taps, k.rows), (8, 2, 4));
        use rand::{Rng, SeedableRng};
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let random: Vec<i16> = (0..32 * 128).map(|_| r.gen_range(-8..8)).collect();
        assert_eq!(choose(&random, 32, 128, 8, 1024), None);
        assert_eq!(choose(&[0; 4 * 16], 4, 16, 8, 1024), None, "an empty core");
    }

    proptest! {
        /// Any crossbar that fits comes back unchanged, and an axon without synapses has one tap.
        #[test]
        fn any_crossbar_round_trips(seed in any::<u64>(), axons in 1usize..12, segs in 1usize..5, s in 1usize..4) {
            use rand::{Rng, SeedableRng};
            let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let n = segs * s;
            let x: Vec<i16> = (0..axons * n).map(|_| if r.gen_bool(0.3) { r.gen_range(-2..=2) } else { 0 }).collect();
            let k = Kernel { segment: s, taps: segs, rows: axons * segs + 1 };
            let img = KernelImage::of(&x, axons, n, &k).unwrap();
            prop_assert_eq!(img.unrolled(n), x);
            prop_assert!(img.taps.iter().all(|t| !t.is_empty()));
        }
    }
}
