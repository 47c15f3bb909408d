//! `cargo xtask interop`.

/// Runs the task.
pub(crate) fn run() -> crate::TaskResult {
    Err("interop: not available yet".into())
}
