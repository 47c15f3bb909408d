//! The PLC: shared state ([`Plc`]), per-connection state ([`Session`]) and the request
//! handler ([`Plc::handle`]).
//!
//! `handle` is a pure function of the PLC state, the session and the request bytes: it
//! writes the answer into a caller-provided, reused `Vec<u8>` and does no I/O. A read var
//! request is answered without heap allocation once that vector has the capacity of one
//! PDU (items are iterated in place; memory is read under one read lock).
//!
//! # What is answered how
//!
//! | request | answer |
//! | --- | --- |
//! | setup communication | PDU size `min(requested, max)` (at least [`MIN_PDU_SIZE`]), parallel jobs `min(requested, max)` (at least 1) |
//! | read var / write var | one item per item with its [`ReturnCode`](s7comm::ReturnCode); all items of a write are applied under one write lock |
//! | read var with no items (python-snap7 3.3.0's `get_cpu_state` sends the bare function code) | an empty read answer, `04 00`: that client reports RUN whatever the answer says, read SZL `0x0424` for the real state |
//! | PLC stop / PLC control (`P_PROGRAM`) | CPU state STOP / RUN (entered in the diagnostic buffer); `_GARB` and `_MODU` are acknowledged; `_DELE` / `_INSE` see [`blocks`] |
//! | set / clear session password (userdata group 5) | see [`protection`] |
//! | SZL read | see [`szl_data`](self#szl-lists); answers larger than a PDU are split into parts fetched with follow-up requests |
//! | clock read / set | the PLC clock (system time plus an offset, UTC) |
//! | block functions (list blocks, list of type, block info), upload, download, `_DELE` / `_INSE` | see [`blocks`]: a directory of every DB plus the declared OBs, FCs, FBs, SFCs, SFBs and SDBs |
//! | request larger than the session's PDU size, read whose answer would exceed it, parameters that do not decode | header error `85 00` ([`ErrorCode::PDU_SIZE`](s7comm::ErrorCode::PDU_SIZE)) |
//! | any other job function | header error `81 04` ([`ErrorCode::NOT_IMPLEMENTED`](s7comm::ErrorCode::NOT_IMPLEMENTED)) |
//! | any other userdata service | userdata answer with error `81 04` in its parameters |
//!
//! Header errors are answered as a bare acknowledgement (ROSCTR `02`, 12 bytes, no
//! parameters or data), as S7-1200/1500 CPUs do. The session stays usable after every one
//! of these answers.
//!
//! # When `handle` returns an error
//!
//! Only when the request is not an S7comm PDU at all: shorter than a header, protocol id
//! not `0x32`, ROSCTR not job (`01`) or userdata (`07`) (ack-data `03` is accepted only as
//! the client's answer to the PLC's own download jobs, see [`blocks`]), or parameter and data lengths that
//! do not add up to the TSDU length. Then nothing is written to `out` and the server
//! should **close the connection** — what S7 CPUs and snap7's server do, since the
//! connection's framing can no longer be trusted.
//!
//! # SZL lists
//!
//! `0x0000` (supported ids), `0x0011` module identification (28-byte records),
//! `0x001C` component identification (34-byte records), `0x0424` CPU state (mode byte
//! `08` RUN, `04` STOP), plus the single-record (`0x0111`, `0x011C`) and header-only
//! (`0x0F00`, `0x0F11`, `0x0F1C`) variants; and (`szl_lists`) CPU characteristics, memory,
//! system areas, block types, interrupt status, LEDs, module status, the diagnostic buffer
//! ([`diagnostics`]), mode transitions, communication capabilities and protection
//! ([`protection`]): [`SZL_IDS`] lists all 37. Other ids are answered with error `D4 01`.
//!
//! # Protection
//!
//! See [`protection`]: at level 2 writes and stop/start, at level 3 reads too, are answered
//! with header error `D2 41` until the connection sends the password (userdata group 5).
//!
//! # Example
//!
//! ```
//! use s7comm::{RequestPdu, Request, ResponsePdu, Response, SetupCommunication};
//! use s7_mock::plc::{NoHooks, Plc};
//!
//! let plc = Plc::builder().max_pdu_size(480).build()?;
//! let mut session = plc.session();
//! let setup = RequestPdu::new(
//!     1,
//!     Request::SetupCommunication(SetupCommunication {
//!         max_amq_calling: 1,
//!         max_amq_called: 1,
//!         pdu_length: 960,
//!         ..Default::default()
//!     }),
//! );
//! let bytes = setup.to_bytes()?;
//! let mut out = Vec::new();
//! let handled = plc.handle(&mut session, &bytes, &mut out, &mut NoHooks)?;
//! assert_eq!(handled.error, None);
//! assert_eq!(session.pdu_size(), 480);
//! let Response::SetupCommunication(granted) = ResponsePdu::parse(&out)?.response else {
//!     panic!("not a setup answer");
//! };
//! assert_eq!(granted.pdu_length, 480);
//! # Ok::<(), s7_mock::Error>(())
//! ```
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod access;
pub mod blocks;
pub mod diagnostics;
mod handled;
mod handler;
mod hooks;
mod identity;
mod model;
pub mod protection;
mod session;
mod single_read;
mod supplied;
mod szl_data;
mod szl_lists;

use std::sync::atomic::{AtomicI64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{
    Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::Error;
use crate::memory::{Memory, MAX_REGION_LEN};
use crate::tags::TagTable;
use s7comm::clock::{S7DateTime, END_UNIX_MILLIS, MIN_UNIX_MILLIS};
use s7comm::szl::{MODE_RUN, MODE_STOP};

pub use blocks::{BlockMeta, BlockSpec};
pub use diagnostics::{
    DiagnosticEvent, DEFAULT_DIAGNOSTIC_CAPACITY, EVENT_AUTOMATIC_WARM_RESTART,
    EVENT_MANUAL_WARM_RESTART, EVENT_POWER_ON, EVENT_STARTUP_TO_RUN, EVENT_STOP_BY_PG,
    EVENT_STOP_TO_STARTUP,
};
pub use handled::{Handled, RequestKind, RequestRecord};
pub use hooks::{FailItem, Hooks, ItemOperation, NoHooks, READ_HOOK_LENGTH_MISMATCH};
pub use identity::Identity;
pub use model::CpuModel;
pub use protection::{Access, ProtectionLevel};
pub use s7comm::block::BlockType;
pub use session::Session;

use szl_data::ServedSzl;

/// Every SZL id the mock can serve (see [SZL lists](self#szl-lists)), in the order SZL
/// `0x0000` lists them; [`PlcBuilder::szl_ids`] picks a subset.
pub const SZL_IDS: [u16; 37] = szl_data::SUPPORTED;

pub use szl_lists::szl_default_index;

/// Smallest PDU size the PLC negotiates or can be configured with.
pub const MIN_PDU_SIZE: u16 = 64;
/// Largest PDU size the PLC can be configured with.
pub const MAX_PDU_SIZE: u16 = 960;
/// Default PDU size.
pub const DEFAULT_PDU_SIZE: u16 = 480;

/// The CPU's operating mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuState {
    /// RUN (SZL `0x0424` mode byte `08`).
    Run,
    /// STOP (mode byte `04`).
    Stop,
}

impl CpuState {
    /// The mode byte of SZL `0x0424`.
    pub fn mode_byte(self) -> u8 {
        match self {
            Self::Run => MODE_RUN,
            Self::Stop => MODE_STOP,
        }
    }
}

/// Limits fixed when the PLC is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Config {
    pub(crate) max_pdu_size: u16,
    pub(crate) max_parallel_jobs: u16,
    pub(crate) served_szl: ServedSzl,
    pub(crate) password: Option<[u8; s7comm::security::PASSWORD_LEN]>,
    pub(crate) protection_level: ProtectionLevel,
    pub(crate) diagnostic_capacity: usize,
    pub(crate) model: CpuModel,
}

#[derive(Debug, Clone, Copy)]
struct CpuStatus {
    state: CpuState,
    changed_at_millis: i64,
}

#[derive(Debug)]
struct Shared {
    memory: RwLock<Memory>,
    cpu: Mutex<CpuStatus>,
    clock_offset_millis: AtomicI64,
    identity: Identity,
    config: Config,
    /// The simulated tags of the server that serves this PLC, refreshed before a read var
    /// touches them; unset (and free) without simulated tags.
    simulation: OnceLock<Arc<TagTable>>,
    /// [`ProtectionLevel::number`] of the level in force.
    protection_level: AtomicU8,
    /// The password, space-padded to 8 bytes.
    password: Option<[u8; s7comm::security::PASSWORD_LEN]>,
    diagnostics: Mutex<diagnostics::Diagnostics>,
    /// The connection limit of the server serving this PLC (SZL `0x0131` index 1).
    max_connections: AtomicUsize,
    /// Blocks other than data block contents (see [`blocks`]).
    blocks: Mutex<blocks::Directory>,
}

/// A mock S7 PLC: memory, CPU state, clock and identity, shared by all its connections.
///
/// Cloning is cheap and yields a handle to the same PLC (the state is behind an `Arc`;
/// memory behind an `RwLock` whose poisoning is recovered from, never unwrapped).
#[derive(Debug, Clone)]
pub struct Plc {
    shared: Arc<Shared>,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(MIN_UNIX_MILLIS)
}

/// The calendar time of `millis`, clamped into what the S7 clock can show.
fn calendar(millis: i64) -> S7DateTime {
    let clamped = millis.clamp(MIN_UNIX_MILLIS, END_UNIX_MILLIS.saturating_sub(1));
    S7DateTime::from_unix_millis(clamped).unwrap_or(S7DateTime {
        year: 1990,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        millisecond: 0,
        weekday: 2,
    })
}

impl Default for Plc {
    fn default() -> Self {
        Self::from_parts(
            Memory::default(),
            Identity::default(),
            CpuState::Run,
            Config {
                max_pdu_size: DEFAULT_PDU_SIZE,
                max_parallel_jobs: 1,
                served_szl: ServedSzl::ALL,
                password: None,
                protection_level: ProtectionLevel::None,
                diagnostic_capacity: DEFAULT_DIAGNOSTIC_CAPACITY,
                model: CpuModel::default(),
            },
            blocks::Directory::new(blocks::DEFAULT_MAX_BLOCK_SIZE),
        )
    }
}

impl Plc {
    /// A builder with the defaults: PDU 480, one parallel job, 2048 bytes each of inputs,
    /// outputs and flags, 256 timers and 256 counters, no data blocks, RUN, a CPU 315-2
    /// PN/DP identity.
    pub fn builder() -> PlcBuilder {
        PlcBuilder::default()
    }

    fn from_parts(
        memory: Memory,
        identity: Identity,
        state: CpuState,
        config: Config,
        directory: blocks::Directory,
    ) -> Self {
        let started = calendar(now_millis());
        Self {
            shared: Arc::new(Shared {
                memory: RwLock::new(memory),
                cpu: Mutex::new(CpuStatus {
                    state,
                    changed_at_millis: now_millis(),
                }),
                clock_offset_millis: AtomicI64::new(0),
                identity,
                config,
                simulation: OnceLock::new(),
                protection_level: AtomicU8::new(config.protection_level.number()),
                password: config.password,
                diagnostics: Mutex::new(diagnostics::Diagnostics::new(
                    config.diagnostic_capacity,
                    state,
                    started,
                )),
                max_connections: AtomicUsize::new(crate::server::DEFAULT_MAX_CONNECTIONS),
                blocks: Mutex::new(directory),
            }),
        }
    }

    /// Installs the simulated tags refreshed before each read var that touches them (once;
    /// `false` if another table was installed before).
    pub(crate) fn install_simulation(&self, tags: Arc<TagTable>) -> bool {
        self.shared.simulation.set(tags).is_ok()
    }

    /// The simulated tags, if a server installed them.
    pub(crate) fn simulation(&self) -> Option<&TagTable> {
        self.shared.simulation.get().map(|tags| &**tags)
    }

    pub(crate) fn config(&self) -> Config {
        self.shared.config
    }

    /// A fresh [`Session`] for a new connection.
    pub fn session(&self) -> Session {
        Session::new(self)
    }

    /// The configured maximum PDU size.
    pub fn max_pdu_size(&self) -> u16 {
        self.shared.config.max_pdu_size
    }

    /// The configured maximum of parallel jobs (each direction).
    pub fn max_parallel_jobs(&self) -> u16 {
        self.shared.config.max_parallel_jobs
    }

    /// The connection limit reported in SZL `0x0131` index 1 (the serving server's, set
    /// when it starts; [`DEFAULT_MAX_CONNECTIONS`](crate::server::DEFAULT_MAX_CONNECTIONS)
    /// before).
    pub fn max_connections(&self) -> usize {
        self.shared.max_connections.load(Ordering::Relaxed)
    }

    pub(crate) fn set_max_connections(&self, max: usize) {
        self.shared.max_connections.store(max, Ordering::Relaxed);
    }

    /// The identity reported in SZL `0x0011` and `0x001C`.
    pub fn identity(&self) -> &Identity {
        &self.shared.identity
    }

    /// The CPU model's memory sizes, slot, bus rates and block defaults.
    pub fn cpu_model(&self) -> CpuModel {
        self.shared.config.model
    }

    /// The SZL ids served (a subset of [`SZL_IDS`]); others are answered with error `D4 01`.
    pub fn szl_ids(&self) -> Vec<u16> {
        self.shared.config.served_szl.ids().collect()
    }

    /// The block directory (poisoning recovered). Lock memory first when both are needed.
    pub(crate) fn directory(&self) -> MutexGuard<'_, blocks::Directory> {
        self.shared
            .blocks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Read access to the memory (poisoning recovered).
    #[inline]
    pub fn memory(&self) -> RwLockReadGuard<'_, Memory> {
        self.shared
            .memory
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Write access to the memory (poisoning recovered). Hold it across several writes to
    /// make them atomic with respect to every connection.
    pub fn memory_mut(&self) -> RwLockWriteGuard<'_, Memory> {
        self.shared
            .memory
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn cpu(&self) -> CpuStatus {
        *self
            .shared
            .cpu
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The CPU's operating mode.
    pub fn cpu_state(&self) -> CpuState {
        self.cpu().state
    }

    /// Changes the operating mode (as PLC stop / start requests do); the time of a change
    /// appears in SZL `0x0424`.
    pub fn set_cpu_state(&self, state: CpuState) {
        let mut cpu = self
            .shared
            .cpu
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if cpu.state != state {
            cpu.state = state;
            cpu.changed_at_millis = self.clock_millis();
            self.diagnostics()
                .entered(state, calendar(cpu.changed_at_millis));
        }
    }

    /// When the operating mode last changed, on the PLC clock.
    pub fn last_state_change(&self) -> S7DateTime {
        calendar(self.cpu().changed_at_millis)
    }

    fn clock_millis(&self) -> i64 {
        now_millis().saturating_add(self.clock_offset_millis())
    }

    /// The PLC clock: system time (UTC) plus the offset.
    pub fn clock(&self) -> S7DateTime {
        calendar(self.clock_millis())
    }

    /// Sets the PLC clock to `time` (read as UTC) by adjusting the offset.
    pub fn set_clock(&self, time: &S7DateTime) -> Result<(), Error> {
        time.validate()?;
        let target = time.to_unix_millis().ok_or_else(|| {
            Error::from(s7comm::Error::InvalidValue {
                what: "clock",
                value: u32::from(time.year),
            })
        })?;
        self.set_clock_offset_millis(target.saturating_sub(now_millis()));
        Ok(())
    }

    /// Milliseconds the PLC clock runs ahead of system time.
    pub fn clock_offset_millis(&self) -> i64 {
        self.shared.clock_offset_millis.load(Ordering::Relaxed)
    }

    /// Sets how far the PLC clock runs ahead of system time.
    pub fn set_clock_offset_millis(&self, offset: i64) {
        self.shared
            .clock_offset_millis
            .store(offset, Ordering::Relaxed);
    }
}

/// Builds a [`Plc`]; see [`Plc::builder`] for the defaults.
#[derive(Debug, Clone)]
pub struct PlcBuilder {
    max_pdu_size: u16,
    max_parallel_jobs: u16,
    inputs: usize,
    outputs: usize,
    flags: usize,
    timers: usize,
    counters: usize,
    data_blocks: Vec<(u16, Vec<u8>)>,
    identity: Identity,
    cpu_state: CpuState,
    served_szl: ServedSzl,
    password: Option<Vec<u8>>,
    protection_level: ProtectionLevel,
    diagnostic_capacity: usize,
    blocks: Vec<BlockSpec>,
    max_block_size: usize,
    model: CpuModel,
}

impl Default for PlcBuilder {
    fn default() -> Self {
        Self {
            max_pdu_size: DEFAULT_PDU_SIZE,
            max_parallel_jobs: 1,
            inputs: 2048,
            outputs: 2048,
            flags: 2048,
            timers: 256,
            counters: 256,
            data_blocks: Vec::new(),
            identity: Identity::default(),
            cpu_state: CpuState::Run,
            served_szl: ServedSzl::ALL,
            password: None,
            protection_level: ProtectionLevel::None,
            diagnostic_capacity: DEFAULT_DIAGNOSTIC_CAPACITY,
            blocks: Vec::new(),
            max_block_size: blocks::DEFAULT_MAX_BLOCK_SIZE,
            model: CpuModel::default(),
        }
    }
}

impl PlcBuilder {
    /// Largest PDU size granted ([`MIN_PDU_SIZE`]..=[`MAX_PDU_SIZE`], default 480).
    pub fn max_pdu_size(mut self, size: u16) -> Self {
        self.max_pdu_size = size;
        self
    }

    /// Largest number of parallel jobs granted each way (at least 1, default 1).
    pub fn max_parallel_jobs(mut self, jobs: u16) -> Self {
        self.max_parallel_jobs = jobs;
        self
    }

    /// Size of the process inputs in bytes (up to 2 MiB).
    pub fn inputs(mut self, bytes: usize) -> Self {
        self.inputs = bytes;
        self
    }

    /// Size of the process outputs in bytes (up to 2 MiB).
    pub fn outputs(mut self, bytes: usize) -> Self {
        self.outputs = bytes;
        self
    }

    /// Size of the flags (merkers) in bytes (up to 2 MiB).
    pub fn flags(mut self, bytes: usize) -> Self {
        self.flags = bytes;
        self
    }

    /// Number of timers (up to 65536).
    pub fn timers(mut self, count: usize) -> Self {
        self.timers = count;
        self
    }

    /// Number of counters (up to 65536).
    pub fn counters(mut self, count: usize) -> Self {
        self.counters = count;
        self
    }

    /// Adds data block `number` of `size` zero bytes (replacing an earlier one).
    pub fn data_block(self, number: u16, size: usize) -> Self {
        self.data_block_with(number, vec![0; size.min(MAX_REGION_LEN.saturating_add(1))])
    }

    /// Adds data block `number` with initial contents (replacing an earlier one).
    pub fn data_block_with(mut self, number: u16, contents: Vec<u8>) -> Self {
        self.data_blocks.retain(|(n, _)| *n != number);
        self.data_blocks.push((number, contents));
        self
    }

    /// The identity reported in SZL `0x0011` and `0x001C`.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = identity;
        self
    }

    /// Initial operating mode (default RUN).
    pub fn cpu_state(mut self, state: CpuState) -> Self {
        self.cpu_state = state;
        self
    }

    /// Serves only these SZL ids (default: all of [`SZL_IDS`]; ids not in it are ignored).
    /// An id left out is answered with error `D4 01` and missing from SZL `0x0000`, as on a
    /// CPU family that does not have that list (an S7-1200 has no `0x001C`).
    pub fn szl_ids(mut self, ids: &[u16]) -> Self {
        self.served_szl = ServedSzl::of(ids);
        self
    }

    /// The CPU's password (1 to 8 bytes, compared space-padded to 8 as CPUs do); see
    /// [`protection`].
    pub fn password(mut self, password: impl AsRef<[u8]>) -> Self {
        self.password = Some(password.as_ref().to_vec());
        self
    }

    /// The protection level (default [`ProtectionLevel::None`]). Level 2 or 3 needs a
    /// [`password`](Self::password): [`build`](Self::build) fails with
    /// [`Error::ProtectionWithoutPassword`] without one.
    pub fn protection_level(mut self, level: ProtectionLevel) -> Self {
        self.protection_level = level;
        self
    }

    /// Entries the diagnostic buffer keeps (default [`DEFAULT_DIAGNOSTIC_CAPACITY`], at
    /// least 1).
    pub fn diagnostic_capacity(mut self, entries: usize) -> Self {
        self.diagnostic_capacity = entries.max(1);
        self
    }

    /// Declares a block (replacing an earlier one of the same type and number). A DB also
    /// creates its data block (body as contents) unless one was added with
    /// [`data_block`](Self::data_block); its metadata then describes that data block.
    pub fn block(mut self, spec: BlockSpec) -> Self {
        self.blocks
            .retain(|b| (b.block_type, b.number) != (spec.block_type, spec.number));
        self.blocks.push(spec);
        self
    }

    /// Largest load memory length a download may declare (default and maximum 65535).
    pub fn max_block_size(mut self, bytes: usize) -> Self {
        self.max_block_size = bytes;
        self
    }

    /// What the CPU model reports beyond its identity: memory sizes (SZL `0x0013`), slot
    /// (`0x0091`), bus rates (`0x0131`) (default [`CpuModel::default`], a CPU 315-2 PN/DP).
    /// Blocks declared with [`BlockSpec::for_model`] take its block defaults.
    pub fn cpu_model(mut self, model: CpuModel) -> Self {
        self.model = model;
        self
    }

    /// Bytes of a byte area (elements for timers and counters) this builder will create;
    /// [`Error::NoSuchDataBlock`] for a data block it does not have.
    pub(crate) fn area_len(&self, area: s7comm::Area, db: u16) -> Result<usize, Error> {
        match area {
            s7comm::Area::Inputs => Ok(self.inputs),
            s7comm::Area::Outputs => Ok(self.outputs),
            s7comm::Area::Flags => Ok(self.flags),
            s7comm::Area::Timers => Ok(self.timers),
            s7comm::Area::Counters => Ok(self.counters),
            s7comm::Area::DataBlock => self
                .data_blocks
                .iter()
                .find(|(number, _)| *number == db)
                .map(|(_, contents)| contents.len())
                .ok_or(Error::NoSuchDataBlock(db)),
            s7comm::Area::Other(_) => Ok(0),
        }
    }

    /// Validates the settings and builds the PLC.
    pub fn build(self) -> Result<Plc, Error> {
        if !(MIN_PDU_SIZE..=MAX_PDU_SIZE).contains(&self.max_pdu_size) {
            return Err(Error::InvalidConfig {
                what: "max pdu size",
                value: usize::from(self.max_pdu_size),
                min: usize::from(MIN_PDU_SIZE),
                max: usize::from(MAX_PDU_SIZE),
            });
        }
        if self.max_parallel_jobs == 0 {
            return Err(Error::InvalidConfig {
                what: "max parallel jobs",
                value: 0,
                min: 1,
                max: usize::from(u16::MAX),
            });
        }
        let password = match &self.password {
            None => None,
            Some(password) => Some(s7comm::security::pad_password(password).map_err(|_| {
                Error::InvalidConfig {
                    what: "password length",
                    value: password.len(),
                    min: 1,
                    max: s7comm::security::PASSWORD_LEN,
                }
            })?),
        };
        if password.is_none() && self.protection_level != ProtectionLevel::None {
            return Err(Error::ProtectionWithoutPassword {
                level: self.protection_level.number(),
            });
        }
        let mut memory = Memory::new(
            self.inputs,
            self.outputs,
            self.flags,
            self.timers,
            self.counters,
        )?;
        for (number, contents) in self.data_blocks {
            memory.insert_data_block(number, contents)?;
        }
        if self.max_block_size > blocks::DEFAULT_MAX_BLOCK_SIZE {
            return Err(Error::InvalidConfig {
                what: "max block size",
                value: self.max_block_size,
                min: 0,
                max: blocks::DEFAULT_MAX_BLOCK_SIZE,
            });
        }
        let mut directory = blocks::Directory::new(self.max_block_size);
        for spec in self.blocks {
            let largest = blocks::DEFAULT_MAX_BLOCK_SIZE.saturating_sub(blocks::OVERHEAD);
            if spec.size > largest {
                return Err(Error::InvalidConfig {
                    what: "block size",
                    value: spec.size,
                    min: 0,
                    max: largest,
                });
            }
            let body = spec.body_bytes();
            let body = if spec.block_type == BlockType::Db {
                if memory
                    .region_len(crate::memory::Region::DataBlock(spec.number))
                    .is_none()
                {
                    memory.insert_data_block(spec.number, body)?;
                }
                None
            } else {
                Some(body)
            };
            directory.blocks.insert(
                (spec.block_type, spec.number),
                blocks::Stored {
                    meta: spec.meta,
                    body,
                },
            );
        }
        Ok(Plc::from_parts(
            memory,
            self.identity,
            self.cpu_state,
            Config {
                max_pdu_size: self.max_pdu_size,
                max_parallel_jobs: self.max_parallel_jobs,
                served_szl: self.served_szl,
                password,
                protection_level: self.protection_level,
                diagnostic_capacity: self.diagnostic_capacity,
                model: self.model,
            },
            directory,
        ))
    }
}
