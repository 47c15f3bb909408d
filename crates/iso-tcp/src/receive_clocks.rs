//! [`ReceiveClocks`]: the read timeout, the receive deadline and the idle timeout of a
//! connection, and the clocks behind the last two. Both front-ends (blocking and tokio) keep
//! one and ask it how long the next read may wait and what a read that timed out means.

use std::time::{Duration, Instant};

use crate::proto::Core;
use crate::Error;

/// The timing of a connection's reads.
///
/// - The read timeout bounds each read.
/// - The receive deadline bounds a frame or segmented TSDU that is part-way received: its
///   clock starts with the first bytes of it and stops once it is whole. Once it has run
///   out, the connection fails whether bytes are still arriving or not.
/// - The idle timeout bounds the time between frames: its clock restarts with every byte.
#[derive(Debug)]
pub(crate) struct ReceiveClocks {
    read_timeout: Option<Duration>,
    receive_deadline: Option<Duration>,
    idle_timeout: Option<Duration>,
    /// When the unfinished frame or TSDU began to arrive (tracked only with a receive
    /// deadline).
    partial_since: Option<Instant>,
    /// Whether the one last read an expired receive deadline allows has been made for the
    /// unfinished frame or TSDU.
    final_read_made: bool,
    /// When a byte last arrived, or the clocks were made (tracked only with an idle timeout).
    last_received: Instant,
}

impl ReceiveClocks {
    pub(crate) fn new(
        read_timeout: Option<Duration>,
        receive_deadline: Option<Duration>,
        idle_timeout: Option<Duration>,
    ) -> Self {
        Self {
            read_timeout,
            receive_deadline,
            idle_timeout,
            partial_since: None,
            final_read_made: false,
            last_received: Instant::now(),
        }
    }

    pub(crate) fn read_timeout(&self) -> Option<Duration> {
        self.read_timeout
    }

    pub(crate) fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.read_timeout = timeout;
    }

    pub(crate) fn receive_deadline(&self) -> Option<Duration> {
        self.receive_deadline
    }

    /// Changes the receive deadline; a frame part-way received is timed from now on.
    pub(crate) fn set_receive_deadline(&mut self, deadline: Option<Duration>, core: &Core) {
        self.receive_deadline = deadline;
        self.progress(core);
    }

    pub(crate) fn idle_timeout(&self) -> Option<Duration> {
        self.idle_timeout
    }

    /// Changes the idle timeout and restarts the idle clock.
    pub(crate) fn set_idle_timeout(&mut self, timeout: Option<Duration>, core: &Core) {
        self.idle_timeout = timeout;
        self.last_received = Instant::now();
        self.progress(core);
    }

    /// Starts or stops the clocks after bytes arrived or a TSDU was handed out. The clock is
    /// read only when a clock starts: the idle clock on every call (it runs from the last
    /// byte received), the receive deadline's only when a frame or TSDU is left part-way
    /// received and its clock is not running yet.
    #[inline]
    pub(crate) fn progress(&mut self, core: &Core) {
        if self.idle_timeout.is_none() {
            if self.receive_deadline.is_none() {
                return;
            }
            // Only the receive deadline's clock may run. The steady state: nothing is left
            // part-way and its clock is not running, so there is nothing to do.
            if self.partial_since.is_none() && !core.in_progress() {
                return;
            }
        }
        let in_progress = core.in_progress();
        if !in_progress {
            self.partial_since = None;
            self.final_read_made = false;
        }
        // The idle clock only counts while an idle timeout is set, and setting one restarts
        // it, so without one it is left alone.
        if self.idle_timeout.is_none() && (!in_progress || self.partial_since.is_some()) {
            return;
        }
        let now = Instant::now();
        self.last_received = now;
        if in_progress {
            self.partial_since.get_or_insert(now);
        }
    }

    /// A whole TSDU was handed out: whatever is left buffered belongs to the next one, whose
    /// receive deadline runs from now (a peer that keeps several requests in flight is timed
    /// per TSDU, not from the first byte it ever sent).
    #[inline]
    pub(crate) fn delivered(&mut self, core: &Core) {
        self.partial_since = None;
        self.final_read_made = false;
        self.progress(core);
    }

    /// The bound on the next read: the read timeout, shortened to what is left of the
    /// receive deadline (mid-frame or mid-TSDU) or of the idle timeout (between frames).
    ///
    /// # Errors
    /// [`Error::ReceiveDeadline`] (and the core broken) once the receive deadline has
    /// expired and the one last read it allows has been made: bytes arriving after it do not
    /// buy more time, so a peer trickling a frame or empty DTs is cut all the same.
    #[inline]
    pub(crate) fn next_wait(&mut self, core: &mut Core) -> Result<Option<Duration>, Error> {
        // Between frames without an idle timeout (the steady state, deadline or not), no
        // clock runs: the read timeout as it is.
        if self.partial_since.is_none() && self.idle_timeout.is_none() {
            return Ok(self.read_timeout);
        }
        self.clocked_wait(core)
    }

    /// [`next_wait`](Self::next_wait) while a clock runs; out of line, so that the steady
    /// state's check stays small.
    #[inline(never)]
    fn clocked_wait(&mut self, core: &mut Core) -> Result<Option<Duration>, Error> {
        let deadline = match (self.receive_deadline, self.partial_since) {
            (Some(limit), Some(since)) => {
                let left = limit.saturating_sub(since.elapsed());
                if left.is_zero() {
                    // The deadline has passed. What the application had not read yet (it
                    // may have been busy, or have dropped a tokio `recv`) is given one last
                    // short read; after that the frame or TSDU must be whole, however
                    // many bytes keep arriving.
                    if self.final_read_made {
                        return Err(self.deadline_expired(limit, core));
                    }
                    self.final_read_made = true;
                }
                Some(left)
            }
            _ => None,
        };
        let idle = if core.in_progress() {
            None
        } else {
            left(self.idle_timeout, Some(self.last_received))
        };
        let left = match (deadline, idle) {
            (Some(d), Some(i)) => Some(d.min(i)),
            (d, i) => d.or(i),
        };
        // An expired clock gets a short read, not none: bytes already waiting in the socket
        // are the peer's keeping its side of the bargain (for the idle timeout, any byte
        // restarts its clock; the receive deadline allows only this one read).
        let left = left.map(|left| left.max(Duration::from_micros(1)));
        Ok(match (self.read_timeout, left) {
            (Some(read), Some(left)) => Some(read.min(left)),
            (read, left) => read.or(left),
        })
    }

    /// The receive deadline expired with a frame or TSDU part-way received: the error, with
    /// the core broken.
    #[cold]
    fn deadline_expired(&self, deadline: Duration, core: &mut Core) -> Error {
        let error = Error::ReceiveDeadline {
            deadline,
            received: core.buffered_len(),
            tsdu_received: core.tsdu_progress(),
        };
        core.fail(error)
    }

    /// A read timed out: the receive deadline or the idle timeout if one of them expired,
    /// the read timeout otherwise; the core is told (and broken where that is fatal).
    pub(crate) fn timed_out(&self, core: &mut Core) -> Error {
        if let (Some(deadline), Some(since)) = (self.receive_deadline, self.partial_since) {
            if since.elapsed() >= deadline {
                return self.deadline_expired(deadline, core);
            }
        }
        if let Some(timeout) = self.idle_timeout {
            if !core.in_progress() && self.last_received.elapsed() >= timeout {
                return core.idle_expired(Error::IdleTimeout { timeout });
            }
        }
        let error = Error::Timeout {
            op: "read",
            timeout: self.read_timeout.unwrap_or_default(),
        };
        core.read_timed_out(error)
    }
}

/// What is left of `limit` counted from `since`, when both are set.
fn left(limit: Option<Duration>, since: Option<Instant>) -> Option<Duration> {
    Some(limit?.saturating_sub(since?.elapsed()))
}
