//! The two ends of a 4-byte read, as separate programs, so that `cargo xtask bench` can run
//! one end under `valgrind --tool=callgrind` while the other runs natively, for two read
//! counts, and take the slope: user-space instructions per read, start-up excluded.
//!
//! ```text
//! instr serve-mock              the s7-mock server (request log off); serves one connection
//! instr serve-echo              a bare TCP echo server (the floor); serves one connection
//! instr serve-raw               the raw thread-per-connection server, until killed (the
//!                               floor of the memory-per-connection figure)
//! instr client-mock ADDR N      the s7-client crate's `Client`: connect, N `read_into` of DB1.0..4
//! instr client-lean ADDR N      the lean reference client (benches::LeanClient: codec views,
//!                               no allocation per read), a reference figure only
//! instr client-ping ADDR N      a bare TCP ping client (the floor): N raw round trips
//! ```
//!
//! Servers print `listening on ADDR`; `serve-mock` and `serve-echo` exit once their one
//! connection has closed.

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use std::time::Duration;

use benches::lean_client::{read_answer_frame_len, READ_REQUEST_FRAME_LEN};
use benches::raw::{raw_request, serve_connection, RawClient};
use benches::{start_mock, Error, LeanClient};
use s7comm::Area;

/// Bytes each read fetches.
const READ_LEN: usize = 4;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve-mock") => serve_mock(),
        Some("serve-echo") => serve_echo(),
        Some("serve-raw") => serve_raw(),
        Some(client @ ("client-mock" | "client-lean" | "client-ping")) => {
            match (args.get(1), args.get(2)) {
                (Some(addr), Some(count)) => run_client(client, addr, count),
                _ => Err(Error::unexpected(format!("usage: instr {client} ADDR N"))),
            }
        }
        _ => Err(Error::unexpected(
            "usage: instr serve-mock | serve-echo | client-mock|client-lean|client-ping ADDR N",
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("instr: {error}");
            ExitCode::FAILURE
        }
    }
}

fn announce(addr: SocketAddr) {
    println!("listening on {addr}");
}

fn serve_mock() -> Result<(), Error> {
    let server = start_mock(None, 4)?;
    announce(server.local_addr());
    // Until the one client has connected, poll; then block until it has gone. Neither waits
    // in proportion to the number of reads, so both drop out of the slope.
    while server.open_connections() == 0 {
        std::thread::sleep(Duration::from_millis(2));
    }
    server.wait_for_open_connections(0, Duration::from_secs(3600))?;
    server.shutdown();
    Ok(())
}

fn serve_echo() -> Result<(), Error> {
    let listener =
        TcpListener::bind(("127.0.0.1", 0)).map_err(|e| Error::io("echo server bind", e))?;
    announce(
        listener
            .local_addr()
            .map_err(|e| Error::io("echo server address", e))?,
    );
    let (stream, _) = listener
        .accept()
        .map_err(|e| Error::io("echo server accept", e))?;
    serve_connection(stream, &mut Vec::new());
    Ok(())
}

fn serve_raw() -> Result<(), Error> {
    let server = benches::RawServer::start(benches::Serve::ThreadPerConnection, None)?;
    announce(server.local_addr());
    loop {
        std::thread::park();
    }
}

fn run_client(kind: &str, addr: &str, count: &str) -> Result<(), Error> {
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| Error::unexpected(format!("address {addr:?}: {e}")))?;
    let count: usize = count
        .parse()
        .map_err(|e| Error::unexpected(format!("count {count:?}: {e}")))?;
    match kind {
        "client-mock" => {
            let options = iso_tcp::ClientOptions::new(addr);
            let mut client = s7_client::Client::connect_with_pdu(options, 480)?;
            // A reused buffer, as a polling client would hold one.
            let mut data = [0_u8; READ_LEN];
            for _ in 0..count {
                client.read_into(Area::DataBlock, benches::mock::BENCH_DB, 0, &mut data)?;
                std::hint::black_box(&data);
            }
            client.close()?;
        }
        "client-lean" => {
            let mut client = LeanClient::connect(addr, 480)?;
            let mut data = [0_u8; READ_LEN];
            for _ in 0..count {
                client.read_db(benches::mock::BENCH_DB, 0, &mut data)?;
                std::hint::black_box(&data);
            }
            client.close()?;
        }
        _ => {
            let answer_len = read_answer_frame_len(READ_LEN);
            let request = raw_request(READ_REQUEST_FRAME_LEN, answer_len)?;
            let mut client = RawClient::connect(addr)?;
            for _ in 0..count {
                client.round_trip(&request, answer_len)?;
            }
            client.close();
        }
    }
    Ok(())
}
