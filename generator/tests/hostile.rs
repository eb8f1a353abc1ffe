//! Malformed and hostile documents: each gets an error naming the file and
//! the JSON pointer of the offending node (never a panic), or, where the
//! input is odd but usable, code plus a counted warning.

use std::path::{Path, PathBuf};

use keyfactor_generator::emit::Options;
use keyfactor_generator::release::Manifest;
use keyfactor_generator::{Generated, Result, generate_files};

fn options() -> Options {
    Options {
        release: "test".into(),
        source: "test".into(),
        area_features: true,
        command: "cargo xtask codegen".into(),
    }
}

/// Writes each `(name, text)` into a temporary directory and generates from them.
fn generate(docs: &[(&str, &str)]) -> (tempfile::TempDir, Result<Generated>) {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = docs
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let result = generate_files(&refs, &options());
    (dir, result)
}

/// The error message for one document, with the temporary path cut off.
fn error(text: &str) -> String {
    let (dir, result) = generate(&[("doc.yaml", text)]);
    let message = result.expect_err("expected an error").to_string();
    message.replace(&format!("{}/", dir.path().display()), "")
}

fn ok(text: &str) -> Generated {
    generate(&[("doc.yaml", text)]).1.unwrap()
}

/// A minimal document around `paths` and `schemas` (YAML flow mappings).
fn doc(paths: &str, schemas: &str) -> String {
    format!("openapi: 3.0.4\ninfo: {{title: t, version: '1.0'}}\npaths: {paths}\ncomponents:\n  schemas: {schemas}\n")
}

const GET_A: &str = "{/A: {get: {responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}}}}";

#[test]
fn text_that_is_neither_json_nor_yaml() {
    assert!(error("{{{ not: [json").starts_with("doc.yaml#: invalid JSON at line 1 column 2"));
    assert!(error(": : :\n\t- [").starts_with("doc.yaml#: neither JSON nor valid YAML"));
    let (_, result) = generate(&[("bin.json", "\u{0}\u{1}")]);
    let message = result.unwrap_err().to_string();
    assert!(message.contains("bin.json#: "), "{message}");
    assert!(error("just a sentence").starts_with("doc.yaml#: the document is not a JSON/YAML object"));
}

#[test]
fn not_utf8_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.json");
    std::fs::write(&path, b"{\"openapi\": \"3.0.4\", \"x\": \"\xe9\"}").unwrap();
    let message = generate_files(&[&path], &options()).unwrap_err().to_string();
    assert!(message.contains("latin1.json#: not UTF-8 text"), "{message}");
}

#[test]
fn truncated_and_empty_files() {
    let message = error(r#"{"openapi":"3.0.4","info":{"title":"t","version":"1.0"},"paths":{"/A":{"get":"#);
    assert!(message.starts_with("doc.yaml#: truncated JSON at line 1"), "{message}");
    let message = error("");
    assert!(
        message.starts_with("doc.yaml#: the file is empty") && message.contains("swagger/v1/swagger.json"),
        "{message}"
    );
}

#[test]
fn unsupported_openapi_versions_say_what_is_supported() {
    let message = error("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(message.starts_with("doc.yaml#/swagger: this is a Swagger 2.0 document; only OpenAPI 3.0.x"), "{message}");
    let message = error("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(message.starts_with("doc.yaml#/openapi: OpenAPI 3.1.0 is not supported; only OpenAPI 3.0.x"), "{message}");
}

#[test]
fn a_document_without_info_version() {
    let message = error("openapi: 3.0.4\ninfo: {title: t}\npaths: {}\n");
    assert!(message.starts_with("doc.yaml#/info: no `info.version`"), "{message}");
    let message = error("openapi: 3.0.4\ninfo: {title: t, version: 'latest'}\npaths: {}\n");
    assert!(message.starts_with("doc.yaml#/info/version: `info.version` is \"latest\""), "{message}");
}

#[test]
fn two_documents_claiming_one_version() {
    let one = doc("{}", "{}");
    let (dir, result) = generate(&[("a.yaml", &one), ("b.yaml", &one)]);
    let message = result.unwrap_err().to_string().replace(&format!("{}/", dir.path().display()), "");
    assert!(message.starts_with("b.yaml#/info/version: API version 1.0 is also claimed by a.yaml"), "{message}");
}

#[test]
fn a_ref_to_a_missing_schema() {
    let message = error(&doc(GET_A, "{A: {type: object, properties: {b: {$ref: '#/components/schemas/Nope'}}}}"));
    assert_eq!(
        message,
        "doc.yaml#/components/schemas/A/properties/b/$ref: $ref \"#/components/schemas/Nope\" names a schema the document does not define"
    );
}

#[test]
fn refs_into_other_files_or_urls() {
    for reference in ["other.yaml#/components/schemas/X", "https://example.com/schemas.json#/X"] {
        let message =
            error(&doc(GET_A, &format!("{{A: {{type: object, properties: {{b: {{$ref: '{reference}'}}}}}}}}")));
        assert!(message.starts_with("doc.yaml#/components/schemas/A/properties/b/$ref: $ref"), "{message}");
        assert!(message.contains("references into other files or URLs are not supported"), "{message}");
    }
    let message = error(&doc(GET_A, "{A: {type: object, properties: {b: {$ref: '#/definitions/X'}}}}"));
    assert!(message.contains("only references to #/components/schemas/... are supported"), "{message}");
}

#[test]
fn self_and_mutually_referencing_schemas_are_boxed() {
    let generated = ok(&doc(
        GET_A,
        "{A: {type: object, properties: {parent: {$ref: '#/components/schemas/A'}, children: {type: array, items: {$ref: '#/components/schemas/A'}}, b: {$ref: '#/components/schemas/B'}}},
          B: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}}",
    ));
    let types = &generated.files["types.rs"];
    assert!(types.contains("pub parent: Option<Box<A>>"), "{types}");
    assert!(types.contains("pub children: Option<Vec<A>>"), "{types}");
    assert!(types.contains("pub b: Option<Box<B>>") && types.contains("pub a: Option<Box<A>>"), "{types}");
}

#[test]
fn a_schema_that_is_only_a_reference_is_an_alias_and_alias_cycles_are_errors() {
    let generated =
        ok(&doc(GET_A, "{A: {$ref: '#/components/schemas/B'}, B: {type: object, properties: {x: {type: string}}}}"));
    assert!(generated.files["types.rs"].contains("pub type A = B;"));
    let message = error(&doc(
        GET_A,
        "{A: {$ref: '#/components/schemas/B'}, B: {type: array, items: {$ref: '#/components/schemas/A'}}}",
    ));
    assert!(message.starts_with("doc.yaml#/components/schemas/A: schema A refers back to itself"), "{message}");
}

#[test]
fn one_endpoint_with_incompatible_parameter_types_across_versions_is_two_functions() {
    let path = |ty: &str| {
        format!(
            "{{'/Things/{{id}}': {{get: {{parameters: [{{name: id, in: path, required: true, schema: {{type: {ty}}}}}], responses: {{'204': {{description: ok}}}}}}}}}}"
        )
    };
    let v1 = doc(&path("integer"), "{}");
    let v2 = doc(&path("string"), "{}").replace("version: '1.0'", "version: '2'");
    let (_, result) = generate(&[("v1.yaml", &v1), ("v2.yaml", &v2)]);
    let generated = result.unwrap();
    let ops = &generated.files["operations/untagged.rs"];
    assert!(ops.contains("pub fn get_things_by_id(&self, id: i64)"), "{ops}");
    assert!(ops.contains("pub fn get_things_by_id_v2(&self, id: impl Into<String>)"), "{ops}");
}

#[test]
fn names_that_collide_after_case_conversion() {
    let generated = ok(&doc(
        "{/a-b: {get: {responses: {'204': {description: ok}}}}, /a_b: {get: {responses: {'204': {description: ok}}}}, /A: {get: {responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/X.foo_bar'}}}}}}}}",
        "{X.foo_bar: {type: object, properties: {Id: {type: integer}, ID: {type: string}, id: {type: boolean}}}, X.FooBar: {type: object, properties: {}}}",
    ));
    let ops = &generated.files["operations/untagged.rs"];
    assert!(ops.contains("pub fn get_a_b(") && ops.contains("pub fn get_a_b_2("), "{ops}");
    assert_eq!(generated.warnings.count("operations whose derived names collided (numbered)"), 1);
    let types = &generated.files["types.rs"];
    assert!(types.contains("pub struct XFooBar ") && types.contains("pub struct XFooBar2 "), "{types}");
    assert!(
        types.contains("pub id: Option<i64>")
            && types.contains("pub id_2: Option<String>")
            && types.contains("pub id_3: Option<bool>")
    );
}

#[test]
fn keywords_digits_punctuation_and_non_ascii_become_valid_identifiers() {
    let generated = ok(&doc(
        "{'/2fa/{type}/Self': {get: {tags: [async], parameters: [{name: type, in: path, required: true, schema: {type: string}}, {name: 'x-y.z', in: query, schema: {type: string}}], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/1Thing'}}}}}}}}",
        "{1Thing: {type: object, properties: {type: {type: string}, 1st: {type: string}, a-b: {type: string}, ünïcode: {type: string}, Self: {type: string}, crate: {type: string}, '': {type: string}}}, café.Größe: {type: object, properties: {}}, Self: {type: object, properties: {}}}",
    ));
    let ops = &generated.files["operations/async_.rs"];
    assert!(ops.contains("pub fn get_2fa_by_type_self(") && ops.contains("type_: impl Into<String>"), "{ops}");
    // A dotted query name is a model-binding prefix: the setter is named after the last part.
    assert!(ops.contains("pub fn z(") && ops.contains("\"x-y.z\""), "{ops}");
    let types = &generated.files["types.rs"];
    for field in ["pub type_:", "pub n1st:", "pub a_b:", "pub n_code:", "pub self_:", "pub crate_:", "pub value:"] {
        assert!(types.contains(field), "{field} in {types}");
    }
    assert!(
        types.contains("pub struct T1thing ")
            && types.contains("pub struct GrE ")
            && types.contains("pub struct Self_ "),
        "{types}"
    );
    // Every generated file is valid Rust (they were parsed to be formatted).
    assert!(generated.files.keys().any(|f| f.ends_with(".rs")));
}

#[test]
fn path_parameters_must_match_the_path() {
    let message = error(&doc("{'/Things/{id}': {get: {responses: {'204': {description: ok}}}}}", "{}"));
    assert!(
        message.starts_with("doc.yaml#/paths/~1Things~1{id}/get/parameters: the path has {id} but no path parameter"),
        "{message}"
    );
    let message = error(&doc(
        "{/Things: {get: {parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {'204': {description: ok}}}}}",
        "{}",
    ));
    assert!(
        message.starts_with(
            "doc.yaml#/paths/~1Things/get/parameters/0: path parameter \"id\" does not appear in the path"
        ),
        "{message}"
    );
}

#[test]
fn unknown_formats_are_counted_warnings() {
    let generated = ok(&doc(
        GET_A,
        "{A: {type: object, properties: {a: {type: string, format: color}, b: {type: string, format: color}, c: {type: integer, format: int128}, d: {type: number, format: decimal}}}}",
    ));
    assert_eq!(generated.warnings.count("strings of unknown format (read as String)"), 2);
    assert_eq!(generated.warnings.count("integers of unknown format (read as i64)"), 1);
    assert_eq!(generated.warnings.count("numbers of unknown format (read as f64)"), 1);
    assert!(generated.files["types.rs"].contains("pub c: Option<i64>"));
}

#[test]
fn very_deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let message =
        error(&format!(r#"{{"openapi":"3.0.4","info":{{"title":"t","version":"1"}},"paths":{{}},"x":{deep}}}"#));
    assert!(message.contains("recursion limit exceeded"), "{message}");
    let deep_yaml = format!(
        "openapi: 3.0.4\ninfo: {{title: t, version: '1'}}\npaths: {{}}\nx: {}{}\n",
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    assert!(error(&deep_yaml).starts_with("doc.yaml#: neither JSON nor valid YAML"));
    // Deep but reasonable schema nesting still generates.
    let nested = format!("{}{{type: string}}{}", "{type: array, items: ".repeat(40), "}".repeat(40));
    let generated = ok(&doc(GET_A, &format!("{{A: {{type: object, properties: {{n: {nested}}}}}}}")));
    let types: String = generated.files["types.rs"].split_whitespace().collect();
    assert!(types.contains(&format!("pubn:Option<{}String", "Vec<".repeat(40))), "{types}");
}

/// The v1 document ten times over (paths and schemas renamed per copy).
#[test]
fn a_document_ten_times_the_size_of_v25_generates() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/release.yaml");
    let spec_dir = std::env::var_os("KEYFACTOR_SPEC_DIR")
        .map_or_else(|| Manifest::read(&manifest).unwrap().documents_dir(), PathBuf::from);
    let v1 = std::fs::read_to_string(spec_dir.join("Keyfactor-Command-v25-v1.swagger.json")).unwrap();
    let original: serde_json::Value = serde_json::from_str(&v1).unwrap();
    let mut big = original.clone();
    for k in 1..10 {
        let copy: serde_json::Value =
            serde_json::from_str(&v1.replace("#/components/schemas/", &format!("#/components/schemas/Copy{k}.")))
                .unwrap();
        for (path, item) in copy["paths"].as_object().unwrap() {
            big["paths"][format!("/Copy{k}{path}")] = item.clone();
        }
        for (name, schema) in copy["components"]["schemas"].as_object().unwrap() {
            big["components"]["schemas"][format!("Copy{k}.{name}")] = schema.clone();
        }
    }
    let text = serde_json::to_string(&big).unwrap();
    assert!(text.len() > 10 * serde_json::to_string(&original).unwrap().len() * 9 / 10);
    let generated = ok(&text);
    assert_eq!(generated.api.operations().count(), 4470);
    assert_eq!(generated.api.types.len(), 5380);
}

/// Parameters and properties named as what every builder or struct has
/// (`send`, `stream`, `body`, `extra`; `UnknownFields`) take other names,
/// so the generated code compiles whatever a release names them.
#[test]
fn names_every_builder_and_struct_has_are_never_taken() {
    let paths = "{/A: {get: {parameters: [{name: send, in: query, schema: {type: string}}, {name: stream, in: query, schema: {type: string}}, {name: Extra, in: query, schema: {type: string}}, {name: body, in: header, schema: {type: string}}], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}}}}";
    let generated =
        ok(&doc(paths, "{A: {type: object, properties: {UnknownFields: {type: string}, Name: {type: string}}}}"));
    let op = generated.api.operations().next().unwrap();
    let idents: Vec<&str> = op.params.iter().map(|p| p.ident.as_str()).collect();
    assert_eq!(idents, ["send_query", "stream_query", "extra_query_2", "body_header"]);
    let code = &generated.files["types.rs"];
    assert!(
        code.contains("pub unknown_fields_2: Option<String>")
            && code.contains("pub unknown_fields: keyfactor_runtime::UnknownFields"),
        "{code}"
    );
}
