//! Every response the suite receives from `/api/v1/…` is checked against the OpenAPI
//! document the server publishes: the operation and its status must be documented, the
//! content type must be the documented one, and a JSON body must match the documented
//! schema. A test that receives anything else fails, naming the difference.

use std::sync::OnceLock;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(roundtable_web::api::openapi_json)
}

/// The documented path template that `path` (without its query) matches, preferring
/// literal segments over parameters (`/meetings/next` over `/meetings/{id}`).
fn template(path: &str) -> Option<(&'static str, &'static Value)> {
    let segments: Vec<&str> = path.split('/').collect();
    let paths = document()["paths"].as_object()?;
    paths
        .iter()
        .filter_map(|(t, item)| {
            let parts: Vec<&str> = t.split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut params = 0;
            for (p, s) in parts.iter().zip(&segments) {
                if p.starts_with('{') {
                    params += 1;
                } else if p != s {
                    return None;
                }
            }
            Some((params, t.as_str(), item))
        })
        .min_by_key(|(params, _, _)| *params)
        .map(|(_, t, item)| (t, item))
}

/// Why the response contradicts the document, if it does. Routes the document does not
/// know (the fallback's 404, a method a path does not take) are the router's, not an
/// operation's, and are not checked here.
pub fn violation(method: &Method, uri: &str, status: StatusCode, content_type: &str, body: &[u8]) -> Option<String> {
    let path = uri.split('?').next().unwrap_or(uri);
    let (template, item) = template(path)?;
    let op = item.get(method.as_str().to_ascii_lowercase())?;
    let what = format!("{method} {template} → {status}");
    let Some(response) = op["responses"].get(status.as_str()).or_else(|| op["responses"].get("default")) else {
        return Some(format!("{what}: status not documented"));
    };
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return (!body.is_empty()).then(|| format!("{what}: a body where none is documented"));
    };
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let Some(media) = content.get(essence) else {
        let documented: Vec<&String> = content.keys().collect();
        return Some(format!("{what}: content type `{essence}`, documented {documented:?}"));
    };
    if !essence.ends_with("json") {
        return None;
    }
    let instance: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Some(format!("{what}: not JSON ({e})")),
    };
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/response",
        "$defs": { "response": media["schema"] },
        "components": document()["components"],
    });
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => return Some(format!("{what}: the documented schema does not compile: {e}")),
    };
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    (!errors.is_empty())
        .then(|| format!("{what}: the body contradicts the schema: {}\nbody: {instance}", errors.join("; ")))
}
