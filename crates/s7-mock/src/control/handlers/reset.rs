//! `POST /reset`: memory, CPU state and clock back to the start; faults and log cleared.

use super::{ApiError, Exchange, Reply, Route, Shared};

pub(super) const ROUTES: &[Route] = &[Route {
    method: "POST",
    path: "/reset",
    handler: post,
}];

fn post(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    exchange.no_body()?;
    shared.server.reset();
    Reply::ok(&serde_json::json!({ "reset": true }))
}
