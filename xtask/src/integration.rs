//! `cargo xtask integration`.

/// Runs the task.
pub(crate) fn run() -> crate::TaskResult {
    Err("integration: not available yet".into())
}
