//! The settings record, its validation, and its place in localStorage.

use super::{StorageError, local};
use crate::generation::{
    ASPECT_RATIOS, DEFAULT_ASPECT_RATIO, DEFAULT_PARALLEL, KLEIN_MODEL, MAX_BATCH, MAX_PARALLEL,
    OutputFormat, Resolution, is_model_id,
};
use crate::json::{Loose, ObjectWriter};

/// localStorage keys, versioned so a future format can migrate.
pub const SETTINGS_KEY: &str = "kleinbild.settings.v1";
/// Where unreadable settings are moved so nothing is silently thrown away.
pub const SETTINGS_BACKUP_KEY: &str = "kleinbild.settings.backup";

const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub version: u32,
    pub api_base: String,
    /// Whether the key is also kept in localStorage.
    pub remember_key: bool,
    pub aspect_ratio: String,
    /// Total time allowed for one request, in seconds.
    pub timeout_seconds: u32,
    /// OpenRouter model id, e.g. `black-forest-labs/flux.2-klein-4b`.
    pub model: String,
    /// Generate through the Image API (`POST /images`) instead of Chat Completions.
    pub images_api: bool,
    /// Ask Chat Completions for a streamed (SSE) answer.
    pub stream: bool,
    /// A streamed answer that sends nothing (keep-alives included) this long is stopped.
    pub idle_timeout_seconds: u32,
    /// Images per press of Generate (`Images`, 1–8).
    pub batch_size: u32,
    /// Requests in flight across all jobs (`Parallel requests`, 1–8).
    pub parallel_requests: u32,
    /// Each non-empty line of the prompt is its own job (`One prompt per line`).
    pub one_prompt_per_line: bool,
    /// A notification when images finish in a background tab (`Notify when done`).
    pub notify_when_done: bool,
    /// The seed in the Seed field is used for every press (`Keep seed`); off,
    /// each press that used it puts a fresh random one there.
    pub keep_seed: bool,
    /// Output size tier (`Resolution`); above 1 MP goes through the Images API.
    pub resolution: Resolution,
    /// `Output format`; JPEG goes through the Images API.
    pub output_format: OutputFormat,
    /// `Spending limit`: US dollars per local day; `None`: no limit.
    pub spending_limit_usd: Option<f64>,
}

impl Settings {
    pub fn new(api_base: &str) -> Self {
        Settings {
            version: SCHEMA_VERSION,
            api_base: api_base.to_owned(),
            remember_key: false,
            aspect_ratio: DEFAULT_ASPECT_RATIO.to_owned(),
            timeout_seconds: 180,
            model: KLEIN_MODEL.to_owned(),
            images_api: false,
            stream: true,
            idle_timeout_seconds: 60,
            batch_size: 1,
            parallel_requests: DEFAULT_PARALLEL,
            one_prompt_per_line: false,
            notify_when_done: false,
            keep_seed: true,
            spending_limit_usd: None,
            resolution: Resolution::One,
            output_format: OutputFormat::Png,
        }
    }

    pub fn to_json(&self) -> String {
        let writer = ObjectWriter::default()
            .whole("version", u64::from(self.version))
            .text("api_base", &self.api_base)
            .flag("remember_key", self.remember_key)
            .text("aspect_ratio", &self.aspect_ratio)
            .whole("timeout_seconds", u64::from(self.timeout_seconds))
            .text("model", &self.model)
            .flag("images_api", self.images_api)
            .flag("stream", self.stream)
            .whole("idle_timeout_seconds", u64::from(self.idle_timeout_seconds))
            .whole("batch_size", u64::from(self.batch_size))
            .whole("parallel_requests", u64::from(self.parallel_requests))
            .flag("one_prompt_per_line", self.one_prompt_per_line)
            .flag("notify_when_done", self.notify_when_done)
            .flag("keep_seed", self.keep_seed)
            .whole("resolution_mp", u64::from(self.resolution.megapixels()))
            .text("output_format", self.output_format.api_name());
        match self.spending_limit_usd {
            Some(limit) => writer.number("spending_limit_usd", limit),
            None => writer,
        }
        .finish()
    }

    /// Parses stored settings. Missing fields take the defaults; invalid values
    /// (or values of the wrong type) are replaced one by one, so one bad field
    /// never resets the rest. Only text that is not a settings object of a
    /// known version is an error.
    pub fn from_json(raw: &str, defaults: &Settings) -> Result<Settings, String> {
        let t = crate::i18n::core();
        let stored = Loose::parse(raw).map_err(|_| t.panels_settings_not_json.to_owned())?;
        if !matches!(stored, Loose::Object(_)) {
            return Err(t.panels_settings_unexpected.into());
        }
        match stored.get("version") {
            Some(Loose::UInt(v)) if *v == u64::from(SCHEMA_VERSION) => {}
            Some(Loose::UInt(v)) => return Err(t.panels_settings_unknown_version(v)),
            _ => return Err(t.panels_settings_no_version.into()),
        }
        let text = |key: &str| stored.get(key).and_then(Loose::as_text).map(str::to_owned);
        let flag = |key: &str| match stored.get(key) {
            Some(Loose::Bool(b)) => Some(*b),
            _ => None,
        };
        let seconds = |key: &str| match stored.get(key) {
            Some(Loose::UInt(n)) => u32::try_from(*n).ok().filter(|s| TIMEOUT_RANGE.contains(s)),
            _ => None,
        };
        let count = |key: &str, max: u32| match stored.get(key) {
            Some(Loose::UInt(n)) => u32::try_from(*n).ok().filter(|n| (1..=max).contains(n)),
            _ => None,
        };
        Ok(Settings {
            version: SCHEMA_VERSION,
            api_base: text("api_base")
                .and_then(|s| validate_api_base(&s).ok())
                .unwrap_or_else(|| defaults.api_base.clone()),
            remember_key: flag("remember_key").unwrap_or(defaults.remember_key),
            aspect_ratio: text("aspect_ratio")
                .filter(|r| ASPECT_RATIOS.iter().any(|(label, _, _)| label == r))
                .unwrap_or_else(|| defaults.aspect_ratio.clone()),
            timeout_seconds: seconds("timeout_seconds").unwrap_or(defaults.timeout_seconds),
            model: text("model")
                .filter(|m| is_model_id(m))
                .unwrap_or_else(|| defaults.model.clone()),
            images_api: flag("images_api").unwrap_or(defaults.images_api),
            stream: flag("stream").unwrap_or(defaults.stream),
            idle_timeout_seconds: seconds("idle_timeout_seconds")
                .unwrap_or(defaults.idle_timeout_seconds),
            batch_size: count("batch_size", MAX_BATCH).unwrap_or(defaults.batch_size),
            parallel_requests: count("parallel_requests", MAX_PARALLEL)
                .unwrap_or(defaults.parallel_requests),
            one_prompt_per_line: flag("one_prompt_per_line")
                .unwrap_or(defaults.one_prompt_per_line),
            notify_when_done: flag("notify_when_done").unwrap_or(defaults.notify_when_done),
            keep_seed: flag("keep_seed").unwrap_or(defaults.keep_seed),
            resolution: match stored.get("resolution_mp") {
                Some(Loose::UInt(mp)) => Resolution::from_megapixels(*mp),
                _ => None,
            }
            .unwrap_or(defaults.resolution),
            output_format: text("output_format")
                .and_then(|f| OutputFormat::from_api_name(&f))
                .unwrap_or(defaults.output_format),
            spending_limit_usd: stored
                .get("spending_limit_usd")
                .and_then(Loose::as_number)
                .filter(|usd| (0.0..=MAX_SPENDING_LIMIT_USD).contains(usd))
                .or(defaults.spending_limit_usd),
        })
    }
}

/// The largest daily spending limit accepted, in US dollars.
pub const MAX_SPENDING_LIMIT_USD: f64 = 100_000.0;

/// Parses the `Spending limit` field: dollars, empty for none.
pub fn parse_spending_limit(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim().trim_start_matches('$').trim();
    if text.is_empty() {
        return Ok(None);
    }
    crate::json::Loose::parse(text)
        .ok()
        .and_then(|n| n.as_number())
        .filter(|usd| (0.0..=MAX_SPENDING_LIMIT_USD).contains(usd))
        .map(Some)
        .ok_or_else(|| crate::i18n::later().panels_spending_limit_invalid.into())
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
            crate::i18n::later()
                .panels_timeout_invalid(&TIMEOUT_RANGE.start(), &TIMEOUT_RANGE.end())
        })
}

/// Checks an API base URL and returns it normalised (no trailing slash).
/// The key travels to this address, so only HTTPS is accepted, except for the
/// loopback addresses used by the local mock and development proxies.
pub fn validate_api_base(input: &str) -> Result<String, String> {
    let t = crate::i18n::core();
    let url = input.trim().trim_end_matches('/');
    let (scheme, rest) = url.split_once("://").ok_or(t.panels_api_base_scheme)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(t.panels_api_base_scheme.into());
    }
    if url
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(t.panels_api_base_spaces.into());
    }
    if url.contains(['?', '#']) {
        return Err(t.panels_api_base_query.into());
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err(t.panels_api_base_user.into());
    }
    let host = host_of(authority).ok_or(t.panels_api_base_host)?;
    // The page's CSP allows these loopback hosts (xtask/src/build.rs).
    let loopback = matches!(host, "localhost" | "127.0.0.1");
    if scheme == "http" && !loopback {
        return Err(t.panels_api_base_http.into());
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

/// Loads settings; unreadable data is backed up and replaced by defaults.
/// Returns the settings and, if something had to be reset, a notice for the user.
pub fn load_settings(defaults: Settings) -> (Settings, Option<String>) {
    let Some(raw) = local::read(SETTINGS_KEY) else {
        return (defaults, None);
    };
    match Settings::from_json(&raw, &defaults) {
        Ok(settings) => (settings, None),
        Err(problem) => {
            let _ = local::write(SETTINGS_BACKUP_KEY, &raw);
            local::remove(SETTINGS_KEY);
            (
                defaults,
                Some(crate::i18n::core().panels_settings_reset(&problem, &SETTINGS_BACKUP_KEY)),
            )
        }
    }
}

pub fn save_settings(settings: &Settings) -> Result<(), StorageError> {
    local::write(SETTINGS_KEY, &settings.to_json())
}

/// Whether settings were ever saved on this device.
pub fn settings_stored() -> bool {
    local::read(SETTINGS_KEY).is_some()
}

/// Where `Language` in Settings is kept, apart from the settings record: the
/// page's first script reads it before anything else (see
/// `xtask/src/translate.rs`). Absent: the browser's languages decide.
pub const LANGUAGE_KEY: &str = "kleinbild.language";

/// The language chosen in Settings, if any.
pub fn chosen_language() -> Option<crate::i18n::Lang> {
    local::read(LANGUAGE_KEY).and_then(|code| crate::i18n::Lang::from_code(&code))
}

/// Keeps the language chosen in Settings (`None`: as the browser).
pub fn choose_language(lang: Option<crate::i18n::Lang>) -> Result<(), StorageError> {
    match lang {
        Some(lang) => local::write(LANGUAGE_KEY, lang.code()),
        None => {
            local::remove(LANGUAGE_KEY);
            Ok(())
        }
    }
}
