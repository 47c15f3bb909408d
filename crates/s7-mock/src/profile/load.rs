//! From the text of a profile to a checked [`Profile`]: parse (syntax, schema), then check
//! each value's range, read the data block images, resolve the preset.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use toml::de::DeTable;
use toml::Spanned;

use super::located::{KeyPath, Source};
use super::schema::{RawAreas, RawDb, RawPlc, RawProfile};
use super::tag::check_tags;
use super::{Areas, DataBlock, Preset, Profile};
use crate::error::Error;
use crate::memory::{MAX_ELEMENTS, MAX_REGION_LEN};
use crate::plc::{CpuModel, CpuState, Identity, ProtectionLevel, MAX_PDU_SIZE, MIN_PDU_SIZE};

/// Most connections a profile may ask for (as `--max-connections`).
const MAX_CONNECTIONS: i64 = 1_000_000;

pub(super) struct Checker<'a> {
    pub(super) source: Source<'a>,
    base_dir: PathBuf,
    warnings: Vec<String>,
}

/// `[plc]` fields, checked.
struct Plc {
    preset: Option<Preset>,
    identity: Option<Identity>,
    cpu_state: Option<CpuState>,
    listen: Option<SocketAddr>,
    pdu_size: Option<u16>,
    max_connections: Option<usize>,
    rack_slot: Option<(u8, u8)>,
    password: Option<String>,
    protection_level: Option<ProtectionLevel>,
}

impl Checker<'_> {
    /// An integer in `min..=max`.
    fn int(&self, path: &KeyPath, value: &Spanned<i64>, min: i64, max: i64) -> Result<i64, Error> {
        let n = *value.get_ref();
        if (min..=max).contains(&n) {
            return Ok(n);
        }
        Err(self
            .source
            .error(&value.span(), path, format!("{n} is outside {min}..={max}")))
    }

    /// An integer in `min..=max` as `T`.
    pub(super) fn ranged<T: TryFrom<i64>>(
        &self,
        path: &KeyPath,
        value: &Spanned<i64>,
        min: i64,
        max: i64,
    ) -> Result<T, Error> {
        let n = self.int(path, value, min, max)?;
        T::try_from(n).map_err(|_| {
            self.source
                .error(&value.span(), path, format!("{n} is out of range"))
        })
    }

    /// An identity string: ASCII, at most `len` characters (its SZL field).
    fn text(
        &self,
        path: &KeyPath,
        value: &Option<Spanned<String>>,
        len: usize,
        szl: &str,
    ) -> Result<Option<String>, Error> {
        let Some(value) = value else {
            return Ok(None);
        };
        let text = value.get_ref();
        if !text.is_ascii() {
            return Err(self
                .source
                .error(&value.span(), path, format!("{text:?} is not ASCII")));
        }
        if text.len() > len {
            return Err(self.source.error(
                &value.span(),
                path,
                format!("{text:?} is longer than the {len} characters of {szl}"),
            ));
        }
        Ok(Some(text.clone()))
    }

    /// `2.9.4` or `V2.9.4`.
    fn firmware(&self, path: &KeyPath, value: &Spanned<String>) -> Result<(u8, u8, u8), Error> {
        let text = value.get_ref();
        let digits = text.strip_prefix(['V', 'v']).unwrap_or(text);
        let parts: Vec<Option<u8>> = digits.split('.').map(|p| p.parse().ok()).collect();
        match parts.as_slice() {
            [Some(major), Some(minor), Some(patch)] => Ok((*major, *minor, *patch)),
            _ => Err(self.source.error(
                &value.span(),
                path,
                format!("{text:?} is not a version MAJOR.MINOR.PATCH (each 0..=255)"),
            )),
        }
    }

    fn plc(&mut self, raw: RawPlc) -> Result<Plc, Error> {
        let path = KeyPath::root().key("plc");
        let preset = match &raw.preset {
            None => None,
            Some(name) => Some(Preset::from_name(name.get_ref()).ok_or_else(|| {
                let known: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
                self.source.error(
                    &name.span(),
                    &path.key("preset"),
                    format!(
                        "unknown preset {:?}; expected one of {}",
                        name.get_ref(),
                        known.join(", ")
                    ),
                )
            })?),
        };

        let name = self.text(&path.key("name"), &raw.name, 24, "SZL 0x001C")?;
        let order = self.text(&path.key("order_code"), &raw.order_code, 20, "SZL 0x0011")?;
        let serial = self.text(&path.key("serial"), &raw.serial, 24, "SZL 0x001C")?;
        let system = self.text(&path.key("system_name"), &raw.system_name, 24, "SZL 0x001C")?;
        let plant = self.text(&path.key("plant_id"), &raw.plant_id, 32, "SZL 0x001C")?;
        let location = self.text(&path.key("location"), &raw.location, 32, "SZL 0x001C")?;
        let firmware = raw
            .firmware
            .as_ref()
            .map(|f| self.firmware(&path.key("firmware"), f))
            .transpose()?;
        let overridden = [&name, &order, &serial, &system, &plant, &location]
            .iter()
            .any(|o| o.is_some())
            || firmware.is_some();
        let identity = match (preset, overridden) {
            (None, false) => None,
            (preset, _) => {
                let mut identity = preset.map_or_else(Identity::default, Preset::identity);
                for (field, value) in [
                    (&mut identity.module_name, name),
                    (&mut identity.order_number, order),
                    (&mut identity.serial_number, serial),
                    (&mut identity.system_name, system),
                    (&mut identity.plant_id, plant),
                    (&mut identity.location, location),
                ] {
                    if let Some(value) = value {
                        *field = value;
                    }
                }
                if let Some(firmware) = firmware {
                    identity.firmware_version = firmware;
                }
                Some(identity)
            }
        };

        let cpu_state = match &raw.cpu {
            None => None,
            Some(cpu) => Some(match cpu.get_ref().as_str() {
                "run" => CpuState::Run,
                "stop" => CpuState::Stop,
                other => {
                    return Err(self.source.error(
                        &cpu.span(),
                        &path.key("cpu"),
                        format!("{other:?} is not a CPU state; expected run or stop"),
                    ))
                }
            }),
        };

        let listen = match &raw.listen {
            None => None,
            Some(listen) => Some(listen.get_ref().parse::<SocketAddr>().map_err(|_| {
                self.source.error(
                    &listen.span(),
                    &path.key("listen"),
                    format!(
                        "{:?} is not a socket address (e.g. 127.0.0.1:1102 or [::1]:1102)",
                        listen.get_ref()
                    ),
                )
            })?),
        };

        let pdu_max = preset.map_or(MAX_PDU_SIZE, Preset::max_pdu_size);
        let pdu_size = match &raw.pdu_size {
            None => preset.map(Preset::max_pdu_size),
            Some(size) => {
                let key = path.key("pdu_size");
                let n = *size.get_ref();
                if n < i64::from(MIN_PDU_SIZE) {
                    return Err(self.source.error(
                        &size.span(),
                        &key,
                        format!("{n} is below the smallest PDU of {MIN_PDU_SIZE}"),
                    ));
                }
                if n > i64::from(pdu_max) {
                    let whose = preset.map_or_else(|| "the mock's".to_owned(), |p| p.to_string());
                    self.warnings.push(format!(
                        "{}:{}: {}: {n} is above the {whose} maximum of {pdu_max}; capped to {pdu_max}",
                        self.source.origin,
                        self.source.line(size.span().start),
                        key.label(),
                    ));
                    Some(pdu_max)
                } else {
                    Some(self.ranged(&key, size, i64::from(MIN_PDU_SIZE), i64::from(pdu_max))?)
                }
            }
        };

        let max_connections = match &raw.max_connections {
            None => preset.map(Preset::max_connections),
            Some(max) => {
                Some(self.ranged(&path.key("max_connections"), max, 1, MAX_CONNECTIONS)?)
            }
        };

        let rack_slot = match (&raw.rack, &raw.slot) {
            (None, None) => None,
            (Some(rack), None) => {
                return Err(self.source.error(
                    &rack.span(),
                    &path.key("rack"),
                    "needs slot as well (connections are checked against rack and slot once slot is given)",
                ))
            }
            (rack, Some(slot)) => {
                let rack = match rack {
                    None => 0,
                    Some(rack) => self.ranged(&path.key("rack"), rack, 0, 7)?,
                };
                Some((rack, self.ranged(&path.key("slot"), slot, 0, 31)?))
            }
        };

        let password = match &raw.password {
            None => None,
            Some(password) => {
                let text = password.get_ref();
                if text.is_empty() || text.len() > 8 || !text.is_ascii() {
                    return Err(self.source.error(
                        &password.span(),
                        &path.key("password"),
                        "a CPU password is 1 to 8 ASCII characters",
                    ));
                }
                Some(text.clone())
            }
        };
        let protection_level = match &raw.protection_level {
            None => None,
            Some(level) => {
                let n: u8 = self.ranged(&path.key("protection_level"), level, 1, 3)?;
                if n > 1 && password.is_none() {
                    return Err(self.source.error(
                        &level.span(),
                        &path.key("protection_level"),
                        format!(
                            "level {n} needs a password in [plc] as well: without one no \
                             connection can lift it and every connection stays locked"
                        ),
                    ));
                }
                ProtectionLevel::from_number(n)
            }
        };

        Ok(Plc {
            preset,
            identity,
            cpu_state,
            listen,
            pdu_size,
            max_connections,
            rack_slot,
            password,
            protection_level,
        })
    }

    fn areas(&self, raw: RawAreas) -> Result<Areas, Error> {
        let path = KeyPath::root().key("areas");
        let bytes = |key: &str, value: &Option<Spanned<i64>>| -> Result<Option<usize>, Error> {
            value
                .as_ref()
                .map(|v| {
                    self.ranged(
                        &path.key(key),
                        v,
                        0,
                        i64::try_from(MAX_REGION_LEN).unwrap_or(i64::MAX),
                    )
                })
                .transpose()
        };
        let count = |key: &str, value: &Option<Spanned<i64>>| -> Result<Option<usize>, Error> {
            value
                .as_ref()
                .map(|v| {
                    self.ranged(
                        &path.key(key),
                        v,
                        0,
                        i64::try_from(MAX_ELEMENTS).unwrap_or(i64::MAX),
                    )
                })
                .transpose()
        };
        Ok(Areas {
            inputs: bytes("inputs", &raw.inputs)?,
            outputs: bytes("outputs", &raw.outputs)?,
            merkers: bytes("merkers", &raw.merkers)?,
            timers: count("timers", &raw.timers)?,
            counters: count("counters", &raw.counters)?,
        })
    }

    /// Reads an image of at most `size` bytes, zero-padded to `size`.
    pub(super) fn image(
        &self,
        path: &KeyPath,
        file: &Spanned<String>,
        size: usize,
    ) -> Result<Vec<u8>, Error> {
        let name = file.get_ref();
        if name.is_empty() {
            return Err(self.source.error(&file.span(), path, "is empty"));
        }
        let full = self.base_dir.join(name);
        let read_error = |error: std::io::Error| {
            self.source.error(
                &file.span(),
                path,
                format!("cannot read {name:?} ({}): {error}", full.display()),
            )
        };
        let handle = std::fs::File::open(&full).map_err(read_error)?;
        let limit = u64::try_from(size).unwrap_or(u64::MAX).saturating_add(1);
        let mut bytes = Vec::with_capacity(size);
        handle
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
        if bytes.len() > size {
            return Err(self.source.error(
                &file.span(),
                path,
                format!("{name:?} holds more than the block's {size} bytes"),
            ));
        }
        bytes.resize(size, 0);
        Ok(bytes)
    }

    fn data_blocks(&self, raw: Vec<RawDb>) -> Result<Vec<DataBlock>, Error> {
        let mut blocks: Vec<DataBlock> = Vec::with_capacity(raw.len());
        for (index, db) in raw.into_iter().enumerate() {
            let path = KeyPath::root().key("db").index(index);
            let number_key = path.key("number");
            let n = *db.number.get_ref();
            let number = u16::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| {
                self.source.error(
                    &db.number.span(),
                    &number_key,
                    format!("data block {n} is outside 1..=65535"),
                )
            })?;
            let line = self.source.line(db.number.span().start);
            if let Some(first) = blocks.iter().find(|b| b.number == number) {
                return Err(self.source.error(
                    &db.number.span(),
                    &number_key,
                    format!(
                        "data block {number} is given twice (first at line {})",
                        first.line
                    ),
                ));
            }
            let size: usize = self.ranged(
                &path.key("size"),
                &db.size,
                1,
                i64::try_from(MAX_REGION_LEN).unwrap_or(i64::MAX),
            )?;
            let contents = match &db.image {
                None => vec![0; size],
                Some(file) => self.image(&path.key("image"), file, size)?,
            };
            blocks.push(DataBlock {
                number,
                contents,
                line,
            });
        }
        Ok(blocks)
    }
}

/// The largest profile file read: 16 MiB, far beyond any real one.
pub const MAX_PROFILE_LEN: u64 = 16 << 20;

impl Profile {
    /// Parses and checks a profile. `origin` names the file in messages, and image files
    /// are found relative to its directory.
    ///
    /// # Errors
    /// [`Error::Profile`] naming the line and key of the first problem: TOML syntax, an
    /// unknown key, a value of the wrong type or out of range, a duplicate data block or
    /// tag, an unreadable or oversized image. A `pdu_size` above the preset's maximum is
    /// not an error: it is capped, with a [warning](Profile::warnings).
    pub fn from_toml_str(text: &str, origin: impl AsRef<Path>) -> Result<Self, Error> {
        let origin_path = origin.as_ref();
        let origin = origin_path.display().to_string();
        let source = Source {
            origin: &origin,
            text,
        };
        let document = DeTable::parse(text).map_err(|error| source.syntax(&error))?;
        let raw: RawProfile =
            toml::from_str(text).map_err(|error| source.schema(&error, document.get_ref()))?;
        let mut checker = Checker {
            source,
            base_dir: origin_path
                .parent()
                .map_or_else(PathBuf::new, Path::to_path_buf),
            warnings: Vec::new(),
        };
        let plc = checker.plc(raw.plc.unwrap_or_default())?;
        let areas = checker.areas(raw.areas.unwrap_or_default())?;
        let data_blocks = checker.data_blocks(raw.db)?;
        let model = plc.preset.map_or_else(CpuModel::default, Preset::cpu_model);
        let blocks = checker.blocks(raw.block, &model)?;
        let tags = check_tags(&source, raw.tag)?;
        Ok(Profile {
            origin: origin.clone(),
            preset: plc.preset,
            identity: plc.identity,
            cpu_state: plc.cpu_state,
            listen: plc.listen,
            pdu_size: plc.pdu_size,
            parallel_jobs: plc.preset.map(Preset::max_parallel_jobs),
            max_connections: plc.max_connections,
            szl_ids: plc.preset.map(|p| p.szl_ids().to_vec()),
            rack_slot: plc.rack_slot,
            password: plc.password,
            protection_level: plc.protection_level,
            areas,
            data_blocks,
            blocks,
            tags,
            warnings: checker.warnings,
        })
    }

    /// Reads and checks the profile at `path` (image files are relative to its directory).
    ///
    /// # Errors
    /// [`Error::ProfileRead`] when the file cannot be read, otherwise as
    /// [`from_toml_str`](Self::from_toml_str).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        use std::io::Read;
        let path = path.as_ref();
        let read_error = |cause: String| Error::ProfileRead {
            path: path.to_path_buf(),
            cause,
        };
        let file = std::fs::File::open(path).map_err(|error| read_error(error.to_string()))?;
        // Read one byte past the cap, so a larger file (or a device that never ends) is
        // refused without reading more of it.
        let mut text = String::new();
        file.take(MAX_PROFILE_LEN.saturating_add(1))
            .read_to_string(&mut text)
            .map_err(|error| read_error(error.to_string()))?;
        if text.len() as u64 > MAX_PROFILE_LEN {
            return Err(read_error(format!(
                "larger than the {MAX_PROFILE_LEN} bytes a profile may have"
            )));
        }
        Self::from_toml_str(&text, path)
    }
}
