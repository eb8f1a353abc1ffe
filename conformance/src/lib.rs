//! Conformance of the generated client with what a real Keyfactor Command
//! server does: replays recorded traffic through the client (see [`replay`]).

use std::path::{Path, PathBuf};

pub mod replay;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("conformance lives in the workspace").to_path_buf()
}

/// The recordings kept in the repository (see `recordings/README.md`).
pub fn default_cassette_dir() -> PathBuf {
    root().join("conformance/recordings")
}

/// The model of the release the committed client is generated from, its
/// documents read from `spec_dir` or else from where the manifest keeps them.
pub fn release_model(spec_dir: Option<PathBuf>) -> anyhow::Result<keyfactor_generator::model::Api> {
    Ok(keyfactor_generator::generate_release(&root().join("spec/release.yaml"), spec_dir.as_deref())?.api)
}
