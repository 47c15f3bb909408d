//! A raw TCP client for the mock, past the COTP handshake and then on its own: for the tests
//! of what the mock does to a client that stalls, trickles or stays silent (the deadline and
//! idle-timeout tests, in-process and through the CLI).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The S7 connection request python-snap7 sends (rack 0, slot 1, TPDU 1024).
pub const CONNECTION_REQUEST: [u8; 22] = [
    0x03, 0x00, 0x00, 0x16, 0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC0, 0x01, 0x0A, 0xC1, 0x02,
    0x01, 0x00, 0xC2, 0x02, 0x01, 0x01,
];

/// The start of a frame that never ends: a TPKT header announcing 31 bytes, then two of them.
pub const HALF_A_FRAME: [u8; 6] = [0x03, 0x00, 0x00, 0x1F, 0x02, 0xF0];

/// The start of the largest frame a TPKT header can announce (65,535 bytes, a DT with EOT):
/// a client trickling a byte every [`TRICKLE_EVERY`] after it takes more than 13 s to finish
/// it.
pub const LARGEST_FRAME_START: [u8; 7] = [0x03, 0x00, 0xFF, 0xFF, 0x02, 0xF0, 0x80];

/// A raw client past the COTP handshake.
pub fn connected(addr: SocketAddr) -> TcpStream {
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

/// Reads until the server closes (EOF or reset), for at most the stream's read timeout;
/// returns how long that took.
pub fn time_to_close(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut buf = [0; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("not closed within {:?}", started.elapsed())
            }
            Err(_) => return started.elapsed(),
            // A DR before the close is fine.
            Ok(_) => continue,
        }
    }
}

/// Whether the server still holds the connection open after `wait`: no end of stream and no
/// reset within it.
pub fn still_open_after(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).unwrap();
    let started = Instant::now();
    let mut buf = [0; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return false,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return true
            }
            Err(_) => return false,
            Ok(_) if started.elapsed() >= wait => return true,
            Ok(_) => continue,
        }
    }
}

/// How often [`trickle`] sends a byte: more often than the shortest wait of a socket timeout
/// (a kernel tick), so that every read the server makes finds something.
pub const TRICKLE_EVERY: Duration = Duration::from_micros(200);

/// Sends `start`, then one byte every [`TRICKLE_EVERY`] until the server closes the connection
/// or `limit` passes (13 s at most), on a thread of its own; `stream` is left for reading.
pub fn trickle(stream: &TcpStream, start: &[u8], limit: Duration) -> JoinHandle<()> {
    assert!(
        limit <= Duration::from_secs(13),
        "the frame would be finished"
    );
    let mut writer = stream.try_clone().unwrap();
    writer.set_nodelay(true).unwrap();
    writer.write_all(start).unwrap();
    thread::spawn(move || {
        let started = Instant::now();
        while started.elapsed() < limit {
            if writer.write_all(&[0x55]).is_err() {
                return;
            }
            thread::sleep(TRICKLE_EVERY);
        }
    })
}
