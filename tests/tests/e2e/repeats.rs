//! The same raise sent twice — a double tap on a phone, a client retrying after a lost
//! answer, both at once — makes one issue, on both databases: through the API with an
//! `Idempotency-Key`, through the pages with the form's own key. A transition sent again
//! with its key fires once.

use axum::http::{Method, StatusCode};
use roundtable_e2e::{Part, Reply, TestApp, on_both_databases};

use crate::api_flow::{fire, raise};
use serde_json::{Value, json};

on_both_databases!(
    an_api_raise_sent_again_with_its_key_makes_one_issue,
    a_raise_form_sent_twice_makes_one_issue_and_an_edited_one_another,
    the_street_offices_whistle_sent_twice_makes_one_issue,
    a_step_sent_twice_from_its_form_is_taken_once_and_done,
    a_hotline_posting_again_with_its_key_makes_one_request,
    a_raise_key_is_remembered_thirty_days,
    an_api_transition_sent_again_with_its_key_fires_once,
);

const SUPERVISOR: &str = "supervisor@dongsheng.example";
const SECRETARY: &str = "secretary@dongsheng.example";
const RESIDENT: &str = "resident@dongsheng.example";
const STREET: &str = "street@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";

/// How many issues `login` sees titled exactly `title`.
async fn titled(app: &TestApp, login: &str, title: &str) -> Vec<String> {
    let token = app.token(login).await;
    let q = roundtable_web::pages::render::urlencode(title);
    let list = app.get(&format!("/api/v1/issues?q={q}&limit=100"), &token).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let items = list.body["items"].as_array().unwrap();
    items.iter().filter(|i| i["title"] == title).map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

async fn raise_with_key(app: &TestApp, login: &str, key: &str, title: &str) -> Reply {
    let token = app.token(login).await;
    let body = json!({"title": title, "category": "facilities", "compound": app.compound("鸿禧山庄").to_string()});
    app.call_with(Method::POST, "/api/v1/issues", Some(&token), &[("Idempotency-Key", key)], Some(body)).await
}

async fn an_api_raise_sent_again_with_its_key_makes_one_issue(app: TestApp) {
    let title = "单元门口路灯不亮（重发测试）";
    let first = raise_with_key(&app, SUPERVISOR, "0b7e6f2c-raise-1", title).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());
    // The answer was lost; the client sends the same again.
    let again = raise_with_key(&app, SUPERVISOR, "0b7e6f2c-raise-1", title).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.str("id"), first.str("id"));
    assert_eq!(again.headers["location"], first.headers["location"]);
    // The draft's quoted form is the same key.
    let quoted = raise_with_key(&app, SUPERVISOR, "\"0b7e6f2c-raise-1\"", title).await;
    assert_eq!(quoted.str("id"), first.str("id"));
    assert_eq!(titled(&app, SUPERVISOR, title).await, vec![first.str("id").to_owned()]);

    // Eight at once with one key, on another title: one issue, every answer names it.
    let burst = "二号楼电梯按钮失灵（并发测试）";
    let replies =
        futures_util::future::join_all((0..8).map(|_| raise_with_key(&app, SUPERVISOR, "burst-key", burst))).await;
    let ids: std::collections::BTreeSet<&str> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.str("id")
        })
        .collect();
    assert_eq!(ids.len(), 1, "one issue for one key: {ids:?}");
    assert_eq!(replies.iter().filter(|r| r.headers.get("idempotent-replayed").is_none()).count(), 1);
    assert_eq!(titled(&app, SUPERVISOR, burst).await.len(), 1);

    // The key sent with other words: refused, nothing stored.
    let other = raise_with_key(&app, SUPERVISOR, "0b7e6f2c-raise-1", "另一个问题（重发测试）").await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", other.body);
    assert_eq!(other.body["errors"][0]["field"], "Idempotency-Key", "{}", other.body);
    assert_eq!(other.body["errors"][0]["problem"], "key_reused", "{}", other.body);
    assert!(titled(&app, SUPERVISOR, "另一个问题（重发测试）").await.is_empty());
    // Keys are each raiser's own: the same key from someone else is their own raise.
    let theirs = raise_with_key(&app, RESIDENT, "0b7e6f2c-raise-1", title).await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    assert_ne!(theirs.str("id"), first.str("id"));
    assert!(theirs.headers.get("idempotent-replayed").is_none());

    // Keys that are not keys: refused, nothing stored.
    let long = "k".repeat(256);
    for bad in ["", "\"\"", "键", "has space", long.as_str()] {
        let reply = raise_with_key(&app, SUPERVISOR, bad, "坏键测试").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], "Idempotency-Key", "{bad:?}: {}", reply.body);
    }
    assert!(titled(&app, SUPERVISOR, "坏键测试").await.is_empty());
    // Without a key, two raises are two issues, as before.
    let token = app.token(SUPERVISOR).await;
    let body = json!({"title": "无键测试", "category": "facilities", "compound": app.compound("鸿禧山庄").to_string()});
    for _ in 0..2 {
        assert_eq!(app.post("/api/v1/issues", &token, body.clone()).await.status, StatusCode::CREATED);
    }
    assert_eq!(titled(&app, SUPERVISOR, "无键测试").await.len(), 2);
}

async fn a_raise_key_is_remembered_thirty_days(app: TestApp) {
    use roundtable_web::jobs::raise_keys;
    let title = "地下车库积水（过期键测试）";
    let start = app.state.now();
    app.set_now(start);
    let first = raise_with_key(&app, SUPERVISOR, "kept-key", title).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    // A day short of the window: the hourly job keeps it, a retry is still the first raise.
    app.set_now(start + raise_keys::KEPT - chrono::TimeDelta::days(1));
    assert_eq!(raise_keys::forget(&app.state.db, app.state.now()).await, Ok(0));
    let retry = raise_with_key(&app, SUPERVISOR, "kept-key", title).await;
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.str("id"), first.str("id"));
    // Past it: forgotten; the key raises anew, and is remembered from then (signed in
    // afresh: a token lasts less than the window).
    app.set_now(start + raise_keys::KEPT + chrono::TimeDelta::hours(1));
    app.forget_tokens();
    assert!(raise_keys::forget(&app.state.db, app.state.now()).await.unwrap() >= 1);
    let later = raise_with_key(&app, SUPERVISOR, "kept-key", title).await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.body);
    assert!(later.headers.get("idempotent-replayed").is_none());
    assert_ne!(later.str("id"), first.str("id"));
    let again = raise_with_key(&app, SUPERVISOR, "kept-key", title).await;
    assert_eq!(again.str("id"), later.str("id"));
    assert_eq!(titled(&app, SUPERVISOR, title).await.len(), 2);
}

/// `transition` fired by `login` on `issue` at `version` with `fields`, sent with `key`.
async fn fire_with_key(app: &TestApp, login: &str, issue: &str, version: u64, fields: Value, key: &str) -> Reply {
    let mut body = json!({"version": version});
    body.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    let path = format!("/api/v1/issues/{issue}/transitions");
    app.call_with(Method::POST, &path, Some(&app.token(login).await), &[("Idempotency-Key", key)], Some(body)).await
}

/// The names of the transitions `issue`'s timeline holds, oldest first.
async fn timeline(app: &TestApp, issue: &str) -> Vec<String> {
    let events = app.get(&format!("/api/v1/issues/{issue}/events"), &app.token(SECRETARY).await).await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    events.body.as_array().unwrap().iter().map(|e| e["transition"].as_str().unwrap().to_owned()).collect()
}

async fn an_api_transition_sent_again_with_its_key_fires_once(app: TestApp) {
    let raised = raise(&app, "三号楼楼道灯不亮（重发步骤测试）").await;
    let (id, v0) = (raised["id"].as_str().unwrap().to_owned(), raised["version"].as_u64().unwrap());
    let anshang = app.org("安尚物业").to_string();
    let assign = json!({"transition": "assign", "responsible_org": anshang});
    let first = fire_with_key(&app, SECRETARY, &id, v0, assign.clone(), "assign-3-lights").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());
    assert_eq!(first.body["state"], "assigned");
    // The answer was lost; the client sends the same again, its version stale by now: the
    // issue as it is, not a 409 — and nothing fired twice. The quoted key is the same.
    for key in ["assign-3-lights", "\"assign-3-lights\""] {
        let again = fire_with_key(&app, SECRETARY, &id, v0, assign.clone(), key).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.headers["idempotent-replayed"], "true");
        assert_eq!((&again.body["version"], &again.body["state"]), (&first.body["version"], &first.body["state"]));
    }
    assert_eq!(timeline(&app, &id).await, ["raise", "assign"]);

    // The key with another request — another transition, or the same on another issue —
    // is refused, nothing done; keys are each caller's own, apart from their raises'.
    let other = fire_with_key(
        &app,
        SECRETARY,
        &id,
        v0 + 1,
        json!({"transition": "reject", "reason": "不归物业管"}),
        "assign-3-lights",
    )
    .await;
    let elsewhere = raise(&app, "四号楼楼道灯不亮（重发步骤测试）").await;
    let (id2, v2) = (elsewhere["id"].as_str().unwrap().to_owned(), elsewhere["version"].as_u64().unwrap());
    let moved = fire_with_key(&app, SECRETARY, &id2, v2, assign.clone(), "assign-3-lights").await;
    for refused in [&other, &moved] {
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert_eq!(refused.body["errors"][0]["field"], "Idempotency-Key", "{}", refused.body);
        assert_eq!(refused.body["errors"][0]["problem"], "key_reused", "{}", refused.body);
    }
    assert_eq!(timeline(&app, &id).await, ["raise", "assign"]);
    assert_eq!(timeline(&app, &id2).await, ["raise"]);
    let raised_with_it = raise_with_key(&app, SECRETARY, "assign-3-lights", "五号楼楼道灯不亮（重发步骤测试）").await;
    assert_eq!(raised_with_it.status, StatusCode::CREATED, "{}", raised_with_it.body);

    // A keyed request that failed left its key unused: sent right, it fires.
    let stale = fire_with_key(&app, SECRETARY, &id2, v2 + 7, assign.clone(), "assign-4-lights").await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let right = fire_with_key(&app, SECRETARY, &id2, v2, assign.clone(), "assign-4-lights").await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    assert!(right.headers.get("idempotent-replayed").is_none());

    // Six at once with one key: one commitment, every answer the committed issue.
    let commit =
        json!({"transition": "commit", "commitment_text": "更换灯泡", "due_date": crate::api_flow::in_days(&app, 3)});
    let replies = futures_util::future::join_all(
        (0..6).map(|_| fire_with_key(&app, ANSHANG, &id, v0 + 1, commit.clone(), "commit-3-lights")),
    )
    .await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["state"], "committed", "{}", r.body);
    }
    assert_eq!(replies.iter().filter(|r| r.headers.get("idempotent-replayed").is_none()).count(), 1);
    assert_eq!(timeline(&app, &id).await, ["raise", "assign", "commit"]);

    // Keys that are not keys: refused, nothing done. Without a key a retry is the 409 of
    // a stale version, as before.
    for bad in ["", "键", "has space", &"k".repeat(256)] {
        let reply =
            fire_with_key(&app, ANSHANG, &id, v0 + 2, json!({"transition": "resolve", "resolution_note": "已换"}), bad)
                .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], "Idempotency-Key", "{bad:?}: {}", reply.body);
    }
    let unkeyed = crate::api_flow::try_fire(
        &app,
        ANSHANG,
        &first.body,
        "commit",
        json!({"commitment_text": "更换灯泡", "due_date": crate::api_flow::in_days(&app, 3)}),
    )
    .await;
    assert_eq!(unkeyed.status, StatusCode::CONFLICT, "{}", unkeyed.body);
    assert_eq!(timeline(&app, &id).await, ["raise", "assign", "commit"]);
}

/// `POST /open311/v2/requests.json` with these parameters and, if given, an `Idempotency-Key`.
async fn post_request(app: &TestApp, fields: &[(&str, &str)], key: Option<&str>) -> Reply {
    let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
    let form = Some("application/x-www-form-urlencoded");
    let headers: Vec<(&str, &str)> = key.map(|k| ("Idempotency-Key", k)).into_iter().collect();
    app.raw_with(Method::POST, "/open311/v2/requests.json", None, form, &headers, body).await
}

async fn a_hotline_posting_again_with_its_key_makes_one_request(app: TestApp) {
    let (key, _) = crate::open311::issue_key(&app).await;
    let description = "3号楼楼道灯坏了（热线重发测试）";
    let fields = [
        ("api_key", key.as_str()),
        ("service_code", "facilities"),
        ("address_string", "公园里"),
        ("description", description),
        ("phone", "13800002222"),
    ];
    let first = post_request(&app, &fields, Some("12345-20261205-0001")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let id = first.body[0]["service_request_id"].as_str().unwrap().to_owned();
    // The hotline's answer was lost; it posts the same again, then twice at once.
    let again = post_request(&app, &fields, Some("12345-20261205-0001")).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body[0]["service_request_id"], id.as_str());
    let both = futures_util::future::join_all((0..2).map(|_| post_request(&app, &fields, Some("12345-20261205-0001"))));
    for reply in both.await {
        assert_eq!(reply.body[0]["service_request_id"], id.as_str(), "{}", reply.body);
    }
    assert_eq!(titled(&app, SECRETARY, description).await, vec![id.clone()]);

    // Its ticket number sent with another request: the spec's 400, nothing stored.
    let mut other = fields;
    other[3] = ("description", "另一件事（热线重发测试）");
    let reused = post_request(&app, &other, Some("12345-20261205-0001")).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST, "{}", reused.body);
    let said = reused.body[0]["description"].as_str().unwrap();
    assert!(said.starts_with("Idempotency-Key:") && said.contains(&id), "{said}");
    assert!(titled(&app, SECRETARY, "另一件事（热线重发测试）").await.is_empty());
    // A bad key: 400, nothing stored.
    let bad = post_request(&app, &other, Some("工单 1")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(titled(&app, SECRETARY, "另一件事（热线重发测试）").await.is_empty());

    // Another hotline on the same account numbers its tickets the same way: its own request.
    let (second_key, _) = crate::open311::issue_key(&app).await;
    let mut theirs = fields;
    theirs[0] = ("api_key", second_key.as_str());
    let reply = post_request(&app, &theirs, Some("12345-20261205-0001")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.headers.get("idempotent-replayed").is_none());
    assert_ne!(reply.body[0]["service_request_id"], id.as_str());
    // Without a key, as GeoReport has it: each post is a request.
    post_request(&app, &fields, None).await;
    assert_eq!(titled(&app, SECRETARY, description).await.len(), 3);
}

/// The raise form's fields as the page gave them, with this title.
fn form<'a>(csrf: &'a str, submission: &'a str, compound: &'a str, title: &'a str) -> Vec<Part<'a>> {
    vec![
        Part::text("_csrf", csrf),
        Part::text("submission", submission),
        Part::text("compound", compound),
        Part::text("category", "environment"),
        Part::text("title", title),
        Part::text("description", "草坪上有碎玻璃"),
        Part::text("confirm", "1"),
    ]
}

fn raised(page: &roundtable_e2e::Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let to = page.headers["location"].to_str().unwrap();
    to.strip_prefix("/issues/").and_then(|rest| rest.split('?').next()).unwrap().to_owned()
}

async fn a_raise_form_sent_twice_makes_one_issue_and_an_edited_one_another(app: TestApp) {
    let resident = app.pages();
    resident.sign_in(RESIDENT).await;
    let shown = resident.get("/issues/new").await;
    let (csrf, submission) = (shown.field("_csrf").unwrap(), shown.field("submission").unwrap());
    assert_ne!(submission, resident.get("/issues/new").await.field("submission").unwrap(), "a key per showing");
    let compound = app.compound("鸿禧山庄").to_string();
    let title = "草坪碎玻璃（双击测试）";

    // A double tap: the same form twice at once. Both land on the one issue.
    let parts = form(&csrf, &submission, &compound, title);
    let (a, b) = tokio::join!(resident.post_multipart("/issues", &parts), resident.post_multipart("/issues", &parts));
    let first = raised(&a);
    assert_eq!(raised(&b), first);
    // Once more, later (the browser resent it).
    assert_eq!(raised(&resident.post_multipart("/issues", &parts).await), first);
    assert_eq!(titled(&app, RESIDENT, title).await, vec![first.clone()]);
    // A form sent before "raise anyway" was needed: the second tap, arriving after the
    // first is in, is not offered the first as a similar issue but lands on it.
    let shown = resident.get("/issues/new").await;
    let submission = shown.field("submission").unwrap();
    let mut parts = form(&csrf, &submission, &compound, "Xylophone qwzx plaque (double tap)");
    parts.retain(|p| p.name != "confirm");
    let first_tap = raised(&resident.post_multipart("/issues", &parts).await);
    assert_eq!(raised(&resident.post_multipart("/issues", &parts).await), first_tap);

    // "Back", the title edited, sent again from the same showing: another issue — and a
    // double tap of that is still one more, not two.
    let edited = "草坪碎玻璃和烟头（双击测试）";
    let parts = form(&csrf, &submission, &compound, edited);
    let (a, b) = tokio::join!(resident.post_multipart("/issues", &parts), resident.post_multipart("/issues", &parts));
    let second = raised(&a);
    assert_eq!(raised(&b), second);
    assert_ne!(second, first);
    assert_eq!(titled(&app, RESIDENT, edited).await, vec![second]);
    assert_eq!(titled(&app, RESIDENT, title).await, vec![first]);
}

async fn the_street_offices_whistle_sent_twice_makes_one_issue(app: TestApp) {
    let (community, compound) = (app.community(), app.compound("鸿禧山庄"));
    // Through the API, with a key, twice at once.
    let street = app.token(STREET).await;
    let title = "燃气管道老化需住建局介入（重发测试）";
    let body = json!({"title": title, "category": "facilities", "compound": compound.to_string()});
    let path = format!("/api/v1/street/communities/{community}/issues");
    let send =
        || app.call_with(Method::POST, &path, Some(&street), &[("Idempotency-Key", "whistle-1")], Some(body.clone()));
    let (a, b) = tokio::join!(send(), send());
    assert_eq!((a.status, b.status), (StatusCode::CREATED, StatusCode::CREATED), "{} {}", a.body, b.body);
    assert_eq!(a.str("id"), b.str("id"));
    assert_eq!([&a, &b].iter().filter(|r| r.headers.get("idempotent-replayed").is_some()).count(), 1);
    let other = json!({"title": "另一件事（重发测试）", "category": "facilities", "compound": compound.to_string()});
    let reused =
        app.call_with(Method::POST, &path, Some(&street), &[("Idempotency-Key", "whistle-1")], Some(other)).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reused.body);
    assert_eq!(titled(&app, "secretary@dongsheng.example", title).await.len(), 1);

    // On the street page: the form sent twice at once.
    let pages = app.pages();
    pages.sign_in(STREET).await;
    let shown = pages.get("/street").await;
    let (csrf, submission) = (shown.field("_csrf").unwrap(), shown.field("submission").unwrap());
    let place = format!("{community}:{compound}");
    let title = "小区出入口无人值守（双击测试）";
    let fields = [
        ("_csrf", csrf.as_str()),
        ("submission", submission.as_str()),
        ("place", place.as_str()),
        ("category", "security"),
        ("title", title),
    ];
    let (a, b) = tokio::join!(
        pages.request(Method::POST, "/street/issues", Some(&fields)),
        pages.request(Method::POST, "/street/issues", Some(&fields))
    );
    assert_eq!((a.status, b.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "{}", a.html);
    assert_eq!(titled(&app, "secretary@dongsheng.example", title).await.len(), 1);
}

async fn a_step_sent_twice_from_its_form_is_taken_once_and_done(app: TestApp) {
    let issue = raise(&app, "楼道声控灯不亮（双击测试）").await;
    let id = issue["id"].as_str().unwrap().to_owned();
    let path = format!("/issues/{id}");
    let anshang = app.org("安尚物业").to_string();
    let secretary = app.pages();
    secretary.sign_in("secretary@dongsheng.example").await;
    let csrf = secretary.get(&path).await.field("_csrf").unwrap();
    let fields = [("_csrf", csrf.as_str()), ("transition", "assign"), ("version", "1"), ("responsible_org", &anshang)];
    let action = format!("{path}/transitions");
    // A double tap on "assign": both land on the issue, done; the step is taken once.
    let (a, b) = tokio::join!(
        secretary.request(Method::POST, &action, Some(&fields)),
        secretary.request(Method::POST, &action, Some(&fields))
    );
    for page in [&a, &b] {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
        assert!(page.headers["location"].to_str().unwrap().starts_with(&path));
    }
    let token = app.token("secretary@dongsheng.example").await;
    let events = app.get(&format!("/api/v1/issues/{id}/events"), &token).await.body;
    let steps: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["transition"].as_str().unwrap()).collect();
    assert_eq!(steps, ["raise", "assign"], "{events}");

    // A form someone else's step made stale is still refused, saying so.
    let other = raise(&app, "垃圾房门坏了（双击测试）").await;
    let other_path = format!("/issues/{}", other["id"].as_str().unwrap());
    let csrf = secretary.get(&other_path).await.field("_csrf").unwrap();
    fire(&app, "admin@dongsheng.example", &other, "assign", json!({"responsible_org": anshang})).await;
    let stale = [("_csrf", csrf.as_str()), ("transition", "assign"), ("version", "1"), ("responsible_org", &anshang)];
    let refused = secretary.request(Method::POST, &format!("{other_path}/transitions"), Some(&stale)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    assert!(refused.html.contains("在此期间已有人修改"), "{}", refused.html);
}
