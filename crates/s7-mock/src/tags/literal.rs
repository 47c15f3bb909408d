//! A value as a profile (TOML) or the control API (JSON) writes it, and the [`Value`] it
//! means for a tag's type.

use s7comm::{Tag, Value};

use crate::error::Error;

/// A number, bool, text or list from a file or a request, before its type is known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// A whole number that fits `i64`.
    Int(i64),
    /// A whole number above `i64::MAX` (JSON has them, TOML does not).
    #[cfg_attr(not(feature = "control"), allow(dead_code))]
    UInt(u64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// Text, read with [`Value::parse`] (`"16#FF"`, `"T#1s"`, `"2024-03-15"`, `"B-0042"`).
    Text(String),
    /// The elements of an array tag.
    List(Vec<Literal>),
}

impl Literal {
    fn kind(&self) -> &'static str {
        match self {
            Self::Int(_) | Self::UInt(_) | Self::Float(_) => "a number",
            Self::Bool(_) => "a bool",
            Self::Text(_) => "a string",
            Self::List(_) => "an array",
        }
    }

    /// One element of type `tag.data_type()`.
    fn scalar(&self, tag: &Tag) -> Result<Value, Error> {
        let ty = tag.data_type();
        Ok(match self {
            Self::Int(n) => Value::from_i64(ty, *n)?,
            Self::UInt(n) => Value::from_u64(ty, *n)?,
            Self::Float(x) => Value::from_f64(ty, *x)?,
            Self::Bool(b) => Value::from_bool(ty, *b)?,
            Self::Text(text) => Value::parse(ty, text)?,
            Self::List(_) => {
                return Err(Error::TagValue {
                    tag: tag.to_string(),
                    reason: "an array where one value is expected".to_owned(),
                })
            }
        })
    }

    /// The value this literal gives `tag`: one element, or for a tag with a count an array
    /// of exactly that many.
    ///
    /// # Errors
    /// [`Error::TagValue`] for an array given to a scalar tag (or the other way round) or an
    /// array of the wrong length; s7comm's error for an element that is no value of the type
    /// or out of its range.
    pub(crate) fn value_for(&self, tag: &Tag) -> Result<Value, Error> {
        let Some(count) = tag.value_count() else {
            return self.scalar(tag);
        };
        let Self::List(items) = self else {
            return Err(Error::TagValue {
                tag: tag.to_string(),
                reason: format!("expected an array of {count} values, got {}", self.kind()),
            });
        };
        if items.len() != count {
            return Err(Error::TagValue {
                tag: tag.to_string(),
                reason: format!("expected an array of {count} values, got {}", items.len()),
            });
        }
        let values = items
            .iter()
            .map(|item| item.scalar(tag))
            .collect::<Result<Vec<Value>, Error>>()?;
        Ok(Value::Array(values))
    }

    /// The literal of a TOML value; `None` for a table.
    pub(crate) fn from_toml(value: &toml::Value) -> Option<Self> {
        Some(match value {
            toml::Value::Integer(n) => Self::Int(*n),
            toml::Value::Float(x) => Self::Float(*x),
            toml::Value::Boolean(b) => Self::Bool(*b),
            toml::Value::String(text) => Self::Text(text.clone()),
            toml::Value::Datetime(datetime) => Self::Text(datetime.to_string()),
            toml::Value::Array(items) => Self::List(
                items
                    .iter()
                    .map(Self::from_toml)
                    .collect::<Option<Vec<Self>>>()?,
            ),
            toml::Value::Table(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::Literal;
    use s7comm::{Tag, Value};

    #[test]
    fn literals_become_values_of_the_tags_type() {
        let tag = |a: &str| Tag::parse(a).unwrap();
        assert_eq!(
            Literal::Float(1500.0)
                .value_for(&tag("DB1.DBD20:REAL"))
                .unwrap(),
            Value::Real(1500.0)
        );
        assert_eq!(
            Literal::Int(-3).value_for(&tag("MW0:INT")).unwrap(),
            Value::Int(-3)
        );
        assert_eq!(
            Literal::Text("B-0042".into())
                .value_for(&tag("DB1.DBB100:STRING[20]"))
                .unwrap(),
            Value::String("B-0042".into())
        );
        assert_eq!(
            Literal::List(vec![Literal::Bool(true), Literal::Bool(false)])
                .value_for(&tag("M0.0:BOOL[2]"))
                .unwrap(),
            Value::Array(vec![Value::Bool(true), Value::Bool(false)])
        );
        assert!(Literal::Int(40_000).value_for(&tag("MW0:INT")).is_err());
        assert!(Literal::Int(1).value_for(&tag("MW0:INT[2]")).is_err());
        assert!(Literal::List(vec![Literal::Int(1)])
            .value_for(&tag("MW0:INT[2]"))
            .is_err());
        assert!(Literal::List(vec![]).value_for(&tag("MW0:INT")).is_err());
    }
}
