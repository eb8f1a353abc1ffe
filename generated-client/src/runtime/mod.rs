//! The hand-written part of the client that every generated operation calls.

mod auth;
mod client;
mod config;
mod error;
mod paging;
mod request;
mod response;
mod retry;

pub use auth::{Auth, OAuthConfig};
pub use client::{Client, ClientBuilder};
pub use error::{ApiError, Error, Result};
pub(crate) use paging::{DEFAULT_PAGE_SIZE, paged};
pub use request::OperationInfo;
pub(crate) use request::{ParamValue, Request};
pub use response::Response;
pub use retry::RetryPolicy;
