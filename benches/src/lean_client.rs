//! The lean reference client: a minimal hand-written S7 client on iso-tcp and the `s7comm`
//! codec, written the way a fast client would be (one request buffer reused for every read,
//! answers decoded in place). It is not the `s7-client` crate: the benches measure that crate,
//! and report this one only as a reference figure beside it (no goal is set for it).
//! The frame-length constants beside it describe the frames both clients send.

use std::net::SocketAddr;

use iso_tcp::{ClientOptions, Connection};
use s7comm::{
    Area, DataItemIter, ErrorCode, Header, ItemAddress, ReadVarRequest, Request, RequestPdu,
    Response, ResponsePdu, ReturnCode, SetupCommunication,
};

use crate::Error;

/// Bytes of a read answer that are not data: the 12-byte ack-data header, the 2-byte
/// parameters (`04 count`) and the 4-byte data item head. A read of up to `pdu - 18` bytes
/// fits one PDU.
pub const READ_OVERHEAD: usize = 18;

/// Frame bytes (TPKT + DT headers) around each TSDU.
pub const FRAME_OVERHEAD: usize = tpkt::HEADER_LEN + cotp::DATA_HEADER_LEN;

/// Frame length of a one-item read request (S7 header 10, parameters 14, framing 7).
pub const READ_REQUEST_FRAME_LEN: usize = 31;

/// Frame length of the answer to a `len`-byte read.
pub fn read_answer_frame_len(len: usize) -> usize {
    len.saturating_add(READ_OVERHEAD)
        .saturating_add(FRAME_OVERHEAD)
}

/// Frame length of the setup communication request (S7 header 10, parameters 8).
pub const SETUP_REQUEST_FRAME_LEN: usize = 25;

/// Frame length of the setup communication answer (S7 header 12, parameters 8).
pub const SETUP_ANSWER_FRAME_LEN: usize = 27;

/// Frame length of the connection request iso-tcp sends with its default options.
pub const CONNECTION_REQUEST_FRAME_LEN: usize = 22;

/// Frame length of the connection confirm echoing it.
pub const CONNECTION_CONFIRM_FRAME_LEN: usize = 22;

/// The lean reference client over one iso-tcp connection (one-item DB reads only).
#[derive(Debug)]
pub struct LeanClient {
    connection: Connection,
    request: RequestPdu,
    buf: Vec<u8>,
    pdu_size: u16,
}

impl LeanClient {
    /// Connects (TCP, CR/CC) with iso-tcp's default options and negotiates `pdu_size` with
    /// setup communication.
    ///
    /// # Errors
    /// Any connection or protocol failure, or an answer that is not a setup communication.
    pub fn connect(addr: SocketAddr, pdu_size: u16) -> Result<Self, Error> {
        let connection = ClientOptions::new(addr).connect()?;
        Self::setup(connection, pdu_size)
    }

    /// Negotiates `pdu_size` on an established connection.
    ///
    /// # Errors
    /// As [`LeanClient::connect`].
    pub fn setup(mut connection: Connection, pdu_size: u16) -> Result<Self, Error> {
        let setup = RequestPdu::new(
            0,
            Request::SetupCommunication(SetupCommunication {
                max_amq_calling: 1,
                max_amq_called: 1,
                pdu_length: pdu_size,
                ..Default::default()
            }),
        );
        let mut buf = Vec::with_capacity(usize::from(pdu_size));
        setup.emit(&mut buf)?;
        connection.send(&buf)?;
        let answer = connection.recv()?;
        let granted = match ResponsePdu::parse(&answer)? {
            ResponsePdu {
                error: ErrorCode::NONE,
                response: Response::SetupCommunication(granted),
                ..
            } => granted.pdu_length,
            other => {
                return Err(Error::unexpected(format!(
                    "setup communication answered with {other:?}"
                )))
            }
        };
        Ok(LeanClient {
            connection,
            request: RequestPdu::new(
                0,
                Request::ReadVar(ReadVarRequest::new(vec![ItemAddress::bytes(
                    Area::DataBlock,
                    1,
                    0,
                    1,
                )])),
            ),
            buf,
            pdu_size: granted,
        })
    }

    /// The PDU size the server granted.
    pub fn pdu_size(&self) -> u16 {
        self.pdu_size
    }

    /// The most bytes one read request can fetch.
    pub fn max_read_len(&self) -> usize {
        usize::from(self.pdu_size).saturating_sub(READ_OVERHEAD)
    }

    /// Reads `dest.len()` bytes of data block `db` from byte `start`, in as many requests as
    /// the PDU size needs, one after the other.
    ///
    /// # Errors
    /// Any connection failure, an error answer, or an answer of the wrong shape or length.
    pub fn read_db(&mut self, db: u16, start: u32, dest: &mut [u8]) -> Result<(), Error> {
        let chunk = self.max_read_len().max(1);
        let mut offset = start;
        for part in dest.chunks_mut(chunk) {
            let len = u16::try_from(part.len())
                .map_err(|_| Error::unexpected("read chunk longer than u16"))?;
            self.read_one(db, offset, len, part)?;
            offset = offset.saturating_add(u32::from(len));
        }
        Ok(())
    }

    fn read_one(&mut self, db: u16, start: u32, len: u16, dest: &mut [u8]) -> Result<(), Error> {
        self.request.pdu_ref = self.request.pdu_ref.wrapping_add(1);
        if let Request::ReadVar(read) = &mut self.request.request {
            if let Some(item) = read.items.first_mut() {
                *item = ItemAddress::bytes(Area::DataBlock, db, start, len);
            }
        }
        self.buf.clear();
        self.request.emit(&mut self.buf)?;
        self.connection.send(&self.buf)?;
        let answer = self.connection.recv()?;
        let (header, params, data) = Header::split(&answer)?;
        if header.pdu_ref != self.request.pdu_ref || !header.error.is_ok() {
            return Err(Error::unexpected(format!("read answered with {header:?}")));
        }
        if params != [s7comm::read_var::FUNCTION, 1] {
            return Err(Error::unexpected(format!(
                "read answer parameters {params:02x?}"
            )));
        }
        let item = DataItemIter::new(data, 1)
            .next()
            .ok_or_else(|| Error::unexpected("read answer without a data item"))??;
        if item.return_code != ReturnCode::Success || item.data.len() != dest.len() {
            return Err(Error::unexpected(format!(
                "read item {:?} with {} bytes, expected {}",
                item.return_code,
                item.data.len(),
                dest.len()
            )));
        }
        dest.copy_from_slice(item.data);
        Ok(())
    }

    /// Closes the connection: a disconnect request, then TCP shutdown.
    ///
    /// # Errors
    /// Any failure sending the disconnect request.
    pub fn close(self) -> Result<(), Error> {
        Ok(self.connection.close()?)
    }
}
