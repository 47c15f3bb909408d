//! Pipelining: several requests in flight on one connection, answers matched by PDU
//! reference.
//!
//! Setup communication grants a number of parallel jobs ("max AmQ calling" and "max AmQ
//! called", acknowledged jobs the calling and the called side may have outstanding). Which of
//! the two bounds a client's requests is read differently from one implementation to the
//! next, so the client keeps at most the smaller of the two in flight, as PLC4X does, and
//! never more than [`MAX_JOBS_IN_FLIGHT`]. With one job granted (python-snap7 3.3.0's server
//! always grants one) every call is strictly send, receive, send, receive; snap7's C server
//! grants what it is asked for.
//!
//! A call that needs several PDUs (a read or write split over the PDU size, a multi-item call
//! packed into several PDUs) sends requests until the window is full, then sends the next one
//! each time an answer comes in. An answer may come in any order: it is matched to its
//! request by PDU reference, and each request's result goes to its own place, so the results
//! are in the caller's order whatever the order of the answers.
//!
//! The connection never goes out of step with its answers:
//! - when an answer is an error (an error in its header, a failed item, an answer that does
//!   not fit its request), no more requests are sent, every answer still outstanding is
//!   received and dropped, and then the error of the earliest failed request is returned;
//! - when the client cannot receive every outstanding answer (a transport error, or an answer
//!   it cannot match to a request while other answers are outstanding), it shuts the
//!   connection down and returns [`Error::ConnectionAbandoned`]; later calls fail with a
//!   transport error instead of reading someone else's answers. With one request outstanding
//!   the error is returned as it is, as for any single request.

use s7comm::Header;

use super::Client;
use crate::Error;

/// The most requests the client keeps in flight on one connection, whatever the CPU grants,
/// and the number of parallel jobs it asks for by default: a handful already overlaps the
/// round trips of a long read, and every job in flight holds a PDU buffer in the CPU.
pub const MAX_JOBS_IN_FLIGHT: u16 = 8;

/// The request of one job, and what to do with its answer.
pub(super) trait Jobs {
    /// Appends job `job`'s request PDU, with PDU reference `pdu_ref`, to `out` (empty).
    fn emit(&mut self, job: usize, pdu_ref: u16, out: &mut Vec<u8>) -> Result<(), Error>;

    /// Takes job `job`'s answer (its PDU reference already matched against `pdu_ref`).
    fn take(&mut self, job: usize, pdu_ref: u16, answer: &[u8]) -> Result<(), Error>;
}

/// A request sent and not yet answered.
#[derive(Debug, Clone, Copy)]
struct Sent {
    pdu_ref: u16,
    job: usize,
}

impl Client {
    /// How many requests this connection keeps in flight: the smaller of the granted AmQ
    /// calling and called, at most [`MAX_JOBS_IN_FLIGHT`], at least 1.
    pub fn jobs_in_flight(&self) -> usize {
        usize::from(
            self.max_amq_calling
                .min(self.max_amq_called)
                .clamp(1, MAX_JOBS_IN_FLIGHT),
        )
    }

    /// Runs `count` jobs, keeping up to [`jobs_in_flight`](Self::jobs_in_flight) requests
    /// in flight (see the module documentation for what happens on errors).
    pub(super) fn pipelined(&mut self, count: usize, jobs: &mut impl Jobs) -> Result<(), Error> {
        let window = self.jobs_in_flight();
        let mut in_flight: Vec<Sent> = Vec::with_capacity(window.min(count));
        let mut next = 0usize;
        // The failure of the earliest job that failed, kept while the others drain.
        let mut failure: Option<(usize, Error)> = None;
        loop {
            while failure.is_none() && next < count && in_flight.len() < window {
                let pdu_ref = self.take_pdu_ref();
                self.request.clear();
                if let Err(error) = jobs.emit(next, pdu_ref, &mut self.request) {
                    failure = Some((next, error));
                    break;
                }
                if let Err(error) = self.connection.send(&self.request) {
                    // Every request in flight is left unanswered.
                    return Err(self.give_up(in_flight.len(), 0, error.into()));
                }
                in_flight.push(Sent { pdu_ref, job: next });
                next = next.saturating_add(1);
            }
            if in_flight.is_empty() {
                break;
            }
            if let Err(error) = self.connection.recv_into(&mut self.answer) {
                return Err(self.give_up(in_flight.len(), 1, error.into()));
            }
            let received = answer_pdu_ref(&self.answer);
            let position = received
                .as_ref()
                .ok()
                .and_then(|r| in_flight.iter().position(|sent| sent.pdu_ref == *r));
            let Some(sent) = position.map(|i| in_flight.swap_remove(i)) else {
                let error = match received {
                    Ok(received) => Error::PduRefMismatch {
                        sent: in_flight.first().map_or(0, |s| s.pdu_ref),
                        received,
                    },
                    Err(error) => error,
                };
                return Err(self.give_up(in_flight.len(), 1, error));
            };
            if let Err(error) = jobs.take(sent.job, sent.pdu_ref, &self.answer) {
                if failure.as_ref().is_none_or(|(job, _)| sent.job < *job) {
                    failure = Some((sent.job, error));
                }
            }
        }
        match failure {
            Some((_, error)) => Err(error),
            None => Ok(()),
        }
    }

    /// `error` with `outstanding` answers not received. Up to `tolerated` of them (the one
    /// a failed receive was waiting for) the error is returned as it is, as a single request
    /// reports it; beyond, the connection is shut down, since the answers still to come could
    /// be taken for those of a later call.
    fn give_up(&mut self, outstanding: usize, tolerated: usize, error: Error) -> Error {
        if outstanding <= tolerated {
            return error;
        }
        // The error to report is `error`; a socket that refuses the shutdown is already
        // unusable.
        let _ = self.connection.shutdown();
        Error::ConnectionAbandoned {
            outstanding,
            source: Box::new(error),
        }
    }
}

/// The PDU reference of an answer, read from its header.
fn answer_pdu_ref(answer: &[u8]) -> Result<u16, Error> {
    Ok(Header::split(answer)?.0.pdu_ref)
}
