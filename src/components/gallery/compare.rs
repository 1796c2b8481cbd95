//! `Compare`: 2 to 4 History images side by side at the same size, with the
//! settings that differ between them highlighted. A modal dialog: Esc or
//! `Close` ends it, and focus goes back to the `Compare` button.

use leptos::prelude::*;

use crate::generation::Resolution;
use crate::state::{HistoryEntry, HistoryStore};

/// The most images compared at once (more would be too small to judge).
pub const MAX_COMPARED: usize = 4;

/// One compared setting: its name, each image's value, and whether they differ.
#[derive(Debug, PartialEq)]
struct Compared {
    name: &'static str,
    values: Vec<String>,
    differs: bool,
}

/// How one compared setting reads from an entry.
type Field = (&'static str, fn(&HistoryEntry) -> String);

/// The settings a person compares, in the order the table shows them.
fn compared(entries: &[HistoryEntry]) -> Vec<Compared> {
    let t = crate::i18n::later();
    let fields: [Field; 5] = [
        (t.gallery_model, |e| e.model.clone()),
        (t.gallery_seed, |e| e.seed.to_string()),
        (t.gallery_prompt, |e| e.prompt.clone()),
        (t.gallery_aspect_ratio, |e| e.aspect_ratio.clone()),
        (t.gallery_resolution, |e| {
            let megapixels = Resolution::of_pixels(e.width, e.height).megapixels();
            format!("{megapixels} MP \u{b7} {}\u{d7}{} px", e.width, e.height)
        }),
    ];
    fields
        .into_iter()
        .map(|(name, value)| {
            let values: Vec<String> = entries.iter().map(value).collect();
            let differs = values.iter().any(|v| *v != values[0]);
            Compared {
                name,
                values,
                differs,
            }
        })
        .collect()
}

/// The comparison table: a row of images (`image_urls`, one per entry, in
/// the same order), then one row per setting, differing values in `<mark>`.
/// Built as markup: a static table needs no reactive view code (this part
/// stays small).
fn compare_table(entries: &[HistoryEntry], image_urls: &[String]) -> String {
    let mut html = String::from("<table class=\"compare__table\"><tbody><tr><td></td>");
    for (entry, url) in entries.iter().zip(image_urls) {
        html.push_str(&format!(
            "<td><img class=\"compare__image\" src=\"{}\" alt=\"{}\"></td>",
            super::escaped(url),
            super::escaped(&entry.prompt)
        ));
    }
    html.push_str("</tr>");
    for row in compared(entries) {
        html.push_str(&format!("<tr><th scope=\"row\">{}</th>", row.name));
        for value in &row.values {
            let value = super::escaped(value);
            if row.differs {
                html.push_str(&format!("<td><mark>{value}</mark></td>"));
            } else {
                html.push_str(&format!("<td>{value}</td>"));
            }
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// The compare dialog for the entries whose ids are in `picked` (in the
/// order they were picked), shown while `open` is set.
#[component]
pub fn CompareDialog(picked: RwSignal<Vec<String>>, open: RwSignal<bool>) -> impl IntoView {
    let history = HistoryStore::expect();
    let t = crate::i18n::later();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let (table, set_table) = signal(String::new());
    // The full images' object URLs, released when the dialog closes.
    let shown_urls = StoredValue::new(Vec::<String>::new());
    let release = move || {
        for url in shown_urls
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    };
    Effect::new(move |_| {
        let Some(dialog) = dialog.get() else { return };
        if !open.get() {
            if dialog.open() {
                dialog.close();
            }
            return;
        }
        let ids = picked.get_untracked();
        let entries: Vec<HistoryEntry> = history.entries().with_untracked(|all| {
            ids.iter()
                .filter_map(|id| all.iter().find(|s| s.entry.id == *id))
                .map(|s| s.entry.clone())
                .collect()
        });
        set_table.set(String::new());
        let _ = dialog.show_modal();
        leptos::task::spawn_local(async move {
            let mut urls = Vec::new();
            for entry in &entries {
                let blob = history.blob(&entry.id, false).await;
                let url = blob.and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok());
                urls.push(url.unwrap_or_default());
            }
            release();
            set_table.set(compare_table(&entries, &urls));
            shown_urls.set_value(urls);
        });
    });
    let close = move || {
        open.set(false);
        release();
    };

    view! {
        <dialog class="compare" node_ref=dialog aria-labelledby="compare-title" on:close=move |_| close()>
            <h2 id="compare-title" class="compare__title">{t.gallery_compare}</h2>
            <p class="compare__hint">{t.gallery_compare_hint}</p>
            <div class="compare__scroll" inner_html=move || table.get()></div>
            <button type="button" aria-keyshortcuts="Escape" on:click=move |_| close()>
                {t.gallery_close}
            </button>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seed: u32, prompt: &str, width: u32) -> HistoryEntry {
        HistoryEntry {
            id: format!("img-{seed}"),
            created_ms: 1.0,
            prompt: prompt.into(),
            model: "black-forest-labs/flux.2-klein-4b".into(),
            seed,
            aspect_ratio: "1:1".into(),
            width,
            height: width,
            cost_usd: None,
            mime: "image/png".into(),
            bytes: 1,
            generation_id: None,
            favorite: false,
            references: Vec::new(),
        }
    }

    #[test]
    fn only_the_settings_that_differ_are_marked() {
        let rows = compared(&[entry(1, "a fox", 1024), entry(2, "a fox", 2048)]);
        let differing: Vec<&str> = rows.iter().filter(|r| r.differs).map(|r| r.name).collect();
        assert_eq!(differing, ["Seed", "Resolution"]);
        let resolution = rows.iter().find(|r| r.name == "Resolution").unwrap();
        assert_eq!(
            resolution.values,
            [
                "1 MP \u{b7} 1024\u{d7}1024 px",
                "4 MP \u{b7} 2048\u{d7}2048 px"
            ]
        );
    }

    #[test]
    fn the_table_escapes_what_it_shows_and_marks_differences() {
        let entries = [
            entry(1, "<img src=x onerror=alert(1)> & \"q\"", 1024),
            entry(2, "plain", 1024),
        ];
        let urls = ["blob:http://a/1".to_owned(), "blob:http://a/2".to_owned()];
        let html = compare_table(&entries, &urls);
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(
            html.contains("<mark>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;</mark>")
        );
        assert!(html.contains("src=\"blob:http://a/2\""));
        assert!(
            html.contains("<td>1:1</td>"),
            "equal values are not marked: {html}"
        );
        assert_eq!(html.matches("<tr>").count(), 6);
    }

    #[test]
    fn identical_images_mark_nothing() {
        let rows = compared(&[entry(7, "same", 1024), entry(7, "same", 1024)]);
        assert!(rows.iter().all(|r| !r.differs));
        assert_eq!(rows.len(), 5);
    }
}
