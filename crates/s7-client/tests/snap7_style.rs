//! A tiny fake server on `iso_tcp::Listener` that answers a failed read item the way snap7's C
//! server does: return code `0A`, transport size `00`, the *requested* length in the length
//! field, and no data bytes. The client must take the item as failed, the others as they are.
//! It also answers writes to one data block with no return code at all, which must not pass
//! for an acknowledged write.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

use iso_tcp::{ClientOptions, Listener, ServerOptions};
use s7_client::{Client, Error, ReadRequest};
use s7comm::{
    Area, ErrorCode, Header, MessageType, Request, RequestPdu, Response, ResponsePdu, ReturnCode,
    WriteVarResponse,
};

/// The data block that does not exist.
const MISSING_DB: u16 = 99;

/// The data block whose writes are answered without a return code.
const SILENT_DB: u16 = 98;

/// Byte `i` of every existing data block.
fn byte_at(i: u32) -> u8 {
    u8::try_from(i % 251).unwrap()
}

/// Serves one connection: setup communication, then read var requests, snap7 style.
fn serve_one() -> (SocketAddr, JoinHandle<()>) {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), ServerOptions::new()).unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let mut connection = listener.accept().unwrap();
        while let Ok(request) = connection.recv() {
            let request = RequestPdu::parse(&request).unwrap();
            let answer = match request.request {
                Request::SetupCommunication(mut setup) => {
                    setup.pdu_length = setup.pdu_length.min(480);
                    ResponsePdu::new(
                        request.pdu_ref,
                        ErrorCode::NONE,
                        Response::SetupCommunication(setup),
                    )
                    .to_bytes()
                    .unwrap()
                }
                Request::ReadVar(read) => {
                    let mut data = Vec::new();
                    let last = read.items.len() - 1;
                    for (i, item) in read.items.iter().enumerate() {
                        let len = usize::from(item.count);
                        let bits = u16::try_from(len * 8).unwrap();
                        if item.db_number == MISSING_DB {
                            // RC 0A, TS 00, LEN = the requested length (bits), no data.
                            data.extend([0x0A, 0x00]);
                            data.extend(bits.to_be_bytes());
                            continue;
                        }
                        data.extend([0xFF, 0x04]);
                        data.extend(bits.to_be_bytes());
                        let start = item.byte_offset();
                        data.extend((0..len).map(|k| byte_at(start + u32::try_from(k).unwrap())));
                        if len % 2 == 1 && i != last {
                            data.push(0);
                        }
                    }
                    let mut out = Vec::new();
                    Header {
                        message_type: MessageType::AckData,
                        pdu_ref: request.pdu_ref,
                        param_len: 2,
                        data_len: u16::try_from(data.len()).unwrap(),
                        error: ErrorCode::NONE,
                        ..Default::default()
                    }
                    .emit(&mut out);
                    out.extend([0x04, u8::try_from(read.items.len()).unwrap()]);
                    out.extend(data);
                    out
                }
                Request::WriteVar(write) => {
                    let silent = write.items.iter().any(|i| i.address.db_number == SILENT_DB);
                    let return_codes = if silent {
                        Vec::new()
                    } else {
                        vec![ReturnCode::Success; write.items.len()]
                    };
                    ResponsePdu::new(
                        request.pdu_ref,
                        ErrorCode::NONE,
                        Response::WriteVar(WriteVarResponse { return_codes }),
                    )
                    .to_bytes()
                    .unwrap()
                }
                other => panic!("the fake server serves setup, reads and writes, not {other:?}"),
            };
            connection.send(&answer).unwrap();
        }
    });
    (addr, handle)
}

fn connect(addr: SocketAddr) -> Client {
    Client::connect(ClientOptions::new(addr).read_timeout(Some(Duration::from_secs(10)))).unwrap()
}

#[test]
fn a_snap7_style_failed_item_between_good_ones() {
    let (addr, server) = serve_one();
    let mut client = connect(addr);
    let results = client
        .read_many(&[
            ReadRequest::db(1, 0, 5),
            ReadRequest::db(MISSING_DB, 0, 8),
            ReadRequest::db(2, 10, 4),
        ])
        .unwrap();
    assert_eq!(results[0], Ok((0..5).map(byte_at).collect::<Vec<_>>()));
    assert_eq!(results[1], Err(ReturnCode::ObjectDoesNotExist));
    assert_eq!(results[2], Ok((10..14).map(byte_at).collect::<Vec<_>>()));

    // The missing block last: nothing follows its head at all.
    let results = client
        .read_many(&[ReadRequest::db(1, 3, 3), ReadRequest::db(MISSING_DB, 0, 2)])
        .unwrap();
    assert_eq!(results[0], Ok(vec![3, 4, 5]));
    assert_eq!(results[1], Err(ReturnCode::ObjectDoesNotExist));

    client.close().unwrap();
    server.join().unwrap();
}

#[test]
fn a_snap7_style_failed_single_read_is_an_item_failure() {
    let (addr, server) = serve_one();
    let mut client = connect(addr);
    for _ in 0..2 {
        // Both the allocating and the in-place path; the connection stays usable.
        let error = client
            .read_area(Area::DataBlock, MISSING_DB, 0, 16)
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::ItemFailed {
                    index: 0,
                    return_code: ReturnCode::ObjectDoesNotExist
                }
            ),
            "{error:?}"
        );
        let mut out = [0; 4];
        let error = client
            .read_into(Area::DataBlock, MISSING_DB, 0, &mut out)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "item 0 failed: object does not exist (0x0a)"
        );
        assert_eq!(client.read_area(Area::DataBlock, 1, 7, 2).unwrap(), [7, 8]);
    }
    client.close().unwrap();
    server.join().unwrap();
}

#[test]
fn a_write_answer_without_its_return_code_is_not_an_acknowledgement() {
    let (addr, server) = serve_one();
    let mut client = connect(addr);
    let error = client
        .write_area(Area::DataBlock, SILENT_DB, 0, &[1, 2, 3, 4])
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::ItemCount {
                what: "write var",
                expected: 1,
                received: 0
            }
        ),
        "{error:?}"
    );
    // The connection stays in step: the next write gets its own answer.
    client.write_area(Area::DataBlock, 1, 0, &[5, 6]).unwrap();
    client.close().unwrap();
    server.join().unwrap();
}
