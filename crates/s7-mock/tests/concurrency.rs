//! Many clients at once: a thousand connections held open together, and parallel writers that
//! never lose a write.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod server_support;

use std::sync::{Arc, Barrier};
use std::thread;

use s7_client::Client;
use s7_mock::memory::Region;
use s7comm::{Area, ItemAddress, ReturnCode, TransportSize, WriteItem};
use server_support::{builder, client, pattern, TIMEOUT};

/// Each connection costs a descriptor on the client side and two on the server side (the
/// connection and the duplicate used to close it on shutdown).
fn raise_descriptor_limit(needed: u64) {
    let limit = rlimit::increase_nofile_limit(needed).unwrap();
    assert!(
        limit >= needed,
        "the hard limit on open files ({limit}) is below the {needed} this test needs"
    );
}

#[test]
fn a_thousand_connections_open_at_once() {
    const CONNECTIONS: usize = 1000;
    const THREADS: usize = 8;
    raise_descriptor_limit(u64::try_from(3 * CONNECTIONS + 512).unwrap());
    let server = builder()
        .max_connections(CONNECTIONS + 24)
        .request_log(false)
        .start()
        .unwrap();
    server
        .write_bytes(Region::DataBlock(1), 0, &[1, 2, 3, 4])
        .unwrap();
    let addr = server.local_addr();
    let all_open = Arc::new(Barrier::new(THREADS + 1));
    let counted = Arc::new(Barrier::new(THREADS + 1));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (all_open, counted) = (Arc::clone(&all_open), Arc::clone(&counted));
            thread::spawn(move || {
                let mut clients: Vec<Client> = (0..CONNECTIONS / THREADS)
                    .map(|_| {
                        let mut c = client(addr);
                        assert_eq!(c.read_area(Area::DataBlock, 1, 0, 4).unwrap(), [1, 2, 3, 4]);
                        c
                    })
                    .collect();
                all_open.wait();
                counted.wait();
                // Every connection still answers while all of them are open.
                for c in &mut clients {
                    assert_eq!(c.read_area(Area::DataBlock, 1, 2, 2).unwrap(), [3, 4]);
                }
                clients.len()
            })
        })
        .collect();
    all_open.wait();
    assert_eq!(server.open_connections(), CONNECTIONS);
    assert_eq!(
        server.accepted_connections(),
        u64::try_from(CONNECTIONS).unwrap()
    );
    counted.wait();
    let served: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(served, CONNECTIONS);
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
}

#[test]
fn parallel_multi_item_writers_never_lose_a_write() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 100;
    let server = builder().data_block(3, 1024).start().unwrap();
    let addr = server.local_addr();
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            thread::spawn(move || {
                let mut c = client(addr);
                let base = u32::try_from(t * 64).unwrap();
                let index = u32::try_from(t).unwrap();
                for round in 0..ROUNDS {
                    let bytes = pattern(8, t * 1000 + round);
                    let word = u16::try_from(t * 1000 + round).unwrap().to_be_bytes();
                    let items = vec![
                        WriteItem::new(
                            ItemAddress::bytes(Area::DataBlock, 3, base, 8),
                            bytes.clone(),
                        ),
                        WriteItem::new(
                            ItemAddress::new(Area::DataBlock, 3, base + 16, TransportSize::Word, 1),
                            word.to_vec(),
                        ),
                        WriteItem::new(ItemAddress::counters(index, 1), word.to_vec()),
                    ];
                    let codes = c.write_items(items).unwrap();
                    assert_eq!(codes, [ReturnCode::Success; 3]);
                    // Nobody else writes here, so everything reads back as written.
                    let back = c
                        .read_items(&[
                            ItemAddress::bytes(Area::DataBlock, 3, base, 8),
                            ItemAddress::bytes(Area::DataBlock, 3, base + 16, 2),
                            ItemAddress::counters(index, 1),
                        ])
                        .unwrap();
                    assert_eq!(back[0].data, bytes, "thread {t} round {round}");
                    assert_eq!(back[1].data, word);
                    assert_eq!(back[2].data, word);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    for t in 0..THREADS {
        let last = t * 1000 + ROUNDS - 1;
        let word = u16::try_from(last).unwrap();
        assert_eq!(
            server.read_bytes(Region::DataBlock(3), t * 64, 8).unwrap(),
            pattern(8, last)
        );
        assert_eq!(
            server.read_u16(Region::DataBlock(3), t * 64 + 16).unwrap(),
            word
        );
        assert_eq!(server.counter(t).unwrap(), word);
    }
}

#[test]
fn parallel_bit_writers_on_one_byte_never_clobber_each_other() {
    const ROUNDS: usize = 150;
    let server = builder().start().unwrap();
    let addr = server.local_addr();
    let workers: Vec<_> = (0u8..8)
        .map(|bit| {
            thread::spawn(move || {
                let mut c = client(addr);
                let address = ItemAddress::bit(Area::Flags, 0, 5, bit);
                for round in 0..ROUNDS {
                    // The last round is odd: every bit ends set.
                    let value = u8::from(round % 2 == 1);
                    let codes = c
                        .write_items(vec![WriteItem::new(address, vec![value])])
                        .unwrap();
                    assert_eq!(codes, [ReturnCode::Success]);
                    let back = c.read_items(&[address]).unwrap();
                    assert_eq!(back[0].data, [value], "bit {bit} round {round}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(server.read_bytes(Region::Flags, 5, 1).unwrap(), [0xFF]);
    // The neighbours were never touched.
    assert_eq!(server.read_bytes(Region::Flags, 4, 1).unwrap(), [0]);
    assert_eq!(server.read_bytes(Region::Flags, 6, 1).unwrap(), [0]);
}
