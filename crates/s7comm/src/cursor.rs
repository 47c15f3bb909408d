//! Bounds-checked reading and length-checked writing shared by the decoders and encoders.
//!
//! Every decoder reads through [`Reader`], so no decoder indexes a slice directly: a field
//! that is not there becomes [`Error::Truncated`] naming the structure being decoded.

use alloc::vec::Vec;

use crate::Error;

/// A forward-only cursor over a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`; `what` names the structure in errors.
    #[inline]
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Self { buf, what }
    }

    /// Bytes not consumed yet.
    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Takes the next `n` bytes.
    #[inline]
    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        match self.buf.split_at_checked(n) {
            Some((head, tail)) => {
                self.buf = tail;
                Ok(head)
            }
            None => Err(Error::Truncated {
                what: self.what,
                needed: n,
                available: self.buf.len(),
            }),
        }
    }

    /// Takes the next `N` bytes as an array.
    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let bytes = self.bytes(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| Error::Truncated {
            what: self.what,
            needed: N,
            available: bytes.len(),
        })
    }

    /// Takes the next `N` bytes if there are that many; otherwise takes nothing.
    #[inline]
    pub(crate) fn try_array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, tail) = self.buf.split_first_chunk::<N>()?;
        self.buf = tail;
        Some(*head)
    }

    /// Takes one byte.
    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        let [b] = self.array::<1>()?;
        Ok(b)
    }

    /// Takes a big-endian `u16`.
    #[inline]
    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array::<2>()?))
    }

    /// Takes one byte that must equal `expected`.
    #[inline]
    pub(crate) fn expect_u8(&mut self, expected: u8, field: &'static str) -> Result<(), Error> {
        let b = self.u8()?;
        if b == expected {
            Ok(())
        } else {
            Err(Error::InvalidValue {
                what: field,
                value: u32::from(b),
            })
        }
    }

    /// Everything not consumed yet.
    #[inline]
    pub(crate) fn rest(self) -> &'a [u8] {
        self.buf
    }

    /// Fails unless every byte was consumed.
    #[inline]
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingBytes {
                what: self.what,
                trailing: self.buf.len(),
            })
        }
    }
}

/// `len` as a `u16` wire field, or [`Error::TooLarge`].
#[inline]
pub(crate) fn wire_u16(len: usize, what: &'static str) -> Result<u16, Error> {
    u16::try_from(len).map_err(|_| Error::TooLarge {
        what,
        value: len,
        max: usize::from(u16::MAX),
    })
}

/// `len` as a `u8` wire field, or [`Error::TooLarge`].
#[inline]
pub(crate) fn wire_u8(len: usize, what: &'static str) -> Result<u8, Error> {
    u8::try_from(len).map_err(|_| Error::TooLarge {
        what,
        value: len,
        max: usize::from(u8::MAX),
    })
}

/// Appends a big-endian `u16`.
#[inline]
pub(crate) fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_be_bytes());
}

/// Overwrites two bytes at `at` with a big-endian `u16`; does nothing if they are not there
/// (callers only patch fields they wrote themselves).
#[inline]
pub(crate) fn patch_u16(out: &mut [u8], at: usize, value: u16) {
    let end = at.saturating_add(2);
    if let Some(slot) = out.get_mut(at..end) {
        slot.copy_from_slice(&value.to_be_bytes());
    }
}
