//! Shared by the server, fault, concurrency and CLI tests: a standard server, clients with
//! bounded timeouts, and ways to get at the transport error inside a client error.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use iso_tcp::ClientOptions;
use s7_mock::client::Client;
use s7_mock::server::{Server, ServerBuilder};

/// Generous bound for anything a test waits on; nothing should come close.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The layout most tests use.
pub fn builder() -> ServerBuilder {
    Server::builder()
        .data_block(1, 1024)
        .data_block(2, 256)
        .inputs(64)
        .outputs(64)
        .flags(128)
        .timers(16)
        .counters(16)
}

pub fn server() -> Server {
    builder().start().unwrap()
}

/// Client options with read and write timeouts, so a test fails instead of hanging.
pub fn options(addr: SocketAddr) -> ClientOptions {
    ClientOptions::new(addr)
        .read_timeout(Some(TIMEOUT))
        .write_timeout(Some(TIMEOUT))
}

pub fn client(addr: SocketAddr) -> Client {
    Client::connect(options(addr)).unwrap()
}

/// The transport error inside a client error (panics if it is another kind).
pub fn transport(error: &s7_mock::Error) -> &iso_tcp::Error {
    match error {
        s7_mock::Error::Transport(inner) => inner.get(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Deterministic test data.
pub fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from((i * 31 + seed * 7) % 251).unwrap())
        .collect()
}
