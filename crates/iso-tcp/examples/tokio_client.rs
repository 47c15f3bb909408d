//! An ISO-on-TCP client on tokio: connect, send an S7comm "setup communication" and a 4-byte
//! read, check and print the answers.
//!
//! ```text
//! cargo run -p iso-tcp --features tokio --example tokio_client                  # own echo listener
//! cargo run -p s7-mock                                                          # in one terminal:
//!                                                                               #   "listening on 127.0.0.1:1102"
//! cargo run -p iso-tcp --features tokio --example tokio_client -- 127.0.0.1:1102   # against the mock
//! ```
//!
//! Without an address the example starts a tokio echo listener of its own (127.0.0.1, a free
//! port) and talks to it, so it runs standalone: iso-tcp does not depend on the mock, and each
//! answer must be its request echoed. Given the address of the mock (or of any S7 server), the
//! same bytes are real S7 requests and the answers are the server's: each must be an
//! acknowledgement without an error class, and the read's item must come back with return
//! code 0xFF and 4 bytes. Any other answer ends the example with an error (exit code 1);
//! `cargo xtask integration` runs it against the mock. `RUST_LOG=debug` shows more.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use iso_tcp::{ClientOptions, RemoteAddr, ServerOptions, TpduSize};

/// S7comm setup communication: job, PDU reference 0, 8 parameter bytes, asking for a PDU of
/// 480 bytes and 1 parallel job each way.
const SETUP_COMMUNICATION: [u8; 18] = [
    0x32, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, // header
    0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xE0, // setup communication
];

/// S7comm read var: one item, 4 bytes of merkers from MB0.
const READ_MB0_4: [u8; 24] = [
    0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0E, 0x00, 0x00, // header
    0x04, 0x01, // read var, 1 item
    0x12, 0x0A, 0x10, 0x02, 0x00, 0x04, 0x00, 0x00, 0x83, 0x00, 0x00, 0x00, // MB0, 4 bytes
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let (remote, echo) = match std::env::args().nth(1) {
        Some(addr) => (RemoteAddr::from(addr), false),
        None => (RemoteAddr::from(start_echo_listener().await?), true),
    };

    let mut connection = iso_tcp::tokio::connect(
        ClientOptions::new(remote)
            .tpdu_size(TpduSize::S1024)
            .connect_timeout(Duration::from_secs(3))
            .read_timeout(Some(Duration::from_secs(3))),
    )
    .await?;
    println!(
        "connected to {} (tpdu size {}, local tsap {:?}, remote tsap {:?})",
        connection.peer_addr(),
        connection.tpdu_size(),
        connection.local_tsap(),
        connection.remote_tsap()
    );

    for (name, request) in [
        ("setup communication", &SETUP_COMMUNICATION[..]),
        ("read MB0..MB3", &READ_MB0_4[..]),
    ] {
        connection.send(request).await?;
        // recv is cancel-safe, so a timeout around it loses nothing if it strikes.
        let answer = tokio::time::timeout(Duration::from_secs(3), connection.recv()).await??;
        println!(
            "{name}: sent {} bytes, got {:02X?}",
            request.len(),
            &answer[..]
        );
        if echo {
            if answer != request {
                return Err(format!("{name}: the echo differs from the request").into());
            }
        } else {
            check_answer(request, &answer).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    connection.close().await?;
    Ok(())
}

/// S7comm ROSCTR of an acknowledgement with data.
const ACK_DATA: u8 = 0x03;

/// S7comm function codes of the two requests.
const SETUP: u8 = 0xF0;
const READ_VAR: u8 = 0x04;

/// Checks an S7comm answer to `request`: an acknowledgement with data of the same PDU
/// reference and function, no error class, lengths that add up; for a read, one item with
/// return code 0xFF and 4 bytes of data.
fn check_answer(request: &[u8], answer: &[u8]) -> Result<(), String> {
    let header = answer
        .get(..12)
        .ok_or_else(|| format!("an answer of {} bytes, shorter than a header", answer.len()))?;
    let be16 = |at: usize| u16::from_be_bytes([header[at], header[at + 1]]);
    if header[0] != 0x32 || header[1] != ACK_DATA {
        return Err(format!(
            "not an acknowledgement with data (protocol {:#04x}, rosctr {:#04x})",
            header[0], header[1]
        ));
    }
    if header[10] != 0 || header[11] != 0 {
        return Err(format!(
            "error class {:#04x}, code {:#04x}",
            header[10], header[11]
        ));
    }
    if header[4..6] != request[4..6] {
        return Err(format!("pdu reference {:#06x}, not the request's", be16(4)));
    }
    let (param_len, data_len) = (usize::from(be16(6)), usize::from(be16(8)));
    if 12 + param_len + data_len != answer.len() {
        return Err(format!(
            "{param_len} parameter and {data_len} data bytes announced in {} bytes",
            answer.len()
        ));
    }
    let params = &answer[12..12 + param_len];
    let data = &answer[12 + param_len..];
    let function = request[10];
    if params.first() != Some(&function) {
        return Err(format!(
            "answers function {:02X?}, asked {function:#04x}",
            params.first()
        ));
    }
    match function {
        SETUP if params.len() == 8 => {
            let pdu = u16::from_be_bytes([params[6], params[7]]);
            println!("  negotiated pdu size {pdu}");
            Ok(())
        }
        SETUP => Err(format!("setup parameters of {} bytes", params.len())),
        READ_VAR => match data {
            [0xFF, _, _, _, value @ ..] if value.len() == 4 => {
                println!("  MB0..MB3 = {value:02X?}");
                Ok(())
            }
            [0xFF, ..] => Err(format!(
                "{} item bytes, asked 4",
                data.len().saturating_sub(4)
            )),
            [code, ..] => Err(format!("item return code {code:#04x}")),
            [] => Err("no item in the answer".into()),
        },
        _ => Ok(()),
    }
}

/// An echo server on a task of its own, for running the example without a PLC or the mock.
async fn start_echo_listener() -> Result<std::net::SocketAddr, iso_tcp::Error> {
    let listener = iso_tcp::tokio::Listener::bind(
        "127.0.0.1:0".parse().expect("address"),
        ServerOptions::new(),
    )
    .await?;
    let addr = listener.local_addr();
    tokio::spawn(async move {
        while let Ok(mut connection) = listener.accept().await {
            tokio::spawn(async move {
                while let Ok(request) = connection.recv().await {
                    if connection.send(&request).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mock's answer to the setup request (PDU 480).
    const SETUP_ANSWER: [u8; 20] = [
        0x32, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, // header
        0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xE0,
    ];

    /// An answer to the read: one item, return code 0xFF, byte access, 32 bits.
    const READ_ANSWER: [u8; 22] = [
        0x32, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x08, 0x00, 0x00, // header
        0x04, 0x01, // read var, 1 item
        0xFF, 0x04, 0x00, 0x20, 0x01, 0x02, 0x03, 0x04,
    ];

    #[test]
    fn good_answers_pass() {
        assert_eq!(check_answer(&SETUP_COMMUNICATION, &SETUP_ANSWER), Ok(()));
        assert_eq!(check_answer(&READ_MB0_4, &READ_ANSWER), Ok(()));
    }

    #[test]
    fn error_answers_fail() {
        // An item the server could not read (0x0A: object does not exist).
        let mut missing = READ_ANSWER[..18].to_vec();
        missing[9] = 0x04;
        missing[14] = 0x0A;
        missing[15] = 0x00;
        missing[16] = 0x00;
        missing[17] = 0x00;
        assert_eq!(
            check_answer(&READ_MB0_4, &missing),
            Err("item return code 0x0a".into())
        );
        // A header error class (0x81: application relationship).
        let mut refused = SETUP_ANSWER;
        refused[10] = 0x81;
        refused[11] = 0x04;
        assert!(check_answer(&SETUP_COMMUNICATION, &refused)
            .unwrap_err()
            .starts_with("error class 0x81"));
        // A job instead of an acknowledgement, a short answer, lengths that do not add up,
        // the wrong PDU reference.
        assert!(check_answer(&SETUP_COMMUNICATION, &SETUP_COMMUNICATION).is_err());
        assert!(check_answer(&READ_MB0_4, &READ_ANSWER[..11]).is_err());
        assert!(check_answer(&READ_MB0_4, &READ_ANSWER[..21]).is_err());
        let mut other = READ_ANSWER;
        other[5] = 0x07;
        assert!(check_answer(&READ_MB0_4, &other).is_err());
        // The read's answer to the setup request.
        assert!(check_answer(&SETUP_COMMUNICATION, &READ_ANSWER).is_err());
    }
}
