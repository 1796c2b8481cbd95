//! The app's module graph, read from its sources: which top-level module of
//! `src/` names which other (`crate::…` paths). `cargo xtask modules` prints
//! it; a test holds it to the one-way rule of docs/architecture.md:
//! `components → state → {api, storage} → generation`, never back, with
//! `json`, `lazy`, `order`, `perf`, `shell` and `i18n` as leaves anyone may use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each layer may name (besides itself). Downward edges that skip a
/// layer are fine (a component may show a `generation` type); upward or
/// sideways ones are not.
const ALLOWED: &[(&str, &[&str])] = &[
    (
        "app",
        &[
            "components",
            "state",
            "api",
            "generation",
            "json",
            "lazy",
            "order",
            "perf",
            "shell",
            "i18n",
        ],
    ),
    (
        "components",
        &[
            "state",
            "generation",
            "json",
            "lazy",
            "order",
            "perf",
            "shell",
            "i18n",
        ],
    ),
    (
        "state",
        &[
            "api",
            "storage",
            "generation",
            "json",
            "lazy",
            "order",
            "perf",
            "shell",
            "i18n",
        ],
    ),
    (
        "api",
        &["generation", "json", "lazy", "order", "perf", "i18n"],
    ),
    (
        "storage",
        &["generation", "json", "lazy", "order", "perf", "i18n"],
    ),
    // The domain's words (a job's state) come from the catalogues too.
    ("generation", &["i18n"]),
    // `order` (sorting, string sets) is the bottom leaf: the JSON reader uses its set.
    ("json", &["order"]),
    // Its message when a part cannot load.
    ("lazy", &["i18n"]),
    ("order", &[]),
    ("perf", &[]),
    ("shell", &[]),
    ("i18n", &[]),
];

/// Crates a layer must not use: the domain is pure, the API layer has no UI types.
const FORBIDDEN_CRATES: &[(&str, &[&str])] = &[
    (
        "generation",
        &["leptos", "web_sys", "js_sys", "wasm_bindgen"],
    ),
    ("api", &["leptos"]),
    ("storage", &["leptos"]),
];

const MODULES: [&str; 12] = [
    "app",
    "components",
    "state",
    "api",
    "storage",
    "generation",
    "json",
    "lazy",
    "order",
    "perf",
    "shell",
    "i18n",
];

/// Top-level module → the other top-level modules it names.
pub fn graph(src: &Path) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut edges = BTreeMap::new();
    for (module, text) in sources(src)? {
        let named = edges.entry(module.clone()).or_insert_with(BTreeSet::new);
        for target in MODULES {
            if target != module && text.contains(&format!("crate::{target}")) {
                named.insert(target.to_owned());
            }
        }
        for (layer, crates) in FORBIDDEN_CRATES {
            for krate in *crates {
                if module == *layer && mentions_crate(&text, krate) {
                    named.insert(format!("crate {krate}"));
                }
            }
        }
    }
    Ok(edges)
}

/// Every edge the rule does not allow, as "from → to".
pub fn violations(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (from, targets) in graph {
        let allowed = ALLOWED
            .iter()
            .find(|(m, _)| m == from)
            .map_or(&[][..], |(_, a)| *a);
        for to in targets {
            if !allowed.contains(&to.as_str()) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    wrong
}

/// `cargo xtask modules`: the graph, one line per module, and the verdict.
pub fn print(src: &Path) -> Result<(), String> {
    let graph = graph(src)?;
    for (from, targets) in &graph {
        let list: Vec<&str> = targets.iter().map(String::as_str).collect();
        println!(
            "{from:<11} → {}",
            if list.is_empty() {
                "(nothing)".into()
            } else {
                list.join(", ")
            }
        );
    }
    let wrong = violations(&graph);
    if wrong.is_empty() {
        println!(
            "one-way: every edge points down (components → state → {{api, storage}} → generation)"
        );
        Ok(())
    } else {
        Err(format!(
            "modules that name what they must not: {}",
            wrong.join("; ")
        ))
    }
}

/// (top-level module, all its source text) for every `.rs` file under `src`,
/// comments included only as code (line comments are dropped).
fn sources(src: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{dir:?}: {e}"))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).map_err(|e| e.to_string())?;
            let top = relative
                .components()
                .next()
                .map(|c| {
                    c.as_os_str()
                        .to_string_lossy()
                        .trim_end_matches(".rs")
                        .to_owned()
                })
                .unwrap_or_default();
            if top == "lib" || top == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path:?}: {e}"))?;
            let code: String = text
                .lines()
                .map(|line| line.split("//").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n");
            out.push((top, code));
        }
    }
    Ok(out)
}

fn mentions_crate(code: &str, krate: &str) -> bool {
    [format!("{krate}::"), format!("use {krate}")]
        .iter()
        .any(|pattern| {
            code.match_indices(pattern.as_str()).any(|(at, _)| {
                // Not the tail of a longer path such as `crate::lazy::…`.
                !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
            })
        })
}

#[cfg(test)]
mod tests {
    use super::{graph, violations};
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn the_app_depends_one_way() {
        let src = crate::root().join("src");
        let graph = graph(&src).unwrap();
        assert!(graph.contains_key("components") && graph.contains_key("generation"));
        assert_eq!(violations(&graph), Vec::<String>::new());
    }

    #[test]
    fn an_edge_back_up_is_reported() {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        graph.insert(
            "api".into(),
            ["storage".to_owned(), "generation".to_owned()].into(),
        );
        graph.insert("generation".into(), ["crate leptos".to_owned()].into());
        assert_eq!(
            violations(&graph),
            vec![
                "api → storage".to_owned(),
                "generation → crate leptos".to_owned()
            ]
        );
    }
}
