//! Codec tests on literal frames: requests exactly as python-snap7 3.3.0's client builds
//! them, answers as S7 CPUs send them (from public traces) and as the S7comm layout
//! prescribes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use s7comm::clock::S7DateTime;
use s7comm::Error;
use s7comm::{
    Area, ControlResponse, DataItem, DataTransportSize, ErrorCode, Header, ItemAddress,
    MessageType, PlcControlRequest, PlcStopRequest, ReadVarRequest, ReadVarRequestView,
    ReadVarResponse, Request, RequestPdu, Response, ResponsePdu, ReturnCode, SetupCommunication,
    SzlList, TransportSize, UserData, UserDataService, WriteItem, WriteVarRequest,
    WriteVarResponse,
};
use s7comm::{Continuation, UserDataItem};

fn h(hex: &str) -> Vec<u8> {
    let hex: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn request(hex: &str) -> RequestPdu {
    let bytes = h(hex);
    let pdu = RequestPdu::parse(&bytes).unwrap();
    assert_eq!(pdu.to_bytes().unwrap(), bytes, "re-encoding {hex}");
    assert_eq!(pdu.buffer_len(), bytes.len());
    pdu
}

fn response(hex: &str) -> ResponsePdu {
    let bytes = h(hex);
    let pdu = ResponsePdu::parse(&bytes).unwrap();
    assert_eq!(pdu.to_bytes().unwrap(), bytes, "re-encoding {hex}");
    assert_eq!(pdu.buffer_len(), bytes.len());
    pdu
}

fn read_items(pdu: &RequestPdu) -> &[ItemAddress] {
    match &pdu.request {
        Request::ReadVar(r) => &r.items,
        other => panic!("not a read var: {other:?}"),
    }
}

// ---------------------------------------------------------------------------- header

#[test]
fn header_of_a_job_is_ten_bytes() {
    let bytes = h("32 01 0000 1234 000e 0000");
    let header = Header::parse(&bytes).unwrap();
    assert_eq!(header.message_type, MessageType::Job);
    assert_eq!(header.pdu_ref, 0x1234);
    assert_eq!(header.param_len, 14);
    assert_eq!(header.data_len, 0);
    assert_eq!(header.error, ErrorCode::NONE);
    assert_eq!(header.buffer_len(), 10);
    let mut out = Vec::new();
    header.emit(&mut out);
    assert_eq!(out, bytes);
}

#[test]
fn header_of_an_ack_carries_error_class_and_code() {
    let bytes = h("32 02 0000 0007 0000 0000 85 00");
    let header = Header::parse(&bytes).unwrap();
    assert_eq!(header.message_type, MessageType::Ack);
    assert_eq!(header.error, ErrorCode::PDU_SIZE);
    assert_eq!(header.error.class(), 0x85);
    assert_eq!(header.error.code(), 0x00);
    assert_eq!(header.buffer_len(), 12);
    let mut out = Vec::new();
    header.emit(&mut out);
    assert_eq!(out, bytes);
    assert_eq!(ErrorCode::new(0x81, 0x04), ErrorCode::NOT_IMPLEMENTED);
}

#[test]
fn header_rejects_other_protocols_and_types() {
    assert_eq!(
        Header::parse(&h("33 01 0000 0001 0000 0000")),
        Err(Error::ProtocolId(0x33))
    );
    assert_eq!(
        Header::parse(&h("32 05 0000 0001 0000 0000")),
        Err(Error::MessageType(0x05))
    );
    assert!(matches!(
        Header::parse(&h("32 03 0000 0001 0000 0000 00")),
        Err(Error::Truncated {
            needed: 12,
            available: 11,
            ..
        })
    ));
}

#[test]
fn split_requires_lengths_to_match_the_pdu() {
    let ok = h("32 01 0000 0001 0002 0001 0a0b 0c");
    let (_, params, data) = Header::split(&ok).unwrap();
    assert_eq!(params, &[0x0a, 0x0b]);
    assert_eq!(data, &[0x0c]);
    assert_eq!(
        Header::split(&h("32 01 0000 0001 0002 0001 0a0b")),
        Err(Error::LengthMismatch {
            declared: 3,
            actual: 2
        })
    );
    assert_eq!(
        Header::split(&h("32 01 0000 0001 0000 0000 ff")),
        Err(Error::LengthMismatch {
            declared: 0,
            actual: 1
        })
    );
    // Lengths near u16::MAX must not overflow.
    assert!(Header::split(&h("32 01 0000 0001 ffff ffff 00")).is_err());
}

// ---------------------------------------------------------------------------- setup

#[test]
fn setup_communication_request_from_python_snap7() {
    let pdu = request("32010000001600080000f0000001000101e0");
    assert_eq!(pdu.pdu_ref, 0x16);
    assert_eq!(
        pdu.request,
        Request::SetupCommunication(SetupCommunication {
            max_amq_calling: 1,
            max_amq_called: 1,
            pdu_length: 480,
            ..Default::default()
        })
    );
}

#[test]
fn setup_communication_answer_of_an_s7_1200() {
    // An S7-1212C granting 240 bytes to a request for 480 (public trace).
    let pdu = response("32 03 0000 0400 0008 0000 0000 f0 00 0001 0001 00f0");
    assert_eq!(pdu.error, ErrorCode::NONE);
    assert_eq!(
        pdu.response,
        Response::SetupCommunication(SetupCommunication {
            max_amq_calling: 1,
            max_amq_called: 1,
            pdu_length: 240,
            ..Default::default()
        })
    );
}

// ---------------------------------------------------------------------------- read var

#[test]
fn read_var_request_db_bytes_from_python_snap7() {
    let pdu = request("320100000001000e00000401120a10020004000184000000");
    assert_eq!(
        read_items(&pdu),
        &[ItemAddress {
            transport_size: TransportSize::Byte,
            count: 4,
            db_number: 1,
            area: Area::DataBlock,
            address: 0,
        }]
    );
    assert_eq!(
        read_items(&pdu)[0],
        ItemAddress::bytes(Area::DataBlock, 1, 0, 4)
    );
}

#[test]
fn read_var_request_bit_address_is_byte_times_eight_plus_bit() {
    // M3.2 as python-snap7 encodes it: address 0x1a = 3 * 8 + 2.
    let pdu = request("320100000002000e00000401120a1001000100008300001a");
    let item = read_items(&pdu)[0];
    assert_eq!(item, ItemAddress::bit(Area::Flags, 0, 3, 2));
    assert_eq!(item.byte_offset(), 3);
    assert_eq!(item.bit_offset(), 2);
}

#[test]
fn read_var_request_timers_and_counters_are_addressed_by_index() {
    let tm = request("320100000003000e00000401120a101d000300001d000005");
    assert_eq!(read_items(&tm)[0], ItemAddress::timers(5, 3));
    assert_eq!(read_items(&tm)[0].address, 5);
    let ct = request("320100000004000e00000401120a101c000200001c00000a");
    assert_eq!(read_items(&ct)[0], ItemAddress::counters(10, 2));
}

#[test]
fn read_var_request_inputs_words_and_outputs_reals() {
    let pe = request("320100000005000e00000401120a10040002000081000020");
    assert_eq!(
        read_items(&pe)[0],
        ItemAddress::new(Area::Inputs, 0, 4, TransportSize::Word, 2)
    );
    let pa = request("320100000006000e00000401120a10080001000082000040");
    assert_eq!(
        read_items(&pa)[0],
        ItemAddress::new(Area::Outputs, 0, 8, TransportSize::Real, 1)
    );
}

#[test]
fn read_var_request_with_three_items_from_python_snap7() {
    let pdu = request(
        "32010000000d002600000403120a10020004000284000320120a10020003000083000000120a10020003000184009c40",
    );
    assert_eq!(
        read_items(&pdu),
        &[
            ItemAddress::bytes(Area::DataBlock, 2, 100, 4),
            ItemAddress::bytes(Area::Flags, 0, 0, 3),
            ItemAddress::bytes(Area::DataBlock, 1, 5000, 3),
        ]
    );
}

#[test]
fn read_var_view_iterates_in_place_and_checks_the_items() {
    let params = h("0402 120a10020004000184000000 120a1001000100008300001a");
    let view = ReadVarRequestView::new(&params).unwrap();
    assert_eq!(view.count(), 2);
    let items: Vec<_> = view.items().collect();
    assert_eq!(items[1], ItemAddress::bit(Area::Flags, 0, 3, 2));
    assert_eq!(view.to_owned_request(), ReadVarRequest::new(items));

    // Count says 2, one item present.
    assert!(matches!(
        ReadVarRequestView::new(&h("0402 120a10020004000184000000")),
        Err(Error::Truncated {
            needed: 24,
            available: 12,
            ..
        })
    ));
    // A stray byte after the items.
    assert!(matches!(
        ReadVarRequestView::new(&h("0401 120a10020004000184000000 00")),
        Err(Error::TrailingBytes { trailing: 1, .. })
    ));
    // Syntax id other than S7ANY.
    assert!(matches!(
        ReadVarRequestView::new(&h("0401 120ab0020004000184000000")),
        Err(Error::InvalidValue {
            what: "item syntax id",
            value: 0xb0
        })
    ));
    // python-snap7 3.3.0's get_cpu_state probe: the function code alone.
    assert_eq!(ReadVarRequestView::new(&h("04")).unwrap().count(), 0);
}

#[test]
fn read_var_answers_of_a_cpu_for_missing_db_and_out_of_range() {
    // Public traces: DB not there, and reading past its end.
    for (hex, code) in [
        (
            "32 03 0000 0000 0002 0004 0000 04 01 0a 00 0000",
            ReturnCode::ObjectDoesNotExist,
        ),
        (
            "32 03 0000 0000 0002 0004 0000 04 01 05 00 0000",
            ReturnCode::AddressOutOfRange,
        ),
    ] {
        let pdu = response(hex);
        assert_eq!(
            pdu.response,
            Response::ReadVar(ReadVarResponse {
                items: vec![DataItem::error(code)]
            })
        );
    }
}

#[test]
fn read_var_answer_pads_odd_items_except_the_last() {
    let answer = ResponsePdu::new(
        9,
        ErrorCode::NONE,
        Response::ReadVar(ReadVarResponse {
            items: vec![
                DataItem::success(DataTransportSize::Byte, b"xyz".to_vec()),
                DataItem::error(ReturnCode::ObjectDoesNotExist),
                DataItem::success(DataTransportSize::Byte, b"mk".to_vec()),
                DataItem::success(DataTransportSize::Byte, b"abc".to_vec()),
            ],
        }),
    );
    let expected = h("32 03 0000 0009 0002 0019 0000 04 04
                      ff 04 0018 78797a 00
                      0a 00 0000
                      ff 04 0010 6d6b
                      ff 04 0018 616263");
    assert_eq!(answer.to_bytes().unwrap(), expected);
    assert_eq!(ResponsePdu::parse(&expected).unwrap(), answer);
}

#[test]
fn data_item_len_counts_bits_or_bytes_by_transport_size() {
    // TS 04 and 05 count bits; 03, 06, 07 and 09 count bytes.
    let pdu = response(
        "32 03 0000 0001 0002 002a 0000 04 06
         ff 04 0010 1234
         ff 05 0010 fb2e
         ff 03 0001 01 00
         ff 07 0004 40600000
         ff 09 0004 00110022
         ff 06 0004 075bcd15",
    );
    let Response::ReadVar(read) = pdu.response else {
        panic!()
    };
    let lens: Vec<(DataTransportSize, usize)> = read
        .items
        .iter()
        .map(|i| (i.transport_size, i.data.len()))
        .collect();
    assert_eq!(
        lens,
        [
            (DataTransportSize::Byte, 2),
            (DataTransportSize::Int, 2),
            (DataTransportSize::Bit, 1),
            (DataTransportSize::Real, 4),
            (DataTransportSize::OctetString, 4),
            (DataTransportSize::DInt, 4),
        ]
    );
    assert_eq!(DataTransportSize::Byte.wire_len(3).unwrap(), 24);
    assert_eq!(DataTransportSize::Real.wire_len(4).unwrap(), 4);
    assert_eq!(
        DataTransportSize::Byte.byte_len(9),
        2,
        "bit counts round up"
    );
    assert!(DataTransportSize::Byte.wire_len(8192).is_err());
}

#[test]
fn transport_sizes_map_to_the_data_transport_size_a_cpu_answers_with() {
    use DataTransportSize as D;
    use TransportSize as T;
    let table = [
        (T::Bit, 1, D::Bit),
        (T::Byte, 1, D::Byte),
        (T::Char, 1, D::OctetString),
        (T::Word, 2, D::Byte),
        (T::Int, 2, D::Int),
        (T::DWord, 4, D::Byte),
        (T::DInt, 4, D::Int),
        (T::Real, 4, D::Real),
        (T::Counter, 2, D::OctetString),
        (T::Timer, 2, D::OctetString),
    ];
    for (ts, len, data_ts) in table {
        assert_eq!(ts.element_len(), Some(len), "{ts:?}");
        assert_eq!(ts.data_transport_size(), Some(data_ts), "{ts:?}");
        assert_eq!(TransportSize::from_u8(ts.to_u8()), ts);
    }
    assert_eq!(T::from_u8(0x1e), T::Other(0x1e));
    assert_eq!(T::Other(0x1e).element_len(), None);
    for area in [0x81, 0x82, 0x83, 0x84, 0x1c, 0x1d, 0x80] {
        assert_eq!(Area::from_u8(area).to_u8(), area);
    }
    assert_eq!(Area::from_u8(0x80), Area::Other(0x80));
}

#[test]
fn return_codes_round_trip_and_keep_unknown_values() {
    let known = [
        (0x00, ReturnCode::Reserved),
        (0x01, ReturnCode::HardwareFault),
        (0x03, ReturnCode::AccessDenied),
        (0x05, ReturnCode::AddressOutOfRange),
        (0x06, ReturnCode::TransportSizeNotSupported),
        (0x07, ReturnCode::DataSizeMismatch),
        (0x0a, ReturnCode::ObjectDoesNotExist),
        (0xff, ReturnCode::Success),
    ];
    for (byte, code) in known {
        assert_eq!(ReturnCode::from_u8(byte), code);
        assert_eq!(code.to_u8(), byte);
    }
    assert_eq!(ReturnCode::from_u8(0x12), ReturnCode::Other(0x12));
    assert_eq!(ReturnCode::Other(0x12).to_u8(), 0x12);
}

// ---------------------------------------------------------------------------- write var

fn write_items(pdu: &RequestPdu) -> &[WriteItem] {
    match &pdu.request {
        Request::WriteVar(w) => &w.items,
        other => panic!("not a write var: {other:?}"),
    }
}

#[test]
fn write_var_requests_from_python_snap7() {
    let byte = request("320100000007000e00050501120a100200010002840000a000040008a5");
    assert_eq!(
        write_items(&byte),
        &[WriteItem::new(
            ItemAddress::bytes(Area::DataBlock, 2, 20, 1),
            vec![0xa5]
        )]
    );
    let bit = request("320100000008000e00050501120a1001000100008300001a0003000101");
    assert_eq!(
        write_items(&bit),
        &[WriteItem::new(
            ItemAddress::bit(Area::Flags, 0, 3, 2),
            vec![1]
        )]
    );
    let timers = request("320100000009000e000a0501120a101d000300001d00000500090006001100220033");
    assert_eq!(
        write_items(&timers),
        &[WriteItem::new(ItemAddress::timers(5, 3), h("001100220033"))]
    );
    let int = request("32010000000a000e00060501120a1005000100028400000000050010fb2e");
    assert_eq!(write_items(&int)[0].transport_size, DataTransportSize::Int);
    let real = request("32010000000b000e00080501120a100800010002840000300007000440600000");
    assert_eq!(
        write_items(&real)[0].transport_size,
        DataTransportSize::Real
    );
    let chars = request("32010000000c000e00060501120a10030002000184000640000900024142");
    assert_eq!(write_items(&chars)[0].data, b"AB");
}

#[test]
fn write_var_request_pads_odd_data_items_except_the_last() {
    let pdu = RequestPdu::new(
        3,
        Request::WriteVar(WriteVarRequest {
            items: vec![
                WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 0, 1), vec![0x11]),
                WriteItem::new(ItemAddress::bytes(Area::Flags, 0, 2, 3), vec![1, 2, 3]),
            ],
        }),
    );
    let expected = h("32 01 0000 0003 001a 000d
                      05 02 120a10020001000083000000 120a10020003000083000010
                      00 04 0008 11 00
                      00 04 0018 010203");
    assert_eq!(pdu.to_bytes().unwrap(), expected);
    assert_eq!(RequestPdu::parse(&expected).unwrap(), pdu);
}

#[test]
fn write_var_request_with_missing_data_is_an_error() {
    assert!(RequestPdu::parse(&h(
        "32 01 0000 0003 000e 0004 0501 120a10020001000083000000 00 04 0008"
    ))
    .is_err());
}

#[test]
fn write_var_answer_has_one_return_code_per_item() {
    let one = response("32 03 0000 0007 0002 0001 0000 05 01 ff");
    assert_eq!(
        one.response,
        Response::WriteVar(WriteVarResponse {
            return_codes: vec![ReturnCode::Success]
        })
    );
    let three = response("32 03 0000 0008 0002 0003 0000 05 03 ff 0a 07");
    let Response::WriteVar(w) = three.response else {
        panic!()
    };
    assert_eq!(
        w.return_codes,
        [
            ReturnCode::Success,
            ReturnCode::ObjectDoesNotExist,
            ReturnCode::DataSizeMismatch
        ]
    );
}

// ---------------------------------------------------------------------------- control

#[test]
fn stop_and_start_requests_from_python_snap7() {
    let stop = request("32010000000e0010000029000000000009505f50524f4752414d");
    assert_eq!(stop.request, Request::PlcStop(PlcStopRequest::default()));
    let hot = request("32010000000f0014000028000000000000fd000009505f50524f4752414d");
    assert_eq!(
        hot.request,
        Request::PlcControl(PlcControlRequest::hot_start())
    );
    let cold = request("3201000000100016000028000000000000fd0002432009505f50524f4752414d");
    assert_eq!(
        cold.request,
        Request::PlcControl(PlcControlRequest::cold_start())
    );
    let compress = request("3201000000500010000028000000000000fd0000055f47415242");
    let Request::PlcControl(c) = compress.request else {
        panic!()
    };
    assert_eq!(c.service, b"_GARB");
}

#[test]
fn stop_and_start_parameters_are_the_documented_bytes() {
    // The diagrams of docs/protocol.md, "PLC stop" and "PLC control: hot and cold start".
    let emit = |request: Request| {
        let pdu = RequestPdu::new(1, request).to_bytes().unwrap();
        pdu[10..].to_vec()
    };
    assert_eq!(
        emit(Request::PlcStop(PlcStopRequest::default())),
        h("29 00 00 00 00 00 09 50 5F 50 52 4F 47 52 41 4D")
    );
    assert_eq!(
        emit(Request::PlcControl(PlcControlRequest::hot_start())),
        h("28 00 00 00 00 00 00 FD 00 00 09 50 5F 50 52 4F 47 52 41 4D")
    );
    assert_eq!(
        emit(Request::PlcControl(PlcControlRequest::cold_start())),
        h("28 00 00 00 00 00 00 FD 00 02 43 20 09 50 5F 50 52 4F 47 52 41 4D")
    );
}

#[test]
fn control_answer_is_the_function_code() {
    let stop = response("32 03 0000 0048 0001 0000 0000 29");
    assert_eq!(
        stop.response,
        Response::Control(ControlResponse {
            function: 0x29,
            parameter: None
        })
    );
    // An error answer with the second byte snap7's client inspects (07: already stopped).
    let already = response("32 03 0000 0049 0002 0000 8404 29 07");
    assert_eq!(already.error, ErrorCode(0x8404));
    assert_eq!(
        already.response,
        Response::Control(ControlResponse {
            function: 0x29,
            parameter: Some(7)
        })
    );
}

#[test]
fn bare_ack_is_a_header_only_error_answer() {
    let pdu = response("32 02 0000 0005 0000 0000 81 04");
    assert_eq!(pdu.response, Response::Ack);
    assert_eq!(pdu.error, ErrorCode::NOT_IMPLEMENTED);
}

#[test]
fn unknown_job_keeps_its_sections() {
    let pdu = request("32 01 0000 0001 0002 0001 1a00 ff");
    assert_eq!(
        pdu.request,
        Request::Unknown {
            params: vec![0x1a, 0x00],
            data: vec![0xff]
        }
    );
}

// ---------------------------------------------------------------------------- userdata

fn userdata(pdu: &RequestPdu) -> &UserData {
    match &pdu.request {
        Request::UserData(u) => u,
        other => panic!("not userdata: {other:?}"),
    }
}

#[test]
fn szl_request_and_follow_up_from_python_snap7() {
    let first = request("320700000011000800080001120411440100ff09000404240000");
    assert_eq!(userdata(&first), &UserData::read_szl(0x0424, 0));
    assert_eq!(
        userdata(&first).service().unwrap(),
        UserDataService::ReadSzl {
            id: 0x0424,
            index: 0
        }
    );
    let next = request("320700000012000c00040001120812440101000000000a000000");
    assert_eq!(userdata(&next), &UserData::szl_follow_up(1));
    assert_eq!(
        userdata(&next).service().unwrap(),
        UserDataService::ReadSzlFollowUp { sequence: 1 }
    );
}

#[test]
fn clock_requests_from_python_snap7() {
    let get = request("3207000000130008000400011204114701000a000000");
    assert_eq!(userdata(&get), &UserData::read_clock());
    assert_eq!(
        userdata(&get).service().unwrap(),
        UserDataService::ReadClock
    );
    let set = request("3207000000140008000e0001120411470200ff09000a00193105060708091233");
    let time = S7DateTime {
        year: 2031,
        month: 5,
        day: 6,
        hour: 7,
        minute: 8,
        second: 9,
        millisecond: 123,
        weekday: 3,
    };
    assert_eq!(
        userdata(&set).service().unwrap(),
        UserDataService::SetClock(time)
    );
    // The century byte is informational: a PLC answers 20 for years from 2000.
    let mut answer = Vec::new();
    time.emit_clock_data(&mut answer).unwrap();
    assert_eq!(answer, h("00 20 31 05 06 07 08 09 12 33"));
}

/// The parameter and data sections of `ud`, as two byte strings.
fn sections(ud: &UserData) -> (Vec<u8>, Vec<u8>) {
    let (mut params, mut data) = (Vec::new(), Vec::new());
    ud.emit_params(&mut params);
    ud.emit_data(&mut data).unwrap();
    (params, data)
}

#[test]
fn userdata_layouts_are_the_documented_bytes() {
    // The diagrams of docs/protocol.md, "SZL read" and "Clock read and set".
    let continues = |data_unit_ref, more| Continuation {
        data_unit_ref,
        more,
        error: ErrorCode::NONE,
    };
    assert_eq!(
        sections(&UserData::read_szl(0x0011, 0x0001)),
        (h("00 01 12 04 11 44 01 00"), h("FF 09 00 04 0011 0001"))
    );
    assert_eq!(
        sections(&UserData::szl_follow_up(5)),
        (h("00 01 12 08 12 44 01 05 00 00 00 00"), h("0A 00 00 00"))
    );
    let one_part = UserData::response(
        4,
        1,
        0,
        continues(0, false),
        UserDataItem::octets(h("0424 0000 0014 0001")),
    );
    assert_eq!(
        sections(&one_part),
        (
            h("00 01 12 08 12 84 01 00 00 00 00 00"),
            h("FF 09 00 08 0424 0000 0014 0001")
        )
    );
    let first_of_two = UserData::response(
        4,
        1,
        3,
        continues(7, true),
        UserDataItem::octets(h("001C 0000 0022 000A 2020")),
    );
    assert_eq!(
        sections(&first_of_two).0,
        h("00 01 12 08 12 84 01 03 07 01 00 00")
    );
    let last = UserData::response(
        4,
        1,
        3,
        continues(7, false),
        UserDataItem::octets(h("2020")),
    );
    assert_eq!(
        sections(&last),
        (
            h("00 01 12 08 12 84 01 03 07 00 00 00"),
            h("FF 09 00 02 2020")
        )
    );
    let refused = UserData::response(
        4,
        1,
        0,
        Continuation {
            error: ErrorCode::INVALID_SZL_ID,
            ..Continuation::default()
        },
        UserDataItem::empty(),
    );
    assert_eq!(
        sections(&refused),
        (h("00 01 12 08 12 84 01 00 00 00 D4 01"), h("0A 00 00 00"))
    );

    assert_eq!(
        sections(&UserData::read_clock()),
        (h("00 01 12 04 11 47 01 00"), h("0A 00 00 00"))
    );
    let time = S7DateTime {
        year: 1999,
        month: 12,
        day: 31,
        hour: 23,
        minute: 59,
        second: 58,
        millisecond: 987,
        weekday: 6,
    };
    let mut clock = Vec::new();
    time.emit_clock_data(&mut clock).unwrap();
    let read_answer = UserData::response(7, 1, 0, continues(0, false), UserDataItem::octets(clock));
    assert_eq!(
        sections(&read_answer),
        (
            h("00 01 12 08 12 87 01 00 00 00 00 00"),
            h("FF 09 00 0A 00 19 99 12 31 23 59 58 98 76")
        )
    );
    assert_eq!(
        sections(&UserData::set_clock(&time).unwrap()),
        (
            h("00 01 12 04 11 47 02 00"),
            h("FF 09 00 0A 00 19 99 12 31 23 59 58 98 76")
        )
    );
    let set_answer = UserData::response(7, 2, 0, continues(0, false), UserDataItem::empty());
    assert_eq!(
        sections(&set_answer),
        (h("00 01 12 08 12 87 02 00 00 00 00 00"), h("0A 00 00 00"))
    );
}

#[test]
fn szl_answer_with_more_data_units_to_follow() {
    let pdu = response(
        "32 07 0000 0069 000c 000e 0001 1208 1284 01 05 07 01 0000 ff09 000a 001c 0000 0022 000a 0001",
    );
    let Response::UserData(answer) = pdu.response else {
        panic!()
    };
    assert_eq!(answer.params.group, 4);
    assert_eq!(answer.params.kind, 8);
    assert_eq!(answer.params.sequence, 5);
    let c = answer.params.continuation.unwrap();
    assert_eq!(
        (c.data_unit_ref, c.more, c.error),
        (7, true, ErrorCode::NONE)
    );
    let (id, index, payload) = answer.szl_first_part().unwrap();
    assert_eq!((id, index), (0x001c, 0));
    assert_eq!(payload, &h("0022 000a 0001"));
}

#[test]
fn szl_error_answer_carries_the_code_in_its_parameters() {
    let pdu = response("32 07 0000 0071 000c 0004 0001 1208 1284 01 00 00 00 d401 0a 00 0000");
    let Response::UserData(answer) = pdu.response else {
        panic!()
    };
    assert_eq!(answer.params.error(), ErrorCode::INVALID_SZL_ID);
    assert_eq!(answer.item.return_code, ReturnCode::ObjectDoesNotExist);
}

#[test]
fn szl_list_checks_record_count_and_length() {
    let payload = h("001c 0002")
        .into_iter()
        .chain(std::iter::repeat_n(0x20, 56))
        .collect::<Vec<_>>();
    let list = SzlList::parse(&payload).unwrap();
    assert_eq!(list.header.record_len, 28);
    assert_eq!(list.records().count(), 2);
    assert!(SzlList::parse(&payload[..payload.len() - 1]).is_err());
}

#[test]
fn userdata_parameters_reject_a_bad_length() {
    assert!(matches!(
        RequestPdu::parse(&h("3207 0000 0001 0008 0004 0001 1205 1144 0100 0a000000")),
        Err(Error::InvalidValue {
            what: "userdata parameter length",
            value: 5
        })
    ));
}

// ---------------------------------------------------------------------------- clock

#[test]
fn clock_converts_unix_time_both_ways() {
    // 2031-05-06T07:08:09.123Z, a Tuesday.
    let millis = 1_935_817_689_123;
    let time = S7DateTime::from_unix_millis(millis).unwrap();
    assert_eq!(
        time,
        S7DateTime {
            year: 2031,
            month: 5,
            day: 6,
            hour: 7,
            minute: 8,
            second: 9,
            millisecond: 123,
            weekday: 3,
        }
    );
    assert_eq!(time.to_unix_millis(), Some(millis));
    // Leap day and the ends of the range.
    let leap = S7DateTime::from_unix_millis(951_782_400_000).unwrap();
    assert_eq!(
        (leap.year, leap.month, leap.day, leap.weekday),
        (2000, 2, 29, 3)
    );
    assert_eq!(S7DateTime::from_unix_millis(631_151_999_999), None);
    assert_eq!(S7DateTime::from_unix_millis(3_786_912_000_000), None);
    let last = S7DateTime::from_unix_millis(3_786_911_999_999).unwrap();
    assert_eq!(
        (last.year, last.month, last.day, last.second),
        (2089, 12, 31, 59)
    );
}

#[test]
fn clock_rejects_values_that_are_not_bcd_or_out_of_range() {
    assert!(S7DateTime::parse_clock_data(&h("00 19 3a 05 06 07 08 09 12 33")).is_err());
    assert!(S7DateTime::parse_clock_data(&h("00 19 31 13 06 07 08 09 12 33")).is_err());
    assert!(S7DateTime::parse_clock_data(&h("00 19 31 02 30 07 08 09 12 33")).is_err());
    assert!(S7DateTime::parse_clock_data(&h("00 19 31 02 03 07 08 09 12 a3")).is_err());
    assert!(S7DateTime::parse_clock_data(&h("00 19 31 02 03 07 08 09 12")).is_err());
    // Years 90..=99 are 1990..=1999.
    let old = S7DateTime::parse_clock_data(&h("00 19 95 01 02 03 04 05 00 01")).unwrap();
    assert_eq!(old.year, 1995);
}

// ------------------------------------------------------------- exact round trips

#[test]
fn odd_but_plausible_bytes_are_kept_for_exact_round_trips() {
    // Reserved header bytes.
    assert_eq!(
        request("32 01 1234 0001 0008 0000 f0 00 0001 0001 03c0").reserved,
        0x1234
    );
    // Reserved byte of setup communication.
    let Request::SetupCommunication(setup) =
        request("32 01 0000 0001 0008 0000 f0 77 0001 0001 03c0").request
    else {
        panic!("not a setup request");
    };
    assert_eq!(setup.reserved, 0x77);
    // Reserved bytes of PLC stop and control.
    let Request::PlcStop(stop) =
        request("32 01 0000 0001 0010 0000 29 0102030405 09 505f50524f4752414d").request
    else {
        panic!("not a stop request");
    };
    assert_eq!(stop.reserved, [1, 2, 3, 4, 5]);
    let Request::PlcControl(control) =
        request("32 01 0000 0050 0014 0000 28 000000000000fe 0000 09 505f50524f4752414d").request
    else {
        panic!("not a control request");
    };
    assert_eq!(control.reserved, [0, 0, 0, 0, 0, 0, 0xfe]);
    assert_eq!(control.service, b"P_PROGRAM");
    // A write request item's reserved first byte; the item still carries its data.
    let Request::WriteVar(write) =
        request("32 01 0000 0006 000e 0005 05 01 120a10020001000184000000 0a 04 0008 42").request
    else {
        panic!("not a write request");
    };
    assert_eq!(write.items[0].reserved, 0x0a);
    assert_eq!(write.items[0].data, [0x42]);
    // python-snap7 3.3.0's read var without item count.
    let Request::ReadVar(read) = request("32 01 0000 0015 0001 0000 04").request else {
        panic!("not a read request");
    };
    assert!(read.without_count && read.items.is_empty());
    // Ack-data without sections stays ack-data.
    assert_eq!(
        response("32 03 0000 0001 0000 0000 8104").response,
        Response::EmptyAckData
    );
    assert_eq!(
        response("32 02 0000 0001 0000 0000 8104").response,
        Response::Ack
    );
    // Bit lengths, fill bytes, an echoed length.
    let Response::ReadVar(read) = response(
        "32 03 0000 0005 0002 0016 0000 04 04 \
         ff 04 0003 aa 77 \
         0a 00 0020 \
         ff 04 0010 1234 \
         ff 09 0001 bb 00",
    )
    .response
    else {
        panic!("not a read answer");
    };
    let kept: Vec<_> = read.items.iter().map(|i| (i.wire_len, i.fill)).collect();
    assert_eq!(
        kept,
        [
            (Some(3), Some(0x77)),
            (Some(0x20), None),
            (None, None),
            (None, Some(0))
        ]
    );
}

#[test]
fn what_is_no_s7comm_is_refused() {
    // An ack (02) carries no sections; only ack-data (03) does.
    assert_eq!(
        ResponsePdu::parse(&h("32 02 0000 0007 0002 0001 0000 0501 ff")),
        Err(Error::AckWithSections {
            param_len: 2,
            data_len: 1
        })
    );
    // The userdata parameter head is xx 01 12.
    assert_eq!(
        RequestPdu::parse(&h(
            "32 07 0000 0001 0008 0008 00 02 12 04 11 44 01 00 ff09 0004 0011 0000"
        )),
        Err(Error::InvalidValue {
            what: "userdata parameter head",
            value: 2
        })
    );
    // The last data unit byte is 00 or 01.
    assert_eq!(
        ResponsePdu::parse(&h(
            "32 07 0000 0001 000c 0004 000112 08 12 84 01 01 00 02 0000 0a000000"
        )),
        Err(Error::InvalidValue {
            what: "userdata last data unit",
            value: 2
        })
    );
}

#[test]
fn new_fields_default_to_the_canonical_encoding() {
    let read = RequestPdu::new(
        1,
        Request::ReadVar(ReadVarRequest::new(vec![ItemAddress::bytes(
            Area::DataBlock,
            1,
            0,
            4,
        )])),
    );
    assert_eq!(
        read.to_bytes().unwrap(),
        h("32 01 0000 0001 000e 0000 04 01 120a10020004000184000000")
    );
    assert_eq!(
        RequestPdu::new(2, Request::PlcControl(PlcControlRequest::hot_start()))
            .to_bytes()
            .unwrap(),
        h("32 01 0000 0002 0014 0000 28 000000000000fd 0000 09 505f50524f4752414d")
    );
    assert_eq!(Header::default().reserved, 0);
    assert_eq!(SetupCommunication::default().reserved, 0);
}
