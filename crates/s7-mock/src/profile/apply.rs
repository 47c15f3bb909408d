//! Applying a [`Profile`] to a [`ServerBuilder`].

use s7comm::{Area, Tag};

use super::{Profile, TagSpec};
use crate::error::Error;
use crate::server::{ServerBuilder, TsapFilter};
use crate::tags::{check_simulation, typed_tag, Extent, Literal, TagDef};

/// Everything the profile says, on top of `builder`; what it leaves out stays as it was.
pub(crate) fn apply(builder: ServerBuilder, profile: &Profile) -> Result<ServerBuilder, Error> {
    apply_tags(apply_settings(builder, profile), profile)
}

/// Everything the profile says except its `[[tag]]` entries, on top of `builder`. Kept apart
/// from [`apply_tags`] so the command line can put its flags in between: the tags are then
/// checked against the memory the server will really have.
pub(crate) fn apply_settings(builder: ServerBuilder, profile: &Profile) -> ServerBuilder {
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
    if let Some(model) = profile.cpu_model() {
        builder = builder.cpu_model(model);
    }
    if let Some(password) = profile.password() {
        builder = builder.password(password);
    }
    if let Some(level) = profile.protection_level() {
        builder = builder.protection_level(level);
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
    for block in profile.blocks() {
        builder = builder.block(block.clone());
    }
    for db in profile.data_blocks() {
        builder = builder.data_block_with(db.number, db.contents.clone());
    }
    builder
}

/// The profile's `[[tag]]` entries, checked against the memory `builder` configures by now
/// (see [`place_tags`]).
pub(crate) fn apply_tags(
    builder: ServerBuilder,
    profile: &Profile,
) -> Result<ServerBuilder, Error> {
    place_tags(builder, profile.origin(), profile.tags())
}

/// Where a tag error is reported: the tag's index and the key's line.
struct At<'a> {
    origin: &'a str,
    index: usize,
}

impl At<'_> {
    fn error(&self, line: usize, key: &str, reason: impl std::fmt::Display) -> Error {
        Error::Profile {
            origin: self.origin.to_owned(),
            line,
            key: format!("tag[{}].{key}", self.index),
            message: format!("[[tag]] {key}: {reason}"),
        }
    }
}

/// Where `tag` lies, checked against the memory the builder will create: its data block
/// exists and it ends inside its area.
fn check_place(builder: &ServerBuilder, tag: &Tag) -> Result<(), String> {
    let len = builder
        .area_len(tag.area(), tag.db_number())
        .map_err(|error| error.to_string())?;
    let start = u64::from(tag.offset());
    match tag.area() {
        Area::Timers | Area::Counters => {
            let end = start.saturating_add(u64::from(tag.count()));
            let what = if tag.area() == Area::Timers {
                "timers"
            } else {
                "counters"
            };
            if end > u64::try_from(len).unwrap_or(u64::MAX) {
                return Err(format!("{tag} is outside the {len} {what}"));
            }
        }
        area => {
            let end = start.saturating_add(u64::from(tag.byte_len()));
            if end > u64::try_from(len).unwrap_or(u64::MAX) {
                let region = match area {
                    Area::Inputs => "inputs".to_owned(),
                    Area::Outputs => "outputs".to_owned(),
                    Area::Flags => "merkers".to_owned(),
                    _ => format!("data block {}", tag.db_number()),
                };
                return Err(format!(
                    "{tag} (bytes {start}..{end}) is outside {region} ({len} bytes)"
                ));
            }
        }
    }
    Ok(())
}

/// The one place where `[[tag]]` entries take effect: each tag's address is parsed (typed by
/// its `type` key when the address carries no type), checked against the memory the builder
/// configures (areas and data blocks of the profile, and any command-line flags, are applied
/// by then) and against the
/// tags before it, its value converted to the type; the builder then writes the values and
/// starts the simulations when the server starts. Errors name the file, the line and the key.
fn place_tags(
    builder: ServerBuilder,
    origin: &str,
    tags: &[TagSpec],
) -> Result<ServerBuilder, Error> {
    let mut builder = builder;
    let mut placed: Vec<(&TagSpec, Tag, Extent)> = Vec::with_capacity(tags.len());
    for (index, spec) in tags.iter().enumerate() {
        let at = At { origin, index };
        let address = &spec.address;
        Tag::parse(&address.value).map_err(|error| at.error(address.line, "address", error))?;
        let tag = typed_tag(
            &address.value,
            spec.data_type.as_ref().map(|t| t.value.as_str()),
        )
        .map_err(|error| {
            let line = spec.data_type.as_ref().map_or(address.line, |t| t.line);
            at.error(line, "type", error)
        })?;
        check_place(&builder, &tag).map_err(|reason| at.error(address.line, "address", reason))?;
        let extent = Extent::of(&tag);
        if let Some((other, other_tag, _)) =
            placed.iter().find(|(_, _, other)| other.overlaps(&extent))
        {
            return Err(at.error(
                address.line,
                "address",
                format!(
                    "tag {:?} at {tag} overlaps tag {:?} at {other_tag} (line {})",
                    spec.name.value, other.name.value, other.address.line
                ),
            ));
        }
        let value = match &spec.value {
            None => None,
            Some(value) => {
                let literal = Literal::from_toml(&value.value).ok_or_else(|| {
                    at.error(value.line, "value", "a table is not a value of a tag")
                })?;
                Some(
                    literal
                        .value_for(&tag)
                        .map_err(|error| at.error(value.line, "value", error))?,
                )
            }
        };
        let simulation = match &spec.simulate {
            None => None,
            Some(simulate) => {
                check_simulation(&tag, &simulate.value)
                    .map_err(|reason| at.error(simulate.line, "simulate", reason))?;
                Some(simulate.value.clone())
            }
        };
        builder.push_tag(TagDef {
            name: spec.name.value.clone(),
            tag,
            value,
            simulation,
        });
        placed.push((spec, tag, extent));
    }
    Ok(builder)
}
