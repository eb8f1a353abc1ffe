//! A request as the generated code describes it, before it is sent.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What the client knows about one operation (one version of one endpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    /// The client method's name, e.g. `get_agents_by_id`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path template as in the documents, e.g. `/Agents/{id}`.
    pub path: &'static str,
    /// The value sent in `x-keyfactor-api-version`.
    pub version: &'static str,
    /// The tag of the documents that groups the operation.
    pub tag: &'static str,
    /// Whether the documents mark the operation deprecated.
    pub deprecated: bool,
    /// The status the documents declare for success.
    pub success_status: u16,
}

/// The name a query parameter binds to on the server: ASP.NET model binding
/// drops a prefix (`pq.pageReturned` binds `pageReturned`).
// Used by the `dynamic` and `mock` features only.
#[cfg_attr(not(any(feature = "dynamic", feature = "mock")), allow(dead_code))]
pub(crate) fn bound_query_name(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(_, n)| n)
}

/// A request ready to be sent: path already filled in and encoded. Generated
/// request builders make one per call.
#[derive(Debug)]
pub struct Request {
    pub(crate) operation: &'static OperationInfo,
    pub(crate) path: String,
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    pub(crate) headers: Vec<(Cow<'static, str>, String)>,
    pub(crate) body: Option<Vec<u8>>,
}

impl Request {
    /// A request for `operation`, with the `{...}` placeholders of its path
    /// filled in order by `path_params`, each percent-encoded.
    pub fn new(operation: &'static OperationInfo, path_params: &[&dyn ParamValue]) -> Self {
        let mut path = String::with_capacity(operation.path.len() + 16);
        let mut params = path_params.iter();
        let mut rest = operation.path;
        while let Some(open) = rest.find('{') {
            path.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            match params.next() {
                Some(value) => path.push_str(&path_segment(*value)),
                None => path.push_str(&rest[open..close]),
            }
            rest = &rest[close..];
        }
        path.push_str(rest);
        Request { operation, path, query: Vec::new(), headers: Vec::new(), body: None }
    }

    /// Adds a query parameter.
    pub fn query(&mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) {
        self.query.push((Cow::Borrowed(name), value.to_param()));
    }

    /// Adds a header parameter.
    pub fn header(&mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) {
        self.headers.push((Cow::Borrowed(name), value.to_param()));
    }

    /// Adds the parameters the documents do not declare, after the declared ones.
    pub fn extra(&mut self, extra: &Extra) {
        self.query.extend(extra.query.iter().map(|(k, v)| (Cow::Owned(k.clone()), v.clone())));
        self.headers.extend(extra.headers.iter().map(|(k, v)| (Cow::Owned(k.clone()), v.clone())));
    }

    /// Sets the JSON body.
    pub fn json(&mut self, body: &impl serde::Serialize) -> crate::Result<()> {
        let bytes = serde_json::to_vec(body)
            .map_err(|source| crate::Error::Encode { operation: self.operation.name, source })?;
        self.body = Some(bytes);
        Ok(())
    }
}

/// Query parameters and headers the documents do not declare for an
/// operation, set with its builder's `extra_query` and `extra_header`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Extra {
    /// Adds a query parameter.
    pub fn query(&mut self, name: String, value: String) {
        self.query.push((name, value));
    }

    /// Adds a header.
    pub fn header(&mut self, name: String, value: String) {
        self.headers.push((name, value));
    }
}

/// The `extra_query` and `extra_header` setters of a generated request
/// builder (inside its `impl`; the builder has a field `extra: Extra`).
#[macro_export]
macro_rules! extra_params {
    () => {
        /// Adds a query parameter the documents do not declare for this
        /// operation (the server accepts more than they list); sent after the
        /// declared ones, as given.
        pub fn extra_query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
            self.extra.query(name.into(), value.to_string());
            self
        }

        /// Adds a header the documents do not declare for this operation.
        pub fn extra_header(mut self, name: impl Into<String>, value: impl ToString) -> Self {
            self.extra.header(name.into(), value.to_string());
            self
        }
    };
}

/// How a parameter value is written in a path, query or header.
pub trait ParamValue {
    /// The value as the text that goes into a path, query or header.
    fn to_param(&self) -> String;
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn to_param(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
display_param!(String, str, bool, i32, i64, f32, f64, uuid::Uuid);

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}

impl ParamValue for chrono::DateTime<chrono::Utc> {
    fn to_param(&self) -> String {
        self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

impl ParamValue for serde_json::Value {
    fn to_param(&self) -> String {
        match self {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// Characters escaped in a path segment: everything but RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']')
    .add(b'&')
    .add(b'+')
    .add(b';')
    .add(b'=')
    .add(b'@')
    .add(b':')
    .add(b',')
    .add(b'$')
    .add(b'!')
    .add(b'\'')
    .add(b'(')
    .add(b')')
    .add(b'*');

/// A path parameter's value, percent-encoded so that it stays one segment.
fn path_segment(value: &(impl ParamValue + ?Sized)) -> String {
    utf8_percent_encode(&value.to_param(), SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_cannot_escape_their_segment() {
        assert_eq!(path_segment("a/b c?d#e%"), "a%2Fb%20c%3Fd%23e%25");
        assert_eq!(path_segment("Tom's.Role_1-x~"), "Tom%27s.Role_1-x~");
        assert_eq!(path_segment(&7), "7");
    }

    const OP: OperationInfo = OperationInfo {
        name: "get_x_by_id_y",
        method: reqwest::Method::GET,
        path: "/X/{id}/Y/{name}",
        version: "1.0",
        tag: "X",
        deprecated: false,
        success_status: 200,
    };

    #[test]
    fn path_template_is_filled_in_order_and_encoded() {
        let request = Request::new(&OP, &[&42, &"a b/c"]);
        assert_eq!(request.path, "/X/42/Y/a%20b%2Fc");
    }
}
