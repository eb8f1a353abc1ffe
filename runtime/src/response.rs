//! A decoded response together with what the server said about it.

use reqwest::header::HeaderMap;

/// A decoded value with the response's status and headers.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: u16,
    headers: HeaderMap,
    value: T,
}

impl<T> Response<T> {
    pub(crate) fn new(status: u16, headers: HeaderMap, value: T) -> Self {
        Response { status, headers, value }
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Status, headers and value.
    pub fn into_parts(self) -> (u16, HeaderMap, T) {
        (self.status, self.headers, self.value)
    }

    /// The decoded value, borrowed.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `X-Total-Count`: how many items the query matches in all pages.
    pub fn total_count(&self) -> Option<u64> {
        self.header("x-total-count").and_then(|v| v.trim().parse().ok())
    }

    /// `X-Keyfactor-Correlation-Id`, for finding the request in the server's logs.
    pub fn correlation_id(&self) -> Option<&str> {
        self.header("x-keyfactor-correlation-id")
    }

    /// `Api-Supported-Versions`, e.g. `["1.0", "2"]`.
    pub fn supported_versions(&self) -> Vec<&str> {
        self.header("api-supported-versions")
            .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    /// `X-Keyfactor-Product-Version`, e.g. `25.4.1+dc0db2c8`.
    pub fn product_version(&self) -> Option<&str> {
        self.header("x-keyfactor-product-version")
    }
}
