//! Replays every input under tests/fuzz-regressions/ (seeds and inputs the `cotp_decode`
//! fuzz target once failed on) through every parser, with the fuzz target's invariants.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::fs;
use std::path::PathBuf;

use bytes::Bytes;
use cotp::{
    ConnectionConfirm, ConnectionRequest, Data, DisconnectConfirm, DisconnectRequest, Error,
    ErrorTpdu, Reassembler, Tpdu,
};

fn inputs() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&path).unwrap(),
            )
        })
        .collect();
    inputs.sort();
    inputs
}

/// The invariants the fuzz target checks.
fn check(data: &[u8]) {
    if let Ok(tpdu) = Tpdu::parse(data) {
        let wire = tpdu.to_vec().unwrap();
        assert_eq!(wire.len(), tpdu.buffer_len());
        let again = Tpdu::parse(&wire).unwrap();
        assert_eq!(again, tpdu);
        assert_eq!(again.to_vec().unwrap(), wire);
    }
    if let Ok(cr) = ConnectionRequest::parse(data) {
        assert_eq!(ConnectionRequest::parse(&cr.to_vec().unwrap()), Ok(cr));
    }
    if let Ok(cc) = ConnectionConfirm::parse(data) {
        assert_eq!(ConnectionConfirm::parse(&cc.to_vec().unwrap()), Ok(cc));
    }
    if let Ok(dr) = DisconnectRequest::parse(data) {
        assert_eq!(DisconnectRequest::parse(&dr.to_vec().unwrap()), Ok(dr));
    }
    if let Ok(dc) = DisconnectConfirm::parse(data) {
        assert_eq!(DisconnectConfirm::parse(&dc.to_bytes()), Ok(dc));
    }
    if let Ok(er) = ErrorTpdu::parse(data) {
        assert_eq!(ErrorTpdu::parse(&er.to_vec().unwrap()), Ok(er));
    }
    let _ = cotp::parse_parameters(data);
    let _ = cotp::user_data(data);

    let [chunk, cap, rest @ ..] = data else {
        return;
    };
    let chunk = usize::from(*chunk % 64) + 1;
    let cap = usize::from(*cap) * 16;
    let mut reassembler = Reassembler::new(cap);
    for (index, frame) in rest.chunks(chunk).enumerate() {
        let Ok(dt) = Data::parse(frame) else { continue };
        let pushed = if index % 2 == 0 {
            reassembler.push(dt.eot, Bytes::copy_from_slice(dt.payload))
        } else {
            reassembler.push_slice(dt.eot, dt.payload)
        };
        match pushed {
            Ok(Some(tsdu)) => assert!(tsdu.len() <= cap && reassembler.is_idle()),
            Ok(None) => assert!(!dt.eot && reassembler.buffered_len() <= cap),
            Err(Error::ReassemblyOverflow { limit, len }) => {
                assert!(limit == cap && len > cap && reassembler.is_idle())
            }
            Err(other) => panic!("unexpected reassembly error {other:?}"),
        }
    }

    let max = usize::from(data[0]).max(4);
    let mut whole = Reassembler::new(data.len());
    let mut out = None;
    for dt in cotp::segments(data, max).unwrap() {
        assert!(dt.buffer_len() <= max);
        out = whole.push_slice(dt.eot, dt.payload).unwrap();
    }
    assert_eq!(out.as_deref(), Some(data));
}

#[test]
fn every_regression_input_keeps_the_invariants() {
    let inputs = inputs();
    assert!(inputs.len() >= 14, "seed inputs missing: {}", inputs.len());
    for (name, data) in &inputs {
        let outcome = std::panic::catch_unwind(|| check(data));
        assert!(outcome.is_ok(), "input {name} broke an invariant");
    }
}

#[test]
fn seeds_parse_as_expected() {
    let expected: Vec<(&str, Result<u8, Error>)> = vec![
        (
            "c0-exponent-255.bin",
            Err(Error::InvalidTpduSize { code: 255 }),
        ),
        ("cc-echoing-tsaps.bin", Ok(0xD0)),
        ("dc.bin", Ok(0xC0)),
        ("dr-normal.bin", Ok(0x80)),
        ("dt-eot.bin", Ok(0xF0)),
        (
            "dt-nonzero-number.bin",
            Err(Error::NonZeroTpduNumber { number: 1 }),
        ),
        (
            "empty.bin",
            Err(Error::Truncated {
                needed: 2,
                available: 0,
            }),
        ),
        ("er-invalid-tpdu.bin", Ok(0x70)),
        (
            "length-byte-missing.bin",
            Err(Error::ParameterOverrun {
                code: 0xC0,
                declared: 1,
                remaining: 0,
            }),
        ),
        ("li-255.bin", Err(Error::ReservedLengthIndicator)),
        (
            "li-past-data.bin",
            Err(Error::LengthIndicatorPastData {
                li: 0x11,
                available: 5,
            }),
        ),
        ("s7-client-cr.bin", Ok(0xE0)),
        ("snap7-cr-c0-first.bin", Ok(0xE0)),
        (
            "tsap-overrun.bin",
            Err(Error::ParameterOverrun {
                code: 0xC2,
                declared: 3,
                remaining: 2,
            }),
        ),
    ];
    let inputs = inputs();
    for (name, result) in expected {
        let (_, data) = inputs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(Tpdu::parse(data).map(|t| t.code()), result, "{name}");
    }
}
