//! The accept thread: TCP accept only, then the connection goes to a worker (see
//! [`WorkerPool`](super::worker_pool::WorkerPool)), which runs the COTP handshake itself so
//! that a client that never sends its connection request holds up nobody. At most
//! [`max_pending_handshakes`](super::ServerBuilder::max_pending_handshakes) connections wait
//! for their handshake at once: beyond that a new TCP connection is closed right here, so a
//! flood of silent connections costs no more threads than that.

use std::sync::Arc;
use std::time::Duration;

use iso_tcp::Listener;

use super::context::ServerContext;
use super::hooks::{ConnectionEvent, RefuseReason};

/// Pause after a failed accept (e.g. out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// Accepts until the server stops.
pub(crate) fn run(listener: Listener, context: Arc<ServerContext>) {
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
                    let peer = pending.peer_addr();
                    // Dropping it closes the socket; no worker is involved.
                    drop(pending);
                    context.count_refused_pending();
                    tracing::debug!(%peer, connection = number, "too many pending handshakes, connection closed");
                    context
                        .settings
                        .hooks
                        .connection_event(|| ConnectionEvent::Refused {
                            number,
                            peer,
                            reason: RefuseReason::TooManyPendingHandshakes,
                        });
                    continue;
                };
                context.workers.dispatch(&context, pending, number, ticket);
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
