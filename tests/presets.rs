//! Native tests of presets: what a preset keeps, names, the manifest round
//! trip, hostile or damaged presets, and how an import merges them.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::generation::{OutputFormat, Resolution};
use kleinbild::storage::Settings;
use kleinbild::storage::manifest::{build_manifest, plan_manifest};
use kleinbild::storage::presets::{MAX_PRESETS, Preset, merge_presets, preset_name};

fn settings() -> Settings {
    let mut s = Settings::new("https://openrouter.ai/api/v1");
    s.model = "black-forest-labs/flux.2-pro".into();
    s.aspect_ratio = "16:9".into();
    s.resolution = Resolution::Four;
    s.output_format = OutputFormat::Jpeg;
    s.keep_seed = false;
    s.batch_size = 3;
    s
}

#[test]
fn a_preset_keeps_and_restores_the_generation_settings_only() {
    let preset = Preset::from_settings("  Wide\t4 MP \u{7}", &settings()).unwrap();
    assert_eq!(preset.name, "Wide 4 MP");
    let mut other = Settings::new("http://127.0.0.1:8787/api/v1");
    other.timeout_seconds = 33;
    preset.apply_to(&mut other);
    let want = settings();
    assert_eq!(
        (
            &other.model,
            &other.aspect_ratio,
            other.resolution,
            other.output_format,
            other.keep_seed,
            other.batch_size
        ),
        (
            &want.model,
            &want.aspect_ratio,
            want.resolution,
            want.output_format,
            want.keep_seed,
            want.batch_size
        )
    );
    // Connection settings are not part of a preset.
    assert_eq!(
        (other.api_base.as_str(), other.timeout_seconds),
        ("http://127.0.0.1:8787/api/v1", 33)
    );
    assert!(Preset::from_settings(" \n\t ", &settings()).is_err());
    assert_eq!(preset_name(&"x".repeat(100)).map(|n| n.len()), Some(60));
}

#[test]
fn presets_travel_in_the_manifest_and_damaged_ones_are_left_out() {
    let good = Preset::from_settings("Wide", &settings()).unwrap();
    let mut square = good.clone();
    square.name = "Square".into();
    square.aspect_ratio = "1:1".into();
    let json = build_manifest(&[], &[good.clone(), square.clone()], 1.0);
    let plan = plan_manifest(&json, |_| None).unwrap();
    assert_eq!(plan.presets, [good.clone(), square]);

    // Each damaged preset is dropped on its own; the manifest still imports.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sound = value["presets"][0].clone();
    let mut damaged = Vec::new();
    for (field, bad) in [
        ("model", serde_json::json!("../../etc")),
        ("aspect_ratio", serde_json::json!("7:3")),
        ("resolution_mp", serde_json::json!(3)),
        ("output_format", serde_json::json!("webp")),
        ("keep_seed", serde_json::json!("yes")),
        ("batch_size", serde_json::json!(99)),
        ("name", serde_json::json!("   ")),
    ] {
        let mut p = sound.clone();
        p[field] = bad;
        damaged.push(p);
    }
    damaged.push(serde_json::json!("not a preset"));
    damaged.push(sound.clone());
    damaged.push(sound);
    value["presets"] = serde_json::Value::Array(damaged);
    let plan = plan_manifest(&value.to_string(), |_| None).unwrap();
    assert_eq!(plan.presets, [good], "only the sound one, once");
    value["presets"] = serde_json::json!({"not": "a list"});
    assert!(
        plan_manifest(&value.to_string(), |_| None)
            .unwrap()
            .presets
            .is_empty()
    );
    // Older exports have none.
    value.as_object_mut().unwrap().remove("presets");
    assert!(
        plan_manifest(&value.to_string(), |_| None)
            .unwrap()
            .presets
            .is_empty()
    );
}

#[test]
fn an_import_adds_new_names_and_keeps_the_presets_already_here() {
    let mine = Preset::from_settings("Wide", &settings()).unwrap();
    let mut theirs = mine.clone();
    theirs.batch_size = 8;
    let mut new = mine.clone();
    new.name = "New".into();
    let mut presets = vec![mine.clone()];
    assert_eq!(merge_presets(&mut presets, vec![theirs, new.clone()]), 1);
    assert_eq!(presets, [mine.clone(), new]);
    let many: Vec<Preset> = (0..80)
        .map(|i| Preset {
            name: format!("p{i}"),
            ..mine.clone()
        })
        .collect();
    merge_presets(&mut presets, many);
    assert_eq!(presets.len(), MAX_PRESETS);
}
