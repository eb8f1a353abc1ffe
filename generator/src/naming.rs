//! Every rule that turns an OpenAPI name into a Rust name lives here, so that
//! the rules can be read (and changed) in one place. All functions are pure
//! and deterministic: the same input always gives the same name, whatever
//! else is in the documents, except where a collision has to be broken, and
//! then the tie is broken by sorting, never by input order.
//!
//! # Operations
//!
//! An operation's function name is `<method>_<path>`: the HTTP method in
//! lower case, then each path segment in snake case, where a parameter
//! segment `{name}` reads `by_<name>`. Examples:
//!
//! | endpoint | function |
//! |---|---|
//! | `GET /Agents` | `get_agents` |
//! | `GET /Agents/{id}` | `get_agents_by_id` |
//! | `POST /Agents/{id}/FetchLogs` | `post_agents_by_id_fetch_logs` |
//! | `GET /MetadataFields/{name}` | `get_metadata_fields_by_name` |
//! | `GET /SSH/ServerGroups/{id}` | `get_ssh_server_groups_by_id` |
//!
//! Version 1 of an endpoint has that plain name; version N >= 2 appends
//! `_vN` (`get_pam_providers_types_by_id_v2`). A release that adds a version
//! therefore adds a function and renames none. Because the parameter's name
//! is part of the function name, routes that differ only in the parameter
//! (`/MetadataFields/{id}` and `/MetadataFields/{name}`) get distinct names.
//! The request builder returned by a function is the function's name in
//! upper camel case (`GetAgentsById`). Since each version is its own
//! function, the versions of one endpoint may take parameters of different
//! types (an `i32` id in version 1, a `String` in version 2); each function
//! has its own version's types.
//!
//! # Types
//!
//! A schema is named after the last segment of its dotted .NET name
//! (`Keyfactor.Web.KeyfactorApi.Models.Orchestrators.AgentResponse` ->
//! `AgentResponse`). Where several schemas would get the same name (compared
//! after case conversion), each of them takes one more namespace segment in
//! front, repeatedly, until all names are distinct:
//! `Security.SecurityRoles.SecurityRoleResponse` ->
//! `SecurityRolesSecurityRoleResponse`. A schema whose name appears in two
//! documents with different bodies yields two types; the one from the later
//! version gets a `V<N>` suffix.
//!
//! Names are kept from release to release by the type-name lock
//! (`spec/type-names.lock`, written by `cargo xtask codegen`): a schema that
//! has a name there keeps it, and a schema a new release adds that would
//! collide with it takes a longer name instead of renaming it.
//!
//! # Fields and parameters
//!
//! Snake case of the JSON name (`PageReturned` -> `page_returned`); an
//! acronym's plural stays one word (`SANs` -> `sans`, `RestrictCAs` ->
//! `restrict_cas`, `CertificateIDs` -> `certificate_ids`). Rust
//! keywords get a trailing underscore (`type` -> `type_`), a leading digit
//! gets an `n` in front, characters that cannot be in an identifier become
//! `_`. The JSON name is always kept through `#[serde(rename)]`. Two names
//! that collide after conversion are told apart by a numeric suffix (`_2`)
//! in declaration order, or for parameters by their location
//! (`id` in the path, `id_query` in the query).
//!
//! Every struct also has the field `unknown_fields` (see [`UNKNOWN_FIELDS`]),
//! which holds the JSON members its schema does not declare. It is the same
//! in every struct and every release; a property whose name would give the
//! same identifier (`UnknownFields`) takes the suffix instead
//! (`unknown_fields_2`), so the two can never collide.
//!
//! A parameter whose identifier would be a name every request builder has
//! (see [`BUILDER_MEMBERS`]: `send`, `stream`, `body`, ...) takes its location
//! as a suffix (`send_query`).
//!
//! A query parameter named with an ASP.NET model-binding prefix,
//! `prefix.Name` (`pq.pageReturned`, `pagedQuery.returnLimit`,
//! `sq.sortField`, as older releases declare them), gets the setter of `Name`
//! (`page_returned`), so that call sites agree with releases that declare
//! `PageReturned`; the wire name is kept, and the server binds both forms. If
//! that would make two parameters of one operation collide (`pq.id` beside a
//! path `{id}`, or `a.Name` beside `b.Name`), the prefixed ones keep their
//! prefix (`pq_id`) and the unprefixed one keeps the plain name.
//!
//! # Integer-code constants
//!
//! Where the documents' texts name the values of an integer code (see
//! `model::code_names`), each name becomes an associated constant in
//! upper snake case: `ascending` -> `SortOrder::ASCENDING`, `Key
//! compromised` -> `RevokeCode::KEY_COMPROMISED`, `One-click` ->
//! `ONE_CLICK`. A leading digit gets `N_` in front; `KNOWN` and `NAMES`, which
//! every code type already has, become `KNOWN_` and `NAMES_`. If two names of one type give the same
//! constant, the type gets no constants at all rather than arbitrary ones.
//!
//! # Areas (cargo features)
//!
//! Each tag of the documents is an area: the operations whose first tag it
//! is (untagged ones: `Untagged`) go into the module `operations::<tag in
//! snake case>` and compile with the cargo feature of the tag in kebab case
//! (`SecurityRoles` -> `operations::security_roles`, feature
//! `security-roles`). A feature name the crate uses for itself (`default`,
//! `all-areas`, `cli`, `dynamic`, `mock`, `roundtrip`) takes `-area` after it. Tags
//! that give the same module (`Security Roles`, `SecurityRoles`) are one
//! area, named after the first of them in sorted order. `all-areas` turns on
//! every area and is the default.
//!
//! Types compile with every area whose operations reach them; a type that no
//! operation reaches belongs to no area and compiles with `all-areas` (the
//! rules are on the emitter's `Cfg`), so any set of areas builds.
//!
//! # The command line
//!
//! `keyfactor <area> <operation>` (feature `cli`): the area is the area's
//! feature name, the operation the client function's name in kebab case
//! (`get_agents_by_id_v2` -> `get-agents-by-id-v2`), so each version is its
//! own subcommand. Query and header parameters are flags named after their
//! Rust identifier in kebab case (`query_string` -> `--query-string`); a
//! flag the command line has itself (`server`, `profile`, `config`,
//! `output`, `columns`, `dry-run`, `verbose`, `query`, `header`, `body`,
//! `body-template`, `all`, `help`, `version`) gets `-param` after it. Path
//! parameters are positionals, in path order, named after their wire name
//! in upper case (`ID`).

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Function name of version `version` of the endpoint `method path`.
pub fn operation_fn(method: &str, path: &str, version: u32) -> String {
    let mut parts = vec![method.to_ascii_lowercase()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => parts.push(format!("by_{}", snake(param))),
            None => parts.push(snake(segment)),
        }
    }
    if version >= 2 {
        parts.push(format!("v{version}"));
    }
    identifier(&parts.join("_"))
}

/// Name of the request builder type of the operation function `fn_name`.
pub fn builder_type(fn_name: &str) -> String {
    fn_name.to_upper_camel_case()
}

/// Module that holds the operations of a tag.
pub fn tag_module(tag: &str) -> String {
    identifier(&snake(tag))
}

/// Cargo feature name of a tag (kebab case); the client's own feature
/// names get `-area` appended.
pub fn tag_feature(tag: &str) -> String {
    let feature = tag_module(tag).trim_end_matches('_').replace('_', "-");
    if RESERVED_FEATURES.contains(&feature.as_str()) { format!("{feature}-area") } else { feature }
}

/// Features of the client that are not areas.
const RESERVED_FEATURES: &[&str] = &["default", "all-areas", "cli", "dynamic", "mock", "roundtrip"];

/// The subcommand of the operation function `fn_name`.
pub fn cli_command(fn_name: &str) -> String {
    fn_name.trim_start_matches("r#").replace('_', "-")
}

/// The flag of a query or header parameter with the identifier `ident`.
pub fn cli_flag(ident: &str) -> String {
    let flag = ident.trim_start_matches("r#").trim_matches('_').replace('_', "-");
    if RESERVED_FLAGS.contains(&flag.as_str()) { format!("{flag}-param") } else { flag }
}

/// The value name of a path parameter with the wire name `wire`.
pub fn cli_positional(wire: &str) -> String {
    wire.to_shouty_snake_case()
}

/// Flags of the command line itself.
const RESERVED_FLAGS: &[&str] = &[
    "server",
    "profile",
    "config",
    "output",
    "columns",
    "dry-run",
    "verbose",
    "query",
    "header",
    "body",
    "body-template",
    "all",
    "help",
    "version",
];

/// The tag of operations that have none.
pub const UNTAGGED: &str = "Untagged";

/// Field or parameter identifier for a JSON / wire name.
pub fn field(wire: &str) -> String {
    identifier(&snake(wire))
}

/// The name a query parameter binds to on the server: `pq.pageReturned` ->
/// `pageReturned` (ASP.NET model-binding prefixes dropped).
pub fn unprefixed(wire: &str) -> &str {
    wire.rsplit_once('.').map_or(wire, |(_, name)| name).trim()
}

/// Identifiers for an operation's parameters, `(wire name, in the query)`
/// each, before collisions by location are broken: query parameters drop a
/// binding prefix unless that makes two of them collide (see the module docs).
pub fn param_idents(params: &[(&str, bool)]) -> Vec<String> {
    let plain: Vec<String> = params
        .iter()
        .map(|(wire, query)| if *query && !unprefixed(wire).is_empty() { field(unprefixed(wire)) } else { field(wire) })
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &plain {
        *count.entry(name).or_default() += 1;
    }
    params
        .iter()
        .zip(&plain)
        .map(
            |((wire, _), name)| {
                if count[name.as_str()] > 1 && unprefixed(wire) != *wire { field(wire) } else { name.clone() }
            },
        )
        .collect()
}

/// Names a request builder has whatever its operation: its fields (the
/// client, the body, the undeclared parameters) and methods. A parameter
/// whose identifier would be one of them takes its location as a suffix
/// (`send_query`), as colliding parameters do.
pub const BUILDER_MEMBERS: &[&str] =
    &["client", "body", "extra", "extra_query", "extra_header", "request", "send", "send_with_metadata", "stream"];

/// The field of every generated struct that holds the members its schema
/// does not declare (see the module docs).
pub const UNKNOWN_FIELDS: &str = "unknown_fields";

/// Identifiers of a struct's fields for the property names `wires`, in
/// order: distinct, and none of them [`UNKNOWN_FIELDS`].
pub fn struct_fields<'a>(wires: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    distinct_fields(wires, BTreeSet::from([UNKNOWN_FIELDS.to_string()]))
}

/// Gives each of `wires` a distinct field identifier, in order.
pub fn fields<'a>(wires: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    distinct_fields(wires, BTreeSet::new())
}

fn distinct_fields<'a>(wires: impl IntoIterator<Item = &'a str>, mut taken: BTreeSet<String>) -> Vec<String> {
    wires
        .into_iter()
        .map(|wire| {
            let base = field(wire);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// Constant identifiers for the value names of one integer code, in order;
/// `None` when two of them would be the same (see the module docs).
pub fn code_constants(names: &[&str]) -> Option<Vec<String>> {
    let idents: Vec<String> = names
        .iter()
        .map(|name| {
            let mut ident = sanitize(name).to_shouty_snake_case();
            if ident.is_empty() {
                ident = "VALUE".into();
            }
            if ident.starts_with(|c: char| c.is_ascii_digit()) {
                ident.insert_str(0, "N_");
            }
            if ident == "KNOWN" || ident == "NAMES" {
                ident.push('_');
            }
            ident
        })
        .collect();
    let distinct: BTreeSet<&String> = idents.iter().collect();
    (distinct.len() == idents.len()).then_some(idents)
}

/// Rust type names for schemas, keyed by their full dotted names.
///
/// `schemas` lists each schema's full name together with a suffix that is
/// appended to its name (`""`, or `"V2"` for a second distinct body of the
/// same name); see the module docs for the rule. Names in `locked` (from the
/// type-name lock of an earlier release) are kept as they are, so that a
/// schema a new release adds never renames an existing type: the new schema
/// takes the longer name instead.
pub fn type_names(
    schemas: &[(String, String)],
    locked: &BTreeMap<(String, String), String>,
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for key in schemas {
        if let Some(name) = locked.get(key).filter(|n| is_type_name(n))
            && taken.insert(name.clone())
        {
            out.insert(key.clone(), name.clone());
        }
    }
    let free: Vec<(String, String)> = schemas.iter().filter(|k| !out.contains_key(*k)).cloned().collect();
    out.extend(rule_names(&free, &taken));
    out
}

/// Whether `name` can be used as a generated type's name.
fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED_TYPES.contains(&name)
        && !is_keyword(name)
}

/// Names by the rule for `schemas`, none of them in `taken`.
fn rule_names(schemas: &[(String, String)], taken: &BTreeSet<String>) -> BTreeMap<(String, String), String> {
    let segments: Vec<Vec<&str>> =
        schemas.iter().map(|(full, _)| full.split('.').filter(|s| !s.is_empty()).collect()).collect();
    let mut depth = vec![1usize; schemas.len()];
    let unusable = |name: &str| RESERVED_TYPES.contains(&name) || taken.contains(name);
    loop {
        let names: Vec<String> = schemas
            .iter()
            .zip(&segments)
            .zip(&depth)
            .map(|(((_, suffix), segs), &d)| qualified_type(segs, d, suffix))
            .collect();
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            groups.entry(name.as_str()).or_default().push(i);
        }
        let mut grew = false;
        for members in groups.values().filter(|m| m.len() > 1 || unusable(&names[m[0]])) {
            for &i in members {
                if depth[i] < segments[i].len() {
                    depth[i] += 1;
                    grew = true;
                }
            }
        }
        if !grew {
            let names = names
                .into_iter()
                .map(|n| if RESERVED_TYPES.contains(&n.as_str()) { format!("{n}_") } else { n })
                .collect();
            return disambiguate(schemas, names, taken);
        }
    }
}

/// The last `depth` segments in upper camel case, plus `suffix`.
fn qualified_type(segments: &[&str], depth: usize, suffix: &str) -> String {
    let start = segments.len().saturating_sub(depth);
    let joined: String = segments[start..].iter().map(|s| s.to_upper_camel_case()).collect();
    let mut name = format!("{}{suffix}", sanitize(&joined).to_upper_camel_case());
    if name.is_empty() {
        name = "Unnamed".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    if is_keyword(&name) && !RESERVED_TYPES.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Last resort when even full names collide (they differ only in case or
/// punctuation): numeric suffixes in sorted order of the full names.
fn disambiguate(
    schemas: &[(String, String)],
    names: Vec<String>,
    taken: &BTreeSet<String>,
) -> BTreeMap<(String, String), String> {
    let mut order: Vec<usize> = (0..schemas.len()).collect();
    order.sort_by(|&a, &b| schemas[a].cmp(&schemas[b]));
    let mut taken = taken.clone();
    let mut out = BTreeMap::new();
    for i in order {
        let mut name = names[i].clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{}{n}", names[i]);
            n += 1;
        }
        out.insert(schemas[i].clone(), name);
    }
    out
}

/// Names that generated types must not take: they are used unqualified in
/// the generated types module.
const RESERVED_TYPES: &[&str] = &["Option", "Vec", "String", "Box", "Result", "Value", "Self"];

fn snake(s: &str) -> String {
    plural_acronyms(&sanitize(s)).to_snake_case()
}

/// Keeps an acronym's plural one word (`SANs` -> `Sans`, `RestrictCAs` ->
/// `RestrictCas`), which case conversion would otherwise split before its
/// last capital (`sa_ns`, `restrict_c_as`): a run of two or more capitals
/// followed by an `s` that ends the word.
fn plural_acronyms(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_uppercase() {
            i += 1;
        }
        if i == start {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = &chars[start..i];
        let plural =
            run.len() >= 2 && chars.get(i) == Some(&'s') && chars.get(i + 1).is_none_or(|c| !c.is_ascii_lowercase());
        out.push(run[0]);
        if plural {
            out.extend(run[1..].iter().map(char::to_ascii_lowercase));
        } else {
            out.extend(&run[1..]);
        }
    }
    out
}

/// Replaces every character that cannot be part of an identifier by `_`.
fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// Makes a snake-case name a valid, non-keyword identifier.
fn identifier(s: &str) -> String {
    let mut name = s.trim_matches('_').to_string();
    if name.is_empty() {
        name = "value".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

fn is_keyword(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
        "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
        "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct",
        "super", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where",
        "while", "yield",
    ];
    KEYWORDS.contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_follow_method_and_path() {
        assert_eq!(operation_fn("get", "/Agents", 1), "get_agents");
        assert_eq!(operation_fn("GET", "/Agents/{id}", 1), "get_agents_by_id");
        assert_eq!(operation_fn("post", "/Agents/{id}/FetchLogs", 1), "post_agents_by_id_fetch_logs");
        assert_eq!(operation_fn("get", "/SSH/ServerGroups/{id}", 1), "get_ssh_server_groups_by_id");
        assert_eq!(operation_fn("get", "/PamProviders/Types/{id}", 2), "get_pam_providers_types_by_id_v2");
        assert_ne!(operation_fn("get", "/MetadataFields/{id}", 1), operation_fn("get", "/MetadataFields/{name}", 1));
    }

    #[test]
    fn query_prefixes_of_model_binding_are_dropped_unless_names_collide() {
        let got = param_idents(&[
            ("pq.pageReturned", true),
            ("pagedQuery.returnLimit", true),
            ("sq.sortField", true),
            ("x-thing.format", false),
        ]);
        assert_eq!(got, ["page_returned", "return_limit", "sort_field", "x_thing_format"]);
        // The path's {id} keeps `id`; the prefixed query parameters keep their prefixes.
        let got = param_idents(&[("id", false), ("pq.id", true), ("a.Name", true), ("b.Name", true)]);
        assert_eq!(got, ["id", "pq_id", "a_name", "b_name"]);
        assert_eq!(unprefixed("pq.pageReturned"), "pageReturned");
        assert_eq!(unprefixed("ReturnLimit"), "ReturnLimit");
    }

    #[test]
    fn tag_features_are_kebab_case_and_avoid_the_clients_own() {
        assert_eq!(tag_feature("PAMProvider"), "pam-provider");
        assert_eq!(tag_feature("CertificateStoreType"), "certificate-store-type");
        assert_eq!(tag_feature("Default"), "default-area");
        assert_eq!(tag_feature("dynamic"), "dynamic-area");
        assert_eq!(tag_feature("Mock"), "mock-area");
        assert_eq!(tag_feature("Roundtrip"), "roundtrip-area");
    }

    #[test]
    fn fields_escape_keywords_digits_and_punctuation() {
        assert_eq!(field("PageReturned"), "page_returned");
        assert_eq!(field("type"), "type_");
        assert_eq!(field("Self"), "self_");
        assert_eq!(field("2fa"), "n2fa");
        assert_eq!(field("x-certificateformat"), "x_certificateformat");
        assert_eq!(field("Ünïcode"), "n_code");
        assert_eq!(field("SANs"), "sans");
        assert_eq!(field("RestrictCAs"), "restrict_cas");
        assert_eq!(field("SANsList"), "sans_list");
        assert_eq!(field("CertificateIDs2"), "certificate_ids2");
        assert_eq!(field("HTTPServer"), "http_server");
        assert_eq!(field("CAsync"), "c_async");
        assert_eq!(field("KeyfactorID"), "keyfactor_id");
        assert_eq!(fields(["Id", "id", "ID"]), ["id", "id_2", "id_3"]);
        assert_eq!(
            struct_fields(["UnknownFields", "Unknown_Fields", "Name"]),
            ["unknown_fields_2", "unknown_fields_3", "name"]
        );
    }

    #[test]
    fn colliding_type_names_take_namespace_segments() {
        let s = |n: &str| (n.to_string(), String::new());
        let input = [
            s("K.Security.LegacySecurityRoles.SecurityRoleResponse"),
            s("K.Security.SecurityRoles.SecurityRoleResponse"),
            s("K.PAM.ProviderTypeResponse"),
            s("K.IdentityProvider.ProviderTypeResponse"),
            s("K.Orchestrators.AgentResponse"),
            s("K.Things.Option"),
        ];
        let names = type_names(&input, &BTreeMap::new());
        let got: Vec<&str> = input.iter().map(|k| names[k].as_str()).collect();
        assert_eq!(
            got,
            [
                "LegacySecurityRolesSecurityRoleResponse",
                "SecurityRolesSecurityRoleResponse",
                "PamProviderTypeResponse",
                "IdentityProviderProviderTypeResponse",
                "AgentResponse",
                "ThingsOption",
            ]
        );
    }

    #[test]
    fn locked_names_stay_and_a_new_colliding_schema_takes_the_longer_name() {
        let key = |n: &str| (n.to_string(), String::new());
        // Release 1 had one Widget; release 2 adds another.
        let locked = BTreeMap::from([(key("K.Widgets.Widget"), "Widget".to_string())]);
        let names = type_names(&[key("K.Widgets.Widget"), key("K.Other.Widget")], &locked);
        assert_eq!(names[&key("K.Widgets.Widget")], "Widget");
        assert_eq!(names[&key("K.Other.Widget")], "OtherWidget");
        // Without the lock, the rule would rename both.
        let names = type_names(&[key("K.Widgets.Widget"), key("K.Other.Widget")], &BTreeMap::new());
        assert_eq!(names[&key("K.Widgets.Widget")], "WidgetsWidget");
        // A lock entry that is not a usable name is ignored.
        let bad = BTreeMap::from([(key("K.A"), "not a name".to_string()), (key("K.B"), "Option".to_string())]);
        let names = type_names(&[key("K.A"), key("K.B")], &bad);
        assert_eq!((names[&key("K.A")].as_str(), names[&key("K.B")].as_str()), ("A", "B"));
    }

    #[test]
    fn code_constants_are_upper_snake_case_and_all_or_nothing() {
        let got = code_constants(&["ascending", "Key compromised", "One-click", "Ed25519", "3DES", "KNOWN"]);
        assert_eq!(got.unwrap(), ["ASCENDING", "KEY_COMPROMISED", "ONE_CLICK", "ED25519", "N_3DES", "KNOWN_"]);
        assert_eq!(code_constants(&["Seeded PFX", "seeded_pfx"]), None);
    }

    #[test]
    fn names_equal_after_case_conversion_still_differ() {
        let input = [("a.foo_bar".to_string(), String::new()), ("a.FooBar".to_string(), String::new())];
        let names = type_names(&input, &BTreeMap::new());
        assert_ne!(names[&input[0]], names[&input[1]]);
    }
}
