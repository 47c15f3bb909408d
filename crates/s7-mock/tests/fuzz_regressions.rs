//! Replays every input in tests/fuzz-regressions/ (crash inputs kept by `cargo xtask fuzz` and
//! hand-made edge cases) exactly as the `s7_request` fuzz target drives them: the codec must
//! round-trip what it decodes, and the PLC must answer within the negotiated PDU with an answer
//! that decodes — or, for bytes that are not S7comm, return an error and no answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use s7_mock::plc::NoHooks;
use s7_mock::{Plc, Session};
use s7comm::{RequestPdu, ResponsePdu};

fn inputs() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut inputs: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

fn check_codec(name: &Path, bytes: &[u8]) {
    if let Ok(request) = RequestPdu::parse(bytes) {
        if let Ok(wire) = request.to_bytes() {
            assert_eq!(wire.len(), request.buffer_len(), "{}", name.display());
            assert_eq!(
                RequestPdu::parse(&wire).as_ref(),
                Ok(&request),
                "{}",
                name.display()
            );
        }
    }
    if let Ok(response) = ResponsePdu::parse(bytes) {
        if let Ok(wire) = response.to_bytes() {
            assert_eq!(
                ResponsePdu::parse(&wire).as_ref(),
                Ok(&response),
                "{}",
                name.display()
            );
        }
    }
}

/// Returns whether the request was answered.
fn check_handle(
    name: &Path,
    plc: &Plc,
    session: &mut Session,
    request: &[u8],
    out: &mut Vec<u8>,
) -> bool {
    match plc.handle(session, request, out, &mut NoHooks) {
        Ok(handled) => {
            assert!(
                out.len() <= usize::from(session.pdu_size()),
                "{}: answer of {} bytes exceeds the negotiated pdu of {}",
                name.display(),
                out.len(),
                session.pdu_size()
            );
            let answer = ResponsePdu::parse(out)
                .unwrap_or_else(|e| panic!("{}: answer does not decode: {e}", name.display()));
            assert_eq!(answer.pdu_ref, handled.pdu_ref, "{}", name.display());
            true
        }
        Err(_) => {
            assert!(
                out.is_empty(),
                "{}: answer for non-s7comm bytes",
                name.display()
            );
            false
        }
    }
}

#[test]
fn every_regression_input_keeps_the_fuzz_invariants() {
    let inputs = inputs();
    assert!(
        inputs.len() >= 8,
        "the seeds are missing: {} inputs",
        inputs.len()
    );
    let mut answered = 0usize;
    for (name, data) in &inputs {
        check_codec(name, data);
        let plc = Plc::builder()
            .max_pdu_size(960)
            .data_block(1, 300)
            .inputs(64)
            .outputs(64)
            .flags(512)
            .timers(16)
            .counters(16)
            .build()
            .unwrap();
        let mut session = plc.session();
        let mut out = Vec::with_capacity(960);
        check_handle(name, &plc, &mut session, data, &mut out);
        let Some((pdu, mut rest)) = data.split_first_chunk::<2>() else {
            continue;
        };
        let setup = [
            0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x01,
            0x00, 0x01, pdu[0], pdu[1],
        ];
        check_handle(name, &plc, &mut session, &setup, &mut out);
        while !rest.is_empty() {
            let (request, tail) = match rest.split_first() {
                Some((&len, tail)) if usize::from(len) <= tail.len() => {
                    tail.split_at(usize::from(len))
                }
                _ => (rest, &[][..]),
            };
            check_codec(name, request);
            if check_handle(name, &plc, &mut session, request, &mut out) {
                answered += 1;
            }
            rest = tail;
        }
    }
    // The seeds carry well-formed requests behind their setup: if none is answered, the
    // driver no longer exercises the handler.
    assert!(answered >= 4, "only {answered} embedded requests answered");
}

#[test]
fn a_seed_read_is_answered_with_the_data() {
    let data = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz-regressions/seed-read-after-setup-480"),
    )
    .unwrap();
    let plc = Plc::builder().data_block(1, 300).build().unwrap();
    plc.memory_mut()
        .write_bytes(s7_mock::memory::Region::DataBlock(1), 0, &[9, 8, 7, 6])
        .unwrap();
    let mut session = plc.session();
    let mut out = Vec::new();
    // Skip the 2-byte pdu prefix and the 1-byte length prefix: the rest is the request.
    plc.handle(&mut session, &data[3..], &mut out, &mut NoHooks)
        .unwrap();
    assert_eq!(&out[out.len() - 4..], &[9, 8, 7, 6]);
}
