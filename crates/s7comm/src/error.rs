//! The crate's error type.

use alloc::string::String;

use crate::value::Lower;
use crate::DataType;

/// Everything that can go wrong decoding or encoding S7comm.
///
/// Messages are lowercase and carry their context, e.g.
/// `"read var item is truncated: needs 12 bytes, only 5 present"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Fewer bytes than a field or structure needs.
    #[error("{what} is truncated: needs {needed} bytes, only {available} present")]
    Truncated {
        /// The structure being decoded.
        what: &'static str,
        /// Bytes it needs.
        needed: usize,
        /// Bytes there are.
        available: usize,
    },
    /// The first byte of an S7comm header is not `0x32`.
    #[error("protocol id 0x{0:02x} is not the s7comm id 0x32")]
    ProtocolId(u8),
    /// The ROSCTR (message type) byte is not one this crate knows, or not one allowed where
    /// it was found (a PLC only accepts jobs and userdata).
    #[error("message type (rosctr) 0x{0:02x} is not accepted here")]
    MessageType(u8),
    /// The header's parameter and data lengths do not add up to the bytes that follow it.
    #[error(
        "s7comm header announces {declared} bytes of parameters and data but {actual} follow it"
    )]
    LengthMismatch {
        /// Parameter length plus data length from the header.
        declared: usize,
        /// Bytes after the header.
        actual: usize,
    },
    /// An acknowledgement without data (ROSCTR `02`) whose header announces parameters or
    /// data. Only ack-data (`03`) carries sections: Wireshark's dissector decodes sections
    /// of jobs, ack-data and userdata only, and no known peer sends an ack with any.
    #[error(
        "ack (rosctr 0x02) announces {param_len} bytes of parameters and {data_len} of data; \
         only ack-data (0x03) carries sections"
    )]
    AckWithSections {
        /// Parameter length from the header.
        param_len: usize,
        /// Data length from the header.
        data_len: usize,
    },
    /// A field holds a value the format does not allow.
    #[error("{what} has unexpected value 0x{value:x}")]
    InvalidValue {
        /// The field.
        what: &'static str,
        /// Its value.
        value: u32,
    },
    /// Bytes are left over after a structure that must fill its section exactly.
    #[error("{what} has {trailing} unexpected trailing bytes")]
    TrailingBytes {
        /// The structure.
        what: &'static str,
        /// How many bytes are left over.
        trailing: usize,
    },
    /// A value does not fit the wire field that must carry it (encoding only).
    #[error("{what} of {value} does not fit its wire field (maximum {max})")]
    TooLarge {
        /// The field.
        what: &'static str,
        /// The value.
        value: usize,
        /// The largest value the field can carry.
        max: usize,
    },
    /// A data type name does not parse.
    #[error("data type {input:?}: {reason}")]
    DataType {
        /// The name as given.
        input: String,
        /// Why it is refused.
        reason: &'static str,
    },
    // Tag address errors (the `tag` module) go here.
    /// A tag address does not parse, e.g. `"DB1.DBD" at 7: byte offset expected`.
    #[error("{input:?} at {at}: {reason}")]
    Address {
        /// The address as given.
        input: String,
        /// Byte index into `input` where the problem is.
        at: usize,
        /// Why it is refused (a short lowercase phrase).
        reason: &'static str,
    },
    /// A tag built from parts (not parsed) is not a valid tag.
    #[error("invalid tag: {reason}")]
    InvalidTag {
        /// Which rule the parts break.
        reason: &'static str,
    },
    // Typed value errors (the `value` module) go here.
    /// A value is outside the range its data type holds, e.g.
    /// `"int value 40000 is outside -32768..=32767"`.
    #[error("{} value {value} is outside {range}", Lower(.data_type))]
    ValueOutOfRange {
        /// The data type.
        data_type: DataType,
        /// The value, as text (floats included, so the error stays `Eq`).
        value: String,
        /// The allowed range, as text.
        range: String,
    },
    /// A value is within range but the data type cannot hold it: a character outside
    /// ISO 8859-1 in a `STRING`, an `S5TIME` that no time base encodes exactly, ...
    #[error("{} value cannot be encoded: {reason}", Lower(.data_type))]
    ValueNotRepresentable {
        /// The data type.
        data_type: DataType,
        /// Why.
        reason: String,
    },
    /// A [`Value`](crate::Value) variant that does not belong to the data type, e.g. a
    /// `Value::Real` for an `INT`.
    #[error("a {found} value cannot be used as {}", Lower(.data_type))]
    ValueType {
        /// The data type.
        data_type: DataType,
        /// The variant given ([`Value::kind`](crate::Value::kind)).
        found: &'static str,
    },
    /// Bytes that are no valid encoding of the data type (bad BCD digits, an invalid date, a
    /// string's actual length above its maximum, ...).
    #[error("{} bytes are invalid: {reason}", Lower(.data_type))]
    InvalidEncoding {
        /// The data type.
        data_type: DataType,
        /// What is wrong.
        reason: String,
    },
    /// The bytes given for `count` elements of a data type are not as many as they occupy.
    #[error("{count} {} element(s) occupy {expected} bytes, not {found}", Lower(.data_type))]
    ValueLength {
        /// The data type.
        data_type: DataType,
        /// Number of elements.
        count: usize,
        /// Bytes they occupy.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// An array value with another number of elements than its tag declares.
    #[error("array of {} has {found} elements, not {expected}", Lower(.data_type))]
    ArrayLength {
        /// The element data type.
        data_type: DataType,
        /// Elements declared.
        expected: usize,
        /// Elements given.
        found: usize,
    },
    /// A textual literal that does not read as a value of the data type.
    #[error("{input:?} is not a {} literal: {reason}", Lower(.data_type))]
    ValueSyntax {
        /// The data type.
        data_type: DataType,
        /// The text as given.
        input: String,
        /// Why it is refused.
        reason: &'static str,
    },
}
