//! The size table: every file of `dist/`, raw, gzip -9 and brotli q11, with
//! the first load (what a visit fetches until the app runs) apart from
//! the parts that load when needed, checked against the budgets.

use std::io::Write;

use crate::build::Built;

/// Everything fetched until the app runs, brotli.
pub const FIRST_LOAD_BUDGET: usize = 100 * 1024;
/// All app files together, brotli.
pub const TOTAL_BUDGET: usize = 300 * 1024;

/// Brotli totals of one build, and the table as printed.
pub struct Totals {
    pub first_load: usize,
    pub all: usize,
    pub table: String,
}

impl Totals {
    /// An error naming each budget that is exceeded.
    pub fn check(&self) -> Result<(), String> {
        let mut over = Vec::new();
        if self.first_load > FIRST_LOAD_BUDGET {
            over.push(format!(
                "the first load is {} bytes brotli, over its budget of {FIRST_LOAD_BUDGET}",
                self.first_load
            ));
        }
        if self.all > TOTAL_BUDGET {
            over.push(format!(
                "all app files are {} bytes brotli, over their budget of {TOTAL_BUDGET}",
                self.all
            ));
        }
        if over.is_empty() {
            Ok(())
        } else {
            Err(format!("size gate: {}", over.join("; ")))
        }
    }
}

/// The tables of every language's build; the totals of each, English first.
pub fn print_all(built: &Built) -> Result<Vec<(String, Totals)>, String> {
    let mut all = Vec::new();
    for build in std::iter::once(built).chain(&built.translations) {
        println!("-- the {} build ({})", build.lang, build.dist.display());
        all.push((build.lang.clone(), print_table(build)?));
    }
    Ok(all)
}

/// Prints every language's table; fails when any build is over a budget
/// (each language is a visitor's whole download: nobody fetches two).
pub fn check_all(built: &Built) -> Result<(), String> {
    for (lang, totals) in print_all(built)? {
        totals
            .check()
            .map_err(|e| format!("the {lang} build: {e}"))?;
    }
    Ok(())
}

/// Prints the table and returns the totals.
pub fn print_table(built: &Built) -> Result<Totals, String> {
    let mut out = String::new();
    let totals = table(built, &mut out)?;
    print!("{out}");
    Ok(Totals {
        table: out,
        ..totals
    })
}

fn table(built: &Built, out: &mut String) -> Result<Totals, String> {
    use std::fmt::Write as _;
    macro_rules! println {
        ($($arg:tt)*) => {{ let _ = writeln!(out, $($arg)*); }};
    }
    let mut files: Vec<_> = std::fs::read_dir(&built.dist)
        .map_err(|e| format!("{:?}: {e}", built.dist))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let first = built.first_load.contains(&name);
        rows.push((first, name, bytes.len(), gzip(&bytes), brotli(&bytes)));
    }
    // First-load files first, then the parts, biggest first.
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.4.cmp(&a.4)));
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let mut first = (0, 0, 0);
    let mut all = (0, 0, 0);
    let mut heading = None;
    for (is_first, name, raw, gz, br) in &rows {
        if heading != Some(*is_first) {
            heading = Some(*is_first);
            println!(
                "{}",
                if *is_first {
                    "-- first load (fetched until the app runs)"
                } else {
                    "-- parts loaded when needed"
                }
            );
        }
        println!("{name:<52} {raw:>10} {gz:>10} {br:>10}");
        all = (all.0 + raw, all.1 + gz, all.2 + br);
        if *is_first {
            first = (first.0 + raw, first.1 + gz, first.2 + br);
        }
    }
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        "first-load total", first.0, first.1, first.2
    );
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        "all app files", all.0, all.1, all.2
    );
    let verdict = |value: usize, budget: usize| if value <= budget { "PASS" } else { "FAIL" };
    println!(
        "first_load_brotli_bytes={} budget={FIRST_LOAD_BUDGET} {}",
        first.2,
        verdict(first.2, FIRST_LOAD_BUDGET)
    );
    println!(
        "all_files_brotli_bytes={} budget={TOTAL_BUDGET} {}",
        all.2,
        verdict(all.2, TOTAL_BUDGET)
    );
    Ok(Totals {
        first_load: first.2,
        all: all.2,
        table: String::new(),
    })
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

#[cfg(test)]
mod tests {
    use super::{FIRST_LOAD_BUDGET, TOTAL_BUDGET, Totals};

    #[test]
    fn the_gate_fails_on_either_budget() {
        let fits = Totals {
            first_load: FIRST_LOAD_BUDGET,
            all: TOTAL_BUDGET,
            table: String::new(),
        };
        assert!(fits.check().is_ok());
        let heavy_start = Totals {
            first_load: FIRST_LOAD_BUDGET + 1,
            all: 1,
            table: String::new(),
        };
        assert!(heavy_start.check().unwrap_err().contains("first load"));
        let heavy_total = Totals {
            first_load: 1,
            all: TOTAL_BUDGET + 1,
            table: String::new(),
        };
        assert!(heavy_total.check().unwrap_err().contains("all app files"));
    }
}
