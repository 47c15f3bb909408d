//! One test matrix, run on both front-ends: the blocking [`iso_tcp::Connection`] and (with the
//! `tokio` feature) [`iso_tcp::tokio::Connection`]. Each test is written once against the
//! [`Front`] trait; the `matrix!` macro instantiates it per front-end. The misbehaving peers
//! are the raw, hand-written ones of `common` (plain `std::net` on threads of their own):
//! servers against each front-end's client, and clients (the `server_*` tests) against its
//! server side.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    dead_code
)]

mod common;

use std::io::Write;
use std::net::{Shutdown, SocketAddr};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::*;
use iso_tcp::{ClientOptions, DisconnectReason, Error, RejectCause, ServerOptions, TpduSize, Tsap};

/// What a test needs of a connection, whatever drives it.
trait Conn: Send + 'static {
    fn send(&mut self, tsdu: &[u8]) -> Result<(), Error>;
    fn recv(&mut self) -> Result<Bytes, Error>;
    fn is_alive(&self) -> bool;
    fn is_broken(&self) -> bool;
    fn tpdu_size(&self) -> usize;
    fn local_tsap(&self) -> Tsap;
    fn remote_tsap(&self) -> Tsap;
    fn close(self) -> Result<(), Error>;
}

/// A front-end: how to connect, listen and accept.
trait Front {
    type Conn: Conn;
    type Listener: Send + 'static;
    fn connect(options: ClientOptions) -> Result<Self::Conn, Error>;
    fn bind(options: ServerOptions) -> (Self::Listener, SocketAddr);
    fn accept(listener: &Self::Listener) -> Result<Self::Conn, Error>;
}

struct Blocking;

impl Conn for iso_tcp::Connection {
    fn send(&mut self, tsdu: &[u8]) -> Result<(), Error> {
        iso_tcp::Connection::send(self, tsdu)
    }
    fn recv(&mut self) -> Result<Bytes, Error> {
        iso_tcp::Connection::recv(self)
    }
    fn is_alive(&self) -> bool {
        iso_tcp::Connection::is_alive(self)
    }
    fn is_broken(&self) -> bool {
        iso_tcp::Connection::is_broken(self)
    }
    fn tpdu_size(&self) -> usize {
        iso_tcp::Connection::tpdu_size(self)
    }
    fn local_tsap(&self) -> Tsap {
        iso_tcp::Connection::local_tsap(self).clone()
    }
    fn remote_tsap(&self) -> Tsap {
        iso_tcp::Connection::remote_tsap(self).clone()
    }
    fn close(self) -> Result<(), Error> {
        iso_tcp::Connection::close(self)
    }
}

impl Front for Blocking {
    type Conn = iso_tcp::Connection;
    type Listener = iso_tcp::Listener;
    fn connect(options: ClientOptions) -> Result<Self::Conn, Error> {
        options.connect()
    }
    fn bind(options: ServerOptions) -> (Self::Listener, SocketAddr) {
        let listener = iso_tcp::Listener::bind("127.0.0.1:0".parse().unwrap(), options).unwrap();
        let addr = listener.local_addr().unwrap();
        (listener, addr)
    }
    fn accept(listener: &Self::Listener) -> Result<Self::Conn, Error> {
        listener.accept()
    }
}

/// The blocking front-end receiving with `recv_into` into one buffer kept across calls, so
/// that every test also runs through it (the buffer starts out holding stale bytes, which
/// each call must replace).
struct BlockingInto;

struct IntoConn {
    connection: iso_tcp::Connection,
    buffer: Vec<u8>,
}

impl Conn for IntoConn {
    fn send(&mut self, tsdu: &[u8]) -> Result<(), Error> {
        self.connection.send(tsdu)
    }
    fn recv(&mut self) -> Result<Bytes, Error> {
        self.connection.recv_into(&mut self.buffer)?;
        Ok(Bytes::copy_from_slice(&self.buffer))
    }
    fn is_alive(&self) -> bool {
        self.connection.is_alive()
    }
    fn is_broken(&self) -> bool {
        self.connection.is_broken()
    }
    fn tpdu_size(&self) -> usize {
        self.connection.tpdu_size()
    }
    fn local_tsap(&self) -> Tsap {
        self.connection.local_tsap().clone()
    }
    fn remote_tsap(&self) -> Tsap {
        self.connection.remote_tsap().clone()
    }
    fn close(self) -> Result<(), Error> {
        self.connection.close()
    }
}

fn into_conn(connection: iso_tcp::Connection) -> IntoConn {
    IntoConn {
        connection,
        buffer: vec![0xEE; 3],
    }
}

impl Front for BlockingInto {
    type Conn = IntoConn;
    type Listener = iso_tcp::Listener;
    fn connect(options: ClientOptions) -> Result<Self::Conn, Error> {
        Blocking::connect(options).map(into_conn)
    }
    fn bind(options: ServerOptions) -> (Self::Listener, SocketAddr) {
        Blocking::bind(options)
    }
    fn accept(listener: &Self::Listener) -> Result<Self::Conn, Error> {
        Blocking::accept(listener).map(into_conn)
    }
}

#[cfg(feature = "tokio")]
mod tokio_front {
    use std::sync::{Arc, OnceLock};

    use super::*;

    /// One runtime for the whole test binary, with a worker thread of its own, so that any
    /// test thread can `block_on` it.
    pub fn runtime() -> Arc<::tokio::runtime::Runtime> {
        static RUNTIME: OnceLock<Arc<::tokio::runtime::Runtime>> = OnceLock::new();
        RUNTIME
            .get_or_init(|| {
                Arc::new(
                    ::tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(1)
                        .enable_all()
                        .build()
                        .unwrap(),
                )
            })
            .clone()
    }

    pub struct Tokio;

    pub struct TokioConn(pub Option<iso_tcp::tokio::Connection>);

    impl TokioConn {
        fn get(&mut self) -> &mut iso_tcp::tokio::Connection {
            self.0.as_mut().unwrap()
        }
    }

    impl Drop for TokioConn {
        fn drop(&mut self) {
            // The drop's best-effort DR needs the runtime's context.
            let _guard = runtime().enter();
            self.0.take();
        }
    }

    impl Conn for TokioConn {
        fn send(&mut self, tsdu: &[u8]) -> Result<(), Error> {
            runtime().block_on(self.get().send(tsdu))
        }
        fn recv(&mut self) -> Result<Bytes, Error> {
            runtime().block_on(self.get().recv())
        }
        fn is_alive(&self) -> bool {
            self.0.as_ref().unwrap().is_alive()
        }
        fn is_broken(&self) -> bool {
            self.0.as_ref().unwrap().is_broken()
        }
        fn tpdu_size(&self) -> usize {
            self.0.as_ref().unwrap().tpdu_size()
        }
        fn local_tsap(&self) -> Tsap {
            self.0.as_ref().unwrap().local_tsap().clone()
        }
        fn remote_tsap(&self) -> Tsap {
            self.0.as_ref().unwrap().remote_tsap().clone()
        }
        fn close(mut self) -> Result<(), Error> {
            let connection = self.0.take().unwrap();
            runtime().block_on(connection.close())
        }
    }

    impl Front for Tokio {
        type Conn = TokioConn;
        type Listener = iso_tcp::tokio::Listener;
        fn connect(options: ClientOptions) -> Result<Self::Conn, Error> {
            runtime()
                .block_on(iso_tcp::tokio::connect(options))
                .map(|c| TokioConn(Some(c)))
        }
        fn bind(options: ServerOptions) -> (Self::Listener, SocketAddr) {
            let listener = runtime()
                .block_on(iso_tcp::tokio::Listener::bind(
                    "127.0.0.1:0".parse().unwrap(),
                    options,
                ))
                .unwrap();
            let addr = listener.local_addr();
            (listener, addr)
        }
        fn accept(listener: &Self::Listener) -> Result<Self::Conn, Error> {
            runtime()
                .block_on(listener.accept())
                .map(|c| TokioConn(Some(c)))
        }
    }
}

/// A connected pair: the client of front-end `F` and the server of front-end `F`.
fn pair<F: Front>(client: ClientOptions, server: ServerOptions) -> (F::Conn, F::Conn) {
    let (listener, addr) = F::bind(server);
    let accepting = thread::spawn(move || F::accept(&listener));
    let client = F::connect(client.remote(addr)).unwrap();
    let server = accepting.join().unwrap().unwrap();
    (client, server)
}

/// A client of front-end `F` connected to a raw peer (TPDU size 1024) running `peer`.
fn client_of<F: Front>(
    options: impl FnOnce(ClientOptions) -> ClientOptions,
    peer: impl FnOnce(std::net::TcpStream) + Send + 'static,
) -> (F::Conn, thread::JoinHandle<()>) {
    let (addr, handle) = raw_server(0x0A, peer);
    let client = F::connect(options(client_options(addr).read_timeout(Some(SHORT)))).unwrap();
    (client, handle)
}

/// The server side of front-end `F` (options from `options`), accepting a raw client that
/// runs `peer` once past the handshake.
fn server_of<F: Front>(
    options: impl FnOnce(ServerOptions) -> ServerOptions,
    peer: impl FnOnce(std::net::TcpStream, u16) + Send + 'static,
) -> (F::Conn, thread::JoinHandle<()>) {
    let (listener, addr) = F::bind(options(server_options().read_timeout(Some(SHORT))));
    let client = raw_client(addr, peer);
    let server = F::accept(&listener).unwrap();
    (server, client)
}

fn assert_broken(connection: &mut impl Conn) {
    assert!(connection.is_broken());
    assert!(!connection.is_alive());
    for _ in 0..2 {
        let error = connection.recv().unwrap_err();
        assert!(matches!(error, Error::Broken { .. }), "recv: {error:?}");
    }
    let error = connection.send(b"x").unwrap_err();
    assert!(matches!(error, Error::Broken { .. }), "send: {error:?}");
}

// ---------------------------------------------------------------------------------------------
// The tests, each written once.

const SIZES: [TpduSize; 7] = [
    TpduSize::S128,
    TpduSize::S256,
    TpduSize::S512,
    TpduSize::S1024,
    TpduSize::S2048,
    TpduSize::S4096,
    TpduSize::S8192,
];

fn negotiation_matrix<F: Front>() {
    for requested in SIZES {
        for granted in SIZES {
            let (mut client, mut server) = pair::<F>(
                client_options(loopback()).tpdu_size(requested),
                server_options().max_tpdu_size(granted),
            );
            let chosen = requested.min(granted).bytes();
            assert_eq!(client.tpdu_size(), chosen, "{requested:?}/{granted:?}");
            assert_eq!(server.tpdu_size(), chosen, "{requested:?}/{granted:?}");
            assert_eq!(server.local_tsap(), client.remote_tsap());
            assert_eq!(server.remote_tsap(), client.local_tsap());
            let message = pattern(chosen + 10);
            client.send(&message).unwrap();
            assert_eq!(server.recv().unwrap(), message);
            client.close().unwrap();
            let error = server.recv().unwrap_err();
            assert!(matches!(error, Error::PeerDisconnected { .. }), "{error:?}");
        }
    }
}

fn large_segmented_messages_both_ways<F: Front>() {
    let (mut client, mut server) = pair::<F>(
        client_options(loopback()).tpdu_size(TpduSize::S128),
        server_options(),
    );
    assert_eq!(client.tpdu_size(), 128);
    let echo = thread::spawn(move || {
        while let Ok(request) = server.recv() {
            if server.send(&request).is_err() {
                break;
            }
        }
    });
    for len in [64 * 1024, 125, 126, 0, 5000] {
        let message = pattern(len);
        client.send(&message).unwrap();
        assert_eq!(client.recv().unwrap(), message, "{len} bytes");
    }
    client.close().unwrap();
    echo.join().unwrap();
}

fn frames_over_the_negotiated_size_as_real_servers_send<F: Front>() {
    let (addr, peer) = raw_server(0x07, |mut stream| {
        stream.write_all(&dt(true, &pattern(490))).unwrap();
        let _ = read_to_end(&mut stream);
    });
    let mut client = F::connect(client_options(addr).tpdu_size(TpduSize::S128)).unwrap();
    assert_eq!(client.tpdu_size(), 128);
    assert_eq!(client.recv().unwrap(), pattern(490));
    drop(client);
    peer.join().unwrap();
}

fn refused_connection_request<F: Front>() {
    let (addr, peer) = raw_peer(|mut stream| {
        let (_, src_ref) = read_cr(&mut stream);
        stream.write_all(&dr(src_ref, 7, 0x81)).unwrap();
    });
    let error = F::connect(client_options(addr)).err().unwrap();
    assert!(matches!(error, Error::Refused { .. }), "{error:?}");
    peer.join().unwrap();
}

fn garbage<F: Front>() {
    let (mut client, peer) = client_of::<F>(
        |o| o,
        |mut stream| {
            stream
                .write_all(b"\x04\x00\x00\x10garbage garbage")
                .unwrap();
            let _ = read_to_end(&mut stream);
        },
    );
    let error = client.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::UnsupportedVersion { version: 4 })
        ),
        "{error:?}"
    );
    assert_broken(&mut client);
    drop(client);
    peer.join().unwrap();
}

fn disconnect_request<F: Front>() {
    let (mut client, peer) = client_of::<F>(
        |o| o,
        |mut stream| {
            stream.write_all(&dt(true, b"bye")).unwrap();
            stream.write_all(&dr(0x0001, 0x4431, 0x80)).unwrap();
            let rest = read_to_end(&mut stream);
            assert!(rest.is_empty(), "client answered a DR with {rest:02X?}");
        },
    );
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

fn error_tpdu<F: Front>() {
    let (mut client, peer) = client_of::<F>(
        |o| o,
        |mut stream| {
            stream.write_all(&er(0x0001, 0x02)).unwrap();
            let _ = read_to_end(&mut stream);
        },
    );
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
    assert_broken(&mut client);
    drop(client);
    peer.join().unwrap();
}

fn close_mid_frame<F: Front>() {
    let (mut client, peer) = client_of::<F>(
        |o| o,
        |mut stream| {
            let whole = dt(true, &pattern(100));
            stream.write_all(&whole[..40]).unwrap();
        },
    );
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

    let (mut client, peer) = client_of::<F>(
        |o| o,
        |mut stream| {
            stream.write_all(&dt(false, b"first half")).unwrap();
        },
    );
    let error = client.recv().unwrap_err();
    assert!(
        matches!(error, Error::EofMidTsdu { received: 10 }),
        "{error:?}"
    );
    peer.join().unwrap();
}

fn stall_mid_frame_read_timeout<F: Front>() {
    let (resume_tx, resume_rx) = mpsc::channel::<()>();
    let (mut client, peer) = client_of::<F>(
        |o| o,
        move |mut stream| {
            let first = dt(true, b"AAAAAAAAAAAAAAAAAAAA");
            stream.write_all(&first[..10]).unwrap();
            resume_rx.recv().unwrap();
            // The tail of the old frame, then a whole new one: neither may come out (the
            // client may be gone already).
            let _ = stream.write_all(&first[10..]);
            let _ = stream.write_all(&dt(true, b"new frame"));
            let _ = read_to_end(&mut stream);
        },
    );
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
    thread::sleep(Duration::from_millis(50));
    assert_broken(&mut client);
    drop(client);
    peer.join().unwrap();
}

fn stall_mid_frame_receive_deadline<F: Front>() {
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (mut client, peer) = client_of::<F>(
        |o| o.read_timeout(None).receive_deadline(Some(SHORT)),
        move |mut stream| {
            // Idle first (left alone), then half a frame (cut).
            thread::sleep(SHORT * 2);
            stream.write_all(&dt(true, b"whole")).unwrap();
            stream.write_all(&dt(true, b"never finished")[..9]).unwrap();
            let _ = done_rx.recv();
        },
    );
    assert_eq!(&client.recv().unwrap()[..], b"whole");
    let started = Instant::now();
    let error = client.recv().unwrap_err();
    assert!(
        matches!(error, Error::ReceiveDeadline { received: 9, deadline, .. } if deadline == SHORT),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_broken(&mut client);
    done_tx.send(()).unwrap();
    drop(client);
    peer.join().unwrap();
}

/// How long a trickling peer keeps going unless the client hangs up first: far longer than
/// the deadline, so that a deadline that trickling defeats fails the test.
const TRICKLE_FOR: Duration = Duration::from_secs(6);

/// How often a trickling peer sends: more often than the shortest wait a socket timeout or a
/// tokio timer allows, so that every read finds something.
const TRICKLE_EVERY: Duration = Duration::from_micros(100);

/// How late past the deadline a trickling peer may still be cut (a loaded machine).
const CUT_SLACK: Duration = Duration::from_millis(1500);

/// A raw peer that sends `start`, then `piece` every `every` until the client is gone, `stop`
/// says so, or [`TRICKLE_FOR`] has passed.
fn trickle(
    start: Vec<u8>,
    piece: Vec<u8>,
    every: Duration,
    stop: mpsc::Receiver<()>,
) -> impl FnOnce(std::net::TcpStream) + Send + 'static {
    move |mut stream| {
        stream.set_nodelay(true).unwrap();
        stream.write_all(&start).unwrap();
        let started = Instant::now();
        while started.elapsed() < TRICKLE_FOR && stop.try_recv().is_err() {
            if stream.write_all(&piece).is_err() {
                return;
            }
            thread::sleep(every);
        }
    }
}

/// Asserts that `recv` on `client` fails with the receive deadline within [`CUT_SLACK`] of it.
fn assert_cut_by_the_deadline(client: &mut impl Conn, tsdu_received: usize) {
    let started = Instant::now();
    let error = client.recv().unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(
            error,
            Error::ReceiveDeadline { deadline, tsdu_received: got, .. }
                if deadline == SHORT && got == tsdu_received
        ),
        "{error:?}"
    );
    assert!(
        waited >= SHORT - Duration::from_millis(50),
        "cut early: {waited:?}"
    );
    assert!(
        waited < SHORT + CUT_SLACK,
        "a trickle kept it open for {waited:?}"
    );
    assert_broken(client);
}

fn trickle_mid_frame_receive_deadline<F: Front>() {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    // The header of the largest frame a TPKT length allows, then one byte at a time.
    let mut start = vec![0x03, 0x00, 0xFF, 0xFF, 0x02, 0xF0, 0x80];
    start.extend_from_slice(b"slow");
    let (mut client, peer) = client_of::<F>(
        |o| o.read_timeout(None).receive_deadline(Some(SHORT)),
        trickle(start, vec![0x55], TRICKLE_EVERY, stop_rx),
    );
    assert_cut_by_the_deadline(&mut client, 0);
    let _ = stop_tx.send(());
    drop(client);
    peer.join().unwrap();
}

fn fast_acks_mid_tsdu_receive_deadline<F: Front>() {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    // The first segment of a TSDU, then empty DTs without EOT ("fast acknowledges", which
    // add nothing to the TSDU) as fast as the peer can write them: a stream that never ends
    // and has bytes waiting at every read.
    let (mut client, peer) = client_of::<F>(
        |o| o.read_timeout(None).receive_deadline(Some(SHORT)),
        trickle(
            dt(false, b"first segment"),
            dt(false, &[]),
            Duration::ZERO,
            stop_rx,
        ),
    );
    assert_cut_by_the_deadline(&mut client, 13);
    let _ = stop_tx.send(());
    drop(client);
    peer.join().unwrap();
}

fn receive_deadline_runs_per_tsdu<F: Front>() {
    // A peer that keeps the next TSDU part-way sent at the end of every write, for four
    // times the deadline: each TSDU is whole well within the deadline, so nothing is cut.
    const ROUNDS: usize = 12;
    let (mut client, peer) = client_of::<F>(
        |o| o.read_timeout(None).receive_deadline(Some(SHORT)),
        |mut stream| {
            stream.set_nodelay(true).unwrap();
            let frames: Vec<Vec<u8>> = (0..=ROUNDS)
                .map(|i| dt(true, format!("tsdu {i}").as_bytes()))
                .collect();
            let all: Vec<u8> = frames.concat();
            let mut sent = 0;
            let mut whole = 0;
            for i in 0..ROUNDS {
                // Frame i finished, and frame i + 1 sent up to its middle.
                whole += frames[i].len();
                let end = whole + frames[i + 1].len() / 2;
                stream.write_all(&all[sent..end]).unwrap();
                sent = end;
                thread::sleep(SHORT / 3);
            }
            stream.write_all(&all[sent..]).unwrap();
            let _ = read_to_end(&mut stream);
        },
    );
    for i in 0..=ROUNDS {
        assert_eq!(
            client.recv().unwrap(),
            Bytes::from(format!("tsdu {i}")),
            "tsdu {i}"
        );
    }
    assert!(!client.is_broken());
    drop(client);
    peer.join().unwrap();
}

fn timeout_between_frames_and_segments_leaves_it_usable<F: Front>() {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (mut client, peer) = client_of::<F>(
        |o| o,
        move |mut stream| {
            // Nothing at all first (a timeout between whole frames), then the first segment
            // (a timeout between segments), then the rest.
            go_rx.recv().unwrap();
            stream.write_all(&dt(false, b"first ")).unwrap();
            go_rx.recv().unwrap();
            stream.write_all(&dt(true, b"second")).unwrap();
            let _ = read_to_end(&mut stream);
        },
    );
    for between in ["frames", "segments"] {
        let error = client.recv().unwrap_err();
        assert!(
            matches!(error, Error::Timeout { op: "read", .. }),
            "between {between}: {error:?}"
        );
        assert!(!client.is_broken(), "between {between}");
        assert!(client.is_alive(), "between {between}");
        go_tx.send(()).unwrap();
    }
    assert_eq!(&client.recv().unwrap()[..], b"first second");
    drop(client);
    peer.join().unwrap();
}

// The server side of each front-end against raw clients that misbehave once past the
// handshake.

fn server_garbage<F: Front>() {
    let (mut server, client) = server_of::<F>(
        |o| o,
        |mut stream, _| {
            stream
                .write_all(b"\x04\x00\x00\x10garbage garbage")
                .unwrap();
            let _ = read_to_end(&mut stream);
        },
    );
    let error = server.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::UnsupportedVersion { version: 4 })
        ),
        "{error:?}"
    );
    assert_broken(&mut server);
    drop(server);
    client.join().unwrap();
}

fn server_disconnect_request<F: Front>() {
    let (mut server, client) = server_of::<F>(
        |o| o,
        |mut stream, server_ref| {
            stream.write_all(&dt(true, b"bye")).unwrap();
            stream.write_all(&dr(server_ref, 0x0005, 0x80)).unwrap();
            let rest = read_to_end(&mut stream);
            assert!(rest.is_empty(), "server answered a DR with {rest:02X?}");
        },
    );
    assert_eq!(&server.recv().unwrap()[..], b"bye");
    let error = server.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerDisconnected {
                reason: DisconnectReason::Normal
            }
        ),
        "{error:?}"
    );
    assert_broken(&mut server);
    drop(server);
    client.join().unwrap();
}

fn server_error_tpdu<F: Front>() {
    let (mut server, client) = server_of::<F>(
        |o| o,
        |mut stream, server_ref| {
            stream.write_all(&er(server_ref, 0x01)).unwrap();
            let _ = read_to_end(&mut stream);
        },
    );
    let error = server.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerError {
                cause: RejectCause::InvalidParameterCode
            }
        ),
        "{error:?}"
    );
    assert_broken(&mut server);
    drop(server);
    client.join().unwrap();
}

fn server_close_mid_frame<F: Front>() {
    let (mut server, client) = server_of::<F>(
        |o| o,
        |mut stream, _| {
            stream.write_all(&dt(true, &pattern(100))[..40]).unwrap();
        },
    );
    let error = server.recv().unwrap_err();
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
    assert_broken(&mut server);
    client.join().unwrap();
}

fn server_stall_mid_frame<F: Front>() {
    // The read timeout strikes mid-frame.
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (mut server, client) = server_of::<F>(
        |o| o,
        move |mut stream, _| {
            stream.write_all(&dt(true, b"never finished")[..9]).unwrap();
            let _ = done_rx.recv();
        },
    );
    let error = server.recv().unwrap_err();
    assert!(
        matches!(error, Error::Timeout { op: "read", timeout } if timeout == SHORT),
        "{error:?}"
    );
    assert_broken(&mut server);
    done_tx.send(()).unwrap();
    drop(server);
    client.join().unwrap();

    // Without a read timeout, the receive deadline cuts it.
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (mut server, client) = server_of::<F>(
        |o| o.read_timeout(None).receive_deadline(Some(SHORT)),
        move |mut stream, _| {
            stream.write_all(&dt(true, b"never finished")[..9]).unwrap();
            let _ = done_rx.recv();
        },
    );
    let started = Instant::now();
    let error = server.recv().unwrap_err();
    assert!(
        matches!(error, Error::ReceiveDeadline { received: 9, deadline, .. } if deadline == SHORT),
        "{error:?}"
    );
    assert!(started.elapsed() < SHORT + CUT_SLACK);
    assert_broken(&mut server);
    done_tx.send(()).unwrap();
    drop(server);
    client.join().unwrap();
}

fn server_trickle_mid_frame_receive_deadline<F: Front>() {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let mut start = vec![0x03, 0x00, 0xFF, 0xFF, 0x02, 0xF0, 0x80];
    start.extend_from_slice(b"slow");
    let peer = trickle(start, vec![0x55], TRICKLE_EVERY, stop_rx);
    let (mut server, client) = server_of::<F>(
        |o| o.read_timeout(None).receive_deadline(Some(SHORT)),
        move |stream, _| peer(stream),
    );
    assert_cut_by_the_deadline(&mut server, 0);
    let _ = stop_tx.send(());
    drop(server);
    client.join().unwrap();
}

fn idle_timeout<F: Front>() {
    let (tx, rx) = mpsc::channel();
    let (mut client, peer) = client_of::<F>(
        |o| o.read_timeout(None).idle_timeout(Some(SHORT)),
        move |mut stream| {
            stream.write_all(&dt(true, b"one")).unwrap();
            tx.send(read_to_end(&mut stream)).unwrap();
        },
    );
    assert_eq!(&client.recv().unwrap()[..], b"one");
    let error = client.recv().unwrap_err();
    assert!(
        matches!(error, Error::IdleTimeout { timeout } if timeout == SHORT),
        "{error:?}"
    );
    assert!(client.is_broken());
    client.close().unwrap();
    let seen = rx.recv().unwrap();
    assert_eq!(seen.get(5), Some(&0x80), "a DR on close: {seen:02X?}");
    peer.join().unwrap();
}

fn liveness<F: Front>() {
    let (mut client, mut server) = pair::<F>(client_options(loopback()), server_options());
    for _ in 0..3 {
        assert!(client.is_alive());
        assert!(server.is_alive());
    }
    client.send(b"waiting").unwrap();
    assert!(eventually(|| server.is_alive()));
    assert_eq!(
        &server.recv().unwrap()[..],
        b"waiting",
        "the check consumed nothing"
    );

    let (addr, peer) = raw_server(0x0A, |stream| {
        stream.shutdown(Shutdown::Write).unwrap();
        let mut stream = stream;
        let _ = read_to_end(&mut stream);
    });
    let mut fin = F::connect(client_options(addr)).unwrap();
    assert!(eventually(|| !fin.is_alive()), "FIN not noticed");
    assert!(!fin.is_broken());
    assert!(matches!(fin.recv(), Err(Error::Closed)));
    drop(fin);
    peer.join().unwrap();
    client.close().unwrap();
}

fn close_and_drop_send_a_disconnect_request<F: Front>() {
    for close in [true, false] {
        let (tx, rx) = mpsc::channel();
        let (addr, peer) = raw_server(0x0A, move |mut stream| {
            tx.send(read_to_end(&mut stream)).unwrap();
        });
        let client = F::connect(client_options(addr)).unwrap();
        if close {
            client.close().unwrap();
        } else {
            drop(client);
        }
        let seen = rx.recv().unwrap();
        assert_eq!(
            seen,
            vec![0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x44, 0x31, 0x00, 0x01, 0x80],
            "close: {close}"
        );
        peer.join().unwrap();
    }
}

fn loopback() -> SocketAddr {
    "127.0.0.1:9".parse().unwrap()
}

macro_rules! matrix {
    ($front:ty => $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                super::$test::<$front>();
            }
        )*
    };
}

macro_rules! all_tests {
    ($front:ty) => {
        matrix!($front =>
            negotiation_matrix,
            large_segmented_messages_both_ways,
            frames_over_the_negotiated_size_as_real_servers_send,
            refused_connection_request,
            garbage,
            disconnect_request,
            error_tpdu,
            close_mid_frame,
            stall_mid_frame_read_timeout,
            stall_mid_frame_receive_deadline,
            trickle_mid_frame_receive_deadline,
            fast_acks_mid_tsdu_receive_deadline,
            receive_deadline_runs_per_tsdu,
            timeout_between_frames_and_segments_leaves_it_usable,
            server_garbage,
            server_disconnect_request,
            server_error_tpdu,
            server_close_mid_frame,
            server_stall_mid_frame,
            server_trickle_mid_frame_receive_deadline,
            idle_timeout,
            liveness,
            close_and_drop_send_a_disconnect_request,
        );
    };
}

mod blocking {
    all_tests!(crate::Blocking);
}

mod blocking_into {
    all_tests!(crate::BlockingInto);
}

#[cfg(feature = "tokio")]
mod tokio {
    all_tests!(crate::tokio_front::Tokio);
}
