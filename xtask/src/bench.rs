//! `cargo xtask bench`.

/// Runs the task.
pub(crate) fn run(_peers: bool) -> crate::TaskResult {
    Err("bench: not available yet".into())
}
