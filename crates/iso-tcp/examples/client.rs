//! An ISO-on-TCP client sending one message and printing the answer.
//!
//! ```text
//! cargo run -p iso-tcp --example client                       # talks to a server it starts itself
//! cargo run -p iso-tcp --example client -- 127.0.0.1:40123    # talks to `--example server`
//! ```
//!
//! Without an address the example starts an echo server on a thread of its own (127.0.0.1, a
//! free port), so it runs standalone. Set `RUST_LOG=debug` (or `trace`) for more detail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::thread;
use std::time::Duration;

use iso_tcp::{ClientOptions, Listener, RemoteAddr, ServerOptions, TpduSize, Tsap};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let (remote, server) = match std::env::args().nth(1) {
        Some(addr) => (RemoteAddr::from(addr), None),
        None => {
            let (addr, server) = start_echo_server()?;
            (RemoteAddr::from(addr), Some(server))
        }
    };

    let mut connection = ClientOptions::new(remote)
        .local_tsap(Tsap::from_u16(0x0100))
        .remote_tsap(Tsap::from_u16(0x0102))
        .tpdu_size(TpduSize::S1024)
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Some(Duration::from_secs(3)))
        .connect()?;
    println!(
        "connected to {} (tpdu size {}, local tsap {:?}, remote tsap {:?})",
        connection.peer_addr(),
        connection.tpdu_size(),
        connection.local_tsap(),
        connection.remote_tsap()
    );

    let message = b"hello over ISO-on-TCP";
    connection.send(message)?;
    let answer = connection.recv()?;
    println!("sent {:?}", String::from_utf8_lossy(message));
    println!("got  {:?}", String::from_utf8_lossy(&answer));

    // A message larger than one TPDU is segmented and reassembled on the way.
    let large: Vec<u8> = (0..5000u32).map(|i| i.to_le_bytes()[0]).collect();
    connection.send(&large)?;
    let answer = connection.recv()?;
    println!(
        "sent {} bytes, got {} bytes back, equal: {}",
        large.len(),
        answer.len(),
        answer == large
    );

    connection.close()?;
    if let Some(server) = server {
        server.join().expect("server thread")?;
    }
    Ok(())
}

/// An echo server serving one client on a thread of its own.
fn start_echo_server() -> Result<
    (
        std::net::SocketAddr,
        thread::JoinHandle<Result<(), iso_tcp::Error>>,
    ),
    iso_tcp::Error,
> {
    let listener = Listener::bind(
        "127.0.0.1:0".parse().expect("address"),
        ServerOptions::new(),
    )?;
    let addr = listener.local_addr()?;
    println!("started an echo server on {addr}");
    let server = thread::spawn(move || {
        let mut connection = listener.accept()?;
        loop {
            match connection.recv() {
                Ok(tsdu) => connection.send(&tsdu)?,
                // The client's close arrives as a disconnect request.
                Err(iso_tcp::Error::PeerDisconnected { .. }) => return Ok(()),
                Err(error) => return Err(error),
            }
        }
    });
    Ok((addr, server))
}
