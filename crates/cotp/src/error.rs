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
    #[error(
        "parameter 0x{code:02X} needs {declared} more bytes but the header has {remaining} left"
    )]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        segments, ConnectionRequest, Data, ErrorTpdu, Parameter, Reassembler, RejectCause,
        S7ConnectionType, Tpdu, TpduSize, Tsap,
    };
    use alloc::string::ToString;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Every variant, each produced by the public API from a concrete input.
    fn every_variant() -> Vec<Error> {
        let too_long_cr = ConnectionRequest::new(1)
            .with_called_tsap(Tsap::new(vec![1u8; Tsap::MAX_LEN]).unwrap())
            .with_calling_tsap(Tsap::from_u16(1));
        let ambiguous_cr = ConnectionRequest::new(1).with_parameter(Parameter::Other {
            code: 0xC1,
            value: vec![1],
        });
        let mut fixed = [0u8; 2];
        let mut fixed_out: &mut [u8] = &mut fixed;
        let mut reassembler = Reassembler::new(1);
        vec![
            Tpdu::parse(&[0x02]).unwrap_err(),
            Tpdu::parse(&[0xFF, 0xE0]).unwrap_err(),
            Tpdu::parse(&[0x11, 0xE0, 0, 0]).unwrap_err(),
            Tpdu::parse(&[0x02, 0xE0, 0, 0]).unwrap_err(),
            too_long_cr.to_vec().unwrap_err(),
            Tpdu::parse(&[0x02, 0x60, 0, 0]).unwrap_err(),
            Data::parse(&[0x02, 0xE0, 0x80]).unwrap_err(),
            Data::parse(&[0x03, 0xF0, 0x80, 0x32]).unwrap_err(),
            Data::parse(&[0x02, 0xF0, 0x81, 0x32]).unwrap_err(),
            Tpdu::parse(&[0x08, 0xE0, 0, 0, 0, 1, 0, 0xC1, 0x02]).unwrap_err(),
            Tpdu::parse(&[0x08, 0xE0, 0, 0, 0, 1, 0, 0xC0, 0x01, 0x0A]).unwrap_err(),
            Tpdu::parse(&[0x08, 0xE0, 0, 0, 0, 1, 0, 0xC0, 0x00]).unwrap_err(),
            Tpdu::parse(&[0x09, 0xE0, 0, 0, 0, 1, 0, 0xC0, 0x01, 0x0E]).unwrap_err(),
            ambiguous_cr.to_vec().unwrap_err(),
            segments(&[1], 3).unwrap_err(),
            reassembler.push_slice(true, &[1, 2]).unwrap_err(),
            Tsap::s7(S7ConnectionType::Pg, 8, 0).unwrap_err(),
            Tsap::s7(S7ConnectionType::Pg, 0, 32).unwrap_err(),
            Tsap::new(Vec::new()).unwrap_err(),
            ErrorTpdu::new(1, RejectCause::NotSpecified)
                .emit(&mut fixed_out)
                .unwrap_err(),
        ]
    }

    #[test]
    fn each_variant_is_reachable_and_distinct() {
        let errors = every_variant();
        assert_eq!(
            errors,
            vec![
                Error::Truncated {
                    needed: 2,
                    available: 1
                },
                Error::ReservedLengthIndicator,
                Error::LengthIndicatorPastData {
                    li: 0x11,
                    available: 3
                },
                Error::HeaderTooShort {
                    code: 0xE0,
                    li: 2,
                    min: 6
                },
                Error::HeaderTooLong { len: 258 },
                Error::UnknownTpduCode { code: 0x60 },
                Error::UnexpectedTpduCode {
                    expected: 0xF0,
                    found: 0xE0
                },
                Error::InvalidDataHeaderLength { li: 3 },
                Error::NonZeroTpduNumber { number: 1 },
                Error::ParameterOverrun {
                    code: 0xC1,
                    declared: 2,
                    remaining: 0
                },
                Error::ParameterOverrun {
                    code: 0xC0,
                    declared: 1,
                    remaining: 0
                },
                Error::InvalidParameterLength { code: 0xC0, len: 0 },
                Error::InvalidTpduSize { code: 14 },
                Error::AmbiguousParameter { code: 0xC1 },
                Error::TpduSizeTooSmall { size: 3 },
                Error::ReassemblyOverflow { limit: 1, len: 2 },
                Error::InvalidRack { rack: 8 },
                Error::InvalidSlot { slot: 32 },
                Error::InvalidTsapLength { len: 0 },
                Error::BufferTooSmall {
                    needed: 5,
                    available: 2
                },
            ]
        );
    }

    #[test]
    fn messages_are_lowercase_and_carry_context() {
        for error in every_variant() {
            let message = error.to_string();
            let first = message.chars().next().unwrap();
            assert!(first.is_ascii_lowercase(), "{message}");
        }
        assert_eq!(
            Error::LengthIndicatorPastData {
                li: 17,
                available: 3
            }
            .to_string(),
            "length indicator 17 runs past the 3 bytes that follow it"
        );
        assert_eq!(
            Error::ParameterOverrun {
                code: 0xC2,
                declared: 3,
                remaining: 2
            }
            .to_string(),
            "parameter 0xC2 needs 3 more bytes but the header has 2 left"
        );
        assert_eq!(
            Error::InvalidTpduSize { code: 14 }.to_string(),
            "tpdu size code 14 is outside 7..=13"
        );
        assert_eq!(
            TpduSize::from_code(6).unwrap_err().to_string(),
            "tpdu size code 6 is outside 7..=13"
        );
    }
}
