//! Decoding one element from exactly its bytes.

use crate::{DataType, Error, S7DateTime};

use super::string::{decode_string, decode_wstring, from_utf16_unit};
use super::time::{s5time_from_word, Date, Dtl, TIME_OF_DAY_END_MS};
use super::{expect_len, invalid, Value};

/// The bytes as an array of `N`, or [`Error::ValueLength`].
fn fixed<const N: usize>(ty: DataType, bytes: &[u8]) -> Result<[u8; N], Error> {
    <[u8; N]>::try_from(bytes).map_err(|_| Error::ValueLength {
        data_type: ty,
        count: 1,
        expected: N,
        found: bytes.len(),
    })
}

/// Decodes one element; `bytes` is `ty.byte_len()` long (checked again here).
pub(crate) fn scalar(ty: DataType, bytes: &[u8]) -> Result<Value, Error> {
    expect_len(ty, 1, ty.byte_len(), bytes.len())?;
    let value = match ty {
        DataType::Bool => match fixed::<1>(ty, bytes)? {
            [0] => Value::Bool(false),
            [1] => Value::Bool(true),
            [b] => {
                return Err(invalid(
                    ty,
                    format_args!("a bit is carried as 00 or 01, not {b:02x}"),
                ))
            }
        },
        DataType::Byte => Value::Byte(u8::from_be_bytes(fixed(ty, bytes)?)),
        DataType::USInt => Value::USInt(u8::from_be_bytes(fixed(ty, bytes)?)),
        DataType::SInt => Value::SInt(i8::from_be_bytes(fixed(ty, bytes)?)),
        DataType::Word => Value::Word(u16::from_be_bytes(fixed(ty, bytes)?)),
        DataType::UInt => Value::UInt(u16::from_be_bytes(fixed(ty, bytes)?)),
        DataType::Int => Value::Int(i16::from_be_bytes(fixed(ty, bytes)?)),
        DataType::DWord => Value::DWord(u32::from_be_bytes(fixed(ty, bytes)?)),
        DataType::UDInt => Value::UDInt(u32::from_be_bytes(fixed(ty, bytes)?)),
        DataType::DInt => Value::DInt(i32::from_be_bytes(fixed(ty, bytes)?)),
        DataType::LWord => Value::LWord(u64::from_be_bytes(fixed(ty, bytes)?)),
        DataType::ULInt => Value::ULInt(u64::from_be_bytes(fixed(ty, bytes)?)),
        DataType::LInt => Value::LInt(i64::from_be_bytes(fixed(ty, bytes)?)),
        DataType::Real => Value::Real(f32::from_be_bytes(fixed(ty, bytes)?)),
        DataType::LReal => Value::LReal(f64::from_be_bytes(fixed(ty, bytes)?)),
        DataType::Char => Value::Char(char::from(u8::from_be_bytes(fixed(ty, bytes)?))),
        DataType::WChar => {
            Value::WChar(from_utf16_unit(ty, u16::from_be_bytes(fixed(ty, bytes)?))?)
        }
        DataType::String(_) => Value::String(decode_string(ty, bytes)?),
        DataType::WString(_) => Value::WString(decode_wstring(ty, bytes)?),
        DataType::Date => {
            let days = u16::from_be_bytes(fixed(ty, bytes)?);
            Value::Date(Date::from_days(days).ok_or_else(|| {
                invalid(
                    ty,
                    format_args!("day {days} is after 2168-12-31 (day 65378)"),
                )
            })?)
        }
        DataType::Time => Value::Time(i32::from_be_bytes(fixed(ty, bytes)?)),
        DataType::LTime => Value::LTime(i64::from_be_bytes(fixed(ty, bytes)?)),
        DataType::TimeOfDay => {
            let ms = u32::from_be_bytes(fixed(ty, bytes)?);
            if ms >= TIME_OF_DAY_END_MS {
                return Err(invalid(
                    ty,
                    format_args!("{ms} ms is not below 86400000 ms (24 h)"),
                ));
            }
            Value::TimeOfDay(ms)
        }
        DataType::S5Time => Value::S5Time(s5time_from_word(u16::from_be_bytes(fixed(ty, bytes)?))?),
        DataType::DateAndTime => Value::DateAndTime(date_and_time(fixed(ty, bytes)?)?),
        DataType::Dtl => Value::Dtl(Dtl::from_bytes(fixed(ty, bytes)?)?),
        DataType::Timer => Value::Timer(u16::from_be_bytes(fixed(ty, bytes)?)),
        DataType::Counter => Value::Counter(u16::from_be_bytes(fixed(ty, bytes)?)),
    };
    Ok(value)
}

/// Decodes the 8 BCD bytes of a `DATE_AND_TIME`, weekday 1..=7.
fn date_and_time(bytes: [u8; 8]) -> Result<S7DateTime, Error> {
    let ty = DataType::DateAndTime;
    let value = S7DateTime::decode_dt(bytes).map_err(|fault| match fault {
        crate::clock::DtFault::Bcd { field, byte } => {
            invalid(ty, format_args!("{field} byte 0x{byte:02x} is not bcd"))
        }
        crate::clock::DtFault::Range {
            field,
            value,
            min,
            max,
        } => invalid(ty, format_args!("{field} {value} is outside {min}..={max}")),
    })?;
    if !(1..=7).contains(&value.weekday) {
        return Err(invalid(
            ty,
            format_args!("weekday {} is outside 1..=7", value.weekday),
        ));
    }
    Ok(value)
}
