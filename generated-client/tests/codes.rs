//! Integer codes as a real server sends them, on loopback: a response with
//! names (and a numeric string) in code fields decodes, and the values sent
//! back in a request go out in the form they came in (read-modify-write).

use keyfactor_client::types::{KeyRetentionPolicy, RevokeCode, SortOrder, TemplateUpdateRequest};
use keyfactor_client::{Client, CodeForm};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

// Shaped as Keyfactor Command 25.4.1 answers `GET /Templates/{id}`: the
// documents declare KeyRetention and the enrollment field type as integers.
const TEMPLATE: &str = r#"{"Id":7,"CommonName":"WebServer","TemplateName":"WebServer","KeyRetention":"None","KeyRetentionDays":null,"EnrollmentFields":[{"Id":1,"Name":"Env","Options":["a"],"DataType":"2"}],"UseAllowedRequesters":false}"#;

fn client(server: &MockServer) -> Client {
    Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap()
}

#[tokio::test]
async fn names_in_code_fields_decode_and_go_back_as_they_came() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Templates/7"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(TEMPLATE, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/KeyfactorAPI/Templates"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(TEMPLATE, "application/json"))
        .mount(&server)
        .await;
    let client = client(&server);

    let template = client.get_templates_by_id(7).send().await.unwrap();
    let retention = template.key_retention.clone().unwrap();
    assert_eq!((retention.form(), retention.name(), retention.value()), (CodeForm::Name, Some("None"), None));
    assert!(!retention.is_known());
    let data_type = template.enrollment_fields.as_ref().unwrap()[0].data_type.clone().unwrap();
    assert_eq!((data_type.form(), data_type.value()), (CodeForm::NumericText, Some(2)));

    let update = TemplateUpdateRequest {
        id: template.id,
        key_retention: template.key_retention.clone(),
        key_retention_days: Some(30),
        ..Default::default()
    };
    client.put_templates(update).send().await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(sent["KeyRetention"], "None");
    assert_eq!(sent["KeyRetentionDays"], 30);

    // Built from a number, a code is sent as a number.
    let numbered = TemplateUpdateRequest { key_retention: Some(KeyRetentionPolicy::from(1)), ..Default::default() };
    client.put_templates(numbered).send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&requests[2].body).unwrap();
    assert_eq!(sent["KeyRetention"], 1);
}

/// Names the documents give (from the text `[0=ascending, 1=descending]`)
/// are constants, and decoding the name equals decoding the number.
#[tokio::test]
async fn documented_names_are_constants_and_parameters_keep_their_form() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Certificates"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("[]", "application/json"))
        .mount(&server)
        .await;
    let client = client(&server);
    client.get_certificates().sort_ascending(SortOrder::DESCENDING).send().await.unwrap();
    client.get_certificates().sort_ascending(SortOrder::text("Descending")).send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let sort = |i: usize| {
        requests[i].url.query_pairs().find(|(k, _)| k == "SortAscending").map(|(_, v)| v.to_string()).unwrap()
    };
    assert_eq!((sort(0).as_str(), sort(1).as_str()), ("1", "Descending"));

    let by_name: SortOrder = serde_json::from_str(r#""descending""#).unwrap();
    assert_eq!(by_name, SortOrder::DESCENDING);
    assert_eq!(by_name.value(), Some(1));
    let reason: RevokeCode = serde_json::from_str(r#""KeyCompromised""#).unwrap();
    assert_eq!(reason, RevokeCode::KEY_COMPROMISED);
    assert!(reason.is_known());
}
