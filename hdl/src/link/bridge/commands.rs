//! The executor's states, grouped by the command they run (`docs/protocol.md`), and the
//! IDENT answer that tells the host what the chip is.

use rust_hdl::prelude::*;
use spikemesh_spec::protocol::BoardInfo;
use spikemesh_spec::Hardware;

/// The IDENT payload of a chip of `hw` clocked at `clock_hz`.
pub fn board_info(hw: &Hardware, clock_hz: u64) -> BoardInfo {
    BoardInfo {
        version: spikemesh_spec::protocol::VERSION,
        mesh_x: hw.mesh_x as u8,
        mesh_y: hw.mesh_y as u8,
        neurons_per_core: hw.neurons_per_core as u16,
        axons_per_core: hw.axons_per_core as u16,
        weight_bits: hw.widths.weight_bits as u8,
        potential_bits: hw.widths.potential_bits as u8,
        refractory_bits: hw.widths.refractory_bits as u8,
        neuron_types: hw.neuron_types as u16,
        destinations_per_core: hw.destinations_per_core as u32,
        clock_khz: ((clock_hz + 500) / 1000) as u32,
        baud: hw.baud,
        features: spikemesh_spec::protocol::features(hw.byte_writes, hw.pulled_spikes, hw.delay_bits),
    }
}
/// Executor states. `Fetch` reads `cnt` bytes and returns to `ret`; `Head` writes an answer's
/// kind and seq and returns to `hret`; `Pay` writes `ocnt` bytes of `sh_out` and returns to `pret`.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum Step {
    /// Waiting for a frame.
    Idle,
    /// Fetching bytes from the frame buffer.
    Fetch,
    /// Kind and seq fetched.
    Cmd,
    /// Choosing the command.
    Dispatch,
    /// Sending the last answer again.
    Replay,
    /// Counting the payload's items.
    Len,
    /// WRITE_MEM: core.
    WrCore,
    /// WRITE_MEM: memory id.
    WrMem,
    /// WRITE_MEM: row.
    WrRow,
    /// WRITE_MEM: column; then the address check.
    WrCol,
    /// WRITE_MEM: checking the address.
    WrCheck,
    /// WRITE_MEM: checking one value.
    WrValue,
    /// WRITE_MEM: fetching a word to write.
    WrFetch,
    /// WRITE_MEM: writing it.
    WrOne,
    /// READ_MEM: core.
    RdCore,
    /// READ_MEM: memory id.
    RdMem,
    /// READ_MEM: row.
    RdRow,
    /// READ_MEM: column.
    RdCol,
    /// READ_MEM: count.
    RdCount,
    /// READ_MEM: checking the address.
    RdCheck,
    /// READ_MEM: one read strobe.
    RdOne,
    /// READ_MEM: waiting for the word.
    RdWait,
    /// INJECT: checking one flit.
    InjCheck,
    /// INJECT: opening the timestep.
    InjOpen,
    /// INJECT: next flit.
    InjNext,
    /// INJECT: handing it to the mesh.
    InjPush,
    /// STEP: the count.
    StepCount,
    /// STEP: opening a timestep.
    StepGo,
    /// STEP: streaming recorded spikes until quiet.
    Collect,
    /// STEP: a spike was written.
    Spike,
    /// STEP: sending a SPIKES frame.
    SpikeSend,
    /// STEP: a timestep is done.
    StepEnd,
    /// RESET: draining, then clearing.
    Reset,
    /// RESET: waiting for the clear.
    ResetWait,
    /// Multi-part answers (IDENT, COUNTERS): the next part.
    Chunk,
    /// Answer: kind.
    Head,
    /// Answer: seq.
    Seq,
    /// Answer: payload bytes.
    Pay,
    /// Answer: send.
    Send,
    /// Refusal.
    Nack,
    /// An answer with `ocnt` payload bytes in `sh_out`.
    Answer,
    /// One clock for the registered checks to see the newest field, then `ret`.
    Settle,
}
