//! Sample frames for the wire benches, and the hand-rolled loops that are their floors.

use crate::Error;

/// Frame lengths (TPKT header included) of the decode bench: a 4-byte read's answer, a
/// mid-sized answer and an answer that nearly fills a 1024-byte TPDU.
pub const DECODE_FRAME_LENS: [usize; 3] = [29, 247, 963];

/// How many times the three frames repeat in the decode bench's buffer: 96 frames, about
/// 40 KB, which stays in L2 so the bench measures decoding, not memory.
pub const DECODE_REPEATS: usize = 32;

/// Frames in the decode bench's buffer.
pub const DECODE_FRAMES: usize = DECODE_FRAME_LENS.len() * DECODE_REPEATS;

/// One DT frame (TPKT + COTP DT with EOT) of `frame_len` bytes whose user data is a
/// recognisable pattern.
///
/// # Errors
/// [`Error::Tpkt`] if `frame_len` is outside what TPKT can carry with a DT header.
pub fn data_frame(frame_len: usize) -> Result<Vec<u8>, Error> {
    let payload_len = frame_len
        .checked_sub(tpkt::HEADER_LEN)
        .ok_or(tpkt::Error::PayloadTooSmall { len: 0 })?;
    let user_len = payload_len.saturating_sub(cotp::DATA_HEADER_LEN);
    let user: Vec<u8> = (0..user_len).map(|i| (i % 251).to_le_bytes()[0]).collect();
    let mut frame = Vec::with_capacity(frame_len);
    frame.extend_from_slice(&tpkt::encode_header(payload_len)?);
    cotp::Data::new(true, &user).emit(&mut frame);
    Ok(frame)
}

/// The decode bench's buffer: [`DECODE_FRAME_LENS`] back to back, [`DECODE_REPEATS`] times.
///
/// # Errors
/// As [`data_frame`].
pub fn decode_buffer() -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    for _ in 0..DECODE_REPEATS {
        for len in DECODE_FRAME_LENS {
            buf.extend_from_slice(&data_frame(len)?);
        }
    }
    Ok(buf)
}

/// The floor of the decode bench: walks the frames reading only the two headers' fields (the
/// TPKT length and the DT's EOT bit), validating nothing. Returns a value depending on every
/// frame so the loop cannot be optimised away.
pub fn decode_floor(buf: &[u8]) -> usize {
    let mut pos = 0_usize;
    let mut acc = 0_usize;
    while let Some(&[_, _, hi, lo, _, _, flags]) =
        buf.get(pos..).and_then(|rest| rest.first_chunk::<7>())
    {
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        acc = acc.wrapping_add(len).wrapping_add(usize::from(flags >> 7));
        // A zero length would loop forever on a corrupt buffer; the bench's buffer has none.
        pos = pos.wrapping_add(len.max(1));
    }
    acc
}

/// The zero-copy view path: [`tpkt::Packet`] over each frame, then [`cotp::Data::parse`].
///
/// # Errors
/// The first framing or COTP error.
pub fn decode_view(buf: &[u8]) -> Result<usize, Error> {
    let mut rest = buf;
    let mut acc = 0_usize;
    while let Some(len) = tpkt::peek_frame_len(rest)? {
        let (frame, tail) = rest.split_at_checked(len).ok_or(tpkt::Error::Truncated {
            needed: len,
            available: rest.len(),
        })?;
        let packet = tpkt::Packet::new_checked(frame)?;
        let data = cotp::Data::parse(packet.payload())?;
        acc = acc
            .wrapping_add(data.payload.len())
            .wrapping_add(usize::from(data.eot));
        rest = tail;
    }
    Ok(acc)
}

/// The slice path: [`tpkt::decode_frame`] over each frame, then
/// [`cotp::parse_data_header`].
///
/// # Errors
/// The first framing or COTP error.
pub fn decode_slices(buf: &[u8]) -> Result<usize, Error> {
    let mut rest = buf;
    let mut acc = 0_usize;
    while let Some(len) = tpkt::peek_frame_len(rest)? {
        let (frame, tail) = rest.split_at_checked(len).ok_or(tpkt::Error::Truncated {
            needed: len,
            available: rest.len(),
        })?;
        let payload = tpkt::decode_frame(frame)?;
        let eot = cotp::parse_data_header(payload)?;
        acc = acc
            .wrapping_add(payload.len().saturating_sub(cotp::DATA_HEADER_LEN))
            .wrapping_add(usize::from(eot));
        rest = tail;
    }
    Ok(acc)
}

/// The streaming path: [`tpkt::FrameDecoder`] hands each frame out as `Bytes`, then
/// [`cotp::parse_data_header`]; each payload is dropped before the next is decoded, as a
/// consumer that handles messages one by one does.
///
/// # Errors
/// The first framing or COTP error.
pub fn decode_stream(
    decoder: &mut tpkt::FrameDecoder,
    src: &mut bytes::BytesMut,
) -> Result<usize, Error> {
    let mut acc = 0_usize;
    while let Some(payload) = decoder.decode(src)? {
        let eot = cotp::parse_data_header(&payload)?;
        acc = acc
            .wrapping_add(payload.len().saturating_sub(cotp::DATA_HEADER_LEN))
            .wrapping_add(usize::from(eot));
    }
    Ok(acc)
}

/// The TSDU of the encode bench: the S7 part of a 938-byte read answer.
pub const ENCODE_TSDU_LEN: usize = 931;

/// TPDU size of the encode bench's single-frame case.
pub const ENCODE_SINGLE_TPDU: usize = 1024;

/// TPDU size of the encode bench's segmented case (the smallest class 0 allows).
pub const ENCODE_SEGMENTED_TPDU: usize = 128;

/// Encodes `tsdu` as DT frames of at most `tpdu_size` bytes into `out` (cleared first), the
/// way a sender does: [`cotp::segments`], [`tpkt::encode_header`], [`cotp::Data::emit`].
/// Returns the number of frames.
///
/// # Errors
/// [`Error::Cotp`] if `tpdu_size` is too small to carry data.
pub fn encode_frames(tsdu: &[u8], tpdu_size: usize, out: &mut Vec<u8>) -> Result<usize, Error> {
    out.clear();
    let segments = cotp::segments(tsdu, tpdu_size)?;
    let frames = segments.len();
    for segment in segments {
        out.extend_from_slice(&tpkt::encode_header(segment.buffer_len())?);
        segment.emit(out);
    }
    Ok(frames)
}

/// The floor of the encode bench: the same bytes written by a hand-rolled loop that checks
/// nothing. Returns the number of frames.
pub fn encode_floor(tsdu: &[u8], tpdu_size: usize, out: &mut Vec<u8>) -> usize {
    out.clear();
    let chunk = tpdu_size.saturating_sub(cotp::DATA_HEADER_LEN).max(1);
    let count = tsdu.len().div_ceil(chunk).max(1);
    for (index, part) in tsdu.chunks(chunk).enumerate() {
        let len = part
            .len()
            .saturating_add(tpkt::HEADER_LEN + cotp::DATA_HEADER_LEN);
        let [hi, lo] = u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes();
        let eot = if index.saturating_add(1) == count {
            0x80
        } else {
            0
        };
        out.extend_from_slice(&[3, 0, hi, lo, 2, 0xF0, eot]);
        out.extend_from_slice(part);
    }
    count
}
