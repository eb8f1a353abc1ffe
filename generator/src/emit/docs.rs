//! Text outputs: the table of multi-version endpoints (part of the client's
//! crate docs) and the one-line-per-operation public surface.

use std::fmt::Write;

use super::{Options, header};
use crate::model::Api;

/// Markdown table of the endpoints that exist in more than one version,
/// with the `@generated` header (the crate docs include it).
pub(super) fn versions_table(api: &Api, options: &Options) -> String {
    let mut out = header(options, "<!--").lines().map(|l| format!("{l} -->\n")).collect::<String>();
    out.push('\n');
    out.push_str(&versions_markdown(api, true));
    out
}

/// The multi-version table as Markdown: `## Endpoints with more than one
/// version` and one row per endpoint; function names link to their docs
/// with `rustdoc_links`, else are plain code.
pub fn versions_markdown(api: &Api, rustdoc_links: bool) -> String {
    let versions: Vec<&str> = api.versions.iter().map(|v| v.header.as_str()).collect();
    let mut out = String::from("## Endpoints with more than one version\n\n");
    out.push_str(
        "Each version is its own method; the plain name is version 1, `_vN` is version N. \
         The method sends its version in `x-keyfactor-api-version`.\n\n",
    );
    let multi: Vec<_> = api.endpoints.iter().filter(|e| e.operations.len() > 1).collect();
    if multi.is_empty() {
        out.push_str("This release has none.\n");
        return out;
    }
    out.push_str("| Method | Path |");
    for v in &versions {
        let _ = write!(out, " `{v}` |");
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(versions.len()));
    out.push('\n');
    for endpoint in multi {
        let _ = write!(out, "| {} | `{}` |", endpoint.method, endpoint.path);
        for v in &versions {
            match endpoint.operations.iter().find(|o| o.version.header == *v) {
                Some(op) if rustdoc_links => {
                    let _ = write!(out, " [`{0}`](crate::Client::{0}) |", op.fn_name);
                }
                Some(op) => {
                    let _ = write!(out, " `{}` |", op.fn_name);
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
