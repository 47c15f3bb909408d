//! The request log: every request the server handled, in order, for a test to assert on.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::plc::{RequestKind, RequestRecord};
use s7comm::{ItemAddress, Request, WriteItem};

use super::fault::Fault;
use super::function::Function;

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

#[derive(Debug, Default)]
struct Entries {
    entries: Vec<LoggedRequest>,
    /// Requests logged since the start, cleared or not.
    total: u64,
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
    pub(crate) fn new(enabled: bool) -> Self {
        Self {
            enabled: AtomicBool::new(enabled),
            entries: Mutex::new(Entries::default()),
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
        entries.entries.push(request);
        let waiting = entries.waiters > 0;
        drop(entries);
        if waiting {
            self.grew.notify_all();
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        self.lock().entries.clone()
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub(crate) fn clear(&self) {
        self.lock().entries.clear();
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
                return Ok(entries.entries.clone());
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
