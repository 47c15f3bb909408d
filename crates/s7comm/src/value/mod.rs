//! Typed S7 values: a [`Value`] of a [`DataType`], encoded big-endian as S7 keeps it in PLC
//! memory, both ways.
//!
//! | what | API |
//! | --- | --- |
//! | one element from its bytes | [`Value::decode`] |
//! | `count` elements from their bytes (packed bits for `BOOL`) | [`Value::decode_array`] |
//! | bytes of a value or an array | [`Value::encode`], [`Value::encode_into`] |
//! | a tag's byte span in memory, bit offset included | [`Value::span_len`], [`Value::read_from`], [`Value::write_into`] |
//! | a value from a loader's number, bool or text, range-checked | [`Value::from_i64`], [`Value::from_u64`], [`Value::from_f64`], [`Value::from_bool`], [`Value::parse`] |
//!
//! Every encoder checks that the value fits its type (an error, never a silent cut) and every
//! decoder checks the bytes (lengths, BCD digits, ranges) and never panics. The layouts are
//! tabulated in `docs/protocol.md`, section "Typed values".
//!
//! Design decisions:
//!
//! - Variants are typed (`Int(i16)`, `Real(f32)`, ...), so a variant can only hold what its Rust
//!   type holds; ranges are checked when a value is *built* from a wider number
//!   ([`Value::from_i64`]) and when it is encoded (strings, times, dates). A variant must match
//!   the data type exactly: `Value::Int` is not encoded as a `DINT` (no implicit widening).
//! - Arrays are [`Value::Array`] of elements of one data type, encoded back to back with no
//!   padding between elements. Arrays of `BOOL` are consecutive bits, bit 0 of a byte first,
//!   starting at a bit offset ([`Value::read_from`], [`Value::write_into`]).
//! - A single `BOOL` encodes as the one byte `00`/`01` an S7 bit read or write carries; writing
//!   it into memory with [`Value::write_into`] changes only its bit.
//! - `TIMER` and `COUNTER` are the raw 16-bit words of the T and C areas ([`Value::Timer`],
//!   [`Value::Counter`]), exactly what a PLC (or the mock) stores, so any word round-trips.
//!   [`s5time_from_word`] and [`counter_from_word`] interpret them (time base and three BCD
//!   digits; three BCD digits) and [`s5time_to_word`], [`counter_to_word`] build them.
//! - `STRING[n]` and `WSTRING[n]` are always encoded at their full declared size, the unused
//!   tail filled with zeros.
//! - Floats keep their bits: NaN payloads, infinities and `-0.0` encode unchanged. `PartialEq`
//!   on `Value` follows IEEE (NaN differs from itself); compare encodings for bit equality.

mod array;
mod convert;
mod decode;
mod encode;
mod literal;
mod string;
pub(crate) mod time;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use time::{
    counter_from_word, counter_to_word, s5time_from_word, s5time_to_word, Date, Dtl, S5TIME_MAX_MS,
    TIME_OF_DAY_END_MS,
};

use crate::{DataType, Error, S7DateTime};

/// A value of one S7 data type, or an array of them.
///
/// ```
/// use s7comm::{DataType, Value};
///
/// // REAL 1.0 is 3F 80 00 00.
/// assert_eq!(Value::Real(1.0).encode(DataType::Real)?, [0x3F, 0x80, 0x00, 0x00]);
/// assert_eq!(Value::decode(DataType::Real, &[0x3F, 0x80, 0, 0])?, Value::Real(1.0));
///
/// // STRING[4] 'AB': max length, actual length, characters, zero fill.
/// let s = Value::parse(DataType::String(4), "'AB'")?;
/// assert_eq!(s.encode(DataType::String(4))?, [4, 2, b'A', b'B', 0, 0]);
///
/// // Values that do not fit are refused.
/// let err = Value::from_i64(DataType::Int, 40_000).unwrap_err();
/// assert_eq!(err.to_string(), "int value 40000 is outside -32768..=32767");
///
/// // Three BOOLs starting at bit 6 of a two-byte span (DBX0.6 ..= DBX1.0).
/// let mut span = [0b0000_0001, 0b1000_0000];
/// let bits = Value::Array(vec![Value::Bool(true), Value::Bool(false), Value::Bool(true)]);
/// bits.write_into(DataType::Bool, Some(3), &mut span, 6)?;
/// assert_eq!(span, [0b0100_0001, 0b1000_0001]);
/// assert_eq!(Value::read_from(DataType::Bool, Some(3), &span, 6)?, bits);
/// # Ok::<(), s7comm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `BOOL`.
    Bool(bool),
    /// `BYTE`.
    Byte(u8),
    /// `WORD`.
    Word(u16),
    /// `DWORD`.
    DWord(u32),
    /// `LWORD`.
    LWord(u64),
    /// `SINT`.
    SInt(i8),
    /// `USINT`.
    USInt(u8),
    /// `INT`.
    Int(i16),
    /// `UINT`.
    UInt(u16),
    /// `DINT`.
    DInt(i32),
    /// `UDINT`.
    UDInt(u32),
    /// `LINT`.
    LInt(i64),
    /// `ULINT`.
    ULInt(u64),
    /// `REAL` (IEEE 754 single, bits kept).
    Real(f32),
    /// `LREAL` (IEEE 754 double, bits kept).
    LReal(f64),
    /// `CHAR`: one ISO 8859-1 character (`U+0000..=U+00FF`).
    Char(char),
    /// `WCHAR`: one UTF-16 code unit, so a character of the basic multilingual plane.
    WChar(char),
    /// `STRING[n]`: at most `n` ISO 8859-1 characters.
    String(String),
    /// `WSTRING[n]`: at most `n` UTF-16 code units.
    WString(String),
    /// `DATE`: 1990-01-01 ..= 2168-12-31.
    Date(Date),
    /// `TIME`: signed milliseconds.
    Time(i32),
    /// `LTIME`: signed nanoseconds.
    LTime(i64),
    /// `TIME_OF_DAY`: milliseconds since midnight, below [`TIME_OF_DAY_END_MS`].
    TimeOfDay(u32),
    /// `S5TIME`: milliseconds, 0 ..= [`S5TIME_MAX_MS`], a multiple of the time base that
    /// encodes it (see [`s5time_to_word`]).
    S5Time(u32),
    /// `DATE_AND_TIME`: 1990 ..= 2089, weekday 1 (Sunday) ..= 7 (Saturday).
    DateAndTime(S7DateTime),
    /// `DTL`: 1970-01-01 ..= 2262-04-11 23:47:16.854775807.
    Dtl(Dtl),
    /// `TIMER`: the raw word of one timer of the T area (see [`s5time_from_word`]).
    Timer(u16),
    /// `COUNTER`: the raw word of one counter of the C area (see [`counter_from_word`]).
    Counter(u16),
    /// An array of elements of one data type (never of arrays).
    Array(Vec<Value>),
}

impl Value {
    /// The lowercase STEP7 name of the variant (`"int"`, `"string"`, `"array"`), as used in
    /// error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Bool(_) => "bool",
            Self::Byte(_) => "byte",
            Self::Word(_) => "word",
            Self::DWord(_) => "dword",
            Self::LWord(_) => "lword",
            Self::SInt(_) => "sint",
            Self::USInt(_) => "usint",
            Self::Int(_) => "int",
            Self::UInt(_) => "uint",
            Self::DInt(_) => "dint",
            Self::UDInt(_) => "udint",
            Self::LInt(_) => "lint",
            Self::ULInt(_) => "ulint",
            Self::Real(_) => "real",
            Self::LReal(_) => "lreal",
            Self::Char(_) => "char",
            Self::WChar(_) => "wchar",
            Self::String(_) => "string",
            Self::WString(_) => "wstring",
            Self::Date(_) => "date",
            Self::Time(_) => "time",
            Self::LTime(_) => "ltime",
            Self::TimeOfDay(_) => "time_of_day",
            Self::S5Time(_) => "s5time",
            Self::DateAndTime(_) => "date_and_time",
            Self::Dtl(_) => "dtl",
            Self::Timer(_) => "timer",
            Self::Counter(_) => "counter",
            Self::Array(_) => "array",
        }
    }

    /// Decodes one element of `ty` from exactly [`DataType::byte_len`] bytes.
    ///
    /// A `BOOL` is the single byte `00` or `01` an S7 bit read answers with; use
    /// [`Value::read_from`] to take a bit out of a memory byte.
    ///
    /// # Errors
    /// [`Error::ValueLength`] for any other number of bytes, [`Error::InvalidEncoding`] for
    /// bytes that are no value of `ty` (bad BCD, a string longer than its maximum, an invalid
    /// date), [`Error::DataType`] for a `STRING`/`WSTRING` length outside the type's limits.
    pub fn decode(ty: DataType, bytes: &[u8]) -> Result<Self, Error> {
        expect_len(ty, 1, ty.byte_len(), bytes.len())?;
        decode::scalar(ty, bytes)
    }

    /// Decodes `count` consecutive elements of `ty` into a [`Value::Array`].
    ///
    /// Elements follow each other without padding, so `bytes` must be exactly `count` times
    /// [`DataType::byte_len`] long; for `BOOL`, the elements are bits packed from bit 0 of the
    /// first byte, in `count.div_ceil(8)` bytes (unused high bits of the last byte are
    /// ignored).
    ///
    /// # Errors
    /// As [`Value::decode`], for the first element that fails.
    pub fn decode_array(ty: DataType, count: usize, bytes: &[u8]) -> Result<Self, Error> {
        Self::read_from(ty, Some(count), bytes, 0)
    }

    /// The bytes of this value as `ty`: one element, or each element of a [`Value::Array`]
    /// in turn (packed bits for `BOOL`, see [`Value::decode_array`]).
    ///
    /// # Errors
    /// [`Error::ValueType`] if a variant does not match `ty`; [`Error::ValueOutOfRange`] or
    /// [`Error::ValueNotRepresentable`] if the value does not fit `ty`.
    pub fn encode(&self, ty: DataType) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(ty.byte_len());
        self.encode_into(ty, &mut out)?;
        Ok(out)
    }

    /// Appends [`Value::encode`]'s bytes to `out`; on error `out` is left as it was.
    ///
    /// # Errors
    /// As [`Value::encode`].
    pub fn encode_into(&self, ty: DataType, out: &mut Vec<u8>) -> Result<(), Error> {
        let start = out.len();
        let result = match self {
            Self::Array(items) if ty.is_bit() => array::encode_bits(items, out),
            Self::Array(items) => items
                .iter()
                .try_for_each(|item| encode::scalar(item, ty, out)),
            scalar => encode::scalar(scalar, ty, out),
        };
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// Bytes a tag of `ty` spans in memory: one element (`count` `None`) or an array of
    /// `count`, starting at bit `bit` of its first byte (only `BOOL` may start past bit 0).
    ///
    /// ```
    /// use s7comm::{DataType, Value};
    ///
    /// assert_eq!(Value::span_len(DataType::Bool, Some(3), 6)?, 2); // DBX0.6 ..= DBX1.0
    /// assert_eq!(Value::span_len(DataType::Int, Some(3), 0)?, 6);
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a bit above 7 or a bit offset on a type other than
    /// `BOOL`; [`Error::TooLarge`] if the size overflows `usize`.
    pub fn span_len(ty: DataType, count: Option<usize>, bit: u8) -> Result<usize, Error> {
        array::span_len(ty, count, bit)
    }

    /// Decodes a tag from its memory span, as [`Value::span_len`] sizes it: the client's
    /// `read_tag` (read the span, decode) and a PLC answering from memory both use this.
    /// With `count` `None` the result is one element, with `Some(n)` a [`Value::Array`].
    ///
    /// # Errors
    /// [`Error::ValueLength`] if `span` is not [`Value::span_len`] bytes; otherwise as
    /// [`Value::span_len`] and [`Value::decode`].
    pub fn read_from(
        ty: DataType,
        count: Option<usize>,
        span: &[u8],
        bit: u8,
    ) -> Result<Self, Error> {
        array::read_from(ty, count, span, bit)
    }

    /// Encodes this value into a tag's memory span (the inverse of [`Value::read_from`]):
    /// a PLC writing a tag into memory, or a client preparing the bytes of a write. `BOOL`
    /// elements change only their own bits of `span`; every other type overwrites the whole
    /// span. A value with `count` `Some(n)` must be a [`Value::Array`] of `n` elements.
    ///
    /// On error `span` is unchanged.
    ///
    /// # Errors
    /// As [`Value::read_from`] and [`Value::encode`]; [`Error::ArrayLength`] if the array
    /// has another number of elements than `count`.
    pub fn write_into(
        &self,
        ty: DataType,
        count: Option<usize>,
        span: &mut [u8],
        bit: u8,
    ) -> Result<(), Error> {
        array::write_into(self, ty, count, span, bit)
    }
}

/// Fails with [`Error::ValueLength`] unless `found == expected`.
pub(crate) fn expect_len(
    ty: DataType,
    count: usize,
    expected: usize,
    found: usize,
) -> Result<(), Error> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::ValueLength {
            data_type: ty,
            count,
            expected,
            found,
        })
    }
}

/// [`Error::ValueOutOfRange`] with both parts formatted.
pub(crate) fn out_of_range(
    ty: DataType,
    value: impl fmt::Display,
    range: impl fmt::Display,
) -> Error {
    Error::ValueOutOfRange {
        data_type: ty,
        value: alloc::format!("{value}"),
        range: alloc::format!("{range}"),
    }
}

/// [`Error::ValueNotRepresentable`].
pub(crate) fn not_representable(ty: DataType, reason: impl fmt::Display) -> Error {
    Error::ValueNotRepresentable {
        data_type: ty,
        reason: alloc::format!("{reason}"),
    }
}

/// [`Error::InvalidEncoding`].
pub(crate) fn invalid(ty: DataType, reason: impl fmt::Display) -> Error {
    Error::InvalidEncoding {
        data_type: ty,
        reason: alloc::format!("{reason}"),
    }
}

/// [`Error::ValueType`]: `value` is not a variant of `ty`.
pub(crate) fn wrong_type(ty: DataType, value: &Value) -> Error {
    Error::ValueType {
        data_type: ty,
        found: value.kind(),
    }
}

/// Displays a data type in lowercase (`int`, `string[10]`) for error messages.
pub(crate) struct Lower<'a>(pub(crate) &'a DataType);

impl fmt::Display for Lower<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.name().chars() {
            fmt::Write::write_char(f, c.to_ascii_lowercase())?;
        }
        match self.0 {
            DataType::String(n) | DataType::WString(n) => write!(f, "[{n}]"),
            _ => Ok(()),
        }
    }
}
