//! What only the tokio front-end has: cancel safety of `recv`, and socket options applied
//! through socket2 on tokio sockets. (Everything both front-ends share is in `matrix.rs`.)

#![cfg(feature = "tokio")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::Write;
use std::thread;
use std::time::Duration;

use common::*;
use iso_tcp::{AcceptDecision, DisconnectReason, Error, Keepalive, TpduSize};
use socket2::SockRef;

/// A raw peer that trickles `messages`, each cut into 128-byte TPDUs, a few bytes at a time
/// with pauses, so that reads end inside headers, inside frames and between segments.
fn trickling_peer(messages: Vec<Vec<u8>>) -> (std::net::SocketAddr, thread::JoinHandle<()>) {
    raw_server(0x07, move |mut stream| {
        stream.set_nodelay(true).unwrap();
        for message in messages {
            for piece in dts(&message, 128).chunks(37) {
                stream.write_all(piece).unwrap();
                thread::sleep(Duration::from_millis(3));
            }
        }
        let _ = read_to_end(&mut stream);
    })
}

#[tokio::test]
async fn recv_dropped_by_a_timeout_loses_no_bytes() {
    let messages = vec![pattern(700), pattern(5), pattern(1000)];
    let (addr, peer) = trickling_peer(messages.clone());
    let mut client = iso_tcp::tokio::connect(client_options(addr).tpdu_size(TpduSize::S128))
        .await
        .unwrap();
    let mut cancelled = 0;
    for message in &messages {
        let got = loop {
            match tokio::time::timeout(Duration::from_millis(2), client.recv()).await {
                Ok(result) => break result.unwrap(),
                Err(_) => cancelled += 1,
            }
        };
        assert_eq!(&got[..], &message[..]);
        assert!(!client.is_broken());
    }
    assert!(cancelled > 10, "only {cancelled} recv futures were dropped");
    client.close().await.unwrap();
    peer.join().unwrap();
}

#[tokio::test]
async fn recv_losing_a_select_race_loses_no_bytes() {
    let messages = vec![pattern(2000), pattern(300)];
    let (addr, peer) = trickling_peer(messages.clone());
    let mut client = iso_tcp::tokio::connect(client_options(addr).tpdu_size(TpduSize::S128))
        .await
        .unwrap();
    let mut ticks = tokio::time::interval(Duration::from_millis(1));
    let mut got = Vec::new();
    let mut lost_races = 0;
    while got.len() < messages.len() {
        tokio::select! {
            result = client.recv() => got.push(result.unwrap().to_vec()),
            _ = ticks.tick() => lost_races += 1,
        }
    }
    assert_eq!(got, messages);
    assert!(lost_races > 5, "recv lost only {lost_races} races");
    drop(client);
    peer.join().unwrap();
}

#[tokio::test]
async fn the_receive_deadline_runs_on_across_dropped_recv_calls() {
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let (addr, peer) = raw_server(0x0A, move |mut stream| {
        stream.write_all(&dt(true, b"never finished")[..9]).unwrap();
        let _ = done_rx.recv();
    });
    let mut client = iso_tcp::tokio::connect(
        client_options(addr)
            .read_timeout(None)
            .receive_deadline(Some(Duration::from_millis(200))),
    )
    .await
    .unwrap();
    // Short recv calls, each dropped: the deadline counts from the first byte all the same.
    let started = tokio::time::Instant::now();
    let error = loop {
        if let Ok(result) = tokio::time::timeout(Duration::from_millis(20), client.recv()).await {
            break result.unwrap_err();
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "deadline never struck"
        );
    };
    assert!(
        matches!(error, Error::ReceiveDeadline { received: 9, .. }),
        "{error:?}"
    );
    done_tx.send(()).unwrap();
    drop(client);
    peer.join().unwrap();
}

/// A tokio listener on loopback whose connections get `keepalive`.
async fn listener_with(keepalive: Keepalive) -> iso_tcp::tokio::Listener {
    iso_tcp::tokio::Listener::bind(
        "127.0.0.1:0".parse().unwrap(),
        server_options().keepalive(Some(keepalive)),
    )
    .await
    .unwrap()
}

/// Asserts that `socket` has keepalive and TCP_NODELAY on, and (where the values read back
/// as set: Linux) `keepalive`'s timings.
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
fn assert_stream_options(socket: &SockRef<'_>, keepalive: Keepalive) {
    assert!(socket.keepalive().unwrap());
    assert!(socket.tcp_nodelay().unwrap());
    #[cfg(target_os = "linux")]
    {
        assert_eq!(socket.tcp_keepalive_time().unwrap(), keepalive.idle);
        assert_eq!(socket.tcp_keepalive_interval().unwrap(), keepalive.interval);
        assert_eq!(socket.tcp_keepalive_retries().unwrap(), keepalive.retries);
    }
}

#[tokio::test]
async fn keepalive_and_nodelay_are_set_through_socket2_on_both_sides() {
    let keepalive = Keepalive {
        idle: Duration::from_secs(7),
        interval: Duration::from_secs(2),
        retries: 4,
    };
    let listener = listener_with(keepalive).await;
    let addr = listener.local_addr();
    let server = tokio::spawn(async move { listener.accept().await });
    let client = iso_tcp::tokio::connect(client_options(addr).keepalive(Some(keepalive)))
        .await
        .unwrap();
    let server = server.await.unwrap().unwrap();
    for connection in [&client, &server] {
        assert_stream_options(&SockRef::from(connection.stream()), keepalive);
    }
    client.close().await.unwrap();
    drop(server);
}

#[tokio::test]
async fn accepted_sockets_get_the_options_whatever_the_listening_socket_holds() {
    let keepalive = Keepalive {
        idle: Duration::from_secs(9),
        interval: Duration::from_secs(3),
        retries: 5,
    };
    let listener = listener_with(keepalive).await;
    let addr = listener.local_addr();
    let listening = SockRef::from(listener.listener());
    // On Linux the listening socket holds the options, for accepted sockets to inherit.
    #[cfg(target_os = "linux")]
    assert_stream_options(&listening, keepalive);
    // Changed behind the listener's back: accepted sockets get the options all the same.
    listening.set_keepalive(false).unwrap();
    listening.set_tcp_nodelay(false).unwrap();
    let server = tokio::spawn(async move { listener.accept().await });
    let client = iso_tcp::tokio::connect(client_options(addr)).await.unwrap();
    let server = server.await.unwrap().unwrap();
    assert_stream_options(&SockRef::from(server.stream()), keepalive);
    client.close().await.unwrap();
    drop(server);
}

#[tokio::test]
async fn handshakes_run_in_tasks_of_their_own_and_can_refuse() {
    let listener = iso_tcp::tokio::Listener::bind("127.0.0.1:0".parse().unwrap(), server_options())
        .await
        .unwrap();
    let addr = listener.local_addr();
    let server = tokio::spawn(async move {
        let mut results = Vec::new();
        for _ in 0..2 {
            let pending = listener.accept_tcp().await.unwrap();
            results.push(tokio::spawn(pending.handshake(|request| {
                match request.called_tsap.as_ref().and_then(|t| t.to_u16()) {
                    Some(0x0102) => AcceptDecision::Accept,
                    _ => AcceptDecision::Refuse(DisconnectReason::ConnectionRefused),
                }
            })));
        }
        let mut out = Vec::new();
        for result in results {
            out.push(result.await.unwrap());
        }
        out
    });
    let refused =
        iso_tcp::tokio::connect(client_options(addr).remote_tsap(iso_tcp::Tsap::from_u16(0x0301)))
            .await
            .err()
            .unwrap();
    assert!(
        matches!(
            refused,
            Error::Refused {
                reason: DisconnectReason::ConnectionRefused
            }
        ),
        "{refused:?}"
    );
    let mut client = iso_tcp::tokio::connect(client_options(addr)).await.unwrap();
    let results = server.await.unwrap();
    assert!(matches!(results[0], Err(Error::RefusedLocally { .. })));
    let mut server = results.into_iter().nth(1).unwrap().unwrap();
    client.send(b"ping").await.unwrap();
    assert_eq!(&server.recv().await.unwrap()[..], b"ping");
    server.send(b"pong").await.unwrap();
    assert_eq!(&client.recv().await.unwrap()[..], b"pong");
    assert_eq!(server.remote_tsap(), client.local_tsap());
}

#[tokio::test]
async fn a_silent_client_times_out_the_server_handshake() {
    let listener = iso_tcp::tokio::Listener::bind(
        "127.0.0.1:0".parse().unwrap(),
        server_options().handshake_timeout(Duration::from_millis(200)),
    )
    .await
    .unwrap();
    let addr = listener.local_addr();
    let silent = std::net::TcpStream::connect(addr).unwrap();
    let error = listener.accept().await.unwrap_err();
    assert!(matches!(error, Error::HandshakeTimeout { .. }), "{error:?}");
    drop(silent);
}
