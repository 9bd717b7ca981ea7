//! `cargo xtask new-stage NAME [--after STAGE]`: scaffolds a stage crate,
//! `crates/dateline-NAME`, and wires it into the workspace and the driver's
//! registry, so `dateline run --stages tokenize,segment,NAME` works at once.
//!
//! The generated stage does a small real thing (the most frequent content
//! words of each document, in `doc.layers["NAME"]`) so that everything
//! around it — docs, unit tests, a snapshot test over `fixtures/`, an
//! example, the registration — is exercised from the first build. Every
//! edit of an existing file is computed before anything is written, so a
//! refused name or a missing insertion point leaves the workspace untouched.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, ensure, Context, Result};
use dateline::StageRegistry;
use dateline_core::Layer;

use crate::paths::workspace_root;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stage name: lower-case ASCII letters, digits and '-', starting
    /// with a letter; the crate is dateline-NAME
    name: String,
    /// The registered stage the new one runs after: it requires the layers
    /// that stage provides (and tokens)
    #[arg(long, value_name = "STAGE", default_value = "segment")]
    after: String,
    /// Do not run the new crate's tests (which write its first snapshots)
    #[arg(long)]
    no_test: bool,
}

/// Where the scaffolder inserts the registration in the driver.
const STAGES_MARKER: &str = "    // new stages: registered above this line\n";

/// Names taken besides the registered stages: the workspace's other
/// packages, and the keys of the JSONL record, which the renderer keeps
/// for its own fields and would not write a layer under.
const RESERVED: &[&str] = &[
    "core",
    "render",
    "tests",
    "xtask",
    "id",
    "text",
    "tokens",
    "sentences",
    "entities",
    "error",
];

/// Names whose type would clash with what the generated code imports.
const RESERVED_TYPES: &[&str] = &[
    "Doc",
    "Layer",
    "Stage",
    "StageError",
    "TokenKind",
    "Value",
    "HashMap",
    "String",
    "Vec",
    "Option",
    "Result",
    "Box",
    "Default",
    "Span",
    "Token",
];

const CARGO_TOML: &str = include_str!("../templates/stage/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("../templates/stage/lib.rs.tmpl");
const SNAPSHOTS_RS: &str = include_str!("../templates/stage/snapshots.rs.tmpl");
const EXAMPLE_RS: &str = include_str!("../templates/stage/example.rs.tmpl");
const README_MD: &str = include_str!("../templates/stage/README.md.tmpl");

pub fn run(args: Args) -> Result<()> {
    let root = workspace_root();
    let registry = StageRegistry::builtin();
    let plan = plan(&root, &registry, &args.name, &args.after)?;
    for (path, contents) in &plan.files {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "  {} {}",
            if plan.created.contains(path) {
                "created"
            } else {
                "edited "
            },
            path.strip_prefix(&root).unwrap_or(path).display()
        );
    }
    let krate = format!("dateline-{}", args.name);
    // rustfmt keeps the registration tidy whatever the name's length; only
    // the files written here are formatted.
    let formatted = Command::new("cargo")
        .current_dir(&root)
        .args(["fmt", "-p", &krate])
        .status()
        .and_then(|status| {
            Command::new("rustfmt")
                .current_dir(&root)
                .args(["--edition", "2021", "crates/dateline/src/stages.rs"])
                .status()
                .map(|more| status.success() && more.success())
        });
    if !matches!(formatted, Ok(true)) {
        eprintln!("warning: rustfmt did not run; format the new files before committing");
    }
    if !args.no_test {
        println!("running cargo test -p {krate} (writes the first snapshots)");
        let status = Command::new("cargo")
            .current_dir(&root)
            .args(["test", "-p", &krate])
            .env("INSTA_UPDATE", "always")
            .env_remove("CI")
            .status()
            .context("running cargo test")?;
        ensure!(status.success(), "cargo test -p {krate} failed");
    }
    println!(
        "\nstage {name} added as crates/{krate}.\n\
         next:\n  \
         - review the snapshots in crates/{krate}/tests/snapshots/ (they were written, not checked)\n  \
         - cargo run -p dateline -- run --stages {stages} fixtures/\n  \
         - replace {ty}::process in crates/{krate}/src/lib.rs with your stage's logic",
        name = args.name,
        stages = plan.example_stages,
        ty = type_name(&args.name),
    );
    Ok(())
}

/// Everything the scaffolder will write, computed before anything is.
#[derive(Debug)]
struct Plan {
    files: Vec<(PathBuf, String)>,
    created: Vec<PathBuf>,
    example_stages: String,
}

fn plan(root: &Path, registry: &StageRegistry, name: &str, after: &str) -> Result<Plan> {
    check_name(name)?;
    let krate = format!("dateline-{name}");
    let dir = root.join("crates").join(&krate);
    ensure!(
        registry.get(name).is_none() && !RESERVED.contains(&name),
        "{name} is already taken (by a registered stage, a workspace crate or a key of the JSONL \
         record); choose another name"
    );
    ensure!(
        !dir.exists(),
        "crates/{krate} already exists; choose another name"
    );
    let Some(after_spec) = registry.get(after) else {
        let known: Vec<&str> = registry.iter().map(|s| s.name).collect();
        bail!(
            "--after {after}: no such stage (known stages: {})",
            known.join(", ")
        );
    };

    let mut requires = vec![Layer::Tokens];
    for layer in after_spec.provides {
        if !requires.contains(layer) {
            requires.push(*layer);
        }
    }
    let example_stages = stage_chain(registry, after, name);
    let ident = krate.replace('-', "_");
    let ty = type_name(name);
    let vars: &[(&str, String)] = &[
        ("{{name}}", name.to_owned()),
        ("{{crate}}", krate.clone()),
        ("{{ident}}", ident.clone()),
        ("{{Type}}", ty.clone()),
        ("{{after}}", after.to_owned()),
        ("{{example_stages}}", example_stages.clone()),
        (
            "{{requires}}",
            requires
                .iter()
                .map(layer_literal)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "{{requires_text}}",
            requires
                .iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    let fill = |template: &str| {
        vars.iter().fold(template.to_owned(), |text, (key, value)| {
            text.replace(key, value)
        })
    };

    let mut files = vec![
        (dir.join("Cargo.toml"), fill(CARGO_TOML)),
        (dir.join("README.md"), fill(README_MD)),
        (dir.join("src/lib.rs"), fill(LIB_RS)),
        (dir.join("tests/snapshots.rs"), fill(SNAPSHOTS_RS)),
        (dir.join(format!("examples/{name}.rs")), fill(EXAMPLE_RS)),
    ];
    let created = files.iter().map(|(path, _)| path.clone()).collect();

    let manifest = root.join("Cargo.toml");
    let text = read(&manifest)?;
    let text = add_member(&text, &format!("crates/{krate}"))?;
    let text = add_workspace_dependency(&text, &krate)?;
    files.push((manifest, text));

    let driver = root.join("crates/dateline/Cargo.toml");
    let text = add_driver_dependency(&read(&driver)?, &krate)?;
    files.push((driver, text));

    let stages = root.join("crates/dateline/src/stages.rs");
    let text = register(&read(&stages)?, &ident, &ty)?;
    files.push((stages, text));

    Ok(Plan {
        files,
        created,
        example_stages,
    })
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// A stage name is the tail of a crate name and a layer key: lower-case
/// ASCII letters and digits in '-'-separated words, starting with a letter.
fn check_name(name: &str) -> Result<()> {
    let valid = name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.ends_with('-')
        && !name.contains("--");
    ensure!(
        valid,
        "{name:?} is not a valid stage name: use lower-case ASCII letters, digits and single \
         '-' between words, starting with a letter, at most 40 characters (the crate is \
         dateline-NAME)"
    );
    ensure!(
        !RESERVED_TYPES.contains(&type_name(name).as_str()),
        "{name:?} would name the stage type {}, which the generated code already uses; choose another name",
        type_name(name)
    );
    Ok(())
}

/// `lang-filter` -> `LangFilter`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn layer_literal(layer: &Layer) -> String {
    match layer {
        Layer::Tokens => "Layer::Tokens".into(),
        Layer::Sentences => "Layer::Sentences".into(),
        Layer::Entities => "Layer::Entities".into(),
        Layer::Custom(key) => format!("Layer::Custom({key:?})"),
    }
}

/// The stages a run needs to reach `name` after `after`: the chain that
/// provides `after`'s inputs, found through the registry, then `name`.
fn stage_chain(registry: &StageRegistry, after: &str, name: &str) -> String {
    let mut chain: Vec<&str> = Vec::new();
    let mut wanted = vec![after];
    while let Some(stage) = wanted.pop() {
        if chain.contains(&stage) {
            continue;
        }
        chain.push(stage);
        if let Some(spec) = registry.get(stage) {
            for layer in spec.requires.iter().chain([&Layer::Tokens]) {
                if let Some(provider) = registry.iter().find(|s| s.provides.contains(layer)) {
                    wanted.push(provider.name);
                }
            }
        }
    }
    // Registry order is pipeline order for the built-in stages.
    let mut ordered: Vec<&str> = registry
        .iter()
        .map(|s| s.name)
        .filter(|n| chain.contains(n))
        .collect();
    ordered.push(name);
    ordered.join(",")
}

/// Adds `path` to `[workspace] members`, after the last `crates/` entry.
fn add_member(manifest: &str, path: &str) -> Result<String> {
    let entry = format!("    \"{path}\",\n");
    ensure!(
        !manifest.contains(&format!("\"{path}\"")),
        "Cargo.toml already lists {path}"
    );
    let members = manifest
        .find("members = [")
        .context("Cargo.toml: no `members = [` list")?;
    let end = members
        + manifest[members..]
            .find("\n]")
            .context("Cargo.toml: the members list does not end with `]` on its own line")?
        + 1;
    let list = &manifest[members..end];
    let at = match list.rfind("\"crates/") {
        Some(i) => members + i + list[i..].find('\n').map_or(list.len() - i, |n| n + 1),
        None => end,
    };
    Ok(format!("{}{entry}{}", &manifest[..at], &manifest[at..]))
}

/// Adds `krate = { path = "crates/krate" }` to `[workspace.dependencies]`,
/// after the last dateline crate there.
fn add_workspace_dependency(manifest: &str, krate: &str) -> Result<String> {
    let section = manifest
        .find("[workspace.dependencies]\n")
        .context("Cargo.toml: no [workspace.dependencies] table")?;
    let line = format!("{krate} = {{ path = \"crates/{krate}\" }}\n");
    insert_after_last(manifest, section, "dateline", &line)
        .context("Cargo.toml: no dateline crate in [workspace.dependencies]")
}

/// Adds `krate.workspace = true` to the driver's `[dependencies]`.
fn add_driver_dependency(manifest: &str, krate: &str) -> Result<String> {
    let section = manifest
        .find("[dependencies]\n")
        .context("crates/dateline/Cargo.toml: no [dependencies] table")?;
    insert_after_last(
        manifest,
        section,
        "dateline-",
        &format!("{krate}.workspace = true\n"),
    )
    .context("crates/dateline/Cargo.toml: no dateline crate in [dependencies]")
}

/// Inserts `line` after the last line starting with `prefix` in the TOML
/// table that starts at `section`; `None` when there is none.
fn insert_after_last(text: &str, section: usize, prefix: &str, line: &str) -> Option<String> {
    let body = section + text[section..].find('\n')? + 1;
    let end = text[body..]
        .find("\n[")
        .map_or(text.len(), |i| body + i + 1);
    let mut at = None;
    let mut pos = body;
    for l in text[body..end].split_inclusive('\n') {
        if l.starts_with(prefix) {
            at = Some(pos + l.len());
        }
        pos += l.len();
    }
    let at = at?;
    Some(format!("{}{line}{}", &text[..at], &text[at..]))
}

/// Adds the stage's `StageSpec` above the marker in `stages.rs` and its
/// constructor at the end of the file.
fn register(stages: &str, ident: &str, ty: &str) -> Result<String> {
    let at = stages.find(STAGES_MARKER).with_context(|| {
        format!(
            "crates/dateline/src/stages.rs: the line {:?} is missing",
            STAGES_MARKER.trim()
        )
    })?;
    let spec = format!(
        "    StageSpec {{\n        \
             name: {ident}::{ty}::NAME,\n        \
             description: \"lists each document's most frequent content words\",\n        \
             requires: {ident}::{ty}::REQUIRES,\n        \
             provides: {ident}::{ty}::PROVIDES,\n        \
             build: build_{fn_name},\n    \
         }},\n",
        fn_name = ident.trim_start_matches("dateline_"),
    );
    let constructor = format!(
        "\nfn build_{fn_name}(_: &StageOptions) -> Result<Box<dyn Stage>, BuildError> {{\n    \
             Ok(Box::new({ident}::{ty}::default()))\n\
         }}\n",
        fn_name = ident.trim_start_matches("dateline_"),
    );
    let mut text = format!("{}{spec}{}", &stages[..at], &stages[at..]);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&constructor);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_crate_name_parts() {
        for good in ["keywords", "lang-filter", "ner2", "a"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Keywords",
            "2ner",
            "-x",
            "x-",
            "a--b",
            "key_words",
            "kéy",
            "key words",
            "doc",
            "stage-error",
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(type_name("lang-filter"), "LangFilter");
    }

    #[test]
    fn refuses_taken_names_and_unknown_after() {
        let root = workspace_root();
        let registry = StageRegistry::builtin();
        for taken in [
            "tokenize", "tag", "core", "render", "tests", "text", "entities",
        ] {
            let error = plan(&root, &registry, taken, "segment").unwrap_err();
            assert!(error.to_string().contains("already"), "{taken}: {error}");
        }
        let error = plan(&root, &registry, "keywords2", "lemmas").unwrap_err();
        assert!(error.to_string().contains("no such stage"), "{error}");
    }

    #[test]
    fn plans_every_file_and_edit() {
        let root = workspace_root();
        let registry = StageRegistry::builtin();
        let plan = plan(&root, &registry, "word-count", "tag").unwrap();
        assert_eq!(plan.example_stages, "tokenize,segment,tag,word-count");
        let file = |tail: &str| {
            &plan
                .files
                .iter()
                .find(|(p, _)| p.ends_with(tail))
                .unwrap_or_else(|| panic!("{tail} not planned"))
                .1
        };
        let lib = file("crates/dateline-word-count/src/lib.rs");
        assert!(lib.contains("pub struct WordCount"));
        assert!(lib.contains("&[Layer::Tokens, Layer::Entities]"));
        assert!(!lib.contains("{{"), "a placeholder was left");
        let manifest = &plan
            .files
            .iter()
            .find(|(p, _)| *p == root.join("Cargo.toml"))
            .unwrap()
            .1;
        assert!(manifest.contains("    \"crates/dateline-word-count\",\n"));
        assert!(
            manifest.contains("dateline-word-count = { path = \"crates/dateline-word-count\" }\n")
        );
        let stages = file("crates/dateline/src/stages.rs");
        assert!(stages.contains("build: build_word_count,"));
        assert!(stages.contains("fn build_word_count("));
        assert!(
            file("crates/dateline/Cargo.toml").contains("dateline-word-count.workspace = true\n")
        );
    }

    #[test]
    fn edits_land_in_their_tables() {
        let root = "[workspace]\nmembers = [\n    \"crates/dateline-core\",\n    \"crates/dateline\",\n    \"xtask\",\n]\n\n\
                    [workspace.dependencies]\ndateline-core = { path = \"crates/dateline-core\" }\ndateline = { path = \"crates/dateline\" }\n\nanyhow = \"1\"\n";
        let text = add_member(root, "crates/dateline-keywords").unwrap();
        let text = add_workspace_dependency(&text, "dateline-keywords").unwrap();
        assert_eq!(
            text,
            "[workspace]\nmembers = [\n    \"crates/dateline-core\",\n    \"crates/dateline\",\n    \"crates/dateline-keywords\",\n    \"xtask\",\n]\n\n\
             [workspace.dependencies]\ndateline-core = { path = \"crates/dateline-core\" }\ndateline = { path = \"crates/dateline\" }\n\
             dateline-keywords = { path = \"crates/dateline-keywords\" }\n\nanyhow = \"1\"\n"
        );
        assert!(add_member(&text, "crates/dateline-keywords").is_err());

        let driver = "[dependencies]\ndateline-core.workspace = true\ndateline-tag.workspace = true\nanyhow.workspace = true\n\n\
                      [dev-dependencies]\ndateline-tests = { path = \"../../tests\" }\n";
        assert_eq!(
            add_driver_dependency(driver, "dateline-keywords").unwrap(),
            "[dependencies]\ndateline-core.workspace = true\ndateline-tag.workspace = true\n\
             dateline-keywords.workspace = true\nanyhow.workspace = true\n\n\
             [dev-dependencies]\ndateline-tests = { path = \"../../tests\" }\n"
        );

        let stages = format!("const ADDED: &[StageSpec] = &[\n{STAGES_MARKER}];\n");
        let text = register(&stages, "dateline_keywords", "Keywords").unwrap();
        assert!(
            text.contains("    StageSpec {\n        name: dateline_keywords::Keywords::NAME,\n")
        );
        assert!(text.contains("build: build_keywords,\n    },\n    // new stages"));
        assert!(text.ends_with(
            "fn build_keywords(_: &StageOptions) -> Result<Box<dyn Stage>, BuildError> {\n    \
             Ok(Box::new(dateline_keywords::Keywords::default()))\n}\n"
        ));
        assert!(register("no marker", "dateline_k", "K").is_err());
    }
}
