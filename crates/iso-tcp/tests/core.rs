//! The sans-IO core driven in memory: two cores talk to each other (or a core talks to bytes
//! spelled out by hand, with the frame builders of `common`), with no socket, no port, no
//! clock and no thread. Deterministic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    missing_docs
)]

mod common;

use std::time::Duration;

use common::{cc, cr, dt, frame, long_dr, pattern};
use iso_tcp::proto::{ClientConfig, Core, Event, Negotiated, ServerConfig};
use iso_tcp::{DisconnectReason, Error, RejectCause, TpduSize, Tsap};
use proptest::prelude::*;

const SIZES: [TpduSize; 7] = [
    TpduSize::S128,
    TpduSize::S256,
    TpduSize::S512,
    TpduSize::S1024,
    TpduSize::S2048,
    TpduSize::S4096,
    TpduSize::S8192,
];

/// Moves everything `from` holds for the peer into `to`; returns the bytes moved.
fn pump(from: &mut Core, to: &mut Core) -> Vec<u8> {
    let bytes = from.transmit().to_vec();
    from.advance_transmit(bytes.len());
    to.feed(&bytes);
    bytes
}

/// Takes what `core` holds for the peer.
fn take(core: &mut Core) -> Vec<u8> {
    let bytes = core.transmit().to_vec();
    core.advance_transmit(bytes.len());
    bytes
}

/// A whole handshake between two cores.
fn connect(client: ClientConfig, server: ServerConfig) -> (Core, Core, Negotiated, Negotiated) {
    let mut client = Core::client(client).unwrap();
    let mut server = Core::server(server);
    assert!(
        server.poll_event().unwrap().is_none(),
        "nothing received yet"
    );
    pump(&mut client, &mut server);
    let Some(Event::ConnectionRequest(_)) = server.poll_event().unwrap() else {
        panic!("expected a connection request")
    };
    let on_server = server.accept().unwrap();
    pump(&mut server, &mut client);
    let Some(Event::Connected(on_client)) = client.poll_event().unwrap() else {
        panic!("expected the handshake to complete")
    };
    (client, server, on_client, on_server)
}

fn open_pair() -> (Core, Core) {
    let (client, server, _, _) = connect(ClientConfig::new(), ServerConfig::new());
    (client, server)
}

/// All the TSDUs `core` can produce from what it holds.
fn drain(core: &mut Core) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(event) = core.poll_event().unwrap() {
        match event {
            Event::Tsdu(tsdu) => out.push(tsdu.to_vec()),
            other => panic!("unexpected event {other:?}"),
        }
    }
    out
}

/// A client core whose CR has gone out; returns it with the CR's source reference.
fn client_after_request(config: ClientConfig) -> (Core, u16) {
    let mut client = Core::client(config).unwrap();
    let request = take(&mut client);
    assert_eq!(request[5], 0xE0, "a CR");
    (client, u16::from_be_bytes([request[8], request[9]]))
}

/// The whole frames of a byte stream.
fn frames_of(mut stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !stream.is_empty() {
        let len = usize::from(u16::from_be_bytes([stream[2], stream[3]]));
        let (first, rest) = stream.split_at(len);
        out.push(first);
        stream = rest;
    }
    out
}

/// The DT frames of a byte stream, checked one by one: (TPDU length, EOT).
fn dt_frames(stream: &[u8]) -> Vec<(usize, bool)> {
    frames_of(stream)
        .into_iter()
        .map(|frame| {
            assert_eq!(&frame[4..6], &[0x02, 0xF0]);
            (frame.len() - 4, frame[6] & 0x80 != 0)
        })
        .collect()
}

fn assert_broken(core: &mut Core) {
    assert!(core.is_broken());
    for _ in 0..2 {
        let error = core.poll_event().unwrap_err();
        assert!(matches!(error, Error::Broken { .. }), "{error:?}");
    }
    let error = core.send(b"x").unwrap_err();
    assert!(matches!(error, Error::Broken { .. }), "{error:?}");
}

#[test]
fn negotiation_matrix_every_requested_and_granted_size() {
    for requested in SIZES {
        for granted in SIZES {
            let (mut client, mut server, on_client, on_server) = connect(
                ClientConfig::new().tpdu_size(requested),
                ServerConfig::new().max_tpdu_size(granted),
            );
            let chosen = requested.min(granted);
            assert_eq!(on_client.tpdu_size, chosen, "{requested:?} / {granted:?}");
            assert_eq!(on_server.tpdu_size, chosen, "{requested:?} / {granted:?}");
            // TSAPs: the client's as configured, the server's as echoed from the CR.
            assert_eq!(on_client.local_tsap, Tsap::from_u16(0x0100));
            assert_eq!(on_client.remote_tsap, Tsap::from_u16(0x0102));
            assert_eq!(on_server.local_tsap, on_client.remote_tsap);
            assert_eq!(on_server.remote_tsap, on_client.local_tsap);
            assert_eq!(on_client.remote_reference, on_server.local_reference);
            assert_eq!(on_server.remote_reference, on_client.local_reference);
            // What each end sends stays within the negotiated size, both ways.
            let message = pattern(3 * chosen.bytes());
            client.send(&message).unwrap();
            server.send(&message).unwrap();
            let bytes = pump(&mut client, &mut server);
            assert!(dt_frames(&bytes)
                .iter()
                .all(|&(len, _)| len <= chosen.bytes()));
            assert_eq!(drain(&mut server), vec![message.clone()]);
            let bytes = pump(&mut server, &mut client);
            assert!(dt_frames(&bytes)
                .iter()
                .all(|&(len, _)| len <= chosen.bytes()));
            assert_eq!(drain(&mut client), vec![message.clone()]);
        }
    }
}

#[test]
fn the_confirm_echoes_tsaps_of_any_length() {
    let long = Tsap::new(b"SIMATIC-ROOT-HMI".to_vec()).unwrap();
    let config = ClientConfig {
        local_tsap: long.clone(),
        remote_tsap: Tsap::from_u16(0x0301),
        ..ClientConfig::new()
    };
    let (_, _, on_client, on_server) = connect(config, ServerConfig::new());
    assert_eq!(on_server.remote_tsap, long);
    assert_eq!(on_server.local_tsap, Tsap::from_u16(0x0301));
    assert_eq!(on_client.local_tsap, long);
}

#[test]
fn sixty_four_kib_through_128_byte_tpdus_both_ways() {
    let (mut client, mut server, negotiated, _) = connect(
        ClientConfig::new().tpdu_size(TpduSize::S128),
        ServerConfig::new(),
    );
    assert_eq!(negotiated.tpdu_size, TpduSize::S128);
    let message = pattern(64 * 1024);
    client.send(&message).unwrap();
    let bytes = pump(&mut client, &mut server);
    let frames = dt_frames(&bytes);
    assert_eq!(frames.len(), (64 * 1024usize).div_ceil(125));
    assert!(frames.iter().all(|&(len, _)| len <= 128));
    assert_eq!(frames.iter().filter(|&&(_, eot)| eot).count(), 1);
    assert!(frames.last().unwrap().1, "EOT on the last frame only");
    assert_eq!(drain(&mut server), vec![message.clone()]);

    server.send(&message).unwrap();
    pump(&mut server, &mut client);
    assert_eq!(drain(&mut client), vec![message]);
}

#[test]
fn many_tsdus_in_one_chunk_come_out_in_order_and_empty_ones_too() {
    let (mut client, mut server) = open_pair();
    let messages = [pattern(10), Vec::new(), pattern(3000), pattern(1)];
    for message in &messages {
        client.send(message).unwrap();
    }
    pump(&mut client, &mut server);
    assert_eq!(drain(&mut server), messages.to_vec());
    assert!(!server.in_progress());
}

#[test]
fn fast_acknowledge_dts_are_skipped() {
    let (_, mut server) = open_pair();
    let mut bytes = dt(false, b"");
    bytes.extend(dt(false, b"first "));
    bytes.extend(dt(false, b""));
    bytes.extend(dt(true, b"second"));
    bytes.extend(dt(false, b""));
    server.feed(&bytes);
    assert_eq!(drain(&mut server), vec![b"first second".to_vec()]);
}

#[test]
fn frames_over_the_negotiated_size_are_taken_up_to_the_frame_limit() {
    // snap7's servers answer a TPDU-128 connection with DTs of about 490 bytes.
    let (mut client, _, _, _) = connect(
        ClientConfig::new().tpdu_size(TpduSize::S128),
        ServerConfig::new(),
    );
    client.feed(&dt(true, &pattern(490)));
    assert_eq!(drain(&mut client), vec![pattern(490)]);

    let (mut client, _, _, _) = connect(
        ClientConfig::new()
            .tpdu_size(TpduSize::S128)
            .max_frame_len(400),
        ServerConfig::new(),
    );
    assert_eq!(client.frame_limit(), 400);
    client.feed(&dt(true, &pattern(393)));
    assert_eq!(drain(&mut client), vec![pattern(393)]);
    client.feed(&dt(true, &pattern(394))[..4]);
    let error = client.poll_event().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::FrameExceedsLimit {
                declared: 401,
                limit: 400
            })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);

    // The reassembly cap bounds the frame limit too.
    let (client, _, _, _) = connect(ClientConfig::new().max_tsdu_len(1000), ServerConfig::new());
    assert_eq!(client.frame_limit(), 1028);
}

#[test]
fn garbage_is_a_tpkt_error_then_broken() {
    let (mut client, _) = open_pair();
    client.feed(b"\x04\x00\x00\x10garbage garbage");
    let error = client.poll_event().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::UnsupportedVersion { version: 4 })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    assert!(!client.close(), "no DR on a stream out of step");
}

#[test]
fn length_below_minimum_is_a_tpkt_error() {
    let (mut client, _) = open_pair();
    client.feed(&[0x03, 0x00, 0x00, 0x05, 0x02]);
    let error = client.poll_event().unwrap_err();
    assert!(
        matches!(error, Error::Tpkt(tpkt::Error::LengthBelowMinimum { .. })),
        "{error:?}"
    );
    assert_broken(&mut client);
}

#[test]
fn bad_dt_is_a_cotp_error_then_broken() {
    let (mut client, _) = open_pair();
    client.feed(&frame(&[0x02, 0xF0, 0x81, 0xAA]));
    let error = client.poll_event().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Cotp(cotp::Error::NonZeroTpduNumber { number: 1 })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
}

#[test]
fn disconnect_request_is_peer_disconnected_and_no_dr_follows() {
    let (mut client, mut server) = open_pair();
    server.send_disconnect(DisconnectReason::Normal).unwrap();
    pump(&mut server, &mut client);
    let error = client.poll_event().unwrap_err();
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
    assert!(!client.close(), "no DR after the peer's DR");
    assert!(matches!(
        server.poll_event().unwrap_err(),
        Error::Broken { .. }
    ));
}

#[test]
fn error_tpdu_is_peer_error() {
    let (mut client, mut server) = open_pair();
    server
        .send_error_tpdu(RejectCause::InvalidParameterCode)
        .unwrap();
    pump(&mut server, &mut client);
    let error = client.poll_event().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerError {
                cause: RejectCause::InvalidParameterCode
            }
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    // Sending an ER leaves the sender usable.
    server.send(b"still here").unwrap();
}

#[test]
fn unexpected_tpdus_are_typed() {
    for (payload, code) in [
        (
            vec![0x09, 0xE0, 0x00, 0x00, 0x00, 0x05, 0x00, 0xC0, 0x01, 0x0A],
            0xE0,
        ),
        (vec![0x06, 0xD0, 0x00, 0x01, 0x00, 0x05, 0x00], 0xD0),
        (vec![0x05, 0xC0, 0x00, 0x01, 0x44, 0x31], 0xC0),
    ] {
        let (mut client, _) = open_pair();
        client.feed(&frame(&payload));
        let error = client.poll_event().unwrap_err();
        assert!(
            matches!(error, Error::UnexpectedTpdu { code: c, .. } if c == code),
            "{error:?}"
        );
        assert_broken(&mut client);
    }
    let (mut client, _) = open_pair();
    client.feed(&frame(&[0x04, 0x10, 0x00, 0x01, 0x80]));
    let error = client.poll_event().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Cotp(cotp::Error::UnknownTpduCode { code: 0x10 })
        ),
        "{error:?}"
    );
}

#[test]
fn overflow_of_the_reassembly_cap_breaks() {
    // Segmented: 1000 bytes in 125-byte segments against a cap of 600.
    let (mut client, mut server, _, _) = connect(
        ClientConfig::new()
            .tpdu_size(TpduSize::S128)
            .max_tsdu_len(600),
        ServerConfig::new(),
    );
    server.send(&pattern(1000)).unwrap();
    pump(&mut server, &mut client);
    let error = client.poll_event().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Cotp(cotp::Error::ReassemblyOverflow { limit: 600, .. })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);

    // One DT over the cap.
    let (mut client, _, _, _) = connect(ClientConfig::new().max_tsdu_len(600), ServerConfig::new());
    client.feed(&dt(true, &pattern(700)));
    let error = client.poll_event().unwrap_err();
    assert!(
        matches!(error, Error::Tpkt(_) | Error::Cotp(_)),
        "{error:?}"
    );
    assert_broken(&mut client);
}

#[test]
fn at_tpdu_size_128_a_long_disconnect_request_still_reads_as_one() {
    let long_dr = long_dr();
    assert_eq!(long_dr.len(), 213);
    for max_frame_len in [tpkt::MAX_FRAME_LEN, 0] {
        let (mut client, _, _, _) = connect(
            ClientConfig::new()
                .tpdu_size(TpduSize::S128)
                .max_frame_len(max_frame_len),
            ServerConfig::new(),
        );
        client.feed(&long_dr);
        let error = client.poll_event().unwrap_err();
        assert!(
            matches!(
                error,
                Error::PeerDisconnected {
                    reason: DisconnectReason::ProtocolError
                }
            ),
            "max_frame_len {max_frame_len}: {error:?}"
        );
        assert_broken(&mut client);
    }

    // A configured limit below what the negotiated size needs is raised to it, and to 259
    // so that such a DR still reads as one; a 260-byte frame is then too long.
    let (mut client, _, _, _) = connect(
        ClientConfig::new()
            .tpdu_size(TpduSize::S128)
            .max_frame_len(0),
        ServerConfig::new(),
    );
    assert_eq!(client.frame_limit(), 259);
    client.feed(&dt(true, &[0; 260 - 7])[..4]);
    let error = client.poll_event().unwrap_err();
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
    assert_broken(&mut client);
}

#[test]
fn end_of_stream_says_where_it_struck() {
    let (mut client, _) = open_pair();
    assert!(matches!(client.eof(), Error::Closed));
    assert_broken(&mut client);
    assert!(!client.close());

    let (mut client, _) = open_pair();
    client.feed(&dt(true, b"AAAAAAAAAA")[..8]);
    assert!(client.poll_event().unwrap().is_none());
    assert!(client.mid_frame() && client.in_progress());
    let error = client.eof();
    assert!(
        matches!(
            error,
            Error::EofMidFrame {
                received: 8,
                expected: 17
            }
        ),
        "{error:?}"
    );

    let (mut client, _) = open_pair();
    client.feed(&[0x03, 0x00]);
    assert!(matches!(
        client.eof(),
        Error::EofMidFrame {
            received: 2,
            expected: 4
        }
    ));

    let (mut client, _) = open_pair();
    client.feed(&dt(false, b"first "));
    assert!(client.poll_event().unwrap().is_none());
    assert!(!client.mid_frame() && client.in_progress());
    assert!(matches!(client.eof(), Error::EofMidTsdu { received: 6 }));
}

#[test]
fn a_timeout_breaks_only_mid_frame() {
    let timeout = || Error::Timeout {
        op: "read",
        timeout: Duration::from_millis(1),
    };
    // Between whole frames: nothing lost, nothing in progress.
    let (mut client, _) = open_pair();
    client.feed(&dt(true, b"one"));
    assert_eq!(drain(&mut client), vec![b"one".to_vec()]);
    assert!(!client.in_progress());
    assert!(matches!(
        client.read_timed_out(timeout()),
        Error::Timeout { .. }
    ));
    assert!(!client.is_broken());
    client.feed(&dt(true, b"two"));
    assert_eq!(drain(&mut client), vec![b"two".to_vec()]);
    client.send(b"still usable").unwrap();

    // Between segments: nothing lost, the TSDU resumes.
    let (mut client, _) = open_pair();
    client.feed(&dt(false, b"first "));
    assert!(client.poll_event().unwrap().is_none());
    assert!(matches!(
        client.read_timed_out(timeout()),
        Error::Timeout { .. }
    ));
    assert!(!client.is_broken());
    client.feed(&dt(true, b"second"));
    assert_eq!(drain(&mut client), vec![b"first second".to_vec()]);

    // Mid-frame: broken, and the tail never comes out.
    let (mut client, _) = open_pair();
    let whole = dt(true, b"AAAA");
    client.feed(&whole[..5]);
    assert!(client.poll_event().unwrap().is_none());
    client.read_timed_out(timeout());
    client.feed(&whole[5..]);
    client.feed(&dt(true, b"new"));
    assert_broken(&mut client);

    // An idle expiry breaks, but the stream is in step: a DR still goes out on close.
    let (mut client, _) = open_pair();
    client.idle_expired(Error::IdleTimeout {
        timeout: Duration::from_secs(1),
    });
    assert_broken(&mut client);
    assert!(client.close());
    assert_eq!(take(&mut client)[5], 0x80, "a DR");
}

#[test]
fn handshake_faults_are_typed() {
    let answer = |bytes: &[u8]| {
        let mut client = Core::client(ClientConfig::new()).unwrap();
        take(&mut client);
        client.feed(bytes);
        let error = client.poll_event().unwrap_err();
        assert_broken(&mut client);
        error
    };
    // DR: refused with its reason; ER: rejected with its cause.
    let dr = frame(&[0x06, 0x80, 0x00, 0x01, 0x00, 0x07, 0x01]);
    assert!(matches!(
        answer(&dr),
        Error::Refused {
            reason: DisconnectReason::Congestion
        }
    ));
    let er = frame(&[0x04, 0x70, 0x00, 0x01, 0x02]);
    assert!(matches!(answer(&er), Error::Rejected { .. }));
    // A CC that does not echo the source reference, a wrong class, a larger size.
    let cc = |dst: u16, class: u8, size: u8| {
        let mut payload = vec![0x09, 0xD0];
        payload.extend_from_slice(&dst.to_be_bytes());
        payload.extend_from_slice(&[0x00, 0x09, class, 0xC0, 0x01, size]);
        frame(&payload)
    };
    assert!(matches!(
        answer(&cc(2, 0, 0x0A)),
        Error::InvalidConfirm { .. }
    ));
    assert!(matches!(
        answer(&cc(1, 0x20, 0x0A)),
        Error::InvalidConfirm { .. }
    ));
    assert!(matches!(
        answer(&cc(1, 0, 0x0B)),
        Error::InvalidConfirm { .. }
    ));
    // Data, garbage, a truncated CC.
    assert!(matches!(
        answer(&dt(true, b"x")),
        Error::UnexpectedTpdu { code: 0xF0, .. }
    ));
    assert!(matches!(answer(b"GET / HTTP/1.1\r\n\r\n"), Error::Tpkt(_)));
    assert!(matches!(
        answer(&frame(&[0x06, 0xD0, 0x00])),
        Error::Cotp(_)
    ));

    // The server side: a DR or data instead of a CR.
    let mut server = Core::server(ServerConfig::new());
    server.feed(&dr);
    assert!(matches!(
        server.poll_event().unwrap_err(),
        Error::PeerDisconnected { .. }
    ));
    let mut server = Core::server(ServerConfig::new());
    server.feed(&dt(true, b"x"));
    assert!(matches!(
        server.poll_event().unwrap_err(),
        Error::UnexpectedTpdu { code: 0xF0, .. }
    ));
    // Accepting with no request pending is refused.
    let mut server = Core::server(ServerConfig::new());
    assert!(server.accept().is_err());
}

#[test]
fn a_confirm_without_tsaps_is_accepted_and_data_right_behind_it_kept() {
    // Many devices confirm with the TPDU size only; the TSAPs carry nothing the client needs.
    let (mut client, src_ref) = client_after_request(ClientConfig::new());
    let mut bytes = cc(src_ref, 9, 0, &[0xC0, 0x01, 0x09]);
    bytes.extend(dt(true, b"hello"));
    client.feed(&bytes);
    let Some(Event::Connected(negotiated)) = client.poll_event().unwrap() else {
        panic!("no connection")
    };
    assert_eq!(negotiated.tpdu_size, TpduSize::S512);
    assert_eq!(negotiated.local_tsap, Tsap::from_u16(0x0100));
    assert_eq!(negotiated.remote_tsap, Tsap::from_u16(0x0102));
    assert_eq!(negotiated.remote_reference, 9);
    assert_eq!(drain(&mut client), vec![b"hello".to_vec()]);
}

#[test]
fn a_confirm_without_size_means_128() {
    let (mut client, src_ref) = client_after_request(ClientConfig::new());
    client.feed(&cc(src_ref, 9, 0, &[]));
    let Some(Event::Connected(negotiated)) = client.poll_event().unwrap() else {
        panic!("no connection")
    };
    assert_eq!(negotiated.tpdu_size, TpduSize::S128, "ISO 8073 default");
    // What the client sends then stays within 128 bytes.
    client.send(&pattern(300)).unwrap();
    assert!(dt_frames(&take(&mut client))
        .iter()
        .all(|&(len, _)| len <= 128));
}

#[test]
fn a_request_without_size_is_granted_128_and_without_tsaps_confirmed_without_them() {
    let mut server = Core::server(ServerConfig::new());
    server.feed(&cr(0x0007, &[]));
    let Some(Event::ConnectionRequest(request)) = server.poll_event().unwrap() else {
        panic!("no connection request")
    };
    assert_eq!(request.requested_tpdu_size, None);
    assert_eq!(request.chosen_tpdu_size, TpduSize::S128);
    assert_eq!(request.calling_tsap, None);
    assert_eq!(request.called_tsap, None);
    let negotiated = server.accept().unwrap();
    assert_eq!(negotiated.tpdu_size, TpduSize::S128);
    assert_eq!(negotiated.local_tsap, Tsap::from_u16(0));
    assert_eq!(negotiated.remote_tsap, Tsap::from_u16(0));
    let confirm = take(&mut server);
    assert_eq!(confirm[5], 0xD0, "a CC: {confirm:02X?}");
    assert_eq!(
        &confirm[6..8],
        &[0x00, 0x07],
        "the request's reference echoed"
    );
    assert_eq!(
        &confirm[11..],
        &[0xC0, 0x01, 0x07],
        "the size only, no TSAP to echo"
    );
}

#[test]
fn a_request_in_class_4_is_answered_in_class_0_and_data_right_behind_it_kept() {
    let mut server = Core::server(ServerConfig::new());
    // CR proposing class 4 (class/option byte 0x40), then a DT in the same read.
    let mut bytes = cr(0x0033, &[0xC0, 0x01, 0x0A]);
    bytes[10] = 0x40;
    bytes.extend(dt(true, b"pipelined"));
    server.feed(&bytes);
    let Some(Event::ConnectionRequest(request)) = server.poll_event().unwrap() else {
        panic!("no connection request")
    };
    assert_eq!(request.request.class_option, 0x40);
    server.accept().unwrap();
    let confirm = take(&mut server);
    assert_eq!(confirm[5], 0xD0);
    assert_eq!(confirm[10], 0x00, "answered in class 0");
    assert_eq!(drain(&mut server), vec![b"pipelined".to_vec()]);
}

#[test]
fn garbage_before_the_request_is_a_tpkt_error() {
    for garbage in [
        &b"\x16\x03\x01\x02\x00 tls hello"[..],
        &b"GET / HTTP/1.1\r\n\r\n"[..],
        &b"\x04\x00\x00\x10garbage garbage"[..],
    ] {
        let mut server = Core::server(ServerConfig::new());
        server.feed(garbage);
        let error = server.poll_event().unwrap_err();
        assert!(matches!(error, Error::Tpkt(_)), "{garbage:02X?}: {error:?}");
        assert_broken(&mut server);
        assert!(server.accept().is_err(), "nothing to accept");
    }
}

#[test]
fn end_of_stream_during_the_handshake() {
    // The client: the server hangs up before answering, or in the middle of its CC.
    let (mut client, _) = client_after_request(ClientConfig::new());
    assert!(client.poll_event().unwrap().is_none());
    assert!(matches!(client.eof(), Error::Closed));
    assert_broken(&mut client);

    let (mut client, _) = client_after_request(ClientConfig::new());
    client.feed(&[0x03, 0x00, 0x00, 0x16, 0x11]);
    assert!(client.poll_event().unwrap().is_none());
    let error = client.eof();
    assert!(
        matches!(
            error,
            Error::EofMidFrame {
                received: 5,
                expected: 22
            }
        ),
        "{error:?}"
    );
    assert_broken(&mut client);

    // The server: the client hangs up before its CR, or in the middle of it.
    let mut server = Core::server(ServerConfig::new());
    assert!(server.poll_event().unwrap().is_none());
    assert!(matches!(server.eof(), Error::Closed));
    assert_broken(&mut server);

    let mut server = Core::server(ServerConfig::new());
    let request = cr(0x0007, &[0xC0, 0x01, 0x0A]);
    server.feed(&request[..7]);
    assert!(server.poll_event().unwrap().is_none());
    let error = server.eof();
    assert!(
        matches!(error, Error::EofMidFrame { received: 7, expected } if expected == request.len()),
        "{error:?}"
    );
    assert_broken(&mut server);
}

#[test]
fn a_refused_request_reaches_the_client_as_refused() {
    let mut client = Core::client(ClientConfig::new()).unwrap();
    let mut server = Core::server(ServerConfig::new());
    pump(&mut client, &mut server);
    let Some(Event::ConnectionRequest(request)) = server.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(request.called_tsap, Some(Tsap::from_u16(0x0102)));
    server.refuse(DisconnectReason::ConnectionRefused).unwrap();
    assert!(server.is_broken());
    pump(&mut server, &mut client);
    assert!(matches!(
        client.poll_event().unwrap_err(),
        Error::Refused {
            reason: DisconnectReason::ConnectionRefused
        }
    ));
}

#[test]
fn data_right_behind_the_request_waits_for_the_decision() {
    let mut client = Core::client(ClientConfig::new()).unwrap();
    let mut server = Core::server(ServerConfig::new());
    let mut bytes = take(&mut client);
    bytes.extend(dt(true, b"eager"));
    server.feed(&bytes);
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::ConnectionRequest(_))
    ));
    assert!(
        server.poll_event().unwrap().is_none(),
        "no data before the decision"
    );
    server.accept().unwrap();
    assert_eq!(drain(&mut server), vec![b"eager".to_vec()]);
}

#[test]
fn close_queues_one_normal_disconnect_request() {
    let (mut client, mut server) = open_pair();
    assert!(client.close());
    assert!(!client.close(), "only once");
    pump(&mut client, &mut server);
    assert!(matches!(
        server.poll_event().unwrap_err(),
        Error::PeerDisconnected {
            reason: DisconnectReason::Normal
        }
    ));
    // Part of a frame already written: no DR may follow it.
    let (mut client, _) = open_pair();
    client.send(b"abc").unwrap();
    client.advance_transmit(3);
    assert!(!client.close());
    assert!(!client.may_disconnect());
}

/// Feeds `bytes` to `to` in reads of the sizes in `cuts` (taken in turn), handing every
/// event to `on_event` after each read; stops at the first error the core reports.
fn feed_chunked(
    to: &mut Core,
    bytes: &[u8],
    cuts: &[usize],
    mut on_event: impl FnMut(&mut Core, Event),
) -> Result<(), Error> {
    let mut rest = bytes;
    for &cut in cuts.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (read, tail) = rest.split_at(cut.min(rest.len()));
        to.feed(read);
        rest = tail;
        while let Some(event) = to.poll_event()? {
            on_event(to, event);
        }
    }
    Ok(())
}

/// `stream` with an empty DT without EOT (a "fast acknowledge") after frame `i` wherever
/// `acks[i % acks.len()]` holds.
fn with_fast_acks(stream: &[u8], acks: &[bool]) -> Vec<u8> {
    let mut out = Vec::with_capacity(stream.len());
    for (i, frame) in frames_of(stream).into_iter().enumerate() {
        out.extend_from_slice(frame);
        if acks[i % acks.len()] {
            out.extend(dt(false, b""));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// However the byte streams are cut into reads, in both directions, and whatever fast
    /// acknowledges lie between their frames, the same TSDUs come out, in order, whole, and
    /// the closing DR comes out last.
    #[test]
    fn random_chunkings_of_both_streams_give_the_same_tsdus(
        size in 0usize..7,
        lens in proptest::collection::vec(0usize..3000, 1..8),
        cuts_up in proptest::collection::vec(1usize..700, 1..64),
        cuts_down in proptest::collection::vec(1usize..700, 1..64),
        acks in proptest::collection::vec(any::<bool>(), 1..16),
    ) {
        let mut client = Core::client(ClientConfig::new().tpdu_size(SIZES[size])).unwrap();
        let mut server = Core::server(ServerConfig::new().max_tpdu_size(TpduSize::S8192));
        let messages: Vec<Vec<u8>> = lens
            .iter()
            .enumerate()
            .map(|(i, &len)| (0..len).map(|j| ((i * 7 + j) % 256) as u8).collect())
            .collect();

        // Client to server: the CR, chunked; the server accepts it.
        let mut accepted = 0;
        let cr = take(&mut client);
        feed_chunked(&mut server, &cr, &cuts_up, |server, event| match event {
            Event::ConnectionRequest(_) => {
                server.accept().unwrap();
                accepted += 1;
            }
            other => panic!("unexpected {other:?} before the handshake"),
        })
        .unwrap();
        prop_assert_eq!(accepted, 1);

        // Server to client: the CC with the messages right behind it, chunked.
        let mut connected = None;
        let mut got_down = Vec::new();
        for message in &messages {
            server.send(message).unwrap();
        }
        let down = with_fast_acks(&take(&mut server), &acks);
        feed_chunked(&mut client, &down, &cuts_down, |_, event| match event {
            Event::Connected(negotiated) => {
                assert!(connected.is_none() && got_down.is_empty(), "connected first, once");
                connected = Some(negotiated);
            }
            Event::Tsdu(tsdu) => got_down.push(tsdu.to_vec()),
            Event::ConnectionRequest(_) => panic!("a client gets no request"),
        })
        .unwrap();
        prop_assert_eq!(connected.map(|n| n.tpdu_size), Some(SIZES[size]));
        prop_assert_eq!(&got_down, &messages);
        prop_assert!(!client.in_progress());

        // Client to server: the same messages, then the closing DR, chunked. (Closing drops
        // what was not written yet, so the messages are taken out first, as written.)
        for message in &messages {
            client.send(message).unwrap();
        }
        let mut up = take(&mut client);
        prop_assert!(client.close());
        up.extend(take(&mut client));
        let up = with_fast_acks(&up, &acks);
        let mut got_up = Vec::new();
        let end = feed_chunked(&mut server, &up, &cuts_up, |_, event| match event {
            Event::Tsdu(tsdu) => got_up.push(tsdu.to_vec()),
            other => panic!("unexpected {other:?} once connected"),
        });
        prop_assert_eq!(got_up, messages);
        prop_assert!(
            matches!(end, Err(Error::PeerDisconnected { reason: DisconnectReason::Normal })),
            "{:?}",
            end
        );
    }
}
