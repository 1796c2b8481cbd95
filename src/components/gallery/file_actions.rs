//! The History's file actions: export, import, clear, and the offer made when
//! the browser's storage is full.

use leptos::either::Either;
use leptos::prelude::*;

use crate::components::download::save_blob;
use crate::state::{Alerts, HistoryStore, Presets};

/// How many of the oldest images the "storage full" offer deletes at once.
const QUOTA_CLEANUP: usize = 10;

/// Export history, Import history, Clear history (with confirmation) and the
/// gallery's status line.
#[component]
pub fn FileActions(
    /// The gallery's status line ("Exported 12 images…", "Image copied.").
    status: RwSignal<String>,
) -> impl IntoView {
    let history = HistoryStore::expect();
    let alerts = Alerts::expect();
    let presets = Presets::expect();
    let t = crate::i18n::later();
    let (confirm_clear, set_confirm_clear) = signal(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let total = move || history.count();

    let export = move |_| {
        status.set(t.gallery_export_preparing.into());
        leptos::task::spawn_local(async move {
            match history.export(move |p| status.set(p)).await {
                Ok(exported) => {
                    let date = js_sys::Date::new_0()
                        .to_iso_string()
                        .as_string()
                        .unwrap_or_default();
                    let name = format!(
                        "kleinbild-history-{}.zip",
                        date.get(..10).unwrap_or("export")
                    );
                    save_blob(&exported.zip, &name);
                    status.set(export_summary(exported.count, exported.skipped, &name));
                }
                Err(problem) => {
                    status.set(String::new());
                    alerts.show(problem.to_string());
                }
            }
        });
    };
    let import = move |_| {
        let Some(file) = file_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        // Let the same file be chosen again later.
        if let Some(input) = file_input.get_untracked() {
            input.set_value("");
        }
        status.set(t.gallery_importing.into());
        leptos::task::spawn_local(async move {
            match history.import(file.into(), move |p| status.set(p)).await {
                Ok(summary) => {
                    status.set(summary);
                    // An export carries presets: the Presets list shows the added ones.
                    presets.refresh();
                }
                Err(problem) => {
                    status.set(String::new());
                    alerts.show(problem.to_string());
                }
            }
        });
    };
    let clear = move |_| {
        set_confirm_clear.set(false);
        leptos::task::spawn_local(async move {
            match history.clear().await {
                Ok(()) => status.set(t.gallery_cleared.into()),
                Err(e) => alerts.show(t.gallery_clear_failed(&e)),
            }
        });
    };
    let delete_oldest = move |_| {
        leptos::task::spawn_local(async move {
            match history.delete_oldest(QUOTA_CLEANUP).await {
                Ok(n) => status.set(t.gallery_deleted_oldest(&n)),
                Err(e) => alerts.show(t.gallery_delete_oldest_failed(&e)),
            }
        });
    };

    view! {
        <div class="gallery__file-actions">
            <button type="button" on:click=export disabled=move || total() == 0>
                {t.gallery_export}
            </button>
            <button
                type="button"
                on:click=move |_| {
                    if let Some(input) = file_input.get_untracked() {
                        input.click();
                    }
                }
            >
                {t.gallery_import}
            </button>
            <input
                node_ref=file_input
                class="visually-hidden"
                type="file"
                accept=".zip,application/zip"
                tabindex="-1"
                aria-hidden="true"
                on:change=import
            />
            {move || {
                if confirm_clear.get() {
                    Either::Left(
                        view! {
                            <span class="gallery__confirm" role="group" aria-label=t.gallery_confirm_clear>
                                <button type="button" class="button--danger" on:click=clear>
                                    {move || t.gallery_delete_all(&total())}
                                </button>
                                <button type="button" on:click=move |_| set_confirm_clear.set(false)>
                                    {t.gallery_keep_them}
                                </button>
                            </span>
                        },
                    )
                } else {
                    Either::Right(
                        view! {
                            <button
                                type="button"
                                class="button--quiet"
                                disabled=move || total() == 0
                                on:click=move |_| set_confirm_clear.set(true)
                            >
                                {t.gallery_clear}
                            </button>
                        },
                    )
                }
            }}
        </div>
        <p class="gallery__status" role="status">{move || status.get()}</p>
        {move || {
            history
                .is_full()
                .then(|| {
                    view! {
                        <div class="gallery__quota" role="group" aria-label=t.gallery_storage_full_label>
                            <p>{t.gallery_storage_full_help}</p>
                            <button type="button" on:click=export>
                                {t.gallery_export}
                            </button>
                            <button type="button" class="button--danger" on:click=delete_oldest>
                                {t.gallery_delete_oldest(&QUOTA_CLEANUP)}
                            </button>
                        </div>
                    }
                })
        }}
    }
}

/// "Exported 12 images to kleinbild-history-….zip." plus, when some stored
/// images could not be read, how many and what to do about them.
fn export_summary(count: usize, skipped: usize, name: &str) -> String {
    let t = crate::i18n::later();
    let mut text = t.gallery_exported(&count, &name);
    if skipped > 0 {
        text.push(' ');
        text.push_str(&t.gallery_export_skipped(&skipped));
    }
    text
}
