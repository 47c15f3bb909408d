//! The request log: every request the server handled, in order, for a test to assert on.
//!
//! A bounded ring: once it holds its capacity (default [`DEFAULT_REQUEST_LOG_CAPACITY`]),
//! each new entry pushes the oldest out. Sequence numbers keep counting, and the entries pushed
//! out are counted as dropped.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::plc::{RequestKind, RequestRecord};
use s7comm::{ItemAddress, Request, WriteItem};

use super::fault::Fault;
use super::function::Function;

/// How many entries the request log keeps by default; older ones are dropped.
pub const DEFAULT_REQUEST_LOG_CAPACITY: usize = 10_000;

/// One handled request as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Position in the log since the server started (from 1; not reset by
    /// [`Server::clear_requests`](super::Server::clear_requests)).
    pub sequence: u64,
    /// Number of the connection it came on (from 1, in accept order).
    pub connection: u64,
    /// The client's address.
    pub peer: SocketAddr,
    /// What it asked for.
    pub function: Function,
    /// What the PLC made of it: kind, PDU reference, error, the decoded request.
    pub record: RequestRecord,
    /// The fault that fired on it, if one did.
    pub fault: Option<Fault>,
}

impl LoggedRequest {
    /// The kind of request (with item counts, SZL ids, ...).
    pub fn kind(&self) -> RequestKind {
        self.record.kind
    }

    /// The item addresses of a read or write request (empty for other requests).
    pub fn items(&self) -> Vec<ItemAddress> {
        match &self.record.request {
            Some(Request::ReadVar(read)) => read.items.clone(),
            Some(Request::WriteVar(write)) => write.items.iter().map(|i| i.address).collect(),
            _ => Vec::new(),
        }
    }

    /// The items of a write request with their data (empty for other requests).
    pub fn write_items(&self) -> &[WriteItem] {
        match &self.record.request {
            Some(Request::WriteVar(write)) => &write.items,
            _ => &[],
        }
    }
}

/// A slice of the request log: the entries after a sequence number, from
/// [`Server::requests_after`](super::Server::requests_after) and
/// [`Server::wait_for_requests_after`](super::Server::wait_for_requests_after).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestPage {
    /// The entries, oldest first.
    pub requests: Vec<LoggedRequest>,
    /// The sequence number to ask for entries after next time: that of the last entry here,
    /// or, when there is none, that of the last request logged so far.
    pub next: u64,
    /// Entries after the sequence number asked for that the log no longer holds because it
    /// was full (entries removed by a clear or reset are not counted).
    pub dropped: u64,
}

#[derive(Debug, Default)]
struct Entries {
    entries: VecDeque<LoggedRequest>,
    /// Most entries kept; pushing beyond drops the oldest.
    capacity: usize,
    /// Requests logged since the start, cleared or not.
    total: u64,
    /// Entries dropped because the log was full, since the start.
    dropped: u64,
    /// Sequence number of the last entry dropped because the log was full (0: none).
    dropped_through: u64,
    /// Sequence number of the last entry when the log was last cleared (0: never).
    cleared_through: u64,
    /// Threads in [`RequestLog::wait_for`]: without any, a push wakes nobody, and the
    /// wake-up (a system call even with no waiter) is skipped.
    waiters: usize,
}

/// The log of one server, shared with its workers.
#[derive(Debug)]
pub(crate) struct RequestLog {
    enabled: AtomicBool,
    entries: Mutex<Entries>,
    grew: Condvar,
}

impl RequestLog {
    pub(crate) fn new(enabled: bool, capacity: usize) -> Self {
        Self {
            enabled: AtomicBool::new(enabled),
            entries: Mutex::new(Entries {
                capacity: capacity.max(1),
                ..Entries::default()
            }),
            grew: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    pub(crate) fn set_enabled(&self, enabled: bool) {
        // Stored under the lock so that a waiter cannot check the flag, miss this change and
        // then sleep through the wake-up.
        let entries = self.lock();
        self.enabled.store(enabled, Ordering::Relaxed);
        drop(entries);
        // Waiters learn that there is nothing more to wait for.
        self.grew.notify_all();
    }

    /// Appends a request (the sequence number is filled in here).
    pub(crate) fn push(&self, mut request: LoggedRequest) {
        let mut entries = self.lock();
        entries.total = entries.total.saturating_add(1);
        request.sequence = entries.total;
        if entries.entries.len() >= entries.capacity {
            if let Some(oldest) = entries.entries.pop_front() {
                entries.dropped = entries.dropped.saturating_add(1);
                entries.dropped_through = oldest.sequence;
            }
        }
        entries.entries.push_back(request);
        let waiting = entries.waiters > 0;
        drop(entries);
        if waiting {
            self.grew.notify_all();
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        self.lock().entries.iter().cloned().collect()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.lock().capacity
    }

    /// Entries dropped because the log was full, since the start.
    pub(crate) fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Requests logged since the start (the sequence number of the last one).
    pub(crate) fn total(&self) -> u64 {
        self.lock().total
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub(crate) fn clear(&self) {
        let mut entries = self.lock();
        entries.entries.clear();
        entries.cleared_through = entries.total;
    }

    /// At most `limit` entries after sequence number `since`.
    fn page(entries: &Entries, since: u64, limit: usize) -> RequestPage {
        // Entries dropped since the last clear are the sequence numbers right after it.
        let lost_from = since.max(entries.cleared_through);
        let dropped = entries.dropped_through.saturating_sub(lost_from);
        let requests: Vec<LoggedRequest> = entries
            .entries
            .iter()
            .skip_while(|entry| entry.sequence <= since)
            .take(limit)
            .cloned()
            .collect();
        let next = requests.last().map_or(entries.total, |last| last.sequence);
        RequestPage {
            requests,
            next,
            dropped,
        }
    }

    /// Blocks until the log holds an entry after `since` (at most `timeout`, and not at all
    /// when the log is off), then returns at most `limit` of them; `cancelled` (checked under
    /// the lock, see [`interrupt`](Self::interrupt)) ends the wait early.
    pub(crate) fn wait_after(
        &self,
        since: u64,
        limit: usize,
        timeout: Duration,
        cancelled: &AtomicBool,
    ) -> RequestPage {
        let deadline = Instant::now().checked_add(timeout);
        let mut entries = self.lock();
        loop {
            let has_new = entries
                .entries
                .back()
                .is_some_and(|last| last.sequence > since);
            if has_new || !self.is_enabled() || cancelled.load(Ordering::Acquire) {
                return Self::page(&entries, since, limit);
            }
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                return Self::page(&entries, since, limit);
            }
            entries.waiters = entries.waiters.saturating_add(1);
            entries = self
                .grew
                .wait_timeout(entries, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            entries.waiters = entries.waiters.saturating_sub(1);
        }
    }

    /// Wakes every waiter so it checks its cancel flag (set before calling this).
    #[cfg(feature = "control")]
    pub(crate) fn interrupt(&self) {
        drop(self.lock());
        self.grew.notify_all();
    }

    /// Blocks until the log holds at least `n` entries, then returns all of them.
    pub(crate) fn wait_for(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<LoggedRequest>, Error> {
        let deadline = Instant::now().checked_add(timeout);
        let mut entries = self.lock();
        loop {
            if entries.entries.len() >= n {
                return Ok(entries.entries.iter().cloned().collect());
            }
            if !self.is_enabled() {
                return Err(Error::RequestLogDisabled);
            }
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                return Err(Error::WaitTimedOut {
                    wanted: n,
                    logged: entries.entries.len(),
                    timeout,
                });
            }
            entries.waiters = entries.waiters.saturating_add(1);
            entries = self
                .grew
                .wait_timeout(entries, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            entries.waiters = entries.waiters.saturating_sub(1);
        }
    }
}
