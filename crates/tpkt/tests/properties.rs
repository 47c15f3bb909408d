//! Property tests: round trips, robustness on arbitrary input, and independence from how a
//! stream is chunked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use tpkt::{
    decode_frame, encode, encode_header, peek_frame_len, Error, FrameDecoder, Packet, HEADER_LEN,
    MAX_FRAME_LEN, MAX_PAYLOAD_LEN, MIN_FRAME_LEN, MIN_PAYLOAD_LEN,
};

fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), MIN_PAYLOAD_LEN..=600)
}

/// Cuts `stream` at the given points (taken modulo its length, sorted) into chunks.
fn chunks<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|cut| cut % (stream.len() + 1)).collect();
    points.push(0);
    points.push(stream.len());
    points.sort_unstable();
    points.windows(2).map(|w| &stream[w[0]..w[1]]).collect()
}

/// Feeds chunks one at a time, decoding after each, as a network reader would.
fn decode_chunked(decoder: &mut FrameDecoder, pieces: &[&[u8]]) -> Result<Vec<Bytes>, Error> {
    let mut src = BytesMut::new();
    let mut frames = Vec::new();
    for piece in pieces {
        src.extend_from_slice(piece);
        while let Some(frame) = decoder.decode(&mut src)? {
            frames.push(frame);
        }
    }
    assert!(decoder.decode_eof(&mut src)?.is_none());
    Ok(frames)
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(payload in payload()) {
        let mut wire = Vec::new();
        encode(&payload, &mut wire).unwrap();
        prop_assert_eq!(wire.len(), payload.len() + HEADER_LEN);
        prop_assert_eq!(&wire[..HEADER_LEN], &encode_header(payload.len()).unwrap()[..]);
        prop_assert_eq!(decode_frame(&wire), Ok(&payload[..]));
        prop_assert_eq!(peek_frame_len(&wire), Ok(Some(wire.len())));
        let packet = Packet::new_checked(&wire[..]).unwrap();
        prop_assert_eq!(packet.version(), 3);
        prop_assert_eq!(packet.reserved(), 0);
        prop_assert_eq!(packet.payload(), &payload[..]);

        let mut src = BytesMut::from(&wire[..]);
        let frame = FrameDecoder::new().decode(&mut src).unwrap().unwrap();
        prop_assert_eq!(&frame[..], &payload[..]);
        prop_assert!(src.is_empty());
    }

    #[test]
    fn encode_header_covers_the_whole_length_range(len in MIN_PAYLOAD_LEN..=MAX_PAYLOAD_LEN) {
        let header = encode_header(len).unwrap();
        prop_assert_eq!(peek_frame_len(&header), Ok(Some(len + HEADER_LEN)));
    }

    #[test]
    fn encode_refuses_out_of_range_lengths(len in prop_oneof![0..MIN_PAYLOAD_LEN, (MAX_PAYLOAD_LEN + 1)..=usize::MAX]) {
        let error = encode_header(len).unwrap_err();
        if len < MIN_PAYLOAD_LEN {
            prop_assert_eq!(error, Error::PayloadTooSmall { len });
        } else {
            prop_assert_eq!(error, Error::PayloadTooLarge { len });
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_agree(input in prop::collection::vec(any::<u8>(), 0..64)) {
        let peeked = peek_frame_len(&input);
        let decoded = decode_frame(&input);
        let packet = Packet::new_checked(&input[..]);
        prop_assert_eq!(packet.map(Packet::into_payload), decoded.clone());

        let unchecked = Packet::new_unchecked(&input[..]);
        let _ = (unchecked.version(), unchecked.reserved(), unchecked.frame_len());
        prop_assert!(unchecked.payload().len() <= input.len().saturating_sub(HEADER_LEN));

        if let Ok(payload) = decoded {
            prop_assert_eq!(input[0], 3);
            prop_assert_eq!(payload.len() + HEADER_LEN, input.len());
            prop_assert_eq!(usize::from(u16::from_be_bytes([input[2], input[3]])), input.len());
            prop_assert_eq!(&peeked, &Ok(Some(input.len())));
        }
        if let Ok(Some(declared)) = &peeked {
            prop_assert!((MIN_FRAME_LEN..=MAX_FRAME_LEN).contains(declared));
        }
        if input.len() < HEADER_LEN {
            prop_assert_eq!(&peeked, &Ok(None));
        }
    }

    /// Every call either consumes nothing (`Ok(None)`, `Err`) or exactly one frame whose
    /// payload is the bytes that followed its header.
    #[test]
    fn decoder_consumes_all_of_a_frame_or_nothing(
        input in prop::collection::vec(any::<u8>(), 0..96),
        limit in MIN_FRAME_LEN..=MAX_FRAME_LEN,
        valid_header in any::<bool>(),
    ) {
        let mut input = input;
        if valid_header && input.len() >= 4 {
            // Arbitrary bytes rarely start with 03; make plausible headers common.
            input[0] = 3;
            input[2] = 0;
        }
        let mut decoder = FrameDecoder::with_max_frame_len(limit).unwrap();
        let mut src = BytesMut::from(&input[..]);
        let mut offset = 0;
        loop {
            let before = src.clone();
            match decoder.decode(&mut src) {
                Ok(Some(frame)) => {
                    let frame_len = frame.len() + HEADER_LEN;
                    prop_assert!(frame_len <= limit);
                    prop_assert_eq!(peek_frame_len(&before), Ok(Some(frame_len)));
                    prop_assert_eq!(&frame[..], &before[HEADER_LEN..frame_len]);
                    prop_assert_eq!(&src[..], &before[frame_len..]);
                    offset += frame_len;
                }
                Ok(None) => {
                    prop_assert_eq!(&src, &before);
                    break;
                }
                Err(error) => {
                    prop_assert_eq!(&src, &before);
                    prop_assert_eq!(decoder.decode(&mut src), Err(error));
                    break;
                }
            }
        }
        prop_assert_eq!(&src[..], &input[offset..]);
    }

    #[test]
    fn chunking_does_not_change_the_frames(
        payloads in prop::collection::vec(payload(), 1..6),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut stream = Vec::new();
        for payload in &payloads {
            encode(payload, &mut stream).unwrap();
        }
        let frames = decode_chunked(&mut FrameDecoder::new(), &chunks(&stream, &cuts)).unwrap();
        let frames: Vec<&[u8]> = frames.iter().map(|f| &f[..]).collect();
        let expected: Vec<&[u8]> = payloads.iter().map(|p| &p[..]).collect();
        prop_assert_eq!(frames, expected);
    }

    #[test]
    fn chunking_does_not_change_the_outcome_on_any_input(
        input in prop::collection::vec(any::<u8>(), 0..80),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let whole = decode_chunked(&mut FrameDecoder::new(), &[&input[..]]);
        let chunked = decode_chunked(&mut FrameDecoder::new(), &chunks(&input, &cuts));
        // The decoder keeps no state between calls, so where the reads split the stream
        // cannot change which frames come out nor which error stops them.
        prop_assert_eq!(whole, chunked);
    }

    #[test]
    fn limit_is_enforced_before_the_body_arrives(
        limit in MIN_FRAME_LEN..MAX_FRAME_LEN,
        excess in 1..=MAX_FRAME_LEN,
        body_prefix in prop::collection::vec(any::<u8>(), 0..32),
    ) {
        let declared = (limit + excess).min(MAX_FRAME_LEN);
        prop_assume!(declared > limit);
        let header = encode_header(declared - HEADER_LEN).unwrap();
        let mut decoder = FrameDecoder::with_max_frame_len(limit).unwrap();

        let mut src = BytesMut::from(&header[..]);
        src.extend_from_slice(&body_prefix);
        let before = src.clone();
        let capacity = src.capacity();
        prop_assert_eq!(
            decoder.decode(&mut src),
            Err(Error::FrameExceedsLimit { declared, limit })
        );
        prop_assert_eq!(&src, &before);
        prop_assert_eq!(src.capacity(), capacity);
    }

    #[test]
    fn frames_within_the_limit_pass(
        limit in MIN_FRAME_LEN..=2_000,
        payload in payload(),
    ) {
        let mut wire = Vec::new();
        encode(&payload, &mut wire).unwrap();
        let mut src = BytesMut::from(&wire[..]);
        let result = FrameDecoder::with_max_frame_len(limit).unwrap().decode(&mut src);
        if wire.len() <= limit {
            prop_assert_eq!(result.unwrap().unwrap(), Bytes::from(payload));
        } else {
            prop_assert_eq!(result, Err(Error::FrameExceedsLimit { declared: wire.len(), limit }));
        }
    }

    #[test]
    fn waiting_for_the_body_reserves_room_for_it(
        payload in payload(),
        received in 4_usize..,
    ) {
        let mut wire = Vec::new();
        encode(&payload, &mut wire).unwrap();
        let received = HEADER_LEN + received % (wire.len() - HEADER_LEN);
        let mut src = BytesMut::from(&wire[..received]);
        prop_assert_eq!(FrameDecoder::new().decode(&mut src), Ok(None));
        prop_assert_eq!(&src[..], &wire[..received]);
        prop_assert!(src.capacity() >= wire.len());
    }
}
