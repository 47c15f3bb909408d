//! `GET /tags`, `GET /tags/{name-or-address}`, `PUT /tags/{name-or-address}` with
//! `{"value": ...}` and, for an address without a type, `"type"`. Values in JSON as
//! [`tag_json`](super::super::tag_json) maps them.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use s7comm::Tag;

use crate::server::Server;
use crate::tags::{operand, type_label};

use super::super::tag_json::{literal, to_json};
use super::{ApiError, Exchange, Reply, Route, Shared};

pub(super) const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/tags",
        handler: list,
    },
    Route {
        method: "GET",
        path: "/tags/{}",
        handler: get,
    },
    Route {
        method: "PUT",
        path: "/tags/{}",
        handler: put,
    },
];

/// One tag and its value.
#[derive(Debug, Serialize)]
struct TagJson {
    /// The tag's name; `null` for an address no named tag sits at.
    name: Option<String>,
    address: String,
    #[serde(rename = "type")]
    data_type: String,
    value: Json,
    /// For a simulated tag, whether its simulation still runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    simulating: Option<bool>,
    /// In a listing: why the value cannot be read (then `value` is `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// `GET /tags`: every named tag, each in the same form (and key order) as `GET /tags/{x}`.
#[derive(Debug, Serialize)]
struct Listing {
    tags: Vec<TagJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Write {
    value: Json,
    #[serde(rename = "type")]
    data_type: Option<String>,
}

/// The JSON of `tag` with its current value.
fn describe(server: &Server, tag: &Tag) -> Result<TagJson, ApiError> {
    let value = server.read_tag_at(tag)?;
    let name = server.tag_name(tag);
    let simulating = name.as_ref().and_then(|name| {
        server
            .tags()
            .into_iter()
            .find(|t| &t.name == name && t.simulation.is_some())
            .map(|t| t.simulating)
    });
    Ok(TagJson {
        name,
        address: operand(tag),
        data_type: type_label(tag),
        value: to_json(&value),
        simulating,
        error: None,
    })
}

fn list(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    // One tag whose bytes are no value of its type (raw memory written over it) does not
    // hide the others: it is listed with its error.
    let tags: Vec<TagJson> = shared
        .server
        .tags()
        .into_iter()
        .map(|named| {
            describe(&shared.server, &named.tag).unwrap_or_else(|error| TagJson {
                name: Some(named.name),
                address: operand(&named.tag),
                data_type: type_label(&named.tag),
                value: Json::Null,
                simulating: named.simulation.is_some().then_some(named.simulating),
                error: Some(error.message),
            })
        })
        .collect();
    Reply::ok(&Listing { tags })
}

fn get(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let tag = shared.server.tag(exchange.param(0))?;
    Reply::ok(&describe(&shared.server, &tag)?)
}

fn put(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let target = exchange.param(0).to_owned();
    let body: Write = exchange.json()?;
    let tag = shared
        .server
        .resolve_tag(&target, body.data_type.as_deref())?;
    let value = literal(&body.value)?.value_for(&tag)?;
    shared.server.write_tag_at(&tag, &value)?;
    Reply::ok(&describe(&shared.server, &tag)?)
}
