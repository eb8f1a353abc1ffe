//! The release workflow of the project's users: get a server's documents
//! ([`fetch`]), see what a new release changes for code using the generated
//! client ([`diff`]), then regenerate (`cargo xtask codegen`).

pub mod diff;
pub mod fetch;
