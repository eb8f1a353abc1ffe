//! The client of a release with nothing optional still works.

use keyfactor_compat_minimal::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_one_operation_works() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Status"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#""ok""#, "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();
    assert_eq!(client.get_status().send().await.unwrap(), "ok");
}
