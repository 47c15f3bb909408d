//! [`ShutdownHandle`]: shuts a connection's socket down from another thread, to wake a read
//! blocked on it.

use std::net::Shutdown;
use std::sync::Arc;

use socket2::Socket;

use crate::Error;

/// Shuts a connection's socket down from any thread, for example to wake a thread blocked in
/// [`Connection::recv`](crate::Connection::recv) when a server stops.
///
/// It shares the connection's socket instead of duplicating its descriptor, so getting one
/// costs no system call, and the descriptor is closed only once the connection and every
/// handle are gone (a handle never acts on a descriptor number reused by another socket).
///
/// ```no_run
/// # fn demo(mut connection: iso_tcp::Connection) -> Result<(), iso_tcp::Error> {
/// let handle = connection.shutdown_handle();
/// let reader = std::thread::spawn(move || connection.recv());
/// handle.shutdown()?;
/// assert!(reader.join().unwrap().is_err());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    socket: Arc<Socket>,
}

impl ShutdownHandle {
    pub(crate) fn new(socket: Arc<Socket>) -> Self {
        Self { socket }
    }

    /// Shuts the socket down both ways: reads blocked on it return, writes fail, and the peer
    /// sees the connection end (FIN). The connection itself learns it at its next call.
    ///
    /// # Errors
    /// [`Error::Io`] if the system refuses (for example when the peer already reset the
    /// connection).
    pub fn shutdown(&self) -> Result<(), Error> {
        self.socket
            .shutdown(Shutdown::Both)
            .map_err(|e| Error::io("shutdown", e))
    }
}

/// A handle on a socket that is not (yet) a [`Connection`](crate::Connection), such as a
/// duplicate of a [`PendingConnection`](crate::PendingConnection)'s.
impl From<Socket> for ShutdownHandle {
    fn from(socket: Socket) -> Self {
        Self::new(Arc::new(socket))
    }
}
