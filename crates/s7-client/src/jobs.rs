//! The calls that take several PDUs, as [`Jobs`] for the pipeline: a read or a write of one
//! area split over the PDU size, and multi-item reads and writes packed into several PDUs.
//! Each job's answer lands in the place of its own request, whatever order answers come in.

use s7comm::{
    Area, ItemAddress, ReadVarRequest, Request, RequestPdu, ReturnCode, WriteItem, WriteVarRequest,
};

use super::pipeline::Jobs;
use super::{
    address, emit_read_one, place_read, read_answer, take_read_one, write_answer, ReadResult,
    WriteResult,
};
use crate::items::{Part, WriteRequest};
use crate::Error;

/// Where one area read or write goes: area, data block, first element, element size and
/// how many elements each request carries.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) area: Area,
    pub(super) db_number: u16,
    pub(super) start: u32,
    /// Bytes per element (2 for timers and counters).
    pub(super) element: usize,
    /// Elements per request.
    pub(super) per_request: usize,
}

impl Span {
    /// Bytes per request.
    fn chunk(&self) -> usize {
        self.per_request.saturating_mul(self.element).max(1)
    }

    /// Requests `len` bytes take.
    pub(super) fn requests(&self, len: usize) -> usize {
        len.div_ceil(self.chunk())
    }

    /// Byte range of job `job` within `len` bytes, and its item address.
    fn job(&self, job: usize, len: usize) -> Result<(core::ops::Range<usize>, ItemAddress), Error> {
        let first = job.saturating_mul(self.chunk()).min(len);
        let end = first.saturating_add(self.chunk()).min(len);
        let address = address(
            self.area,
            self.db_number,
            self.start,
            first / self.element,
            end.saturating_sub(first) / self.element,
        )?;
        Ok((first..end, address))
    }
}

/// A read of one area into `out`, one request per chunk.
pub(super) struct AreaRead<'a> {
    pub(super) span: Span,
    pub(super) out: &'a mut [u8],
}

impl Jobs for AreaRead<'_> {
    fn emit(&mut self, job: usize, pdu_ref: u16, out: &mut Vec<u8>) -> Result<(), Error> {
        let (_, address) = self.span.job(job, self.out.len())?;
        emit_read_one(out, pdu_ref, &address)
    }

    fn take(&mut self, job: usize, pdu_ref: u16, answer: &[u8]) -> Result<(), Error> {
        let (range, _) = self.span.job(job, self.out.len())?;
        let target = self.out.get_mut(range).ok_or(Error::InvalidArgument {
            what: "read part outside its buffer",
        })?;
        take_read_one(answer, pdu_ref, target)
    }
}

/// A write of `data` to one area, one request per chunk.
pub(super) struct AreaWrite<'a> {
    pub(super) span: Span,
    pub(super) data: &'a [u8],
}

impl Jobs for AreaWrite<'_> {
    fn emit(&mut self, job: usize, pdu_ref: u16, out: &mut Vec<u8>) -> Result<(), Error> {
        let (range, address) = self.span.job(job, self.data.len())?;
        let chunk = self.data.get(range).unwrap_or_default();
        let request = WriteVarRequest {
            items: vec![WriteItem::new(address, chunk.to_vec())],
        };
        Ok(RequestPdu::new(pdu_ref, Request::WriteVar(request)).emit(out)?)
    }

    fn take(&mut self, _job: usize, pdu_ref: u16, answer: &[u8]) -> Result<(), Error> {
        let codes = write_answer(answer, pdu_ref)?;
        // One item was sent: an answer without its return code acknowledges nothing.
        same_count("write var", 1, codes.len())?;
        match codes.iter().find(|c| !c.is_success()) {
            Some(code) => Err(Error::ItemFailed {
                index: 0,
                return_code: *code,
            }),
            None => Ok(()),
        }
    }
}

/// Multi-item reads packed into PDUs: one request per batch of parts.
pub(super) struct ManyReads<'a> {
    pub(super) batches: &'a [Vec<Part>],
    pub(super) results: &'a mut [ReadResult],
}

impl Jobs for ManyReads<'_> {
    fn emit(&mut self, job: usize, pdu_ref: u16, out: &mut Vec<u8>) -> Result<(), Error> {
        let addresses: Vec<ItemAddress> = batch(self.batches, job)?
            .iter()
            .map(|p| p.address)
            .collect();
        let request = Request::ReadVar(ReadVarRequest::new(addresses));
        Ok(RequestPdu::new(pdu_ref, request).emit(out)?)
    }

    fn take(&mut self, job: usize, pdu_ref: u16, answer: &[u8]) -> Result<(), Error> {
        let batch = batch(self.batches, job)?;
        let items = read_answer(answer, pdu_ref)?;
        same_count("read var", batch.len(), items.len())?;
        for (part, item) in batch.iter().zip(items) {
            place_read(self.results, part, item)?;
        }
        Ok(())
    }
}

/// Multi-item writes packed into PDUs: one request per batch of parts.
pub(super) struct ManyWrites<'a, 'd> {
    pub(super) batches: &'a [Vec<Part>],
    pub(super) items: &'a [WriteRequest<'d>],
    pub(super) results: &'a mut [WriteResult],
}

impl Jobs for ManyWrites<'_, '_> {
    fn emit(&mut self, job: usize, pdu_ref: u16, out: &mut Vec<u8>) -> Result<(), Error> {
        let batch = batch(self.batches, job)?;
        let mut items = Vec::with_capacity(batch.len());
        for part in batch {
            let data = self
                .items
                .get(part.item)
                .and_then(|w| {
                    w.data()
                        .get(part.byte_offset..part.byte_offset.saturating_add(part.bytes))
                })
                .ok_or(Error::InvalidArgument {
                    what: "write part outside its data",
                })?;
            items.push(WriteItem::new(part.address, data.to_vec()));
        }
        let request = Request::WriteVar(WriteVarRequest { items });
        Ok(RequestPdu::new(pdu_ref, request).emit(out)?)
    }

    fn take(&mut self, job: usize, pdu_ref: u16, answer: &[u8]) -> Result<(), Error> {
        let batch = batch(self.batches, job)?;
        let codes: Vec<ReturnCode> = write_answer(answer, pdu_ref)?;
        same_count("write var", batch.len(), codes.len())?;
        for (part, code) in batch.iter().zip(codes) {
            if let Some(slot @ Ok(())) = self.results.get_mut(part.item) {
                if !code.is_success() {
                    *slot = Err(code);
                }
            }
        }
        Ok(())
    }
}

/// Batch `job` of `batches`.
fn batch(batches: &[Vec<Part>], job: usize) -> Result<&[Part], Error> {
    batches
        .get(job)
        .map(Vec::as_slice)
        .ok_or(Error::InvalidArgument {
            what: "job beyond the planned requests",
        })
}

/// An answer to a batch must carry one item per part of it.
fn same_count(what: &'static str, expected: usize, received: usize) -> Result<(), Error> {
    if received == expected {
        Ok(())
    } else {
        Err(Error::ItemCount {
            what,
            expected,
            received,
        })
    }
}
