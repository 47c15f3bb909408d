//! `cargo xtask fuzz`: every cargo-fuzz target for a bounded time.
//!
//! The seeds and the regression corpus of each target live in the crate that owns the decoder
//! (`crates/*/tests/fuzz-regressions/`), where an ordinary `cargo test` replays them. A crash
//! input found here is copied there, so the bug it shows stays fixed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::{step, workspace_root};
use crate::TaskResult;

/// Each fuzz target and the directory whose files `cargo test` replays for it.
const TARGETS: [(&str, &str); 6] = [
    ("tpkt_decode", "crates/tpkt/tests/fuzz-regressions"),
    ("cotp_decode", "crates/cotp/tests/fuzz-regressions"),
    (
        "s7comm_decode",
        "crates/s7comm/tests/fuzz-regressions/decode",
    ),
    ("s7comm_tag", "crates/s7comm/tests/fuzz-regressions/tag"),
    (
        "profile_load",
        "crates/s7-mock/tests/fuzz-regressions-profile",
    ),
    ("s7_request", "crates/s7-mock/tests/fuzz-regressions"),
];

/// Runs every target for `seconds` each and reports the executions per target.
pub(crate) fn run_targets(seconds: u64) -> TaskResult {
    ensure_cargo_fuzz()?;
    let root = workspace_root();
    let mut failures = Vec::new();
    for (target, regressions) in TARGETS {
        let regressions = root.join(regressions);
        match run_one(&root, target, &regressions, seconds) {
            Ok(runs) => println!("fuzz {target}: {seconds} s, {runs} executions, no crash"),
            Err(e) => failures.push(e),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

fn nightly_cargo() -> Command {
    let mut command = Command::new("rustup");
    command.args(["run", "nightly", "cargo"]);
    // The stable toolchain that runs xtask exports these; they would pin the child to stable.
    for var in [
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
        "RUSTDOC",
        "CARGO",
        "RUSTC_WRAPPER",
    ] {
        command.env_remove(var);
    }
    command
}

fn ensure_cargo_fuzz() -> TaskResult {
    let installed = nightly_cargo()
        .args(["fuzz", "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    step(
        "install cargo-fuzz",
        Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]),
    )
}

fn run_one(root: &Path, target: &str, regressions: &Path, seconds: u64) -> Result<u64, String> {
    let fuzz_dir = root.join("fuzz");
    let corpus = fuzz_dir.join("corpus").join(target);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{target}: corpus dir: {e}"))?;
    std::fs::create_dir_all(regressions).map_err(|e| format!("{target}: regression dir: {e}"))?;
    let artifacts = fuzz_dir.join("artifacts").join(target);
    let log = root.join("target").join(format!("fuzz-{target}.log"));
    std::fs::create_dir_all(root.join("target")).map_err(|e| format!("target dir: {e}"))?;
    println!("==> fuzz {target} for {seconds} s (log: {})", log.display());
    let log_file = std::fs::File::create(&log).map_err(|e| format!("{target}: log: {e}"))?;
    let status = nightly_cargo()
        .current_dir(&fuzz_dir)
        .args(["fuzz", "run", target])
        .arg(&corpus)
        .arg(regressions)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        // A target that opens files the input names must never wait on a terminal.
        .stdin(std::process::Stdio::null())
        .stdout(
            log_file
                .try_clone()
                .map_err(|e| format!("{target}: log: {e}"))?,
        )
        .stderr(log_file)
        .status()
        .map_err(|e| format!("{target}: could not start cargo fuzz: {e}"))?;
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    if !status.success() {
        let kept = keep_crashes(&artifacts, regressions);
        let tail: Vec<&str> = output.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "{target}: fuzzing failed ({status}); crash inputs copied to {}: {kept:?}\n{}",
            regressions.display(),
            tail.join("\n")
        ));
    }
    executions(&output)
        .ok_or_else(|| format!("{target}: no `Done N runs` line in {}", log.display()))
}

/// Parses libFuzzer's closing `Done N runs in S second(s)` line.
fn executions(output: &str) -> Option<u64> {
    output.lines().rev().find_map(|line| {
        let rest = line.trim().strip_prefix("Done ")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn keep_crashes(artifacts: &Path, regressions: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(artifacts) else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    for entry in entries.flatten() {
        let from = entry.path();
        if let Some(name) = from.file_name() {
            let to = regressions.join(name);
            if std::fs::copy(&from, &to).is_ok() {
                kept.push(to);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::executions;

    #[test]
    fn reads_the_execution_count_from_libfuzzer_output() {
        let log = "#1024 pulse cov: 10\nDone 123456 runs in 21 second(s)\nstat::number_of_executed_units: 123456\n";
        assert_eq!(executions(log), Some(123_456));
        assert_eq!(executions("no summary here"), None);
    }
}
