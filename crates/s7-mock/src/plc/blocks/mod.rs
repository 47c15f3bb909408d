//! The block directory: every data block in memory plus the OBs, FCs, FBs, SFCs, SFBs and
//! SDBs declared with [`PlcBuilder::block`](super::PlcBuilder::block) (or `[[block]]` in a
//! profile), each with the metadata block info reports; and what one connection has in
//! flight (an upload, a download, a multi-part list).
//!
//! | service | answer |
//! | --- | --- |
//! | list blocks | the count of each of the 7 types (28 bytes) |
//! | list blocks of type | `number flags language` per block, ascending; in parts fetched with follow-ups when they exceed the PDU |
//! | block info | 78 bytes: header and trailer of the block's MC7 image; `D2 09` if there is no such block |
//! | start upload / upload / end upload | the MC7 image (36-byte header, body, 20-byte interface, 36-byte trailer) in parts of PDU size minus 18; a DB's body is its current data, read at start upload |
//! | request download | checks the name and lengths, then the PLC sends `1B` jobs to the client until the block is complete, checks it, and sends a `1C` job; on the client's `1C` acknowledgement the block is inserted (a DB's body becomes its data) |
//! | `_DELE` | deletes the blocks (all or none: `D2 09` if one is missing) |
//! | `_INSE` | acknowledges blocks that are in the directory (downloads are inserted when they end, since python-snap7 3.3.0 never sends `_INSE`); the error of a download of that block that failed on the connection; `D2 09` otherwise |
//!
//! Errors, as header errors of the job (or in the userdata parameters): `D2 01` a block
//! name that does not parse, `D2 02` bad parameters or upload/download ids, `D2 09` no
//! such block, `D2 0E` a second download while one is in flight on the connection or a
//! full directory, `D2 0F` a block larger than the cap ([`DEFAULT_MAX_BLOCK_SIZE`]),
//! `D2 10` a block number above 65535.
//!
//! A download that goes wrong after the request (a bad part, a bad image) is ended by the
//! PLC early, as a CPU does: its download ended job (`1C`) carries the error bit in the
//! function status and the code (`D2 19` wrong lengths, `D2 30` not a block of that type,
//! `D2 0E` directory full, `85 00` an answer that does not decode, `84 01` an answer out of
//! sequence), and the connection's next `_INSE` of the block is answered with that code. Such
//! a download, or one abandoned (by a disconnect, or by any request other than request
//! download while the PLC waits for the client's answer), leaves the directory unchanged:
//! nothing is written before the client acknowledges a download ended without error.

mod service;

use std::collections::BTreeMap;

use s7comm::block::format::{
    BlockTime, CompactHeader, Mc7Block, Trailer, HEADER_LEN, HEADER_MAGIC, LANG_DB, LANG_SDB,
    TRAILER_LEN,
};
use s7comm::block::BlockType;

use super::CpuModel;

/// Largest load memory length of a block accepted by download (and of a declared block).
pub const DEFAULT_MAX_BLOCK_SIZE: usize = 65_535;
/// Most blocks the directory holds besides data blocks.
pub const MAX_BLOCKS: usize = 4096;
/// Length of the (zero) interface segment in the MC7 images the mock builds.
pub const INTERFACE_LEN: usize = 20;
/// Header, interface and trailer around the body: load length minus MC7 length.
pub const OVERHEAD: usize = HEADER_LEN + INTERFACE_LEN + TRAILER_LEN;
/// Default code and interface time: 2024-01-01 00:00 (days since 1984-01-01).
pub const DEFAULT_DAYS: u16 = 14_610;

/// What block info reports about a block besides its type, number and lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockMeta {
    /// Author (8 bytes, zero padded).
    pub author: [u8; 8],
    /// Family.
    pub family: [u8; 8],
    /// Name (header name).
    pub name: [u8; 8],
    /// Version, major in the high nibble (`0x01` is 0.1).
    pub version: u8,
    /// Language (`01` STL, `02` LAD, `03` FBD, `04` SCL, `05` DB, `06` GRAPH, `07` SDB).
    pub language: u8,
    /// Block flags (bit 0 linked, ...).
    pub flags: u8,
    /// Local data bytes.
    pub local_data: u16,
    /// Checksum; `None` computes a 16-bit sum of the body.
    pub checksum: Option<u16>,
    /// Code timestamp.
    pub code_time: BlockTime,
    /// Interface timestamp.
    pub interface_time: BlockTime,
}

impl BlockMeta {
    /// The defaults for a block: author `S7MOCK`, name `DB1`/`OB1`/..., version 0.1,
    /// language DB for data blocks, SDB for SDBs and STL otherwise, linked, 20 bytes of
    /// local data for an OB (its start information), timestamps 2024-01-01.
    pub fn default_for(block_type: BlockType, number: u16) -> Self {
        Self::default_for_model(block_type, number, &CpuModel::default())
    }

    /// [`default_for`](Self::default_for) on a CPU `model`: a code block's language is the
    /// model's ([`CpuModel::code_language`]).
    pub fn default_for_model(block_type: BlockType, number: u16, model: &CpuModel) -> Self {
        let name = format!("{}{}", block_type.name(), number);
        let time = BlockTime {
            millis: 0,
            days: DEFAULT_DAYS,
        };
        Self {
            author: Trailer::field("S7MOCK"),
            family: Trailer::field(""),
            name: Trailer::field(&name),
            version: 0x01,
            language: match block_type {
                BlockType::Db => LANG_DB,
                BlockType::Sdb => LANG_SDB,
                BlockType::Ob | BlockType::Fc | BlockType::Fb | BlockType::Sfc | BlockType::Sfb => {
                    model.code_language
                }
            },
            flags: 0x01,
            local_data: if block_type == BlockType::Ob { 20 } else { 0 },
            checksum: None,
            code_time: time,
            interface_time: time,
        }
    }

    /// The metadata a downloaded block's header and trailer carry.
    fn from_image(block: &Mc7Block<'_>) -> Self {
        Self {
            author: block.trailer.author,
            family: block.trailer.family,
            name: block.trailer.name,
            version: block.trailer.version,
            language: block.header.language,
            flags: block.header.flags,
            local_data: block.header.local_data,
            checksum: Some(block.trailer.checksum),
            code_time: block.header.code_time,
            interface_time: block.header.interface_time,
        }
    }
}

/// A block to declare: type, number, body size and optional body and metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSpec {
    /// Type.
    pub block_type: BlockType,
    /// Number.
    pub number: u16,
    /// Body (MC7) size in bytes; a given body is cut or zero-padded to it. For a DB the
    /// data block of this size is created if memory has none.
    pub size: usize,
    /// Body bytes (code), or a DB's initial contents.
    pub body: Option<Vec<u8>>,
    /// Metadata (default: [`BlockMeta::default_for`]).
    pub meta: BlockMeta,
}

impl BlockSpec {
    /// A block with default metadata and a body of `size` bytes of `BE` (`65 00`).
    pub fn new(block_type: BlockType, number: u16, size: usize) -> Self {
        Self::for_model(block_type, number, size, &CpuModel::default())
    }

    /// [`new`](Self::new) with the metadata defaults of a CPU `model`
    /// ([`BlockMeta::default_for_model`]).
    pub fn for_model(block_type: BlockType, number: u16, size: usize, model: &CpuModel) -> Self {
        Self {
            block_type,
            number,
            size,
            body: None,
            meta: BlockMeta::default_for_model(block_type, number, model),
        }
    }

    /// Sets the body.
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    /// Sets the metadata.
    pub fn meta(mut self, meta: BlockMeta) -> Self {
        self.meta = meta;
        self
    }

    /// The body, cut or padded to `size`.
    pub(crate) fn body_bytes(&self) -> Vec<u8> {
        let mut body = match &self.body {
            Some(body) => body.clone(),
            None => [0x65u8, 0x00]
                .iter()
                .copied()
                .cycle()
                .take(self.size)
                .collect(),
        };
        body.resize(self.size, 0);
        body
    }
}

/// One block the directory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub(crate) meta: BlockMeta,
    /// The body; `None` for a data block, whose body is its data in memory.
    pub(crate) body: Option<Vec<u8>>,
}

/// The directory of blocks other than data block contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Directory {
    pub(crate) blocks: BTreeMap<(BlockType, u16), Stored>,
    pub(crate) max_block_size: usize,
}

impl Directory {
    pub(crate) fn new(max_block_size: usize) -> Self {
        Self {
            blocks: BTreeMap::new(),
            max_block_size,
        }
    }

    /// Metadata of a block (the default for a DB without an entry).
    pub(crate) fn meta(&self, block_type: BlockType, number: u16) -> BlockMeta {
        self.blocks
            .get(&(block_type, number))
            .map_or_else(|| BlockMeta::default_for(block_type, number), |s| s.meta)
    }
}

fn sum16(body: &[u8]) -> u16 {
    body.iter()
        .fold(0u16, |acc, &b| acc.wrapping_add(u16::from(b)))
}

/// The header and trailer of the MC7 image of a block with `body_len` body bytes.
pub(crate) fn header_and_trailer(
    block_type: BlockType,
    number: u16,
    meta: &BlockMeta,
    body: &[u8],
) -> Option<(CompactHeader, Trailer)> {
    let mc7_len = u16::try_from(body.len()).ok()?;
    let load_len = u32::try_from(body.len().checked_add(OVERHEAD)?).ok()?;
    let header = CompactHeader {
        magic: HEADER_MAGIC,
        format: 0x01,
        flags: meta.flags,
        language: meta.language,
        sub_block: block_type.sub_block(),
        number,
        load_len,
        security: 0,
        code_time: meta.code_time,
        interface_time: meta.interface_time,
        sbb_len: u16::try_from(INTERFACE_LEN).ok()?,
        add_len: 0,
        local_data: meta.local_data,
        mc7_len,
    };
    let trailer = Trailer {
        author: meta.author,
        family: meta.family,
        name: meta.name,
        version: meta.version,
        reserved1: 0,
        checksum: meta.checksum.unwrap_or_else(|| sum16(body)),
        reserved2: [0; 8],
    };
    Some((header, trailer))
}

/// The whole MC7 image of a block.
pub(crate) fn image(
    block_type: BlockType,
    number: u16,
    meta: &BlockMeta,
    body: &[u8],
) -> Option<Vec<u8>> {
    let (header, trailer) = header_and_trailer(block_type, number, meta, body)?;
    let mut out = Vec::with_capacity(body.len().saturating_add(OVERHEAD));
    Mc7Block {
        header,
        body,
        interface: &[0; INTERFACE_LEN],
        trailer,
    }
    .emit(&mut out);
    Some(out)
}

/// An upload in progress: the image and how much of it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upload {
    pub(crate) id: u32,
    pub(crate) image: Vec<u8>,
    pub(crate) sent: usize,
}

/// Where a download stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for the client's answer to a download block job.
    Part,
    /// Waiting for the client's answer to download ended; the block checked out.
    Ended,
    /// Waiting for the client's answer to the download ended job that reported this error.
    Failed(s7comm::ErrorCode),
}

/// A download in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Download {
    pub(crate) block_type: BlockType,
    pub(crate) number: u16,
    pub(crate) name: s7comm::block::BlockName,
    pub(crate) load_len: usize,
    pub(crate) received: Vec<u8>,
    pub(crate) phase: Phase,
    /// PDU reference of the PLC's job the client must answer.
    pub(crate) job_ref: u16,
}

/// A download that failed on a connection: the next `_INSE` of that block on it is answered
/// with the download's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FailedDownload {
    pub(crate) block_type: BlockType,
    pub(crate) number: u16,
    pub(crate) error: s7comm::ErrorCode,
}

/// The rest of a list of blocks of a type that did not fit one PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingList {
    pub(crate) sequence: u8,
    pub(crate) data_unit_ref: u8,
    pub(crate) remaining: Vec<u8>,
}

/// What one connection has in flight; dropped with the session, so a disconnect abandons
/// it without touching the directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SessionBlocks {
    pub(crate) upload: Option<Upload>,
    pub(crate) download: Option<Download>,
    /// The last download that failed, until the next request download or `_INSE`.
    pub(crate) failed: Option<FailedDownload>,
    pub(crate) pending_list: Option<PendingList>,
    /// A PDU the PLC sends after its answer (the first download block job).
    pub(crate) outgoing: Option<Vec<u8>>,
    pub(crate) last_id: u32,
    pub(crate) last_job_ref: u16,
}

impl SessionBlocks {
    /// Whether the PLC waits for the client's answer to one of its jobs.
    #[inline]
    pub(crate) fn awaits_answer(&self) -> bool {
        self.download.is_some() && self.outgoing.is_none()
    }

    /// A request instead of the answer the PLC waits for abandons the download (the client
    /// gave up on it), except another request download, which is refused with `D2 0E`.
    #[inline(always)]
    pub(crate) fn on_request(&mut self, message_type: s7comm::MessageType, function: Option<u8>) {
        let another_download = message_type == s7comm::MessageType::Job
            && function == Some(s7comm::block::transfer::REQUEST_DOWNLOAD);
        if self.awaits_answer() && !another_download {
            self.download = None;
        }
    }

    /// Whether a download is in flight.
    pub(crate) fn download_in_flight(&self) -> bool {
        self.download.is_some()
    }
}
