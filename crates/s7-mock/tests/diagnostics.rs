//! The diagnostic buffer: mode transitions entered as the CPU goes through them (by PLC stop
//! and start jobs, literal frames), `Server::push_diagnostic`, newest first, bounded; served
//! by SZL `0x00A0` / `0x01A0` as 20-byte entries.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod szl_support;

use s7_mock::plc::{
    CpuState, DiagnosticEvent, EVENT_AUTOMATIC_WARM_RESTART, EVENT_MANUAL_WARM_RESTART,
    EVENT_POWER_ON, EVENT_STARTUP_TO_RUN, EVENT_STOP_BY_PG, EVENT_STOP_TO_STARTUP,
};
use s7_mock::{Plc, Server, Session};
use s7comm::clock::S7DateTime;
use s7comm::ErrorCode;
use szl_support::{h, raw, records, szl, word};

fn events(plc: &Plc, s: &mut Session) -> Vec<u16> {
    let (len, entries) = records(&szl(plc, s, 0x00A0, 0).unwrap());
    assert_eq!(len, 20);
    entries.iter().map(|e| word(e, 0)).collect()
}

const STOP: &str = "3201 0000 0009 0010 0000 2900 0000 0000 09 505f 5052 4f47 5241 4d";
const START: &str = "3201 0000 000a 0014 0000 2800 0000 0000 00fd 0000 09 505f 5052 4f47 5241 4d";

#[test]
fn a_plc_starts_with_its_start_up_entries() {
    let plc = Plc::builder().build().unwrap();
    let mut s = plc.session();
    assert_eq!(
        events(&plc, &mut s),
        [
            EVENT_STARTUP_TO_RUN,
            EVENT_STOP_TO_STARTUP,
            EVENT_AUTOMATIC_WARM_RESTART
        ]
    );
    let stopped = Plc::builder().cpu_state(CpuState::Stop).build().unwrap();
    let mut s = stopped.session();
    assert_eq!(events(&stopped, &mut s), [EVENT_POWER_ON]);
}

#[test]
fn stop_and_start_jobs_enter_their_transitions_newest_first() {
    let plc = Plc::builder().build().unwrap();
    let mut s = plc.session();
    assert_eq!(
        raw(&plc, &mut s, STOP),
        h("3203 0000 0009 0001 0000 0000 29")
    );
    assert_eq!(events(&plc, &mut s)[0], EVENT_STOP_BY_PG);
    assert_eq!(
        raw(&plc, &mut s, START),
        h("3203 0000 000a 0001 0000 0000 28")
    );
    assert_eq!(
        events(&plc, &mut s)[..4],
        [
            EVENT_STARTUP_TO_RUN,
            EVENT_STOP_TO_STARTUP,
            EVENT_MANUAL_WARM_RESTART,
            EVENT_STOP_BY_PG
        ]
    );
    // A stop of a stopped CPU changes nothing and enters nothing.
    raw(&plc, &mut s, STOP);
    raw(&plc, &mut s, STOP);
    assert_eq!(events(&plc, &mut s).len(), 8);
    // The transition entry: priority and OB FF, DatID C4 00, info 1 = RUN (08) -> STOP (04).
    let (_, entries) = records(&szl(&plc, &mut s, 0x01A0, 1).unwrap());
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0][..12], h("4304 ffff c400 0804 0000 0000"));
    assert_eq!(
        entries[0][12..],
        plc.last_state_change().to_date_and_time().unwrap()
    );
}

#[test]
fn pushed_events_are_encoded_as_20_byte_entries() {
    let server = Server::builder().start().unwrap();
    let time = S7DateTime {
        year: 2024,
        month: 3,
        day: 15,
        hour: 12,
        minute: 34,
        second: 56,
        millisecond: 789,
        weekday: 6,
    };
    server.push_diagnostic(DiagnosticEvent {
        event_id: 0x3942,
        priority: 26,
        ob: 86,
        dat_id: 0xC4C8,
        info1: 0x0102,
        info2: 0x0304_0506,
        time: Some(time),
    });
    let plc = server.plc();
    let mut s = plc.session();
    // python-snap7's read_diagnostic_buffer asks 0x00A0 index 0; literal answer head.
    let answer = raw(
        plc,
        &mut s,
        "3207 0000 0003 0008 0008 0001 1204 1144 0100 ff09 0004 00a0 0000",
    );
    assert_eq!(answer[26..34], h("00a0 0000 0014 0004"));
    assert_eq!(
        answer[34..54],
        h("3942 1a56 c4c8 0102 0304 0506 2403 1512 3456 7896")
    );
    assert_eq!(plc.diagnostic_buffer()[0].event_id, 0x3942);
    // Stamped with the PLC clock when no time is given.
    server.push_diagnostic(DiagnosticEvent::new(0x4562));
    assert!(plc.diagnostic_buffer()[0].time.is_some());
}

#[test]
fn the_buffer_is_bounded() {
    let plc = Plc::builder().diagnostic_capacity(5).build().unwrap();
    for i in 0..20 {
        plc.push_diagnostic(DiagnosticEvent::new(0xA000 + i));
    }
    let mut s = plc.session();
    assert_eq!(
        events(&plc, &mut s),
        [0xA013, 0xA012, 0xA011, 0xA010, 0xA00F]
    );
    // 0x01A0 index n: the newest n; 0x0FA0: the header.
    let (_, newest) = records(&szl(&plc, &mut s, 0x01A0, 2).unwrap());
    assert_eq!(newest.len(), 2);
    assert_eq!(szl(&plc, &mut s, 0x0FA0, 0).unwrap(), h("0014 0005"));
    assert_eq!(szl(&plc, &mut s, 0x02A0, 0), Err(ErrorCode::INVALID_SZL_ID));
}
