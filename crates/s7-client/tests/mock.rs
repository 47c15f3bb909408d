//! The client against the in-process mock PLC: connecting by rack and slot, multi-item packing
//! (counted in the mock's request log), splitting, per-item failures, the CPU services and
//! liveness.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use s7_client::{
    Client, ClientBuilder, ConnectionType, CpuInfo, CpuState, Error, ReadRequest, WriteRequest,
    MAX_ITEMS,
};
use s7_mock::memory::Region;
use s7_mock::server::{ConnectionType as MockConnectionType, Function, Server, TsapFilter};
use s7comm::{Area, ReturnCode, S7DateTime};

const TIMEOUT: Duration = Duration::from_secs(10);

fn server(pdu: u16) -> Server {
    Server::builder()
        .data_block(1, 4096)
        .data_block(2, 256)
        .inputs(64)
        .outputs(64)
        .flags(256)
        .timers(64)
        .counters(64)
        .pdu_size(pdu)
        .start()
        .unwrap()
}

fn builder(server: &Server) -> ClientBuilder {
    Client::builder(server.local_addr())
        .read_timeout(Some(TIMEOUT))
        .write_timeout(Some(TIMEOUT))
}

fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from((i * 31 + seed * 7) % 251).unwrap())
        .collect()
}

/// Requests logged after setup communication, waiting for `n` of them.
fn requests_after_setup(server: &Server, n: usize) -> Vec<s7_mock::server::LoggedRequest> {
    let log = server.wait_for_requests(n + 1, TIMEOUT).unwrap();
    assert_eq!(log.len(), n + 1, "exactly {n} requests after setup");
    log.into_iter().skip(1).collect()
}

#[test]
fn connects_by_rack_slot_and_connection_type() {
    let server = Server::builder()
        .data_block(1, 16)
        .tsap_filter(
            TsapFilter::any()
                .rack_slot(0, 1)
                .connection_types(&[MockConnectionType::Op]),
        )
        .start()
        .unwrap();
    let builder = || builder(&server);

    let op = builder()
        .rack_slot(0, 1)
        .connection_type(ConnectionType::Op)
        .connect()
        .unwrap();
    assert_eq!(op.connection().remote_tsap().to_u16(), Some(0x0201));
    op.close().unwrap();

    // The same TSAP given explicitly.
    builder().remote_tsap(0x0201).connect().unwrap();

    // Another slot or connection type is refused by the CPU (a DR at connect).
    let wrong_slot = builder()
        .rack_slot(0, 2)
        .connection_type(ConnectionType::Op);
    assert!(matches!(wrong_slot.connect(), Err(Error::Transport(_))));
    let wrong_type = builder()
        .rack_slot(0, 1)
        .connection_type(ConnectionType::Pg);
    assert!(matches!(wrong_type.connect(), Err(Error::Transport(_))));

    // Out of range before anything is sent.
    let error = builder().rack(8).connect().unwrap_err();
    assert!(matches!(error, Error::Tsap(_)), "{error:?}");
    assert!(error.to_string().starts_with("s7 tsap: "), "{error}");
    assert_eq!(
        builder()
            .rack_slot(3, 5)
            .connection_type(ConnectionType::S7Basic)
            .called_tsap()
            .unwrap()
            .to_u16(),
        Some(0x0365)
    );
}

#[test]
fn negotiated_pdu_and_parallel_jobs_are_exposed() {
    let server = Server::builder()
        .data_block(1, 16)
        .pdu_size(240)
        .max_parallel_jobs(3)
        .start()
        .unwrap();
    let client = builder(&server).parallel_jobs(8).connect().unwrap();
    assert_eq!(client.pdu_size(), 240);
    assert_eq!(client.max_amq_calling(), 3);
    assert_eq!(client.max_amq_called(), 3);
    assert_eq!(client.jobs_in_flight(), 3);
    // By default the client asks for MAX_JOBS_IN_FLIGHT and takes what it is granted.
    let default = builder(&server).connect().unwrap();
    assert_eq!(default.max_amq_called(), 3);
    let one = builder(&server)
        .pdu_size(200)
        .parallel_jobs(1)
        .connect()
        .unwrap();
    assert_eq!(one.pdu_size(), 200);
    assert_eq!(one.max_amq_called(), 1);
    assert_eq!(one.jobs_in_flight(), 1);
}

#[test]
fn the_mock_serves_requests_in_flight_in_order() {
    let server = Server::builder()
        .data_block(1, 8192)
        .pdu_size(240)
        .max_parallel_jobs(4)
        .start()
        .unwrap();
    let mut client = builder(&server).parallel_jobs(4).connect().unwrap();
    assert_eq!(client.jobs_in_flight(), 4);
    let data = pattern(4000, 2);
    // 212 data bytes per write request, 222 per read answer: 19 and 19 requests.
    client.write_area(Area::DataBlock, 1, 100, &data).unwrap();
    assert_eq!(
        client.read_area(Area::DataBlock, 1, 100, 4000).unwrap(),
        data
    );
    let items: Vec<_> = (0..10u32)
        .map(|i| ReadRequest::db(1, 100 + i * 400, 200))
        .collect();
    let results = client.read_many(&items).unwrap();
    for (i, result) in results.iter().enumerate() {
        let start = i * 400;
        assert_eq!(
            result.as_ref().unwrap(),
            &data[start..start + 200],
            "item {i}"
        );
    }
    requests_after_setup(&server, 19 + 19 + 10);
}

#[test]
fn items_are_packed_largest_first() {
    let server = server(240);
    let mut client = builder(&server).connect().unwrap();
    let data = pattern(1000, 3);
    server.write_bytes(Region::DataBlock(1), 0, &data).unwrap();
    // In the caller's order first-fit would need three requests; largest first, two.
    let spans = [(0, 46), (100, 78), (200, 112), (400, 138)];
    let items: Vec<_> = spans
        .iter()
        .map(|&(start, len)| ReadRequest::db(1, start, len))
        .collect();
    let results = client.read_many(&items).unwrap();
    for (result, &(start, len)) in results.iter().zip(&spans) {
        let start = usize::try_from(start).unwrap();
        assert_eq!(result.as_ref().unwrap(), &data[start..start + len]);
    }
    let log = requests_after_setup(&server, 2);
    let items: Vec<usize> = log.iter().map(|r| r.items().len()).collect();
    assert_eq!(items, [2, 2]);
}

#[test]
fn small_items_are_packed_twenty_per_request() {
    let server = server(480);
    let data = pattern(200, 1);
    server.write_bytes(Region::DataBlock(1), 0, &data).unwrap();
    let mut client = builder(&server).connect().unwrap();

    let items: Vec<_> = (0..30u32).map(|i| ReadRequest::db(1, i * 4, 3)).collect();
    let results = client.read_many(&items).unwrap();
    assert_eq!(results.len(), 30);
    for (i, result) in results.iter().enumerate() {
        assert_eq!(
            result.as_ref().unwrap(),
            &data[i * 4..i * 4 + 3],
            "item {i}"
        );
    }
    let log = requests_after_setup(&server, 2);
    assert_eq!(log[0].function, Function::ReadVar);
    assert_eq!(log[0].items().len(), MAX_ITEMS);
    assert_eq!(log[1].items().len(), 10);
}

#[test]
fn the_answer_size_decides_how_many_items_fit() {
    // 240-byte PDU: 226 bytes of answer data; 50-byte items take 54 each, so 4 per request.
    let server = server(240);
    let mut client = builder(&server).connect().unwrap();
    let items: Vec<_> = (0..8u32).map(|i| ReadRequest::db(1, i * 50, 50)).collect();
    client.read_many(&items).unwrap();
    let log = requests_after_setup(&server, 2);
    assert!(log.iter().all(|r| r.items().len() == 4));
}

#[test]
fn an_oversized_item_is_split_and_reassembled_in_order() {
    let server = server(240);
    let big = pattern(1000, 2);
    let small = pattern(10, 3);
    server.write_bytes(Region::DataBlock(1), 100, &big).unwrap();
    server.write_bytes(Region::DataBlock(2), 0, &small).unwrap();
    for (i, value) in [0x0102u16, 0x0304, 0x0506].into_iter().enumerate() {
        server.set_timer(10 + i, value).unwrap();
    }
    let mut client = builder(&server).connect().unwrap();

    let results = client
        .read_many(&[
            ReadRequest::db(1, 100, 1000),
            ReadRequest::db(2, 0, 10),
            ReadRequest::timers(10, 3),
        ])
        .unwrap();
    assert_eq!(results[0].as_ref().unwrap(), &big);
    assert_eq!(results[1].as_ref().unwrap(), &small);
    assert_eq!(results[2].as_ref().unwrap(), &[1, 2, 3, 4, 5, 6]);
    // 1000 bytes are four parts of 222 and one of 112; the 112-byte part, DB2 and the
    // timers share the fifth request.
    let log = requests_after_setup(&server, 5);
    let items: Vec<usize> = log.iter().map(|r| r.items().len()).collect();
    assert_eq!(items, [1, 1, 1, 1, 3]);
}

#[test]
fn a_missing_db_fails_only_its_own_item() {
    let server = server(480);
    server
        .write_bytes(Region::DataBlock(1), 0, &[1, 2, 3, 4])
        .unwrap();
    let mut client = builder(&server).connect().unwrap();
    let results = client
        .read_many(&[
            ReadRequest::db(1, 0, 4),
            ReadRequest::db(9, 0, 8),
            ReadRequest::db(1, 4090, 10),
            ReadRequest::bytes(Area::Flags, 0, 0, 2),
        ])
        .unwrap();
    assert_eq!(results[0], Ok(vec![1, 2, 3, 4]));
    assert_eq!(results[1], Err(ReturnCode::ObjectDoesNotExist));
    assert_eq!(results[2], Err(ReturnCode::AddressOutOfRange));
    assert_eq!(results[3], Ok(vec![0, 0]));

    let error = client.read_area(Area::DataBlock, 9, 0, 4).unwrap_err();
    assert!(
        matches!(
            error,
            Error::ItemFailed {
                index: 0,
                return_code: ReturnCode::ObjectDoesNotExist
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "item 0 failed: object does not exist (0x0a)"
    );
}

#[test]
fn write_many_packs_items_and_reports_each() {
    let server = server(480);
    let mut client = builder(&server).connect().unwrap();
    let db = pattern(300, 4);
    let flags = pattern(7, 5);
    let results = client
        .write_many(&[
            WriteRequest::db(1, 0, &db),
            WriteRequest::bytes(Area::Flags, 0, 20, &flags),
            WriteRequest::db(9, 0, &[1, 2]),
            WriteRequest::timers(3, &[0xAB, 0xCD]),
            WriteRequest::bit(Area::Outputs, 0, 2, 5, true),
        ])
        .unwrap();
    assert_eq!(
        results,
        [
            Ok(()),
            Ok(()),
            Err(ReturnCode::ObjectDoesNotExist),
            Ok(()),
            Ok(())
        ]
    );
    assert_eq!(server.read_bytes(Region::DataBlock(1), 0, 300).unwrap(), db);
    assert_eq!(server.read_bytes(Region::Flags, 20, 7).unwrap(), flags);
    assert_eq!(server.timer(3).unwrap(), 0xABCD);
    assert!(server.read_bit(Region::Outputs, 2, 5).unwrap());
    assert_eq!(server.read_bytes(Region::Outputs, 2, 1).unwrap(), [0x20]);
    // 300 + 7 + 2 + 2 + 1 data bytes and five addresses fit one 480-byte request.
    let log = requests_after_setup(&server, 1);
    assert_eq!(log[0].function, Function::WriteVar);
    assert_eq!(log[0].write_items().len(), 5);

    assert!(client.read_bit(Area::Outputs, 0, 2, 5).unwrap());
    client.write_bit(Area::Outputs, 0, 2, 5, false).unwrap();
    assert!(!client.read_bit(Area::Outputs, 0, 2, 5).unwrap());

    let odd = client.write_many(&[WriteRequest::timers(0, &[1, 2, 3])]);
    assert!(matches!(odd, Err(Error::InvalidArgument { .. })), "{odd:?}");
}

#[test]
fn an_oversized_write_is_split() {
    let server = server(240);
    let mut client = builder(&server).connect().unwrap();
    let data = pattern(1000, 6);
    let results = client
        .write_many(&[WriteRequest::db(1, 50, &data)])
        .unwrap();
    assert_eq!(results, [Ok(())]);
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 50, 1000).unwrap(),
        data
    );
    // 212 data bytes per 240-byte write request: five requests.
    requests_after_setup(&server, 5);
}

#[test]
fn cpu_state_and_cold_and_hot_start() {
    let server = server(480);
    let mut client = builder(&server).connect().unwrap();
    assert_eq!(client.cpu_state().unwrap(), CpuState::Run);
    client.plc_stop().unwrap();
    assert_eq!(client.cpu_state().unwrap(), CpuState::Stop);
    assert_eq!(server.cpu_state(), s7_mock::plc::CpuState::Stop);
    client.plc_cold_start().unwrap();
    assert_eq!(client.cpu_state().unwrap(), CpuState::Run);
    client.plc_stop().unwrap();
    client.plc_hot_start().unwrap();
    assert_eq!(client.cpu_state().unwrap(), CpuState::Run);
    let controls: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.function == Function::PlcControl)
        .collect();
    assert_eq!(controls.len(), 2, "a cold start and a hot start");
}

#[test]
fn order_code_and_cpu_info() {
    let server = server(480);
    let mut client = builder(&server).connect().unwrap();
    let code = client.order_code().unwrap();
    assert_eq!(code.code, "6ES7 315-2EH14-0AB0");
    assert_eq!(code.version, (3, 2, 6));
    assert_eq!(
        client.cpu_info().unwrap(),
        CpuInfo {
            module_type: "CPU 315-2 PN/DP".into(),
            serial_number: "S C-M0CK00000001".into(),
            as_name: "S7-MOCK".into(),
            copyright: "Original Siemens Equipment".into(),
            module_name: "CPU 315-2 PN/DP".into(),
        }
    );
    // A small PDU makes the 0x001C answer multi-part; the result is the same.
    let mut small = builder(&server).pdu_size(96).connect().unwrap();
    assert_eq!(small.cpu_info().unwrap(), client.cpu_info().unwrap());
}

#[test]
fn clock_set_then_get() {
    let server = server(480);
    let mut client = builder(&server).connect().unwrap();
    let time = S7DateTime {
        year: 2031,
        month: 7,
        day: 14,
        hour: 9,
        minute: 30,
        second: 5,
        millisecond: 250,
        weekday: 2,
    };
    client.set_clock(&time).unwrap();
    let read = client.read_clock().unwrap();
    let drift = read.to_unix_millis().unwrap() - time.to_unix_millis().unwrap();
    assert!((0..5_000).contains(&drift), "clock drifted {drift} ms");
    assert_eq!((read.year, read.month, read.day), (2031, 7, 14));
    let bad = S7DateTime { month: 13, ..time };
    assert!(matches!(client.set_clock(&bad), Err(Error::Codec(_))));
}

#[test]
fn is_alive_until_the_server_goes_away() {
    let server = server(480);
    let mut client = builder(&server).connect().unwrap();
    client.read_area(Area::DataBlock, 1, 0, 4).unwrap();
    assert!(client.is_alive());
    drop(server);
    let deadline = std::time::Instant::now() + TIMEOUT;
    while client.is_alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!client.is_alive());
    assert!(client.read_area(Area::DataBlock, 1, 0, 4).is_err());
}

#[test]
fn connect_with_iso_tcp_options_as_before() {
    let server = server(480);
    let options = iso_tcp::ClientOptions::new(server.local_addr()).read_timeout(Some(TIMEOUT));
    let mut client = Client::connect(options).unwrap();
    client.write_db(1, 8, &[9, 8, 7]).unwrap();
    assert_eq!(client.read_db(1, 8, 3).unwrap(), [9, 8, 7]);
    client.close().unwrap();
}
