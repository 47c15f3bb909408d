//! The JSON form of tag values, both ways.
//!
//! | type | JSON |
//! | --- | --- |
//! | `BOOL` | `true` / `false` |
//! | `BYTE` .. `LWORD`, `SINT` .. `ULINT` | a number |
//! | `REAL`, `LREAL` | a number; `"NaN"`, `"inf"`, `"-inf"` as strings |
//! | `CHAR`, `WCHAR` | a string of one character |
//! | `STRING[n]`, `WSTRING[n]` | a string |
//! | `DATE` | `"2024-03-15"` |
//! | `TIME`, `S5TIME` | milliseconds (a number) |
//! | `LTIME` | nanoseconds (a number) |
//! | `TIME_OF_DAY` | `"12:34:56.789"` |
//! | `DATE_AND_TIME` | `"2024-03-15-12:34:56.789"` |
//! | `DTL` | `"2024-03-15-12:34:56.123456789"` |
//! | `TIMER`, `COUNTER` | the raw word (a number) |
//! | an array (`count` > 1) | an array of the above |
//!
//! Going in, every number goes through `Value::from_i64` / `from_u64` / `from_f64` and every
//! string through `Value::parse` (so `"16#FF"`, `"T#1s500ms"`, `"D#2024-03-15"`,
//! `"TOD#08:00"`, `"S5T#2s"`, `"C#42"` work too); what comes out is accepted going in.

use s7comm::Value;
use serde_json::{Number, Value as Json};

use super::error::ApiError;
use crate::tags::Literal;

/// A float as JSON: a number when finite, else `"NaN"`, `"inf"` or `"-inf"`.
fn float(x: f64) -> Json {
    match Number::from_f64(x) {
        Some(number) => Json::Number(number),
        None if x.is_nan() => Json::String("NaN".to_owned()),
        None if x > 0.0 => Json::String("inf".to_owned()),
        None => Json::String("-inf".to_owned()),
    }
}

/// Milliseconds since midnight as `HH:MM:SS.mmm`.
fn time_of_day(ms: u32) -> String {
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1000, rest % 1000);
    format!("{h:02}:{m:02}:{s:02}.{ms:03}")
}

/// The JSON of a value (see the module table).
pub(crate) fn to_json(value: &Value) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Byte(n) | Value::USInt(n) => Json::from(*n),
        Value::Word(n) | Value::UInt(n) | Value::Timer(n) | Value::Counter(n) => Json::from(*n),
        Value::DWord(n) | Value::UDInt(n) => Json::from(*n),
        Value::TimeOfDay(ms) => Json::String(time_of_day(*ms)),
        Value::S5Time(ms) => Json::from(*ms),
        Value::LWord(n) | Value::ULInt(n) => Json::from(*n),
        Value::SInt(n) => Json::from(*n),
        Value::Int(n) => Json::from(*n),
        Value::DInt(n) | Value::Time(n) => Json::from(*n),
        Value::LInt(n) | Value::LTime(n) => Json::from(*n),
        // The shortest decimal that reads back as the same f32 (1.1, not 1.100000023841858).
        Value::Real(x) => float(x.to_string().parse().unwrap_or(f64::NAN)),
        Value::LReal(x) => float(*x),
        Value::Char(c) | Value::WChar(c) => Json::String(c.to_string()),
        Value::String(text) | Value::WString(text) => Json::String(text.clone()),
        Value::Date(date) => Json::String(format!(
            "{:04}-{:02}-{:02}",
            date.year, date.month, date.day
        )),
        Value::DateAndTime(dt) => Json::String(format!(
            "{:04}-{:02}-{:02}-{:02}:{:02}:{:02}.{:03}",
            dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.millisecond
        )),
        Value::Dtl(dtl) => Json::String(format!(
            "{:04}-{:02}-{:02}-{:02}:{:02}:{:02}.{:09}",
            dtl.year, dtl.month, dtl.day, dtl.hour, dtl.minute, dtl.second, dtl.nanosecond
        )),
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        other => Json::String(format!("{other:?}")),
    }
}

/// The literal of a JSON value: numbers, bools, strings and arrays of them.
pub(crate) fn literal(json: &Json) -> Result<Literal, ApiError> {
    Ok(match json {
        Json::Bool(b) => Literal::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Literal::Int(i),
            (None, Some(u), _) => Literal::UInt(u),
            (None, None, Some(x)) => Literal::Float(x),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "{n} is not a number in range"
                )))
            }
        },
        Json::String(text) => Literal::Text(text.clone()),
        Json::Array(items) => Literal::List(items.iter().map(literal).collect::<Result<_, _>>()?),
        Json::Null | Json::Object(_) => {
            return Err(ApiError::bad_request(
                "a tag value is a number, a bool, a string or an array of them",
            ))
        }
    })
}
