//! Checks that the server's request path allocates nothing per request once warmed up, with
//! the request log off and no fault installed: `recv` into the connection's reused buffer,
//! `Plc::handle` into a reused answer vector, one `send`.
//!
//! This test binary counts every heap allocation of the process with a wrapper around the
//! system allocator (an `unsafe impl GlobalAlloc`, confined to this measuring harness; the
//! library stays `unsafe`-free). It holds a single test, so while it measures only the server's
//! worker and the client on the test thread run, and the client's transport
//! allocates nothing per message either (the `iso-tcp` crate checks that).
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod server_support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use s7comm::{Area, ItemAddress, ReadVarRequest, Request, RequestPdu, WriteItem, WriteVarRequest};
use server_support::{builder, options};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

struct Counting;

// SAFETY: every method forwards to `System` unchanged; counting only touches an atomic and
// never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
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

fn encode(pdu_ref: u16, request: Request) -> Vec<u8> {
    RequestPdu::new(pdu_ref, request).to_bytes().unwrap()
}

#[test]
fn steady_reads_and_writes_allocate_nothing_on_either_side() {
    // Raw exchanges first, then the same through `Client::read_into`.
    let server = builder().request_log(false).start().unwrap();
    let mut connection = options(server.local_addr()).connect().unwrap();
    let read = encode(
        1,
        Request::ReadVar(ReadVarRequest::new(vec![
            ItemAddress::bytes(Area::DataBlock, 1, 0, 64),
            ItemAddress::bit(Area::Flags, 0, 3, 1),
            ItemAddress::timers(0, 4),
        ])),
    );
    let write = encode(
        2,
        Request::WriteVar(WriteVarRequest {
            items: vec![
                WriteItem::new(ItemAddress::bytes(Area::DataBlock, 1, 100, 32), vec![7; 32]),
                WriteItem::new(ItemAddress::bit(Area::Flags, 0, 3, 1), vec![1]),
            ],
        }),
    );
    let mut exchange = |request: &[u8]| {
        connection.send(request).unwrap();
        let answer = connection.recv().unwrap();
        assert_eq!(answer.first(), Some(&0x32));
    };
    // Warm up: buffers reach their working size, thread-locals and the like get set up.
    for _ in 0..200 {
        exchange(&read);
        exchange(&write);
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..1000 {
        exchange(&read);
        exchange(&write);
    }
    let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(during, 0, "{during} allocations in 2000 exchanges");

    // The crate's own client reads into the caller's buffer without allocating either.
    server
        .write_bytes(s7_mock::memory::Region::DataBlock(1), 0, &[9; 64])
        .unwrap();
    let mut client = s7_client::Client::connect(options(server.local_addr())).unwrap();
    let mut out = [0; 64];
    for _ in 0..200 {
        client.read_into(Area::DataBlock, 1, 0, &mut out).unwrap();
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..1000 {
        client.read_into(Area::DataBlock, 1, 0, &mut out).unwrap();
    }
    let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(out, [9; 64]);
    assert_eq!(during, 0, "{during} allocations in 1000 client reads");
}
