//! Property tests of the handler: no input panics it, every answer decodes, echoes the PDU
//! reference and fits the negotiated PDU; bytes that are not S7comm produce an error and no
//! answer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::collection::vec;
use proptest::prelude::*;

use s7_mock::plc::{FailItem, ItemOperation, NoHooks};
use s7_mock::{Plc, Session};
use s7comm::ReturnCode;
use s7comm::{
    Area, ItemAddress, PlcControlRequest, PlcStopRequest, ReadVarRequest, Request, RequestPdu,
    ResponsePdu, SetupCommunication, TransportSize, UserData, WriteItem, WriteVarRequest,
};

fn plc() -> Plc {
    Plc::builder()
        .max_pdu_size(960)
        .data_block(1, 300)
        .data_block(7, 3)
        .inputs(64)
        .outputs(64)
        .flags(512)
        .timers(16)
        .counters(16)
        .build()
        .unwrap()
}

/// Addresses near the configured regions, so that many succeed and many fail.
fn item() -> impl Strategy<Value = ItemAddress> {
    let area = prop_oneof![
        Just(Area::Inputs),
        Just(Area::Outputs),
        Just(Area::Flags),
        Just(Area::DataBlock),
        Just(Area::Timers),
        Just(Area::Counters),
        any::<u8>().prop_map(Area::from_u8),
    ];
    let ts = prop_oneof![
        (1u8..=8).prop_map(TransportSize::from_u8),
        Just(TransportSize::Timer),
        Just(TransportSize::Counter),
        any::<u8>().prop_map(TransportSize::from_u8),
    ];
    (
        area,
        ts,
        0u16..300,
        prop_oneof![Just(1u16), Just(7u16), 0u16..10],
        0u32..4200,
    )
        .prop_map(
            |(area, transport_size, count, db_number, address)| ItemAddress {
                transport_size,
                count,
                db_number,
                area,
                address,
            },
        )
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        (any::<u16>(), any::<u16>(), any::<u16>()).prop_map(|(a, b, pdu_length)| {
            Request::SetupCommunication(SetupCommunication {
                max_amq_calling: a,
                max_amq_called: b,
                pdu_length,
                ..Default::default()
            })
        }),
        vec(item(), 0..30).prop_map(|items| Request::ReadVar(ReadVarRequest::new(items))),
        vec((item(), vec(any::<u8>(), 0..12)), 0..12).prop_map(|items| {
            Request::WriteVar(WriteVarRequest {
                items: items
                    .into_iter()
                    .map(|(a, d)| WriteItem::new(a, d))
                    .collect(),
            })
        }),
        Just(Request::PlcStop(PlcStopRequest::default())),
        Just(Request::PlcControl(PlcControlRequest::hot_start())),
        (any::<u16>(), any::<u16>())
            .prop_map(|(id, index)| Request::UserData(UserData::read_szl(id, index))),
        prop_oneof![Just(0x0011u16), Just(0x001c), Just(0x0000), Just(0x0424)]
            .prop_map(|id| Request::UserData(UserData::read_szl(id, 0))),
        any::<u8>().prop_map(|s| Request::UserData(UserData::szl_follow_up(s))),
        Just(Request::UserData(UserData::read_clock())),
        (any::<u8>(), vec(any::<u8>(), 0..20)).prop_map(|(f, rest)| Request::Unknown {
            params: [vec![f], rest].concat(),
            data: vec![]
        }),
    ]
}

/// Handles `bytes` and checks the answer contract.
fn check(plc: &Plc, session: &mut Session, bytes: &[u8], out: &mut Vec<u8>) {
    let result = plc.handle(session, bytes, out, &mut NoHooks);
    match result {
        Ok(handled) => {
            assert!(
                out.len() <= usize::from(session.pdu_size()),
                "answer of {} bytes exceeds pdu {}",
                out.len(),
                session.pdu_size()
            );
            let answer = ResponsePdu::parse(out).expect("answer decodes");
            assert_eq!(answer.pdu_ref, handled.pdu_ref);
        }
        Err(_) => assert!(out.is_empty()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..1100)) {
        let plc = plc();
        let mut session = plc.session();
        let mut out = Vec::new();
        check(&plc, &mut session, &bytes, &mut out);
    }

    #[test]
    fn arbitrary_bodies_behind_a_valid_header_never_panic(
        rosctr in prop_oneof![Just(1u8), Just(7u8)],
        param_len in 0usize..200,
        body in vec(any::<u8>(), 0..400),
    ) {
        let param_len = param_len.min(body.len());
        let data_len = body.len() - param_len;
        let mut frame = vec![0x32, rosctr, 0, 0, 0x12, 0x34];
        frame.extend_from_slice(&u16::try_from(param_len).unwrap().to_be_bytes());
        frame.extend_from_slice(&u16::try_from(data_len).unwrap().to_be_bytes());
        frame.extend_from_slice(&body);
        let plc = plc();
        let mut session = plc.session();
        let mut out = Vec::new();
        check(&plc, &mut session, &frame, &mut out);
        prop_assert!(!out.is_empty(), "a well-framed job or userdata is always answered");
    }

    #[test]
    fn request_sequences_keep_every_answer_within_the_pdu(
        requests in vec((any::<u16>(), request()), 1..25),
    ) {
        let plc = plc();
        let mut session = plc.session();
        let mut out = Vec::with_capacity(960);
        for (pdu_ref, request) in requests {
            let Ok(bytes) = (RequestPdu::new(pdu_ref, request)).to_bytes() else { continue };
            check(&plc, &mut session, &bytes, &mut out);
            prop_assert!(!out.is_empty());
        }
    }

    #[test]
    fn hooks_only_change_the_chosen_item(
        items in vec(item(), 1..10),
        index in 0usize..10,
        code in prop_oneof![Just(0x01u8), Just(0x03), Just(0x05), Just(0x0a), Just(0x42)],
    ) {
        let plc = plc();
        let request = RequestPdu::new(1, Request::ReadVar(ReadVarRequest::new(items)))
            .to_bytes()
            .unwrap();
        let mut plain = Vec::new();
        let mut faulty = Vec::new();
        plc.handle(&mut plc.session(), &request, &mut plain, &mut NoHooks).unwrap();
        let mut hook = FailItem {
            index,
            return_code: ReturnCode::from_u8(code),
            operation: Some(ItemOperation::Read),
        };
        plc.handle(&mut plc.session(), &request, &mut faulty, &mut hook).unwrap();
        let plain = ResponsePdu::parse(&plain).unwrap();
        let faulty = ResponsePdu::parse(&faulty).unwrap();
        let (s7comm::Response::ReadVar(plain), s7comm::Response::ReadVar(faulty)) =
            (plain.response, faulty.response)
        else {
            // Refused as a whole: the answer would not fit the pdu.
            return Ok(());
        };
        for (i, (p, f)) in plain.items.iter().zip(&faulty.items).enumerate() {
            if i == index {
                prop_assert_eq!(f.return_code, ReturnCode::from_u8(code));
                prop_assert!(f.data.is_empty());
            } else {
                prop_assert_eq!(p, f);
            }
        }
    }
}
