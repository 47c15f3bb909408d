//! The header layout CR and CC share.
//!
//! ```text
//!  0    1       2..3      4..5      6              7..
//!  +----+-------+---------+---------+--------------+------------------+
//!  | LI | code  | dst-ref | src-ref | class/option | parameters ...   |
//!  +----+-------+---------+---------+--------------+------------------+
//!  code: high nibble E (CR) or D (CC), low nibble the credit (0 in class 0)
//! ```

use alloc::vec::Vec;

use bytes::BufMut;

use crate::header::{check_room, header_body, length_indicator, li_and_code};
use crate::parameter::{emit_parameters, parameters_len, parse_parameters};
use crate::{Error, Parameter};

/// LI of a CR or CC without parameters: code, two references, class/option.
pub(crate) const FIXED_LI: u8 = 6;

/// The fields of a parsed CR or CC.
pub(crate) struct ConnectionFields {
    pub(crate) dst_ref: u16,
    pub(crate) src_ref: u16,
    pub(crate) class_option: u8,
    pub(crate) parameters: Vec<Parameter>,
}

/// Parses a CR or CC whose code's high nibble is that of `expected`.
///
/// The credit nibble is ignored: class 0 sends 0 there and nothing in class 0 depends on it.
pub(crate) fn parse(buf: &[u8], expected: u8) -> Result<ConnectionFields, Error> {
    let (li, code) = li_and_code(buf)?;
    if code & 0xF0 != expected {
        return Err(Error::UnexpectedTpduCode {
            expected,
            found: code,
        });
    }
    let body = header_body(buf, li, code, FIXED_LI)?;
    let (fixed, list) = body.split_at_checked(5).ok_or(Error::HeaderTooShort {
        code,
        li,
        min: FIXED_LI,
    })?;
    let [dst_hi, dst_lo, src_hi, src_lo, class_option] = fixed else {
        return Err(Error::HeaderTooShort {
            code,
            li,
            min: FIXED_LI,
        });
    };
    Ok(ConnectionFields {
        dst_ref: u16::from_be_bytes([*dst_hi, *dst_lo]),
        src_ref: u16::from_be_bytes([*src_hi, *src_lo]),
        class_option: *class_option,
        parameters: parse_parameters(list)?,
    })
}

/// The bytes a CR or CC with these parameters takes.
pub(crate) fn buffer_len(parameters: &[Parameter]) -> usize {
    parameters_len(parameters).saturating_add(usize::from(FIXED_LI) + 1)
}

/// Writes a CR or CC, or nothing if the header would not be valid.
pub(crate) fn emit<B: BufMut>(
    code: u8,
    dst_ref: u16,
    src_ref: u16,
    class_option: u8,
    parameters: &[Parameter],
    out: &mut B,
) -> Result<(), Error> {
    for parameter in parameters {
        parameter.check_typed_round_trip()?;
    }
    let li = length_indicator(parameters_len(parameters).saturating_add(usize::from(FIXED_LI)))?;
    check_room(out, usize::from(li).saturating_add(1))?;
    out.put_u8(li);
    out.put_u8(code);
    out.put_u16(dst_ref);
    out.put_u16(src_ref);
    out.put_u8(class_option);
    emit_parameters(parameters, out);
    Ok(())
}

/// Accessors, builders and parse/emit shared by [`ConnectionRequest`](crate::ConnectionRequest)
/// and [`ConnectionConfirm`](crate::ConnectionConfirm), which differ only in their code.
macro_rules! connection_tpdu_impl {
    ($ty:ident, $code:expr) => {
        impl $ty {
            /// Adds a calling TSAP (C1) after the parameters already present.
            #[must_use]
            pub fn with_calling_tsap(mut self, tsap: $crate::Tsap) -> Self {
                self.parameters.push($crate::Parameter::CallingTsap(tsap));
                self
            }

            /// Adds a called TSAP (C2) after the parameters already present.
            #[must_use]
            pub fn with_called_tsap(mut self, tsap: $crate::Tsap) -> Self {
                self.parameters.push($crate::Parameter::CalledTsap(tsap));
                self
            }

            /// Adds a TPDU size (C0) after the parameters already present.
            #[must_use]
            pub fn with_tpdu_size(mut self, size: $crate::TpduSize) -> Self {
                self.parameters.push($crate::Parameter::TpduSize(size));
                self
            }

            /// Adds a preferred maximum TPDU size (F0, in units of 128 bytes) after the
            /// parameters already present.
            #[must_use]
            pub fn with_preferred_max_tpdu_size(mut self, units: u32) -> Self {
                self.parameters
                    .push($crate::Parameter::PreferredMaxTpduSize(units));
                self
            }

            /// Adds any parameter after the parameters already present.
            #[must_use]
            pub fn with_parameter(mut self, parameter: $crate::Parameter) -> Self {
                self.parameters.push(parameter);
                self
            }

            /// The first TPDU size parameter (C0), if any. Without one, ISO 8073 takes
            /// 128 bytes.
            pub fn tpdu_size(&self) -> Option<$crate::TpduSize> {
                self.parameters.iter().find_map(|p| match p {
                    $crate::Parameter::TpduSize(size) => Some(*size),
                    _ => None,
                })
            }

            /// The first calling TSAP (C1), if any.
            pub fn calling_tsap(&self) -> Option<&$crate::Tsap> {
                self.parameters.iter().find_map(|p| match p {
                    $crate::Parameter::CallingTsap(tsap) => Some(tsap),
                    _ => None,
                })
            }

            /// The first called TSAP (C2), if any.
            pub fn called_tsap(&self) -> Option<&$crate::Tsap> {
                self.parameters.iter().find_map(|p| match p {
                    $crate::Parameter::CalledTsap(tsap) => Some(tsap),
                    _ => None,
                })
            }

            /// The first preferred maximum TPDU size (F0) in units of 128 bytes, if any.
            pub fn preferred_max_tpdu_size(&self) -> Option<u32> {
                $crate::parameter::preferred_max_tpdu_size(&self.parameters)
            }

            /// The protocol class: the high nibble of the class/option byte (0 here).
            pub fn class(&self) -> u8 {
                self.class_option >> 4
            }

            /// Parses a whole TPDU (a TPKT payload).
            ///
            /// Bytes after the header (user data, which class 0 does not use) are ignored;
            /// [`user_data`](crate::user_data) returns them. The credit nibble of the code byte
            /// is ignored too.
            pub fn parse(buf: &[u8]) -> Result<Self, $crate::Error> {
                let fields = $crate::connection::parse(buf, $code)?;
                Ok($ty {
                    dst_ref: fields.dst_ref,
                    src_ref: fields.src_ref,
                    class_option: fields.class_option,
                    parameters: fields.parameters,
                })
            }

            /// The bytes [`emit`](Self::emit) writes.
            pub fn buffer_len(&self) -> usize {
                $crate::connection::buffer_len(&self.parameters)
            }

            /// Writes the TPDU, or nothing at all on error: the header needing an LI above 254
            /// is [`Error::HeaderTooLong`](crate::Error::HeaderTooLong); a raw parameter that
            /// would read back differently is
            /// [`Error::AmbiguousParameter`](crate::Error::AmbiguousParameter); an `out` without
            /// room is [`Error::BufferTooSmall`](crate::Error::BufferTooSmall).
            pub fn emit<B: bytes::BufMut>(&self, out: &mut B) -> Result<(), $crate::Error> {
                $crate::connection::emit(
                    $code,
                    self.dst_ref,
                    self.src_ref,
                    self.class_option,
                    &self.parameters,
                    out,
                )
            }

            /// The TPDU's bytes in a new vector.
            pub fn to_vec(&self) -> Result<alloc::vec::Vec<u8>, $crate::Error> {
                let mut out = alloc::vec::Vec::with_capacity(self.buffer_len());
                self.emit(&mut out)?;
                Ok(out)
            }
        }
    };
}

pub(crate) use connection_tpdu_impl;
