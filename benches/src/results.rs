//! Where the bench programs (`scale`, `rss`, `flood`) put their result lines: stdout, and
//! appended to the results file `cargo xtask bench` reads back.

use std::io::Write;
use std::path::Path;

use crate::Error;

/// Appends `lines` to the file at `path` (created if missing); nothing without a path.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or written.
pub fn append_lines(path: Option<&Path>, lines: &[String]) -> Result<(), Error> {
    let Some(path) = path else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io("open results file", e))?;
    for line in lines {
        writeln!(file, "{line}").map_err(|e| Error::io("write results file", e))?;
    }
    Ok(())
}
