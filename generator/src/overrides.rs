//! Corrections to the published documents, for where traffic recorded from a
//! real server proves them wrong (`cargo xtask replay` finds those places).
//! The documents themselves are never edited: the loader applies these to
//! each document as it reads it, before anything else sees it.
//!
//! ```yaml
//! overrides:
//!   # Replace (or add) one property of a schema, named by its Rust type.
//!   - type: StoreTypeProperty
//!     property: Type
//!     set: {type: string}
//!     reason: the server sends the enum's name ("String"), not its number
//!     evidence: keyfactor-cassettes/certificate_store_resource.yaml #0
//!   # ... or by its schema name, with or without the namespace.
//!   - schema: CertificateStoreCreateRequest
//!     property: Approved
//!     set: {type: boolean}
//!     reason: the server accepts it
//!   # Add (or replace, by name and location) one parameter of an operation.
//!   - operation: GET /Certificates/{id}
//!     parameter: {name: includeHasPrivateKey, in: query, schema: {type: boolean}}
//!     reason: the server reads it; the documents do not list it
//! ```
//!
//! A type is named as the release diff matches types, so that an override
//! survives a release that only moves its schema to another namespace
//! (`KeyfactorApi.Models.X` in 10.x, `Keyfactor.Web.KeyfactorApi.Models.X` in
//! 25): `type:` is the Rust name (the type-name lock's, else the schema name
//! in upper camel case); `schema:` is the full dotted name, or the name
//! without its namespace. Either matches the schema of that full name if the
//! document has one, else the one schema of that last segment (several are an
//! error asking for the full name).
//!
//! Each override applies to every document that has its target. One that
//! applies to no document has gone stale: all stale ones are reported at
//! once, and must be removed (`cargo xtask upgrade --drop-stale` does).

use std::path::{Path, PathBuf};

use heck::ToUpperCamelCase;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::TypeNameLock;

#[derive(Debug, Clone, Default)]
pub struct Overrides {
    file: PathBuf,
    text: String,
    entries: Vec<Override>,
    /// Rust type name -> the full schema names the lock gives it.
    type_names: Vec<(String, String)>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    overrides: Vec<Override>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Override {
    reason: String,
    #[serde(default)]
    evidence: Option<String>,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default, rename = "type")]
    rust_type: Option<String>,
    #[serde(default)]
    property: Option<String>,
    #[serde(default)]
    set: Option<Value>,
    #[serde(default)]
    operation: Option<String>,
    #[serde(default)]
    parameter: Option<Value>,
}

/// What one override does, once validated.
enum Action<'a> {
    Property { target: Target<'a>, property: &'a str, value: &'a Value },
    Parameter { method: String, path: &'a str, parameter: &'a Value },
}

/// How a property override names its schema.
enum Target<'a> {
    Schema(&'a str),
    RustType(&'a str),
}

impl Overrides {
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.into(), source })?;
        let file: File =
            serde_yaml::from_str(&text).map_err(|e| Error::doc(path, "", format!("invalid overrides file: {e}")))?;
        let overrides = Overrides { file: path.to_path_buf(), text, entries: file.overrides, type_names: Vec::new() };
        for i in 0..overrides.entries.len() {
            overrides.action(i)?;
        }
        Ok(overrides)
    }

    /// Resolves `type:` names through this lock (schema -> Rust name).
    pub fn with_type_names(mut self, lock: &TypeNameLock) -> Self {
        self.type_names = lock.iter().map(|((schema, _), name)| (name.clone(), schema.clone())).collect();
        self
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn action(&self, i: usize) -> Result<Action<'_>> {
        let o = &self.entries[i];
        let invalid = |why: &str| Error::doc(&self.file, format!("/overrides/{i}"), why.to_string());
        if o.reason.trim().is_empty() {
            return Err(invalid("every override needs a `reason`"));
        }
        let target = match (&o.schema, &o.rust_type) {
            (Some(schema), None) => Some(Target::Schema(schema)),
            (None, Some(name)) => Some(Target::RustType(name)),
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(invalid("an override names its schema by `type` or by `schema`, not both"));
            }
        };
        match (target, &o.property, &o.set, &o.operation, &o.parameter) {
            (Some(target), Some(property), Some(value), None, None) => Ok(Action::Property { target, property, value }),
            (None, None, None, Some(operation), Some(parameter)) => {
                let (method, path) = operation
                    .split_once(' ')
                    .ok_or_else(|| invalid("`operation` is `METHOD /path`, e.g. `GET /Certificates/{id}`"))?;
                if parameter.get("name").and_then(Value::as_str).is_none() || parameter.get("in").is_none() {
                    return Err(invalid("`parameter` needs `name` and `in`"));
                }
                Ok(Action::Parameter { method: method.to_ascii_lowercase(), path: path.trim(), parameter })
            }
            _ => Err(invalid(
                "an override has either `type` (or `schema`), `property` and `set`, or `operation` and `parameter`",
            )),
        }
    }

    /// Applies every override whose target `doc` (read from `file`) has;
    /// returns their indices.
    pub(crate) fn apply(&self, file: &Path, doc: &mut Value) -> Result<Vec<usize>> {
        let mut applied = Vec::new();
        for i in 0..self.entries.len() {
            if self.apply_one(i, file, doc)? {
                applied.push(i);
            }
        }
        Ok(applied)
    }

    fn apply_one(&self, i: usize, file: &Path, doc: &mut Value) -> Result<bool> {
        let Ok(action) = self.action(i) else { return Ok(false) };
        match action {
            Action::Property { target, property, value } => {
                let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else {
                    return Ok(false);
                };
                let names: Vec<String> = schemas.keys().cloned().collect();
                let Some(schema) = self.resolve(i, &target, &names, file)? else { return Ok(false) };
                let Some(properties) = schemas[&schema].get_mut("properties").and_then(Value::as_object_mut) else {
                    return Ok(false);
                };
                properties.insert(property.to_string(), value.clone());
                Ok(true)
            }
            Action::Parameter { method, path, parameter } => {
                let op = doc.get_mut("paths").and_then(|p| p.get_mut(path)).and_then(|p| p.get_mut(&method));
                let Some(op) = op.and_then(Value::as_object_mut) else { return Ok(false) };
                let params = op.entry("parameters").or_insert_with(|| Value::Array(Vec::new()));
                let Some(params) = params.as_array_mut() else { return Ok(false) };
                let same = |p: &Value| p.get("name") == parameter.get("name") && p.get("in") == parameter.get("in");
                params.retain(|p| !same(p));
                params.push(parameter.clone());
                Ok(true)
            }
        }
    }

    /// The schema of `names` (one document's) that `target` names; see the
    /// module docs.
    fn resolve(&self, i: usize, target: &Target<'_>, names: &[String], file: &Path) -> Result<Option<String>> {
        let wanted: Vec<&str> = match target {
            Target::Schema(schema) => vec![schema],
            Target::RustType(rust) => {
                let locked: Vec<&str> =
                    self.type_names.iter().filter(|(name, _)| name == rust).map(|(_, s)| s.as_str()).collect();
                if locked.is_empty() {
                    let by_rule: Vec<&String> =
                        names.iter().filter(|n| last_segment(n).to_upper_camel_case() == **rust).collect();
                    return self.one_of(i, rust, by_rule, file);
                }
                locked
            }
        };
        if let Some(exact) = names.iter().find(|n| wanted.contains(&n.as_str())) {
            return Ok(Some(exact.clone()));
        }
        let unqualified: Vec<&str> = wanted.iter().map(|w| last_segment(w)).collect();
        let moved: Vec<&String> = names.iter().filter(|n| unqualified.contains(&last_segment(n))).collect();
        self.one_of(i, &wanted.join(" or "), moved, file)
    }

    fn one_of(&self, i: usize, named: &str, found: Vec<&String>, file: &Path) -> Result<Option<String>> {
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).clone())),
            many => Err(Error::doc(
                &self.file,
                format!("/overrides/{i}"),
                format!(
                    "`{named}` names {} schemas of {}: {}; give the full name with `schema:`",
                    many.len(),
                    file.display(),
                    many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }

    /// The overrides that applied to none of the documents, given the ones that did.
    pub fn stale(&self, used: &[usize]) -> Vec<usize> {
        (0..self.entries.len()).filter(|i| !used.contains(i)).collect()
    }

    /// What override `i` targets, for messages (`CsrEnrollmentRequest.Template`, `GET /X`).
    pub fn target(&self, i: usize) -> String {
        let o = &self.entries[i];
        match (&o.rust_type, &o.schema, &o.property, &o.operation) {
            (Some(t), _, Some(p), _) | (_, Some(t), Some(p), _) => format!("{t}.{p}"),
            (_, _, _, Some(op)) => op.clone(),
            _ => String::new(),
        }
    }

    /// An error listing every override that applied to none of the documents.
    pub fn check_all_used(&self, used: &[usize]) -> Result<()> {
        let stale = self.stale(used);
        let Some(&first) = stale.first() else { return Ok(()) };
        let list: Vec<String> = stale.iter().map(|&i| format!("/overrides/{i} ({})", self.target(i))).collect();
        Err(Error::doc(
            &self.file,
            format!("/overrides/{first}"),
            format!(
                "{} override(s) match nothing in the documents: {}; remove them if the documents are fixed \
                 (`cargo xtask upgrade --drop-stale` does)",
                stale.len(),
                list.join(", ")
            ),
        ))
    }

    /// The overrides file's text without the entries `drop`, everything else
    /// (comments, order, layout) kept.
    pub fn text_without(&self, drop: &[usize]) -> String {
        let mut out = String::new();
        let mut entry: Option<usize> = None;
        for line in self.text.split_inclusive('\n') {
            let starts_entry = line.starts_with("  - ") || line.starts_with("- ");
            if starts_entry {
                entry = Some(entry.map_or(0, |e| e + 1));
            } else if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
                entry = None;
            }
            if entry.is_none_or(|e| !drop.contains(&e)) {
                out.push_str(line);
            }
        }
        out
    }

    /// One line per override, for the generated code's provenance.
    pub fn summary(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|o| {
                let target = match (o.rust_type.as_ref().or(o.schema.as_ref()), &o.property, &o.operation) {
                    (Some(s), Some(p), _) => format!("{s}.{p}"),
                    (_, _, Some(op)) => op.clone(),
                    _ => String::new(),
                };
                let evidence = o.evidence.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
                format!("{target}: {}{evidence}", o.reason)
            })
            .collect()
    }
}

/// A dotted schema name's last segment (`A.B.Widget` -> `Widget`).
fn last_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}
