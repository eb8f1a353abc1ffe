//! Corrections to the published documents, for where traffic recorded from a
//! real server proves them wrong (`cargo xtask replay` finds those places).
//! The documents themselves are never edited: the loader applies these to
//! each document as it reads it, before anything else sees it.
//!
//! ```yaml
//! overrides:
//!   # Replace (or add) one property of a schema.
//!   - schema: Keyfactor.Web.KeyfactorApi.Models.CertificateStoresTypes.StoreTypeProperty
//!     property: Type
//!     set: {type: string}
//!     reason: the server sends the enum's name ("String"), not its number
//!     evidence: keyfactor-cassettes/certificate_store_resource.yaml #0
//!   # Add (or replace, by name and location) one parameter of an operation.
//!   - operation: GET /Certificates/{id}
//!     parameter: {name: includeHasPrivateKey, in: query, schema: {type: boolean}}
//!     reason: the server reads it; the documents do not list it
//! ```
//!
//! Each override applies to every document that has its target. One that
//! applies to no document is an error: it has gone stale and must be removed.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default)]
pub struct Overrides {
    file: PathBuf,
    entries: Vec<Override>,
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
    Property { schema: &'a str, property: &'a str, value: &'a Value },
    Parameter { method: String, path: &'a str, parameter: &'a Value },
}

impl Overrides {
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.into(), source })?;
        let file: File =
            serde_yaml::from_str(&text).map_err(|e| Error::doc(path, "", format!("invalid overrides file: {e}")))?;
        let overrides = Overrides { file: path.to_path_buf(), entries: file.overrides };
        for i in 0..overrides.entries.len() {
            overrides.action(i)?;
        }
        Ok(overrides)
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
        match (&o.schema, &o.property, &o.set, &o.operation, &o.parameter) {
            (Some(schema), Some(property), Some(value), None, None) => Ok(Action::Property { schema, property, value }),
            (None, None, None, Some(operation), Some(parameter)) => {
                let (method, path) = operation
                    .split_once(' ')
                    .ok_or_else(|| invalid("`operation` is `METHOD /path`, e.g. `GET /Certificates/{id}`"))?;
                if parameter.get("name").and_then(Value::as_str).is_none() || parameter.get("in").is_none() {
                    return Err(invalid("`parameter` needs `name` and `in`"));
                }
                Ok(Action::Parameter { method: method.to_ascii_lowercase(), path: path.trim(), parameter })
            }
            _ => Err(invalid("an override has either `schema`, `property` and `set`, or `operation` and `parameter`")),
        }
    }

    /// Applies every override whose target `doc` has; returns their indices.
    pub(crate) fn apply(&self, doc: &mut Value) -> Vec<usize> {
        (0..self.entries.len()).filter(|&i| self.apply_one(i, doc)).collect()
    }

    fn apply_one(&self, i: usize, doc: &mut Value) -> bool {
        let Ok(action) = self.action(i) else { return false };
        match action {
            Action::Property { schema, property, value } => {
                let target =
                    doc.get_mut("components").and_then(|c| c.get_mut("schemas")).and_then(|s| s.get_mut(schema));
                let Some(properties) = target.and_then(|s| s.get_mut("properties")).and_then(Value::as_object_mut)
                else {
                    return false;
                };
                properties.insert(property.to_string(), value.clone());
                true
            }
            Action::Parameter { method, path, parameter } => {
                let op = doc.get_mut("paths").and_then(|p| p.get_mut(path)).and_then(|p| p.get_mut(&method));
                let Some(op) = op.and_then(Value::as_object_mut) else { return false };
                let params = op.entry("parameters").or_insert_with(|| Value::Array(Vec::new()));
                let Some(params) = params.as_array_mut() else { return false };
                let same = |p: &Value| p.get("name") == parameter.get("name") && p.get("in") == parameter.get("in");
                params.retain(|p| !same(p));
                params.push(parameter.clone());
                true
            }
        }
    }

    /// An error for the first override that applied to none of the documents.
    pub(crate) fn check_all_used(&self, used: &[usize]) -> Result<()> {
        match (0..self.entries.len()).find(|i| !used.contains(i)) {
            None => Ok(()),
            Some(i) => {
                let o = &self.entries[i];
                let target = o.operation.clone().or_else(|| o.schema.clone()).unwrap_or_default();
                Err(Error::doc(
                    &self.file,
                    format!("/overrides/{i}"),
                    format!(
                        "the override for {target} matches nothing in the documents; remove it if the documents are fixed"
                    ),
                ))
            }
        }
    }

    /// One line per override, for the generated code's provenance.
    pub fn summary(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|o| {
                let target = match (&o.schema, &o.property, &o.operation) {
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
