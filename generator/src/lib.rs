//! Generates the Keyfactor Command Rust client from Keyfactor's versioned
//! OpenAPI documents.
//!
//! Data flows one way: [`load`] reads the documents as published (repairing
//! their known quirks), [`model`] merges the versions into one model of every
//! endpoint and type, and [`emit`] writes Rust code from that model. Every
//! naming rule is in [`naming`].

pub mod build;
pub mod diff;
pub mod emit;
pub mod error;
#[cfg(feature = "fuzz")]
pub mod fuzz;
pub mod load;
pub mod model;
#[cfg(feature = "fuzz")]
pub mod mutate;
pub mod naming;
pub mod output;
pub mod overrides;
pub mod release;
pub mod warnings;

use std::path::Path;

pub use error::{Error, Result};

/// This generator's version, which crates it writes record (a newer
/// generator may write other code from the same documents).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub use warnings::Warnings;

/// The result of a generation run.
#[derive(Debug)]
pub struct Generated {
    pub api: model::Api,
    /// Files of the client's `src/generated` directory.
    pub files: emit::Files,
    pub warnings: Warnings,
}

/// Generates the client from already loaded documents.
pub fn generate(docs: &[load::Document], options: &emit::Options, warnings: Warnings) -> Result<Generated> {
    generate_locked(docs, &model::TypeNameLock::new(), options, warnings)
}

/// Like [`generate`], keeping the type names `lock` has.
pub fn generate_locked(
    docs: &[load::Document],
    lock: &model::TypeNameLock,
    options: &emit::Options,
    mut warnings: Warnings,
) -> Result<Generated> {
    let api = model::build_locked(docs, lock, &mut warnings)?;
    let files = emit::emit(&api, options);
    Ok(Generated { api, files, warnings })
}

/// Generates the client for the release described by the manifest at
/// `manifest`, reading its documents from `spec_dir`, else from the
/// manifest's own documents directory.
pub fn generate_release(manifest: &Path, spec_dir: Option<&Path>) -> Result<Generated> {
    let manifest = release::Manifest::read(manifest)?;
    let mut warnings = Warnings::default();
    let spec_dir = spec_dir.map_or_else(|| manifest.documents_dir(), Path::to_path_buf);
    let docs = release::load_release(&manifest, &spec_dir, &mut warnings)?;
    let source = format!("the Keyfactor Command release {} documents", manifest.release);
    let options = emit::Options {
        release: manifest.release.clone(),
        source,
        area_features: true,
        command: "cargo xtask codegen".into(),
    };
    generate_locked(&docs, &manifest.type_name_lock()?, &options, warnings)
}

/// Generates from the given document files (any number, one per version).
pub fn generate_files(paths: &[&Path], options: &emit::Options) -> Result<Generated> {
    generate_files_with(paths, &overrides::Overrides::default(), options)
}

/// Like [`generate_files`], applying `overrides` to the documents.
pub fn generate_files_with(
    paths: &[&Path],
    overrides: &overrides::Overrides,
    options: &emit::Options,
) -> Result<Generated> {
    let mut warnings = Warnings::default();
    let mut used = Vec::new();
    let mut docs = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let (doc, applied) = load::load_with_overrides(path, &bytes, overrides, &mut warnings)?;
        used.extend(applied);
        docs.push(doc);
    }
    overrides.check_all_used(&used)?;
    generate(&docs, options, warnings)
}
