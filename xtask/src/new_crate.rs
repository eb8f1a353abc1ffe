//! `cargo xtask new-crate`: `cargo keyfactor new` run from this checkout,
//! with this checkout's runtime (by path) as the default runtime.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use keyfactor_generator::emit::package::RuntimeDependency;
use keyfactor_release::client_crate::{NewCrate, new_crate, path_from};
use keyfactor_release::files::write_or_check;

#[derive(clap::Args)]
pub struct Args {
    /// The release's documents: the `release.yaml` there names them (with
    /// sha256 and overrides), else every `*.json` / `*.yaml` document in it.
    /// With --from-server, where the fetched documents go (default: target/new-crate-fetch).
    #[arg(long)]
    spec_dir: Option<PathBuf>,
    /// The crate's directory (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// The crate's name, e.g. `keyfactor-client-10`.
    #[arg(long)]
    name: String,
    /// The release's name (default: the manifest's, else the directory's name).
    #[arg(long)]
    release: Option<String>,
    /// Where the crate takes `keyfactor-runtime` from: `path=DIR` (relative to
    /// OUT; default: this repository's `runtime/`), `git=URL` or `version=X`.
    #[arg(long)]
    runtime: Option<RuntimeDependency>,
    /// First fetch the documents from this server (the API base, e.g.
    /// `https://HOST/KeyfactorAPI`), as `cargo xtask fetch-spec` does.
    #[arg(long)]
    from_server: Option<String>,
    /// Give the crate the `keyfactor` command line (a binary with feature `cli`).
    #[arg(long)]
    cli: bool,
    /// Write nothing; fail when the crate differs from what the documents give.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let spec_dir = match (&args.spec_dir, &args.from_server) {
        (_, Some(_)) if args.check => bail!("--check compares with documents on disk; drop --from-server"),
        (dir, Some(url)) => {
            let default = crate::root().join("target/new-crate-fetch");
            crate::fetch(url, dir.as_ref().unwrap_or(&default), &args.release)?
        }
        (Some(dir), None) => dir.clone(),
        (None, None) => bail!("--spec-dir DIR (the release's documents) or --from-server URL is needed"),
    };
    let runtime = match args.runtime {
        Some(runtime) => runtime,
        None => RuntimeDependency::Path(path_from(&crate::tools_root().join("runtime"), &args.out)?),
    };
    let new = NewCrate {
        spec_dir: &spec_dir,
        out: &args.out,
        name: &args.name,
        release: args.release.as_deref(),
        runtime,
        cli: args.cli,
    };
    let target = new_crate(&new)?;
    let fix = format!(
        "cargo xtask new-crate --spec-dir {} --out {} --name {}",
        spec_dir.display(),
        args.out.display(),
        args.name
    );
    let what = format!("the crate in {}", args.out.display());
    let ok = write_or_check(std::slice::from_ref(&target), args.check, &what, &fix, &args.out)?;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
