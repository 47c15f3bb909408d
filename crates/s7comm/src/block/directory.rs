//! The block directory: userdata group 3 ("block functions").
//!
//! ```text
//! list blocks (subfunction 01):
//!   request:  params 00 01 12 04 11 43 01 00        data 0A 00 00 00
//!   answer:   params 00 01 12 08 12 83 01 00 00 00 EE EE
//!             data   FF 09 00 1C | 7 x (30 T COUNT(2))      T: 38 41 42 43 44 45 46
//! list blocks of a type (subfunction 02):
//!   request:  params 00 01 12 04 11 43 02 00        data FF 09 00 02 30 T
//!   answer:   params 00 01 12 08 12 83 02 SEQ DURN LAST EE EE
//!             data   FF 09 LEN | n x (NUMBER(2) FLAGS LANG)
//!   follow-up while LAST is 01:
//!             params 00 01 12 08 12 43 02 SEQ 00 00 00 00  data 0A 00 00 00
//! block info (subfunction 03):
//!   request:  params 00 01 12 04 11 43 03 00        data FF 09 00 08 30 T NNNNN A
//!   answer:   data FF 09 00 4E | 78 bytes (see super::format::BlockInfo)
//! errors:     data 0A 00 00 00 with EE EE the error (D2 09 block not found, ...)
//! ```

use alloc::vec::Vec;

use super::{BlockId, BlockType};
use crate::cursor::{put_u16, Reader};
use crate::userdata::{
    UserData, UserDataItem, UserDataParams, KIND_REQUEST, METHOD_REQUEST, METHOD_RESPONSE,
};
use crate::{Continuation, Error};

/// Function group of the block functions.
pub const GROUP_BLOCK: u8 = 0x3;
/// Subfunction: list blocks (count per type).
pub const SUBFUNCTION_LIST_ALL: u8 = 0x01;
/// Subfunction: list blocks of a type.
pub const SUBFUNCTION_LIST_OF_TYPE: u8 = 0x02;
/// Subfunction: block info.
pub const SUBFUNCTION_BLOCK_INFO: u8 = 0x03;
/// The `'0'` before a type letter.
pub const TYPE_PREFIX: u8 = 0x30;

/// A group 3 request with 8-byte parameters.
fn request(method: u8, group: u8, subfunction: u8, sequence: u8, item: UserDataItem) -> UserData {
    UserData {
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

/// What a block-function request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockRequest {
    /// Count the blocks of each type.
    ListAll,
    /// List the blocks of a type.
    ListOfType(BlockType),
    /// Continue a multi-part list of a type.
    ListFollowUp {
        /// Sequence number of the answer being continued.
        sequence: u8,
    },
    /// Block info of one block.
    Info(BlockId),
}

impl BlockRequest {
    /// Classifies a group 3 request; `None` for another group or subfunction.
    pub fn parse(request: &UserData) -> Option<Result<Self, Error>> {
        let p = &request.params;
        if p.group != GROUP_BLOCK {
            return None;
        }
        let data = request.item.data.as_slice();
        Some(match p.subfunction {
            SUBFUNCTION_LIST_ALL => Ok(Self::ListAll),
            SUBFUNCTION_LIST_OF_TYPE if p.continuation.is_some() && p.sequence != 0 => {
                Ok(Self::ListFollowUp {
                    sequence: p.sequence,
                })
            }
            SUBFUNCTION_LIST_OF_TYPE => {
                let mut r = Reader::new(data, "list blocks of type data");
                r.expect_u8(TYPE_PREFIX, "block type prefix")
                    .and_then(|()| r.u8())
                    .and_then(|letter| {
                        r.clone().finish()?;
                        BlockType::from_letter(letter).ok_or(Error::InvalidValue {
                            what: "block type letter",
                            value: u32::from(letter),
                        })
                    })
                    .map(Self::ListOfType)
            }
            SUBFUNCTION_BLOCK_INFO => BlockId::parse(data).map(Self::Info),
            _ => return None,
        })
    }

    /// The request PDU body for this service (a follow-up with the 12-byte parameters).
    pub fn to_userdata(&self) -> Result<UserData, Error> {
        Ok(match self {
            Self::ListAll => request(
                METHOD_REQUEST,
                GROUP_BLOCK,
                SUBFUNCTION_LIST_ALL,
                0,
                UserDataItem::empty(),
            ),
            Self::ListOfType(t) => request(
                METHOD_REQUEST,
                GROUP_BLOCK,
                SUBFUNCTION_LIST_OF_TYPE,
                0,
                UserDataItem::octets(alloc::vec![TYPE_PREFIX, t.letter()]),
            ),
            Self::ListFollowUp { sequence } => {
                let mut ud = request(
                    METHOD_RESPONSE,
                    GROUP_BLOCK,
                    SUBFUNCTION_LIST_OF_TYPE,
                    *sequence,
                    UserDataItem::empty(),
                );
                ud.params.continuation = Some(Continuation::default());
                ud
            }
            Self::Info(id) => {
                let mut data = Vec::with_capacity(BlockId::LEN);
                id.emit(&mut data)?;
                request(
                    METHOD_REQUEST,
                    GROUP_BLOCK,
                    SUBFUNCTION_BLOCK_INFO,
                    0,
                    UserDataItem::octets(data),
                )
            }
        })
    }
}

/// One entry of a list blocks answer: `30 T COUNT(2)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockCount {
    /// Block type.
    pub block_type: BlockType,
    /// How many blocks of it there are.
    pub count: u16,
}

impl BlockCount {
    /// Encoded length of one entry.
    pub const LEN: usize = 4;

    /// Appends the entry.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[TYPE_PREFIX, self.block_type.letter()]);
        put_u16(out, self.count);
    }

    /// Decodes a list blocks payload (entries of unknown types are refused).
    pub fn parse_all(payload: &[u8]) -> Result<Vec<Self>, Error> {
        if payload.len() % Self::LEN != 0 {
            return Err(Error::TrailingBytes {
                what: "list blocks answer",
                trailing: payload.len() % Self::LEN,
            });
        }
        payload
            .chunks(Self::LEN)
            .map(|entry| {
                let mut r = Reader::new(entry, "list blocks entry");
                r.expect_u8(TYPE_PREFIX, "block type prefix")?;
                let letter = r.u8()?;
                let block_type = BlockType::from_letter(letter).ok_or(Error::InvalidValue {
                    what: "block type letter",
                    value: u32::from(letter),
                })?;
                Ok(Self {
                    block_type,
                    count: r.u16()?,
                })
            })
            .collect()
    }
}

/// One entry of a list blocks of type answer: `NUMBER(2) FLAGS LANG`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockEntry {
    /// Block number.
    pub number: u16,
    /// Block flags.
    pub flags: u8,
    /// Language.
    pub language: u8,
}

impl BlockEntry {
    /// Encoded length of one entry.
    pub const LEN: usize = 4;

    /// Appends the entry.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_u16(out, self.number);
        out.extend_from_slice(&[self.flags, self.language]);
    }

    /// Decodes the joined payload of all parts.
    pub fn parse_all(payload: &[u8]) -> Result<Vec<Self>, Error> {
        if payload.len() % Self::LEN != 0 {
            return Err(Error::TrailingBytes {
                what: "list blocks of type answer",
                trailing: payload.len() % Self::LEN,
            });
        }
        payload
            .chunks(Self::LEN)
            .map(|entry| {
                let mut r = Reader::new(entry, "list blocks of type entry");
                Ok(Self {
                    number: r.u16()?,
                    flags: r.u8()?,
                    language: r.u8()?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::FS_ACTIVE;
    use crate::{Request, RequestPdu};
    use alloc::vec;

    fn classify(bytes: &[u8]) -> BlockRequest {
        let Request::UserData(ud) = RequestPdu::parse(bytes).unwrap().request else {
            panic!("not userdata")
        };
        BlockRequest::parse(&ud).unwrap().unwrap()
    }

    #[test]
    fn snap7_requests() {
        // python-snap7 3.3.0 list_blocks.
        let list = [
            0x32, 0x07, 0, 0, 0, 1, 0, 8, 0, 4, 0x00, 0x01, 0x12, 0x04, 0x11, 0x43, 0x01, 0x00,
            0x0A, 0x00, 0x00, 0x00,
        ];
        assert_eq!(classify(&list), BlockRequest::ListAll);
        let pdu = RequestPdu::new(
            1,
            Request::UserData(BlockRequest::ListAll.to_userdata().unwrap()),
        );
        assert_eq!(pdu.to_bytes().unwrap(), list);
        let of_type = [
            0x32, 0x07, 0, 0, 0, 2, 0, 8, 0, 6, 0x00, 0x01, 0x12, 0x04, 0x11, 0x43, 0x02, 0x00,
            0xFF, 0x09, 0x00, 0x02, 0x30, 0x41,
        ];
        assert_eq!(classify(&of_type), BlockRequest::ListOfType(BlockType::Db));
        let follow = [
            0x32, 0x07, 0, 0, 0, 3, 0, 12, 0, 4, 0x00, 0x01, 0x12, 0x08, 0x12, 0x43, 0x02, 0x05,
            0x00, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            classify(&follow),
            BlockRequest::ListFollowUp { sequence: 5 }
        );
        let pdu = RequestPdu::new(
            3,
            Request::UserData(
                BlockRequest::ListFollowUp { sequence: 5 }
                    .to_userdata()
                    .unwrap(),
            ),
        );
        assert_eq!(pdu.to_bytes().unwrap(), follow);
        let info = [
            0x32, 0x07, 0, 0, 0, 4, 0, 8, 0, 12, 0x00, 0x01, 0x12, 0x04, 0x11, 0x43, 0x03, 0x00,
            0xFF, 0x09, 0x00, 0x08, b'0', b'8', b'0', b'0', b'0', b'0', b'1', b'A',
        ];
        let id = BlockId {
            block_type: BlockType::Ob,
            number: 1,
            file_system: FS_ACTIVE,
        };
        assert_eq!(classify(&info), BlockRequest::Info(id));
        let pdu = RequestPdu::new(
            4,
            Request::UserData(BlockRequest::Info(id).to_userdata().unwrap()),
        );
        assert_eq!(pdu.to_bytes().unwrap(), info);
    }

    #[test]
    fn entries_round_trip() {
        let mut out = vec![];
        for t in BlockType::ALL {
            BlockCount {
                block_type: t,
                count: 2,
            }
            .emit(&mut out);
        }
        assert_eq!(out.len(), 28);
        assert_eq!(&out[..4], &[0x30, 0x38, 0, 2]);
        assert_eq!(BlockCount::parse_all(&out).unwrap().len(), 7);
        assert!(BlockCount::parse_all(&out[..27]).is_err());
        let mut out = vec![];
        BlockEntry {
            number: 100,
            flags: 0x01,
            language: 0x05,
        }
        .emit(&mut out);
        assert_eq!(out, [0, 100, 1, 5]);
        assert_eq!(BlockEntry::parse_all(&out).unwrap()[0].number, 100);
    }
}
