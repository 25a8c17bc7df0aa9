//! Every class of bad input gets a problem+json answer with the right status, and
//! changes nothing.

use axum::http::{Method, StatusCode};
use roundtable_e2e::{Reply, TestApp, on_both_databases};
use serde_json::json;

use crate::api_flow::{fire, in_days, raise, try_fire};

on_both_databases!(bad_requests_get_the_right_problem_and_lose_nothing, a_place_refused_before_is_found_once_added);

#[track_caller]
fn problem(reply: &Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.content_type(), "application/problem+json", "{}", reply.body);
    assert_eq!(reply.body["status"], status.as_u16());
    assert!(reply.body["type"].as_str().unwrap().starts_with("urn:roundtable:problem:"));
    assert!(!reply.body["detail"].as_str().unwrap().is_empty());
}

fn fields(reply: &Reply) -> Vec<(String, String)> {
    reply.body["errors"]
        .as_array()
        .map(|a| {
            a.iter().map(|e| (e["field"].as_str().unwrap().into(), e["problem"].as_str().unwrap().into())).collect()
        })
        .unwrap_or_default()
}

async fn bad_requests_get_the_right_problem_and_lose_nothing(app: TestApp) {
    let secretary = app.token("secretary@dongsheng.example").await;
    let issue = raise(&app, "小区路灯不亮").await;
    let id = issue["id"].as_str().unwrap().to_owned();
    let transitions = format!("/api/v1/issues/{id}/transitions");

    // 400: malformed JSON.
    let r = app
        .raw(
            Method::POST,
            &transitions,
            Some(&secretary),
            Some("application/json"),
            b"{\"transition\": \"assign\",".to_vec(),
        )
        .await;
    problem(&r, StatusCode::BAD_REQUEST);
    assert!(r.str("detail").contains("malformed JSON"), "{}", r.body);

    // 401: no token, a made-up token, a revoked token.
    problem(&app.call(Method::GET, "/api/v1/issues", None, None).await, StatusCode::UNAUTHORIZED);
    problem(&app.call(Method::GET, "/api/v1/issues", Some("rt_forged"), None).await, StatusCode::UNAUTHORIZED);
    let fresh = app.fresh_token("grid@dongsheng.example").await;
    assert_eq!(app.call(Method::DELETE, "/api/v1/auth/token", Some(&fresh), None).await.status, StatusCode::NO_CONTENT);
    let revoked = app.call(Method::GET, "/api/v1/me", Some(&fresh), None).await;
    problem(&revoked, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.headers["www-authenticate"], "Bearer");

    // 403: a resident may not assign.
    let r = try_fire(
        &app,
        "resident@dongsheng.example",
        &issue,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string()}),
    )
    .await;
    problem(&r, StatusCode::FORBIDDEN);

    // 404: an unknown issue, an id that is not an id, an unknown route.
    let unknown = format!("/api/v1/issues/{}", uuid::Uuid::now_v7());
    problem(&app.get(&unknown, &secretary).await, StatusCode::NOT_FOUND);
    problem(&app.get("/api/v1/issues/not-a-uuid", &secretary).await, StatusCode::NOT_FOUND);
    problem(&app.get("/api/v1/nothing-here", &secretary).await, StatusCode::NOT_FOUND);
    problem(
        &app.post(&format!("{unknown}/transitions"), &secretary, json!({"transition": "assign", "version": 1})).await,
        StatusCode::NOT_FOUND,
    );

    // 409: a stale version, and a transition the state does not allow.
    let stale = app
        .post(
            &transitions,
            &secretary,
            json!({"transition": "assign", "version": 7, "responsible_org": app.org("安尚物业").to_string()}),
        )
        .await;
    problem(&stale, StatusCode::CONFLICT);
    assert_eq!(stale.body["current_version"], 1);
    let wrong_state =
        try_fire(&app, "secretary@dongsheng.example", &issue, "resolve", json!({"resolution_note": "x"})).await;
    problem(&wrong_state, StatusCode::CONFLICT);

    // 413: a body over the limit (256 KiB by default).
    let huge = json!({"title": "x", "description": "漏".repeat(90_000), "category": "building", "compound": app.compound("君悦湾").to_string()});
    problem(&app.post("/api/v1/issues", &secretary, huge).await, StatusCode::PAYLOAD_TOO_LARGE);

    // 415: JSON without saying so.
    let r = app.raw(Method::POST, "/api/v1/issues", Some(&secretary), Some("text/plain"), b"{}".to_vec()).await;
    problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = app.raw(Method::POST, "/api/v1/issues", Some(&secretary), None, b"{}".to_vec()).await;
    problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // 422: wrong types, unknown fields, missing and invalid values, unknown references.
    let r = app
        .post(
            "/api/v1/issues",
            &secretary,
            json!({"title": 5, "category": "building", "compound": app.compound("君悦湾").to_string()}),
        )
        .await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r)[0].0, "title", "{}", r.body);
    let r = app
        .post(&transitions, &secretary, json!({"transition": "assign", "version": 1, "responsible_orgs": "x"}))
        .await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.str("detail").contains("responsible_orgs"), "a typo is named: {}", r.body);
    assert_eq!(fields(&r), [("responsible_orgs".into(), "unknown".into())], "the typo is the field");
    // A field left out is named as the field, not as the whole body.
    let r = app.post("/api/v1/issues", &secretary, json!({"title": "漏水", "category": "building"})).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("compound".into(), "missing".into())], "{}", r.body);
    // A filter not known (a typo) is named, not dropped to answer with everything.
    let r = app.get("/api/v1/issues?overdu=1", &secretary).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("overdu".into(), "unknown".into())], "{}", r.body);
    // A filter given twice (a client's array as repeated keys), and a key twice in a body.
    let r = app.get("/api/v1/issues?state=raised&state=assigned", &secretary).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("state".into(), "duplicate".into())], "{}", r.body);
    assert!(
        r.body["errors"][0]["message"].as_str().unwrap().contains("comma-separated, e.g. `state=a,b`"),
        "{}",
        r.body
    );
    let twice = br#"{"title": "a", "title": "b", "category": "building", "compound": "x"}"#.to_vec();
    let r = app.raw(Method::POST, "/api/v1/issues", Some(&secretary), Some("application/json"), twice).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("title".into(), "duplicate".into())], "{}", r.body);
    let r = app
        .post(
            "/api/v1/issues",
            &secretary,
            json!({"title": "  ", "category": "weather", "compound": uuid::Uuid::now_v7().to_string()}),
        )
        .await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&r),
        [
            ("title".into(), "empty".into()),
            ("category".into(), "invalid".into()),
            ("compound".into(), "unknown".into())
        ]
    );
    let r = app.post(&transitions, &secretary, json!({"transition": "assign", "version": 1})).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("responsible_org".into(), "missing".into())]);
    let r = app
        .post(
            &transitions,
            &secretary,
            json!({"transition": "assign", "version": 1, "responsible_org": uuid::Uuid::now_v7().to_string()}),
        )
        .await;
    assert_eq!(fields(&r), [("responsible_org".into(), "unknown".into())]);
    let r = app.post(&transitions, &secretary, json!({"transition": "approve", "version": 1})).await;
    assert_eq!(fields(&r), [("transition".into(), "unknown".into())]);
    let assigned = fire(
        &app,
        "secretary@dongsheng.example",
        &issue,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string()}),
    )
    .await;
    let r = try_fire(
        &app,
        "anshang@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "修", "due_date": "2020-01-01"}),
    )
    .await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("due_date".into(), "in_past".into())]);
    let r = try_fire(
        &app,
        "anshang@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "修", "due_date": "next week"}),
    )
    .await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/issues?limit=0", &secretary).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/issues?cursor=garbage", &secretary).await;
    assert_eq!(fields(&r), [("cursor".into(), "invalid".into())]);
    // A query value of the wrong type is 422 like a body's, naming the parameter.
    let r = app.get("/api/v1/issues?limit=many", &secretary).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("limit".into(), "invalid".into())]);
    // A whole number past what the field's type holds is out of range, not "invalid".
    for version in [json!(5_000_000_000u64), json!(-1)] {
        let body =
            json!({"transition": "commit", "version": version, "commitment_text": "修", "due_date": in_days(&app, 3)});
        let r = app.post(&format!("/api/v1/issues/{id}/transitions"), &secretary, body).await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&r), [("version".into(), "out_of_range".into())], "{version}");
    }
    // So is a state no workflow has (it used to be an empty list) and an unknown order.
    for query in ["state=nope", "state=raised,nope", "order=nope"] {
        let r = app.get(&format!("/api/v1/issues?{query}"), &secretary).await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // A compound or company that is none of this community's is said, not an empty list;
    // one of ours with nothing matching is an empty list.
    let nobody = uuid::Uuid::now_v7();
    let r = app.get(&format!("/api/v1/issues?compound={nobody}&responsible_org={nobody}"), &secretary).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("compound".into(), "unknown".into()), ("responsible_org".into(), "unknown".into())]);
    let committee = app.org("业主监督委员会");
    let r = app.get(&format!("/api/v1/issues?responsible_org={committee}"), &secretary).await;
    assert_eq!(fields(&r), [("responsible_org".into(), "unknown".into())], "no issue is the committee's to fix");
    let junyue = app.compound("君悦湾");
    let none = app.get(&format!("/api/v1/issues?compound={junyue}&q=无此问题的字样"), &secretary).await;
    assert_eq!((none.status, none.body["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));

    // Nothing of the above changed the issue beyond the one assignment.
    let now = app.get(&format!("/api/v1/issues/{id}"), &secretary).await;
    assert_eq!((now.body["state"].as_str(), now.body["version"].as_u64()), (Some("assigned"), Some(2)));
    let ok = try_fire(
        &app,
        "anshang@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "修", "due_date": in_days(&app, 3)}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_failures_look_alike_and_are_throttled() {
    let app = TestApp::sqlite().build();
    let sign_in = |login: &str, password: &str| {
        app.call(Method::POST, "/api/v1/auth/token", None, Some(json!({"login": login, "password": password})))
    };
    let unknown = sign_in("nobody@dongsheng.example", "demo1234").await;
    let wrong = sign_in("xiean@dongsheng.example", "wrong-password").await;
    problem(&unknown, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.body, wrong.body, "an unknown login and a wrong password look the same");
    for _ in 0..4 {
        problem(&sign_in("xiean@dongsheng.example", "still-wrong").await, StatusCode::UNAUTHORIZED);
    }
    let throttled = sign_in("xiean@dongsheng.example", "demo1234").await;
    problem(&throttled, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = throttled.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // Another account is not locked out by Xie'an's failures.
    assert_eq!(sign_in("anshang@dongsheng.example", "demo1234").await.status, StatusCode::CREATED);
    // The token works and says who it is.
    let token = app.token("anshang@dongsheng.example").await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.body["user"]["display_name"], "李明");
    assert_eq!(me.body["organisations"][0]["name"], "安尚物业");
    assert_eq!(me.body["community"]["time_zone"], "Asia/Shanghai");
    // One address guessing many accounts is stopped too: 6 failures so far, 14 more make
    // the window's 20, and then even a right password from there waits.
    for n in 0..14 {
        problem(&sign_in(&format!("guess{n}@dongsheng.example"), "x").await, StatusCode::UNAUTHORIZED);
    }
    problem(&sign_in("grid@dongsheng.example", "demo1234").await, StatusCode::TOO_MANY_REQUESTS);
}

/// Every answer names its request (`x-request-id`, for finding it in the logs): a new id
/// each time, all of one process sharing its prefix; a client's own id is kept.
#[tokio::test]
async fn every_answer_names_its_request() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let app = TestApp::sqlite().build();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (status, headers, _) = app.anonymous("/healthz", None).await;
        assert_eq!(status, StatusCode::OK);
        ids.push(headers["x-request-id"].to_str().unwrap().to_owned());
    }
    let prefix = |id: &str| id.split_once('-').map(|(p, _)| p.to_owned()).unwrap();
    assert!(ids.iter().all(|id| prefix(id).len() == 8 && prefix(id) == prefix(&ids[0])), "{ids:?}");
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 3, "each request its own id: {ids:?}");
    let router = roundtable_web::app::router(app.state.clone());
    let req = Request::builder().uri("/healthz").header("x-request-id", "wechat-7f3a").body(Body::empty()).unwrap();
    let response = router.oneshot(req).await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "wechat-7f3a");
}

/// Raising remembers the places it found (it does not ask the directory each time), and
/// only those: a compound refused before is found once it is added, and a remembered
/// compound lets in neither a building of another compound nor another community's caller.
async fn a_place_refused_before_is_found_once_added(app: TestApp) {
    use roundtable_core::{Compound, CompoundId};
    use roundtable_store::directory;
    let secretary = app.token("secretary@dongsheng.example").await;
    let raise = |compound: CompoundId, building: Option<String>| json!({"title": "单元门禁坏了", "category": "building", "compound": compound.to_string(), "building": building});
    let added = CompoundId::new();
    let r = app.post("/api/v1/issues", &secretary, raise(added, None)).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("compound".into(), "unknown".into())]);

    let compound = Compound {
        id: added,
        community: app.community(),
        name: "新苑".into(),
        created_at: chrono::Utc::now(),
        location: None,
    };
    directory::insert_compound(&mut app.state.db.conn().unwrap(), &compound).unwrap();
    for _ in 0..2 {
        let r = app.post("/api/v1/issues", &secretary, raise(added, None)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }

    // 君悦湾 is remembered with no building, and with one of its own; not with another's.
    let junyue = app.compound("君悦湾");
    let conn = &mut app.state.db.conn().unwrap();
    let own = directory::buildings(conn, junyue).unwrap()[0].id.to_string();
    let other = directory::community_buildings(conn, app.community())
        .unwrap()
        .into_iter()
        .find(|b| b.compound != junyue)
        .expect("a building of another compound")
        .id
        .to_string();
    for building in [None, Some(own)] {
        let r = app.post("/api/v1/issues", &secretary, raise(junyue, building)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = app.post("/api/v1/issues", &secretary, raise(junyue, Some(other))).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("building".into(), "unknown".into())]);

    // Another community's secretary, in a compound remembered for Dongsheng.
    app.add_community("西城社区", "xicheng", None, "西城物业");
    let theirs = app.token("secretary@xicheng.example").await;
    let r = app.post("/api/v1/issues", &theirs, raise(junyue, None)).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("compound".into(), "unknown".into())]);
}
