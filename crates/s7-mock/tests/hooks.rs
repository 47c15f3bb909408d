//! The hooks for test suites, driven by `s7_client::Client`: the write observer, the read hook
//! (values computed by the test, memory untouched) and connection events with their reasons;
//! and that a hook may call back into the server and its memory without deadlocking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod server_support;

use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use iso_tcp::DisconnectReason;
use s7_client::{Client, ReadRequest, WriteRequest};
use s7_mock::memory::Region;
use s7_mock::plc::{Plc, READ_HOOK_LENGTH_MISMATCH};
use s7_mock::server::{
    CloseReason, ConnectionEvent, Fault, Function, RefuseReason, Server, TsapFilter,
    TOO_MANY_CONNECTIONS_REASON,
};
use s7comm::{Area, ItemAddress, ReturnCode, WriteItem};
use server_support::{builder, client, options, transport, TIMEOUT};

/// What the observer recorded of one written item.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Written {
    connection: u64,
    peer: SocketAddr,
    index: usize,
    area: Area,
    db: u16,
    start: u32,
    bit: Option<u8>,
    data: Vec<u8>,
}

fn written(
    connection: u64,
    peer: SocketAddr,
    index: usize,
    (area, db, start, bit): (Area, u16, u32, Option<u8>),
    data: &[u8],
) -> Written {
    Written {
        connection,
        peer,
        index,
        area,
        db,
        start,
        bit,
        data: data.to_vec(),
    }
}

#[test]
fn the_write_observer_sees_every_written_item_in_order_with_its_exact_bytes() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    let server = builder()
        .on_write(move |w| {
            seen.lock().unwrap().push(Written {
                connection: w.connection,
                peer: w.peer,
                index: w.index,
                area: w.area,
                db: w.db,
                start: w.start,
                bit: w.bit,
                data: w.data.to_vec(),
            });
        })
        .start()
        .unwrap();
    let mut client = client(server.local_addr());
    let peer = client.connection().local_addr().unwrap();

    // One request of five items; the fourth names a data block that does not exist.
    let codes = client
        .write_items(vec![
            WriteItem::new(ItemAddress::bytes(Area::DataBlock, 1, 10, 3), vec![1, 2, 3]),
            WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 4, 1), vec![0xAA]),
            WriteItem::new(ItemAddress::bit(Area::Flags, 0, 5, 3), vec![1]),
            WriteItem::new(ItemAddress::bytes(Area::DataBlock, 99, 0, 1), vec![9]),
            WriteItem::new(ItemAddress::counters(2, 1), vec![0x12, 0x34]),
        ])
        .unwrap();
    assert_eq!(codes[3], ReturnCode::ObjectDoesNotExist);
    // The observer returned before the answer was sent: no waiting needed.
    assert_eq!(
        *log.lock().unwrap(),
        [
            written(1, peer, 0, (Area::DataBlock, 1, 10, None), &[1, 2, 3]),
            written(1, peer, 1, (Area::Flags, 0, 4, None), &[0xAA]),
            written(1, peer, 2, (Area::Flags, 0, 5, Some(3)), &[1]),
            written(1, peer, 4, (Area::Counters, 0, 2, None), &[0x12, 0x34]),
        ]
    );
    assert!(server.read_bit(Region::Flags, 5, 3).unwrap());
    assert_eq!(server.counter(2).unwrap(), 0x1234);

    // A bit write through the client's own helper, then a bit cleared.
    log.lock().unwrap().clear();
    client.write_bit(Area::Outputs, 0, 1, 7, true).unwrap();
    client.write_bit(Area::DataBlock, 2, 8, 0, false).unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [
            written(1, peer, 0, (Area::Outputs, 0, 1, Some(7)), &[1]),
            written(1, peer, 0, (Area::DataBlock, 2, 8, Some(0)), &[0]),
        ]
    );

    // An item an injected fault fails is not written, so not reported; the others are.
    log.lock().unwrap().clear();
    server
        .inject(Fault::ItemReturnCode {
            index: 0,
            return_code: ReturnCode::AccessDenied,
        })
        .when(Function::WriteVar)
        .once();
    let results = client
        .write_many(&[
            WriteRequest::bytes(Area::DataBlock, 1, 0, &[5, 5]),
            WriteRequest::bytes(Area::DataBlock, 1, 2, &[6, 6]),
        ])
        .unwrap();
    assert_eq!(results, [Err(ReturnCode::AccessDenied), Ok(())]);
    assert_eq!(
        *log.lock().unwrap(),
        [written(1, peer, 1, (Area::DataBlock, 1, 2, None), &[6, 6])]
    );
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 0, 4).unwrap(),
        [0, 0, 6, 6]
    );

    // Reads are not writes.
    log.lock().unwrap().clear();
    client.read_area(Area::DataBlock, 1, 0, 4).unwrap();
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn writes_of_several_clients_are_each_reported_once_under_their_connection() {
    let count = Arc::new(AtomicUsize::new(0));
    let per_connection = Arc::new(Mutex::new(Vec::new()));
    let (seen_count, seen) = (Arc::clone(&count), Arc::clone(&per_connection));
    let server = builder()
        .on_write(move |w| {
            seen_count.fetch_add(1, Ordering::Relaxed);
            seen.lock().unwrap().push((w.connection, w.data[0]));
        })
        .start()
        .unwrap();
    let threads: Vec<_> = (0..4u8)
        .map(|n| {
            let addr = server.local_addr();
            std::thread::spawn(move || {
                let mut client = client(addr);
                for i in 0..25u8 {
                    client
                        .write_area(Area::DataBlock, 1, u32::from(n) * 32, &[i])
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(count.load(Ordering::Relaxed), 100);
    let seen = per_connection.lock().unwrap();
    for connection in 1..=4 {
        let values: Vec<u8> = seen
            .iter()
            .filter(|(c, _)| *c == connection)
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(
            values,
            (0..25).collect::<Vec<u8>>(),
            "connection {connection}"
        );
    }
}

#[test]
fn the_read_hook_serves_computed_values_and_memory_stays_untouched() {
    let reads = Arc::new(AtomicU16::new(0));
    let events = Arc::new(Mutex::new(Vec::new()));
    let (counter, seen) = (Arc::clone(&reads), Arc::clone(&events));
    let server = builder()
        .data_block_with(1, vec![0xAB; 64])
        .on_read(move |r| {
            seen.lock()
                .unwrap()
                .push((r.index, r.area, r.db, r.start, r.bit, r.len));
            match (r.area, r.db, r.start) {
                // DB1.DBW0: a counter, one up per read.
                (Area::DataBlock, 1, 0) => {
                    let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
                    Some(n.to_be_bytes().to_vec())
                }
                // DB1.DBB10..12: the wrong length.
                (Area::DataBlock, 1, 10) => Some(vec![1, 2]),
                // DB77 exists nowhere: served anyway ("resourceless").
                (Area::DataBlock, 77, _) => Some((0..u8::try_from(r.len).unwrap()).collect()),
                // M0.1 always set.
                (Area::Flags, _, 0) if r.bit == Some(1) => Some(vec![1]),
                _ => None,
            }
        })
        .start()
        .unwrap();
    let before = server.memory().clone();
    let mut client = client(server.local_addr());

    for n in 1..=3u16 {
        assert_eq!(
            client.read_area(Area::DataBlock, 1, 0, 2).unwrap(),
            n.to_be_bytes()
        );
    }
    let results = client
        .read_many(&[
            ReadRequest::db(1, 0, 2),
            ReadRequest::db(1, 2, 3),
            ReadRequest::bit(Area::Flags, 0, 0, 1),
            ReadRequest::db(77, 4, 5),
            ReadRequest::db(1, 10, 3),
            ReadRequest::timers(0, 2),
        ])
        .unwrap();
    assert_eq!(
        results,
        [
            Ok(vec![0, 4]),
            Ok(vec![0xAB; 3]),
            Ok(vec![1]),
            Ok(vec![0, 1, 2, 3, 4]),
            Err(READ_HOOK_LENGTH_MISMATCH),
            Ok(vec![0; 4]),
        ]
    );
    assert_eq!(READ_HOOK_LENGTH_MISMATCH, ReturnCode::DataSizeMismatch);
    let events = events.lock().unwrap();
    assert_eq!(
        events[3..],
        [
            (0, Area::DataBlock, 1, 0, None, 2),
            (1, Area::DataBlock, 1, 2, None, 3),
            (2, Area::Flags, 0, 0, Some(1), 1),
            (3, Area::DataBlock, 77, 4, None, 5),
            (4, Area::DataBlock, 1, 10, None, 3),
            (5, Area::Timers, 0, 0, None, 4),
        ]
    );
    // Nothing was written: memory is as it started, bit M0.1 included.
    assert_eq!(*server.memory(), before);
    assert!(!server.read_bit(Region::Flags, 0, 1).unwrap());
}

#[test]
fn the_read_hook_is_not_asked_for_items_that_fail_anyway() {
    let asked = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&asked);
    let server = builder()
        .on_read(move |_| {
            count.fetch_add(1, Ordering::Relaxed);
            Some(vec![7, 7])
        })
        .start()
        .unwrap();
    let mut client = client(server.local_addr());
    server
        .inject(Fault::ItemReturnCode {
            index: 0,
            return_code: ReturnCode::HardwareFault,
        })
        .when(Function::ReadVar)
        .once();
    let results = client
        .read_many(&[ReadRequest::db(1, 0, 2), ReadRequest::db(1, 2, 2)])
        .unwrap();
    assert_eq!(results, [Err(ReturnCode::HardwareFault), Ok(vec![7, 7])]);
    assert_eq!(asked.load(Ordering::Relaxed), 1);
    // A count of zero makes no sense as an address: failed without asking.
    let codes = client
        .read_items(&[ItemAddress::bytes(Area::DataBlock, 1, 0, 0)])
        .unwrap();
    assert_eq!(codes[0].return_code, ReturnCode::AddressOutOfRange);
    assert_eq!(asked.load(Ordering::Relaxed), 1);
}

/// Lets a hook reach the server it is installed on without keeping it alive.
type ServerSlot = Arc<OnceLock<Weak<Server>>>;

fn with_server(slot: &ServerSlot, f: impl FnOnce(&Server)) {
    if let Some(server) = slot.get().and_then(Weak::upgrade) {
        f(&server);
    }
}

#[test]
fn hooks_can_call_back_into_the_server_and_its_memory() {
    let plc = Plc::builder()
        .data_block(1, 64)
        .data_block(2, 64)
        .build()
        .unwrap();
    let slot: ServerSlot = Arc::default();
    let mirrored = Arc::new(Mutex::new(Vec::new()));
    let (write_plc, read_plc) = (plc.clone(), plc.clone());
    let (write_slot, read_slot, event_slot) = (slot.clone(), slot.clone(), slot.clone());
    let (seen_mirror, listed) = (Arc::clone(&mirrored), Arc::new(Mutex::new(Vec::new())));
    let seen_listed = Arc::clone(&listed);
    let server = Server::builder()
        .plc(plc)
        .on_write(move |w| {
            // Memory through the PLC handle: read lock, then write lock.
            let start = usize::try_from(w.start).unwrap();
            let now = write_plc
                .memory()
                .read_bytes(Region::DataBlock(w.db), start, w.data.len())
                .unwrap()
                .to_vec();
            write_plc
                .memory_mut()
                .write_bytes(Region::DataBlock(2), start, &now)
                .unwrap();
            // And through the server handle: memory, the request log, the connections.
            with_server(&write_slot, |server| {
                let again = server
                    .read_bytes(Region::DataBlock(1), start, w.data.len())
                    .unwrap();
                let logged = server.requests().len();
                let open = server.connections().len();
                seen_mirror.lock().unwrap().push((now, again, logged, open));
            });
        })
        .on_read(move |r| {
            // Serves DB1 from DB2, taking the write lock on the way.
            if r.db != 1 {
                return None;
            }
            let start = usize::try_from(r.start).unwrap();
            let _exclusive = read_plc.memory_mut();
            drop(_exclusive);
            let mut value = None;
            with_server(&read_slot, |server| {
                value = server.read_bytes(Region::DataBlock(2), start, r.len).ok();
            });
            value
        })
        .on_connection_event(move |event| {
            with_server(&event_slot, |server| {
                seen_listed
                    .lock()
                    .unwrap()
                    .push((event.number(), server.connections().len()));
            });
        })
        .start()
        .unwrap();
    let server = Arc::new(server);
    slot.set(Arc::downgrade(&server)).unwrap();

    let mut client = client(server.local_addr());
    client
        .write_area(Area::DataBlock, 1, 4, &[1, 2, 3])
        .unwrap();
    assert_eq!(
        *mirrored.lock().unwrap(),
        [(vec![1, 2, 3], vec![1, 2, 3], 1, 1)]
    );
    assert_eq!(
        server.read_bytes(Region::DataBlock(2), 4, 3).unwrap(),
        [1, 2, 3]
    );
    server
        .write_bytes(Region::DataBlock(2), 0, &[9, 9])
        .unwrap();
    assert_eq!(client.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [9, 9]);
    client.close().unwrap();
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
    // Accepted: listed as open; closed: no longer listed.
    assert_eq!(*listed.lock().unwrap(), [(1, 1), (1, 0)]);
}

fn events() -> (
    impl Fn(&ConnectionEvent) + Send + Sync + 'static,
    Receiver<ConnectionEvent>,
) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    (
        move |event: &ConnectionEvent| {
            let _ = tx.lock().unwrap().send(event.clone());
        },
        rx,
    )
}

fn next(rx: &Receiver<ConnectionEvent>) -> ConnectionEvent {
    rx.recv_timeout(TIMEOUT).expect("a connection event")
}

#[test]
fn connection_events_report_accepts_refusals_and_closes_with_reasons() {
    let (hook, rx) = events();
    let server = builder()
        .max_connections(1)
        .on_connection_event(hook)
        .start()
        .unwrap();
    let first = client(server.local_addr());
    let first_peer = first.connection().local_addr().unwrap();
    assert_eq!(
        next(&rx),
        ConnectionEvent::Accepted {
            number: 1,
            peer: first_peer
        }
    );

    // Beyond max_connections.
    let error = Client::connect(options(server.local_addr())).unwrap_err();
    assert!(matches!(
        transport(&error),
        iso_tcp::Error::Refused { reason } if *reason == TOO_MANY_CONNECTIONS_REASON
    ));
    match next(&rx) {
        ConnectionEvent::Refused {
            number: 2, reason, ..
        } => assert_eq!(reason, RefuseReason::MaxConnections),
        other => panic!("{other:?}"),
    }

    // The client closes: a DR.
    first.close().unwrap();
    assert_eq!(
        next(&rx),
        ConnectionEvent::Closed {
            number: 1,
            peer: first_peer,
            reason: CloseReason::PeerDisconnected(DisconnectReason::Normal),
            requests: 1,
        }
    );

    // A closed connection counts as open until its Closed hook returned: wait for that
    // before the next one, with max_connections(1).
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
    // The server drops one (what the control API's DELETE does).
    let mut third = client(server.local_addr());
    third.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let third_peer = third.connection().local_addr().unwrap();
    assert_eq!(
        next(&rx),
        ConnectionEvent::Accepted {
            number: 3,
            peer: third_peer
        }
    );
    assert!(server.disconnect(3));
    assert_eq!(
        next(&rx),
        ConnectionEvent::Closed {
            number: 3,
            peer: third_peer,
            reason: CloseReason::Disconnected,
            requests: 2,
        }
    );
    assert!(third.read_area(Area::DataBlock, 1, 0, 1).is_err());

    // A closed connection counts as open until its Closed hook returned: wait for that
    // before the next one, with max_connections(1).
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
    // The client closes TCP without a DR.
    let mut fourth = client(server.local_addr());
    assert!(matches!(
        next(&rx),
        ConnectionEvent::Accepted { number: 4, .. }
    ));
    fourth.connection_mut().shutdown().unwrap();
    match next(&rx) {
        ConnectionEvent::Closed {
            number: 4, reason, ..
        } => assert_eq!(reason, CloseReason::PeerClosed),
        other => panic!("{other:?}"),
    }

    // A closed connection counts as open until its Closed hook returned: wait for that
    // before the next one, with max_connections(1).
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
    // The server stops with a client connected.
    let _fifth = client(server.local_addr());
    assert!(matches!(
        next(&rx),
        ConnectionEvent::Accepted { number: 5, .. }
    ));
    drop(server);
    match next(&rx) {
        ConnectionEvent::Closed {
            number: 5, reason, ..
        } => assert_eq!(reason, CloseReason::ServerStopped),
        other => panic!("{other:?}"),
    }
    assert!(rx.try_recv().is_err());
}

#[test]
fn connection_events_report_tsap_fault_and_handshake_refusals_and_deadlines() {
    let (hook, rx) = events();
    let server = builder()
        .tsap_filter(TsapFilter::any().rack_slot(0, 2))
        .handshake_timeout(Duration::from_millis(200))
        .idle_timeout(Some(Duration::from_millis(200)))
        .on_connection_event(hook)
        .start()
        .unwrap();
    let addr = server.local_addr();

    // The called TSAP names slot 3.
    let refused = Client::builder(addr).rack_slot(0, 3).connect();
    assert!(refused.is_err());
    match next(&rx) {
        ConnectionEvent::Refused {
            number: 1, reason, ..
        } => assert_eq!(reason, RefuseReason::TsapFilter),
        other => panic!("{other:?}"),
    }

    // An injected refusal.
    let rule = server
        .inject(Fault::Refuse(DisconnectReason::ConnectionRefused))
        .once();
    assert!(Client::builder(addr).rack_slot(0, 2).connect().is_err());
    match next(&rx) {
        ConnectionEvent::Refused {
            number: 2, reason, ..
        } => assert_eq!(
            reason,
            RefuseReason::Fault(DisconnectReason::ConnectionRefused)
        ),
        other => panic!("{other:?}"),
    }
    assert!(!server.fault_pending(rule));

    // TCP only, no connection request: the handshake times out.
    let silent = TcpStream::connect(addr).unwrap();
    match next(&rx) {
        ConnectionEvent::Refused {
            number: 3,
            reason: RefuseReason::Handshake(text),
            peer,
        } => {
            assert_eq!(peer, silent.local_addr().unwrap());
            assert!(text.contains("not received"), "{text}");
        }
        other => panic!("{other:?}"),
    }

    // An idle client is cut after the idle timeout.
    let _idle = Client::builder(addr)
        .rack_slot(0, 2)
        .read_timeout(Some(TIMEOUT))
        .connect()
        .unwrap();
    assert!(matches!(
        next(&rx),
        ConnectionEvent::Accepted { number: 4, .. }
    ));
    match next(&rx) {
        ConnectionEvent::Closed {
            number: 4, reason, ..
        } => assert_eq!(reason, CloseReason::Deadline),
        other => panic!("{other:?}"),
    }
}
