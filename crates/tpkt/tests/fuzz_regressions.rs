//! Replays every input in tests/fuzz-regressions/ (fuzz crashes and hand-made edge cases)
//! through all of the crate's decoders. Each must return a `Result`, never panic, and keep
//! the same invariants the fuzz target checks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::fs;
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use tpkt::{decode_frame, peek_frame_len, Error, FrameDecoder, Packet, HEADER_LEN};

fn inputs() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut inputs: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().is_some_and(|name| name != "README.md"))
        .map(|path| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

/// Decodes a stream fed in the given pieces, then ends it.
fn stream(decoder: &FrameDecoder, pieces: &[&[u8]]) -> Result<Vec<Bytes>, Error> {
    let mut decoder = decoder.clone();
    let mut src = BytesMut::new();
    let mut frames = Vec::new();
    for piece in pieces {
        src.extend_from_slice(piece);
        loop {
            let before = src.len();
            match decoder.decode(&mut src) {
                Ok(Some(frame)) => {
                    assert_eq!(frame.len() + HEADER_LEN, before - src.len());
                    frames.push(frame);
                }
                Ok(None) => {
                    assert_eq!(src.len(), before, "Ok(None) consumed bytes");
                    break;
                }
                Err(error) => {
                    assert_eq!(src.len(), before, "an error consumed bytes");
                    return Err(error);
                }
            }
        }
    }
    while let Some(frame) = decoder.decode_eof(&mut src)? {
        frames.push(frame);
    }
    assert!(src.is_empty());
    Ok(frames)
}

fn replay(data: &[u8]) {
    let peeked = peek_frame_len(data);
    let decoded = decode_frame(data);
    assert_eq!(Packet::new_checked(data).map(Packet::into_payload), decoded);
    if let Ok(payload) = decoded {
        assert_eq!(peeked, Ok(Some(payload.len() + HEADER_LEN)));
        assert_eq!(payload.len() + HEADER_LEN, data.len());
    }
    let unchecked = Packet::new_unchecked(data);
    let _ = (
        unchecked.version(),
        unchecked.reserved(),
        unchecked.frame_len(),
    );
    assert!(unchecked.payload().len() <= data.len());

    for decoder in [
        FrameDecoder::new(),
        FrameDecoder::with_max_frame_len(16).unwrap(),
    ] {
        let whole = stream(&decoder, &[data]);
        let split = usize::from(data.first().copied().unwrap_or(0)) % (data.len() + 1);
        let (head, tail) = data.split_at(split);
        assert_eq!(stream(&decoder, &[head, tail]), whole);
        let bytewise: Vec<&[u8]> = data.chunks(1).collect();
        assert_eq!(stream(&decoder, &bytewise), whole);
        if let Ok(payload) = &decoded {
            if data.len() <= decoder.max_frame_len() {
                assert_eq!(whole, Ok(vec![Bytes::copy_from_slice(payload)]));
            }
        }
    }
}

#[test]
fn every_regression_input_is_handled() {
    let inputs = inputs();
    assert!(
        inputs.len() >= 2,
        "the regression folder lost its seed inputs"
    );
    for (path, data) in &inputs {
        let outcome = std::panic::catch_unwind(|| replay(data));
        assert!(outcome.is_ok(), "{} failed", path.display());
    }
}

#[test]
fn seed_declaring_length_3_is_rejected_everywhere() {
    let data = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/declared-length-3.bin"),
    )
    .unwrap();
    let error = Error::LengthBelowMinimum { declared: 3 };
    assert_eq!(decode_frame(&data), Err(error.clone()));
    assert_eq!(peek_frame_len(&data), Err(error.clone()));
    assert_eq!(stream(&FrameDecoder::new(), &[&data]), Err(error));
}
