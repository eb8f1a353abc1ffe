//! The published Keyfactor Command v25 documents, as the release manifest
//! names them: counts the issue and the documents' README state, and a
//! snapshot of the whole client's public surface.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keyfactor_generator::model::{Api, TypeKind};
use keyfactor_generator::{emit, generate_release};

fn v25() -> Api {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/release.yaml");
    let spec_dir = std::env::var_os("KEYFACTOR_SPEC_DIR").map(PathBuf::from);
    generate_release(&manifest, spec_dir.as_deref()).expect("the v25 documents generate").api
}

#[test]
fn every_operation_of_both_versions_is_a_function() {
    let api = v25();
    let per_version = api.operations().fold(BTreeMap::new(), |mut m, op| {
        *m.entry(op.version.header.as_str()).or_insert(0) += 1;
        m
    });
    assert_eq!(per_version, BTreeMap::from([("1.0", 447), ("2", 23)]));
    assert_eq!(api.operations().filter(|o| o.deprecated).count(), 63);

    let multi: Vec<_> = api.endpoints.iter().filter(|e| e.operations.len() > 1).collect();
    assert_eq!(multi.len(), 22);
    for endpoint in multi {
        let names: Vec<&str> = endpoint.operations.iter().map(|o| o.fn_name.as_str()).collect();
        assert_eq!(names.len(), 2);
        assert_eq!(format!("{}_v2", names[0]), names[1]);
    }
    let only_v2: Vec<String> = api
        .endpoints
        .iter()
        .filter(|e| e.operations.iter().all(|o| o.version.number == 2))
        .map(|e| format!("{} {} {}", e.method, e.path, e.operations[0].fn_name))
        .collect();
    assert_eq!(only_v2, ["GET /PamProviders/Types/{id} get_pam_providers_types_by_id_v2"]);
}

#[test]
fn every_schema_is_a_type_and_shared_identical_schemas_are_one() {
    let api = v25();
    assert_eq!(api.types.len(), 562);
    assert_eq!(api.types.iter().filter(|t| t.versions.len() == 2).count(), 34);
    assert_eq!(api.types.iter().filter(|t| matches!(t.kind, TypeKind::IntEnum { .. })).count(), 58);
    let names: std::collections::BTreeSet<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), 562, "type names are distinct");
    let name_of = |schema: &str| api.types.iter().find(|t| t.schema == schema).map(|t| t.name.as_str());
    let models = "Keyfactor.Web.KeyfactorApi.Models.";
    for (schema, name) in [
        ("Security.LegacySecurityRoles.SecurityRoleResponse", "LegacySecurityRolesSecurityRoleResponse"),
        ("Security.SecurityRoles.SecurityRoleResponse", "SecurityRolesSecurityRoleResponse"),
        ("PAM.ProviderTypeResponse", "PamProviderTypeResponse"),
        ("IdentityProvider.ProviderTypeResponse", "IdentityProviderProviderTypeResponse"),
        ("Certificates.CertificateIdentityAuditResponse2.IdentityProvider", "IdentityProvider"),
        ("Orchestrators.AgentResponse", "AgentResponse"),
    ] {
        assert_eq!(name_of(&format!("{models}{schema}")), Some(name), "{schema}");
    }
}

#[test]
fn public_surface() {
    insta::assert_snapshot!(emit::surface(&v25()));
}
