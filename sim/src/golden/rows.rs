//! One core's crossbar as the golden model stores it for delivery.
//!
//! Delivering a spike to axon `a` adds crossbar row `a` to the core's accumulators. A row with
//! many non-zero weights is kept dense, so that the addition is one pass of vector adds over
//! two contiguous arrays; a row with few is kept as its non-zero (neuron, weight) pairs, so
//! that a sparse network does not pay for its zeros. Integer addition is exact and commutative
//! (`docs/semantics.md`), so the two forms, and any vector width, give the same sums bit for bit.

use spikemesh_spec::simd_targets;

/// A dense row is worth its zeros when it has at least one non-zero weight per this many
/// neurons. Measured with `spikemesh bench golden` on this project's machine (AVX-512): a
/// dense row costs about one vector add per 16 neurons, a sparse pair about one scalar add.
const DENSE_EVERY: usize = 16;

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
    /// each fit `weight_bits` signed bits.
    pub(crate) fn new(crossbar: &[i16], rows: usize, neurons: usize, weight_bits: u32) -> Self {
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
            if nnz * DENSE_EVERY >= neurons {
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

    /// Adds row `a` of the crossbar to `acc` for each axon in `axons`. `narrow` is scratch of
    /// `neurons` zeros (left zero): when the rows cannot sum past 16 bits, they are added
    /// there, twice the lanes per instruction, then widened into `acc` once.
    pub(crate) fn deliver(&self, axons: &[u32], acc: &mut [i32], narrow: &mut [i16]) {
        if axons.is_empty() {
            return;
        }
        if (axons.len() as i64) * (self.max_abs as i64) <= i16::MAX as i64 {
            deliver_narrow(self, axons, acc, narrow)
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
    /// Delivery into 16-bit lanes (exact: the caller bounds the sum), widened into `acc`.
    fn deliver_narrow(rows: &Rows, axons: &[u32], acc: &mut [i32], narrow: &mut [i16]) {
        add_rows(rows, axons, narrow);
        for (x, s) in acc.iter_mut().zip(narrow.iter_mut()) {
            *x += *s as i32;
            *s = 0;
        }
    }
}

simd_targets! {
    /// Delivery into the 32-bit accumulators.
    fn deliver_wide(rows: &Rows, axons: &[u32], acc: &mut [i32]) {
        add_rows(rows, axons, acc)
    }
}

/// The delivery loop, inlined into each SIMD version above: the dense adds are plain loops over
/// equal-length slices, which the compiler turns into vector adds at that version's width.
#[inline(always)]
fn add_rows<A>(rows: &Rows, axons: &[u32], acc: &mut [A])
where
    A: Copy + std::ops::AddAssign + From<i8> + From<i16>,
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
        match rows.forms[a as usize] {
            Form::Dense { start } => {
                let s = start as usize;
                if rows.narrow {
                    for (x, &w) in acc.iter_mut().zip(&rows.dense8[s..s + n]) {
                        *x += A::from(w);
                    }
                } else {
                    for (x, &w) in acc.iter_mut().zip(&rows.dense16[s..s + n]) {
                        *x += A::from(w);
                    }
                }
            }
            Form::Sparse { start, len } => {
                for p in &rows.sparse[start as usize..(start + len) as usize] {
                    acc[p.neuron as usize] += A::from(p.weight);
                }
            }
        }
    }
}

/// Rows fetched ahead of the one being added. A timestep's rows are scattered over megabytes
/// (bench-1024's four cores hold 1.3 MB of rows, past a 1 MB L2), so each costs a cache miss
/// unless it was asked for early; four rows ahead hides the latency of the next level.
const PREFETCH_AHEAD: usize = 4;

/// Asks the cache for row `a` ahead of its use.
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
        /// crossbar adds; the densities straddle `DENSE_EVERY`, so both forms are exercised.
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
            let store = Rows::new(&crossbar, rows, neurons, weight_bits);
            let axons: Vec<u32> = (0..r.gen_range(0..2 * rows)).map(|_| r.gen_range(0..rows as u32)).collect();
            let mut got = vec![0i32; neurons];
            let mut scratch = vec![0i16; neurons];
            store.deliver(&axons, &mut got, &mut scratch);
            prop_assert!(scratch.iter().all(|&s| s == 0), "the 16-bit scratch is left zero");
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
