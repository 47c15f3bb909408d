//! tokio-util's [`Decoder`] and [`Encoder`] for TPKT frames (feature `tokio-util`), for users
//! who build their own framed transports with [`tokio_util::codec::Framed`].
//!
//! [`TpktCodec`] is a thin shell around [`FrameDecoder`] and [`encode`]: the same contract
//! (`Ok(None)` consumes nothing; a frame longer than the limit is refused from its header
//! alone; payloads come out as [`Bytes`] sharing the read buffer), the same errors, plus the
//! I/O errors tokio-util needs to report.
//!
//! ```
//! use futures_util::{SinkExt, StreamExt};
//! use tokio_util::codec::{FramedRead, FramedWrite};
//! use tpkt::codec::TpktCodec;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tpkt::codec::CodecError> {
//! // Encode two TPDUs into a byte vector...
//! let mut wire = FramedWrite::new(Vec::new(), TpktCodec::new());
//! wire.send(&[0x02, 0xF0, 0x80, 0x32][..]).await?;
//! wire.send(&[0x02, 0xF0, 0x80][..]).await?;
//! let bytes = wire.into_inner();
//! assert_eq!(&bytes[..8], &[0x03, 0x00, 0x00, 0x08, 0x02, 0xF0, 0x80, 0x32]);
//!
//! // ...and read them back from any AsyncRead.
//! let mut frames = FramedRead::new(&bytes[..], TpktCodec::new());
//! assert_eq!(frames.next().await.transpose()?.as_deref(), Some(&[0x02, 0xF0, 0x80, 0x32][..]));
//! assert_eq!(frames.next().await.transpose()?.as_deref(), Some(&[0x02, 0xF0, 0x80][..]));
//! assert!(frames.next().await.is_none());
//! # Ok(())
//! # }
//! ```

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::{encode, encoded_len, Error, FrameDecoder};

/// Why a [`TpktCodec`] stopped: bad framing, or the I/O underneath.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The bytes are not TPKT framing (or a payload cannot be framed); the stream cannot be
    /// resynchronised, so the transport should be closed.
    #[error("tpkt framing error: {0}")]
    Tpkt(#[from] Error),
    /// Reading or writing the transport failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// TPKT frames as a tokio-util codec: decodes frames into their payloads (one COTP TPDU each),
/// encodes payloads into frames.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TpktCodec {
    decoder: FrameDecoder,
}

impl TpktCodec {
    /// A codec accepting every legal frame, up to [`MAX_FRAME_LEN`](crate::MAX_FRAME_LEN).
    pub const fn new() -> Self {
        TpktCodec {
            decoder: FrameDecoder::new(),
        }
    }

    /// A codec refusing incoming frames longer than `limit` bytes (header included).
    ///
    /// # Errors
    /// [`Error::InvalidFrameLimit`] unless `limit` is a legal frame length.
    pub fn with_max_frame_len(limit: usize) -> Result<Self, Error> {
        Ok(TpktCodec {
            decoder: FrameDecoder::with_max_frame_len(limit)?,
        })
    }

    /// The longest incoming frame accepted.
    pub const fn max_frame_len(&self) -> usize {
        self.decoder.max_frame_len()
    }

    /// Changes the incoming frame limit (e.g. once a TPDU size is negotiated).
    ///
    /// # Errors
    /// As [`FrameDecoder::set_max_frame_len`].
    pub fn set_max_frame_len(&mut self, limit: usize) -> Result<(), Error> {
        self.decoder.set_max_frame_len(limit)
    }
}

impl Decoder for TpktCodec {
    type Item = Bytes;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>, CodecError> {
        Ok(self.decoder.decode(src)?)
    }

    /// At the end of the stream a partial frame is [`Error::Truncated`], not an I/O error.
    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>, CodecError> {
        Ok(self.decoder.decode_eof(src)?)
    }
}

impl<T: AsRef<[u8]>> Encoder<T> for TpktCodec {
    type Error = CodecError;

    /// Appends one frame carrying `payload` (3..=65531 bytes); nothing is written otherwise.
    fn encode(&mut self, payload: T, dst: &mut BytesMut) -> Result<(), CodecError> {
        let payload = payload.as_ref();
        dst.reserve(encoded_len(payload.len())?);
        encode(payload, dst)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn decodes_frame_by_frame_and_consumes_nothing_until_whole() {
        let mut codec = TpktCodec::new();
        let mut src = BytesMut::from(&[0x03, 0x00, 0x00, 0x09, 0x02, 0xF0][..]);
        assert_eq!(codec.decode(&mut src).unwrap(), None);
        assert_eq!(src.len(), 6);
        src.extend_from_slice(&[0x80, 0xDE, 0xAD, 0x03, 0x00]);
        assert_eq!(
            codec.decode(&mut src).unwrap().as_deref(),
            Some(&[0x02, 0xF0, 0x80, 0xDE, 0xAD][..])
        );
        assert_eq!(&src[..], &[0x03, 0x00]);
        let error = codec.decode_eof(&mut src).unwrap_err();
        assert!(matches!(
            error,
            CodecError::Tpkt(Error::Truncated {
                needed: 4,
                available: 2
            })
        ));
    }

    #[test]
    fn the_limit_is_applied_from_the_header() {
        let mut codec = TpktCodec::with_max_frame_len(100).unwrap();
        assert_eq!(codec.max_frame_len(), 100);
        let mut src = BytesMut::from(&[0x03, 0x00, 0x00, 0x65][..]);
        assert!(matches!(
            codec.decode(&mut src),
            Err(CodecError::Tpkt(Error::FrameExceedsLimit {
                declared: 101,
                limit: 100
            }))
        ));
        codec.set_max_frame_len(101).unwrap();
        assert_eq!(codec.decode(&mut src).unwrap(), None);
        assert!(codec.set_max_frame_len(3).is_err());
    }

    #[test]
    fn encodes_and_refuses_payloads_it_cannot_frame() {
        let mut codec = TpktCodec::new();
        let mut dst = BytesMut::new();
        codec.encode(&[0x02, 0xF0, 0x80][..], &mut dst).unwrap();
        codec
            .encode(vec![0x02, 0xF0, 0x80, 0x01], &mut dst)
            .unwrap();
        assert_eq!(
            &dst[..],
            &[
                0x03, 0x00, 0x00, 0x07, 0x02, 0xF0, 0x80, 0x03, 0x00, 0x00, 0x08, 0x02, 0xF0, 0x80,
                0x01
            ]
        );
        let before = dst.len();
        assert!(matches!(
            codec.encode(&[0x02][..], &mut dst),
            Err(CodecError::Tpkt(Error::PayloadTooSmall { .. }))
        ));
        assert!(codec.encode(vec![0u8; 65_532], &mut dst).is_err());
        assert_eq!(dst.len(), before, "nothing written on error");
    }
}
