//! [`TagTable`]: the named tags of a running server, and the simulations among them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use s7comm::{ItemAddress, Tag, Value};

use super::simulate::{sample, value_of, TagClock};
use super::{write, Extent, NamedTag};
use crate::error::Error;
use crate::memory::Memory;
use crate::plc::Plc;
use crate::profile::Simulation;

/// A tag as a builder collects it: its name, address and type, and its initial value or
/// its simulation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TagDef {
    pub(crate) name: String,
    pub(crate) tag: Tag,
    pub(crate) value: Option<Value>,
    pub(crate) simulation: Option<Simulation>,
}

#[derive(Debug)]
struct Entry {
    def: TagDef,
    extent: Extent,
    /// Seed of a random simulation.
    seed: u64,
    /// Whether the simulation runs (false once written, or without one).
    active: AtomicBool,
}

impl Entry {
    fn simulating(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// Writes the simulation's value at `t_ms` into memory.
    fn refresh(&self, memory: &mut Memory, t_ms: u64) {
        let Some(simulation) = &self.def.simulation else {
            return;
        };
        let ty = self.def.tag.data_type();
        let Some(value) = value_of(ty, sample(simulation, self.seed, t_ms, ty)) else {
            return;
        };
        // The tag was checked against the memory when the server started.
        let _ = write(memory, &self.def.tag, &value);
    }
}

/// The named tags of a server.
#[derive(Debug)]
pub(crate) struct TagTable {
    entries: Vec<Entry>,
    /// Whether any entry has a simulation (if not, nothing is installed in the PLC).
    simulated: bool,
    clock: TagClock,
}

impl TagTable {
    /// The table for `defs` (names unique; later definitions replace earlier ones).
    pub(crate) fn new(defs: Vec<TagDef>, clock: TagClock) -> Self {
        let clock_seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let mut entries: Vec<Entry> = Vec::with_capacity(defs.len());
        for def in defs {
            let seed = match &def.simulation {
                Some(Simulation::Random {
                    seed: Some(seed), ..
                }) => *seed,
                _ => clock_seed.wrapping_add(u64::try_from(entries.len()).unwrap_or(0)),
            };
            let entry = Entry {
                extent: Extent::of(&def.tag),
                seed,
                active: AtomicBool::new(def.simulation.is_some()),
                def,
            };
            entries.retain(|e| e.def.name != entry.def.name);
            entries.push(entry);
        }
        let simulated = entries.iter().any(|e| e.def.simulation.is_some());
        Self {
            entries,
            simulated,
            clock,
        }
    }

    /// Whether any tag is simulated.
    pub(crate) fn simulated(&self) -> bool {
        self.simulated
    }

    /// Writes every initial value, and every simulation's value at the clock's time now,
    /// into `memory`; checks that a tag without value lies inside the memory.
    ///
    /// # Errors
    /// [`Error::InvalidTag`] naming the tag whose place or value does not fit the memory.
    pub(crate) fn initialize(&self, memory: &mut Memory) -> Result<(), Error> {
        let now = self.clock.millis();
        for entry in &self.entries {
            let value = match (&entry.def.value, &entry.def.simulation) {
                (Some(value), _) => value.clone(),
                (None, Some(simulation)) => {
                    super::check_simulation(&entry.def.tag, simulation).map_err(|reason| {
                        Error::InvalidTag {
                            name: entry.def.name.clone(),
                            reason,
                        }
                    })?;
                    let ty = entry.def.tag.data_type();
                    let x = sample(simulation, entry.seed, now, ty);
                    value_of(ty, x).ok_or_else(|| Error::InvalidTag {
                        name: entry.def.name.clone(),
                        reason: format!("simulated value {x} does not fit {ty}"),
                    })?
                }
                (None, None) => {
                    // No value: the memory keeps what it has, but the place must exist.
                    super::read(memory, &entry.def.tag).map_err(|error| Error::InvalidTag {
                        name: entry.def.name.clone(),
                        reason: error.to_string(),
                    })?;
                    continue;
                }
            };
            write(memory, &entry.def.tag, &value).map_err(|error| Error::InvalidTag {
                name: entry.def.name.clone(),
                reason: error.to_string(),
            })?;
        }
        Ok(())
    }

    /// The tag named `name`.
    pub(crate) fn named(&self, name: &str) -> Option<&Tag> {
        self.entries
            .iter()
            .find(|e| e.def.name == name)
            .map(|e| &e.def.tag)
    }

    /// Every tag, in definition order.
    pub(crate) fn list(&self) -> Vec<NamedTag> {
        self.entries
            .iter()
            .map(|e| NamedTag {
                name: e.def.name.clone(),
                tag: e.def.tag,
                simulation: e.def.simulation.clone(),
                simulating: e.simulating(),
            })
            .collect()
    }

    /// The name of the named tag at exactly `tag`.
    pub(crate) fn name_of(&self, tag: &Tag) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.def.tag == *tag)
            .map(|e| e.def.name.as_str())
    }

    /// Refreshes the simulated tags that overlap any of `extents` (all of them with `None`).
    fn refresh_where(&self, plc: &Plc, mut touches: impl FnMut(&Extent) -> bool) {
        if !self.simulated {
            return;
        }
        let mut due = self
            .entries
            .iter()
            .filter(|e| e.simulating() && touches(&e.extent))
            .peekable();
        if due.peek().is_none() {
            return;
        }
        let now = self.clock.millis();
        let mut memory = plc.memory_mut();
        for entry in due {
            entry.refresh(&mut memory, now);
        }
    }

    /// Before a read var: refreshes the simulated tags its items touch.
    pub(crate) fn refresh_items(
        &self,
        plc: &Plc,
        items: impl Iterator<Item = ItemAddress> + Clone,
    ) {
        self.refresh_where(plc, |extent| {
            items
                .clone()
                .filter_map(|item| Extent::of_item(&item))
                .any(|item| item.overlaps(extent))
        });
    }

    /// Before a read of `tag` through the API: refreshes the simulated tags it overlaps.
    pub(crate) fn refresh_tag(&self, plc: &Plc, tag: &Tag) {
        let target = Extent::of(tag);
        self.refresh_where(plc, |extent| extent.overlaps(&target));
    }

    /// Refreshes every simulated tag.
    pub(crate) fn refresh_all(&self, plc: &Plc) {
        self.refresh_where(plc, |_| true);
    }

    /// After a write: stops the simulations of the tags that `written` overlaps.
    pub(crate) fn written(&self, written: &Extent) {
        if !self.simulated {
            return;
        }
        for entry in &self.entries {
            if entry.extent.overlaps(written) && entry.simulating() {
                entry.active.store(false, Ordering::Relaxed);
                tracing::debug!(tag = %entry.def.name, "simulation stopped by a write");
            }
        }
    }

    /// After a client's write var item: as [`written`](Self::written).
    pub(crate) fn written_item(&self, item: &ItemAddress) {
        if let Some(extent) = Extent::of_item(item) {
            self.written(&extent);
        }
    }

    /// Starts every simulation again, with the clock counted from now.
    pub(crate) fn restart(&self) {
        self.clock.restart();
        for entry in &self.entries {
            entry
                .active
                .store(entry.def.simulation.is_some(), Ordering::Relaxed);
        }
    }
}
