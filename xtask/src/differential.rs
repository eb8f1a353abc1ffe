//! `cargo xtask differential`: the generator tested on releases nobody
//! tuned it for. Each pair cuts the release's documents down to a few tags
//! (`mutate::slice`) and makes a copy with a few release-like changes
//! (`mutate::mutate`: areas, operations, versions, parameters, fields,
//! namespaces, paging, bodies, responses, enum values, code names). Then,
//! in both directions of the upgrade, it generates the two clients as two
//! versions of one crate (the new one with the old one's type-name lock),
//! runs cargo-semver-checks and requires every finding to be among the items
//! the diff names ([`crate::semver::covering`]); and it builds the changed
//! client with `clippy -D warnings` with no area, all areas (with `mock` and
//! `dynamic`), and each area alone (one of them with `mock`). Any miss or
//! failure is a bug of the generator or of the diff. Reproducible from the
//! seed and the pair number.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use keyfactor_generator::diff;
use keyfactor_generator::mutate;
use keyfactor_generator::release::Manifest;
use serde_json::Value;

use crate::semver::write_client_crate;
use keyfactor_release::semver::{agrees, covering, findings, item_of, required, run_semver_checks};

#[derive(clap::Args)]
pub struct Args {
    /// How many pairs of releases.
    #[arg(long, default_value_t = 10)]
    pairs: usize,
    /// The first pair number (to resume or to rerun one pair).
    #[arg(long, default_value_t = 0)]
    first: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Changes per pair.
    #[arg(long, default_value_t = 4)]
    mutations: usize,
    /// Tags per slice of the release.
    #[arg(long, default_value_t = 4)]
    tags: usize,
    /// Start no pair after this many seconds.
    #[arg(long)]
    time_limit: Option<u64>,
    /// Skip cargo-semver-checks (compile checks only).
    #[arg(long)]
    no_semver: bool,
    /// Skip the compile checks.
    #[arg(long)]
    no_compile: bool,
    /// Print every finding with the change of the diff that covers it.
    #[arg(long)]
    verbose: bool,
    /// Keep each pair's documents and crates in this directory.
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Directory holding the release's documents (default: the `directory` of spec/release.yaml).
    #[arg(long, env = "KEYFACTOR_SPEC_DIR")]
    spec_dir: Option<PathBuf>,
}

/// What a run covered and found.
#[derive(Default)]
struct Tally {
    pairs: usize,
    upgrades: usize,
    findings: usize,
    missing: Vec<String>,
    crates: usize,
    feature_sets: usize,
    failures: Vec<String>,
    classes: BTreeSet<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let manifest = Manifest::read(&crate::manifest_path())?;
    let spec_dir = match &args.spec_dir {
        Some(dir) => dir.clone(),
        None => manifest.documents_dir(),
    };
    let files: Vec<String> = manifest.documents.iter().map(|d| d.file.clone()).collect();
    let docs: Vec<Value> = files
        .iter()
        .map(|f| -> Result<Value> {
            let path = spec_dir.join(f);
            serde_json::from_slice(&std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?)
                .with_context(|| format!("parsing {}", path.display()))
        })
        .collect::<Result<_>>()?;
    // Outside the workspace (cargo would take crates below it for members).
    let work = std::env::temp_dir().join(format!("keyfactor-differential-{}", std::process::id()));
    let started = Instant::now();
    let mut tally = Tally::default();
    let result = (|| -> Result<()> {
        for pair in args.first..args.first + args.pairs {
            if args.time_limit.is_some_and(|limit| started.elapsed() > Duration::from_secs(limit)) {
                println!("time limit reached after {} pair(s)", tally.pairs);
                break;
            }
            let dir = match &args.keep {
                Some(keep) => keep.join(format!("pair-{}-{pair}", args.seed)),
                None => work.join(format!("pair-{pair}")),
            };
            run_pair(&args, &docs, &files, pair, &dir, &mut tally)?;
            if args.keep.is_none() {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&work);
    result?;
    println!(
        "\n{} pair(s) in {:.0} s (seed {}): {} upgrade(s) checked by cargo-semver-checks, {} finding(s), {} not in the diff; \
         {} crate(s) built with {} feature set(s), {} failed; change classes: {}",
        tally.pairs,
        started.elapsed().as_secs_f64(),
        args.seed,
        tally.upgrades,
        tally.findings,
        tally.missing.len(),
        tally.crates,
        tally.feature_sets,
        tally.failures.len(),
        tally.classes.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    for line in tally.missing.iter().chain(&tally.failures) {
        println!("  {line}");
    }
    let clean = tally.missing.is_empty() && tally.failures.is_empty();
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn run_pair(args: &Args, docs: &[Value], files: &[String], pair: usize, dir: &Path, tally: &mut Tally) -> Result<()> {
    let pair_seed = args.seed.wrapping_mul(1_000_003).wrapping_add(pair as u64);
    let tags = mutate::pick_tags(docs, pair_seed, args.tags);
    let base = mutate::slice(docs, &tags);
    let mut changed = base.clone();
    let steps = mutate::mutate(&mut changed, pair_seed, args.mutations);
    tally.pairs += 1;
    tally.classes.extend(steps.iter().filter_map(|s| s.split(':').next().map(str::to_string)));
    println!("pair {pair} (seed {}): tags {}", args.seed, tags.iter().cloned().collect::<Vec<_>>().join(", "));
    for step in &steps {
        println!("  {step}");
    }
    let label = format!("pair {pair} (seed {})", args.seed);
    let (base_dir, changed_dir) = (dir.join("spec-base"), dir.join("spec-changed"));
    write_docs(&base_dir, files, &base)?;
    write_docs(&changed_dir, files, &changed)?;
    if !args.no_semver {
        for (old, new, direction) in [(&base_dir, &changed_dir, "forward"), (&changed_dir, &base_dir, "backward")] {
            upgrade(old, new, &dir.join("crates"), &format!("{label} {direction}"), args.verbose, tally)?;
        }
    }
    if !args.no_compile {
        let krate = dir.join("crates/changed");
        match write_crate(&krate, &changed_dir, "changed", None) {
            Ok(()) => compile_areas(&krate, &label, tally)?,
            Err(e) => tally.failures.push(format!("{label}: generating the changed client failed: {e:#}")),
        }
    }
    Ok(())
}

fn write_docs(dir: &Path, files: &[String], docs: &[Value]) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for (file, doc) in files.iter().zip(docs) {
        std::fs::write(dir.join(file), serde_json::to_vec(doc)?)?;
    }
    Ok(())
}

/// A client crate of `release` under the name every crate of a run shares
/// (so that cargo-semver-checks compares them).
fn write_crate(out: &Path, spec: &Path, release: &str, lock: Option<&Path>) -> Result<()> {
    write_client_crate(&crate::tools_root(), out, spec, "keyfactor-differential-client", release, lock)
}

/// The upgrade from the release in `old` to the one in `new`: every finding
/// of cargo-semver-checks must be in the diff.
fn upgrade(old: &Path, new: &Path, crates: &Path, label: &str, verbose: bool, tally: &mut Tally) -> Result<()> {
    let (old_crate, new_crate) = (crates.join("old"), crates.join("new"));
    let made = write_crate(&old_crate, old, "old", None)
        .and_then(|()| write_crate(&new_crate, new, "new", Some(&old_crate.join("type-names.lock"))));
    if let Err(e) = made {
        tally.failures.push(format!("{label}: generating the clients failed: {e:#}"));
        return Ok(());
    }
    let target = crate::tools_root().join("target/differential");
    let (stdout, stderr) = match run_semver_checks(crates, &target) {
        Ok(output) => output,
        Err(e) => {
            tally.failures.push(format!("{label}: {e:#}"));
            return Ok(());
        }
    };
    let lock = diff::read_lock(&old_crate.join("type-names.lock"))?;
    let report = diff::compare(&diff::load_dir(old, &lock)?, &diff::load_dir(new, &lock)?, "old", "new");
    let found = findings(&stdout);
    tally.upgrades += 1;
    tally.findings += found.len();
    let mut missing = 0;
    for finding in &found {
        let covered = covering(&report, finding);
        if let (true, Some(change)) = (verbose, covered) {
            println!(
                "    ok {}: {} <- {} {}: {}",
                finding.lint,
                item_of(finding),
                change.kind.name(),
                change.subject,
                change.detail
            );
        }
        if covered.is_none() {
            missing += 1;
            let line = format!("{label}: MISSING {}: {} ({})", finding.lint, item_of(finding), finding.item);
            println!("  {line}");
            tally.missing.push(line);
        }
    }
    let output = format!("{stdout}{stderr}");
    if !agrees(required(&output), report.bump()) {
        tally.missing.push(format!(
            "{label}: cargo-semver-checks requires {}, the diff calls for {:?}",
            required(&output).unwrap_or("nothing"),
            report.bump()
        ));
    }
    println!(
        "  {label}: {} finding(s), {missing} not in the diff; {} change(s) in the diff",
        found.len(),
        report.changes.len()
    );
    Ok(())
}

/// `clippy -D warnings` on the crate with no area, all, and each alone.
fn compile_areas(krate: &Path, label: &str, tally: &mut Tally) -> Result<()> {
    let areas = keyfactor_release::features::area_features_of(&krate.join("Cargo.toml"))?;
    let mut sets: Vec<Vec<String>> =
        vec![vec![], vec!["all-areas".into(), "cli".into(), "mock".into(), "dynamic".into()]];
    sets.extend(areas.iter().map(|a| vec![a.clone()]));
    if let Some(first) = areas.first() {
        sets.push(vec![first.clone(), "mock".into()]);
    }
    tally.crates += 1;
    let target = crate::tools_root().join("target/differential");
    for set in sets {
        tally.feature_sets += 1;
        if let Err(message) = keyfactor_release::features::clippy(krate, &target, &set)? {
            let set = if set.is_empty() { "no area".to_string() } else { set.join(",") };
            tally.failures.push(format!("{label}: the changed client fails with {set}:\n{message}"));
        }
    }
    Ok(())
}
