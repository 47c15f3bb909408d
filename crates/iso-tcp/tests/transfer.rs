//! Moving TSDUs: segmentation on send, reassembly on receive, back-to-back frames, fast
//! acknowledges, the frame limit, and random sizes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::Write;
use std::sync::mpsc;
use std::thread;

use common::*;
use iso_tcp::{Error, TpduSize};
use proptest::prelude::*;

#[test]
fn sixty_four_kib_through_128_byte_tpdus_both_ways() {
    let tsdu = pattern(64 * 1024);
    let (mut client, mut server) = pair(
        client_options(SOME_ADDR.parse().unwrap())
            .tpdu_size(TpduSize::S128)
            .max_tsdu_len(64 * 1024),
        server_options().max_tsdu_len(64 * 1024),
    );
    assert_eq!(client.tpdu_size(), 128);
    assert_eq!(server.tpdu_size(), 128);
    let expected = tsdu.clone();
    let echo = thread::spawn(move || {
        let request = server.recv().unwrap();
        assert_eq!(request, expected);
        server.send(&request).unwrap();
        server
    });
    client.send(&tsdu).unwrap();
    let answer = client.recv().unwrap();
    assert_eq!(answer.len(), tsdu.len());
    assert_eq!(answer, tsdu);
    drop(echo.join().unwrap());
}

const SOME_ADDR: &str = "127.0.0.1:9";

#[test]
fn send_cuts_tsdus_into_tpdus_of_the_negotiated_size() {
    let (tx, rx) = mpsc::channel();
    let (addr, peer) = raw_server(0x07, move |mut stream| {
        // 300 bytes at 128: 125 + 125 + 50 bytes of data, EOT on the last frame only.
        let frames: Vec<Vec<u8>> = (0..3).map(|_| read_frame(&mut stream)).collect();
        // An empty TSDU: one empty DT with EOT.
        let empty = read_frame(&mut stream);
        tx.send((frames, empty)).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr).connect().unwrap();
    assert_eq!(client.tpdu_size(), 128);
    let tsdu = pattern(300);
    client.send(&tsdu).unwrap();
    client.send(&[]).unwrap();
    let (frames, empty) = rx.recv().unwrap();
    let mut all = Vec::new();
    all.extend(dt(false, &tsdu[..125]));
    all.extend(dt(false, &tsdu[125..250]));
    all.extend(dt(true, &tsdu[250..]));
    assert_eq!(frames.concat(), all);
    assert_eq!(frames[0].len(), 132);
    assert_eq!(empty, [0x03, 0x00, 0x00, 0x07, 0x02, 0xF0, 0x80]);
    drop(client);
    peer.join().unwrap();
}

#[test]
fn many_tsdus_in_one_tcp_write_come_out_one_by_one_in_order() {
    let tsdus: Vec<Vec<u8>> = (0..40).map(|i| pattern(i * 37 % 700)).collect();
    let wire: Vec<u8> = tsdus.iter().flat_map(|t| dts(t, 256)).collect();
    let (addr, peer) = raw_server(0x08, move |mut stream| {
        stream.write_all(&wire).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr).connect().unwrap();
    assert_eq!(client.tpdu_size(), 256);
    for (i, tsdu) in tsdus.iter().enumerate() {
        assert_eq!(client.recv().unwrap(), *tsdu, "tsdu {i}");
    }
    drop(client);
    peer.join().unwrap();
}

#[test]
fn fast_acknowledge_dts_are_skipped() {
    let (addr, peer) = raw_server(0x0A, |mut stream| {
        let fast_ack = dt(false, &[]);
        let mut wire = fast_ack.clone();
        wire.extend(dt(true, b"first"));
        // Between segments of one TSDU too.
        wire.extend(dt(false, b"sec"));
        wire.extend(&fast_ack);
        wire.extend(dt(true, b"ond"));
        wire.extend(&fast_ack);
        stream.write_all(&wire).unwrap();
        stream.write_all(&dt(true, b"third")).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr).connect().unwrap();
    assert_eq!(&client.recv().unwrap()[..], b"first");
    assert_eq!(&client.recv().unwrap()[..], b"second");
    assert_eq!(&client.recv().unwrap()[..], b"third");
    assert!(!client.is_broken());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn empty_tsdu_round_trips() {
    let (mut client, mut server) = default_pair();
    client.send(&[]).unwrap();
    assert!(server.recv().unwrap().is_empty());
    server.send(b"").unwrap();
    assert!(client.recv().unwrap().is_empty());
}

#[test]
fn frames_over_the_negotiated_size_are_accepted_by_default_as_real_servers_send_them() {
    // snap7's and python-snap7's servers answer a TPDU-128 connection with single DTs of
    // about 490 bytes; the default frame limit (65,535) takes them.
    let answer = vec![0x32; 490 - 7];
    let expected = answer.clone();
    let big = vec![0x44; 8000];
    let expected_big = big.clone();
    let (addr, peer) = raw_server(0x07, move |mut stream| {
        stream.write_all(&dt(true, &answer)).unwrap();
        stream.write_all(&dt(true, &big)).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr)
        .tpdu_size(TpduSize::S128)
        .connect()
        .unwrap();
    assert_eq!(client.tpdu_size(), 128);
    assert_eq!(
        client.recv().unwrap(),
        expected,
        "a 490-byte frame at tpdu 128"
    );
    assert_eq!(client.recv().unwrap(), expected_big, "an 8007-byte frame");
    // What this end sends still stays within the negotiated size.
    assert!(!client.is_broken());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn the_frame_limit_is_bounded_by_the_reassembly_cap() {
    // A 300-byte TSDU cap: one DT never needs more than 300 + 3 + 4 bytes.
    let (addr, peer) = raw_server(0x07, |mut stream| {
        let _ = stream.write_all(&dt(true, &[1; 300]));
        let _ = stream.write_all(&dt(true, &[2; 301]));
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr)
        .tpdu_size(TpduSize::S128)
        .max_tsdu_len(300)
        .connect()
        .unwrap();
    assert_eq!(client.recv().unwrap(), vec![1; 300]);
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::FrameExceedsLimit {
                declared: 308,
                limit: 307
            })
        ),
        "{error:?}"
    );
    drop(client);
    peer.join().unwrap();
}

#[test]
fn a_configured_frame_limit_takes_frames_up_to_it_and_refuses_longer_ones() {
    // Asked 1024, granted 512, frames limited to 1028 bytes.
    let largest = vec![0x5A; 1024 - 3];
    let expected = largest.clone();
    let (addr, peer) = raw_server(0x09, move |mut stream| {
        stream.write_all(&dt(true, &largest)).unwrap();
        stream.write_all(&dt(true, &[0x11; 1024 - 2])).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr).max_frame_len(1028).connect().unwrap();
    assert_eq!(client.tpdu_size(), 512);
    assert_eq!(client.recv().unwrap(), expected, "a 1028-byte frame");
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::FrameExceedsLimit {
                declared: 1029,
                limit: 1028
            })
        ),
        "{error:?}"
    );
    assert!(client.is_broken());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn a_frame_arriving_byte_by_byte_is_reassembled() {
    let (addr, peer) = raw_server(0x0A, |mut stream| {
        stream.set_nodelay(true).unwrap();
        for byte in dt(true, b"slowly") {
            stream.write_all(&[byte]).unwrap();
            thread::sleep(std::time::Duration::from_millis(2));
        }
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr).connect().unwrap();
    assert_eq!(&client.recv().unwrap()[..], b"slowly");
    drop(client);
    peer.join().unwrap();
}

#[test]
fn request_answer_loop_on_one_connection() {
    let (mut client, mut server) = default_pair();
    let echo = thread::spawn(move || {
        while let Ok(request) = server.recv() {
            server.send(&request).unwrap();
        }
    });
    for i in 0..200 {
        let request = pattern(i * 13 % 3000);
        client.send(&request).unwrap();
        assert_eq!(client.recv().unwrap(), request);
    }
    client.close().unwrap();
    echo.join().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn random_tsdu_and_tpdu_sizes_round_trip(
        len in 0usize..20_000,
        client_size in 0usize..7,
        server_size in 0usize..7,
        seed in any::<u8>(),
    ) {
        let requested = TpduSize::ALL[client_size];
        let granted = TpduSize::ALL[server_size];
        let (mut client, mut server) = pair(
            client_options(SOME_ADDR.parse().unwrap()).tpdu_size(requested),
            server_options().max_tpdu_size(granted),
        );
        prop_assert_eq!(client.tpdu_size(), requested.min(granted).bytes());
        prop_assert_eq!(server.tpdu_size(), client.tpdu_size());
        let tsdu: Vec<u8> = (0..len).map(|i| u8::try_from(i % 256).unwrap().wrapping_mul(seed)).collect();
        let echo = thread::spawn(move || {
            let request = server.recv().unwrap();
            server.send(&request).unwrap();
            request
        });
        client.send(&tsdu).unwrap();
        let answer = client.recv().unwrap();
        prop_assert_eq!(&answer[..], &tsdu[..]);
        prop_assert_eq!(&echo.join().unwrap()[..], &tsdu[..]);
    }
}

#[test]
fn at_tpdu_size_128_a_long_disconnect_request_still_reads_as_one() {
    let (addr, peer) = raw_server(0x07, |mut stream| {
        stream.write_all(&long_dr()).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr)
        .tpdu_size(TpduSize::S128)
        .connect()
        .unwrap();
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerDisconnected {
                reason: iso_tcp::DisconnectReason::ProtocolError
            }
        ),
        "{error:?}"
    );
    drop(client);
    peer.join().unwrap();

    let (addr, peer) = raw_server(0x07, |mut stream| {
        let _ = stream.write_all(&dt(true, &[0; 260 - 7]));
        let _ = read_to_end(&mut stream);
    });
    // A configured limit below what the negotiated size needs is raised to it (and to 259,
    // so that a DR with a long parameter still reads as a DR).
    let mut client = client_options(addr)
        .tpdu_size(TpduSize::S128)
        .max_frame_len(0)
        .connect()
        .unwrap();
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::FrameExceedsLimit {
                declared: 260,
                limit: 259
            })
        ),
        "{error:?}"
    );
    drop(client);
    peer.join().unwrap();
}
