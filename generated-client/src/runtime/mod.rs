//! The hand-written part of the client that every generated operation calls.

mod auth;
mod client;
mod code;
mod config;
// Generated code decodes through it only where a release has date-time fields.
#[allow(dead_code)]
pub(crate) mod datetime;
#[cfg(feature = "dynamic")]
pub(crate) mod dynamic;
mod error;
#[cfg(feature = "mock")]
pub mod mock;
// The serde impls of generated structs; a release may have no struct.
#[allow(dead_code, unused_imports, unused_macros)]
pub(crate) mod object;
// Generated code streams paged listings through it; a release may have none.
#[allow(dead_code)]
mod paging;
mod request;
mod response;
mod retry;

pub use auth::{Auth, OAuthConfig};
pub use client::{Client, ClientBuilder};
pub use code::{Code, CodeForm, CodeNames};
#[cfg(feature = "dynamic")]
pub use dynamic::{DynamicArgs, query_name_matches};
pub use error::{ApiError, Error, Result};
#[cfg(feature = "mock")]
pub(crate) use mock::mock_operation;
#[allow(unused_imports)]
pub(crate) use object::{deserialize_object, serialize_object};
#[allow(unused_imports)]
pub(crate) use paging::{DEFAULT_PAGE_SIZE, paged};
pub use request::OperationInfo;
pub(crate) use request::{ParamValue, Request};
pub use response::Response;
pub use retry::RetryPolicy;

/// What a client crate re-exports at its root: this crate, and the fixture
/// clients under `compat/` that are built on the same runtime.
pub mod exports {
    pub use super::{
        ApiError, Auth, Client, ClientBuilder, Code, CodeForm, CodeNames, Error, OAuthConfig, OperationInfo, Response,
        Result, RetryPolicy,
    };
    #[cfg(feature = "dynamic")]
    pub use super::{DynamicArgs, query_name_matches};
}
