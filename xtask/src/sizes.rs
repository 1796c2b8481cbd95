//! The size table of `cargo xtask bench`: every file a first visit loads,
//! raw, gzip -9 and brotli q11.

use std::io::Write;
use std::path::Path;

/// First-load budget of the foundation issue, brotli.
const FIRST_LOAD_BUDGET_BYTES: usize = 100 * 1024;

pub fn print_table(dist: &Path) -> Result<(), String> {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("{dist:?}: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let mut totals = (0, 0, 0);
    for path in files {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let (raw, gz, br) = (bytes.len(), gzip(&bytes), brotli(&bytes));
        totals = (totals.0 + raw, totals.1 + gz, totals.2 + br);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!("{name:<44} {raw:>10} {gz:>10} {br:>10}");
    }
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "first-load total", totals.0, totals.1, totals.2
    );
    let verdict = if totals.2 <= FIRST_LOAD_BUDGET_BYTES {
        "within"
    } else {
        "OVER"
    };
    println!(
        "first_load_brotli_bytes={} budget={} ({verdict} budget)",
        totals.2, FIRST_LOAD_BUDGET_BYTES
    );
    Ok(())
}

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = encoder.write_all(bytes);
    encoder.finish().map(|v| v.len()).unwrap_or(0)
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out.len()
}
