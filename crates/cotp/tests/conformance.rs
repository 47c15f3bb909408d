//! Runs every case of the lean-s7 COTP data TPDU conformance vectors
//! (tests/conformance/lean-s7/cotp-data.json, MIT licensed, see the LICENSE beside it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cotp::{parse_data_header, Data, Error, Tpdu};
use serde_json::Value;

const VECTORS: &str = include_str!("conformance/lean-s7/cotp-data.json");

/// Expands `{"chunks": [{"hex": ".."} | {"repeat": {"count": n, "byte_hex": ".."}}]}`.
fn bytes_of(field: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in field["chunks"].as_array().expect("chunks array") {
        if let Some(hex) = chunk.get("hex") {
            out.extend(decode_hex(hex.as_str().expect("hex string")));
        } else if let Some(repeat) = chunk.get("repeat") {
            let count = usize::try_from(repeat["count"].as_u64().expect("count")).unwrap();
            let byte = decode_hex(repeat["byte_hex"].as_str().expect("byte_hex"));
            assert_eq!(byte.len(), 1, "byte_hex must be one byte");
            out.extend(std::iter::repeat_n(byte[0], count));
        } else {
            panic!("unknown chunk kind: {chunk}");
        }
    }
    out
}

fn decode_hex(hex: &str) -> Vec<u8> {
    assert!(hex.len() % 2 == 0, "odd hex length: {hex}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// The vectors' error names mapped to this crate's variants.
fn matches_error_name(name: &str, error: &Error) -> bool {
    match name {
        "invalid-header-length" => matches!(error, Error::InvalidDataHeaderLength { .. }),
        "invalid-tpdu-code" => matches!(error, Error::UnexpectedTpduCode { .. }),
        "nonzero-tpdu-number" => matches!(error, Error::NonZeroTpduNumber { .. }),
        "unexpected-end" => matches!(error, Error::Truncated { .. }),
        other => panic!("error name {other:?} has no mapping to a cotp::Error variant"),
    }
}

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn run_encode_cases(doc: &Value) -> usize {
    let mut ran = 0;
    for case in doc["encode_cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let payload = bytes_of(&case["payload"]);
        let eot = case["end_of_transmission"].as_bool().unwrap();
        let expected = bytes_of(&case["expected"]);
        let dt = Data::new(eot, &payload);
        let mut out = Vec::new();
        dt.emit(&mut out);
        assert_eq!(out, expected, "encode case {id}");
        assert_eq!(dt.buffer_len(), expected.len(), "encode case {id}");
        assert_eq!(
            Tpdu::Data(dt).to_vec().unwrap(),
            expected,
            "encode case {id} via Tpdu"
        );
        ran += 1;
    }
    ran
}

fn run_decode_cases(doc: &Value) -> usize {
    let mut ran = 0;
    for case in doc["decode_cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let packet = bytes_of(&case["packet"]);
        let expected = &case["expected"];
        match expected["status"].as_str().unwrap() {
            "accept" => {
                let payload = bytes_of(&expected["payload"]);
                let eot = expected["end_of_transmission"].as_bool().unwrap();
                let dt = Data::parse(&packet).unwrap_or_else(|e| panic!("decode case {id}: {e}"));
                assert_eq!(dt.payload, payload.as_slice(), "decode case {id}");
                assert_eq!(dt.eot, eot, "decode case {id}");
                assert_eq!(parse_data_header(&packet), Ok(eot), "decode case {id}");
                assert_eq!(Tpdu::parse(&packet), Ok(Tpdu::Data(dt)), "decode case {id}");
                let mut out = Vec::new();
                dt.emit(&mut out);
                assert_eq!(out, packet, "decode case {id}: re-emit");
            }
            "reject" => {
                let name = expected["error"].as_str().unwrap();
                let error = Data::parse(&packet).expect_err(id);
                assert!(
                    matches_error_name(name, &error),
                    "decode case {id}: {name} vs {error:?}"
                );
                assert_eq!(parse_data_header(&packet), Err(error), "decode case {id}");
            }
            other => panic!("decode case {id}: unknown status {other:?}"),
        }
        ran += 1;
    }
    ran
}

#[test]
fn every_case_runs() {
    let doc = vectors();
    assert_eq!(doc["schema_version"], 1);
    let encode = doc["encode_cases"].as_array().unwrap().len();
    let decode = doc["decode_cases"].as_array().unwrap().len();
    assert!(encode > 0 && decode > 0);
    let ran = run_encode_cases(&doc) + run_decode_cases(&doc);
    assert_eq!(ran, encode + decode);
}

#[test]
fn reject_cases_map_to_the_expected_variants() {
    // The vectors name errors; pin the exact values this crate gives for them.
    let doc = vectors();
    let mut seen = Vec::new();
    for case in doc["decode_cases"].as_array().unwrap() {
        if case["expected"]["status"] == "reject" {
            let packet = bytes_of(&case["packet"]);
            seen.push((
                case["id"].as_str().unwrap().to_owned(),
                Data::parse(&packet).unwrap_err(),
            ));
        }
    }
    let expected: Vec<(String, Error)> = vec![
        (
            "invalid-header-length".into(),
            Error::InvalidDataHeaderLength { li: 3 },
        ),
        (
            "invalid-tpdu-code".into(),
            Error::UnexpectedTpduCode {
                expected: 0xF0,
                found: 0xE0,
            },
        ),
        (
            "nonzero-tpdu-number".into(),
            Error::NonZeroTpduNumber { number: 1 },
        ),
        (
            "truncated-header".into(),
            Error::Truncated {
                needed: 3,
                available: 2,
            },
        ),
    ];
    assert_eq!(seen, expected);
}
