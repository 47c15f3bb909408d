//! The request log: what it records about each request, waiting for the n-th one, switching
//! it off.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod server_support;

use std::thread;
use std::time::Duration;

use s7_mock::plc::RequestKind;
use s7_mock::server::Function;
use s7comm::{Area, ErrorCode, ItemAddress, Request, WriteItem};
use server_support::{builder, client, server, TIMEOUT};

#[test]
fn each_request_is_logged_with_peer_connection_function_and_items() {
    let server = server();
    let mut c = client(server.local_addr());
    let peer = c.connection().local_addr().unwrap();
    let read_items = [
        ItemAddress::bytes(Area::DataBlock, 1, 0, 4),
        ItemAddress::bit(Area::Flags, 0, 3, 2),
    ];
    c.read_items(&read_items).unwrap();
    c.write_items(vec![WriteItem::new(
        ItemAddress::bytes(Area::Outputs, 0, 8, 2),
        vec![0xAB, 0xCD],
    )])
    .unwrap();
    c.read_szl(0x0424, 0).unwrap();

    let log = server.wait_for_requests(4, TIMEOUT).unwrap();
    assert_eq!(log.len(), 4);
    let functions: Vec<Function> = log.iter().map(|r| r.function).collect();
    assert_eq!(
        functions,
        [
            Function::SetupCommunication,
            Function::ReadVar,
            Function::WriteVar,
            Function::ReadSzl
        ]
    );
    for (i, entry) in log.iter().enumerate() {
        assert_eq!(entry.peer, peer);
        assert_eq!(entry.connection, 1);
        assert_eq!(entry.sequence, u64::try_from(i + 1).unwrap());
        assert_eq!(entry.fault, None);
        assert_eq!(entry.record.error, None);
    }
    assert_eq!(log[1].kind(), RequestKind::ReadVar { items: 2 });
    assert_eq!(log[1].items(), read_items);
    assert_eq!(log[2].kind(), RequestKind::WriteVar { items: 1 });
    assert_eq!(log[2].write_items()[0].data, [0xAB, 0xCD]);
    assert_eq!(log[2].items(), [ItemAddress::bytes(Area::Outputs, 0, 8, 2)]);
    assert_eq!(
        log[3].kind(),
        RequestKind::ReadSzl {
            id: 0x0424,
            index: 0
        }
    );
    assert!(log[3].items().is_empty());
    // PDU references are those the client sent, one after the other.
    assert!(log
        .windows(2)
        .all(|w| w[1].record.pdu_ref > w[0].record.pdu_ref));
}

#[test]
fn refused_requests_are_logged_with_their_error() {
    let server = server();
    let mut c = client(server.local_addr());
    let _ = c.exchange(Request::Unknown {
        params: vec![0x42],
        data: Vec::new(),
    });
    let entry = server.wait_for_request(2, TIMEOUT).unwrap();
    assert_eq!(entry.function, Function::Other);
    assert_eq!(entry.record.error, Some(ErrorCode::NOT_IMPLEMENTED));
    assert_eq!(
        entry.kind(),
        RequestKind::UnknownJob {
            function: Some(0x42)
        }
    );
}

#[test]
fn waiting_returns_as_soon_as_requests_arrive_from_another_thread() {
    let server = server();
    let addr = server.local_addr();
    let worker = thread::spawn(move || {
        let mut c = client(addr);
        for _ in 0..5 {
            c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
        }
        c
    });
    // Setup communication plus five reads.
    let log = server.wait_for_requests(6, TIMEOUT).unwrap();
    assert!(log.len() >= 6);
    assert_eq!(
        log.iter()
            .filter(|r| r.function == Function::ReadVar)
            .count(),
        5
    );
    let sixth = server.wait_for_request(6, TIMEOUT).unwrap();
    assert_eq!(sixth.sequence, 6);
    assert_eq!(sixth.function, Function::ReadVar);
    drop(worker.join().unwrap());
}

#[test]
fn waiting_for_more_than_arrive_times_out_with_the_count() {
    let server = server();
    let _c = client(server.local_addr());
    let error = server
        .wait_for_requests(3, Duration::from_millis(100))
        .unwrap_err();
    assert_eq!(
        error,
        s7_mock::Error::WaitTimedOut {
            wanted: 3,
            logged: 1,
            timeout: Duration::from_millis(100)
        }
    );
    assert!(server
        .wait_for_request(2, Duration::from_millis(50))
        .is_err());
}

#[test]
fn clearing_empties_the_log_but_sequence_numbers_go_on() {
    let server = server();
    let mut c = client(server.local_addr());
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    assert_eq!(server.request_count(), 2);
    server.clear_requests();
    assert!(server.requests().is_empty());
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let log = server.wait_for_requests(1, TIMEOUT).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].sequence, 3);
}

#[test]
fn a_disabled_log_records_nothing_until_switched_on() {
    let server = builder().request_log(false).start().unwrap();
    assert!(!server.is_request_log_enabled());
    let mut c = client(server.local_addr());
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    assert!(server.requests().is_empty());
    assert_eq!(
        server.wait_for_requests(1, TIMEOUT).unwrap_err(),
        s7_mock::Error::RequestLogDisabled
    );
    server.set_request_log(true);
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let log = server.wait_for_requests(1, TIMEOUT).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].function, Function::ReadVar);
}

#[test]
fn switching_the_log_off_wakes_a_waiter() {
    let server = std::sync::Arc::new(server());
    let waiter = {
        let server = std::sync::Arc::clone(&server);
        thread::spawn(move || server.wait_for_requests(10, TIMEOUT))
    };
    // Ten requests never come; only switching the log off can end the wait early, whether
    // the waiter is already blocked or just about to check.
    let _c = client(server.local_addr());
    server.wait_for_requests(1, TIMEOUT).unwrap();
    let switched = std::time::Instant::now();
    server.set_request_log(false);
    assert_eq!(
        waiter.join().unwrap().unwrap_err(),
        s7_mock::Error::RequestLogDisabled
    );
    assert!(switched.elapsed() < TIMEOUT);
}

#[test]
fn connections_are_numbered_in_accept_order() {
    let server = server();
    let mut a = client(server.local_addr());
    let mut b = client(server.local_addr());
    b.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    a.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let log = server.wait_for_requests(4, TIMEOUT).unwrap();
    let reads: Vec<(u64, std::net::SocketAddr)> = log
        .iter()
        .filter(|r| r.function == Function::ReadVar)
        .map(|r| (r.connection, r.peer))
        .collect();
    assert_eq!(
        reads,
        [
            (2, b.connection().local_addr().unwrap()),
            (1, a.connection().local_addr().unwrap())
        ]
    );
}

#[test]
fn the_log_keeps_ten_thousand_requests_by_default() {
    assert_eq!(s7_mock::server::DEFAULT_REQUEST_LOG_CAPACITY, 10_000);
    let server = s7_mock::Server::builder().start().unwrap();
    assert_eq!(server.request_log_capacity(), 10_000);
    // A capacity given is kept, and 0 is raised to one entry.
    let server = builder().request_log_capacity(123).start().unwrap();
    assert_eq!(server.request_log_capacity(), 123);
    let server = builder().request_log_capacity(0).start().unwrap();
    assert_eq!(server.request_log_capacity(), 1);
}

#[test]
fn a_bounded_log_drops_the_oldest_and_reads_as_a_stream() {
    let server = builder().request_log_capacity(2).start().unwrap();
    assert_eq!(server.request_log_capacity(), 2);
    let mut c = client(server.local_addr());
    for _ in 0..3 {
        c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    }
    // Four requests, the last two kept.
    let page = server.requests_after(0, 10);
    let sequences: Vec<u64> = page.requests.iter().map(|r| r.sequence).collect();
    assert_eq!(sequences, [3, 4]);
    assert_eq!((page.next, page.dropped), (4, 2));
    assert_eq!(server.dropped_requests(), 2);
    assert_eq!(server.last_request_sequence(), 4);
    // A waiter is woken by the next request.
    let addr = server.local_addr();
    let writer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        let mut c = client(addr);
        c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
        c
    });
    let page = server.wait_for_requests_after(4, 10, TIMEOUT);
    assert_eq!(page.requests[0].sequence, 5);
    assert_eq!(page.requests[0].function, Function::SetupCommunication);
    drop(writer.join().unwrap());
    // Reset empties the log; sequence numbers go on.
    server.reset();
    assert!(server.requests().is_empty());
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    assert!(server.wait_for_requests(1, TIMEOUT).unwrap()[0].sequence > 5);
}
