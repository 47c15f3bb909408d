//! The receive deadline and the idle timeout of the mock's connections: a client that stalls
//! in the middle of a frame is cut, one idle between requests is not (unless an idle timeout
//! is set), and other clients are served meanwhile. A client that keeps a frame going a byte
//! at a time is cut by the deadline all the same, and a mock built with the defaults cuts
//! after 5 s.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod raw_client;
mod server_support;

use std::io::Write;
use std::thread;
use std::time::Duration;

use raw_client::{connected, time_to_close, trickle, HALF_A_FRAME, LARGEST_FRAME_START};
use s7_mock::server::DEFAULT_RECEIVE_DEADLINE;
use s7comm::Area;
use server_support::{builder, client};

#[test]
fn a_client_stalled_mid_frame_is_cut_after_the_deadline() {
    let server = builder()
        .data_block(1, 16)
        .receive_deadline(Some(Duration::from_millis(300)))
        .start()
        .unwrap();
    let mut stalled = connected(server.local_addr());
    stalled.write_all(&HALF_A_FRAME).unwrap();
    // Another client is served while the stalled one waits.
    let mut other = client(server.local_addr());
    assert_eq!(other.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [0, 0]);
    let waited = time_to_close(&mut stalled);
    assert!(
        waited < Duration::from_secs(8),
        "the stalled client was not cut ({waited:?})"
    );
    server
        .wait_for_open_connections(1, Duration::from_secs(5))
        .unwrap();
    assert_eq!(other.read_area(Area::DataBlock, 1, 0, 2).unwrap(), [0, 0]);
}

#[test]
fn a_client_idle_between_requests_is_left_alone_without_an_idle_timeout() {
    let server = builder()
        .data_block(1, 16)
        .receive_deadline(Some(Duration::from_millis(100)))
        .start()
        .unwrap();
    let mut c = client(server.local_addr());
    thread::sleep(Duration::from_millis(400));
    assert_eq!(c.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);
    assert_eq!(server.open_connections(), 1);
}

#[test]
fn an_idle_timeout_cuts_a_silent_client() {
    let server = builder()
        .data_block(1, 16)
        .idle_timeout(Some(Duration::from_millis(200)))
        .start()
        .unwrap();
    let mut silent = connected(server.local_addr());
    let waited = time_to_close(&mut silent);
    assert!(
        waited < Duration::from_secs(8),
        "the silent client was not cut ({waited:?})"
    );
    server
        .wait_for_open_connections(0, Duration::from_secs(5))
        .unwrap();
}

#[test]
fn a_client_trickling_a_frame_is_cut_after_the_deadline() {
    let deadline = Duration::from_millis(300);
    let server = builder()
        .data_block(1, 16)
        .receive_deadline(Some(deadline))
        .start()
        .unwrap();
    let mut trickling = connected(server.local_addr());
    let writer = trickle(&trickling, &LARGEST_FRAME_START, Duration::from_secs(8));
    let waited = time_to_close(&mut trickling);
    assert!(
        waited < deadline + Duration::from_millis(1500),
        "a trickle kept the client open for {waited:?}"
    );
    writer.join().unwrap();
    server
        .wait_for_open_connections(0, Duration::from_secs(5))
        .unwrap();
}

#[test]
fn a_default_built_mock_cuts_stalled_and_trickling_clients_after_5_s() {
    assert_eq!(DEFAULT_RECEIVE_DEADLINE, Duration::from_secs(5));
    let server = builder().start().unwrap();
    let addr = server.local_addr();
    let mut stalled = connected(addr);
    let mut trickling = connected(addr);
    stalled.write_all(&HALF_A_FRAME).unwrap();
    let writer = trickle(&trickling, &LARGEST_FRAME_START, Duration::from_secs(12));
    let watcher = thread::spawn(move || time_to_close(&mut trickling));
    let stalled_for = time_to_close(&mut stalled);
    let trickled_for = watcher.join().unwrap();
    writer.join().unwrap();
    for (who, waited) in [("stalled", stalled_for), ("trickling", trickled_for)] {
        assert!(
            waited >= Duration::from_millis(4500),
            "the {who} client was cut after only {waited:?}"
        );
        assert!(
            waited < Duration::from_millis(7500),
            "the {who} client was cut after {waited:?}"
        );
    }
}
