//! The two buffers of a connection: frames read from the socket, and frames about to be written.
//!
//! Both are kept for the life of the connection, so a steady request/answer exchange allocates
//! nothing: the read buffer is refilled in place and the write buffer is cleared and reused.

use std::io;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use socket2::Socket;

use crate::socket_config;

/// A CR, CC or DR header can be up to 255 bytes (length indicator 254 plus itself), so while
/// connecting frames up to this length are accepted whatever the TPDU size.
pub(crate) const HANDSHAKE_FRAME_LEN: usize = tpkt::HEADER_LEN + 255;

/// Smallest read: large enough that a burst of small frames arrives in one read, small enough
/// that an idle connection holds little memory.
const MIN_READ_CHUNK: usize = 4096;

/// Largest read, reached only while reads keep filling the buffer (a long segmented TSDU).
const MAX_READ_CHUNK: usize = 64 * 1024;

/// Why no frame could be produced.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The bytes are not TPKT framing.
    Framing(tpkt::Error),
    /// The peer closed the connection (a read returned 0).
    Eof,
    /// The read timeout expired.
    TimedOut,
    /// Any other socket error.
    Io(io::Error),
}

/// Incoming bytes and the TPKT decoder that cuts them into frames.
#[derive(Debug)]
pub(crate) struct FrameReader {
    buf: BytesMut,
    decoder: tpkt::FrameDecoder,
    chunk: usize,
    /// The frame length normal traffic stays within (the negotiated TPDU size plus the TPKT
    /// header): reads are sized for it, while the decoder's limit may allow longer frames.
    expected_frame: usize,
}

impl FrameReader {
    /// A reader accepting frames up to `frame_limit` bytes (clamped to what TPKT allows).
    pub(crate) fn new(frame_limit: usize) -> Self {
        let mut reader = FrameReader {
            buf: BytesMut::new(),
            decoder: tpkt::FrameDecoder::new(),
            chunk: MIN_READ_CHUNK,
            expected_frame: frame_limit,
        };
        reader.set_frame_limit(frame_limit, frame_limit);
        reader.buf.reserve(reader.base_chunk());
        reader
    }

    /// Changes the largest frame accepted and the frame length reads are sized for; frames
    /// already buffered are judged by the new limit. A frame longer than `expected_frame` (up
    /// to the limit) is still read whole: the decoder reserves room for it once its header
    /// is in.
    pub(crate) fn set_frame_limit(&mut self, frame_limit: usize, expected_frame: usize) {
        let limit = frame_limit.clamp(tpkt::MIN_FRAME_LEN, tpkt::MAX_FRAME_LEN);
        self.expected_frame = expected_frame.clamp(tpkt::MIN_FRAME_LEN, limit);
        // The limit is clamped to the range the decoder accepts, so this cannot fail; if a
        // future decoder rejects it anyway, the previous limit stays, which is still safe.
        if let Err(error) = self.decoder.set_max_frame_len(limit) {
            tracing::warn!(%error, limit, "frame limit not applied");
        }
        self.chunk = self.base_chunk();
    }

    fn base_chunk(&self) -> usize {
        self.expected_frame.max(MIN_READ_CHUNK)
    }

    /// Bytes received but not yet handed out as frames: a non-zero value means the stream is
    /// in the middle of a frame (or holds whole frames not yet asked for).
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The declared length of the frame at the head of the buffer, when its header is complete
    /// and valid.
    pub(crate) fn pending_frame_len(&self) -> Option<usize> {
        tpkt::peek_frame_len(&self.buf).ok().flatten()
    }

    /// The next whole frame's payload (the TPDU), if one is already buffered; no system call.
    pub(crate) fn try_decode(&mut self) -> Result<Option<Bytes>, tpkt::Error> {
        self.decoder.decode(&mut self.buf)
    }

    /// One read system call appending to the buffer; returns the number of bytes read, 0 at
    /// end of stream.
    pub(crate) fn fill(&mut self, socket: &Socket) -> io::Result<usize> {
        let chunk = self.chunk;
        // Each frame handed out moves the buffer's start forward, so its spare capacity shrinks
        // a little with every request. Reserving (which reclaims or reallocates) only once
        // fewer bytes are left than the largest frame keeps that work off almost every read;
        // while reads are growing, the grown size is what must fit.
        let floor = if chunk > self.base_chunk() {
            chunk
        } else {
            self.expected_frame
        };
        if self.buf.capacity().saturating_sub(self.buf.len()) < floor {
            self.buf.reserve(chunk);
        }
        let window = chunk.min(self.buf.capacity().saturating_sub(self.buf.len()));
        let result = loop {
            match recv_into_spare(socket, &mut self.buf, window) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let read = *result.as_ref().unwrap_or(&0);
        // Grow the next read while reads come back full (a long TSDU streaming in), fall back
        // to the base size as soon as one does not.
        self.chunk = if read == window {
            chunk
                .saturating_mul(2)
                .min(MAX_READ_CHUNK)
                .max(self.base_chunk())
        } else {
            self.base_chunk()
        };
        if read > 0 {
            tracing::trace!(bytes = read, buffered = self.buf.len(), "read");
        }
        result
    }

    /// The next frame: from the buffer if one is there, otherwise after as many reads as it
    /// takes (each bounded by the socket's read timeout).
    pub(crate) fn next_frame(&mut self, socket: &Socket) -> Result<Bytes, ReadFailure> {
        loop {
            if let Some(frame) = self.try_decode().map_err(ReadFailure::Framing)? {
                return Ok(frame);
            }
            match self.fill(socket) {
                Ok(0) => return Err(ReadFailure::Eof),
                Ok(_) => {}
                Err(e) if is_timeout(&e) => return Err(ReadFailure::TimedOut),
                Err(e) => return Err(ReadFailure::Io(e)),
            }
        }
    }

    /// Like [`next_frame`](Self::next_frame), but all reads together end at `deadline`: the
    /// socket's read timeout is set to the time left before each read. The caller restores the
    /// connection's own read timeout afterwards.
    pub(crate) fn next_frame_before(
        &mut self,
        socket: &Socket,
        deadline: Instant,
    ) -> Result<Bytes, ReadFailure> {
        loop {
            if let Some(frame) = self.try_decode().map_err(ReadFailure::Framing)? {
                return Ok(frame);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadFailure::TimedOut);
            }
            socket
                .set_read_timeout(socket_config::socket_timeout(Some(left)))
                .map_err(ReadFailure::Io)?;
            match self.fill(socket) {
                Ok(0) => return Err(ReadFailure::Eof),
                Ok(_) => {}
                Err(e) if is_timeout(&e) => return Err(ReadFailure::TimedOut),
                Err(e) => return Err(ReadFailure::Io(e)),
            }
        }
    }
}

/// A socket timeout shows as `WouldBlock` on Unix and `TimedOut` on Windows.
pub(crate) fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A write that did not complete.
#[derive(Debug)]
pub(crate) struct WriteFailure {
    /// Bytes the peer was sent before the failure: if non-zero, the peer holds part of a frame
    /// and the stream cannot be used any more.
    pub(crate) written: usize,
    /// What stopped the write.
    pub(crate) error: io::Error,
}

/// Outgoing frames, encoded into one buffer so that they leave in one write call.
#[derive(Debug, Default)]
pub(crate) struct FrameWriter {
    buf: Vec<u8>,
}

impl FrameWriter {
    /// An empty writer.
    pub(crate) fn new() -> Self {
        FrameWriter {
            buf: Vec::with_capacity(MIN_READ_CHUNK),
        }
    }

    /// Replaces the buffer's content with the DT frames carrying `tsdu`, each TPDU at most
    /// `tpdu_size` bytes:
    ///
    /// ```text
    ///  +---------------------+-----------+-----------------+     +-----+-----------+------+
    ///  | 03 00 len_hi len_lo | 02 F0 00  | data (<= size-3)| ... | TPKT| 02 F0 80  | data |
    ///  +---------------------+-----------+-----------------+     +-----+-----------+------+
    ///    TPKT header           DT, no EOT                          last DT, EOT set
    /// ```
    pub(crate) fn encode_tsdu(
        &mut self,
        tsdu: &[u8],
        tpdu_size: usize,
    ) -> Result<(), crate::Error> {
        self.buf.clear();
        // The usual TSDU fits one DT: one header write and one copy, without the segment
        // iterator. A TPDU size that leaves no room for data still goes the long way, for its
        // error.
        let tpdu_len = tsdu.len().saturating_add(cotp::DATA_HEADER_LEN);
        let frames = if tpdu_len <= tpdu_size && tpdu_size > cotp::DATA_HEADER_LEN {
            let [version, reserved, len_hi, len_lo] = tpkt::encode_header(tpdu_len)?;
            let [li, code, flags] = cotp::Data::header(true);
            self.buf.reserve(tpdu_len.saturating_add(tpkt::HEADER_LEN));
            self.buf
                .extend_from_slice(&[version, reserved, len_hi, len_lo, li, code, flags]);
            self.buf.extend_from_slice(tsdu);
            1
        } else {
            let segments = cotp::segments(tsdu, tpdu_size)?;
            let frames = segments.len();
            self.buf.reserve(
                frames
                    .saturating_mul(tpkt::HEADER_LEN + cotp::DATA_HEADER_LEN)
                    .saturating_add(tsdu.len()),
            );
            for segment in segments {
                let header = tpkt::encode_header(segment.buffer_len())?;
                self.buf.extend_from_slice(&header);
                segment.emit(&mut self.buf);
            }
            frames
        };
        tracing::trace!(
            tsdu_len = tsdu.len(),
            frames,
            bytes = self.buf.len(),
            "encoded tsdu"
        );
        Ok(())
    }

    /// Replaces the buffer's content with one frame carrying `tpdu`.
    pub(crate) fn encode_tpdu(&mut self, tpdu: &cotp::Tpdu<'_>) -> Result<(), crate::Error> {
        self.buf.clear();
        let header = tpkt::encode_header(tpdu.buffer_len())?;
        self.buf.extend_from_slice(&header);
        tpdu.emit(&mut self.buf)?;
        Ok(())
    }

    /// Replaces the buffer's content with `bytes` as they are.
    pub(crate) fn set_raw(&mut self, bytes: &[u8]) {
        self.buf.clear();
        self.buf.extend_from_slice(bytes);
    }

    /// Writes the whole buffer: one system call unless the socket takes only part of it.
    pub(crate) fn flush(&mut self, socket: &Socket) -> Result<(), WriteFailure> {
        write_all(socket, &self.buf, 0)
    }

    /// Writes the whole buffer without ever blocking; used for the best-effort DR on drop.
    pub(crate) fn flush_nonblocking(&mut self, socket: &Socket) -> Result<(), WriteFailure> {
        write_all(socket, &self.buf, DONT_WAIT)
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
))]
const NO_SIGNAL: libc::c_int = libc::MSG_NOSIGNAL;
// Apple platforms get SO_NOSIGPIPE from socket2 instead; Windows has no SIGPIPE.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
)))]
const NO_SIGNAL: i32 = 0;

#[cfg(unix)]
const DONT_WAIT: libc::c_int = libc::MSG_DONTWAIT;
#[cfg(not(unix))]
const DONT_WAIT: i32 = 0;

/// Sends all of `bytes`; a peer that has gone away yields `EPIPE`, never a `SIGPIPE` that would
/// kill the process.
fn write_all(socket: &Socket, bytes: &[u8], flags: i32) -> Result<(), WriteFailure> {
    let mut written = 0;
    while let Some(rest) = bytes.get(written..).filter(|rest| !rest.is_empty()) {
        match socket.send_with_flags(rest, flags | NO_SIGNAL) {
            Ok(0) => {
                return Err(WriteFailure {
                    written,
                    error: io::Error::new(io::ErrorKind::WriteZero, "socket accepted no bytes"),
                })
            }
            Ok(n) => written = written.saturating_add(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(WriteFailure { written, error }),
        }
    }
    tracing::trace!(bytes = bytes.len(), "wrote");
    Ok(())
}

/// Reads at most `max` bytes from `socket` straight into the spare capacity of `buf` and
/// extends its length by what was read.
///
/// Reading into uninitialised memory is what keeps a read cheap: zero-filling a 4 KiB (or
/// larger) buffer before every read cost more user-space instructions than all the rest of a
/// request/answer exchange. socket2's `recv` takes `MaybeUninit` bytes for exactly this.
#[allow(unsafe_code)]
fn recv_into_spare(socket: &Socket, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
    let spare = buf.spare_capacity_mut();
    let len = max.min(spare.len());
    let Some(window) = spare.get_mut(..len) else {
        return Ok(0);
    };
    let read = socket.recv(window)?;
    let new_len = buf.len().saturating_add(read.min(len));
    // SAFETY: `recv` initialised the first `read` bytes of `window`, which starts at
    // `buf.len()`, and `read <= len <= spare capacity`, so every byte up to `new_len` is
    // initialised and within the allocation.
    unsafe { buf.set_len(new_len) };
    Ok(read)
}
