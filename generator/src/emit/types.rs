//! The `types` module: one Rust type per schema.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Cfg, doc_attrs, doc_raw, format_note, rust_type};
use crate::model::{Api, CodeName, Directions, Field, TypeDef, TypeKind, TypeRef};
use crate::naming;

pub(super) fn types_module(api: &Api, cfg: Cfg) -> TokenStream {
    let defs = api.types.iter().map(|t| type_def(api, t, cfg.of_type(t)));
    let markers = api.types.iter().filter_map(|t| code_marker(t, cfg.of_type(t)));
    let has_structs = api.types.iter().any(|t| matches!(t.kind, TypeKind::Struct { .. }));
    // Unused when the areas compiled in have no struct.
    let import = has_structs.then(|| {
        quote!(
            #[allow(unused_imports)]
            use keyfactor_runtime::codegen;
        )
    });
    quote! {
        #![doc = " Request and response types of the Keyfactor Command API, one per schema of the documents."]
        #![doc = ""]
        #![doc = " Fields that the documents mark nullable or not required are `Option`s. JSON members"]
        #![doc = " the documents do not declare are kept in each struct's `unknown_fields` and sent back,"]
        #![doc = " so a newer server's additions survive decoding and a read-modify-write."]
        #![doc = ""]
        #![doc = " Types sent in requests implement `Serialize`, types received `Deserialize`;"]
        #![doc = " with the `roundtrip` feature every type implements both (to store a"]
        #![doc = " response and send it back, or to read a request body)."]

        #import

        #(#defs)*

        /// What the documents say about each integer code: the values they
        /// list and the names their texts give (see [`crate::CodeNames`]).
        pub mod codes {
            #(#markers)*
        }
    }
}

/// The struct's `Serialize` and `Deserialize` impls, through the runtime's
/// `serialize_object!` / `deserialize_object!` (far cheaper to compile than
/// serde's derives). Each is compiled in the direction the type crosses the
/// wire, the other one only with the `roundtrip` feature.
fn serde_impls(
    api: &Api,
    name: &proc_macro2::Ident,
    fields: &[Field],
    directions: Directions,
    cfg: &TokenStream,
) -> (TokenStream, TokenStream) {
    let only_if = |on: bool| (!on).then(|| quote!(#[cfg(feature = "roundtrip")]));
    let entries = |kind: &dyn Fn(&Field) -> &'static str| {
        let entries = fields.iter().map(|f| {
            let (wire, ident, kind) = (&f.wire, format_ident!("{}", f.ident), format_ident!("{}", kind(f)));
            quote!(#wire => #ident: #kind)
        });
        quote!(#(#entries),*)
    };
    // An optional field that is None is left out; a required but nullable one is sent as null.
    let ser_entries = entries(&|f| if f.optional() && !f.required { "skip" } else { "always" });
    let de_entries = entries(&|f| {
        if holds_date_time(&f.ty) {
            "lenient"
        } else if holds_object(api, &f.ty) {
            "object"
        } else {
            "plain"
        }
    });
    let (ser_cfg, de_cfg) = (only_if(directions.sent), only_if(directions.received));
    let unknown = format_ident!("{}", naming::UNKNOWN_FIELDS);
    (
        quote! {
            #cfg
            #ser_cfg
            codegen::serialize_object!(#name, #unknown { #ser_entries });
        },
        quote! {
            #cfg
            #de_cfg
            codegen::deserialize_object!(#name, #unknown { #de_entries });
        },
    )
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
        impl keyfactor_runtime::CodeNames for #name {
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
            let defs = fields.iter().map(|f| field(api, f));
            let (ser, de) = serde_impls(api, &name, fields, t.directions, &cfg);
            let unknown = format_ident!("{}", naming::UNKNOWN_FIELDS);
            quote! {
                #docs
                #origin
                #cfg
                #[derive(Clone, Debug, Default, PartialEq)]
                pub struct #name {
                    #(#defs)*
                    /// JSON members the documents do not declare for this type, kept as
                    /// received and sent back after the declared ones; a member named as a
                    /// declared field replaces it when sent (see [`keyfactor_runtime::UnknownFields`]).
                    pub #unknown: keyfactor_runtime::UnknownFields,
                }

                #ser
                #de
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
                    impl crate::Code<codes::#name> {
                        #(#constants)*
                    }
                }
            });
            quote! {
                #docs
                #origin
                #cfg
                pub type #name = crate::Code<codes::#name>;

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
    let mut ty = rust_type(api, &f.ty, &TokenStream::new());
    if f.optional() {
        ty = quote!(Option<#ty>);
    }
    let mut docs = f.description.as_deref().map(doc_attrs).unwrap_or_default();
    let wire = format!(" JSON field `{}`.", f.wire);
    let sep = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
    docs = quote!(#docs #sep #[doc = #wire]);
    if let Some(note) = format_note(&f.ty) {
        let note = format!(" {note}");
        docs = quote!(#docs #[doc = ""] #[doc = #note]);
    }
    quote! {
        #docs
        pub #ident: #ty,
    }
}

/// Whether a field's value is an object of a generated struct, or a list or
/// map of them: decoded as it streams in, also when decoding tolerantly (its
/// own members are checked one by one), so that nesting costs no second
/// pass; a value that is no object there is an error.
fn holds_object(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(i) => match &api.types[*i].kind {
            TypeKind::Struct { .. } => true,
            TypeKind::Alias { ty } => holds_object(api, ty),
            TypeKind::IntEnum { .. } | TypeKind::StringEnum { .. } => false,
        },
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => holds_object(api, inner),
        _ => false,
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
