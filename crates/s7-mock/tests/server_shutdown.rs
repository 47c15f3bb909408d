//! Dropping the server ends every thread it started: the accept thread, the connection
//! threads of idle clients, and the thread of a client still in its handshake.
//!
//! Threads are counted in `/proc/self/task` (Linux). The binary holds this one test so that no
//! other test starts or ends threads while it counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod server_support;

use std::net::TcpStream;

use s7comm::Area;
use std::time::Duration;

use server_support::{client, server, threads, wait_for_threads_at_most, TIMEOUT};

#[test]
fn drop_ends_every_server_thread() {
    const CLIENTS: usize = 20;
    let before = threads();
    let server = server();
    let mut clients: Vec<_> = (0..CLIENTS).map(|_| client(server.local_addr())).collect();
    for c in &mut clients {
        assert_eq!(c.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    }
    let _silent = TcpStream::connect(server.local_addr()).unwrap();
    server.wait_for_open_connections(CLIENTS, TIMEOUT).unwrap();
    // The accept thread, one per client, one for the client in its handshake (which may
    // still be starting).
    assert!(threads() >= before + 1 + CLIENTS, "{} threads", threads());

    drop(server);

    // Every thread was joined when drop returned (the kernel may list a joined thread for a
    // moment longer); the clients still hold their sockets, and nothing waits for them.
    assert_eq!(
        wait_for_threads_at_most(before, Duration::from_millis(500)),
        before
    );
}
