//! Residents reach the tracker: building leaders report on behalf of households (代报).

use axum::http::{Method, StatusCode};
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::{Value, json};

use crate::api_flow::fire;

on_both_databases!(
    a_building_leaders_report_for_twelve_households_counts_as_twelve_support,
    an_invited_resident_signs_up_signs_in_by_phone_and_raises_with_photos,
    an_invitation_works_once_until_it_expires_and_not_forged,
    a_resident_downloads_her_data_and_closes_her_account,
    companies_stop_seeing_contact_data_after_the_retention_period,
    followers_are_told_of_each_step_in_the_app_and_by_a_daily_digest,
    a_company_that_loses_an_issue_is_not_mailed_its_next_steps,
    a_follower_reads_older_notices_a_page_at_a_time,
    opening_the_issue_a_notice_tells_of_reads_it,
    one_click_in_a_notices_mail_stops_them,
);

const YE_LI: &str = "resident@dongsheng.example";
const SECRETARY: &str = "secretary@dongsheng.example";
const SUPERVISOR: &str = "supervisor@dongsheng.example";
const HONGYUN: &str = "hongyun@dongsheng.example";

/// A building of Hongxi Villa by its name (`3号楼`).
async fn building(app: &TestApp, name: &str) -> String {
    let path = format!("/api/v1/compounds/{}/buildings", app.compound("鸿禧山庄"));
    let list = app.get(&path, &app.token(SECRETARY).await).await.body;
    let found = list.as_array().unwrap().iter().find(|b| b["name"] == name).expect("the demo has it");
    found["id"].as_str().unwrap().to_owned()
}

fn report(building: &str, on_behalf: Value) -> Value {
    json!({
        "title": "地下室返潮漏水", "description": "楼栋群里十二户反映地下室墙面渗水", "category": "building",
        "compound": null, "building": building, "on_behalf": on_behalf,
    })
}

async fn a_building_leaders_report_for_twelve_households_counts_as_twelve_support(app: TestApp) {
    let (three, one) = (building(&app, "3号楼").await, building(&app, "1号楼").await);
    let compound = app.compound("鸿禧山庄").to_string();
    let with_compound = |mut body: Value| {
        body["compound"] = json!(compound);
        body
    };
    let token = app.token(YE_LI).await;
    let contacts = json!([{"name": "王女士", "phone": "138 0013 8000"}, {"name": "赵先生"}]);
    let reply = app
        .post("/api/v1/issues", &token, with_compound(report(&three, json!({"households": 12, "contacts": contacts}))))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let issue = reply.body;
    assert_eq!(issue["support_count"], 12, "the twelve households count as support");
    assert_eq!(issue["on_behalf"]["households"], 12);
    assert_eq!(issue["on_behalf"]["contacts"][0]["phone"], "13800138000", "phones are kept by their digits");
    // A neighbour's support adds to them.
    let path = format!("/api/v1/issues/{}", issue["id"].as_str().unwrap());
    let put = app
        .call(
            axum::http::Method::PUT,
            &format!("{path}/support"),
            Some(&app.token("resident4@dongsheng.example").await),
            None,
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["support_count"], 13);
    // The households' names and phones are contact data: the secretary and, once it is
    // theirs, the company see them; the supervisory committee sees the count only.
    let seen = |login: &'static str| {
        let (app, path) = (&app, path.clone());
        async move { app.get(&path, &app.token(login).await).await.body["on_behalf"].clone() }
    };
    assert_eq!(seen(SECRETARY).await["contacts"].as_array().map(Vec::len), Some(2));
    assert_eq!(seen(SUPERVISOR).await["contacts"], Value::Null);
    assert_eq!(seen(SUPERVISOR).await["households"], 12);
    let hongyun = app.org("鸿运物业").to_string();
    let current = app.get(&path, &app.token(SECRETARY).await).await.body;
    fire(&app, SECRETARY, &current, "assign", json!({"responsible_org": hongyun})).await;
    assert_eq!(seen(HONGYUN).await["contacts"][1]["name"], "赵先生");

    // Not for a building that is not hers, not for a resident who leads none, not without
    // a building; counts and phones are checked.
    // (Which building is a value of hers to correct: named, 422.)
    let elsewhere = app.post("/api/v1/issues", &token, with_compound(report(&one, json!({"households": 3})))).await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", elsewhere.body);
    assert_eq!(elsewhere.body["errors"][0]["field"], "building", "{}", elsewhere.body);
    assert_eq!(elsewhere.body["errors"][0]["problem"], "not_led", "{}", elsewhere.body);
    let mut nowhere = with_compound(report(&three, json!({"households": 3})));
    nowhere["building"] = Value::Null;
    let nowhere = app.post("/api/v1/issues", &token, nowhere).await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nowhere.body);
    assert_eq!(
        (nowhere.body["errors"][0]["field"].as_str(), nowhere.body["errors"][0]["problem"].as_str()),
        (Some("building"), Some("missing"))
    );
    let neighbour = app.token("resident4@dongsheng.example").await;
    let not_a_leader =
        app.post("/api/v1/issues", &neighbour, with_compound(report(&three, json!({"households": 3})))).await;
    assert_eq!(not_a_leader.status, StatusCode::FORBIDDEN, "{}", not_a_leader.body);
    for (bad, field) in [
        (json!({"households": 0}), "on_behalf.households"),
        (json!({"households": 1, "contacts": [{"name": "甲"}, {"name": "乙"}]}), "on_behalf.contacts"),
        (json!({"households": 2, "contacts": [{"name": "甲", "phone": "call me"}]}), "on_behalf.contacts[0].phone"),
        (json!({"households": 2, "contacts": [{"name": "\u{200B}"}]}), "on_behalf.contacts[0].name"),
    ] {
        let reply = app.post("/api/v1/issues", &token, with_compound(report(&three, bad.clone()))).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field, "{bad}: {}", reply.body);
    }
    // A count out of range says the range, for a client to show.
    let none = app.post("/api/v1/issues", &token, with_compound(report(&three, json!({"households": 0})))).await;
    assert_eq!((none.body["errors"][0]["min"].as_i64(), none.body["errors"][0]["max"].as_i64()), (Some(1), Some(2000)));
    let reply =
        app.post("/api/v1/issues", &token, with_compound(report(&three, json!({"households": "twelve"})))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);

    // The secretary reports for households anywhere; merged into an original as a
    // duplicate, the report's households back the original.
    let secretary = app.token(SECRETARY).await;
    let original =
        app.post("/api/v1/issues", &secretary, with_compound(report(&one, json!({"households": 2})))).await.body;
    assert_eq!(original["support_count"], 2);
    let current = app.get(&path, &secretary).await.body;
    fire(&app, SECRETARY, &current, "mark_duplicate", json!({"duplicate_of": original["id"]})).await;
    let merged = app.get(&format!("/api/v1/issues/{}", original["id"].as_str().unwrap()), &secretary).await.body;
    // 2 + the twelve households + the supporter + Ye Li, who raised the duplicate.
    assert_eq!(merged["support_count"], 16, "{merged}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_building_leader_reports_for_households_on_the_raise_page() {
    let app = TestApp::sqlite().build();
    let three = building(&app, "3号楼").await;
    let pages = app.pages();
    pages.sign_in(YE_LI).await;
    let form = pages.get("/issues/new").await;
    assert!(form.html.contains("id=\"households\""), "a building leader is offered the report");
    let compound = app.compound("鸿禧山庄").to_string();
    let fields = [
        ("compound", compound.as_str()),
        ("building", three.as_str()),
        ("category", "building"),
        ("title", "三号楼单元门禁失灵"),
        ("description", ""),
        ("households", "12"),
        // A line of zero-width characters alone (pasted from a chat) is a blank line.
        ("contacts", "王女士 138-0013-8000\n\u{200b}\u{feff}\n赵先生\n"),
        ("confirm", "1"),
    ];
    // Names without the count are asked about, kept, not dropped with nothing said.
    let mut uncounted = fields;
    uncounted[5] = ("households", " ");
    let asked = pages.submit("/issues/new", "/issues", &uncounted).await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", asked.html);
    assert!(asked.html.contains("户数: 必须填写") && asked.html.contains("王女士 138-0013-8000"), "{}", asked.html);
    // No building chosen, a neighbour's, more names than households: each named on the form.
    let one = building(&app, "1号楼").await;
    let mut unplaced = fields;
    unplaced[1] = ("building", "");
    let mut neighbours = fields;
    neighbours[1] = ("building", one.as_str());
    let mut overnamed = fields;
    overnamed[5] = ("households", "1");
    let mut uncountable = fields;
    uncountable[5] = ("households", "99999999999");
    for (form, said) in [
        (unplaced, "楼栋: 必须填写"),
        (neighbours, "楼栋: 代报须选择您负责的楼栋"),
        (overnamed, "留名住户: 留名的住户多于上报的户数"),
        (uncountable, "户数: 超出范围（须在 1 到 2000 之间）"),
    ] {
        let refused = pages.submit("/issues/new", "/issues", &form).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{said}: {}", refused.html);
        assert!(refused.html.contains(said), "{said}: {}", refused.html);
    }
    let page = pages.submit("/issues/new", "/issues", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let issue = pages.get(page.location()).await;
    assert!(issue.html.contains("12 户"), "{}", issue.html);
    assert!(issue.html.contains("王女士 · 13800138000") && issue.html.contains("赵先生"), "{}", issue.html);
    // A resident who leads no building is not offered it.
    let neighbour = app.pages();
    neighbour.sign_in("resident4@dongsheng.example").await;
    assert!(!neighbour.get("/issues/new").await.html.contains("id=\"households\""));
}

/// Makes an invitation as `login`; returns its JSON.
async fn invite(app: &TestApp, login: &str, body: Value) -> Value {
    let reply = app.post("/api/v1/invitations", &app.token(login).await, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

/// The invitation's path on this site (`/join/...`).
fn path_of(invitation: &Value) -> String {
    let url = invitation["url"].as_str().unwrap();
    url[url.find("/join/").expect("a join link")..].to_owned()
}

async fn sign_up(app: &TestApp, path: &str, phone: &str) -> roundtable_e2e::Page {
    let pages = app.pages();
    pages
        .submit(
            path,
            path,
            &[
                ("name", "孙阿姨"),
                ("phone", phone),
                ("email", ""),
                ("password", "a-good-password"),
                ("repeat_password", "a-good-password"),
                ("consent", "yes"),
            ],
        )
        .await
}

async fn an_invited_resident_signs_up_signs_in_by_phone_and_raises_with_photos(app: TestApp) {
    let three = building(&app, "3号楼").await;
    // Ye Li, building leader of 3 and 5, invites a resident of 3; not of 1, nor a secretary.
    let invitation = invite(&app, YE_LI, json!({"role": "resident", "building": three, "unit": "2单元"})).await;
    assert_eq!(invitation["compound"], app.compound("鸿禧山庄").to_string(), "the building names its compound");
    let one = building(&app, "1号楼").await;
    let token = app.token(YE_LI).await;
    // An app learns which buildings she may invite to from who she is.
    let me = app.get("/api/v1/me", &token).await.body;
    assert_eq!(me["user"]["buildings"], json!([three, building(&app, "5号楼").await]), "{me}");
    for body in [json!({"role": "resident", "building": one}), json!({"role": "secretary", "building": three})] {
        let reply = app.post("/api/v1/invitations", &token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{body}: {}", reply.body);
    }
    // No building chosen: named on her form's one choice (she picks buildings, not compounds).
    let unplaced = app.post("/api/v1/invitations", &token, json!({"role": "resident"})).await;
    assert_eq!(unplaced.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unplaced.body);
    assert_eq!(
        (unplaced.body["errors"][0]["field"].as_str(), unplaced.body["errors"][0]["problem"].as_str()),
        (Some("building"), Some("missing"))
    );
    let reply = app
        .post(
            "/api/v1/invitations",
            &app.token("resident4@dongsheng.example").await,
            json!({"role": "resident", "building": three}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "a resident who leads no building invites nobody");

    // The invitee opens the link without an account: what is kept and who sees it.
    let path = path_of(&invitation);
    let visitor = app.pages();
    let page = visitor.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("id=\"consent-text\"") && page.html.contains("3号楼"), "{}", page.html);
    // Without consent, or with two different passwords: the form again, nothing made.
    let refused = visitor
        .submit(
            &path,
            &path,
            &[
                ("name", "孙阿姨"),
                ("phone", "13800138888"),
                ("password", "a-good-password"),
                ("repeat_password", "a-good-password"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("孙阿姨"), "what was typed is kept");
    // An address with a space in it is none (the mail would never arrive).
    let spaced = [
        ("name", "孙阿姨"),
        ("phone", "13800138888"),
        ("email", "sun ayi@example.org"),
        ("password", "a-good-password"),
        ("repeat_password", "a-good-password"),
        ("consent", "yes"),
    ];
    let refused = visitor.submit(&path, &path, &spaced).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.html);
    assert!(refused.html.contains("邮箱: 格式不正确"), "{}", refused.html);
    // Now properly: signed in at once, at home.
    let joined = sign_up(&app, &path, "138 0013 8888").await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.html);
    assert_eq!(joined.location(), "/?done=welcome");
    // She signs in with her phone number, however she writes it.
    for typed in ["13800138888", "+86 138-0013-8888"] {
        let reply = app
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"login": typed, "password": "a-good-password"})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{typed}: {}", reply.body);
    }
    let token = {
        let reply = app
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"login": "13800138888", "password": "a-good-password"})),
            )
            .await;
        reply.str("token").to_owned()
    };
    let me = app.get("/api/v1/me", &token).await.body;
    assert_eq!(me["user"]["roles"], json!(["resident"]), "{me}");
    // Her consent is on the record.
    let trail = app.get("/api/v1/audit?action=signed_up", &app.token(SECRETARY).await).await.body;
    assert_eq!(trail["items"][0]["details"]["consent"], "2026-12", "{trail}");

    // She raises an issue of her building with two photos: the company sees them, another cannot.
    let reply = app
        .multipart(
            "/api/v1/photos",
            &token,
            &[
                roundtable_e2e::Part::file("photo", "a.jpg", "image/jpeg", roundtable_e2e::images::jpeg(320, 240)),
                roundtable_e2e::Part::file("photo", "b.png", "image/png", roundtable_e2e::images::png(100, 80)),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let photos: Vec<Value> = reply.body.as_array().unwrap().iter().map(|p| p["id"].clone()).collect();
    let body = json!({"title": "楼道灯不亮", "category": "facilities", "compound": app.compound("鸿禧山庄").to_string(),
                      "building": three, "unit": "2单元", "photos": photos});
    let raised = app.post("/api/v1/issues", &token, body).await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let hongyun = app.org("鸿运物业").to_string();
    fire(&app, SECRETARY, &raised.body, "assign", json!({"responsible_org": hongyun})).await;
    for p in &photos {
        let path = format!("/api/v1/photos/{}", p.as_str().unwrap());
        assert_eq!(app.bytes(&path, &app.token(HONGYUN).await).await.0, StatusCode::OK);
        assert_eq!(app.bytes(&path, &app.token("anshang@dongsheng.example").await).await.0, StatusCode::FORBIDDEN);
    }

    // The secretary invites property staff for a company; a building leader lists only hers.
    let anshang = app.org("安尚物业").to_string();
    let staff = invite(&app, SECRETARY, json!({"role": "property", "org": anshang})).await;
    assert_eq!(sign_up(&app, &path_of(&staff), "13900001111").await.status, StatusCode::SEE_OTHER);
    let reply = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "13900001111", "password": "a-good-password"})),
        )
        .await;
    let me = app.get("/api/v1/me", reply.str("token")).await.body;
    assert_eq!(me["organisations"][0]["id"].as_str(), Some(anshang.as_str()), "{me}");
    let mine = app.get("/api/v1/invitations", &app.token(YE_LI).await).await.body;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(app.get("/api/v1/invitations", &app.token(SECRETARY).await).await.body.as_array().unwrap().len(), 2);
    let reply = app.post("/api/v1/invitations", &app.token(SECRETARY).await, json!({"role": "property"})).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "property staff need their company");
}

async fn an_invitation_works_once_until_it_expires_and_not_forged(app: TestApp) {
    let three = building(&app, "3号楼").await;
    let once = invite(&app, YE_LI, json!({"role": "resident", "building": three})).await;
    let path = path_of(&once);
    // Two sign-ups at once for the last use: one account.
    let (a, b) = tokio::join!(sign_up(&app, &path, "13700000001"), sign_up(&app, &path, "13700000002"));
    let made = [a.status, b.status].iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
    assert_eq!(made, 1, "{} {}", a.status, b.status);
    assert_eq!(app.pages().get(&path).await.status, StatusCode::NOT_FOUND, "used up");
    // A forged signature, another id under a real signature: not found.
    let forged = format!("{}0", &path[..path.len() - 1]);
    assert_eq!(app.pages().get(&forged).await.status, StatusCode::NOT_FOUND);
    // A notice-board invitation for three; a phone number already in use is refused.
    let board = invite(&app, YE_LI, json!({"role": "resident", "building": three, "uses": 3, "days": 1})).await;
    let path = path_of(&board);
    assert_eq!(sign_up(&app, &path, "13700000003").await.status, StatusCode::SEE_OTHER);
    let again = sign_up(&app, &path, "137-0000-0003").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "one account per phone number");
    // Revoked: gone at once. Expired: gone after its day.
    let id = board["id"].as_str().unwrap();
    let reply =
        app.call(Method::DELETE, &format!("/api/v1/invitations/{id}"), Some(&app.token(YE_LI).await), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(app.pages().get(&path).await.status, StatusCode::NOT_FOUND);
    let later =
        invite(&app, SECRETARY, json!({"role": "resident", "compound": app.compound("君悦湾").to_string(), "days": 1}))
            .await;
    app.set_now(app.state.now() + chrono::TimeDelta::days(2));
    assert_eq!(app.pages().get(&path_of(&later)).await.status, StatusCode::NOT_FOUND);
    // Bad requests: a role without its place, days and uses out of range, an unknown role.
    let token = app.token(SECRETARY).await;
    for (body, status) in [
        (json!({"role": "resident"}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"role": "building_leader", "compound": app.compound("君悦湾").to_string()}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"role": "resident", "building": three, "days": 61}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"role": "resident", "building": three, "uses": 0}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"role": "mayor", "building": three}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"role": "admin"}), StatusCode::FORBIDDEN),
    ] {
        let reply = app.post("/api/v1/invitations", &token, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretary_prints_an_invitation_with_its_qr_code() {
    let app = TestApp::sqlite().build();
    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    let form = pages.get("/invitations").await;
    assert_eq!(form.status, StatusCode::OK);
    let compound = app.compound("君悦湾").to_string();
    let made = pages
        .submit(
            "/invitations",
            "/invitations",
            &[
                ("role", "resident"),
                ("compound", &compound),
                ("note", "<b>5号楼</b> 公告栏"),
                ("uses", "50"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let notice = pages.get(made.location()).await;
    assert!(notice.html.contains("<svg") && notice.html.contains("id=\"qr\""), "{}", notice.html);
    assert!(notice.html.contains("&lt;b&gt;5号楼&lt;/b&gt;"), "the note is escaped");
    assert!(notice.html.contains("/join/"), "the link is printed beside the code");
    // A resident has no invitations page.
    let resident = app.pages();
    resident.sign_in("resident4@dongsheng.example").await;
    assert_eq!(resident.get("/invitations").await.status, StatusCode::FORBIDDEN);
}

async fn a_resident_downloads_her_data_and_closes_her_account(app: TestApp) {
    let login = "resident4@dongsheng.example";
    let token = app.fresh_token(login).await;
    let body =
        json!({"title": "单元门禁坏了", "category": "security", "compound": app.compound("鸿禧山庄").to_string()});
    let raised = app.post("/api/v1/issues", &token, body).await.body;
    let id = raised["id"].as_str().unwrap().to_owned();
    let data = app.get("/api/v1/me/data", &token).await;
    assert_eq!(data.status, StatusCode::OK, "{}", data.body);
    let data = data.body;
    assert_eq!(data["account"]["login"], login);
    assert!(data["account"]["phone"].is_string(), "her phone is hers to see");
    assert!(data["issues_raised"].as_array().unwrap().iter().any(|i| i["id"] == id.as_str()));
    assert!(data["steps"].as_array().unwrap().iter().any(|s| s["issue"] == id.as_str() && s["transition"] == "raise"));
    assert!(
        data["audit"].as_array().unwrap().iter().any(|e| e["action"] == "data_exported"),
        "the download is on the record"
    );
    assert!(!data["sessions"].as_array().unwrap().is_empty());

    // Closing: the password confirms it; a wrong one changes nothing.
    let wrong = app.call(Method::DELETE, "/api/v1/me", Some(&token), Some(json!({"password": "not-it"}))).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK);
    let closed = app.call(Method::DELETE, "/api/v1/me", Some(&token), Some(json!({"password": "demo1234"}))).await;
    assert_eq!(closed.status, StatusCode::NO_CONTENT, "{}", closed.body);
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED, "signed out everywhere");
    let again =
        app.call(Method::POST, "/api/v1/auth/token", None, Some(json!({"login": login, "password": "demo1234"}))).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    // Her issue stays, without her name or contact data.
    let issue = app.get(&format!("/api/v1/issues/{id}"), &app.token(SECRETARY).await).await.body;
    assert_eq!(issue["raised_by"]["name"], "已注销用户", "{issue}");
    assert_eq!(issue["raiser_contact"]["phone"], Value::Null, "{issue}");
    assert_eq!(issue["raiser_contact"]["email"], Value::Null, "{issue}");
    let users = app.get("/api/v1/users", &app.token("admin@dongsheng.example").await).await.body;
    assert!(!users.to_string().contains(login), "the login is gone");
    // An administrator closes no account of their own this way.
    let admin = app.token("admin@dongsheng.example").await;
    let reply = app.call(Method::DELETE, "/api/v1/me", Some(&admin), Some(json!({"password": "demo1234"}))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

async fn companies_stop_seeing_contact_data_after_the_retention_period(app: TestApp) {
    let issue = crate::api_flow::through_verification(&app, "楼顶防水层破损").await;
    let path = format!("/api/v1/issues/{}", issue["id"].as_str().unwrap());
    let contact = |login: &'static str| {
        let (app, path) = (&app, path.clone());
        async move {
            let reply = app.get(&path, &app.token(login).await).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.body["raiser_contact"].clone()
        }
    };
    assert!(contact("anshang@dongsheng.example").await.is_object(), "the company may still call back");
    // privacy.contact_retention_days (180) after closing, the company sees it no more.
    app.set_now(app.state.now() + chrono::TimeDelta::days(181));
    app.forget_tokens(); // signed in again, half a year on
    assert_eq!(contact("anshang@dongsheng.example").await, Value::Null);
    assert!(contact(SECRETARY).await.is_object(), "the secretary still does");
    assert!(contact(SUPERVISOR).await.is_object(), "and so does the raiser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retention_setting_takes_effect() {
    let app = TestApp::sqlite().config(|c| c.privacy.contact_retention_days = 0).build();
    let issue = crate::api_flow::through_verification(&app, "楼顶防水层破损").await;
    let path = format!("/api/v1/issues/{}", issue["id"].as_str().unwrap());
    let seen = app.get(&path, &app.token("anshang@dongsheng.example").await).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.body["raiser_contact"], Value::Null, "closed today, kept zero days: {}", seen.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_offers_the_data_and_closing_the_account() {
    let app = TestApp::sqlite().build();
    let pages = app.pages();
    pages.sign_in("resident5@dongsheng.example").await;
    let page = pages.get("/account").await;
    assert!(page.html.contains("id=\"download-data\"") && page.html.contains("id=\"close-account\""));
    let file = pages.get("/account/data").await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert!(file.html.contains("\"issues_raised\""));
    let wrong = pages.submit("/account", "/account/close", &[("password", "nope-nope")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let closed = pages.submit("/account", "/account/close", &[("password", "demo1234")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.html);
    assert!(closed.location().starts_with("/login"));
    assert_eq!(pages.get("/account").await.status, StatusCode::SEE_OTHER, "signed out");
}

async fn notices_of(app: &TestApp, login: &str) -> Value {
    let reply = app.get("/api/v1/notices", &app.token(login).await).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn followers_are_told_of_each_step_in_the_app_and_by_a_daily_digest(app: TestApp) {
    use roundtable_core::notice::NoticeMail;
    let neighbour = "resident4@dongsheng.example";
    let body =
        json!({"title": "二号楼电梯异响", "category": "facilities", "compound": app.compound("鸿禧山庄").to_string()});
    let raised = app.post("/api/v1/issues", &app.token(YE_LI).await, body).await.body;
    assert_eq!(raised["following"], true, "the raiser follows her issue");
    let path = format!("/api/v1/issues/{}", raised["id"].as_str().unwrap());
    // Her neighbour supports it, and so follows it too.
    assert_eq!(
        app.call(Method::PUT, &format!("{path}/support"), Some(&app.token(neighbour).await), None).await.status,
        StatusCode::OK
    );
    let hongyun = app.org("鸿运物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": hongyun})).await;
    for login in [YE_LI, neighbour, HONGYUN] {
        let n = notices_of(&app, login).await;
        assert_eq!(n["unread"], 1, "{login}: {n}");
        assert_eq!(n["items"][0]["transition"], "assign");
        assert_eq!(n["items"][0]["actor"]["name"], "王俊勇");
        // Whom it went to, as the step carried it.
        assert_eq!(n["items"][0]["to"], "assigned");
        assert_eq!(n["items"][0]["fields"]["responsible_org"], hongyun.as_str(), "{n}");
    }
    let secretary = notices_of(&app, SECRETARY).await;
    let of_it = secretary["items"].as_array().unwrap().iter().filter(|n| n["issue"]["id"] == raised["id"]).count();
    assert_eq!((of_it, secretary["unread"].as_u64()), (0, Some(0)), "not told of one's own step: {secretary}");
    assert_eq!(notices_of(&app, "anshang@dongsheng.example").await["unread"], 0, "nor of issues one does not follow");
    // The bell on every page.
    let pages = app.pages();
    pages.sign_in(YE_LI).await;
    assert!(pages.get("/").await.html.contains("id=\"unread\">1<"), "the bell shows one");
    // The neighbour stops following; the company commits: Ye Li is told, the neighbour not.
    let reply = app.call(Method::DELETE, &format!("{path}/follow"), Some(&app.token(neighbour).await), None).await;
    assert_eq!(reply.body["following"], false);
    let due = crate::api_flow::in_days(&app, 5);
    fire(&app, HONGYUN, &assigned, "commit", json!({"commitment_text": "更换导靴", "due_date": due})).await;
    assert_eq!(notices_of(&app, YE_LI).await["unread"], 2);
    assert_eq!(notices_of(&app, neighbour).await["unread"], 1);
    assert_eq!(notices_of(&app, HONGYUN).await["unread"], 1, "the company is not told of its own commitment");
    // Anyone who may see it can follow it; another company cannot.
    let follow = |login: &'static str| {
        let (app, path) = (&app, path.clone());
        async move { app.call(Method::PUT, &format!("{path}/follow"), Some(&app.token(login).await), None).await.status }
    };
    assert_eq!(follow(SUPERVISOR).await, StatusCode::OK);
    assert_eq!(follow("anshang@dongsheng.example").await, StatusCode::FORBIDDEN);

    // Mail: each as it happens, a daily digest (the default), or none.
    let token = app.token(neighbour).await;
    let reply = app.call(Method::PUT, "/api/v1/me/notice-mail", Some(&token), Some(json!({"mail": "none"}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = app.call(Method::PUT, "/api/v1/me/notice-mail", Some(&token), Some(json!({"mail": "hourly"}))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let hongyun_token = app.token(HONGYUN).await;
    app.call(Method::PUT, "/api/v1/me/notice-mail", Some(&hongyun_token), Some(json!({"mail": "each"}))).await;
    let now = app.state.now();
    let each = roundtable_web::jobs::notices::queue(&app.state.db, NoticeMail::Each, now).await.unwrap();
    assert_eq!(each, 1, "the company's staff member who wants each step");
    // Digests go out at 18:00 in the community's time zone (Shanghai: 10:00 UTC).
    let digest = |at: chrono::DateTime<chrono::Utc>| {
        let db = app.state.db.clone();
        async move { roundtable_web::jobs::notices::queue(&db, NoticeMail::Digest, at).await.unwrap() }
    };
    let tomorrow = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive() + chrono::Days::new(1);
    let at = |h| tomorrow.and_hms_opt(h, 5, 0).unwrap().and_local_timezone(chrono_tz::Asia::Shanghai).unwrap().to_utc();
    assert_eq!(digest(at(17)).await, 0, "not before the digest's hour");
    app.set_now(at(18));
    assert_eq!(digest(at(18)).await, 1, "Ye Li's digest; the neighbour wants none");
    assert_eq!(digest(at(18) + chrono::TimeDelta::minutes(30)).await, 0, "once a day");
    roundtable_web::mail::dispatch_due(&app.state, 100).await.unwrap();
    let sent = app.state.mailer.sent().await;
    let digest =
        sent.iter().find(|m| m.to == ["resident@dongsheng.example"] && m.subject.contains("2")).expect("her digest");
    assert!(digest.text.contains("二号楼电梯异响") && digest.text.contains("王俊勇"), "{}", digest.text);
    assert!(digest.html.contains("/issues/"), "{}", digest.html);
    // Each line with what its step carried, as on the notices page.
    for carried in ["责任单位: 鸿运物业", "整改内容: 更换导靴"] {
        assert!(digest.text.contains(&format!("  {carried}\n")) && digest.html.contains(carried), "{}", digest.text);
    }
    // Mail she chose says how to stop it (one click: the next test); mail about her own
    // issue is not a list.
    assert!(digest.list_unsubscribe.as_deref().is_some_and(|l| l.starts_with("<http://127.0.0.1:8080/notices/stop/")));
    assert!(sent.iter().filter(|m| !m.subject.contains("进展")).all(|m| m.list_unsubscribe.is_none()));
    assert!(
        !sent.iter().any(|m| m.to.contains(&neighbour.to_owned()) && m.subject.contains("进展")),
        "none for the neighbour"
    );
    // The page tells what happened, as the digest does: "assigned", not the button's "Assign".
    let html = pages.get("/notices").await.html;
    assert!(html.contains("王俊勇 · 已交办") && html.contains("· 责任单位已承诺"), "{html}");
    assert!(!html.contains("· 交办<") && !html.contains("· 承诺整改<"), "{html}");
    // And what the step carried: to whom, what was promised by when.
    for carried in ["<li>责任单位: 鸿运物业</li>", "<li>整改内容: 更换导靴</li>", &format!("<li>完成期限: {due}</li>")]
    {
        assert!(html.contains(carried), "{carried}: {html}");
    }
    // Read on the pages: the bell is quiet.
    let page = pages.submit("/notices", "/notices/read", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(!pages.get("/").await.html.contains("id=\"unread\""));
    assert_eq!(notices_of(&app, YE_LI).await["unread"], 0);
}

/// A company's staff member follows an issue; it goes to another company, which commits.
/// Neither the notices page nor the mail tell the first company of a step it may no
/// longer read (its title, its promise), as the API would not show it either.
async fn a_company_that_loses_an_issue_is_not_mailed_its_next_steps(app: TestApp) {
    use roundtable_core::notice::NoticeMail;
    const ANSHANG: &str = "anshang@dongsheng.example";
    let body =
        json!({"title": "三号楼外墙空鼓", "category": "building", "compound": app.compound("鸿禧山庄").to_string()});
    let raised = app.post("/api/v1/issues", &app.token(YE_LI).await, body).await.body;
    let path = format!("/api/v1/issues/{}", raised["id"].as_str().unwrap());
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    let token = app.token(ANSHANG).await;
    assert_eq!(app.call(Method::PUT, &format!("{path}/follow"), Some(&token), None).await.status, StatusCode::OK);
    let reply = app.call(Method::PUT, "/api/v1/me/notice-mail", Some(&token), Some(json!({"mail": "each"}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let hongyun = app.org("鸿运物业").to_string();
    let moved = fire(
        &app,
        SECRETARY,
        &assigned,
        "reassign",
        json!({"responsible_org": hongyun, "reason": "外墙属鸿运物业管养"}),
    )
    .await;
    fire(
        &app,
        HONGYUN,
        &moved,
        "commit",
        json!({"commitment_text": "铲除空鼓重做", "due_date": crate::api_flow::in_days(&app, 9)}),
    )
    .await;
    assert_eq!(app.get(&path, &token).await.status, StatusCode::FORBIDDEN, "no longer Anshang's to read");
    let listed = notices_of(&app, ANSHANG).await;
    assert!(!listed.to_string().contains("三号楼外墙空鼓"), "{listed}");
    // Nor does the bell count what the list leaves out: Anshang's follower no longer follows.
    assert_eq!(listed["unread"], 0, "{listed}");
    let pages = app.pages();
    pages.sign_in(ANSHANG).await;
    assert!(!pages.get("/").await.html.contains("id=\"unread\""), "a quiet bell");
    let now = app.state.now();
    roundtable_web::jobs::notices::queue(&app.state.db, NoticeMail::Each, now).await.unwrap();
    roundtable_web::mail::dispatch_due(&app.state, 100).await.unwrap();
    let sent = app.state.mailer.sent().await;
    let anshangs: Vec<_> = sent.iter().filter(|m| m.to.contains(&ANSHANG.to_owned())).collect();
    // Its notices mail (it follows the issue) lists no step of an issue it cannot read…
    assert!(!anshangs.iter().any(|m| m.subject.contains("您关注的问题")), "{anshangs:?}");
    // …and the company, told its issue went elsewhere, is not told the next one's promise,
    // though that promise was made before the mail was composed.
    let told = anshangs.iter().find(|m| m.subject.contains("已改派给其他单位")).expect("told of the reassignment");
    assert!(!told.text.contains("铲除空鼓重做") && !told.html.contains("铲除空鼓重做"), "{told:?}");
    // Hongyun, whose promise it is, reads it.
    let hongyun_mail: Vec<_> = sent.iter().filter(|m| m.to.contains(&HONGYUN.to_owned())).collect();
    assert!(hongyun_mail.iter().any(|m| m.subject.contains("三号楼外墙空鼓")), "{hongyun_mail:?}");
}

/// The supervisory committee follows many issues: its notices (the demo's months of steps
/// and meetings) come a hundred at a time, newest first, each page older than the last,
/// none twice — in the API and on the page.
async fn a_follower_reads_older_notices_a_page_at_a_time(app: TestApp) {
    let token = app.token(SUPERVISOR).await;
    let (mut seen, mut before, mut pages) = (Vec::<String>::new(), None::<String>, 0);
    loop {
        let path = match &before {
            Some(id) => format!("/api/v1/notices?before={id}"),
            None => "/api/v1/notices".to_owned(),
        };
        let page = app.get(&path, &token).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let ids: Vec<String> =
            page.body["items"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect();
        assert!(ids.len() <= 100, "{path}");
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {path}");
        if let (Some(last), Some(first)) = (seen.last(), ids.first()) {
            assert!(first < last, "each page older than the last");
        }
        seen.extend(ids);
        pages += 1;
        match page.body["older"].as_str() {
            Some(older) => before = Some(older.to_owned()),
            None => break,
        }
        assert!(pages < 50, "the pages end");
    }
    assert!(pages >= 2 && seen.len() > 100, "more than one page: {} notices in {pages}", seen.len());
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "none twice");
    // Unread only, paged the same way: none here (the demo's are read).
    let unread = app.get(&format!("/api/v1/notices?unread=true&before={}", seen[50]), &token).await;
    assert_eq!(unread.body["items"], json!([]), "{}", unread.body);
    for bad in ["before=not-a-notice", "before=", "before=%00", "before=1&before=2"] {
        let reply = app.get(&format!("/api/v1/notices?{bad}"), &token).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", reply.body);
    }

    // The page: the newest hundred with a link to older ones, which links back.
    let pages = app.pages();
    pages.sign_in(SUPERVISOR).await;
    let first = pages.get("/notices").await.html;
    let older = format!(r#"<a href="/notices?before={}" id="older">更早的消息</a>"#, seen[99]);
    assert!(first.contains(&older) && !first.contains(r#"id="newest""#), "{first}");
    let second = pages.get(&format!("/notices?before={}", seen[99])).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.html.contains(r#"<a href="/notices" id="newest">回到最新消息</a>"#), "{}", second.html);
    assert!(second.html.matches("class=\"issue-row").count() > 0, "{}", second.html);
    let garbled = pages.get("/notices?before=x").await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", garbled.html);
    assert!(garbled.html.contains("before"), "the field named: {}", garbled.html);
}

/// Opening on the pages the issue a notice tells of reads that notice — the bell on that
/// page already counts it off — and no other; the API's read of the issue reads none, nor
/// does a page that is refused.
async fn opening_the_issue_a_notice_tells_of_reads_it(app: TestApp) {
    let mut ids = Vec::new();
    for title in ["二号楼电梯异响", "三号楼门禁损坏"] {
        let body = json!({"title": title, "category": "facilities", "compound": app.compound("鸿禧山庄").to_string()});
        let raised = app.post("/api/v1/issues", &app.token(YE_LI).await, body).await.body;
        let id = raised["id"].as_str().unwrap().to_owned();
        if ids.is_empty() {
            // The supervisory committee follows the first one too.
            let follow = format!("/api/v1/issues/{id}/follow");
            let reply = app.call(Method::PUT, &follow, Some(&app.token(SUPERVISOR).await), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": app.org("鸿运物业").to_string()})).await;
        ids.push(id);
    }
    let unread_of = |n: &Value| -> Vec<String> {
        let items = n["items"].as_array().unwrap().iter().filter(|i| i["read"] == false);
        items.map(|i| i["issue"]["id"].as_str().unwrap().to_owned()).collect()
    };
    let n = notices_of(&app, YE_LI).await;
    assert_eq!((n["unread"].as_u64(), unread_of(&n).len()), (Some(2), 2), "{n}");
    let api = app.get(&format!("/api/v1/issues/{}", ids[0]), &app.token(YE_LI).await).await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(notices_of(&app, YE_LI).await["unread"], 2, "a client reading the issue reads no notice");

    let pages = app.pages();
    pages.sign_in(YE_LI).await;
    assert!(pages.get("/").await.html.contains(r#"<span class="count" id="unread">2</span>"#));
    let missing = pages.get(&format!("/issues/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(notices_of(&app, YE_LI).await["unread"], 2, "a refused page reads nothing");
    let page = pages.get(&format!("/issues/{}", ids[0])).await.html;
    assert!(page.contains(r#"<span class="count" id="unread">1</span>"#), "{page}");
    let n = notices_of(&app, YE_LI).await;
    assert_eq!((n["unread"].as_u64(), unread_of(&n)), (Some(1), vec![ids[1].clone()]), "the other one stays unread");
    // The supervisory committee, told of the same step, still has its notice unread.
    assert!(unread_of(&notices_of(&app, SUPERVISOR).await).contains(&ids[0]), "not hers to read for others");
    let page = pages.get(&format!("/issues/{}", ids[1])).await.html;
    assert!(!page.contains(r#"id="unread""#), "no unread notice left: {page}");
    assert_eq!(notices_of(&app, YE_LI).await["unread"], 0);
}

/// A notices mail carries a link that stops them in one click — on the page it opens, or
/// by the mail program's own button (RFC 8058: a POST with no session and no form token)
/// — without signing in. A scanner fetching the link stops nothing; a forged, altered or
/// borrowed link stops nothing either.
async fn one_click_in_a_notices_mail_stops_them(app: TestApp) {
    use roundtable_core::notice::NoticeMail;
    let token = app.token(YE_LI).await;
    let setting = || async { app.get("/api/v1/me/notice-mail", &app.token(YE_LI).await).await.body["mail"].clone() };
    let each = app.call(Method::PUT, "/api/v1/me/notice-mail", Some(&token), Some(json!({"mail": "each"}))).await;
    assert_eq!(each.status, StatusCode::OK, "{}", each.body);
    let body =
        json!({"title": "二号楼电梯异响", "category": "facilities", "compound": app.compound("鸿禧山庄").to_string()});
    let raised = app.post("/api/v1/issues", &token, body).await.body;
    let assigned =
        fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": app.org("鸿运物业").to_string()})).await;
    assert_eq!(
        roundtable_web::jobs::notices::queue(&app.state.db, NoticeMail::Each, app.state.now()).await.unwrap(),
        1
    );
    let sent = app.dispatched().await;
    let mail = sent.iter().find(|m| m.to == [YE_LI] && m.subject.contains("进展")).expect("her mail");
    let header = mail.list_unsubscribe.as_deref().expect("List-Unsubscribe");
    let url = header.trim_start_matches('<').trim_end_matches('>');
    let prefix = format!("http://127.0.0.1:8080/notices/stop/{}/", app.user(YE_LI));
    assert!(url.starts_with(&prefix) && url.ends_with("?lang=zh-CN"), "{url}");
    assert_eq!(mail.list_unsubscribe_post.as_deref(), Some("List-Unsubscribe=One-Click"));
    assert!(mail.text.contains(&format!("不再接收这类邮件（一键停止）：{url}")), "{}", mail.text);
    // (The HTML part escapes the query's `=` as `&#x3D;`, which a browser reads back.)
    let href = url.replace('=', "&#x3D;");
    assert!(mail.html.contains(&format!(r#"<a href="{href}">不再接收这类邮件</a>"#)), "{}", mail.html);
    let path = url.trim_start_matches("http://127.0.0.1:8080");

    // Fetched (a mail scanner, or the reader): a page with one button; nothing stopped.
    let stranger = app.pages();
    let page = stranger.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains(r#"id="stop-mail""#) && page.html.contains("停止邮件通知"), "{}", page.html);
    assert_eq!(setting().await, "each");
    // Forged, altered, borrowed: refused, nothing stopped.
    let sig = path.rsplit('/').next().unwrap().trim_end_matches("?lang=zh-CN");
    let altered = format!("{}{}", &sig[..sig.len() - 1], if sig.ends_with('0') { '1' } else { '0' });
    let neighbour = app.user("resident4@dongsheng.example");
    for bad in [
        format!("/notices/stop/{}/{altered}", app.user(YE_LI)),
        format!("/notices/stop/{neighbour}/{sig}"),
        format!("/notices/stop/not-a-user/{sig}"),
        format!("/notices/stop/{}/%00", app.user(YE_LI)),
    ] {
        let refused = stranger.request(Method::POST, &bad, Some(&[("List-Unsubscribe", "One-Click")])).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}: {}", refused.html);
        assert!(refused.html.contains(r#"id="stop-invalid""#), "{}", refused.html);
    }
    assert_eq!(setting().await, "each");
    // The mail program's button: a POST alone, no session, no form token.
    let stopped = stranger.request(Method::POST, path, Some(&[("List-Unsubscribe", "One-Click")])).await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.html);
    assert!(stopped.html.contains(r#"id="stop-done""#) && stopped.html.contains("/account#notice-mail"));
    assert_eq!(setting().await, "none");
    // Twice is the same; and no more mail for the next step.
    let again = stranger.request(Method::POST, path, None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.html);
    let due = crate::api_flow::in_days(&app, 20);
    let committed =
        fire(&app, HONGYUN, &assigned, "commit", json!({"commitment_text": "更换导靴", "due_date": due})).await;
    assert_eq!(committed["state"], "committed", "{committed}");
    assert_eq!(
        roundtable_web::jobs::notices::queue(&app.state.db, NoticeMail::Each, app.state.now()).await.unwrap(),
        0
    );
    assert_eq!(notices_of(&app, YE_LI).await["unread"], 2, "the notices page still tells her");
}
