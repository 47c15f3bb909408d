//! The client connection: setup, reads and writes split over PDUs, multi-item reads and
//! writes packed into few PDUs, requests in flight up to the granted parallel jobs, SZL,
//! clock, CPU control.

#[path = "blocks.rs"]
mod blocks;
#[path = "jobs.rs"]
mod jobs;
#[path = "pipeline.rs"]
pub mod pipeline;

use iso_tcp::{ClientOptions, Connection, RemoteAddr};

use crate::builder::ClientBuilder;
use crate::info::{self, CpuInfo, CpuState, OrderCode};
use crate::items::{plan, Direction, Part, ReadRequest, Spec, WriteRequest};
use crate::Error;
use jobs::{AreaRead, AreaWrite, ManyReads, ManyWrites, Span};
use pipeline::MAX_JOBS_IN_FLIGHT;
use s7comm::szl::{COMPONENT_IDENTIFICATION, CPU_STATE, MODULE_IDENTIFICATION};
use s7comm::{
    read_var, Area, DataItem, DataItemIter, ErrorCode, Header, ItemAddress, MessageType,
    PlcControlRequest, PlcStopRequest, ReadVarRequest, Request, RequestPdu, Response, ResponsePdu,
    ReturnCode, S7DateTime, SetupCommunication, UserData, WriteItem, WriteVarRequest,
};

/// The result of one item of a multi-item read: its data, or the return code it failed with.
pub type ReadResult = Result<Vec<u8>, ReturnCode>;

/// The result of one item of a multi-item write: done, or the return code it failed with.
pub type WriteResult = Result<(), ReturnCode>;

/// The largest PDU an S7 CPU negotiates; a client asks for it and takes what it gets.
pub const DEFAULT_REQUESTED_PDU: u16 = 960;

/// Bytes a read var answer spends around one item's data: header (12), parameters (2) and the
/// item's `RC TS LEN` (4).
const READ_OVERHEAD: usize = 18;

/// Bytes a write var request spends around one item's data: header (10), parameters (2 + 12)
/// and the data item's `RC TS LEN` (4).
const WRITE_OVERHEAD: usize = 28;

/// Parameter section of a one-item read var request: `04 01` and the item address.
const READ_ONE_PARAM_LEN: u16 = 14;

/// The smallest PDU the client works with: one header and one item address must fit.
const MIN_PDU_SIZE: u16 = 32;

/// An S7 client connection.
///
/// Every call is one or more request/answer round trips on the connection. A call that needs
/// several PDUs keeps as many requests in flight as setup communication granted parallel
/// jobs (see [`Client::jobs_in_flight`] and the [`pipeline`] module); with one job granted
/// it is strictly one request, one answer. The client is not shared between threads: open
/// one connection per thread.
#[derive(Debug)]
pub struct Client {
    connection: Connection,
    pdu_size: u16,
    max_amq_calling: u16,
    max_amq_called: u16,
    next_ref: u16,
    request: Vec<u8>,
    /// The last answer of [`read_one`](Self::read_one) or of a pipelined call, received into
    /// the same buffer each time.
    answer: Vec<u8>,
}

impl Client {
    /// A [`ClientBuilder`] for `remote`: rack, slot, connection type, PDU size, timeouts.
    pub fn builder(remote: impl Into<RemoteAddr>) -> ClientBuilder {
        ClientBuilder::new(remote)
    }

    /// Connects with the transport options as they are (their TSAPs, TPDU size and
    /// timeouts), then negotiates the PDU size, asking for [`DEFAULT_REQUESTED_PDU`].
    pub fn connect(options: ClientOptions) -> Result<Self, Error> {
        Self::connect_with_pdu(options, DEFAULT_REQUESTED_PDU)
    }

    /// Connects, then negotiates asking for a PDU of `pdu_size` bytes.
    pub fn connect_with_pdu(options: ClientOptions, pdu_size: u16) -> Result<Self, Error> {
        let connection = options.connect()?;
        Self::setup(connection, pdu_size)
    }

    /// Runs setup communication on an established transport connection, asking for
    /// `pdu_size` bytes and [`MAX_JOBS_IN_FLIGHT`] parallel jobs.
    pub fn setup(connection: Connection, pdu_size: u16) -> Result<Self, Error> {
        Self::negotiate(connection, pdu_size, MAX_JOBS_IN_FLIGHT)
    }

    /// Runs setup communication asking for `pdu_size` bytes and `jobs` parallel jobs.
    pub fn negotiate(connection: Connection, pdu_size: u16, jobs: u16) -> Result<Self, Error> {
        let mut client = Client {
            connection,
            pdu_size,
            max_amq_calling: jobs,
            max_amq_called: jobs,
            next_ref: 1,
            request: Vec::with_capacity(usize::from(pdu_size)),
            answer: Vec::new(),
        };
        let answer = client.exchange(Request::SetupCommunication(SetupCommunication {
            max_amq_calling: jobs,
            max_amq_called: jobs,
            pdu_length: pdu_size,
            ..Default::default()
        }))?;
        match answer.response {
            Response::SetupCommunication(setup) => {
                client.pdu_size = setup.pdu_length;
                client.max_amq_calling = setup.max_amq_calling;
                client.max_amq_called = setup.max_amq_called;
            }
            other => return Err(unexpected("a setup communication answer", &other)),
        }
        if client.pdu_size < MIN_PDU_SIZE {
            return Err(Error::UnexpectedAnswer {
                expected: "a pdu size of at least 32 bytes",
                found: "a smaller one",
            });
        }
        Ok(client)
    }

    /// The negotiated PDU size.
    pub fn pdu_size(&self) -> u16 {
        self.pdu_size
    }

    /// Parallel jobs the CPU lets this side have outstanding (AmQ calling, from setup
    /// communication).
    pub fn max_amq_calling(&self) -> u16 {
        self.max_amq_calling
    }

    /// Parallel jobs the CPU itself may have outstanding (AmQ called, from setup
    /// communication).
    pub fn max_amq_called(&self) -> u16 {
        self.max_amq_called
    }

    /// Whether the peer is still there (no request is sent: see
    /// [`iso_tcp::Connection::is_alive`]); `false` once the CPU closed or reset the
    /// connection, or after a transport error broke it.
    pub fn is_alive(&self) -> bool {
        self.connection.is_alive()
    }

    /// The transport connection (for its accessors, or for liveness checks).
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The transport connection, mutably (e.g. to change timeouts or send raw bytes).
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }

    /// Sends one request and returns its answer, checking the PDU reference and the header's
    /// error field.
    pub fn exchange(&mut self, request: Request) -> Result<ResponsePdu, Error> {
        let pdu_ref = self.take_pdu_ref();
        let what = request_name(&request);
        self.request.clear();
        RequestPdu::new(pdu_ref, request).emit(&mut self.request)?;
        self.connection.send(&self.request)?;
        let bytes = self.connection.recv()?;
        checked(ResponsePdu::parse(&bytes)?, pdu_ref, what)
    }

    fn take_pdu_ref(&mut self) -> u16 {
        let pdu_ref = self.next_ref;
        self.next_ref = self.next_ref.wrapping_add(1).max(1);
        pdu_ref
    }

    /// Reads several items in one request; each answer item carries its own return code.
    pub fn read_items(&mut self, items: &[ItemAddress]) -> Result<Vec<DataItem>, Error> {
        let answer = self.exchange(Request::ReadVar(ReadVarRequest::new(items.to_vec())))?;
        read_items_of(answer)
    }

    /// Writes several items in one request; returns one return code per item.
    pub fn write_items(&mut self, items: Vec<WriteItem>) -> Result<Vec<ReturnCode>, Error> {
        let answer = self.exchange(Request::WriteVar(WriteVarRequest { items }))?;
        return_codes_of(answer)
    }

    /// Reads `count` elements from `area` starting at `start`: bytes for inputs, outputs,
    /// flags and data blocks (`start` is a byte offset), 2-byte values for timers and counters
    /// (`start` is an index). Splits the read over as many requests as the PDU size needs,
    /// keeping up to [`Client::jobs_in_flight`] of them in flight.
    pub fn read_area(
        &mut self,
        area: Area,
        db_number: u16,
        start: u32,
        count: usize,
    ) -> Result<Vec<u8>, Error> {
        let mut out = vec![0; count.saturating_mul(element_len(area))];
        self.read_into(area, db_number, start, &mut out)?;
        Ok(out)
    }

    /// Reads from `area` starting at `start` into `out`, filling it whole (see
    /// [`Client::read_area`] for the units: for timers and counters `out` holds 2 bytes per
    /// element), over as many requests as the PDU size needs, up to
    /// [`Client::jobs_in_flight`] of them in flight. Answers are decoded where they were
    /// received, and only their data is copied: a read that takes one request allocates
    /// nothing.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `out` is not a whole number of elements; transport
    /// errors; [`Error::ErrorAnswer`], [`Error::ItemFailed`] or [`Error::UnexpectedAnswer`]
    /// (also for an item whose data is not as long as asked for), for the earliest request
    /// that failed; [`Error::ConnectionAbandoned`] when answers in flight could not all be
    /// received (see [`pipeline`]).
    pub fn read_into(
        &mut self,
        area: Area,
        db_number: u16,
        start: u32,
        out: &mut [u8],
    ) -> Result<(), Error> {
        let element = element_len(area);
        if out.len() % element != 0 {
            return Err(Error::InvalidArgument {
                what: "read buffer length is odd, but timers and counters have 2-byte elements",
            });
        }
        let span = Span {
            area,
            db_number,
            start,
            element,
            per_request: self.elements_per_request(READ_OVERHEAD, element),
        };
        let requests = span.requests(out.len());
        if requests > 1 && self.jobs_in_flight() > 1 {
            return self.pipelined(requests, &mut AreaRead { span, out });
        }
        // One request at a time: the common one-PDU read stays on the path that decodes the
        // answer where it was received.
        let mut done = 0usize;
        for part in out.chunks_mut(span.per_request.saturating_mul(element)) {
            let elements = part.len() / element;
            let address = address(area, db_number, start, done, elements)?;
            self.read_one(&address, part)?;
            done = done.saturating_add(elements);
        }
        Ok(())
    }

    /// One read var request for one item, its data copied into `out` (exactly as long).
    fn read_one(&mut self, address: &ItemAddress, out: &mut [u8]) -> Result<(), Error> {
        let pdu_ref = self.take_pdu_ref();
        self.request.clear();
        emit_read_one(&mut self.request, pdu_ref, address)?;
        self.connection.send(&self.request)?;
        self.connection.recv_into(&mut self.answer)?;
        take_read_one(&self.answer, pdu_ref, out)
    }

    /// Writes `data` to `area` starting at `start` (see [`Client::read_area`] for the units),
    /// splitting it over as many requests as the PDU size needs, up to
    /// [`Client::jobs_in_flight`] of them in flight. After a failed request no more are
    /// sent, so the data is written up to somewhere before the failed part.
    ///
    /// # Errors
    /// As [`Client::read_into`].
    pub fn write_area(
        &mut self,
        area: Area,
        db_number: u16,
        start: u32,
        data: &[u8],
    ) -> Result<(), Error> {
        let element = element_len(area);
        let span = Span {
            area,
            db_number,
            start,
            element,
            per_request: self.elements_per_request(WRITE_OVERHEAD, element),
        };
        self.pipelined(span.requests(data.len()), &mut AreaWrite { span, data })
    }

    /// Reads several items, packed first-fit decreasing into read var requests (at most
    /// [`MAX_ITEMS`](crate::MAX_ITEMS) items per request, request and answer both within the
    /// negotiated PDU; how close to the fewest requests that comes is in the crate's README);
    /// an item too large for one PDU is split into parts. The requests go out up to
    /// [`Client::jobs_in_flight`] at a time. Returns one result per item, in the caller's
    /// order whatever the packing and the order of the answers: its data, or the return code
    /// it failed with (so one missing data block does not fail the others).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an item that cannot be sent (a bit item of more than
    /// one bit, an unknown transport size); transport and codec errors; an error answer, or
    /// an answer whose items do not match the request ([`Error::ItemCount`],
    /// [`Error::ItemLength`]); [`Error::ConnectionAbandoned`] as for
    /// [`Client::read_into`].
    pub fn read_many(&mut self, items: &[ReadRequest]) -> Result<Vec<ReadResult>, Error> {
        let specs: Vec<Spec> = items.iter().map(Spec::from).collect();
        let batches = plan(Direction::Read, usize::from(self.pdu_size), &specs)?;
        let mut results: Vec<ReadResult> =
            items.iter().map(|r| Ok(vec![0; r.byte_len()])).collect();
        self.pipelined(
            batches.len(),
            &mut ManyReads {
                batches: &batches,
                results: &mut results,
            },
        )?;
        Ok(results)
    }

    /// Writes several items, packed into write var requests and sent as
    /// [`Client::read_many`] does. Returns one result per item, in the caller's order. An
    /// item split into parts fails if any part fails (the other parts may have been
    /// written).
    ///
    /// # Errors
    /// As [`Client::read_many`]; also [`Error::InvalidArgument`] for data that is not a
    /// whole number of elements.
    pub fn write_many(&mut self, items: &[WriteRequest<'_>]) -> Result<Vec<WriteResult>, Error> {
        let specs = items
            .iter()
            .map(Spec::of_write)
            .collect::<Result<Vec<_>, _>>()?;
        let batches = plan(Direction::Write, usize::from(self.pdu_size), &specs)?;
        let mut results: Vec<WriteResult> = vec![Ok(()); items.len()];
        self.pipelined(
            batches.len(),
            &mut ManyWrites {
                batches: &batches,
                items,
                results: &mut results,
            },
        )?;
        Ok(results)
    }

    /// Reads `len` bytes of data block `db_number` from byte `start`.
    pub fn read_db(&mut self, db_number: u16, start: u32, len: usize) -> Result<Vec<u8>, Error> {
        self.read_area(Area::DataBlock, db_number, start, len)
    }

    /// Writes `data` to data block `db_number` from byte `start`.
    pub fn write_db(&mut self, db_number: u16, start: u32, data: &[u8]) -> Result<(), Error> {
        self.write_area(Area::DataBlock, db_number, start, data)
    }

    /// Reads one bit (transport size BIT).
    pub fn read_bit(
        &mut self,
        area: Area,
        db_number: u16,
        byte: u32,
        bit: u8,
    ) -> Result<bool, Error> {
        let mut results = self.read_many(&[ReadRequest::bit(area, db_number, byte, bit)])?;
        match results.pop() {
            Some(Ok(data)) => Ok(data.first().is_some_and(|b| *b != 0)),
            Some(Err(return_code)) => Err(Error::ItemFailed {
                index: 0,
                return_code,
            }),
            None => Err(Error::ItemCount {
                what: "read var",
                expected: 1,
                received: 0,
            }),
        }
    }

    /// Writes one bit (transport size BIT): only that bit changes.
    pub fn write_bit(
        &mut self,
        area: Area,
        db_number: u16,
        byte: u32,
        bit: u8,
        value: bool,
    ) -> Result<(), Error> {
        let results = self.write_many(&[WriteRequest::bit(area, db_number, byte, bit, value)])?;
        first_write_result(&results)
    }

    /// Reads a whole SZL (following a multi-part answer to its end); returns what follows the
    /// SZL id and index: the partial list header (`LENTHDR N_DR`) and the records.
    pub fn read_szl(&mut self, id: u16, index: u16) -> Result<Vec<u8>, Error> {
        let first = self.user_data(UserData::read_szl(id, index), "read szl", true)?;
        let (_, _, payload) = first.szl_first_part()?;
        let mut out = payload.to_vec();
        let mut part = first;
        while part.params.continuation.is_some_and(|c| c.more) {
            part = self.user_data(
                UserData::szl_follow_up(part.params.sequence),
                "read szl follow-up",
                true,
            )?;
            out.extend_from_slice(&part.item.data);
        }
        Ok(out)
    }

    /// The CPU's operating mode (SZL `0x0424`).
    pub fn cpu_state(&mut self) -> Result<CpuState, Error> {
        info::cpu_state(&self.read_szl(CPU_STATE, 0)?)
    }

    /// The CPU's order code and firmware version (SZL `0x0011`).
    pub fn order_code(&mut self) -> Result<OrderCode, Error> {
        info::order_code(&self.read_szl(MODULE_IDENTIFICATION, 0)?)
    }

    /// The CPU's identification: module type, serial number, AS name, copyright, module
    /// name (SZL `0x001C`).
    pub fn cpu_info(&mut self) -> Result<CpuInfo, Error> {
        info::cpu_info(&self.read_szl(COMPONENT_IDENTIFICATION, 0)?)
    }

    /// Stops the CPU.
    pub fn plc_stop(&mut self) -> Result<(), Error> {
        let answer = self.exchange(Request::PlcStop(PlcStopRequest::default()))?;
        expect_control(answer)
    }

    /// Starts the CPU (hot restart: data blocks keep their values).
    pub fn plc_hot_start(&mut self) -> Result<(), Error> {
        let answer = self.exchange(Request::PlcControl(PlcControlRequest::hot_start()))?;
        expect_control(answer)
    }

    /// Starts the CPU (cold restart: data blocks are reset to their initial values).
    pub fn plc_cold_start(&mut self) -> Result<(), Error> {
        let answer = self.exchange(Request::PlcControl(PlcControlRequest::cold_start()))?;
        expect_control(answer)
    }

    /// Reads the PLC's clock.
    pub fn read_clock(&mut self) -> Result<S7DateTime, Error> {
        Ok(self
            .user_data(UserData::read_clock(), "read clock", true)?
            .clock()?)
    }

    /// Sets the PLC's clock.
    ///
    /// # Errors
    /// [`Error::Codec`] for a time outside 1990..=2089 or with a field out of range; an
    /// error answer when the CPU refuses it.
    pub fn set_clock(&mut self, time: &S7DateTime) -> Result<(), Error> {
        self.user_data(UserData::set_clock(time)?, "set clock", false)?;
        Ok(())
    }

    /// Closes the connection (COTP disconnect request, then TCP shutdown).
    pub fn close(self) -> Result<(), Error> {
        Ok(self.connection.close()?)
    }

    /// Sends a userdata request; checks the answer's error field and, when `data` is
    /// expected, its return code. Answers without data (`0A 00 0000`, as CPUs acknowledge
    /// a clock set) are accepted when no data is expected.
    pub(crate) fn user_data(
        &mut self,
        request: UserData,
        what: &'static str,
        data: bool,
    ) -> Result<UserData, Error> {
        let answer = self.exchange(Request::UserData(request))?;
        let Response::UserData(user_data) = answer.response else {
            return Err(unexpected("a userdata answer", &answer.response));
        };
        let error = user_data.params.error();
        if !error.is_ok() {
            return Err(Error::ErrorAnswer {
                what,
                class: error.class(),
                code: error.code(),
            });
        }
        let code = user_data.item.return_code;
        let acknowledged = !data && user_data.item.data.is_empty();
        if !code.is_success() && !acknowledged {
            return Err(Error::ItemFailed {
                index: 0,
                return_code: code,
            });
        }
        Ok(user_data)
    }

    fn elements_per_request(&self, overhead: usize, element: usize) -> usize {
        (usize::from(self.pdu_size).saturating_sub(overhead) / element).max(1)
    }
}

/// Bytes per element: 2 for timers and counters, 1 elsewhere.
fn element_len(area: Area) -> usize {
    match area {
        Area::Timers | Area::Counters => 2,
        _ => 1,
    }
}

fn address(
    area: Area,
    db_number: u16,
    start: u32,
    offset: usize,
    count: usize,
) -> Result<ItemAddress, Error> {
    let too_large = |value: usize| {
        Error::from(s7comm::Error::TooLarge {
            what: "item address",
            value,
            max: usize::from(u16::MAX),
        })
    };
    let count_u16 = u16::try_from(count).map_err(|_| too_large(count))?;
    let offset = u32::try_from(offset).map_err(|_| too_large(offset))?;
    let first = start
        .checked_add(offset)
        .ok_or_else(|| too_large(usize::MAX))?;
    Ok(match area {
        Area::Timers => ItemAddress::timers(first, count_u16),
        Area::Counters => ItemAddress::counters(first, count_u16),
        _ => ItemAddress::bytes(area, db_number, first, count_u16),
    })
}

/// Appends a read var request for one item: the bytes `exchange` would send, written
/// straight into the request buffer.
#[inline]
fn emit_read_one(out: &mut Vec<u8>, pdu_ref: u16, address: &ItemAddress) -> Result<(), Error> {
    Header {
        message_type: MessageType::Job,
        pdu_ref,
        param_len: READ_ONE_PARAM_LEN,
        data_len: 0,
        error: ErrorCode::NONE,
        ..Default::default()
    }
    .emit(out);
    out.extend_from_slice(&[read_var::FUNCTION, 1]);
    Ok(address.emit(out)?)
}

/// Copies the data of a one-item read answer into `out` (exactly as long), decoding it where
/// it was received.
#[inline]
fn take_read_one(bytes: &[u8], pdu_ref: u16, out: &mut [u8]) -> Result<(), Error> {
    let (header, params, data) = Header::split(bytes)?;
    let expected = header.message_type == MessageType::AckData
        && header.pdu_ref == pdu_ref
        && header.error.is_ok()
        && params == [read_var::FUNCTION, 1];
    if !expected {
        // Anything else gets the owned decoding, and with it the errors `exchange` gives.
        let answer = checked(ResponsePdu::parse(bytes)?, pdu_ref, "read var")?;
        return match answer.response {
            Response::ReadVar(_) => Err(Error::UnexpectedAnswer {
                expected: "one read item",
                found: "another number of items",
            }),
            other => Err(unexpected("a read var answer", &other)),
        };
    }
    let mut items = DataItemIter::new(data, 1);
    // Lazily: `ok_or` built and dropped this error on every read, about 95 instructions
    // of a 4-byte read (callgrind); a `let else` or `match` here measured 30 more than
    // this.
    #[allow(clippy::unnecessary_lazy_evaluations)]
    let item = items.next().ok_or_else(|| Error::UnexpectedAnswer {
        expected: "one read item",
        found: "none",
    })??;
    if !item.return_code.is_success() {
        return Err(Error::ItemFailed {
            index: 0,
            return_code: item.return_code,
        });
    }
    let Some(rest) = data.get(item.buffer_len(true)..) else {
        return Err(Error::UnexpectedAnswer {
            expected: "one read item",
            found: "a malformed data section",
        });
    };
    // An odd-length item may be followed by its fill byte, nothing else.
    if rest.len() > usize::from(item.data.len() % 2 == 1) {
        return Err(s7comm::Error::TrailingBytes {
            what: "read var answer",
            trailing: rest.len(),
        }
        .into());
    }
    if item.data.len() != out.len() {
        return Err(Error::ItemLength {
            index: 0,
            expected: out.len(),
            received: item.data.len(),
        });
    }
    out.copy_from_slice(item.data);
    Ok(())
}

/// The items of a read var answer to request `pdu_ref`.
fn read_answer(bytes: &[u8], pdu_ref: u16) -> Result<Vec<DataItem>, Error> {
    read_items_of(checked(ResponsePdu::parse(bytes)?, pdu_ref, "read var")?)
}

/// The return codes of a write var answer to request `pdu_ref`.
fn write_answer(bytes: &[u8], pdu_ref: u16) -> Result<Vec<ReturnCode>, Error> {
    return_codes_of(checked(ResponsePdu::parse(bytes)?, pdu_ref, "write var")?)
}

fn read_items_of(answer: ResponsePdu) -> Result<Vec<DataItem>, Error> {
    match answer.response {
        Response::ReadVar(read) => Ok(read.items),
        other => Err(unexpected("a read var answer", &other)),
    }
}

fn return_codes_of(answer: ResponsePdu) -> Result<Vec<ReturnCode>, Error> {
    match answer.response {
        Response::WriteVar(write) => Ok(write.return_codes),
        other => Err(unexpected("a write var answer", &other)),
    }
}

/// Checks an answer's PDU reference and header error field.
fn checked(answer: ResponsePdu, pdu_ref: u16, what: &'static str) -> Result<ResponsePdu, Error> {
    if answer.pdu_ref != pdu_ref {
        return Err(Error::PduRefMismatch {
            sent: pdu_ref,
            received: answer.pdu_ref,
        });
    }
    if !answer.error.is_ok() {
        return Err(Error::ErrorAnswer {
            what,
            class: answer.error.class(),
            code: answer.error.code(),
        });
    }
    Ok(answer)
}

fn expect_control(answer: ResponsePdu) -> Result<(), Error> {
    match answer.response {
        Response::Control(_) | Response::Ack | Response::EmptyAckData => Ok(()),
        other => Err(unexpected("a plc control answer", &other)),
    }
}

fn request_name(request: &Request) -> &'static str {
    match request {
        Request::SetupCommunication(_) => "setup communication",
        Request::ReadVar(_) => "read var",
        Request::WriteVar(_) => "write var",
        Request::PlcStop(_) => "plc stop",
        Request::PlcControl(_) => "plc control",
        Request::UserData(_) => "userdata",
        Request::Transfer(_) => "upload/download",
        Request::Unknown { .. } => "an unknown function",
    }
}

fn unexpected(expected: &'static str, found: &Response) -> Error {
    let found = match found {
        Response::Ack => "a bare ack",
        Response::EmptyAckData => "an ack-data without parameters or data",
        Response::SetupCommunication(_) => "a setup communication answer",
        Response::ReadVar(_) => "a read var answer",
        Response::WriteVar(_) => "a write var answer",
        Response::Control(_) => "a plc control answer",
        Response::UserData(_) => "a userdata answer",
        Response::Transfer(_) => "an upload/download answer",
        Response::Unknown { .. } => "an unknown answer",
    };
    Error::UnexpectedAnswer { expected, found }
}

/// Copies one answered part into the caller's results.
fn place_read(results: &mut [ReadResult], part: &Part, item: DataItem) -> Result<(), Error> {
    let Some(slot) = results.get_mut(part.item) else {
        return Ok(());
    };
    if !item.return_code.is_success() {
        if slot.is_ok() {
            *slot = Err(item.return_code);
        }
        return Ok(());
    }
    if item.data.len() != part.bytes {
        return Err(Error::ItemLength {
            index: part.item,
            expected: part.bytes,
            received: item.data.len(),
        });
    }
    if let Ok(data) = slot {
        let end = part.byte_offset.saturating_add(part.bytes);
        if let Some(target) = data.get_mut(part.byte_offset..end) {
            target.copy_from_slice(&item.data);
        }
    }
    Ok(())
}

fn first_write_result(results: &[WriteResult]) -> Result<(), Error> {
    match results.first() {
        Some(Ok(())) => Ok(()),
        Some(Err(return_code)) => Err(Error::ItemFailed {
            index: 0,
            return_code: *return_code,
        }),
        None => Err(Error::ItemCount {
            what: "write var",
            expected: 1,
            received: 0,
        }),
    }
}
