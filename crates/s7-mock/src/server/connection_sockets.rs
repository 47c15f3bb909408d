//! [`ConnectionSockets`]: a second handle on the socket of every live connection, so that
//! stopping the server can wake each worker blocked reading from its client.

use std::collections::HashMap;
use std::net::Shutdown;
use std::sync::{Mutex, MutexGuard, PoisonError};

use socket2::Socket;

#[derive(Debug, Default)]
struct Sockets {
    /// A duplicate of each live connection's socket, by connection number.
    sockets: HashMap<u64, Socket>,
    /// Set once the server stops: no connection is registered after it.
    closing: bool,
}

#[derive(Debug, Default)]
pub(crate) struct ConnectionSockets {
    sockets: Mutex<Sockets>,
}

impl ConnectionSockets {
    fn lock(&self) -> MutexGuard<'_, Sockets> {
        self.sockets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers connection `number` with a duplicate of its socket; `false` when the server
    /// is stopping (the caller then drops the connection).
    pub(crate) fn register(&self, number: u64, socket: Socket) -> bool {
        let mut sockets = self.lock();
        if sockets.closing {
            return false;
        }
        sockets.sockets.insert(number, socket);
        true
    }

    /// Forgets connection `number` and closes its duplicate socket.
    pub(crate) fn release(&self, number: u64) {
        let socket = self.lock().sockets.remove(&number);
        drop(socket);
    }

    /// Shuts down every registered socket (waking blocked reads and writes) and refuses
    /// registrations from now on.
    pub(crate) fn close_all(&self) {
        let mut sockets = self.lock();
        sockets.closing = true;
        for socket in sockets.sockets.values() {
            // A socket the peer already reset refuses; its worker is ending anyway.
            let _ = socket.shutdown(Shutdown::Both);
        }
    }
}
