//! Text outputs: the table of multi-version endpoints (part of the client's
//! crate docs) and the one-line-per-operation public surface.

use std::fmt::Write;

use super::{Options, header};
use crate::model::Api;

/// Markdown table of the endpoints that exist in more than one version.
pub(super) fn versions_table(api: &Api, options: &Options) -> String {
    let versions: Vec<&str> = api.versions.iter().map(|v| v.header.as_str()).collect();
    let mut out = header(options, "<!--").lines().map(|l| format!("{l} -->\n")).collect::<String>();
    out.push_str("\n## Endpoints with more than one version\n\n");
    out.push_str(
        "Each version is its own method; the plain name is version 1, `_vN` is version N. \
         The method sends its version in `x-keyfactor-api-version`.\n\n",
    );
    out.push_str("| Method | Path |");
    for v in &versions {
        let _ = write!(out, " `{v}` |");
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(versions.len()));
    out.push('\n');
    for endpoint in api.endpoints.iter().filter(|e| e.operations.len() > 1) {
        let _ = write!(out, "| {} | `{}` |", endpoint.method, endpoint.path);
        for v in &versions {
            match endpoint.operations.iter().find(|o| o.version.header == *v) {
                Some(op) => {
                    let _ = write!(out, " [`{0}`](crate::Client::{0}) |", op.fn_name);
                }
                None => out.push_str(" |"),
            }
        }
        out.push('\n');
    }
    out
}

/// One line per operation: function, method, path, version (and `deprecated`).
pub fn surface(api: &Api) -> String {
    let mut out = String::new();
    for op in api.operations() {
        let _ = writeln!(
            out,
            "{} {} {} {}{}",
            op.fn_name,
            op.method,
            op.path,
            op.version.header,
            if op.deprecated { " deprecated" } else { "" }
        );
    }
    out
}
