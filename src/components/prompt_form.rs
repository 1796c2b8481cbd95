use leptos::prelude::*;
use web_sys::KeyboardEvent;

use crate::generation::{
    ASPECT_RATIOS, MAX_BATCH, PRICE_ELSEWHERE, format_usd, output_size, prompts_from,
};
use crate::state::{Alerts, Draft, ModelList, SettingsStore, Studio};

/// Prompt, options, the cost estimate, the batch size and Generate, which
/// never waits: each press queues jobs.
#[component]
pub fn PromptForm() -> impl IntoView {
    let settings = SettingsStore::expect();
    let alerts = Alerts::expect();
    let studio = Studio::expect();
    let draft = Draft::expect();
    let models = ModelList::expect();
    let (prompt, set_prompt) = (draft.prompt().read_only(), draft.prompt().write_only());
    let prompt_ref = NodeRef::<leptos::html::Textarea>::new();
    let t = crate::i18n::core();

    let generate = move || {
        // An empty prompt is the one mistake fixed in the form itself.
        if !studio.generate()
            && let Some(el) = prompt_ref.get_untracked()
        {
            let _ = el.focus();
        }
    };
    let on_prompt_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            generate();
        }
    };
    // The total before anything is sent: jobs × images × the price of one,
    // from the one price source (klein's rule, or the model's endpoint).
    let estimate = move || {
        let (ratio, resolution, batch, per_line, model, limit) = settings.with(|s| {
            (
                s.aspect_ratio.clone(),
                s.resolution,
                s.batch_size,
                s.one_prompt_per_line,
                s.model.clone(),
                s.spending_limit_usd,
            )
        });
        let jobs = prompt.with(|p| prompts_from(p, per_line).len()).max(1) as u32;
        let (w, h) = output_size(&ratio, resolution)?;
        let n = jobs * batch;
        let mut parts = vec![t.studio_estimate_size(&w, &h)];
        if n != 1 {
            parts.push(t.studio_image_count_other(&n));
        }
        // Without a known price it says where the price is (the model's hint links there).
        parts.push(match models.price_of(&model).of_image(w, h) {
            Some(usd) => t.studio_estimate_price(&format_usd(usd * f64::from(n))),
            None => PRICE_ELSEWHERE.to_owned(),
        });
        // With a spending limit, today's billed total stays in sight.
        if let Some(limit) = limit {
            parts.push(
                t.studio_estimate_today(&format_usd(studio.spent_today()), &format_usd(limit)),
            );
        }
        Some(parts.join(" \u{b7} "))
    };

    view! {
        <form
            class="prompt-form"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                generate();
            }
        >
            <label class="field field--prompt">
                <span class="field__label">{t.studio_prompt}</span>
                <textarea
                    node_ref=prompt_ref
                    name="prompt"
                    rows="4"
                    maxlength=crate::state::MAX_PROMPT_CHARS
                    placeholder=t.studio_prompt_placeholder
                    aria-describedby="prompt-hint"
                    prop:value=move || prompt.get()
                    on:input=move |ev| set_prompt.set(event_target_value(&ev))
                    on:keydown=on_prompt_keydown
                ></textarea>
            </label>
            <p id="prompt-hint" class="field__hint">
                {t.studio_prompt_hint}
                // FLUX.2's editing guide names references by their number.
                {move || (draft.reference_count() > 0).then_some((" ", t.studio_prompt_hint_references))}
            </p>
            // Over the label line: the count and Clear prompt, when their part is here.
            <div class="prompt-tools">{super::lazy_view(|| Box::pin(super::prompt_tools_view()))}</div>
            <div class="prompt-form__row">
                {super::setting_select(
                    t.studio_aspect_ratio,
                    "aspect-ratio",
                    None,
                    ASPECT_RATIOS.iter().map(|&(r, _, _)| (r.to_owned(), r.to_owned())).collect(),
                    |s| s.aspect_ratio.clone(),
                    |s, value| s.aspect_ratio = value.to_owned(),
                )}
                <label class="field field--check">
                    <input
                        type="checkbox"
                        name="one-prompt-per-line"
                        prop:checked=move || settings.with(|s| s.one_prompt_per_line)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            if let Err(message) = settings.update(|s| s.one_prompt_per_line = on) {
                                alerts.show(message);
                            }
                        }
                    />
                    <span>{t.studio_one_prompt_per_line}</span>
                </label>
                <p class="prompt-form__estimate">{estimate}</p>
            </div>
            <div class="prompt-form__actions">
                <label class="field field--count">
                    <span class="field__label">{t.studio_images}</span>
                    <input
                        type="number"
                        name="images"
                        min="1"
                        max=MAX_BATCH
                        inputmode="numeric"
                        prop:value=move || settings.with(|s| s.batch_size).to_string()
                        on:change=move |ev| {
                            let typed = event_target_value(&ev);
                            match typed.trim().parse::<u32>() {
                                Ok(n) if (1..=MAX_BATCH).contains(&n) => {
                                    if let Err(message) = settings.update(|s| s.batch_size = n) {
                                        alerts.show(message);
                                    }
                                }
                                _ => {
                                    alerts.show(t.studio_images_invalid(&MAX_BATCH, &settings.with_untracked(|s| s.batch_size)));
                                    settings.update(|_| {}).ok();
                                }
                            }
                        }
                    />
                </label>
                <button type="submit" class="button--primary">
                    {t.studio_generate}
                </button>
            </div>
        </form>
    }
}
