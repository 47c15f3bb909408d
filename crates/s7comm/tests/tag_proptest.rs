//! Property tests of tag addresses: every valid tag prints to text that parses back to it,
//! and parsing never panics, whatever the input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;

use s7comm::tag::MAX_OFFSET;
use s7comm::{Area, DataType, Error, Tag};

/// Every fixed-size type that may live in I, Q, M and DB.
const PLAIN_TYPES: [DataType; 24] = [
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
];

fn memory_type() -> impl Strategy<Value = DataType> {
    prop_oneof![
        4 => proptest::sample::select(PLAIN_TYPES.to_vec()),
        1 => (1u16..=254).prop_map(DataType::String),
        1 => (1u16..=16382).prop_map(DataType::WString),
    ]
}

fn count() -> impl Strategy<Value = u16> {
    prop_oneof![3 => Just(1u16), 2 => 1u16..=16, 1 => 1u16..=u16::MAX]
}

fn offset() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 0u32..=100, 1 => 0u32..=MAX_OFFSET]
}

/// Any valid tag.
fn tag() -> impl Strategy<Value = Tag> {
    let memory = (
        proptest::sample::select(vec![
            Area::Inputs,
            Area::Outputs,
            Area::Flags,
            Area::DataBlock,
        ]),
        1u16..=u16::MAX,
        offset(),
        0u8..=7,
        memory_type(),
        count(),
    )
        .prop_map(|(area, db, offset, bit, data_type, count)| {
            let db = if area == Area::DataBlock { db } else { 0 };
            let bit = if data_type == DataType::Bool { bit } else { 0 };
            Tag::new(area, db, offset, data_type)
                .and_then(|t| t.with_bit(bit))
                .and_then(|t| t.with_count(count))
                .unwrap()
        });
    let timers = (offset(), count())
        .prop_map(|(index, count)| Tag::timer(index).and_then(|t| t.with_count(count)).unwrap());
    let counters = (offset(), count()).prop_map(|(index, count)| {
        Tag::counter(index)
            .and_then(|t| t.with_count(count))
            .unwrap()
    });
    prop_oneof![6 => memory, 1 => timers, 1 => counters]
}

/// What a parse result must satisfy: accepted tags print to text that parses back to the
/// same tag; errors are address errors pointing at a char boundary of the input.
fn check(input: &str) -> Result<(), TestCaseError> {
    match Tag::parse(input) {
        Ok(tag) => {
            let canonical = tag.to_string();
            prop_assert_eq!(
                Tag::parse(&canonical),
                Ok(tag),
                "{:?} -> {:?}",
                input,
                canonical
            );
        }
        Err(Error::Address { input: got, at, .. }) => {
            prop_assert_eq!(got.as_str(), input);
            prop_assert!(input.is_char_boundary(at), "{:?} at {}", input, at);
            prop_assert!(at <= input.len());
        }
        Err(other) => prop_assert!(false, "{:?}: {:?}", input, other),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn display_then_parse_is_identity(tag in tag()) {
        let text = tag.to_string();
        prop_assert_eq!(Tag::parse(&text), Ok(tag), "{}", text);
        prop_assert_eq!(text.parse::<Tag>(), Ok(tag));
        prop_assert_eq!(Tag::parse(&format!("%{text}")), Ok(tag));
        prop_assert_eq!(Tag::parse(&text.to_lowercase()), Ok(tag));
    }

    #[test]
    fn item_address_spans_byte_len(tag in tag()) {
        let len = tag.byte_len();
        match tag.item_address() {
            Ok(item) => {
                prop_assert_eq!(item.area, tag.area());
                prop_assert_eq!(item.db_number, tag.db_number());
                if matches!(tag.area(), Area::Timers | Area::Counters) {
                    prop_assert_eq!(item.count, tag.count());
                    prop_assert_eq!(item.address, tag.offset());
                } else if tag.data_type() == DataType::Bool && tag.count() == 1 {
                    prop_assert_eq!(item.address, tag.offset() * 8 + u32::from(tag.bit()));
                } else {
                    prop_assert_eq!(u32::from(item.count), len);
                    prop_assert_eq!(item.address, tag.offset() * 8);
                }
                let mut wire = Vec::new();
                prop_assert!(item.emit(&mut wire).is_ok());
            }
            Err(_) => prop_assert!(len > u32::from(u16::MAX)),
        }
    }

    #[test]
    fn parse_never_panics_on_any_string(input in any::<String>()) {
        check(&input)?;
    }

    #[test]
    fn accepted_alphabet_strings_round_trip(
        input in "%?[DBXWIQEAMTCZSRNGLOHKPUTdbxwiqm0-9.,:\\[\\]()_ ü]{0,20}"
    ) {
        check(&input)?;
    }

    #[test]
    fn accepted_structured_strings_round_trip(
        input in "%?(DB[0-9]{1,6}[.,:])?(DB)?[XBWDIQEAMTCSR]{0,3}[0-9]{0,8}(\\.[0-9]{1,3}){0,3}(:[A-Z_]{1,8}([\\[(][0-9]{1,5}[\\])]){0,2})?"
    ) {
        check(&input)?;
    }

    #[test]
    fn mutated_canonical_strings_do_not_panic(tag in tag(), at in any::<prop::sample::Index>(), byte in proptest::sample::select(b".,:[]()%0123456789XBWDISQ".to_vec()), delete in any::<bool>()) {
        let mut text = tag.to_string().into_bytes();
        let i = at.index(text.len() + 1);
        if delete && i < text.len() {
            text.remove(i);
        } else {
            text.insert(i, byte);
        }
        check(&String::from_utf8(text).unwrap())?;
    }
}
