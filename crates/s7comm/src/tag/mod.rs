//! S7 tag addresses: one [`Tag`] read from the STEP7/TIA, PLC4X or nodeS7 notation.
//!
//! A tag names a typed run of PLC memory: an [`Area`], a data block number, a byte offset
//! (or timer/counter index), a bit (for `BOOL`), a [`DataType`] and an element count.
//! [`Tag::parse`] detects the dialect by itself:
//!
//! | dialect | examples |
//! | --- | --- |
//! | STEP7 / TIA | `DB1.DBX0.3`, `DB1.DBD8:REAL`, `MW10`, `%I0.0`, `EB0`, `QD4`, `A0.0`, `T5`, `Z3` |
//! | PLC4X | `%DB1.DBD20:REAL`, `%DB1:20.0:REAL`, `%Q0.0:BOOL[8]`, `%DB1.DBB30:STRING(20)` |
//! | nodeS7 | `DB1,REAL20`, `DB1,X50.3`, `DB1,INT4.10`, `DB1,S30.10`, `MR4`, `MW10.5`, `M10.1.2` |
//!
//! Rules common to the STEP7 and PLC4X forms: a leading `%` is optional; the width letter
//! (`X` bit, `B` byte, `W` word, `D` double word; none for I/Q/M bits) gives the default
//! type (`BOOL`, `BYTE`, `WORD`, `DWORD`; `TIMER` and `COUNTER` for `T` and `C`); an
//! optional `:TYPE` replaces it and must fit the width: `BOOL` only at a bit, 1-, 2- and
//! 4-byte types at `B`, `W` and `D`, and `STRING[n]`, `WSTRING[n]` and the 8- and 12-byte
//! types (`LREAL`, `DTL`, ...) at `B`. After the type, `[n]` makes an array of `n`
//! elements. The PLC4X short form `DB<n>:<byte>[.<bit>]:<TYPE>` needs its type. Letters
//! are accepted in any case; German mnemonics (`E`, `A`, `Z`) are accepted.
//!
//! A comma means nodeS7 (`DB<n>,<type><byte>...`). Without comma, `%` or `:` an address is
//! read as STEP7 first and, if that fails, as nodeS7 (so `MR4` and `MW10.5` work); the
//! error reported is the one that got further into the input.
//!
//! # Canonical form
//!
//! `Display` writes English STEP7 without `%`: the operand (`DB1.DBX0.3`, `DB1.DBB30`,
//! `MW10`, `I0.1`, `QD4`, `T5`, `C3`), then `:TYPE` unless the type is the width's default
//! and the count is 1, then `[count]` when the count is above 1. The type is written as
//! [`DataType`] displays it, so strings keep their length in brackets before any count:
//! `DB1.DBX0.0:BOOL[8]`, `MW10:INT`, `DB1.DBB30:STRING[20]`, `DB1.DBB30:STRING[20][3]`,
//! `T5:TIMER[3]`. The canonical form parses back to the same tag.

mod lexer;
mod nodes7;
mod plc4x;
mod step7;
mod value_span;

use core::fmt;

use crate::{Area, DataType, Error, ItemAddress};

/// The largest byte offset (and timer/counter index): S7-ANY addresses hold
/// `byte * 8 + bit` in 24 bits.
pub const MAX_OFFSET: u32 = 0x1F_FFFF;

/// One S7 tag: where a typed value (or array) lives in PLC memory.
///
/// Always valid: the area is one of I, Q, M, DB, T, C; a data block number is set exactly
/// for [`Area::DataBlock`]; the offset is at most [`MAX_OFFSET`]; the bit is 0..=7 and only
/// non-zero for `BOOL`; the count is at least 1; `TIMER` and `COUNTER` are the types of
/// exactly the T and C areas.
///
/// ```
/// use s7comm::{Area, DataType, Tag};
///
/// // STEP7 / TIA, with German mnemonics too.
/// let tag = Tag::parse("DB1.DBD8:REAL")?;
/// assert_eq!((tag.area(), tag.db_number(), tag.offset()), (Area::DataBlock, 1, 8));
/// assert_eq!(tag.data_type(), DataType::Real);
/// assert_eq!(Tag::parse("E0.3")?.to_string(), "I0.3");
///
/// // PLC4X: the short DB form and arrays.
/// assert_eq!(Tag::parse("%DB1:8:REAL")?, tag);
/// let bits: Tag = "%Q0.0:BOOL[8]".parse()?;
/// assert_eq!((bits.count(), bits.byte_len()), (8, 1));
/// assert_eq!(bits.to_string(), "Q0.0:BOOL[8]");
///
/// // nodeS7: an array of 10 INTs, and a string of at most 10 characters.
/// let ints = Tag::parse("DB1,INT4.10")?;
/// assert_eq!(ints.to_string(), "DB1.DBW4:INT[10]");
/// assert_eq!(ints.byte_len(), 20);
/// assert_eq!(Tag::parse("DB1,S30.10")?.to_string(), "DB1.DBB30:STRING[10]");
///
/// // Errors point at the problem.
/// let error = Tag::parse("DB1.DBD").unwrap_err();
/// assert_eq!(error.to_string(), r#""DB1.DBD" at 7: byte offset expected"#);
/// # Ok::<(), s7comm::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag {
    area: Area,
    db_number: u16,
    offset: u32,
    bit: u8,
    data_type: DataType,
    count: u16,
}

impl Tag {
    /// One element of `data_type` at byte `offset` (bit 0) of `area`; `db_number` must be
    /// 1..=65535 for [`Area::DataBlock`] and 0 otherwise. For timers and counters `offset`
    /// is the index and the type must be `TIMER` / `COUNTER`.
    ///
    /// ```
    /// use s7comm::{Area, DataType, Tag};
    ///
    /// let tag = Tag::new(Area::DataBlock, 1, 50, DataType::Bool)?.with_bit(3)?;
    /// assert_eq!(tag.to_string(), "DB1.DBX50.3");
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidTag`] naming the broken rule.
    pub fn new(
        area: Area,
        db_number: u16,
        offset: u32,
        data_type: DataType,
    ) -> Result<Self, Error> {
        Self::from_parts(area, db_number, offset, 0, data_type, 1)
            .map_err(|reason| Error::InvalidTag { reason })
    }

    /// Timer `index` (type `TIMER`).
    ///
    /// # Errors
    /// [`Error::InvalidTag`] if `index` is above [`MAX_OFFSET`].
    pub fn timer(index: u32) -> Result<Self, Error> {
        Self::new(Area::Timers, 0, index, DataType::Timer)
    }

    /// Counter `index` (type `COUNTER`).
    ///
    /// # Errors
    /// [`Error::InvalidTag`] if `index` is above [`MAX_OFFSET`].
    pub fn counter(index: u32) -> Result<Self, Error> {
        Self::new(Area::Counters, 0, index, DataType::Counter)
    }

    /// The same tag starting at bit `bit` (0..=7; only `BOOL` tags take a non-zero bit).
    ///
    /// # Errors
    /// [`Error::InvalidTag`] naming the broken rule.
    pub fn with_bit(self, bit: u8) -> Result<Self, Error> {
        Self::from_parts(
            self.area,
            self.db_number,
            self.offset,
            bit,
            self.data_type,
            self.count,
        )
        .map_err(|reason| Error::InvalidTag { reason })
    }

    /// The same tag as an array of `count` elements (at least 1).
    ///
    /// # Errors
    /// [`Error::InvalidTag`] if `count` is 0.
    pub fn with_count(self, count: u16) -> Result<Self, Error> {
        Self::from_parts(
            self.area,
            self.db_number,
            self.offset,
            self.bit,
            self.data_type,
            count,
        )
        .map_err(|reason| Error::InvalidTag { reason })
    }

    /// Builds a tag after checking every invariant; the error is the broken rule.
    pub(crate) fn from_parts(
        area: Area,
        db_number: u16,
        offset: u32,
        bit: u8,
        data_type: DataType,
        count: u16,
    ) -> Result<Self, &'static str> {
        match area {
            Area::DataBlock if db_number == 0 => return Err(DB_RANGE),
            Area::DataBlock => {}
            Area::Inputs | Area::Outputs | Area::Flags | Area::Timers | Area::Counters => {
                if db_number != 0 {
                    return Err("only data blocks have a db number");
                }
            }
            Area::Other(_) => return Err("area has no tag address form"),
        }
        if offset > MAX_OFFSET {
            return Err(OFFSET_RANGE);
        }
        if bit > 7 {
            return Err(BIT_RANGE);
        }
        if bit != 0 && data_type != DataType::Bool {
            return Err("bit number only for BOOL");
        }
        if count == 0 {
            return Err(COUNT_RANGE);
        }
        match (area, data_type) {
            (Area::Timers, DataType::Timer) | (Area::Counters, DataType::Counter) => {}
            (Area::Timers, _) => return Err("timers hold only TIMER"),
            (Area::Counters, _) => return Err("counters hold only COUNTER"),
            (_, DataType::Timer | DataType::Counter) => {
                return Err("TIMER and COUNTER only in areas T and C")
            }
            (_, DataType::String(n)) if n == 0 || n > crate::data_type::MAX_STRING_LEN => {
                return Err(STRING_RANGE)
            }
            (_, DataType::WString(n)) if n == 0 || n > crate::data_type::MAX_WSTRING_LEN => {
                return Err(STRING_RANGE)
            }
            _ => {}
        }
        Ok(Self {
            area,
            db_number,
            offset,
            bit,
            data_type,
            count,
        })
    }

    /// Reads an address in any of the three dialects (see the [module docs](self)).
    ///
    /// # Errors
    /// [`Error::Address`] with the byte index of the problem and a short reason.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let lexer = lexer::Lexer::new(input);
        if lexer.at_end() {
            return Err(lexer.error_here("address expected"));
        }
        if lexer.peek() == Some(b'%') {
            return step7::parse(input);
        }
        if input.contains(',') {
            return nodes7::parse(input);
        }
        if input.contains(':') {
            return step7::parse(input);
        }
        step7::parse(input).or_else(|step7_error| {
            nodes7::parse(input).map_err(|nodes7_error| {
                if error_at(&nodes7_error) > error_at(&step7_error) {
                    nodes7_error
                } else {
                    step7_error
                }
            })
        })
    }

    /// The memory area.
    pub fn area(&self) -> Area {
        self.area
    }

    /// The data block number (0 unless the area is [`Area::DataBlock`]).
    pub fn db_number(&self) -> u16 {
        self.db_number
    }

    /// The byte offset, or the index for timers and counters.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The bit of the first element (0..=7; always 0 unless the type is `BOOL`).
    pub fn bit(&self) -> u8 {
        self.bit
    }

    /// The element type.
    pub fn data_type(&self) -> DataType {
        self.data_type
    }

    /// The number of elements (1 for a scalar).
    pub fn count(&self) -> u16 {
        self.count
    }

    /// Bytes the tag spans from its byte offset: element size times count, or for `BOOL`
    /// the bits from [`Tag::bit`] on rounded up to whole bytes.
    pub fn byte_len(&self) -> u32 {
        let count = u32::from(self.count);
        if self.data_type.is_bit() {
            u32::from(self.bit).saturating_add(count).div_ceil(8)
        } else {
            u32::try_from(self.data_type.byte_len())
                .unwrap_or(u32::MAX)
                .saturating_mul(count)
        }
    }

    /// The read var item address covering the tag: timers and counters with their own
    /// transport sizes, a single `BOOL` with the BIT transport size, anything else as
    /// [`Tag::byte_len`] bytes.
    ///
    /// ```
    /// use s7comm::{ItemAddress, Tag, TransportSize};
    ///
    /// let tag = Tag::parse("DB1.DBD20:REAL")?;
    /// assert_eq!(tag.item_address()?, ItemAddress::bytes(s7comm::Area::DataBlock, 1, 20, 4));
    /// let bit = Tag::parse("M10.1")?.item_address()?;
    /// assert_eq!((bit.transport_size, bit.address), (TransportSize::Bit, 81));
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::TooLarge`] if the tag spans more than 65535 bytes, the most one item can
    /// count.
    pub fn item_address(&self) -> Result<ItemAddress, Error> {
        match self.area {
            Area::Timers => Ok(ItemAddress::timers(self.offset, self.count)),
            Area::Counters => Ok(ItemAddress::counters(self.offset, self.count)),
            area if self.data_type.is_bit() && self.count == 1 => Ok(ItemAddress::bit(
                area,
                self.db_number,
                self.offset,
                self.bit,
            )),
            area => {
                let len = self.byte_len();
                let len = u16::try_from(len).map_err(|_| Error::TooLarge {
                    what: "tag length",
                    value: usize::try_from(len).unwrap_or(usize::MAX),
                    max: usize::from(u16::MAX),
                })?;
                Ok(ItemAddress::bytes(area, self.db_number, self.offset, len))
            }
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = Width::of(self.data_type);
        let bit = self.data_type.is_bit();
        match self.area {
            Area::Timers => write!(f, "T{}", self.offset)?,
            Area::Counters => write!(f, "C{}", self.offset)?,
            Area::DataBlock => {
                write!(
                    f,
                    "DB{}.DB{}{}",
                    self.db_number,
                    width.letter(),
                    self.offset
                )?;
                if bit {
                    write!(f, ".{}", self.bit)?;
                }
            }
            area => {
                let letter = match area {
                    Area::Inputs => 'I',
                    Area::Outputs => 'Q',
                    // Only flags are left for a valid tag.
                    _ => 'M',
                };
                if bit {
                    write!(f, "{letter}{}.{}", self.offset, self.bit)?;
                } else {
                    write!(f, "{letter}{}{}", width.letter(), self.offset)?;
                }
            }
        }
        let default_type = matches!(
            self.data_type,
            DataType::Bool
                | DataType::Byte
                | DataType::Word
                | DataType::DWord
                | DataType::Timer
                | DataType::Counter
        );
        if self.count > 1 || !default_type {
            write!(f, ":{}", self.data_type)?;
        }
        if self.count > 1 {
            write!(f, "[{}]", self.count)?;
        }
        Ok(())
    }
}

impl core::str::FromStr for Tag {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The operand width of the STEP7 notation: the letter after `DB` or the area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Width {
    /// `X` (or no letter for I/Q/M): one bit.
    Bit,
    /// `B`: a byte, or where strings and types wider than 4 bytes start.
    Byte,
    /// `W`: two bytes.
    Word,
    /// `D`: four bytes.
    DWord,
}

impl Width {
    /// The width a type is written with: `X` for `BOOL`, `W` and `D` for 2- and 4-byte
    /// types, `B` for everything else (1-byte types, strings, 8- and 12-byte types).
    pub(crate) fn of(data_type: DataType) -> Self {
        match data_type {
            DataType::Bool => Self::Bit,
            DataType::String(_) | DataType::WString(_) => Self::Byte,
            other => match other.byte_len() {
                2 => Self::Word,
                4 => Self::DWord,
                _ => Self::Byte,
            },
        }
    }

    /// The width letter.
    pub(crate) fn letter(self) -> char {
        match self {
            Self::Bit => 'X',
            Self::Byte => 'B',
            Self::Word => 'W',
            Self::DWord => 'D',
        }
    }

    /// The width's type when no `:TYPE` is given.
    pub(crate) fn default_type(self) -> DataType {
        match self {
            Self::Bit => DataType::Bool,
            Self::Byte => DataType::Byte,
            Self::Word => DataType::Word,
            Self::DWord => DataType::DWord,
        }
    }

    /// Why a type does not fit this width.
    pub(crate) fn mismatch(self) -> &'static str {
        match self {
            Self::Bit => "data type does not fit a bit address",
            Self::Byte => "data type does not fit width of 1 byte",
            Self::Word => "data type does not fit width of 2 bytes",
            Self::DWord => "data type does not fit width of 4 bytes",
        }
    }
}

/// Reason: data block number out of range.
const DB_RANGE: &str = "db number out of range 1..=65535";
/// Reason: offset above [`MAX_OFFSET`].
const OFFSET_RANGE: &str = "byte offset above 2097151";
/// Reason: bit above 7.
const BIT_RANGE: &str = "bit number above 7";
/// Reason: count 0 or above 65535.
const COUNT_RANGE: &str = "array count out of range 1..=65535";
/// Reason: string length out of the type's range.
const STRING_RANGE: &str = "string length out of range";

/// Reads a data block number and checks it.
fn read_db(lx: &mut lexer::Lexer<'_>) -> Result<u16, Error> {
    let (value, at) = lx.number("db number expected")?;
    u16::try_from(value)
        .ok()
        .filter(|&db| db != 0)
        .ok_or_else(|| lx.error(at, DB_RANGE))
}

/// Reads a byte offset or index (`reason` says which is expected) and checks it.
fn read_offset(lx: &mut lexer::Lexer<'_>, reason: &'static str) -> Result<u32, Error> {
    let (value, at) = lx.number(reason)?;
    if value > MAX_OFFSET {
        Err(lx.error(at, OFFSET_RANGE))
    } else {
        Ok(value)
    }
}

/// Reads a bit number and checks it.
fn read_bit(lx: &mut lexer::Lexer<'_>) -> Result<u8, Error> {
    let (value, at) = lx.number("bit number expected")?;
    u8::try_from(value)
        .ok()
        .filter(|&bit| bit <= 7)
        .ok_or_else(|| lx.error(at, BIT_RANGE))
}

/// Reads an array count and checks it.
fn read_count(lx: &mut lexer::Lexer<'_>) -> Result<u16, Error> {
    let (value, at) = lx.number("array count expected")?;
    u16::try_from(value)
        .ok()
        .filter(|&count| count != 0)
        .ok_or_else(|| lx.error(at, COUNT_RANGE))
}

/// Reads a string length and checks it against the largest length `max`.
fn read_string_len(lx: &mut lexer::Lexer<'_>, max: u16) -> Result<u16, Error> {
    let (value, at) = lx.number("string length expected")?;
    u16::try_from(value)
        .ok()
        .filter(|&len| len != 0 && len <= max)
        .ok_or_else(|| lx.error(at, STRING_RANGE))
}

/// Builds the tag a parser read; a broken invariant is reported at `at`.
fn build(
    lx: &lexer::Lexer<'_>,
    at: usize,
    (area, db_number, offset, bit): (Area, u16, u32, u8),
    (data_type, count): (DataType, u16),
) -> Result<Tag, Error> {
    Tag::from_parts(area, db_number, offset, bit, data_type, count)
        .map_err(|reason| lx.error(at, reason))
}

/// The position of an address error (0 for other errors).
fn error_at(error: &Error) -> usize {
    match error {
        Error::Address { at, .. } => *at,
        _ => 0,
    }
}
