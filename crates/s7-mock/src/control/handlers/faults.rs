//! `GET /faults`, `POST /faults`, `DELETE /faults`, `GET /faults/{id}`,
//! `DELETE /faults/{id}`. The JSON form of a rule is in [`fault_spec`](super::super::fault_spec).

use serde::Serialize;

use crate::server::InstalledFault;

use super::super::fault_spec::{FaultSpec, Listed};
use super::{ApiError, Exchange, Reply, Route, Shared};

pub(super) const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/faults",
        handler: list,
    },
    Route {
        method: "POST",
        path: "/faults",
        handler: add,
    },
    Route {
        method: "DELETE",
        path: "/faults",
        handler: clear,
    },
    Route {
        method: "GET",
        path: "/faults/{}",
        handler: get,
    },
    Route {
        method: "DELETE",
        path: "/faults/{}",
        handler: remove,
    },
];

#[derive(Debug, Serialize)]
struct Faults {
    faults: Vec<Listed>,
}

fn list(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let faults = shared
        .server
        .faults()
        .iter()
        .map(FaultSpec::listed)
        .collect();
    Reply::ok(&Faults { faults })
}

fn add(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let spec: FaultSpec = exchange.json()?;
    let id = spec.install(&shared.server)?;
    Reply::with_status(201, &serde_json::json!({ "id": id }))
}

fn clear(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let removed = shared.server.faults().len();
    shared.server.clear_faults();
    Reply::ok(&serde_json::json!({ "removed": removed }))
}

/// The installed rule the path names.
fn find(shared: &Shared, exchange: &Exchange) -> Result<InstalledFault, ApiError> {
    let param = exchange.param(0);
    let id: u64 = param
        .parse()
        .map_err(|_| ApiError::bad_request(format!("fault id {param:?} is not a number")))?;
    shared
        .server
        .faults()
        .into_iter()
        .find(|rule| rule.id.get() == id)
        .ok_or_else(|| ApiError::not_found(format!("no fault {id}")))
}

fn get(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let rule = find(shared, exchange)?;
    Reply::ok(&FaultSpec::listed(&rule))
}

fn remove(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let rule = find(shared, exchange)?;
    if !shared.server.remove_fault(rule.id) {
        return Err(ApiError::not_found(format!("no fault {}", rule.id.get())));
    }
    Reply::ok(&serde_json::json!({ "removed": rule.id.get() }))
}
