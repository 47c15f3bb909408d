//! Checks that a steady request/answer exchange allocates nothing per message on the calling
//! thread: sends encode into the connection's reused write buffer, receives decode from its
//! reused read buffer and hand out the payload without copying.
//!
//! This test binary counts heap allocations with a wrapper around the system allocator. That
//! takes an `unsafe impl GlobalAlloc`, confined to this measuring harness; the library itself
//! stays `unsafe`-free.

#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::thread;
use std::time::Duration;

use common::*;
use iso_tcp::TpduSize;

thread_local! {
    /// Allocations made by the current thread, so the echo thread and the test harness do not
    /// disturb the count.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

struct CountingAllocator;

fn count_one() {
    // `try_with` because the allocator also runs while thread-locals are being torn down.
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get().saturating_add(1)));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; counting
// touches only a thread-local `Cell` and never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn steady_sends_and_single_tpdu_receives_allocate_nothing() {
    // With a receive deadline on both sides, as the mock runs: its clock, armed by every
    // segmented TSDU, must not allocate either.
    let (mut client, mut server) = pair(
        client_options("127.0.0.1:9".parse().unwrap())
            .tpdu_size(TpduSize::S256)
            .receive_deadline(Some(Duration::from_secs(5))),
        server_options().receive_deadline(Some(Duration::from_secs(5))),
    );
    let echo = thread::spawn(move || {
        while let Ok(request) = server.recv() {
            if server.send(&request).is_err() {
                break;
            }
        }
    });
    // A small request fits one TPDU; a large one is cut into 8 frames sent with one write.
    let small = pattern(200);
    let large = pattern(2000);

    for _ in 0..20 {
        client.send(&small).unwrap();
        assert_eq!(client.recv().unwrap(), small);
        client.send(&large).unwrap();
        assert_eq!(client.recv().unwrap().len(), large.len());
    }

    let before = allocations();
    for _ in 0..100 {
        client.send(&small).unwrap();
        client.send(&large).unwrap();
    }
    assert_eq!(allocations() - before, 0, "allocations while sending");

    let mut single = 0;
    for _ in 0..100 {
        let before = allocations();
        let answer = client.recv().unwrap();
        assert_eq!(answer.len(), small.len());
        drop(answer);
        single += allocations() - before;
        // A segmented answer is joined into a buffer of its own (the reassembler's, grown as
        // segments arrive, then turned into `Bytes`): a few allocations per TSDU, none per frame.
        let before = allocations();
        assert_eq!(client.recv().unwrap().len(), large.len());
        let per_large = allocations() - before;
        assert!(
            per_large <= 4,
            "{per_large} allocations for one reassembled TSDU"
        );
    }
    assert_eq!(single, 0, "allocations while receiving single-TPDU answers");

    client.close().unwrap();
    echo.join().unwrap();
}
