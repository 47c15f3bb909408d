//! Is the peer still there? A non-blocking peek that consumes nothing.
//!
//! | peek result                  | meaning                         | alive |
//! |------------------------------|---------------------------------|-------|
//! | `WouldBlock`                 | connection idle                 | yes   |
//! | `n > 0` bytes                | data waiting to be read         | yes   |
//! | `0` bytes                    | the peer sent FIN               | no    |
//! | any other error (`ECONNRESET`) | the peer reset the connection | no    |

use std::io;

use socket2::Socket;

use crate::Error;

/// Peeks one byte without blocking and without changing the socket's mode or timeouts: on Unix
/// the call carries `MSG_PEEK | MSG_DONTWAIT`, so it is safe next to a thread blocked in a read
/// on the same socket.
#[cfg(unix)]
pub(crate) fn peer_alive(socket: &Socket) -> bool {
    let mut probe = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    loop {
        match socket.recv_with_flags(&mut probe, libc::MSG_PEEK | libc::MSG_DONTWAIT) {
            Ok(0) => return false,
            Ok(_) => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(_) => return false,
        }
    }
}

/// Without `MSG_DONTWAIT` the socket is switched to non-blocking mode for the duration of the
/// peek and back afterwards.
#[cfg(not(unix))]
pub(crate) fn peer_alive(socket: &Socket) -> bool {
    if socket.set_nonblocking(true).is_err() {
        return false;
    }
    let mut probe = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    let alive = loop {
        match socket.peek(&mut probe) {
            Ok(0) => break false,
            Ok(_) => break true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break true,
            Err(_) => break false,
        }
    };
    socket.set_nonblocking(false).is_ok() && alive
}

/// A handle that answers "is the peer still there?" from any thread, while the
/// [`Connection`](crate::Connection) it came from is used elsewhere (for example blocked in
/// [`recv`](crate::Connection::recv) on its own thread).
///
/// It shares the connection's socket (a duplicated descriptor) and only ever peeks, so it never
/// takes bytes from the connection. Unlike [`Connection::is_alive`](crate::Connection::is_alive)
/// it cannot see the connection's own state (a broken or locally closed connection whose socket
/// is still open looks alive to it).
///
/// ```no_run
/// # fn demo(connection: &iso_tcp::Connection) -> Result<(), iso_tcp::Error> {
/// let probe = connection.liveness_probe()?;
/// std::thread::spawn(move || {
///     while probe.is_alive() {
///         std::thread::sleep(std::time::Duration::from_secs(1));
///     }
///     eprintln!("peer gone");
/// });
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LivenessProbe {
    socket: Socket,
}

impl LivenessProbe {
    pub(crate) fn new(socket: &Socket) -> Result<Self, Error> {
        let socket = socket
            .try_clone()
            .map_err(|e| Error::io("duplicate socket", e))?;
        Ok(LivenessProbe { socket })
    }

    /// `false` once the peer has closed (FIN) or reset (RST) the connection; `true` while it
    /// is idle or has sent data not yet read.
    pub fn is_alive(&self) -> bool {
        peer_alive(&self.socket)
    }
}
