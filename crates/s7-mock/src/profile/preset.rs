//! CPU presets: what a client can observe of an S7 CPU family.
//!
//! | preset | CPU | order code | firmware | max PDU | parallel jobs | connections | SZL `0x001C` (ids served) |
//! | --- | --- | --- | --- | --- | --- | --- | --- |
//! | `s7-300` | CPU 315-2 PN/DP | `6ES7 315-2EH14-0AB0` | V3.2.6 | 240 | 1 | 16 | served (37) |
//! | `s7-400` | CPU 416-3 PN/DP | `6ES7 416-3ES07-0AB0` | V7.0.3 | 480 | 1 | 96 | served (37) |
//! | `s7-1200` | CPU 1214C DC/DC/DC | `6ES7 214-1AG40-0XB0` | V4.4.0 | 240 | 1 | 16 | refused (`D4 01`) (34) |
//! | `s7-1500` | CPU 1516-3 PN/DP | `6ES7 516-3AN01-0AB0` | V2.9.4 | 960 | 1 | 256 | served (37) |
//!
//! | preset | work memory | load memory | backup | slot | MPI / K-bus | code blocks |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | `s7-300` | 384 KB | 8 MB plugged (MMC), 8 MB at most | 128 KB | 2 | 187.5 kbit/s | STL |
//! | `s7-400` | 16 MB | 1 MB integrated, 64 MB at most | none (battery-backed RAM) | 3 | 187.5 kbit/s | STL |
//! | `s7-1200` | 100 KB | 4 MB integrated | 10 KB | 1 | none | LAD |
//! | `s7-1500` | 6 MB | 24 MB plugged (SIMATIC memory card) | 512 KB | 1 | none | LAD |
//!
//! Where each value comes from is in `docs/profile.md`.

use crate::plc::{CpuModel, Identity, SZL_IDS};
use s7comm::block::format::LANG_LAD;
use s7comm::szl::COMPONENT_IDENTIFICATION;

/// 1 KiB, the "KB" of Siemens' data sheets.
const KIB: u32 = 1024;
/// 1 MiB.
const MIB: u32 = 1024 * KIB;

/// A CPU family the mock can pose as: identity, largest PDU, parallel jobs, connection limit
/// and the SZL lists served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// S7-300: a CPU 315-2 PN/DP.
    S7300,
    /// S7-400: a CPU 416-3 PN/DP.
    S7400,
    /// S7-1200: a CPU 1214C DC/DC/DC.
    S71200,
    /// S7-1500: a CPU 1516-3 PN/DP.
    S71500,
}

const COPYRIGHT: &str = "Original Siemens Equipment";

/// What an S7-1200 serves: every list but component identification (`0x001C`, `0x011C`,
/// `0x0F1C`).
const WITHOUT_COMPONENT_IDENTIFICATION: [u16; SZL_IDS.len() - 3] = without_component_ids();

const fn without_component_ids() -> [u16; SZL_IDS.len() - 3] {
    let mut out = [0u16; SZL_IDS.len() - 3];
    let mut from = 0;
    let mut to = 0;
    while from < SZL_IDS.len() && to < out.len() {
        let id = SZL_IDS[from];
        if id & 0x00FF != COMPONENT_IDENTIFICATION {
            out[to] = id;
            to += 1;
        }
        from += 1;
    }
    out
}

impl Preset {
    /// Every preset, oldest family first.
    pub const ALL: [Preset; 4] = [Self::S7300, Self::S7400, Self::S71200, Self::S71500];

    /// The name a profile uses: `s7-300`, `s7-400`, `s7-1200`, `s7-1500`.
    pub fn name(self) -> &'static str {
        match self {
            Self::S7300 => "s7-300",
            Self::S7400 => "s7-400",
            Self::S71200 => "s7-1200",
            Self::S71500 => "s7-1500",
        }
    }

    /// The preset called `name` (as [`name`](Self::name) spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|preset| preset.name() == name)
    }

    /// What the CPU reports in SZL `0x0011` and `0x001C`.
    pub fn identity(self) -> Identity {
        let (order, firmware, system, module, serial, module_type) = match self {
            Self::S7300 => (
                "6ES7 315-2EH14-0AB0",
                (3, 2, 6),
                "SIMATIC 300(1)",
                "CPU 315-2 PN/DP",
                "S C-C2UR28922012",
                "CPU 315-2 PN/DP",
            ),
            Self::S7400 => (
                "6ES7 416-3ES07-0AB0",
                (7, 0, 3),
                "SIMATIC 400(1)",
                "CPU 416-3 PN/DP",
                "S Q-D7V214772015",
                "CPU 416-3 PN/DP",
            ),
            Self::S71200 => (
                "6ES7 214-1AG40-0XB0",
                (4, 4, 0),
                "S7-1200 station_1",
                "PLC_1",
                "S V-L9AB12342019",
                "CPU 1214C DC/DC/DC",
            ),
            Self::S71500 => (
                "6ES7 516-3AN01-0AB0",
                (2, 9, 4),
                "S71500/ET200MP station_1",
                "PLC_1",
                "S C-X4U421302016",
                "CPU 1516-3 PN/DP",
            ),
        };
        Identity {
            order_number: order.into(),
            firmware_version: firmware,
            system_name: system.into(),
            module_name: module.into(),
            plant_id: String::new(),
            copyright: COPYRIGHT.into(),
            serial_number: serial.into(),
            module_type_name: module_type.into(),
            memory_card_serial: String::new(),
            location: String::new(),
        }
    }

    /// The largest PDU the CPU negotiates.
    pub fn max_pdu_size(self) -> u16 {
        match self {
            Self::S7300 | Self::S71200 => 240,
            Self::S7400 => 480,
            Self::S71500 => 960,
        }
    }

    /// The largest number of parallel jobs (max AmQ) granted each way.
    pub fn max_parallel_jobs(self) -> u16 {
        1
    }

    /// How many connections the CPU accepts at once.
    pub fn max_connections(self) -> usize {
        match self {
            Self::S7300 | Self::S71200 => 16,
            Self::S7400 => 96,
            Self::S71500 => 256,
        }
    }

    /// The SZL ids served (a subset of [`SZL_IDS`]).
    pub fn szl_ids(self) -> &'static [u16] {
        match self {
            Self::S71200 => &WITHOUT_COMPONENT_IDENTIFICATION,
            Self::S7300 | Self::S7400 | Self::S71500 => &SZL_IDS,
        }
    }

    /// Memory sizes, slot, bus rates and the default language of code blocks (see
    /// [`CpuModel`]; the sources are in `docs/profile.md`).
    pub fn cpu_model(self) -> CpuModel {
        match self {
            Self::S7300 => CpuModel::default(),
            Self::S7400 => CpuModel {
                work_memory: 16 * MIB,
                integrated_load_memory: MIB,
                plugged_load_memory: 0,
                max_load_memory: 64 * MIB,
                backup_memory: 0,
                slot: 3,
                ..CpuModel::default()
            },
            Self::S71200 => CpuModel {
                work_memory: 100 * KIB,
                integrated_load_memory: 4 * MIB,
                plugged_load_memory: 0,
                max_load_memory: u32::MAX,
                backup_memory: 10 * KIB,
                slot: 1,
                mpi_rate: 0,
                kbus_rate: 0,
                code_language: LANG_LAD,
            },
            Self::S71500 => CpuModel {
                work_memory: 6 * MIB,
                integrated_load_memory: 0,
                plugged_load_memory: 24 * MIB,
                max_load_memory: u32::MAX,
                backup_memory: 512 * KIB,
                slot: 1,
                mpi_rate: 0,
                kbus_rate: 0,
                code_language: LANG_LAD,
            },
        }
    }

    /// Whether the CPU serves SZL `0x001C` (component identification).
    pub fn serves_component_identification(self) -> bool {
        self.szl_ids().contains(&COMPONENT_IDENTIFICATION)
    }
}

impl core::fmt::Display for Preset {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
