//! Parallel jobs: a scripted server on `iso_tcp::Listener` grants a number of jobs, holds every
//! request that arrives until the client stops sending (so each batch it records is the
//! number of requests the client had in flight), then answers the batch in reverse order.
//! The client must keep as many requests in flight as granted and no more, take answers in any
//! order, give results in the caller's order, and stay in step with its answers when one of
//! them is an error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

use iso_tcp::{Listener, ServerOptions};
use s7_client::{Client, Error, ReadRequest, WriteRequest, MAX_JOBS_IN_FLIGHT};
use s7comm::{
    Area, DataItem, DataTransportSize, ErrorCode, ReadVarResponse, Request, RequestPdu, Response,
    ResponsePdu, ReturnCode, WriteVarResponse,
};

/// How long the server waits for one more request before it takes the batch as complete.
const IDLE: Duration = Duration::from_millis(100);

/// Client-side bound on every read and write.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes of the server's one data block, DB1.
const DB1_LEN: usize = 8192;

/// The data block that does not exist.
const MISSING_DB: u16 = 99;

/// Byte `i` of DB1 before anything is written.
fn byte_at(i: usize) -> u8 {
    u8::try_from(i % 251).unwrap()
}

/// What the server does with one request: its answer, given the request, its arrival index
/// and DB1. `None` answers it normally.
type Override = Box<dyn FnMut(usize, &RequestPdu) -> Option<Vec<u8>> + Send>;

/// What the server saw: the size of each batch it held before answering, and DB1 at the end.
struct Seen {
    batches: Vec<usize>,
    db1: Vec<u8>,
}

/// Serves one connection: grants `amq` jobs each way and a `pdu`-byte PDU, then answers
/// read and write requests on DB1 in batches, each in reverse order of arrival.
fn serve(amq: u16, pdu: u16, mut answer: Override) -> (SocketAddr, JoinHandle<Seen>) {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), ServerOptions::new()).unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let mut connection = listener.accept().unwrap();
        let mut db1: Vec<u8> = (0..DB1_LEN).map(byte_at).collect();
        let setup = RequestPdu::parse(&connection.recv().unwrap()).unwrap();
        let Request::SetupCommunication(mut granted) = setup.request else {
            panic!("setup communication expected first");
        };
        granted.max_amq_calling = amq;
        granted.max_amq_called = amq;
        granted.pdu_length = granted.pdu_length.min(pdu);
        let answer_bytes = ResponsePdu::new(
            setup.pdu_ref,
            ErrorCode::NONE,
            Response::SetupCommunication(granted),
        )
        .to_bytes()
        .unwrap();
        connection.send(&answer_bytes).unwrap();

        let mut batches = Vec::new();
        let mut arrived = 0usize;
        loop {
            connection.set_read_timeout(Some(TIMEOUT)).unwrap();
            let Ok(first) = connection.recv() else {
                break;
            };
            let mut held = vec![first];
            connection.set_read_timeout(Some(IDLE)).unwrap();
            loop {
                match connection.recv() {
                    Ok(request) => held.push(request),
                    Err(e) if e.is_timeout() => break,
                    Err(_) => break,
                }
            }
            batches.push(held.len());
            let requests: Vec<(usize, RequestPdu)> = held
                .iter()
                .map(|bytes| {
                    arrived += 1;
                    (arrived - 1, RequestPdu::parse(bytes).unwrap())
                })
                .collect();
            for (index, request) in requests.iter().rev() {
                let bytes = match answer(*index, request) {
                    Some(bytes) => bytes,
                    None => normal_answer(request, &mut db1),
                };
                if connection.send(&bytes).is_err() {
                    break;
                }
            }
        }
        Seen { batches, db1 }
    });
    (addr, handle)
}

/// The answer of a server that has DB1 only.
fn normal_answer(request: &RequestPdu, db1: &mut [u8]) -> Vec<u8> {
    let response = match &request.request {
        Request::ReadVar(read) => Response::ReadVar(ReadVarResponse {
            items: read
                .items
                .iter()
                .map(|item| {
                    let start = usize::try_from(item.byte_offset()).unwrap();
                    let len = usize::from(item.count);
                    match db1.get(start..start + len) {
                        Some(data) if item.db_number == 1 => {
                            DataItem::success(DataTransportSize::Byte, data.to_vec())
                        }
                        _ if item.db_number == 1 => DataItem::error(ReturnCode::AddressOutOfRange),
                        _ => DataItem::error(ReturnCode::ObjectDoesNotExist),
                    }
                })
                .collect(),
        }),
        Request::WriteVar(write) => Response::WriteVar(WriteVarResponse {
            return_codes: write
                .items
                .iter()
                .map(|item| {
                    let start = usize::try_from(item.address.byte_offset()).unwrap();
                    match db1.get_mut(start..start + item.data.len()) {
                        Some(target) if item.address.db_number == 1 => {
                            target.copy_from_slice(&item.data);
                            ReturnCode::Success
                        }
                        _ => ReturnCode::ObjectDoesNotExist,
                    }
                })
                .collect(),
        }),
        other => panic!("the scripted server serves reads and writes only, not {other:?}"),
    };
    ResponsePdu::new(request.pdu_ref, ErrorCode::NONE, response)
        .to_bytes()
        .unwrap()
}

fn normally() -> Override {
    Box::new(|_, _| None)
}

fn connect(addr: SocketAddr, jobs: u16) -> Client {
    Client::builder(addr)
        .parallel_jobs(jobs)
        .read_timeout(Some(TIMEOUT))
        .write_timeout(Some(TIMEOUT))
        .connect()
        .unwrap()
}

fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from((i * 31 + seed * 7) % 251).unwrap())
        .collect()
}

#[test]
fn a_split_read_keeps_the_granted_jobs_in_flight_and_takes_answers_out_of_order() {
    let (addr, server) = serve(3, 240, normally());
    let mut client = connect(addr, 8);
    assert_eq!(client.jobs_in_flight(), 3);
    // 222 bytes per 240-byte answer: 2000 bytes take ten requests.
    let data = client.read_area(Area::DataBlock, 1, 100, 2000).unwrap();
    assert_eq!(data, (100..2100).map(byte_at).collect::<Vec<_>>());
    client.close().unwrap();
    let seen = server.join().unwrap();
    assert_eq!(seen.batches, [3, 3, 3, 1]);
}

#[test]
fn a_split_write_keeps_the_granted_jobs_in_flight() {
    let (addr, server) = serve(2, 240, normally());
    let mut client = connect(addr, 2);
    // 212 bytes per 240-byte write request: 1000 bytes take five requests.
    let data = pattern(1000, 3);
    client.write_area(Area::DataBlock, 1, 500, &data).unwrap();
    client.close().unwrap();
    let seen = server.join().unwrap();
    assert_eq!(seen.batches, [2, 2, 1]);
    assert_eq!(&seen.db1[500..1500], &data[..]);
    assert_eq!(seen.db1[499], byte_at(499));
    assert_eq!(seen.db1[1500], byte_at(1500));
}

#[test]
fn packed_multi_item_calls_are_pipelined_with_results_in_the_callers_order() {
    let (addr, server) = serve(4, 240, normally());
    let mut client = connect(addr, 4);
    // 200-byte items: one per 240-byte PDU, so eight requests; DB99 fails alone.
    let mut items: Vec<ReadRequest> = (0..8).map(|i| ReadRequest::db(1, i * 300, 200)).collect();
    items[5] = ReadRequest::db(MISSING_DB, 0, 200);
    let results = client.read_many(&items).unwrap();
    for (i, result) in results.iter().enumerate() {
        if i == 5 {
            assert_eq!(result, &Err(ReturnCode::ObjectDoesNotExist));
        } else {
            let start = i * 300;
            let want: Vec<u8> = (start..start + 200).map(byte_at).collect();
            assert_eq!(result.as_ref().unwrap(), &want, "item {i}");
        }
    }

    let a = pattern(200, 1);
    let b = pattern(200, 2);
    let c = pattern(200, 3);
    let written = client
        .write_many(&[
            WriteRequest::db(1, 4000, &a),
            WriteRequest::db(1, 4200, &b),
            WriteRequest::db(1, 4400, &c),
        ])
        .unwrap();
    assert_eq!(written, [Ok(()), Ok(()), Ok(())]);
    client.close().unwrap();
    let seen = server.join().unwrap();
    assert_eq!(seen.batches, [4, 4, 3]);
    assert_eq!(&seen.db1[4000..4200], &a[..]);
    assert_eq!(&seen.db1[4200..4400], &b[..]);
    assert_eq!(&seen.db1[4400..4600], &c[..]);
}

#[test]
fn one_granted_job_keeps_the_client_strictly_sequential() {
    // The client asks for eight; the server grants one.
    let (addr, server) = serve(1, 240, normally());
    let mut client = connect(addr, 8);
    assert_eq!((client.max_amq_calling(), client.max_amq_called()), (1, 1));
    assert_eq!(client.jobs_in_flight(), 1);
    let data = client.read_area(Area::DataBlock, 1, 0, 1000).unwrap();
    assert_eq!(data, (0..1000).map(byte_at).collect::<Vec<_>>());
    client
        .write_area(Area::DataBlock, 1, 0, &pattern(500, 1))
        .unwrap();
    let items: Vec<ReadRequest> = (0..3).map(|i| ReadRequest::db(1, i * 300, 200)).collect();
    assert!(client.read_many(&items).unwrap().iter().all(Result::is_ok));
    client.close().unwrap();
    let seen = server.join().unwrap();
    // 5 reads, 3 writes and 3 packed reads, each alone on the wire.
    assert_eq!(seen.batches, [1; 11]);
}

#[test]
fn an_error_answer_drains_the_others_and_the_connection_stays_in_step() {
    // The second request is answered with a header error (a bare ack, error 81 04).
    let refuse_second: Override = Box::new(|index, request| {
        (index == 1).then(|| {
            ResponsePdu::new(request.pdu_ref, ErrorCode(0x8104), Response::Ack)
                .to_bytes()
                .unwrap()
        })
    });
    let (addr, server) = serve(3, 240, refuse_second);
    let mut client = connect(addr, 3);
    let error = client.read_area(Area::DataBlock, 1, 0, 2000).unwrap_err();
    assert!(
        matches!(
            error,
            Error::ErrorAnswer {
                class: 0x81,
                code: 0x04,
                ..
            }
        ),
        "{error:?}"
    );
    // Every answer of the first batch was taken: the next call gets its own answer.
    assert!(!client.connection().is_broken());
    assert_eq!(
        client.read_area(Area::DataBlock, 1, 10, 4).unwrap(),
        [10, 11, 12, 13]
    );
    client.close().unwrap();
    let seen = server.join().unwrap();
    // The answers come back third, second, first: the fourth request goes out when the
    // third answer is in, before the error is known; none after the error. Then the next
    // call's request.
    assert_eq!(seen.batches, [3, 1, 1]);
}

#[test]
fn a_failed_item_stops_a_split_read_and_reports_the_earliest() {
    let (addr, server) = serve(3, 240, normally());
    let mut client = connect(addr, 3);
    // DB1 is 8192 bytes; 1000 bytes from 7900 take five requests of which the second
    // (8122..8344) and every later one run past its end.
    let error = client
        .read_area(Area::DataBlock, 1, 7900, 1000)
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::ItemFailed {
                index: 0,
                return_code: ReturnCode::AddressOutOfRange,
            }
        ),
        "{error:?}"
    );
    assert_eq!(client.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [0, 1]);
    client.close().unwrap();
    let seen = server.join().unwrap();
    // The third request's failure is the first answer in: nothing more is sent, the two
    // other answers are drained, then the next call's request.
    assert_eq!(seen.batches, [3, 1]);
}

#[test]
fn an_answer_matching_no_request_shuts_the_connection_down() {
    // The first answer carries a PDU reference the client never sent.
    let stray: Override = Box::new(|index, request| {
        (index == 2).then(|| {
            let mut pdu = ResponsePdu::new(
                request.pdu_ref,
                ErrorCode::NONE,
                Response::ReadVar(ReadVarResponse {
                    items: vec![DataItem::error(ReturnCode::ObjectDoesNotExist)],
                }),
            );
            pdu.pdu_ref = request.pdu_ref.wrapping_add(1000);
            pdu.to_bytes().unwrap()
        })
    });
    let (addr, server) = serve(3, 240, stray);
    let mut client = connect(addr, 3);
    let error = client.read_area(Area::DataBlock, 1, 0, 2000).unwrap_err();
    match &error {
        Error::ConnectionAbandoned {
            outstanding: 3,
            source,
        } => assert!(
            matches!(**source, Error::PduRefMismatch { .. }),
            "{source:?}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(error
        .to_string()
        .starts_with("connection shut down with 3 answers outstanding: "));
    assert!(client.connection().is_broken());
    assert!(matches!(
        client.read_area(Area::DataBlock, 1, 0, 4),
        Err(Error::Transport(_))
    ));
    drop(client);
    server.join().unwrap();
}

#[test]
fn the_client_never_keeps_more_than_its_cap_in_flight() {
    let (addr, server) = serve(20, 240, normally());
    let mut client = connect(addr, 20);
    assert_eq!(client.max_amq_called(), 20);
    assert_eq!(client.jobs_in_flight(), usize::from(MAX_JOBS_IN_FLIGHT));
    let data = client.read_area(Area::DataBlock, 1, 0, 4000).unwrap();
    assert_eq!(data, (0..4000).map(byte_at).collect::<Vec<_>>());
    client.close().unwrap();
    let seen = server.join().unwrap();
    // 4000 bytes are 19 requests of at most 222 bytes.
    assert_eq!(seen.batches, [8, 8, 3]);
}
