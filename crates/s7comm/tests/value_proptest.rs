//! Property tests of typed values: for every data type, encoding then decoding is the
//! identity (one element, an array, and a tag span at a bit offset), and no decoder panics on
//! arbitrary bytes.
//!
//! Floats are compared by their bits (`to_bits`), so NaN payloads, infinities and `-0.0` are
//! included rather than excluded: the codec must carry them unchanged.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::collection::vec;
use proptest::prelude::*;

use s7comm::clock::S7DateTime;
use s7comm::value::{Date, Dtl};
use s7comm::{DataType, Value};

/// Equality with floats compared bit for bit.
fn bit_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        (Value::LReal(x), Value::LReal(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| bit_eq(x, y))
        }
        _ => a == b,
    }
}

/// A type and one to five values of it.
type Sample = (DataType, Vec<Value>);

fn of(ty: DataType, element: impl Strategy<Value = Value>) -> impl Strategy<Value = Sample> {
    vec(element, 1..6).prop_map(move |values| (ty, values))
}

/// Encode-then-decode is the identity for one element, the array, and the array written into
/// and read back from a tag span (at bit offset `bit` for `BOOL`).
fn round_trip((ty, values): Sample, bit: u8) -> Result<(), TestCaseError> {
    let first = &values[0];
    let bytes = first.encode(ty).unwrap();
    prop_assert_eq!(bytes.len(), ty.byte_len());
    let back = Value::decode(ty, &bytes).unwrap();
    prop_assert!(bit_eq(&back, first), "{:?} came back as {:?}", first, back);

    let n = values.len();
    let array = Value::Array(values);
    let bytes = array.encode(ty).unwrap();
    prop_assert_eq!(bytes.len(), Value::span_len(ty, Some(n), 0).unwrap());
    let back = Value::decode_array(ty, n, &bytes).unwrap();
    prop_assert!(bit_eq(&back, &array), "{:?} came back as {:?}", array, back);

    let bit = if ty.is_bit() { bit % 8 } else { 0 };
    let len = Value::span_len(ty, Some(n), bit).unwrap();
    let mut span = vec![0xA5u8; len];
    array.write_into(ty, Some(n), &mut span, bit).unwrap();
    let back = Value::read_from(ty, Some(n), &span, bit).unwrap();
    prop_assert!(bit_eq(&back, &array), "{:?} came back as {:?}", array, back);
    if ty.is_bit() {
        // Bits outside the tag keep their value.
        let end = usize::from(bit) + n;
        for index in (0..usize::from(bit)).chain(end..len * 8) {
            let was = 0xA5u8 >> (index % 8) & 1;
            let now = span[index / 8] >> (index % 8) & 1;
            prop_assert_eq!(was, now, "bit {} changed", index);
        }
    } else {
        prop_assert_eq!(span, bytes);
    }
    Ok(())
}

fn latin1_string(max: u16) -> impl Strategy<Value = String> {
    vec(any::<u8>(), 0..=usize::from(max))
        .prop_map(|bytes| bytes.into_iter().map(char::from).collect())
}

fn utf16_string(max: u16) -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..=usize::from(max)).prop_map(move |chars| {
        let mut text = String::new();
        for c in chars {
            if text.encode_utf16().count() + c.len_utf16() > usize::from(max) {
                break;
            }
            text.push(c);
        }
        text
    })
}

fn s5time_ms() -> impl Strategy<Value = u32> {
    (
        prop::sample::select(vec![10u32, 100, 1_000, 10_000]),
        0u32..=999,
    )
        .prop_map(|(b, u)| b * u)
}

fn date_and_time() -> impl Strategy<Value = S7DateTime> {
    (
        (1990u16..=2089, 1u8..=12, 1u8..=31),
        (0u8..=23, 0u8..=59, 0u8..=59, 0u16..=999, 1u8..=7),
    )
        .prop_map(
            |((year, month, day), (hour, minute, second, millisecond, weekday))| S7DateTime {
                year,
                month,
                day,
                hour,
                minute,
                second,
                millisecond,
                weekday,
            },
        )
        .prop_filter("a real calendar date", |dt| dt.validate().is_ok())
}

fn dtl() -> impl Strategy<Value = Dtl> {
    (
        (1970u16..=2262, 1u8..=12, 1u8..=31, 1u8..=7),
        (0u8..=23, 0u8..=59, 0u8..=59, 0u32..=999_999_999),
    )
        .prop_map(
            |((year, month, day, weekday), (hour, minute, second, nanosecond))| Dtl {
                year,
                month,
                day,
                weekday,
                hour,
                minute,
                second,
                nanosecond,
            },
        )
        .prop_filter("within the DTL range", |dtl| dtl.validate().is_ok())
}

/// One property test per data type.
macro_rules! per_type {
    ($($name:ident: $sample:expr;)*) => {
        proptest! {
            $(
                #[test]
                fn $name(sample in $sample, bit in 0u8..8) {
                    round_trip(sample, bit)?;
                }
            )*
        }
    };
}

per_type! {
    bool_round_trips: of(DataType::Bool, any::<bool>().prop_map(Value::Bool));
    byte_round_trips: of(DataType::Byte, any::<u8>().prop_map(Value::Byte));
    word_round_trips: of(DataType::Word, any::<u16>().prop_map(Value::Word));
    dword_round_trips: of(DataType::DWord, any::<u32>().prop_map(Value::DWord));
    lword_round_trips: of(DataType::LWord, any::<u64>().prop_map(Value::LWord));
    sint_round_trips: of(DataType::SInt, any::<i8>().prop_map(Value::SInt));
    usint_round_trips: of(DataType::USInt, any::<u8>().prop_map(Value::USInt));
    int_round_trips: of(DataType::Int, any::<i16>().prop_map(Value::Int));
    uint_round_trips: of(DataType::UInt, any::<u16>().prop_map(Value::UInt));
    dint_round_trips: of(DataType::DInt, any::<i32>().prop_map(Value::DInt));
    udint_round_trips: of(DataType::UDInt, any::<u32>().prop_map(Value::UDInt));
    lint_round_trips: of(DataType::LInt, any::<i64>().prop_map(Value::LInt));
    ulint_round_trips: of(DataType::ULInt, any::<u64>().prop_map(Value::ULInt));
    real_round_trips: of(DataType::Real, any::<u32>().prop_map(|b| Value::Real(f32::from_bits(b))));
    lreal_round_trips: of(DataType::LReal, any::<u64>().prop_map(|b| Value::LReal(f64::from_bits(b))));
    char_round_trips: of(DataType::Char, any::<u8>().prop_map(|b| Value::Char(char::from(b))));
    wchar_round_trips: of(
        DataType::WChar,
        any::<u16>().prop_filter_map("no surrogate", |u| char::from_u32(u.into()).map(Value::WChar)),
    );
    string_round_trips: (1u16..=254).prop_flat_map(|n| of(DataType::String(n), latin1_string(n).prop_map(Value::String)));
    wstring_round_trips: (1u16..=300).prop_flat_map(|n| of(DataType::WString(n), utf16_string(n).prop_map(Value::WString)));
    date_round_trips: of(DataType::Date, (0u16..=65_378).prop_map(|d| Value::Date(Date::from_days(d).unwrap())));
    time_round_trips: of(DataType::Time, any::<i32>().prop_map(Value::Time));
    ltime_round_trips: of(DataType::LTime, any::<i64>().prop_map(Value::LTime));
    time_of_day_round_trips: of(DataType::TimeOfDay, (0u32..86_400_000).prop_map(Value::TimeOfDay));
    s5time_round_trips: of(DataType::S5Time, s5time_ms().prop_map(Value::S5Time));
    date_and_time_round_trips: of(DataType::DateAndTime, date_and_time().prop_map(Value::DateAndTime));
    dtl_round_trips: of(DataType::Dtl, dtl().prop_map(Value::Dtl));
    timer_round_trips: of(DataType::Timer, any::<u16>().prop_map(Value::Timer));
    counter_round_trips: of(DataType::Counter, any::<u16>().prop_map(Value::Counter));
}

/// Every data type, strings with a few lengths.
fn data_type() -> impl Strategy<Value = DataType> {
    prop_oneof![
        prop::sample::select(vec![
            DataType::Bool,
            DataType::Byte,
            DataType::Word,
            DataType::DWord,
            DataType::LWord,
            DataType::SInt,
            DataType::USInt,
            DataType::Int,
            DataType::UInt,
            DataType::DInt,
            DataType::UDInt,
            DataType::LInt,
            DataType::ULInt,
            DataType::Real,
            DataType::LReal,
            DataType::Char,
            DataType::WChar,
            DataType::Date,
            DataType::Time,
            DataType::LTime,
            DataType::TimeOfDay,
            DataType::S5Time,
            DataType::DateAndTime,
            DataType::Dtl,
            DataType::Timer,
            DataType::Counter,
        ]),
        (0u16..=300).prop_map(DataType::String),
        (0u16..=20).prop_map(DataType::WString),
    ]
}

proptest! {
    /// Decoding arbitrary bytes as any type returns a value or an error; a value re-encodes to
    /// bytes that decode to it again.
    #[test]
    fn decode_never_panics(ty in data_type(), bytes in vec(any::<u8>(), 0..40)) {
        let _ = Value::decode(ty, &bytes);
        // Exactly sized bytes too, so the decoders themselves run.
        let mut sized = bytes.clone();
        sized.resize(ty.byte_len(), 0);
        if let Ok(value) = Value::decode(ty, &sized) {
            let again = value.encode(ty).unwrap();
            prop_assert!(bit_eq(&Value::decode(ty, &again).unwrap(), &value));
        }
    }

    /// Reading tag spans never panics, whatever the count, bit and bytes.
    #[test]
    fn read_from_never_panics(
        ty in data_type(),
        count in prop::option::of(0usize..20),
        bit in 0u8..10,
        bytes in vec(any::<u8>(), 0..80),
    ) {
        let _ = Value::read_from(ty, count, &bytes, bit);
        let _ = Value::decode_array(ty, count.unwrap_or(1), &bytes);
        if let Ok(len) = Value::span_len(ty, count, bit) {
            let mut span = bytes.clone();
            span.resize(len, 0);
            if let Ok(value) = Value::read_from(ty, count, &span, bit) {
                let mut copy = span.clone();
                value.write_into(ty, count, &mut copy, bit).unwrap();
                prop_assert!(bit_eq(&Value::read_from(ty, count, &copy, bit).unwrap(), &value));
            }
        }
    }

    /// Parsing arbitrary text never panics, and what parses encodes.
    #[test]
    fn parse_never_panics(ty in data_type(), text in ".{0,24}") {
        if let Ok(value) = Value::parse(ty, &text) {
            prop_assert!(value.encode(ty).is_ok());
        }
    }

    /// Literal-looking text too: prefixes, digits, separators.
    #[test]
    fn parse_literals_never_panics(
        ty in data_type(),
        text in "(T#|LT#|S5T#|TOD#|DT#|DTL#|D#|C#|16#|2#|-)?[0-9hmsdnu:._#-]{0,24}",
    ) {
        if let Ok(value) = Value::parse(ty, &text) {
            prop_assert!(value.encode(ty).is_ok());
        }
    }

    /// Integers: `from_i64` accepts exactly what the type's Rust variant holds.
    #[test]
    fn from_i64_matches_the_variant_range(n in any::<i64>()) {
        prop_assert_eq!(Value::from_i64(DataType::Int, n).is_ok(), i16::try_from(n).is_ok());
        prop_assert_eq!(Value::from_i64(DataType::UDInt, n).is_ok(), u32::try_from(n).is_ok());
        prop_assert_eq!(Value::from_i64(DataType::SInt, n).is_ok(), i8::try_from(n).is_ok());
        if let Ok(v) = Value::from_i64(DataType::DInt, n) {
            prop_assert_eq!(Value::parse(DataType::DInt, &n.to_string()).unwrap(), v);
        }
    }
}
