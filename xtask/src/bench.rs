//! `cargo xtask bench`: runs the benches, each against a floor measured in the same run, and
//! regenerates `docs/performance.md` from the ratios.
//!
//! Steps (each is also runnable by hand, see docs/performance.md):
//! 1. `cargo test --release -p benches --test allocations`: heap allocations per frame.
//! 2. `cargo bench -p benches --bench wire` and `--bench loopback` (criterion); the medians
//!    are read back from `target/criterion/**/new/estimates.json`.
//! 3. `scale`: aggregate reads/s with 1..1000 clients; `rss`: memory per idle connection of
//!    the `s7-mock` binary and of a raw thread-per-connection server.
//! 4. `instr` under `valgrind --tool=callgrind` for two read counts: instructions per read.
//! 5. With `--peers`: python-snap7 3.3.0 against the mock and against snap7's own server.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::process::{cargo, have, step, target_dir, workspace_root, MockProcess};
use crate::TaskResult;

/// Read counts of the two callgrind runs whose difference gives the per-read slope.
const CALLGRIND_READS: [u64; 2] = [2_000, 8_000];

/// Silent connections of the flood scenario.
const FLOOD_CONNECTIONS: usize = 12_000;

/// The mock binary's default `--max-pending-handshakes`, and the most workers it keeps parked:
/// the flood goal allows that many threads and a few more.
const FLOOD_THREAD_ALLOWANCE: u64 = 256 + 64 + 8;

/// Seconds each python-snap7 workload runs for.
const PEER_SECONDS: &str = "3";

/// Runs every bench and writes docs/performance.md.
pub(crate) fn run(peers: bool) -> TaskResult {
    let root = workspace_root();
    let target = target_dir();
    let results = target.join("bench-results");
    let _ = std::fs::remove_dir_all(&results);
    std::fs::create_dir_all(&results).map_err(|e| format!("create {}: {e}", results.display()))?;
    let load_before = load_average();

    step(
        "build the benches",
        cargo().args(["bench", "-p", "benches", "--no-run", "--quiet"]),
    )?;
    step(
        "build the bench programs",
        cargo().args(["build", "--release", "--quiet", "-p", "benches", "--bins"]),
    )?;
    let mock_binary = MockProcess::build()?;
    let release = target.join("release");

    let allocations = allocation_counts()?;
    step(
        "criterion: wire",
        cargo().args(["bench", "-p", "benches", "--bench", "wire"]),
    )?;
    step(
        "criterion: loopback",
        cargo().args(["bench", "-p", "benches", "--bench", "loopback"]),
    )?;
    step(
        "criterion: tokio",
        cargo().args(["bench", "-p", "benches", "--bench", "tokio"]),
    )?;
    // Before the scale step: its two thousand busy threads drive the load average up by
    // themselves.
    let load_during = load_average();
    let scale_file = results.join("scale.txt");
    step(
        "scale: 1..1000 concurrent clients",
        Command::new(release.join("scale"))
            .arg("--out")
            .arg(&scale_file),
    )?;
    let rss_file = results.join("rss.txt");
    step(
        "memory per idle connection: s7-mock binary",
        Command::new(release.join("rss"))
            .args([
                "--connections",
                "1000",
                "--protocol",
                "s7",
                "--label",
                "stack",
            ])
            .arg("--out")
            .arg(&rss_file)
            .arg("--")
            .arg(&mock_binary)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--db",
                "1:8192",
                "--max-connections",
                "2000",
            ]),
    )?;
    step(
        "memory per idle connection: raw floor",
        Command::new(release.join("rss"))
            .args([
                "--connections",
                "1000",
                "--protocol",
                "raw",
                "--label",
                "floor",
            ])
            .arg("--out")
            .arg(&rss_file)
            .arg("--")
            .arg(release.join("instr"))
            .arg("serve-raw"),
    )?;
    let flood_file = results.join("flood.txt");
    step(
        "flood: 12,000 silent connections against the s7-mock binary, a client probing",
        Command::new(release.join("flood"))
            .args(["--connections", &FLOOD_CONNECTIONS.to_string()])
            .arg("--out")
            .arg(&flood_file)
            .arg("--")
            .arg(&mock_binary)
            .args(["--listen", "127.0.0.1:0", "--db", "1:8192"]),
    )?;
    let instructions = if have("valgrind", &["--version"]) {
        Some(callgrind_all(&release.join("instr"), &results)?)
    } else {
        println!("SKIP instruction counts: valgrind is not installed (apt-get install valgrind)");
        None
    };
    let peer_lines = if peers {
        Some(peer_comparison(&root, &mock_binary)?)
    } else {
        None
    };

    let criterion = target.join("criterion");
    let report = Report {
        allocations,
        criterion: &criterion,
        scale: parse_lines(&read(&scale_file)?, "scale"),
        rss: parse_lines(&read(&rss_file)?, "rss"),
        flood: parse_lines(&read(&flood_file)?, "flood"),
        instructions,
        peers: peer_lines,
        load: (load_before, load_during),
        peers_requested: peers,
    };
    let markdown = report.render()?;
    let doc = root.join("docs").join("performance.md");
    std::fs::write(&doc, markdown).map_err(|e| format!("write {}: {e}", doc.display()))?;
    println!("==> wrote {}", doc.display());
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))
}

/// The 1-minute load average, as `uptime` shows it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// Lines `PREFIX field...` of a results file, split into fields (prefix dropped). The prefix
/// may follow other text on the line: the test harness prints `test NAME ... ` before a test's
/// own output.
fn parse_lines(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let marker = format!("{prefix} ");
    text.lines()
        .filter_map(|line| {
            let at = line.find(&marker)?;
            let fields = line.get(at.saturating_add(marker.len())..)?;
            Some(fields.split_whitespace().map(str::to_owned).collect())
        })
        .collect()
}

/// Runs the allocation test (which asserts zero) and returns case -> (allocations, frames).
fn allocation_counts() -> Result<BTreeMap<String, (u64, u64)>, String> {
    println!("==> allocations per frame (cargo test --release -p benches --test allocations)");
    let output = cargo()
        .args([
            "test",
            "--release",
            "--quiet",
            "-p",
            "benches",
            "--test",
            "allocations",
            "--",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("allocation test: could not start: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    if !output.status.success() {
        return Err(format!("allocation test failed ({})", output.status));
    }
    let mut counts = BTreeMap::new();
    for fields in parse_lines(&stdout, "allocations") {
        if let [case, allocations, frames] = fields.as_slice() {
            let parse = |s: &String| s.parse::<u64>().map_err(|e| format!("{s:?}: {e}"));
            counts.insert(case.clone(), (parse(allocations)?, parse(frames)?));
        }
    }
    Ok(counts)
}

/// A child process whose first stdout line is `listening on ADDR`; killed on drop.
struct Listening {
    child: Child,
    addr: String,
}

impl Listening {
    fn start(command: &mut Command) -> Result<Self, String> {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {command:?}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines {}
        });
        let mut started = Listening {
            child,
            addr: String::new(),
        };
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(Ok(line))) => line,
            _ => return Err(format!("{command:?} did not print `listening on ADDR`")),
        };
        started.addr = line
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("expected `listening on ADDR`, got {line:?}"))?
            .trim()
            .to_owned();
        Ok(started)
    }

    /// Waits for the process to exit by itself (servers that serve one connection).
    fn finish(mut self) -> TaskResult {
        for _ in 0..600 {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("server exited with {status}")),
                Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => return Err(format!("wait: {e}")),
            }
        }
        Err("server did not exit within 60 s of its client".into())
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Which end runs under callgrind, and the programs of both ends.
struct CallgrindCase {
    name: &'static str,
    server: &'static str,
    client: &'static str,
    measure_server: bool,
}

const CALLGRIND_CASES: [CallgrindCase; 5] = [
    CallgrindCase {
        name: "server-stack",
        server: "serve-mock",
        client: "client-mock",
        measure_server: true,
    },
    CallgrindCase {
        name: "server-floor",
        server: "serve-echo",
        client: "client-ping",
        measure_server: true,
    },
    CallgrindCase {
        name: "client-stack",
        server: "serve-mock",
        client: "client-mock",
        measure_server: false,
    },
    CallgrindCase {
        name: "client-lean",
        server: "serve-mock",
        client: "client-lean",
        measure_server: false,
    },
    CallgrindCase {
        name: "client-floor",
        server: "serve-echo",
        client: "client-ping",
        measure_server: false,
    },
];

fn valgrind(out_file: &Path) -> Command {
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()));
    command
}

/// User-space instructions per read of every case: the slope between two read counts.
fn callgrind_all(instr: &Path, results: &Path) -> Result<BTreeMap<String, f64>, String> {
    let mut slopes = BTreeMap::new();
    for case in &CALLGRIND_CASES {
        let mut totals = Vec::new();
        for reads in CALLGRIND_READS {
            let out = results.join(format!("callgrind.{}.{reads}.out", case.name));
            println!("==> callgrind {}: {reads} reads", case.name);
            let mut server_command = if case.measure_server {
                let mut command = valgrind(&out);
                command.arg(instr);
                command
            } else {
                Command::new(instr)
            };
            server_command.arg(case.server);
            let server = Listening::start(&mut server_command)?;
            let mut client_command = if case.measure_server {
                Command::new(instr)
            } else {
                let mut command = valgrind(&out);
                command.arg(instr);
                command
            };
            let status = client_command
                .args([case.client, &server.addr, &reads.to_string()])
                .stderr(Stdio::null())
                .status()
                .map_err(|e| format!("callgrind {}: {e}", case.name))?;
            if !status.success() {
                return Err(format!(
                    "callgrind {}: client exited with {status}",
                    case.name
                ));
            }
            server.finish()?;
            totals.push(callgrind_total(&out)?);
        }
        if let [first, second] = totals.as_slice() {
            let [n1, n2] = CALLGRIND_READS;
            let slope = (to_f64(*second) - to_f64(*first)) / (to_f64(n2) - to_f64(n1));
            println!("    {}: {slope:.0} instructions per read", case.name);
            slopes.insert(case.name.to_owned(), slope);
        }
    }
    Ok(slopes)
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^53
fn to_f64(n: u64) -> f64 {
    n as f64
}

/// The `summary:` (or `totals:`) line of a callgrind output file.
fn callgrind_total(file: &Path) -> Result<u64, String> {
    let text = read(file)?;
    text.lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no summary line in {}", file.display()))
}

/// python-snap7 against the mock binary and against snap7's own server.
fn peer_comparison(root: &Path, mock_binary: &Path) -> Result<Vec<Vec<String>>, String> {
    let python = crate::interop::ensure_venv(root)?;
    let mock = MockProcess::start(mock_binary, &["--db", "1:8192"])?;
    let script = root.join("xtask").join("bench").join("peers.py");
    println!("==> python-snap7 against the mock and against snap7.server");
    let output = Command::new(&python)
        .arg(&script)
        .arg(mock.addr().ip().to_string())
        .arg(mock.addr().port().to_string())
        .arg(PEER_SECONDS)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("peers.py: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    mock.stop()?;
    if !output.status.success() {
        return Err(format!("peers.py failed ({})", output.status));
    }
    Ok(parse_lines(&stdout, "peers"))
}

/// Reads and parses one of criterion's JSON files.
fn read_json(file: &Path) -> Result<serde_json::Value, String> {
    let text = read(file)?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// Median time of one criterion bench iteration, in nanoseconds.
fn criterion_median(criterion: &Path, group: &str, function: &str) -> Result<f64, String> {
    let file = criterion
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    read_json(&file)?
        .pointer("/median/point_estimate")
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| format!("no median in {}", file.display()))
}

/// Elements per iteration a criterion bench declared as its throughput (1 if none).
fn criterion_elements(criterion: &Path, group: &str, function: &str) -> f64 {
    let file = criterion
        .join(group)
        .join(function)
        .join("new")
        .join("benchmark.json");
    read_json(&file)
        .ok()
        .and_then(|json| json.pointer("/throughput/Elements")?.as_f64())
        .unwrap_or(1.0)
}

/// Whether a goal holds.
#[derive(Clone, Copy)]
enum Verdict {
    Met,
    Missed,
    Reported,
}

impl Verdict {
    fn of(met: bool) -> Self {
        if met {
            Verdict::Met
        } else {
            Verdict::Missed
        }
    }

    fn text(self) -> &'static str {
        match self {
            Verdict::Met => "**met**",
            Verdict::Missed => "**missed**",
            Verdict::Reported => "reported",
        }
    }
}

/// One table row.
struct Row {
    figure: String,
    value: String,
    floor: String,
    ratio: String,
    goal: String,
    verdict: Verdict,
}

struct Report<'a> {
    allocations: BTreeMap<String, (u64, u64)>,
    criterion: &'a Path,
    scale: Vec<Vec<String>>,
    rss: Vec<Vec<String>>,
    flood: Vec<Vec<String>>,
    instructions: Option<BTreeMap<String, f64>>,
    peers: Option<Vec<Vec<String>>>,
    load: (String, String),
    peers_requested: bool,
}

fn ns(value: f64) -> String {
    if value >= 10_000.0 {
        format!("{:.1} µs", value / 1_000.0)
    } else if value >= 100.0 {
        format!("{value:.0} ns")
    } else {
        format!("{value:.1} ns")
    }
}

fn per_second(ns_per_op: f64) -> String {
    rate(1e9 / ns_per_op)
}

fn rate(per_s: f64) -> String {
    if per_s >= 1_000.0 {
        format!("{:.1}k/s", per_s / 1_000.0)
    } else {
        format!("{per_s:.0}/s")
    }
}

impl Report<'_> {
    fn median(&self, group: &str, function: &str) -> Result<f64, String> {
        criterion_median(self.criterion, group, function)
    }

    fn wire_rows(&self, rows: &mut Vec<Row>) -> TaskResult {
        let frames = criterion_elements(self.criterion, "decode", "floor");
        let floor = self.median("decode", "floor")? / frames;
        for (function, label) in [
            ("view", "1a decode, zero-copy view (Packet + Data::parse)"),
            (
                "slices",
                "1a decode, slices (decode_frame + parse_data_header)",
            ),
        ] {
            let value = self.median("decode", function)? / frames;
            let ratio = value / floor;
            rows.push(Row {
                figure: format!("{label}, per frame"),
                value: ns(value),
                floor: ns(floor),
                ratio: format!("{ratio:.2}x time"),
                goal: "≤ 2x floor time".into(),
                verdict: Verdict::of(ratio <= 2.0),
            });
        }
        let stream = self.median("decode", "stream")? / frames;
        rows.push(Row {
            figure: "1b decode, streaming FrameDecoder (Bytes), per frame".into(),
            value: ns(stream),
            floor: ns(floor),
            ratio: format!("{:.2}x time", stream / floor),
            goal: "≤ 10 ns per frame".into(),
            verdict: Verdict::of(stream <= 10.0),
        });
        let refcount = self.median("decode", "refcount")? / frames;
        rows.push(Row {
            figure: "   reference: one shared-`Bytes` clone + drop (2 atomic ops)".into(),
            value: ns(refcount),
            floor: ns(floor),
            ratio: format!("{:.2}x time", refcount / floor),
            goal: "—".into(),
            verdict: Verdict::Reported,
        });
        for (group, label) in [
            (
                "encode_single",
                "2 encode 931-byte TSDU, one 1024-byte TPDU",
            ),
            (
                "encode_segmented",
                "2 encode 931-byte TSDU, 128-byte TPDUs (8 frames)",
            ),
        ] {
            let frames = criterion_elements(self.criterion, group, "stack");
            let value = self.median(group, "stack")? / frames;
            let floor = self.median(group, "floor")? / frames;
            rows.push(Row {
                figure: format!("{label}, per frame"),
                value: ns(value),
                floor: ns(floor),
                ratio: format!("{:.2}x time", value / floor),
                goal: "—".into(),
                verdict: Verdict::Reported,
            });
        }
        for (case, (allocations, frames)) in &self.allocations {
            // The `connection-*` cases count whole messages through a blocking connection
            // (client and server role in one thread); the others count frames of a codec.
            let (figure, unit) = match case.strip_prefix("connection-") {
                Some(direction) => (
                    format!(
                        "2 heap allocations per message, blocking connection {direction}, both roles (steady state)"
                    ),
                    "messages",
                ),
                None => (
                    format!("2 heap allocations per frame, {case} (steady state)"),
                    "frames",
                ),
            };
            rows.push(Row {
                figure,
                value: format!("{allocations} in {frames} {unit}"),
                floor: "0".into(),
                ratio: "—".into(),
                goal: "0".into(),
                verdict: Verdict::of(*allocations == 0),
            });
        }
        Ok(())
    }

    fn loopback_rows(&self, rows: &mut Vec<Row>) -> TaskResult {
        for placement in ["same-cpu", "split-cpus"] {
            let headline = placement == "same-cpu";
            let group = format!("round_trip_{placement}");
            for (size, label) in [
                ("4", "4-byte read (31/29 B)"),
                ("913", "913-byte read (31/938 B)"),
            ] {
                let value = self.median(&group, &format!("stack_{size}"))?;
                let floor = self.median(&group, &format!("floor_{size}"))?;
                rows.push(throughput_row(
                    format!("3 round trip, {label}, {placement}"),
                    value,
                    floor,
                    0.90,
                    headline,
                ));
            }
        }
        for placement in ["same-cpu", "split-cpus"] {
            // The tokio front-end against a raw tokio ping-pong of the same byte counts, both
            // on a current-thread runtime.
            let group = format!("tokio_round_trip_{placement}");
            rows.push(throughput_row(
                format!("3t tokio round trip, 4-byte read (31/29 B), {placement}"),
                self.median(&group, "stack_4")?,
                self.median(&group, "floor_4")?,
                0.85,
                placement == "same-cpu",
            ));
        }
        for placement in ["same-cpu", "split-cpus"] {
            let headline = placement == "same-cpu";
            let group = format!("setup_{placement}");
            let stack = self.median(&group, "stack")?;
            let floor = self.median(&group, "floor")?;
            rows.push(throughput_row(
                format!("4 setup: connect + CR/CC + S7 setup + close (floor: the same two raw exchanges, 22/22 and 25/27 bytes), {placement}"),
                stack,
                floor,
                0.85,
                headline,
            ));
            if let Ok(one_exchange) = self.median(&group, "floor_one_exchange") {
                let mut row = throughput_row(
                    format!("   reference: one raw exchange of the same total bytes (47/49), a round trip fewer than S7 needs, {placement}"),
                    stack,
                    one_exchange,
                    0.85,
                    false,
                );
                row.goal = "—".into();
                rows.push(row);
            }
            if let Ok(spawning) = self.median(&group, "floor_thread_per_connection") {
                let mut row = throughput_row(
                    format!("   reference: the two raw exchanges served by a thread spawned per connection, {placement}"),
                    spawning,
                    floor,
                    0.80,
                    false,
                );
                row.goal = "—".into();
                rows.push(row);
            }
        }
        for placement in ["same-cpu", "split-cpus"] {
            let headline = placement == "same-cpu";
            let group = format!("large_read_{placement}");
            rows.push(throughput_row(
                format!("5 large read: 4000 bytes over PDU 480 (9 requests), {placement}"),
                self.median(&group, "stack")?,
                self.median(&group, "floor")?,
                0.80,
                headline,
            ));
        }
        Ok(())
    }

    fn scale_rows(&self, rows: &mut Vec<Row>) {
        let rate_of = |kind: &str, clients: &str| {
            self.scale
                .iter()
                .find_map(|fields| match fields.as_slice() {
                    [k, c, rate, served] if k == kind && c == clients => {
                        Some((rate.parse::<f64>().ok()?, served.clone()))
                    }
                    _ => None,
                })
        };
        let Some((two_floor, _)) = rate_of("floor", "2") else {
            return;
        };
        for clients in ["1", "2", "8", "64", "1000"] {
            let (Some((stack, served)), Some((floor, _))) =
                (rate_of("stack", clients), rate_of("floor", clients))
            else {
                continue;
            };
            let (goal, verdict) = match clients {
                "1" => ("— (unpinned)".to_owned(), Verdict::Reported),
                "1000" => (
                    "all 1000 served; ≥ 0.80x two-connection floor".to_owned(),
                    Verdict::of(served == "1000" && stack / two_floor >= 0.8),
                ),
                "2" => (
                    "≥ 0.80x two-connection floor".to_owned(),
                    Verdict::of(stack / two_floor >= 0.8),
                ),
                _ => (
                    "≥ 0.80x same-clients floor".to_owned(),
                    Verdict::of(stack / floor >= 0.8),
                ),
            };
            rows.push(Row {
                figure: format!("6 scale: {clients} concurrent clients, aggregate 4-byte reads ({served} served)"),
                value: rate(stack),
                floor: format!("{} (same clients) / {} (2 conns)", rate(floor), rate(two_floor)),
                ratio: format!("{:.2}x / {:.2}x", stack / floor, stack / two_floor),
                goal,
                verdict,
            });
        }
        let bytes_of = |label: &str| {
            self.rss.iter().find_map(|fields| match fields.as_slice() {
                [l, _, _, _, per] if l == label => per.parse::<f64>().ok(),
                _ => None,
            })
        };
        if let (Some(stack), Some(floor)) = (bytes_of("stack"), bytes_of("floor")) {
            rows.push(Row {
                figure: "6 resident memory per idle connection (s7-mock binary, 1000 connections)"
                    .into(),
                value: format!("{:.1} KiB", stack / 1024.0),
                floor: format!("{:.1} KiB", floor / 1024.0),
                ratio: format!("{:.2}x", stack / floor),
                goal: "≤ 1.1x".into(),
                verdict: Verdict::of(stack / floor <= 1.1),
            });
        }
        self.flood_rows(rows);
    }

    fn flood_rows(&self, rows: &mut Vec<Row>) {
        let Some(
            [connections, seconds, threads_before, peak_threads, kb_before, peak_kb, probes, idle_median, median, max, failed],
        ) = self.flood.first().map(Vec::as_slice)
        else {
            return;
        };
        let number = |field: &String| field.parse::<f64>().unwrap_or(f64::NAN);
        rows.push(Row {
            figure: format!(
                "6f flood: s7-mock binary threads, peak while {connections} silent TCP connections open (in {seconds} s) and are held"
            ),
            value: peak_threads.clone(),
            floor: format!("{threads_before} before"),
            ratio: "—".into(),
            goal: format!("≤ {FLOOD_THREAD_ALLOWANCE} (pending cap 256 + 64 parked + a few)"),
            verdict: Verdict::of(number(peak_threads) <= FLOOD_THREAD_ALLOWANCE as f64),
        });
        rows.push(Row {
            figure: format!(
                "6f flood: legitimate client, connect + setup + 4-byte read, slowest of {probes} during the flood ({failed} failed)"
            ),
            value: format!("{:.1} ms", number(max) / 1000.0),
            floor: format!("{:.2} ms (median without flood)", number(idle_median) / 1000.0),
            ratio: format!("median {:.2} ms", number(median) / 1000.0),
            goal: "≤ 50 ms, none failed".into(),
            verdict: Verdict::of(number(max) <= 50_000.0 && failed == "0"),
        });
        rows.push(Row {
            figure: "6f flood: s7-mock binary resident memory, peak during the flood".into(),
            value: format!("{:.1} MiB", number(peak_kb) / 1024.0),
            floor: format!("{:.1} MiB before", number(kb_before) / 1024.0),
            ratio: format!("{:.2}x", number(peak_kb) / number(kb_before)),
            goal: "—".into(),
            verdict: Verdict::Reported,
        });
    }

    fn instruction_rows(&self, rows: &mut Vec<Row>) {
        let Some(slopes) = &self.instructions else {
            return;
        };
        let get = |name: &str| slopes.get(name).copied();
        if let (Some(stack), Some(floor)) = (get("server-stack"), get("server-floor")) {
            rows.push(Row {
                figure: "instructions: mock serving one 4-byte read (user space)".into(),
                value: format!("{stack:.0}"),
                floor: format!("{floor:.0} (bare echo server)"),
                ratio: format!("{:.2}x", stack / floor),
                goal: "≤ 800".into(),
                verdict: Verdict::of(stack <= 800.0),
            });
        }
        if let (Some(stack), Some(floor)) = (get("client-stack"), get("client-floor")) {
            rows.push(Row {
                figure: "instructions: s7-client on iso-tcp, one 4-byte read".into(),
                value: format!("{stack:.0}"),
                floor: format!("{floor:.0} (bare ping client)"),
                ratio: format!("{:.2}x", stack / floor),
                goal: "≤ 1,000".into(),
                verdict: Verdict::of(stack <= 1_000.0),
            });
        }
        if let (Some(lean), Some(floor)) = (get("client-lean"), get("client-floor")) {
            rows.push(Row {
                figure:
                    "   reference: lean hand-written client (benches::LeanClient, no allocation)"
                        .into(),
                value: format!("{lean:.0}"),
                floor: format!("{floor:.0} (bare ping client)"),
                ratio: format!("{:.2}x", lean / floor),
                goal: "—".into(),
                verdict: Verdict::Reported,
            });
        }
    }

    fn peer_rows(&self, rows: &mut Vec<Row>) {
        let Some(peers) = &self.peers else {
            return;
        };
        let rate_of = |server: &str, workload: &str| {
            peers.iter().find_map(|fields| match fields.as_slice() {
                [s, w, _, _, rate] if s == server && w == workload => rate.parse::<f64>().ok(),
                _ => None,
            })
        };
        for (workload, label) in [
            ("read-4", "4-byte DB reads"),
            ("read-4000", "4000-byte DB reads"),
        ] {
            if let (Some(ours), Some(theirs)) = (
                rate_of("s7-mock", workload),
                rate_of("snap7-server", workload),
            ) {
                rows.push(Row {
                    figure: format!(
                        "7 python-snap7 3.3.0 client, {label}: s7-mock vs snap7.server"
                    ),
                    value: rate(ours),
                    floor: format!("{} (snap7.server)", rate(theirs)),
                    ratio: format!("{:.2}x", ours / theirs),
                    goal: "—".into(),
                    verdict: Verdict::Reported,
                });
            }
        }
    }

    fn render(&self) -> Result<String, String> {
        let mut rows = Vec::new();
        self.wire_rows(&mut rows)?;
        self.loopback_rows(&mut rows)?;
        self.scale_rows(&mut rows);
        self.instruction_rows(&mut rows);
        self.peer_rows(&mut rows);

        let mut doc = String::new();
        let w = &mut doc;
        let _ = writeln!(w, "# Performance\n");
        let _ = writeln!(
            w,
            "Generated by `cargo xtask bench{}`; do not edit by hand. Every figure is set \
             against a floor measured in the same run on the same machine, because absolute \
             times on a shared VM drift.\n",
            if self.peers_requested { " --peers" } else { "" }
        );
        let _ = writeln!(w, "| | |\n| --- | --- |");
        let _ = writeln!(
            w,
            "| date | {} |",
            command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
        );
        let _ = writeln!(w, "| machine | {} |", machine());
        let _ = writeln!(w, "| kernel | {} |", command_line("uname", &["-sr"]));
        let _ = writeln!(w, "| rustc | {} |", command_line("rustc", &["--version"]));
        let _ = writeln!(
            w,
            "| load average (1 min) | {} before the run, {} after the criterion benches |",
            self.load.0, self.load.1
        );
        let _ = writeln!(
            w,
            "| command | `cargo xtask bench{}` |\n",
            if self.peers_requested { " --peers" } else { "" }
        );
        let _ = writeln!(w, "## Results\n");
        let _ = writeln!(w, "| figure | value | floor | ratio | goal | |");
        let _ = writeln!(w, "| --- | ---: | ---: | ---: | --- | --- |");
        for row in &rows {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} |",
                row.figure,
                row.value,
                row.floor,
                row.ratio,
                row.goal,
                row.verdict.text()
            );
        }
        if self.instructions.is_none() {
            let _ = writeln!(
                w,
                "\nInstruction counts: not measured (valgrind not installed)."
            );
        }
        if self.peers.is_none() {
            let _ = writeln!(
                w,
                "\nPeer comparison (python-snap7): not run; `cargo xtask bench --peers` runs it."
            );
        }
        let met = rows
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Met))
            .count();
        let missed = rows
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Missed))
            .count();
        let _ = writeln!(w, "\nGoals: {met} met, {missed} missed.\n");
        w.push_str(METHOD);
        Ok(doc)
    }
}

/// A throughput row: the stack's and the floor's time per operation, shown as rates; the
/// ratio is floor time / stack time (1.00x = as fast as the floor).
fn throughput_row(figure: String, stack_ns: f64, floor_ns: f64, goal: f64, headline: bool) -> Row {
    let ratio = floor_ns / stack_ns;
    Row {
        figure,
        value: format!("{} ({})", per_second(stack_ns), ns(stack_ns)),
        floor: format!("{} ({})", per_second(floor_ns), ns(floor_ns)),
        ratio: format!("{ratio:.2}x"),
        goal: if headline {
            format!("≥ {goal:.2}x")
        } else {
            "— (split placement)".into()
        },
        verdict: if headline {
            Verdict::of(ratio >= goal)
        } else {
            Verdict::Reported
        },
    }
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores, {model}")
}

const METHOD: &str = "\
## How each figure is measured

- **Ratios.** Times: stack time / floor time (lower is better, 1.00x = the floor). Rates
  (round trips, setups, reads): floor time / stack time, i.e. stack rate / floor rate (higher
  is better, 1.00x = as fast as the floor). Criterion medians.
- **1 decode.** 96 back-to-back DT frames of 29, 247 and 963 bytes in one buffer. Floor: a
  hand-rolled loop reading only the TPKT length and the EOT bit. The streaming decoder hands
  out each frame as `Bytes` sharing the buffer; the `refcount` reference row is the cost of the
  two atomic reference count updates that sharing takes, the least any `Bytes`-per-frame
  decoder can cost on this CPU.
- **2 encode.** A 931-byte TSDU into a reused buffer, through `cotp::segments`,
  `tpkt::encode_header` and `Data::emit`; floor: a loop writing the same bytes unchecked.
  Allocations are counted by a counting global allocator in `benches/tests/allocations.rs`
  (it asserts zero; `cargo test` runs it).
- **3-5 loopback, one connection.** The `s7-client` crate's `Client` on iso-tcp
  against the in-process mock server (request log off). Floor: `std::net` TCP with
  `TCP_NODELAY`, one write and one read per message, same byte counts; for setup, the floor is
  TCP connect + the same two exchanges as the stack (22 bytes out, 22 back, as CR/CC; then 25
  out, 27 back, as the S7 setup communication) + close, served inline by the accepting thread
  (one exchange of the same total size, 47/49, is kept as a reference row only: S7 cannot
  set up in one round trip). Client and server threads are pinned to one CPU (the
  headline, `same-cpu`) and to two (`split-cpus`, reported). Setup benches rotate over 16
  loopback addresses so `TIME_WAIT` does not exhaust the ephemeral ports.
- **6 scale.** Client threads unpinned, each with its own connection, all connected (and one
  read done) before a 2-second window; aggregate reads/s against one in-process mock, and a raw
  thread-per-connection server as the floor. The ratio is shown against the floor with the same
  number of clients (the goal with 8 and 64) and against the two-connection floor (the goal
  with 2 and 1000). Memory: `VmRSS` of the
  `s7-mock` binary before and after 1000 idle connections (handshake and setup done), against
  the raw server (`instr serve-raw`) after 1000 connections that made one round trip.
- **6f flood** (`benches/src/bin/flood.rs`). The `s7-mock` binary (defaults: at most 256
  connections waiting for their connection request) as a child process; the bench opens 12,000
  TCP connections that never send a byte as fast as it can and holds them all for another
  0.5 s. Meanwhile a probe thread connects (CR/CC, S7 setup), reads 4 bytes and closes, every
  10 ms; a monitor samples the server's `Threads` and `VmRSS` every 2 ms. The floor column of
  the probe row is the median of 20 probes before the flood.
- **Instructions.** `valgrind --tool=callgrind` on one end (`benches/src/bin/instr.rs`) while
  the other runs natively, for 2000 and 8000 reads; the slope is instructions per read with
  start-up excluded. The client row measures the `s7-client` crate; the reference row below it
  is `benches::LeanClient`, a minimal hand-written client on iso-tcp and the `s7comm` codec
  views, reported for comparison only (it has no goal). Callgrind counts each iteration of a `rep stos`/`rep movs` as one
  instruction, which is how it showed that zero-filling iso-tcp's 4 KiB read buffer before
  every read cost ~4,100 instructions per read on each side; iso-tcp now reads into the
  buffer's spare capacity instead.
- **7 peers** (`--peers` only). python-snap7 3.3.0's client (pure Python) making 4-byte and
  4000-byte DB reads for 3 s each against the `s7-mock` binary and against
  `snap7.server.Server`, its own pure-Python server, in a child process (`xtask/bench/peers.py`).

Run one part by hand: `cargo bench -p benches --bench wire` (or `loopback`),
`cargo test --release -p benches --test allocations -- --nocapture`, or the programs in
`benches/src/bin/` (`scale`, `rss`, `instr`; usage in each file's header).

## Where the time goes when a goal is missed

From callgrind (`--inclusive=yes` on the `instr` runs), `strace -f -c` and `perf stat`,
2026-12-02; rerun them after changing the hot path: the figures above are regenerated, this
analysis is not.

- **1b, streaming decoder over 10 ns.** Handing out each frame as a `Bytes` that shares the
  read buffer takes one atomic increment (`split_to`) and one atomic decrement (drop); the
  reference row shows those two alone cost more than 10 ns on this CPU. The slice and view
  decoders (1a) do the same parsing in under 4 ns. Meeting 10 ns would mean an API that lends
  slices instead of handing out owned `Bytes` (which `Connection::recv_into` now does for the
  blocking path).
- **4, setup.** The floor makes the stack's two round trips (CR/CC, then S7 setup
  communication) served inline by the accepting thread. 2,000 setups pinned to one CPU under
  `strace -f -c` (client and server together): 33.7 system calls per setup against 16.3 for
  the floor (previously 38.4). What the floor does not do: the client's options (9
  `setsockopt`: the connect bound, `TCP_NODELAY`, keepalive on and its three tunings, the
  write timeout, the handshake's read deadline and the read timeout), the COTP DR on close,
  and the server's hand-over of the established connection from the accept thread to a
  worker (a `futex` wake and a park), with an `accept4` that finds the queue empty. `perf
  stat`: 8.6 context switches per setup against 7.1 for the floor. What went: the accepted
  socket's six `setsockopt` (inherited from the listener on Linux), the descriptor duplicate
  for shutdown (a shared `ShutdownHandle` instead), the client connect's `poll`/`fcntl` (a
  blocking connect bounded by the write timeout). In the runs of 09:45 and 11:00 UTC that day
  the stack's setup went from 92.5 to 88.4 µs while the floor measured 73.3 and 66.2 µs: the
  floor moves by more than the code did. Closing the rest of the gap means a connection
  served on the thread that accepted it (leader/followers), or dropping client options the
  floor does not set.
- **6, scale beyond two clients.** The floor itself, a raw thread-per-connection server, drops
  from the two-connection rate with 8 and more: on two cores, more threads than cores means
  context switches per request. The mock tracks the same-clients floor (the goal with 8 and
  64); the two-connection floor at 1000 clients would need an event loop serving the
  connections rather than a thread per connection, and not every one of 1000 unpinned client
  threads completes a read in the 2-second window on two cores, against either server.
- **6f flood.** Connections waiting for their connection request are watched by the accept
  thread's poller (mio over epoll) and cost no thread; beyond 256 waiting the oldest is
  closed. A legitimate client's CR is read as soon as its socket is readable, between batches
  of at most 64 accepts, so its wait is bounded by the listen backlog ahead of it (1024) at a
  few microseconds per accept; the slowest probes are those that arrived behind a full
  backlog.
- **Instructions, mock.** Of 784 per 4-byte read (callgrind, one run): the serve loop with
  the one-item read path inlined into it 319 (address decoded once off the wire bytes, data
  block found by binary search in a sorted vector, answer header written in one append),
  `Connection::recv_into` 168 (a one-DT TSDU copied straight out of the receive buffer),
  `send` 115, glibc's thread-cancellation bookkeeping around the socket calls 90 (a
  multi-threaded process pays it; the single-threaded echo floor does not), glibc
  `recv`/`send` 56, `memcpy` 34, socket2 18. Previously 1,383, with the item list
  parsed twice and every TSDU handed out as `Bytes`.
";
