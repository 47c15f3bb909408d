//! A zero-copy view of one TPKT frame.

use core::cmp::min;

use crate::header::{check_whole_frame, field};
use crate::Error;

/// A read-only (or, over a mutable buffer, writable-payload) view of exactly one TPKT frame.
///
/// ```text
///   0          1          2          3          4                    length-1
///  +----------+----------+----------+----------+---------  ...  ---------+
///  | version  | reserved |    length (u16,     |         payload         |
///  |   = 3    |  (any)   |  big-endian, counts |   (length - 4 bytes,    |
///  |          |          |    these 4 bytes)   |    at least 3 bytes)    |
///  +----------+----------+----------+----------+---------  ...  ---------+
/// ```
///
/// Build it with [`new_checked`](Packet::new_checked): it verifies the version, that the
/// declared length is at least [`MIN_FRAME_LEN`](crate::MIN_FRAME_LEN), and that the buffer is
/// exactly that long. After that every accessor simply reads the buffer.
///
/// [`new_unchecked`](Packet::new_unchecked) skips the checks. Its accessors still never panic:
/// header bytes missing from a short buffer read as 0, and the payload is clamped to what the
/// buffer holds.
///
/// # Examples
///
/// ```
/// use tpkt::Packet;
///
/// let bytes = [0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80];
/// let packet = Packet::new_checked(&bytes[..])?;
/// assert_eq!(packet.version(), 3);
/// assert_eq!(packet.frame_len(), 7);
/// assert_eq!(packet.payload(), &[0x02, 0xf0, 0x80]);
/// # Ok::<(), tpkt::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps `buffer` without looking at it. See the type docs for what the accessors return
    /// on a buffer that is not a valid frame.
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps `buffer` after checking that it holds exactly one valid frame.
    ///
    /// # Errors
    ///
    /// - [`Error::Truncated`] if the buffer is shorter than the 4-byte header;
    /// - [`Error::UnsupportedVersion`] if the version byte is not 3;
    /// - [`Error::LengthBelowMinimum`] if the declared length is below 7;
    /// - [`Error::LengthMismatch`] if the buffer length differs from the declared length.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let packet = Self::new_unchecked(buffer);
        packet.check()?;
        Ok(packet)
    }

    /// Runs the checks of [`new_checked`](Packet::new_checked) on an existing view, e.g. one
    /// made with [`new_unchecked`](Packet::new_unchecked).
    ///
    /// # Errors
    ///
    /// As [`new_checked`](Packet::new_checked).
    pub fn check(&self) -> Result<(), Error> {
        check_whole_frame(self.buffer.as_ref()).map(|_| ())
    }

    /// The version byte (3 in a checked packet).
    pub fn version(&self) -> u8 {
        self.byte(field::VERSION)
    }

    /// The reserved byte, exactly as received. RFC 1006 has senders write 0, but receivers
    /// must not insist on it.
    pub fn reserved(&self) -> u8 {
        self.byte(field::RESERVED)
    }

    /// The declared frame length, header included (equal to the buffer length in a checked
    /// packet).
    pub fn frame_len(&self) -> usize {
        match self.buffer.as_ref().get(field::LENGTH) {
            Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
            _ => 0,
        }
    }

    /// The payload: everything after the header, up to the declared length.
    pub fn payload(&self) -> &[u8] {
        let bytes = self.buffer.as_ref();
        let end = min(self.frame_len(), bytes.len());
        bytes.get(field::PAYLOAD..end).unwrap_or_default()
    }

    /// The whole frame, header included.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn byte(&self, index: usize) -> u8 {
        self.buffer.as_ref().get(index).copied().unwrap_or(0)
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The payload, borrowed for as long as the underlying slice rather than the view.
    pub fn into_payload(self) -> &'a [u8] {
        let end = min(self.frame_len(), self.buffer.len());
        self.buffer.get(field::PAYLOAD..end).unwrap_or_default()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// The payload, writable in place (for example to fill a frame whose header was written
    /// with [`encode_header`](crate::encode_header)).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = min(self.frame_len(), self.buffer.as_ref().len());
        self.buffer
            .as_mut()
            .get_mut(field::PAYLOAD..end)
            .unwrap_or_default()
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// Decodes one frame that occupies all of `frame` and returns its payload, borrowed.
///
/// Use this when something else (a datagram, a test vector, a capture) already delimits the
/// frame. For a byte stream use [`FrameDecoder`](crate::FrameDecoder) or
/// [`peek_frame_len`](crate::peek_frame_len).
///
/// # Errors
///
/// As [`Packet::new_checked`].
///
/// # Examples
///
/// ```
/// use tpkt::{decode_frame, Error};
///
/// assert_eq!(decode_frame(&[0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80]), Ok(&[0x02, 0xf0, 0x80][..]));
/// assert_eq!(
///     decode_frame(&[0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80]),
///     Err(Error::LengthMismatch { declared: 8, actual: 7 })
/// );
/// ```
pub fn decode_frame(frame: &[u8]) -> Result<&[u8], Error> {
    Packet::new_checked(frame).map(Packet::into_payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    const SMALLEST: [u8; 7] = [0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80];

    #[test]
    fn checked_accessors() {
        let bytes = [0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0xde, 0xad];
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.version(), 3);
        assert_eq!(packet.reserved(), 0);
        assert_eq!(packet.frame_len(), 9);
        assert_eq!(packet.payload(), &[0x02, 0xf0, 0x80, 0xde, 0xad]);
        assert_eq!(packet.as_bytes(), &bytes);
        assert_eq!(packet.as_ref(), &bytes);
        assert_eq!(packet.into_inner(), &bytes[..]);
    }

    #[test]
    fn reserved_byte_is_reported_but_not_judged() {
        let bytes = [0x03, 0xff, 0x00, 0x07, 0x02, 0xf0, 0x80];
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.reserved(), 0xff);
        assert_eq!(packet.payload(), &[0x02, 0xf0, 0x80]);
    }

    #[test]
    fn owned_buffers_work_too() {
        let packet = Packet::new_checked(SMALLEST.to_vec()).unwrap();
        assert_eq!(packet.payload(), &[0x02, 0xf0, 0x80]);
        assert_eq!(packet.into_inner(), SMALLEST.to_vec());
    }

    #[test]
    fn every_error_path() {
        assert_eq!(
            Packet::new_checked(&[][..]),
            Err(Error::Truncated {
                needed: 4,
                available: 0
            })
        );
        assert_eq!(
            Packet::new_checked(&[0x03, 0x00, 0x00][..]),
            Err(Error::Truncated {
                needed: 4,
                available: 3
            })
        );
        assert_eq!(
            Packet::new_checked(&[0x04, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80][..]),
            Err(Error::UnsupportedVersion { version: 4 })
        );
        assert_eq!(
            Packet::new_checked(&[0x03, 0x00, 0x00, 0x06, 0x02, 0xf0][..]),
            Err(Error::LengthBelowMinimum { declared: 6 })
        );
        assert_eq!(
            Packet::new_checked(&[0x03, 0x00, 0x00, 0x03][..]),
            Err(Error::LengthBelowMinimum { declared: 3 })
        );
        assert_eq!(
            Packet::new_checked(&[0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80][..]),
            Err(Error::LengthMismatch {
                declared: 8,
                actual: 7
            })
        );
        assert_eq!(
            Packet::new_checked(&[0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80, 0x03][..]),
            Err(Error::LengthMismatch {
                declared: 7,
                actual: 8
            })
        );
    }

    #[test]
    fn unchecked_view_of_garbage_never_panics() {
        let empty = Packet::new_unchecked(&[][..]);
        assert_eq!(empty.version(), 0);
        assert_eq!(empty.reserved(), 0);
        assert_eq!(empty.frame_len(), 0);
        assert_eq!(empty.payload(), &[] as &[u8]);
        assert!(empty.check().is_err());

        let one_byte = Packet::new_unchecked(&[0x03][..]);
        assert_eq!(one_byte.version(), 3);
        assert_eq!(one_byte.frame_len(), 0);
        assert_eq!(one_byte.payload(), &[] as &[u8]);

        // Declared length 3 is shorter than the header itself.
        let tiny = Packet::new_unchecked(&[0x03, 0x00, 0x00, 0x03, 0xaa, 0xbb][..]);
        assert_eq!(tiny.frame_len(), 3);
        assert_eq!(tiny.payload(), &[] as &[u8]);
        assert_eq!(tiny.into_payload(), &[] as &[u8]);

        // Declared length far past the buffer: payload clamped to what is there.
        let cut = Packet::new_unchecked(&[0x03, 0x00, 0xff, 0xff, 0xaa, 0xbb][..]);
        assert_eq!(cut.frame_len(), 65_535);
        assert_eq!(cut.payload(), &[0xaa, 0xbb]);

        // Declared length shorter than the buffer: payload stops at the declared end.
        let long = Packet::new_unchecked(&[0x03, 0x00, 0x00, 0x07, 1, 2, 3, 4, 5][..]);
        assert_eq!(long.payload(), &[1, 2, 3]);
        assert_eq!(long.into_payload(), &[1, 2, 3]);
    }

    #[test]
    fn payload_mut_writes_in_place() {
        let mut buffer = vec![0x03, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00];
        let mut packet = Packet::new_checked(&mut buffer[..]).unwrap();
        packet.payload_mut().copy_from_slice(&[0x02, 0xf0, 0x80]);
        assert_eq!(buffer, SMALLEST.to_vec());

        let mut short: Vec<u8> = vec![0x03, 0x00];
        assert!(Packet::new_unchecked(&mut short[..])
            .payload_mut()
            .is_empty());
    }

    #[test]
    fn decode_frame_returns_borrowed_payload() {
        let payload = decode_frame(&SMALLEST).unwrap();
        assert_eq!(payload, &[0x02, 0xf0, 0x80]);
        assert!(core::ptr::eq(payload.as_ptr(), SMALLEST[4..].as_ptr()));
    }

    #[test]
    fn decode_frame_largest() {
        let mut frame = vec![0x03, 0x00, 0xff, 0xff];
        frame.resize(65_535, 0xaa);
        let payload = decode_frame(&frame).unwrap();
        assert_eq!(payload.len(), 65_531);
        assert!(payload.iter().all(|&b| b == 0xaa));
    }

    #[test]
    fn decode_frame_errors() {
        assert_eq!(
            decode_frame(&[0x03, 0x00, 0x00]),
            Err(Error::Truncated {
                needed: 4,
                available: 3
            })
        );
        assert_eq!(
            decode_frame(&[0x04, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80]),
            Err(Error::UnsupportedVersion { version: 4 })
        );
        assert_eq!(
            decode_frame(&[0x03, 0x00, 0x00, 0x00]),
            Err(Error::LengthBelowMinimum { declared: 0 })
        );
        assert_eq!(
            decode_frame(&[0x03, 0x00, 0x00, 0x0a, 0x02, 0xf0, 0x80]),
            Err(Error::LengthMismatch {
                declared: 10,
                actual: 7
            })
        );
    }
}
