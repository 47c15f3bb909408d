//! Multi-item requests ([`ReadRequest`], [`WriteRequest`]) and how they are packed into PDUs.
//!
//! A read var request spends 12 bytes of parameters per item; its answer spends 4 bytes per
//! item (`RC TS LEN`) plus the data, padded to even length except after the last item. A write
//! var request spends 12 bytes of parameters and 4 + data (+ pad) bytes of data per item; its
//! answer one byte per item. S7 CPUs accept at most [`MAX_ITEMS`] items per request (snap7's
//! `MaxVars`). An item too large for one PDU is split into parts, each read or written as an
//! item of its own; then the parts are packed first-fit decreasing: largest first, each into
//! the first PDU where both the request and the answer still have room.
//!
//! How close to the fewest PDUs that is: for packing by size alone, first-fit decreasing
//! never needs more than 11/9 of the minimum plus 6/9 (Dósa, 2007), and with parts all of
//! one size it needs the minimum. The 20-item limit and the fill byte after an odd-length
//! item make the real problem a little different, so this is what to expect rather than a
//! proof; the minimum itself is not searched for (bin packing is NP-hard). Results do not
//! depend on the packing: each part's answer is placed by its item and offset, so they come
//! back in the caller's order. Within each PDU the items keep the caller's order, too.

use s7comm::{Area, ItemAddress, TransportSize};

use crate::Error;

/// The most items one read or write var request may carry (S7 CPUs, snap7's `MaxVars`).
pub const MAX_ITEMS: usize = 20;

/// Header of a job (10) plus the function code and item count (2).
const REQUEST_FIXED: usize = 12;
/// Header of an ack-data (12) plus the function code and item count (2).
const ANSWER_FIXED: usize = 14;
/// An item address in the parameters.
const ADDRESS_LEN: usize = 12;
/// `RC TS LEN` ahead of each data item.
const ITEM_HEAD: usize = 4;

/// Where an item lives: area, data block, start and element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Location {
    area: Area,
    db_number: u16,
    /// Byte offset, or the index for timers and counters.
    start: u32,
    /// Bit number (0..=7) for [`TransportSize::Bit`].
    bit: u8,
    transport_size: TransportSize,
}

impl Location {
    fn new(area: Area, db_number: u16, start: u32) -> Self {
        let transport_size = match area {
            Area::Timers => TransportSize::Timer,
            Area::Counters => TransportSize::Counter,
            _ => TransportSize::Byte,
        };
        Self {
            area,
            db_number,
            start,
            bit: 0,
            transport_size,
        }
    }

    /// Bytes per element on the wire.
    fn element_len(&self) -> Result<usize, Error> {
        self.transport_size
            .element_len()
            .ok_or(Error::InvalidArgument {
                what: "transport size without a known element length",
            })
    }

    /// The address of `count` elements starting `offset` elements into the item.
    fn address(&self, offset: usize, count: usize) -> Result<ItemAddress, Error> {
        let too_large = |value: usize, max: usize| {
            Error::from(s7comm::Error::TooLarge {
                what: "item address",
                value,
                max,
            })
        };
        let count_u16 =
            u16::try_from(count).map_err(|_| too_large(count, usize::from(u16::MAX)))?;
        if self.transport_size == TransportSize::Bit {
            return Ok(ItemAddress::bit(
                self.area,
                self.db_number,
                self.start,
                self.bit,
            ));
        }
        let step = match self.transport_size {
            TransportSize::Timer | TransportSize::Counter => offset,
            _ => offset.saturating_mul(self.element_len()?),
        };
        let step = u32::try_from(step).map_err(|_| too_large(step, 0x00FF_FFFF))?;
        let first = self
            .start
            .checked_add(step)
            .ok_or_else(|| too_large(usize::MAX, 0x00FF_FFFF))?;
        Ok(ItemAddress::new(
            self.area,
            self.db_number,
            first,
            self.transport_size,
            count_u16,
        ))
    }
}

/// One item of [`Client::read_many`](crate::Client::read_many): `count` elements at a location.
///
/// ```
/// use s7_client::ReadRequest;
/// use s7comm::Area;
/// let items = [
///     ReadRequest::db(1, 0, 16),              // DB1.DBB0, 16 bytes
///     ReadRequest::bytes(Area::Flags, 0, 10, 4), // MB10..MB13
///     ReadRequest::timers(0, 4),              // T0..T3 (2 bytes each)
///     ReadRequest::bit(Area::Inputs, 0, 2, 5),   // I2.5
/// ];
/// assert_eq!(items[2].byte_len(), 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadRequest {
    location: Location,
    count: usize,
}

impl ReadRequest {
    /// `len` bytes at byte `start` of `area` (for timers and counters: `len` elements of 2
    /// bytes from index `start`). `db_number` is used for [`Area::DataBlock`] only.
    pub fn bytes(area: Area, db_number: u16, start: u32, len: usize) -> Self {
        Self {
            location: Location::new(area, db_number, start),
            count: len,
        }
    }

    /// `len` bytes of data block `db_number` from byte `start`.
    pub fn db(db_number: u16, start: u32, len: usize) -> Self {
        Self::bytes(Area::DataBlock, db_number, start, len)
    }

    /// `count` timers from index `start` (2 bytes each).
    pub fn timers(start: u32, count: usize) -> Self {
        Self::bytes(Area::Timers, 0, start, count)
    }

    /// `count` counters from index `start` (2 bytes each).
    pub fn counters(start: u32, count: usize) -> Self {
        Self::bytes(Area::Counters, 0, start, count)
    }

    /// One bit (transport size BIT): bit `bit` (0..=7) of byte `byte`; reads as one byte,
    /// `00` or `01`.
    pub fn bit(area: Area, db_number: u16, byte: u32, bit: u8) -> Self {
        Self::typed(area, db_number, byte, TransportSize::Bit, 1).with_bit(bit)
    }

    /// `count` elements of `transport_size` at byte `start` (e.g. 2 `REAL`s, 8 bytes).
    pub fn typed(
        area: Area,
        db_number: u16,
        start: u32,
        transport_size: TransportSize,
        count: usize,
    ) -> Self {
        let mut location = Location::new(area, db_number, start);
        location.transport_size = transport_size;
        Self { location, count }
    }

    fn with_bit(mut self, bit: u8) -> Self {
        self.location.bit = bit & 7;
        self
    }

    /// Bytes the answer holds: elements times their size (one byte for a bit).
    pub fn byte_len(&self) -> usize {
        self.location
            .transport_size
            .element_len()
            .unwrap_or(1)
            .saturating_mul(self.count)
    }

    /// The memory area.
    pub fn area(&self) -> Area {
        self.location.area
    }

    /// Number of elements.
    pub fn count(&self) -> usize {
        self.count
    }
}

/// One item of [`Client::write_many`](crate::Client::write_many): bytes to a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WriteRequest<'a> {
    location: Location,
    data: &'a [u8],
}

impl<'a> WriteRequest<'a> {
    /// `data` to byte `start` of `area` (for timers and counters: 2 bytes per element, from
    /// index `start`).
    pub fn bytes(area: Area, db_number: u16, start: u32, data: &'a [u8]) -> Self {
        Self {
            location: Location::new(area, db_number, start),
            data,
        }
    }

    /// `data` to data block `db_number` from byte `start`.
    pub fn db(db_number: u16, start: u32, data: &'a [u8]) -> Self {
        Self::bytes(Area::DataBlock, db_number, start, data)
    }

    /// Timers from index `start` (2 bytes each, big-endian).
    pub fn timers(start: u32, data: &'a [u8]) -> Self {
        Self::bytes(Area::Timers, 0, start, data)
    }

    /// Counters from index `start` (2 bytes each, big-endian).
    pub fn counters(start: u32, data: &'a [u8]) -> Self {
        Self::bytes(Area::Counters, 0, start, data)
    }

    /// Elements of `transport_size` at byte `start`; `data` holds whole elements.
    pub fn typed(
        area: Area,
        db_number: u16,
        start: u32,
        transport_size: TransportSize,
        data: &'a [u8],
    ) -> Self {
        let mut location = Location::new(area, db_number, start);
        location.transport_size = transport_size;
        Self { location, data }
    }

    /// The data written.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The memory area.
    pub fn area(&self) -> Area {
        self.location.area
    }
}

impl WriteRequest<'static> {
    /// One bit (transport size BIT): only bit `bit` (0..=7) of byte `byte` changes.
    pub fn bit(area: Area, db_number: u16, byte: u32, bit: u8, value: bool) -> Self {
        const ON: &[u8] = &[1];
        const OFF: &[u8] = &[0];
        let mut location = Location::new(area, db_number, byte);
        location.transport_size = TransportSize::Bit;
        location.bit = bit & 7;
        Self {
            location,
            data: if value { ON } else { OFF },
        }
    }
}

/// One part of a caller's item, sent as one item of one PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    /// Index of the caller's item.
    pub(crate) item: usize,
    /// Byte offset of the part in the item's data.
    pub(crate) byte_offset: usize,
    /// Bytes of the part.
    pub(crate) bytes: usize,
    /// The address to send.
    pub(crate) address: ItemAddress,
}

/// Whether a PDU is a read (answer carries the data) or a write (request carries it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

/// One PDU being filled.
#[derive(Debug, Default)]
struct Batch {
    parts: Vec<Part>,
    /// Data bytes (heads, data, fill bytes between items).
    data: usize,
    last_odd: bool,
}

impl Batch {
    /// Data bytes once `bytes` more are appended as the new last item.
    fn data_with(&self, bytes: usize) -> usize {
        self.data
            .saturating_add(usize::from(self.last_odd))
            .saturating_add(ITEM_HEAD)
            .saturating_add(bytes)
    }

    fn push(&mut self, part: Part) {
        self.data = self.data_with(part.bytes);
        self.last_odd = part.bytes % 2 == 1;
        self.parts.push(part);
    }
}

/// Whether a PDU of `items` items and `data` data bytes fits `pdu` both ways.
fn fits(direction: Direction, pdu: usize, items: usize, data: usize) -> bool {
    let params = REQUEST_FIXED.saturating_add(items.saturating_mul(ADDRESS_LEN));
    let (request, answer) = match direction {
        Direction::Read => (params, ANSWER_FIXED.saturating_add(data)),
        Direction::Write => (
            params.saturating_add(data),
            ANSWER_FIXED.saturating_add(items),
        ),
    };
    items <= MAX_ITEMS && request <= pdu && answer <= pdu
}

/// The largest data part one item may carry alone in a PDU of `pdu` bytes.
pub(crate) fn max_part_bytes(direction: Direction, pdu: usize) -> usize {
    let fixed = match direction {
        Direction::Read => ANSWER_FIXED.saturating_add(ITEM_HEAD),
        Direction::Write => REQUEST_FIXED
            .saturating_add(ADDRESS_LEN)
            .saturating_add(ITEM_HEAD),
    };
    pdu.saturating_sub(fixed)
}

/// An item to split and pack: where it is, how many elements, bytes per element.
pub(crate) struct Spec {
    location: Location,
    elements: usize,
}

impl From<&ReadRequest> for Spec {
    fn from(r: &ReadRequest) -> Self {
        Spec {
            location: r.location,
            elements: r.count,
        }
    }
}

impl Spec {
    /// The spec of a write, checking that the data is whole elements.
    pub(crate) fn of_write(w: &WriteRequest<'_>) -> Result<Self, Error> {
        let element = w.location.element_len()?;
        if w.data.len() % element != 0 {
            return Err(Error::InvalidArgument {
                what: "write data is not a whole number of elements (timers, counters and words are 2 bytes, dwords 4)",
            });
        }
        if w.location.transport_size == TransportSize::Bit && w.data.len() != 1 {
            return Err(Error::InvalidArgument {
                what: "a bit write carries exactly one byte, 00 or 01",
            });
        }
        Ok(Spec {
            location: w.location,
            elements: w.data.len() / element,
        })
    }
}

/// Splits every item into parts that fit one PDU alone, then packs the parts first-fit
/// decreasing (largest part first, each into the first PDU with room) into as few PDUs as
/// the PDU size, the answer size and [`MAX_ITEMS`] allow. The packing only decides which
/// parts share a PDU: each PDU then lists its parts in the caller's order (by item, then
/// offset), and the PDUs are ordered by their first part, so a server sees the items in the
/// order they were asked for.
pub(crate) fn plan(
    direction: Direction,
    pdu: usize,
    specs: &[Spec],
) -> Result<Vec<Vec<Part>>, Error> {
    let max_bytes = max_part_bytes(direction, pdu);
    if max_bytes == 0 {
        return Err(Error::InvalidArgument {
            what: "the negotiated pdu size leaves no room for data",
        });
    }
    let mut parts: Vec<Part> = Vec::with_capacity(specs.len());
    for (item, spec) in specs.iter().enumerate() {
        let element = spec.location.element_len()?;
        if spec.location.transport_size == TransportSize::Bit && spec.elements != 1 {
            return Err(Error::InvalidArgument {
                what: "a bit item addresses exactly one bit",
            });
        }
        let per_part = (max_bytes / element).max(1);
        let mut offset = 0usize;
        while offset < spec.elements {
            let count = per_part.min(spec.elements.saturating_sub(offset));
            parts.push(Part {
                item,
                byte_offset: offset.saturating_mul(element),
                bytes: count.saturating_mul(element),
                address: spec.location.address(offset, count)?,
            });
            offset = offset.saturating_add(count);
        }
    }
    parts.sort_by_key(|part| core::cmp::Reverse(part.bytes));
    let mut batches: Vec<Batch> = Vec::new();
    for part in parts {
        let slot = batches.iter_mut().find(|b| {
            fits(
                direction,
                pdu,
                b.parts.len().saturating_add(1),
                b.data_with(part.bytes),
            )
        });
        match slot {
            Some(batch) => batch.push(part),
            None => {
                let mut batch = Batch::default();
                batch.push(part);
                batches.push(batch);
            }
        }
    }
    let mut planned: Vec<Vec<Part>> = batches.into_iter().map(|b| b.parts).collect();
    for batch in &mut planned {
        batch.sort_by_key(|part| (part.item, part.byte_offset));
    }
    planned.sort_by_key(|batch| batch.first().map(|part| (part.item, part.byte_offset)));
    Ok(planned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn reads(items: &[ReadRequest]) -> Vec<Spec> {
        items.iter().map(Spec::from).collect()
    }

    #[test]
    fn twenty_items_per_pdu_at_most() {
        let items: Vec<_> = (0..45).map(|i| ReadRequest::db(1, i * 2, 2)).collect();
        let plan = plan(Direction::Read, 960, &reads(&items)).unwrap();
        let sizes: Vec<_> = plan.iter().map(Vec::len).collect();
        assert_eq!(sizes, [20, 20, 5]);
    }

    #[test]
    fn the_answer_size_limits_reads() {
        // 240-byte PDU: 226 bytes of answer data; items of 50 bytes take 54 each: 4 fit.
        let items: Vec<_> = (0..8).map(|i| ReadRequest::db(1, i * 50, 50)).collect();
        let plan = plan(Direction::Read, 240, &reads(&items)).unwrap();
        assert_eq!(plan.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4]);
    }

    #[test]
    fn the_request_size_limits_small_reads() {
        // 64-byte PDU: (64 - 12) / 12 = 4 addresses per request.
        let items: Vec<_> = (0..9).map(|i| ReadRequest::db(1, i, 1)).collect();
        let plan = plan(Direction::Read, 64, &reads(&items)).unwrap();
        assert_eq!(plan.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 1]);
    }

    #[test]
    fn odd_items_pay_their_fill_byte_only_when_another_follows() {
        // 240-byte PDU: 226 data bytes. Two items of 111 bytes: 4+111+1+4+111 = 231 > 226.
        let two = [ReadRequest::db(1, 0, 111), ReadRequest::db(1, 200, 111)];
        assert_eq!(plan(Direction::Read, 240, &reads(&two)).unwrap().len(), 2);
        // 4+109+1+4+108 = 226 fits.
        let fit = [ReadRequest::db(1, 0, 109), ReadRequest::db(1, 200, 108)];
        assert_eq!(plan(Direction::Read, 240, &reads(&fit)).unwrap().len(), 1);
    }

    #[test]
    fn an_oversized_item_is_split_and_small_ones_fill_the_gaps() {
        let items = [
            ReadRequest::db(1, 0, 1000),
            ReadRequest::db(2, 0, 10),
            ReadRequest::timers(0, 300),
        ];
        let plan = plan(Direction::Read, 240, &reads(&items)).unwrap();
        let mut parts: Vec<Part> = plan.iter().flatten().copied().collect();
        parts.sort_by_key(|p| (p.item, p.byte_offset));
        let first: Vec<_> = parts.iter().filter(|p| p.item == 0).collect();
        assert_eq!(first.iter().map(|p| p.bytes).sum::<usize>(), 1000);
        assert!(first.iter().all(|p| p.bytes <= 222));
        assert_eq!(first[1].address.byte_offset(), 222);
        let timers: Vec<_> = parts.iter().filter(|p| p.item == 2).collect();
        assert_eq!(timers.iter().map(|p| p.bytes).sum::<usize>(), 600);
        // 222 bytes are 111 timers; the second part starts at timer 111.
        assert_eq!(timers[1].address.address, 111);
        // Every PDU fits.
        for batch in &plan {
            let mut b = Batch::default();
            for p in batch {
                b.push(*p);
            }
            assert!(fits(Direction::Read, 240, batch.len(), b.data));
        }
        // 1610 bytes of data, at most 222 per 240-byte PDU: at least 8 PDUs; first-fit
        // needs no more.
        assert_eq!(plan.len(), 8);
    }

    #[test]
    fn largest_first_needs_fewer_pdus_than_the_callers_order() {
        // 240-byte PDU: 226 answer bytes, each item 4 + its data. In the caller's order
        // first-fit needs three PDUs (50 + 82; 116; 142); largest first needs two
        // (142 + 82; 116 + 50), each listing its items in the caller's order.
        let items = [
            ReadRequest::db(1, 0, 46),
            ReadRequest::db(1, 100, 78),
            ReadRequest::db(1, 200, 112),
            ReadRequest::db(1, 400, 138),
        ];
        let plan = plan(Direction::Read, 240, &reads(&items)).unwrap();
        let layout: Vec<Vec<usize>> = plan
            .iter()
            .map(|batch| batch.iter().map(|p| p.item).collect())
            .collect();
        assert_eq!(layout, [vec![0, 2], vec![1, 3]]);
    }

    #[test]
    fn writes_count_their_data_in_the_request() {
        let data = [0u8; 100];
        let items: Vec<_> = (0..4)
            .map(|i| WriteRequest::db(1, i * 100, &data))
            .collect();
        let specs: Vec<_> = items.iter().map(|w| Spec::of_write(w).unwrap()).collect();
        // 240: 12 + 2 * (12 + 104) = 244 > 240, so one per PDU.
        assert_eq!(plan(Direction::Write, 240, &specs).unwrap().len(), 4);
        // 480: 12 + 4 * 116 = 476 fits.
        assert_eq!(plan(Direction::Write, 480, &specs).unwrap().len(), 1);
    }

    #[test]
    fn odd_timer_writes_are_refused() {
        let w = WriteRequest::timers(0, &[1, 2, 3]);
        assert!(matches!(
            Spec::of_write(&w),
            Err(Error::InvalidArgument { .. })
        ));
    }
}
