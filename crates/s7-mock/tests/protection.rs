//! Password protection: literal frames as python-snap7 and libsnap7 send them (set / clear
//! session password, write and read var, PLC stop and start, download, upload, the block PI
//! services, the block list and block info, SZL `0x0132` / `0x0232`) against a PLC at levels
//! 1, 2 and 3, answers checked byte for byte.
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

/// Request download of DB1 (16 bytes, load length 108).
const REQUEST_DOWNLOAD: &str =
    "3201 0000 0020 0020 0000 1a00 0100 0000 0000 095f 3041 3030 3030 3150 0d31 3030 3031 3038 3030 3030 3136";
/// Start upload of DB1.
const START_UPLOAD: &str = "3201 0000 0021 0012 0000 1d00 0000 0000 0000 095f 3041 3030 3030 3141";
/// Upload, upload id 1.
const UPLOAD: &str = "3201 0000 0022 0008 0000 1e00 0000 0000 0001";
/// End upload, upload id 1.
const END_UPLOAD: &str = "3201 0000 0023 0008 0000 1f00 0000 0000 0001";
/// `_DELE` of DB1 (snap7's layout).
const DELETE: &str =
    "3201 0000 0024 001a 0000 2800 0000 0000 00fd 000a 0100 3041 3030 3030 3142 055f 4445 4c45";
/// `_INSE` of DB1.
const INSERT: &str =
    "3201 0000 0025 001a 0000 2800 0000 0000 00fd 000a 0100 3041 3030 3030 3150 055f 494e 5345";
/// `_GARB` (compress).
const COMPRESS: &str = "3201 0000 0026 0010 0000 2800 0000 0000 00fd 0000 055f 4741 5242";
/// `_MODU` (copy RAM to ROM).
const COPY_RAM_TO_ROM: &str =
    "3201 0000 0027 0012 0000 2800 0000 0000 00fd 0002 4550 055f 4d4f 4455";
/// List blocks (userdata group 3).
const LIST_BLOCKS: &str = "3207 0000 0028 0008 0004 0001 1204 1143 0100 0a00 0000";
/// Block info of DB1.
const BLOCK_INFO: &str =
    "3207 0000 0029 0008 000c 0001 1204 1143 0300 ff09 0008 3041 3030 3030 3141";

/// The bare ack with `D2 41` a refused job gets.
fn refused(pdu_ref: u16) -> Vec<u8> {
    h(&format!("3202 0000 {pdu_ref:04x} 0000 0000 d241"))
}

/// The userdata answer's error field (parameters bytes 10-11).
fn userdata_error(answer: &[u8]) -> u16 {
    assert_eq!(answer[1], 0x07, "{answer:02x?}");
    u16::from_be_bytes([answer[20], answer[21]])
}

#[test]
fn level_2_refuses_download_delete_insert_compress_and_copy() {
    let plc = plc(ProtectionLevel::WriteProtected);
    let mut s = plc.session();
    for (frame, pdu_ref) in [
        (REQUEST_DOWNLOAD, 0x20),
        (DELETE, 0x24),
        (INSERT, 0x25),
        (COMPRESS, 0x26),
        (COPY_RAM_TO_ROM, 0x27),
    ] {
        assert_eq!(exchange(&plc, &mut s, frame), refused(pdu_ref), "{frame}");
    }
    assert!(!s.has_transfer());
    assert_eq!(plc.block_numbers(s7_mock::plc::BlockType::Db), [1]);
    // Uploads, the block list and block info read: allowed.
    let start = exchange(&plc, &mut s, START_UPLOAD);
    assert_eq!(start[..14], h("3203 0000 0021 0010 0000 0000 1d00"));
    assert_eq!(exchange(&plc, &mut s, END_UPLOAD)[12..], [0x1F]);
    assert_eq!(userdata_error(&exchange(&plc, &mut s, LIST_BLOCKS)), 0);
    assert_eq!(userdata_error(&exchange(&plc, &mut s, BLOCK_INFO)), 0);
    // With the password: each is carried out.
    exchange(&plc, &mut s, SET_SECRET);
    assert_eq!(
        exchange(&plc, &mut s, REQUEST_DOWNLOAD),
        h("3203 0000 0020 0001 0000 0000 1a")
    );
    let mut job = Vec::new();
    assert!(plc.take_outgoing(&mut s, &mut job));
    assert_eq!(
        exchange(&plc, &mut s, COMPRESS),
        h("3203 0000 0026 0001 0000 0000 28")
    );
    assert_eq!(
        exchange(&plc, &mut s, COPY_RAM_TO_ROM),
        h("3203 0000 0027 0001 0000 0000 28")
    );
    assert_eq!(
        exchange(&plc, &mut s, INSERT),
        h("3203 0000 0025 0001 0000 0000 28")
    );
    assert_eq!(
        exchange(&plc, &mut s, DELETE),
        h("3203 0000 0024 0001 0000 0000 28")
    );
    assert!(plc.block_numbers(s7_mock::plc::BlockType::Db).is_empty());
}

#[test]
fn level_3_refuses_upload_but_not_the_block_list_or_block_info() {
    let plc = plc(ProtectionLevel::ReadWriteProtected);
    let mut s = plc.session();
    for (frame, pdu_ref) in [
        (START_UPLOAD, 0x21),
        (UPLOAD, 0x22),
        (END_UPLOAD, 0x23),
        (REQUEST_DOWNLOAD, 0x20),
        (DELETE, 0x24),
    ] {
        assert_eq!(exchange(&plc, &mut s, frame), refused(pdu_ref), "{frame}");
    }
    assert!(!s.has_transfer());
    // The block list and block info stay readable, as "display of list of blocks" stays
    // open on a CPU at every protection level.
    let list = exchange(&plc, &mut s, LIST_BLOCKS);
    assert_eq!(userdata_error(&list), 0);
    assert_eq!(list[30..34], h("3041 0001"), "one DB");
    let info = exchange(&plc, &mut s, BLOCK_INFO);
    assert_eq!(userdata_error(&info), 0);
    assert_eq!(info[26 + 40..26 + 42], h("0010"), "MC7 length 16");
    // With the password the upload goes through.
    exchange(&plc, &mut s, SET_SECRET);
    assert_eq!(exchange(&plc, &mut s, START_UPLOAD)[12], 0x1D);
    let part = exchange(&plc, &mut s, UPLOAD);
    assert_eq!(part[12..14], h("1e00"), "one part, the last");
    assert_eq!(part.len(), 18 + 16 + 92);
    assert_eq!(exchange(&plc, &mut s, END_UPLOAD)[12..], [0x1F]);
}

/// The 40-byte record of SZL `id` index 4, read with a literal frame.
fn szl_index_4(plc: &Plc, s: &mut Session, id: u16) -> Vec<u8> {
    let out = exchange(
        plc,
        s,
        &format!("3207 0000 0011 0008 0008 0001 1204 1144 0100 ff09 0004 {id:04x} 0004"),
    );
    // header 10, parameters 12, item head 4, id and index 4, list header 4.
    assert_eq!(out[22..26], h("ff09 0030"), "{out:02x?}");
    assert_eq!(out[26..34], h(&format!("{id:04x} 0004 0028 0001")));
    assert_eq!(out.len(), 34 + 40);
    out[34..].to_vec()
}

#[test]
fn szl_0132_index_4_is_the_protection_record() {
    let plc = plc(ProtectionLevel::WriteProtected);
    let mut s = plc.session();
    // index 4, mode selector level 1 (`sch_schal`), parameter level 2 (`sch_par`), level
    // in force 2 (`sch_rel`), mode selector RUN-P (`bart_sch`), CRST/WRST switch 0
    // (`anl_sch`), 28 reserved bytes.
    let mut expected = h("0004 0001 0002 0002 0002 0000");
    expected.extend_from_slice(&[0; 28]);
    assert_eq!(szl_index_4(&plc, &mut s, 0x0132), expected);
    assert_eq!(szl_index_4(&plc, &mut s, 0x0232), expected);
    // The password sent changes the connection's rights, not the level reported.
    exchange(&plc, &mut s, SET_SECRET);
    assert_eq!(szl_index_4(&plc, &mut s, 0x0132), expected);
    // Live: level 3, then no protection at all.
    plc.set_protection_level(ProtectionLevel::ReadWriteProtected);
    assert_eq!(
        szl_index_4(&plc, &mut s, 0x0132)[..8],
        h("0004 0001 0003 0003")
    );
    let open = Plc::builder().build().unwrap();
    let mut s = open.session();
    assert_eq!(
        szl_index_4(&open, &mut s, 0x0132)[..12],
        h("0004 0001 0000 0001 0002 0000")
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

    #[cfg(feature = "cli")]
    {
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
}

#[test]
fn a_protection_level_without_a_password_is_a_configuration_error() {
    for level in [
        ProtectionLevel::WriteProtected,
        ProtectionLevel::ReadWriteProtected,
    ] {
        let error = Plc::builder().protection_level(level).build().unwrap_err();
        assert_eq!(
            error,
            s7_mock::Error::ProtectionWithoutPassword {
                level: level.number()
            }
        );
        assert_eq!(
            error.to_string(),
            format!(
                "protection level {} needs a password: without one no connection can lift it \
                 and every connection stays locked",
                level.number()
            )
        );
        assert!(matches!(
            Server::builder().protection_level(level).start(),
            Err(s7_mock::Error::ProtectionWithoutPassword { .. })
        ));
    }
    // Level 1 needs none; a password without a level is fine too.
    Plc::builder()
        .protection_level(ProtectionLevel::None)
        .build()
        .unwrap();
    Plc::builder().password("secret").build().unwrap();
    // A profile names the line of the level.
    let error = s7_mock::profile::Profile::from_toml_str(
        "[plc]\nname = \"x\"\nprotection_level = 3\n",
        "p.toml",
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "p.toml:3: [plc] protection_level: level 3 needs a password in [plc] as well: without \
         one no connection can lift it and every connection stays locked"
    );
    s7_mock::profile::Profile::from_toml_str("[plc]\nprotection_level = 1\n", "p.toml").unwrap();
    // The command line's flags: the level alone fails at start.
    #[cfg(feature = "cli")]
    {
        let args = s7_mock::cli::parse_args([
            "s7-mock",
            "--listen",
            "127.0.0.1:0",
            "--protection-level",
            "2",
        ])
        .unwrap();
        assert!(matches!(
            args.server_builder().start(),
            Err(s7_mock::Error::ProtectionWithoutPassword { level: 2 })
        ));
    }
}
