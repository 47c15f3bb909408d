//! The connection request TPDU (CR).

use alloc::vec::Vec;

use crate::connection::connection_tpdu_impl;
use crate::tpdu_code::CONNECTION_REQUEST;
use crate::Parameter;

/// A connection request (CR), the first TPDU a client sends.
///
/// ```text
///  0    1       2..3       4..5      6              7..
///  +----+-------+----------+---------+--------------+------------------------+
///  | LI | E0    | dst-ref  | src-ref | class/option | parameters (C1 C2 C0..) |
///  +----+-------+----------+---------+--------------+------------------------+
///  dst-ref is 0 in a CR; class/option 0x00 is class 0 without options.
/// ```
///
/// The CR S7 clients send (TPKT payload of the 22-byte frame `03 00 00 16 ...`):
///
/// ```
/// use cotp::{ConnectionRequest, TpduSize, Tsap};
/// let cr = ConnectionRequest::new(0x0001)
///     .with_calling_tsap(Tsap::from_u16(0x0100))
///     .with_called_tsap(Tsap::from_u16(0x0102))
///     .with_tpdu_size(TpduSize::S1024);
/// let bytes = cr.to_vec()?;
/// assert_eq!(bytes, [0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00,
///                    0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02, 0xC0, 0x01, 0x0A]);
/// assert_eq!(ConnectionRequest::parse(&bytes)?, cr);
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRequest {
    /// Destination reference (0 in a CR: the peer has not chosen one yet).
    pub dst_ref: u16,
    /// Source reference chosen by the sender.
    pub src_ref: u16,
    /// Class (high nibble) and options (low nibble); 0x00 for class 0.
    pub class_option: u8,
    /// Parameters in wire order.
    pub parameters: Vec<Parameter>,
}

impl ConnectionRequest {
    /// A class 0 CR with the given source reference and no parameters yet.
    pub fn new(src_ref: u16) -> Self {
        ConnectionRequest {
            dst_ref: 0,
            src_ref,
            class_option: 0,
            parameters: Vec::new(),
        }
    }
}

connection_tpdu_impl!(ConnectionRequest, CONNECTION_REQUEST);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, TpduSize, Tsap};
    use alloc::vec;

    /// The TPKT payload of the 22-byte CR S7 clients send: calling 0x0100, called 0x0102
    /// (PG, rack 0, slot 2), TPDU size 1024, in the order C1 C2 C0.
    const S7_CR: [u8; 18] = [
        0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02,
        0xC0, 0x01, 0x0A,
    ];

    #[test]
    fn s7_client_cr() {
        let cr = ConnectionRequest::parse(&S7_CR).unwrap();
        assert_eq!(cr.dst_ref, 0x0000);
        assert_eq!(cr.src_ref, 0x0001);
        assert_eq!(cr.class_option, 0x00);
        assert_eq!(cr.class(), 0);
        assert_eq!(cr.calling_tsap(), Some(&Tsap::from_u16(0x0100)));
        assert_eq!(cr.called_tsap(), Some(&Tsap::from_u16(0x0102)));
        assert_eq!(cr.tpdu_size(), Some(TpduSize::S1024));
        assert_eq!(cr.preferred_max_tpdu_size(), None);
        assert_eq!(cr.buffer_len(), S7_CR.len());
        assert_eq!(cr.to_vec().unwrap(), S7_CR);
        let built = ConnectionRequest::new(1)
            .with_calling_tsap(Tsap::from_u16(0x0100))
            .with_called_tsap(Tsap::from_u16(0x0102))
            .with_tpdu_size(TpduSize::S1024);
        assert_eq!(built, cr);
    }

    #[test]
    fn snap7_cr_with_c0_first_keeps_its_order() {
        let wire = [
            0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x01, 0x00,
            0xC2, 0x02, 0x01, 0x02,
        ];
        let cr = ConnectionRequest::parse(&wire).unwrap();
        assert_eq!(
            cr.parameters,
            vec![
                Parameter::TpduSize(TpduSize::S1024),
                Parameter::CallingTsap(Tsap::from_u16(0x0100)),
                Parameter::CalledTsap(Tsap::from_u16(0x0102)),
            ]
        );
        assert_eq!(cr.to_vec().unwrap(), wire);
    }

    #[test]
    fn string_tsaps() {
        let mut wire = vec![
            0x00, 0xE0, 0x00, 0x00, 0x00, 0x05, 0x00, 0xC1, 0x02, 0x01, 0x00,
        ];
        wire.extend_from_slice(&[0xC2, 16]);
        wire.extend_from_slice(b"SIMATIC-ROOT-HMI");
        wire.extend_from_slice(&[0xC0, 0x01, 0x0D]);
        wire[0] = u8::try_from(wire.len() - 1).unwrap();
        let cr = ConnectionRequest::parse(&wire).unwrap();
        assert_eq!(cr.called_tsap().unwrap().as_bytes(), b"SIMATIC-ROOT-HMI");
        assert_eq!(cr.tpdu_size(), Some(TpduSize::S8192));
        assert_eq!(cr.to_vec().unwrap(), wire);
    }

    #[test]
    fn preferred_max_tpdu_size_and_unknown_parameters() {
        let wire = [
            0x10, 0xE0, 0x00, 0x00, 0x12, 0x34, 0x00, 0xF0, 0x02, 0x01, 0x00, 0xC6, 0x02, 0xAB,
            0xCD, 0xC7, 0x00,
        ];
        let cr = ConnectionRequest::parse(&wire).unwrap();
        assert_eq!(cr.src_ref, 0x1234);
        assert_eq!(cr.preferred_max_tpdu_size(), Some(256));
        assert_eq!(cr.tpdu_size(), None);
        assert_eq!(cr.calling_tsap(), None);
        assert_eq!(
            cr.parameters[1..],
            [
                Parameter::Other {
                    code: 0xC6,
                    value: vec![0xAB, 0xCD]
                },
                Parameter::Other {
                    code: 0xC7,
                    value: vec![]
                },
            ]
        );
        assert_eq!(cr.to_vec().unwrap(), wire);
    }

    #[test]
    fn no_parameters() {
        let wire = [0x06, 0xE0, 0x00, 0x00, 0x00, 0x07, 0x00];
        let cr = ConnectionRequest::parse(&wire).unwrap();
        assert_eq!(cr, ConnectionRequest::new(7));
        assert_eq!(cr.to_vec().unwrap(), wire);
    }

    #[test]
    fn duplicate_parameters_are_kept_and_the_first_wins() {
        let wire = [
            0x0C, 0xE0, 0, 0, 0, 1, 0, 0xC0, 0x01, 0x07, 0xC0, 0x01, 0x0D,
        ];
        let cr = ConnectionRequest::parse(&wire).unwrap();
        assert_eq!(cr.parameters.len(), 2);
        assert_eq!(cr.tpdu_size(), Some(TpduSize::S128));
        assert_eq!(cr.to_vec().unwrap(), wire);
    }

    #[test]
    fn class_option_and_credit() {
        // Class 2 with extended formats proposed, credit 3: the credit is not kept.
        let wire = [0x06, 0xE3, 0x00, 0x00, 0x00, 0x01, 0x22];
        let cr = ConnectionRequest::parse(&wire).unwrap();
        assert_eq!(cr.class_option, 0x22);
        assert_eq!(cr.class(), 2);
        assert_eq!(
            cr.to_vec().unwrap(),
            [0x06, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x22]
        );
    }

    #[test]
    fn user_data_after_the_header_is_ignored() {
        let mut wire = S7_CR.to_vec();
        wire.extend_from_slice(&[0xDE, 0xAD]);
        let cr = ConnectionRequest::parse(&wire).unwrap();
        assert_eq!(cr.to_vec().unwrap(), S7_CR);
        assert_eq!(crate::user_data(&wire).unwrap(), &[0xDE, 0xAD]);
    }

    #[test]
    fn header_errors() {
        assert_eq!(
            ConnectionRequest::parse(&[]),
            Err(Error::Truncated {
                needed: 2,
                available: 0
            })
        );
        assert_eq!(
            ConnectionRequest::parse(&[0x11]),
            Err(Error::Truncated {
                needed: 2,
                available: 1
            })
        );
        assert_eq!(
            ConnectionRequest::parse(&[0xFF, 0xE0]),
            Err(Error::ReservedLengthIndicator)
        );
        assert_eq!(
            ConnectionRequest::parse(&[0x06, 0xD0, 0, 0, 0, 1, 0]),
            Err(Error::UnexpectedTpduCode {
                expected: 0xE0,
                found: 0xD0
            })
        );
        assert_eq!(
            ConnectionRequest::parse(&[0x05, 0xE0, 0, 0, 0, 1]),
            Err(Error::HeaderTooShort {
                code: 0xE0,
                li: 5,
                min: 6
            })
        );
        assert_eq!(
            ConnectionRequest::parse(&[0x00, 0xE0]),
            Err(Error::HeaderTooShort {
                code: 0xE0,
                li: 0,
                min: 6
            })
        );
        assert_eq!(
            ConnectionRequest::parse(&S7_CR[..17]),
            Err(Error::LengthIndicatorPastData {
                li: 0x11,
                available: 16
            })
        );
        assert_eq!(
            ConnectionRequest::parse(&[0x06, 0xE0, 0, 0]),
            Err(Error::LengthIndicatorPastData {
                li: 6,
                available: 3
            })
        );
    }

    #[test]
    fn parameter_errors() {
        // C2 declares 3 bytes, the header (LI 0x0A) ends after 2; the byte after it is data.
        let wire = [0x0A, 0xE0, 0, 0, 0, 1, 0, 0xC2, 0x03, 0x01, 0x02, 0x99];
        assert_eq!(
            ConnectionRequest::parse(&wire),
            Err(Error::ParameterOverrun {
                code: 0xC2,
                declared: 3,
                remaining: 2
            })
        );
        let wire = [0x08, 0xE0, 0, 0, 0, 1, 0, 0xC0, 0x01, 0x0A];
        assert_eq!(
            ConnectionRequest::parse(&wire),
            Err(Error::ParameterOverrun {
                code: 0xC0,
                declared: 1,
                remaining: 0
            })
        );
        let wire = [0x09, 0xE0, 0, 0, 0, 1, 0, 0xC0, 0x01, 0x0E];
        assert_eq!(
            ConnectionRequest::parse(&wire),
            Err(Error::InvalidTpduSize { code: 0x0E })
        );
        let wire = [0x08, 0xE0, 0, 0, 0, 1, 0, 0xC1, 0x00];
        assert_eq!(
            ConnectionRequest::parse(&wire),
            Err(Error::InvalidParameterLength { code: 0xC1, len: 0 })
        );
    }

    #[test]
    fn emit_refuses_an_li_above_254() {
        // 6 fixed + 2 + 246 = 254: fits exactly.
        let tsap = Tsap::new(vec![b'x'; Tsap::MAX_LEN]).unwrap();
        let cr = ConnectionRequest::new(1).with_called_tsap(tsap.clone());
        let wire = cr.to_vec().unwrap();
        assert_eq!(wire.len(), 255);
        assert_eq!(wire[0], 254);
        assert_eq!(ConnectionRequest::parse(&wire).unwrap(), cr);
        let too_long = cr.with_tpdu_size(TpduSize::S128);
        let mut out = vec![];
        assert_eq!(
            too_long.emit(&mut out),
            Err(Error::HeaderTooLong { len: 257 })
        );
        assert!(out.is_empty());
    }

    #[test]
    fn emit_refuses_raw_parameters_that_would_read_back_typed() {
        let cr = ConnectionRequest::new(1).with_parameter(Parameter::Other {
            code: 0xC0,
            value: vec![0x05],
        });
        let mut out = vec![];
        assert_eq!(
            cr.emit(&mut out),
            Err(Error::AmbiguousParameter { code: 0xC0 })
        );
        assert!(out.is_empty());
        let cr = ConnectionRequest::new(1).with_parameter(Parameter::Other {
            code: 0xAA,
            value: vec![0; 300],
        });
        assert_eq!(
            cr.emit(&mut out),
            Err(Error::InvalidParameterLength {
                code: 0xAA,
                len: 300
            })
        );
    }

    #[test]
    fn emit_into_a_fixed_buffer() {
        let cr = ConnectionRequest::parse(&S7_CR).unwrap();
        let mut storage = [0u8; 17];
        let mut out: &mut [u8] = &mut storage;
        assert_eq!(
            cr.emit(&mut out),
            Err(Error::BufferTooSmall {
                needed: 18,
                available: 17
            })
        );
        assert_eq!(storage, [0u8; 17]);
        let mut storage = [0u8; 18];
        let mut out: &mut [u8] = &mut storage;
        cr.emit(&mut out).unwrap();
        assert_eq!(storage, S7_CR);
    }
}
