//! Native tests of `Copy as cURL`: the command, run by a real shell, sends the
//! body and headers the client sends, with the key only from the environment.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::api::curl::{CurlTarget, curl_command, reference_placeholder, shell_quote};
use kleinbild::api::{chat_request, images_request};
use kleinbild::generation::{GenerationRequest, OutputFormat, Resolution, output_size};

fn request() -> GenerationRequest {
    GenerationRequest {
        model: "black-forest-labs/flux.2-klein-4b".into(),
        prompt: "It's a \"fox\" — $HOME `date` \\ !".into(),
        aspect_ratio: "3:2".into(),
        size: None,
        output_format: OutputFormat::Png,
        seed: 7,
        references: Vec::new(),
    }
}

fn target(images_api: bool, stream: bool) -> CurlTarget<'static> {
    CurlTarget {
        api_base: "https://openrouter.ai/api/v1",
        images_api,
        stream,
        page_url: "https://example.github.io/kleinbild/",
    }
}

/// Runs the command in bash with `curl` replaced by a function that prints
/// its arguments, one per NUL; returns them.
fn run_in_shell(command: &str, key: &str) -> Vec<String> {
    let script = format!("curl() {{ printf '%s\\0' \"$@\"; }}\n{command}\n");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("OPENROUTER_API_KEY", key)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\0')
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

fn arg_after(args: &[String], flag: &str) -> Vec<String> {
    args.windows(2)
        .filter(|w| w[0] == flag)
        .map(|w| w[1].clone())
        .collect()
}

#[test]
fn the_command_sends_the_exact_chat_body_and_headers_with_the_key_from_the_environment() {
    let command = curl_command(&target(false, true), &request());
    assert!(!command.contains("sk-or"), "{command}");
    let args = run_in_shell(&command, "sk-or-v1-secret");
    assert_eq!(args[0], "-sSN", "streamed answers are not buffered");
    assert_eq!(args[1], "https://openrouter.ai/api/v1/chat/completions");
    let body = arg_after(&args, "-d");
    assert_eq!(body, [chat_request(&request(), true).to_json()]);
    let headers = arg_after(&args, "-H");
    assert_eq!(
        headers,
        [
            "Authorization: Bearer sk-or-v1-secret",
            "Content-Type: application/json",
            "HTTP-Referer: https://example.github.io/kleinbild/",
            "X-OpenRouter-Title: Kleinbild",
        ]
    );
}

#[test]
fn sizes_formats_and_the_images_setting_use_the_images_api_and_references_are_left_out() {
    let mut big = request();
    big.size = output_size("3:2", Resolution::Four);
    big.output_format = OutputFormat::Jpeg;
    big.references = vec!["data:image/png;base64,AAAA".into(); 2];
    let command = curl_command(&target(false, true), &big);
    assert!(!command.contains("AAAA"), "reference data in the command");
    let args = run_in_shell(&command, "k");
    assert_eq!(args[0], "-sS", "the Images API answers in one piece");
    assert_eq!(args[1], "https://openrouter.ai/api/v1/images");
    let body: serde_json::Value = serde_json::from_str(&arg_after(&args, "-d")[0]).unwrap();
    let mut expected = big.clone();
    expected.references = vec![reference_placeholder("1"), reference_placeholder("2")];
    assert_eq!(
        body,
        serde_json::from_str::<serde_json::Value>(&images_request(&expected).to_json()).unwrap()
    );
    assert_eq!(body["size"], "2032x1360");
    // The Images API chosen in Settings: also there for 1 MP PNG.
    let args = run_in_shell(&curl_command(&target(true, true), &request()), "k");
    assert_eq!(args[1], "https://openrouter.ai/api/v1/images");
}

#[test]
fn shell_quoting_survives_any_text() {
    for text in ["", "'", "''", "a'b\"c$d`e\\f\n!g", "\u{1F98A} ünïcode"] {
        let args = run_in_shell(&format!("curl {}", shell_quote(text)), "k");
        let got = args.first().cloned().unwrap_or_default();
        assert_eq!(got, text, "{text:?}");
    }
}
