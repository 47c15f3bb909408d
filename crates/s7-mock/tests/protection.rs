//! Password protection: literal frames as python-snap7 and libsnap7 send them (set / clear
//! session password, write and read var, PLC stop and start) against a PLC at levels 1, 2
//! and 3, answers checked byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use s7_mock::plc::{Access, NoHooks, ProtectionLevel};
use s7_mock::{Plc, Server, Session};
use s7comm::security::scramble_password;
use s7comm::ErrorCode;

fn h(hex: &str) -> Vec<u8> {
    let hex: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn plc(level: ProtectionLevel) -> Plc {
    Plc::builder()
        .data_block(1, 16)
        .password("secret")
        .protection_level(level)
        .build()
        .unwrap()
}

fn exchange(plc: &Plc, session: &mut Session, request: &str) -> Vec<u8> {
    let mut out = Vec::new();
    plc.handle(session, &h(request), &mut out, &mut NoHooks)
        .unwrap();
    out
}

/// "secret" scrambled (python-snap7's `encode_password`).
const SET_SECRET: &str = "3207 0000 0005 0008 000c 0001 1204 1145 0100 ff09 0008 2630101720365543";
/// "wrong" scrambled.
const SET_WRONG: &str = "3207 0000 0005 0008 000c 0001 1204 1145 0100 ff09 0008 2227181c2a695f1c";
const CLEAR: &str = "3207 0000 0006 0008 0004 0001 1204 1145 0200 0a00 0000";
/// Write DB1.DBB0 = 0x2A (one byte).
const WRITE: &str = "3201 0000 0007 000e 0005 0501 120a 1002 0001 0001 8400 0000 0004 0008 2a";
/// Read DB1.DBB0 (one byte).
const READ: &str = "3201 0000 0008 000e 0000 0401 120a 1002 0001 0001 8400 0000";
/// PLC stop (`P_PROGRAM`).
const STOP: &str = "3201 0000 0009 0010 0000 2900 0000 0000 09 505f 5052 4f47 5241 4d";
/// PLC hot start (`P_PROGRAM`).
const START: &str = "3201 0000 000a 0014 0000 2800 0000 0000 00fd 0000 09 505f 5052 4f47 5241 4d";

fn set_answer(error: &str) -> Vec<u8> {
    h(&format!(
        "3207 0000 0005 000c 0004 0001 1208 1285 0100 0000 {error} 0a00 0000"
    ))
}

#[test]
fn the_snap7_scrambling_of_the_frames() {
    assert_eq!(
        scramble_password(b"secret").unwrap().to_vec(),
        h("2630101720365543")
    );
}

#[test]
fn level_2_refuses_writes_stop_and_start_until_the_password_is_set() {
    let plc = plc(ProtectionLevel::WriteProtected);
    let mut s = plc.session();
    assert_eq!(
        exchange(&plc, &mut s, WRITE),
        h("3202 0000 0007 0000 0000 d241")
    );
    assert_eq!(
        exchange(&plc, &mut s, STOP),
        h("3202 0000 0009 0000 0000 d241")
    );
    assert_eq!(
        exchange(&plc, &mut s, START),
        h("3202 0000 000a 0000 0000 d241")
    );
    assert_eq!(
        plc.memory()
            .read_u8(s7_mock::memory::Region::DataBlock(1), 0)
            .unwrap(),
        0
    );
    // Reads stay allowed.
    assert_eq!(
        exchange(&plc, &mut s, READ),
        h("3203 0000 0008 0002 0005 0000 0401 ff04 0008 00")
    );

    assert_eq!(exchange(&plc, &mut s, SET_SECRET), set_answer("0000"));
    assert!(s.is_legitimized());
    assert_eq!(
        exchange(&plc, &mut s, WRITE),
        h("3203 0000 0007 0002 0001 0000 0501 ff")
    );
    assert_eq!(
        exchange(&plc, &mut s, STOP),
        h("3203 0000 0009 0001 0000 0000 29")
    );
    assert_eq!(
        exchange(&plc, &mut s, START),
        h("3203 0000 000a 0001 0000 0000 28")
    );

    assert_eq!(
        exchange(&plc, &mut s, CLEAR),
        h("3207 0000 0006 000c 0004 0001 1208 1285 0200 0000 0000 0a00 0000")
    );
    assert!(!s.is_legitimized());
    assert_eq!(
        exchange(&plc, &mut s, WRITE),
        h("3202 0000 0007 0000 0000 d241")
    );
}

#[test]
fn a_wrong_password_changes_nothing() {
    let plc = plc(ProtectionLevel::WriteProtected);
    let mut s = plc.session();
    assert_eq!(exchange(&plc, &mut s, SET_WRONG), set_answer("d602"));
    assert!(!s.is_legitimized());
    assert_eq!(
        exchange(&plc, &mut s, WRITE),
        h("3202 0000 0007 0000 0000 d241")
    );
    // A wrong password after the right one leaves the connection legitimized.
    exchange(&plc, &mut s, SET_SECRET);
    assert_eq!(exchange(&plc, &mut s, SET_WRONG), set_answer("d602"));
    assert!(s.is_legitimized());
}

#[test]
fn other_connections_are_not_unlocked() {
    let plc = plc(ProtectionLevel::WriteProtected);
    let mut first = plc.session();
    let mut second = plc.session();
    exchange(&plc, &mut first, SET_SECRET);
    assert_eq!(plc.check_access(&first, Access::Write), Ok(()));
    assert_eq!(
        plc.check_access(&second, Access::Write),
        Err(ErrorCode::PROTECTION_LEVEL)
    );
    assert_eq!(
        exchange(&plc, &mut second, WRITE),
        h("3202 0000 0007 0000 0000 d241")
    );
}

#[test]
fn level_3_refuses_reads_too() {
    let plc = plc(ProtectionLevel::ReadWriteProtected);
    let mut s = plc.session();
    assert_eq!(
        exchange(&plc, &mut s, READ),
        h("3202 0000 0008 0000 0000 d241")
    );
    assert_eq!(
        plc.check_access(&s, Access::Read),
        Err(ErrorCode::PROTECTION_LEVEL)
    );
    exchange(&plc, &mut s, SET_SECRET);
    assert_eq!(
        exchange(&plc, &mut s, READ),
        h("3203 0000 0008 0002 0005 0000 0401 ff04 0008 00")
    );
}

#[test]
fn level_1_allows_everything_and_a_password_without_one_is_refused() {
    let plc = Plc::builder().data_block(1, 16).build().unwrap();
    let mut s = plc.session();
    assert_eq!(
        exchange(&plc, &mut s, WRITE),
        h("3203 0000 0007 0002 0001 0000 0501 ff")
    );
    assert_eq!(exchange(&plc, &mut s, SET_SECRET), set_answer("d605"));
    assert!(!plc.has_password());
}

#[test]
fn malformed_set_password_is_invalid_data() {
    let plc = plc(ProtectionLevel::WriteProtected);
    let mut s = plc.session();
    // Seven password bytes.
    assert_eq!(
        exchange(
            &plc,
            &mut s,
            "3207 0000 0005 0008 000b 0001 1204 1145 0100 ff09 0007 26301017203655"
        ),
        set_answer("d05f")
    );
    // An unknown security subfunction.
    assert_eq!(
        exchange(
            &plc,
            &mut s,
            "3207 0000 0006 0008 0004 0001 1204 1145 0300 0a00 0000"
        ),
        h("3207 0000 0006 000c 0004 0001 1208 1285 0300 0000 8104 0a00 0000")
    );
}

fn protection_record(plc: &Plc, s: &mut Session) -> Vec<u8> {
    let out = exchange(
        plc,
        s,
        "3207 0000 0011 0008 0008 0001 1204 1144 0100 ff09 0004 0232 0004",
    );
    // header 10, parameters 12, item head 4, id and index 4, list header 4.
    assert_eq!(out[26..34], h("0232 0004 0028 0001"));
    out[34..].to_vec()
}

#[test]
fn szl_0232_reports_the_level_live() {
    let plc = plc(ProtectionLevel::WriteProtected);
    let mut s = plc.session();
    let record = protection_record(&plc, &mut s);
    assert_eq!(record.len(), 40);
    // index 4, mode selector level 1, parameter level 2, level in force 2, RUN-P, no switch.
    assert_eq!(record[..12], h("0004 0001 0002 0002 0002 0000"));
    plc.set_protection_level(ProtectionLevel::ReadWriteProtected);
    assert_eq!(
        protection_record(&plc, &mut s)[..12],
        h("0004 0001 0003 0003 0002 0000")
    );
    // At level 3 the SZL is still readable (a client must be able to find out the level).
    let open = Plc::builder().build().unwrap();
    let mut s = open.session();
    assert_eq!(
        protection_record(&open, &mut s)[..12],
        h("0004 0001 0000 0001 0002 0000")
    );
}

#[test]
fn builder_profile_and_cli_set_protection() {
    assert!(Plc::builder().password("123456789").build().is_err());
    assert!(Plc::builder().password("").build().is_err());

    let profile = s7_mock::profile::Profile::from_toml_str(
        "[plc]\npassword = \"secret\"\nprotection_level = 3\n",
        "p.toml",
    )
    .unwrap();
    let server = Server::builder()
        .profile(&profile)
        .unwrap()
        .start()
        .unwrap();
    assert_eq!(
        server.plc().protection_level(),
        ProtectionLevel::ReadWriteProtected
    );
    assert!(server.plc().has_password());
    let error = s7_mock::profile::Profile::from_toml_str("[plc]\nprotection_level = 4\n", "p.toml")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "p.toml:2: [plc] protection_level: 4 is outside 1..=3"
    );
    let error =
        s7_mock::profile::Profile::from_toml_str("[plc]\npassword = \"toolongpw\"\n", "p.toml")
            .unwrap_err();
    assert!(
        error.to_string().starts_with("p.toml:2: [plc] password:"),
        "{error}"
    );

    let args = s7_mock::cli::parse_args([
        "s7-mock",
        "--listen",
        "127.0.0.1:0",
        "--password",
        "secret",
        "--protection-level",
        "2",
    ])
    .unwrap();
    let server = args.server_builder().start().unwrap();
    assert_eq!(
        server.plc().protection_level(),
        ProtectionLevel::WriteProtected
    );
    assert!(s7_mock::cli::parse_args(["s7-mock", "--protection-level", "0"]).is_err());
}
