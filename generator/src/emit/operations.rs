//! The `operations` modules: per tag, the `Client` methods and their request
//! builders. Each version of an endpoint is its own method and builder.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Cfg, doc_attrs, doc_raw, format_note, is_text, rust_type};
use crate::model::{Api, Location, Operation, Paging, Param, Success, Tag, TypeRef};

pub(super) fn operations_index(api: &Api, cfg: Cfg) -> TokenStream {
    let modules = api.tags().into_iter().map(|tag| {
        let module = format_ident!("{}", tag.module);
        let doc = format!(" Operations tagged `{}`.", tag.name);
        let cfg = cfg.one(&tag);
        quote! {
            #[doc = #doc]
            #cfg
            pub mod #module;
        }
    });
    quote! {
        #![doc = " Request builders, one module per tag of the documents."]
        #(#modules)*
    }
}

pub(super) fn tag_module(api: &Api, tag: &Tag, cfg: Cfg) -> TokenStream {
    let ops: Vec<&Operation> = api.operations().filter(|o| o.tag == *tag).collect();
    let methods = ops.iter().map(|op| client_method(api, op, cfg.feature_of(tag)));
    let builders = ops.iter().map(|op| builder(api, op));
    let expectations = ops.iter().map(|op| mock_method(api, op));
    let mock_ops = ops.iter().map(|op| mock_operation(api, op));
    let doc_cfg = cfg.doc_only(tag);
    quote! {
        use keyfactor_runtime::codegen;

        #doc_cfg
        impl crate::Client {
            #(#methods)*
        }

        #(#builders)*

        #[cfg(feature = "mock")]
        impl crate::mock::MockServer {
            #(#expectations)*
        }

        #(#mock_ops)*
    }
}

/// The mock server's expectation method of an operation: the client
/// function's name and arguments (feature `mock`).
fn mock_method(api: &Api, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.fn_name);
    let builder = format_ident!("{}", op.builder_name);
    let (args, names) = method_args(api, op);
    let deprecated = op.deprecated.then(|| quote!(#[allow(deprecated)]));
    let doc = format!(
        " Expects a call of [`Client::{}`](crate::Client::{}) with these arguments (`{} {}`, version `{}`).",
        op.fn_name, op.fn_name, op.method, op.path, op.version.header
    );
    quote! {
        #[doc = #doc]
        #deprecated
        pub fn #name(&self, #(#args),*) -> crate::mock::Expect<'_, #builder<'_>> {
            self.expect(self.client().#name(#(#names),*))
        }
    }
}

/// The builder as something the mock can expect (feature `mock`).
fn mock_operation(api: &Api, op: &Operation) -> TokenStream {
    let builder = format_ident!("{}", op.builder_name);
    let output = output_type(api, op);
    quote! {
        #[cfg(feature = "mock")]
        codegen::mock_operation!(#builder => #output);
    }
}

/// The client method's arguments (positional parameters, then the body),
/// and the names to pass them on with.
fn method_args(api: &Api, op: &Operation) -> (Vec<TokenStream>, Vec<proc_macro2::Ident>) {
    let mut args = Vec::new();
    let mut names = Vec::new();
    for p in op.params.iter().filter(|p| p.positional()) {
        let ident = format_ident!("{}", p.ident);
        let ty = arg_type(api, &p.ty);
        args.push(quote!(#ident: #ty));
        names.push(ident);
    }
    if let Some(b) = &op.body {
        let ty = rust_type(api, &b.ty, &types_prefix());
        args.push(quote!(body: #ty));
        names.push(format_ident!("body"));
    }
    (args, names)
}

/// What a successful call returns.
fn output_type(api: &Api, op: &Operation) -> TokenStream {
    match &op.success {
        Success::Empty { .. } => quote!(()),
        Success::Json { ty, .. } => rust_type(api, ty, &types_prefix()),
    }
}

fn types_prefix() -> TokenStream {
    quote!(crate::types::)
}

/// How a parameter is passed to the client method or a setter.
fn arg_type(api: &Api, ty: &TypeRef) -> TokenStream {
    match ty {
        ty if is_text(ty) => quote!(impl Into<String>),
        other => rust_type(api, other, &types_prefix()),
    }
}

/// The conversion an argument needs, if any (`impl Into<String>`).
fn arg_value(ty: &TypeRef, ident: &proc_macro2::Ident) -> Option<TokenStream> {
    match ty {
        ty if is_text(ty) => Some(quote!(#ident.into())),
        _ => None,
    }
}

fn client_method(api: &Api, op: &Operation, feature: Option<&str>) -> TokenStream {
    let name = format_ident!("{}", op.fn_name);
    let builder = format_ident!("{}", op.builder_name);
    let (args, _) = method_args(api, op);
    let inits = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.ident);
        if p.positional() {
            match arg_value(&p.ty, &ident) {
                Some(value) => quote!(#ident: #value),
                None => quote!(#ident),
            }
        } else {
            quote!(#ident: None)
        }
    });
    let body_init = op.body.as_ref().map(|_| quote!(body,));
    let extra_init = quote!(extra: Default::default(),);
    let deprecated =
        op.deprecated.then(|| quote!(#[deprecated(note = "deprecated in the Keyfactor Command API documents")]));
    let docs = method_docs(api, op, feature);
    quote! {
        #docs
        #deprecated
        pub fn #name(&self, #(#args),*) -> #builder<'_> {
            #builder { client: self, #(#inits,)* #body_init #extra_init }
        }
    }
}

fn method_docs(api: &Api, op: &Operation, feature: Option<&str>) -> TokenStream {
    let summary = op.summary.as_deref().map(doc_attrs).unwrap_or_default();
    let description = op.description.as_deref().map(|d| {
        let d = doc_attrs(d);
        quote!(#[doc = ""] #d)
    });
    let mut lines = vec![String::new(), format!("`{} {}`, API version `{}`.", op.method, op.path, op.version.header)];
    if let Some(feature) = feature {
        lines.push(String::new());
        lines.push(format!(
            "Area `{}`: compiled with the cargo feature `{feature}` (on by default, through `all-areas`).",
            op.tag.name
        ));
    }
    let others = other_versions(api, op);
    if !others.is_empty() {
        lines.push(format!("Other versions of this endpoint: {others}."));
    }
    if op.params.iter().any(|p| !p.positional()) {
        lines.push(String::new());
        lines.push(format!(
            "Optional parameters are set on the returned [`{}`](crate::operations::{}::{}); `.send().await` makes the request.",
            op.builder_name, op.tag.module, op.builder_name
        ));
    }
    let lines = doc_raw(&lines);
    quote!(#summary #description #lines)
}

/// Links to the other versions' methods, for the method docs.
fn other_versions(api: &Api, op: &Operation) -> String {
    api.endpoints
        .iter()
        .filter(|e| e.method == op.method && e.path == op.path)
        .flat_map(|e| &e.operations)
        .filter(|o| o.fn_name != op.fn_name)
        .map(|o| format!("[`{}`](crate::Client::{}) (`{}`)", o.fn_name, o.fn_name, o.version.header))
        .collect::<Vec<_>>()
        .join(", ")
}

fn builder(api: &Api, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.builder_name);
    let fields = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.ident);
        let ty = rust_type(api, &p.ty, &types_prefix());
        if p.positional() { quote!(#ident: #ty) } else { quote!(#ident: Option<#ty>) }
    });
    let body_field = op.body.as_ref().map(|b| {
        let ty = rust_type(api, &b.ty, &types_prefix());
        quote!(body: #ty,)
    });
    let setters = op.params.iter().filter(|p| !p.positional()).map(|p| setter(api, p));
    let info = operation_info(op);
    let request = request_fn(op);
    let output = output_type(api, op);
    let (send, send_value) = match &op.success {
        Success::Empty { .. } => (quote!(send_empty), quote!(send_empty_value)),
        Success::Json { .. } => (quote!(send_json), quote!(send_json_value)),
    };
    let stream = op.paging.as_ref().map(|paging| stream_fn(api, paging));
    let doc = format!(
        " Request builder for [`Client::{}`](crate::Client::{}): `{} {}`, API version `{}`.",
        op.fn_name, op.fn_name, op.method, op.path, op.version.header
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request builder does nothing until `.send()` is awaited"]
        pub struct #name<'a> {
            client: &'a crate::Client,
            #(#fields,)*
            #body_field
            extra: codegen::Extra,
        }

        impl<'a> #name<'a> {
            #info

            #(#setters)*

            codegen::extra_params!();

            #request

            /// Sends the request and decodes the response.
            pub fn send(self) -> impl std::future::Future<Output = crate::Result<#output>> + 'a {
                codegen::#send_value(self.client, self.request())
            }

            /// Sends the request; the result also carries the response's status and headers.
            pub fn send_with_metadata(self) -> impl std::future::Future<Output = crate::Result<crate::Response<#output>>> + 'a {
                codegen::#send(self.client, self.request())
            }

            #stream
        }
    }
}

fn stream_fn(api: &Api, paging: &Paging) -> TokenStream {
    let item = rust_type(api, &paging.item, &types_prefix());
    let (page, limit) = (format_ident!("{}", paging.page), format_ident!("{}", paging.limit));
    quote! {
        /// Streams every item, fetching page after page: from the page set
        /// with `page_returned` (else 1), with `return_limit` items per page
        /// (else 100), until a short page or `X-Total-Count` items.
        pub fn stream(self) -> impl futures_core::Stream<Item = crate::Result<#item>> + 'a {
            let first = self.#page.unwrap_or(1);
            let size = self.#limit.unwrap_or(codegen::DEFAULT_PAGE_SIZE);
            codegen::paged(first, size, move |page, size| self.clone().#page(page).#limit(size).send_with_metadata())
        }
    }
}

fn operation_info(op: &Operation) -> TokenStream {
    let (fn_name, path, version, tag) = (&op.fn_name, &op.path, &op.version.header, &op.tag.name);
    let method = format_ident!("{}", op.method);
    let deprecated = op.deprecated;
    let status = proc_macro2::Literal::u16_unsuffixed(match op.success {
        Success::Empty { status } | Success::Json { status, .. } => status,
    });
    quote! {
        /// What the client needs to know about this operation.
        pub const INFO: crate::OperationInfo = crate::OperationInfo {
            name: #fn_name,
            method: codegen::Method::#method,
            path: #path,
            version: #version,
            tag: #tag,
            deprecated: #deprecated,
            success_status: #status,
        };
    }
}

fn setter(api: &Api, p: &Param) -> TokenStream {
    let ident = format_ident!("{}", p.ident);
    let ty = arg_type(api, &p.ty);
    let value = arg_value(&p.ty, &format_ident!("value")).unwrap_or_else(|| quote!(value));
    let mut docs = p.description.as_deref().map(doc_attrs).unwrap_or_default();
    let wire = format!(" Sets the {} parameter `{}`.", location_name(p.location), p.wire);
    let sep = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
    docs = quote!(#docs #sep #[doc = #wire]);
    if let Some(note) = format_note(&p.ty) {
        let note = format!(" {note}");
        docs = quote!(#docs #[doc = ""] #[doc = #note]);
    }
    quote! {
        #docs
        pub fn #ident(mut self, value: #ty) -> Self {
            self.#ident = Some(#value);
            self
        }
    }
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

fn request_fn(op: &Operation) -> TokenStream {
    let path = path_args(op);
    let params = op.params.iter().filter(|p| p.location != Location::Path).map(|p| {
        let ident = format_ident!("{}", p.ident);
        let wire = &p.wire;
        let add = match p.location {
            Location::Header => quote!(header),
            _ => quote!(query),
        };
        match (&p.ty, p.positional()) {
            (TypeRef::Array(_), true) => quote!(for value in &self.#ident { request.#add(#wire, value); }),
            (TypeRef::Array(_), false) => {
                quote!(for value in self.#ident.iter().flatten() { request.#add(#wire, value); })
            }
            (_, true) => quote!(request.#add(#wire, &self.#ident);),
            (_, false) => quote!(if let Some(value) = &self.#ident { request.#add(#wire, value); }),
        }
    });
    let body = op.body.as_ref().map(|_| quote!(request.json(&self.body)?;));
    quote! {
        fn request(&self) -> crate::Result<codegen::Request> {
            let mut request = codegen::Request::new(&Self::INFO, #path);
            #(#params)*
            request.extra(&self.extra);
            #body
            Ok(request)
        }
    }
}

/// The path parameters' values, in the order of the path template.
fn path_args(op: &Operation) -> TokenStream {
    let args = op.path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).map(|name| {
        let param = op.params.iter().find(|p| p.location == Location::Path && p.wire == name);
        let ident = format_ident!("{}", param.map_or("missing", |p| p.ident.as_str()));
        quote!(&self.#ident)
    });
    quote!(&[#(#args),*])
}
