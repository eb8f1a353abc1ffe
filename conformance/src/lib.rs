//! Conformance of the generated client with what a real Keyfactor Command
//! server does: replays recorded traffic through the client (see [`replay`]).

use std::path::{Path, PathBuf};

pub mod replay;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("conformance lives in the workspace").to_path_buf()
}

pub fn default_spec_dir() -> PathBuf {
    root().join("../shared/keyfactor-command-v25")
}

pub fn default_cassette_dir() -> PathBuf {
    root().join("../shared/keyfactor-cassettes")
}

/// The model of the release the committed client is generated from.
pub fn release_model(spec_dir: Option<PathBuf>) -> anyhow::Result<keyfactor_generator::model::Api> {
    let spec_dir = spec_dir.unwrap_or_else(default_spec_dir);
    Ok(keyfactor_generator::generate_release(&root().join("spec/release.yaml"), &spec_dir)?.api)
}
