//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::time::Instant;

use crate::process::{cargo, have, step};
use crate::TaskResult;

/// Seconds each fuzz target runs for inside CI: long enough to catch shallow regressions, short
/// enough to keep CI well under 15 minutes on two cores.
const CI_FUZZ_SECONDS: u64 = 20;

/// One CI step.
type Step = fn() -> TaskResult;

/// Runs every step; on failure, names the step that failed.
pub(crate) fn run_all() -> TaskResult {
    let started = Instant::now();
    let steps: [(&str, Step); 9] = [
        ("fmt", fmt),
        ("clippy", clippy),
        ("test", test),
        ("no_std", no_std),
        ("doc", doc),
        ("layering", crate::layering::run),
        ("integration", crate::integration::run),
        ("interop", crate::interop::run),
        ("fuzz", || crate::fuzz::run_targets(CI_FUZZ_SECONDS)),
    ];
    for (done, (name, step)) in steps.iter().enumerate() {
        let step_started = Instant::now();
        if let Err(e) = step() {
            // The later steps are not run: only the failed one counts as failed.
            println!("steps: {done} passed, 1 failed");
            return Err(format!("ci step `{name}` failed: {e}"));
        }
        println!(
            "==> ci step `{name}` ok ({:.0} s)",
            step_started.elapsed().as_secs_f64()
        );
    }
    println!(
        "==> ci: all steps passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!("steps: {} passed, 0 failed", steps.len());
    Ok(())
}

fn fmt() -> TaskResult {
    step(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )
}

fn clippy() -> TaskResult {
    step(
        "cargo clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The in-process mock as a test suite takes it (no `cli`, no `control`): its library and
    // every test that does not need the command line must build and stay clean without them.
    step(
        "cargo clippy -p s7-mock --no-default-features",
        cargo().args([
            "clippy",
            "-p",
            "s7-mock",
            "--no-default-features",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )
}

fn test() -> TaskResult {
    if have("cargo-nextest", &["--version"]) {
        step(
            "cargo nextest run",
            cargo().args([
                "nextest",
                "run",
                "--workspace",
                "--all-targets",
                "--all-features",
            ]),
        )?;
    } else {
        step(
            "cargo test",
            cargo().args(["test", "--workspace", "--all-targets", "--all-features"]),
        )?;
    }
    // nextest does not run doctests; the examples in the docs are tests too.
    step(
        "cargo test --doc",
        cargo().args(["test", "--workspace", "--doc", "--all-features"]),
    )
}

fn no_std() -> TaskResult {
    step(
        "no_std check of the sans-IO crates",
        cargo().args([
            "check",
            "-p",
            "tpkt",
            "-p",
            "cotp",
            "-p",
            "s7comm",
            "--no-default-features",
        ]),
    )
}

fn doc() -> TaskResult {
    step(
        "cargo doc",
        cargo()
            .args(["doc", "--workspace", "--no-deps", "--all-features"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )
}
