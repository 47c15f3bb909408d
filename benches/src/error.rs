//! The one error type of the bench helpers.

/// Everything a bench helper can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A socket or process operation failed.
    #[error("{op}: {source}")]
    Io {
        /// What was being done, e.g. "connect" or "read answer".
        op: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The ISO-on-TCP layer failed.
    #[error("iso-tcp: {0}")]
    IsoTcp(#[from] iso_tcp::Error),
    /// The mock failed.
    #[error("s7-mock: {0}")]
    Mock(#[from] s7_mock::Error),
    /// The S7comm codec failed.
    #[error("s7comm: {0}")]
    Codec(#[from] s7comm::Error),
    /// The S7 client failed.
    #[error("s7-client: {0}")]
    Client(#[from] s7_client::Error),
    /// The ISO-on-TCP framing of a sample frame failed.
    #[error("tpkt: {0}")]
    Tpkt(#[from] tpkt::Error),
    /// The COTP layer of a sample frame failed.
    #[error("cotp: {0}")]
    Cotp(#[from] cotp::Error),
    /// The peer answered something the bench did not expect.
    #[error("unexpected answer: {what}")]
    Unexpected {
        /// What was wrong with it.
        what: String,
    },
    /// The thread could not be pinned to a CPU.
    #[error("could not pin the thread to cpu {cpu}")]
    Pin {
        /// The CPU asked for.
        cpu: usize,
    },
}

impl Error {
    /// An [`Error::Io`] for `op`.
    pub fn io(op: &'static str, source: std::io::Error) -> Self {
        Error::Io { op, source }
    }

    /// An [`Error::Unexpected`] saying `what`.
    pub fn unexpected(what: impl Into<String>) -> Self {
        Error::Unexpected { what: what.into() }
    }
}
