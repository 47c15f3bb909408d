//! The PLC clock value: S7 `DATE_AND_TIME` in BCD, as carried by clock read/set userdata.
//!
//! ```text
//!   0      1        2     3     4     5     6     7     8        9
//! +------+--------+-----+-----+-----+-----+-----+-----+--------+-----------+
//! | 0x00 | century| year| mon | day | hour| min | sec | ms 1,2 | ms 3 | dow|
//! |      | 19 / 20|     |     |     |     |     |     | digits | (4b) | (4b)|
//! +------+--------+-----+-----+-----+-----+-----+-----+--------+-----------+
//!                  \________ DATE_AND_TIME, every field BCD ______________/
//! ```
//!
//! The two-digit year means 1990..=1999 for 90..=99 and 2000..=2089 for 00..=89; the
//! century byte is informational (clients send `19` whatever the year) and is ignored when
//! decoding. The weekday is 1 = Sunday ..= 7 = Saturday.

use super::cursor::Reader;
use alloc::vec::Vec;

use crate::Error;

/// Length of the clock data in a clock userdata item.
pub const CLOCK_DATA_LEN: usize = 10;

/// Milliseconds since the Unix epoch of 1990-01-01T00:00:00Z, the first representable
/// instant.
pub const MIN_UNIX_MILLIS: i64 = 631_152_000_000;
/// Milliseconds since the Unix epoch of 2090-01-01T00:00:00Z, just past the last
/// representable instant.
pub const END_UNIX_MILLIS: i64 = 3_786_912_000_000;

const MILLIS_PER_DAY: u64 = 86_400_000;

/// A calendar date and time as an S7 CPU keeps it (no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct S7DateTime {
    /// 1990..=2089.
    pub year: u16,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59.
    pub second: u8,
    /// 0..=999.
    pub millisecond: u16,
    /// 1 = Sunday ..= 7 = Saturday (decoded as sent; 0..=15).
    pub weekday: u8,
}

/// The value of a byte holding two BCD digits, or `None` if a nibble is above 9.
pub(crate) fn from_bcd(byte: u8) -> Option<u8> {
    let hi = byte.wrapping_shr(4);
    let lo = byte & 0x0F;
    if hi > 9 || lo > 9 {
        return None;
    }
    Some(hi.wrapping_mul(10).wrapping_add(lo))
}

/// BCD of a value below 100 (callers check the range).
pub(crate) fn to_bcd(value: u8) -> u8 {
    let tens = (value / 10) % 10;
    tens.wrapping_shl(4) | (value % 10)
}

/// Whether `year` is a Gregorian leap year.
pub(crate) fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days of `month` (1..=12) in `year`.
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// What is wrong with a `DATE_AND_TIME`, before a caller picks the error that reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DtFault {
    /// A byte (or the milliseconds nibble) is not BCD.
    Bcd {
        /// `"year"`, `"month"`, ..., `"millisecond"`.
        field: &'static str,
        /// The byte as found.
        byte: u8,
    },
    /// A field is outside its range.
    Range {
        /// `"year"`, `"month"`, ...
        field: &'static str,
        /// Its value.
        value: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
}

impl DtFault {
    /// The `Error::InvalidValue` the clock has always reported for this fault.
    fn clock_error(self) -> Error {
        let (field, value) = match self {
            Self::Bcd { field, byte } => (field, u32::from(byte)),
            Self::Range { field, value, .. } => (field, value),
        };
        let what = match field {
            "year" => "clock year",
            "month" => "clock month",
            "day" => "clock day",
            "hour" => "clock hour",
            "minute" => "clock minute",
            "second" => "clock second",
            "millisecond" => "clock milliseconds",
            _ => "clock weekday",
        };
        Error::InvalidValue { what, value }
    }
}

fn range(field: &'static str, value: u32, min: u32, max: u32) -> Result<(), DtFault> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(DtFault::Range {
            field,
            value,
            min,
            max,
        })
    }
}

fn bcd(byte: u8, field: &'static str) -> Result<u8, DtFault> {
    from_bcd(byte).ok_or(DtFault::Bcd { field, byte })
}

impl S7DateTime {
    /// Decodes the 10-byte clock data of a clock userdata item.
    pub fn parse_clock_data(data: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(data, "clock data");
        let _reserved = r.u8()?;
        let _century = r.u8()?;
        let dt = r.array::<8>()?;
        r.finish()?;
        Self::from_date_and_time(dt)
    }

    /// Decodes an 8-byte BCD `DATE_AND_TIME`.
    pub fn from_date_and_time(bytes: [u8; 8]) -> Result<Self, Error> {
        Self::decode_dt(bytes).map_err(DtFault::clock_error)
    }

    /// Decodes an 8-byte BCD `DATE_AND_TIME`, reporting what is wrong as a [`DtFault`].
    pub(crate) fn decode_dt(bytes: [u8; 8]) -> Result<Self, DtFault> {
        let [y, mo, d, h, mi, s, ms_hi, ms_lo_dow] = bytes;
        let yy = bcd(y, "year")?;
        let year = if yy >= 90 {
            1900u16.saturating_add(u16::from(yy))
        } else {
            2000u16.saturating_add(u16::from(yy))
        };
        let month = bcd(mo, "month")?;
        let day = bcd(d, "day")?;
        let hour = bcd(h, "hour")?;
        let minute = bcd(mi, "minute")?;
        let second = bcd(s, "second")?;
        let ms_high = bcd(ms_hi, "millisecond")?;
        let ms_low = ms_lo_dow.wrapping_shr(4);
        if ms_low > 9 {
            return Err(DtFault::Bcd {
                field: "millisecond",
                byte: ms_lo_dow,
            });
        }
        let value = Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millisecond: u16::from(ms_high)
                .saturating_mul(10)
                .saturating_add(u16::from(ms_low)),
            weekday: ms_lo_dow & 0x0F,
        };
        value.check_fields()?;
        Ok(value)
    }

    /// Checks every field's range (weekday excepted, which is informational).
    pub fn validate(&self) -> Result<(), Error> {
        self.check_fields().map_err(DtFault::clock_error)
    }

    /// [`S7DateTime::validate`], reporting what is wrong as a [`DtFault`].
    pub(crate) fn check_fields(&self) -> Result<(), DtFault> {
        range("year", u32::from(self.year), 1990, 2089)?;
        range("month", u32::from(self.month), 1, 12)?;
        let last_day = days_in_month(self.year, self.month);
        range("day", u32::from(self.day), 1, u32::from(last_day))?;
        range("hour", u32::from(self.hour), 0, 23)?;
        range("minute", u32::from(self.minute), 0, 59)?;
        range("second", u32::from(self.second), 0, 59)?;
        range("millisecond", u32::from(self.millisecond), 0, 999)?;
        range("weekday", u32::from(self.weekday), 0, 15)
    }

    /// Encodes the 8-byte BCD `DATE_AND_TIME`.
    pub fn to_date_and_time(&self) -> Result<[u8; 8], Error> {
        self.validate()?;
        Ok(self.encode_dt())
    }

    /// The 8 BCD bytes of a value whose fields were checked by
    /// [`S7DateTime::check_fields`].
    pub(crate) fn encode_dt(&self) -> [u8; 8] {
        let yy = u8::try_from(self.year % 100).unwrap_or(0);
        let ms_high = u8::try_from(self.millisecond / 10).unwrap_or(0);
        let ms_low = u8::try_from(self.millisecond % 10).unwrap_or(0);
        [
            to_bcd(yy),
            to_bcd(self.month),
            to_bcd(self.day),
            to_bcd(self.hour),
            to_bcd(self.minute),
            to_bcd(self.second),
            to_bcd(ms_high),
            ms_low.wrapping_shl(4) | (self.weekday & 0x0F),
        ]
    }

    /// Appends the 10-byte clock data (`00`, century, `DATE_AND_TIME`).
    pub fn emit_clock_data(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let dt = self.to_date_and_time()?;
        let century = if self.year < 2000 { 0x19 } else { 0x20 };
        out.extend_from_slice(&[0, century]);
        out.extend_from_slice(&dt);
        Ok(())
    }

    /// The UTC calendar time of `millis` since the Unix epoch, or `None` outside
    /// 1990..=2089.
    pub fn from_unix_millis(millis: i64) -> Option<Self> {
        let since = u64::try_from(millis.checked_sub(MIN_UNIX_MILLIS)?).ok()?;
        if millis >= END_UNIX_MILLIS {
            return None;
        }
        let mut days = since / MILLIS_PER_DAY;
        let in_day = since % MILLIS_PER_DAY;
        // 1990-01-01 was a Monday (S7 weekday 2).
        let weekday = u8::try_from((days.checked_add(1)? % 7).checked_add(1)?).ok()?;
        let mut year = 1990u16;
        loop {
            let len = if is_leap(year) { 366 } else { 365 };
            if days < len {
                break;
            }
            days = days.checked_sub(len)?;
            year = year.checked_add(1)?;
        }
        let mut month = 1u8;
        loop {
            let len = u64::from(days_in_month(year, month));
            if days < len {
                break;
            }
            days = days.checked_sub(len)?;
            month = month.checked_add(1)?;
        }
        let day = u8::try_from(days.checked_add(1)?).ok()?;
        let secs = in_day / 1000;
        Some(Self {
            year,
            month,
            day,
            hour: u8::try_from(secs / 3600).ok()?,
            minute: u8::try_from((secs / 60) % 60).ok()?,
            second: u8::try_from(secs % 60).ok()?,
            millisecond: u16::try_from(in_day % 1000).ok()?,
            weekday,
        })
    }

    /// Milliseconds since the Unix epoch of this calendar time read as UTC (the weekday is
    /// ignored); `None` if a field is out of range.
    pub fn to_unix_millis(&self) -> Option<i64> {
        self.validate().ok()?;
        let mut days: u64 = 0;
        for y in 1990..self.year {
            days = days.checked_add(if is_leap(y) { 366 } else { 365 })?;
        }
        for m in 1..self.month {
            days = days.checked_add(u64::from(days_in_month(self.year, m)))?;
        }
        days = days.checked_add(u64::from(self.day.checked_sub(1)?))?;
        let secs = u64::from(self.hour)
            .checked_mul(3600)?
            .checked_add(u64::from(self.minute).checked_mul(60)?)?
            .checked_add(u64::from(self.second))?;
        let millis = days
            .checked_mul(MILLIS_PER_DAY)?
            .checked_add(secs.checked_mul(1000)?)?
            .checked_add(u64::from(self.millisecond))?;
        i64::try_from(millis).ok()?.checked_add(MIN_UNIX_MILLIS)
    }
}
