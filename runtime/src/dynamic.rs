//! Calling an operation by name with its arguments as text, as a recorded
//! request has them (feature `dynamic`; used by `cargo xtask replay`). The
//! generated `dynamic::call` maps each argument to the operation's typed
//! parameter through this module.

use serde::de::DeserializeOwned;

use super::error::{Error, Result};
use super::response::Response;

/// An operation's arguments as text (path, query, headers) and JSON (body).
#[derive(Debug, Clone, Default)]
pub struct DynamicArgs {
    /// Path parameters by name.
    pub path: Vec<(String, String)>,
    /// Query parameters, repeated for arrays. Names match case-insensitively,
    /// and `prefix.Name` matches `Name`, as the server's model binding does.
    pub query: Vec<(String, String)>,
    /// Header parameters; names match case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The JSON body; `None` sends the body type's default.
    pub body: Option<serde_json::Value>,
}

impl DynamicArgs {
    pub fn path<T: DeserializeOwned>(&self, op: &'static str, name: &str) -> Result<T> {
        let value = self.path.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let value = value.ok_or_else(|| invalid(op, format!("path parameter {name} is missing")))?;
        parse(op, name, value)
    }

    /// A required query or header parameter.
    pub fn required<T: DeserializeOwned>(&self, op: &'static str, name: &str, header: bool) -> Result<T> {
        let found = if header { self.header(op, name)? } else { self.query(op, name)? };
        found.ok_or_else(|| invalid(op, format!("required parameter {name} is missing")))
    }

    pub fn query<T: DeserializeOwned>(&self, op: &'static str, name: &str) -> Result<Option<T>> {
        self.query_values(name).next().map(|v| parse(op, name, v)).transpose()
    }

    pub fn query_all<T: DeserializeOwned>(&self, op: &'static str, name: &str) -> Result<Option<Vec<T>>> {
        let values: Vec<T> = self.query_values(name).map(|v| parse(op, name, v)).collect::<Result<_>>()?;
        Ok((!values.is_empty()).then_some(values))
    }

    pub fn header<T: DeserializeOwned>(&self, op: &'static str, name: &str) -> Result<Option<T>> {
        let value = self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        value.map(|v| parse(op, name, v)).transpose()
    }

    /// The body; its type's default when none is given (a recording that
    /// left the body out still makes the call).
    pub fn body<T: DeserializeOwned + Default>(&self, op: &'static str) -> Result<T> {
        let Some(body) = &self.body else { return Ok(T::default()) };
        // A member whose value does not fit its declared type is sent as given (see `UnknownFields`).
        let text = body.to_string();
        // A member whose value does not fit its declared type is sent as given (see `UnknownFields`).
        crate::object::decode_tolerant(&text)
            .map(|(value, _)| value)
            .map_err(|e| invalid(op, format!("the body does not fit its type at `{}`: {}", e.path(), e.inner())))
    }

    fn query_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query.iter().filter(move |(k, _)| query_name_matches(k, name)).map(|(_, v)| v.as_str())
    }
}

/// Whether the query name `sent` binds to the parameter `declared`: names
/// compare case-insensitively without their model-binding prefixes
/// (`pq.pageReturned` is `PageReturned`), as the server binds them.
pub fn query_name_matches(sent: &str, declared: &str) -> bool {
    use super::request::bound_query_name;
    bound_query_name(sent).eq_ignore_ascii_case(bound_query_name(declared))
}

/// Reads a parameter's text as its type: as JSON first (numbers, booleans),
/// then as a JSON string (text, UUIDs, dates).
fn parse<T: DeserializeOwned>(op: &'static str, name: &str, text: &str) -> Result<T> {
    serde_json::from_str(text)
        .or_else(|_| serde_json::from_value(serde_json::Value::String(text.to_string())))
        .map_err(|e| invalid(op, format!("parameter {name} = {text:?}: {e}")))
}

fn invalid(operation: &'static str, message: String) -> Error {
    Error::InvalidArgument { operation, message }
}

/// The response with its value re-encoded as JSON.
pub fn to_json<T: serde::Serialize>(response: Response<T>) -> Result<Response<serde_json::Value>> {
    let (status, headers, value) = response.into_parts();
    let json = serde_json::to_value(&value).map_err(|e| Error::InvalidArgument {
        operation: "to_json",
        message: format!("cannot re-encode the response: {e}"),
    })?;
    Ok(Response::new(status, headers, json))
}
