//! A faulty wire between the host and the in-process virtual board (`board::Wire`): each byte,
//! in each direction, is dropped, flipped, duplicated or delayed with probability `rate`. The
//! soak test (`spikemesh soak`) drives the host through it.

use crate::board::Wire;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// Faults the wire has made so far, per kind.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct FaultCounts {
    /// Bytes that never arrived.
    pub dropped: u64,
    /// Bytes with one bit flipped.
    pub flipped: u64,
    /// Bytes that arrived twice.
    pub duplicated: u64,
    /// Bytes held back until the next transfer in their direction (a pause on the line).
    pub delayed: u64,
}

impl FaultCounts {
    /// All faults.
    pub fn total(&self) -> u64 {
        self.dropped + self.flipped + self.duplicated + self.delayed
    }
}

/// The virtual board behind a wire with byte faults.
pub struct LossyWire {
    /// The fault-free wire underneath.
    pub wire: Wire,
    rate: f64,
    rng: ChaCha8Rng,
    /// Bytes from the board, already through the faults, not yet read by the host.
    inbox: VecDeque<u8>,
    /// Delayed bytes to the board and from it, sent with the next transfer.
    held_out: Vec<u8>,
    held_in: Vec<u8>,
    /// What the wire has done to the bytes.
    pub faults: FaultCounts,
}

impl LossyWire {
    /// `wire` with a fault probability of `rate` per byte and direction.
    pub fn new(wire: Wire, rate: f64, seed: u64) -> Self {
        Self {
            wire,
            rate,
            rng: ChaCha8Rng::seed_from_u64(seed),
            inbox: VecDeque::new(),
            held_out: Vec::new(),
            held_in: Vec::new(),
            faults: FaultCounts::default(),
        }
    }

    /// `bytes` as they arrive at the other end; delayed ones go to `held` (sent next time).
    fn pass(&mut self, bytes: &[u8], held: &mut Vec<u8>) -> Vec<u8> {
        let mut out = std::mem::take(held);
        for &b in bytes {
            if self.rng.gen::<f64>() >= self.rate {
                out.push(b);
                continue;
            }
            match self.rng.gen_range(0..4) {
                0 => self.faults.dropped += 1,
                1 => {
                    self.faults.flipped += 1;
                    out.push(b ^ 1 << self.rng.gen_range(0..8));
                }
                2 => {
                    self.faults.duplicated += 1;
                    out.extend([b, b]);
                }
                _ => {
                    self.faults.delayed += 1;
                    held.push(b);
                }
            }
        }
        out
    }
}

impl std::io::Write for LossyWire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut held = std::mem::take(&mut self.held_out);
        let out = self.pass(buf, &mut held);
        self.held_out = held;
        self.wire.write_all(&out)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::io::Read for LossyWire {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.inbox.is_empty() {
            let mut chunk = [0u8; 4096];
            match self.wire.read(&mut chunk) {
                Ok(n) => {
                    let mut held = std::mem::take(&mut self.held_in);
                    let out = self.pass(&chunk[..n], &mut held);
                    self.held_in = held;
                    self.inbox.extend(out);
                }
                // A silent board releases what the line held back.
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut && !self.held_in.is_empty() => {
                    self.inbox.extend(self.held_in.drain(..));
                }
                Err(e) => return Err(e),
            }
        }
        if self.inbox.is_empty() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        let n = buf.len().min(self.inbox.len());
        for (b, v) in buf.iter_mut().zip(self.inbox.drain(..n)) {
            *b = v;
        }
        Ok(n)
    }
}
