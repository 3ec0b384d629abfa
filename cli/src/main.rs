//! `spikemesh`: check, simulate and benchmark spiking networks for FPGA neuromorphic hardware.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Behave like other Unix tools when the reader of stdout goes away (`spikemesh ... | head`):
    // end quietly instead of panicking on a broken pipe.
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    spikemesh_cli::main_with(std::env::args_os())
}
