//! Read var (function `04`): many items in one request.
//!
//! Request (job), parameters only:
//!
//! ```text
//! +------+-------+------------------+------------------+-----
//! | 0x04 | count | item address 1   | item address 2   | ...   (12 bytes each)
//! +------+-------+------------------+------------------+-----
//! ```
//!
//! Answer (ack-data): parameters `04 count`, then `count` [data items](super::data_item),
//! each padded to even length except the last:
//!
//! ```text
//! params: | 0x04 | count |
//! data:   | RC TS LEN data [fill] | RC TS LEN data [fill] | ... | RC TS LEN data |
//! ```
//!
//! [`ReadVarRequestView`] reads a request in place, without allocating; [`ReadVarRequest`]
//! and [`ReadVarResponse`] are the owned forms.

use super::cursor::{wire_u8, Reader};
use super::data_item::{check_data_items, DataItem, DataItemIter, Section};
use super::item_address::{check_items, ItemAddress, ItemIter};
use alloc::vec::Vec;

use crate::Error;

/// Function code of read var.
pub const FUNCTION: u8 = 0x04;

/// A read var request's parameters, borrowed and validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadVarRequestView<'a> {
    items: &'a [u8],
    count: u8,
    without_count: bool,
}

impl<'a> ReadVarRequestView<'a> {
    /// Validates a parameter section: function `04`, item count, that many well-formed
    /// 12-byte addresses and nothing else.
    ///
    /// A section of just `04` (no count byte, as python-snap7 3.3.0's `get_cpu_state`
    /// sends) reads as zero items.
    #[inline]
    pub fn new(params: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "read var parameters");
        r.expect_u8(FUNCTION, "read var function")?;
        if r.remaining() == 0 {
            return Ok(Self {
                items: &[],
                count: 0,
                without_count: true,
            });
        }
        let count = r.u8()?;
        let items = r.rest();
        check_items(items, count, "read var item list")?;
        Ok(Self {
            items,
            count,
            without_count: false,
        })
    }

    /// Whether the section stops after the function code, with no item count byte.
    pub fn without_count(&self) -> bool {
        self.without_count
    }

    /// Number of items.
    #[inline]
    pub fn count(&self) -> u8 {
        self.count
    }

    /// The item addresses.
    #[inline]
    pub fn items(&self) -> ItemIter<'a> {
        ItemIter::new(self.items)
    }

    /// Copies into an owned [`ReadVarRequest`].
    pub fn to_owned_request(&self) -> ReadVarRequest {
        ReadVarRequest {
            items: self.items().collect(),
            without_count: self.without_count,
        }
    }
}

/// A read var request (owned).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReadVarRequest {
    /// The items to read.
    pub items: Vec<ItemAddress>,
    /// The parameters stop after the function code, with no item count byte: the probe
    /// python-snap7 3.3.0's `get_cpu_state` sends. Only possible with no items.
    ///
    /// Kept rather than refused because a real client sends it, and kept rather than
    /// normalised to `04 00` so that the request encodes back to the single byte it came
    /// from. `false` (the default) encodes the count.
    pub without_count: bool,
}

impl ReadVarRequest {
    /// Decodes the parameter section.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        Ok(ReadVarRequestView::new(params)?.to_owned_request())
    }

    /// A request for `items`, with its item count.
    pub fn new(items: Vec<ItemAddress>) -> Self {
        Self {
            items,
            without_count: false,
        }
    }

    /// Encoded parameter length.
    pub fn buffer_len(&self) -> usize {
        if self.without_count && self.items.is_empty() {
            return 1;
        }
        self.items
            .len()
            .saturating_mul(ItemAddress::LEN)
            .saturating_add(2)
    }

    /// Appends the parameter section.
    ///
    /// Fails if [`without_count`](Self::without_count) is set with items to read.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.without_count {
            if !self.items.is_empty() {
                return Err(Error::InvalidValue {
                    what: "read var item count omitted with items",
                    value: u32::try_from(self.items.len()).unwrap_or(u32::MAX),
                });
            }
            out.push(FUNCTION);
            return Ok(());
        }
        out.push(FUNCTION);
        out.push(wire_u8(self.items.len(), "read var item count")?);
        for item in &self.items {
            item.emit(out)?;
        }
        Ok(())
    }
}

/// A read var answer (owned): one data item per requested item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReadVarResponse {
    /// The data items, in request order.
    pub items: Vec<DataItem>,
}

impl ReadVarResponse {
    /// Decodes the parameter (`04 count`) and data sections.
    pub fn parse(params: &[u8], data: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "read var answer parameters");
        r.expect_u8(FUNCTION, "read var function")?;
        let count = usize::from(r.u8()?);
        r.finish()?;
        check_data_items(data, count, Section::Answer)?;
        let items = DataItemIter::new(data, count)
            .map(|item| item.map(|view| view.to_owned_item()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { items })
    }

    /// Encoded parameter length (always 2).
    pub fn param_len(&self) -> usize {
        2
    }

    /// Encoded data length.
    pub fn data_len(&self) -> usize {
        let last = self.items.len().saturating_sub(1);
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| item.buffer_len(i == last))
            .fold(0usize, usize::saturating_add)
    }

    /// Appends the parameter section.
    pub fn emit_params(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.push(FUNCTION);
        out.push(wire_u8(self.items.len(), "read var item count")?);
        Ok(())
    }

    /// Appends the data section.
    pub fn emit_data(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let last = self.items.len().saturating_sub(1);
        for (i, item) in self.items.iter().enumerate() {
            item.emit(out, i == last)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::{DataTransportSize, Response, ResponsePdu, ReturnCode};

    /// snap7's C server answering a one-item read of a data block that does not exist:
    /// RC 0A, TS 00, LEN = the 4 requested bytes (in bits, 0x0020), and no data.
    #[test]
    fn snap7_missing_db_answer_decodes_as_a_failed_item() {
        let params = [0x04, 0x01];
        let data = [0x0A, 0x00, 0x00, 0x20];
        let answer = ReadVarResponse::parse(&params, &data).unwrap();
        assert_eq!(answer.items.len(), 1);
        assert_eq!(answer.items[0].return_code, ReturnCode::ObjectDoesNotExist);
        assert_eq!(answer.items[0].transport_size, DataTransportSize::Null);
        assert!(answer.items[0].data.is_empty());

        let pdu = [
            0x32, 0x03, 0x00, 0x00, 0x00, 0x05, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x04, 0x01,
            0x0A, 0x00, 0x00, 0x20,
        ];
        let Response::ReadVar(read) = ResponsePdu::parse(&pdu).unwrap().response else {
            panic!("not a read answer");
        };
        assert_eq!(read.items, answer.items);
    }

    /// Three items: ok (DB1, 3 bytes, padded), missing (DB9, snap7 style), ok (DB2, 4 bytes).
    #[test]
    fn snap7_multi_item_answer_with_a_missing_db_in_the_middle() {
        let params = [0x04, 0x03];
        let data = [
            0xFF, 0x04, 0x00, 0x18, 0x11, 0x22, 0x33, 0x00, //
            0x0A, 0x00, 0x00, 0x40, //
            0xFF, 0x04, 0x00, 0x20, 0x44, 0x55, 0x66, 0x77,
        ];
        let answer = ReadVarResponse::parse(&params, &data).unwrap();
        let codes: Vec<_> = answer.items.iter().map(|i| i.return_code).collect();
        assert_eq!(
            codes,
            [
                ReturnCode::Success,
                ReturnCode::ObjectDoesNotExist,
                ReturnCode::Success
            ]
        );
        assert_eq!(answer.items[0].data, [0x11, 0x22, 0x33]);
        assert!(answer.items[1].data.is_empty());
        assert_eq!(answer.items[2].data, [0x44, 0x55, 0x66, 0x77]);
        // The borrowed iterator agrees.
        let views: Vec<_> = DataItemIter::new(&data, 3)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(views.len(), 3);
        assert!(views[1].data.is_empty());
        assert_eq!(views[2].data, [0x44, 0x55, 0x66, 0x77]);
        // Emitting gives the same bytes: the failed item keeps the length it echoed.
        assert_eq!(answer.items[1].wire_len, Some(0x40));
        let mut out = Vec::new();
        answer.emit_data(&mut out).unwrap();
        assert_eq!(out, data);
    }
}
