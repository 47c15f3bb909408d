//! Single-connection benches on loopback, each against a raw `std::net` floor with the same
//! byte counts, measured in the same run, for both placements of client and server (same
//! CPU, split CPUs; see `benches::pin`).
//!
//! - round trip: a 4-byte DB read (request frame 31 bytes, answer 29) and a 913-byte read
//!   (answer 938) through the s7-mock client on iso-tcp to the in-process mock server,
//!   against a raw TCP ping-pong of the same sizes with `TCP_NODELAY`;
//! - setup: TCP connect, CR/CC, S7 setup communication and close, against raw TCP connect,
//!   the same two exchanges (22 bytes out, 22 back as CR/CC; then 25 out, 27 back as the
//!   setup communication) on an inline raw server, and close; as references, one exchange of
//!   the same total sizes (47 out, 49 back: a round trip fewer than S7 needs) and the two
//!   exchanges served by a thread spawned per connection;
//! - large read: 4000 bytes of a DB over a 480-byte PDU (9 requests), against 9 raw round
//!   trips of the same sizes.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::{Ipv4Addr, TcpStream};
use std::time::Duration;

use benches::lean_client::{
    read_answer_frame_len, CONNECTION_CONFIRM_FRAME_LEN, CONNECTION_REQUEST_FRAME_LEN,
    READ_OVERHEAD, READ_REQUEST_FRAME_LEN, SETUP_ANSWER_FRAME_LEN, SETUP_REQUEST_FRAME_LEN,
};
use benches::mock::start_mock_on;
use benches::raw::RawClient;
use benches::{pin_current_thread, raw_request, start_mock, Placement, RawServer, Serve};
use criterion::{criterion_group, criterion_main, Criterion};
use s7_client::Client;
use s7comm::Area;

/// Bytes of the round trip bench's large answer frame.
const LARGE_ANSWER_FRAME: usize = 938;

/// Bytes of the large read.
const LARGE_READ: usize = 4000;

/// PDU of the large read, as most S7-300/400 CPUs grant.
const LARGE_READ_PDU: u16 = 480;

fn client(addr: std::net::SocketAddr, pdu: u16) -> Client {
    Client::connect_with_pdu(iso_tcp::ClientOptions::new(addr), pdu).unwrap()
}

fn round_trip(c: &mut Criterion) {
    let large_read = LARGE_ANSWER_FRAME - read_answer_frame_len(0);
    for placement in Placement::ALL {
        let raw =
            RawServer::start(Serve::ThreadPerConnection, Some(placement.server_cpu())).unwrap();
        let mock = start_mock(Some(placement.server_cpu()), 16).unwrap();
        pin_current_thread(placement.client_cpu()).unwrap();
        let mut group = c.benchmark_group(format!("round_trip_{}", placement.name()));
        for (name, read_len) in [("4", 4_usize), ("913", large_read)] {
            let answer_len = read_answer_frame_len(read_len);
            let request = raw_request(READ_REQUEST_FRAME_LEN, answer_len).unwrap();
            let mut floor = RawClient::connect(raw.local_addr()).unwrap();
            group.bench_function(format!("floor_{name}"), |b| {
                b.iter(|| floor.round_trip(&request, answer_len).unwrap())
            });
            floor.close();

            let mut stack = client(mock.local_addr(), benches::mock::MOCK_MAX_PDU);
            assert_eq!(
                stack
                    .read_area(Area::DataBlock, 1, 0, read_len)
                    .unwrap()
                    .len(),
                read_len
            );
            group.bench_function(format!("stack_{name}"), |b| {
                b.iter(|| stack.read_area(Area::DataBlock, 1, 0, read_len).unwrap())
            });
            stack.close().unwrap();
        }
        group.finish();
    }
}

/// Loopback addresses the setup benches rotate over: each connection leaves a socket in
/// `TIME_WAIT` for a minute, and one destination has only ~28k ephemeral ports to be reached
/// from; past them `connect` searches for a free port for milliseconds.
const SETUP_ADDRESSES: u8 = 16;

fn setup(c: &mut Criterion) {
    // The floor: the stack's two round trips, byte for byte (CR 22 / CC 22, then setup
    // request 25 = TPKT 4 + DT 3 + S7 18 / answer 27 = 4 + 3 + 20).
    let exchanges = [
        (
            raw_request(CONNECTION_REQUEST_FRAME_LEN, CONNECTION_CONFIRM_FRAME_LEN).unwrap(),
            CONNECTION_CONFIRM_FRAME_LEN,
        ),
        (
            raw_request(SETUP_REQUEST_FRAME_LEN, SETUP_ANSWER_FRAME_LEN).unwrap(),
            SETUP_ANSWER_FRAME_LEN,
        ),
    ];
    let two_round_trips = |stream: TcpStream| {
        let mut floor = RawClient::from_stream(stream).unwrap();
        for (request, answer_len) in &exchanges {
            floor.round_trip(request, *answer_len).unwrap();
        }
        drop(floor);
    };
    // Reference only: the same total bytes in one round trip, which S7 cannot do.
    let one_answer_len = CONNECTION_CONFIRM_FRAME_LEN + SETUP_ANSWER_FRAME_LEN;
    let one_request = raw_request(
        CONNECTION_REQUEST_FRAME_LEN + SETUP_REQUEST_FRAME_LEN,
        one_answer_len,
    )
    .unwrap();
    for placement in Placement::ALL {
        let cpu = Some(placement.server_cpu());
        let raws: Vec<RawServer> = (1..=SETUP_ADDRESSES)
            .map(|i| RawServer::start_on(Ipv4Addr::new(127, 0, 1, i), Serve::Inline, cpu).unwrap())
            .collect();
        let mocks: Vec<s7_mock::Server> = (1..=SETUP_ADDRESSES)
            .map(|i| start_mock_on(Ipv4Addr::new(127, 0, 2, i), cpu, 64).unwrap())
            .collect();
        pin_current_thread(placement.client_cpu()).unwrap();
        let mut group = c.benchmark_group(format!("setup_{}", placement.name()));
        let mut raw_addrs = raws.iter().map(RawServer::local_addr).cycle();
        group.bench_function("floor", |b| {
            b.iter(|| two_round_trips(TcpStream::connect(raw_addrs.next().unwrap()).unwrap()))
        });
        group.bench_function("floor_one_exchange", |b| {
            b.iter(|| {
                let stream = TcpStream::connect(raw_addrs.next().unwrap()).unwrap();
                let mut floor = RawClient::from_stream(stream).unwrap();
                floor.round_trip(&one_request, one_answer_len).unwrap();
                drop(floor);
            })
        });
        // Reference, not the floor: the same two raw exchanges with a thread spawned per
        // connection, to show what that part of the design costs.
        let spawning: Vec<RawServer> = (1..=SETUP_ADDRESSES)
            .map(|i| {
                RawServer::start_on(Ipv4Addr::new(127, 0, 3, i), Serve::ThreadPerConnection, cpu)
                    .unwrap()
            })
            .collect();
        let mut spawning_addrs = spawning.iter().map(RawServer::local_addr).cycle();
        group.bench_function("floor_thread_per_connection", |b| {
            b.iter(|| two_round_trips(TcpStream::connect(spawning_addrs.next().unwrap()).unwrap()))
        });
        let mut mock_addrs = mocks.iter().map(s7_mock::Server::local_addr).cycle();
        group.bench_function("stack", |b| {
            b.iter(|| {
                let stack = client(mock_addrs.next().unwrap(), LARGE_READ_PDU);
                stack.close().unwrap();
            })
        });
        group.finish();
    }
}

fn large_read(c: &mut Criterion) {
    for placement in Placement::ALL {
        let raw =
            RawServer::start(Serve::ThreadPerConnection, Some(placement.server_cpu())).unwrap();
        let mock = start_mock(Some(placement.server_cpu()), 16).unwrap();
        pin_current_thread(placement.client_cpu()).unwrap();
        let mut stack = client(mock.local_addr(), LARGE_READ_PDU);
        assert_eq!(stack.pdu_size(), LARGE_READ_PDU);
        // The same requests the client makes: full PDUs, then the rest.
        let per_request = usize::from(LARGE_READ_PDU) - READ_OVERHEAD;
        let requests: Vec<(Vec<u8>, usize)> = (0..LARGE_READ)
            .step_by(per_request)
            .map(|start| {
                let len = per_request.min(LARGE_READ - start);
                let answer = read_answer_frame_len(len);
                (raw_request(READ_REQUEST_FRAME_LEN, answer).unwrap(), answer)
            })
            .collect();
        let mut floor = RawClient::connect(raw.local_addr()).unwrap();
        let mut group = c.benchmark_group(format!("large_read_{}", placement.name()));
        group.bench_function("floor", |b| {
            b.iter(|| {
                for (request, answer_len) in &requests {
                    floor.round_trip(request, *answer_len).unwrap();
                }
            })
        });
        group.bench_function("stack", |b| {
            b.iter(|| stack.read_area(Area::DataBlock, 1, 0, LARGE_READ).unwrap())
        });
        group.finish();
        floor.close();
        stack.close().unwrap();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args()
}

criterion_group! {
    name = loopback;
    config = config();
    targets = round_trip, setup, large_read
}
criterion_main!(loopback);
