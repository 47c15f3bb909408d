//! The pytest suite in `examples/pytest`: python-snap7 3.3.0 as the client under test, the
//! mock (the release binary this task built) steered through its control API.
//!
//! Runs `python -m pytest examples/pytest -q -rs` in the interop venv with `S7_MOCK_BIN` set,
//! echoing its output. Each passed test counts as a passed check, each failed test or error as
//! a failed one; a skipped test fails the task too (pytest lists it with its reason, `-rs`):
//! every test of the suite must run. A non-zero exit of pytest fails the task even when no
//! test failed (e.g. none collected).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use super::{PartResult, Tally};

/// Runs the suite; see the module docs.
pub(super) fn run(root: &Path, python: &Path, binary: &Path) -> PartResult {
    println!("==> pytest examples/pytest");
    let mut child = Command::new(python)
        .args(["-m", "pytest", "examples/pytest", "-q", "-rs"])
        // No .pytest_cache or __pycache__ left in the work tree.
        .args(["-p", "no:cacheprovider"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("S7_MOCK_BIN", binary)
        .current_dir(root)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| (failed_one(), format!("could not start pytest: {e}")))?;
    let mut counts = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(c) = parse_summary(&line) {
                counts = Some(c);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| (failed_one(), format!("pytest: {e}")))?;
    let Some(counts) = counts else {
        return Err((
            failed_one(),
            format!("pytest ended ({status}) without its summary line"),
        ));
    };
    let tally = Tally {
        passed: counts.passed,
        failed: counts.failed.saturating_add(counts.skipped),
    };
    if counts.skipped > 0 {
        return Err((
            tally,
            format!(
                "pytest examples/pytest: {} skipped (see the reasons above); every test must run",
                counts.skipped
            ),
        ));
    }
    if status.success() && counts.failed == 0 && counts.passed > 0 {
        Ok(tally)
    } else if counts.failed == 0 {
        Err((
            Tally {
                passed: tally.passed,
                failed: 1,
            },
            format!("pytest examples/pytest: exited with {status}"),
        ))
    } else {
        Err((
            tally,
            format!(
                "pytest examples/pytest: {} failed ({status})",
                counts.failed
            ),
        ))
    }
}

fn failed_one() -> Tally {
    Tally {
        passed: 0,
        failed: 1,
    }
}

/// What pytest's closing line counts.
#[derive(Debug, Default, PartialEq, Eq)]
struct Summary {
    passed: usize,
    /// Failed tests and errors.
    failed: usize,
    skipped: usize,
}

/// Reads pytest's closing line, e.g. `12 passed, 1 skipped in 3.21s` (with `=` around it
/// when not quiet).
fn parse_summary(line: &str) -> Option<Summary> {
    let line = line.trim().trim_matches('=').trim();
    let (counts, time) = line.rsplit_once(" in ")?;
    if !time.ends_with('s') {
        return None;
    }
    let mut summary = Summary::default();
    for part in counts.split(", ") {
        let (n, word) = part.trim().split_once(' ')?;
        let n: usize = n.parse().ok()?;
        match word {
            "passed" => summary.passed += n,
            "failed" | "error" | "errors" => summary.failed += n,
            "skipped" => summary.skipped += n,
            "xfailed" | "xpassed" | "deselected" | "warning" | "warnings" => {}
            _ => return None,
        }
    }
    Some(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pytest_summaries() {
        assert_eq!(
            parse_summary("12 passed, 1 skipped in 3.21s"),
            Some(Summary {
                passed: 12,
                failed: 0,
                skipped: 1
            })
        );
        assert_eq!(
            parse_summary("==== 1 failed, 2 passed, 1 error in 0.50s ===="),
            Some(Summary {
                passed: 2,
                failed: 2,
                skipped: 0
            })
        );
        assert_eq!(parse_summary("PASS [s7-300] connect in 2s"), None);
        assert_eq!(parse_summary("tests/test_x.py ..s.  [100%]"), None);
    }
}
