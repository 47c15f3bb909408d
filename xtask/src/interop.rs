//! `cargo xtask interop`: a third-party S7 client against the s7-mock binary, and our client
//! against two third-party S7 servers.
//!
//! python-snap7 3.3.0 (pinned) is installed from PyPI into a virtualenv under `target/`, reused
//! when present. Its scenario (`xtask/interop/scenario.py`) prints one PASS/FAIL line per check.
//! Where tshark is installed, the loopback traffic is captured and every frame must dissect as
//! TPKT/COTP/S7comm without Wireshark flagging it malformed.
//!
//! Then `s7-client` runs its scenario ([`servers`]) against python-snap7 3.3.0's pure-Python
//! server and against the snap7 C server of the python-snap7 2.0.2 wheel (its own venv,
//! `target/interop-venv-snap7-2.0.2`), both started by `xtask/interop/server.py`. Known gaps
//! of those servers are listed as GAP with their reason; anything else failing fails the task.
//! `XTASK_INTEROP_PART=servers` (or `mock`) runs one part only.

mod servers;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{have, step, workspace_root, MockProcess};
use crate::TaskResult;

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
    let part = std::env::var("XTASK_INTEROP_PART").unwrap_or_default();
    let root = workspace_root();
    let python = ensure_venv(&root)?;
    let (mut tally, mut errors) = if part == "servers" {
        (Tally::default(), Vec::new())
    } else {
        mock_part(&root, &python)?
    };
    let mut gaps = 0;
    if part != "mock" {
        let python_2 = ensure_venv_at(&root, "interop-venv-snap7-2.0.2", "2.0.2")?;
        let launcher = root.join("xtask").join("interop").join("server.py");
        let outcome = servers::run(
            &[
                servers::RealServer {
                    name: servers::PY_SERVER,
                    python: python.clone(),
                },
                servers::RealServer {
                    name: servers::C_SERVER,
                    python: python_2,
                },
            ],
            &launcher,
        );
        tally.passed += outcome.passed;
        tally.failed += outcome.failed;
        gaps = outcome.gaps;
        if outcome.failed > 0 {
            errors.push(format!(
                "s7-client against third-party servers: {} failed",
                outcome.failed
            ));
        }
        if outcome.unexpected_passes > 0 {
            println!(
                "{} known gaps passed (XPASS): update servers::KNOWN_GAPS",
                outcome.unexpected_passes
            );
        }
    }
    println!(
        "{} passed, {} failed, {gaps} known gaps",
        tally.passed, tally.failed
    );
    if errors.is_empty() && tally.failed == 0 {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// python-snap7's client against the mock binary (and the tshark dissection); returns the
/// tally and the errors, without printing a closing line.
fn mock_part(root: &Path, python: &Path) -> Result<(Tally, Vec<String>), String> {
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
    println!("==> python-snap7 scenario");
    let outcome = run_scenario(python, &scenario, mock.addr());
    let stopped = mock.stop();
    let dissected = match capture {
        Some(capture) => match capture.finish() {
            Ok(()) => check_dissection(&capture_file, port),
            Err(e) => Err((
                Tally {
                    passed: 0,
                    failed: 1,
                },
                e,
            )),
        },
        None => Ok(Tally::default()),
    };
    let mut tally = Tally::default();
    let mut errors = Vec::new();
    for part in [outcome, dissected] {
        match part {
            Ok(t) => tally.add(t),
            Err((t, e)) => {
                tally.add(t);
                errors.push(e);
            }
        }
    }
    if let Err(e) = stopped {
        tally.failed += 1;
        println!("FAIL mock exits cleanly on SIGTERM: {e}");
        errors.push(e);
    } else {
        tally.passed += 1;
        println!("PASS mock exits cleanly on SIGTERM");
    }
    Ok((tally, errors))
}

/// Checks passed and failed.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// A failed part: what it counted, and why it failed.
type PartResult = Result<Tally, (Tally, String)>;

/// Runs the python scenario, echoing its PASS/FAIL lines and taking its closing
/// `N passed, M failed` line as its tally.
fn run_scenario(python: &Path, scenario: &Path, addr: std::net::SocketAddr) -> PartResult {
    let mut child = Command::new(python)
        .arg(scenario)
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| (Tally::default(), format!("could not start python: {e}")))?;
    let mut tally = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            match parse_tally(&line) {
                Some(t) => tally = Some(t),
                None => println!("{line}"),
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| (Tally::default(), format!("python: {e}")))?;
    match tally {
        Some(t) if status.success() && t.failed == 0 => Ok(t),
        Some(t) => Err((t, format!("python-snap7 scenario: {} failed", t.failed))),
        None => Err((
            Tally {
                passed: 0,
                failed: 1,
            },
            format!("python-snap7 scenario ended ({status}) without its summary line"),
        )),
    }
}

/// Reads an `N passed, M failed` line.
fn parse_tally(line: &str) -> Option<Tally> {
    let (passed, failed) = line.trim().split_once(" passed, ")?;
    let failed = failed.strip_suffix(" failed")?;
    Some(Tally {
        passed: passed.parse().ok()?,
        failed: failed.parse().ok()?,
    })
}

/// The virtualenv with python-snap7 3.3.0 under `target/`, created if missing; returns its
/// python.
pub(crate) fn ensure_venv(root: &Path) -> Result<PathBuf, String> {
    ensure_venv_at(root, "interop-venv", "3.3.0")
}

/// The virtualenv `target/<dir>` with python-snap7 `version`, created if missing; returns its
/// python.
fn ensure_venv_at(root: &Path, dir: &str, version: &str) -> Result<PathBuf, String> {
    let venv = root.join("target").join(dir);
    let python = venv.join("bin").join("python");
    let ready = Command::new(&python)
        .args([
            "-c",
            &format!(
                "import importlib.metadata as m; assert m.version('python-snap7') == '{version}'"
            ),
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
        &format!("install python-snap7 {version}"),
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("python-snap7=={version}"),
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

fn check_dissection(file: &Path, port: u16) -> PartResult {
    let count = |filter: &str| {
        tshark_count(file, port, filter).map_err(|e| {
            (
                Tally {
                    passed: 0,
                    failed: 1,
                },
                e,
            )
        })
    };
    let s7 = count("s7comm")?;
    let cotp = count("cotp")?;
    let malformed = count("_ws.malformed || _ws.expert.severity == error")?;
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
    let tally = Tally {
        passed: 3 - failures,
        failed: failures,
    };
    if failures == 0 {
        Ok(tally)
    } else {
        Err((
            tally,
            format!(
                "tshark flagged frames; inspect {} with -d tcp.port=={port},tpkt",
                file.display()
            ),
        ))
    }
}
