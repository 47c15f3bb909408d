//! Applying [`StreamOptions`] to a connected socket.
//!
//! Each option is set with one system call at most: connection setup is dominated by system
//! calls, not by the bytes exchanged, so nothing is set twice and nothing is set to the value a
//! socket is known to hold already.

use std::time::Duration;

use socket2::Socket;

use crate::options::{Keepalive, StreamOptions};
use crate::Error;

/// Where a socket came from, which decides what it is known to hold before it is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Created by this crate for an outgoing connection: every option is at the system
    /// default (no keepalive, no `TCP_NODELAY`, no timeouts), so a setting equal to the
    /// default needs no call.
    Created,
    /// Returned by `accept`: it may have inherited options from the listening socket, which
    /// the application can change through [`Listener::socket`](crate::Listener::socket), so
    /// every setting is applied.
    Accepted,
}

/// Whether a socket returned by `accept` starts with the listening socket's options: Linux
/// clones the listener's socket for each connection, `TCP_NODELAY`, keepalive and its tuning
/// and the timeouts included, so a listener configured once spares every accept the calls
/// (six of them with the defaults, a good part of what accepting a connection costs).
pub(crate) const ACCEPT_INHERITS_OPTIONS: bool =
    cfg!(any(target_os = "linux", target_os = "android"));

/// The socket layer reads a zero timeout as "no timeout at all", so a zero (or sub-microsecond)
/// duration is raised to the smallest one it can represent.
pub(crate) fn socket_timeout(timeout: Option<Duration>) -> Option<Duration> {
    timeout.map(|t| t.max(Duration::from_micros(1)))
}

/// Sets the read timeout (`SO_RCVTIMEO`).
pub(crate) fn set_read_timeout(socket: &Socket, timeout: Option<Duration>) -> Result<(), Error> {
    socket
        .set_read_timeout(socket_timeout(timeout))
        .map_err(|e| Error::io("set read timeout", e))
}

/// Sets the write timeout (`SO_SNDTIMEO`).
pub(crate) fn set_write_timeout(socket: &Socket, timeout: Option<Duration>) -> Result<(), Error> {
    socket
        .set_write_timeout(socket_timeout(timeout))
        .map_err(|e| Error::io("set write timeout", e))
}

/// Applies `TCP_NODELAY`, keepalive and the write timeout. Refusals of tuning values are logged
/// and tolerated; failing to set the timeout is an error, since the caller relies on it.
///
/// The read timeout is left to the handshake, which bounds its reads by its own deadline
/// first and sets the connection's read timeout once it is done.
pub(crate) fn configure_stream(
    socket: &Socket,
    options: &StreamOptions,
    origin: Origin,
) -> Result<(), Error> {
    let at_defaults = origin == Origin::Created;
    if options.nodelay || !at_defaults {
        if let Err(error) = socket.set_tcp_nodelay(options.nodelay) {
            tracing::warn!(%error, nodelay = options.nodelay, "cannot set TCP_NODELAY");
        }
    }
    match &options.keepalive {
        Some(keepalive) => apply_keepalive(socket, keepalive),
        None if at_defaults => {}
        None => {
            if let Err(error) = socket.set_keepalive(false) {
                tracing::warn!(%error, "cannot turn SO_KEEPALIVE off");
            }
        }
    }
    if options.write_timeout.is_some() || !at_defaults {
        set_write_timeout(socket, options.write_timeout)?;
    }
    Ok(())
}

/// Turns keepalive on and tunes it. The usual case takes one call, which sets `SO_KEEPALIVE`
/// and each tuning value once; only if the platform refuses something are the values set one
/// by one, so that a refused one is named in the log and does not keep the others from being
/// applied.
fn apply_keepalive(socket: &Socket, keepalive: &Keepalive) {
    match socket.set_tcp_keepalive(&platform::tunable(keepalive)) {
        Ok(()) => {}
        Err(error) => {
            tracing::debug!(%error, "keepalive settings refused together; applying them one by one");
            if let Err(on_error) = socket.set_keepalive(true) {
                tracing::warn!(error = %on_error, "cannot turn SO_KEEPALIVE on");
                return;
            }
            platform::apply_one_by_one(socket, keepalive, &error);
        }
    }
    platform::warn_untunable(keepalive);
}

/// Platforms where idle time, interval and probe count can each be set on their own.
#[cfg(any(
    target_os = "android",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "illumos",
    target_os = "ios",
    target_os = "linux",
    target_os = "macos",
    target_os = "netbsd",
))]
mod platform {
    use std::io;

    use socket2::{Socket, TcpKeepalive};

    use crate::options::Keepalive;

    pub(super) fn tunable(keepalive: &Keepalive) -> TcpKeepalive {
        TcpKeepalive::new()
            .with_time(keepalive.idle)
            .with_interval(keepalive.interval)
            .with_retries(keepalive.retries)
    }

    /// Each `set_tcp_keepalive` call also sets `SO_KEEPALIVE` again; that repetition is
    /// confined to this path, taken only when the platform refused a value.
    pub(super) fn apply_one_by_one(socket: &Socket, keepalive: &Keepalive, _together: &io::Error) {
        if let Err(error) = socket.set_tcp_keepalive(&TcpKeepalive::new().with_time(keepalive.idle))
        {
            tracing::warn!(%error, idle = ?keepalive.idle, "cannot set the keepalive idle time");
        }
        if let Err(error) =
            socket.set_tcp_keepalive(&TcpKeepalive::new().with_interval(keepalive.interval))
        {
            tracing::warn!(%error, interval = ?keepalive.interval, "cannot set the keepalive interval");
        }
        if let Err(error) =
            socket.set_tcp_keepalive(&TcpKeepalive::new().with_retries(keepalive.retries))
        {
            tracing::warn!(%error, retries = keepalive.retries, "cannot set the keepalive probe count");
        }
    }

    pub(super) fn warn_untunable(_keepalive: &Keepalive) {}
}

/// Windows takes all keepalive values in one call and resets every value a call leaves out,
/// so they cannot be applied one by one.
#[cfg(windows)]
mod platform {
    use std::io;

    use socket2::{Socket, TcpKeepalive};

    use crate::options::Keepalive;

    pub(super) fn tunable(keepalive: &Keepalive) -> TcpKeepalive {
        TcpKeepalive::new()
            .with_time(keepalive.idle)
            .with_interval(keepalive.interval)
            .with_retries(keepalive.retries)
    }

    pub(super) fn apply_one_by_one(_socket: &Socket, keepalive: &Keepalive, together: &io::Error) {
        tracing::warn!(error = %together, ?keepalive, "cannot tune keepalive");
    }

    pub(super) fn warn_untunable(_keepalive: &Keepalive) {}
}

/// Platforms where only the idle time can be tuned.
#[cfg(not(any(
    target_os = "android",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "illumos",
    target_os = "ios",
    target_os = "linux",
    target_os = "macos",
    target_os = "netbsd",
    windows,
)))]
mod platform {
    use std::io;

    use socket2::{Socket, TcpKeepalive};

    use crate::options::Keepalive;

    pub(super) fn tunable(keepalive: &Keepalive) -> TcpKeepalive {
        TcpKeepalive::new().with_time(keepalive.idle)
    }

    pub(super) fn apply_one_by_one(_socket: &Socket, keepalive: &Keepalive, together: &io::Error) {
        // SO_KEEPALIVE was accepted on its own, so the idle time is what was refused.
        tracing::warn!(error = %together, idle = ?keepalive.idle, "cannot set the keepalive idle time");
    }

    pub(super) fn warn_untunable(keepalive: &Keepalive) {
        tracing::warn!(
            interval = ?keepalive.interval,
            retries = keepalive.retries,
            "this platform does not let the keepalive interval and probe count be tuned"
        );
    }
}
