//! `cargo xtask integration`: the s7-mock binary as a separate process, driven through
//! `iso-tcp` and the S7comm codec by a scripted scenario, and by iso-tcp's tokio example
//! (`examples/tokio_client.rs`, which checks the answers itself and exits non-zero on an
//! error answer). Every answer is checked; the mock is stopped with SIGTERM and must exit
//! cleanly, and is killed on any failure (no orphan).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cotp::TpduSize;
use iso_tcp::ClientOptions;
use s7_client::Client;
use s7comm::{Area, ItemAddress, ReturnCode, WriteItem};

use crate::process::{cargo, step, target_dir, MockProcess};
use crate::TaskResult;

/// The layout the scenario is written against.
const MOCK_ARGS: [&str; 16] = [
    "--db",
    "1:8192",
    "--db",
    "2:1024",
    "--inputs",
    "512",
    "--outputs",
    "512",
    "--merkers",
    "2048",
    "--timers",
    "128",
    "--counters",
    "128",
    "--pdu-size",
    "480",
];

/// Runs the scenario; the first failing check fails the task.
pub(crate) fn run() -> TaskResult {
    let binary = MockProcess::build()?;
    let example = build_tokio_example()?;
    let mock = MockProcess::start(&binary, &MOCK_ARGS)?;
    let addr = mock.addr();
    let started = Instant::now();
    let mut checks = Checks::default();
    checks.run("connect and negotiate pdu 480", || {
        connect_and_negotiate(addr)
    });
    checks.run("read and write every area", || every_area(addr));
    checks.run("bit write touches one bit", || bit_write(addr));
    checks.run("multi-item read with per-item return codes", || {
        multi_item(addr)
    });
    checks.run("4000-byte read across pdus", || large_read(addr));
    checks.run("segmented traffic with 128-byte tpdus", || segmented(addr));
    checks.run("50 sequential connections", || sequential(addr, 50));
    checks.run("50 parallel connections", || parallel(addr, 50));
    checks.run("cpu stop and start", || stop_start(addr));
    checks.run("tokio example reads MB0..MB3", || {
        tokio_example_passes(&example, addr)
    });
    let stopped = mock.stop();
    checks.record("clean exit on SIGTERM", stopped);
    checks.run("tokio example exits non-zero on an error answer", || {
        tokio_example_fails_on_an_error_answer(&binary, &example)
    });
    println!(
        "{} passed, {} failed ({:.1} s)",
        checks.passed,
        checks.failed,
        started.elapsed().as_secs_f64()
    );
    if checks.failed == 0 {
        Ok(())
    } else {
        Err(format!("{} integration checks failed", checks.failed))
    }
}

#[derive(Default)]
struct Checks {
    passed: usize,
    failed: usize,
}

impl Checks {
    fn run(&mut self, name: &str, check: impl FnOnce() -> TaskResult) {
        self.record(name, check());
    }

    fn record(&mut self, name: &str, outcome: TaskResult) {
        match outcome {
            Ok(()) => {
                self.passed += 1;
                println!("PASS {name}");
            }
            Err(e) => {
                self.failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
}

fn options(addr: SocketAddr) -> ClientOptions {
    ClientOptions::new(addr)
        .read_timeout(Some(Duration::from_secs(10)))
        .write_timeout(Some(Duration::from_secs(10)))
}

fn client(addr: SocketAddr) -> Result<Client, String> {
    Client::connect(options(addr)).map_err(|e| format!("connect: {e}"))
}

fn ensure(ok: bool, what: impl FnOnce() -> String) -> TaskResult {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from((i * 7 + seed) % 251).unwrap_or(0))
        .collect()
}

fn connect_and_negotiate(addr: SocketAddr) -> TaskResult {
    let c = client(addr)?;
    ensure(c.pdu_size() == 480, || {
        format!("negotiated pdu {} (asked 960, mock max 480)", c.pdu_size())
    })?;
    let tpdu = c.connection().tpdu_size();
    ensure(tpdu == 1024, || {
        format!("negotiated tpdu size {tpdu}, asked 1024")
    })?;
    c.close().map_err(|e| format!("close: {e}"))
}

fn every_area(addr: SocketAddr) -> TaskResult {
    let mut c = client(addr)?;
    let cases: [(Area, u16, u32, usize, &str); 6] = [
        (Area::Inputs, 0, 10, 32, "inputs"),
        (Area::Outputs, 0, 20, 32, "outputs"),
        (Area::Flags, 0, 100, 64, "merkers"),
        (Area::DataBlock, 2, 200, 100, "DB2"),
        (Area::Timers, 0, 3, 8, "timers"),
        (Area::Counters, 0, 5, 8, "counters"),
    ];
    for (seed, (area, db, start, count, name)) in cases.into_iter().enumerate() {
        let bytes = if matches!(area, Area::Timers | Area::Counters) {
            count * 2
        } else {
            count
        };
        let data = pattern(bytes, seed);
        c.write_area(area, db, start, &data)
            .map_err(|e| format!("write {name}: {e}"))?;
        let back = c
            .read_area(area, db, start, count)
            .map_err(|e| format!("read {name}: {e}"))?;
        ensure(back == data, || format!("{name}: read back differs"))?;
    }
    Ok(())
}

fn bit_write(addr: SocketAddr) -> TaskResult {
    let mut c = client(addr)?;
    c.write_area(Area::DataBlock, 1, 50, &[0b1010_0101])
        .map_err(|e| format!("write byte: {e}"))?;
    let codes = c
        .write_items(vec![WriteItem::new(
            ItemAddress::bit(Area::DataBlock, 1, 50, 1),
            vec![1],
        )])
        .map_err(|e| format!("write bit: {e}"))?;
    ensure(codes == [ReturnCode::Success], || {
        format!("bit write codes {codes:?}")
    })?;
    let byte = c
        .read_area(Area::DataBlock, 1, 50, 1)
        .map_err(|e| format!("read byte: {e}"))?;
    ensure(byte == [0b1010_0111], || {
        format!("byte after setting bit 1: {byte:02x?}, expected a7")
    })
}

fn multi_item(addr: SocketAddr) -> TaskResult {
    let mut c = client(addr)?;
    c.write_area(Area::DataBlock, 1, 0, b"ABCDE")
        .map_err(|e| format!("write: {e}"))?;
    let items = c
        .read_items(&[
            ItemAddress::bytes(Area::DataBlock, 1, 0, 5),
            ItemAddress::bytes(Area::DataBlock, 99, 0, 2),
            ItemAddress::bytes(Area::DataBlock, 1, 8190, 4),
            ItemAddress::bytes(Area::DataBlock, 1, 1, 3),
        ])
        .map_err(|e| format!("read: {e}"))?;
    let codes: Vec<ReturnCode> = items.iter().map(|i| i.return_code).collect();
    ensure(
        codes
            == [
                ReturnCode::Success,
                ReturnCode::ObjectDoesNotExist,
                ReturnCode::AddressOutOfRange,
                ReturnCode::Success,
            ],
        || format!("return codes {codes:?}"),
    )?;
    ensure(items[0].data == b"ABCDE" && items[3].data == b"BCD", || {
        "item data differs".into()
    })
}

fn large_read(addr: SocketAddr) -> TaskResult {
    let mut c = client(addr)?;
    let data = pattern(4000, 3);
    c.write_area(Area::DataBlock, 1, 1000, &data)
        .map_err(|e| format!("write: {e}"))?;
    let back = c
        .read_area(Area::DataBlock, 1, 1000, 4000)
        .map_err(|e| format!("read: {e}"))?;
    ensure(back == data, || "4000 bytes read back differ".into())
}

fn segmented(addr: SocketAddr) -> TaskResult {
    let mut c = Client::connect(options(addr).tpdu_size(TpduSize::S128))
        .map_err(|e| format!("connect: {e}"))?;
    let tpdu = c.connection().tpdu_size();
    ensure(tpdu == 128, || format!("tpdu size {tpdu}, asked 128"))?;
    // A 400-byte write is a 438-byte request (four DTs); the read answer is segmented too.
    let data = pattern(400, 5);
    c.write_area(Area::DataBlock, 1, 6000, &data)
        .map_err(|e| format!("write: {e}"))?;
    let back = c
        .read_area(Area::DataBlock, 1, 6000, 400)
        .map_err(|e| format!("read: {e}"))?;
    ensure(back == data, || "segmented read back differs".into())
}

fn sequential(addr: SocketAddr, count: usize) -> TaskResult {
    for n in 0..count {
        let mut c = client(addr).map_err(|e| format!("connection {n}: {e}"))?;
        c.read_area(Area::DataBlock, 1, 0, 4)
            .map_err(|e| format!("connection {n}: read: {e}"))?;
        c.close()
            .map_err(|e| format!("connection {n}: close: {e}"))?;
    }
    Ok(())
}

fn parallel(addr: SocketAddr, count: usize) -> TaskResult {
    let workers: Vec<_> = (0..count)
        .map(|n| {
            std::thread::spawn(move || -> TaskResult {
                let mut c = client(addr)?;
                let start = u32::try_from(7000 + n * 8).map_err(|e| e.to_string())?;
                let data = pattern(8, n);
                c.write_area(Area::DataBlock, 1, start, &data)
                    .map_err(|e| format!("write: {e}"))?;
                let back = c
                    .read_area(Area::DataBlock, 1, start, 8)
                    .map_err(|e| format!("read: {e}"))?;
                ensure(back == data, || "read back differs".into())?;
                c.close().map_err(|e| format!("close: {e}"))
            })
        })
        .collect();
    let mut errors = Vec::new();
    for (n, worker) in workers.into_iter().enumerate() {
        match worker.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(format!("connection {n}: {e}")),
            Err(_) => errors.push(format!("connection {n}: thread panicked")),
        }
    }
    ensure(errors.is_empty(), || errors.join("; "))
}

/// The current mode byte of SZL 0x0424: `LENTHDR N_DR` then the record, whose fourth byte is
/// the mode (0x08 RUN).
fn cpu_mode(c: &mut Client) -> Result<u8, String> {
    let szl = c
        .read_szl(0x0424, 0)
        .map_err(|e| format!("read szl 0x0424: {e}"))?;
    szl.get(7)
        .copied()
        .ok_or_else(|| format!("szl 0x0424 answer of {} bytes", szl.len()))
}

fn stop_start(addr: SocketAddr) -> TaskResult {
    const RUN: u8 = 0x08;
    let mut c = client(addr)?;
    let mode = cpu_mode(&mut c)?;
    ensure(mode == RUN, || {
        format!("mode 0x{mode:02x} before stop, expected RUN")
    })?;
    c.plc_stop().map_err(|e| format!("plc stop: {e}"))?;
    let mode = cpu_mode(&mut c)?;
    ensure(mode != RUN, || "still RUN after plc stop".into())?;
    c.plc_hot_start().map_err(|e| format!("hot start: {e}"))?;
    let mode = cpu_mode(&mut c)?;
    ensure(mode == RUN, || {
        format!("mode 0x{mode:02x} after start, expected RUN")
    })
}

/// Builds iso-tcp's tokio example (release) and returns its path.
fn build_tokio_example() -> Result<PathBuf, String> {
    step(
        "build the iso-tcp tokio example (release)",
        cargo().args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "iso-tcp",
            "--features",
            "tokio",
            "--example",
            "tokio_client",
        ]),
    )?;
    Ok(target_dir()
        .join("release")
        .join("examples")
        .join("tokio_client"))
}

/// Runs the example against `addr`; its exit status and what it printed.
fn run_tokio_example(example: &Path, addr: SocketAddr) -> Result<(bool, String), String> {
    let output = Command::new(example)
        .arg(addr.to_string())
        .env("RUST_LOG", "warn")
        .output()
        .map_err(|e| format!("could not start {}: {e}", example.display()))?;
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), printed))
}

/// The example's two requests are answered without error and its read brings 4 bytes.
fn tokio_example_passes(example: &Path, addr: SocketAddr) -> TaskResult {
    let (success, printed) = run_tokio_example(example, addr)?;
    ensure(success, || format!("exited with an error: {printed}"))?;
    ensure(printed.contains("MB0..MB3 = "), || {
        format!("no read answer printed: {printed}")
    })
}

/// Against a mock whose merker area ends after MB1, the read of MB0..MB3 is answered with
/// an item error, which the example must report with a non-zero exit.
fn tokio_example_fails_on_an_error_answer(mock: &Path, example: &Path) -> TaskResult {
    let short = MockProcess::start(mock, &["--merkers", "2"])?;
    let (success, printed) = run_tokio_example(example, short.addr())?;
    short.stop()?;
    ensure(!success, || {
        format!("exited 0 on an out-of-range read: {printed}")
    })?;
    ensure(printed.contains("item return code 0x05"), || {
        format!("the error does not name the item's return code: {printed}")
    })
}
