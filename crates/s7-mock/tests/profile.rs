//! Profile files: the shipped examples load, each preset serves what its CPU family shows
//! (PDU, identity, SZL lists, rack/slot, connection limit), and every load error names the
//! file, the line and the key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod server_support;

use std::net::SocketAddr;
use std::path::PathBuf;

use iso_tcp::{DisconnectReason, Tsap};
use s7_client::Client;
use s7_mock::memory::Region;
use s7_mock::plc::CpuState;
use s7_mock::profile::{Preset, Profile, Simulation};
use s7_mock::{Error, Server};
use s7comm::szl::{COMPONENT_IDENTIFICATION, MODULE_IDENTIFICATION};
use s7comm::{Tag, Value};
use server_support::{options, transport};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
}

fn load_example(name: &str) -> Profile {
    Profile::load(examples().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The message of a profile that does not load, with `plant.toml` as its file name.
fn error_of(text: &str) -> String {
    match Profile::from_toml_str(text, "plant.toml") {
        Ok(profile) => panic!("loads, but should not: {text}\n{profile:?}"),
        Err(error) => error.to_string(),
    }
}

/// A PG connection to `rack`/`slot`.
fn tsap(rack: u8, slot: u8) -> Tsap {
    Tsap::from_u16(0x0100 | (u16::from(rack) << 5) | u16::from(slot))
}

fn connect(addr: SocketAddr, rack: u8, slot: u8) -> Result<Client, s7_client::Error> {
    Client::connect_with_pdu(options(addr).remote_tsap(tsap(rack, slot)), 960)
}

/// The order code of SZL 0x0011 record 1 and the firmware of its last record.
fn module_identification(c: &mut Client) -> (String, [u8; 3]) {
    let szl = c.read_szl(MODULE_IDENTIFICATION, 0).unwrap();
    assert_eq!(&szl[..2], &[0, 28], "record length");
    let order = String::from_utf8(szl[6..26].to_vec()).unwrap();
    let firmware = szl[szl.len() - 3..].try_into().unwrap();
    (order.trim_end().to_owned(), firmware)
}

/// Text of SZL 0x001C record `index`.
fn component(c: &mut Client, index: u16) -> Result<String, s7_client::Error> {
    let szl = c.read_szl(COMPONENT_IDENTIFICATION, 0)?;
    let record = szl[4..]
        .chunks(34)
        .find(|r| r[..2] == index.to_be_bytes())
        .expect("no such record");
    Ok(String::from_utf8(record[2..].to_vec())
        .unwrap()
        .trim_end_matches('\0')
        .to_owned())
}

#[test]
fn every_example_profile_loads() {
    for (file, preset) in [
        ("s7-300.toml", Preset::S7300),
        ("s7-400.toml", Preset::S7400),
        ("s7-1200.toml", Preset::S71200),
        ("s7-1500.toml", Preset::S71500),
    ] {
        let profile = load_example(file);
        assert_eq!(profile.preset(), Some(preset), "{file}");
        assert!(
            profile.tags().is_empty(),
            "{file}: preset files are tag-free"
        );
        assert!(
            profile.warnings().is_empty(),
            "{file}: {:?}",
            profile.warnings()
        );
        assert_eq!(profile.pdu_size(), Some(preset.max_pdu_size()), "{file}");
        // `cargo xtask interop` runs python-snap7's scenario against each preset profile as
        // shipped; the scenario wants a DB1 of 8192 bytes and a DB2 of 256 bytes.
        let size = |number: u16| {
            profile
                .data_blocks()
                .iter()
                .find(|db| db.number == number)
                .map_or(0, |db| db.contents.len())
        };
        assert!(size(1) >= 8192, "{file}: DB1 of {} bytes", size(1));
        assert!(size(2) >= 256, "{file}: DB2 of {} bytes", size(2));
    }

    let plant = load_example("plant.toml");
    assert_eq!(plant.preset(), Some(Preset::S71500));
    let identity = plant.identity().unwrap();
    assert_eq!(identity.module_name, "Filler line 3");
    assert_eq!(identity.serial_number, "S C-X4U421302016");
    assert_eq!(identity.firmware_version, (2, 9, 4));
    assert_eq!(identity.module_type_name, "CPU 1516-3 PN/DP");
    assert_eq!(plant.max_connections(), Some(32));
    assert_eq!(plant.rack_slot(), Some((0, 1)));
    assert_eq!(plant.areas().merkers, Some(4096));
    let db1 = &plant.data_blocks()[0];
    assert_eq!((db1.number, db1.contents.len()), (1, 1024));
    assert_eq!(&db1.contents[..8], b"S7MOCK\x00\x01");
    assert!(db1.contents[8..].iter().all(|b| *b == 0));

    let tags = plant.tags();
    assert_eq!(tags.len(), 4);
    assert_eq!(tags[0].name.value, "motor_speed");
    assert_eq!(tags[0].address.value, "DB1.DBD20");
    assert_eq!(tags[0].data_type.as_ref().unwrap().value, "REAL");
    assert_eq!(
        tags[0].value.as_ref().unwrap().value,
        toml::Value::Float(1500.0)
    );
    assert!(tags[0].simulate.is_none());
    assert_eq!(tags[3].name.value, "level");
    assert_eq!(
        tags[3].simulate.as_ref().unwrap().value,
        Simulation::Sine {
            min: 0.0,
            max: 100.0,
            period_ms: 10000
        }
    );
    assert_eq!(
        tags[3].name.line + 3,
        tags[3].simulate.as_ref().unwrap().line
    );
}

#[test]
fn the_plant_profile_serves_its_tags() {
    let plant = load_example("plant.toml");
    let server = Server::builder()
        .profile(&plant)
        .unwrap()
        .bind("127.0.0.1:0".parse().unwrap())
        .start()
        .unwrap();
    let names: Vec<String> = server.tags().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["motor_speed", "running", "batch", "level"]);
    assert_eq!(server.read_tag("motor_speed").unwrap(), Value::Real(1500.0));
    assert_eq!(server.read_tag("running").unwrap(), Value::Bool(true));
    assert_eq!(
        server.read_tag("batch").unwrap(),
        Value::String("B-0042".into())
    );
    // The image's bytes around the tags are untouched.
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 0, 8).unwrap(),
        b"S7MOCK\x00\x01"
    );
    let Value::Real(level) = server.read_tag("level").unwrap() else {
        panic!("level is a REAL");
    };
    assert!((0.0..=100.0).contains(&level), "{level}");

    // A client on rack 0, slot 1 reads the same.
    let mut c = connect(server.local_addr(), 0, 1).unwrap();
    let speed = Tag::parse("DB1.DBD20:REAL").unwrap();
    assert_eq!(c.read_tag(&speed).unwrap(), Value::Real(1500.0));
    let batch = Tag::parse("DB1.DBB100:STRING[20]").unwrap();
    assert_eq!(c.read_tag(&batch).unwrap(), Value::String("B-0042".into()));
}

#[test]
fn each_preset_profile_serves_what_its_cpu_shows() {
    for (file, preset, slot, order, firmware, module) in [
        (
            "s7-300.toml",
            Preset::S7300,
            2,
            "6ES7 315-2EH14-0AB0",
            [3, 2, 6],
            Some("CPU 315-2 PN/DP"),
        ),
        (
            "s7-400.toml",
            Preset::S7400,
            3,
            "6ES7 416-3ES07-0AB0",
            [7, 0, 3],
            Some("CPU 416-3 PN/DP"),
        ),
        (
            "s7-1200.toml",
            Preset::S71200,
            1,
            "6ES7 214-1AG40-0XB0",
            [4, 4, 0],
            None,
        ),
        (
            "s7-1500.toml",
            Preset::S71500,
            1,
            "6ES7 516-3AN01-0AB0",
            [2, 9, 4],
            Some("PLC_1"),
        ),
    ] {
        let profile = load_example(file);
        let server = Server::builder()
            .profile(&profile)
            .unwrap()
            .bind("127.0.0.1:0".parse().unwrap())
            .start()
            .unwrap();
        let addr = server.local_addr();
        let mut c = connect(addr, 0, slot).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(c.pdu_size(), preset.max_pdu_size(), "{file}");
        assert_eq!(
            module_identification(&mut c),
            (order.to_owned(), firmware),
            "{file}"
        );
        match module {
            Some(module) => {
                assert_eq!(component(&mut c, 2).unwrap(), module, "{file}");
                assert_eq!(
                    component(&mut c, 7).unwrap(),
                    preset.identity().module_type_name,
                    "{file}"
                );
            }
            None => assert!(component(&mut c, 2).is_err(), "{file}: no SZL 0x001C"),
        }
        // Another slot, another rack: refused as that CPU would.
        for (rack, other) in [(0, slot + 1), (1, slot)] {
            let error = connect(addr, rack, other)
                .err()
                .unwrap_or_else(|| panic!("{file}: rack {rack} slot {other} should be refused"));
            assert!(
                matches!(
                    transport(&error),
                    iso_tcp::Error::Refused {
                        reason: DisconnectReason::AddressUnknown
                    }
                ),
                "{file}: {error}"
            );
        }
        assert_eq!(server.plc().max_parallel_jobs(), preset.max_parallel_jobs());
    }
}

#[test]
fn a_preset_caps_connections_and_the_pdu() {
    let profile = Profile::from_toml_str(
        "[plc]\npreset = \"s7-1200\"\npdu_size = 480\n",
        "plant.toml",
    )
    .unwrap();
    assert_eq!(profile.pdu_size(), Some(240));
    assert_eq!(
        profile.warnings(),
        ["plant.toml:3: [plc] pdu_size: 480 is above the s7-1200 maximum of 240; capped to 240"]
    );
    let server = Server::builder()
        .profile(&profile)
        .unwrap()
        .start()
        .unwrap();
    let addr = server.local_addr();
    // No rack/slot in the profile: any TSAP is accepted.
    let clients: Vec<Client> = (0..16).map(|i| connect(addr, 0, i % 4).unwrap()).collect();
    assert!(clients.iter().all(|c| c.pdu_size() == 240));
    let error = connect(addr, 0, 1)
        .err()
        .unwrap_or_else(|| panic!("the 17th connection is refused"));
    assert!(
        matches!(
            transport(&error),
            iso_tcp::Error::Refused {
                reason: DisconnectReason::Congestion
            }
        ),
        "{error}"
    );
}

#[test]
fn without_a_preset_the_defaults_stay_and_overrides_apply() {
    let profile = Profile::from_toml_str(
        "[plc]\nname = \"Line 7\"\ncpu = \"stop\"\n\n[areas]\ninputs = 16\ntimers = 4\n\n[[db]]\nnumber = 9\nsize = 32\n",
        "plant.toml",
    )
    .unwrap();
    assert_eq!(profile.preset(), None);
    assert_eq!(profile.pdu_size(), None);
    let identity = profile.identity().unwrap();
    assert_eq!(identity.module_name, "Line 7");
    assert_eq!(
        identity.order_number, "6ES7 315-2EH14-0AB0",
        "the default identity"
    );
    let server = Server::builder()
        .profile(&profile)
        .unwrap()
        .start()
        .unwrap();
    assert_eq!(server.plc().max_pdu_size(), 480);
    assert_eq!(server.plc().cpu_state(), CpuState::Stop);
    assert_eq!(server.plc().szl_ids(), s7_mock::plc::SZL_IDS);
    let memory = server.memory();
    assert_eq!(memory.region_len(Region::Inputs), Some(16));
    assert_eq!(
        memory.region_len(Region::Outputs),
        Some(2048),
        "builder default"
    );
    assert_eq!(memory.region_len(Region::DataBlock(9)), Some(32));
    drop(memory);
    let mut c = Client::connect(options(server.local_addr())).unwrap();
    assert_eq!(c.pdu_size(), 480);
    assert_eq!(component(&mut c, 2).unwrap(), "Line 7");

    // An empty profile changes nothing.
    let empty = Profile::from_toml_str("", "empty.toml").unwrap();
    assert_eq!(empty.identity(), None);
    assert!(Server::builder().profile(&empty).is_ok());
}

#[test]
fn unknown_keys_are_errors_with_file_line_and_table() {
    let cases = [
        (
            "[plc]\npreset = \"s7-300\"\nslott = 1\n",
            r#"plant.toml:3: unknown key "slott" in [plc]"#,
        ),
        (
            "[areas]\ninput = 16\n",
            r#"plant.toml:2: unknown key "input" in [areas]"#,
        ),
        (
            "[[db]]\nnumber = 1\nsize = 8\n\n[[db]]\nnumber = 2\nsise = 8\n",
            r#"plant.toml:7: unknown key "sise" in [[db]]"#,
        ),
        ("[dbs]\nnumber = 1\n", r#"plant.toml:1: unknown key "dbs""#),
        (
            "[[tag]]\nname = \"a\"\naddress = \"DB1.DBX0.0\"\nsimulate = { kind = \"sine\", min = 0, max = 1, perid_ms = 5 }\n",
            r#"plant.toml:4: unknown key "perid_ms" in [[tag]] simulate"#,
        ),
        (
            "[[tag]]\nname = \"a\"\naddress = \"MW0\"\ninitial = 3\n",
            r#"plant.toml:4: unknown key "initial" in [[tag]]"#,
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error_of(text), expected, "{text}");
    }
}

#[test]
fn data_block_errors_name_the_line_and_key() {
    let mut text =
        String::from("# plant\n\n[plc]\npreset = \"s7-1500\"\n\n[areas]\ninputs = 64\n\n");
    text.push_str("[[db]]\nnumber = 1\nsize = 16\n\n[[db]]\nnumber = 0\nsize = 16\n");
    assert_eq!(
        error_of(&text),
        "plant.toml:14: [[db]] number: data block 0 is outside 1..=65535"
    );
    let cases = [
        (
            "[[db]]\nnumber = 70000\nsize = 1\n",
            "plant.toml:2: [[db]] number: data block 70000 is outside 1..=65535",
        ),
        (
            "[[db]]\nnumber = 1\nsize = 8\n[[db]]\nnumber = 1\nsize = 4\n",
            "plant.toml:5: [[db]] number: data block 1 is given twice (first at line 2)",
        ),
        (
            "[[db]]\nnumber = 1\nsize = 0\n",
            "plant.toml:3: [[db]] size: 0 is outside 1..=2097152",
        ),
        (
            "[[db]]\nnumber = 1\nsize = 3000000\n",
            "plant.toml:3: [[db]] size: 3000000 is outside 1..=2097152",
        ),
        (
            "[[db]]\nnumber = \"one\"\nsize = 1\n",
            "plant.toml:2: [[db]] number: invalid type: string \"one\", expected an integer",
        ),
        (
            "[[db]]\nnumber = 1\nsize = 8\n\n[[db]]\nnumber = 2\n",
            "plant.toml:5: [[db]]: missing key \"size\"",
        ),
        (
            "[[db]]\nnumber = 1\nsize = 8\nimage = \"\"\n",
            "plant.toml:4: [[db]] image: is empty",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error_of(text), expected, "{text}");
    }
}

#[test]
fn image_files_are_relative_to_the_profile_and_checked() {
    let dir = std::env::temp_dir().join(format!("s7-mock-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("db.bin"), [1, 2, 3, 4, 5]).unwrap();
    let text = "[[db]]\nnumber = 1\nsize = 8\nimage = \"db.bin\"\n";
    let profile = Profile::from_toml_str(text, dir.join("plant.toml")).unwrap();
    assert_eq!(profile.data_blocks()[0].contents, [1, 2, 3, 4, 5, 0, 0, 0]);

    let origin = dir.join("plant.toml");
    let too_small = "[[db]]\nnumber = 1\nsize = 4\nimage = \"db.bin\"\n";
    assert_eq!(
        Profile::from_toml_str(too_small, &origin)
            .unwrap_err()
            .to_string(),
        format!(
            "{}:4: [[db]] image: \"db.bin\" holds more than the block's 4 bytes",
            origin.display()
        )
    );
    let missing = "[[db]]\nnumber = 1\nsize = 4\nimage = \"missing.bin\"\n";
    let message = Profile::from_toml_str(missing, &origin)
        .unwrap_err()
        .to_string();
    let expected = format!(
        "{}:4: [[db]] image: cannot read \"missing.bin\" ({}): ",
        origin.display(),
        dir.join("missing.bin").display()
    );
    assert!(message.starts_with(&expected), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plc_and_area_errors_name_the_line_and_key() {
    let cases = [
        (
            "[plc]\npreset = \"s7-200\"\n",
            r#"plant.toml:2: [plc] preset: unknown preset "s7-200"; expected one of s7-300, s7-400, s7-1200, s7-1500"#,
        ),
        (
            "[plc]\npdu_size = 32\n",
            "plant.toml:2: [plc] pdu_size: 32 is below the smallest PDU of 64",
        ),
        (
            "[plc]\ncpu = \"pause\"\n",
            r#"plant.toml:2: [plc] cpu: "pause" is not a CPU state; expected run or stop"#,
        ),
        (
            "[plc]\nlisten = \"nowhere\"\n",
            r#"plant.toml:2: [plc] listen: "nowhere" is not a socket address (e.g. 127.0.0.1:1102 or [::1]:1102)"#,
        ),
        (
            "[plc]\nmax_connections = 0\n",
            "plant.toml:2: [plc] max_connections: 0 is outside 1..=1000000",
        ),
        (
            "[plc]\nrack = 0\n",
            "plant.toml:2: [plc] rack: needs slot as well (connections are checked against rack and slot once slot is given)",
        ),
        (
            "[plc]\nslot = 32\n",
            "plant.toml:2: [plc] slot: 32 is outside 0..=31",
        ),
        (
            "[plc]\nrack = 8\nslot = 1\n",
            "plant.toml:2: [plc] rack: 8 is outside 0..=7",
        ),
        (
            "[plc]\nfirmware = \"2.9\"\n",
            r#"plant.toml:2: [plc] firmware: "2.9" is not a version MAJOR.MINOR.PATCH (each 0..=255)"#,
        ),
        (
            "[plc]\norder_code = \"6ES7 516-3AN01-0AB0 EXTRA\"\n",
            r#"plant.toml:2: [plc] order_code: "6ES7 516-3AN01-0AB0 EXTRA" is longer than the 20 characters of SZL 0x0011"#,
        ),
        (
            "[plc]\nname = \"Füller\"\n",
            r#"plant.toml:2: [plc] name: "Füller" is not ASCII"#,
        ),
        (
            "[plc]\nslot = \"one\"\n",
            "plant.toml:2: [plc] slot: invalid type: string \"one\", expected an integer",
        ),
        (
            "[areas]\ninputs = 3000000\n",
            "plant.toml:2: [areas] inputs: 3000000 is outside 0..=2097152",
        ),
        (
            "[areas]\ntimers = 70000\n",
            "plant.toml:2: [areas] timers: 70000 is outside 0..=65536",
        ),
        (
            "[areas]\ncounters = -1\n",
            "plant.toml:2: [areas] counters: -1 is outside 0..=65536",
        ),
        ("plc = 5\n", "plant.toml:1: plc: invalid type: integer `5`, expected a table"),
        ("db = 5\n", "plant.toml:1: db: invalid type: integer `5`, expected an array"),
        (
            "[[tag]]\nname = \"a\"\naddress = \"MW0\"\nsimulate = { kind = \"ramp\", min = \"low\" }\n",
            "plant.toml:4: [[tag]] simulate min: invalid type: string \"low\", expected a number",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error_of(text), expected, "{text}");
    }
    // Firmware with or without the V.
    let profile = Profile::from_toml_str("[plc]\nfirmware = \"V4.5.2\"\n", "p.toml").unwrap();
    assert_eq!(profile.identity().unwrap().firmware_version, (4, 5, 2));
}

#[test]
fn tag_errors_name_the_line_and_key() {
    let tag = |rest: &str| format!("[[tag]]\nname = \"level\"\naddress = \"DB1.DBD24\"\n{rest}");
    let cases = [
        (
            format!("{}\n{}", tag(""), tag("")),
            r#"plant.toml:6: [[tag]] name: tag "level" is given twice (first at line 2)"#.to_owned(),
        ),
        (
            "[[tag]]\nname = \"\"\naddress = \"MW0\"\n".to_owned(),
            "plant.toml:2: [[tag]] name: is empty".to_owned(),
        ),
        (
            "[[tag]]\nname = \"a\"\n".to_owned(),
            r#"plant.toml:1: [[tag]]: missing key "address""#.to_owned(),
        ),
        (
            tag("type = \"\"\n"),
            "plant.toml:4: [[tag]] type: is empty".to_owned(),
        ),
        (
            tag("value = 1.0\nsimulate = { kind = \"counter\" }\n"),
            r#"plant.toml:5: [[tag]] simulate: tag "level" has both value and simulate; give one (a simulation sets the value)"#.to_owned(),
        ),
        (
            tag("simulate = { kind = \"triangle\" }\n"),
            r#"plant.toml:4: [[tag]] simulate kind: unknown kind "triangle"; expected one of counter, ramp, sine, square, random"#.to_owned(),
        ),
        (
            tag("simulate = { kind = \"sine\", min = 0, max = 1, period_ms = 10, step = 2 }\n"),
            r#"plant.toml:4: [[tag]] simulate step: does not apply to kind "sine", which takes min, max, period_ms"#.to_owned(),
        ),
        (
            tag("simulate = { kind = \"ramp\", min = 0, max = 1 }\n"),
            r#"plant.toml:4: [[tag]] simulate period_ms: missing: kind "ramp" needs min, max, period_ms"#.to_owned(),
        ),
        (
            tag("simulate = { kind = \"random\", min = 5, max = 5 }\n"),
            "plant.toml:4: [[tag]] simulate max: max 5 is not above min 5".to_owned(),
        ),
        (
            tag("simulate = { kind = \"square\", period_ms = 0 }\n"),
            "plant.toml:4: [[tag]] simulate period_ms: 0 is not a time of at least 1 ms".to_owned(),
        ),
        (
            tag("simulate = { kind = \"random\", min = 0, max = 1, seed = -1 }\n"),
            "plant.toml:4: [[tag]] simulate seed: -1 is negative".to_owned(),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error_of(&text), expected, "{text}");
    }

    // Every kind with its defaults.
    let profile = Profile::from_toml_str(
        &[
            "[[tag]]\nname = \"c\"\naddress = \"MW0\"\nsimulate = { kind = \"counter\" }",
            "[[tag]]\nname = \"q\"\naddress = \"M2.0\"\nsimulate = { kind = \"square\", period_ms = 500 }",
            "[[tag]]\nname = \"r\"\naddress = \"MD4\"\ntype = \"REAL\"\nsimulate = { kind = \"random\", min = -1, max = 1, seed = 7 }",
            "[[tag]]\nname = \"p\"\naddress = \"MD8\"\nsimulate = { kind = \"ramp\", min = 0, max = 10, period_ms = 100 }",
            "[[tag]]\nname = \"v\"\naddress = \"MB12\"",
        ]
        .join("\n"),
        "plant.toml",
    )
    .unwrap();
    let simulations: Vec<Option<Simulation>> = profile
        .tags()
        .iter()
        .map(|t| t.simulate.as_ref().map(|s| s.value.clone()))
        .collect();
    assert_eq!(
        simulations,
        [
            Some(Simulation::Counter {
                start: 0.0,
                step: 1.0,
                every_ms: 1000
            }),
            Some(Simulation::Square {
                low: 0.0,
                high: 1.0,
                period_ms: 500
            }),
            Some(Simulation::Random {
                min: -1.0,
                max: 1.0,
                seed: Some(7),
                every_ms: 1000
            }),
            Some(Simulation::Ramp {
                min: 0.0,
                max: 10.0,
                period_ms: 100
            }),
            None,
        ]
    );
}

#[test]
fn syntax_errors_and_unreadable_files() {
    let message = error_of("[plc\nslot = 1\n");
    assert!(
        message.starts_with("plant.toml:1: invalid TOML: "),
        "{message}"
    );
    let message = error_of("[plc]\nslot = \n");
    assert!(
        message.starts_with("plant.toml:2: invalid TOML: "),
        "{message}"
    );

    let error = Profile::load("/nonexistent/s7-mock/plant.toml").unwrap_err();
    assert!(
        matches!(&error, Error::ProfileRead { path, .. } if path.ends_with("plant.toml")),
        "{error}"
    );
    assert!(error
        .to_string()
        .starts_with("cannot read profile \"/nonexistent/s7-mock/plant.toml\": "));
}

#[test]
fn profile_errors_carry_the_key_path() {
    let error = Profile::from_toml_str(
        "[[db]]\nnumber = 1\nsize = 1\n[[db]]\nnumber = 0\nsize = 1\n",
        "plant.toml",
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::Profile {
            origin: "plant.toml".into(),
            line: 5,
            key: "db[1].number".into(),
            message: "[[db]] number: data block 0 is outside 1..=65535".into(),
        }
    );
    let Error::Profile { key, .. } = error_of_value("[plc]\nslott = 1\n") else {
        panic!()
    };
    assert_eq!(key, "plc.slott");
}

fn error_of_value(text: &str) -> Error {
    Profile::from_toml_str(text, "plant.toml").unwrap_err()
}

/// The message of a profile that loads but does not apply to a builder.
fn apply_error_of(text: &str) -> String {
    let profile = Profile::from_toml_str(text, "plant.toml").unwrap_or_else(|e| panic!("{e}"));
    match Server::builder().profile(&profile) {
        Ok(_) => panic!("applies, but should not: {text}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn tag_addresses_types_and_values_are_checked_with_line_and_key() {
    let head = "[areas]\nmerkers = 16\ntimers = 4\n\n[[db]]\nnumber = 1\nsize = 64\n\n";
    let tag = |address: &str, rest: &str| {
        format!("{head}[[tag]]\nname = \"t\"\naddress = \"{address}\"\n{rest}")
    };
    let cases = [
        (
            tag("DB1.DBD", ""),
            r#"plant.toml:11: [[tag]] address: "DB1.DBD" at 7: byte offset expected"#,
        ),
        (
            tag("DB1.DBW0", "type = \"REEL\"\n"),
            r#"plant.toml:12: [[tag]] type: data type "REEL": unknown data type"#,
        ),
        (
            tag("DB1.DBW0:INT", "type = \"REAL\"\n"),
            "plant.toml:12: [[tag]] type: DB1.DBW0:INT is of type INT, not REAL",
        ),
        (
            tag("DB1.DBW0", "type = \"REAL\"\n"),
            "plant.toml:12: [[tag]] type: \"DB1.DBW0:REAL\" at 9: data type does not fit width of 2 bytes",
        ),
        (
            tag("DB1.DBW0:INT", "value = 40000\n"),
            "plant.toml:12: [[tag]] value: int value 40000 is outside -32768..=32767",
        ),
        (
            tag("DB1.DBB0:STRING[4]", "value = \"too long\"\n"),
            "plant.toml:12: [[tag]] value: ",
        ),
        (
            tag("DB1.DBW0:INT[2]", "value = 1\n"),
            "plant.toml:12: [[tag]] value: value for DB1.DBW0:INT[2]: expected an array of 2 values, got a number",
        ),
        (
            tag("DB1.DBX0.0", "value = { a = 1 }\n"),
            "plant.toml:12: [[tag]] value: a table is not a value of a tag",
        ),
        (
            tag("DB1.DBD62:REAL", ""),
            "plant.toml:11: [[tag]] address: DB1.DBD62:REAL (bytes 62..66) is outside data block 1 (64 bytes)",
        ),
        (
            tag("MW15", ""),
            "plant.toml:11: [[tag]] address: MW15 (bytes 15..17) is outside merkers (16 bytes)",
        ),
        (
            tag("T3:TIMER[2]", ""),
            "plant.toml:11: [[tag]] address: T3:TIMER[2] is outside the 4 timers",
        ),
        (
            tag("DB2.DBW0", ""),
            "plant.toml:11: [[tag]] address: data block 2 does not exist",
        ),
        (
            tag("DB1.DBB0:STRING[4]", "simulate = { kind = \"counter\" }\n"),
            "plant.toml:12: [[tag]] simulate: cannot simulate a STRING[4] tag; simulations drive numbers and BOOL",
        ),
        (
            tag("DB1.DBB0", "simulate = { kind = \"ramp\", min = 0, max = 300, period_ms = 10 }\n"),
            "plant.toml:12: [[tag]] simulate: max 300 is outside the range of BYTE (0..=255)",
        ),
    ];
    for (text, expected) in cases {
        let message = apply_error_of(&text);
        assert!(
            message.starts_with(expected),
            "{message}\nexpected {expected}"
        );
    }

    // Overlaps: bytes, and for BOOL only the same bit.
    let two = |a: &str, b: &str| {
        format!(
            "{head}[[tag]]\nname = \"a\"\naddress = \"{a}\"\n\n[[tag]]\nname = \"b\"\naddress = \"{b}\"\n"
        )
    };
    assert_eq!(
        apply_error_of(&two("DB1.DBD20:REAL", "DB1.DBW22")),
        r#"plant.toml:15: [[tag]] address: tag "b" at DB1.DBW22 overlaps tag "a" at DB1.DBD20:REAL (line 11)"#
    );
    assert_eq!(
        apply_error_of(&two("DB1.DBX5.3", "DB1.DBX5.3")),
        r#"plant.toml:15: [[tag]] address: tag "b" at DB1.DBX5.3 overlaps tag "a" at DB1.DBX5.3 (line 11)"#
    );
    assert!(apply_error_of(&two("M0.0:BOOL[9]", "MB1")).contains("overlaps"));
    for (a, b) in [
        ("DB1.DBX5.3", "DB1.DBX5.4"),
        ("DB1.DBD20", "DB1.DBD24"),
        ("MW0", "DB1.DBW0"),
    ] {
        let profile = Profile::from_toml_str(&two(a, b), "plant.toml").unwrap();
        Server::builder()
            .profile(&profile)
            .unwrap_or_else(|e| panic!("{a} and {b}: {e}"));
    }
}

#[test]
fn tag_values_of_every_kind_are_written_at_start() {
    let text = r#"
[[db]]
number = 1
size = 256

[[tag]]
name = "int"
address = "DB1.DBW0:INT"
value = -2

[[tag]]
name = "word"
address = "DB1.DBW2"
value = "16#BEEF"

[[tag]]
name = "bits"
address = "DB1.DBX4.6:BOOL[3]"
value = [true, false, true]

[[tag]]
name = "lreal"
address = "DB1.DBB8:LREAL"
value = 2.5

[[tag]]
name = "date"
address = "DB1.DBW16:DATE"
value = 2024-03-15

[[tag]]
name = "time"
address = "DB1.DBD18:TIME"
value = "T#1s500ms"

[[tag]]
name = "dtl"
address = "DB1.DBB22:DTL"
value = 2024-03-15T12:34:56.5

[[tag]]
name = "wide"
address = "DB1.DBB40"
type = "WSTRING[4]"
value = "Grüß"

[[tag]]
name = "ints"
address = "DB1,INT60.3"
value = [1, 2, 3]

[[tag]]
name = "untouched"
address = "DB1.DBB100"

[[tag]]
name = "counter"
address = "C3"
value = "C#42"
"#;
    let profile = Profile::from_toml_str(text, "kinds.toml").unwrap();
    let server = Server::builder()
        .profile(&profile)
        .unwrap()
        .start()
        .unwrap();
    let read = |name: &str| server.read_tag(name).unwrap();
    assert_eq!(read("int"), Value::Int(-2));
    assert_eq!(read("word"), Value::Word(0xBEEF));
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 4, 2).unwrap(),
        [0b0100_0000, 0b0000_0001]
    );
    assert_eq!(read("lreal"), Value::LReal(2.5));
    assert_eq!(
        read("date"),
        Value::parse(s7comm::DataType::Date, "2024-03-15").unwrap()
    );
    assert_eq!(read("time"), Value::Time(1500));
    assert_eq!(
        read("dtl"),
        Value::parse(s7comm::DataType::Dtl, "DTL#2024-03-15-12:34:56.5").unwrap()
    );
    assert_eq!(read("wide"), Value::WString("Grüß".into()));
    assert_eq!(
        read("ints"),
        Value::Array(vec![Value::Int(1), Value::Int(2), Value::Int(3)])
    );
    assert_eq!(read("untouched"), Value::Byte(0));
    assert_eq!(server.counter(3).unwrap(), 0x0042);
    assert_eq!(server.tag("ints").unwrap().to_string(), "DB1.DBW60:INT[3]");
}

#[test]
fn a_profile_file_is_read_up_to_a_cap() {
    // A device that never ends is refused after MAX_PROFILE_LEN bytes, not read until memory
    // runs out.
    let error = Profile::load("/dev/zero").unwrap_err();
    assert!(
        matches!(&error, s7_mock::Error::ProfileRead { cause, .. } if cause.contains("larger than")),
        "{error}"
    );
    assert_eq!(s7_mock::profile::MAX_PROFILE_LEN, 16 << 20);
}
