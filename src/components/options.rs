//! The generation options beside the prompt: model, seed and reference
//! images. They load with the `later` part, after the prompt
//! and Generate: none of them is needed for a first generation.

use leptos::prelude::*;

use super::prompt_tools::RECENT_PROMPTS;
use super::references::ReferencePicker;
use crate::generation::{
    ModelChoice, ModelPrice, OutputFormat, Resolution, output_size, price_page,
};
use crate::state::{Alerts, Draft, HistoryStore, ModelList, Presets, SettingsStore, Studio};

crate::lazy_part! {
    /// Model, Seed and Reference images, in the `later` part.
    part later, prefetch prefetch_panels;
    pub fn options_view() -> AnyView {
        view! { <Options /> }.into_any()
    }
}

#[component]
fn Options() -> impl IntoView {
    let t = crate::i18n::later();
    let settings = SettingsStore::expect();
    let alerts = Alerts::expect();
    let draft = Draft::expect();
    let models = ModelList::expect();
    let history = HistoryStore::expect();
    let (seed_text, set_seed_text) = (draft.seed().read_only(), draft.seed().write_only());
    let seed_status = RwSignal::new(String::new());
    let tool_status = RwSignal::new(String::new());
    let settings_file = NodeRef::<leptos::html::Input>::new();
    let presets = Presets::expect();
    let preset_status = RwSignal::new(String::new());
    let preset_name = NodeRef::<leptos::html::Input>::new();
    let studio = Studio::expect();
    let copy_seed = move |_| {
        let seed = seed_text.get_untracked().trim().to_owned();
        if seed.is_empty() {
            seed_status.set(t.panels_no_seed_to_copy.into());
            return;
        }
        leptos::task::spawn_local(async move {
            seed_status.set(crate::state::clipboard::copy_seed(&seed).await);
        });
    };
    // Chat Completions has no size or format fields: say where such requests go.
    let size_hint = move || {
        settings.with(|s| {
            let (w, h) = output_size(&s.aspect_ratio, s.resolution).unwrap_or((1024, 1024));
            let larger = s.resolution != Resolution::One || s.output_format != OutputFormat::Png;
            if larger && !s.images_api {
                format!("{w}\u{d7}{h} px \u{b7} {}", t.panels_size_images_api)
            } else {
                format!("{w}\u{d7}{h} px")
            }
        })
    };
    view! {
        <div class="options">
            <label class="field field--wide">
                <span class="field__label">{t.panels_model}</span>
                <select
                    name="model"
                    aria-describedby="model-hint"
                    on:focus=move |_| models.ensure_loaded(settings.with_untracked(|s| s.api_base.clone()))
                    prop:value=move || settings.with(|s| s.model.clone())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Err(message) = settings.update(|s| s.model = value) {
                            alerts.show(message);
                        }
                    }
                >
                    {move || model_options(&models.models(), &settings.with(|s| s.model.clone()))}
                </select>
            </label>
            <p id="model-hint" class="field__hint field--wide">
                {move || models.notice().unwrap_or_else(|| t.panels_model_hint.into())}
                // No price per image known for the chosen model: where to find it.
                {move || {
                    let model = settings.with(|s| s.model.clone());
                    (models.price_of(&model) == ModelPrice::Unknown).then(|| view! {
                        " "
                        {t.panels_price_see}
                        " "
                        <a href=price_page(&model) target="_blank" rel="noopener noreferrer">
                            {crate::i18n::core().panels_price_elsewhere}
                        </a>
                        "."
                    })
                }}
            </p>
            {super::setting_select(
                t.panels_resolution,
                "resolution",
                Some("size-hint"),
                Resolution::ALL
                    .map(|r| (r.megapixels().to_string(), format!("{} MP", r.megapixels())))
                    .into(),
                |s| s.resolution.megapixels().to_string(),
                |s, value| {
                    s.resolution = value.parse().ok().and_then(Resolution::from_megapixels).unwrap_or_default();
                },
            )}
            {super::setting_select(
                t.panels_output_format,
                "output-format",
                Some("size-hint"),
                vec![("png".into(), "PNG".into()), ("jpeg".into(), "JPEG".into())],
                |s| s.output_format.api_name().to_owned(),
                |s, value| s.output_format = OutputFormat::from_api_name(value).unwrap_or_default(),
            )}
            <p id="size-hint" class="field__hint field--wide">{size_hint}</p>
            <label class="field">
                <span class="field__label">{t.panels_seed}</span>
                <input
                    type="number"
                    name="seed"
                    min="0"
                    max="4294967295"
                    step="1"
                    inputmode="numeric"
                    placeholder=t.panels_seed_random
                    prop:value=move || seed_text.get()
                    on:input=move |ev| set_seed_text.set(event_target_value(&ev))
                />
            </label>
            <div class="seed-tools">
                <button type="button" class="button--small" title=t.panels_new_seed_title on:click=move |_| draft.new_seed()>
                    {t.panels_new_seed}
                </button>
                <button type="button" class="button--small" on:click=copy_seed>
                    {t.panels_copy_seed}
                </button>
            </div>
            <div class="seed-tools field--wide">
                <label class="check">
                    <input
                        type="checkbox"
                        name="keep-seed"
                        aria-describedby="seed-status"
                        prop:checked=move || settings.with(|s| s.keep_seed)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            if let Err(message) = settings.update(|s| s.keep_seed = on) {
                                alerts.show(message);
                            }
                        }
                    />
                    {t.panels_keep_seed}
                </label>
                {status_line("seed-status", seed_status)}
            </div>
            {pick_select(
                t.panels_recent_prompts,
                "recent-prompts",
                t.panels_recent_prompts_hint,
                Box::new(move || history.recent_prompts(RECENT_PROMPTS)),
                Box::new(move |chosen| draft.prompt().set(chosen)),
            )}
            {pick_select(
                t.panels_presets,
                "presets",
                t.panels_presets_hint,
                Box::new(move || presets.names()),
                Box::new(move |chosen| preset_status.set(presets.apply(&chosen))),
            )}
            <form
                class="seed-tools field--wide"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let name = preset_name.get_untracked().map(|i| i.value()).unwrap_or_default();
                    preset_status.set(presets.save_current(&name));
                }
            >
                <input
                    node_ref=preset_name
                    type="text"
                    name="preset-name"
                    aria-label=t.panels_preset_name
                    placeholder=t.panels_preset_name_example
                    maxlength="60"
                />
                <button type="submit" class="button--small" title=t.panels_save_preset_title>
                    {t.panels_save_preset}
                </button>
            </form>
            {status_line("preset-status", preset_status)}
            <ReferencePicker />
            <div class="seed-tools field--wide">
                <button
                    type="button"
                    class="button--small"
                    aria-describedby="tool-status"
                    on:click=move |_| {
                        leptos::task::spawn_local(async move {
                            tool_status.set(studio.copy_as_curl().await);
                        });
                    }
                >
                    {t.panels_copy_curl}
                </button>
                <button
                    type="button"
                    class="button--small"
                    aria-describedby="tool-status"
                    on:click=move |_| {
                        leptos::task::spawn_local(async move {
                            tool_status.set(crate::state::copy_share_link(draft).await);
                        });
                    }
                >
                    {t.panels_copy_share_link}
                </button>
                <button
                    type="button"
                    class="button--small"
                    aria-describedby="tool-status"
                    on:click=move |_| {
                        if let Some(input) = settings_file.get_untracked() {
                            input.click();
                        }
                    }
                >
                    {t.panels_load_settings_image}
                </button>
                <input
                    node_ref=settings_file
                    class="visually-hidden"
                    type="file"
                    name="settings-image"
                    accept="image/png,image/jpeg"
                    tabindex="-1"
                    aria-hidden="true"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        let file = input.files().and_then(|f| f.get(0));
                        input.set_value("");
                        if let Some(file) = file {
                            leptos::task::spawn_local(async move {
                                tool_status.set(draft.load_settings_from_image(&file.name(), file.into()).await);
                            });
                        }
                    }
                />
                {status_line("tool-status", tool_status)}
            </div>
        </div>
    }
}

/// What a tool just did, announced; one function for every such line.
fn status_line(id: &'static str, text: RwSignal<String>) -> impl IntoView {
    view! {
        <span id=id class="field__hint" role="status">
            {move || text.get()}
        </span>
    }
}

/// A select that acts when an item is picked (Recent prompts, Presets), then
/// goes back to its hint; disabled while there is nothing to pick. One
/// function for both: every view costs wasm bytes.
fn pick_select(
    label: &'static str,
    name: &'static str,
    hint: &'static str,
    items: Box<dyn Fn() -> Vec<String> + Send + Sync>,
    pick: Box<dyn Fn(String)>,
) -> impl IntoView {
    let items = std::sync::Arc::new(items);
    let listed = items.clone();
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            <select
                name=name
                prop:value=""
                disabled=move || items().is_empty()
                on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    if !chosen.is_empty() {
                        pick(chosen);
                    }
                    use wasm_bindgen::JsCast;
                    if let Some(select) = ev
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                    {
                        select.set_value("");
                    }
                }
            >
                <option value="">{hint}</option>
                {move || {
                    listed()
                        .into_iter()
                        .map(|item| {
                            let value = item.clone();
                            view! { <option value=value>{item}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

/// The known models, plus the chosen one when it is not among them (e.g.
/// reused from an older image), so the select always shows what will be sent.
fn model_options(known: &[ModelChoice], chosen: &str) -> impl IntoView + use<> {
    let mut models: Vec<(String, String)> =
        known.iter().map(|m| (m.id.clone(), m.label())).collect();
    if !models.iter().any(|(id, _)| id == chosen) {
        models.push((chosen.to_owned(), chosen.to_owned()));
    }
    models
        .into_iter()
        .map(|(id, label)| {
            let selected = id == chosen;
            view! { <option value=id selected=selected>{label}</option> }
        })
        .collect_view()
}
