//! A faulty wire between the host and the in-process virtual board (`board::Wire`). Each
//! direction has its own [`Damage`]: bytes dropped, flipped, duplicated or delayed one by one
//! (the soak test, `spikemesh soak`), or whole frames losing or corrupting one byte (the host's
//! retry tests). One model serves both, so every fault the host is tested against comes from
//! the same place.

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

/// What the wire does to the bytes of one direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Damage {
    /// Each byte, with this probability, is dropped, flipped, duplicated or delayed.
    Bytes(f64),
    /// Each frame (COBS between zero delimiters), with this probability, loses one inner byte
    /// or has one bit flipped: the frame fails its check, the delimiters survive.
    Frames(f64),
}

/// The virtual board behind a wire with faults.
pub struct LossyWire {
    /// The fault-free wire underneath.
    pub wire: Wire,
    to_board: Damage,
    from_board: Damage,
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
    /// `wire` with a byte fault probability of `rate` per byte and direction.
    pub fn new(wire: Wire, rate: f64, seed: u64) -> Self {
        Self::with(wire, Damage::Bytes(rate), Damage::Bytes(rate), seed)
    }

    /// `wire` damaging what goes to the board by `to_board` and what comes back by `from_board`.
    pub fn with(wire: Wire, to_board: Damage, from_board: Damage, seed: u64) -> Self {
        Self {
            wire,
            to_board,
            from_board,
            rng: ChaCha8Rng::seed_from_u64(seed),
            inbox: VecDeque::new(),
            held_out: Vec::new(),
            held_in: Vec::new(),
            faults: FaultCounts::default(),
        }
    }

    /// `bytes` as they arrive at the other end under byte faults of probability `rate`;
    /// delayed ones go to `held` (sent next time).
    fn pass(&mut self, bytes: &[u8], rate: f64, held: &mut Vec<u8>) -> Vec<u8> {
        let mut out = std::mem::take(held);
        for &b in bytes {
            if self.rng.gen::<f64>() >= rate {
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

    /// Damages one inner byte of `frame` (never its delimiters) with probability `p`.
    fn damage_frame(&mut self, frame: &mut Vec<u8>, p: f64) {
        if frame.len() > 2 && self.rng.gen::<f64>() < p {
            let i = self.rng.gen_range(1..frame.len() - 1);
            if self.rng.gen_bool(0.5) {
                self.faults.dropped += 1;
                frame.remove(i);
            } else {
                self.faults.flipped += 1;
                frame[i] ^= 0x10;
            }
        }
    }

    /// `bytes` (whole frames, back to back) with each frame damaged with probability `p`.
    fn pass_frames(&mut self, bytes: &[u8], p: f64) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut frame = Vec::new();
        for (k, &byte) in bytes.iter().enumerate() {
            frame.push(byte);
            // A frame ends at a zero that the next frame's opening zero follows.
            if byte == 0 && frame.len() > 1 && bytes.get(k + 1) == Some(&0) {
                self.damage_frame(&mut frame, p);
                out.append(&mut frame);
            }
        }
        self.damage_frame(&mut frame, p);
        out.append(&mut frame);
        out
    }
}

impl std::io::Write for LossyWire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let out = match self.to_board {
            Damage::Bytes(rate) => {
                let mut held = std::mem::take(&mut self.held_out);
                let out = self.pass(buf, rate, &mut held);
                self.held_out = held;
                out
            }
            // The host writes one frame per call.
            Damage::Frames(p) => {
                let mut frame = buf.to_vec();
                self.damage_frame(&mut frame, p);
                frame
            }
        };
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
            match self.from_board {
                Damage::Bytes(rate) => match self.wire.read(&mut chunk) {
                    Ok(n) => {
                        let mut held = std::mem::take(&mut self.held_in);
                        let out = self.pass(&chunk[..n], rate, &mut held);
                        self.held_in = held;
                        self.inbox.extend(out);
                    }
                    // A silent board releases what the line held back.
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut && !self.held_in.is_empty() => {
                        self.inbox.extend(self.held_in.drain(..));
                    }
                    Err(e) => return Err(e),
                },
                Damage::Frames(p) => {
                    // Everything the board sends until it is idle, then damaged frame by frame.
                    let mut all = Vec::new();
                    loop {
                        match self.wire.read(&mut chunk) {
                            Ok(n) => all.extend_from_slice(&chunk[..n]),
                            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
                            Err(e) => return Err(e),
                        }
                    }
                    let out = self.pass_frames(&all, p);
                    self.inbox.extend(out);
                }
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
