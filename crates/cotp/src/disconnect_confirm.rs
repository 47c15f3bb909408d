//! The disconnect confirm TPDU (DC).

use bytes::BufMut;

use crate::header::{check_room, header_body, li_and_code};
use crate::parameter::RawParameters;
use crate::tpdu_code::DISCONNECT_CONFIRM;
use crate::Error;

/// LI of a DC: code and two references.
const LI: u8 = 5;

/// A disconnect confirm (DC): the answer to a DR.
///
/// ```text
///  0    1     2..3      4..5
///  +----+-----+---------+---------+
///  | 05 | C0  | dst-ref | src-ref |
///  +----+-----+---------+---------+
/// ```
///
/// Class 0 defines no DC parameters (classes 4 adds a checksum); a longer header is accepted
/// if its parameter list is well formed, and its parameters are dropped.
///
/// ```
/// use cotp::DisconnectConfirm;
/// let dc = DisconnectConfirm { dst_ref: 0x4431, src_ref: 0x0001 };
/// let bytes = dc.to_bytes();
/// assert_eq!(bytes, [0x05, 0xC0, 0x44, 0x31, 0x00, 0x01]);
/// assert_eq!(DisconnectConfirm::parse(&bytes)?, dc);
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisconnectConfirm {
    /// Destination reference: the DR sender's reference.
    pub dst_ref: u16,
    /// Source reference: the confirming side's reference.
    pub src_ref: u16,
}

impl DisconnectConfirm {
    /// The number of bytes of a DC.
    pub const LEN: usize = 6;

    /// A DC with these references.
    pub fn new(dst_ref: u16, src_ref: u16) -> Self {
        DisconnectConfirm { dst_ref, src_ref }
    }

    /// Parses a whole TPDU (a TPKT payload).
    pub fn parse(buf: &[u8]) -> Result<Self, Error> {
        let (li, code) = li_and_code(buf)?;
        if code != DISCONNECT_CONFIRM {
            return Err(Error::UnexpectedTpduCode {
                expected: DISCONNECT_CONFIRM,
                found: code,
            });
        }
        let body = header_body(buf, li, code, LI)?;
        let Some(([dst_hi, dst_lo, src_hi, src_lo], list)) = body.split_first_chunk() else {
            return Err(Error::HeaderTooShort { code, li, min: LI });
        };
        for parameter in RawParameters::new(list) {
            parameter?;
        }
        Ok(DisconnectConfirm {
            dst_ref: u16::from_be_bytes([*dst_hi, *dst_lo]),
            src_ref: u16::from_be_bytes([*src_hi, *src_lo]),
        })
    }

    /// The bytes [`emit`](Self::emit) writes: always [`DisconnectConfirm::LEN`].
    pub fn buffer_len(&self) -> usize {
        Self::LEN
    }

    /// The TPDU's bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let [dst_hi, dst_lo] = self.dst_ref.to_be_bytes();
        let [src_hi, src_lo] = self.src_ref.to_be_bytes();
        [LI, DISCONNECT_CONFIRM, dst_hi, dst_lo, src_hi, src_lo]
    }

    /// Writes the TPDU; [`Error::BufferTooSmall`] (and nothing written) if `out` lacks room.
    pub fn emit<B: BufMut>(&self, out: &mut B) -> Result<(), Error> {
        check_room(out, Self::LEN)?;
        out.put_slice(&self.to_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dc_round_trips() {
        let wire = [0x05, 0xC0, 0x00, 0x01, 0x44, 0x31];
        let dc = DisconnectConfirm::parse(&wire).unwrap();
        assert_eq!(dc, DisconnectConfirm::new(0x0001, 0x4431));
        assert_eq!(dc.to_bytes(), wire);
        let mut out = alloc::vec::Vec::new();
        dc.emit(&mut out).unwrap();
        assert_eq!(out, wire);
        assert_eq!(dc.buffer_len(), 6);
    }

    #[test]
    fn dc_parameters_are_checked_then_dropped() {
        let wire = [0x09, 0xC0, 0x00, 0x01, 0x00, 0x02, 0xC3, 0x02, 0xAB, 0xCD];
        assert_eq!(
            DisconnectConfirm::parse(&wire),
            Ok(DisconnectConfirm::new(1, 2))
        );
        let wire = [0x08, 0xC0, 0x00, 0x01, 0x00, 0x02, 0xC3, 0x02, 0xAB];
        assert_eq!(
            DisconnectConfirm::parse(&wire),
            Err(Error::ParameterOverrun {
                code: 0xC3,
                declared: 2,
                remaining: 1
            })
        );
    }

    #[test]
    fn dc_errors() {
        assert_eq!(
            DisconnectConfirm::parse(&[0x04, 0xC0, 0, 1, 0]),
            Err(Error::HeaderTooShort {
                code: 0xC0,
                li: 4,
                min: 5
            })
        );
        assert_eq!(
            DisconnectConfirm::parse(&[0x05, 0xC0, 0, 1, 0]),
            Err(Error::LengthIndicatorPastData {
                li: 5,
                available: 4
            })
        );
        assert_eq!(
            DisconnectConfirm::parse(&[0x05, 0x80, 0, 1, 0, 2]),
            Err(Error::UnexpectedTpduCode {
                expected: 0xC0,
                found: 0x80
            })
        );
        let mut storage = [0u8; 5];
        let mut out: &mut [u8] = &mut storage;
        assert_eq!(
            DisconnectConfirm::new(1, 2).emit(&mut out),
            Err(Error::BufferTooSmall {
                needed: 6,
                available: 5
            })
        );
    }
}
