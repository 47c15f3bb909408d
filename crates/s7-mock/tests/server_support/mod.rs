//! Shared by the server, fault, concurrency and CLI tests: a standard server, clients with
//! bounded timeouts, and ways to get at the transport error inside a client error.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use iso_tcp::ClientOptions;
use s7_client::Client;
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
pub fn transport(error: &s7_client::Error) -> &iso_tcp::Error {
    match error {
        s7_client::Error::Transport(inner) => inner,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Deterministic test data.
pub fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from((i * 31 + seed * 7) % 251).unwrap())
        .collect()
}

/// Threads of this process, from `/proc/self/task` (Linux).
pub fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Waits until at most `n` threads run, or `timeout` passes; returns the last count seen.
///
/// A thread that has been joined can still be listed for a moment: the kernel wakes the
/// joiner as the thread exits, a little before it removes the thread from the process. So a
/// count taken right after a join may be high for a few microseconds — longer on a loaded
/// machine — without any thread having leaked. A leaked thread stays listed however long
/// this waits.
pub fn wait_for_threads_at_most(n: usize, timeout: Duration) -> usize {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let now = threads();
        if now <= n || std::time::Instant::now() >= deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
