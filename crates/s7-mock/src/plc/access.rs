//! Reading and writing one item against the memory, with the return codes a CPU gives.
//!
//! | condition | code |
//! | --- | --- |
//! | unknown area, missing data block | `0A` object does not exist |
//! | element type not served, timer type outside TM, TM/CT with another type | `06` |
//! | count 0, bit count above 1, non-bit address not on a byte boundary, past the end | `05` |
//! | write data length differs from the address, data TS `00` or unknown | `07` / `06` |

use crate::codec::cursor::put_u16;
use crate::codec::{Area, DataItemView, DataTransportSize, ItemAddress, ReturnCode, TransportSize};
use crate::error::Error;
use crate::memory::{Memory, Region};

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

fn resolve(item: &ItemAddress) -> Result<Target, ReturnCode> {
    let element = item
        .transport_size
        .element_len()
        .ok_or(ReturnCode::TransportSizeNotSupported)?;
    let count = usize::from(item.count);
    if count == 0 {
        return Err(ReturnCode::AddressOutOfRange);
    }
    let index = usize::try_from(item.address).map_err(|_| ReturnCode::AddressOutOfRange)?;
    let region = match (item.area, item.transport_size) {
        (Area::Timers, TransportSize::Timer) => {
            return Ok(Target::Timers {
                start: index,
                count,
            })
        }
        (Area::Counters, TransportSize::Counter) => {
            return Ok(Target::Counters {
                start: index,
                count,
            })
        }
        (Area::Timers | Area::Counters, _) | (_, TransportSize::Timer | TransportSize::Counter) => {
            return Err(ReturnCode::TransportSizeNotSupported)
        }
        (Area::Inputs, _) => Region::Inputs,
        (Area::Outputs, _) => Region::Outputs,
        (Area::Flags, _) => Region::Flags,
        (Area::DataBlock, _) => Region::DataBlock(item.db_number),
        (Area::Other(_), _) => return Err(ReturnCode::ObjectDoesNotExist),
    };
    let byte = index / 8;
    if item.transport_size == TransportSize::Bit {
        if count != 1 {
            return Err(ReturnCode::AddressOutOfRange);
        }
        return Ok(Target::Bit {
            region,
            byte,
            bit: item.bit_offset(),
        });
    }
    if item.bit_offset() != 0 {
        return Err(ReturnCode::AddressOutOfRange);
    }
    let len = element
        .checked_mul(count)
        .ok_or(ReturnCode::AddressOutOfRange)?;
    Ok(Target::Bytes {
        region,
        offset: byte,
        len,
    })
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

/// The most data bytes a successful read of `item` returns; 0 for items that cannot
/// succeed. Used to refuse a read whose answer could not fit the PDU.
pub(super) fn read_len_bound(item: &ItemAddress) -> usize {
    match resolve(item) {
        Ok(Target::Bytes { len, .. }) => len,
        Ok(Target::Bit { .. }) => 1,
        Ok(Target::Timers { count, .. } | Target::Counters { count, .. }) => {
            count.saturating_mul(2)
        }
        Err(_) => 0,
    }
}

/// Appends `RC 00 0000`.
pub(super) fn emit_error_item(out: &mut Vec<u8>, code: ReturnCode) {
    out.extend_from_slice(&[code.to_u8(), 0, 0, 0]);
}

fn emit_head(out: &mut Vec<u8>, ts: DataTransportSize, bytes: usize) -> Result<(), ReturnCode> {
    let len = ts
        .wire_len(bytes)
        .map_err(|_| ReturnCode::AddressOutOfRange)?;
    out.push(ReturnCode::Success.to_u8());
    out.push(ts.to_u8());
    put_u16(out, len);
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

fn try_read(memory: &Memory, item: &ItemAddress, out: &mut Vec<u8>) -> Result<(), ReturnCode> {
    let ts = item
        .transport_size
        .data_transport_size()
        .ok_or(ReturnCode::TransportSizeNotSupported)?;
    match resolve(item)? {
        Target::Bytes {
            region,
            offset,
            len,
        } => {
            let bytes = memory
                .read_bytes(region, offset, len)
                .map_err(|e| memory_code(&e))?;
            emit_head(out, ts, bytes.len())?;
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

/// Appends the answer item for reading `item` (data and fill byte unless `last`, or an
/// error item); returns its return code.
pub(super) fn read_item(
    memory: &Memory,
    item: &ItemAddress,
    out: &mut Vec<u8>,
    last: bool,
) -> ReturnCode {
    let start = out.len();
    match try_read(memory, item, out) {
        Ok(()) => {
            let data_len = out.len().saturating_sub(start).saturating_sub(4);
            if !last && data_len % 2 == 1 {
                out.push(0);
            }
            ReturnCode::Success
        }
        Err(code) => {
            out.truncate(start);
            emit_error_item(out, code);
            code
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
    match resolve(item)? {
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
