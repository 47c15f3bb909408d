//! The SZL lists beyond identification and CPU state, each built from the record layouts
//! Siemens publishes ("System Software for S7-300/400, System and Standard Functions",
//! chapter "System status lists"; the same layouts Wireshark's S7comm dissector decodes).
//!
//! | id | index | records | content |
//! | --- | --- | --- | --- |
//! | `0x0012` | — | 2 bytes | CPU characteristics: feature ids (`0x0001` MC7 processing generating code, `0x0101` 1 ms time system, `0x03xx` MC7 language features) |
//! | `0x0013` / `0x0113` | record 1..5 | 36 bytes | user memory areas ([`CpuModel`](super::CpuModel) sizes): 1 work memory (occupied = the data blocks), 2 integrated load memory, 3 plugged load memory (the data blocks are in the plugged one, else the integrated one), 4 largest pluggable load memory, 5 backup memory |
//! | `0x0014` / `0x0114` | record 1..7 | 8 bytes | system areas (live sizes): 1 PII, 2 PIQ, 3 memory markers, 4 timers, 5 counters, 6 logical address area, 7 local data |
//! | `0x0015` / `0x0115` | block type | 10 bytes | block types: `0x0800` OB, `0x0A00` DB, `0x0B00` SDB, `0x0C00` FC, `0x0E00` FB; count, KB per block, bytes per block |
//! | `0x0022` / `0x0222` | OB number | 28 bytes | interrupt status of OB 1 and OB 100: start information (20), processing ids (2 + 2), reserved (4) |
//! | `0x0025` | — | 4 bytes | process image partitions / force jobs: none (header only, 0 records) |
//! | `0x0074` / `0x0174` | LED id | 4 bytes | LEDs `0x0001` SF, `0x0004` RUN, `0x0005` STOP, `0x0006` FRCE: id, on, blinking (RUN and STOP follow the CPU state) |
//! | `0x0091` | — | 16 bytes | module status: the CPU (rack 0, the model's slot), no error bits |
//! | `0x00A0` | — | 20 bytes | the whole diagnostic buffer, newest first |
//! | `0x01A0` | n | 20 bytes | the newest n entries |
//! | `0x0124` | — | 20 bytes | the last mode transition: event id, `FF`, previous / new mode nibbles, 8 reserved, time |
//! | `0x0131` | 1..4 | 40 bytes | communication capabilities: 1 general (max PDU, max connections, the model's MPI and K-bus rates, 0 without them), 2 test and commissioning, 3 operator interface, 4 object management functions |
//! | `0x0132` | 4 | 40 bytes | protection: index, level set with the mode selector, level set by parameters (0 without password), level in force, mode selector (2 = RUN-P), CRST/WRST switch (0), reserved |
//! | `0x0232` | 4 | 40 bytes | the same record (snap7's `Cli_GetProtection` reads it: `sch_schal`, `sch_par`, `sch_rel`, `bart_sch`, `anl_sch`) |
//!
//! Header-only variants (`0x0Fxx`) give the header of the full list. `0x0131`, `0x0132` and
//! `0x0232` are read by index; index 0 is answered with the first record (index 1, 4, 4)
//! because python-snap7 3.3.0's `get_cp_info` and `get_protection` ask for index 0.

use s7comm::ErrorCode;

use super::diagnostics::MODE_RUN;
use super::szl_data::{Records, SzlSource};
use super::CpuState;
use crate::memory::Region;

pub(super) const INTERRUPT_STATUS: u16 = 0x0022;
pub(super) const INTERRUPT_STATUS_OB: u16 = 0x0222;
pub(super) const PROCESS_IMAGE_PARTITIONS: u16 = 0x0025;
pub(super) const LEDS: u16 = 0x0074;
pub(super) const MODULE_STATUS: u16 = 0x0091;
pub(super) const DIAGNOSTIC_BUFFER: u16 = 0x00A0;
pub(super) const DIAGNOSTIC_NEWEST: u16 = 0x01A0;
pub(super) const LAST_TRANSITION: u16 = 0x0124;
pub(super) const COMMUNICATION_CAPABILITIES: u16 = 0x0131;
pub(super) const COMMUNICATION_STATUS: u16 = 0x0132;
pub(super) const PROTECTION: u16 = 0x0232;

/// LED ids of `0x0074`.
const LED_SF: u16 = 0x0001;
const LED_RUN: u16 = 0x0004;
const LED_STOP: u16 = 0x0005;
const LED_FRCE: u16 = 0x0006;

/// The index a client reads `id` with to get a record (for the `0x01xx` variants and the
/// lists read by index), 0 for the others.
pub fn szl_default_index(id: u16) -> u16 {
    match id {
        0x0111 | 0x0113 | 0x0114 | 0x011C | DIAGNOSTIC_NEWEST | INTERRUPT_STATUS_OB => 1,
        COMMUNICATION_CAPABILITIES => 1,
        COMMUNICATION_STATUS | PROTECTION => 4,
        0x0115 => 0x0800,
        0x0174 => LED_RUN,
        _ => 0,
    }
}

fn characteristics() -> Records {
    let mut r = Records::new(2);
    for feature in [
        0x0001u16, 0x0101, 0x0302, 0x0303, 0x0304, 0x0305, 0x0306, 0x0307, 0x0308, 0x0309, 0x030A,
    ] {
        r.push(&[&feature.to_be_bytes()]);
    }
    r
}

fn user_memory(source: &SzlSource<'_>) -> Records {
    let model = source.plc.config().model;
    let work = model.work_memory;
    let memory = source.plc.memory();
    let used: usize = memory
        .data_block_numbers()
        .filter_map(|n| memory.region_len(Region::DataBlock(n)))
        .sum();
    drop(memory);
    let used = u32::try_from(used).unwrap_or(u32::MAX).min(work);
    let free = work.saturating_sub(used);
    let mut r = Records::new(36);
    // index, code (1 volatile RAM, 2 non-volatile RAM), size, mode (bit 0 volatile, bit 1
    // non-volatile, bit 4 code and data together), granu 0, then ber1/belegt1/block1 for the
    // volatile area and ber2/belegt2/block2 for the non-volatile one.
    let record =
        |index: u16, code: u16, size: u32, mode: u16, volatile: [u32; 3], kept: [u32; 3]| {
            let mut bytes = Vec::with_capacity(36);
            bytes.extend_from_slice(&index.to_be_bytes());
            bytes.extend_from_slice(&code.to_be_bytes());
            bytes.extend_from_slice(&size.to_be_bytes());
            bytes.extend_from_slice(&mode.to_be_bytes());
            bytes.extend_from_slice(&[0, 0]);
            for word in volatile.into_iter().chain(kept) {
                bytes.extend_from_slice(&word.to_be_bytes());
            }
            bytes
        };
    // The data blocks are in the load memory there is: the plugged one, else the
    // integrated one.
    let (integrated_used, plugged_used) = if model.plugged_load_memory > 0 {
        (0, used.min(model.plugged_load_memory))
    } else {
        (used.min(model.integrated_load_memory), 0)
    };
    let load = |index: u16, size: u32, occupied: u32| {
        record(
            index,
            2,
            size,
            0x0002,
            [0; 3],
            [size, occupied, size.saturating_sub(occupied)],
        )
    };
    r.push(&[&record(1, 1, work, 0x0011, [work, used, free], [0; 3])]);
    r.push(&[&load(2, model.integrated_load_memory, integrated_used)]);
    r.push(&[&load(3, model.plugged_load_memory, plugged_used)]);
    r.push(&[&load(4, model.max_load_memory, 0)]);
    r.push(&[&load(5, model.backup_memory, 0)]);
    r
}

fn system_areas(source: &SzlSource<'_>) -> Records {
    let memory = source.plc.memory();
    let len = |region| u16::try_from(memory.region_len(region).unwrap_or(0)).unwrap_or(u16::MAX);
    let inputs = len(Region::Inputs);
    let outputs = len(Region::Outputs);
    let flags = len(Region::Flags);
    let timers = u16::try_from(memory.timers().len()).unwrap_or(u16::MAX);
    let counters = u16::try_from(memory.counters().len()).unwrap_or(u16::MAX);
    drop(memory);
    let mut r = Records::new(8);
    // index, code (1 volatile, 2 retentive, 3 volatile and retentive), quantity, retentive.
    for (index, code, quantity, retentive) in [
        (1u16, 1u16, inputs, 0u16),
        (2, 1, outputs, 0),
        (3, 3, flags, flags.min(16)),
        (4, 3, timers, 0),
        (5, 3, counters, counters.min(8)),
        (6, 1, inputs.max(outputs), 0),
        (7, 1, 32 * 1024, 0),
    ] {
        r.push(&[
            &index.to_be_bytes(),
            &code.to_be_bytes(),
            &quantity.to_be_bytes(),
            &retentive.to_be_bytes(),
        ]);
    }
    r
}

fn block_types() -> Records {
    let mut r = Records::new(10);
    // block type, most blocks, largest block in KB (load memory), largest block in bytes.
    for (kind, count, kbytes, bytes) in [
        (0x0800u16, 20u16, 64u16, 65_536u32),
        (0x0A00, 1024, 64, 65_536),
        (0x0B00, 512, 64, 65_536),
        (0x0C00, 2048, 64, 65_536),
        (0x0E00, 2048, 64, 65_536),
    ] {
        r.push(&[
            &kind.to_be_bytes(),
            &count.to_be_bytes(),
            &kbytes.to_be_bytes(),
            &bytes.to_be_bytes(),
        ]);
    }
    r
}

fn interrupt_status(source: &SzlSource<'_>) -> Records {
    let mut r = Records::new(28);
    let running = source.state == CpuState::Run;
    // OB 1 (free cycle, event 0x1101, priority 1) and OB 100 (warm restart, event 0x1381,
    // priority 27); processing id al1 bit 0 = "interrupt event is locked" while stopped.
    for (ob, event, priority) in [(1u8, 0x1101u16, 1u8), (100, 0x1381, 27)] {
        let locked: u16 = if running { 0 } else { 1 };
        r.push(&[
            &event.to_be_bytes(),
            &[priority, ob],
            &[0; 16],
            &locked.to_be_bytes(),
            &[0; 6],
        ]);
    }
    r
}

fn leds(source: &SzlSource<'_>) -> Records {
    let run = source.state == CpuState::Run;
    let mut r = Records::new(4);
    for (id, on) in [
        (LED_SF, false),
        (LED_RUN, run),
        (LED_STOP, !run),
        (LED_FRCE, false),
    ] {
        r.push(&[&id.to_be_bytes(), &[u8::from(on), 0]]);
    }
    r
}

fn module_status(source: &SzlSource<'_>) -> Records {
    let mut r = Records::new(16);
    // adr1 (rack 0), adr2 (the model's slot), logical address, expected and actual type,
    // reserved, I/O status (no error bits), area id / module width.
    r.push(&[
        &0u16.to_be_bytes(),
        &source.plc.config().model.slot.to_be_bytes(),
        &0x07FFu16.to_be_bytes(),
        &0x00C0u16.to_be_bytes(),
        &0x00C0u16.to_be_bytes(),
        &[0, 0],
        &[0, 0],
        &[0, 0],
    ]);
    r
}

fn diagnostic_buffer(source: &SzlSource<'_>, newest: Option<u16>) -> Records {
    let diagnostics = source.plc.diagnostics();
    let limit = newest.map_or(usize::MAX, usize::from);
    let mut r = Records::new(20);
    for event in diagnostics.entries().take(limit) {
        r.push(&[&event.to_record()]);
    }
    r
}

fn last_transition(source: &SzlSource<'_>) -> Records {
    let last = source.plc.diagnostics().last_transition;
    let mut r = Records::new(20);
    let (event, modes, time) = match last {
        Some(t) => (
            t.event_id,
            (t.from & 0x0F).wrapping_shl(4) | (t.to & 0x0F),
            t.time.to_date_and_time().ok(),
        ),
        None => (0, MODE_RUN, None),
    };
    r.push(&[
        &event.to_be_bytes(),
        &[0xFF, modes],
        &[0; 8],
        &time.unwrap_or([0x90, 0x01, 0x01, 0, 0, 0, 0, 0x02]),
    ]);
    r
}

fn communication_capabilities(source: &SzlSource<'_>) -> Records {
    let config = source.plc.config();
    let connections = u16::try_from(source.plc.max_connections()).unwrap_or(u16::MAX);
    let mut r = Records::new(40);
    // 1: general: max PDU, max connections, MPI rate and K-bus rate (the model's; 0 on a
    // CPU without them).
    r.push(&[
        &1u16.to_be_bytes(),
        &config.max_pdu_size.to_be_bytes(),
        &connections.to_be_bytes(),
        &config.model.mpi_rate.to_be_bytes(),
        &config.model.kbus_rate.to_be_bytes(),
    ]);
    // 2: test and commissioning: block status, variable status (funkt_0 bits 1, 2),
    // modify variable (funkt_1 bit 0).
    r.push(&[&2u16.to_be_bytes(), &[0x06, 0x01]]);
    // 3: operator interface: read / write variables (funkt_0 bits 0, 1).
    r.push(&[&3u16.to_be_bytes(), &[0x03]]);
    // 4: object management: block functions (funkt_0 bits 0..=2).
    r.push(&[&4u16.to_be_bytes(), &[0x07]]);
    r
}

/// The protection record of `0x0132` / `0x0232` index 4.
fn protection(source: &SzlSource<'_>) -> Records {
    let switch: u16 = 1;
    // The level assigned by parameters; 0 when no password is assigned.
    let param: u16 = if source.plc.has_password() {
        u16::from(source.plc.protection_level().number())
    } else {
        0
    };
    let level = u16::from(source.plc.protection_level().number());
    let real = level.max(switch);
    let mut r = Records::new(40);
    r.push(&[
        &4u16.to_be_bytes(),
        &switch.to_be_bytes(),
        &param.to_be_bytes(),
        &real.to_be_bytes(),
        &2u16.to_be_bytes(),
        &0u16.to_be_bytes(),
    ]);
    r
}

/// The payload of one of the lists above, or `None` when `id` is not one of them.
pub(super) fn build(
    source: &SzlSource<'_>,
    id: u16,
    index: u16,
) -> Option<Result<Vec<u8>, ErrorCode>> {
    let header_only = id & 0x0F00 == 0x0F00;
    let all = |records: Records| Some(Ok(records.finish(header_only)));
    let by_index = |records: Records, first: u16| {
        let wanted = if index == 0 { first } else { index };
        Some(records.single(wanted))
    };
    match id {
        0x0012 | 0x0F12 => all(characteristics()),
        0x0013 | 0x0F13 => all(user_memory(source)),
        0x0113 => Some(user_memory(source).single(index)),
        0x0014 | 0x0F14 => all(system_areas(source)),
        0x0114 => Some(system_areas(source).single(index)),
        0x0015 | 0x0F15 => all(block_types()),
        0x0115 => Some(block_types().single(index)),
        INTERRUPT_STATUS | 0x0F22 => all(interrupt_status(source)),
        INTERRUPT_STATUS_OB => Some(interrupt_status(source).single_by(index, 3)),
        PROCESS_IMAGE_PARTITIONS | 0x0F25 => all(Records::new(4)),
        LEDS | 0x0F74 => all(leds(source)),
        0x0174 => Some(leds(source).single(index)),
        MODULE_STATUS | 0x0F91 => all(module_status(source)),
        DIAGNOSTIC_BUFFER | 0x0FA0 => all(diagnostic_buffer(source, None)),
        DIAGNOSTIC_NEWEST => all(diagnostic_buffer(source, Some(index))),
        LAST_TRANSITION => all(last_transition(source)),
        COMMUNICATION_CAPABILITIES => by_index(communication_capabilities(source), 1),
        COMMUNICATION_STATUS | PROTECTION => by_index(protection(source), 4),
        _ => None,
    }
}
