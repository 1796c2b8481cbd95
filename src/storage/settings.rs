//! The settings record and its validation. Pure Rust.

use serde::{Deserialize, Serialize};

use crate::generation::{ASPECT_RATIOS, DEFAULT_ASPECT_RATIO};

const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub version: u32,
    pub api_base: String,
    /// Whether the key is also kept in localStorage.
    pub remember_key: bool,
    pub aspect_ratio: String,
    /// Total time allowed for one request, in seconds.
    pub timeout_seconds: u32,
}

impl Settings {
    pub fn new(api_base: &str) -> Self {
        Settings {
            version: SCHEMA_VERSION,
            api_base: api_base.to_owned(),
            remember_key: false,
            aspect_ratio: DEFAULT_ASPECT_RATIO.to_owned(),
            timeout_seconds: 180,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses stored settings. Missing fields take the defaults; invalid values
    /// are replaced one by one, so one bad field never resets the rest.
    pub fn from_json(raw: &str, defaults: &Settings) -> Result<Settings, String> {
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|_| "not valid JSON".to_owned())?;
        let object = value.as_object().ok_or("not a JSON object")?;
        let version = object.get("version").and_then(|v| v.as_u64());
        if version != Some(u64::from(SCHEMA_VERSION)) {
            return Err(format!("unknown version {version:?}"));
        }
        let text = |key: &str| object.get(key).and_then(|v| v.as_str());
        let api_base = text("api_base")
            .and_then(|s| validate_api_base(s).ok())
            .unwrap_or_else(|| defaults.api_base.clone());
        let aspect_ratio = text("aspect_ratio")
            .filter(|r| ASPECT_RATIOS.iter().any(|(label, _, _)| label == r))
            .map_or_else(|| defaults.aspect_ratio.clone(), str::to_owned);
        let timeout_seconds = object
            .get("timeout_seconds")
            .and_then(|v| v.as_u64())
            .and_then(|s| u32::try_from(s).ok())
            .filter(|s| TIMEOUT_RANGE.contains(s))
            .unwrap_or(defaults.timeout_seconds);
        Ok(Settings {
            version: SCHEMA_VERSION,
            api_base,
            remember_key: object
                .get("remember_key")
                .and_then(|v| v.as_bool())
                .unwrap_or(defaults.remember_key),
            aspect_ratio,
            timeout_seconds,
        })
    }
}

/// Allowed request timeouts, in seconds.
pub const TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 1..=900;

/// Parses the timeout field.
pub fn validate_timeout(input: &str) -> Result<u32, String> {
    input
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|s| TIMEOUT_RANGE.contains(s))
        .ok_or_else(|| {
            format!(
                "Not saved: the request timeout must be a whole number of seconds from {} to {}.",
                TIMEOUT_RANGE.start(),
                TIMEOUT_RANGE.end()
            )
        })
}

/// Checks an API base URL and returns it normalised (no trailing slash).
/// The key travels to this address, so only HTTPS is accepted, except for the
/// loopback addresses used by the local mock and development proxies.
pub fn validate_api_base(input: &str) -> Result<String, String> {
    let url = input.trim().trim_end_matches('/');
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("It must start with https://, e.g. https://openrouter.ai/api/v1.")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err("It must start with https://, e.g. https://openrouter.ai/api/v1.".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("It must not contain spaces.".into());
    }
    if url.contains(['?', '#']) {
        return Err("It must not contain a query (?) or fragment (#).".into());
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err("It must not contain a user name or password.".into());
    }
    let host = host_of(authority).ok_or("The host name is missing or invalid.")?;
    // The page's CSP allows these loopback hosts (xtask/src/build.rs).
    let loopback = matches!(host, "localhost" | "127.0.0.1");
    if scheme == "http" && !loopback {
        return Err(
            "Plain http:// would send your key unencrypted; use https:// (http:// is allowed only for localhost)."
                .into(),
        );
    }
    Ok(format!("{scheme}://{rest}"))
}

/// The host part of `host[:port]`, if both parts are well formed.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        (&authority[..=end], &authority[end + 1..])
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, &authority[h.len()..][..p.len() + 1]),
            None => (authority, ""),
        }
    };
    let port_ok = port.is_empty()
        || (port.len() > 1
            && port[1..].chars().all(|c| c.is_ascii_digit())
            && port[1..].len() <= 5);
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-']);
    (port_ok && host_ok).then_some(host)
}
