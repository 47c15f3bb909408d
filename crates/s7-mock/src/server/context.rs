//! [`ServerContext`]: the state a server shares between its handle, its accept thread and its
//! workers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::memory::Memory;
use crate::plc::{CpuState, Plc};
use crate::tags::TagTable;

use super::connection_gauge::ConnectionGauge;
use super::connection_sockets::ConnectionSockets;
use super::fault_rules::FaultTable;
use super::hooks::ServerHooks;
use super::request_log::RequestLog;
use super::stop_signal::StopSignal;
use super::tsap_filter::TsapFilter;
use super::worker_pool::WorkerPool;

/// Settings fixed when the server starts.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) max_connections: usize,
    /// Ceiling on connections accepted but not past their COTP handshake yet.
    pub(crate) max_pending_handshakes: usize,
    pub(crate) tsap_filter: TsapFilter,
    pub(crate) stack_size: usize,
    pub(crate) request_log_capacity: usize,
    pub(crate) hooks: ServerHooks,
}

/// What [`Server::reset`](super::Server::reset) goes back to: the PLC as the server started.
#[derive(Debug)]
pub(crate) struct Initial {
    pub(crate) memory: Memory,
    pub(crate) cpu_state: CpuState,
    pub(crate) clock_offset_millis: i64,
}

#[derive(Debug)]
pub(crate) struct ServerContext {
    pub(crate) plc: Plc,
    /// The named tags (from a profile or the builder).
    pub(crate) tags: Arc<TagTable>,
    pub(crate) log: RequestLog,
    pub(crate) faults: FaultTable,
    pub(crate) stop: StopSignal,
    pub(crate) gauge: Arc<ConnectionGauge>,
    /// Connections accepted and not past their COTP handshake yet (each holds a slot from
    /// the accept until its handshake completes or fails).
    pub(crate) pending: Arc<ConnectionGauge>,
    /// TCP connections closed by the accept loop because too many handshakes were pending.
    refused_pending: AtomicU64,
    pub(crate) sockets: ConnectionSockets,
    pub(crate) workers: WorkerPool,
    accepted: AtomicU64,
    /// Requests received on every connection since the start, logged or not.
    handled: AtomicU64,
    pub(crate) settings: Settings,
    pub(crate) initial: Initial,
    pub(crate) started: Instant,
}

impl ServerContext {
    pub(crate) fn new(
        plc: Plc,
        tags: Arc<TagTable>,
        log_enabled: bool,
        settings: Settings,
    ) -> Self {
        let initial = Initial {
            memory: plc.memory().clone(),
            cpu_state: plc.cpu_state(),
            clock_offset_millis: plc.clock_offset_millis(),
        };
        Self {
            plc,
            tags,
            log: RequestLog::new(log_enabled, settings.request_log_capacity),
            faults: FaultTable::default(),
            stop: StopSignal::default(),
            gauge: Arc::new(ConnectionGauge::default()),
            pending: Arc::new(ConnectionGauge::default()),
            refused_pending: AtomicU64::new(0),
            sockets: ConnectionSockets::default(),
            workers: WorkerPool::default(),
            accepted: AtomicU64::new(0),
            handled: AtomicU64::new(0),
            settings,
            initial,
            started: Instant::now(),
        }
    }

    /// Counts one received request.
    pub(crate) fn count_request(&self) {
        self.handled.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests received since the start.
    pub(crate) fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    /// Numbers a newly accepted TCP connection (from 1).
    pub(crate) fn next_connection_number(&self) -> u64 {
        self.accepted
            .fetch_add(1, Ordering::Relaxed)
            .saturating_add(1)
    }

    /// TCP connections accepted so far.
    pub(crate) fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Counts one TCP connection closed because too many handshakes were pending.
    pub(crate) fn count_refused_pending(&self) {
        self.refused_pending.fetch_add(1, Ordering::Relaxed);
    }

    /// TCP connections closed so far because too many handshakes were pending.
    pub(crate) fn refused_pending(&self) -> u64 {
        self.refused_pending.load(Ordering::Relaxed)
    }
}
