//! The hand-written part of the client that every generated operation calls.

mod client;
mod error;
mod request;
mod response;

pub use client::{Auth, Client, ClientBuilder};
pub use error::{ApiError, Error, Result};
pub use request::OperationInfo;
pub(crate) use request::{ParamValue, Request};
pub use response::Response;
