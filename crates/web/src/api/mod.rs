//! The JSON API under `/api/v1`, with its OpenAPI document generated from the handlers.

pub mod auth;
pub mod health;
pub mod issues;
pub mod meetings;
pub mod minutes;
pub mod reference;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "roundtable",
        description = "The monthly joint meeting (联席会议) of a residential community as an issue tracker: \
                       issues move raised → assigned → committed → resolved → verified under a workflow. \
                       Errors are application/problem+json (RFC 9457).",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Tokens and the signed-in user"),
        (name = "issues", description = "The tracker"),
        (name = "meetings", description = "The monthly joint meeting: calendar, agenda, record"),
        (name = "reference", description = "Community, compounds, organisations, users, workflows"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Every API route, and the OpenAPI document describing them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::create_token, auth::delete_token))
        .routes(routes!(auth::me, auth::update_me))
        .routes(routes!(issues::list, issues::create))
        .routes(routes!(issues::get))
        .routes(routes!(issues::transition))
        .routes(routes!(issues::events))
        .routes(routes!(issues::support, issues::withdraw_support))
        .routes(routes!(meetings::list))
        .routes(routes!(meetings::next))
        .routes(routes!(meetings::get))
        .routes(routes!(meetings::schedule))
        .routes(routes!(meetings::build))
        .routes(routes!(meetings::publish))
        .routes(routes!(meetings::rebuild))
        .routes(routes!(meetings::open))
        .routes(routes!(meetings::close))
        .routes(routes!(meetings::attendance))
        .routes(routes!(meetings::outcome))
        .routes(routes!(minutes::agenda, meetings::edit))
        .routes(routes!(minutes::get, minutes::amend))
        .routes(routes!(minutes::publish))
        .routes(routes!(minutes::addendum))
        .routes(routes!(reference::communities))
        .routes(routes!(reference::compounds))
        .routes(routes!(reference::buildings))
        .routes(routes!(reference::organisations))
        .routes(routes!(reference::users))
        .routes(routes!(reference::workflows))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .split_for_parts()
}

/// The OpenAPI document as JSON (served, and snapshot-tested).
pub fn openapi_json() -> serde_json::Value {
    serde_json::to_value(routes().1).expect("the OpenAPI document serialises")
}

pub fn router() -> Router<AppState> {
    let (router, doc) = routes();
    let doc = serde_json::to_value(doc).expect("the OpenAPI document serialises");
    router.route("/api/v1/openapi.json", get(move || async move { Json(doc) }))
}
