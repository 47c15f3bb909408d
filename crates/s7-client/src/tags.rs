//! Typed tags: [`Client::read_tag`], [`Client::write_tag`] and their many-at-once forms.
//!
//! A tag ([`s7comm::Tag`], parsed from `DB1.DBD20:REAL`, `%MW10:INT`, `DB1,X0.3`, ...) is read
//! as one item of [`Client::read_many`] and decoded with its [`DataType`](s7comm::DataType);
//! many tags share as few PDUs as the negotiated size allows. How each kind goes on the wire:
//!
//! | tag | read | write |
//! |---|---|---|
//! | one `BOOL` | one bit (transport size BIT) | one bit: only that bit changes |
//! | `BOOL[n]` | the bytes holding the bits | one bit item per element, so neighbouring bits written by others are untouched |
//! | timers, counters | their own transport sizes, 2 bytes each | the same |
//! | anything else | its [`Tag::byte_len`] bytes | the whole span, encoded |

use s7comm::{Area, DataType, Tag, Value};

use crate::items::{ReadRequest, WriteRequest};
use crate::{Client, Error};

impl Client {
    /// Reads one tag and decodes its value.
    ///
    /// ```no_run
    /// use s7comm::{Tag, Value};
    ///
    /// # let mut client = s7_client::Client::builder("127.0.0.1:1102").connect()?;
    /// let speed = client.read_tag(&Tag::parse("DB1.DBD20:REAL")?)?;
    /// assert!(matches!(speed, Value::Real(_)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ItemFailed`] with the server's return code (a missing DB, an address out of
    /// range); [`Error::Codec`] when the bytes are not a valid encoding of the tag's type
    /// (e.g. a STRING whose length byte exceeds its maximum); transport errors.
    pub fn read_tag(&mut self, tag: &Tag) -> Result<Value, Error> {
        self.read_tags(core::slice::from_ref(tag))?
            .pop()
            .unwrap_or(Err(Error::ItemCount {
                what: "read var",
                expected: 1,
                received: 0,
            }))
    }

    /// Reads many tags, packed into as few read var requests as the PDU size allows; one
    /// result per tag, in the caller's order. A tag that fails (its DB does not exist, say)
    /// does not fail the others.
    ///
    /// # Errors
    /// The outer `Err` is for the call as a whole: transport errors, an error answer, an
    /// answer that does not match the request. The inner ones are per tag, as
    /// [`Client::read_tag`].
    pub fn read_tags(&mut self, tags: &[Tag]) -> Result<Vec<Result<Value, Error>>, Error> {
        let requests: Vec<ReadRequest> = tags.iter().map(read_request).collect();
        let answers = self.read_many(&requests)?;
        Ok(tags
            .iter()
            .zip(answers)
            .enumerate()
            .map(|(index, (tag, answer))| match answer {
                Ok(data) => decode(tag, &data),
                Err(return_code) => Err(Error::ItemFailed { index, return_code }),
            })
            .collect())
    }

    /// Encodes `value` for `tag` and writes it.
    ///
    /// ```no_run
    /// use s7comm::{Tag, Value};
    ///
    /// # let mut client = s7_client::Client::builder("127.0.0.1:1102").connect()?;
    /// client.write_tag(&Tag::parse("DB1.DBB30:STRING[20]")?, &Value::String("B-0042".into()))?;
    /// client.write_tag(&Tag::parse("DB1.DBX50.3")?, &Value::Bool(true))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Codec`] before anything is sent when the value does not fit the tag (an INT
    /// of 40000, a string longer than its declared length, a value of another type);
    /// otherwise as [`Client::read_tag`].
    pub fn write_tag(&mut self, tag: &Tag, value: &Value) -> Result<(), Error> {
        self.write_tags(&[(*tag, value.clone())])?
            .pop()
            .unwrap_or(Err(Error::ItemCount {
                what: "write var",
                expected: 1,
                received: 0,
            }))
    }

    /// Writes many tags, packed into as few write var requests as the PDU size allows; one
    /// result per tag, in the caller's order.
    ///
    /// Every value is encoded before anything is sent, so a value that does not fit its tag
    /// fails the whole call and writes nothing.
    ///
    /// # Errors
    /// The outer `Err` for an encoding error (nothing written) or a failure of the call as a
    /// whole; the inner ones per tag, with the server's return code.
    pub fn write_tags(&mut self, writes: &[(Tag, Value)]) -> Result<Vec<Result<(), Error>>, Error> {
        let encoded = writes
            .iter()
            .map(|(tag, value)| encode(tag, value))
            .collect::<Result<Vec<_>, _>>()?;
        // Each tag becomes one write item, or one per element for BOOL arrays.
        let mut requests = Vec::new();
        let mut owner = Vec::new();
        for (index, ((tag, _), span)) in writes.iter().zip(&encoded).enumerate() {
            for request in write_requests(tag, span)? {
                requests.push(request);
                owner.push(index);
            }
        }
        let answers = self.write_many(&requests)?;
        let mut results: Vec<Result<(), Error>> = writes.iter().map(|_| Ok(())).collect();
        for (index, answer) in owner.into_iter().zip(answers) {
            if let (Some(slot @ Ok(())), Err(return_code)) = (results.get_mut(index), answer) {
                *slot = Err(Error::ItemFailed { index, return_code });
            }
        }
        Ok(results)
    }
}

/// Whether `tag` is one bit, read and written with the BIT transport size.
fn is_single_bit(tag: &Tag) -> bool {
    tag.data_type().is_bit() && tag.count() == 1
}

fn read_request(tag: &Tag) -> ReadRequest {
    let count = usize::from(tag.count());
    match tag.area() {
        Area::Timers => ReadRequest::timers(tag.offset(), count),
        Area::Counters => ReadRequest::counters(tag.offset(), count),
        area if is_single_bit(tag) => {
            ReadRequest::bit(area, tag.db_number(), tag.offset(), tag.bit())
        }
        area => ReadRequest::bytes(area, tag.db_number(), tag.offset(), span_len(tag)),
    }
}

fn span_len(tag: &Tag) -> usize {
    usize::try_from(tag.byte_len()).unwrap_or(usize::MAX)
}

fn decode(tag: &Tag, data: &[u8]) -> Result<Value, Error> {
    if is_single_bit(tag) {
        // A BIT read answers one byte, 00 or 01.
        return Ok(Value::decode(DataType::Bool, data)?);
    }
    Ok(tag.read_value(data)?)
}

/// The tag's span with `value` written into it (zeros around BOOL bits).
fn encode(tag: &Tag, value: &Value) -> Result<Vec<u8>, Error> {
    let mut span = vec![0; span_len(tag)];
    tag.write_value(value, &mut span)?;
    Ok(span)
}

fn write_requests<'a>(tag: &Tag, span: &'a [u8]) -> Result<Vec<WriteRequest<'a>>, Error> {
    let area = tag.area();
    Ok(match area {
        Area::Timers => vec![WriteRequest::timers(tag.offset(), span)],
        Area::Counters => vec![WriteRequest::counters(tag.offset(), span)],
        _ if tag.data_type().is_bit() => {
            let first = u32::from(tag.bit());
            (0..u32::from(tag.count()))
                .map(|element| {
                    let position = first.saturating_add(element);
                    let byte = position / 8;
                    let bit = u8::try_from(position % 8).unwrap_or(0);
                    let value = span
                        .get(usize::try_from(byte).unwrap_or(usize::MAX))
                        .is_some_and(|b| b & (1 << bit) != 0);
                    let at = tag
                        .offset()
                        .checked_add(byte)
                        .ok_or(Error::InvalidArgument {
                            what: "bit address past the largest byte offset",
                        })?;
                    Ok(WriteRequest::bit(area, tag.db_number(), at, bit, value))
                })
                .collect::<Result<Vec<_>, Error>>()?
        }
        _ => vec![WriteRequest::bytes(
            area,
            tag.db_number(),
            tag.offset(),
            span,
        )],
    })
}
