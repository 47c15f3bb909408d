//! The handlers, one file per resource. Each file lists its routes in a `ROUTES` table;
//! [`TABLES`] collects them for the [router](super::router). A new resource is one more file
//! here and one more line in [`TABLES`].

mod connections;
mod cpu;
mod faults;
mod memory;
mod requests;
mod reset;
mod status;
mod tags;

use super::error::ApiError;
use super::exchange::{Exchange, Reply};
use super::server::Shared;

/// Serves one request on a matched route.
pub(crate) type Handler = fn(&Shared, &mut Exchange) -> Result<Reply, ApiError>;

/// A method on a path below `/api/v1`; `{}` segments are parameters, given to the handler
/// by [`Exchange::param`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) handler: Handler,
}

/// Every route.
pub(crate) const TABLES: &[&[Route]] = &[
    status::ROUTES,
    memory::ROUTES,
    cpu::ROUTES,
    faults::ROUTES,
    requests::ROUTES,
    connections::ROUTES,
    reset::ROUTES,
    tags::ROUTES,
];
