//! The command line of the `s7-mock` binary, parsed with [`clap`]; kept in the library so it
//! can be tested without a process.
//!
//! ```
//! use s7_mock::cli;
//!
//! let args = cli::parse_args(["s7-mock", "--listen", "127.0.0.1:0", "--db", "5:128"])?;
//! assert_eq!(args.data_blocks[0].number, 5);
//! let server = args.server_builder().start()?;
//! assert_eq!(server.memory().region_len(s7_mock::memory::Region::DataBlock(5)), Some(128));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod area_spec;

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::control::ControlOptions;
use crate::error::Error;
use crate::plc::{CpuState, ProtectionLevel};
use crate::profile::Profile;
use crate::server::{Server, ServerBuilder, DEFAULT_REQUEST_LOG_CAPACITY};

pub use area_spec::{
    parse_counters, parse_data_block, parse_inputs, parse_merkers, parse_outputs, parse_timers,
    AreaImage, DataBlockSpec, ElementImage,
};

/// Data blocks served when no `--db` is given: `(number, bytes)`.
pub const DEFAULT_DATA_BLOCKS: [(u16, usize); 3] = [(1, 4096), (2, 4096), (100, 65536)];
/// Inputs served when `--inputs` is not given, in bytes.
pub const DEFAULT_INPUTS: usize = 1024;
/// Outputs served when `--outputs` is not given, in bytes.
pub const DEFAULT_OUTPUTS: usize = 1024;
/// Merkers served when `--merkers` is not given, in bytes.
pub const DEFAULT_MERKERS: usize = 4096;
/// Timers served when `--timers` is not given.
pub const DEFAULT_TIMERS: usize = 256;
/// Counters served when `--counters` is not given.
pub const DEFAULT_COUNTERS: usize = 256;

const AFTER_HELP: &str = "\
Memory layout:
  With no area flags the mock serves DB1 (4096 bytes), DB2 (4096 bytes), DB100 (65536 bytes),
  1024 bytes of inputs, 1024 bytes of outputs, 4096 bytes of merkers, 256 timers and
  256 counters. Each area flag replaces the default of its own area; any --db replaces the
  default data blocks.

  SIZE is in bytes, optionally with a K or M suffix (KiB, MiB), at most 2M per area; COUNT is
  at most 65536. FILE holds the area's initial raw bytes (timers and counters: 2 bytes each,
  big-endian); a shorter file is zero-padded, a longer one is an error.

Profile:
  --profile FILE loads a TOML profile (CPU preset, identity, address, limits, rack/slot,
  areas, data blocks, named tags with initial or simulated values, password and protection
  level; see docs/profile.md). Precedence, lowest first: the defaults above,
  then the profile, then flags given on the command line: --listen, --pdu-size,
  --max-connections and --cpu replace the profile's value (--pdu-size is not capped by the
  preset); each area flag replaces that area; --db N replaces the profile's block N and
  keeps its other blocks. When the profile has [[db]] entries the default blocks are not
  served. The profile's tags are checked against the memory the flags leave, so a flag
  that shrinks an area under a tag is a load error. A profile that does not load exits
  with code 2 and a message FILE:LINE: KEY: ...
Control API:
  --control ADDR serves an HTTP/JSON API below http://ADDR/api/v1 (status, memory, cpu,
  tags, faults, requests, connections, reset; see docs/control-api.md), e.g.
    curl http://127.0.0.1:8080/api/v1/status
  It listens on loopback only unless --control-token TOKEN is given; then every request
  needs `Authorization: Bearer TOKEN`. With --control the request log is kept (the last
  --log-capacity requests) and served by GET /api/v1/requests.

Output:
  Prints the line `listening on ADDR` on stdout once it accepts connections, and with
  --control a second line `control on http://ADDR` once the API answers. Logs go to stderr,
  filtered by RUST_LOG (default: info). Ctrl-C or SIGTERM stops it with exit code 0; a
  malformed flag, --control on a non-loopback address without --control-token, or a
  protection level of 2 or 3 without a password, exits with code 2.";

/// The CPU's operating mode at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CpuArg {
    /// RUN.
    Run,
    /// STOP.
    Stop,
}

impl From<CpuArg> for CpuState {
    fn from(cpu: CpuArg) -> Self {
        match cpu {
            CpuArg::Run => CpuState::Run,
            CpuArg::Stop => CpuState::Stop,
        }
    }
}

/// The command line.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "s7-mock",
    version,
    about = "A mock Siemens S7 PLC speaking S7comm over ISO-on-TCP (RFC 1006)",
    after_help = AFTER_HELP
)]
pub struct Args {
    /// Address to listen on (IPv4 or IPv6; port 0 picks a free port).
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:1102",
        help = "Address to listen on (IPv4 or IPv6, e.g. [::1]:1102; port 0 picks a free port)"
    )]
    pub listen: SocketAddr,

    /// A data block: number (1..=65535), size, and optionally a file with its initial
    /// bytes. Repeatable.
    #[arg(long = "db", value_name = "N:SIZE[:FILE]", value_parser = parse_data_block)]
    pub data_blocks: Vec<DataBlockSpec>,

    /// Process inputs (PE, I): size and optionally a file with their initial bytes.
    #[arg(long, value_name = "SIZE[:FILE]", value_parser = parse_inputs)]
    pub inputs: Option<AreaImage>,

    /// Process outputs (PA, Q): size and optionally a file with their initial bytes.
    #[arg(long, value_name = "SIZE[:FILE]", value_parser = parse_outputs)]
    pub outputs: Option<AreaImage>,

    /// Merkers (flags, MK, M): size and optionally a file with their initial bytes.
    #[arg(long, value_name = "SIZE[:FILE]", value_parser = parse_merkers)]
    pub merkers: Option<AreaImage>,

    /// Timers: count and optionally a file with their initial values (2 bytes each,
    /// big-endian).
    #[arg(long, value_name = "COUNT[:FILE]", value_parser = parse_timers)]
    pub timers: Option<ElementImage>,

    /// Counters: count and optionally a file with their initial values (2 bytes each,
    /// big-endian).
    #[arg(long, value_name = "COUNT[:FILE]", value_parser = parse_counters)]
    pub counters: Option<ElementImage>,

    /// Largest PDU size granted at setup communication (64..=960).
    #[arg(long, value_name = "N", default_value_t = 480,
          value_parser = clap::value_parser!(u16).range(64..=960))]
    pub pdu_size: u16,

    /// Most connections open at once; more are refused with a COTP disconnect request.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// Most connections accepted and still waiting for their connection request; beyond it
    /// the one waiting longest is closed (bounds what a flood of silent connections costs).
    #[arg(long, value_name = "N", default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_pending_handshakes: u64,

    /// Milliseconds a client may take to finish a frame (or a segmented request) once its
    /// first byte has arrived; a client stalled mid-frame is cut. 0 waits forever.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub receive_deadline_ms: u64,

    /// Milliseconds a client may stay silent between requests before it is cut. 0 (the
    /// default) waits forever.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub idle_timeout_ms: u64,

    /// CPU operating mode at start.
    #[arg(long, value_name = "MODE", value_enum, default_value_t = CpuArg::Run)]
    pub cpu: CpuArg,

    /// The CPU's password (1 to 8 ASCII characters), sent by clients with "set session
    /// password" to lift the protection level.
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,

    /// Protection level: 1 none, 2 write protection, 3 read/write protection (refused
    /// services are answered with D241 until the connection sends the password); 2 and 3
    /// need a password (--password or the profile's), else the mock exits with code 2.
    #[arg(long, value_name = "LEVEL", value_parser = clap::value_parser!(u8).range(1..=3))]
    pub protection_level: Option<u8>,

    /// A TOML profile (CPU preset, identity, limits, memory layout); flags given on the
    /// command line override its values.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// Serve the HTTP control API on this address (loopback only without --control-token;
    /// port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub control: Option<SocketAddr>,

    /// Require `Authorization: Bearer TOKEN` on every control API request (allows a
    /// non-loopback --control address).
    #[arg(long, value_name = "TOKEN", requires = "control")]
    pub control_token: Option<String>,

    /// Requests the log keeps (with --control); older ones are dropped.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REQUEST_LOG_CAPACITY as u64,
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub log_capacity: u64,

    /// Which flags with a default were given on the command line (they override a profile).
    #[arg(skip)]
    pub given: GivenFlags,
}

/// Which flags that have a default value were given on the command line, as opposed to
/// left at their default: only those override a profile's values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GivenFlags {
    /// `--listen`.
    pub listen: bool,
    /// `--pdu-size`.
    pub pdu_size: bool,
    /// `--max-connections`.
    pub max_connections: bool,
    /// `--cpu`.
    pub cpu: bool,
}

/// Parses a command line (the first item is the program name) and checks what clap cannot:
/// that no data block is given twice.
///
/// # Errors
/// A [`clap::Error`] whose [`exit`](clap::Error::exit) prints the message and exits with code
/// 2 (or 0 for `--help` and `--version`).
pub fn parse_args<I, T>(args: I) -> Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = Args::command().try_get_matches_from(args)?;
    let mut args = Args::from_arg_matches(&matches)?;
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    args.given = GivenFlags {
        listen: given("listen"),
        pdu_size: given("pdu_size"),
        max_connections: given("max_connections"),
        cpu: given("cpu"),
    };
    if let Some(addr) = args.control {
        let token = args.control_token.as_deref().unwrap_or("");
        if token.is_empty() && !addr.ip().is_loopback() {
            return Err(Args::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--control {addr} is not a loopback address: give --control-token TOKEN \
                     to serve the control API there"
                ),
            ));
        }
    }
    let mut numbers: Vec<u16> = args.data_blocks.iter().map(|db| db.number).collect();
    numbers.sort_unstable();
    if let Some(twice) = numbers.windows(2).find_map(|pair| match pair {
        [a, b] if a == b => Some(*a),
        _ => None,
    }) {
        return Err(Args::command().error(
            clap::error::ErrorKind::ArgumentConflict,
            format!("data block {twice} is given twice with --db"),
        ));
    }
    Ok(args)
}

impl Args {
    /// Loads the `--profile` file, if one is given.
    ///
    /// # Errors
    /// As [`Profile::load`]: the message names the file, line and key.
    pub fn load_profile(&self) -> Result<Option<Profile>, Error> {
        self.profile.as_deref().map(Profile::load).transpose()
    }

    /// The address the mock will listen on: `--listen` when given, else the profile's
    /// `listen`, else the default.
    pub fn listen_addr(&self, profile: Option<&Profile>) -> SocketAddr {
        match profile.and_then(Profile::listen) {
            Some(addr) if !self.given.listen => addr,
            _ => self.listen,
        }
    }

    /// A server builder for this command line on top of `profile` (see the precedence in
    /// `--help`): the defaults, then the profile, then the flags given.
    ///
    /// # Errors
    /// As [`ServerBuilder::profile`]: a `[[tag]]` that does not fit the memory or its type.
    /// The tags are checked against the memory after the flags, so a `--db` or area flag that
    /// shrinks or replaces the memory under a tag is such an error too.
    pub fn server_builder_with_profile(&self, profile: &Profile) -> Result<ServerBuilder, Error> {
        let mut builder = crate::profile::apply_settings(
            self.defaults(self.data_blocks.is_empty() && profile.data_blocks().is_empty()),
            profile,
        );
        if self.given.listen {
            builder = builder.bind(self.listen);
        }
        if self.given.pdu_size {
            builder = builder.pdu_size(self.pdu_size);
        }
        if self.given.max_connections {
            builder = builder
                .max_connections(usize::try_from(self.max_connections).unwrap_or(usize::MAX));
        }
        if self.given.cpu {
            builder = builder.cpu_state(self.cpu.into());
        }
        // The tags last: a flag that shrinks or drops the memory under a tag is then a load
        // error naming the tag's file, line and key, like any other misplaced tag.
        crate::profile::apply_tags(self.area_flags(self.protection_flags(builder)), profile)
    }

    /// The `--db` and area flags given, on top of `builder`.
    fn area_flags(&self, mut builder: ServerBuilder) -> ServerBuilder {
        for db in &self.data_blocks {
            builder = builder.data_block_with(db.number, db.image.bytes.clone());
        }
        if let Some(image) = &self.inputs {
            builder = builder.inputs_with(image.bytes.clone());
        }
        if let Some(image) = &self.outputs {
            builder = builder.outputs_with(image.bytes.clone());
        }
        if let Some(image) = &self.merkers {
            builder = builder.flags_with(image.bytes.clone());
        }
        if let Some(image) = &self.timers {
            builder = builder.timers_with(image.values.clone());
        }
        if let Some(image) = &self.counters {
            builder = builder.counters_with(image.values.clone());
        }
        builder
    }

    /// The control API's options, with `--control`; the profile's preset is reported by
    /// `GET /api/v1/status`.
    pub fn control_options(&self, profile: Option<&Profile>) -> Option<ControlOptions> {
        self.control.map(|addr| ControlOptions {
            addr,
            token: self.control_token.clone(),
            preset: profile
                .and_then(Profile::preset)
                .map(|preset| preset.name().to_owned()),
        })
    }

    /// A server builder for this command line without its `--profile` (see
    /// [`server_builder_with_profile`](Self::server_builder_with_profile)): the layout
    /// (defaults filled in), PDU size, connection limit, CPU state and address. The request
    /// log is kept only with `--control`, which serves it; otherwise nobody could read it.
    pub fn server_builder(&self) -> ServerBuilder {
        self.area_flags(self.protection_flags(self.defaults(self.data_blocks.is_empty())))
    }

    /// `--password` and `--protection-level`, on top of `builder`.
    fn protection_flags(&self, mut builder: ServerBuilder) -> ServerBuilder {
        if let Some(password) = &self.password {
            builder = builder.password(password);
        }
        if let Some(level) = self.protection_level.and_then(ProtectionLevel::from_number) {
            builder = builder.protection_level(level);
        }
        builder
    }

    /// The flags' scalar settings and the default areas, plus the default data blocks when
    /// `default_blocks`; the area flags go on top with [`Args::area_flags`].
    fn defaults(&self, default_blocks: bool) -> ServerBuilder {
        let mut builder = Server::builder()
            .bind(self.listen)
            .pdu_size(self.pdu_size)
            .max_connections(usize::try_from(self.max_connections).unwrap_or(usize::MAX))
            .max_pending_handshakes(
                usize::try_from(self.max_pending_handshakes).unwrap_or(usize::MAX),
            )
            .cpu_state(self.cpu.into())
            .receive_deadline(millis(self.receive_deadline_ms))
            .idle_timeout(millis(self.idle_timeout_ms))
            .request_log(self.control.is_some())
            .request_log_capacity(usize::try_from(self.log_capacity).unwrap_or(usize::MAX))
            .inputs(DEFAULT_INPUTS)
            .outputs(DEFAULT_OUTPUTS)
            .flags(DEFAULT_MERKERS)
            .timers(DEFAULT_TIMERS)
            .counters(DEFAULT_COUNTERS);
        if default_blocks {
            for (number, size) in DEFAULT_DATA_BLOCKS {
                builder = builder.data_block(number, size);
            }
        }
        builder
    }
}

/// `ms` milliseconds, or `None` for 0 (wait forever).
fn millis(ms: u64) -> Option<std::time::Duration> {
    (ms > 0).then(|| std::time::Duration::from_millis(ms))
}
