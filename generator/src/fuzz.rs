//! Structure-aware fuzzing of the whole generator (feature `fuzz`; run by
//! `cargo xtask fuzz`). Each case takes one of the given documents, applies a
//! few mutations to its JSON tree (drop, duplicate, retype or rename a node,
//! put a hostile string somewhere), sometimes truncates the text, and runs
//! load, model and emit. The generator must return `Ok` or an error that
//! names the file and a JSON pointer; a panic is a finding. Cases are
//! reproducible from the seed and the case number.

use std::panic::AssertUnwindSafe;
use std::path::Path;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::{Error, Warnings, emit, load, model};

/// One document to mutate.
pub struct Seed {
    pub name: String,
    pub value: Value,
    /// How often this document is picked, relative to the others.
    pub weight: u32,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    pub cases: usize,
    pub generated: usize,
    pub errors: usize,
    /// (case, what was done, panic message)
    pub panics: Vec<(usize, String, String)>,
    /// (case, what was done, error) for errors without `#` and a pointer.
    pub unlocated: Vec<(usize, String, String)>,
}

/// A mutated document: its text and what was done to it.
pub struct Case {
    pub text: Vec<u8>,
    pub steps: Vec<String>,
}

/// Runs cases `first..first + count` with `seed`.
pub fn run(seeds: &[Seed], seed: u64, first: usize, count: usize) -> Report {
    let mut report = Report::default();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for case_number in first..first + count {
        let case = make_case(seeds, seed, case_number);
        report.cases += 1;
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| generate(&case.text)));
        let steps = case.steps.join("; ");
        match outcome {
            Ok(Ok(())) => report.generated += 1,
            Ok(Err(e)) => {
                report.errors += 1;
                if !located(&e) {
                    report.unlocated.push((case_number, steps, e.to_string()));
                }
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                report.panics.push((case_number, steps, message));
            }
        }
    }
    std::panic::set_hook(previous_hook);
    report
}

fn generate(text: &[u8]) -> crate::Result<()> {
    let mut warnings = Warnings::default();
    let doc = load::load_bytes(Path::new("fuzz.json"), text, &mut warnings)?;
    let api = model::build(std::slice::from_ref(&doc), &mut warnings)?;
    let files = emit::emit(
        &api,
        &emit::Options {
            release: "fuzz".into(),
            source: "fuzz".into(),
            area_features: true,
            command: "cargo xtask fuzz".into(),
        },
    );
    assert!(files.contains_key("mod.rs"));
    Ok(())
}

/// Document errors carry the file and a pointer (`file#/...`, or `file#`
/// for the document as a whole).
fn located(e: &Error) -> bool {
    match e {
        Error::Document { file, pointer, .. } => {
            file == Path::new("fuzz.json") && (pointer.is_empty() || pointer.starts_with('/'))
        }
        _ => false,
    }
}

/// The mutated document of case `case_number`.
pub fn make_case(seeds: &[Seed], seed: u64, case_number: usize) -> Case {
    let mut rng = SmallRng::seed_from_u64(seed ^ (case_number as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let total: u32 = seeds.iter().map(|s| s.weight).sum();
    let source = pick(seeds, rng.random_range(0..total.max(1)));
    let mut value = source.value.clone();
    let mut steps = vec![format!("from {}", source.name)];
    for _ in 0..rng.random_range(1..=3) {
        steps.push(mutate(&mut value, &mut rng));
    }
    let mut text = serde_json::to_vec(&value).unwrap_or_default();
    if rng.random_ratio(1, 20) {
        let cut = rng.random_range(0..text.len().max(1));
        text.truncate(cut);
        steps.push(format!("truncated at byte {cut}"));
    }
    Case { text, steps }
}

/// The seed that the weighted draw `n` falls on.
fn pick(seeds: &[Seed], mut n: u32) -> &Seed {
    for seed in seeds {
        if n < seed.weight {
            return seed;
        }
        n -= seed.weight;
    }
    &seeds[0]
}

/// Strings that have broken generators before: references that go nowhere,
/// names that are keywords or not identifiers, path templates.
const HOSTILE: &[&str] = &[
    "",
    "type",
    "Self",
    "self",
    "crate",
    "123abc",
    "a-b.c d",
    "ünïcödé",
    "日本語",
    "#/components/schemas/Nope",
    "#/components/schemas/",
    "other.json#/components/schemas/X",
    "https://example.com/x.json",
    "{id}",
    "/{id}/{id}",
    "/a/{",
    "~1~0",
    "int32",
    "date-span",
    "3.1.0",
    "2.0",
    "\u{0}",
];

fn hostile_value(rng: &mut SmallRng) -> Value {
    match rng.random_range(0..8) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => Value::from(rng.random_range(-3i64..1_000_000)),
        3 => Value::from(f64::from(rng.random_range(-1.0f32..1.0))),
        4 => Value::Array(Vec::new()),
        5 => Value::Object(serde_json::Map::new()),
        6 => serde_json::json!({ "$ref": HOSTILE[rng.random_range(0..HOSTILE.len())] }),
        _ => Value::from(HOSTILE[rng.random_range(0..HOSTILE.len())]),
    }
}

/// Applies one mutation at a random node; says what it did.
fn mutate(root: &mut Value, rng: &mut SmallRng) -> String {
    let (path, node) = random_node(root, rng);
    let at = crate::error::pointer(path.iter().map(String::as_str));
    match rng.random_range(0..6) {
        0 => match node {
            Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(rng.random_range(0..map.len())).cloned().unwrap_or_default();
                map.shift_remove(&key);
                format!("dropped {at}/{key}")
            }
            Value::Array(items) if !items.is_empty() => {
                let i = rng.random_range(0..items.len());
                items.remove(i);
                format!("dropped {at}/{i}")
            }
            other => {
                *other = Value::Null;
                format!("nulled {at}")
            }
        },
        1 => match node {
            Value::Object(map) if !map.is_empty() => {
                let (key, value) =
                    map.iter().nth(rng.random_range(0..map.len())).map(|(k, v)| (k.clone(), v.clone())).unwrap();
                let copy = format!("{key}{}", HOSTILE[rng.random_range(0..HOSTILE.len())]);
                map.insert(copy.clone(), value);
                format!("duplicated {at}/{key} as {copy:?}")
            }
            Value::Array(items) if !items.is_empty() => {
                let item = items[rng.random_range(0..items.len())].clone();
                items.push(item);
                format!("duplicated an item of {at}")
            }
            other => {
                *other = Value::Array(vec![other.clone(), other.clone()]);
                format!("doubled {at} into an array")
            }
        },
        2 => {
            let new = hostile_value(rng);
            let description = format!("retyped {at} to {new}");
            *node = new;
            description
        }
        3 => {
            // Same JSON type, hostile content: these reach the model and the
            // emitter rather than stopping at the parser.
            let new = match &*node {
                Value::String(_) => Value::from(HOSTILE[rng.random_range(0..HOSTILE.len())]),
                Value::Number(_) => Value::from(rng.random_range(-2i64..70_000)),
                Value::Bool(b) => Value::Bool(!b),
                Value::Object(_) => serde_json::json!({ "$ref": HOSTILE[rng.random_range(0..HOSTILE.len())] }),
                _ => hostile_value(rng),
            };
            let description = format!("replaced {at} with {new}");
            *node = new;
            description
        }
        _ => match node {
            Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(rng.random_range(0..map.len())).cloned().unwrap_or_default();
                let new = match rng.random_range(0..3) {
                    0 => key.to_ascii_uppercase(),
                    1 => format!("{key}_"),
                    _ => HOSTILE[rng.random_range(0..HOSTILE.len())].to_string(),
                };
                if let Some(value) = map.shift_remove(&key) {
                    map.insert(new.clone(), value);
                }
                format!("renamed {at}/{key} to {new:?}")
            }
            other => {
                *other = hostile_value(rng);
                format!("replaced {at}")
            }
        },
    }
}

/// A random node: descends from the root, rarely stopping near the top
/// (where most mutations only make the document unreadable) and more often
/// deeper down. Returns its path and the node.
fn random_node<'v>(root: &'v mut Value, rng: &mut SmallRng) -> (Vec<String>, &'v mut Value) {
    let mut path = Vec::new();
    let mut node = root;
    loop {
        let stop = if path.len() < 3 { rng.random_ratio(1, 20) } else { rng.random_ratio(1, 4) };
        let len = match &*node {
            Value::Object(map) => map.len(),
            Value::Array(items) => items.len(),
            _ => 0,
        };
        if stop || len == 0 {
            return (path, node);
        }
        let i = rng.random_range(0..len);
        node = match node {
            Value::Object(map) => {
                let (key, child) = map.iter_mut().nth(i).expect("in range");
                path.push(key.clone());
                child
            }
            Value::Array(items) => {
                path.push(i.to_string());
                &mut items[i]
            }
            _ => unreachable!("len is 0 for scalars"),
        };
    }
}
