//! A versioned endpoint against a real HTTP server on loopback: the plain
//! method sends version `1.0`, the `_v2` method sends `2`, both identify as
//! an API client, and each decodes its own version's response type.

use keyfactor_client::{Auth, Client};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

// As recorded from a Keyfactor Command 25.4.1 server (v1), and the v2 shape.
const ROLE_V1: &str = r#"{"Id":909,"Description":"Unit test role","EmailAddress":null,"Enabled":true,"Immutable":false,"Valid":true,"Private":false,"PermissionSetId":"099c05f0-deba-4562-a5b1-f491e19c0749","Identities":[],"Name":"tf-unit-role-576809000","Permissions":[]}"#;
const ROLE_V2: &str = r#"{"Id":909,"Name":"tf-unit-role-576809000","Description":"Unit test role","EmailAddress":null,"Immutable":false,"PermissionSetId":"099c05f0-deba-4562-a5b1-f491e19c0749","Permissions":["/security/read/"],"Claims":[]}"#;

async fn server() -> MockServer {
    let server = MockServer::start().await;
    for (version, body) in [("1.0", ROLE_V1), ("2", ROLE_V2)] {
        Mock::given(method("GET"))
            .and(path("/KeyfactorAPI/Security/Roles/909"))
            .and(header("x-keyfactor-api-version", version))
            .and(header("x-keyfactor-requested-with", "APIClient"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json; charset=utf-8"))
            .expect(1)
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
#[allow(deprecated)] // version 1 of this endpoint is deprecated in favour of version 2
async fn plain_method_sends_version_1_and_v2_method_sends_version_2() {
    let server = server().await;
    let client =
        Client::builder(format!("{}/KeyfactorAPI", server.uri())).auth(Auth::bearer("token-123")).build().unwrap();

    let v1 = client.get_security_roles_by_id(909).send().await.unwrap();
    assert_eq!(v1.id, Some(909));
    assert_eq!(v1.enabled, Some(true));
    assert_eq!(v1.identities, Some(vec![]));

    let v2 = client.get_security_roles_by_id_v2(909).send().await.unwrap();
    assert_eq!(v2.name.as_deref(), Some("tf-unit-role-576809000"));
    assert_eq!(v2.permissions, Some(vec!["/security/read/".to_string()]));
    assert_eq!(v2.claims, Some(vec![]));

    let requests = server.received_requests().await.unwrap();
    let versions: Vec<&str> = requests.iter().map(|r| r.headers["x-keyfactor-api-version"].to_str().unwrap()).collect();
    assert_eq!(versions, ["1.0", "2"]);
    for request in &requests {
        assert_eq!(request.headers["x-keyfactor-requested-with"], "APIClient");
        assert_eq!(request.headers["accept"], "application/json");
        assert_eq!(request.headers["authorization"], "Bearer token-123");
    }
}

#[tokio::test]
#[allow(deprecated)]
async fn metadata_carries_status_and_keyfactor_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Security/Roles/909"))
        .respond_with(
            ResponseTemplate::new(200)
                // A field this client does not know (as a newer server might send) is ignored.
                .set_body_raw(ROLE_V1.replace("{\"Id\"", "{\"AddedLater\":[1],\"Id\""), "application/json")
                .insert_header("Api-Supported-Versions", "1.0, 2")
                .insert_header("X-Keyfactor-Correlation-Id", "7c5b48c8-cda3-4c1e-904a-6f89307fe254")
                .insert_header("X-Keyfactor-Product-Version", "25.4.1+dc0db2c8")
                .insert_header("X-Total-Count", "1"),
        )
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/KeyfactorAPI/", server.uri())).build().unwrap();
    let response = client.get_security_roles_by_id(909).send_with_metadata().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.supported_versions(), ["1.0", "2"]);
    assert_eq!(response.correlation_id(), Some("7c5b48c8-cda3-4c1e-904a-6f89307fe254"));
    assert_eq!(response.product_version(), Some("25.4.1+dc0db2c8"));
    assert_eq!(response.total_count(), Some(1));
    assert_eq!(response.into_inner().id, Some(909));
}

#[tokio::test]
async fn query_body_and_error_status_go_over_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/KeyfactorAPI/Certificates/Recover"))
        .and(header("content-type", "application/json"))
        .and(header("x-certificateformat", "PEM"))
        .and(wiremock::matchers::body_json(serde_json::json!({"Password": "pw", "CertID": 1907, "IncludeChain": true})))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_raw(
                    r#"{"ErrorCode":"0xA0110002","Message":"No private key could be found for the given certificate."}"#,
                    "application/json; charset=utf-8",
                )
                .insert_header("X-Keyfactor-Correlation-Id", "b3e216cd"),
        )
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();
    let body = keyfactor_client::types::CertificateRecoveryRequest {
        password: "pw".into(),
        cert_id: Some(1907),
        include_chain: Some(true),
        ..Default::default()
    };
    let err = client.post_certificates_recover("PEM", body).send().await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    let message = err.to_string();
    assert!(
        message.starts_with("post_certificates_recover: HTTP 400: No private key could be found for the given certificate. (error code 0xA0110002) (correlation id b3e216cd)"),
        "{message}"
    );
}

/// A client built for release 25 calling a server of an older release that
/// lacks version 2: ASP.NET API versioning answers 400, and the client says
/// which version it asked for and which ones the server offers; the code
/// then falls back to the plain (version 1) function, as the README shows.
#[tokio::test]
#[allow(deprecated)]
async fn an_older_server_without_version_2_gives_unsupported_api_version() {
    let bodies = [
        r#"{"error":{"code":"UnsupportedApiVersion","message":"The HTTP resource that matches the request URI does not support the API version '2'."}}"#,
        r#"{"type":"https://docs.api-versioning.org/problems#unsupported-api-version","title":"Unsupported API version","status":400}"#,
    ];
    for body in bodies {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/KeyfactorAPI/Security/Roles/909"))
            .and(header("x-keyfactor-api-version", "2"))
            .respond_with(
                ResponseTemplate::new(400)
                    .set_body_raw(body, "application/json")
                    .insert_header("api-supported-versions", "1.0")
                    .insert_header("X-Keyfactor-Correlation-Id", "c0ffee"),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/KeyfactorAPI/Security/Roles/909"))
            .and(header("x-keyfactor-api-version", "1.0"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(ROLE_V1, "application/json"))
            .mount(&server)
            .await;
        let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();

        let err = client.get_security_roles_by_id_v2(909).send().await.unwrap_err();
        let keyfactor_client::Error::UnsupportedApiVersion { operation, requested, supported, correlation_id } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!((*operation, *requested), ("get_security_roles_by_id_v2", "2"));
        assert_eq!((supported.as_slice(), correlation_id.as_deref()), (&["1.0".to_string()][..], Some("c0ffee")));
        assert_eq!(
            err.to_string(),
            "get_security_roles_by_id_v2: the server does not offer version 2 of this endpoint (it offers 1.0) (correlation id c0ffee)"
        );

        let name = match client.get_security_roles_by_id_v2(909).send().await {
            Ok(role) => role.name,
            Err(keyfactor_client::Error::UnsupportedApiVersion { .. }) => {
                client.get_security_roles_by_id(909).send().await.unwrap().name
            }
            Err(e) => panic!("{e}"),
        };
        assert_eq!(name.as_deref(), Some("tf-unit-role-576809000"));
    }
}
