//! The raw floor: plain `std::net` TCP with `TCP_NODELAY`, one read and one write per message.
//!
//! Each request says how long it is and how long its answer must be, so one server serves
//! every byte count the stack's benches use (a 31-byte read request and its 29-byte answer, a
//! 47-byte handshake and its 49-byte answer, ...):
//!
//! ```text
//!  0        2        4
//! +--------+--------+----------------------------+
//! | answer | request| filler up to request length|
//! | length | length |                            |
//! +--------+--------+----------------------------+
//!   u16 BE   u16 BE
//! ```
//!
//! The server does what a bare echo server does and nothing more: read, look at four
//! bytes, write the answer from a buffer it keeps.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::Error;

/// Bytes of the length prefix every raw request starts with.
pub const RAW_PREFIX_LEN: usize = 4;

/// Largest answer (the length travels as `u16`).
pub const RAW_MAX_LEN: usize = 65_535;

/// Largest request: the benches send at most a few dozen bytes, and a small read buffer
/// keeps the floor server's memory per connection honest.
pub const RAW_MAX_REQUEST: usize = 4096;

/// A raw request of `len` bytes asking for `answer_len` bytes back.
///
/// # Errors
/// [`Error::Unexpected`] if `len` is outside [`RAW_PREFIX_LEN`]..=[`RAW_MAX_REQUEST`] or
/// `answer_len` exceeds [`RAW_MAX_LEN`].
pub fn raw_request(len: usize, answer_len: usize) -> Result<Vec<u8>, Error> {
    let too_long = |what: &str, n: usize| Error::unexpected(format!("raw {what} of {n} bytes"));
    let request_len = u16::try_from(len).map_err(|_| too_long("request", len))?;
    let answer = u16::try_from(answer_len).map_err(|_| too_long("answer", answer_len))?;
    if !(RAW_PREFIX_LEN..=RAW_MAX_REQUEST).contains(&len) {
        return Err(too_long("request", len));
    }
    let mut request = vec![0x5A; len];
    if let Some(prefix) = request.get_mut(..RAW_PREFIX_LEN) {
        prefix[..2].copy_from_slice(&answer.to_be_bytes());
        prefix[2..].copy_from_slice(&request_len.to_be_bytes());
    }
    Ok(request)
}

/// How the raw server serves its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serve {
    /// Each connection on the accepting thread, one after the other: the cheapest way to
    /// serve a short connection, so the floor for connection setup.
    Inline,
    /// Each connection on a thread of its own, so many clients are served at once.
    ThreadPerConnection,
}

/// A raw TCP server on an ephemeral loopback port; stops (and joins its accept thread) on
/// drop.
#[derive(Debug)]
pub struct RawServer {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl RawServer {
    /// Starts the server on 127.0.0.1. With `cpu`, its accept thread (and so every
    /// connection thread it spawns) is pinned there.
    ///
    /// # Errors
    /// [`Error::Io`] if the listener cannot be bound, [`Error::Pin`] if pinning fails.
    pub fn start(serve: Serve, cpu: Option<usize>) -> Result<Self, Error> {
        Self::start_on(Ipv4Addr::LOCALHOST, serve, cpu)
    }

    /// Like [`RawServer::start`], listening on the loopback address `ip`.
    ///
    /// # Errors
    /// As [`RawServer::start`].
    pub fn start_on(ip: Ipv4Addr, serve: Serve, cpu: Option<usize>) -> Result<Self, Error> {
        let listener = bind_listener(SocketAddr::from((ip, 0)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("raw server address", e))?;
        let stopping = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let stop = Arc::clone(&stopping);
        let acceptor = std::thread::Builder::new()
            .name("raw-accept".into())
            .spawn(move || {
                let pinned = cpu.map_or(Ok(()), crate::pin_current_thread);
                let ok = pinned.is_ok();
                let _ = ready_tx.send(pinned);
                if ok {
                    accept_loop(&listener, serve, &stop);
                }
            })
            .map_err(|e| Error::io("spawn raw server", e))?;
        let mut server = RawServer {
            addr,
            stopping,
            acceptor: Some(acceptor),
        };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(server),
            Ok(Err(error)) => Err(error),
            Err(_) => {
                server.acceptor.take();
                Err(Error::unexpected("raw server thread ended before starting"))
            }
        }
    }

    /// The address clients connect to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Listen backlog: as deep as the mock's, so a thousand clients connecting at once are not
/// dropped by the floor (std's listener asks for 128).
const BACKLOG: i32 = 1024;

fn bind_listener(addr: SocketAddr) -> Result<TcpListener, Error> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .map_err(|e| Error::io("raw server socket", e))?;
    socket
        .bind(&addr.into())
        .map_err(|e| Error::io("raw server bind", e))?;
    socket
        .listen(BACKLOG)
        .map_err(|e| Error::io("raw server listen", e))?;
    Ok(socket.into())
}

fn accept_loop(listener: &TcpListener, serve: Serve, stopping: &AtomicBool) {
    // Inline connections share one buffer, so a connection costs no allocation.
    let mut inline_buf = Vec::new();
    for stream in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        match serve {
            Serve::Inline => serve_connection(stream, &mut inline_buf),
            Serve::ThreadPerConnection => {
                let spawned = std::thread::Builder::new()
                    .name("raw-conn".into())
                    .stack_size(CONNECTION_STACK)
                    .spawn(move || serve_connection(stream, &mut Vec::new()));
                drop(spawned);
            }
        }
    }
}

/// Stack of a connection thread: the loop needs next to nothing, and a thousand clients
/// should not reserve gigabytes.
const CONNECTION_STACK: usize = 128 * 1024;

/// Every answer is a prefix of this.
static ANSWER: [u8; RAW_MAX_LEN] = [0xA5; RAW_MAX_LEN];

/// Serves raw requests until the peer closes the connection or anything fails; `buf` is the
/// read buffer (sized to two requests on first use).
pub fn serve_connection(mut stream: TcpStream, buf: &mut Vec<u8>) {
    if stream.set_nodelay(true).is_err() {
        return;
    }
    buf.resize(2 * RAW_MAX_REQUEST, 0);
    let mut filled = 0_usize;
    loop {
        // Every whole request buffered is answered before reading again.
        while let Some((request_len, answer_len)) = whole_request(buf.get(..filled)) {
            let Some(reply) = ANSWER.get(..answer_len) else {
                return;
            };
            if stream.write_all(reply).is_err() {
                return;
            }
            buf.copy_within(request_len..filled, 0);
            filled = filled.saturating_sub(request_len);
        }
        let Some(spare) = buf.get_mut(filled..) else {
            return;
        };
        match stream.read(spare) {
            Ok(0) | Err(_) => return,
            Ok(n) => filled = filled.saturating_add(n),
        }
    }
}

/// The request and answer lengths of the request at the start of `buf`, when all of it is
/// there.
fn whole_request(buf: Option<&[u8]>) -> Option<(usize, usize)> {
    let &[a0, a1, r0, r1] = buf?.first_chunk::<RAW_PREFIX_LEN>()?;
    let request_len = usize::from(u16::from_be_bytes([r0, r1])).max(RAW_PREFIX_LEN);
    let answer_len = usize::from(u16::from_be_bytes([a0, a1]));
    (buf?.len() >= request_len).then_some((request_len, answer_len))
}

/// A raw TCP client: writes a request, reads the whole answer.
#[derive(Debug)]
pub struct RawClient {
    stream: TcpStream,
    buf: [u8; CLIENT_READ_CHUNK],
}

impl RawClient {
    /// Connects with `TCP_NODELAY`.
    ///
    /// # Errors
    /// [`Error::Io`] if the connection fails.
    pub fn connect(addr: SocketAddr) -> Result<Self, Error> {
        let stream = TcpStream::connect(addr).map_err(|e| Error::io("raw connect", e))?;
        Self::from_stream(stream)
    }

    /// Wraps a connected stream, setting `TCP_NODELAY`.
    ///
    /// # Errors
    /// [`Error::Io`] if the option cannot be set.
    pub fn from_stream(stream: TcpStream) -> Result<Self, Error> {
        stream
            .set_nodelay(true)
            .map_err(|e| Error::io("raw nodelay", e))?;
        Ok(RawClient {
            stream,
            buf: [0; CLIENT_READ_CHUNK],
        })
    }

    /// Sends `request` (from [`raw_request`]) and reads its `answer_len`-byte answer.
    ///
    /// # Errors
    /// [`Error::Io`] if a write or read fails, [`Error::Unexpected`] if the server closes
    /// early.
    pub fn round_trip(&mut self, request: &[u8], answer_len: usize) -> Result<(), Error> {
        self.stream
            .write_all(request)
            .map_err(|e| Error::io("raw write", e))?;
        let mut got = 0;
        while got < answer_len {
            let want = answer_len.saturating_sub(got).min(CLIENT_READ_CHUNK);
            let Some(spare) = self.buf.get_mut(..want) else {
                return Err(Error::unexpected("raw read chunk outside the buffer"));
            };
            match self.stream.read(spare) {
                Ok(0) => return Err(Error::unexpected("raw server closed mid-answer")),
                Ok(n) => got = got.saturating_add(n),
                Err(e) => return Err(Error::io("raw read", e)),
            }
        }
        Ok(())
    }

    /// Closes the connection (both directions).
    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// The client's read buffer: answers are read through it and dropped, so it need not hold a
/// whole one; kept inline so a connection allocates nothing.
const CLIENT_READ_CHUNK: usize = 4096;
