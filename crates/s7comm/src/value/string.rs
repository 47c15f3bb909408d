//! `CHAR`, `WCHAR`, `STRING[n]` (ISO 8859-1) and `WSTRING[n]` (UTF-16BE).

use alloc::string::String;
use alloc::vec::Vec;

use crate::data_type::{MAX_STRING_LEN, MAX_WSTRING_LEN};
use crate::{DataType, Error};

use super::{invalid, not_representable, out_of_range};

/// The ISO 8859-1 byte of `c`.
pub(crate) fn latin1(ty: DataType, c: char) -> Result<u8, Error> {
    u8::try_from(u32::from(c)).map_err(|_| {
        not_representable(
            ty,
            format_args!(
                "{c:?} (U+{:04X}) is not an iso 8859-1 character",
                u32::from(c)
            ),
        )
    })
}

/// The single UTF-16 unit of `c`.
pub(crate) fn utf16_unit(ty: DataType, c: char) -> Result<u16, Error> {
    u16::try_from(u32::from(c)).map_err(|_| {
        not_representable(
            ty,
            format_args!("{c:?} (U+{:04X}) needs two utf-16 units", u32::from(c)),
        )
    })
}

/// The character of one UTF-16 unit; a lone surrogate is an error.
pub(crate) fn from_utf16_unit(ty: DataType, unit: u16) -> Result<char, Error> {
    char::from_u32(u32::from(unit))
        .ok_or_else(|| invalid(ty, format_args!("0x{unit:04x} is a lone utf-16 surrogate")))
}

/// The declared length `n` of `STRING[n]`/`WSTRING[n]`, checked against the type's limits.
pub(crate) fn declared(ty: DataType) -> Result<u16, Error> {
    let (n, max) = match ty {
        DataType::String(n) => (n, MAX_STRING_LEN),
        DataType::WString(n) => (n, MAX_WSTRING_LEN),
        _ => (0, 0),
    };
    if (1..=max).contains(&n) {
        Ok(n)
    } else {
        Err(Error::DataType {
            input: alloc::format!("{ty}"),
            reason: "string length out of range",
        })
    }
}

/// Appends `STRING[n]`: max length, actual length, the characters, zeros up to `n`.
pub(crate) fn encode_string(ty: DataType, text: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    let n = usize::from(declared(ty)?);
    let len = text.chars().count();
    if len > n {
        return Err(out_of_range(
            ty,
            format_args!("of {len} characters"),
            format_args!("its declared length of {n}"),
        ));
    }
    let start = out.len();
    out.push(u8::try_from(n).unwrap_or(u8::MAX));
    out.push(u8::try_from(len).unwrap_or(u8::MAX));
    for c in text.chars() {
        match latin1(ty, c) {
            Ok(b) => out.push(b),
            Err(e) => {
                out.truncate(start);
                return Err(e);
            }
        }
    }
    out.resize(start.saturating_add(n).saturating_add(2), 0);
    Ok(())
}

/// Decodes `STRING[n]` from its `n + 2` bytes.
pub(crate) fn decode_string(ty: DataType, bytes: &[u8]) -> Result<String, Error> {
    let n = usize::from(declared(ty)?);
    let (max, actual, chars) = match bytes {
        [max, actual, chars @ ..] => (usize::from(*max), usize::from(*actual), chars),
        _ => return Err(invalid(ty, "the two length bytes are missing")),
    };
    check_actual(ty, max, actual, n)?;
    let chars = chars
        .get(..actual)
        .ok_or_else(|| invalid(ty, "the characters are missing"))?;
    Ok(chars.iter().map(|&b| char::from(b)).collect())
}

/// The actual length must not exceed the maximum stored with it, nor the declared length.
fn check_actual(ty: DataType, max: usize, actual: usize, n: usize) -> Result<(), Error> {
    if actual > max {
        return Err(invalid(
            ty,
            format_args!("actual length {actual} exceeds the stored maximum {max}"),
        ));
    }
    if actual > n {
        return Err(invalid(
            ty,
            format_args!("actual length {actual} exceeds the declared length {n}"),
        ));
    }
    Ok(())
}

/// Appends `WSTRING[n]`: max and actual length as words, UTF-16BE units, zeros up to `n`.
pub(crate) fn encode_wstring(ty: DataType, text: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    let n = declared(ty)?;
    let len = text.encode_utf16().count();
    if len > usize::from(n) {
        return Err(out_of_range(
            ty,
            format_args!("of {len} utf-16 units"),
            format_args!("its declared length of {n}"),
        ));
    }
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    let pad = usize::from(n).saturating_sub(len).saturating_mul(2);
    out.resize(out.len().saturating_add(pad), 0);
    Ok(())
}

/// Decodes `WSTRING[n]` from its `2n + 4` bytes.
pub(crate) fn decode_wstring(ty: DataType, bytes: &[u8]) -> Result<String, Error> {
    let n = usize::from(declared(ty)?);
    let (max, actual, units) = match bytes {
        [m0, m1, a0, a1, units @ ..] => (
            usize::from(u16::from_be_bytes([*m0, *m1])),
            usize::from(u16::from_be_bytes([*a0, *a1])),
            units,
        ),
        _ => return Err(invalid(ty, "the two length words are missing")),
    };
    check_actual(ty, max, actual, n)?;
    let units = units
        .get(..actual.saturating_mul(2))
        .ok_or_else(|| invalid(ty, "the characters are missing"))?;
    let units = units.chunks_exact(2).map(|pair| match pair {
        [hi, lo] => u16::from_be_bytes([*hi, *lo]),
        _ => 0,
    });
    char::decode_utf16(units)
        .map(|c| {
            c.map_err(|e| {
                invalid(
                    ty,
                    format_args!(
                        "0x{:04x} is a lone utf-16 surrogate",
                        e.unpaired_surrogate()
                    ),
                )
            })
        })
        .collect()
}
