//! Reading documents as Keyfactor publishes them.
//!
//! The published documents break strict OpenAPI 3.0 parsers (the `openapiv3`
//! crate included). Rather than editing them, the loader parses the text into
//! a generic JSON value, repairs each known quirk there, counts it as a
//! warning, and only then reads the value into the `openapiv3` model:
//!
//! - parameters with neither `schema` nor `content` (the `x-keyfactor-api-version`
//!   and `x-certificateformat` headers) are read as `type: string`;
//! - operations without `operationId` are named from method and path
//!   (see [`crate::naming`]);
//! - bodies and responses that list several JSON media types are read from
//!   `application/json` (or the first JSON-like one).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result, pointer, pointer_token};
use crate::overrides::Overrides;
use crate::warnings::Warnings;

/// One loaded OpenAPI document.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: PathBuf,
    pub api: openapiv3::OpenAPI,
    /// `info.version` as published ("1.0", "2"), without the `v` older
    /// releases put in front ("v1" -> "1", which the server's version reader
    /// parses): the value of the version header.
    pub version_header: String,
    /// The major version number (1 for "1.0").
    pub version: u32,
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Reads and parses the document at `path`.
pub fn load_file(path: &Path, warnings: &mut Warnings) -> Result<Document> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.into(), source })?;
    load_bytes(path, &bytes, warnings)
}

/// Parses a document from memory; `path` is only used in messages.
pub fn load_bytes(path: &Path, bytes: &[u8], warnings: &mut Warnings) -> Result<Document> {
    load_with_overrides(path, bytes, &Overrides::default(), warnings).map(|(doc, _)| doc)
}

/// Parses a document and applies `overrides` to it; also returns which
/// overrides applied.
pub fn load_with_overrides(
    path: &Path,
    bytes: &[u8],
    overrides: &Overrides,
    warnings: &mut Warnings,
) -> Result<(Document, Vec<usize>)> {
    let mut value = parse_text(path, bytes)?;
    check_openapi_version(path, &value)?;
    let (version_header, version) = read_version(path, &value)?;
    let applied = overrides.apply(path, &mut value)?;
    for _ in &applied {
        warnings.add("corrections from the overrides file applied");
    }
    repair_quirks(&mut value, warnings);
    let api = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&value) {
        Ok(api) => api,
        Err(e) => {
            let (pointer, message) =
                locate(&value).unwrap_or_else(|| (path_to_pointer(e.path()), e.inner().to_string()));
            return Err(Error::doc(path, pointer, format!("not a valid OpenAPI 3.0 document: {message}")));
        }
    };
    Ok((Document { file: path.to_path_buf(), api, version_header, version }, applied))
}

/// JSON when the text starts with `{`, YAML otherwise.
fn parse_text(path: &Path, bytes: &[u8]) -> Result<Value> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::doc(path, "", format!("not UTF-8 text: {e}")))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(Error::doc(path, "", "the file is empty").with_help(crate::error::FETCH_HINT));
    }
    let value: Value = if trimmed.starts_with('{') {
        serde_json::from_str(trimmed).map_err(|e| {
            let what = if e.is_eof() { "truncated JSON" } else { "invalid JSON" };
            Error::doc(path, "", format!("{what} at line {} column {}: {e}", e.line(), e.column()))
        })?
    } else {
        serde_yaml::from_str(trimmed).map_err(|e| Error::doc(path, "", format!("neither JSON nor valid YAML: {e}")))?
    };
    if !value.is_object() {
        return Err(Error::doc(path, "", "the document is not a JSON/YAML object"));
    }
    Ok(value)
}

fn check_openapi_version(path: &Path, value: &Value) -> Result<()> {
    const SUPPORTED: &str = "only OpenAPI 3.0.x documents are supported";
    if value.get("swagger").is_some() {
        return Err(Error::doc(path, "/swagger", format!("this is a Swagger 2.0 document; {SUPPORTED}"))
            .with_help("serve or convert the document as OpenAPI 3.0"));
    }
    match value.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.0") => Ok(()),
        Some(Value::String(v)) => {
            Err(Error::doc(path, "/openapi", format!("OpenAPI {v} is not supported; {SUPPORTED}")))
        }
        Some(_) => Err(Error::doc(path, "/openapi", "`openapi` must be a string such as \"3.0.4\"")),
        None => Err(Error::doc(path, "", format!("no `openapi` field; {SUPPORTED}"))),
    }
}

fn read_version(path: &Path, value: &Value) -> Result<(String, u32)> {
    let header = match value.pointer("/info/version") {
        Some(Value::String(v)) if !v.trim().trim_start_matches(['v', 'V']).is_empty() => {
            v.trim().trim_start_matches(['v', 'V']).to_string()
        }
        Some(_) => return Err(Error::doc(path, "/info/version", "`info.version` must be a non-empty string")),
        None => {
            return Err(Error::doc(
                path,
                "/info",
                "no `info.version`: it names the API version the document describes",
            ));
        }
    };
    let major = header.split('.').next().and_then(|m| m.parse::<u32>().ok()).filter(|&m| m >= 1).ok_or_else(|| {
        Error::doc(
            path,
            "/info/version",
            format!("`info.version` is {header:?}; expected a version number such as \"1.0\" or \"2\""),
        )
    })?;
    Ok((header, major))
}

fn repair_quirks(value: &mut Value, warnings: &mut Warnings) {
    let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        if let Some(params) = item.get_mut("parameters") {
            repair_parameters(params, warnings);
        }
        for method in METHODS {
            let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else { continue };
            if !op.contains_key("operationId") {
                warnings.add("operations without operationId (named from method and path)");
            }
            if let Some(params) = op.get_mut("parameters") {
                repair_parameters(params, warnings);
            }
            count_media_types(op, warnings);
        }
    }
}

fn repair_parameters(params: &mut Value, warnings: &mut Warnings) {
    let Some(params) = params.as_array_mut() else { return };
    for param in params.iter_mut().filter_map(Value::as_object_mut) {
        if param.contains_key("$ref") || param.contains_key("schema") || param.contains_key("content") {
            continue;
        }
        param.insert("schema".into(), serde_json::json!({ "type": "string" }));
        warnings.add("parameters without schema or content (read as strings)");
    }
}

fn count_media_types(op: &serde_json::Map<String, Value>, warnings: &mut Warnings) {
    let many = |content: Option<&Value>| content.and_then(Value::as_object).is_some_and(|c| c.len() > 1);
    if many(op.get("requestBody").and_then(|b| b.get("content"))) {
        warnings.add("request bodies with several media types (sent as application/json)");
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for response in responses.values() {
            if many(response.get("content")) {
                warnings.add("responses with several media types (read as application/json)");
            }
        }
    }
}

/// The `openapiv3` types flatten their extensions, which hides from
/// `serde_path_to_error` where below a path item or schema the error is. This
/// reads the document's parts one by one, deepest first, to find the node.
fn locate(doc: &Value) -> Option<(String, String)> {
    use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
    let mut found = None;
    let mut check = |at: String, node: &Value, what: fn(&Value) -> Option<String>| {
        if found.is_none() {
            found = what(node).map(|message| (at, message));
        }
    };
    fn fails<T: serde::de::DeserializeOwned>(v: &Value) -> Option<String> {
        serde_path_to_error::deserialize::<_, T>(v).err().map(|e| {
            let inner = path_to_pointer(e.path());
            if inner.is_empty() { e.inner().to_string() } else { format!("{} (at {inner})", e.inner()) }
        })
    }
    let entries = |v: &Value, key: &str| -> Vec<(String, Value)> {
        v.get(key)
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    for (path, item) in entries(doc, "paths") {
        let at = pointer(["paths", path.as_str()]);
        for (i, p) in item.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            check(format!("{at}/parameters/{i}"), p, fails::<ReferenceOr<Parameter>>);
        }
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let at = format!("{at}/{method}");
            for (i, p) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                check(format!("{at}/parameters/{i}"), p, fails::<ReferenceOr<Parameter>>);
            }
            if let Some(body) = op.get("requestBody") {
                check(format!("{at}/requestBody"), body, fails::<ReferenceOr<RequestBody>>);
            }
            for (code, response) in entries(op, "responses") {
                check(format!("{at}/responses/{}", pointer_token(&code)), &response, fails::<ReferenceOr<Response>>);
            }
            check(at, op, fails::<Operation>);
        }
        check(at, &item, fails::<ReferenceOr<PathItem>>);
    }
    if let Some(components) = doc.get("components") {
        for (name, schema) in entries(components, "schemas") {
            locate_schema(pointer(["components", "schemas", name.as_str()]), &schema, &mut |at, v| {
                check(at, v, fails::<ReferenceOr<Schema>>)
            });
        }
    }
    found
}

/// Visits a schema's nested schemas before the schema itself.
fn locate_schema(at: String, schema: &Value, check: &mut dyn FnMut(String, &Value)) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            locate_schema(format!("{at}/properties/{}", pointer_token(name)), prop, check);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = schema.get(key).filter(|v| v.is_object()) {
            locate_schema(format!("{at}/{key}"), inner, check);
        }
    }
    check(at, schema);
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let tokens: Vec<String> = path
        .iter()
        .filter_map(|s| match s {
            Segment::Map { key } => Some(key.clone()),
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect();
    pointer(tokens.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Document> {
        load_bytes(Path::new("t.json"), text.as_bytes(), &mut Warnings::default())
    }

    #[test]
    fn header_without_schema_is_read_as_string_and_counted() {
        let doc = r#"{"openapi":"3.0.4","info":{"title":"t","version":"1.0"},"paths":{"/A":{"get":{
            "parameters":[{"name":"x-keyfactor-api-version","in":"header"}],
            "responses":{"204":{"description":"ok"}}}}}}"#;
        let mut w = Warnings::default();
        let d = load_bytes(Path::new("t.json"), doc.as_bytes(), &mut w).unwrap();
        assert_eq!((d.version_header.as_str(), d.version), ("1.0", 1));
        assert_eq!(w.count("parameters without schema or content (read as strings)"), 1);
    }

    #[test]
    fn yaml_is_accepted() {
        let doc = "openapi: 3.0.1\ninfo: {title: t, version: '2'}\npaths: {}\n";
        assert_eq!(load(doc).unwrap().version, 2);
    }

    #[test]
    fn swagger_two_and_openapi_31_are_refused_with_pointer() {
        let e = load(r#"{"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{}}"#).unwrap_err();
        assert!(e.to_string().starts_with("t.json#/swagger: this is a Swagger 2.0 document"), "{e}");
        let e = load(r#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{}}"#).unwrap_err();
        assert!(e.to_string().starts_with("t.json#/openapi: OpenAPI 3.1.0 is not supported"), "{e}");
    }

    #[test]
    fn truncated_and_empty_files_are_named() {
        let e = load(r#"{"openapi":"3.0.4","info":{"#).unwrap_err();
        assert!(e.to_string().contains("truncated JSON"), "{e}");
        let e = load("  ").unwrap_err();
        assert!(e.to_string().starts_with("t.json#: the file is empty"), "{e}");
    }

    #[test]
    fn missing_info_version_is_an_error() {
        let e = load(r#"{"openapi":"3.0.4","info":{"title":"t"},"paths":{}}"#).unwrap_err();
        assert!(e.to_string().starts_with("t.json#/info: no `info.version`"), "{e}");
    }

    #[test]
    fn structural_errors_carry_the_pointer() {
        let doc = r#"{"openapi":"3.0.4","info":{"title":"t","version":"1"},"paths":{"/A":{"get":{"responses":{"200":{"description":5}}}}}}"#;
        let e = load(doc).unwrap_err();
        assert!(e.to_string().starts_with("t.json#/paths/~1A/get/responses/200"), "{e}");
    }
}
