//! `[[block]]`: a block declared in the directory, its body and its metadata, checked.

use toml::value::Datetime;
use toml::Spanned;

use super::load::Checker;
use super::located::KeyPath;
use super::schema::RawBlock;
use crate::error::Error;
use crate::plc::blocks::{DEFAULT_MAX_BLOCK_SIZE, OVERHEAD};
use crate::plc::{BlockSpec, BlockType, CpuModel};
use s7comm::block::format::{language_from_name, BlockTime, Trailer, LANGUAGES};

/// Milliseconds of a second, a minute and an hour.
const SECOND_MS: u32 = 1_000;
const MINUTE_MS: u32 = 60 * SECOND_MS;
const HOUR_MS: u32 = 60 * MINUTE_MS;

impl Checker<'_> {
    /// `[[block]]`: type, number, body size, optional body file and metadata (what is not
    /// given defaults as on `model`).
    pub(super) fn blocks(
        &self,
        raw: Vec<RawBlock>,
        model: &CpuModel,
    ) -> Result<Vec<BlockSpec>, Error> {
        let mut blocks: Vec<BlockSpec> = Vec::with_capacity(raw.len());
        let largest = DEFAULT_MAX_BLOCK_SIZE.saturating_sub(OVERHEAD);
        for (index, block) in raw.into_iter().enumerate() {
            let path = KeyPath::root().key("block").index(index);
            let type_name = block.block_type.get_ref();
            let block_type = BlockType::from_name(type_name).ok_or_else(|| {
                self.source.error(
                    &block.block_type.span(),
                    &path.key("type"),
                    format!("{type_name:?} is not OB, DB, SDB, FC, SFC, FB or SFB"),
                )
            })?;
            let number: u16 = self.ranged(&path.key("number"), &block.number, 0, 65535)?;
            if blocks
                .iter()
                .any(|b| (b.block_type, b.number) == (block_type, number))
            {
                return Err(self.source.error(
                    &block.number.span(),
                    &path.key("number"),
                    format!("{} {number} is given twice", block_type.name()),
                ));
            }
            let size: usize = self.ranged(
                &path.key("size"),
                &block.size,
                0,
                i64::try_from(largest).unwrap_or(i64::MAX),
            )?;
            let mut spec = BlockSpec::for_model(block_type, number, size, model);
            if let Some(file) = &block.file {
                spec = spec.body(self.image(&path.key("file"), file, size)?);
            }
            self.metadata(&path, &block, &mut spec)?;
            blocks.push(spec);
        }
        Ok(blocks)
    }

    /// The metadata keys of one `[[block]]`, over the defaults in `spec`.
    fn metadata(
        &self,
        path: &KeyPath,
        block: &RawBlock,
        spec: &mut BlockSpec,
    ) -> Result<(), Error> {
        let meta = &mut spec.meta;
        for (key, value, field) in [
            ("author", &block.author, &mut meta.author),
            ("family", &block.family, &mut meta.family),
            ("name", &block.name, &mut meta.name),
        ] {
            if let Some(value) = value {
                if value.get_ref().len() > 8 || !value.get_ref().is_ascii() {
                    return Err(self.source.error(
                        &value.span(),
                        &path.key(key),
                        "is longer than 8 ASCII characters",
                    ));
                }
                *field = Trailer::field(value.get_ref());
            }
        }
        if let Some(version) = &block.version {
            meta.version = self.version(&path.key("version"), version)?;
        }
        if let Some(language) = &block.language {
            meta.language = language_from_name(language.get_ref()).ok_or_else(|| {
                let names: Vec<&str> = LANGUAGES.iter().map(|(name, _)| *name).collect();
                self.source.error(
                    &language.span(),
                    &path.key("language"),
                    format!(
                        "{:?} is not one of {}",
                        language.get_ref(),
                        names.join(", ")
                    ),
                )
            })?;
        }
        if let Some(flags) = &block.flags {
            meta.flags = self.ranged(&path.key("flags"), flags, 0, 255)?;
        }
        if let Some(local_data) = &block.local_data {
            meta.local_data = self.ranged(&path.key("local_data"), local_data, 0, 65535)?;
        }
        if let Some(checksum) = &block.checksum {
            meta.checksum = Some(self.ranged(&path.key("checksum"), checksum, 0, 65535)?);
        }
        if let Some(time) = &block.code_time {
            meta.code_time = self.block_time(&path.key("code_time"), time)?;
        }
        if let Some(time) = &block.interface_time {
            meta.interface_time = self.block_time(&path.key("interface_time"), time)?;
        }
        Ok(())
    }

    /// `MAJOR.MINOR`, each 0..=15: the version byte, major in the high nibble.
    fn version(&self, path: &KeyPath, value: &Spanned<String>) -> Result<u8, Error> {
        let text = value.get_ref();
        let nibble = |part: &str| part.parse::<u8>().ok().filter(|n| *n <= 15);
        let parts = text
            .split_once('.')
            .and_then(|(major, minor)| Some((nibble(major)?, nibble(minor)?)));
        match parts {
            Some((major, minor)) => Ok(major.wrapping_shl(4) | minor),
            None => Err(self.source.error(
                &value.span(),
                path,
                format!("{text:?} is not a version MAJOR.MINOR (each 0..=15)"),
            )),
        }
    }

    /// A TOML date or local date-time (a block timestamp has no time zone), from 1984-01-01
    /// to 2163-06-06 (16 bits of days).
    fn block_time(&self, path: &KeyPath, value: &Spanned<Datetime>) -> Result<BlockTime, Error> {
        let datetime = value.get_ref();
        let error = |reason: String| self.source.error(&value.span(), path, reason);
        if datetime.offset.is_some() {
            return Err(error(format!(
                "{datetime} has a time zone; a block timestamp is a local date or date-time"
            )));
        }
        let Some(date) = datetime.date else {
            return Err(error(format!("{datetime} has no date")));
        };
        let millis = datetime.time.map_or(0, |time| {
            u32::from(time.hour)
                .saturating_mul(HOUR_MS)
                .saturating_add(u32::from(time.minute).saturating_mul(MINUTE_MS))
                .saturating_add(u32::from(time.second).saturating_mul(SECOND_MS))
                .saturating_add(time.nanosecond / 1_000_000)
        });
        BlockTime::from_calendar(date.year, date.month, date.day, millis).ok_or_else(|| {
            error(format!(
                "{datetime} is outside 1984-01-01..=2163-06-06, the range of a block timestamp"
            ))
        })
    }
}
