//! Shared by the SZL, diagnostic-buffer and handler tests: requests through `Plc::handle` without
//! sockets, whole SZL payloads with their follow-ups fetched, and the records in them.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use s7_mock::plc::NoHooks;
use s7_mock::{Plc, Session};
use s7comm::szl::SzlList;
use s7comm::{ErrorCode, Request, RequestPdu, Response, ResponsePdu, UserData};

pub fn h(hex: &str) -> Vec<u8> {
    let hex: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn exchange(plc: &Plc, session: &mut Session, request: Request) -> ResponsePdu {
    let bytes = RequestPdu::new(0x42, request).to_bytes().unwrap();
    let mut out = Vec::new();
    plc.handle(session, &bytes, &mut out, &mut NoHooks).unwrap();
    assert!(out.len() <= usize::from(session.pdu_size()));
    let answer = ResponsePdu::parse(&out).unwrap();
    assert_eq!(answer.pdu_ref, 0x42);
    answer
}

pub fn raw(plc: &Plc, session: &mut Session, request: &str) -> Vec<u8> {
    let mut out = Vec::new();
    plc.handle(session, &h(request), &mut out, &mut NoHooks)
        .unwrap();
    out
}

/// The whole payload of SZL `id` / `index` (follow-ups fetched), or the error code.
pub fn szl(plc: &Plc, s: &mut Session, id: u16, index: u16) -> Result<Vec<u8>, ErrorCode> {
    let answer = exchange(plc, s, Request::UserData(UserData::read_szl(id, index)));
    let Response::UserData(first) = answer.response else {
        panic!("not userdata")
    };
    if !first.params.error().is_ok() {
        return Err(first.params.error());
    }
    let (got_id, got_index, payload) = first.szl_first_part().unwrap();
    assert_eq!((got_id, got_index), (id, index));
    let mut payload = payload.to_vec();
    let mut c = first.params.continuation.unwrap();
    let mut sequence = first.params.sequence;
    while c.more {
        let next = exchange(plc, s, Request::UserData(UserData::szl_follow_up(sequence)));
        let Response::UserData(next) = next.response else {
            panic!()
        };
        assert!(next.params.error().is_ok());
        payload.extend_from_slice(&next.item.data);
        c = next.params.continuation.unwrap();
        sequence = next.params.sequence;
    }
    Ok(payload)
}

/// The records of a complete payload, checked against its header.
pub fn records(payload: &[u8]) -> (u16, Vec<Vec<u8>>) {
    let list = SzlList::parse(payload).unwrap();
    (
        list.header.record_len,
        list.records().map(<[u8]>::to_vec).collect(),
    )
}

pub fn word(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}
