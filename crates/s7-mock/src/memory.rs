//! The PLC's memory: byte regions (inputs, outputs, flags, data blocks) and word arrays
//! (timers, counters).
//!
//! Byte regions are plain vectors and may be as large as the S7 address space allows:
//! an item address has 24 bits of `byte * 8 + bit`, so byte offsets reach 2 MiB
//! ([`MAX_REGION_LEN`]). Timers and counters are 16-bit values addressed by index; on the
//! wire each is two bytes, big-endian.
//!
//! Every accessor is bounds-checked and returns a typed [`Error`]. Multi-byte helpers are
//! big-endian, as S7 CPUs store values.
//!
//! ```
//! use s7_mock::memory::{Memory, Region};
//!
//! let mut memory = Memory::new(16, 16, 16, 8, 8)?;
//! memory.insert_data_block(1, vec![0; 8])?;
//! memory.write_f32(Region::DataBlock(1), 4, 3.5)?;
//! assert_eq!(memory.read_bytes(Region::DataBlock(1), 4, 4)?, &[0x40, 0x60, 0, 0]);
//! memory.write_bit(Region::Flags, 2, 5, true)?;
//! assert_eq!(memory.read_u8(Region::Flags, 2)?, 0b0010_0000);
//! assert!(memory.read_bytes(Region::Inputs, 15, 2).is_err());
//! # Ok::<(), s7_mock::Error>(())
//! ```
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::fmt;
use std::ops::Range;

use s7comm::Area;

use crate::error::Error;

/// Largest byte region: 2^24 bit addresses / 8.
pub const MAX_REGION_LEN: usize = 1 << 21;
/// Largest number of timers or counters.
pub const MAX_ELEMENTS: usize = 1 << 16;

/// A byte-addressed memory region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// Process inputs (PE, `I`).
    Inputs,
    /// Process outputs (PA, `Q`).
    Outputs,
    /// Flags / merkers (MK, `M`).
    Flags,
    /// A data block.
    DataBlock(u16),
}

impl Region {
    /// The byte region of S7 area `area`, data block `db_number` for [`Area::DataBlock`];
    /// `None` for timers, counters and any other area.
    #[inline(always)]
    pub(crate) fn of_area(area: Area, db_number: u16) -> Option<Self> {
        match area {
            Area::Inputs => Some(Self::Inputs),
            Area::Outputs => Some(Self::Outputs),
            Area::Flags => Some(Self::Flags),
            Area::DataBlock => Some(Self::DataBlock(db_number)),
            Area::Timers | Area::Counters | Area::Other(_) => None,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inputs => f.write_str("inputs"),
            Self::Outputs => f.write_str("outputs"),
            Self::Flags => f.write_str("flags"),
            Self::DataBlock(n) => write!(f, "data block {n}"),
        }
    }
}

/// The memory of one PLC.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Memory {
    inputs: Vec<u8>,
    outputs: Vec<u8>,
    flags: Vec<u8>,
    data_blocks: DataBlocks,
    timers: Vec<u16>,
    counters: Vec<u16>,
}

/// The data blocks by number: a vector sorted by number, not a map, because looking a block
/// up is on the path of every read of a data block, and a binary search over a slice costs
/// less than half of a tree search that hands back a `Result` through memory.
#[derive(Clone, PartialEq, Eq, Default)]
struct DataBlocks(Vec<(u16, Vec<u8>)>);

impl DataBlocks {
    #[inline(always)]
    fn position(&self, number: u16) -> Result<usize, usize> {
        self.0.binary_search_by_key(&number, |(n, _)| *n)
    }

    #[inline(always)]
    fn get(&self, number: u16) -> Option<&[u8]> {
        let index = self.position(number).ok()?;
        self.0.get(index).map(|(_, block)| block.as_slice())
    }

    fn get_mut(&mut self, number: u16) -> Option<&mut Vec<u8>> {
        let index = self.position(number).ok()?;
        self.0.get_mut(index).map(|(_, block)| block)
    }

    /// Adds or replaces block `number`; returns the old contents.
    fn insert(&mut self, number: u16, contents: Vec<u8>) -> Option<Vec<u8>> {
        match self.position(number) {
            Ok(index) => self
                .0
                .get_mut(index)
                .map(|(_, block)| std::mem::replace(block, contents)),
            Err(index) => {
                self.0.insert(index, (number, contents));
                None
            }
        }
    }

    fn remove(&mut self, number: u16) -> Option<Vec<u8>> {
        let index = self.position(number).ok()?;
        Some(self.0.remove(index).1)
    }

    fn numbers(&self) -> impl Iterator<Item = u16> + '_ {
        self.0.iter().map(|(n, _)| *n)
    }
}

/// As the map it stands for: `{number: contents, ...}`.
impl fmt::Debug for DataBlocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(n, block)| (n, block)))
            .finish()
    }
}

fn check_len(what: &'static str, value: usize, max: usize) -> Result<(), Error> {
    if value > max {
        return Err(Error::InvalidConfig {
            what,
            value,
            min: 0,
            max,
        });
    }
    Ok(())
}

impl Memory {
    /// Zeroed memory with the given region sizes (bytes) and timer/counter counts, and no
    /// data blocks.
    pub fn new(
        inputs: usize,
        outputs: usize,
        flags: usize,
        timers: usize,
        counters: usize,
    ) -> Result<Self, Error> {
        check_len("inputs size", inputs, MAX_REGION_LEN)?;
        check_len("outputs size", outputs, MAX_REGION_LEN)?;
        check_len("flags size", flags, MAX_REGION_LEN)?;
        check_len("timer count", timers, MAX_ELEMENTS)?;
        check_len("counter count", counters, MAX_ELEMENTS)?;
        Ok(Self {
            inputs: vec![0; inputs],
            outputs: vec![0; outputs],
            flags: vec![0; flags],
            data_blocks: DataBlocks::default(),
            timers: vec![0; timers],
            counters: vec![0; counters],
        })
    }

    /// Adds (or replaces) data block `number` with `contents`; returns the old contents.
    pub fn insert_data_block(
        &mut self,
        number: u16,
        contents: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, Error> {
        check_len("data block size", contents.len(), MAX_REGION_LEN)?;
        Ok(self.data_blocks.insert(number, contents))
    }

    /// Removes data block `number`; returns its contents.
    pub fn remove_data_block(&mut self, number: u16) -> Option<Vec<u8>> {
        self.data_blocks.remove(number)
    }

    /// The configured data block numbers, ascending.
    pub fn data_block_numbers(&self) -> impl Iterator<Item = u16> + '_ {
        self.data_blocks.numbers()
    }

    /// A whole region, or [`Error::NoSuchDataBlock`].
    #[inline]
    pub fn region(&self, region: Region) -> Result<&[u8], Error> {
        match region {
            Region::Inputs => Ok(&self.inputs),
            Region::Outputs => Ok(&self.outputs),
            Region::Flags => Ok(&self.flags),
            Region::DataBlock(n) => self.data_blocks.get(n).ok_or(Error::NoSuchDataBlock(n)),
        }
    }

    /// A whole region, `None` for a missing data block: [`region`](Self::region) for a caller
    /// that has no use for the error (a read's hot path), inlined whole.
    #[inline(always)]
    pub(crate) fn bytes(&self, region: Region) -> Option<&[u8]> {
        match region {
            Region::Inputs => Some(&self.inputs),
            Region::Outputs => Some(&self.outputs),
            Region::Flags => Some(&self.flags),
            Region::DataBlock(n) => self.data_blocks.get(n),
        }
    }

    /// A whole region, mutable, or [`Error::NoSuchDataBlock`].
    pub fn region_mut(&mut self, region: Region) -> Result<&mut [u8], Error> {
        match region {
            Region::Inputs => Ok(&mut self.inputs),
            Region::Outputs => Ok(&mut self.outputs),
            Region::Flags => Ok(&mut self.flags),
            Region::DataBlock(n) => match self.data_blocks.get_mut(n) {
                Some(block) => Ok(block),
                None => Err(Error::NoSuchDataBlock(n)),
            },
        }
    }

    /// Size of a region in bytes, `None` for a missing data block.
    pub fn region_len(&self, region: Region) -> Option<usize> {
        self.region(region).ok().map(<[u8]>::len)
    }

    fn range(
        region: Region,
        size: usize,
        offset: usize,
        len: usize,
    ) -> Result<Range<usize>, Error> {
        match offset.checked_add(len) {
            Some(end) if end <= size => Ok(offset..end),
            _ => Err(Error::OutOfRange {
                region,
                offset,
                len,
                size,
            }),
        }
    }

    /// `len` bytes at `offset`.
    pub fn read_bytes(&self, region: Region, offset: usize, len: usize) -> Result<&[u8], Error> {
        let bytes = self.region(region)?;
        let range = Self::range(region, bytes.len(), offset, len)?;
        match bytes.get(range) {
            Some(slice) => Ok(slice),
            None => Err(Error::OutOfRange {
                region,
                offset,
                len,
                size: bytes.len(),
            }),
        }
    }

    /// `len` bytes at `offset`, mutable.
    pub fn bytes_mut(
        &mut self,
        region: Region,
        offset: usize,
        len: usize,
    ) -> Result<&mut [u8], Error> {
        let bytes = self.region_mut(region)?;
        let size = bytes.len();
        let range = Self::range(region, size, offset, len)?;
        match bytes.get_mut(range) {
            Some(slice) => Ok(slice),
            None => Err(Error::OutOfRange {
                region,
                offset,
                len,
                size,
            }),
        }
    }

    /// Copies `data` to `offset`.
    pub fn write_bytes(&mut self, region: Region, offset: usize, data: &[u8]) -> Result<(), Error> {
        self.bytes_mut(region, offset, data.len())?
            .copy_from_slice(data);
        Ok(())
    }

    fn array<const N: usize>(&self, region: Region, offset: usize) -> Result<[u8; N], Error> {
        let bytes = self.read_bytes(region, offset, N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| Error::OutOfRange {
            region,
            offset,
            len: N,
            size: bytes.len(),
        })
    }

    /// Bit `bit` (0..=7) of byte `byte`.
    pub fn read_bit(&self, region: Region, byte: usize, bit: u8) -> Result<bool, Error> {
        let mask = bit_mask(bit)?;
        Ok(self.read_u8(region, byte)? & mask != 0)
    }

    /// Sets or clears bit `bit` (0..=7) of byte `byte`, leaving the other seven alone.
    pub fn write_bit(
        &mut self,
        region: Region,
        byte: usize,
        bit: u8,
        value: bool,
    ) -> Result<(), Error> {
        let mask = bit_mask(bit)?;
        let [b] = self.bytes_mut(region, byte, 1)? else {
            return Err(Error::OutOfRange {
                region,
                offset: byte,
                len: 1,
                size: 0,
            });
        };
        if value {
            *b |= mask;
        } else {
            *b &= !mask;
        }
        Ok(())
    }

    /// One byte.
    pub fn read_u8(&self, region: Region, offset: usize) -> Result<u8, Error> {
        let [b] = self.array::<1>(region, offset)?;
        Ok(b)
    }

    /// Writes one byte.
    pub fn write_u8(&mut self, region: Region, offset: usize, value: u8) -> Result<(), Error> {
        self.write_bytes(region, offset, &[value])
    }

    /// A big-endian WORD.
    pub fn read_u16(&self, region: Region, offset: usize) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array(region, offset)?))
    }

    /// Writes a big-endian WORD.
    pub fn write_u16(&mut self, region: Region, offset: usize, value: u16) -> Result<(), Error> {
        self.write_bytes(region, offset, &value.to_be_bytes())
    }

    /// A big-endian INT.
    pub fn read_i16(&self, region: Region, offset: usize) -> Result<i16, Error> {
        Ok(i16::from_be_bytes(self.array(region, offset)?))
    }

    /// Writes a big-endian INT.
    pub fn write_i16(&mut self, region: Region, offset: usize, value: i16) -> Result<(), Error> {
        self.write_bytes(region, offset, &value.to_be_bytes())
    }

    /// A big-endian DWORD.
    pub fn read_u32(&self, region: Region, offset: usize) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.array(region, offset)?))
    }

    /// Writes a big-endian DWORD.
    pub fn write_u32(&mut self, region: Region, offset: usize, value: u32) -> Result<(), Error> {
        self.write_bytes(region, offset, &value.to_be_bytes())
    }

    /// A big-endian DINT.
    pub fn read_i32(&self, region: Region, offset: usize) -> Result<i32, Error> {
        Ok(i32::from_be_bytes(self.array(region, offset)?))
    }

    /// Writes a big-endian DINT.
    pub fn write_i32(&mut self, region: Region, offset: usize, value: i32) -> Result<(), Error> {
        self.write_bytes(region, offset, &value.to_be_bytes())
    }

    /// A big-endian REAL (IEEE 754 single precision).
    pub fn read_f32(&self, region: Region, offset: usize) -> Result<f32, Error> {
        Ok(f32::from_be_bytes(self.array(region, offset)?))
    }

    /// Writes a big-endian REAL.
    pub fn write_f32(&mut self, region: Region, offset: usize, value: f32) -> Result<(), Error> {
        self.write_bytes(region, offset, &value.to_be_bytes())
    }

    /// All timers.
    pub fn timers(&self) -> &[u16] {
        &self.timers
    }

    /// All timers, mutable.
    pub fn timers_mut(&mut self) -> &mut [u16] {
        &mut self.timers
    }

    /// All counters.
    pub fn counters(&self) -> &[u16] {
        &self.counters
    }

    /// All counters, mutable.
    pub fn counters_mut(&mut self) -> &mut [u16] {
        &mut self.counters
    }

    /// Timer `index`.
    pub fn timer(&self, index: usize) -> Result<u16, Error> {
        element(&self.timers, index, "timer")
    }

    /// Sets timer `index`.
    pub fn set_timer(&mut self, index: usize, value: u16) -> Result<(), Error> {
        set_element(&mut self.timers, index, value, "timer")
    }

    /// Counter `index`.
    pub fn counter(&self, index: usize) -> Result<u16, Error> {
        element(&self.counters, index, "counter")
    }

    /// Sets counter `index`.
    pub fn set_counter(&mut self, index: usize, value: u16) -> Result<(), Error> {
        set_element(&mut self.counters, index, value, "counter")
    }
}

fn bit_mask(bit: u8) -> Result<u8, Error> {
    1u8.checked_shl(u32::from(bit))
        .filter(|_| bit < 8)
        .ok_or(Error::BitNumber(bit))
}

fn element(values: &[u16], index: usize, what: &'static str) -> Result<u16, Error> {
    values.get(index).copied().ok_or(Error::NoSuchElement {
        what,
        index,
        count: values.len(),
    })
}

fn set_element(
    values: &mut [u16],
    index: usize,
    value: u16,
    what: &'static str,
) -> Result<(), Error> {
    let count = values.len();
    let slot = values
        .get_mut(index)
        .ok_or(Error::NoSuchElement { what, index, count })?;
    *slot = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use super::*;

    /// The sorted vector behaves as the map it replaced: inserts, replacements and removals
    /// in any order, then every number looked up, present or not.
    #[test]
    fn data_blocks_behave_as_a_map() {
        let mut blocks = DataBlocks::default();
        let mut map = BTreeMap::new();
        let numbers = [7_u16, 1, 65535, 0, 300, 7, 2, 299, 301, 1, 40000];
        for (i, &n) in numbers.iter().enumerate() {
            let contents = vec![u8::try_from(i).unwrap(); i];
            assert_eq!(blocks.insert(n, contents.clone()), map.insert(n, contents));
            if i % 3 == 2 {
                let gone = numbers[i / 2];
                assert_eq!(blocks.remove(gone), map.remove(&gone));
            }
            assert!(blocks.numbers().eq(map.keys().copied()));
            assert_eq!(format!("{blocks:?}"), format!("{map:?}"));
            for probe in (0..=400).chain([39999, 40000, 40001, 65534, 65535]) {
                assert_eq!(blocks.get(probe), map.get(&probe).map(Vec::as_slice));
                assert_eq!(blocks.get_mut(probe), map.get_mut(&probe));
            }
        }
    }
}
