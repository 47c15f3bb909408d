//! [`ConnectionSockets`]: a shutdown handle on the socket of every live connection, so that
//! stopping the server can wake each worker blocked reading from its client, and so that one
//! connection can be dropped on request ([`Server::disconnect`](super::Server::disconnect));
//! with what is known about each open connection ([`ConnectionInfo`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use iso_tcp::ShutdownHandle;

/// An open connection (past its COTP handshake), as
/// [`Server::connections`](super::Server::connections) lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// Its number (from 1, in accept order), as the request log and fault rules use it.
    pub number: u64,
    /// The client's address.
    pub peer: SocketAddr,
    /// When its handshake completed.
    pub since: SystemTime,
    /// Requests received on it so far.
    pub requests: u64,
}

#[derive(Debug)]
struct Entry {
    socket: ShutdownHandle,
    /// Set once the handshake completed: the client, the time, a request counter.
    open: Option<(SocketAddr, SystemTime, Arc<AtomicU64>)>,
}

#[derive(Debug, Default)]
struct Sockets {
    /// A handle on each live connection's socket, by connection number.
    sockets: BTreeMap<u64, Entry>,
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

    /// Registers connection `number` with a handle on its socket; `false` when the server is
    /// stopping (the caller then drops the connection).
    pub(crate) fn register(&self, number: u64, socket: ShutdownHandle) -> bool {
        let mut sockets = self.lock();
        if sockets.closing {
            return false;
        }
        sockets.sockets.insert(number, Entry { socket, open: None });
        true
    }

    /// Marks connection `number` as open (handshake done) and returns the counter its worker
    /// bumps for each request.
    pub(crate) fn opened(&self, number: u64, peer: SocketAddr) -> Arc<AtomicU64> {
        let counter = Arc::new(AtomicU64::new(0));
        if let Some(entry) = self.lock().sockets.get_mut(&number) {
            entry.open = Some((peer, SystemTime::now(), Arc::clone(&counter)));
        }
        counter
    }

    /// The open connections, by number.
    pub(crate) fn list(&self) -> Vec<ConnectionInfo> {
        self.lock()
            .sockets
            .iter()
            .filter_map(|(number, entry)| {
                entry
                    .open
                    .as_ref()
                    .map(|(peer, since, requests)| ConnectionInfo {
                        number: *number,
                        peer: *peer,
                        since: *since,
                        requests: requests.load(Ordering::Relaxed),
                    })
            })
            .collect()
    }

    /// Shuts down the socket of open connection `number` both ways, without a COTP DR: its
    /// worker's read returns and the connection ends. From then on it is no
    /// longer listed as open, even before its worker has noticed. `false` if no such
    /// connection is open (or it was shut down already).
    pub(crate) fn shut_down(&self, number: u64) -> bool {
        match self.lock().sockets.get_mut(&number) {
            Some(entry) if entry.open.is_some() => {
                // A socket the peer already reset refuses; its worker is ending anyway.
                let _ = entry.socket.shutdown();
                entry.open = None;
                true
            }
            _ => false,
        }
    }

    /// Whether connection `number` is listed as open: `false` once
    /// [`shut_down`](Self::shut_down) dropped it.
    pub(crate) fn is_open(&self, number: u64) -> bool {
        self.lock()
            .sockets
            .get(&number)
            .is_some_and(|entry| entry.open.is_some())
    }

    /// Forgets connection `number` and drops its handle.
    pub(crate) fn release(&self, number: u64) {
        let socket = self.lock().sockets.remove(&number);
        drop(socket);
    }

    /// Shuts down every registered socket (waking blocked reads and writes) and refuses
    /// registrations from now on.
    pub(crate) fn close_all(&self) {
        let mut sockets = self.lock();
        sockets.closing = true;
        for entry in sockets.sockets.values() {
            // A socket the peer already reset refuses; its worker is ending anyway.
            let _ = entry.socket.shutdown();
        }
    }
}
