//! Data items: the per-item payload of read answers and write requests.
//!
//! ```text
//! +----+----+-----------+----------------------+------+
//! | RC | TS |  LEN (2)  | data (LEN bytes, or  | fill |  fill byte 00 only when the data
//! |    |    |           | LEN/8 for TS 04/05)  | (00) |  length is odd and another item follows
//! +----+----+-----------+----------------------+------+
//! ```
//!
//! In read answers RC is the item's [`ReturnCode`]; an item that failed is just
//! `RC 00 00 00`. In write requests RC is `00`. A failed item carries no data whatever its
//! LEN says (see [`carries_data`]): snap7's server answers a missing data block with
//! `0A 00 LEN` where LEN is the requested length, and no data bytes. See [`super::transport_size`] for the LEN
//! rule.

use super::cursor::{put_u16, Reader};
use super::return_code::ReturnCode;
use super::transport_size::DataTransportSize;
use alloc::vec::Vec;

use crate::Error;

/// Length of the item head (RC, TS, LEN).
pub const HEAD_LEN: usize = 4;

/// One data item (owned).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataItem {
    /// Return code (`00` in write requests).
    pub return_code: ReturnCode,
    /// How LEN counts.
    pub transport_size: DataTransportSize,
    /// The data bytes.
    pub data: Vec<u8>,
}

impl DataItem {
    /// A successful read answer item.
    pub fn success(transport_size: DataTransportSize, data: Vec<u8>) -> Self {
        Self {
            return_code: ReturnCode::Success,
            transport_size,
            data,
        }
    }

    /// A failed read answer item: `RC 00 0000`.
    pub fn error(return_code: ReturnCode) -> Self {
        Self {
            return_code,
            transport_size: DataTransportSize::Null,
            data: Vec::new(),
        }
    }

    /// Borrowed view of this item.
    pub fn as_view(&self) -> DataItemView<'_> {
        DataItemView {
            return_code: self.return_code,
            transport_size: self.transport_size,
            data: &self.data,
        }
    }

    /// Encoded length including the fill byte when `last` is false and the data is odd.
    pub fn buffer_len(&self, last: bool) -> usize {
        self.as_view().buffer_len(last)
    }

    /// Appends the item (and its fill byte unless `last`).
    pub fn emit(&self, out: &mut Vec<u8>, last: bool) -> Result<(), Error> {
        self.as_view().emit(out, last)
    }
}

/// One data item borrowed from a PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataItemView<'a> {
    /// Return code.
    pub return_code: ReturnCode,
    /// How LEN counts.
    pub transport_size: DataTransportSize,
    /// The data bytes.
    pub data: &'a [u8],
}

impl<'a> DataItemView<'a> {
    /// Decodes one item from `r`; when `last` is false an odd-length item's fill byte is
    /// consumed too (a missing fill byte at the very end is tolerated).
    ///
    /// An item whose return code is an error ([`carries_data`]) has no data, whatever its
    /// length field says: snap7's server answers a missing data block with
    /// `0A 00 LEN` where LEN is the length requested, and sends no data bytes.
    pub(crate) fn read(r: &mut Reader<'a>, last: bool) -> Result<Self, Error> {
        let return_code = ReturnCode::from_u8(r.u8()?);
        let transport_size = DataTransportSize::from_u8(r.u8()?);
        let wire_len = r.u16()?;
        let len = if carries_data(return_code) {
            transport_size.byte_len(wire_len)
        } else {
            0
        };
        let data = r.bytes(len)?;
        if !last && len % 2 == 1 && r.remaining() > 0 {
            r.u8()?;
        }
        Ok(Self {
            return_code,
            transport_size,
            data,
        })
    }

    /// Copies into an owned [`DataItem`].
    pub fn to_owned_item(&self) -> DataItem {
        DataItem {
            return_code: self.return_code,
            transport_size: self.transport_size,
            data: self.data.to_vec(),
        }
    }

    /// Encoded length including the fill byte when `last` is false and the data is odd.
    pub fn buffer_len(&self, last: bool) -> usize {
        let fill = usize::from(!last && self.data.len() % 2 == 1);
        HEAD_LEN
            .saturating_add(self.data.len())
            .saturating_add(fill)
    }

    /// Appends the item (and its fill byte unless `last`).
    pub fn emit(&self, out: &mut Vec<u8>, last: bool) -> Result<(), Error> {
        let len = self.transport_size.wire_len(self.data.len())?;
        out.push(self.return_code.to_u8());
        out.push(self.transport_size.to_u8());
        put_u16(out, len);
        out.extend_from_slice(self.data);
        if !last && self.data.len() % 2 == 1 {
            out.push(0);
        }
        Ok(())
    }
}

/// Whether an item with this return code carries data: success (`FF`, read answers) and
/// reserved (`00`, the return code of write request items) do; every error code does not.
pub fn carries_data(return_code: ReturnCode) -> bool {
    matches!(return_code, ReturnCode::Success | ReturnCode::Reserved)
}

/// Iterator over the data items of a data section (no allocation).
///
/// Yields `Err` once and then stops if the section is malformed.
#[derive(Debug, Clone)]
pub struct DataItemIter<'a> {
    reader: Reader<'a>,
    left: usize,
    failed: bool,
}

impl<'a> DataItemIter<'a> {
    /// Iterates `count` items in `data`.
    pub fn new(data: &'a [u8], count: usize) -> Self {
        Self {
            reader: Reader::new(data, "data item"),
            left: count,
            failed: false,
        }
    }
}

impl<'a> Iterator for DataItemIter<'a> {
    type Item = Result<DataItemView<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 || self.failed {
            return None;
        }
        self.left = self.left.saturating_sub(1);
        let item = DataItemView::read(&mut self.reader, self.left == 0);
        self.failed = item.is_err();
        Some(item)
    }
}

/// Checks that `data` holds exactly `count` data items (a trailing fill byte after the last
/// one is tolerated).
pub(crate) fn check_data_items(data: &[u8], count: usize) -> Result<(), Error> {
    let mut r = Reader::new(data, "data item");
    let mut left = count;
    while left > 0 {
        left = left.saturating_sub(1);
        let item = DataItemView::read(&mut r, left == 0)?;
        if left == 0 && item.data.len() % 2 == 1 && r.remaining() == 1 {
            r.u8()?;
        }
    }
    r.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn a_failed_item_carries_no_data_whatever_its_length_says() {
        // snap7's server: DB missing, RC 0A, TS 00, LEN = the 8 bytes requested, no data.
        let bytes = [0x0A, 0x00, 0x00, 0x08];
        let mut items = DataItemIter::new(&bytes, 1);
        let item = items.next().unwrap().unwrap();
        assert_eq!(item.return_code, ReturnCode::ObjectDoesNotExist);
        assert_eq!(item.transport_size, DataTransportSize::Null);
        assert!(item.data.is_empty());
        assert!(items.next().is_none());
        check_data_items(&bytes, 1).unwrap();
    }

    #[test]
    fn a_failed_item_between_two_good_ones() {
        let bytes = [
            0xFF, 0x04, 0x00, 0x18, 1, 2, 3, 0x00, // ok, 3 bytes, fill byte
            0x0A, 0x00, 0x00, 0x20, // missing DB, LEN 0x20 (the requested length), no data
            0xFF, 0x04, 0x00, 0x10, 4, 5, // ok, 2 bytes
        ];
        check_data_items(&bytes, 3).unwrap();
        let items: Vec<_> = DataItemIter::new(&bytes, 3)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(items[0].data, [1, 2, 3]);
        assert_eq!(items[1].return_code, ReturnCode::ObjectDoesNotExist);
        assert!(items[1].data.is_empty());
        assert_eq!(items[2].data, [4, 5]);
    }

    #[test]
    fn write_request_items_keep_their_data() {
        // RC 00 in write requests carries data.
        let bytes = [0x00, 0x04, 0x00, 0x10, 7, 8];
        let item = DataItemIter::new(&bytes, 1).next().unwrap().unwrap();
        assert_eq!(item.data, [7, 8]);
    }
}
