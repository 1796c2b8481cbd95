//! Native tests of the key check's parsing and wording.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::api::ApiError;
use kleinbild::api::account::{KeyInfo, parse_key_info};

#[test]
fn a_key_with_a_limit_reads_as_used_and_left() {
    let body = r#"{"data":{"label":"Laptop","limit":5,"limit_remaining":4.58,"limit_reset":null,
        "include_byok_in_limit":false,"usage":0.42,"usage_daily":0.42,"is_free_tier":false,
        "is_management_key":false,"expires_at":null,"rate_limit":{"requests":-1,"interval":"10s"}}}"#;
    let info = parse_key_info(200, body).unwrap();
    assert_eq!(
        info,
        KeyInfo {
            label: Some("Laptop".into()),
            usage: Some(0.42),
            limit: Some(5.0),
            limit_remaining: Some(4.58),
        }
    );
    assert_eq!(
        info.summary(),
        "Key \u{201c}Laptop\u{201d}: $0.420 used, $4.580 of $5.000 left."
    );
}

#[test]
fn no_limit_missing_fields_and_odd_values_still_read_well() {
    let info = parse_key_info(200, r#"{"data":{"label":"","limit":null,"usage":0}}"#).unwrap();
    assert_eq!(info.summary(), "Key: $0.000 used, no spending limit.");
    let bare = parse_key_info(200, r#" {"data":{}} "#).unwrap();
    assert_eq!(bare.summary(), "Key: no spending limit.");
    let over = KeyInfo {
        limit: Some(1.0),
        limit_remaining: Some(-0.5),
        usage: Some(f64::NAN),
        ..KeyInfo::default()
    };
    assert_eq!(over.summary(), "Key: $0.000 of $1.000 left.");
}

#[test]
fn invalid_keys_and_broken_answers_are_errors() {
    let err = parse_key_info(401, r#"{"error":{"code":401,"message":"User not found."}}"#);
    assert!(matches!(err, Err(ApiError::InvalidKey { .. })), "{err:?}");
    for body in ["", "<html>", r#"{"data":"x"}"#, "[]"] {
        assert!(
            matches!(parse_key_info(200, body), Err(ApiError::Malformed { .. })),
            "{body:?}"
        );
    }
    assert!(matches!(
        parse_key_info(502, "<html>bad gateway</html>"),
        Err(ApiError::EdgeError { status: 502 })
    ));
}

#[test]
fn the_generation_record_says_what_was_billed() {
    use kleinbild::api::account::parse_generation_cost;
    // Not there yet: the record appears some time after the end.
    assert_eq!(
        parse_generation_cost(404, "{\"error\":{\"code\":404}}"),
        Ok(None)
    );
    let billed = r#"{"data":{"id":"gen-1","total_cost":0.014,"cancelled":false}}"#;
    assert_eq!(parse_generation_cost(200, billed), Ok(Some(0.014)));
    let free = r#"{"data":{"id":"gen-2","total_cost":0,"cancelled":true}}"#;
    assert_eq!(parse_generation_cost(200, free), Ok(Some(0.0)));
    for broken in [
        "",
        "{}",
        r#"{"data":{}}"#,
        r#"{"data":{"total_cost":-1}}"#,
        "<html>",
    ] {
        assert!(
            matches!(
                parse_generation_cost(200, broken),
                Err(ApiError::Malformed { .. })
            ),
            "{broken:?}"
        );
    }
    assert!(matches!(
        parse_generation_cost(401, r#"{"error":{"code":401,"message":"No auth"}}"#),
        Err(ApiError::InvalidKey { .. })
    ));
}
