//! Feeds arbitrary bytes to every TPKT decoder and checks the invariants that must hold for
//! any input: no panic, a decoded frame's length adds up, and the streaming decoder agrees with
//! the slice decoder whatever the chunking.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use tpkt::{decode_frame, encode, peek_frame_len, Error, FrameDecoder, Packet, HEADER_LEN};

/// Feeds `pieces` as successive reads, then ends the stream.
fn stream(decoder: &FrameDecoder, pieces: &[&[u8]]) -> Result<Vec<Bytes>, Error> {
    let mut decoder = decoder.clone();
    let mut src = BytesMut::new();
    let mut frames = Vec::new();
    for piece in pieces {
        src.extend_from_slice(piece);
        loop {
            let before = src.clone();
            match decoder.decode(&mut src) {
                Ok(Some(frame)) => {
                    let frame_len = frame.len() + HEADER_LEN;
                    assert!(frame_len <= decoder.max_frame_len());
                    assert_eq!(peek_frame_len(&before), Ok(Some(frame_len)));
                    assert_eq!(&frame[..], &before[HEADER_LEN..frame_len]);
                    assert_eq!(&src[..], &before[frame_len..]);
                    frames.push(frame);
                }
                Ok(None) => {
                    assert_eq!(src, before, "Ok(None) must consume nothing");
                    break;
                }
                Err(error) => {
                    assert_eq!(src, before, "an error must consume nothing");
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

fuzz_target!(|data: &[u8]| {
    let peeked = peek_frame_len(data);
    if data.len() < HEADER_LEN {
        assert_eq!(peeked, Ok(None));
    }
    if let Ok(Some(declared)) = peeked {
        assert!((tpkt::MIN_FRAME_LEN..=tpkt::MAX_FRAME_LEN).contains(&declared));
    }

    let decoded = decode_frame(data);
    assert_eq!(Packet::new_checked(data).map(Packet::into_payload), decoded);
    if let Ok(payload) = decoded {
        let declared = usize::from(u16::from_be_bytes([data[2], data[3]]));
        assert_eq!(data[0], tpkt::VERSION);
        assert_eq!(payload.len() + HEADER_LEN, declared);
        assert_eq!(declared, data.len());
        assert_eq!(peeked, Ok(Some(declared)));

        // Re-encoding gives the same frame, except for the reserved byte, which is written as 0.
        let mut again = Vec::new();
        encode(payload, &mut again).unwrap();
        assert_eq!(again[0], data[0]);
        assert_eq!(again[1], 0);
        assert_eq!(again[2..], data[2..]);
    }

    let unchecked = Packet::new_unchecked(data);
    let _ = (
        unchecked.version(),
        unchecked.reserved(),
        unchecked.frame_len(),
    );
    assert!(unchecked.payload().len() <= data.len().saturating_sub(HEADER_LEN));

    // Encoding arbitrary data either succeeds and round-trips or is refused by length.
    let mut wire = Vec::new();
    match encode(data, &mut wire) {
        Ok(()) => assert_eq!(decode_frame(&wire), Ok(data)),
        Err(Error::PayloadTooSmall { len }) => assert!(len < tpkt::MIN_PAYLOAD_LEN),
        Err(Error::PayloadTooLarge { len }) => assert!(len > tpkt::MAX_PAYLOAD_LEN),
        Err(other) => panic!("unexpected encode error {other:?}"),
    }

    let split = usize::from(data.first().copied().unwrap_or(0)) % (data.len() + 1);
    let (head, tail) = data.split_at(split);
    let limit = 7 + usize::from(data.last().copied().unwrap_or(0));
    for decoder in [
        FrameDecoder::new(),
        FrameDecoder::with_max_frame_len(limit).unwrap(),
    ] {
        let whole = stream(&decoder, &[data]);
        assert_eq!(stream(&decoder, &[head, tail]), whole);
        if let Ok(payload) = decoded {
            if data.len() <= decoder.max_frame_len() {
                assert_eq!(whole, Ok(vec![Bytes::copy_from_slice(payload)]));
            } else {
                assert!(matches!(whole, Err(Error::FrameExceedsLimit { .. })));
            }
        }
    }
});
