//! The virtual board behind a pseudo-terminal: the host opens the PTY's path as it would a
//! USB-serial adapter (`/dev/ttyUSB1`), and its bytes go bit by bit onto the chip's UART pins.

use crate::board::VirtualBoard;
use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};

/// A pseudo-terminal pair: we keep the master; hosts open the slave by its path.
pub struct Pty {
    master: OwnedFd,
    // Held open so the master never sees a hang-up while no host is connected.
    _slave: OwnedFd,
    /// Path of the slave side, e.g. `/dev/pts/3`.
    pub path: String,
}

fn os<T: PartialOrd + Default>(r: T) -> io::Result<T> {
    if r < T::default() {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

impl Pty {
    /// Opens a raw (no echo, no line editing) pseudo-terminal.
    pub fn open() -> io::Result<Self> {
        let (mut m, mut s) = (0, 0);
        // SAFETY: openpty writes two fds; the name/termios/winsize pointers may be null.
        os(unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) })?;
        // SAFETY: both fds were just returned by openpty and are owned by nobody else.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: valid fd and termios buffer.
        unsafe {
            os(libc::tcgetattr(slave.as_raw_fd(), &mut t))?;
            libc::cfmakeraw(&mut t);
            os(libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, &t))?;
            let fl = os(libc::fcntl(master.as_raw_fd(), libc::F_GETFL))?;
            os(libc::fcntl(master.as_raw_fd(), libc::F_SETFL, fl | libc::O_NONBLOCK))?;
        }
        let mut name = [0 as libc::c_char; 128];
        // SAFETY: valid fd and buffer of the given length.
        let r = unsafe { libc::ttyname_r(slave.as_raw_fd(), name.as_mut_ptr(), name.len()) };
        if r != 0 {
            return Err(io::Error::from_raw_os_error(r));
        }
        // SAFETY: ttyname_r wrote a NUL-terminated string.
        let path = unsafe { CStr::from_ptr(name.as_ptr()) }.to_string_lossy().into_owned();
        Ok(Self { master, _slave: slave, path })
    }

    /// Waits up to `ms` for bytes from the host (or for room to write, with `out`).
    fn poll(&self, ms: i32, out: bool) -> io::Result<(bool, bool)> {
        let mut p = libc::pollfd {
            fd: self.master.as_raw_fd(),
            events: libc::POLLIN | if out { libc::POLLOUT } else { 0 },
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted { Ok((false, false)) } else { Err(e) };
        }
        Ok((p.revents & libc::POLLIN != 0, p.revents & libc::POLLOUT != 0))
    }

    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: valid fd and buffer.
        let n = unsafe { libc::read(self.master.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::WouldBlock { Ok(0) } else { Err(e) };
        }
        Ok(n as usize)
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: valid fd and buffer.
        let n = unsafe { libc::write(self.master.as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::WouldBlock { Ok(0) } else { Err(e) };
        }
        Ok(n as usize)
    }
}

/// What a serving session did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ServeStats {
    /// Bytes from the host.
    pub bytes_in: u64,
    /// Bytes to the host.
    pub bytes_out: u64,
    /// Chip clock cycles simulated.
    pub cycles: u64,
}

/// Serves `board` on `pty` until `stop` is set: host bytes go onto the UART rx pin as they
/// arrive, the chip runs while it has work, and its UART tx bytes go back to the host. When
/// the host does not read, the board's output waits (the chip stalls with it).
pub fn serve(board: &mut VirtualBoard, pty: &Pty, stop: &AtomicBool) -> io::Result<ServeStats> {
    let mut stats = ServeStats::default();
    let mut out: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let busy = !board.is_idle();
        let (readable, writable) = pty.poll(if busy || !out.is_empty() { 0 } else { 20 }, !out.is_empty())?;
        if readable {
            let n = pty.read(&mut buf)?;
            board.send(&buf[..n]);
            stats.bytes_in += n as u64;
        }
        if writable && !out.is_empty() {
            let n = pty.write(&out)?;
            out.drain(..n);
            stats.bytes_out += n as u64;
        }
        if !board.is_idle() && out.len() < 1 << 16 {
            let c0 = board.cycles;
            board.run(20_000, &mut out).map_err(|e| io::Error::other(format!("virtual board: {e}")))?;
            stats.cycles += board.cycles - c0;
        } else if !out.is_empty() && !writable {
            pty.poll(20, true)?;
        }
    }
    Ok(stats)
}
