//! How much this site stores and may store (`navigator.storage`).

/// Usage, quota, and whether the browser promised not to evict our data.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageUsage {
    pub used_bytes: f64,
    pub quota_bytes: f64,
    pub persisted: bool,
}

/// The current figures; `None` where the browser does not tell (only secure
/// contexts have `navigator.storage`).
pub async fn usage() -> Option<StorageUsage> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let manager = web_sys::window()?.navigator().storage();
    let estimate: web_sys::StorageEstimate = JsFuture::from(manager.estimate().ok()?)
        .await
        .ok()?
        .unchecked_into();
    let persisted = JsFuture::from(manager.persisted().ok()?)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Some(StorageUsage {
        used_bytes: estimate.get_usage().unwrap_or(0.0),
        quota_bytes: estimate.get_quota().unwrap_or(0.0),
        persisted,
    })
}

/// Asks the browser once not to evict our storage under pressure.
pub fn ask_persistence() {
    if let Ok(promise) = web_sys::window()
        .map(|w| w.navigator().storage())
        .ok_or(())
        .and_then(|s| s.persist().map_err(|_| ()))
    {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// `12.3 MB`, `2.1 GB`: sizes as people read them (decimal units).
pub fn format_bytes(bytes: f64) -> String {
    let units = [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    for (unit, size) in units {
        if bytes >= size {
            let tenths = (bytes / size * 10.0).round() as u64;
            return format!("{}.{} {unit}", tenths / 10, tenths % 10);
        }
    }
    // `core`: the Settings text that shows it is made in `state::settings`.
    crate::i18n::core().panels_bytes(&(bytes.max(0.0) as u64))
}
