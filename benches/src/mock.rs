//! The in-process mock PLC the loopback benches talk to.

use std::net::{Ipv4Addr, SocketAddr};

use s7_mock::Server;

use crate::Error;

/// Data block every bench reads from.
pub const BENCH_DB: u16 = 1;

/// Size of [`BENCH_DB`]: room for the 4000-byte large read.
pub const BENCH_DB_LEN: usize = 8192;

/// PDU size the mock grants at most: the largest S7 CPUs negotiate, so a 913-byte read
/// (a 938-byte answer frame) fits one PDU.
pub const MOCK_MAX_PDU: u16 = 960;

/// Starts the mock with [`BENCH_DB`], the request log off and room for `max_connections`
/// clients. With `cpu`, the mock's accept thread and so every connection thread it spawns is
/// pinned there (threads inherit their creator's CPU mask).
///
/// # Errors
/// [`Error::Pin`] or the mock's own start-up error.
pub fn start_mock(cpu: Option<usize>, max_connections: usize) -> Result<Server, Error> {
    start_mock_on(Ipv4Addr::LOCALHOST, cpu, max_connections)
}

/// Like [`start_mock`], listening on the loopback address `ip`.
///
/// # Errors
/// As [`start_mock`].
pub fn start_mock_on(
    ip: Ipv4Addr,
    cpu: Option<usize>,
    max_connections: usize,
) -> Result<Server, Error> {
    let starter = std::thread::Builder::new()
        .name("mock-start".into())
        .spawn(move || -> Result<Server, Error> {
            if let Some(cpu) = cpu {
                crate::pin_current_thread(cpu)?;
            }
            let contents: Vec<u8> = (0..BENCH_DB_LEN)
                .map(|i| (i % 241).to_le_bytes()[0])
                .collect();
            Ok(Server::builder()
                .data_block_with(BENCH_DB, contents)
                .pdu_size(MOCK_MAX_PDU)
                .request_log(false)
                .max_connections(max_connections)
                .bind(SocketAddr::from((ip, 0)))
                .start()?)
        })
        .map_err(|e| Error::io("spawn mock starter", e))?;
    starter
        .join()
        .map_err(|_| Error::unexpected("mock starter thread panicked"))?
}
