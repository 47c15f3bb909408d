//! Running commands and the mock PLC as a child process.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The workspace root (the parent of this crate's directory).
pub(crate) fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Where cargo puts what it builds: `CARGO_TARGET_DIR`, or the workspace's `target`.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The `cargo` that runs this xtask, so toolchain overrides carry over.
pub(crate) fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace_root());
    command
}

/// Runs `command` to completion, failing with `what` in the message when it exits non-zero.
pub(crate) fn step(what: &str, command: &mut Command) -> crate::TaskResult {
    println!("==> {what}");
    let status = command
        .status()
        .map_err(|e| format!("{what}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: failed ({status})"))
    }
}

/// Whether `program --version` runs.
pub(crate) fn have(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The s7-mock binary running as a child process; killed and reaped on drop, so no step that
/// fails can leave it behind.
pub(crate) struct MockProcess {
    child: Child,
    addr: SocketAddr,
}

impl MockProcess {
    /// Builds the release `s7-mock` binary and returns its path.
    pub(crate) fn build() -> Result<PathBuf, String> {
        step(
            "build s7-mock (release)",
            cargo().args([
                "build",
                "--release",
                "--quiet",
                "-p",
                "s7-mock",
                "--bin",
                "s7-mock",
            ]),
        )?;
        Ok(target_dir().join("release").join("s7-mock"))
    }

    /// Starts `binary` on an ephemeral loopback port with `args`, and waits for its
    /// `listening on ADDR` line.
    pub(crate) fn start(binary: &Path, args: &[&str]) -> Result<Self, String> {
        let mut command = Command::new(binary);
        // The mock logs every connection at info; keep the task's output to its checks unless
        // the caller asked for more.
        if std::env::var_os("RUST_LOG").is_none() {
            command.env("RUST_LOG", "warn");
        }
        let mut child = command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("s7-mock: no stdout pipe".into());
        };
        let mut mock = MockProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        mock.addr = wait_for_listening(stdout, Duration::from_secs(30))?;
        Ok(mock)
    }

    /// The address the mock listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Asks the mock to stop (SIGTERM) and checks that it exits cleanly within a few seconds.
    pub(crate) fn stop(mut self) -> crate::TaskResult {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..100 {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("s7-mock exited with {status} on SIGTERM")),
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(format!("s7-mock: wait failed: {e}")),
            }
        }
        Err("s7-mock did not exit within 5 s of SIGTERM".into())
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn wait_for_listening(stdout: ChildStdout, timeout: Duration) -> Result<SocketAddr, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next();
        let _ = tx.send(first);
        // Keep draining so the mock never blocks on a full pipe.
        for _ in lines {}
    });
    let line = match rx.recv_timeout(timeout) {
        Ok(Some(Ok(line))) => line,
        Ok(Some(Err(e))) => return Err(format!("s7-mock: reading stdout: {e}")),
        Ok(None) => return Err("s7-mock exited before printing `listening on ADDR`".into()),
        Err(_) => return Err(format!("s7-mock printed nothing within {timeout:?}")),
    };
    let addr = line
        .strip_prefix("listening on ")
        .ok_or_else(|| format!("s7-mock: expected `listening on ADDR`, got {line:?}"))?;
    addr.trim()
        .parse()
        .map_err(|e| format!("s7-mock: bad address in {line:?}: {e}"))
}
