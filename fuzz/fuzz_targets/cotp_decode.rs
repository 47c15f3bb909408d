//! COTP decoders on arbitrary bytes: no panic; what parses re-emits and parses back equal;
//! a reassembler fed the input chopped into DTs never holds more than its cap.
#![no_main]

use bytes::Bytes;
use cotp::{
    ConnectionConfirm, ConnectionRequest, Data, DisconnectConfirm, DisconnectRequest, ErrorTpdu,
    Reassembler, Tpdu,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tpdu) = Tpdu::parse(data) {
        let wire = tpdu.to_vec().expect("a parsed tpdu re-emits");
        assert_eq!(wire.len(), tpdu.buffer_len());
        let again = Tpdu::parse(&wire).expect("a re-emitted tpdu parses");
        assert_eq!(again, tpdu);
        assert_eq!(again.to_vec().expect("emits twice"), wire);
    }
    if let Ok(cr) = ConnectionRequest::parse(data) {
        assert_eq!(
            ConnectionRequest::parse(&cr.to_vec().expect("cr emits")),
            Ok(cr)
        );
    }
    if let Ok(cc) = ConnectionConfirm::parse(data) {
        assert_eq!(
            ConnectionConfirm::parse(&cc.to_vec().expect("cc emits")),
            Ok(cc)
        );
    }
    if let Ok(dr) = DisconnectRequest::parse(data) {
        assert_eq!(
            DisconnectRequest::parse(&dr.to_vec().expect("dr emits")),
            Ok(dr)
        );
    }
    if let Ok(dc) = DisconnectConfirm::parse(data) {
        assert_eq!(DisconnectConfirm::parse(&dc.to_bytes()), Ok(dc));
    }
    if let Ok(er) = ErrorTpdu::parse(data) {
        assert_eq!(ErrorTpdu::parse(&er.to_vec().expect("er emits")), Ok(er));
    }
    let _ = cotp::parse_parameters(data);
    let _ = cotp::user_data(data);

    // The first two bytes choose a chunk length and a cap; the rest is cut into chunks that
    // are parsed as DTs and fed to a reassembler.
    let [chunk, cap, rest @ ..] = data else {
        return;
    };
    let chunk = usize::from(*chunk % 64) + 1;
    let cap = usize::from(*cap) * 16;
    let mut reassembler = Reassembler::new(cap);
    for (index, frame) in rest.chunks(chunk).enumerate() {
        let Ok(dt) = Data::parse(frame) else { continue };
        let pushed = if index % 2 == 0 {
            reassembler.push(dt.eot, Bytes::copy_from_slice(dt.payload))
        } else {
            reassembler.push_slice(dt.eot, dt.payload)
        };
        match pushed {
            Ok(Some(tsdu)) => assert!(tsdu.len() <= cap && reassembler.is_idle()),
            Ok(None) => assert!(!dt.eot && reassembler.buffered_len() <= cap),
            Err(cotp::Error::ReassemblyOverflow { limit, len }) => {
                assert!(limit == cap && len > cap && reassembler.is_idle())
            }
            Err(other) => panic!("unexpected reassembly error {other:?}"),
        }
    }

    // Segmenting the input and reassembling it gives it back.
    let max = usize::from(data[0]).max(4);
    let mut whole = Reassembler::new(data.len());
    let mut out = None;
    for dt in cotp::segments(data, max).expect("max is at least 4") {
        assert!(dt.buffer_len() <= max);
        out = whole
            .push_slice(dt.eot, dt.payload)
            .expect("within the cap");
    }
    assert_eq!(out.as_deref(), Some(data));
});
