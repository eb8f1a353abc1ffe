//! The `dynamic` module (cargo feature `dynamic`): one function that calls
//! any operation by name with its arguments as text, so that tools such as
//! `cargo xtask replay` can drive the client from recorded requests without
//! code per endpoint.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Cfg, rust_type};
use crate::model::{Api, Location, Operation, TypeRef};

pub(super) fn dynamic_module(api: &Api, cfg: Cfg) -> TokenStream {
    let arms = api.operations().map(|op| {
        let (name, function) = (&op.fn_name, format_ident!("{}", op.fn_name));
        let cfg = cfg.one(&op.tag);
        quote!(#cfg #name => Box::pin(#function(client, args)),)
    });
    let functions = api.operations().map(|op| {
        let cfg = cfg.one(&op.tag);
        let function = function(api, op);
        quote!(#cfg #function)
    });
    let names = api.operations().map(|op| {
        let (name, cfg) = (op.fn_name.as_str(), cfg.one(&op.tag));
        quote!(#cfg #name)
    });
    quote! {
        #![doc = " Calls any operation by name with its arguments as text (feature `dynamic`)."]
        #![allow(deprecated)]
        use std::future::Future;
        use std::pin::Pin;

        use keyfactor_runtime::dynamic::DynamicArgs;

        type Called<'a> = Pin<Box<dyn Future<Output = crate::Result<crate::Response<serde_json::Value>>> + Send + 'a>>;

        /// The names [`call`] accepts: every client method (of the areas compiled in).
        pub const NAMES: &[&str] = &[#(#names),*];

        /// Calls the client method `operation` with `args`, each parsed into
        /// the parameter's type, and returns the decoded response re-encoded
        /// as JSON.
        pub async fn call(
            client: &crate::Client,
            operation: &str,
            args: &DynamicArgs,
        ) -> crate::Result<crate::Response<serde_json::Value>> {
            // One boxed future per operation keeps this function's own frame small.
            let called: Called<'_> = match operation {
                #(#arms)*
                _ => {
                    return Err(crate::Error::InvalidArgument {
                        operation: "dynamic::call",
                        message: format!("no operation is named {operation:?}"),
                    });
                }
            };
            called.await
        }

        #(#functions)*
    }
}

fn function(api: &Api, op: &Operation) -> TokenStream {
    let name = &op.fn_name;
    let method = format_ident!("{}", op.fn_name);
    let prefix = quote!(crate::types::);
    let positional = op.params.iter().filter(|p| p.positional()).map(|p| {
        let (wire, ty) = (&p.wire, rust_type(api, &p.ty, &prefix));
        match p.location {
            Location::Path => quote!(args.path::<#ty>(OP, #wire)?),
            Location::Query => quote!(args.required::<#ty>(OP, #wire, false)?),
            Location::Header => quote!(args.required::<#ty>(OP, #wire, true)?),
        }
    });
    let body = op.body.as_ref().map(|b| {
        let ty = rust_type(api, &b.ty, &prefix);
        quote!(args.body::<#ty>(OP)?)
    });
    let setters = op.params.iter().filter(|p| !p.positional()).map(|p| {
        let (wire, setter) = (&p.wire, format_ident!("{}", p.ident));
        let get = match (&p.ty, p.location) {
            (TypeRef::Array(item), Location::Query) => {
                let item = rust_type(api, item, &prefix);
                quote!(args.query_all::<#item>(OP, #wire)?)
            }
            (ty, Location::Header) => {
                let ty = rust_type(api, ty, &prefix);
                quote!(args.header::<#ty>(OP, #wire)?)
            }
            (ty, _) => {
                let ty = rust_type(api, ty, &prefix);
                quote!(args.query::<#ty>(OP, #wire)?)
            }
        };
        quote! {
            if let Some(value) = #get {
                builder = builder.#setter(value);
            }
        }
    });
    let setters: Vec<TokenStream> = setters.collect();
    let declared = op.params.iter().filter(|p| p.location == Location::Query).map(|p| &p.wire);
    let headers = op.params.iter().filter(|p| p.location == Location::Header).map(|p| &p.wire);
    let uses_args = !op.params.is_empty() || op.body.is_some();
    let op_name = uses_args.then(|| quote!(const OP: &str = #name;));
    quote! {
        async fn #method(
            client: &crate::Client,
            args: &DynamicArgs,
        ) -> crate::Result<crate::Response<serde_json::Value>> {
            #op_name
            let mut builder = client.#method(#(#positional,)* #body);
            #(#setters)*
            // What the documents do not declare is sent as given.
            for (name, value) in args.undeclared_query(&[#(#declared),*]) {
                builder = builder.extra_query(name, value);
            }
            for (name, value) in args.undeclared_headers(&[#(#headers),*]) {
                builder = builder.extra_header(name, value);
            }
            keyfactor_runtime::codegen::to_json(builder.send_with_metadata().await?)
        }
    }
}
