//! Patches for known gaps of OpenRouter's published OpenAPI description, applied to it before
//! our schemas are compared with it and before our fixtures are validated against it. They are
//! used for nothing else: our own schemas already contain these corrections (each marked with a
//! `Deviation:` comment).
//!
//! Each overlay cites the gap as the project's API notes list it ("OpenAPI spec" → "Known gaps",
//! and §2.2, §3.1, §3.2, §6.1). They only add what the live API is documented to send; they
//! never loosen a schema beyond that. An overlay whose target has disappeared from the
//! description is an error, so a changed description is noticed.

use serde_json::{Map, Value, json};

/// Applies every gap overlay to the OpenAPI document (as JSON).
pub(crate) fn apply(doc: &mut Value) -> Result<(), String> {
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .ok_or("no components.schemas")?;
    stream_delta_images(schemas)?;
    assistant_images_type(schemas)?;
    stream_chunk_error(schemas)?;
    choice_error(schemas)?;
    error_data_availability(schemas);
    provider_and_native_finish_reason(schemas)?;
    usage_image_tokens(schemas)?;
    Ok(())
}

/// Rewrites discriminated `oneOf`s for validation (see [`discriminators`]); not used for the
/// comparison, which understands `oneOf` itself.
pub(crate) fn for_validation(doc: &mut Value) {
    discriminators(doc);
}

/// OpenAPI `discriminator` is not a JSON Schema keyword: ignored, it leaves a plain `oneOf`,
/// whose failure says only "not valid under any of the schemas" (and which would also reject a
/// body that happens to match two variants). Where the mapping names every `oneOf` entry (43 of
/// the document's 44 uses), the `oneOf` becomes what the discriminator means: the property must
/// be one of the mapped values, and the value selects the one variant to validate against, so a
/// violation is reported at its real place (e.g. `/messages/0/content/1/image_url`).
fn discriminators(value: &mut Value) {
    match value {
        Value::Object(obj) => {
            if let Some(rewritten) = discriminated(obj) {
                obj.remove("oneOf");
                let all_of = obj.entry("allOf").or_insert_with(|| json!([]));
                if let Some(all_of) = all_of.as_array_mut() {
                    all_of.extend(rewritten);
                }
            }
            for v in obj.values_mut() {
                discriminators(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(discriminators),
        _ => {}
    }
}

/// The `allOf` entries that replace a fully mapped discriminated `oneOf`, or `None`.
fn discriminated(obj: &Map<String, Value>) -> Option<Vec<Value>> {
    let disc = obj.get("discriminator")?;
    let prop = disc.get("propertyName")?.as_str()?;
    let mapping = disc.get("mapping")?.as_object()?;
    let one_of = obj.get("oneOf")?.as_array()?;
    let refs: Vec<&str> = one_of
        .iter()
        .map(|s| s.get("$ref").and_then(Value::as_str))
        .collect::<Option<_>>()?;
    let complete = mapping.len() >= refs.len()
        && refs
            .iter()
            .all(|r| mapping.values().any(|m| m.as_str() == Some(*r)))
        && mapping
            .values()
            .all(|m| m.as_str().is_some_and(|m| refs.contains(&m)));
    if !complete {
        return None;
    }
    let keys: Vec<&String> = mapping.keys().collect();
    let mut out = vec![json!({ "required": [prop], "properties": { prop: { "enum": keys } } })];
    for (key, target) in mapping {
        out.push(json!({
            "if": { "required": [prop], "properties": { prop: { "const": key } } },
            "then": { "$ref": target }
        }));
    }
    Some(out)
}

fn schema_mut<'a>(
    schemas: &'a mut Map<String, Value>,
    name: &str,
) -> Result<&'a mut Value, String> {
    schemas
        .get_mut(name)
        .ok_or_else(|| format!("overlay target components/schemas/{name} is missing"))
}

fn properties_mut<'a>(
    schema: &'a mut Value,
    name: &str,
) -> Result<&'a mut Map<String, Value>, String> {
    let obj = schema
        .as_object_mut()
        .ok_or_else(|| format!("{name} is not an object schema"))?;
    obj.entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| format!("{name}.properties is not an object"))
}

/// Gap: "`ChatStreamDelta` has no `images` property (only `audio, content, reasoning,
/// reasoning_details, refusal, role, tool_calls`), although the docs stream images there" (§3.1).
/// The streamed entries are the same objects as `message.images`.
fn stream_delta_images(schemas: &mut Map<String, Value>) -> Result<(), String> {
    let delta = schema_mut(schemas, "ChatStreamDelta")?;
    properties_mut(delta, "ChatStreamDelta")?
        .entry("images")
        .or_insert_with(|| json!({ "$ref": "#/components/schemas/ChatAssistantImages" }));
    Ok(())
}

/// Gap: "`ChatAssistantImages` items require only `image_url.url`; the `type:"image_url"` that
/// the live API sends is not declared" (§2.2). Extra properties were already allowed; declaring
/// it means a *wrong* `type` is caught. It stays optional, as in the document.
fn assistant_images_type(schemas: &mut Map<String, Value>) -> Result<(), String> {
    let images = schema_mut(schemas, "ChatAssistantImages")?;
    let items = images
        .get_mut("items")
        .ok_or("ChatAssistantImages has no items schema")?;
    properties_mut(items, "ChatAssistantImages.items")?
        .entry("type")
        .or_insert_with(|| json!({ "type": "string", "enum": ["image_url"] }));
    Ok(())
}

/// `{code, message, metadata?}` as carried by in-band errors (§2.2, §3.2). `code` is a number in
/// the Chat skin, but "one older doc example uses the string `"server_error"`, so accept both".
fn inband_error_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "code": { "type": ["integer", "string"] },
            "message": { "type": "string" },
            "metadata": {
                "type": ["object", "null"],
                "properties": {
                    "error_type": { "$ref": "#/components/schemas/ApiErrorType" },
                    "provider_code": { "type": ["string", "null"] }
                }
            }
        },
        "required": ["code", "message"]
    })
}

/// Gap: "The mid-stream error chunk (top-level `error` on a chunk) ... [is] described in prose"
/// (§3.2). The document does declare `ChatStreamChunk.error`, but with `code: integer` and
/// `metadata.error_type` required; §3.2 says accept a string code too, and 5xx errors are masked.
/// `finish_reason: "error"` is already in `ChatFinishReasonEnum`.
fn stream_chunk_error(schemas: &mut Map<String, Value>) -> Result<(), String> {
    let chunk = schema_mut(schemas, "ChatStreamChunk")?;
    properties_mut(chunk, "ChatStreamChunk")?.insert("error".to_owned(), inband_error_schema());
    Ok(())
}

/// Gap: "the in-choice error [is] described in prose ([ERR]), not as schemas" (§2.2): a 200
/// `ChatResult` may carry `choices[].error = {code, message, metadata:{error_type}}` with
/// `finish_reason: "error"`. Added to both the result and the stream choice.
fn choice_error(schemas: &mut Map<String, Value>) -> Result<(), String> {
    for name in ["ChatChoice", "ChatStreamChoice"] {
        let choice = schema_mut(schemas, name)?;
        properties_mut(choice, name)?
            .entry("error")
            .or_insert_with(inband_error_schema);
    }
    Ok(())
}

/// Gap (§6.1): "Since 2026-08-19, availability failures also carry `error.availability` ... The
/// doc examples for these errors show `error.message`, `error.error_type` and `error.http_status`,
/// and **have no `error.code`**." Every `*ResponseErrorData` requires `code`; relax that to
/// "`code` or `availability`", and declare the availability object so its shape is checked.
fn error_data_availability(schemas: &mut Map<String, Value>) {
    let availability = json!({
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "enum": [
                    "model_not_found", "wrong_endpoint", "no_endpoints", "model_deprecated",
                    "model_unavailable_upstream", "capacity_exhausted", "temporarily_unavailable",
                    "region_restricted", "privacy_restricted", "constraint_filtered",
                    "free_variant_ended"
                ]
            },
            "retryable": { "type": "boolean" },
            "retry_after": { "type": ["number", "null"] },
            "requested_models": { "type": "array", "items": { "type": "string" } },
            "affected_providers": { "type": ["array", "null"], "items": { "type": "string" } },
            "fallback_models": { "type": ["array", "null"], "items": { "type": "string" } },
            "docs_url": { "type": "string" }
        },
        "required": ["code"]
    });
    for (name, schema) in schemas.iter_mut() {
        if !name.ends_with("ResponseErrorData") {
            continue;
        }
        let Some(obj) = schema.as_object_mut() else {
            continue;
        };
        let had_code = obj
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|v| v == "code"));
        if let Some(req) = obj.get_mut("required").and_then(Value::as_array_mut) {
            req.retain(|v| v != "code");
        }
        if had_code {
            obj.insert(
                "anyOf".to_owned(),
                json!([{ "required": ["code"] }, { "required": ["availability"] }]),
            );
        }
        if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
            props
                .entry("availability")
                .or_insert_with(|| availability.clone());
            props
                .entry("error_type")
                .or_insert_with(|| json!({ "type": "string" }));
            props
                .entry("http_status")
                .or_insert_with(|| json!({ "type": "integer" }));
        }
    }
}

/// Gap: the published `ChatResult` and `ChatStreamChunk` declare no `provider`, and
/// `ChatChoice`/`ChatStreamChoice` no `native_finish_reason`, although both are sent: §2.2
/// ("`provider`: the display name of the upstream provider", captured live answers and chunks,
/// §3.1) and the API overview ("`native_finish_reason` holds the provider's raw value").
fn provider_and_native_finish_reason(schemas: &mut Map<String, Value>) -> Result<(), String> {
    for name in ["ChatResult", "ChatStreamChunk"] {
        properties_mut(schema_mut(schemas, name)?, name)?
            .entry("provider")
            .or_insert_with(|| json!({ "type": "string" }));
    }
    for name in ["ChatChoice", "ChatStreamChoice"] {
        properties_mut(schema_mut(schemas, name)?, name)?
            .entry("native_finish_reason")
            .or_insert_with(|| json!({ "type": ["string", "null"] }));
    }
    Ok(())
}

/// Gap: `ChatUsage.completion_tokens_details` has no `image_tokens`, which the API overview
/// documents (§2.2: "`completion_tokens_details.image_tokens`"); the Image API's usage has it.
fn usage_image_tokens(schemas: &mut Map<String, Value>) -> Result<(), String> {
    let usage = schema_mut(schemas, "ChatUsage")?;
    let details = properties_mut(usage, "ChatUsage")?
        .get_mut("completion_tokens_details")
        .ok_or("ChatUsage has no completion_tokens_details")?;
    properties_mut(details, "ChatUsage.completion_tokens_details")?
        .entry("image_tokens")
        .or_insert_with(|| json!({ "type": ["integer", "null"] }));
    Ok(())
}
