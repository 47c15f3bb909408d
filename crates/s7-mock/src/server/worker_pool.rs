//! [`WorkerPool`]: the threads that serve connections, kept parked between connections so
//! that a new client costs a hand-over instead of a thread start.
//!
//! ```text
//!  accept thread                     workers
//!  -------------                     -------
//!  dispatch(job) ---------+-- idle one? --> queue --> woken worker runs it,
//!                         |                           then parks again (at most
//!                         |                           MAX_IDLE park; the rest end,
//!                         |                           as does one parked too long)
//!                         +-- none idle --> new worker runs it first
//! ```
//!
//! Every worker's join handle is kept until it is joined: finished workers are joined by the
//! accept thread as it goes, the rest by [`WorkerPool::join_all`] when the server stops.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::context::ServerContext;

/// Most workers kept parked at once; a worker finishing its connection beyond that ends.
pub(crate) const MAX_IDLE: usize = 64;

/// How long a parked worker waits for a connection before it ends.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a worker is handed: serving one connection to its end.
pub(crate) type Job = Box<dyn FnOnce(&Arc<ServerContext>) + Send>;

#[derive(Default)]
struct Workers {
    /// Connections handed to parked workers and not picked up yet.
    queue: VecDeque<Job>,
    /// Parked workers no queued connection is meant for yet; always the number of parked
    /// workers minus the queue's length.
    idle: usize,
    /// Numbers the workers by their start, to find their join handles.
    next_id: u64,
    /// Join handles not joined yet.
    handles: HashMap<u64, JoinHandle<()>>,
    /// Workers that ended and wait to be joined.
    finished: Vec<u64>,
    /// Set once the server stops: parked workers end and nothing is dispatched any more.
    closing: bool,
}

#[derive(Default)]
pub(crate) struct WorkerPool {
    workers: Mutex<Workers>,
    /// Signalled when a connection is queued or the pool closes.
    wake: Condvar,
}

impl std::fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let workers = self.lock();
        f.debug_struct("WorkerPool")
            .field("queued", &workers.queue.len())
            .field("idle", &workers.idle)
            .field("threads", &workers.handles.len())
            .finish()
    }
}

fn join_all(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        // A worker that panicked has nothing left to clean up.
        let _ = handle.join();
    }
}

/// Reports a worker's end to the pool when dropped, so that a worker that panicked is
/// joined too.
struct Finished<'a> {
    pool: &'a WorkerPool,
    id: u64,
}

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.pool.lock().finished.push(self.id);
    }
}

impl WorkerPool {
    fn lock(&self) -> MutexGuard<'_, Workers> {
        self.workers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands a job (connection `number`, from `peer`) to a parked worker, or starts a worker
    /// for it when none is parked. The job is dropped (its connection closed) when the pool
    /// is closing or no thread can be started.
    pub(crate) fn dispatch(
        &self,
        context: &Arc<ServerContext>,
        job: Job,
        number: u64,
        peer: std::net::SocketAddr,
    ) {
        let mut workers = self.lock();
        if workers.closing {
            return;
        }
        if workers.idle > 0 {
            workers.idle = workers.idle.saturating_sub(1);
            workers.queue.push_back(job);
            drop(workers);
            self.wake.notify_one();
            return;
        }
        workers.next_id = workers.next_id.saturating_add(1);
        let id = workers.next_id;
        let worker_context = Arc::clone(context);
        let spawned = std::thread::Builder::new()
            .name(format!("s7-mock-conn-{id}"))
            .stack_size(context.settings.stack_size)
            .spawn(move || work(&worker_context, id, job));
        match spawned {
            Ok(handle) => {
                workers.handles.insert(id, handle);
            }
            Err(error) => {
                tracing::warn!(%peer, connection = number, %error, "cannot start a connection thread, dropping the connection");
            }
        }
    }

    /// Parks the calling worker until a connection is queued for it; `None` when it should
    /// end instead (the pool is closing, enough workers are parked, or it waited too long).
    fn next_job(&self) -> Option<Job> {
        let mut workers = self.lock();
        if workers.closing || workers.idle >= MAX_IDLE {
            return None;
        }
        workers.idle = workers.idle.saturating_add(1);
        loop {
            if let Some(job) = workers.queue.pop_front() {
                // `dispatch` took this worker off `idle` when it queued the job.
                return Some(job);
            }
            if workers.closing {
                workers.idle = workers.idle.saturating_sub(1);
                return None;
            }
            let (guard, waited) = self
                .wake
                .wait_timeout(workers, IDLE_TIMEOUT)
                .unwrap_or_else(PoisonError::into_inner);
            workers = guard;
            if waited.timed_out() && workers.queue.is_empty() {
                workers.idle = workers.idle.saturating_sub(1);
                return None;
            }
        }
    }

    /// Joins the workers that have ended.
    pub(crate) fn reap(&self) {
        let mut workers = self.lock();
        if workers.finished.is_empty() {
            return;
        }
        let Workers {
            handles, finished, ..
        } = &mut *workers;
        let done: Vec<JoinHandle<()>> = finished
            .drain(..)
            .filter_map(|id| handles.remove(&id))
            .collect();
        drop(workers);
        join_all(done);
    }

    /// Ends parked workers and closes the connections still queued; busy workers end when
    /// their connection does (which the caller makes happen by shutting its socket down).
    pub(crate) fn close(&self) {
        let queued = {
            let mut workers = self.lock();
            workers.closing = true;
            std::mem::take(&mut workers.queue)
        };
        self.wake.notify_all();
        drop(queued);
    }

    /// Joins every worker (after [`close`](Self::close)).
    pub(crate) fn join_all(&self) {
        let handles: Vec<JoinHandle<()>> = {
            let mut workers = self.lock();
            workers.finished.clear();
            workers.handles.drain().map(|(_, handle)| handle).collect()
        };
        join_all(handles);
    }
}

/// A worker's body: runs its first job, then whatever it is handed while parked.
fn work(context: &Arc<ServerContext>, id: u64, first: Job) {
    let _finished = Finished {
        pool: &context.workers,
        id,
    };
    let mut job = Some(first);
    while let Some(serve) = job {
        serve(context);
        job = context.workers.next_job();
    }
}
