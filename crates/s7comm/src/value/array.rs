//! Tag spans: arrays, and `BOOL`s as bits at a bit offset.

use alloc::vec::Vec;

use crate::{DataType, Error};

use super::{decode, expect_len, wrong_type, Value};

/// Checks a bit offset: 0..=7, and 0 unless the type is `BOOL`.
fn check_bit(ty: DataType, bit: u8) -> Result<(), Error> {
    if bit > 7 {
        return Err(Error::InvalidValue {
            what: "bit offset",
            value: u32::from(bit),
        });
    }
    if bit != 0 && !ty.is_bit() {
        return Err(Error::InvalidValue {
            what: "bit offset of a tag that is not bool",
            value: u32::from(bit),
        });
    }
    Ok(())
}

/// See [`Value::span_len`].
pub(crate) fn span_len(ty: DataType, count: Option<usize>, bit: u8) -> Result<usize, Error> {
    check_bit(ty, bit)?;
    let n = count.unwrap_or(1);
    let too_large = || Error::TooLarge {
        what: "tag element count",
        value: n,
        max: usize::MAX.checked_div(ty.byte_len()).unwrap_or(0),
    };
    if ty.is_bit() {
        if n == 0 {
            return Ok(0);
        }
        Ok(n.checked_add(usize::from(bit))
            .ok_or_else(too_large)?
            .div_ceil(8))
    } else {
        n.checked_mul(ty.byte_len()).ok_or_else(too_large)
    }
}

/// Bit `index` counted from bit 0 of `span`'s first byte.
fn get_bit(span: &[u8], index: usize) -> Option<bool> {
    let byte = span.get(index / 8)?;
    let mask = 1u8.checked_shl(u32::try_from(index % 8).ok()?)?;
    Some(byte & mask != 0)
}

/// Sets bit `index` counted from bit 0 of `span`'s first byte (a no-op past the end).
fn set_bit(span: &mut [u8], index: usize, value: bool) {
    let mask = u32::try_from(index % 8)
        .ok()
        .and_then(|shift| 1u8.checked_shl(shift))
        .unwrap_or(0);
    if let Some(byte) = span.get_mut(index / 8) {
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

/// See [`Value::read_from`].
pub(crate) fn read_from(
    ty: DataType,
    count: Option<usize>,
    span: &[u8],
    bit: u8,
) -> Result<Value, Error> {
    let len = span_len(ty, count, bit)?;
    let n = count.unwrap_or(1);
    expect_len(ty, n, len, span.len())?;
    if ty.is_bit() {
        let first = usize::from(bit);
        let bits = (0..n).map(|i| {
            let value = i
                .checked_add(first)
                .and_then(|index| get_bit(span, index))
                .unwrap_or(false);
            Value::Bool(value)
        });
        return Ok(match count {
            None => Value::Bool(get_bit(span, first).unwrap_or(false)),
            Some(_) => Value::Array(bits.collect()),
        });
    }
    match count {
        None => decode::scalar(ty, span),
        Some(_) => span
            .chunks_exact(ty.byte_len().max(1))
            .map(|chunk| decode::scalar(ty, chunk))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
    }
}

/// The elements a value holds for a tag of `count` elements: itself for a single element,
/// the array's items for `Some(n)`.
fn elements(value: &Value, ty: DataType, count: Option<usize>) -> Result<&[Value], Error> {
    match (count, value) {
        (None, Value::Array(_)) => Err(wrong_type(ty, value)),
        (None, single) => Ok(core::slice::from_ref(single)),
        (Some(n), Value::Array(items)) if items.len() == n => Ok(items),
        (Some(n), Value::Array(items)) => Err(Error::ArrayLength {
            data_type: ty,
            expected: n,
            found: items.len(),
        }),
        (Some(_), single) => Err(wrong_type(ty, single)),
    }
}

/// The bools of `items`, or the error for the first that is not a `Value::Bool`.
fn bools(items: &[Value]) -> Result<Vec<bool>, Error> {
    items
        .iter()
        .map(|item| match item {
            Value::Bool(b) => Ok(*b),
            other => Err(wrong_type(DataType::Bool, other)),
        })
        .collect()
}

/// Appends an array of `BOOL` as bits packed from bit 0, unused high bits 0.
pub(crate) fn encode_bits(items: &[Value], out: &mut Vec<u8>) -> Result<(), Error> {
    let bits = bools(items)?;
    let start = out.len();
    out.resize(start.saturating_add(bits.len().div_ceil(8)), 0);
    let packed = out.get_mut(start..).unwrap_or_default();
    for (index, value) in bits.into_iter().enumerate() {
        set_bit(packed, index, value);
    }
    Ok(())
}

/// See [`Value::write_into`].
pub(crate) fn write_into(
    value: &Value,
    ty: DataType,
    count: Option<usize>,
    span: &mut [u8],
    bit: u8,
) -> Result<(), Error> {
    let len = span_len(ty, count, bit)?;
    let n = count.unwrap_or(1);
    expect_len(ty, n, len, span.len())?;
    let items = elements(value, ty, count)?;
    if ty.is_bit() {
        let bits = bools(items)?;
        let first = usize::from(bit);
        for (i, value) in bits.into_iter().enumerate() {
            set_bit(span, i.saturating_add(first), value);
        }
        return Ok(());
    }
    let mut bytes = Vec::with_capacity(len);
    for item in items {
        super::encode::scalar(item, ty, &mut bytes)?;
    }
    expect_len(ty, n, len, bytes.len())?;
    span.copy_from_slice(&bytes);
    Ok(())
}
