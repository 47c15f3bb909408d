//! The disconnect request TPDU (DR) and its reasons.

use alloc::vec::Vec;

use bytes::BufMut;

use crate::header::{check_room, header_body, length_indicator, li_and_code};
use crate::parameter::{emit_parameters, parameter_code, parameters_len, parse_raw_parameters};
use crate::tpdu_code::DISCONNECT_REQUEST;
use crate::{Error, Parameter};

/// LI of a DR without parameters: code, two references, reason.
const FIXED_LI: u8 = 6;

/// Why a connection is refused or closed (the reason byte of a DR, ISO 8073 table).
///
/// Codes without a name here are kept as [`DisconnectReason::Other`], so every byte
/// round-trips.
///
/// ```
/// use cotp::DisconnectReason;
/// assert_eq!(DisconnectReason::from(0x80), DisconnectReason::Normal);
/// assert_eq!(DisconnectReason::from(0x42), DisconnectReason::Other(0x42));
/// assert_eq!(DisconnectReason::ConnectionRefused.code(), 0x88);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisconnectReason {
    /// 0x00: reason not specified.
    NotSpecified,
    /// 0x01: congestion at the TSAP.
    Congestion,
    /// 0x02: session entity not attached to the TSAP.
    SessionNotAttached,
    /// 0x03: address unknown.
    AddressUnknown,
    /// 0x80: normal disconnect initiated by the session entity.
    Normal,
    /// 0x81: remote transport entity congestion at connect request time.
    RemoteCongestion,
    /// 0x82: connection negotiation failed.
    NegotiationFailed,
    /// 0x83: duplicate source reference detected for the same pair of NSAPs.
    DuplicateSourceReference,
    /// 0x84: mismatched references.
    MismatchedReferences,
    /// 0x85: protocol error.
    ProtocolError,
    /// 0x87: reference overflow.
    ReferenceOverflow,
    /// 0x88: connection request refused on this network connection.
    ConnectionRefused,
    /// 0x8A: header or parameter length invalid.
    InvalidHeaderOrParameterLength,
    /// Any other byte ([`DisconnectReason::from`] never yields a named code here).
    Other(u8),
}

impl DisconnectReason {
    /// The reason byte.
    pub fn code(self) -> u8 {
        match self {
            DisconnectReason::NotSpecified => 0x00,
            DisconnectReason::Congestion => 0x01,
            DisconnectReason::SessionNotAttached => 0x02,
            DisconnectReason::AddressUnknown => 0x03,
            DisconnectReason::Normal => 0x80,
            DisconnectReason::RemoteCongestion => 0x81,
            DisconnectReason::NegotiationFailed => 0x82,
            DisconnectReason::DuplicateSourceReference => 0x83,
            DisconnectReason::MismatchedReferences => 0x84,
            DisconnectReason::ProtocolError => 0x85,
            DisconnectReason::ReferenceOverflow => 0x87,
            DisconnectReason::ConnectionRefused => 0x88,
            DisconnectReason::InvalidHeaderOrParameterLength => 0x8A,
            DisconnectReason::Other(code) => code,
        }
    }
}

impl From<u8> for DisconnectReason {
    fn from(code: u8) -> Self {
        match code {
            0x00 => DisconnectReason::NotSpecified,
            0x01 => DisconnectReason::Congestion,
            0x02 => DisconnectReason::SessionNotAttached,
            0x03 => DisconnectReason::AddressUnknown,
            0x80 => DisconnectReason::Normal,
            0x81 => DisconnectReason::RemoteCongestion,
            0x82 => DisconnectReason::NegotiationFailed,
            0x83 => DisconnectReason::DuplicateSourceReference,
            0x84 => DisconnectReason::MismatchedReferences,
            0x85 => DisconnectReason::ProtocolError,
            0x87 => DisconnectReason::ReferenceOverflow,
            0x88 => DisconnectReason::ConnectionRefused,
            0x8A => DisconnectReason::InvalidHeaderOrParameterLength,
            other => DisconnectReason::Other(other),
        }
    }
}

impl From<DisconnectReason> for u8 {
    fn from(reason: DisconnectReason) -> u8 {
        reason.code()
    }
}

impl core::fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let text = match self {
            DisconnectReason::NotSpecified => "reason not specified",
            DisconnectReason::Congestion => "congestion at tsap",
            DisconnectReason::SessionNotAttached => "session entity not attached to tsap",
            DisconnectReason::AddressUnknown => "address unknown",
            DisconnectReason::Normal => "normal disconnect",
            DisconnectReason::RemoteCongestion => "remote transport entity congestion",
            DisconnectReason::NegotiationFailed => "connection negotiation failed",
            DisconnectReason::DuplicateSourceReference => "duplicate source reference",
            DisconnectReason::MismatchedReferences => "mismatched references",
            DisconnectReason::ProtocolError => "protocol error",
            DisconnectReason::ReferenceOverflow => "reference overflow",
            DisconnectReason::ConnectionRefused => "connection request refused",
            DisconnectReason::InvalidHeaderOrParameterLength => {
                "header or parameter length invalid"
            }
            DisconnectReason::Other(code) => return write!(f, "reason 0x{code:02X}"),
        };
        f.write_str(text)
    }
}

/// A disconnect request (DR): refuses a CR or closes a connection.
///
/// ```text
///  0    1     2..3      4..5      6        7..
///  +----+-----+---------+---------+--------+-------------------------------+
///  | LI | 80  | dst-ref | src-ref | reason | parameters (E0 additional ..) |
///  +----+-----+---------+---------+--------+-------------------------------+
/// ```
///
/// In a DR only `E0` (additional information) is defined, so every parameter is kept raw as
/// [`Parameter::Other`]; a typed parameter given to [`emit`](Self::emit) is written with its
/// code and reads back as `Other`. User data after the header (not used in class 0) is
/// ignored.
///
/// ```
/// use cotp::{DisconnectReason, DisconnectRequest};
/// let dr = DisconnectRequest::new(0x0001, 0x4431, DisconnectReason::Normal);
/// let bytes = dr.to_vec()?;
/// assert_eq!(bytes, [0x06, 0x80, 0x00, 0x01, 0x44, 0x31, 0x80]);
/// assert_eq!(DisconnectRequest::parse(&bytes)?, dr);
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisconnectRequest {
    /// Destination reference: the peer's reference.
    pub dst_ref: u16,
    /// Source reference: the sender's reference (0 when refusing a CR before choosing one).
    pub src_ref: u16,
    /// Why.
    pub reason: DisconnectReason,
    /// Parameters in wire order, all [`Parameter::Other`] when parsed.
    pub parameters: Vec<Parameter>,
}

impl DisconnectRequest {
    /// A DR without parameters.
    pub fn new(dst_ref: u16, src_ref: u16, reason: DisconnectReason) -> Self {
        DisconnectRequest {
            dst_ref,
            src_ref,
            reason,
            parameters: Vec::new(),
        }
    }

    /// Adds an additional information parameter (E0) after the parameters already present.
    #[must_use]
    pub fn with_additional_information(mut self, info: impl Into<Vec<u8>>) -> Self {
        self.parameters.push(Parameter::Other {
            code: parameter_code::ADDITIONAL_INFORMATION,
            value: info.into(),
        });
        self
    }

    /// The value of the first additional information parameter (E0), if any.
    pub fn additional_information(&self) -> Option<&[u8]> {
        self.parameters.iter().find_map(|p| match p {
            Parameter::Other {
                code: parameter_code::ADDITIONAL_INFORMATION,
                value,
            } => Some(value.as_slice()),
            _ => None,
        })
    }

    /// Parses a whole TPDU (a TPKT payload).
    pub fn parse(buf: &[u8]) -> Result<Self, Error> {
        let (li, code) = li_and_code(buf)?;
        if code != DISCONNECT_REQUEST {
            return Err(Error::UnexpectedTpduCode {
                expected: DISCONNECT_REQUEST,
                found: code,
            });
        }
        let body = header_body(buf, li, code, FIXED_LI)?;
        let Some(([dst_hi, dst_lo, src_hi, src_lo, reason], list)) = body.split_first_chunk()
        else {
            return Err(Error::HeaderTooShort {
                code,
                li,
                min: FIXED_LI,
            });
        };
        Ok(DisconnectRequest {
            dst_ref: u16::from_be_bytes([*dst_hi, *dst_lo]),
            src_ref: u16::from_be_bytes([*src_hi, *src_lo]),
            reason: DisconnectReason::from(*reason),
            parameters: parse_raw_parameters(list)?,
        })
    }

    /// The bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        parameters_len(&self.parameters).saturating_add(usize::from(FIXED_LI).saturating_add(1))
    }

    /// Writes the TPDU, or nothing at all on error ([`Error::HeaderTooLong`] when the
    /// parameters need an LI above 254, [`Error::InvalidParameterLength`] for a value above
    /// 255 bytes, [`Error::BufferTooSmall`]).
    pub fn emit<B: BufMut>(&self, out: &mut B) -> Result<(), Error> {
        for parameter in &self.parameters {
            parameter.check_length()?;
        }
        let li = length_indicator(
            parameters_len(&self.parameters).saturating_add(usize::from(FIXED_LI)),
        )?;
        check_room(out, usize::from(li).saturating_add(1))?;
        out.put_u8(li);
        out.put_u8(DISCONNECT_REQUEST);
        out.put_u16(self.dst_ref);
        out.put_u16(self.src_ref);
        out.put_u8(self.reason.code());
        emit_parameters(&self.parameters, out);
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
    fn normal_disconnect() {
        let wire = [0x06, 0x80, 0x00, 0x01, 0x44, 0x31, 0x80];
        let dr = DisconnectRequest::parse(&wire).unwrap();
        assert_eq!(
            dr,
            DisconnectRequest::new(0x0001, 0x4431, DisconnectReason::Normal)
        );
        assert_eq!(dr.additional_information(), None);
        assert_eq!(dr.to_vec().unwrap(), wire);
        assert_eq!(dr.buffer_len(), wire.len());
    }

    #[test]
    fn unknown_reason_is_kept() {
        let wire = [0x06, 0x80, 0x00, 0x01, 0x00, 0x00, 0x86];
        let dr = DisconnectRequest::parse(&wire).unwrap();
        assert_eq!(dr.reason, DisconnectReason::Other(0x86));
        assert_eq!(dr.to_vec().unwrap(), wire);
    }

    #[test]
    fn additional_information_and_other_parameters_are_kept_raw() {
        let wire = [
            0x0F, 0x80, 0, 1, 0, 2, 0x85, 0xE0, 0x02, b'n', b'o', 0xC0, 0x01, 0x05, 0xFF, 0x00,
        ];
        let dr = DisconnectRequest::parse(&wire).unwrap();
        assert_eq!(dr.reason, DisconnectReason::ProtocolError);
        assert_eq!(dr.additional_information(), Some(&b"no"[..]));
        assert_eq!(
            dr.parameters,
            vec![
                Parameter::Other {
                    code: 0xE0,
                    value: b"no".to_vec()
                },
                Parameter::Other {
                    code: 0xC0,
                    value: vec![0x05]
                },
                Parameter::Other {
                    code: 0xFF,
                    value: vec![]
                },
            ]
        );
        assert_eq!(dr.to_vec().unwrap(), wire);
        let built = DisconnectRequest::new(1, 2, DisconnectReason::ProtocolError)
            .with_additional_information(b"no".to_vec());
        assert_eq!(
            built.to_vec().unwrap(),
            [0x0A, 0x80, 0, 1, 0, 2, 0x85, 0xE0, 0x02, b'n', b'o']
        );
    }

    #[test]
    fn every_named_reason_round_trips() {
        let named = [
            (0x00, DisconnectReason::NotSpecified),
            (0x01, DisconnectReason::Congestion),
            (0x02, DisconnectReason::SessionNotAttached),
            (0x03, DisconnectReason::AddressUnknown),
            (0x80, DisconnectReason::Normal),
            (0x81, DisconnectReason::RemoteCongestion),
            (0x82, DisconnectReason::NegotiationFailed),
            (0x83, DisconnectReason::DuplicateSourceReference),
            (0x84, DisconnectReason::MismatchedReferences),
            (0x85, DisconnectReason::ProtocolError),
            (0x87, DisconnectReason::ReferenceOverflow),
            (0x88, DisconnectReason::ConnectionRefused),
            (0x8A, DisconnectReason::InvalidHeaderOrParameterLength),
        ];
        for (code, reason) in named {
            assert_eq!(DisconnectReason::from(code), reason);
            assert_eq!(reason.code(), code);
            assert_eq!(u8::from(reason), code);
        }
        for code in 0..=255u8 {
            let reason = DisconnectReason::from(code);
            assert_eq!(reason.code(), code);
            let named_code = named.iter().any(|(c, _)| *c == code);
            assert_eq!(matches!(reason, DisconnectReason::Other(_)), !named_code);
        }
        assert_eq!(format!("{}", DisconnectReason::Normal), "normal disconnect");
        assert_eq!(format!("{}", DisconnectReason::Other(0x42)), "reason 0x42");
    }

    #[test]
    fn dr_errors() {
        assert_eq!(
            DisconnectRequest::parse(&[0x06, 0x81, 0, 1, 0, 2, 0x80]),
            Err(Error::UnexpectedTpduCode {
                expected: 0x80,
                found: 0x81
            })
        );
        assert_eq!(
            DisconnectRequest::parse(&[0x05, 0x80, 0, 1, 0, 2]),
            Err(Error::HeaderTooShort {
                code: 0x80,
                li: 5,
                min: 6
            })
        );
        assert_eq!(
            DisconnectRequest::parse(&[0x06, 0x80, 0, 1, 0, 2]),
            Err(Error::LengthIndicatorPastData {
                li: 6,
                available: 5
            })
        );
        assert_eq!(
            DisconnectRequest::parse(&[0x08, 0x80, 0, 1, 0, 2, 0x80, 0xE0, 0x01]),
            Err(Error::ParameterOverrun {
                code: 0xE0,
                declared: 1,
                remaining: 0
            })
        );
    }

    #[test]
    fn emit_refuses_an_li_above_254() {
        let fits = DisconnectRequest::new(1, 2, DisconnectReason::Normal)
            .with_additional_information(vec![0u8; 246]);
        assert_eq!(fits.to_vec().unwrap().len(), 255);
        let too_long = DisconnectRequest::new(1, 2, DisconnectReason::Normal)
            .with_additional_information(vec![0u8; 247]);
        assert_eq!(too_long.to_vec(), Err(Error::HeaderTooLong { len: 255 }));
        let huge = DisconnectRequest::new(1, 2, DisconnectReason::Normal)
            .with_additional_information(vec![0u8; 256]);
        assert_eq!(
            huge.to_vec(),
            Err(Error::InvalidParameterLength {
                code: 0xE0,
                len: 256
            })
        );
    }
}
