//! Parsing of the area flags: `N:SIZE[:FILE]`, `SIZE[:FILE]`, `COUNT[:FILE]`, with the image
//! files read (and checked against their area) while the command line is parsed.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::memory::{MAX_ELEMENTS, MAX_REGION_LEN};

/// A byte area and its initial contents, zero-padded to its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaImage {
    /// The contents; their length is the area's size.
    pub bytes: Vec<u8>,
}

/// A `--db N:SIZE[:FILE]` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataBlockSpec {
    /// Data block number (1..=65535).
    pub number: u16,
    /// Its contents.
    pub image: AreaImage,
}

/// A `--timers` or `--counters` `COUNT[:FILE]` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementImage {
    /// One value per timer or counter; the length is the count.
    pub values: Vec<u16>,
}

fn invalid(what: &'static str, spec: &str, reason: impl Into<String>) -> Error {
    Error::InvalidSpec {
        what,
        spec: spec.to_owned(),
        reason: reason.into(),
    }
}

/// A size in bytes: digits, optionally followed by `K`/`KiB` (1024) or `M`/`MiB` (1024²).
fn parse_size(what: &'static str, spec: &str, text: &str, max: usize) -> Result<usize, Error> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    let unit: usize = match suffix.to_ascii_lowercase().as_str() {
        "" => 1,
        "k" | "kib" => 1024,
        "m" | "mib" => 1024 * 1024,
        _ => {
            return Err(invalid(
                what,
                spec,
                format!("{text:?} is not a size (digits, optionally followed by K or M)"),
            ))
        }
    };
    let value: usize = digits
        .parse()
        .map_err(|_| invalid(what, spec, format!("{text:?} is not a size")))?;
    let size = value
        .checked_mul(unit)
        .filter(|size| *size <= max)
        .ok_or_else(|| {
            invalid(
                what,
                spec,
                format!("{text} is more than the maximum of {max}"),
            )
        })?;
    Ok(size)
}

/// Reads at most `size` bytes of `path`, zero-padded to `size`; a longer file is an error.
fn load_image(path: &Path, size: usize) -> Result<Vec<u8>, Error> {
    let read_error = |error: std::io::Error| Error::ImageRead {
        path: path.to_path_buf(),
        cause: error.to_string(),
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let limit = u64::try_from(size).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::with_capacity(size);
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() > size {
        return Err(Error::ImageTooLarge {
            path: path.to_path_buf(),
            size,
        });
    }
    bytes.resize(size, 0);
    Ok(bytes)
}

/// `SIZE[:FILE]` for an area of `what`.
fn area(what: &'static str, spec: &str, text: &str) -> Result<AreaImage, Error> {
    let (size, file) = match text.split_once(':') {
        Some((size, file)) => (size, Some(file)),
        None => (text, None),
    };
    let size = parse_size(what, spec, size, MAX_REGION_LEN)?;
    let bytes = match file {
        Some("") => return Err(invalid(what, spec, "the file name after ':' is empty")),
        Some(file) => load_image(&PathBuf::from(file), size)?,
        None => vec![0; size],
    };
    Ok(AreaImage { bytes })
}

/// Parses `--db N:SIZE[:FILE]` (FILE may itself contain `:`).
pub fn parse_data_block(spec: &str) -> Result<DataBlockSpec, Error> {
    const WHAT: &str = "data block";
    let (number, rest) = spec
        .split_once(':')
        .ok_or_else(|| invalid(WHAT, spec, "expected N:SIZE or N:SIZE:FILE"))?;
    let number: u16 = number.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
        invalid(
            WHAT,
            spec,
            format!("{number:?} is not a data block number (1..=65535)"),
        )
    })?;
    let image = area(WHAT, spec, rest)?;
    if image.bytes.is_empty() {
        return Err(invalid(WHAT, spec, "a data block needs at least one byte"));
    }
    Ok(DataBlockSpec { number, image })
}

/// Parses `--inputs SIZE[:FILE]`.
pub fn parse_inputs(spec: &str) -> Result<AreaImage, Error> {
    area("inputs", spec, spec)
}

/// Parses `--outputs SIZE[:FILE]`.
pub fn parse_outputs(spec: &str) -> Result<AreaImage, Error> {
    area("outputs", spec, spec)
}

/// Parses `--merkers SIZE[:FILE]`.
pub fn parse_merkers(spec: &str) -> Result<AreaImage, Error> {
    area("merkers", spec, spec)
}

/// `COUNT[:FILE]`: FILE holds two big-endian bytes per element.
fn elements(what: &'static str, spec: &str) -> Result<ElementImage, Error> {
    let (count, file) = match spec.split_once(':') {
        Some((count, file)) => (count, Some(file)),
        None => (spec, None),
    };
    let count: usize = count
        .parse()
        .ok()
        .filter(|n| *n <= MAX_ELEMENTS)
        .ok_or_else(|| {
            invalid(
                what,
                spec,
                format!("{count:?} is not a count (0..={MAX_ELEMENTS})"),
            )
        })?;
    let values = match file {
        Some("") => return Err(invalid(what, spec, "the file name after ':' is empty")),
        Some(file) => load_image(&PathBuf::from(file), count.saturating_mul(2))?
            .chunks_exact(2)
            .map(|pair| match pair {
                [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                _ => 0,
            })
            .collect(),
        None => vec![0; count],
    };
    Ok(ElementImage { values })
}

/// Parses `--timers COUNT[:FILE]`.
pub fn parse_timers(spec: &str) -> Result<ElementImage, Error> {
    elements("timers", spec)
}

/// Parses `--counters COUNT[:FILE]`.
pub fn parse_counters(spec: &str) -> Result<ElementImage, Error> {
    elements("counters", spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_k_and_m_suffixes() {
        assert_eq!(parse_inputs("4096").map(|a| a.bytes.len()), Ok(4096));
        assert_eq!(parse_inputs("4K").map(|a| a.bytes.len()), Ok(4096));
        assert_eq!(
            parse_inputs("2MiB").map(|a| a.bytes.len()),
            Ok(2 * 1024 * 1024)
        );
        assert!(parse_inputs("3M").is_err());
        assert!(parse_inputs("12x").is_err());
        assert!(parse_inputs("").is_err());
    }

    #[test]
    fn data_block_needs_a_number_from_one() {
        assert_eq!(
            parse_data_block("7:16").map(|d| (d.number, d.image.bytes.len())),
            Ok((7, 16))
        );
        assert!(parse_data_block("0:16").is_err());
        assert!(parse_data_block("65536:16").is_err());
        assert!(parse_data_block("16").is_err());
        assert!(parse_data_block("1:0").is_err());
        assert!(parse_data_block("1:16:").is_err());
    }

    #[test]
    fn element_counts_are_capped() {
        assert_eq!(parse_timers("65536").map(|t| t.values.len()), Ok(65536));
        assert!(parse_counters("65537").is_err());
        assert!(parse_counters("-1").is_err());
    }
}
