//! The block services on [`Plc`]: directory, upload, download and the block PI services.

use s7comm::block::directory::{BlockCount, BlockEntry, BlockRequest};
use s7comm::block::format::{BlockInfo, Mc7Block, HEADER_MAGIC};
use s7comm::block::pi::{self, PiBlockList};
use s7comm::block::transfer::{
    TransferRequest, TransferResponse, DOWNLOAD_BLOCK, DOWNLOAD_ENDED, END_UPLOAD,
    REQUEST_DOWNLOAD, START_UPLOAD, UPLOAD,
};
use s7comm::block::{
    BlockId, BlockName, BlockType, ERROR_BLOCK_LENGTHS, ERROR_BLOCK_NAME, ERROR_BLOCK_NOT_FOUND,
    ERROR_BLOCK_NUMBER, ERROR_BLOCK_STRUCTURE, ERROR_BLOCK_TOO_LARGE, ERROR_NO_BLOCK_AVAILABLE,
    ERROR_PARAMETERS, ERROR_SERVICE_SEQUENCE, FS_PASSIVE,
};
use s7comm::control::{PlcControlRequest, CONTROL_FUNCTION};
use s7comm::{
    Continuation, ErrorCode, Request, RequestPdu, Response, ResponsePdu, UserData, UserDataItem,
    UserDataParams,
};

use super::super::session::Session;
use super::super::Plc;
use super::{
    header_and_trailer, image, BlockMeta, Download, FailedDownload, PendingList, Phase, Stored,
    Upload, MAX_BLOCKS,
};

/// Answer bytes around an upload part: header (12), parameters (2), length and marker (4).
const PART_OVERHEAD: usize = 18;
/// Answer bytes around the entries of a list of type part: header (10), parameters (12),
/// data item head (4).
const LIST_OVERHEAD: usize = 26;

fn emit(out: &mut Vec<u8>, pdu: &ResponsePdu) -> Result<(), ErrorCode> {
    out.clear();
    pdu.emit(out).map_err(|_| ErrorCode::PDU_SIZE)
}

fn emit_ack_data(
    out: &mut Vec<u8>,
    pdu_ref: u16,
    response: TransferResponse,
) -> Result<(), ErrorCode> {
    emit(
        out,
        &ResponsePdu::new(pdu_ref, ErrorCode::NONE, Response::Transfer(response)),
    )
}

fn emit_userdata(
    out: &mut Vec<u8>,
    pdu_ref: u16,
    p: &UserDataParams,
    sequence: u8,
    data_unit_ref: u8,
    more: bool,
    payload: Vec<u8>,
) -> Result<(), ErrorCode> {
    let answer = UserData::response(
        p.group,
        p.subfunction,
        sequence,
        Continuation {
            data_unit_ref,
            more,
            error: ErrorCode::NONE,
        },
        UserDataItem::octets(payload),
    );
    emit(
        out,
        &ResponsePdu::new(pdu_ref, ErrorCode::NONE, Response::UserData(answer)),
    )
}

fn number_u16(id: &BlockId) -> Result<u16, ErrorCode> {
    u16::try_from(id.number).map_err(|_| ERROR_BLOCK_NUMBER)
}

impl Plc {
    /// The numbers of the blocks of a type, ascending, with their metadata.
    fn blocks_of(&self, block_type: BlockType) -> Vec<(u16, BlockMeta)> {
        if block_type == BlockType::Db {
            let numbers: Vec<u16> = self.memory().data_block_numbers().collect();
            let directory = self.directory();
            return numbers
                .into_iter()
                .map(|n| (n, directory.meta(BlockType::Db, n)))
                .collect();
        }
        self.directory()
            .blocks
            .iter()
            .filter(|((t, _), _)| *t == block_type)
            .map(|((_, n), stored)| (*n, stored.meta))
            .collect()
    }

    /// A block's metadata and body (a DB's current data), if it exists.
    pub(crate) fn block(&self, block_type: BlockType, number: u16) -> Option<(BlockMeta, Vec<u8>)> {
        if block_type == BlockType::Db {
            let body = self
                .memory()
                .region(crate::memory::Region::DataBlock(number))
                .ok()?
                .to_vec();
            return Some((self.directory().meta(BlockType::Db, number), body));
        }
        let directory = self.directory();
        let stored = directory.blocks.get(&(block_type, number))?;
        Some((stored.meta, stored.body.clone().unwrap_or_default()))
    }

    /// The block numbers of a type (for tests and the control API).
    pub fn block_numbers(&self, block_type: BlockType) -> Vec<u16> {
        self.blocks_of(block_type)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    /// The MC7 image of a block as upload sends it.
    pub fn block_image(&self, block_type: BlockType, number: u16) -> Option<Vec<u8>> {
        let (meta, body) = self.block(block_type, number)?;
        image(block_type, number, &meta, &body)
    }

    /// Answers a userdata group 3 request.
    pub(in crate::plc) fn block_function(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        p: &UserDataParams,
        request: BlockRequest,
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        match request {
            BlockRequest::ListAll => {
                let mut payload = Vec::with_capacity(28);
                for block_type in BlockType::ALL {
                    let count = u16::try_from(self.blocks_of(block_type).len()).unwrap_or(u16::MAX);
                    BlockCount { block_type, count }.emit(&mut payload);
                }
                emit_userdata(out, pdu_ref, p, p.sequence, 0, false, payload)
            }
            BlockRequest::ListOfType(block_type) => {
                session.blocks.pending_list = None;
                let mut payload = Vec::new();
                for (number, meta) in self.blocks_of(block_type) {
                    BlockEntry {
                        number,
                        flags: meta.flags,
                        language: meta.language,
                    }
                    .emit(&mut payload);
                }
                let room = usize::from(session.pdu_size)
                    .saturating_sub(LIST_OVERHEAD)
                    .checked_div(BlockEntry::LEN)
                    .unwrap_or(0)
                    .saturating_mul(BlockEntry::LEN);
                if payload.len() <= room {
                    return emit_userdata(out, pdu_ref, p, p.sequence, 0, false, payload);
                }
                let rest = payload.split_off(room);
                let sequence = Session::next_nonzero(&mut session.last_sequence);
                let data_unit_ref = Session::next_nonzero(&mut session.last_data_unit);
                session.blocks.pending_list = Some(PendingList {
                    sequence,
                    data_unit_ref,
                    remaining: rest,
                });
                emit_userdata(out, pdu_ref, p, sequence, data_unit_ref, true, payload)
            }
            BlockRequest::ListFollowUp { sequence } => {
                let mut pending = session
                    .blocks
                    .pending_list
                    .take()
                    .filter(|pending| pending.sequence == sequence)
                    .ok_or(ErrorCode::JOB_NOT_FOUND)?;
                let room = usize::from(session.pdu_size)
                    .saturating_sub(LIST_OVERHEAD)
                    .checked_div(BlockEntry::LEN)
                    .unwrap_or(0)
                    .saturating_mul(BlockEntry::LEN);
                let rest = if pending.remaining.len() > room {
                    pending.remaining.split_off(room)
                } else {
                    Vec::new()
                };
                let part = std::mem::replace(&mut pending.remaining, rest);
                let more = !pending.remaining.is_empty();
                let (sequence, data_unit_ref) = (pending.sequence, pending.data_unit_ref);
                if more {
                    session.blocks.pending_list = Some(pending);
                }
                emit_userdata(out, pdu_ref, p, sequence, data_unit_ref, more, part)
            }
            BlockRequest::Info(id) => {
                let number = number_u16(&id).map_err(|_| ERROR_BLOCK_NOT_FOUND)?;
                let (meta, body) = self
                    .block(id.block_type, number)
                    .ok_or(ERROR_BLOCK_NOT_FOUND)?;
                let (header, trailer) = header_and_trailer(id.block_type, number, &meta, &body)
                    .ok_or(ERROR_BLOCK_TOO_LARGE)?;
                let mut payload = Vec::with_capacity(s7comm::block::format::BLOCK_INFO_LEN);
                BlockInfo::new(id.block_type.letter(), header, trailer).emit(&mut payload);
                emit_userdata(out, pdu_ref, p, p.sequence, 0, false, payload)
            }
        }
    }

    /// Answers an upload or download job (`1A`, `1D`-`1F`).
    pub(in crate::plc) fn transfer(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        params: &[u8],
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        if !data.is_empty() {
            return Err(ErrorCode::PDU_SIZE);
        }
        let request = TransferRequest::parse(params).map_err(|_| ErrorCode::PDU_SIZE)?;
        match request.function {
            START_UPLOAD => {
                let BlockName(id) = request.block_name().map_err(|_| ERROR_BLOCK_NAME)?;
                let number = number_u16(&id).map_err(|_| ERROR_BLOCK_NOT_FOUND)?;
                let image = self
                    .block_image(id.block_type, number)
                    .ok_or(ERROR_BLOCK_NOT_FOUND)?;
                let load_len = u32::try_from(image.len()).map_err(|_| ERROR_BLOCK_TOO_LARGE)?;
                session.blocks.last_id = session.blocks.last_id.checked_add(1).unwrap_or(1).max(1);
                let id = session.blocks.last_id;
                session.blocks.upload = Some(Upload { id, image, sent: 0 });
                emit_ack_data(out, pdu_ref, TransferResponse::start_upload(id, load_len))
            }
            UPLOAD => {
                let upload = session
                    .blocks
                    .upload
                    .as_mut()
                    .filter(|u| u.id == request.id)
                    .ok_or(ERROR_PARAMETERS)?;
                let room = usize::from(session.pdu_size).saturating_sub(PART_OVERHEAD);
                let rest = upload.image.get(upload.sent..).unwrap_or_default();
                let part = rest.get(..room).unwrap_or(rest).to_vec();
                upload.sent = upload.sent.saturating_add(part.len());
                let more = upload.sent < upload.image.len();
                emit_ack_data(out, pdu_ref, TransferResponse::part(UPLOAD, more, part))
            }
            END_UPLOAD => {
                if session.blocks.upload.as_ref().map(|u| u.id) != Some(request.id) {
                    return Err(ERROR_PARAMETERS);
                }
                session.blocks.upload = None;
                emit_ack_data(
                    out,
                    pdu_ref,
                    TransferResponse::Done {
                        function: END_UPLOAD,
                    },
                )
            }
            REQUEST_DOWNLOAD => self.request_download(session, pdu_ref, &request, out),
            _ => Err(ErrorCode::NOT_IMPLEMENTED),
        }
    }

    fn request_download(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        request: &TransferRequest,
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        let BlockName(id) = request.block_name().map_err(|_| ERROR_BLOCK_NAME)?;
        let number = number_u16(&id)?;
        let (load_len, mc7_len) = request.download_lengths().map_err(|_| ERROR_PARAMETERS)?;
        let load_len = usize::try_from(load_len).map_err(|_| ERROR_BLOCK_TOO_LARGE)?;
        let mc7_len = usize::try_from(mc7_len).map_err(|_| ERROR_BLOCK_TOO_LARGE)?;
        let max = self.directory().max_block_size;
        if load_len > max {
            return Err(ERROR_BLOCK_TOO_LARGE);
        }
        if load_len < s7comm::block::format::HEADER_LEN + s7comm::block::format::TRAILER_LEN
            || mc7_len > load_len.saturating_sub(s7comm::block::format::HEADER_LEN)
        {
            return Err(ERROR_PARAMETERS);
        }
        if session.blocks.download_in_flight() {
            return Err(ERROR_NO_BLOCK_AVAILABLE);
        }
        if !self.has_room_for(id.block_type, number) {
            return Err(ERROR_NO_BLOCK_AVAILABLE);
        }
        session.blocks.failed = None;
        let name = BlockName(BlockId {
            file_system: FS_PASSIVE,
            ..id
        });
        let job_ref = self.next_job_ref(session);
        let job = download_job(DOWNLOAD_BLOCK, job_ref, &name)?;
        session.blocks.download = Some(Download {
            block_type: id.block_type,
            number,
            name,
            load_len,
            received: Vec::new(),
            phase: Phase::Part,
            job_ref,
        });
        session.blocks.outgoing = Some(job);
        emit_ack_data(
            out,
            pdu_ref,
            TransferResponse::Done {
                function: REQUEST_DOWNLOAD,
            },
        )
    }

    fn next_job_ref(&self, session: &mut Session) -> u16 {
        session.blocks.last_job_ref = session
            .blocks
            .last_job_ref
            .checked_add(1)
            .unwrap_or(1)
            .max(1);
        session.blocks.last_job_ref
    }

    /// Takes the PDU the PLC sends after its answer, if there is one (the first download
    /// block job after a request download is acknowledged).
    pub fn take_outgoing(&self, session: &mut Session, out: &mut Vec<u8>) -> bool {
        match session.blocks.outgoing.take() {
            Some(pdu) => {
                out.clear();
                out.extend_from_slice(&pdu);
                true
            }
            None => false,
        }
    }

    /// Handles the client's ack-data answer to a download block or download ended job:
    /// writes the PLC's next job into `out`, the next download block job, or download ended
    /// once the block is complete (with the error bit and code when the part or the block is
    /// bad). Nothing follows the client's answer to download ended: the block is inserted
    /// then, if it checked out. `Err` is the error the download ended with (the directory is
    /// unchanged); the next `_INSE` of the block on this connection is answered with it.
    pub(in crate::plc) fn download_answer(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        error: ErrorCode,
        params: &[u8],
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), ErrorCode> {
        out.clear();
        let Some(mut download) = session.blocks.download.take() else {
            return Err(ERROR_SERVICE_SEQUENCE);
        };
        if !error.is_ok() {
            // The client gave up the download itself and waits for nothing more from it.
            return Err(fail(session, &download, error));
        }
        match download.phase {
            Phase::Part => {
                let result = self.download_part(&mut download, pdu_ref, params, data);
                download.job_ref = self.next_job_ref(session);
                let job = match result {
                    Ok(true) => download_job(DOWNLOAD_BLOCK, download.job_ref, &download.name),
                    Ok(false) => {
                        download.phase = Phase::Ended;
                        download_job(DOWNLOAD_ENDED, download.job_ref, &download.name)
                    }
                    Err(code) => {
                        // A CPU ends a failed download with download ended carrying the
                        // error: the client, waiting for the next download block job, learns
                        // of it instead of waiting for a job that never comes.
                        download.phase = Phase::Failed(code);
                        download_failed_job(download.job_ref, &download.name, code)
                    }
                }?;
                out.extend_from_slice(&job);
                let failed = match download.phase {
                    Phase::Failed(code) => Some(fail(session, &download, code)),
                    Phase::Part | Phase::Ended => None,
                };
                session.blocks.download = Some(download);
                failed.map_or(Ok(()), Err)
            }
            Phase::Ended => {
                let acknowledged = pdu_ref == download.job_ref
                    && matches!(
                        TransferResponse::parse(params, data),
                        Ok(TransferResponse::Done {
                            function: DOWNLOAD_ENDED
                        })
                    );
                if !acknowledged {
                    return Err(fail(session, &download, ERROR_SERVICE_SEQUENCE));
                }
                self.insert_downloaded(&download)
                    .map_err(|code| fail(session, &download, code))
            }
            // Whatever the client answered, the download is over and left nothing behind.
            Phase::Failed(code) => Err(code),
        }
    }

    /// Takes the client's answer to a download block job into `download`; `Ok(true)` when
    /// more parts follow, `Ok(false)` when the block is complete and checked out.
    fn download_part(
        &self,
        download: &mut Download,
        pdu_ref: u16,
        params: &[u8],
        data: &[u8],
    ) -> Result<bool, ErrorCode> {
        let answer = TransferResponse::parse(params, data).map_err(|_| ErrorCode::PDU_SIZE)?;
        let TransferResponse::Part {
            function: DOWNLOAD_BLOCK,
            more,
            payload,
            ..
        } = answer
        else {
            return Err(ERROR_SERVICE_SEQUENCE);
        };
        if pdu_ref != download.job_ref {
            return Err(ERROR_SERVICE_SEQUENCE);
        }
        let total = download.received.len().saturating_add(payload.len());
        if total > download.load_len || (!more && total != download.load_len) {
            return Err(ERROR_BLOCK_LENGTHS);
        }
        download.received.extend_from_slice(&payload);
        if !more {
            self.check_downloaded(download)?;
        }
        Ok(more)
    }

    /// Checks a complete downloaded image: a block of the type its name says, whose header
    /// agrees with its length, with room for it in the directory.
    fn check_downloaded<'d>(&self, download: &'d Download) -> Result<Mc7Block<'d>, ErrorCode> {
        let block = Mc7Block::parse(&download.received).map_err(|_| ERROR_BLOCK_LENGTHS)?;
        if block.header.magic != HEADER_MAGIC
            || block.header.block_type() != Some(download.block_type)
        {
            return Err(ERROR_BLOCK_STRUCTURE);
        }
        if !self.has_room_for(download.block_type, download.number) {
            return Err(ERROR_NO_BLOCK_AVAILABLE);
        }
        Ok(block)
    }

    /// Whether the directory can take this block: it replaces one, or there is room.
    fn has_room_for(&self, block_type: BlockType, number: u16) -> bool {
        block_type == BlockType::Db || {
            let directory = self.directory();
            directory.blocks.len() < MAX_BLOCKS
                || directory.blocks.contains_key(&(block_type, number))
        }
    }

    /// Checks a downloaded image again (another connection may have filled the directory
    /// meanwhile) and puts it in the directory (a DB's body in memory).
    fn insert_downloaded(&self, download: &Download) -> Result<(), ErrorCode> {
        let block = self.check_downloaded(download)?;
        let meta = BlockMeta::from_image(&block);
        let body = block.body.to_vec();
        if download.block_type == BlockType::Db {
            let mut memory = self.memory_mut();
            memory
                .insert_data_block(download.number, body)
                .map_err(|_| ERROR_BLOCK_TOO_LARGE)?;
            self.directory().blocks.insert(
                (BlockType::Db, download.number),
                Stored { meta, body: None },
            );
        } else {
            self.directory().blocks.insert(
                (download.block_type, download.number),
                Stored {
                    meta,
                    body: Some(body),
                },
            );
        }
        Ok(())
    }

    /// Answers `_DELE` and `_INSE`; `None` for another PI service.
    pub(in crate::plc) fn block_pi(
        &self,
        session: &mut Session,
        pdu_ref: u16,
        params: &[u8],
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<Result<(), ErrorCode>> {
        let (service, blocks) = match PlcControlRequest::parse(params) {
            Ok(request) if request.service == pi::DELETE || request.service == pi::INSERT => {
                let blocks = PiBlockList::parse(&request.argument).map(|list| list.blocks);
                (request.service, blocks)
            }
            Ok(_) => return None,
            Err(_) => match pi::parse_compact_delete(params) {
                Ok((id, service)) if service == pi::DELETE => (service.to_vec(), Ok(vec![id])),
                _ => return None,
            },
        };
        let failed = session.blocks.failed.take();
        Some(
            self.apply_block_pi(&service, blocks, data, failed)
                .map(|()| {
                    let pdu = ResponsePdu::new(
                        pdu_ref,
                        ErrorCode::NONE,
                        Response::Control(s7comm::ControlResponse {
                            function: CONTROL_FUNCTION,
                            parameter: None,
                        }),
                    );
                    let _ = emit(out, &pdu);
                }),
        )
    }

    /// `_DELE` / `_INSE` of `blocks`; `failed` is the connection's last failed download,
    /// whose error an `_INSE` of that block gets.
    fn apply_block_pi(
        &self,
        service: &[u8],
        blocks: Result<Vec<BlockId>, s7comm::Error>,
        data: &[u8],
        failed: Option<FailedDownload>,
    ) -> Result<(), ErrorCode> {
        if !data.is_empty() {
            return Err(ErrorCode::PDU_SIZE);
        }
        let blocks = blocks.map_err(|_| ERROR_BLOCK_NAME)?;
        if service == pi::INSERT {
            let inserts_failed = |failed: &FailedDownload| {
                blocks.iter().any(|id| {
                    id.block_type == failed.block_type && id.number == u32::from(failed.number)
                })
            };
            if let Some(failed) = failed.filter(inserts_failed) {
                return Err(failed.error);
            }
        }
        let mut keys = Vec::with_capacity(blocks.len());
        for id in &blocks {
            let number = number_u16(id).map_err(|_| ERROR_BLOCK_NOT_FOUND)?;
            if self.block(id.block_type, number).is_none() {
                return Err(ERROR_BLOCK_NOT_FOUND);
            }
            keys.push((id.block_type, number));
        }
        if service == pi::DELETE {
            let mut memory = self.memory_mut();
            let mut directory = self.directory();
            for (block_type, number) in keys {
                if block_type == BlockType::Db {
                    memory.remove_data_block(number);
                }
                directory.blocks.remove(&(block_type, number));
            }
        }
        Ok(())
    }
}

/// The PLC's download block or download ended job for `name`.
fn download_job(function: u8, job_ref: u16, name: &BlockName) -> Result<Vec<u8>, ErrorCode> {
    let request = TransferRequest::plc_download(function, name).map_err(|_| ERROR_PARAMETERS)?;
    RequestPdu::new(job_ref, Request::Transfer(request))
        .to_bytes()
        .map_err(|_| ERROR_PARAMETERS)
}

/// The PLC's download ended job for `name` that reports `error`.
fn download_failed_job(
    job_ref: u16,
    name: &BlockName,
    error: ErrorCode,
) -> Result<Vec<u8>, ErrorCode> {
    let request =
        TransferRequest::plc_download_failed(name, error).map_err(|_| ERROR_PARAMETERS)?;
    RequestPdu::new(job_ref, Request::Transfer(request))
        .to_bytes()
        .map_err(|_| ERROR_PARAMETERS)
}

/// Notes on the session that `download` failed with `error` (for the next `_INSE`), and
/// gives back `error`.
fn fail(session: &mut Session, download: &Download, error: ErrorCode) -> ErrorCode {
    session.blocks.failed = Some(FailedDownload {
        block_type: download.block_type,
        number: download.number,
        error,
    });
    error
}
