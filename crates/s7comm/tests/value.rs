//! Typed values: exact byte layouts against known encodings, and the boundaries of every
//! type (minimum, maximum, one past rejected).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use s7comm::clock::S7DateTime;
use s7comm::value::{
    counter_from_word, counter_to_word, s5time_from_word, s5time_to_word, Date, Dtl,
};
use s7comm::{DataType, Error, Value};

/// Encodes `value` as `ty`, checks the bytes, and decodes them back to `value`.
fn layout(ty: DataType, value: Value, bytes: &[u8]) {
    assert_eq!(value.encode(ty).unwrap(), bytes, "{ty} {value:?}");
    assert_eq!(
        Value::decode(ty, bytes).unwrap(),
        value,
        "{ty} {bytes:02x?}"
    );
}

/// `from_i64(ty, n)` is accepted; `n` itself is the extreme of the range.
fn accepts(ty: DataType, n: i64, value: Value) {
    assert_eq!(Value::from_i64(ty, n).unwrap(), value, "{ty} {n}");
}

/// `from_i64(ty, n)` is refused as out of range.
fn refuses(ty: DataType, n: i64) {
    match Value::from_i64(ty, n) {
        Err(Error::ValueOutOfRange { .. }) => {}
        other => panic!("{ty} {n}: expected out of range, got {other:?}"),
    }
}

/// A `DATE_AND_TIME` value from its fields, in their order.
#[allow(clippy::too_many_arguments)]
fn dt(
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    millisecond: u16,
    weekday: u8,
) -> S7DateTime {
    S7DateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        millisecond,
        weekday,
    }
}

#[test]
fn bool_is_one_byte_00_or_01() {
    layout(DataType::Bool, Value::Bool(false), &[0x00]);
    layout(DataType::Bool, Value::Bool(true), &[0x01]);
    assert!(matches!(
        Value::decode(DataType::Bool, &[0x02]),
        Err(Error::InvalidEncoding { .. })
    ));
    accepts(DataType::Bool, 1, Value::Bool(true));
    refuses(DataType::Bool, 2);
    refuses(DataType::Bool, -1);
}

#[test]
fn unsigned_integers_at_their_bounds() {
    layout(DataType::Byte, Value::Byte(0xFF), &[0xFF]);
    layout(DataType::USInt, Value::USInt(200), &[0xC8]);
    layout(DataType::Word, Value::Word(0xBEEF), &[0xBE, 0xEF]);
    layout(DataType::UInt, Value::UInt(65_535), &[0xFF, 0xFF]);
    layout(DataType::DWord, Value::DWord(0x0102_0304), &[1, 2, 3, 4]);
    layout(DataType::UDInt, Value::UDInt(u32::MAX), &[0xFF; 4]);
    layout(
        DataType::LWord,
        Value::LWord(0x0102_0304_0506_0708),
        &[1, 2, 3, 4, 5, 6, 7, 8],
    );
    layout(DataType::ULInt, Value::ULInt(u64::MAX), &[0xFF; 8]);
    for (ty, max) in [
        (DataType::Byte, 255i64),
        (DataType::USInt, 255),
        (DataType::Word, 65_535),
        (DataType::UInt, 65_535),
        (DataType::DWord, 4_294_967_295),
        (DataType::UDInt, 4_294_967_295),
    ] {
        assert!(Value::from_i64(ty, 0).is_ok());
        assert!(Value::from_i64(ty, max).is_ok());
        refuses(ty, max + 1);
        refuses(ty, -1);
    }
    assert_eq!(
        Value::from_u64(DataType::ULInt, u64::MAX).unwrap(),
        Value::ULInt(u64::MAX)
    );
    assert_eq!(
        Value::from_u64(DataType::LWord, u64::MAX).unwrap(),
        Value::LWord(u64::MAX)
    );
    refuses(DataType::ULInt, -1);
    assert!(matches!(
        Value::from_u64(DataType::LInt, u64::MAX),
        Err(Error::ValueOutOfRange { .. })
    ));
}

#[test]
fn signed_integers_at_their_bounds() {
    layout(DataType::SInt, Value::SInt(-128), &[0x80]);
    layout(DataType::SInt, Value::SInt(127), &[0x7F]);
    layout(DataType::Int, Value::Int(-32_768), &[0x80, 0x00]);
    layout(DataType::Int, Value::Int(32_767), &[0x7F, 0xFF]);
    layout(DataType::Int, Value::Int(-1), &[0xFF, 0xFF]);
    layout(DataType::DInt, Value::DInt(i32::MIN), &[0x80, 0, 0, 0]);
    layout(DataType::DInt, Value::DInt(-2), &[0xFF, 0xFF, 0xFF, 0xFE]);
    layout(
        DataType::LInt,
        Value::LInt(i64::MIN),
        &[0x80, 0, 0, 0, 0, 0, 0, 0],
    );
    layout(
        DataType::LInt,
        Value::LInt(i64::MAX),
        &[0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
    );
    accepts(DataType::SInt, -128, Value::SInt(-128));
    refuses(DataType::SInt, 128);
    refuses(DataType::SInt, -129);
    accepts(DataType::Int, 32_767, Value::Int(32_767));
    refuses(DataType::Int, 32_768);
    refuses(DataType::Int, -32_769);
    accepts(DataType::DInt, i64::from(i32::MIN), Value::DInt(i32::MIN));
    refuses(DataType::DInt, i64::from(i32::MAX) + 1);
    accepts(DataType::LInt, i64::MIN, Value::LInt(i64::MIN));
}

#[test]
fn int_out_of_range_message_names_type_value_and_range() {
    let err = Value::from_i64(DataType::Int, 40_000).unwrap_err();
    assert_eq!(err.to_string(), "int value 40000 is outside -32768..=32767");
    assert!(matches!(
        err,
        Error::ValueOutOfRange {
            data_type: DataType::Int,
            ..
        }
    ));
}

#[test]
fn floats_are_ieee_big_endian_and_keep_their_bits() {
    layout(DataType::Real, Value::Real(1.0), &[0x3F, 0x80, 0x00, 0x00]);
    layout(DataType::Real, Value::Real(0.1), &[0x3D, 0xCC, 0xCC, 0xCD]);
    layout(
        DataType::LReal,
        Value::LReal(1.0),
        &[0x3F, 0xF0, 0, 0, 0, 0, 0, 0],
    );
    layout(
        DataType::LReal,
        Value::LReal(-2.5),
        &[0xC0, 0x04, 0, 0, 0, 0, 0, 0],
    );
    let nan = [0x7F, 0xC0, 0x12, 0x34];
    let Value::Real(x) = Value::decode(DataType::Real, &nan).unwrap() else {
        panic!("not a real")
    };
    assert!(x.is_nan());
    assert_eq!(Value::Real(x).encode(DataType::Real).unwrap(), nan);
    assert_eq!(
        Value::Real(-0.0).encode(DataType::Real).unwrap(),
        [0x80, 0, 0, 0]
    );
    assert_eq!(
        Value::from_f64(DataType::Real, 0.1).unwrap(),
        Value::Real(0.1)
    );
    assert!(Value::from_f64(DataType::Real, f64::from(f32::MAX)).is_ok());
    assert!(matches!(
        Value::from_f64(DataType::Real, 3.5e38),
        Err(Error::ValueOutOfRange { .. })
    ));
    assert!(Value::from_f64(DataType::Real, f64::INFINITY).is_ok());
    accepts(DataType::Real, 16_777_216, Value::Real(16_777_216.0));
    refuses(DataType::Real, 16_777_217);
    accepts(
        DataType::LReal,
        1 << 53,
        Value::LReal(9_007_199_254_740_992.0),
    );
    refuses(DataType::LReal, (1 << 53) + 1);
}

#[test]
fn from_f64_takes_whole_numbers_for_integer_types() {
    assert_eq!(
        Value::from_f64(DataType::Int, -12.0).unwrap(),
        Value::Int(-12)
    );
    assert!(matches!(
        Value::from_f64(DataType::Int, 1.5),
        Err(Error::ValueNotRepresentable { .. })
    ));
    assert!(matches!(
        Value::from_f64(DataType::Int, 40_000.0),
        Err(Error::ValueOutOfRange { .. })
    ));
    assert!(Value::from_f64(DataType::DInt, f64::NAN).is_err());
    assert!(Value::from_f64(DataType::ULInt, 1e300).is_err());
}

#[test]
fn char_is_latin1_and_wchar_one_utf16_unit() {
    layout(DataType::Char, Value::Char('A'), &[0x41]);
    layout(DataType::Char, Value::Char('é'), &[0xE9]);
    layout(DataType::Char, Value::Char('\u{FF}'), &[0xFF]);
    assert!(matches!(
        Value::Char('€').encode(DataType::Char),
        Err(Error::ValueNotRepresentable { .. })
    ));
    layout(DataType::WChar, Value::WChar('€'), &[0x20, 0xAC]);
    layout(DataType::WChar, Value::WChar('\u{FFFF}'), &[0xFF, 0xFF]);
    assert!(Value::WChar('😀').encode(DataType::WChar).is_err());
    assert!(matches!(
        Value::decode(DataType::WChar, &[0xD8, 0x00]),
        Err(Error::InvalidEncoding { .. })
    ));
    accepts(DataType::Char, 255, Value::Char('\u{FF}'));
    refuses(DataType::Char, 256);
    assert!(Value::from_i64(DataType::WChar, 0xD800).is_err());
}

#[test]
fn string_has_max_and_actual_length_then_zero_fill() {
    let mut ab = vec![0x0A, 0x02, 0x41, 0x42];
    ab.extend([0; 8]);
    layout(DataType::String(10), Value::String("AB".into()), &ab);
    layout(
        DataType::String(3),
        Value::String(String::new()),
        &[3, 0, 0, 0, 0],
    );
    layout(
        DataType::String(2),
        Value::String("ßé".into()),
        &[2, 2, 0xDF, 0xE9],
    );
    let full = "x".repeat(254);
    let bytes = Value::String(full.clone())
        .encode(DataType::String(254))
        .unwrap();
    assert_eq!(bytes.len(), 256);
    assert_eq!(&bytes[..2], &[254, 254]);
    assert_eq!(
        Value::decode(DataType::String(254), &bytes).unwrap(),
        Value::String(full)
    );
}

#[test]
fn string_that_does_not_fit_is_refused() {
    let err = Value::String("ABC".into())
        .encode(DataType::String(2))
        .unwrap_err();
    assert!(matches!(err, Error::ValueOutOfRange { .. }), "{err}");
    assert!(matches!(
        Value::String("€".into()).encode(DataType::String(4)),
        Err(Error::ValueNotRepresentable { .. })
    ));
    assert!(matches!(
        Value::String("A".into()).encode(DataType::String(255)),
        Err(Error::DataType { .. })
    ));
    // Actual length above the stored maximum, and above the declared length.
    assert!(matches!(
        Value::decode(DataType::String(4), &[2, 3, 0x41, 0x41, 0x41, 0]),
        Err(Error::InvalidEncoding { .. })
    ));
    assert!(matches!(
        Value::decode(DataType::String(2), &[9, 3, 0x41, 0x41]),
        Err(Error::InvalidEncoding { .. })
    ));
    // A zeroed (never written) string reads as empty.
    assert_eq!(
        Value::decode(DataType::String(2), &[0, 0, 0, 0]).unwrap(),
        Value::String(String::new())
    );
}

#[test]
fn wstring_is_utf16_big_endian() {
    layout(
        DataType::WString(4),
        Value::WString("Aé".into()),
        &[0, 4, 0, 2, 0, 0x41, 0, 0xE9, 0, 0, 0, 0],
    );
    // A character outside the BMP takes two units.
    layout(
        DataType::WString(2),
        Value::WString("😀".into()),
        &[0, 2, 0, 2, 0xD8, 0x3D, 0xDE, 0x00],
    );
    assert!(matches!(
        Value::WString("😀".into()).encode(DataType::WString(1)),
        Err(Error::ValueOutOfRange { .. })
    ));
    assert!(matches!(
        Value::decode(DataType::WString(1), &[0, 1, 0, 1, 0xDC, 0x00]),
        Err(Error::InvalidEncoding { .. })
    ));
    assert!(matches!(
        Value::decode(DataType::WString(1), &[0, 1, 0, 2, 0, 0x41]),
        Err(Error::InvalidEncoding { .. })
    ));
}

#[test]
fn wstring_at_its_largest_declared_length() {
    // WSTRING[16382] is the largest: 4 header bytes and 16382 units fill 32768 bytes.
    let full: String = core::iter::repeat_n('A', 16_382).collect();
    let bytes = Value::WString(full.clone())
        .encode(DataType::WString(16_382))
        .unwrap();
    assert_eq!(bytes.len(), 32_768);
    assert_eq!(bytes[..4], [0x3F, 0xFE, 0x3F, 0xFE]);
    assert!(bytes[4..].chunks(2).all(|unit| unit == [0, 0x41]));
    assert_eq!(
        Value::decode(DataType::WString(16_382), &bytes).unwrap(),
        Value::WString(full.clone())
    );
    assert_eq!(DataType::WString(16_382).byte_len(), 32_768);

    // One character more than the declared length is refused, not cut.
    let one_more: String = core::iter::repeat_n('A', 16_383).collect();
    assert!(matches!(
        Value::WString(one_more).encode(DataType::WString(16_382)),
        Err(Error::ValueOutOfRange { .. })
    ));

    // WSTRING[16383] is not a type: refused both ways.
    for result in [
        Value::WString("A".into()).encode(DataType::WString(16_383)),
        Value::WString(String::new()).encode(DataType::WString(16_383)),
    ] {
        assert!(matches!(result, Err(Error::DataType { .. })), "{result:?}");
    }
    let mut too_long = vec![0_u8; 32_770];
    too_long[..4].copy_from_slice(&[0x3F, 0xFF, 0, 1]);
    assert!(matches!(
        Value::decode(DataType::WString(16_383), &too_long),
        Err(Error::DataType { .. })
    ));
    // A header claiming more than the declared maximum is refused too.
    let mut claims_more = bytes;
    claims_more[..4].copy_from_slice(&[0x3F, 0xFF, 0x3F, 0xFF]);
    assert!(Value::decode(DataType::WString(16_382), &claims_more).is_err());
}

#[test]
fn date_counts_days_from_1990() {
    layout(DataType::Date, Value::Date(Date::MIN), &[0, 0]);
    layout(
        DataType::Date,
        Value::Date(Date {
            year: 2024,
            month: 3,
            day: 15,
        }),
        &[0x30, 0xCC],
    );
    layout(DataType::Date, Value::Date(Date::MAX), &[0xFF, 0x62]);
    assert!(matches!(
        Value::decode(DataType::Date, &[0xFF, 0x63]),
        Err(Error::InvalidEncoding { .. })
    ));
    for bad in [
        Date {
            year: 1989,
            month: 12,
            day: 31,
        },
        Date {
            year: 2169,
            month: 1,
            day: 1,
        },
        Date {
            year: 2023,
            month: 2,
            day: 29,
        },
        Date {
            year: 2024,
            month: 13,
            day: 1,
        },
    ] {
        assert!(
            matches!(
                Value::Date(bad).encode(DataType::Date),
                Err(Error::ValueOutOfRange { .. })
            ),
            "{bad:?}"
        );
    }
    accepts(DataType::Date, 65_378, Value::Date(Date::MAX));
    refuses(DataType::Date, 65_379);
    assert_eq!(
        Date {
            year: 2024,
            month: 3,
            day: 15
        }
        .weekday(),
        Some(6)
    );
}

#[test]
fn time_ltime_and_time_of_day() {
    layout(DataType::Time, Value::Time(1_000), &[0, 0, 0x03, 0xE8]);
    layout(DataType::Time, Value::Time(-1), &[0xFF; 4]);
    layout(DataType::Time, Value::Time(i32::MIN), &[0x80, 0, 0, 0]);
    layout(
        DataType::LTime,
        Value::LTime(1_000_000_000),
        &[0, 0, 0, 0, 0x3B, 0x9A, 0xCA, 0x00],
    );
    layout(DataType::TimeOfDay, Value::TimeOfDay(0), &[0; 4]);
    layout(
        DataType::TimeOfDay,
        Value::TimeOfDay(86_399_999),
        &[0x05, 0x26, 0x5B, 0xFF],
    );
    assert!(matches!(
        Value::TimeOfDay(86_400_000).encode(DataType::TimeOfDay),
        Err(Error::ValueOutOfRange { .. })
    ));
    assert!(matches!(
        Value::decode(DataType::TimeOfDay, &[0x05, 0x26, 0x5C, 0x00]),
        Err(Error::InvalidEncoding { .. })
    ));
    refuses(DataType::TimeOfDay, 86_400_000);
    refuses(DataType::Time, i64::from(i32::MAX) + 1);
}

#[test]
fn time_at_its_bounds() {
    // TIME is a signed 32-bit count of milliseconds, two's complement.
    layout(
        DataType::Time,
        Value::Time(i32::MAX),
        &[0x7F, 0xFF, 0xFF, 0xFF],
    );
    layout(DataType::Time, Value::Time(i32::MIN), &[0x80, 0, 0, 0]);
    accepts(DataType::Time, i64::from(i32::MAX), Value::Time(i32::MAX));
    accepts(DataType::Time, i64::from(i32::MIN), Value::Time(i32::MIN));
    refuses(DataType::Time, i64::from(i32::MIN) - 1);
    // T#24d20h31m23s647ms is i32::MAX milliseconds, one more is refused.
    assert_eq!(
        Value::parse(DataType::Time, "T#24d20h31m23s647ms").unwrap(),
        Value::Time(i32::MAX)
    );
    assert!(matches!(
        Value::parse(DataType::Time, "T#24d20h31m23s648ms"),
        Err(Error::ValueOutOfRange { .. })
    ));
    assert!(matches!(
        Value::decode(DataType::Time, &[0x7F, 0xFF, 0xFF]),
        Err(Error::ValueLength {
            expected: 4,
            found: 3,
            ..
        })
    ));
}

#[test]
fn ltime_at_its_bounds() {
    // LTIME is a signed 64-bit count of nanoseconds, two's complement.
    layout(
        DataType::LTime,
        Value::LTime(i64::MAX),
        &[0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
    );
    layout(
        DataType::LTime,
        Value::LTime(i64::MIN),
        &[0x80, 0, 0, 0, 0, 0, 0, 0],
    );
    layout(DataType::LTime, Value::LTime(-1), &[0xFF; 8]);
    layout(DataType::LTime, Value::LTime(0), &[0; 8]);
    accepts(DataType::LTime, i64::MAX, Value::LTime(i64::MAX));
    accepts(DataType::LTime, i64::MIN, Value::LTime(i64::MIN));
    assert!(matches!(
        Value::from_u64(DataType::LTime, u64::try_from(i64::MAX).unwrap() + 1),
        Err(Error::ValueOutOfRange {
            data_type: DataType::LTime,
            ..
        })
    ));
    // LT#106751d23h47m16s854ms775us807ns is i64::MAX nanoseconds, one more is refused.
    assert_eq!(
        Value::parse(DataType::LTime, "LT#106751d23h47m16s854ms775us807ns").unwrap(),
        Value::LTime(i64::MAX)
    );
    assert!(matches!(
        Value::parse(DataType::LTime, "LT#106751d23h47m16s854ms775us808ns"),
        Err(Error::ValueOutOfRange { .. })
    ));
    assert_eq!(
        Value::parse(DataType::LTime, "LT#-106751d23h47m16s854ms775us808ns").unwrap(),
        Value::LTime(i64::MIN)
    );
    assert!(matches!(
        Value::decode(DataType::LTime, &[0; 7]),
        Err(Error::ValueLength {
            expected: 8,
            found: 7,
            ..
        })
    ));
}

#[test]
fn s5time_takes_the_finest_exact_time_base() {
    for (ms, word) in [
        (0, 0x0000),
        (10, 0x0001),
        (2_000, 0x0200),
        (9_990, 0x0999),
        (10_000, 0x1100),
        (12_000, 0x1120),
        (99_900, 0x1999),
        (100_000, 0x2100),
        (999_000, 0x2999),
        (1_000_000, 0x3100),
        (9_990_000, 0x3999),
    ] {
        assert_eq!(s5time_to_word(ms).unwrap(), word, "{ms} ms");
        assert_eq!(s5time_from_word(word).unwrap(), ms, "{word:04x}");
        let bytes = u16::to_be_bytes(word);
        layout(DataType::S5Time, Value::S5Time(ms), &bytes);
    }
    // Coarser bases decode too; bits 15-14 are ignored.
    assert_eq!(s5time_from_word(0x1020).unwrap(), 2_000);
    assert_eq!(s5time_from_word(0xC200).unwrap(), 2_000);
    assert!(matches!(
        s5time_to_word(5),
        Err(Error::ValueNotRepresentable { .. })
    ));
    assert!(matches!(
        s5time_to_word(10_005),
        Err(Error::ValueNotRepresentable { .. })
    ));
    assert!(matches!(
        s5time_to_word(9_990_001),
        Err(Error::ValueOutOfRange { .. })
    ));
    assert!(matches!(
        Value::decode(DataType::S5Time, &[0x00, 0x0A]),
        Err(Error::InvalidEncoding { .. })
    ));
    refuses(DataType::S5Time, 10_000_000);
}

#[test]
fn date_and_time_is_eight_bcd_bytes() {
    // 2024-03-15 12:34:56.789, a Friday (6).
    let friday = dt(2024, 3, 15, 12, 34, 56, 789, 6);
    layout(
        DataType::DateAndTime,
        Value::DateAndTime(friday),
        &[0x24, 0x03, 0x15, 0x12, 0x34, 0x56, 0x78, 0x96],
    );
    // 1990-01-01 00:00:00.000, a Monday; 2089-12-31 23:59:59.999, a Saturday.
    layout(
        DataType::DateAndTime,
        Value::DateAndTime(dt(1990, 1, 1, 0, 0, 0, 0, 2)),
        &[0x90, 0x01, 0x01, 0, 0, 0, 0, 0x02],
    );
    layout(
        DataType::DateAndTime,
        Value::DateAndTime(dt(2089, 12, 31, 23, 59, 59, 999, 7)),
        &[0x89, 0x12, 0x31, 0x23, 0x59, 0x59, 0x99, 0x97],
    );
    for bad in [
        dt(1989, 12, 31, 0, 0, 0, 0, 1),
        dt(2090, 1, 1, 0, 0, 0, 0, 1),
        dt(2024, 2, 30, 0, 0, 0, 0, 1),
        dt(2024, 3, 15, 24, 0, 0, 0, 1),
        dt(2024, 3, 15, 0, 0, 0, 1000, 1),
        dt(2024, 3, 15, 0, 0, 0, 0, 0),
        dt(2024, 3, 15, 0, 0, 0, 0, 8),
    ] {
        assert!(
            matches!(
                Value::DateAndTime(bad).encode(DataType::DateAndTime),
                Err(Error::ValueOutOfRange { .. })
            ),
            "{bad:?}"
        );
    }
    let err =
        Value::decode(DataType::DateAndTime, &[0x24, 0x1A, 0x15, 0, 0, 0, 0, 0x06]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "date_and_time bytes are invalid: month byte 0x1a is not bcd"
    );
    assert!(Value::decode(DataType::DateAndTime, &[0x24, 0x03, 0x15, 0, 0, 0, 0, 0xA6]).is_err());
    assert!(Value::decode(DataType::DateAndTime, &[0x24, 0x13, 0x15, 0, 0, 0, 0, 0x06]).is_err());
}

#[test]
fn dtl_is_twelve_bytes_with_nanoseconds() {
    let dtl = Dtl::new(2024, 3, 15, 12, 34, 56, 123_456_789).unwrap();
    assert_eq!(dtl.weekday, 6);
    layout(
        DataType::Dtl,
        Value::Dtl(dtl),
        &[
            0x07, 0xE8, 0x03, 0x0F, 0x06, 0x0C, 0x22, 0x38, 0x07, 0x5B, 0xCD, 0x15,
        ],
    );
    let first = Dtl::new(1970, 1, 1, 0, 0, 0, 0).unwrap();
    assert_eq!(first.weekday, 5);
    layout(
        DataType::Dtl,
        Value::Dtl(first),
        &[0x07, 0xB2, 1, 1, 5, 0, 0, 0, 0, 0, 0, 0],
    );
    assert!(Dtl::new(2262, 4, 11, 23, 47, 16, 854_775_807).is_ok());
    assert!(matches!(
        Dtl::new(2262, 4, 11, 23, 47, 16, 854_775_808),
        Err(Error::ValueOutOfRange { .. })
    ));
    assert!(Dtl::new(1969, 12, 31, 23, 59, 59, 0).is_err());
    assert!(Dtl::new(2024, 3, 15, 12, 34, 56, 1_000_000_000).is_err());
    assert!(matches!(
        Value::decode(DataType::Dtl, &[0; 12]),
        Err(Error::InvalidEncoding { .. })
    ));
}

#[test]
fn timers_and_counters_are_raw_words() {
    layout(DataType::Timer, Value::Timer(0x2120), &[0x21, 0x20]);
    layout(DataType::Timer, Value::Timer(0xFFFF), &[0xFF, 0xFF]);
    layout(DataType::Counter, Value::Counter(0x0999), &[0x09, 0x99]);
    assert_eq!(s5time_from_word(0x2120).unwrap(), 120_000);
    assert_eq!(counter_to_word(999).unwrap(), 0x0999);
    assert_eq!(counter_from_word(0x0042).unwrap(), 42);
    assert!(counter_to_word(1_000).is_err());
    assert!(counter_from_word(0x00A0).is_err());
    assert!(counter_from_word(0x1000).is_err());
    accepts(DataType::Counter, 65_535, Value::Counter(0xFFFF));
    refuses(DataType::Timer, 65_536);
}

#[test]
fn mismatched_variant_is_a_type_error() {
    let err = Value::Real(1.0).encode(DataType::Int).unwrap_err();
    assert_eq!(
        err,
        Error::ValueType {
            data_type: DataType::Int,
            found: "real"
        }
    );
    assert_eq!(err.to_string(), "a real value cannot be used as int");
    assert!(Value::Int(1).encode(DataType::DInt).is_err());
    assert!(Value::Array(vec![Value::Int(1)])
        .write_into(DataType::Int, None, &mut [0; 2], 0)
        .is_err());
    assert!(Value::Array(vec![Value::Array(vec![])])
        .encode(DataType::Int)
        .is_err());
    assert!(matches!(
        Value::from_i64(DataType::String(4), 1),
        Err(Error::ValueType { .. })
    ));
    assert!(Value::from_bool(DataType::Int, true).is_err());
}

#[test]
fn wrong_byte_counts_are_errors() {
    let err = Value::decode(DataType::Int, &[1, 2, 3]).unwrap_err();
    assert_eq!(
        err,
        Error::ValueLength {
            data_type: DataType::Int,
            count: 1,
            expected: 2,
            found: 3
        }
    );
    assert!(Value::decode(DataType::LReal, &[0; 7]).is_err());
    assert!(Value::decode(DataType::String(4), &[4, 0, 0, 0, 0]).is_err());
    assert!(Value::decode_array(DataType::Int, 2, &[0; 5]).is_err());
    assert!(Value::decode_array(DataType::Bool, 9, &[0]).is_err());
}

#[test]
fn arrays_are_elements_back_to_back() {
    let ints = Value::Array(vec![Value::Int(1), Value::Int(-1), Value::Int(0x1234)]);
    let bytes = ints.encode(DataType::Int).unwrap();
    assert_eq!(bytes, [0, 1, 0xFF, 0xFF, 0x12, 0x34]);
    assert_eq!(Value::decode_array(DataType::Int, 3, &bytes).unwrap(), ints);
    let strings = Value::Array(vec![Value::String("a".into()), Value::String("bc".into())]);
    let bytes = strings.encode(DataType::String(2)).unwrap();
    assert_eq!(bytes, [2, 1, b'a', 0, 2, 2, b'b', b'c']);
    assert_eq!(
        Value::decode_array(DataType::String(2), 2, &bytes).unwrap(),
        strings
    );
    assert_eq!(
        Value::decode_array(DataType::Real, 0, &[]).unwrap(),
        Value::Array(vec![])
    );
}

#[test]
fn bool_arrays_are_packed_bits_at_a_bit_offset() {
    let bits: Vec<Value> = [true, false, true, true, false, false, false, false, true]
        .into_iter()
        .map(Value::Bool)
        .collect();
    let array = Value::Array(bits.clone());
    assert_eq!(
        array.encode(DataType::Bool).unwrap(),
        [0b0000_1101, 0b0000_0001]
    );
    assert_eq!(
        Value::decode_array(DataType::Bool, 9, &[0b0000_1101, 0b1111_1111]).unwrap(),
        array
    );
    // DBX2.7 .. DBX3.7 spans two bytes; other bits are left alone.
    assert_eq!(Value::span_len(DataType::Bool, Some(9), 7).unwrap(), 2);
    let mut span = [0b0101_0101, 0b1010_1010];
    array
        .write_into(DataType::Bool, Some(9), &mut span, 7)
        .unwrap();
    assert_eq!(span, [0b1101_0101, 0b1000_0110]);
    assert_eq!(
        Value::read_from(DataType::Bool, Some(9), &span, 7).unwrap(),
        array
    );
    // A single bit.
    let mut byte = [0b1111_1111];
    Value::Bool(false)
        .write_into(DataType::Bool, None, &mut byte, 3)
        .unwrap();
    assert_eq!(byte, [0b1111_0111]);
    assert_eq!(
        Value::read_from(DataType::Bool, None, &byte, 3).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        Value::read_from(DataType::Bool, None, &byte, 2).unwrap(),
        Value::Bool(true)
    );
}

#[test]
fn tag_spans_check_counts_bits_and_lengths() {
    assert_eq!(Value::span_len(DataType::Int, None, 0).unwrap(), 2);
    assert_eq!(Value::span_len(DataType::Dtl, Some(2), 0).unwrap(), 24);
    assert_eq!(Value::span_len(DataType::Bool, None, 7).unwrap(), 1);
    assert_eq!(Value::span_len(DataType::Bool, Some(8), 1).unwrap(), 2);
    assert_eq!(Value::span_len(DataType::Bool, Some(0), 3).unwrap(), 0);
    assert!(Value::span_len(DataType::Bool, None, 8).is_err());
    assert!(Value::span_len(DataType::Int, None, 1).is_err());
    assert!(Value::span_len(DataType::LReal, Some(usize::MAX), 0).is_err());
    let mut span = [0u8; 4];
    let two = Value::Array(vec![Value::Int(7), Value::Int(8)]);
    assert!(matches!(
        two.write_into(DataType::Int, Some(3), &mut [0; 6], 0),
        Err(Error::ArrayLength {
            expected: 3,
            found: 2,
            ..
        })
    ));
    two.write_into(DataType::Int, Some(2), &mut span, 0)
        .unwrap();
    assert_eq!(span, [0, 7, 0, 8]);
    // A failed write leaves the span alone.
    let bad = Value::Array(vec![Value::Int(1), Value::Real(2.0)]);
    assert!(bad
        .write_into(DataType::Int, Some(2), &mut span, 0)
        .is_err());
    assert_eq!(span, [0, 7, 0, 8]);
    assert!(Value::read_from(DataType::Int, Some(2), &span[..3], 0).is_err());
}

#[test]
fn encode_into_appends_and_leaves_out_alone_on_error() {
    let mut out = vec![0xAA];
    Value::Word(0x1234)
        .encode_into(DataType::Word, &mut out)
        .unwrap();
    assert_eq!(out, [0xAA, 0x12, 0x34]);
    let bad = Value::Array(vec![Value::Word(1), Value::Int(2)]);
    assert!(bad.encode_into(DataType::Word, &mut out).is_err());
    assert_eq!(out, [0xAA, 0x12, 0x34]);
}

#[test]
fn literals_parse_per_type() {
    let p = |ty: DataType, text: &str| Value::parse(ty, text).unwrap();
    assert_eq!(p(DataType::Bool, "TRUE"), Value::Bool(true));
    assert_eq!(p(DataType::Bool, "0"), Value::Bool(false));
    assert_eq!(p(DataType::Int, " -42 "), Value::Int(-42));
    assert_eq!(p(DataType::Byte, "16#ff"), Value::Byte(0xFF));
    assert_eq!(p(DataType::Byte, "B#16#10"), Value::Byte(0x10));
    assert_eq!(
        p(DataType::DWord, "DW#16#DEAD_BEEF"),
        Value::DWord(0xDEAD_BEEF)
    );
    assert_eq!(p(DataType::USInt, "2#1010"), Value::USInt(10));
    assert_eq!(p(DataType::UInt, "0x10"), Value::UInt(16));
    assert_eq!(p(DataType::DInt, "1_000_000"), Value::DInt(1_000_000));
    assert_eq!(p(DataType::Real, "1.5"), Value::Real(1.5));
    assert_eq!(p(DataType::LReal, "-2e-3"), Value::LReal(-2e-3));
    assert_eq!(p(DataType::Char, "'é'"), Value::Char('é'));
    assert_eq!(p(DataType::WChar, "€"), Value::WChar('€'));
    assert_eq!(p(DataType::String(5), "'hi'"), Value::String("hi".into()));
    assert_eq!(
        p(DataType::WString(5), "ключ"),
        Value::WString("ключ".into())
    );
    assert_eq!(
        p(DataType::Date, "D#2024-03-15"),
        Value::Date(Date {
            year: 2024,
            month: 3,
            day: 15
        })
    );
    assert_eq!(p(DataType::Date, "0"), Value::Date(Date::MIN));
    assert_eq!(p(DataType::Time, "T#1h2m3s4ms"), Value::Time(3_723_004));
    assert_eq!(p(DataType::Time, "T#-500ms"), Value::Time(-500));
    assert_eq!(p(DataType::Time, "1500"), Value::Time(1_500));
    assert_eq!(
        p(DataType::LTime, "LT#1s_250us"),
        Value::LTime(1_000_250_000)
    );
    assert_eq!(
        p(DataType::TimeOfDay, "TOD#12:34:56.789"),
        Value::TimeOfDay(45_296_789)
    );
    assert_eq!(p(DataType::TimeOfDay, "00:01"), Value::TimeOfDay(60_000));
    assert_eq!(p(DataType::S5Time, "S5T#2s"), Value::S5Time(2_000));
    assert_eq!(
        p(DataType::DateAndTime, "DT#2024-03-15-12:34:56.789"),
        Value::DateAndTime(dt(2024, 3, 15, 12, 34, 56, 789, 6))
    );
    assert_eq!(
        p(DataType::Dtl, "DTL#2024-03-15T12:34:56.123456789"),
        Value::Dtl(Dtl::new(2024, 3, 15, 12, 34, 56, 123_456_789).unwrap())
    );
    assert_eq!(p(DataType::Timer, "S5T#2m"), Value::Timer(0x2120));
    assert_eq!(p(DataType::Timer, "513"), Value::Timer(513));
    assert_eq!(p(DataType::Counter, "C#42"), Value::Counter(0x0042));
    assert_eq!(p(DataType::Counter, "66"), Value::Counter(66));
}

#[test]
fn literals_that_do_not_fit_or_parse_are_refused() {
    let syntax = |ty: DataType, text: &str| {
        assert!(
            matches!(Value::parse(ty, text), Err(Error::ValueSyntax { .. })),
            "{ty} {text:?}: {:?}",
            Value::parse(ty, text)
        );
    };
    syntax(DataType::Bool, "yes");
    syntax(DataType::Int, "12abc");
    syntax(DataType::Int, "");
    syntax(DataType::Real, "one");
    syntax(DataType::Char, "AB");
    syntax(DataType::Time, "T#1x");
    syntax(DataType::Time, "T#1us");
    syntax(DataType::TimeOfDay, "TOD#24:00:00");
    syntax(DataType::DateAndTime, "DT#2024-03-15");
    let err = Value::parse(DataType::Int, "40000").unwrap_err();
    assert_eq!(err.to_string(), "int value 40000 is outside -32768..=32767");
    assert!(Value::parse(DataType::Real, "1e39").is_err());
    assert!(Value::parse(DataType::String(2), "abc").is_err());
    assert!(Value::parse(DataType::Char, "€").is_err());
    assert!(Value::parse(DataType::Date, "D#1989-12-31").is_err());
    assert!(Value::parse(DataType::DateAndTime, "DT#2090-01-01-00:00:00").is_err());
    assert!(Value::parse(DataType::S5Time, "S5T#10005ms").is_err());
    assert!(Value::parse(DataType::Counter, "C#1000").is_err());
    assert!(Value::parse(DataType::Dtl, "DTL#2262-04-12-00:00:00").is_err());
    assert_eq!(
        Value::parse(DataType::Bool, "maybe")
            .unwrap_err()
            .to_string(),
        "\"maybe\" is not a bool literal: expected true, false, 1 or 0"
    );
}

#[test]
fn errors_stay_comparable_and_lowercase() {
    let errors = [
        Value::from_i64(DataType::Int, 40_000).unwrap_err(),
        Value::String("ABC".into())
            .encode(DataType::String(2))
            .unwrap_err(),
        Value::decode(DataType::Int, &[0]).unwrap_err(),
        Value::Array(vec![])
            .write_into(DataType::Int, Some(1), &mut [0; 2], 0)
            .unwrap_err(),
        Value::parse(DataType::Time, "T#x").unwrap_err(),
    ];
    for err in &errors {
        assert_eq!(err.clone(), *err);
        let text = err.to_string();
        assert!(
            text.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{text}"
        );
    }
    assert_eq!(
        errors[1].to_string(),
        "string[2] value of 3 characters is outside its declared length of 2"
    );
    assert_eq!(
        errors[2].to_string(),
        "1 int element(s) occupy 2 bytes, not 1"
    );
}
