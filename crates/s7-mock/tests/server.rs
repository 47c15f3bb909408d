//! The server end to end: real sockets, the crate's client on the other side. Every function,
//! every area and transport size, the return codes, segmentation, PDU limits, the TSAP filter,
//! the connection limit, IPv6, and what dropping the server does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod server_support;

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use iso_tcp::{DisconnectReason, TpduSize, Tsap};
use s7_client::Client;
use s7_mock::memory::Region;
use s7_mock::plc::{CpuState, Identity, Plc, RequestKind};
use s7_mock::server::{ConnectionType, Server, TsapFilter};
use s7comm::szl::{COMPONENT_IDENTIFICATION, CPU_STATE, MODE_RUN, MODE_STOP};
use s7comm::{
    Area, DataTransportSize, ItemAddress, Request, ReturnCode, S7DateTime, TransportSize, UserData,
    WriteItem,
};
use server_support::{builder, client, options, pattern, server, transport, TIMEOUT};

fn read_one(client: &mut Client, item: ItemAddress) -> s7comm::DataItem {
    let mut items = client.read_items(&[item]).unwrap();
    assert_eq!(items.len(), 1);
    items.pop().unwrap()
}

fn write_one(client: &mut Client, item: ItemAddress, data: Vec<u8>) -> ReturnCode {
    let codes = client
        .write_items(vec![WriteItem::new(item, data)])
        .unwrap();
    assert_eq!(codes.len(), 1);
    codes[0]
}

fn expect_error_answer(
    result: Result<impl std::fmt::Debug, s7_client::Error>,
    class: u8,
    code: u8,
) {
    match result {
        Err(s7_client::Error::ErrorAnswer {
            class: c, code: k, ..
        }) => assert_eq!((c, k), (class, code)),
        other => panic!("expected error answer {class:02x} {code:02x}, got {other:?}"),
    }
}

#[test]
fn setup_communication_grants_the_smaller_pdu_size() {
    let server = builder().pdu_size(480).start().unwrap();
    let big = Client::connect_with_pdu(options(server.local_addr()), 960).unwrap();
    assert_eq!(big.pdu_size(), 480);
    let small = Client::connect_with_pdu(options(server.local_addr()), 240).unwrap();
    assert_eq!(small.pdu_size(), 240);
    let tiny = Client::connect_with_pdu(options(server.local_addr()), 16).unwrap();
    assert_eq!(tiny.pdu_size(), 64, "never below the 64-byte minimum");

    let full = builder().pdu_size(960).start().unwrap();
    assert_eq!(client(full.local_addr()).pdu_size(), 960);
}

#[test]
fn every_area_reads_and_writes_through_the_socket() {
    let server = server();
    let mut c = client(server.local_addr());
    let cases: [(Area, u16, Region, u32, usize); 4] = [
        (Area::Inputs, 0, Region::Inputs, 3, 20),
        (Area::Outputs, 0, Region::Outputs, 5, 20),
        (Area::Flags, 0, Region::Flags, 7, 100),
        (Area::DataBlock, 2, Region::DataBlock(2), 11, 200),
    ];
    for (seed, (area, db, region, start, len)) in cases.into_iter().enumerate() {
        let data = pattern(len, seed);
        c.write_area(area, db, start, &data).unwrap();
        assert_eq!(c.read_area(area, db, start, len).unwrap(), data, "{area:?}");
        // The server's own view agrees with what the client wrote.
        let offset = usize::try_from(start).unwrap();
        assert_eq!(server.read_bytes(region, offset, len).unwrap(), data);
    }
    // Timers and counters: two big-endian bytes per element, addressed by index.
    c.write_area(Area::Timers, 0, 2, &[0x12, 0x34, 0x56, 0x78])
        .unwrap();
    assert_eq!(server.timer(2).unwrap(), 0x1234);
    assert_eq!(server.timer(3).unwrap(), 0x5678);
    server.set_counter(9, 0xBEEF).unwrap();
    assert_eq!(c.read_area(Area::Counters, 0, 9, 1).unwrap(), [0xBE, 0xEF]);
}

#[test]
fn every_transport_size_is_served_with_the_data_transport_size_a_cpu_uses() {
    let server = server();
    server
        .write_bytes(
            Region::DataBlock(1),
            0,
            &[0x81, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48],
        )
        .unwrap();
    server.write_f32(Region::DataBlock(1), 8, 1.5).unwrap();
    server.set_timer(1, 0x2010).unwrap();
    server.set_counter(2, 0x0099).unwrap();
    let mut c = client(server.local_addr());
    let db = |ts, start, count| ItemAddress::new(Area::DataBlock, 1, start, ts, count);
    let cases = [
        (
            ItemAddress::bit(Area::DataBlock, 1, 0, 7),
            DataTransportSize::Bit,
            vec![1],
        ),
        (
            db(TransportSize::Byte, 1, 2),
            DataTransportSize::Byte,
            vec![0x42, 0x43],
        ),
        (
            db(TransportSize::Char, 2, 3),
            DataTransportSize::OctetString,
            vec![0x43, 0x44, 0x45],
        ),
        (
            db(TransportSize::Word, 0, 1),
            DataTransportSize::Byte,
            vec![0x81, 0x42],
        ),
        (
            db(TransportSize::Int, 2, 1),
            DataTransportSize::Int,
            vec![0x43, 0x44],
        ),
        (
            db(TransportSize::DWord, 4, 1),
            DataTransportSize::Byte,
            vec![0x45, 0x46, 0x47, 0x48],
        ),
        (
            db(TransportSize::DInt, 0, 1),
            DataTransportSize::Int,
            vec![0x81, 0x42, 0x43, 0x44],
        ),
        (
            db(TransportSize::Real, 8, 1),
            DataTransportSize::Real,
            1.5f32.to_be_bytes().to_vec(),
        ),
        (
            ItemAddress::timers(1, 1),
            DataTransportSize::OctetString,
            vec![0x20, 0x10],
        ),
        (
            ItemAddress::counters(2, 1),
            DataTransportSize::OctetString,
            vec![0x00, 0x99],
        ),
    ];
    for (address, transport_size, data) in cases {
        let item = read_one(&mut c, address);
        assert_eq!(item.return_code, ReturnCode::Success, "{address:?}");
        assert_eq!(item.transport_size, transport_size, "{address:?}");
        assert_eq!(item.data, data, "{address:?}");
    }
    // Writes of each size land where they should.
    assert_eq!(
        write_one(
            &mut c,
            db(TransportSize::Real, 100, 1),
            (-2.25f32).to_be_bytes().to_vec()
        ),
        ReturnCode::Success
    );
    assert_eq!(server.read_f32(Region::DataBlock(1), 100).unwrap(), -2.25);
    assert_eq!(
        write_one(
            &mut c,
            db(TransportSize::DInt, 104, 1),
            (-7i32).to_be_bytes().to_vec()
        ),
        ReturnCode::Success
    );
    assert_eq!(server.read_i32(Region::DataBlock(1), 104).unwrap(), -7);
    assert_eq!(
        write_one(
            &mut c,
            db(TransportSize::Int, 108, 1),
            (-300i16).to_be_bytes().to_vec()
        ),
        ReturnCode::Success
    );
    assert_eq!(server.read_i16(Region::DataBlock(1), 108).unwrap(), -300);
    assert_eq!(
        write_one(&mut c, db(TransportSize::Word, 110, 2), vec![1, 2, 3, 4]),
        ReturnCode::Success
    );
    assert_eq!(
        server.read_u32(Region::DataBlock(1), 110).unwrap(),
        0x0102_0304
    );
    assert_eq!(
        write_one(&mut c, ItemAddress::counters(3, 2), vec![0, 5, 0, 6]),
        ReturnCode::Success
    );
    assert_eq!(
        (server.counter(3).unwrap(), server.counter(4).unwrap()),
        (5, 6)
    );
}

#[test]
fn every_return_code_reaches_the_client() {
    let server = server();
    let mut c = client(server.local_addr());
    let items = c
        .read_items(&[
            ItemAddress::bytes(Area::DataBlock, 1, 0, 4),
            ItemAddress::bytes(Area::DataBlock, 77, 0, 4),
            ItemAddress::bytes(Area::DataBlock, 1, 1022, 4),
            ItemAddress::new(Area::DataBlock, 1, 0, TransportSize::Other(0x0E), 1),
            ItemAddress::bytes(Area::Other(0x80), 0, 0, 1),
            ItemAddress::timers(16, 1),
            ItemAddress::new(Area::Timers, 0, 0, TransportSize::Byte, 1),
        ])
        .unwrap();
    let codes: Vec<ReturnCode> = items.iter().map(|item| item.return_code).collect();
    assert_eq!(
        codes,
        [
            ReturnCode::Success,
            ReturnCode::ObjectDoesNotExist,
            ReturnCode::AddressOutOfRange,
            ReturnCode::TransportSizeNotSupported,
            ReturnCode::ObjectDoesNotExist,
            ReturnCode::AddressOutOfRange,
            ReturnCode::TransportSizeNotSupported,
        ]
    );
    // A write whose data does not match its address is refused and writes nothing.
    let code = write_one(
        &mut c,
        ItemAddress::bytes(Area::DataBlock, 1, 0, 4),
        vec![9, 9],
    );
    assert_eq!(code, ReturnCode::DataSizeMismatch);
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 0, 2).unwrap(),
        [0, 0]
    );
}

#[test]
fn multi_item_write_answers_each_item() {
    let server = server();
    let mut c = client(server.local_addr());
    let codes = c
        .write_items(vec![
            WriteItem::new(ItemAddress::bytes(Area::DataBlock, 1, 10, 3), vec![1, 2, 3]),
            WriteItem::new(ItemAddress::bytes(Area::DataBlock, 55, 0, 1), vec![4]),
            WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 127, 2), vec![5, 6]),
            WriteItem::new(ItemAddress::bit(Area::Outputs, 0, 3, 6), vec![1]),
        ])
        .unwrap();
    assert_eq!(
        codes,
        [
            ReturnCode::Success,
            ReturnCode::ObjectDoesNotExist,
            ReturnCode::AddressOutOfRange,
            ReturnCode::Success,
        ]
    );
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 10, 3).unwrap(),
        [1, 2, 3]
    );
    assert!(server.read_bit(Region::Outputs, 3, 6).unwrap());
}

#[test]
fn bit_write_touches_one_bit() {
    let server = server();
    server
        .write_bytes(Region::Flags, 4, &[0b1010_0101])
        .unwrap();
    let mut c = client(server.local_addr());
    assert_eq!(
        write_one(&mut c, ItemAddress::bit(Area::Flags, 0, 4, 1), vec![1]),
        ReturnCode::Success
    );
    assert_eq!(
        write_one(&mut c, ItemAddress::bit(Area::Flags, 0, 4, 7), vec![0]),
        ReturnCode::Success
    );
    assert_eq!(
        server.read_bytes(Region::Flags, 4, 1).unwrap(),
        [0b0010_0111]
    );
    assert_eq!(
        read_one(&mut c, ItemAddress::bit(Area::Flags, 0, 4, 1)).data,
        [1]
    );
}

#[test]
fn segmented_requests_and_answers_with_a_128_byte_tpdu() {
    let server = builder().pdu_size(960).start().unwrap();
    let mut c = Client::connect(options(server.local_addr()).tpdu_size(TpduSize::S128)).unwrap();
    assert_eq!(c.connection().tpdu_size(), 128);
    assert_eq!(c.pdu_size(), 960);
    // A 900-byte write is a 938-byte request: eight DTs; its read answer is segmented too.
    let data = pattern(900, 3);
    c.write_area(Area::DataBlock, 1, 100, &data).unwrap();
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 100, 900).unwrap(),
        data
    );
    assert_eq!(c.read_area(Area::DataBlock, 1, 100, 900).unwrap(), data);
    // The server saw one whole write of 900 bytes, not segments.
    let log = server.requests();
    let write = log
        .iter()
        .find(|r| matches!(r.kind(), RequestKind::WriteVar { .. }))
        .unwrap();
    assert_eq!(write.write_items()[0].data.len(), 900);
}

#[test]
fn pdu_limits_are_enforced_with_header_errors() {
    let server = server();
    let mut c = Client::connect_with_pdu(options(server.local_addr()), 240).unwrap();
    // A request larger than the PDU.
    let too_big = c.write_items(vec![WriteItem::new(
        ItemAddress::bytes(Area::DataBlock, 1, 0, 300),
        vec![7; 300],
    )]);
    expect_error_answer(too_big, 0x85, 0x00);
    assert_eq!(server.read_bytes(Region::DataBlock(1), 0, 1).unwrap(), [0]);
    // A read whose answer would not fit.
    expect_error_answer(
        c.read_items(&[ItemAddress::bytes(Area::DataBlock, 1, 0, 300)]),
        0x85,
        0x00,
    );
    // The largest read that fits: 240 - 12 header - 2 parameters - 4 item head.
    let fits = read_one(&mut c, ItemAddress::bytes(Area::DataBlock, 1, 0, 222));
    assert_eq!(fits.data.len(), 222);
    // The connection stays usable after header errors.
    assert_eq!(c.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [0, 0]);
}

#[test]
fn areas_larger_than_64_kib_are_addressed_to_their_end() {
    let size = 2 * 1024 * 1024;
    let server = Server::builder()
        .data_block(9, size)
        .flags(size)
        .start()
        .unwrap();
    let mut c = client(server.local_addr());
    let end = u32::try_from(size - 4).unwrap();
    c.write_area(Area::DataBlock, 9, end, &[1, 2, 3, 4])
        .unwrap();
    assert_eq!(
        server
            .read_bytes(Region::DataBlock(9), size - 4, 4)
            .unwrap(),
        [1, 2, 3, 4]
    );
    c.write_area(Area::Flags, 0, 70_000, &[5]).unwrap();
    assert_eq!(c.read_area(Area::Flags, 0, 70_000, 1).unwrap(), [5]);
    let past = read_one(&mut c, ItemAddress::bytes(Area::DataBlock, 9, end, 5));
    assert_eq!(past.return_code, ReturnCode::AddressOutOfRange);
}

#[test]
fn szl_reads_report_identity_and_cpu_state_across_parts() {
    let identity = Identity {
        module_name: "CPU TEST-MODULE".into(),
        order_number: "6ES7 999-9XX99-0AB0".into(),
        ..Identity::default()
    };
    let server = builder().identity(identity).start().unwrap();
    // A small PDU makes the component identification a multi-part answer.
    let mut c = Client::connect_with_pdu(options(server.local_addr()), 128).unwrap();
    let components = c.read_szl(COMPONENT_IDENTIFICATION, 0).unwrap();
    let contains =
        |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
    assert!(contains(&components, b"CPU TEST-MODULE"));
    let modules = c.read_szl(0x0011, 0).unwrap();
    assert!(contains(&modules, b"6ES7 999-9XX99-0AB0"));
    let follow_ups = server
        .requests()
        .iter()
        .filter(|r| matches!(r.kind(), RequestKind::ReadSzlFollowUp { .. }))
        .count();
    assert!(follow_ups >= 1, "a 128-byte PDU splits the component list");

    assert_eq!(c.read_szl(CPU_STATE, 0).unwrap()[7], MODE_RUN);
    server.set_cpu_state(CpuState::Stop);
    assert_eq!(c.read_szl(CPU_STATE, 0).unwrap()[7], MODE_STOP);
}

#[test]
fn plc_stop_and_start_change_the_cpu_state() {
    let server = builder().cpu_state(CpuState::Run).start().unwrap();
    let mut c = client(server.local_addr());
    c.plc_stop().unwrap();
    assert_eq!(server.cpu_state(), CpuState::Stop);
    c.plc_hot_start().unwrap();
    assert_eq!(server.cpu_state(), CpuState::Run);

    let stopped = builder().cpu_state(CpuState::Stop).start().unwrap();
    assert_eq!(stopped.cpu_state(), CpuState::Stop);
    let mut c = client(stopped.local_addr());
    assert_eq!(c.read_szl(CPU_STATE, 0).unwrap()[7], MODE_STOP);
}

#[test]
fn clock_reads_and_sets() {
    let server = server();
    let mut c = client(server.local_addr());
    let time = S7DateTime {
        year: 2031,
        month: 7,
        day: 14,
        hour: 9,
        minute: 30,
        second: 0,
        millisecond: 0,
        weekday: 2,
    };
    c.exchange(Request::UserData(UserData::set_clock(&time).unwrap()))
        .unwrap();
    assert_eq!(server.plc().clock().year, 2031);
    let read = c.read_clock().unwrap();
    assert_eq!((read.year, read.month, read.day), (2031, 7, 14));
}

#[test]
fn unknown_job_function_is_answered_not_implemented() {
    let server = server();
    let mut c = client(server.local_addr());
    expect_error_answer(
        c.exchange(Request::Unknown {
            params: vec![0x42, 0x00],
            data: Vec::new(),
        }),
        0x81,
        0x04,
    );
    assert_eq!(c.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
}

#[test]
fn bytes_that_are_not_s7comm_close_only_that_connection() {
    let server = server();
    let mut other = client(server.local_addr());
    let mut c = client(server.local_addr());
    c.connection_mut().send(b"definitely not s7comm").unwrap();
    let error = c.connection_mut().recv().unwrap_err();
    assert!(matches!(error, iso_tcp::Error::Closed), "{error:?}");
    assert_eq!(other.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    server.wait_for_open_connections(1, TIMEOUT).unwrap();
}

#[test]
fn memory_changes_on_either_side_are_seen_by_the_other_while_connected() {
    let server = server();
    let mut c = client(server.local_addr());
    for round in 0u8..5 {
        server
            .write_bytes(Region::DataBlock(2), 0, &[round, round])
            .unwrap();
        assert_eq!(
            c.read_area(Area::DataBlock, 2, 0, 2).unwrap(),
            [round, round]
        );
        c.write_area(Area::DataBlock, 2, 10, &[round + 100])
            .unwrap();
        assert_eq!(
            server.read_bytes(Region::DataBlock(2), 10, 1).unwrap(),
            [round + 100]
        );
    }
    {
        let mut memory = server.memory_mut();
        memory.write_u16(Region::Inputs, 0, 0xCAFE).unwrap();
        memory.write_bit(Region::Inputs, 2, 0, true).unwrap();
    }
    assert_eq!(c.read_area(Area::Inputs, 0, 0, 3).unwrap(), [0xCA, 0xFE, 1]);
}

#[test]
fn initial_images_from_the_builder_are_served() {
    let server = Server::builder()
        .inputs_with(vec![1, 2, 3])
        .outputs_with(vec![4, 5])
        .flags_with(vec![6])
        .timers_with(vec![0x0102, 0x0304])
        .counters_with(vec![0x0A0B])
        .data_block_with(3, vec![7, 8, 9])
        .start()
        .unwrap();
    let mut c = client(server.local_addr());
    assert_eq!(c.read_area(Area::Inputs, 0, 0, 3).unwrap(), [1, 2, 3]);
    assert_eq!(c.read_area(Area::Outputs, 0, 0, 2).unwrap(), [4, 5]);
    assert_eq!(c.read_area(Area::Flags, 0, 0, 1).unwrap(), [6]);
    assert_eq!(c.read_area(Area::Timers, 0, 0, 2).unwrap(), [1, 2, 3, 4]);
    assert_eq!(c.read_area(Area::Counters, 0, 0, 1).unwrap(), [0x0A, 0x0B]);
    assert_eq!(c.read_area(Area::DataBlock, 3, 0, 3).unwrap(), [7, 8, 9]);
    let past = read_one(&mut c, ItemAddress::bytes(Area::Inputs, 0, 3, 1));
    assert_eq!(past.return_code, ReturnCode::AddressOutOfRange);
}

#[test]
fn a_prebuilt_plc_is_shared_with_the_caller() {
    let plc = Plc::builder().data_block(4, 8).build().unwrap();
    let server = Server::builder().plc(plc.clone()).start().unwrap();
    let mut c = client(server.local_addr());
    c.write_area(Area::DataBlock, 4, 0, &[42]).unwrap();
    assert_eq!(plc.memory().read_u8(Region::DataBlock(4), 0).unwrap(), 42);
}

#[test]
fn invalid_settings_and_busy_addresses_fail_to_start() {
    let error = Server::builder().pdu_size(2000).start().unwrap_err();
    assert!(
        matches!(error, s7_mock::Error::InvalidConfig { .. }),
        "{error}"
    );
    let first = server();
    let error = Server::builder()
        .bind(first.local_addr())
        .start()
        .unwrap_err();
    assert!(
        matches!(&error, s7_mock::Error::Transport(inner) if matches!(inner.get(), iso_tcp::Error::Io { op: "bind", .. })),
        "{error}"
    );
}

#[test]
fn tsap_filter_refuses_other_racks_slots_and_connection_types() {
    let server = builder()
        .tsap_filter(
            TsapFilter::any()
                .rack_slot(0, 2)
                .connection_types(&[ConnectionType::Pg, ConnectionType::Op]),
        )
        .start()
        .unwrap();
    let addr = server.local_addr();
    let connect = |tsap: Tsap| Client::connect(options(addr).remote_tsap(tsap));
    // PG to rack 0 slot 2 (0x0102) and OP (0x0202) are welcome.
    assert_eq!(connect(Tsap::from_u16(0x0102)).unwrap().pdu_size(), 480);
    assert_eq!(connect(Tsap::from_u16(0x0202)).unwrap().pdu_size(), 480);
    for refused in [0x0103, 0x0122, 0x0302, 0x1002] {
        let error = connect(Tsap::from_u16(refused)).unwrap_err();
        assert!(
            matches!(
                transport(&error),
                iso_tcp::Error::Refused {
                    reason: DisconnectReason::AddressUnknown
                }
            ),
            "tsap {refused:04x}: {error}"
        );
    }
    // A TSAP that is not a 2-byte S7 TSAP does not name a rack and slot.
    let error = connect(Tsap::new(b"SIMATIC-ROOT-HMI".to_vec()).unwrap()).unwrap_err();
    assert!(matches!(transport(&error), iso_tcp::Error::Refused { .. }));

    // The default accepts anything, string TSAPs included.
    let open = server_support::server();
    let c = Client::connect(
        options(open.local_addr()).remote_tsap(Tsap::new(b"SIMATIC-ROOT-HMI".to_vec()).unwrap()),
    );
    assert!(c.is_ok());
}

#[test]
fn connections_beyond_the_limit_are_refused_until_one_closes() {
    let server = builder().max_connections(2).start().unwrap();
    let addr = server.local_addr();
    let first = client(addr);
    let mut second = client(addr);
    let error = Client::connect(options(addr)).unwrap_err();
    assert!(
        matches!(
            transport(&error),
            iso_tcp::Error::Refused {
                reason: DisconnectReason::Congestion
            }
        ),
        "{error}"
    );
    assert_eq!(server.open_connections(), 2);
    first.close().unwrap();
    server.wait_for_open_connections(1, TIMEOUT).unwrap();
    let mut third = client(addr);
    assert_eq!(third.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    assert_eq!(second.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    assert_eq!(server.accepted_connections(), 4);
}

#[test]
fn serves_on_ipv6_loopback() {
    let server = builder().bind("[::1]:0".parse().unwrap()).start().unwrap();
    assert!(server.local_addr().is_ipv6());
    let mut c = client(server.local_addr());
    c.write_area(Area::DataBlock, 1, 0, &[6, 6]).unwrap();
    assert_eq!(c.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [6, 6]);
    let peer = server.wait_for_request(1, TIMEOUT).unwrap().peer;
    assert!(peer.is_ipv6());
}

#[test]
fn a_silent_client_does_not_hold_up_others_and_is_dropped_after_the_handshake_timeout() {
    let server = builder()
        .handshake_timeout(Duration::from_millis(300))
        .start()
        .unwrap();
    let mut silent = TcpStream::connect(server.local_addr()).unwrap();
    silent.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut c = client(server.local_addr());
    assert_eq!(c.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    // The server gives up on the silent one: its read sees the end of the stream.
    let mut buf = [0u8; 16];
    assert_eq!(silent.read(&mut buf).unwrap(), 0);
    assert_eq!(server.open_connections(), 1);
}

fn connect_refused(addr: SocketAddr) -> bool {
    matches!(
        TcpStream::connect_timeout(&addr, TIMEOUT),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

#[test]
fn dropping_the_server_closes_every_connection_and_the_port() {
    let server = server();
    let addr = server.local_addr();
    let mut clients: Vec<Client> = (0..5).map(|_| client(addr)).collect();
    let mut silent = TcpStream::connect(addr).unwrap();
    silent.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut idle_transport = iso_tcp::ClientOptions::new(addr)
        .read_timeout(Some(TIMEOUT))
        .connect()
        .unwrap();
    server.wait_for_open_connections(6, TIMEOUT).unwrap();

    drop(server);

    assert!(
        connect_refused(addr),
        "the port is closed once drop returns"
    );
    for c in &mut clients {
        assert!(c.read_area(Area::DataBlock, 1, 0, 1).is_err());
    }
    let error = idle_transport.recv().unwrap_err();
    assert!(
        matches!(
            error,
            iso_tcp::Error::Closed | iso_tcp::Error::PeerDisconnected { .. }
        ),
        "{error:?}"
    );
    let mut buf = [0u8; 16];
    assert_eq!(
        silent.read(&mut buf).unwrap(),
        0,
        "a client in its handshake is closed too"
    );
}

#[test]
fn explicit_shutdown_closes_the_port() {
    let server = server();
    let addr = server.local_addr();
    let mut c = client(addr);
    assert_eq!(c.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    server.shutdown();
    assert!(connect_refused(addr));
    assert!(c.read_area(Area::DataBlock, 1, 0, 1).is_err());
}

#[test]
fn read_into_fills_the_callers_buffer_over_several_pdus() {
    let server = server();
    let data = pattern(1000, 3);
    server.write_bytes(Region::DataBlock(1), 10, &data).unwrap();
    let mut c = Client::connect_with_pdu(options(server.local_addr()), 240).unwrap();
    assert_eq!(c.pdu_size(), 240);
    let mut out = vec![0; data.len()];
    c.read_into(Area::DataBlock, 1, 10, &mut out).unwrap();
    assert_eq!(out, data);
    // Five requests (222 data bytes fit one 240-byte answer) plus setup communication.
    assert_eq!(server.request_count(), 1 + 1000_usize.div_ceil(222));

    server.set_timer(4, 0x0102).unwrap();
    server.set_timer(5, 0x0304).unwrap();
    let mut timers = [0; 4];
    c.read_into(Area::Timers, 0, 4, &mut timers).unwrap();
    assert_eq!(timers, [1, 2, 3, 4]);
    let odd = c.read_into(Area::Timers, 0, 4, &mut [0; 3]).unwrap_err();
    assert!(
        matches!(odd, s7_client::Error::InvalidArgument { .. }),
        "{odd:?}"
    );

    let past = c
        .read_into(Area::DataBlock, 1, 1020, &mut [0; 8])
        .unwrap_err();
    assert!(
        matches!(
            past,
            s7_client::Error::ItemFailed { index: 0, return_code } if return_code == ReturnCode::AddressOutOfRange
        ),
        "{past:?}"
    );
    // The connection is still usable after a failed item.
    let mut one = [0; 1];
    c.read_into(Area::DataBlock, 1, 10, &mut one).unwrap();
    assert_eq!(one[0], data[0]);
}
