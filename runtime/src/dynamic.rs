//! Calling an operation by name with its arguments as text, as a recorded
//! request has them (feature `dynamic`; used by `cargo xtask replay`). The
//! generated `dynamic::call` maps each argument to the operation's typed
//! parameter through this module.

use std::sync::Mutex;

use serde::de::DeserializeOwned;

use super::error::{Error, Result};
use super::response::Response;

/// An operation's arguments as text (path, query, headers) and JSON (body):
/// start from `DynamicArgs::default()` and set the fields.
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
    /// Optional query parameters whose text does not fit the declared type;
    /// [`undeclared_query`](Self::undeclared_query) sends them as given.
    unfit: Unfit,
}

/// Names of parameters whose text does not fit their types (filled while
/// the builder is set up; `Sync` because the call's future is `Send`).
#[derive(Debug, Default)]
struct Unfit(Mutex<Vec<String>>);

impl Clone for Unfit {
    fn clone(&self) -> Self {
        Unfit(Mutex::new(self.names()))
    }
}

impl Unfit {
    fn names(&self) -> Vec<String> {
        self.0.lock().map(|n| n.clone()).unwrap_or_default()
    }

    fn add(&self, name: &str) {
        if let Ok(mut names) = self.0.lock() {
            names.push(name.to_string());
        }
    }
}

impl DynamicArgs {
    /// The path parameter `name`, decoded as the operation's type for it.
    pub fn path<T: DeserializeOwned>(&self, op: &'static str, name: &str) -> Result<T> {
        let value = self.path.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let value = value.ok_or_else(|| invalid(op, format!("path parameter {name} is missing")))?;
        parse(op, name, value)
    }

    /// A required query or header parameter.
    pub fn required<T: DeserializeOwned>(&self, op: &'static str, name: &str, header: bool) -> Result<T> {
        let found = match header {
            true => self.header(op, name)?,
            false => self.query_values(name).next().map(|v| parse(op, name, v)).transpose()?,
        };
        found.ok_or_else(|| invalid(op, format!("required parameter {name} is missing")))
    }

    /// An optional query parameter; `None` also when its text does not fit
    /// `T` (it is then sent as given, with the undeclared ones).
    pub fn query<T: DeserializeOwned>(&self, op: &'static str, name: &str) -> Result<Option<T>> {
        let Some(text) = self.query_values(name).next() else { return Ok(None) };
        Ok(parse(op, name, text).inspect_err(|_| self.unfit.add(name)).ok())
    }

    /// An optional array query parameter (repeated), as [`query`](Self::query).
    pub fn query_all<T: DeserializeOwned>(&self, op: &'static str, name: &str) -> Result<Option<Vec<T>>> {
        let values: Result<Vec<T>> = self.query_values(name).map(|v| parse(op, name, v)).collect();
        let Ok(values) = values else {
            self.unfit.add(name);
            return Ok(None);
        };
        Ok((!values.is_empty()).then_some(values))
    }

    /// The header parameter `name`, decoded as the operation's type for it; `None` when it was not given.
    pub fn header<T: DeserializeOwned>(&self, op: &'static str, name: &str) -> Result<Option<T>> {
        let value = self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        value.map(|v| parse(op, name, v)).transpose()
    }

    /// The body; its type's default when none is given (a recording that
    /// left the body out still makes the call).
    pub fn body<T: DeserializeOwned + Default>(&self, op: &'static str) -> Result<T> {
        let Some(body) = &self.body else { return Ok(T::default()) };
        let text = body.to_string();
        // A member whose value does not fit its declared type is sent as given (see `UnknownFields`).
        crate::object::decode_tolerant(&text)
            .map(|(value, _)| value)
            .map_err(|e| invalid(op, format!("the body does not fit its type at `{}`: {}", e.path(), e.inner())))
    }

    /// The query parameters none of `declared` binds, and those whose text
    /// does not fit their type: to send as the builder's extra ones, as given.
    pub fn undeclared_query<'a>(&'a self, declared: &'a [&'a str]) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let unfit = self.unfit.names();
        self.query
            .iter()
            .filter(move |(k, _)| {
                !declared.iter().any(|d| query_name_matches(k, d)) || unfit.iter().any(|u| query_name_matches(k, u))
            })
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The headers none of `declared` names: to send as the builder's extra ones.
    pub fn undeclared_headers<'a>(&'a self, declared: &'a [&'a str]) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| !declared.iter().any(|d| d.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.as_str(), v.as_str()))
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
