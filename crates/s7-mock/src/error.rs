//! The crate's error type.

use crate::memory::Region;

/// Everything that can go wrong in this crate: decoding or encoding S7comm, accessing the
/// memory model, configuring a [`Plc`](crate::plc::Plc) or starting a server.
///
/// Messages are lowercase and carry their context, e.g.
/// `"read var item is truncated: needs 12 bytes, only 5 present"`.
///
/// When [`Plc::handle`](crate::plc::Plc::handle) returns an error, the request was not an
/// S7comm PDU at all (see the [`plc`](crate::plc) module docs): the server should close the
/// connection, as S7 CPUs do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Decoding or encoding S7comm failed.
    #[error(transparent)]
    Codec(#[from] s7comm::Error),
    /// A memory access runs past the end of its region.
    #[error("access to {region} at byte {offset} with length {len} is outside its {size} bytes")]
    OutOfRange {
        /// The region.
        region: Region,
        /// First byte of the access.
        offset: usize,
        /// Length of the access in bytes.
        len: usize,
        /// Size of the region.
        size: usize,
    },
    /// The data block is not configured.
    #[error("data block {0} does not exist")]
    NoSuchDataBlock(u16),
    /// A bit number above 7.
    #[error("bit number {0} is above 7")]
    BitNumber(u8),
    /// A timer or counter index past the configured count.
    #[error("{what} {index} does not exist ({count} configured)")]
    NoSuchElement {
        /// `"timer"` or `"counter"`.
        what: &'static str,
        /// The index asked for (the first one past the end for a range).
        index: usize,
        /// How many there are.
        count: usize,
    },
    /// A configuration value outside its allowed range.
    #[error("{what} {value} is outside the allowed range {min}..={max}")]
    InvalidConfig {
        /// The setting.
        what: &'static str,
        /// The value given.
        value: usize,
        /// Smallest allowed value.
        min: usize,
        /// Largest allowed value.
        max: usize,
    },
    /// A protection level that refuses services (2 or 3) without a password: no connection
    /// could ever send the password, so every one would stay locked for good.
    #[error(
        "protection level {level} needs a password: without one no connection can lift it \
         and every connection stays locked"
    )]
    ProtectionWithoutPassword {
        /// The level configured (2 or 3).
        level: u8,
    },
    /// The ISO-on-TCP transport below failed (binding the listening socket).
    #[error("iso-on-tcp transport: {0}")]
    Transport(#[from] TransportError),
    /// Waiting for the request log to reach a number of entries took longer than allowed.
    #[error("waited {timeout:?} for {wanted} logged requests, but only {logged} arrived")]
    WaitTimedOut {
        /// Entries waited for.
        wanted: usize,
        /// Entries there were when the time ran out.
        logged: usize,
        /// How long was waited.
        timeout: std::time::Duration,
    },
    /// Waiting for a number of open connections took longer than allowed.
    #[error("waited {timeout:?} for {wanted} open connections, but {open} are open")]
    ConnectionWaitTimedOut {
        /// Connections waited for.
        wanted: usize,
        /// Connections open when the time ran out.
        open: usize,
        /// How long was waited.
        timeout: std::time::Duration,
    },
    /// The request log is switched off, so there is nothing to wait for.
    #[error("the request log is disabled")]
    RequestLogDisabled,
    /// The HTTP control API was asked to listen on an address other than loopback without an
    /// access token.
    #[error(
        "the control api address {0} is not a loopback address: serving it there needs a token"
    )]
    ControlNotLoopback(std::net::SocketAddr),
    /// The HTTP control API cannot listen on its address.
    #[error("cannot serve the control api on {addr}: {cause}")]
    ControlBind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why not.
        cause: String,
    },
    /// A server thread could not be started.
    #[error("cannot start the {what} thread: {cause}")]
    Spawn {
        /// Which thread: `"accept"` or `"connection"`.
        what: &'static str,
        /// The operating system's reason.
        cause: String,
    },
    /// A command-line area specification does not parse.
    #[error("invalid {what} {spec:?}: {reason}")]
    InvalidSpec {
        /// What was specified (`"data block"`, `"inputs"`, ...).
        what: &'static str,
        /// The specification as given.
        spec: String,
        /// Why it is refused.
        reason: String,
    },
    /// An initial memory image file cannot be read.
    #[error("cannot read image file {path:?}: {cause}")]
    ImageRead {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's reason.
        cause: String,
    },
    /// An initial memory image file holds more bytes than its area.
    #[error("image file {path:?} holds more than the {size} bytes of its area")]
    ImageTooLarge {
        /// The file.
        path: std::path::PathBuf,
        /// Size of the area in bytes.
        size: usize,
    },
    /// A profile file cannot be read.
    #[error("cannot read profile {path:?}: {cause}")]
    ProfileRead {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's reason.
        cause: String,
    },
    /// A profile does not load: the message names the file, the line and the key, e.g.
    /// `plant.toml:14: [[db]] number: data block 0 is outside 1..=65535`.
    #[error("{origin}:{line}: {message}")]
    Profile {
        /// The file, as given to [`Profile::load`](crate::profile::Profile::load) or
        /// [`Profile::from_toml_str`](crate::profile::Profile::from_toml_str).
        origin: String,
        /// Line of the offending key or value, from 1.
        line: usize,
        /// The TOML path of the key, e.g. `db[1].number` or `plc.slott` (empty for a syntax
        /// error).
        key: String,
        /// What is wrong, starting with the table and key, e.g. `[[db]] number: ...`.
        message: String,
    },
    /// No tag has this name, and it is not an address either.
    #[error("no tag named {name:?} (and as an address: {reason})")]
    UnknownTag {
        /// The name asked for.
        name: String,
        /// Why it is not an address either.
        reason: String,
    },
    /// An address that carries a type was given another type as well.
    #[error("{address} is of type {address_type}, not {given}")]
    TagTypeConflict {
        /// The address (or tag name) as given.
        address: String,
        /// The type the address (or named tag) has.
        address_type: String,
        /// The other type given.
        given: String,
    },
    /// A value that does not have the shape of its tag (an array for a scalar, an array of
    /// another length, a JSON object).
    #[error("value for {tag}: {reason}")]
    TagValue {
        /// The tag, in canonical form.
        tag: String,
        /// What is wrong.
        reason: String,
    },
    /// A named tag that cannot be served: its place is not in the memory, its value does not
    /// fit, its simulation does not fit its type.
    #[error("tag {name:?}: {reason}")]
    InvalidTag {
        /// The tag's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

/// An [`iso_tcp::Error`] kept inside [`Error::Transport`].
///
/// `iso_tcp::Error` holds an `std::io::Error`, which is neither `Clone` nor `PartialEq`; this
/// wrapper shares it so [`Error`] stays both. Two transport errors compare equal when they are
/// the same error or say the same thing.
#[derive(Debug, Clone)]
pub struct TransportError(std::sync::Arc<iso_tcp::Error>);

impl TransportError {
    /// The transport error itself, for matching on its kind.
    pub fn get(&self) -> &iso_tcp::Error {
        &self.0
    }
}

impl From<iso_tcp::Error> for TransportError {
    fn from(error: iso_tcp::Error) -> Self {
        Self(std::sync::Arc::new(error))
    }
}

impl From<iso_tcp::Error> for Error {
    fn from(error: iso_tcp::Error) -> Self {
        Self::Transport(TransportError::from(error))
    }
}

impl PartialEq for TransportError {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for TransportError {}

impl core::fmt::Display for TransportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}
