//! The connection confirm TPDU (CC).

use alloc::vec::Vec;

use crate::connection::connection_tpdu_impl;
use crate::tpdu_code::CONNECTION_CONFIRM;
use crate::{ConnectionRequest, Parameter, TpduSize};

/// A connection confirm (CC), the server's acceptance of a CR.
///
/// ```text
///  0    1       2..3       4..5      6              7..
///  +----+-------+----------+---------+--------------+------------------------+
///  | LI | D0    | dst-ref  | src-ref | class/option | parameters (C0 C1 C2..) |
///  +----+-------+----------+---------+--------------+------------------------+
///  dst-ref echoes the CR's src-ref; src-ref is the server's own reference.
/// ```
///
/// Some clients refuse a CC that does not echo both TSAPs, so [`ConnectionConfirm::answering`]
/// echoes them and carries the negotiated TPDU size:
///
/// ```
/// use cotp::{ConnectionConfirm, ConnectionRequest, TpduSize, Tsap};
/// let cr = ConnectionRequest::new(0x0001)
///     .with_calling_tsap(Tsap::from_u16(0x0100))
///     .with_called_tsap(Tsap::from_u16(0x0102))
///     .with_tpdu_size(TpduSize::S2048);
/// let cc = ConnectionConfirm::answering(&cr, 0x4431, TpduSize::S1024);
/// assert_eq!(cc.tpdu_size(), Some(TpduSize::S1024));
/// assert_eq!(cc.to_vec()?, [0x11, 0xD0, 0x00, 0x01, 0x44, 0x31, 0x00,
///                           0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02]);
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionConfirm {
    /// Destination reference: the CR's source reference.
    pub dst_ref: u16,
    /// Source reference chosen by the responder.
    pub src_ref: u16,
    /// Class (high nibble) and options (low nibble); 0x00 for class 0.
    pub class_option: u8,
    /// Parameters in wire order.
    pub parameters: Vec<Parameter>,
}

impl ConnectionConfirm {
    /// A class 0 CC with the given references and no parameters yet.
    pub fn new(dst_ref: u16, src_ref: u16) -> Self {
        ConnectionConfirm {
            dst_ref,
            src_ref,
            class_option: 0,
            parameters: Vec::new(),
        }
    }

    /// The CC that accepts `request` in class 0: the request's source reference as destination,
    /// the TPDU size `min(requested, max_tpdu_size)` (a CR without C0 asks for 128 bytes), then
    /// the request's calling and called TSAPs echoed when present.
    pub fn answering(request: &ConnectionRequest, src_ref: u16, max_tpdu_size: TpduSize) -> Self {
        let requested = request.tpdu_size().unwrap_or(TpduSize::S128);
        let mut cc = ConnectionConfirm::new(request.src_ref, src_ref)
            .with_tpdu_size(requested.min(max_tpdu_size));
        if let Some(calling) = request.calling_tsap() {
            cc = cc.with_calling_tsap(calling.clone());
        }
        if let Some(called) = request.called_tsap() {
            cc = cc.with_called_tsap(called.clone());
        }
        cc
    }
}

connection_tpdu_impl!(ConnectionConfirm, CONNECTION_CONFIRM);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, Tsap};
    use alloc::vec;

    #[test]
    fn cc_echoing_both_tsaps() {
        let wire = [
            0x11, 0xD0, 0x00, 0x01, 0x44, 0x31, 0x00, 0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x01, 0x00,
            0xC2, 0x02, 0x01, 0x02,
        ];
        let cc = ConnectionConfirm::parse(&wire).unwrap();
        assert_eq!(cc.dst_ref, 0x0001);
        assert_eq!(cc.src_ref, 0x4431);
        assert_eq!(cc.class_option, 0);
        assert_eq!(cc.tpdu_size(), Some(TpduSize::S1024));
        assert_eq!(cc.calling_tsap(), Some(&Tsap::from_u16(0x0100)));
        assert_eq!(cc.called_tsap(), Some(&Tsap::from_u16(0x0102)));
        assert_eq!(cc.to_vec().unwrap(), wire);
        assert_eq!(cc.buffer_len(), wire.len());
    }

    #[test]
    fn minimal_cc() {
        let wire = [0x06, 0xD0, 0x00, 0x01, 0x00, 0x02, 0x00];
        let cc = ConnectionConfirm::parse(&wire).unwrap();
        assert_eq!(cc, ConnectionConfirm::new(1, 2));
        assert_eq!(cc.tpdu_size(), None);
        assert_eq!(cc.to_vec().unwrap(), wire);
    }

    #[test]
    fn cc_with_string_tsaps_and_f0() {
        let mut wire = vec![
            0, 0xD0, 0x00, 0x01, 0x00, 0x02, 0x00, 0xF0, 0x01, 0x40, 0xC1, 4,
        ];
        wire.extend_from_slice(b"HMI1");
        wire.extend_from_slice(&[0xC2, 16]);
        wire.extend_from_slice(b"SIMATIC-ROOT-HMI");
        wire[0] = u8::try_from(wire.len() - 1).unwrap();
        let cc = ConnectionConfirm::parse(&wire).unwrap();
        assert_eq!(cc.preferred_max_tpdu_size(), Some(0x40));
        assert_eq!(cc.calling_tsap().unwrap().as_bytes(), b"HMI1");
        assert_eq!(cc.called_tsap().unwrap().as_bytes(), b"SIMATIC-ROOT-HMI");
        assert_eq!(cc.to_vec().unwrap(), wire);
    }

    #[test]
    fn answering_negotiates_down_and_echoes_tsaps() {
        let cr = ConnectionRequest::new(0x0005)
            .with_called_tsap(Tsap::new("SIMATIC-ROOT-HMI").unwrap())
            .with_calling_tsap(Tsap::from_u16(0x0200))
            .with_tpdu_size(TpduSize::S8192);
        let cc = ConnectionConfirm::answering(&cr, 0x0100, TpduSize::S1024);
        assert_eq!(cc.dst_ref, 5);
        assert_eq!(cc.src_ref, 0x0100);
        assert_eq!(cc.tpdu_size(), Some(TpduSize::S1024));
        assert_eq!(cc.calling_tsap(), cr.calling_tsap());
        assert_eq!(cc.called_tsap(), cr.called_tsap());

        let small = ConnectionRequest::new(1).with_tpdu_size(TpduSize::S256);
        let cc = ConnectionConfirm::answering(&small, 2, TpduSize::S1024);
        assert_eq!(cc.tpdu_size(), Some(TpduSize::S256));
        assert_eq!(cc.calling_tsap(), None);
        assert_eq!(cc.parameters.len(), 1);

        let bare = ConnectionRequest::new(1);
        let cc = ConnectionConfirm::answering(&bare, 2, TpduSize::S1024);
        assert_eq!(cc.tpdu_size(), Some(TpduSize::S128));
    }

    #[test]
    fn cc_errors() {
        assert_eq!(
            ConnectionConfirm::parse(&[0x06, 0xE0, 0, 0, 0, 1, 0]),
            Err(Error::UnexpectedTpduCode {
                expected: 0xD0,
                found: 0xE0
            })
        );
        assert_eq!(
            ConnectionConfirm::parse(&[0x04, 0xD0, 0, 0, 0]),
            Err(Error::HeaderTooShort {
                code: 0xD0,
                li: 4,
                min: 6
            })
        );
        assert_eq!(
            ConnectionConfirm::parse(&[0x09, 0xD0, 0, 1, 0, 2, 0, 0xC0, 0x02, 0x0A]),
            Err(Error::ParameterOverrun {
                code: 0xC0,
                declared: 2,
                remaining: 1
            })
        );
        assert_eq!(
            ConnectionConfirm::parse(&[0x09, 0xD0, 0, 1, 0, 2, 0, 0xC0, 0x01, 0x03]),
            Err(Error::InvalidTpduSize { code: 3 })
        );
    }
}
