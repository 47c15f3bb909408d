//! Block services of [`Client`]: the directory, upload, download and delete.

use s7comm::block::directory::{BlockCount, BlockEntry, BlockRequest};
use s7comm::block::format::{BlockInfo, Mc7Block};
use s7comm::block::pi::{PiBlockList, DELETE, INSERT};
use s7comm::block::transfer::{
    TransferRequest, TransferResponse, DOWNLOAD_BLOCK, DOWNLOAD_ENDED, REQUEST_DOWNLOAD,
};
use s7comm::block::{BlockId, BlockName, BlockType, FS_ACTIVE, FS_BOTH, FS_PASSIVE};
use s7comm::{ErrorCode, Request, RequestPdu, Response, ResponsePdu};

use super::{expect_control, unexpected, Client};
use crate::Error;

/// Answer bytes around a block part: header (12), parameters (2), length and marker (4).
const PART_OVERHEAD: usize = 18;
/// Most parts an upload or download may take before the client gives up.
const MAX_PARTS: usize = 100_000;

fn id(block_type: BlockType, number: u16, file_system: u8) -> BlockId {
    BlockId {
        block_type,
        number: u32::from(number),
        file_system,
    }
}

impl Client {
    /// How many blocks of each type the PLC has (list blocks).
    pub fn list_blocks(&mut self) -> Result<Vec<BlockCount>, Error> {
        let answer = self.user_data(BlockRequest::ListAll.to_userdata()?, "list blocks", true)?;
        Ok(BlockCount::parse_all(&answer.item.data)?)
    }

    /// The blocks of a type, ascending (list blocks of type, following a multi-part answer
    /// to its end).
    pub fn list_blocks_of_type(&mut self, block_type: BlockType) -> Result<Vec<BlockEntry>, Error> {
        let what = "list blocks of type";
        let mut part = self.user_data(
            BlockRequest::ListOfType(block_type).to_userdata()?,
            what,
            false,
        )?;
        let mut payload = part.item.data.clone();
        let mut parts = 0usize;
        while part.params.continuation.is_some_and(|c| c.more) && parts < MAX_PARTS {
            parts = parts.saturating_add(1);
            let follow_up = BlockRequest::ListFollowUp {
                sequence: part.params.sequence,
            };
            part = self.user_data(follow_up.to_userdata()?, what, false)?;
            payload.extend_from_slice(&part.item.data);
        }
        Ok(BlockEntry::parse_all(&payload)?)
    }

    /// Block info: the block's header and trailer (lengths, language, author, ...).
    pub fn block_info(&mut self, block_type: BlockType, number: u16) -> Result<BlockInfo, Error> {
        let request = BlockRequest::Info(id(block_type, number, FS_ACTIVE)).to_userdata()?;
        let answer = self.user_data(request, "block info", true)?;
        Ok(BlockInfo::parse(&answer.item.data)?)
    }

    /// Uploads a block: its whole MC7 image (36-byte header, body, interface, trailer).
    pub fn upload(&mut self, block_type: BlockType, number: u16) -> Result<Vec<u8>, Error> {
        let name = BlockName(id(block_type, number, FS_ACTIVE));
        let start = self.exchange(Request::Transfer(TransferRequest::start_upload(&name)?))?;
        let Response::Transfer(TransferResponse::StartUpload { id: upload_id, .. }) =
            start.response
        else {
            return Err(unexpected("a start upload answer", &start.response));
        };
        let mut image = Vec::new();
        for _ in 0..MAX_PARTS {
            let answer = self.exchange(Request::Transfer(TransferRequest::upload(upload_id)))?;
            let Response::Transfer(TransferResponse::Part { more, payload, .. }) = answer.response
            else {
                return Err(unexpected("an upload answer", &answer.response));
            };
            image.extend_from_slice(&payload);
            if !more {
                break;
            }
        }
        let end = self.exchange(Request::Transfer(TransferRequest::end_upload(upload_id)))?;
        match end.response {
            Response::Transfer(TransferResponse::Done { .. }) => Ok(image),
            other => Err(unexpected("an end upload answer", &other)),
        }
    }

    /// Downloads a whole MC7 image (as [`upload`](Self::upload) returns it; type and number
    /// come from its header), answering the PLC's download block jobs, then inserts the
    /// block (`_INSE`).
    ///
    /// # Errors
    /// [`Error::ErrorAnswer`] with the PLC's code when it refuses the request download or
    /// ends the download with an error (its download ended job carries the error bit: a part
    /// or the block was bad), or refuses the insert.
    pub fn download(&mut self, image: &[u8]) -> Result<(), Error> {
        let block = Mc7Block::parse(image)?;
        let block_type = block
            .header
            .block_type()
            .ok_or(s7comm::Error::InvalidValue {
                what: "block sub-block type",
                value: u32::from(block.header.sub_block),
            })?;
        let number = block.header.number;
        let name = BlockName(id(block_type, number, FS_PASSIVE));
        let request = TransferRequest::request_download(
            &name,
            block.header.load_len,
            u32::from(block.header.mc7_len),
        )?;
        let answer = self.exchange(Request::Transfer(request))?;
        if !matches!(
            answer.response,
            Response::Transfer(TransferResponse::Done {
                function: REQUEST_DOWNLOAD
            })
        ) {
            return Err(unexpected("a request download answer", &answer.response));
        }
        let room = usize::from(self.pdu_size)
            .saturating_sub(PART_OVERHEAD)
            .max(1);
        let mut rest = image;
        for _ in 0..MAX_PARTS {
            let bytes = self.connection.recv()?;
            let job = RequestPdu::parse(&bytes)?;
            let Request::Transfer(transfer) = job.request else {
                return Err(Error::UnexpectedAnswer {
                    expected: "a download block job",
                    found: "another request",
                });
            };
            let function = transfer.function;
            let response = match function {
                DOWNLOAD_BLOCK => {
                    let (part, tail) = rest.split_at(room.min(rest.len()));
                    rest = tail;
                    TransferResponse::part(DOWNLOAD_BLOCK, !rest.is_empty(), part.to_vec())
                }
                DOWNLOAD_ENDED => TransferResponse::Done {
                    function: DOWNLOAD_ENDED,
                },
                _ => {
                    return Err(Error::UnexpectedAnswer {
                        expected: "a download block job",
                        found: "another upload/download job",
                    })
                }
            };
            self.request.clear();
            ResponsePdu::new(job.pdu_ref, ErrorCode::NONE, Response::Transfer(response))
                .emit(&mut self.request)?;
            self.connection.send(&self.request)?;
            if let Some(error) = transfer.error() {
                // The PLC ended the download early with an error (a bad part or block):
                // acknowledged as it asks, nothing to insert.
                return Err(Error::ErrorAnswer {
                    what: "download",
                    class: error.class(),
                    code: error.code(),
                });
            }
            if function == DOWNLOAD_ENDED {
                let insert =
                    PiBlockList::request(INSERT, vec![id(block_type, number, FS_PASSIVE)])?;
                let answer = self.exchange(Request::PlcControl(insert))?;
                return expect_control(answer);
            }
        }
        Err(Error::UnexpectedAnswer {
            expected: "download ended",
            found: "more download block jobs than parts",
        })
    }

    /// Deletes a block (`_DELE`).
    pub fn delete(&mut self, block_type: BlockType, number: u16) -> Result<(), Error> {
        let request = PiBlockList::request(DELETE, vec![id(block_type, number, FS_BOTH)])?;
        let answer = self.exchange(Request::PlcControl(request))?;
        expect_control(answer)
    }
}
