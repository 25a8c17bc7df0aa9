//! The OpenAPI document is generated from the code; a snapshot shows every change to it.

use axum::http::{Method, StatusCode};
use roundtable_e2e::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_served_and_matches_the_snapshot() {
    let app = TestApp::sqlite().build();
    let reply = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(reply.body, roundtable_web::api::openapi_json());
    insta::assert_json_snapshot!("openapi", reply.body);
}
