//! `[[tag]]` entries: named addresses with an initial value or a simulation.
//!
//! They are parsed and checked here (unique name, fields, simulation parameters); the
//! address, the type and the value are checked when the profile is applied to a builder
//! (`apply_tags` in `apply.rs`), which knows the memory layout.

use std::ops::Range;

use toml::Spanned;

use super::located::{KeyPath, Source};
use super::schema::{RawSimulate, RawTag};
use crate::error::Error;

/// A value from the profile with the place it was written.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its line in the profile, from 1.
    pub line: usize,
    /// Its byte range in the profile's text.
    pub span: Range<usize>,
}

impl<T> Located<T> {
    fn new(source: &Source<'_>, spanned: Spanned<T>) -> Self {
        let span = spanned.span();
        Self {
            line: source.line(span.start),
            span,
            value: spanned.into_inner(),
        }
    }
}

/// How a simulated tag changes over time. Times are in milliseconds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Simulation {
    /// `start`, then `step` added every `every_ms` (defaults: 0, 1, 1000).
    Counter {
        /// First value.
        start: f64,
        /// Added each time.
        step: f64,
        /// Interval.
        every_ms: u64,
    },
    /// From `min` up to `max` in a straight line over `period_ms`, then again from `min`.
    Ramp {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
        /// Length of one ramp.
        period_ms: u64,
    },
    /// A sine wave between `min` and `max` with period `period_ms`.
    Sine {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
        /// Length of one wave.
        period_ms: u64,
    },
    /// `low` for half of `period_ms`, then `high` for the other half (defaults: 0, 1).
    Square {
        /// Value of the first half.
        low: f64,
        /// Value of the second half.
        high: f64,
        /// Length of one period.
        period_ms: u64,
    },
    /// A uniformly distributed value in `min..=max`, a new one every `every_ms` (default
    /// 1000); with a `seed` the sequence repeats from run to run.
    Random {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
        /// Seed of the generator; none: seeded from the clock.
        seed: Option<u64>,
        /// Interval.
        every_ms: u64,
    },
}

/// One `[[tag]]`, with each field's place in the file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TagSpec {
    /// The tag's name, unique in the profile.
    pub name: Located<String>,
    /// The address as written, in any dialect `s7comm` will parse (e.g. `DB1.DBD20`).
    pub address: Located<String>,
    /// The data type as written (e.g. `REAL`), when the address does not carry it.
    pub data_type: Option<Located<String>>,
    /// The initial value, as TOML gives it.
    pub value: Option<Located<toml::Value>>,
    /// How the value changes over time.
    pub simulate: Option<Located<Simulation>>,
}

/// The parameters each kind takes: `(kind, required, optional)`.
const KINDS: [(&str, &[&str], &[&str]); 5] = [
    ("counter", &[], &["start", "step", "every_ms"]),
    ("ramp", &["min", "max", "period_ms"], &[]),
    ("sine", &["min", "max", "period_ms"], &[]),
    ("square", &["period_ms"], &["low", "high"]),
    ("random", &["min", "max"], &["seed", "every_ms"]),
];

struct SimulateChecker<'s, 'a> {
    source: &'s Source<'a>,
    path: KeyPath,
    raw: &'s RawSimulate,
}

impl SimulateChecker<'_, '_> {
    /// The parameters given, with their spans.
    fn given(&self) -> Vec<(&'static str, Range<usize>)> {
        let r = self.raw;
        let floats = [
            ("min", &r.min),
            ("max", &r.max),
            ("start", &r.start),
            ("step", &r.step),
            ("low", &r.low),
            ("high", &r.high),
        ];
        let ints = [
            ("period_ms", &r.period_ms),
            ("every_ms", &r.every_ms),
            ("seed", &r.seed),
        ];
        floats
            .iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| (*name, v.span())))
            .chain(
                ints.iter()
                    .filter_map(|(name, value)| value.as_ref().map(|v| (*name, v.span()))),
            )
            .collect()
    }

    fn float(&self, value: &Option<Spanned<f64>>, default: f64) -> f64 {
        value.as_ref().map_or(default, |v| *v.get_ref())
    }

    /// A time in milliseconds, at least 1.
    fn millis(&self, name: &str, value: &Option<Spanned<i64>>, default: u64) -> Result<u64, Error> {
        let Some(value) = value else {
            return Ok(default);
        };
        u64::try_from(*value.get_ref())
            .ok()
            .filter(|ms| *ms >= 1)
            .ok_or_else(|| {
                self.source.error(
                    &value.span(),
                    &self.path.key(name),
                    format!("{} is not a time of at least 1 ms", value.get_ref()),
                )
            })
    }

    /// `min` below `max`.
    fn range(&self) -> Result<(f64, f64), Error> {
        let min = self.float(&self.raw.min, 0.0);
        let max = self.float(&self.raw.max, 0.0);
        if min < max {
            return Ok((min, max));
        }
        let span = self.raw.max.as_ref().map_or(0..0, Spanned::span);
        Err(self.source.error(
            &span,
            &self.path.key("max"),
            format!("max {max} is not above min {min}"),
        ))
    }

    fn check(&self) -> Result<Simulation, Error> {
        let kind = self.raw.kind.get_ref().as_str();
        let kind_span = self.raw.kind.span();
        let Some((_, required, optional)) = KINDS.iter().find(|(name, _, _)| *name == kind) else {
            let known: Vec<&str> = KINDS.iter().map(|(name, _, _)| *name).collect();
            return Err(self.source.error(
                &kind_span,
                &self.path.key("kind"),
                format!(
                    "unknown kind {kind:?}; expected one of {}",
                    known.join(", ")
                ),
            ));
        };
        let given = self.given();
        if let Some((name, span)) = given
            .iter()
            .find(|(name, _)| !required.contains(name) && !optional.contains(name))
        {
            let takes: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
            return Err(self.source.error(
                span,
                &self.path.key(name),
                format!(
                    "does not apply to kind {kind:?}, which takes {}",
                    takes.join(", ")
                ),
            ));
        }
        if let Some(missing) = required
            .iter()
            .find(|name| !given.iter().any(|(given, _)| given == *name))
        {
            return Err(self.source.error(
                &kind_span,
                &self.path.key(missing),
                format!("missing: kind {kind:?} needs {}", required.join(", ")),
            ));
        }
        let r = self.raw;
        Ok(match kind {
            "counter" => Simulation::Counter {
                start: self.float(&r.start, 0.0),
                step: self.float(&r.step, 1.0),
                every_ms: self.millis("every_ms", &r.every_ms, 1000)?,
            },
            "ramp" => {
                let (min, max) = self.range()?;
                Simulation::Ramp {
                    min,
                    max,
                    period_ms: self.millis("period_ms", &r.period_ms, 1000)?,
                }
            }
            "sine" => {
                let (min, max) = self.range()?;
                Simulation::Sine {
                    min,
                    max,
                    period_ms: self.millis("period_ms", &r.period_ms, 1000)?,
                }
            }
            "square" => Simulation::Square {
                low: self.float(&r.low, 0.0),
                high: self.float(&r.high, 1.0),
                period_ms: self.millis("period_ms", &r.period_ms, 1000)?,
            },
            _ => {
                let (min, max) = self.range()?;
                let seed = match &r.seed {
                    None => None,
                    Some(seed) => Some(u64::try_from(*seed.get_ref()).map_err(|_| {
                        self.source.error(
                            &seed.span(),
                            &self.path.key("seed"),
                            format!("{} is negative", seed.get_ref()),
                        )
                    })?),
                };
                Simulation::Random {
                    min,
                    max,
                    seed,
                    every_ms: self.millis("every_ms", &r.every_ms, 1000)?,
                }
            }
        })
    }
}

/// A string that must not be empty.
fn non_empty(
    source: &Source<'_>,
    path: &KeyPath,
    value: Spanned<String>,
) -> Result<Located<String>, Error> {
    if value.get_ref().trim().is_empty() {
        return Err(source.error(&value.span(), path, "is empty"));
    }
    Ok(Located::new(source, value))
}

/// Checks every `[[tag]]`.
pub(crate) fn check_tags(source: &Source<'_>, raw: Vec<RawTag>) -> Result<Vec<TagSpec>, Error> {
    let mut tags: Vec<TagSpec> = Vec::with_capacity(raw.len());
    for (index, tag) in raw.into_iter().enumerate() {
        let path = KeyPath::root().key("tag").index(index);
        let name = non_empty(source, &path.key("name"), tag.name)?;
        if let Some(first) = tags.iter().find(|t| t.name.value == name.value) {
            return Err(source.error(
                &name.span,
                &path.key("name"),
                format!(
                    "tag {:?} is given twice (first at line {})",
                    name.value, first.name.line
                ),
            ));
        }
        let address = non_empty(source, &path.key("address"), tag.address)?;
        let data_type = tag
            .data_type
            .map(|t| non_empty(source, &path.key("type"), t))
            .transpose()?;
        if let (Some(_), Some(simulate)) = (&tag.value, &tag.simulate) {
            return Err(source.error(
                &simulate.span(),
                &path.key("simulate"),
                format!(
                    "tag {:?} has both value and simulate; give one (a simulation sets the value)",
                    name.value
                ),
            ));
        }
        let simulate = match tag.simulate {
            None => None,
            Some(raw) => {
                let span = raw.span();
                let checker = SimulateChecker {
                    source,
                    path: path.key("simulate"),
                    raw: raw.get_ref(),
                };
                let simulation = checker.check()?;
                Some(Located::new(source, Spanned::new(span, simulation)))
            }
        };
        tags.push(TagSpec {
            name,
            address,
            data_type,
            value: tag.value.map(|v| Located::new(source, v)),
            simulate,
        });
    }
    Ok(tags)
}
