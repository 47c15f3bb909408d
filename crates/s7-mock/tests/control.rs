//! The HTTP control API over real HTTP: every route, auth, malformed and oversized input, the
//! long poll; after each bad request the S7 side still serves.
#![cfg(feature = "control")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod server_support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use s7_client::Client;
use s7_mock::control::{ControlOptions, ControlServer, MAX_BODY};
use s7_mock::memory::Region;
use s7_mock::plc::CpuState;
use s7_mock::server::Server;
use s7comm::{Area, ItemAddress, ReturnCode, WriteItem};
use serde_json::{json, Value};
use server_support::{builder, client, options, TIMEOUT};

/// A server with the control API in front of it.
struct Mock {
    control: ControlServer,
    token: Option<String>,
}

impl Mock {
    fn start() -> Self {
        Self::with(builder(), None)
    }

    fn with(builder: s7_mock::ServerBuilder, token: Option<&str>) -> Self {
        let server = Arc::new(builder.start().unwrap());
        let mut options = ControlOptions::new("127.0.0.1:0".parse().unwrap());
        options.token = token.map(str::to_owned);
        let control = ControlServer::start(server, options).unwrap();
        Mock {
            control,
            token: token.map(str::to_owned),
        }
    }

    fn server(&self) -> &Server {
        self.control.server()
    }

    fn s7(&self) -> Client {
        client(self.server().local_addr())
    }

    /// Sends a request as raw bytes after the request line and headers; returns status, the
    /// headers and the body as JSON.
    fn raw(&self, head: &str, body: &[u8]) -> (u16, String, Value) {
        let (status, headers, body) = self.raw_text(head, body);
        let value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body:?}"))
        };
        (status, headers, value)
    }

    /// As [`raw`](Self::raw), with the body as the text sent.
    fn raw_text(&self, head: &str, body: &[u8]) -> (u16, String, String) {
        let mut stream = TcpStream::connect(self.control.local_addr()).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let auth = match &self.token {
            Some(token) if !head.contains("Authorization") => {
                format!("Authorization: Bearer {token}\r\n")
            }
            _ => String::new(),
        };
        let request = format!("{head}Host: mock\r\nConnection: close\r\n{auth}\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        // The server may answer (and close) before reading a refused body.
        let _ = stream.write_all(body);
        // Read up to the end of the body by its Content-Length (a connection the server
        // abandons stays open).
        let mut answer = Vec::new();
        let mut chunk = [0; 4096];
        loop {
            let text = String::from_utf8_lossy(&answer).into_owned();
            if let Some((headers, body)) = text.split_once("\r\n\r\n") {
                let len = headers
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                if body.len() >= len {
                    break;
                }
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
        let answer = String::from_utf8(answer).unwrap();
        let (headers, body) = answer
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("no answer: {answer:?}"));
        let status = headers[9..12].parse().unwrap();
        (status, headers.to_owned(), body.to_owned())
    }

    fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let body = body.unwrap_or("");
        let head = format!(
            "{method} /api/v1{path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        let (status, _, value) = self.raw(&head, body.as_bytes());
        (status, value)
    }

    fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None)
    }

    fn ok(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let (status, value) = self.call(method, path, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {value}"
        );
        value
    }

    /// A 4xx with an `error` message; returns the message.
    fn refused(&self, method: &str, path: &str, body: Option<&str>, status: u16) -> String {
        let (got, value) = self.call(method, path, body);
        assert_eq!(got, status, "{method} {path} {body:?}: {value}");
        let message = value["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {value}"));
        assert!(!message.is_empty());
        message.to_owned()
    }
}

/// The S7 side still answers.
fn s7_works(mock: &Mock) {
    let mut c = mock.s7();
    c.read_area(Area::DataBlock, 1, 0, 4).unwrap();
}

#[test]
fn status_reports_cpu_address_connections_and_requests() {
    let mock = Mock::start();
    let status = mock.ok("GET", "/status", None);
    assert_eq!(status["cpu"], "run");
    assert_eq!(status["listen"], mock.server().local_addr().to_string());
    assert_eq!(status["preset"], Value::Null);
    assert_eq!(status["connections"], 0);
    assert_eq!(status["requests"], 0);
    assert!(status["uptime_ms"].is_u64());

    let mut c = mock.s7();
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let status = mock.ok("GET", "/status", None);
    assert_eq!(status["connections"], 1);
    assert_eq!(status["requests"], 2); // setup communication and the read
    drop(c);
}

#[test]
fn memory_of_every_area_is_read_and_written() {
    let mock = Mock::start();
    let mut c = mock.s7();
    for (area, query) in [
        ("inputs", ""),
        ("outputs", ""),
        ("merkers", ""),
        ("db", "db=2&"),
    ] {
        let written = mock.ok(
            "PUT",
            &format!("/memory/{area}?{query}start=10"),
            Some(r#"{"hex":"0102aBff"}"#),
        );
        assert_eq!(written["written"], 4);
        let read = mock.ok("GET", &format!("/memory/{area}?{query}start=9&len=6"), None);
        assert_eq!(read["hex"], "000102abff00", "{area}");
    }
    // What the API wrote is what an S7 client reads, and the other way round.
    assert_eq!(
        c.read_area(Area::Flags, 0, 10, 4).unwrap(),
        [1, 2, 0xAB, 0xFF]
    );
    assert_eq!(
        c.read_area(Area::DataBlock, 2, 10, 4).unwrap(),
        [1, 2, 0xAB, 0xFF]
    );
    c.write_area(Area::Outputs, 0, 0, &[0xCA, 0xFE]).unwrap();
    assert_eq!(mock.ok("GET", "/memory/outputs?len=2", None)["hex"], "cafe");

    // Timers and counters: start and len in elements of two bytes.
    mock.ok(
        "PUT",
        "/memory/timers?start=3",
        Some(r#"{"hex":"12340056"}"#),
    );
    assert_eq!(mock.server().timer(3).unwrap(), 0x1234);
    assert_eq!(mock.server().timer(4).unwrap(), 0x0056);
    assert_eq!(
        mock.ok("GET", "/memory/timers?start=3&len=2", None)["hex"],
        "12340056"
    );
    mock.server().set_counter(15, 0xBEEF).unwrap();
    assert_eq!(
        mock.ok("GET", "/memory/counters?start=15&len=1", None)["hex"],
        "beef"
    );
    mock.ok("PUT", "/memory/counters", Some(r#"{"hex":"0007"}"#));
    assert_eq!(mock.server().counter(0).unwrap(), 7);
}

#[test]
fn memory_errors_name_the_area_and_leave_the_s7_side_alone() {
    let mock = Mock::start();
    let cases: &[(&str, &str, Option<&str>, u16, &str)] = &[
        (
            "GET",
            "/memory/inputs?start=60&len=10",
            None,
            400,
            "64 bytes",
        ),
        (
            "GET",
            "/memory/merkers?start=200&len=1",
            None,
            400,
            "128 bytes",
        ),
        (
            "PUT",
            "/memory/outputs?start=63",
            Some(r#"{"hex":"0102"}"#),
            400,
            "outputs",
        ),
        (
            "GET",
            "/memory/db?db=2&start=250&len=10",
            None,
            400,
            "data block 2",
        ),
        ("GET", "/memory/db?db=9&len=1", None, 404, "data block 9"),
        (
            "PUT",
            "/memory/db?db=9",
            Some(r#"{"hex":"00"}"#),
            404,
            "data block 9",
        ),
        (
            "GET",
            "/memory/timers?start=15&len=2",
            None,
            400,
            "16 timers",
        ),
        (
            "PUT",
            "/memory/counters?start=16",
            Some(r#"{"hex":"0001"}"#),
            400,
            "16 counters",
        ),
        (
            "PUT",
            "/memory/timers",
            Some(r#"{"hex":"000"}"#),
            400,
            "odd",
        ),
        (
            "PUT",
            "/memory/timers",
            Some(r#"{"hex":"00"}"#),
            400,
            "two bytes",
        ),
        (
            "GET",
            "/memory/peripherals?len=1",
            None,
            404,
            "unknown area",
        ),
        ("GET", "/memory/db?len=1", None, 400, "db=N"),
        ("GET", "/memory/inputs?db=1&len=1", None, 400, "`db`"),
        ("GET", "/memory/inputs", None, 400, "len"),
        ("GET", "/memory/inputs?len=-1", None, 400, "len"),
        (
            "GET",
            "/memory/inputs?len=1&colour=red",
            None,
            400,
            "colour",
        ),
        ("GET", "/memory/inputs?len=1&len=2", None, 400, "twice"),
        (
            "PUT",
            "/memory/inputs",
            Some(r#"{"hex":"zz"}"#),
            400,
            "non-hex",
        ),
        (
            "PUT",
            "/memory/inputs",
            Some(r#"{"hex":1}"#),
            400,
            "invalid type",
        ),
        (
            "PUT",
            "/memory/inputs",
            Some(r#"{"hex":"00","extra":1}"#),
            400,
            "unknown field",
        ),
        ("PUT", "/memory/inputs", Some(r#"{"hex":"00""#), 400, "json"),
        ("PUT", "/memory/inputs", None, 400, "json body is required"),
    ];
    for (method, path, body, status, needle) in cases {
        let message = mock.refused(method, path, *body, *status);
        assert!(
            message.contains(needle),
            "{method} {path}: {message:?} lacks {needle:?}"
        );
        s7_works(&mock);
    }
    // Nothing was written by the refused writes.
    assert_eq!(
        mock.server().read_bytes(Region::Outputs, 62, 2).unwrap(),
        [0, 0]
    );
}

#[test]
fn cpu_state_is_read_and_set() {
    let mock = Mock::start();
    assert_eq!(mock.ok("GET", "/cpu", None)["state"], "run");
    assert_eq!(
        mock.ok("PUT", "/cpu", Some(r#"{"state":"stop"}"#))["state"],
        "stop"
    );
    assert_eq!(mock.server().cpu_state(), CpuState::Stop);
    assert_eq!(mock.ok("GET", "/status", None)["cpu"], "stop");
    mock.ok("PUT", "/cpu", Some(r#"{"state":"run"}"#));
    assert_eq!(mock.server().cpu_state(), CpuState::Run);
    for body in [
        r#"{"state":"pause"}"#,
        r#"{"state":1}"#,
        r#"{}"#,
        r#"{"state":"run","x":0}"#,
        "[]",
    ] {
        mock.refused("PUT", "/cpu", Some(body), 400);
        s7_works(&mock);
    }
    assert_eq!(mock.server().cpu_state(), CpuState::Run);
}

#[test]
fn every_fault_kind_is_installed_and_listed() {
    let mock = Mock::start();
    let specs = [
        json!({"fault": "delay", "ms": 200, "when": {"function": "read_var"}, "times": 1}),
        json!({"fault": "close", "when": {"connection": 3}}),
        json!({"fault": "half_frame", "when": {"nth": 2}, "times": 2}),
        json!({"fault": "disconnect", "reason": "protocol_error", "times": "always"}),
        json!({"fault": "disconnect", "reason": 200}),
        json!({"fault": "error_tpdu", "cause": "invalid_tpdu_type"}),
        json!({"fault": "garbage", "hex": "deadbeef"}),
        json!({"fault": "garbage"}),
        json!({"fault": "stall", "when": {"function": "szl", "peer": "127.0.0.1:4000"}}),
        json!({"fault": "item_return_code", "index": 1, "return_code": "access_denied"}),
        json!({"fault": "item_return_code", "return_code": 10}),
        json!({"fault": "refuse", "reason": "congestion", "times": 5}),
    ];
    // Install them all, then remove them, before any S7 client could be hit.
    let mut ids = Vec::new();
    for spec in &specs {
        let answer = mock.ok("POST", "/faults", Some(&spec.to_string()));
        ids.push(answer["id"].as_u64().unwrap());
    }
    let listed = mock.ok("GET", "/faults", None)["faults"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(listed.len(), specs.len());
    assert_eq!(listed[0]["fault"], "delay");
    assert_eq!(listed[0]["ms"], 200);
    assert_eq!(listed[0]["when"]["function"], "read_var");
    assert_eq!(listed[0]["times"], 1);
    assert_eq!(listed[0]["hits"], 0);
    assert_eq!(listed[0]["pending"], true);
    assert_eq!(listed[3]["times"], "always");
    assert_eq!(listed[3]["remaining"], Value::Null);
    assert_eq!(listed[4]["reason"], 200);
    assert_eq!(listed[7]["hex"], "deadbeef00112233");
    assert_eq!(listed[8]["when"]["peer"], "127.0.0.1:4000");
    assert_eq!(listed[10]["return_code"], "object_does_not_exist");
    assert_eq!(listed[10]["index"], 0);
    assert_eq!(listed[11]["times"], 5);
    let one = mock.ok("GET", &format!("/faults/{}", ids[5]), None);
    assert_eq!(one["cause"], "invalid_tpdu_type");

    assert_eq!(
        mock.ok("DELETE", &format!("/faults/{}", ids[0]), None)["removed"],
        ids[0]
    );
    mock.refused("DELETE", &format!("/faults/{}", ids[0]), None, 404);
    mock.refused("GET", "/faults/999", None, 404);
    mock.refused("DELETE", "/faults/abc", None, 400);
    assert_eq!(
        mock.ok("DELETE", "/faults", None)["removed"],
        specs.len() - 1
    );
    assert!(mock.ok("GET", "/faults", None)["faults"]
        .as_array()
        .unwrap()
        .is_empty());
    s7_works(&mock);
}

#[test]
fn injected_faults_fire_and_count_their_hits() {
    let mock = Mock::start();
    let mut c = mock.s7();
    let id = mock.ok(
        "POST",
        "/faults",
        Some(r#"{"fault":"delay","ms":200,"when":{"function":"read_var"},"times":1}"#),
    )["id"]
        .as_u64()
        .unwrap();
    let started = Instant::now();
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    let rule = mock.ok("GET", &format!("/faults/{id}"), None);
    assert_eq!(rule["hits"], 1);
    assert_eq!(rule["pending"], false);
    assert_eq!(rule["remaining"], 0);

    mock.ok(
        "POST",
        "/faults",
        Some(r#"{"fault":"item_return_code","index":0,"return_code":"access_denied"}"#),
    );
    let items = c
        .read_items(&[ItemAddress::bytes(Area::DataBlock, 1, 0, 2)])
        .unwrap();
    assert_eq!(items[0].return_code, ReturnCode::AccessDenied);
    assert!(c.read_area(Area::DataBlock, 1, 0, 2).is_ok());

    mock.ok(
        "POST",
        "/faults",
        Some(r#"{"fault":"refuse","times":"always"}"#),
    );
    assert!(Client::connect(options(mock.server().local_addr())).is_err());
    mock.ok("DELETE", "/faults", None);
    s7_works(&mock);
}

#[test]
fn fault_rules_match_every_function_name() {
    let mock = Mock::start();
    let mut c = mock.s7();
    type Action = fn(&mut Client, &Mock);
    let cases: [(Value, Action, u64); 11] = [
        (json!("setup"), |_, mock| drop(mock.s7()), 1),
        (
            json!("read_var"),
            |c, _| drop(c.read_db(1, 0, 1).unwrap()),
            1,
        ),
        (
            json!("write_var"),
            |c, _| c.write_db(1, 0, &[7]).unwrap(),
            1,
        ),
        (json!("szl"), |c, _| drop(c.read_szl(0x0011, 0).unwrap()), 1),
        (
            json!("read_clock"),
            |c, _| {
                c.read_clock().unwrap();
            },
            1,
        ),
        (
            json!("set_clock"),
            |c, _| {
                let now = c.read_clock().unwrap();
                c.set_clock(&now).unwrap();
            },
            1,
        ),
        // `clock` matches the read and the set.
        (
            json!("clock"),
            |c, _| {
                let now = c.read_clock().unwrap();
                c.set_clock(&now).unwrap();
            },
            2,
        ),
        (json!("stop"), |c, _| c.plc_stop().unwrap(), 1),
        (json!("control"), |c, _| c.plc_hot_start().unwrap(), 1),
        // A list matches any function in it.
        (
            json!(["read_var", "write_var"]),
            |c, _| {
                c.write_db(1, 0, &[8]).unwrap();
                assert_eq!(c.read_db(1, 0, 1).unwrap(), [8]);
            },
            2,
        ),
        (
            json!(["szl", "clock"]),
            |c, _| {
                drop(c.read_szl(0x0011, 0).unwrap());
                c.read_clock().unwrap();
            },
            2,
        ),
    ];
    for (function, action, hits) in cases {
        let spec =
            json!({"fault": "delay", "ms": 1, "when": {"function": function}, "times": "always"});
        let id = mock.ok("POST", "/faults", Some(&spec.to_string()))["id"]
            .as_u64()
            .unwrap();
        // Requests of other functions do not count: a read var, or a write for the others.
        if function == json!("read_var") {
            c.write_db(1, 2, &[1]).unwrap();
        } else if function != json!(["read_var", "write_var"]) {
            drop(c.read_db(1, 2, 1).unwrap());
        }
        assert_eq!(
            mock.ok("GET", &format!("/faults/{id}"), None)["hits"],
            0,
            "{function}"
        );
        action(&mut c, &mock);
        let rule = mock.ok("GET", &format!("/faults/{id}"), None);
        assert_eq!(rule["hits"], hits, "{function}");
        // Listed as given.
        assert_eq!(rule["when"]["function"], function);
        mock.ok("DELETE", &format!("/faults/{id}"), None);
    }
    s7_works(&mock);
}

#[test]
fn bad_fault_rules_are_refused_with_400() {
    let mock = Mock::start();
    for body in [
        r#"{"fault":"delay"}"#,
        r#"{"fault":"delay","ms":"slow"}"#,
        r#"{"fault":"delay","ms":-5}"#,
        r#"{"fault":"close","ms":3}"#,
        r#"{"fault":"explode"}"#,
        r#"{"fault":"close","colour":"red"}"#,
        r#"{"fault":"close","when":{"function":"read_everything"}}"#,
        r#"{"fault":"close","when":{"function":"clocks"}}"#,
        r#"{"fault":"close","when":{"function":[]}}"#,
        r#"{"fault":"close","when":{"function":["read_var","nothing"]}}"#,
        r#"{"fault":"close","when":{"function":4}}"#,
        r#"{"fault":"close","when":{"weekday":"monday"}}"#,
        r#"{"fault":"close","when":{"nth":0}}"#,
        r#"{"fault":"close","when":{"connection":"first"}}"#,
        r#"{"fault":"close","times":0}"#,
        r#"{"fault":"close","times":"sometimes"}"#,
        r#"{"fault":"disconnect","reason":"bored"}"#,
        r#"{"fault":"disconnect","reason":300}"#,
        r#"{"fault":"error_tpdu","cause":"why"}"#,
        r#"{"fault":"garbage","hex":"xyz"}"#,
        r#"{"fault":"item_return_code"}"#,
        r#"{"fault":"item_return_code","return_code":"nope"}"#,
        r#"{"ms":200}"#,
        r#"{"fault":"close""#,
        r#"not json"#,
        r#"[1,2,3]"#,
    ] {
        mock.refused("POST", "/faults", Some(body), 400);
        s7_works(&mock);
    }
    assert!(mock.ok("GET", "/faults", None)["faults"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn the_request_log_is_read_after_a_sequence_number() {
    let mock = Mock::start();
    let mut c = mock.s7();
    let peer = c.connection().local_addr().unwrap().to_string();
    c.read_items(&[
        ItemAddress::bytes(Area::DataBlock, 1, 4, 2),
        ItemAddress::bit(Area::Flags, 0, 3, 5),
        ItemAddress::timers(2, 3),
    ])
    .unwrap();
    c.write_items(vec![WriteItem::new(
        ItemAddress::bytes(Area::Outputs, 0, 8, 2),
        vec![0xAB, 0xCD],
    )])
    .unwrap();

    let page = mock.ok("GET", "/requests", None);
    let requests = page["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 3);
    assert_eq!(page["next"], 3);
    assert_eq!(page["dropped"], 0);
    assert_eq!(requests[0]["function"], "setup");
    assert_eq!(requests[0]["sequence"], 1);
    assert_eq!(requests[0]["connection"], 1);
    assert_eq!(requests[0]["peer"], peer);
    assert_eq!(requests[0]["fault"], Value::Null);
    let read = &requests[1];
    assert_eq!(read["function"], "read_var");
    assert_eq!(
        read["items"][0],
        json!({"area": "db", "db": 1, "start": 4, "len": 2, "type": "byte"})
    );
    assert_eq!(
        read["items"][1],
        json!({"area": "merkers", "db": null, "start": 3, "bit": 5, "len": 1, "type": "bit"})
    );
    assert_eq!(
        read["items"][2],
        json!({"area": "timers", "db": null, "start": 2, "len": 3, "type": "timer"})
    );
    let write = &requests[2];
    assert_eq!(write["function"], "write_var");
    assert_eq!(
        write["items"][0],
        json!({"area": "outputs", "db": null, "start": 8, "len": 2, "type": "byte", "hex": "abcd"})
    );

    // After a sequence number, with a limit.
    let page = mock.ok("GET", "/requests?since=1&limit=1", None);
    assert_eq!(page["requests"].as_array().unwrap().len(), 1);
    assert_eq!(page["requests"][0]["sequence"], 2);
    assert_eq!(page["next"], 2);
    let page = mock.ok("GET", "/requests?since=3", None);
    assert!(page["requests"].as_array().unwrap().is_empty());
    assert_eq!(page["next"], 3);

    // The fault that fired is in the entry.
    mock.ok("POST", "/faults", Some(r#"{"fault":"delay","ms":1}"#));
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let page = mock.ok("GET", "/requests?since=3", None);
    assert_eq!(
        page["requests"][0]["fault"],
        json!({"fault": "delay", "ms": 1})
    );

    for bad in [
        "/requests?since=x",
        "/requests?limit=0",
        "/requests?wait=5",
        "/requests?wait_ms=-1",
    ] {
        mock.refused("GET", bad, None, 400);
        s7_works(&mock);
    }
}

#[test]
fn a_long_poll_ends_when_a_request_arrives() {
    let mock = Arc::new(Mock::start());
    let mut c = mock.s7();
    let since = mock.ok("GET", "/requests", None)["next"].as_u64().unwrap();
    let poller = {
        let mock = Arc::clone(&mock);
        std::thread::spawn(move || {
            let started = Instant::now();
            let page = mock.ok(
                "GET",
                &format!("/requests?since={since}&wait_ms=20000"),
                None,
            );
            (page, started.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let (page, waited) = poller.join().unwrap();
    assert!(waited < Duration::from_secs(10), "waited {waited:?}");
    assert_eq!(page["requests"][0]["function"], "read_var");
    assert_eq!(page["next"], since + 1);

    // Without a request the wait runs out and the page is empty.
    let started = Instant::now();
    let page = mock.ok(
        "GET",
        &format!("/requests?since={}&wait_ms=150", since + 1),
        None,
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert!(page["requests"].as_array().unwrap().is_empty());
}

#[test]
fn dropping_the_control_server_cuts_a_long_poll_short() {
    let mock = Mock::start();
    let addr = mock.control.local_addr();
    let poller = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream
            .write_all(b"GET /api/v1/requests?since=0&wait_ms=30000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        answer
    });
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    drop(mock);
    assert!(started.elapsed() < Duration::from_secs(5));
    let answer = String::from_utf8(poller.join().unwrap()).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn a_full_log_drops_its_oldest_entries_and_counts_them() {
    let mock = Mock::with(builder().request_log_capacity(3), None);
    let mut c = mock.s7();
    for _ in 0..5 {
        c.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    }
    // Six requests, three kept.
    let page = mock.ok("GET", "/requests", None);
    let sequences: Vec<u64> = page["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(sequences, [4, 5, 6]);
    assert_eq!(page["dropped"], 3);
    assert_eq!(mock.ok("GET", "/requests?since=4", None)["dropped"], 0);
    assert_eq!(mock.server().dropped_requests(), 3);
    assert_eq!(mock.server().requests().len(), 3);
}

#[test]
fn connections_are_listed_and_dropped() {
    let mock = Mock::start();
    let mut a = mock.s7();
    let mut b = mock.s7();
    b.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    let list = mock.ok("GET", "/connections", None)["connections"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], 1);
    assert_eq!(
        list[0]["peer"],
        a.connection().local_addr().unwrap().to_string()
    );
    assert_eq!(list[0]["requests"], 1);
    assert_eq!(list[1]["requests"], 2);
    assert!(list[0]["since"].as_u64().unwrap() > 1_600_000_000_000);

    assert_eq!(mock.ok("DELETE", "/connections/1", None)["closed"], 1);
    assert!(a.read_area(Area::DataBlock, 1, 0, 1).is_err());
    mock.server().wait_for_open_connections(1, TIMEOUT).unwrap();
    b.read_area(Area::DataBlock, 1, 0, 1).unwrap();
    mock.refused("DELETE", "/connections/1", None, 404);
    mock.refused("DELETE", "/connections/77", None, 404);
    mock.refused("DELETE", "/connections/one", None, 400);
    let list = mock.ok("GET", "/connections", None)["connections"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], 2);
}

#[test]
fn reset_restores_memory_cpu_and_clears_faults_and_log() {
    let mock = Mock::with(builder().data_block_with(3, vec![7, 8, 9]), None);
    let mut c = mock.s7();
    c.write_area(Area::DataBlock, 3, 0, &[0, 0, 0]).unwrap();
    mock.ok("PUT", "/memory/inputs", Some(r#"{"hex":"ff"}"#));
    mock.ok("PUT", "/cpu", Some(r#"{"state":"stop"}"#));
    mock.ok(
        "POST",
        "/faults",
        Some(r#"{"fault":"delay","ms":5000,"when":{"function":"write_var"}}"#),
    );
    mock.refused("POST", "/reset", Some(r#"{"memory":false}"#), 400);

    assert_eq!(mock.ok("POST", "/reset", None)["reset"], true);
    assert_eq!(c.read_area(Area::DataBlock, 3, 0, 3).unwrap(), [7, 8, 9]);
    assert_eq!(mock.server().read_bytes(Region::Inputs, 0, 1).unwrap(), [0]);
    assert_eq!(mock.server().cpu_state(), CpuState::Run);
    assert!(mock.ok("GET", "/faults", None)["faults"]
        .as_array()
        .unwrap()
        .is_empty());
    // Only the read after the reset is logged; sequence numbers go on.
    let page = mock.ok("GET", "/requests", None);
    assert_eq!(page["requests"].as_array().unwrap().len(), 1);
    assert_eq!(page["requests"][0]["sequence"], 3);
    let started = Instant::now();
    c.write_area(Area::DataBlock, 3, 0, &[1]).unwrap();
    assert!(started.elapsed() < Duration::from_secs(4));
    mock.ok("POST", "/reset", Some("{}"));
}

#[test]
fn with_a_token_every_request_needs_it() {
    let mock = Mock::with(builder(), Some("s3cret"));
    // The helper sends the right token unless the request names one.
    assert_eq!(mock.get("/status").0, 200);
    assert_eq!(
        mock.ok("PUT", "/cpu", Some(r#"{"state":"stop"}"#))["state"],
        "stop"
    );
    for header in [
        "Authorization: Bearer wrong\r\n",
        "Authorization: Bearer s3cre\r\n",
        "Authorization: Bearer s3cret2\r\n",
        "Authorization: s3cret\r\n",
        "Authorization: Bearer \r\n",
    ] {
        let (status, headers, body) =
            mock.raw(&format!("GET /api/v1/status HTTP/1.1\r\n{header}"), b"");
        assert_eq!(status, 401, "{header:?}: {body}");
        assert!(headers.contains("WWW-Authenticate: Bearer"), "{headers}");
        s7_works(&mock);
    }
    let (status, _, _) = mock.raw(
        "GET /api/v1/status HTTP/1.1\r\nAuthorization: Bearer s3cret\r\n",
        b"",
    );
    assert_eq!(status, 200);
    // Without the header at all (the helper adds the token unless one is given).
    let anonymous = Mock {
        control: ControlServer::start(
            Arc::clone(mock.control.server()),
            ControlOptions::new("127.0.0.1:0".parse().unwrap()).token("other"),
        )
        .unwrap(),
        token: None,
    };
    let (status, value) = anonymous.get("/status");
    assert_eq!(status, 401);
    assert!(value["error"].as_str().unwrap().contains("token"));
    s7_works(&mock);
}

#[test]
fn a_non_loopback_address_needs_a_token() {
    let server = Arc::new(builder().start().unwrap());
    let addr: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let error = ControlServer::start(Arc::clone(&server), ControlOptions::new(addr)).unwrap_err();
    assert_eq!(error, s7_mock::Error::ControlNotLoopback(addr));
    assert!(
        ControlServer::start(Arc::clone(&server), ControlOptions::new(addr).token("")).is_err()
    );
    let control = ControlServer::start(server, ControlOptions::new(addr).token("t")).unwrap();
    assert_ne!(control.local_addr().port(), 0);
}

#[test]
fn unknown_routes_methods_and_oversized_bodies_are_refused() {
    let mock = Mock::start();
    for path in ["/nothing", "/memory", "/faults/1/2", "/status/extra"] {
        mock.refused("GET", path, None, 404);
    }
    let (status, _, _) = mock.raw("GET /status HTTP/1.1\r\n", b"");
    assert_eq!(status, 404);
    let (status, headers, body) =
        mock.raw("PATCH /api/v1/cpu HTTP/1.1\r\nContent-Length: 0\r\n", b"");
    assert_eq!(status, 405, "{body}");
    assert!(headers.contains("Allow: GET, PUT"), "{headers}");
    mock.refused("POST", "/status", None, 405);
    s7_works(&mock);

    // A declared length over 1 MiB is refused before reading.
    let big = vec![b' '; MAX_BODY + 1];
    let head = format!(
        "PUT /api/v1/cpu HTTP/1.1\r\nContent-Length: {}\r\n",
        big.len()
    );
    let (status, _, body) = mock.raw(&head, &big);
    assert_eq!(status, 413, "{body}");
    s7_works(&mock);
    // A forged huge length without the body costs nothing either.
    let (status, _, _) = mock.raw(
        "PUT /api/v1/cpu HTTP/1.1\r\nContent-Length: 999999999999999\r\n",
        b"{}",
    );
    assert_eq!(status, 413);
    s7_works(&mock);
    // A chunked body is cut off once it passes 1 MiB.
    let mut chunked = Vec::new();
    for _ in 0..20 {
        chunked.extend_from_slice(format!("{:x}\r\n", 65536).as_bytes());
        chunked.extend_from_slice(&[b' '; 65536]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, _, _) = mock.raw(
        "PUT /api/v1/cpu HTTP/1.1\r\nTransfer-Encoding: chunked\r\n",
        &chunked,
    );
    assert_eq!(status, 413);
    s7_works(&mock);
    // Exactly 1 MiB is read (and then refused as JSON).
    let mut exact = vec![b' '; MAX_BODY];
    exact[..18].copy_from_slice(br#"{"state": "stop"} "#.split_at(18).0);
    let head = format!(
        "PUT /api/v1/cpu HTTP/1.1\r\nContent-Length: {}\r\n",
        exact.len()
    );
    let (status, _, body) = mock.raw(&head, &exact);
    assert_eq!(status, 200, "{body}");
    assert_eq!(mock.server().cpu_state(), CpuState::Stop);
    s7_works(&mock);
}

/// The standard layout with named tags: a REAL, a BOOL, a STRING, an INT array and a ramp on
/// a manual clock.
fn tagged(clock: &s7_mock::tags::TagClock) -> Mock {
    use s7_mock::profile::Simulation;
    use s7comm::{Tag, Value as S7};
    let builder = builder()
        .tag(
            "motor_speed",
            Tag::parse("DB1.DBD20:REAL").unwrap(),
            S7::Real(1500.0),
        )
        .tag(
            "running",
            Tag::parse("DB1.DBX50.3").unwrap(),
            S7::Bool(true),
        )
        .tag(
            "batch",
            Tag::parse("DB1.DBB100:STRING[20]").unwrap(),
            S7::String("B-0042".into()),
        )
        .tag(
            "setpoints",
            Tag::parse("DB2.DBW0:INT[3]").unwrap(),
            S7::Array(vec![S7::Int(1), S7::Int(-2), S7::Int(3)]),
        )
        .simulated_tag(
            "level",
            Tag::parse("DB1.DBD24:REAL").unwrap(),
            Simulation::Ramp {
                min: 0.0,
                max: 100.0,
                period_ms: 1000,
            },
        )
        .tag_clock(clock.clone());
    Mock::with(builder, None)
}

#[test]
fn tags_are_listed_and_read_by_name_or_address() {
    let clock = s7_mock::tags::TagClock::manual();
    let mock = tagged(&clock);
    let all = mock.ok("GET", "/tags", None);
    assert_eq!(
        all["tags"],
        json!([
            {"name": "motor_speed", "address": "DB1.DBD20", "type": "REAL", "value": 1500.0},
            {"name": "running", "address": "DB1.DBX50.3", "type": "BOOL", "value": true},
            {"name": "batch", "address": "DB1.DBB100", "type": "STRING[20]", "value": "B-0042"},
            {"name": "setpoints", "address": "DB2.DBW0", "type": "INT[3]", "value": [1, -2, 3]},
            {"name": "level", "address": "DB1.DBD24", "type": "REAL", "value": 0.0, "simulating": true},
        ])
    );
    assert_eq!(
        mock.ok("GET", "/tags/motor_speed", None),
        json!({"name": "motor_speed", "address": "DB1.DBD20", "type": "REAL", "value": 1500.0})
    );
    // The keys in the same order in the listing and for one tag, as documented.
    let text = |path: &str| {
        let (status, _, body) = mock.raw_text(&format!("GET /api/v1{path} HTTP/1.1\r\n"), b"");
        assert_eq!(status, 200, "{path}: {body}");
        body
    };
    let one = r#"{"name":"motor_speed","address":"DB1.DBD20","type":"REAL","value":1500.0}"#;
    assert_eq!(text("/tags/motor_speed"), one);
    let listing = text("/tags");
    assert!(
        listing.starts_with(&format!(r#"{{"tags":[{one},"#)),
        "{listing}"
    );
    assert!(
        listing.contains(
            r#"{"name":"level","address":"DB1.DBD24","type":"REAL","value":0.0,"simulating":true}"#
        ),
        "{listing}"
    );
    // Addresses in any dialect, typed or not, URL-encoded or not; a named tag's place shows
    // its name.
    for path in [
        "/tags/DB1.DBD20:REAL",
        "/tags/DB1.DBD20%3AREAL",
        "/tags/%25DB1.DBD20:REAL",
        "/tags/DB1,REAL20",
    ] {
        assert_eq!(mock.ok("GET", path, None)["name"], "motor_speed", "{path}");
        assert_eq!(mock.ok("GET", path, None)["value"], 1500.0, "{path}");
    }
    assert_eq!(
        mock.ok("GET", "/tags/DB1.DBD20", None),
        json!({"name": null, "address": "DB1.DBD20", "type": "DWORD", "value": 0x44BB_8000u32})
    );
    // The simulation is computed when read.
    clock.set(Duration::from_millis(250));
    assert_eq!(mock.ok("GET", "/tags/level", None)["value"], 25.0);
    clock.set(Duration::from_millis(500));
    assert_eq!(
        mock.ok("GET", "/memory/db?db=1&start=24&len=4", None)["hex"],
        "42480000",
        "50.0 in memory"
    );
    s7_works(&mock);
}

#[test]
fn paths_and_query_values_are_percent_decoded() {
    let clock = s7_mock::tags::TagClock::manual();
    let mock = tagged(&clock);
    // Tag names and addresses in the path.
    assert_eq!(mock.ok("GET", "/tags/motor%5Fspeed", None)["value"], 1500.0);
    assert_eq!(
        mock.ok("GET", "/tags/DB1.DBX50%2E3", None)["name"],
        "running"
    );
    let answer = mock.ok(
        "PUT",
        "/tags/DB2.DBW0%3AINT%5B3%5D",
        Some(r#"{"value": [4, 5, 6]}"#),
    );
    assert_eq!(
        (answer["name"].clone(), answer["value"].clone()),
        (json!("setpoints"), json!([4, 5, 6]))
    );
    // Every segment, the area and the prefix too, and every query name and value.
    assert_eq!(
        mock.ok("GET", "/memory/%64b?db=%31&start=%32%30&len=4", None)["hex"],
        "44bb8000"
    );
    let (status, _, value) = mock.raw(
        "GET /api/%761/memory/db?d%62=1&start=20&len=%34 HTTP/1.1\r\n",
        b"",
    );
    assert_eq!((status, value["hex"].clone()), (200, json!("44bb8000")));
    mock.ok("PUT", "/memory/merkers?start=%34", Some(r#"{"hex":"ab"}"#));
    assert_eq!(
        mock.ok("GET", "/memory/merkers?start=4&len=1", None)["hex"],
        "ab"
    );
    mock.s7().read_db(1, 0, 1).unwrap();
    mock.s7().read_db(1, 0, 1).unwrap();
    let page = mock.ok("GET", "/requests?since=%31&limit=%31", None);
    assert_eq!(page["requests"].as_array().unwrap().len(), 1);
    assert!(page["requests"][0]["sequence"].as_u64().unwrap() > 1);
    let id = mock.ok("POST", "/faults", Some(r#"{"fault":"stall"}"#))["id"]
        .as_u64()
        .unwrap();
    assert_eq!(mock.ok("GET", &format!("/faults/%3{id}"), None)["id"], id);
    mock.ok("DELETE", "/faults", None);
    // What decodes to nonsense is refused with the decoded text.
    let message = mock.refused("GET", "/requests?since=%2D1", None, 400);
    assert!(message.contains(r#"since="-1""#), "{message}");
    let message = mock.refused("GET", "/tags/%ff", None, 400);
    assert!(message.contains("utf-8"), "{message}");
    mock.refused("GET", "/requests?since=1&%73ince=2", None, 400);
    mock.refused("GET", "/tags/no%20such%20tag", None, 404);
    s7_works(&mock);
}

#[test]
fn a_value_set_through_the_api_is_read_by_a_client_and_the_other_way_round() {
    use s7comm::{Tag, Value as S7};
    let clock = s7_mock::tags::TagClock::manual();
    let mock = tagged(&clock);
    let mut c = mock.s7();

    let answer = mock.ok("PUT", "/tags/motor_speed", Some(r#"{"value": 1234.5}"#));
    assert_eq!(answer["value"], 1234.5);
    let speed = Tag::parse("DB1.DBD20:REAL").unwrap();
    assert_eq!(c.read_tag(&speed).unwrap(), S7::Real(1234.5));
    mock.ok("PUT", "/tags/running", Some(r#"{"value": false}"#));
    assert_eq!(
        c.read_tag(&Tag::parse("DB1.DBX50.3").unwrap()).unwrap(),
        S7::Bool(false)
    );
    mock.ok("PUT", "/tags/batch", Some(r#"{"value": "B-0043"}"#));
    assert_eq!(
        c.read_tag(&Tag::parse("DB1.DBB100:STRING[20]").unwrap())
            .unwrap(),
        S7::String("B-0043".into())
    );
    mock.ok(
        "PUT",
        "/tags/setpoints",
        Some(r#"{"value": [7, 8, "16#9"]}"#),
    );
    assert_eq!(
        c.read_tag(&Tag::parse("DB2.DBW0:INT[3]").unwrap()).unwrap(),
        S7::Array(vec![S7::Int(7), S7::Int(8), S7::Int(9)])
    );
    // An address without a type takes one from the body; one with a type needs none.
    let answer = mock.ok(
        "PUT",
        "/tags/DB2.DBD10",
        Some(r#"{"value": -70000, "type": "DINT"}"#),
    );
    assert_eq!(
        answer,
        json!({"name": null, "address": "DB2.DBD10", "type": "DINT", "value": -70000})
    );
    assert_eq!(
        c.read_tag(&Tag::parse("DB2.DBD10:DINT").unwrap()).unwrap(),
        S7::DInt(-70000)
    );
    mock.ok("PUT", "/tags/MW4:UINT", Some(r#"{"value": 65535}"#));
    assert_eq!(mock.server().read_u16(Region::Flags, 4).unwrap(), 65535);
    // A client's write is what the API reads, and it stops a simulation.
    c.write_tag(&speed, &S7::Real(-0.5)).unwrap();
    assert_eq!(mock.ok("GET", "/tags/motor_speed", None)["value"], -0.5);
    c.write_tag(&Tag::parse("DB1.DBD24:REAL").unwrap(), &S7::Real(42.0))
        .unwrap();
    clock.set(Duration::from_millis(700));
    let level = mock.ok("GET", "/tags/level", None);
    assert_eq!(level["value"], 42.0);
    assert_eq!(level["simulating"], false);
    // Reset starts it again.
    mock.ok("POST", "/reset", None);
    let level = mock.ok("GET", "/tags/level", None);
    assert_eq!(
        (level["value"].as_f64(), level["simulating"].as_bool()),
        (Some(70.0), Some(true))
    );
    assert_eq!(mock.ok("GET", "/tags/motor_speed", None)["value"], 1500.0);
}

#[test]
fn a_memory_write_over_a_simulated_tag_stops_it() {
    use s7_mock::profile::Simulation;
    use s7comm::Tag;
    let clock = s7_mock::tags::TagClock::manual();
    let ramp = Simulation::Ramp {
        min: 0.0,
        max: 100.0,
        period_ms: 1000,
    };
    let square = Simulation::Square {
        low: 0.0,
        high: 1.0,
        period_ms: 1000,
    };
    let builder = builder()
        .simulated_tag("level", Tag::parse("DB1.DBD24:REAL").unwrap(), ramp.clone())
        .simulated_tag("other", Tag::parse("DB2.DBD24:REAL").unwrap(), ramp)
        .simulated_tag("blink", Tag::parse("M10.2").unwrap(), square)
        .tag_clock(clock.clone());
    let mock = Mock::with(builder, None);
    let simulating =
        |name: &str| mock.ok("GET", &format!("/tags/{name}"), None)["simulating"].clone();

    // Next to a tag, in another block or another bit's byte elsewhere: nothing stops.
    mock.ok("PUT", "/memory/db?db=1&start=28", Some(r#"{"hex":"ffff"}"#));
    mock.ok(
        "PUT",
        "/memory/db?db=1&start=20",
        Some(r#"{"hex":"ffffffff"}"#),
    );
    mock.ok("PUT", "/memory/db?db=2&start=0", Some(r#"{"hex":"00"}"#));
    mock.ok("PUT", "/memory/merkers?start=11", Some(r#"{"hex":"ff"}"#));
    for name in ["level", "other", "blink"] {
        assert_eq!(simulating(name), true, "{name}");
    }

    // Raw bytes over DB1.DBD24 (42.0) stop `level` alone; the value stays as time goes on.
    mock.ok(
        "PUT",
        "/memory/db?db=1&start=24",
        Some(r#"{"hex":"42280000"}"#),
    );
    clock.set(Duration::from_millis(300));
    let level = mock.ok("GET", "/tags/level", None);
    assert_eq!(
        (level["value"].clone(), level["simulating"].clone()),
        (json!(42.0), json!(false))
    );
    let other = mock.ok("GET", "/tags/other", None);
    assert_eq!(
        (other["value"].clone(), other["simulating"].clone()),
        (json!(30.0), json!(true))
    );
    // A client reads what was written, not the ramp.
    let mut c = mock.s7();
    assert_eq!(
        c.read_tag(&Tag::parse("DB1.DBD24:REAL").unwrap()).unwrap(),
        s7comm::Value::Real(42.0)
    );

    // A write of two bytes that only partly covers M10 stops the BOOL at M10.2 too: at 700 ms
    // the square would be high, but the tag keeps the bit written (clear).
    mock.ok("PUT", "/memory/merkers?start=9", Some(r#"{"hex":"0000"}"#));
    clock.set(Duration::from_millis(700));
    let blink = mock.ok("GET", "/tags/blink", None);
    assert_eq!(
        (blink["value"].clone(), blink["simulating"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(simulating("other"), true);

    // A refused write stops nothing.
    mock.refused(
        "PUT",
        "/memory/db?db=2&start=24",
        Some(r#"{"hex":"4"}"#),
        400,
    );
    assert_eq!(simulating("other"), true);

    // Reset starts both again.
    mock.ok("POST", "/reset", None);
    for name in ["level", "blink"] {
        assert_eq!(simulating(name), true, "{name}");
    }
}

#[test]
fn values_of_every_kind_have_a_json_form_that_reads_back() {
    let mock = Mock::start();
    let cases: &[(&str, &str, Value)] = &[
        ("DB2.DBB0:SINT", "-5", json!(-5)),
        ("DB2.DBB1:CHAR", r#""A""#, json!("A")),
        ("DB2.DBW2:WCHAR", r#""€""#, json!("€")),
        ("DB2.DBW4:DATE", r#""2024-03-15""#, json!("2024-03-15")),
        ("DB2.DBW4:DATE", r#""D#2024-03-16""#, json!("2024-03-16")),
        ("DB2.DBW6:S5TIME", r#""S5T#2s""#, json!(2000)),
        ("DB2.DBD8:TIME", r#""T#1m""#, json!(60000)),
        ("DB2.DBD8:TIME", "-250", json!(-250)),
        (
            "DB2.DBD12:TOD",
            r#""TOD#12:34:56.789""#,
            json!("12:34:56.789"),
        ),
        ("DB2.DBB16:LTIME", "1500000", json!(1_500_000)),
        ("DB2.DBB24:LWORD", "18446744073709551615", json!(u64::MAX)),
        ("DB2.DBB32:LREAL", "0.1", json!(0.1)),
        ("DB2.DBD40:REAL", "0.1", json!(0.1)),
        ("DB2.DBD40:REAL", r#""NaN""#, json!("NaN")),
        ("DB2.DBD40:REAL", r#""-inf""#, json!("-inf")),
        (
            "DB2.DBB44:DT",
            r#""DT#2024-03-15-12:34:56.789""#,
            json!("2024-03-15-12:34:56.789"),
        ),
        (
            "DB2.DBB52:DTL",
            r#""2024-03-15-12:34:56.123456789""#,
            json!("2024-03-15-12:34:56.123456789"),
        ),
        ("DB2.DBB64:WSTRING[8]", r#""Grüße""#, json!("Grüße")),
        (
            "DB2.DBX90.6:BOOL[3]",
            "[true, false, true]",
            json!([true, false, true]),
        ),
        ("C3", r#""C#42""#, json!(66)),
        ("T3", "4660", json!(4660)),
    ];
    for (address, value, expected) in cases {
        let path = format!("/tags/{address}");
        let answer = mock.ok("PUT", &path, Some(&format!(r#"{{"value": {value}}}"#)));
        assert_eq!(&answer["value"], expected, "{address} = {value}");
        // What comes out goes back in.
        let again = mock.ok("PUT", &path, Some(&format!(r#"{{"value": {expected}}}"#)));
        assert_eq!(&again["value"], expected, "{address} = {expected}");
        assert_eq!(&mock.ok("GET", &path, None)["value"], expected, "{address}");
    }
}

#[test]
fn tag_errors_are_400_404_or_409_and_leave_the_s7_side_alone() {
    let clock = s7_mock::tags::TagClock::manual();
    let mock = tagged(&clock);
    let cases: &[(&str, &str, Option<&str>, u16, &str)] = &[
        (
            "GET",
            "/tags/motor_sped",
            None,
            404,
            "no tag named \"motor_sped\"",
        ),
        (
            "GET",
            "/tags/DB9.DBW0",
            None,
            404,
            "data block 9 does not exist",
        ),
        (
            "GET",
            "/tags/DB1.DBD",
            None,
            400,
            r#""DB1.DBD" at 7: byte offset expected"#,
        ),
        (
            "GET",
            "/tags/DB1.DBD1022:REAL",
            None,
            400,
            "outside its 1024 bytes",
        ),
        (
            "GET",
            "/tags/T99",
            None,
            400,
            "timer 99 does not exist (16 configured)",
        ),
        // A `%` not followed by two hex digits stays as it is (as URL parsers do), and is
        // then no address.
        ("GET", "/tags/%zz", None, 400, r#""%zz""#),
        ("GET", "/tags/%c3%28", None, 400, "not utf-8"),
        (
            "GET",
            "/tags/motor_speed?x=1",
            None,
            400,
            "unknown query parameter",
        ),
        (
            "PUT",
            "/tags/motor_speed",
            Some(r#"{"value": "fast"}"#),
            400,
            "expected a number",
        ),
        (
            "PUT",
            "/tags/running",
            Some(r#"{"value": 2}"#),
            400,
            "outside 0..=1",
        ),
        (
            "PUT",
            "/tags/DB1.DBW0:INT",
            Some(r#"{"value": 40000}"#),
            400,
            "int value 40000 is outside -32768..=32767",
        ),
        (
            "PUT",
            "/tags/DB1.DBW0:INT",
            Some(r#"{"value": 1.5}"#),
            400,
            "not a whole number",
        ),
        (
            "PUT",
            "/tags/setpoints",
            Some(r#"{"value": [1, 2]}"#),
            400,
            "expected an array of 3 values, got 2",
        ),
        (
            "PUT",
            "/tags/setpoints",
            Some(r#"{"value": 1}"#),
            400,
            "expected an array of 3 values",
        ),
        (
            "PUT",
            "/tags/batch",
            Some(r#"{"value": null}"#),
            400,
            "a tag value is a number",
        ),
        (
            "PUT",
            "/tags/batch",
            Some(r#"{"value": {}}"#),
            400,
            "a tag value is a number",
        ),
        (
            "PUT",
            "/tags/batch",
            Some(r#"{"value": "x", "colour": 1}"#),
            400,
            "unknown field",
        ),
        (
            "PUT",
            "/tags/batch",
            Some(r#"{}"#),
            400,
            "missing field `value`",
        ),
        (
            "PUT",
            "/tags/DB1.DBW0",
            Some(r#"{"value": 1, "type": "REAL"}"#),
            400,
            "does not fit width of 2 bytes",
        ),
        (
            "PUT",
            "/tags/DB1.DBW0",
            Some(r#"{"value": 1, "type": "FLOAT"}"#),
            400,
            "unknown data type",
        ),
        (
            "PUT",
            "/tags/nope",
            Some(r#"{"value": 1}"#),
            404,
            "no tag named \"nope\"",
        ),
        (
            "PUT",
            "/tags/DB1.DBW0:INT",
            Some(r#"{"value": 1, "type": "UINT"}"#),
            409,
            "DB1.DBW0:INT is of type INT, not UINT",
        ),
        (
            "PUT",
            "/tags/motor_speed",
            Some(r#"{"value": 1, "type": "DINT"}"#),
            409,
            "motor_speed is of type REAL, not DINT",
        ),
        ("DELETE", "/tags/motor_speed", None, 405, "not allowed"),
    ];
    for (method, path, body, status, expected) in cases {
        let message = mock.refused(method, path, *body, *status);
        assert!(
            message.contains(expected),
            "{method} {path}: {message:?} lacks {expected:?}"
        );
    }
    // Nothing was written by a refused request.
    assert_eq!(mock.ok("GET", "/tags/motor_speed", None)["value"], 1500.0);
    assert_eq!(
        mock.ok("GET", "/tags/setpoints", None)["value"],
        json!([1, -2, 3])
    );
    // The same type as the tag's is fine.
    mock.ok(
        "PUT",
        "/tags/motor_speed",
        Some(r#"{"value": 1, "type": "real"}"#),
    );
    s7_works(&mock);
}
