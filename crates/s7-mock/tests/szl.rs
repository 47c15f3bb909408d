//! SZL breadth: every preset serves at least 25 ids / indexes, each read successfully after
//! enumerating SZL `0x0000`; the record layouts (literal bytes where they are fixed) and the
//! live values (LEDs, mode transitions, communication capabilities).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod szl_support;

use s7_mock::plc::{szl_default_index, CpuState};
use s7_mock::profile::Preset;
use s7_mock::{Plc, Server, Session};
use s7comm::szl::SzlList;
use s7comm::ErrorCode;
use szl_support::{h, raw, records, szl, word};

fn preset_plc(preset: Preset) -> Plc {
    Plc::builder()
        .identity(preset.identity())
        .max_pdu_size(preset.max_pdu_size())
        .szl_ids(preset.szl_ids())
        .data_block(1, 100)
        .build()
        .unwrap()
}

/// The ids of SZL `0x0000`.
fn listed(plc: &Plc, s: &mut Session) -> Vec<u16> {
    let (len, records) = records(&szl(plc, s, 0x0000, 0).unwrap());
    assert_eq!(len, 2);
    records.iter().map(|r| word(r, 0)).collect()
}

#[test]
fn every_preset_serves_at_least_25_ids_and_each_reads() {
    for preset in Preset::ALL {
        let plc = preset_plc(preset);
        let mut s = plc.session();
        let ids = listed(&plc, &mut s);
        assert_eq!(
            ids,
            preset.szl_ids(),
            "{preset}: 0x0000 lists what is served"
        );
        let mut readable = 0;
        for id in &ids {
            let payload = szl(&plc, &mut s, *id, szl_default_index(*id))
                .unwrap_or_else(|e| panic!("{preset}: 0x{id:04X}: {e:?}"));
            let list = SzlList::parse(&payload);
            if id & 0x0F00 == 0x0F00 {
                assert_eq!(payload.len(), 4, "{preset}: 0x{id:04X} is a header");
            } else {
                assert!(list.is_ok(), "{preset}: 0x{id:04X}");
            }
            readable += 1;
        }
        // The indexes of 0x0131 beyond the first.
        for index in 2..=4 {
            szl(&plc, &mut s, 0x0131, index).unwrap();
            readable += 1;
        }
        assert!(readable >= 25, "{preset}: {readable}");
        assert_eq!(
            ids.contains(&0x001C),
            preset != Preset::S71200,
            "{preset}: component identification"
        );
        if preset == Preset::S71200 {
            assert_eq!(szl(&plc, &mut s, 0x001C, 0), Err(ErrorCode::INVALID_SZL_ID));
        }
    }
}

#[test]
fn leds_follow_the_cpu_state() {
    let plc = preset_plc(Preset::S7300);
    let mut s = plc.session();
    // python-snap7's read_szl(0x0074, 0), literal: LEDs SF, RUN, STOP, FRCE.
    let answer = raw(
        &plc,
        &mut s,
        "3207 0000 0003 0008 0008 0001 1204 1144 0100 ff09 0004 0074 0000",
    );
    assert_eq!(
        answer,
        h(
            "3207 0000 0003 000c 001c 0001 1208 1284 0100 0000 0000 ff09 0018 0074 0000 \
           0004 0004 0001 0000 0004 0100 0005 0000 0006 0000"
        )
    );
    plc.set_cpu_state(CpuState::Stop);
    assert_eq!(
        szl(&plc, &mut s, 0x0174, 5).unwrap(),
        h("0004 0001 0005 0100")
    );
    assert_eq!(szl(&plc, &mut s, 0x0F74, 0).unwrap(), h("0004 0004"));
    assert_eq!(
        szl(&plc, &mut s, 0x0174, 9),
        Err(ErrorCode::INVALID_SZL_INDEX)
    );
}

#[test]
fn communication_capabilities_report_the_live_limits() {
    let server = Server::builder()
        .pdu_size(240)
        .max_connections(12)
        .start()
        .unwrap();
    let plc = server.plc();
    let mut s = plc.session();
    let payload = szl(plc, &mut s, 0x0131, 1).unwrap();
    assert_eq!(
        payload,
        [
            h("0028 0001 0001 00f0 000c 0002 dc6c 0002 dc6c"),
            vec![0; 26]
        ]
        .concat()
    );
    // Index 0 (python-snap7 3.3.0) answers with the first record.
    assert_eq!(szl(plc, &mut s, 0x0131, 0).unwrap(), payload);
    let (len, test) = records(&szl(plc, &mut s, 0x0131, 2).unwrap());
    assert_eq!((len, test[0][..4].to_vec()), (40, h("0002 0601")));
    assert_eq!(
        szl(plc, &mut s, 0x0131, 9),
        Err(ErrorCode::INVALID_SZL_INDEX)
    );
}

#[test]
fn mode_transitions_are_live() {
    let plc = preset_plc(Preset::S7400);
    let mut s = plc.session();
    let (len, last) = records(&szl(&plc, &mut s, 0x0124, 0).unwrap());
    assert_eq!(len, 20);
    // STARTUP (warm restart, 6) -> RUN (8), event 0x4302.
    assert_eq!(last[0][..4], h("4302 ff68"));
    plc.set_cpu_state(CpuState::Stop);
    let (_, last) = records(&szl(&plc, &mut s, 0x0124, 0).unwrap());
    assert_eq!(last[0][..12], h("4304 ff84 0000 0000 0000 0000"));
    assert_eq!(
        last[0][12..],
        plc.last_state_change().to_date_and_time().unwrap()
    );
}

#[test]
fn memory_system_areas_and_block_types() {
    let plc = Plc::builder()
        .inputs(128)
        .outputs(64)
        .flags(256)
        .timers(32)
        .counters(16)
        .data_block(1, 100)
        .data_block(2, 28)
        .build()
        .unwrap();
    let mut s = plc.session();
    let (len, areas) = records(&szl(&plc, &mut s, 0x0014, 0).unwrap());
    assert_eq!(len, 8);
    assert_eq!(areas[0], h("0001 0001 0080 0000"));
    assert_eq!(areas[1], h("0002 0001 0040 0000"));
    assert_eq!(areas[2], h("0003 0003 0100 0010"));
    assert_eq!(areas[3], h("0004 0003 0020 0000"));
    assert_eq!(areas[4], h("0005 0003 0010 0008"));
    assert_eq!(
        szl(&plc, &mut s, 0x0114, 4).unwrap(),
        h("0008 0001 0004 0003 0020 0000")
    );
    let (len, memory) = records(&szl(&plc, &mut s, 0x0013, 0).unwrap());
    assert_eq!((len, memory.len()), (36, 5));
    // Work memory: 384 KiB, 128 bytes occupied by the two data blocks.
    assert_eq!(
        memory[0],
        h("0001 0001 0006 0000 0011 0000 0006 0000 0000 0080 0005 ff80 0000 0000 0000 0000 0000 0000")
    );
    let (len, blocks) = records(&szl(&plc, &mut s, 0x0015, 0).unwrap());
    assert_eq!((len, blocks.len()), (10, 5));
    assert_eq!(
        szl(&plc, &mut s, 0x0115, 0x0A00).unwrap(),
        h("000a 0001 0a00 0400 0040 0001 0000")
    );
    let (len, features) = records(&szl(&plc, &mut s, 0x0012, 0).unwrap());
    assert_eq!(len, 2);
    assert_eq!(features[0], h("0001"));
}

#[test]
fn interrupt_status_module_status_and_force_jobs() {
    let plc = Plc::builder().build().unwrap();
    let mut s = plc.session();
    let (len, obs) = records(&szl(&plc, &mut s, 0x0022, 0).unwrap());
    assert_eq!((len, obs.len()), (28, 2));
    assert_eq!(obs[0][..4], h("1101 0101"));
    assert_eq!(
        szl(&plc, &mut s, 0x0222, 100).unwrap()[4..8],
        h("1381 1b64")
    );
    assert_eq!(
        szl(&plc, &mut s, 0x0222, 35),
        Err(ErrorCode::INVALID_SZL_INDEX)
    );
    assert_eq!(
        szl(&plc, &mut s, 0x0091, 0).unwrap(),
        h("0010 0001 0000 0002 07ff 00c0 00c0 0000 0000 0000")
    );
    // No process image partitions, no force jobs: a header without records.
    assert_eq!(szl(&plc, &mut s, 0x0025, 0).unwrap(), h("0004 0000"));
}

#[test]
fn a_large_list_comes_in_parts() {
    let plc = Plc::builder().max_pdu_size(240).build().unwrap();
    for i in 0..40 {
        plc.push_diagnostic(s7_mock::plc::DiagnosticEvent::new(0xA000 + i));
    }
    let mut s = plc.session();
    let (len, entries) = records(&szl(&plc, &mut s, 0x00A0, 0).unwrap());
    assert_eq!(len, 20);
    assert!(entries.len() > 40);
    assert_eq!(word(&entries[0], 0), 0xA027);
}

#[test]
fn memory_slot_bus_rates_and_block_language_follow_the_preset() {
    use s7_mock::plc::{BlockSpec, BlockType};
    use s7_mock::profile::Profile;
    const KIB: u32 = 1024;
    const MIB: u32 = 1024 * 1024;
    // Work, integrated load, plugged load, largest load, backup memory; which load memory
    // holds the data blocks (record 2 or 3); slot; MPI and K-bus rate; code language.
    let cases = [
        (
            Preset::S7300,
            [384 * KIB, 0, 8 * MIB, 8 * MIB, 128 * KIB],
            3,
            2u16,
            187_500u32,
            0x01u8,
        ),
        (
            Preset::S7400,
            [16 * MIB, MIB, 0, 64 * MIB, 0],
            2,
            3,
            187_500,
            0x01,
        ),
        (
            Preset::S71200,
            [100 * KIB, 4 * MIB, 0, u32::MAX, 10 * KIB],
            2,
            1,
            0,
            0x02,
        ),
        (
            Preset::S71500,
            [6 * MIB, 0, 24 * MIB, u32::MAX, 512 * KIB],
            3,
            1,
            0,
            0x02,
        ),
    ];
    let check = |plc: &Plc, case: &([u32; 5], usize, u16, u32, u8), what: &str| {
        let (sizes, holding, slot, rate, language) = *case;
        let mut s = plc.session();
        let (_, memory) = records(&szl(plc, &mut s, 0x0013, 0).unwrap());
        for (index, (record, size)) in memory.iter().zip(sizes).enumerate() {
            assert_eq!(
                record[4..8],
                size.to_be_bytes(),
                "{what}: record {}",
                index + 1
            );
        }
        // Work memory and the load memory that holds them: DB1's 100 bytes occupied.
        assert_eq!(memory[0][16..20], 100u32.to_be_bytes(), "{what}: work");
        assert_eq!(
            memory[holding - 1][28..32],
            100u32.to_be_bytes(),
            "{what}: load record {holding}"
        );
        let status = szl(plc, &mut s, 0x0091, 0).unwrap();
        assert_eq!(
            status[4..8],
            [0, 0, 0, slot.to_le_bytes()[0]],
            "{what}: rack 0, slot"
        );
        let general = szl(plc, &mut s, 0x0131, 1).unwrap();
        assert_eq!(general[10..14], rate.to_be_bytes(), "{what}: MPI rate");
        assert_eq!(general[14..18], rate.to_be_bytes(), "{what}: K-bus rate");
        let fc1 = plc.block_image(BlockType::Fc, 1).unwrap();
        assert_eq!(fc1[4], language, "{what}: code block language");
        let db1 = plc.block_image(BlockType::Db, 1).unwrap();
        assert_eq!(db1[4], 0x05, "{what}: a DB is a DB");
    };
    for (preset, sizes, holding, slot, rate, language) in cases {
        let text = format!(
            "[plc]\npreset = \"{preset}\"\n\n[[db]]\nnumber = 1\nsize = 100\n\n\
             [[block]]\ntype = \"FC\"\nnumber = 1\nsize = 4\n"
        );
        let profile = Profile::from_toml_str(&text, "p.toml").unwrap();
        let server = Server::builder()
            .profile(&profile)
            .unwrap()
            .start()
            .unwrap();
        assert_eq!(server.plc().cpu_model(), preset.cpu_model());
        check(
            server.plc(),
            &(sizes, holding, slot, rate, language),
            preset.name(),
        );
    }
    // Without a preset: the values the mock always had, those of the s7-300 preset.
    let plc = Plc::builder()
        .data_block(1, 100)
        .block(BlockSpec::new(BlockType::Fc, 1, 4))
        .build()
        .unwrap();
    let (_, sizes, holding, slot, rate, language) = cases[0];
    check(&plc, &(sizes, holding, slot, rate, language), "no preset");
}
