//! Handler tests: requests as python-snap7 3.3.0 builds them (literal frames) and as the
//! codec builds them, answers checked byte for byte or decoded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod szl_support;

use s7_mock::memory::Region;
use s7_mock::plc::{CpuState, FailItem, Identity, ItemOperation, NoHooks, RequestKind};
use s7_mock::{Error, Plc, Session};
use s7comm::clock::S7DateTime;
use s7comm::szl::SzlList;
use s7comm::{
    Area, DataTransportSize, ErrorCode, ItemAddress, ReadVarRequest, Request, RequestPdu, Response,
    ResponsePdu, ReturnCode, TransportSize, UserData, WriteItem, WriteVarRequest,
};
use szl_support::{h, szl};

fn plc() -> Plc {
    Plc::builder()
        .data_block(1, 8192)
        .data_block(2, 256)
        .inputs(256)
        .outputs(256)
        .flags(1024)
        .timers(64)
        .counters(64)
        .build()
        .unwrap()
}

/// Sends raw bytes, returns the answer bytes.
fn raw(plc: &Plc, session: &mut Session, request: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    plc.handle(session, request, &mut out, &mut NoHooks)
        .unwrap();
    assert!(
        out.len() <= usize::from(session.pdu_size()),
        "answer exceeds the pdu"
    );
    out
}

fn hex_exchange(plc: &Plc, session: &mut Session, request: &str) -> Vec<u8> {
    raw(plc, session, &h(request))
}

/// Sends a request value, returns the decoded answer.
fn exchange(plc: &Plc, session: &mut Session, request: Request) -> ResponsePdu {
    let bytes = RequestPdu::new(0x42, request).to_bytes().unwrap();
    let answer = ResponsePdu::parse(&raw(plc, session, &bytes)).unwrap();
    assert_eq!(answer.pdu_ref, 0x42);
    answer
}

fn read(plc: &Plc, session: &mut Session, items: Vec<ItemAddress>) -> Vec<(ReturnCode, Vec<u8>)> {
    match exchange(plc, session, Request::ReadVar(ReadVarRequest::new(items))).response {
        Response::ReadVar(r) => r
            .items
            .into_iter()
            .map(|i| (i.return_code, i.data))
            .collect(),
        other => panic!("not a read answer: {other:?}"),
    }
}

fn write(plc: &Plc, session: &mut Session, items: Vec<WriteItem>) -> Vec<ReturnCode> {
    match exchange(plc, session, Request::WriteVar(WriteVarRequest { items })).response {
        Response::WriteVar(w) => w.return_codes,
        other => panic!("not a write answer: {other:?}"),
    }
}

fn setup(plc: &Plc, session: &mut Session, pdu: u16) {
    let request = format!("3201 0000 0001 0008 0000 f000 0001 0001 {pdu:04x}");
    hex_exchange(plc, session, &request);
}

// ---------------------------------------------------------------------------- setup

#[test]
fn setup_communication_grants_the_smaller_pdu_size() {
    let plc = plc();
    let mut session = plc.session();
    assert!(!session.is_negotiated());
    assert_eq!(session.pdu_size(), 480, "before setup: the plc maximum");
    // python-snap7's own request (480) gets the same size back, byte for byte.
    let answer = hex_exchange(&plc, &mut session, "32010000001600080000f0000001000101e0");
    assert_eq!(answer, h("320300000016000800000000f0000001000101e0"));
    assert!(session.is_negotiated());

    for (asked, granted) in [(960u16, 480u16), (240, 240), (481, 480), (10, 64), (0, 64)] {
        let answer = hex_exchange(
            &plc,
            &mut session,
            &format!("3201 0000 0001 0008 0000 f000 0001 0001 {asked:04x}"),
        );
        assert_eq!(answer[18..20], granted.to_be_bytes(), "asked {asked}");
        assert_eq!(session.pdu_size(), granted);
    }
}

#[test]
fn setup_communication_grants_the_smaller_number_of_parallel_jobs() {
    let plc = Plc::builder()
        .max_parallel_jobs(3)
        .max_pdu_size(960)
        .build()
        .unwrap();
    let mut session = plc.session();
    let answer = hex_exchange(
        &plc,
        &mut session,
        "3201 0000 0005 0008 0000 f000 0008 0002 03c0",
    );
    assert_eq!(
        answer,
        h("3203 0000 0005 0008 0000 0000 f000 0003 0002 03c0")
    );
    assert_eq!(session.parallel_jobs(), (3, 2));
    hex_exchange(
        &plc,
        &mut session,
        "3201 0000 0006 0008 0000 f000 0000 0001 03c0",
    );
    assert_eq!(session.parallel_jobs(), (1, 1), "at least one job each way");
}

#[test]
fn builder_refuses_pdu_sizes_outside_64_to_960() {
    assert!(matches!(
        Plc::builder().max_pdu_size(961).build(),
        Err(Error::InvalidConfig {
            what: "max pdu size",
            ..
        })
    ));
    assert!(Plc::builder().max_pdu_size(63).build().is_err());
    assert!(Plc::builder().max_parallel_jobs(0).build().is_err());
    assert!(
        Plc::builder().flags(3 << 20).build().is_err(),
        "above 2 MiB"
    );
    assert!(Plc::builder()
        .max_pdu_size(960)
        .flags(2 << 20)
        .build()
        .is_ok());
}

// ---------------------------------------------------------------------------- read var

#[test]
fn read_db_bytes_frame_from_python_snap7() {
    let plc = plc();
    plc.memory_mut()
        .write_bytes(Region::DataBlock(1), 0, &[1, 2, 3, 4])
        .unwrap();
    let mut session = plc.session();
    let answer = hex_exchange(
        &plc,
        &mut session,
        "320100000001000e00000401120a10020004000184000000",
    );
    assert_eq!(
        answer,
        h("3203 0000 0001 0002 0008 0000 0401 ff04 0020 01020304")
    );
}

#[test]
fn read_every_area_and_transport_size() {
    let plc = plc();
    {
        let mut m = plc.memory_mut();
        m.write_bytes(Region::Inputs, 4, &[0xde, 0xad, 0xbe, 0xef])
            .unwrap();
        m.write_f32(Region::Outputs, 8, 3.5).unwrap();
        m.write_u8(Region::Flags, 3, 0b0000_0100).unwrap();
        m.write_bytes(
            Region::DataBlock(2),
            0,
            &[0xfb, 0x2e, 0x07, 0x5b, 0xcd, 0x15, b'A', b'B'],
        )
        .unwrap();
        m.set_timer(5, 0x0011).unwrap();
        m.set_timer(6, 0x0022).unwrap();
        m.set_timer(7, 0x0033).unwrap();
        m.set_counter(10, 0x0102).unwrap();
        m.set_counter(11, 0x0304).unwrap();
    }
    let mut s = plc.session();
    // Literal frames as python-snap7 builds them; answers byte for byte.
    let cases = [
        // IW4, 2 words: TS 04, LEN in bits.
        (
            "320100000005000e00000401120a10040002000081000020",
            "ff04 0020 deadbeef",
        ),
        // QD8 as REAL: TS 07, LEN in bytes.
        (
            "320100000006000e00000401120a10080001000082000040",
            "ff07 0004 40600000",
        ),
        // M3.2 as a bit: TS 03, LEN 1, value 01.
        (
            "320100000002000e00000401120a1001000100008300001a",
            "ff03 0001 01",
        ),
        // T5..T7: TS 09, two bytes per timer.
        (
            "320100000003000e00000401120a101d000300001d000005",
            "ff09 0006 001100220033",
        ),
        // C10..C11.
        (
            "320100000004000e00000401120a101c000200001c00000a",
            "ff09 0004 01020304",
        ),
    ];
    for (request, item) in cases {
        let answer = hex_exchange(&plc, &mut s, request);
        let item = h(item);
        assert_eq!(answer[14..], item[..], "{request}");
        assert_eq!(
            answer[8..10],
            u16::try_from(item.len()).unwrap().to_be_bytes()
        );
    }
    let db = |ts, count| ItemAddress::new(Area::DataBlock, 2, 0, ts, count);
    let items = read(
        &plc,
        &mut s,
        vec![
            db(TransportSize::Byte, 2),
            db(TransportSize::Char, 2),
            db(TransportSize::Word, 1),
            db(TransportSize::Int, 1),
            db(TransportSize::DWord, 1),
            db(TransportSize::DInt, 2),
            db(TransportSize::Real, 1),
        ],
    );
    let expected: [&[u8]; 7] = [
        &[0xfb, 0x2e],
        &[0xfb, 0x2e],
        &[0xfb, 0x2e],
        &[0xfb, 0x2e],
        &[0xfb, 0x2e, 0x07, 0x5b],
        &[0xfb, 0x2e, 0x07, 0x5b, 0xcd, 0x15, b'A', b'B'],
        &[0xfb, 0x2e, 0x07, 0x5b],
    ];
    for ((code, data), want) in items.iter().zip(expected) {
        assert_eq!(*code, ReturnCode::Success);
        assert_eq!(data, want);
    }
    // The data transport size of each answer item.
    let bytes = RequestPdu::new(
        1,
        Request::ReadVar(ReadVarRequest::new(vec![
            db(TransportSize::Char, 1),
            db(TransportSize::Int, 1),
            db(TransportSize::DInt, 1),
            db(TransportSize::DWord, 1),
        ])),
    )
    .to_bytes()
    .unwrap();
    let answer = raw(&plc, &mut s, &bytes);
    assert_eq!(
        answer[14..],
        h("ff09 0001 fb 00  ff05 0010 fb2e  ff05 0020 fb2e075b  ff04 0020 fb2e075b")[..]
    );
}

#[test]
fn read_answer_pads_odd_items_except_the_last() {
    let plc = plc();
    plc.memory_mut()
        .write_bytes(Region::DataBlock(2), 100, b"ABCD")
        .unwrap();
    plc.memory_mut()
        .write_bytes(Region::Flags, 0, b"mk")
        .unwrap();
    plc.memory_mut()
        .write_bytes(Region::DataBlock(1), 5000, b"xyz")
        .unwrap();
    let mut s = plc.session();
    // python-snap7's multi-variable read, with a 3-byte item in the middle.
    let answer = hex_exchange(
        &plc,
        &mut s,
        "32010000000d002600000403120a10020004000284000320120a10020003000083000000120a10020003000184009c40",
    );
    assert_eq!(
        answer,
        h("3203 0000 000d 0002 0017 0000 0403
           ff04 0020 41424344
           ff04 0018 6d6b00 00
           ff04 0018 78797a")
    );
}

#[test]
fn read_item_return_codes() {
    let plc = plc();
    let mut s = plc.session();
    let cases = [
        (
            ItemAddress::bytes(Area::DataBlock, 99, 0, 4),
            ReturnCode::ObjectDoesNotExist,
        ),
        (
            ItemAddress::bytes(Area::DataBlock, 2, 250, 10),
            ReturnCode::AddressOutOfRange,
        ),
        (
            ItemAddress::bytes(Area::Inputs, 0, 256, 1),
            ReturnCode::AddressOutOfRange,
        ),
        (
            ItemAddress::bytes(Area::Other(0x80), 0, 0, 1),
            ReturnCode::ObjectDoesNotExist,
        ),
        (
            ItemAddress::new(Area::Flags, 0, 0, TransportSize::Other(0x1e), 1),
            ReturnCode::TransportSizeNotSupported,
        ),
        (
            ItemAddress::new(Area::Timers, 0, 0, TransportSize::Byte, 2),
            ReturnCode::TransportSizeNotSupported,
        ),
        (
            ItemAddress::new(Area::Flags, 0, 0, TransportSize::Timer, 1),
            ReturnCode::TransportSizeNotSupported,
        ),
        (
            ItemAddress {
                count: 2,
                ..ItemAddress::bit(Area::Flags, 0, 0, 1)
            },
            ReturnCode::AddressOutOfRange,
        ),
        (
            ItemAddress {
                address: 3,
                ..ItemAddress::bytes(Area::Flags, 0, 0, 1)
            },
            ReturnCode::AddressOutOfRange,
        ),
        (
            ItemAddress::bytes(Area::Flags, 0, 0, 0),
            ReturnCode::AddressOutOfRange,
        ),
        (ItemAddress::timers(63, 2), ReturnCode::AddressOutOfRange),
        (ItemAddress::counters(64, 1), ReturnCode::AddressOutOfRange),
        (
            ItemAddress::bit(Area::DataBlock, 2, 256, 0),
            ReturnCode::AddressOutOfRange,
        ),
    ];
    for (item, code) in cases {
        let answer = read(
            &plc,
            &mut s,
            vec![item, ItemAddress::bytes(Area::Flags, 0, 0, 1)],
        );
        assert_eq!(answer[0], (code, vec![]), "{item:?}");
        assert_eq!(
            answer[1].0,
            ReturnCode::Success,
            "later items still answered"
        );
    }
    // An error item is RC 00 0000 on the wire.
    let answer = hex_exchange(
        &plc,
        &mut s,
        "3201 0000 0009 000e 0000 0401 120a10020004006384000000",
    );
    assert_eq!(answer, h("3203 0000 0009 0002 0004 0000 0401 0a00 0000"));
}

#[test]
fn regions_larger_than_64_kib_are_addressable() {
    let plc = Plc::builder().flags(1 << 21).build().unwrap();
    let mut s = plc.session();
    let last = (1 << 21) - 2;
    plc.memory_mut()
        .write_u16(Region::Flags, last, 0xbeef)
        .unwrap();
    let answer = read(
        &plc,
        &mut s,
        vec![ItemAddress::bytes(
            Area::Flags,
            0,
            u32::try_from(last).unwrap(),
            2,
        )],
    );
    assert_eq!(answer, vec![(ReturnCode::Success, vec![0xbe, 0xef])]);
    let past = read(
        &plc,
        &mut s,
        vec![ItemAddress::bytes(
            Area::Flags,
            0,
            u32::try_from(last).unwrap(),
            3,
        )],
    );
    assert_eq!(past[0].0, ReturnCode::AddressOutOfRange);
}

// ---------------------------------------------------------------------------- write var

#[test]
fn write_frames_from_python_snap7() {
    let plc = plc();
    let mut s = plc.session();
    let answer = hex_exchange(
        &plc,
        &mut s,
        "320100000007000e00050501120a100200010002840000a000040008a5",
    );
    assert_eq!(answer, h("3203 0000 0007 0002 0001 0000 0501 ff"));
    assert_eq!(
        plc.memory().read_u8(Region::DataBlock(2), 20).unwrap(),
        0xa5
    );

    hex_exchange(
        &plc,
        &mut s,
        "320100000009000e000a0501120a101d000300001d00000500090006001100220033",
    );
    assert_eq!(plc.memory().timers()[5..8], [0x11, 0x22, 0x33]);
    hex_exchange(
        &plc,
        &mut s,
        "32010000000a000e00060501120a1005000100028400000000050010fb2e",
    );
    assert_eq!(
        plc.memory().read_i16(Region::DataBlock(2), 0).unwrap(),
        -1234
    );
    hex_exchange(
        &plc,
        &mut s,
        "32010000000b000e00080501120a100800010002840000300007000440600000",
    );
    assert_eq!(plc.memory().read_f32(Region::DataBlock(2), 6).unwrap(), 3.5);
    hex_exchange(
        &plc,
        &mut s,
        "32010000000c000e00060501120a10030002000184000640000900024142",
    );
    assert_eq!(
        plc.memory()
            .read_bytes(Region::DataBlock(1), 200, 2)
            .unwrap(),
        b"AB"
    );
}

#[test]
fn bit_write_changes_one_bit_only() {
    let plc = plc();
    let mut s = plc.session();
    plc.memory_mut()
        .write_u8(Region::Flags, 3, 0b1010_0001)
        .unwrap();
    // M3.2 := 1, python-snap7's frame.
    let answer = hex_exchange(
        &plc,
        &mut s,
        "320100000008000e00050501120a1001000100008300001a0003000101",
    );
    assert_eq!(answer, h("3203 0000 0008 0002 0001 0000 0501 ff"));
    assert_eq!(plc.memory().read_u8(Region::Flags, 3).unwrap(), 0b1010_0101);
    // M3.7 := 0; only bit 0 of the data byte counts.
    let codes = write(
        &plc,
        &mut s,
        vec![WriteItem::new(
            ItemAddress::bit(Area::Flags, 0, 3, 7),
            vec![0xfe],
        )],
    );
    assert_eq!(codes, [ReturnCode::Success]);
    assert_eq!(plc.memory().read_u8(Region::Flags, 3).unwrap(), 0b0010_0101);
}

#[test]
fn multi_item_write_answers_each_item() {
    let plc = plc();
    let mut s = plc.session();
    let codes = write(
        &plc,
        &mut s,
        vec![
            WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 0, 1), vec![0x11]),
            WriteItem::new(ItemAddress::bytes(Area::DataBlock, 9, 0, 1), vec![0x22]),
            WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 2, 3), vec![1, 2]),
            WriteItem::new(ItemAddress::counters(3, 2), vec![0, 7, 0, 8]),
            WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 1023, 2), vec![1, 2]),
            WriteItem {
                transport_size: DataTransportSize::Null,
                ..WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 9, 1), vec![9])
            },
            WriteItem::new(ItemAddress::bytes(Area::Outputs, 0, 4, 3), vec![4, 5, 6]),
        ],
    );
    assert_eq!(
        codes,
        [
            ReturnCode::Success,
            ReturnCode::ObjectDoesNotExist,
            ReturnCode::DataSizeMismatch,
            ReturnCode::Success,
            ReturnCode::AddressOutOfRange,
            ReturnCode::TransportSizeNotSupported,
            ReturnCode::Success,
        ]
    );
    let m = plc.memory();
    assert_eq!(m.read_u8(Region::Flags, 0).unwrap(), 0x11);
    assert_eq!(
        m.read_bytes(Region::Flags, 2, 3).unwrap(),
        [0, 0, 0],
        "refused item untouched"
    );
    assert_eq!(m.counters()[3..5], [7, 8]);
    assert_eq!(m.read_u8(Region::Flags, 9).unwrap(), 0);
    assert_eq!(m.read_bytes(Region::Outputs, 4, 3).unwrap(), [4, 5, 6]);
}

#[test]
fn write_data_length_must_match_the_address() {
    let plc = plc();
    let mut s = plc.session();
    let cases = [
        WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 0, 4), vec![1, 2, 3]),
        WriteItem::new(
            ItemAddress::new(Area::Flags, 0, 0, TransportSize::Word, 2),
            vec![1, 2],
        ),
        WriteItem::new(ItemAddress::timers(0, 2), vec![0, 1]),
        WriteItem::new(ItemAddress::bit(Area::Flags, 0, 0, 0), vec![1, 1]),
    ];
    for item in cases {
        assert_eq!(
            write(&plc, &mut s, vec![item.clone()]),
            [ReturnCode::DataSizeMismatch],
            "{item:?}"
        );
    }
    assert!(plc
        .memory()
        .read_bytes(Region::Flags, 0, 4)
        .unwrap()
        .iter()
        .all(|b| *b == 0));
}

// ---------------------------------------------------------------------------- pdu limits

#[test]
fn request_larger_than_the_pdu_is_refused_and_the_session_stays_usable() {
    let plc = plc();
    let mut s = plc.session();
    setup(&plc, &mut s, 240);
    let items = vec![ItemAddress::bytes(Area::Flags, 0, 0, 1); 20];
    let bytes = RequestPdu::new(0x77, Request::ReadVar(ReadVarRequest::new(items)))
        .to_bytes()
        .unwrap();
    assert_eq!(bytes.len(), 252);
    let mut out = Vec::new();
    let handled = plc.handle(&mut s, &bytes, &mut out, &mut NoHooks).unwrap();
    assert_eq!(out, h("3202 0000 0077 0000 0000 8500"));
    assert_eq!(handled.error, Some(ErrorCode::PDU_SIZE));
    assert_eq!(handled.kind, RequestKind::ReadVar { items: 20 });
    let ok = read(&plc, &mut s, vec![ItemAddress::bytes(Area::Flags, 0, 0, 1)]);
    assert_eq!(ok[0].0, ReturnCode::Success);
}

#[test]
fn read_whose_answer_would_exceed_the_pdu_is_refused() {
    let plc = plc();
    let mut s = plc.session();
    setup(&plc, &mut s, 240);
    // 14 header and parameter bytes + 4 item head + 222 data = 240: fits exactly.
    let fits = read(
        &plc,
        &mut s,
        vec![ItemAddress::bytes(Area::DataBlock, 1, 0, 222)],
    );
    assert_eq!(fits[0].0, ReturnCode::Success);
    assert_eq!(fits[0].1.len(), 222);
    let bytes = RequestPdu::new(
        5,
        Request::ReadVar(ReadVarRequest::new(vec![ItemAddress::bytes(
            Area::DataBlock,
            1,
            0,
            223,
        )])),
    )
    .to_bytes()
    .unwrap();
    assert_eq!(
        raw(&plc, &mut s, &bytes),
        h("3202 0000 0005 0000 0000 8500")
    );
    // Two items of 111 bytes: 14 + 2 * 4 + 111 + 1 fill + 111 = 245 > 240.
    let two = RequestPdu::new(
        6,
        Request::ReadVar(ReadVarRequest::new(vec![
            ItemAddress::bytes(
                Area::DataBlock,
                1,
                0,
                111
            );
            2
        ])),
    )
    .to_bytes()
    .unwrap();
    assert_eq!(raw(&plc, &mut s, &two)[10..], [0x85, 0x00]);
}

// ---------------------------------------------------------------------------- errors

#[test]
fn unknown_functions_get_a_header_error_and_the_session_stays_usable() {
    let plc = plc();
    let mut s = plc.session();
    // Download ended (1C) is a job the PLC sends, not one it serves.
    let mut out = Vec::new();
    let request = h("3201 0000 0031 0012 0000 1c00 0000 0000 0000 095f 3041 3030 3030 3150");
    let handled = plc
        .handle(&mut s, &request, &mut out, &mut NoHooks)
        .unwrap();
    assert_eq!(out, h("3202 0000 0031 0000 0000 8104"));
    assert_eq!(
        handled.kind,
        RequestKind::UnknownJob {
            function: Some(0x1c)
        }
    );
    // A job without parameters.
    assert_eq!(
        hex_exchange(&plc, &mut s, "3201 0000 0032 0000 0000"),
        h("3202 0000 0032 0000 0000 8104")
    );
    // A PI service the mock does not know.
    assert_eq!(
        hex_exchange(
            &plc,
            &mut s,
            "3201 0000 0033 0010 0000 2800 0000 0000 00fd 0000 055f 4142 4344"
        )[10..],
        [0x81, 0x04]
    );
    assert_eq!(
        read(&plc, &mut s, vec![ItemAddress::bytes(Area::Flags, 0, 0, 1)]).len(),
        1
    );
}

#[test]
fn malformed_parameters_get_a_header_error() {
    let plc = plc();
    let mut s = plc.session();
    for request in [
        // Item count 2, one item.
        "3201 0000 0040 000e 0000 0402 120a10020004000184000000",
        // Bad syntax id.
        "3201 0000 0040 000e 0000 0401 120ab0020004000184000000",
        // Write without its data item.
        "3201 0000 0040 000e 0000 0501 120a10020001000184000000",
        // Setup with a byte missing.
        "3201 0000 0040 0007 0000 f000 0001 0001 01",
    ] {
        assert_eq!(
            hex_exchange(&plc, &mut s, request),
            h("3202 0000 0040 0000 0000 8500"),
            "{request}"
        );
    }
}

#[test]
fn bytes_that_are_not_s7comm_are_an_error_and_nothing_is_answered() {
    let plc = plc();
    let mut s = plc.session();
    let mut out = vec![1, 2, 3];
    for request in [
        "",
        "32",
        "33 01 0000 0001 0000 0000",
        "32 03 0000 0001 0000 0000 0000",
        "32 01 0000 0001 000e 0000 04",
        "32 01 0000 0001 0000 0000 00",
    ] {
        assert!(
            plc.handle(&mut s, &h(request), &mut out, &mut NoHooks)
                .is_err(),
            "{request}"
        );
        assert!(out.is_empty());
    }
}

// ---------------------------------------------------------------------------- cpu state

fn mode(plc: &Plc, s: &mut Session) -> u8 {
    let payload = szl(plc, s, 0x0424, 0).unwrap();
    let list = SzlList::parse(&payload).unwrap();
    assert_eq!((list.header.record_len, list.header.record_count), (20, 1));
    payload[4 + 3]
}

#[test]
fn stop_and_start_change_the_cpu_state_in_szl_0424() {
    let plc = plc();
    let mut s = plc.session();
    assert_eq!(mode(&plc, &mut s), 0x08);
    let answer = hex_exchange(
        &plc,
        &mut s,
        "32010000000e0010000029000000000009505f50524f4752414d",
    );
    assert_eq!(answer, h("3203 0000 000e 0001 0000 0000 29"));
    assert_eq!(plc.cpu_state(), CpuState::Stop);
    assert_eq!(mode(&plc, &mut s), 0x04);
    let answer = hex_exchange(
        &plc,
        &mut s,
        "32010000000f0014000028000000000000fd000009505f50524f4752414d",
    );
    assert_eq!(answer, h("3203 0000 000f 0001 0000 0000 28"));
    assert_eq!(mode(&plc, &mut s), 0x08);
    plc.set_cpu_state(CpuState::Stop);
    hex_exchange(
        &plc,
        &mut s,
        "3201000000100016000028000000000000fd0002432009505f50524f4752414d",
    );
    assert_eq!(mode(&plc, &mut s), 0x08, "cold start");
    // Compress and copy RAM to ROM are acknowledged without changing the state.
    for request in [
        "3201000000500010000028000000000000fd0000055f47415242",
        "3201000000510012000028000000000000fd00024550055f4d4f4455",
    ] {
        assert_eq!(hex_exchange(&plc, &mut s, request)[10..], [0, 0, 0x28]);
    }
    assert_eq!(plc.cpu_state(), CpuState::Run);
}

#[test]
fn python_snap7_get_cpu_state_probe_gets_an_empty_read_answer() {
    // python-snap7 3.3.0 sends the read var function code alone and only checks that the
    // answer parses without a header error.
    let plc = plc();
    let mut s = plc.session();
    let answer = hex_exchange(&plc, &mut s, "3201000000150001000004");
    assert_eq!(answer, h("3203 0000 0015 0002 0000 0000 0400"));
}

// ---------------------------------------------------------------------------- szl

#[test]
fn szl_0000_lists_the_served_ids() {
    let plc = plc();
    let mut s = plc.session();
    let payload = szl(&plc, &mut s, 0x0000, 0).unwrap();
    let list = SzlList::parse(&payload).unwrap();
    assert_eq!(list.header.record_len, 2);
    let ids: Vec<u16> = list
        .records()
        .map(|r| u16::from_be_bytes([r[0], r[1]]))
        .collect();
    for id in [
        0x0000, 0x0011, 0x001c, 0x0424, 0x0111, 0x0f11, 0x011c, 0x0f1c, 0x0f00,
    ] {
        assert!(ids.contains(&id), "{id:#06x} in {ids:x?}");
        if id != 0x0111 && id != 0x011c {
            assert!(szl(&plc, &mut s, id, 0).is_ok(), "{id:#06x} is served");
        }
    }
    let header_only = szl(&plc, &mut s, 0x0f00, 0).unwrap();
    assert_eq!(header_only, [0, 2, 0, u8::try_from(ids.len()).unwrap()]);
}

#[test]
fn szl_0011_module_identification() {
    let identity = Identity {
        order_number: "6ES7 317-2EK14-0AB0".into(),
        firmware_version: (3, 3, 10),
        ..Identity::default()
    };
    let plc = Plc::builder().identity(identity).build().unwrap();
    let mut s = plc.session();
    let payload = szl(&plc, &mut s, 0x0011, 0).unwrap();
    let list = SzlList::parse(&payload).unwrap();
    assert_eq!((list.header.record_len, list.header.record_count), (28, 3));
    let records: Vec<&[u8]> = list.records().collect();
    assert_eq!(&records[0][..2], [0, 1]);
    assert_eq!(&records[0][2..22], b"6ES7 317-2EK14-0AB0 ");
    assert_eq!(&records[1][..2], [0, 6]);
    assert_eq!(&records[2][..2], [0, 7]);
    assert_eq!(
        &records[2][24..],
        [b'V', 3, 3, 10],
        "firmware version in the last bytes"
    );
    // Single record and header only.
    let single = szl(&plc, &mut s, 0x0111, 7).unwrap();
    assert_eq!(single, [&[0, 28, 0, 1][..], records[2]].concat());
    assert_eq!(szl(&plc, &mut s, 0x0f11, 0).unwrap(), [0, 28, 0, 3]);
    assert_eq!(
        szl(&plc, &mut s, 0x0111, 2),
        Err(ErrorCode::INVALID_SZL_INDEX)
    );
}

#[test]
fn szl_001c_component_identification_at_the_offsets_clients_read() {
    let plc = plc();
    let mut s = plc.session();
    let data = szl(&plc, &mut s, 0x001c, 0).unwrap();
    let list = SzlList::parse(&data).unwrap();
    assert_eq!((list.header.record_len, list.header.record_count), (34, 10));
    let text = |at: usize, len: usize| {
        let field = &data[at..at + len];
        String::from_utf8(field.iter().copied().take_while(|b| *b != 0).collect()).unwrap()
    };
    // The offsets python-snap7 and snap7 read.
    let identity = Identity::default();
    assert_eq!(text(6, 24), identity.system_name);
    assert_eq!(text(40, 24), identity.module_name);
    assert_eq!(text(108, 26), identity.copyright);
    assert_eq!(text(142, 24), identity.serial_number);
    assert_eq!(text(176, 32), identity.module_type_name);
    let indexes: Vec<u16> = list
        .records()
        .map(|r| u16::from_be_bytes([r[0], r[1]]))
        .collect();
    assert_eq!(indexes, [1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
    assert_eq!(
        szl(&plc, &mut s, 0x011c, 5).unwrap()[6..22],
        *b"S C-M0CK00000001"
    );
}

#[test]
fn unknown_szl_ids_get_an_error_in_the_parameters() {
    let plc = plc();
    let mut s = plc.session();
    let answer = hex_exchange(
        &plc,
        &mut s,
        "320700000071000800080001120411440100ff09000409990000",
    );
    assert_eq!(
        answer,
        h("3207 0000 0071 000c 0004 0001 1208 1284 0100 0000 d401 0a00 0000")
    );
    assert_eq!(szl(&plc, &mut s, 0x0026, 0), Err(ErrorCode::INVALID_SZL_ID));
}

#[test]
fn szl_answer_larger_than_the_pdu_comes_in_parts() {
    let plc = plc();
    let mut whole = plc.session();
    let expected = szl(&plc, &mut whole, 0x001c, 0).unwrap();
    assert_eq!(expected.len(), 4 + 34 * 10);

    let mut s = plc.session();
    setup(&plc, &mut s, 240);
    let request = UserData::read_szl(0x001c, 0);
    let bytes = RequestPdu::new(1, Request::UserData(request))
        .to_bytes()
        .unwrap();
    let first = raw(&plc, &mut s, &bytes);
    assert_eq!(first.len(), 240, "the first part fills the pdu");
    let Response::UserData(first) = ResponsePdu::parse(&first).unwrap().response else {
        panic!()
    };
    let c = first.params.continuation.unwrap();
    assert!(c.more);
    assert_ne!(first.params.sequence, 0);
    assert!(s.has_pending_szl());
    // A follow-up for another sequence number is refused and ends the pending answer.
    let wrong = exchange(
        &plc,
        &mut s,
        Request::UserData(UserData::szl_follow_up(
            first.params.sequence.wrapping_add(1),
        )),
    );
    let Response::UserData(wrong) = wrong.response else {
        panic!()
    };
    assert_eq!(wrong.params.error(), ErrorCode::JOB_NOT_FOUND);
    assert!(!s.has_pending_szl());
    // The parts joined equal the single answer; every part fits the pdu.
    assert_eq!(szl(&plc, &mut s, 0x001c, 0).unwrap(), expected);
    setup(&plc, &mut s, 64);
    assert_eq!(
        szl(&plc, &mut s, 0x001c, 0).unwrap(),
        expected,
        "many parts at pdu 64"
    );
    assert!(!s.has_pending_szl());
}

#[test]
fn szl_parts_carry_sequence_data_unit_reference_and_last_flag() {
    let plc = plc();
    let mut s = plc.session();
    setup(&plc, &mut s, 240);
    // python-snap7's first request and follow-up, byte for byte.
    let first = hex_exchange(
        &plc,
        &mut s,
        "320700000069000800080001120411440100ff090004001c0000",
    );
    // params: 12 bytes, method 12, type 8 group 4, subfunction 1, seq 01, DURN 01, more 01.
    assert_eq!(
        first[..22],
        h("3207 0000 0069 000c 00da 0001 1208 1284 0101 0101 0000")[..]
    );
    assert_eq!(first[22..30], h("ff09 00d6 001c 0000")[..]);
    let next = hex_exchange(
        &plc,
        &mut s,
        "32070000006a000c00040001120812440101000000000a000000",
    );
    assert_eq!(
        next[..26],
        h("3207 0000 006a 000c 008a 0001 1208 1284 0101 0100 0000 ff09 0086")[..]
    );
    assert_eq!(next.len(), 26 + 0x86);
}

// ---------------------------------------------------------------------------- clock

#[test]
fn clock_read_and_set() {
    let plc = plc();
    let mut s = plc.session();
    // python-snap7's set-clock frame for 2031-05-06 07:08:09.123.
    let answer = hex_exchange(
        &plc,
        &mut s,
        "3207000000140008000e0001120411470200ff09000a00193105060708091233",
    );
    assert_eq!(
        answer,
        h("3207 0000 0014 000c 0004 0001 1208 1287 0200 0000 0000 0a00 0000")
    );
    let answer = hex_exchange(&plc, &mut s, "3207000000130008000400011204114701000a000000");
    assert_eq!(
        answer[..26],
        h("3207 0000 0013 000c 000e 0001 1208 1287 0100 0000 0000 ff09 000a")[..]
    );
    let Response::UserData(clock) = ResponsePdu::parse(&answer).unwrap().response else {
        panic!()
    };
    let time = clock.clock().unwrap();
    let set = S7DateTime::from_unix_millis(1_935_817_689_123).unwrap();
    let drift = time.to_unix_millis().unwrap() - set.to_unix_millis().unwrap();
    assert!((0..60_000).contains(&drift), "clock moved by {drift} ms");
    assert_eq!(answer[26..28], [0x00, 0x20], "century byte of a 20xx year");
}

#[test]
fn invalid_clock_data_is_refused() {
    let plc = plc();
    let mut s = plc.session();
    let answer = hex_exchange(
        &plc,
        &mut s,
        "3207000000140008000e0001120411470200ff09000a00193113060708091233",
    );
    assert_eq!(answer[20..22], [0xd0, 0x5f]);
    assert_eq!(plc.clock_offset_millis(), 0);
}

#[test]
fn unknown_userdata_services_get_an_error_and_the_session_stays_usable() {
    let plc = plc();
    let mut s = plc.session();
    // A block function (group 3) other than list, list of type and block info.
    let answer = hex_exchange(
        &plc,
        &mut s,
        "3207 0000 0020 0008 0004 0001 1204 1143 0900 0a00 0000",
    );
    assert_eq!(
        answer,
        h("3207 0000 0020 000c 0004 0001 1208 1283 0900 0000 8104 0a00 0000")
    );
    // Userdata whose parameters do not decode.
    let answer = hex_exchange(&plc, &mut s, "3207 0000 0021 0003 0004 0001 13 0a00 0000");
    assert_eq!(answer[20..22], [0x85, 0x00]);
    assert_eq!(mode(&plc, &mut s), 0x08);
}

// ---------------------------------------------------------------------------- hooks, log

#[test]
fn hooks_answer_an_item_with_a_chosen_return_code() {
    let plc = plc();
    let mut s = plc.session();
    let items = vec![
        ItemAddress::bytes(Area::Flags, 0, 0, 2),
        ItemAddress::bytes(Area::Flags, 0, 2, 2),
    ];
    let bytes = RequestPdu::new(1, Request::ReadVar(ReadVarRequest::new(items.clone())))
        .to_bytes()
        .unwrap();
    let mut fault = FailItem {
        index: 1,
        return_code: ReturnCode::HardwareFault,
        operation: Some(ItemOperation::Read),
    };
    let mut out = Vec::new();
    plc.handle(&mut s, &bytes, &mut out, &mut fault).unwrap();
    assert_eq!(out[14..], h("ff04 0010 0000 0100 0000")[..]);

    let writes = RequestPdu::new(
        2,
        Request::WriteVar(WriteVarRequest {
            items: items
                .iter()
                .map(|i| WriteItem::new(*i, vec![9, 9]))
                .collect(),
        }),
    )
    .to_bytes()
    .unwrap();
    let mut fault = FailItem {
        index: 0,
        return_code: ReturnCode::AccessDenied,
        operation: None,
    };
    plc.handle(&mut s, &writes, &mut out, &mut fault).unwrap();
    assert_eq!(out[14..], [0x03, 0xff]);
    assert_eq!(
        plc.memory().read_bytes(Region::Flags, 0, 4).unwrap(),
        [0, 0, 9, 9]
    );
}

#[test]
fn handled_reports_kind_items_and_an_owned_record() {
    let plc = plc();
    let mut s = plc.session();
    let request = h("32010000000d002600000403120a10020004000284000320120a10020003000083000000120a10020003000184009c40");
    let mut out = Vec::new();
    let handled = plc
        .handle(&mut s, &request, &mut out, &mut NoHooks)
        .unwrap();
    assert_eq!(handled.pdu_ref, 0x0d);
    assert_eq!(handled.kind, RequestKind::ReadVar { items: 3 });
    assert_eq!(handled.error, None);
    let items: Vec<_> = handled.items().collect();
    assert_eq!(items[2], ItemAddress::bytes(Area::DataBlock, 1, 5000, 3));
    let record = handled.to_record();
    assert_eq!(
        record.request,
        Some(Request::ReadVar(ReadVarRequest::new(items)))
    );

    let szl = h("320700000011000800080001120411440100ff09000404240000");
    let handled = plc.handle(&mut s, &szl, &mut out, &mut NoHooks).unwrap();
    assert_eq!(
        handled.kind,
        RequestKind::ReadSzl {
            id: 0x0424,
            index: 0
        }
    );
    assert_eq!(handled.items().count(), 0);
}

#[test]
fn sessions_negotiate_independently_but_share_memory() {
    let plc = plc();
    let mut a = plc.session();
    let mut b = plc.clone().session();
    setup(&plc, &mut a, 240);
    assert_eq!((a.pdu_size(), b.pdu_size()), (240, 480));
    write(
        &plc,
        &mut a,
        vec![WriteItem::new(
            ItemAddress::bytes(Area::Flags, 0, 7, 1),
            vec![7],
        )],
    );
    assert_eq!(
        read(&plc, &mut b, vec![ItemAddress::bytes(Area::Flags, 0, 7, 1)])[0].1,
        [7]
    );
}
