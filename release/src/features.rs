//! A client crate built with each of its feature sets: every area alone,
//! none, and all (with `mock` and `dynamic`), by `cargo clippy -D warnings`
//! (`check-features`; `cargo xtask differential` builds its crates so too).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The area features of a client crate: the features its Cargo.toml's
/// `all-areas` turns on.
pub fn area_features_of(manifest: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let line = text.lines().find_map(|l| l.trim().strip_prefix("all-areas = [")).with_context(|| {
        format!("{} has no `all-areas` feature: is it a generated client crate?", manifest.display())
    })?;
    Ok(line
        .trim_end_matches(']')
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_string())
        .filter(|f| !f.is_empty())
        .collect())
}

/// `cargo clippy -D warnings` on the library of the crate at `manifest`
/// (a Cargo.toml, or the directory holding it) with only `features`; the
/// error output when it fails.
pub fn clippy(manifest: &Path, target: &Path, features: &[String]) -> Result<std::result::Result<(), String>> {
    let manifest = if manifest.is_dir() { manifest.join("Cargo.toml") } else { manifest.to_path_buf() };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(&cargo)
        .env("CARGO_TARGET_DIR", target)
        .args(["clippy", "--quiet", "--lib", "--no-default-features", "--manifest-path"])
        .arg(&manifest)
        .args(["--features", &features.join(","), "--", "-D", "warnings"])
        .output()
        .context("running cargo clippy")?;
    if output.status.success() {
        return Ok(Ok(()));
    }
    let text = String::from_utf8_lossy(&output.stderr);
    Ok(Err(text.lines().take(40).collect::<Vec<_>>().join("\n")))
}

/// `check-features`: the crate at `manifest` (a Cargo.toml) builds without warnings with all
/// areas (and `cli`, `mock`, `dynamic`), with none, and with each area alone.
pub fn check_features(manifest: &Path) -> Result<bool> {
    let areas = area_features_of(manifest)?;
    let mut sets: Vec<Vec<String>> =
        vec![vec!["all-areas".into(), "cli".into(), "dynamic".into(), "mock".into()], vec![]];
    sets.extend(areas.iter().map(|a| vec![a.clone()]));
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| target_dir_of(dir));
    let mut failed = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let label = if set.is_empty() { "no area".to_string() } else { set.join(",") };
        eprintln!("[{}/{}] {label}", i + 1, sets.len());
        if let Err(message) = clippy(manifest, &target, set)? {
            eprintln!("{message}");
            failed.push(label);
        }
    }
    if failed.is_empty() {
        eprintln!("all {} feature sets build without warnings", sets.len());
        return Ok(true);
    }
    eprintln!("feature sets that fail: {}", failed.join(" "));
    Ok(false)
}

/// The target directory cargo uses for the crate in `dir`: its workspace's
/// (`cargo metadata`), else `dir/target`.
pub fn target_dir_of(dir: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .current_dir(dir)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output();
    output
        .ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .and_then(|v| v["target_directory"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| dir.join("target"))
}
