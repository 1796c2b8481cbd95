//! The Model select's choices: built in at first, OpenRouter's list once the
//! select is first used (fetched at most every few hours, per API base).

use leptos::prelude::*;

use crate::api::client::{fetch_image_price, fetch_models};
use crate::generation::{ModelChoice, ModelPrice, built_in_models, price_known_without_asking};
use crate::storage::model_cache::{ModelCache, load_models, save_models};

#[derive(Clone, Copy)]
pub struct ModelList {
    models: RwSignal<Vec<ModelChoice>>,
    /// Why the list is only the built-in one, when fetching it failed.
    notice: RwSignal<Option<String>>,
    loaded_for: StoredValue<Option<String>>,
}

impl ModelList {
    pub(super) fn new() -> Self {
        ModelList {
            models: RwSignal::new(built_in_models()),
            notice: RwSignal::new(None),
            loaded_for: StoredValue::new(None),
        }
    }

    pub fn expect() -> Self {
        super::Services::expect().models
    }

    /// The choices (tracked).
    pub fn models(&self) -> Vec<ModelChoice> {
        self.models.get()
    }

    /// What one image of `model` costs, as far as known (tracked): the one
    /// source for the picker, the estimate and the batch total.
    pub fn price_of(&self, model: &str) -> ModelPrice {
        self.models.with(|models| {
            models
                .iter()
                .find(|m| m.id == model)
                .map_or_else(|| price_known_without_asking(model), |m| m.price)
        })
    }

    /// Why only the built-in list is offered, if it had to be (tracked).
    pub fn notice(&self) -> Option<String> {
        self.notice.get()
    }

    /// Loads the list for `api_base` unless it is already there.
    pub fn ensure_loaded(&self, api_base: String) {
        let api_base = api_base.as_str();
        if self
            .loaded_for
            .with_value(|b| b.as_deref() == Some(api_base))
        {
            return;
        }
        self.loaded_for.set_value(Some(api_base.to_owned()));
        if let Some(models) = load_models(api_base, js_sys::Date::now()) {
            self.models.set(models);
            return;
        }
        let (list, api_base) = (*self, api_base.to_owned());
        leptos::task::spawn_local(async move {
            match fetch_models(&api_base).await {
                Ok(models) => {
                    list.notice.set(None);
                    list.models.set(models.clone());
                    let models = with_prices(list, &api_base, models).await;
                    save_models(&ModelCache {
                        api_base,
                        fetched_ms: js_sys::Date::now(),
                        models,
                    });
                }
                Err(e) => {
                    // Try again next time the select is used.
                    list.loaded_for.set_value(None);
                    list.notice.set(Some(
                        crate::i18n::later().panels_models_not_loaded(&e.details()),
                    ));
                }
            }
        });
    }
}

/// Models whose prices are asked for, at most: a hostile list cannot make the
/// studio send hundreds of requests.
const PRICED_MODELS: usize = 24;

/// Asks each model's Images API endpoints for its price per image, one after
/// another, then shows them all. A model whose endpoints cannot be read
/// keeps "price on OpenRouter".
async fn with_prices(
    list: ModelList,
    api_base: &str,
    mut models: Vec<ModelChoice>,
) -> Vec<ModelChoice> {
    for model in models
        .iter_mut()
        .filter(|m| m.price == ModelPrice::Unknown)
        .take(PRICED_MODELS)
    {
        if let Ok(price) = fetch_image_price(api_base, &model.id).await {
            model.price = price;
        }
    }
    list.models.set(models.clone());
    models
}
