//! Userdata function group 5 ("security"): set and clear the session password, and the
//! error codes a CPU answers protection refusals with.
//!
//! A connection to a CPU with protection level 2 (write protection) or 3 (read/write
//! protection) is "legitimized" by sending the CPU's password; until then the protected
//! services are refused with [`ErrorCode::PROTECTION_LEVEL`] (`D2 41`). Both requests are
//! userdata (ROSCTR `07`) with 8-byte parameters `00 01 12 04 11 45 SUBFN 00`:
//!
//! ```text
//! set session password (subfunction 01):   data FF 09 00 08 | 8 scrambled password bytes
//! clear session password (subfunction 02): data 0A 00 00 00
//! answer (both):  parameters 00 01 12 08 12 85 SUBFN 00 | 00 00 ERROR(2)
//!                 data       0A 00 00 00
//! ```
//!
//! The password is padded with spaces to 8 bytes and scrambled as snap7's and python-snap7's
//! clients do it: `s[0] = p[0] ^ 0x55`, `s[1] = p[1] ^ 0x55`, then
//! `s[i] = p[i] ^ 0x55 ^ s[i-2]` for `i` in 2..8 (each byte chained to the *scrambled* byte
//! two before it). [`scramble_password`] and [`unscramble_password`] are exact inverses.
//!
//! Error codes of the answers (Wireshark's S7comm parameter error table; snap7 maps the same
//! values to `errCliNeedPassword`, `errCliInvalidPassword` and `errCliNoPasswordToSetOrClear`):
//! `D6 02` wrong password, `D6 03` the connection is already legitimized, `D6 04` already
//! enabled, `D6 05` no password is configured.

use alloc::vec::Vec;

use super::cursor::Reader;
use super::header::ErrorCode;
use super::userdata::{UserData, UserDataItem, UserDataParams, KIND_REQUEST, METHOD_REQUEST};
use crate::Error;

/// Function group: security (passwords).
pub const GROUP_SECURITY: u8 = 0x5;
/// Security subfunction: set (enter) the session password.
pub const SUBFUNCTION_SET_PASSWORD: u8 = 0x01;
/// Security subfunction: clear (cancel) the session password.
pub const SUBFUNCTION_CLEAR_PASSWORD: u8 = 0x02;
/// Length of a password on the wire.
pub const PASSWORD_LEN: usize = 8;

impl ErrorCode {
    /// `D2 41`: "function not allowed in the current protection level" — what a
    /// protected CPU answers to a write (level 2) or a read (level 3) of a connection that
    /// has not sent the password.
    pub const PROTECTION_LEVEL: Self = Self(0xD241);
    /// `D6 02`: incorrect password entered.
    pub const WRONG_PASSWORD: Self = Self(0xD602);
    /// `D6 03`: the connection has already been legitimized.
    pub const ALREADY_LEGITIMIZED: Self = Self(0xD603);
    /// `D6 04`: the connection has already been enabled.
    pub const ALREADY_ENABLED: Self = Self(0xD604);
    /// `D6 05`: legitimization not possible because no password exists.
    pub const NO_PASSWORD: Self = Self(0xD605);
}

/// A security request, as [`UserData::security_service`] classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecurityService {
    /// Set the session password: the 8 scrambled bytes as sent.
    SetPassword([u8; PASSWORD_LEN]),
    /// Clear the session password.
    ClearPassword,
}

/// `password` padded with spaces to 8 bytes and scrambled.
///
/// # Errors
/// [`Error::InvalidValue`] for an empty password or one longer than 8 bytes.
pub fn scramble_password(password: &[u8]) -> Result<[u8; PASSWORD_LEN], Error> {
    let plain = pad_password(password)?;
    let mut out = [0u8; PASSWORD_LEN];
    // The scrambled bytes two and one positions back (0 before the start).
    let (mut back2, mut back1) = (0u8, 0u8);
    for (slot, byte) in out.iter_mut().zip(plain) {
        *slot = byte ^ 0x55 ^ back2;
        (back2, back1) = (back1, *slot);
    }
    Ok(out)
}

/// The plain (space-padded) password of 8 scrambled bytes.
pub fn unscramble_password(scrambled: &[u8; PASSWORD_LEN]) -> [u8; PASSWORD_LEN] {
    let mut out = [0u8; PASSWORD_LEN];
    let (mut back2, mut back1) = (0u8, 0u8);
    for (slot, byte) in out.iter_mut().zip(*scrambled) {
        *slot = byte ^ 0x55 ^ back2;
        (back2, back1) = (back1, byte);
    }
    out
}

/// `password` padded with spaces to 8 bytes, as a CPU compares it.
///
/// # Errors
/// [`Error::InvalidValue`] for an empty password or one longer than 8 bytes.
pub fn pad_password(password: &[u8]) -> Result<[u8; PASSWORD_LEN], Error> {
    if password.is_empty() || password.len() > PASSWORD_LEN {
        return Err(Error::InvalidValue {
            what: "password length",
            value: u32::try_from(password.len()).unwrap_or(u32::MAX),
        });
    }
    let mut out = [b' '; PASSWORD_LEN];
    for (slot, byte) in out.iter_mut().zip(password) {
        *slot = *byte;
    }
    Ok(out)
}

fn security_request(subfunction: u8, item: UserDataItem) -> UserData {
    UserData {
        params: UserDataParams {
            reserved: 0,
            method: METHOD_REQUEST,
            kind: KIND_REQUEST,
            group: GROUP_SECURITY,
            subfunction,
            sequence: 0,
            continuation: None,
        },
        item,
    }
}

impl UserData {
    /// A "set session password" request carrying `password` scrambled.
    ///
    /// # Errors
    /// As [`scramble_password`].
    pub fn set_session_password(password: &[u8]) -> Result<Self, Error> {
        let scrambled = scramble_password(password)?;
        Ok(security_request(
            SUBFUNCTION_SET_PASSWORD,
            UserDataItem::octets(Vec::from(scrambled)),
        ))
    }

    /// A "clear session password" request.
    pub fn clear_session_password() -> Self {
        security_request(SUBFUNCTION_CLEAR_PASSWORD, UserDataItem::empty())
    }

    /// Classifies a security request (group 5): `Ok(None)` for another group or an unknown
    /// security subfunction.
    ///
    /// # Errors
    /// A set password request whose data is not exactly 8 bytes.
    pub fn security_service(&self) -> Result<Option<SecurityService>, Error> {
        if self.params.group != GROUP_SECURITY {
            return Ok(None);
        }
        match self.params.subfunction {
            SUBFUNCTION_SET_PASSWORD => {
                let mut r = Reader::new(&self.item.data, "session password");
                let scrambled = r.array::<PASSWORD_LEN>()?;
                r.finish()?;
                Ok(Some(SecurityService::SetPassword(scrambled)))
            }
            SUBFUNCTION_CLEAR_PASSWORD => Ok(Some(SecurityService::ClearPassword)),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::{Request, RequestPdu};

    #[test]
    fn scrambling_follows_the_snap7_rule() {
        let plain = *b"secret  ";
        let s = scramble_password(b"secret").unwrap();
        assert_eq!(s[0], plain[0] ^ 0x55);
        assert_eq!(s[1], plain[1] ^ 0x55);
        for i in 2..8 {
            assert_eq!(s[i], plain[i] ^ 0x55 ^ s[i - 2]);
        }
        assert_eq!(unscramble_password(&s), plain);
    }

    #[test]
    fn password_length_is_checked() {
        assert!(scramble_password(b"").is_err());
        assert!(scramble_password(b"123456789").is_err());
        assert!(scramble_password(b"12345678").is_ok());
    }

    #[test]
    fn requests_round_trip() {
        let set = UserData::set_session_password(b"abc").unwrap();
        let pdu = RequestPdu::new(7, Request::UserData(set.clone()));
        let bytes = pdu.to_bytes().unwrap();
        assert_eq!(
            bytes[..18],
            [
                0x32, 0x07, 0x00, 0x00, 0x00, 0x07, 0x00, 0x08, 0x00, 0x0C, 0x00, 0x01, 0x12, 0x04,
                0x11, 0x45, 0x01, 0x00
            ]
        );
        assert_eq!(bytes[18..22], [0xFF, 0x09, 0x00, 0x08]);
        assert_eq!(RequestPdu::parse(&bytes).unwrap(), pdu);
        assert_eq!(
            set.security_service().unwrap(),
            Some(SecurityService::SetPassword(
                scramble_password(b"abc").unwrap()
            ))
        );
        let clear = UserData::clear_session_password();
        assert_eq!(
            clear.security_service().unwrap(),
            Some(SecurityService::ClearPassword)
        );
        let bytes = RequestPdu::new(8, Request::UserData(clear))
            .to_bytes()
            .unwrap();
        assert_eq!(bytes[18..], [0x0A, 0x00, 0x00, 0x00]);
    }
}
