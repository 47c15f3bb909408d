//! `GET /connections`, `DELETE /connections/{id}` (drops it without a COTP DR).

use std::time::UNIX_EPOCH;

use serde::Serialize;

use super::{ApiError, Exchange, Reply, Route, Shared};

pub(super) const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/connections",
        handler: list,
    },
    Route {
        method: "DELETE",
        path: "/connections/{}",
        handler: remove,
    },
];

#[derive(Debug, Serialize)]
struct Connection {
    id: u64,
    peer: String,
    /// When its handshake completed, in milliseconds since the Unix epoch.
    since: u64,
    requests: u64,
}

#[derive(Debug, Serialize)]
struct Connections {
    connections: Vec<Connection>,
}

fn list(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let connections = shared
        .server
        .connections()
        .into_iter()
        .map(|info| Connection {
            id: info.number,
            peer: info.peer.to_string(),
            since: info
                .since
                .duration_since(UNIX_EPOCH)
                .ok()
                .and_then(|since| u64::try_from(since.as_millis()).ok())
                .unwrap_or(0),
            requests: info.requests,
        })
        .collect();
    Reply::ok(&Connections { connections })
}

fn remove(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let param = exchange.param(0);
    let id: u64 = param
        .parse()
        .map_err(|_| ApiError::bad_request(format!("connection id {param:?} is not a number")))?;
    if !shared.server.disconnect(id) {
        return Err(ApiError::not_found(format!("no open connection {id}")));
    }
    Reply::ok(&serde_json::json!({ "closed": id }))
}
