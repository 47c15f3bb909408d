//! Tag addresses in the three dialects: what each accepted input means and how it is
//! written back, and where and why rejected inputs fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use s7comm::{Area, DataType, Error, ItemAddress, Tag, TransportSize};

use Area::{Counters as C, DataBlock as DB, Flags as M, Inputs as I, Outputs as Q, Timers as T};
use DataType::*;

/// input, area, db, offset, bit, type, count, canonical STEP7 form.
type Case = (
    &'static str,
    Area,
    u16,
    u32,
    u8,
    DataType,
    u16,
    &'static str,
);

#[rustfmt::skip]
const ACCEPTED: &[Case] = &[
    // STEP7 / TIA
    ("DB1.DBX0.3", DB, 1, 0, 3, Bool, 1, "DB1.DBX0.3"),
    ("DB1.DBB2", DB, 1, 2, 0, Byte, 1, "DB1.DBB2"),
    ("DB1.DBW4", DB, 1, 4, 0, Word, 1, "DB1.DBW4"),
    ("DB1.DBD8", DB, 1, 8, 0, DWord, 1, "DB1.DBD8"),
    ("%DB1.DBD8", DB, 1, 8, 0, DWord, 1, "DB1.DBD8"),
    ("DB1.DBD8:REAL", DB, 1, 8, 0, Real, 1, "DB1.DBD8:REAL"),
    ("M10.1", M, 0, 10, 1, Bool, 1, "M10.1"),
    ("MB10", M, 0, 10, 0, Byte, 1, "MB10"),
    ("MW10", M, 0, 10, 0, Word, 1, "MW10"),
    ("MD10", M, 0, 10, 0, DWord, 1, "MD10"),
    ("I0.0", I, 0, 0, 0, Bool, 1, "I0.0"),
    ("%I0.0", I, 0, 0, 0, Bool, 1, "I0.0"),
    ("E0.0", I, 0, 0, 0, Bool, 1, "I0.0"),
    ("E0.7", I, 0, 0, 7, Bool, 1, "I0.7"),
    ("IB0", I, 0, 0, 0, Byte, 1, "IB0"),
    ("EB0", I, 0, 0, 0, Byte, 1, "IB0"),
    ("IW2", I, 0, 2, 0, Word, 1, "IW2"),
    ("ID4", I, 0, 4, 0, DWord, 1, "ID4"),
    ("Q0.0", Q, 0, 0, 0, Bool, 1, "Q0.0"),
    ("A0.0", Q, 0, 0, 0, Bool, 1, "Q0.0"),
    ("A1.2", Q, 0, 1, 2, Bool, 1, "Q1.2"),
    ("QB1", Q, 0, 1, 0, Byte, 1, "QB1"),
    ("AB1", Q, 0, 1, 0, Byte, 1, "QB1"),
    ("QW2", Q, 0, 2, 0, Word, 1, "QW2"),
    ("QD4", Q, 0, 4, 0, DWord, 1, "QD4"),
    ("T5", T, 0, 5, 0, Timer, 1, "T5"),
    ("C3", C, 0, 3, 0, Counter, 1, "C3"),
    ("Z3", C, 0, 3, 0, Counter, 1, "C3"),
    ("%MW10", M, 0, 10, 0, Word, 1, "MW10"),
    ("MW10:INT", M, 0, 10, 0, Int, 1, "MW10:INT"),
    ("MW10:WORD", M, 0, 10, 0, Word, 1, "MW10"),
    ("db1.dbw4:int", DB, 1, 4, 0, Int, 1, "DB1.DBW4:INT"),
    ("DB1.DBB30:STRING(20)", DB, 1, 30, 0, String(20), 1, "DB1.DBB30:STRING[20]"),
    ("DB1.DBB30:STRING[20][3]", DB, 1, 30, 0, String(20), 3, "DB1.DBB30:STRING[20][3]"),
    ("DB1.DBB0:STRING", DB, 1, 0, 0, String(254), 1, "DB1.DBB0:STRING[254]"),
    ("DB1.DBB0:WSTRING[10][2]", DB, 1, 0, 0, WString(10), 2, "DB1.DBB0:WSTRING[10][2]"),
    ("DB1.DBX0.0:BOOL[8]", DB, 1, 0, 0, Bool, 8, "DB1.DBX0.0:BOOL[8]"),
    ("MD4:DINT[3]", M, 0, 4, 0, DInt, 3, "MD4:DINT[3]"),
    ("DB2.DBB0:LREAL", DB, 2, 0, 0, LReal, 1, "DB2.DBB0:LREAL"),
    ("DB1.DBW0:S5TIME", DB, 1, 0, 0, S5Time, 1, "DB1.DBW0:S5TIME"),
    ("DB1.DBD0:TOD", DB, 1, 0, 0, TimeOfDay, 1, "DB1.DBD0:TIME_OF_DAY"),
    ("T5:TIMER[3]", T, 0, 5, 0, Timer, 3, "T5:TIMER[3]"),
    ("  MW10 ", M, 0, 10, 0, Word, 1, "MW10"),
    ("DB65535.DBB2097151", DB, 65535, 2_097_151, 0, Byte, 1, "DB65535.DBB2097151"),
    ("DB001.DBW010", DB, 1, 10, 0, Word, 1, "DB1.DBW10"),
    // PLC4X
    ("%DB1.DBD20:REAL", DB, 1, 20, 0, Real, 1, "DB1.DBD20:REAL"),
    ("%DB1.DBX50.3:BOOL", DB, 1, 50, 3, Bool, 1, "DB1.DBX50.3"),
    ("%DB1:20.0:REAL", DB, 1, 20, 0, Real, 1, "DB1.DBD20:REAL"),
    ("%DB1:20:INT", DB, 1, 20, 0, Int, 1, "DB1.DBW20:INT"),
    ("%DB1:3.5:BOOL", DB, 1, 3, 5, Bool, 1, "DB1.DBX3.5"),
    ("%DB3:0:DTL", DB, 3, 0, 0, Dtl, 1, "DB3.DBB0:DTL"),
    ("%DB1:4:INT[2]", DB, 1, 4, 0, Int, 2, "DB1.DBW4:INT[2]"),
    ("%MW10:INT", M, 0, 10, 0, Int, 1, "MW10:INT"),
    ("%I0.1:BOOL", I, 0, 0, 1, Bool, 1, "I0.1"),
    ("%Q0.0:BOOL[8]", Q, 0, 0, 0, Bool, 8, "Q0.0:BOOL[8]"),
    ("%DB1.DBB30:STRING(20)", DB, 1, 30, 0, String(20), 1, "DB1.DBB30:STRING[20]"),
    ("%DB1.DBB30:STRING(20)[4]", DB, 1, 30, 0, String(20), 4, "DB1.DBB30:STRING[20][4]"),
    ("%MX10.1:BOOL", M, 0, 10, 1, Bool, 1, "M10.1"),
    ("%DB1.DBW2:UINT", DB, 1, 2, 0, UInt, 1, "DB1.DBW2:UINT"),
    // nodeS7
    ("DB1,REAL20", DB, 1, 20, 0, Real, 1, "DB1.DBD20:REAL"),
    ("DB1,X50.3", DB, 1, 50, 3, Bool, 1, "DB1.DBX50.3"),
    ("DB1,INT4.10", DB, 1, 4, 0, Int, 10, "DB1.DBW4:INT[10]"),
    ("DB1,INT4.1", DB, 1, 4, 0, Int, 1, "DB1.DBW4:INT"),
    ("DB1,S30.10", DB, 1, 30, 0, String(10), 1, "DB1.DBB30:STRING[10]"),
    ("DB1,S30.10.3", DB, 1, 30, 0, String(10), 3, "DB1.DBB30:STRING[10][3]"),
    ("DB1,STRING30.10", DB, 1, 30, 0, String(10), 1, "DB1.DBB30:STRING[10]"),
    ("DB1,B0", DB, 1, 0, 0, Byte, 1, "DB1.DBB0"),
    ("DB1,BYTE0", DB, 1, 0, 0, Byte, 1, "DB1.DBB0"),
    ("DB1,C0", DB, 1, 0, 0, Char, 1, "DB1.DBB0:CHAR"),
    ("DB1,CHAR0", DB, 1, 0, 0, Char, 1, "DB1.DBB0:CHAR"),
    ("DB1,DI8", DB, 1, 8, 0, DInt, 1, "DB1.DBD8:DINT"),
    ("DB1,DINT8", DB, 1, 8, 0, DInt, 1, "DB1.DBD8:DINT"),
    ("DB1,DW8", DB, 1, 8, 0, DWord, 1, "DB1.DBD8"),
    ("DB1,D8", DB, 1, 8, 0, DWord, 1, "DB1.DBD8"),
    ("DB1,DWORD8", DB, 1, 8, 0, DWord, 1, "DB1.DBD8"),
    ("DB1,I4", DB, 1, 4, 0, Int, 1, "DB1.DBW4:INT"),
    ("DB1,W4", DB, 1, 4, 0, Word, 1, "DB1.DBW4"),
    ("DB1,WORD4", DB, 1, 4, 0, Word, 1, "DB1.DBW4"),
    ("DB1,R4", DB, 1, 4, 0, Real, 1, "DB1.DBD4:REAL"),
    ("DB1,REAL4.2", DB, 1, 4, 0, Real, 2, "DB1.DBD4:REAL[2]"),
    ("DB1,X0.0.8", DB, 1, 0, 0, Bool, 8, "DB1.DBX0.0:BOOL[8]"),
    ("db7,x1.6", DB, 7, 1, 6, Bool, 1, "DB7.DBX1.6"),
    ("MR4", M, 0, 4, 0, Real, 1, "MD4:REAL"),
    ("I0.1", I, 0, 0, 1, Bool, 1, "I0.1"),
    ("MI4", M, 0, 4, 0, Int, 1, "MW4:INT"),
    ("MW10.5", M, 0, 10, 0, Word, 5, "MW10:WORD[5]"),
    ("M10.1.2", M, 0, 10, 1, Bool, 2, "M10.1:BOOL[2]"),
    ("IB0.4", I, 0, 0, 0, Byte, 4, "IB0:BYTE[4]"),
    ("EDI8", I, 0, 8, 0, DInt, 1, "ID8:DINT"),
    ("QC2", Q, 0, 2, 0, Char, 1, "QB2:CHAR"),
    ("ADW6", Q, 0, 6, 0, DWord, 1, "QD6"),
    ("T5.3", T, 0, 5, 0, Timer, 3, "T5:TIMER[3]"),
    ("C3.2", C, 0, 3, 0, Counter, 2, "C3:COUNTER[2]"),
];

/// input, byte index of the problem, reason.
#[rustfmt::skip]
const REJECTED: &[(&str, usize, &str)] = &[
    ("", 0, "address expected"),
    ("   ", 3, "address expected"),
    ("%", 1, "address expected"),
    ("DB1.DBD", 7, "byte offset expected"),
    ("DB0.DBX0.0", 2, "db number out of range 1..=65535"),
    ("DB70000.DBB0", 2, "db number out of range 1..=65535"),
    ("DB99999999999.DBB0", 2, "number too large"),
    ("DB1.DBX0.8", 9, "bit number above 7"),
    ("DB1.DBX0", 8, "'.' and bit number expected"),
    ("DB1.DBB2097152", 7, "byte offset above 2097151"),
    ("DB1.DBB0x", 8, "unexpected trailing characters"),
    ("DB1.DBQ0", 6, "width X, B, W or D expected"),
    ("DB1.XB0", 4, "\"DB\" expected"),
    ("DB1", 3, "'.' or ':' expected"),
    ("%DB1,REAL4", 4, "'.' or ':' expected"),
    ("MW", 2, "byte offset expected"),
    ("X5", 0, "unknown area"),
    ("PIW4", 0, "unknown area"),
    ("ü", 0, "unknown area"),
    ("M10.1ü", 5, "unexpected trailing characters"),
    ("M10.1.2.3", 7, "unexpected trailing characters"),
    ("MW10.0", 5, "array count out of range 1..=65535"),
    ("DB1.DBW4:REAL", 9, "data type does not fit width of 2 bytes"),
    ("MW10:REAL", 5, "data type does not fit width of 2 bytes"),
    ("DB1.DBB0:INT", 9, "data type does not fit width of 1 byte"),
    ("DB1.DBD0:STRING[2]", 9, "data type does not fit width of 4 bytes"),
    ("DB1.DBX0.3:INT", 11, "data type does not fit a bit address"),
    ("DB1.DBW0:FOO", 9, "unknown data type"),
    ("DB1.DBW0:", 9, "data type expected"),
    ("DB1.DBB0:BOOL[0]", 14, "array count out of range 1..=65535"),
    ("DB1.DBB0:BYTE[2", 15, "']' expected"),
    ("DB1.DBB0:STRING(300)", 16, "string length out of range"),
    ("DB1.DBB0:INT(3)", 12, "unexpected trailing characters"),
    ("DB1.DBW0:TIMER", 9, "TIMER and COUNTER only in areas T and C"),
    ("T5:INT", 3, "timers hold only TIMER"),
    ("C5:TIMER", 3, "counters hold only COUNTER"),
    ("%DB1:20.0", 9, "data type expected"),
    ("%DB1:20.3:INT", 10, "bit number only for BOOL"),
    ("DB1,", 4, "data type expected"),
    ("DB1,S30", 7, "string length expected"),
    ("DB1,S30.255", 8, "string length out of range"),
    ("DB1,X0", 6, "'.' and bit number expected"),
    ("DB1,Q4", 4, "unknown data type"),
    ("DB1,INT4.2.3", 10, "unexpected trailing characters"),
    ("DB0,INT4", 2, "db number out of range 1..=65535"),
    ("DB1;INT4", 3, "'.' or ':' expected"),
    ("TB5", 1, "timer number expected"),
];

#[test]
fn accepted_inputs_mean_what_they_say_and_print_canonically() {
    assert!(ACCEPTED.len() >= 60);
    for &(input, area, db, offset, bit, data_type, count, canonical) in ACCEPTED {
        let tag = Tag::parse(input).unwrap_or_else(|e| panic!("{input:?} rejected: {e}"));
        assert_eq!(
            (
                tag.area(),
                tag.db_number(),
                tag.offset(),
                tag.bit(),
                tag.data_type(),
                tag.count()
            ),
            (area, db, offset, bit, data_type, count),
            "{input:?}"
        );
        assert_eq!(tag.to_string(), canonical, "{input:?}");
        assert_eq!(
            Tag::parse(canonical),
            Ok(tag),
            "{canonical:?} does not re-parse"
        );
        assert_eq!(input.parse::<Tag>(), Ok(tag), "FromStr of {input:?}");
    }
}

/// The examples each dialect is usually shown with (and those in the `tag` module docs): every
/// one of them must be a row of [`ACCEPTED`], so that what the docs promise is tested.
#[rustfmt::skip]
const DIALECT_EXAMPLES: &[&str] = &[
    // STEP7 / TIA
    "DB1.DBX0.3", "DB1.DBB2", "DB1.DBW4", "DB1.DBD8", "DB1.DBD8:REAL", "M10.1", "MB10", "MW10",
    "MD10", "I0.0", "%I0.0", "E0.0", "IB0", "EB0", "IW2", "ID4", "Q0.0", "A0.0", "QB1", "AB1",
    "QW2", "QD4", "T5", "C3", "Z3",
    // PLC4X
    "%DB1.DBD20:REAL", "%DB1.DBX50.3:BOOL", "%DB1:20.0:REAL", "%MW10:INT", "%I0.1:BOOL",
    "%Q0.0:BOOL[8]", "%DB1.DBB30:STRING(20)",
    // nodeS7
    "DB1,REAL20", "DB1,X50.3", "DB1,INT4.10", "DB1,S30.10", "DB1,B0", "DB1,BYTE0", "DB1,C0",
    "DB1,DI8", "DB1,DW8", "MR4", "MW10.5", "M10.1.2", "I0.1",
];

#[test]
fn every_dialect_example_is_an_accepted_case() {
    let missing: Vec<&str> = DIALECT_EXAMPLES
        .iter()
        .copied()
        .filter(|example| !ACCEPTED.iter().any(|case| case.0 == *example))
        .collect();
    assert!(missing.is_empty(), "not in ACCEPTED: {missing:?}");
}

#[test]
fn rejected_inputs_say_where_and_why() {
    assert!(REJECTED.len() >= 12);
    let mut wrong = Vec::new();
    for &(input, at, reason) in REJECTED {
        match Tag::parse(input) {
            Err(Error::Address {
                input: got_input,
                at: got_at,
                reason: got_reason,
            }) => {
                if (got_input.as_str(), got_at, got_reason) != (input, at, reason) {
                    wrong.push(format!("{input:?}: got at {got_at}: {got_reason}"));
                }
                assert!(input.is_char_boundary(got_at), "{input:?}");
            }
            other => wrong.push(format!("{input:?}: got {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn error_message_names_input_position_and_reason() {
    let error = Tag::parse("DB1.DBD").unwrap_err();
    assert_eq!(error.to_string(), r#""DB1.DBD" at 7: byte offset expected"#);
}

#[test]
fn byte_len_counts_elements_and_bits() {
    let len = |s: &str| Tag::parse(s).unwrap().byte_len();
    assert_eq!(len("DB1.DBX0.3"), 1);
    assert_eq!(len("DB1.DBX0.0:BOOL[8]"), 1);
    assert_eq!(len("DB1.DBX0.1:BOOL[8]"), 2);
    assert_eq!(len("DB1.DBX0.7:BOOL[2]"), 2);
    assert_eq!(len("DB1.DBX0.0:BOOL[17]"), 3);
    assert_eq!(len("DB1,INT4.10"), 20);
    assert_eq!(len("DB1,S30.10"), 12);
    assert_eq!(len("DB1,S30.10.3"), 36);
    assert_eq!(len("DB1.DBB0:WSTRING[10]"), 24);
    assert_eq!(len("MD0:REAL"), 4);
    assert_eq!(len("DB1.DBB0:DTL[2]"), 24);
    assert_eq!(len("T5:TIMER[3]"), 6);
    assert_eq!(len("DB1.DBB0:WSTRING[16382][65535]"), 32768 * 65535);
}

#[test]
fn item_addresses_cover_the_tag() {
    let item = |s: &str| Tag::parse(s).unwrap().item_address().unwrap();
    assert_eq!(item("DB1.DBD20:REAL"), ItemAddress::bytes(DB, 1, 20, 4));
    assert_eq!(item("DB1.DBX50.3"), ItemAddress::bit(DB, 1, 50, 3));
    let bit = item("M10.1");
    assert_eq!(
        (
            bit.transport_size,
            bit.count,
            bit.address,
            bit.area,
            bit.db_number
        ),
        (TransportSize::Bit, 1, 81, M, 0)
    );
    assert_eq!(item("Q0.3:BOOL[8]"), ItemAddress::bytes(Q, 0, 0, 2));
    assert_eq!(item("DB1,INT4.10"), ItemAddress::bytes(DB, 1, 4, 20));
    assert_eq!(item("T5.3"), ItemAddress::timers(5, 3));
    assert_eq!(item("Z7"), ItemAddress::counters(7, 1));
    assert_eq!(item("DB2,S0.254.255").count, 65280);
    let too_long = Tag::parse("DB2,S0.254.256").unwrap().item_address();
    assert!(
        matches!(too_long, Err(Error::TooLarge { value: 65536, .. })),
        "{too_long:?}"
    );
}

#[test]
fn builder_checks_its_parts() {
    let tag = Tag::new(DB, 1, 50, Bool).unwrap().with_bit(3).unwrap();
    assert_eq!(tag, Tag::parse("DB1,X50.3").unwrap());
    assert_eq!(
        Tag::new(M, 0, 4, Real)
            .unwrap()
            .with_count(2)
            .unwrap()
            .to_string(),
        "MD4:REAL[2]"
    );
    assert_eq!(Tag::timer(4).unwrap().to_string(), "T4");
    assert_eq!(Tag::counter(2).unwrap().to_string(), "C2");
    let invalid = |r: Result<Tag, Error>| match r {
        Err(Error::InvalidTag { reason }) => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        invalid(Tag::new(DB, 0, 0, Byte)),
        "db number out of range 1..=65535"
    );
    assert_eq!(
        invalid(Tag::new(M, 1, 0, Byte)),
        "only data blocks have a db number"
    );
    assert_eq!(
        invalid(Tag::new(Area::Other(0x80), 0, 0, Byte)),
        "area has no tag address form"
    );
    assert_eq!(
        invalid(Tag::new(M, 0, 0x20_0000, Byte)),
        "byte offset above 2097151"
    );
    assert_eq!(
        invalid(Tag::new(M, 0, 0, Bool).unwrap().with_bit(8)),
        "bit number above 7"
    );
    assert_eq!(
        invalid(Tag::new(M, 0, 0, Int).unwrap().with_bit(1)),
        "bit number only for BOOL"
    );
    assert_eq!(
        invalid(Tag::new(M, 0, 0, Int).unwrap().with_count(0)),
        "array count out of range 1..=65535"
    );
    assert_eq!(
        invalid(Tag::new(M, 0, 0, String(0))),
        "string length out of range"
    );
    assert_eq!(
        invalid(Tag::new(M, 0, 0, WString(16383))),
        "string length out of range"
    );
    assert_eq!(invalid(Tag::new(T, 0, 0, Int)), "timers hold only TIMER");
    assert_eq!(
        invalid(Tag::new(M, 0, 0, Counter)),
        "TIMER and COUNTER only in areas T and C"
    );
    assert_eq!(invalid(Tag::timer(0x20_0000)), "byte offset above 2097151");
}
