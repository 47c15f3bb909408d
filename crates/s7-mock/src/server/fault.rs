//! [`Fault`]: the misbehaviours the server can be told to show.

use std::time::Duration;

use iso_tcp::{DisconnectReason, RejectCause};

use s7comm::ReturnCode;

/// Bytes [`Fault::garbage`] sends: not a TPKT header (the version byte is not 3), so a client
/// fails on the first byte.
const GARBAGE: [u8; 8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x11, 0x22, 0x33];

/// One way to misbehave, installed with [`Server::inject`](super::Server::inject).
///
/// Every fault but [`Fault::Refuse`] acts on a request: the request is handled as usual
/// (memory is read or written, the request is logged), then the fault decides what the client
/// gets instead of, or besides, the answer. [`Fault::Refuse`] acts on a new connection, at its
/// COTP handshake.
///
/// | fault | the client sees (with an `iso-tcp` connection) | afterwards |
/// | --- | --- | --- |
/// | `Delay(d)` | the answer, `d` late | connection goes on |
/// | `Close` | `Error::Closed` (TCP closed, no DR) | connection gone |
/// | `HalfFrame` | `Error::EofMidFrame` (half of the answer's first frame, then TCP closed) | connection gone |
/// | `Disconnect(reason)` | `Error::PeerDisconnected { reason }` (a DR, then TCP closed) | connection gone |
/// | `ErrorTpdu(cause)` | `Error::PeerError { cause }` (an ER TPDU) | server side goes on |
/// | `Garbage(bytes)` | whatever `bytes` make of its stream (`Error::Tpkt` for [`Fault::garbage`]) | server side goes on |
/// | `Stall` | nothing: its read times out | connection goes on, later requests are answered |
/// | `ItemReturnCode { index, return_code }` | the answer, item `index` with `return_code` (a write item is then not written); reads and writes only | connection goes on |
/// | `Refuse(reason)` | `Error::Refused { reason }` (a DR in place of the CC) | no connection |
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// Answer after waiting this long (cut short if the server shuts down).
    Delay(Duration),
    /// Close the TCP connection instead of answering (no disconnect request).
    Close,
    /// Send the first half of the answer's first TPKT frame, then close the TCP connection.
    HalfFrame,
    /// Send a COTP disconnect request with this reason instead of the answer, then close.
    Disconnect(DisconnectReason),
    /// Send a COTP error TPDU with this cause instead of the answer.
    ErrorTpdu(RejectCause),
    /// Send these bytes, as they are, instead of the answer.
    Garbage(Vec<u8>),
    /// Do not answer this request at all.
    Stall,
    /// Answer item `index` (from 0) of a read or write with `return_code`. Only read var and
    /// write var requests match it; a request with fewer items is answered as usual (the
    /// fault still counts as fired).
    ItemReturnCode {
        /// The item, from 0.
        index: usize,
        /// The code to answer it with.
        return_code: ReturnCode,
    },
    /// Refuse a new connection with a disconnect request carrying this reason, in place of
    /// the connection confirm.
    Refuse(DisconnectReason),
}

impl Fault {
    /// [`Fault::Garbage`] with eight bytes that cannot start a TPKT frame.
    pub fn garbage() -> Self {
        Self::Garbage(GARBAGE.to_vec())
    }

    /// Whether the fault acts on new connections ([`Fault::Refuse`]) rather than on requests.
    pub fn is_connection_fault(&self) -> bool {
        matches!(self, Self::Refuse(_))
    }
}
