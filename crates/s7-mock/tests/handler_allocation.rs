//! Checks that the hot path allocates nothing: once the answer vector has the capacity of a
//! PDU, answering read var and write var requests touches no heap.
//!
//! This test binary counts heap allocations with a wrapper around the system allocator. That
//! takes an `unsafe impl GlobalAlloc`, confined to this measuring harness; the library itself
//! stays `unsafe`-free.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use s7_mock::plc::{FailItem, ItemOperation, NoHooks};
use s7_mock::Plc;
use s7comm::ReturnCode;
use s7comm::{
    Area, ItemAddress, ReadVarRequest, Request, RequestPdu, TransportSize, WriteItem,
    WriteVarRequest,
};

thread_local! {
    /// Allocations of the current thread only, so the test harness's own threads do not count.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

struct Counting;

fn count() {
    // `try_with`: the allocator also runs while thread-locals are torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get().saturating_add(1)));
}

// SAFETY: every method forwards to `System` unchanged; counting only touches a thread-local
// `Cell` and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

fn bytes(request: Request) -> Vec<u8> {
    RequestPdu::new(9, request).to_bytes().unwrap()
}

#[test]
fn reads_and_writes_allocate_nothing() {
    let plc = Plc::builder().data_block(1, 1024).build().unwrap();
    let mut session = plc.session();
    let mut out = Vec::with_capacity(usize::from(session.pdu_size()));
    let requests = [
        // The 4-byte read of the budget.
        bytes(Request::ReadVar(ReadVarRequest::new(vec![
            ItemAddress::bytes(Area::DataBlock, 1, 0, 4),
        ]))),
        // Many items, odd lengths, a bit, timers and a failing item.
        bytes(Request::ReadVar(ReadVarRequest::new(vec![
            ItemAddress::bytes(Area::DataBlock, 1, 10, 3),
            ItemAddress::bit(Area::Flags, 0, 3, 1),
            ItemAddress::timers(2, 4),
            ItemAddress::new(Area::Inputs, 0, 0, TransportSize::Real, 2),
            ItemAddress::bytes(Area::DataBlock, 99, 0, 4),
        ]))),
        bytes(Request::WriteVar(WriteVarRequest {
            items: vec![
                WriteItem::new(
                    ItemAddress::bytes(Area::DataBlock, 1, 0, 4),
                    vec![1, 2, 3, 4],
                ),
                WriteItem::new(ItemAddress::bit(Area::Flags, 0, 3, 1), vec![1]),
                WriteItem::new(ItemAddress::counters(1, 1), vec![0, 9]),
            ],
        })),
    ];
    let mut hooks = FailItem {
        index: 1,
        return_code: ReturnCode::HardwareFault,
        operation: Some(ItemOperation::Read),
    };
    for request in &requests {
        let before = allocations();
        for _ in 0..100 {
            let handled = plc
                .handle(&mut session, request, &mut out, &mut NoHooks)
                .unwrap();
            assert_eq!(handled.error, None);
            assert_eq!(handled.items().count(), usize::from(request[11]));
            plc.handle(&mut session, request, &mut out, &mut hooks)
                .unwrap();
        }
        assert_eq!(
            allocations() - before,
            0,
            "allocations answering {request:02x?}"
        );
        assert!(out.len() > 14);
    }
}
