//! `TpktCodec` through tokio-util's `Framed` machinery, over an in-memory duplex pipe whose
//! small buffer cuts every frame into several reads.

#![cfg(feature = "tokio-util")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio_util::codec::{Framed, FramedRead, FramedWrite};
use tpkt::codec::{CodecError, TpktCodec};

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect()
}

#[tokio::test]
async fn frames_cross_a_narrow_pipe_whole_and_in_order() {
    let (near, far) = tokio::io::duplex(7);
    let lens = [3usize, 4, 100, 65_531, 3, 1000];
    let writer = tokio::spawn(async move {
        let mut sink = FramedWrite::new(near, TpktCodec::new());
        for len in lens {
            sink.send(payload(len)).await.unwrap();
        }
    });
    let mut frames = FramedRead::new(far, TpktCodec::new());
    for len in lens {
        let frame = frames.next().await.unwrap().unwrap();
        assert_eq!(frame, payload(len));
    }
    writer.await.unwrap();
    assert!(frames.next().await.is_none(), "clean end of stream");
}

#[tokio::test]
async fn a_stream_ending_mid_frame_is_truncated() {
    let (mut near, far) = tokio::io::duplex(64);
    near.write_all(&[0x03, 0x00, 0x00, 0x0A, 0x02, 0xF0])
        .await
        .unwrap();
    drop(near);
    let mut frames = FramedRead::new(far, TpktCodec::new());
    let error = frames.next().await.unwrap().unwrap_err();
    assert!(
        matches!(
            error,
            CodecError::Tpkt(tpkt::Error::Truncated {
                needed: 10,
                available: 6
            })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn garbage_and_oversized_frames_are_refused() {
    let (mut near, far) = tokio::io::duplex(64);
    near.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let mut frames = FramedRead::new(far, TpktCodec::new());
    let error = frames.next().await.unwrap().unwrap_err();
    assert!(
        matches!(
            error,
            CodecError::Tpkt(tpkt::Error::UnsupportedVersion { .. })
        ),
        "{error:?}"
    );

    let (mut near, far) = tokio::io::duplex(64);
    near.write_all(&[0x03, 0x00, 0x01, 0x00]).await.unwrap();
    let mut frames = FramedRead::new(far, TpktCodec::with_max_frame_len(255).unwrap());
    let error = frames.next().await.unwrap().unwrap_err();
    assert!(
        matches!(
            error,
            CodecError::Tpkt(tpkt::Error::FrameExceedsLimit {
                declared: 256,
                limit: 255
            })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_framed_duplex_echoes() {
    let (near, far) = tokio::io::duplex(1024);
    let echo = tokio::spawn(async move {
        let mut framed = Framed::new(far, TpktCodec::new());
        while let Some(frame) = framed.next().await {
            framed.send(frame.unwrap()).await.unwrap();
        }
    });
    let mut framed = Framed::new(near, TpktCodec::new());
    for len in [3, 17, 4000] {
        framed.send(payload(len)).await.unwrap();
        assert_eq!(framed.next().await.unwrap().unwrap(), payload(len));
    }
    drop(framed);
    echo.await.unwrap();
}
