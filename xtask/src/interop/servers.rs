//! Our client (`s7-client`) against two third-party S7 servers installed from PyPI:
//! python-snap7 3.3.0's pure-Python `snap7.server.Server`, and the snap7 C server bundled in
//! the python-snap7 2.0.2 wheel (the same class, over ctypes). `xtask/interop/server.py`
//! starts either on a free loopback port with DB1 (8192 bytes), DB2 (256), 256 bytes each of
//! inputs, outputs and merkers, 64 timers and 64 counters.
//!
//! Each check prints `PASS`, `FAIL` or `GAP` (a known gap of that server, listed with its
//! reason in [`KNOWN_GAPS`]). A known gap that passes prints `XPASS`: drop it from the list.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use iso_tcp::TpduSize;
use s7_client::{Client, ConnectionType, CpuState, ReadRequest, ReadResult, WriteRequest};
use s7comm::{Area, ReturnCode, S7DateTime};

/// One third-party server.
pub(crate) struct RealServer {
    /// Short name used in the output and in [`KNOWN_GAPS`].
    pub(crate) name: &'static str,
    /// The venv's python.
    pub(crate) python: PathBuf,
}

/// Checks a server is known to fail, and why. Keyed by server name and check name.
pub(crate) const KNOWN_GAPS: &[(&str, &str, &str)] = &[
    (
        PY_SERVER,
        "szl 0x0424 cpu state",
        "python-snap7 3.3.0's server serves SZL 0x0000, 0x0011, 0x001C, 0x0131 and 0x0232 only; 0x0424 is answered with error 0x81",
    ),
    (
        PY_SERVER,
        "multi-item write",
        "python-snap7 3.3.0's server writes only the first item of a write var request and answers one return code",
    ),
    (
        C_SERVER,
        "tpdu 128: segmented write",
        "snap7's C server keeps the data of the first two DT fragments of a segmented request only (the bytes after 222 of 900 stay zero) yet answers success; reproduced with a raw-socket client",
    ),
    (
        C_SERVER,
        "tpdu 128: multi-item read, request in 3 dts",
        "snap7's C server reassembles only the first two DT fragments of a segmented request (see the segmented write): the third DT of this 252-byte request carries the last 2 bytes of item 19's address, and item 19 is answered address out of range; a multi-item read in two DTs is answered right",
    ),
    (
        PY_SERVER,
        "plc stop and start change the cpu state",
        "python-snap7 3.3.0's server has no SZL 0x0424 to read the state back",
    ),
];

/// Name of the pure-Python server.
pub(crate) const PY_SERVER: &str = "python-snap7 3.3.0";
/// Name of the snap7 C server.
pub(crate) const C_SERVER: &str = "snap7 C (python-snap7 2.0.2)";

/// Outcome counts.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Outcome {
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) gaps: usize,
    pub(crate) unexpected_passes: usize,
}

type Check = Result<String, String>;

const TIMEOUT: Duration = Duration::from_secs(5);

fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from((i * 31 + seed * 7) % 251).unwrap_or(0))
        .collect()
}

fn builder(addr: SocketAddr) -> s7_client::ClientBuilder {
    Client::builder(addr)
        .rack_slot(0, 1)
        .connection_type(ConnectionType::Pg)
        .read_timeout(Some(TIMEOUT))
        .write_timeout(Some(TIMEOUT))
        .connect_timeout(TIMEOUT)
}

fn connect(addr: SocketAddr) -> Result<Client, String> {
    builder(addr).connect().map_err(|e| format!("connect: {e}"))
}

fn expect_eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want:?}, got {got:?}"))
    }
}

/// Compares byte strings, reporting where they differ rather than both in full.
fn expect_bytes(what: &str, got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        return Ok(());
    }
    let first = got.iter().zip(want).position(|(a, b)| a != b);
    let wrong = got.iter().zip(want).filter(|(a, b)| a != b).count();
    Err(format!(
        "{what}: {} bytes where {} expected; first difference at byte {first:?}, {wrong} bytes differ",
        got.len(),
        want.len()
    ))
}

/// Checks the results of a multi-item read whose item `i` asked for `len` bytes of `data`
/// starting at `i * stride`.
fn expect_items(
    results: &[ReadResult],
    data: &[u8],
    stride: usize,
    len: usize,
) -> Result<(), String> {
    for (i, result) in results.iter().enumerate() {
        let start = i * stride;
        let want = data.get(start..start + len).unwrap_or_default();
        match result {
            Ok(got) => expect_bytes(&format!("item {i}"), got, want)?,
            Err(code) => return Err(format!("item {i}: return code {code:?}")),
        }
    }
    Ok(())
}

/// Runs every check against `server`, listening at `addr`.
fn checks(addr: SocketAddr) -> Vec<(&'static str, Check)> {
    let mut out: Vec<(&'static str, Check)> = Vec::new();
    let mut client = match connect(addr) {
        Ok(c) => c,
        Err(e) => {
            out.push(("connect by rack 0 slot 1 and negotiate", Err(e)));
            return out;
        }
    };
    out.push((
        "connect by rack 0 slot 1 and negotiate",
        Ok(format!(
            "pdu {} bytes, amq calling {} called {}",
            client.pdu_size(),
            client.max_amq_calling(),
            client.max_amq_called()
        )),
    ));

    out.push(("write and read every area", every_area(&mut client)));
    out.push(("4000-byte db read over several pdus", big_read(&mut client)));
    out.push((
        "parallel jobs asked: split and packed reads and writes",
        parallel_jobs(addr),
    ));
    out.push((
        "multi-item read with a missing db",
        multi_read_missing_db(&mut client),
    ));
    out.push(("multi-item write", multi_write(&mut client)));
    out.push((
        "tpdu 128: read answered in one large dt",
        tpdu_128_read(addr, &mut client),
    ));
    out.push((
        "tpdu 128: multi-item read, request in 2 dts",
        tpdu_128_segmented_read(addr, &mut client, 10),
    ));
    out.push((
        "tpdu 128: multi-item read, request in 3 dts",
        tpdu_128_segmented_read(addr, &mut client, 20),
    ));
    out.push((
        "tpdu 128: segmented write",
        tpdu_128_write(addr, &mut client),
    ));
    out.push(("szl 0x0011 order code", order_code(&mut client)));
    out.push(("szl 0x0424 cpu state", cpu_state(&mut client)));
    out.push(("szl 0x001c cpu info", cpu_info(&mut client)));
    out.push(("clock read and set", clock(&mut client)));
    out.push((
        "plc stop, hot start and cold start acknowledged",
        control(&mut client),
    ));
    out.push((
        "plc stop and start change the cpu state",
        control_state(&mut client),
    ));
    out.push((
        "connection alive, then close",
        match client.is_alive() {
            true => client
                .close()
                .map(|()| "alive before close".to_string())
                .map_err(|e| format!("close: {e}")),
            false => Err("is_alive is false on an open connection".into()),
        },
    ));
    out.push(("50 sequential connections", sequential(addr, 50)));
    out
}

fn every_area(client: &mut Client) -> Check {
    let cases: [(Area, u16, u32, usize); 6] = [
        (Area::DataBlock, 2, 10, 100),
        (Area::Inputs, 0, 3, 20),
        (Area::Outputs, 0, 5, 20),
        (Area::Flags, 0, 7, 64),
        (Area::Timers, 0, 4, 8),
        (Area::Counters, 0, 6, 8),
    ];
    for (seed, (area, db, start, len)) in cases.into_iter().enumerate() {
        let data = pattern(len, seed + 1);
        client
            .write_area(area, db, start, &data)
            .map_err(|e| format!("write {area:?}: {e}"))?;
        let count = match area {
            Area::Timers | Area::Counters => len / 2,
            _ => len,
        };
        let back = client
            .read_area(area, db, start, count)
            .map_err(|e| format!("read {area:?}: {e}"))?;
        expect_bytes(&format!("{area:?} read back"), &back, &data)?;
    }
    Ok("DB, PE, PA, MK, TM, CT".into())
}

fn big_read(client: &mut Client) -> Check {
    let data = pattern(4000, 9);
    client
        .write_area(Area::DataBlock, 1, 0, &data)
        .map_err(|e| format!("write: {e}"))?;
    let back = client
        .read_area(Area::DataBlock, 1, 0, 4000)
        .map_err(|e| format!("read: {e}"))?;
    expect_bytes("DB1.0..4000", &back, &data)?;
    Ok(format!("pdu {}", client.pdu_size()))
}

fn multi_read_missing_db(client: &mut Client) -> Check {
    let db1 = pattern(16, 3);
    client
        .write_area(Area::DataBlock, 1, 100, &db1)
        .map_err(|e| format!("write: {e}"))?;
    let results = client
        .read_many(&[
            ReadRequest::db(1, 100, 16),
            ReadRequest::db(99, 0, 8),
            ReadRequest::db(2, 10, 5),
            ReadRequest::db(1, 100, 3),
        ])
        .map_err(|e| format!("read_many: {e}"))?;
    expect_eq("item 0", results.first().cloned(), Some(Ok(db1.clone())))?;
    expect_eq(
        "item 1 (DB99)",
        results.get(1).cloned(),
        Some(Err(ReturnCode::ObjectDoesNotExist)),
    )?;
    expect_eq(
        "item 2 length",
        results.get(2).and_then(|r| r.as_ref().ok()).map(Vec::len),
        Some(5),
    )?;
    expect_eq(
        "item 3",
        results.get(3).cloned(),
        Some(Ok(db1.get(..3).unwrap_or_default().to_vec())),
    )?;
    Ok("ok, object does not exist (0x0a), ok, ok".into())
}

fn multi_write(client: &mut Client) -> Check {
    let a = pattern(10, 4);
    let b = pattern(7, 5);
    let results = client
        .write_many(&[
            WriteRequest::db(1, 200, &a),
            WriteRequest::bytes(Area::Flags, 0, 100, &b),
        ])
        .map_err(|e| format!("write_many: {e}"))?;
    expect_eq("results", results, vec![Ok(()), Ok(())])?;
    let back = client
        .read_many(&[
            ReadRequest::db(1, 200, 10),
            ReadRequest::bytes(Area::Flags, 0, 100, 7),
        ])
        .map_err(|e| format!("read back: {e}"))?;
    expect_eq("read back", back, vec![Ok(a), Ok(b)])?;
    Ok("2 items in one request, read back".into())
}

/// A connection asking for 128-byte TPDUs: requests go out in several DTs; both servers
/// answer in one DT larger than the TPDU size, which iso-tcp takes up to its frame limit.
fn tpdu_128_client(addr: SocketAddr) -> Result<Client, String> {
    builder(addr)
        .tpdu_size(TpduSize::S128)
        .connect()
        .map_err(|e| format!("connect: {e}"))
}

fn tpdu_128_read(addr: SocketAddr, plain: &mut Client) -> Check {
    let data = pattern(900, 6);
    plain
        .write_area(Area::DataBlock, 1, 1000, &data)
        .map_err(|e| format!("write (tpdu 1024): {e}"))?;
    let mut client = tpdu_128_client(addr)?;
    let tpdu = client.connection().tpdu_size();
    let back = client
        .read_area(Area::DataBlock, 1, 1000, 900)
        .map_err(|e| format!("read: {e}"))?;
    expect_bytes("DB1.1000..1900", &back, &data)?;
    client.close().map_err(|e| format!("close: {e}"))?;
    Ok(format!("tpdu {tpdu}, 900 bytes read"))
}

/// A read of `items` items of 8 bytes on a 128-byte TPDU connection: the request (12 bytes
/// of header and function, 12 of address per item) is longer than the 125 bytes one DT
/// carries, so it goes out in several DTs and the server must reassemble it.
fn tpdu_128_segmented_read(addr: SocketAddr, plain: &mut Client, items: u32) -> Check {
    let data = pattern(1000, 10);
    plain
        .write_area(Area::DataBlock, 1, 3000, &data)
        .map_err(|e| format!("write (tpdu 1024): {e}"))?;
    let mut client = tpdu_128_client(addr)?;
    let room = client.connection().tpdu_size().saturating_sub(3);
    let request_len = 12 + 12 * usize::try_from(items).unwrap_or(0);
    if request_len <= room {
        return Err(format!(
            "the request of {request_len} bytes fits one dt of {room}: nothing to segment"
        ));
    }
    let requests: Vec<ReadRequest> = (0..items)
        .map(|i| ReadRequest::db(1, 3000 + i * 40, 8))
        .collect();
    let results = client
        .read_many(&requests)
        .map_err(|e| format!("read_many: {e}"))?;
    expect_items(&results, &data, 40, 8)?;
    client.close().map_err(|e| format!("close: {e}"))?;
    Ok(format!(
        "{items} items, a {request_len}-byte request in {} dts of at most {room} bytes",
        request_len.div_ceil(room)
    ))
}

/// Asks for 8 parallel jobs and runs calls that take several PDUs: a split read and write,
/// and a multi-item read packed into several PDUs. With more than one job granted the
/// requests are pipelined; with one, sent one at a time.
fn parallel_jobs(addr: SocketAddr) -> Check {
    let mut client = builder(addr)
        .parallel_jobs(8)
        .connect()
        .map_err(|e| format!("connect: {e}"))?;
    let granted = format!(
        "amq calling {} called {} granted, {} in flight",
        client.max_amq_calling(),
        client.max_amq_called(),
        client.jobs_in_flight()
    );
    let data = pattern(3000, 11);
    client
        .write_area(Area::DataBlock, 1, 5000, &data)
        .map_err(|e| format!("write ({granted}): {e}"))?;
    let back = client
        .read_area(Area::DataBlock, 1, 5000, 3000)
        .map_err(|e| format!("read ({granted}): {e}"))?;
    expect_bytes("DB1.5000..8000", &back, &data)?;
    let requests: Vec<ReadRequest> = (0..12u32)
        .map(|i| ReadRequest::db(1, 5000 + i * 250, 200))
        .collect();
    let results = client
        .read_many(&requests)
        .map_err(|e| format!("read_many ({granted}): {e}"))?;
    expect_items(&results, &data, 250, 200)?;
    client.close().map_err(|e| format!("close: {e}"))?;
    Ok(granted)
}

fn tpdu_128_write(addr: SocketAddr, plain: &mut Client) -> Check {
    let data = pattern(900, 8);
    let mut client = tpdu_128_client(addr)?;
    let tpdu = client.connection().tpdu_size();
    client
        .write_area(Area::DataBlock, 1, 2000, &data)
        .map_err(|e| format!("write: {e}"))?;
    client.close().map_err(|e| format!("close: {e}"))?;
    let back = plain
        .read_area(Area::DataBlock, 1, 2000, 900)
        .map_err(|e| format!("read back (tpdu 1024): {e}"))?;
    expect_bytes("DB1.2000..2900 read back", &back, &data)?;
    Ok(format!(
        "tpdu {tpdu}, 900 bytes written in segmented requests"
    ))
}

fn order_code(client: &mut Client) -> Check {
    let code = client.order_code().map_err(|e| e.to_string())?;
    if !code.code.starts_with("6ES7") {
        return Err(format!("order code {:?}", code.code));
    }
    Ok(format!(
        "{} V{}.{}.{}",
        code.code, code.version.0, code.version.1, code.version.2
    ))
}

fn cpu_state(client: &mut Client) -> Check {
    let state = client.cpu_state().map_err(|e| e.to_string())?;
    match state {
        CpuState::Run | CpuState::Stop => Ok(format!("{state:?}")),
        other => Err(format!("unexpected state {other:?}")),
    }
}

fn cpu_info(client: &mut Client) -> Check {
    let info = client.cpu_info().map_err(|e| e.to_string())?;
    if info.module_type.is_empty() && info.as_name.is_empty() {
        return Err(format!("empty identification: {info:?}"));
    }
    Ok(format!(
        "{:?}, {:?}, serial {:?}",
        info.module_type, info.as_name, info.serial_number
    ))
}

fn clock(client: &mut Client) -> Check {
    let before = client
        .read_clock()
        .map_err(|e| format!("read clock: {e}"))?;
    let time = S7DateTime {
        year: 2024,
        month: 2,
        day: 29,
        hour: 13,
        minute: 14,
        second: 15,
        millisecond: 160,
        weekday: 5,
    };
    client
        .set_clock(&time)
        .map_err(|e| format!("set clock: {e}"))?;
    let after = client
        .read_clock()
        .map_err(|e| format!("read clock after set: {e}"))?;
    let kept = if after.year == 2024 && after.month == 2 && after.day == 29 {
        "kept"
    } else {
        "not kept (the server answers its system time)"
    };
    Ok(format!(
        "read {:04}-{:02}-{:02}, set accepted, {kept}",
        before.year, before.month, before.day
    ))
}

fn control(client: &mut Client) -> Check {
    client.plc_stop().map_err(|e| format!("stop: {e}"))?;
    client
        .plc_hot_start()
        .map_err(|e| format!("hot start: {e}"))?;
    client.plc_stop().map_err(|e| format!("stop: {e}"))?;
    client
        .plc_cold_start()
        .map_err(|e| format!("cold start: {e}"))?;
    Ok("stop, hot start, stop, cold start".into())
}

fn control_state(client: &mut Client) -> Check {
    client.plc_stop().map_err(|e| format!("stop: {e}"))?;
    let stopped = client.cpu_state().map_err(|e| format!("state: {e}"))?;
    client
        .plc_hot_start()
        .map_err(|e| format!("hot start: {e}"))?;
    let running = client.cpu_state().map_err(|e| format!("state: {e}"))?;
    expect_eq(
        "after stop, start",
        (stopped, running),
        (CpuState::Stop, CpuState::Run),
    )?;
    Ok("STOP after stop, RUN after hot start".into())
}

fn sequential(addr: SocketAddr, n: usize) -> Check {
    let started = Instant::now();
    for i in 0..n {
        let mut client = connect(addr).map_err(|e| format!("connection {i}: {e}"))?;
        client
            .read_area(Area::DataBlock, 1, 0, 4)
            .map_err(|e| format!("connection {i}: read: {e}"))?;
        client
            .close()
            .map_err(|e| format!("connection {i}: close: {e}"))?;
    }
    Ok(format!("{n} in {:?}", started.elapsed()))
}

/// A server started by `server.py`, killed on drop.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start(python: &Path, launcher: &Path) -> Result<Self, String> {
        let mut child = Command::new(python)
            .arg(launcher)
            .arg("0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", python.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("server.py: no stdout pipe".into());
        };
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines {}
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Some(Ok(line))) => line,
            Ok(_) => return Err("server.py exited before its ready line".into()),
            Err(_) => return Err("server.py printed nothing within 30 s".into()),
        };
        let addr = line
            .strip_prefix("listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .ok_or_else(|| format!("server.py: expected `listening on ADDR`, got {line:?}"))?;
        server.addr = addr
            .parse()
            .map_err(|e| format!("server.py: bad address in {line:?}: {e}"))?;
        Ok(server)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..40 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn known_gap(server: &str, check: &str) -> Option<&'static str> {
    KNOWN_GAPS
        .iter()
        .find(|(s, c, _)| *s == server && *c == check)
        .map(|(_, _, reason)| *reason)
}

/// Runs the scenario against each server; prints one line per check per server.
pub(crate) fn run(servers: &[RealServer], launcher: &Path) -> Outcome {
    let mut outcome = Outcome::default();
    for server in servers {
        println!("==> s7-client against {}", server.name);
        let started = Instant::now();
        let process = match ServerProcess::start(&server.python, launcher) {
            Ok(p) => p,
            Err(e) => {
                println!("FAIL [{}] start the server: {e}", server.name);
                outcome.failed += 1;
                continue;
            }
        };
        for (check, result) in checks(process.addr) {
            match (result, known_gap(server.name, check)) {
                (Ok(detail), None) => {
                    outcome.passed += 1;
                    println!("PASS [{}] {check}: {detail}", server.name);
                }
                (Ok(detail), Some(reason)) => {
                    outcome.passed += 1;
                    outcome.unexpected_passes += 1;
                    println!(
                        "XPASS [{}] {check}: {detail} (listed as a known gap: {reason}; drop it from KNOWN_GAPS)",
                        server.name
                    );
                }
                (Err(error), Some(reason)) => {
                    outcome.gaps += 1;
                    println!("GAP [{}] {check}: {reason} (saw: {error})", server.name);
                }
                (Err(error), None) => {
                    outcome.failed += 1;
                    println!("FAIL [{}] {check}: {error}", server.name);
                }
            }
        }
        drop(process);
        println!("    ({} in {:?})", server.name, started.elapsed());
    }
    outcome
}
