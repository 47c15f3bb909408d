//! Profile files: a mock PLC described in TOML — CPU preset and identity, address, limits,
//! memory layout, data block images — loaded with [`Profile::load`] (or
//! [`Profile::from_toml_str`]) and applied with
//! [`ServerBuilder::profile`](crate::server::ServerBuilder::profile).
//!
//! ```toml
//! [plc]
//! preset = "s7-1500"          # s7-300 | s7-400 | s7-1200 | s7-1500
//! name = "Filler line 3"      # module name, SZL 0x001C index 2
//! cpu = "run"
//! pdu_size = 960              # capped by the preset's maximum
//! rack = 0
//! slot = 1                    # connections to another rack/slot are refused
//!
//! [areas]
//! inputs = 1024
//!
//! [[db]]
//! number = 1
//! size = 1024
//! image = "db1.bin"           # optional; relative to the profile file
//! ```
//!
//! Every key is optional; an absent one leaves the builder's setting as it was. Unknown keys
//! are errors, and every error names the file, line and key:
//!
//! ```
//! use s7_mock::profile::Profile;
//!
//! let error = Profile::from_toml_str("[plc]\nslott = 1\n", "plant.toml").unwrap_err();
//! assert_eq!(error.to_string(), r#"plant.toml:2: unknown key "slott" in [plc]"#);
//!
//! let profile = Profile::from_toml_str("[plc]\npreset = \"s7-300\"\n", "plant.toml")?;
//! let server = s7_mock::Server::builder().profile(&profile)?.start()?;
//! assert_eq!(server.plc().max_pdu_size(), 240);
//! # Ok::<(), s7_mock::Error>(())
//! ```
//!
//! The full schema, the preset values and their sources, and how the command line's flags
//! combine with a profile are in `docs/profile.md`.
//!
//! `[[tag]]` entries ([`Profile::tags`]) become the server's named tags (see
//! [`tags`](crate::tags)): [`ServerBuilder::profile`](crate::server::ServerBuilder::profile)
//! parses each address, checks it against the memory and the other tags, converts its value
//! to the tag's type, and the server writes the values and runs the simulations.

mod apply;
mod block;
mod load;
mod located;
mod preset;
mod schema;
mod tag;

use std::net::SocketAddr;

use crate::plc::{CpuState, Identity, ProtectionLevel};

pub(crate) use apply::apply;
#[cfg(feature = "cli")]
pub(crate) use apply::{apply_settings, apply_tags};
pub use load::MAX_PROFILE_LEN;
pub use preset::Preset;
pub use tag::{Located, Simulation, TagSpec};

/// Sizes from `[areas]`; `None` where the profile says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Areas {
    /// Process inputs in bytes.
    pub inputs: Option<usize>,
    /// Process outputs in bytes.
    pub outputs: Option<usize>,
    /// Merkers (flags) in bytes.
    pub merkers: Option<usize>,
    /// Number of timers.
    pub timers: Option<usize>,
    /// Number of counters.
    pub counters: Option<usize>,
}

/// A `[[db]]` with its contents (the image, zero-padded, or zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataBlock {
    /// Data block number, 1..=65535.
    pub number: u16,
    /// Initial contents; the length is the block's size.
    pub contents: Vec<u8>,
    /// Line of its `number` in the profile.
    pub line: usize,
}

/// A checked profile. Each accessor returns `None` (or nothing) for what the file leaves
/// out, and [`ServerBuilder::profile`](crate::server::ServerBuilder::profile) then leaves
/// that setting alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    origin: String,
    preset: Option<Preset>,
    identity: Option<Identity>,
    cpu_state: Option<CpuState>,
    listen: Option<SocketAddr>,
    pdu_size: Option<u16>,
    parallel_jobs: Option<u16>,
    max_connections: Option<usize>,
    szl_ids: Option<Vec<u16>>,
    rack_slot: Option<(u8, u8)>,
    password: Option<String>,
    protection_level: Option<ProtectionLevel>,
    areas: Areas,
    data_blocks: Vec<DataBlock>,
    blocks: Vec<crate::plc::BlockSpec>,
    tags: Vec<TagSpec>,
    warnings: Vec<String>,
}

impl Profile {
    /// The file name used in messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `[plc] preset`.
    pub fn preset(&self) -> Option<Preset> {
        self.preset
    }

    /// The identity served in SZL `0x0011` and `0x001C`: the preset's (or the default one)
    /// with the file's overrides; `None` when the file has neither a preset nor an override.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// `[plc] cpu`.
    pub fn cpu_state(&self) -> Option<CpuState> {
        self.cpu_state
    }

    /// `[plc] listen`.
    pub fn listen(&self) -> Option<SocketAddr> {
        self.listen
    }

    /// The largest PDU granted: `[plc] pdu_size` capped by the preset's maximum, or the
    /// preset's maximum.
    pub fn pdu_size(&self) -> Option<u16> {
        self.pdu_size
    }

    /// Parallel jobs granted (from the preset).
    pub fn parallel_jobs(&self) -> Option<u16> {
        self.parallel_jobs
    }

    /// `[plc] max_connections`, or the preset's connection limit.
    pub fn max_connections(&self) -> Option<usize> {
        self.max_connections
    }

    /// The SZL ids served (from the preset).
    pub fn szl_ids(&self) -> Option<&[u16]> {
        self.szl_ids.as_deref()
    }

    /// Memory sizes, slot, bus rates and block defaults (from the preset,
    /// [`Preset::cpu_model`]).
    pub fn cpu_model(&self) -> Option<crate::plc::CpuModel> {
        self.preset.map(Preset::cpu_model)
    }

    /// `[plc] rack` and `slot`: connections addressed elsewhere are refused.
    pub fn rack_slot(&self) -> Option<(u8, u8)> {
        self.rack_slot
    }

    /// `[plc] password` (1 to 8 ASCII characters).
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// `[plc] protection_level` (1, 2 or 3).
    pub fn protection_level(&self) -> Option<ProtectionLevel> {
        self.protection_level
    }

    /// `[areas]`.
    pub fn areas(&self) -> &Areas {
        &self.areas
    }

    /// The `[[db]]` entries, in file order.
    pub fn data_blocks(&self) -> &[DataBlock] {
        &self.data_blocks
    }

    /// The `[[block]]` entries.
    pub fn blocks(&self) -> &[crate::plc::BlockSpec] {
        &self.blocks
    }

    /// The `[[tag]]` entries, in file order: their fields are checked here, their addresses
    /// and values when the profile is applied (see the [module docs](self)).
    pub fn tags(&self) -> &[TagSpec] {
        &self.tags
    }

    /// What was accepted with a change, e.g. a `pdu_size` capped to the preset's maximum:
    /// `plant.toml:5: [plc] pdu_size: 1200 is above the s7-300 maximum of 240; capped to 240`.
    /// [`ServerBuilder::profile`](crate::server::ServerBuilder::profile) logs each at `warn`.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
