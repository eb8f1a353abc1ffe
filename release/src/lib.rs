//! The release workflow of a Keyfactor Command client crate, as a library:
//! write a crate for a release's documents ([`client_crate`]), check it is
//! what its recorded documents give ([`files`]), build it with every area
//! alone ([`features`]), move it to the next release with a version bump and
//! a changelog entry ([`upgrade`]) checked against cargo-semver-checks
//! ([`semver`]), compare two releases ([`diff`]) and get a server's
//! documents ([`fetch`], feature `fetch`).
//!
//! `cargo keyfactor` (the `cargo-keyfactor` crate) is its command line for
//! any crate; this project's `cargo xtask` runs the same code on the client
//! it maintains.

pub mod client_crate;
pub mod features;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod files;
pub mod semver;
pub mod upgrade;

/// The comparison of two releases lives in the generator (it compares two
/// models); re-exported here for the `diff` command.
pub use keyfactor_generator::diff;
