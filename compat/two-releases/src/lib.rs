//! Nothing but tests: `tests/two_releases.rs` uses the v25 client and the
//! client generated from `spec/fixtures/release-10` in one program, built
//! from one configuration, sharing authentication and one error type.
