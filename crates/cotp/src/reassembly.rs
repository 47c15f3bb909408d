//! Reassembly: the DTs of one TSDU back into one buffer, under a size cap.

use alloc::vec::Vec;

use bytes::Bytes;

use crate::Error;

/// The smallest buffer worth allocating for a TSDU of several DTs (still never above the cap).
const MIN_GROWTH: usize = 1024;

/// Joins the payloads of consecutive DTs into whole TSDUs, refusing any TSDU longer than a cap.
///
/// - A DT with EOT completes the TSDU: [`push`](Self::push) returns it.
/// - When nothing is buffered and the DT has EOT (the common single-DT TSDU), `push` returns
///   the DT's `Bytes` itself: no copy, no allocation.
/// - An empty DT without EOT is a "fast acknowledge" some PLCs send: it is ignored.
/// - A TSDU that would exceed the cap is [`Error::ReassemblyOverflow`], detected before
///   anything is copied: the buffer never holds (or reserves) more than the cap. The partial
///   TSDU is dropped; the rest of its DTs would then start a new TSDU, so a connection should
///   treat the error as fatal.
///
/// ```text
///  DT 02 F0 00 [a b c] --+
///  DT 02 F0 00 [d e]   --+--> [a b c d e f]   (returned at EOT)
///  DT 02 F0 80 [f]     --+
/// ```
///
/// ```
/// use bytes::Bytes;
/// use cotp::Reassembler;
/// let mut reassembler = Reassembler::new(1024);
/// assert_eq!(reassembler.push_slice(false, b"abc")?, None);
/// assert_eq!(reassembler.push_slice(false, b"")?, None); // fast acknowledge
/// assert_eq!(reassembler.push_slice(true, b"de")?, Some(Bytes::from_static(b"abcde")));
/// assert!(reassembler.is_idle());
///
/// // A TSDU in one DT comes back as the very same Bytes.
/// let single = Bytes::from_static(b"whole");
/// let out = reassembler.push(true, single.clone())?.unwrap();
/// assert_eq!(out.as_ptr(), single.as_ptr());
/// # Ok::<(), cotp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reassembler {
    max_tsdu_len: usize,
    buffer: Vec<u8>,
}

impl Reassembler {
    /// A reassembler accepting TSDUs of at most `max_tsdu_len` bytes.
    pub fn new(max_tsdu_len: usize) -> Self {
        Reassembler {
            max_tsdu_len,
            buffer: Vec::new(),
        }
    }

    /// The cap on a TSDU's length.
    pub fn max_tsdu_len(&self) -> usize {
        self.max_tsdu_len
    }

    /// Bytes of the TSDU in progress.
    pub fn buffered_len(&self) -> usize {
        self.buffer.len()
    }

    /// Whether no TSDU is in progress.
    pub fn is_idle(&self) -> bool {
        self.buffer.is_empty()
    }

    /// Drops the TSDU in progress and its buffer.
    pub fn reset(&mut self) {
        self.buffer = Vec::new();
    }

    /// Feeds one DT's EOT flag and payload; returns the whole TSDU at EOT.
    // Inlined so the single-DT fast path costs a caller in another crate no call.
    #[inline]
    pub fn push(&mut self, eot: bool, payload: Bytes) -> Result<Option<Bytes>, Error> {
        if eot && self.is_idle() {
            self.check_len(payload.len())?;
            return Ok(Some(payload));
        }
        self.push_slice(eot, &payload)
    }

    /// Like [`push`](Self::push) for a borrowed payload; a single-DT TSDU is copied once.
    pub fn push_slice(&mut self, eot: bool, payload: &[u8]) -> Result<Option<Bytes>, Error> {
        if !eot && payload.is_empty() {
            return Ok(None);
        }
        let len = self.buffer.len().saturating_add(payload.len());
        self.check_len(len)?;
        if eot && self.is_idle() {
            return Ok(Some(Bytes::copy_from_slice(payload)));
        }
        self.grow_for(len);
        self.buffer.extend_from_slice(payload);
        if eot {
            Ok(Some(Bytes::from(core::mem::take(&mut self.buffer))))
        } else {
            Ok(None)
        }
    }

    /// Fails, dropping the TSDU in progress, when a TSDU of `len` bytes exceeds the cap.
    fn check_len(&mut self, len: usize) -> Result<(), Error> {
        if len > self.max_tsdu_len {
            self.reset();
            return Err(Error::ReassemblyOverflow {
                limit: self.max_tsdu_len,
                len,
            });
        }
        Ok(())
    }

    /// Makes room for `len` bytes in total, growing geometrically but never past the cap
    /// (`len` is already known to be within it).
    fn grow_for(&mut self, len: usize) {
        let capacity = self.buffer.capacity();
        if len <= capacity {
            return;
        }
        let target = capacity
            .saturating_mul(2)
            .max(MIN_GROWTH)
            .max(len)
            .min(self.max_tsdu_len);
        self.buffer
            .reserve_exact(target.saturating_sub(self.buffer.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_dt_fast_path_returns_the_same_bytes() {
        let mut r = Reassembler::new(16);
        let payload = Bytes::from(alloc::vec![1u8, 2, 3]);
        let out = r.push(true, payload.clone()).unwrap().unwrap();
        assert_eq!(out, payload);
        assert_eq!(out.as_ptr(), payload.as_ptr());
        assert!(r.is_idle());
    }

    #[test]
    fn empty_tsdu_comes_back_empty() {
        let mut r = Reassembler::new(0);
        assert_eq!(r.push(true, Bytes::new()).unwrap(), Some(Bytes::new()));
        assert_eq!(r.push_slice(true, &[]).unwrap(), Some(Bytes::new()));
    }

    #[test]
    fn segments_are_joined_and_fast_acks_ignored() {
        let mut r = Reassembler::new(100);
        assert_eq!(r.push(false, Bytes::from_static(b"ab")).unwrap(), None);
        assert_eq!(r.buffered_len(), 2);
        assert_eq!(r.push(false, Bytes::new()).unwrap(), None);
        assert_eq!(r.buffered_len(), 2);
        assert_eq!(r.push_slice(false, b"cd").unwrap(), None);
        assert_eq!(
            r.push(true, Bytes::from_static(b"e")).unwrap(),
            Some(Bytes::from_static(b"abcde"))
        );
        assert!(r.is_idle());
        assert_eq!(r.buffered_len(), 0);
    }

    #[test]
    fn fast_ack_while_idle_keeps_the_fast_path() {
        let mut r = Reassembler::new(100);
        assert_eq!(r.push(false, Bytes::new()).unwrap(), None);
        assert!(r.is_idle());
        let payload = Bytes::from_static(b"x");
        assert_eq!(
            r.push(true, payload.clone()).unwrap().unwrap().as_ptr(),
            payload.as_ptr()
        );
    }

    #[test]
    fn cap_is_inclusive() {
        let mut r = Reassembler::new(4);
        assert_eq!(r.push_slice(false, b"ab").unwrap(), None);
        assert_eq!(
            r.push_slice(true, b"cd").unwrap(),
            Some(Bytes::from_static(b"abcd"))
        );
        assert_eq!(
            r.push(true, Bytes::from_static(b"wxyz")).unwrap(),
            Some(Bytes::from_static(b"wxyz"))
        );
    }

    #[test]
    fn overflow_is_detected_before_copying_and_resets() {
        let mut r = Reassembler::new(4);
        assert_eq!(r.push_slice(false, b"abc").unwrap(), None);
        assert_eq!(
            r.push_slice(false, b"de"),
            Err(Error::ReassemblyOverflow { limit: 4, len: 5 })
        );
        assert!(r.is_idle());
        assert!(r.buffer.capacity() <= 4);
        assert_eq!(
            r.push(true, Bytes::from_static(b"12345")),
            Err(Error::ReassemblyOverflow { limit: 4, len: 5 })
        );
        assert_eq!(
            r.push_slice(true, b"12345"),
            Err(Error::ReassemblyOverflow { limit: 4, len: 5 })
        );
        // After the error the reassembler works again.
        assert_eq!(
            r.push_slice(true, b"ok").unwrap(),
            Some(Bytes::from_static(b"ok"))
        );
    }

    #[test]
    fn capacity_never_exceeds_the_cap() {
        let cap = 3000;
        let mut r = Reassembler::new(cap);
        for _ in 0..29 {
            assert_eq!(r.push_slice(false, &[7u8; 100]).unwrap(), None);
            assert!(r.buffer.capacity() <= cap);
        }
        let out = r.push_slice(true, &[7u8; 100]).unwrap().unwrap();
        assert_eq!(out.len(), cap);
        assert_eq!(r.push_slice(false, &[1]).unwrap(), None);
        assert_eq!(
            r.push_slice(false, &[0u8; 3000]),
            Err(Error::ReassemblyOverflow {
                limit: cap,
                len: 3001
            })
        );
    }

    #[test]
    fn reset_drops_the_partial_tsdu() {
        let mut r = Reassembler::new(10);
        r.push_slice(false, b"abc").unwrap();
        assert!(!r.is_idle());
        r.reset();
        assert!(r.is_idle());
        assert_eq!(r.max_tsdu_len(), 10);
        assert_eq!(
            r.push_slice(true, b"z").unwrap(),
            Some(Bytes::from_static(b"z"))
        );
    }
}
