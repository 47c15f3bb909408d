//! Property tests: emit/parse identity for every TPDU type, no panic on arbitrary input,
//! segmentation then reassembly identity.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use bytes::Bytes;
use cotp::{
    ConnectionConfirm, ConnectionRequest, Data, DisconnectConfirm, DisconnectReason,
    DisconnectRequest, Error, ErrorTpdu, Parameter, RawParameters, Reassembler, RejectCause, Tpdu,
    TpduSize, Tsap,
};
use proptest::prelude::*;

fn tsap() -> impl Strategy<Value = Tsap> {
    let len = prop_oneof![4 => 1usize..=16, 1 => 1usize..=Tsap::MAX_LEN];
    len.prop_flat_map(|len| prop::collection::vec(any::<u8>(), len))
        .prop_map(|bytes| Tsap::new(bytes).unwrap())
}

fn tpdu_size() -> impl Strategy<Value = TpduSize> {
    prop::sample::select(TpduSize::ALL.to_vec())
}

/// Any parameter a CR or CC can carry, including the raw forms the parser produces.
fn connection_parameter() -> impl Strategy<Value = Parameter> {
    let typed_codes = [0xC0u8, 0xC1, 0xC2, 0xF0];
    prop_oneof![
        tpdu_size().prop_map(Parameter::TpduSize),
        tsap().prop_map(Parameter::CallingTsap),
        tsap().prop_map(Parameter::CalledTsap),
        any::<u32>().prop_map(Parameter::PreferredMaxTpduSize),
        (
            any::<u8>().prop_filter("untyped code", move |c| !typed_codes.contains(c)),
            prop::collection::vec(any::<u8>(), 0..=40)
        )
            .prop_map(|(code, value)| Parameter::Other { code, value }),
        // F0 with leading zero bytes: legal, kept raw.
        prop::collection::vec(any::<u8>(), 1..=3).prop_map(|tail| {
            let mut value = vec![0u8];
            value.extend(tail);
            Parameter::Other { code: 0xF0, value }
        }),
    ]
}

fn raw_parameter() -> impl Strategy<Value = Parameter> {
    (any::<u8>(), prop::collection::vec(any::<u8>(), 0..=60))
        .prop_map(|(code, value)| Parameter::Other { code, value })
}

fn connection_request() -> impl Strategy<Value = ConnectionRequest> {
    (
        any::<u16>(),
        any::<u16>(),
        any::<u8>(),
        prop::collection::vec(connection_parameter(), 0..6),
    )
        .prop_map(
            |(dst_ref, src_ref, class_option, parameters)| ConnectionRequest {
                dst_ref,
                src_ref,
                class_option,
                parameters,
            },
        )
}

fn connection_confirm() -> impl Strategy<Value = ConnectionConfirm> {
    connection_request().prop_map(|cr| ConnectionConfirm {
        dst_ref: cr.dst_ref,
        src_ref: cr.src_ref,
        class_option: cr.class_option,
        parameters: cr.parameters,
    })
}

fn disconnect_request() -> impl Strategy<Value = DisconnectRequest> {
    (
        any::<u16>(),
        any::<u16>(),
        any::<u8>(),
        prop::collection::vec(raw_parameter(), 0..6),
    )
        .prop_map(|(dst_ref, src_ref, reason, parameters)| DisconnectRequest {
            dst_ref,
            src_ref,
            reason: DisconnectReason::from(reason),
            parameters,
        })
}

fn error_tpdu() -> impl Strategy<Value = ErrorTpdu> {
    (
        any::<u16>(),
        any::<u8>(),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..=260)),
    )
        .prop_map(|(dst_ref, cause, invalid_tpdu)| ErrorTpdu {
            dst_ref,
            cause: RejectCause::from(cause),
            invalid_tpdu,
        })
}

/// Emits `tpdu`; when the header fits, parsing gives it back and re-emitting the same bytes;
/// when it does not, the error is HeaderTooLong and nothing was written.
fn check_identity(tpdu: &Tpdu<'_>) -> Result<(), TestCaseError> {
    let mut wire = Vec::new();
    match tpdu.emit(&mut wire) {
        Ok(()) => {
            prop_assert_eq!(wire.len(), tpdu.buffer_len());
            prop_assert!(usize::from(wire[0]) <= 254);
            prop_assert!(usize::from(wire[0]) < wire.len());
            let parsed = Tpdu::parse(&wire).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&parsed, tpdu);
            prop_assert_eq!(parsed.to_vec().unwrap(), wire);
        }
        Err(Error::HeaderTooLong { len }) => {
            prop_assert!(len > 254);
            prop_assert!(wire.is_empty());
        }
        Err(Error::InvalidParameterLength { len, .. }) => {
            prop_assert!(len > 255);
            prop_assert!(wire.is_empty());
        }
        Err(other) => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
    }
    Ok(())
}

/// Parses `bytes` with every parser; on success the value re-emits and parses back equal.
fn parse_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(tpdu) = Tpdu::parse(bytes) {
        let wire = tpdu
            .to_vec()
            .map_err(|e| TestCaseError::fail(format!("re-emit: {e}")))?;
        prop_assert_eq!(Tpdu::parse(&wire).unwrap(), tpdu);
    }
    if let Ok(dt) = Data::parse(bytes) {
        prop_assert_eq!(dt.payload, &bytes[cotp::DATA_HEADER_LEN..]);
        prop_assert_eq!(cotp::parse_data_header(bytes), Ok(dt.eot));
    }
    if let Ok(cr) = ConnectionRequest::parse(bytes) {
        prop_assert_eq!(ConnectionRequest::parse(&cr.to_vec().unwrap()).unwrap(), cr);
    }
    if let Ok(cc) = ConnectionConfirm::parse(bytes) {
        prop_assert_eq!(ConnectionConfirm::parse(&cc.to_vec().unwrap()).unwrap(), cc);
    }
    if let Ok(dr) = DisconnectRequest::parse(bytes) {
        prop_assert_eq!(DisconnectRequest::parse(&dr.to_vec().unwrap()).unwrap(), dr);
    }
    if let Ok(dc) = DisconnectConfirm::parse(bytes) {
        prop_assert_eq!(DisconnectConfirm::parse(&dc.to_bytes()).unwrap(), dc);
    }
    if let Ok(er) = ErrorTpdu::parse(bytes) {
        prop_assert_eq!(ErrorTpdu::parse(&er.to_vec().unwrap()).unwrap(), er);
    }
    if let Ok(list) = cotp::parse_parameters(bytes) {
        prop_assert!(list.len() <= bytes.len() / 2);
    }
    prop_assert!(RawParameters::new(bytes).count() <= bytes.len());
    if let Ok(data) = cotp::user_data(bytes) {
        prop_assert!(data.len() + 2 <= bytes.len() + 1);
    }
    Ok(())
}

/// Bytes that look like a TPDU header (a plausible LI and a class 0 code) before noise, so the
/// parsers get past their first checks.
fn header_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let codes = prop::sample::select(vec![0xE0u8, 0xE5, 0xD0, 0x80, 0xC0, 0xF0, 0x70, 0x60]);
    let params = prop::collection::vec(
        prop_oneof![
            Just(vec![0xC0, 0x01, 0x0A]),
            Just(vec![0xC1, 0x02, 0x01, 0x00]),
            Just(vec![0xC2, 0x00]),
            Just(vec![0xF0, 0x02, 0x00, 0x01]),
            prop::collection::vec(any::<u8>(), 0..6),
        ],
        0..5,
    );
    (
        codes,
        prop::collection::vec(any::<u8>(), 5),
        params,
        prop::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(|(code, fixed, params, tail)| {
            let mut body = vec![code];
            body.extend(fixed);
            body.extend(params.concat());
            let li = u8::try_from(body.len().min(254)).unwrap();
            let mut bytes = vec![li];
            bytes.extend(body);
            bytes.extend(tail);
            bytes
        })
}

fn max_tpdu_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => 4usize..=8192,
        1 => 4usize..=16,
        2 => prop::sample::select(TpduSize::ALL.iter().map(|s| s.bytes()).collect::<Vec<_>>()),
    ]
}

/// Feeds the DTs of `tsdu` to `reassembler` (alternating owned and borrowed payloads,
/// optionally with fast acknowledges between them) and returns what each push gave.
fn reassemble(
    tsdu: &[u8],
    max: usize,
    reassembler: &mut Reassembler,
    fast_acks: bool,
) -> Result<Vec<Result<Option<Bytes>, Error>>, TestCaseError> {
    let segments = cotp::segments(tsdu, max).unwrap();
    let count = segments.len();
    prop_assert_eq!(count, cotp::segment_count(tsdu.len(), max).unwrap());
    let mut results = Vec::with_capacity(count);
    for (index, dt) in segments.enumerate() {
        prop_assert!(dt.buffer_len() <= max);
        prop_assert_eq!(dt.eot, index + 1 == count);
        if index + 1 < count {
            prop_assert_eq!(dt.payload.len(), max - cotp::DATA_HEADER_LEN);
        }
        let mut frame = Vec::with_capacity(dt.buffer_len());
        dt.emit(&mut frame);
        let parsed = Data::parse(&frame).unwrap();
        prop_assert_eq!(parsed, dt);
        if fast_acks && !parsed.eot {
            prop_assert_eq!(reassembler.push(false, Bytes::new()), Ok(None));
        }
        let result = if index % 2 == 0 {
            reassembler.push(parsed.eot, Bytes::copy_from_slice(parsed.payload))
        } else {
            reassembler.push_slice(parsed.eot, parsed.payload)
        };
        let failed = result.is_err();
        results.push(result);
        if failed {
            break;
        }
    }
    Ok(results)
}

proptest! {
    #[test]
    fn connection_request_identity(cr in connection_request()) {
        check_identity(&Tpdu::ConnectionRequest(cr))?;
    }

    #[test]
    fn connection_confirm_identity(cc in connection_confirm()) {
        check_identity(&Tpdu::ConnectionConfirm(cc))?;
    }

    #[test]
    fn disconnect_request_identity(dr in disconnect_request()) {
        check_identity(&Tpdu::DisconnectRequest(dr))?;
    }

    #[test]
    fn disconnect_confirm_identity(dst_ref in any::<u16>(), src_ref in any::<u16>()) {
        check_identity(&Tpdu::DisconnectConfirm(DisconnectConfirm { dst_ref, src_ref }))?;
    }

    #[test]
    fn data_identity(eot in any::<bool>(), payload in prop::collection::vec(any::<u8>(), 0..600)) {
        check_identity(&Tpdu::Data(Data { eot, payload: &payload }))?;
    }

    #[test]
    fn error_tpdu_identity(er in error_tpdu()) {
        check_identity(&Tpdu::Error(er))?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        parse_everything(&bytes)?;
    }

    #[test]
    fn header_like_bytes_never_panic(bytes in header_like_bytes()) {
        parse_everything(&bytes)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn segmentation_then_reassembly_is_identity(
        tsdu in prop::collection::vec(any::<u8>(), 0..20_000),
        max in max_tpdu_len(),
        fast_acks in any::<bool>(),
    ) {
        let mut reassembler = Reassembler::new(64 * 1024);
        let results = reassemble(&tsdu, max, &mut reassembler, fast_acks)?;
        let (last, earlier) = results.split_last().unwrap();
        prop_assert!(earlier.iter().all(|r| matches!(r, Ok(None))));
        prop_assert_eq!(last.as_ref().unwrap().as_deref(), Some(&tsdu[..]));
        prop_assert!(reassembler.is_idle());
    }

    #[test]
    fn reassembly_cap_equal_to_the_tsdu_is_enough(
        tsdu in prop::collection::vec(any::<u8>(), 0..20_000),
        max in max_tpdu_len(),
    ) {
        let mut reassembler = Reassembler::new(tsdu.len());
        let results = reassemble(&tsdu, max, &mut reassembler, false)?;
        prop_assert_eq!(results.last().unwrap().as_ref().unwrap().as_deref(), Some(&tsdu[..]));
    }

    #[test]
    fn reassembly_cap_one_below_the_tsdu_overflows(
        tsdu in prop::collection::vec(any::<u8>(), 1..20_000),
        max in max_tpdu_len(),
    ) {
        let limit = tsdu.len() - 1;
        let mut reassembler = Reassembler::new(limit);
        let results = reassemble(&tsdu, max, &mut reassembler, false)?;
        let (last, earlier) = results.split_last().unwrap();
        prop_assert!(earlier.iter().all(|r| matches!(r, Ok(None))));
        prop_assert_eq!(last, &Err(Error::ReassemblyOverflow { limit, len: tsdu.len() }));
        prop_assert_eq!(results.len(), cotp::segment_count(tsdu.len(), max).unwrap());
        prop_assert!(reassembler.is_idle());
    }
}
