//! Shared pieces of the integration tests: a hand-written raw peer (plain `std::net`, frames
//! spelled out byte by byte) and helpers for real client/server pairs on loopback.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use iso_tcp::{ClientOptions, Connection, Listener, ServerOptions};

/// Short timeouts keep the suite fast; long enough for a loaded 2-core machine.
pub const SHORT: Duration = Duration::from_millis(300);

/// Installs a test-writer subscriber once (RUST_LOG controls it).
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// Client options with short timeouts towards `addr`.
pub fn client_options(addr: SocketAddr) -> ClientOptions {
    init_tracing();
    ClientOptions::new(addr)
        .connect_timeout(Duration::from_secs(2))
        .read_timeout(Some(Duration::from_secs(5)))
        .write_timeout(Some(Duration::from_secs(5)))
}

/// Server options with short timeouts.
pub fn server_options() -> ServerOptions {
    init_tracing();
    ServerOptions::new()
        .handshake_timeout(Duration::from_secs(2))
        .read_timeout(Some(Duration::from_secs(5)))
}

/// A connected client/server pair over loopback.
pub fn pair(client: ClientOptions, server: ServerOptions) -> (Connection, Connection) {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), server).unwrap();
    let addr = listener.local_addr().unwrap();
    let accepting = thread::spawn(move || listener.accept());
    let client = client.remote(addr).connect().unwrap();
    let server = accepting.join().unwrap().unwrap();
    (client, server)
}

/// A pair with default-ish options on both sides.
pub fn default_pair() -> (Connection, Connection) {
    pair(
        client_options("127.0.0.1:9".parse().unwrap()),
        server_options(),
    )
}

// ---------------------------------------------------------------------------------------------
// Raw frames, spelled out by hand so the tests do not trust the code under test.

/// `03 00 len(2)` + payload.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(payload.len() + 4).unwrap();
    let mut out = vec![0x03, 0x00];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// One DT frame: `03 00 len | 02 F0 80|00 | data`.
pub fn dt(eot: bool, data: &[u8]) -> Vec<u8> {
    let mut payload = vec![0x02, 0xF0, if eot { 0x80 } else { 0x00 }];
    payload.extend_from_slice(data);
    frame(&payload)
}

/// The DT frames of one TSDU cut into TPDUs of `tpdu_size` bytes.
pub fn dts(tsdu: &[u8], tpdu_size: usize) -> Vec<u8> {
    let chunk = tpdu_size - 3;
    let mut out = Vec::new();
    if tsdu.is_empty() {
        return dt(true, &[]);
    }
    let count = tsdu.len().div_ceil(chunk);
    for (i, piece) in tsdu.chunks(chunk).enumerate() {
        out.extend(dt(i + 1 == count, piece));
    }
    out
}

/// A CC frame: `LI D0 dst(2) src(2) class | params`.
pub fn cc(dst_ref: u16, src_ref: u16, class: u8, params: &[u8]) -> Vec<u8> {
    let mut payload = vec![u8::try_from(6 + params.len()).unwrap(), 0xD0];
    payload.extend_from_slice(&dst_ref.to_be_bytes());
    payload.extend_from_slice(&src_ref.to_be_bytes());
    payload.push(class);
    payload.extend_from_slice(params);
    frame(&payload)
}

/// A CR frame: `LI E0 0000 src(2) 00 | params`.
pub fn cr(src_ref: u16, params: &[u8]) -> Vec<u8> {
    let mut payload = vec![u8::try_from(6 + params.len()).unwrap(), 0xE0, 0x00, 0x00];
    payload.extend_from_slice(&src_ref.to_be_bytes());
    payload.push(0x00);
    payload.extend_from_slice(params);
    frame(&payload)
}

/// A DR frame: `06 80 dst(2) src(2) reason`.
pub fn dr(dst_ref: u16, src_ref: u16, reason: u8) -> Vec<u8> {
    let mut payload = vec![0x06, 0x80];
    payload.extend_from_slice(&dst_ref.to_be_bytes());
    payload.extend_from_slice(&src_ref.to_be_bytes());
    payload.push(reason);
    frame(&payload)
}

/// An ER frame: `04 70 dst(2) cause`.
pub fn er(dst_ref: u16, cause: u8) -> Vec<u8> {
    let mut payload = vec![0x04, 0x70];
    payload.extend_from_slice(&dst_ref.to_be_bytes());
    payload.push(cause);
    frame(&payload)
}

/// A DR (reason 0x85, protocol error) with 200 bytes of additional information (parameter
/// E0): a 213-byte frame, longer than a 128-byte TPDU, that must still read as a DR.
pub fn long_dr() -> Vec<u8> {
    let mut payload = vec![6 + 2 + 200, 0x80, 0x00, 0x01, 0x44, 0x31, 0x85, 0xE0, 200];
    payload.extend_from_slice(&[0x21; 200]);
    frame(&payload)
}

/// Reads one whole TPKT frame (header included) from a raw stream.
pub fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).unwrap();
    assert_eq!(header[0], 3, "tpkt version");
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    let mut out = header.to_vec();
    out.resize(len, 0);
    stream.read_exact(&mut out[4..]).unwrap();
    out
}

/// Reads the client's CR and returns (frame, src-ref).
pub fn read_cr(stream: &mut TcpStream) -> (Vec<u8>, u16) {
    let cr = read_frame(stream);
    assert_eq!(cr[5], 0xE0, "expected a CR, got {cr:02X?}");
    let src_ref = u16::from_be_bytes([cr[8], cr[9]]);
    (cr, src_ref)
}

/// The parameters (`code len value`) of a CR or CC frame, in order.
pub fn params_of(cr_or_cc: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let li = usize::from(cr_or_cc[4]);
    let mut rest = &cr_or_cc[11..5 + li];
    let mut out = Vec::new();
    while let [code, len, tail @ ..] = rest {
        let len = usize::from(*len);
        out.push((*code, tail[..len].to_vec()));
        rest = &tail[len..];
    }
    out
}

/// A raw peer on 127.0.0.1:0 running `peer` on the one connection it accepts.
pub fn raw_peer<F>(peer: F) -> (SocketAddr, JoinHandle<()>)
where
    F: FnOnce(TcpStream) + Send + 'static,
{
    init_tracing();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        peer(stream);
    });
    (addr, handle)
}

/// The connection reference [`raw_server`] puts in its CC.
pub const RAW_SERVER_REF: u16 = 0x4431;

/// The connection reference [`raw_client`] puts in its CR.
pub const RAW_CLIENT_REF: u16 = 0x0005;

/// A raw peer that confirms the CR with TPDU size code `size_code` (and both TSAPs echoed),
/// then runs `peer`.
pub fn raw_server<F>(size_code: u8, peer: F) -> (SocketAddr, JoinHandle<()>)
where
    F: FnOnce(TcpStream) + Send + 'static,
{
    raw_server_with_client_ref(size_code, move |stream, _| peer(stream))
}

/// [`raw_server`], whose `peer` also gets the client's connection reference (the source
/// reference of its CR), for the DR and ER frames it sends.
pub fn raw_server_with_client_ref<F>(size_code: u8, peer: F) -> (SocketAddr, JoinHandle<()>)
where
    F: FnOnce(TcpStream, u16) + Send + 'static,
{
    raw_peer(move |mut stream| {
        let (_, client_ref) = read_cr(&mut stream);
        let params = [
            0xC0, 0x01, size_code, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02,
        ];
        stream
            .write_all(&cc(client_ref, RAW_SERVER_REF, 0x00, &params))
            .unwrap();
        peer(stream, client_ref);
    })
}

/// A raw client on a thread of its own: connects to `addr`, sends a CR (TPDU size 1024, both
/// TSAPs), reads the CC, then runs `peer` with the server's connection reference.
pub fn raw_client<F>(addr: SocketAddr, peer: F) -> JoinHandle<()>
where
    F: FnOnce(TcpStream, u16) + Send + 'static,
{
    init_tracing();
    thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        let params = [
            0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02,
        ];
        stream.write_all(&cr(RAW_CLIENT_REF, &params)).unwrap();
        let confirm = read_frame(&mut stream);
        assert_eq!(confirm[5], 0xD0, "expected a CC, got {confirm:02X?}");
        let server_ref = u16::from_be_bytes([confirm[8], confirm[9]]);
        peer(stream, server_ref);
    })
}

/// Polls `condition` every 5 ms until it holds or 3 s pass; returns whether it held.
pub fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    condition()
}

/// Reads from a raw stream until EOF (or a reset, or 3 s), returning everything read.
pub fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    out
}

/// Deterministic test data.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect()
}
