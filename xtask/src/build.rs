//! The release build, `cargo xtask build`:
//!
//! 1. `cargo build` of the app for wasm32 with the `split` feature, keeping
//!    relocations (`--emit-relocs`) so the wasm can be cut;
//! 2. wasm-split: the main module plus one file per lazily loaded part (and
//!    chunks the parts share), with a small JS loader;
//! 3. wasm-bindgen (`--keep-lld-exports`: the parts import the main module's
//!    memory and function table) on the main module;
//! 4. wasm-opt -Oz on every module; esbuild bundles the wasm-bindgen glue and
//!    the wasm-split loader with the boot call into one small script;
//! 5. content-hashed file names, and `index.html` from the template with the
//!    stylesheets and that script inlined (the page fetches no script file
//!    before it can start the wasm), relative asset URLs (so `dist/` works
//!    from any path) and a Content-Security-Policy with the hashes of its
//!    inline parts.
//!
//! trunk 0.21 runs steps 1, 3 and 4 but cannot run step 2 (its wasm-bindgen
//! call has no `--keep-lld-exports`, and its hooks run too early or too late),
//! so xtask runs the whole pipeline with the same pinned tools.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::{root, run_step, tools};

/// The origin the app talks to when nobody configured another.
const OPENROUTER: &str = "https://openrouter.ai";
/// Loopback, for the bundled mock: only development, test and demo builds
/// may connect there.
const LOOPBACK: &str = "http://127.0.0.1:* http://localhost:*";

/// Options of one build.
#[derive(Default)]
pub struct BuildOptions {
    /// Build a demo app whose default API base is this mock URL.
    pub demo_api_base: Option<String>,
    pub dist: Option<PathBuf>,
    /// Origins the page may also connect to (someone's own proxy).
    pub connect_src: Vec<String>,
    /// Development, test and demo builds may connect to loopback too.
    pub loopback: bool,
}

impl BuildOptions {
    /// `[--connect-src ORIGIN]… [--dev] [--dist DIR]` from the command line.
    pub fn from_args(args: &[String]) -> Result<BuildOptions, String> {
        let mut options = BuildOptions::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--dev" => options.loopback = true,
                "--dist" => {
                    let dir = args.next().ok_or("--dist needs a folder")?;
                    options.dist = Some(root().join(dir));
                }
                "--connect-src" => {
                    let value = args.next().ok_or("--connect-src needs an origin")?;
                    for origin in value.split_whitespace() {
                        options.connect_src.push(checked_origin(origin)?);
                    }
                }
                other => return Err(format!("build: unknown option `{other}`")),
            }
        }
        Ok(options)
    }

    /// The `connect-src` list: the page itself, OpenRouter, the extra origins,
    /// and loopback only where development needs it.
    fn connect_src(&self) -> String {
        let mut list = vec!["'self'".to_owned(), OPENROUTER.to_owned()];
        list.extend(self.connect_src.iter().cloned());
        if self.loopback || self.demo_api_base.is_some() {
            list.push(LOOPBACK.to_owned());
        }
        list.join(" ")
    }
}

/// An origin as CSP takes it (`https://host[:port]`), refusing anything that
/// could end the directive or add another.
fn checked_origin(origin: &str) -> Result<String, String> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("--connect-src {origin}: an origin starts with https://"))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = rest.split_once(':').unwrap_or((rest, ""));
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.*".contains(&b));
    let port_ok = port.is_empty() || port == "*" || port.parse::<u16>().is_ok();
    if host_ok && port_ok && !rest.contains('/') {
        Ok(origin.trim_end_matches('/').to_owned())
    } else {
        Err(format!(
            "--connect-src {origin}: not an origin like https://proxy.example or https://proxy.example:8443"
        ))
    }
}

/// What a build produced: where, and which files a first visit loads.
pub struct Built {
    pub dist: PathBuf,
    /// Files fetched until the app runs: the page (with its script
    /// inline), the main wasm and (to be safe) the icon. The manifest is
    /// linked once the app runs; everything else loads when needed.
    pub first_load: Vec<String>,
    /// The build's language (`en`: the folder itself; others in `<lang>/`).
    pub lang: String,
    /// The other languages' builds, each in its own folder inside `dist`.
    pub translations: Vec<Built>,
}

/// `cargo xtask build`: returns the dist directory.
pub fn run(args: &[String]) -> Result<Built, String> {
    build(BuildOptions::from_args(args)?)
}

/// Every language: English in `dist/`, each other language in `dist/<lang>/`
/// (a whole app of its own; the pages send a reader to their language).
pub fn build(options: BuildOptions) -> Result<Built, String> {
    tools::ensure_build_tools()?;
    let dist = options.dist.clone().unwrap_or_else(|| root().join("dist"));
    let languages = crate::translate::languages(&root().join("src/i18n"))?;
    let mut main = build_language(&options, "en", &dist, &languages)?;
    for lang in languages.iter().filter(|l| *l != "en") {
        let translation = build_language(&options, lang, &dist.join(lang), &languages)?;
        main.translations.push(translation);
    }
    Ok(main)
}

fn build_language(
    options: &BuildOptions,
    lang: &str,
    dist: &Path,
    languages: &[String],
) -> Result<Built, String> {
    eprintln!("==> the {lang} build");
    let work = root().join("target/kleinbild-build");
    let _ = std::fs::remove_dir_all(&work);
    let (split_dir, bindgen_dir) = (work.join("split"), work.join("bindgen"));
    for dir in [&split_dir, &bindgen_dir] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{dir:?}: {e}"))?;
    }

    let mut cargo = crate::cargo();
    cargo
        .args([
            "build",
            "--profile",
            "wasm-release",
            "--locked",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "kleinbild",
            "--bin",
            "kleinbild",
            "--features",
            &match lang {
                "en" => "split".to_owned(),
                other => format!("split,lang-{other}"),
            },
        ])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            format!("-Clink-args=--emit-relocs {}", remap_paths()),
        );
    // The app reads these with option_env!, so they must be set (or unset) explicitly.
    match &options.demo_api_base {
        Some(base) => cargo
            .env("KLEINBILD_DEMO_API_BASE", base)
            .env("KLEINBILD_DEMO_API_KEY", mock_demo_key()),
        None => cargo
            .env_remove("KLEINBILD_DEMO_API_BASE")
            .env_remove("KLEINBILD_DEMO_API_KEY"),
    };
    run_step("cargo build (wasm32, wasm-release, split)", &mut cargo)?;

    let raw = root().join("target/wasm32-unknown-unknown/wasm-release/kleinbild.wasm");
    split(&raw, &split_dir)?;
    run_step(
        "wasm-bindgen",
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--keep-lld-exports",
                "--no-demangle",
                "--no-typescript",
                "--out-name",
                "kleinbild",
                "--out-dir",
            ])
            .arg(&bindgen_dir)
            .arg(split_dir.join("kleinbild.wasm")),
    )?;
    drop_unused_exports(&bindgen_dir.join("kleinbild_bg.wasm"))?;
    // The parts and chunks wasm-split wrote, beside the main module.
    let mut modules = vec![bindgen_dir.join("kleinbild_bg.wasm")];
    for path in files_in(&split_dir, "wasm")? {
        if path.file_name().is_some_and(|n| n != "kleinbild.wasm") {
            let to = bindgen_dir.join(path.file_name().unwrap_or_default());
            std::fs::copy(&path, &to).map_err(|e| format!("{path:?}: {e}"))?;
            modules.push(to);
        }
    }
    std::fs::copy(split_dir.join(LOADER), bindgen_dir.join(LOADER))
        .map_err(|e| format!("{LOADER}: {e}"))?;
    optimise(&modules)?;
    shorten_glue_imports(&bindgen_dir)?;
    for (i, module) in modules.iter().enumerate() {
        let wasm = std::fs::read(module).map_err(|e| format!("{module:?}: {e}"))?;
        let mut wasm = if i == 0 {
            wasm
        } else {
            crate::shorten::drop_ignored_sections(&wasm)?
        };
        crate::shorten::zero_std_paths(&mut wasm);
        std::fs::write(module, wasm).map_err(|e| format!("{module:?}: {e}"))?;
    }
    publish(&bindgen_dir, dist, options, lang, languages)
}

/// wasm-streams (in Leptos' tree for server functions, which a static app
/// never calls) exports stream adapters; the exports alone keep their code.
/// Dropped before wasm-opt, which then removes the code. The glue keeps
/// only finalizers for objects that are never made.
fn drop_unused_exports(main: &Path) -> Result<(), String> {
    let wasm = std::fs::read(main).map_err(|e| format!("{main:?}: {e}"))?;
    let wasm = crate::shorten::drop_exports(&wasm, &["intounderlying", "__wbg_intounderlying"])?;
    std::fs::write(main, wasm).map_err(|e| format!("{main:?}: {e}"))
}

/// Renames the main module's imports to short names, in the wasm and in the
/// glue that defines them (see `shorten.rs`).
fn shorten_glue_imports(dir: &Path) -> Result<(), String> {
    let (wasm_path, js_path) = (dir.join("kleinbild_bg.wasm"), dir.join("kleinbild.js"));
    let wasm = std::fs::read(&wasm_path).map_err(|e| format!("{wasm_path:?}: {e}"))?;
    let js = std::fs::read_to_string(&js_path).map_err(|e| format!("{js_path:?}: {e}"))?;
    let (wasm, js) = crate::shorten::shorten_imports(&wasm, &js)?;
    let js = crate::shorten::drop_glue_classes(&js, "IntoUnderlying")?;
    std::fs::write(&wasm_path, wasm).map_err(|e| format!("{wasm_path:?}: {e}"))?;
    std::fs::write(&js_path, js).map_err(|e| format!("{js_path:?}: {e}"))
}

/// The JS module wasm-split writes to fetch the parts.
const LOADER: &str = "__wasm_split.js";

/// The key the bundled mock always accepts (see mock-openrouter DEMO_KEY).
fn mock_demo_key() -> &'static str {
    "sk-or-v1-mock-demo-key"
}

/// Panic locations name source files; cutting the machine-specific prefixes
/// keeps the build reproducible and the strings short.
fn remap_paths() -> String {
    let mut flags = vec![format!("--remap-path-prefix={}=.", root().display())];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        // Each registry's sources sit in a hashed folder: `~` stands for all of it.
        let registries = home.join("registry/src");
        for dir in std::fs::read_dir(&registries)
            .into_iter()
            .flatten()
            .flatten()
        {
            flags.push(format!("--remap-path-prefix={}=~", dir.path().display()));
        }
    }
    // The standard library's paths carry the compiler's 40-hex commit hash.
    if let Some(hash) = Command::new("rustc")
        .arg("-vV")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|v| {
            v.lines()
                .find_map(|l| l.strip_prefix("commit-hash: ").map(str::to_owned))
        })
    {
        flags.push(format!("--remap-path-prefix=/rustc/{hash}=/rustc"));
    }
    flags.join(" ")
}

/// Cuts the relocatable wasm into the main module and the parts.
fn split(raw: &Path, out: &Path) -> Result<(), String> {
    eprintln!("==> wasm-split");
    let started = std::time::Instant::now();
    let input = std::fs::read(raw).map_err(|e| format!("{raw:?}: {e}"))?;
    let main = out.join("kleinbild.wasm");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = out;
    options.main_out_path = &main;
    options.main_module = "./kleinbild.js";
    options.link_name = "./__wasm_split.js";
    wasm_split_cli_support::transform(options).map_err(|e| format!("wasm-split: {e:#}"))?;
    eprintln!("<== wasm-split: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// wasm-opt -Oz on every module, the two cores busy at once.
fn optimise(modules: &[PathBuf]) -> Result<(), String> {
    eprintln!("==> wasm-opt -Oz ({} modules)", modules.len());
    let started = std::time::Instant::now();
    let wasm_opt = tools::tool("wasm-opt");
    let mut queue: Vec<&PathBuf> = modules.iter().collect();
    // Biggest first, so the two workers finish together.
    queue.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)));
    let queue = std::sync::Mutex::new(queue.into_iter());
    let failed = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some(path) = queue.lock().ok().and_then(|mut q| q.next()) else {
                        return;
                    };
                    let status = Command::new(&wasm_opt)
                        .args([
                            "-Oz",
                            // Passes again until nothing shrinks: ~0.5 % smaller.
                            "--converge",
                            "--enable-bulk-memory",
                            "--enable-nontrapping-float-to-int",
                            "--enable-sign-ext",
                            "--enable-mutable-globals",
                        ])
                        .arg(path)
                        .arg("-o")
                        .arg(path)
                        .output();
                    match status {
                        Ok(out) if out.status.success() => {}
                        Ok(out) => {
                            let message = format!(
                                "wasm-opt {path:?}: {}",
                                String::from_utf8_lossy(&out.stderr)
                            );
                            if let Ok(mut f) = failed.lock() {
                                f.get_or_insert(message);
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = failed.lock() {
                                f.get_or_insert(format!("cannot run {wasm_opt}: {e}"));
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(message) = failed.into_inner().ok().flatten() {
        return Err(message);
    }
    eprintln!("<== wasm-opt: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// esbuild's minifier on a CSS file, in place.
fn minify_css(path: &Path) -> Result<(), String> {
    minify(&format!("minify {}", path.display()), path, path, &[])
}

/// esbuild's `--minify` from `from` to `to` (the same file: in place), with
/// `extra` arguments (e.g. `--format=esm`).
fn minify(what: &str, from: &Path, to: &Path, extra: &[&str]) -> Result<(), String> {
    let mut command = Command::new(tools::tool("esbuild"));
    command
        .arg(from)
        .args(["--minify", "--log-level=error"])
        .args(extra);
    if from == to {
        command.arg("--allow-overwrite");
    }
    run_step(what, command.arg(format!("--outfile={}", to.display())))
}

fn files_in(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{dir:?}: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    files.sort();
    Ok(files)
}

/// `name-0123456789.ext`: 10 hex digits of SHA-256 of `content`, plenty to
/// tell versions apart (and every name is in the first load's script).
fn hashed(name: &str, content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let hex: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{hex}.{ext}"),
        None => format!("{name}-{hex}"),
    }
}

/// Writes `dist/` with content-hashed names and the finished `index.html`.
fn publish(
    built: &Path,
    dist: &Path,
    options: &BuildOptions,
    lang: &str,
    languages: &[String],
) -> Result<Built, String> {
    let _ = std::fs::remove_dir_all(dist);
    std::fs::create_dir_all(dist).map_err(|e| format!("{dist:?}: {e}"))?;
    let read = |name: &str| std::fs::read(built.join(name)).map_err(|e| format!("{name}: {e}"));
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dist.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };

    // Every wasm file is a leaf: named by its own content.
    let mut names = BTreeMap::new();
    for path in files_in(built, "wasm")? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = read(&name)?;
        let new = hashed(&name, &bytes);
        write(&new, &bytes)?;
        names.insert(name, new);
    }
    let main_wasm = names
        .get("kleinbild_bg.wasm")
        .cloned()
        .ok_or("wasm-bindgen wrote no kleinbild_bg.wasm")?;
    let icon = std::fs::read(root().join("style/favicon.svg")).map_err(|e| e.to_string())?;
    let icon_name = hashed("favicon.svg", &icon);
    write(&icon_name, &icon)?;
    let manifest = install_files(dist, &icon_name)?;
    let register = sw_register_script(built, dist, &manifest)?;
    let part_styles = part_stylesheet(dist)?;
    let boot = boot_script(built, &names, &main_wasm, &register, &part_styles)?;

    let html = index_html(&boot, &icon_name, options, lang, languages)?;
    write("index.html", html.as_bytes())?;
    service_worker(dist, &html)?;
    let not_found = std::fs::read(root().join("static/404.html")).map_err(|e| e.to_string())?;
    write("404.html", &not_found)?;
    Ok(Built {
        dist: dist.to_path_buf(),
        // The browser fetches the manifest as soon as it reads its link.
        first_load: vec!["index.html".into(), main_wasm, icon_name],
        lang: lang.to_owned(),
        translations: Vec::new(),
    })
}

/// What installing the app needs: the PNG icons and the web app manifest
/// (all content-hashed); returns the manifest's file name.
fn install_files(dist: &Path, svg_icon: &str) -> Result<String, String> {
    let mut manifest = std::fs::read_to_string(root().join("static/manifest.webmanifest"))
        .map_err(|e| format!("static/manifest.webmanifest: {e}"))?
        .replace("__ICON_SVG__", &format!("./{svg_icon}"));
    for size in ["192", "512"] {
        let name = format!("icon-{size}.png");
        let bytes = std::fs::read(root().join("static/icons").join(&name))
            .map_err(|e| format!("static/icons/{name}: {e}"))?;
        let hashed_name = hashed(&name, &bytes);
        std::fs::write(dist.join(&hashed_name), bytes).map_err(|e| e.to_string())?;
        manifest = manifest.replace(&format!("__ICON_{size}__"), &format!("./{hashed_name}"));
    }
    if manifest.contains("__") {
        return Err("static/manifest.webmanifest has a placeholder the build does not fill".into());
    }
    let name = hashed("manifest.webmanifest", manifest.as_bytes());
    std::fs::write(dist.join(&name), manifest).map_err(|e| e.to_string())?;
    Ok(name)
}

/// `sw.js`: the service worker with the list of every file of this build (so
/// the app starts offline, parts included) and a version that changes with
/// any of them (so a new deploy installs beside the old one).
fn service_worker(dist: &Path, html: &str) -> Result<(), String> {
    let mut files = vec!["\"./\"".to_owned()];
    for entry in std::fs::read_dir(dist)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Files only: another language's folder has its own worker.
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && name != "index.html" && name != "404.html" && name != "sw.js" {
            files.push(format!("\"./{name}\""));
        }
    }
    files.sort();
    let version = hashed("v", format!("{html}{files:?}").as_bytes());
    let version = version.trim_start_matches("v-");
    let script = std::fs::read_to_string(root().join("static/sw.js"))
        .map_err(|e| format!("static/sw.js: {e}"))?
        .replace("__VERSION__", version)
        .replace("__FILES__", &format!("[{}]", files.join(", ")));
    let out = dist.join("sw.js");
    std::fs::write(&out, script).map_err(|e| e.to_string())?;
    minify("minify the service worker (esbuild)", &out, &out, &[])
}

/// The page's one script: the wasm-bindgen glue and the wasm-split loader
/// (they import each other) bundled with the call that starts the main wasm,
/// minified, to go inline: a script file would be one more request the page
/// waits for before the wasm can start. The loader finds the parts relative
/// to the page (`import.meta.url` of an inline module is the page's URL).
fn boot_script(
    built: &Path,
    names: &BTreeMap<String, String>,
    main_wasm: &str,
    register: &str,
    part_styles: &str,
) -> Result<String, String> {
    let loader_path = built.join(LOADER);
    let mut loader = std::fs::read_to_string(&loader_path).map_err(|e| format!("{LOADER}: {e}"))?;
    for (old, new) in names {
        loader = loader.replace(&format!("\"./{old}\""), &format!("\"./{new}\""));
    }
    let loader = with_part_styles(&each_caller_in_its_own_task(&loader)?, part_styles)?;
    std::fs::write(&loader_path, loader).map_err(|e| format!("{LOADER}: {e}"))?;
    let entry = built.join("boot.js");
    let after_start = format!("./{register}");
    std::fs::write(
        &entry,
        format!(
            "import init from \"./kleinbild.js\";\n\
             // The app runs: the service worker. It cannot start: the shell says so.\n\
             const start = () => init({{ module_or_path: \"./{main_wasm}\" }}).then(\n\
             () => import(\"{after_start}\").then((m) => m.registerServiceWorker(), () => {{}}),\n\
             () => {{\n\
               const alert = document.querySelector(\"#shell .alert\");\n\
               if (alert) {{ alert.classList.add(\"alert--visible\"); alert.firstChild.hidden = false; }}\n\
             }});\n\
             // The static page paints its text first (its Generate already takes a\n\
             // press); a hidden tab paints nothing, so it starts at once.\n\
             let go = () => {{ go = () => {{}}; start(); }};\n\
             if (document.hidden) go();\n\
             new PerformanceObserver((l) => l.getEntriesByName(\"first-contentful-paint\")[0] && go())\n\
             .observe({{ type: \"paint\", buffered: true }});\n\
             setTimeout(() => go(), 500);\n"
        ),
    )
    .map_err(|e| format!("boot.js: {e}"))?;
    let bundle = built.join("boot.bundle.js");
    run_step(
        "bundle the boot script (esbuild)",
        Command::new(tools::tool("esbuild"))
            .arg(&entry)
            .args(["--bundle", "--format=esm", "--minify", "--log-level=error"])
            .arg(format!("--external:{after_start}"))
            .arg(format!("--outfile={}", bundle.display())),
    )?;
    let script = std::fs::read_to_string(&bundle).map_err(|e| format!("boot bundle: {e}"))?;
    check_inline_script(script.trim_end(), &after_start)
}

/// wasm-split's loader wakes every caller waiting for a part in the task the
/// part arrived in: the views waiting for `later` would all render in one long
/// task (60 ms here, four times that on a phone), which delays input. A zero
/// timeout per caller gives each its own task.
fn each_caller_in_its_own_task(loader: &str) -> Result<String, String> {
    const WAKE: &str = "} finally {\n            const sharedImports = getSharedImports();";
    if loader.matches(WAKE).count() != 1 {
        return Err(format!(
            "{LOADER}: its callback no longer looks like this: {WAKE}"
        ));
    }
    Ok(loader.replace(
        WAKE,
        "} finally {\n            await new Promise((resolve) => setTimeout(resolve));\n            \
         const sharedImports = getSharedImports();",
    ))
}

/// Every part waits for `style/parts.css` (the file `part_styles`) as well as
/// its wasm, so nothing of a part is drawn unstyled. The stylesheet is linked
/// once, by the first part to load; if it fails, the part fails (and the next
/// try links it again).
fn with_part_styles(loader: &str, part_styles: &str) -> Result<String, String> {
    const WAIT: &str = "const parallelStuff = deps.map(d => d());";
    if loader.matches(WAIT).count() != 1 {
        return Err(format!(
            "{LOADER}: its loader no longer looks like this: {WAIT}"
        ));
    }
    const LINK: &str = r#"let partStyles;
function linkPartStyles() {
    partStyles ??= new Promise((resolve, reject) => {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = new URL("./__PART_STYLES__", import.meta.url).href;
        link.onload = resolve;
        link.onerror = () => { link.remove(); partStyles = undefined; reject(new Error(link.href)); };
        document.head.append(link);
    });
    return partStyles;
}
"#;
    let link = LINK.replace("__PART_STYLES__", part_styles);
    Ok(format!(
        "{link}{}",
        loader.replace(
            WAIT,
            "const parallelStuff = [...deps.map(d => d()), linkPartStyles()];"
        )
    ))
}

/// `style/parts.css`, minified under a content-hashed name: the `later`
/// part's styles, fetched with it (see `with_part_styles`).
fn part_stylesheet(dist: &Path) -> Result<String, String> {
    let css_dir = root().join("target/kleinbild-build/css");
    std::fs::create_dir_all(&css_dir).map_err(|e| e.to_string())?;
    let file = css_dir.join(PART_STYLESHEET);
    std::fs::copy(root().join("style").join(PART_STYLESHEET), &file)
        .map_err(|e| format!("style/{PART_STYLESHEET}: {e}"))?;
    minify_css(&file)?;
    let bytes = std::fs::read(&file).map_err(|e| format!("{PART_STYLESHEET}: {e}"))?;
    let name = hashed(PART_STYLESHEET, &bytes);
    std::fs::write(dist.join(&name), bytes).map_err(|e| format!("{name}: {e}"))?;
    Ok(name)
}

/// `static/sw-register.js`, minified under a content-hashed name: it links
/// the manifest and registers the service worker, which only matter once the
/// app runs, so the boot script imports it then (not part of the first load).
fn sw_register_script(built: &Path, dist: &Path, manifest: &str) -> Result<String, String> {
    let source = std::fs::read_to_string(root().join("static/sw-register.js"))
        .map_err(|e| format!("static/sw-register.js: {e}"))?
        .replace("__MANIFEST__", &format!("./{manifest}"));
    let (plain, minified) = (
        built.join("sw-register.js"),
        built.join("sw-register.min.js"),
    );
    std::fs::write(&plain, source).map_err(|e| format!("sw-register.js: {e}"))?;
    minify(
        "minify the service worker registration (esbuild)",
        &plain,
        &minified,
        &["--format=esm"],
    )?;
    let bytes = std::fs::read(&minified).map_err(|e| format!("sw-register.min.js: {e}"))?;
    let name = hashed("sw-register.js", &bytes);
    std::fs::write(dist.join(&name), bytes).map_err(|e| format!("{name}: {e}"))?;
    Ok(name)
}

/// `static/shell.js` minified: the static shell's Generate, usable before the
/// app starts. A classic script right after the shell, so it runs as the page
/// is read.
fn shell_script() -> Result<String, String> {
    let out = root().join("target/kleinbild-build/shell.min.js");
    minify(
        "minify the shell script (esbuild)",
        &root().join("static/shell.js"),
        &out,
        &[],
    )?;
    let script = std::fs::read_to_string(&out).map_err(|e| format!("shell.min.js: {e}"))?;
    check_inline_script(script.trim_end(), "")
}

/// A script that can go inline as it is: it must not close its own element,
/// and must import no other script before the app runs (the page would wait
/// for it); `after_start` is the one it may import once the app started.
fn check_inline_script(script: &str, after_start: &str) -> Result<String, String> {
    if script.to_ascii_lowercase().contains("</script") {
        return Err("the boot script contains \"</script\" and cannot go inline".into());
    }
    let rest = script.replacen(&format!("import(\"{after_start}\")"), "", 1);
    if rest.contains("import\"") || rest.contains("from\"") || rest.contains("import(") {
        return Err("the boot script still imports another script".into());
    }
    Ok(script.to_owned())
}

/// `index.html` from the template: stylesheets inlined (minified), the icon,
/// the boot script, and the Content-Security-Policy. No preload of the wasm:
/// it is fetched after the first paint (see `boot_script`).
fn index_html(
    boot: &str,
    icon: &str,
    options: &BuildOptions,
    lang: &str,
    languages: &[String],
) -> Result<String, String> {
    let template = std::fs::read_to_string(root().join("index.html"))
        .map_err(|e| format!("index.html: {e}"))?;
    let template = crate::translate::page(&template, lang, &root().join("src/i18n"))?;
    let choose = crate::translate::language_script(lang, languages);
    let css_dir = root().join("target/kleinbild-build/css");
    std::fs::create_dir_all(&css_dir).map_err(|e| e.to_string())?;
    let mut css = String::new();
    for sheet in STYLESHEETS {
        css.push_str(
            &std::fs::read_to_string(root().join("style").join(sheet))
                .map_err(|e| format!("style/{sheet}: {e}"))?,
        );
        css.push('\n');
    }
    let css_file = css_dir.join("app.css");
    std::fs::write(&css_file, css).map_err(|e| e.to_string())?;
    minify_css(&css_file)?;
    let css = std::fs::read_to_string(&css_file).map_err(|e| e.to_string())?;
    let css = css.trim_end();

    let head = format!(
        "<link rel=icon href=\"./{icon}\" type=\"image/svg+xml\">\
         <style>{css}</style>\
         <script type=module>{boot}</script>"
    );
    let shell = shell_script()?;
    let policy = policy(&[boot, &choose, &shell], css, options);
    let csp = format!("<meta http-equiv=Content-Security-Policy content=\"{policy}\">");
    // Demo builds say plainly, above everything, that they talk to the mock.
    let demo = options.demo_api_base.as_deref().map_or_else(String::new, |base| {
        format!(
            "<p class=demo-banner role=note><strong>Demo mode</strong> — this build talks to the \
             local mock OpenRouter at <code>{base}</code>. Images are synthetic and nothing is billed.</p>"
        )
    });
    let html = template
        .replace("<!-- csp -->", &csp)
        .replace("<!-- head -->", &head)
        .replace("<!-- demo -->", &demo)
        .replace("<!-- language -->", &format!("<script>{choose}</script>"))
        .replace(
            "<!-- shell script -->",
            &format!("<script>{shell}</script>"),
        );
    if html.contains("<!-- csp -->")
        || !html.contains(&csp)
        || !html.contains(boot)
        || !html.contains(&choose)
        || !html.contains(&shell)
    {
        return Err(
            "index.html must contain <!-- csp -->, <!-- head -->, <!-- language --> \
             and <!-- shell script --> once each"
                .into(),
        );
    }
    Ok(html)
}

/// The Content-Security-Policy: the inline scripts and style by their hashes,
/// connections to the page itself and the API origins only.
fn policy(scripts: &[&str], css: &str, options: &BuildOptions) -> String {
    let scripts: Vec<String> = scripts.iter().map(|s| csp_hash(s)).collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self' {}; \
         img-src 'self' blob: data:; connect-src {}; manifest-src 'self'; \
         base-uri 'self'; form-action 'none'",
        scripts.join(" "),
        csp_hash(css),
        options.connect_src(),
    )
}

/// The stylesheets of the first load (inline in `index.html`), in cascade order.
const STYLESHEETS: [&str; 5] = [
    "tokens.css",
    "layout.css",
    "controls.css",
    "results.css",
    "gallery.css",
];

/// The `later` part's styles: a file of their own, after the first load's in
/// the cascade.
const PART_STYLESHEET: &str = "parts.css";

/// `'sha256-…'` for an inline element's exact text.
fn csp_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::{
        BuildOptions, check_inline_script, each_caller_in_its_own_task, hashed, policy,
        with_part_styles,
    };

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn production_connects_to_itself_and_openrouter_only() {
        let production = policy(&["b"], "c", &BuildOptions::from_args(&[]).unwrap());
        assert!(
            production.contains("connect-src 'self' https://openrouter.ai;"),
            "{production}"
        );
        assert!(!production.contains("127.0.0.1") && !production.contains("localhost"));
        let dev = policy(
            &["b"],
            "c",
            &BuildOptions::from_args(&args(&["--dev"])).unwrap(),
        );
        assert!(dev.contains("http://127.0.0.1:*") && dev.contains("http://localhost:*"));
        let demo = BuildOptions {
            demo_api_base: Some("http://127.0.0.1:8787/api/v1".into()),
            ..BuildOptions::default()
        };
        assert!(policy(&["b"], "c", &demo).contains("http://127.0.0.1:*"));
    }

    #[test]
    fn a_proxy_origin_is_added_and_nothing_else_gets_in() {
        let options = BuildOptions::from_args(&args(&[
            "--connect-src",
            "https://proxy.example https://eu.proxy.example:8443/",
        ]))
        .unwrap();
        let csp = policy(&["b"], "c", &options);
        assert!(
            csp.contains(
                "connect-src 'self' https://openrouter.ai https://proxy.example https://eu.proxy.example:8443;"
            ),
            "{csp}"
        );
        for bad in [
            "proxy.example",
            "https://proxy.example; script-src *",
            "https://proxy.example/path",
            "https://",
            "https://proxy.example:99999",
            "javascript:alert(1)",
            "https://a'b",
        ] {
            assert!(
                BuildOptions::from_args(&args(&["--connect-src", bad])).is_err(),
                "{bad} was taken"
            );
        }
        assert!(BuildOptions::from_args(&args(&["--connect-src"])).is_err());
        assert!(BuildOptions::from_args(&args(&["--frobnicate"])).is_err());
    }

    #[test]
    fn each_caller_of_a_part_wakes_in_its_own_task() {
        let loader = "try {\n            await callee();\n        } finally {\n            const sharedImports = getSharedImports();\n            table.get(i)(data, ok);\n        }";
        let split = each_caller_in_its_own_task(loader).unwrap();
        let wait = split.find("setTimeout(resolve)").expect("a zero timeout");
        assert!(wait < split.find("table.get").unwrap(), "{split}");
        // A loader that changed shape stops the build instead of staying one long task.
        assert!(each_caller_in_its_own_task("} finally { wake(); }").is_err());
    }

    #[test]
    fn a_part_waits_for_its_stylesheet() {
        let loader = "const loader = async () => {\n        const parallelStuff = deps.map(d => d());\n        const instantiate = fetcher();\n        await Promise.all(parallelStuff);";
        let styled = with_part_styles(loader, "parts-0a1b2c3d4e.css").unwrap();
        assert!(
            styled.contains("[...deps.map(d => d()), linkPartStyles()]"),
            "{styled}"
        );
        assert!(
            styled.contains("new URL(\"./parts-0a1b2c3d4e.css\", import.meta.url)"),
            "{styled}"
        );
        assert!(styled.contains("function linkPartStyles()"), "{styled}");
        // A loader that changed shape stops the build instead of drawing parts unstyled.
        assert!(with_part_styles("await Promise.all(deps)", "parts.css").is_err());
    }

    #[test]
    fn only_a_script_that_stands_alone_goes_inline() {
        let late = "./sw-register-0a1b2c3d4e.js";
        let alone = "let t=new URL(\"./chunk-1.wasm\",import.meta.url);f(t)";
        assert_eq!(check_inline_script(alone, late).unwrap(), alone);
        // The one script it imports once the app started.
        let then = "f().then(()=>import(\"./sw-register-0a1b2c3d4e.js\")).then(m=>m.r())";
        assert_eq!(check_inline_script(then, late).unwrap(), then);
        for bad in [
            "x(\"</script>\")",
            "x('</SCRIPT ')",
            "import a from\"./kleinbild.js\";a()",
            "import\"./side-effect.js\"",
            "import(\"./late.js\")",
        ] {
            assert!(check_inline_script(bad, late).is_err(), "{bad}");
        }
    }

    #[test]
    fn hashed_names_follow_the_content() {
        let a = hashed("part.wasm", b"one");
        assert!(
            a.starts_with("part-") && a.ends_with(".wasm") && a.len() == "part-.wasm".len() + 10
        );
        assert_ne!(a, hashed("part.wasm", b"two"));
        assert_eq!(a, hashed("part.wasm", b"one"));
    }
}
