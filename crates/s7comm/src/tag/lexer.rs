//! A byte cursor over a tag address shared by the dialect parsers.
//!
//! Letters compare case-insensitively; every position is a byte index into the original
//! input, so errors point at the exact spot. The cursor only ever steps over ASCII bytes,
//! so every position it reports is also a `char` boundary.

use alloc::string::String;

use crate::Error;

/// A forward-only cursor over the trimmed address text.
#[derive(Debug, Clone)]
pub(super) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    end: usize,
}

impl<'a> Lexer<'a> {
    /// A cursor over `input` without leading and trailing ASCII whitespace.
    pub(super) fn new(input: &'a str) -> Self {
        let bytes = input.as_bytes();
        let pos = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let end = bytes
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(pos, |last| last.saturating_add(1));
        Self { input, pos, end }
    }

    /// The current byte index.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Whether everything (but trailing whitespace) was consumed.
    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.end
    }

    /// The byte `ahead` places after the cursor, upper-cased.
    pub(super) fn peek_at(&self, ahead: usize) -> Option<u8> {
        let at = self.pos.checked_add(ahead)?;
        if at >= self.end {
            return None;
        }
        self.input.as_bytes().get(at).map(u8::to_ascii_uppercase)
    }

    /// The byte at the cursor, upper-cased.
    pub(super) fn peek(&self) -> Option<u8> {
        self.peek_at(0)
    }

    /// Whether the byte at the cursor is an ASCII digit.
    pub(super) fn at_digit(&self) -> bool {
        self.peek().is_some_and(|b| b.is_ascii_digit())
    }

    /// Steps over one byte; only call it after [`Lexer::peek`] returned an ASCII byte.
    pub(super) fn eat_any(&mut self) {
        self.pos = self.pos.saturating_add(1).min(self.end);
    }

    /// Consumes `byte` (compared upper-cased) if it is next.
    pub(super) fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte.to_ascii_uppercase()) {
            self.eat_any();
            true
        } else {
            false
        }
    }

    /// Consumes `byte` or fails with `reason` at the cursor.
    pub(super) fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), Error> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error_here(reason))
        }
    }

    /// Consumes the ASCII `word` (case-insensitive) if it is next.
    pub(super) fn eat_word(&mut self, word: &str) -> bool {
        let Some(end) = self.pos.checked_add(word.len()) else {
            return false;
        };
        let matches = end <= self.end
            && self
                .input
                .as_bytes()
                .get(self.pos..end)
                .is_some_and(|got| got.eq_ignore_ascii_case(word.as_bytes()));
        if matches {
            self.pos = end;
        }
        matches
    }

    /// Consumes a run of ASCII letters; returns it upper-cased with its start.
    pub(super) fn letters(&mut self) -> (String, usize) {
        self.take_while(|b| b.is_ascii_alphabetic())
    }

    /// Consumes an identifier (a letter, then letters, digits and `_`); returns it
    /// upper-cased with its start (empty if none is there).
    pub(super) fn identifier(&mut self) -> (String, usize) {
        if !self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            return (String::new(), self.pos);
        }
        self.take_while(|b| b.is_ascii_alphanumeric() || b == b'_')
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> (String, usize) {
        let start = self.pos;
        let mut text = String::new();
        while let Some(b) = self.peek().filter(|&b| keep(b)) {
            text.push(char::from(b));
            self.eat_any();
        }
        (text, start)
    }

    /// Consumes a decimal number; `reason` names what was expected if no digit is there.
    /// Returns the value and where it starts.
    pub(super) fn number(&mut self, reason: &'static str) -> Result<(u32, usize), Error> {
        let start = self.pos;
        if !self.at_digit() {
            return Err(self.error_here(reason));
        }
        let mut value: u32 = 0;
        while let Some(digit) = self.peek().filter(u8::is_ascii_digit) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u32::from(digit.saturating_sub(b'0'))))
                .ok_or_else(|| self.error(start, "number too large"))?;
            self.eat_any();
        }
        Ok((value, start))
    }

    /// Fails unless everything was consumed.
    pub(super) fn finish(&self) -> Result<(), Error> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error_here("unexpected trailing characters"))
        }
    }

    /// An address error at byte `at`.
    pub(super) fn error(&self, at: usize, reason: &'static str) -> Error {
        Error::Address {
            input: self.input.into(),
            at,
            reason,
        }
    }

    /// An address error at the cursor.
    pub(super) fn error_here(&self, reason: &'static str) -> Error {
        self.error(self.pos, reason)
    }
}
