//! Share links: the form's settings in the fragment of the app's URL (`#…`),
//! which browsers never send to a server. Never the key; never reference
//! images (a link says how many were left out).
//!
//! `#kb=1&prompt=…&model=…&seed=…&ratio=…&mp=…&images=…&refs=…`, each value
//! percent-encoded as UTF-8. Unknown names are ignored (newer links still
//! open); a missing or malformed known one makes the whole link unreadable.

use super::{MAX_BATCH, MAX_PROMPT_CHARS, Resolution, expected_size, is_model_id};

/// The longest fragment read: a 10,000-character prompt of 4-byte
/// characters, percent-encoded, plus the rest.
pub const MAX_FRAGMENT_CHARS: usize = 3 * 4 * MAX_PROMPT_CHARS + 1_000;

/// The settings a share link carries.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedSettings {
    pub prompt: String,
    pub model: String,
    /// `None`: the sender's seed field was empty (a random seed each time).
    pub seed: Option<u32>,
    pub aspect_ratio: String,
    pub resolution: Resolution,
    pub batch_size: u32,
    /// Reference images the sender had in the form; links never carry them.
    pub references_left_out: usize,
}

/// Why a fragment gave no settings.
#[derive(Debug, Clone, PartialEq)]
pub enum ShareLinkError {
    /// Not a share link at all (no fragment, or another one): say nothing.
    NotShared,
    /// Longer than any share link this app writes.
    TooLong,
    /// A share link, but this part of it could not be read (its name, as
    /// the message shows it).
    Unreadable(&'static str),
}

impl ShareLinkError {
    /// What to tell the person who opened the link (`None`: nothing to say).
    pub fn notice(&self) -> Option<String> {
        let t = crate::i18n::later();
        let why = match self {
            ShareLinkError::NotShared => return None,
            ShareLinkError::TooLong => t.gallery_share_link_too_long,
            ShareLinkError::Unreadable(part) => part,
        };
        Some(t.gallery_share_link_unusable(&why))
    }
}

impl SharedSettings {
    /// The fragment, `#` included.
    pub fn to_fragment(&self) -> String {
        let seed = self.seed.map(|s| s.to_string()).unwrap_or_default();
        let fields = [
            ("prompt", self.prompt.as_str()),
            ("model", &self.model),
            ("seed", &seed),
            ("ratio", &self.aspect_ratio),
            ("mp", &self.resolution.megapixels().to_string()),
            ("images", &self.batch_size.to_string()),
            ("refs", &self.references_left_out.to_string()),
        ];
        let mut out = String::from("#kb=1");
        for (name, value) in fields {
            out.push('&');
            out.push_str(name);
            out.push('=');
            percent_encode(value, &mut out);
        }
        out
    }

    /// Reads a fragment (`location.hash`, with or without its `#`).
    pub fn from_fragment(fragment: &str) -> Result<SharedSettings, ShareLinkError> {
        let t = crate::i18n::core();
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        if !fragment.starts_with("kb=") {
            return Err(ShareLinkError::NotShared);
        }
        if fragment.len() > MAX_FRAGMENT_CHARS {
            return Err(ShareLinkError::TooLong);
        }
        let mut pairs = Vec::new();
        for pair in fragment.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value).ok_or(ShareLinkError::Unreadable(
                t.gallery_share_link_bad_encoding,
            ))?;
            pairs.push((name, value));
        }
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        if get("kb") != Some("1") {
            return Err(ShareLinkError::Unreadable(
                t.gallery_share_link_unknown_version,
            ));
        }
        let number = |name: &'static str| -> Result<u32, ShareLinkError> {
            get(name)
                .and_then(|v| v.parse().ok())
                .ok_or(ShareLinkError::Unreadable(name))
        };
        let prompt =
            get("prompt").ok_or(ShareLinkError::Unreadable(t.gallery_share_link_prompt))?;
        if prompt.chars().count() > MAX_PROMPT_CHARS {
            return Err(ShareLinkError::Unreadable(t.gallery_share_link_prompt));
        }
        let model = get("model")
            .filter(|m| is_model_id(m))
            .ok_or(ShareLinkError::Unreadable(t.gallery_share_link_model))?;
        let seed = match get("seed") {
            Some("") => None,
            Some(s) => Some(
                s.parse()
                    .map_err(|_| ShareLinkError::Unreadable(t.gallery_share_link_seed))?,
            ),
            None => return Err(ShareLinkError::Unreadable(t.gallery_share_link_seed)),
        };
        let aspect_ratio = get("ratio").filter(|r| expected_size(r).is_some()).ok_or(
            ShareLinkError::Unreadable(t.gallery_share_link_aspect_ratio),
        )?;
        let resolution = Resolution::from_megapixels(u64::from(number("mp")?))
            .ok_or(ShareLinkError::Unreadable("mp"))?;
        let batch_size = number("images")?;
        if !(1..=MAX_BATCH).contains(&batch_size) {
            return Err(ShareLinkError::Unreadable("images"));
        }
        // Absent in a link without references.
        let references_left_out = match get("refs") {
            None => 0,
            Some(_) => number("refs")? as usize,
        };
        Ok(SharedSettings {
            prompt: prompt.to_owned(),
            model: model.to_owned(),
            seed,
            aspect_ratio: aspect_ratio.to_owned(),
            resolution,
            batch_size,
            references_left_out,
        })
    }
}

/// Appends `text` with everything but unreserved ASCII as `%XX`.
fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// `%XX` back to bytes (and `+` to a space, as forms write it); `None` for a
/// broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.bytes();
    while let Some(b) = rest.next() {
        bytes.push(match b {
            b'%' => {
                let hex = |d: Option<u8>| char::from(d?).to_digit(16);
                let (hi, lo) = (hex(rest.next())?, hex(rest.next())?);
                (hi * 16 + lo) as u8
            }
            b'+' => b' ',
            b => b,
        });
    }
    String::from_utf8(bytes).ok()
}
