//! The release workflow of the project's users: get a server's documents
//! ([`fetch`]), see what a new release changes for code using the generated
//! client ([`diff`]), then regenerate (`cargo xtask codegen`).

pub mod fetch;

/// The comparison of two releases lives in the generator (it compares two
/// models); re-exported here for the `diff` command.
pub use keyfactor_generator::diff;
