//! Wire decode and encode, each against a hand-rolled loop in the same run.
//!
//! - decode: 96 back-to-back DT frames of 29, 247 and 963 bytes from one buffer, through the
//!   zero-copy view, the slice functions and the streaming decoder; the floor only reads the
//!   TPKT length and the EOT bit of each frame. `refcount` is a reference point for the
//!   streaming decoder: the two atomic reference count updates every shared `Bytes` costs.
//! - encode: a 931-byte TSDU into one 1024-byte TPDU and into 128-byte TPDUs (8 frames), into
//!   a reused buffer; the floor writes the same bytes with no checks.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use benches::frames::{
    decode_buffer, decode_floor, decode_slices, decode_stream, decode_view, encode_floor,
    encode_frames, DECODE_FRAMES, ENCODE_SEGMENTED_TPDU, ENCODE_SINGLE_TPDU, ENCODE_TSDU_LEN,
};
use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

fn decode(c: &mut Criterion) {
    let buf = decode_buffer().unwrap();
    let expected = decode_view(&buf).unwrap();
    assert_eq!(decode_slices(&buf).unwrap(), expected);
    let mut src = BytesMut::from(&buf[..]);
    assert_eq!(
        decode_stream(&mut tpkt::FrameDecoder::new(), &mut src).unwrap(),
        expected
    );
    let frames = u64::try_from(DECODE_FRAMES).unwrap();

    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(frames));
    group.bench_function("floor", |b| b.iter(|| decode_floor(black_box(&buf))));
    group.bench_function("view", |b| b.iter(|| decode_view(black_box(&buf)).unwrap()));
    group.bench_function("slices", |b| {
        b.iter(|| decode_slices(black_box(&buf)).unwrap())
    });
    // The stream decoder consumes its input: each iteration gets a fresh copy, made outside
    // the timed part.
    let template = BytesMut::from(&buf[..]);
    let mut decoder = tpkt::FrameDecoder::new();
    group.bench_function("stream", |b| {
        b.iter_batched_ref(
            || template.clone(),
            |src| decode_stream(&mut decoder, black_box(src)).unwrap(),
            // Few inputs per batch, so the copies are still in cache when they are decoded.
            BatchSize::NumIterations(16),
        )
    });
    // What handing out shared `Bytes` costs at the least: one reference count increment
    // (split) and one decrement (drop) per frame, both atomic.
    let shared = template.clone().split_to(DECODE_FRAMES).freeze();
    group.bench_function("refcount", |b| {
        b.iter(|| {
            for _ in 0..DECODE_FRAMES {
                drop(black_box(black_box(&shared).clone()));
            }
        })
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    let tsdu: Vec<u8> = (0..ENCODE_TSDU_LEN)
        .map(|i| (i % 253).to_le_bytes()[0])
        .collect();
    let mut out = Vec::with_capacity(2 * ENCODE_TSDU_LEN);
    let mut check = Vec::new();
    for tpdu in [ENCODE_SINGLE_TPDU, ENCODE_SEGMENTED_TPDU] {
        let frames = encode_frames(&tsdu, tpdu, &mut out).unwrap();
        assert_eq!(encode_floor(&tsdu, tpdu, &mut check), frames);
        assert_eq!(out, check, "floor and stack must write the same bytes");

        let name = if tpdu == ENCODE_SINGLE_TPDU {
            "single"
        } else {
            "segmented"
        };
        let mut group = c.benchmark_group(format!("encode_{name}"));
        group.throughput(Throughput::Elements(u64::try_from(frames).unwrap()));
        group.bench_function("floor", |b| {
            b.iter(|| encode_floor(black_box(&tsdu), tpdu, &mut out))
        });
        group.bench_function("stack", |b| {
            b.iter(|| encode_frames(black_box(&tsdu), tpdu, &mut out).unwrap())
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .sample_size(60)
        .configure_from_args()
}

criterion_group! {
    name = wire;
    config = config();
    targets = decode, encode
}
criterion_main!(wire);
