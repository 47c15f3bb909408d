//! The data TPDU (DT) of class 0.

use bytes::BufMut;

use crate::tpdu_code::DATA;
use crate::Error;

/// The length of a class 0 DT header: LI, code and the EOT/number byte.
pub const DATA_HEADER_LEN: usize = 3;

/// The only LI a class 0 DT may carry.
const DATA_LI: u8 = 2;

/// The end-of-TSDU mark in the third header byte.
const EOT_BIT: u8 = 0x80;

/// Checks the 3-byte header of a class 0 DT at the start of `buf` and returns its EOT flag,
/// without copying or allocating (the payload is `buf[DATA_HEADER_LEN..]`).
///
/// In this order: fewer than 2 bytes is [`Error::Truncated`]; LI 255 is
/// [`Error::ReservedLengthIndicator`]; a code other than `F0` is
/// [`Error::UnexpectedTpduCode`]; an LI other than 2 is [`Error::InvalidDataHeaderLength`];
/// fewer than 3 bytes is [`Error::Truncated`]; a TPDU number other than 0 is
/// [`Error::NonZeroTpduNumber`].
///
/// ```
/// assert_eq!(cotp::parse_data_header(&[0x02, 0xF0, 0x80, 0x32]), Ok(true));
/// assert_eq!(cotp::parse_data_header(&[0x02, 0xF0, 0x00]), Ok(false));
/// assert!(cotp::parse_data_header(&[0x02, 0xF0, 0x81]).is_err());
/// ```
pub fn parse_data_header(buf: &[u8]) -> Result<bool, Error> {
    let truncated = Error::Truncated {
        needed: DATA_HEADER_LEN,
        available: buf.len(),
    };
    let (li, code) = match buf {
        [255, ..] => return Err(Error::ReservedLengthIndicator),
        [li, code, ..] => (*li, *code),
        _ => return Err(truncated),
    };
    if code != DATA {
        return Err(Error::UnexpectedTpduCode {
            expected: DATA,
            found: code,
        });
    }
    if li != DATA_LI {
        return Err(Error::InvalidDataHeaderLength { li });
    }
    let Some(&flags) = buf.get(2) else {
        return Err(truncated);
    };
    let number = flags & !EOT_BIT;
    if number != 0 {
        return Err(Error::NonZeroTpduNumber { number });
    }
    Ok(flags & EOT_BIT != 0)
}

/// A class 0 data TPDU (DT), borrowing its payload.
///
/// ```text
///  0     1     2                        3..
///  +-----+-----+------------------------+----------------------+
///  | 02  | F0  | EOT (bit 7) | NR (0)   | user data ...        |
///  +-----+-----+------------------------+----------------------+
///  EOT set on the last DT of a TSDU; the TPDU number is always 0 in class 0.
/// ```
///
/// ```
/// use cotp::Data;
/// let dt = Data::parse(&[0x02, 0xF0, 0x80, 0x32, 0x01, 0x00])?;
/// assert!(dt.eot);
/// assert_eq!(dt.payload, &[0x32, 0x01, 0x00]);
///
/// let mut out = Vec::new();
/// dt.emit(&mut out);
/// assert_eq!(out, [0x02, 0xF0, 0x80, 0x32, 0x01, 0x00]);
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Data<'a> {
    /// End of TSDU: this DT is the last of its TSDU.
    pub eot: bool,
    /// The user data after the 3-byte header.
    pub payload: &'a [u8],
}

impl<'a> Data<'a> {
    /// A DT carrying `payload`.
    pub fn new(eot: bool, payload: &'a [u8]) -> Self {
        Data { eot, payload }
    }

    /// Parses a whole DT (a TPKT payload); see [`parse_data_header`] for the checks.
    pub fn parse(buf: &'a [u8]) -> Result<Self, Error> {
        let eot = parse_data_header(buf)?;
        let payload = buf.get(DATA_HEADER_LEN..).unwrap_or(&[]);
        Ok(Data { eot, payload })
    }

    /// The 3 header bytes of a DT.
    pub fn header(eot: bool) -> [u8; DATA_HEADER_LEN] {
        [DATA_LI, DATA, if eot { EOT_BIT } else { 0 }]
    }

    /// The bytes [`emit`](Self::emit) writes: header plus payload.
    pub fn buffer_len(&self) -> usize {
        self.payload.len().saturating_add(DATA_HEADER_LEN)
    }

    /// Writes header and payload.
    ///
    /// # Panics
    ///
    /// Like [`BufMut::put_slice`], when `out` cannot grow to take
    /// [`buffer_len`](Self::buffer_len) more bytes; `Vec<u8>` and `BytesMut` always can. Use
    /// [`try_emit`](Self::try_emit) for fixed-size buffers.
    pub fn emit<B: BufMut>(&self, out: &mut B) {
        out.put_slice(&Self::header(self.eot));
        out.put_slice(self.payload);
    }

    /// Writes header and payload, or nothing and [`Error::BufferTooSmall`] when `out` lacks
    /// room.
    pub fn try_emit<B: BufMut>(&self, out: &mut B) -> Result<(), Error> {
        crate::header::check_room(out, self.buffer_len())?;
        self.emit(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn parses_complete_and_segment_dts() {
        assert_eq!(
            Data::parse(&[0x02, 0xF0, 0x80, 0x32, 0x01]),
            Ok(Data {
                eot: true,
                payload: &[0x32, 0x01]
            })
        );
        assert_eq!(
            Data::parse(&[0x02, 0xF0, 0x00, 0xAA]),
            Ok(Data {
                eot: false,
                payload: &[0xAA]
            })
        );
        assert_eq!(
            Data::parse(&[0x02, 0xF0, 0x80]),
            Ok(Data {
                eot: true,
                payload: &[]
            })
        );
        assert_eq!(
            Data::parse(&[0x02, 0xF0, 0x00]),
            Ok(Data {
                eot: false,
                payload: &[]
            })
        );
    }

    #[test]
    fn header_bytes() {
        assert_eq!(Data::header(true), [0x02, 0xF0, 0x80]);
        assert_eq!(Data::header(false), [0x02, 0xF0, 0x00]);
    }

    #[test]
    fn emit_writes_header_and_payload() {
        let dt = Data::new(false, &[1, 2, 3]);
        let mut out = Vec::new();
        dt.emit(&mut out);
        assert_eq!(out, [0x02, 0xF0, 0x00, 1, 2, 3]);
        assert_eq!(dt.buffer_len(), out.len());
    }

    #[test]
    fn try_emit_refuses_a_short_buffer_and_writes_nothing() {
        let dt = Data::new(true, &[1, 2, 3]);
        let mut storage = [0u8; 5];
        let mut out: &mut [u8] = &mut storage;
        assert_eq!(
            dt.try_emit(&mut out),
            Err(Error::BufferTooSmall {
                needed: 6,
                available: 5
            })
        );
        assert_eq!(storage, [0u8; 5]);
        let mut storage = [0u8; 6];
        let mut out: &mut [u8] = &mut storage;
        assert_eq!(dt.try_emit(&mut out), Ok(()));
        assert_eq!(storage, [0x02, 0xF0, 0x80, 1, 2, 3]);
    }

    #[test]
    fn every_header_error() {
        assert_eq!(
            Data::parse(&[]),
            Err(Error::Truncated {
                needed: 3,
                available: 0
            })
        );
        assert_eq!(
            Data::parse(&[0x02]),
            Err(Error::Truncated {
                needed: 3,
                available: 1
            })
        );
        assert_eq!(
            Data::parse(&[0x02, 0xF0]),
            Err(Error::Truncated {
                needed: 3,
                available: 2
            })
        );
        assert_eq!(Data::parse(&[0xFF]), Err(Error::ReservedLengthIndicator));
        assert_eq!(
            Data::parse(&[0xFF, 0xF0, 0x80]),
            Err(Error::ReservedLengthIndicator)
        );
        assert_eq!(
            Data::parse(&[0x02, 0xE0, 0x80]),
            Err(Error::UnexpectedTpduCode {
                expected: 0xF0,
                found: 0xE0
            })
        );
        assert_eq!(
            Data::parse(&[0x02, 0xF1, 0x80]),
            Err(Error::UnexpectedTpduCode {
                expected: 0xF0,
                found: 0xF1
            })
        );
        assert_eq!(
            Data::parse(&[0x03, 0xF0, 0x80, 0x32]),
            Err(Error::InvalidDataHeaderLength { li: 3 })
        );
        assert_eq!(
            Data::parse(&[0x01, 0xF0, 0x80]),
            Err(Error::InvalidDataHeaderLength { li: 1 })
        );
        assert_eq!(
            Data::parse(&[0x02, 0xF0, 0x81]),
            Err(Error::NonZeroTpduNumber { number: 1 })
        );
        assert_eq!(
            Data::parse(&[0x02, 0xF0, 0x7F]),
            Err(Error::NonZeroTpduNumber { number: 0x7F })
        );
        assert_eq!(
            Data::parse(&[0x02, 0xF0, 0xFF]),
            Err(Error::NonZeroTpduNumber { number: 0x7F })
        );
    }
}
