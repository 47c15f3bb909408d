//! An ISO-on-TCP echo server: every TSDU received is sent back.
//!
//! ```text
//! cargo run -p iso-tcp --example server              # listens on 127.0.0.1, a free port
//! cargo run -p iso-tcp --example server -- 0.0.0.0:1102
//! ```
//!
//! Each accepted TCP connection gets a thread of its own, which runs the COTP handshake (so a
//! silent client never holds up the accept loop) and then echoes until the client leaves.
//! Set `RUST_LOG=debug` (or `trace`) for more detail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::thread;

use iso_tcp::{AcceptDecision, Error, Listener, ServerOptions, TpduSize};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned())
        .parse()?;
    let listener = Listener::bind(addr, ServerOptions::new().max_tpdu_size(TpduSize::S1024))?;
    println!("listening on {}", listener.local_addr()?);

    loop {
        let pending = match listener.accept_tcp() {
            Ok(pending) => pending,
            Err(error) => {
                eprintln!("accept failed: {error}");
                continue;
            }
        };
        thread::spawn(move || {
            let peer = pending.peer_addr();
            match serve(pending) {
                Ok(()) | Err(Error::PeerDisconnected { .. }) | Err(Error::Closed) => {
                    println!("{peer}: done");
                }
                Err(error) => println!("{peer}: {error}"),
            }
        });
    }
}

fn serve(pending: iso_tcp::PendingConnection) -> Result<(), Error> {
    let mut connection = pending.handshake(|request| {
        println!(
            "{}: connection request, called tsap {:?}, tpdu size {:?}",
            request.peer_addr, request.called_tsap, request.requested_tpdu_size
        );
        AcceptDecision::Accept
    })?;
    println!(
        "{}: connected, tpdu size {}",
        connection.peer_addr(),
        connection.tpdu_size()
    );
    loop {
        let tsdu = connection.recv()?;
        println!("{}: echoing {} bytes", connection.peer_addr(), tsdu.len());
        connection.send(&tsdu)?;
    }
}
