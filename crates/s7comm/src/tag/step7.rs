//! The STEP7 / TIA operand notation (also what PLC4X uses after its `%`).
//!
//! ```text
//! [%] DB<n>.DB<X|B|W|D><byte>[.<bit>] [:TYPE[ [count] ]]
//! [%] DB<n>:<byte>[.<bit>]:TYPE[ [count] ]                  (PLC4X short form)
//! [%] <I|E|Q|A|M>[X|B|W|D]<byte>[.<bit>] [:TYPE[ [count] ]]
//! [%] <T|C|Z><index> [:TYPE[ [count] ]]
//! ```
//!
//! The bit is required for `X` and for I/Q/M without width letter, and refused otherwise.

use super::lexer::Lexer;
use super::{build, plc4x, read_bit, read_db, read_offset, Width};
use crate::{Area, DataType, Error, Tag};

/// Parses a STEP7 or PLC4X address.
pub(super) fn parse(input: &str) -> Result<Tag, Error> {
    let mut lx = Lexer::new(input);
    lx.eat(b'%');
    if lx.at_end() {
        return Err(lx.error_here("address expected"));
    }
    if lx.eat_word("DB") {
        let db = read_db(&mut lx)?;
        if lx.eat(b':') {
            return plc4x::short_form(lx, db);
        }
        lx.expect(b'.', "'.' or ':' expected")?;
        if !lx.eat_word("DB") {
            return Err(lx.error_here("\"DB\" expected"));
        }
        let width = width(&mut lx).ok_or_else(|| lx.error_here("width X, B, W or D expected"))?;
        return operand(lx, Area::DataBlock, db, width);
    }
    let area = match lx.peek() {
        Some(b'I' | b'E') => Area::Inputs,
        Some(b'Q' | b'A') => Area::Outputs,
        Some(b'M') => Area::Flags,
        Some(b'T') => Area::Timers,
        Some(b'C' | b'Z') => Area::Counters,
        _ => return Err(lx.error_here("unknown area")),
    };
    lx.eat_any();
    match area {
        Area::Timers | Area::Counters => {
            let reason = if area == Area::Timers {
                "timer number expected"
            } else {
                "counter number expected"
            };
            let index = read_offset(&mut lx, reason)?;
            let default = if area == Area::Timers {
                DataType::Timer
            } else {
                DataType::Counter
            };
            let (data_type, count, type_at) = suffix(&mut lx, default)?;
            build(&lx, type_at, (area, 0, index, 0), (data_type, count))
        }
        _ => {
            let width = width(&mut lx).unwrap_or(Width::Bit);
            operand(lx, area, 0, width)
        }
    }
}

/// Consumes a width letter if one is next.
fn width(lx: &mut Lexer<'_>) -> Option<Width> {
    let width = match lx.peek()? {
        b'X' => Width::Bit,
        b'B' => Width::Byte,
        b'W' => Width::Word,
        b'D' => Width::DWord,
        _ => return None,
    };
    lx.eat_any();
    Some(width)
}

/// The part after the width letter: byte offset, the bit for bit widths, the type suffix.
fn operand(mut lx: Lexer<'_>, area: Area, db: u16, width: Width) -> Result<Tag, Error> {
    let offset = read_offset(&mut lx, "byte offset expected")?;
    let bit = if width == Width::Bit {
        lx.expect(b'.', "'.' and bit number expected")?;
        read_bit(&mut lx)?
    } else {
        0
    };
    let (data_type, count, type_at) = suffix(&mut lx, width.default_type())?;
    if Width::of(data_type) != width && !matches!(data_type, DataType::Timer | DataType::Counter) {
        return Err(lx.error(type_at, width.mismatch()));
    }
    build(&lx, type_at, (area, db, offset, bit), (data_type, count))
}

/// The optional `:TYPE[count]` and the end of input; returns the type, the count and where
/// the type starts (the end of input when there is none).
fn suffix(lx: &mut Lexer<'_>, default: DataType) -> Result<(DataType, u16, usize), Error> {
    let result = if lx.eat(b':') {
        plc4x::data_type(lx)?
    } else {
        (default, 1, lx.pos())
    };
    lx.finish()?;
    Ok(result)
}
