//! Replays the fuzz seeds in `tests/fuzz-regressions/` with the checks of the fuzz targets
//! `s7comm_tag` and `s7comm_decode` (see `fuzz/fuzz_targets/`), plus what each seed's name
//! promises:
//!
//! - `tag/ok-*` parse, `tag/err-*` are refused;
//! - `decode/reject-*` decode neither as request nor as answer; `decode/lossy-*` decode and
//!   re-encode to other bytes (the codec ignores or normalises the field the name gives);
//!   every other `decode/*` seed decodes and re-encodes to exactly its own bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::PathBuf;

use s7comm::{Error, RequestPdu, ResponsePdu, Tag};

fn seeds(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(kind);
    let mut seeds: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "too few {kind} seeds");
    seeds
}

/// The checks of fuzz target `s7comm_tag`; returns whether the input parsed.
fn check_tag(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    match Tag::parse(text) {
        Ok(tag) => {
            let canonical = tag.to_string();
            assert_eq!(Tag::parse(&canonical), Ok(tag), "{text:?} -> {canonical:?}");
            let _ = tag.item_address();
            true
        }
        Err(Error::Address { input, at, .. }) => {
            assert_eq!(input, text);
            assert!(text.is_char_boundary(at));
            false
        }
        Err(other) => panic!("{text:?}: {other:?}"),
    }
}

/// The checks of fuzz target `s7comm_decode`; returns the re-encodings of what decoded.
fn check_decode(data: &[u8]) -> Vec<Vec<u8>> {
    let mut wires = Vec::new();
    if let Ok(request) = RequestPdu::parse(data) {
        let wire = request.to_bytes().unwrap();
        assert_eq!(wire.len(), request.buffer_len());
        let again = RequestPdu::parse(&wire).unwrap();
        assert_eq!(again, request);
        assert_eq!(again.to_bytes().unwrap(), wire);
        wires.push(wire);
    }
    if let Ok(response) = ResponsePdu::parse(data) {
        let wire = response.to_bytes().unwrap();
        assert_eq!(wire.len(), response.buffer_len());
        let again = ResponsePdu::parse(&wire).unwrap();
        assert_eq!(again, response);
        assert_eq!(again.to_bytes().unwrap(), wire);
        wires.push(wire);
    }
    wires
}

#[test]
fn tag_seeds() {
    for (name, data) in seeds("tag") {
        let parsed = check_tag(&data);
        if name.starts_with("ok-") {
            assert!(parsed, "{name} does not parse");
        } else {
            assert!(name.starts_with("err-"), "{name}: name it ok-* or err-*");
            assert!(!parsed, "{name} parses");
        }
    }
}

#[test]
fn decode_seeds() {
    for (name, data) in seeds("decode") {
        let wires = check_decode(&data);
        if name.starts_with("reject-") {
            assert!(wires.is_empty(), "{name} decodes");
        } else if name.starts_with("lossy-") {
            assert!(!wires.is_empty(), "{name} does not decode");
            assert!(
                wires.iter().all(|w| *w != data),
                "{name} re-encodes identically"
            );
        } else {
            assert!(!wires.is_empty(), "{name} does not decode");
            assert!(
                wires.iter().all(|w| *w == data),
                "{name} re-encodes to {wires:02x?}"
            );
        }
    }
}
