//! The diagnostic buffer (SZL `0x00A0` / `0x01A0`) and the last mode transition (SZL
//! `0x0124`).
//!
//! Mode changes are entered as the CPU goes through them, with the event ids Siemens
//! documents for S7-300/400 CPUs (system manual, "diagnostic events"):
//!
//! | change | entries, oldest first |
//! | --- | --- |
//! | RUN → STOP (PLC stop job, control API, [`Plc::set_cpu_state`]) | `0x4304` STOP caused by PG STOP operation |
//! | STOP → RUN (PLC start job, ...) | `0x1381` request for manual warm restart, `0x4301` mode transition STOP → STARTUP, `0x4302` STARTUP → RUN |
//! | a PLC built in RUN | `0x1382` request for automatic warm restart, `0x4301`, `0x4302` |
//! | a PLC built in STOP | `0x4300` backed-up power on |
//!
//! [`Plc::push_diagnostic`] adds any other event. The buffer keeps the newest entries up to
//! its capacity ([`DEFAULT_DIAGNOSTIC_CAPACITY`]); SZL `0x00A0` lists them newest first.
//!
//! Each entry is 20 bytes on the wire:
//!
//! ```text
//! event id (2) | priority class (1) | OB number (1) | DatID (2) | info 1 (2) | info 2 (4) | time stamp (8, BCD DATE_AND_TIME)
//! ```

use std::collections::VecDeque;
use std::sync::PoisonError;

use s7comm::clock::S7DateTime;

use super::{CpuState, Plc};

/// Entries the diagnostic buffer keeps by default (an S7-300 CPU keeps 100).
pub const DEFAULT_DIAGNOSTIC_CAPACITY: usize = 100;

/// Event `0x4300`: backed-up power on.
pub const EVENT_POWER_ON: u16 = 0x4300;
/// Event `0x4301`: mode transition from STOP to STARTUP.
pub const EVENT_STOP_TO_STARTUP: u16 = 0x4301;
/// Event `0x4302`: mode transition from STARTUP to RUN.
pub const EVENT_STARTUP_TO_RUN: u16 = 0x4302;
/// Event `0x4304`: STOP caused by a PG STOP operation (or SFB 20 "STOP").
pub const EVENT_STOP_BY_PG: u16 = 0x4304;
/// Event `0x1381`: request for a manual warm restart.
pub const EVENT_MANUAL_WARM_RESTART: u16 = 0x1381;
/// Event `0x1382`: request for an automatic warm restart.
pub const EVENT_AUTOMATIC_WARM_RESTART: u16 = 0x1382;

/// Mode codes of SZL `0x0424` / `0x0124` and of mode transition events.
pub(crate) const MODE_STOP: u8 = 0x04;
pub(crate) const MODE_WARM_RESTART: u8 = 0x06;
pub(crate) const MODE_RUN: u8 = 0x08;

/// One entry of the diagnostic buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DiagnosticEvent {
    /// Event id, e.g. `0x4302`.
    pub event_id: u16,
    /// Priority class (`0xFF` for operating system events).
    pub priority: u8,
    /// OB number (`0xFF` for operating system events).
    pub ob: u8,
    /// DatID: what info 1 and info 2 hold.
    pub dat_id: u16,
    /// Additional information 1.
    pub info1: u16,
    /// Additional information 2.
    pub info2: u32,
    /// When the event happened; `None` takes the PLC clock when it is pushed.
    pub time: Option<S7DateTime>,
}

impl DiagnosticEvent {
    /// An event with id `event_id`, priority and OB `0xFF`, no additional information,
    /// stamped when pushed.
    pub fn new(event_id: u16) -> Self {
        Self {
            event_id,
            priority: 0xFF,
            ob: 0xFF,
            dat_id: 0,
            info1: 0,
            info2: 0,
            time: None,
        }
    }

    /// The 20 bytes of the SZL `0x00A0` record.
    pub fn to_record(&self) -> [u8; 20] {
        let mut out = [0u8; 20];
        let time = self
            .time
            .and_then(|t| t.to_date_and_time().ok())
            .unwrap_or([0x90, 0x01, 0x01, 0, 0, 0, 0, 0x02]);
        let fields = self
            .event_id
            .to_be_bytes()
            .into_iter()
            .chain([self.priority, self.ob])
            .chain(self.dat_id.to_be_bytes())
            .chain(self.info1.to_be_bytes())
            .chain(self.info2.to_be_bytes())
            .chain(time);
        for (slot, byte) in out.iter_mut().zip(fields) {
            *slot = byte;
        }
        out
    }
}

/// A mode transition event: `info1` holds the previous mode in its high byte and the new one
/// in its low byte; DatID `C4 00` (operating system, mode transition).
fn transition(event_id: u16, from: u8, to: u8, time: S7DateTime) -> DiagnosticEvent {
    DiagnosticEvent {
        dat_id: 0xC400,
        info1: u16::from_be_bytes([from, to]),
        time: Some(time),
        ..DiagnosticEvent::new(event_id)
    }
}

/// The last mode transition, as SZL `0x0124` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LastTransition {
    pub(crate) event_id: u16,
    pub(crate) from: u8,
    pub(crate) to: u8,
    pub(crate) time: S7DateTime,
}

/// The buffer and the last transition, behind the PLC's mutex.
#[derive(Debug)]
pub(crate) struct Diagnostics {
    capacity: usize,
    /// Newest at the front.
    entries: VecDeque<DiagnosticEvent>,
    pub(crate) last_transition: Option<LastTransition>,
}

impl Diagnostics {
    pub(crate) fn new(capacity: usize, state: CpuState, now: S7DateTime) -> Self {
        let mut diagnostics = Self {
            capacity: capacity.max(1),
            entries: VecDeque::new(),
            last_transition: None,
        };
        match state {
            CpuState::Run => diagnostics.start(EVENT_AUTOMATIC_WARM_RESTART, now),
            CpuState::Stop => diagnostics.push(DiagnosticEvent {
                time: Some(now),
                ..DiagnosticEvent::new(EVENT_POWER_ON)
            }),
        }
        diagnostics
    }

    pub(crate) fn push(&mut self, event: DiagnosticEvent) {
        while self.entries.len() >= self.capacity {
            self.entries.pop_back();
        }
        self.entries.push_front(event);
    }

    fn start(&mut self, request: u16, now: S7DateTime) {
        self.push(DiagnosticEvent {
            time: Some(now),
            ..DiagnosticEvent::new(request)
        });
        self.push(transition(
            EVENT_STOP_TO_STARTUP,
            MODE_STOP,
            MODE_WARM_RESTART,
            now,
        ));
        self.push(transition(
            EVENT_STARTUP_TO_RUN,
            MODE_WARM_RESTART,
            MODE_RUN,
            now,
        ));
        self.last_transition = Some(LastTransition {
            event_id: EVENT_STARTUP_TO_RUN,
            from: MODE_WARM_RESTART,
            to: MODE_RUN,
            time: now,
        });
    }

    /// Enters the events of a change to `state`.
    pub(crate) fn entered(&mut self, state: CpuState, now: S7DateTime) {
        match state {
            CpuState::Run => self.start(EVENT_MANUAL_WARM_RESTART, now),
            CpuState::Stop => {
                self.push(transition(EVENT_STOP_BY_PG, MODE_RUN, MODE_STOP, now));
                self.last_transition = Some(LastTransition {
                    event_id: EVENT_STOP_BY_PG,
                    from: MODE_RUN,
                    to: MODE_STOP,
                    time: now,
                });
            }
        }
    }

    /// The entries, newest first.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &DiagnosticEvent> {
        self.entries.iter()
    }
}

impl Plc {
    pub(crate) fn diagnostics(&self) -> std::sync::MutexGuard<'_, Diagnostics> {
        self.shared
            .diagnostics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `event` to the diagnostic buffer (stamped with the PLC clock when its `time` is
    /// `None`); the oldest entry goes when the buffer is full.
    pub fn push_diagnostic(&self, event: DiagnosticEvent) {
        let event = DiagnosticEvent {
            time: Some(event.time.unwrap_or_else(|| self.clock())),
            ..event
        };
        self.diagnostics().push(event);
    }

    /// The diagnostic buffer, newest first.
    pub fn diagnostic_buffer(&self) -> Vec<DiagnosticEvent> {
        self.diagnostics().entries().copied().collect()
    }
}
