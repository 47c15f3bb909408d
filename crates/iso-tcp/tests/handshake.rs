//! Connection establishment: TPDU size negotiation, TSAPs, confirm validation, refusals,
//! timeouts, address families and resolution.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::*;
use iso_tcp::{
    AcceptDecision, ClientOptions, DisconnectReason, Error, Listener, RejectCause, TpduSize, Tsap,
};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

#[test]
fn negotiation_matrix_every_requested_and_granted_size() {
    for server_max in TpduSize::ALL {
        let listener =
            Listener::bind(loopback(), server_options().max_tpdu_size(server_max)).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = thread::spawn(move || {
            let mut sizes = Vec::new();
            for _ in TpduSize::ALL {
                let mut connection = listener.accept().unwrap();
                let request = connection.recv().unwrap();
                connection.send(&request).unwrap();
                sizes.push(connection.tpdu_size());
                // Wait for the client's DR so the next accept starts on a clean slate.
                assert!(matches!(
                    connection.recv(),
                    Err(Error::PeerDisconnected {
                        reason: DisconnectReason::Normal
                    })
                ));
            }
            sizes
        });
        let mut expected = Vec::new();
        for requested in TpduSize::ALL {
            let chosen = requested.min(server_max);
            let mut client = client_options(addr).tpdu_size(requested).connect().unwrap();
            assert_eq!(
                client.tpdu_size(),
                chosen.bytes(),
                "client side: requested {requested:?}, server max {server_max:?}"
            );
            assert_eq!(client.negotiated_tpdu_size(), chosen);
            // A TSDU spanning a few TPDUs exercises the negotiated size both ways.
            let tsdu = pattern(chosen.bytes() * 2 + 5);
            client.send(&tsdu).unwrap();
            assert_eq!(client.recv().unwrap(), tsdu);
            client.close().unwrap();
            expected.push(chosen.bytes());
        }
        assert_eq!(
            server.join().unwrap(),
            expected,
            "server side, max {server_max:?}"
        );
    }
}

#[test]
fn default_client_asks_1024_and_sends_the_s7_connection_request() {
    let (tx, rx) = mpsc::channel();
    let (addr, peer) = raw_peer(move |mut stream| {
        let (request, src_ref) = read_cr(&mut stream);
        tx.send(request).unwrap();
        stream
            .write_all(&cc(src_ref, 0x0042, 0, &[0xC0, 0x01, 0x0A]))
            .unwrap();
        let _ = read_to_end(&mut stream);
    });
    let client = client_options(addr).connect().unwrap();
    let request = rx.recv().unwrap();
    assert_eq!(
        request,
        [
            0x03, 0x00, 0x00, 0x16, 0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC1, 0x02, 0x01,
            0x00, 0xC2, 0x02, 0x01, 0x02, 0xC0, 0x01, 0x0A
        ]
    );
    assert_eq!(client.tpdu_size(), 1024);
    assert_eq!(client.local_tsap(), &Tsap::from_u16(0x0100));
    assert_eq!(client.remote_tsap(), &Tsap::from_u16(0x0102));
    assert_eq!(client.local_reference(), 0x0001);
    assert_eq!(client.remote_reference(), 0x0042);
    assert_eq!(client.peer_addr(), addr);
    assert_eq!(client.local_addr().unwrap().ip(), addr.ip());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn server_echoes_both_tsaps_of_any_length_and_grants_its_maximum() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || listener.accept().unwrap());

    let mut stream = TcpStream::connect(addr).unwrap();
    let calling = b"SIMATIC-ROOT-HMI";
    let mut params = vec![0xC1, u8::try_from(calling.len()).unwrap()];
    params.extend_from_slice(calling);
    params.extend_from_slice(&[0xC2, 0x02, 0x03, 0x01, 0xC0, 0x01, 0x0D]);
    stream.write_all(&cr(0x1234, &params)).unwrap();
    let confirm = read_frame(&mut stream);

    assert_eq!(confirm[5], 0xD0, "a CC");
    assert_eq!(
        u16::from_be_bytes([confirm[6], confirm[7]]),
        0x1234,
        "dst-ref echoes src-ref"
    );
    let own_ref = u16::from_be_bytes([confirm[8], confirm[9]]);
    assert_ne!(own_ref, 0, "server has a reference of its own");
    assert_eq!(confirm[10], 0x00, "class 0");
    assert_eq!(
        params_of(&confirm),
        vec![
            (0xC0, vec![0x0A]),
            (0xC1, calling.to_vec()),
            (0xC2, vec![0x03, 0x01]),
        ],
        "8192 asked, 1024 granted, TSAPs echoed as received"
    );

    let connection = server.join().unwrap();
    assert_eq!(connection.tpdu_size(), 1024);
    assert_eq!(connection.local_tsap().as_bytes(), &[0x03, 0x01]);
    assert_eq!(connection.remote_tsap().as_bytes(), calling);
    assert_eq!(connection.local_reference(), own_ref);
    assert_eq!(connection.remote_reference(), 0x1234);
    assert_eq!(connection.peer_addr(), stream.local_addr().unwrap());
}

#[test]
fn server_grants_128_when_the_request_names_no_size() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || listener.accept().unwrap());
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(&cr(0x0007, &[])).unwrap();
    let confirm = read_frame(&mut stream);
    assert_eq!(confirm[5], 0xD0);
    assert_eq!(
        params_of(&confirm),
        vec![(0xC0, vec![0x07])],
        "no TSAP to echo"
    );
    let connection = server.join().unwrap();
    assert_eq!(connection.tpdu_size(), 128);
    assert_eq!(connection.local_tsap(), &Tsap::from_u16(0));
}

#[test]
fn client_accepts_a_confirm_without_tsaps() {
    // Many devices confirm with the TPDU size only; the TSAPs carry nothing the client needs.
    let (addr, peer) = raw_peer(|mut stream| {
        let (_, src_ref) = read_cr(&mut stream);
        stream
            .write_all(&cc(src_ref, 9, 0, &[0xC0, 0x01, 0x09]))
            .unwrap();
        stream.write_all(&dt(true, b"hello")).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr).connect().unwrap();
    assert_eq!(client.tpdu_size(), 512);
    assert_eq!(
        &client.recv().unwrap()[..],
        b"hello",
        "data right behind the CC is kept"
    );
    drop(client);
    peer.join().unwrap();
}

#[test]
fn client_takes_128_from_a_confirm_without_size() {
    let (addr, peer) = raw_peer(|mut stream| {
        let (_, src_ref) = read_cr(&mut stream);
        stream.write_all(&cc(src_ref, 9, 0, &[])).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let client = client_options(addr).connect().unwrap();
    assert_eq!(client.tpdu_size(), 128, "ISO 8073 default");
    drop(client);
    peer.join().unwrap();
}

fn connect_to_raw(answer: impl FnOnce(u16) -> Vec<u8> + Send + 'static) -> Error {
    let (addr, peer) = raw_peer(move |mut stream| {
        let (_, src_ref) = read_cr(&mut stream);
        stream.write_all(&answer(src_ref)).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = client_options(addr).connect().unwrap_err();
    peer.join().unwrap();
    error
}

#[test]
fn disconnect_request_instead_of_confirm_is_refused_with_its_reason() {
    let error = connect_to_raw(|src_ref| dr(src_ref, 0, 0x88));
    assert!(
        matches!(
            error,
            Error::Refused {
                reason: DisconnectReason::ConnectionRefused
            }
        ),
        "{error:?}"
    );
    let error = connect_to_raw(|src_ref| dr(src_ref, 0, 0x03));
    assert!(
        matches!(
            error,
            Error::Refused {
                reason: DisconnectReason::AddressUnknown
            }
        ),
        "{error:?}"
    );
}

#[test]
fn error_tpdu_instead_of_confirm_is_rejected_with_its_cause() {
    let error = connect_to_raw(|src_ref| er(src_ref, 0x02));
    assert!(
        matches!(
            error,
            Error::Rejected {
                cause: RejectCause::InvalidTpduType
            }
        ),
        "{error:?}"
    );
}

#[test]
fn confirm_that_does_not_match_the_request_is_invalid() {
    let error = connect_to_raw(|src_ref| cc(src_ref.wrapping_add(1), 9, 0, &[0xC0, 0x01, 0x0A]));
    assert!(
        matches!(error, Error::InvalidConfirm { .. }),
        "wrong dst-ref: {error:?}"
    );

    let error = connect_to_raw(|src_ref| cc(src_ref, 9, 0x20, &[0xC0, 0x01, 0x0A]));
    assert!(
        matches!(error, Error::InvalidConfirm { .. }),
        "class 2: {error:?}"
    );

    let error = connect_to_raw(|src_ref| cc(src_ref, 9, 0, &[0xC0, 0x01, 0x0B]));
    assert!(
        matches!(error, Error::InvalidConfirm { reason } if reason.contains("larger")),
        "2048 confirmed, 1024 asked: {error:?}"
    );
}

#[test]
fn confirm_replaced_by_other_tpdus_or_garbage_is_a_typed_error() {
    let error = connect_to_raw(|_| dt(true, b"x"));
    assert!(
        matches!(error, Error::UnexpectedTpdu { code: 0xF0, .. }),
        "{error:?}"
    );
    let error = connect_to_raw(|_| b"GET / HTTP/1.1\r\n\r\n".to_vec());
    assert!(matches!(error, Error::Tpkt(_)), "{error:?}");
    let error = connect_to_raw(|_| frame(&[0x06, 0xD0, 0x00]));
    assert!(matches!(error, Error::Cotp(_)), "truncated CC: {error:?}");
}

#[test]
fn peer_that_hangs_up_or_stays_silent_during_connect() {
    let (addr, peer) = raw_peer(|mut stream| {
        read_cr(&mut stream);
    });
    let error = client_options(addr).connect().unwrap_err();
    assert!(matches!(error, Error::Closed), "{error:?}");
    peer.join().unwrap();

    let (addr, peer) = raw_peer(|mut stream| {
        read_cr(&mut stream);
        stream.write_all(&[0x03, 0x00, 0x00, 0x16, 0x11]).unwrap();
    });
    let error = client_options(addr).connect().unwrap_err();
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
    peer.join().unwrap();

    let (release, wait) = mpsc::channel::<()>();
    let (addr, peer) = raw_peer(move |mut stream| {
        read_cr(&mut stream);
        let _ = wait.recv();
    });
    let error = client_options(addr)
        .connect_timeout(SHORT)
        .connect()
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        matches!(error, Error::Timeout { timeout, .. } if timeout == SHORT),
        "{error:?}"
    );
    release.send(()).unwrap();
    peer.join().unwrap();
}

#[test]
fn connecting_to_a_closed_port_is_an_io_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let error = client_options(port).connect().unwrap_err();
    assert!(
        matches!(&error, Error::Io { op: "connect", source } if source.kind() == std::io::ErrorKind::ConnectionRefused),
        "{error:?}"
    );
}

#[test]
fn host_name_with_port_resolves_and_connects() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || listener.accept().unwrap());
    // "localhost" may resolve to ::1 first, where nothing listens: the next address is tried.
    let client = ClientOptions::new(format!("localhost:{port}"))
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .unwrap();
    let server = server.join().unwrap();
    assert_eq!(client.peer_addr().port(), port);
    assert_eq!(server.tpdu_size(), client.tpdu_size());
}

#[test]
fn ipv6_loopback() {
    let listener = match Listener::bind("[::1]:0".parse().unwrap(), server_options()) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("skipping ipv6_loopback: this machine has no ::1 ({error})");
            return;
        }
    };
    let addr = listener.local_addr().unwrap();
    assert!(addr.is_ipv6());
    let server = thread::spawn(move || {
        let mut connection = listener.accept().unwrap();
        let request = connection.recv().unwrap();
        connection.send(&request).unwrap();
        connection
    });
    let mut client = client_options(addr).connect().unwrap();
    assert!(client.peer_addr().is_ipv6());
    client.send(b"over ipv6").unwrap();
    assert_eq!(&client.recv().unwrap()[..], b"over ipv6");
    let server = server.join().unwrap();
    assert!(server.peer_addr().is_ipv6());
    // The string form with brackets resolves too.
    let text = format!("[::1]:{}", addr.port());
    assert_eq!(
        iso_tcp::RemoteAddr::from(text.as_str()).resolve().unwrap(),
        vec![addr]
    );
}

#[test]
fn accept_with_refuses_by_called_tsap() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let decide = |info: &iso_tcp::ConnectionRequestInfo| {
            assert_eq!(info.calling_tsap, Some(Tsap::from_u16(0x0100)));
            assert_eq!(info.requested_tpdu_size, Some(TpduSize::S1024));
            assert_eq!(info.chosen_tpdu_size, TpduSize::S1024);
            match info.called_tsap.as_ref().and_then(Tsap::to_u16) {
                Some(0x0102) => AcceptDecision::Accept,
                Some(0x0103) => AcceptDecision::Refuse(DisconnectReason::AddressUnknown),
                _ => AcceptDecision::Refuse(DisconnectReason::ConnectionRefused),
            }
        };
        let first = listener.accept_with(decide).unwrap_err();
        let second = listener.accept_with(decide).unwrap_err();
        let third = listener.accept_with(decide).unwrap();
        (first, second, third.remote_tsap().clone())
    });

    let refused = client_options(addr)
        .remote_tsap(Tsap::from_u16(0x0199))
        .connect()
        .unwrap_err();
    assert!(
        matches!(
            refused,
            Error::Refused {
                reason: DisconnectReason::ConnectionRefused
            }
        ),
        "{refused:?}"
    );
    let refused = client_options(addr)
        .remote_tsap(Tsap::from_u16(0x0103))
        .connect()
        .unwrap_err();
    assert!(
        matches!(
            refused,
            Error::Refused {
                reason: DisconnectReason::AddressUnknown
            }
        ),
        "{refused:?}"
    );
    let accepted = client_options(addr).connect().unwrap();

    let (first, second, remote) = server.join().unwrap();
    assert!(
        matches!(
            first,
            Error::RefusedLocally {
                reason: DisconnectReason::ConnectionRefused
            }
        ),
        "{first:?}"
    );
    assert!(
        matches!(
            second,
            Error::RefusedLocally {
                reason: DisconnectReason::AddressUnknown
            }
        ),
        "{second:?}"
    );
    assert_eq!(remote, Tsap::from_u16(0x0100));
    drop(accepted);
}

#[test]
fn silent_client_times_out_the_server_handshake() {
    let timeout = Duration::from_millis(250);
    let listener = Listener::bind(loopback(), server_options().handshake_timeout(timeout)).unwrap();
    let addr = listener.local_addr().unwrap();

    let silent = TcpStream::connect(addr).unwrap();
    let error = listener.accept().unwrap_err();
    assert!(
        matches!(error, Error::HandshakeTimeout { timeout: t } if t == timeout),
        "{error:?}"
    );
    assert!(error.is_timeout());

    // Half a CR, then silence: the deadline covers every read, not just the first.
    let mut half = TcpStream::connect(addr).unwrap();
    half.write_all(&cr(1, &[0xC0, 0x01, 0x0A])[..6]).unwrap();
    let error = listener.accept().unwrap_err();
    assert!(matches!(error, Error::HandshakeTimeout { .. }), "{error:?}");
    drop((silent, half));
}

#[test]
fn server_handshake_errors_are_typed() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();

    let mut client = TcpStream::connect(addr).unwrap();
    client.write_all(&dt(true, b"no cr first")).unwrap();
    let error = listener.accept().unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedTpdu { code: 0xF0, .. }),
        "{error:?}"
    );

    let mut client = TcpStream::connect(addr).unwrap();
    client.write_all(b"\x16\x03\x01\x02\x00 tls hello").unwrap();
    let error = listener.accept().unwrap_err();
    assert!(matches!(error, Error::Tpkt(_)), "{error:?}");

    let client = TcpStream::connect(addr).unwrap();
    drop(client);
    let error = listener.accept().unwrap_err();
    assert!(matches!(error, Error::Closed), "{error:?}");
}

#[test]
fn accept_tcp_lets_a_worker_run_the_handshake_while_others_are_accepted() {
    let listener = Listener::bind(
        loopback(),
        server_options().handshake_timeout(Duration::from_secs(10)),
    )
    .unwrap();
    let addr = listener.local_addr().unwrap();

    let silent = TcpStream::connect(addr).unwrap();
    let pending = listener.accept_tcp().unwrap();
    assert_eq!(pending.peer_addr(), silent.local_addr().unwrap());
    let (done_tx, done_rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let result = pending.handshake(|_| AcceptDecision::Accept);
        done_tx.send(()).unwrap();
        result
    });

    // The accept loop is free: a second client is served while the first one is silent.
    let client = thread::spawn(move || client_options(addr).connect().unwrap());
    let served = listener.accept().unwrap();
    let client = client.join().unwrap();
    assert_eq!(served.tpdu_size(), client.tpdu_size());
    assert!(
        done_rx.try_recv().is_err(),
        "the silent client's handshake is still waiting"
    );

    drop(silent);
    let error = worker.join().unwrap().unwrap_err();
    assert!(matches!(error, Error::Closed), "{error:?}");
}

#[test]
fn poll_request_reads_without_waiting_and_hands_what_it_read_to_the_handshake() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();

    let mut client = TcpStream::connect(addr).unwrap();
    let mut pending = listener.accept_tcp().unwrap();
    // Nothing sent yet: no waiting, no request.
    assert!(!pending.poll_request().unwrap());
    // Half a CR is not enough either.
    let request = cr(
        7,
        &[
            0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02,
        ],
    );
    client.write_all(&request[..5]).unwrap();
    thread::sleep(Duration::from_millis(50));
    assert!(!pending.poll_request().unwrap());
    // The rest of it and a first DT right behind: the request is in, and stays in.
    client.write_all(&request[5..]).unwrap();
    client.write_all(&dt(true, b"first")).unwrap();
    assert!(eventually(|| pending.poll_request().unwrap()));
    assert!(pending.poll_request().unwrap());

    let mut connection = pending
        .handshake(|info| {
            assert_eq!(info.called_tsap, Some(Tsap::from_u16(0x0102)));
            AcceptDecision::Accept
        })
        .unwrap();
    let confirm = read_frame(&mut client);
    assert_eq!(
        confirm[5], 0xD0,
        "a CC answers the polled request: {confirm:02X?}"
    );
    assert_eq!(connection.tpdu_size(), 1024);
    assert_eq!(connection.recv().unwrap(), b"first".as_slice());
}

#[test]
fn poll_request_reports_hang_ups_and_garbage() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();

    // What the client sends (`None`: it hangs up at once), and the error it must bring.
    type Case = (Option<Vec<u8>>, fn(&Result<bool, Error>) -> bool);
    let cases: [Case; 3] = [
        (None, |result| matches!(result, Err(Error::Closed))),
        (Some(b"\x16\x03\x01\x02\x00 tls hello".to_vec()), |result| {
            matches!(result, Err(Error::Tpkt(_)))
        }),
        (Some(dt(true, b"no cr first")), |result| {
            matches!(result, Err(Error::UnexpectedTpdu { code: 0xF0, .. }))
        }),
    ];
    // Clients that sent something stay connected to the end.
    let mut clients = Vec::new();
    for (sent, expected) in cases {
        let mut client = TcpStream::connect(addr).unwrap();
        let mut pending = listener.accept_tcp().unwrap();
        match sent {
            None => drop(client),
            Some(bytes) => {
                client.write_all(&bytes).unwrap();
                clients.push(client);
            }
        }
        let mut result = Ok(false);
        assert!(eventually(|| {
            result = pending.poll_request();
            !matches!(result, Ok(false))
        }));
        assert!(expected(&result), "{result:?}");
    }
}

#[test]
fn listener_backlog_is_at_least_128() {
    assert_eq!(iso_tcp::ServerOptions::new().backlog_len(), 1024);
    assert_eq!(iso_tcp::ServerOptions::new().backlog(5).backlog_len(), 128);
    // Many clients connecting at once before any accept all get through the TCP handshake.
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    #[cfg(unix)]
    assert!(listener.socket().reuse_address().unwrap(), "SO_REUSEADDR");
    let addr = listener.local_addr().unwrap();
    let streams: Vec<TcpStream> = (0..150)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    listener.set_nonblocking(true).unwrap();
    let mut accepted = Vec::new();
    assert!(eventually(|| {
        while let Ok(pending) = listener.accept_tcp() {
            accepted.push(pending);
        }
        accepted.len() == streams.len()
    }));
}

#[test]
fn tcp_connect_that_gets_no_answer_times_out() {
    // A listener whose accept queue is full drops further SYNs: the connect hangs until its
    // timeout, all on loopback.
    let listener =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    listener.bind(&loopback().into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let fillers: Vec<_> = (0..4)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_millis(100)).ok())
        .collect();
    assert!(!fillers.is_empty());
    let error = client_options(addr)
        .connect_timeout(SHORT)
        .connect()
        .unwrap_err();
    assert!(
        matches!(error, Error::ConnectTimeout { addr: a, timeout } if a == addr && timeout == SHORT),
        "{error:?}"
    );
    assert!(error.is_timeout());
}

#[test]
fn data_right_behind_the_request_is_kept_and_other_classes_get_class_0() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let mut connection = listener.accept().unwrap();
        connection.recv().unwrap()
    });
    let mut stream = TcpStream::connect(addr).unwrap();
    // CR proposing class 4 (class/option byte 0x40), then a DT in the same write.
    let mut request = cr(0x0033, &[0xC0, 0x01, 0x0A]);
    request[10] = 0x40;
    request.extend(dt(true, b"pipelined"));
    stream.write_all(&request).unwrap();
    let confirm = read_frame(&mut stream);
    assert_eq!(confirm[5], 0xD0);
    assert_eq!(confirm[10], 0x00, "answered in class 0");
    assert_eq!(&server.join().unwrap()[..], b"pipelined");
}
