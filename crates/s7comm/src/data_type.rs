//! S7 elementary data types: the `:TYPE` of a tag and the layout of a [`Value`](crate::Value).
//!
//! Every type has a fixed size in PLC memory (S7 stores all of them big-endian):
//!
//! | type | bytes | | type | bytes |
//! | --- | --- | --- | --- | --- |
//! | `BOOL` | 1 bit | | `REAL` | 4 |
//! | `BYTE`, `SINT`, `USINT`, `CHAR` | 1 | | `LREAL` | 8 |
//! | `WORD`, `INT`, `UINT`, `WCHAR`, `DATE`, `S5TIME` | 2 | | `STRING[n]` | n + 2 |
//! | `DWORD`, `DINT`, `UDINT`, `TIME`, `TIME_OF_DAY` | 4 | | `WSTRING[n]` | 2n + 4 |
//! | `LWORD`, `LINT`, `ULINT`, `LTIME`, `DATE_AND_TIME` | 8 | | `DTL` | 12 |
//! | `TIMER`, `COUNTER` (the T and C areas) | 2 | | | |

use core::fmt;

/// The longest `STRING[n]`: its two header bytes hold the maximum and actual lengths.
pub const MAX_STRING_LEN: u16 = 254;

/// The longest `WSTRING[n]` in characters.
pub const MAX_WSTRING_LEN: u16 = 16382;

/// An S7 elementary data type.
///
/// `Display` gives the STEP7 name (`REAL`, `STRING[20]`), and [`DataType::parse`] reads
/// those names, the PLC4X forms (`STRING(20)`) and common aliases.
///
/// ```
/// use s7comm::DataType;
///
/// assert_eq!(DataType::parse("real")?, DataType::Real);
/// assert_eq!(DataType::parse("STRING(20)")?, DataType::String(20));
/// assert_eq!(DataType::String(20).to_string(), "STRING[20]");
/// assert_eq!(DataType::String(20).byte_len(), 22);
/// # Ok::<(), s7comm::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataType {
    /// One bit.
    Bool,
    /// 8 bits, unsigned.
    Byte,
    /// 16 bits, unsigned.
    Word,
    /// 32 bits, unsigned.
    DWord,
    /// 64 bits, unsigned.
    LWord,
    /// 8-bit signed integer.
    SInt,
    /// 8-bit unsigned integer.
    USInt,
    /// 16-bit signed integer.
    Int,
    /// 16-bit unsigned integer.
    UInt,
    /// 32-bit signed integer.
    DInt,
    /// 32-bit unsigned integer.
    UDInt,
    /// 64-bit signed integer.
    LInt,
    /// 64-bit unsigned integer.
    ULInt,
    /// IEEE 754 single precision.
    Real,
    /// IEEE 754 double precision.
    LReal,
    /// One character (ISO 8859-1).
    Char,
    /// One UTF-16 code unit.
    WChar,
    /// A string of at most `n` characters (1..=254): max and actual length bytes, then `n`
    /// bytes.
    String(u16),
    /// A wide string of at most `n` UTF-16 units (1..=16382): max and actual lengths as
    /// 16-bit words, then `2n` bytes.
    WString(u16),
    /// Days since 1990-01-01, 16 bits.
    Date,
    /// Signed milliseconds, 32 bits.
    Time,
    /// Signed nanoseconds, 64 bits.
    LTime,
    /// Milliseconds since midnight, 32 bits.
    TimeOfDay,
    /// S5 time: a time base and three BCD digits, 16 bits.
    S5Time,
    /// Date and time in eight BCD bytes.
    DateAndTime,
    /// Date and time long: twelve bytes with nanoseconds.
    Dtl,
    /// One timer of the T area (2 bytes).
    Timer,
    /// One counter of the C area (2 bytes).
    Counter,
}

impl DataType {
    /// Bytes one element occupies in PLC memory; 1 for [`DataType::Bool`], whose element is
    /// one bit of that byte.
    pub fn byte_len(self) -> usize {
        match self {
            Self::Bool | Self::Byte | Self::SInt | Self::USInt | Self::Char => 1,
            Self::Word
            | Self::Int
            | Self::UInt
            | Self::WChar
            | Self::Date
            | Self::S5Time
            | Self::Timer
            | Self::Counter => 2,
            Self::DWord | Self::DInt | Self::UDInt | Self::Real | Self::Time | Self::TimeOfDay => 4,
            Self::LWord
            | Self::LInt
            | Self::ULInt
            | Self::LReal
            | Self::LTime
            | Self::DateAndTime => 8,
            Self::Dtl => 12,
            Self::String(n) => usize::from(n).saturating_add(2),
            Self::WString(n) => usize::from(n).saturating_mul(2).saturating_add(4),
        }
    }

    /// Whether this is [`DataType::Bool`], addressed by bit.
    pub fn is_bit(self) -> bool {
        self == Self::Bool
    }

    /// Reads a type name: the STEP7 names in any case (`REAL`, `Int`, `string[20]`), the
    /// PLC4X forms of sizes (`STRING(20)`, `WSTRING(10)`), and `STRING` alone for
    /// `STRING[254]`. Aliases: `DT` for `DATE_AND_TIME`, `TOD` for `TIME_OF_DAY`.
    ///
    /// # Errors
    /// [`Error::DataType`](crate::Error::DataType) naming the input and why.
    pub fn parse(name: &str) -> Result<Self, crate::Error> {
        let name = name.trim();
        let error = |reason: &'static str| crate::Error::DataType {
            input: name.into(),
            reason,
        };
        let (base, len) = match name.find(['[', '(']) {
            Some(open) => {
                let (base, rest) = name.split_at(open);
                let close = if rest.starts_with('[') { ']' } else { ')' };
                let digits = rest
                    .get(1..)
                    .and_then(|r| r.strip_suffix(close))
                    .ok_or_else(|| error("length must be closed by ] or )"))?;
                let len: u16 = digits
                    .trim()
                    .parse()
                    .map_err(|_| error("length must be a number"))?;
                (base.trim(), Some(len))
            }
            None => (name, None),
        };
        let sized = |make: fn(u16) -> Self, max: u16| match len {
            None => Ok(make(max)),
            Some(n) if (1..=max).contains(&n) => Ok(make(n)),
            Some(_) => Err(error("string length out of range")),
        };
        let plain = |ty: Self| match len {
            None => Ok(ty),
            Some(_) => Err(error("only STRING and WSTRING take a length")),
        };
        match base.to_ascii_uppercase().as_str() {
            "STRING" => sized(Self::String, MAX_STRING_LEN),
            "WSTRING" => sized(Self::WString, MAX_WSTRING_LEN),
            "BOOL" => plain(Self::Bool),
            "BYTE" => plain(Self::Byte),
            "WORD" => plain(Self::Word),
            "DWORD" => plain(Self::DWord),
            "LWORD" => plain(Self::LWord),
            "SINT" => plain(Self::SInt),
            "USINT" => plain(Self::USInt),
            "INT" => plain(Self::Int),
            "UINT" => plain(Self::UInt),
            "DINT" => plain(Self::DInt),
            "UDINT" => plain(Self::UDInt),
            "LINT" => plain(Self::LInt),
            "ULINT" => plain(Self::ULInt),
            "REAL" => plain(Self::Real),
            "LREAL" => plain(Self::LReal),
            "CHAR" => plain(Self::Char),
            "WCHAR" => plain(Self::WChar),
            "DATE" => plain(Self::Date),
            "TIME" => plain(Self::Time),
            "LTIME" => plain(Self::LTime),
            "TIME_OF_DAY" | "TOD" => plain(Self::TimeOfDay),
            "S5TIME" => plain(Self::S5Time),
            "DATE_AND_TIME" | "DT" => plain(Self::DateAndTime),
            "DTL" => plain(Self::Dtl),
            "TIMER" => plain(Self::Timer),
            "COUNTER" => plain(Self::Counter),
            _ => Err(error("unknown data type")),
        }
    }

    /// The STEP7 name, without a length (`STRING` for every `STRING[n]`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Bool => "BOOL",
            Self::Byte => "BYTE",
            Self::Word => "WORD",
            Self::DWord => "DWORD",
            Self::LWord => "LWORD",
            Self::SInt => "SINT",
            Self::USInt => "USINT",
            Self::Int => "INT",
            Self::UInt => "UINT",
            Self::DInt => "DINT",
            Self::UDInt => "UDINT",
            Self::LInt => "LINT",
            Self::ULInt => "ULINT",
            Self::Real => "REAL",
            Self::LReal => "LREAL",
            Self::Char => "CHAR",
            Self::WChar => "WCHAR",
            Self::String(_) => "STRING",
            Self::WString(_) => "WSTRING",
            Self::Date => "DATE",
            Self::Time => "TIME",
            Self::LTime => "LTIME",
            Self::TimeOfDay => "TIME_OF_DAY",
            Self::S5Time => "S5TIME",
            Self::DateAndTime => "DATE_AND_TIME",
            Self::Dtl => "DTL",
            Self::Timer => "TIMER",
            Self::Counter => "COUNTER",
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(n) | Self::WString(n) => write!(f, "{}[{n}]", self.name()),
            other => f.write_str(other.name()),
        }
    }
}

impl core::str::FromStr for DataType {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
