//! The 4-byte TPKT header: where its fields sit, and reading it from the front of a buffer.

use crate::{Error, HEADER_LEN, MIN_FRAME_LEN, VERSION};

/// Byte offsets of the header fields, named so no accessor spells a bare number.
pub(crate) mod field {
    use core::ops::Range;

    /// The version byte, always 3.
    pub(crate) const VERSION: usize = 0;
    /// Reserved by RFC 1006: written as 0, ignored when read.
    pub(crate) const RESERVED: usize = 1;
    /// Big-endian frame length, header included.
    pub(crate) const LENGTH: Range<usize> = 2..4;
    /// The first payload byte.
    pub(crate) const PAYLOAD: usize = 4;
}

/// Reads the TPKT header at the start of `buf` and returns the declared frame length.
///
/// `buf` may hold less than a frame, exactly one, or several: only the first four bytes are
/// looked at. Returns `Ok(None)` while fewer than [`HEADER_LEN`] bytes are available, so a
/// caller accumulating a stream can simply try again after its next read.
///
/// The version must be [`VERSION`] and the declared length at least [`MIN_FRAME_LEN`]; the
/// reserved byte is ignored. The length is checked before anyone can subtract the header from
/// it, so a returned length always covers at least the header plus a 3-byte payload.
///
/// # Errors
///
/// [`Error::UnsupportedVersion`] or [`Error::LengthBelowMinimum`].
///
/// # Examples
///
/// ```
/// use tpkt::{peek_frame_len, Error};
///
/// // Half a header: ask for more.
/// assert_eq!(peek_frame_len(&[0x03, 0x00]), Ok(None));
/// // A full header, body still on its way.
/// assert_eq!(peek_frame_len(&[0x03, 0x00, 0x00, 0x1f, 0x02]), Ok(Some(31)));
/// // A header claiming 3 bytes can never be a frame.
/// assert_eq!(
///     peek_frame_len(&[0x03, 0x00, 0x00, 0x03]),
///     Err(Error::LengthBelowMinimum { declared: 3 })
/// );
/// ```
pub fn peek_frame_len(buf: &[u8]) -> Result<Option<usize>, Error> {
    let Some(&[version, _reserved, length_hi, length_lo]) = buf.first_chunk::<HEADER_LEN>() else {
        return Ok(None);
    };
    if version != VERSION {
        return Err(Error::UnsupportedVersion { version });
    }
    let declared = u16::from_be_bytes([length_hi, length_lo]);
    let frame_len = usize::from(declared);
    if frame_len < MIN_FRAME_LEN {
        return Err(Error::LengthBelowMinimum { declared });
    }
    Ok(Some(frame_len))
}

/// Checks that `frame` is exactly one valid frame and returns its length.
pub(crate) fn check_whole_frame(frame: &[u8]) -> Result<usize, Error> {
    let declared = peek_frame_len(frame)?.ok_or(Error::Truncated {
        needed: HEADER_LEN,
        available: frame.len(),
    })?;
    if declared != frame.len() {
        return Err(Error::LengthMismatch {
            declared,
            actual: frame.len(),
        });
    }
    Ok(declared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_than_four_bytes_need_more() {
        assert_eq!(peek_frame_len(&[]), Ok(None));
        assert_eq!(peek_frame_len(&[0x03]), Ok(None));
        assert_eq!(peek_frame_len(&[0x03, 0x00]), Ok(None));
        assert_eq!(peek_frame_len(&[0x03, 0x00, 0x00]), Ok(None));
        // Not even a wrong version is judged before the header is complete.
        assert_eq!(peek_frame_len(&[0x45, 0x00, 0x00]), Ok(None));
    }

    #[test]
    fn header_alone_gives_declared_length() {
        assert_eq!(peek_frame_len(&[0x03, 0x00, 0x00, 0x07]), Ok(Some(7)));
        assert_eq!(peek_frame_len(&[0x03, 0x00, 0x01, 0x00]), Ok(Some(256)));
        assert_eq!(peek_frame_len(&[0x03, 0x00, 0xff, 0xff]), Ok(Some(65_535)));
    }

    #[test]
    fn bytes_after_the_header_are_not_looked_at() {
        let two_frames = [
            0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80, 0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80,
        ];
        assert_eq!(peek_frame_len(&two_frames), Ok(Some(7)));
        assert_eq!(peek_frame_len(&[0x03, 0x00, 0x00, 0x09, 0x02]), Ok(Some(9)));
    }

    #[test]
    fn reserved_byte_is_ignored() {
        assert_eq!(peek_frame_len(&[0x03, 0xff, 0x00, 0x07]), Ok(Some(7)));
        assert_eq!(peek_frame_len(&[0x03, 0x5a, 0x00, 0x08]), Ok(Some(8)));
    }

    #[test]
    fn wrong_version_is_rejected() {
        assert_eq!(
            peek_frame_len(&[0x04, 0x00, 0x00, 0x07]),
            Err(Error::UnsupportedVersion { version: 4 })
        );
        assert_eq!(
            peek_frame_len(&[0x00, 0x00, 0x00, 0x07]),
            Err(Error::UnsupportedVersion { version: 0 })
        );
        // An HTTP request sent to port 102 by mistake.
        assert_eq!(
            peek_frame_len(b"GET / HTTP/1.1"),
            Err(Error::UnsupportedVersion { version: b'G' })
        );
    }

    #[test]
    fn version_is_judged_before_length() {
        assert_eq!(
            peek_frame_len(&[0x02, 0x00, 0x00, 0x00]),
            Err(Error::UnsupportedVersion { version: 2 })
        );
    }

    #[test]
    fn lengths_below_seven_are_rejected() {
        for declared in 0..=6_u8 {
            assert_eq!(
                peek_frame_len(&[0x03, 0x00, 0x00, declared]),
                Err(Error::LengthBelowMinimum {
                    declared: u16::from(declared)
                })
            );
        }
    }

    #[test]
    fn whole_frame_check() {
        assert_eq!(
            check_whole_frame(&[0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80]),
            Ok(7)
        );
        assert_eq!(
            check_whole_frame(&[0x03, 0x00, 0x00]),
            Err(Error::Truncated {
                needed: 4,
                available: 3
            })
        );
        assert_eq!(
            check_whole_frame(&[0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80]),
            Err(Error::LengthMismatch {
                declared: 8,
                actual: 7
            })
        );
        assert_eq!(
            check_whole_frame(&[0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80, 0x00]),
            Err(Error::LengthMismatch {
                declared: 7,
                actual: 8
            })
        );
    }
}
