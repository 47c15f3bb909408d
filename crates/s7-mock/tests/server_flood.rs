//! A bounded connection flood: silent TCP connections wait for their request on the accept
//! thread's poller, not on threads; beyond the pending-handshake cap the oldest are closed, so
//! a legitimate client gets in at once, during the flood.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod server_support;

use std::io::Read;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use s7_client::Client;
use s7_mock::s7comm::Area;
use s7_mock::server::{ConnectionEvent, RefuseReason};
use server_support::{builder, options, threads, TIMEOUT};

const CAP: usize = 16;
const FLOOD: usize = 200;

/// Polls `done` until it holds or [`TIMEOUT`] passes.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

// The only test in this file: it counts the process's threads.
#[test]
fn a_silent_flood_beyond_the_cap_costs_no_threads_and_a_client_still_gets_in() {
    let before = threads();
    let refusals = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&refusals);
    let server = builder()
        .max_pending_handshakes(CAP)
        // Long enough that the flood's pending handshakes are still pending when counted.
        .handshake_timeout(TIMEOUT)
        .on_connection_event(move |event| {
            if let ConnectionEvent::Refused {
                reason: RefuseReason::TooManyPendingHandshakes,
                ..
            } = event
            {
                seen.fetch_add(1, Ordering::Relaxed);
            }
        })
        .start()
        .unwrap();
    let addr = server.local_addr();

    // Silent connections, held open: none sends its connection request.
    let mut flood: Vec<TcpStream> = (0..FLOOD)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    wait_until("the flood to be accepted", || {
        server.accepted_connections() == FLOOD as u64
    });
    // The newest CAP still wait for their request; the older ones were closed to make room.
    assert_eq!(server.pending_handshakes(), CAP);
    assert_eq!(server.refused_pending(), (FLOOD - CAP) as u64);
    assert_eq!(refusals.load(Ordering::Relaxed), server.refused_pending());
    let oldest = flood.first_mut().unwrap();
    oldest.set_read_timeout(Some(TIMEOUT)).unwrap();
    assert_eq!(
        oldest.read(&mut [0; 8]).unwrap_or(0),
        0,
        "the oldest was closed"
    );
    // Waiting connections cost no thread: the accept thread is the only one the server has
    // (a few allowed for the test harness).
    let during = threads();
    assert!(
        during <= before + 1 + 3,
        "{during} threads during a flood of {FLOOD} with a cap of {CAP} ({before} before)"
    );

    // A legitimate client, while the flood's sockets are still open, gets in at its first
    // attempt: if its request is not in when it is accepted, room is made for it by closing
    // the oldest waiting connection.
    let mut client = Client::connect(options(addr)).unwrap();
    assert_eq!(client.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [0, 0]);
    let evicted_for_client = server.refused_pending() - (FLOOD - CAP) as u64;
    assert!(evicted_for_client <= 1, "{evicted_for_client}");
    assert_eq!(
        server.pending_handshakes() + usize::try_from(evicted_for_client).unwrap(),
        CAP
    );
    let after = threads();
    assert!(
        after <= before + 1 + 1 + 3,
        "{after} threads with the client in ({before} before)"
    );
    client.close().unwrap();
    drop(flood);
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
    // The flood's hang-ups reach the accept thread's poller independently of the client.
    wait_until("the pending handshakes to end", || {
        server.pending_handshakes() == 0
    });
}
