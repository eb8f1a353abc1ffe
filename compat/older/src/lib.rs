//! The client generated from `spec/fixtures/release-10/v1.yaml` (an older Keyfactor Command
//! release's shape: model-binding prefixes, header parameters with schemas,
//! XML media types), built on the client's real runtime: CI's
//! `clippy -D warnings` proves such a release gives a client without warnings.

#[rustfmt::skip] // formatted by prettyplease when generated
mod generated;

pub use generated::*;
