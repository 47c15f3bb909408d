//! Runs every case of the lean-s7 TPKT conformance vectors (tests/conformance/lean-s7/), an
//! outside check of our reading of RFC 1006.
//!
//! Each case gives bytes as a list of chunks (`{"hex": ".."}` or
//! `{"repeat": {"count": N, "byte_hex": "aa"}}`) and an expected outcome: `accept` with the
//! exact output bytes, or `reject` with an error name that maps onto one of our variants.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::BytesMut;
use serde_json::Value;
use tpkt::{decode_frame, encode, encode_header, encoded_len, Error, FrameDecoder, Packet};

const VECTORS: &str = include_str!("conformance/lean-s7/tpkt.json");

fn vectors() -> Value {
    let vectors: Value = serde_json::from_str(VECTORS).expect("tpkt.json is valid JSON");
    assert_eq!(vectors["schema_version"], 1, "unknown schema version");
    vectors
}

fn cases<'a>(vectors: &'a Value, key: &str) -> &'a [Value] {
    let cases = vectors[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is missing or not an array"));
    assert!(!cases.is_empty(), "{key} is empty");
    cases
}

/// The vectors' name for each of our errors.
fn conformance_name(error: &Error) -> &'static str {
    match error {
        Error::UnsupportedVersion { .. } => "invalid-version",
        Error::LengthBelowMinimum { .. } => "length-below-minimum",
        Error::LengthMismatch { .. } => "length-mismatch",
        Error::Truncated { .. } => "unexpected-end",
        Error::PayloadTooSmall { .. } => "frame-too-small",
        Error::PayloadTooLarge { .. } => "frame-too-large",
        other => panic!("{other:?} has no conformance name"),
    }
}

fn parse_hex(hex: &str) -> Vec<u8> {
    assert!(hex.len() % 2 == 0, "odd-length hex {hex:?}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
        .collect()
}

fn bytes_of(value: &Value) -> Vec<u8> {
    let chunks = value["chunks"].as_array().expect("a chunks array");
    let mut out = Vec::new();
    for chunk in chunks {
        if let Some(hex) = chunk.get("hex") {
            out.extend(parse_hex(hex.as_str().expect("hex is a string")));
        } else if let Some(repeat) = chunk.get("repeat") {
            let count = usize::try_from(repeat["count"].as_u64().expect("count")).unwrap();
            let byte = parse_hex(repeat["byte_hex"].as_str().expect("byte_hex"));
            assert_eq!(byte.len(), 1, "byte_hex is one byte");
            out.extend(std::iter::repeat_n(byte[0], count));
        } else {
            panic!("unknown chunk kind {chunk}");
        }
    }
    out
}

enum Expected {
    Accept(Vec<u8>),
    Reject(String),
}

fn expected(case: &Value, output_key: &str) -> Expected {
    let expected = &case["expected"];
    match expected["status"].as_str() {
        Some("accept") => Expected::Accept(bytes_of(&expected[output_key])),
        Some("reject") => Expected::Reject(expected["error"].as_str().expect("error").to_owned()),
        other => panic!("unknown status {other:?}"),
    }
}

fn id(case: &Value) -> &str {
    case["id"].as_str().expect("every case has an id")
}

fn run_encode_case(case: &Value) {
    let id = id(case);
    let payload = bytes_of(&case["payload"]);
    let mut out = Vec::new();
    let result = encode(&payload, &mut out);
    match expected(case, "packet") {
        Expected::Accept(packet) => {
            assert_eq!(result, Ok(()), "{id}");
            assert_eq!(out, packet, "{id}: encoded bytes");
            assert_eq!(encoded_len(payload.len()), Ok(packet.len()), "{id}");
            assert_eq!(
                encode_header(payload.len()).unwrap()[..],
                packet[..4],
                "{id}: header"
            );
        }
        Expected::Reject(name) => {
            let error = result.expect_err(id);
            assert_eq!(conformance_name(&error), name, "{id}: {error}");
            assert!(out.is_empty(), "{id}: nothing written on error");
            assert_eq!(encode_header(payload.len()), Err(error), "{id}");
        }
    }
}

/// Feeds `input` through the streaming decoder as a stream that then ends.
fn stream(input: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut decoder = FrameDecoder::new();
    let mut src = BytesMut::from(input);
    let mut frames = Vec::new();
    while let Some(frame) = decoder.decode_eof(&mut src)? {
        frames.push(frame.to_vec());
    }
    assert!(src.is_empty(), "decode_eof returned None with bytes left");
    Ok(frames)
}

fn run_decode_case(case: &Value) {
    let id = id(case);
    let packet = bytes_of(&case["packet"]);
    let result = decode_frame(&packet);
    let view = Packet::new_checked(&packet[..]);
    match expected(case, "payload") {
        Expected::Accept(payload) => {
            assert_eq!(result, Ok(&payload[..]), "{id}: decode_frame");
            let view = view.unwrap();
            assert_eq!(view.payload(), &payload[..], "{id}: Packet");
            assert_eq!(view.frame_len(), packet.len(), "{id}: Packet");
            assert_eq!(stream(&packet), Ok(vec![payload]), "{id}: FrameDecoder");
        }
        Expected::Reject(name) => {
            let error = result.expect_err(id);
            assert_eq!(conformance_name(&error), name, "{id}: {error}");
            assert_eq!(view.err(), Some(error.clone()), "{id}: Packet");
            // A stream cannot tell "one frame, wrong length" from "more to come", so it
            // reports those at end of stream as truncation; header errors are the same.
            let streamed = stream(&packet).expect_err(id);
            match error {
                Error::LengthMismatch { .. } | Error::Truncated { .. } => {
                    assert!(
                        matches!(streamed, Error::Truncated { .. }),
                        "{id}: {streamed}"
                    );
                }
                _ => assert_eq!(streamed, error, "{id}: FrameDecoder"),
            }
        }
    }
}

#[test]
fn every_encode_case() {
    let vectors = vectors();
    let cases = cases(&vectors, "encode_cases");
    let mut run = 0;
    for case in cases {
        run_encode_case(case);
        run += 1;
    }
    assert_eq!(run, cases.len());
}

#[test]
fn every_decode_case() {
    let vectors = vectors();
    let cases = cases(&vectors, "decode_cases");
    let mut run = 0;
    for case in cases {
        run_decode_case(case);
        run += 1;
    }
    assert_eq!(run, cases.len());
}

#[test]
fn no_case_is_left_out() {
    let vectors = vectors();
    let object = vectors.as_object().unwrap();
    let case_lists: Vec<&String> = object
        .keys()
        .filter(|key| key.ends_with("_cases"))
        .collect();
    assert_eq!(
        case_lists,
        ["decode_cases", "encode_cases"],
        "a case list this runner does not know"
    );
    let ids: Vec<&str> = ["encode_cases", "decode_cases"]
        .iter()
        .flat_map(|key| cases(&vectors, key))
        .map(id)
        .collect();
    let total = cases(&vectors, "encode_cases").len() + cases(&vectors, "decode_cases").len();
    assert_eq!(ids.len(), total);
    // The raw file agrees: every case object, counted textually, was parsed.
    assert_eq!(VECTORS.matches("\"id\":").count(), total);
}
