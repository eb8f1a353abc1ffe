//! Rust client for the Keyfactor Command REST API.
//!
//! Every operation of the API is a method of [`Client`] that returns a
//! request builder: arguments that are always needed (path parameters,
//! required parameters, the body) are passed to the method, optional ones
//! are set on the builder, and `.send().await` makes the request.
//!
//! ```no_run
//! # async fn demo() -> keyfactor_client::Result<()> {
//! use keyfactor_client::{Auth, Client};
//!
//! let client = Client::builder("https://keyfactor.example.com/KeyfactorAPI")
//!     .auth(Auth::basic("KEYFACTOR\\admin", "secret"))
//!     .build()?;
//! let agents = client.get_agents().return_limit(50).send().await?;
//! // Version 2 of an endpoint is its own method, sending `x-keyfactor-api-version: 2`.
//! let types = client.get_pam_providers_types_v2().send().await?;
//! # let _ = (agents, types);
//! # Ok(())
//! # }
//! ```
//!
//! The modules [`operations`] and [`types`] are generated from Keyfactor's
//! OpenAPI documents by `cargo xtask codegen`; the rest (configuration,
//! authentication, errors) is written by hand in `runtime`.
#![doc = include_str!("generated/versions.md")]
// With only some areas compiled in, parts of the runtime go unused.
#![cfg_attr(not(feature = "all-areas"), allow(dead_code, unused_imports))]

#[rustfmt::skip] // formatted by prettyplease when generated
mod generated;
mod runtime;

#[cfg(feature = "dynamic")]
pub use generated::dynamic;
pub use generated::{OPERATIONS, operations, types};
pub use runtime::exports::*;
#[cfg(feature = "mock")]
pub use runtime::mock;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
