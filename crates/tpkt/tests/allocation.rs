//! Checks that the streaming decoder hands out payloads without allocating per frame once a
//! connection's receive buffer has reached its working size.
//!
//! This test binary counts heap allocations with a wrapper around the system allocator. That
//! takes an `unsafe impl GlobalAlloc`, the only unsafe code in the crate's tree, confined to
//! this measuring harness; the library itself stays `unsafe`-free.

#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bytes::BytesMut;
use tpkt::{encode, FrameDecoder};

thread_local! {
    /// Allocations made by the current thread, so the test harness's other threads do not
    /// disturb the count.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

struct CountingAllocator;

fn count_one() {
    // `try_with` because the allocator also runs while thread-locals are being torn down.
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
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

/// A stream of frames of varied sizes, as a client polling a PLC would receive.
fn wire(frames: usize) -> Vec<u8> {
    let mut wire = Vec::new();
    for i in 0..frames {
        let payload = vec![0x5a; 3 + (i * 37) % 900];
        encode(&payload, &mut wire).unwrap();
    }
    wire
}

/// Plays a network reader: each "read" appends up to `read_size` bytes, then every whole frame
/// is decoded, inspected and dropped. Returns the payload bytes seen.
fn pump(decoder: &mut FrameDecoder, src: &mut BytesMut, wire: &[u8], read_size: usize) -> usize {
    let mut seen = 0;
    for read in wire.chunks(read_size) {
        if src.capacity() - src.len() < read.len() {
            src.reserve(read_size);
        }
        src.extend_from_slice(read);
        while let Some(payload) = decoder.decode(src).unwrap() {
            seen += payload.len();
        }
    }
    seen
}

#[test]
fn steady_state_decoding_does_not_allocate_per_frame() {
    let frames = 2_000;
    let wire = wire(frames);
    let mut decoder = FrameDecoder::new();
    let mut src = BytesMut::with_capacity(4_096);

    // Warm-up: lets the buffer settle into its shared, reusable form.
    let warm_up_seen = pump(&mut decoder, &mut src, &wire, 1_500);

    let before = allocations();
    let seen = pump(&mut decoder, &mut src, &wire, 1_500);
    let during = allocations() - before;

    assert_eq!(seen, warm_up_seen);
    assert_eq!(seen, wire.len() - 4 * frames);
    assert_eq!(
        during, 0,
        "{during} allocations while decoding {frames} frames in steady state"
    );
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the test above against passing because nothing is counted.
    let before = allocations();
    let boxed = std::hint::black_box(Box::new([0_u8; 64]));
    assert!(allocations() > before);
    drop(boxed);
}
