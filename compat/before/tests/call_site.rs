//! The shared call site, compiled and run against this release's client.
use keyfactor_compat_before as client_crate;
include!("../../call_site.rs");
