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
//! `RC 00 00 00`. A failed answer item carries no data whatever its LEN says (see
//! [`carries_data`]): snap7's server answers a missing data block with `0A 00 LEN` where LEN
//! is the requested length, and no data bytes. In write requests RC is reserved (`00`) and
//! every item carries its data. See [`super::transport_size`] for the LEN rule.
//!
//! For exact round trips an item keeps a LEN that is not the one its data implies (bit
//! counts that are not whole bytes, the echoed length of a failed answer item) and a fill
//! byte that is not the canonical one (a non-`00` fill, a fill after the last item).

use super::cursor::{put_u16, Reader};
use super::return_code::ReturnCode;
use super::transport_size::DataTransportSize;
use alloc::vec::Vec;

use crate::Error;

/// Length of the item head (RC, TS, LEN).
pub const HEAD_LEN: usize = 4;

/// Which section a data item is in; it decides whether an error return code means "no
/// data".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    /// A read var answer: an item with an error return code carries no data.
    Answer,
    /// A write var request: the first byte is reserved (`00`) and every item carries its
    /// data, whatever that byte holds.
    Request,
}

/// One data item (owned).
///
/// Besides the values, it keeps what a peer may send differently from how this crate
/// encodes, so that a decoded item encodes back to exactly the bytes it came from:
/// [`wire_len`](Self::wire_len) and [`fill`](Self::fill). Both are `None` in items built
/// with the constructors, which then encode canonically.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataItem {
    /// Return code (`00` in write requests).
    pub return_code: ReturnCode,
    /// How LEN counts.
    pub transport_size: DataTransportSize,
    /// The data bytes.
    pub data: Vec<u8>,
    /// The LEN field as received, when it is not the one `data` implies (see
    /// [`DataItemView::wire_len`]); `None` encodes the implied LEN.
    pub wire_len: Option<u16>,
    /// A fill byte other than the canonical padding (see [`DataItemView::fill`]); `None`
    /// encodes the canonical padding.
    pub fill: Option<u8>,
}

impl DataItem {
    /// A successful read answer item.
    pub fn success(transport_size: DataTransportSize, data: Vec<u8>) -> Self {
        Self {
            return_code: ReturnCode::Success,
            transport_size,
            data,
            wire_len: None,
            fill: None,
        }
    }

    /// A failed read answer item: `RC 00 0000`.
    pub fn error(return_code: ReturnCode) -> Self {
        Self {
            return_code,
            transport_size: DataTransportSize::Null,
            data: Vec::new(),
            wire_len: None,
            fill: None,
        }
    }

    /// Borrowed view of this item.
    pub fn as_view(&self) -> DataItemView<'_> {
        DataItemView {
            return_code: self.return_code,
            transport_size: self.transport_size,
            data: &self.data,
            wire_len: self.wire_len,
            fill: self.fill,
        }
    }

    /// Encoded length including the fill byte: after odd-length data unless `last`, or
    /// when [`fill`](Self::fill) keeps one after the last item.
    #[inline]
    pub fn buffer_len(&self, last: bool) -> usize {
        self.as_view().buffer_len(last)
    }

    /// Appends the item and its fill byte (see [`DataItem::buffer_len`]).
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
    /// The LEN field as received, when it is not the one `data` implies (`data.len()`, or
    /// `data.len() * 8` for the bit-counted transport sizes `04` and `05`); `None` encodes
    /// the implied LEN.
    ///
    /// Kept, not refused, because peers send both cases: a bit count that is not a multiple
    /// of 8 (a CPU answering a bit-sized read with TS `04`; the data is the bytes the bits
    /// occupy), and the requested length that snap7's server echoes in a failed answer item
    /// which carries no data. A kept LEN must agree with `data`: when `data` is not empty,
    /// it must stand for exactly `data.len()` bytes, or encoding fails.
    pub wire_len: Option<u16>,
    /// A fill byte other than the canonical padding: after odd-length data that is not the
    /// last item, a fill byte other than `00`; after the last item (odd length), the fill
    /// byte some peers pad it with too. `None` encodes the canonical padding (`00` between
    /// items, nothing after the last); ignored when the data length is even.
    ///
    /// Kept, not refused: the fill byte has no meaning, and a peer that pads the last item
    /// or pads with another value is still understood.
    pub fill: Option<u8>,
}

impl<'a> DataItemView<'a> {
    /// Decodes one item from `r`; an odd-length item's fill byte is consumed too: unless
    /// `last`, when there is one (a missing fill byte at the very end is tolerated), and
    /// after the last item when it is the only byte left.
    ///
    /// In an [answer](Section::Answer), an item whose return code is an error
    /// ([`carries_data`]) has no data, whatever its length field says: snap7's server
    /// answers a missing data block with `0A 00 LEN` where LEN is the length requested,
    /// and sends no data bytes. In a [write request](Section::Request) the return code is
    /// reserved and every item carries its data.
    #[inline]
    pub(crate) fn read(r: &mut Reader<'a>, last: bool, section: Section) -> Result<Self, Error> {
        // The head in one step; with fewer bytes than a head, the field-by-field reads say
        // which field is cut off.
        let [code, size, len_hi, len_lo] = match r.try_array::<HEAD_LEN>() {
            Some(head) => head,
            None => {
                let code = r.u8()?;
                let size = r.u8()?;
                let [len_hi, len_lo] = r.array::<2>()?;
                [code, size, len_hi, len_lo]
            }
        };
        let return_code = ReturnCode::from_u8(code);
        let transport_size = DataTransportSize::from_u8(size);
        let wire = u16::from_be_bytes([len_hi, len_lo]);
        let carried = section == Section::Request || carries_data(return_code);
        let len = if carried {
            transport_size.byte_len(wire)
        } else {
            0
        };
        let data = r.bytes(len)?;
        let wire_len = kept_wire_len(transport_size, carried, wire);
        let has_fill = if last {
            r.remaining() == 1
        } else {
            r.remaining() > 0
        };
        let fill = if len % 2 == 1 && has_fill {
            let byte = r.u8()?;
            (last || byte != 0).then_some(byte)
        } else {
            None
        };
        Ok(Self {
            return_code,
            transport_size,
            data,
            wire_len,
            fill,
        })
    }

    /// Copies into an owned [`DataItem`].
    pub fn to_owned_item(&self) -> DataItem {
        DataItem {
            return_code: self.return_code,
            transport_size: self.transport_size,
            data: self.data.to_vec(),
            wire_len: self.wire_len,
            fill: self.fill,
        }
    }

    /// Whether a fill byte follows the data: after odd-length data unless `last`, and after
    /// the last item when [`fill`](Self::fill) keeps one.
    #[inline]
    fn has_fill(&self, last: bool) -> bool {
        self.data.len() % 2 == 1 && (!last || self.fill.is_some())
    }

    /// Encoded length including the fill byte (see [`DataItem::buffer_len`]).
    #[inline]
    pub fn buffer_len(&self, last: bool) -> usize {
        HEAD_LEN
            .saturating_add(self.data.len())
            .saturating_add(usize::from(self.has_fill(last)))
    }

    /// Appends the item and its fill byte (see [`DataItem::buffer_len`]).
    ///
    /// Fails if the data does not fit LEN, or if a kept [`wire_len`](Self::wire_len) does
    /// not stand for the data bytes there are.
    pub fn emit(&self, out: &mut Vec<u8>, last: bool) -> Result<(), Error> {
        let len = match self.wire_len {
            None => self.transport_size.wire_len(self.data.len())?,
            Some(len)
                if self.data.is_empty() || self.transport_size.byte_len(len) == self.data.len() =>
            {
                len
            }
            Some(len) => {
                return Err(Error::InvalidValue {
                    what: "data item length kept for a data item with another data length",
                    value: u32::from(len),
                })
            }
        };
        out.push(self.return_code.to_u8());
        out.push(self.transport_size.to_u8());
        put_u16(out, len);
        out.extend_from_slice(self.data);
        if self.has_fill(last) {
            out.push(self.fill.unwrap_or(0));
        }
        Ok(())
    }
}

/// The LEN to keep for an item read with LEN `wire`: `None` when it is the one
/// [`DataTransportSize::wire_len`] gives for the data read, worked out without encoding it: a
/// byte count is always its own LEN, a bit count only when it is a whole number of bytes
/// (`len * 8`), and an item without data (`carried` false) has LEN 0.
#[inline]
fn kept_wire_len(transport_size: DataTransportSize, carried: bool, wire: u16) -> Option<u16> {
    let implied = if carried {
        !transport_size.counts_bits() || wire % 8 == 0
    } else {
        wire == 0
    };
    (!implied).then_some(wire)
}

/// Whether an answer item with this return code carries data: success (`FF`) and reserved
/// (`00`) do; every error code does not.
///
/// The rule is for read var answers only: in write requests the first byte is reserved and
/// every item carries its data.
#[inline]
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
    section: Section,
    failed: bool,
}

impl<'a> DataItemIter<'a> {
    /// Iterates `count` items of a read var answer's data section, where an item with an
    /// error return code carries no data ([`carries_data`]).
    #[inline]
    pub fn new(data: &'a [u8], count: usize) -> Self {
        Self::in_section(data, count, Section::Answer)
    }

    /// Iterates `count` items of a write var request's data section, where every item
    /// carries its data whatever its (reserved) first byte holds.
    pub fn write_request(data: &'a [u8], count: usize) -> Self {
        Self::in_section(data, count, Section::Request)
    }

    #[inline]
    pub(crate) fn in_section(data: &'a [u8], count: usize, section: Section) -> Self {
        Self {
            reader: Reader::new(data, "data item"),
            left: count,
            section,
            failed: false,
        }
    }
}

impl<'a> Iterator for DataItemIter<'a> {
    type Item = Result<DataItemView<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 || self.failed {
            return None;
        }
        self.left = self.left.saturating_sub(1);
        let item = DataItemView::read(&mut self.reader, self.left == 0, self.section);
        self.failed = item.is_err();
        Some(item)
    }
}

/// Checks that `data` holds exactly `count` data items (and the last one's fill byte, if
/// it has one).
pub(crate) fn check_data_items(data: &[u8], count: usize, section: Section) -> Result<(), Error> {
    let mut items = DataItemIter::in_section(data, count, section);
    for item in items.by_ref() {
        item?;
    }
    items.reader.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use alloc::vec;

    #[test]
    fn the_kept_len_is_the_one_the_encoding_would_not_give() {
        for code in [0x00, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x1F] {
            let size = DataTransportSize::from_u8(code);
            for wire in 0..=u16::MAX {
                for carried in [false, true] {
                    let len = if carried { size.byte_len(wire) } else { 0 };
                    let encoded = size.wire_len(len).ok();
                    let expected = (encoded != Some(wire)).then_some(wire);
                    assert_eq!(
                        kept_wire_len(size, carried, wire),
                        expected,
                        "{code} {wire}"
                    );
                }
            }
        }
    }

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
        check_data_items(&bytes, 1, Section::Answer).unwrap();
    }

    #[test]
    fn a_failed_item_between_two_good_ones() {
        let bytes = [
            0xFF, 0x04, 0x00, 0x18, 1, 2, 3, 0x00, // ok, 3 bytes, fill byte
            0x0A, 0x00, 0x00, 0x20, // missing DB, LEN 0x20 (the requested length), no data
            0xFF, 0x04, 0x00, 0x10, 4, 5, // ok, 2 bytes
        ];
        check_data_items(&bytes, 3, Section::Answer).unwrap();
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
        let item = DataItemIter::write_request(&bytes, 1)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(item.data, [7, 8]);
        // So does any other first byte: in a request it is reserved, not a return code.
        let bytes = [0x0A, 0x04, 0x00, 0x10, 7, 8];
        let item = DataItemIter::write_request(&bytes, 1)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(item.return_code, ReturnCode::ObjectDoesNotExist);
        assert_eq!(item.data, [7, 8]);
        check_data_items(&bytes, 1, Section::Request).unwrap();
        // In an answer the same bytes are a failed item and two stray bytes.
        assert!(check_data_items(&bytes, 1, Section::Answer).is_err());
    }

    fn round_trip(bytes: &[u8], count: usize) -> Vec<DataItemView<'_>> {
        check_data_items(bytes, count, Section::Answer).unwrap();
        let items: Vec<_> = DataItemIter::new(bytes, count)
            .collect::<Result<_, _>>()
            .unwrap();
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            item.emit(&mut out, Some(i) == count.checked_sub(1))
                .unwrap();
        }
        assert_eq!(out, bytes);
        items
    }

    #[test]
    fn kept_fields_give_exact_round_trips() {
        // snap7's failed item echoing the requested length.
        let items = round_trip(&[0x0A, 0x00, 0x00, 0x20], 1);
        assert_eq!(items[0].wire_len, Some(0x20));
        // 3 bits in one byte.
        let items = round_trip(&[0xFF, 0x04, 0x00, 0x03, 0xAA], 1);
        assert_eq!(items[0].wire_len, Some(3));
        // A fill byte 77 between items, and one after the last item.
        let items = round_trip(
            &[
                0xFF, 0x04, 0x00, 0x08, 0xAA, 0x77, 0xFF, 0x09, 0x00, 0x01, 0xBB, 0x00,
            ],
            2,
        );
        assert_eq!(items[0].fill, Some(0x77));
        assert_eq!(items[1].fill, Some(0x00));
        // The canonical forms keep nothing.
        let items = round_trip(
            &[
                0xFF, 0x04, 0x00, 0x08, 0xAA, 0x00, 0xFF, 0x09, 0x00, 0x01, 0xBB,
            ],
            2,
        );
        assert_eq!((items[0].wire_len, items[0].fill), (None, None));
        assert_eq!((items[1].wire_len, items[1].fill), (None, None));
    }

    #[test]
    fn a_kept_length_must_fit_the_data() {
        let item = DataItem {
            wire_len: Some(0x20),
            ..DataItem::success(DataTransportSize::Byte, vec![1])
        };
        assert!(item.emit(&mut Vec::new(), true).is_err());
    }
}
