//! Native tests of settings (de)serialisation, validation, price and names.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::generation::images_within_limit;
use kleinbild::generation::{ImageFormat, OutputFormat, Resolution, output_size};
use kleinbild::generation::{estimate_cost_usd, expected_size, file_name, format_usd, parse_seed};
use kleinbild::storage::{Settings, parse_spending_limit, validate_api_base, validate_timeout};

const DEFAULT_BASE: &str = "https://openrouter.ai/api/v1";

#[test]
fn api_base_accepts_https_and_loopback_http() {
    assert_eq!(
        validate_api_base(" https://openrouter.ai/api/v1/ "),
        Ok(DEFAULT_BASE.into())
    );
    assert_eq!(
        validate_api_base("http://127.0.0.1:8787/api/v1"),
        Ok("http://127.0.0.1:8787/api/v1".into())
    );
    assert!(validate_api_base("http://localhost:3000/v1").is_ok());
}

#[test]
fn api_base_refuses_malformed_or_unsafe_urls() {
    for bad in [
        "",
        "not a url",
        "openrouter.ai/api/v1",
        "ftp://openrouter.ai/api/v1",
        "http://example.com/api/v1",
        "https://user:pw@openrouter.ai/api/v1",
        "https://openrouter.ai/api/v1?key=x",
        "https://openrouter.ai/api/v1#x",
        "https:///api/v1",
        "https://open router.ai",
        "https://openrouter.ai:99999999/api",
        "https://-bad.example/api",
        "javascript:alert(1)",
    ] {
        assert!(validate_api_base(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn settings_round_trip() {
    let mut settings = Settings::new(DEFAULT_BASE);
    settings.aspect_ratio = "16:9".into();
    settings.remember_key = true;
    settings.timeout_seconds = 30;
    settings.model = "black-forest-labs/flux.2-pro".into();
    settings.batch_size = 8;
    settings.parallel_requests = 2;
    settings.one_prompt_per_line = true;
    settings.notify_when_done = true;
    settings.keep_seed = false;
    settings.resolution = Resolution::Four;
    settings.output_format = OutputFormat::Jpeg;
    settings.spending_limit_usd = Some(0.25);
    let parsed = Settings::from_json(&settings.to_json(), &Settings::new(DEFAULT_BASE)).unwrap();
    assert_eq!(parsed, settings);
    settings.spending_limit_usd = None;
    let parsed = Settings::from_json(&settings.to_json(), &Settings::new(DEFAULT_BASE)).unwrap();
    assert_eq!(parsed, settings);
}

#[test]
fn the_spending_limit_reads_dollars_and_refuses_nonsense() {
    assert_eq!(parse_spending_limit(""), Ok(None));
    assert_eq!(parse_spending_limit("  "), Ok(None));
    assert_eq!(parse_spending_limit("0.5"), Ok(Some(0.5)));
    assert_eq!(parse_spending_limit("$2"), Ok(Some(2.0)));
    assert_eq!(parse_spending_limit("0"), Ok(Some(0.0)));
    for bad in ["-1", "abc", "1,5", "1e9", "NaN", "0.5.1"] {
        let message = parse_spending_limit(bad).expect_err(bad);
        assert!(message.contains("US dollars"), "{bad}: {message}");
    }
    // A stored limit out of range (hand-edited storage) falls back to none.
    let stored = Settings::new(DEFAULT_BASE)
        .to_json()
        .replace('}', ",\"spending_limit_usd\":-3}");
    let parsed = Settings::from_json(&stored, &Settings::new(DEFAULT_BASE)).unwrap();
    assert_eq!(parsed.spending_limit_usd, None);
}

#[test]
fn the_limit_lets_through_only_whole_images_that_fit() {
    // $0.02 a day, nothing spent: one $0.014 image, not two.
    assert_eq!(images_within_limit(0.02, 0.0, 0.0, 0.014, 4), 1);
    // Exactly at the limit still fits (float rounding does not refuse it).
    assert_eq!(images_within_limit(0.042, 0.014, 0.0, 0.014, 4), 2);
    // What is on its way counts at its estimate.
    assert_eq!(images_within_limit(0.05, 0.014, 0.014, 0.014, 4), 1);
    // Over the limit already, or a zero limit: nothing.
    assert_eq!(images_within_limit(0.02, 0.03, 0.0, 0.014, 1), 0);
    assert_eq!(images_within_limit(0.0, 0.0, 0.0, 0.014, 1), 0);
    // Never more than wanted.
    assert_eq!(images_within_limit(100.0, 0.0, 0.0, 0.014, 3), 3);
}

#[test]
fn bad_fields_fall_back_one_by_one() {
    let defaults = Settings::new(DEFAULT_BASE);
    let raw = r#"{"version":1,"api_base":"http://evil.example","aspect_ratio":"7:3","remember_key":true,"timeout_seconds":0,"model":"<script>"}"#;
    let parsed = Settings::from_json(raw, &defaults).unwrap();
    assert_eq!(parsed.model, defaults.model);
    assert_eq!(parsed.api_base, DEFAULT_BASE);
    assert_eq!(parsed.aspect_ratio, defaults.aspect_ratio);
    assert_eq!(parsed.timeout_seconds, defaults.timeout_seconds);
    assert!(parsed.remember_key, "the valid field is kept");
}

#[test]
fn batch_and_parallel_counts_stay_within_one_to_eight() {
    let defaults = Settings::new(DEFAULT_BASE);
    for (batch, parallel) in [("0", "0"), ("9", "99"), ("-1", "2.5"), ("\"4\"", "true")] {
        let raw = format!(
            r#"{{"version":1,"batch_size":{batch},"parallel_requests":{parallel},"one_prompt_per_line":1}}"#
        );
        let parsed = Settings::from_json(&raw, &defaults).unwrap();
        assert_eq!(parsed.batch_size, 1, "{raw}");
        assert_eq!(parsed.parallel_requests, 4, "{raw}");
        assert!(!parsed.one_prompt_per_line, "{raw}");
    }
    let raw = r#"{"version":1,"batch_size":8,"parallel_requests":1}"#;
    let parsed = Settings::from_json(raw, &defaults).unwrap();
    assert_eq!((parsed.batch_size, parsed.parallel_requests), (8, 1));
}

#[test]
fn settings_from_before_the_model_choice_use_klein() {
    let raw = r#"{"version":1,"api_base":"https://openrouter.ai/api/v1","aspect_ratio":"1:1","remember_key":false,"timeout_seconds":180}"#;
    let parsed = Settings::from_json(raw, &Settings::new(DEFAULT_BASE)).unwrap();
    assert_eq!(parsed.model, "black-forest-labs/flux.2-klein-4b");
}

#[test]
fn unreadable_or_unknown_versions_are_errors() {
    let defaults = Settings::new(DEFAULT_BASE);
    for raw in [
        "",
        "{",
        "[]",
        "null",
        r#"{"version":99}"#,
        r#"{"api_base":"https://x.example"}"#,
    ] {
        assert!(
            Settings::from_json(raw, &defaults).is_err(),
            "{raw:?} accepted"
        );
    }
}

#[test]
fn timeout_field_validation() {
    assert_eq!(validate_timeout(" 30 "), Ok(30));
    for bad in ["", "0", "-5", "1.5", "abc", "100000"] {
        assert!(validate_timeout(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn price_follows_the_megapixel_table() {
    assert!((estimate_cost_usd(1024, 1024) - 0.014).abs() < 1e-9);
    assert!((estimate_cost_usd(1344, 768) - 0.014).abs() < 1e-9);
    assert!((estimate_cost_usd(2048, 2048) - 0.017).abs() < 1e-9);
    assert!((estimate_cost_usd(1025, 1024) - 0.015).abs() < 1e-9);
    assert_eq!(format_usd(0.014), "$0.014");
    assert_eq!(format_usd(0.0145), "$0.015");
    assert_eq!(format_usd(1.5), "$1.500");
    assert_eq!(format_usd(0.00042), "$0.00042");
    assert_eq!(format_usd(0.0), "$0.000");
    assert_eq!(expected_size("16:9"), Some((1344, 768)));
    assert_eq!(expected_size("7:3"), None);
}

#[test]
fn resolution_and_format_fall_back_when_unknown() {
    let defaults = Settings::new(DEFAULT_BASE);
    for raw in [
        r#"{"version":1,"resolution_mp":3,"output_format":"webp"}"#,
        r#"{"version":1,"resolution_mp":"4","output_format":1}"#,
    ] {
        let parsed = Settings::from_json(raw, &defaults).unwrap();
        assert_eq!(parsed.resolution, Resolution::One, "{raw}");
        assert_eq!(parsed.output_format, OutputFormat::Png, "{raw}");
    }
    let raw = r#"{"version":1,"resolution_mp":2,"output_format":"jpeg"}"#;
    let parsed = Settings::from_json(raw, &defaults).unwrap();
    assert_eq!(
        (parsed.resolution, parsed.output_format),
        (Resolution::Two, OutputFormat::Jpeg)
    );
}

/// Every ratio at every tier: within 2048 a side, multiples of 16, the ratio
/// kept within 2 %, larger per tier until a side reaches 2048, never more megapixels than the tier (so the bill does not
/// round up), and the price rule's figure for it.
#[test]
fn the_resolution_table_keeps_ratio_limits_and_price() {
    for &(ratio, w1, h1) in kleinbild::generation::ASPECT_RATIOS {
        assert_eq!(output_size(ratio, Resolution::One), Some((w1, h1)));
        let (a, b) = ratio.split_once(':').unwrap();
        let want = a.parse::<f64>().unwrap() / b.parse::<f64>().unwrap();
        let mut last_pixels = w1 * h1;
        for tier in [Resolution::Two, Resolution::Four] {
            let (w, h) = output_size(ratio, tier).unwrap();
            assert!(w <= 2048 && h <= 2048, "{ratio} {tier:?}: {w}x{h}");
            assert_eq!((w % 16, h % 16), (0, 0), "{ratio} {tier:?}: {w}x{h}");
            let got = f64::from(w) / f64::from(h);
            assert!(
                (got - want).abs() / want < 0.02,
                "{ratio} {tier:?}: {w}x{h}"
            );
            let mp = f64::from(w * h) / 1_048_576.0;
            assert!(
                mp <= f64::from(tier.megapixels()),
                "{ratio} {tier:?}: {mp} MP"
            );
            // Larger, unless the 2048 px side already capped the tier below.
            assert!(
                w * h > last_pixels || w.max(h) >= 2000,
                "{ratio} {tier:?} is not larger"
            );
            last_pixels = w * h;
        }
    }
    assert_eq!(output_size("1:1", Resolution::Two), Some((1440, 1440)));
    assert_eq!(output_size("1:1", Resolution::Four), Some((2048, 2048)));
    assert_eq!(output_size("16:9", Resolution::Four), Some((2048, 1152)));
    let (w, h) = output_size("1:1", Resolution::Four).unwrap();
    assert!(
        (estimate_cost_usd(w, h) - 0.017).abs() < 1e-9,
        "one 4 MP image is $0.017"
    );
    let (w, h) = output_size("1:1", Resolution::Two).unwrap();
    assert!((estimate_cost_usd(w, h) - 0.015).abs() < 1e-9);
    assert_eq!(output_size("7:3", Resolution::Four), None);
    assert_eq!(Resolution::of_pixels(2048, 2048), Resolution::Four);
    assert_eq!(Resolution::of_pixels(1440, 1440), Resolution::Two);
    assert_eq!(Resolution::of_pixels(1344, 768), Resolution::One);
}

#[test]
fn seeds_parse_or_explain() {
    assert_eq!(parse_seed(""), Ok(None));
    assert_eq!(parse_seed(" 42 "), Ok(Some(42)));
    assert!(parse_seed("-1").is_err());
    assert!(parse_seed("4294967296").is_err());
    assert!(parse_seed("1e3").is_err());
}

#[test]
fn download_names_are_safe_slugs() {
    assert_eq!(
        file_name("A watercolor fox, in snow!", 42, ImageFormat::Png),
        "a-watercolor-fox-in-snow-42.png"
    );
    assert_eq!(
        file_name("../../etc/passwd", 1, ImageFormat::Jpeg),
        "etc-passwd-1.jpg"
    );
    assert_eq!(file_name("   ", 7, ImageFormat::Webp), "kleinbild-7.webp");
    assert_eq!(
        file_name("Füchse im Schnee", 3, ImageFormat::Png),
        "f-chse-im-schnee-3.png"
    );
    assert!(file_name(&"x".repeat(500), 1, ImageFormat::Png).len() < 70);
}

#[test]
fn storage_sizes_read_like_people_write_them() {
    use kleinbild::storage::format_bytes;
    assert_eq!(format_bytes(0.0), "0 bytes");
    assert_eq!(format_bytes(999.0), "999 bytes");
    assert_eq!(format_bytes(12_345_678.0), "12.3 MB");
    assert_eq!(format_bytes(2_100_000_000.0), "2.1 GB");
    assert_eq!(format_bytes(1_500.0), "1.5 kB");
}

#[test]
fn references_over_one_megapixel_are_scaled_to_just_under_it_keeping_their_shape() {
    use kleinbild::generation::{MAX_REFERENCE_PIXELS, reference_size};
    assert_eq!(reference_size(1024, 1024), None, "exactly 1 MP stays");
    assert_eq!(reference_size(800, 600), None);
    for (w, h) in [
        (4000, 3000),
        (3000, 4000),
        (1025, 1024),
        (12000, 9000),
        (65535, 65535),
        (20000, 60),
    ] {
        let (sw, sh) = reference_size(w, h).unwrap();
        let pixels = u64::from(sw) * u64::from(sh);
        assert!(pixels <= MAX_REFERENCE_PIXELS, "{w}x{h} -> {sw}x{sh}");
        assert!(
            pixels as f64 > MAX_REFERENCE_PIXELS as f64 * 0.99 || sh == 1,
            "{w}x{h} -> {sw}x{sh}"
        );
        let (want, got) = (f64::from(w) / f64::from(h), f64::from(sw) / f64::from(sh));
        assert!(
            (got - want).abs() / want < 0.01 || sh < 100,
            "{w}x{h} -> {sw}x{sh}"
        );
    }
}
