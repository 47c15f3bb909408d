//! The MC7 load-memory format a block is uploaded and downloaded in, and the block info
//! answer built from it.
//!
//! A block is a 36-byte header, the MC7 body (code, or a DB's data), the interface
//! segment and a 36-byte trailer; its load memory length is all of it:
//!
//! ```text
//!  0  1 | 2  | 3     | 4    | 5       | 6  7   | 8..11    | 12..15   | 16..21    | 22..27    |
//!  70 70| 01 | flags | lang | subtype | number | load len | security | code time | intf time |
//!  28 29   | 30 31   | 32 33      | 34 35
//!  SBB len | ADD len | local data | MC7 len       <- header (36 bytes, big-endian)
//! +--------------------------------+------------------------+------------------------------+
//! | header (36)                    | MC7 body (MC7 len)     | interface (SBB len)          |
//! +--------------------------------+------------------------+------------------------------+
//! | trailer (36): author (8) family (8) name (8) version (1) 00 checksum (2) reserved (8)  |
//! +----------------------------------------------------------------------------------------+
//! ```
//!
//! A timestamp is milliseconds since midnight (4 bytes) and days since 1984-01-01 (2 bytes).
//! The languages: `01` STL, `02` LAD, `03` FBD, `04` SCL, `05` DB, `06` GRAPH, `07` SDB.
//!
//! Block info (userdata group 3, subfunction 3) answers with 78 bytes: `01`, the type
//! letter, `00 4A` (the bytes that follow), two unknown bytes (snap7 sends `22 00`), the
//! header and the trailer.

use alloc::vec::Vec;

use super::BlockType;
use crate::cursor::{put_u16, Reader};
use crate::Error;

/// The `pp` constant that starts a block header.
pub const HEADER_MAGIC: u16 = 0x7070;
/// Length of the block header.
pub const HEADER_LEN: usize = 36;
/// Length of the trailer.
pub const TRAILER_LEN: usize = 36;
/// Length of a block info answer's payload.
pub const BLOCK_INFO_LEN: usize = 78;
/// Language byte of a data block.
pub const LANG_DB: u8 = 0x05;
/// Language byte of STL (AWL) code.
pub const LANG_STL: u8 = 0x01;
/// Language byte of LAD (KOP) code.
pub const LANG_LAD: u8 = 0x02;
/// Language byte of FBD (FUP) code.
pub const LANG_FBD: u8 = 0x03;
/// Language byte of SCL code.
pub const LANG_SCL: u8 = 0x04;
/// Language byte of S7-GRAPH code.
pub const LANG_GRAPH: u8 = 0x06;
/// Language byte of an SDB.
pub const LANG_SDB: u8 = 0x07;

/// The languages by the names STEP 7 gives them, in the order of their bytes.
pub const LANGUAGES: [(&str, u8); 7] = [
    ("STL", LANG_STL),
    ("LAD", LANG_LAD),
    ("FBD", LANG_FBD),
    ("SCL", LANG_SCL),
    ("DB", LANG_DB),
    ("GRAPH", LANG_GRAPH),
    ("SDB", LANG_SDB),
];

/// The language byte for a name of [`LANGUAGES`] (case-insensitive).
pub fn language_from_name(name: &str) -> Option<u8> {
    LANGUAGES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, byte)| *byte)
}

/// Block flags bit 0: linked (as Wireshark's S7comm dissector names the bits).
pub const FLAG_LINKED: u8 = 0x01;
/// Block flags bit 1: a standard block.
pub const FLAG_STANDARD: u8 = 0x02;
/// Block flags bit 3: non-retain.
pub const FLAG_NON_RETAIN: u8 = 0x08;

/// Days from 1970-01-01 to 1984-01-01, the day block timestamps count from.
const DAYS_1970_TO_1984: u32 = 5_113;
/// Milliseconds in a day.
const DAY_MILLIS: u32 = 86_400_000;

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_be_bytes());
}

fn read_u32(r: &mut Reader<'_>) -> Result<u32, Error> {
    Ok(u32::from_be_bytes(r.array::<4>()?))
}

/// A block timestamp: milliseconds since midnight and days since 1984-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BlockTime {
    /// Milliseconds since midnight.
    pub millis: u32,
    /// Days since 1984-01-01.
    pub days: u16,
}

impl BlockTime {
    /// The time `millis` after midnight of a calendar date, or `None` for an invalid date,
    /// one before 1984-01-01 or more than 65535 days after it (2163-06-06), or `millis` of a
    /// day or more.
    pub fn from_calendar(year: u16, month: u8, day: u8, millis: u32) -> Option<Self> {
        let since_1970 = crate::value::time::days_since_1970(year, month, day)?;
        let days = u16::try_from(since_1970.checked_sub(DAYS_1970_TO_1984)?).ok()?;
        (millis < DAY_MILLIS).then_some(Self { millis, days })
    }

    fn parse(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Self {
            millis: read_u32(r)?,
            days: r.u16()?,
        })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        put_u32(out, self.millis);
        put_u16(out, self.days);
    }
}

/// The 36-byte block header (snap7's `TS7CompactBlockInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CompactHeader {
    /// Bytes 0-1, [`HEADER_MAGIC`] (`70 70`) in every block; kept as read.
    pub magic: u16,
    /// Byte 2, `01` in every block seen (a format version).
    pub format: u8,
    /// Block flags (bit 0 linked, bit 1 standard block, bit 3 non-retain, bit 5 know-how
    /// protected... as Wireshark names them).
    pub flags: u8,
    /// Language.
    pub language: u8,
    /// Sub-block type byte ([`BlockType::sub_block`]).
    pub sub_block: u8,
    /// Block number.
    pub number: u16,
    /// Load memory length: the whole block, header and trailer included.
    pub load_len: u32,
    /// Block security (0 none, 3 know-how protected).
    pub security: u32,
    /// When the code last changed.
    pub code_time: BlockTime,
    /// When the interface last changed.
    pub interface_time: BlockTime,
    /// Interface segment length.
    pub sbb_len: u16,
    /// Additional segment length.
    pub add_len: u16,
    /// Local data length.
    pub local_data: u16,
    /// MC7 body length.
    pub mc7_len: u16,
}

impl CompactHeader {
    /// Decodes the first 36 bytes of `bytes` (more may follow).
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, "block header");
        Ok(Self {
            magic: r.u16()?,
            format: r.u8()?,
            flags: r.u8()?,
            language: r.u8()?,
            sub_block: r.u8()?,
            number: r.u16()?,
            load_len: read_u32(&mut r)?,
            security: read_u32(&mut r)?,
            code_time: BlockTime::parse(&mut r)?,
            interface_time: BlockTime::parse(&mut r)?,
            sbb_len: r.u16()?,
            add_len: r.u16()?,
            local_data: r.u16()?,
            mc7_len: r.u16()?,
        })
    }

    /// Appends the 36 bytes.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_u16(out, self.magic);
        out.extend_from_slice(&[self.format, self.flags, self.language, self.sub_block]);
        put_u16(out, self.number);
        put_u32(out, self.load_len);
        put_u32(out, self.security);
        self.code_time.emit(out);
        self.interface_time.emit(out);
        put_u16(out, self.sbb_len);
        put_u16(out, self.add_len);
        put_u16(out, self.local_data);
        put_u16(out, self.mc7_len);
    }

    /// The block type the sub-block byte names.
    pub fn block_type(&self) -> Option<BlockType> {
        BlockType::from_sub_block(self.sub_block)
    }
}

/// The 36-byte trailer at the end of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Trailer {
    /// Author (ASCII, zero padded).
    pub author: [u8; 8],
    /// Family.
    pub family: [u8; 8],
    /// Name (header name).
    pub name: [u8; 8],
    /// Version, major in the high nibble (`0x11` is 1.1).
    pub version: u8,
    /// The byte after the version, `00`.
    pub reserved1: u8,
    /// Block checksum.
    pub checksum: u16,
    /// Eight reserved bytes.
    pub reserved2: [u8; 8],
}

impl Trailer {
    /// Decodes the 36 bytes at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, "block trailer");
        Ok(Self {
            author: r.array()?,
            family: r.array()?,
            name: r.array()?,
            version: r.u8()?,
            reserved1: r.u8()?,
            checksum: r.u16()?,
            reserved2: r.array()?,
        })
    }

    /// Appends the 36 bytes.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.author);
        out.extend_from_slice(&self.family);
        out.extend_from_slice(&self.name);
        out.extend_from_slice(&[self.version, self.reserved1]);
        put_u16(out, self.checksum);
        out.extend_from_slice(&self.reserved2);
    }

    /// `text` as an 8-byte field: its first 8 bytes, zero padded.
    pub fn field(text: &str) -> [u8; 8] {
        let mut field = [0u8; 8];
        for (slot, byte) in field.iter_mut().zip(text.bytes()) {
            *slot = byte;
        }
        field
    }
}

/// A whole block split into its parts, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mc7Block<'a> {
    /// The header.
    pub header: CompactHeader,
    /// The MC7 body (`mc7_len` bytes).
    pub body: &'a [u8],
    /// The interface segment (whatever lies between body and trailer).
    pub interface: &'a [u8],
    /// The trailer.
    pub trailer: Trailer,
}

impl<'a> Mc7Block<'a> {
    /// Splits a whole block; fails unless the header's load length is the block's length
    /// and body and trailer fit in it (what snap7's client checks before a download).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let header = CompactHeader::parse(bytes)?;
        if usize::try_from(header.load_len).ok() != Some(bytes.len()) {
            return Err(Error::InvalidValue {
                what: "block load memory length",
                value: header.load_len,
            });
        }
        let mut r = Reader::new(bytes, "block");
        r.bytes(HEADER_LEN)?;
        let body = r.bytes(usize::from(header.mc7_len))?;
        let rest = r.rest();
        let interface_len = rest
            .len()
            .checked_sub(TRAILER_LEN)
            .ok_or(Error::Truncated {
                what: "block trailer",
                needed: TRAILER_LEN,
                available: rest.len(),
            })?;
        let (interface, trailer) = rest.split_at_checked(interface_len).unwrap_or((&[], rest));
        Ok(Self {
            header,
            body,
            interface,
            trailer: Trailer::parse(trailer)?,
        })
    }

    /// Appends the whole block (the header as given: set its lengths first).
    pub fn emit(&self, out: &mut Vec<u8>) {
        self.header.emit(out);
        out.extend_from_slice(self.body);
        out.extend_from_slice(self.interface);
        self.trailer.emit(out);
    }
}

/// The payload of a block info answer (78 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockInfo {
    /// Byte 0, `01`.
    pub constant: u8,
    /// Byte 1, the type letter of the block asked for.
    pub letter: u8,
    /// Bytes 2-3, the length of what follows (`00 4A`).
    pub info_len: u16,
    /// Bytes 4-5, unknown (snap7's server sends `22 00`).
    pub unknown: u16,
    /// The block header.
    pub header: CompactHeader,
    /// The trailer.
    pub trailer: Trailer,
}

impl BlockInfo {
    /// Block info for a block with this header and trailer, with the usual constants.
    pub fn new(letter: u8, header: CompactHeader, trailer: Trailer) -> Self {
        Self {
            constant: 0x01,
            letter,
            info_len: 0x004A,
            unknown: 0x2200,
            header,
            trailer,
        }
    }

    /// Decodes exactly 78 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, "block info");
        let constant = r.u8()?;
        let letter = r.u8()?;
        let info_len = r.u16()?;
        let unknown = r.u16()?;
        let header = CompactHeader::parse(r.bytes(HEADER_LEN)?)?;
        let trailer = Trailer::parse(r.bytes(TRAILER_LEN)?)?;
        r.finish()?;
        Ok(Self {
            constant,
            letter,
            info_len,
            unknown,
            header,
            trailer,
        })
    }

    /// Appends the 78 bytes.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.constant, self.letter]);
        put_u16(out, self.info_len);
        put_u16(out, self.unknown);
        self.header.emit(out);
        self.trailer.emit(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn block_times_count_days_from_1984() {
        assert_eq!(
            BlockTime::from_calendar(1984, 1, 1, 0),
            Some(BlockTime { millis: 0, days: 0 })
        );
        assert_eq!(
            BlockTime::from_calendar(2024, 1, 1, 1_000),
            Some(BlockTime {
                millis: 1_000,
                days: 14_610
            })
        );
        assert_eq!(
            BlockTime::from_calendar(2163, 6, 6, 0).map(|t| t.days),
            Some(u16::MAX)
        );
        assert_eq!(BlockTime::from_calendar(2163, 6, 7, 0), None);
        assert_eq!(BlockTime::from_calendar(1983, 12, 31, 0), None);
        assert_eq!(BlockTime::from_calendar(2023, 2, 29, 0), None);
        assert_eq!(BlockTime::from_calendar(2024, 1, 1, 86_400_000), None);
    }

    #[test]
    fn languages_by_name() {
        assert_eq!(language_from_name("scl"), Some(LANG_SCL));
        assert_eq!(language_from_name("GRAPH"), Some(LANG_GRAPH));
        assert_eq!(language_from_name("AWL"), None);
        assert!(LANGUAGES.windows(2).all(|w| w[0].1 < w[1].1));
    }

    fn header() -> CompactHeader {
        CompactHeader {
            magic: HEADER_MAGIC,
            format: 1,
            flags: 1,
            language: LANG_DB,
            sub_block: 0x0A,
            number: 1,
            load_len: 36 + 4 + 20 + 36,
            security: 0,
            code_time: BlockTime { millis: 1, days: 2 },
            interface_time: BlockTime { millis: 3, days: 4 },
            sbb_len: 20,
            add_len: 0,
            local_data: 0,
            mc7_len: 4,
        }
    }

    #[test]
    fn block_round_trip() {
        let block = Mc7Block {
            header: header(),
            body: &[1, 2, 3, 4],
            interface: &[0; 20],
            trailer: Trailer {
                author: Trailer::field("MOCK"),
                version: 0x11,
                ..Trailer::default()
            },
        };
        let mut out = vec![];
        block.emit(&mut out);
        assert_eq!(out.len(), 96);
        assert_eq!(&out[..8], &[0x70, 0x70, 1, 1, 5, 0x0A, 0, 1]);
        assert_eq!(&out[34..40], &[0, 4, 1, 2, 3, 4]);
        assert_eq!(Mc7Block::parse(&out).unwrap(), block);
        // A load length that is not the block's length is refused.
        assert!(Mc7Block::parse(&out[..95]).is_err());
    }

    #[test]
    fn block_info_round_trip() {
        let info = BlockInfo::new(b'A', header(), Trailer::default());
        let mut out = vec![];
        info.emit(&mut out);
        assert_eq!(out.len(), BLOCK_INFO_LEN);
        assert_eq!(&out[..8], &[0x01, 0x41, 0x00, 0x4A, 0x22, 0x00, 0x70, 0x70]);
        assert_eq!(BlockInfo::parse(&out).unwrap(), info);
        assert!(BlockInfo::parse(&out[..77]).is_err());
    }
}
