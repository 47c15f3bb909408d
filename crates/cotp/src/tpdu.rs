//! Any class 0 TPDU, dispatched on its code.

use bytes::BufMut;

use crate::header::{after_header, header_body, li_and_code};
use crate::tpdu_code::{
    CONNECTION_CONFIRM, CONNECTION_REQUEST, DATA, DISCONNECT_CONFIRM, DISCONNECT_REQUEST, ERROR,
};
use crate::{
    ConnectionConfirm, ConnectionRequest, Data, DisconnectConfirm, DisconnectRequest, Error,
    ErrorTpdu,
};

/// One class 0 TPDU, as found in one TPKT payload.
///
/// ```text
///  +----+------+---------------------------+--------------+
///  | LI | code | rest of header (LI bytes) | user data    |
///  +----+------+---------------------------+--------------+
///  code: E0 CR, D0 CC, 80 DR, C0 DC, F0 DT, 70 ER
/// ```
///
/// ```
/// use cotp::{DisconnectReason, Tpdu};
/// let tpdu = Tpdu::parse(&[0x06, 0x80, 0x00, 0x01, 0x00, 0x00, 0x88])?;
/// assert!(matches!(
///     tpdu,
///     Tpdu::DisconnectRequest(ref dr) if dr.reason == DisconnectReason::ConnectionRefused
/// ));
/// assert_eq!(tpdu.code(), cotp::tpdu_code::DISCONNECT_REQUEST);
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tpdu<'a> {
    /// CR.
    ConnectionRequest(ConnectionRequest),
    /// CC.
    ConnectionConfirm(ConnectionConfirm),
    /// DR.
    DisconnectRequest(DisconnectRequest),
    /// DC.
    DisconnectConfirm(DisconnectConfirm),
    /// DT, borrowing its payload from the parsed buffer.
    Data(Data<'a>),
    /// ER.
    Error(ErrorTpdu),
}

impl<'a> Tpdu<'a> {
    /// Parses a whole TPDU (a TPKT payload).
    ///
    /// Fewer than 2 bytes is [`Error::Truncated`], LI 255 [`Error::ReservedLengthIndicator`],
    /// a code that is no class 0 TPDU [`Error::UnknownTpduCode`]; the rest is checked by the
    /// TPDU type's own `parse`. For CR and CC only the high nibble of the code is matched (the
    /// low one is the credit).
    pub fn parse(buf: &'a [u8]) -> Result<Self, Error> {
        let (_, code) = li_and_code(buf)?;
        match code & 0xF0 {
            CONNECTION_REQUEST => ConnectionRequest::parse(buf).map(Tpdu::ConnectionRequest),
            CONNECTION_CONFIRM => ConnectionConfirm::parse(buf).map(Tpdu::ConnectionConfirm),
            _ => match code {
                DISCONNECT_REQUEST => DisconnectRequest::parse(buf).map(Tpdu::DisconnectRequest),
                DISCONNECT_CONFIRM => DisconnectConfirm::parse(buf).map(Tpdu::DisconnectConfirm),
                DATA => Data::parse(buf).map(Tpdu::Data),
                ERROR => ErrorTpdu::parse(buf).map(Tpdu::Error),
                _ => Err(Error::UnknownTpduCode { code }),
            },
        }
    }

    /// The TPDU code as class 0 sends it (see [`tpdu_code`](crate::tpdu_code)).
    pub fn code(&self) -> u8 {
        match self {
            Tpdu::ConnectionRequest(_) => CONNECTION_REQUEST,
            Tpdu::ConnectionConfirm(_) => CONNECTION_CONFIRM,
            Tpdu::DisconnectRequest(_) => DISCONNECT_REQUEST,
            Tpdu::DisconnectConfirm(_) => DISCONNECT_CONFIRM,
            Tpdu::Data(_) => DATA,
            Tpdu::Error(_) => ERROR,
        }
    }

    /// The bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            Tpdu::ConnectionRequest(cr) => cr.buffer_len(),
            Tpdu::ConnectionConfirm(cc) => cc.buffer_len(),
            Tpdu::DisconnectRequest(dr) => dr.buffer_len(),
            Tpdu::DisconnectConfirm(dc) => dc.buffer_len(),
            Tpdu::Data(dt) => dt.buffer_len(),
            Tpdu::Error(er) => er.buffer_len(),
        }
    }

    /// Writes the TPDU, or nothing at all on error (see each type's `emit`).
    pub fn emit<B: BufMut>(&self, out: &mut B) -> Result<(), Error> {
        match self {
            Tpdu::ConnectionRequest(cr) => cr.emit(out),
            Tpdu::ConnectionConfirm(cc) => cc.emit(out),
            Tpdu::DisconnectRequest(dr) => dr.emit(out),
            Tpdu::DisconnectConfirm(dc) => dc.emit(out),
            Tpdu::Data(dt) => dt.try_emit(out),
            Tpdu::Error(er) => er.emit(out),
        }
    }

    /// The TPDU's bytes in a new vector.
    pub fn to_vec(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        let mut out = alloc::vec::Vec::with_capacity(self.buffer_len());
        self.emit(&mut out)?;
        Ok(out)
    }
}

impl From<ConnectionRequest> for Tpdu<'_> {
    fn from(cr: ConnectionRequest) -> Self {
        Tpdu::ConnectionRequest(cr)
    }
}

impl From<ConnectionConfirm> for Tpdu<'_> {
    fn from(cc: ConnectionConfirm) -> Self {
        Tpdu::ConnectionConfirm(cc)
    }
}

impl From<DisconnectRequest> for Tpdu<'_> {
    fn from(dr: DisconnectRequest) -> Self {
        Tpdu::DisconnectRequest(dr)
    }
}

impl From<DisconnectConfirm> for Tpdu<'_> {
    fn from(dc: DisconnectConfirm) -> Self {
        Tpdu::DisconnectConfirm(dc)
    }
}

impl<'a> From<Data<'a>> for Tpdu<'a> {
    fn from(dt: Data<'a>) -> Self {
        Tpdu::Data(dt)
    }
}

impl From<ErrorTpdu> for Tpdu<'_> {
    fn from(er: ErrorTpdu) -> Self {
        Tpdu::Error(er)
    }
}

/// The bytes after a TPDU's header (as its LI bounds it): a DT's payload, or the user data
/// that CR, CC, DR, DC and ER parsers ignore (class 0 sends none).
///
/// Only the LI is checked here: 255, or an LI running past `buf`, is an error.
///
/// ```
/// assert_eq!(cotp::user_data(&[0x02, 0xF0, 0x80, 0xAA])?, &[0xAA]);
/// assert_eq!(cotp::user_data(&[0x05, 0xC0, 0, 1, 0, 2])?, &[] as &[u8]);
/// # Ok::<(), cotp::Error>(())
/// ```
pub fn user_data(buf: &[u8]) -> Result<&[u8], Error> {
    let (li, code) = li_and_code(buf)?;
    header_body(buf, li, code, 1)?;
    Ok(after_header(buf, li))
}
