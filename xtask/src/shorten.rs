//! Short import names: wasm-bindgen names each JavaScript import of the main
//! module like `__wbg_addEventListener_5d3b2f6f2a6c0c38`. There are about 300,
//! each written twice (in the wasm import section and as a key in the glue's
//! import object), and their hashes do not compress: renaming them to `a`,
//! `b`, … `aB` in both places takes kilobytes (brotli) off the first load.

use std::collections::BTreeMap;

/// The import module whose names the glue defines (wasm-bindgen's `--out-name`).
const GLUE_MODULE: &str = "./kleinbild_bg.js";

/// Renames the main module's glue imports (and the closure exports the glue
/// calls by their mangled names) in `wasm` and in the glue `js`, and drops the
/// `producers` and `target_features` sections, which browsers ignore. Every
/// old name must occur in the glue as a whole word, or nothing changes.
pub fn shorten_imports(wasm: &[u8], js: &str) -> Result<(Vec<u8>, String), String> {
    let renames = std::cell::RefCell::new(BTreeMap::new());
    let next = std::cell::Cell::new(0);
    let rename = |name: &str| {
        let short = free_short_name(&next, js);
        renames.borrow_mut().insert(name.to_owned(), short.clone());
        Some(short)
    };
    let wasm = rewrite(
        wasm,
        &mut |kind, module, name| match kind {
            Kind::Import if module == GLUE_MODULE => rename(name),
            Kind::Export if name.starts_with("_ZN") => rename(name),
            _ => None,
        },
        true,
    )?;
    let renames = renames.into_inner();
    let mut js = js.to_owned();
    // Longest first, whole words only: no name is cut inside a longer one.
    let mut by_length: Vec<_> = renames.iter().collect();
    by_length.sort_by_key(|(old, _)| std::cmp::Reverse(old.len()));
    for (old, new) in by_length {
        let (replaced, count) = replace_word(&js, old, new);
        if count == 0 {
            return Err(format!("the glue never uses the name {old}"));
        }
        js = replaced;
    }
    Ok((wasm, js))
}

/// The module without [`DROPPED_SECTIONS`] (for the parts, whose imports and
/// exports are wasm-split's own).
pub fn drop_ignored_sections(wasm: &[u8]) -> Result<Vec<u8>, String> {
    rewrite(wasm, &mut |_, _, _| None, true)
}

/// The module without the exports whose names start with one of `prefixes`
/// (wasm-opt then removes the code only they kept alive).
pub fn drop_exports(wasm: &[u8], prefixes: &[&str]) -> Result<Vec<u8>, String> {
    rewrite(
        wasm,
        &mut |kind, _, name| {
            (kind == Kind::Export && prefixes.iter().any(|p| name.starts_with(p))).then(String::new)
        },
        false,
    )
}

/// The glue without the classes whose names start with `prefix` (their
/// `export class`, `Symbol.dispose` line and finalization registry): the
/// exports they wrap are dropped by [`drop_exports`], and their top-level
/// statements would keep them in the bundle. Fails if the name remains.
pub fn drop_glue_classes(js: &str, prefix: &str) -> Result<String, String> {
    let (class, registry) = (format!("export class {prefix}"), format!("const {prefix}"));
    let mut out = String::with_capacity(js.len());
    let mut skipping: Option<String> = None;
    for line in js.split_inclusive('\n') {
        if let Some(end) = &skipping {
            let done = if end.is_empty() {
                line.trim_end().ends_with(';')
            } else {
                line.starts_with(end.as_str())
            };
            if done {
                skipping = None;
            }
            continue;
        }
        if let Some(name) = line
            .strip_prefix("export class ")
            .filter(|_| line.starts_with(&class))
        {
            let name = name
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or_default();
            skipping = Some(format!("if (Symbol.dispose) {name}.prototype"));
        } else if line.starts_with(&registry) {
            // A registry spans lines up to its `;`.
            if !line.trim_end().ends_with(';') {
                skipping = Some(String::new());
            }
        } else {
            out.push_str(line);
        }
    }
    if out.contains(prefix) {
        return Err(format!(
            "the glue still uses {prefix} after dropping its classes"
        ));
    }
    Ok(out)
}

/// Panic messages name standard library files as `/rustc/<commit hash>/…`:
/// 40 hex digits that do not compress, in every module. Zeros of the same
/// length (nothing moves) compress to almost nothing.
pub fn zero_std_paths(wasm: &mut [u8]) -> usize {
    const PREFIX: &[u8] = b"/rustc/";
    let mut replaced = 0;
    let mut at = 0;
    while let Some(found) = wasm[at..].windows(PREFIX.len()).position(|w| w == PREFIX) {
        let start = at + found + PREFIX.len();
        let hash = wasm.get(start..start + 41);
        if hash.is_some_and(|h| h[..40].iter().all(u8::is_ascii_hexdigit) && h[40] == b'/') {
            wasm[start..start + 40].fill(b'0');
            replaced += 1;
        }
        at = start;
    }
    replaced
}

/// The next short name that can also stand as a function's name in the glue:
/// not a reserved word, and not a word the glue already uses.
fn free_short_name(next: &std::cell::Cell<usize>, js: &str) -> String {
    const RESERVED: [&str; 9] = ["do", "if", "in", "for", "let", "new", "try", "var", "NaN"];
    loop {
        let name = short_name(next.get());
        next.set(next.get() + 1);
        if !RESERVED.contains(&name.as_str()) && replace_word(js, &name, &name).1 == 0 {
            return name;
        }
    }
}

/// `a` … `z`, `A` … `Z`, then `aa`, `ba`, …: valid JavaScript property names
/// that no wasm-bindgen name can equal (those all start with `__`).
fn short_name(mut index: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = String::new();
    loop {
        name.push(LETTERS[index % LETTERS.len()] as char);
        index /= LETTERS.len();
        if index == 0 {
            return name;
        }
        index -= 1;
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Replaces `old` where it stands as a whole identifier; returns the text and
/// how many were replaced.
fn replace_word(text: &str, old: &str, new: &str) -> (String, usize) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut from, mut count) = (0, 0);
    for (at, _) in text.match_indices(old) {
        let end = at + old.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        if before.is_some_and(is_word_byte) || after.is_some_and(is_word_byte) || at < from {
            continue;
        }
        out.push_str(&text[from..at]);
        out.push_str(new);
        from = end;
        count += 1;
    }
    out.push_str(&text[from..]);
    (out, count)
}

fn read_leb(bytes: &[u8], at: &mut usize) -> Result<u32, String> {
    let (mut value, mut shift) = (0u32, 0);
    loop {
        let byte = *bytes.get(*at).ok_or("truncated wasm")?;
        *at += 1;
        value |= u32::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(value);
        }
        shift += 7;
        if shift > 28 {
            return Err("bad LEB128 in wasm".into());
        }
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_name<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a str, String> {
    let len = read_leb(bytes, at)? as usize;
    let name = bytes.get(*at..*at + len).ok_or("truncated wasm name")?;
    *at += len;
    std::str::from_utf8(name).map_err(|_| "a wasm name is not UTF-8".into())
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Import,
    Export,
}

/// Sections browsers ignore: who built the module, which features it uses.
const DROPPED_SECTIONS: [&str; 2] = ["producers", "target_features"];

/// Copies the module, renaming imports and exports for which
/// `rename(kind, module, name)` gives a new name (exports have no module; an
/// empty name drops the export) and, when `drop_sections`, leaving out
/// [`DROPPED_SECTIONS`] (wasm-opt still needs `target_features`); every other
/// byte stays as it was.
type Rename<'a> = &'a mut dyn FnMut(Kind, &str, &str) -> Option<String>;

fn rewrite(wasm: &[u8], rename: Rename, drop_sections: bool) -> Result<Vec<u8>, String> {
    if wasm.get(..4) != Some(b"\0asm") {
        return Err("not a wasm module".into());
    }
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = read_leb(wasm, &mut at)? as usize;
        let body = wasm.get(at..at + size).ok_or("truncated wasm section")?;
        at += size;
        let body = match id {
            0 => {
                let mut at = 0;
                if drop_sections && DROPPED_SECTIONS.contains(&read_name(body, &mut at)?) {
                    continue;
                }
                body.to_vec()
            }
            2 => rewrite_import_section(body, rename)?,
            7 => rewrite_export_section(body, rename)?,
            _ => body.to_vec(),
        };
        out.push(id);
        write_leb(&mut out, body.len() as u32);
        out.extend_from_slice(&body);
    }
    Ok(out)
}

fn rewrite_export_section(body: &[u8], rename: Rename) -> Result<Vec<u8>, String> {
    let mut at = 0;
    let count = read_leb(body, &mut at)?;
    let (mut kept, mut entries) = (0, Vec::with_capacity(body.len()));
    for _ in 0..count {
        let name = read_name(body, &mut at)?;
        let new_name = rename(Kind::Export, "", name);
        // kind, then the index
        let desc_start = at;
        at += 1;
        read_leb(body, &mut at)?;
        let name = new_name.as_deref().unwrap_or(name);
        if name.is_empty() {
            continue;
        }
        kept += 1;
        write_leb(&mut entries, name.len() as u32);
        entries.extend_from_slice(name.as_bytes());
        entries.extend_from_slice(body.get(desc_start..at).ok_or("truncated export")?);
    }
    if at != body.len() {
        return Err("unexpected bytes after the exports".into());
    }
    let mut out = Vec::with_capacity(entries.len() + 5);
    write_leb(&mut out, kept);
    out.extend(entries);
    Ok(out)
}

fn rewrite_import_section(body: &[u8], rename: Rename) -> Result<Vec<u8>, String> {
    let mut at = 0;
    let count = read_leb(body, &mut at)?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    for _ in 0..count {
        let module = read_name(body, &mut at)?;
        let name = read_name(body, &mut at)?;
        let desc_start = at;
        match *body.get(at).ok_or("truncated import")? {
            // function: type index; tag: attribute, type index
            0x00 => {
                at += 1;
                read_leb(body, &mut at)?;
            }
            0x04 => {
                at += 2;
                read_leb(body, &mut at)?;
            }
            // table: element type, then limits; memory: limits
            kind @ (0x01 | 0x02) => {
                at += if kind == 0x01 { 2 } else { 1 };
                let flags = *body.get(at).ok_or("truncated limits")?;
                at += 1;
                read_leb(body, &mut at)?;
                if flags & 1 == 1 {
                    read_leb(body, &mut at)?;
                }
            }
            // global: value type, mutability
            0x03 => at += 3,
            other => return Err(format!("unknown import kind {other:#x}")),
        }
        let new_name = rename(Kind::Import, module, name);
        for text in [module, new_name.as_deref().unwrap_or(name)] {
            write_leb(&mut out, text.len() as u32);
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(body.get(desc_start..at).ok_or("truncated import")?);
    }
    if at != body.len() {
        return Err("unexpected bytes after the imports".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_short_name_is_never_a_keyword_or_a_word_of_the_glue() {
        let next = std::cell::Cell::new(0);
        let glue = "if (a) { b(); } for (const c of d) {}";
        let names: Vec<String> = (0..400)
            .map(|_| super::free_short_name(&next, glue))
            .collect();
        for taken in ["a", "b", "c", "d", "if", "do", "in", "for", "of"] {
            assert!(!names.iter().any(|n| n == taken), "{taken} was given out");
        }
        assert_eq!(&names[..2], ["e", "f"]);
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
    }

    use super::*;

    /// A module with a type section, two glue imports, a memory import from
    /// another module, and a custom section after.
    fn module() -> Vec<u8> {
        let mut imports = vec![3];
        for (module, name, desc) in [
            (GLUE_MODULE, "__wbg_log_0123456789abcdef", vec![0x00, 0x00]),
            (
                GLUE_MODULE,
                "__wbg_log_0123456789abcdef_x",
                vec![0x00, 0x00],
            ),
            (
                "./__wasm_split.js",
                "memory",
                vec![0x02, 0x01, 0x11, 0x80, 0x01],
            ),
        ] {
            for text in [module, name] {
                imports.push(text.len() as u8);
                imports.extend_from_slice(text.as_bytes());
            }
            imports.extend(desc);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 4, 1, 0x60, 0, 0]);
        wasm.push(2);
        write_leb(&mut wasm, imports.len() as u32);
        wasm.extend(imports);
        // An export the glue calls by its mangled name, and one it must keep.
        let exports = [
            ("_ZN7closure6invoke17h0123456789abcdefE", 0u8),
            ("memory", 2u8),
        ];
        let mut section = vec![exports.len() as u8];
        for (name, kind) in exports {
            section.push(name.len() as u8);
            section.extend_from_slice(name.as_bytes());
            section.extend([kind, 0]);
        }
        wasm.push(7);
        write_leb(&mut wasm, section.len() as u32);
        wasm.extend(section);
        wasm.extend([0, 10, 9]);
        wasm.extend_from_slice(b"producers");
        wasm.extend([0, 3, 1, b'x', 7]);
        wasm
    }

    #[test]
    fn glue_imports_get_short_names_in_both_places() {
        let js = "const i={__wbg_log_0123456789abcdef:function(){},__wbg_log_0123456789abcdef_x:()=>1};\
                  function __wbg_log_0123456789abcdef_y(){wasm._ZN7closure6invoke17h0123456789abcdefE(wasm.memory)}";
        let (wasm, js) = shorten_imports(&module(), js).unwrap();
        assert_eq!(
            js,
            "const i={a:function(){},b:()=>1};function __wbg_log_0123456789abcdef_y(){wasm.c(wasm.memory)}"
        );
        let mut names = Vec::new();
        rewrite(
            &wasm,
            &mut |_, module, name| {
                names.push((module.to_owned(), name.to_owned()));
                None
            },
            false,
        )
        .unwrap();
        assert_eq!(
            names,
            [
                (GLUE_MODULE.to_owned(), "a".to_owned()),
                (GLUE_MODULE.to_owned(), "b".to_owned()),
                ("./__wasm_split.js".to_owned(), "memory".to_owned()),
                (String::new(), "c".to_owned()),
                (String::new(), "memory".to_owned()),
            ]
        );
        // The producers section is gone; the others are untouched.
        assert!(
            wasm.ends_with(&[0x02, 0, 0, 3, 1, b'x', 7]),
            "{:?}",
            &wasm[wasm.len() - 8..]
        );
        assert_eq!(&wasm[8..14], &module()[8..14]);
    }

    #[test]
    fn a_name_the_glue_does_not_define_stops_the_build() {
        let err =
            shorten_imports(
            &module(),
            "const i={__wbg_log_0123456789abcdef_x:1};wasm._ZN7closure6invoke17h0123456789abcdefE()",
        ).unwrap_err();
        assert!(err.contains("__wbg_log_0123456789abcdef"), "{err}");
        assert!(shorten_imports(b"not wasm", "").is_err());
        assert!(shorten_imports(&module()[..20], "").is_err());
    }

    #[test]
    fn parts_lose_only_the_ignored_sections() {
        let part = drop_ignored_sections(&module()).unwrap();
        assert_eq!(
            part.len(),
            module().len() - 12,
            "the 12-byte producers section"
        );
        assert!(!part.windows(9).any(|w| w == b"producers"));
        assert!(part.ends_with(&[0, 3, 1, b'x', 7]));
    }

    #[test]
    fn dropped_exports_are_gone_and_the_rest_stay() {
        let wasm = drop_exports(&module(), &["_ZN7closure"]).unwrap();
        let mut exports = Vec::new();
        rewrite(
            &wasm,
            &mut |kind, _, name| {
                if kind == Kind::Export {
                    exports.push(name.to_owned());
                }
                None
            },
            false,
        )
        .unwrap();
        assert_eq!(exports, ["memory"]);
        assert!(
            wasm.windows(9).any(|w| w == b"producers"),
            "sections stay for wasm-opt"
        );
    }

    #[test]
    fn dropped_glue_classes_leave_the_rest() {
        let js = "export class Keep {\n}\n\
                  export class IntoThing {\n    free() { IntoThingFinalization.unregister(this); }\n}\n\
                  if (Symbol.dispose) IntoThing.prototype[Symbol.dispose] = IntoThing.prototype.free;\n\
                  const IntoThingFinalization = (typeof FinalizationRegistry === 'undefined')\n    ? {}\n    : new FinalizationRegistry(f);\n\
                  const after = 1;\n";
        let out = drop_glue_classes(js, "IntoThing").unwrap();
        assert_eq!(out, "export class Keep {\n}\nconst after = 1;\n");
        let used = format!("{js}new IntoThing();\n");
        assert!(drop_glue_classes(&used, "IntoThing").is_err());
    }

    #[test]
    fn std_paths_lose_only_their_hash() {
        let mut data =
            b"x/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/a.rs/rustc/short/"
                .to_vec();
        assert_eq!(zero_std_paths(&mut data), 1);
        assert_eq!(
            data,
            b"x/rustc/0000000000000000000000000000000000000000/library/core/src/a.rs/rustc/short/"
        );
    }

    #[test]
    fn short_names_are_unique_and_short() {
        let names: std::collections::HashSet<String> = (0..3000).map(short_name).collect();
        assert_eq!(names.len(), 3000);
        assert_eq!(short_name(0), "a");
        assert_eq!(short_name(51), "Z");
        assert_eq!(short_name(52), "aa");
        assert!(short_name(2755).len() == 2 && short_name(2756).len() == 3);
    }
}
