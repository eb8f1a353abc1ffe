//! The runtime that every generated Keyfactor Command client shares.
//!
//! A client crate is generated for one Keyfactor Command release
//! (`keyfactor-client` for release 25, or any crate `cargo keyfactor new`
//! writes). Each has its own `Client` with one method per operation and
//! version, and its own types; everything else is here, once:
//! configuration ([`ClientBuilder`], `from_env`), authentication ([`Auth`]),
//! retries ([`RetryPolicy`]), the one [`Error`] type, [`Response`] metadata,
//! paging, integer codes ([`CodeNames`]), lenient date-times, and the test
//! doubles (feature `mock`).
//!
//! Users rarely name this crate: a client crate re-exports what they need.
//! Depend on it to talk to servers of two releases from one program: build
//! one [`Client`] (one configuration, one connection pool, one OAuth token)
//! and turn it into each release's client.
//!
//! ```ignore
//! let shared = keyfactor_runtime::Client::from_env()?;
//! let v25 = keyfactor_client::Client::from(shared.clone());
//! let v10 = keyfactor_client_10::Client::from(shared);
//! // Both return `keyfactor_runtime::Result`: one error type.
//! ```
//!
//! Generated code calls only what [`codegen`] lists.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
#[cfg(feature = "cli")]
pub mod cli;
mod client;
mod code;
mod config;
mod datetime;
#[cfg(feature = "dynamic")]
pub mod dynamic;
mod error;
#[cfg(feature = "mock")]
pub mod mock;
mod object;
mod paging;
mod request;
mod response;
mod retry;
mod unknown;

pub use auth::{Auth, OAuthConfig};
pub use client::{Client, ClientBuilder, GeneratedClient};
pub use code::{CodeForm, CodeNames};
pub use config::ENVIRONMENT_HELP;
pub use datetime::parse as parse_date_time;
pub use error::{ApiError, DryRun, Error, Result};
pub use request::OperationInfo;
pub use response::Response;
pub use retry::RetryPolicy;
pub use unknown::UnknownFields;

/// This runtime's version (`cargo keyfactor new` makes crates depend on the
/// version it was built with).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a generated client crate re-exports at its root, besides its own
/// `Client`, `ClientBuilder` and `Code`.
pub mod exports {
    #[cfg(feature = "dynamic")]
    pub use super::dynamic::{DynamicArgs, query_name_matches};
    pub use super::{
        ApiError, Auth, CodeForm, CodeNames, Error, GeneratedClient, OAuthConfig, OperationInfo, Response, Result,
        RetryPolicy,
    };
}

/// The surface generated code calls, and nothing else does. A client crate
/// generated for any release compiles against exactly this:
///
/// - [`Request`](codegen::Request) and [`ParamValue`](codegen::ParamValue):
///   a builder's request, its path filled and its parameters encoded;
/// - [`Extra`](codegen::Extra) and [`extra_params!`](codegen::extra_params):
///   each builder's undeclared query parameters and headers, and their setters;
/// - [`send_json`](codegen::send_json), [`send_json_value`](codegen::send_json_value),
///   [`send_empty`](codegen::send_empty), [`send_empty_value`](codegen::send_empty_value):
///   the futures a builder's `send` and `send_with_metadata` return;
/// - [`paged`](codegen::paged) and [`DEFAULT_PAGE_SIZE`](codegen::DEFAULT_PAGE_SIZE):
///   a paged listing's `stream`;
/// - [`serialize_object!`](codegen::serialize_object), [`deserialize_object!`](codegen::deserialize_object):
///   the serde impls of generated structs;
/// - [`code_type!`](codegen::code_type): the crate's `Code<M>` type of integer codes;
/// - [`mock_operation!`](codegen::mock_operation) (feature `mock`): a builder as a mock expectation;
/// - [`Method`](codegen::Method): the HTTP method of an [`OperationInfo`].
///
/// A release may need only part of it (one without paged listings never
/// calls `paged`); none of it warns when unused.
pub mod codegen {
    pub use crate::client::{send_empty, send_empty_value, send_json, send_json_value};
    #[cfg(feature = "dynamic")]
    pub use crate::dynamic::to_json;
    #[cfg(feature = "mock")]
    pub use crate::mock_operation;
    pub use crate::paging::{DEFAULT_PAGE_SIZE, paged};
    pub use crate::request::{Extra, ParamValue, Request};
    pub use crate::{code_type, deserialize_object, extra_params, serialize_object};
    pub use reqwest::Method;

    /// What the macros expand to; not for direct use.
    #[doc(hidden)]
    pub mod support {
        pub use crate::code::CodeValue;
        pub use crate::datetime::{L, Lenient};
        pub use crate::object::{Key, Skip, keep, lenient, object, plain};
        pub use serde;
    }
}
