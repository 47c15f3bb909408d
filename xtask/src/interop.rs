//! `cargo xtask interop`: a third-party S7 client against the s7-mock binary.
//!
//! python-snap7 3.3.0 (pinned) is installed from PyPI into a virtualenv under `target/`, reused
//! when present. Its scenario (`xtask/interop/scenario.py`) prints one PASS/FAIL line per check.
//! Where tshark is installed, the loopback traffic is captured and every frame must dissect as
//! TPKT/COTP/S7comm without Wireshark flagging it malformed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{have, step, workspace_root, MockProcess};
use crate::TaskResult;

const PYTHON_SNAP7: &str = "python-snap7==3.3.0";

/// The memory layout the scenario expects.
const MOCK_ARGS: [&str; 12] = [
    "--db",
    "1:8192",
    "--db",
    "2:256",
    "--inputs",
    "256",
    "--outputs",
    "256",
    "--merkers",
    "1024",
    "--timers",
    "64",
];
const MOCK_MORE_ARGS: [&str; 2] = ["--counters", "64"];

/// Runs the interop checks; fails if any check fails.
pub(crate) fn run() -> TaskResult {
    let root = workspace_root();
    let python = ensure_venv(&root)?;
    let binary = MockProcess::build()?;
    let mut args: Vec<&str> = MOCK_ARGS.to_vec();
    args.extend(MOCK_MORE_ARGS);
    let mock = MockProcess::start(&binary, &args)?;
    let port = mock.addr().port();

    let capture_file = root.join("target").join("interop.pcapng");
    let capture = if have("tshark", &["--version"]) {
        Some(Capture::start(&capture_file, port)?)
    } else {
        println!("SKIP tshark dissection: tshark is not installed (.ci/run installs it)");
        None
    };

    let scenario = root.join("xtask").join("interop").join("scenario.py");
    let outcome = step(
        "python-snap7 scenario",
        Command::new(&python)
            .arg(&scenario)
            .arg(mock.addr().ip().to_string())
            .arg(port.to_string()),
    );
    let stopped = mock.stop();
    let dissected = match capture {
        Some(capture) => capture
            .finish()
            .and_then(|()| check_dissection(&capture_file, port)),
        None => Ok(()),
    };
    outcome?;
    stopped?;
    dissected
}

/// The virtualenv with python-snap7 3.3.0 under `target/`, created if missing; returns its
/// python.
pub(crate) fn ensure_venv(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target").join("interop-venv");
    let python = venv.join("bin").join("python");
    let ready = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m; assert m.version('python-snap7') == '3.3.0'",
        ])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ready {
        return Ok(python);
    }
    step(
        "create python venv",
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
    )?;
    step(
        "install python-snap7 3.3.0",
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PYTHON_SNAP7,
        ]),
    )?;
    Ok(python)
}

/// A tshark capture of the mock's port on loopback.
struct Capture {
    child: Child,
}

impl Capture {
    fn start(file: &Path, port: u16) -> Result<Self, String> {
        let _ = std::fs::remove_file(file);
        let child = Command::new("tshark")
            .args(["-i", "lo", "-f", &format!("tcp port {port}"), "-w"])
            .arg(file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start tshark: {e}"))?;
        // tshark writes the file's header once the capture is running.
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::fs::metadata(file)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
            {
                // A moment more so the capture filter is in place before the first SYN.
                std::thread::sleep(Duration::from_millis(500));
                return Ok(Capture { child });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("tshark did not start capturing within 20 s".into())
    }

    fn finish(mut self) -> TaskResult {
        // Let the last segments reach the capture before stopping it.
        std::thread::sleep(Duration::from_millis(500));
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        self.child
            .wait()
            .map(|_| ())
            .map_err(|e| format!("tshark: {e}"))
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn tshark_count(file: &Path, port: u16, filter: &str) -> Result<usize, String> {
    let output = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-d", &format!("tcp.port=={port},tpkt"), "-Y", filter])
        .args(["-T", "fields", "-e", "frame.number"])
        .output()
        .map_err(|e| format!("tshark -r: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "tshark -r failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count())
}

fn check_dissection(file: &Path, port: u16) -> TaskResult {
    let s7 = tshark_count(file, port, "s7comm")?;
    let cotp = tshark_count(file, port, "cotp")?;
    let malformed = tshark_count(file, port, "_ws.malformed || _ws.expert.severity == error")?;
    let mut failures = 0;
    let mut report = |name: &str, ok: bool, detail: String| {
        if ok {
            println!("PASS {name}: {detail}");
        } else {
            println!("FAIL {name}: {detail}");
            failures += 1;
        }
    };
    report(
        "capture holds cotp frames",
        cotp > 0,
        format!("{cotp} frames"),
    );
    report(
        "capture holds s7comm frames",
        s7 > 0,
        format!("{s7} frames"),
    );
    report(
        "no frame flagged malformed by wireshark",
        malformed == 0,
        format!("{malformed} flagged (of {cotp} cotp frames)"),
    );
    println!("{} passed, {failures} failed", 3 - failures);
    if failures == 0 {
        Ok(())
    } else {
        Err(format!(
            "tshark flagged frames; inspect {} with -d tcp.port=={port},tpkt",
            file.display()
        ))
    }
}
