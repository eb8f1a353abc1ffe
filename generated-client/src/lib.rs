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
//! The modules [`operations`] and [`types`], [`Client`] and [`Code`] are
//! generated from Keyfactor's OpenAPI documents by `cargo xtask codegen`;
//! configuration, authentication, retries and errors come from the runtime
//! every generated client shares, [`keyfactor_runtime`], re-exported here.
//! Clients of other releases (`cargo xtask new-crate`) built on the same
//! runtime share its configuration, authentication and [`Error`] type.
//!
//! # Testing code that uses the client
//!
//! With the `mock` feature, [`mock::MockServer`] is a typed mock server:
//!
//! ```no_run
//! # #[cfg(feature = "mock")]
//! # async fn demo() {
//! use keyfactor_client::mock::MockServer;
//! use keyfactor_client::types::AgentResponse;
//!
//! let mock = MockServer::start().await;
//! // GET /Agents/{id}, version 1: the mock checks the version header too.
//! let id = "3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f".parse().unwrap();
//! mock.get_agents_by_id(id)
//!     .respond(AgentResponse { client_machine: Some("host1".into()), ..Default::default() })
//!     .await;
//! let agent = mock.client().get_agents_by_id(id).send().await.unwrap();
//! assert_eq!(agent.client_machine.as_deref(), Some("host1"));
//! # }
//! ```
#![doc = include_str!("generated/versions.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[rustfmt::skip] // formatted by prettyplease when generated
mod generated;

pub use generated::*;
pub use keyfactor_runtime;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
