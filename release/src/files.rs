//! What generation produces for a crate, and how it is compared with the
//! files on disk (`check`) and written (all or nothing as far as the file
//! system allows).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use keyfactor_generator::{Generated, output};

/// One generated directory, and the files beside it that go with it.
pub struct Target {
    pub dir: PathBuf,
    pub generated: Generated,
    /// Files outside `dir`, with their whole new contents.
    pub extras: Vec<(PathBuf, String)>,
}

/// `path` as messages name it: relative to `base` where it is below it.
pub fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).display().to_string()
}

/// How the files on disk differ from what the documents give (paths named
/// relative to `base`).
pub fn stale(targets: &[Target], base: &Path) -> Vec<String> {
    let relative = |path: &Path| relative(path, base);
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
pub fn write(target: &Target, base: &Path) -> Result<()> {
    let rel = relative(&target.dir, base);
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
/// the files; `what` names them in messages, `fix` is the command that
/// brings them up to date, paths are named relative to `base`.
pub fn write_or_check(targets: &[Target], check: bool, what: &str, fix: &str, base: &Path) -> Result<bool> {
    for target in targets {
        eprint!("{}", target.generated.warnings);
    }
    if !check {
        targets.iter().try_for_each(|t| write(t, base))?;
        return Ok(true);
    }
    let stale = stale(targets, base);
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
