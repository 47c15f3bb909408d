//! The crate's single error type.

/// Everything that can go wrong while parsing or emitting a TPDU, segmenting a TSDU or
/// reassembling one.
///
/// Every decoder in this crate returns this type instead of panicking, whatever the input bytes.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The buffer ends before a fixed-size part of the TPDU does.
    #[error("tpdu truncated: {needed} bytes needed but only {available} available")]
    Truncated {
        /// Bytes the fixed part needs.
        needed: usize,
        /// Bytes the buffer holds.
        available: usize,
    },

    /// The length indicator is 255, which ISO 8073 reserves.
    #[error("length indicator 255 is reserved")]
    ReservedLengthIndicator,

    /// The length indicator announces a header longer than the bytes that follow it.
    #[error("length indicator {li} runs past the {available} bytes that follow it")]
    LengthIndicatorPastData {
        /// The length indicator as read.
        li: u8,
        /// Bytes present after the length indicator.
        available: usize,
    },

    /// The length indicator is shorter than the fixed part of the TPDU type.
    #[error("length indicator {li} of tpdu 0x{code:02X} is below its fixed part of {min}")]
    HeaderTooShort {
        /// The TPDU code.
        code: u8,
        /// The length indicator as read.
        li: u8,
        /// The smallest length indicator the TPDU type allows.
        min: u8,
    },

    /// Emitting would need a length indicator above 254.
    #[error("tpdu header of {len} bytes needs a length indicator above 254")]
    HeaderTooLong {
        /// The length indicator the header would need.
        len: usize,
    },

    /// The TPDU code is not one of the class 0 TPDUs (CR, CC, DR, DC, DT, ER).
    #[error("tpdu code 0x{code:02X} is not a class 0 tpdu")]
    UnknownTpduCode {
        /// The code byte as read.
        code: u8,
    },

    /// A parser for one TPDU type was handed another type.
    #[error("expected tpdu code 0x{expected:02X} but found 0x{found:02X}")]
    UnexpectedTpduCode {
        /// The code the parser handles.
        expected: u8,
        /// The code byte as read.
        found: u8,
    },

    /// A data TPDU whose length indicator is not 2.
    #[error("data tpdu length indicator {li} is not 2")]
    InvalidDataHeaderLength {
        /// The length indicator as read.
        li: u8,
    },

    /// A data TPDU whose sequence number is not 0, which class 0 requires.
    #[error("data tpdu number {number} is not 0 as class 0 requires")]
    NonZeroTpduNumber {
        /// The 7-bit TPDU number as read.
        number: u8,
    },

    /// A parameter whose length byte, or value, runs past the end of the header.
    #[error("parameter 0x{code:02X} needs {declared} more bytes but the header has {remaining} left")]
    ParameterOverrun {
        /// The parameter code.
        code: u8,
        /// Bytes the parameter still needs: its value length, or 1 when the length byte itself
        /// is missing.
        declared: usize,
        /// Bytes left in the header.
        remaining: usize,
    },

    /// A parameter whose value length is not allowed for its code (C0 not 1 byte, a TSAP of 0
    /// bytes, F0 outside 1..=4 bytes, any value above 255 bytes on emit).
    #[error("parameter 0x{code:02X} has an invalid value length of {len}")]
    InvalidParameterLength {
        /// The parameter code.
        code: u8,
        /// The value length.
        len: usize,
    },

    /// A TPDU size parameter (C0) whose exponent is outside 7..=13.
    #[error("tpdu size code {code} is outside 7..=13")]
    InvalidTpduSize {
        /// The exponent as read.
        code: u8,
    },

    /// A raw parameter that would read back as a typed one (or fail to), so emitting it would
    /// not round-trip.
    #[error("raw parameter 0x{code:02X} would read back as a typed parameter")]
    AmbiguousParameter {
        /// The parameter code.
        code: u8,
    },

    /// Segmentation needs room for the 3-byte DT header and at least one byte of data.
    #[error("maximum tpdu length {size} leaves no room for data after the 3-byte header")]
    TpduSizeTooSmall {
        /// The maximum TPDU length asked for.
        size: usize,
    },

    /// A TSDU being reassembled grew past the configured cap.
    #[error("reassembled tsdu of {len} bytes exceeds the limit of {limit}")]
    ReassemblyOverflow {
        /// The configured cap.
        limit: usize,
        /// The length the TSDU would have reached.
        len: usize,
    },

    /// An S7 rack number outside 0..=7.
    #[error("s7 rack {rack} is outside 0..=7")]
    InvalidRack {
        /// The rack asked for.
        rack: u8,
    },

    /// An S7 slot number outside 0..=31.
    #[error("s7 slot {slot} is outside 0..=31")]
    InvalidSlot {
        /// The slot asked for.
        slot: u8,
    },

    /// A TSAP of 0 bytes, or longer than [`Tsap::MAX_LEN`](crate::Tsap::MAX_LEN).
    #[error("tsap length {len} is outside 1..=246")]
    InvalidTsapLength {
        /// The length asked for.
        len: usize,
    },

    /// The output buffer cannot take the whole TPDU; nothing was written.
    #[error("output buffer has room for {available} bytes but the tpdu needs {needed}")]
    BufferTooSmall {
        /// Bytes the TPDU needs.
        needed: usize,
        /// Bytes the buffer can still take.
        available: usize,
    },
}
