//! The input spikes of a `simulate` call: the network file's generated drives plus the numpy
//! rasters, timestep by timestep. The golden model steps while a second thread draws the next
//! timesteps: on bench-1024 drawing the drive costs about a third of a timestep's stepping.

use numpy::PyReadonlyArray2;
use spikemesh_spec::{DriveGen, Network};
use std::rc::Rc;
use std::sync::mpsc::sync_channel;

/// Timesteps handed from the drawing thread to the stepping one at a time.
const CHUNK: usize = 1024;

/// Every timestep's input spikes, built on demand.
pub(crate) struct Steps<'a> {
    net: &'a Network,
    drive: DriveGen,
    /// The rasters' spikes per timestep (empty when no raster was given).
    given: Vec<Vec<(u32, u32)>>,
    steps: usize,
    t: usize,
}

impl<'a> Steps<'a> {
    /// Checks the rasters (their population, shape and 0/1 values) and reads their spikes.
    pub(crate) fn new(
        net: &'a Network,
        steps: usize,
        inputs: &[(String, PyReadonlyArray2<'_, u8>)],
    ) -> Result<Self, String> {
        let mut given = if inputs.is_empty() { Vec::new() } else { vec![Vec::new(); steps] };
        for (name, raster) in inputs {
            let p = net.population_index(name).ok_or_else(|| format!("inputs: no population named '{name}'"))?;
            let pop = &net.populations[p];
            if !pop.is_input() {
                return Err(format!("inputs: '{name}' is not an input population (the host drives only inputs)"));
            }
            let a = raster.as_array();
            if a.shape() != [steps, pop.size] {
                return Err(format!(
                    "inputs['{name}']: shape {:?}, expected [{steps}, {}] (timesteps, neurons)",
                    a.shape(),
                    pop.size
                ));
            }
            for (t, row) in a.outer_iter().enumerate() {
                for (k, &x) in row.iter().enumerate() {
                    match x {
                        0 => {}
                        1 => given[t].push((p as u32, k as u32)),
                        _ => return Err(format!("inputs['{name}'][{t}, {k}] = {x}: spikes are 0 or 1")),
                    }
                }
            }
        }
        Ok(Self { net, drive: DriveGen::new(net), given, steps, t: 0 })
    }

    /// Hands the timesteps to `consume` from a second thread that draws them, `CHUNK` at a
    /// time into one buffer (an allocation per timestep, freed on the other thread, cost 5 %
    /// of the run); a bad timestep ends the stream, and its error is returned instead of the
    /// result. `consume` takes every timestep, or is interrupted and returns None.
    pub(crate) fn streamed<R>(
        self,
        consume: impl FnOnce(&mut dyn Iterator<Item = ChunkStep>) -> Option<R>,
    ) -> Result<Option<R>, String> {
        let total = self.steps;
        std::thread::scope(|s| {
            let (tx, rx) = sync_channel::<Result<Chunk, String>>(4);
            s.spawn(move || {
                let mut steps = self;
                loop {
                    let mut chunk = Chunk { spikes: Vec::new(), ends: Vec::with_capacity(CHUNK) };
                    let mut failed = None;
                    while chunk.ends.len() < CHUNK {
                        match steps.fill(&mut chunk.spikes) {
                            None => break,
                            Some(Ok(())) => chunk.ends.push(chunk.spikes.len()),
                            Some(Err(e)) => {
                                failed = Some(e);
                                break;
                            }
                        }
                    }
                    let done = failed.is_some() || chunk.ends.len() < CHUNK;
                    // A closed channel: the run stopped early (an interrupt); so does this.
                    if tx.send(failed.map_or(Ok(chunk), Err)).is_err() || done {
                        return;
                    }
                }
            });
            let mut failure = None;
            let mut steps = rx.iter().map_while(|c| c.map_err(|e| failure = Some(e)).ok()).flat_map(|c| {
                let c = Rc::new(c);
                (0..c.ends.len()).map(move |i| ChunkStep { chunk: Rc::clone(&c), i })
            });
            let mut given = 0;
            let result = consume(&mut steps.by_ref().inspect(|_| given += 1));
            drop(steps);
            match failure {
                Some(e) => Err(e),
                // A stream that ends early would be a run cut short in silence.
                None if result.is_some() && given != total => Err(format!(
                    "the input ended after {given} of {total} timesteps (a bug in spikemesh: please report it)"
                )),
                None => Ok(result),
            }
        })
    }

    /// Appends the next timestep's spikes (sorted) to `out`; None after the last timestep.
    fn fill(&mut self, out: &mut Vec<(u32, u32)>) -> Option<Result<(), String>> {
        if self.t == self.steps {
            return None;
        }
        let t = self.t;
        self.t += 1;
        let start = out.len();
        if let Some(given) = self.given.get(t) {
            out.extend_from_slice(given);
        }
        self.drive.next_step(out);
        let step = &mut out[start..];
        step.sort_unstable();
        if let Some(w) = step.windows(2).find(|w| w[0] == w[1]) {
            return Some(Err(format!(
                "inputs['{}'][{t}, {}]: this neuron is also spiked by the file's drive in that timestep",
                self.net.populations[w[0].0 as usize].name, w[0].1
            )));
        }
        Some(Ok(()))
    }
}

/// Timesteps drawn in one go: their spikes one after another, and where each timestep ends.
pub(crate) struct Chunk {
    spikes: Vec<(u32, u32)>,
    ends: Vec<usize>,
}

/// Timestep `i` of a chunk, as the run reads it.
pub(crate) struct ChunkStep {
    chunk: Rc<Chunk>,
    i: usize,
}

impl AsRef<[(u32, u32)]> for ChunkStep {
    fn as_ref(&self) -> &[(u32, u32)] {
        let start = if self.i == 0 { 0 } else { self.chunk.ends[self.i - 1] };
        &self.chunk.spikes[start..self.chunk.ends[self.i]]
    }
}

impl Iterator for Steps<'_> {
    type Item = Result<Vec<(u32, u32)>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut step = Vec::new();
        self.fill(&mut step).map(|r| r.map(|()| step))
    }
}
