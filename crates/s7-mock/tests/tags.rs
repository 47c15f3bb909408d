//! Named tags and live values through the Rust API and an S7 client: simulations computed on
//! read from a manual clock, stopped by a write, restarted by reset; seeded random values
//! reproducible across servers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_cmp
)]

mod server_support;

use std::time::Duration;

use s7_mock::memory::Region;
use s7_mock::profile::{Profile, Simulation};
use s7_mock::tags::TagClock;
use s7_mock::{Error, Server, ServerBuilder};
use s7comm::{Tag, Value};
use server_support::client;

fn tag(address: &str) -> Tag {
    Tag::parse(address).unwrap()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// DB1 with a ramp, a square wave on a bit, a counter and a plain tag, on a manual clock.
fn simulated(clock: &TagClock) -> ServerBuilder {
    Server::builder()
        .data_block(1, 64)
        .simulated_tag(
            "ramp",
            tag("DB1.DBD0:REAL"),
            Simulation::Ramp {
                min: 0.0,
                max: 100.0,
                period_ms: 1000,
            },
        )
        .simulated_tag(
            "blink",
            tag("DB1.DBX4.1"),
            Simulation::Square {
                low: 0.0,
                high: 1.0,
                period_ms: 200,
            },
        )
        .simulated_tag(
            "count",
            tag("DB1.DBW6:INT"),
            Simulation::Counter {
                start: 10.0,
                step: 5.0,
                every_ms: 100,
            },
        )
        .tag("speed", tag("DB1.DBD8:REAL"), Value::Real(1500.0))
        .tag_clock(clock.clone())
}

#[test]
fn a_client_reads_values_computed_from_the_clock() {
    let clock = TagClock::manual();
    let server = simulated(&clock).start().unwrap();
    let mut c = client(server.local_addr());
    let ramp = tag("DB1.DBD0:REAL");
    let blink = tag("DB1.DBX4.1");
    let count = tag("DB1.DBW6:INT");
    assert_eq!(c.read_tag(&ramp).unwrap(), Value::Real(0.0));
    assert_eq!(c.read_tag(&blink).unwrap(), Value::Bool(false));
    assert_eq!(c.read_tag(&count).unwrap(), Value::Int(10));

    clock.set(ms(250));
    assert_eq!(c.read_tag(&ramp).unwrap(), Value::Real(25.0));
    assert_eq!(c.read_tag(&blink).unwrap(), Value::Bool(false));
    assert_eq!(c.read_tag(&count).unwrap(), Value::Int(20));
    clock.advance(ms(50));
    assert_eq!(c.read_tag(&blink).unwrap(), Value::Bool(true));
    // One read of a range covering several tags refreshes each.
    clock.set(ms(1750));
    let bytes = c.read_area(s7comm::Area::DataBlock, 1, 0, 12).unwrap();
    assert_eq!(ramp.read_value(&bytes[0..4]).unwrap(), Value::Real(75.0));
    assert_eq!(blink.read_value(&bytes[4..5]).unwrap(), Value::Bool(true));
    assert_eq!(count.read_value(&bytes[6..8]).unwrap(), Value::Int(95));
    assert_eq!(
        tag("DB1.DBD8:REAL").read_value(&bytes[8..12]).unwrap(),
        Value::Real(1500.0)
    );

    // Nobody read: memory keeps the last value computed until a read or a refresh.
    clock.set(ms(500));
    assert_eq!(server.read_f32(Region::DataBlock(1), 0).unwrap(), 75.0);
    server.refresh_tags();
    assert_eq!(server.read_f32(Region::DataBlock(1), 0).unwrap(), 50.0);
    assert_eq!(server.read_tag("ramp").unwrap(), Value::Real(50.0));
}

#[test]
fn a_write_stops_a_simulation_until_reset() {
    let clock = TagClock::manual();
    let server = simulated(&clock).start().unwrap();
    let mut c = client(server.local_addr());
    let ramp = tag("DB1.DBD0:REAL");
    let count = tag("DB1.DBW6:INT");
    let simulating = |name: &str| {
        server
            .tags()
            .into_iter()
            .find(|t| t.name == name)
            .unwrap()
            .simulating
    };
    assert!(simulating("ramp") && simulating("count") && simulating("blink"));

    // A client's write var.
    c.write_tag(&ramp, &Value::Real(-1.0)).unwrap();
    assert!(!simulating("ramp"));
    clock.set(ms(300));
    assert_eq!(c.read_tag(&ramp).unwrap(), Value::Real(-1.0));
    assert_eq!(server.read_tag("ramp").unwrap(), Value::Real(-1.0));
    // The others run on.
    assert_eq!(c.read_tag(&count).unwrap(), Value::Int(25));

    // A write through the Rust API, by name.
    server.write_tag("count", &Value::Int(7)).unwrap();
    assert!(!simulating("count"));
    clock.set(ms(900));
    assert_eq!(c.read_tag(&count).unwrap(), Value::Int(7));

    // Writing another bit of the blink's byte leaves the blink alone.
    c.write_tag(&tag("DB1.DBX4.0"), &Value::Bool(true)).unwrap();
    assert!(simulating("blink"));

    // Reset: memory as at start, every simulation runs again (the manual clock stays).
    server.reset();
    assert!(simulating("ramp") && simulating("count"));
    assert_eq!(c.read_tag(&ramp).unwrap(), Value::Real(90.0));
    assert_eq!(c.read_tag(&count).unwrap(), Value::Int(55));
    assert_eq!(server.read_tag("speed").unwrap(), Value::Real(1500.0));
}

#[test]
fn seeded_random_values_repeat_across_servers() {
    let text = r#"
[[db]]
number = 1
size = 16

[[tag]]
name = "noise"
address = "DB1.DBD0"
type = "REAL"
simulate = { kind = "random", min = -5.0, max = 5.0, seed = 42, every_ms = 100 }

[[tag]]
name = "dice"
address = "DB1.DBW4:INT"
simulate = { kind = "random", min = 1, max = 6, seed = 7, every_ms = 100 }
"#;
    let profile = Profile::from_toml_str(text, "noise.toml").unwrap();
    let run = || {
        let clock = TagClock::manual();
        let server = Server::builder()
            .profile(&profile)
            .unwrap()
            .tag_clock(clock.clone())
            .start()
            .unwrap();
        let mut c = client(server.local_addr());
        (0..50)
            .map(|k| {
                clock.set(ms(k * 100));
                (
                    c.read_tag(&tag("DB1.DBD0:REAL")).unwrap(),
                    server.read_tag("dice").unwrap(),
                )
            })
            .collect::<Vec<(Value, Value)>>()
    };
    let first = run();
    assert_eq!(first, run(), "same seed, same sequence");
    let mut distinct = first
        .iter()
        .map(|(x, _)| format!("{x:?}"))
        .collect::<Vec<_>>();
    distinct.dedup();
    assert!(
        distinct.len() > 40,
        "values change every interval: {distinct:?}"
    );
    for (noise, dice) in &first {
        let Value::Real(x) = noise else {
            panic!("{noise:?}")
        };
        assert!((-5.0..=5.0).contains(x), "{x}");
        let Value::Int(d) = dice else {
            panic!("{dice:?}")
        };
        assert!((1..=6).contains(d), "{d}");
    }
}

#[test]
fn a_real_clock_moves_a_sine_between_reads() {
    let server = Server::builder()
        .data_block(1, 16)
        .simulated_tag(
            "level",
            tag("DB1.DBD0:REAL"),
            Simulation::Sine {
                min: 0.0,
                max: 100.0,
                period_ms: 400,
            },
        )
        .start()
        .unwrap();
    let mut c = client(server.local_addr());
    let level = tag("DB1.DBD0:REAL");
    let mut seen = Vec::new();
    for _ in 0..8 {
        let Value::Real(x) = c.read_tag(&level).unwrap() else {
            panic!("not a REAL")
        };
        assert!((0.0..=100.0).contains(&x), "{x}");
        seen.push(x);
        std::thread::sleep(ms(70));
    }
    seen.dedup();
    assert!(seen.len() > 4, "the value moves: {seen:?}");
}

#[test]
fn tags_are_read_and_written_by_name_or_address() {
    let server = Server::builder()
        .data_block(1, 64)
        .tag("speed", tag("DB1.DBD20:REAL"), Value::Real(1500.0))
        .start()
        .unwrap();
    let names: Vec<String> = server.tags().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["speed"]);
    assert_eq!(
        server.read_tag("DB1.DBD20:REAL").unwrap(),
        Value::Real(1500.0)
    );
    assert_eq!(server.read_tag("DB1,REAL20").unwrap(), Value::Real(1500.0));
    assert_eq!(
        server.read_tag("DB1.DBD20").unwrap(),
        Value::DWord(0x44BB_8000)
    );
    assert_eq!(
        server.tag_name(&tag("DB1.DBD20:REAL")).as_deref(),
        Some("speed")
    );
    server.write_tag("MW10:INT", &Value::Int(-3)).unwrap();
    assert_eq!(server.read_i16(Region::Flags, 10).unwrap(), -3);
    server
        .write_tag(
            "DB1.DBX0.0:BOOL[3]",
            &Value::Array(vec![Value::Bool(true); 3]),
        )
        .unwrap();
    assert_eq!(
        server.read_bytes(Region::DataBlock(1), 0, 1).unwrap(),
        [0b111]
    );
    server.write_tag("T2", &Value::Timer(0x1234)).unwrap();
    assert_eq!(server.timer(2).unwrap(), 0x1234);
    assert_eq!(server.read_tag("T2").unwrap(), Value::Timer(0x1234));

    // A type given apart types an address, and must match a named tag's.
    assert_eq!(
        server.resolve_tag("DB1.DBW0", Some("INT")).unwrap(),
        tag("DB1.DBW0:INT")
    );
    assert!(matches!(
        server.resolve_tag("speed", Some("DINT")),
        Err(Error::TagTypeConflict { .. })
    ));
    assert!(server.resolve_tag("speed", Some("REAL")).is_ok());

    // Errors: an unknown name, a bad address, a missing data block, a value of another type.
    assert!(matches!(
        server.read_tag("sped"),
        Err(Error::UnknownTag { .. })
    ));
    assert_eq!(
        server.read_tag("DB1.DBD").unwrap_err().to_string(),
        r#""DB1.DBD" at 7: byte offset expected"#
    );
    assert_eq!(server.read_tag("DB9.DBW0"), Err(Error::NoSuchDataBlock(9)));
    assert!(matches!(
        server.read_tag("DB1.DBD62"),
        Err(Error::OutOfRange { .. })
    ));
    assert!(server.write_tag("speed", &Value::Int(1)).is_err());
    assert_eq!(server.read_tag("speed").unwrap(), Value::Real(1500.0));
}

#[test]
fn a_builder_tag_that_does_not_fit_fails_the_start() {
    let error = Server::builder()
        .data_block(1, 8)
        .tag("far", tag("DB1.DBD6:REAL"), Value::Real(1.0))
        .start()
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidTag { name, .. } if name == "far"),
        "{error}"
    );
    let error = Server::builder()
        .data_block(1, 8)
        .simulated_tag(
            "text",
            tag("DB1.DBB0:STRING[4]"),
            Simulation::Counter {
                start: 0.0,
                step: 1.0,
                every_ms: 10,
            },
        )
        .start()
        .unwrap_err();
    assert!(error.to_string().contains("cannot simulate"), "{error}");
}
