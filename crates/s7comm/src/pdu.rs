//! Whole PDUs: header plus typed parameters and data, for requests and answers.
//!
//! [`RequestPdu`] is what a client sends (ROSCTR `01` job or `07` userdata),
//! [`ResponsePdu`] what a PLC answers (ROSCTR `02`, `03` or `07`). Both decode any input
//! without panicking and encode back to exactly the bytes they came from; a job whose
//! function this crate does not model keeps its raw sections in an `Unknown` variant.
//!
//! What is kept for exact round trips rather than normalised: the reserved header bytes
//! (`reserved`), the ROSCTR of an answer without sections ([`Response::Ack`] for `02`,
//! [`Response::EmptyAckData`] for `03`), and inside the bodies the reserved bytes, fill
//! bytes, data item lengths and a read request's missing item count (see each type). What is
//! refused instead: an ack (`02`) with parameters or data ([`Error::AckWithSections`]).

use super::block::transfer::{is_transfer_function, TransferRequest, TransferResponse};
use super::control::{
    ControlResponse, PlcControlRequest, PlcStopRequest, CONTROL_FUNCTION, STOP_FUNCTION,
};
use super::cursor::wire_u16;
use super::header::{ErrorCode, Header, MessageType};
use super::read_var::{self, ReadVarRequest, ReadVarResponse};
use super::setup::{self, SetupCommunication};
use super::userdata::UserData;
use super::write_var::{self, WriteVarRequest, WriteVarResponse};
use alloc::vec::Vec;

use crate::Error;

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Request {
    /// Setup communication (`F0`).
    SetupCommunication(SetupCommunication),
    /// Read var (`04`).
    ReadVar(ReadVarRequest),
    /// Write var (`05`).
    WriteVar(WriteVarRequest),
    /// PLC stop (`29`).
    PlcStop(PlcStopRequest),
    /// PLC control (`28`).
    PlcControl(PlcControlRequest),
    /// Userdata (ROSCTR `07`).
    UserData(UserData),
    /// Upload or download (`1A`-`1F`, see [`block::transfer`](crate::block::transfer)).
    Transfer(TransferRequest),
    /// A job with another function code (or none): its raw sections.
    Unknown {
        /// Parameter section (starts with the function code when not empty).
        params: Vec<u8>,
        /// Data section.
        data: Vec<u8>,
    },
}

/// A request PDU (owned).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestPdu {
    /// PDU reference.
    pub pdu_ref: u16,
    /// Body.
    pub request: Request,
    /// The reserved header bytes 2-3 ([`Header::reserved`]), `0` from every known client.
    pub reserved: u16,
}

impl RequestPdu {
    /// A request with reference `pdu_ref` and zero reserved header bytes.
    pub fn new(pdu_ref: u16, request: Request) -> Self {
        Self {
            pdu_ref,
            request,
            reserved: 0,
        }
    }

    /// Decodes a whole request PDU (job or userdata).
    pub fn parse(pdu: &[u8]) -> Result<Self, Error> {
        let (header, params, data) = Header::split(pdu)?;
        let request = match header.message_type {
            MessageType::Job => Self::parse_job(params, data)?,
            MessageType::UserData => Request::UserData(UserData::parse(params, data)?),
            other => return Err(Error::MessageType(other.to_u8())),
        };
        Ok(Self {
            pdu_ref: header.pdu_ref,
            request,
            reserved: header.reserved,
        })
    }

    fn parse_job(params: &[u8], data: &[u8]) -> Result<Request, Error> {
        let no_data = |r: Request| {
            if data.is_empty() {
                Ok(r)
            } else {
                Err(Error::TrailingBytes {
                    what: "job without data section",
                    trailing: data.len(),
                })
            }
        };
        match params.first().copied() {
            Some(setup::FUNCTION) => no_data(Request::SetupCommunication(
                SetupCommunication::parse(params)?,
            )),
            Some(read_var::FUNCTION) => no_data(Request::ReadVar(ReadVarRequest::parse(params)?)),
            Some(write_var::FUNCTION) => {
                Ok(Request::WriteVar(WriteVarRequest::parse(params, data)?))
            }
            Some(STOP_FUNCTION) => no_data(Request::PlcStop(PlcStopRequest::parse(params)?)),
            Some(CONTROL_FUNCTION) => {
                no_data(Request::PlcControl(PlcControlRequest::parse(params)?))
            }
            // A transfer job that does not decode is kept raw, as before it was modelled.
            Some(f) if is_transfer_function(f) && data.is_empty() => {
                Ok(TransferRequest::parse(params).map_or_else(
                    |_| Request::Unknown {
                        params: params.to_vec(),
                        data: Vec::new(),
                    },
                    Request::Transfer,
                ))
            }
            _ => Ok(Request::Unknown {
                params: params.to_vec(),
                data: data.to_vec(),
            }),
        }
    }

    fn message_type(&self) -> MessageType {
        match self.request {
            Request::UserData(_) => MessageType::UserData,
            _ => MessageType::Job,
        }
    }

    fn section_lens(&self) -> (usize, usize) {
        match &self.request {
            Request::SetupCommunication(s) => (s.buffer_len(), 0),
            Request::ReadVar(r) => (r.buffer_len(), 0),
            Request::WriteVar(w) => (w.param_len(), w.data_len()),
            Request::PlcStop(s) => (s.buffer_len(), 0),
            Request::PlcControl(c) => (c.buffer_len(), 0),
            Request::UserData(u) => (u.param_len(), u.data_len()),
            Request::Transfer(t) => (t.buffer_len(), 0),
            Request::Unknown { params, data } => (params.len(), data.len()),
        }
    }

    /// Encoded length.
    pub fn buffer_len(&self) -> usize {
        let (p, d) = self.section_lens();
        Header::SHORT_LEN.saturating_add(p).saturating_add(d)
    }

    /// Appends the PDU to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let (p, d) = self.section_lens();
        Header {
            message_type: self.message_type(),
            reserved: self.reserved,
            pdu_ref: self.pdu_ref,
            param_len: wire_u16(p, "parameter length")?,
            data_len: wire_u16(d, "data length")?,
            error: ErrorCode::NONE,
        }
        .emit(out);
        match &self.request {
            Request::SetupCommunication(s) => s.emit(out),
            Request::ReadVar(r) => r.emit(out)?,
            Request::WriteVar(w) => {
                w.emit_params(out)?;
                w.emit_data(out)?;
            }
            Request::PlcStop(s) => s.emit(out)?,
            Request::PlcControl(c) => c.emit(out)?,
            Request::UserData(u) => {
                u.emit_params(out);
                u.emit_data(out)?;
            }
            Request::Transfer(t) => t.emit(out)?,
            Request::Unknown { params, data } => {
                out.extend_from_slice(params);
                out.extend_from_slice(data);
            }
        }
        Ok(())
    }

    /// Encodes into a new vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.buffer_len());
        self.emit(&mut out)?;
        Ok(out)
    }
}

/// An answer body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Response {
    /// No parameters and no data: a bare acknowledgement, encoded with ROSCTR `02`; how
    /// header-level errors are answered.
    Ack,
    /// No parameters and no data, but with ROSCTR `03` (ack-data): another way a server may
    /// answer with just a header error. Kept apart from [`Response::Ack`] so it encodes
    /// back with its own ROSCTR; Wireshark decodes it as an ack-data with empty sections.
    EmptyAckData,
    /// Setup communication (`F0`).
    SetupCommunication(SetupCommunication),
    /// Read var (`04`).
    ReadVar(ReadVarResponse),
    /// Write var (`05`).
    WriteVar(WriteVarResponse),
    /// PLC stop or control (`29` / `28`).
    Control(ControlResponse),
    /// Userdata (ROSCTR `07`).
    UserData(UserData),
    /// Upload or download (`1A`-`1F`, see [`block::transfer`](crate::block::transfer)).
    Transfer(TransferResponse),
    /// Another function: raw sections.
    Unknown {
        /// Parameter section.
        params: Vec<u8>,
        /// Data section.
        data: Vec<u8>,
    },
}

/// An answer PDU (owned).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponsePdu {
    /// PDU reference (echoed from the request).
    pub pdu_ref: u16,
    /// Header error class and code (always [`ErrorCode::NONE`] for userdata, whose errors
    /// are in the parameters).
    pub error: ErrorCode,
    /// Body.
    pub response: Response,
    /// The reserved header bytes 2-3 ([`Header::reserved`]), `0` from every known server.
    pub reserved: u16,
}

impl ResponsePdu {
    /// An answer with reference `pdu_ref`, header error `error` and zero reserved header
    /// bytes.
    pub fn new(pdu_ref: u16, error: ErrorCode, response: Response) -> Self {
        Self {
            pdu_ref,
            error,
            response,
            reserved: 0,
        }
    }

    /// Decodes a whole answer PDU (ack, ack-data or userdata).
    pub fn parse(pdu: &[u8]) -> Result<Self, Error> {
        let (header, params, data) = Header::split(pdu)?;
        let response = match header.message_type {
            MessageType::UserData => Response::UserData(UserData::parse(params, data)?),
            MessageType::Ack if params.is_empty() && data.is_empty() => Response::Ack,
            MessageType::Ack => {
                return Err(Error::AckWithSections {
                    param_len: params.len(),
                    data_len: data.len(),
                })
            }
            MessageType::AckData => Self::parse_ack_data(params, data)?,
            MessageType::Job => return Err(Error::MessageType(MessageType::Job.to_u8())),
        };
        Ok(Self {
            pdu_ref: header.pdu_ref,
            error: header.error,
            response,
            reserved: header.reserved,
        })
    }

    fn parse_ack_data(params: &[u8], data: &[u8]) -> Result<Response, Error> {
        if params.is_empty() && data.is_empty() {
            return Ok(Response::EmptyAckData);
        }
        let no_data = |r: Response| {
            if data.is_empty() {
                Ok(r)
            } else {
                Err(Error::TrailingBytes {
                    what: "answer without data section",
                    trailing: data.len(),
                })
            }
        };
        match params.first().copied() {
            Some(setup::FUNCTION) => no_data(Response::SetupCommunication(
                SetupCommunication::parse(params)?,
            )),
            Some(read_var::FUNCTION) => {
                Ok(Response::ReadVar(ReadVarResponse::parse(params, data)?))
            }
            Some(write_var::FUNCTION) => {
                Ok(Response::WriteVar(WriteVarResponse::parse(params, data)?))
            }
            Some(STOP_FUNCTION | CONTROL_FUNCTION) => {
                no_data(Response::Control(ControlResponse::parse(params)?))
            }
            // A transfer answer that does not decode is kept raw.
            Some(f) if is_transfer_function(f) => Ok(TransferResponse::parse(params, data)
                .map_or_else(
                    |_| Response::Unknown {
                        params: params.to_vec(),
                        data: data.to_vec(),
                    },
                    Response::Transfer,
                )),
            _ => Ok(Response::Unknown {
                params: params.to_vec(),
                data: data.to_vec(),
            }),
        }
    }

    fn message_type(&self) -> MessageType {
        match self.response {
            Response::Ack => MessageType::Ack,
            Response::UserData(_) => MessageType::UserData,
            _ => MessageType::AckData,
        }
    }

    fn section_lens(&self) -> (usize, usize) {
        match &self.response {
            Response::Ack | Response::EmptyAckData => (0, 0),
            Response::SetupCommunication(s) => (s.buffer_len(), 0),
            Response::ReadVar(r) => (r.param_len(), r.data_len()),
            Response::WriteVar(w) => (w.param_len(), w.data_len()),
            Response::Control(c) => (c.buffer_len(), 0),
            Response::UserData(u) => (u.param_len(), u.data_len()),
            Response::Transfer(t) => t.section_lens(),
            Response::Unknown { params, data } => (params.len(), data.len()),
        }
    }

    /// Encoded length.
    pub fn buffer_len(&self) -> usize {
        let (p, d) = self.section_lens();
        self.message_type()
            .header_len()
            .saturating_add(p)
            .saturating_add(d)
    }

    /// Appends the PDU to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let (p, d) = self.section_lens();
        Header {
            message_type: self.message_type(),
            reserved: self.reserved,
            pdu_ref: self.pdu_ref,
            param_len: wire_u16(p, "parameter length")?,
            data_len: wire_u16(d, "data length")?,
            error: self.error,
        }
        .emit(out);
        match &self.response {
            Response::Ack | Response::EmptyAckData => {}
            Response::SetupCommunication(s) => s.emit(out),
            Response::ReadVar(r) => {
                r.emit_params(out)?;
                r.emit_data(out)?;
            }
            Response::WriteVar(w) => {
                w.emit_params(out)?;
                w.emit_data(out);
            }
            Response::Control(c) => c.emit(out),
            Response::UserData(u) => {
                u.emit_params(out);
                u.emit_data(out)?;
            }
            Response::Transfer(t) => t.emit(out)?,
            Response::Unknown { params, data } => {
                out.extend_from_slice(params);
                out.extend_from_slice(data);
            }
        }
        Ok(())
    }

    /// Encodes into a new vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.buffer_len());
        self.emit(&mut out)?;
        Ok(out)
    }
}
