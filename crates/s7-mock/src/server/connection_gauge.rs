//! [`ConnectionGauge`]: how many connections are open, with a ceiling and a way to wait for a
//! count.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Error;

#[derive(Debug, Default)]
struct Count {
    open: usize,
    /// Threads in [`ConnectionGauge::wait_for`]: without any, a change wakes nobody, and the
    /// wake-up (a system call even with no waiter) is skipped.
    waiters: usize,
}

#[derive(Debug, Default)]
pub(crate) struct ConnectionGauge {
    count: Mutex<Count>,
    changed: Condvar,
}

/// One open connection's place under the ceiling; given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    gauge: Arc<ConnectionGauge>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut count = self.gauge.lock();
        count.open = count.open.saturating_sub(1);
        self.gauge.notify(count);
    }
}

impl ConnectionGauge {
    fn lock(&self) -> MutexGuard<'_, Count> {
        self.count.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the waiters, if there are any, after releasing the lock.
    fn notify(&self, count: MutexGuard<'_, Count>) {
        let waiting = count.waiters > 0;
        drop(count);
        if waiting {
            self.changed.notify_all();
        }
    }

    /// Takes a slot unless `max` connections are open already.
    pub(crate) fn try_acquire(self: &Arc<Self>, max: usize) -> Option<Slot> {
        let mut count = self.lock();
        if count.open >= max {
            return None;
        }
        count.open = count.open.saturating_add(1);
        self.notify(count);
        Some(Slot {
            gauge: Arc::clone(self),
        })
    }

    pub(crate) fn open(&self) -> usize {
        self.lock().open
    }

    /// Blocks until exactly `n` connections are open.
    pub(crate) fn wait_for(&self, n: usize, timeout: Duration) -> Result<(), Error> {
        let deadline = Instant::now().checked_add(timeout);
        let mut count = self.lock();
        loop {
            if count.open == n {
                return Ok(());
            }
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                return Err(Error::ConnectionWaitTimedOut {
                    wanted: n,
                    open: count.open,
                    timeout,
                });
            }
            count.waiters = count.waiters.saturating_add(1);
            count = self
                .changed
                .wait_timeout(count, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            count.waiters = count.waiters.saturating_sub(1);
        }
    }
}
