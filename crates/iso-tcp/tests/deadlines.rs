//! The receive deadline (runs only while a frame or a segmented TSDU is part-way received)
//! and the idle timeout (a peer that sends nothing at all), on the blocking front-end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::Write;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use iso_tcp::Error;

const DEADLINE: Duration = Duration::from_millis(300);

#[test]
fn a_peer_stalling_mid_frame_is_cut_when_the_deadline_expires_without_a_read_timeout() {
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (addr, peer) = raw_server(0x0A, move |mut stream| {
        let frame = dt(true, b"never finished");
        stream.write_all(&frame[..9]).unwrap();
        let _ = done_rx.recv();
    });
    let mut client = client_options(addr)
        .read_timeout(None)
        .receive_deadline(Some(DEADLINE))
        .connect()
        .unwrap();
    let started = Instant::now();
    let error = client.recv().unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(error, Error::ReceiveDeadline { deadline, received: 9, tsdu_received: 0 } if deadline == DEADLINE),
        "{error:?}"
    );
    assert!(error.is_timeout());
    assert!(waited >= DEADLINE - Duration::from_millis(50), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert!(client.is_broken());
    assert!(matches!(client.recv().unwrap_err(), Error::Broken { .. }));
    done_tx.send(()).unwrap();
    peer.join().unwrap();
}

#[test]
fn a_peer_stalling_between_segments_is_cut_too() {
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (addr, peer) = raw_server(0x0A, move |mut stream| {
        stream.write_all(&dt(false, b"first half ")).unwrap();
        let _ = done_rx.recv();
    });
    let mut client = client_options(addr)
        .read_timeout(None)
        .receive_deadline(Some(DEADLINE))
        .connect()
        .unwrap();
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::ReceiveDeadline {
                received: 0,
                tsdu_received: 11,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(client.is_broken());
    done_tx.send(()).unwrap();
    peer.join().unwrap();
}

#[test]
fn a_peer_idle_between_frames_is_left_alone_by_the_deadline() {
    let (addr, peer) = raw_server(0x0A, move |mut stream| {
        thread::sleep(DEADLINE * 3);
        // A slow but steady frame: bytes keep coming within the deadline.
        let frame = dt(true, b"late but whole");
        stream.write_all(&frame[..5]).unwrap();
        thread::sleep(DEADLINE / 3);
        stream.write_all(&frame[5..]).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr)
        .read_timeout(None)
        .receive_deadline(Some(DEADLINE))
        .connect()
        .unwrap();
    assert_eq!(client.receive_deadline(), Some(DEADLINE));
    assert_eq!(&client.recv().unwrap()[..], b"late but whole");
    assert!(!client.is_broken());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn the_idle_timeout_cuts_a_silent_peer_and_close_still_sends_a_dr() {
    let (tx, rx) = mpsc::channel();
    let (addr, peer) = raw_server(0x0A, move |mut stream| {
        stream.write_all(&dt(true, b"one")).unwrap();
        tx.send(read_to_end(&mut stream)).unwrap();
    });
    let mut client = client_options(addr)
        .read_timeout(None)
        .receive_deadline(Some(Duration::from_secs(5)))
        .idle_timeout(Some(DEADLINE))
        .connect()
        .unwrap();
    assert_eq!(&client.recv().unwrap()[..], b"one");
    let started = Instant::now();
    let error = client.recv().unwrap_err();
    assert!(
        matches!(error, Error::IdleTimeout { timeout } if timeout == DEADLINE),
        "{error:?}"
    );
    assert!(started.elapsed() >= DEADLINE - Duration::from_millis(50));
    assert!(client.is_broken());
    client.close().unwrap();
    let seen = rx.recv().unwrap();
    assert_eq!(seen.get(5), Some(&0x80), "a DR: {seen:02X?}");
    peer.join().unwrap();
}

#[test]
fn the_server_side_takes_both_from_its_options() {
    let (mut client, mut server) = pair(
        client_options("127.0.0.1:9".parse().unwrap()),
        server_options()
            .read_timeout(None)
            .receive_deadline(Some(DEADLINE))
            .idle_timeout(Some(Duration::from_secs(30))),
    );
    assert_eq!(server.receive_deadline(), Some(DEADLINE));
    assert_eq!(server.idle_timeout(), Some(Duration::from_secs(30)));
    // Half a frame, then silence: the server cuts the client.
    client.send_raw(&dt(true, b"half")[..6]).unwrap();
    let error = server.recv().unwrap_err();
    assert!(
        matches!(error, Error::ReceiveDeadline { received: 6, .. }),
        "{error:?}"
    );
    // Turning it off restores waiting forever (checked only as a setting here).
    server.set_receive_deadline(None);
    assert_eq!(server.receive_deadline(), None);
}
