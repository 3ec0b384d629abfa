//! Lock-step co-simulation: the golden model and the RTL run the same stimulus, timestep by
//! timestep, and the first difference stops the run with a report.
//!
//! The RTL side is either one neuron core with software fan-out (`RtlChip`, for core-level
//! tests with handshake stress) or the whole mesh of tiles behind its host port (`RtlMesh`).

use crate::golden::Golden;
use crate::rtl_core::{RtlCore, StepCycles, Stress};
use crate::rtl_mesh::RtlMesh;
use crate::run::Engine;
use crate::verilator::BuildError;
use spikemesh_hdl::shape::CoreShape;
use spikemesh_spec::mapping::{Mapping, Placement};
use spikemesh_spec::Stimulus;
use std::fmt;
use std::path::Path;

/// The first place the RTL and the golden model disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// Timestep of the difference.
    pub timestep: u32,
    /// Core (x, y).
    pub core: (usize, usize),
    /// Neuron slot in the core.
    pub neuron: usize,
    /// What differs.
    pub what: Mismatch,
}

/// A spike or a potential that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The neuron fired in one model and not the other.
    Spike {
        /// Golden model fired.
        expected: bool,
        /// RTL fired.
        actual: bool,
    },
    /// Read-back potentials differ.
    Potential {
        /// Golden model.
        expected: i64,
        /// RTL.
        actual: i64,
    },
    /// Read-back refractory counters differ.
    Refractory {
        /// Golden model.
        expected: i64,
        /// RTL.
        actual: i64,
    },
    /// Read-back middle state registers (`cuba`'s `u`, `alif`'s adaptation) differ.
    Middle {
        /// Golden model.
        expected: i64,
        /// RTL.
        actual: i64,
    },
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "divergence at timestep {}, core ({},{}), neuron {}: ",
            self.timestep, self.core.0, self.core.1, self.neuron
        )?;
        match self.what {
            Mismatch::Spike { expected, actual } => {
                let s = |b: bool| if b { "a spike" } else { "no spike" };
                write!(f, "golden model has {}, RTL has {}", s(expected), s(actual))
            }
            Mismatch::Potential { expected, actual } => {
                write!(f, "golden potential {expected}, RTL potential {actual}")
            }
            Mismatch::Refractory { expected, actual } => {
                write!(f, "golden refractory counter {expected}, RTL {actual}")
            }
            Mismatch::Middle { expected, actual } => {
                write!(f, "golden middle state register (u or adaptation) {expected}, RTL {actual}")
            }
        }
    }
}

/// Runs the golden model and the RTL mesh in lock-step (see [`compare`]).
pub fn lockstep_mesh(
    mapping: &Mapping,
    stim: &Stimulus,
    potential_every: Option<usize>,
    vcd: Option<&Path>,
) -> Result<Result<crate::rtl_mesh::MeshStats, Divergence>, CosimError> {
    let mut rtl = RtlMesh::new(mapping, vcd)?;
    let r = compare(mapping, stim, &mut rtl, potential_every);
    Ok(r.map(|()| rtl.stats))
}

/// Why a co-simulation could not give a verdict.
#[derive(Debug, thiserror::Error)]
pub enum CosimError {
    /// The model could not be built or loaded.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The network does not run on this RTL yet.
    #[error("{0}")]
    Unsupported(String),
}

/// The RTL counterpart of a mapped network.
pub struct RtlChip {
    core: RtlCore,
    mapping: Mapping,
    stress: Stress,
    /// Totals over the timesteps run so far.
    pub stats: RtlStats,
}

/// Totals of an RTL run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RtlStats {
    /// Clock cycles of all timesteps.
    pub cycles: u64,
    /// Axon events integrated.
    pub events: u64,
    /// Synaptic operations (events x neurons per core: every crossbar cell of a row is visited).
    pub synaptic_ops: u64,
}

impl RtlChip {
    /// Builds the RTL of `mapping`'s hardware shape and loads its images.
    pub fn new(mapping: &Mapping, vcd: Option<&Path>) -> Result<Self, CosimError> {
        let hw = &mapping.hardware;
        if hw.cores() != 1 {
            return Err(CosimError::Unsupported(format!(
                "the RTL engine runs one-core networks until the router mesh lands; this network's hardware is a {}x{} mesh",
                hw.mesh_x, hw.mesh_y
            )));
        }
        let mut core = RtlCore::new(&CoreShape::for_core(hw, 0), vcd)?;
        core.load(&mapping.cores[0]);
        Ok(Self { core, mapping: mapping.clone(), stress: Stress::NONE, stats: RtlStats::default() })
    }

    /// Runs one timestep with the host's `inputs` (population, neuron) under the stress
    /// pattern set by [`RtlChip::stress`]; returns the slots that fired, sorted.
    pub fn step_cycles(&mut self, inputs: &[(u32, u32)]) -> (Vec<u32>, StepCycles) {
        let stress = self.stress;
        let m = &self.mapping;
        let mut axons = Vec::new();
        for &(p, k) in inputs {
            let Placement::Input { first } = m.placement[p as usize] else {
                unreachable!("stimulus spikes are validated to name input populations")
            };
            axons.extend(m.input_fanout[first + k as usize].iter().map(|d| d.axon));
        }
        let route = |j: u32| m.neuron_destinations(0, j as usize).iter().map(|d| d.axon).collect();
        let (mut fired, cycles) = self.core.timestep(&axons, route, stress);
        fired.sort_unstable();
        self.stats.cycles += cycles.cycles;
        self.stats.events += cycles.events;
        self.stats.synaptic_ops += cycles.events * m.hardware.neurons_per_core as u64;
        (fired, cycles)
    }

    /// The core itself, for tests that use its configuration port between timesteps.
    pub fn core_mut(&mut self) -> &mut RtlCore {
        &mut self.core
    }

    /// Sets how the testbench stresses the handshakes from now on.
    pub fn stress(&mut self, stress: Stress) {
        self.stress = stress;
        self.core.seed(stress.seed);
    }
}

impl Engine for RtlChip {
    fn step(&mut self, inputs: &[(u32, u32)]) -> Vec<u32> {
        self.step_cycles(inputs).0
    }
    fn potentials(&mut self) -> Vec<i64> {
        self.core.potentials()
    }
}

/// Runs golden and RTL in lock-step over `stim`; compares the spikes of every timestep and,
/// every `potential_every` timesteps and at the end, every potential.
pub fn lockstep(
    mapping: &Mapping,
    stim: &Stimulus,
    stress: Stress,
    potential_every: Option<usize>,
    vcd: Option<&Path>,
) -> Result<Result<RtlStats, Divergence>, CosimError> {
    let mut rtl = RtlChip::new(mapping, vcd)?;
    rtl.stress(stress);
    let r = compare(mapping, stim, &mut rtl, potential_every);
    Ok(r.map(|()| rtl.stats))
}

/// Lock-step comparison of the golden model with any RTL engine (one core or the mesh).
/// Spikes are compared on the slots the engine observes; potentials on every slot.
pub fn compare(
    mapping: &Mapping,
    stim: &Stimulus,
    rtl: &mut dyn Engine,
    potential_every: Option<usize>,
) -> Result<(), Divergence> {
    let mut gold = Golden::new(mapping);
    let n = mapping.hardware.neurons_per_core;
    let xy = |g: usize| mapping.hardware.core_xy(g / n);
    let steps = stim.steps.len();
    for (t, inputs) in stim.steps.iter().enumerate() {
        let want: Vec<u32> = Engine::step(&mut gold, inputs).into_iter().filter(|&g| rtl.observes(g)).collect();
        let got = rtl.step(inputs);
        if want != got {
            let g = first_difference(&want, &got);
            return Err(Divergence {
                timestep: t as u32,
                core: xy(g as usize),
                neuron: g as usize % n,
                what: Mismatch::Spike {
                    expected: want.binary_search(&g).is_ok(),
                    actual: got.binary_search(&g).is_ok(),
                },
            });
        }
        let check = potential_every.is_some_and(|k| k > 0 && (t + 1) % k == 0) || t + 1 == steps;
        if check {
            let got = rtl.potentials();
            let want = gold.potentials();
            if let Some(g) = (0..want.len()).find(|&g| want[g] != got[g]) {
                return Err(Divergence {
                    timestep: t as u32,
                    core: xy(g),
                    neuron: g % n,
                    what: Mismatch::Potential { expected: want[g], actual: got[g] },
                });
            }
            // The other state registers, where the engine can read them.
            let others: [StateCheck; 2] = [
                (rtl.middle_registers(), gold.middle_registers(), |expected, actual| Mismatch::Middle {
                    expected,
                    actual,
                }),
                (rtl.refractory_counters(), gold.refractory_counters(), |expected, actual| Mismatch::Refractory {
                    expected,
                    actual,
                }),
            ];
            for (got, want, what) in others {
                let Some(got) = got else { continue };
                if let Some(g) = (0..want.len()).find(|&g| want[g] != got[g]) {
                    return Err(Divergence {
                        timestep: t as u32,
                        core: xy(g),
                        neuron: g % n,
                        what: what(want[g], got[g]),
                    });
                }
            }
        }
    }
    Ok(())
}

/// A state register as the RTL read it (if it can), as the golden model has it, and how a
/// difference is reported.
type StateCheck = (Option<Vec<i64>>, Vec<i64>, fn(i64, i64) -> Mismatch);

/// The smallest slot in exactly one of two sorted lists.
fn first_difference(a: &[u32], b: &[u32]) -> u32 {
    let mut s: Vec<u32> = a
        .iter()
        .filter(|x| b.binary_search(x).is_err())
        .chain(b.iter().filter(|x| a.binary_search(x).is_err()))
        .copied()
        .collect();
    s.sort_unstable();
    s[0]
}
