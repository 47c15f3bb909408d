//! The variable part of a TPDU header: a list of `code | length | value` parameters.

use alloc::vec::Vec;

use bytes::BufMut;

use crate::{Error, TpduSize, Tsap};

/// Parameter codes of the class 0 TPDUs.
///
/// Codes mean different things in different TPDUs: `C1` is the calling TSAP in a CR or CC but
/// the invalid-TPDU parameter in an ER.
pub mod parameter_code {
    /// TPDU size (CR, CC).
    pub const TPDU_SIZE: u8 = 0xC0;
    /// Calling TSAP (CR, CC).
    pub const CALLING_TSAP: u8 = 0xC1;
    /// Called TSAP (CR, CC).
    pub const CALLED_TSAP: u8 = 0xC2;
    /// Preferred maximum TPDU size, in units of 128 bytes (CR, CC).
    pub const PREFERRED_MAX_TPDU_SIZE: u8 = 0xF0;
    /// Additional information on a disconnect (DR).
    pub const ADDITIONAL_INFORMATION: u8 = 0xE0;
    /// The header of the TPDU an ER rejects (ER).
    pub const INVALID_TPDU: u8 = 0xC1;
    /// Checksum (classes 4 only; class 0 never sends it, but a reader may meet it).
    pub const CHECKSUM: u8 = 0xC3;
}

use parameter_code::{CALLED_TSAP, CALLING_TSAP, PREFERRED_MAX_TPDU_SIZE, TPDU_SIZE};

/// The largest value one parameter can carry: its length is one byte.
pub(crate) const MAX_VALUE_LEN: usize = 255;

/// One parameter of a CR or CC (or, kept raw, of a DR), in wire order.
///
/// ```text
///  +------+--------+-------------------+
///  | code | length | length bytes      |   repeated up to the end of the header (LI)
///  +------+--------+-------------------+
/// ```
///
/// Parameters are kept in the order they arrived, so parsing then emitting reproduces the
/// bytes exactly. Unknown codes are kept as [`Parameter::Other`]; so is an F0 whose value has
/// leading zero bytes (legal but not the shortest form), so that it too is re-emitted as it
/// came.
///
/// ```
/// use cotp::{Parameter, TpduSize};
/// let params = cotp::parse_parameters(&[0xC0, 0x01, 0x0A, 0xC6, 0x02, 0xAB, 0xCD])?;
/// assert_eq!(params[0], Parameter::TpduSize(TpduSize::S1024));
/// assert_eq!(params[1], Parameter::Other { code: 0xC6, value: vec![0xAB, 0xCD] });
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parameter {
    /// `C0`: the maximum TPDU size.
    TpduSize(TpduSize),
    /// `C1`: the calling (sender's) TSAP.
    CallingTsap(Tsap),
    /// `C2`: the called (receiver's) TSAP.
    CalledTsap(Tsap),
    /// `F0`: the preferred maximum TPDU size in units of 128 bytes, sent as 1..=4 bytes
    /// big-endian (emitted in the shortest form).
    PreferredMaxTpduSize(u32),
    /// Any other parameter, value as received (at most 255 bytes).
    Other {
        /// The parameter code.
        code: u8,
        /// The value bytes.
        value: Vec<u8>,
    },
}

impl Parameter {
    /// The parameter code.
    pub fn code(&self) -> u8 {
        match self {
            Parameter::TpduSize(_) => TPDU_SIZE,
            Parameter::CallingTsap(_) => CALLING_TSAP,
            Parameter::CalledTsap(_) => CALLED_TSAP,
            Parameter::PreferredMaxTpduSize(_) => PREFERRED_MAX_TPDU_SIZE,
            Parameter::Other { code, .. } => *code,
        }
    }

    /// The length of the value in bytes.
    pub fn value_len(&self) -> usize {
        match self {
            Parameter::TpduSize(_) => 1,
            Parameter::CallingTsap(tsap) | Parameter::CalledTsap(tsap) => tsap.len(),
            Parameter::PreferredMaxTpduSize(units) => shortest_be(*units).1,
            Parameter::Other { value, .. } => value.len(),
        }
    }

    /// The bytes the parameter takes on the wire: code, length and value.
    pub fn buffer_len(&self) -> usize {
        self.value_len().saturating_add(2)
    }

    /// Interprets one parameter of a CR or CC.
    ///
    /// `C0` must be 1 byte of 7..=13, `C1`/`C2` 1 byte or more, `F0` 1..=4 bytes; any other
    /// code is kept as [`Parameter::Other`].
    pub fn from_code_and_value(code: u8, value: &[u8]) -> Result<Self, Error> {
        let invalid_length = Error::InvalidParameterLength {
            code,
            len: value.len(),
        };
        match code {
            TPDU_SIZE => match value {
                [exponent] => Ok(Parameter::TpduSize(TpduSize::from_code(*exponent)?)),
                _ => Err(invalid_length),
            },
            CALLING_TSAP | CALLED_TSAP => {
                let tsap = Tsap::new(value).map_err(|_| invalid_length)?;
                Ok(if code == CALLING_TSAP {
                    Parameter::CallingTsap(tsap)
                } else {
                    Parameter::CalledTsap(tsap)
                })
            }
            PREFERRED_MAX_TPDU_SIZE => {
                let units = be_u32(value).ok_or(invalid_length)?;
                if shortest_be(units).1 == value.len() {
                    Ok(Parameter::PreferredMaxTpduSize(units))
                } else {
                    Ok(Parameter::Other {
                        code,
                        value: value.to_vec(),
                    })
                }
            }
            _ => Ok(Parameter::Other {
                code,
                value: value.to_vec(),
            }),
        }
    }

    /// Checks that a CR or CC parameter reads back as itself once emitted.
    pub(crate) fn check_typed_round_trip(&self) -> Result<(), Error> {
        match self {
            Parameter::Other { code, value } => {
                if value.len() > MAX_VALUE_LEN {
                    return Err(Error::InvalidParameterLength {
                        code: *code,
                        len: value.len(),
                    });
                }
                match Parameter::from_code_and_value(*code, value) {
                    Ok(Parameter::Other { .. }) => Ok(()),
                    _ => Err(Error::AmbiguousParameter { code: *code }),
                }
            }
            _ => Ok(()),
        }
    }

    /// Checks what any TPDU needs: a value of at most 255 bytes.
    pub(crate) fn check_length(&self) -> Result<(), Error> {
        let len = self.value_len();
        if len > MAX_VALUE_LEN {
            return Err(Error::InvalidParameterLength {
                code: self.code(),
                len,
            });
        }
        Ok(())
    }

    /// Writes code, length and value; the caller has checked the length and the room.
    pub(crate) fn emit<B: BufMut>(&self, out: &mut B) {
        out.put_u8(self.code());
        let len = u8::try_from(self.value_len()).unwrap_or(u8::MAX);
        out.put_u8(len);
        match self {
            Parameter::TpduSize(size) => out.put_u8(size.code()),
            Parameter::CallingTsap(tsap) | Parameter::CalledTsap(tsap) => {
                out.put_slice(tsap.as_bytes())
            }
            Parameter::PreferredMaxTpduSize(units) => {
                let (bytes, len) = shortest_be(*units);
                out.put_slice(bytes.get(4usize.saturating_sub(len)..).unwrap_or(&[]));
            }
            Parameter::Other { value, .. } => out.put_slice(value),
        }
    }
}

/// The value of 1..=4 big-endian bytes, `None` for any other length.
fn be_u32(value: &[u8]) -> Option<u32> {
    if value.is_empty() || value.len() > 4 {
        return None;
    }
    let mut be = [0u8; 4];
    let start = 4usize.saturating_sub(value.len());
    for (slot, byte) in be.iter_mut().skip(start).zip(value) {
        *slot = *byte;
    }
    Some(u32::from_be_bytes(be))
}

/// The big-endian bytes of `value` and how many of the last ones are needed (at least 1).
fn shortest_be(value: u32) -> ([u8; 4], usize) {
    let bytes = value.to_be_bytes();
    let leading_zero_bytes = bytes.iter().take(3).take_while(|b| **b == 0).count();
    (bytes, 4usize.saturating_sub(leading_zero_bytes))
}

/// Iterator over the raw `(code, value)` pairs of a parameter list, without interpreting them.
///
/// Yields an [`Error::ParameterOverrun`] (and then stops) when a length byte or a value runs
/// past the end of the list.
///
/// ```
/// let mut raw = cotp::RawParameters::new(&[0xE0, 0x01, 0x42, 0xC1, 0x05]);
/// assert_eq!(raw.next(), Some(Ok((0xE0, &[0x42][..]))));
/// assert!(matches!(raw.next(), Some(Err(cotp::Error::ParameterOverrun { code: 0xC1, .. }))));
/// assert_eq!(raw.next(), None);
/// ```
#[derive(Debug, Clone)]
pub struct RawParameters<'a> {
    rest: &'a [u8],
}

impl<'a> RawParameters<'a> {
    /// Iterates over `list`, the variable part of a header (after the fixed part, up to LI).
    pub fn new(list: &'a [u8]) -> Self {
        RawParameters { rest: list }
    }
}

impl<'a> Iterator for RawParameters<'a> {
    type Item = Result<(u8, &'a [u8]), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&code, after_code) = self.rest.split_first()?;
        let Some((&len, after_len)) = after_code.split_first() else {
            self.rest = &[];
            return Some(Err(Error::ParameterOverrun {
                code,
                declared: 1,
                remaining: 0,
            }));
        };
        let declared = usize::from(len);
        let Some((value, rest)) = after_len.split_at_checked(declared) else {
            self.rest = &[];
            return Some(Err(Error::ParameterOverrun {
                code,
                declared,
                remaining: after_len.len(),
            }));
        };
        self.rest = rest;
        Some(Ok((code, value)))
    }
}

impl core::iter::FusedIterator for RawParameters<'_> {}

/// Parses the parameter list of a CR or CC (the header bytes after the fixed part), keeping
/// wire order; unknown codes become [`Parameter::Other`].
pub fn parse_parameters(list: &[u8]) -> Result<Vec<Parameter>, Error> {
    RawParameters::new(list)
        .map(|raw| raw.and_then(|(code, value)| Parameter::from_code_and_value(code, value)))
        .collect()
}

/// Parses a parameter list whose codes have no typed meaning here (DR, DC, ER): every
/// parameter becomes [`Parameter::Other`].
pub(crate) fn parse_raw_parameters(list: &[u8]) -> Result<Vec<Parameter>, Error> {
    RawParameters::new(list)
        .map(|raw| {
            raw.map(|(code, value)| Parameter::Other {
                code,
                value: value.to_vec(),
            })
        })
        .collect()
}

/// The bytes a parameter list takes on the wire.
pub(crate) fn parameters_len(parameters: &[Parameter]) -> usize {
    parameters
        .iter()
        .fold(0usize, |sum, p| sum.saturating_add(p.buffer_len()))
}

/// Writes a parameter list; the caller has checked lengths and room.
pub(crate) fn emit_parameters<B: BufMut>(parameters: &[Parameter], out: &mut B) {
    for parameter in parameters {
        parameter.emit(out);
    }
}

/// The first parameter with `code` in a list.
pub(crate) fn find(parameters: &[Parameter], code: u8) -> Option<&Parameter> {
    parameters.iter().find(|p| p.code() == code)
}

/// The preferred maximum TPDU size of a list, in either of the forms the parser keeps it.
pub(crate) fn preferred_max_tpdu_size(parameters: &[Parameter]) -> Option<u32> {
    match find(parameters, PREFERRED_MAX_TPDU_SIZE)? {
        Parameter::PreferredMaxTpduSize(units) => Some(*units),
        Parameter::Other { value, .. } => be_u32(value),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use alloc::vec;

    fn emitted(parameters: &[Parameter]) -> Vec<u8> {
        let mut out = Vec::new();
        emit_parameters(parameters, &mut out);
        out
    }

    #[test]
    fn typed_parameters_parse_and_emit() {
        let wire = [
            0xC1, 0x02, 0x01, 0x00, // calling TSAP 0x0100
            0xC2, 0x02, 0x01, 0x02, // called TSAP 0x0102
            0xC0, 0x01, 0x0A, // TPDU size 1024
        ];
        let params = parse_parameters(&wire).unwrap();
        assert_eq!(
            params,
            vec![
                Parameter::CallingTsap(Tsap::from_u16(0x0100)),
                Parameter::CalledTsap(Tsap::from_u16(0x0102)),
                Parameter::TpduSize(TpduSize::S1024),
            ]
        );
        assert_eq!(emitted(&params), wire);
        assert_eq!(parameters_len(&params), wire.len());
    }

    #[test]
    fn string_tsaps_keep_their_bytes() {
        let mut wire = vec![0xC2, 16];
        wire.extend_from_slice(b"SIMATIC-ROOT-HMI");
        let params = parse_parameters(&wire).unwrap();
        assert_eq!(
            params,
            vec![Parameter::CalledTsap(
                Tsap::new("SIMATIC-ROOT-HMI").unwrap()
            )]
        );
        assert_eq!(emitted(&params), wire);
    }

    #[test]
    fn one_byte_tsap_is_accepted() {
        let params = parse_parameters(&[0xC1, 0x01, 0x7F]).unwrap();
        assert_eq!(
            params,
            vec![Parameter::CallingTsap(Tsap::new([0x7Fu8]).unwrap())]
        );
    }

    #[test]
    fn preferred_max_tpdu_size_in_every_length() {
        assert_eq!(
            parse_parameters(&[0xF0, 0x01, 0x08]).unwrap(),
            vec![Parameter::PreferredMaxTpduSize(8)]
        );
        assert_eq!(
            parse_parameters(&[0xF0, 0x02, 0x01, 0x00]).unwrap(),
            vec![Parameter::PreferredMaxTpduSize(256)]
        );
        assert_eq!(
            parse_parameters(&[0xF0, 0x04, 0x12, 0x34, 0x56, 0x78]).unwrap(),
            vec![Parameter::PreferredMaxTpduSize(0x1234_5678)]
        );
        assert_eq!(
            parse_parameters(&[0xF0, 0x01, 0x00]).unwrap(),
            vec![Parameter::PreferredMaxTpduSize(0)]
        );
        assert_eq!(
            emitted(&[Parameter::PreferredMaxTpduSize(0)]),
            [0xF0, 0x01, 0x00]
        );
        assert_eq!(
            emitted(&[Parameter::PreferredMaxTpduSize(0x0100)]),
            [0xF0, 0x02, 0x01, 0x00]
        );
        assert_eq!(
            emitted(&[Parameter::PreferredMaxTpduSize(u32::MAX)]),
            [0xF0, 0x04, 0xFF, 0xFF, 0xFF, 0xFF]
        );
    }

    #[test]
    fn non_shortest_preferred_max_tpdu_size_is_kept_raw_and_still_readable() {
        let wire = [0xF0, 0x02, 0x00, 0x08];
        let params = parse_parameters(&wire).unwrap();
        assert_eq!(
            params,
            vec![Parameter::Other {
                code: 0xF0,
                value: vec![0x00, 0x08]
            }]
        );
        assert_eq!(preferred_max_tpdu_size(&params), Some(8));
        assert_eq!(emitted(&params), wire);
        assert!(params[0].check_typed_round_trip().is_ok());
    }

    #[test]
    fn unknown_parameters_are_kept() {
        let wire = [0xC6, 0x03, 1, 2, 3, 0xC7, 0x00, 0xE0, 0x01, 0x55];
        let params = parse_parameters(&wire).unwrap();
        assert_eq!(
            params,
            vec![
                Parameter::Other {
                    code: 0xC6,
                    value: vec![1, 2, 3]
                },
                Parameter::Other {
                    code: 0xC7,
                    value: vec![]
                },
                Parameter::Other {
                    code: 0xE0,
                    value: vec![0x55]
                },
            ]
        );
        assert_eq!(emitted(&params), wire);
    }

    #[test]
    fn empty_list_is_empty() {
        assert_eq!(parse_parameters(&[]).unwrap(), vec![]);
    }

    #[test]
    fn overruns_are_reported() {
        assert_eq!(
            parse_parameters(&[0xC1, 0x03, 0x01, 0x00]),
            Err(Error::ParameterOverrun {
                code: 0xC1,
                declared: 3,
                remaining: 2
            })
        );
        assert_eq!(
            parse_parameters(&[0xC0, 0x01, 0x0A, 0xC2]),
            Err(Error::ParameterOverrun {
                code: 0xC2,
                declared: 1,
                remaining: 0
            })
        );
        assert_eq!(
            parse_raw_parameters(&[0xE0, 0xFF]),
            Err(Error::ParameterOverrun {
                code: 0xE0,
                declared: 255,
                remaining: 0
            })
        );
    }

    #[test]
    fn invalid_typed_values_are_reported() {
        assert_eq!(
            parse_parameters(&[0xC0, 0x02, 0x00, 0x0A]),
            Err(Error::InvalidParameterLength { code: 0xC0, len: 2 })
        );
        assert_eq!(
            parse_parameters(&[0xC0, 0x00]),
            Err(Error::InvalidParameterLength { code: 0xC0, len: 0 })
        );
        assert_eq!(
            parse_parameters(&[0xC0, 0x01, 0x0E]),
            Err(Error::InvalidTpduSize { code: 14 })
        );
        assert_eq!(
            parse_parameters(&[0xC0, 0x01, 0xFF]),
            Err(Error::InvalidTpduSize { code: 255 })
        );
        assert_eq!(
            parse_parameters(&[0xC0, 0x01, 0x06]),
            Err(Error::InvalidTpduSize { code: 6 })
        );
        assert_eq!(
            parse_parameters(&[0xC1, 0x00]),
            Err(Error::InvalidParameterLength { code: 0xC1, len: 0 })
        );
        assert_eq!(
            parse_parameters(&[0xC2, 0x00]),
            Err(Error::InvalidParameterLength { code: 0xC2, len: 0 })
        );
        assert_eq!(
            parse_parameters(&[0xF0, 0x00]),
            Err(Error::InvalidParameterLength { code: 0xF0, len: 0 })
        );
        assert_eq!(
            parse_parameters(&[0xF0, 0x05, 0, 0, 0, 0, 1]),
            Err(Error::InvalidParameterLength { code: 0xF0, len: 5 })
        );
    }

    #[test]
    fn raw_lists_do_not_interpret_codes() {
        assert_eq!(
            parse_raw_parameters(&[0xC0, 0x01, 0x05, 0xC1, 0x00]).unwrap(),
            vec![
                Parameter::Other {
                    code: 0xC0,
                    value: vec![0x05]
                },
                Parameter::Other {
                    code: 0xC1,
                    value: vec![]
                },
            ]
        );
    }

    #[test]
    fn raw_parameters_that_would_read_back_typed_are_refused() {
        for code in [0xC0, 0xC1, 0xC2] {
            let p = Parameter::Other {
                code,
                value: vec![0x0A],
            };
            assert_eq!(
                p.check_typed_round_trip(),
                Err(Error::AmbiguousParameter { code })
            );
        }
        let p = Parameter::Other {
            code: 0xF0,
            value: vec![0x08],
        };
        assert_eq!(
            p.check_typed_round_trip(),
            Err(Error::AmbiguousParameter { code: 0xF0 })
        );
        let p = Parameter::Other {
            code: 0xC1,
            value: vec![],
        };
        assert_eq!(
            p.check_typed_round_trip(),
            Err(Error::AmbiguousParameter { code: 0xC1 })
        );
        let p = Parameter::Other {
            code: 0x99,
            value: vec![0; 256],
        };
        assert_eq!(
            p.check_typed_round_trip(),
            Err(Error::InvalidParameterLength {
                code: 0x99,
                len: 256
            })
        );
        assert_eq!(
            p.check_length(),
            Err(Error::InvalidParameterLength {
                code: 0x99,
                len: 256
            })
        );
        assert!(Parameter::TpduSize(TpduSize::S128)
            .check_typed_round_trip()
            .is_ok());
    }

    #[test]
    fn lengths_and_codes() {
        assert_eq!(Parameter::TpduSize(TpduSize::S128).buffer_len(), 3);
        assert_eq!(Parameter::CallingTsap(Tsap::from_u16(1)).buffer_len(), 4);
        assert_eq!(Parameter::CalledTsap(Tsap::from_u16(1)).code(), 0xC2);
        assert_eq!(Parameter::PreferredMaxTpduSize(0x10000).value_len(), 3);
        assert_eq!(
            Parameter::Other {
                code: 0x42,
                value: vec![]
            }
            .code(),
            0x42
        );
    }
}
