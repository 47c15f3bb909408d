//! Where client and server threads run.
//!
//! On a small VM the placement of the two ends of a loopback connection decides a
//! single-connection result: both on one CPU, a round trip is a pair of context switches;
//! split across CPUs, each message also crosses between CPUs (wake-up IPIs, cache lines
//! moving), which is slower and far noisier. Left to the scheduler, a run jumps between the
//! two. So single-connection benches pin both ends, and measure both placements.
//!
//! Threads inherit their creator's CPU mask on Linux, so pinning the thread that starts a
//! server pins every thread the server spawns after it.

use crate::Error;

/// Where the client and the server of a single-connection bench run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// Client and server threads share one CPU (the most stable figures).
    SameCpu,
    /// The client on one CPU, the server on another.
    SplitCpus,
}

impl Placement {
    /// Both placements, the headline one first.
    pub const ALL: [Placement; 2] = [Placement::SameCpu, Placement::SplitCpus];

    /// The name used in bench ids and reports.
    pub fn name(self) -> &'static str {
        match self {
            Placement::SameCpu => "same-cpu",
            Placement::SplitCpus => "split-cpus",
        }
    }

    /// The CPU of the client threads.
    pub fn client_cpu(self) -> usize {
        match self {
            Placement::SameCpu => last_cpu(),
            Placement::SplitCpus => 0,
        }
    }

    /// The CPU of the server threads.
    pub fn server_cpu(self) -> usize {
        last_cpu()
    }
}

/// The highest-numbered CPU the machine has (`0` on a single-CPU machine, where both
/// placements are the same).
pub fn last_cpu() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1))
        .unwrap_or(0)
}

/// Pins the calling thread to `cpu`.
///
/// # Errors
/// [`Error::Pin`] if the operating system refuses (e.g. the CPU is outside the process's
/// allowed set).
pub fn pin_current_thread(cpu: usize) -> Result<(), Error> {
    if core_affinity::set_for_current(core_affinity::CoreId { id: cpu }) {
        Ok(())
    } else {
        Err(Error::Pin { cpu })
    }
}
