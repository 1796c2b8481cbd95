//! Server-sent events, decoded incrementally as the bytes arrive (WHATWG
//! framing): LF, CRLF or CR line ends, `:` comments, multi-line `data:`, and
//! OpenRouter's `data: [DONE]` terminator. Chunks may split anywhere, even
//! inside a UTF-8 character or between CR and LF. Klein sends its whole image
//! as one data line of several MB, so every byte is copied a bounded number of
//! times: no rescanning, no quadratic growth. Pure Rust; never panics.

/// One thing the stream said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseEvent {
    /// A `:` line, e.g. `: OPENROUTER PROCESSING`: a keep-alive, shown as
    /// progress (what it says is not used).
    Comment,
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
            let Some(end) = line_end(bytes) else {
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
        if line.starts_with(b":") {
            return Ok(Some(SseEvent::Comment));
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

/// Where the first `\n` or `\r` is. An image's line is megabytes long: eight
/// bytes per step (a byte-by-byte search took most of the time in wasm).
fn line_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS != 0;
    let (lf, cr) = (ONES * u64::from(b'\n'), ONES * u64::from(b'\r'));
    let mut at = 0;
    for word in bytes.chunks_exact(8) {
        let w = u64::from_ne_bytes(word.try_into().unwrap_or_default());
        if has_zero(w ^ lf) || has_zero(w ^ cr) {
            break;
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::line_end;

    #[test]
    fn the_word_at_a_time_search_finds_what_a_byte_search_finds() {
        for len in 0..40 {
            for at in 0..=len {
                for end in [b'\n', b'\r', b'a'] {
                    let mut bytes = vec![b'x'; len];
                    if at < len {
                        bytes[at] = end;
                    }
                    let naive = bytes.iter().position(|&b| b == b'\n' || b == b'\r');
                    assert_eq!(line_end(&bytes), naive, "{bytes:?}");
                }
            }
        }
        // Bytes that differ from `\n` and `\r` by one bit are not line ends.
        assert_eq!(
            line_end(&[0x0b, 0x0c, 0x8a, 0x8d, 0x0e, 0x09, 0x4a, 0x2a]),
            None
        );
    }
}
