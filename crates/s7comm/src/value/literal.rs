//! Reading values from text: the literals a profile file holds.

use alloc::string::String;

use crate::{DataType, Error, S7DateTime};

use super::convert::integer;
use super::time::{counter_to_word, s5time_to_word, weekday, Date, Dtl};
use super::{out_of_range, Value};

const NS_PER_MS: i128 = 1_000_000;

/// A parsed date: year, month, day.
type YearMonthDay = (u16, u8, u8);
/// A parsed time of day: hour, minute, second, nanoseconds.
type HourMinuteSecondNs = (u8, u8, u8, u32);

/// `text` without a case-insensitive `prefix`, or `None`.
fn strip_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// `text` without the first of `prefixes` it starts with, and whether one was stripped.
fn strip_any<'a>(text: &'a str, prefixes: &[&str]) -> (&'a str, bool) {
    prefixes
        .iter()
        .find_map(|p| strip_ci(text, p))
        .map_or((text, false), |rest| (rest, true))
}

/// Digits in `radix`, `_` allowed between them; at least one digit.
fn digits(text: &str, radix: u32) -> Option<i128> {
    let mut value: i128 = 0;
    let mut any = false;
    for c in text.chars() {
        if c == '_' && any {
            continue;
        }
        let d = c.to_digit(radix)?;
        value = value
            .checked_mul(i128::from(radix))?
            .checked_add(i128::from(d))?;
        any = true;
    }
    any.then_some(value)
}

/// An integer: optional sign, then decimal, or `16#`/`8#`/`2#` (IEC) or `0x`/`0o`/`0b`.
fn parse_int(text: &str) -> Option<i128> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let radixes = [
        ("16#", 16),
        ("8#", 8),
        ("2#", 2),
        ("0x", 16),
        ("0o", 8),
        ("0b", 2),
    ];
    let (body, radix) = radixes
        .iter()
        .find_map(|(p, r)| strip_ci(body, p).map(|rest| (rest, *r)))
        .unwrap_or((body, 10));
    let value = digits(body, radix)?;
    if negative {
        value.checked_neg()
    } else {
        Some(value)
    }
}

/// A duration such as `1h30m`, `1s_500ms`, `-2d`, `250us` in nanoseconds: number-unit pairs
/// with units `d`, `h`, `m`, `s`, `ms`, `us`, `ns`.
fn parse_duration(text: &str) -> Option<i128> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut total: i128 = 0;
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start_matches('_');
        let number_end = rest.find(|c: char| !c.is_ascii_digit())?;
        let (number, tail) = rest.split_at(number_end);
        let unit_end = tail
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_end);
        let scale: i128 = match unit.to_ascii_lowercase().as_str() {
            "d" => 86_400_000_000_000,
            "h" => 3_600_000_000_000,
            "m" => 60_000_000_000,
            "s" => 1_000_000_000,
            "ms" => 1_000_000,
            "us" => 1_000,
            "ns" => 1,
            _ => return None,
        };
        total = total.checked_add(digits(number, 10)?.checked_mul(scale)?)?;
        any = true;
        rest = tail;
    }
    if !any {
        return None;
    }
    if negative {
        total.checked_neg()
    } else {
        Some(total)
    }
}

/// `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<YearMonthDay> {
    let mut parts = text.split('-');
    let year = u16::try_from(digits(parts.next()?, 10)?).ok()?;
    let month = u8::try_from(digits(parts.next()?, 10)?).ok()?;
    let day = u8::try_from(digits(parts.next()?, 10)?).ok()?;
    parts.next().is_none().then_some((year, month, day))
}

/// `HH:MM[:SS[.fraction]]` with up to nine fraction digits: (hour, minute, second, ns).
fn parse_time_of_day(text: &str) -> Option<HourMinuteSecondNs> {
    let (hms, fraction) = match text.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (text, None),
    };
    let mut parts = hms.split(':');
    let hour = u8::try_from(digits(parts.next()?, 10)?).ok()?;
    let minute = u8::try_from(digits(parts.next()?, 10)?).ok()?;
    let second = match parts.next() {
        Some(s) => u8::try_from(digits(s, 10)?).ok()?,
        None => 0,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let ns = match fraction {
        None => 0,
        Some(f) if (1..=9).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
            let mut ns = u32::try_from(digits(f, 10)?).ok()?;
            for _ in f.len()..9 {
                ns = ns.checked_mul(10)?;
            }
            ns
        }
        Some(_) => return None,
    };
    Some((hour, minute, second, ns))
}

/// `YYYY-MM-DD-HH:MM:SS[.fraction]` (the separator may also be `T` or a space).
fn parse_date_time(text: &str) -> Option<(YearMonthDay, HourMinuteSecondNs)> {
    let date = parse_date(text.get(..10)?)?;
    let separator = text.get(10..11)?;
    if !matches!(separator, "-" | "T" | "t" | " ") {
        return None;
    }
    Some((date, parse_time_of_day(text.get(11..)?)?))
}

/// Text between single quotes without them, or the text as is.
fn unquote(text: &str) -> &str {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(text)
}

/// Exact milliseconds of a nanosecond count.
fn whole_ms(ns: i128) -> Option<i128> {
    (ns % NS_PER_MS == 0).then_some(ns / NS_PER_MS)
}

impl Value {
    /// Reads a textual literal as a value of `ty`, range-checked like [`Value::from_i64`]:
    /// what a profile loader calls for a string in its file. Surrounding whitespace is
    /// ignored; prefixes are case-insensitive.
    ///
    /// | type | accepted |
    /// | --- | --- |
    /// | `BOOL` | `true`, `false`, `1`, `0` |
    /// | integers, `BYTE` .. `LWORD` | `-12`, `16#FF`, `2#1010`, `0x1F`, `1_000`; `B#`, `W#`, `DW#`, `LW#` prefixes |
    /// | `REAL`, `LREAL` | `1.5`, `-2e-3`, `inf`, `NaN` |
    /// | `CHAR`, `WCHAR` | one character, optionally quoted: `A`, `'A'` |
    /// | `STRING`, `WSTRING` | the text, optionally between single quotes |
    /// | `DATE` | `D#2024-03-15`, `2024-03-15`, or a day count |
    /// | `TIME` | `T#1h2m3s4ms`, `T#-500ms`, or milliseconds |
    /// | `LTIME` | `LT#1s_250us`, or nanoseconds |
    /// | `TIME_OF_DAY` | `TOD#12:34:56.789`, `12:34`, or milliseconds |
    /// | `S5TIME` | `S5T#2s`, `T#2s`, or milliseconds |
    /// | `DATE_AND_TIME` | `DT#2024-03-15-12:34:56.789` (weekday computed) |
    /// | `DTL` | `DTL#2024-03-15-12:34:56.123456789` (weekday computed) |
    /// | `TIMER` | `S5T#…`/`T#…` (the S5TIME word), or the raw word |
    /// | `COUNTER` | `C#123` (the BCD word `0x0123`), or the raw word |
    ///
    /// Durations are number-unit pairs with units `d`, `h`, `m`, `s`, `ms`, `us`, `ns`.
    ///
    /// ```
    /// use s7comm::{DataType, Value};
    ///
    /// assert_eq!(Value::parse(DataType::Word, "16#BEEF")?, Value::Word(0xBEEF));
    /// assert_eq!(Value::parse(DataType::Time, "T#1s500ms")?, Value::Time(1_500));
    /// assert_eq!(Value::parse(DataType::Counter, "C#42")?, Value::Counter(0x0042));
    /// assert!(Value::parse(DataType::TimeOfDay, "TOD#24:00:00").is_err());
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ValueSyntax`] for text that is no literal of `ty`; the range errors of
    /// [`Value::from_i64`] and [`Value::encode`] for a literal that does not fit.
    pub fn parse(ty: DataType, text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let syntax = |reason: &'static str| Error::ValueSyntax {
            data_type: ty,
            input: String::from(text),
            reason,
        };
        let value = match ty {
            DataType::Bool => {
                let body = strip_any(text, &["BOOL#"]).0;
                match body.to_ascii_lowercase().as_str() {
                    "true" | "1" => Self::Bool(true),
                    "false" | "0" => Self::Bool(false),
                    _ => return Err(syntax("expected true, false, 1 or 0")),
                }
            }
            DataType::Byte
            | DataType::Word
            | DataType::DWord
            | DataType::LWord
            | DataType::SInt
            | DataType::USInt
            | DataType::Int
            | DataType::UInt
            | DataType::DInt
            | DataType::UDInt
            | DataType::LInt
            | DataType::ULInt => {
                let body = strip_any(text, &["LW#", "DW#", "W#", "B#"]).0;
                let n = parse_int(body).ok_or_else(|| syntax("expected an integer"))?;
                integer(ty, n)?
            }
            DataType::Real => {
                let x: f32 = text.parse().map_err(|_| syntax("expected a number"))?;
                if x.is_infinite() && !text.to_ascii_lowercase().contains("inf") {
                    return Err(out_of_range(ty, text, "the range of an f32"));
                }
                Self::Real(x)
            }
            DataType::LReal => {
                let x: f64 = text.parse().map_err(|_| syntax("expected a number"))?;
                if x.is_infinite() && !text.to_ascii_lowercase().contains("inf") {
                    return Err(out_of_range(ty, text, "the range of an f64"));
                }
                Self::LReal(x)
            }
            DataType::Char | DataType::WChar => {
                let mut chars = unquote(text).chars();
                let c = chars
                    .next()
                    .ok_or_else(|| syntax("expected one character"))?;
                if chars.next().is_some() {
                    return Err(syntax("expected one character"));
                }
                if ty == DataType::Char {
                    Self::Char(c)
                } else {
                    Self::WChar(c)
                }
            }
            DataType::String(_) => Self::String(String::from(unquote(text))),
            DataType::WString(_) => Self::WString(String::from(unquote(text))),
            DataType::Date => {
                let body = strip_any(text, &["DATE#", "D#"]).0;
                match parse_date(body) {
                    Some((year, month, day)) => Self::Date(Date { year, month, day }),
                    None => integer(
                        ty,
                        parse_int(body).ok_or_else(|| syntax("expected YYYY-MM-DD"))?,
                    )?,
                }
            }
            DataType::Time | DataType::S5Time => {
                let (body, prefixed) = strip_any(text, &["TIME#", "S5TIME#", "S5T#", "T#"]);
                let ms = match (prefixed, parse_int(body)) {
                    (false, Some(ms)) => ms,
                    _ => whole_ms(
                        parse_duration(body)
                            .ok_or_else(|| syntax("expected a duration such as 1h2m3s4ms"))?,
                    )
                    .ok_or_else(|| syntax("finer than a millisecond"))?,
                };
                integer(ty, ms)?
            }
            DataType::LTime => {
                let (body, prefixed) = strip_any(text, &["LTIME#", "LT#"]);
                let ns = match (prefixed, parse_int(body)) {
                    (false, Some(ns)) => ns,
                    _ => parse_duration(body)
                        .ok_or_else(|| syntax("expected a duration such as 1s250us"))?,
                };
                integer(ty, ns)?
            }
            DataType::TimeOfDay => {
                let (body, prefixed) = strip_any(text, &["TIME_OF_DAY#", "TOD#"]);
                let ms = match (prefixed, parse_int(body)) {
                    (false, Some(ms)) => ms,
                    _ => {
                        let (h, m, s, ns) = parse_time_of_day(body)
                            .ok_or_else(|| syntax("expected HH:MM:SS.mmm below 24:00"))?;
                        let ns = i128::from(h)
                            .saturating_mul(3_600_000_000_000)
                            .saturating_add(i128::from(m).saturating_mul(60_000_000_000))
                            .saturating_add(i128::from(s).saturating_mul(1_000_000_000))
                            .saturating_add(i128::from(ns));
                        whole_ms(ns).ok_or_else(|| syntax("finer than a millisecond"))?
                    }
                };
                integer(ty, ms)?
            }
            DataType::DateAndTime => {
                let body = strip_any(text, &["DATE_AND_TIME#", "DT#"]).0;
                let ((year, month, day), (hour, minute, second, ns)) = parse_date_time(body)
                    .ok_or_else(|| syntax("expected YYYY-MM-DD-HH:MM:SS.mmm"))?;
                if ns % 1_000_000 != 0 {
                    return Err(syntax("finer than a millisecond"));
                }
                Self::DateAndTime(S7DateTime {
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    millisecond: u16::try_from(ns / 1_000_000).unwrap_or(u16::MAX),
                    weekday: weekday(year, month, day).unwrap_or(0),
                })
            }
            DataType::Dtl => {
                let body = strip_any(text, &["DTL#"]).0;
                let ((year, month, day), (hour, minute, second, ns)) = parse_date_time(body)
                    .ok_or_else(|| syntax("expected YYYY-MM-DD-HH:MM:SS.nnnnnnnnn"))?;
                Self::Dtl(Dtl::new(year, month, day, hour, minute, second, ns)?)
            }
            DataType::Timer => {
                let (body, prefixed) = strip_any(text, &["S5TIME#", "S5T#", "T#"]);
                if prefixed {
                    let ns = parse_duration(body)
                        .ok_or_else(|| syntax("expected a duration such as 2s"))?;
                    let ms = whole_ms(ns).ok_or_else(|| syntax("finer than a millisecond"))?;
                    let ms = u32::try_from(ms)
                        .map_err(|_| out_of_range(ty, format_args!("{ms} ms"), "0..=9990000 ms"))?;
                    Self::Timer(s5time_to_word(ms)?)
                } else {
                    integer(
                        ty,
                        parse_int(body).ok_or_else(|| syntax("expected T#duration or a word"))?,
                    )?
                }
            }
            DataType::Counter => {
                let (body, prefixed) = strip_any(text, &["C#"]);
                let n = parse_int(body).ok_or_else(|| syntax("expected C#count or a word"))?;
                if prefixed {
                    let count = u16::try_from(n).map_err(|_| out_of_range(ty, n, "0..=999"))?;
                    Self::Counter(counter_to_word(count)?)
                } else {
                    integer(ty, n)?
                }
            }
        };
        // Strings, dates and times are checked against their type by encoding them.
        value.encode(ty)?;
        Ok(value)
    }
}
