//! Encoding one element.

use alloc::vec::Vec;

use crate::clock::DtFault;
use crate::{DataType, Error, S7DateTime};

use super::string::{encode_string, encode_wstring, latin1, utf16_unit};
use super::time::{s5time_to_word, TIME_OF_DAY_END_MS};
use super::{out_of_range, wrong_type, Value};

/// Appends one element of `ty`; `value` must be its variant (arrays are handled by the
/// caller).
pub(crate) fn scalar(value: &Value, ty: DataType, out: &mut Vec<u8>) -> Result<(), Error> {
    match (ty, value) {
        (DataType::Bool, Value::Bool(b)) => out.push(u8::from(*b)),
        (DataType::Byte, Value::Byte(v)) | (DataType::USInt, Value::USInt(v)) => out.push(*v),
        (DataType::SInt, Value::SInt(v)) => out.extend_from_slice(&v.to_be_bytes()),
        (DataType::Word, Value::Word(v))
        | (DataType::UInt, Value::UInt(v))
        | (DataType::Timer, Value::Timer(v))
        | (DataType::Counter, Value::Counter(v)) => out.extend_from_slice(&v.to_be_bytes()),
        (DataType::Int, Value::Int(v)) => out.extend_from_slice(&v.to_be_bytes()),
        (DataType::DWord, Value::DWord(v)) | (DataType::UDInt, Value::UDInt(v)) => {
            out.extend_from_slice(&v.to_be_bytes());
        }
        (DataType::DInt, Value::DInt(v)) | (DataType::Time, Value::Time(v)) => {
            out.extend_from_slice(&v.to_be_bytes());
        }
        (DataType::LWord, Value::LWord(v)) | (DataType::ULInt, Value::ULInt(v)) => {
            out.extend_from_slice(&v.to_be_bytes());
        }
        (DataType::LInt, Value::LInt(v)) | (DataType::LTime, Value::LTime(v)) => {
            out.extend_from_slice(&v.to_be_bytes());
        }
        (DataType::Real, Value::Real(v)) => out.extend_from_slice(&v.to_be_bytes()),
        (DataType::LReal, Value::LReal(v)) => out.extend_from_slice(&v.to_be_bytes()),
        (DataType::Char, Value::Char(c)) => out.push(latin1(ty, *c)?),
        (DataType::WChar, Value::WChar(c)) => {
            out.extend_from_slice(&utf16_unit(ty, *c)?.to_be_bytes());
        }
        (DataType::String(_), Value::String(s)) => encode_string(ty, s, out)?,
        (DataType::WString(_), Value::WString(s)) => encode_wstring(ty, s, out)?,
        (DataType::Date, Value::Date(d)) => out.extend_from_slice(&d.checked_days()?.to_be_bytes()),
        (DataType::TimeOfDay, Value::TimeOfDay(ms)) => {
            if *ms >= TIME_OF_DAY_END_MS {
                return Err(out_of_range(ty, format_args!("{ms} ms"), "0..=86399999 ms"));
            }
            out.extend_from_slice(&ms.to_be_bytes());
        }
        (DataType::S5Time, Value::S5Time(ms)) => {
            out.extend_from_slice(&s5time_to_word(*ms)?.to_be_bytes());
        }
        (DataType::DateAndTime, Value::DateAndTime(dt)) => {
            out.extend_from_slice(&date_and_time(dt)?);
        }
        (DataType::Dtl, Value::Dtl(dtl)) => out.extend_from_slice(&dtl.to_bytes()?),
        (ty, other) => return Err(wrong_type(ty, other)),
    }
    Ok(())
}

/// The 8 BCD bytes of a `DATE_AND_TIME`, every field checked, weekday 1..=7.
pub(crate) fn date_and_time(dt: &S7DateTime) -> Result<[u8; 8], Error> {
    let ty = DataType::DateAndTime;
    dt.check_fields().map_err(|fault| match fault {
        DtFault::Range {
            field,
            value,
            min,
            max,
        } => out_of_range(
            ty,
            format_args!("{field} {value}"),
            format_args!("{min}..={max}"),
        ),
        DtFault::Bcd { field, byte } => out_of_range(ty, format_args!("{field} {byte}"), "bcd"),
    })?;
    if !(1..=7).contains(&dt.weekday) {
        return Err(out_of_range(
            ty,
            format_args!("weekday {}", dt.weekday),
            "1..=7",
        ));
    }
    Ok(dt.encode_dt())
}
