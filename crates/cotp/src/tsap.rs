//! Transport service access points (the C1 / C2 parameters) and the S7 convention for them.

use alloc::vec::Vec;
use core::fmt;

use crate::Error;

/// A transport service access point: 1 to [`Tsap::MAX_LEN`] opaque bytes naming an endpoint
/// of a transport connection.
///
/// S7 stacks use two bytes (see [`Tsap::s7`]); other ISO-on-TCP peers use strings such as
/// `SIMATIC-ROOT-HMI`. The bytes are kept exactly as received.
///
/// ```text
///  +------------+------+-------------------+
///  | C1 or C2   | len  | len bytes of TSAP |   C1 = calling (sender's), C2 = called (receiver's)
///  +------------+------+-------------------+
/// ```
///
/// ```
/// use cotp::{S7ConnectionType, Tsap};
/// let called = Tsap::s7(S7ConnectionType::Pg, 0, 2)?;
/// assert_eq!(called.as_bytes(), &[0x01, 0x02]);
/// assert_eq!(called.to_u16(), Some(0x0102));
/// assert_eq!(called.s7_parts(), Some((S7ConnectionType::Pg, 0, 2)));
///
/// let named = Tsap::new("SIMATIC-ROOT-HMI")?;
/// assert_eq!(named.to_u16(), None);
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tsap(Vec<u8>);

impl Tsap {
    /// The longest TSAP: the one that, with its 2-byte parameter header, fills a CR or CC
    /// header (length indicator 254) on its own.
    pub const MAX_LEN: usize = 246;

    /// A TSAP from its bytes; empty or longer than [`Tsap::MAX_LEN`] is
    /// [`Error::InvalidTsapLength`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let bytes = bytes.into();
        if bytes.is_empty() || bytes.len() > Self::MAX_LEN {
            return Err(Error::InvalidTsapLength { len: bytes.len() });
        }
        Ok(Tsap(bytes))
    }

    /// A two-byte TSAP, big-endian, as S7 stacks send them.
    pub fn from_u16(value: u16) -> Self {
        Tsap(value.to_be_bytes().to_vec())
    }

    /// The TSAP's bytes as sent on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The number of bytes (never 0).
    #[allow(clippy::len_without_is_empty)] // a TSAP is never empty
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The TSAP's bytes, taken out.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The big-endian value when the TSAP is two bytes long, `None` otherwise.
    pub fn to_u16(&self) -> Option<u16> {
        match self.0.as_slice() {
            [hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
            _ => None,
        }
    }

    /// The S7 TSAP for a connection type, rack and slot:
    /// `(type << 8) | (rack << 5) | slot`, i.e. bytes `[type, rack << 5 | slot]`.
    ///
    /// Rack must be 0..=7 ([`Error::InvalidRack`]) and slot 0..=31 ([`Error::InvalidSlot`]).
    ///
    /// ```text
    ///  byte 0: connection type (1 PG, 2 OP, 3 S7 basic)
    ///  byte 1: rack (bits 7..5) | slot (bits 4..0)
    /// ```
    ///
    /// ```
    /// use cotp::{S7ConnectionType, Tsap};
    /// assert_eq!(Tsap::s7(S7ConnectionType::Op, 1, 3)?.to_u16(), Some(0x0223));
    /// assert!(Tsap::s7(S7ConnectionType::Pg, 8, 0).is_err());
    /// # Ok::<(), cotp::Error>(())
    /// ```
    pub fn s7(kind: S7ConnectionType, rack: u8, slot: u8) -> Result<Self, Error> {
        let rack_bits = match rack {
            0..=7 => rack.checked_mul(32).ok_or(Error::InvalidRack { rack })?,
            _ => return Err(Error::InvalidRack { rack }),
        };
        if slot > 31 {
            return Err(Error::InvalidSlot { slot });
        }
        Ok(Tsap(alloc::vec![kind.code(), rack_bits | slot]))
    }

    /// The inverse of [`Tsap::s7`]: connection type, rack and slot of a two-byte TSAP, or
    /// `None` for any other length.
    pub fn s7_parts(&self) -> Option<(S7ConnectionType, u8, u8)> {
        match self.0.as_slice() {
            [kind, position] => Some((
                S7ConnectionType::from_code(*kind),
                *position >> 5,
                *position & 0x1F,
            )),
            _ => None,
        }
    }
}

impl fmt::Debug for Tsap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tsap(")?;
        fmt::Display::fmt(self, f)?;
        f.write_str(")")
    }
}

/// Printable ASCII TSAPs print as a quoted string, others as hex (`0x0102`).
impl fmt::Display for Tsap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let printable = self.0.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
        if printable && self.0.len() > 2 {
            f.write_str("\"")?;
            for b in &self.0 {
                fmt::Write::write_char(f, char::from(*b))?;
            }
            f.write_str("\"")
        } else {
            f.write_str("0x")?;
            for b in &self.0 {
                write!(f, "{b:02X}")?;
            }
            Ok(())
        }
    }
}

impl From<u16> for Tsap {
    fn from(value: u16) -> Self {
        Tsap::from_u16(value)
    }
}

impl TryFrom<&[u8]> for Tsap {
    type Error = Error;

    fn try_from(bytes: &[u8]) -> Result<Self, Error> {
        Tsap::new(bytes)
    }
}

impl TryFrom<&str> for Tsap {
    type Error = Error;

    fn try_from(name: &str) -> Result<Self, Error> {
        Tsap::new(name.as_bytes())
    }
}

impl AsRef<[u8]> for Tsap {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The connection type in the first byte of an S7 TSAP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum S7ConnectionType {
    /// Programming device (1).
    Pg,
    /// Operator panel (2).
    Op,
    /// S7 basic communication (3).
    S7Basic,
    /// Any other type byte ([`S7ConnectionType::from_code`] never yields 1, 2 or 3 here).
    Other(u8),
}

impl S7ConnectionType {
    /// The type byte.
    pub fn code(self) -> u8 {
        match self {
            S7ConnectionType::Pg => 1,
            S7ConnectionType::Op => 2,
            S7ConnectionType::S7Basic => 3,
            S7ConnectionType::Other(code) => code,
        }
    }

    /// The type for a type byte.
    pub fn from_code(code: u8) -> Self {
        match code {
            1 => S7ConnectionType::Pg,
            2 => S7ConnectionType::Op,
            3 => S7ConnectionType::S7Basic,
            other => S7ConnectionType::Other(other),
        }
    }
}

impl From<u8> for S7ConnectionType {
    fn from(code: u8) -> Self {
        Self::from_code(code)
    }
}

impl From<S7ConnectionType> for u8 {
    fn from(kind: S7ConnectionType) -> u8 {
        kind.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn s7_tsaps_match_the_usual_values() {
        // PG to rack 0 slot 2 (S7-300 CPU) and rack 0 slot 1 (S7-1200/1500).
        assert_eq!(
            Tsap::s7(S7ConnectionType::Pg, 0, 2).unwrap().as_bytes(),
            &[0x01, 0x02]
        );
        assert_eq!(
            Tsap::s7(S7ConnectionType::Pg, 0, 1).unwrap().to_u16(),
            Some(0x0101)
        );
        assert_eq!(
            Tsap::s7(S7ConnectionType::Op, 0, 2).unwrap().to_u16(),
            Some(0x0202)
        );
        assert_eq!(
            Tsap::s7(S7ConnectionType::S7Basic, 7, 31).unwrap().to_u16(),
            Some(0x03FF)
        );
        assert_eq!(
            Tsap::s7(S7ConnectionType::Other(0x10), 2, 5)
                .unwrap()
                .to_u16(),
            Some(0x1045)
        );
    }

    #[test]
    fn s7_rack_and_slot_are_range_checked() {
        for rack in 8..=255 {
            assert_eq!(
                Tsap::s7(S7ConnectionType::Pg, rack, 0),
                Err(Error::InvalidRack { rack })
            );
        }
        for slot in 32..=255 {
            assert_eq!(
                Tsap::s7(S7ConnectionType::Pg, 0, slot),
                Err(Error::InvalidSlot { slot })
            );
        }
    }

    #[test]
    fn s7_parts_inverts_s7_for_every_rack_and_slot() {
        for kind in [1u8, 2, 3, 0, 0x10, 0xFF].map(S7ConnectionType::from_code) {
            for rack in 0..=7 {
                for slot in 0..=31 {
                    let tsap = Tsap::s7(kind, rack, slot).unwrap();
                    assert_eq!(tsap.s7_parts(), Some((kind, rack, slot)));
                }
            }
        }
        assert_eq!(Tsap::new([1u8]).unwrap().s7_parts(), None);
        assert_eq!(Tsap::new("SIMATIC-ROOT-HMI").unwrap().s7_parts(), None);
    }

    #[test]
    fn connection_type_codes_round_trip() {
        assert_eq!(S7ConnectionType::from_code(1), S7ConnectionType::Pg);
        assert_eq!(S7ConnectionType::from_code(2), S7ConnectionType::Op);
        assert_eq!(S7ConnectionType::from_code(3), S7ConnectionType::S7Basic);
        for code in 0..=255u8 {
            assert_eq!(S7ConnectionType::from(code).code(), code);
            assert_eq!(u8::from(S7ConnectionType::from_code(code)), code);
        }
    }

    #[test]
    fn length_is_checked() {
        assert_eq!(
            Tsap::new(Vec::new()),
            Err(Error::InvalidTsapLength { len: 0 })
        );
        assert_eq!(
            Tsap::new(alloc::vec![0u8; Tsap::MAX_LEN + 1]),
            Err(Error::InvalidTsapLength { len: 247 })
        );
        assert_eq!(
            Tsap::new(alloc::vec![7u8; Tsap::MAX_LEN]).unwrap().len(),
            246
        );
        assert_eq!(Tsap::try_from(&b"x"[..]).unwrap().as_bytes(), b"x");
        assert_eq!(
            Tsap::try_from("").unwrap_err(),
            Error::InvalidTsapLength { len: 0 }
        );
    }

    #[test]
    fn u16_conversions() {
        let tsap = Tsap::from(0x0100u16);
        assert_eq!(tsap.as_bytes(), &[0x01, 0x00]);
        assert_eq!(tsap.to_u16(), Some(0x0100));
        assert_eq!(Tsap::new([1u8, 2, 3]).unwrap().to_u16(), None);
        assert_eq!(tsap.clone().into_bytes(), alloc::vec![0x01, 0x00]);
    }

    #[test]
    fn display_shows_strings_and_hex() {
        assert_eq!(format!("{}", Tsap::from_u16(0x0102)), "0x0102");
        assert_eq!(
            format!("{}", Tsap::new("SIMATIC-ROOT-HMI").unwrap()),
            "\"SIMATIC-ROOT-HMI\""
        );
        assert_eq!(
            format!("{:?}", Tsap::new([0u8, 1, 0xFF]).unwrap()),
            "Tsap(0x0001FF)"
        );
    }
}
