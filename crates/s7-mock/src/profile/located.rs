//! Load errors with locations: every error of a profile names the file, the line and the key,
//! e.g. `plant.toml:14: [[db]] number: data block 0 is outside 1..=65535`.
//!
//! Lines come from the byte spans `toml` keeps for each key and value ([`toml::Spanned`],
//! [`toml::de::Error::span`]); the key of a `serde` error is found by looking its span up in
//! the document parsed with spans ([`toml::de::DeTable`]).

use std::fmt::Display;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::error::Error;

/// One step of a TOML path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where a key sits in the document: `[Key("db"), Index(1), Key("number")]` is the `number`
/// of the second `[[db]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(Vec<Step>);

impl KeyPath {
    /// The document itself.
    pub(crate) fn root() -> Self {
        Self::default()
    }

    /// The key `key` of this table.
    pub(crate) fn key(&self, key: &str) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_owned()));
        Self(steps)
    }

    /// Element `index` of this array.
    pub(crate) fn index(&self, index: usize) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        Self(steps)
    }

    fn parent(&self) -> Self {
        let mut steps = self.0.clone();
        steps.pop();
        Self(steps)
    }

    fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Step::Key(key)) => Some(key),
            _ => None,
        }
    }

    /// The path as TOML would write it: `db[1].number`, `plc.slott`.
    pub(crate) fn dotted(&self) -> String {
        let mut out = String::new();
        for step in &self.0 {
            match step {
                Step::Key(key) if out.is_empty() => out.push_str(key),
                Step::Key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Step::Index(index) => out.push_str(&format!("[{index}]")),
            }
        }
        out
    }

    /// The table as a reader finds it in the file: `[plc]`, `[[db]]`, `[[tag]] simulate`;
    /// empty for the document itself.
    pub(crate) fn table_label(&self) -> String {
        let mut out = String::new();
        let mut steps = self.0.iter().peekable();
        while let Some(step) = steps.next() {
            match step {
                Step::Key(key) if matches!(steps.peek(), Some(Step::Index(_))) => {
                    steps.next();
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(&format!("[[{key}]]"));
                }
                Step::Key(key) if out.is_empty() => out.push_str(&format!("[{key}]")),
                Step::Key(key) => {
                    out.push(' ');
                    out.push_str(key);
                }
                Step::Index(index) => out.push_str(&format!("[{index}]")),
            }
        }
        out
    }

    /// The key with its table: `[[db]] number`, `[plc] slot`; a top-level key alone.
    pub(crate) fn label(&self) -> String {
        match self.last_key() {
            Some(key) => {
                let table = self.parent().table_label();
                if table.is_empty() {
                    key.to_owned()
                } else {
                    format!("{table} {key}")
                }
            }
            None => self.table_label(),
        }
    }
}

/// A profile's text and the name its messages give it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) origin: &'a str,
    pub(crate) text: &'a str,
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer.start < outer.end
}

/// The deepest key or value of `table` whose span holds `span`.
fn find_in_table(table: &DeTable<'_>, span: &Range<usize>, path: &KeyPath) -> Option<KeyPath> {
    for (key, value) in table.iter() {
        let here = path.key(key.get_ref());
        if contains(&key.span(), span) {
            return Some(here);
        }
        if let Some(found) = find_in_value(value.get_ref(), span, &here) {
            return Some(found);
        }
        if contains(&value.span(), span) {
            return Some(here);
        }
    }
    None
}

fn find_in_value(value: &DeValue<'_>, span: &Range<usize>, path: &KeyPath) -> Option<KeyPath> {
    match value {
        DeValue::Table(table) => find_in_table(table, span, path),
        DeValue::Array(array) => array.iter().enumerate().find_map(|(index, item)| {
            let here = path.index(index);
            find_in_value(item.get_ref(), span, &here)
                .or_else(|| contains(&item.span(), span).then_some(here))
        }),
        _ => None,
    }
}

/// A serde message in the file's terms: `expected i64` becomes `expected an integer`, the
/// name of an internal struct `a table`.
fn in_toml_terms(message: &str) -> String {
    let message = match message.find("expected struct Raw") {
        Some(at) => format!("{}expected a table", message.get(..at).unwrap_or_default()),
        None => message.to_owned(),
    };
    message
        .replace("expected i64", "expected an integer")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
}

/// The name between the first pair of backticks of a serde message.
fn quoted(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once('`')?;
    let (name, _) = rest.split_once('`')?;
    Some(name)
}

impl Source<'_> {
    /// Line (from 1) of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        let before = self.text.get(..offset).unwrap_or(self.text);
        before.matches('\n').count().saturating_add(1)
    }

    /// `origin:line: [table] key: reason`.
    pub(crate) fn error(&self, span: &Range<usize>, path: &KeyPath, reason: impl Display) -> Error {
        Error::Profile {
            origin: self.origin.to_owned(),
            line: self.line(span.start),
            key: path.dotted(),
            message: format!("{}: {reason}", path.label()),
        }
    }

    /// `origin:line: unknown key "slott" in [plc]`.
    fn unknown_key(&self, span: &Range<usize>, path: &KeyPath) -> Error {
        let key = path.last_key().unwrap_or_default();
        let table = path.parent().table_label();
        let message = if table.is_empty() {
            format!("unknown key {key:?}")
        } else {
            format!("unknown key {key:?} in {table}")
        };
        Error::Profile {
            origin: self.origin.to_owned(),
            line: self.line(span.start),
            key: path.dotted(),
            message,
        }
    }

    /// A document that is not TOML at all.
    pub(crate) fn syntax(&self, error: &toml::de::Error) -> Error {
        let line = error.span().map_or(1, |span| self.line(span.start));
        Error::Profile {
            origin: self.origin.to_owned(),
            line,
            key: String::new(),
            message: format!("invalid TOML: {}", error.message().trim_end()),
        }
    }

    /// A TOML document that does not fit the schema (`serde` found the problem).
    pub(crate) fn schema(&self, error: &toml::de::Error, document: &DeTable<'_>) -> Error {
        let span = error.span().unwrap_or(0..0);
        let path = find_in_table(document, &span, &KeyPath::root()).unwrap_or_default();
        let message = error.message().trim_end();
        if message.starts_with("unknown field") && path.last_key() == quoted(message) {
            return self.unknown_key(&span, &path);
        }
        if let Some(missing) = message
            .strip_prefix("missing field")
            .and_then(|_| quoted(message))
        {
            let table = path.table_label();
            let where_ = if table.is_empty() {
                String::new()
            } else {
                format!("{table}: ")
            };
            return Error::Profile {
                origin: self.origin.to_owned(),
                line: self.line(span.start),
                key: path.key(missing).dotted(),
                message: format!("{where_}missing key {missing:?}"),
            };
        }
        self.error(&span, &path, in_toml_terms(message))
    }
}
