//! The TPDU size parameter (C0).

use crate::Error;

/// A maximum TPDU size as the C0 parameter negotiates it: a power of two from 128 to 8192
/// bytes, sent as its base-2 exponent (7..=13).
///
/// The size counts the whole TPDU, header included, without the TPKT header.
///
/// ```text
///  +------+------+----------+
///  |  C0  |  01  | exponent |   exponent 7..=13  =>  2^exponent bytes
///  +------+------+----------+
/// ```
///
/// ```
/// use cotp::TpduSize;
/// let size = TpduSize::from_code(0x0A)?;
/// assert_eq!(size, TpduSize::S1024);
/// assert_eq!(size.bytes(), 1024);
/// assert_eq!(TpduSize::fitting(1500), Some(TpduSize::S1024));
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TpduSize {
    /// 128 bytes (code 7), ISO 8073's default when a CR carries no C0.
    S128 = 7,
    /// 256 bytes (code 8).
    S256 = 8,
    /// 512 bytes (code 9).
    S512 = 9,
    /// 1024 bytes (code 10).
    S1024 = 10,
    /// 2048 bytes (code 11).
    S2048 = 11,
    /// 4096 bytes (code 12).
    S4096 = 12,
    /// 8192 bytes (code 13).
    S8192 = 13,
}

impl TpduSize {
    /// Every size, smallest first.
    pub const ALL: [TpduSize; 7] = [
        TpduSize::S128,
        TpduSize::S256,
        TpduSize::S512,
        TpduSize::S1024,
        TpduSize::S2048,
        TpduSize::S4096,
        TpduSize::S8192,
    ];

    /// The size for a C0 exponent; anything outside 7..=13 is [`Error::InvalidTpduSize`].
    ///
    /// The exponent is checked against the table, never used as a shift amount, so no input
    /// can overflow.
    pub fn from_code(code: u8) -> Result<Self, Error> {
        match code {
            7 => Ok(TpduSize::S128),
            8 => Ok(TpduSize::S256),
            9 => Ok(TpduSize::S512),
            10 => Ok(TpduSize::S1024),
            11 => Ok(TpduSize::S2048),
            12 => Ok(TpduSize::S4096),
            13 => Ok(TpduSize::S8192),
            _ => Err(Error::InvalidTpduSize { code }),
        }
    }

    /// The exponent sent in the C0 parameter.
    pub fn code(self) -> u8 {
        match self {
            TpduSize::S128 => 7,
            TpduSize::S256 => 8,
            TpduSize::S512 => 9,
            TpduSize::S1024 => 10,
            TpduSize::S2048 => 11,
            TpduSize::S4096 => 12,
            TpduSize::S8192 => 13,
        }
    }

    /// The size in bytes.
    pub fn bytes(self) -> usize {
        match self {
            TpduSize::S128 => 128,
            TpduSize::S256 => 256,
            TpduSize::S512 => 512,
            TpduSize::S1024 => 1024,
            TpduSize::S2048 => 2048,
            TpduSize::S4096 => 4096,
            TpduSize::S8192 => 8192,
        }
    }

    /// The largest size that is at most `n` bytes, or `None` when `n` is below 128.
    pub fn fitting(n: usize) -> Option<Self> {
        Self::ALL
            .iter()
            .rev()
            .copied()
            .find(|size| size.bytes() <= n)
    }
}

impl TryFrom<u8> for TpduSize {
    type Error = Error;

    fn try_from(code: u8) -> Result<Self, Error> {
        Self::from_code(code)
    }
}

impl From<TpduSize> for u8 {
    fn from(size: TpduSize) -> u8 {
        size.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_to_its_power_of_two() {
        for size in TpduSize::ALL {
            assert_eq!(TpduSize::from_code(size.code()), Ok(size));
            assert_eq!(size.bytes(), 1usize << size.code());
        }
        assert_eq!(TpduSize::S128.bytes(), 128);
        assert_eq!(TpduSize::S8192.bytes(), 8192);
    }

    #[test]
    fn codes_outside_the_table_are_rejected_without_shifting() {
        for code in (0u8..7).chain(14..=255) {
            assert_eq!(
                TpduSize::from_code(code),
                Err(Error::InvalidTpduSize { code })
            );
            assert_eq!(
                TpduSize::try_from(code),
                Err(Error::InvalidTpduSize { code })
            );
        }
    }

    #[test]
    fn fitting_picks_the_largest_size_not_above_n() {
        assert_eq!(TpduSize::fitting(0), None);
        assert_eq!(TpduSize::fitting(127), None);
        assert_eq!(TpduSize::fitting(128), Some(TpduSize::S128));
        assert_eq!(TpduSize::fitting(1023), Some(TpduSize::S512));
        assert_eq!(TpduSize::fitting(1024), Some(TpduSize::S1024));
        assert_eq!(TpduSize::fitting(usize::MAX), Some(TpduSize::S8192));
    }

    #[test]
    fn order_follows_size() {
        assert!(TpduSize::S128 < TpduSize::S8192);
        assert_eq!(TpduSize::S1024.min(TpduSize::S2048), TpduSize::S1024);
        assert_eq!(u8::from(TpduSize::S2048), 11);
    }
}
