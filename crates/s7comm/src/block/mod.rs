//! Blocks: the block directory (userdata group 3), upload and download (job functions
//! `1A`-`1F`), the PI services that delete and insert blocks, and the MC7 load-memory format
//! a block travels in.
//!
//! | module | what |
//! | --- | --- |
//! | [`directory`] | list blocks (count per type), list blocks of a type, block info |
//! | [`transfer`] | start upload / upload / end upload, request download / download block / download ended |
//! | [`format`] | the 36-byte block header, the 36-byte trailer and the 78-byte block info |
//! | [`pi`] | the block list argument of the `_DELE` and `_INSE` PI services |
//!
//! A block is named on the wire by its type letter (`'8'` OB, `'A'` DB, `'B'` SDB, `'C'` FC,
//! `'D'` SFC, `'E'` FB, `'F'` SFB), five ASCII digits and a file system letter (`'A'`
//! active, `'P'` passive, `'B'` both). Upload and download put `_0` in front
//! ([`BlockName`]: `_0A00001A`); block info and the PI services `0` (`0A00001A`, see
//! [`BlockId`]).

pub mod directory;
pub mod format;
pub mod pi;
pub mod transfer;

use alloc::vec::Vec;

use crate::cursor::Reader;
use crate::header::ErrorCode;
use crate::Error;

pub use directory::{BlockCount, BlockEntry, BlockRequest};
pub use format::{BlockInfo, BlockTime, CompactHeader, Trailer};
pub use transfer::{TransferRequest, TransferResponse};

/// `D2 01`: syntax error in the block name.
pub const ERROR_BLOCK_NAME: ErrorCode = ErrorCode(0xD201);
/// `D2 02`: syntax error in function parameters.
pub const ERROR_PARAMETERS: ErrorCode = ErrorCode(0xD202);
/// `D2 09`: (at least) one of the given blocks not found on the module.
pub const ERROR_BLOCK_NOT_FOUND: ErrorCode = ErrorCode(0xD209);
/// `D2 0E`: no (further) block available.
pub const ERROR_NO_BLOCK_AVAILABLE: ErrorCode = ErrorCode(0xD20E);
/// `D2 0F`: module-specific maximum block size exceeded.
pub const ERROR_BLOCK_TOO_LARGE: ErrorCode = ErrorCode(0xD20F);
/// `D2 10`: invalid block number.
pub const ERROR_BLOCK_NUMBER: ErrorCode = ErrorCode(0xD210);
/// `D2 19`: incorrect block lengths (a downloaded part longer than the block announced, a
/// block shorter than announced, or an image whose header disagrees with its length).
pub const ERROR_BLOCK_LENGTHS: ErrorCode = ErrorCode(0xD219);
/// `D2 30`: a structural error occurred in a block (a downloaded image without the block
/// header's magic, or of another type than its name).
pub const ERROR_BLOCK_STRUCTURE: ErrorCode = ErrorCode(0xD230);
/// `84 01`: S7 protocol error, invalid service sequence (for example, loading or uploading a
/// block): an answer to a download job that is not the answer asked for.
pub const ERROR_SERVICE_SEQUENCE: ErrorCode = ErrorCode(0x8401);

/// The largest block number the five ASCII digits can carry.
pub const MAX_ASCII_NUMBER: u32 = 99_999;

/// File system letter: active (in work memory).
pub const FS_ACTIVE: u8 = b'A';
/// File system letter: passive (downloaded, not inserted yet).
pub const FS_PASSIVE: u8 = b'P';
/// File system letter: both.
pub const FS_BOTH: u8 = b'B';

/// The block types a CPU keeps in its directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BlockType {
    /// Organization block.
    Ob,
    /// Data block.
    Db,
    /// System data block.
    Sdb,
    /// Function.
    Fc,
    /// System function.
    Sfc,
    /// Function block.
    Fb,
    /// System function block.
    Sfb,
}

impl BlockType {
    /// Every type, in the order a CPU lists them.
    pub const ALL: [Self; 7] = [
        Self::Ob,
        Self::Db,
        Self::Sdb,
        Self::Fc,
        Self::Sfc,
        Self::Fb,
        Self::Sfb,
    ];

    /// The ASCII letter of the type in names and directory answers (`0x38` OB ... `0x46` SFB).
    pub fn letter(self) -> u8 {
        match self {
            Self::Ob => b'8',
            Self::Db => b'A',
            Self::Sdb => b'B',
            Self::Fc => b'C',
            Self::Sfc => b'D',
            Self::Fb => b'E',
            Self::Sfb => b'F',
        }
    }

    /// The type for a letter.
    pub fn from_letter(letter: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.letter() == letter)
    }

    /// The sub-block type byte of the block header (`08` OB, `0A` DB, `0B` SDB, `0C` FC,
    /// `0D` SFC, `0E` FB, `0F` SFB).
    pub fn sub_block(self) -> u8 {
        match self {
            Self::Ob => 0x08,
            Self::Db => 0x0A,
            Self::Sdb => 0x0B,
            Self::Fc => 0x0C,
            Self::Sfc => 0x0D,
            Self::Fb => 0x0E,
            Self::Sfb => 0x0F,
        }
    }

    /// The type for a sub-block type byte.
    pub fn from_sub_block(value: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.sub_block() == value)
    }

    /// The usual name (`"OB"`, `"DB"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Ob => "OB",
            Self::Db => "DB",
            Self::Sdb => "SDB",
            Self::Fc => "FC",
            Self::Sfc => "SFC",
            Self::Fb => "FB",
            Self::Sfb => "SFB",
        }
    }

    /// The type for a name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }
}

/// Five ASCII digits to a number.
pub(crate) fn parse_digits(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &d| {
        let digit = d.checked_sub(b'0').filter(|v| *v <= 9)?;
        acc.checked_mul(10)?.checked_add(u32::from(digit))
    })
}

/// Appends `value` as `width` ASCII digits (the low digits if it has more).
pub(crate) fn put_digits(out: &mut Vec<u8>, value: u32, width: u32) {
    for place in (0..width).rev() {
        let divisor = 10u32.checked_pow(place).unwrap_or(u32::MAX);
        let digit = value
            .checked_div(divisor)
            .unwrap_or(0)
            .checked_rem(10)
            .unwrap_or(0);
        out.push(b'0'.saturating_add(u8::try_from(digit).unwrap_or(0)));
    }
}

/// A block as the directory and the PI services name it: `'0'`, type letter, five digits,
/// file system letter (8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockId {
    /// Block type.
    pub block_type: BlockType,
    /// Block number (0..=99999).
    pub number: u32,
    /// File system letter ([`FS_ACTIVE`], [`FS_PASSIVE`], [`FS_BOTH`]).
    pub file_system: u8,
}

impl BlockId {
    /// Encoded length.
    pub const LEN: usize = 8;

    /// Decodes `'0' T NNNNN F`.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, "block id");
        r.expect_u8(b'0', "block id prefix")?;
        let letter = r.u8()?;
        let block_type = BlockType::from_letter(letter).ok_or(Error::InvalidValue {
            what: "block type letter",
            value: u32::from(letter),
        })?;
        let digits = r.bytes(5)?;
        let number = parse_digits(digits).ok_or(Error::InvalidValue {
            what: "block number digits",
            value: 0,
        })?;
        let file_system = r.u8()?;
        r.finish()?;
        Ok(Self {
            block_type,
            number,
            file_system,
        })
    }

    /// Appends the 8 bytes; fails for a number above [`MAX_ASCII_NUMBER`].
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.number > MAX_ASCII_NUMBER {
            return Err(Error::TooLarge {
                what: "block number",
                value: usize::try_from(self.number).unwrap_or(usize::MAX),
                max: 99_999,
            });
        }
        out.push(b'0');
        out.push(self.block_type.letter());
        put_digits(out, self.number, 5);
        out.push(self.file_system);
        Ok(())
    }
}

/// A block's file name in upload and download: `_` followed by a [`BlockId`] (9 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockName(pub BlockId);

impl BlockName {
    /// Encoded length.
    pub const LEN: usize = 9;

    /// Decodes `_0TNNNNNF`.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        match bytes.split_first() {
            Some((b'_', rest)) => Ok(Self(BlockId::parse(rest)?)),
            Some((&other, _)) => Err(Error::InvalidValue {
                what: "block name prefix",
                value: u32::from(other),
            }),
            None => Err(Error::Truncated {
                what: "block name",
                needed: Self::LEN,
                available: 0,
            }),
        }
    }

    /// Appends the 9 bytes.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.push(b'_');
        self.0.emit(out)
    }

    /// The 9 bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(Self::LEN);
        self.emit(&mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn names_round_trip() {
        let name = BlockName::parse(b"_0A00042P").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            name.0,
            BlockId {
                block_type: BlockType::Db,
                number: 42,
                file_system: FS_PASSIVE
            }
        );
        assert_eq!(name.to_bytes().ok(), Some(b"_0A00042P".to_vec()));
        assert!(BlockName::parse(b"_0A0004xP").is_err());
        assert!(BlockName::parse(b"_0Z00042P").is_err());
        assert!(BlockName::parse(b"_0A00042").is_err());
        let mut out = vec![];
        put_digits(&mut out, 123, 6);
        assert_eq!(out, b"000123");
        assert_eq!(parse_digits(b"000123"), Some(123));
    }
}
