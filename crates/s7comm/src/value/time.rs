//! Calendar and duration types: `DATE`, `DTL`, and the S5TIME and counter words.

use crate::clock::{days_in_month, from_bcd, is_leap, to_bcd};
use crate::{DataType, Error};

use super::{invalid, not_representable, out_of_range};

/// One past the largest `TIME_OF_DAY` in milliseconds (24 h).
pub const TIME_OF_DAY_END_MS: u32 = 86_400_000;

/// The longest `S5TIME`: 999 × 10 s, in milliseconds.
pub const S5TIME_MAX_MS: u32 = 9_990_000;

/// Days from 1990-01-01 to 2168-12-31, the last `DATE`.
const DATE_MAX_DAYS: u16 = 65_378;

/// Days from 1970-01-01 to 1990-01-01.
const DAYS_1970_TO_1990: u32 = 7_305;

/// The time bases of S5TIME, finest first: (code in bits 13-12, milliseconds).
const S5_BASES: [(u16, u32); 4] = [(0, 10), (1, 100), (2, 1_000), (3, 10_000)];

/// Days from 1970-01-01 to a valid date in 1970..; `None` before 1970 or for an invalid date.
pub(crate) fn days_since_1970(year: u16, month: u8, day: u8) -> Option<u32> {
    if year < 1970 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut days: u32 = 0;
    for y in 1970..year {
        days = days.checked_add(if is_leap(y) { 366 } else { 365 })?;
    }
    for m in 1..month {
        days = days.checked_add(u32::from(days_in_month(year, m)))?;
    }
    days.checked_add(u32::from(day.checked_sub(1)?))
}

/// The S7 weekday (1 = Sunday ..= 7 = Saturday) of a valid date in 1970..; 1970-01-01 was a
/// Thursday.
pub(crate) fn weekday(year: u16, month: u8, day: u8) -> Option<u8> {
    let days = days_since_1970(year, month, day)?;
    u8::try_from(days.checked_add(4)? % 7).ok()?.checked_add(1)
}

/// A calendar date, the value of an S7 `DATE` (1990-01-01 ..= 2168-12-31), stored as days
/// since 1990-01-01 in 16 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// 1990..=2168.
    pub year: u16,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
}

impl Date {
    /// 1990-01-01, the first `DATE` (encoded `00 00`).
    pub const MIN: Self = Self {
        year: 1990,
        month: 1,
        day: 1,
    };
    /// 2168-12-31, the last `DATE` (encoded `FF 62`).
    pub const MAX: Self = Self {
        year: 2168,
        month: 12,
        day: 31,
    };

    /// The date `days` after 1990-01-01, or `None` past 2168-12-31.
    pub fn from_days(days: u16) -> Option<Self> {
        if days > DATE_MAX_DAYS {
            return None;
        }
        let mut rest = u32::from(days);
        let mut year = 1990u16;
        loop {
            let len = if is_leap(year) { 366 } else { 365 };
            if rest < len {
                break;
            }
            rest = rest.checked_sub(len)?;
            year = year.checked_add(1)?;
        }
        let mut month = 1u8;
        loop {
            let len = u32::from(days_in_month(year, month));
            if rest < len {
                break;
            }
            rest = rest.checked_sub(len)?;
            month = month.checked_add(1)?;
        }
        let day = u8::try_from(rest.checked_add(1)?).ok()?;
        Some(Self { year, month, day })
    }

    /// Days since 1990-01-01, or `None` for an invalid date or one outside
    /// [`Date::MIN`]..=[`Date::MAX`].
    pub fn to_days(self) -> Option<u16> {
        let days = days_since_1970(self.year, self.month, self.day)?;
        let days = u16::try_from(days.checked_sub(DAYS_1970_TO_1990)?).ok()?;
        (days <= DATE_MAX_DAYS).then_some(days)
    }

    /// The S7 weekday, 1 = Sunday ..= 7 = Saturday, or `None` for an invalid date.
    pub fn weekday(self) -> Option<u8> {
        weekday(self.year, self.month, self.day)
    }

    /// The encoded day count, or the error for a date out of range.
    pub(crate) fn checked_days(self) -> Result<u16, Error> {
        self.to_days().ok_or_else(|| {
            out_of_range(
                DataType::Date,
                format_args!("{:04}-{:02}-{:02}", self.year, self.month, self.day),
                "1990-01-01..=2168-12-31",
            )
        })
    }
}

/// An S7 `DTL` (date and time long): 12 bytes, year 1970-01-01 ..= 2262-04-11
/// 23:47:16.854775807.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dtl {
    /// 1970..=2262.
    pub year: u16,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 1 = Sunday ..= 7 = Saturday. Checked for range only, not against the date: a CPU
    /// ignores it on write and fills it in itself.
    pub weekday: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59.
    pub second: u8,
    /// 0..=999_999_999.
    pub nanosecond: u32,
}

impl Dtl {
    /// A `DTL` of the given date and time with its weekday computed.
    ///
    /// # Errors
    /// [`Error::ValueOutOfRange`] for an invalid date or time or one outside the `DTL`
    /// range.
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        nanosecond: u32,
    ) -> Result<Self, Error> {
        let value = Self {
            year,
            month,
            day,
            weekday: weekday(year, month, day).unwrap_or(0),
            hour,
            minute,
            second,
            nanosecond,
        };
        value.validate()?;
        Ok(value)
    }

    /// Checks every field's range and that the instant is within the `DTL` range.
    ///
    /// # Errors
    /// [`Error::ValueOutOfRange`] naming the first field out of range.
    pub fn validate(&self) -> Result<(), Error> {
        let field = |name: &str, value: u32, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(out_of_range(
                    DataType::Dtl,
                    format_args!("{name} {value}"),
                    format_args!("{min}..={max}"),
                ))
            }
        };
        field("year", u32::from(self.year), 1970, 2262)?;
        field("month", u32::from(self.month), 1, 12)?;
        let last = days_in_month(self.year, self.month);
        field("day", u32::from(self.day), 1, u32::from(last))?;
        field("weekday", u32::from(self.weekday), 1, 7)?;
        field("hour", u32::from(self.hour), 0, 23)?;
        field("minute", u32::from(self.minute), 0, 59)?;
        field("second", u32::from(self.second), 0, 59)?;
        field("nanosecond", self.nanosecond, 0, 999_999_999)?;
        let instant = (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.nanosecond,
        );
        if instant > (2262, 4, 11, 23, 47, 16, 854_775_807) {
            return Err(out_of_range(
                DataType::Dtl,
                format_args!(
                    "{:04}-{:02}-{:02}-{:02}:{:02}:{:02}.{:09}",
                    self.year,
                    self.month,
                    self.day,
                    self.hour,
                    self.minute,
                    self.second,
                    self.nanosecond
                ),
                "1970-01-01-00:00:00..=2262-04-11-23:47:16.854775807",
            ));
        }
        Ok(())
    }

    /// The 12 bytes: year (u16), month, day, weekday, hour, minute, second, nanoseconds
    /// (u32).
    pub(crate) fn to_bytes(self) -> Result<[u8; 12], Error> {
        self.validate()?;
        let [y0, y1] = self.year.to_be_bytes();
        let [n0, n1, n2, n3] = self.nanosecond.to_be_bytes();
        Ok([
            y0,
            y1,
            self.month,
            self.day,
            self.weekday,
            self.hour,
            self.minute,
            self.second,
            n0,
            n1,
            n2,
            n3,
        ])
    }

    /// Decodes the 12 bytes; errors name `DTL` and the field.
    pub(crate) fn from_bytes(bytes: [u8; 12]) -> Result<Self, Error> {
        let [y0, y1, month, day, weekday, hour, minute, second, n0, n1, n2, n3] = bytes;
        let value = Self {
            year: u16::from_be_bytes([y0, y1]),
            month,
            day,
            weekday,
            hour,
            minute,
            second,
            nanosecond: u32::from_be_bytes([n0, n1, n2, n3]),
        };
        value.validate().map_err(|e| match e {
            Error::ValueOutOfRange { value, range, .. } => {
                invalid(DataType::Dtl, format_args!("{value} is outside {range}"))
            }
            other => other,
        })?;
        Ok(value)
    }
}

/// Three BCD digits (0..=999) from the low 12 bits of `word`, or `None` if a digit is above 9.
fn bcd3(word: u16) -> Option<u16> {
    let [hi, lo] = word.to_be_bytes();
    let hundreds = from_bcd(hi & 0x0F)?;
    let rest = from_bcd(lo)?;
    u16::from(hundreds)
        .checked_mul(100)?
        .checked_add(u16::from(rest))
}

/// The low 12 bits holding `value` (0..=999) as three BCD digits.
fn to_bcd3(value: u16) -> u16 {
    let hundreds = u8::try_from((value / 100) % 10).unwrap_or(0);
    let rest = u8::try_from(value % 100).unwrap_or(0);
    u16::from_be_bytes([hundreds, to_bcd(rest)])
}

/// The S5TIME word of a duration of `ms` milliseconds, with the finest time base that
/// represents it exactly: 10 ms for up to 9 990 ms, then 100 ms, 1 s and 10 s. Bits 15-14 are
/// 0, bits 13-12 the base (`00` 10 ms, `01` 100 ms, `10` 1 s, `11` 10 s), bits 11-0 three BCD
/// digits.
///
/// ```
/// use s7comm::value::s5time_to_word;
///
/// assert_eq!(s5time_to_word(2_000)?, 0x0200); // 200 × 10 ms
/// assert_eq!(s5time_to_word(12_000)?, 0x1120); // 120 × 100 ms
/// assert_eq!(s5time_to_word(9_990_000)?, 0x3999); // 999 × 10 s
/// assert!(s5time_to_word(10_005).is_err()); // no base holds 10 005 ms exactly
/// # Ok::<(), s7comm::Error>(())
/// ```
///
/// # Errors
/// [`Error::ValueOutOfRange`] above [`S5TIME_MAX_MS`], [`Error::ValueNotRepresentable`] for
/// a duration that is no multiple of a base with at most 999 units.
pub fn s5time_to_word(ms: u32) -> Result<u16, Error> {
    if ms > S5TIME_MAX_MS {
        return Err(out_of_range(
            DataType::S5Time,
            format_args!("{ms} ms"),
            "0..=9990000 ms",
        ));
    }
    for (code, base) in S5_BASES {
        if ms.checked_rem(base) == Some(0) {
            let units = ms.checked_div(base).and_then(|u| u16::try_from(u).ok());
            if let Some(units @ 0..=999) = units {
                return Ok(code.wrapping_shl(12) | to_bcd3(units));
            }
        }
    }
    Err(not_representable(
        DataType::S5Time,
        format_args!(
            "{ms} ms is not a whole number of 10 ms (up to 9990 ms), 100 ms (up to 99900 ms), 1 s (up to 999 s) or 10 s"
        ),
    ))
}

/// The duration in milliseconds of an S5TIME word (or a timer word of the T area): the
/// time base of bits 13-12 times the three BCD digits. Bits 15-14 are ignored, as S7 CPUs
/// ignore them.
///
/// # Errors
/// [`Error::InvalidEncoding`] if a digit is not BCD.
pub fn s5time_from_word(word: u16) -> Result<u32, Error> {
    let units = bcd3(word).ok_or_else(|| {
        invalid(
            DataType::S5Time,
            format_args!("0x{word:04x} has a digit above 9"),
        )
    })?;
    let code = usize::from(word.wrapping_shr(12) & 0x3);
    let base = S5_BASES.get(code).map_or(10, |&(_, ms)| ms);
    Ok(u32::from(units).saturating_mul(base))
}

/// The counter word of the C area holding `count` (0..=999) as three BCD digits.
///
/// ```
/// assert_eq!(s7comm::value::counter_to_word(123)?, 0x0123);
/// # Ok::<(), s7comm::Error>(())
/// ```
///
/// # Errors
/// [`Error::ValueOutOfRange`] above 999.
pub fn counter_to_word(count: u16) -> Result<u16, Error> {
    if count > 999 {
        return Err(out_of_range(DataType::Counter, count, "0..=999"));
    }
    Ok(to_bcd3(count))
}

/// The count (0..=999) of a counter word: three BCD digits, high nibble 0.
///
/// # Errors
/// [`Error::InvalidEncoding`] for a digit above 9 or a nonzero high nibble.
pub fn counter_from_word(word: u16) -> Result<u16, Error> {
    if word > 0x0FFF {
        return Err(invalid(
            DataType::Counter,
            format_args!("0x{word:04x} has bits above the three bcd digits"),
        ));
    }
    bcd3(word).ok_or_else(|| {
        invalid(
            DataType::Counter,
            format_args!("0x{word:04x} has a digit above 9"),
        )
    })
}
