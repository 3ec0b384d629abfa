//! The host wire protocol: frames, their checksum, and the messages they carry.
//!
//! A frame on the wire is `0x00 COBS(body) 0x00`: COBS removes every zero from the body, so
//! a zero byte always delimits a frame and a receiver that lost its place resynchronises at
//! the next one; the leading zero means a truncated frame can only ever take itself down. The body is `kind, seq, payload..., crc_hi, crc_lo`, where the CRC is CRC-16/GENIBUS
//! (polynomial 0x1021, initial 0xFFFF, no reflection: a 16-bit shift register in hardware;
//! the result inverted) over `kind, seq, payload`. The inversion matters: without it (as in
//! CRC-16/IBM-3740, protocol 2) a frame whose last payload byte equals the register's high
//! byte ends in a zero CRC byte, and one flipped COBS code byte truncates it into a frame
//! that passes the check (one frame in 256). Inverted, the truncated frame must match by
//! chance, one in 65536. Multi-byte fields are little-endian. `docs/protocol.md` lists
//! every message.

use crate::flit::Flit;
use std::fmt;

/// Protocol version the board reports in `Identify`.
pub const VERSION: u8 = 5;
/// Largest body (kind + seq + payload + CRC) a receiver accepts.
pub const MAX_BODY: usize = 512;
/// Largest payload of one frame (senders split longer writes and injections).
pub const MAX_PAYLOAD: usize = MAX_BODY - 4;
/// Words one WRITE_MEM frame carries (7 header bytes, 5 bytes a word).
pub const WRITE_WORDS: usize = (MAX_PAYLOAD - 7) / 5;
/// Words one WRITE_BYTES frame carries (7 header bytes, 1 byte a word).
pub const BYTE_WRITE_WORDS: usize = MAX_PAYLOAD - 7;
/// `BoardInfo::features` bit: the board accepts WRITE_BYTES.
pub const FEATURE_BYTE_WRITES: u8 = 1;
/// `BoardInfo::features` bit: the board accepts STEP_PULLED and NEXT.
pub const FEATURE_PULLED_SPIKES: u8 = 2;
/// `BoardInfo::features` bits 4..=6: the board's `delay_bits` (synaptic delays, 0 to 4). A board
/// built before delays reports 0 there, which is what it holds.
pub const FEATURE_DELAY_SHIFT: u32 = 4;

/// The `features` byte of a board with these options.
pub fn features(byte_writes: bool, pulled_spikes: bool, delay_bits: u32) -> u8 {
    debug_assert!(delay_bits <= 7);
    (if byte_writes { FEATURE_BYTE_WRITES } else { 0 })
        | (if pulled_spikes { FEATURE_PULLED_SPIKES } else { 0 })
        | ((delay_bits as u8) << FEATURE_DELAY_SHIFT)
}

/// The `delay_bits` a board's `features` byte reports.
pub fn feature_delay_bits(features: u8) -> u32 {
    (features >> FEATURE_DELAY_SHIFT) as u32 & 7
}
/// Words one DATA answer carries, so the most one READ_MEM may ask for.
pub const READ_WORDS: usize = MAX_PAYLOAD / 5;
/// Flits one INJECT frame carries.
pub const INJECT_FLITS: usize = MAX_PAYLOAD / 3;
/// Recorded spikes one SPIKES frame carries (4 timestep bytes, 3 bytes a spike).
pub const SPIKES_PER_FRAME: usize = (MAX_PAYLOAD - 4) / 3;
const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_GENIBUS);

/// Message kinds (host to board below 0x80, board to host from 0x80).
pub mod kind {
    /// Ask for the protocol version and hardware parameters.
    pub const IDENTIFY: u8 = 0x01;
    /// Write consecutive words of one core memory.
    pub const WRITE_MEM: u8 = 0x02;
    /// Read consecutive words of one core memory.
    pub const READ_MEM: u8 = 0x03;
    /// Input-spike flits of the next timestep (opens it unless one is open).
    pub const INJECT: u8 = 0x04;
    /// Run timesteps.
    pub const STEP: u8 = 0x05;
    /// Ask for the counters.
    pub const STATUS: u8 = 0x06;
    /// Zero neuron state and counters.
    pub const RESET: u8 = 0x07;
    /// Write consecutive words of one core memory, one byte each (a fifth of WRITE_MEM's
    /// bytes for weights of up to 8 bits; boards that report `FEATURE_BYTE_WRITES`).
    pub const WRITE_BYTES: u8 = 0x08;
    /// Run timesteps, sending each SPIKES frame as an answer and waiting for NEXT before
    /// the chip goes on (boards that report `FEATURE_PULLED_SPIKES`).
    pub const STEP_PULLED: u8 = 0x09;
    /// Go on with the waiting STEP_PULLED: answered by its next SPIKES frame or its ACK.
    pub const NEXT: u8 = 0x0A;
    /// A command was applied.
    pub const ACK: u8 = 0x81;
    /// A command was refused, with a reason.
    pub const NACK: u8 = 0x82;
    /// Answer to `IDENTIFY`.
    pub const IDENT: u8 = 0x83;
    /// Answer to `READ_MEM`.
    pub const DATA: u8 = 0x84;
    /// Recorded spikes of one timestep.
    pub const SPIKES: u8 = 0x85;
    /// Answer to `STATUS`.
    pub const COUNTERS: u8 = 0x86;
}

/// Why the board refused a command (`Nack` reason byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Reason {
    /// The kind byte is not a command.
    UnknownKind = 1,
    /// The payload length does not fit the command.
    BadLength = 2,
    /// A core, memory or address outside the hardware.
    OutOfRange = 3,
    /// The chip is running a timestep.
    Busy = 4,
}

impl Reason {
    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            1 => Reason::UnknownKind,
            2 => Reason::BadLength,
            3 => Reason::OutOfRange,
            4 => Reason::Busy,
            _ => return None,
        })
    }
}

/// A decoded frame: kind, sequence number and payload, checksum verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Message kind.
    pub kind: u8,
    /// Sequence number; responses repeat the command's.
    pub seq: u8,
    /// Message payload.
    pub payload: Vec<u8>,
}

impl Frame {
    /// The bytes on the wire: delimiter, COBS-encoded body, delimiter.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.payload.len() + 4);
        body.push(self.kind);
        body.push(self.seq);
        body.extend_from_slice(&self.payload);
        let crc = CRC.checksum(&body);
        body.extend_from_slice(&crc.to_be_bytes());
        let mut out = vec![0];
        out.extend(cobs::encode_vec(&body));
        out.push(0);
        out
    }
}

/// Why a received frame was rejected (and counted, never applied).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// COBS decoding failed: a corrupted or truncated frame.
    #[error("frame ending at byte {at}: bad COBS encoding")]
    Cobs {
        /// Offset of the delimiter in the stream.
        at: u64,
    },
    /// Shorter than kind + seq + CRC.
    #[error("frame ending at byte {at}: {len} bytes, shorter than a header and a CRC")]
    Short {
        /// Offset of the delimiter.
        at: u64,
        /// Body length.
        len: usize,
    },
    /// Longer than [`MAX_BODY`]; the rest up to the next delimiter is skipped.
    #[error("frame ending at byte {at}: longer than {MAX_BODY} bytes")]
    Long {
        /// Offset of the delimiter.
        at: u64,
    },
    /// The checksum does not match.
    #[error("frame ending at byte {at}: CRC {got:#06x}, expected {want:#06x}")]
    Crc {
        /// Offset of the delimiter.
        at: u64,
        /// CRC in the frame.
        got: u16,
        /// CRC of the body.
        want: u16,
    },
}

/// Cuts a byte stream into frames; every zero byte ends one. Never panics, never blocks.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    overflow: bool,
    offset: u64,
    /// Frames accepted so far.
    pub accepted: u64,
    /// Frames rejected so far.
    pub rejected: u64,
}

impl Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns every frame (or rejection) they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Frame, FrameError>> {
        let mut out = Vec::new();
        for &b in bytes {
            let at = self.offset;
            self.offset += 1;
            if b != 0 {
                if self.buf.len() < MAX_BODY + MAX_BODY / 254 + 2 {
                    self.buf.push(b);
                } else {
                    self.overflow = true;
                }
                continue;
            }
            if self.buf.is_empty() && !self.overflow {
                continue; // back-to-back delimiters: an empty gap, not a frame
            }
            let r = self.finish(at);
            match &r {
                Ok(_) => self.accepted += 1,
                Err(_) => self.rejected += 1,
            }
            out.push(r);
        }
        out
    }

    fn finish(&mut self, at: u64) -> Result<Frame, FrameError> {
        let raw = std::mem::take(&mut self.buf);
        if std::mem::take(&mut self.overflow) {
            return Err(FrameError::Long { at });
        }
        let body = cobs::decode_vec(&raw).map_err(|_| FrameError::Cobs { at })?;
        if body.len() < 4 {
            return Err(FrameError::Short { at, len: body.len() });
        }
        if body.len() > MAX_BODY {
            return Err(FrameError::Long { at });
        }
        let (data, crc) = body.split_at(body.len() - 2);
        let got = u16::from_be_bytes([crc[0], crc[1]]);
        let want = CRC.checksum(data);
        if got != want {
            return Err(FrameError::Crc { at, got, want });
        }
        Ok(Frame { kind: data[0], seq: data[1], payload: data[2..].to_vec() })
    }
}

/// The hardware a board reports (`Ident`), so the host refuses networks that do not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardInfo {
    /// Protocol version.
    pub version: u8,
    /// Cores in x.
    pub mesh_x: u8,
    /// Cores in y.
    pub mesh_y: u8,
    /// Neuron slots per core.
    pub neurons_per_core: u16,
    /// Axon rows per core.
    pub axons_per_core: u16,
    /// Weight width.
    pub weight_bits: u8,
    /// Potential width.
    pub potential_bits: u8,
    /// Refractory width.
    pub refractory_bits: u8,
    /// Neuron-type table entries.
    pub neuron_types: u16,
    /// Destination entries per core.
    pub destinations_per_core: u32,
    /// Core clock in kHz.
    pub clock_khz: u32,
    /// UART baud rate.
    pub baud: u32,
    /// Optional commands the board accepts (`FEATURE_*` bits).
    pub features: u8,
}

/// A command from the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Who are you?
    Identify,
    /// Write `data` to consecutive columns of (core, mem, row) starting at `col`.
    WriteMem {
        /// Core index.
        core: u8,
        /// Memory id (`memory_map`).
        mem: u8,
        /// Row.
        row: u32,
        /// First column.
        col: u16,
        /// Words (two's complement, 40 bits each on the wire: -2^39 ..= 2^39 - 1).
        data: Vec<i64>,
    },
    /// Write one byte per word to consecutive columns of (core, mem, row) from `col`; the
    /// board sign-extends each byte in a signed memory (`Geometry::byte_value`).
    WriteBytes {
        /// Core index.
        core: u8,
        /// Memory id (`memory_map`).
        mem: u8,
        /// Row.
        row: u32,
        /// First column.
        col: u16,
        /// One byte per word.
        data: Vec<u8>,
    },
    /// Read `count` consecutive columns of (core, mem, row) from `col`.
    ReadMem {
        /// Core index.
        core: u8,
        /// Memory id.
        mem: u8,
        /// Row.
        row: u32,
        /// First column.
        col: u16,
        /// Words to read.
        count: u16,
    },
    /// These axon-event flits are the next timestep's input spikes (the timestep opens).
    Inject(Vec<Flit>),
    /// Run `n` timesteps, the first being the one INJECT opened, if any.
    Step(u32),
    /// As `Step`, but every SPIKES frame is an answer that NEXT asks for (none is lost).
    StepPulled(u32),
    /// Go on with the waiting `StepPulled`.
    Next,
    /// Report counters.
    Status,
    /// Zero neuron state and counters.
    Reset,
}

/// A message from the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The command with this frame's seq was applied.
    Ack,
    /// The command was refused.
    Nack(Reason),
    /// Hardware parameters.
    Ident(BoardInfo),
    /// Words read.
    Data(Vec<i64>),
    /// Recorded spikes of one timestep: (core x, core y, neuron slot) as host flits.
    Spikes {
        /// Timestep.
        timestep: u32,
        /// The spikes.
        spikes: Vec<Flit>,
    },
    /// Counters.
    Counters {
        /// Timesteps run since reset.
        timestep: u32,
        /// Frames accepted.
        frames_ok: u32,
        /// Frames rejected (bad COBS, length or CRC).
        frames_rejected: u32,
        /// Spikes sent to the host.
        spikes_sent: u32,
    },
}

/// Why a frame's payload is not a valid message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Unknown kind byte.
    #[error("unknown message kind {0:#04x}")]
    Kind(u8),
    /// The payload is the wrong length for its kind.
    #[error("message kind {kind:#04x}: payload of {len} bytes, {want}")]
    Length {
        /// Kind.
        kind: u8,
        /// Length received.
        len: usize,
        /// What was expected.
        want: &'static str,
    },
    /// A field holds a value outside its range.
    #[error("message kind {kind:#04x}: byte {at}: {what}")]
    Field {
        /// Kind.
        kind: u8,
        /// Payload offset of the field.
        at: usize,
        /// What is wrong.
        what: &'static str,
    },
}

/// `Ok` when `ok`; otherwise the frame's payload length is wrong for its kind (`want` says why).
fn expect_len(f: &Frame, want: &'static str, ok: bool) -> Result<(), MessageError> {
    if ok {
        Ok(())
    } else {
        Err(MessageError::Length { kind: f.kind, len: f.payload.len(), want })
    }
}

fn put_flit(out: &mut Vec<u8>, f: Flit) {
    out.extend_from_slice(&(f.encode() as u32).to_le_bytes()[..3]);
}

/// The flits in `bytes`, 3 per flit. Flits are 23 bits: the top bit must be clear, so no
/// sent bit is ignored. `at` is the payload offset of `bytes`, for the error.
fn get_flits(f: &Frame, bytes: &[u8], at: usize) -> Result<Vec<Flit>, MessageError> {
    bytes
        .chunks(3)
        .enumerate()
        .map(|(i, b)| match b[2] & 0x80 {
            0 => Ok(Flit::decode(u32::from_le_bytes([b[0], b[1], b[2], 0]) as u64)),
            _ => Err(MessageError::Field { kind: f.kind, at: at + 3 * i + 2, what: "bit 23 of a flit must be clear" }),
        })
        .collect()
}

/// Words on the wire are 40-bit two's complement.
pub const WORD_MIN: i64 = -(1 << 39);
/// See [`WORD_MIN`].
pub const WORD_MAX: i64 = (1 << 39) - 1;

fn words(out: &mut Vec<u8>, data: &[i64]) {
    for &d in data {
        assert!((WORD_MIN..=WORD_MAX).contains(&d), "word {d} does not fit 40 bits");
        out.extend_from_slice(&d.to_le_bytes()[..5]);
    }
}

fn read_words(b: &[u8]) -> Vec<i64> {
    // Sign-extend from bit 39: the top byte copies bit 7 of the fifth.
    b.chunks(5)
        .map(|c| {
            let s = if c[4] & 0x80 != 0 { 0xff } else { 0 };
            i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], s, s, s])
        })
        .collect()
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

impl Command {
    /// The frame carrying this command.
    pub fn frame(&self, seq: u8) -> Frame {
        let mut p = Vec::new();
        let kind = match self {
            Command::Identify => kind::IDENTIFY,
            Command::WriteMem { core, mem, row, col, data } => {
                p.extend_from_slice(&[*core, *mem]);
                p.extend_from_slice(&row.to_le_bytes()[..3]);
                p.extend_from_slice(&col.to_le_bytes());
                words(&mut p, data);
                kind::WRITE_MEM
            }
            Command::WriteBytes { core, mem, row, col, data } => {
                p.extend_from_slice(&[*core, *mem]);
                p.extend_from_slice(&row.to_le_bytes()[..3]);
                p.extend_from_slice(&col.to_le_bytes());
                p.extend_from_slice(data);
                kind::WRITE_BYTES
            }
            Command::ReadMem { core, mem, row, col, count } => {
                p.extend_from_slice(&[*core, *mem]);
                p.extend_from_slice(&row.to_le_bytes()[..3]);
                p.extend_from_slice(&col.to_le_bytes());
                p.extend_from_slice(&count.to_le_bytes());
                kind::READ_MEM
            }
            Command::Inject(flits) => {
                for &f in flits {
                    put_flit(&mut p, f);
                }
                kind::INJECT
            }
            Command::Step(n) => {
                p.extend_from_slice(&n.to_le_bytes());
                kind::STEP
            }
            Command::StepPulled(n) => {
                p.extend_from_slice(&n.to_le_bytes());
                kind::STEP_PULLED
            }
            Command::Next => kind::NEXT,
            Command::Status => kind::STATUS,
            Command::Reset => kind::RESET,
        };
        Frame { kind, seq, payload: p }
    }

    /// The command a frame carries.
    pub fn parse(f: &Frame) -> Result<Self, MessageError> {
        let p = &f.payload;
        let len = |want: &'static str, ok: bool| expect_len(f, want, ok);
        Ok(match f.kind {
            kind::IDENTIFY => {
                len("0 bytes", p.is_empty())?;
                Command::Identify
            }
            kind::WRITE_MEM => {
                len(
                    "7 bytes of address and 5 per word, at least one word",
                    p.len() >= 12 && (p.len() - 7).is_multiple_of(5),
                )?;
                let row = u32::from_le_bytes([p[2], p[3], p[4], 0]);
                Command::WriteMem { core: p[0], mem: p[1], row, col: u16_at(p, 5), data: read_words(&p[7..]) }
            }
            kind::WRITE_BYTES => {
                len("7 bytes of address and 1 per word, at least one word", p.len() >= 8)?;
                let row = u32::from_le_bytes([p[2], p[3], p[4], 0]);
                Command::WriteBytes { core: p[0], mem: p[1], row, col: u16_at(p, 5), data: p[7..].to_vec() }
            }
            kind::READ_MEM => {
                len("9 bytes", p.len() == 9)?;
                let row = u32::from_le_bytes([p[2], p[3], p[4], 0]);
                Command::ReadMem { core: p[0], mem: p[1], row, col: u16_at(p, 5), count: u16_at(p, 7) }
            }
            kind::INJECT => {
                len("3 bytes per flit, at least one", !p.is_empty() && p.len().is_multiple_of(3))?;
                let flits = get_flits(f, p, 0)?;
                if let Some(i) = flits.iter().position(|f| f.host) {
                    return Err(MessageError::Field {
                        kind: f.kind,
                        at: 3 * i + 2,
                        what: "an injected flit must be a core flit (host bit clear)",
                    });
                }
                Command::Inject(flits)
            }
            kind::STEP => {
                len("4 bytes", p.len() == 4)?;
                Command::Step(u32_at(p, 0))
            }
            kind::STEP_PULLED => {
                len("4 bytes", p.len() == 4)?;
                Command::StepPulled(u32_at(p, 0))
            }
            kind::NEXT => {
                len("0 bytes", p.is_empty())?;
                Command::Next
            }
            kind::STATUS => {
                len("0 bytes", p.is_empty())?;
                Command::Status
            }
            kind::RESET => {
                len("0 bytes", p.is_empty())?;
                Command::Reset
            }
            k => return Err(MessageError::Kind(k)),
        })
    }
}

impl Response {
    /// The frame carrying this response.
    pub fn frame(&self, seq: u8) -> Frame {
        let mut p = Vec::new();
        let kind = match self {
            Response::Ack => kind::ACK,
            Response::Nack(r) => {
                p.push(*r as u8);
                kind::NACK
            }
            Response::Ident(b) => {
                p.extend_from_slice(&[b.version, b.mesh_x, b.mesh_y]);
                p.extend_from_slice(&b.neurons_per_core.to_le_bytes());
                p.extend_from_slice(&b.axons_per_core.to_le_bytes());
                p.extend_from_slice(&[b.weight_bits, b.potential_bits, b.refractory_bits]);
                p.extend_from_slice(&b.neuron_types.to_le_bytes());
                p.extend_from_slice(&b.destinations_per_core.to_le_bytes());
                p.extend_from_slice(&b.clock_khz.to_le_bytes());
                p.extend_from_slice(&b.baud.to_le_bytes());
                p.push(b.features);
                kind::IDENT
            }
            Response::Data(d) => {
                words(&mut p, d);
                kind::DATA
            }
            Response::Spikes { timestep, spikes } => {
                p.extend_from_slice(&timestep.to_le_bytes());
                for &f in spikes {
                    put_flit(&mut p, f);
                }
                kind::SPIKES
            }
            Response::Counters { timestep, frames_ok, frames_rejected, spikes_sent } => {
                for v in [timestep, frames_ok, frames_rejected, spikes_sent] {
                    p.extend_from_slice(&v.to_le_bytes());
                }
                kind::COUNTERS
            }
        };
        Frame { kind, seq, payload: p }
    }

    /// The response a frame carries.
    pub fn parse(f: &Frame) -> Result<Self, MessageError> {
        let p = &f.payload;
        let len = |want: &'static str, ok: bool| expect_len(f, want, ok);
        Ok(match f.kind {
            kind::ACK => {
                len("0 bytes", p.is_empty())?;
                Response::Ack
            }
            kind::NACK => {
                len("1 byte", p.len() == 1)?;
                let r = Reason::from_u8(p[0]).ok_or(MessageError::Field {
                    kind: f.kind,
                    at: 0,
                    what: "unknown reason code",
                })?;
                Response::Nack(r)
            }
            kind::IDENT => {
                len("25 bytes", p.len() == 25)?;
                Response::Ident(BoardInfo {
                    version: p[0],
                    mesh_x: p[1],
                    mesh_y: p[2],
                    neurons_per_core: u16_at(p, 3),
                    axons_per_core: u16_at(p, 5),
                    weight_bits: p[7],
                    potential_bits: p[8],
                    refractory_bits: p[9],
                    neuron_types: u16_at(p, 10),
                    destinations_per_core: u32_at(p, 12),
                    clock_khz: u32_at(p, 16),
                    baud: u32_at(p, 20),
                    features: p[24],
                })
            }
            kind::DATA => {
                len("5 bytes per word", p.len().is_multiple_of(5))?;
                Response::Data(read_words(p))
            }
            kind::SPIKES => {
                len("4 bytes of timestep and 3 per spike", p.len() >= 4 && (p.len() - 4).is_multiple_of(3))?;
                Response::Spikes { timestep: u32_at(p, 0), spikes: get_flits(f, &p[4..], 4)? }
            }
            kind::COUNTERS => {
                len("16 bytes", p.len() == 16)?;
                Response::Counters {
                    timestep: u32_at(p, 0),
                    frames_ok: u32_at(p, 4),
                    frames_rejected: u32_at(p, 8),
                    spikes_sent: u32_at(p, 12),
                }
            }
            k => return Err(MessageError::Kind(k)),
        })
    }
}

/// Share of the wire's raw capacity that carries spike events when `events` spikes of one
/// timestep travel in frames of at most `per_frame` events (8N1: 10 bit times per byte for
/// every byte alike, so the share is in bytes).
pub fn spike_efficiency(events: usize, per_frame: usize) -> f64 {
    let per_frame = per_frame.max(1);
    let mut wire = 0usize;
    let mut left = events;
    while left > 0 {
        let n = left.min(per_frame);
        let f = Response::Spikes { timestep: 0, spikes: vec![Flit::record(1, 1, 1); n] }.frame(0);
        wire += f.encode().len();
        left -= n;
    }
    if wire == 0 {
        return 0.0;
    }
    (3 * events) as f64 / wire as f64
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::UnknownKind => "unknown command",
            Reason::BadLength => "bad payload length",
            Reason::OutOfRange => "address outside the hardware",
            Reason::Busy => "the chip is running a timestep",
        })
    }
}
