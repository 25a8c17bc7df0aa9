//! The JSON API under `/api/v1`, with its OpenAPI document generated from the handlers.

pub mod account;
pub mod audit;
pub mod auth;
pub mod channels;
pub mod health;
pub mod invitations;
pub mod issues;
mod json;
pub mod keys;
pub mod meetings;
pub mod notices;
pub mod photos;
pub mod reference;
pub mod street;
pub mod workdays;

use axum::Router;
use axum::routing::get;
use roundtable_core::WorkflowSet;
use serde_json::{Value, json};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use self::json::Json;
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
    // Named in parameters, which utoipa does not collect.
    components(schemas(crate::views::names::IssueOrder, crate::views::names::DocumentFormat)),
    tags(
        (name = "auth", description = "Tokens and the signed-in user"),
        (name = "issues", description = "The tracker"),
        (name = "meetings", description = "The monthly joint meeting: calendar, agenda, record"),
        (name = "channels", description = "Group robots and signed webhooks: where notices go besides mail"),
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
pub fn routes(upload_limit: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::create_token, auth::delete_token))
        .routes(routes!(auth::me, auth::update_me, account::close))
        .routes(routes!(account::data))
        .routes(routes!(account::change_password))
        .routes(routes!(account::change_contact))
        .routes(routes!(account::change_name))
        .routes(routes!(account::sessions, account::end_other_sessions))
        .routes(routes!(account::end_session))
        .routes(routes!(issues::list, issues::create))
        .routes(routes!(issues::get))
        .routes(routes!(issues::transition))
        .routes(routes!(issues::events))
        .routes(routes!(issues::commitments))
        .routes(routes!(issues::meetings))
        .routes(routes!(issues::similar))
        .routes(routes!(issues::ledger))
        .routes(routes!(issues::ledger_xlsx))
        .routes(routes!(issues::support, issues::withdraw_support))
        .routes(routes!(photos::get, photos::delete))
        .routes(routes!(photos::thumbnail))
        .routes(routes!(photos::set_public))
        .routes(routes!(audit::list))
        .routes(routes!(notices::list))
        .routes(routes!(notices::mark_read))
        .routes(routes!(notices::follow, notices::unfollow))
        .routes(routes!(notices::mail_setting, notices::set_mail_setting))
        .routes(routes!(invitations::create, invitations::list))
        .routes(routes!(invitations::revoke))
        .routes(routes!(keys::create, keys::list))
        .routes(routes!(keys::revoke))
        .routes(routes!(channels::create, channels::list))
        .routes(routes!(channels::remove))
        .routes(routes!(channels::test))
        .routes(routes!(channels::deliveries))
        .routes(routes!(street::comparison))
        .routes(routes!(street::whistle))
        .routes(routes!(street::community_issues))
        .routes(routes!(street::community_issue))
        .routes(routes!(street::community_issue_events))
        .routes(routes!(street::community_issue_commitments))
        .routes(routes!(street::community_issue_meetings))
        .routes(routes!(street::community_ledger))
        .routes(routes!(street::community_ledger_xlsx))
        .routes(routes!(meetings::calendar::list))
        .routes(routes!(meetings::calendar::next))
        .routes(routes!(meetings::agenda::get))
        .routes(routes!(meetings::calendar::schedule))
        .routes(routes!(meetings::agenda::build))
        .routes(routes!(meetings::agenda::publish))
        .routes(routes!(meetings::agenda::rebuild))
        .routes(routes!(meetings::agenda::late, meetings::agenda::add_late))
        .routes(routes!(meetings::day::open))
        .routes(routes!(meetings::day::close))
        .routes(routes!(meetings::day::attendance))
        .routes(routes!(meetings::day::outcome))
        .routes(routes!(meetings::agenda::document, meetings::agenda::edit))
        .routes(routes!(meetings::minutes::get, meetings::minutes::amend))
        .routes(routes!(meetings::minutes::publish))
        .routes(routes!(meetings::minutes::addendum))
        .routes(routes!(meetings::minutes::corrections, meetings::minutes::ask))
        .routes(routes!(meetings::minutes::answer))
        .routes(routes!(reference::communities))
        .routes(routes!(reference::compounds))
        .routes(routes!(reference::buildings))
        .routes(routes!(reference::organisations))
        .routes(routes!(reference::users))
        .routes(routes!(reference::workflows))
        .routes(routes!(workdays::list))
        .routes(routes!(workdays::enter))
        .routes(routes!(workdays::street_list))
        .routes(routes!(workdays::street_enter))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        // The route that takes photos has a body limit of its own.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(photos::upload))
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .split_for_parts()
}

/// The OpenAPI document as JSON for the shipped default workflow (snapshot-tested; the
/// server serves the one for the workflows it loaded).
pub fn openapi_json() -> Value {
    let workflows = crate::server::embedded_workflows();
    finish_document(serde_json::to_value(routes(0).1).expect("the OpenAPI document serialises"), &workflows)
}

/// `upload_limit` is the body limit of the route that takes photos (the others keep
/// `http.body_limit_bytes`).
pub fn router(workflows: &WorkflowSet, upload_limit: usize) -> Router<AppState> {
    let (router, doc) = routes(upload_limit);
    let doc = finish_document(serde_json::to_value(doc).expect("the OpenAPI document serialises"), workflows);
    router.route("/api/v1/openapi.json", get(move || async move { Json(doc) }))
}

/// What every operation answers besides its own responses, so that the handlers'
/// annotations need not repeat it: errors are `application/problem+json`; a JSON body
/// can be malformed (400), too large (413), not JSON (415) or invalid (422); a query
/// can be invalid (422); an id in the path can be unknown (404); a signed-in route can
/// be refused without a token (401); and anything that reads the database can find it
/// unreachable (503). The states of an issue are those of `workflows`.
fn finish_document(mut doc: Value, workflows: &WorkflowSet) -> Value {
    const PROBLEM: &str = "#/components/schemas/Problem";
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": { "application/problem+json": { "schema": { "$ref": PROBLEM } } },
        })
    };
    let common = [
        ("400", "Malformed request", true),
        ("401", "Not signed in", false),
        ("404", "Not found", false),
        ("413", "Request body too large", true),
        ("415", "The body is not JSON", true),
        ("422", "Invalid request", false),
        ("503", "The database is not reachable; nothing was changed", false),
    ];
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return doc };
    for (path, item) in paths.iter_mut() {
        let Some(ops) = item.as_object_mut() else { continue };
        for op in ops.values_mut() {
            let has_body = op.get("requestBody").is_some();
            let params: Vec<String> = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| ps.iter().filter_map(|p| p["in"].as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            let secured = op.get("security").is_some();
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            for response in responses.values_mut() {
                let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else { continue };
                let is_problem = content
                    .get("application/json")
                    .is_some_and(|media| media["schema"]["$ref"].as_str() == Some(PROBLEM));
                if is_problem && let Some(media) = content.remove("application/json") {
                    content.insert("application/problem+json".into(), media);
                }
            }
            let health = path.ends_with("/healthz");
            for (status, description, needs_body) in common {
                let applies = match status {
                    "400" | "413" | "415" => has_body && needs_body,
                    "401" => secured,
                    "404" => params.iter().any(|p| p == "path"),
                    "422" => has_body || params.iter().any(|p| p == "query"),
                    _ => !health,
                };
                if applies && !responses.contains_key(status) {
                    responses.insert(status.into(), problem(description));
                }
            }
        }
    }
    let mut states: Vec<&str> = workflows.iter().flat_map(|wf| wf.states.iter().map(|s| s.name.as_str())).collect();
    let mut transitions: Vec<&str> =
        workflows.iter().flat_map(|wf| wf.transitions.iter().map(|t| t.name.as_str())).collect();
    for names in [&mut states, &mut transitions] {
        names.sort_unstable();
        names.dedup();
    }
    if let Some(schema) = doc.pointer_mut("/components/schemas/IssueState") {
        schema["enum"] = json!(states);
    }
    if let Some(schema) = doc.pointer_mut("/components/schemas/TransitionName") {
        schema["enum"] = json!(transitions);
    }
    forbid_control_characters(&mut doc);
    doc
}

/// Core's text rule, said in the document: every string a client sends (in a request
/// body, directly or through the schemas it names, or as a query parameter) that has no
/// format or enum gets a pattern excluding control characters but tab, LF and CR.
fn forbid_control_characters(doc: &mut Value) {
    const PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
    /// Marks the free strings of this schema and of its inline parts; references are
    /// marked where they point.
    fn mark(schema: &mut Value) {
        let ty = &schema["type"];
        let string = ty == "string" || ty.as_array().is_some_and(|t| t.iter().any(|t| t == "string"));
        if string && ["format", "enum", "$ref"].iter().all(|k| schema.get(k).is_none()) {
            schema["pattern"] = json!(PATTERN);
        }
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            props.values_mut().for_each(mark);
        }
        for key in ["items", "oneOf", "anyOf", "allOf"] {
            match schema.get_mut(key) {
                Some(Value::Array(list)) => list.iter_mut().for_each(mark),
                Some(part @ Value::Object(_)) => mark(part),
                _ => {}
            }
        }
    }
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    out.push(r.trim_start_matches("#/components/schemas/").to_owned());
                }
                map.values().for_each(|x| refs(x, out));
            }
            Value::Array(list) => list.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    let mut named = Vec::new();
    for op in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|ops| ops.values_mut()) {
        if let Some(content) = op.pointer_mut("/requestBody/content").and_then(Value::as_object_mut) {
            for media in content.values_mut() {
                refs(&media["schema"], &mut named);
                mark(&mut media["schema"]);
            }
        }
        for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            if p["in"] == "query" {
                refs(&p["schema"], &mut named);
                mark(&mut p["schema"]);
            }
        }
    }
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let mut done: Vec<String> = Vec::new();
    while let Some(name) = named.pop() {
        if done.contains(&name) {
            continue;
        }
        if let Some(schema) = schemas.get_mut(&name) {
            refs(schema, &mut named);
            mark(schema);
        }
        done.push(name);
    }
}
