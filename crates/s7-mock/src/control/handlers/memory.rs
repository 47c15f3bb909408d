//! `GET /memory/{area}?db=N&start=S&len=L` → `{"hex": "..."}`, `PUT /memory/{area}?db=N&start=S`
//! with `{"hex": "..."}`. Areas: `inputs`, `outputs`, `merkers`, `db`, `timers`, `counters`;
//! for timers and counters `start` and `len` count elements of two bytes (big-endian). A write
//! over a simulated tag stops its simulation.

use serde::{Deserialize, Serialize};

use crate::memory::Region;
use crate::tags::Extent;

use super::super::exchange::Query;
use super::super::hex;
use super::{ApiError, Exchange, Reply, Route, Shared};

pub(super) const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/memory/{}",
        handler: get,
    },
    Route {
        method: "PUT",
        path: "/memory/{}",
        handler: put,
    },
];

const AREAS: &str = "inputs, outputs, merkers, db, timers, counters";

/// What a path and query select.
#[derive(Debug, Clone, Copy)]
enum Area {
    Bytes(Region),
    Timers,
    Counters,
}

fn area(name: &str, query: &mut Query) -> Result<Area, ApiError> {
    let db: Option<u16> = query.number("db")?;
    let area = match name {
        "inputs" => Area::Bytes(Region::Inputs),
        "outputs" => Area::Bytes(Region::Outputs),
        "merkers" | "flags" => Area::Bytes(Region::Flags),
        "timers" => Area::Timers,
        "counters" => Area::Counters,
        "db" => {
            return match db {
                Some(number) => Ok(Area::Bytes(Region::DataBlock(number))),
                None => Err(ApiError::bad_request("area db needs ?db=N")),
            }
        }
        other => {
            return Err(ApiError::not_found(format!(
                "unknown area {other:?} (known: {AREAS})"
            )))
        }
    };
    if db.is_some() {
        return Err(ApiError::bad_request(format!(
            "`db` does not apply to area {name}"
        )));
    }
    Ok(area)
}

/// `start..start + len` of `count` elements, or a 400 naming the area and its size.
fn element_range(
    what: &str,
    start: usize,
    len: usize,
    count: usize,
) -> Result<std::ops::Range<usize>, ApiError> {
    match start.checked_add(len) {
        Some(end) if end <= count => Ok(start..end),
        _ => Err(ApiError::bad_request(format!(
            "{what} {start}..{} are outside the {count} {what}",
            start.saturating_add(len)
        ))),
    }
}

#[derive(Debug, Serialize)]
struct Contents {
    hex: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Write {
    hex: String,
}

fn get(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    let mut query = exchange.query()?;
    let area = area(exchange.param(0), &mut query)?;
    let start: usize = query.number("start")?.unwrap_or(0);
    let len: usize = query
        .number("len")?
        .ok_or_else(|| ApiError::bad_request("reading memory needs ?len=L"))?;
    query.finish()?;
    // Simulated tags show their value as of now, as a client's read would.
    shared.server.refresh_tags();
    let memory = shared.server.memory();
    let bytes = match area {
        Area::Bytes(region) => memory.read_bytes(region, start, len)?.to_vec(),
        Area::Timers | Area::Counters => {
            let (what, values) = match area {
                Area::Timers => ("timers", memory.timers()),
                _ => ("counters", memory.counters()),
            };
            let range = element_range(what, start, len, values.len())?;
            values
                .get(range)
                .unwrap_or_default()
                .iter()
                .flat_map(|value| value.to_be_bytes())
                .collect()
        }
    };
    drop(memory);
    Reply::ok(&Contents {
        hex: hex::encode(&bytes),
    })
}

fn put(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    let mut query = exchange.query()?;
    let area = area(exchange.param(0), &mut query)?;
    let start: usize = query.number("start")?.unwrap_or(0);
    query.finish()?;
    let body: Write = exchange.json()?;
    let data = hex::decode(&body.hex)?;
    let mut memory = shared.server.memory_mut();
    let (written, extent) = match area {
        Area::Bytes(region) => {
            memory.write_bytes(region, start, &data)?;
            (data.len(), Extent::of_bytes(region, start, data.len()))
        }
        Area::Timers | Area::Counters => {
            if data.len() % 2 != 0 {
                return Err(ApiError::bad_request(
                    "timers and counters take two bytes (four hex digits) each",
                ));
            }
            let (what, s7_area, values) = match area {
                Area::Timers => ("timers", s7comm::Area::Timers, memory.timers_mut()),
                _ => ("counters", s7comm::Area::Counters, memory.counters_mut()),
            };
            let range = element_range(what, start, data.len() / 2, values.len())?;
            let slots = values.get_mut(range).unwrap_or_default();
            for (slot, pair) in slots.iter_mut().zip(data.chunks_exact(2)) {
                if let [hi, lo] = pair {
                    *slot = u16::from_be_bytes([*hi, *lo]);
                }
            }
            (
                slots.len(),
                Extent::of_elements(s7_area, start, slots.len()),
            )
        }
    };
    drop(memory);
    // A write to a simulated tag's memory stops its simulation, as through `PUT /tags`.
    shared.server.stop_simulations(&extent);
    Reply::ok(&serde_json::json!({ "written": written }))
}
