//! Applying [`StreamOptions`] to a connected socket.

use std::time::Duration;

use socket2::{Socket, TcpKeepalive};

use crate::options::{Keepalive, StreamOptions};
use crate::Error;

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

/// Applies `TCP_NODELAY`, keepalive and both timeouts. Refusals of tuning values are logged
/// and tolerated; failing to set a timeout is an error, since the caller relies on it.
pub(crate) fn configure_stream(socket: &Socket, options: &StreamOptions) -> Result<(), Error> {
    if let Err(error) = socket.set_tcp_nodelay(options.nodelay) {
        tracing::warn!(%error, nodelay = options.nodelay, "cannot set TCP_NODELAY");
    }
    match &options.keepalive {
        Some(keepalive) => apply_keepalive(socket, keepalive),
        None => {
            if let Err(error) = socket.set_keepalive(false) {
                tracing::warn!(%error, "cannot turn SO_KEEPALIVE off");
            }
        }
    }
    set_read_timeout(socket, options.read_timeout)?;
    set_write_timeout(socket, options.write_timeout)?;
    Ok(())
}

/// Turns keepalive on, then sets each tuning value on its own so that one the platform
/// refuses does not keep the others from being applied.
fn apply_keepalive(socket: &Socket, keepalive: &Keepalive) {
    if let Err(error) = socket.set_keepalive(true) {
        tracing::warn!(%error, "cannot turn SO_KEEPALIVE on");
        return;
    }
    if let Err(error) = socket.set_tcp_keepalive(&TcpKeepalive::new().with_time(keepalive.idle)) {
        tracing::warn!(%error, idle = ?keepalive.idle, "cannot set the keepalive idle time");
    }
    apply_keepalive_probes(socket, keepalive);
}

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
fn apply_keepalive_probes(socket: &Socket, keepalive: &Keepalive) {
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
fn apply_keepalive_probes(_socket: &Socket, keepalive: &Keepalive) {
    tracing::warn!(
        interval = ?keepalive.interval,
        retries = keepalive.retries,
        "this platform does not let the keepalive interval and probe count be tuned"
    );
}

/// Windows resets every keepalive value a call leaves out, so all of them go in one call.
#[cfg(windows)]
fn apply_keepalive_probes(socket: &Socket, keepalive: &Keepalive) {
    let all = TcpKeepalive::new()
        .with_time(keepalive.idle)
        .with_interval(keepalive.interval)
        .with_retries(keepalive.retries);
    if let Err(error) = socket.set_tcp_keepalive(&all) {
        tracing::warn!(%error, ?keepalive, "cannot tune keepalive");
    }
}
