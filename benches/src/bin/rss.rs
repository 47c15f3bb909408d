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

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use benches::raw::{raw_request, RawClient};
use benches::{proc_status, Error, ServerProcess};

/// How long the server gets to settle after the last client connected.
const SETTLE: Duration = Duration::from_millis(700);

struct Settings {
    connections: usize,
    s7: bool,
    label: String,
    out: Option<String>,
    command: Vec<String>,
}

fn parse_args() -> Result<Settings, Error> {
    let mut args = std::env::args().skip(1);
    let mut settings = Settings {
        connections: 1000,
        s7: true,
        label: "server".into(),
        out: None,
        command: Vec::new(),
    };
    while let Some(arg) = args.next() {
        if arg == "--" {
            settings.command = args.by_ref().collect();
            break;
        }
        let value = args
            .next()
            .ok_or_else(|| Error::unexpected(format!("{arg} needs a value")))?;
        match arg.as_str() {
            "--connections" => {
                settings.connections = value
                    .parse()
                    .map_err(|e| Error::unexpected(format!("--connections {value}: {e}")))?;
            }
            "--protocol" => settings.s7 = value == "s7",
            "--label" => settings.label = value,
            "--out" => settings.out = Some(value),
            other => return Err(Error::unexpected(format!("unknown argument {other}"))),
        }
    }
    if settings.command.is_empty() {
        return Err(Error::unexpected("no server command after --"));
    }
    Ok(settings)
}

fn main() -> ExitCode {
    match parse_args().and_then(|settings| run(&settings)) {
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
        benches::s7_client::READ_REQUEST_FRAME_LEN,
        benches::s7_client::read_answer_frame_len(4),
    )?;
    let mut s7_clients = Vec::new();
    let mut raw_clients = Vec::new();
    for _ in 0..settings.connections {
        if settings.s7 {
            let options = iso_tcp::ClientOptions::new(addr);
            s7_clients.push(s7_client::Client::connect_with_pdu(options, 480)?);
        } else {
            let mut client = RawClient::connect(addr)?;
            client.round_trip(&request, benches::s7_client::read_answer_frame_len(4))?;
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
    if let Some(path) = &settings.out {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io("open results file", e))?;
        writeln!(file, "{line}").map_err(|e| Error::io("write results file", e))?;
    }
    Ok(())
}

/// The `VmRSS` line of `/proc/PID/status`, in kB.
fn vm_rss_kb(pid: u32) -> Result<u64, Error> {
    proc_status(pid, "VmRSS:")
}
