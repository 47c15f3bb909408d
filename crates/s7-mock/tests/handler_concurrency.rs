//! Concurrency: connections on many threads share one PLC without losing or tearing writes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use s7_mock::memory::Region;
use s7_mock::plc::NoHooks;
use s7_mock::Plc;
use s7comm::{
    Area, ItemAddress, ReadVarRequest, Request, RequestPdu, Response, ResponsePdu, ReturnCode,
    WriteItem, WriteVarRequest,
};

fn bytes(request: Request) -> Vec<u8> {
    RequestPdu::new(1, request).to_bytes().unwrap()
}

#[test]
fn threads_writing_distinct_bits_of_one_byte_never_lose_a_write() {
    const ROUNDS: usize = 300;
    let plc = Plc::builder().data_block(5, 4).build().unwrap();
    let workers: Vec<_> = (0u8..8)
        .map(|bit| {
            let plc = plc.clone();
            thread::spawn(move || {
                let mut session = plc.session();
                let mut out = Vec::with_capacity(480);
                let address = ItemAddress::bit(Area::DataBlock, 5, 2, bit);
                let read = bytes(Request::ReadVar(ReadVarRequest::new(vec![address])));
                for round in 0..ROUNDS {
                    // Ends on a set bit: the last round is odd.
                    let value = u8::from(round % 2 == 1);
                    let write = bytes(Request::WriteVar(WriteVarRequest {
                        items: vec![WriteItem::new(address, vec![value])],
                    }));
                    plc.handle(&mut session, &write, &mut out, &mut NoHooks)
                        .unwrap();
                    assert_eq!(out.last(), Some(&0xff));
                    // Nobody else writes this bit, so it reads back as written.
                    plc.handle(&mut session, &read, &mut out, &mut NoHooks)
                        .unwrap();
                    assert_eq!(out.last(), Some(&value), "bit {bit} round {round}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let memory = plc.memory();
    assert_eq!(memory.read_u8(Region::DataBlock(5), 2).unwrap(), 0xff);
    assert_eq!(
        memory.read_u8(Region::DataBlock(5), 1).unwrap(),
        0,
        "neighbours untouched"
    );
    assert_eq!(
        memory.read_u8(Region::DataBlock(5), 3).unwrap(),
        0,
        "neighbours untouched"
    );
}

#[test]
fn multi_item_writes_are_atomic_for_other_connections() {
    let plc = Plc::builder().data_block(1, 64).build().unwrap();
    let items = [
        ItemAddress::bytes(Area::DataBlock, 1, 0, 3),
        ItemAddress::bytes(Area::DataBlock, 1, 40, 5),
    ];
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (1u8..=3)
        .map(|tag| {
            let plc = plc.clone();
            thread::spawn(move || {
                let mut session = plc.session();
                let mut out = Vec::new();
                for round in 0..200u8 {
                    let value = tag.wrapping_mul(50).wrapping_add(round);
                    let write = bytes(Request::WriteVar(WriteVarRequest {
                        items: items
                            .iter()
                            .map(|a| WriteItem::new(*a, vec![value; usize::from(a.count)]))
                            .collect(),
                    }));
                    plc.handle(&mut session, &write, &mut out, &mut NoHooks)
                        .unwrap();
                }
            })
        })
        .collect();
    let reader = {
        let plc = plc.clone();
        let done = Arc::clone(&done);
        thread::spawn(move || {
            let mut session = plc.session();
            let mut out = Vec::new();
            let read = bytes(Request::ReadVar(ReadVarRequest::new(items.to_vec())));
            let mut reads = 0;
            while !done.load(Ordering::Relaxed) || reads < 50 {
                plc.handle(&mut session, &read, &mut out, &mut NoHooks)
                    .unwrap();
                let Response::ReadVar(answer) = ResponsePdu::parse(&out).unwrap().response else {
                    panic!("not a read answer");
                };
                let first = answer.items[0].data[0];
                for item in &answer.items {
                    assert_eq!(item.return_code, ReturnCode::Success);
                    assert!(
                        item.data.iter().all(|b| *b == first),
                        "torn write: {answer:?}"
                    );
                }
                reads += 1;
            }
        })
    };
    for writer in writers {
        writer.join().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    reader.join().unwrap();
}
