//! Writing the generated files: all or nothing, and comparing them with what
//! is committed.

use std::fs;
use std::path::{Path, PathBuf};

use crate::emit::Files;
use crate::error::{Error, Result};

/// Replaces the directory `dir` by exactly `files`.
///
/// The files are written to a temporary sibling directory first, which is
/// swapped in only when everything was written; a failure on the way leaves
/// `dir` as it was.
pub fn write_atomically(dir: &Path, files: &Files) -> Result<()> {
    recover(dir)?;
    let (parent, name) = parent_and_name(dir);
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    fs::create_dir_all(parent).map_err(write_err(parent))?;
    let staged = files.iter().try_for_each(|(rel, text)| {
        let path = staging.join(rel);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(write_err(p))?;
        }
        fs::write(&path, text).map_err(write_err(&path))
    });
    if let Err(e) = staged {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_old = dir.exists();
    if had_old {
        fs::rename(dir, &retired).map_err(write_err(dir))?;
    }
    if let Err(source) = fs::rename(&staging, dir) {
        if had_old {
            let _ = fs::rename(&retired, dir);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(Error::Write { path: dir.to_path_buf(), source });
    }
    if had_old {
        let _ = fs::remove_dir_all(&retired);
    }
    Ok(())
}

fn parent_and_name(dir: &Path) -> (&Path, &str) {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    (parent, dir.file_name().and_then(|n| n.to_str()).unwrap_or("generated"))
}

/// Repairs what an interrupted [`write_atomically`] can leave behind: staging
/// directories are removed, and if the run was stopped between moving the
/// old directory aside and moving the new one in, the old one is put back.
pub fn recover(dir: &Path) -> Result<()> {
    let (parent, name) = parent_and_name(dir);
    let Ok(entries) = fs::read_dir(parent) else { return Ok(()) };
    let mut leftovers: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!(".{name}.new-")) || n.starts_with(&format!(".{name}.old-")))
        })
        .collect();
    leftovers.sort();
    for path in leftovers {
        let is_old = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains(".old-"));
        if is_old && !dir.exists() {
            fs::rename(&path, dir).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
        } else {
            let _ = fs::remove_dir_all(&path);
        }
    }
    Ok(())
}

/// How the directory `dir` differs from `files`: one line per file, empty
/// when they are the same.
pub fn differences(dir: &Path, files: &Files) -> Vec<String> {
    let mut out = Vec::new();
    let on_disk = list_files(dir);
    for (rel, text) in files {
        match fs::read_to_string(dir.join(rel)) {
            Err(_) => out.push(format!("missing: {rel}")),
            Ok(old) if old != *text => out.push(format!("stale: {rel} ({})", first_difference(&old, text))),
            Ok(_) => {}
        }
    }
    for rel in on_disk {
        if !files.contains_key(&rel) {
            out.push(format!("not generated (remove it): {rel}"));
        }
    }
    out
}

fn first_difference(old: &str, new: &str) -> String {
    let (old_lines, new_lines) = (old.lines().count(), new.lines().count());
    match old.lines().zip(new.lines()).position(|(a, b)| a != b) {
        Some(i) => format!("first difference at line {}; {old_lines} lines committed, {new_lines} generated", i + 1),
        None => format!("{old_lines} lines committed, {new_lines} generated"),
    }
}

/// Relative paths (with `/`) of all files below `dir`, sorted.
fn list_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path: PathBuf = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Marks the start of a generated block inside a hand-written file.
pub const BLOCK_BEGIN: &str = "# @generated begin";
/// Marks its end.
pub const BLOCK_END: &str = "# @generated end";

/// `text` with the lines between the `BLOCK_BEGIN` and `BLOCK_END` marker
/// lines replaced by `block`; `None` when the markers are missing.
pub fn replace_block(text: &str, block: &str) -> Option<String> {
    let begin = text.find(BLOCK_BEGIN)?;
    let after_begin = begin + text[begin..].find('\n')? + 1;
    let end = after_begin + text[after_begin..].find(BLOCK_END)?;
    Some(format!("{}{block}{}", &text[..after_begin], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_between_markers_is_replaced_and_the_rest_kept() {
        let text = "a = 1\n# @generated begin: x\nold = 1\n# @generated end\nb = 2\n";
        assert_eq!(
            replace_block(text, "new = 2\n").unwrap(),
            "a = 1\n# @generated begin: x\nnew = 2\n# @generated end\nb = 2\n"
        );
        assert_eq!(replace_block("no markers", "x"), None);
    }

    /// Every file below `dir` with its bytes.
    fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
        list_files(dir).into_iter().map(|rel| (rel.clone(), fs::read(dir.join(&rel)).unwrap())).collect()
    }

    fn previous_output(root: &Path) -> PathBuf {
        let dir = root.join("generated");
        fs::create_dir_all(dir.join("operations")).unwrap();
        fs::write(dir.join("mod.rs"), "// previous\n").unwrap();
        fs::write(dir.join("operations/a.rs"), "// previous a\n").unwrap();
        dir
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output_byte_identical() {
        let root = tempfile::tempdir().unwrap();
        let dir = previous_output(root.path());
        let before = snapshot(&dir);
        // The second file cannot be created: a directory of that name is in the way.
        let files = Files::from([
            ("mod.rs".to_string(), "new".to_string()),
            ("x".to_string(), "file".to_string()),
            ("x/y.rs".to_string(), "blocked".to_string()),
        ]);
        let err = write_atomically(&dir, &files).unwrap_err();
        assert!(matches!(err, Error::Write { .. }), "{err}");
        assert_eq!(snapshot(&dir), before);
        let names: Vec<_> = fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["generated"], "no staging directory is left");
    }

    #[test]
    fn an_interrupted_write_is_recovered() {
        let root = tempfile::tempdir().unwrap();
        let dir = previous_output(root.path());
        let before = snapshot(&dir);
        // Stopped after moving the old output aside, before moving the new one in.
        let staged = root.path().join(".generated.new-1");
        fs::create_dir_all(&staged).unwrap();
        fs::write(staged.join("mod.rs"), "half").unwrap();
        fs::rename(&dir, root.path().join(".generated.old-1")).unwrap();
        recover(&dir).unwrap();
        assert_eq!(snapshot(&dir), before);
        let names: Vec<_> = fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["generated"]);
    }

    #[test]
    fn atomic_write_replaces_the_directory_and_leaves_no_staging() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("generated");
        std::fs::create_dir_all(target.join("old")).unwrap();
        std::fs::write(target.join("old/stale.rs"), "x").unwrap();
        let files = Files::from([("mod.rs".to_string(), "a".to_string()), ("sub/b.rs".to_string(), "b".to_string())]);
        write_atomically(&target, &files).unwrap();
        assert!(differences(&target, &files).is_empty());
        assert!(!target.join("old").exists());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["generated"]);
    }
}
