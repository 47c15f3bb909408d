//! [`ConnectionGauge`]: how many connections are open, with a ceiling and a way to wait for a
//! count.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Error;

#[derive(Debug, Default)]
pub(crate) struct ConnectionGauge {
    open: Mutex<usize>,
    changed: Condvar,
}

/// One open connection's place under the ceiling; given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    gauge: Arc<ConnectionGauge>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.gauge.lock();
        *open = open.saturating_sub(1);
        drop(open);
        self.gauge.changed.notify_all();
    }
}

impl ConnectionGauge {
    fn lock(&self) -> MutexGuard<'_, usize> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a slot unless `max` connections are open already.
    pub(crate) fn try_acquire(self: &Arc<Self>, max: usize) -> Option<Slot> {
        let mut open = self.lock();
        if *open >= max {
            return None;
        }
        *open = open.saturating_add(1);
        drop(open);
        self.changed.notify_all();
        Some(Slot {
            gauge: Arc::clone(self),
        })
    }

    pub(crate) fn open(&self) -> usize {
        *self.lock()
    }

    /// Blocks until exactly `n` connections are open.
    pub(crate) fn wait_for(&self, n: usize, timeout: Duration) -> Result<(), Error> {
        let deadline = Instant::now().checked_add(timeout);
        let mut open = self.lock();
        loop {
            if *open == n {
                return Ok(());
            }
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                return Err(Error::ConnectionWaitTimedOut {
                    wanted: n,
                    open: *open,
                    timeout,
                });
            }
            open = self
                .changed
                .wait_timeout(open, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}
