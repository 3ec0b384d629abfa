//! What can go wrong talking to a board.

use spikemesh_spec::protocol::Reason;

/// A host-side failure, with enough context to act on.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The serial port could not be opened or used.
    #[error("serial port {port}: {source}")]
    Port {
        /// Port path.
        port: String,
        /// Cause.
        source: std::io::Error,
    },
    /// No answer within the timeout, after every retry.
    #[error("no answer to {command} (seq {seq}) after {tries} tries of {timeout_ms} ms each; is the board connected and at the right baud rate?")]
    Timeout {
        /// Command name.
        command: &'static str,
        /// Its sequence number.
        seq: u8,
        /// Attempts made.
        tries: u32,
        /// Wait per attempt.
        timeout_ms: u64,
    },
    /// Answers came, but every one failed its checksum (a noisy or mismatched line).
    #[error("every answer to {command} (seq {seq}) was corrupted: {bad_frames} frames failed their checksum in {tries} tries; check the cable and the baud rate")]
    Crc {
        /// Command name.
        command: &'static str,
        /// Its sequence number.
        seq: u8,
        /// Frames rejected while waiting.
        bad_frames: u64,
        /// Attempts made.
        tries: u32,
    },
    /// The board refused a command.
    #[error("the board refused {command}: {reason}")]
    Nack {
        /// Command name.
        command: &'static str,
        /// Its reason code.
        reason: Reason,
    },
    /// The board answered with something the command does not expect.
    #[error("{command} was answered with {got}")]
    Unexpected {
        /// Command name.
        command: &'static str,
        /// What came back.
        got: String,
    },
    /// The board's hardware does not fit the network.
    #[error("the board does not match the network's [hardware]: {0}")]
    Mismatch(String),
    /// A value or address the board would refuse, caught before sending.
    #[error("{0}")]
    Invalid(String),
    /// Spike frames were lost on the way (their checksum failed).
    #[error("the board sent {sent} spikes but {received} arrived intact ({bad_frames} frames failed their checksum)")]
    SpikesLost {
        /// Spikes the board counted.
        sent: u64,
        /// Spikes received.
        received: u64,
        /// Frames from the board rejected by the host.
        bad_frames: u64,
    },
}

/// An address the board's geometry table refuses, caught before sending.
impl From<spikemesh_spec::memory_map::AccessError> for HostError {
    fn from(e: spikemesh_spec::memory_map::AccessError) -> Self {
        HostError::Invalid(e.to_string())
    }
}
