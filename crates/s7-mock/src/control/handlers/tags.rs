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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Write {
    value: Json,
    #[serde(rename = "type")]
    data_type: Option<String>,
}

/// A path segment with its `%XX` escapes decoded.
fn decode(segment: &str) -> Result<String, ApiError> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = bytes
                .get(i.saturating_add(1)..i.saturating_add(3))
                .and_then(|pair| std::str::from_utf8(pair).ok())
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| {
                    ApiError::bad_request(format!("bad %-escape in path segment {segment:?}"))
                })?;
            out.push(hex);
            i = i.saturating_add(3);
        } else {
            out.push(byte);
            i = i.saturating_add(1);
        }
    }
    String::from_utf8(out)
        .map_err(|_| ApiError::bad_request(format!("path segment {segment:?} is not utf-8")))
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
    Reply::ok(&serde_json::json!({ "tags": tags }))
}

fn get(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let tag = shared.server.tag(&decode(exchange.param(0))?)?;
    Reply::ok(&describe(&shared.server, &tag)?)
}

fn put(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    exchange.query()?.finish()?;
    let target = decode(exchange.param(0))?;
    let body: Write = exchange.json()?;
    let tag = shared
        .server
        .resolve_tag(&target, body.data_type.as_deref())?;
    let value = literal(&body.value)?.value_for(&tag)?;
    shared.server.write_tag_at(&tag, &value)?;
    Reply::ok(&describe(&shared.server, &tag)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::decode;

    #[test]
    fn path_segments_are_percent_decoded() {
        assert_eq!(decode("DB1.DBW0%3AINT").unwrap(), "DB1.DBW0:INT");
        assert_eq!(decode("%25DB1.DBD20").unwrap(), "%DB1.DBD20");
        assert_eq!(decode("motor_speed").unwrap(), "motor_speed");
        assert!(decode("%zz").is_err());
        assert!(decode("%4").is_err());
        assert!(decode("%ff").is_err());
    }
}
