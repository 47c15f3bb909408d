//! The crate's error type.

use s7comm::ReturnCode;

/// Everything that can go wrong talking to an S7 server.
///
/// Messages are lowercase and carry their context, e.g.
/// `"item 0 failed: object does not exist (0x0a)"`.
///
/// Multi-item calls ([`Client::read_many`](crate::Client::read_many),
/// [`Client::write_many`](crate::Client::write_many)) do not use [`Error::ItemFailed`]: they
/// give each item its own result, so one missing data block does not fail the whole call.
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
    /// Rack, slot or TSAP are out of range (rack 0..=7, slot 0..=31).
    #[error("s7 tsap: {0}")]
    Tsap(#[from] cotp::Error),
    /// The server answered a request with an error in the S7comm header (or, for userdata,
    /// in its parameters).
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
    #[error(
        "item {index} failed: {} (0x{:02x})",
        return_code_name(*return_code),
        return_code.to_u8()
    )]
    ItemFailed {
        /// Index of the item in the caller's request.
        index: usize,
        /// The return code.
        return_code: ReturnCode,
    },
    /// A successful answer item holds another number of bytes than was asked for.
    #[error("item {index} answered {received} bytes where {expected} were asked for")]
    ItemLength {
        /// Index of the item in the caller's request.
        index: usize,
        /// Bytes asked for.
        expected: usize,
        /// Bytes received.
        received: usize,
    },
    /// An answer holds another number of items than its request.
    #[error("the {what} answer holds {received} items where {expected} were sent")]
    ItemCount {
        /// The request answered.
        what: &'static str,
        /// Items sent.
        expected: usize,
        /// Items answered.
        received: usize,
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
    /// With several requests in flight, the client could not receive every answer (a
    /// transport error, or an answer matching none of the requests), so it shut the
    /// connection down rather than leave answers to be taken for those of a later call.
    #[error("connection shut down with {outstanding} answers outstanding: {source}")]
    ConnectionAbandoned {
        /// Requests sent and not answered.
        outstanding: usize,
        /// What went wrong.
        source: Box<Error>,
    },
    /// An SZL answer does not hold what its id promises.
    #[error("szl 0x{id:04x}: {reason}")]
    Szl {
        /// The SZL id read.
        id: u16,
        /// What is wrong with the answer.
        reason: &'static str,
    },
    /// An argument the caller passed cannot be sent.
    #[error("invalid argument: {what}")]
    InvalidArgument {
        /// What is wrong with it.
        what: &'static str,
    },
}

/// The lowercase name of a return code, as error messages print it.
///
/// ```
/// use s7comm::ReturnCode;
/// assert_eq!(s7_client::return_code_name(ReturnCode::ObjectDoesNotExist), "object does not exist");
/// ```
pub fn return_code_name(code: ReturnCode) -> &'static str {
    match code {
        ReturnCode::Reserved => "reserved",
        ReturnCode::HardwareFault => "hardware fault",
        ReturnCode::AccessDenied => "access denied",
        ReturnCode::AddressOutOfRange => "address out of range",
        ReturnCode::TransportSizeNotSupported => "transport size not supported",
        ReturnCode::DataSizeMismatch => "data size mismatch",
        ReturnCode::ObjectDoesNotExist => "object does not exist",
        ReturnCode::Success => "success",
        ReturnCode::Other(_) => "unknown return code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_failures_name_their_return_code() {
        let error = Error::ItemFailed {
            index: 0,
            return_code: ReturnCode::ObjectDoesNotExist,
        };
        assert_eq!(
            error.to_string(),
            "item 0 failed: object does not exist (0x0a)"
        );
        let other = Error::ItemFailed {
            index: 3,
            return_code: ReturnCode::Other(0x81),
        };
        assert_eq!(
            other.to_string(),
            "item 3 failed: unknown return code (0x81)"
        );
    }
}
