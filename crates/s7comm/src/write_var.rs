//! Write var (function `05`): many items in one request.
//!
//! Request (job):
//!
//! ```text
//! params: | 0x05 | count | item address 1 | ... | item address n |   (12 bytes each)
//! data:   | 00 TS LEN data [fill] | ... | 00 TS LEN data |            (one data item per
//!                                                                        address, in order)
//! ```
//!
//! Answer (ack-data): parameters `05 count`, data one [`ReturnCode`] byte per item, no
//! padding:
//!
//! ```text
//! params: | 0x05 | count |
//! data:   | RC 1 | RC 2 | ... | RC n |
//! ```

use super::cursor::{wire_u8, Reader};
use super::data_item::{check_data_items, DataItemIter, DataItemView, Section};
use super::item_address::{check_items, ItemAddress, ItemIter};
use super::return_code::ReturnCode;
use super::transport_size::DataTransportSize;
use alloc::vec::Vec;

use crate::Error;

/// Function code of write var.
pub const FUNCTION: u8 = 0x05;

/// One item of a write request (owned).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WriteItem {
    /// Where to write.
    pub address: ItemAddress,
    /// How the data item's LEN counts.
    pub transport_size: DataTransportSize,
    /// The bytes to write (for a bit: one byte, `00` or `01`).
    pub data: Vec<u8>,
    /// The data item's first byte, reserved in requests (`00`; a return code in answers).
    ///
    /// Kept so a request encodes back to its bytes; it means nothing, so any value is
    /// accepted (the item carries its data whatever it holds).
    pub reserved: u8,
    /// The data item's LEN as received when it is not the one `data` implies, as in
    /// [`DataItem::wire_len`](crate::DataItem::wire_len); `None` encodes the implied LEN.
    pub wire_len: Option<u16>,
    /// A fill byte other than the canonical padding, as in
    /// [`DataItem::fill`](crate::DataItem::fill); `None` encodes the canonical padding.
    pub fill: Option<u8>,
}

impl WriteItem {
    /// An item writing `data` to `address`, with the data transport size a client uses for
    /// the address's element type (octet string for unknown types).
    pub fn new(address: ItemAddress, data: Vec<u8>) -> Self {
        let transport_size = address
            .transport_size
            .data_transport_size()
            .unwrap_or(DataTransportSize::OctetString);
        Self::with_transport_size(address, transport_size, data)
    }

    /// An item writing `data` to `address` with the given data transport size.
    pub fn with_transport_size(
        address: ItemAddress,
        transport_size: DataTransportSize,
        data: Vec<u8>,
    ) -> Self {
        Self {
            address,
            transport_size,
            data,
            reserved: 0,
            wire_len: None,
            fill: None,
        }
    }

    fn data_view(&self) -> DataItemView<'_> {
        DataItemView {
            return_code: ReturnCode::from_u8(self.reserved),
            transport_size: self.transport_size,
            data: &self.data,
            wire_len: self.wire_len,
            fill: self.fill,
        }
    }
}

/// A write var request, borrowed and validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteVarRequestView<'a> {
    items: &'a [u8],
    data: &'a [u8],
    count: u8,
}

impl<'a> WriteVarRequestView<'a> {
    /// Validates the parameter and data sections: function `05`, item count, that many
    /// addresses and that many data items.
    pub fn new(params: &'a [u8], data: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "write var parameters");
        r.expect_u8(FUNCTION, "write var function")?;
        let count = r.u8()?;
        let items = r.rest();
        check_items(items, count, "write var item list")?;
        check_data_items(data, usize::from(count), Section::Request)?;
        Ok(Self { items, data, count })
    }

    /// Number of items.
    pub fn count(&self) -> u8 {
        self.count
    }

    /// The item addresses.
    pub fn addresses(&self) -> ItemIter<'a> {
        ItemIter::new(self.items)
    }

    /// The items: each address with its data. Every data item carries its data; its
    /// `return_code` is the reserved first byte as sent.
    pub fn items(&self) -> impl Iterator<Item = (ItemAddress, DataItemView<'a>)> + 'a {
        // Both sections were validated in `new`, so every data item decodes.
        self.addresses().zip(
            DataItemIter::write_request(self.data, usize::from(self.count)).filter_map(Result::ok),
        )
    }

    /// Copies into an owned [`WriteVarRequest`].
    pub fn to_owned_request(&self) -> WriteVarRequest {
        WriteVarRequest {
            items: self
                .items()
                .map(|(address, data)| WriteItem {
                    address,
                    transport_size: data.transport_size,
                    data: data.data.to_vec(),
                    reserved: data.return_code.to_u8(),
                    wire_len: data.wire_len,
                    fill: data.fill,
                })
                .collect(),
        }
    }
}

/// A write var request (owned).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct WriteVarRequest {
    /// The items to write.
    pub items: Vec<WriteItem>,
}

impl WriteVarRequest {
    /// Decodes the parameter and data sections.
    pub fn parse(params: &[u8], data: &[u8]) -> Result<Self, Error> {
        Ok(WriteVarRequestView::new(params, data)?.to_owned_request())
    }

    /// Encoded parameter length.
    pub fn param_len(&self) -> usize {
        self.items
            .len()
            .saturating_mul(ItemAddress::LEN)
            .saturating_add(2)
    }

    /// Encoded data length.
    pub fn data_len(&self) -> usize {
        let last = self.items.len().saturating_sub(1);
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| item.data_view().buffer_len(i == last))
            .fold(0usize, usize::saturating_add)
    }

    /// Appends the parameter section.
    pub fn emit_params(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.push(FUNCTION);
        out.push(wire_u8(self.items.len(), "write var item count")?);
        for item in &self.items {
            item.address.emit(out)?;
        }
        Ok(())
    }

    /// Appends the data section.
    pub fn emit_data(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let last = self.items.len().saturating_sub(1);
        for (i, item) in self.items.iter().enumerate() {
            item.data_view().emit(out, i == last)?;
        }
        Ok(())
    }
}

/// A write var answer (owned): one return code per item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct WriteVarResponse {
    /// The per-item results, in request order.
    pub return_codes: Vec<ReturnCode>,
}

impl WriteVarResponse {
    /// Decodes the parameter (`05 count`) and data sections.
    pub fn parse(params: &[u8], data: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "write var answer parameters");
        r.expect_u8(FUNCTION, "write var function")?;
        let count = usize::from(r.u8()?);
        r.finish()?;
        let mut d = Reader::new(data, "write var answer data");
        let codes = d.bytes(count)?;
        d.finish()?;
        Ok(Self {
            return_codes: codes.iter().copied().map(ReturnCode::from_u8).collect(),
        })
    }

    /// Encoded parameter length (always 2).
    pub fn param_len(&self) -> usize {
        2
    }

    /// Encoded data length.
    pub fn data_len(&self) -> usize {
        self.return_codes.len()
    }

    /// Appends the parameter section.
    pub fn emit_params(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.push(FUNCTION);
        out.push(wire_u8(self.return_codes.len(), "write var item count")?);
        Ok(())
    }

    /// Appends the data section.
    pub fn emit_data(&self, out: &mut Vec<u8>) {
        out.extend(self.return_codes.iter().map(|c| c.to_u8()));
    }
}
