use leptos::either::Either;
use leptos::prelude::*;
use web_sys::KeyboardEvent;

use crate::generation::{
    ASPECT_RATIOS, JobState, Phase, estimate_cost_usd, expected_size, format_usd,
};
use crate::state::{Alerts, Draft, SettingsStore, Studio};

/// Prompt, options, cost estimate and the Generate / Cancel controls.
#[component]
pub fn PromptForm() -> impl IntoView {
    let settings = SettingsStore::expect();
    let alerts = Alerts::expect();
    let studio = Studio::expect();
    let draft = Draft::expect();
    let (prompt, set_prompt) = (draft.prompt().read_only(), draft.prompt().write_only());
    let prompt_ref = NodeRef::<leptos::html::Textarea>::new();

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
    let estimate = move || {
        let ratio = settings.with(|s| s.aspect_ratio.clone());
        expected_size(&ratio).map(|(w, h)| {
            format!(
                "about {w}\u{d7}{h} px \u{b7} estimated {}",
                format_usd(estimate_cost_usd(w, h))
            )
        })
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
                <span class="field__label">"Prompt"</span>
                <textarea
                    node_ref=prompt_ref
                    name="prompt"
                    rows="4"
                    maxlength=crate::state::MAX_PROMPT_CHARS
                    placeholder="A watercolor fox in a snowy forest"
                    aria-describedby="prompt-hint"
                    prop:value=move || prompt.get()
                    on:input=move |ev| set_prompt.set(event_target_value(&ev))
                    on:keydown=on_prompt_keydown
                ></textarea>
            </label>
            <p id="prompt-hint" class="field__hint">"Ctrl+Enter (\u{2318}+Enter on a Mac) generates."</p>
            <div class="prompt-form__row">
                <label class="field">
                    <span class="field__label">"Aspect ratio"</span>
                    // prop:value, not option attributes: once the user has picked an
                    // option, the browser ignores later `selected` attribute changes.
                    <select
                        name="aspect-ratio"
                        prop:value=move || settings.with(|s| s.aspect_ratio.clone())
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            if let Err(message) = settings.update(|s| s.aspect_ratio = value) {
                                alerts.show(message);
                            }
                        }
                    >
                        {ASPECT_RATIOS
                            .iter()
                            .map(|&(label, _, _)| {
                                view! {
                                    <option
                                        value=label
                                        selected=move || settings.with(|s| s.aspect_ratio == label)
                                    >
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <p class="prompt-form__estimate">{estimate}</p>
            </div>
            <div class="prompt-form__actions" aria-live="polite">
                {move || match studio.job() {
                    JobState::Idle => {
                        Either::Left(
                            view! {
                                <button type="submit" class="button--primary">
                                    "Generate"
                                </button>
                            },
                        )
                    }
                    JobState::Running { started_ms } => {
                        Either::Right(
                            view! { <Progress started_ms studio /> },
                        )
                    }
                }}
            </div>
        </form>
    }
}

/// "Generating… 4 s" (or the countdown to the next attempt) with a Cancel
/// button that aborts the request or the countdown.
#[component]
fn Progress(
    /// When the request started (`Date.now()` milliseconds).
    started_ms: f64,
    studio: Studio,
) -> impl IntoView {
    let (elapsed, set_elapsed) = signal(0u32);
    let interval = gloo_timers::callback::Interval::new(250, move || {
        set_elapsed.set(((js_sys::Date::now() - started_ms) / 1000.0).max(0.0) as u32);
    });
    // The interval stops when the progress view goes away.
    let interval = StoredValue::new_local(Some(interval));
    on_cleanup(move || interval.update_value(|i| drop(i.take())));
    view! {
        <span class="progress" role="status">
            <span class="progress__spinner" aria-hidden="true"></span>
            {move || match (studio.retry(), studio.phase()) {
                (Some(wait), _) => wait.text(),
                (None, Some(Phase::Processing)) => {
                    format!("Generating\u{2026} {} s \u{b7} processing at the provider", elapsed.get())
                }
                (None, Some(Phase::Receiving)) => {
                    format!("Generating\u{2026} {} s \u{b7} receiving the image", elapsed.get())
                }
                (None, None) => format!("Generating\u{2026} {} s", elapsed.get()),
            }}
        </span>
        <button type="button" class="button--danger" on:click=move |_| studio.cancel()>
            "Cancel"
        </button>
    }
}
