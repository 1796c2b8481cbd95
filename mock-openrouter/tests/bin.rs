//! The `mock-openrouter` binary: prints its base URL and serves until killed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_base_url_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-openrouter"))
        .args(["--port", "0", "--delay-ms", "0", "--image-mime", "jpeg"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let base = line
        .trim()
        .strip_prefix("mock OpenRouter listening on ")
        .unwrap_or_else(|| panic!("unexpected banner {line:?}"))
        .to_string();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v1"),
        "{base}"
    );

    let result = async {
        let resp = reqwest::Client::new()
            .post(format!("{base}/chat/completions"))
            .bearer_auth(mock_openrouter::DEMO_KEY)
            .json(&serde_json::json!({
                "model": "black-forest-labs/flux.2-klein-4b",
                "messages": [{"role": "user", "content": "from the binary"}],
                "modalities": ["image"],
            }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let v: serde_json::Value = resp.json().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(v["choices"][0]["message"]["images"][0]["image_url"]["url"].clone())
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    let url = result.expect("request to the binary");
    assert!(
        url.as_str()
            .is_some_and(|u| u.starts_with("data:image/jpeg;base64,")),
        "{url}"
    );

    let bad = Command::new(env!("CARGO_BIN_EXE_mock-openrouter"))
        .args(["--image-mime", "webp"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}
