//! A silent connection flood against a server running as a child process, with a legitimate
//! client probing it throughout: what the flood costs the server (threads, resident memory)
//! and what it costs the client (time to connect, set up and make one 4-byte read).
//!
//! ```text
//! flood --connections N [--out FILE] -- SERVER [ARGS...]
//! ```
//!
//! `SERVER` must print `listening on ADDR` as its first line on stdout and serve S7 (DB 1 of
//! at least 4 bytes). This process opens N TCP connections that never send a byte and holds
//! them all until the flood ends, while a probe thread connects (ISO-on-TCP + S7 setup), reads
//! DB1.DBD0 and closes, every 10 ms. A monitor samples the server's `Threads` and `VmRSS`
//! (`/proc/PID/status`) every 2 ms. Prints (and appends to FILE) one line:
//!
//! `flood N <flood seconds> <threads before> <peak threads> <kB before> <peak kB> <probes>
//!  <idle median µs> <median µs> <max µs> <failed probes>`
//!
//! where the idle median comes from 20 probes before the flood and the rest from the probes
//! that started while the flood's connections were being opened or held.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use benches::results::append_lines;
use benches::{proc_status, Error, ServerProcess};
use clap::Parser;
use s7comm::Area;

/// Pause between two probes.
const PROBE_EVERY: Duration = Duration::from_millis(10);
/// Pause between two samples of the server's status.
const SAMPLE_EVERY: Duration = Duration::from_millis(2);
/// Probes made before the flood, for the idle figure.
const IDLE_PROBES: usize = 20;
/// How long the flood's connections are held once all are open, probes still running.
const HOLD: Duration = Duration::from_millis(500);
/// Bound on each of the probe's socket operations.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A silent connection flood against a server child process, a client probing throughout.
#[derive(Parser)]
struct Settings {
    /// Silent TCP connections to open and hold.
    #[arg(long, default_value_t = 12_000)]
    connections: usize,
    /// Results file the line is appended to.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The server program and its arguments.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

fn main() -> ExitCode {
    match run(&Settings::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flood: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One legitimate client's visit: connect, set up, read 4 bytes, close; its duration.
fn probe(addr: SocketAddr) -> Result<Duration, Error> {
    let started = Instant::now();
    let options = iso_tcp::ClientOptions::new(addr)
        .connect_timeout(PROBE_TIMEOUT)
        .read_timeout(Some(PROBE_TIMEOUT))
        .write_timeout(Some(PROBE_TIMEOUT));
    let mut client = s7_client::Client::connect_with_pdu(options, 480)?;
    let value = client.read_area(Area::DataBlock, 1, 0, 4)?;
    let elapsed = started.elapsed();
    if value.len() != 4 {
        return Err(Error::unexpected(format!(
            "read {} bytes, not 4",
            value.len()
        )));
    }
    client.close()?;
    Ok(elapsed)
}

/// `Threads` and `VmRSS` (kB) of `/proc/PID/status`.
fn status(pid: u32) -> Result<(u64, u64), Error> {
    Ok((proc_status(pid, "Threads:")?, proc_status(pid, "VmRSS:")?))
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

fn median(sorted: &[u64]) -> u64 {
    sorted.get(sorted.len() / 2).copied().unwrap_or(0)
}

fn run(settings: &Settings) -> Result<(), Error> {
    // The flood holds N sockets open in this process, a few more than most default limits.
    let wanted = u64::try_from(settings.connections)
        .unwrap_or(u64::MAX)
        .saturating_add(256);
    let limit = rlimit::increase_nofile_limit(wanted)
        .map_err(|e| Error::io("raise the open file limit", e))?;
    if limit < wanted {
        return Err(Error::unexpected(format!(
            "the open file limit is {limit}, the flood needs {wanted}"
        )));
    }
    let child = ServerProcess::start(&settings.command)?;
    let addr = child.addr();
    let pid = child.pid();

    let mut idle = Vec::with_capacity(IDLE_PROBES);
    for _ in 0..IDLE_PROBES {
        idle.push(micros(probe(addr)?));
        std::thread::sleep(PROBE_EVERY);
    }
    idle.sort_unstable();
    let (threads_before, rss_before) = status(pid)?;

    let stop = Arc::new(AtomicBool::new(false));
    let peak_threads = Arc::new(AtomicU64::new(threads_before));
    let peak_rss = Arc::new(AtomicU64::new(rss_before));
    let monitor = {
        let (stop, peak_threads, peak_rss) = (
            Arc::clone(&stop),
            Arc::clone(&peak_threads),
            Arc::clone(&peak_rss),
        );
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Ok((threads, rss)) = status(pid) {
                    peak_threads.fetch_max(threads, Ordering::Relaxed);
                    peak_rss.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(SAMPLE_EVERY);
            }
        })
    };
    let prober = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut times = Vec::new();
            let mut failed = 0_u64;
            while !stop.load(Ordering::Relaxed) {
                match probe(addr) {
                    Ok(elapsed) => times.push(micros(elapsed)),
                    Err(error) => {
                        eprintln!("flood: probe failed: {error}");
                        failed = failed.saturating_add(1);
                    }
                }
                std::thread::sleep(PROBE_EVERY);
            }
            (times, failed)
        })
    };

    let started = Instant::now();
    let mut flood = Vec::with_capacity(settings.connections);
    let mut connect_error = None;
    for _ in 0..settings.connections {
        match TcpStream::connect(addr) {
            Ok(stream) => flood.push(stream),
            Err(error) => {
                connect_error = Some(error);
                break;
            }
        }
    }
    let flood_seconds = started.elapsed().as_secs_f64();
    std::thread::sleep(HOLD);
    stop.store(true, Ordering::Relaxed);
    let (mut times, failed) = prober
        .join()
        .map_err(|_| Error::unexpected("probe thread panicked"))?;
    monitor
        .join()
        .map_err(|_| Error::unexpected("monitor thread panicked"))?;
    drop(flood);
    if let Some(error) = connect_error {
        return Err(Error::io("flood connect", error));
    }
    times.sort_unstable();
    let line = format!(
        "flood {} {flood_seconds:.3} {threads_before} {} {rss_before} {} {} {} {} {} {failed}",
        settings.connections,
        peak_threads.load(Ordering::Relaxed),
        peak_rss.load(Ordering::Relaxed),
        times.len(),
        median(&idle),
        median(&times),
        times.last().copied().unwrap_or(0),
    );
    println!("{line}");
    drop(child);
    append_lines(settings.out.as_deref(), &[line])
}
