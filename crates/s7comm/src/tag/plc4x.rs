//! The PLC4X parts: the `:TYPE[count]` suffix (which STEP7 addresses may carry too) and
//! the short data block form `%DB<n>:<byte>[.<bit>]:<TYPE>`.
//!
//! ```text
//! TYPE   = name                         BOOL, INT, REAL, DATE_AND_TIME, S5TIME, ...
//!        | (STRING | WSTRING) [ '[' n ']' | '(' n ')' ]   without a length: the maximum
//! suffix = ':' TYPE [ '[' count ']' ]
//! ```

use super::lexer::Lexer;
use super::{build, read_bit, read_count, read_offset, read_string_len};
use crate::data_type::{MAX_STRING_LEN, MAX_WSTRING_LEN};
use crate::{Area, DataType, Error, Tag};

/// The rest of `DB<n>:` (the colon consumed): byte, optional bit, `:TYPE`, optional count.
/// A bit other than 0 needs type `BOOL`.
pub(super) fn short_form(mut lx: Lexer<'_>, db: u16) -> Result<Tag, Error> {
    let offset = read_offset(&mut lx, "byte offset expected")?;
    let bit = if lx.eat(b'.') { read_bit(&mut lx)? } else { 0 };
    lx.expect(b':', "data type expected")?;
    let (data_type, count, type_at) = data_type(&mut lx)?;
    lx.finish()?;
    build(
        &lx,
        type_at,
        (Area::DataBlock, db, offset, bit),
        (data_type, count),
    )
}

/// A type name after `:`, with a string length and an array count; returns the type, the
/// count (1 without `[count]`) and where the name starts.
pub(super) fn data_type(lx: &mut Lexer<'_>) -> Result<(DataType, u16, usize), Error> {
    let (name, at) = lx.identifier();
    if name.is_empty() {
        return Err(lx.error_here("data type expected"));
    }
    let string = match name.as_str() {
        "STRING" => Some((DataType::String as fn(u16) -> DataType, MAX_STRING_LEN)),
        "WSTRING" => Some((DataType::WString as fn(u16) -> DataType, MAX_WSTRING_LEN)),
        _ => None,
    };
    let data_type = match string {
        Some((make, max)) => {
            let close = if lx.eat(b'(') {
                Some((b')', "')' expected"))
            } else if lx.eat(b'[') {
                Some((b']', "']' expected"))
            } else {
                None
            };
            match close {
                Some((close, reason)) => {
                    let len = read_string_len(lx, max)?;
                    lx.expect(close, reason)?;
                    make(len)
                }
                None => make(max),
            }
        }
        None => DataType::parse(&name).map_err(|error| match error {
            Error::DataType { reason, .. } => lx.error(at, reason),
            other => other,
        })?,
    };
    let count = if lx.eat(b'[') {
        let count = read_count(lx)?;
        lx.expect(b']', "']' expected")?;
        count
    } else {
        1
    };
    Ok((data_type, count, at))
}
