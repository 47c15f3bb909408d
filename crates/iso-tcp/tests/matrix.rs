//! One test matrix, run on both front-ends: the blocking [`iso_tcp::Connection`] and (with the
//! `tokio` feature) [`iso_tcp::tokio::Connection`]. Each test is written once against the
//! [`Front`] trait; the `matrix!` macro instantiates it per front-end. The misbehaving peers
//! are the raw, hand-written ones of `common` (plain `std::net` on threads of their own), and
//! each scenario with one is written once for either [`Role`] and run in both: a raw server
//! against each front-end's client (tests `<front-end>::client::*`) and a raw client against
//! its server side (`<front-end>::server::*`).

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

/// Which end of the connection the front-end under test plays; a raw peer plays the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Client,
    Server,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
        }
    }
}

/// The connection references of both ends, as the raw peer puts them in its DR and ER frames
/// (destination: the front-end's) and expects them in the front-end's DR.
#[derive(Clone, Copy, Debug)]
struct Refs {
    front: u16,
    raw: u16,
}

/// The timeouts a scenario gives the front-end's end, whichever role it plays.
#[derive(Clone, Copy, Debug)]
struct Timeouts {
    read: Option<Duration>,
    receive_deadline: Option<Duration>,
    idle: Option<Duration>,
}

impl Timeouts {
    /// A read timeout of [`SHORT`], nothing else.
    const READ: Self = Self {
        read: Some(SHORT),
        receive_deadline: None,
        idle: None,
    };
    /// A receive deadline of [`SHORT`] and no read timeout, so that only the deadline cuts.
    const DEADLINE: Self = Self {
        read: None,
        receive_deadline: Some(SHORT),
        idle: None,
    };
    /// An idle timeout of [`SHORT`] and no read timeout, so that only the idle timeout cuts.
    const IDLE: Self = Self {
        read: None,
        receive_deadline: None,
        idle: Some(SHORT),
    };

    fn client(self, options: ClientOptions) -> ClientOptions {
        options
            .read_timeout(self.read)
            .receive_deadline(self.receive_deadline)
            .idle_timeout(self.idle)
    }

    fn server(self, options: ServerOptions) -> ServerOptions {
        options
            .read_timeout(self.read)
            .receive_deadline(self.receive_deadline)
            .idle_timeout(self.idle)
    }
}

/// The end of front-end `F` in `role` (with `timeouts`), connected to a raw peer (TPDU size
/// 1024) on a thread of its own that runs `peer` once past the handshake: a raw server
/// against `F`'s client, a raw client against `F`'s server side.
fn with_raw_peer<F: Front>(
    role: Role,
    timeouts: Timeouts,
    peer: impl FnOnce(std::net::TcpStream, Refs) + Send + 'static,
) -> (F::Conn, thread::JoinHandle<()>) {
    match role {
        Role::Client => {
            let (addr, handle) = raw_server_with_client_ref(0x0A, move |stream, client_ref| {
                let refs = Refs {
                    front: client_ref,
                    raw: RAW_SERVER_REF,
                };
                peer(stream, refs);
            });
            let client = F::connect(timeouts.client(client_options(addr))).unwrap();
            (client, handle)
        }
        Role::Server => {
            let (listener, addr) = F::bind(timeouts.server(server_options()));
            let handle = raw_client(addr, move |stream, server_ref| {
                let refs = Refs {
                    front: server_ref,
                    raw: RAW_CLIENT_REF,
                };
                peer(stream, refs);
            });
            let server = F::accept(&listener).unwrap();
            (server, handle)
        }
    }
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
// The tests, each written once: per front-end, and the misbehaving-peer ones per role too.

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

fn garbage<F: Front>(role: Role) {
    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::READ, |mut stream, _| {
        stream
            .write_all(b"\x04\x00\x00\x10garbage garbage")
            .unwrap();
        let _ = read_to_end(&mut stream);
    });
    let error = front.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tpkt(tpkt::Error::UnsupportedVersion { version: 4 })
        ),
        "{error:?}"
    );
    assert_broken(&mut front);
    drop(front);
    peer.join().unwrap();
}

fn disconnect_request<F: Front>(role: Role) {
    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::READ, move |mut stream, refs| {
        stream.write_all(&dt(true, b"bye")).unwrap();
        stream.write_all(&dr(refs.front, refs.raw, 0x80)).unwrap();
        let rest = read_to_end(&mut stream);
        assert!(
            rest.is_empty(),
            "the {} answered a DR with {rest:02X?}",
            role.name()
        );
    });
    assert_eq!(&front.recv().unwrap()[..], b"bye");
    let error = front.recv().unwrap_err();
    assert!(
        matches!(
            error,
            Error::PeerDisconnected {
                reason: DisconnectReason::Normal
            }
        ),
        "{error:?}"
    );
    assert_broken(&mut front);
    drop(front);
    peer.join().unwrap();
}

fn error_tpdu<F: Front>(role: Role) {
    for (code, cause) in [
        (0x01, RejectCause::InvalidParameterCode),
        (0x02, RejectCause::InvalidTpduType),
    ] {
        let (mut front, peer) =
            with_raw_peer::<F>(role, Timeouts::READ, move |mut stream, refs| {
                stream.write_all(&er(refs.front, code)).unwrap();
                let _ = read_to_end(&mut stream);
            });
        let error = front.recv().unwrap_err();
        assert!(
            matches!(error, Error::PeerError { cause: got } if got == cause),
            "{error:?}"
        );
        assert_broken(&mut front);
        drop(front);
        peer.join().unwrap();
    }
}

fn close_mid_frame<F: Front>(role: Role) {
    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::READ, |mut stream, _| {
        let whole = dt(true, &pattern(100));
        stream.write_all(&whole[..40]).unwrap();
    });
    let error = front.recv().unwrap_err();
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
    assert_broken(&mut front);
    peer.join().unwrap();

    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::READ, |mut stream, _| {
        stream.write_all(&dt(false, b"first half")).unwrap();
    });
    let error = front.recv().unwrap_err();
    assert!(
        matches!(error, Error::EofMidTsdu { received: 10 }),
        "{error:?}"
    );
    peer.join().unwrap();
}

fn stall_mid_frame_read_timeout<F: Front>(role: Role) {
    let (resume_tx, resume_rx) = mpsc::channel::<()>();
    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::READ, move |mut stream, _| {
        let first = dt(true, b"AAAAAAAAAAAAAAAAAAAA");
        stream.write_all(&first[..10]).unwrap();
        resume_rx.recv().unwrap();
        // The tail of the old frame, then a whole new one: neither may come out (the
        // front-end's end may be gone already).
        let _ = stream.write_all(&first[10..]);
        let _ = stream.write_all(&dt(true, b"new frame"));
        let _ = read_to_end(&mut stream);
    });
    let error = front.recv().unwrap_err();
    assert!(
        matches!(error, Error::Timeout { op: "read", timeout } if timeout == SHORT),
        "{error:?}"
    );
    assert!(
        front.is_broken(),
        "a timeout mid-frame breaks the connection"
    );
    resume_tx.send(()).unwrap();
    thread::sleep(Duration::from_millis(50));
    assert_broken(&mut front);
    drop(front);
    peer.join().unwrap();
}

fn stall_mid_frame_receive_deadline<F: Front>(role: Role) {
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::DEADLINE, move |mut stream, _| {
        // Idle first (left alone), then half a frame (cut).
        thread::sleep(SHORT * 2);
        stream.write_all(&dt(true, b"whole")).unwrap();
        stream.write_all(&dt(true, b"never finished")[..9]).unwrap();
        let _ = done_rx.recv();
    });
    assert_eq!(&front.recv().unwrap()[..], b"whole");
    let started = Instant::now();
    let error = front.recv().unwrap_err();
    assert!(
        matches!(error, Error::ReceiveDeadline { received: 9, deadline, .. } if deadline == SHORT),
        "{error:?}"
    );
    assert!(started.elapsed() < SHORT + CUT_SLACK);
    assert_broken(&mut front);
    done_tx.send(()).unwrap();
    drop(front);
    peer.join().unwrap();
}

/// How long a trickling peer keeps going unless the front-end hangs up first: far longer than
/// the deadline, so that a deadline that trickling defeats fails the test.
const TRICKLE_FOR: Duration = Duration::from_secs(6);

/// How often a trickling peer sends: more often than the shortest wait a socket timeout or a
/// tokio timer allows, so that every read finds something.
const TRICKLE_EVERY: Duration = Duration::from_micros(100);

/// How late past the deadline a stalled or trickling peer may still be cut (a loaded machine).
const CUT_SLACK: Duration = Duration::from_millis(1500);

/// A raw peer that sends `start`, then `piece` every `every` until the front-end is gone,
/// `stop` says so, or [`TRICKLE_FOR`] has passed.
fn trickle(
    start: Vec<u8>,
    piece: Vec<u8>,
    every: Duration,
    stop: mpsc::Receiver<()>,
) -> impl FnOnce(std::net::TcpStream, Refs) + Send + 'static {
    move |mut stream, _| {
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

/// Asserts that `recv` on `front` fails with the receive deadline within [`CUT_SLACK`] of it.
fn assert_cut_by_the_deadline(front: &mut impl Conn, tsdu_received: usize) {
    let started = Instant::now();
    let error = front.recv().unwrap_err();
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
    assert_broken(front);
}

fn trickle_mid_frame_receive_deadline<F: Front>(role: Role) {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    // The header of the largest frame a TPKT length allows, then one byte at a time.
    let mut start = vec![0x03, 0x00, 0xFF, 0xFF, 0x02, 0xF0, 0x80];
    start.extend_from_slice(b"slow");
    let (mut front, peer) = with_raw_peer::<F>(
        role,
        Timeouts::DEADLINE,
        trickle(start, vec![0x55], TRICKLE_EVERY, stop_rx),
    );
    assert_cut_by_the_deadline(&mut front, 0);
    let _ = stop_tx.send(());
    drop(front);
    peer.join().unwrap();
}

fn fast_acks_mid_tsdu_receive_deadline<F: Front>(role: Role) {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    // The first segment of a TSDU, then empty DTs without EOT ("fast acknowledges", which
    // add nothing to the TSDU) as fast as the peer can write them: a stream that never ends
    // and has bytes waiting at every read.
    let (mut front, peer) = with_raw_peer::<F>(
        role,
        Timeouts::DEADLINE,
        trickle(
            dt(false, b"first segment"),
            dt(false, &[]),
            Duration::ZERO,
            stop_rx,
        ),
    );
    assert_cut_by_the_deadline(&mut front, 13);
    let _ = stop_tx.send(());
    drop(front);
    peer.join().unwrap();
}

fn receive_deadline_runs_per_tsdu<F: Front>(role: Role) {
    // A peer that keeps the next TSDU part-way sent at the end of every write, for four
    // times the deadline: each TSDU is whole well within the deadline, so nothing is cut.
    const ROUNDS: usize = 12;
    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::DEADLINE, |mut stream, _| {
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
    });
    for i in 0..=ROUNDS {
        assert_eq!(
            front.recv().unwrap(),
            Bytes::from(format!("tsdu {i}")),
            "tsdu {i}"
        );
    }
    assert!(!front.is_broken());
    drop(front);
    peer.join().unwrap();
}

fn timeout_between_frames_and_segments_leaves_it_usable<F: Front>(role: Role) {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::READ, move |mut stream, _| {
        // Nothing at all first (a timeout between whole frames), then the first segment
        // (a timeout between segments), then the rest.
        go_rx.recv().unwrap();
        stream.write_all(&dt(false, b"first ")).unwrap();
        go_rx.recv().unwrap();
        stream.write_all(&dt(true, b"second")).unwrap();
        let _ = read_to_end(&mut stream);
    });
    for between in ["frames", "segments"] {
        let error = front.recv().unwrap_err();
        assert!(
            matches!(error, Error::Timeout { op: "read", .. }),
            "between {between}: {error:?}"
        );
        assert!(!front.is_broken(), "between {between}");
        assert!(front.is_alive(), "between {between}");
        go_tx.send(()).unwrap();
    }
    assert_eq!(&front.recv().unwrap()[..], b"first second");
    drop(front);
    peer.join().unwrap();
}

fn idle_timeout<F: Front>(role: Role) {
    let (tx, rx) = mpsc::channel();
    let (mut front, peer) = with_raw_peer::<F>(role, Timeouts::IDLE, move |mut stream, _| {
        stream.write_all(&dt(true, b"one")).unwrap();
        tx.send(read_to_end(&mut stream)).unwrap();
    });
    assert_eq!(&front.recv().unwrap()[..], b"one");
    let error = front.recv().unwrap_err();
    assert!(
        matches!(error, Error::IdleTimeout { timeout } if timeout == SHORT),
        "{error:?}"
    );
    assert!(front.is_broken());
    front.close().unwrap();
    let seen = rx.recv().unwrap();
    assert_eq!(seen.get(5), Some(&0x80), "a DR on close: {seen:02X?}");
    peer.join().unwrap();
}

fn close_and_drop_send_a_disconnect_request<F: Front>(role: Role) {
    for close in [true, false] {
        let (tx, rx) = mpsc::channel();
        let (front, peer) = with_raw_peer::<F>(role, Timeouts::READ, move |mut stream, refs| {
            tx.send((read_to_end(&mut stream), refs)).unwrap();
        });
        if close {
            front.close().unwrap();
        } else {
            drop(front);
        }
        let (seen, refs) = rx.recv().unwrap();
        // A normal DR from the front-end's reference to the peer's.
        assert_eq!(seen, dr(refs.raw, refs.front, 0x80), "close: {close}");
        if role == Role::Client {
            assert_eq!(
                seen,
                vec![0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x44, 0x31, 0x00, 0x01, 0x80],
                "close: {close}, with the default source reference"
            );
        }
        peer.join().unwrap();
    }
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

fn loopback() -> SocketAddr {
    "127.0.0.1:9".parse().unwrap()
}

/// One `#[test]` per scenario, for front-end `$front` (and, with `as $role`, in that role).
macro_rules! matrix {
    ($front:ty => $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                crate::$test::<$front>();
            }
        )*
    };
    ($front:ty as $role:ident => $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                crate::$test::<$front>(crate::Role::$role);
            }
        )*
    };
}

/// The scenarios against a misbehaving raw peer, for `$front` in role `$role`.
macro_rules! per_role {
    ($front:ty as $role:ident) => {
        matrix!($front as $role =>
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
            idle_timeout,
            close_and_drop_send_a_disconnect_request,
        );
    };
}

/// Every scenario for front-end `$front`; the role-generic ones once in module `client` (the
/// front-end's client against a raw server) and once in module `server` (its server side
/// against a raw client).
macro_rules! all_tests {
    ($front:ty) => {
        matrix!($front =>
            negotiation_matrix,
            large_segmented_messages_both_ways,
            frames_over_the_negotiated_size_as_real_servers_send,
            refused_connection_request,
            liveness,
        );

        mod client {
            per_role!($front as Client);
        }

        mod server {
            per_role!($front as Server);
        }
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
