//! [`ServerBuilder`]: memory layout, limits and address of a server, then
//! [`start`](ServerBuilder::start).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use iso_tcp::{Listener, ServerOptions, TpduSize};

use crate::error::Error;
use crate::memory::Region;
use crate::plc::{CpuState, Identity, Plc, PlcBuilder, ProtectionLevel};
use crate::profile::Simulation;
use crate::tags::{TagClock, TagDef, TagTable};

use super::accept_loop;
use super::context::{ServerContext, Settings};
use super::handle::Server;
use super::hooks::ServerHooks;
use super::request_log::DEFAULT_REQUEST_LOG_CAPACITY;
use super::tsap_filter::TsapFilter;

/// Default ceiling on open connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default ceiling on connections accepted but not past their COTP handshake yet; beyond it
/// the accept loop closes new TCP connections at once.
pub const DEFAULT_MAX_PENDING_HANDSHAKES: usize = 256;
/// Default receive deadline: a client that stops in the middle of a frame is cut after this
/// long (python-snap7's server cuts such a peer after 5 s too).
pub const DEFAULT_RECEIVE_DEADLINE: Duration = Duration::from_secs(5);
/// Default stack size of a worker (the thread serving a connection): the request path needs
/// little, and a thousand connections then reserve 128 MiB of address space rather than 2 GiB.
pub const DEFAULT_STACK_SIZE: usize = 128 * 1024;

/// Initial contents to copy into the memory once the PLC is built.
#[derive(Debug, Clone, Default)]
struct Images {
    inputs: Option<Vec<u8>>,
    outputs: Option<Vec<u8>>,
    flags: Option<Vec<u8>>,
    timers: Option<Vec<u16>>,
    counters: Option<Vec<u16>>,
}

/// Configures a [`Server`]. Start from [`Server::builder`].
///
/// | setting | default |
/// | --- | --- |
/// | bind address | `127.0.0.1:0` (a free port; [`Server::local_addr`] tells which) |
/// | memory | as [`Plc::builder`]: 2048 bytes each of inputs, outputs and flags, 256 timers, 256 counters, no data blocks |
/// | PDU size (largest granted) | 480 (64..=960) |
/// | CPU state | RUN |
/// | identity | [`Identity::default`] |
/// | max connections | [`DEFAULT_MAX_CONNECTIONS`]; beyond it a DR with reason congestion |
/// | max pending handshakes | [`DEFAULT_MAX_PENDING_HANDSHAKES`]; beyond it the connection waiting longest for its request is closed |
/// | called TSAP | any ([`TsapFilter::any`]) |
/// | largest TPDU granted | 1024 |
/// | handshake timeout | 5 s |
/// | request log | on, the last [`DEFAULT_REQUEST_LOG_CAPACITY`] requests |
/// | worker (connection thread) stack | [`DEFAULT_STACK_SIZE`] |
///
/// ```
/// use s7_mock::server::Server;
/// use s7_mock::plc::CpuState;
///
/// let server = Server::builder()
///     .data_block(1, 4096)
///     .data_block_with(2, vec![1, 2, 3, 4])
///     .inputs(1024)
///     .flags_with(vec![0xFF; 16])
///     .timers(64)
///     .pdu_size(960)
///     .max_connections(8)
///     .cpu_state(CpuState::Stop)
///     .start()?;
/// assert_ne!(server.local_addr().port(), 0);
/// # Ok::<(), s7_mock::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ServerBuilder {
    plc: PlcBuilder,
    prebuilt: Option<Plc>,
    images: Images,
    bind: SocketAddr,
    max_connections: usize,
    max_pending_handshakes: usize,
    tsap_filter: TsapFilter,
    max_tpdu_size: TpduSize,
    handshake_timeout: Duration,
    receive_deadline: Option<Duration>,
    idle_timeout: Option<Duration>,
    request_log: bool,
    request_log_capacity: usize,
    stack_size: usize,
    tags: Vec<TagDef>,
    tag_clock: Option<TagClock>,
    /// Installed by `on_write`, `on_read` and `on_connection_event` (see `hooks.rs`).
    pub(super) hooks: ServerHooks,
}

impl Default for ServerBuilder {
    fn default() -> Self {
        Self {
            plc: Plc::builder(),
            prebuilt: None,
            images: Images::default(),
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_pending_handshakes: DEFAULT_MAX_PENDING_HANDSHAKES,
            tsap_filter: TsapFilter::any(),
            max_tpdu_size: TpduSize::S1024,
            handshake_timeout: Duration::from_secs(5),
            receive_deadline: Some(DEFAULT_RECEIVE_DEADLINE),
            idle_timeout: None,
            request_log: true,
            request_log_capacity: DEFAULT_REQUEST_LOG_CAPACITY,
            stack_size: DEFAULT_STACK_SIZE,
            tags: Vec::new(),
            tag_clock: None,
            hooks: ServerHooks::default(),
        }
    }
}

impl ServerBuilder {
    /// Adds data block `number` of `size` zero bytes (up to 2 MiB), replacing an earlier one.
    #[must_use]
    pub fn data_block(mut self, number: u16, size: usize) -> Self {
        self.plc = self.plc.data_block(number, size);
        self
    }

    /// Declares a block in the directory (OB, FC, FB, SFC, SFB, SDB, or a DB with its
    /// metadata; see [`PlcBuilder::block`]).
    #[must_use]
    pub fn block(mut self, spec: crate::plc::BlockSpec) -> Self {
        self.plc = self.plc.block(spec);
        self
    }

    /// Largest block a download may declare (default and maximum 65535 bytes).
    #[must_use]
    pub fn max_block_size(mut self, bytes: usize) -> Self {
        self.plc = self.plc.max_block_size(bytes);
        self
    }

    /// Adds data block `number` with initial contents (its size is their length).
    #[must_use]
    pub fn data_block_with(mut self, number: u16, contents: Vec<u8>) -> Self {
        self.plc = self.plc.data_block_with(number, contents);
        self
    }

    /// Size of the process inputs (PE, `I`) in bytes, zeroed.
    #[must_use]
    pub fn inputs(mut self, size: usize) -> Self {
        self.plc = self.plc.inputs(size);
        self.images.inputs = None;
        self
    }

    /// Process inputs with initial contents (their size is the length).
    #[must_use]
    pub fn inputs_with(mut self, contents: Vec<u8>) -> Self {
        self.plc = self.plc.inputs(contents.len());
        self.images.inputs = Some(contents);
        self
    }

    /// Size of the process outputs (PA, `Q`) in bytes, zeroed.
    #[must_use]
    pub fn outputs(mut self, size: usize) -> Self {
        self.plc = self.plc.outputs(size);
        self.images.outputs = None;
        self
    }

    /// Process outputs with initial contents.
    #[must_use]
    pub fn outputs_with(mut self, contents: Vec<u8>) -> Self {
        self.plc = self.plc.outputs(contents.len());
        self.images.outputs = Some(contents);
        self
    }

    /// Size of the flags (merkers, MK, `M`) in bytes, zeroed.
    #[must_use]
    pub fn flags(mut self, size: usize) -> Self {
        self.plc = self.plc.flags(size);
        self.images.flags = None;
        self
    }

    /// Flags (merkers) with initial contents.
    #[must_use]
    pub fn flags_with(mut self, contents: Vec<u8>) -> Self {
        self.plc = self.plc.flags(contents.len());
        self.images.flags = Some(contents);
        self
    }

    /// Number of timers (up to 65536), all zero.
    #[must_use]
    pub fn timers(mut self, count: usize) -> Self {
        self.plc = self.plc.timers(count);
        self.images.timers = None;
        self
    }

    /// Timers with initial values (their number is the length).
    #[must_use]
    pub fn timers_with(mut self, values: Vec<u16>) -> Self {
        self.plc = self.plc.timers(values.len());
        self.images.timers = Some(values);
        self
    }

    /// Number of counters (up to 65536), all zero.
    #[must_use]
    pub fn counters(mut self, count: usize) -> Self {
        self.plc = self.plc.counters(count);
        self.images.counters = None;
        self
    }

    /// Counters with initial values.
    #[must_use]
    pub fn counters_with(mut self, values: Vec<u16>) -> Self {
        self.plc = self.plc.counters(values.len());
        self.images.counters = Some(values);
        self
    }

    /// Largest PDU size granted at setup communication (64..=960, default 480).
    #[must_use]
    pub fn pdu_size(mut self, size: u16) -> Self {
        self.plc = self.plc.max_pdu_size(size);
        self
    }

    /// Largest number of parallel jobs granted each way (default 1).
    #[must_use]
    pub fn max_parallel_jobs(mut self, jobs: u16) -> Self {
        self.plc = self.plc.max_parallel_jobs(jobs);
        self
    }

    /// Initial operating mode (default RUN).
    #[must_use]
    pub fn cpu_state(mut self, state: CpuState) -> Self {
        self.plc = self.plc.cpu_state(state);
        self
    }

    /// What the PLC reports about itself in SZL `0x0011` and `0x001C`.
    #[must_use]
    pub fn identity(mut self, identity: Identity) -> Self {
        self.plc = self.plc.identity(identity);
        self
    }

    /// Serves only these SZL ids (a subset of [`SZL_IDS`](crate::plc::SZL_IDS), default all).
    #[must_use]
    pub fn szl_ids(mut self, ids: &[u16]) -> Self {
        self.plc = self.plc.szl_ids(ids);
        self
    }

    /// The CPU's password (1 to 8 bytes): a connection that sends it with "set session
    /// password" may do what the [`protection_level`](Self::protection_level) refuses (see
    /// [`plc::protection`](crate::plc::protection)). [`start`](Self::start) fails with
    /// [`Error::InvalidConfig`] for an empty or longer password.
    #[must_use]
    pub fn password(mut self, password: impl AsRef<[u8]>) -> Self {
        self.plc = self.plc.password(password);
        self
    }

    /// The protection level (default [`ProtectionLevel::None`]): at
    /// [`WriteProtected`](ProtectionLevel::WriteProtected) writes and stop/start are refused
    /// with `D2 41` until the connection sends the password, at
    /// [`ReadWriteProtected`](ProtectionLevel::ReadWriteProtected) reads too. Either needs a
    /// [`password`](Self::password): [`start`](Self::start) fails with
    /// [`Error::ProtectionWithoutPassword`] without one.
    #[must_use]
    pub fn protection_level(mut self, level: ProtectionLevel) -> Self {
        self.plc = self.plc.protection_level(level);
        self
    }

    /// What the CPU model reports beyond its identity: memory sizes (SZL `0x0013`), slot
    /// (`0x0091`), MPI and K-bus rates (`0x0131`) (default a CPU 315-2 PN/DP; a profile's
    /// preset sets its own, [`Preset::cpu_model`](crate::profile::Preset::cpu_model)).
    #[must_use]
    pub fn cpu_model(mut self, model: crate::plc::CpuModel) -> Self {
        self.plc = self.plc.cpu_model(model);
        self
    }

    /// Entries the diagnostic buffer keeps (default
    /// [`DEFAULT_DIAGNOSTIC_CAPACITY`](crate::plc::DEFAULT_DIAGNOSTIC_CAPACITY)).
    #[must_use]
    pub fn diagnostic_capacity(mut self, entries: usize) -> Self {
        self.plc = self.plc.diagnostic_capacity(entries);
        self
    }

    /// Applies a [`Profile`](crate::profile::Profile): preset, identity, address, limits,
    /// rack/slot filter, areas and data blocks; what the profile leaves out stays as set.
    ///
    /// Its `[[tag]]` entries become named tags ([`tag`](Self::tag),
    /// [`simulated_tag`](Self::simulated_tag)), checked against the memory configured so far.
    ///
    /// # Errors
    /// [`Error::Profile`] naming the file, line and key of a tag that does not fit: an
    /// address that does not parse, a type that conflicts with the address, a value that
    /// does not fit the type, a place outside its area or in a data block that does not
    /// exist, two tags that overlap, a simulation of a type it cannot drive.
    pub fn profile(self, profile: &crate::profile::Profile) -> Result<Self, Error> {
        crate::profile::apply(self, profile)
    }

    /// A named tag with an initial value, written into memory when the server starts
    /// (replacing an earlier tag of that name). The server reads and writes it by name
    /// ([`Server::read_tag`], [`Server::write_tag`]).
    ///
    /// ```
    /// use s7_mock::s7comm::{Tag, Value};
    /// use s7_mock::Server;
    ///
    /// let server = Server::builder()
    ///     .data_block(1, 64)
    ///     .tag("motor_speed", Tag::parse("DB1.DBD20:REAL")?, Value::Real(1500.0))
    ///     .start()?;
    /// assert_eq!(server.read_tag("motor_speed")?, Value::Real(1500.0));
    /// assert_eq!(server.read_bytes(s7_mock::memory::Region::DataBlock(1), 20, 4)?, [0x44, 0xBB, 0x80, 0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`start`](Self::start) fails with [`Error::InvalidTag`] if the tag is not inside the
    /// memory or the value does not fit its type.
    #[must_use]
    pub fn tag(mut self, name: impl Into<String>, tag: s7comm::Tag, value: s7comm::Value) -> Self {
        self.push_tag(TagDef {
            name: name.into(),
            tag,
            value: Some(value),
            simulation: None,
        });
        self
    }

    /// A named tag whose value follows `simulation` (see [`tags`](crate::tags#live-values)):
    /// computed from the [`TagClock`] when somebody reads it, until something writes it.
    ///
    /// [`start`](Self::start) fails with [`Error::InvalidTag`] for a tag that is not one
    /// number or `BOOL`, or whose simulation leaves the type's range.
    #[must_use]
    pub fn simulated_tag(
        mut self,
        name: impl Into<String>,
        tag: s7comm::Tag,
        simulation: Simulation,
    ) -> Self {
        self.push_tag(TagDef {
            name: name.into(),
            tag,
            value: None,
            simulation: Some(simulation),
        });
        self
    }

    /// The clock simulated tags are computed from (default: real time since the start;
    /// [`TagClock::manual`] for tests that move time by hand).
    #[must_use]
    pub fn tag_clock(mut self, clock: TagClock) -> Self {
        self.tag_clock = Some(clock);
        self
    }

    pub(crate) fn push_tag(&mut self, def: TagDef) {
        self.tags.retain(|t| t.name != def.name);
        self.tags.push(def);
    }

    /// Bytes (elements for T and C) of an area in the memory this builder will create (or
    /// of the PLC it was given).
    pub(crate) fn area_len(&self, area: s7comm::Area, db: u16) -> Result<usize, Error> {
        match &self.prebuilt {
            None => self.plc.area_len(area, db),
            Some(plc) => {
                let memory = plc.memory();
                match area {
                    s7comm::Area::Timers => Ok(memory.timers().len()),
                    s7comm::Area::Counters => Ok(memory.counters().len()),
                    s7comm::Area::Inputs => Ok(memory.region_len(Region::Inputs).unwrap_or(0)),
                    s7comm::Area::Outputs => Ok(memory.region_len(Region::Outputs).unwrap_or(0)),
                    s7comm::Area::Flags => Ok(memory.region_len(Region::Flags).unwrap_or(0)),
                    s7comm::Area::DataBlock => memory
                        .region_len(Region::DataBlock(db))
                        .ok_or(Error::NoSuchDataBlock(db)),
                    s7comm::Area::Other(_) => Ok(0),
                }
            }
        }
    }

    /// Serves this PLC (shared with whoever else holds a clone of it) instead of building
    /// one: the memory, PDU size, CPU state and identity settings of this builder are then
    /// ignored.
    #[must_use]
    pub fn plc(mut self, plc: Plc) -> Self {
        self.prebuilt = Some(plc);
        self
    }

    /// Address to listen on (default `127.0.0.1:0`; port 0 picks a free port; IPv6 works,
    /// e.g. `[::1]:0`).
    #[must_use]
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Ceiling on open connections (default [`DEFAULT_MAX_CONNECTIONS`]); a client beyond
    /// it is refused with a DR, reason congestion. At least 1.
    #[must_use]
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Ceiling on connections accepted but still waiting for their connection request
    /// (default [`DEFAULT_MAX_PENDING_HANDSHAKES`], at least 1).
    ///
    /// Waiting connections cost no thread: the accept thread watches them all with one
    /// poller (epoll, kqueue) until the request is in or the [handshake
    /// timeout](Self::handshake_timeout) expires. When a new connection comes with the
    /// ceiling reached, the one that has waited longest is closed to make room, without a DR;
    /// it is counted ([`Server::refused_pending`]), logged at `debug` and reported to the
    /// connection hook as
    /// [`RefuseReason::TooManyPendingHandshakes`](super::RefuseReason::TooManyPendingHandshakes).
    /// So a flood of silent TCP connections costs at most this many sockets and no threads,
    /// and a client that sends its request at once still gets in during the flood.
    ///
    /// On platforms other than Unix each waiting connection holds a worker instead, and
    /// beyond the ceiling the new connection is closed.
    #[must_use]
    pub fn max_pending_handshakes(mut self, max: usize) -> Self {
        self.max_pending_handshakes = max.max(1);
        self
    }

    /// Which called TSAPs (rack, slot, connection type) are accepted; others are refused
    /// with a DR, reason "address unknown". Default: any.
    #[must_use]
    pub fn tsap_filter(mut self, filter: TsapFilter) -> Self {
        self.tsap_filter = filter;
        self
    }

    /// Largest COTP TPDU size granted (default 1024, as S7 CPUs).
    #[must_use]
    pub fn max_tpdu_size(mut self, size: TpduSize) -> Self {
        self.max_tpdu_size = size;
        self
    }

    /// How long a new client has to send its connection request (default 5 s).
    #[must_use]
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// How long a client may take to finish a frame, or a segmented request, once its first
    /// byte has arrived (default 5 s, as python-snap7's server): a client that stops in the
    /// middle of a frame is cut when it expires, while a client idle between requests is left
    /// alone. `None` waits forever.
    #[must_use]
    pub fn receive_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.receive_deadline = deadline;
        self
    }

    /// How long a client may send nothing at all between requests before it is cut (default:
    /// `None`, forever; keepalive still finds dead peers).
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Whether requests are logged (default on). Off, the request path allocates nothing;
    /// it can be switched later with [`Server::set_request_log`].
    #[must_use]
    pub fn request_log(mut self, enabled: bool) -> Self {
        self.request_log = enabled;
        self
    }

    /// How many requests the log keeps (default [`DEFAULT_REQUEST_LOG_CAPACITY`], at least
    /// 1): beyond it each new entry drops the oldest, and the drops are counted.
    #[must_use]
    pub fn request_log_capacity(mut self, entries: usize) -> Self {
        self.request_log_capacity = entries.max(1);
        self
    }

    /// Stack size of each worker, the thread serving a connection (default
    /// [`DEFAULT_STACK_SIZE`]).
    #[must_use]
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    fn build_plc(plc: PlcBuilder, images: Images) -> Result<Plc, Error> {
        let plc = plc.build()?;
        {
            let mut memory = plc.memory_mut();
            for (region, image) in [
                (Region::Inputs, images.inputs),
                (Region::Outputs, images.outputs),
                (Region::Flags, images.flags),
            ] {
                if let Some(image) = image {
                    memory.write_bytes(region, 0, &image)?;
                }
            }
            if let Some(values) = images.timers {
                for (slot, value) in memory.timers_mut().iter_mut().zip(values) {
                    *slot = value;
                }
            }
            if let Some(values) = images.counters {
                for (slot, value) in memory.counters_mut().iter_mut().zip(values) {
                    *slot = value;
                }
            }
        }
        Ok(plc)
    }

    /// Builds the PLC, binds, and starts the accept thread.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a setting out of range, [`Error::Transport`] when the
    /// address cannot be bound, [`Error::Spawn`] when no thread can be started.
    pub fn start(self) -> Result<Server, Error> {
        let plc = match self.prebuilt {
            Some(plc) => plc,
            None => Self::build_plc(self.plc, self.images)?,
        };
        plc.set_max_connections(self.max_connections);
        let clock = self.tag_clock.unwrap_or_default();
        clock.restart();
        let tags = Arc::new(TagTable::new(self.tags, clock));
        tags.initialize(&mut plc.memory_mut())?;
        if tags.simulated() && !plc.install_simulation(Arc::clone(&tags)) {
            tracing::warn!("the PLC already serves simulated tags of another server; these are refreshed only when read through this server");
        }
        let options = ServerOptions::new()
            .max_tpdu_size(self.max_tpdu_size)
            .handshake_timeout(self.handshake_timeout)
            .receive_deadline(self.receive_deadline)
            .idle_timeout(self.idle_timeout);
        let listener = Listener::bind(self.bind, options)?;
        let local_addr = listener.local_addr()?;
        let waker = listener.try_clone()?;
        let context = Arc::new(ServerContext::new(
            plc,
            tags,
            self.request_log,
            Settings {
                max_connections: self.max_connections,
                max_pending_handshakes: self.max_pending_handshakes,
                tsap_filter: self.tsap_filter,
                stack_size: self.stack_size,
                request_log_capacity: self.request_log_capacity,
                hooks: self.hooks,
            },
        ));
        #[cfg(unix)]
        let acceptor =
            accept_loop::Acceptor::new(listener, self.handshake_timeout).map_err(|error| {
                Error::Spawn {
                    what: "accept",
                    cause: format!("cannot create the poller: {error}"),
                }
            })?;
        let accept_context = Arc::clone(&context);
        let accept = std::thread::Builder::new()
            .name("s7-mock-accept".into())
            .stack_size(self.stack_size)
            .spawn(move || {
                #[cfg(unix)]
                acceptor.run(&accept_context);
                #[cfg(not(unix))]
                accept_loop::run_blocking(listener, accept_context);
            })
            .map_err(|error| Error::Spawn {
                what: "accept",
                cause: error.to_string(),
            })?;
        tracing::debug!(addr = %local_addr, "s7-mock server started");
        Ok(Server::new(context, local_addr, waker, accept))
    }
}
