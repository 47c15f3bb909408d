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

fn from_bcd(byte: u8, what: &'static str) -> Result<u8, Error> {
    let hi = byte.wrapping_shr(4);
    let lo = byte & 0x0F;
    if hi > 9 || lo > 9 {
        return Err(Error::InvalidValue {
            what,
            value: u32::from(byte),
        });
    }
    Ok(hi.wrapping_mul(10).wrapping_add(lo))
}

/// BCD of a value below 100 (callers check the range).
fn to_bcd(value: u8) -> u8 {
    let tens = (value / 10) % 10;
    tens.wrapping_shl(4) | (value % 10)
}

fn check(value: u32, min: u32, max: u32, what: &'static str) -> Result<(), Error> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Error::InvalidValue { what, value })
    }
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
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
        let [y, mo, d, h, mi, s, ms_hi, ms_lo_dow] = bytes;
        let yy = from_bcd(y, "clock year")?;
        let year = if yy >= 90 {
            1900u16.saturating_add(u16::from(yy))
        } else {
            2000u16.saturating_add(u16::from(yy))
        };
        let month = from_bcd(mo, "clock month")?;
        let day = from_bcd(d, "clock day")?;
        let hour = from_bcd(h, "clock hour")?;
        let minute = from_bcd(mi, "clock minute")?;
        let second = from_bcd(s, "clock second")?;
        let ms_high = from_bcd(ms_hi, "clock milliseconds")?;
        let ms_low = ms_lo_dow.wrapping_shr(4);
        if ms_low > 9 {
            return Err(Error::InvalidValue {
                what: "clock milliseconds",
                value: u32::from(ms_lo_dow),
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
        value.validate()?;
        Ok(value)
    }

    /// Checks every field's range (weekday excepted, which is informational).
    pub fn validate(&self) -> Result<(), Error> {
        check(u32::from(self.year), 1990, 2089, "clock year")?;
        check(u32::from(self.month), 1, 12, "clock month")?;
        let last_day = days_in_month(self.year, self.month);
        check(u32::from(self.day), 1, u32::from(last_day), "clock day")?;
        check(u32::from(self.hour), 0, 23, "clock hour")?;
        check(u32::from(self.minute), 0, 59, "clock minute")?;
        check(u32::from(self.second), 0, 59, "clock second")?;
        check(u32::from(self.millisecond), 0, 999, "clock milliseconds")?;
        check(u32::from(self.weekday), 0, 15, "clock weekday")
    }

    /// Encodes the 8-byte BCD `DATE_AND_TIME`.
    pub fn to_date_and_time(&self) -> Result<[u8; 8], Error> {
        self.validate()?;
        let yy = u8::try_from(self.year % 100).unwrap_or(0);
        let ms_high = u8::try_from(self.millisecond / 10).unwrap_or(0);
        let ms_low = u8::try_from(self.millisecond % 10).unwrap_or(0);
        Ok([
            to_bcd(yy),
            to_bcd(self.month),
            to_bcd(self.day),
            to_bcd(self.hour),
            to_bcd(self.minute),
            to_bcd(self.second),
            to_bcd(ms_high),
            ms_low.wrapping_shl(4) | (self.weekday & 0x0F),
        ])
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
