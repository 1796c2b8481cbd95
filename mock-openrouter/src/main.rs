//! `mock-openrouter [--port 8787] [--host 127.0.0.1] [--large-images] [--delay-ms N]
//! [--image-mime png|jpeg]`: serves the mock until killed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use mock_openrouter::{ImageMime, MockConfig, MockServer};

const USAGE: &str = "usage: mock-openrouter [--port 8787] [--host 127.0.0.1] [--large-images] \
                     [--delay-ms N] [--image-mime png|jpeg]";

fn parse_args() -> Result<(SocketAddr, MockConfig), String> {
    let mut port: u16 = 8787;
    // Loopback only unless asked otherwise: the mock accepts a published demo key.
    let mut host: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut config = MockConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                port = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?
            }
            "--host" => {
                host = value("--host")?
                    .parse()
                    .map_err(|e| format!("--host: {e}"))?
            }
            "--large-images" => config.large_images = true,
            "--delay-ms" => {
                config.delay_ms = value("--delay-ms")?
                    .parse()
                    .map_err(|e| format!("--delay-ms: {e}"))?
            }
            "--image-mime" => {
                config.image_mime = match value("--image-mime")?.as_str() {
                    "png" => ImageMime::Png,
                    "jpeg" | "jpg" => ImageMime::Jpeg,
                    other => return Err(format!("--image-mime: unknown format {other}")),
                }
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok((SocketAddr::new(host, port), config))
}

#[tokio::main]
async fn main() {
    let (addr, config) = match parse_args() {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let server = match MockServer::start(config, addr).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mock-openrouter: cannot bind {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("mock OpenRouter listening on {}", server.base_url());
    std::future::pending::<()>().await;
}
