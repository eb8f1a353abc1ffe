//! A release manifest names the documents that make up one Keyfactor release,
//! with their sha256, so that generation always reads exactly the documents
//! the committed client was made from.
//!
//! ```yaml
//! release: "25"
//! directory: keyfactor-command-25   # where the documents are, beside the manifest
//! documents:
//!   - file: Keyfactor-Command-v25-v1.swagger.json
//!     sha256: 0f3b82...
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::load::{Document, load_with_overrides};
use crate::model::TypeNameLock;
use crate::overrides::Overrides;
use crate::warnings::Warnings;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub release: String,
    /// Where the documents are kept, relative to the manifest (default: the
    /// manifest's own directory); `--spec-dir` reads them from elsewhere.
    #[serde(default)]
    pub directory: Option<PathBuf>,
    pub documents: Vec<ManifestEntry>,
    /// Corrections to the documents (see [`crate::overrides`]), relative to the manifest.
    #[serde(default)]
    pub overrides: Option<PathBuf>,
    /// The type-name lock (see [`crate::emit::type_names_lock`]), relative to
    /// the manifest; it may not exist yet.
    #[serde(default)]
    pub type_names: Option<PathBuf>,
    /// The version of the generator that wrote the crate (crates written by
    /// `cargo keyfactor new`), so that `check` can tell a changed generator
    /// from changed files.
    #[serde(default)]
    pub generator: Option<String>,
    /// The directory of the manifest file.
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub file: String,
    pub sha256: String,
}

impl Manifest {
    /// A manifest naming nothing, to fill in.
    pub fn empty() -> Self {
        Manifest {
            release: String::new(),
            directory: None,
            documents: Vec::new(),
            overrides: None,
            type_names: None,
            generator: None,
            dir: PathBuf::new(),
        }
    }

    /// The release whose documents are in `dir`: its `release.yaml`, else
    /// every `*.json`, `*.yaml` and `*.yml` document in it (by name, with the
    /// sha256 they have), released as `release` or else as the directory's name.
    pub fn for_dir(dir: &Path, release: Option<&str>) -> Result<Self> {
        let manifest = dir.join("release.yaml");
        if manifest.exists() {
            let mut manifest = Manifest::read(&manifest)?;
            if let Some(release) = release {
                manifest.release = release.to_string();
            }
            // The documents are read from `dir`, wherever the manifest says they are kept.
            manifest.directory = None;
            return Ok(manifest);
        }
        let read_dir = std::fs::read_dir(dir).map_err(|source| Error::Read { path: dir.to_path_buf(), source })?;
        let mut files: Vec<PathBuf> = read_dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json" || e == "yaml" || e == "yml"))
            .filter(|p| p.file_name().is_some_and(|n| n != "overrides.yaml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Spec {
                path: dir.to_path_buf(),
                message: "holds no release.yaml and no *.json / *.yaml document".into(),
            });
        }
        let documents = files
            .iter()
            .map(|path| {
                let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.clone(), source })?;
                let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                Ok(ManifestEntry { file, sha256: sha256_hex(&bytes) })
            })
            .collect::<Result<Vec<_>>>()?;
        let name = dir.canonicalize().ok().and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
        Ok(Manifest {
            release: release.map(str::to_string).or(name).unwrap_or_else(|| "unnamed".into()),
            documents,
            dir: dir.to_path_buf(),
            ..Manifest::empty()
        })
    }

    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.into(), source })?;
        let mut manifest: Manifest =
            serde_yaml::from_str(&text).map_err(|e| Error::doc(path, "", format!("invalid release manifest: {e}")))?;
        manifest.dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok(manifest)
    }

    /// The manifest as YAML, under `header` (comment lines, each `# `-prefixed
    /// by the caller); [`Manifest::read`] reads it back.
    pub fn to_yaml(&self, header: &str) -> String {
        let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
        // Names and paths stay plain where YAML reads them back as the same text.
        let scalar = |text: &str| {
            let plain = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '.')
                && text.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
            if plain { text.to_string() } else { quoted(text) }
        };
        let mut out = header.to_string();
        out.push_str(&format!("release: {}\n", quoted(&self.release)));
        let paths = [("directory", &self.directory), ("overrides", &self.overrides), ("type_names", &self.type_names)];
        for (key, path) in paths {
            if let Some(path) = path {
                out.push_str(&format!("{key}: {}\n", scalar(&path.to_string_lossy().replace('\\', "/"))));
            }
        }
        if let Some(generator) = &self.generator {
            out.push_str(&format!("generator: {}\n", quoted(generator)));
        }
        out.push_str("documents:\n");
        for entry in &self.documents {
            out.push_str(&format!(
                "  - file: {}\n    sha256: {}\n",
                scalar(&entry.file),
                entry.sha256.to_ascii_lowercase()
            ));
        }
        out
    }

    /// The directory the documents are read from unless another is given.
    pub fn documents_dir(&self) -> PathBuf {
        match &self.directory {
            Some(dir) => self.dir.join(dir),
            None => self.dir.clone(),
        }
    }

    /// The type-name lock's path, if the manifest names one.
    pub fn type_names_path(&self) -> Option<PathBuf> {
        self.type_names.as_ref().map(|f| self.dir.join(f))
    }

    /// The locked type names (none when there is no lock yet).
    pub fn type_name_lock(&self) -> Result<TypeNameLock> {
        match self.type_names_path() {
            Some(path) => read_type_name_lock(&path),
            None => Ok(TypeNameLock::new()),
        }
    }

    /// The overrides the manifest names (none when it names none).
    pub fn overrides(&self) -> Result<Overrides> {
        match &self.overrides {
            Some(file) => Ok(Overrides::read(&self.dir.join(file))?.with_type_names(&self.type_name_lock()?)),
            None => Ok(Overrides::default()),
        }
    }
}

/// Reads a type-name lock (as codegen writes it); none when the file does not exist.
pub fn read_type_name_lock(path: &Path) -> Result<TypeNameLock> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TypeNameLock::new()),
        Err(source) => return Err(Error::Read { path: path.to_path_buf(), source }),
    };
    let map: std::collections::BTreeMap<String, String> =
        serde_yaml::from_str(&text).map_err(|e| Error::doc(path, "", format!("invalid type-name lock: {e}")))?;
    Ok(map
        .into_iter()
        .map(|(key, name)| {
            let (schema, suffix) = key.split_once('#').unwrap_or((&key, ""));
            ((schema.to_string(), suffix.to_string()), name)
        })
        .collect())
}

/// Hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Loads every document of `manifest` from `spec_dir`, checking each
/// checksum and applying the manifest's overrides.
pub fn load_release(manifest: &Manifest, spec_dir: &Path, warnings: &mut Warnings) -> Result<Vec<Document>> {
    let overrides = manifest.overrides()?;
    let (docs, used) = load_release_with(manifest, spec_dir, &overrides, warnings)?;
    overrides.check_all_used(&used)?;
    Ok(docs)
}

/// Like [`load_release`] with `overrides` instead of the manifest's; also
/// returns which overrides applied (the others are stale, see
/// [`Overrides::stale`]).
pub fn load_release_with(
    manifest: &Manifest,
    spec_dir: &Path,
    overrides: &Overrides,
    warnings: &mut Warnings,
) -> Result<(Vec<Document>, Vec<usize>)> {
    let mut used = Vec::new();
    let mut docs = Vec::new();
    for entry in &manifest.documents {
        let path: PathBuf = spec_dir.join(&entry.file);
        let bytes = std::fs::read(&path).map_err(|e| Error::Spec {
            path: path.clone(),
            message: format!("document of release {} not found ({e})", manifest.release),
        })?;
        let actual = sha256_hex(&bytes);
        if !actual.eq_ignore_ascii_case(&entry.sha256) {
            return Err(Error::Spec {
                path,
                message: format!(
                    "sha256 is {actual}, the release manifest expects {}; the file is not the published document of release {}",
                    entry.sha256, manifest.release
                ),
            });
        }
        let (doc, applied) = load_with_overrides(&path, &bytes, overrides, warnings)?;
        used.extend(applied);
        docs.push(doc);
    }
    Ok((docs, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_written_as_yaml_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest {
            release: "25.5".into(),
            directory: Some("keyfactor-command-25.5".into()),
            overrides: Some("overrides.yaml".into()),
            type_names: Some("../type-names.lock".into()),
            generator: Some("0.1.0".into()),
            documents: vec![
                ManifestEntry { file: "v1.json".into(), sha256: "AB".into() },
                ManifestEntry { file: "a b: c.yaml".into(), sha256: "cd".into() },
            ],
            dir: PathBuf::new(),
        };
        let path = dir.path().join("release.yaml");
        std::fs::write(&path, manifest.to_yaml("# header\n")).unwrap();
        let read = Manifest::read(&path).unwrap();
        assert_eq!(read.release, "25.5");
        assert_eq!(read.directory, manifest.directory);
        assert_eq!(read.overrides, manifest.overrides);
        assert_eq!(read.type_names, manifest.type_names);
        assert_eq!(read.generator, manifest.generator);
        let files: Vec<_> = read.documents.iter().map(|d| (d.file.as_str(), d.sha256.as_str())).collect();
        assert_eq!(files, [("v1.json", "ab"), ("a b: c.yaml", "cd")]);
    }
}
