//! Replays the fuzz seeds in `tests/fuzz-regressions/` with the checks of the fuzz targets
//! `s7comm_tag` and `s7comm_decode` (see `fuzz/fuzz_targets/`), plus what each seed's name
//! promises:
//!
//! - `tag/ok-*` parse, `tag/err-*` are refused;
//! - `decode/reject-*` decode neither as request nor as answer; every other `decode/*` seed
//!   decodes (as request, as answer or both) and re-encodes to exactly its own bytes. The
//!   names say which kept field a seed covers (reserved bytes, fill bytes, item lengths, a
//!   missing item count, an ack-data without sections).
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

/// The checks of fuzz target `s7comm_decode`: whatever decodes re-encodes to exactly `data`.
/// Returns how many of the two decoders accepted it.
fn check_decode(name: &str, data: &[u8]) -> usize {
    let mut decoded = 0;
    if let Ok(request) = RequestPdu::parse(data) {
        assert_eq!(request.buffer_len(), data.len(), "{name}: {request:?}");
        assert_eq!(request.to_bytes().unwrap(), data, "{name}: {request:?}");
        decoded += 1;
    }
    if let Ok(response) = ResponsePdu::parse(data) {
        assert_eq!(response.buffer_len(), data.len(), "{name}: {response:?}");
        assert_eq!(response.to_bytes().unwrap(), data, "{name}: {response:?}");
        decoded += 1;
    }
    decoded
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
        let decoded = check_decode(&name, &data);
        if name.starts_with("reject-") {
            assert_eq!(decoded, 0, "{name} decodes");
        } else {
            assert!(decoded > 0, "{name} does not decode");
        }
    }
}
