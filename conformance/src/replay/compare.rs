//! The checks: did the client send what was recorded, and did it decode what
//! the server answered without losing a field its types declare.

use keyfactor_client::{Error, Response};
use keyfactor_generator::model::{Api, Location, Operation, Success, TypeKind, TypeRef};
use serde_json::Value;

use super::route::Route;
use keyfactor_client::mock::cassette::{RecordedRequest, RecordedResponse, major_version};
use keyfactor_client::mock::json_matches;

/// The request the client sent against the recorded one.
pub fn request(
    api: &Api,
    op: &Operation,
    route: &Route<'_>,
    recorded: &RecordedRequest,
    sent: &wiremock::Request,
) -> Result<(), String> {
    if !sent.method.as_str().eq_ignore_ascii_case(&recorded.method) {
        return Err(format!("method {} instead of {}", sent.method, recorded.method));
    }
    path(op, route, sent.url.path())?;
    query(op, recorded, sent)?;
    let version = sent.headers.get("x-keyfactor-api-version").and_then(|v| v.to_str().ok()).unwrap_or("");
    if major_version(version) != recorded.version() {
        return Err(format!("version header {version:?}, recorded {}", recorded.version()));
    }
    if sent.headers.get("x-keyfactor-requested-with").is_none_or(|v| v != "APIClient") {
        return Err("no `X-Keyfactor-Requested-With: APIClient`".into());
    }
    for p in op.params.iter().filter(|p| p.location == Location::Header) {
        let sent = sent.headers.get(p.wire.as_str()).and_then(|v| v.to_str().ok());
        if sent != recorded.header(&p.wire) {
            return Err(format!("header {}: sent {sent:?}, recorded {:?}", p.wire, recorded.header(&p.wire)));
        }
    }
    if let Some(body) = op.body.as_ref().filter(|_| recorded.body_recorded()) {
        let sent_body: Value = serde_json::from_slice(&sent.body).map_err(|e| format!("sent body is not JSON: {e}"))?;
        let recorded_body = canonical_keys(api, &body.ty, recorded.json_body().unwrap_or(Value::Null));
        json_matches(&recorded_body, &sent_body, "body").map_err(|e| format!("{e} (sent {sent_body})"))?;
    }
    Ok(())
}

/// Literal segments compare case-insensitively (as the router does),
/// parameter values exactly.
fn path(op: &Operation, route: &Route<'_>, sent: &str) -> Result<(), String> {
    let rest = sent.strip_prefix(route.prefix.as_str()).ok_or_else(|| format!("path {sent} lost the API path"))?;
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().to_string();
    let template: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
    let sent_segments: Vec<String> = rest.split('/').filter(|s| !s.is_empty()).map(decode).collect();
    let recorded: Vec<String> = route.rest.split('/').filter(|s| !s.is_empty()).map(decode).collect();
    let same = template.len() == sent_segments.len()
        && sent_segments.len() == recorded.len()
        && template
            .iter()
            .zip(sent_segments.iter().zip(&recorded))
            .all(|(t, (s, r))| if t.starts_with('{') { s == r } else { s.eq_ignore_ascii_case(r) });
    if same { Ok(()) } else { Err(format!("path {rest}, recorded {}", route.rest)) }
}

/// Names compare case-insensitively, and a recorded `prefix.Name` is the
/// declared `Name` (the server's model binding accepts both).
fn query(op: &Operation, recorded: &RecordedRequest, sent: &wiremock::Request) -> Result<(), String> {
    let declared: Vec<&str> =
        op.params.iter().filter(|p| p.location == Location::Query).map(|p| p.wire.as_str()).collect();
    let normalize = |name: &str| {
        let canonical = declared.iter().find(|d| keyfactor_client::query_name_matches(name, d)).copied();
        canonical.unwrap_or(name).to_ascii_lowercase()
    };
    let mut want: Vec<(String, String)> = recorded.query().into_iter().map(|(k, v)| (normalize(&k), v)).collect();
    let mut got: Vec<(String, String)> = sent.url.query_pairs().map(|(k, v)| (normalize(&k), v.into_owned())).collect();
    want.sort();
    got.sort();
    if want == got { Ok(()) } else { Err(format!("query {got:?}, recorded {want:?}")) }
}

/// The response the client returned against the recorded one.
pub fn response(
    api: &Api,
    op: &Operation,
    recorded: &RecordedResponse,
    result: keyfactor_client::Result<Response<Value>>,
) -> Result<(), String> {
    let body = recorded.body.as_deref().unwrap_or("");
    let recorded_json: Option<Value> = serde_json::from_str(body).ok();
    if !(200..300).contains(&recorded.code) {
        return match result {
            Err(Error::Status { status, api_error, .. }) if status == recorded.code => {
                let code = recorded_json.as_ref().and_then(|v| v.get("ErrorCode")).and_then(Value::as_str);
                match (code, api_error.and_then(|e| e.code)) {
                    (Some(want), got) if got.as_deref() != Some(want) => {
                        Err(format!("Keyfactor error code {got:?}, recorded {want:?}"))
                    }
                    _ => Ok(()),
                }
            }
            Err(e) => Err(format!("expected HTTP {}, got: {e}", recorded.code)),
            Ok(_) => Err(format!("HTTP {} decoded as success", recorded.code)),
        };
    }
    let response = result.map_err(|e| e.to_string())?;
    match &op.success {
        Success::Empty { .. } => Ok(()),
        Success::Json { ty, .. } => {
            let recorded =
                recorded_json.ok_or_else(|| format!("recorded body is not JSON, expected {}", super::expected(op)))?;
            kept(api, ty, &recorded, response.value(), "$")
        }
    }
}

/// Every member the recording has, declared by `ty` or not, is in the
/// re-encoded value: a declared one equal as its type compares values
/// (date-times by instant, UUIDs ignoring case), an undeclared one (or one
/// kept as received because it does not fit its type) exactly. A recorded
/// `null` may be left out.
fn kept(api: &Api, ty: &TypeRef, recorded: &Value, decoded: &Value, at: &str) -> Result<(), String> {
    if recorded.is_null() || same(recorded, decoded) {
        return Ok(());
    }
    match (ty, recorded, decoded) {
        (TypeRef::Boxed(inner), ..) => kept(api, inner, recorded, decoded, at),
        (TypeRef::Named(i), ..) => match &api.types[*i].kind {
            TypeKind::Struct { fields } => {
                let (Value::Object(r), Value::Object(d)) = (recorded, decoded) else {
                    return Err(format!("{at}: recorded {recorded}, decoded {decoded}"));
                };
                for (key, value) in r {
                    let at = format!("{at}.{key}");
                    match (fields.iter().find(|f| f.wire == *key), d.get(key)) {
                        (_, None) if value.is_null() => {}
                        (_, None) => return Err(format!("{at} recorded as {value} was lost")),
                        (Some(f), Some(got)) => kept(api, &f.ty, value, got, &at)?,
                        (None, Some(got)) if same(value, got) => {}
                        (None, Some(got)) => return Err(format!("{at} (undeclared) is {got}, recorded {value}")),
                    }
                }
                Ok(())
            }
            TypeKind::Alias { ty } => kept(api, ty, recorded, decoded, at),
            _ => Err(format!("{at} is {decoded}, recorded {recorded}")),
        },
        (TypeRef::Array(item), Value::Array(r), Value::Array(d)) if r.len() == d.len() => {
            r.iter().zip(d).enumerate().try_for_each(|(i, (r, d))| kept(api, item, r, d, &format!("{at}[{i}]")))
        }
        (TypeRef::Map(value), Value::Object(r), Value::Object(d)) => r.iter().try_for_each(|(k, rv)| match d.get(k) {
            Some(dv) => kept(api, value, rv, dv, &format!("{at}.{k}")),
            None => Err(format!("{at}.{k} was lost")),
        }),
        (TypeRef::DateTime, Value::String(r), Value::String(d)) => {
            let parse = keyfactor_client::keyfactor_runtime::parse_date_time;
            if parse(r).is_some() && parse(r) == parse(d) { Ok(()) } else { Err(format!("{at} is {d}, recorded {r}")) }
        }
        (TypeRef::Uuid, Value::String(r), Value::String(d)) if r.eq_ignore_ascii_case(d) => Ok(()),
        _ => Err(format!("{at} is {decoded}, recorded {recorded}")),
    }
}

/// Equal JSON, numbers compared by value (`1` is `1.0`).
fn same(recorded: &Value, decoded: &Value) -> bool {
    match (recorded, decoded) {
        (Value::Number(r), Value::Number(d)) => r.as_f64() == d.as_f64(),
        (Value::Array(r), Value::Array(d)) => r.len() == d.len() && r.iter().zip(d).all(|(r, d)| same(r, d)),
        (Value::Object(r), Value::Object(d)) => {
            r.len() == d.len() && r.iter().all(|(k, rv)| d.get(k).is_some_and(|dv| same(rv, dv)))
        }
        (r, d) => r == d,
    }
}

/// The paths of the members of `value` that `ty` does not declare (by exact
/// name, as the client's types decode them), however deep.
pub fn undeclared(api: &Api, ty: &TypeRef, value: &Value, at: &str, out: &mut Vec<String>) {
    match (ty, value) {
        (TypeRef::Boxed(inner), _) => undeclared(api, inner, value, at, out),
        (TypeRef::Named(i), Value::Object(members)) => match &api.types[*i].kind {
            TypeKind::Struct { fields } => {
                for (key, member) in members {
                    match fields.iter().find(|f| f.wire == *key) {
                        Some(f) => undeclared(api, &f.ty, member, &format!("{at}.{key}"), out),
                        None => out.push(format!("{at}.{key}")),
                    }
                }
            }
            TypeKind::Alias { ty } => undeclared(api, ty, value, at, out),
            _ => {}
        },
        (TypeRef::Array(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                undeclared(api, item, v, &format!("{at}[{i}]"), out);
            }
        }
        (TypeRef::Map(inner), Value::Object(members)) => {
            for (k, v) in members {
                undeclared(api, inner, v, &format!("{at}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// The paths of the declared members of `value` whose values do not fit
/// the types the documents give them: the client keeps those as received
/// in `unknown_fields` (and sends them so).
pub fn mistyped(api: &Api, ty: &TypeRef, value: &Value, at: &str, out: &mut Vec<String>) {
    if !fits(api, ty, value, at, out) {
        out.push(at.to_string());
    }
}

/// Whether `value` decodes as `ty`; members inside that do not are pushed
/// to `out` (their object keeps them) and do not make the whole misfit.
fn fits(api: &Api, ty: &TypeRef, value: &Value, at: &str, out: &mut Vec<String>) -> bool {
    let integer = |v: &Value, wide: bool| v.as_i64().is_some_and(|n| wide || i32::try_from(n).is_ok());
    match (ty, value) {
        (TypeRef::Boxed(inner), _) => fits(api, inner, value, at, out),
        (TypeRef::Any, _) => true,
        (TypeRef::String | TypeRef::Date | TypeRef::Base64 | TypeRef::DateSpan, v) => v.is_string(),
        (TypeRef::Bool, v) => v.is_boolean(),
        (TypeRef::I32, v) => integer(v, false),
        (TypeRef::I64, v) => integer(v, true),
        (TypeRef::F32 | TypeRef::F64, v) => v.is_number(),
        (TypeRef::Uuid, Value::String(text)) => uuid::Uuid::parse_str(text).is_ok(),
        (TypeRef::DateTime, Value::String(text)) => {
            keyfactor_client::keyfactor_runtime::parse_date_time(text).is_some()
        }
        (TypeRef::Array(item), Value::Array(items)) => {
            items.iter().enumerate().all(|(i, v)| fits(api, item, v, &format!("{at}[{i}]"), out))
        }
        (TypeRef::Map(inner), Value::Object(members)) => {
            members.iter().all(|(k, v)| fits(api, inner, v, &format!("{at}.{k}"), out))
        }
        (TypeRef::Named(i), v) => match (&api.types[*i].kind, v) {
            (TypeKind::Struct { fields }, Value::Object(members)) => {
                for (key, member) in members {
                    let Some(f) = fields.iter().find(|f| f.wire == *key) else { continue };
                    let at = format!("{at}.{key}");
                    let ok = match member {
                        Value::Null => f.optional(),
                        // A date-time that holds none is kept as it is, whatever the mode.
                        _ => fits(api, &f.ty, member, &at, out),
                    };
                    if !ok {
                        out.push(at);
                    }
                }
                true
            }
            (TypeKind::IntEnum { wide, .. }, v) => {
                integer(v, *wide) || v.as_str().is_some_and(|t| !t.trim().is_empty())
            }
            (TypeKind::StringEnum { .. }, v) => v.is_string(),
            (TypeKind::Alias { ty }, v) => fits(api, ty, v, at, out),
            _ => false,
        },
        _ => false,
    }
}

/// Renames the keys of `value` to the casing the type declares (the server
/// reads JSON names case-insensitively, the client's types do not).
pub fn canonical_keys(api: &Api, ty: &TypeRef, value: Value) -> Value {
    match (ty, value) {
        (TypeRef::Boxed(inner), v) => canonical_keys(api, inner, v),
        (TypeRef::Array(item), Value::Array(items)) => {
            Value::Array(items.into_iter().map(|v| canonical_keys(api, item, v)).collect())
        }
        (TypeRef::Named(i), Value::Object(object)) => match &api.types[*i].kind {
            TypeKind::Struct { fields } => Value::Object(
                object
                    .into_iter()
                    .map(|(k, v)| match fields.iter().find(|f| f.wire.eq_ignore_ascii_case(&k)) {
                        Some(f) => (f.wire.clone(), canonical_keys(api, &f.ty, v)),
                        None => (k, v),
                    })
                    .collect(),
            ),
            TypeKind::Alias { ty } => canonical_keys(api, ty, Value::Object(object)),
            _ => Value::Object(object),
        },
        (_, v) => v,
    }
}
