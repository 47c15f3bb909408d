//! The blocking driver's socket calls: reads straight into the core's receive buffer, writes
//! of the core's pending bytes.
//!
//! The core keeps both buffers for the life of the connection, so a steady request/answer
//! exchange allocates nothing: the read buffer is refilled in place and the write buffer is
//! cleared and reused.

use std::io;

use bytes::BytesMut;
use socket2::Socket;

use crate::proto::Core;

/// One read system call appending to the core's receive buffer (sized by the core); returns
/// the number of bytes read, 0 at end of stream.
// Always inlined, with the core's bookkeeping around the read: a call of its own cost more
// than that bookkeeping.
#[inline(always)]
pub(crate) fn fill(socket: &Socket, core: &mut Core) -> io::Result<usize> {
    fill_with_flags(socket, core, 0)
}

/// As [`fill`], without ever blocking: `WouldBlock` when nothing has arrived. Where there is
/// no `MSG_DONTWAIT` the socket is switched to non-blocking mode for the read and back.
pub(crate) fn fill_nonblocking(socket: &Socket, core: &mut Core) -> io::Result<usize> {
    #[cfg(not(unix))]
    socket.set_nonblocking(true)?;
    let result = fill_with_flags(socket, core, DONT_WAIT);
    #[cfg(not(unix))]
    socket.set_nonblocking(false)?;
    result
}

/// One read (retried if interrupted) with `recv` flags `flags`, sized and recorded by the core.
#[inline(always)]
fn fill_with_flags(socket: &Socket, core: &mut Core, flags: i32) -> io::Result<usize> {
    let window = core.read_window();
    let result = loop {
        match recv_into_spare(socket, core.rx_buffer(), window, flags) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    core.received(*result.as_ref().unwrap_or(&0));
    result
}

/// A socket timeout shows as `WouldBlock` on Unix and `TimedOut` on Windows.
pub(crate) fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Writes all the bytes the core holds for the peer: one system call unless the socket takes
/// only part of them. On failure the core still holds the unwritten rest; the caller abandons
/// it (which tells whether part of it went out).
// Always inlined, with `write_all` and `Connection::flush`: a send is the frame's encoding
// plus this, and calls of their own cost a tenth of it.
#[inline(always)]
pub(crate) fn flush(socket: &Socket, core: &mut Core) -> io::Result<()> {
    write_all(socket, core, 0)
}

/// As [`flush`], without ever blocking; used for the best-effort DR on drop.
pub(crate) fn flush_nonblocking(socket: &Socket, core: &mut Core) -> io::Result<()> {
    write_all(socket, core, DONT_WAIT)
}

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
))]
const NO_SIGNAL: libc::c_int = libc::MSG_NOSIGNAL;
// Apple platforms get SO_NOSIGPIPE from socket2 instead; Windows has no SIGPIPE.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
)))]
const NO_SIGNAL: i32 = 0;

#[cfg(unix)]
const DONT_WAIT: libc::c_int = libc::MSG_DONTWAIT;
#[cfg(not(unix))]
const DONT_WAIT: i32 = 0;

/// Sends all of the core's pending bytes; a peer that has gone away yields `EPIPE`, never a
/// `SIGPIPE` that would kill the process.
#[inline(always)]
fn write_all(socket: &Socket, core: &mut Core, flags: i32) -> io::Result<()> {
    let total = core.transmit().len();
    while core.has_transmit() {
        match socket.send_with_flags(core.transmit(), flags | NO_SIGNAL) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "socket accepted no bytes",
                ))
            }
            Ok(n) => core.advance_transmit(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    tracing::trace!(bytes = total, "wrote");
    Ok(())
}

/// Reads at most `max` bytes from `socket` (with `recv` flags `flags`) straight into the spare
/// capacity of `buf` and extends its length by what was read.
///
/// Reading into uninitialised memory is what keeps a read cheap: zero-filling a 4 KiB (or
/// larger) buffer before every read cost more user-space instructions than all the rest of a
/// request/answer exchange. socket2's `recv` takes `MaybeUninit` bytes for exactly this.
#[allow(unsafe_code)]
fn recv_into_spare(
    socket: &Socket,
    buf: &mut BytesMut,
    max: usize,
    flags: i32,
) -> io::Result<usize> {
    let spare = buf.spare_capacity_mut();
    let len = max.min(spare.len());
    let Some(window) = spare.get_mut(..len) else {
        return Ok(0);
    };
    let read = socket.recv_with_flags(window, flags)?;
    let new_len = buf.len().saturating_add(read.min(len));
    // SAFETY: `recv` initialised the first `read` bytes of `window`, which starts at
    // `buf.len()`, and `read <= len <= spare capacity`, so every byte up to `new_len` is
    // initialised and within the allocation.
    unsafe { buf.set_len(new_len) };
    Ok(read)
}
