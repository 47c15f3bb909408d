//! [`Plc::handle`]: request bytes in, answer bytes out.

use crate::error::Error;
use s7comm::block::directory::BlockRequest;
use s7comm::block::transfer::is_transfer_function;
use s7comm::control::{
    PlcControlRequest, PlcStopRequest, COMPRESS, CONTROL_FUNCTION, COPY_RAM_TO_ROM, P_PROGRAM,
    STOP_FUNCTION,
};
use s7comm::security::{SecurityService, GROUP_SECURITY};
use s7comm::userdata::{GROUP_CLOCK, GROUP_SZL};
use s7comm::{
    read_var, setup, write_var, Continuation, ErrorCode, Header, MessageType, ReadVarRequestView,
    SetupCommunication, UserData, UserDataItem, UserDataParams, UserDataService,
    WriteVarRequestView,
};

use super::access::{read_bytes_item, read_item, write_item, TooLarge};
use super::handled::{Handled, RequestKind};
use super::hooks::{Hooks, ItemOperation};
use super::session::{PendingSzl, Session};
use super::szl_data::{self, SzlSource};
use super::{Access, CpuState, Plc, MIN_PDU_SIZE};

/// Header, parameter and data bytes around the SZL payload of a first part: header (10),
/// parameters (12), data item head (4), SZL id and index (4).
const SZL_FIRST_OVERHEAD: usize = 30;
/// The same for later parts, which carry no SZL id and index.
const SZL_NEXT_OVERHEAD: usize = 26;

/// Appends a bare acknowledgement carrying a header error.
fn emit_header_error(out: &mut Vec<u8>, pdu_ref: u16, error: ErrorCode) {
    out.clear();
    Header {
        message_type: MessageType::Ack,
        pdu_ref,
        param_len: 0,
        data_len: 0,
        error,
        ..Default::default()
    }
    .emit(out);
}

/// Bytes of a read var answer before its data items: the ack-data header and `04 count`.
pub(super) const READ_ANSWER_HEAD_LEN: usize = Header::LONG_LEN + 2;

/// The head of a read var answer: the ack-data header (parameter length 2, data length
/// `data_len`, no error) and the parameters `04 count`, as one array rather than a `Header`
/// emitted field by field, since both ways of answering a read build it on every request.
#[inline(always)]
pub(super) fn read_answer_head(
    pdu_ref: u16,
    count: u8,
    data_len: u16,
) -> [u8; READ_ANSWER_HEAD_LEN] {
    let [r0, r1] = pdu_ref.to_be_bytes();
    let [l0, l1] = data_len.to_be_bytes();
    [
        s7comm::header::PROTOCOL_ID,
        MessageType::AckData.to_u8(),
        0,
        0,
        r0,
        r1,
        0,
        2,
        l0,
        l1,
        0,
        0,
        read_var::FUNCTION,
        count,
    ]
}

/// Appends an ack-data header whose lengths are patched later.
fn emit_ack_data_head(out: &mut Vec<u8>, pdu_ref: u16) {
    Header {
        message_type: MessageType::AckData,
        pdu_ref,
        param_len: 0,
        data_len: 0,
        error: ErrorCode::NONE,
        ..Default::default()
    }
    .emit(out);
}

/// Fills in the parameter and data lengths of the answer in `out`.
fn patch_lengths(out: &mut [u8], header_len: usize, param_len: usize) {
    let data_len = out
        .len()
        .saturating_sub(header_len)
        .saturating_sub(param_len);
    Header::patch_lengths(
        out,
        u16::try_from(param_len).unwrap_or(u16::MAX),
        u16::try_from(data_len).unwrap_or(u16::MAX),
    );
}

/// Appends a userdata answer PDU.
fn emit_userdata(out: &mut Vec<u8>, pdu_ref: u16, answer: &UserData) -> Result<(), Error> {
    Header {
        message_type: MessageType::UserData,
        pdu_ref,
        param_len: wire_u16(answer.param_len(), "parameter length")?,
        data_len: wire_u16(answer.data_len(), "data length")?,
        error: ErrorCode::NONE,
        ..Default::default()
    }
    .emit(out);
    answer.emit_params(out);
    Ok(answer.emit_data(out)?)
}

/// Appends a userdata error answer for `group`/`subfunction`.
fn emit_userdata_error(
    out: &mut Vec<u8>,
    pdu_ref: u16,
    group: u8,
    subfunction: u8,
    sequence: u8,
    error: ErrorCode,
) {
    out.clear();
    let answer = UserData::response(
        group,
        subfunction,
        sequence,
        Continuation {
            data_unit_ref: 0,
            more: false,
            error,
        },
        UserDataItem::empty(),
    );
    // An empty item and 12-byte parameters always fit their length fields.
    let _ = emit_userdata(out, pdu_ref, &answer);
}

/// What the first bytes of a request say it is, without decoding it.
fn classify(message_type: MessageType, params: &[u8]) -> RequestKind {
    match message_type {
        MessageType::UserData => RequestKind::UnknownUserData {
            group: params.get(5).map_or(0, |b| b & 0x0F),
            subfunction: params.get(6).copied().unwrap_or(0),
        },
        _ => match params.first().copied() {
            Some(setup::FUNCTION) => RequestKind::SetupCommunication,
            Some(read_var::FUNCTION) => RequestKind::ReadVar {
                items: params.get(1).copied().unwrap_or(0),
            },
            Some(write_var::FUNCTION) => RequestKind::WriteVar {
                items: params.get(1).copied().unwrap_or(0),
            },
            Some(STOP_FUNCTION) => RequestKind::PlcStop,
            Some(CONTROL_FUNCTION) => RequestKind::PlcControl,
            function => RequestKind::UnknownJob { function },
        },
    }
}

impl Plc {
    /// Answers one request.
    ///
    /// `request` is one whole S7comm PDU (a TSDU from ISO-on-TCP). The answer replaces the
    /// contents of `out`; reuse the same vector across calls to avoid allocating. `hooks`
    /// may change per-item results (fault injection); pass [`NoHooks`](super::NoHooks)
    /// otherwise.
    ///
    /// Returns what was asked and whether it was refused, or an [`Error`] when the bytes are
    /// not an S7comm PDU at all — then `out` is empty and the connection should be closed
    /// (see the [module docs](super)).
    // Inlined, with the one-item read it tries first: a polling client's request is then
    // answered in the caller's frame, and what it hands back is never copied out of a return
    // slot. Everything else goes out of line.
    #[inline]
    pub fn handle<'r, H: Hooks + ?Sized>(
        &self,
        session: &mut Session,
        request: &'r [u8],
        out: &mut Vec<u8>,
        hooks: &mut H,
    ) -> Result<Handled<'r>, Error> {
        out.clear();
        if let Some(handled) = self.single_read(session, request, out, hooks) {
            return Ok(handled);
        }
        self.handle_general(session, request, out, hooks)
    }

    /// [`handle`](Self::handle) for everything but a one-item read, `out` cleared.
    #[inline(never)]
    fn handle_general<'r, H: Hooks + ?Sized>(
        &self,
        session: &mut Session,
        request: &'r [u8],
        out: &mut Vec<u8>,
        hooks: &mut H,
    ) -> Result<Handled<'r>, Error> {
        let (header, params, data) = Header::split(request)?;
        if header.message_type == MessageType::Job && params.first() == Some(&read_var::FUNCTION) {
            return Ok(self.handle_read_var(
                session,
                header.pdu_ref,
                request,
                params,
                data,
                out,
                hooks,
            ));
        }
        if header.message_type == MessageType::AckData && session.blocks.awaits_answer() {
            // The client's answer to the PLC's download block / download ended job.
            let mut handled = Handled::new(
                header.pdu_ref,
                RequestKind::UnknownJob {
                    function: params.first().copied(),
                },
                request,
            );
            if let Err(error) =
                self.download_answer(session, header.pdu_ref, header.error, params, data, out)
            {
                handled.error = Some(error);
            }
            return Ok(handled);
        }
        if !matches!(
            header.message_type,
            MessageType::Job | MessageType::UserData
        ) {
            return Err(s7comm::Error::MessageType(header.message_type.to_u8()).into());
        }
        session
            .blocks
            .on_request(header.message_type, params.first().copied());
        let pdu_size = usize::from(session.pdu_size);
        out.reserve(pdu_size);
        let mut handled = Handled::new(
            header.pdu_ref,
            classify(header.message_type, params),
            request,
        );
        if request.len() > pdu_size {
            handled.error = Some(ErrorCode::PDU_SIZE);
            match header.message_type {
                MessageType::UserData => emit_userdata_error(
                    out,
                    header.pdu_ref,
                    params.get(5).map_or(0, |b| b & 0x0F),
                    params.get(6).copied().unwrap_or(0),
                    params.get(7).copied().unwrap_or(0),
                    ErrorCode::PDU_SIZE,
                ),
                _ => emit_header_error(out, header.pdu_ref, ErrorCode::PDU_SIZE),
            }
            return Ok(handled);
        }
        if header.message_type == MessageType::UserData {
            self.handle_userdata(session, &mut handled, params, data, out);
        } else {
            self.handle_job(session, &mut handled, params, data, out, hooks);
        }
        if let Some(error) = handled.error {
            if header.message_type == MessageType::Job {
                emit_header_error(out, header.pdu_ref, error);
            }
        }
        Ok(handled)
    }

    /// [`handle`](Self::handle) for a read var job, the request a polling client sends
    /// over and over: the general way without its dispatching, answering the same.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(super) fn handle_read_var<'r, H: Hooks + ?Sized>(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        request: &'r [u8],
        params: &'r [u8],
        data: &[u8],
        out: &mut Vec<u8>,
        hooks: &mut H,
    ) -> Handled<'r> {
        session
            .blocks
            .on_request(MessageType::Job, Some(read_var::FUNCTION));
        let pdu_size = usize::from(session.pdu_size);
        out.reserve(pdu_size);
        let mut handled = Handled::new(
            pdu_ref,
            RequestKind::ReadVar {
                items: params.get(1).copied().unwrap_or(0),
            },
            request,
        );
        let result = if request.len() > pdu_size {
            Err(ErrorCode::PDU_SIZE)
        } else {
            self.read_var(session, &mut handled, params, data, out, hooks)
        };
        if let Err(error) = result {
            handled.error = Some(error);
            emit_header_error(out, pdu_ref, error);
        }
        handled
    }

    fn handle_job<'r, H: Hooks + ?Sized>(
        &self,
        session: &mut Session,
        handled: &mut Handled<'r>,
        params: &'r [u8],
        data: &[u8],
        out: &mut Vec<u8>,
        hooks: &mut H,
    ) {
        let pdu_ref = handled.pdu_ref;
        let result = match params.first().copied() {
            Some(read_var::FUNCTION) => self.read_var(session, handled, params, data, out, hooks),
            Some(write_var::FUNCTION) => self.write_var(session, handled, params, data, out, hooks),
            Some(setup::FUNCTION) => self.setup(session, pdu_ref, params, data, out),
            Some(STOP_FUNCTION) => self.stop(session, pdu_ref, params, data, out),
            // PI services (`_DELE`, `_INSE`, `_GARB`, `_MODU`, start) change the CPU: refused
            // under write protection unless the connection sent the password.
            Some(CONTROL_FUNCTION) => self.check_access(session, Access::Write).and_then(|()| {
                self.block_pi(session, pdu_ref, params, data, out)
                    .unwrap_or_else(|| self.control(session, pdu_ref, params, data, out))
            }),
            // Downloads change the directory (write protection); uploads read it (refused
            // under read/write protection).
            Some(f) if is_transfer_function(f) => {
                let access = if f < s7comm::block::transfer::START_UPLOAD {
                    Access::Write
                } else {
                    Access::Read
                };
                self.check_access(session, access)
                    .and_then(|()| self.transfer(session, pdu_ref, params, data, out))
            }
            _ => Err(ErrorCode::NOT_IMPLEMENTED),
        };
        if let Err(error) = result {
            handled.error = Some(error);
        }
    }

    fn read_var<'r, H: Hooks + ?Sized>(
        &self,
        session: &Session,
        handled: &mut Handled<'r>,
        params: &'r [u8],
        data: &[u8],
        out: &mut Vec<u8>,
        hooks: &mut H,
    ) -> Result<(), ErrorCode> {
        self.check_access(session, Access::Read)?;
        let view = ReadVarRequestView::new(params).map_err(|_| ErrorCode::PDU_SIZE)?;
        if !data.is_empty() {
            return Err(ErrorCode::PDU_SIZE);
        }
        handled.items = params.get(2..).unwrap_or_default();
        let last = usize::from(view.count()).saturating_sub(1);
        let limit = usize::from(session.pdu_size);
        // The data length is patched below.
        out.extend_from_slice(&read_answer_head(handled.pdu_ref, view.count(), 0));
        if let Some(simulation) = self.simulation() {
            simulation.refresh_items(self, view.items());
        }
        if hooks.supplies_reads() {
            self.read_supplied(&view, out, hooks, limit)?;
            patch_lengths(out, Header::LONG_LEN, 2);
            return Ok(());
        }
        let memory = self.memory();
        for (i, item) in view.items().enumerate() {
            let forced = hooks.item_return_code(ItemOperation::Read, i, &item);
            let done = match forced {
                Some(code) if !code.is_success() => None,
                _ => read_bytes_item(&memory, &item, out, i == last, limit),
            };
            done.unwrap_or_else(|| read_item(&memory, &item, forced, out, i == last, limit))
                .map_err(|TooLarge| ErrorCode::PDU_SIZE)?;
        }
        drop(memory);
        // The parameter length went out as 2 with the header.
        let data_len = out.len().saturating_sub(READ_ANSWER_HEAD_LEN);
        Header::patch_data_len(out, u16::try_from(data_len).unwrap_or(u16::MAX));
        Ok(())
    }

    fn write_var<'r, H: Hooks + ?Sized>(
        &self,
        session: &Session,
        handled: &mut Handled<'r>,
        params: &'r [u8],
        data: &[u8],
        out: &mut Vec<u8>,
        hooks: &mut H,
    ) -> Result<(), ErrorCode> {
        self.check_access(session, Access::Write)?;
        let view = WriteVarRequestView::new(params, data).map_err(|_| ErrorCode::PDU_SIZE)?;
        handled.items = params.get(2..).unwrap_or_default();
        emit_ack_data_head(out, handled.pdu_ref);
        out.extend_from_slice(&[write_var::FUNCTION, view.count()]);
        let mut memory = self.memory_mut();
        for (i, (item, item_data)) in view.items().enumerate() {
            let code = match hooks.item_return_code(ItemOperation::Write, i, &item) {
                Some(code) if !code.is_success() => code,
                _ => write_item(&mut memory, &item, &item_data),
            };
            if code.is_success() {
                if let Some(simulation) = self.simulation() {
                    simulation.written_item(&item);
                }
            }
            out.push(code.to_u8());
        }
        drop(memory);
        patch_lengths(out, Header::LONG_LEN, 2);
        Ok(())
    }

    fn setup(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        params: &[u8],
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        let asked = SetupCommunication::parse(params).map_err(|_| ErrorCode::PDU_SIZE)?;
        if !data.is_empty() {
            return Err(ErrorCode::PDU_SIZE);
        }
        let config = self.config();
        let granted = SetupCommunication {
            max_amq_calling: asked.max_amq_calling.clamp(1, config.max_parallel_jobs),
            max_amq_called: asked.max_amq_called.clamp(1, config.max_parallel_jobs),
            pdu_length: asked.pdu_length.clamp(MIN_PDU_SIZE, config.max_pdu_size),
            ..Default::default()
        };
        session.pdu_size = granted.pdu_length;
        session.amq_calling = granted.max_amq_calling;
        session.amq_called = granted.max_amq_called;
        session.negotiated = true;
        session.pending_szl = None;
        emit_ack_data_head(out, pdu_ref);
        granted.emit(out);
        patch_lengths(out, Header::LONG_LEN, SetupCommunication::LEN);
        Ok(())
    }

    fn emit_control_ack(pdu_ref: u16, function: u8, out: &mut Vec<u8>) {
        emit_ack_data_head(out, pdu_ref);
        out.push(function);
        patch_lengths(out, Header::LONG_LEN, 1);
    }

    fn stop(
        &self,
        session: &Session,
        pdu_ref: u16,
        params: &[u8],
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        let request = PlcStopRequest::parse(params).map_err(|_| ErrorCode::PDU_SIZE)?;
        self.check_access(session, Access::Write)?;
        if !data.is_empty() {
            return Err(ErrorCode::PDU_SIZE);
        }
        if request.service != P_PROGRAM {
            return Err(ErrorCode::NOT_IMPLEMENTED);
        }
        self.set_cpu_state(CpuState::Stop);
        Self::emit_control_ack(pdu_ref, STOP_FUNCTION, out);
        Ok(())
    }

    fn control(
        &self,
        session: &Session,
        pdu_ref: u16,
        params: &[u8],
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        let request = PlcControlRequest::parse(params).map_err(|_| ErrorCode::PDU_SIZE)?;
        self.check_access(session, Access::Write)?;
        if !data.is_empty() {
            return Err(ErrorCode::PDU_SIZE);
        }
        match request.service.as_slice() {
            P_PROGRAM => self.set_cpu_state(CpuState::Run),
            COMPRESS | COPY_RAM_TO_ROM => {}
            _ => return Err(ErrorCode::NOT_IMPLEMENTED),
        }
        Self::emit_control_ack(pdu_ref, CONTROL_FUNCTION, out);
        Ok(())
    }

    fn handle_userdata(
        &self,
        session: &mut Session,
        handled: &mut Handled<'_>,
        params: &[u8],
        data: &[u8],
        out: &mut Vec<u8>,
    ) {
        let pdu_ref = handled.pdu_ref;
        let request = match UserData::parse(params, data) {
            Ok(request) => request,
            Err(_) => {
                // Answer in the group the bytes name, if they name one.
                let (group, subfunction) = match handled.kind {
                    RequestKind::UnknownUserData { group, subfunction } => (group, subfunction),
                    _ => (0, 0),
                };
                let sequence = params.get(7).copied().unwrap_or(0);
                handled.error = Some(ErrorCode::PDU_SIZE);
                emit_userdata_error(
                    out,
                    pdu_ref,
                    group,
                    subfunction,
                    sequence,
                    ErrorCode::PDU_SIZE,
                );
                return;
            }
        };
        let p: UserDataParams = request.params;
        if let Some(block_request) = BlockRequest::parse(&request) {
            let result = block_request
                .map_err(|_| s7comm::block::ERROR_PARAMETERS)
                .and_then(|r| self.block_function(session, pdu_ref, &p, r, out));
            if let Err(error) = result {
                handled.error = Some(error);
                emit_userdata_error(out, pdu_ref, p.group, p.subfunction, p.sequence, error);
            }
            return;
        }
        let result = match request.service() {
            Ok(UserDataService::ReadSzl { id, index }) => {
                handled.kind = RequestKind::ReadSzl { id, index };
                self.read_szl(session, pdu_ref, &p, id, index, out)
            }
            Ok(UserDataService::ReadSzlFollowUp { sequence }) => {
                handled.kind = RequestKind::ReadSzlFollowUp { sequence };
                Self::read_szl_follow_up(session, pdu_ref, &p, out)
            }
            Ok(UserDataService::ReadClock) => {
                handled.kind = RequestKind::ReadClock;
                let mut clock = Vec::with_capacity(s7comm::clock::CLOCK_DATA_LEN);
                self.clock()
                    .emit_clock_data(&mut clock)
                    .map_err(|_| ErrorCode::INVALID_DATA)
                    .and_then(|()| answer(out, pdu_ref, &p, 0, false, UserDataItem::octets(clock)))
            }
            Ok(UserDataService::SetClock(time)) => {
                handled.kind = RequestKind::SetClock;
                self.set_clock(&time)
                    .map_err(|_| ErrorCode::INVALID_DATA)
                    .and_then(|()| answer(out, pdu_ref, &p, 0, false, UserDataItem::empty()))
            }
            Ok(UserDataService::Other {
                group: GROUP_SECURITY,
                ..
            }) => self.security(session, pdu_ref, &p, &request, out),
            Ok(UserDataService::Other { .. }) => Err(ErrorCode::NOT_IMPLEMENTED),
            Err(_) => {
                if p.group == GROUP_CLOCK {
                    handled.kind = RequestKind::SetClock;
                }
                Err(if p.group == GROUP_SZL || p.group == GROUP_CLOCK {
                    ErrorCode::INVALID_DATA
                } else {
                    ErrorCode::NOT_IMPLEMENTED
                })
            }
        };
        if let Err(error) = result {
            handled.error = Some(error);
            emit_userdata_error(out, pdu_ref, p.group, p.subfunction, p.sequence, error);
        }
    }

    fn read_szl(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        p: &UserDataParams,
        id: u16,
        index: u16,
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        session.pending_szl = None;
        let source = SzlSource {
            plc: self,
            served: self.config().served_szl,
            identity: self.identity(),
            state: self.cpu_state(),
            last_change: self.last_state_change(),
        };
        let payload = szl_data::build(&source, id, index)?;
        let room = usize::from(session.pdu_size).saturating_sub(SZL_FIRST_OVERHEAD);
        let (first, rest) = payload.split_at_checked(room).unwrap_or((&payload, &[]));
        let mut data = Vec::with_capacity(first.len().saturating_add(4));
        data.extend_from_slice(&id.to_be_bytes());
        data.extend_from_slice(&index.to_be_bytes());
        data.extend_from_slice(first);
        if rest.is_empty() {
            return answer(out, pdu_ref, p, 0, false, UserDataItem::octets(data));
        }
        let sequence = Session::next_nonzero(&mut session.last_sequence);
        let data_unit_ref = Session::next_nonzero(&mut session.last_data_unit);
        session.pending_szl = Some(PendingSzl {
            sequence,
            data_unit_ref,
            remaining: rest.to_vec(),
        });
        let first_params = UserDataParams { sequence, ..*p };
        answer(
            out,
            pdu_ref,
            &first_params,
            data_unit_ref,
            true,
            UserDataItem::octets(data),
        )
    }

    /// Set / clear session password (userdata group 5); see [`protection`](super::protection).
    fn security(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        p: &UserDataParams,
        request: &UserData,
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        match request.security_service() {
            Ok(Some(SecurityService::SetPassword(scrambled))) => {
                self.log_on_scrambled(session, &scrambled)?;
            }
            Ok(Some(SecurityService::ClearPassword)) => self.log_off(session),
            Ok(None) => return Err(ErrorCode::NOT_IMPLEMENTED),
            Err(_) => return Err(ErrorCode::INVALID_DATA),
        }
        answer(out, pdu_ref, p, 0, false, UserDataItem::empty())
    }

    fn read_szl_follow_up(
        session: &mut Session,
        pdu_ref: u16,
        p: &UserDataParams,
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        let pending = session
            .pending_szl
            .take()
            .filter(|pending| pending.sequence == p.sequence)
            .ok_or(ErrorCode::JOB_NOT_FOUND)?;
        let room = usize::from(session.pdu_size).saturating_sub(SZL_NEXT_OVERHEAD);
        let (part, rest) = pending
            .remaining
            .split_at_checked(room)
            .unwrap_or((&pending.remaining, &[]));
        let more = !rest.is_empty();
        let item = UserDataItem::octets(part.to_vec());
        if more {
            session.pending_szl = Some(PendingSzl {
                remaining: rest.to_vec(),
                ..pending.clone()
            });
        }
        answer(out, pdu_ref, p, pending.data_unit_ref, more, item)
    }
}

/// Appends a successful userdata answer mirroring the request's group, subfunction and
/// sequence number.
fn answer(
    out: &mut Vec<u8>,
    pdu_ref: u16,
    p: &UserDataParams,
    data_unit_ref: u8,
    more: bool,
    item: UserDataItem,
) -> Result<(), ErrorCode> {
    let response = UserData::response(
        p.group,
        p.subfunction,
        p.sequence,
        Continuation {
            data_unit_ref,
            more,
            error: ErrorCode::NONE,
        },
        item,
    );
    emit_userdata(out, pdu_ref, &response).map_err(|_| ErrorCode::PDU_SIZE)
}

/// `len` as a `u16` header length field, or [`s7comm::Error::TooLarge`].
fn wire_u16(len: usize, what: &'static str) -> Result<u16, Error> {
    u16::try_from(len).map_err(|_| {
        Error::from(s7comm::Error::TooLarge {
            what,
            value: len,
            max: usize::from(u16::MAX),
        })
    })
}
