//! [`ThreadRegistry`]: the connection threads of a server and a second handle on each of
//! their sockets, so that shutting down can wake every blocked read and join every thread.

use std::collections::HashMap;
use std::net::Shutdown;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use socket2::Socket;

#[derive(Debug, Default)]
struct Threads {
    /// A duplicate of each live connection's socket: shutting it down wakes the thread.
    sockets: HashMap<u64, Socket>,
    /// Join handles not joined yet.
    handles: HashMap<u64, JoinHandle<()>>,
    /// Threads that reported their end and wait to be joined.
    finished: Vec<u64>,
    /// Set once shutting down began: no new connection is registered after it.
    closing: bool,
}

#[derive(Debug, Default)]
pub(crate) struct ThreadRegistry {
    threads: Mutex<Threads>,
}

fn join_all(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        // A connection thread that panicked has nothing left to clean up.
        let _ = handle.join();
    }
}

impl ThreadRegistry {
    fn lock(&self) -> MutexGuard<'_, Threads> {
        self.threads.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers connection `id` with a duplicate of its socket, before its thread starts;
    /// `false` when the server is shutting down (the caller then drops the connection).
    pub(crate) fn register(&self, id: u64, socket: Socket) -> bool {
        let mut threads = self.lock();
        if threads.closing {
            return false;
        }
        threads.sockets.insert(id, socket);
        true
    }

    /// Hands over the join handle of connection `id`'s thread.
    pub(crate) fn attach(&self, id: u64, handle: JoinHandle<()>) {
        let mut threads = self.lock();
        if let Some(at) = threads.finished.iter().position(|&f| f == id) {
            threads.finished.swap_remove(at);
            drop(threads);
            join_all(vec![handle]);
        } else {
            threads.handles.insert(id, handle);
        }
    }

    /// Called by connection `id`'s thread as the last thing it does; closes the duplicate
    /// socket.
    pub(crate) fn finished(&self, id: u64) {
        let mut threads = self.lock();
        let socket = threads.sockets.remove(&id);
        threads.finished.push(id);
        drop(threads);
        drop(socket);
    }

    /// Forgets connection `id` whose thread could not be started.
    pub(crate) fn forget(&self, id: u64) {
        let socket = self.lock().sockets.remove(&id);
        drop(socket);
    }

    /// Joins the threads that have finished.
    pub(crate) fn reap(&self) {
        let mut threads = self.lock();
        let Threads {
            handles, finished, ..
        } = &mut *threads;
        let mut done = Vec::new();
        finished.retain(|id| match handles.remove(id) {
            Some(handle) => {
                done.push(handle);
                false
            }
            None => true,
        });
        drop(threads);
        join_all(done);
    }

    /// Shuts down every registered socket (waking blocked reads and writes) and refuses
    /// registrations from now on.
    pub(crate) fn close_all(&self) {
        let mut threads = self.lock();
        threads.closing = true;
        for socket in threads.sockets.values() {
            // A socket the peer already reset refuses; its thread is ending anyway.
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    /// Joins every connection thread (after [`close_all`](Self::close_all)).
    pub(crate) fn join_all(&self) {
        let handles: Vec<JoinHandle<()>> = {
            let mut threads = self.lock();
            threads.finished.clear();
            threads.handles.drain().map(|(_, handle)| handle).collect()
        };
        join_all(handles);
    }
}
