//! The HTTP control API (cargo feature `control`, part of the default `cli`): a running
//! [`Server`](crate::server::Server) driven over HTTP and JSON by tests written in any
//! language: memory, CPU state, fault rules, the request log (long poll), connections, reset.
//!
//! [`ControlServer::start`] serves it for a server shared through an `Arc`; the `s7-mock`
//! binary starts it with `--control ADDR`. Every route is below `/api/v1`; bodies are JSON,
//! errors `{"error": "..."}` with 400 (bad input), 401 (token), 404 (unknown route, area,
//! data block, tag name, fault or connection), 405 (method), 409 (a type other than the
//! tag's), 413 (body over [`MAX_BODY`]). The routes,
//! with examples, are in `docs/control-api.md`.
//!
//! | route | does |
//! | --- | --- |
//! | `GET /status` | CPU state, address, preset, open connections, requests received, uptime |
//! | `GET /memory/{area}?db=N&start=S&len=L` | `{"hex": "..."}` |
//! | `PUT /memory/{area}?db=N&start=S` | writes `{"hex": "..."}` |
//! | `GET /cpu`, `PUT /cpu` | `{"state": "run"}` or `{"state": "stop"}` |
//! | `GET /faults`, `POST /faults`, `DELETE /faults`, `GET /faults/{id}`, `DELETE /faults/{id}` | fault rules |
//! | `GET /requests?since=SEQ&wait_ms=MS&limit=N` | the request log after `since`, waiting up to [`MAX_WAIT`] |
//! | `GET /connections`, `DELETE /connections/{id}` | open connections; dropping one |
//! | `POST /reset` | memory, CPU state and clock as at start; faults and log cleared; simulations restarted |
//! | `GET /tags` | every named tag with its value |
//! | `GET /tags/{name-or-address}`, `PUT /tags/{name-or-address}` | one tag's value: `{"value": ...}` (plus `"type"` for an address without one) |
//!
//! Layout: [`server`](ControlServer) (threads, start and stop), `router` (token, routes),
//! `exchange` (body limit, query, JSON answers), `error`, `handlers/` (one file per
//! resource), `fault_spec`, `log_entry` and `tag_json` (JSON forms), `names`, `hex`.

mod error;
mod exchange;
mod fault_spec;
mod handlers;
mod hex;
mod log_entry;
mod names;
mod router;
mod server;
mod tag_json;

pub use exchange::MAX_BODY;
pub use server::{ControlOptions, ControlServer, CONTROL_THREADS};

/// Longest wait of a long poll on `/requests`; a larger `wait_ms` is cut to it.
pub const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
