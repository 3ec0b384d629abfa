//! Long runs from Python: the GIL released, progress reported without flooding a notebook, and
//! Ctrl-C that stops the run.
//!
//! The work runs on its own thread. The calling thread (Python's, usually the main one, the
//! only one where CPython delivers signals) waits without the GIL and wakes every 250 ms to
//! check for signals and to call the Python callback with (done, total), and once more at the
//! end with (total, total). A short call costs no waiting: the worker's end wakes the caller
//! at once. (The default callback, `spikemesh._progress.Line`, stays silent for a second.)

use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// The gap between two reports and between two checks for Ctrl-C.
const GAP: Duration = Duration::from_millis(250);

/// What the work sees: a counter of finished units and whether to stop.
#[derive(Default)]
pub struct Counter {
    done: AtomicUsize,
    stop: AtomicBool,
}

impl Counter {
    /// One more unit (sample) done, from any thread; false once the run must stop.
    pub fn tick(&self) -> bool {
        self.done.fetch_add(1, Ordering::Relaxed);
        !self.stop.load(Ordering::Relaxed)
    }

    /// Whether the run was told to stop.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// `done` units (timesteps) done; false once the run must stop.
    pub fn at(&self, done: usize) -> bool {
        self.done.store(done, Ordering::Relaxed);
        !self.stop.load(Ordering::Relaxed)
    }
}

/// Runs `work` without the GIL, reporting to `callback(done, total)` (if given) and stopping it
/// on Ctrl-C. `work` returns None when it stopped early; the Python error that stopped it is
/// then raised.
pub fn run<T: Send>(
    py: Python<'_>,
    callback: Option<&Py<PyAny>>,
    total: usize,
    work: impl FnOnce(&Counter) -> PyResult<Option<T>> + Send,
) -> PyResult<T> {
    let counter = Counter::default();
    let mut error: Option<PyErr> = None;
    let result = std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<()>();
        let counter = &counter;
        let worker = s.spawn(move || {
            let r = work(counter);
            let _ = tx.send(());
            r
        });
        // Wait for the end, a signal or the next report, whichever comes first.
        // A Receiver is not Sync: the waiting closure borrows it through a mutex.
        let rx = std::sync::Mutex::new(rx);
        let wait = || rx.lock().expect("only this thread waits").recv_timeout(GAP);
        while py.detach(wait) == Err(mpsc::RecvTimeoutError::Timeout) {
            if error.is_some() {
                continue;
            }
            let checked = py.check_signals().and_then(|()| match callback {
                Some(cb) => cb.call1(py, (counter.done.load(Ordering::Relaxed), total)).map(drop),
                None => Ok(()),
            });
            if let Err(e) = checked {
                counter.stop.store(true, Ordering::Relaxed);
                error = Some(e);
            }
        }
        worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    if let Some(e) = error {
        return Err(e);
    }
    let value = result?.ok_or_else(|| pyo3::exceptions::PyKeyboardInterrupt::new_err("the run was stopped"))?;
    if let Some(cb) = callback {
        // The last report: a progress line ends complete.
        cb.call1(py, (total, total))?;
    }
    Ok(value)
}
