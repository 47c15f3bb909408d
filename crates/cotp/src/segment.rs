//! Segmentation: one TSDU into as many DTs as the negotiated TPDU size needs.

use core::iter::FusedIterator;

use crate::{Data, Error, DATA_HEADER_LEN};

/// The payload bytes one DT can carry when a TPDU may be `max_tpdu_len` bytes long.
fn chunk_len(max_tpdu_len: usize) -> Result<usize, Error> {
    match max_tpdu_len.checked_sub(DATA_HEADER_LEN) {
        Some(chunk) if chunk > 0 => Ok(chunk),
        _ => Err(Error::TpduSizeTooSmall { size: max_tpdu_len }),
    }
}

/// How many DTs [`segments`] yields for a TSDU of `tsdu_len` bytes: at least 1, since an
/// empty TSDU still travels as one DT with EOT.
///
/// ```
/// assert_eq!(cotp::segment_count(0, 1024)?, 1);
/// assert_eq!(cotp::segment_count(1021, 1024)?, 1);
/// assert_eq!(cotp::segment_count(1022, 1024)?, 2);
/// assert!(cotp::segment_count(10, 3).is_err());
/// # Ok::<(), cotp::Error>(())
/// ```
pub fn segment_count(tsdu_len: usize, max_tpdu_len: usize) -> Result<usize, Error> {
    Ok(tsdu_len.div_ceil(chunk_len(max_tpdu_len)?).max(1))
}

/// The DTs carrying `tsdu` when a TPDU may be at most `max_tpdu_len` bytes, header included.
///
/// Every DT but the last is full; only the last has EOT set; an empty TSDU gives one empty DT
/// with EOT. A `max_tpdu_len` below 4 leaves no room for data: [`Error::TpduSizeTooSmall`].
///
/// ```text
///  tsdu:  [..........................................]
///  DTs:   02 F0 00 [chunk] | 02 F0 00 [chunk] | 02 F0 80 [rest]
///         |<- max_tpdu_len ->|
/// ```
///
/// ```
/// use cotp::TpduSize;
/// let tsdu = [0x55u8; 300];
/// let dts: Vec<_> = cotp::segments(&tsdu, TpduSize::S128.bytes())?.collect();
/// assert_eq!(dts.len(), 3);
/// assert_eq!(dts[0].payload.len(), 125);
/// assert!(!dts[0].eot && !dts[1].eot && dts[2].eot);
/// assert_eq!(dts[2].payload.len(), 50);
/// # Ok::<(), cotp::Error>(())
/// ```
pub fn segments(tsdu: &[u8], max_tpdu_len: usize) -> Result<Segments<'_>, Error> {
    let chunk = chunk_len(max_tpdu_len)?;
    Ok(Segments {
        rest: tsdu,
        chunk,
        remaining: tsdu.len().div_ceil(chunk).max(1),
    })
}

/// Iterator over the DTs of one TSDU; see [`segments`].
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    rest: &'a [u8],
    chunk: usize,
    remaining: usize,
}

impl<'a> Iterator for Segments<'a> {
    type Item = Data<'a>;

    fn next(&mut self) -> Option<Data<'a>> {
        self.remaining = self.remaining.checked_sub(1)?;
        if self.remaining == 0 {
            let payload = core::mem::take(&mut self.rest);
            return Some(Data { eot: true, payload });
        }
        let (payload, rest) = self.rest.split_at_checked(self.chunk)?;
        self.rest = rest;
        Some(Data {
            eot: false,
            payload,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Segments<'_> {}

impl FusedIterator for Segments<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn empty_tsdu_is_one_empty_dt_with_eot() {
        let dts: Vec<_> = segments(&[], 1024).unwrap().collect();
        assert_eq!(
            dts,
            [Data {
                eot: true,
                payload: &[]
            }]
        );
        assert_eq!(segment_count(0, 4).unwrap(), 1);
    }

    #[test]
    fn exact_multiple_has_no_empty_tail() {
        let tsdu = [1u8, 2, 3, 4, 5, 6];
        let dts: Vec<_> = segments(&tsdu, 6).unwrap().collect();
        assert_eq!(
            dts,
            [
                Data {
                    eot: false,
                    payload: &[1, 2, 3]
                },
                Data {
                    eot: true,
                    payload: &[4, 5, 6]
                }
            ]
        );
    }

    #[test]
    fn smallest_tpdu_carries_one_byte_each() {
        let tsdu = [9u8, 8, 7];
        let segs = segments(&tsdu, 4).unwrap();
        assert_eq!(segs.len(), 3);
        let dts: Vec<_> = segs.collect();
        assert_eq!(
            dts,
            [
                Data {
                    eot: false,
                    payload: &[9]
                },
                Data {
                    eot: false,
                    payload: &[8]
                },
                Data {
                    eot: true,
                    payload: &[7]
                },
            ]
        );
    }

    #[test]
    fn every_dt_fits_the_tpdu_size() {
        let tsdu: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        for max in [4usize, 5, 100, 128, 1024, 4999, 5002, 5003, 5004, 8192] {
            let segs = segments(&tsdu, max).unwrap();
            let expected = segment_count(tsdu.len(), max).unwrap();
            assert_eq!(segs.len(), expected);
            let dts: Vec<_> = segs.collect();
            assert_eq!(dts.len(), expected);
            assert!(dts.iter().all(|dt| dt.buffer_len() <= max));
            let joined: Vec<u8> = dts
                .iter()
                .flat_map(|dt| dt.payload.iter().copied())
                .collect();
            assert_eq!(joined, tsdu);
        }
    }

    #[test]
    fn iterator_is_exact_and_fused() {
        let tsdu = [0u8; 10];
        let mut segs = segments(&tsdu, 6).unwrap();
        assert_eq!(segs.size_hint(), (4, Some(4)));
        assert!(segs.next().is_some());
        assert_eq!(segs.len(), 3);
        assert_eq!(segs.by_ref().count(), 3);
        assert_eq!(segs.next(), None);
        assert_eq!(segs.len(), 0);
    }

    #[test]
    fn too_small_tpdu_is_an_error() {
        for size in 0..4 {
            assert_eq!(
                segments(&[1], size).unwrap_err(),
                Error::TpduSizeTooSmall { size }
            );
            assert_eq!(
                segment_count(1, size),
                Err(Error::TpduSizeTooSmall { size })
            );
        }
    }
}
