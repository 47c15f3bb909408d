//! The crate's error type.

/// Everything that can go wrong talking to an S7 server.
///
/// Messages are lowercase and carry their context, e.g.
/// `"item 0 failed with return code 0x0a (object does not exist)"`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ISO-on-TCP transport below failed: connecting, the handshake, a timeout, or the
    /// peer closing or breaking the connection.
    #[error("iso-on-tcp transport: {0}")]
    Transport(#[from] iso_tcp::Error),
    /// An answer could not be decoded, or a request could not be encoded.
    #[error("s7comm: {0}")]
    Codec(#[from] s7comm::Error),
    /// The server answered a request with an error in the S7comm header.
    #[error("the plc answered {what} with error class 0x{class:02x} code 0x{code:02x}")]
    ErrorAnswer {
        /// The request answered.
        what: &'static str,
        /// Error class.
        class: u8,
        /// Error code.
        code: u8,
    },
    /// The server answered an item with a return code other than success.
    #[error("item {index} failed with return code 0x{return_code:02x}")]
    ItemFailed {
        /// Index of the item in its request.
        index: usize,
        /// The return code.
        return_code: u8,
    },
    /// The server answered with a PDU of another kind than the request calls for.
    #[error("expected {expected} but the plc answered {found}")]
    UnexpectedAnswer {
        /// The answer expected.
        expected: &'static str,
        /// What came instead.
        found: &'static str,
    },
    /// The answer carries another PDU reference than the request.
    #[error("answer pdu reference {received} does not match request {sent}")]
    PduRefMismatch {
        /// Reference sent.
        sent: u16,
        /// Reference received.
        received: u16,
    },
    /// An argument the caller passed cannot be sent.
    #[error("invalid argument: {what}")]
    InvalidArgument {
        /// What is wrong with it.
        what: &'static str,
    },
}
