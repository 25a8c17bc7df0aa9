//! The tracker through the API: the whole cycle across four accounts, reopen, stale
//! versions, lists and support.

use axum::http::{Method, StatusCode};
use chrono::Days;
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::{Value, json};

on_both_databases!(
    raise_assign_commit_resolve_verify_with_a_timeline_of_five_steps,
    a_failed_verification_reopens_and_a_stale_version_gets_409,
    lists_are_scoped_filtered_and_paged,
    support_counts_once_per_person,
    a_far_off_due_date_needs_the_secretary_and_a_reason,
    a_duplicate_brings_its_supporters_to_the_original,
    extensions_are_asked_for_granted_or_refused_and_kept_on_the_record,
    search_understands_chinese_and_similar_issues_are_offered,
    a_user_changes_the_password_and_ends_other_sessions,
    a_user_changes_how_they_are_reached,
    a_user_corrects_the_name_they_are_shown_by,
);

const SUPERVISOR: &str = "supervisor@dongsheng.example";
const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";

/// Raises an issue in Junyue Bay as the supervisory committee; returns its JSON.
pub async fn raise(app: &TestApp, title: &str) -> Value {
    let token = app.token(SUPERVISOR).await;
    let body = json!({
        "title": title,
        "description": "雨后地下室积水，墙皮洇水。",
        "category": "building",
        "compound": app.compound("君悦湾").to_string(),
    });
    let reply = app.post("/api/v1/issues", &token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.headers["location"], format!("/api/v1/issues/{}", reply.str("id")));
    reply.body
}

/// Raises an issue and takes it all the way: assigned to Anshang, committed, resolved,
/// verified by the supervisory committee. Returns the verified issue.
pub async fn through_verification(app: &TestApp, title: &str) -> Value {
    let raised = raise(app, title).await;
    let anshang = app.org("安尚物业").to_string();
    let a = fire(app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    let c =
        fire(app, ANSHANG, &a, "commit", json!({"commitment_text": "更换防水层", "due_date": in_days(app, 10)})).await;
    let r = fire(app, ANSHANG, &c, "resolve", json!({"resolution_note": "防水层已更换"})).await;
    fire(app, SUPERVISOR, &r, "verify", json!({"satisfaction": 5})).await
}

/// Fires a transition as `login`, expecting success; returns the issue.
pub async fn fire(app: &TestApp, login: &str, issue: &Value, transition: &str, fields: Value) -> Value {
    let reply = try_fire(app, login, issue, transition, fields).await;
    assert_eq!(reply.status, StatusCode::OK, "{transition} by {login}: {}", reply.body);
    reply.body
}

pub async fn try_fire(
    app: &TestApp,
    login: &str,
    issue: &Value,
    transition: &str,
    fields: Value,
) -> roundtable_e2e::Reply {
    let mut body = json!({"transition": transition, "version": issue["version"]});
    body.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    let path = format!("/api/v1/issues/{}/transitions", issue["id"].as_str().unwrap());
    app.post(&path, &app.token(login).await, body).await
}

/// The day `n` days after the app's today (its clock may have been moved to a meeting
/// day), in the community's time zone.
pub fn in_days(app: &TestApp, n: u64) -> String {
    (app.state.now().with_timezone(&chrono_tz()).date_naive() + Days::new(n)).to_string()
}

fn chrono_tz() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

fn transitions(issue: &Value) -> Vec<&str> {
    issue["transitions"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect()
}

async fn raise_assign_commit_resolve_verify_with_a_timeline_of_five_steps(app: TestApp) {
    let raised = raise(&app, "地下室漏水，墙皮洇水").await;
    assert_eq!(raised["state"], "raised");
    assert_eq!(raised["version"], 1);
    assert_eq!(raised["raised_by"]["name"], "张秀兰");

    let secretary_view =
        app.get(&format!("/api/v1/issues/{}", raised["id"].as_str().unwrap()), &app.token(SECRETARY).await).await;
    assert_eq!(transitions(&secretary_view.body), ["assign", "reject", "mark_duplicate"]);

    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    assert_eq!(
        (assigned["state"].as_str(), assigned["responsible_org"].as_str()),
        (Some("assigned"), Some(anshang.as_str()))
    );
    assert_eq!(
        transitions(&assigned),
        ["reassign", "commit", "pause", "reject", "mark_duplicate"],
        "the secretary may record an on-the-spot commitment"
    );

    let as_anshang =
        app.get(&format!("/api/v1/issues/{}", raised["id"].as_str().unwrap()), &app.token(ANSHANG).await).await;
    let offered: Vec<&str> =
        as_anshang.body["transitions"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(offered, ["commit", "request_return"], "the company promises, or says it is not its own");
    let commit = &as_anshang.body["transitions"][0];
    assert_eq!(commit["required"], json!(["commitment_text", "due_date"]));

    let due = in_days(&app, 10);
    let committed =
        fire(&app, ANSHANG, &assigned, "commit", json!({"commitment_text": "更换地下室防水层", "due_date": due})).await;
    assert_eq!(committed["commitment"]["due_date"], due);
    assert_eq!(committed["commitment"]["committed_by_org"], anshang);
    assert_eq!(committed["overdue"], false);

    let resolved = fire(&app, ANSHANG, &committed, "resolve", json!({"resolution_note": "防水层已更换"})).await;
    let verified = fire(&app, SUPERVISOR, &resolved, "verify", json!({"satisfaction": 5, "note": "确认修好"})).await;
    assert_eq!(verified["state"], "verified");
    assert_eq!(verified["verification"]["outcome"], "verified");
    assert_eq!(verified["verification"]["satisfaction"], 5);
    assert_eq!(verified["version"], 5);
    assert_eq!(transitions(&verified), Vec::<&str>::new(), "nothing is left to do");

    let events = app
        .get(&format!("/api/v1/issues/{}/events", raised["id"].as_str().unwrap()), &app.token(SUPERVISOR).await)
        .await;
    assert_eq!(events.status, StatusCode::OK);
    let steps: Vec<(String, String, String)> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["transition"].as_str().unwrap().into(),
                e["to"].as_str().unwrap().into(),
                e["actor"]["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("raise", "raised", "张秀兰"),
        ("assign", "assigned", "王俊勇"),
        ("commit", "committed", "李明"),
        ("resolve", "resolved", "李明"),
        ("verify", "verified", "张秀兰"),
    ];
    assert_eq!(steps, expected.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned())));
    assert_eq!(events.body[2]["fields"]["commitment_text"], "更换地下室防水层");
}

async fn a_failed_verification_reopens_and_a_stale_version_gets_409(app: TestApp) {
    let raised = raise(&app, "电梯经常停运").await;
    let assigned =
        fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": app.org("安尚物业").to_string()})).await;
    let committed = fire(
        &app,
        ANSHANG,
        &assigned,
        "commit",
        json!({"commitment_text": "更换电梯主板", "due_date": in_days(&app, 7)}),
    )
    .await;
    let resolved = fire(&app, ANSHANG, &committed, "resolve", json!({"resolution_note": "已更换"})).await;
    let reopened = fire(&app, SUPERVISOR, &resolved, "reopen", json!({"reason": "昨天又停运了"})).await;
    assert_eq!(reopened["state"], "committed");
    assert_eq!(reopened["reopen_count"], 1);
    assert_eq!(reopened["verification"]["outcome"], "not_fixed");
    assert_eq!(reopened["commitment"]["text"], "更换电梯主板", "the promise still stands");

    // `resolved` is the version the supervisor saw before reopening: now stale.
    let stale = try_fire(&app, ANSHANG, &resolved, "resolve", json!({"resolution_note": "再修一次"})).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(stale.content_type(), "application/problem+json");
    assert_eq!(stale.body["current_version"], 5);
    let again = fire(&app, ANSHANG, &reopened, "resolve", json!({"resolution_note": "再修一次"})).await;
    assert_eq!(again["version"], 6);
    let timeline = app
        .get(&format!("/api/v1/issues/{}/events", raised["id"].as_str().unwrap()), &app.token(SECRETARY).await)
        .await;
    assert_eq!(timeline.body.as_array().unwrap().len(), 6, "the refused request left no trace");
}

async fn lists_are_scoped_filtered_and_paged(app: TestApp) {
    let secretary = app.token(SECRETARY).await;
    // Page through everything, 7 at a time: every demo issue exactly once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/issues?limit=7&cursor={c}"),
            None => "/api/v1/issues?limit=7".to_owned(),
        };
        let page = app.get(&path, &secretary).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (60, 60));

    // Anshang sees only what is assigned to Anshang.
    let anshang = app.get("/api/v1/issues?limit=200", &app.token(ANSHANG).await).await;
    let org = app.org("安尚物业").to_string();
    let items = anshang.body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["responsible_org"] == org.as_str()), "{}", anshang.body);

    // Ye Li sees Hongxi Villa only.
    let hongxi = app.compound("鸿禧山庄").to_string();
    let ye_li = app.get("/api/v1/issues?limit=200", &app.token("resident@dongsheng.example").await).await;
    assert!(ye_li.body["items"].as_array().unwrap().iter().all(|i| i["compound"] == hongxi.as_str()));

    // Filters: overdue commitments are committed with a past due date; support order.
    let overdue = app.get("/api/v1/issues?overdue=true&limit=200", &secretary).await;
    for i in overdue.body["items"].as_array().unwrap() {
        assert_eq!((i["state"].as_str(), i["overdue"].as_bool()), (Some("committed"), Some(true)));
    }
    let by_support = app.get("/api/v1/issues?order=support&limit=200", &secretary).await;
    let counts: Vec<u64> =
        by_support.body["items"].as_array().unwrap().iter().map(|i| i["support_count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert!(counts[0] > 0);
    let search = app.get("/api/v1/issues?q=%E7%94%B5%E6%A2%AF&limit=200", &secretary).await; // 电梯
    assert!(search.body["items"].as_array().unwrap().iter().all(|i| i["title"].as_str().unwrap().contains("电梯")));
    let count = async |states: &str| {
        let listed = app.get(&format!("/api/v1/issues?state={states}&limit=200"), &secretary).await;
        listed.body["items"].as_array().unwrap().len()
    };
    let (rejected, duplicate) = (count("rejected").await, count("duplicate").await);
    assert!(rejected > 0 && duplicate > 0, "the demo has both");
    assert_eq!(count("rejected,duplicate").await, rejected + duplicate, "a list of states is either");
}

async fn support_counts_once_per_person(app: TestApp) {
    let issue = raise(&app, "单元门禁损坏").await;
    let path = format!("/api/v1/issues/{}/support", issue["id"].as_str().unwrap());
    let secretary = app.token(SECRETARY).await;
    for _ in 0..2 {
        let r = app.call(Method::PUT, &path, Some(&secretary), None).await;
        assert_eq!((r.status, r.body["support_count"].as_u64()), (StatusCode::OK, Some(1)));
    }
    let r = app.call(Method::PUT, &path, Some(&app.token("resident1@dongsheng.example").await), None).await;
    assert_eq!(r.body["support_count"], 2, "{}", r.body);
    // Not one's own issue, and not a closed one.
    let own = app.call(Method::PUT, &path, Some(&app.token(SUPERVISOR).await), None).await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    // Nor the company responsible for it: support orders the agenda; it is the residents' voice.
    let anshang = app.org("安尚物业").to_string();
    let assigned =
        fire(&app, SECRETARY, &raise(&app, "楼顶漏水").await, "assign", json!({"responsible_org": anshang})).await;
    let theirs = format!("/api/v1/issues/{}/support", assigned["id"].as_str().unwrap());
    let company = app.call(Method::PUT, &theirs, Some(&app.token("anshang@dongsheng.example").await), None).await;
    assert_eq!(company.status, StatusCode::CONFLICT, "{}", company.body);
    assert!(company.body["detail"].as_str().unwrap().contains("responsible"), "{}", company.body);
    let pages = app.pages();
    pages.sign_in("anshang@dongsheng.example").await;
    let page = pages.get(&format!("/issues/{}", assigned["id"].as_str().unwrap())).await;
    assert!(page.html.contains("id=\"follow\"") && !page.html.contains("id=\"support\""), "no button: {}", page.html);
    assert_eq!(app.call(Method::PUT, &theirs, Some(&secretary), None).await.body["support_count"], 1);
    let rejected = fire(&app, SECRETARY, &raise(&app, "邻里纠纷").await, "reject", json!({"reason": "民事纠纷"})).await;
    let closed = format!("/api/v1/issues/{}/support", rejected["id"].as_str().unwrap());
    assert_eq!(app.call(Method::PUT, &closed, Some(&secretary), None).await.status, StatusCode::CONFLICT);
    let r = app.call(Method::DELETE, &path, Some(&secretary), None).await;
    assert_eq!((r.body["support_count"].as_u64(), r.body["supported"].as_bool()), (Some(1), Some(false)));
    // On the trail: each change once (the second "me too" changed nothing), with who.
    let trail = app.get(&format!("/api/v1/audit?subject_id={}", issue["id"].as_str().unwrap()), &secretary).await.body;
    let lines: Vec<(&str, &str)> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"]["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [("support_withdrawn", "王俊勇"), ("support_added", "刘女士"), ("support_added", "王俊勇")],
        "{trail}"
    );
    let after = app.get(&format!("/api/v1/issues/{}", issue["id"].as_str().unwrap()), &secretary).await;
    assert_eq!((after.body["support_count"].as_u64(), after.body["version"].as_u64()), (Some(1), Some(1)));
}

/// `meeting.max_commitment_days` (90): a company cannot promise "by 2099"; the secretary
/// can set a later date, with a reason on the record.
async fn a_far_off_due_date_needs_the_secretary_and_a_reason(app: TestApp) {
    let anshang = app.org("安尚物业").to_string();
    let issue =
        fire(&app, SECRETARY, &raise(&app, "外墙瓷砖脱落").await, "assign", json!({"responsible_org": anshang})).await;
    let far = json!({"commitment_text": "明年整体翻新外墙", "due_date": in_days(&app, 91)});
    let refused = try_fire(&app, "anshang@dongsheng.example", &issue, "commit", far.clone()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.body["errors"][0]["problem"], "too_far");
    assert!(refused.body["detail"].as_str().unwrap().contains("90 days"), "the limit is named: {}", refused.body);
    let unexplained = try_fire(&app, SECRETARY, &issue, "commit", far.clone()).await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY, "the secretary gives a reason too");
    let within = json!({"commitment_text": "三个月内修复", "due_date": in_days(&app, 90)});
    assert_eq!(try_fire(&app, "anshang@dongsheng.example", &issue, "commit", within).await.status, StatusCode::OK);
    let issue2 =
        fire(&app, SECRETARY, &raise(&app, "地面沉降开裂").await, "assign", json!({"responsible_org": anshang})).await;
    let mut explained = far;
    explained["note"] = json!("需结合明年小区改造统一施工");
    assert_eq!(try_fire(&app, SECRETARY, &issue2, "commit", explained).await.status, StatusCode::OK);
}

/// Marking B a duplicate of A moves B's supporters and raiser to A, each counted once; a
/// duplicate of a duplicate points at the original.
async fn a_duplicate_brings_its_supporters_to_the_original(app: TestApp) {
    let secretary = app.token(SECRETARY).await;
    let original = raise(&app, "电梯困人").await;
    let body =
        json!({"title": "电梯又困人了", "category": "facilities", "compound": app.compound("君悦湾").to_string()});
    let resident = app.token("resident1@dongsheng.example").await;
    let twin = app.post("/api/v1/issues", &resident, body).await.body;
    for issue in [&original, &twin] {
        let path = format!("/api/v1/issues/{}/support", issue["id"].as_str().unwrap());
        assert_eq!(app.call(Method::PUT, &path, Some(&secretary), None).await.status, StatusCode::OK);
    }
    let merged = fire(&app, SECRETARY, &twin, "mark_duplicate", json!({"duplicate_of": original["id"]})).await;
    assert_eq!(merged["duplicate_of"], original["id"]);
    let trail = app
        .get(
            &format!("/api/v1/audit?subject_id={}&action=support_merged", original["id"].as_str().unwrap()),
            &secretary,
        )
        .await
        .body;
    assert_eq!(trail["items"][0]["details"]["from"], twin["id"], "{trail}");
    assert_eq!(trail["items"][0]["actor"]["name"], "王俊勇");
    let now = app.get(&format!("/api/v1/issues/{}", original["id"].as_str().unwrap()), &secretary).await.body;
    assert_eq!(now["support_count"], 2, "the secretary once, the twin's raiser once: {now}");
    let third = raise(&app, "三号楼电梯困人").await;
    let chained = fire(&app, SECRETARY, &third, "mark_duplicate", json!({"duplicate_of": twin["id"]})).await;
    assert_eq!(chained["duplicate_of"], original["id"], "a duplicate of a duplicate is one of the original");
    let after = app.get(&format!("/api/v1/issues/{}", original["id"].as_str().unwrap()), &secretary).await.body;
    assert_eq!(after["support_count"], 2, "the original's own raiser does not become its supporter");
    // Each links to the other by title.
    let titles: Vec<&str> =
        after["duplicates"].as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["电梯又困人了", "三号楼电梯困人"]);
    let twin = app.get(&format!("/api/v1/issues/{}", twin["id"].as_str().unwrap()), &secretary).await.body;
    assert_eq!(
        (twin["original"]["id"].clone(), twin["original"]["title"].as_str()),
        (original["id"].clone(), Some("电梯困人"))
    );
}

/// `q=` finds Chinese by its words without spaces and ranks by relevance; while raising,
/// similar open issues are offered, the compound's first.
async fn search_understands_chinese_and_similar_issues_are_offered(app: TestApp) {
    let secretary = app.token(SECRETARY).await;
    let lift = raise(&app, "电梯按钮失灵").await;
    raise(&app, "单元门禁按钮无反应").await;
    let list = |q: &str| {
        let app = &app;
        let secretary = secretary.clone();
        let path = format!("/api/v1/issues?q={}", roundtable_web::pages::render::urlencode(q));
        async move { app.get(&path, &secretary).await }
    };
    let found = list("按钮 失灵").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let titles: Vec<&str> =
        found.body["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["电梯按钮失灵"], "both words, in any order, without spaces in the title");
    let both = list("按钮").await.body;
    assert_eq!(both["items"].as_array().unwrap().len(), 2);
    assert!(list("！？").await.body["items"].as_array().unwrap().is_empty(), "nothing searchable, nothing found");
    let count = |body: Value| body["items"].as_array().unwrap().len();
    let everything = count(list("").await.body);
    assert!(everything >= 2);
    assert_eq!(count(list("\u{200b} \u{feff}").await.body), everything, "a blank search is no search");
    let long = list(&"长".repeat(201)).await;
    assert_eq!((long.status, long.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("q")));
    let bad = app.get("/api/v1/issues?q=%E6%8C%89%E9%92%AE&order=relevance&cursor=r.zz", &secretary).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);

    // Similar: the lift issue for "电梯按钮坏了"; not a closed one; the compound's first.
    let compound = app.compound("君悦湾").to_string();
    let similar = |title: &str, compound: &str| {
        let path = format!(
            "/api/v1/issues/similar?title={}&compound={compound}",
            roundtable_web::pages::render::urlencode(title)
        );
        let app = &app;
        let secretary = secretary.clone();
        async move { app.get(&path, &secretary).await }
    };
    let like = similar("电梯按钮坏了", &compound).await;
    assert_eq!(like.status, StatusCode::OK, "{}", like.body);
    assert_eq!(like.body[0]["id"], lift["id"], "{}", like.body);
    assert!(similar("垃圾清运", &compound).await.body.as_array().unwrap().iter().all(|i| i["id"] != lift["id"]));
    // A quarter of the pairs is enough ("电梯" of four), one shared "小区" of five is not.
    let loose = similar("电梯又坏了", &compound).await.body;
    assert!(loose.as_array().unwrap().iter().any(|i| i["id"] == lift["id"]), "{loose}");
    let village = raise(&app, "小区垃圾多").await;
    let lamp = similar("小区路灯不亮", &compound).await.body;
    assert!(lamp.as_array().unwrap().iter().all(|i| i["id"] != village["id"]), "{lamp}");
    fire(&app, SECRETARY, &lift, "reject", json!({"reason": "重复反映"})).await;
    let after = similar("电梯按钮坏了", &compound).await.body;
    assert!(after.as_array().unwrap().iter().all(|i| i["id"] != lift["id"]), "closed issues are not offered: {after}");
    let missing = app.get("/api/v1/issues/similar", &secretary).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "the title is required: {}", missing.body);
}

/// 延期: the company asks, the secretary grants or refuses; each grant is in the
/// commitment history with the old date, counted on the issue.
async fn extensions_are_asked_for_granted_or_refused_and_kept_on_the_record(app: TestApp) {
    let anshang = app.org("安尚物业").to_string();
    let issue =
        fire(&app, SECRETARY, &raise(&app, "消防通道堆物").await, "assign", json!({"responsible_org": anshang})).await;
    let issue =
        fire(&app, ANSHANG, &issue, "commit", json!({"commitment_text": "清理堆物", "due_date": in_days(&app, 10)}))
            .await;
    let secretary = app.token(SECRETARY).await;
    let chair = app.get(&format!("/api/v1/issues/{}", issue["id"].as_str().unwrap()), &secretary).await.body;
    assert!(!transitions(&chair).contains(&"request_extension"), "a secretary does not ask");
    assert!(transitions(&chair).contains(&"extend"), "{chair}");
    assert!(!transitions(&chair).contains(&"refuse_extension"), "nothing to refuse yet");
    assert!(transitions(&issue).contains(&"request_extension"), "the company asks");
    assert!(!transitions(&issue).contains(&"extend"), "the company does not grant itself time");

    // Not to an earlier date, not beyond the limit without the secretary.
    let earlier =
        try_fire(&app, ANSHANG, &issue, "request_extension", json!({"due_date": in_days(&app, 5), "reason": "x"}))
            .await;
    assert_eq!(
        (earlier.status, earlier.body["errors"][0]["problem"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_later"))
    );
    let far =
        try_fire(&app, ANSHANG, &issue, "request_extension", json!({"due_date": in_days(&app, 200), "reason": "x"}))
            .await;
    assert_eq!(far.body["errors"][0]["problem"], "too_far", "{}", far.body);

    let asked = fire(
        &app,
        ANSHANG,
        &issue,
        "request_extension",
        json!({"due_date": in_days(&app, 20), "reason": "等物业费审批"}),
    )
    .await;
    assert_eq!(asked["commitment"]["due_date"], in_days(&app, 10), "the date stays until granted");
    assert_eq!(
        (asked["extension_request"]["due_date"].as_str(), asked["extension_count"].as_u64()),
        (Some(in_days(&app, 20).as_str()), Some(0))
    );
    // The secretary's home puts the request first, with what was asked.
    let home = crate::pages::signed_in(&app, SECRETARY).await.get("/").await.html;
    let waiting = &home[home.find("section-awaiting_decision").unwrap_or_else(|| panic!("{home}"))..];
    let waiting = &waiting[..waiting.find("</section>").unwrap()];
    assert!(waiting.contains(&format!("申请延期至 {}：等物业费审批", in_days(&app, 20))), "{waiting}");
    assert!(home.find("section-awaiting_decision") < home.find("section-unassigned"), "first");
    let refused = fire(&app, SECRETARY, &asked, "refuse_extension", json!({"reason": "堆物是安全隐患，不能拖"})).await;
    assert!(refused["extension_request"].is_null());
    let asked = fire(
        &app,
        ANSHANG,
        &refused,
        "request_extension",
        json!({"due_date": in_days(&app, 15), "reason": "需要业主配合"}),
    )
    .await;
    let granted =
        fire(&app, SECRETARY, &asked, "extend", json!({"due_date": in_days(&app, 15), "reason": "业主外出"})).await;
    assert_eq!(
        (granted["commitment"]["due_date"].as_str(), granted["extension_count"].as_u64()),
        (Some(in_days(&app, 15).as_str()), Some(1))
    );
    assert!(granted["extension_request"].is_null());
    let again =
        fire(&app, SECRETARY, &granted, "extend", json!({"due_date": in_days(&app, 30), "reason": "春节"})).await;
    assert_eq!(again["extension_count"], 2);

    let history = app.get(&format!("/api/v1/issues/{}/commitments", issue["id"].as_str().unwrap()), &secretary).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    let lines: Vec<(Value, Value, Value)> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["extended_from"].clone(), l["due_date"].clone(), l["reason"].clone()))
        .collect();
    assert_eq!(
        lines,
        [
            (Value::Null, json!(in_days(&app, 10)), Value::Null),
            (json!(in_days(&app, 10)), json!(in_days(&app, 15)), json!("业主外出")),
            (json!(in_days(&app, 15)), json!(in_days(&app, 30)), json!("春节")),
        ]
    );
    assert_eq!(history.body[1]["by"]["name"], "王俊勇", "{}", history.body);
    // Someone who may not see the issue may not see its history either.
    let other = app
        .get(
            &format!("/api/v1/issues/{}/commitments", issue["id"].as_str().unwrap()),
            &app.token("xiean@dongsheng.example").await,
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
}

/// Every user changes their own password (the current one required, throttled like a
/// sign-in) and sees and ends their sessions; a change ends every other session.
async fn a_user_changes_the_password_and_ends_other_sessions(app: TestApp) {
    let (phone, laptop) = (app.fresh_token(ANSHANG).await, app.fresh_token(ANSHANG).await);
    let sessions = app.get("/api/v1/me/sessions", &laptop).await;
    assert_eq!(sessions.status, StatusCode::OK, "{}", sessions.body);
    let list = sessions.body.as_array().unwrap();
    assert!(list.len() >= 2 && list.iter().filter(|s| s["current"] == true).count() == 1, "{}", sessions.body);
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let put = |token: &str, body: Value| {
        let app = &app;
        let token = token.to_owned();
        async move { app.call(Method::PUT, "/api/v1/me/password", Some(&token), Some(body)).await }
    };
    for (body, field, problem) in [
        (change("wrong-password", "a new password"), "current_password", "wrong"),
        (change("demo1234", "short"), "new_password", "too_short"),
        (change("demo1234", "demo1234"), "new_password", "unchanged"),
        (change(&"x".repeat(1025), "a new password"), "current_password", "too_long"),
    ] {
        let r = put(&laptop, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            (r.body["errors"][0]["field"].as_str(), r.body["errors"][0]["problem"].as_str()),
            (Some(field), Some(problem))
        );
    }
    let long = put(&laptop, change(&"x".repeat(1025), "a new password")).await;
    assert_eq!(long.body["errors"][0]["max_chars"], 1024, "how long it may be: {}", long.body);
    let extra = json!({"current_password": "demo1234", "new_password": "a new password", "admin": true});
    assert_eq!(put(&laptop, extra).await.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
    let done = put(&laptop, change("demo1234", "a new password")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body["sessions_ended"].as_u64().unwrap() >= 1);
    assert_eq!(app.get("/api/v1/me", &phone).await.status, StatusCode::UNAUTHORIZED, "the other session ended");
    assert_eq!(app.get("/api/v1/me", &laptop).await.status, StatusCode::OK, "this one stays");
    let old = json!({"login": ANSHANG, "password": "demo1234"});
    assert_eq!(app.call(Method::POST, "/api/v1/auth/token", None, Some(old)).await.status, StatusCode::UNAUTHORIZED);
    let new = json!({"login": ANSHANG, "password": "a new password"});
    let tablet = app.call(Method::POST, "/api/v1/auth/token", None, Some(new)).await.str("token").to_owned();
    // Ending one session, not someone else's; ending all the others.
    let mine = app.get("/api/v1/me/sessions", &laptop).await.body;
    let tablet_id =
        mine.as_array().unwrap().iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    let secretary = app.fresh_token(SECRETARY).await;
    let theirs = app.call(Method::DELETE, &format!("/api/v1/me/sessions/{tablet_id}"), Some(&secretary), None).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "another user's session is not found");
    assert_eq!(app.get("/api/v1/me", &tablet).await.status, StatusCode::OK);
    let ended = app.call(Method::DELETE, &format!("/api/v1/me/sessions/{tablet_id}"), Some(&laptop), None).await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", &tablet).await.status, StatusCode::UNAUTHORIZED);
    let again = app.fresh_token(SECRETARY).await;
    let others = app.call(Method::DELETE, "/api/v1/me/sessions", Some(&again), None).await;
    assert!(others.body["sessions_ended"].as_u64().unwrap() >= 1, "{}", others.body);
    assert_eq!(app.get("/api/v1/me", &secretary).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/me", &again).await.status, StatusCode::OK);
    // On the account's trail, by the account's owner.
    let admin = app.fresh_token("admin@dongsheng.example").await;
    let trail = app.get(&format!("/api/v1/audit?subject_id={}", app.user(ANSHANG)), &admin).await.body;
    assert_eq!(
        (trail["items"][0]["action"].as_str(), trail["items"][0]["actor"]["id"].as_str()),
        (Some("password_set"), Some(app.user(ANSHANG).to_string().as_str())),
        "{trail}"
    );
}

/// Everyone keeps their own e-mail address and phone number current, the password
/// confirming it: they sign in with the new number; an address or number another account
/// has is refused (that account would lose its way in); the trail says what changed, not
/// to what.
async fn a_user_changes_how_they_are_reached(app: TestApp) {
    let put = |login: &'static str, body: Value| {
        let app = &app;
        async move {
            let token = app.token(login).await;
            app.call(Method::PUT, "/api/v1/me/contact", Some(&token), Some(body)).await
        }
    };
    let contact = |email: Value, phone: Value| json!({"current_password": "demo1234", "email": email, "phone": phone});
    let wang = put(SECRETARY, contact(json!("wang@dongsheng.example"), json!("13800138000"))).await;
    assert_eq!(wang.status, StatusCode::OK, "{}", wang.body);
    let before = app.get("/api/v1/me", &app.token(ANSHANG).await).await.body["user"].clone();
    for (body, field, problem) in [
        (
            json!({"current_password": "wrong-password", "email": null, "phone": "13900001111"}),
            "current_password",
            "wrong",
        ),
        (contact(json!("li at anshang"), Value::Null), "email", "invalid"),
        // What the mail transport could not send to: refused here, not undeliverable later.
        (contact(json!("<script>@x.example"), Value::Null), "email", "invalid"),
        (contact(Value::Null, json!("找物业前台")), "phone", "invalid"),
        (contact(json!("wang@dongsheng.example"), Value::Null), "email", "taken"),
        (contact(Value::Null, json!("138 0013 8000")), "phone", "taken"),
    ] {
        let r = put(ANSHANG, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        assert_eq!(
            (r.body["errors"][0]["field"].as_str(), r.body["errors"][0]["problem"].as_str()),
            (Some(field), Some(problem)),
            "{body}: {}",
            r.body
        );
    }
    // Both are named, so that a client sending one does not clear the other unawares.
    let half = put(ANSHANG, json!({"current_password": "demo1234", "phone": "13900001111"})).await;
    assert_eq!(half.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", half.body);
    assert_eq!(app.get("/api/v1/me", &app.token(ANSHANG).await).await.body["user"], before, "nothing refused changed");
    let done = put(ANSHANG, contact(json!(" li.ming@anshang.example "), json!("139-0000-1111"))).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        (done.body["user"]["email"].as_str(), done.body["user"]["phone"].as_str()),
        (Some("li.ming@anshang.example"), Some("13900001111"))
    );
    let by_phone = json!({"login": "139 0000 1111", "password": "demo1234"});
    assert_eq!(app.call(Method::POST, "/api/v1/auth/token", None, Some(by_phone)).await.status, StatusCode::CREATED);
    let cleared = put(ANSHANG, contact(Value::Null, json!(" "))).await;
    assert_eq!(
        (cleared.body["user"]["email"].clone(), cleared.body["user"]["phone"].clone()),
        (Value::Null, Value::Null)
    );
    // On the account's trail, by its owner, without the values.
    let admin = app.fresh_token("admin@dongsheng.example").await;
    let trail = app.get(&format!("/api/v1/audit?subject_id={}", app.user(ANSHANG)), &admin).await.body;
    assert_eq!(
        (trail["items"][0]["action"].as_str(), trail["items"][0]["actor"]["id"].as_str()),
        (Some("contact_changed"), Some(app.user(ANSHANG).to_string().as_str())),
        "{trail}"
    );
    assert!(!trail.to_string().contains("13900001111"), "{trail}");
}

/// Everyone corrects the name they are shown by: every issue they raised and every step
/// they took says the new name at once; a name that would show as nothing, or one too
/// long, is refused; the trail says that it changed, not from what (closing an account
/// deletes its name, and no copy may stay behind).
async fn a_user_corrects_the_name_they_are_shown_by(app: TestApp) {
    let token = app.token(SUPERVISOR).await;
    let put = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move { app.call(Method::PUT, "/api/v1/me/name", Some(&token), Some(body)).await }
    };
    let raised =
        json!({"title": "楼道灯不亮", "category": "facilities", "compound": app.compound("君悦湾").to_string()});
    let raised = app.post("/api/v1/issues", &token, raised).await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let hers = raised.body["id"].as_str().unwrap().to_owned();
    let before = app.get("/api/v1/me", &token).await.body["user"].clone();
    for (body, problem) in [
        (json!({"name": ""}), "empty"),
        (json!({"name": "\u{200b}\u{200b}"}), "empty"),
        (json!({"name": "张\u{0}秀兰"}), "control_character"),
        (json!({"name": "长".repeat(101)}), "too_long"),
    ] {
        let r = put(body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        assert_eq!(
            (r.body["errors"][0]["field"].as_str(), r.body["errors"][0]["problem"].as_str()),
            (Some("name"), Some(problem)),
            "{body}: {}",
            r.body
        );
    }
    let wrong_type = put(json!({"name": 5})).await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong_type.body);
    assert_eq!(app.get("/api/v1/me", &token).await.body["user"], before, "nothing refused changed");
    let done = put(json!({"name": " 张秀兰（监委会） "})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["user"]["display_name"], "张秀兰（监委会）");
    // What she raised says so at once.
    let issue = app.get(&format!("/api/v1/issues/{hers}"), &app.token(SECRETARY).await).await.body;
    assert_eq!(issue["raised_by"]["name"], "张秀兰（监委会）", "{issue}");
    // On her trail, without the names.
    let admin = app.fresh_token("admin@dongsheng.example").await;
    let trail = app.get(&format!("/api/v1/audit?subject_id={}", app.user(SUPERVISOR)), &admin).await.body;
    assert_eq!(
        (trail["items"][0]["action"].as_str(), trail["items"][0]["actor"]["id"].as_str()),
        (Some("name_changed"), Some(app.user(SUPERVISOR).to_string().as_str())),
        "{trail}"
    );
    assert!(!trail["items"][0]["detail"].to_string().contains("张秀兰"), "{trail}");
    // The same name again changes nothing and files nothing.
    assert_eq!(put(json!({"name": "张秀兰（监委会）"})).await.status, StatusCode::OK);
    let again = app.get(&format!("/api/v1/audit?subject_id={}", app.user(SUPERVISOR)), &admin).await.body;
    assert_eq!(again["items"].as_array().map(Vec::len), trail["items"].as_array().map(Vec::len));
    // A name pasted with a line break is kept on one line, as every list shows it.
    let pasted = put(json!({"name": "张秀兰\r\n\t监委会"})).await;
    assert_eq!(pasted.body["user"]["display_name"], "张秀兰 监委会", "{}", pasted.body);
}
