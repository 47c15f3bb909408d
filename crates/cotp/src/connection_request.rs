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
        ConnectionRequest { dst_ref: 0, src_ref, class_option: 0, parameters: Vec::new() }
    }
}

connection_tpdu_impl!(ConnectionRequest, CONNECTION_REQUEST);
