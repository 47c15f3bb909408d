//! [`ServerProcess`]: a server under measurement running as a child process (the `s7-mock`
//! binary, or a floor program), as the `rss` and `flood` programs start it.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use crate::Error;

/// A child server that printed `listening on ADDR` as its first stdout line; killed and
/// reaped on drop. The rest of its stdout is drained so it never blocks on a full pipe, and
/// its stderr (a log line per connection) is dropped.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    /// Starts `command` (program and arguments) and waits for its `listening on ADDR` line.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be started or read; [`Error::Unexpected`] when it exits
    /// first or prints something else.
    pub fn start(command: &[String]) -> Result<Self, Error> {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| Error::unexpected("no server command"))?;
        let mut child = Command::new(program)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::io("start server", e))?;
        let stdout = child.stdout.take();
        // From here on the child is killed if anything fails.
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let stdout = stdout.ok_or_else(|| Error::unexpected("server without stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next()
            .ok_or_else(|| Error::unexpected("server exited before listening"))?
            .map_err(|e| Error::io("read server stdout", e))?;
        std::thread::spawn(move || lines.for_each(drop));
        server.addr = first
            .strip_prefix("listening on ")
            .and_then(|a| a.trim().parse().ok())
            .ok_or_else(|| {
                Error::unexpected(format!("expected `listening on ADDR`, got {first:?}"))
            })?;
        Ok(server)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its process id (for `/proc/PID/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A field of `/proc/PID/status` (`"VmRSS:"`, `"Threads:"`): its first number.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Unexpected`] without the field.
pub fn proc_status(pid: u32, field: &str) -> Result<u64, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| Error::io("read /proc/PID/status", e))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|value| value.parse().ok())
        .ok_or_else(|| Error::unexpected(format!("no {field} in /proc/PID/status")))
}
