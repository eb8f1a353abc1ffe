//! Turns the [`Api`] model into the files of the client's `src/generated`
//! directory. Knows Rust syntax, nothing of OpenAPI.

mod cli;
mod docs;
mod dynamic;
mod operations;
pub mod package;
mod types;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{Api, Tag, TypeDef, TypeRef};

pub use docs::{surface, versions_markdown};

/// Relative path (inside `src/generated`) -> file contents.
pub type Files = BTreeMap<String, String>;

/// How to emit.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Keyfactor Command release the documents are of (`"25"`).
    pub release: String,
    /// What the generated files name as their origin.
    pub source: String,
    /// The command that writes them, named in their `@generated` header.
    pub command: String,
    /// One cargo feature per tag: each operation, and each type, compiles
    /// only when a feature of a tag that uses it is on.
    pub area_features: bool,
}

/// Every generated file of the client.
pub fn emit(api: &Api, options: &Options) -> Files {
    let cfg = Cfg(options.area_features);
    let tags = api.tags();
    let mut jobs: Vec<Job<'_>> = vec![
        ("types.rs".into(), Box::new(move || types::types_module(api, cfg))),
        ("dynamic.rs".into(), Box::new(move || dynamic::dynamic_module(api, cfg))),
        ("cli.rs".into(), Box::new(move || cli::cli_module(api, cfg, &options.release))),
        ("mod.rs".into(), Box::new(move || root_module(api, cfg, &options.release))),
        ("mock.rs".into(), Box::new(mock_module)),
        ("operations/mod.rs".into(), Box::new(move || operations::operations_index(api, cfg))),
    ];
    for tag in tags {
        let name = format!("operations/{}.rs", tag.module);
        jobs.push((name, Box::new(move || operations::tag_module(api, &tag, cfg))));
    }
    let mut files = run_jobs(jobs, options);
    files.insert("versions.md".into(), docs::versions_table(api, options));
    files
}

/// A file to emit: its name and what builds its tokens.
type Job<'a> = (String, Box<dyn Fn() -> TokenStream + Send + Sync + 'a>);

/// Builds and formats the files on all cores (formatting dominates the
/// generator's run time). The result does not depend on the order.
fn run_jobs(jobs: Vec<Job<'_>>, options: &Options) -> Files {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len().max(1));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((name, build)) = jobs.get(i) else { break done };
                        done.push((name.clone(), rust_file(options, build())));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// The area features of the client's Cargo.toml (lines inside its
/// `[features]` table): one per tag, all on by default.
pub fn cargo_features(api: &Api) -> String {
    let tags = api.tags();
    let all: Vec<String> = tags.iter().map(|t| format!("\"{}\"", t.feature)).collect();
    let mut out = format!("default = [\"{ALL_AREAS}\"]\n{ALL_AREAS} = [{}]\n", all.join(", "));
    for tag in &tags {
        out.push_str(&format!("{} = []\n", tag.feature));
    }
    out
}

/// The type-name lock: every schema's Rust name, read back by the next
/// generation so that names stay (see [`crate::naming::type_names`]).
pub fn type_names_lock(api: &Api) -> String {
    let mut entries: Vec<(String, &str)> = api
        .types
        .iter()
        .map(|t| {
            let key = if t.suffix.is_empty() { t.schema.clone() } else { format!("{}#{}", t.schema, t.suffix) };
            (key, t.name.as_str())
        })
        .collect();
    entries.sort();
    let mut out = String::from(
        "# The Rust name of every schema, kept from release to release so that a\n\
         # schema a new release adds never renames an existing type. Written by\n\
         # `cargo xtask codegen` (or `new-crate`); delete a line to let its schema be named anew.\n",
    );
    for (key, name) in entries {
        out.push_str(&format!("{}: {name}\n", serde_json::to_string(&key).unwrap_or_default()));
    }
    out
}

/// Whether to emit area `cfg`s, and how. The rules (see also
/// [`crate::naming`], "Areas"):
///
/// - an operation (its method, builder, mock expectation, dynamic arm and
///   `OPERATIONS` entry) compiles with the feature of its tag;
/// - a type compiles with the feature of any tag whose operations reach it,
///   directly or through other types; since reach follows every field, a
///   type's features always include those of every type that names it;
/// - a type no operation reaches belongs to no area and compiles with
///   `all-areas`, which turns on every area and so every type it names.
///
/// So any set of areas compiles: nothing compiled names a type that is not.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cfg(bool);

/// The feature that turns on every area.
pub(crate) const ALL_AREAS: &str = "all-areas";

impl Cfg {
    /// The `#[cfg(...)]` of a type (see the rules above).
    fn of_type(self, t: &TypeDef) -> TokenStream {
        if self.0 && t.tags.is_empty() {
            return quote!(#[cfg(feature = #ALL_AREAS)] #[cfg_attr(docsrs, doc(cfg(feature = #ALL_AREAS)))]);
        }
        self.any(&t.tags)
    }

    /// `#[cfg(...)]` that compiles an item when any of `tags` is on; nothing
    /// without area features or tags (the item is always compiled).
    fn any(self, tags: &[Tag]) -> TokenStream {
        if !self.0 || tags.is_empty() {
            return TokenStream::new();
        }
        let features: std::collections::BTreeSet<&str> = tags.iter().map(|t| t.feature.as_str()).collect();
        // docs.rs builds with `--cfg docsrs`: each item then says which feature it needs.
        let predicate = match features.iter().collect::<Vec<_>>().as_slice() {
            [one] => quote!(feature = #one),
            many => quote!(any(#(feature = #many),*)),
        };
        quote!(#[cfg(#predicate)] #[cfg_attr(docsrs, doc(cfg(#predicate)))])
    }

    fn one(self, tag: &Tag) -> TokenStream {
        self.any(std::slice::from_ref(tag))
    }

    /// `#[cfg_attr(docsrs, doc(cfg(...)))]` alone, for an item inside a gated
    /// module that rustdoc shows elsewhere (the `impl Client` of an area).
    fn doc_only(self, tag: &Tag) -> TokenStream {
        let feature = &tag.feature;
        if self.0 { quote!(#[cfg_attr(docsrs, doc(cfg(feature = #feature)))]) } else { TokenStream::new() }
    }

    /// The cargo feature that compiles the area, if the crate has area features.
    fn feature_of(self, tag: &Tag) -> Option<&str> {
        self.0.then_some(tag.feature.as_str())
    }
}

/// `generated/mod.rs`: the modules, the crate's `Client` (the runtime's,
/// with the operations of this release), its `Code` type, the runtime's
/// re-exports, and the table of operations.
fn root_module(api: &Api, cfg: Cfg, release: &str) -> TokenStream {
    let entries = api.operations().map(|op| {
        let module = format_ident!("{}", op.tag.module);
        let builder = format_ident!("{}", op.builder_name);
        let cfg = cfg.one(&op.tag);
        quote!(#cfg &operations::#module::#builder::INFO)
    });
    let paths: std::collections::BTreeSet<&str> = api.endpoints.iter().map(|e| e.path.as_str()).collect();
    let paths = paths.into_iter();
    let client_doc = format!(
        " A client of the Keyfactor Command API of release {release}: one method per operation and API version."
    );
    quote! {
        #![doc = " Generated API surface: the operations (as methods of [`Client`]), the types, and the client."]
        #[cfg(feature = "cli")]
        pub mod cli;
        #[cfg(feature = "dynamic")]
        pub mod dynamic;
        #[cfg(feature = "mock")]
        pub mod mock;
        pub mod operations;
        pub mod types;

        pub use keyfactor_runtime::exports::*;

        keyfactor_runtime::codegen::code_type!();

        #[doc = #client_doc]
        ///
        /// It wraps the runtime's [`keyfactor_runtime::Client`] (server, authentication,
        /// retries, TLS), which it dereferences to. Build it with [`Client::builder`] or
        /// [`Client::from_env`], or from a runtime client that clients of other releases
        /// share: `Client::from(shared.clone())`. Cheap to clone.
        #[derive(Clone, Debug)]
        pub struct Client(keyfactor_runtime::Client);

        /// Configures a [`Client`]: [`Client::builder`], [`ClientBuilder::from_env`].
        pub type ClientBuilder = keyfactor_runtime::ClientBuilder<Client>;

        impl Client {
            /// A builder for the server at `base_url`, the API path included
            /// (`https://keyfactor.example.com/KeyfactorAPI`).
            pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
                ClientBuilder::new(base_url)
            }

            /// A client configured from the environment and the profile file, as
            /// Keyfactor's Go auth client (kfutil, the Terraform provider) reads them.
            pub fn from_env() -> keyfactor_runtime::Result<Client> {
                ClientBuilder::from_env()?.build()
            }
        }

        impl From<keyfactor_runtime::Client> for Client {
            fn from(client: keyfactor_runtime::Client) -> Self {
                Client(client)
            }
        }

        impl AsRef<keyfactor_runtime::Client> for Client {
            fn as_ref(&self) -> &keyfactor_runtime::Client {
                &self.0
            }
        }

        impl std::ops::Deref for Client {
            type Target = keyfactor_runtime::Client;

            fn deref(&self) -> &keyfactor_runtime::Client {
                &self.0
            }
        }

        impl keyfactor_runtime::GeneratedClient for Client {
            const RELEASE: &'static str = #release;
            const PATHS: &'static [&'static str] = &[#(#paths),*];

            fn operations() -> &'static [&'static keyfactor_runtime::OperationInfo] {
                OPERATIONS
            }
        }

        /// Every operation of the client (of the areas compiled in), ordered
        /// by path, method and version.
        pub static OPERATIONS: &[&keyfactor_runtime::OperationInfo] = &[#(#entries),*];
    }
}

/// `generated/mock.rs` (feature `mock`): the runtime's test doubles for this
/// crate's `Client`; each operation module adds its expectation methods.
fn mock_module() -> TokenStream {
    quote! {
        #![doc = " Test doubles for code that uses this client (feature `mock`, for dev-dependencies): a typed"]
        #![doc = " mock Keyfactor server ([`MockServer`]) and a server that replays recorded traffic"]
        #![doc = " ([`ReplayServer`]), both on loopback; see [`keyfactor_runtime::mock`]."]
        pub use keyfactor_runtime::mock::{Expect, MockOperation, cassette, json_matches};

        /// A go-vcr cassette served on loopback, routed as the server routes;
        /// `replay.client()` is this crate's [`Client`](crate::Client).
        pub type ReplayServer = keyfactor_runtime::mock::ReplayServer<crate::Client>;

        /// A typed mock Keyfactor Command server on loopback: one expectation
        /// method per operation, of its client function's name and arguments.
        pub struct MockServer(keyfactor_runtime::mock::MockServer<crate::Client>);

        impl MockServer {
            /// Starts a server on loopback; `mock.client()` is pointed at it.
            pub async fn start() -> Self {
                MockServer(keyfactor_runtime::mock::MockServer::start().await)
            }
        }

        impl std::ops::Deref for MockServer {
            type Target = keyfactor_runtime::mock::MockServer<crate::Client>;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }
    }
}

/// Formats `tokens` and puts the `@generated` header in front.
fn rust_file(options: &Options, tokens: TokenStream) -> String {
    let file: syn::File = match syn::parse2(tokens.clone()) {
        Ok(file) => file,
        // The emitter built tokens that do not parse: a bug in the generator.
        Err(e) => panic!("generator emitted invalid Rust ({e}):\n{tokens}"),
    };
    let code = layout_object_macros(&prettyplease::unparse(&file));
    format!("{}\n{}", header(options, "//"), space_items(&code))
}

/// prettyplease fills the bodies of macro invocations like prose; the
/// `serialize_object!` / `deserialize_object!` field lists read better one
/// field a line:
///
/// ```text
/// codegen::deserialize_object!(Agent {
///     "AgentId" => agent_id: plain,
/// });
/// ```
fn layout_object_macros(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        let is_object_macro = ["codegen::serialize_object!(", "codegen::deserialize_object!("]
            .iter()
            .any(|m| line.trim_start().starts_with(m) && line.trim_end().ends_with('('));
        if !is_object_macro {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        let mut body = String::new();
        for next in lines.by_ref() {
            if next.trim() == ");" {
                break;
            }
            body.push(' ');
            body.push_str(next.trim());
        }
        out.push_str(&relayout_object_macro(line.trim_end(), body.trim(), indent));
    }
    out
}

/// `Name { "W" => f : k, ... }` as one field a line.
fn relayout_object_macro(open: &str, body: &str, indent: &str) -> String {
    let (name, fields) = body.split_once('{').unwrap_or((body, ""));
    let fields = fields.trim().trim_end_matches('}').trim();
    let mut out = format!("{open}{} {{\n", name.trim());
    for field in split_top_level_commas(fields).into_iter().filter(|f| !f.trim().is_empty()) {
        let field = field.trim().replace(" : ", ": ");
        out.push_str(&format!("{indent}    {field},\n"));
    }
    out.push_str(&format!("{indent}}});\n"));
    out
}

/// Splits at commas outside string literals.
fn split_top_level_commas(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        match c {
            ',' if !in_string => parts.push(String::new()),
            _ => {
                if in_string && !escaped && c == '"' {
                    in_string = false;
                } else if !in_string && c == '"' {
                    in_string = true;
                }
                escaped = in_string && !escaped && c == '\\';
                parts.last_mut().expect("one part").push(c);
            }
        }
    }
    parts
}

/// prettyplease puts items right after each other; a blank line after each
/// closing brace that ends an item makes the files easier to read.
fn space_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut lines = code.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let is_comment = line.trim_start().starts_with("//");
        let ends_item = !is_comment
            && (matches!(line.trim(), "}" | "};") || (line.trim_end().ends_with(';') && !line.starts_with(' ')));
        let next_starts_item = lines.peek().is_some_and(|next| {
            let next = next.trim_start();
            ["///", "#[", "pub ", "impl", "fn ", "use ", "mod "].iter().any(|p| next.starts_with(p))
        });
        if ends_item && next_starts_item {
            out.push('\n');
        }
    }
    out
}

fn header(options: &Options, comment: &str) -> String {
    format!(
        "{comment} @generated by `{}` from {}.\n{comment} Do not edit: change the generator (generator/) and regenerate.\n",
        options.command, options.source
    )
}

/// The Rust type of `ty`; named types are written `prefix::Name`.
fn rust_type(api: &Api, ty: &TypeRef, prefix: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::String | TypeRef::Date | TypeRef::Base64 | TypeRef::DateSpan => quote!(String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::Uuid => quote!(uuid::Uuid),
        TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Any => quote!(serde_json::Value),
        TypeRef::Array(item) => {
            let item = rust_type(api, item, prefix);
            quote!(Vec<#item>)
        }
        TypeRef::Map(value) => {
            let value = rust_type(api, value, prefix);
            quote!(std::collections::BTreeMap<String, #value>)
        }
        TypeRef::Named(i) => {
            let name = format_ident!("{}", api.types[*i].name);
            quote!(#prefix #name)
        }
        TypeRef::Boxed(inner) => {
            let inner = rust_type(api, inner, prefix);
            quote!(Box<#inner>)
        }
    }
}

/// Types kept as a Rust `String` (text, and the formats read as text).
fn is_text(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::String | TypeRef::Date | TypeRef::Base64 | TypeRef::DateSpan)
}

/// What a text format adds to a field's docs.
fn format_note(ty: &TypeRef) -> Option<&'static str> {
    match ty {
        TypeRef::Base64 => Some("Base64-encoded bytes."),
        TypeRef::DateSpan => Some("A duration as .NET writes it: `[d.]hh:mm:ss[.fffffff]`."),
        TypeRef::Date => Some("A date: `yyyy-mm-dd`."),
        TypeRef::Array(item) => format_note(item),
        _ => None,
    }
}

/// Doc attributes for free text from the documents: one per line, trimmed
/// (indented lines would become doctests), with the brackets and angle
/// brackets that rustdoc would read as links or HTML escaped.
fn doc_attrs(text: &str) -> TokenStream {
    let lines = text
        .lines()
        .map(|l| {
            let l = l.trim().replace('[', "\\[").replace(']', "\\]").replace('<', "&lt;").replace('>', "&gt;");
            format!(" {l}").trim_end().to_string()
        })
        .collect::<Vec<_>>();
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.is_empty()).map_or(start, |e| e + 1);
    let lines = &lines[start..end];
    quote!(#(#[doc = #lines])*)
}

/// Doc attributes for text the generator writes itself (markdown kept).
fn doc_raw(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote!(#(#[doc = #lines])*)
}
