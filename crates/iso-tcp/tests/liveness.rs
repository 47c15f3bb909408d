//! Liveness checks, socket options as the kernel reports them, and orderly closing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::Write;
use std::net::{Shutdown, SocketAddr};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::*;
use iso_tcp::{Connection, DisconnectReason, Error, Keepalive, Listener};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// The socket's own settings, to show that a liveness check leaves them alone.
fn socket_settings(connection: &Connection) -> (Option<Duration>, Option<Duration>) {
    let socket = connection.socket();
    (
        socket.read_timeout().unwrap(),
        socket.write_timeout().unwrap(),
    )
}

#[test]
fn alive_while_idle_and_checks_change_nothing() {
    let (client, server) = default_pair();
    let before = socket_settings(&client);
    for _ in 0..3 {
        assert!(client.is_alive());
        assert!(server.is_alive());
    }
    assert_eq!(socket_settings(&client), before);
    assert!(!client.socket().nonblocking().unwrap());
    assert_eq!(client.read_timeout(), Some(Duration::from_secs(5)));
}

#[test]
fn dead_after_peer_fin() {
    let (mut client, peer) = {
        let (addr, peer) = raw_server(0x0A, |stream| {
            stream.shutdown(Shutdown::Write).unwrap();
            let mut stream = stream;
            let _ = read_to_end(&mut stream);
        });
        (client_options(addr).connect().unwrap(), peer)
    };
    assert!(eventually(|| !client.is_alive()), "FIN not noticed");
    assert!(!client.is_broken(), "the check itself breaks nothing");
    assert!(matches!(client.recv(), Err(Error::Closed)));
    drop(client);
    peer.join().unwrap();
}

#[test]
fn dead_after_peer_reset() {
    let (addr, peer) = raw_server(0x0A, |stream| {
        socket2::SockRef::from(&stream)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(stream);
    });
    let client = client_options(addr).connect().unwrap();
    peer.join().unwrap();
    assert!(eventually(|| !client.is_alive()), "RST not noticed");
}

#[test]
fn alive_while_data_waits_and_the_data_is_still_there() {
    let (mut client, mut server) = default_pair();
    server.send(b"waiting").unwrap();
    // Even once the peer has closed its end, unread data keeps the connection alive.
    server.shutdown().unwrap();
    thread::sleep(Duration::from_millis(50));
    assert!(client.is_alive());
    assert!(client.is_alive());
    assert_eq!(&client.recv().unwrap()[..], b"waiting");
    assert!(eventually(|| !client.is_alive()));
}

#[test]
fn alive_while_our_own_buffer_holds_frames() {
    let (addr, peer) = raw_server(0x0A, |mut stream| {
        let mut wire = dt(true, b"one");
        wire.extend(dt(true, b"two"));
        stream.write_all(&wire).unwrap();
        stream.shutdown(Shutdown::Write).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = client_options(addr).connect().unwrap();
    assert_eq!(&client.recv().unwrap()[..], b"one");
    // The socket holds nothing more and the peer has sent FIN, but "two" is buffered here.
    thread::sleep(Duration::from_millis(50));
    assert!(client.is_alive());
    assert_eq!(&client.recv().unwrap()[..], b"two");
    assert!(!client.is_alive());
    drop(client);
    peer.join().unwrap();
}

#[test]
fn liveness_probe_works_from_another_thread_during_recv() {
    let (mut client, server) = default_pair();
    client.set_read_timeout(None).unwrap();
    let probe = client.liveness_probe().unwrap();
    let receiver = thread::spawn(move || client.recv());
    let watcher = thread::spawn(move || {
        assert!(probe.is_alive());
        eventually(|| !probe.is_alive())
    });
    thread::sleep(Duration::from_millis(50));
    drop(server); // DR then shutdown: the receiver gets the DR, the probe then sees the FIN.
    let received = receiver.join().unwrap();
    assert!(
        matches!(
            received,
            Err(Error::PeerDisconnected {
                reason: DisconnectReason::Normal
            })
        ),
        "{received:?}"
    );
    assert!(watcher.join().unwrap(), "probe noticed the close");
}

#[test]
fn keepalive_settings_are_applied_on_both_sides() {
    let keepalive = Keepalive {
        idle: Duration::from_secs(7),
        interval: Duration::from_secs(3),
        retries: 4,
    };
    let server_keepalive = Keepalive {
        idle: Duration::from_secs(11),
        interval: Duration::from_secs(2),
        retries: 6,
    };
    let (client, server) = pair(
        client_options(loopback()).keepalive(Some(keepalive)),
        server_options().keepalive(Some(server_keepalive)),
    );
    for (connection, expected) in [(&client, keepalive), (&server, server_keepalive)] {
        let socket = connection.socket();
        assert!(socket.keepalive().unwrap());
        assert_eq!(socket.tcp_keepalive_time().unwrap(), expected.idle);
        assert_eq!(socket.tcp_keepalive_interval().unwrap(), expected.interval);
        assert_eq!(socket.tcp_keepalive_retries().unwrap(), expected.retries);
        assert!(socket.tcp_nodelay().unwrap());
    }
}

#[test]
fn keepalive_is_on_by_default_and_can_be_turned_off() {
    let (client, server) = default_pair();
    assert!(client.socket().keepalive().unwrap());
    assert!(server.socket().keepalive().unwrap());
    assert_eq!(
        client.socket().tcp_keepalive_time().unwrap(),
        Keepalive::default().idle
    );
    let (client, server) = pair(
        client_options(loopback()).keepalive(None).nodelay(false),
        server_options().keepalive(None),
    );
    assert!(!client.socket().keepalive().unwrap());
    assert!(!server.socket().keepalive().unwrap());
    assert!(!client.socket().tcp_nodelay().unwrap());
}

#[test]
fn timeouts_are_applied_and_changeable() {
    let (mut client, server) = pair(
        client_options(loopback())
            .read_timeout(Some(Duration::from_millis(700)))
            .write_timeout(Some(Duration::from_millis(900))),
        server_options().read_timeout(None),
    );
    assert_eq!(
        socket_settings(&client),
        (
            Some(Duration::from_millis(700)),
            Some(Duration::from_millis(900))
        )
    );
    assert_eq!(socket_settings(&server).0, None);
    client
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    client.set_write_timeout(None).unwrap();
    assert_eq!(
        socket_settings(&client),
        (Some(Duration::from_millis(300)), None)
    );
    assert_eq!(client.read_timeout(), Some(Duration::from_millis(300)));
    assert_eq!(client.write_timeout(), None);
}

#[test]
fn close_sends_a_normal_disconnect_request_then_ends_the_stream() {
    let (tx, rx) = mpsc::channel();
    let (addr, peer) = raw_server(0x0A, move |mut stream| {
        tx.send(read_to_end(&mut stream)).unwrap();
    });
    let client = client_options(addr).connect().unwrap();
    assert_eq!(client.remote_reference(), 0x4431);
    client.close().unwrap();
    // 06 80 dst-ref src-ref 80: to the server's reference, from ours, reason normal.
    assert_eq!(
        rx.recv().unwrap(),
        [0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x44, 0x31, 0x00, 0x01, 0x80]
    );
    peer.join().unwrap();
}

#[test]
fn drop_sends_the_disconnect_request_too() {
    let (tx, rx) = mpsc::channel();
    let (addr, peer) = raw_server(0x0A, move |mut stream| {
        tx.send(read_to_end(&mut stream)).unwrap();
    });
    let client = client_options(addr).connect().unwrap();
    drop(client);
    assert_eq!(rx.recv().unwrap(), dr(0x4431, 0x0001, 0x80));
    peer.join().unwrap();
}

#[test]
fn server_close_is_seen_by_the_client() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let connection = listener.accept().unwrap();
        connection.close().unwrap();
    });
    let mut client = client_options(addr).connect().unwrap();
    server.join().unwrap();
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
    assert!(!client.is_alive());
    // Closing a connection the peer already ended is not an error.
    client.close().unwrap();
}

#[test]
fn connections_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Connection>();
    assert_send_sync::<Listener>();
    assert_send_sync::<iso_tcp::PendingConnection>();
    assert_send_sync::<iso_tcp::LivenessProbe>();
    // A connection used from a thread of its own, polled for liveness by its owner in turn.
    let (client, mut server) = default_pair();
    let shared = std::sync::Arc::new(std::sync::Mutex::new(client));
    let worker = {
        let shared = std::sync::Arc::clone(&shared);
        thread::spawn(move || shared.lock().unwrap().send(b"from a thread"))
    };
    worker.join().unwrap().unwrap();
    assert!(shared.lock().unwrap().is_alive());
    assert_eq!(&server.recv().unwrap()[..], b"from a thread");
}

/// A `tracing` writer collecting everything into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn refused_keepalive_values_are_logged_and_the_connection_goes_on() {
    let listener = Listener::bind(loopback(), server_options()).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || listener.accept().unwrap());

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    // Linux takes 1..=32767 s idle and at least one probe; these two are refused.
    let odd = Keepalive {
        idle: Duration::ZERO,
        interval: Duration::from_secs(3),
        retries: 0,
    };
    let client = tracing::subscriber::with_default(subscriber, || {
        client_options(addr).keepalive(Some(odd)).connect()
    })
    .unwrap();
    let _server = server.join().unwrap();

    let socket = client.socket();
    assert!(socket.keepalive().unwrap(), "keepalive is on all the same");
    assert_eq!(
        socket.tcp_keepalive_interval().unwrap(),
        Duration::from_secs(3),
        "the accepted value is applied"
    );
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    if cfg!(target_os = "linux") {
        assert!(log.contains("WARN"), "{log}");
        assert!(log.contains("keepalive idle time"), "{log}");
        assert!(log.contains("keepalive probe count"), "{log}");
    }
}

#[test]
fn accepted_sockets_get_every_server_option_whether_inherited_or_set_one_by_one() {
    let keepalive = Keepalive {
        idle: Duration::from_secs(21),
        interval: Duration::from_secs(4),
        retries: 6,
    };
    let options = server_options()
        .keepalive(Some(keepalive))
        .nodelay(true)
        .read_timeout(Some(Duration::from_secs(9)))
        .write_timeout(Some(Duration::from_secs(7)));
    for touch_listener in [false, true] {
        let listener = Listener::bind(loopback(), options.clone()).unwrap();
        if touch_listener {
            // Taking the listening socket switches to setting each accepted socket's options.
            assert!(listener.socket().tcp_nodelay().unwrap());
        }
        let addr = listener.local_addr().unwrap();
        let accepting = thread::spawn(move || listener.accept().unwrap());
        let client = client_options(addr).connect().unwrap();
        let server = accepting.join().unwrap();
        let socket = server.socket();
        assert!(socket.tcp_nodelay().unwrap(), "touched: {touch_listener}");
        assert!(socket.keepalive().unwrap());
        assert_eq!(socket.tcp_keepalive_time().unwrap(), keepalive.idle);
        assert_eq!(socket.tcp_keepalive_interval().unwrap(), keepalive.interval);
        assert_eq!(socket.tcp_keepalive_retries().unwrap(), keepalive.retries);
        assert_eq!(
            socket_settings(&server),
            (Some(Duration::from_secs(9)), Some(Duration::from_secs(7))),
            "touched: {touch_listener}"
        );
        drop(client);
    }
}

#[test]
fn accepted_sockets_get_the_server_options_whatever_the_listener_holds() {
    let listener = Listener::bind(
        loopback(),
        server_options()
            .keepalive(None)
            .nodelay(false)
            .read_timeout(None)
            .write_timeout(None),
    )
    .unwrap();
    // Options on a listening socket may be handed down to the sockets it accepts.
    let socket = listener.socket();
    socket.set_keepalive(true).unwrap();
    socket.set_tcp_nodelay(true).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    socket
        .set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let accepting = thread::spawn(move || listener.accept().unwrap());
    let client = client_options(addr)
        .keepalive(None)
        .nodelay(false)
        .read_timeout(None)
        .write_timeout(None)
        .connect()
        .unwrap();
    let server = accepting.join().unwrap();

    for connection in [&client, &server] {
        let socket = connection.socket();
        assert!(!socket.keepalive().unwrap());
        assert!(!socket.tcp_nodelay().unwrap());
        assert_eq!(socket_settings(connection), (None, None));
        assert_eq!(connection.read_timeout(), None);
        assert_eq!(connection.write_timeout(), None);
    }
}

#[test]
fn connections_accepted_from_a_non_blocking_listener_block() {
    let listener = Listener::bind(
        loopback(),
        server_options().read_timeout(Some(Duration::from_secs(4))),
    )
    .unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let connecting = thread::spawn(move || {
        let mut client = client_options(addr).connect().unwrap();
        client.send(b"ping").unwrap();
        client
    });
    let mut pending = None;
    assert!(eventually(|| {
        pending = listener.accept_tcp().ok();
        pending.is_some()
    }));
    let pending = pending.unwrap();
    assert!(!pending.socket().nonblocking().unwrap());
    let mut server = pending
        .handshake(|_| iso_tcp::AcceptDecision::Accept)
        .unwrap();
    let client = connecting.join().unwrap();
    assert!(!server.socket().nonblocking().unwrap());
    assert!(!client.socket().nonblocking().unwrap());
    assert_eq!(
        server.socket().read_timeout().unwrap(),
        Some(Duration::from_secs(4)),
        "the handshake deadline gives way to the read timeout"
    );
    assert_eq!(&server.recv().unwrap()[..], b"ping");
}

#[test]
fn every_change_of_a_timeout_reaches_the_socket() {
    let (mut client, _server) = default_pair();
    let a = Some(Duration::from_millis(700));
    let b = Some(Duration::from_millis(900));
    for (read, write) in [
        (a, b),
        (a, b),
        (b, a),
        (None, None),
        (None, a),
        (a, a),
        (a, None),
    ] {
        client.set_read_timeout(read).unwrap();
        client.set_write_timeout(write).unwrap();
        assert_eq!(socket_settings(&client), (read, write));
        assert_eq!(
            (client.read_timeout(), client.write_timeout()),
            (read, write)
        );
    }
    // Zero is raised to the shortest timeout the socket takes, yet reported as asked for.
    client.set_read_timeout(Some(Duration::ZERO)).unwrap();
    assert!(socket_settings(&client).0.is_some_and(|t| !t.is_zero()));
    assert_eq!(client.read_timeout(), Some(Duration::ZERO));
}

#[test]
fn a_shutdown_handle_wakes_a_blocked_recv_and_costs_no_descriptor() {
    let (mut client, server) = default_pair();
    let descriptors = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    // The other tests of this binary open and close sockets meanwhile: a handle that cost a
    // descriptor would show on every try, a neighbour's socket only on some.
    let costs_nothing = (0..50).any(|_| {
        let before = descriptors();
        let handles = (client.shutdown_handle(), client.shutdown_handle().clone());
        let after = descriptors();
        drop(handles);
        before == after
    });
    assert!(costs_nothing, "the handle shares the socket");
    let handle = client.shutdown_handle();
    let second = handle.clone();
    let reader = thread::spawn(move || client.recv());
    thread::sleep(Duration::from_millis(50));
    second.shutdown().unwrap();
    let result = reader.join().unwrap();
    assert!(result.is_err(), "{result:?}");
    drop((handle, server));
}
