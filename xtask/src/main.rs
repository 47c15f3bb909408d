//! Workspace chores, run as `cargo xtask <task>`.
//!
//! `cargo xtask ci` is exactly what `.ci/run` runs; the other tasks are its steps, runnable on
//! their own.

mod bench;
mod ci;
mod fuzz;
mod integration;
mod interop;
mod layering;
mod process;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Workspace chores for the ISO-on-TCP stack and the S7 mock.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Option<Task>,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Everything CI runs: fmt, clippy, tests, no_std checks, docs, layering, integration,
    /// interop, fuzz.
    Ci,
    /// Check that each library crate stands on its own: the mock without its CLI crates, each
    /// crate as a path dependency outside the workspace, `cargo package` of all six.
    Layering,
    /// Start the s7-mock binary and drive a scripted scenario against it through iso-tcp.
    Integration,
    /// Run python-snap7 3.3.0 (in a venv under target/) against the s7-mock binary.
    Interop,
    /// Run every fuzz target for a bounded time; crash inputs go to the regression corpus.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Run the criterion benches and regenerate docs/performance.md.
    Bench {
        /// Also compare against python-snap7 (client vs our mock and vs its own server).
        #[arg(long)]
        peers: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(task) = cli.task else {
        print_tasks();
        return ExitCode::SUCCESS;
    };
    let result = match task {
        Task::Ci => ci::run_all(),
        Task::Integration => integration::run(),
        Task::Layering => layering::run(),
        Task::Interop => interop::run(),
        Task::Fuzz { seconds } => fuzz::run_targets(seconds),
        Task::Bench { peers } => bench::run(peers),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print_tasks() {
    println!("cargo xtask <task>");
    println!();
    println!("  ci           everything CI runs (fmt, clippy, tests, no_std, docs, layering, integration, interop, fuzz)");
    println!("  layering     the mock without CLI crates, each library outside the workspace, cargo package");
    println!("  integration  scripted scenario against the s7-mock binary through iso-tcp");
    println!(
        "  interop      python-snap7 3.3.0 client against the s7-mock binary (+ tshark check)"
    );
    println!("  fuzz         every fuzz target for --seconds N each (default 20)");
    println!("  bench        criterion benches against raw floors; writes docs/performance.md");
}

/// The error every task returns: a sentence saying what failed.
pub(crate) type TaskResult = Result<(), String>;
