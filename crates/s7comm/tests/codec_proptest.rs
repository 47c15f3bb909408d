//! Property tests of the codec: every request and answer value encodes and decodes back to
//! itself, and no decoder panics on arbitrary or mutated bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::collection::vec;
use proptest::prelude::*;

use s7comm::block::directory::{BlockCount, BlockEntry, BlockRequest};
use s7comm::block::format::{BlockInfo, BlockTime, CompactHeader, Mc7Block, Trailer};
use s7comm::block::pi::PiBlockList;
use s7comm::block::{BlockId, BlockName, BlockType, TransferRequest, TransferResponse};
use s7comm::clock::S7DateTime;
use s7comm::{
    Area, Continuation, ControlResponse, DataItem, DataItemIter, DataTransportSize, ErrorCode,
    Header, ItemAddress, PlcControlRequest, PlcStopRequest, ReadVarRequest, ReadVarRequestView,
    ReadVarResponse, Request, RequestPdu, Response, ResponsePdu, ReturnCode, SetupCommunication,
    SzlList, TransportSize, UserData, UserDataItem, UserDataParams, WriteItem, WriteVarRequest,
    WriteVarRequestView, WriteVarResponse,
};

/// Function codes the codec models; unknown jobs must start with something else.
const KNOWN_FUNCTIONS: [u8; 11] = [
    0xf0, 0x04, 0x05, 0x28, 0x29, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
];

fn item_address() -> impl Strategy<Value = ItemAddress> {
    (
        any::<u8>(),
        any::<u16>(),
        any::<u16>(),
        any::<u8>(),
        0u32..=0x00ff_ffff,
    )
        .prop_map(|(ts, count, db_number, area, address)| ItemAddress {
            transport_size: TransportSize::from_u8(ts),
            count,
            db_number,
            area: Area::from_u8(area),
            address,
        })
}

/// A LEN other than the implied one that still stands for `len` data bytes: a bit count
/// that is not whole bytes, for the bit-counted transport sizes.
fn kept_bit_len(ts: DataTransportSize, len: usize, short_by: u8) -> Option<u16> {
    let bits = u16::try_from(len * 8).ok()?;
    (ts.counts_bits() && len > 0 && short_by > 0).then(|| bits - u16::from(short_by))
}

/// Keeps `fill` where decoding would keep it: after odd-length data, and between items only
/// when it is not the canonical `00`.
fn kept_fill(fill: Option<u8>, data_len: usize, last: bool) -> Option<u8> {
    fill.filter(|&b| data_len % 2 == 1 && (last || b != 0))
}

/// A read var answer item whose kept fill byte is not normalised yet (see [`items_at`]).
fn data_item() -> impl Strategy<Value = DataItem> {
    (
        (any::<u8>(), any::<u8>(), vec(any::<u8>(), 0..40)),
        (0u8..8, any::<u16>(), proptest::option::of(any::<u8>())),
    )
        .prop_map(|((rc, ts, data), (short_by, echoed, fill))| {
            let return_code = ReturnCode::from_u8(rc);
            let transport_size = DataTransportSize::from_u8(ts);
            // An item with an error return code carries no data, whatever its LEN says; the
            // LEN it echoes is kept.
            let (data, wire_len) = if s7comm::data_item::carries_data(return_code) {
                let wire_len = kept_bit_len(transport_size, data.len(), short_by);
                (data, wire_len)
            } else {
                (Vec::new(), Some(echoed).filter(|&len| len != 0))
            };
            DataItem {
                return_code,
                transport_size,
                data,
                wire_len,
                fill,
            }
        })
}

/// Items with their fill bytes kept only where decoding keeps them.
fn items_at<T>(mut items: Vec<T>, fill: impl Fn(&mut T, bool)) -> Vec<T> {
    let last = items.len().saturating_sub(1);
    for (i, item) in items.iter_mut().enumerate() {
        fill(item, i == last);
    }
    items
}

fn data_items(max: usize) -> impl Strategy<Value = Vec<DataItem>> {
    vec(data_item(), 0..max).prop_map(|items| {
        items_at(items, |item, last| {
            item.fill = kept_fill(item.fill, item.data.len(), last);
        })
    })
}

fn write_item() -> impl Strategy<Value = WriteItem> {
    (
        (item_address(), any::<u8>(), vec(any::<u8>(), 0..40)),
        (any::<u8>(), 0u8..8, proptest::option::of(any::<u8>())),
    )
        .prop_map(|((address, ts, data), (reserved, short_by, fill))| {
            let transport_size = DataTransportSize::from_u8(ts);
            WriteItem {
                wire_len: kept_bit_len(transport_size, data.len(), short_by),
                reserved,
                fill,
                ..WriteItem::with_transport_size(address, transport_size, data)
            }
        })
}

fn write_items(max: usize) -> impl Strategy<Value = Vec<WriteItem>> {
    vec(write_item(), 0..max).prop_map(|items| {
        items_at(items, |item, last| {
            item.fill = kept_fill(item.fill, item.data.len(), last);
        })
    })
}

fn userdata() -> impl Strategy<Value = UserData> {
    (
        (
            any::<u8>(),
            any::<u8>(),
            0u8..16,
            0u8..16,
            any::<u8>(),
            any::<u8>(),
        ),
        proptest::option::of((any::<u8>(), any::<bool>(), any::<u16>())),
        (any::<u8>(), any::<u8>(), vec(any::<u8>(), 0..60), 0u8..8),
    )
        .prop_map(
            |(
                (reserved, method, kind, group, subfunction, sequence),
                cont,
                (rc, ts, data, short_by),
            )| {
                let transport_size = DataTransportSize::from_u8(ts);
                UserData {
                    params: UserDataParams {
                        reserved,
                        method,
                        kind,
                        group,
                        subfunction,
                        sequence,
                        continuation: cont.map(|(data_unit_ref, more, error)| Continuation {
                            data_unit_ref,
                            more,
                            error: ErrorCode(error),
                        }),
                    },
                    item: UserDataItem {
                        return_code: ReturnCode::from_u8(rc),
                        transport_size,
                        wire_len: kept_bit_len(transport_size, data.len(), short_by),
                        data,
                    },
                }
            },
        )
}

fn unknown_params() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..30).prop_filter("not a modelled function", |p| {
        p.first().is_none_or(|f| !KNOWN_FUNCTIONS.contains(f))
    })
}

fn setup() -> impl Strategy<Value = SetupCommunication> {
    (any::<u16>(), any::<u16>(), any::<u16>(), any::<u8>()).prop_map(|(a, b, pdu, reserved)| {
        SetupCommunication {
            max_amq_calling: a,
            max_amq_called: b,
            pdu_length: pdu,
            reserved,
        }
    })
}

fn transfer_request() -> impl Strategy<Value = TransferRequest> {
    (
        0x1au8..=0x1f,
        any::<u8>(),
        any::<u16>(),
        any::<u32>(),
        proptest::option::of((
            vec(any::<u8>(), 0..12),
            proptest::option::of(vec(any::<u8>(), 0..14)),
        )),
    )
        .prop_map(|(function, status, unknown, id, strings)| {
            let (file, lengths) = strings.map_or((None, None), |(f, l)| (Some(f), l));
            TransferRequest {
                function,
                status,
                unknown,
                id,
                file,
                lengths,
            }
        })
}

fn transfer_response() -> impl Strategy<Value = TransferResponse> {
    prop_oneof![
        (
            any::<u8>(),
            any::<u16>(),
            any::<u32>(),
            vec(any::<u8>(), 0..10)
        )
            .prop_map(
                |(status, unknown, id, length)| TransferResponse::StartUpload {
                    status,
                    unknown,
                    id,
                    length
                }
            ),
        (
            prop_oneof![Just(0x1eu8), Just(0x1b)],
            any::<bool>(),
            any::<u16>(),
            vec(any::<u8>(), 0..40)
        )
            .prop_map(|(function, more, marker, payload)| TransferResponse::Part {
                function,
                more,
                marker,
                payload
            }),
        prop_oneof![Just(0x1au8), Just(0x1c), Just(0x1f)]
            .prop_map(|function| TransferResponse::Done { function }),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        setup().prop_map(Request::SetupCommunication),
        (vec(item_address(), 0..25), any::<bool>()).prop_map(|(items, bare)| {
            // Only a request without items can lack its item count.
            let without_count = bare && items.is_empty();
            Request::ReadVar(ReadVarRequest {
                items,
                without_count,
            })
        }),
        write_items(8).prop_map(|items| Request::WriteVar(WriteVarRequest { items })),
        (vec(any::<u8>(), 0..20), any::<[u8; 5]>())
            .prop_map(|(service, reserved)| Request::PlcStop(PlcStopRequest { service, reserved })),
        (
            vec(any::<u8>(), 0..12),
            vec(any::<u8>(), 0..20),
            any::<[u8; 7]>()
        )
            .prop_map(|(argument, service, reserved)| {
                Request::PlcControl(PlcControlRequest {
                    argument,
                    service,
                    reserved,
                })
            }),
        userdata().prop_map(Request::UserData),
        transfer_request().prop_map(Request::Transfer),
        (unknown_params(), vec(any::<u8>(), 0..20))
            .prop_map(|(params, data)| Request::Unknown { params, data }),
    ]
}

fn response() -> impl Strategy<Value = (ErrorCode, Response)> {
    let error = any::<u16>().prop_map(ErrorCode);
    prop_oneof![
        error.clone().prop_map(|e| (e, Response::Ack)),
        error.clone().prop_map(|e| (e, Response::EmptyAckData)),
        (error.clone(), setup()).prop_map(|(e, s)| (e, Response::SetupCommunication(s))),
        (error.clone(), data_items(12))
            .prop_map(|(e, items)| (e, Response::ReadVar(ReadVarResponse { items }))),
        (error.clone(), vec(any::<u8>(), 0..30)).prop_map(|(e, codes)| {
            let return_codes = codes.into_iter().map(ReturnCode::from_u8).collect();
            (e, Response::WriteVar(WriteVarResponse { return_codes }))
        }),
        (
            error.clone(),
            prop_oneof![Just(0x28u8), Just(0x29u8)],
            proptest::option::of(any::<u8>())
        )
            .prop_map(|(e, function, parameter)| {
                (
                    e,
                    Response::Control(ControlResponse {
                        function,
                        parameter,
                    }),
                )
            }),
        userdata().prop_map(|u| (ErrorCode::NONE, Response::UserData(u))),
        (error.clone(), transfer_response()).prop_map(|(e, t)| (e, Response::Transfer(t))),
        (
            error,
            unknown_params().prop_filter("not empty", |p| !p.is_empty()),
            vec(any::<u8>(), 0..20)
        )
            .prop_map(|(e, params, data)| (e, Response::Unknown { params, data })),
    ]
}

/// Valid request and answer encodings with some bytes overwritten.
fn mutated_frame() -> impl Strategy<Value = Vec<u8>> {
    let requests = (any::<u16>(), request())
        .prop_map(|(pdu_ref, request)| RequestPdu::new(pdu_ref, request).to_bytes().unwrap());
    let responses = (any::<u16>(), response()).prop_map(|(pdu_ref, (error, response))| {
        ResponsePdu::new(pdu_ref, error, response)
            .to_bytes()
            .unwrap()
    });
    (
        prop_oneof![requests, responses],
        vec((any::<usize>(), any::<u8>()), 0..4),
    )
        .prop_map(|(mut frame, edits)| {
            for (at, value) in edits {
                if !frame.is_empty() {
                    let i = at % frame.len();
                    frame[i] = value;
                }
            }
            frame
        })
}

/// Runs every decoder on `bytes`, whole and as sections; a whole PDU that decodes encodes
/// back to exactly `bytes`.
fn decode_everything(bytes: &[u8]) {
    if let Ok(pdu) = RequestPdu::parse(bytes) {
        assert_eq!(pdu.to_bytes().unwrap(), bytes, "{pdu:?}");
    }
    if let Ok(pdu) = ResponsePdu::parse(bytes) {
        assert_eq!(pdu.to_bytes().unwrap(), bytes, "{pdu:?}");
    }
    let _ = Header::parse(bytes);
    if let Ok((_, params, data)) = Header::split(bytes) {
        let _ = UserData::parse(params, data).map(|u| u.service());
        let _ = ReadVarResponse::parse(params, data);
        let _ = WriteVarResponse::parse(params, data);
        if let Ok(view) = WriteVarRequestView::new(params, data) {
            assert_eq!(view.items().count(), usize::from(view.count()));
        }
    }
    if let Ok(view) = ReadVarRequestView::new(bytes) {
        assert_eq!(view.items().count(), usize::from(view.count()));
    }
    let _ = ItemAddress::parse(bytes);
    let _ = S7DateTime::parse_clock_data(bytes);
    let _ = SzlList::parse(bytes).map(|l| l.records().count());
    let _ = DataItemIter::new(bytes, 300).count();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn requests_round_trip(pdu_ref in any::<u16>(), request in request(), reserved in any::<u16>()) {
        let pdu = RequestPdu { reserved, ..RequestPdu::new(pdu_ref, request) };
        let bytes = pdu.to_bytes().unwrap();
        prop_assert_eq!(bytes.len(), pdu.buffer_len());
        prop_assert_eq!(RequestPdu::parse(&bytes).unwrap(), pdu);
    }

    #[test]
    fn responses_round_trip(
        pdu_ref in any::<u16>(),
        (error, response) in response(),
        reserved in any::<u16>(),
    ) {
        let pdu = ResponsePdu { reserved, ..ResponsePdu::new(pdu_ref, error, response) };
        let bytes = pdu.to_bytes().unwrap();
        prop_assert_eq!(bytes.len(), pdu.buffer_len());
        prop_assert_eq!(ResponsePdu::parse(&bytes).unwrap(), pdu);
    }

    #[test]
    fn item_addresses_round_trip(item in item_address()) {
        let mut bytes = Vec::new();
        item.emit(&mut bytes).unwrap();
        prop_assert_eq!(bytes.len(), ItemAddress::LEN);
        prop_assert_eq!(ItemAddress::parse(&bytes).unwrap(), item);
    }

    #[test]
    fn clock_values_round_trip(millis in 631_152_000_000i64..3_786_912_000_000) {
        let time = S7DateTime::from_unix_millis(millis).unwrap();
        prop_assert_eq!(time.to_unix_millis(), Some(millis));
        let mut bytes = Vec::new();
        time.emit_clock_data(&mut bytes).unwrap();
        prop_assert_eq!(S7DateTime::parse_clock_data(&bytes).unwrap(), time);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in vec(any::<u8>(), 0..300)) {
        decode_everything(&bytes);
    }

    #[test]
    fn decoders_never_panic_on_mutated_frames(frame in mutated_frame()) {
        decode_everything(&frame);
        if frame.len() > 12 {
            decode_everything(&frame[10..]);
            decode_everything(&frame[12..]);
        }
    }

    #[test]
    fn s7_header_frames_with_any_lengths_never_panic(
        rosctr in prop_oneof![Just(1u8), Just(2), Just(3), Just(7)],
        param_len in any::<u16>(),
        data_len in any::<u16>(),
        body in vec(any::<u8>(), 0..120),
    ) {
        let mut frame = vec![0x32, rosctr, 0, 0, 0, 1];
        frame.extend_from_slice(&param_len.to_be_bytes());
        frame.extend_from_slice(&data_len.to_be_bytes());
        frame.extend_from_slice(&body);
        decode_everything(&frame);
    }
}

fn block_type() -> impl Strategy<Value = BlockType> {
    (0usize..7).prop_map(|i| BlockType::ALL[i])
}

fn block_id() -> impl Strategy<Value = BlockId> {
    (block_type(), 0u32..=99_999, any::<u8>()).prop_map(|(block_type, number, file_system)| {
        BlockId {
            block_type,
            number,
            file_system,
        }
    })
}

fn compact_header() -> impl Strategy<Value = CompactHeader> {
    (
        (
            any::<u16>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
        ),
        (any::<u16>(), any::<u32>(), any::<u32>()),
        (any::<u32>(), any::<u16>(), any::<u32>(), any::<u16>()),
        (any::<u16>(), any::<u16>(), any::<u16>(), any::<u16>()),
    )
        .prop_map(
            |(
                (magic, format, flags, language, sub_block),
                (number, load_len, security),
                (code_ms, code_days, intf_ms, intf_days),
                (sbb_len, add_len, local_data, mc7_len),
            )| CompactHeader {
                magic,
                format,
                flags,
                language,
                sub_block,
                number,
                load_len,
                security,
                code_time: BlockTime {
                    millis: code_ms,
                    days: code_days,
                },
                interface_time: BlockTime {
                    millis: intf_ms,
                    days: intf_days,
                },
                sbb_len,
                add_len,
                local_data,
                mc7_len,
            },
        )
}

fn trailer() -> impl Strategy<Value = Trailer> {
    (
        any::<[u8; 8]>(),
        any::<[u8; 8]>(),
        any::<[u8; 8]>(),
        any::<u8>(),
        any::<u8>(),
        any::<u16>(),
        any::<[u8; 8]>(),
    )
        .prop_map(
            |(author, family, name, version, reserved1, checksum, reserved2)| Trailer {
                author,
                family,
                name,
                version,
                reserved1,
                checksum,
                reserved2,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn block_ids_round_trip(id in block_id()) {
        let mut bytes = Vec::new();
        id.emit(&mut bytes).unwrap();
        prop_assert_eq!(bytes.len(), BlockId::LEN);
        prop_assert_eq!(BlockId::parse(&bytes).unwrap(), id);
    }

    #[test]
    fn block_requests_round_trip(id in block_id(), t in block_type(), sequence in 1u8..) {
        for request in [
            BlockRequest::ListAll,
            BlockRequest::ListOfType(t),
            BlockRequest::ListFollowUp { sequence },
            BlockRequest::Info(id),
        ] {
            let ud = request.to_userdata().unwrap();
            prop_assert_eq!(BlockRequest::parse(&ud).unwrap().unwrap(), request);
        }
    }

    #[test]
    fn block_info_and_images_round_trip(
        header in compact_header(),
        trailer in trailer(),
        letter in any::<u8>(),
        body in vec(any::<u8>(), 0..64),
        interface in vec(any::<u8>(), 0..24),
    ) {
        let info = BlockInfo::new(letter, header, trailer);
        let mut bytes = Vec::new();
        info.emit(&mut bytes);
        prop_assert_eq!(BlockInfo::parse(&bytes).unwrap(), info);

        let len = 72 + body.len() + interface.len();
        let header = CompactHeader {
            load_len: u32::try_from(len).unwrap(),
            mc7_len: u16::try_from(body.len()).unwrap(),
            ..header
        };
        let block = Mc7Block { header, body: &body, interface: &interface, trailer };
        let mut bytes = Vec::new();
        block.emit(&mut bytes);
        prop_assert_eq!(bytes.len(), len);
        prop_assert_eq!(Mc7Block::parse(&bytes).unwrap(), block);
    }

    #[test]
    fn block_decoders_never_panic(bytes in vec(any::<u8>(), 0..120)) {
        let _ = BlockInfo::parse(&bytes);
        let _ = Mc7Block::parse(&bytes);
        let _ = BlockId::parse(&bytes);
        let _ = BlockName::parse(&bytes);
        let _ = PiBlockList::parse(&bytes);
        let _ = s7comm::block::pi::parse_compact_delete(&bytes);
        let _ = BlockCount::parse_all(&bytes);
        let _ = BlockEntry::parse_all(&bytes);
        let _ = TransferRequest::parse(&bytes);
        let (params, data) = bytes.split_at(bytes.len() / 2);
        let _ = TransferResponse::parse(params, data);
    }
}
