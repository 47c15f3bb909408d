//! Per-connection state.

use super::blocks::SessionBlocks;
use super::Plc;

/// The state of one connection: what setup communication negotiated and the rest of a
/// multi-part SZL answer still to be fetched.
///
/// Create one per connection with [`Plc::session`] and pass it to every
/// [`Plc::handle`] call on that connection. Until the client sets up communication the
/// PDU size is the PLC's maximum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub(super) pdu_size: u16,
    pub(super) amq_calling: u16,
    pub(super) amq_called: u16,
    pub(super) negotiated: bool,
    pub(super) pending_szl: Option<PendingSzl>,
    pub(super) last_sequence: u8,
    pub(super) last_data_unit: u8,
    /// Whether this connection sent the right password ("set session password").
    pub(super) legitimized: bool,
    /// Uploads, downloads and block lists in flight.
    pub(super) blocks: SessionBlocks,
}

/// The rest of an SZL answer that did not fit one PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PendingSzl {
    pub(super) sequence: u8,
    pub(super) data_unit_ref: u8,
    pub(super) remaining: Vec<u8>,
}

impl Session {
    /// A fresh session for a connection to `plc`.
    pub fn new(plc: &Plc) -> Self {
        let config = plc.config();
        Self {
            pdu_size: config.max_pdu_size,
            amq_calling: config.max_parallel_jobs,
            amq_called: config.max_parallel_jobs,
            negotiated: false,
            pending_szl: None,
            last_sequence: 0,
            last_data_unit: 0,
            legitimized: false,
            blocks: SessionBlocks::default(),
        }
    }

    /// The PDU size in force: no request may be larger, no answer is.
    pub fn pdu_size(&self) -> u16 {
        self.pdu_size
    }

    /// Parallel jobs granted `(calling, called)`.
    pub fn parallel_jobs(&self) -> (u16, u16) {
        (self.amq_calling, self.amq_called)
    }

    /// Whether setup communication happened.
    pub fn is_negotiated(&self) -> bool {
        self.negotiated
    }

    /// Whether this connection sent the right password and may do what the protection
    /// level otherwise refuses (see [`Plc::check_access`]).
    pub fn is_legitimized(&self) -> bool {
        self.legitimized
    }

    /// Whether an upload or download is in flight on this connection.
    pub fn has_transfer(&self) -> bool {
        self.blocks.upload.is_some() || self.blocks.download.is_some()
    }

    /// Whether an SZL answer waits for follow-up requests.
    pub fn has_pending_szl(&self) -> bool {
        self.pending_szl.is_some()
    }

    /// Next nonzero number from a wrapping 1..=255 counter.
    pub(super) fn next_nonzero(counter: &mut u8) -> u8 {
        *counter = counter.checked_add(1).unwrap_or(1);
        *counter
    }
}
