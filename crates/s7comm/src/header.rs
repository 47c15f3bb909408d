//! The S7comm header that starts every PDU.
//!
//! ```text
//!   0      1        2      3      4      5      6      7      8      9     10      11
//! +------+--------+------+------+------+------+------+------+------+------+-------+------+
//! | 0x32 | ROSCTR | reserved    | PDU ref     | param len   | data len    | class | code |
//! +------+--------+------+------+------+------+------+------+------+------+-------+------+
//!                                                                   only for ROSCTR 02/03
//! ROSCTR: 01 job, 02 ack, 03 ack-data, 07 userdata
//! ```
//!
//! The parameter section (`param len` bytes) and the data section (`data len` bytes) follow
//! the header and fill the rest of the TSDU exactly. Acknowledgements (ROSCTR 02 and 03) carry
//! an error class and code; `00 00` means success.

use alloc::vec::Vec;

use crate::cursor::patch_u16;
use crate::Error;

/// The S7comm protocol id, the first byte of every PDU.
pub const PROTOCOL_ID: u8 = 0x32;

/// The ROSCTR byte: what kind of message a PDU is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MessageType {
    /// `01`: a request (job) from a client (the default).
    #[default]
    Job,
    /// `02`: an acknowledgement without data (also used for header-only error answers).
    Ack,
    /// `03`: an acknowledgement with parameters and/or data.
    AckData,
    /// `07`: userdata (SZL, clock and other extended services), both directions.
    UserData,
}

impl MessageType {
    /// The wire value.
    #[inline]
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Job => 0x01,
            Self::Ack => 0x02,
            Self::AckData => 0x03,
            Self::UserData => 0x07,
        }
    }

    /// Decodes a ROSCTR byte.
    #[inline]
    pub fn from_u8(value: u8) -> Result<Self, Error> {
        match value {
            0x01 => Ok(Self::Job),
            0x02 => Ok(Self::Ack),
            0x03 => Ok(Self::AckData),
            0x07 => Ok(Self::UserData),
            other => Err(Error::MessageType(other)),
        }
    }

    /// Whether the header carries an error class and code (ack and ack-data).
    #[inline]
    pub fn has_error_field(self) -> bool {
        matches!(self, Self::Ack | Self::AckData)
    }

    /// Header length for this message type: 12 for ack/ack-data, 10 otherwise.
    #[inline]
    pub fn header_len(self) -> usize {
        if self.has_error_field() {
            Header::LONG_LEN
        } else {
            Header::SHORT_LEN
        }
    }
}

/// An S7 error code: error class in the high byte, code in the low byte.
///
/// It appears in the header of acknowledgements and in the parameters of userdata
/// responses. The named constants are the ones this crate answers with; any other value
/// decodes as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ErrorCode(pub u16);

impl ErrorCode {
    /// `00 00`: success.
    pub const NONE: Self = Self(0x0000);
    /// `81 04`: "this service is not implemented on the module or a frame error was
    /// reported" — the answer to an unknown function.
    pub const NOT_IMPLEMENTED: Self = Self(0x8104);
    /// `85 00`: "wrong frames / PDU size error" — a request larger than the negotiated PDU,
    /// an answer that would not fit it, or parameters that do not decode.
    pub const PDU_SIZE: Self = Self(0x8500);
    /// `D4 01`: invalid SZL id.
    pub const INVALID_SZL_ID: Self = Self(0xD401);
    /// `D4 02`: invalid SZL index.
    pub const INVALID_SZL_INDEX: Self = Self(0xD402);
    /// `D0 5F`: coding error in the data section (e.g. a clock value that is not BCD).
    pub const INVALID_DATA: Self = Self(0xD05F);
    /// `D0 A5`: referenced job not found (a follow-up for an answer that is not pending).
    pub const JOB_NOT_FOUND: Self = Self(0xD0A5);

    /// Builds a code from class and code bytes.
    pub fn new(class: u8, code: u8) -> Self {
        Self(u16::from_be_bytes([class, code]))
    }

    /// The error class (high byte).
    pub fn class(self) -> u8 {
        self.0.to_be_bytes()[0]
    }

    /// The error code (low byte).
    pub fn code(self) -> u8 {
        self.0.to_be_bytes()[1]
    }

    /// Whether this is [`ErrorCode::NONE`].
    #[inline]
    pub fn is_ok(self) -> bool {
        self.0 == 0
    }
}

/// A decoded S7comm header.
///
/// The default is a job header with everything zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// ROSCTR.
    pub message_type: MessageType,
    /// Bytes 2-3, reserved (Wireshark: "redundancy identification"); `00 00` from every
    /// known peer. Kept as received so a header encodes back to its bytes; nothing reads it.
    pub reserved: u16,
    /// PDU reference chosen by the client and echoed in the answer.
    pub pdu_ref: u16,
    /// Length of the parameter section.
    pub param_len: u16,
    /// Length of the data section.
    pub data_len: u16,
    /// Error class and code; only on the wire for ack and ack-data, [`ErrorCode::NONE`]
    /// otherwise.
    pub error: ErrorCode,
}

impl Header {
    /// Header length of jobs and userdata.
    pub const SHORT_LEN: usize = 10;
    /// Header length of ack and ack-data.
    pub const LONG_LEN: usize = 12;

    /// Decodes the header at the start of `bytes` (which may hold more after it).
    #[inline]
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let Some(&[id, rosctr, x0, x1, r0, r1, p0, p1, d0, d1]) =
            bytes.first_chunk::<{ Self::SHORT_LEN }>()
        else {
            return Err(Error::Truncated {
                what: "s7comm header",
                needed: Self::SHORT_LEN,
                available: bytes.len(),
            });
        };
        if id != PROTOCOL_ID {
            return Err(Error::ProtocolId(id));
        }
        let message_type = MessageType::from_u8(rosctr)?;
        let error = if message_type.has_error_field() {
            let Some(&[_, _, _, _, _, _, _, _, _, _, class, code]) =
                bytes.first_chunk::<{ Self::LONG_LEN }>()
            else {
                return Err(Error::Truncated {
                    what: "s7comm header",
                    needed: Self::LONG_LEN,
                    available: bytes.len(),
                });
            };
            ErrorCode::new(class, code)
        } else {
            ErrorCode::NONE
        };
        Ok(Self {
            message_type,
            reserved: u16::from_be_bytes([x0, x1]),
            pdu_ref: u16::from_be_bytes([r0, r1]),
            param_len: u16::from_be_bytes([p0, p1]),
            data_len: u16::from_be_bytes([d0, d1]),
            error,
        })
    }

    /// Decodes the header of a whole PDU and splits off its parameter and data sections.
    ///
    /// Fails unless the declared lengths match the bytes after the header exactly.
    #[inline]
    pub fn split(pdu: &[u8]) -> Result<(Self, &[u8], &[u8]), Error> {
        let header = Self::parse(pdu)?;
        let body = pdu.get(header.buffer_len()..).unwrap_or_default();
        let declared = usize::from(header.param_len).saturating_add(usize::from(header.data_len));
        if declared != body.len() {
            return Err(Error::LengthMismatch {
                declared,
                actual: body.len(),
            });
        }
        let Some((params, data)) = body.split_at_checked(usize::from(header.param_len)) else {
            return Err(Error::LengthMismatch {
                declared,
                actual: body.len(),
            });
        };
        Ok((header, params, data))
    }

    /// [`split`](Self::split) for a receiver whose hot path serves jobs only: the PDU
    /// reference, parameters and data of `pdu` if it is a job whose declared lengths match
    /// the bytes after its header exactly, without building a [`Header`]; `None` for anything
    /// else, which [`split`](Self::split) then accepts (another message type) or refuses.
    ///
    /// ```
    /// use s7comm::{Header, MessageType};
    ///
    /// let job = [0x32, 0x01, 0, 0, 0x12, 0x34, 0, 2, 0, 1, 0x04, 0x00, 0xAA];
    /// let (header, params, data) = Header::split(&job)?;
    /// assert_eq!(header.message_type, MessageType::Job);
    /// assert_eq!(Header::split_job(&job), Some((0x1234, params, data)));
    /// // Not a job, or not whole: left to `split`.
    /// assert_eq!(Header::split_job(&[0x32, 0x07, 0, 0, 0x12, 0x34, 0, 2, 0, 1, 0x04, 0x00, 0xAA]), None);
    /// assert_eq!(Header::split_job(&job[..12]), None);
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    #[inline]
    pub fn split_job(pdu: &[u8]) -> Option<(u16, &[u8], &[u8])> {
        let (&[id, rosctr, _, _, r0, r1, p0, p1, d0, d1], body) =
            pdu.split_first_chunk::<{ Self::SHORT_LEN }>()?;
        if id != PROTOCOL_ID || rosctr != MessageType::Job.to_u8() {
            return None;
        }
        let param_len = usize::from(u16::from_be_bytes([p0, p1]));
        let data_len = usize::from(u16::from_be_bytes([d0, d1]));
        if param_len.checked_add(data_len)? != body.len() {
            return None;
        }
        let (params, data) = body.split_at_checked(param_len)?;
        Some((u16::from_be_bytes([r0, r1]), params, data))
    }

    /// Encoded length: 10 or 12 bytes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        self.message_type.header_len()
    }

    /// Appends the header to `out`.
    #[inline]
    pub fn emit(&self, out: &mut Vec<u8>) {
        let [x0, x1] = self.reserved.to_be_bytes();
        let [r0, r1] = self.pdu_ref.to_be_bytes();
        let [p0, p1] = self.param_len.to_be_bytes();
        let [d0, d1] = self.data_len.to_be_bytes();
        let head = [
            PROTOCOL_ID,
            self.message_type.to_u8(),
            x0,
            x1,
            r0,
            r1,
            p0,
            p1,
            d0,
            d1,
        ];
        out.extend_from_slice(&head);
        if self.message_type.has_error_field() {
            out.extend_from_slice(&self.error.0.to_be_bytes());
        }
    }

    /// Overwrites the parameter and data lengths of the header at the front of `pdu`, for a
    /// writer that emits a header with zero lengths, appends the sections, then fills the
    /// lengths in. Does nothing to a buffer too short to hold them.
    #[inline]
    pub fn patch_lengths(pdu: &mut [u8], param_len: u16, data_len: u16) {
        patch_u16(pdu, PARAM_LEN_AT, param_len);
        patch_u16(pdu, DATA_LEN_AT, data_len);
    }

    /// Overwrites only the data length of the header at the front of `pdu`, for a writer that
    /// emitted the parameter length as it is; as [`patch_lengths`](Self::patch_lengths)
    /// otherwise.
    ///
    /// ```
    /// use s7comm::Header;
    ///
    /// let mut pdu = vec![0x32, 0x03, 0, 0, 0, 7, 0, 2, 0, 0, 0, 0, 0x04, 0x01];
    /// pdu.extend_from_slice(&[0xFF, 0x04, 0x00, 0x20, 1, 2, 3, 4]);
    /// Header::patch_data_len(&mut pdu, 8);
    /// assert_eq!(&pdu[6..10], &[0, 2, 0, 8]);
    /// // Too short to hold the field: left alone.
    /// let mut short = [0x32, 0x03, 0, 0, 0, 7, 0, 2];
    /// Header::patch_data_len(&mut short, 8);
    /// assert_eq!(short, [0x32, 0x03, 0, 0, 0, 7, 0, 2]);
    /// ```
    #[inline]
    pub fn patch_data_len(pdu: &mut [u8], data_len: u16) {
        patch_u16(pdu, DATA_LEN_AT, data_len);
    }
}

/// Byte offset of the parameter length field in a header.
pub(crate) const PARAM_LEN_AT: usize = 6;
/// Byte offset of the data length field in a header.
pub(crate) const DATA_LEN_AT: usize = 8;
