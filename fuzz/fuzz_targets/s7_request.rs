//! S7comm requests on arbitrary bytes: the codec decodes without panicking and what it
//! decodes re-encodes to the same value; the PLC handler answers within the negotiated
//! PDU, with an answer that decodes, over a session fed several requests in a row.
//!
//! Input layout: two bytes of requested PDU size for a setup communication, then requests,
//! each prefixed with its length (one byte); a last request without a prefix takes the rest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s7comm::{RequestPdu, ResponsePdu};
use s7_mock::plc::NoHooks;
use s7_mock::{Plc, Session};

fn check_codec(bytes: &[u8]) {
    if let Ok(request) = RequestPdu::parse(bytes) {
        if let Ok(wire) = request.to_bytes() {
            assert_eq!(wire.len(), request.buffer_len());
            assert_eq!(RequestPdu::parse(&wire).as_ref(), Ok(&request));
        }
    }
    if let Ok(response) = ResponsePdu::parse(bytes) {
        if let Ok(wire) = response.to_bytes() {
            assert_eq!(ResponsePdu::parse(&wire).as_ref(), Ok(&response));
        }
    }
}

fn check_handle(plc: &Plc, session: &mut Session, request: &[u8], out: &mut Vec<u8>) {
    match plc.handle(session, request, out, &mut NoHooks) {
        Ok(handled) => {
            assert!(
                out.len() <= usize::from(session.pdu_size()),
                "answer of {} bytes exceeds the negotiated pdu of {}",
                out.len(),
                session.pdu_size()
            );
            let answer = ResponsePdu::parse(out).expect("every answer decodes");
            assert_eq!(answer.pdu_ref, handled.pdu_ref);
            let _ = handled.to_record();
        }
        Err(_) => assert!(out.is_empty(), "no answer for bytes that are not s7comm"),
    }
}

fuzz_target!(|data: &[u8]| {
    check_codec(data);

    let plc = Plc::builder()
        .max_pdu_size(960)
        .data_block(1, 300)
        .inputs(64)
        .outputs(64)
        .flags(512)
        .timers(16)
        .counters(16)
        .build()
        .expect("valid configuration");
    let mut session = plc.session();
    let mut out = Vec::with_capacity(960);

    // The whole input as one request on a fresh session.
    check_handle(&plc, &mut session, data, &mut out);

    let Some((pdu, mut rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let setup = [
        0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x01, 0x00,
        0x01, pdu[0], pdu[1],
    ];
    check_handle(&plc, &mut session, &setup, &mut out);
    while !rest.is_empty() {
        let (request, tail) = match rest.split_first() {
            Some((&len, tail)) if usize::from(len) <= tail.len() => tail.split_at(usize::from(len)),
            _ => (rest, &[][..]),
        };
        check_codec(request);
        check_handle(&plc, &mut session, request, &mut out);
        rest = tail;
    }
});
