//! An ISO-on-TCP client on tokio: connect, send an S7comm "setup communication" and a 4-byte
//! read, print the answers.
//!
//! ```text
//! cargo run -p iso-tcp --features tokio --example tokio_client                  # own echo listener
//! cargo run -p s7-mock                                                          # in one terminal:
//!                                                                               #   "listening on 127.0.0.1:1102"
//! cargo run -p iso-tcp --features tokio --example tokio_client -- 127.0.0.1:1102   # against the mock
//! ```
//!
//! Without an address the example starts a tokio echo listener of its own (127.0.0.1, a free
//! port) and talks to it, so it runs standalone: iso-tcp does not depend on the mock. Given the
//! address of the mock (or of any S7 server), the same bytes are real S7 requests and the
//! answers are the server's. `RUST_LOG=debug` shows more.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use iso_tcp::{ClientOptions, RemoteAddr, ServerOptions, TpduSize};

/// S7comm setup communication: job, PDU reference 0, 8 parameter bytes, asking for a PDU of
/// 480 bytes and 1 parallel job each way.
const SETUP_COMMUNICATION: [u8; 18] = [
    0x32, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, // header
    0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xE0, // setup communication
];

/// S7comm read var: one item, 4 bytes of merkers from MB0.
const READ_MB0_4: [u8; 24] = [
    0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0E, 0x00, 0x00, // header
    0x04, 0x01, // read var, 1 item
    0x12, 0x0A, 0x10, 0x02, 0x00, 0x04, 0x00, 0x00, 0x83, 0x00, 0x00, 0x00, // MB0, 4 bytes
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let remote = match std::env::args().nth(1) {
        Some(addr) => RemoteAddr::from(addr),
        None => RemoteAddr::from(start_echo_listener().await?),
    };

    let mut connection = iso_tcp::tokio::connect(
        ClientOptions::new(remote)
            .tpdu_size(TpduSize::S1024)
            .connect_timeout(Duration::from_secs(3))
            .read_timeout(Some(Duration::from_secs(3))),
    )
    .await?;
    println!(
        "connected to {} (tpdu size {}, local tsap {:?}, remote tsap {:?})",
        connection.peer_addr(),
        connection.tpdu_size(),
        connection.local_tsap(),
        connection.remote_tsap()
    );

    for (name, request) in [
        ("setup communication", &SETUP_COMMUNICATION[..]),
        ("read MB0..MB3", &READ_MB0_4[..]),
    ] {
        connection.send(request).await?;
        // recv is cancel-safe, so a timeout around it loses nothing if it strikes.
        let answer = tokio::time::timeout(Duration::from_secs(3), connection.recv()).await??;
        println!(
            "{name}: sent {} bytes, got {:02X?}",
            request.len(),
            &answer[..]
        );
    }
    connection.close().await?;
    Ok(())
}

/// An echo server on a task of its own, for running the example without a PLC or the mock.
async fn start_echo_listener() -> Result<std::net::SocketAddr, iso_tcp::Error> {
    let listener = iso_tcp::tokio::Listener::bind(
        "127.0.0.1:0".parse().expect("address"),
        ServerOptions::new(),
    )
    .await?;
    let addr = listener.local_addr();
    tokio::spawn(async move {
        while let Ok(mut connection) = listener.accept().await {
            tokio::spawn(async move {
                while let Ok(request) = connection.recv().await {
                    if connection.send(&request).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    Ok(addr)
}
