//! Members the documents do not declare, on loopback: a response keeps them
//! at every level, re-encodes unchanged and goes back unchanged in a PUT
//! (read-modify-write); a request carries members the documents omit; a
//! `date-time` field given a time of day keeps it as it came.

use keyfactor_client::Client;
use keyfactor_client::types::{
    CertificateStoreCreateRequest, KeyfactorSchedule, MacEnrollmentApiModel, TemplateUpdateRequest, TimeModel,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

// `GET /Templates/{id}` as a 25.4.1 server answers it, with members the v25
// documents do not declare at the top (`Oid`, `KeySize`, `Future`) and in a
// list item (`EnrollmentFields[0].Hint`).
const TEMPLATE: &str = r#"{"Id":7,"CommonName":"WebServer","TemplateName":"WebServer","Oid":"1.3.6.1.4.1.311.21.8.1","KeySize":2048,"KeyRetention":"None","EnrollmentFields":[{"Id":1,"Name":"Env","Options":["a"],"DataType":2,"Hint":"where it runs"}],"Future":{"A":[1,2]}}"#;

async fn server_answering(get: &str, answer: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/KeyfactorAPI{get}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(answer.to_string(), "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(answer.to_string(), "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/json"))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap()
}

async fn last_body(server: &MockServer) -> Value {
    let requests = server.received_requests().await.unwrap();
    serde_json::from_slice(&requests.last().unwrap().body).unwrap()
}

#[tokio::test]
async fn undeclared_members_at_two_levels_survive_a_read_modify_write() {
    let server = server_answering("/Templates/7", TEMPLATE).await;
    let client = client(&server);
    let template = client.get_templates_by_id(7).send().await.unwrap();
    assert_eq!(template.unknown_fields.get("Future"), Some(&json!({"A": [1, 2]})));
    assert_eq!(
        template.enrollment_fields.as_ref().unwrap()[0].unknown_fields.get("Hint"),
        Some(&json!("where it runs"))
    );
    // Re-encoded, the response is what the server sent.
    let original: Value = serde_json::from_str(TEMPLATE).unwrap();
    assert_eq!(serde_json::to_value(&template).unwrap(), original);

    // PUT /Templates takes another type; what it does not declare (CommonName,
    // TemplateName, Oid, KeySize, ...) goes back through its unknown fields.
    let mut update: TemplateUpdateRequest = serde_json::from_value(serde_json::to_value(&template).unwrap()).unwrap();
    assert!(update.unknown_fields.contains("CommonName") && update.unknown_fields.contains("Oid"));
    update.key_retention_days = Some(30);
    client.put_templates(update).send().await.unwrap();
    let mut expected = original;
    expected["KeyRetentionDays"] = json!(30);
    assert_eq!(last_body(&server).await, expected);
}

#[tokio::test]
async fn a_value_read_goes_back_unchanged_in_a_put_of_its_type() {
    let answer = r#"{"Id":1,"Enabled":true,"Interval":5,"Schedule":{"Daily":{"Time":"02:00:00"}},"Notes":null}"#;
    let server = server_answering("/MacEnrollment", answer).await;
    let client = client(&server);
    let settings: MacEnrollmentApiModel = client.get_mac_enrollment().send().await.unwrap();
    assert_eq!(settings.unknown_fields.len(), 2);
    client.put_mac_enrollment(settings).send().await.unwrap();
    assert_eq!(last_body(&server).await, serde_json::from_str::<Value>(answer).unwrap());
}

#[tokio::test]
async fn a_request_carries_what_the_documents_omit_and_a_time_of_day() {
    let server = server_answering("/unused", "{}").await;
    let client = client(&server);
    let mut store = CertificateStoreCreateRequest {
        client_machine: Some("host1".into()),
        storepath: Some("/etc/ssl".into()),
        inventory_schedule: Some(KeyfactorSchedule {
            daily: Some(TimeModel { time: None, ..Default::default() }),
            ..Default::default()
        }),
        ..Default::default()
    };
    // The server accepts the store type by name and a daily time of day; the
    // documents declare neither form.
    store.unknown_fields.insert("StoreType", "PEM");
    let daily = store.inventory_schedule.as_mut().unwrap().daily.as_mut().unwrap();
    daily.unknown_fields.insert("Time", "12:00:00");
    client.post_certificate_stores(store).send().await.unwrap();
    let sent = last_body(&server).await;
    assert_eq!(sent["StoreType"], "PEM");
    assert_eq!(sent["InventorySchedule"]["Daily"], json!({"Time": "12:00:00"}));
    assert_eq!((sent["ClientMachine"].as_str(), sent["Storepath"].as_str()), (Some("host1"), Some("/etc/ssl")));
}

#[test]
fn a_member_replaces_the_declared_field_of_its_name() {
    let mut daily = TimeModel { time: Some("2024-05-01T12:00:00Z".parse().unwrap()), ..Default::default() };
    daily.unknown_fields.insert("Time", "12:00:00");
    assert_eq!(serde_json::to_value(&daily).unwrap(), json!({"Time": "12:00:00"}));
}

#[tokio::test]
async fn a_request_carries_query_parameters_and_headers_the_documents_omit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Agents"))
        .and(wiremock::matchers::query_param("ReturnLimit", "5"))
        .and(wiremock::matchers::query_param("IncludeBlueprint", "True"))
        .and(wiremock::matchers::header("x-trace", "42"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("[]", "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let agents = client(&server)
        .get_agents()
        .return_limit(5)
        .extra_query("IncludeBlueprint", "True")
        .extra_header("x-trace", 42)
        .send()
        .await
        .unwrap();
    assert!(agents.is_empty());
}

/// A listing of 10,000 items, each with a member the documents mistype at
/// the top (`AuthCertificateReenrollment`: a number, declared a string) and
/// one in a nested list item (`JobTypeId`: not a UUID): all of it decodes
/// in one response, every item keeps both members as received, the rest of
/// each item is decoded, and re-encoding gives every member back.
#[tokio::test]
async fn a_long_listing_with_mistyped_members_in_every_item_decodes_and_keeps_them() {
    let items: Vec<Value> = (0..10_000)
        .map(|i| {
            json!({
                "AgentId": format!("3a2c0b5e-0c5d-4c8e-9c1e-{i:012}"),
                "ClientMachine": format!("host{i}"),
                "AuthCertificateReenrollment": i % 3,
                "JobTypes": [{"Name": "Inventory", "JobTypeId": i}],
            })
        })
        .collect();
    let body = serde_json::to_string(&items).unwrap();
    let server = server_answering("/Agents", &body).await;
    let agents = client(&server).get_agents().return_limit(10_000).send().await.unwrap();
    assert_eq!(agents.len(), 10_000);
    for (i, agent) in agents.iter().enumerate() {
        assert_eq!(agent.client_machine.as_deref(), Some(format!("host{i}").as_str()));
        assert_eq!(agent.auth_certificate_reenrollment, None);
        assert_eq!(agent.unknown_fields.get("AuthCertificateReenrollment"), Some(&json!(i % 3)));
        let job = &agent.job_types.as_ref().unwrap()[0];
        assert_eq!((job.name.as_deref(), job.job_type_id), (Some("Inventory"), None));
        assert_eq!(job.unknown_fields.get("JobTypeId"), Some(&json!(i)));
    }
    assert_eq!(serde_json::to_value(&agents).unwrap(), Value::Array(items));
}
