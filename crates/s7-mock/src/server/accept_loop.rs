//! The accept thread: TCP accept only, then a thread per connection, which runs the COTP
//! handshake itself so that a client that never sends its connection request holds up nobody.

use std::sync::Arc;
use std::time::Duration;

use iso_tcp::{Listener, PendingConnection};

use super::connection;
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
                context.threads.reap();
                spawn_connection(&context, pending);
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

fn spawn_connection(context: &Arc<ServerContext>, pending: PendingConnection) {
    let number = context.next_connection_number();
    let peer = pending.peer_addr();
    let duplicate = match pending.socket().try_clone() {
        Ok(socket) => socket,
        Err(error) => {
            tracing::warn!(%peer, connection = number, %error, "cannot duplicate the socket, dropping the connection");
            return;
        }
    };
    if !context.threads.register(number, duplicate) {
        return;
    }
    let thread_context = Arc::clone(context);
    let spawned = std::thread::Builder::new()
        .name(format!("s7-mock-conn-{number}"))
        .stack_size(context.settings.stack_size)
        .spawn(move || connection::run(&thread_context, pending, number));
    match spawned {
        Ok(handle) => context.threads.attach(number, handle),
        Err(error) => {
            tracing::warn!(%peer, connection = number, %error, "cannot start a connection thread, dropping the connection");
            context.threads.forget(number);
        }
    }
}
