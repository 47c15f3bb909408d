//! Fault injection, seen from the client side: every fault kind gives the client the typed
//! error it should, the server goes on serving other connections, and rules fire where and
//! as often as they were told to.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod server_support;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use iso_tcp::{DisconnectReason, RejectCause};
use s7_client::Client;
use s7_mock::memory::Region;
use s7_mock::server::{Fault, Function, Server};
use s7comm::{Area, ItemAddress, Response, ResponsePdu, ReturnCode, WriteItem};
use server_support::{client, options, server, transport, TIMEOUT};

/// A read of DB1.DBB0..3 through `c`.
fn read(c: &mut Client) -> Result<Vec<u8>, s7_client::Error> {
    c.read_area(Area::DataBlock, 1, 0, 4)
}

/// Another client still gets served, on a connection opened before the fault and on a new one.
fn still_serving(server: &Server, bystander: &mut Client) {
    assert_eq!(read(bystander).unwrap(), [0, 0, 0, 0]);
    let mut fresh = client(server.local_addr());
    assert_eq!(read(&mut fresh).unwrap(), [0, 0, 0, 0]);
}

#[test]
fn delay_answers_late() {
    let server = server();
    let mut c = client(server.local_addr());
    let delay = Duration::from_millis(300);
    server.inject(Fault::Delay(delay)).once();
    c.connection_mut()
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let started = Instant::now();
    let error = read(&mut c).unwrap_err();
    assert!(transport(&error).is_timeout(), "{error}");
    assert!(
        !c.connection().is_broken(),
        "a timeout between frames loses nothing"
    );
    // The late answer still comes, on the same connection.
    c.connection_mut().set_read_timeout(Some(TIMEOUT)).unwrap();
    let answer = ResponsePdu::parse(&c.connection_mut().recv().unwrap()).unwrap();
    assert!(started.elapsed() >= delay);
    let Response::ReadVar(read_answer) = answer.response else {
        panic!("not a read answer: {answer:?}");
    };
    assert_eq!(read_answer.items[0].data, [0, 0, 0, 0]);
    // Once: the next request is answered at once (well within the short timeout).
    c.connection_mut()
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    assert_eq!(read(&mut c).unwrap(), [0, 0, 0, 0]);
}

#[test]
fn close_before_answering() {
    let server = server();
    let mut bystander = client(server.local_addr());
    let mut c = client(server.local_addr());
    let id = server
        .inject(Fault::Close)
        .on_peer(c.connection().local_addr().unwrap())
        .once();
    let error = read(&mut c).unwrap_err();
    assert!(
        matches!(transport(&error), iso_tcp::Error::Closed),
        "{error}"
    );
    assert_eq!(server.fault_hits(id), 1);
    still_serving(&server, &mut bystander);
}

#[test]
fn half_a_frame_then_close() {
    let server = server();
    let mut bystander = client(server.local_addr());
    let mut c = client(server.local_addr());
    server
        .inject(Fault::HalfFrame)
        .on_peer(c.connection().local_addr().unwrap())
        .once();
    let error = read(&mut c).unwrap_err();
    match transport(&error) {
        iso_tcp::Error::EofMidFrame { received, expected } => {
            assert!(received < expected, "{received} of {expected}");
            assert!(*received > 0);
        }
        other => panic!("expected EofMidFrame, got {other:?}"),
    }
    still_serving(&server, &mut bystander);
}

#[test]
fn disconnect_request_instead_of_the_answer() {
    let server = server();
    let mut bystander = client(server.local_addr());
    let mut c = client(server.local_addr());
    server
        .inject(Fault::Disconnect(DisconnectReason::ProtocolError))
        .on_peer(c.connection().local_addr().unwrap())
        .once();
    let error = read(&mut c).unwrap_err();
    assert!(
        matches!(
            transport(&error),
            iso_tcp::Error::PeerDisconnected {
                reason: DisconnectReason::ProtocolError
            }
        ),
        "{error}"
    );
    still_serving(&server, &mut bystander);
}

#[test]
fn error_tpdu_instead_of_the_answer() {
    let server = server();
    let mut bystander = client(server.local_addr());
    let mut c = client(server.local_addr());
    server
        .inject(Fault::ErrorTpdu(RejectCause::InvalidParameterValue))
        .on_peer(c.connection().local_addr().unwrap())
        .once();
    let error = read(&mut c).unwrap_err();
    assert!(
        matches!(
            transport(&error),
            iso_tcp::Error::PeerError {
                cause: RejectCause::InvalidParameterValue
            }
        ),
        "{error}"
    );
    still_serving(&server, &mut bystander);
}

#[test]
fn garbage_instead_of_the_answer() {
    let server = server();
    let mut bystander = client(server.local_addr());
    let mut c = client(server.local_addr());
    server
        .inject(Fault::garbage())
        .on_peer(c.connection().local_addr().unwrap())
        .once();
    let error = read(&mut c).unwrap_err();
    match transport(&error) {
        iso_tcp::Error::Tpkt(framing) => {
            assert!(framing.to_string().contains("version"), "{framing}");
        }
        other => panic!("expected a framing error, got {other:?}"),
    }
    // Garbage of one's own choosing: a well-formed frame that is not an S7comm answer.
    let mut other = client(server.local_addr());
    server
        .inject(Fault::Garbage(vec![3, 0, 0, 9, 2, 0xF0, 0x80, 0xAB, 0xCD]))
        .on_peer(other.connection().local_addr().unwrap())
        .once();
    let error = read(&mut other).unwrap_err();
    assert!(
        !matches!(error, s7_client::Error::Transport(_)),
        "the frame arrives; its contents do not parse: {error}"
    );
    still_serving(&server, &mut bystander);
}

#[test]
fn stall_leaves_a_request_unanswered() {
    let server = server();
    let mut c = client(server.local_addr());
    let id = server.inject(Fault::Stall).when(Function::ReadVar).once();
    c.connection_mut()
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let error = read(&mut c).unwrap_err();
    assert!(transport(&error).is_timeout(), "{error}");
    assert!(!c.connection().is_broken());
    // The connection goes on: the next request gets its own answer.
    c.connection_mut().set_read_timeout(Some(TIMEOUT)).unwrap();
    assert_eq!(read(&mut c).unwrap(), [0, 0, 0, 0]);
    assert_eq!(server.fault_hits(id), 1);
    let log = server.requests();
    let stalled: Vec<_> = log.iter().filter(|r| r.fault.is_some()).collect();
    assert_eq!(stalled.len(), 1);
    assert_eq!(stalled[0].fault, Some(Fault::Stall));
}

#[test]
fn a_rule_for_several_functions_fires_on_each_of_them() {
    let server = server();
    let mut c = client(server.local_addr());
    let id = server
        .inject(Fault::Delay(Duration::from_millis(1)))
        .when(Function::ReadClock)
        .when(Function::SetClock)
        .when(Function::ReadClock)
        .persistent();
    assert_eq!(
        server.faults()[0].functions,
        [Function::ReadClock, Function::SetClock]
    );
    read(&mut c).unwrap();
    c.read_szl(0x0011, 0).unwrap();
    assert_eq!(server.fault_hits(id), 0);
    let now = c.read_clock().unwrap();
    assert_eq!(server.fault_hits(id), 1);
    c.set_clock(&now).unwrap();
    assert_eq!(server.fault_hits(id), 2);
    // Without `when`, a rule matches any function.
    server.remove_fault(id);
    let any = server
        .inject(Fault::Delay(Duration::from_millis(1)))
        .persistent();
    assert!(server.faults()[0].functions.is_empty());
    read(&mut c).unwrap();
    c.read_clock().unwrap();
    assert_eq!(server.fault_hits(any), 2);
}

#[test]
fn chosen_item_gets_a_chosen_return_code() {
    let server = server();
    server
        .write_bytes(Region::DataBlock(1), 0, &[1, 2, 3, 4])
        .unwrap();
    let mut c = client(server.local_addr());
    server
        .inject(Fault::ItemReturnCode {
            index: 1,
            return_code: ReturnCode::HardwareFault,
        })
        .when(Function::ReadVar)
        .once();
    let items = c
        .read_items(&[
            ItemAddress::bytes(Area::DataBlock, 1, 0, 1),
            ItemAddress::bytes(Area::DataBlock, 1, 1, 1),
            ItemAddress::bytes(Area::DataBlock, 1, 2, 1),
        ])
        .unwrap();
    let codes: Vec<ReturnCode> = items.iter().map(|i| i.return_code).collect();
    assert_eq!(
        codes,
        [
            ReturnCode::Success,
            ReturnCode::HardwareFault,
            ReturnCode::Success
        ]
    );
    assert_eq!(
        (items[0].data.as_slice(), items[2].data.as_slice()),
        (&[1][..], &[3][..])
    );

    // Without a function filter it waits for the next read or write: an SZL read in between
    // does not use it up.
    server
        .inject(Fault::ItemReturnCode {
            index: 0,
            return_code: ReturnCode::AddressOutOfRange,
        })
        .once();
    c.read_szl(0x0424, 0).unwrap();
    let items = c
        .read_items(&[ItemAddress::bytes(Area::DataBlock, 1, 0, 1)])
        .unwrap();
    assert_eq!(items[0].return_code, ReturnCode::AddressOutOfRange);

    // On a write the failed item is not written; the others are.
    server
        .inject(Fault::ItemReturnCode {
            index: 0,
            return_code: ReturnCode::AccessDenied,
        })
        .when(Function::WriteVar)
        .once();
    let codes = c
        .write_items(vec![
            WriteItem::new(ItemAddress::bytes(Area::DataBlock, 1, 0, 1), vec![9]),
            WriteItem::new(ItemAddress::bytes(Area::DataBlock, 1, 1, 1), vec![9]),
        ])
        .unwrap();
    assert_eq!(codes, [ReturnCode::AccessDenied, ReturnCode::Success]);
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 0, 2).unwrap(),
        [1, 9]
    );
}

#[test]
fn refuse_new_connections_with_a_disconnect_request() {
    let server = server();
    let mut bystander = client(server.local_addr());
    let id = server
        .inject(Fault::Refuse(DisconnectReason::ConnectionRefused))
        .times(2);
    for _ in 0..2 {
        let error = Client::connect(options(server.local_addr())).unwrap_err();
        assert!(
            matches!(
                transport(&error),
                iso_tcp::Error::Refused {
                    reason: DisconnectReason::ConnectionRefused
                }
            ),
            "{error}"
        );
    }
    assert_eq!(server.fault_hits(id), 2);
    assert!(!server.fault_pending(id));
    // Refusals are not request faults: the open connection is untouched.
    still_serving(&server, &mut bystander);
}

#[test]
fn refuse_only_the_nth_connection() {
    let server = server();
    let addr = server.local_addr();
    server
        .inject(Fault::Refuse(DisconnectReason::Congestion))
        .on_connection(2)
        .once();
    let _first = client(addr);
    assert!(Client::connect(options(addr)).is_err());
    let mut third = client(addr);
    assert_eq!(read(&mut third).unwrap(), [0, 0, 0, 0]);
}

#[test]
fn once_fires_one_time_and_persistent_until_removed() {
    let server = server();
    let mut c = client(server.local_addr());
    let code = |c: &mut Client| {
        c.read_items(&[ItemAddress::bytes(Area::DataBlock, 1, 0, 1)])
            .unwrap()[0]
            .return_code
    };
    let fail = Fault::ItemReturnCode {
        index: 0,
        return_code: ReturnCode::AccessDenied,
    };
    let once = server.inject(fail.clone()).once();
    assert_eq!(code(&mut c), ReturnCode::AccessDenied);
    assert_eq!(code(&mut c), ReturnCode::Success);
    assert_eq!(server.fault_hits(once), 1);

    let always = server.inject(fail.clone()).persistent();
    for _ in 0..4 {
        assert_eq!(code(&mut c), ReturnCode::AccessDenied);
    }
    assert_eq!(server.fault_hits(always), 4);
    assert!(server.fault_pending(always));
    assert!(server.remove_fault(always));
    assert!(!server.remove_fault(always));
    assert_eq!(code(&mut c), ReturnCode::Success);

    let thrice = server.inject(fail.clone()).times(3);
    let codes: Vec<ReturnCode> = (0..5).map(|_| code(&mut c)).collect();
    assert_eq!(
        codes,
        [
            ReturnCode::AccessDenied,
            ReturnCode::AccessDenied,
            ReturnCode::AccessDenied,
            ReturnCode::Success,
            ReturnCode::Success
        ]
    );
    assert_eq!(server.fault_hits(thrice), 3);

    server.inject(fail.clone()).persistent();
    server.inject(fail).persistent();
    server.clear_faults();
    assert_eq!(code(&mut c), ReturnCode::Success);
}

#[test]
fn rules_match_function_nth_request_and_connection() {
    let server = server();
    let addr = server.local_addr();
    let mut first = client(addr);
    let mut second = client(addr);
    let fail = || Fault::ItemReturnCode {
        index: 0,
        return_code: ReturnCode::HardwareFault,
    };
    let code = |c: &mut Client| {
        c.read_items(&[ItemAddress::bytes(Area::DataBlock, 1, 0, 1)])
            .unwrap()[0]
            .return_code
    };

    // Only writes: reads pass.
    server.inject(fail()).when(Function::WriteVar).once();
    assert_eq!(code(&mut first), ReturnCode::Success);
    let written = first
        .write_items(vec![WriteItem::new(
            ItemAddress::bytes(Area::DataBlock, 1, 0, 1),
            vec![1],
        )])
        .unwrap();
    assert_eq!(written, [ReturnCode::HardwareFault]);

    // The third matching request, not the first two.
    let third = server.inject(fail()).when(Function::ReadVar).nth(3).once();
    let codes: Vec<ReturnCode> = (0..4).map(|_| code(&mut first)).collect();
    assert_eq!(
        codes,
        [
            ReturnCode::Success,
            ReturnCode::Success,
            ReturnCode::HardwareFault,
            ReturnCode::Success
        ]
    );
    assert_eq!(server.fault_hits(third), 1);

    // Only the second connection (numbers count from 1 in accept order).
    let log = server.requests();
    let second_number = log
        .iter()
        .find(|r| r.peer == second.connection().local_addr().unwrap())
        .unwrap()
        .connection;
    assert_eq!(second_number, 2);
    server.inject(fail()).on_connection(2).persistent();
    assert_eq!(code(&mut first), ReturnCode::Success);
    assert_eq!(code(&mut second), ReturnCode::HardwareFault);
    assert_eq!(code(&mut first), ReturnCode::Success);
    assert_eq!(code(&mut second), ReturnCode::HardwareFault);
}

#[test]
fn persistent_connection_fault_stalls_that_connection_only() {
    let server = server();
    let mut bystander = client(server.local_addr());
    let mut c = client(server.local_addr());
    server
        .inject(Fault::Stall)
        .on_peer(c.connection().local_addr().unwrap())
        .persistent();
    c.connection_mut()
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    for _ in 0..3 {
        assert!(transport(&read(&mut c).unwrap_err()).is_timeout());
        assert_eq!(read(&mut bystander).unwrap(), [0, 0, 0, 0]);
    }
}

#[test]
fn shutdown_cuts_a_delay_short() {
    let server = server();
    let mut c = client(server.local_addr());
    server
        .inject(Fault::Delay(Duration::from_secs(3600)))
        .persistent();
    let waiting = std::thread::spawn(move || read(&mut c).map_err(|e| transport(&e).to_string()));
    server.wait_for_requests(2, TIMEOUT).unwrap();
    let (done, dropped) = mpsc::channel();
    std::thread::spawn(move || {
        drop(server);
        done.send(()).unwrap();
    });
    dropped
        .recv_timeout(TIMEOUT)
        .expect("dropping the server waits for no delay");
    // The client learns that the connection is gone (a DR or the end of the stream) instead
    // of getting an answer.
    let error = waiting.join().unwrap().unwrap_err();
    assert!(
        error.contains("closed") || error.contains("disconnected"),
        "{error}"
    );
}
