//! What changes between two releases for code that uses the generated
//! client: areas, endpoints, versions, deprecations, parameters and setters,
//! paging, bodies, responses, types, their fields, trait impls and code
//! constants, each classified as breaking (a call site, a struct literal or
//! a build with some set of areas may stop compiling, or mean something
//! else) or not. Each change names the public Rust items it removes or
//! changes ([`Change::items`]), in the paths code uses (`Client::get_agents`,
//! `GetAgents::return_limit`, `types::AgentResponse::agent_id`,
//! `types::RevokeCode::KEY_COMPROMISED`, `feature "agent"`).
//!
//! Things are matched across releases as call sites see them: operations by
//! function name, types by their Rust name (which the type-name lock keeps
//! stable), query parameters by the name the server binds (model-binding
//! prefixes dropped), values by their Rust type. A schema that only moved
//! namespace is no change, and neither is a body or response whose type only
//! changed its schema key; a query parameter renamed only in its prefix is a
//! non-breaking wire rename, and a format change behind the same Rust type
//! (`byte` -> `string`, both `String`) is not breaking.
//!
//! What every generated crate has whatever its documents say (`Client`,
//! `ClientBuilder`, `Code`, the runtime's re-exports, `Default`, `Clone`,
//! `Debug` and `PartialEq` on every struct) cannot change between releases.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::model::{
    self, Api, CodeName, Directions, Field, Location, Operation, Param, Success, Tag, TypeDef, TypeKind, TypeNameLock,
    TypeRef,
};
use crate::release::{Manifest, load_release};
use crate::{Warnings, naming};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    AreaRemoved,
    EndpointRemoved,
    VersionRemoved,
    OperationMoved,
    ParameterRemoved,
    ParameterAdded,
    ParameterChanged,
    ParameterWireRenamed,
    PagingRemoved,
    BodyChanged,
    ResponseChanged,
    TypeRemoved,
    TypeRenamed,
    TypeChanged,
    TypeAreasRemoved,
    TraitImplRemoved,
    FieldRemoved,
    FieldAdded,
    FieldChanged,
    ConstantRemoved,
    ConstantChanged,
    AreaAdded,
    EndpointAdded,
    VersionAdded,
    PagingAdded,
    Deprecated,
    TypeAdded,
    TypeAreasAdded,
    TraitImplAdded,
    ConstantAdded,
    EnumValuesAdded,
    EnumValuesRemoved,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub breaking: bool,
    pub kind: Kind,
    /// The endpoint (`GET /Agents`), type or area the change is in.
    pub subject: String,
    pub detail: String,
    /// Generated functions and types affected.
    pub affects: Vec<String>,
    /// The public items the change removes or changes, as code names them:
    /// `Client::f`, `MockServer::f`, `operations::m::Builder`,
    /// `Builder::setter`, `types::T`, `types::T::field`, `types::T::CONST`,
    /// `types::codes::T`, `impl Serialize for types::T`, `feature "a"`,
    /// `mod operations::m`.
    pub items: Vec<String>,
    /// The areas (cargo features) the subject is in.
    pub areas: Vec<String>,
}

/// The report of a comparison.
#[derive(Debug, Serialize)]
pub struct Report {
    pub old: String,
    pub new: String,
    pub breaking: usize,
    pub changes: Vec<Change>,
}

/// The model of the release in `dir`: the documents its `release.yaml`
/// names (checked by sha256), else every `*.json` / `*.yaml` document in it;
/// types named as `lock` says where it has them (see `spec/type-names.lock`).
pub fn load_dir(dir: &Path, lock: &TypeNameLock) -> Result<Api> {
    let mut warnings = Warnings::default();
    let docs = load_release(&Manifest::for_dir(dir, None)?, dir, &mut warnings)?;
    model::build_locked(&docs, lock, &mut warnings)
}

/// Reads a type-name lock file (as `cargo xtask codegen` writes it).
pub fn read_lock(path: &Path) -> Result<TypeNameLock> {
    crate::release::read_type_name_lock(path)
}

/// Compares two releases' models.
pub fn compare(old: &Api, new: &Api, old_name: &str, new_name: &str) -> Report {
    let mut out = Out::default();
    let (old_users, new_users) = (users(old), users(new));
    areas(old, new, &mut out);
    operations(old, new, &mut out);
    types(old, new, &old_users, &new_users, &mut out);
    let mut changes = out.0;
    changes.sort();
    changes.dedup();
    Report {
        old: old_name.into(),
        new: new_name.into(),
        breaking: changes.iter().filter(|c| c.breaking).count(),
        changes,
    }
}

/// The changes found so far.
#[derive(Default)]
struct Out(Vec<Change>);

/// Where a change is: its subject, what it affects, its areas.
#[derive(Clone)]
struct Place {
    subject: String,
    affects: Vec<String>,
    areas: Vec<String>,
}

impl Out {
    fn push(&mut self, kind: Kind, breaking: bool, at: &Place, detail: impl Into<String>, items: Vec<String>) {
        self.0.push(Change {
            breaking,
            kind,
            subject: at.subject.clone(),
            detail: detail.into(),
            affects: at.affects.clone(),
            items,
            areas: at.areas.clone(),
        });
    }
}

fn feature_item(tag: &Tag) -> String {
    format!("feature {:?}", tag.feature)
}

fn module_item(tag: &Tag) -> String {
    format!("mod operations::{}", tag.module)
}

/// Areas (a tag's feature and module) that appear or vanish.
fn areas(old: &Api, new: &Api, out: &mut Out) {
    let (a, b): (BTreeSet<Tag>, BTreeSet<Tag>) = (old.tags().into_iter().collect(), new.tags().into_iter().collect());
    let functions = |api: &Api, tag: &Tag| -> Vec<String> {
        api.operations().filter(|o| o.tag.module == tag.module).map(|o| o.fn_name.clone()).collect()
    };
    let has = |set: &BTreeSet<Tag>, tag: &Tag| set.iter().any(|t| t.module == tag.module && t.feature == tag.feature);
    for tag in a.iter().filter(|t| !has(&b, t)) {
        let at = Place { subject: tag.feature.clone(), affects: functions(old, tag), areas: vec![tag.feature.clone()] };
        let detail = format!("the area is gone: feature `{}` and module `operations::{}`", tag.feature, tag.module);
        out.push(Kind::AreaRemoved, true, &at, detail, vec![feature_item(tag), module_item(tag)]);
    }
    for tag in b.iter().filter(|t| !has(&a, t)) {
        let at = Place { subject: tag.feature.clone(), affects: functions(new, tag), areas: vec![tag.feature.clone()] };
        let detail = format!("new area: feature `{}`, module `operations::{}`", tag.feature, tag.module);
        out.push(Kind::AreaAdded, false, &at, detail, vec![feature_item(tag), module_item(tag)]);
    }
}

/// The items of an operation's function: the client method and the mock's
/// expectation method.
fn function_items(op: &Operation) -> Vec<String> {
    vec![format!("Client::{}", op.fn_name), format!("MockServer::{}", op.fn_name)]
}

/// Everything public an operation has.
fn operation_items(op: &Operation) -> Vec<String> {
    let mut items = function_items(op);
    items.push(format!("operations::{}::{}", op.tag.module, op.builder_name));
    items
}

fn operations(old: &Api, new: &Api, out: &mut Out) {
    let (old_endpoints, new_endpoints) = (endpoints(old), endpoints(new));
    let names = |ops: &[&Operation]| ops.iter().map(|o| o.fn_name.clone()).collect::<Vec<_>>();
    let areas = |ops: &[&Operation]| {
        ops.iter().map(|o| o.tag.feature.clone()).collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>()
    };
    for ((method, path), ops) in &old_endpoints {
        let subject = format!("{method} {path}");
        match new_endpoints.get(&(method.clone(), path.clone())) {
            None => {
                let at = Place { subject, affects: names(ops), areas: areas(ops) };
                let items = ops.iter().flat_map(|o| operation_items(o)).collect();
                out.push(Kind::EndpointRemoved, true, &at, "the endpoint is gone", items);
            }
            Some(new_ops) => {
                for op in ops.iter().filter(|o| !new_ops.iter().any(|n| n.fn_name == o.fn_name)) {
                    let at = Place { subject: subject.clone(), affects: vec![op.fn_name.clone()], areas: areas(&[op]) };
                    let detail = format!("`{}` is gone", op.fn_name);
                    out.push(Kind::VersionRemoved, true, &at, detail, operation_items(op));
                }
                for op in new_ops.iter().filter(|n| !ops.iter().any(|o| o.fn_name == n.fn_name)) {
                    let at = Place { subject: subject.clone(), affects: vec![op.fn_name.clone()], areas: areas(&[op]) };
                    let detail = format!("new version: `{}`", op.fn_name);
                    out.push(Kind::VersionAdded, false, &at, detail, operation_items(op));
                }
            }
        }
    }
    for ((method, path), ops) in new_endpoints.iter().filter(|(k, _)| !old_endpoints.contains_key(k)) {
        let at = Place { subject: format!("{method} {path}"), affects: names(ops), areas: areas(ops) };
        let items = ops.iter().flat_map(|o| operation_items(o)).collect();
        out.push(Kind::EndpointAdded, false, &at, "new endpoint", items);
    }
    let by_name = |api: &Api| -> BTreeMap<String, Operation> {
        api.operations().map(|o| (o.fn_name.clone(), o.clone())).collect()
    };
    let new_ops = by_name(new);
    for (name, old_op) in by_name(old) {
        if let Some(new_op) = new_ops.get(&name) {
            operation(old, new, &old_op, new_op, out);
        }
    }
}

type Endpoints<'a> = BTreeMap<(String, String), Vec<&'a Operation>>;

fn endpoints(api: &Api) -> Endpoints<'_> {
    api.endpoints.iter().map(|e| ((e.method.clone(), e.path.clone()), e.operations.iter().collect())).collect()
}

fn operation(old: &Api, new: &Api, a: &Operation, b: &Operation, out: &mut Out) {
    let subject = match b.version.number {
        1 => format!("{} {}", b.method, b.path),
        n => format!("{} {} (version {n})", b.method, b.path),
    };
    let at = Place { subject, affects: vec![b.fn_name.clone()], areas: vec![b.tag.feature.clone()] };
    let setter = |op: &Operation, p: &Param| format!("{}::{}", op.builder_name, p.ident);
    if a.tag.module != b.tag.module || a.tag.feature != b.tag.feature {
        let detail = format!(
            "moves from area `{}` to `{}`: it compiles with feature `{}`, its builder is `operations::{}::{}`",
            a.tag.feature, b.tag.feature, b.tag.feature, b.tag.module, b.builder_name
        );
        out.push(Kind::OperationMoved, true, &at, detail, operation_items(a));
    }
    if b.deprecated && !a.deprecated {
        out.push(Kind::Deprecated, false, &at, "newly deprecated", function_items(b));
    }
    let key = |p: &Param| (bound(p).to_ascii_lowercase(), location(p.location));
    let old_params: BTreeMap<_, &Param> = a.params.iter().map(|p| (key(p), p)).collect();
    let new_params: BTreeMap<_, &Param> = b.params.iter().map(|p| (key(p), p)).collect();
    // Where a parameter is in Rust: an argument of the function, or a setter of the builder.
    let place = |op: &Operation, p: &Param| {
        if p.positional() {
            (format!("argument `{}`", p.ident), function_items(op))
        } else {
            (format!("setter `{}`", p.ident), vec![setter(op, p)])
        }
    };
    for (k, p) in &old_params {
        let (where_, items) = place(a, p);
        let Some(q) = new_params.get(k) else {
            let detail = format!("{} parameter `{}` removed ({where_})", k.1, bound(p));
            out.push(Kind::ParameterRemoved, true, &at, detail, items);
            continue;
        };
        if p.wire != q.wire {
            let detail = format!("{} parameter `{}` is now sent as `{}` (the server binds both)", k.1, p.wire, q.wire);
            out.push(Kind::ParameterWireRenamed, false, &at, detail, Vec::new());
        }
        if p.ident != q.ident && !q.positional() && !p.positional() {
            let detail =
                format!("the setter of {} parameter `{}` is now `{}`, not `{}`", k.1, q.wire, q.ident, p.ident);
            out.push(Kind::ParameterChanged, true, &at, detail, vec![setter(a, p)]);
        }
        let (was, is) = (rust(old, &p.ty), rust(new, &q.ty));
        if was != is {
            let detail = format!("{} parameter `{}` ({where_}): `{was}` -> `{is}`", k.1, bound(p));
            out.push(Kind::ParameterChanged, true, &at, detail, items.clone());
        }
        if p.positional() != q.positional() {
            let detail = format!(
                "{} parameter `{}` is now {} (it moves {})",
                k.1,
                bound(p),
                if q.required { "required" } else { "optional" },
                if q.positional() {
                    format!("from the setter `{}` to an argument", p.ident)
                } else {
                    format!("from an argument to the setter `{}`", q.ident)
                }
            );
            let mut items = function_items(a);
            items.push(setter(if p.positional() { b } else { a }, if p.positional() { q } else { p }));
            out.push(Kind::ParameterChanged, true, &at, detail, items);
        }
    }
    for (k, q) in new_params.iter().filter(|(k, _)| !old_params.contains_key(*k)) {
        let (detail, items) = if q.positional() {
            (format!("new required {} parameter `{}`: a new argument `{}`", k.1, bound(q), q.ident), function_items(b))
        } else {
            (format!("new optional {} parameter `{}`: a new setter `{}`", k.1, bound(q), q.ident), vec![setter(b, q)])
        };
        out.push(Kind::ParameterAdded, q.positional(), &at, detail, items);
    }
    paging(old, new, a, b, &at, out);
    let body = |api: &Api, op: &Operation| op.body.as_ref().map(|b| rust(api, &b.ty));
    if body(old, a) != body(new, b) {
        let show = |t: Option<String>| t.map_or("none".to_string(), |t| format!("`{t}`"));
        let detail = format!("request body: {} -> {}", show(body(old, a)), show(body(new, b)));
        out.push(Kind::BodyChanged, true, &at, detail, function_items(a));
    }
    let success = |api: &Api, op: &Operation| match &op.success {
        Success::Empty { .. } => "()".to_string(),
        Success::Json { ty, .. } => rust(api, ty),
    };
    if success(old, a) != success(new, b) {
        let detail = format!("response: `{}` -> `{}`", success(old, a), success(new, b));
        out.push(Kind::ResponseChanged, true, &at, detail, vec![format!("{}::send", a.builder_name)]);
    }
}

/// The builder's `stream()`, which paged listings have.
fn paging(old: &Api, new: &Api, a: &Operation, b: &Operation, at: &Place, out: &mut Out) {
    let stream = |op: &Operation| format!("{}::stream", op.builder_name);
    match (&a.paging, &b.paging) {
        (Some(_), None) => {
            let detail = "no longer a paged listing: `stream()` is gone";
            out.push(Kind::PagingRemoved, true, at, detail, vec![stream(a)]);
        }
        (None, Some(_)) => {
            out.push(Kind::PagingAdded, false, at, "now a paged listing: new `stream()`", vec![stream(b)]);
        }
        (Some(p), Some(q)) if rust(old, &p.item) != rust(new, &q.item) => {
            let detail = format!("`stream()` items: `{}` -> `{}`", rust(old, &p.item), rust(new, &q.item));
            out.push(Kind::ResponseChanged, true, at, detail, vec![stream(a)]);
        }
        _ => {}
    }
}

/// The name a parameter binds to: a query parameter's without its
/// model-binding prefix (`pq.sortAscending` -> `sortAscending`).
fn bound(p: &Param) -> &str {
    if p.location == Location::Query { naming::unprefixed(&p.wire) } else { p.wire.as_str() }
}

fn location(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

/// A type as Rust code names it, independent of the model's indices.
pub fn rust(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::String | TypeRef::Date | TypeRef::Base64 | TypeRef::DateSpan => "String".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F32 => "f32".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::Uuid => "Uuid".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Any => "serde_json::Value".into(),
        TypeRef::Array(item) => format!("Vec<{}>", rust(api, item)),
        TypeRef::Map(value) => format!("BTreeMap<String, {}>", rust(api, value)),
        TypeRef::Named(i) => api.types[*i].name.clone(),
        TypeRef::Boxed(inner) => rust(api, inner),
    }
}

/// The documents' text format behind a Rust `String` (`byte`, `date`, ...),
/// for the non-breaking format changes.
fn format(ty: &TypeRef) -> Option<&'static str> {
    match ty {
        TypeRef::String => Some("string"),
        TypeRef::Date => Some("date"),
        TypeRef::Base64 => Some("byte"),
        TypeRef::DateSpan => Some("date-span"),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => format(inner),
        _ => None,
    }
}

/// For each type, the functions that use it (directly or through other types).
fn users(api: &Api) -> Vec<BTreeSet<String>> {
    let mut users = vec![BTreeSet::new(); api.types.len()];
    for op in api.operations() {
        let mut stack = op.named();
        while let Some(i) = stack.pop() {
            if users[i].insert(op.fn_name.clone()) {
                stack.extend(api.types[i].named());
            }
        }
    }
    users
}

/// Types keyed by their Rust name: what code using the client names them.
fn type_keys(api: &Api) -> BTreeMap<String, usize> {
    api.types.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect()
}

fn type_place(t: &TypeDef, users: &BTreeSet<String>) -> Place {
    Place {
        subject: t.name.clone(),
        affects: std::iter::once(format!("types::{}", t.name)).chain(users.iter().cloned()).collect(),
        areas: t.tags.iter().map(|t| t.feature.clone()).collect(),
    }
}

/// Everything public a type has: itself, its code marker and constants.
fn type_items(t: &TypeDef) -> Vec<String> {
    let mut items = vec![format!("types::{}", t.name)];
    if let TypeKind::IntEnum { names, .. } = &t.kind {
        items.push(format!("types::codes::{}", t.name));
        items.extend(names.iter().map(|n| format!("types::{}::{}", t.name, n.ident)));
    }
    if let TypeKind::Struct { fields } = &t.kind {
        items.extend(fields.iter().map(|f| format!("types::{}::{}", t.name, f.ident)));
    }
    items
}

fn types(old: &Api, new: &Api, old_users: &[BTreeSet<String>], new_users: &[BTreeSet<String>], out: &mut Out) {
    let (old_keys, new_keys) = (type_keys(old), type_keys(new));
    for (key, &i) in &old_keys {
        let a = &old.types[i];
        let renamed = || new.types.iter().position(|b| b.schema == a.schema && b.suffix == a.suffix);
        let Some(j) = new_keys.get(key).copied().or_else(renamed) else {
            out.push(Kind::TypeRemoved, true, &type_place(a, &old_users[i]), "the type is gone", type_items(a));
            continue;
        };
        let b = &new.types[j];
        let at = type_place(b, &new_users[j]);
        if a.name != b.name {
            let detail =
                format!("the Rust type `{}` is now `{}` (its name collides with a new schema)", a.name, b.name);
            out.push(Kind::TypeRenamed, true, &at, detail, type_items(a));
        }
        type_areas(new, a, b, &at, out);
        trait_impls(a, b, &at, out);
        type_body(old, new, a, b, &at, out);
    }
    let renamed_to: BTreeSet<&str> = old
        .types
        .iter()
        .filter(|a| !new_keys.contains_key(&a.name))
        .filter_map(|a| new.types.iter().find(|b| b.schema == a.schema && b.suffix == a.suffix))
        .map(|b| b.name.as_str())
        .collect();
    for (_, &j) in new_keys.iter().filter(|(k, _)| !old_keys.contains_key(*k) && !renamed_to.contains(k.as_str())) {
        let b = &new.types[j];
        let detail = format!("new type `{}`", b.name);
        out.push(Kind::TypeAdded, false, &type_place(b, &new_users[j]), detail, type_items(b));
    }
}

/// The areas a type compiles with (see `naming`, "Areas"): `all-areas` when
/// no operation reaches it. Losing one that the new release still has
/// breaks a build with only that area.
fn type_areas(new: &Api, a: &TypeDef, b: &TypeDef, at: &Place, out: &mut Out) {
    let set = |t: &TypeDef| -> BTreeSet<String> {
        if t.tags.is_empty() {
            BTreeSet::from(["all-areas".to_string()])
        } else {
            t.tags.iter().map(|t| t.feature.clone()).collect()
        }
    };
    let (was, is) = (set(a), set(b));
    let areas: BTreeSet<String> = new.tags().into_iter().map(|t| t.feature).collect();
    // `all-areas` turns every area on: a type it alone compiles is in no area.
    let lost: Vec<String> = was.difference(&is).filter(|f| areas.contains(*f)).map(|f| format!("`{f}`")).collect();
    let gained: Vec<String> = is.difference(&was).filter(|f| areas.contains(*f)).map(|f| format!("`{f}`")).collect();
    let items = vec![format!("types::{}", a.name)];
    if !lost.is_empty() {
        let only = if is.contains("all-areas") { " (only `all-areas` compiles it now)" } else { "" };
        let detail = format!("no longer compiled with feature(s) {}{only}", lost.join(", "));
        out.push(Kind::TypeAreasRemoved, true, at, detail, items.clone());
    }
    if !gained.is_empty() {
        let detail = format!("now also compiled with feature(s) {}", gained.join(", "));
        out.push(Kind::TypeAreasAdded, false, at, detail, items);
    }
}

/// `Serialize` on types sent in requests, `Deserialize` on types received
/// (both with the `roundtrip` feature): a type that stops crossing the wire
/// one way loses that impl.
fn trait_impls(a: &TypeDef, b: &TypeDef, at: &Place, out: &mut Out) {
    if !matches!((&a.kind, &b.kind), (TypeKind::Struct { .. }, TypeKind::Struct { .. })) {
        return;
    }
    let each = |d: Directions| [("Serialize", d.sent, "sent in a request"), ("Deserialize", d.received, "received")];
    for ((name, was, how), (_, is, _)) in each(a.directions).into_iter().zip(each(b.directions)) {
        let item = vec![format!("impl {name} for types::{}", a.name)];
        if was && !is {
            let detail =
                format!("no longer implements `{name}`: it is no longer {how} (the `roundtrip` feature keeps it)");
            out.push(Kind::TraitImplRemoved, true, at, detail, item);
        } else if is && !was {
            out.push(Kind::TraitImplAdded, false, at, format!("now implements `{name}`: it is {how}"), item);
        }
    }
}

fn type_body(old: &Api, new: &Api, a: &TypeDef, b: &TypeDef, at: &Place, out: &mut Out) {
    match (&a.kind, &b.kind) {
        (TypeKind::Struct { fields: fa }, TypeKind::Struct { fields: fb }) => fields(old, new, a, fa, fb, at, out),
        (TypeKind::IntEnum { known: ka, names: na, .. }, TypeKind::IntEnum { known: kb, names: nb, .. }) => {
            let list = |v: Vec<&i64>| v.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
            let added = list(kb.iter().filter(|v| !ka.contains(v)).collect());
            let removed = list(ka.iter().filter(|v| !kb.contains(v)).collect());
            if !added.is_empty() {
                let detail = format!("values added: {added} (every integer already decodes)");
                out.push(Kind::EnumValuesAdded, false, at, detail, Vec::new());
            }
            if !removed.is_empty() {
                let detail = format!("values removed: {removed} (they still decode)");
                out.push(Kind::EnumValuesRemoved, false, at, detail, Vec::new());
            }
            constants(a, na, nb, at, out);
        }
        (TypeKind::Alias { ty: ta }, TypeKind::Alias { ty: tb }) => {
            let (was, is) = (rust(old, ta), rust(new, tb));
            if was != is {
                let detail = format!("alias of `{was}` -> alias of `{is}`");
                out.push(Kind::TypeChanged, true, at, detail, vec![format!("types::{}", a.name)]);
            }
        }
        (TypeKind::StringEnum { .. }, TypeKind::StringEnum { .. }) => {}
        _ => {
            let detail = format!("the schema changed shape ({} -> {})", shape(a), shape(b));
            out.push(Kind::TypeChanged, true, at, detail, type_items(a));
        }
    }
}

/// The named constants of an integer code (`RevokeCode::KEY_COMPROMISED`).
fn constants(t: &TypeDef, was: &[CodeName], is: &[CodeName], at: &Place, out: &mut Out) {
    let item = |n: &CodeName| format!("types::{}::{}", t.name, n.ident);
    for n in was {
        match is.iter().find(|m| m.ident == n.ident) {
            None => {
                let detail = format!("constant `{}` ({}) removed", n.ident, n.value);
                out.push(Kind::ConstantRemoved, true, at, detail, vec![item(n)]);
            }
            Some(m) if m.value != n.value => {
                let detail = format!("constant `{}` is now {}, not {}", n.ident, m.value, n.value);
                out.push(Kind::ConstantChanged, true, at, detail, vec![item(n)]);
            }
            Some(_) => {}
        }
    }
    for m in is.iter().filter(|m| !was.iter().any(|n| n.ident == m.ident)) {
        let detail = format!("new constant `{}` ({})", m.ident, m.value);
        out.push(Kind::ConstantAdded, false, at, detail, vec![item(m)]);
    }
}

/// A field as code names it, with its JSON name where that differs in more
/// than case and underscores.
fn field_name(f: &Field) -> String {
    let plain = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    if plain(&f.ident) == plain(&f.wire) {
        format!("`{}`", f.ident)
    } else {
        format!("`{}` (JSON `{}`)", f.ident, f.wire)
    }
}

fn field_type(api: &Api, f: &Field) -> String {
    let ty = rust(api, &f.ty);
    if f.optional() { format!("Option<{ty}>") } else { ty }
}

fn fields(old: &Api, new: &Api, t: &TypeDef, fa: &[Field], fb: &[Field], at: &Place, out: &mut Out) {
    let item = |f: &Field| format!("types::{}::{}", t.name, f.ident);
    let removed: Vec<&Field> = fa.iter().filter(|f| !fb.iter().any(|g| g.wire == f.wire)).collect();
    if !removed.is_empty() {
        let names: Vec<String> = removed.iter().map(|f| field_name(f)).collect();
        let detail = format!("field(s) removed: {}", names.join(", "));
        out.push(Kind::FieldRemoved, true, at, detail, removed.iter().map(|f| item(f)).collect());
    }
    for f in fa {
        let Some(g) = fb.iter().find(|g| g.wire == f.wire) else { continue };
        if f.ident != g.ident {
            let detail = format!("field `{}` is now `{}` (JSON `{}`)", f.ident, g.ident, f.wire);
            out.push(Kind::FieldChanged, true, at, detail, vec![item(f), item(g)]);
        }
        let (was, is) = (field_type(old, f), field_type(new, g));
        if was != is {
            let detail = format!("field {}: `{was}` -> `{is}`", field_name(g));
            out.push(Kind::FieldChanged, true, at, detail, vec![item(f)]);
        } else if format(&f.ty) != format(&g.ty) {
            let detail = format!(
                "field {}: format `{}` -> `{}` (still `{is}`)",
                field_name(g),
                format(&f.ty).unwrap_or("-"),
                format(&g.ty).unwrap_or("-")
            );
            out.push(Kind::FieldChanged, false, at, detail, Vec::new());
        } else if f.nullable != g.nullable || f.required != g.required {
            let mut what = Vec::new();
            if f.nullable != g.nullable {
                what.push(if g.nullable { "now nullable" } else { "no longer nullable" });
            }
            if f.required != g.required {
                what.push(if g.required { "now required" } else { "no longer required" });
            }
            let detail = format!("field {} is {} (still `{is}`)", field_name(g), what.join(" and "));
            out.push(Kind::FieldChanged, false, at, detail, Vec::new());
        }
    }
    let added: Vec<&Field> = fb.iter().filter(|g| !fa.iter().any(|f| f.wire == g.wire)).collect();
    let (optional, required): (Vec<&Field>, Vec<&Field>) = added.into_iter().partition(|g| g.optional());
    if !optional.is_empty() {
        let names: Vec<String> = optional.iter().map(|f| field_name(f)).collect();
        let detail = format!("new optional field(s): {}", names.join(", "));
        out.push(Kind::FieldAdded, false, at, detail, optional.iter().map(|f| item(f)).collect());
    }
    if !required.is_empty() {
        let names: Vec<String> = required.iter().map(|f| field_name(f)).collect();
        let detail = format!(
            "new required field(s): {}: struct literals without `..Default::default()` stop compiling",
            names.join(", ")
        );
        out.push(Kind::FieldAdded, true, at, detail, required.iter().map(|f| item(f)).collect());
    }
}

fn shape(t: &TypeDef) -> &'static str {
    match t.kind {
        TypeKind::Struct { .. } => "struct",
        TypeKind::IntEnum { .. } => "integer code",
        TypeKind::StringEnum { .. } => "text",
        TypeKind::Alias { .. } => "alias",
    }
}

/// The same change (kind and detail) in several endpoints or types, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub breaking: bool,
    pub kind: Kind,
    pub detail: String,
    /// The endpoints, types or areas it is in, in order.
    pub subjects: Vec<String>,
    /// The area of each subject (its first), `""` for none.
    pub areas: Vec<String>,
    /// Generated functions and types affected, each once, in order.
    pub affects: Vec<String>,
    /// The public items it removes or changes, each once, in order.
    pub items: Vec<String>,
}

impl Report {
    /// The changes grouped by kind and detail, breaking ones first: a change
    /// made to 49 endpoints is one group naming the 49.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        let mut index: BTreeMap<(bool, Kind, &str), usize> = BTreeMap::new();
        for c in &self.changes {
            let at = *index.entry((c.breaking, c.kind, c.detail.as_str())).or_insert_with(|| {
                groups.push(Group {
                    breaking: c.breaking,
                    kind: c.kind,
                    detail: c.detail.clone(),
                    subjects: Vec::new(),
                    areas: Vec::new(),
                    affects: Vec::new(),
                    items: Vec::new(),
                });
                groups.len() - 1
            });
            let g = &mut groups[at];
            if !g.subjects.contains(&c.subject) {
                g.subjects.push(c.subject.clone());
                g.areas.push(c.areas.first().cloned().unwrap_or_default());
            }
            for (list, new) in [(&mut g.affects, &c.affects), (&mut g.items, &c.items)] {
                for a in new {
                    if !list.contains(a) {
                        list.push(a.clone());
                    }
                }
            }
        }
        groups.sort_by_key(|g| (!g.breaking, g.kind));
        groups
    }
}

impl Kind {
    /// The kind's name in reports (`field-added`).
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// `items` as Markdown code, the first `shown` of them and how many more.
pub fn code_list(items: &[String], shown: usize) -> String {
    let mut out: Vec<String> = items.iter().take(shown).map(|a| format!("`{a}`")).collect();
    if items.len() > shown {
        out.push(format!("and {} more", items.len() - shown));
    }
    out.join(", ")
}

/// The report for people: one row per distinct change, with every place it
/// is in.
pub fn markdown(report: &Report) -> String {
    let mut out = format!("# Keyfactor Command API changes\n\n`{}` -> `{}`\n\n", report.old, report.new);
    let groups = report.groups();
    let other = report.changes.len() - report.breaking;
    let distinct = |breaking: bool| groups.iter().filter(|g| g.breaking == breaking).count();
    let _ = writeln!(
        out,
        "**{} breaking** ({} distinct), {other} non-breaking ({} distinct).\n",
        report.breaking,
        distinct(true),
        distinct(false)
    );
    for (title, breaking) in [("Breaking", true), ("Non-breaking", false)] {
        let rows: Vec<&Group> = groups.iter().filter(|g| g.breaking == breaking).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {title}\n\n| change | in | detail | affects |\n|---|---|---|---|");
        for g in rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                g.kind.name(),
                code_list(&g.subjects, usize::MAX),
                g.detail.replace('|', "\\|"),
                code_list(&g.affects, 8)
            );
        }
        out.push('\n');
    }
    out
}

/// The report for tools.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default()
}

/// How much a release changes the crate's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bump {
    /// Nothing a user can see (a wire name the server binds either way, a
    /// nullability flag behind the same Rust type, documentation).
    Patch,
    /// Additions: areas, endpoints, versions, types, optional fields and
    /// parameters, constants, enum values; deprecations.
    Minor,
    /// A call site, a struct literal or a build with some set of areas may
    /// stop compiling or mean something else.
    Breaking,
}

impl Report {
    /// The version bump this report calls for (see README, "What counts as breaking").
    pub fn bump(&self) -> Bump {
        if self.breaking > 0 {
            return Bump::Breaking;
        }
        let visible = self.changes.iter().any(|c| {
            !matches!(
                c.kind,
                Kind::ParameterWireRenamed | Kind::FieldChanged | Kind::ResponseChanged | Kind::BodyChanged
            )
        });
        if visible { Bump::Minor } else { Bump::Patch }
    }
}

/// `version` bumped: breaking is a major bump (a minor one while the version
/// is 0.x), additions a minor one, the rest a patch. Pre-release and build
/// parts are dropped.
pub fn bumped(version: &str, bump: Bump) -> std::result::Result<String, String> {
    let v = semver::Version::parse(version.trim()).map_err(|e| format!("version {version:?} is not semver: {e}"))?;
    let next = match bump {
        Bump::Breaking if v.major > 0 => semver::Version::new(v.major + 1, 0, 0),
        Bump::Breaking | Bump::Minor => semver::Version::new(v.major, v.minor + 1, 0),
        Bump::Patch => semver::Version::new(v.major, v.minor, v.patch + 1),
    };
    Ok(next.to_string())
}

/// What a CHANGELOG.md entry says about a release.
pub struct Entry<'a> {
    pub version: &'a str,
    pub previous_version: &'a str,
    pub date: &'a str,
    /// Notes after the changes (overrides dropped, ...).
    pub notes: &'a [String],
}

/// The CHANGELOG section of a change: breaking, an addition, or other.
fn section(g: &Group) -> &'static str {
    let added = matches!(
        g.kind,
        Kind::AreaAdded
            | Kind::EndpointAdded
            | Kind::VersionAdded
            | Kind::PagingAdded
            | Kind::TypeAdded
            | Kind::TypeAreasAdded
            | Kind::TraitImplAdded
            | Kind::FieldAdded
            | Kind::ParameterAdded
            | Kind::ConstantAdded
            | Kind::EnumValuesAdded
    );
    match (g.breaking, added) {
        (true, _) => "Breaking",
        (false, true) => "Added",
        (false, false) => "Other",
    }
}

/// Lists longer than this are split by area in the CHANGELOG.
const BY_AREA_OVER: usize = 8;

/// Where a group is: every subject, and when there are many, one line per
/// area listing its subjects.
fn places(g: &Group) -> (String, Vec<String>) {
    match g.subjects.as_slice() {
        [one] => return (format!("in `{one}`"), Vec::new()),
        many if many.len() <= BY_AREA_OVER => {
            return (format!("in {} places: {}", many.len(), code_list(many, usize::MAX)), Vec::new());
        }
        _ => {}
    }
    let mut by_area: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (subject, area) in g.subjects.iter().zip(&g.areas) {
        by_area.entry(area.as_str()).or_default().push(subject.clone());
    }
    let lines = by_area
        .into_iter()
        .map(|(area, subjects)| {
            let area = if area.is_empty() { "no area".to_string() } else { format!("area `{area}`") };
            format!("  - {area}: {}", code_list(&subjects, usize::MAX))
        })
        .collect();
    (format!("in {} places, by area below", g.subjects.len()), lines)
}

/// A CHANGELOG.md entry for `report`: the release move, the version bump
/// and why, then each distinct change once (breaking first) with every place
/// it is in and what it touches.
pub fn changelog_entry(report: &Report, entry: &Entry<'_>) -> String {
    let groups = report.groups();
    let count = |breaking: bool| groups.iter().filter(|g| g.breaking == breaking).count();
    let why = match report.bump() {
        Bump::Breaking if entry.previous_version.starts_with("0.") => {
            "breaking changes (a minor bump while the version is 0.x)"
        }
        Bump::Breaking => "breaking changes",
        Bump::Minor => "additions, nothing breaking",
        Bump::Patch => "nothing a user of the client can see",
    };
    let mut out = format!(
        "## {} ({})\n\nKeyfactor Command release `{}` -> `{}`: {} breaking change(s) ({} distinct), {} other(s) ({} distinct). \
         Version {} -> {}: {why}.\n",
        entry.version,
        entry.date,
        report.old,
        report.new,
        report.breaking,
        count(true),
        report.changes.len() - report.breaking,
        count(false),
        entry.previous_version,
        entry.version,
    );
    for title in ["Breaking", "Added", "Other"] {
        let items: Vec<&Group> = groups.iter().filter(|g| section(g) == title).collect();
        if items.is_empty() {
            continue;
        }
        let _ = write!(out, "\n### {title}\n\n");
        for g in items {
            let (place, lines) = places(g);
            let affects = code_list(&g.affects, BY_AREA_OVER);
            let _ = writeln!(out, "- {}: {} {place}; affects {affects}.", g.kind.name(), g.detail);
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if !entry.notes.is_empty() {
        out.push_str("\n### Notes\n\n");
        for note in entry.notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}
