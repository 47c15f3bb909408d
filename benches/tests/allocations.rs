//! Heap allocations per frame in steady state, counted by a wrapper around the system
//! allocator: decoding (zero-copy view, slices, streaming decoder with a reused buffer) and
//! encoding (single and segmented, into a reused buffer) must allocate nothing per frame, and a
//! blocking iso-tcp connection must send and receive steady messages in both roles without
//! allocating.
//!
//! Each check prints a line `allocations <case> <allocations> <frames>` that
//! `cargo xtask bench` copies into docs/performance.md.
//!
//! Counting takes an `unsafe impl GlobalAlloc`, confined to this measuring harness.

#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use benches::frames::{
    decode_buffer, decode_slices, decode_stream, decode_view, encode_frames, DECODE_FRAMES,
    ENCODE_SEGMENTED_TPDU, ENCODE_SINGLE_TPDU, ENCODE_TSDU_LEN,
};
use bytes::BytesMut;

thread_local! {
    /// Allocations by the current thread only, so the test harness's own threads do not
    /// disturb a count.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

struct CountingAllocator;

fn count_one() {
    // `try_with`: the allocator also runs while thread-locals are torn down.
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

/// Rounds measured after warming up; each round handles every frame of its case once.
const ROUNDS: usize = 200;

/// Runs `round` a few times to reach steady state, then counts the allocations of
/// [`ROUNDS`] more, prints the report line and returns the count.
fn steady_state(case: &str, frames_per_round: usize, mut round: impl FnMut()) -> u64 {
    for _ in 0..5 {
        round();
    }
    let before = allocations();
    for _ in 0..ROUNDS {
        round();
    }
    let counted = allocations() - before;
    println!("allocations {case} {counted} {}", ROUNDS * frames_per_round);
    counted
}

#[test]
fn the_counter_sees_allocations() {
    // Without this the other tests would pass with a counter that counts nothing.
    let before = allocations();
    let boxed = std::hint::black_box(Box::new([0_u8; 64]));
    assert_eq!(allocations() - before, 1);
    drop(boxed);
}

#[test]
fn decoding_a_buffer_of_frames_allocates_nothing() {
    let buf = decode_buffer().unwrap();
    let expected = decode_view(&buf).unwrap();
    let view = steady_state("decode-view", DECODE_FRAMES, || {
        assert_eq!(decode_view(std::hint::black_box(&buf)).unwrap(), expected);
    });
    let slices = steady_state("decode-slices", DECODE_FRAMES, || {
        assert_eq!(decode_slices(std::hint::black_box(&buf)).unwrap(), expected);
    });
    assert_eq!(view, 0, "zero-copy view allocated");
    assert_eq!(slices, 0, "slice decoding allocated");
}

#[test]
fn stream_decoding_into_a_reused_buffer_allocates_nothing() {
    let buf = decode_buffer().unwrap();
    let expected = decode_view(&buf).unwrap();
    let mut decoder = tpkt::FrameDecoder::new();
    let mut src = BytesMut::with_capacity(buf.len());
    // As a connection's read buffer: bytes arrive, whole frames are handed out and dropped,
    // the buffer's space is reclaimed for the next bytes.
    let stream = steady_state("decode-stream", DECODE_FRAMES, || {
        src.extend_from_slice(&buf);
        assert_eq!(decode_stream(&mut decoder, &mut src).unwrap(), expected);
        assert!(src.is_empty());
    });
    assert_eq!(stream, 0, "streaming decoder allocated in steady state");
}

#[test]
fn encoding_into_a_reused_buffer_allocates_nothing() {
    let tsdu: Vec<u8> = (0..ENCODE_TSDU_LEN)
        .map(|i| (i % 253).to_le_bytes()[0])
        .collect();
    let mut out = Vec::new();
    let single_frames = encode_frames(&tsdu, ENCODE_SINGLE_TPDU, &mut out).unwrap();
    let segmented_frames = encode_frames(&tsdu, ENCODE_SEGMENTED_TPDU, &mut out).unwrap();
    assert_eq!(single_frames, 1);
    assert_eq!(segmented_frames, 8);
    let single = steady_state("encode-single", single_frames, || {
        encode_frames(&tsdu, ENCODE_SINGLE_TPDU, &mut out).unwrap();
    });
    let segmented = steady_state("encode-segmented", segmented_frames, || {
        encode_frames(&tsdu, ENCODE_SEGMENTED_TPDU, &mut out).unwrap();
    });
    assert_eq!(single, 0, "single-frame encoding allocated");
    assert_eq!(segmented, 0, "segmented encoding allocated");
}

/// One steady message exchange over a blocking loopback connection: the client sends a
/// request, the server receives it and answers, the client receives the answer. Both ends are
/// driven from this thread (a small message fits the socket buffers), so the thread-local count
/// sees every allocation of both roles in both directions.
#[test]
fn a_blocking_connection_exchanges_messages_without_allocating() {
    use iso_tcp::{ClientOptions, Listener, ServerOptions, TpduSize};

    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), ServerOptions::new()).unwrap();
    let addr = listener.local_addr().unwrap();
    let accepting = std::thread::spawn(move || listener.accept());
    let mut client = ClientOptions::new(addr)
        .tpdu_size(TpduSize::S1024)
        .connect()
        .unwrap();
    let mut server = accepting.join().unwrap().unwrap();

    // The sizes of a 4-byte S7 read: a 31-byte job and a 29-byte answer.
    let request = [0x32_u8; 31];
    let answer = [0x32_u8; 29];
    let (mut at_server, mut at_client) = (Vec::new(), Vec::new());
    let (mut send, mut recv) = (0_u64, 0_u64);
    // Warm-up: buffers reach their steady capacity.
    for _ in 0..5 {
        client.send(&request).unwrap();
        server.recv_into(&mut at_server).unwrap();
        server.send(&answer).unwrap();
        client.recv_into(&mut at_client).unwrap();
    }
    for _ in 0..ROUNDS {
        let before = allocations();
        client.send(&request).unwrap();
        server.send(&answer).unwrap();
        send += allocations() - before;
        let before = allocations();
        server.recv_into(&mut at_server).unwrap();
        client.recv_into(&mut at_client).unwrap();
        recv += allocations() - before;
        assert_eq!(at_server, request);
        assert_eq!(at_client, answer);
    }
    // Each round sends and receives two messages (one per role).
    println!("allocations connection-send {send} {}", 2 * ROUNDS);
    println!("allocations connection-recv {recv} {}", 2 * ROUNDS);
    assert_eq!(send, 0, "a steady send allocated");
    assert_eq!(recv, 0, "a steady receive allocated");
}
