//! Connections waiting for their connection request, on the accept thread's poller: a request
//! that arrives in pieces, silence and half requests until the handshake timeout, hang-ups and
//! garbage, all reported, and nothing in their way for other clients.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod server_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use s7_mock::s7comm::Area;
use s7_mock::server::{ConnectionEvent, RefuseReason, Server};
use server_support::{builder, client, options, TIMEOUT};

/// The CR python-snap7 and most S7 clients send for rack 0, slot 1, PG.
const CR: [u8; 22] = [
    0x03, 0x00, 0x00, 0x16, 0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC1, 0x02, 0x01, 0x00, 0xC2,
    0x02, 0x01, 0x01, 0xC0, 0x01, 0x0A,
];

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Refused connections as the connection hook saw them: number and reason.
type Refusals = Arc<Mutex<Vec<(u64, RefuseReason)>>>;

/// A server whose refusals are collected, with a short handshake timeout.
fn server_with_refusals(timeout: Duration) -> (Server, Refusals) {
    let refusals = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&refusals);
    let server = builder()
        .handshake_timeout(timeout)
        .on_connection_event(move |event| {
            if let ConnectionEvent::Refused { number, reason, .. } = event {
                seen.lock().unwrap().push((*number, reason.clone()));
            }
        })
        .start()
        .unwrap();
    (server, refusals)
}

/// Reads until the server closes the stream; everything it sent.
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut all = Vec::new();
    let _ = stream.read_to_end(&mut all);
    all
}

#[test]
fn a_request_in_pieces_is_put_together_and_confirmed() {
    let server = builder().start().unwrap();
    let mut raw = TcpStream::connect(server.local_addr()).unwrap();
    raw.set_read_timeout(Some(TIMEOUT)).unwrap();
    for piece in CR.chunks(5) {
        raw.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut confirm = [0; 22];
    raw.read_exact(&mut confirm).unwrap();
    assert_eq!(confirm[5], 0xD0, "a CC: {confirm:02X?}");
    wait_until("the connection to open", || server.open_connections() == 1);
    assert_eq!(server.pending_handshakes(), 0);
}

#[test]
fn silence_and_half_requests_end_at_the_handshake_timeout_and_others_get_in_meanwhile() {
    let timeout = Duration::from_millis(300);
    let (server, refusals) = server_with_refusals(timeout);
    let addr = server.local_addr();
    let mut silent = TcpStream::connect(addr).unwrap();
    let mut half = TcpStream::connect(addr).unwrap();
    half.write_all(&CR[..9]).unwrap();
    wait_until("both to wait", || server.pending_handshakes() == 2);

    // Meanwhile a client gets in and is served.
    let mut served = client(addr);
    assert_eq!(served.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);

    let started = Instant::now();
    assert!(read_until_closed(&mut silent).is_empty());
    assert!(read_until_closed(&mut half).is_empty());
    assert!(
        started.elapsed() < TIMEOUT,
        "closed by the timeout, not by the test's bound"
    );
    wait_until("the pending handshakes to end", || {
        server.pending_handshakes() == 0
    });
    let refusals = refusals.lock().unwrap().clone();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    for (_, reason) in &refusals {
        match reason {
            RefuseReason::Handshake(text) => assert!(text.contains("within 300ms"), "{text}"),
            other => panic!("expected a handshake timeout, got {other:?}"),
        }
    }
    // The client was never held up.
    assert_eq!(served.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    served.close().unwrap();
}

#[test]
fn hang_ups_and_garbage_while_waiting_are_reported_at_once() {
    let (server, refusals) = server_with_refusals(TIMEOUT);
    let addr = server.local_addr();

    let hang_up = TcpStream::connect(addr).unwrap();
    wait_until("it to wait", || server.pending_handshakes() == 1);
    drop(hang_up);
    let mut garbage = TcpStream::connect(addr).unwrap();
    garbage.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert!(read_until_closed(&mut garbage).is_empty());
    wait_until("both to be reported", || {
        refusals.lock().unwrap().len() == 2
    });
    assert_eq!(server.pending_handshakes(), 0);
    for (_, reason) in refusals.lock().unwrap().iter() {
        assert!(
            matches!(reason, RefuseReason::Handshake(_)),
            "expected a failed handshake, got {reason:?}"
        );
    }
}

#[test]
fn stopping_closes_the_waiting_connections_and_reports_them() {
    let (server, refusals) = server_with_refusals(TIMEOUT);
    let addr = server.local_addr();
    let mut waiting: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
    wait_until("them to wait", || server.pending_handshakes() == 3);
    let started = Instant::now();
    drop(server);
    assert!(started.elapsed() < TIMEOUT);
    for stream in &mut waiting {
        assert!(read_until_closed(stream).is_empty());
    }
    let refusals = refusals.lock().unwrap().clone();
    assert_eq!(refusals.len(), 3, "{refusals:?}");
    assert!(refusals
        .iter()
        .all(|(_, reason)| *reason == RefuseReason::ServerStopping));
}

#[test]
fn a_refused_request_still_gets_its_disconnect_request() {
    let server = builder()
        .tsap_filter(s7_mock::server::TsapFilter::any().rack_slot(0, 3))
        .start()
        .unwrap();
    let error = s7_client::Client::connect(options(server.local_addr())).unwrap_err();
    assert!(
        matches!(
            server_support::transport(&error),
            iso_tcp::Error::Refused { .. }
        ),
        "{error:?}"
    );
    wait_until("the pending handshake to end", || {
        server.pending_handshakes() == 0
    });
}
