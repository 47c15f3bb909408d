//! Block services with literal frames: the directory, upload, download (PLC-driven) and the
//! block PI services, with their error paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use s7_mock::plc::{BlockSpec, BlockType, NoHooks};
use s7_mock::profile::Profile;
use s7_mock::{Plc, Session};

fn plc() -> Plc {
    Plc::builder()
        .data_block_with(1, (0..64).collect())
        .data_block(2, 32)
        .data_block(100, 16)
        .block(BlockSpec::new(BlockType::Ob, 1, 40))
        .block(BlockSpec::new(BlockType::Fc, 5, 10).body(vec![0x70, 0x0B]))
        .build()
        .unwrap()
}

/// A job PDU around `params`.
fn job(pdu_ref: u16, params: &[u8]) -> Vec<u8> {
    let mut pdu = vec![0x32, 0x01, 0, 0];
    pdu.extend_from_slice(&pdu_ref.to_be_bytes());
    pdu.extend_from_slice(&u16::try_from(params.len()).unwrap().to_be_bytes());
    pdu.extend_from_slice(&[0, 0]);
    pdu.extend_from_slice(params);
    pdu
}

/// An ack-data PDU from the client.
fn ack_data(pdu_ref: u16, params: &[u8], data: &[u8]) -> Vec<u8> {
    let mut pdu = vec![0x32, 0x03, 0, 0];
    pdu.extend_from_slice(&pdu_ref.to_be_bytes());
    pdu.extend_from_slice(&u16::try_from(params.len()).unwrap().to_be_bytes());
    pdu.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes());
    pdu.extend_from_slice(&[0, 0]);
    pdu.extend_from_slice(params);
    pdu.extend_from_slice(data);
    pdu
}

/// A userdata PDU.
fn userdata(pdu_ref: u16, params: &[u8], data: &[u8]) -> Vec<u8> {
    let mut pdu = vec![0x32, 0x07, 0, 0];
    pdu.extend_from_slice(&pdu_ref.to_be_bytes());
    pdu.extend_from_slice(&u16::try_from(params.len()).unwrap().to_be_bytes());
    pdu.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes());
    pdu.extend_from_slice(params);
    pdu.extend_from_slice(data);
    pdu
}

fn exchange(plc: &Plc, session: &mut Session, request: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    plc.handle(session, request, &mut out, &mut NoHooks)
        .unwrap();
    out
}

/// The header error of a bare ack.
fn header_error(answer: &[u8]) -> u16 {
    assert_eq!(answer[1], 0x02, "not a bare ack: {answer:02x?}");
    u16::from_be_bytes([answer[10], answer[11]])
}

const LIST_ALL: [u8; 8] = [0x00, 0x01, 0x12, 0x04, 0x11, 0x43, 0x01, 0x00];
const LIST_OF_TYPE: [u8; 8] = [0x00, 0x01, 0x12, 0x04, 0x11, 0x43, 0x02, 0x00];
const BLOCK_INFO: [u8; 8] = [0x00, 0x01, 0x12, 0x04, 0x11, 0x43, 0x03, 0x00];

#[test]
fn list_blocks_counts_every_type() {
    let plc = plc();
    let answer = exchange(
        &plc,
        &mut plc.session(),
        &userdata(1, &LIST_ALL, &[0x0A, 0, 0, 0]),
    );
    assert_eq!(
        &answer[10..22],
        &[0x00, 0x01, 0x12, 0x08, 0x12, 0x83, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        &answer[22..],
        &[
            0xFF, 0x09, 0x00, 0x1C, 0x30, 0x38, 0, 1, 0x30, 0x41, 0, 3, 0x30, 0x42, 0, 0, 0x30,
            0x43, 0, 1, 0x30, 0x44, 0, 0, 0x30, 0x45, 0, 0, 0x30, 0x46, 0, 0
        ]
    );
}

#[test]
fn list_of_type_answers_number_flags_language() {
    let plc = plc();
    let mut session = plc.session();
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(2, &LIST_OF_TYPE, &[0xFF, 0x09, 0x00, 0x02, 0x30, 0x41]),
    );
    assert_eq!(answer[19], 0x00, "last data unit");
    assert_eq!(
        &answer[22..],
        &[0xFF, 0x09, 0x00, 0x0C, 0, 1, 0x01, 0x05, 0, 2, 0x01, 0x05, 0, 100, 0x01, 0x05]
    );
    // An unknown type letter is a parameter error in the userdata answer.
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(3, &LIST_OF_TYPE, &[0xFF, 0x09, 0x00, 0x02, 0x30, 0x5A]),
    );
    assert_eq!(&answer[20..22], &[0xD2, 0x02]);
}

#[test]
fn long_lists_come_in_parts() {
    let mut builder = Plc::builder().max_pdu_size(64);
    for n in 1..=40 {
        builder = builder.data_block(n, 2);
    }
    let plc = builder.build().unwrap();
    let mut session = plc.session();
    let first = exchange(
        &plc,
        &mut session,
        &userdata(1, &LIST_OF_TYPE, &[0xFF, 0x09, 0x00, 0x02, 0x30, 0x41]),
    );
    assert!(first.len() <= 64);
    assert_eq!(first[19], 0x01, "more parts follow");
    let sequence = first[17];
    let mut numbers = Vec::new();
    let mut answer = first;
    loop {
        for entry in answer[26..].chunks(4) {
            numbers.push(u16::from_be_bytes([entry[0], entry[1]]));
        }
        if answer[19] == 0 {
            break;
        }
        answer = exchange(
            &plc,
            &mut session,
            &userdata(
                2,
                &[
                    0x00, 0x01, 0x12, 0x08, 0x12, 0x43, 0x02, sequence, 0, 0, 0, 0,
                ],
                &[0x0A, 0, 0, 0],
            ),
        );
        assert!(answer.len() <= 64);
    }
    assert_eq!(numbers, (1..=40).collect::<Vec<_>>());
    // A follow-up with nothing pending: "job not found".
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(
            3,
            &[
                0x00, 0x01, 0x12, 0x08, 0x12, 0x43, 0x02, sequence, 0, 0, 0, 0,
            ],
            &[0x0A, 0, 0, 0],
        ),
    );
    assert_eq!(&answer[20..22], &[0xD0, 0xA5]);
}

#[test]
fn block_info_reports_header_and_trailer() {
    let plc = plc();
    let mut session = plc.session();
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(4, &BLOCK_INFO, b"\xff\x09\x00\x080A00001A"),
    );
    let info = &answer[26..];
    assert_eq!(&answer[22..26], &[0xFF, 0x09, 0x00, 0x4E]);
    assert_eq!(info.len(), 78);
    assert_eq!(&info[..6], &[0x01, 0x41, 0x00, 0x4A, 0x22, 0x00]);
    assert_eq!(&info[6..8], b"pp");
    assert_eq!(info[10], 0x05, "language DB");
    assert_eq!(info[11], 0x0A, "sub-block type DB");
    assert_eq!(&info[12..14], &[0, 1]);
    assert_eq!(&info[14..18], &(64u32 + 92).to_be_bytes(), "load length");
    assert_eq!(&info[40..42], &[0, 64], "MC7 length");
    assert_eq!(&info[42..50], b"S7MOCK\0\0");
    assert_eq!(&info[58..66], b"DB1\0\0\0\0\0");
    // OB1: 20 bytes of local data.
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(5, &BLOCK_INFO, b"\xff\x09\x00\x080800001A"),
    );
    assert_eq!(&answer[26 + 38..26 + 40], &[0, 20]);
    // No such block: D2 09 in the parameters, no data.
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(6, &BLOCK_INFO, b"\xff\x09\x00\x080A00007A"),
    );
    assert_eq!(&answer[20..22], &[0xD2, 0x09]);
    assert_eq!(&answer[22..], &[0x0A, 0x00, 0x00, 0x00]);
}

#[test]
fn block_info_reports_every_metadata_field() {
    use s7_mock::plc::BlockMeta;
    use s7comm::block::BlockTime;
    let meta = BlockMeta {
        author: *b"ACME\0\0\0\0",
        family: *b"PUMPS\0\0\0",
        name: *b"CTRL\0\0\0\0",
        version: 0x23,
        language: 0x04,
        flags: 0x21,
        local_data: 88,
        checksum: Some(0xBEEF),
        code_time: BlockTime {
            millis: 0x0102_0304,
            days: 0x1234,
        },
        interface_time: BlockTime { millis: 5, days: 6 },
    };
    let plc = Plc::builder()
        .block(
            BlockSpec::new(BlockType::Fb, 7, 4)
                .body(vec![1, 2, 3, 4])
                .meta(meta),
        )
        .block(BlockSpec::new(BlockType::Fc, 5, 10).body(vec![0x70, 0x0B]))
        .build()
        .unwrap();
    let mut session = plc.session();
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(1, &BLOCK_INFO, b"\xff\x09\x00\x080E00007A"),
    );
    let mut expected = vec![0x01, 0x45, 0x00, 0x4A, 0x22, 0x00];
    // Header: magic, format, flags, language, sub-block FB, number 7, load length 4 + 92,
    // security, code time, interface time, interface length 20, add length, local data,
    // MC7 length.
    expected.extend_from_slice(&[0x70, 0x70, 0x01, 0x21, 0x04, 0x0E, 0x00, 0x07]);
    expected.extend_from_slice(&[0, 0, 0, 96, 0, 0, 0, 0]);
    expected.extend_from_slice(&[0x01, 0x02, 0x03, 0x04, 0x12, 0x34, 0, 0, 0, 5, 0, 6]);
    expected.extend_from_slice(&[0, 20, 0, 0, 0, 88, 0, 4]);
    // Trailer: author, family, name, version, reserved, checksum, 8 reserved.
    expected.extend_from_slice(b"ACME\0\0\0\0PUMPS\0\0\0CTRL\0\0\0\0");
    expected.extend_from_slice(&[0x23, 0x00, 0xBE, 0xEF, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&answer[22..26], &[0xFF, 0x09, 0x00, 0x4E]);
    assert_eq!(&answer[26..], &expected[..]);
    // The defaults: version 0.1, linked, STL, no family, timestamps 2024-01-01 (14610 days
    // after 1984-01-01, midnight), checksum the 16-bit sum of the body (70 + 0B).
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(2, &BLOCK_INFO, b"\xff\x09\x00\x080C00005A"),
    );
    let info = &answer[26..];
    assert_eq!(&info[6..12], &[0x70, 0x70, 0x01, 0x01, 0x01, 0x0C]);
    assert_eq!(
        &info[22..34],
        &[0, 0, 0, 0, 0x39, 0x12, 0, 0, 0, 0, 0x39, 0x12]
    );
    assert_eq!(&info[42..50], b"S7MOCK\0\0");
    assert_eq!(&info[50..58], &[0; 8], "family");
    assert_eq!(&info[58..66], b"FC5\0\0\0\0\0");
    assert_eq!(
        &info[66..70],
        &[0x01, 0x00, 0x00, 0x7B],
        "version, checksum"
    );
}

#[test]
fn bad_pi_block_lists_are_d201_and_unknown_services_8104() {
    let plc = plc();
    let mut session = plc.session();
    for (pdu_ref, params) in [
        // _DELE: the count says two blocks, one follows.
        (
            1,
            &b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x02\x00\x30\x41\x30\x30\x30\x30\x32\x42\x05_DELE"[..],
        ),
        // _DELE: digits that are not digits.
        (
            2,
            &b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x30\x41\x30\x30\x78\x30\x32\x42\x05_DELE"[..],
        ),
        // _INSE: an unknown type letter.
        (
            3,
            &b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x30\x5a\x30\x30\x30\x30\x32\x50\x05_INSE"[..],
        ),
        // _INSE: a block id without its prefix '0'.
        (
            4,
            &b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x31\x41\x30\x30\x30\x30\x32\x50\x05_INSE"[..],
        ),
    ] {
        let answer = exchange(&plc, &mut session, &job(pdu_ref, params));
        assert_eq!(header_error(&answer), 0xD201, "request {pdu_ref}");
    }
    assert_eq!(
        plc.block_numbers(BlockType::Db),
        [1, 2, 100],
        "nothing deleted"
    );
    // A PI service the CPU does not know.
    let answer = exchange(
        &plc,
        &mut session,
        &job(5, b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x00\x05_XYZW"),
    );
    assert_eq!(header_error(&answer), 0x8104);
    // The connection is still usable.
    let answer = exchange(
        &plc,
        &mut session,
        &userdata(6, &LIST_ALL, &[0x0A, 0, 0, 0]),
    );
    assert_eq!(&answer[20..22], &[0, 0]);
}

#[test]
fn upload_sends_the_image_in_parts() {
    let plc = Plc::builder()
        .max_pdu_size(64)
        .data_block_with(1, (0..64).collect())
        .build()
        .unwrap();
    let mut session = plc.session();
    let start = exchange(
        &plc,
        &mut session,
        &job(1, b"\x1d\x00\x00\x00\x00\x00\x00\x00\x09_0A00001A"),
    );
    assert_eq!(&start[12..], b"\x1d\x00\x01\x00\x00\x00\x00\x01\x070000156");
    // An upload part with another id than start upload gave: D2 02, the upload goes on.
    let wrong = exchange(&plc, &mut session, &job(2, &[0x1E, 0, 0, 0, 0, 0, 0, 7]));
    assert_eq!(header_error(&wrong), 0xD202);
    assert!(session.has_transfer());
    let mut image = Vec::new();
    loop {
        let part = exchange(&plc, &mut session, &job(2, &[0x1E, 0, 0, 0, 0, 0, 0, 1]));
        assert!(part.len() <= 64);
        assert_eq!(part[12], 0x1E);
        let len = usize::from(u16::from_be_bytes([part[14], part[15]]));
        assert_eq!(&part[16..18], &[0x00, 0xFB]);
        assert_eq!(part.len(), 18 + len);
        image.extend_from_slice(&part[18..]);
        if part[13] == 0 {
            break;
        }
        assert_eq!(part[13], 1);
    }
    assert_eq!(image.len(), 156);
    assert_eq!(&image[..2], b"pp");
    assert_eq!(&image[36..100], &(0..64).collect::<Vec<u8>>()[..]);
    assert_eq!(image, plc.block_image(BlockType::Db, 1).unwrap());
    // A wrong upload id, then the right end.
    let wrong = exchange(&plc, &mut session, &job(3, &[0x1F, 0, 0, 0, 0, 0, 0, 9]));
    assert_eq!(header_error(&wrong), 0xD202);
    let end = exchange(&plc, &mut session, &job(4, &[0x1F, 0, 0, 0, 0, 0, 0, 1]));
    assert_eq!(&end[12..], &[0x1F]);
    assert!(!session.has_transfer());
    // Upload of a block that does not exist, and of a bad name.
    let missing = exchange(
        &plc,
        &mut session,
        &job(5, b"\x1d\x00\x00\x00\x00\x00\x00\x00\x09_0A00002A"),
    );
    assert_eq!(header_error(&missing), 0xD209);
    let bad = exchange(
        &plc,
        &mut session,
        &job(6, b"\x1d\x00\x00\x00\x00\x00\x00\x00\x09_0Z00002A"),
    );
    assert_eq!(header_error(&bad), 0xD201);
    // An upload part with no upload in flight.
    let none = exchange(&plc, &mut session, &job(7, &[0x1E, 0, 0, 0, 0, 0, 0, 1]));
    assert_eq!(header_error(&none), 0xD202);
}

/// DB42 as snap7's client would download it: DB1's image renumbered, new data.
fn db42_image(plc: &Plc) -> Vec<u8> {
    let mut image = plc.block_image(BlockType::Db, 1).unwrap();
    image[6..8].copy_from_slice(&42u16.to_be_bytes());
    for byte in &mut image[36..100] {
        *byte = 0xAB;
    }
    image
}

const REQUEST_DB42: &[u8] = b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09_0A00042P\x0d1000156000064";

#[test]
fn download_is_driven_by_the_plc_and_inserts_at_the_end() {
    let plc = plc();
    let image = db42_image(&plc);
    let mut session = plc.session();
    let answer = exchange(&plc, &mut session, &job(7, REQUEST_DB42));
    assert_eq!(
        &answer[..],
        &[0x32, 0x03, 0, 0, 0, 7, 0, 1, 0, 0, 0, 0, 0x1A]
    );
    // The PLC's first download block job follows the answer.
    let mut out = Vec::new();
    assert!(plc.take_outgoing(&mut session, &mut out));
    assert_eq!(&out[..2], &[0x32, 0x01]);
    assert_eq!(&out[10..], b"\x1b\x00\x00\x00\x00\x00\x00\x00\x09_0A00042P");
    let mut job_ref = u16::from_be_bytes([out[4], out[5]]);
    assert!(!plc.take_outgoing(&mut session, &mut out));
    // The client answers with the block in two parts.
    let (a, b) = image.split_at(100);
    for (part, more) in [(a, 1u8), (b, 0u8)] {
        let mut data = u16::try_from(part.len()).unwrap().to_be_bytes().to_vec();
        data.extend_from_slice(&[0x00, 0xFB]);
        data.extend_from_slice(part);
        let next = exchange(&plc, &mut session, &ack_data(job_ref, &[0x1B, more], &data));
        let function = if more == 1 { 0x1B } else { 0x1C };
        assert_eq!(next[10], function, "{next:02x?}");
        assert_eq!(&next[11..], b"\x00\x00\x00\x00\x00\x00\x00\x09_0A00042P");
        job_ref = u16::from_be_bytes([next[4], next[5]]);
    }
    assert!(plc.block_numbers(BlockType::Db).iter().all(|n| *n != 42));
    let last = exchange(&plc, &mut session, &ack_data(job_ref, &[0x1C], &[]));
    assert!(
        last.is_empty(),
        "nothing answers the client's acknowledgement"
    );
    assert_eq!(plc.block_numbers(BlockType::Db), [1, 2, 42, 100]);
    assert_eq!(
        plc.memory()
            .read_bytes(s7_mock::memory::Region::DataBlock(42), 0, 64)
            .unwrap(),
        &[0xAB; 64][..]
    );
    // snap7's client then inserts the block: acknowledged.
    let inse = exchange(
        &plc,
        &mut session,
        &job(8, b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x30\x41\x30\x30\x30\x34\x32\x50\x05_INSE"),
    );
    assert_eq!(&inse[12..], &[0x28]);
}

/// Sends request download and takes the PLC's first download block job: its PDU reference.
fn start_download(plc: &Plc, session: &mut Session, pdu_ref: u16, request: &[u8]) -> u16 {
    let answer = exchange(plc, session, &job(pdu_ref, request));
    assert_eq!(&answer[12..], &[0x1A], "{answer:02x?}");
    let mut out = Vec::new();
    assert!(plc.take_outgoing(session, &mut out));
    assert_eq!(&out[10..12], &[0x1B, 0x00]);
    u16::from_be_bytes([out[4], out[5]])
}

/// The client's answer to download block job `job_ref`: one part.
fn part(job_ref: u16, more: bool, bytes: &[u8]) -> Vec<u8> {
    let mut data = u16::try_from(bytes.len()).unwrap().to_be_bytes().to_vec();
    data.extend_from_slice(&[0x00, 0xFB]);
    data.extend_from_slice(bytes);
    ack_data(job_ref, &[0x1B, u8::from(more)], &data)
}

/// Asserts that `job` is the PLC's download ended job for DB42 with the error bit and
/// `code`; its PDU reference.
fn failed_end(job: &[u8], code: [u8; 2]) -> u16 {
    assert_eq!(&job[..2], &[0x32, 0x01], "not a job: {job:02x?}");
    assert_eq!(&job[6..10], &[0, 18, 0, 0], "parameter and data lengths");
    let mut params = vec![0x1C, 0x02, code[0], code[1], 0, 0, 0, 0, 0x09];
    params.extend_from_slice(b"_0A00042P");
    assert_eq!(&job[10..], &params[..]);
    u16::from_be_bytes([job[4], job[5]])
}

/// The client acknowledges the failed download ended job; nothing follows and the
/// connection's next `_INSE` of DB42 is answered with `code`.
fn acknowledge_failure(plc: &Plc, session: &mut Session, job_ref: u16, code: u16) {
    let last = exchange(plc, session, &ack_data(job_ref, &[0x1C], &[]));
    assert!(last.is_empty(), "{last:02x?}");
    assert!(!session.has_transfer());
    let inse = exchange(plc, session, &job(90, INSE_DB42));
    assert_eq!(header_error(&inse), code);
}

const INSE_DB42: &[u8] =
    b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x30\x41\x30\x30\x30\x34\x32\x50\x05_INSE";

fn small_plc() -> Plc {
    Plc::builder()
        .data_block(1, 64)
        .max_block_size(1000)
        .build()
        .unwrap()
}

#[test]
fn bad_download_requests_are_refused() {
    let plc = small_plc();
    let before = plc.block_numbers(BlockType::Db);
    let mut session = plc.session();
    // Larger than the cap.
    let answer = exchange(
        &plc,
        &mut session,
        &job(
            1,
            b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09_0A00042P\x0d1001001000900",
        ),
    );
    assert_eq!(header_error(&answer), 0xD20F);
    // Lengths that do not parse.
    let answer = exchange(
        &plc,
        &mut session,
        &job(
            2,
            b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09_0A00042P\x0d100015x000064",
        ),
    );
    assert_eq!(header_error(&answer), 0xD202);
    // A block number above 65535.
    let answer = exchange(
        &plc,
        &mut session,
        &job(
            3,
            b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09_0A70000P\x0d1000156000064",
        ),
    );
    assert_eq!(header_error(&answer), 0xD210);
    // A name that does not parse: an unknown type letter, then digits that are not digits.
    for (pdu_ref, name) in [(4, &b"_0Z00042P"[..]), (5, &b"_0A0004xP"[..])] {
        let mut params = b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09".to_vec();
        params.extend_from_slice(name);
        params.extend_from_slice(b"\x0d1000156000064");
        let answer = exchange(&plc, &mut session, &job(pdu_ref, &params));
        assert_eq!(header_error(&answer), 0xD201, "{name:?}");
    }
    // A second download while one is in flight.
    start_download(&plc, &mut session, 6, REQUEST_DB42);
    let answer = exchange(&plc, &mut session, &job(7, REQUEST_DB42));
    assert_eq!(header_error(&answer), 0xD20E);
    assert!(session.has_transfer(), "the first download goes on");
    assert_eq!(plc.block_numbers(BlockType::Db), before);
}

#[test]
fn a_full_directory_refuses_new_blocks() {
    let mut builder = Plc::builder();
    for number in 0..4096 {
        builder = builder.block(BlockSpec::new(BlockType::Fc, number, 0));
    }
    let plc = builder.data_block(1, 64).build().unwrap();
    let mut session = plc.session();
    let request = |name: &[u8]| {
        let mut params = b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09".to_vec();
        params.extend_from_slice(name);
        params.extend_from_slice(b"\x0d1000092000000");
        params
    };
    let answer = exchange(&plc, &mut session, &job(1, &request(b"_0C05000P")));
    assert_eq!(header_error(&answer), 0xD20E);
    // Replacing a block that is there, and a DB (data blocks are not counted), are accepted.
    for (pdu_ref, name) in [(2, &b"_0C00007P"[..]), (3, &b"_0A00042P"[..])] {
        start_download(&plc, &mut session, pdu_ref, &request(name));
        // Another request abandons it.
        exchange(
            &plc,
            &mut session,
            &userdata(4, &LIST_ALL, &[0x0A, 0, 0, 0]),
        );
        assert!(!session.has_transfer());
    }
    assert_eq!(plc.block_numbers(BlockType::Fc).len(), 4096);
}

#[test]
fn a_part_longer_than_the_block_ends_the_download_with_d219() {
    let plc = small_plc();
    let mut session = plc.session();
    let job_ref = start_download(&plc, &mut session, 1, REQUEST_DB42);
    let next = exchange(&plc, &mut session, &part(job_ref, false, &[0; 160]));
    let end = failed_end(&next, [0xD2, 0x19]);
    assert_eq!(plc.block_numbers(BlockType::Db), [1]);
    acknowledge_failure(&plc, &mut session, end, 0xD219);
    // The connection can download again.
    start_download(&plc, &mut session, 2, REQUEST_DB42);
}

#[test]
fn a_block_shorter_than_announced_ends_the_download_with_d219() {
    let plc = small_plc();
    let image = db42_image(&plc);
    let mut session = plc.session();
    let job_ref = start_download(&plc, &mut session, 1, REQUEST_DB42);
    // The first part says more follow; the second claims to be the last, 10 bytes short.
    let next = exchange(&plc, &mut session, &part(job_ref, true, &image[..100]));
    let job_ref = u16::from_be_bytes([next[4], next[5]]);
    assert_eq!(next[10], 0x1B);
    let next = exchange(&plc, &mut session, &part(job_ref, false, &image[100..146]));
    let end = failed_end(&next, [0xD2, 0x19]);
    acknowledge_failure(&plc, &mut session, end, 0xD219);
    assert_eq!(plc.block_numbers(BlockType::Db), [1]);
}

#[test]
fn a_bad_block_image_ends_the_download_with_its_error() {
    let plc = small_plc();
    let good = db42_image(&plc);
    let mut wrong_length = good.clone();
    wrong_length[10..14].copy_from_slice(&155u32.to_be_bytes());
    let mut no_magic = good.clone();
    no_magic[..2].copy_from_slice(b"qq");
    let mut an_fc = good.clone();
    an_fc[5] = 0x0C;
    for (image, code) in [
        (vec![0; 156], 0xD219u16),
        (wrong_length, 0xD219),
        (no_magic, 0xD230),
        (an_fc, 0xD230),
    ] {
        let mut session = plc.session();
        let job_ref = start_download(&plc, &mut session, 1, REQUEST_DB42);
        let next = exchange(&plc, &mut session, &part(job_ref, false, &image));
        let end = failed_end(&next, code.to_be_bytes());
        acknowledge_failure(&plc, &mut session, end, code);
        assert_eq!(plc.block_numbers(BlockType::Db), [1], "{code:04x}");
        assert!(plc
            .memory()
            .region_len(s7_mock::memory::Region::DataBlock(42))
            .is_none());
    }
}

#[test]
fn an_answer_out_of_sequence_ends_the_download_with_8401() {
    let plc = small_plc();
    let image = db42_image(&plc);
    // Another PDU reference than the PLC's job.
    let mut session = plc.session();
    let job_ref = start_download(&plc, &mut session, 1, REQUEST_DB42);
    let next = exchange(
        &plc,
        &mut session,
        &part(job_ref.wrapping_add(5), false, &image),
    );
    let end = failed_end(&next, [0x84, 0x01]);
    acknowledge_failure(&plc, &mut session, end, 0x8401);
    // A download ended acknowledgement where a part was asked for.
    let job_ref = start_download(&plc, &mut session, 2, REQUEST_DB42);
    let next = exchange(&plc, &mut session, &ack_data(job_ref, &[0x1C], &[]));
    let end = failed_end(&next, [0x84, 0x01]);
    acknowledge_failure(&plc, &mut session, end, 0x8401);
    assert_eq!(plc.block_numbers(BlockType::Db), [1]);
}

#[test]
fn an_answer_that_does_not_decode_ends_the_download_with_8500() {
    let plc = small_plc();
    let mut session = plc.session();
    let job_ref = start_download(&plc, &mut session, 1, REQUEST_DB42);
    // The part's length says 200 bytes; 4 follow.
    let next = exchange(
        &plc,
        &mut session,
        &ack_data(
            job_ref,
            &[0x1B, 0x00],
            &[0x00, 0xC8, 0x00, 0xFB, 1, 2, 3, 4],
        ),
    );
    let end = failed_end(&next, [0x85, 0x00]);
    acknowledge_failure(&plc, &mut session, end, 0x8500);
    assert_eq!(plc.block_numbers(BlockType::Db), [1]);
}

#[test]
fn a_bad_acknowledgement_of_download_ended_inserts_nothing() {
    let plc = small_plc();
    let image = db42_image(&plc);
    let mut session = plc.session();
    let job_ref = start_download(&plc, &mut session, 1, REQUEST_DB42);
    let next = exchange(&plc, &mut session, &part(job_ref, false, &image));
    assert_eq!(&next[10..12], &[0x1C, 0x00], "download ended without error");
    let end_ref = u16::from_be_bytes([next[4], next[5]]);
    // Acknowledged with another reference: the download is over, the block not inserted,
    // and the _INSE that follows is refused with 84 01.
    let last = exchange(
        &plc,
        &mut session,
        &ack_data(end_ref.wrapping_add(1), &[0x1C], &[]),
    );
    assert!(last.is_empty());
    assert!(!session.has_transfer());
    assert_eq!(plc.block_numbers(BlockType::Db), [1]);
    let inse = exchange(&plc, &mut session, &job(2, INSE_DB42));
    assert_eq!(header_error(&inse), 0x8401);
    // The failure is reported once: a later _INSE of a block that is there is acknowledged.
    let inse = exchange(
        &plc,
        &mut session,
        &job(3, b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x30\x41\x30\x30\x30\x30\x31\x50\x05_INSE"),
    );
    assert_eq!(&inse[12..], &[0x28]);
}

#[test]
fn a_client_that_answers_with_an_error_ends_the_download() {
    let plc = small_plc();
    let mut session = plc.session();
    let job_ref = start_download(&plc, &mut session, 1, REQUEST_DB42);
    // An ack-data with error class 0x85 in its header: the client gave up, and waits for
    // nothing more.
    let mut answer = ack_data(job_ref, &[0x1B, 0x00], &[0, 0, 0, 0xFB]);
    answer[10..12].copy_from_slice(&[0x85, 0x00]);
    let next = exchange(&plc, &mut session, &answer);
    assert!(next.is_empty());
    assert!(!session.has_transfer());
    assert_eq!(plc.block_numbers(BlockType::Db), [1]);
}

#[test]
fn a_block_that_no_longer_fits_the_directory_ends_the_download_with_d20e() {
    let mut builder = Plc::builder();
    for number in 0..4095 {
        builder = builder.block(BlockSpec::new(BlockType::Fc, number, 0));
    }
    let plc = builder.build().unwrap();
    let fc_image = |number: u16| {
        let mut image = plc.block_image(BlockType::Fc, 0).unwrap();
        image[6..8].copy_from_slice(&number.to_be_bytes());
        image
    };
    let request = |number: u16| {
        let mut params = b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09".to_vec();
        params.extend_from_slice(format!("_0C{number:05}P").as_bytes());
        params.extend_from_slice(b"\x0d1000092000000");
        params
    };
    // Two connections start a download of a new FC while the directory has room for one.
    let mut first = plc.session();
    let mut second = plc.session();
    let first_ref = start_download(&plc, &mut first, 1, &request(5000));
    let second_ref = start_download(&plc, &mut second, 1, &request(5001));
    let next = exchange(&plc, &mut second, &part(second_ref, false, &fc_image(5001)));
    let end_ref = u16::from_be_bytes([next[4], next[5]]);
    assert!(exchange(&plc, &mut second, &ack_data(end_ref, &[0x1C], &[])).is_empty());
    assert_eq!(plc.block_numbers(BlockType::Fc).len(), 4096);
    // The first finds the directory full when its block is complete.
    let next = exchange(&plc, &mut first, &part(first_ref, false, &fc_image(5000)));
    assert_eq!(&next[10..14], &[0x1C, 0x02, 0xD2, 0x0E], "{next:02x?}");
    assert!(!plc.block_numbers(BlockType::Fc).contains(&5000));
}

#[test]
fn abandoned_downloads_leave_the_directory_unchanged() {
    let plc = small_plc();
    let before = plc.block_numbers(BlockType::Db);
    let mut session = plc.session();
    // A download abandoned by another request: the next request download is accepted.
    start_download(&plc, &mut session, 7, REQUEST_DB42);
    exchange(
        &plc,
        &mut session,
        &userdata(8, &LIST_ALL, &[0x0A, 0, 0, 0]),
    );
    assert!(!session.has_transfer());
    let answer = exchange(&plc, &mut session, &job(9, REQUEST_DB42));
    assert_eq!(&answer[12..], &[0x1A]);
    // A download abandoned by a disconnect: the session is dropped mid-transfer.
    let mut gone = plc.session();
    exchange(&plc, &mut gone, &job(6, REQUEST_DB42));
    assert!(gone.has_transfer());
    drop(gone);
    assert_eq!(plc.block_numbers(BlockType::Db), before);
    // An ack-data with no download in flight is no request: the connection closes.
    let mut out = Vec::new();
    assert!(plc
        .handle(
            &mut plc.session(),
            &ack_data(1, &[0x1C], &[]),
            &mut out,
            &mut NoHooks
        )
        .is_err());
}

/// Reads 32 bytes of DB2 from byte 32 with a literal read var job: the answer's data item.
fn read_db2_upper_half(plc: &Plc, session: &mut Session) -> Vec<u8> {
    let answer = exchange(
        plc,
        session,
        &job(
            20,
            &[
                0x04, 0x01, 0x12, 0x0A, 0x10, 0x02, 0x00, 0x20, 0x00, 0x02, 0x84, 0x00, 0x01, 0x00,
            ],
        ),
    );
    assert_eq!(&answer[12..14], &[0x04, 0x01], "{answer:02x?}");
    answer[14..].to_vec()
}

#[test]
fn a_download_replaces_an_existing_db() {
    let plc = plc();
    let mut session = plc.session();
    // DB2 has 32 bytes: its upper half is out of range.
    assert_eq!(
        read_db2_upper_half(&plc, &mut session),
        [0x05, 0x00, 0x00, 0x00]
    );
    let mut image = plc.block_image(BlockType::Db, 1).unwrap();
    image[6..8].copy_from_slice(&2u16.to_be_bytes());
    image[36..100].fill(0xCD);
    let job_ref = start_download(
        &plc,
        &mut session,
        1,
        b"\x1a\x00\x01\x00\x00\x00\x00\x00\x09_0A00002P\x0d1000156000064",
    );
    let next = exchange(&plc, &mut session, &part(job_ref, false, &image));
    assert_eq!(&next[10..12], &[0x1C, 0x00]);
    let end_ref = u16::from_be_bytes([next[4], next[5]]);
    assert!(exchange(&plc, &mut session, &ack_data(end_ref, &[0x1C], &[])).is_empty());
    // 64 bytes now, all of them the downloaded data.
    let mut expected = vec![0xFF, 0x04, 0x01, 0x00];
    expected.extend_from_slice(&[0xCD; 32]);
    assert_eq!(read_db2_upper_half(&plc, &mut session), expected);
    // Listed once, with the new lengths in its block info.
    let list = exchange(
        &plc,
        &mut session,
        &userdata(2, &LIST_OF_TYPE, &[0xFF, 0x09, 0x00, 0x02, 0x30, 0x41]),
    );
    assert_eq!(
        &list[26..],
        &[0, 1, 0x01, 0x05, 0, 2, 0x01, 0x05, 0, 100, 0x01, 0x05]
    );
    let all = exchange(
        &plc,
        &mut session,
        &userdata(3, &LIST_ALL, &[0x0A, 0, 0, 0]),
    );
    assert_eq!(&all[30..34], &[0x30, 0x41, 0, 3], "still 3 DBs");
    let info = exchange(
        &plc,
        &mut session,
        &userdata(4, &BLOCK_INFO, b"\xff\x09\x00\x080A00002A"),
    );
    assert_eq!(
        &info[26 + 14..26 + 18],
        &156u32.to_be_bytes(),
        "load length"
    );
    assert_eq!(&info[26 + 40..26 + 42], &[0, 64], "MC7 length");
}

#[test]
fn a_disconnect_in_the_middle_of_the_parts_cleans_up_the_download() {
    use std::time::Duration;
    const TIMEOUT: Duration = Duration::from_secs(10);
    let server = s7_mock::Server::builder()
        .data_block_with(1, (0..64).collect())
        .data_block(2, 32)
        .start()
        .unwrap();
    let image = db42_image(server.plc());
    let before = server.plc().block_numbers(BlockType::Db);
    let mut raw = iso_tcp::ClientOptions::new(server.local_addr())
        .read_timeout(Some(TIMEOUT))
        .write_timeout(Some(TIMEOUT))
        .connect()
        .unwrap();
    raw.send(&job(1, REQUEST_DB42)).unwrap();
    assert_eq!(&raw.recv().unwrap()[12..], &[0x1A]);
    let first = raw.recv().unwrap();
    assert_eq!(first[10], 0x1B);
    raw.send(&part(
        u16::from_be_bytes([first[4], first[5]]),
        true,
        &image[..100],
    ))
    .unwrap();
    let second = raw.recv().unwrap();
    assert_eq!(second[10], 0x1B, "the PLC asks for the next part");
    // The connection goes away with part of the block sent.
    drop(raw);
    server.wait_for_open_connections(0, TIMEOUT).unwrap();
    assert_eq!(server.plc().block_numbers(BlockType::Db), before);
    assert!(server
        .memory()
        .region_len(s7_mock::memory::Region::DataBlock(42))
        .is_none());
    // A new connection downloads the same block.
    let mut client = s7_client::Client::builder(server.local_addr())
        .read_timeout(Some(TIMEOUT))
        .write_timeout(Some(TIMEOUT))
        .connect()
        .unwrap();
    client.download(&image).unwrap();
    assert_eq!(client.read_db(42, 0, 64).unwrap(), [0xAB; 64]);
    assert_eq!(server.plc().block_numbers(BlockType::Db), [1, 2, 42]);
}

#[test]
fn delete_and_insert() {
    let plc = plc();
    let mut session = plc.session();
    // snap7's layout: DB2.
    let answer = exchange(
        &plc,
        &mut session,
        &job(1, b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x30\x41\x30\x30\x30\x30\x32\x42\x05_DELE"),
    );
    assert_eq!(&answer[12..], &[0x28]);
    assert_eq!(plc.block_numbers(BlockType::Db), [1, 100]);
    // python-snap7 3.3.0's layout: FC5.
    let answer = exchange(
        &plc,
        &mut session,
        &job(2, b"\x28\x00\x00\x00\x00\x00\x08\x05\x004300005P_DELE"),
    );
    assert_eq!(&answer[12..], &[0x28]);
    assert!(plc.block_numbers(BlockType::Fc).is_empty());
    // A block that is not there: D2 09, nothing deleted (all or none).
    let answer = exchange(
        &plc,
        &mut session,
        &job(3, b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x12\x02\x00\x30\x41\x30\x30\x30\x30\x31\x42\x30\x41\x30\x30\x30\x30\x39\x42\x05_DELE"),
    );
    assert_eq!(header_error(&answer), 0xD209);
    assert_eq!(plc.block_numbers(BlockType::Db), [1, 100]);
    // Insert of a block that was never downloaded.
    let answer = exchange(
        &plc,
        &mut session,
        &job(4, b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x30\x41\x30\x30\x30\x30\x37\x50\x05_INSE"),
    );
    assert_eq!(header_error(&answer), 0xD209);
    // Compress and copy RAM to ROM are acknowledged.
    for params in [
        &b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x00\x05_GARB"[..],
        &b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x02EP\x05_MODU"[..],
    ] {
        assert_eq!(
            &exchange(&plc, &mut session, &job(5, params))[12..],
            &[0x28]
        );
    }
}

#[test]
fn profile_declares_blocks() {
    let profile = Profile::from_toml_str(
        r#"
[[db]]
number = 1
size = 8

[[block]]
type = "OB"
number = 1
size = 30
author = "ME"

[[block]]
type = "sdb"
number = 0
size = 4
"#,
        "blocks.toml",
    )
    .unwrap();
    assert_eq!(profile.blocks().len(), 2);
    assert_eq!(profile.blocks()[0].meta.author, *b"ME\0\0\0\0\0\0");
    let bad = Profile::from_toml_str("[[block]]\ntype = \"XB\"\nnumber = 1\nsize = 1\n", "b.toml");
    assert!(bad.unwrap_err().to_string().contains("block"));
}

#[test]
fn profile_blocks_take_every_metadata_key() {
    use s7_mock::plc::BlockMeta;
    use s7comm::block::BlockTime;
    let profile = Profile::from_toml_str(
        r#"
[[block]]
type = "FB"
number = 7
size = 4
author = "ACME"
family = "PUMPS"
name = "CTRL"
version = "2.3"
language = "scl"
flags = 0x21
local_data = 88
checksum = 0xBEEF
code_time = 2024-03-15T08:30:00.250
interface_time = 2020-01-01
"#,
        "blocks.toml",
    )
    .unwrap();
    assert_eq!(
        profile.blocks()[0].meta,
        BlockMeta {
            author: *b"ACME\0\0\0\0",
            family: *b"PUMPS\0\0\0",
            name: *b"CTRL\0\0\0\0",
            version: 0x23,
            language: 0x04,
            flags: 0x21,
            local_data: 88,
            checksum: Some(0xBEEF),
            code_time: BlockTime::from_calendar(2024, 3, 15, 30_600_250).unwrap(),
            interface_time: BlockTime::from_calendar(2020, 1, 1, 0).unwrap(),
        }
    );
    // Block info serves them.
    let server = s7_mock::Server::builder()
        .profile(&profile)
        .unwrap()
        .start()
        .unwrap();
    let image = server.plc().block_image(BlockType::Fb, 7).unwrap();
    assert_eq!(&image[2..6], &[0x01, 0x21, 0x04, 0x0E]);
    assert_eq!(&image[32..34], &[0, 88], "local data");
    assert_eq!(
        &image[image.len() - 12..image.len() - 8],
        &[0x23, 0, 0xBE, 0xEF]
    );
}

#[test]
fn profile_block_metadata_errors_name_the_line_and_key() {
    let head = "[[block]]\ntype = \"FC\"\nnumber = 1\nsize = 2\n";
    let cases = [
        (
            "version = \"1.16\"",
            "b.toml:5: [[block]] version: \"1.16\" is not a version MAJOR.MINOR (each 0..=15)",
        ),
        (
            "version = \"3\"",
            "b.toml:5: [[block]] version: \"3\" is not a version MAJOR.MINOR (each 0..=15)",
        ),
        (
            "language = \"AWL\"",
            "b.toml:5: [[block]] language: \"AWL\" is not one of STL, LAD, FBD, SCL, DB, GRAPH, SDB",
        ),
        ("flags = 256", "b.toml:5: [[block]] flags: 256 is outside 0..=255"),
        (
            "local_data = -1",
            "b.toml:5: [[block]] local_data: -1 is outside 0..=65535",
        ),
        (
            "checksum = 65536",
            "b.toml:5: [[block]] checksum: 65536 is outside 0..=65535",
        ),
        (
            "code_time = 1983-12-31",
            "b.toml:5: [[block]] code_time: 1983-12-31 is outside 1984-01-01..=2163-06-06, the range of a block timestamp",
        ),
        (
            "interface_time = 2024-01-01T00:00:00Z",
            "b.toml:5: [[block]] interface_time: 2024-01-01T00:00:00Z has a time zone; a block timestamp is a local date or date-time",
        ),
        (
            "code_time = 08:00:00",
            "b.toml:5: [[block]] code_time: 08:00:00 has no date",
        ),
        (
            "language = 5",
            "b.toml:5: [[block]] language: invalid type: integer `5`, expected a string",
        ),
    ];
    for (line, expected) in cases {
        let text = format!("{head}{line}\n");
        let error = Profile::from_toml_str(&text, "b.toml").unwrap_err();
        assert_eq!(error.to_string(), expected, "{line}");
    }
}

#[test]
fn profile_block_file_is_the_body_and_a_db_block_creates_the_db() {
    let dir = std::env::temp_dir().join(format!("s7-mock-blocks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ob1.mc7"), [0x70, 0x0B, 0x00, 0x03]).unwrap();
    std::fs::write(dir.join("db9.bin"), [9, 8, 7]).unwrap();
    let origin = dir.join("blocks.toml");
    let text = r#"
[[block]]
type = "OB"
number = 1
size = 6
file = "ob1.mc7"

[[block]]
type = "DB"
number = 9
size = 5
file = "db9.bin"
name = "RECIPE"
"#;
    let profile = Profile::from_toml_str(text, &origin).unwrap();
    assert_eq!(
        profile.blocks()[0].body.as_deref(),
        Some(&[0x70, 0x0B, 0x00, 0x03, 0, 0][..])
    );
    let server = s7_mock::Server::builder()
        .profile(&profile)
        .unwrap()
        .start()
        .unwrap();
    // The OB's body is the file's bytes, zero-padded to its size.
    let ob1 = server.plc().block_image(BlockType::Ob, 1).unwrap();
    assert_eq!(&ob1[36..42], &[0x70, 0x0B, 0x00, 0x03, 0, 0]);
    // type = "DB" creates DB9 with the file as its contents, listed with its metadata.
    assert_eq!(
        server
            .read_bytes(s7_mock::memory::Region::DataBlock(9), 0, 5)
            .unwrap(),
        [9, 8, 7, 0, 0]
    );
    assert_eq!(server.plc().block_numbers(BlockType::Db), [9]);
    let db9 = server.plc().block_image(BlockType::Db, 9).unwrap();
    assert_eq!(db9[4], 0x05, "language DB");
    assert_eq!(&db9[db9.len() - 20..db9.len() - 12], b"RECIPE\0\0");
    // A file longer than the block, and a missing one.
    let long = "[[block]]\ntype = \"FC\"\nnumber = 1\nsize = 2\nfile = \"ob1.mc7\"\n";
    assert_eq!(
        Profile::from_toml_str(long, &origin)
            .unwrap_err()
            .to_string(),
        format!(
            "{}:5: [[block]] file: \"ob1.mc7\" holds more than the block's 2 bytes",
            origin.display()
        )
    );
    let missing = "[[block]]\ntype = \"FC\"\nnumber = 1\nsize = 2\nfile = \"nope.mc7\"\n";
    let message = Profile::from_toml_str(missing, &origin)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(&format!(
            "{}:5: [[block]] file: cannot read \"nope.mc7\"",
            origin.display()
        )),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
