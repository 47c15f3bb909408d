//! Building values from a loader's numbers and booleans, with range checks.

use crate::{DataType, Error};

use super::time::{s5time_to_word, Date, S5TIME_MAX_MS, TIME_OF_DAY_END_MS};
use super::{out_of_range, Value};

/// Largest integer magnitude a `REAL` holds exactly (2^24).
const REAL_EXACT: i128 = 1 << 24;
/// Largest integer magnitude an `LREAL` holds exactly (2^53).
const LREAL_EXACT: i128 = 1 << 53;

/// What a number means for each type that takes one, as an inclusive range; `None` for types
/// built from something else (strings, DT, DTL).
fn integer_range(ty: DataType) -> Option<(i128, i128)> {
    let range = match ty {
        DataType::Bool => (0, 1),
        DataType::Byte | DataType::USInt | DataType::Char => (0, u8::MAX.into()),
        DataType::SInt => (i8::MIN.into(), i8::MAX.into()),
        DataType::Word | DataType::UInt | DataType::WChar | DataType::Timer | DataType::Counter => {
            (0, u16::MAX.into())
        }
        DataType::Int => (i16::MIN.into(), i16::MAX.into()),
        DataType::DWord | DataType::UDInt => (0, u32::MAX.into()),
        DataType::DInt | DataType::Time => (i32::MIN.into(), i32::MAX.into()),
        DataType::LWord | DataType::ULInt => (0, u64::MAX.into()),
        DataType::LInt | DataType::LTime => (i64::MIN.into(), i64::MAX.into()),
        DataType::Real => (-REAL_EXACT, REAL_EXACT),
        DataType::LReal => (-LREAL_EXACT, LREAL_EXACT),
        DataType::Date => (0, 65_378),
        DataType::TimeOfDay => (0, i128::from(TIME_OF_DAY_END_MS).saturating_sub(1)),
        DataType::S5Time => (0, S5TIME_MAX_MS.into()),
        DataType::String(_) | DataType::WString(_) | DataType::DateAndTime | DataType::Dtl => {
            return None
        }
    };
    Some(range)
}

/// The value of integer `n` for `ty`, range-checked.
pub(crate) fn integer(ty: DataType, n: i128) -> Result<Value, Error> {
    let Some((min, max)) = integer_range(ty) else {
        return Err(Error::ValueType {
            data_type: ty,
            found: "integer",
        });
    };
    let unit = match ty {
        DataType::Time | DataType::TimeOfDay | DataType::S5Time => " ms",
        DataType::LTime => " ns",
        DataType::Date => " days",
        _ => "",
    };
    if !(min..=max).contains(&n) {
        return Err(out_of_range(
            ty,
            format_args!("{n}{unit}"),
            format_args!("{min}..={max}{unit}"),
        ));
    }
    let range_error = || out_of_range(ty, n, format_args!("{min}..={max}"));
    let value = match ty {
        DataType::Bool => Value::Bool(n == 1),
        DataType::Byte => Value::Byte(u8::try_from(n).map_err(|_| range_error())?),
        DataType::USInt => Value::USInt(u8::try_from(n).map_err(|_| range_error())?),
        DataType::Char => Value::Char(char::from(u8::try_from(n).map_err(|_| range_error())?)),
        DataType::SInt => Value::SInt(i8::try_from(n).map_err(|_| range_error())?),
        DataType::Word => Value::Word(u16::try_from(n).map_err(|_| range_error())?),
        DataType::UInt => Value::UInt(u16::try_from(n).map_err(|_| range_error())?),
        DataType::Timer => Value::Timer(u16::try_from(n).map_err(|_| range_error())?),
        DataType::Counter => Value::Counter(u16::try_from(n).map_err(|_| range_error())?),
        DataType::WChar => {
            let unit = u16::try_from(n).map_err(|_| range_error())?;
            Value::WChar(super::string::from_utf16_unit(ty, unit).map_err(|_| {
                super::not_representable(ty, format_args!("0x{unit:04x} is a utf-16 surrogate"))
            })?)
        }
        DataType::Int => Value::Int(i16::try_from(n).map_err(|_| range_error())?),
        DataType::DWord => Value::DWord(u32::try_from(n).map_err(|_| range_error())?),
        DataType::UDInt => Value::UDInt(u32::try_from(n).map_err(|_| range_error())?),
        DataType::DInt => Value::DInt(i32::try_from(n).map_err(|_| range_error())?),
        DataType::Time => Value::Time(i32::try_from(n).map_err(|_| range_error())?),
        DataType::LWord => Value::LWord(u64::try_from(n).map_err(|_| range_error())?),
        DataType::ULInt => Value::ULInt(u64::try_from(n).map_err(|_| range_error())?),
        DataType::LInt => Value::LInt(i64::try_from(n).map_err(|_| range_error())?),
        DataType::LTime => Value::LTime(i64::try_from(n).map_err(|_| range_error())?),
        // |n| <= 2^24 (2^53): exact in the float.
        DataType::Real => Value::Real(i32::try_from(n).map_err(|_| range_error())? as f32),
        DataType::LReal => Value::LReal(i64::try_from(n).map_err(|_| range_error())? as f64),
        DataType::Date => {
            let days = u16::try_from(n).map_err(|_| range_error())?;
            Value::Date(Date::from_days(days).ok_or_else(range_error)?)
        }
        DataType::TimeOfDay => Value::TimeOfDay(u32::try_from(n).map_err(|_| range_error())?),
        DataType::S5Time => {
            let ms = u32::try_from(n).map_err(|_| range_error())?;
            s5time_to_word(ms)?;
            Value::S5Time(ms)
        }
        DataType::String(_) | DataType::WString(_) | DataType::DateAndTime | DataType::Dtl => {
            return Err(Error::ValueType {
                data_type: ty,
                found: "integer",
            })
        }
    };
    Ok(value)
}

impl Value {
    /// The value of integer `n` for `ty`, range-checked: what a TOML or JSON loader calls for
    /// a number.
    ///
    /// | type | `n` means |
    /// | --- | --- |
    /// | `BOOL` | 0 or 1 |
    /// | integers, `BYTE` .. `LWORD` | the value, in the type's range |
    /// | `REAL`, `LREAL` | the value, up to ±2^24 (±2^53), where every integer is exact |
    /// | `CHAR`, `WCHAR` | the character code (0..=255; a UTF-16 unit that is no surrogate) |
    /// | `DATE` | days since 1990-01-01 (0..=65378) |
    /// | `TIME`, `TIME_OF_DAY`, `S5TIME` | milliseconds (`S5TIME`: one a time base holds) |
    /// | `LTIME` | nanoseconds |
    /// | `TIMER`, `COUNTER` | the raw word (0..=65535) |
    ///
    /// ```
    /// use s7comm::{DataType, Value};
    ///
    /// assert_eq!(Value::from_i64(DataType::Int, -32768)?, Value::Int(-32768));
    /// assert!(Value::from_i64(DataType::Int, 40_000).is_err());
    /// assert!(Value::from_i64(DataType::Byte, -1).is_err());
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ValueOutOfRange`] outside the range above, [`Error::ValueNotRepresentable`]
    /// for an S5TIME no base holds or a surrogate `WCHAR`, and [`Error::ValueType`] for
    /// `STRING`, `WSTRING`, `DATE_AND_TIME` and `DTL`.
    pub fn from_i64(ty: DataType, n: i64) -> Result<Self, Error> {
        integer(ty, i128::from(n))
    }

    /// [`Value::from_i64`] for unsigned numbers, which reach `u64::MAX` for `LWORD` and
    /// `ULINT`.
    ///
    /// # Errors
    /// As [`Value::from_i64`].
    pub fn from_u64(ty: DataType, n: u64) -> Result<Self, Error> {
        integer(ty, i128::from(n))
    }

    /// The value of float `x` for `ty`. `REAL` takes the nearest `f32` (NaN and infinities
    /// pass; a finite `x` beyond `f32::MAX` is out of range) and `LREAL` takes `x`. Every
    /// other type that [`Value::from_i64`] accepts takes an `x` with no fractional part, as
    /// that integer (JSON numbers arrive as floats).
    ///
    /// ```
    /// use s7comm::{DataType, Value};
    ///
    /// assert_eq!(Value::from_f64(DataType::Real, 1.5)?, Value::Real(1.5));
    /// assert_eq!(Value::from_f64(DataType::Int, 12.0)?, Value::Int(12));
    /// assert!(Value::from_f64(DataType::Int, 12.5).is_err());
    /// assert!(Value::from_f64(DataType::Real, 1e39).is_err());
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ValueOutOfRange`] for a value outside the type's range,
    /// [`Error::ValueNotRepresentable`] for a fraction or a non-finite value given to an
    /// integer type, and the errors of [`Value::from_i64`].
    pub fn from_f64(ty: DataType, x: f64) -> Result<Self, Error> {
        match ty {
            DataType::LReal => Ok(Self::LReal(x)),
            DataType::Real => {
                if x.is_finite() && (x > f64::from(f32::MAX) || x < f64::from(f32::MIN)) {
                    return Err(out_of_range(
                        ty,
                        x,
                        format_args!("{}..={}", f32::MIN, f32::MAX),
                    ));
                }
                // Range checked above; rounding to the nearest f32 is what REAL means.
                #[allow(clippy::cast_possible_truncation)]
                let narrowed = x as f32;
                Ok(Self::Real(narrowed))
            }
            _ => {
                if !x.is_finite() {
                    return Err(super::not_representable(
                        ty,
                        format_args!("{x} is not a finite number"),
                    ));
                }
                // `as` saturates; the round trip below catches fractions and saturation.
                #[allow(clippy::cast_possible_truncation)]
                let n = x as i128;
                #[allow(clippy::cast_precision_loss)]
                let back = n as f64;
                if back != x {
                    if -1e30 < x && x < 1e30 {
                        return Err(super::not_representable(
                            ty,
                            format_args!("{x} is not a whole number"),
                        ));
                    }
                    return Err(out_of_range(ty, x, "an integer range"));
                }
                integer(ty, n)
            }
        }
    }

    /// `BOOL` of `b`.
    ///
    /// # Errors
    /// [`Error::ValueType`] for any other type.
    pub fn from_bool(ty: DataType, b: bool) -> Result<Self, Error> {
        match ty {
            DataType::Bool => Ok(Self::Bool(b)),
            _ => Err(Error::ValueType {
                data_type: ty,
                found: "bool",
            }),
        }
    }
}
