//! The receive deadline and the idle timeout of the mock's connections: a client that stalls
//! in the middle of a frame is cut, one idle between requests is not (unless an idle timeout
//! is set), and other clients are served meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod server_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use s7comm::Area;
use server_support::{builder, client};

/// The S7 connection request python-snap7 sends (rack 0, slot 1, TPDU 1024).
const CONNECTION_REQUEST: [u8; 22] = [
    0x03, 0x00, 0x00, 0x16, 0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC0, 0x01, 0x0A, 0xC1, 0x02,
    0x01, 0x00, 0xC2, 0x02, 0x01, 0x01,
];

/// A raw client past the COTP handshake.
fn connected(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(&CONNECTION_REQUEST).unwrap();
    let mut confirm = [0; 4];
    stream.read_exact(&mut confirm).unwrap();
    let len = usize::from(u16::from_be_bytes([confirm[2], confirm[3]]));
    let mut rest = vec![0; len - 4];
    stream.read_exact(&mut rest).unwrap();
    assert_eq!(rest[1], 0xD0, "connection confirm");
    stream
}

/// Reads until the server closes (EOF or reset); returns how long that took.
fn time_to_close(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut buf = [0; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return started.elapsed(),
            // A DR before the close is fine.
            Ok(_) => continue,
        }
    }
}

#[test]
fn a_client_stalled_mid_frame_is_cut_after_the_deadline() {
    let server = builder()
        .data_block(1, 16)
        .receive_deadline(Some(Duration::from_millis(300)))
        .start()
        .unwrap();
    let mut stalled = connected(server.local_addr());
    // Half a frame: a TPKT header announcing 31 bytes, then two of them.
    stalled
        .write_all(&[0x03, 0x00, 0x00, 0x1F, 0x02, 0xF0])
        .unwrap();
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
    std::thread::sleep(Duration::from_millis(400));
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
