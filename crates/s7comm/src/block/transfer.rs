//! Upload (`1D` start upload, `1E` upload, `1F` end upload) and download (`1A` request
//! download, `1B` download block, `1C` download ended): job parameters and their answers.
//!
//! ```text
//! request parameters (jobs; no data section):
//!   FN STATUS UNKNOWN(2) ID(4) [LEN NAME [LEN LENGTHS]]
//!   1D 00 00 00 00 00 00 00 09 _0A00001A          start upload (client -> PLC)
//!   1E 00 00 00 00 00 00 07                       upload with upload id 7
//!   1F 00 00 00 00 00 00 07                       end upload
//!   1A 00 01 00 00 00 00 00 09 _0A00001P 0D 1LLLLLLMMMMMM
//!                                                 request download: load length and
//!                                                 MC7 length as 6 ASCII digits each
//!   1B 00 00 00 00 00 00 00 09 _0A00001P          download block (PLC -> client)
//!   1C 00 00 00 00 00 00 00 09 _0A00001P          download ended (PLC -> client)
//!   1C 02 D2 19 00 00 00 00 09 _0A00001P          download ended with an error: STATUS
//!                                                 bit 1 set, the error code in place of
//!                                                 UNKNOWN (here D2 19)
//! answers (ack-data):
//!   1D STATUS UNKNOWN(2) ID(4) 07 LLLLLLL         start upload: id and load length
//!   1E MORE | data LEN(2) 00 FB bytes             upload (MORE 01: more parts follow)
//!   1B MORE | data LEN(2) 00 FB bytes             download block (client -> PLC)
//!   1A / 1C / 1F                                  one parameter byte, no data
//! ```
//!
//! After the PLC acknowledges `1A`, it is the PLC that sends `1B` jobs to the client, which
//! answers each with the next part of the block, then a `1C` job the client acknowledges;
//! snap7's client then inserts the block with the `_INSE` PI service (see [`super::pi`]).
//! The PLC ends a download that failed (a bad part, a bad block) early with a `1C` job whose
//! function status has the error bit ([`STATUS_ERROR`]) and whose next two bytes carry the
//! error code, as Wireshark's S7comm dissector decodes download ended and end upload jobs.

use alloc::vec::Vec;

use super::{parse_digits, put_digits, BlockName};
use crate::cursor::{put_u16, wire_u16, wire_u8, Reader};
use crate::header::ErrorCode;
use crate::Error;

/// Request download.
pub const REQUEST_DOWNLOAD: u8 = 0x1A;
/// Download block.
pub const DOWNLOAD_BLOCK: u8 = 0x1B;
/// Download ended.
pub const DOWNLOAD_ENDED: u8 = 0x1C;
/// Start upload.
pub const START_UPLOAD: u8 = 0x1D;
/// Upload.
pub const UPLOAD: u8 = 0x1E;
/// End upload.
pub const END_UPLOAD: u8 = 0x1F;
/// The marker after the length of a block part.
pub const PART_MARKER: u16 = 0x00FB;
/// Function status bit 0: more follows.
pub const STATUS_MORE: u8 = 0x01;
/// Function status bit 1: error; the two bytes after the status carry the error code (in
/// download ended and end upload jobs).
pub const STATUS_ERROR: u8 = 0x02;

/// Whether `function` is one of `1A`-`1F`.
pub fn is_transfer_function(function: u8) -> bool {
    (REQUEST_DOWNLOAD..=END_UPLOAD).contains(&function)
}

/// An upload or download job's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransferRequest {
    /// Function code (`1A`-`1F`).
    pub function: u8,
    /// Function status (`00`; [`STATUS_ERROR`] in a download ended job that ends a failed
    /// download).
    pub status: u8,
    /// Two bytes: `01 00` in request download, the error code in a download ended or end
    /// upload job with [`STATUS_ERROR`], `00 00` otherwise.
    pub unknown: u16,
    /// Upload or download id (`0` until the PLC assigns one).
    pub id: u32,
    /// The length-prefixed file name (`_0A00001A`), absent in upload and end upload.
    pub file: Option<Vec<u8>>,
    /// The second length-prefixed string of request download (`1` + load length + MC7
    /// length).
    pub lengths: Option<Vec<u8>>,
}

impl TransferRequest {
    fn with(function: u8, unknown: u16, id: u32, file: Option<Vec<u8>>) -> Self {
        Self {
            function,
            status: 0,
            unknown,
            id,
            file,
            lengths: None,
        }
    }

    /// Start upload of `name` (file system `A`).
    pub fn start_upload(name: &BlockName) -> Result<Self, Error> {
        Ok(Self::with(START_UPLOAD, 0, 0, Some(name.to_bytes()?)))
    }

    /// Upload the next part.
    pub fn upload(id: u32) -> Self {
        Self::with(UPLOAD, 0, id, None)
    }

    /// End an upload.
    pub fn end_upload(id: u32) -> Self {
        Self::with(END_UPLOAD, 0, id, None)
    }

    /// Request download of `name` (file system `P`) with these lengths (at most 999999).
    pub fn request_download(name: &BlockName, load_len: u32, mc7_len: u32) -> Result<Self, Error> {
        for value in [load_len, mc7_len] {
            if value > 999_999 {
                return Err(Error::TooLarge {
                    what: "download length",
                    value: usize::try_from(value).unwrap_or(usize::MAX),
                    max: 999_999,
                });
            }
        }
        let mut lengths = Vec::with_capacity(13);
        lengths.push(b'1');
        put_digits(&mut lengths, load_len, 6);
        put_digits(&mut lengths, mc7_len, 6);
        let mut request = Self::with(REQUEST_DOWNLOAD, 0x0100, 0, Some(name.to_bytes()?));
        request.lengths = Some(lengths);
        Ok(request)
    }

    /// The PLC's download block (`1B`) or download ended (`1C`) job for `name`.
    pub fn plc_download(function: u8, name: &BlockName) -> Result<Self, Error> {
        Ok(Self::with(function, 0, 0, Some(name.to_bytes()?)))
    }

    /// The PLC's download ended (`1C`) job for `name` that ends a failed download with
    /// `error` (function status [`STATUS_ERROR`], the code in the next two bytes).
    pub fn plc_download_failed(name: &BlockName, error: ErrorCode) -> Result<Self, Error> {
        let mut request = Self::with(DOWNLOAD_ENDED, 0, 0, Some(name.to_bytes()?));
        request.status = STATUS_ERROR;
        request.unknown = error.0;
        Ok(request)
    }

    /// The error a download ended or end upload job reports (function status
    /// [`STATUS_ERROR`]), `None` for any other job or one without the error bit.
    pub fn error(&self) -> Option<ErrorCode> {
        let reports = matches!(self.function, DOWNLOAD_ENDED | END_UPLOAD);
        (reports && self.status & STATUS_ERROR != 0).then_some(ErrorCode(self.unknown))
    }

    /// Decodes a parameter section starting with `1A`-`1F`.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "upload/download parameters");
        let function = r.u8()?;
        if !is_transfer_function(function) {
            return Err(Error::InvalidValue {
                what: "upload/download function",
                value: u32::from(function),
            });
        }
        let status = r.u8()?;
        let unknown = r.u16()?;
        let id = u32::from_be_bytes(r.array::<4>()?);
        let string = |r: &mut Reader<'_>| -> Result<Option<Vec<u8>>, Error> {
            if r.remaining() == 0 {
                return Ok(None);
            }
            let len = usize::from(r.u8()?);
            Ok(Some(r.bytes(len)?.to_vec()))
        };
        let file = string(&mut r)?;
        let lengths = string(&mut r)?;
        r.finish()?;
        Ok(Self {
            function,
            status,
            unknown,
            id,
            file,
            lengths,
        })
    }

    /// Encoded parameter length.
    pub fn buffer_len(&self) -> usize {
        let string = |s: &Option<Vec<u8>>| s.as_ref().map_or(0, |s| s.len().saturating_add(1));
        8usize
            .saturating_add(string(&self.file))
            .saturating_add(string(&self.lengths))
    }

    /// Appends the parameter section. Fails for a string longer than 255 bytes, or
    /// `lengths` without `file`.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.file.is_none() && self.lengths.is_some() {
            return Err(Error::InvalidValue {
                what: "download lengths without a file name",
                value: 0,
            });
        }
        out.extend_from_slice(&[self.function, self.status]);
        put_u16(out, self.unknown);
        out.extend_from_slice(&self.id.to_be_bytes());
        for s in [&self.file, &self.lengths].into_iter().flatten() {
            out.push(wire_u8(s.len(), "upload/download string length")?);
            out.extend_from_slice(s);
        }
        Ok(())
    }

    /// The block the file name names.
    pub fn block_name(&self) -> Result<BlockName, Error> {
        BlockName::parse(self.file.as_deref().unwrap_or_default())
    }

    /// Load memory and MC7 lengths of a request download (`1LLLLLLMMMMMM`).
    pub fn download_lengths(&self) -> Result<(u32, u32), Error> {
        let invalid = Error::InvalidValue {
            what: "download lengths",
            value: 0,
        };
        let lengths = self.lengths.as_deref().ok_or(invalid.clone())?;
        let mut r = Reader::new(lengths, "download lengths");
        r.u8()?;
        let load = parse_digits(r.bytes(6)?).ok_or(invalid.clone())?;
        let mc7 = parse_digits(r.bytes(6)?).ok_or(invalid)?;
        r.finish()?;
        Ok((load, mc7))
    }
}

/// The answer (ack-data) to an upload or download job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TransferResponse {
    /// `1D`: the upload id and the block's load length as ASCII digits.
    StartUpload {
        /// Status byte.
        status: u8,
        /// Two unknown bytes (`01 00`).
        unknown: u16,
        /// The upload id.
        id: u32,
        /// The length string (7 digits from a CPU).
        length: Vec<u8>,
    },
    /// `1E` (upload answer) or `1B` (the client's answer to download block): a part of the
    /// block.
    Part {
        /// `1E` or `1B`.
        function: u8,
        /// Whether more parts follow (`01`; `00` on the last).
        more: bool,
        /// The marker after the length (`00 FB`).
        marker: u16,
        /// The bytes of this part.
        payload: Vec<u8>,
    },
    /// `1A`, `1C` or `1F`: the bare function byte.
    Done {
        /// The function acknowledged.
        function: u8,
    },
}

impl TransferResponse {
    /// A start upload answer for upload `id` of a block of `load_len` bytes.
    pub fn start_upload(id: u32, load_len: u32) -> Self {
        let mut length = Vec::with_capacity(7);
        put_digits(&mut length, load_len, 7);
        Self::StartUpload {
            status: 0,
            unknown: 0x0100,
            id,
            length,
        }
    }

    /// A part of a block.
    pub fn part(function: u8, more: bool, payload: Vec<u8>) -> Self {
        Self::Part {
            function,
            more,
            marker: PART_MARKER,
            payload,
        }
    }

    /// The function byte.
    pub fn function(&self) -> u8 {
        match self {
            Self::StartUpload { .. } => START_UPLOAD,
            Self::Part { function, .. } | Self::Done { function } => *function,
        }
    }

    /// Decodes the sections of an ack-data whose parameters start with `1A`-`1F`.
    pub fn parse(params: &[u8], data: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "upload/download answer parameters");
        let function = r.u8()?;
        let no_data = || {
            if data.is_empty() {
                Ok(())
            } else {
                Err(Error::TrailingBytes {
                    what: "upload/download answer without data",
                    trailing: data.len(),
                })
            }
        };
        let response = match function {
            START_UPLOAD => {
                let status = r.u8()?;
                let unknown = r.u16()?;
                let id = u32::from_be_bytes(r.array::<4>()?);
                let len = usize::from(r.u8()?);
                let length = r.bytes(len)?.to_vec();
                no_data()?;
                Self::StartUpload {
                    status,
                    unknown,
                    id,
                    length,
                }
            }
            UPLOAD | DOWNLOAD_BLOCK => {
                let more = match r.u8()? {
                    0 => false,
                    STATUS_MORE => true,
                    other => {
                        return Err(Error::InvalidValue {
                            what: "upload/download more flag",
                            value: u32::from(other),
                        })
                    }
                };
                let mut d = Reader::new(data, "block part");
                let len = usize::from(d.u16()?);
                let marker = d.u16()?;
                let payload = d.bytes(len)?.to_vec();
                d.finish()?;
                Self::Part {
                    function,
                    more,
                    marker,
                    payload,
                }
            }
            REQUEST_DOWNLOAD | DOWNLOAD_ENDED | END_UPLOAD => {
                no_data()?;
                Self::Done { function }
            }
            other => {
                return Err(Error::InvalidValue {
                    what: "upload/download function",
                    value: u32::from(other),
                })
            }
        };
        r.finish()?;
        Ok(response)
    }

    /// Encoded parameter and data lengths.
    pub fn section_lens(&self) -> (usize, usize) {
        match self {
            Self::StartUpload { length, .. } => (length.len().saturating_add(9), 0),
            Self::Part { payload, .. } => (2, payload.len().saturating_add(4)),
            Self::Done { .. } => (1, 0),
        }
    }

    /// Appends the parameter and data sections.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        match self {
            Self::StartUpload {
                status,
                unknown,
                id,
                length,
            } => {
                out.extend_from_slice(&[START_UPLOAD, *status]);
                put_u16(out, *unknown);
                out.extend_from_slice(&id.to_be_bytes());
                out.push(wire_u8(length.len(), "upload length string")?);
                out.extend_from_slice(length);
            }
            Self::Part {
                function,
                more,
                marker,
                payload,
            } => {
                let status = if *more { STATUS_MORE } else { 0 };
                out.extend_from_slice(&[*function, status]);
                put_u16(out, wire_u16(payload.len(), "block part length")?);
                put_u16(out, *marker);
                out.extend_from_slice(payload);
            }
            Self::Done { function } => out.push(*function),
        }
        Ok(())
    }

    /// The load length of a start upload answer.
    pub fn upload_length(&self) -> Option<u32> {
        match self {
            Self::StartUpload { length, .. } => parse_digits(length),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::{BlockId, BlockType, FS_ACTIVE, FS_PASSIVE};
    use alloc::vec;

    fn db(number: u32, file_system: u8) -> BlockName {
        BlockName(BlockId {
            block_type: BlockType::Db,
            number,
            file_system,
        })
    }

    #[test]
    fn requests_as_snap7_sends_them() {
        let start = TransferRequest::start_upload(&db(1, FS_ACTIVE)).unwrap();
        let mut out = vec![];
        start.emit(&mut out).unwrap();
        assert_eq!(out, b"\x1d\x00\x00\x00\x00\x00\x00\x00\x09_0A00001A");
        assert_eq!(TransferRequest::parse(&out).unwrap(), start);
        assert_eq!(start.buffer_len(), out.len());

        let upload = TransferRequest::upload(7);
        let mut out = vec![];
        upload.emit(&mut out).unwrap();
        assert_eq!(out, [0x1E, 0, 0, 0, 0, 0, 0, 7]);
        assert_eq!(TransferRequest::parse(&out).unwrap(), upload);

        let download = TransferRequest::request_download(&db(42, FS_PASSIVE), 110, 18).unwrap();
        let mut out = vec![];
        download.emit(&mut out).unwrap();
        assert_eq!(
            out,
            b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09_0A00042P\x0d1000110000018"
        );
        let parsed = TransferRequest::parse(&out).unwrap();
        assert_eq!(parsed.download_lengths().unwrap(), (110, 18));
        assert_eq!(parsed.block_name().unwrap(), db(42, FS_PASSIVE));
        assert!(TransferRequest::parse(&out[..out.len() - 1]).is_err());
    }

    #[test]
    fn download_ended_carries_an_error() {
        let name = db(42, FS_PASSIVE);
        let ended = TransferRequest::plc_download(DOWNLOAD_ENDED, &name).unwrap();
        assert_eq!(ended.error(), None);
        let failed =
            TransferRequest::plc_download_failed(&name, crate::block::ERROR_BLOCK_LENGTHS).unwrap();
        let mut out = vec![];
        failed.emit(&mut out).unwrap();
        assert_eq!(out, b"\x1c\x02\xd2\x19\x00\x00\x00\x00\x09_0A00042P");
        let parsed = TransferRequest::parse(&out).unwrap();
        assert_eq!(parsed.error(), Some(ErrorCode(0xD219)));
        // The error bit means nothing in a download block job.
        out[0] = DOWNLOAD_BLOCK;
        assert_eq!(TransferRequest::parse(&out).unwrap().error(), None);
    }

    #[test]
    fn answers_round_trip() {
        let start = TransferResponse::start_upload(7, 96);
        let mut out = vec![];
        start.emit(&mut out).unwrap();
        assert_eq!(out, b"\x1d\x00\x01\x00\x00\x00\x00\x07\x070000096");
        assert_eq!(out.len(), 16);
        assert_eq!(TransferResponse::parse(&out, &[]).unwrap(), start);
        assert_eq!(start.upload_length(), Some(96));

        let part = TransferResponse::part(UPLOAD, true, vec![1, 2, 3]);
        let mut out = vec![];
        part.emit(&mut out).unwrap();
        assert_eq!(out, [0x1E, 0x01, 0x00, 0x03, 0x00, 0xFB, 1, 2, 3]);
        let (params, data) = out.split_at(2);
        assert_eq!(TransferResponse::parse(params, data).unwrap(), part);
        assert!(TransferResponse::parse(&[0x1E, 0x02], data).is_err());
        assert!(TransferResponse::parse(params, &data[..6]).is_err());
        assert_eq!(
            TransferResponse::parse(&[0x1C], &[]).unwrap(),
            TransferResponse::Done { function: 0x1C }
        );
        assert!(TransferResponse::parse(&[0x1C, 0], &[]).is_err());
    }
}
