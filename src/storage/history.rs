//! The history of generated images: what is stored about each one, the compact
//! index kept in localStorage for instant first paint, and the pure logic around
//! them (migrations, reconciliation with IndexedDB, search). Pure Rust.

use serde::{Deserialize, Serialize};

/// Everything known about one stored image. IndexedDB holds this next to the
/// image bytes (the source of truth); the localStorage index holds a copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Stable local id (also the IndexedDB key): `img-<created_ms>-<random>`.
    pub id: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: f64,
    pub prompt: String,
    pub model: String,
    pub seed: u32,
    pub aspect_ratio: String,
    pub width: u32,
    pub height: u32,
    /// Billed cost in USD, when OpenRouter reported it.
    pub cost_usd: Option<f64>,
    /// `image/png`, `image/jpeg`, `image/webp` or `image/gif` (checked against the bytes).
    pub mime: String,
    /// Size of the image bytes.
    pub bytes: u64,
    /// OpenRouter's generation id (`gen-…`), when it sent one.
    pub generation_id: Option<String>,
    pub favorite: bool,
}
