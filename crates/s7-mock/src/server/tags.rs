//! More of [`Server`]: named tags, read and written by name or address, with their live
//! values (see the [`tags`](crate::tags) module).

use s7comm::{Tag, Value};

use super::handle::Server;
use crate::error::Error;
use crate::tags::{self, Extent, NamedTag};

/// Whether `text` is meant as an address rather than a name: it has the punctuation only
/// addresses have.
fn looks_like_address(text: &str) -> bool {
    text.contains(['.', ',', ':', '%', '['])
}

impl Server {
    /// The named tags, in the order they were defined, with whether each simulation still
    /// runs.
    pub fn tags(&self) -> Vec<NamedTag> {
        self.context.tags.list()
    }

    /// The tag `name_or_address` stands for: a named tag first, else an address in any
    /// dialect s7comm parses (typed with `:TYPE`, or of the width's default type).
    ///
    /// ```
    /// use s7_mock::s7comm::{DataType, Tag, Value};
    /// use s7_mock::Server;
    ///
    /// let server = Server::builder()
    ///     .data_block(1, 64)
    ///     .tag("speed", Tag::parse("DB1.DBD20:REAL")?, Value::Real(1.5))
    ///     .start()?;
    /// assert_eq!(server.tag("speed")?.data_type(), DataType::Real);
    /// assert_eq!(server.tag("DB1.DBW0:INT")?.data_type(), DataType::Int);
    /// assert!(server.tag("sped").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownTag`] for a word that is neither a name nor an address; s7comm's
    /// address error ([`Error::Codec`]) for text with an address's punctuation that does not
    /// parse.
    pub fn tag(&self, name_or_address: &str) -> Result<Tag, Error> {
        self.resolve_tag(name_or_address, None)
    }

    /// As [`tag`](Self::tag), with a type given apart (`REAL`, `STRING[20]`, `INT[4]`): it
    /// types an address that has no type of its own (`DB1.DBD20` + `REAL`), and must be the
    /// type of a named tag or of an address that carries one. What the control API's
    /// `PUT /tags/{name-or-address}` with a `"type"` does.
    ///
    /// # Errors
    /// As [`tag`](Self::tag); [`Error::TagTypeConflict`] for a type other than the one the
    /// named tag or the address has; s7comm's error for a type that does not parse or does
    /// not fit the address's width.
    pub fn resolve_tag(
        &self,
        name_or_address: &str,
        data_type: Option<&str>,
    ) -> Result<Tag, Error> {
        let text = name_or_address.trim();
        if let Some(tag) = self.context.tags.named(text) {
            if let Some(data_type) = data_type {
                tags::check_type(text, tag, data_type)?;
            }
            return Ok(*tag);
        }
        match Tag::parse(text) {
            Err(error) if !looks_like_address(text) => Err(Error::UnknownTag {
                name: text.to_owned(),
                reason: error.to_string(),
            }),
            _ => tags::typed_tag(text, data_type),
        }
    }

    /// The name of the named tag at exactly `tag`, if there is one.
    pub fn tag_name(&self, tag: &Tag) -> Option<String> {
        self.context.tags.name_of(tag).map(str::to_owned)
    }

    /// The current value of a named tag or an address (see [`tag`](Self::tag)); simulated
    /// tags it overlaps are brought up to date first.
    ///
    /// # Errors
    /// As [`tag`](Self::tag) and [`read_tag_at`](Self::read_tag_at).
    pub fn read_tag(&self, name_or_address: &str) -> Result<Value, Error> {
        self.read_tag_at(&self.tag(name_or_address)?)
    }

    /// The current value at `tag`; simulated tags it overlaps are brought up to date first.
    ///
    /// # Errors
    /// [`Error::NoSuchDataBlock`], [`Error::OutOfRange`] or [`Error::NoSuchElement`] when
    /// the tag is not inside the memory; s7comm's error for bytes that are no value of the
    /// type (e.g. a STRING whose length byte exceeds its maximum).
    pub fn read_tag_at(&self, tag: &Tag) -> Result<Value, Error> {
        self.context.tags.refresh_tag(&self.context.plc, tag);
        tags::read(&self.memory(), tag)
    }

    /// Writes `value` to a named tag or an address (see [`tag`](Self::tag)). A write stops
    /// the simulation of every tag it overlaps.
    ///
    /// ```
    /// use s7_mock::s7comm::Value;
    /// use s7_mock::Server;
    ///
    /// let server = Server::builder().data_block(1, 64).start()?;
    /// server.write_tag("DB1.DBW4:INT", &Value::Int(-7))?;
    /// assert_eq!(server.read_i16(s7_mock::memory::Region::DataBlock(1), 4)?, -7);
    /// assert!(server.write_tag("DB1.DBW4:INT", &Value::Real(1.0)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`tag`](Self::tag) and [`write_tag_at`](Self::write_tag_at).
    pub fn write_tag(&self, name_or_address: &str, value: &Value) -> Result<(), Error> {
        self.write_tag_at(&self.tag(name_or_address)?, value)
    }

    /// Writes `value` at `tag` and stops the simulation of every tag it overlaps.
    ///
    /// # Errors
    /// As [`read_tag_at`](Self::read_tag_at); s7comm's error for a value that is not of the
    /// tag's type, out of its range, or an array of another length than the tag's count.
    /// Nothing is written then.
    pub fn write_tag_at(&self, tag: &Tag, value: &Value) -> Result<(), Error> {
        tags::write(&mut self.memory_mut(), tag, value)?;
        self.context.tags.written(&Extent::of(tag));
        Ok(())
    }

    /// After a raw write of `written` through the control API: stops the simulation of every
    /// tag it overlaps, as a client's write would, so the next read does not overwrite what
    /// was written.
    #[cfg(feature = "control")]
    pub(crate) fn stop_simulations(&self, written: &Extent) {
        self.context.tags.written(written);
    }

    /// Brings every simulated tag's bytes in memory up to date, for code that reads memory
    /// directly ([`memory`](Self::memory), [`read_bytes`](Self::read_bytes)).
    pub fn refresh_tags(&self) {
        self.context.tags.refresh_all(&self.context.plc);
    }
}
