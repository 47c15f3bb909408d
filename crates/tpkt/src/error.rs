//! The one error type of this crate.

use crate::{MAX_FRAME_LEN, MAX_PAYLOAD_LEN, MIN_FRAME_LEN, MIN_PAYLOAD_LEN};

/// Everything that can go wrong while framing or deframing TPKT.
///
/// Each variant carries the numbers that explain it, so a log line is enough to see what the
/// peer sent. The enum is `#[non_exhaustive]`: match with a wildcard arm.
///
/// | variant | conformance name (lean-s7 vectors) |
/// |---|---|
/// | [`UnsupportedVersion`](Error::UnsupportedVersion) | `invalid-version` |
/// | [`LengthBelowMinimum`](Error::LengthBelowMinimum) | `length-below-minimum` |
/// | [`LengthMismatch`](Error::LengthMismatch) | `length-mismatch` |
/// | [`Truncated`](Error::Truncated) | `unexpected-end` |
/// | [`PayloadTooSmall`](Error::PayloadTooSmall) | `frame-too-small` |
/// | [`PayloadTooLarge`](Error::PayloadTooLarge) | `frame-too-large` |
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The first header byte is not [`VERSION`](crate::VERSION) (3).
    #[error("unsupported tpkt version {version}, expected 3")]
    UnsupportedVersion {
        /// The version byte found on the wire.
        version: u8,
    },

    /// The declared length is smaller than the smallest legal frame
    /// ([`MIN_FRAME_LEN`](crate::MIN_FRAME_LEN)). Such a header can never be followed by a
    /// meaningful body, and trusting it is how length arithmetic underflows.
    #[error("tpkt length {declared} is below the minimum of {MIN_FRAME_LEN}")]
    LengthBelowMinimum {
        /// The length field as read from the header.
        declared: u16,
    },

    /// The slice was handed over as exactly one frame, but its length differs from the
    /// declared one (shorter: the frame is cut; longer: trailing bytes belong to nobody).
    #[error("tpkt length {declared} does not match the {actual} bytes of the frame")]
    LengthMismatch {
        /// The length field as read from the header.
        declared: usize,
        /// The number of bytes actually given.
        actual: usize,
    },

    /// Fewer bytes are available than the frame needs: a header cut short, or a stream that
    /// ended in the middle of a frame.
    #[error("tpkt frame truncated: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes needed to complete the header or the frame.
        needed: usize,
        /// Bytes that were available.
        available: usize,
    },

    /// On encode: the payload is too short to make a frame of at least
    /// [`MIN_FRAME_LEN`](crate::MIN_FRAME_LEN) bytes.
    #[error("tpkt payload of {len} bytes is below the minimum of {MIN_PAYLOAD_LEN}")]
    PayloadTooSmall {
        /// The payload length that was refused.
        len: usize,
    },

    /// On encode: the payload is too long for the 16-bit length field.
    #[error("tpkt payload of {len} bytes exceeds the maximum of {MAX_PAYLOAD_LEN}")]
    PayloadTooLarge {
        /// The payload length that was refused.
        len: usize,
    },

    /// A streaming decoder read a header declaring a frame longer than its configured limit.
    /// Raised from the header alone, before any of the body is buffered.
    #[error("tpkt length {declared} exceeds the configured limit of {limit}")]
    FrameExceedsLimit {
        /// The length field as read from the header.
        declared: usize,
        /// The decoder's maximum frame length.
        limit: usize,
    },

    /// A maximum frame length outside `MIN_FRAME_LEN..=MAX_FRAME_LEN` was requested.
    #[error("tpkt frame limit {limit} is outside {MIN_FRAME_LEN}..={MAX_FRAME_LEN}")]
    InvalidFrameLimit {
        /// The limit that was refused.
        limit: usize,
    },

    /// On encode: the output buffer has no room for the whole frame. Nothing was written.
    #[error("tpkt frame of {needed} bytes does not fit in the {available} bytes left in the output buffer")]
    BufferTooSmall {
        /// Bytes the frame needs.
        needed: usize,
        /// Bytes the buffer could still take.
        available: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn messages_are_lowercase_and_carry_context() {
        let cases = [
            (
                Error::UnsupportedVersion { version: 4 },
                "unsupported tpkt version 4, expected 3",
            ),
            (
                Error::LengthBelowMinimum { declared: 5 },
                "tpkt length 5 is below the minimum of 7",
            ),
            (
                Error::LengthMismatch {
                    declared: 8,
                    actual: 7,
                },
                "tpkt length 8 does not match the 7 bytes of the frame",
            ),
            (
                Error::Truncated {
                    needed: 4,
                    available: 3,
                },
                "tpkt frame truncated: 4 bytes needed, 3 available",
            ),
            (
                Error::PayloadTooSmall { len: 2 },
                "tpkt payload of 2 bytes is below the minimum of 3",
            ),
            (
                Error::PayloadTooLarge { len: 65_532 },
                "tpkt payload of 65532 bytes exceeds the maximum of 65531",
            ),
            (
                Error::FrameExceedsLimit {
                    declared: 2_000,
                    limit: 1_024,
                },
                "tpkt length 2000 exceeds the configured limit of 1024",
            ),
            (
                Error::InvalidFrameLimit { limit: 6 },
                "tpkt frame limit 6 is outside 7..=65535",
            ),
            (
                Error::BufferTooSmall {
                    needed: 7,
                    available: 2,
                },
                "tpkt frame of 7 bytes does not fit in the 2 bytes left in the output buffer",
            ),
        ];
        for (error, expected) in cases {
            let message = error.to_string();
            assert_eq!(message, expected);
            assert!(message.starts_with(|c: char| c.is_ascii_lowercase()));
        }
    }
}
