//! Arbitrary bytes as a request PDU and as an answer PDU: decoding never panics, and
//! whatever decodes encodes back to exactly the input bytes.
//!
//! The codec keeps what a peer may send differently from how it encodes (reserved header
//! and parameter bytes, fill bytes, a data item LEN that is not the one its data implies, a
//! read request without item count, an ack-data without sections) and refuses what is no
//! S7comm at all (an ack `02` with parameters or data, a userdata head other than
//! `xx 01 12`, a "last data unit" byte other than `00`/`01`). The replay test
//! `crates/s7comm/tests/fuzz_regressions.rs` runs the same checks on the seeds in
//! `crates/s7comm/tests/fuzz-regressions/decode/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s7comm::{RequestPdu, ResponsePdu};

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = RequestPdu::parse(data) {
        assert_eq!(request.buffer_len(), data.len());
        assert_eq!(request.to_bytes().as_deref(), Ok(data));
    }
    if let Ok(response) = ResponsePdu::parse(data) {
        assert_eq!(response.buffer_len(), data.len());
        assert_eq!(response.to_bytes().as_deref(), Ok(data));
    }
});
