//! `BENCHMARKS.md`: what the last `cargo xtask bench` measured, with the
//! budgets and a PASS/FAIL for each.

use crate::sizes::{FIRST_LOAD_BUDGET, TOTAL_BUDGET, Totals};

/// The first thumbnail after a reload with 1,000 stored images.
const FIRST_THUMBNAIL_BUDGET_MS: f64 = 150.0;

/// The report for sizes `sizes` and the bench binary's output `lines`.
pub fn report(sizes: &Totals, lines: &[String], runs: &str) -> String {
    let mut gates: Vec<(String, String, String, bool)> = Vec::new();
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    gates.push((
        "first load, brotli".into(),
        format!("{} B", sizes.first_load),
        format!("≤ {FIRST_LOAD_BUDGET} B"),
        sizes.first_load <= FIRST_LOAD_BUDGET,
    ));
    gates.push((
        "all app files, brotli".into(),
        format!("{} B", sizes.all),
        format!("≤ {TOTAL_BUDGET} B"),
        sizes.all <= TOTAL_BUDGET,
    ));
    for line in lines {
        // `name … ratio=1.23 budget=1.50 PASS` and `lighthouse_x score=… budget=… PASS`.
        let verdict_word = line.rsplit(' ').next().unwrap_or_default();
        if verdict_word != "PASS" && verdict_word != "FAIL" {
            continue;
        }
        let value = field(line, "ratio")
            .map(|r| format!("{r}×"))
            .or_else(|| field(line, "score"))
            .or_else(|| field(line, "value").map(|v| format!("{v} ms")))
            .unwrap_or_default();
        let budget = field(line, "budget").unwrap_or_default();
        let name = line
            .split(' ')
            .take_while(|w| {
                !w.starts_with("ratio=") && !w.starts_with("score=") && !w.starts_with("value=")
            })
            .collect::<Vec<_>>()
            .join(" ");
        gates.push((name, value, budget, verdict_word == "PASS"));
    }
    if let Some(line) = lines
        .iter()
        .find(|l| l.starts_with("gallery_first_thumbnail_ms images=1000"))
        && let Some(median) = field(line, "median").and_then(|m| m.parse::<f64>().ok())
    {
        gates.push((
            "first thumbnail after a reload, 1,000 images (median)".into(),
            format!("{median:.0} ms"),
            format!("≤ {FIRST_THUMBNAIL_BUDGET_MS:.0} ms"),
            median <= FIRST_THUMBNAIL_BUDGET_MS,
        ));
    }

    let mut out = String::from(
        "# Benchmarks\n\nWritten by `cargo xtask bench` (release build, headless Chromium, loopback; \
         medians over the runs). Timings move with the machine's load: compare runs made on the \
         same machine, one after another.\n\n",
    );
    out.push_str(&format!("Runs per timing: {runs}.\n\n## Budgets\n\n| figure | measured | budget | |\n|---|---|---|---|\n"));
    for (name, value, budget, ok) in &gates {
        out.push_str(&format!(
            "| {name} | {value} | {budget} | {} |\n",
            verdict(*ok)
        ));
    }
    out.push_str("\n## Sizes\n\n```text\n");
    out.push_str(&sizes.table);
    out.push_str("```\n\n## Raw figures\n\n```text\n");
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("```\n");
    out
}

/// `value` of the first ` name=value` in `line`.
fn field(line: &str, name: &str) -> Option<String> {
    line.split(' ')
        .find_map(|w| w.strip_prefix(&format!("{name}=")))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::sizes::Totals;

    #[test]
    fn every_budget_line_gets_a_verdict() {
        let sizes = Totals {
            first_load: 90_000,
            all: 400_000,
            table: "file raw\n".into(),
        };
        let lines: Vec<String> = [
            "cold_load_ratio ratio=1.23 budget=1.50 PASS",
            "image_display_ratio mode=streamed ratio=1.40 budget=1.10 FAIL",
            "lighthouse_performance score=97 budget=100 FAIL",
            "gallery_first_thumbnail_ms images=1000 median=120.0 min=100.0 max=130.0 runs=7",
            "noise without a verdict",
        ]
        .map(String::from)
        .to_vec();
        let text = report(&sizes, &lines, "7");
        assert!(
            text.contains("| first load, brotli | 90000 B | ≤ 102400 B | PASS |"),
            "{text}"
        );
        assert!(text.contains("| all app files, brotli | 400000 B | ≤ 307200 B | FAIL |"));
        assert!(text.contains("| cold_load_ratio | 1.23× | 1.50 | PASS |"));
        assert!(text.contains("| image_display_ratio mode=streamed | 1.40× | 1.10 | FAIL |"));
        assert!(text.contains("| lighthouse_performance | 97 | 100 | FAIL |"));
        assert!(text.contains(
            "first thumbnail after a reload, 1,000 images (median) | 120 ms | ≤ 150 ms | PASS"
        ));
        assert!(
            text.contains("noise without a verdict"),
            "raw figures keep every line"
        );
    }
}
