//! Typed tags against the in-process mock: every dialect, scalars, arrays, strings, bits,
//! timers and counters, what reaches the PLC's memory byte for byte, per-tag failures, and
//! values refused before anything is sent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use s7_client::{Client, Error};
use s7_mock::memory::Region;
use s7_mock::server::{Function, Server};
use s7comm::{ReturnCode, Tag, Value};

const TIMEOUT: Duration = Duration::from_secs(10);

fn server(pdu: u16) -> Server {
    Server::builder()
        .data_block(1, 1024)
        .flags(256)
        .outputs(16)
        .timers(16)
        .counters(16)
        .pdu_size(pdu)
        .start()
        .unwrap()
}

fn client(server: &Server) -> Client {
    Client::builder(server.local_addr())
        .read_timeout(Some(TIMEOUT))
        .write_timeout(Some(TIMEOUT))
        .connect()
        .unwrap()
}

fn tag(text: &str) -> Tag {
    Tag::parse(text).unwrap()
}

#[test]
fn scalar_tags_land_in_memory_with_s7_layouts_and_read_back() {
    let plc = server(480);
    let mut c = client(&plc);
    let cases: [(&str, Value, usize, &[u8]); 6] = [
        ("DB1.DBD20:REAL", Value::Real(1.0), 20, &[0x3F, 0x80, 0, 0]),
        ("%DB1.DBW4:INT", Value::Int(-2), 4, &[0xFF, 0xFE]),
        (
            "DB1,DI8",
            Value::DInt(100_000),
            8,
            &[0x00, 0x01, 0x86, 0xA0],
        ),
        ("DB1.DBB12", Value::Byte(0xA5), 12, &[0xA5]),
        (
            "DB1.DBB30:STRING[4]",
            Value::String("AB".into()),
            30,
            &[4, 2, b'A', b'B', 0, 0],
        ),
        (
            "%DB1:40.0:LREAL",
            Value::LReal(-0.5),
            40,
            &[0xBF, 0xE0, 0, 0, 0, 0, 0, 0],
        ),
    ];
    for (text, value, offset, bytes) in cases {
        c.write_tag(&tag(text), &value).unwrap();
        assert_eq!(
            plc.read_bytes(Region::DataBlock(1), offset, bytes.len())
                .unwrap(),
            bytes,
            "{text}"
        );
        assert_eq!(c.read_tag(&tag(text)).unwrap(), value, "{text}");
    }
}

#[test]
fn a_bool_write_changes_only_its_bit() {
    let plc = server(480);
    let mut c = client(&plc);
    plc.write_bytes(Region::Flags, 10, &[0b1111_0101]).unwrap();
    c.write_tag(&tag("M10.1"), &Value::Bool(true)).unwrap();
    c.write_tag(&tag("M10.2"), &Value::Bool(false)).unwrap();
    assert_eq!(plc.read_bytes(Region::Flags, 10, 1).unwrap(), [0b1111_0011]);
    assert_eq!(c.read_tag(&tag("M10.1")).unwrap(), Value::Bool(true));
    assert_eq!(c.read_tag(&tag("M10.2")).unwrap(), Value::Bool(false));
}

#[test]
fn bool_arrays_are_written_bit_by_bit_and_read_across_bytes() {
    let plc = server(480);
    let mut c = client(&plc);
    plc.write_bytes(Region::Outputs, 0, &[0xFF, 0x00]).unwrap();
    let bits = tag("%Q0.6:BOOL[4]");
    let value = Value::Array(vec![
        Value::Bool(false),
        Value::Bool(true),
        Value::Bool(true),
        Value::Bool(false),
    ]);
    c.write_tag(&bits, &value).unwrap();
    // Q0.6 off, Q0.7 on, Q1.0 on, Q1.1 off; every other bit as it was.
    assert_eq!(
        plc.read_bytes(Region::Outputs, 0, 2).unwrap(),
        [0b1011_1111, 0b0000_0001]
    );
    assert_eq!(c.read_tag(&bits).unwrap(), value);
}

#[test]
fn arrays_timers_and_counters() {
    let plc = server(480);
    let mut c = client(&plc);
    let ints = tag("DB1,INT100.3");
    let value = Value::Array(vec![Value::Int(1), Value::Int(-1), Value::Int(300)]);
    c.write_tag(&ints, &value).unwrap();
    assert_eq!(
        plc.read_bytes(Region::DataBlock(1), 100, 6).unwrap(),
        [0, 1, 0xFF, 0xFF, 0x01, 0x2C]
    );
    assert_eq!(c.read_tag(&ints).unwrap(), value);

    c.write_tag(&tag("T5"), &Value::Timer(0x2120)).unwrap();
    assert_eq!(plc.timer(5).unwrap(), 0x2120);
    plc.set_counter(3, 0x0042).unwrap();
    assert_eq!(c.read_tag(&tag("Z3")).unwrap(), Value::Counter(0x0042));
}

#[test]
fn many_tags_share_one_request_and_fail_one_by_one() {
    let plc = server(480);
    let mut c = client(&plc);
    plc.write_bytes(Region::DataBlock(1), 0, &[0x00, 0x07])
        .unwrap();
    plc.clear_requests();
    let tags = [
        tag("DB1.DBW0:INT"),
        tag("DB9.DBW0:INT"),
        tag("MB0"),
        tag("DB1.DBX1.0"),
    ];
    let results = c.read_tags(&tags).unwrap();
    assert_eq!(results[0].as_ref().unwrap(), &Value::Int(7));
    assert!(
        matches!(
            &results[1],
            Err(Error::ItemFailed {
                index: 1,
                return_code: ReturnCode::ObjectDoesNotExist
            })
        ),
        "{:?}",
        results[1]
    );
    assert_eq!(results[2].as_ref().unwrap(), &Value::Byte(0));
    assert_eq!(results[3].as_ref().unwrap(), &Value::Bool(true));
    let log = plc.wait_for_requests(1, TIMEOUT).unwrap();
    assert_eq!(log.len(), 1, "four tags in one read var request");
    assert_eq!(log[0].function, Function::ReadVar);

    let writes = [
        (tag("DB1.DBD0:DINT"), Value::DInt(-5)),
        (tag("DB9.DBB0"), Value::Byte(1)),
    ];
    let results = c.write_tags(&writes).unwrap();
    assert!(results[0].is_ok());
    assert!(matches!(
        results[1],
        Err(Error::ItemFailed { index: 1, .. })
    ));
    assert_eq!(c.read_tag(&tag("DB1.DBD0:DINT")).unwrap(), Value::DInt(-5));
}

#[test]
fn a_value_that_does_not_fit_is_refused_before_anything_is_sent() {
    let plc = server(480);
    let mut c = client(&plc);
    plc.clear_requests();
    let too_long = c.write_tags(&[
        (tag("DB1.DBB0"), Value::Byte(9)),
        (tag("DB1.DBB2:STRING[2]"), Value::String("ABC".into())),
    ]);
    assert!(matches!(too_long, Err(Error::Codec(_))), "{too_long:?}");
    let wrong_type = c.write_tag(&tag("DB1.DBW0:INT"), &Value::Real(1.0));
    assert!(matches!(wrong_type, Err(Error::Codec(_))), "{wrong_type:?}");
    assert_eq!(plc.request_count(), 0, "nothing reached the plc");
    assert_eq!(plc.read_bytes(Region::DataBlock(1), 0, 1).unwrap(), [0]);
}

#[test]
fn an_invalid_encoding_in_memory_is_a_codec_error() {
    let plc = server(480);
    let mut c = client(&plc);
    // STRING[4] whose actual length (9) exceeds its maximum.
    plc.write_bytes(Region::DataBlock(1), 0, &[4, 9, b'A', b'B', b'C', b'D'])
        .unwrap();
    let error = c.read_tag(&tag("DB1.DBB0:STRING[4]")).unwrap_err();
    assert!(matches!(error, Error::Codec(_)), "{error:?}");
    // The connection is still usable.
    assert_eq!(c.read_tag(&tag("DB1.DBB2:CHAR")).unwrap(), Value::Char('A'));
}
