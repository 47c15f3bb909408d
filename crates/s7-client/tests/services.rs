//! Session passwords, protection, the diagnostic buffer and the SZL directory against the
//! in-process mock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use s7_client::{Client, Error};
use s7_mock::plc::{DiagnosticEvent, ProtectionLevel};
use s7_mock::server::Server;

fn connect(server: &Server) -> Client {
    Client::builder(server.local_addr())
        .read_timeout(Some(Duration::from_secs(10)))
        .connect()
        .unwrap()
}

#[test]
fn passwords_unlock_one_connection_until_cleared() {
    let server = Server::builder()
        .data_block(1, 16)
        .password("secret")
        .protection_level(ProtectionLevel::WriteProtected)
        .start()
        .unwrap();
    let mut client = connect(&server);
    let mut other = connect(&server);
    let protection = client.protection().unwrap();
    assert_eq!(
        (
            protection.parameter_level,
            protection.level,
            protection.mode_selector
        ),
        (2, 2, 2)
    );
    let refused = client.write_db(1, 0, &[1]).unwrap_err();
    assert!(
        matches!(
            refused,
            Error::ErrorAnswer {
                class: 0xD2,
                code: 0x41,
                ..
            }
        ),
        "{refused:?}"
    );
    let wrong = client.set_session_password("wrong").unwrap_err();
    assert!(
        matches!(
            wrong,
            Error::ErrorAnswer {
                class: 0xD6,
                code: 0x02,
                ..
            }
        ),
        "{wrong:?}"
    );
    client.set_session_password("secret").unwrap();
    client.write_db(1, 0, &[1]).unwrap();
    assert!(other.write_db(1, 0, &[2]).is_err());
    client.clear_session_password().unwrap();
    assert!(client.write_db(1, 0, &[3]).is_err());
    assert_eq!(client.read_db(1, 0, 1).unwrap(), [1]);
    assert!(client.set_session_password("123456789").is_err());
}

#[test]
fn diagnostic_buffer_and_szl_list() {
    let server = Server::builder().start().unwrap();
    let mut client = connect(&server);
    client.plc_stop().unwrap();
    client.plc_hot_start().unwrap();
    server.push_diagnostic(DiagnosticEvent::new(0x3942));
    let entries = client.read_diagnostic_buffer().unwrap();
    let ids: Vec<u16> = entries.iter().map(|e| e.event_id).collect();
    assert_eq!(ids[..5], [0x3942, 0x4302, 0x4301, 0x1381, 0x4304]);
    assert!(entries[1].time.is_some());
    assert_eq!((entries[4].dat_id, entries[4].info1), (0xC400, 0x0804));
    let list = client.read_szl_list().unwrap();
    assert_eq!(list, s7_mock::plc::SZL_IDS);
    assert_eq!(client.protection().unwrap().level, 1);
}
