//! A small JSON reader and writer for everything the app reads and writes:
//! settings, the stored history, imported files, model lists and OpenRouter's
//! answers. Duplicate keys kept so they can be refused, messages that name the
//! field that is wrong, and no serde machinery in the wasm (its generic code
//! cost 20 KB brotli across the parts). A leaf module: it uses nothing of the
//! crate.

use std::fmt;

/// A JSON value with duplicate keys kept (so they can be refused) and no
/// number or map machinery: enough to check stored and imported data field by
/// field and say exactly what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Loose {
    Null,
    Bool(bool),
    UInt(u64),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Loose>),
    Object(Vec<(String, Loose)>),
}

impl Loose {
    /// Parses one JSON value (RFC 8259), surrounded by whitespace only.
    /// Nesting deeper than [`MAX_DEPTH`] is refused, so hostile input cannot
    /// exhaust the stack.
    pub fn parse(raw: &str) -> Result<Loose, JsonError> {
        let mut reader = Reader {
            text: raw.as_bytes(),
            at: 0,
        };
        let value = reader.value(0)?;
        reader.skip_space();
        if reader.at < reader.text.len() {
            return Err(reader.error(Problem::TrailingCharacters));
        }
        Ok(value)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Loose::Null => "null",
            Loose::Bool(_) => "true/false",
            Loose::UInt(_) | Loose::Int(_) | Loose::Float(_) => "a number",
            Loose::Text(_) => "text",
            Loose::List(_) => "a list",
            Loose::Object(_) => "an object",
        }
    }
}

/// Typed access to an object's fields, with messages that name the field.
pub struct Fields<'a>(pub &'a [(String, Loose)]);

impl Fields<'_> {
    pub fn get(&self, key: &str) -> Option<&Loose> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn repeated_key(&self) -> Option<&str> {
        let mut seen = crate::order::TextSet::default();
        self.0
            .iter()
            .find(|(k, _)| !seen.insert(k))
            .map(|(k, _)| k.as_str())
    }

    pub fn present(&self, key: &str) -> Result<&Loose, String> {
        self.get(key).ok_or_else(|| format!("\"{key}\" is missing"))
    }

    pub fn text(&self, key: &str) -> Result<String, String> {
        match self.present(key)? {
            Loose::Text(s) => Ok(s.clone()),
            other => Err(format!("\"{key}\" must be text, not {}", other.kind())),
        }
    }

    pub fn number(&self, key: &str) -> Result<f64, String> {
        let value = self.present(key)?;
        value
            .as_number()
            .ok_or_else(|| format!("\"{key}\" must be a number, not {}", value.kind()))
    }

    pub fn whole(&self, key: &str, max: u64) -> Result<u64, String> {
        match *self.present(key)? {
            Loose::UInt(n) if n <= max => Ok(n),
            _ => Err(format!("\"{key}\" must be a whole number from 0 to {max}")),
        }
    }

    pub fn flag(&self, key: &str) -> Result<bool, String> {
        match *self.present(key)? {
            Loose::Bool(b) => Ok(b),
            ref other => Err(format!(
                "\"{key}\" must be true or false, not {}",
                other.kind()
            )),
        }
    }

    pub fn list<T>(
        &self,
        key: &str,
        item: fn(&Loose) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        match self.present(key)? {
            Loose::List(items) => items.iter().map(item).collect(),
            other => Err(format!("\"{key}\" must be a list, not {}", other.kind())),
        }
    }

    /// Absent or `null` is `None`; anything else must satisfy `read`.
    pub fn optional<T>(
        &self,
        key: &str,
        read: impl Fn(&Self, &str) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        match self.get(key) {
            None | Some(Loose::Null) => Ok(None),
            Some(_) => read(self, key).map(Some),
        }
    }
}

impl Loose {
    /// `self[key]` when `self` is an object.
    pub fn get(&self, key: &str) -> Option<&Loose> {
        match self {
            Loose::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The number, when `self` is one.
    pub fn as_number(&self) -> Option<f64> {
        match *self {
            Loose::UInt(n) => Some(n as f64),
            Loose::Int(n) => Some(n as f64),
            Loose::Float(n) => Some(n),
            _ => None,
        }
    }

    /// The text, when `self` is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Loose::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// Deepest nesting [`Loose::parse`] accepts (serde_json's limit too).
pub const MAX_DEPTH: usize = 128;

/// Why text is not JSON, and where (1-based line and column of the byte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    problem: Problem,
    line: usize,
    column: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    EndOfInput,
    ExpectedValue,
    ExpectedColon,
    ExpectedCommaOrEnd,
    ExpectedKey,
    BadEscape,
    BadNumber,
    ControlCharacter,
    TooDeep,
    TrailingCharacters,
}

impl JsonError {
    /// The text ended before the value did.
    pub fn is_eof(&self) -> bool {
        self.problem == Problem::EndOfInput
    }

    pub fn line(&self) -> usize {
        self.line
    }

    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let what = match self.problem {
            Problem::EndOfInput => "the text ends too early",
            Problem::ExpectedValue => "expected a value",
            Problem::ExpectedColon => "expected `:`",
            Problem::ExpectedCommaOrEnd => "expected `,` or the end of the list or object",
            Problem::ExpectedKey => "expected a key in quotes",
            Problem::BadEscape => "invalid escape in a string",
            Problem::BadNumber => "invalid number",
            Problem::ControlCharacter => "control character in a string",
            Problem::TooDeep => "nested too deeply",
            Problem::TrailingCharacters => "unexpected text after the value",
        };
        write!(f, "{what} at line {} column {}", self.line, self.column)
    }
}

impl std::error::Error for JsonError {}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, problem: Problem) -> JsonError {
        let before = &self.text[..self.at.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // At the end of the text, the position is the last character read (as
        // serde_json reports it); otherwise the character that is wrong.
        let column = if problem == Problem::EndOfInput {
            (self.at - line_start).max(1)
        } else {
            self.at - line_start + 1
        };
        JsonError {
            problem,
            line,
            column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The next non-space byte, consumed; an error at the end of input.
    fn next_token(&mut self) -> Result<u8, JsonError> {
        self.skip_space();
        let byte = self.peek().ok_or_else(|| self.error(Problem::EndOfInput))?;
        self.at += 1;
        Ok(byte)
    }

    fn value(&mut self, depth: usize) -> Result<Loose, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(Problem::TooDeep));
        }
        match self.next_token()? {
            b'{' => self.object(depth),
            b'[' => self.list(depth),
            b'"' => self.string().map(Loose::Text),
            b't' => self.word(b"rue", Loose::Bool(true)),
            b'f' => self.word(b"alse", Loose::Bool(false)),
            b'n' => self.word(b"ull", Loose::Null),
            b'-' | b'0'..=b'9' => {
                self.at -= 1;
                self.number()
            }
            _ => {
                self.at -= 1;
                Err(self.error(Problem::ExpectedValue))
            }
        }
    }

    fn word(&mut self, rest: &[u8], value: Loose) -> Result<Loose, JsonError> {
        for &expected in rest {
            match self.peek() {
                Some(byte) if byte == expected => self.at += 1,
                None => return Err(self.error(Problem::EndOfInput)),
                Some(_) => return Err(self.error(Problem::ExpectedValue)),
            }
        }
        Ok(value)
    }

    /// After `,` or at the end of a list or object: `Ok(true)` when it ended.
    fn list_end(&mut self, close: u8) -> Result<bool, JsonError> {
        match self.next_token()? {
            b',' => Ok(false),
            byte if byte == close => Ok(true),
            _ => {
                self.at -= 1;
                Err(self.error(Problem::ExpectedCommaOrEnd))
            }
        }
    }

    fn list(&mut self, depth: usize) -> Result<Loose, JsonError> {
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Loose::List(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            if self.list_end(b']')? {
                return Ok(Loose::List(items));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Loose, JsonError> {
        let mut fields = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Loose::Object(fields));
        }
        loop {
            if self.next_token()? != b'"' {
                self.at -= 1;
                return Err(self.error(Problem::ExpectedKey));
            }
            let key = self.string()?;
            if self.next_token()? != b':' {
                self.at -= 1;
                return Err(self.error(Problem::ExpectedColon));
            }
            fields.push((key, self.value(depth + 1)?));
            if self.list_end(b'}')? {
                return Ok(Loose::Object(fields));
            }
        }
    }

    /// A string's contents after its opening quote, escapes decoded.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = Vec::new();
        loop {
            let start = self.at;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.extend_from_slice(&self.text[start..self.at]);
            match self.peek() {
                None => return Err(self.error(Problem::EndOfInput)),
                Some(b'"') => {
                    self.at += 1;
                    // The input is a &str and escapes add whole characters.
                    return String::from_utf8(out).map_err(|_| self.error(Problem::BadEscape));
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = self.escape()?;
                    let mut buffer = [0; 4];
                    out.extend_from_slice(escaped.encode_utf8(&mut buffer).as_bytes());
                }
                Some(_) => return Err(self.error(Problem::ControlCharacter)),
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let byte = self.peek().ok_or_else(|| self.error(Problem::EndOfInput))?;
        self.at += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                match first {
                    0xD800..=0xDBFF => {
                        // A high surrogate must be followed by `\u` and a low one.
                        if self.text.get(self.at..self.at + 2) != Some(b"\\u".as_slice()) {
                            return Err(self.error(Problem::BadEscape));
                        }
                        self.at += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.error(Problem::BadEscape));
                        }
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        char::from_u32(code).ok_or_else(|| self.error(Problem::BadEscape))?
                    }
                    _ => char::from_u32(first).ok_or_else(|| self.error(Problem::BadEscape))?,
                }
            }
            _ => {
                self.at -= 1;
                return Err(self.error(Problem::BadEscape));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.error(Problem::EndOfInput))?;
        let mut value = 0;
        for &digit in digits {
            let nibble = (digit as char)
                .to_digit(16)
                .ok_or_else(|| self.error(Problem::BadEscape))?;
            value = value * 16 + nibble;
        }
        self.at += 4;
        Ok(value)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: whole numbers
    /// that fit stay exact (`UInt`, `Int`), everything else is an `f64`.
    fn number(&mut self) -> Result<Loose, JsonError> {
        let start = self.at;
        let digits = |reader: &mut Self| {
            let from = reader.at;
            while matches!(reader.peek(), Some(b'0'..=b'9')) {
                reader.at += 1;
            }
            reader.at - from
        };
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let int_start = self.at;
        let int_digits = digits(self);
        if int_digits == 0 || (int_digits > 1 && self.text[int_start] == b'0') {
            return Err(self.error(Problem::BadNumber));
        }
        let mut whole = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            whole = false;
            if digits(self) == 0 {
                return Err(self.error(Problem::BadNumber));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            whole = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error(Problem::BadNumber));
            }
        }
        // Only ASCII digits and signs were consumed.
        let text = std::str::from_utf8(&self.text[start..self.at]).unwrap_or_default();
        if whole {
            if negative {
                // "-0" is the float -0.0 (as serde_json reads it).
                if let Ok(n) = text.parse::<i64>()
                    && n != 0
                {
                    return Ok(Loose::Int(n));
                }
            } else if let Ok(n) = text.parse::<u64>() {
                return Ok(Loose::UInt(n));
            }
        }
        Some(parse_float(text))
            .filter(|n| n.is_finite())
            .map(Loose::Float)
            .ok_or_else(|| self.error(Problem::BadNumber))
    }
}

/// A number the grammar above accepted, as the nearest `f64`. In the browser,
/// JavaScript's own (correctly rounding) `parseFloat` does it: Rust's parser
/// would add its 10 KB table of powers of five to the first load.
#[cfg(target_arch = "wasm32")]
fn parse_float(text: &str) -> f64 {
    js_sys::Number::parse_float(text)
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_float(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// Appends `value` as JSON: whole numbers as integers, others in the shortest
/// form that reads back the same, non-finite ones as `null`.
pub fn write_number(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str("null");
    } else if value.fract() == 0.0 && value.abs() < 9.0e15 {
        out.push_str(&(value as i64).to_string());
    } else {
        out.push_str(&format_float(value));
    }
}

/// JavaScript's `Number.prototype.toString`: shortest round trip, without
/// Rust's float printing code in the wasm.
#[cfg(target_arch = "wasm32")]
fn format_float(value: f64) -> String {
    js_sys::Number::from(value)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_else(|_| "null".into())
}

#[cfg(not(target_arch = "wasm32"))]
fn format_float(value: f64) -> String {
    value.to_string()
}

/// `[a,b,…]` from items that are already JSON text.
pub fn list_of(items: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

/// Writes JSON objects by hand: what the settings and other small records
/// need, without serde_json in the first load.
#[derive(Default)]
pub struct ObjectWriter {
    out: String,
}

impl ObjectWriter {
    fn key(&mut self, key: &str) {
        self.out.push(if self.out.is_empty() { '{' } else { ',' });
        write_string(&mut self.out, key);
        self.out.push(':');
    }

    pub fn text(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        write_string(&mut self.out, value);
        self
    }

    pub fn flag(mut self, key: &str, value: bool) -> Self {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    pub fn whole(mut self, key: &str, value: u64) -> Self {
        self.key(key);
        self.out.push_str(&value.to_string());
        self
    }

    /// A number; `NaN` and infinities (which JSON cannot hold) as `null`.
    pub fn number(mut self, key: &str, value: f64) -> Self {
        self.key(key);
        write_number(&mut self.out, value);
        self
    }

    pub fn null(mut self, key: &str) -> Self {
        self.key(key);
        self.out.push_str("null");
        self
    }

    /// A value that is already JSON text (a nested object or list).
    pub fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.out.push_str(json);
        self
    }

    pub fn finish(mut self) -> String {
        if self.out.is_empty() {
            self.out.push('{');
        }
        self.out.push('}');
        self.out
    }
}

/// Appends `text` as a JSON string: quotes, backslashes and control
/// characters escaped, everything else as is.
pub fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
