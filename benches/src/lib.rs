//! Shared pieces of the benchmarks: CPU pinning, the raw TCP floor, sample frames, and the lean
//! reference client (a minimal hand-written S7 client on iso-tcp, a reference figure beside the
//! `s7-client` crate that the benches measure).
//!
//! Every bench measures the stack against a floor measured in the same run on the same
//! machine (absolute times on a shared VM drift); `cargo xtask bench` runs them and writes
//! `docs/performance.md` from the ratios.

pub mod error;
pub mod frames;
pub mod lean_client;
pub mod mock;
pub mod pin;
pub mod raw;
pub mod results;
pub mod server_process;

pub use error::Error;
pub use lean_client::LeanClient;
pub use mock::start_mock;
pub use pin::{pin_current_thread, Placement};
pub use raw::{raw_request, RawClient, RawServer, Serve};
pub use server_process::{proc_status, ServerProcess};
