//! The client's block services against the in-process mock: list, list of type (in parts),
//! block info, upload, download (answering the PLC's jobs) and delete.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use s7_client::{Client, Error};
use s7_mock::plc::{BlockSpec, BlockType};
use s7_mock::server::Server;

const TIMEOUT: Duration = Duration::from_secs(10);

fn connect(server: &Server) -> Client {
    Client::builder(server.local_addr())
        .read_timeout(Some(TIMEOUT))
        .write_timeout(Some(TIMEOUT))
        .connect()
        .unwrap()
}

/// The numbers of the data blocks in the PLC's directory.
fn db_numbers(c: &mut Client) -> Vec<u16> {
    c.list_blocks_of_type(BlockType::Db)
        .unwrap()
        .iter()
        .map(|e| e.number)
        .collect()
}

#[test]
fn directory_upload_download_delete() {
    let mut builder = Server::builder()
        .pdu_size(240)
        .data_block_with(1, (0..64).collect())
        .block(BlockSpec::new(BlockType::Ob, 1, 40));
    for n in 200..300 {
        builder = builder.data_block(n, 2);
    }
    let server = builder.start().unwrap();
    let mut c = connect(&server);

    let counts = c.list_blocks().unwrap();
    assert_eq!(counts.len(), 7);
    assert_eq!(counts[0].block_type, BlockType::Ob);
    assert_eq!(counts[0].count, 1);
    assert_eq!(counts[1].count, 101);

    let dbs = db_numbers(&mut c);
    assert_eq!(dbs.len(), 101, "a list larger than one 240-byte PDU");
    assert_eq!(dbs[0], 1);

    let info = c.block_info(BlockType::Ob, 1).unwrap();
    assert_eq!(info.header.mc7_len, 40);
    assert_eq!(info.header.local_data, 20);

    let image = c.upload(BlockType::Db, 1).unwrap();
    assert_eq!(image.len(), 64 + 92);
    assert_eq!(&image[36..100], &(0..64).collect::<Vec<u8>>()[..]);

    let mut db7 = image.clone();
    db7[6..8].copy_from_slice(&7u16.to_be_bytes());
    db7[36..100].fill(0x5A);
    c.download(&db7).unwrap();
    assert_eq!(c.read_db(7, 0, 64).unwrap(), vec![0x5A; 64]);
    assert_eq!(c.upload(BlockType::Db, 7).unwrap()[36..100], [0x5A; 64]);

    c.delete(BlockType::Db, 7).unwrap();
    match c.block_info(BlockType::Db, 7) {
        Err(Error::ErrorAnswer { class, code, .. }) => assert_eq!((class, code), (0xD2, 0x09)),
        other => panic!("block info of a deleted block: {other:?}"),
    }
    match c.delete(BlockType::Db, 7) {
        Err(Error::ErrorAnswer { class, code, .. }) => assert_eq!((class, code), (0xD2, 0x09)),
        other => panic!("delete of a missing block: {other:?}"),
    }
    // The connection is still usable.
    assert_eq!(c.read_db(1, 0, 2).unwrap(), [0, 1]);
}

#[test]
fn protection_guards_download_delete_and_upload() {
    use s7_mock::plc::ProtectionLevel;
    let refused = |result: Result<(), Error>| {
        assert!(
            matches!(
                result,
                Err(Error::ErrorAnswer {
                    class: 0xD2,
                    code: 0x41,
                    ..
                })
            ),
            "{result:?}"
        );
    };
    let server = Server::builder()
        .data_block_with(1, (0..16).collect())
        .block(BlockSpec::new(BlockType::Ob, 1, 40))
        .password("secret")
        .protection_level(ProtectionLevel::WriteProtected)
        .start()
        .unwrap();
    let mut c = connect(&server);
    // Level 2: uploads read, downloads and deletes write.
    let image = c.upload(BlockType::Db, 1).unwrap();
    let mut db9 = image.clone();
    db9[6..8].copy_from_slice(&9u16.to_be_bytes());
    refused(c.download(&db9));
    refused(c.delete(BlockType::Db, 1));
    assert_eq!(c.list_blocks_of_type(BlockType::Db).unwrap().len(), 1);
    c.set_session_password("secret").unwrap();
    c.download(&db9).unwrap();
    c.delete(BlockType::Db, 1).unwrap();
    let dbs = db_numbers(&mut c);
    assert_eq!(dbs, [9]);

    // Level 3: uploads are refused too.
    let server = Server::builder()
        .data_block(1, 16)
        .password("secret")
        .protection_level(ProtectionLevel::ReadWriteProtected)
        .start()
        .unwrap();
    let mut c = connect(&server);
    refused(c.upload(BlockType::Db, 1).map(drop));
    c.set_session_password("secret").unwrap();
    assert_eq!(c.upload(BlockType::Db, 1).unwrap().len(), 16 + 92);
}

#[test]
fn a_bad_block_is_reported_with_the_plcs_code_not_a_timeout() {
    let server = Server::builder()
        .data_block_with(1, (0..16).collect())
        .start()
        .unwrap();
    let mut c = connect(&server);
    let mut db9 = c.upload(BlockType::Db, 1).unwrap();
    db9[6..8].copy_from_slice(&9u16.to_be_bytes());
    // Not a block header: the PLC ends the download with D2 30 in its download ended job.
    db9[..2].copy_from_slice(b"qq");
    let started = std::time::Instant::now();
    match c.download(&db9) {
        Err(Error::ErrorAnswer {
            what: "download",
            class: 0xD2,
            code: 0x30,
        }) => {}
        other => panic!("download of a bad block: {other:?}"),
    }
    assert!(started.elapsed() < TIMEOUT / 2, "answered, not timed out");
    let dbs = db_numbers(&mut c);
    assert_eq!(dbs, [1], "the directory is unchanged");
    // The connection downloads the good block afterwards.
    db9[..2].copy_from_slice(b"pp");
    c.download(&db9).unwrap();
    assert_eq!(c.read_db(9, 0, 4).unwrap(), [0, 1, 2, 3]);
}
