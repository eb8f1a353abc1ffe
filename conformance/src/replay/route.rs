//! Which operation a recorded request was for, decided the way the server's
//! router decides: literal segments before parameters, and a parameter only
//! where the value fits its declared type (`/MetadataFields/{id}` takes
//! `12`, `/MetadataFields/{name}` takes `Email`).

use keyfactor_generator::model::{Api, Location, Operation, TypeRef};

pub struct Route<'a> {
    pub operation: &'a Operation,
    /// The part of the path before the operation's path: the API path.
    pub prefix: String,
    /// The operation's part of the path, as recorded.
    pub rest: String,
    /// Path parameters (declared name, decoded value).
    pub path_args: Vec<(String, String)>,
}

/// Finds the operation for `method path` at API version `version`.
pub fn find<'a>(api: &'a Api, method: &str, path: &str, version: u32) -> Result<Route<'a>, String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // The API path (`/KeyfactorAPI`, `/Keyfactor/API`, ...) is whatever comes
    // before the longest operation path that matches.
    for start in 0..segments.len() {
        let rest = &segments[start..];
        let mut best: Option<Candidate<'_>> = None;
        let mut tie = false;
        for endpoint in api.endpoints.iter().filter(|e| e.method.eq_ignore_ascii_case(method)) {
            let Some(op) = endpoint.operations.first() else { continue };
            let Some((score, args)) = matches(op, &endpoint.path, rest) else { continue };
            match &best {
                Some((b, _, _)) if *b > score => {}
                Some((b, _, _)) if *b == score => tie = true,
                _ => {
                    tie = false;
                    best = Some((score, op, args));
                }
            }
        }
        let Some((_, first, path_args)) = best else { continue };
        if tie {
            return Err(format!("{method} {path} matches several routes equally well"));
        }
        let endpoint =
            api.endpoints.iter().find(|e| e.method == first.method && e.path == first.path).expect("found above");
        let Some(operation) = endpoint.operations.iter().find(|o| o.version.number == version) else {
            return Err(format!("{} {} has no version {version} in the documents", endpoint.method, endpoint.path));
        };
        return Ok(Route {
            operation,
            prefix: segments[..start].iter().map(|s| format!("/{s}")).collect(),
            rest: rest.iter().map(|s| format!("/{s}")).collect(),
            path_args,
        });
    }
    Err(format!("the documents have no endpoint for {method} {path}"))
}

/// (literal segments, typed parameters): more of either is a better match.
type Score = (usize, usize);

/// A matching route: its score, its (first) operation and the path arguments.
type Candidate<'a> = (Score, &'a Operation, Vec<(String, String)>);

fn matches(op: &Operation, template: &str, segments: &[&str]) -> Option<(Score, Vec<(String, String)>)> {
    let parts: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut score = (0, 0);
    let mut args = Vec::new();
    for (part, segment) in parts.iter().zip(segments) {
        let value = percent_encoding::percent_decode_str(segment).decode_utf8_lossy().to_string();
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            None if part.eq_ignore_ascii_case(segment) => score.0 += 1,
            None => return None,
            Some(name) => {
                let param = op.params.iter().find(|p| p.location == Location::Path && p.wire == name)?;
                if !fits(&param.ty, &value) {
                    return None;
                }
                if !matches!(param.ty, TypeRef::String) {
                    score.1 += 1;
                }
                args.push((name.to_string(), value));
            }
        }
    }
    Some((score, args))
}

/// Whether a route value can bind to a parameter of type `ty`.
fn fits(ty: &TypeRef, value: &str) -> bool {
    match ty {
        TypeRef::I32 => value.parse::<i32>().is_ok(),
        TypeRef::I64 => value.parse::<i64>().is_ok(),
        TypeRef::Uuid => value.len() == 36 && value.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        TypeRef::Bool => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
        _ => !value.is_empty(),
    }
}
