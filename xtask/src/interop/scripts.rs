//! Python scripts that drive the mock binary with a third-party client for the services a real
//! CPU offers (`xtask/interop/services.py`: SZLs, protection and passwords, the diagnostic
//! buffer; `xtask/interop/blocks.py`: the block directory, upload, download, delete).
//!
//! Each script starts the mocks it needs itself and prints one `PASS ...` or `FAIL ...` line a
//! check. It runs once with python-snap7 3.3.0 and once with the libsnap7 C client of
//! python-snap7 2.0.2. The runner picks the mocks' ports (`S7_MOCK_PORTS`), so that tshark
//! can capture every frame and check that none dissects as malformed.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{check_dissection_tolerating, Capture, ClientQuirk, PartResult, Tally};
use crate::process::have;

/// python-snap7 3.3.0's `delete` sends a `_DELE` PI service whose parameter block length (52)
/// runs past its 22 parameter bytes; Wireshark flags it. The mock reads that layout too, so
/// the call passes; the frame is the client's, not the mock's.
const DELE_QUIRK: ClientQuirk = ClientQuirk {
    filter: "s7comm.param.func == 0x28",
    reason: "python-snap7 3.3.0's own _DELE request (its parameter block length runs past the parameters); the mock's frames all dissect",
};

/// One script and how many mocks it starts.
pub(super) struct Script {
    /// File under `xtask/interop/`.
    pub(super) file: &'static str,
    /// Mocks it starts (each takes one port from `S7_MOCK_PORTS`).
    pub(super) mocks: usize,
}

/// A Python with a client installed.
pub(super) struct Client<'a> {
    /// What it is called in the output.
    pub(super) label: &'static str,
    /// The venv's interpreter.
    pub(super) python: &'a Path,
}

/// Runs every script with every client, under one capture; see the module docs.
pub(super) fn run(
    root: &Path,
    binary: &Path,
    scripts: &[Script],
    clients: &[Client],
) -> PartResult {
    let mut runs = Vec::new();
    let mut ports = Vec::new();
    for script in scripts {
        for client in clients {
            let own = free_ports(script.mocks).map_err(|e| (failed_one(), e))?;
            ports.extend_from_slice(&own);
            runs.push((script, client, own));
        }
    }
    let capture_file = root.join("target").join("interop-services.pcapng");
    let capture = if have("tshark", &["--version"]) {
        Some(Capture::start(&capture_file, &ports).map_err(|e| (failed_one(), e))?)
    } else {
        println!("SKIP tshark dissection of the services: tshark is not installed");
        None
    };
    let mut tally = Tally::default();
    let mut errors = Vec::new();
    for (script, client, own) in runs {
        println!("==> {} with {}", script.file, client.label);
        match run_one(root, binary, script, client, &own) {
            Ok(t) => tally.add(t),
            Err((t, e)) => {
                tally.add(t);
                errors.push(e);
            }
        }
    }
    if let Some(capture) = capture {
        let dissected = capture
            .finish()
            .map_err(|e| (failed_one(), e))
            .and_then(|()| check_dissection_tolerating(&capture_file, &ports, Some(&DELE_QUIRK)));
        match dissected {
            Ok(t) => tally.add(t),
            Err((t, e)) => {
                tally.add(t);
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(tally)
    } else {
        Err((tally, errors.join("; ")))
    }
}

fn run_one(
    root: &Path,
    binary: &Path,
    script: &Script,
    client: &Client,
    ports: &[u16],
) -> PartResult {
    let ports = ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut child = Command::new(client.python)
        .arg(root.join("xtask").join("interop").join(script.file))
        .arg(binary)
        .env("S7_MOCK_PORTS", ports)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(root)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| {
            (
                failed_one(),
                format!("could not start {}: {e}", script.file),
            )
        })?;
    let mut tally = Tally::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            if line.starts_with("PASS ") {
                tally.passed += 1;
            } else if line.starts_with("FAIL ") {
                tally.failed += 1;
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| (failed_one(), format!("{}: {e}", script.file)))?;
    let what = format!("{} with {}", script.file, client.label);
    if !status.success() || tally.failed > 0 || tally.passed == 0 {
        if tally.failed == 0 {
            tally.failed = 1;
        }
        return Err((tally, format!("{what}: {} failed ({status})", tally.failed)));
    }
    Ok(tally)
}

/// `n` loopback ports free right now (bound, then released for the mock to take).
fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("pick a free port: {e}"))?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("pick a free port: {e}"))
}

fn failed_one() -> Tally {
    Tally {
        passed: 0,
        failed: 1,
    }
}
