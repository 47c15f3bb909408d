//! Reading and writing one item against the memory, with the return codes a CPU gives.
//!
//! | condition | code |
//! | --- | --- |
//! | unknown area, missing data block | `0A` object does not exist |
//! | element type not served, timer type outside TM, TM/CT with another type | `06` |
//! | count 0, bit count above 1, non-bit address not on a byte boundary, past the end | `05` |
//! | write data length differs from the address, data TS `00` or unknown | `07` / `06` |

use crate::error::Error;
use crate::memory::{Memory, Region};
use s7comm::{Area, DataItemView, DataTransportSize, ItemAddress, ReturnCode, TransportSize};

/// Where an item points, once its address makes sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Bytes {
        region: Region,
        offset: usize,
        len: usize,
    },
    Bit {
        region: Region,
        byte: usize,
        bit: u8,
    },
    Timers {
        start: usize,
        count: usize,
    },
    Counters {
        start: usize,
        count: usize,
    },
}

/// Bytes per element and the data transport size a CPU answers a read with, for the element
/// types the mock serves: one match on the transport size instead of one per property.
#[inline]
fn element_shape(ts: TransportSize) -> Option<(usize, DataTransportSize)> {
    Some(match ts {
        TransportSize::Bit => (1, DataTransportSize::Bit),
        TransportSize::Byte => (1, DataTransportSize::Byte),
        TransportSize::Char => (1, DataTransportSize::OctetString),
        TransportSize::Word => (2, DataTransportSize::Byte),
        TransportSize::Int => (2, DataTransportSize::Int),
        TransportSize::DWord => (4, DataTransportSize::Byte),
        TransportSize::DInt => (4, DataTransportSize::Int),
        TransportSize::Real => (4, DataTransportSize::Real),
        TransportSize::Counter | TransportSize::Timer => (2, DataTransportSize::OctetString),
        TransportSize::Other(_) => return None,
    })
}

/// Where `item` points and the data transport size of its answer, or the code it fails with
/// whatever memory holds.
#[inline]
fn resolve(item: &ItemAddress) -> Result<(Target, DataTransportSize), ReturnCode> {
    let (element, ts) =
        element_shape(item.transport_size).ok_or(ReturnCode::TransportSizeNotSupported)?;
    let count = usize::from(item.count);
    if count == 0 {
        return Err(ReturnCode::AddressOutOfRange);
    }
    let index = usize::try_from(item.address).map_err(|_| ReturnCode::AddressOutOfRange)?;
    let region = match (item.area, item.transport_size) {
        (Area::Timers, TransportSize::Timer) => {
            return Ok((
                Target::Timers {
                    start: index,
                    count,
                },
                ts,
            ))
        }
        (Area::Counters, TransportSize::Counter) => {
            return Ok((
                Target::Counters {
                    start: index,
                    count,
                },
                ts,
            ))
        }
        (Area::Timers | Area::Counters, _) | (_, TransportSize::Timer | TransportSize::Counter) => {
            return Err(ReturnCode::TransportSizeNotSupported)
        }
        (area, _) => Region::of_area(area, item.db_number).ok_or(ReturnCode::ObjectDoesNotExist)?,
    };
    let byte = index / 8;
    if item.transport_size == TransportSize::Bit {
        if count != 1 {
            return Err(ReturnCode::AddressOutOfRange);
        }
        return Ok((
            Target::Bit {
                region,
                byte,
                bit: item.bit_offset(),
            },
            ts,
        ));
    }
    if item.bit_offset() != 0 {
        return Err(ReturnCode::AddressOutOfRange);
    }
    let len = element
        .checked_mul(count)
        .ok_or(ReturnCode::AddressOutOfRange)?;
    Ok((
        Target::Bytes {
            region,
            offset: byte,
            len,
        },
        ts,
    ))
}

impl Target {
    /// Data bytes of a successful read.
    #[inline]
    fn data_len(self) -> usize {
        match self {
            Target::Bytes { len, .. } => len,
            Target::Bit { .. } => 1,
            Target::Timers { count, .. } | Target::Counters { count, .. } => {
                count.saturating_mul(2)
            }
        }
    }
}

fn memory_code(error: &Error) -> ReturnCode {
    match error {
        Error::NoSuchDataBlock(_) => ReturnCode::ObjectDoesNotExist,
        _ => ReturnCode::AddressOutOfRange,
    }
}

fn range(start: usize, count: usize, len: usize) -> Result<core::ops::Range<usize>, ReturnCode> {
    let end = start
        .checked_add(count)
        .filter(|end| *end <= len)
        .ok_or(ReturnCode::AddressOutOfRange)?;
    Ok(start..end)
}

/// Appends `RC 00 0000`.
pub(super) fn emit_error_item(out: &mut Vec<u8>, code: ReturnCode) {
    out.extend_from_slice(&[code.to_u8(), 0, 0, 0]);
}

/// The head `FF TS LEN` of a successful data item of `bytes` data bytes, or `05` when its
/// length does not fit the 16-bit LEN field.
#[inline(always)]
fn item_head(ts: DataTransportSize, bytes: usize) -> Result<[u8; 4], ReturnCode> {
    // `DataTransportSize::wire_len`, without building an error that is mapped away anyway.
    let wire = if ts.counts_bits() {
        bytes.checked_mul(8)
    } else {
        Some(bytes)
    };
    let [l0, l1] = wire
        .and_then(|len| u16::try_from(len).ok())
        .ok_or(ReturnCode::AddressOutOfRange)?
        .to_be_bytes();
    Ok([ReturnCode::Success.to_u8(), ts.to_u8(), l0, l1])
}

fn emit_head(out: &mut Vec<u8>, ts: DataTransportSize, bytes: usize) -> Result<(), ReturnCode> {
    out.extend_from_slice(&item_head(ts, bytes)?);
    Ok(())
}

fn emit_words(out: &mut Vec<u8>, words: &[u16]) -> Result<(), ReturnCode> {
    emit_head(
        out,
        DataTransportSize::OctetString,
        words.len().saturating_mul(2),
    )?;
    for w in words {
        out.extend_from_slice(&w.to_be_bytes());
    }
    Ok(())
}

#[inline]
fn try_read(
    memory: &Memory,
    target: Target,
    ts: DataTransportSize,
    out: &mut Vec<u8>,
) -> Result<(), ReturnCode> {
    match target {
        Target::Bytes {
            region,
            offset,
            len,
        } => {
            // `Memory::read_bytes` with its errors mapped as `memory_code` maps them: a
            // missing data block is `0A`, a range past the end `05`.
            let bytes = memory.region(region).map_err(|e| memory_code(&e))?;
            let bytes = offset
                .checked_add(len)
                .and_then(|end| bytes.get(offset..end))
                .ok_or(ReturnCode::AddressOutOfRange)?;
            out.extend_from_slice(&item_head(ts, len)?);
            out.extend_from_slice(bytes);
        }
        Target::Bit { region, byte, bit } => {
            let value = memory
                .read_bit(region, byte, bit)
                .map_err(|e| memory_code(&e))?;
            emit_head(out, DataTransportSize::Bit, 1)?;
            out.push(u8::from(value));
        }
        Target::Timers { start, count } => {
            let words = memory.timers();
            emit_words(
                out,
                words
                    .get(range(start, count, words.len())?)
                    .unwrap_or_default(),
            )?;
        }
        Target::Counters { start, count } => {
            let words = memory.counters();
            emit_words(
                out,
                words
                    .get(range(start, count, words.len())?)
                    .unwrap_or_default(),
            )?;
        }
    }
    Ok(())
}

/// The answer item would take the answer past `limit` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TooLarge;

/// Appends the answer item for reading `item` (data and fill byte unless `last`, or an
/// error item, `forced` when a hook chose the code), unless the item as it would be if it
/// succeeded does not fit before `limit`.
pub(super) fn read_item(
    memory: &Memory,
    item: &ItemAddress,
    forced: Option<ReturnCode>,
    out: &mut Vec<u8>,
    last: bool,
    limit: usize,
) -> Result<ReturnCode, TooLarge> {
    let resolved = resolve(item);
    let data_len = match resolved {
        Ok((target, _)) => target.data_len(),
        Err(_) => 0,
    };
    let fill = usize::from(!last && data_len % 2 == 1);
    let needed = data_len.saturating_add(4).saturating_add(fill);
    if out.len().saturating_add(needed) > limit {
        return Err(TooLarge);
    }
    let start = out.len();
    let result = match (forced, resolved) {
        (Some(code), _) if !code.is_success() => Err(code),
        (_, Ok((target, ts))) => try_read(memory, target, ts, out),
        (_, Err(code)) => Err(code),
    };
    match result {
        Ok(()) => {
            if fill == 1 {
                out.push(0);
            }
            Ok(ReturnCode::Success)
        }
        Err(code) => {
            out.truncate(start);
            emit_error_item(out, code);
            Ok(code)
        }
    }
}

/// The data transport size and the data of reading `item` when it is bytes (no bits, timers
/// or counters) of a region that holds them all, the read most clients send; `None` for any
/// other item, which only [`read_item`] answers.
#[inline(always)]
pub(super) fn plain_bytes<'m>(
    memory: &'m Memory,
    item: &ItemAddress,
) -> Option<(DataTransportSize, &'m [u8])> {
    let (element, ts) = byte_shape(item.transport_size)?;
    let region = Region::of_area(item.area, item.db_number)?;
    if item.count == 0 || item.bit_offset() != 0 {
        return None;
    }
    let len = element.checked_mul(usize::from(item.count))?;
    let offset = usize::try_from(item.byte_offset()).ok()?;
    let data = memory
        .region(region)
        .ok()?
        .get(offset..offset.checked_add(len)?)?;
    Some((ts, data))
}

/// [`plain_bytes`] and [`plain_head`] at once, read straight off the 12 wire bytes of an item
/// address (its fixed part `12 0A 10` included): the head of the successful answer item and
/// the bytes it carries, or `None` for exactly the addresses for which [`ItemAddress::parse`]
/// fails or either of those two gives `None`. No [`ItemAddress`] is built and every byte is
/// decoded once, which is what a one-item read's hot path wants.
#[inline(always)]
pub(super) fn plain_raw<'m>(
    memory: &'m Memory,
    raw: &[u8; ItemAddress::LEN],
) -> Option<([u8; 4], &'m [u8])> {
    let &[s0, s1, s2, ts, c0, c1, d0, d1, area, a0, a1, a2] = raw;
    if [s0, s1, s2] != ItemAddress::SPEC {
        return None;
    }
    let (element, data_ts) = byte_shape(TransportSize::from_u8(ts))?;
    let region = Region::of_area(Area::from_u8(area), u16::from_be_bytes([d0, d1]))?;
    let count = u16::from_be_bytes([c0, c1]);
    if count == 0 || a2 & 7 != 0 {
        return None;
    }
    // At most 4 * 65,535: no overflow, and the byte offset is below 2^21.
    let len = element.saturating_mul(usize::from(count));
    let offset = usize::try_from(u32::from_be_bytes([0, a0, a1, a2]) / 8).ok()?;
    let data = memory
        .bytes(region)?
        .get(offset..offset.saturating_add(len))?;
    Some((item_head(data_ts, data.len()).ok()?, data))
}

/// [`element_shape`] for the types [`plain_bytes`] and [`plain_raw`] serve: not bit, counter
/// or timer.
#[inline(always)]
fn byte_shape(ts: TransportSize) -> Option<(usize, DataTransportSize)> {
    match ts {
        TransportSize::Bit | TransportSize::Counter | TransportSize::Timer => None,
        other => element_shape(other),
    }
}

/// The head `FF TS LEN` of the successful answer item carrying `data` read as `ts`, or `None`
/// when its length does not fit LEN (which [`read_item`] answers with `05`).
#[inline(always)]
pub(super) fn plain_head(ts: DataTransportSize, data: &[u8]) -> Option<[u8; 4]> {
    item_head(ts, data.len()).ok()
}

/// [`read_item`], with no code forced, for a [`plain_bytes`] item: straight from the address
/// to the answer, without the [`Target`] the general way builds and takes apart again. `None`
/// (and nothing appended) for any other item, which the general way then answers, errors
/// included.
#[inline]
pub(super) fn read_bytes_item(
    memory: &Memory,
    item: &ItemAddress,
    out: &mut Vec<u8>,
    last: bool,
    limit: usize,
) -> Option<Result<ReturnCode, TooLarge>> {
    let (ts, data) = plain_bytes(memory, item)?;
    let head = plain_head(ts, data)?;
    let fill = !last && data.len() % 2 == 1;
    let needed = data
        .len()
        .saturating_add(4)
        .saturating_add(usize::from(fill));
    if out.len().saturating_add(needed) > limit {
        return Some(Err(TooLarge));
    }
    out.extend_from_slice(&head);
    out.extend_from_slice(data);
    if fill {
        out.push(0);
    }
    Some(Ok(ReturnCode::Success))
}

/// The data transport size and length of a successful answer to reading `item`, or the code
/// the item fails with whatever memory holds (its address makes no sense).
pub(super) fn answer_shape(item: &ItemAddress) -> Result<(DataTransportSize, usize), ReturnCode> {
    let (target, ts) = resolve(item)?;
    Ok((ts, target.data_len()))
}

/// Appends the answer item carrying `data`, supplied by a hook for an item of shape `(ts,
/// len)` ([`answer_shape`]): data and fill byte unless `last`, or an error item with `wrong`
/// when `data` is not `len` bytes long. Like [`read_item`], nothing is appended when the item
/// as it would be if it succeeded does not fit before `limit`.
pub(super) fn read_supplied_item(
    (ts, len): (DataTransportSize, usize),
    data: &[u8],
    wrong: ReturnCode,
    out: &mut Vec<u8>,
    last: bool,
    limit: usize,
) -> Result<ReturnCode, TooLarge> {
    let fill = usize::from(!last && len % 2 == 1);
    let needed = len.saturating_add(4).saturating_add(fill);
    if out.len().saturating_add(needed) > limit {
        return Err(TooLarge);
    }
    let start = out.len();
    let result = if data.len() == len {
        emit_head(out, ts, len)
    } else {
        Err(wrong)
    };
    match result {
        Ok(()) => {
            out.extend_from_slice(data);
            if fill == 1 {
                out.push(0);
            }
            Ok(ReturnCode::Success)
        }
        Err(code) => {
            out.truncate(start);
            emit_error_item(out, code);
            Ok(code)
        }
    }
}

fn write_words(words: &mut [u16], start: usize, data: &[u8]) -> Result<(), ReturnCode> {
    let count = data.len() / 2;
    let len = words.len();
    let slots = words
        .get_mut(range(start, count, len)?)
        .ok_or(ReturnCode::AddressOutOfRange)?;
    for (slot, pair) in slots.iter_mut().zip(data.chunks_exact(2)) {
        *slot = u16::from_be_bytes([
            pair.first().copied().unwrap_or(0),
            pair.get(1).copied().unwrap_or(0),
        ]);
    }
    Ok(())
}

/// Writes one item; returns its return code.
pub(super) fn write_item(
    memory: &mut Memory,
    item: &ItemAddress,
    data: &DataItemView<'_>,
) -> ReturnCode {
    match try_write(memory, item, data) {
        Ok(()) => ReturnCode::Success,
        Err(code) => code,
    }
}

fn try_write(
    memory: &mut Memory,
    item: &ItemAddress,
    data: &DataItemView<'_>,
) -> Result<(), ReturnCode> {
    if matches!(
        data.transport_size,
        DataTransportSize::Null | DataTransportSize::Other(_)
    ) {
        return Err(ReturnCode::TransportSizeNotSupported);
    }
    match resolve(item)?.0 {
        Target::Bytes {
            region,
            offset,
            len,
        } => {
            let target = memory
                .bytes_mut(region, offset, len)
                .map_err(|e| memory_code(&e))?;
            if data.data.len() != target.len() {
                return Err(ReturnCode::DataSizeMismatch);
            }
            target.copy_from_slice(data.data);
        }
        Target::Bit { region, byte, bit } => {
            // Bounds first, then the data length, as a CPU checks them.
            memory
                .read_bit(region, byte, bit)
                .map_err(|e| memory_code(&e))?;
            let [value] = data.data else {
                return Err(ReturnCode::DataSizeMismatch);
            };
            memory
                .write_bit(region, byte, bit, value & 1 == 1)
                .map_err(|e| memory_code(&e))?;
        }
        Target::Timers { start, count } => {
            range(start, count, memory.timers().len())?;
            if data.data.len() != count.saturating_mul(2) {
                return Err(ReturnCode::DataSizeMismatch);
            }
            write_words(memory.timers_mut(), start, data.data)?;
        }
        Target::Counters { start, count } => {
            range(start, count, memory.counters().len())?;
            if data.data.len() != count.saturating_mul(2) {
                return Err(ReturnCode::DataSizeMismatch);
            }
            write_words(memory.counters_mut(), start, data.data)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// Wherever the byte fast path answers, it answers exactly as the general way: same bytes
    /// appended, same result. Every transport size and area byte the wire may carry, around
    /// region ends, with and without a fill byte, near the answer limit.
    #[test]
    fn read_bytes_item_answers_as_read_item() {
        let mut memory = Memory::new(16, 16, 16, 4, 4).unwrap();
        memory
            .insert_data_block(1, (0..=40).collect::<Vec<u8>>())
            .unwrap();
        let mut fast_answers = 0;
        let areas = [0x81, 0x82, 0x83, 0x84, 0x1C, 0x1D, 0x80];
        for ts in (0..=0x1F).map(TransportSize::from_u8) {
            for area in areas.map(Area::from_u8) {
                for db in [1, 2] {
                    for count in [0, 1, 3, 4, 9] {
                        for address in [0, 3, 8, 8 * 13, 8 * 37, 8 * 40] {
                            for (last, limit) in [(true, 64), (false, 64), (false, 14)] {
                                let item = ItemAddress {
                                    transport_size: ts,
                                    count,
                                    db_number: db,
                                    area,
                                    address,
                                };
                                let mut general = vec![0xAA; 10];
                                let mut fast = general.clone();
                                let expected =
                                    read_item(&memory, &item, None, &mut general, last, limit);
                                match read_bytes_item(&memory, &item, &mut fast, last, limit) {
                                    Some(got) => {
                                        fast_answers += 1;
                                        assert_eq!(got, expected, "{item:?}");
                                        assert_eq!(fast, general, "{item:?}");
                                    }
                                    None => assert_eq!(fast, [0xAA; 10], "{item:?}"),
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(fast_answers > 100, "{fast_answers}");
    }

    /// The raw decoding takes an item exactly when parsing the address and the byte fast path
    /// do, and then gives the same head and bytes: every transport size and area byte, a bad
    /// fixed part, counts and addresses around region ends (bit offsets, 16-bit LEN overflow
    /// included).
    #[test]
    fn plain_raw_answers_as_plain_bytes() {
        let mut memory = Memory::new(16, 16, 9000, 4, 4).unwrap();
        memory
            .insert_data_block(1, (0..=40).collect::<Vec<u8>>())
            .unwrap();
        memory.insert_data_block(3, vec![7; 3]).unwrap();
        let mut taken = 0;
        for spec in [[0x12, 0x0A, 0x10], [0x12, 0x0A, 0x11], [0x11, 0x0A, 0x10]] {
            for ts in 0..=0xFF_u8 {
                for area in [0x81, 0x82, 0x83, 0x84, 0x1C, 0x1D, 0x80, 0x00] {
                    for db in [0, 1, 2, 3] {
                        for count in [0, 1, 3, 4, 9, 1100, 0xFFFF] {
                            for address in [0, 3, 8, 8 * 13, 8 * 37, 8 * 40, 0xFF_FFFF] {
                                let mut raw = [0; ItemAddress::LEN];
                                raw[..3].copy_from_slice(&spec);
                                raw[3] = ts;
                                raw[4..6].copy_from_slice(&u16::to_be_bytes(count));
                                raw[6..8].copy_from_slice(&u16::to_be_bytes(db));
                                raw[8] = area;
                                raw[9..].copy_from_slice(&u32::to_be_bytes(address)[1..]);
                                let expected = ItemAddress::parse(&raw).ok().and_then(|item| {
                                    let (ts, data) = plain_bytes(&memory, &item)?;
                                    Some((plain_head(ts, data)?, data))
                                });
                                let got = plain_raw(&memory, &raw);
                                assert_eq!(got, expected, "{raw:02X?}");
                                taken += usize::from(got.is_some());
                            }
                        }
                    }
                }
            }
        }
        assert!(taken > 100, "{taken}");
    }
}
