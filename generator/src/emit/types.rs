//! The `types` module: one Rust type per schema.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Cfg, doc_attrs, doc_raw, format_note, rust_type};
use crate::model::{Api, Field, TypeDef, TypeKind, TypeRef};

pub(super) fn types_module(api: &Api, cfg: Cfg) -> TokenStream {
    let defs = api.types.iter().map(|t| type_def(api, t, cfg.any(&t.tags)));
    quote! {
        #![doc = " Request and response types of the Keyfactor Command API, one per schema of the documents."]
        #![doc = ""]
        #![doc = " Fields that the documents mark nullable or not required are `Option`s; unknown JSON"]
        #![doc = " fields are ignored, so a newer server's additions do not break decoding."]
        use serde::{Deserialize, Serialize};

        #(#defs)*
    }
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
        TypeKind::IntEnum { wide, known } => {
            lines.push(String::new());
            lines.push(format!(
                "An integer code. The documents list the values {} without names; any other integer \
                 decodes too, so a value that a newer server adds does not break this client.",
                known.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            ));
            let origin = doc_raw(&lines);
            let int = if *wide { quote!(i64) } else { quote!(i32) };
            let known = known.iter().map(|v| {
                if *wide {
                    proc_macro2::Literal::i64_unsuffixed(*v)
                } else {
                    proc_macro2::Literal::i32_unsuffixed(*v as i32)
                }
            });
            quote! {
                #docs
                #origin
                #cfg
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
                #[serde(transparent)]
                pub struct #name(pub #int);

                #cfg
                impl #name {
                    /// The values the documents list.
                    pub const KNOWN: &'static [#int] = &[#(#known),*];

                    /// Whether the documents list this value.
                    pub fn is_known(self) -> bool {
                        Self::KNOWN.contains(&self.0)
                    }
                }

                #cfg
                impl crate::runtime::ParamValue for #name {
                    fn to_param(&self) -> String {
                        self.0.to_string()
                    }
                }
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
