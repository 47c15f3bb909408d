//! Aggregate reads per second with 1, 2, 8, 64 and 1000 concurrent clients against one
//! in-process mock, and the same numbers of raw TCP ping-pong clients against a raw
//! thread-per-connection server (the floor), in one run. Threads are not pinned: many
//! connections spread over every CPU.
//!
//! ```text
//! scale [--seconds S] [--clients 1,2,8,64,1000] [--out FILE]
//! ```
//!
//! Prints (and appends to FILE) one line per measurement:
//! `scale <floor|stack> <clients> <reads per second> <clients that completed a read>`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use benches::lean_client::{read_answer_frame_len, READ_REQUEST_FRAME_LEN};
use benches::raw::{raw_request, RawClient};
use benches::results::append_lines;
use benches::{start_mock, Error, RawServer, Serve};
use clap::Parser;
use s7comm::Area;

/// Stack of each client thread: a thousand of them should not reserve gigabytes.
const CLIENT_STACK: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Floor,
    Stack,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Floor => "floor",
            Kind::Stack => "stack",
        }
    }
}

/// Aggregate reads per second with N concurrent clients, stack and floor.
#[derive(Parser)]
struct Settings {
    /// Length of each measurement window.
    #[arg(long, default_value_t = 2.0)]
    seconds: f64,
    /// Numbers of concurrent clients, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2, 8, 64, 1000])]
    clients: Vec<usize>,
    /// Results file the lines are appended to.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run(&Settings::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("scale: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(settings: &Settings) -> Result<(), Error> {
    let most = settings.clients.iter().copied().max().unwrap_or(1);
    let raw = RawServer::start(Serve::ThreadPerConnection, None)?;
    let mock = start_mock(None, most.saturating_add(16))?;
    let mut lines = Vec::new();
    for &clients in &settings.clients {
        for kind in [Kind::Floor, Kind::Stack] {
            let addr = match kind {
                Kind::Floor => raw.local_addr(),
                Kind::Stack => mock.local_addr(),
            };
            let (rate, served) = measure(kind, addr, clients, settings.seconds)?;
            let line = format!("scale {} {clients} {rate:.0} {served}", kind.name());
            println!("{line}");
            lines.push(line);
            if kind == Kind::Stack {
                // Let the mock's connection threads finish before the next round.
                mock.wait_for_open_connections(0, Duration::from_secs(30))?;
            }
        }
    }
    append_lines(settings.out.as_deref(), &lines)
}

/// One client: connected before the start signal, reads until the stop flag.
enum Client {
    Floor(Box<RawClient>),
    Stack(Box<s7_client::Client>),
}

impl Client {
    fn connect(kind: Kind, addr: SocketAddr) -> Result<Self, Error> {
        Ok(match kind {
            Kind::Floor => Client::Floor(Box::new(RawClient::connect(addr)?)),
            Kind::Stack => Client::Stack(Box::new(s7_client::Client::connect_with_pdu(
                iso_tcp::ClientOptions::new(addr),
                480,
            )?)),
        })
    }

    fn read(&mut self, request: &[u8], answer_len: usize) -> Result<(), Error> {
        match self {
            Client::Floor(raw) => raw.round_trip(request, answer_len),
            Client::Stack(client) => {
                let data = client.read_area(Area::DataBlock, benches::mock::BENCH_DB, 0, 4)?;
                std::hint::black_box(data);
                Ok(())
            }
        }
    }

    fn close(self) {
        match self {
            Client::Floor(raw) => raw.close(),
            Client::Stack(client) => drop((*client).close()),
        }
    }
}

/// Runs `clients` threads for `seconds` once all are connected; returns reads per second and
/// how many clients completed at least one read.
fn measure(
    kind: Kind,
    addr: SocketAddr,
    clients: usize,
    seconds: f64,
) -> Result<(f64, usize), Error> {
    let answer_len = read_answer_frame_len(4);
    let request = Arc::new(raw_request(READ_REQUEST_FRAME_LEN, answer_len)?);
    let start = Arc::new(Barrier::new(clients.saturating_add(1)));
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicU64::new(0));
    let served = Arc::new(AtomicU64::new(0));
    let mut threads = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (request, start, stop) = (Arc::clone(&request), Arc::clone(&start), Arc::clone(&stop));
        let (reads, served) = (Arc::clone(&reads), Arc::clone(&served));
        let thread = std::thread::Builder::new()
            .stack_size(CLIENT_STACK)
            .spawn(move || -> Result<(), Error> {
                // Connect first, then wait for everyone: the barrier must be reached even if
                // the connection failed, or the others would wait forever.
                // One read before the start, so every connection is being served (the raw
                // server accepts and spawns after the kernel has completed the connect).
                let connected = Client::connect(kind, addr).and_then(|mut client| {
                    client.read(&request, answer_len)?;
                    Ok(client)
                });
                start.wait();
                let mut client = connected?;
                let mut done = 0_u64;
                loop {
                    client.read(&request, answer_len)?;
                    // A read that ends after the stop is outside the measured time.
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    done = done.saturating_add(1);
                }
                reads.fetch_add(done, Ordering::Relaxed);
                if done > 0 {
                    served.fetch_add(1, Ordering::Relaxed);
                }
                client.close();
                Ok(())
            })
            .map_err(|e| Error::io("spawn client thread", e))?;
        threads.push(thread);
    }
    start.wait();
    let began = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    let elapsed = began.elapsed().as_secs_f64();
    let mut first_error = None;
    for thread in threads {
        match thread.join() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                first_error.get_or_insert(error);
            }
            Err(_) => {
                first_error.get_or_insert(Error::unexpected("client thread panicked"));
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    let total = reads.load(Ordering::Relaxed);
    let served = usize::try_from(served.load(Ordering::Relaxed)).unwrap_or(usize::MAX);
    // Read counts stay far below 2^53, where the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let rate = total as f64 / elapsed;
    Ok((rate, served))
}
