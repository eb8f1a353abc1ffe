//! The client generated from `spec/fixtures/minimal.yaml` (a release
//! without paging, versions, parameters, bodies or types), built on the client's real runtime: CI's
//! `clippy -D warnings` proves such a release gives a client without warnings.

#[rustfmt::skip] // formatted by prettyplease when generated
mod generated;

pub use generated::*;
