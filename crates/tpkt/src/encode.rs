//! Framing a payload: header construction and whole-frame encoding.

use bytes::BufMut;

use crate::{Error, HEADER_LEN, MIN_PAYLOAD_LEN, VERSION};

/// The length of the frame that carries a payload of `payload_len` bytes, header included.
///
/// Useful to reserve output space before [`encode`].
///
/// # Errors
///
/// [`Error::PayloadTooSmall`] below [`MIN_PAYLOAD_LEN`](crate::MIN_PAYLOAD_LEN) bytes,
/// [`Error::PayloadTooLarge`] above [`MAX_PAYLOAD_LEN`](crate::MAX_PAYLOAD_LEN).
///
/// # Examples
///
/// ```
/// assert_eq!(tpkt::encoded_len(3), Ok(7));
/// assert!(tpkt::encoded_len(65_532).is_err());
/// ```
pub fn encoded_len(payload_len: usize) -> Result<usize, Error> {
    frame_len_field(payload_len).map(usize::from)
}

/// The four header bytes for a payload of `payload_len` bytes: `03 00 LEN_HI LEN_LO`, the
/// length counting the header itself.
///
/// For writers that send the header and the payload from separate buffers (vectored I/O).
///
/// # Errors
///
/// As [`encoded_len`]: the payload must be 3..=65531 bytes, so that no frame shorter than 7 or
/// longer than 65535 bytes is ever emitted.
///
/// # Examples
///
/// ```
/// assert_eq!(tpkt::encode_header(3), Ok([0x03, 0x00, 0x00, 0x07]));
/// assert_eq!(tpkt::encode_header(65_531), Ok([0x03, 0x00, 0xff, 0xff]));
/// assert_eq!(tpkt::encode_header(2), Err(tpkt::Error::PayloadTooSmall { len: 2 }));
/// ```
pub fn encode_header(payload_len: usize) -> Result<[u8; HEADER_LEN], Error> {
    let [length_hi, length_lo] = frame_len_field(payload_len)?.to_be_bytes();
    Ok([VERSION, 0, length_hi, length_lo])
}

/// Appends one frame (header, then `payload`) to `out`.
///
/// Either the whole frame is written or nothing is.
///
/// # Errors
///
/// As [`encode_header`], plus [`Error::BufferTooSmall`] when `out` cannot take the whole frame
/// (a growable buffer such as `Vec<u8>` or `BytesMut` never runs out of room; a fixed
/// `&mut [u8]` can).
///
/// # Examples
///
/// ```
/// let mut out = Vec::new();
/// tpkt::encode(&[0x02, 0xf0, 0x80], &mut out)?;
/// assert_eq!(out, [0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80]);
/// # Ok::<(), tpkt::Error>(())
/// ```
pub fn encode<B: BufMut>(payload: &[u8], out: &mut B) -> Result<(), Error> {
    let header = encode_header(payload.len())?;
    let needed = encoded_len(payload.len())?;
    let available = out.remaining_mut();
    if available < needed {
        return Err(Error::BufferTooSmall { needed, available });
    }
    out.put_slice(&header);
    out.put_slice(payload);
    Ok(())
}

/// The value of the length field for a payload of `payload_len` bytes.
fn frame_len_field(payload_len: usize) -> Result<u16, Error> {
    if payload_len < MIN_PAYLOAD_LEN {
        return Err(Error::PayloadTooSmall { len: payload_len });
    }
    payload_len
        .checked_add(HEADER_LEN)
        .and_then(|frame_len| u16::try_from(frame_len).ok())
        .ok_or(Error::PayloadTooLarge { len: payload_len })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use bytes::BytesMut;

    #[test]
    fn smallest_frame() {
        let mut out = Vec::new();
        encode(&[0x02, 0xf0, 0x80], &mut out).unwrap();
        assert_eq!(out, [0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80]);
    }

    #[test]
    fn appends_after_existing_bytes() {
        let mut out = BytesMut::from(&[0xee][..]);
        encode(&[0x02, 0xf0, 0x80, 0xde, 0xad], &mut out).unwrap();
        assert_eq!(
            &out[..],
            &[0xee, 0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0xde, 0xad]
        );
    }

    #[test]
    fn length_is_big_endian_and_counts_the_header() {
        assert_eq!(encode_header(0x100 - 4), Ok([0x03, 0x00, 0x01, 0x00]));
        assert_eq!(encode_header(0x1234 - 4), Ok([0x03, 0x00, 0x12, 0x34]));
    }

    #[test]
    fn largest_frame() {
        let payload = vec![0xaa; 65_531];
        let mut out = Vec::new();
        encode(&payload, &mut out).unwrap();
        assert_eq!(out.len(), 65_535);
        assert_eq!(out.get(..4), Some(&[0x03, 0x00, 0xff, 0xff][..]));
        assert_eq!(out.get(4..), Some(&payload[..]));
    }

    #[test]
    fn too_small_payloads_are_refused() {
        for len in 0..3 {
            let mut out = Vec::new();
            assert_eq!(
                encode(&vec![0x02; len], &mut out),
                Err(Error::PayloadTooSmall { len })
            );
            assert!(out.is_empty());
            assert_eq!(encode_header(len), Err(Error::PayloadTooSmall { len }));
            assert_eq!(encoded_len(len), Err(Error::PayloadTooSmall { len }));
        }
    }

    #[test]
    fn too_large_payloads_are_refused() {
        let mut out = Vec::new();
        assert_eq!(
            encode(&vec![0xaa; 65_532], &mut out),
            Err(Error::PayloadTooLarge { len: 65_532 })
        );
        assert!(out.is_empty());
        for len in [65_532, 65_536, usize::MAX - 3, usize::MAX] {
            assert_eq!(encode_header(len), Err(Error::PayloadTooLarge { len }));
        }
    }

    #[test]
    fn fixed_buffer_too_small_writes_nothing() {
        let mut storage = [0x55_u8; 6];
        let mut window = &mut storage[..];
        assert_eq!(
            encode(&[0x02, 0xf0, 0x80], &mut window),
            Err(Error::BufferTooSmall {
                needed: 7,
                available: 6
            })
        );
        assert_eq!(storage, [0x55; 6]);
    }

    #[test]
    fn fixed_buffer_exactly_large_enough() {
        let mut storage = [0x55_u8; 8];
        let mut window = &mut storage[..];
        encode(&[0x02, 0xf0, 0x80], &mut window).unwrap();
        assert_eq!(window.len(), 1);
        assert_eq!(storage, [0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80, 0x55]);
    }

    #[test]
    fn encoded_len_matches_header() {
        assert_eq!(encoded_len(3), Ok(7));
        assert_eq!(encoded_len(65_531), Ok(65_535));
        assert_eq!(
            encoded_len(65_532),
            Err(Error::PayloadTooLarge { len: 65_532 })
        );
    }
}
