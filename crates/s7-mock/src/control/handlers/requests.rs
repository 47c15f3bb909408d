//! `GET /requests?since=SEQ&wait_ms=MS&limit=N`: the request log after a sequence number,
//! waiting (long poll) for a first new entry.

use std::time::Duration;

use serde::Serialize;

use super::super::log_entry::Entry;
use super::super::MAX_WAIT;
use super::{ApiError, Exchange, Reply, Route, Shared};

/// Entries answered when `limit` is not given.
const DEFAULT_LIMIT: usize = 1000;
/// Most entries answered at once; a larger `limit` is cut to it.
const MAX_LIMIT: usize = 10_000;

pub(super) const ROUTES: &[Route] = &[Route {
    method: "GET",
    path: "/requests",
    handler: get,
}];

#[derive(Debug, Serialize)]
struct Page {
    requests: Vec<Entry>,
    next: u64,
    dropped: u64,
}

fn get(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    let mut query = exchange.query()?;
    let since: u64 = query.number("since")?.unwrap_or(0);
    let wait_ms: u64 = query.number("wait_ms")?.unwrap_or(0);
    let limit: usize = query.number("limit")?.unwrap_or(DEFAULT_LIMIT);
    query.finish()?;
    if limit == 0 {
        return Err(ApiError::bad_request("`limit` must be at least 1"));
    }
    let wait = Duration::from_millis(wait_ms).min(MAX_WAIT);
    let page = shared.server.wait_for_requests_cancellable(
        since,
        limit.min(MAX_LIMIT),
        wait,
        &shared.stopping,
    );
    Reply::ok(&Page {
        requests: page.requests.iter().map(Entry::new).collect(),
        next: page.next,
        dropped: page.dropped,
    })
}
