// One call site, compiled against the client generated before and after a
// release that added an optional query parameter and an optional body
// field. It must compile and behave the same against both.
// (Included by compat/{before,after}/tests/call_site.rs.)

use client_crate::{
    Client,
    types::{WidgetKind, WidgetRequest},
};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn call_site_compiles_and_works_across_releases() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Widgets"))
        .and(query_param("ReturnLimit", "5"))
        .and(query_param("Kind", "1"))
        // Kind 2 is only in the later release: the earlier client must decode it too.
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"[{"Id":1,"Name":"w","Kind":2}]"#, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/KeyfactorAPI/Widgets"))
        .and(body_json(serde_json::json!({"Name": "new"})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"Id":2,"Name":"new"}"#, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();

    let widgets = client.get_widgets().return_limit(5).kind(WidgetKind::from(1)).send().await.unwrap();
    assert_eq!(widgets.len(), 1);
    assert_eq!(widgets[0].name.as_deref(), Some("w"));
    assert_eq!(widgets[0].kind, Some(WidgetKind::from(2)));

    // `..Default::default()` is what keeps this compiling when a release adds
    // body fields; against the earlier release it fills nothing.
    #[allow(clippy::needless_update)]
    let request = WidgetRequest { name: "new".into(), ..Default::default() };
    let created = client.post_widgets(request).send().await.unwrap();
    assert_eq!(created.id, Some(2));
}

#[tokio::test]
async fn path_header_and_empty_responses_work_across_releases() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Widgets/7"))
        .and(wiremock::matchers::header("x-widget-format", "short"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"Id":7}"#, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/KeyfactorAPI/Widgets/7"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();
    let widget = client.get_widgets_by_id(7).x_widget_format("short").send().await.unwrap();
    assert_eq!(widget.id, Some(7));
    client.delete_widgets_by_id(7).send().await.unwrap();
}
