//! The TPDU error TPDU (ER) and its reject causes.

use alloc::vec::Vec;

use bytes::BufMut;

use crate::header::{check_room, header_body, length_indicator, li_and_code};
use crate::parameter::{parameter_code::INVALID_TPDU, RawParameters};
use crate::tpdu_code::ERROR;
use crate::Error;

/// LI of an ER without parameters: code, destination reference, cause.
const FIXED_LI: u8 = 4;

/// Why a TPDU was rejected (the cause byte of an ER).
///
/// ```
/// use cotp::RejectCause;
/// assert_eq!(RejectCause::from(2), RejectCause::InvalidTpduType);
/// assert_eq!(RejectCause::from(9).code(), 9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectCause {
    /// 0x00: reason not specified.
    NotSpecified,
    /// 0x01: invalid parameter code.
    InvalidParameterCode,
    /// 0x02: invalid TPDU type.
    InvalidTpduType,
    /// 0x03: invalid parameter value.
    InvalidParameterValue,
    /// Any other byte ([`RejectCause::from`] never yields 0..=3 here).
    Other(u8),
}

impl RejectCause {
    /// The cause byte.
    pub fn code(self) -> u8 {
        match self {
            RejectCause::NotSpecified => 0,
            RejectCause::InvalidParameterCode => 1,
            RejectCause::InvalidTpduType => 2,
            RejectCause::InvalidParameterValue => 3,
            RejectCause::Other(code) => code,
        }
    }
}

impl From<u8> for RejectCause {
    fn from(code: u8) -> Self {
        match code {
            0 => RejectCause::NotSpecified,
            1 => RejectCause::InvalidParameterCode,
            2 => RejectCause::InvalidTpduType,
            3 => RejectCause::InvalidParameterValue,
            other => RejectCause::Other(other),
        }
    }
}

impl From<RejectCause> for u8 {
    fn from(cause: RejectCause) -> u8 {
        cause.code()
    }
}

impl core::fmt::Display for RejectCause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RejectCause::NotSpecified => f.write_str("reason not specified"),
            RejectCause::InvalidParameterCode => f.write_str("invalid parameter code"),
            RejectCause::InvalidTpduType => f.write_str("invalid tpdu type"),
            RejectCause::InvalidParameterValue => f.write_str("invalid parameter value"),
            RejectCause::Other(code) => write!(f, "cause 0x{code:02X}"),
        }
    }
}

/// A TPDU error (ER): the peer could not make sense of a TPDU.
///
/// ```text
///  0    1     2..3      4       5..
///  +----+-----+---------+-------+--------------------------------------+
///  | LI | 70  | dst-ref | cause | C1 len <header of the rejected TPDU> |  (parameter optional)
///  +----+-----+---------+-------+--------------------------------------+
/// ```
///
/// The first `C1` parameter is kept as [`ErrorTpdu::invalid_tpdu`]; other parameters (a class 4
/// checksum) and any later `C1` are checked for form and dropped.
///
/// ```
/// use cotp::{ErrorTpdu, RejectCause};
/// let er = ErrorTpdu {
///     dst_ref: 0x0001,
///     cause: RejectCause::InvalidTpduType,
///     invalid_tpdu: Some(vec![0x02, 0x60, 0x80]),
/// };
/// let bytes = er.to_vec()?;
/// assert_eq!(bytes, [0x09, 0x70, 0x00, 0x01, 0x02, 0xC1, 0x03, 0x02, 0x60, 0x80]);
/// assert_eq!(ErrorTpdu::parse(&bytes)?, er);
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorTpdu {
    /// Destination reference: the reference of the peer that sent the rejected TPDU.
    pub dst_ref: u16,
    /// Why.
    pub cause: RejectCause,
    /// The header bits of the rejected TPDU (the `C1` parameter), if sent.
    pub invalid_tpdu: Option<Vec<u8>>,
}

impl ErrorTpdu {
    /// An ER without the invalid-TPDU parameter.
    pub fn new(dst_ref: u16, cause: RejectCause) -> Self {
        ErrorTpdu {
            dst_ref,
            cause,
            invalid_tpdu: None,
        }
    }

    /// An ER quoting the rejected TPDU's header (at most 248 bytes fit).
    #[must_use]
    pub fn with_invalid_tpdu(mut self, header: impl Into<Vec<u8>>) -> Self {
        self.invalid_tpdu = Some(header.into());
        self
    }

    /// Parses a whole TPDU (a TPKT payload).
    pub fn parse(buf: &[u8]) -> Result<Self, Error> {
        let (li, code) = li_and_code(buf)?;
        if code != ERROR {
            return Err(Error::UnexpectedTpduCode {
                expected: ERROR,
                found: code,
            });
        }
        let body = header_body(buf, li, code, FIXED_LI)?;
        let Some(([dst_hi, dst_lo, cause], list)) = body.split_first_chunk() else {
            return Err(Error::HeaderTooShort {
                code,
                li,
                min: FIXED_LI,
            });
        };
        let mut invalid_tpdu = None;
        for parameter in RawParameters::new(list) {
            let (code, value) = parameter?;
            if code == INVALID_TPDU && invalid_tpdu.is_none() {
                invalid_tpdu = Some(value.to_vec());
            }
        }
        Ok(ErrorTpdu {
            dst_ref: u16::from_be_bytes([*dst_hi, *dst_lo]),
            cause: RejectCause::from(*cause),
            invalid_tpdu,
        })
    }

    fn parameter_len(&self) -> usize {
        self.invalid_tpdu
            .as_ref()
            .map_or(0, |header| header.len().saturating_add(2))
    }

    /// The bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        self.parameter_len()
            .saturating_add(usize::from(FIXED_LI).saturating_add(1))
    }

    /// Writes the TPDU, or nothing at all on error ([`Error::HeaderTooLong`] when the quoted
    /// header needs an LI above 254, [`Error::BufferTooSmall`]).
    pub fn emit<B: BufMut>(&self, out: &mut B) -> Result<(), Error> {
        let li = length_indicator(self.parameter_len().saturating_add(usize::from(FIXED_LI)))?;
        // The LI check above bounds the quoted header to 248 bytes, so its length fits a byte.
        let quoted = match &self.invalid_tpdu {
            Some(header) => Some((
                header,
                u8::try_from(header.len()).map_err(|_| Error::HeaderTooLong {
                    len: usize::from(li),
                })?,
            )),
            None => None,
        };
        check_room(out, usize::from(li).saturating_add(1))?;
        out.put_u8(li);
        out.put_u8(ERROR);
        out.put_u16(self.dst_ref);
        out.put_u8(self.cause.code());
        if let Some((header, len)) = quoted {
            out.put_u8(INVALID_TPDU);
            out.put_u8(len);
            out.put_slice(header);
        }
        Ok(())
    }

    /// The TPDU's bytes in a new vector.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.buffer_len());
        self.emit(&mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{format, vec};

    #[test]
    fn er_without_parameter() {
        let wire = [0x04, 0x70, 0x00, 0x01, 0x03];
        let er = ErrorTpdu::parse(&wire).unwrap();
        assert_eq!(er, ErrorTpdu::new(1, RejectCause::InvalidParameterValue));
        assert_eq!(er.to_vec().unwrap(), wire);
        assert_eq!(er.buffer_len(), wire.len());
    }

    #[test]
    fn er_with_invalid_tpdu_parameter() {
        let wire = [
            0x0A, 0x70, 0x00, 0x01, 0x02, 0xC1, 0x04, 0x06, 0x60, 0x00, 0x01,
        ];
        let er = ErrorTpdu::parse(&wire).unwrap();
        assert_eq!(er.cause, RejectCause::InvalidTpduType);
        assert_eq!(
            er.invalid_tpdu.as_deref(),
            Some(&[0x06, 0x60, 0x00, 0x01][..])
        );
        assert_eq!(er.to_vec().unwrap(), wire);
        let built =
            ErrorTpdu::new(1, RejectCause::InvalidTpduType).with_invalid_tpdu(vec![6, 0x60, 0, 1]);
        assert_eq!(built, er);
    }

    #[test]
    fn other_and_repeated_parameters_are_dropped() {
        let wire = [
            0x0D, 0x70, 0, 1, 0x09, 0xC3, 0x02, 0xAA, 0xBB, 0xC1, 0x01, 0x11, 0xC1, 0x00,
        ];
        let er = ErrorTpdu::parse(&wire).unwrap();
        assert_eq!(er.cause, RejectCause::Other(9));
        assert_eq!(er.invalid_tpdu, Some(vec![0x11]));
    }

    #[test]
    fn every_cause_round_trips() {
        for code in 0..=255u8 {
            assert_eq!(RejectCause::from(code).code(), code);
            assert_eq!(u8::from(RejectCause::from(code)), code);
            assert_eq!(
                matches!(RejectCause::from(code), RejectCause::Other(_)),
                code > 3
            );
        }
        assert_eq!(RejectCause::from(0), RejectCause::NotSpecified);
        assert_eq!(RejectCause::from(1), RejectCause::InvalidParameterCode);
        assert_eq!(
            format!("{}", RejectCause::InvalidTpduType),
            "invalid tpdu type"
        );
        assert_eq!(format!("{}", RejectCause::Other(0x10)), "cause 0x10");
    }

    #[test]
    fn er_errors() {
        assert_eq!(
            ErrorTpdu::parse(&[0x03, 0x70, 0, 1]),
            Err(Error::HeaderTooShort {
                code: 0x70,
                li: 3,
                min: 4
            })
        );
        assert_eq!(
            ErrorTpdu::parse(&[0x04, 0x70, 0, 1]),
            Err(Error::LengthIndicatorPastData {
                li: 4,
                available: 3
            })
        );
        assert_eq!(
            ErrorTpdu::parse(&[0x06, 0x70, 0, 1, 2, 0xC1, 0x05]),
            Err(Error::ParameterOverrun {
                code: 0xC1,
                declared: 5,
                remaining: 0
            })
        );
        assert_eq!(
            ErrorTpdu::parse(&[0x04, 0x71, 0, 1, 2]),
            Err(Error::UnexpectedTpduCode {
                expected: 0x70,
                found: 0x71
            })
        );
    }

    #[test]
    fn emit_refuses_an_li_above_254() {
        let fits = ErrorTpdu::new(1, RejectCause::NotSpecified).with_invalid_tpdu(vec![0u8; 248]);
        let wire = fits.to_vec().unwrap();
        assert_eq!(wire[0], 254);
        assert_eq!(ErrorTpdu::parse(&wire).unwrap(), fits);
        let too_long =
            ErrorTpdu::new(1, RejectCause::NotSpecified).with_invalid_tpdu(vec![0u8; 249]);
        let mut out = vec![];
        assert_eq!(
            too_long.emit(&mut out),
            Err(Error::HeaderTooLong { len: 255 })
        );
        assert!(out.is_empty());
    }
}
