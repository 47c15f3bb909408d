//! Shared pieces of the benchmarks: CPU pinning, the raw TCP floor, sample frames, a minimal
//! S7 client on iso-tcp.
//!
//! Every bench measures the stack against a floor measured in the same run on the same
//! machine (absolute times on a shared VM drift); `cargo xtask bench` runs them and writes
//! `docs/performance.md` from the ratios.

pub mod error;
pub mod frames;
pub mod mock;
pub mod pin;
pub mod raw;
pub mod results;
pub mod s7_client;
pub mod server_process;

pub use error::Error;
pub use mock::start_mock;
pub use pin::{pin_current_thread, Placement};
pub use raw::{raw_request, RawClient, RawServer, Serve};
pub use s7_client::S7Client;
pub use server_process::{proc_status, ServerProcess};
