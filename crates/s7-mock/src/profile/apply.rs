//! Applying a [`Profile`] to a [`ServerBuilder`].

use super::{Profile, TagSpec};
use crate::error::Error;
use crate::server::{ServerBuilder, TsapFilter};

/// Everything the profile says, on top of `builder`; what it leaves out stays as it was.
pub(crate) fn apply(builder: ServerBuilder, profile: &Profile) -> Result<ServerBuilder, Error> {
    for warning in profile.warnings() {
        tracing::warn!("{warning}");
    }
    let mut builder = builder;
    if let Some(addr) = profile.listen() {
        builder = builder.bind(addr);
    }
    if let Some(size) = profile.pdu_size() {
        builder = builder.pdu_size(size);
    }
    if let Some(jobs) = profile.parallel_jobs() {
        builder = builder.max_parallel_jobs(jobs);
    }
    if let Some(max) = profile.max_connections() {
        builder = builder.max_connections(max);
    }
    if let Some(state) = profile.cpu_state() {
        builder = builder.cpu_state(state);
    }
    if let Some(identity) = profile.identity() {
        builder = builder.identity(identity.clone());
    }
    if let Some(ids) = profile.szl_ids() {
        builder = builder.szl_ids(ids);
    }
    if let Some((rack, slot)) = profile.rack_slot() {
        builder = builder.tsap_filter(TsapFilter::any().rack_slot(rack, slot));
    }
    let areas = profile.areas();
    if let Some(size) = areas.inputs {
        builder = builder.inputs(size);
    }
    if let Some(size) = areas.outputs {
        builder = builder.outputs(size);
    }
    if let Some(size) = areas.merkers {
        builder = builder.flags(size);
    }
    if let Some(count) = areas.timers {
        builder = builder.timers(count);
    }
    if let Some(count) = areas.counters {
        builder = builder.counters(count);
    }
    for db in profile.data_blocks() {
        builder = builder.data_block_with(db.number, db.contents.clone());
    }
    apply_tags(builder, profile.origin(), profile.tags())
}

/// The one place where `[[tag]]` entries take effect: it will write each tag's initial value
/// into the memory the builder creates and start its simulation. It receives the builder with
/// everything else of the profile applied (areas and data blocks are known), the profile's
/// file name for messages, and the checked tags (name, address, type, value or simulation,
/// each with its line and span).
fn apply_tags(
    builder: ServerBuilder,
    origin: &str,
    tags: &[TagSpec],
) -> Result<ServerBuilder, Error> {
    // wired when s7comm::Tag lands: for each tag, parse `tag.address.value` with
    // `s7comm::Tag` (using `tag.data_type` when the address carries no type); check that it
    // lies inside an area or data block the builder configures; encode `tag.value` with
    // `s7comm::Value` into the builder's initial memory; hand `tag.simulate` to a ticker the
    // server owns. Errors name the tag's line through `Located::line`, e.g.
    // `plant.toml:31: [[tag]] address: ...`. Until then a profile with tags is refused,
    // never half-applied.
    match tags.first() {
        None => Ok(builder),
        Some(first) => Err(Error::TagsNotSupported {
            origin: origin.to_owned(),
            line: first.name.line,
            name: first.name.value.clone(),
            count: tags.len(),
        }),
    }
}
