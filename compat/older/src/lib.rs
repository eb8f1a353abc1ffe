//! The client generated from `spec/fixtures/release-10/v1.yaml` (an older Keyfactor Command
//! release's shape: model-binding prefixes, header parameters with schemas,
//! XML media types), built on the client's real runtime: CI's
//! `clippy -D warnings` proves such a release gives a client without warnings.

#[rustfmt::skip] // formatted by prettyplease when generated
mod generated;
#[path = "../../../generated-client/src/runtime/mod.rs"]
mod runtime;

#[cfg(feature = "dynamic")]
pub use generated::dynamic;
pub use generated::{OPERATIONS, operations, types};
pub use runtime::exports::*;
#[cfg(feature = "mock")]
pub use runtime::mock;
