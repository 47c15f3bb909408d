//! The tokio front-end on loopback, against a raw tokio floor measured in the same run, for
//! both placements of client and server (same CPU, split CPUs; see `benches::pin`).
//!
//! - round trip: a 4-byte DB read (request frame 31 bytes, answer 29) from an
//!   `iso_tcp::tokio::Connection` to the in-process mock server, against a raw tokio TCP
//!   ping-pong of the same byte counts (`write_all` + `read_exact`, `TCP_NODELAY`) to the raw
//!   floor server. Both clients run on a current-thread runtime on the pinned bench thread;
//!   each sample is one `block_on` around `iters` round trips, so the runtime's entry cost is
//!   spread over the sample, not paid per message.
//!
//! Run it with `cargo bench -p benches --bench tokio`; `cargo xtask bench` runs it too and
//! writes its rows ("3t tokio round trip", both placements) to docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use benches::lean_client::{read_answer_frame_len, FRAME_OVERHEAD, READ_REQUEST_FRAME_LEN};
use benches::mock::{BENCH_DB, MOCK_MAX_PDU};
use benches::{pin_current_thread, raw_request, start_mock, Placement, RawServer, Serve};
use criterion::{criterion_group, criterion_main, Criterion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// S7comm setup communication asking for the mock's largest PDU.
fn setup_communication() -> Vec<u8> {
    let mut pdu = vec![
        0x32, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, // header
        0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, // setup communication, 1 job each way
    ];
    pdu.extend_from_slice(&MOCK_MAX_PDU.to_be_bytes());
    pdu
}

/// S7comm read var: `len` bytes (as bytes, transport size 02) of the bench DB from byte 0.
fn read_request(len: u16) -> Vec<u8> {
    let mut pdu = vec![
        0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0E, 0x00, 0x00, // header
        0x04, 0x01, // read var, 1 item
        0x12, 0x0A, 0x10, 0x02,
    ];
    pdu.extend_from_slice(&len.to_be_bytes());
    pdu.extend_from_slice(&BENCH_DB.to_be_bytes());
    pdu.extend_from_slice(&[0x84, 0x00, 0x00, 0x00]);
    pdu
}

fn round_trip(c: &mut Criterion) {
    let answer_len = read_answer_frame_len(4);
    for placement in Placement::ALL {
        let raw =
            RawServer::start(Serve::ThreadPerConnection, Some(placement.server_cpu())).unwrap();
        let mock = start_mock(Some(placement.server_cpu()), 16).unwrap();
        pin_current_thread(placement.client_cpu()).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut group = c.benchmark_group(format!("tokio_round_trip_{}", placement.name()));

        let request = raw_request(READ_REQUEST_FRAME_LEN, answer_len).unwrap();
        let mut floor = runtime
            .block_on(tokio::net::TcpStream::connect(raw.local_addr()))
            .unwrap();
        floor.set_nodelay(true).unwrap();
        let mut answer = vec![0_u8; answer_len];
        group.bench_function("floor_4", |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        floor.write_all(&request).await.unwrap();
                        floor.read_exact(&mut answer).await.unwrap();
                    }
                    start.elapsed()
                })
            })
        });
        drop(floor);

        let read = read_request(4);
        assert_eq!(read.len() + FRAME_OVERHEAD, READ_REQUEST_FRAME_LEN);
        let mut stack = runtime.block_on(async {
            let mut connection =
                iso_tcp::tokio::connect(iso_tcp::ClientOptions::new(mock.local_addr()))
                    .await
                    .unwrap();
            connection.send(&setup_communication()).await.unwrap();
            connection.recv().await.unwrap();
            connection.send(&read).await.unwrap();
            let answer = connection.recv().await.unwrap();
            assert_eq!(answer.len() + FRAME_OVERHEAD, answer_len, "{answer:02X?}");
            assert_eq!(answer.get(14), Some(&0xFF), "read answered {answer:02X?}");
            connection
        });
        group.bench_function("stack_4", |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        stack.send(&read).await.unwrap();
                        stack.recv().await.unwrap();
                    }
                    start.elapsed()
                })
            })
        });
        runtime.block_on(stack.close()).unwrap();
        group.finish();
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
    name = tokio_benches;
    config = config();
    targets = round_trip
}
criterion_main!(tokio_benches);
