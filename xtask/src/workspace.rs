//! This repository's client as the release workflow sees it: what `cargo
//! xtask codegen` generates where (the committed client with its Cargo.toml
//! feature block and type-name lock, and the compatibility fixture crates),
//! and where the client records its release for `cargo xtask upgrade`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use keyfactor_generator::emit::Options;
use keyfactor_generator::{Generated, output};
use keyfactor_release::files::Target;
use keyfactor_release::upgrade::ClientCrate;

use crate::{COMPAT_CRATES, manifest_path, root};

/// The committed client: its release in `spec/`, the hand-written
/// Cargo.toml with a generated features block, the changelog at the root.
pub fn client() -> ClientCrate {
    let root = root();
    ClientCrate {
        dir: root.join("generated-client"),
        manifest: manifest_path(),
        changelog: root.join("CHANGELOG.md"),
        cargo_lock: root.join("Cargo.lock"),
        whole: false,
        command: "cargo xtask codegen".into(),
        root,
    }
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
