//! One core's crossbar as the golden model stores it for delivery.
//!
//! Delivering a spike to axon `a` adds crossbar row `a` to the core's accumulators. A row with
//! many non-zero weights is kept dense, so that the addition is one pass of vector adds over
//! two contiguous arrays; a row with few is kept as its non-zero (neuron, weight) pairs, so
//! that a sparse network does not pay for its zeros. Integer addition is exact and commutative
//! (`docs/semantics.md`), so the two forms, and any vector width, give the same sums bit for bit.

use spikemesh_spec::simd_targets;

/// Where a chip's rows fit in cache, a dense row is worth its zeros when it has at least one
/// non-zero weight per this many neurons: a dense row costs about one vector add per 16
/// neurons, a sparse pair about one scalar add (bench-1024, 1.3 MB of rows: 1.9e9 events/s
/// against 0.93e9 with its rows as pairs; `spikemesh bench golden`, 2026-12-07).
const DENSE_EVERY_CACHED: usize = 16;

/// Where they do not, each row is read from memory and its bytes decide: a row is dense only
/// when that is no more bytes than its pairs (4 bytes each, against one per neuron at 8 bits).
/// bench-16k (81 MB of dense rows at 1 in 16): 1.04e9 events/s on one thread against 0.72e9.
const DENSE_EVERY_UNCACHED: usize = 4;

/// Dense rows up to this many bytes on a whole chip count as fitting in cache (a quarter of
/// this machine's 32 MB L3, so that the rows share it with the rest of the model).
const CACHED_BYTES: usize = 8 << 20;

/// The density from which a chip's rows are kept dense (one non-zero weight per this many
/// neurons), for its cores' crossbars `crossbars` of `neurons` weights per row.
pub(crate) fn dense_every<'a>(crossbars: impl Iterator<Item = &'a [i16]>, neurons: usize, weight_bits: u32) -> usize {
    let bytes_per_weight = if weight_bits <= 8 { 1 } else { 2 };
    let dense: usize = crossbars
        .flat_map(|c| c.chunks(neurons.max(1)))
        .filter(|row| row.iter().filter(|&&w| w != 0).count() * DENSE_EVERY_CACHED >= neurons)
        .map(|row| row.len() * bytes_per_weight)
        .sum();
    if dense <= CACHED_BYTES {
        DENSE_EVERY_CACHED
    } else {
        DENSE_EVERY_UNCACHED
    }
}

/// How one axon row is stored.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// Every neuron's weight, at `dense[start..start + n]`.
    Dense { start: u32 },
    /// The non-zero pairs, at `sparse[start..start + len]`.
    Sparse { start: u32, len: u32 },
}

/// A non-zero synapse of a sparse row.
#[derive(Debug, Clone, Copy)]
struct Pair {
    neuron: u16,
    weight: i16,
}

/// The used axon rows of one core, each dense or sparse.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    neurons: usize,
    forms: Vec<Form>,
    /// Non-zero weights per row: the synaptic events one delivery makes.
    nnz: Vec<u32>,
    /// Dense rows' weights, one byte each where the weight width allows (half the memory
    /// traffic of 16 bits; the sign extension is free in the vector add).
    dense8: Vec<i8>,
    dense16: Vec<i16>,
    narrow: bool,
    sparse: Vec<Pair>,
    /// The largest |weight| in the core: a timestep that delivers `k` rows sums at most
    /// `k * max_abs` into any accumulator, which decides whether 16-bit lanes are exact.
    max_abs: i32,
}

impl Rows {
    /// The rows of a crossbar stored row-major by axon, `rows` rows of `neurons` weights that
    /// each fit `weight_bits` signed bits; rows with one non-zero weight per `dense_every`
    /// neurons or more are kept dense.
    pub(crate) fn new(crossbar: &[i16], rows: usize, neurons: usize, weight_bits: u32, dense_every: usize) -> Self {
        let narrow = weight_bits <= 8;
        let mut out = Self {
            neurons,
            forms: Vec::with_capacity(rows),
            nnz: Vec::with_capacity(rows),
            dense8: Vec::new(),
            dense16: Vec::new(),
            narrow,
            sparse: Vec::new(),
            max_abs: crossbar.iter().map(|&w| (w as i32).abs()).max().unwrap_or(0),
        };
        for a in 0..rows {
            let row = &crossbar[a * neurons..(a + 1) * neurons];
            let nnz = row.iter().filter(|&&w| w != 0).count();
            out.nnz.push(nnz as u32);
            if nnz * dense_every >= neurons {
                let start = if narrow { out.dense8.len() } else { out.dense16.len() } as u32;
                if narrow {
                    // Lossless: validation keeps every weight within `weight_bits <= 8` bits.
                    out.dense8.extend(row.iter().map(|&w| w as i8));
                } else {
                    out.dense16.extend_from_slice(row);
                }
                out.forms.push(Form::Dense { start });
            } else {
                let start = out.sparse.len() as u32;
                let pairs = row.iter().enumerate().filter(|(_, &w)| w != 0);
                out.sparse.extend(pairs.map(|(j, &w)| Pair { neuron: j as u16, weight: w }));
                out.forms.push(Form::Sparse { start, len: nnz as u32 });
            }
        }
        out
    }

    /// Synaptic events that delivering to axon `a` makes (its non-zero weights).
    pub(crate) fn events(&self, a: u32) -> u32 {
        self.nnz[a as usize]
    }

    /// Adds row `a` of the crossbar to `acc` for each axon in `axons`. When the rows cannot
    /// sum past 16 bits, the dense ones are summed in 16-bit lanes, twice the lanes per
    /// instruction, and widened into `acc` once.
    pub(crate) fn deliver(&self, axons: &[u32], acc: &mut [i32]) {
        if axons.is_empty() {
            return;
        }
        if (axons.len() as i64) * (self.max_abs as i64) <= i16::MAX as i64 {
            deliver_narrow(self, axons, acc)
        } else {
            deliver_wide(self, axons, acc)
        }
    }

    /// The non-zero (neuron, weight) pairs of row `a`, in neuron order.
    pub(crate) fn synapses(&self, a: u32) -> Vec<(u32, i32)> {
        match self.forms[a as usize] {
            Form::Dense { start } => {
                let s = start as usize..start as usize + self.neurons;
                let row: Vec<i32> = if self.narrow {
                    self.dense8[s].iter().map(|&w| w as i32).collect()
                } else {
                    self.dense16[s].iter().map(|&w| w as i32).collect()
                };
                row.into_iter().enumerate().filter(|&(_, w)| w != 0).map(|(j, w)| (j as u32, w)).collect()
            }
            Form::Sparse { start, len } => self.sparse[start as usize..(start + len) as usize]
                .iter()
                .map(|p| (p.neuron as u32, p.weight as i32))
                .collect(),
        }
    }
}

simd_targets! {
    /// Delivery with the dense rows summed in 16-bit lanes (exact: the caller bounds the sum).
    fn deliver_narrow(rows: &Rows, axons: &[u32], acc: &mut [i32]) {
        add_rows::<i16>(rows, axons, acc)
    }
}

simd_targets! {
    /// Delivery with the dense rows summed in 32-bit lanes.
    fn deliver_wide(rows: &Rows, axons: &[u32], acc: &mut [i32]) {
        add_rows::<i32>(rows, axons, acc)
    }
}

/// Neurons whose sums the dense adds hold at once: 256 16-bit sums are 8 AVX-512 registers, so
/// a block's sums stay in registers while every row of the timestep is added to them, and the
/// accumulators are read and written once per delivery, not once per row.
const BLOCK: usize = 256;

/// The delivery loop, inlined into each SIMD version above: sparse rows are scattered into
/// `acc`, then the dense rows are added block by block into sums of lane type `S`. The adds are
/// plain loops over equal-length slices, which the compiler turns into vector adds at that
/// version's width.
#[inline(always)]
fn add_rows<S>(rows: &Rows, axons: &[u32], acc: &mut [i32])
where
    S: Copy + Default + std::ops::AddAssign + From<i8> + From<i16> + Into<i32>,
{
    let n = rows.neurons;
    let acc = &mut acc[..n];
    for (i, &a) in axons.iter().enumerate() {
        if let Some(&ahead) = axons.get(i + PREFETCH_AHEAD) {
            prefetch_row(rows, ahead);
        }
        if let Some(&far) = axons.get(i + 4 * PREFETCH_AHEAD) {
            // The row's place must be known before the row can be fetched: fetch that first.
            prefetch(std::ptr::from_ref(&rows.forms[far as usize]).cast(), 1);
        }
        if let Form::Sparse { start, len } = rows.forms[a as usize] {
            for p in &rows.sparse[start as usize..(start + len) as usize] {
                acc[p.neuron as usize] += p.weight as i32;
            }
        }
    }
    for (b, acc) in acc.chunks_mut(BLOCK).enumerate() {
        // A whole block is given its length as a constant, so its loops are unrolled into
        // registers; the last, shorter one loops.
        if acc.len() == BLOCK {
            add_block::<S>(rows, axons, b * BLOCK, &mut acc[..BLOCK])
        } else {
            add_block::<S>(rows, axons, b * BLOCK, acc)
        }
    }
}

/// Adds the dense rows of `axons`, neurons `first..first + acc.len()`, to `acc`.
#[inline(always)]
fn add_block<S>(rows: &Rows, axons: &[u32], first: usize, acc: &mut [i32])
where
    S: Copy + Default + std::ops::AddAssign + From<i8> + From<i16> + Into<i32>,
{
    let len = acc.len();
    let mut sums = [S::default(); BLOCK];
    let sums = &mut sums[..len];
    for &a in axons {
        if let Form::Dense { start } = rows.forms[a as usize] {
            let s = start as usize + first;
            if rows.narrow {
                for (x, &w) in sums.iter_mut().zip(&rows.dense8[s..s + len]) {
                    *x += S::from(w);
                }
            } else {
                for (x, &w) in sums.iter_mut().zip(&rows.dense16[s..s + len]) {
                    *x += S::from(w);
                }
            }
        }
    }
    for (x, &s) in acc.iter_mut().zip(sums.iter()) {
        *x += s.into();
    }
}

/// Rows fetched ahead of the one being added. A timestep's rows are scattered over megabytes
/// (bench-1024's four cores hold 1.3 MB of rows, past a 1 MB L2; bench-16k's 16 hold 63 MB of
/// pairs), so each costs a cache miss unless it was asked for early. Measured on both benches
/// (2026-12-07): 8 ahead runs bench-16k at 1.13e9 to 1.15e9 events/s on one thread, against
/// 0.97e9 at 4 and 1.03e9 to 1.08e9 at 16; bench-1024 is the same at all three.
const PREFETCH_AHEAD: usize = 8;

/// Asks the cache for row `a` ahead of its use. Dense rows are asked for whole by the sparse
/// pass, before the block passes use them: asking for each block's part just ahead of it was
/// measured slower on bench-16k (5.2e8 against 7.2e8 events/s on one thread).
#[inline(always)]
fn prefetch_row(rows: &Rows, a: u32) {
    let (ptr, bytes) = match rows.forms[a as usize] {
        Form::Dense { start } if rows.narrow => (rows.dense8[start as usize..].as_ptr() as *const u8, rows.neurons),
        Form::Dense { start } => (rows.dense16[start as usize..].as_ptr() as *const u8, 2 * rows.neurons),
        Form::Sparse { start, len } => (rows.sparse[start as usize..].as_ptr() as *const u8, 4 * len as usize),
    };
    prefetch(ptr, bytes);
}

/// Asks the cache for the `bytes` from `ptr` (x86_64; elsewhere the hardware prefetcher only).
#[inline(always)]
fn prefetch(ptr: *const u8, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    for line in (0..bytes).step_by(64) {
        // SAFETY: the callers pass a range inside one live slice, and a prefetch only hints the
        // cache: it reads nothing the program sees and cannot fault.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(ptr.add(line) as *const i8);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (ptr, bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Dense and sparse rows, at any weight width, add exactly what a plain loop over the
        /// crossbar adds; the densities straddle the dense thresholds, so both forms are exercised.
        #[test]
        fn delivery_adds_the_crossbar_rows(
            neurons in 1usize..600,
            rows in 1usize..10,
            weight_bits in 2u32..=16,
            density in 0.0f64..0.3,
            seed in any::<u64>(),
        ) {
            use rand::{Rng, SeedableRng};
            let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let max = (1i32 << (weight_bits - 1)) - 1;
            let crossbar: Vec<i16> = (0..rows * neurons)
                .map(|_| if r.gen_bool(density) { r.gen_range(-max - 1..=max) as i16 } else { 0 })
                .collect();
            let every = [DENSE_EVERY_CACHED, DENSE_EVERY_UNCACHED][r.gen_range(0..2)];
            let store = Rows::new(&crossbar, rows, neurons, weight_bits, every);
            let axons: Vec<u32> = (0..r.gen_range(0..2 * rows)).map(|_| r.gen_range(0..rows as u32)).collect();
            let mut got = vec![0i32; neurons];
            store.deliver(&axons, &mut got);
            let mut want = vec![0i32; neurons];
            for &a in &axons {
                for (j, x) in want.iter_mut().enumerate() {
                    *x += crossbar[a as usize * neurons + j] as i32;
                }
            }
            prop_assert_eq!(got, want);
            for a in 0..rows as u32 {
                let row = &crossbar[a as usize * neurons..(a as usize + 1) * neurons];
                let pairs: Vec<(u32, i32)> =
                    row.iter().enumerate().filter(|(_, &w)| w != 0).map(|(j, &w)| (j as u32, w as i32)).collect();
                prop_assert_eq!(store.events(a) as usize, pairs.len());
                prop_assert_eq!(store.synapses(a), pairs);
            }
        }
    }
}
