//! The `s7-mock` binary as a separate process: the `listening on` line, the default layout,
//! image files, flags, malformed flags (exit code 2), what the deadline flags do to stalled
//! and silent clients, and a clean exit on SIGTERM and SIGINT.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod raw_client;
mod server_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use iso_tcp::DisconnectReason;
use raw_client::{connected, still_open_after, time_to_close, HALF_A_FRAME};
use s7_client::Client;
use s7comm::szl::{CPU_STATE, MODE_STOP};
use s7comm::{Area, ItemAddress, ReturnCode};
use serde_json::json;
use server_support::{client, options, transport, TIMEOUT};

const BINARY: &str = env!("CARGO_BIN_EXE_s7-mock");

/// A running mock; killed on drop if a test fails before stopping it.
struct Mock {
    child: Child,
    addr: SocketAddr,
    /// Lines printed on stdout after the first.
    rest: mpsc::Receiver<String>,
}

impl Mock {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BINARY)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (first, rest) = read_lines(stdout);
        let line = first.recv_timeout(TIMEOUT).expect("no `listening on` line");
        let addr = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        Mock { child, addr, rest }
    }

    /// Sends `signal` and waits for the exit; returns its status and whatever else the mock
    /// printed on stdout.
    fn stop(mut self, signal: &str) -> (ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([format!("-{signal}"), pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "no exit after SIG{signal}");
            std::thread::sleep(Duration::from_millis(20));
        };
        let rest: Vec<String> = self.rest.try_iter().collect();
        (status, rest)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The first line on one channel, every later one on another.
fn read_lines(stdout: ChildStdout) -> (mpsc::Receiver<String>, mpsc::Receiver<String>) {
    let (first_tx, first) = mpsc::channel();
    let (rest_tx, rest) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        if let Some(line) = lines.next() {
            let _ = first_tx.send(line);
        }
        for line in lines {
            let _ = rest_tx.send(line);
        }
    });
    (first, rest)
}

fn run(args: &[&str]) -> Output {
    Command::new(BINARY).args(args).output().unwrap()
}

/// A file under the system's temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("s7-mock-cli-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn return_code(c: &mut Client, item: ItemAddress) -> ReturnCode {
    c.read_items(&[item]).unwrap()[0].return_code
}

#[test]
fn help_lists_every_flag_and_the_default_layout() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--listen <ADDR>",
        "--db <N:SIZE[:FILE]>",
        "--inputs <SIZE[:FILE]>",
        "--outputs <SIZE[:FILE]>",
        "--merkers <SIZE[:FILE]>",
        "--timers <COUNT[:FILE]>",
        "--counters <COUNT[:FILE]>",
        "--pdu-size <N>",
        "--max-connections <N>",
        "--max-pending-handshakes <N>",
        "--cpu <MODE>",
        "--control <ADDR>",
        "--control-token <TOKEN>",
        "--log-capacity <N>",
        "--receive-deadline-ms <MS>",
        "--idle-timeout-ms <MS>",
        "control on http://ADDR",
        "127.0.0.1:1102",
        "DB1 (4096 bytes)",
        "SIGTERM",
    ] {
        assert!(help.contains(flag), "--help lacks {flag:?}:\n{help}");
    }
}

#[test]
fn serves_and_exits_cleanly_on_sigterm() {
    let mock = Mock::start(&[]);
    let mut c = client(mock.addr);
    c.write_area(Area::DataBlock, 1, 0, &[1, 2, 3]).unwrap();
    assert_eq!(c.read_area(Area::DataBlock, 1, 0, 3).unwrap(), [1, 2, 3]);
    let (status, more) = mock.stop("TERM");
    assert_eq!(status.code(), Some(0), "{status}");
    assert!(
        more.is_empty(),
        "only one line on stdout, also got {more:?}"
    );
    // The connection learns that the mock is gone.
    assert!(c.read_area(Area::DataBlock, 1, 0, 3).is_err());
}

#[test]
fn exits_cleanly_on_sigint() {
    let mock = Mock::start(&["--db", "1:8"]);
    let _c = client(mock.addr);
    let (status, _) = mock.stop("INT");
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn default_layout_without_area_flags() {
    let mock = Mock::start(&[]);
    let mut c = client(mock.addr);
    let ok = ReturnCode::Success;
    let out = ReturnCode::AddressOutOfRange;
    let cases = [
        (ItemAddress::bytes(Area::DataBlock, 1, 4095, 1), ok),
        (ItemAddress::bytes(Area::DataBlock, 1, 4096, 1), out),
        (ItemAddress::bytes(Area::DataBlock, 2, 4095, 1), ok),
        (ItemAddress::bytes(Area::DataBlock, 100, 65535, 1), ok),
        (ItemAddress::bytes(Area::DataBlock, 100, 65536, 1), out),
        (
            ItemAddress::bytes(Area::DataBlock, 3, 0, 1),
            ReturnCode::ObjectDoesNotExist,
        ),
        (ItemAddress::bytes(Area::Inputs, 0, 1023, 1), ok),
        (ItemAddress::bytes(Area::Inputs, 0, 1024, 1), out),
        (ItemAddress::bytes(Area::Outputs, 0, 1023, 1), ok),
        (ItemAddress::bytes(Area::Outputs, 0, 1024, 1), out),
        (ItemAddress::bytes(Area::Flags, 0, 4095, 1), ok),
        (ItemAddress::bytes(Area::Flags, 0, 4096, 1), out),
        (ItemAddress::timers(255, 1), ok),
        (ItemAddress::timers(256, 1), out),
        (ItemAddress::counters(255, 1), ok),
        (ItemAddress::counters(256, 1), out),
    ];
    for (item, expected) in cases {
        assert_eq!(return_code(&mut c, item), expected, "{item:?}");
    }
}

#[test]
fn area_flags_replace_their_defaults_and_load_image_files() {
    let db = TempFile::new("db.bin", &[0xDE, 0xAD, 0xBE, 0xEF, 0x01]);
    let inputs = TempFile::new("inputs.bin", &[9, 8, 7]);
    let timers = TempFile::new("timers.bin", &[0x12, 0x34, 0x56]);
    let db_spec = format!("7:16:{}", db.path());
    let inputs_spec = format!("8:{}", inputs.path());
    let timers_spec = format!("4:{}", timers.path());
    let mock = Mock::start(&[
        "--db",
        &db_spec,
        "--db",
        "9:1K",
        "--inputs",
        &inputs_spec,
        "--timers",
        &timers_spec,
        "--merkers",
        "2",
    ]);
    let mut c = client(mock.addr);
    // The image, zero-padded to the block's size.
    assert_eq!(
        c.read_area(Area::DataBlock, 7, 0, 16).unwrap(),
        [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::DataBlock, 7, 16, 1)),
        ReturnCode::AddressOutOfRange
    );
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::DataBlock, 9, 1023, 1)),
        ReturnCode::Success
    );
    // Any --db replaces the default blocks.
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::DataBlock, 1, 0, 1)),
        ReturnCode::ObjectDoesNotExist
    );
    assert_eq!(
        c.read_area(Area::Inputs, 0, 0, 8).unwrap(),
        [9, 8, 7, 0, 0, 0, 0, 0]
    );
    // Timers: two big-endian bytes each; the odd last byte is the high byte of timer 1.
    assert_eq!(
        c.read_area(Area::Timers, 0, 0, 4).unwrap(),
        [0x12, 0x34, 0x56, 0, 0, 0, 0, 0]
    );
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::Flags, 0, 2, 1)),
        ReturnCode::AddressOutOfRange
    );
    // Areas not given keep their defaults.
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::Outputs, 0, 1023, 1)),
        ReturnCode::Success
    );
}

#[test]
fn pdu_size_cpu_and_connection_limit_flags() {
    let mock = Mock::start(&[
        "--pdu-size",
        "240",
        "--cpu",
        "stop",
        "--max-connections",
        "1",
    ]);
    let mut c = Client::connect(options(mock.addr)).unwrap();
    assert_eq!(c.pdu_size(), 240);
    assert_eq!(c.read_szl(CPU_STATE, 0).unwrap()[7], MODE_STOP);
    let error = Client::connect(options(mock.addr)).unwrap_err();
    assert!(
        matches!(
            transport(&error),
            iso_tcp::Error::Refused {
                reason: DisconnectReason::Congestion
            }
        ),
        "{error}"
    );
}

#[test]
fn listens_on_ipv6() {
    let mut child = Command::new(BINARY)
        .args(["--listen", "[::1]:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (first, rest) = read_lines(child.stdout.take().unwrap());
    let line = first.recv_timeout(TIMEOUT).unwrap();
    let addr: SocketAddr = line.strip_prefix("listening on ").unwrap().parse().unwrap();
    let mock = Mock { child, addr, rest };
    assert!(mock.addr.is_ipv6());
    let mut c = client(mock.addr);
    assert_eq!(c.read_area(Area::DataBlock, 2, 0, 2).unwrap(), [0, 0]);
    assert_eq!(mock.stop("TERM").0.code(), Some(0));
}

#[test]
fn malformed_flags_exit_with_code_2_and_a_message() {
    let long_image = TempFile::new("long.bin", &[1; 10]);
    let long_spec = format!("1:4:{}", long_image.path());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--bogus"], "--bogus"),
        (vec!["--db", "x"], "expected N:SIZE"),
        (vec!["--db", "0:16"], "data block number"),
        (vec!["--db", "1:lots"], "not a size"),
        (
            vec!["--db", "1:16:/nonexistent/s7-mock/image"],
            "cannot read image file",
        ),
        (vec!["--db", &long_spec], "holds more than the 4 bytes"),
        (vec!["--db", "1:4", "--db", "1:8"], "given twice"),
        (vec!["--inputs", "3M"], "maximum"),
        (vec!["--timers", "70000"], "not a count"),
        (vec!["--counters", "4:"], "file name"),
        (vec!["--pdu-size", "10000"], "--pdu-size"),
        (vec!["--pdu-size", "32"], "--pdu-size"),
        (vec!["--max-connections", "0"], "--max-connections"),
        (
            vec!["--max-pending-handshakes", "0"],
            "--max-pending-handshakes",
        ),
        (vec!["--cpu", "pause"], "--cpu"),
        (vec!["--listen", "nowhere"], "--listen"),
        (vec!["--listen"], "--listen"),
    ];
    for (args, expected) in cases {
        let output = run(&args);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}

#[test]
fn an_address_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let mut child = Command::new(BINARY)
        .args(["--listen", &addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&addr), "{stderr}");
    assert!(stdout.is_empty(), "no `listening on` line: {stdout}");
}

/// A connection to rack 0, `slot`, asking for a 960-byte PDU.
fn connect_slot(addr: SocketAddr, slot: u16) -> Result<Client, s7_client::Error> {
    Client::connect_with_pdu(
        options(addr).remote_tsap(iso_tcp::Tsap::from_u16(0x0100 | slot)),
        960,
    )
}

#[test]
fn help_documents_the_profile_and_its_precedence() {
    let output = run(&["--help"]);
    let help = String::from_utf8(output.stdout).unwrap();
    for text in [
        "--profile <FILE>",
        "then the profile, then flags",
        "docs/profile.md",
    ] {
        assert!(help.contains(text), "--help lacks {text:?}:\n{help}");
    }
}

#[test]
fn a_profile_sets_the_cpu_and_layout_and_flags_override_it() {
    let profile = TempFile::new(
        "override.toml",
        b"[plc]\npreset = \"s7-300\"\ncpu = \"run\"\nslot = 2\n\n[areas]\ninputs = 16\n\n[[db]]\nnumber = 5\nsize = 8\n\n[[db]]\nnumber = 6\nsize = 8\n",
    );
    // Without flags: the profile's PDU, identity, rack/slot and layout; no default blocks.
    let mock = Mock::start(&["--profile", profile.path()]);
    let mut c = connect_slot(mock.addr, 2).unwrap();
    assert_eq!(c.pdu_size(), 240);
    let szl = c.read_szl(0x0011, 0).unwrap();
    assert_eq!(&szl[6..25], b"6ES7 315-2EH14-0AB0");
    assert_eq!(c.read_szl(CPU_STATE, 0).unwrap()[7], 0x08);
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::Inputs, 0, 16, 1)),
        ReturnCode::AddressOutOfRange
    );
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::DataBlock, 1, 0, 1)),
        ReturnCode::ObjectDoesNotExist
    );
    assert_eq!(c.read_area(Area::DataBlock, 5, 0, 8).unwrap(), [0; 8]);
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::Flags, 0, 4095, 1)),
        ReturnCode::Success,
        "areas the profile leaves out keep the command line's defaults"
    );
    assert!(connect_slot(mock.addr, 1).is_err(), "slot 1 is refused");
    drop(c);
    drop(mock);

    // Flags given on the command line win.
    let mock = Mock::start(&[
        "--profile",
        profile.path(),
        "--pdu-size",
        "480",
        "--cpu",
        "stop",
        "--inputs",
        "32",
        "--db",
        "5:64",
    ]);
    let mut c = connect_slot(mock.addr, 2).unwrap();
    assert_eq!(c.pdu_size(), 480, "--pdu-size is not capped by the preset");
    assert_eq!(c.read_szl(CPU_STATE, 0).unwrap()[7], MODE_STOP);
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::Inputs, 0, 31, 1)),
        ReturnCode::Success
    );
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::DataBlock, 5, 63, 1)),
        ReturnCode::Success,
        "--db 5 replaces the profile's DB5"
    );
    assert_eq!(
        return_code(&mut c, ItemAddress::bytes(Area::DataBlock, 6, 7, 1)),
        ReturnCode::Success,
        "the profile's other blocks stay"
    );
}

#[test]
fn a_profile_that_does_not_load_exits_with_code_2_and_serves_nothing() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let listen = format!("[plc]\nlisten = \"{addr}\"\n");
    let cases = [
        (
            format!("{listen}slott = 1\n"),
            r#"plant.toml:3: unknown key "slott" in [plc]"#,
        ),
        (
            format!("{listen}\n[[db]]\nnumber = 0\nsize = 4\n"),
            "plant.toml:5: [[db]] number: data block 0 is outside 1..=65535",
        ),
        (
            format!("{listen}\n[[db]]\nnumber = 1\nsize = 4\nimage = \"/nonexistent/db1.bin\"\n"),
            "plant.toml:7: [[db]] image: cannot read \"/nonexistent/db1.bin\"",
        ),
        (
            format!("{listen}\n[[tag]]\nname = \"level\"\naddress = \"DB7.DBD24\"\nvalue = 1.0\n"),
            "plant.toml:6: [[tag]] address: data block 7 does not exist",
        ),
        (
            format!(
                "{listen}\n[[tag]]\nname = \"level\"\naddress = \"DB1.DBW24:INT\"\nvalue = 40000\n"
            ),
            "plant.toml:7: [[tag]] value: int value 40000 is outside -32768..=32767",
        ),
    ];
    for (text, expected) in cases {
        let file = TempFile::new("plant.toml", text.as_bytes());
        let output = run(&["--profile", file.path()]);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{text}: {stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in {stderr}"
        );
        assert!(stderr.contains(file.path()), "{stderr}");
        assert!(output.stdout.is_empty(), "no `listening on` line");
        assert!(
            std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err(),
            "nothing listens on {addr}"
        );
    }
    let output = run(&["--profile", "/nonexistent/s7-mock/plant.toml"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot read profile"), "{stderr}");
}

#[test]
fn a_flag_that_shrinks_memory_under_a_tag_is_a_load_error() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let profile = TempFile::new(
        "shrunk.toml",
        format!(
            "[plc]\nlisten = \"{addr}\"\n\n[[db]]\nnumber = 1\nsize = 64\n\n[[tag]]\nname = \"motor_speed\"\naddress = \"DB1.DBD20\"\ntype = \"REAL\"\nvalue = 1500.0\n"
        )
        .as_bytes(),
    );
    let cases = [
        (
            &["--db", "1:16"][..],
            "shrunk.toml:10: [[tag]] address: DB1.DBD20:REAL (bytes 20..24) is outside data block 1 (16 bytes)",
        ),
        // A flag that replaces the block with one large enough leaves the tag valid, and
        // another block does not stand in for the one the tag names.
        (&["--db", "2:64", "--db", "1:8"][..], "is outside data block 1 (8 bytes)"),
    ];
    for (flags, expected) in cases {
        let mut args = vec!["--profile", profile.path()];
        args.extend_from_slice(flags);
        let output = run(&args);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in {stderr}"
        );
        assert!(stderr.contains(profile.path()), "{stderr}");
        assert!(!stderr.contains("cannot serve"), "{stderr}");
        assert!(output.stdout.is_empty(), "no `listening on` line");
        assert!(
            std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err(),
            "nothing listens on {addr}"
        );
    }
    // A flag that keeps the tag inside its block serves it.
    let mock = Mock::start(&["--profile", profile.path(), "--db", "1:24"]);
    let mut c = connect_slot(mock.addr, 1).unwrap();
    let speed = s7comm::Tag::parse("DB1.DBD20:REAL").unwrap();
    assert_eq!(c.read_tag(&speed).unwrap(), s7comm::Value::Real(1500.0));
}

#[test]
fn the_example_plant_profile_serves_its_tags() {
    let plant = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/profiles/plant.toml"
    );
    let mock = Mock::start(&["--profile", plant]);
    let mut c = connect_slot(mock.addr, 1).unwrap();
    assert_eq!(c.pdu_size(), 960);
    let speed = s7comm::Tag::parse("DB1.DBD20:REAL").unwrap();
    assert_eq!(c.read_tag(&speed).unwrap(), s7comm::Value::Real(1500.0));
    let running = s7comm::Tag::parse("DB1.DBX50.3").unwrap();
    assert_eq!(c.read_tag(&running).unwrap(), s7comm::Value::Bool(true));
    let batch = s7comm::Tag::parse("DB1.DBB100:STRING[20]").unwrap();
    assert_eq!(
        c.read_tag(&batch).unwrap(),
        s7comm::Value::String("B-0042".into())
    );
    let level = s7comm::Tag::parse("DB1.DBD24:REAL").unwrap();
    let s7comm::Value::Real(level) = c.read_tag(&level).unwrap() else {
        panic!("not a REAL");
    };
    assert!((0.0..=100.0).contains(&level), "{level}");
}

/// An HTTP GET on the control API with `Connection: close`: status line and body.
fn http_get(addr: &str, path: &str, token: Option<&str>) -> (String, String) {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn control_prints_a_second_line_and_serves_the_api() {
    let mock = Mock::start(&["--control", "127.0.0.1:0", "--log-capacity", "100"]);
    let line = mock
        .rest
        .recv_timeout(TIMEOUT)
        .expect("no `control on` line");
    let control = line
        .strip_prefix("control on http://")
        .unwrap_or_else(|| panic!("unexpected second line {line:?}"));
    let (status, body) = http_get(control, "/api/v1/status", None);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        body.contains(&format!("\"listen\":\"{}\"", mock.addr)),
        "{body}"
    );
    // With --control the request log is kept and served.
    let mut c = client(mock.addr);
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let (_, body) = http_get(control, "/api/v1/requests?wait_ms=5000", None);
    assert!(body.contains("\"function\":\"setup\""), "{body}");
    let (status, _) = mock.stop("TERM");
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn status_reports_the_preset_of_the_profile() {
    let profiles = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/profiles");
    for (file, preset) in [
        ("s7-300.toml", json!("s7-300")),
        ("s7-400.toml", json!("s7-400")),
        ("s7-1200.toml", json!("s7-1200")),
        ("s7-1500.toml", json!("s7-1500")),
        ("plant.toml", json!("s7-1500")),
    ] {
        let profile = format!("{profiles}/{file}");
        let mock = Mock::start(&["--profile", &profile, "--control", "127.0.0.1:0"]);
        let line = mock.rest.recv_timeout(TIMEOUT).unwrap();
        let control = line.strip_prefix("control on http://").unwrap();
        let (status, body) = http_get(control, "/api/v1/status", None);
        assert_eq!(status, "HTTP/1.1 200 OK");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["preset"], preset, "{file}: {body}");
        assert_eq!(body["cpu"], "run", "{file}: {body}");
        assert_eq!(body["listen"], mock.addr.to_string(), "{file}: {body}");
    }
    // Without a profile there is no preset.
    let mock = Mock::start(&["--control", "127.0.0.1:0"]);
    let line = mock.rest.recv_timeout(TIMEOUT).unwrap();
    let control = line.strip_prefix("control on http://").unwrap();
    let body: serde_json::Value =
        serde_json::from_str(&http_get(control, "/api/v1/status", None).1).unwrap();
    assert_eq!(body["preset"], serde_json::Value::Null, "{body}");
}

#[test]
fn the_request_log_keeps_ten_thousand_entries_unless_told_otherwise() {
    let args = s7_mock::cli::parse_args(["s7-mock", "--listen", "127.0.0.1:0"]).unwrap();
    assert_eq!(args.log_capacity, 10_000);
    assert_eq!(
        args.server_builder()
            .start()
            .unwrap()
            .request_log_capacity(),
        10_000
    );
    let args =
        s7_mock::cli::parse_args(["s7-mock", "--listen", "127.0.0.1:0", "--log-capacity", "7"])
            .unwrap();
    assert_eq!(
        args.server_builder()
            .start()
            .unwrap()
            .request_log_capacity(),
        7
    );
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    assert!(help.contains("[default: 10000]"), "{help}");
}

#[test]
fn control_with_a_token_needs_it() {
    let mock = Mock::start(&["--control", "127.0.0.1:0", "--control-token", "t0ken"]);
    let line = mock.rest.recv_timeout(TIMEOUT).unwrap();
    let control = line.strip_prefix("control on http://").unwrap();
    assert_eq!(
        http_get(control, "/api/v1/status", None).0,
        "HTTP/1.1 401 Unauthorized"
    );
    assert_eq!(
        http_get(control, "/api/v1/status", Some("t0ken")).0,
        "HTTP/1.1 200 OK"
    );
}

#[test]
fn control_on_a_non_loopback_address_needs_a_token() {
    let output = run(&["--listen", "127.0.0.1:0", "--control", "0.0.0.0:0"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--control-token"), "{stderr}");
    assert!(output.stdout.is_empty());
    let output = run(&["--listen", "127.0.0.1:0", "--control-token", "x"]);
    assert_eq!(output.status.code(), Some(2), "a token without --control");
}

/// How long a client the flags should leave alone is watched: longer than the mock's default
/// receive deadline (5 s), so that a `0` read as "the default" would show.
const LEFT_ALONE_FOR: Duration = Duration::from_millis(5500);

/// How long after a 300 ms deadline or timeout the mock may take to cut a client.
const CUT_WITHIN: Duration = Duration::from_millis(2000);

#[test]
fn receive_deadline_flag_cuts_a_client_stalled_mid_frame_and_0_turns_it_off() {
    let off = Mock::start(&["--receive-deadline-ms", "0"]);
    let mut waiting = connected(off.addr);
    waiting.write_all(&HALF_A_FRAME).unwrap();
    let left_alone = std::thread::spawn(move || still_open_after(&mut waiting, LEFT_ALONE_FOR));

    let on = Mock::start(&["--receive-deadline-ms", "300"]);
    let mut stalled = connected(on.addr);
    stalled.write_all(&HALF_A_FRAME).unwrap();
    let waited = time_to_close(&mut stalled);
    assert!(
        waited >= Duration::from_millis(250),
        "cut early: {waited:?}"
    );
    assert!(waited < CUT_WITHIN, "cut late: {waited:?}");
    // A client idle between requests is left alone by the deadline.
    let mut idle = client(on.addr);
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(idle.read_area(Area::DataBlock, 1, 0, 1).unwrap(), [0]);

    assert!(
        left_alone.join().unwrap(),
        "--receive-deadline-ms 0 cut a client stalled mid-frame"
    );
}

#[test]
fn idle_timeout_flag_cuts_a_silent_client_and_0_turns_it_off() {
    let off = Mock::start(&["--idle-timeout-ms", "0"]);
    let mut silent_on_off = connected(off.addr);
    let left_alone =
        std::thread::spawn(move || still_open_after(&mut silent_on_off, LEFT_ALONE_FOR));

    let on = Mock::start(&["--idle-timeout-ms", "300"]);
    let mut silent = connected(on.addr);
    let waited = time_to_close(&mut silent);
    assert!(
        waited >= Duration::from_millis(250),
        "cut early: {waited:?}"
    );
    assert!(waited < CUT_WITHIN, "cut late: {waited:?}");

    assert!(
        left_alone.join().unwrap(),
        "--idle-timeout-ms 0 cut a silent client"
    );
}

#[test]
fn a_protection_level_without_a_password_exits_with_code_2() {
    let output = run(&["--listen", "127.0.0.1:0", "--protection-level", "3"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("s7-mock: error: protection level 3 needs a password"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "no `listening on` line");
    // In a profile: the file, line and key.
    let file = TempFile::new(
        "protection.toml",
        b"[plc]\nlisten = \"127.0.0.1:0\"\nprotection_level = 2\n",
    );
    let output = run(&["--profile", file.path()]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:3: [plc] protection_level: level 2 needs a password",
            file.path()
        )),
        "{stderr}"
    );
    // The profile's level with the flag's password is served.
    let file = TempFile::new(
        "protection-ok.toml",
        b"[plc]\nlisten = \"127.0.0.1:0\"\npassword = \"secret\"\nprotection_level = 2\n",
    );
    let mut mock = Command::new(BINARY)
        .args(["--profile", file.path(), "--protection-level", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(mock.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on "), "{line:?}");
    mock.kill().unwrap();
    mock.wait().unwrap();
}
