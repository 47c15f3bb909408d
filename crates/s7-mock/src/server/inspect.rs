//! More of [`Server`]: open connections (listing, dropping one), the request log read as a
//! stream (entries after a sequence number), the installed fault rules, and resetting the
//! PLC to its start. What the HTTP control API serves, usable from Rust as well.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::connection_sockets::ConnectionInfo;
use super::fault_rules::InstalledFault;
use super::handle::Server;
use super::request_log::RequestPage;

impl Server {
    /// The open connections (past their handshake), by number.
    ///
    /// ```
    /// use s7_mock::server::Server;
    ///
    /// let server = Server::builder().start()?;
    /// let client = s7_client::Client::connect(iso_tcp::ClientOptions::new(server.local_addr()))?;
    /// let open = server.connections();
    /// assert_eq!(open.len(), 1);
    /// assert_eq!(open[0].peer, client.connection().local_addr()?);
    /// assert!(server.disconnect(open[0].number));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        self.context.sockets.list()
    }

    /// Drops open connection `number` without a COTP disconnect request, as a PLC that loses
    /// the connection does: its socket is shut down both ways, so the client's next read sees
    /// the TCP connection end. (A literally pulled cable tells the client nothing at all; a
    /// `stall` fault gives that silence.) `false` if no such connection is open.
    pub fn disconnect(&self, number: u64) -> bool {
        self.context.sockets.shut_down(number)
    }

    /// Requests received on every connection since the start (counted whether the log is on
    /// or not).
    pub fn received_requests(&self) -> u64 {
        self.context.handled()
    }

    /// How long the server has been running.
    pub fn uptime(&self) -> Duration {
        self.context.started.elapsed()
    }

    /// The installed fault rules, in the order they are consulted, with their hit counts.
    pub fn faults(&self) -> Vec<InstalledFault> {
        self.context.faults.list()
    }

    /// How many entries the request log keeps
    /// ([`ServerBuilder::request_log_capacity`](super::ServerBuilder::request_log_capacity)).
    pub fn request_log_capacity(&self) -> usize {
        self.context.log.capacity()
    }

    /// Entries the request log dropped since the start because it was full.
    pub fn dropped_requests(&self) -> u64 {
        self.context.log.dropped()
    }

    /// At most `limit` logged requests with a sequence number above `since` (0: from the
    /// start), without waiting. Feed [`RequestPage::next`] back as `since` to read the log as
    /// a stream.
    ///
    /// ```
    /// use s7_mock::server::Server;
    ///
    /// let server = Server::builder().start()?;
    /// let _client = s7_client::Client::connect(iso_tcp::ClientOptions::new(server.local_addr()))?;
    /// let page = server.requests_after(0, 100);
    /// assert_eq!(page.requests.len(), 1); // setup communication
    /// assert_eq!(page.next, 1);
    /// assert!(server.requests_after(page.next, 100).requests.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn requests_after(&self, since: u64, limit: usize) -> RequestPage {
        self.wait_for_requests_after(since, limit, Duration::ZERO)
    }

    /// As [`requests_after`](Self::requests_after), but when there is no such entry yet,
    /// waits up to `timeout` for the first one (without polling). Returns at once, possibly
    /// empty, when the log is off.
    pub fn wait_for_requests_after(
        &self,
        since: u64,
        limit: usize,
        timeout: Duration,
    ) -> RequestPage {
        self.context
            .log
            .wait_after(since, limit, timeout, &AtomicBool::new(false))
    }

    /// As [`wait_for_requests_after`](Self::wait_for_requests_after), ending early once
    /// `cancelled` is set and [`interrupt_request_waits`](Self::interrupt_request_waits) is
    /// called.
    #[cfg(feature = "control")]
    pub(crate) fn wait_for_requests_cancellable(
        &self,
        since: u64,
        limit: usize,
        timeout: Duration,
        cancelled: &AtomicBool,
    ) -> RequestPage {
        self.context
            .log
            .wait_after(since, limit, timeout, cancelled)
    }

    /// Wakes every thread waiting on the request log so it checks its cancel flag.
    #[cfg(feature = "control")]
    pub(crate) fn interrupt_request_waits(&self) {
        self.context.log.interrupt();
    }

    /// Sequence number of the last request logged (0 before the first).
    pub fn last_request_sequence(&self) -> u64 {
        self.context.log.total()
    }

    /// Puts the PLC back as the server started: memory (every area and data block, as they
    /// were when [`start`](super::ServerBuilder::start) returned), CPU state and clock; and
    /// removes every fault rule and empties the request log (sequence numbers go on); every
    /// simulated tag runs again, its clock counted from now (a manual
    /// [`TagClock`](crate::tags::TagClock) is left where it is). Open connections stay open.
    pub fn reset(&self) {
        let initial = &self.context.initial;
        {
            let mut memory = self.memory_mut();
            memory.clone_from(&initial.memory);
        }
        self.context.tags.restart();
        self.context.plc.set_cpu_state(initial.cpu_state);
        self.context
            .plc
            .set_clock_offset_millis(initial.clock_offset_millis);
        self.context.faults.clear();
        self.context.log.clear();
    }
}
