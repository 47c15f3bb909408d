//! Connections are served by reused workers: clients coming one after another do not each
//! leave a thread behind, and of many workers freed at once at most 64 stay parked.
//!
//! Threads are counted in `/proc/self/task` (Linux). The binary holds this one test so that no
//! other test starts or ends threads while it counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod server_support;

use std::time::Duration;

use s7comm::Area;
use server_support::{client, server, threads, wait_for_threads_at_most, TIMEOUT};

/// How long a joined thread may still be listed by the kernel.
const SETTLE: Duration = Duration::from_millis(500);

/// Parked workers a server keeps at most.
const MAX_IDLE: usize = 64;

#[test]
fn workers_are_reused_and_idle_ones_are_capped() {
    const SEQUENTIAL: usize = 100;
    const CONCURRENT: usize = 100;
    let before = threads();
    let server = server();

    // One client at a time, each waited for until the server saw it close: its worker parks
    // and takes the next one. A worker may still be on its way back to the pool when the
    // next client arrives, so a few extra workers are allowed, not one per client.
    for _ in 0..SEQUENTIAL {
        let mut c = client(server.local_addr());
        assert_eq!(c.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [0, 0]);
        c.close().unwrap();
        server.wait_for_open_connections(0, TIMEOUT).unwrap();
    }
    let workers = threads() - before - 1;
    // A worker that served its client stays parked for the next one.
    assert!(workers >= 1, "no worker stayed parked");
    assert!(
        workers < SEQUENTIAL / 4,
        "{workers} workers for {SEQUENTIAL} clients one after another"
    );
    assert_eq!(server.accepted_connections(), 100);

    // Many at once need many workers; once they are gone only the capped number stays.
    let mut clients: Vec<_> = (0..CONCURRENT)
        .map(|_| client(server.local_addr()))
        .collect();
    server
        .wait_for_open_connections(CONCURRENT, TIMEOUT)
        .unwrap();
    assert!(threads() > before + CONCURRENT, "{} threads", threads());
    for c in &mut clients {
        assert_eq!(c.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    }
    for c in clients {
        c.close().unwrap();
    }
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
    let left = wait_for_threads_at_most(before + 1 + MAX_IDLE, TIMEOUT);
    assert!(left <= before + 1 + MAX_IDLE, "{left} threads left");
    assert!(left > before + 1, "no worker stayed parked");

    // Parked workers still serve.
    let mut again = client(server.local_addr());
    assert_eq!(again.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    drop(again);

    drop(server);
    assert_eq!(wait_for_threads_at_most(before, SETTLE), before);
}
