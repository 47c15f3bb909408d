//! `GET /status`: CPU state, address, preset, open connections, requests, uptime.

use serde::Serialize;

use super::super::names;
use super::{ApiError, Exchange, Reply, Route, Shared};

pub(super) const ROUTES: &[Route] = &[Route {
    method: "GET",
    path: "/status",
    handler: get,
}];

#[derive(Debug, Serialize)]
struct Status<'a> {
    cpu: &'static str,
    listen: String,
    preset: Option<&'a str>,
    connections: usize,
    requests: u64,
    uptime_ms: u64,
}

fn get(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let server = &shared.server;
    Reply::ok(&Status {
        cpu: names::cpu_name(server.cpu_state()),
        listen: server.local_addr().to_string(),
        preset: shared.preset.as_deref(),
        connections: server.open_connections(),
        requests: server.received_requests(),
        uptime_ms: u64::try_from(server.uptime().as_millis()).unwrap_or(u64::MAX),
    })
}
