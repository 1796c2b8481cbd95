use leptos::prelude::*;

use crate::state::Alerts;

/// The one place errors are announced. The live region is always in the DOM
/// so screen readers pick up every change.
#[component]
pub fn AlertRegion() -> impl IntoView {
    let alerts = Alerts::expect();
    let t = crate::i18n::core();
    view! {
        <div class="alert" role="alert" class:alert--visible=move || alerts.is_showing()>
            {move || {
                alerts
                    .current()
                    .map(|alert| {
                        view! {
                            <p class="alert__message">{alert.message}</p>
                            {alert
                                .link
                                .map(|(text, href)| {
                                    view! {
                                        <p class="alert__link">
                                            <a href=href target="_blank" rel="noopener noreferrer">
                                                {text}
                                            </a>
                                        </p>
                                    }
                                })}
                            {alert
                                .details
                                .map(|details| {
                                    view! {
                                        <details class="alert__details">
                                            <summary>{t.studio_details}</summary>
                                            <code>{details}</code>
                                        </details>
                                    }
                                })}
                            <button type="button" class="alert__dismiss" on:click=move |_| alerts.clear()>
                                {t.studio_dismiss}
                            </button>
                        }
                    })
            }}
        </div>
    }
}
