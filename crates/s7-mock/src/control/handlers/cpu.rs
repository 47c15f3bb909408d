//! `GET /cpu`, `PUT /cpu` with `{"state": "run"}` or `{"state": "stop"}`.

use serde::{Deserialize, Serialize};

use crate::plc::CpuState;

use super::super::names;
use super::{ApiError, Exchange, Reply, Route, Shared};

pub(super) const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/cpu",
        handler: get,
    },
    Route {
        method: "PUT",
        path: "/cpu",
        handler: put,
    },
];

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum State {
    Run,
    Stop,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    state: State,
}

#[derive(Debug, Serialize)]
struct Answer {
    state: &'static str,
}

fn get(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    Reply::ok(&Answer {
        state: names::cpu_name(shared.server.cpu_state()),
    })
}

fn put(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let body: Body = exchange.json()?;
    let state = match body.state {
        State::Run => CpuState::Run,
        State::Stop => CpuState::Stop,
    };
    shared.server.set_cpu_state(state);
    Reply::ok(&Answer {
        state: names::cpu_name(state),
    })
}
