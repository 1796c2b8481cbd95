//! Page layout and context providers.

use leptos::prelude::*;

use crate::components::{
    AlertRegion, DemoBanner, Gallery, KeyPanel, PromptForm, Results, SettingsPanel,
};
use crate::state::{Alerts, provide_services};

#[component]
pub fn App() -> impl IntoView {
    let notice = provide_services();
    if let Some(notice) = notice {
        Alerts::expect().show(notice);
    }
    // Lets the benchmark see when the studio became usable.
    Effect::new(|_| crate::perf::mark("kleinbild:ready"));
    view! {
        <DemoBanner />
        <header class="topbar">
            <h1 class="topbar__title">
                "Kleinbild" <span class="topbar__tagline">"FLUX.2 [klein] image studio"</span>
            </h1>
        </header>
        <main class="studio">
            <div class="studio__controls">
                <KeyPanel />
                <SettingsPanel />
                <PromptForm />
                <AlertRegion />
            </div>
            <div class="studio__output">
                <Results />
                <Gallery />
            </div>
        </main>
    }
}
