//! Named tags: typed values at S7 addresses that a running [`Server`](crate::Server) knows by
//! name, with optional live values (simulations).
//!
//! Tags come from a profile's `[[tag]]` entries
//! ([`ServerBuilder::profile`](crate::ServerBuilder::profile)) or from
//! [`ServerBuilder::tag`](crate::ServerBuilder::tag) and
//! [`ServerBuilder::simulated_tag`](crate::ServerBuilder::simulated_tag). A running server
//! reads and writes them by name or by address ([`Server::read_tag`](crate::Server::read_tag),
//! [`Server::write_tag`](crate::Server::write_tag)); the HTTP control API serves the same
//! under `/api/v1/tags`.
//!
//! # Live values
//!
//! A simulated tag has no thread of its own: its value is a function of the time since the
//! server started ([`TagClock`]), computed and written into memory when somebody reads it —
//! a client's read var whose items touch the tag's bytes, [`Server::read_tag`](crate::Server::read_tag),
//! [`Server::refresh_tags`](crate::Server::refresh_tags) or the control API. Between reads the
//! memory keeps the last value computed. A server without simulated tags does no work for
//! them at all on the request path.
//!
//! A write to the tag's bytes (a client's write var, [`Server::write_tag`](crate::Server::write_tag),
//! `PUT /api/v1/tags/...` or `PUT /api/v1/memory/...`) stops its simulation: from then on
//! the tag holds what was written, until [`Server::reset`](crate::Server::reset) starts every
//! simulation again. Direct memory access in Rust ([`Server::memory_mut`](crate::Server::memory_mut),
//! [`Server::write_bytes`](crate::Server::write_bytes)) does not stop it.

mod literal;
mod simulate;
mod table;

use s7comm::{Area, DataType, Tag, Value};

use crate::error::Error;
use crate::memory::{Memory, Region};
use crate::profile::Simulation;

pub(crate) use literal::Literal;
pub(crate) use simulate::check_simulation;
pub use simulate::TagClock;
pub(crate) use table::{TagDef, TagTable};

/// A named tag as the server knows it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NamedTag {
    /// The name (unique in the server).
    pub name: String,
    /// Where it lives and its type.
    pub tag: Tag,
    /// How its value changes over time, if it is simulated.
    pub simulation: Option<Simulation>,
    /// Whether the simulation still runs (a write stops it).
    pub simulating: bool,
}

/// The canonical address of `tag` without its type: `DB1.DBD20`, `MW10`, `T5`.
pub fn operand(tag: &Tag) -> String {
    let text = tag.to_string();
    match text.split_once(':') {
        Some((operand, _)) => operand.to_owned(),
        None => text,
    }
}

/// The type of `tag` as the control API and messages show it: `REAL`, `STRING[20]`, and for
/// arrays the element type with the count, `INT[10]`.
pub fn type_label(tag: &Tag) -> String {
    if tag.count() > 1 {
        format!("{}[{}]", tag.data_type(), tag.count())
    } else {
        tag.data_type().to_string()
    }
}

/// Whether the address text fixes the type itself (a `:TYPE` suffix, a nodeS7 form, a type
/// that is not the width's default, or an array count).
fn carries_type(address: &str, tag: &Tag) -> bool {
    address.contains([':', ','])
        || tag.count() > 1
        || !matches!(
            tag.data_type(),
            DataType::Bool
                | DataType::Byte
                | DataType::Word
                | DataType::DWord
                | DataType::Timer
                | DataType::Counter
        )
}

/// A type given apart from the address: `REAL`, `STRING[20]`, `INT[4]` (an array of 4).
fn type_spec(text: &str) -> Result<(DataType, Option<u16>), Error> {
    let text = text.trim();
    let first = match DataType::parse(text) {
        Ok(data_type) => return Ok((data_type, None)),
        Err(error) => error,
    };
    if let Some((base, count)) = text
        .strip_suffix(']')
        .and_then(|rest| rest.rsplit_once('['))
    {
        if let (Ok(data_type), Ok(count)) = (DataType::parse(base), count.trim().parse::<u16>()) {
            return Ok((data_type, Some(count)));
        }
    }
    Err(first.into())
}

/// The tag at `address` with type `data_type` when given: the address may carry its type
/// (`DB1.DBD20:REAL`, `DB1,REAL20`) or take it from `data_type` (`DB1.DBD20` + `REAL`);
/// with neither it has the width's default type (`DWORD`).
///
/// # Errors
/// [`Error::Codec`] for an address or type that does not parse (or a type that does not fit
/// the address's width), [`Error::TagTypeConflict`] when both give a type and they differ.
pub fn typed_tag(address: &str, data_type: Option<&str>) -> Result<Tag, Error> {
    let address = address.trim();
    let tag = Tag::parse(address)?;
    let Some(text) = data_type else {
        return Ok(tag);
    };
    let (given, count) = type_spec(text)?;
    if carries_type(address, &tag) {
        if given == tag.data_type() && count.is_none_or(|count| count == tag.count()) {
            return Ok(tag);
        }
        return Err(Error::TagTypeConflict {
            address: address.to_owned(),
            address_type: type_label(&tag),
            given: text.trim().to_owned(),
        });
    }
    Ok(Tag::parse(&format!("{address}:{}", text.trim()))?)
}

/// Checks that the type `data_type` (as [`typed_tag`] reads it) is the type of `tag`.
///
/// # Errors
/// [`Error::Codec`] for a type that does not parse, [`Error::TagTypeConflict`] (naming
/// the tag as `what`) for another type.
pub(crate) fn check_type(what: &str, tag: &Tag, data_type: &str) -> Result<(), Error> {
    let (given, count) = type_spec(data_type)?;
    if given == tag.data_type() && count.is_none_or(|count| count == tag.count()) {
        return Ok(());
    }
    Err(Error::TagTypeConflict {
        address: what.to_owned(),
        address_type: type_label(tag),
        given: data_type.trim().to_owned(),
    })
}

/// The byte region of a tag outside the T and C areas.
pub(crate) fn region(tag: &Tag) -> Option<Region> {
    Region::of_area(tag.area(), tag.db_number())
}

fn offset(tag: &Tag) -> usize {
    usize::try_from(tag.offset()).unwrap_or(usize::MAX)
}

fn byte_len(tag: &Tag) -> usize {
    usize::try_from(tag.byte_len()).unwrap_or(usize::MAX)
}

/// The timers or counters a T/C tag spans, or [`Error::NoSuchElement`].
fn words<'m>(memory: &'m mut Memory, tag: &Tag) -> Result<&'m mut [u16], Error> {
    let (what, words) = match tag.area() {
        Area::Timers => ("timer", memory.timers_mut()),
        _ => ("counter", memory.counters_mut()),
    };
    let start = offset(tag);
    let count = usize::from(tag.count());
    let len = words.len();
    start
        .checked_add(count)
        .and_then(|end| words.get_mut(start..end))
        .ok_or(Error::NoSuchElement {
            what,
            index: start.max(len),
            count: len,
        })
}

/// Decodes the tag's value from memory.
///
/// # Errors
/// A missing data block, a tag past the end of its area, bytes that are no value of the type.
pub(crate) fn read(memory: &Memory, tag: &Tag) -> Result<Value, Error> {
    match region(tag) {
        Some(region) => {
            let span = memory.read_bytes(region, offset(tag), byte_len(tag))?;
            Ok(tag.read_value(span)?)
        }
        None => {
            let (what, words) = match tag.area() {
                Area::Timers => ("timer", memory.timers()),
                _ => ("counter", memory.counters()),
            };
            let start = offset(tag);
            let slice = start
                .checked_add(usize::from(tag.count()))
                .and_then(|end| words.get(start..end))
                .ok_or(Error::NoSuchElement {
                    what,
                    index: start.max(words.len()),
                    count: words.len(),
                })?;
            let span: Vec<u8> = slice.iter().flat_map(|w| w.to_be_bytes()).collect();
            Ok(tag.read_value(&span)?)
        }
    }
}

/// Encodes `value` into the tag's place in memory; on error memory is unchanged.
///
/// # Errors
/// As [`read`], and a value that is not of the tag's type or does not fit it.
pub(crate) fn write(memory: &mut Memory, tag: &Tag, value: &Value) -> Result<(), Error> {
    match region(tag) {
        Some(region) => {
            let span = memory.bytes_mut(region, offset(tag), byte_len(tag))?;
            Ok(tag.write_value(value, span)?)
        }
        None => {
            let slots = words(memory, tag)?;
            let mut span: Vec<u8> = slots.iter().flat_map(|w| w.to_be_bytes()).collect();
            tag.write_value(value, &mut span)?;
            for (slot, pair) in slots.iter_mut().zip(span.chunks_exact(2)) {
                if let [hi, lo] = pair {
                    *slot = u16::from_be_bytes([*hi, *lo]);
                }
            }
            Ok(())
        }
    }
}

/// The memory a tag covers, in the units overlaps are decided in: bits of a byte region
/// (a `BOOL` tag only its own bits, any other tag whole bytes), or elements of T and C.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Extent {
    area: Area,
    db: u16,
    start: u64,
    end: u64,
}

impl Extent {
    /// What `tag` covers.
    pub(crate) fn of(tag: &Tag) -> Self {
        let offset = u64::from(tag.offset());
        let count = u64::from(tag.count());
        let (start, len) = match tag.area() {
            Area::Timers | Area::Counters => (offset, count),
            _ if tag.data_type().is_bit() => (
                offset
                    .saturating_mul(8)
                    .saturating_add(u64::from(tag.bit())),
                count,
            ),
            _ => (
                offset.saturating_mul(8),
                u64::from(tag.byte_len()).saturating_mul(8),
            ),
        };
        Self {
            area: tag.area(),
            db: tag.db_number(),
            start,
            end: start.saturating_add(len),
        }
    }

    /// What a read or write var item covers; `None` for an item that makes no sense.
    pub(crate) fn of_item(item: &s7comm::ItemAddress) -> Option<Self> {
        let count = u64::from(item.count);
        let (start, len) = match item.area {
            Area::Timers | Area::Counters => (u64::from(item.address), count),
            Area::Other(_) => return None,
            _ if item.transport_size == s7comm::TransportSize::Bit => {
                (u64::from(item.address), count)
            }
            _ => {
                let element = u64::try_from(item.transport_size.element_len()?).ok()?;
                (
                    u64::from(item.address / 8).saturating_mul(8),
                    element.saturating_mul(count).saturating_mul(8),
                )
            }
        };
        Some(Self {
            area: item.area,
            db: if item.area == Area::DataBlock {
                item.db_number
            } else {
                0
            },
            start,
            end: start.saturating_add(len),
        })
    }

    /// What `len` raw bytes from byte `start` of `region` cover.
    #[cfg(any(test, feature = "control"))]
    pub(crate) fn of_bytes(region: Region, start: usize, len: usize) -> Self {
        let (area, db) = match region {
            Region::Inputs => (Area::Inputs, 0),
            Region::Outputs => (Area::Outputs, 0),
            Region::Flags => (Area::Flags, 0),
            Region::DataBlock(number) => (Area::DataBlock, number),
        };
        let start = u64::try_from(start).unwrap_or(u64::MAX).saturating_mul(8);
        let len = u64::try_from(len).unwrap_or(u64::MAX).saturating_mul(8);
        Self {
            area,
            db,
            start,
            end: start.saturating_add(len),
        }
    }

    /// What `len` elements from `start` of `area` ([`Area::Timers`] or [`Area::Counters`])
    /// cover.
    #[cfg(any(test, feature = "control"))]
    pub(crate) fn of_elements(area: Area, start: usize, len: usize) -> Self {
        let start = u64::try_from(start).unwrap_or(u64::MAX);
        Self {
            area,
            db: 0,
            start,
            end: start.saturating_add(u64::try_from(len).unwrap_or(u64::MAX)),
        }
    }

    /// Whether the two share a bit (or an element).
    pub(crate) fn overlaps(&self, other: &Self) -> bool {
        self.area == other.area
            && self.db == other.db
            && self.start < other.end
            && other.start < self.end
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::{typed_tag, Extent};
    use crate::error::Error;
    use s7comm::{DataType, Tag};

    #[test]
    fn a_type_key_types_an_untyped_address() {
        let tag = typed_tag("DB1.DBD20", Some("REAL")).unwrap();
        assert_eq!(tag.to_string(), "DB1.DBD20:REAL");
        assert_eq!(
            typed_tag("DB1.DBB100", Some("STRING[20]"))
                .unwrap()
                .data_type(),
            DataType::String(20)
        );
        assert_eq!(typed_tag("DB1.DBW0", Some("INT[4]")).unwrap().count(), 4);
        assert_eq!(
            typed_tag("DB1.DBD20", None).unwrap().data_type(),
            DataType::DWord
        );
        // The same type twice is fine; another one is a conflict.
        assert_eq!(
            typed_tag("DB1.DBD20:REAL", Some("real")).unwrap(),
            typed_tag("DB1,REAL20", None).unwrap()
        );
        assert!(matches!(
            typed_tag("DB1.DBW0:INT", Some("UINT")),
            Err(Error::TagTypeConflict { .. })
        ));
        assert!(matches!(
            typed_tag("DB1,W0", Some("INT")),
            Err(Error::TagTypeConflict { .. })
        ));
        // A type that does not fit the width is s7comm's error.
        let error = typed_tag("DB1.DBW0", Some("REAL")).unwrap_err();
        assert!(error.to_string().contains("does not fit width"), "{error}");
        let error = typed_tag("DB1.DBD", Some("REAL")).unwrap_err();
        assert_eq!(error.to_string(), r#""DB1.DBD" at 7: byte offset expected"#);
    }

    #[test]
    fn extents_overlap_on_bits_for_bool_and_bytes_otherwise() {
        let extent = |address: &str| Extent::of(&Tag::parse(address).unwrap());
        assert!(!extent("DB1.DBX50.3").overlaps(&extent("DB1.DBX50.4")));
        assert!(extent("DB1.DBX50.3").overlaps(&extent("DB1.DBB50")));
        assert!(extent("DB1.DBD20").overlaps(&extent("DB1.DBW22")));
        assert!(!extent("DB1.DBD20").overlaps(&extent("DB1.DBW24")));
        assert!(!extent("DB1.DBD20").overlaps(&extent("DB2.DBD20")));
        assert!(!extent("MW0").overlaps(&extent("QW0")));
        assert!(extent("T5:TIMER[3]").overlaps(&extent("T7")));
        let item = Tag::parse("DB1.DBX50.4").unwrap().item_address().unwrap();
        assert!(Extent::of_item(&item)
            .unwrap()
            .overlaps(&extent("DB1.DBX50.4")));
        assert!(!Extent::of_item(&item)
            .unwrap()
            .overlaps(&extent("DB1.DBX50.3")));
    }

    #[test]
    fn raw_byte_and_element_writes_overlap_the_tags_they_touch() {
        use crate::memory::Region;
        use s7comm::Area;
        let extent = |address: &str| Extent::of(&Tag::parse(address).unwrap());
        let bytes = Extent::of_bytes(Region::DataBlock(1), 22, 2);
        assert!(bytes.overlaps(&extent("DB1.DBD20")));
        assert!(bytes.overlaps(&extent("DB1.DBX23.7")));
        assert!(!bytes.overlaps(&extent("DB1.DBX24.0")));
        assert!(!bytes.overlaps(&extent("DB2.DBD20")));
        assert!(Extent::of_bytes(Region::Flags, 10, 1).overlaps(&extent("M10.2")));
        assert!(!Extent::of_bytes(Region::Flags, 10, 1).overlaps(&extent("I10.2")));
        assert!(Extent::of_bytes(Region::Inputs, 0, 1).overlaps(&extent("IB0")));
        assert!(Extent::of_bytes(Region::Outputs, 4, 4).overlaps(&extent("QW6")));
        assert!(!Extent::of_bytes(Region::Flags, 10, 0).overlaps(&extent("MB10")));
        let timers = Extent::of_elements(Area::Timers, 6, 2);
        assert!(timers.overlaps(&extent("T7")));
        assert!(!timers.overlaps(&extent("T8")));
        assert!(!timers.overlaps(&extent("C7")));
        assert!(!Extent::of_bytes(Region::Flags, usize::MAX, usize::MAX).overlaps(&extent("MB0")));
    }
}
