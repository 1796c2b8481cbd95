//! Native tests of the model list: parsing, filtering, labels and the cache.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::api::ApiError;
use kleinbild::api::models::{parse_image_price, parse_models};
use kleinbild::generation::{KLEIN_PRICE, ModelChoice, ModelPrice, built_in_models};
use kleinbild::storage::model_cache::{CACHE_MS, ModelCache};

const KLEIN: &str = "black-forest-labs/flux.2-klein-4b";

fn model(id: &str, name: &str, output: &[&str], image_output: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "name": name, "created": 1,
        "architecture": {"modality": "text+image->image", "input_modalities": ["text", "image"], "output_modalities": output},
        "pricing": {"prompt": "0", "completion": "0", "image_output": image_output},
    })
}

#[test]
fn image_models_are_listed_klein_first_and_only_klein_with_a_price_per_image() {
    let body = serde_json::json!({"data": [
        model("black-forest-labs/flux.2-pro", "Black Forest Labs: FLUX.2 [pro]", &["image"], "0.03"),
        model("openai/gpt-4o-mini", "GPT-4o-mini", &["text"], "0"),
        model(KLEIN, "Black Forest Labs: FLUX.2 [klein] 4B", &["image"], "0.00000342"),
        model("google/gemini-2.5-flash-image", "Gemini \u{7}Image", &["image", "text"], "oops"),
        model("../../etc/passwd", "bad id", &["image"], "1"),
    ]})
    .to_string();
    let models = parse_models(200, &body).unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            KLEIN,
            "black-forest-labs/flux.2-pro",
            "google/gemini-2.5-flash-image"
        ]
    );
    // Klein's price comes from the published per-megapixel rule, not the list's token price.
    assert_eq!(
        models[0].label(),
        "Black Forest Labs: FLUX.2 [klein] 4B \u{b7} about $0.014 per image"
    );
    // The list's `image_output` is a price per unit, not per image: never shown as one.
    assert_eq!(
        models[1].label(),
        "Black Forest Labs: FLUX.2 [pro] \u{b7} price on OpenRouter"
    );
    // Control characters are dropped; an unreadable price changes nothing.
    assert_eq!(models[2].label(), "Gemini Image \u{b7} price on OpenRouter");
    assert!(
        models
            .iter()
            .all(|m| m.id == KLEIN || !m.label().contains('$')),
        "a model other than klein shows a dollar figure: {:?}",
        models.iter().map(|m| m.label()).collect::<Vec<_>>()
    );
}

#[test]
fn a_list_without_klein_still_offers_it_and_errors_are_errors() {
    let body = serde_json::json!({"data": [model("a/b", "Other", &["image"], "0")]}).to_string();
    let models = parse_models(200, &body).unwrap();
    assert_eq!(models[0].id, KLEIN);
    assert_eq!(models.len(), 2);
    assert_eq!(built_in_models()[0].id, KLEIN);
    for bad in ["", "[]", r#"{"data":{}}"#, "<html>"] {
        assert!(
            matches!(parse_models(200, bad), Err(ApiError::Malformed { .. })),
            "{bad:?}"
        );
    }
    assert!(matches!(
        parse_models(503, ""),
        Err(ApiError::ProviderDown { status: 503, .. })
    ));
}

#[test]
fn the_cache_is_used_only_for_the_same_api_and_while_young() {
    let cache = ModelCache {
        api_base: "https://openrouter.ai/api/v1".into(),
        fetched_ms: 1_000_000.0,
        models: built_in_models(),
    };
    let raw = cache.to_json();
    let base = "https://openrouter.ai/api/v1";
    assert_eq!(
        ModelCache::fresh_for(Some(&raw), base, 1_000_000.0 + 60_000.0),
        Some(built_in_models())
    );
    assert_eq!(
        ModelCache::fresh_for(Some(&raw), base, 1_000_000.0 + CACHE_MS),
        None
    );
    assert_eq!(
        ModelCache::fresh_for(Some(&raw), base, 0.0),
        None,
        "a clock set back"
    );
    assert_eq!(
        ModelCache::fresh_for(Some(&raw), "http://127.0.0.1:8787/api/v1", 1_000_001.0),
        None
    );
    assert_eq!(
        ModelCache::fresh_for(Some("{broken"), base, 1_000_001.0),
        None
    );
    assert_eq!(ModelCache::fresh_for(None, base, 1_000_001.0), None);
}

fn endpoints(pricing: serde_json::Value) -> String {
    serde_json::json!({"id": "a/b", "endpoints": [
        {"provider_name": "P", "provider_slug": "p", "supported_parameters": {}, "pricing": pricing}
    ]})
    .to_string()
}

/// The price source: only output-image lines per image or per megapixel give
/// a price per image; per-token lines and nonsense never do.
#[test]
fn endpoint_pricing_lines_give_a_price_per_image_only_when_there_is_one() {
    use serde_json::json;
    let price = |lines| parse_image_price(200, &endpoints(lines)).unwrap();
    let per_mp = price(json!([
        {"billable": "input_image", "unit": "megapixel", "cost_usd": 0.5},
        {"billable": "output_image", "unit": "megapixel", "cost_usd": 0.03, "variant": "first"},
        {"billable": "output_image", "unit": "megapixel", "cost_usd": 0.015, "variant": "additional"},
    ]));
    assert_eq!(
        per_mp,
        ModelPrice::PerMegapixel {
            first: 0.03,
            further: 0.015
        }
    );
    assert_eq!(per_mp.of_image(1024, 1024), Some(0.03));
    assert!(
        (per_mp.of_image(2048, 2048).unwrap() - 0.075).abs() < 1e-9,
        "4 MP: first + 3 further"
    );
    let flat = price(json!([{"billable": "output_image", "unit": "megapixel", "cost_usd": 0.02}]));
    assert_eq!(
        flat,
        ModelPrice::PerMegapixel {
            first: 0.02,
            further: 0.02
        }
    );
    let per_image = price(json!([
        {"billable": "input_text", "unit": "token", "cost_usd": 0.0000003},
        {"billable": "output_image", "unit": "image", "cost_usd": 0.039},
    ]));
    assert_eq!(per_image.of_image(2048, 1152), Some(0.039));
    for unknown in [
        json!([{"billable": "output_image", "unit": "token", "cost_usd": 0.000008}]),
        json!([{"billable": "output_image", "unit": "image", "cost_usd": "0.04"}]),
        json!([{"billable": "output_image", "unit": "image", "cost_usd": -1}]),
        json!([{"billable": "output_image", "unit": "image", "cost_usd": 1e9}]),
        json!([]),
        json!("free"),
    ] {
        assert_eq!(price(unknown.clone()), ModelPrice::Unknown, "{unknown}");
    }
    // The first endpoint that gives a price per image wins.
    let two = json!({"endpoints": [
        {"pricing": [{"billable": "output_image", "unit": "token", "cost_usd": 0.00001}]},
        {"pricing": [{"billable": "output_image", "unit": "image", "cost_usd": 0.05}]},
    ]});
    assert_eq!(
        parse_image_price(200, &two.to_string()).unwrap(),
        ModelPrice::PerImage(0.05)
    );
    assert_eq!(parse_image_price(200, "{}").unwrap(), ModelPrice::Unknown);
    assert!(
        parse_image_price(404, r#"{"error":{"code":404,"message":"Model not found"}}"#).is_err()
    );
    assert!(parse_image_price(200, "<html>").is_err());
    // Klein's own rule is the same kind of price: $0.017 for 4 MP.
    assert!((KLEIN_PRICE.of_image(2048, 2048).unwrap() - 0.017).abs() < 1e-9);
}

#[test]
fn labels_show_a_known_price_and_the_cache_keeps_it() {
    let mut gemini = ModelChoice::new("google/gemini-2.5-flash-image", "Gemini Image");
    assert_eq!(gemini.label(), "Gemini Image \u{b7} price on OpenRouter");
    gemini.price = ModelPrice::PerImage(0.039);
    assert_eq!(gemini.label(), "Gemini Image \u{b7} about $0.039 per image");
    let mut pro = ModelChoice::new("black-forest-labs/flux.2-pro", "FLUX.2 [pro]");
    pro.price = ModelPrice::PerMegapixel {
        first: 0.03,
        further: 0.015,
    };
    assert_eq!(pro.label(), "FLUX.2 [pro] \u{b7} about $0.030 per image");
    let cache = ModelCache {
        api_base: "https://openrouter.ai/api/v1".into(),
        fetched_ms: 5.0,
        models: vec![
            built_in_models().remove(0),
            gemini,
            pro,
            ModelChoice::new("openai/gpt-5-image-mini", "GPT-5 Image Mini"),
        ],
    };
    let back = ModelCache::fresh_for(Some(&cache.to_json()), &cache.api_base, 6.0);
    assert_eq!(back, Some(cache.models));
}
