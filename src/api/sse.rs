//! Server-sent events, decoded incrementally as the bytes arrive (WHATWG
//! framing): LF, CRLF or CR line ends, `:` comments, multi-line `data:`, and
//! OpenRouter's `data: [DONE]` terminator. Chunks may split anywhere, even
//! inside a UTF-8 character or between CR and LF. Klein sends its whole image
//! as one data line of several MB, so every byte is copied a bounded number of
//! times: no rescanning, no quadratic growth. Pure Rust; never panics.

/// One thing the stream said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseEvent {
    /// A `:` line, e.g. `OPENROUTER PROCESSING`: a keep-alive, shown as progress.
    Comment(String),
    /// The `data` of one event (multi-line data joined with `\n`).
    Data(String),
    /// `data: [DONE]`: the answer is complete; later bytes are ignored.
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    /// The connection ended before `[DONE]`.
    #[error("the stream ended before it was complete")]
    Interrupted,
    /// An event's data is not UTF-8 text (JSON always is).
    #[error("the stream carried data that is not text")]
    NotText,
}

#[derive(Debug, Default)]
pub struct SseDecoder {
    /// The line being received (without its line end).
    line: Vec<u8>,
    /// The data of the event being received.
    data: Vec<u8>,
    has_data: bool,
    /// The last byte seen was CR: an LF right after it ends the same line.
    after_cr: bool,
    /// Bytes seen so far, to strip a byte-order mark at the very start.
    started: bool,
    done: bool,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes the next piece of the stream and returns the events it completed.
    pub fn push(&mut self, mut bytes: &[u8]) -> Result<Vec<SseEvent>, SseError> {
        let events = Vec::new();
        if !self.started && !bytes.is_empty() {
            // A BOM may itself be split; wait until 3 bytes (or a mismatch) are seen.
            self.line.extend_from_slice(bytes);
            if self.line.len() < BOM.len() && BOM.starts_with(&self.line) {
                return Ok(events);
            }
            self.started = true;
            let buffered = std::mem::take(&mut self.line);
            let rest = buffered.strip_prefix(BOM).unwrap_or(&buffered);
            return self.scan(rest, events);
        }
        if bytes.is_empty() {
            return Ok(events);
        }
        if std::mem::take(&mut self.after_cr) && bytes[0] == b'\n' {
            bytes = &bytes[1..];
        }
        self.scan(bytes, events)
    }

    fn scan(
        &mut self,
        mut bytes: &[u8],
        mut events: Vec<SseEvent>,
    ) -> Result<Vec<SseEvent>, SseError> {
        while !self.done {
            let Some(end) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') else {
                self.line.extend_from_slice(bytes);
                break;
            };
            self.line.extend_from_slice(&bytes[..end]);
            let terminator = bytes[end];
            bytes = &bytes[end + 1..];
            if terminator == b'\r' {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            let line = std::mem::take(&mut self.line);
            if let Some(event) = self.take_line(line)? {
                self.done = event == SseEvent::Done;
                events.push(event);
            }
        }
        Ok(events)
    }

    /// Handles one complete line; an empty line dispatches the event.
    fn take_line(&mut self, line: Vec<u8>) -> Result<Option<SseEvent>, SseError> {
        if line.is_empty() {
            if !std::mem::take(&mut self.has_data) {
                return Ok(None);
            }
            let data =
                String::from_utf8(std::mem::take(&mut self.data)).map_err(|_| SseError::NotText)?;
            return Ok(Some(if data == "[DONE]" {
                SseEvent::Done
            } else {
                SseEvent::Data(data)
            }));
        }
        if let Some(comment) = line.strip_prefix(b":") {
            let comment = comment.strip_prefix(b" ").unwrap_or(comment);
            return Ok(Some(SseEvent::Comment(
                String::from_utf8_lossy(comment).into_owned(),
            )));
        }
        let colon = line.iter().position(|&b| b == b':');
        if &line[..colon.unwrap_or(line.len())] != b"data" {
            // `event`, `id`, `retry` and unknown fields: nothing the app uses.
            return Ok(None);
        }
        let mut start = colon.map_or(line.len(), |c| c + 1);
        if line.get(start) == Some(&b' ') {
            start += 1;
        }
        if self.has_data {
            self.data.push(b'\n');
            self.data.extend_from_slice(&line[start..]);
        } else {
            // The usual case, one multi-MB line: keep its buffer, drop the prefix.
            let mut line = line;
            line.drain(..start);
            self.data = line;
            self.has_data = true;
        }
        Ok(None)
    }

    /// At the end of the stream: fine after `[DONE]`, an interruption otherwise
    /// (an event without its closing blank line is discarded, as the spec says).
    pub fn finish(&self) -> Result<(), SseError> {
        if self.done {
            Ok(())
        } else {
            Err(SseError::Interrupted)
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }
}
