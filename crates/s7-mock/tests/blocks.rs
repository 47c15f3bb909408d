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

#[test]
fn bad_downloads_leave_the_directory_unchanged() {
    let plc = Plc::builder()
        .data_block(1, 64)
        .max_block_size(1000)
        .build()
        .unwrap();
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
    // A second download while one is in flight.
    exchange(&plc, &mut session, &job(3, REQUEST_DB42));
    let mut out = Vec::new();
    assert!(plc.take_outgoing(&mut session, &mut out));
    let job_ref = u16::from_be_bytes([out[4], out[5]]);
    let answer = exchange(&plc, &mut session, &job(4, REQUEST_DB42));
    assert_eq!(header_error(&answer), 0xD20E);
    // A part longer than announced abandons the download.
    let mut data = vec![0x00, 0xA0, 0x00, 0xFB];
    data.extend_from_slice(&[0; 160]);
    let next = exchange(&plc, &mut session, &ack_data(job_ref, &[0x1B, 0], &data));
    assert!(next.is_empty());
    assert!(!session.has_transfer());
    // A whole download whose image is not a block (load length wrong).
    exchange(&plc, &mut session, &job(5, REQUEST_DB42));
    assert!(plc.take_outgoing(&mut session, &mut out));
    let job_ref = u16::from_be_bytes([out[4], out[5]]);
    let mut data = vec![0x00, 156, 0x00, 0xFB];
    data.extend_from_slice(&[0; 156]);
    let next = exchange(&plc, &mut session, &ack_data(job_ref, &[0x1B, 0], &data));
    let job_ref = u16::from_be_bytes([next[4], next[5]]);
    assert!(exchange(&plc, &mut session, &ack_data(job_ref, &[0x1C], &[])).is_empty());
    assert_eq!(plc.block_numbers(BlockType::Db), before);
    // A download abandoned by another request: the next request download is accepted.
    exchange(&plc, &mut session, &job(7, REQUEST_DB42));
    assert!(plc.take_outgoing(&mut session, &mut out));
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
