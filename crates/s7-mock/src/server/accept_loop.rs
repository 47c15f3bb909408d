//! The accept thread: TCP accept only, then the connection goes to a worker (see
//! [`WorkerPool`](super::worker_pool::WorkerPool)), which runs the COTP handshake itself so
//! that a client that never sends its connection request holds up nobody.

use std::sync::Arc;
use std::time::Duration;

use iso_tcp::Listener;

use super::context::ServerContext;

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
                context.workers.dispatch(&context, pending, number);
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
