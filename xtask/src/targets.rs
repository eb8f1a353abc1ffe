//! What `codegen` and `new-crate` produce, and how it is compared with the
//! files on disk (`--check`) and written (all or nothing as far as the file
//! system allows).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use keyfactor_generator::emit::Options;
use keyfactor_generator::{Generated, output};

use crate::{COMPAT_CRATES, manifest_path, root};

/// One generated directory, and the files beside it that go with it.
pub struct Target {
    pub dir: PathBuf,
    pub generated: Generated,
    /// Files outside `dir`, with their whole new contents.
    pub extras: Vec<(PathBuf, String)>,
}

/// The committed client (with its Cargo.toml feature block and type-name
/// lock) and the compatibility fixture crates.
pub fn workspace_targets(spec_dir: &Path) -> Result<Vec<Target>> {
    let root = root();
    let manifest = keyfactor_generator::release::Manifest::read(&manifest_path())?;
    let generated = keyfactor_generator::generate_release(&manifest_path(), Some(spec_dir))?;
    let mut extras = vec![cargo_toml_with_features(&root.join("generated-client/Cargo.toml"), &generated)?];
    if let Some(path) = manifest.type_names_path() {
        extras.push((path, keyfactor_generator::emit::type_names_lock(&generated.api)));
    }
    let mut targets = vec![Target { dir: root.join("generated-client/src/generated"), generated, extras }];
    for (krate, release, docs) in COMPAT_CRATES {
        let paths: Vec<PathBuf> = docs.iter().map(|d| root.join("spec/fixtures").join(d)).collect();
        let source = docs.iter().map(|d| format!("spec/fixtures/{d}")).collect::<Vec<_>>().join(" and ");
        let options = Options {
            release: release.to_string(),
            source,
            area_features: false,
            command: "cargo xtask codegen".into(),
        };
        let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        targets.push(Target {
            dir: root.join(format!("compat/{krate}/src/generated")),
            generated: keyfactor_generator::generate_files(&paths, &options)?,
            extras: Vec::new(),
        });
    }
    Ok(targets)
}

/// `path` with its generated block listing the area features anew.
fn cargo_toml_with_features(path: &Path, generated: &Generated) -> Result<(PathBuf, String)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let block = keyfactor_generator::emit::cargo_features(&generated.api);
    let new = output::replace_block(&text, &block).with_context(|| {
        format!("{} has no `{}` ... `{}` lines", path.display(), output::BLOCK_BEGIN, output::BLOCK_END)
    })?;
    Ok((path.to_path_buf(), new))
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

/// How the files on disk differ from what the documents give.
pub fn stale(targets: &[Target]) -> Vec<String> {
    let mut out = Vec::new();
    for t in targets {
        let rel = relative(&t.dir);
        out.extend(output::differences(&t.dir, &t.generated.files).into_iter().map(|d| format!("{rel}: {d}")));
        for (path, text) in &t.extras {
            if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
                out.push(format!("stale: {}", relative(path)));
            }
        }
    }
    out
}

/// Writes `target`: the files beside the directory are staged first, the
/// directory is swapped in, then they are moved into place, so that a
/// failure before the swap leaves everything as it was.
pub fn write(target: &Target) -> Result<()> {
    let rel = relative(&target.dir);
    let mut staged = Vec::new();
    for (path, text) in &target.extras {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let stage = path.with_file_name(format!(".{name}.new"));
        std::fs::write(&stage, text).with_context(|| format!("writing {}", stage.display()))?;
        staged.push((stage, path));
    }
    output::write_atomically(&target.dir, &target.generated.files).with_context(|| format!("writing {rel}"))?;
    for (stage, path) in staged {
        std::fs::rename(&stage, path).with_context(|| format!("writing {}", path.display()))?;
    }
    let ops = target.generated.api.operations().count();
    eprintln!("wrote {rel}: {ops} operations, {} types", target.generated.api.types.len());
    Ok(())
}

/// Writes the targets, or with `check` only reports how they differ from
/// the files; `what` names them in messages.
pub fn write_or_check(targets: &[Target], check: bool, what: &str, fix: &str) -> Result<bool> {
    for target in targets {
        eprint!("{}", target.generated.warnings);
    }
    if !check {
        targets.iter().try_for_each(write)?;
        return Ok(true);
    }
    let stale = stale(targets);
    if stale.is_empty() {
        eprintln!("{what} is up to date");
        return Ok(true);
    }
    eprintln!("{what} is stale; run `{fix}`:");
    for line in stale {
        eprintln!("  {line}");
    }
    Ok(false)
}
