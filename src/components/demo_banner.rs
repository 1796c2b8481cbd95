use leptos::prelude::*;

use crate::state::DEMO_API_BASE;

/// Says plainly that this build talks to the bundled mock, not OpenRouter.
#[component]
pub fn DemoBanner() -> impl IntoView {
    DEMO_API_BASE.map(|base| {
        view! {
            <p class="demo-banner" role="note">
                <strong>"Demo mode"</strong>
                " \u{2014} this build talks to the local mock OpenRouter at "
                <code>{base}</code>
                ". Images are synthetic and nothing is billed."
            </p>
        }
    })
}
