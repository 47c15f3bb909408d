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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DisconnectReason, RejectCause, TpduSize, Tsap};
    use alloc::vec::Vec;

    fn round_trip(wire: &[u8]) -> Tpdu<'_> {
        let tpdu = Tpdu::parse(wire).unwrap();
        assert_eq!(tpdu.to_vec().unwrap(), wire);
        assert_eq!(tpdu.buffer_len(), wire.len());
        tpdu
    }

    #[test]
    fn dispatches_every_type() {
        let cr = round_trip(&[
            0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01,
            0x02, 0xC0, 0x01, 0x0A,
        ]);
        assert_eq!(cr.code(), 0xE0);
        let Tpdu::ConnectionRequest(cr) = cr else {
            panic!("not a CR: {cr:?}")
        };
        assert_eq!(cr.tpdu_size(), Some(TpduSize::S1024));

        let cc = round_trip(&[0x09, 0xD0, 0x00, 0x01, 0x00, 0x02, 0x00, 0xC0, 0x01, 0x09]);
        assert_eq!(cc.code(), 0xD0);
        assert!(
            matches!(cc, Tpdu::ConnectionConfirm(ref cc) if cc.tpdu_size() == Some(TpduSize::S512))
        );

        let dr = round_trip(&[0x06, 0x80, 0x00, 0x01, 0x00, 0x02, 0x80]);
        assert_eq!(dr.code(), 0x80);
        assert!(
            matches!(dr, Tpdu::DisconnectRequest(ref dr) if dr.reason == DisconnectReason::Normal)
        );

        let dc = round_trip(&[0x05, 0xC0, 0x00, 0x01, 0x00, 0x02]);
        assert_eq!(dc, Tpdu::DisconnectConfirm(DisconnectConfirm::new(1, 2)));
        assert_eq!(dc.code(), 0xC0);

        let dt = round_trip(&[0x02, 0xF0, 0x80, 0x32, 0x01]);
        assert_eq!(
            dt,
            Tpdu::Data(Data {
                eot: true,
                payload: &[0x32, 0x01]
            })
        );
        assert_eq!(dt.code(), 0xF0);

        let er = round_trip(&[0x04, 0x70, 0x00, 0x01, 0x01]);
        assert_eq!(
            er,
            Tpdu::Error(ErrorTpdu::new(1, RejectCause::InvalidParameterCode))
        );
        assert_eq!(er.code(), 0x70);
    }

    #[test]
    fn from_conversions() {
        let cr = ConnectionRequest::new(1).with_calling_tsap(Tsap::from_u16(0x0100));
        assert_eq!(Tpdu::from(cr.clone()), Tpdu::ConnectionRequest(cr));
        let cc = ConnectionConfirm::new(1, 2);
        assert_eq!(Tpdu::from(cc.clone()), Tpdu::ConnectionConfirm(cc));
        let dr = DisconnectRequest::new(1, 2, DisconnectReason::Normal);
        assert_eq!(Tpdu::from(dr.clone()), Tpdu::DisconnectRequest(dr));
        assert_eq!(Tpdu::from(DisconnectConfirm::new(1, 2)).code(), 0xC0);
        assert_eq!(Tpdu::from(Data::new(true, &[])).code(), 0xF0);
        assert_eq!(
            Tpdu::from(ErrorTpdu::new(1, RejectCause::NotSpecified)).code(),
            0x70
        );
    }

    #[test]
    fn generic_errors() {
        assert_eq!(
            Tpdu::parse(&[]),
            Err(Error::Truncated {
                needed: 2,
                available: 0
            })
        );
        assert_eq!(
            Tpdu::parse(&[0x02]),
            Err(Error::Truncated {
                needed: 2,
                available: 1
            })
        );
        assert_eq!(
            Tpdu::parse(&[0xFF, 0xF0, 0x80]),
            Err(Error::ReservedLengthIndicator)
        );
        for code in [
            0x00, 0x10, 0x20, 0x50, 0x60, 0x71, 0x90, 0xA0, 0xB0, 0xC1, 0xF1, 0x81,
        ] {
            assert_eq!(
                Tpdu::parse(&[0x02, code, 0x00]),
                Err(Error::UnknownTpduCode { code })
            );
        }
        assert_eq!(
            Tpdu::parse(&[0x02, 0xF0]),
            Err(Error::Truncated {
                needed: 3,
                available: 2
            })
        );
        assert_eq!(
            Tpdu::parse(&[0x03, 0xF0, 0x80, 0]),
            Err(Error::InvalidDataHeaderLength { li: 3 })
        );
        assert_eq!(
            Tpdu::parse(&[0x02, 0xF0, 0x01]),
            Err(Error::NonZeroTpduNumber { number: 1 })
        );
        assert_eq!(
            Tpdu::parse(&[0x02, 0xE0, 0x80, 0x32]),
            Err(Error::HeaderTooShort {
                code: 0xE0,
                li: 2,
                min: 6
            })
        );
    }

    #[test]
    fn user_data_follows_the_li() {
        assert_eq!(user_data(&[0x02, 0xF0, 0x80]).unwrap(), &[] as &[u8]);
        assert_eq!(user_data(&[0x04, 0x70, 0, 1, 2, 9, 9]).unwrap(), &[9, 9]);
        assert_eq!(
            user_data(&[0x04, 0x70, 0, 1]),
            Err(Error::LengthIndicatorPastData {
                li: 4,
                available: 3
            })
        );
        assert_eq!(
            user_data(&[0x00, 0x70]),
            Err(Error::HeaderTooShort {
                code: 0x70,
                li: 0,
                min: 1
            })
        );
        assert_eq!(
            user_data(&[0xFF, 0x70]),
            Err(Error::ReservedLengthIndicator)
        );
    }

    #[test]
    fn emit_data_into_a_short_buffer_fails_cleanly() {
        let dt = Tpdu::Data(Data::new(true, &[1, 2, 3]));
        let mut storage = [0u8; 4];
        let mut out: &mut [u8] = &mut storage;
        assert_eq!(
            dt.emit(&mut out),
            Err(Error::BufferTooSmall {
                needed: 6,
                available: 4
            })
        );
        let mut v = Vec::new();
        dt.emit(&mut v).unwrap();
        assert_eq!(v, [0x02, 0xF0, 0x80, 1, 2, 3]);
    }
}
