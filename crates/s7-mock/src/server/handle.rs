//! [`Server`]: a running mock PLC. Memory access, the request log, fault injection; dropping
//! it shuts everything down.

use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use iso_tcp::Listener;

use crate::error::Error;
use crate::memory::{Memory, Region};
use crate::plc::{CpuState, Plc};

use super::builder::ServerBuilder;
use super::context::ServerContext;
use super::fault::Fault;
use super::fault_rules::{FaultBuilder, FaultId};
use super::request_log::LoggedRequest;

/// How long the fallback wake-up connection may take.
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// A running mock S7 PLC.
///
/// Created by [`ServerBuilder::start`]. It listens on [`local_addr`](Self::local_addr) and
/// serves each client on a thread of its own (threads are reused from one connection to the
/// next). Dropping it (or calling
/// [`shutdown`](Self::shutdown)) stops accepting, closes every connection (so blocked reads
/// return) and joins every thread it started: once the drop returns the port is closed.
///
/// ```
/// use std::time::Duration;
/// use s7_client::Client;
/// use s7comm::Area;
/// use s7_mock::memory::Region;
/// use s7_mock::server::{Function, Server};
///
/// let server = Server::builder().data_block(1, 64).start()?;
/// server.write_bytes(Region::DataBlock(1), 0, &[1, 2, 3])?;
///
/// let mut client = Client::connect(iso_tcp::ClientOptions::new(server.local_addr()))?;
/// assert_eq!(client.read_area(Area::DataBlock, 1, 0, 3)?, [1, 2, 3]);
///
/// // Setup communication, then the read.
/// let log = server.wait_for_requests(2, Duration::from_secs(5))?;
/// assert_eq!(log[1].function, Function::ReadVar);
/// assert_eq!(log[1].peer, client.connection().local_addr()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Server {
    pub(super) context: Arc<ServerContext>,
    local_addr: SocketAddr,
    waker: Option<Listener>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// A builder with the defaults (see [`ServerBuilder`]).
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    pub(crate) fn new(
        context: Arc<ServerContext>,
        local_addr: SocketAddr,
        waker: Listener,
        accept: JoinHandle<()>,
    ) -> Self {
        Self {
            context,
            local_addr,
            waker: Some(waker),
            accept: Some(accept),
        }
    }

    /// The address the server listens on, with the actual port.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The PLC served: memory, CPU state, clock, identity.
    pub fn plc(&self) -> &Plc {
        &self.context.plc
    }

    /// Adds an entry to the diagnostic buffer (SZL `0x00A0`), newest first; stamped with the
    /// PLC clock when its `time` is `None`. See [`Plc::push_diagnostic`].
    pub fn push_diagnostic(&self, event: crate::plc::DiagnosticEvent) {
        self.context.plc.push_diagnostic(event);
    }

    /// Read access to the whole memory. Hold it briefly: clients wait for it.
    pub fn memory(&self) -> RwLockReadGuard<'_, Memory> {
        self.context.plc.memory()
    }

    /// Write access to the whole memory; several changes made under one guard are seen by
    /// clients all at once.
    pub fn memory_mut(&self) -> RwLockWriteGuard<'_, Memory> {
        self.context.plc.memory_mut()
    }

    /// `len` bytes of a region from `offset`.
    ///
    /// # Errors
    /// [`Error::NoSuchDataBlock`], [`Error::OutOfRange`].
    pub fn read_bytes(&self, region: Region, offset: usize, len: usize) -> Result<Vec<u8>, Error> {
        Ok(self.memory().read_bytes(region, offset, len)?.to_vec())
    }

    /// Writes `data` at `offset` of a region.
    ///
    /// # Errors
    /// [`Error::NoSuchDataBlock`], [`Error::OutOfRange`].
    pub fn write_bytes(&self, region: Region, offset: usize, data: &[u8]) -> Result<(), Error> {
        self.memory_mut().write_bytes(region, offset, data)
    }

    /// Bit `bit` (0..=7) of byte `byte`.
    ///
    /// # Errors
    /// As [`Memory::read_bit`].
    pub fn read_bit(&self, region: Region, byte: usize, bit: u8) -> Result<bool, Error> {
        self.memory().read_bit(region, byte, bit)
    }

    /// Sets or clears one bit.
    ///
    /// # Errors
    /// As [`Memory::write_bit`].
    pub fn write_bit(
        &self,
        region: Region,
        byte: usize,
        bit: u8,
        value: bool,
    ) -> Result<(), Error> {
        self.memory_mut().write_bit(region, byte, bit, value)
    }

    /// A big-endian WORD.
    ///
    /// # Errors
    /// As [`Memory::read_u16`].
    pub fn read_u16(&self, region: Region, offset: usize) -> Result<u16, Error> {
        self.memory().read_u16(region, offset)
    }

    /// Writes a big-endian WORD.
    ///
    /// # Errors
    /// As [`Memory::write_u16`].
    pub fn write_u16(&self, region: Region, offset: usize, value: u16) -> Result<(), Error> {
        self.memory_mut().write_u16(region, offset, value)
    }

    /// A big-endian INT.
    ///
    /// # Errors
    /// As [`Memory::read_i16`].
    pub fn read_i16(&self, region: Region, offset: usize) -> Result<i16, Error> {
        self.memory().read_i16(region, offset)
    }

    /// Writes a big-endian INT.
    ///
    /// # Errors
    /// As [`Memory::write_i16`].
    pub fn write_i16(&self, region: Region, offset: usize, value: i16) -> Result<(), Error> {
        self.memory_mut().write_i16(region, offset, value)
    }

    /// A big-endian DWORD.
    ///
    /// # Errors
    /// As [`Memory::read_u32`].
    pub fn read_u32(&self, region: Region, offset: usize) -> Result<u32, Error> {
        self.memory().read_u32(region, offset)
    }

    /// Writes a big-endian DWORD.
    ///
    /// # Errors
    /// As [`Memory::write_u32`].
    pub fn write_u32(&self, region: Region, offset: usize, value: u32) -> Result<(), Error> {
        self.memory_mut().write_u32(region, offset, value)
    }

    /// A big-endian DINT.
    ///
    /// # Errors
    /// As [`Memory::read_i32`].
    pub fn read_i32(&self, region: Region, offset: usize) -> Result<i32, Error> {
        self.memory().read_i32(region, offset)
    }

    /// Writes a big-endian DINT.
    ///
    /// # Errors
    /// As [`Memory::write_i32`].
    pub fn write_i32(&self, region: Region, offset: usize, value: i32) -> Result<(), Error> {
        self.memory_mut().write_i32(region, offset, value)
    }

    /// A big-endian REAL.
    ///
    /// # Errors
    /// As [`Memory::read_f32`].
    pub fn read_f32(&self, region: Region, offset: usize) -> Result<f32, Error> {
        self.memory().read_f32(region, offset)
    }

    /// Writes a big-endian REAL.
    ///
    /// # Errors
    /// As [`Memory::write_f32`].
    pub fn write_f32(&self, region: Region, offset: usize, value: f32) -> Result<(), Error> {
        self.memory_mut().write_f32(region, offset, value)
    }

    /// Timer `index`.
    ///
    /// # Errors
    /// [`Error::NoSuchElement`].
    pub fn timer(&self, index: usize) -> Result<u16, Error> {
        self.memory().timer(index)
    }

    /// Sets timer `index`.
    ///
    /// # Errors
    /// [`Error::NoSuchElement`].
    pub fn set_timer(&self, index: usize, value: u16) -> Result<(), Error> {
        self.memory_mut().set_timer(index, value)
    }

    /// Counter `index`.
    ///
    /// # Errors
    /// [`Error::NoSuchElement`].
    pub fn counter(&self, index: usize) -> Result<u16, Error> {
        self.memory().counter(index)
    }

    /// Sets counter `index`.
    ///
    /// # Errors
    /// [`Error::NoSuchElement`].
    pub fn set_counter(&self, index: usize, value: u16) -> Result<(), Error> {
        self.memory_mut().set_counter(index, value)
    }

    /// The CPU's operating mode.
    pub fn cpu_state(&self) -> CpuState {
        self.context.plc.cpu_state()
    }

    /// Changes the CPU's operating mode.
    pub fn set_cpu_state(&self, state: CpuState) {
        self.context.plc.set_cpu_state(state);
    }

    /// Connections open now (past their handshake).
    pub fn open_connections(&self) -> usize {
        self.context.gauge.open()
    }

    /// TCP connections accepted since the start, refused ones included; the number the
    /// next one gets, minus one.
    pub fn accepted_connections(&self) -> u64 {
        self.context.accepted()
    }

    /// TCP connections the accept thread closed before their handshake to keep at most
    /// [`max_pending_handshakes`](ServerBuilder::max_pending_handshakes) connections waiting
    /// for their request (counted in [`accepted_connections`](Self::accepted_connections)
    /// too).
    pub fn refused_pending(&self) -> u64 {
        self.context.refused_pending()
    }

    /// Connections accepted and still waiting for their connection request.
    pub fn pending_handshakes(&self) -> usize {
        self.context.pending.open()
    }

    /// Blocks until exactly `n` connections are open (e.g. 0 after clients closed theirs).
    ///
    /// # Errors
    /// [`Error::ConnectionWaitTimedOut`] after `timeout`.
    pub fn wait_for_open_connections(&self, n: usize, timeout: Duration) -> Result<(), Error> {
        self.context.gauge.wait_for(n, timeout)
    }

    /// Every request logged since the start or the last [`clear_requests`](Self::clear_requests).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.context.log.snapshot()
    }

    /// How many requests the log holds.
    pub fn request_count(&self) -> usize {
        self.context.log.len()
    }

    /// Blocks until the log holds at least `n` requests and returns all it holds (in the
    /// order they were handled), without polling.
    ///
    /// # Errors
    /// [`Error::WaitTimedOut`] after `timeout`; [`Error::RequestLogDisabled`] when the log is
    /// off.
    pub fn wait_for_requests(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<LoggedRequest>, Error> {
        self.context.log.wait_for(n, timeout)
    }

    /// Blocks until the log holds an `n`-th request (from 1) and returns it.
    ///
    /// # Errors
    /// As [`wait_for_requests`](Self::wait_for_requests).
    pub fn wait_for_request(&self, n: usize, timeout: Duration) -> Result<LoggedRequest, Error> {
        let n = n.max(1);
        let mut entries = self.context.log.wait_for(n, timeout)?;
        entries.truncate(n);
        entries.pop().ok_or(Error::WaitTimedOut {
            wanted: n,
            logged: 0,
            timeout,
        })
    }

    /// Empties the log (sequence numbers go on counting).
    pub fn clear_requests(&self) {
        self.context.log.clear();
    }

    /// Switches the request log on or off.
    pub fn set_request_log(&self, enabled: bool) {
        self.context.log.set_enabled(enabled);
    }

    /// Whether requests are being logged.
    pub fn is_request_log_enabled(&self) -> bool {
        self.context.log.is_enabled()
    }

    /// Starts installing a fault; choose where it fires on the returned builder and finish
    /// with [`once`](FaultBuilder::once), [`times`](FaultBuilder::times) or
    /// [`persistent`](FaultBuilder::persistent).
    ///
    /// ```
    /// use s7_mock::server::{Fault, Function, Server};
    /// use s7comm::ReturnCode;
    /// use iso_tcp::DisconnectReason;
    ///
    /// let server = Server::builder().start()?;
    /// // The next write is answered with item 0 failing.
    /// server
    ///     .inject(Fault::ItemReturnCode { index: 0, return_code: ReturnCode::AccessDenied })
    ///     .when(Function::WriteVar)
    ///     .once();
    /// // Every new connection is refused until the rule is removed.
    /// let refuse = server.inject(Fault::Refuse(DisconnectReason::ConnectionRefused)).persistent();
    /// assert!(server.remove_fault(refuse));
    /// # Ok::<(), s7_mock::Error>(())
    /// ```
    pub fn inject(&self, fault: Fault) -> FaultBuilder<'_> {
        FaultBuilder::new(&self.context.faults, fault)
    }

    /// How many times the fault fired.
    pub fn fault_hits(&self, id: FaultId) -> u64 {
        self.context.faults.hits(id)
    }

    /// Whether the fault can still fire.
    pub fn fault_pending(&self, id: FaultId) -> bool {
        self.context.faults.is_pending(id)
    }

    /// Removes a fault; `false` if it was not installed.
    pub fn remove_fault(&self, id: FaultId) -> bool {
        self.context.faults.remove(id)
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.context.faults.clear();
    }

    /// Stops the server and joins its threads (what dropping it does).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.context.stop.trigger();
        self.wake_accept();
        // The accept thread catches its own panics nowhere; there is nothing to recover.
        let _ = accept.join();
        self.context.workers.close();
        self.context.sockets.close_all();
        self.context.workers.join_all();
        self.waker = None;
        tracing::info!(addr = %self.local_addr, "server stopped");
    }

    /// Wakes the accept thread out of its poll (or blocking accept): both see the listener
    /// become readable.
    fn wake_accept(&self) {
        // On Linux shutting the listening socket down makes accept return at once and refuse
        // new clients; elsewhere a connection to ourselves does the waking.
        let shut = self
            .waker
            .as_ref()
            .is_some_and(|listener| listener.socket().shutdown(Shutdown::Read).is_ok());
        if shut {
            return;
        }
        let ip = match self.local_addr {
            SocketAddr::V4(v4) if v4.ip().is_unspecified() => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(v6) if v6.ip().is_unspecified() => Ipv6Addr::LOCALHOST.into(),
            addr => addr.ip(),
        };
        let _ =
            TcpStream::connect_timeout(&SocketAddr::new(ip, self.local_addr.port()), WAKE_TIMEOUT);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
