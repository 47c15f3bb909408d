//! The client side: TCP connect, connection request, connection confirm.
//!
//! ```text
//!  client                                   server
//!    | ---- TCP connect (each address in turn) --> |
//!    | ---- CR: C1 calling, C2 called, C0 size --> |
//!    | <--- CC: dst-ref = our src-ref, C0 size --- |   or DR (Refused) / ER (Rejected)
//! ```
//!
//! The confirm is checked before the connection is handed out:
//!
//! - it must be a CC whose destination reference echoes the CR's source reference, in class 0;
//! - its TPDU size (C0) must not exceed the one asked for. A CC without C0 means 128 bytes, the
//!   ISO 8073 default; a CC with only the preferred maximum TPDU size (F0) is read as the largest
//!   standard size within it, capped at the one asked for;
//! - its TSAPs are *not* required: many devices and stacks confirm without echoing them, and they
//!   carry nothing the client needs. A CC whose TSAPs differ from the request's is accepted too
//!   (and logged at debug level).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use cotp::{ConnectionConfirm, ConnectionRequest, Parameter, Tpdu, TpduSize};
use socket2::{Domain, Protocol, Socket, Type};

use crate::connection::{Established, Role};
use crate::framing::{FrameReader, FrameWriter, ReadFailure, HANDSHAKE_FRAME_LEN};
use crate::socket_config::{self, Origin};
use crate::{ClientOptions, Connection, Error};

/// Connects to the first resolved address that accepts a TCP connection, then runs the COTP
/// handshake on it. A failed handshake is final: the next address would be the same peer.
pub(crate) fn connect(options: ClientOptions) -> Result<Connection, Error> {
    let addrs = options.remote.resolve()?;
    let mut last_error = None;
    for addr in addrs {
        match tcp_connect(addr, options.connect_timeout) {
            Ok(socket) => return handshake(socket, addr, &options),
            Err(error) => {
                tracing::debug!(%addr, %error, "tcp connect failed");
                last_error = Some(error);
            }
        }
    }
    Err(last_error.unwrap_or_else(|| Error::NoAddress {
        addr: options.remote.to_string(),
    }))
}

fn tcp_connect(addr: SocketAddr, timeout: Duration) -> Result<Socket, Error> {
    // `connect_timeout` switches the socket to non-blocking mode for the connect; a socket
    // created that way spares it one of the two mode changes.
    #[cfg(any(target_os = "android", target_os = "linux"))]
    let socket_type = Type::STREAM.nonblocking();
    #[cfg(not(any(target_os = "android", target_os = "linux")))]
    let socket_type = Type::STREAM;
    let socket = Socket::new(Domain::for_address(addr), socket_type, Some(Protocol::TCP))
        .map_err(|e| Error::io("socket", e))?;
    let timeout = timeout.max(Duration::from_millis(1));
    match socket.connect_timeout(&addr.into(), timeout) {
        Ok(()) => Ok(socket),
        Err(e) if crate::framing::is_timeout(&e) => Err(Error::ConnectTimeout { addr, timeout }),
        Err(e) => Err(Error::io("connect", e)),
    }
}

fn connection_request(options: &ClientOptions) -> ConnectionRequest {
    // C1, C2, C0: the order S7 clients use, which some devices expect.
    ConnectionRequest {
        dst_ref: 0,
        src_ref: options.source_reference,
        class_option: 0,
        parameters: vec![
            Parameter::CallingTsap(options.local_tsap.clone()),
            Parameter::CalledTsap(options.remote_tsap.clone()),
            Parameter::TpduSize(options.tpdu_size),
        ],
    }
}

fn handshake(
    socket: Socket,
    addr: SocketAddr,
    options: &ClientOptions,
) -> Result<Connection, Error> {
    socket_config::configure_stream(&socket, &options.stream, Origin::Created)?;
    let mut writer = FrameWriter::new();
    writer.encode_tpdu(&Tpdu::ConnectionRequest(connection_request(options)))?;
    writer
        .flush(&socket)
        .map_err(|failure| Error::io("write connection request", failure.error))?;
    tracing::debug!(
        peer = %addr,
        local_tsap = ?options.local_tsap,
        remote_tsap = ?options.remote_tsap,
        tpdu_size = options.tpdu_size.bytes(),
        "connection request sent"
    );

    let own_limit = options.tpdu_size.bytes().saturating_add(tpkt::HEADER_LEN);
    let mut reader = FrameReader::new(own_limit.max(HANDSHAKE_FRAME_LEN));
    let deadline = Instant::now() + options.connect_timeout;
    let frame = reader
        .next_frame_before(&socket, deadline)
        .map_err(|failure| match failure {
            ReadFailure::Framing(error) => Error::Tpkt(error),
            ReadFailure::Eof if reader.buffered() > 0 => Error::EofMidFrame {
                received: reader.buffered(),
                expected: reader.pending_frame_len().unwrap_or(tpkt::HEADER_LEN),
            },
            ReadFailure::Eof => Error::Closed,
            ReadFailure::TimedOut => Error::Timeout {
                op: "read connection confirm",
                timeout: options.connect_timeout,
            },
            ReadFailure::Io(error) => Error::io("read connection confirm", error),
        })?;
    socket_config::set_read_timeout(&socket, options.stream.read_timeout)?;

    let confirm = match Tpdu::parse(&frame)? {
        Tpdu::ConnectionConfirm(confirm) => confirm,
        Tpdu::DisconnectRequest(request) => {
            tracing::info!(peer = %addr, reason = ?request.reason, "connection refused by the peer");
            return Err(Error::Refused {
                reason: request.reason,
            });
        }
        Tpdu::Error(error) => {
            tracing::info!(peer = %addr, cause = ?error.cause, "connection request rejected by the peer");
            return Err(Error::Rejected { cause: error.cause });
        }
        other => {
            return Err(Error::UnexpectedTpdu {
                code: other.code(),
                context: "a connection confirm",
            })
        }
    };
    let tpdu_size = check_confirm(&confirm, options)?;
    if confirm
        .calling_tsap()
        .is_some_and(|t| *t != options.local_tsap)
        || confirm
            .called_tsap()
            .is_some_and(|t| *t != options.remote_tsap)
    {
        tracing::debug!(
            peer = %addr,
            calling = ?confirm.calling_tsap(),
            called = ?confirm.called_tsap(),
            "connection confirm names other tsaps than the request; accepted"
        );
    }

    let connection = Connection::new(Established {
        socket,
        peer_addr: addr,
        role: Role::Client,
        local_tsap: options.local_tsap.clone(),
        remote_tsap: options.remote_tsap.clone(),
        local_reference: options.source_reference,
        remote_reference: confirm.src_ref,
        tpdu_size,
        own_tpdu_size: options.tpdu_size,
        reader,
        writer,
        read_timeout: options.stream.read_timeout,
        write_timeout: options.stream.write_timeout,
        max_tsdu_len: options.stream.max_tsdu_len,
        max_frame_len: options.stream.max_frame_len,
    });
    tracing::info!(
        peer = %addr,
        tpdu_size = tpdu_size.bytes(),
        local_tsap = ?options.local_tsap,
        remote_tsap = ?options.remote_tsap,
        remote_reference = confirm.src_ref,
        "iso-on-tcp connection established"
    );
    Ok(connection)
}

/// Validates the CC against the CR and returns the TPDU size to use.
fn check_confirm(confirm: &ConnectionConfirm, options: &ClientOptions) -> Result<TpduSize, Error> {
    if confirm.dst_ref != options.source_reference {
        return Err(Error::InvalidConfirm {
            reason: "destination reference does not echo the request's source reference",
        });
    }
    if confirm.class_option >> 4 != 0 {
        return Err(Error::InvalidConfirm {
            reason: "protocol class is not 0",
        });
    }
    let size = confirmed_tpdu_size(confirm, options.tpdu_size)?;
    if size > options.tpdu_size {
        return Err(Error::InvalidConfirm {
            reason: "tpdu size is larger than requested",
        });
    }
    Ok(size)
}

/// The TPDU size a CC confirms: C0 if present, else the largest standard size within F0 (capped
/// at the requested one, F0 being only a preference), else the ISO 8073 default of 128.
fn confirmed_tpdu_size(
    confirm: &ConnectionConfirm,
    requested: TpduSize,
) -> Result<TpduSize, Error> {
    if let Some(size) = confirm.tpdu_size() {
        return Ok(size);
    }
    match confirm.preferred_max_tpdu_size() {
        Some(units) => {
            let bytes = usize::try_from(units)
                .unwrap_or(usize::MAX)
                .saturating_mul(128);
            TpduSize::fitting(bytes)
                .map(|size| size.min(requested))
                .ok_or(Error::InvalidConfirm {
                    reason: "preferred maximum tpdu size is below 128",
                })
        }
        None => Ok(TpduSize::S128),
    }
}
