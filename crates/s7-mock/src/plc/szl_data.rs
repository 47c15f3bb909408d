//! The SZL lists the mock serves, built from the PLC's identity and state.
//!
//! | id | index | content |
//! | --- | --- | --- |
//! | `0x0000` | any | the ids below (2-byte records) |
//! | `0x0F00` | any | header of `0x0000` only |
//! | `0x0011` | any | module identification: records 1 (module), 6 (hardware), 7 (firmware) |
//! | `0x0111` | 1, 6, 7 | that one record |
//! | `0x0F11` | any | header of `0x0011` only |
//! | `0x001C` | any | component identification: records 1, 2, 3, 4, 5, 7, 8, 9, 10, 11 |
//! | `0x011C` | a record index | that one record |
//! | `0x0F1C` | any | header of `0x001C` only |
//! | `0x0424` | any | CPU state: mode byte `08` RUN / `04` STOP, time of the last change |
//! | others | | see [`szl_lists`](super::szl_lists) |
//!
//! The firmware record comes last in `0x0011` because snap7's native client takes the
//! version from the last three bytes of the list.

use s7comm::clock::S7DateTime;
use s7comm::szl::{
    SzlHeader, COMPONENT_IDENTIFICATION, COMPONENT_IDENTIFICATION_RECORD_LEN, CPU_STATE,
    CPU_STATE_RECORD_LEN, MODULE_IDENTIFICATION, MODULE_IDENTIFICATION_RECORD_LEN, SZL_LIST,
};
use s7comm::ErrorCode;

use super::identity::Identity;
use super::CpuState;

/// Header-only variant bit pattern (`0x0Fxx`).
const HEADER_ONLY: u16 = 0x0F00;
/// Single-record variant bit pattern (`0x01xx`).
const SINGLE_RECORD: u16 = 0x0100;

/// The SZL ids the mock knows, as listed by `0x0000` when all are served (the lists after
/// `0x0424` are in [`szl_lists`](super::szl_lists)).
pub(super) const SUPPORTED: [u16; 37] = [
    SZL_LIST,
    HEADER_ONLY | SZL_LIST,
    MODULE_IDENTIFICATION,
    SINGLE_RECORD | MODULE_IDENTIFICATION,
    HEADER_ONLY | MODULE_IDENTIFICATION,
    COMPONENT_IDENTIFICATION,
    SINGLE_RECORD | COMPONENT_IDENTIFICATION,
    HEADER_ONLY | COMPONENT_IDENTIFICATION,
    CPU_STATE,
    0x0012,
    0x0F12,
    0x0013,
    0x0113,
    0x0F13,
    0x0014,
    0x0114,
    0x0F14,
    0x0015,
    0x0115,
    0x0F15,
    0x0022,
    0x0222,
    0x0F22,
    0x0025,
    0x0F25,
    0x0074,
    0x0174,
    0x0F74,
    0x0091,
    0x0F91,
    0x00A0,
    0x01A0,
    0x0FA0,
    0x0124,
    0x0131,
    0x0132,
    0x0232,
];

/// A subset of [`SUPPORTED`]: entry `i` says whether `SUPPORTED[i]` is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServedSzl([bool; SUPPORTED.len()]);

impl ServedSzl {
    /// Every id the mock knows.
    pub(crate) const ALL: Self = Self([true; SUPPORTED.len()]);

    /// The known ids among `ids` (others are ignored).
    pub(crate) fn of(ids: &[u16]) -> Self {
        Self(SUPPORTED.map(|id| ids.contains(&id)))
    }

    /// Whether `id` is served.
    pub(crate) fn contains(self, id: u16) -> bool {
        SUPPORTED
            .iter()
            .zip(self.0)
            .any(|(known, served)| served && *known == id)
    }

    /// The ids served, in the order of `0x0000`.
    pub(crate) fn ids(self) -> impl Iterator<Item = u16> {
        SUPPORTED
            .into_iter()
            .zip(self.0)
            .filter_map(|(id, served)| served.then_some(id))
    }
}

/// What the SZL builder needs to know about the PLC.
pub(super) struct SzlSource<'a> {
    pub(super) plc: &'a super::Plc,
    pub(super) served: ServedSzl,
    pub(super) identity: &'a Identity,
    pub(super) state: CpuState,
    pub(super) last_change: S7DateTime,
}

/// A list of fixed-size records being built.
pub(super) struct Records {
    record_len: u16,
    count: u16,
    bytes: Vec<u8>,
}

impl Records {
    pub(super) fn new(record_len: u16) -> Self {
        Self {
            record_len,
            count: 0,
            bytes: Vec::new(),
        }
    }

    /// Appends a record from `parts`, cut or zero-filled to the record length.
    pub(super) fn push(&mut self, parts: &[&[u8]]) {
        let len = usize::from(self.record_len);
        let start = self.bytes.len();
        for part in parts {
            self.bytes.extend_from_slice(part);
        }
        self.bytes.resize(start.saturating_add(len), 0);
        self.count = self.count.saturating_add(1);
    }

    fn header(&self) -> SzlHeader {
        SzlHeader {
            record_len: self.record_len,
            record_count: self.count,
        }
    }

    /// The complete payload, or only the header.
    pub(super) fn finish(self, header_only: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len().saturating_add(SzlHeader::LEN));
        self.header().emit(&mut out);
        if !header_only {
            out.extend_from_slice(&self.bytes);
        }
        out
    }

    /// Only the record whose first two bytes equal `index`.
    pub(super) fn single(self, index: u16) -> Result<Vec<u8>, ErrorCode> {
        let key = index.to_be_bytes();
        self.single_where(|r| r.get(..2) == Some(&key[..]))
    }

    /// Only the record whose byte `at` equals `index` (which must fit a byte).
    pub(super) fn single_by(self, index: u16, at: usize) -> Result<Vec<u8>, ErrorCode> {
        let key = u8::try_from(index).map_err(|_| ErrorCode::INVALID_SZL_INDEX)?;
        self.single_where(|r| r.get(at) == Some(&key))
    }

    fn single_where(self, matches: impl Fn(&[u8]) -> bool) -> Result<Vec<u8>, ErrorCode> {
        let len = usize::from(self.record_len).max(1);
        let record = self
            .bytes
            .chunks(len)
            .find(|r| matches(r))
            .ok_or(ErrorCode::INVALID_SZL_INDEX)?;
        let mut out = Vec::with_capacity(record.len().saturating_add(SzlHeader::LEN));
        SzlHeader {
            record_len: self.record_len,
            record_count: 1,
        }
        .emit(&mut out);
        out.extend_from_slice(record);
        Ok(out)
    }
}

/// `text` cut or padded with `fill` to `len` bytes.
fn field(text: &str, len: usize, fill: u8) -> Vec<u8> {
    let mut out: Vec<u8> = text.bytes().take(len).collect();
    out.resize(len, fill);
    out
}

fn module_identification(identity: &Identity) -> Records {
    let mut records = Records::new(MODULE_IDENTIFICATION_RECORD_LEN);
    let order = field(&identity.order_number, 20, b' ');
    // Module type C0, version words as an S7-300 reports them.
    let module_words = [0x00, 0xC0, 0x00, 0x04, 0x00, 0x01];
    records.push(&[&[0x00, 0x01], &order, &module_words]);
    records.push(&[&[0x00, 0x06], &order, &module_words]);
    let (major, minor, patch) = identity.firmware_version;
    let blank = [b' '; 20];
    records.push(&[
        &[0x00, 0x07],
        &blank,
        &[0x00, 0xC0, b'V', major, minor, patch],
    ]);
    records
}

fn component_identification(identity: &Identity) -> Records {
    let mut records = Records::new(COMPONENT_IDENTIFICATION_RECORD_LEN);
    let text = |index: u16, value: &str, len: usize| -> [Vec<u8>; 2] {
        [index.to_be_bytes().to_vec(), field(value, len, 0)]
    };
    for [index, value] in [
        text(1, &identity.system_name, 24),
        text(2, &identity.module_name, 24),
        text(3, &identity.plant_id, 32),
        text(4, &identity.copyright, 26),
        text(5, &identity.serial_number, 24),
        text(7, &identity.module_type_name, 32),
        text(8, &identity.memory_card_serial, 32),
    ] {
        records.push(&[&index, &value]);
    }
    // Manufacturer id (Siemens, 0x002A), profile id F600, profile-specific type 0001.
    records.push(&[&[0x00, 0x09], &[0x00, 0x2A, 0xF6, 0x00, 0x00, 0x01]]);
    records.push(&[&[0x00, 0x0A]]);
    records.push(&[&[0x00, 0x0B], &field(&identity.location, 32, 0)]);
    records
}

fn cpu_state(source: &SzlSource<'_>) -> Records {
    let mut records = Records::new(CPU_STATE_RECORD_LEN);
    let time = source
        .last_change
        .to_date_and_time()
        .unwrap_or([0x90, 0x01, 0x01, 0, 0, 0, 0, 0x02]);
    records.push(&[
        &[0x51, 0x44, 0xFF, source.state.mode_byte()],
        &[0; 8],
        &time,
    ]);
    records
}

/// The payload (partial list header and records) of SZL `id` / `index`, or the error code
/// of the userdata answer.
pub(super) fn build(source: &SzlSource<'_>, id: u16, index: u16) -> Result<Vec<u8>, ErrorCode> {
    const LIST_HEADER: u16 = HEADER_ONLY | SZL_LIST;
    const MODULE_SINGLE: u16 = SINGLE_RECORD | MODULE_IDENTIFICATION;
    const MODULE_HEADER: u16 = HEADER_ONLY | MODULE_IDENTIFICATION;
    const COMPONENT_SINGLE: u16 = SINGLE_RECORD | COMPONENT_IDENTIFICATION;
    const COMPONENT_HEADER: u16 = HEADER_ONLY | COMPONENT_IDENTIFICATION;
    let list = || {
        let mut list = Records::new(2);
        for supported in source.served.ids() {
            list.push(&[&supported.to_be_bytes()]);
        }
        list
    };
    if !source.served.contains(id) {
        return Err(ErrorCode::INVALID_SZL_ID);
    }
    match id {
        SZL_LIST => Ok(list().finish(false)),
        LIST_HEADER => Ok(list().finish(true)),
        MODULE_IDENTIFICATION => Ok(module_identification(source.identity).finish(false)),
        MODULE_SINGLE => module_identification(source.identity).single(index),
        MODULE_HEADER => Ok(module_identification(source.identity).finish(true)),
        COMPONENT_IDENTIFICATION => Ok(component_identification(source.identity).finish(false)),
        COMPONENT_SINGLE => component_identification(source.identity).single(index),
        COMPONENT_HEADER => Ok(component_identification(source.identity).finish(true)),
        CPU_STATE => Ok(cpu_state(source).finish(false)),
        _ => super::szl_lists::build(source, id, index).unwrap_or(Err(ErrorCode::INVALID_SZL_ID)),
    }
}
