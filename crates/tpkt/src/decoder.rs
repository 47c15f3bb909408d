//! Cutting frames out of a byte stream.

use bytes::{Buf, Bytes, BytesMut};

use crate::{peek_frame_len, Error, HEADER_LEN, MAX_FRAME_LEN, MIN_FRAME_LEN};

/// Cuts TPKT frames out of a growing [`BytesMut`], the way a `tokio_util::codec::Decoder`
/// does, without depending on tokio.
///
/// ```text
///  src before:  | 03 00 00 0a  p p p p p p | 03 00 00 07  p p | (bytes still to come)
///               |<------ frame 1 --------->|<-- frame 2, cut ->|
///
///  decode()  -> Ok(Some(p p p p p p))       src: | 03 00 00 07  p p |
///  decode()  -> Ok(None)                    src unchanged, capacity reserved for 7 bytes
///  (caller reads the missing byte into src)
///  decode()  -> Ok(Some(p p p))             src: empty
/// ```
///
/// The contract:
///
/// - `Ok(None)`: not a whole frame yet (this includes fewer than 4 header bytes). Nothing was
///   consumed; read more bytes into `src` and call again. Once the header is in, `src` has
///   been given capacity for the whole frame, so the next read can take it in one go.
/// - `Ok(Some(payload))`: exactly one frame was removed from the front of `src`; its payload
///   (header stripped) is returned as [`Bytes`] sharing `src`'s allocation, with no copy.
/// - `Err(_)`: the header is invalid or declares more than
///   [`max_frame_len`](FrameDecoder::max_frame_len). **Nothing was consumed**: `src` holds
///   exactly what it held before, the offending header first, and calling again returns the
///   same error. There is no way to resynchronise a TPKT stream, so the caller must treat the
///   connection as broken and close it.
///
/// The length limit is applied from the header alone, before any of the body is buffered, so
/// a peer cannot make the receiver allocate more than the limit by announcing a large frame.
///
/// Each returned payload keeps the chunk of `src`'s buffer it came from alive; drop payloads
/// when done with them so `BytesMut` can reuse its buffer instead of allocating a new one.
///
/// # Examples
///
/// ```
/// use bytes::BytesMut;
/// use tpkt::FrameDecoder;
///
/// let mut decoder = FrameDecoder::new();
/// let mut src = BytesMut::new();
///
/// // The first read brought a header and part of the body.
/// src.extend_from_slice(&[0x03, 0x00, 0x00, 0x09, 0x02, 0xf0]);
/// assert_eq!(decoder.decode(&mut src)?, None);
/// assert!(src.capacity() >= 9);
///
/// // The second read completed it, and started the next frame.
/// src.extend_from_slice(&[0x80, 0xde, 0xad, 0x03, 0x00]);
/// let payload = decoder.decode(&mut src)?.expect("a whole frame is buffered");
/// assert_eq!(&payload[..], &[0x02, 0xf0, 0x80, 0xde, 0xad]);
/// assert_eq!(&src[..], &[0x03, 0x00]);
/// assert_eq!(decoder.decode(&mut src)?, None);
/// # Ok::<(), tpkt::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FrameDecoder {
    max_frame_len: usize,
}

impl FrameDecoder {
    /// A decoder accepting every legal frame, up to [`MAX_FRAME_LEN`] bytes.
    pub const fn new() -> Self {
        Self {
            max_frame_len: MAX_FRAME_LEN,
        }
    }

    /// A decoder that refuses frames longer than `limit` bytes (header included).
    ///
    /// Peers negotiate a TPDU size during the COTP handshake; setting the limit to what was
    /// agreed (plus the COTP and TPKT headers) caps what a misbehaving peer can make the
    /// receiver buffer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidFrameLimit`] unless `limit` is in
    /// [`MIN_FRAME_LEN`]`..=`[`MAX_FRAME_LEN`].
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use tpkt::{Error, FrameDecoder};
    ///
    /// let mut decoder = FrameDecoder::with_max_frame_len(1_024)?;
    /// // Only the header of a 2000-byte frame has arrived: refused already.
    /// let mut src = BytesMut::from(&[0x03, 0x00, 0x07, 0xd0][..]);
    /// assert_eq!(
    ///     decoder.decode(&mut src),
    ///     Err(Error::FrameExceedsLimit { declared: 2_000, limit: 1_024 })
    /// );
    /// # Ok::<(), tpkt::Error>(())
    /// ```
    pub fn with_max_frame_len(limit: usize) -> Result<Self, Error> {
        let mut decoder = Self::new();
        decoder.set_max_frame_len(limit)?;
        Ok(decoder)
    }

    /// The longest frame (header included) this decoder accepts.
    pub const fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// Changes the limit, e.g. once the connection has negotiated its TPDU size. Applies from
    /// the next call to [`decode`](FrameDecoder::decode).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidFrameLimit`] unless `limit` is in
    /// [`MIN_FRAME_LEN`]`..=`[`MAX_FRAME_LEN`]; the previous limit then stays in force.
    pub fn set_max_frame_len(&mut self, limit: usize) -> Result<(), Error> {
        if !(MIN_FRAME_LEN..=MAX_FRAME_LEN).contains(&limit) {
            return Err(Error::InvalidFrameLimit { limit });
        }
        self.max_frame_len = limit;
        Ok(())
    }

    /// Takes the next whole frame off the front of `src` and returns its payload. See the
    /// type docs for the meaning of each outcome and the state of `src` afterwards.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedVersion`], [`Error::LengthBelowMinimum`] or
    /// [`Error::FrameExceedsLimit`], with `src` left untouched.
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>, Error> {
        let Some(frame_len) = peek_frame_len(src)? else {
            return Ok(None);
        };
        if frame_len > self.max_frame_len {
            return Err(Error::FrameExceedsLimit {
                declared: frame_len,
                limit: self.max_frame_len,
            });
        }
        if let Some(missing) = frame_len.checked_sub(src.len()).filter(|&n| n > 0) {
            // `missing` is below the limit, so this is bounded by configuration, not by
            // whatever the peer announced.
            src.reserve(missing);
            return Ok(None);
        }
        // `frame_len <= src.len()` here, and `frame_len >= MIN_FRAME_LEN > HEADER_LEN`, so
        // neither call below can go out of bounds. Splitting only moves reference counts and
        // pointers: the payload shares `src`'s buffer.
        let mut payload = src.split_to(frame_len).freeze();
        payload.advance(HEADER_LEN);
        Ok(Some(payload))
    }

    /// Like [`decode`](FrameDecoder::decode), for when the stream has ended: bytes left over
    /// that do not make a whole frame are an error rather than a reason to wait.
    ///
    /// Call it repeatedly until it returns `Ok(None)` to drain every frame that was complete.
    ///
    /// # Errors
    ///
    /// As [`decode`](FrameDecoder::decode), plus [`Error::Truncated`] when `src` ends in the
    /// middle of a frame (`needed` is the declared frame length, or 4 while the header itself
    /// is incomplete). `src` is left untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use tpkt::{Error, FrameDecoder};
    ///
    /// let mut decoder = FrameDecoder::new();
    /// let mut src = BytesMut::from(&[0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80][..]);
    /// assert_eq!(
    ///     decoder.decode_eof(&mut src),
    ///     Err(Error::Truncated { needed: 8, available: 7 })
    /// );
    /// assert_eq!(decoder.decode_eof(&mut BytesMut::new()), Ok(None));
    /// ```
    pub fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>, Error> {
        if let Some(payload) = self.decode(src)? {
            return Ok(Some(payload));
        }
        if src.is_empty() {
            return Ok(None);
        }
        let needed = peek_frame_len(src)?.unwrap_or(HEADER_LEN);
        Err(Error::Truncated {
            needed,
            available: src.len(),
        })
    }
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects)]

    use super::*;
    use alloc::vec::Vec;

    const SMALLEST: [u8; 7] = [0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80];

    fn decode_all(decoder: &mut FrameDecoder, src: &mut BytesMut) -> Vec<Bytes> {
        let mut frames = Vec::new();
        while let Some(frame) = decoder.decode(src).unwrap() {
            frames.push(frame);
        }
        frames
    }

    #[test]
    fn limits() {
        assert_eq!(FrameDecoder::new().max_frame_len(), 65_535);
        assert_eq!(FrameDecoder::default(), FrameDecoder::new());
        assert_eq!(
            FrameDecoder::with_max_frame_len(7).unwrap().max_frame_len(),
            7
        );
        assert_eq!(
            FrameDecoder::with_max_frame_len(65_535)
                .unwrap()
                .max_frame_len(),
            65_535
        );
        for limit in [0, 6, 65_536, usize::MAX] {
            assert_eq!(
                FrameDecoder::with_max_frame_len(limit),
                Err(Error::InvalidFrameLimit { limit })
            );
        }
        let mut decoder = FrameDecoder::with_max_frame_len(100).unwrap();
        assert_eq!(
            decoder.set_max_frame_len(6),
            Err(Error::InvalidFrameLimit { limit: 6 })
        );
        assert_eq!(decoder.max_frame_len(), 100);
        decoder.set_max_frame_len(1_000).unwrap();
        assert_eq!(decoder.max_frame_len(), 1_000);
    }

    #[test]
    fn empty_and_partial_headers_need_more() {
        let mut decoder = FrameDecoder::new();
        for prefix_len in 0..4 {
            let mut src = BytesMut::from(&SMALLEST[..prefix_len]);
            assert_eq!(decoder.decode(&mut src), Ok(None));
            assert_eq!(&src[..], &SMALLEST[..prefix_len]);
        }
    }

    #[test]
    fn partial_body_needs_more_and_reserves_the_frame() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::new();
        src.extend_from_slice(&[0x03, 0x00, 0x10, 0x00, 0x02]);
        assert_eq!(decoder.decode(&mut src), Ok(None));
        assert_eq!(&src[..], &[0x03, 0x00, 0x10, 0x00, 0x02]);
        assert!(src.capacity() >= 0x1000);
    }

    #[test]
    fn one_whole_frame() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::from(&SMALLEST[..]);
        assert_eq!(
            decoder.decode(&mut src),
            Ok(Some(Bytes::from_static(&[0x02, 0xf0, 0x80])))
        );
        assert!(src.is_empty());
        assert_eq!(decoder.decode(&mut src), Ok(None));
    }

    #[test]
    fn reserved_byte_is_ignored() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::from(&[0x03, 0xff, 0x00, 0x07, 0x02, 0xf0, 0x80][..]);
        assert_eq!(
            decoder.decode(&mut src),
            Ok(Some(Bytes::from_static(&[0x02, 0xf0, 0x80])))
        );
    }

    #[test]
    fn several_frames_in_one_read() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::from(
            &[
                0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80, // frame 1
                0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x32, 0x01, // frame 2
                0x03, 0x00, 0x00, // start of frame 3
            ][..],
        );
        let frames = decode_all(&mut decoder, &mut src);
        assert_eq!(frames.len(), 2);
        assert_eq!(&frames[0][..], &[0x02, 0xf0, 0x80]);
        assert_eq!(&frames[1][..], &[0x02, 0xf0, 0x80, 0x32, 0x01]);
        assert_eq!(&src[..], &[0x03, 0x00, 0x00]);
    }

    #[test]
    fn byte_at_a_time() {
        let stream = [
            0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80, 0x01, 0x03, 0x00, 0x00, 0x07, 0x02, 0xf0,
            0x80,
        ];
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::new();
        let mut frames = Vec::new();
        for &byte in &stream {
            src.extend_from_slice(&[byte]);
            frames.extend(decode_all(&mut decoder, &mut src));
        }
        assert_eq!(frames.len(), 2);
        assert_eq!(&frames[0][..], &[0x02, 0xf0, 0x80, 0x01]);
        assert_eq!(&frames[1][..], &[0x02, 0xf0, 0x80]);
        assert!(src.is_empty());
    }

    #[test]
    fn payload_shares_the_buffer() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::with_capacity(64);
        src.extend_from_slice(&SMALLEST);
        src.extend_from_slice(&SMALLEST);
        let start = src.as_ptr();
        let first = decoder.decode(&mut src).unwrap().unwrap();
        let second = decoder.decode(&mut src).unwrap().unwrap();
        assert!(core::ptr::eq(first.as_ptr(), start.wrapping_add(4)));
        assert!(core::ptr::eq(second.as_ptr(), start.wrapping_add(7 + 4)));
    }

    #[test]
    fn errors_consume_nothing_and_repeat() {
        let cases: [(&[u8], Error); 4] = [
            (
                &[0x04, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80],
                Error::UnsupportedVersion { version: 4 },
            ),
            (
                &[0x03, 0x00, 0x00, 0x03],
                Error::LengthBelowMinimum { declared: 3 },
            ),
            (
                &[0x03, 0x00, 0x00, 0x06, 0x02, 0xf0],
                Error::LengthBelowMinimum { declared: 6 },
            ),
            (
                &[0x03, 0x00, 0x00, 0x00],
                Error::LengthBelowMinimum { declared: 0 },
            ),
        ];
        for (input, error) in cases {
            let mut decoder = FrameDecoder::new();
            let mut src = BytesMut::from(input);
            assert_eq!(decoder.decode(&mut src), Err(error.clone()));
            assert_eq!(&src[..], input);
            assert_eq!(decoder.decode(&mut src), Err(error.clone()));
            assert_eq!(decoder.decode_eof(&mut src), Err(error));
            assert_eq!(&src[..], input);
        }
    }

    #[test]
    fn error_after_good_frames_leaves_the_bad_header_first() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::from(
            &[
                0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80, 0x05, 0x00, 0x00, 0x07,
            ][..],
        );
        assert!(decoder.decode(&mut src).unwrap().is_some());
        assert_eq!(
            decoder.decode(&mut src),
            Err(Error::UnsupportedVersion { version: 5 })
        );
        assert_eq!(&src[..], &[0x05, 0x00, 0x00, 0x07]);
    }

    #[test]
    fn limit_is_enforced_from_the_header_alone() {
        let mut decoder = FrameDecoder::with_max_frame_len(16).unwrap();
        let mut src = BytesMut::from(&[0x03, 0x00, 0x00, 0x11][..]);
        assert_eq!(
            decoder.decode(&mut src),
            Err(Error::FrameExceedsLimit {
                declared: 17,
                limit: 16
            })
        );
        assert_eq!(&src[..], &[0x03, 0x00, 0x00, 0x11]);
        assert!(src.capacity() < 17, "no room reserved for a refused frame");

        // Exactly at the limit is fine.
        let mut src = BytesMut::from(&[0x03, 0x00, 0x00, 0x10][..]);
        assert_eq!(decoder.decode(&mut src), Ok(None));
        src.extend_from_slice(&[0xaa; 12]);
        assert_eq!(
            decoder.decode(&mut src),
            Ok(Some(Bytes::from_static(&[0xaa; 12])))
        );
    }

    #[test]
    fn largest_frame_by_default() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::from(&[0x03, 0x00, 0xff, 0xff][..]);
        assert_eq!(decoder.decode(&mut src), Ok(None));
        assert!(src.capacity() >= 65_535);
        src.resize(65_535, 0xaa);
        let payload = decoder.decode(&mut src).unwrap().unwrap();
        assert_eq!(payload.len(), 65_531);
        assert!(src.is_empty());
    }

    #[test]
    fn eof_drains_whole_frames_then_reports_leftovers() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::from(&[0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80, 0x03, 0x00][..]);
        assert_eq!(
            decoder.decode_eof(&mut src),
            Ok(Some(Bytes::from_static(&[0x02, 0xf0, 0x80])))
        );
        assert_eq!(
            decoder.decode_eof(&mut src),
            Err(Error::Truncated {
                needed: 4,
                available: 2
            })
        );
        assert_eq!(&src[..], &[0x03, 0x00]);

        let mut src = BytesMut::from(&[0x03, 0x00, 0x00, 0x0a, 0x02][..]);
        assert_eq!(
            decoder.decode_eof(&mut src),
            Err(Error::Truncated {
                needed: 10,
                available: 5
            })
        );
        assert_eq!(decoder.decode_eof(&mut BytesMut::new()), Ok(None));
    }
}
