//! The runtime shape of one core, derived from the `[hardware]` table.
//!
//! rust-hdl fixes signal widths at compile time, but the shape comes from the user's file at
//! run time. So the core is generic over its datapath width `D`, compiled for a few widths
//! (`DATAPATH_WIDTHS`), and each shape takes the narrowest that holds its arithmetic
//! exactly; the memories (custom Verilog, see `memory/ram.rs`) store exactly the configured widths,
//! sign- or zero-extending on read. The configuration bus is always `DW` bits.

use spikemesh_spec::neuron::{ModelId, StateField, TypeWord};
use spikemesh_spec::Hardware;

/// Width of the configuration bus, and of the widest datapath: potentials (<= 32 bits) and
/// accumulators (<= 16 + 14 bits) with room for `v - leak + I` without overflow.
pub const DW: usize = 34;
/// The datapath widths the core is compiled for.
pub const DATAPATH_WIDTHS: [usize; 3] = [18, 26, DW];
/// Neuron index bits (neurons_per_core <= 4096).
pub const NB: usize = 12;
/// Axon index bits (axons_per_core <= 16384).
pub const AB: usize = 14;
/// Neuron-type index bits (neuron_types <= 256).
pub const TB: usize = 8;

/// Where the crossbar lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrossbarStyle {
    /// An inferred block RAM (iCE40 SB_RAM40_4K, ECP5 DP16KD, or Verilator's array).
    Inferred,
    /// iCE40 UP5K single-port SPRAM (`SB_SPRAM256KA`), 16K x 16 bits each.
    Ice40Spram,
}

/// One core's shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CoreShape {
    /// Neuron slots.
    pub neurons: usize,
    /// Axon rows the crossbar holds.
    pub axons: usize,
    /// Axon rows the chip addresses (`axons_per_core`); a tile whose core holds fewer
    /// (`core_axons`) ignores events and configuration beyond its own rows.
    pub axon_space: usize,
    /// Neuron-type table entries.
    pub types: usize,
    /// Signed weight width.
    pub weight_bits: usize,
    /// Signed potential width.
    pub potential_bits: usize,
    /// Refractory counter width.
    pub refractory_bits: usize,
    /// Signed accumulator width.
    pub acc_bits: usize,
    /// Crossbar memory style.
    pub crossbar: CrossbarStyle,
    /// Flits each router input buffers (1 or 2). Two let a link move a flit every clock;
    /// one moves a flit every other clock, which is still far faster than a core integrates
    /// an event (`ceil(N / lanes)` clocks), and saves the logic cells of a second slot per port.
    pub router_fifo: usize,
    /// The LIF leak may use a multiplier (the device has DSP blocks; see `arith/leak.rs`).
    pub leak_multiply: bool,
    /// The chip's 32-bit event counters are iCE40 `SB_MAC16` blocks (`link/counter.rs`).
    pub dsp_counters: bool,
    /// The device has LUT RAM (ECP5): each memory is marked for LUT RAM or block RAM by its
    /// depth (`memory::in_lut_ram`), so that the fit is exact and small memories spare blocks.
    pub lut_ram: bool,
    /// The neuron model whose datapath the core runs (`neuron::DATAPATHS`).
    pub model: ModelId,
    /// Signed synaptic-current width, for models that keep one.
    pub current_bits: usize,
    /// Synapses integrated per clock: the crossbar word's lanes, one adder and one
    /// accumulator bank each (1, 2 or 4).
    pub synapses_per_clock: usize,
    /// Bits of an axon row's delay (0 to 4): the core keeps a ring of `2^delay_bits`
    /// accumulator banks and one delay per axon row (`docs/delays.md`).
    pub delay_bits: u32,
    /// Shared kernels (`spec::kernel`): the crossbar holds `rows` kernel rows of `segment`
    /// weights, and a tap table says which of them each axon adds where.
    pub kernel: Option<spikemesh_spec::kernel::Kernel>,
}

// A tap word's fields are the core's axon and neuron indices (`memory_map::tap_word`).
const _: () = assert!(
    spikemesh_spec::memory_map::TAP_ROW_BITS as usize == AB && spikemesh_spec::memory_map::TAP_BASE_BITS as usize == NB
);

/// The most synapses a core integrates per clock (its adder lanes in the generated logic).
pub const MAX_LANES: usize = 4;

/// ceil(log2(n)), at least 1 (a memory always has one address bit).
pub fn addr_bits(n: usize) -> usize {
    (usize::BITS - (n.max(2) - 1).leading_zeros()) as usize
}

/// Entries in a crossbar's address space: rows x 2^(column bits).
pub fn crossbar_depth(axons: usize, neurons: usize) -> usize {
    axons.max(2) << addr_bits(neurons)
}

/// SB_SPRAM256KA blocks a crossbar needs (16384 words of 16 bits each). The shape owns this
/// arithmetic (the board's choice of crossbar style needs it); `memory::crossbar` builds the blocks.
pub fn spram_blocks(axons: usize, neurons: usize, width: usize) -> usize {
    let bits = crossbar_depth(axons, neurons) * width;
    bits.div_ceil(16384 * 16)
}

impl CoreShape {
    /// The reference core the issues compare against tinyODIN: 256 neurons, 256 axons, 4-bit
    /// weights, 16-bit potentials, 16 neuron types, 4-bit refractory counters.
    pub fn reference(crossbar: CrossbarStyle) -> Self {
        Self {
            neurons: 256,
            axons: 256,
            axon_space: 256,
            types: 16,
            weight_bits: 4,
            potential_bits: 16,
            refractory_bits: 4,
            acc_bits: 12,
            crossbar,
            router_fifo: 2,
            leak_multiply: true,
            dsp_counters: false,
            lut_ram: false,
            model: ModelId::lif(),
            current_bits: 16,
            synapses_per_clock: 1,
            delay_bits: 0,
            kernel: None,
        }
    }

    /// The shape of every core of `hw`, with the crossbar style given.
    pub fn of(hw: &Hardware, crossbar: CrossbarStyle) -> Self {
        Self {
            neurons: hw.neurons_per_core,
            axons: hw.axons_per_core,
            axon_space: hw.axons_per_core,
            types: hw.neuron_types,
            weight_bits: hw.widths.weight_bits as usize,
            potential_bits: hw.widths.potential_bits as usize,
            refractory_bits: hw.widths.refractory_bits as usize,
            acc_bits: hw.accumulator_bits() as usize,
            crossbar,
            router_fifo: 2,
            leak_multiply: true,
            dsp_counters: false,
            lut_ram: false,
            model: hw.chip_model,
            current_bits: hw.widths.current_bits as usize,
            synapses_per_clock: hw.synapses_per_clock,
            delay_bits: hw.delay_bits,
            kernel: None,
        }
    }

    /// This shape integrating `p` synapses per clock.
    pub fn with_lanes(&self, p: usize) -> Self {
        Self { synapses_per_clock: p, ..self.clone() }
    }

    /// Adder lanes the core builds: `synapses_per_clock`, but no more than the neuron
    /// columns a crossbar word can address (a 2-neuron core has 2).
    pub fn lanes(&self) -> usize {
        self.synapses_per_clock.clamp(1, MAX_LANES).min(1 << self.neuron_bits())
    }

    /// log2 of `lanes()`: the neuron-index bits that pick a lane in a crossbar word.
    pub fn lane_bits(&self) -> usize {
        self.lanes().trailing_zeros() as usize
    }

    /// The crossbar's rows and columns: the axon rows and neurons, or with shared kernels
    /// the kernel rows and a segment's neurons.
    pub fn crossbar_size(&self) -> (usize, usize) {
        match self.kernel {
            None => (self.axons, self.neurons),
            Some(k) => (k.rows, k.segment),
        }
    }

    /// Crossbar words per row, i.e. clocks to integrate one axon event.
    pub fn words_per_row(&self) -> usize {
        self.neurons.div_ceil(self.lanes())
    }

    /// This shape running `model`'s datapath.
    pub fn with_model(&self, model: ModelId) -> Self {
        Self { model, ..self.clone() }
    }

    /// The shape `hw`'s board gets: on the iCEBreaker (UP5K) the crossbar goes to SPRAM when
    /// it fits the four blocks with 4-, 8- or 16-bit weights, and routers buffer one flit per
    /// input (the UP5K is short of logic cells); elsewhere inferred RAM and two flits.
    pub fn for_board(hw: &Hardware) -> Self {
        let spram = hw.board == spikemesh_spec::config::Board::Icebreaker
            && matches!(hw.widths.weight_bits, 4 | 8 | 16)
            && spram_blocks(hw.axons_per_core, hw.neurons_per_core, hw.widths.weight_bits as usize) <= 4;
        let up5k = hw.board == spikemesh_spec::config::Board::Icebreaker;
        let s = Self::of(hw, if spram { CrossbarStyle::Ice40Spram } else { CrossbarStyle::Inferred });
        // The HX8K has no DSP blocks: its leak is a shifter in logic.
        let dsp = hw.board != spikemesh_spec::config::Board::Hx8kBreakout;
        let ecp5 =
            matches!(hw.board, spikemesh_spec::config::Board::Ulx3s25f | spikemesh_spec::config::Board::Ulx3s85f);
        Self { router_fifo: if up5k { 1 } else { 2 }, leak_multiply: dsp, dsp_counters: up5k, lut_ram: ecp5, ..s }
    }

    /// The shape of core `c` of `hw` on its board: [`CoreShape::for_board`] with the core's own
    /// crossbar rows (`Hardware::axons_of`).
    pub fn for_core(hw: &Hardware, c: usize) -> Self {
        Self { axons: hw.axons_of(c), kernel: hw.kernel_of(c), ..Self::for_board(hw) }
    }

    /// Whether the core holds fewer rows than the chip addresses (its tile guards the rest).
    pub fn guards_rows(&self) -> bool {
        self.axons < self.axon_space
    }

    /// The widths the spec's model sees in a core of this shape.
    pub fn widths(&self) -> spikemesh_spec::Widths {
        spikemesh_spec::Widths {
            weight_bits: self.weight_bits as u32,
            potential_bits: self.potential_bits as u32,
            current_bits: self.current_bits as u32,
            refractory_bits: self.refractory_bits as u32,
        }
    }

    /// How the model's type words are stored (`Model::type_word_geometry`).
    pub fn type_words(&self) -> Vec<TypeWord> {
        self.model.get().type_word_geometry(&self.widths())
    }

    /// The model's middle state register (between `v` and the refractory counter), if any.
    pub fn aux_state(&self) -> Option<StateField> {
        let s = self.model.get().state(&self.widths());
        (s.len() == 3).then(|| s[1])
    }

    /// Bits of a neuron index in this shape.
    pub fn neuron_bits(&self) -> usize {
        addr_bits(self.neurons)
    }

    /// Bits of a neuron-type index in this shape.
    pub fn type_bits(&self) -> usize {
        addr_bits(self.types)
    }

    /// Depth and width of the RAM of type indices (at `0..N`) and the spike queue (from
    /// `2^neuron_bits`).
    pub fn type_queue_ram(&self) -> (usize, usize) {
        (2 << self.neuron_bits(), self.neuron_bits().max(self.type_bits()))
    }

    /// Depth and width of the type table RAM: word k of type `t` at `t + k * 2^type_bits`,
    /// as wide as the widest word (`Model::type_word_geometry`).
    pub fn type_table_ram(&self) -> (usize, usize) {
        let words = self.type_words();
        let width = words.iter().map(|w| w.bits as usize).max().unwrap_or(1);
        (words.len() << self.type_bits(), width)
    }

    /// Bits of an axon index in this shape.
    pub fn axon_bits(&self) -> usize {
        addr_bits(self.axons)
    }
}
