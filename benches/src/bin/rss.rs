//! Resident memory per idle connection of a server running as a child process: its `VmRSS`
//! (from `/proc/PID/status`) before and after N clients connect and go idle.
//!
//! ```text
//! rss --connections N --protocol s7|raw --label NAME [--out FILE] -- SERVER [ARGS...]
//! ```
//!
//! `SERVER` must print `listening on ADDR` as its first line on stdout. With `s7`, each client
//! runs the ISO-on-TCP handshake and S7 setup communication; with `raw`, each makes one raw
//! round trip (so the server has served it). Prints (and appends to FILE)
//! `rss NAME N <kB before> <kB after> <bytes per connection>`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use benches::raw::{raw_request, RawClient};
use benches::results::append_lines;
use benches::{proc_status, Error, ServerProcess};
use clap::{Parser, ValueEnum};

/// How long the server gets to settle after the last client connected.
const SETTLE: Duration = Duration::from_millis(700);

/// What each client does before going idle.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Protocol {
    /// The ISO-on-TCP handshake and S7 setup communication.
    S7,
    /// One raw round trip.
    Raw,
}

/// Resident memory per idle connection of a server child process.
#[derive(Parser)]
struct Settings {
    /// Idle connections to open.
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// What each client does before going idle.
    #[arg(long, value_enum, default_value_t = Protocol::S7)]
    protocol: Protocol,
    /// Name of the measurement in the result line.
    #[arg(long, default_value = "server")]
    label: String,
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
            eprintln!("rss: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(settings: &Settings) -> Result<(), Error> {
    let child = ServerProcess::start(&settings.command)?;
    let addr = child.addr();
    let pid = child.pid();

    std::thread::sleep(SETTLE);
    let before = vm_rss_kb(pid)?;
    let request = raw_request(
        benches::lean_client::READ_REQUEST_FRAME_LEN,
        benches::lean_client::read_answer_frame_len(4),
    )?;
    let mut s7_clients = Vec::new();
    let mut raw_clients = Vec::new();
    for _ in 0..settings.connections {
        if settings.protocol == Protocol::S7 {
            let options = iso_tcp::ClientOptions::new(addr);
            s7_clients.push(s7_client::Client::connect_with_pdu(options, 480)?);
        } else {
            let mut client = RawClient::connect(addr)?;
            client.round_trip(&request, benches::lean_client::read_answer_frame_len(4))?;
            raw_clients.push(client);
        }
    }
    std::thread::sleep(SETTLE);
    let after = vm_rss_kb(pid)?;
    let per_connection = after.saturating_sub(before).saturating_mul(1024)
        / u64::try_from(settings.connections.max(1)).unwrap_or(1);
    let line = format!(
        "rss {} {} {before} {after} {per_connection}",
        settings.label, settings.connections
    );
    println!("{line}");
    drop(s7_clients);
    drop(raw_clients);
    drop(child);
    append_lines(settings.out.as_deref(), &[line])
}

/// The `VmRSS` line of `/proc/PID/status`, in kB.
fn vm_rss_kb(pid: u32) -> Result<u64, Error> {
    proc_status(pid, "VmRSS:")
}
