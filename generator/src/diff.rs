//! What changes between two releases for code that uses the generated
//! client: endpoints, versions, deprecations, parameters, bodies, responses,
//! schema fields and enum values, each classified as breaking (a call site
//! or a struct literal may stop compiling, or mean something else) or not.
//!
//! Things are matched across releases as call sites see them: operations by
//! function name, types by their Rust name (which the type-name lock keeps
//! stable), query parameters by the name the server binds (model-binding
//! prefixes dropped). A schema that only moved namespace is no change, and
//! neither is a body or response whose type only changed its schema key; a
//! query parameter renamed only in its prefix is a non-breaking wire rename.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::model::{self, Api, Location, Operation, Param, Success, TypeDef, TypeKind, TypeNameLock, TypeRef};
use crate::release::{Manifest, load_release};
use crate::{Warnings, naming};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    EndpointRemoved,
    VersionRemoved,
    ParameterRemoved,
    ParameterAdded,
    ParameterChanged,
    ParameterWireRenamed,
    BodyChanged,
    ResponseChanged,
    TypeRemoved,
    TypeRenamed,
    TypeChanged,
    FieldRemoved,
    FieldAdded,
    FieldChanged,
    EndpointAdded,
    VersionAdded,
    Deprecated,
    TypeAdded,
    EnumValuesAdded,
    EnumValuesRemoved,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub breaking: bool,
    pub kind: Kind,
    /// The endpoint (`GET /Agents`), function or schema the change is in.
    pub subject: String,
    pub detail: String,
    /// Generated functions and types affected.
    pub affects: Vec<String>,
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
    let mut changes = Vec::new();
    let (old_users, new_users) = (users(old), users(new));
    operations(old, new, &mut changes);
    types(old, new, &old_users, &new_users, &mut changes);
    changes.sort();
    changes.dedup();
    Report {
        old: old_name.into(),
        new: new_name.into(),
        breaking: changes.iter().filter(|c| c.breaking).count(),
        changes,
    }
}

fn change(
    kind: Kind,
    breaking: bool,
    subject: impl Into<String>,
    detail: impl Into<String>,
    affects: Vec<String>,
) -> Change {
    Change { breaking, kind, subject: subject.into(), detail: detail.into(), affects }
}

fn operations(old: &Api, new: &Api, out: &mut Vec<Change>) {
    let endpoints = |api: &Api| -> BTreeMap<(String, String), Vec<String>> {
        api.endpoints
            .iter()
            .map(|e| ((e.method.clone(), e.path.clone()), e.operations.iter().map(|o| o.fn_name.clone()).collect()))
            .collect()
    };
    let (old_endpoints, new_endpoints) = (endpoints(old), endpoints(new));
    for ((method, path), fns) in &old_endpoints {
        let subject = format!("{method} {path}");
        match new_endpoints.get(&(method.clone(), path.clone())) {
            None => out.push(change(Kind::EndpointRemoved, true, subject, "the endpoint is gone", fns.clone())),
            Some(new_fns) => {
                for f in fns.iter().filter(|f| !new_fns.contains(f)) {
                    out.push(change(Kind::VersionRemoved, true, &subject, format!("`{f}` is gone"), vec![f.clone()]));
                }
                for f in new_fns.iter().filter(|f| !fns.contains(f)) {
                    out.push(change(
                        Kind::VersionAdded,
                        false,
                        &subject,
                        format!("new version: `{f}`"),
                        vec![f.clone()],
                    ));
                }
            }
        }
    }
    for ((method, path), fns) in new_endpoints.iter().filter(|(k, _)| !old_endpoints.contains_key(k)) {
        out.push(change(Kind::EndpointAdded, false, format!("{method} {path}"), "new endpoint", fns.clone()));
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

fn operation(old: &Api, new: &Api, a: &Operation, b: &Operation, out: &mut Vec<Change>) {
    let subject = match b.version.number {
        1 => format!("{} {}", b.method, b.path),
        n => format!("{} {} (version {n})", b.method, b.path),
    };
    let affects = vec![b.fn_name.clone()];
    if b.deprecated && !a.deprecated {
        out.push(change(Kind::Deprecated, false, &subject, "newly deprecated", affects.clone()));
    }
    let key = |p: &Param| (bound(p).to_ascii_lowercase(), location(p.location));
    let old_params: BTreeMap<_, &Param> = a.params.iter().map(|p| (key(p), p)).collect();
    let new_params: BTreeMap<_, &Param> = b.params.iter().map(|p| (key(p), p)).collect();
    for (k, p) in &old_params {
        match new_params.get(k) {
            None => out.push(change(
                Kind::ParameterRemoved,
                true,
                &subject,
                format!("{} parameter `{}` removed", k.1, bound(p)),
                affects.clone(),
            )),
            Some(q) => {
                if p.wire != q.wire {
                    let detail =
                        format!("{} parameter `{}` is now sent as `{}` (the server binds both)", k.1, p.wire, q.wire);
                    out.push(change(Kind::ParameterWireRenamed, false, &subject, detail, affects.clone()));
                }
                if p.ident != q.ident && !q.positional() {
                    let detail =
                        format!("the setter of {} parameter `{}` is now `{}`, not `{}`", k.1, q.wire, q.ident, p.ident);
                    out.push(change(Kind::ParameterChanged, true, &subject, detail, affects.clone()));
                }
                let (was, is) = (describe(old, &p.ty), describe(new, &q.ty));
                if was != is {
                    let detail = format!("{} parameter `{}`: {was} -> {is}", k.1, bound(p));
                    out.push(change(Kind::ParameterChanged, true, &subject, detail, affects.clone()));
                }
                if p.required != q.required {
                    let detail = format!(
                        "{} parameter `{}` is now {} (it moves {})",
                        k.1,
                        bound(p),
                        if q.required { "required" } else { "optional" },
                        if q.positional() {
                            "from a builder setter to an argument"
                        } else {
                            "from an argument to a builder setter"
                        }
                    );
                    out.push(change(Kind::ParameterChanged, true, &subject, detail, affects.clone()));
                }
            }
        }
    }
    for (k, q) in new_params.iter().filter(|(k, _)| !old_params.contains_key(*k)) {
        let detail = if q.positional() {
            format!("new required {} parameter `{}`: a new argument", k.1, bound(q))
        } else {
            format!("new optional {} parameter `{}`: a new setter `{}`", k.1, bound(q), q.ident)
        };
        out.push(change(Kind::ParameterAdded, q.positional(), &subject, detail, affects.clone()));
    }
    let body = |api: &Api, op: &Operation| op.body.as_ref().map(|b| describe(api, &b.ty));
    if body(old, a) != body(new, b) {
        let detail = format!(
            "request body: {} -> {}",
            body(old, a).unwrap_or("none".into()),
            body(new, b).unwrap_or("none".into())
        );
        out.push(change(Kind::BodyChanged, true, &subject, detail, affects.clone()));
    }
    let success = |api: &Api, op: &Operation| match &op.success {
        Success::Empty { .. } => "no content".to_string(),
        Success::Json { ty, .. } => describe(api, ty),
    };
    if success(old, a) != success(new, b) {
        let detail = format!("response: {} -> {}", success(old, a), success(new, b));
        out.push(change(Kind::ResponseChanged, true, &subject, detail, affects));
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

/// A type as the documents name it, independent of the model's indices.
fn describe(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "string".into(),
        TypeRef::Bool => "boolean".into(),
        TypeRef::I32 => "int32".into(),
        TypeRef::I64 => "int64".into(),
        TypeRef::F32 => "float".into(),
        TypeRef::F64 => "double".into(),
        TypeRef::Uuid => "uuid".into(),
        TypeRef::DateTime => "date-time".into(),
        TypeRef::Date => "date".into(),
        TypeRef::Base64 => "byte".into(),
        TypeRef::DateSpan => "date-span".into(),
        TypeRef::Any => "any".into(),
        TypeRef::Array(item) => format!("array of {}", describe(api, item)),
        TypeRef::Map(value) => format!("map of {}", describe(api, value)),
        TypeRef::Named(i) => api.types[*i].name.clone(),
        TypeRef::Boxed(inner) => describe(api, inner),
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

fn affected(t: &TypeDef, users: &BTreeSet<String>) -> Vec<String> {
    std::iter::once(format!("types::{}", t.name)).chain(users.iter().cloned()).collect()
}

fn types(old: &Api, new: &Api, old_users: &[BTreeSet<String>], new_users: &[BTreeSet<String>], out: &mut Vec<Change>) {
    let (old_keys, new_keys) = (type_keys(old), type_keys(new));
    for (key, &i) in &old_keys {
        let a = &old.types[i];
        let renamed = || new.types.iter().position(|b| b.schema == a.schema && b.suffix == a.suffix);
        let Some(j) = new_keys.get(key).copied().or_else(renamed) else {
            out.push(change(Kind::TypeRemoved, true, key, "the type is gone", affected(a, &old_users[i])));
            continue;
        };
        let b = &new.types[j];
        let affects = affected(b, &new_users[j]);
        if a.name != b.name {
            let detail =
                format!("the Rust type `{}` is now `{}` (its name collides with a new schema)", a.name, b.name);
            out.push(change(Kind::TypeRenamed, true, key, detail, affects.clone()));
        }
        type_body(old, new, key, a, b, affects, out);
    }
    let renamed_to: BTreeSet<&str> = old
        .types
        .iter()
        .filter(|a| !new_keys.contains_key(&a.name))
        .filter_map(|a| new.types.iter().find(|b| b.schema == a.schema && b.suffix == a.suffix))
        .map(|b| b.name.as_str())
        .collect();
    for (key, &j) in new_keys.iter().filter(|(k, _)| !old_keys.contains_key(*k) && !renamed_to.contains(k.as_str())) {
        let b = &new.types[j];
        out.push(change(Kind::TypeAdded, false, key, format!("new type `{}`", b.name), affected(b, &new_users[j])));
    }
}

fn type_body(old: &Api, new: &Api, key: &str, a: &TypeDef, b: &TypeDef, affects: Vec<String>, out: &mut Vec<Change>) {
    match (&a.kind, &b.kind) {
        (TypeKind::Struct { fields: fa }, TypeKind::Struct { fields: fb }) => {
            for f in fa {
                match fb.iter().find(|g| g.wire == f.wire) {
                    None => out.push(change(
                        Kind::FieldRemoved,
                        true,
                        key,
                        format!("field `{}` removed", f.wire),
                        affects.clone(),
                    )),
                    Some(g) => {
                        let (was, is) = (describe(old, &f.ty), describe(new, &g.ty));
                        if was != is {
                            let detail = format!("field `{}`: {was} -> {is}", f.wire);
                            out.push(change(Kind::FieldChanged, true, key, detail, affects.clone()));
                        } else if f.optional() != g.optional() {
                            let detail = format!(
                                "field `{}` is now {} (`{}` becomes {})",
                                f.wire,
                                if g.optional() { "optional or nullable" } else { "required and not nullable" },
                                f.ident,
                                if g.optional() { "an `Option`" } else { "a plain value" }
                            );
                            out.push(change(Kind::FieldChanged, true, key, detail, affects.clone()));
                        } else if f.nullable != g.nullable || f.required != g.required {
                            let mut what = Vec::new();
                            if f.nullable != g.nullable {
                                what.push(if g.nullable { "now nullable" } else { "no longer nullable" });
                            }
                            if f.required != g.required {
                                what.push(if g.required { "now required" } else { "no longer required" });
                            }
                            let detail =
                                format!("field `{}` is {} (its Rust type stays the same)", f.wire, what.join(" and "));
                            out.push(change(Kind::FieldChanged, false, key, detail, affects.clone()));
                        }
                    }
                }
            }
            for g in fb.iter().filter(|g| !fa.iter().any(|f| f.wire == g.wire)) {
                let detail = if g.optional() {
                    format!("new optional field `{}`", g.wire)
                } else {
                    format!(
                        "new required field `{}`: struct literals without `..Default::default()` stop compiling",
                        g.wire
                    )
                };
                out.push(change(Kind::FieldAdded, !g.optional(), key, detail, affects.clone()));
            }
        }
        (TypeKind::IntEnum { known: ka, .. }, TypeKind::IntEnum { known: kb, .. }) => {
            let added: Vec<String> = kb.iter().filter(|v| !ka.contains(v)).map(i64::to_string).collect();
            let removed: Vec<String> = ka.iter().filter(|v| !kb.contains(v)).map(i64::to_string).collect();
            if !added.is_empty() {
                let detail = format!("values added: {} (every integer already decodes)", added.join(", "));
                out.push(change(Kind::EnumValuesAdded, false, key, detail, affects.clone()));
            }
            if !removed.is_empty() {
                let detail = format!("values removed: {} (they still decode)", removed.join(", "));
                out.push(change(Kind::EnumValuesRemoved, false, key, detail, affects));
            }
        }
        (TypeKind::Alias { ty: ta }, TypeKind::Alias { ty: tb }) if describe(old, ta) == describe(new, tb) => {}
        (TypeKind::StringEnum { .. }, TypeKind::StringEnum { .. }) => {}
        _ => out.push(change(
            Kind::TypeChanged,
            true,
            key,
            format!("the schema changed shape ({} -> {})", shape(a), shape(b)),
            affects,
        )),
    }
}

fn shape(t: &TypeDef) -> &'static str {
    match t.kind {
        TypeKind::Struct { .. } => "object",
        TypeKind::IntEnum { .. } => "integer enum",
        TypeKind::StringEnum { .. } => "string enum",
        TypeKind::Alias { .. } => "alias",
    }
}

/// The same change (kind and detail) in several endpoints or types, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub breaking: bool,
    pub kind: Kind,
    pub detail: String,
    /// The endpoints, functions or schemas it is in, in order.
    pub subjects: Vec<String>,
    /// Generated functions and types affected, each once, in order.
    pub affects: Vec<String>,
}

impl Report {
    /// The changes grouped by kind and detail, breaking ones first: a change
    /// made to 49 endpoints is one group naming the 49.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for c in &self.changes {
            match groups.iter_mut().find(|g| g.breaking == c.breaking && g.kind == c.kind && g.detail == c.detail) {
                Some(g) => {
                    if !g.subjects.contains(&c.subject) {
                        g.subjects.push(c.subject.clone());
                    }
                    for a in &c.affects {
                        if !g.affects.contains(a) {
                            g.affects.push(a.clone());
                        }
                    }
                }
                None => groups.push(Group {
                    breaking: c.breaking,
                    kind: c.kind,
                    detail: c.detail.clone(),
                    subjects: vec![c.subject.clone()],
                    affects: c.affects.clone(),
                }),
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

/// The report for people: one row per distinct change, with where it is.
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
                code_list(&g.subjects, 4),
                g.detail.replace('|', "\\|"),
                code_list(&g.affects, 4)
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
    /// Additions: endpoints, versions, types, optional fields and
    /// parameters, enum values; deprecations.
    Minor,
    /// A call site or struct literal may stop compiling or mean something else.
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
        Kind::EndpointAdded
            | Kind::VersionAdded
            | Kind::TypeAdded
            | Kind::FieldAdded
            | Kind::ParameterAdded
            | Kind::EnumValuesAdded
    );
    match (g.breaking, added) {
        (true, _) => "Breaking",
        (false, true) => "Added",
        (false, false) => "Other",
    }
}

/// A CHANGELOG.md entry for `report`: the release move, the version bump
/// and why, then each distinct change once (breaking first) with where it
/// is and what it touches.
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
            let place = match g.subjects.len() {
                1 => format!("`{}`", g.subjects[0]),
                n => format!("{n} places ({})", code_list(&g.subjects, 6)),
            };
            let _ =
                writeln!(out, "- {}: {} in {place}; affects {}.", g.kind.name(), g.detail, code_list(&g.affects, 8));
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
