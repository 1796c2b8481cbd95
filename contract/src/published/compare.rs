//! Compares our schemas with the published description, structurally.
//!
//! For every operation of ours, the request, the JSON answer, the SSE chunk and the error body
//! are compared with what the published description declares for that operation (resolving its
//! `$ref`s, `allOf`s and alternatives). The rule: **everything our schemas state must agree
//! with the published description, and ours must require at least what it requires.** In detail,
//! at every node we describe:
//!
//! * every property we declare exists there (in `properties`, or under an
//!   `additionalProperties` schema), and is compared recursively;
//! * our types are allowed by its types (`integer` fits `number`);
//! * every enum/const value we allow is in its enum; where it has an enum, we state one too;
//! * every field it requires is required by ours (for `code or availability`-style `anyOf`s of
//!   `required`, every way ours can be satisfied satisfies it);
//! * its `minLength`/`minItems`/`minimum` (and the `max…` ones), `pattern` and `uniqueItems`
//!   are stated by ours, at least as tight;
//! * an alternative of ours (`anyOf`/`oneOf`, or one of several types) fits one of its
//!   alternatives;
//! * every status we accept is declared for the operation.
//!
//! What we leave undescribed (a property we don't declare, an array whose items we don't
//! describe) is not compared. Finally, every schema of ours must have been reached.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::{Contract, ERROR_SCHEMA, SCHEMA_BASE};

/// What [`compare`] found.
#[derive(Debug, Default)]
pub struct Report {
    /// Disagreements; empty when our schemas agree with the description.
    pub problems: Vec<String>,
    /// What was compared with what, one line each.
    pub compared: Vec<String>,
}

impl Report {
    /// No disagreements.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Compares every operation of `ours` with the published description `theirs` (an OpenAPI 3.1
/// document as JSON; normally [`super::Published::document`], i.e. with the gap overlays).
#[must_use]
pub fn compare(ours: &Contract, theirs: &Value) -> Report {
    let mut c = Comparer {
        ours: ours.documents().collect(),
        theirs,
        visited: BTreeSet::new(),
    };
    let mut report = Report::default();
    for op in ours.operations() {
        let method = op.method.to_ascii_lowercase();
        let label = format!("{} {}", op.method, op.path);
        let Some(item) = theirs
            .get("paths")
            .and_then(|p| p.get(op.path))
            .and_then(|i| i.get(&method))
            .filter(|o| o.is_object())
        else {
            report
                .problems
                .push(format!("{label}: not in the published description"));
            continue;
        };
        // (our schema, the published one, what it is, the problem when it is missing)
        let mut pairs: Vec<(&str, Option<&Value>, String, String)> = Vec::new();
        if let Some(name) = op.request {
            pairs.push((
                name,
                item.pointer("/requestBody/content/application~1json/schema"),
                "request".into(),
                "the published description declares no JSON request body".into(),
            ));
        }
        pairs.push((
            op.ok,
            item.pointer("/responses/200/content/application~1json/schema"),
            "200".into(),
            "the published description declares no JSON 200 answer".into(),
        ));
        if let Some(name) = op.stream {
            let data = item
                .pointer("/responses/200/content/text~1event-stream/schema")
                .and_then(|s| c.deref_theirs(s).get("properties"))
                .and_then(|p| p.get("data"));
            pairs.push((
                name,
                data,
                "200 event-stream data".into(),
                "the published description declares no text/event-stream `data` for 200".into(),
            ));
        }
        for status in op.errors {
            let Some(declared) = item
                .get("responses")
                .and_then(|r| r.get(status.to_string()))
            else {
                report.problems.push(format!(
                    "{label}: we accept status {status}; the published description declares no such answer"
                ));
                continue;
            };
            pairs.push((
                ERROR_SCHEMA,
                declared.pointer("/content/application~1json/schema"),
                status.to_string(),
                format!("the published description declares no JSON body for {status}"),
            ));
        }
        for (name, theirs, what, missing) in pairs {
            let Some(theirs) = theirs else {
                report.problems.push(format!("{label}: {missing}"));
                continue;
            };
            let at = format!("{label} {what}");
            report.compared.push(format!(
                "{at}: our {name} with the published {}",
                describe(theirs)
            ));
            c.compare_named(ours, name, theirs, &at, &mut report.problems);
        }
    }
    for (file, doc) in ours.documents() {
        for name in doc
            .get("$defs")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            if !c.visited.contains(&(file.to_owned(), name.clone())) {
                report.problems.push(format!(
                    "our schema {file}#/$defs/{name} is not used by any operation, so it was not compared"
                ));
            }
        }
    }
    report
}

fn describe(t: &Value) -> String {
    match t.get("$ref").and_then(Value::as_str) {
        Some(r) => r.trim_start_matches("#/components/schemas/").to_owned(),
        None => "inline schema".to_owned(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Theirs,
}

/// A schema and the document it is in (our file name; empty for theirs).
#[derive(Clone, Copy)]
struct Node<'a> {
    file: &'a str,
    schema: &'a Value,
}

struct Comparer<'a> {
    ours: BTreeMap<&'a str, &'a Value>,
    theirs: &'a Value,
    /// Our `$defs` reached: (file, name).
    visited: BTreeSet<(String, String)>,
}

/// The constraints of one alternative (a conjunction of schema nodes), merged.
#[derive(Default)]
struct View<'a> {
    types: Option<BTreeSet<&'a str>>,
    values: Option<Vec<&'a Value>>,
    props: BTreeMap<&'a str, Vec<Node<'a>>>,
    /// Per node with `additionalProperties`: the names it declares, and `None` for `false` or
    /// the schema of the other properties.
    additional: Vec<(BTreeSet<&'a str>, Option<Node<'a>>)>,
    required: BTreeSet<&'a str>,
    /// `anyOf`s whose branches only list `required` names.
    required_groups: Vec<Vec<BTreeSet<&'a str>>>,
    items: Vec<Node<'a>>,
    lower: BTreeMap<&'static str, f64>,
    upper: BTreeMap<&'static str, f64>,
    patterns: Vec<&'a str>,
    unique_items: bool,
}

const LOWER: &[(&str, &str)] = &[
    ("minimum", "number"),
    ("minLength", "string"),
    ("minItems", "array"),
];
const UPPER: &[(&str, &str)] = &[
    ("maximum", "number"),
    ("maxLength", "string"),
    ("maxItems", "array"),
];

/// Past this depth of `$ref`/`allOf`/`anyOf` nesting a node is taken as it is.
const MAX_DEPTH: usize = 32;

impl<'a> Comparer<'a> {
    fn compare_named(
        &mut self,
        ours: &'a Contract,
        name: &str,
        t: &'a Value,
        at: &str,
        out: &mut Vec<String>,
    ) {
        let Some((file, schema)) = ours.schema(name) else {
            out.push(format!("{at}: our schema {name} does not exist"));
            return;
        };
        self.visited.insert((file.to_owned(), name.to_owned()));
        let o = Node { file, schema };
        let t = Node {
            file: "",
            schema: t,
        };
        self.compare(o, t, &format!("{at} ({name})"), out);
    }

    /// Follows `$ref`s of a published node (for reading one keyword of it).
    fn deref_theirs(&self, mut v: &'a Value) -> &'a Value {
        for _ in 0..MAX_DEPTH {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                break;
            };
            match self.resolve(
                Side::Theirs,
                Node {
                    file: "",
                    schema: v,
                },
                r,
            ) {
                Some(n) => v = n.schema,
                None => break,
            }
        }
        v
    }

    fn resolve(&self, side: Side, from: Node<'a>, reference: &str) -> Option<Node<'a>> {
        let (doc, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        match side {
            Side::Theirs => {
                if !doc.is_empty() {
                    return None;
                }
                let schema = self.theirs.pointer(fragment)?;
                Some(Node { file: "", schema })
            }
            Side::Ours => {
                let doc = doc.strip_prefix(SCHEMA_BASE).unwrap_or(doc);
                let file = if doc.is_empty() { from.file } else { doc };
                let (&file, root) = self.ours.get_key_value(file)?;
                let schema = root.pointer(fragment)?;
                Some(Node { file, schema })
            }
        }
    }

    /// The node as a disjunction of conjunctions: `$ref` and `allOf` are followed, each
    /// `anyOf`/`oneOf` branch (other than a `required`-only one) is an alternative.
    fn alternatives(
        &mut self,
        side: Side,
        node: Node<'a>,
        depth: usize,
        out: &mut Vec<String>,
    ) -> Vec<Vec<Node<'a>>> {
        let Some(obj) = node.schema.as_object() else {
            return vec![vec![node]];
        };
        let mut alts = vec![vec![node]];
        if depth > MAX_DEPTH {
            return alts;
        }
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            match self.resolve(side, node, r) {
                Some(target) => {
                    if side == Side::Ours
                        && let Some(name) = r.split_once("#/$defs/").map(|(_, n)| n)
                    {
                        self.visited
                            .insert((target.file.to_owned(), name.to_owned()));
                    }
                    let inner = self.alternatives(side, target, depth + 1, out);
                    alts = product(&alts, &inner);
                }
                None => out.push(format!(
                    "cannot resolve $ref {r} in {}",
                    if side == Side::Ours {
                        "our schemas"
                    } else {
                        "the published description"
                    }
                )),
            }
        }
        if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
            for part in parts {
                let inner = self.alternatives(
                    side,
                    Node {
                        schema: part,
                        ..node
                    },
                    depth + 1,
                    out,
                );
                alts = product(&alts, &inner);
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            let Some(branches) = obj.get(keyword).and_then(Value::as_array) else {
                continue;
            };
            if required_only(branches) {
                continue;
            }
            let mut union = Vec::new();
            for b in branches {
                union.extend(self.alternatives(side, Node { schema: b, ..node }, depth + 1, out));
            }
            alts = product(&alts, &union);
        }
        alts
    }

    fn compare(&mut self, o: Node<'a>, t: Node<'a>, at: &str, out: &mut Vec<String>) {
        let ours = self.alternatives(Side::Ours, o, 0, out);
        let theirs = self.alternatives(Side::Theirs, t, 0, out);
        let theirs: Vec<View<'a>> = theirs.iter().map(|a| view(a)).collect();
        for alternative in &ours {
            let ov = view(alternative);
            let splits: Vec<Option<&str>> = match &ov.types {
                Some(types) if types.len() > 1 && theirs.len() > 1 => {
                    types.iter().map(|t| Some(*t)).collect()
                }
                _ => vec![None],
            };
            for only in splits {
                let mut best: Option<Vec<String>> = None;
                for tv in &theirs {
                    let mut found = Vec::new();
                    self.check(&ov, only, tv, at, &mut found);
                    let fits = found.is_empty();
                    if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                        best = Some(found);
                    }
                    if fits {
                        break;
                    }
                }
                let Some(best) = best else { continue };
                if !best.is_empty() && theirs.len() > 1 {
                    out.push(format!(
                        "{at}: fits none of the {} published alternatives; the closest one differs in:",
                        theirs.len()
                    ));
                }
                out.extend(best);
            }
        }
    }

    /// Checks one alternative of ours (restricted to one type when `only` is set) against one
    /// published alternative.
    fn check(
        &mut self,
        o: &View<'a>,
        only: Option<&'a str>,
        t: &View<'a>,
        at: &str,
        out: &mut Vec<String>,
    ) {
        static NULL: Value = Value::Null;
        let types: Option<BTreeSet<&str>> = match only {
            Some(x) => Some(BTreeSet::from([x])),
            None => o.types.clone(),
        };
        let values: Option<Vec<&Value>> = match (&o.values, only) {
            (Some(vs), Some(x)) => Some(vs.iter().copied().filter(|v| type_of(v) == x).collect()),
            (Some(vs), None) => Some(vs.clone()),
            (None, Some("null")) => Some(vec![&NULL]),
            (None, _) => None,
        };
        if let Some(tt) = &t.types {
            match &types {
                None => out.push(format!(
                    "{at}: ours states no type; the published schema allows {}",
                    join(tt)
                )),
                Some(ot) => {
                    for x in ot.iter().filter(|x| !fits_types(x, tt)) {
                        out.push(format!(
                            "{at}: type {x} is not allowed by the published schema ({})",
                            join(tt)
                        ));
                    }
                }
            }
        }
        if let Some(allowed) = &t.values {
            match &values {
                None => out.push(format!(
                    "{at}: ours allows any value; the published schema allows only {}",
                    show_values(allowed)
                )),
                Some(vs) => {
                    for v in vs.iter().filter(|v| !allowed.contains(v)) {
                        out.push(format!(
                            "{at}: value {v} is not allowed by the published schema (allowed: {})",
                            show_values(allowed)
                        ));
                    }
                }
            }
        }
        let applies = |kind: &str| {
            types.as_ref().is_none_or(|ts| {
                ts.iter()
                    .any(|x| *x == kind || (kind == "number" && *x == "integer"))
            })
        };
        if values.is_none() {
            for (limits, ours_limits, theirs_limits, tighter, bound) in [
                (LOWER, &o.lower, &t.lower, true, "at least"),
                (UPPER, &o.upper, &t.upper, false, "at most"),
            ] {
                for &(keyword, kind) in limits {
                    let Some(&theirs) = theirs_limits.get(keyword) else {
                        continue;
                    };
                    if !applies(kind) {
                        continue;
                    }
                    let ok = ours_limits
                        .get(keyword)
                        .is_some_and(|&v| if tighter { v >= theirs } else { v <= theirs });
                    if !ok {
                        let stated = ours_limits
                            .get(keyword)
                            .map_or("states none".to_owned(), |v| format!("has {v}"));
                        out.push(format!(
                            "{at}: the published schema has {keyword} {theirs}; ours {stated} (must be {bound} {theirs})"
                        ));
                    }
                }
            }
            if applies("string") {
                for p in t.patterns.iter().filter(|p| !o.patterns.contains(p)) {
                    out.push(format!(
                        "{at}: the published schema has pattern {p:?}; ours does not"
                    ));
                }
            }
        }
        if t.unique_items && applies("array") && !o.unique_items {
            out.push(format!(
                "{at}: the published schema has uniqueItems; ours does not"
            ));
        }
        if applies("object") {
            self.check_object(o, t, at, out);
        }
        if applies("array") {
            for oi in &o.items {
                for ti in &t.items {
                    self.compare(*oi, *ti, &format!("{at}[]"), out);
                }
            }
        }
    }

    fn check_object(&mut self, o: &View<'a>, t: &View<'a>, at: &str, out: &mut Vec<String>) {
        for required in required_alternatives(o) {
            let mut missing: Vec<&&str> = t.required.difference(&required).collect();
            missing.sort();
            for name in missing {
                out.push(format!(
                    "{at}: `{name}` is required by the published schema but not by ours"
                ));
            }
            for group in &t.required_groups {
                if !group.iter().any(|g| g.is_subset(&required)) {
                    let options: Vec<String> = group.iter().map(join).collect();
                    out.push(format!(
                        "{at}: the published schema requires one of [{}]; ours can be satisfied by [{}] alone",
                        options.join("] or ["),
                        join(&required)
                    ));
                }
            }
        }
        for (name, nodes) in &o.props {
            let here = format!("{at}.{name}");
            let mut declared: Vec<Node<'a>> = t.props.get(name).cloned().unwrap_or_default();
            let mut forbidden = false;
            for (names, other) in &t.additional {
                if !names.contains(name) {
                    match other {
                        None => forbidden = true,
                        Some(schema) => declared.push(*schema),
                    }
                }
            }
            if forbidden {
                out.push(format!(
                    "{here}: the published schema forbids this property"
                ));
            } else if declared.is_empty() {
                out.push(format!(
                    "{here}: this property is not declared by the published schema"
                ));
            } else {
                for ours in nodes {
                    for theirs in &declared {
                        self.compare(*ours, *theirs, &here, out);
                    }
                }
            }
        }
        let ours_closed = o.additional.iter().any(|(_, other)| other.is_none());
        if !ours_closed {
            for (_, theirs) in &t.additional {
                match theirs {
                    None => out.push(format!(
                        "{at}: the published schema allows no other properties; ours is open"
                    )),
                    Some(theirs) => {
                        for (_, ours) in &o.additional {
                            if let Some(ours) = ours {
                                self.compare(*ours, *theirs, &format!("{at}.*"), out);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Every combination of a's and b's conjunctions.
fn product<'a>(a: &[Vec<Node<'a>>], b: &[Vec<Node<'a>>]) -> Vec<Vec<Node<'a>>> {
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut both = x.clone();
            both.extend(y.iter().copied());
            out.push(both);
        }
    }
    out
}

/// `anyOf: [{required: [...]}, …]`: a constraint on presence, not alternative shapes.
fn required_only(branches: &[Value]) -> bool {
    !branches.is_empty()
        && branches.iter().all(|b| {
            b.as_object().is_some_and(|o| {
                o.contains_key("required")
                    && o.keys()
                        .all(|k| matches!(k.as_str(), "required" | "description" | "$comment"))
            })
        })
}

fn names(v: Option<&Value>) -> BTreeSet<&str> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Merges the keywords of a conjunction of nodes (the `$ref`/`allOf`/`anyOf`/`oneOf` of each
/// node were already expanded by `alternatives`).
fn view<'a>(nodes: &[Node<'a>]) -> View<'a> {
    let mut v = View::default();
    for node in nodes {
        let Some(obj) = node.schema.as_object() else {
            continue;
        };
        let mut node_types: Option<BTreeSet<&str>> = match obj.get("type") {
            Some(Value::String(s)) => Some(BTreeSet::from([s.as_str()])),
            Some(Value::Array(a)) => Some(a.iter().filter_map(Value::as_str).collect()),
            _ => None,
        };
        let node_values: Option<Vec<&Value>> = match (obj.get("const"), obj.get("enum")) {
            (Some(c), _) => Some(vec![c]),
            (None, Some(Value::Array(e))) => Some(e.iter().collect()),
            _ => None,
        };
        if node_types.is_none()
            && let Some(vals) = &node_values
        {
            node_types = Some(vals.iter().map(|x| type_of(x)).collect());
        }
        if let Some(nt) = node_types {
            v.types = Some(match v.types.take() {
                None => nt,
                Some(prev) => intersect_types(&prev, &nt),
            });
        }
        if let Some(nv) = node_values {
            v.values = Some(match v.values.take() {
                None => nv,
                Some(prev) => prev.into_iter().filter(|x| nv.contains(x)).collect(),
            });
        }
        let declared: BTreeSet<&str> = obj
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, schema)| {
                v.props
                    .entry(name.as_str())
                    .or_default()
                    .push(Node { schema, ..*node });
                name.as_str()
            })
            .collect();
        match obj.get("additionalProperties") {
            Some(Value::Bool(false)) => v.additional.push((declared, None)),
            Some(schema @ Value::Object(_)) => {
                v.additional
                    .push((declared, Some(Node { schema, ..*node })));
            }
            _ => {}
        }
        v.required.extend(names(obj.get("required")));
        for keyword in ["anyOf", "oneOf"] {
            if let Some(branches) = obj.get(keyword).and_then(Value::as_array)
                && required_only(branches)
            {
                v.required_groups
                    .push(branches.iter().map(|b| names(b.get("required"))).collect());
            }
        }
        if let Some(items @ Value::Object(_)) = obj.get("items") {
            v.items.push(Node {
                schema: items,
                ..*node
            });
        }
        for &(keyword, _) in LOWER {
            if let Some(n) = obj.get(keyword).and_then(Value::as_f64) {
                let e = v.lower.entry(keyword).or_insert(n);
                *e = e.max(n);
            }
        }
        for &(keyword, _) in UPPER {
            if let Some(n) = obj.get(keyword).and_then(Value::as_f64) {
                let e = v.upper.entry(keyword).or_insert(n);
                *e = e.min(n);
            }
        }
        if let Some(p) = obj.get("pattern").and_then(Value::as_str) {
            v.patterns.push(p);
        }
        if obj.get("uniqueItems") == Some(&Value::Bool(true)) {
            v.unique_items = true;
        }
    }
    v
}

/// Every set of names that satisfies the view's `required` and `required`-only `anyOf`s.
fn required_alternatives<'a>(v: &View<'a>) -> Vec<BTreeSet<&'a str>> {
    let mut out = vec![v.required.clone()];
    for group in &v.required_groups {
        let mut next = Vec::new();
        for base in &out {
            for option in group {
                next.push(base.union(option).copied().collect());
            }
        }
        out = next;
    }
    out
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn fits_types(x: &str, allowed: &BTreeSet<&str>) -> bool {
    allowed.contains(x) || (x == "integer" && allowed.contains("number"))
}

fn intersect_types<'a>(a: &BTreeSet<&'a str>, b: &BTreeSet<&'a str>) -> BTreeSet<&'a str> {
    a.iter()
        .filter(|x| fits_types(x, b))
        .chain(b.iter().filter(|x| fits_types(x, a)))
        .copied()
        .collect()
}

fn join(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(", ")
}

fn show_values(values: &[&Value]) -> String {
    let shown: Vec<String> = values.iter().map(ToString::to_string).collect();
    shown.join(", ")
}
