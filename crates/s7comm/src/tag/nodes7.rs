//! The nodeS7 notation (the `nodes7` npm package).
//!
//! ```text
//! DB<n>,<type><byte>[.<a>[.<b>]]      type: X, B/BYTE, C/CHAR, S/STRING, I/INT, DI/DINT,
//!                                           W/WORD, D/DW/DWORD, R/REAL
//! <area><type><byte>[.<a>[.<b>]]      area: I/E, Q/A, M, T, C
//!                                     type: none (bit; timer or counter), B, C (CHAR), I,
//!                                           DI, W, D/DW, R
//! ```
//!
//! For bits (`X`, or I/Q/M without type) `a` is the bit and `b` the count (`DB1,X0.0.8` is
//! 8 bits); for strings `a` is the maximum length and `b` the count (`DB1,S30.10.3` is
//! three `STRING[10]`); for every other type `a` is the count and there is no `b`
//! (`DB1,INT4.10` is ten INTs). Unlike nodeS7, which turns a bit array count of 0 into 1,
//! a count of 0 is refused; the peripheral area `P` is not supported.

use super::lexer::Lexer;
use super::{build, read_bit, read_count, read_db, read_offset, read_string_len};
use crate::data_type::MAX_STRING_LEN;
use crate::{Area, DataType, Error, Tag};

/// What the numbers after the byte offset mean for a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `.bit[.count]`.
    Bit,
    /// `.length[.count]`.
    String,
    /// `[.count]`.
    Plain(DataType),
}

/// Parses a nodeS7 address.
pub(super) fn parse(input: &str) -> Result<Tag, Error> {
    let mut lx = Lexer::new(input);
    if lx.at_end() {
        return Err(lx.error_here("address expected"));
    }
    let (area, db) = if lx.eat_word("DB") {
        let db = read_db(&mut lx)?;
        lx.expect(b',', "',' expected")?;
        (Area::DataBlock, db)
    } else {
        let area = match lx.peek() {
            Some(b'I' | b'E') => Area::Inputs,
            Some(b'Q' | b'A') => Area::Outputs,
            Some(b'M') => Area::Flags,
            Some(b'T') => Area::Timers,
            Some(b'C') => Area::Counters,
            Some(b'P') => return Err(lx.error_here("peripheral area not supported")),
            _ => return Err(lx.error_here("unknown area")),
        };
        lx.eat_any();
        (area, 0)
    };
    let (name, type_at) = lx.letters();
    let kind = if area == Area::DataBlock {
        db_type(&name).ok_or_else(|| {
            if name.is_empty() {
                lx.error(type_at, "data type expected")
            } else {
                lx.error(type_at, "unknown data type")
            }
        })?
    } else {
        area_type(area, &name).ok_or_else(|| lx.error(type_at, "unknown data type"))?
    };
    let offset = read_offset(&mut lx, "byte offset expected")?;
    let (data_type, bit) = match kind {
        Kind::Bit => {
            lx.expect(b'.', "'.' and bit number expected")?;
            (DataType::Bool, read_bit(&mut lx)?)
        }
        Kind::String => {
            lx.expect(b'.', "string length expected")?;
            (
                DataType::String(read_string_len(&mut lx, MAX_STRING_LEN)?),
                0,
            )
        }
        Kind::Plain(data_type) => (data_type, 0),
    };
    let count = if lx.eat(b'.') {
        read_count(&mut lx)?
    } else {
        1
    };
    lx.finish()?;
    build(&lx, type_at, (area, db, offset, bit), (data_type, count))
}

/// The types after `DB<n>,`.
fn db_type(name: &str) -> Option<Kind> {
    Some(match name {
        "X" => Kind::Bit,
        "S" | "STRING" => Kind::String,
        "B" | "BYTE" => Kind::Plain(DataType::Byte),
        "C" | "CHAR" => Kind::Plain(DataType::Char),
        "I" | "INT" => Kind::Plain(DataType::Int),
        "DI" | "DINT" => Kind::Plain(DataType::DInt),
        "W" | "WORD" => Kind::Plain(DataType::Word),
        "D" | "DW" | "DWORD" => Kind::Plain(DataType::DWord),
        "R" | "REAL" => Kind::Plain(DataType::Real),
        _ => return None,
    })
}

/// The types after an area letter (none for bits, timers and counters).
fn area_type(area: Area, name: &str) -> Option<Kind> {
    Some(match (area, name) {
        (Area::Timers, "") => Kind::Plain(DataType::Timer),
        (Area::Counters, "") => Kind::Plain(DataType::Counter),
        (Area::Timers | Area::Counters, _) => return None,
        (_, "") => Kind::Bit,
        (_, "B") => Kind::Plain(DataType::Byte),
        (_, "C") => Kind::Plain(DataType::Char),
        (_, "I") => Kind::Plain(DataType::Int),
        (_, "DI") => Kind::Plain(DataType::DInt),
        (_, "W") => Kind::Plain(DataType::Word),
        (_, "D" | "DW") => Kind::Plain(DataType::DWord),
        (_, "R") => Kind::Plain(DataType::Real),
        _ => return None,
    })
}
