//! One connection: its COTP handshake (where the accept thread runs it), then, on a worker,
//! requests answered one after another:
//! `recv` → [`Plc::handle`](crate::plc::Plc::handle) into a reused buffer → `send`, with the
//! request log and fault injection between `handle` and `send`.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use iso_tcp::{
    AcceptDecision, Connection, ConnectionRequestInfo, DisconnectReason, PendingConnection,
    ShutdownHandle,
};

use crate::plc::{FailItem, Handled, Hooks, NoHooks, Plc, RequestKind, Session};

use super::connection_gauge::Slot;
use super::context::ServerContext;
use super::fault::Fault;
use super::function::Function;
use super::hooks::{CloseReason, ConnectionEvent, RefuseReason, RequestHooks};
use super::request_log::LoggedRequest;

/// Reason of the DR sent to a client whose called TSAP the [`TsapFilter`](super::TsapFilter)
/// refuses.
pub const REFUSED_TSAP_REASON: DisconnectReason = DisconnectReason::AddressUnknown;
/// Reason of the DR sent to a client beyond the maximum number of connections.
pub const TOO_MANY_CONNECTIONS_REASON: DisconnectReason = DisconnectReason::Congestion;

/// TPKT header (4) plus COTP DT header (3).
const FRAME_HEADER_LEN: usize = 7;

/// Why a connection ended, for the log line.
enum End {
    Transport(iso_tcp::Error),
    NotS7(crate::Error),
    Fault(&'static str),
    Stopped,
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(error) => write!(f, "{error}"),
            Self::NotS7(error) => write!(f, "not an s7comm request ({error}), closed"),
            Self::Fault(what) => write!(f, "fault injected: {what}"),
            Self::Stopped => f.write_str("server stopping"),
        }
    }
}

/// Takes the connection's socket out of the server's registry when dropped, i.e. after
/// everything else serving it owns is gone (also if serving it panicked).
pub(crate) struct Registered<'a> {
    context: &'a ServerContext,
    number: u64,
}

impl<'a> Registered<'a> {
    /// Puts `socket`, a handle on connection `number`'s socket, in the registry, so that
    /// stopping the server (or the control API) can shut it down to wake a read blocked on
    /// it; `None` (the connection is reported refused) when the server is stopping.
    pub(crate) fn new(
        context: &'a ServerContext,
        number: u64,
        peer: SocketAddr,
        socket: ShutdownHandle,
    ) -> Option<Self> {
        if !context.sockets.register(number, socket) {
            refused(context, number, peer, || RefuseReason::ServerStopping);
            return None;
        }
        Some(Self { context, number })
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.context.sockets.release(self.number);
    }
}

/// Runs connection `number`'s handshake (the request is judged by [`decide`]) and reports a
/// refused or failed one; `Some` is the established connection with its place under the
/// connection limit.
pub(crate) fn handshake(
    context: &ServerContext,
    pending: PendingConnection,
    number: u64,
) -> Option<(Connection, Slot)> {
    let peer = pending.peer_addr();
    let mut slot = None;
    let mut refusal = None;
    let handshake =
        pending.handshake(|request| decide(context, number, request, &mut slot, &mut refusal));
    match handshake {
        // `decide` took a slot whenever it accepted.
        Ok(connection) => slot.map(|slot| (connection, slot)),
        Err(iso_tcp::Error::RefusedLocally { reason }) => {
            tracing::info!(%peer, connection = number, ?reason, "connection refused");
            refused(context, number, peer, || {
                refusal.unwrap_or(RefuseReason::Fault(reason))
            });
            None
        }
        Err(error) => {
            handshake_failed(context, number, peer, &error);
            None
        }
    }
}

/// Logs (at `debug`) a handshake that did not complete and reports it to the connection hook.
pub(crate) fn handshake_failed(
    context: &ServerContext,
    number: u64,
    peer: SocketAddr,
    error: &iso_tcp::Error,
) {
    tracing::debug!(%peer, connection = number, %error, "handshake failed");
    refused(context, number, peer, || {
        RefuseReason::Handshake(error.to_string())
    });
}

/// Serves established connection `number` to its end, on the calling worker; `slot`, its
/// place under the connection limit, is given back at the end.
pub(crate) fn serve(
    context: &Arc<ServerContext>,
    mut connection: Connection,
    number: u64,
    slot: Slot,
) {
    let peer = connection.peer_addr();
    let Some(registered) = Registered::new(context, number, peer, connection.shutdown_handle())
    else {
        return;
    };
    tracing::debug!(
        %peer,
        connection = number,
        tpdu_size = connection.tpdu_size(),
        "connection accepted"
    );
    let counter = context.sockets.opened(number, peer);
    let hooks = &context.settings.hooks;
    hooks.connection_event(|| ConnectionEvent::Accepted { number, peer });
    let mut served = Served {
        context,
        number,
        peer,
        requests: 0,
        counter,
    };
    let end = served.serve(&mut connection);
    tracing::info!(
        %peer,
        connection = number,
        requests = served.requests,
        reason = %end,
        "connection closed"
    );
    // Why it ended is read off the registry, before the connection leaves it; the hook runs
    // once it has left it, and before the connection stops counting as open.
    let reason = hooks
        .connection
        .as_ref()
        .map(|_| close_reason(context, number, end));
    drop(connection);
    drop(registered);
    if let Some(reason) = reason {
        hooks.connection_event(|| ConnectionEvent::Closed {
            number,
            peer,
            reason,
            requests: served.requests,
        });
    }
    drop(slot);
}

/// Reports a refused connection to the connection hook, if there is one (`reason` is only
/// computed then).
pub(crate) fn refused(
    context: &ServerContext,
    number: u64,
    peer: SocketAddr,
    reason: impl FnOnce() -> RefuseReason,
) {
    context
        .settings
        .hooks
        .connection_event(|| ConnectionEvent::Refused {
            number,
            peer,
            reason: reason(),
        });
}

/// Why connection `number` ended, for the connection hook.
fn close_reason(context: &ServerContext, number: u64, end: End) -> CloseReason {
    match end {
        End::Stopped => CloseReason::ServerStopped,
        End::Fault(what) => CloseReason::Fault(what),
        End::NotS7(error) => CloseReason::Error(format!("not an s7comm request: {error}")),
        End::Transport(_) if context.stop.is_stopped() => CloseReason::ServerStopped,
        End::Transport(_) if !context.sockets.is_open(number) => CloseReason::Disconnected,
        End::Transport(iso_tcp::Error::Closed) => CloseReason::PeerClosed,
        End::Transport(iso_tcp::Error::PeerDisconnected { reason }) => {
            CloseReason::PeerDisconnected(reason)
        }
        End::Transport(
            iso_tcp::Error::ReceiveDeadline { .. } | iso_tcp::Error::IdleTimeout { .. },
        ) => CloseReason::Deadline,
        End::Transport(error) => CloseReason::Error(error.to_string()),
    }
}

/// Accepts or refuses a connection request: an injected refusal first, then the TSAP filter,
/// then the connection limit.
fn decide(
    context: &ServerContext,
    number: u64,
    request: &ConnectionRequestInfo,
    slot: &mut Option<Slot>,
    refusal: &mut Option<RefuseReason>,
) -> AcceptDecision {
    if let Some(reason) = context.faults.for_connection(number, request.peer_addr) {
        *refusal = Some(RefuseReason::Fault(reason));
        return AcceptDecision::Refuse(reason);
    }
    if !context
        .settings
        .tsap_filter
        .accepts(request.called_tsap.as_ref())
    {
        *refusal = Some(RefuseReason::TsapFilter);
        return AcceptDecision::Refuse(REFUSED_TSAP_REASON);
    }
    match context.gauge.try_acquire(context.settings.max_connections) {
        Some(taken) => {
            *slot = Some(taken);
            AcceptDecision::Accept
        }
        None => {
            *refusal = Some(RefuseReason::MaxConnections);
            AcceptDecision::Refuse(TOO_MANY_CONNECTIONS_REASON)
        }
    }
}

struct Served<'a> {
    context: &'a ServerContext,
    number: u64,
    peer: SocketAddr,
    requests: u64,
    /// This connection's request count as [`Server::connections`](super::Server::connections)
    /// shows it.
    counter: Arc<AtomicU64>,
}

impl Served<'_> {
    fn serve(&mut self, connection: &mut Connection) -> End {
        let plc = &self.context.plc;
        let mut session = plc.session();
        let mut answer = Vec::with_capacity(usize::from(plc.max_pdu_size()));
        // Reused like `answer`: each request is copied into it, not handed out as `Bytes`.
        let mut request = Vec::with_capacity(usize::from(plc.max_pdu_size()));
        loop {
            if let Err(error) = connection.recv_into(&mut request) {
                if self.context.stop.is_stopped() {
                    return End::Stopped;
                }
                return End::Transport(error);
            }
            self.requests = self.requests.saturating_add(1);
            self.counter.fetch_add(1, Ordering::Relaxed);
            self.context.count_request();
            // Classifying costs a header parse: only done for a fault rule or the log.
            let function = (self.context.faults.is_armed() || self.context.log.is_enabled())
                .then(|| Function::of(&request));
            let fault = function.and_then(|function| {
                self.context
                    .faults
                    .for_request(self.number, self.peer, function)
            });
            let read_hook = self.context.settings.hooks.read.as_deref();
            let handled = match (&fault, read_hook) {
                (Some(Fault::ItemReturnCode { index, return_code }), None) => {
                    let mut hooks = FailItem {
                        index: *index,
                        return_code: *return_code,
                        operation: None,
                    };
                    handle_hooked(plc, &mut session, &request, &mut answer, &mut hooks)
                }
                (_, Some(read)) => {
                    let mut hooks = RequestHooks {
                        fail: match &fault {
                            Some(Fault::ItemReturnCode { index, return_code }) => Some(FailItem {
                                index: *index,
                                return_code: *return_code,
                                operation: None,
                            }),
                            _ => None,
                        },
                        read: Some(read),
                        connection: self.number,
                        peer: self.peer,
                    };
                    handle_hooked(plc, &mut session, &request, &mut answer, &mut hooks)
                }
                _ => plc.handle(&mut session, &request, &mut answer, &mut NoHooks),
            };
            let handled = match handled {
                Ok(handled) => handled,
                Err(error) => {
                    // The framing above can no longer be trusted: close, as S7 CPUs do.
                    let _ = connection.shutdown();
                    return End::NotS7(error);
                }
            };
            tracing::trace!(
                peer = %self.peer,
                connection = self.number,
                pdu_ref = handled.pdu_ref,
                kind = ?handled.kind,
                error = ?handled.error,
                fault = ?fault,
                "request"
            );
            if matches!(handled.kind, RequestKind::WriteVar { .. }) && handled.error.is_none() {
                self.context.settings.hooks.observe_writes(
                    self.number,
                    self.peer,
                    &request,
                    &answer,
                );
            }
            if self.context.log.is_enabled() {
                self.context.log.push(LoggedRequest {
                    sequence: 0,
                    connection: self.number,
                    peer: self.peer,
                    function: function.unwrap_or_else(|| Function::of(&request)),
                    record: handled.to_record(),
                    fault: fault.clone(),
                });
            }
            let sent = match fault {
                None | Some(Fault::ItemReturnCode { .. }) => {
                    // Nothing to send after the client acknowledged download ended; after
                    // a request download is acknowledged the PLC sends its first job.
                    let mut sent = if answer.is_empty() {
                        Ok(())
                    } else {
                        connection.send(&answer)
                    };
                    while sent.is_ok() && plc.take_outgoing(&mut session, &mut answer) {
                        sent = connection.send(&answer);
                    }
                    sent
                }
                Some(fault) => match self.apply(fault, connection, &answer) {
                    Ok(None) => Ok(()),
                    Ok(Some(end)) => return end,
                    Err(error) => Err(error),
                },
            };
            if let Err(error) = sent {
                return End::Transport(error);
            }
        }
    }

    /// Carries out a fault in place of the plain answer; `Some` ends the connection.
    fn apply(
        &self,
        fault: Fault,
        connection: &mut Connection,
        answer: &[u8],
    ) -> Result<Option<End>, iso_tcp::Error> {
        match fault {
            Fault::Delay(delay) => {
                if self.context.stop.sleep(delay) {
                    return Ok(Some(End::Stopped));
                }
                connection.send(answer)?;
            }
            Fault::Close => {
                let _ = connection.shutdown();
                return Ok(Some(End::Fault("closed before answering")));
            }
            Fault::HalfFrame => {
                let frame = half_frame(answer, connection.tpdu_size());
                let written = connection.send_raw(&frame);
                let _ = connection.shutdown();
                written?;
                return Ok(Some(End::Fault("half a frame sent, then closed")));
            }
            Fault::Disconnect(reason) => {
                let written = connection.send_disconnect(reason);
                let _ = connection.shutdown();
                written?;
                return Ok(Some(End::Fault("disconnect request sent")));
            }
            Fault::ErrorTpdu(cause) => connection.send_error_tpdu(cause)?,
            Fault::Garbage(bytes) => connection.send_raw(&bytes)?,
            Fault::Stall | Fault::ItemReturnCode { .. } | Fault::Refuse(_) => {}
        }
        Ok(None)
    }
}

/// [`Plc::handle`] with hooks, out of line: only a fault rule or a read hook takes this way, so
/// the serve loop holds one inlined copy of `handle`'s fast path, the hook-free one.
#[inline(never)]
fn handle_hooked<'r, H: Hooks>(
    plc: &Plc,
    session: &mut Session,
    request: &'r [u8],
    answer: &mut Vec<u8>,
    hooks: &mut H,
) -> Result<Handled<'r>, crate::Error> {
    plc.handle(session, request, answer, hooks)
}

/// The first half of the first frame `answer` would be sent in: TPKT header, DT header and as
/// much of the answer as one TPDU of `tpdu_size` carries, cut in the middle (at least one byte,
/// never the whole frame).
fn half_frame(answer: &[u8], tpdu_size: usize) -> Vec<u8> {
    let room = tpdu_size.saturating_sub(3).max(1);
    let (segment, eot) = match answer.split_at_checked(room) {
        Some((first, rest)) if !rest.is_empty() => (first, false),
        _ => (answer, true),
    };
    let frame_len = FRAME_HEADER_LEN.saturating_add(segment.len());
    let [len_hi, len_lo] = u16::try_from(frame_len).unwrap_or(u16::MAX).to_be_bytes();
    let mut frame = Vec::with_capacity(frame_len);
    frame.extend_from_slice(&[3, 0, len_hi, len_lo, 2, 0xF0, if eot { 0x80 } else { 0 }]);
    frame.extend_from_slice(segment);
    frame.truncate((frame_len / 2).max(1));
    frame
}

#[cfg(test)]
mod tests {
    use super::half_frame;

    #[test]
    fn half_frame_is_half_of_a_whole_frame_header_included() {
        let frame = half_frame(&[0xAA; 13], 1024);
        // 7 header bytes + 13 = 20 bytes, half of it sent; the header announces 20.
        assert_eq!(frame.len(), 10);
        assert_eq!(&frame[..7], &[3, 0, 0, 20, 2, 0xF0, 0x80]);
    }

    #[test]
    fn half_frame_of_a_segmented_answer_cuts_the_first_segment() {
        let frame = half_frame(&[0x55; 300], 128);
        // The first DT of a 128-byte TPDU carries 125 bytes: a 132-byte frame without EOT.
        assert_eq!(&frame[..7], &[3, 0, 0, 132, 2, 0xF0, 0x00]);
        assert_eq!(frame.len(), 66);
    }
}
