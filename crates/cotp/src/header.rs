//! What every TPDU header shares: the length indicator (LI) and the code byte.
//!
//! ```text
//!  +----+------+--------------------------------------+------------------+
//!  | LI | code | rest of fixed part | variable part   | user data ...    |
//!  +----+------+--------------------------------------+------------------+
//!       |<-------------- LI bytes ------------------->|
//! ```

use bytes::BufMut;

use crate::Error;

/// The largest length indicator; 255 is reserved.
pub(crate) const MAX_LI: usize = 254;

/// Reads LI and code, rejecting the reserved LI 255.
pub(crate) fn li_and_code(buf: &[u8]) -> Result<(u8, u8), Error> {
    match buf {
        [255, ..] => Err(Error::ReservedLengthIndicator),
        [li, code, ..] => Ok((*li, *code)),
        _ => Err(Error::Truncated {
            needed: 2,
            available: buf.len(),
        }),
    }
}

/// Checks LI against the TPDU type's fixed part and against the buffer, and returns the header
/// bytes after the code (fixed part remainder plus variable part).
pub(crate) fn header_body(buf: &[u8], li: u8, code: u8, min_li: u8) -> Result<&[u8], Error> {
    if li < min_li || li < 1 {
        return Err(Error::HeaderTooShort {
            code,
            li,
            min: min_li,
        });
    }
    let end = usize::from(li).saturating_add(1);
    buf.get(2..end).ok_or(Error::LengthIndicatorPastData {
        li,
        available: buf.len().saturating_sub(1),
    })
}

/// The bytes after the header: LI must already be known to fit in `buf`.
pub(crate) fn after_header(buf: &[u8], li: u8) -> &[u8] {
    buf.get(usize::from(li).saturating_add(1)..).unwrap_or(&[])
}

/// The LI for a header of `len` bytes after the LI byte, or [`Error::HeaderTooLong`].
pub(crate) fn length_indicator(len: usize) -> Result<u8, Error> {
    if len > MAX_LI {
        return Err(Error::HeaderTooLong { len });
    }
    u8::try_from(len).map_err(|_| Error::HeaderTooLong { len })
}

/// Fails with [`Error::BufferTooSmall`] unless `out` can take `needed` more bytes, so that a
/// TPDU is written whole or not at all.
pub(crate) fn check_room<B: BufMut>(out: &B, needed: usize) -> Result<(), Error> {
    let available = out.remaining_mut();
    if available < needed {
        return Err(Error::BufferTooSmall { needed, available });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn li_and_code_needs_two_bytes_and_refuses_255() {
        assert_eq!(
            li_and_code(&[]),
            Err(Error::Truncated {
                needed: 2,
                available: 0
            })
        );
        assert_eq!(
            li_and_code(&[0x11]),
            Err(Error::Truncated {
                needed: 2,
                available: 1
            })
        );
        assert_eq!(li_and_code(&[0xFF]), Err(Error::ReservedLengthIndicator));
        assert_eq!(
            li_and_code(&[0xFF, 0xE0]),
            Err(Error::ReservedLengthIndicator)
        );
        assert_eq!(li_and_code(&[0x06, 0xC0, 1]), Ok((6, 0xC0)));
    }

    #[test]
    fn header_body_checks_both_bounds() {
        let buf = [0x04, 0x70, 0x00, 0x01, 0x02, 0xAA];
        assert_eq!(header_body(&buf, 4, 0x70, 4), Ok(&buf[2..5]));
        assert_eq!(after_header(&buf, 4), &[0xAA]);
        assert_eq!(
            header_body(&buf, 3, 0x70, 4),
            Err(Error::HeaderTooShort {
                code: 0x70,
                li: 3,
                min: 4
            })
        );
        assert_eq!(
            header_body(&buf, 6, 0x70, 4),
            Err(Error::LengthIndicatorPastData {
                li: 6,
                available: 5
            })
        );
        assert_eq!(header_body(&buf, 5, 0x70, 4), Ok(&buf[2..6]));
        assert_eq!(after_header(&buf, 5), &[] as &[u8]);
    }

    #[test]
    fn length_indicator_stops_at_254() {
        assert_eq!(length_indicator(254), Ok(254));
        assert_eq!(
            length_indicator(255),
            Err(Error::HeaderTooLong { len: 255 })
        );
        assert_eq!(
            length_indicator(usize::MAX),
            Err(Error::HeaderTooLong { len: usize::MAX })
        );
    }

    #[test]
    fn check_room_compares_with_remaining_capacity() {
        let mut small = [0u8; 4];
        let out: &mut [u8] = &mut small;
        assert_eq!(check_room(&out, 4), Ok(()));
        assert_eq!(
            check_room(&out, 5),
            Err(Error::BufferTooSmall {
                needed: 5,
                available: 4
            })
        );
    }
}
