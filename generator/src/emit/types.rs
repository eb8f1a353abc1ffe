//! The `types` module: one Rust type per schema.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Cfg, doc_attrs, doc_raw, format_note, rust_type};
use crate::model::{Api, CodeName, Field, TypeDef, TypeKind, TypeRef};

pub(super) fn types_module(api: &Api, cfg: Cfg) -> TokenStream {
    let defs = api.types.iter().map(|t| type_def(api, t, cfg.any(&t.tags)));
    let markers = api.types.iter().filter_map(|t| code_marker(t, cfg.any(&t.tags)));
    // Only structs derive serde's traits; a release may have none.
    let serde = api.types.iter().any(|t| matches!(t.kind, TypeKind::Struct { .. })).then(|| {
        quote!(
            use serde::{Deserialize, Serialize};
        )
    });
    quote! {
        #![doc = " Request and response types of the Keyfactor Command API, one per schema of the documents."]
        #![doc = ""]
        #![doc = " Fields that the documents mark nullable or not required are `Option`s; unknown JSON"]
        #![doc = " fields are ignored, so a newer server's additions do not break decoding."]
        #serde

        #(#defs)*

        /// What the documents say about each integer code: the values they
        /// list and the names their texts give (see [`crate::CodeNames`]).
        pub mod codes {
            #(#markers)*
        }
    }
}

/// The integer code's doc line: its values, with names where known.
fn code_summary(known: &[i64], names: &[CodeName]) -> String {
    let values = known
        .iter()
        .map(|v| match names.iter().find(|n| n.value == *v) {
            Some(n) => format!("{v} (`{}`)", n.ident),
            None => v.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "An integer code; the documents list the values {values}. The server may send and \
         accept it as a number, a numeric string or a name: any of them decodes, and a value \
         read from a response is sent back in the form it came in (see [`crate::Code`])."
    )
}

/// The marker type of an integer code, in the `codes` module.
fn code_marker(t: &TypeDef, cfg: TokenStream) -> Option<TokenStream> {
    let TypeKind::IntEnum { known, names, .. } = &t.kind else { return None };
    let name = format_ident!("{}", t.name);
    let doc = format!(" The values and names of [`super::{}`].", t.name);
    let known = known.iter().map(|v| proc_macro2::Literal::i64_unsuffixed(*v));
    let pairs = names.iter().map(|n| {
        let value = proc_macro2::Literal::i64_unsuffixed(n.value);
        let text = &n.text;
        quote!((#value, #text))
    });
    let names = (!names.is_empty()).then(|| quote!(const NAMES: &'static [(i64, &'static str)] = &[#(#pairs),*];));
    Some(quote! {
        #[doc = #doc]
        #cfg
        pub enum #name {}

        #cfg
        impl crate::runtime::CodeNames for #name {
            const KNOWN: &'static [i64] = &[#(#known),*];
            #names
        }
    })
}

fn type_def(api: &Api, t: &TypeDef, cfg: TokenStream) -> TokenStream {
    let name = format_ident!("{}", t.name);
    let mut lines = Vec::new();
    let docs = t.description.as_deref().map(doc_attrs).unwrap_or_default();
    if t.description.is_some() {
        lines.push(String::new());
    }
    lines.push(format!("Schema `{}` (API version {}).", t.schema, t.versions.join(", ")));
    match &t.kind {
        TypeKind::Struct { fields } => {
            let origin = doc_raw(&lines);
            let fields = fields.iter().map(|f| field(api, f));
            quote! {
                #docs
                #origin
                #cfg
                #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
                pub struct #name {
                    #(#fields)*
                }
            }
        }
        TypeKind::IntEnum { known, names, .. } => {
            lines.push(String::new());
            lines.push(code_summary(known, names));
            let origin = doc_raw(&lines);
            let constants = names.iter().map(|n| {
                let ident = format_ident!("{}", n.ident);
                let value = proc_macro2::Literal::i64_unsuffixed(n.value);
                let doc = format!(" `{}` ({}), as the documents name it.", n.text.replace('`', "'"), n.value);
                quote! {
                    #[doc = #doc]
                    pub const #ident: Self = Self::number(#value);
                }
            });
            let constants = (!names.is_empty()).then(|| {
                quote! {
                    #cfg
                    impl crate::runtime::Code<codes::#name> {
                        #(#constants)*
                    }
                }
            });
            quote! {
                #docs
                #origin
                #cfg
                pub type #name = crate::runtime::Code<codes::#name>;

                #constants
            }
        }
        TypeKind::StringEnum { known } => {
            lines.push(String::new());
            lines.push(format!("Text; the documents list the values {}.", quote_list(known)));
            alias(&name, &docs, &lines, quote!(#cfg), quote!(String))
        }
        TypeKind::Alias { ty } => alias(&name, &docs, &lines, cfg, rust_type(api, ty, &TokenStream::new())),
    }
}

fn alias(
    name: &proc_macro2::Ident,
    docs: &TokenStream,
    lines: &[String],
    cfg: TokenStream,
    ty: TokenStream,
) -> TokenStream {
    let origin = doc_raw(lines);
    quote! {
        #docs
        #origin
        #cfg
        pub type #name = #ty;
    }
}

fn quote_list(values: &[String]) -> String {
    values.iter().map(|v| format!("`{v:?}`")).collect::<Vec<_>>().join(", ")
}

fn field(api: &Api, f: &Field) -> TokenStream {
    let ident = format_ident!("{}", f.ident);
    let wire = &f.wire;
    let mut ty = rust_type(api, &f.ty, &TokenStream::new());
    let mut serde = Vec::new();
    if *wire != f.ident {
        serde.push(quote!(rename = #wire));
    }
    if f.optional() {
        ty = quote!(Option<#ty>);
        serde.push(quote!(default));
        // A required but nullable field is sent as null rather than left out.
        if !f.required {
            serde.push(quote!(skip_serializing_if = "Option::is_none"));
        }
    } else if matches!(f.ty, TypeRef::Array(_) | TypeRef::Map(_)) {
        serde.push(quote!(default));
    }
    if holds_date_time(&f.ty) {
        serde.push(quote!(deserialize_with = "crate::runtime::datetime::deserialize"));
    }
    let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
    let mut docs = f.description.as_deref().map(doc_attrs).unwrap_or_default();
    if let Some(note) = format_note(&f.ty) {
        let sep = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
        let note = format!(" {note}");
        docs = quote!(#docs #sep #[doc = #note]);
    }
    quote! {
        #docs
        #serde
        pub #ident: #ty,
    }
}

/// Whether a field's value contains date-times, which decode leniently.
fn holds_date_time(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::DateTime => true,
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => holds_date_time(inner),
        _ => false,
    }
}
