//! A bounded connection flood: silent TCP connections beyond the pending-handshake cap are
//! closed by the accept thread at once, so they cost no threads, and a legitimate client
//! still gets in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod server_support;

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
        .handshake_timeout(Duration::from_secs(2))
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
    let flood: Vec<TcpStream> = (0..FLOOD)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    wait_until("the flood to be accepted", || {
        server.accepted_connections() == FLOOD as u64
    });
    // The first CAP wait for their handshake on a worker each; the rest were closed at once.
    assert_eq!(server.pending_handshakes(), CAP);
    assert_eq!(server.refused_pending(), (FLOOD - CAP) as u64);
    assert_eq!(refusals.load(Ordering::Relaxed), server.refused_pending());
    // The accept thread and one worker per pending handshake, nothing per refused one (a
    // few allowed for the test harness).
    let during = threads();
    assert!(
        during <= before + 1 + CAP + 3,
        "{during} threads during a flood of {FLOOD} with a cap of {CAP} ({before} before)"
    );

    // A legitimate client, while the flood's sockets are still open: refused (closed at once)
    // while the cap is full, it gets in once the silent ones' handshakes time out.
    let refused_before = server.refused_pending();
    let deadline = Instant::now() + TIMEOUT;
    let mut client = loop {
        match Client::connect(options(addr)) {
            Ok(client) => break client,
            Err(error) => assert!(
                Instant::now() < deadline,
                "the client never got in: {error}"
            ),
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(client.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [0, 0]);
    assert!(server.refused_pending() >= refused_before);
    let after = threads();
    assert!(
        after <= before + 1 + CAP + 3,
        "{after} threads with the client in ({before} before)"
    );
    client.close().unwrap();
    drop(flood);
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
    // The flood's handshakes still pending end on their workers as their sockets close, after
    // the client's connection is gone: wait for them rather than expect them gone already.
    wait_until("the pending handshakes to end", || {
        server.pending_handshakes() == 0
    });
}
