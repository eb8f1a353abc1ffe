//! Release-like changes to valid documents (feature `fuzz`), for
//! differential testing (`cargo xtask differential`): where [`crate::fuzz`]
//! breaks documents to test the errors, this makes the changes a next
//! release makes (drop an area, an operation or a version; rename, retype,
//! add or drop a parameter or a field; make one required; move a schema's
//! namespace or an operation's tag; change a body, a response, paging, enum
//! values or documented code names; deprecate), so that the client of a
//! mutated release can be compared with the original's by
//! cargo-semver-checks, and compiled with each set of areas.
//!
//! [`slice()`] first cuts a release down to a few tags (and the schemas they
//! reach), so that each pair of crates builds in seconds. Everything is
//! reproducible from the seed.

use std::collections::{BTreeMap, BTreeSet};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

/// Every class of change, each a function of the documents that returns
/// what it did, or `None` where the documents offer nothing to change.
pub const CLASSES: &[(&str, Mutation)] = &[
    ("drop-tag", drop_tag),
    ("drop-operation", drop_operation),
    ("drop-version", drop_version),
    ("retag-operation", retag_operation),
    ("deprecate-operation", deprecate_operation),
    ("drop-parameter", drop_parameter),
    ("rename-parameter", rename_parameter),
    ("retype-parameter", retype_parameter),
    ("flip-parameter-required", flip_parameter_required),
    ("add-parameter", add_parameter),
    ("drop-paging", drop_paging),
    ("drop-body", drop_body),
    ("change-response", change_response),
    ("drop-field", drop_field),
    ("rename-field", rename_field),
    ("retype-field", retype_field),
    ("require-field", require_field),
    ("flip-field-nullable", flip_field_nullable),
    ("add-field", add_field),
    ("add-colliding-field", add_colliding_field),
    ("move-namespace", move_namespace),
    ("enum-values", enum_values),
    ("code-names", code_names),
    ("object-to-text", object_to_text),
];

/// One class of change.
pub type Mutation = fn(&mut [Value], &mut SmallRng) -> Option<String>;

/// The release's documents cut down to the operations whose first tag is in
/// `tags`, with the schemas they reach (through any `$ref`, transitively).
pub fn slice(docs: &[Value], tags: &BTreeSet<String>) -> Vec<Value> {
    docs.iter()
        .map(|doc| {
            let mut doc = doc.clone();
            if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
                for item in paths.values_mut() {
                    if let Some(item) = item.as_object_mut() {
                        item.retain(|method, op| !is_method(method) || tags.contains(&first_tag(op)));
                    }
                }
                paths.retain(|_, item| item.as_object().is_some_and(|i| i.keys().any(|m| is_method(m))));
            }
            let reached = reached_schemas(&doc);
            if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
                schemas.retain(|name, _| reached.contains(name));
            }
            doc
        })
        .collect()
}

/// The tags of a release's operations, sorted.
pub fn tags(docs: &[Value]) -> BTreeSet<String> {
    docs.iter().flat_map(operations).map(|(_, _, op)| first_tag(op)).collect()
}

/// `count` tags of the release picked by `seed`, at least one of them with
/// operations in a later document (so that versions are in the slice).
pub fn pick_tags(docs: &[Value], seed: u64, count: usize) -> BTreeSet<String> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let all: Vec<String> = tags(docs).into_iter().collect();
    let later: Vec<String> = tags(docs.get(1..).unwrap_or_default()).into_iter().collect();
    let mut picked = BTreeSet::new();
    picked.extend(pick(&mut rng, &later));
    while picked.len() < count.min(all.len()) {
        picked.extend(pick(&mut rng, &all));
    }
    picked
}

/// Applies `count` changes of random classes; returns what was done.
pub fn mutate(docs: &mut [Value], seed: u64, count: usize) -> Vec<String> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut done = Vec::new();
    let mut tries = 0;
    while done.len() < count && tries < count * 20 {
        tries += 1;
        let (name, class) = CLASSES[rng.random_range(0..CLASSES.len())];
        if let Some(what) = class(docs, &mut rng) {
            done.push(format!("{name}: {what}"));
        }
    }
    done
}

/// Applies one change of the class `name` (for tests of one class).
pub fn mutate_with(docs: &mut [Value], seed: u64, name: &str) -> Option<String> {
    let (_, class) = CLASSES.iter().find(|(n, _)| *n == name)?;
    class(docs, &mut SmallRng::seed_from_u64(seed))
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

fn is_method(key: &str) -> bool {
    METHODS.contains(&key)
}

fn first_tag(op: &Value) -> String {
    op.pointer("/tags/0").and_then(Value::as_str).unwrap_or("Untagged").to_string()
}

/// (path, method, operation) of a document, in document order.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else { return Vec::new() };
    paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(m, _)| is_method(m))
                .map(move |(m, op)| (path.clone(), m.clone(), op))
        })
        .collect()
}

fn pick<T: Clone>(rng: &mut SmallRng, items: &[T]) -> Option<T> {
    (!items.is_empty()).then(|| items[rng.random_range(0..items.len())].clone())
}

/// A random document index, weighted towards those with operations.
fn pick_doc(docs: &[Value], rng: &mut SmallRng) -> Option<usize> {
    let with_ops: Vec<usize> = (0..docs.len()).filter(|&d| !operations(&docs[d]).is_empty()).collect();
    pick(rng, &with_ops)
}

/// A random operation: (doc, path, method).
fn pick_operation(docs: &[Value], rng: &mut SmallRng) -> Option<(usize, String, String)> {
    let d = pick_doc(docs, rng)?;
    let ops: Vec<(String, String)> = operations(&docs[d]).into_iter().map(|(p, m, _)| (p, m)).collect();
    let (path, method) = pick(rng, &ops)?;
    Some((d, path, method))
}

fn operation_mut<'a>(docs: &'a mut [Value], d: usize, path: &str, method: &str) -> Option<&'a mut Value> {
    docs[d].get_mut("paths")?.get_mut(path)?.get_mut(method)
}

fn remove_operation(doc: &mut Value, path: &str, method: &str) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    if let Some(item) = paths.get_mut(path).and_then(Value::as_object_mut) {
        item.remove(method);
        if !item.keys().any(|m| is_method(m)) {
            paths.shift_remove(path);
        }
    }
}

fn drop_tag(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let all: Vec<String> = tags(docs).into_iter().collect();
    if all.len() < 2 {
        return None;
    }
    let tag = pick(rng, &all)?;
    for doc in docs.iter_mut() {
        let gone: Vec<(String, String)> =
            operations(doc).into_iter().filter(|(_, _, op)| first_tag(op) == tag).map(|(p, m, _)| (p, m)).collect();
        for (path, method) in gone {
            remove_operation(doc, &path, &method);
        }
    }
    Some(format!("every operation tagged {tag}"))
}

fn drop_operation(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, path, method) = pick_operation(docs, rng)?;
    remove_operation(&mut docs[d], &path, &method);
    Some(format!("{} {path} from document {d}", method.to_uppercase()))
}

/// Drops an operation of a later document that an earlier one also has.
fn drop_version(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let mut candidates = Vec::new();
    for d in 1..docs.len() {
        for (path, method, _) in operations(&docs[d]) {
            if docs[..d].iter().any(|e| e.pointer(&format!("/paths/{}/{method}", escape(&path))).is_some()) {
                candidates.push((d, path, method));
            }
        }
    }
    let (d, path, method) = pick(rng, &candidates)?;
    remove_operation(&mut docs[d], &path, &method);
    Some(format!("version of {} {path} in document {d}", method.to_uppercase()))
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Moves an operation to another area: an existing tag, a new one, or a
/// spelling of its own tag that gives the same module.
fn retag_operation(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, path, method) = pick_operation(docs, rng)?;
    let all: Vec<String> = tags(docs).into_iter().collect();
    let op = operation_mut(docs, d, &path, &method)?;
    let own = first_tag(op);
    let tag = match rng.random_range(0..3) {
        0 => pick(rng, &all)?,
        1 => "Moved Operations".to_string(),
        _ => own.to_lowercase(),
    };
    op["tags"] = json!([tag]);
    Some(format!("{} {path} (document {d}) tagged {tag}, was {own}", method.to_uppercase()))
}

fn deprecate_operation(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, path, method) = pick_operation(docs, rng)?;
    let op = operation_mut(docs, d, &path, &method)?;
    let was = op.get("deprecated").and_then(Value::as_bool).unwrap_or(false);
    op["deprecated"] = json!(!was);
    Some(format!("{} {path} (document {d}) deprecated: {}", method.to_uppercase(), !was))
}

/// A random query or header parameter of a random operation (not the
/// headers the client sends itself): (doc, path, method, index).
fn pick_parameter(docs: &[Value], rng: &mut SmallRng) -> Option<(usize, String, String, usize)> {
    let mut candidates = Vec::new();
    let d = pick_doc(docs, rng)?;
    for (path, method, op) in operations(&docs[d]) {
        for (i, p) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let location = p.get("in").and_then(Value::as_str).unwrap_or("");
            let name = p.get("name").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
            if location == "query" || (location == "header" && !name.starts_with("x-keyfactor-")) {
                candidates.push((d, path.clone(), method.clone(), i));
            }
        }
    }
    pick(rng, &candidates)
}

fn parameter_mut<'a>(docs: &'a mut [Value], at: &(usize, String, String, usize)) -> Option<&'a mut Value> {
    operation_mut(docs, at.0, &at.1, &at.2)?.get_mut("parameters")?.get_mut(at.3)
}

fn parameter_name(p: &Value) -> String {
    p.get("name").and_then(Value::as_str).unwrap_or("").to_string()
}

fn drop_parameter(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let at = pick_parameter(docs, rng)?;
    let params = operation_mut(docs, at.0, &at.1, &at.2)?.get_mut("parameters")?.as_array_mut()?;
    let p = params.remove(at.3);
    Some(format!("parameter {} of {} {}", parameter_name(&p), at.2.to_uppercase(), at.1))
}

fn rename_parameter(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let at = pick_parameter(docs, rng)?;
    let p = parameter_mut(docs, &at)?;
    let name = parameter_name(p);
    let renamed = match rng.random_range(0..3) {
        0 => format!("{name}Renamed"),
        // A model-binding prefix: the same setter, another wire name.
        1 => format!("pq.{name}"),
        _ => "id".to_string(),
    };
    p["name"] = json!(renamed);
    Some(format!("parameter {name} of {} {} renamed {renamed}", at.2.to_uppercase(), at.1))
}

/// A schema of another type than `schema`'s.
fn other_type(schema: &Value, rng: &mut SmallRng) -> Value {
    let choices = [
        json!({"type": "string"}),
        json!({"type": "integer", "format": "int32"}),
        json!({"type": "integer", "format": "int64"}),
        json!({"type": "boolean"}),
        json!({"type": "string", "format": "uuid"}),
        json!({"type": "string", "format": "date-time"}),
        json!({"type": "string", "format": "byte"}),
        json!({"type": "array", "items": {"type": "string"}}),
        json!({"type": "number", "format": "double"}),
    ];
    let others: Vec<&Value> = choices.iter().filter(|c| *c != schema).collect();
    others[rng.random_range(0..others.len())].clone()
}

fn retype_parameter(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let at = pick_parameter(docs, rng)?;
    let p = parameter_mut(docs, &at)?;
    let ty = other_type(p.get("schema").unwrap_or(&Value::Null), rng);
    p["schema"] = ty.clone();
    Some(format!("parameter {} of {} {} is now {ty}", parameter_name(p), at.2.to_uppercase(), at.1))
}

fn flip_parameter_required(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let at = pick_parameter(docs, rng)?;
    let p = parameter_mut(docs, &at)?;
    let required = !p.get("required").and_then(Value::as_bool).unwrap_or(false);
    p["required"] = json!(required);
    Some(format!("parameter {} of {} {} required: {required}", parameter_name(p), at.2.to_uppercase(), at.1))
}

fn add_parameter(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, path, method) = pick_operation(docs, rng)?;
    let required = rng.random_bool(0.5);
    let name = format!("Added{}", rng.random_range(0..100));
    let location = if rng.random_bool(0.8) { "query" } else { "header" };
    let ty = other_type(&Value::Null, rng);
    let op = operation_mut(docs, d, &path, &method)?;
    let params = op.as_object_mut()?.entry("parameters").or_insert_with(|| json!([]));
    params.as_array_mut()?.push(json!({"name": name, "in": location, "required": required, "schema": ty}));
    Some(format!("{location} parameter {name} (required: {required}) on {} {path}", method.to_uppercase()))
}

/// Removes the page-size parameter of a paged listing.
fn drop_paging(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let mut candidates = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (path, method, op) in operations(doc) {
            let params = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            if let Some(i) = params.iter().position(|p| parameter_name(p).to_lowercase().ends_with("returnlimit")) {
                candidates.push((d, path, method, i));
            }
        }
    }
    let at = pick(rng, &candidates)?;
    operation_mut(docs, at.0, &at.1, &at.2)?.get_mut("parameters")?.as_array_mut()?.remove(at.3);
    Some(format!("ReturnLimit of {} {}", at.2.to_uppercase(), at.1))
}

fn drop_body(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let mut candidates = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (path, method, op) in operations(doc) {
            if op.get("requestBody").is_some() {
                candidates.push((d, path, method));
            }
        }
    }
    let (d, path, method) = pick(rng, &candidates)?;
    operation_mut(docs, d, &path, &method)?.as_object_mut()?.remove("requestBody");
    Some(format!("request body of {} {path}", method.to_uppercase()))
}

/// The success response of an operation becomes another schema, an array
/// of its schema, or nothing.
fn change_response(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, path, method) = pick_operation(docs, rng)?;
    let schemas: Vec<String> = schema_names(&docs[d]);
    let other = pick(rng, &schemas);
    let op = operation_mut(docs, d, &path, &method)?;
    let responses = op.get_mut("responses")?.as_object_mut()?;
    let status = responses.keys().find(|s| s.starts_with('2'))?.clone();
    let what = match (rng.random_range(0..3), other) {
        (0, Some(name)) => {
            let schema = json!({"$ref": format!("#/components/schemas/{name}")});
            responses.insert(
                status.clone(),
                json!({"description": "OK", "content": {"application/json": {"schema": schema}}}),
            );
            format!("now {name}")
        }
        (1, _) => {
            responses.insert("204".into(), json!({"description": "No Content"}));
            responses.retain(|s, _| !s.starts_with('2') || s == "204");
            "now no content".to_string()
        }
        _ => {
            let response = responses.get_mut(&status)?;
            let content = response.get_mut("content")?.as_object_mut()?;
            for media in content.values_mut() {
                let schema = media.get("schema").cloned().unwrap_or(json!({}));
                media["schema"] = json!({"type": "array", "items": schema});
            }
            "now an array of what it was".to_string()
        }
    };
    Some(format!("response of {} {path} (document {d}) {what}", method.to_uppercase()))
}

fn schema_names(doc: &Value) -> Vec<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default()
}

/// A random property: (doc, schema, property).
fn pick_property(docs: &[Value], rng: &mut SmallRng) -> Option<(usize, String, String)> {
    let mut candidates = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
            for property in schema.get("properties").and_then(Value::as_object).into_iter().flatten().map(|p| p.0) {
                candidates.push((d, name.clone(), property.clone()));
            }
        }
    }
    pick(rng, &candidates)
}

fn schema_mut<'a>(docs: &'a mut [Value], d: usize, name: &str) -> Option<&'a mut Map<String, Value>> {
    docs[d].pointer_mut("/components/schemas")?.get_mut(name)?.as_object_mut()
}

fn properties_mut<'a>(docs: &'a mut [Value], d: usize, name: &str) -> Option<&'a mut Map<String, Value>> {
    schema_mut(docs, d, name)?.get_mut("properties")?.as_object_mut()
}

fn drop_field(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, schema, property) = pick_property(docs, rng)?;
    properties_mut(docs, d, &schema)?.shift_remove(&property);
    Some(format!("{schema}.{property} (document {d})"))
}

fn rename_field(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, schema, property) = pick_property(docs, rng)?;
    let properties = properties_mut(docs, d, &schema)?;
    let value = properties.shift_remove(&property)?;
    let renamed = if rng.random_bool(0.5) { format!("{property}Renamed") } else { property.to_uppercase() };
    properties.insert(renamed.clone(), value);
    Some(format!("{schema}.{property} renamed {renamed} (document {d})"))
}

fn retype_field(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, schema, property) = pick_property(docs, rng)?;
    let others = schema_names(&docs[d]);
    let reference = pick(rng, &others);
    let properties = properties_mut(docs, d, &schema)?;
    let ty = match reference {
        Some(name) if rng.random_bool(0.3) => json!({"$ref": format!("#/components/schemas/{name}")}),
        _ => other_type(properties.get(&property)?, rng),
    };
    properties.insert(property.clone(), ty.clone());
    Some(format!("{schema}.{property} is now {ty} (document {d})"))
}

fn require_field(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, schema, property) = pick_property(docs, rng)?;
    let object = schema_mut(docs, d, &schema)?;
    let required = object.entry("required").or_insert_with(|| json!([])).as_array_mut()?;
    let at = required.iter().position(|r| r == &json!(property));
    let now = match at {
        Some(i) => {
            required.remove(i);
            false
        }
        None => {
            required.push(json!(property));
            true
        }
    };
    Some(format!("{schema}.{property} required: {now} (document {d})"))
}

fn flip_field_nullable(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, schema, property) = pick_property(docs, rng)?;
    let field = properties_mut(docs, d, &schema)?.get_mut(&property)?.as_object_mut()?;
    let nullable = !field.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    field.insert("nullable".into(), json!(nullable));
    Some(format!("{schema}.{property} nullable: {nullable} (document {d})"))
}

fn add_field(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, schema, _) = pick_property(docs, rng)?;
    let ty = other_type(&Value::Null, rng);
    let required = rng.random_bool(0.3);
    let object = schema_mut(docs, d, &schema)?;
    object.get_mut("properties")?.as_object_mut()?.insert("AddedField".into(), ty);
    if required {
        object.entry("required").or_insert_with(|| json!([])).as_array_mut()?.push(json!("AddedField"));
    }
    Some(format!("{schema}.AddedField (required: {required}, document {d})"))
}

/// Adds, first, a property whose Rust name collides with an existing one's
/// (`agentId` before `AgentId`), which renames the existing field.
fn add_colliding_field(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, schema, property) = pick_property(docs, rng)?;
    let mut chars = property.chars();
    let first = chars.next()?;
    let twin: String =
        if first.is_uppercase() { first.to_lowercase().chain(chars).collect() } else { format!("_{property}") };
    let properties = properties_mut(docs, d, &schema)?;
    if properties.contains_key(&twin) {
        return None;
    }
    properties.shift_insert(0, twin.clone(), json!({"type": "string", "nullable": true}));
    Some(format!("{schema}.{twin} before {property} (document {d})"))
}

/// Moves a schema to another namespace (`A.B.Name` -> `Moved.Name`) in
/// every document, with every reference to it: no change for code.
fn move_namespace(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let names: BTreeSet<String> = docs.iter().flat_map(schema_names).filter(|n| n.contains('.')).collect();
    let name = pick(rng, &names.into_iter().collect::<Vec<_>>())?;
    let last = name.rsplit('.').next()?;
    let moved = format!("Moved.Namespace.{last}");
    if docs.iter().any(|doc| schema_names(doc).contains(&moved)) {
        return None;
    }
    let (from, to) = (format!("#/components/schemas/{name}"), format!("#/components/schemas/{moved}"));
    for doc in docs.iter_mut() {
        if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut)
            && let Some(index) = schemas.keys().position(|k| *k == name)
        {
            let body = schemas.shift_remove(&name)?;
            schemas.shift_insert(index, moved.clone(), body);
        }
        replace_refs(doc, &from, &to);
    }
    Some(format!("{name} -> {moved}"))
}

fn replace_refs(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" && v.as_str() == Some(from) {
                    *v = json!(to);
                } else {
                    replace_refs(v, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_refs(v, from, to)),
        _ => {}
    }
}

/// Adds or removes a value of an integer enum.
fn enum_values(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let mut candidates = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
            if schema.get("type") == Some(&json!("integer")) && schema.get("enum").is_some() {
                candidates.push((d, name.clone()));
            }
        }
    }
    let (d, name) = pick(rng, &candidates)?;
    let values = schema_mut(docs, d, &name)?.get_mut("enum")?.as_array_mut()?;
    if values.len() > 1 && rng.random_bool(0.5) {
        let gone = values.remove(rng.random_range(0..values.len()));
        Some(format!("{name} loses the value {gone} (document {d})"))
    } else {
        values.push(json!(90 + rng.random_range(0..9)));
        Some(format!("{name} gains a value (document {d})"))
    }
}

/// Changes a text that names integer codes (`[0=ascending, 1=descending]`,
/// `| 1 | Key compromised |`): a name renamed, or the names dropped.
fn code_names(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let mut candidates = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        collect_code_texts(doc, String::new(), &mut |pointer| candidates.push((d, pointer)));
    }
    let (d, pointer) = pick(rng, &candidates)?;
    let text = docs[d].pointer_mut(&pointer)?;
    let old = text.as_str()?.to_string();
    let new = if rng.random_bool(0.5) {
        String::new()
    } else {
        // The first name after `=` (inline list) or in a table's second column.
        rename_first_code_name(&old)?
    };
    *text = json!(new);
    Some(format!("the text at {pointer} (document {d}) {}", if new.is_empty() { "emptied" } else { "renames a code" }))
}

fn collect_code_texts(value: &Value, pointer: String, found: &mut dyn FnMut(String)) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let at = format!("{pointer}/{}", escape(key));
                match v {
                    Value::String(text) if key == "description" && names_codes(text) => found(at),
                    _ => collect_code_texts(v, at, found),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_code_texts(v, format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

fn names_codes(text: &str) -> bool {
    let inline = text.contains('[') && text.contains("0=") && text.contains(',');
    let table = text.lines().any(|l| {
        l.trim_start().starts_with('|') && l.split('|').nth(1).is_some_and(|c| c.trim().parse::<i64>().is_ok())
    });
    inline || table
}

fn rename_first_code_name(text: &str) -> Option<String> {
    if let Some(at) = text.find("0=") {
        let start = at + 2;
        return Some(format!("{}Renamed{}", &text[..start], &text[start..]));
    }
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let row = lines.iter().position(|l| {
        l.trim_start().starts_with('|') && l.split('|').nth(1).is_some_and(|c| c.trim().parse::<i64>().is_ok())
    })?;
    let cells: Vec<&str> = lines[row].split('|').collect();
    if cells.len() < 3 {
        return None;
    }
    let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
    cells[2] = format!(" Renamed {}", cells[2].trim());
    lines[row] = cells.join("|");
    Some(lines.join("\n"))
}

/// An object schema becomes plain text.
fn object_to_text(docs: &mut [Value], rng: &mut SmallRng) -> Option<String> {
    let (d, schema, _) = pick_property(docs, rng)?;
    let object = schema_mut(docs, d, &schema)?;
    object.clear();
    object.insert("type".into(), json!("string"));
    Some(format!("{schema} is now text (document {d})"))
}

/// Schemas reached from a document's operations through `$ref`s.
fn reached_schemas(doc: &Value) -> BTreeSet<String> {
    let schemas: BTreeMap<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let mut stack: Vec<String> = Vec::new();
    if let Some(paths) = doc.get("paths") {
        refs(paths, &mut stack);
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = stack.pop() {
        if seen.insert(name.clone())
            && let Some(body) = schemas.get(&name)
        {
            refs(body, &mut stack);
        }
    }
    seen
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => out.extend(r.strip_prefix("#/components/schemas/").map(str::to_string)),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<Value> {
        vec![
            json!({
                "openapi": "3.0.1",
                "info": {"title": "t", "version": "1.0"},
                "paths": {
                    "/Widgets": {"get": {"tags": ["Widget"], "parameters": [
                        {"name": "ReturnLimit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "Sort", "in": "query", "description": "order [0=ascending, 1=descending]", "schema": {"$ref": "#/components/schemas/A.Sort"}}
                    ], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A.Widget"}}}}}}},
                    "/Gadgets": {"get": {"tags": ["Gadget"], "responses": {"204": {"description": "none"}}},
                        "post": {"tags": ["Gadget"], "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A.Widget"}}}},
                            "responses": {"204": {"description": "none"}}}}
                },
                "components": {"schemas": {
                    "A.Widget": {"type": "object", "properties": {"Name": {"type": "string"}}},
                    "A.Sort": {"type": "integer", "enum": [0, 1]},
                    "A.Unused": {"type": "object", "properties": {"X": {"type": "string"}}}
                }}
            }),
            json!({
                "openapi": "3.0.1",
                "info": {"title": "t", "version": "2.0"},
                "paths": {
                    "/Widgets": {"get": {"tags": ["Widget"], "responses": {"204": {"description": "none"}}}}
                }
            }),
        ]
    }

    #[test]
    fn a_slice_keeps_the_tags_operations_and_the_schemas_they_reach() {
        let sliced = slice(&docs(), &BTreeSet::from(["Widget".to_string()]));
        assert!(sliced[0].pointer("/paths/~1Gadgets").is_none());
        assert_eq!(schema_names(&sliced[0]), vec!["A.Widget", "A.Sort"]);
    }

    #[test]
    fn every_class_changes_the_documents_and_is_reproducible() {
        for (name, _) in CLASSES {
            let changed = (0..20).find_map(|seed| {
                let mut docs = docs();
                let what = mutate_with(&mut docs, seed, name)?;
                let mut again = self::docs();
                assert_eq!(mutate_with(&mut again, seed, name).as_deref(), Some(what.as_str()));
                assert_eq!(docs, again, "{name}");
                (docs != self::docs()).then_some(what)
            });
            assert!(changed.is_some(), "{name} never changed the documents");
        }
    }

    #[test]
    fn a_namespace_move_takes_the_references_along() {
        let mut docs = docs();
        let what = (0..50).find_map(|seed| {
            let mut d = docs.clone();
            let what = mutate_with(&mut d, seed, "move-namespace")?;
            what.starts_with("A.Widget").then(|| {
                docs = d;
                what
            })
        });
        assert!(what.is_some());
        assert!(docs[0].pointer("/components/schemas/Moved.Namespace.Widget").is_some());
        let text = docs[0].to_string();
        assert!(!text.contains("schemas/A.Widget\""), "{text}");
    }
}
