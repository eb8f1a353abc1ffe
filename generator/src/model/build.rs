//! Builds the [`Api`] model from loaded documents: merges versions, resolves
//! references and decides every name (through [`crate::naming`]).

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ObjectType, Parameter, ParameterSchemaOrContent, ReferenceOr,
    Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::*;
use crate::error::{Error, Result, pointer, pointer_token};
use crate::load::Document;
use crate::naming;
use crate::warnings::Warnings;

/// Headers the client sends by itself; they never become parameters.
const CLIENT_HEADERS: &[&str] = &["x-keyfactor-requested-with", "x-keyfactor-api-version"];

/// Merges `docs` (one per API version) into one model.
pub fn build(docs: &[Document], warnings: &mut Warnings) -> Result<Api> {
    build_locked(docs, &TypeNameLock::new(), warnings)
}

/// Type names kept from an earlier release: (schema, suffix) -> name.
pub type TypeNameLock = BTreeMap<(String, String), String>;

/// Like [`build`], keeping the type names of `locked` (see
/// [`naming::type_names`]).
pub fn build_locked(docs: &[Document], locked: &TypeNameLock, warnings: &mut Warnings) -> Result<Api> {
    let mut docs: Vec<&Document> = docs.iter().collect();
    docs.sort_by_key(|d| d.version);
    check_distinct_versions(&docs)?;
    let schemas = SchemaTable::new(&docs, locked)?;
    let mut ctx = Ctx { docs: &docs, schemas: &schemas, warnings };
    let mut types = ctx.types()?;
    let mut endpoints = ctx.endpoints()?;
    unify_tags(&mut endpoints);
    tag_types(&mut types, &endpoints);
    direct_types(&mut types, &endpoints);
    code_names::attach(&mut types, &endpoints);
    let versions = docs.iter().map(|d| version_of(d)).collect();
    Ok(Api { versions, endpoints, types })
}

fn version_of(doc: &Document) -> Version {
    Version { number: doc.version, header: doc.version_header.clone() }
}

fn check_distinct_versions(docs: &[&Document]) -> Result<()> {
    for pair in docs.windows(2) {
        if pair[0].version == pair[1].version {
            return Err(Error::doc(
                &pair[1].file,
                "/info/version",
                format!(
                    "API version {} is also claimed by {}; give each version one document",
                    pair[1].version_header,
                    pair[0].file.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Every distinct schema body, with its Rust name and index in `Api::types`.
struct SchemaTable {
    /// (doc index, schema name) -> type index.
    by_doc: BTreeMap<(usize, String), usize>,
    /// Per type index: the defining doc, the schema name, the Rust name and
    /// the name's suffix.
    defs: Vec<(usize, String, String, String)>,
}

impl SchemaTable {
    fn new(docs: &[&Document], locked: &TypeNameLock) -> Result<Self> {
        // Distinct bodies per name, in version order: (key suffix, doc, body).
        let mut bodies: BTreeMap<String, Vec<(String, usize, serde_json::Value)>> = BTreeMap::new();
        let mut assigned: Vec<((usize, String), (String, String))> = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            let Some(components) = &doc.api.components else { continue };
            for (name, schema) in &components.schemas {
                let body = serde_json::to_value(schema).unwrap_or_default();
                let variants = bodies.entry(name.clone()).or_default();
                let suffix = match variants.iter().find(|(_, _, b)| *b == body) {
                    Some((suffix, _, _)) => suffix.clone(),
                    None => {
                        let suffix = if variants.is_empty() { String::new() } else { format!("V{}", doc.version) };
                        variants.push((suffix.clone(), d, body));
                        suffix
                    }
                };
                assigned.push(((d, name.clone()), (name.clone(), suffix)));
            }
        }
        let keys: Vec<(String, String)> = bodies
            .iter()
            .flat_map(|(name, variants)| variants.iter().map(move |(suffix, _, _)| (name.clone(), suffix.clone())))
            .collect();
        let names = naming::type_names(&keys, locked);
        let mut order: Vec<(String, (String, String), usize)> = bodies
            .iter()
            .flat_map(|(name, variants)| {
                variants.iter().map(|(suffix, d, _)| {
                    let key = (name.clone(), suffix.clone());
                    (names[&key].clone(), key, *d)
                })
            })
            .collect();
        order.sort();
        let index: BTreeMap<(String, String), usize> =
            order.iter().enumerate().map(|(i, (_, key, _))| (key.clone(), i)).collect();
        let by_doc = assigned.into_iter().map(|(at, key)| (at, index[&key])).collect();
        let defs = order.into_iter().map(|(rust, (schema, suffix), d)| (d, schema, rust, suffix)).collect();
        Ok(SchemaTable { by_doc, defs })
    }
}

struct Ctx<'a> {
    docs: &'a [&'a Document],
    schemas: &'a SchemaTable,
    warnings: &'a mut Warnings,
}

impl<'a> Ctx<'a> {
    fn types(&mut self) -> Result<Vec<TypeDef>> {
        let mut types = Vec::with_capacity(self.schemas.defs.len());
        for (d, schema_name, rust_name, suffix) in &self.schemas.defs {
            let doc = self.docs[*d];
            let schema = &doc.api.components.as_ref().expect("schema came from components").schemas[schema_name];
            let at = pointer(["components", "schemas", schema_name.as_str()]);
            let versions = self
                .docs
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    self.schemas.by_doc.get(&(*i, schema_name.clone()))
                        == self.schemas.by_doc.get(&(*d, schema_name.clone()))
                })
                .map(|(_, doc)| doc.version_header.clone())
                .collect();
            let (description, kind) = match schema {
                ReferenceOr::Item(schema) => (schema.schema_data.description.clone(), self.type_kind(*d, schema, &at)?),
                // A component that only names another is an alias of it.
                ReferenceOr::Reference { reference } => (None, TypeKind::Alias { ty: self.named(*d, reference, &at)? }),
            };
            types.push(TypeDef {
                name: rust_name.clone(),
                schema: schema_name.clone(),
                suffix: suffix.clone(),
                description,
                versions,
                tags: Vec::new(),
                directions: Directions::default(),
                kind,
            });
        }
        self.check_alias_cycles(&types)?;
        box_cycles(&mut types);
        Ok(types)
    }

    /// Type aliases cannot refer to themselves (not even through a `Vec`):
    /// a schema that is an alias chain back to itself has no Rust type.
    fn check_alias_cycles(&self, types: &[TypeDef]) -> Result<()> {
        let alias_targets = |i: usize| match &types[i].kind {
            TypeKind::Alias { ty } => {
                ty.named().into_iter().filter(|&j| matches!(types[j].kind, TypeKind::Alias { .. })).collect()
            }
            _ => Vec::new(),
        };
        let edges: Vec<Vec<usize>> = (0..types.len()).map(alias_targets).collect();
        for (i, t) in types.iter().enumerate() {
            if edges[i].iter().any(|&j| reaches(&edges, j, i)) {
                let (d, schema, _, _) = &self.schemas.defs[i];
                return Err(Error::doc(
                    &self.docs[*d].file,
                    pointer(["components", "schemas", schema.as_str()]),
                    format!(
                        "schema {} refers back to itself only through references and arrays, which no type can express",
                        t.schema
                    ),
                )
                .with_help("make one schema of the cycle an object"));
            }
        }
        Ok(())
    }

    fn type_kind(&mut self, d: usize, schema: &Schema, at: &str) -> Result<TypeKind> {
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::Object(obj))
                if !obj.properties.is_empty() || obj.additional_properties.is_none() =>
            {
                TypeKind::Struct { fields: self.fields(d, obj, at)? }
            }
            SchemaKind::Type(Type::Integer(int)) if !int.enumeration.is_empty() => TypeKind::IntEnum {
                wide: matches!(int.format, VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64)),
                known: int.enumeration.iter().flatten().copied().collect(),
                names: Vec::new(),
            },
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                TypeKind::StringEnum { known: s.enumeration.iter().flatten().cloned().collect() }
            }
            _ => TypeKind::Alias { ty: self.schema_type(d, schema, at)? },
        })
    }

    fn fields(&mut self, d: usize, obj: &ObjectType, at: &str) -> Result<Vec<Field>> {
        let idents = naming::struct_fields(obj.properties.keys().map(String::as_str));
        let required: BTreeSet<&str> = obj.required.iter().map(String::as_str).collect();
        let mut fields = Vec::with_capacity(obj.properties.len());
        for ((wire, prop), ident) in obj.properties.iter().zip(idents) {
            let at = format!("{at}/properties/{}", pointer_token(wire));
            let (nullable, description) = match prop {
                ReferenceOr::Item(s) => (s.schema_data.nullable, s.schema_data.description.clone()),
                ReferenceOr::Reference { .. } => (false, None),
            };
            fields.push(Field {
                ty: self.type_ref_boxed(d, prop, &at)?,
                wire: wire.clone(),
                ident,
                required: required.contains(wire.as_str()),
                nullable,
                description,
            });
        }
        Ok(fields)
    }

    fn type_ref_boxed(&mut self, d: usize, schema: &ReferenceOr<Box<Schema>>, at: &str) -> Result<TypeRef> {
        match schema {
            ReferenceOr::Reference { reference } => self.named(d, reference, at),
            ReferenceOr::Item(s) => self.schema_type(d, s, at),
        }
    }

    fn type_ref(&mut self, d: usize, schema: &ReferenceOr<Schema>, at: &str) -> Result<TypeRef> {
        match schema {
            ReferenceOr::Reference { reference } => self.named(d, reference, at),
            ReferenceOr::Item(s) => self.schema_type(d, s, at),
        }
    }

    fn named(&self, d: usize, reference: &str, at: &str) -> Result<TypeRef> {
        let file = &self.docs[d].file;
        let at = format!("{at}/$ref");
        let Some(name) = reference.strip_prefix("#/components/schemas/") else {
            let why = if reference.starts_with('#') {
                "only references to #/components/schemas/... are supported"
            } else {
                "references into other files or URLs are not supported; the documents must be self-contained"
            };
            return Err(Error::doc(file, at, format!("$ref {reference:?}: {why}")));
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        match self.schemas.by_doc.get(&(d, name)) {
            Some(&i) => Ok(TypeRef::Named(i)),
            None => {
                Err(Error::doc(file, at, format!("$ref {reference:?} names a schema the document does not define")))
            }
        }
    }

    fn schema_type(&mut self, d: usize, schema: &Schema, at: &str) -> Result<TypeRef> {
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => self.string_type(&s.format),
            SchemaKind::Type(Type::Integer(i)) => match &i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) | VariantOrUnknownOrEmpty::Empty => TypeRef::I64,
                VariantOrUnknownOrEmpty::Unknown(_) => {
                    self.warnings.add("integers of unknown format (read as i64)");
                    TypeRef::I64
                }
            },
            SchemaKind::Type(Type::Number(n)) => match &n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                VariantOrUnknownOrEmpty::Item(NumberFormat::Double) | VariantOrUnknownOrEmpty::Empty => TypeRef::F64,
                VariantOrUnknownOrEmpty::Unknown(_) => {
                    self.warnings.add("numbers of unknown format (read as f64)");
                    TypeRef::F64
                }
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => TypeRef::Array(Box::new(self.type_ref_boxed(d, items, &format!("{at}/items"))?)),
                None => TypeRef::Array(Box::new(TypeRef::Any)),
            },
            SchemaKind::Type(Type::Object(obj)) => self.inline_object(d, obj, at)?,
            SchemaKind::Any(any) if any.typ.is_none() && any.properties.is_empty() && any.items.is_none() => {
                TypeRef::Any
            }
            _ => {
                self.warnings.add("schemas with allOf/oneOf/anyOf/not or mixed types (typed as serde_json::Value)");
                TypeRef::Any
            }
        })
    }

    fn string_type(&mut self, format: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
        match format {
            VariantOrUnknownOrEmpty::Empty => TypeRef::String,
            VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
            VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
            VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => TypeRef::Base64,
            VariantOrUnknownOrEmpty::Item(_) => TypeRef::String,
            VariantOrUnknownOrEmpty::Unknown(f) => match f.as_str() {
                "uuid" => TypeRef::Uuid,
                "date-span" => TypeRef::DateSpan,
                "binary" => TypeRef::String,
                _ => {
                    self.warnings.add("strings of unknown format (read as String)");
                    TypeRef::String
                }
            },
        }
    }

    fn inline_object(&mut self, d: usize, obj: &ObjectType, at: &str) -> Result<TypeRef> {
        if !obj.properties.is_empty() {
            self.warnings.add("inline object schemas with properties (typed as serde_json::Value)");
            return Ok(TypeRef::Any);
        }
        Ok(match &obj.additional_properties {
            Some(AdditionalProperties::Schema(s)) => {
                TypeRef::Map(Box::new(self.type_ref(d, s, &format!("{at}/additionalProperties"))?))
            }
            Some(AdditionalProperties::Any(_)) | None => TypeRef::Map(Box::new(TypeRef::Any)),
        })
    }

    fn endpoints(&mut self) -> Result<Vec<Endpoint>> {
        let mut endpoints: BTreeMap<(String, String), Vec<Operation>> = BTreeMap::new();
        for d in 0..self.docs.len() {
            let doc = self.docs[d];
            for (path, item) in &doc.api.paths.paths {
                let at = pointer(["paths", path.as_str()]);
                let ReferenceOr::Item(item) = item else {
                    return Err(Error::doc(&doc.file, at, "path items given as $ref are not supported"));
                };
                for (method, op) in item.iter() {
                    let at = format!("{at}/{method}");
                    let op = self.operation(d, path, method, &item.parameters, op, &at)?;
                    endpoints.entry((path.clone(), op.method.clone())).or_default().push(op);
                }
            }
        }
        let mut endpoints: Vec<Endpoint> =
            endpoints.into_iter().map(|((path, method), operations)| Endpoint { method, path, operations }).collect();
        self.break_name_ties(&mut endpoints);
        Ok(endpoints)
    }

    /// Distinct paths may still give the same function name (`/a-b`, `/a_b`):
    /// later ones in sorted order get a numeric suffix.
    fn break_name_ties(&mut self, endpoints: &mut [Endpoint]) {
        let mut taken = BTreeSet::new();
        for op in endpoints.iter_mut().flat_map(|e| &mut e.operations) {
            let base = op.fn_name.clone();
            let mut n = 2;
            while !taken.insert(op.fn_name.clone()) {
                op.fn_name = format!("{base}_{n}");
                n += 1;
            }
            if op.fn_name != base {
                self.warnings.add("operations whose derived names collided (numbered)");
                op.builder_name = naming::builder_type(&op.fn_name);
            }
        }
    }

    fn operation(
        &mut self,
        d: usize,
        path: &str,
        method: &str,
        shared: &'a [ReferenceOr<Parameter>],
        op: &'a openapiv3::Operation,
        at: &str,
    ) -> Result<Operation> {
        let doc = self.docs[d];
        let fn_name = naming::operation_fn(method, path, doc.version);
        let tag_name = op.tags.first().cloned().unwrap_or_else(|| naming::UNTAGGED.into());
        let params = self.params(d, path, shared, &op.parameters, at)?;
        let success = self.success(d, op, at)?;
        Ok(Operation {
            paging: paging(&params, &success),
            builder_name: naming::builder_type(&fn_name),
            fn_name,
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            version: version_of(doc),
            tag: Tag { module: naming::tag_module(&tag_name), feature: naming::tag_feature(&tag_name), name: tag_name },
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            params,
            body: self.body(d, op, at)?,
            success,
        })
    }

    fn params(
        &mut self,
        d: usize,
        path: &str,
        shared: &'a [ReferenceOr<Parameter>],
        own: &'a [ReferenceOr<Parameter>],
        at: &str,
    ) -> Result<Vec<Param>> {
        let file = &self.docs[d].file;
        // Operation-level parameters override path-level ones with the same name and location.
        let mut merged: Vec<(String, &Parameter)> = Vec::new();
        for (list, list_at) in [(shared, at.rsplit_once('/').map_or(at, |p| p.0).to_string()), (own, at.to_string())] {
            for (i, p) in list.iter().enumerate() {
                let p_at = format!("{list_at}/parameters/{i}");
                let param = self.parameter(d, p, &p_at)?;
                let data = param.parameter_data_ref();
                if CLIENT_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(&data.name))
                    && matches!(param, Parameter::Header { .. })
                {
                    continue;
                }
                let same = |(_, q): &(String, &Parameter)| {
                    q.parameter_data_ref().name == data.name
                        && std::mem::discriminant(*q) == std::mem::discriminant(param)
                };
                merged.retain(|x| !same(x));
                merged.push((p_at, param));
            }
        }
        let template: Vec<&str> = path_template_names(path);
        for name in &template {
            if !merged.iter().any(|(_, p)| matches!(p, Parameter::Path { .. }) && p.parameter_data_ref().name == *name)
            {
                return Err(Error::doc(
                    file,
                    format!("{at}/parameters"),
                    format!("the path has {{{name}}} but no path parameter {name:?} is declared"),
                ));
            }
        }
        let mut params = Vec::with_capacity(merged.len());
        let mut taken: BTreeSet<String> = naming::BUILDER_MEMBERS.iter().map(|s| s.to_string()).collect();
        // Path parameters first, in path order, so that they keep their plain names.
        merged.sort_by_key(|(_, p)| match p {
            Parameter::Path { parameter_data, .. } => {
                template.iter().position(|n| *n == parameter_data.name).unwrap_or(0)
            }
            _ => usize::MAX,
        });
        let wires: Vec<(&str, bool)> = merged
            .iter()
            .map(|(_, p)| (p.parameter_data_ref().name.as_str(), matches!(p, Parameter::Query { .. })))
            .collect();
        let idents = naming::param_idents(&wires);
        for ((p_at, param), ident) in merged.iter().zip(idents) {
            if let Some(p) = self.param(d, param, p_at, &template, ident, &mut taken)? {
                params.push(p);
            }
        }
        Ok(params)
    }

    fn parameter(&self, d: usize, p: &'a ReferenceOr<Parameter>, at: &str) -> Result<&'a Parameter> {
        match p {
            ReferenceOr::Item(p) => Ok(p),
            ReferenceOr::Reference { reference } => {
                let doc = self.docs[d];
                let found = reference
                    .strip_prefix("#/components/parameters/")
                    .and_then(|n| doc.api.components.as_ref()?.parameters.get(n));
                match found {
                    Some(ReferenceOr::Item(p)) => Ok(p),
                    _ => Err(Error::doc(
                        &doc.file,
                        format!("{at}/$ref"),
                        format!("$ref {reference:?} names no parameter in #/components/parameters"),
                    )),
                }
            }
        }
    }

    fn param(
        &mut self,
        d: usize,
        param: &Parameter,
        at: &str,
        template: &[&str],
        mut ident: String,
        taken: &mut BTreeSet<String>,
    ) -> Result<Option<Param>> {
        let file = &self.docs[d].file;
        let location = match param {
            Parameter::Path { .. } => Location::Path,
            Parameter::Query { .. } => Location::Query,
            Parameter::Header { .. } => Location::Header,
            Parameter::Cookie { .. } => {
                self.warnings.add("cookie parameters (not supported, left out)");
                return Ok(None);
            }
        };
        let data = param.parameter_data_ref();
        if location == Location::Path && !template.contains(&data.name.as_str()) {
            return Err(Error::doc(file, at, format!("path parameter {:?} does not appear in the path", data.name)));
        }
        let ty = match &data.format {
            ParameterSchemaOrContent::Schema(s) => self.type_ref(d, s, &format!("{at}/schema"))?,
            ParameterSchemaOrContent::Content(_) => TypeRef::String,
        };
        if !taken.insert(ident.clone()) {
            let location_name = match location {
                Location::Path => "path",
                Location::Query => "query",
                Location::Header => "header",
            };
            ident = naming::fields([format!("{ident}_{location_name}").as_str()]).remove(0);
            let base = ident.clone();
            let mut n = 2;
            while !taken.insert(ident.clone()) {
                ident = format!("{base}_{n}");
                n += 1;
            }
        }
        Ok(Some(Param {
            wire: data.name.clone(),
            ident,
            location,
            required: data.required || location == Location::Path,
            ty,
            description: data.description.clone(),
        }))
    }

    fn body(&mut self, d: usize, op: &openapiv3::Operation, at: &str) -> Result<Option<Body>> {
        let Some(body) = &op.request_body else { return Ok(None) };
        let at = format!("{at}/requestBody");
        let ReferenceOr::Item(body) = body else {
            return Err(Error::doc(&self.docs[d].file, at, "request bodies given as $ref are not supported"));
        };
        let Some((media, content)) = pick_json(&body.content) else { return Ok(None) };
        if !is_json(media) {
            self.warnings.add("request bodies without a JSON media type (sent as JSON)");
        }
        let ty = match &content.schema {
            Some(s) => self.type_ref(d, s, &format!("{at}/content/{}/schema", pointer_token(media)))?,
            None => TypeRef::Any,
        };
        Ok(Some(Body { ty, required: body.required, description: body.description.clone() }))
    }

    fn success(&mut self, d: usize, op: &openapiv3::Operation, at: &str) -> Result<Success> {
        let success = op.responses.responses.iter().find_map(|(code, r)| match code {
            openapiv3::StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
            _ => None,
        });
        let Some((status, response)) = success else {
            self.warnings.add("operations without a 2xx response (typed as no content)");
            return Ok(Success::Empty { status: 200 });
        };
        let at = format!("{at}/responses/{status}");
        let ReferenceOr::Item(response) = response else {
            return Err(Error::doc(&self.docs[d].file, at, "responses given as $ref are not supported"));
        };
        let schema = pick_json(&response.content).and_then(|(media, c)| Some((media, c.schema.as_ref()?)));
        Ok(match schema {
            None => Success::Empty { status },
            Some((media, schema)) => {
                let ty = self.type_ref(d, schema, &format!("{at}/content/{}/schema", pointer_token(media)))?;
                Success::Json { status, ty }
            }
        })
    }
}

/// Keyfactor pages listings with the optional query parameters
/// `PageReturned` (from 1) and `ReturnLimit`; such an operation returning an
/// array can be streamed item by item.
fn paging(params: &[Param], success: &Success) -> Option<Paging> {
    let Success::Json { ty: TypeRef::Array(item), .. } = success else { return None };
    let find = |wire: &str| {
        params
            .iter()
            .find(|p| {
                p.location == Location::Query
                    && !p.positional()
                    && p.ty == TypeRef::I32
                    && naming::unprefixed(&p.wire).eq_ignore_ascii_case(wire)
            })
            .map(|p| p.ident.clone())
    };
    Some(Paging { page: find("PageReturned")?, limit: find("ReturnLimit")?, item: (**item).clone() })
}

fn is_json(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or(media).trim();
    media == "application/json" || media.ends_with("+json") || media == "text/json"
}

/// `application/json` if listed, else the first JSON-like type, else the first.
fn pick_json(content: &indexmap::IndexMap<String, openapiv3::MediaType>) -> Option<(&str, &openapiv3::MediaType)> {
    content
        .get_key_value("application/json")
        .or_else(|| content.iter().find(|(m, _)| is_json(m)))
        .or_else(|| content.first())
        .map(|(m, c)| (m.as_str(), c))
}

fn path_template_names(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

/// A struct that contains itself (directly or through other structs, not
/// through a collection) would have infinite size: box the fields that close
/// such a cycle, that is, that point into their own strongly connected
/// component of the "contains directly" graph.
fn box_cycles(types: &mut [TypeDef]) {
    let direct: Vec<Vec<usize>> = types
        .iter()
        .map(|t| match &t.kind {
            TypeKind::Struct { fields } => fields.iter().filter_map(|f| direct_target(&f.ty)).collect(),
            TypeKind::Alias { ty } => direct_target(ty).into_iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    let component = components(&direct);
    for (i, t) in types.iter_mut().enumerate() {
        if let TypeKind::Struct { fields } = &mut t.kind {
            for f in fields.iter_mut() {
                // The field's target reaches back here exactly when both are
                // in one component (a self-reference included).
                if let Some(j) = direct_target(&f.ty)
                    && component[j] == component[i]
                {
                    f.ty = TypeRef::Boxed(Box::new(f.ty.clone()));
                }
            }
        }
    }
}

/// Strongly connected components (Kosaraju, iterative): the component
/// number of each node.
fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    // First pass: nodes in order of finishing.
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for start in 0..n {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.pop() {
            if let Some(&child) = edges[node].get(next) {
                stack.push((node, next + 1));
                if !seen[child] {
                    seen[child] = true;
                    stack.push((child, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    // Second pass on the reversed graph, in reverse finishing order.
    let mut reversed = vec![Vec::new(); n];
    for (from, targets) in edges.iter().enumerate() {
        for &to in targets {
            reversed[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; n];
    for (c, &root) in order.iter().rev().enumerate() {
        if component[root] != usize::MAX {
            continue;
        }
        component[root] = c;
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            for &from in &reversed[node] {
                if component[from] == usize::MAX {
                    component[from] = c;
                    stack.push(from);
                }
            }
        }
    }
    component
}

/// Tags that give the same module are one area, named after the first of
/// them in sorted order (see `naming`, "Areas").
fn unify_tags(endpoints: &mut [Endpoint]) {
    let mut first: BTreeMap<String, Tag> = BTreeMap::new();
    for op in endpoints.iter().flat_map(|e| &e.operations) {
        let entry = first.entry(op.tag.module.clone()).or_insert_with(|| op.tag.clone());
        if op.tag.name < entry.name {
            *entry = op.tag.clone();
        }
    }
    for op in endpoints.iter_mut().flat_map(|e| &mut e.operations) {
        op.tag = first[&op.tag.module].clone();
    }
}

/// Records on each type the tags of the operations that reach it.
fn tag_types(types: &mut [TypeDef], endpoints: &[Endpoint]) {
    let mut tags: Vec<BTreeSet<Tag>> = vec![BTreeSet::new(); types.len()];
    for op in endpoints.iter().flat_map(|e| &e.operations) {
        let mut stack = op.named();
        while let Some(i) = stack.pop() {
            if tags[i].insert(op.tag.clone()) {
                stack.extend(types[i].named());
            }
        }
    }
    for (t, tags) in types.iter_mut().zip(tags) {
        t.tags = tags.into_iter().collect();
    }
}

/// Marks each type with the ways it crosses the wire: sent when a request
/// body reaches it, received when a response does.
fn direct_types(types: &mut [TypeDef], endpoints: &[Endpoint]) {
    let reach = |roots: Vec<usize>| {
        let mut seen = vec![false; types.len()];
        let mut stack = roots;
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut seen[i], true) {
                stack.extend(types[i].named());
            }
        }
        seen
    };
    let ops = || endpoints.iter().flat_map(|e| &e.operations);
    let sent = reach(ops().flat_map(|o| o.body.iter().flat_map(|b| b.ty.named())).collect());
    let received = reach(
        ops()
            .flat_map(|o| match &o.success {
                Success::Json { ty, .. } => ty.named(),
                Success::Empty { .. } => Vec::new(),
            })
            .collect(),
    );
    for (i, t) in types.iter_mut().enumerate() {
        t.directions = Directions { sent: sent[i], received: received[i] };
    }
}

fn direct_target(ty: &TypeRef) -> Option<usize> {
    match ty {
        TypeRef::Named(j) => Some(*j),
        _ => None,
    }
}

fn reaches(edges: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; edges.len()];
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if !std::mem::replace(&mut seen[n], true) {
            stack.extend(&edges[n]);
        }
    }
    false
}
