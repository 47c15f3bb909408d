//! Misbehaving peers: every failure has its own error, and a connection whose stream lost its
//! frame boundaries answers every later call with `Broken`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::*;
use iso_tcp::{Connection, DisconnectReason, Error, RejectCause};

/// A client connected to a raw peer (TPDU size 1024) that runs `peer` after the handshake,
/// with a short read timeout.
fn client_of(
    peer: impl FnOnce(TcpStream) + Send + 'static,
) -> (Connection, thread::JoinHandle<()>) {
    let (addr, handle) = raw_server(0x0A, peer);
    let client = client_options(addr)
        .read_timeout(Some(SHORT))
        .connect()
        .unwrap();
    (client, handle)
}

fn assert_broken(connection: &mut Connection) {
    assert!(connection.is_broken());
    assert!(!connection.is_alive());
    let error = connection.recv().unwrap_err();
    assert!(matches!(error, Error::Broken { .. }), "recv: {error:?}");
    let error = connection.send(b"x").unwrap_err();
    assert!(matches!(error, Error::Broken { .. }), "send: {error:?}");
    let error = connection.recv().unwrap_err();
    assert!(
        matches!(error, Error::Broken { .. }),
        "recv again: {error:?}"
    );
}

#[test]
fn garbage_is_a_tpkt_error_then_broken() {
    let (mut client, peer) = client_of(|mut stream| {
        stream
            .write_all(b"\x04\x00\x00\x10garbage garbage")
            .unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::UnsupportedVersion { version: 4 })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    let Error::Broken { cause } = client.recv().unwrap_err() else {
        panic!("not broken")
    };
    assert!(
        cause.contains("tpkt"),
        "cause names the first error: {cause}"
    );
    drop(client);
    peer.join().unwrap();
}

#[test]
fn length_below_minimum_is_a_tpkt_error() {
    let (mut client, peer) = client_of(|mut stream| {
        stream
            .write_all(&[0x03, 0x00, 0x00, 0x03, 0x02, 0xF0, 0x80])
            .unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::LengthBelowMinimum { declared: 3 })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    drop(client);
    peer.join().unwrap();
}

#[test]
fn malformed_dt_is_a_cotp_error_then_broken() {
    let (mut client, peer) = client_of(|mut stream| {
        // TPDU number 1: class 0 numbers every DT 0.
        stream.write_all(&frame(&[0x02, 0xF0, 0x81, 0xAA])).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Cotp(cotp::Error::NonZeroTpduNumber { number: 1 })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    drop(client);
    peer.join().unwrap();
}

#[test]
fn close_in_the_middle_of_a_frame_is_eof_mid_frame() {
    let (mut client, peer) = client_of(|mut stream| {
        let whole = dt(true, &pattern(100));
        stream.write_all(&whole[..40]).unwrap();
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::EofMidFrame {
                received: 40,
                expected: 107
            }
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    peer.join().unwrap();
}

#[test]
fn close_inside_a_tpkt_header_is_eof_mid_frame() {
    let (mut client, peer) = client_of(|mut stream| {
        stream.write_all(&[0x03, 0x00]).unwrap();
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::EofMidFrame {
                received: 2,
                expected: 4
            }
        ),
        "{error:?}"
    );
    peer.join().unwrap();
}

#[test]
fn close_between_segments_is_eof_mid_tsdu() {
    let (mut client, peer) = client_of(|mut stream| {
        stream.write_all(&dt(false, b"first half")).unwrap();
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(error, Error::EofMidTsdu { received: 10 }),
        "{error:?}"
    );
    assert_broken(&mut client);
    peer.join().unwrap();
}

#[test]
fn close_between_tsdus_is_closed() {
    let (mut client, peer) = client_of(|mut stream| {
        stream.write_all(&dt(true, b"last words")).unwrap();
    });
    assert_eq!(&client.recv().unwrap()[..], b"last words");
    let error = client.recv().unwrap_err();
    assert!(matches!(error, Error::Closed), "{error:?}");
    assert_broken(&mut client);
    peer.join().unwrap();
}

#[test]
fn stall_mid_frame_times_out_breaks_and_never_serves_the_tail() {
    let (resume_tx, resume_rx) = mpsc::channel::<()>();
    let (sent_tx, sent_rx) = mpsc::channel::<()>();
    let (mut client, peer) = client_of(move |mut stream| {
        let first = dt(true, b"AAAAAAAAAAAAAAAAAAAA");
        stream.write_all(&first[..10]).unwrap();
        resume_rx.recv().unwrap();
        // The tail of the old frame, then a whole new one: neither may come out.
        stream.write_all(&first[10..]).unwrap();
        stream.write_all(&dt(true, b"new frame")).unwrap();
        sent_tx.send(()).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(error, Error::Timeout { op: "read", timeout } if timeout == SHORT),
        "{error:?}"
    );
    assert!(
        client.is_broken(),
        "a timeout mid-frame breaks the connection"
    );
    resume_tx.send(()).unwrap();
    sent_rx.recv().unwrap();
    thread::sleep(Duration::from_millis(50));
    for _ in 0..3 {
        let error = client.recv().unwrap_err();
        assert!(matches!(error, Error::Broken { .. }), "{error:?}");
    }
    assert!(!client.is_alive());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn timeout_between_frames_leaves_the_connection_usable() {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (mut client, peer) = client_of(move |mut stream| {
        go_rx.recv().unwrap();
        stream.write_all(&dt(true, b"late but whole")).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(error, Error::Timeout { op: "read", .. }),
        "{error:?}"
    );
    assert!(!client.is_broken());
    assert!(client.is_alive());
    go_tx.send(()).unwrap();
    assert_eq!(&client.recv().unwrap()[..], b"late but whole");
    drop(client);
    peer.join().unwrap();
}

#[test]
fn timeout_between_segments_resumes_the_tsdu() {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (mut client, peer) = client_of(move |mut stream| {
        stream.write_all(&dt(false, b"first ")).unwrap();
        go_rx.recv().unwrap();
        stream.write_all(&dt(true, b"second")).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client.recv().unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(!client.is_broken(), "frame boundaries are intact");
    go_tx.send(()).unwrap();
    assert_eq!(&client.recv().unwrap()[..], b"first second");
    drop(client);
    peer.join().unwrap();
}

#[test]
fn segmented_tsdu_over_the_cap_is_an_overflow_then_broken() {
    let (addr, peer) = raw_server(0x07, |mut stream| {
        // 1000 bytes in 125-byte segments against a cap of 600.
        let _ = stream.write_all(&dts(&pattern(1000), 128));
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr)
        .tpdu_size(iso_tcp::TpduSize::S128)
        .max_tsdu_len(600)
        .connect()
        .unwrap();
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Cotp(cotp::Error::ReassemblyOverflow {
                limit: 600,
                len: 625
            })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    drop(client);
    peer.join().unwrap();
}

#[test]
fn single_dt_over_the_cap_is_an_overflow() {
    let (addr, peer) = raw_server(0x0A, |mut stream| {
        let _ = stream.write_all(&dt(true, &pattern(200)));
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr).max_tsdu_len(100).connect().unwrap();
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Cotp(cotp::Error::ReassemblyOverflow {
                limit: 100,
                len: 200
            })
        ),
        "{error:?}"
    );
    assert!(client.is_broken());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn disconnect_request_mid_session_is_peer_disconnected() {
    let (mut client, peer) = client_of(|mut stream| {
        stream.write_all(&dt(true, b"bye")).unwrap();
        stream.write_all(&dr(0x0001, 0x4431, 0x80)).unwrap();
        // A client that received a DR must not answer with one of its own.
        let rest = read_to_end(&mut stream);
        assert!(
            rest.is_empty(),
            "client sent {rest:02X?} after the peer's DR"
        );
    });
    assert_eq!(&client.recv().unwrap()[..], b"bye");
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerDisconnected {
                reason: DisconnectReason::Normal
            }
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    drop(client);
    peer.join().unwrap();
}

#[test]
fn error_tpdu_mid_session_is_peer_error() {
    let (mut client, peer) = client_of(|mut stream| {
        stream.write_all(&er(0x0001, 0x03)).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerError {
                cause: RejectCause::InvalidParameterValue
            }
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    drop(client);
    peer.join().unwrap();
}

#[test]
fn non_data_tpdus_mid_session_are_unexpected() {
    for (tpdu, code) in [
        (cr(5, &[0xC0, 0x01, 0x0A]), 0xE0),
        (cc(1, 5, 0, &[]), 0xD0),
        (frame(&[0x05, 0xC0, 0x00, 0x01, 0x44, 0x31]), 0xC0),
    ] {
        let (mut client, peer) = client_of(move |mut stream| {
            stream.write_all(&tpdu).unwrap();
            let _ = read_to_end(&mut stream);
        });
        let error = client.recv().unwrap_err();
        assert!(
            matches!(error, Error::UnexpectedTpdu { code: c, .. } if c == code),
            "{error:?}"
        );
        assert_broken(&mut client);
        drop(client);
        peer.join().unwrap();
    }
}

#[test]
fn unknown_tpdu_code_is_a_cotp_error() {
    let (mut client, peer) = client_of(|mut stream| {
        // 0x10 is expedited data: not a class 0 TPDU.
        stream
            .write_all(&frame(&[0x04, 0x10, 0x00, 0x01, 0x80]))
            .unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Cotp(cotp::Error::UnknownTpduCode { code: 0x10 })
        ),
        "{error:?}"
    );
    assert!(client.is_broken());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn fault_injection_hatches_are_seen_by_the_peer() {
    // send_raw: bytes as they are.
    let (mut client, mut server) = default_pair();
    server.send_raw(&[0x03, 0x00, 0x00, 0x05, 0x00]).unwrap();
    let error = client.recv().unwrap_err();
    assert!(matches!(error, Error::Tpkt(_)), "{error:?}");

    // send_error_tpdu: the connection stays usable for the sender.
    let (mut client, mut server) = default_pair();
    server
        .send_error_tpdu(RejectCause::InvalidTpduType)
        .unwrap();
    assert!(!server.is_broken());
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerError {
                cause: RejectCause::InvalidTpduType
            }
        ),
        "{error:?}"
    );

    // send_disconnect: the peer gets the reason, the sender is closed.
    let (mut client, mut server) = default_pair();
    server
        .send_disconnect(DisconnectReason::Congestion)
        .unwrap();
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerDisconnected {
                reason: DisconnectReason::Congestion
            }
        ),
        "{error:?}"
    );
    assert!(matches!(server.send(b"x"), Err(Error::Broken { .. })));

    // shutdown: no DR, just the end of the stream.
    let (mut client, mut server) = default_pair();
    server.shutdown().unwrap();
    let error = client.recv().unwrap_err();
    assert!(matches!(error, Error::Closed), "{error:?}");
    assert!(matches!(server.recv(), Err(Error::Broken { .. })));
}

#[test]
fn write_to_a_vanished_peer_fails_without_killing_the_process() {
    let (mut client, peer) = client_of(|stream| {
        socket2::SockRef::from(&stream)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(stream);
    });
    peer.join().unwrap();
    assert!(eventually(|| !client.is_alive()));
    let mut failure = None;
    for _ in 0..10 {
        if let Err(error) = client.send(&pattern(1000)) {
            failure = Some(error);
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let error = failure.expect("a send to a reset connection fails");
    assert!(matches!(error, Error::Io { op: "write", .. }), "{error:?}");
    assert_broken(&mut client);
}

#[test]
fn write_timeout_against_a_peer_that_does_not_read_breaks_the_connection() {
    let (release, wait) = mpsc::channel::<()>();
    let (addr, peer) = raw_server(0x0D, move |stream| {
        // Never reads: the socket buffers fill up.
        let _ = wait.recv();
        drop(stream);
    });
    let mut client = client_options(addr)
        .tpdu_size(iso_tcp::TpduSize::S8192)
        .write_timeout(Some(Duration::from_millis(200)))
        .connect()
        .unwrap();
    let tsdu = pattern(1024 * 1024);
    let mut failure = None;
    for _ in 0..256 {
        if let Err(error) = client.send(&tsdu) {
            failure = Some(error);
            break;
        }
    }
    let error = failure.expect("the buffers fill up long before 256 MiB");
    assert!(
        matches!(error, Error::Timeout { op: "write", timeout } if timeout == Duration::from_millis(200)),
        "{error:?}"
    );
    // Part of a frame went out: the peer's view of the stream is lost for good.
    assert_broken(&mut client);
    release.send(()).unwrap();
    peer.join().unwrap();
}
