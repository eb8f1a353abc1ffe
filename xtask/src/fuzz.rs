//! `cargo xtask fuzz`: the generator's structure-aware fuzzing on the release
//! documents (see `keyfactor_generator::fuzz`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use keyfactor_generator::fuzz::{self, Seed};

/// The release documents as mutation seeds: the small v2 document most of
/// the time (a case takes milliseconds), the large v1 document sometimes.
pub fn seeds(spec_dir: &Path) -> Result<Vec<Seed>> {
    let read = |file: &str, weight| -> Result<Seed> {
        let path = spec_dir.join(file);
        let text = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        Ok(Seed { name: file.to_string(), value: serde_json::from_slice(&text)?, weight })
    };
    Ok(vec![read("Keyfactor-Command-v25-v2.swagger.json", 19)?, read("Keyfactor-Command-v25-v1.swagger.json", 1)?])
}

pub fn run(spec_dir: &Path, seed: u64, first: usize, cases: usize, dump: Option<&Path>) -> Result<ExitCode> {
    let seeds = seeds(spec_dir)?;
    let started = Instant::now();
    let report = fuzz::run(&seeds, seed, first, cases);
    println!(
        "{} cases (seed {seed}, from {first}) in {:.1} s: {} generated, {} refused with an error, {} panics, {} errors without a pointer",
        report.cases,
        started.elapsed().as_secs_f64(),
        report.generated,
        report.errors,
        report.panics.len(),
        report.unlocated.len()
    );
    for (case, steps, message) in report.panics.iter().chain(&report.unlocated) {
        println!("  case {case}: {steps}\n    -> {message}");
        if let Some(dir) = dump {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(format!("case-{seed}-{case}.json")), fuzz::make_case(&seeds, seed, *case).text)?;
        }
    }
    let clean = report.panics.is_empty() && report.unlocated.is_empty();
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
