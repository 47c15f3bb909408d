//! A tag's value in its memory span: the bridge between [`Tag`] and [`Value`].
//!
//! A client reads a tag's span ([`Tag::byte_len`] bytes from its offset) and decodes it with
//! [`Tag::read_value`]; a PLC model or a client preparing a write encodes with
//! [`Tag::write_value`]. A tag of count 1 is a scalar [`Value`], a larger count a
//! [`Value::Array`].

use crate::{Error, Tag, Value};

impl Tag {
    /// The element count in [`Value`]'s terms: `None` for a scalar, `Some(n)` for an array.
    pub fn value_count(&self) -> Option<usize> {
        (self.count() > 1).then(|| usize::from(self.count()))
    }

    /// Decodes the tag's value from its span (the [`Tag::byte_len`] bytes from its offset;
    /// for `BOOL` the tag's bits from [`Tag::bit`] on).
    ///
    /// ```
    /// use s7comm::{Tag, Value};
    ///
    /// let tag = Tag::parse("DB1.DBD20:REAL")?;
    /// assert_eq!(tag.read_value(&[0x3F, 0x80, 0x00, 0x00])?, Value::Real(1.0));
    /// let bits = Tag::parse("DB1.DBX0.6:BOOL[3]")?;
    /// assert_eq!(
    ///     bits.read_value(&[0b0100_0000, 0b0000_0001])?,
    ///     Value::Array(vec![Value::Bool(true), Value::Bool(false), Value::Bool(true)])
    /// );
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Value::read_from`]: a span of the wrong length, or bytes that are not a valid
    /// encoding of the type.
    pub fn read_value(&self, span: &[u8]) -> Result<Value, Error> {
        Value::read_from(self.data_type(), self.value_count(), span, self.bit())
    }

    /// Encodes `value` into the tag's span; `BOOL` elements change only their own bits,
    /// every other type overwrites the whole span. On error `span` is unchanged.
    ///
    /// ```
    /// use s7comm::{Tag, Value};
    ///
    /// let tag = Tag::parse("MW10:INT")?;
    /// let mut span = [0; 2];
    /// tag.write_value(&Value::Int(-2), &mut span)?;
    /// assert_eq!(span, [0xFF, 0xFE]);
    /// assert!(tag.write_value(&Value::Real(1.0), &mut span).is_err());
    /// # Ok::<(), s7comm::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Value::write_into`]: a value of another type, out of its type's range, or an
    /// array of another length than the tag's count.
    pub fn write_value(&self, value: &Value, span: &mut [u8]) -> Result<(), Error> {
        value.write_into(self.data_type(), self.value_count(), span, self.bit())
    }
}
