//! The accept thread: TCP accept, then the wait for each client's connection request, then
//! the COTP handshake; only an established connection goes to a worker (see
//! [`WorkerPool`](super::worker_pool::WorkerPool)).
//!
//! ```text
//!  listener --accept--> waiting (one poller: mio on epoll/kqueue; no thread, no read buffer
//!                       |        until the first byte; oldest first in `order`)
//!                       +-- whole CR in ---> handshake here (the CR is in, the CC fits
//!                       |                    the fresh socket's buffer: nothing blocks)
//!                       |                    --> CC: worker serves it / DR: closed
//!                       +-- hang-up, garbage --> closed, reported
//!                       +-- handshake timeout --> closed, reported
//!                       +-- cap reached by a newer one --> the oldest is closed, reported
//! ```
//!
//! A client that connects and says nothing, or sends half a request, costs a socket and an
//! entry here, never a thread. At most
//! [`max_pending_handshakes`](super::ServerBuilder::max_pending_handshakes) connections wait
//! at once: a new one beyond that makes room by closing the one that has waited longest, so a
//! flood of silent connections can neither exhaust threads nor lock a legitimate client out.
//!
//! Without a poller for raw sockets (platforms other than Unix) each pending connection waits
//! for its request on a worker instead, with the same cap: beyond it a new connection is
//! closed at once.

#[cfg(not(unix))]
use std::sync::Arc;
use std::time::Duration;

#[cfg(not(unix))]
use iso_tcp::Listener;
use iso_tcp::PendingConnection;

use super::connection;
use super::context::ServerContext;
use super::hooks::RefuseReason;

/// Pause after a failed accept (e.g. out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// Reports a connection closed because too many handshakes were pending.
fn refuse_pending(context: &ServerContext, number: u64, pending: PendingConnection) {
    let peer = pending.peer_addr();
    // Dropping it closes the socket; no worker is involved.
    drop(pending);
    context.count_refused_pending();
    tracing::debug!(%peer, connection = number, "too many pending handshakes, connection closed");
    connection::refused(context, number, peer, || {
        RefuseReason::TooManyPendingHandshakes
    });
}

#[cfg(unix)]
pub(crate) use poller::Acceptor;

#[cfg(unix)]
mod poller {
    use std::collections::{HashMap, VecDeque};
    use std::io;
    use std::os::fd::AsRawFd;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use iso_tcp::{Listener, PendingConnection};
    use mio::unix::SourceFd;
    use mio::{Events, Interest, Poll, Token};

    use super::{refuse_pending, ACCEPT_BACKOFF};
    use crate::server::connection;
    use crate::server::connection_gauge::Slot;
    use crate::server::context::ServerContext;
    use crate::server::hooks::RefuseReason;

    /// The listener's token; a waiting connection's token is its number.
    const LISTENER: Token = Token(usize::MAX);

    /// Connections accepted in a row before the waiting ones get a turn: a flood in the
    /// backlog must not delay a client whose request is already in.
    const ACCEPT_BATCH: usize = 64;

    /// Longest poll: the stop flag is looked at least this often even if no wake-up arrives.
    const MAX_POLL: Duration = Duration::from_millis(500);

    /// Runs the handshake of a connection whose request is in, then hands the connection to
    /// a worker.
    fn establish(
        context: &Arc<ServerContext>,
        pending: PendingConnection,
        number: u64,
        ticket: Slot,
    ) {
        let peer = pending.peer_addr();
        let established = connection::handshake(context, pending, number);
        drop(ticket);
        if let Some((connection, slot)) = established {
            context.workers.dispatch(
                context,
                Box::new(move |context| connection::serve(context, connection, number, slot)),
                number,
                peer,
            );
        }
    }

    /// A connection waiting for its connection request.
    struct Waiting {
        pending: PendingConnection,
        /// Its place among the pending handshakes.
        ticket: Slot,
    }

    /// The accept thread's state: the listener and every connection waiting for its request.
    pub(crate) struct Acceptor {
        poll: Poll,
        listener: Listener,
        handshake_timeout: Duration,
        waiting: HashMap<u64, Waiting>,
        /// Connection numbers in accept order, with their handshake deadline: the oldest
        /// first, which is also the first to time out. Entries of connections no longer
        /// waiting are skipped when they reach the front.
        order: VecDeque<(u64, Instant)>,
    }

    impl Acceptor {
        /// Puts the listener in non-blocking mode and registers it with a new poller; a
        /// connection gets `handshake_timeout` (the listener's) to send its request.
        ///
        /// # Errors
        /// The system's error when the poller cannot be created or the listener registered.
        pub(crate) fn new(listener: Listener, handshake_timeout: Duration) -> io::Result<Self> {
            let poll = Poll::new()?;
            listener
                .set_nonblocking(true)
                .map_err(|error| io::Error::other(error.to_string()))?;
            poll.registry().register(
                &mut SourceFd(&listener.as_raw_fd()),
                LISTENER,
                Interest::READABLE,
            )?;
            Ok(Self {
                poll,
                listener,
                handshake_timeout,
                waiting: HashMap::new(),
                order: VecDeque::new(),
            })
        }

        /// Accepts and shepherds connections until the server stops.
        pub(crate) fn run(mut self, context: &Arc<ServerContext>) {
            let mut events = Events::with_capacity(256);
            // Whether the listener may have more connections queued: it is edge-triggered.
            let mut backlog = false;
            while !context.stop.is_stopped() {
                let timeout = if backlog {
                    Duration::ZERO
                } else {
                    self.order.front().map_or(MAX_POLL, |&(_, deadline)| {
                        deadline
                            .saturating_duration_since(Instant::now())
                            .min(MAX_POLL)
                    })
                };
                if let Err(error) = self.poll.poll(&mut events, Some(timeout)) {
                    if error.kind() != io::ErrorKind::Interrupted {
                        tracing::warn!(%error, "poll failed");
                        if context.stop.sleep(ACCEPT_BACKOFF) {
                            break;
                        }
                    }
                    continue;
                }
                if context.stop.is_stopped() {
                    break;
                }
                for event in &events {
                    match event.token() {
                        LISTENER => backlog = true,
                        Token(token) => {
                            if let Ok(number) = u64::try_from(token) {
                                self.progress(context, number);
                            }
                        }
                    }
                }
                if backlog {
                    backlog = self.accept_batch(context);
                }
                self.expire(context);
            }
            for (number, waiting) in self.waiting.drain() {
                let peer = waiting.pending.peer_addr();
                drop(waiting);
                connection::refused(context, number, peer, || RefuseReason::ServerStopping);
            }
            tracing::debug!("accept loop ended");
        }

        /// Accepts up to [`ACCEPT_BATCH`] connections; whether more may be queued.
        fn accept_batch(&mut self, context: &Arc<ServerContext>) -> bool {
            for _ in 0..ACCEPT_BATCH {
                match self.listener.accept_tcp() {
                    Ok(pending) => self.admit(context, pending),
                    Err(iso_tcp::Error::Io { source, .. })
                        if source.kind() == io::ErrorKind::WouldBlock =>
                    {
                        return false;
                    }
                    Err(error) => {
                        // Out of file descriptors, for instance: the connection stays queued,
                        // and this is tried again after a pause.
                        tracing::warn!(%error, "accept failed");
                        let _ = context.stop.sleep(ACCEPT_BACKOFF);
                        return true;
                    }
                }
            }
            true
        }

        /// Establishes a new connection whose request is in already, or starts watching it,
        /// closing the oldest waiting one first if the cap is reached.
        fn admit(&mut self, context: &Arc<ServerContext>, mut pending: PendingConnection) {
            context.workers.reap();
            let number = context.next_connection_number();
            // A client sends its CR as soon as its connect returns, which is often before this
            // thread got to accept it: then there is nothing to watch for.
            match pending.poll_request() {
                Ok(false) => {}
                Ok(true) => {
                    if let Some(ticket) = context.pending.try_acquire(usize::MAX) {
                        establish(context, pending, number, ticket);
                    }
                    return;
                }
                Err(error) => {
                    let peer = pending.peer_addr();
                    drop(pending);
                    connection::handshake_failed(context, number, peer, &error);
                    return;
                }
            }
            let cap = context.settings.max_pending_handshakes;
            while self.waiting.len() >= cap && self.evict_oldest(context) {}
            let Some(ticket) = context.pending.try_acquire(cap) else {
                refuse_pending(context, number, pending);
                return;
            };
            let Ok(token) = usize::try_from(number) else {
                refuse_pending(context, number, pending);
                return;
            };
            let registered = self.poll.registry().register(
                &mut SourceFd(&pending.socket().as_raw_fd()),
                Token(token),
                Interest::READABLE,
            );
            if let Err(error) = registered {
                let peer = pending.peer_addr();
                tracing::warn!(%peer, connection = number, %error, "cannot watch the connection, closed");
                drop(pending);
                connection::refused(context, number, peer, || {
                    RefuseReason::Handshake(format!("cannot watch the connection: {error}"))
                });
                return;
            }
            let deadline = Instant::now() + self.handshake_timeout;
            self.waiting.insert(number, Waiting { pending, ticket });
            self.order.push_back((number, deadline));
        }

        /// Closes the connection that has waited longest; `false` if none is waiting.
        fn evict_oldest(&mut self, context: &ServerContext) -> bool {
            while let Some((number, _)) = self.order.pop_front() {
                if let Some(waiting) = self.forget(number) {
                    refuse_pending(context, number, waiting.pending);
                    return true;
                }
            }
            false
        }

        /// Reads what connection `number` sent; establishes it once its request is in.
        fn progress(&mut self, context: &Arc<ServerContext>, number: u64) {
            let Some(waiting) = self.waiting.get_mut(&number) else {
                return;
            };
            match waiting.pending.poll_request() {
                Ok(false) => {}
                Ok(true) => {
                    if let Some(Waiting { pending, ticket }) = self.forget(number) {
                        establish(context, pending, number, ticket);
                    }
                }
                Err(error) => {
                    if let Some(waiting) = self.forget(number) {
                        let peer = waiting.pending.peer_addr();
                        drop(waiting);
                        connection::handshake_failed(context, number, peer, &error);
                    }
                }
            }
        }

        /// Closes the connections whose handshake timeout has passed.
        fn expire(&mut self, context: &ServerContext) {
            let now = Instant::now();
            while let Some(&(number, deadline)) = self.order.front() {
                if deadline > now {
                    break;
                }
                self.order.pop_front();
                if let Some(waiting) = self.forget(number) {
                    let peer = waiting.pending.peer_addr();
                    drop(waiting);
                    let error = iso_tcp::Error::HandshakeTimeout {
                        timeout: self.handshake_timeout,
                    };
                    connection::handshake_failed(context, number, peer, &error);
                }
            }
            // Entries of connections established early pile up behind a long-waiting one;
            // drop them once they outnumber the waiting connections.
            if self.order.len() > self.waiting.len().saturating_mul(2).saturating_add(64) {
                let waiting = &self.waiting;
                self.order
                    .retain(|(number, _)| waiting.contains_key(number));
            }
        }

        /// Stops watching connection `number` and takes it out of the waiting set.
        fn forget(&mut self, number: u64) -> Option<Waiting> {
            let waiting = self.waiting.remove(&number)?;
            // Deregistering a socket about to be closed can only fail if it is gone already.
            let _ = self
                .poll
                .registry()
                .deregister(&mut SourceFd(&waiting.pending.socket().as_raw_fd()));
            Some(waiting)
        }
    }
}

/// Accepts until the server stops, each pending connection waiting for its request on a
/// worker (platforms without [`Acceptor`]).
#[cfg(not(unix))]
pub(crate) fn run_blocking(listener: Listener, context: Arc<ServerContext>) {
    loop {
        let accepted = listener.accept_tcp();
        if context.stop.is_stopped() {
            break;
        }
        match accepted {
            Ok(pending) => {
                context.workers.reap();
                let number = context.next_connection_number();
                let Some(ticket) = context
                    .pending
                    .try_acquire(context.settings.max_pending_handshakes)
                else {
                    refuse_pending(&context, number, pending);
                    continue;
                };
                let peer = pending.peer_addr();
                context.workers.dispatch(
                    &context,
                    Box::new(move |context| {
                        // Registered while the handshake waits, so that stopping the server
                        // wakes it.
                        let duplicate = match pending.socket().try_clone() {
                            Ok(socket) => iso_tcp::ShutdownHandle::from(socket),
                            Err(error) => {
                                tracing::warn!(%peer, connection = number, %error, "cannot duplicate the socket, dropping the connection");
                                connection::refused(context, number, peer, || {
                                    RefuseReason::Handshake(error.to_string())
                                });
                                return;
                            }
                        };
                        let Some(registered) =
                            connection::Registered::new(context, number, peer, duplicate)
                        else {
                            return;
                        };
                        let established = connection::handshake(context, pending, number);
                        drop(registered);
                        drop(ticket);
                        if let Some((connection, slot)) = established {
                            connection::serve(context, connection, number, slot);
                        }
                    }),
                    number,
                    peer,
                );
            }
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                if context.stop.sleep(ACCEPT_BACKOFF) {
                    break;
                }
            }
        }
    }
    tracing::debug!("accept loop ended");
}
