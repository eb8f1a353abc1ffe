//! One generation of the client from the release documents, in memory
//! (nothing written); prints `<milliseconds> <peak KiB>`.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let manifest = PathBuf::from(args.next().expect("usage: bench-generate MANIFEST SPEC_DIR"));
    let spec_dir = PathBuf::from(args.next().expect("usage: bench-generate MANIFEST SPEC_DIR"));
    let started = Instant::now();
    let generated = keyfactor_generator::generate_release(&manifest, Some(&spec_dir)).expect("generation");
    let elapsed = started.elapsed();
    assert!(!generated.files.is_empty());
    println!("{:.3} {}", elapsed.as_secs_f64() * 1000.0, keyfactor_bench::peak_rss_kib().unwrap_or(0));
}
