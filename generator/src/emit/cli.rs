//! The `cli` module (cargo feature `cli`): the table of every operation the
//! runtime's command line makes its subcommands of (`keyfactor <area>
//! <operation>`), and `main`. The table is data, not clap code, so that the
//! binary builds one operation's arguments per run; each operation points at
//! its builder's `INFO`, and a body at the check of its request type (the
//! only typed code per operation); names follow `naming` ("The command line").

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value, json};

use super::Cfg;
use crate::model::{Api, Location, Operation, Param, Tag, TypeKind, TypeRef};
use crate::naming;

/// How deep `--body-template` spells out nested types (deeper ones are `{}`).
const TEMPLATE_DEPTH: usize = 4;

pub(super) fn cli_module(api: &Api, cfg: Cfg, release: &str) -> TokenStream {
    let areas = areas(api).into_iter().map(|(tag, ops)| {
        let cfg = cfg.one(&tag);
        let (name, label) = (&tag.feature, &tag.name);
        let ops = ops.iter().map(|op| operation(api, op));
        quote!(#cfg Area { name: #name, tag: #label, ops: &[#(#ops),*] })
    });
    quote! {
        #![doc = " The command line's table of operations (feature `cli`): `keyfactor_runtime::cli` makes a subcommand of each."]
        #![allow(deprecated)]
        use keyfactor_runtime::cli::{Area, Body, Kind, Location, Op, Param, Spec, check_body};

        /// Every area compiled in, with its operations.
        pub static AREAS: &[Area] = &[#(#areas),*];

        /// What the command line is made of.
        pub static SPEC: Spec = Spec { bin: "keyfactor", release: #release, areas: AREAS };

        /// Runs the command line (`keyfactor <area> <operation>`) on the process's arguments.
        pub fn main() -> std::process::ExitCode {
            keyfactor_runtime::cli::main(&SPEC)
        }
    }
}

/// The operations of each area, areas by name, operations in the client's order.
fn areas(api: &Api) -> Vec<(Tag, Vec<&Operation>)> {
    let tags: BTreeSet<(String, Tag)> = api.tags().into_iter().map(|t| (t.feature.clone(), t)).collect();
    tags.into_iter()
        .map(|(_, tag)| {
            let ops = api.operations().filter(|o| o.tag.module == tag.module).collect();
            (tag, ops)
        })
        .collect()
}

fn operation(api: &Api, op: &Operation) -> TokenStream {
    let name = naming::cli_command(&op.fn_name);
    let (module, builder) = (format_ident!("{}", op.tag.module), format_ident!("{}", op.builder_name));
    let summary = text(op.summary.as_deref());
    let description = text(op.description.as_deref());
    let (deprecated, method, path, version) = (op.deprecated, &op.method, &op.path, &op.version.header);
    let params = op.params.iter().map(|p| param(api, p));
    let body = match &op.body {
        Some(body) => {
            let required = body.required;
            let type_name = super::rust_type(api, &body.ty, &TokenStream::new()).to_string().replace(' ', "");
            let template = template(api, &body.ty, 0).to_string();
            let ty = super::rust_type(api, &body.ty, &quote!(crate::types::));
            quote!(Some(Body { required: #required, type_name: #type_name, template: #template, check: check_body::<#ty> }))
        }
        None => quote!(None),
    };
    let paging = match &op.paging {
        Some(paging) => {
            let wire = |ident: &str| {
                op.params.iter().find(|p| p.ident == ident).map_or_else(|| ident.to_string(), |p| p.wire.clone())
            };
            let (page, limit) = (wire(&paging.page), wire(&paging.limit));
            quote!(Some((#page, #limit)))
        }
        None => quote!(None),
    };
    quote! {
        Op {
            name: #name,
            info: &crate::operations::#module::#builder::INFO,
            summary: #summary,
            description: #description,
            deprecated: #deprecated,
            method: #method,
            path: #path,
            version: #version,
            params: &[#(#params),*],
            body: #body,
            paging: #paging,
        }
    }
}

fn param(api: &Api, p: &Param) -> TokenStream {
    let (location, flag) = match p.location {
        Location::Path => (quote!(Location::Path), naming::cli_positional(&p.wire)),
        Location::Query => (quote!(Location::Query), naming::cli_flag(&p.ident)),
        Location::Header => (quote!(Location::Header), naming::cli_flag(&p.ident)),
    };
    let (kind, array, codes) = kind(api, &p.ty);
    let codes = codes.iter().map(|(value, name)| quote!((#value, #name)));
    let (wire, required, help) = (&p.wire, p.required, text(p.description.as_deref()));
    quote! {
        Param {
            wire: #wire,
            flag: #flag,
            location: #location,
            kind: Kind::#kind,
            required: #required,
            array: #array,
            help: #help,
            codes: &[#(#codes),*],
        }
    }
}

/// A parameter's kind, whether it repeats, and an integer code's names.
fn kind(api: &Api, ty: &TypeRef) -> (TokenStream, bool, Vec<(i64, String)>) {
    match ty {
        TypeRef::Array(item) => {
            let (kind, _, codes) = kind(api, item);
            (kind, true, codes)
        }
        TypeRef::Boxed(inner) => kind(api, inner),
        TypeRef::I32 | TypeRef::I64 => (quote!(Integer), false, Vec::new()),
        TypeRef::F32 | TypeRef::F64 => (quote!(Number), false, Vec::new()),
        TypeRef::Bool => (quote!(Bool), false, Vec::new()),
        TypeRef::Uuid => (quote!(Uuid), false, Vec::new()),
        TypeRef::DateTime => (quote!(DateTime), false, Vec::new()),
        TypeRef::Named(i) => match &api.types[*i].kind {
            TypeKind::IntEnum { names, .. } => {
                (quote!(Code), false, names.iter().map(|n| (n.value, n.text.clone())).collect())
            }
            TypeKind::Alias { ty } => kind(api, ty),
            _ => (quote!(Text), false, Vec::new()),
        },
        _ => (quote!(Text), false, Vec::new()),
    }
}

/// A documents' text on one line, spaces collapsed.
fn text(text: Option<&str>) -> String {
    text.unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON skeleton of a value of `ty`: every member with a placeholder of
/// its type, nested types spelt out down to [`TEMPLATE_DEPTH`].
fn template(api: &Api, ty: &TypeRef, depth: usize) -> Value {
    match ty {
        TypeRef::String | TypeRef::Base64 | TypeRef::DateSpan => json!("string"),
        TypeRef::Bool => json!(false),
        TypeRef::I32 | TypeRef::I64 => json!(0),
        TypeRef::F32 | TypeRef::F64 => json!(0.0),
        TypeRef::Uuid => json!("00000000-0000-0000-0000-000000000000"),
        TypeRef::DateTime => json!("2025-01-01T00:00:00Z"),
        TypeRef::Date => json!("2025-01-01"),
        TypeRef::Any => Value::Null,
        TypeRef::Array(item) => json!([template(api, item, depth + 1)]),
        TypeRef::Map(value) => json!({ "key": template(api, value, depth + 1) }),
        TypeRef::Boxed(inner) => template(api, inner, depth),
        TypeRef::Named(i) => {
            let def = &api.types[*i];
            match &def.kind {
                TypeKind::Struct { .. } if depth >= TEMPLATE_DEPTH => json!({}),
                TypeKind::Struct { fields } => {
                    let members: Map<String, Value> =
                        fields.iter().map(|f| (f.wire.clone(), template(api, &f.ty, depth + 1))).collect();
                    Value::Object(members)
                }
                TypeKind::IntEnum { known, .. } => json!(known.first().copied().unwrap_or(0)),
                TypeKind::StringEnum { known } => json!(known.first().cloned().unwrap_or_default()),
                TypeKind::Alias { ty } => template(api, ty, depth),
            }
        }
    }
}
