//! Userdata (ROSCTR `07`): SZL reads, clock read/set and the other extended services.
//!
//! Parameters, 8 bytes in a first request, 12 bytes in answers and follow-up requests:
//!
//! ```text
//!   0      1      2      3      4        5            6        7      8      9     10  11
//! +------+------+------+------+--------+------------+--------+------+------+------+--------+
//! | 0x00 | 0x01 | 0x12 | len  | method | type|group | subfn  | seq  | DURN | last | error  |
//! +------+------+------+------+--------+------------+--------+------+------+------+--------+
//!                        04/08  11 req   4 request    SZL: 4/1 read SZL     \___ len 08 only
//!                               12 resp  8 response   clock: 7/1 read, 7/2 set
//! ```
//!
//! `seq` is the sequence number a multi-part answer is continued with; `DURN` the data unit
//! reference number of that answer; `last` is `00` on the last data unit and `01` when more
//! follow; `error` is an [`ErrorCode`] (`D4 01` invalid SZL id, ...).
//!
//! Data: one item `RC TS LEN data` with LEN in bytes (TS `09` octet string, or `00` with no
//! data):
//!
//! ```text
//! SZL request:            FF 09 00 04 | SZL id (2) | index (2)
//! SZL answer, first part: FF 09 LEN   | SZL id (2) | index (2) | LENTHDR(2) N_DR(2) records...
//! SZL answer, later part: FF 09 LEN   | more record bytes
//! follow-up / clock read: 0A 00 00 00
//! clock answer / set:     FF 09 00 0A | clock data (10 bytes, see super::clock)
//! set clock answer:       0A 00 00 00
//! error answer:           0A 00 00 00   (with the error in the parameters)
//! ```

use super::clock::{S7DateTime, CLOCK_DATA_LEN};
use super::cursor::{put_u16, Reader};
use super::data_item::DataItemView;
use super::header::ErrorCode;
use super::return_code::ReturnCode;
use super::transport_size::DataTransportSize;
use alloc::vec::Vec;

use crate::Error;

/// Method byte of a request.
pub const METHOD_REQUEST: u8 = 0x11;
/// Method byte of an answer (and of follow-up requests).
pub const METHOD_RESPONSE: u8 = 0x12;
/// Type nibble of a request.
pub const KIND_REQUEST: u8 = 0x4;
/// Type nibble of an answer.
pub const KIND_RESPONSE: u8 = 0x8;
/// Function group: SZL (system status list).
pub const GROUP_SZL: u8 = 0x4;
/// Function group: clock.
pub const GROUP_CLOCK: u8 = 0x7;
/// SZL subfunction: read SZL.
pub const SUBFUNCTION_READ_SZL: u8 = 0x01;
/// Clock subfunction: read the clock.
pub const SUBFUNCTION_READ_CLOCK: u8 = 0x01;
/// Clock subfunction: set the clock.
pub const SUBFUNCTION_SET_CLOCK: u8 = 0x02;

/// The 4-byte extension of 12-byte userdata parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Continuation {
    /// Data unit reference number.
    pub data_unit_ref: u8,
    /// Whether more data units follow (`last` byte `01`); `false` encodes `00`. Decoding
    /// refuses any other `last` byte: Wireshark knows only `00` (yes, the last) and `01`
    /// (no), and a bool keeps the two exactly.
    pub more: bool,
    /// Error code (answers only).
    pub error: ErrorCode,
}

/// Userdata parameters.
///
/// The head `00 01 12` is checked except its first byte, which is kept in
/// [`reserved`](Self::reserved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserDataParams {
    /// The first byte of the parameter head, `00` from every known peer (Wireshark shows
    /// the head `00 01 12` as one constant). Kept as received so the parameters encode back
    /// to their bytes; nothing reads it.
    pub reserved: u8,
    /// Method byte (`11` request, `12` answer or follow-up).
    pub method: u8,
    /// Type nibble (`4` request, `8` answer, `0` push).
    pub kind: u8,
    /// Function group nibble.
    pub group: u8,
    /// Subfunction.
    pub subfunction: u8,
    /// Sequence number.
    pub sequence: u8,
    /// Present in 12-byte parameters.
    pub continuation: Option<Continuation>,
}

impl UserDataParams {
    /// Decodes a parameter section.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "userdata parameters");
        let reserved = r.u8()?;
        // `01 12` identify the parameter head; a section that starts otherwise is no
        // userdata parameter section at all, so it is refused rather than kept.
        r.expect_u8(0x01, "userdata parameter head")?;
        r.expect_u8(0x12, "userdata parameter head")?;
        let len = r.u8()?;
        if len != 4 && len != 8 {
            return Err(Error::InvalidValue {
                what: "userdata parameter length",
                value: u32::from(len),
            });
        }
        let method = r.u8()?;
        let type_group = r.u8()?;
        let subfunction = r.u8()?;
        let sequence = r.u8()?;
        let continuation = if len == 8 {
            let data_unit_ref = r.u8()?;
            let more = match r.u8()? {
                0x00 => false,
                0x01 => true,
                other => {
                    return Err(Error::InvalidValue {
                        what: "userdata last data unit",
                        value: u32::from(other),
                    })
                }
            };
            let error = ErrorCode(r.u16()?);
            Some(Continuation {
                data_unit_ref,
                more,
                error,
            })
        } else {
            None
        };
        r.finish()?;
        Ok(Self {
            reserved,
            method,
            kind: type_group.wrapping_shr(4),
            group: type_group & 0x0F,
            subfunction,
            sequence,
            continuation,
        })
    }

    /// Encoded length: 8 or 12.
    pub fn buffer_len(&self) -> usize {
        if self.continuation.is_some() {
            12
        } else {
            8
        }
    }

    /// Appends the parameter section.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let len = if self.continuation.is_some() { 8 } else { 4 };
        let type_group = (self.kind & 0x0F).wrapping_shl(4) | (self.group & 0x0F);
        out.extend_from_slice(&[
            self.reserved,
            0x01,
            0x12,
            len,
            self.method,
            type_group,
            self.subfunction,
            self.sequence,
        ]);
        if let Some(c) = self.continuation {
            out.extend_from_slice(&[c.data_unit_ref, u8::from(c.more)]);
            put_u16(out, c.error.0);
        }
    }

    /// The error code of an answer ([`ErrorCode::NONE`] without the extension).
    pub fn error(&self) -> ErrorCode {
        self.continuation.map(|c| c.error).unwrap_or_default()
    }
}

/// The data item of a userdata PDU (owned).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserDataItem {
    /// Return code (`FF` with data, `0A` without).
    pub return_code: ReturnCode,
    /// Transport size (`09` with data, `00` without).
    pub transport_size: DataTransportSize,
    /// Payload.
    pub data: Vec<u8>,
    /// The LEN field as received when it is not the one `data` implies, as in
    /// [`DataItem::wire_len`](crate::DataItem::wire_len) (a bit count that is not whole
    /// bytes); `None` encodes the implied LEN.
    pub wire_len: Option<u16>,
}

impl UserDataItem {
    /// `0A 00 00 00`: no data.
    pub fn empty() -> Self {
        Self {
            return_code: ReturnCode::ObjectDoesNotExist,
            transport_size: DataTransportSize::Null,
            data: Vec::new(),
            wire_len: None,
        }
    }

    /// `FF 09 LEN data`.
    pub fn octets(data: Vec<u8>) -> Self {
        Self {
            return_code: ReturnCode::Success,
            transport_size: DataTransportSize::OctetString,
            data,
            wire_len: None,
        }
    }

    /// Decodes a data section holding exactly one item.
    pub fn parse(data: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(data, "userdata data item");
        let return_code = ReturnCode::from_u8(r.u8()?);
        let transport_size = DataTransportSize::from_u8(r.u8()?);
        let wire = r.u16()?;
        let len = transport_size.byte_len(wire);
        let data = r.bytes(len)?.to_vec();
        r.finish()?;
        let wire_len = (transport_size.wire_len(len).ok() != Some(wire)).then_some(wire);
        Ok(Self {
            return_code,
            transport_size,
            data,
            wire_len,
        })
    }

    /// Encoded length.
    pub fn buffer_len(&self) -> usize {
        self.data.len().saturating_add(4)
    }

    /// Appends the data section.
    ///
    /// Fails if the data does not fit LEN, or if a kept [`wire_len`](Self::wire_len) does
    /// not stand for the data bytes there are.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        DataItemView {
            return_code: self.return_code,
            transport_size: self.transport_size,
            data: &self.data,
            wire_len: self.wire_len,
            fill: None,
        }
        .emit(out, true)
    }
}

/// A userdata PDU body: parameters and data item (owned; requests and answers).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserData {
    /// Parameters.
    pub params: UserDataParams,
    /// Data item.
    pub item: UserDataItem,
}

/// What a userdata request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserDataService {
    /// Read an SZL (first request).
    ReadSzl {
        /// SZL id.
        id: u16,
        /// SZL index.
        index: u16,
    },
    /// Continue a multi-part SZL answer.
    ReadSzlFollowUp {
        /// The sequence number from the previous part.
        sequence: u8,
    },
    /// Read the clock.
    ReadClock,
    /// Set the clock.
    SetClock(S7DateTime),
    /// Anything else.
    Other {
        /// Function group.
        group: u8,
        /// Subfunction.
        subfunction: u8,
    },
}

impl UserData {
    fn request(method: u8, group: u8, subfunction: u8, sequence: u8, item: UserDataItem) -> Self {
        Self {
            params: UserDataParams {
                reserved: 0,
                method,
                kind: KIND_REQUEST,
                group,
                subfunction,
                sequence,
                continuation: None,
            },
            item,
        }
    }

    /// A first SZL read request.
    pub fn read_szl(id: u16, index: u16) -> Self {
        let mut data = Vec::with_capacity(4);
        put_u16(&mut data, id);
        put_u16(&mut data, index);
        Self::request(
            METHOD_REQUEST,
            GROUP_SZL,
            SUBFUNCTION_READ_SZL,
            0,
            UserDataItem::octets(data),
        )
    }

    /// A follow-up request for the next part of a multi-part SZL answer.
    pub fn szl_follow_up(sequence: u8) -> Self {
        let mut ud = Self::request(
            METHOD_RESPONSE,
            GROUP_SZL,
            SUBFUNCTION_READ_SZL,
            sequence,
            UserDataItem::empty(),
        );
        ud.params.continuation = Some(Continuation::default());
        ud
    }

    /// A clock read request.
    pub fn read_clock() -> Self {
        Self::request(
            METHOD_REQUEST,
            GROUP_CLOCK,
            SUBFUNCTION_READ_CLOCK,
            0,
            UserDataItem::empty(),
        )
    }

    /// A clock set request.
    ///
    /// The century byte is `19` whatever the year, as snap7's and python-snap7's clients send
    /// it (python-snap7 3.3.0's server refuses any other); the year itself is in the BCD
    /// `DATE_AND_TIME`.
    pub fn set_clock(time: &S7DateTime) -> Result<Self, Error> {
        let mut data = Vec::with_capacity(CLOCK_DATA_LEN);
        time.emit_clock_data(&mut data)?;
        if let Some(century) = data.get_mut(1) {
            *century = 0x19;
        }
        Ok(Self::request(
            METHOD_REQUEST,
            GROUP_CLOCK,
            SUBFUNCTION_SET_CLOCK,
            0,
            UserDataItem::octets(data),
        ))
    }

    /// An answer: method `12`, type `8`, with the continuation extension.
    pub fn response(
        group: u8,
        subfunction: u8,
        sequence: u8,
        continuation: Continuation,
        item: UserDataItem,
    ) -> Self {
        Self {
            params: UserDataParams {
                reserved: 0,
                method: METHOD_RESPONSE,
                kind: KIND_RESPONSE,
                group,
                subfunction,
                sequence,
                continuation: Some(continuation),
            },
            item,
        }
    }

    /// Decodes the parameter and data sections.
    pub fn parse(params: &[u8], data: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            params: UserDataParams::parse(params)?,
            item: UserDataItem::parse(data)?,
        })
    }

    /// Encoded parameter length.
    pub fn param_len(&self) -> usize {
        self.params.buffer_len()
    }

    /// Encoded data length.
    pub fn data_len(&self) -> usize {
        self.item.buffer_len()
    }

    /// Appends the parameter section.
    pub fn emit_params(&self, out: &mut Vec<u8>) {
        self.params.emit(out);
    }

    /// Appends the data section.
    pub fn emit_data(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.item.emit(out)
    }

    /// Classifies a request.
    ///
    /// An SZL request with the 12-byte parameters and a nonzero sequence number is a
    /// follow-up; otherwise its data must be the 4-byte SZL id and index.
    pub fn service(&self) -> Result<UserDataService, Error> {
        let p = &self.params;
        match (p.group, p.subfunction) {
            (GROUP_SZL, SUBFUNCTION_READ_SZL) => {
                if p.continuation.is_some() && p.sequence != 0 {
                    return Ok(UserDataService::ReadSzlFollowUp {
                        sequence: p.sequence,
                    });
                }
                let mut r = Reader::new(&self.item.data, "szl request data");
                let id = r.u16()?;
                let index = r.u16()?;
                r.finish()?;
                Ok(UserDataService::ReadSzl { id, index })
            }
            (GROUP_CLOCK, SUBFUNCTION_READ_CLOCK) => Ok(UserDataService::ReadClock),
            (GROUP_CLOCK, SUBFUNCTION_SET_CLOCK) => Ok(UserDataService::SetClock(
                S7DateTime::parse_clock_data(&self.item.data)?,
            )),
            (group, subfunction) => Ok(UserDataService::Other { group, subfunction }),
        }
    }

    /// The SZL id, index and payload of the first part of an SZL answer.
    pub fn szl_first_part(&self) -> Result<(u16, u16, &[u8]), Error> {
        let mut r = Reader::new(&self.item.data, "szl answer data");
        let id = r.u16()?;
        let index = r.u16()?;
        Ok((id, index, r.rest()))
    }

    /// The clock value of a clock read answer.
    pub fn clock(&self) -> Result<S7DateTime, Error> {
        S7DateTime::parse_clock_data(&self.item.data)
    }
}
