//! The client generated from `spec/fixtures/compat-after.yaml`, built on the
//! client's real runtime, so that `compat/call_site.rs` can be compiled
//! against the API before and after a release.

#[rustfmt::skip] // formatted by prettyplease when generated
mod generated;

pub use generated::*;
