//! The profile file as `serde` reads it: every table rejects unknown keys, and every value
//! keeps its span so that a later check can name its line. Numbers are read as `i64` and
//! names as strings so that range and spelling errors get this crate's messages.

use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProfile {
    pub(crate) plc: Option<RawPlc>,
    pub(crate) areas: Option<RawAreas>,
    #[serde(default)]
    pub(crate) db: Vec<RawDb>,
    #[serde(default)]
    pub(crate) tag: Vec<RawTag>,
    #[serde(default)]
    pub(crate) block: Vec<RawBlock>,
}

/// One `[[block]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBlock {
    #[serde(rename = "type")]
    pub(crate) block_type: Spanned<String>,
    pub(crate) number: Spanned<i64>,
    pub(crate) size: Spanned<i64>,
    pub(crate) file: Option<Spanned<String>>,
    pub(crate) author: Option<Spanned<String>>,
    pub(crate) family: Option<Spanned<String>>,
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) version: Option<Spanned<String>>,
    pub(crate) language: Option<Spanned<String>>,
    pub(crate) flags: Option<Spanned<i64>>,
    pub(crate) local_data: Option<Spanned<i64>>,
    pub(crate) checksum: Option<Spanned<i64>>,
    pub(crate) code_time: Option<Spanned<toml::value::Datetime>>,
    pub(crate) interface_time: Option<Spanned<toml::value::Datetime>>,
}

/// `[plc]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPlc {
    pub(crate) preset: Option<Spanned<String>>,
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) order_code: Option<Spanned<String>>,
    pub(crate) serial: Option<Spanned<String>>,
    pub(crate) firmware: Option<Spanned<String>>,
    pub(crate) system_name: Option<Spanned<String>>,
    pub(crate) plant_id: Option<Spanned<String>>,
    pub(crate) location: Option<Spanned<String>>,
    pub(crate) cpu: Option<Spanned<String>>,
    pub(crate) listen: Option<Spanned<String>>,
    pub(crate) pdu_size: Option<Spanned<i64>>,
    pub(crate) max_connections: Option<Spanned<i64>>,
    pub(crate) rack: Option<Spanned<i64>>,
    pub(crate) slot: Option<Spanned<i64>>,
    pub(crate) password: Option<Spanned<String>>,
    pub(crate) protection_level: Option<Spanned<i64>>,
}

/// `[areas]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAreas {
    pub(crate) inputs: Option<Spanned<i64>>,
    pub(crate) outputs: Option<Spanned<i64>>,
    pub(crate) merkers: Option<Spanned<i64>>,
    pub(crate) timers: Option<Spanned<i64>>,
    pub(crate) counters: Option<Spanned<i64>>,
}

/// One `[[db]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDb {
    pub(crate) number: Spanned<i64>,
    pub(crate) size: Spanned<i64>,
    pub(crate) image: Option<Spanned<String>>,
}

/// One `[[tag]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTag {
    pub(crate) name: Spanned<String>,
    pub(crate) address: Spanned<String>,
    #[serde(rename = "type")]
    pub(crate) data_type: Option<Spanned<String>>,
    pub(crate) value: Option<Spanned<toml::Value>>,
    pub(crate) simulate: Option<Spanned<RawSimulate>>,
}

/// A tag's `simulate = { kind = ..., ... }`: every parameter of every kind; which apply to
/// which kind is checked when the profile is loaded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulate {
    pub(crate) kind: Spanned<String>,
    pub(crate) min: Option<Spanned<f64>>,
    pub(crate) max: Option<Spanned<f64>>,
    pub(crate) start: Option<Spanned<f64>>,
    pub(crate) step: Option<Spanned<f64>>,
    pub(crate) low: Option<Spanned<f64>>,
    pub(crate) high: Option<Spanned<f64>>,
    pub(crate) period_ms: Option<Spanned<i64>>,
    pub(crate) every_ms: Option<Spanned<i64>>,
    pub(crate) seed: Option<Spanned<i64>>,
}
