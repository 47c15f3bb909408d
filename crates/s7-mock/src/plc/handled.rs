//! What [`Plc::handle`](super::Plc::handle) reports about a request, for a request log.

use s7comm::{ErrorCode, ItemIter, Request, RequestPdu};

/// What a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// Setup communication.
    SetupCommunication,
    /// Read var with this many items.
    ReadVar {
        /// Item count.
        items: u8,
    },
    /// Write var with this many items.
    WriteVar {
        /// Item count.
        items: u8,
    },
    /// PLC stop.
    PlcStop,
    /// PLC control (start and other PI services).
    PlcControl,
    /// First request of an SZL read.
    ReadSzl {
        /// SZL id.
        id: u16,
        /// SZL index.
        index: u16,
    },
    /// Follow-up request of a multi-part SZL answer.
    ReadSzlFollowUp {
        /// Sequence number.
        sequence: u8,
    },
    /// Clock read.
    ReadClock,
    /// Clock set.
    SetClock,
    /// A job with another function code (`None`: no parameters at all).
    UnknownJob {
        /// Function code.
        function: Option<u8>,
    },
    /// Another userdata service (or userdata that did not decode).
    UnknownUserData {
        /// Function group.
        group: u8,
        /// Subfunction.
        subfunction: u8,
    },
}

/// The result of one [`Plc::handle`](super::Plc::handle) call, borrowing the request.
///
/// Cheap to produce (no allocation); [`Handled::items`] yields the item addresses of a
/// read or write as owned values, [`Handled::to_record`] decodes the whole request into an
/// owned [`RequestRecord`] when a log wants to keep it. Per-item return codes are in the
/// answer, which [`ResponsePdu::parse`](s7comm::ResponsePdu::parse) decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handled<'a> {
    /// PDU reference of the request (and the answer).
    pub pdu_ref: u16,
    /// What was asked.
    pub kind: RequestKind,
    /// `Some` when the whole request was refused: the header error of the answer, or the
    /// error code in the parameters of a userdata answer.
    pub error: Option<ErrorCode>,
    pub(super) request: &'a [u8],
    pub(super) items: &'a [u8],
}

impl<'a> Handled<'a> {
    pub(super) fn new(pdu_ref: u16, kind: RequestKind, request: &'a [u8]) -> Self {
        Self {
            pdu_ref,
            kind,
            error: None,
            request,
            items: &[],
        }
    }

    /// The item addresses of a read or write request (nothing for other requests or a
    /// refused one whose items did not decode).
    pub fn items(&self) -> ItemIter<'a> {
        ItemIter::new(self.items)
    }

    /// The request bytes.
    pub fn request_bytes(&self) -> &'a [u8] {
        self.request
    }

    /// An owned copy for a log: kind, error and the decoded request (`None` when the
    /// request's sections do not decode).
    pub fn to_record(&self) -> RequestRecord {
        RequestRecord {
            pdu_ref: self.pdu_ref,
            kind: self.kind,
            error: self.error,
            request: RequestPdu::parse(self.request).ok().map(|pdu| pdu.request),
        }
    }
}

/// An owned record of one handled request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestRecord {
    /// PDU reference.
    pub pdu_ref: u16,
    /// What was asked.
    pub kind: RequestKind,
    /// Error the whole request was refused with, if it was.
    pub error: Option<ErrorCode>,
    /// The decoded request.
    pub request: Option<Request>,
}
