//! Not ours (申请退回): a company handed an issue that is not its own says whose it is; the
//! issue stays with it until the secretary hands it on or refuses, and the asking buys no
//! time.

use axum::http::{Method, StatusCode};
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::json;

use crate::api_flow::{fire, raise, try_fire};

on_both_databases!(at roundtable_e2e::monday();
    a_company_asks_to_hand_back_an_issue_and_the_secretary_decides,
    the_meeting_hands_an_issue_to_the_company_that_commits_on_the_spot,
);

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const SUPERVISOR: &str = "supervisor@dongsheng.example";

async fn a_company_asks_to_hand_back_an_issue_and_the_secretary_decides(app: TestApp) {
    let raised = raise(&app, "燃气管道异味").await;
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    // Nothing asked, nothing to refuse; only the company it was handed to asks, with a reason.
    let early = try_fire(&app, SECRETARY, &assigned, "refuse_return", json!({"reason": "x"})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    for who in ["xiean@dongsheng.example", SUPERVISOR, SECRETARY] {
        let other = try_fire(&app, who, &assigned, "request_return", json!({"reason": "x"})).await;
        assert_eq!(other.status, StatusCode::FORBIDDEN, "{who}: {}", other.body);
    }
    for bad in [json!({}), json!({"reason": "\u{200b} "}), json!({"reason": "燃\u{0}气"}), json!({"reason": 7})] {
        let refused = try_fire(&app, ANSHANG, &assigned, "request_return", bad.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", refused.body);
    }
    app.dispatched().await;
    let mailed = app.state.mailer.sent().await.len();
    app.set_now(app.state.now() + chrono::Duration::days(1));

    let why = "燃气管道归燃气公司维护 <b>非物业范围</b>";
    let asked = fire(&app, ANSHANG, &assigned, "request_return", json!({"reason": why})).await;
    assert_eq!((asked["state"].as_str(), asked["responsible_org"].as_str()), (Some("assigned"), Some(&*anshang)));
    assert_eq!(asked["return_request"]["reason"], why);
    assert_eq!(asked["state_entered_at"], assigned["state_entered_at"], "asking buys no time");
    // The secretary hears of it: a mail with the reason, as text.
    let sent = app.dispatched().await;
    let to_secretary: Vec<_> = sent[mailed..].iter().filter(|m| m.to.iter().any(|t| t == SECRETARY)).collect();
    assert!(
        to_secretary.iter().any(|m| m.text.contains("责任单位申请退回") && m.text.contains("燃气管道归燃气公司维护")),
        "{:#?}",
        sent[mailed..].iter().map(|m| (&m.to, &m.subject, &m.text)).collect::<Vec<_>>()
    );
    assert!(to_secretary.iter().all(|m| !m.html.contains("<b>非物业")), "the reason is text in the mail");
    // And by the bell: the secretary follows nothing here, and has the request to decide.
    let bell = app.get("/api/v1/notices", &app.fresh_token(SECRETARY).await).await.body;
    let of_it: Vec<_> = bell["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["issue"]["id"] == asked["id"])
        .map(|n| (n["transition"].as_str().unwrap().to_owned(), n["fields"]["reason"].clone()))
        .collect();
    assert_eq!(of_it, [("request_return".to_owned(), json!(why))], "{bell}");
    let other_bell = app.get("/api/v1/notices", &app.fresh_token("xiean@dongsheng.example").await).await.body;
    assert!(
        other_bell["items"].as_array().unwrap().iter().all(|n| n["issue"]["id"] != asked["id"]),
        "another company is not told: {other_bell}"
    );

    // The pages: everyone reading the issue sees the request; the company is offered the
    // form before, the secretary the refusal and the reassignment after.
    let shown = "燃气管道归燃气公司维护 &lt;b&gt;非物业范围&lt;/b&gt;";
    let id = asked["id"].as_str().unwrap();
    let path = format!("/issues/{id}");
    let company = crate::pages::signed_in(&app, ANSHANG).await;
    let page = company.get(&path).await.html;
    assert!(page.contains(
        "<dd id=\"return-request\" class=\"late\">燃气管道归燃气公司维护 &lt;b&gt;非物业范围&lt;/b&gt; <span"
    ));
    let supervisor = crate::pages::signed_in(&app, SUPERVISOR).await;
    let page = supervisor.get(&path).await.html;
    assert!(page.contains("申请退回") && page.contains("id=\"return-request\""), "{page}");
    assert!(!page.contains("id=\"t-refuse_return\""), "the raiser decides nothing");
    let secretary = crate::pages::signed_in(&app, SECRETARY).await;
    // The secretary's home lists what waits for a decision, with what was asked.
    let home = secretary.get("/").await.html;
    let waiting = &home[home.find("section-awaiting_decision").unwrap_or_else(|| panic!("{home}"))..];
    let waiting = &waiting[..waiting.find("</section>").unwrap()];
    assert!(
        waiting.contains("燃气管道异味") && waiting.contains(&format!("申请退回：{shown} · 2026-12-01")),
        "{waiting}"
    );
    assert!(!supervisor.get("/").await.html.contains("section-awaiting_decision"), "the secretary's to decide");
    let page = secretary.get(&path).await;
    assert!(page.html.contains("id=\"t-refuse_return\"") && page.html.contains("id=\"t-reassign\""), "{}", page.html);
    // Handed on to another: the form offers every company but the one it has.
    let reassign = &page.html[page.html.find("id=\"t-reassign\"").unwrap()..];
    let reassign = &reassign[..reassign.find("</form>").unwrap()];
    let xiean = app.org("谐安物业").to_string();
    assert!(reassign.contains(&format!("value=\"{xiean}\"")) && !reassign.contains(&anshang), "{reassign}");

    // Sunday's meeting: the request is under the item on the day screen, the agenda's page
    // and the printed agenda; not on the public agenda.
    let (meeting, token) = crate::meetings::build_and_open(&app, "2026-12-06").await;
    let detail = app.get(&meeting, &token).await.body;
    let item = crate::meetings::items(&detail).iter().find(|i| i["issue"] == id).expect("on the agenda");
    let item_id = item["id"].as_str().unwrap().to_owned();
    let meeting = meeting.trim_start_matches("/api/v1");
    let said = format!("申请退回：{shown} · 2026-12-01");
    let day = secretary.get(&format!("{meeting}/day")).await.html;
    let on_screen = day[day.find(&format!("id=\"item-{item_id}\"")).unwrap()..].split("</li>").next().unwrap();
    assert!(on_screen.contains(&said) && on_screen.contains("退回不成立的理由"), "{on_screen}");
    assert!(supervisor.get(meeting).await.html.contains(&said));
    let printed = app.get(&format!("/api/v1{meeting}/agenda?format=md"), &app.token(SUPERVISOR).await).await;
    let printed = printed.body.as_str().expect("markdown").to_owned();
    assert!(printed.contains("申请退回：燃气管道归燃气公司维护") && printed.contains("· 2026-12-01**"), "{printed}");
    let meeting_id = meeting.rsplit('/').next().expect("an id");
    let public = format!("/communities/{}/meetings/{meeting_id}/agenda", app.community());
    let (status, _, body) = app.anonymous(&public, None).await;
    let body = String::from_utf8(body).expect("utf-8");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("燃气管道异味") && !body.contains("燃气公司维护"), "{body}");

    // The meeting decides: only a decision turns the request down, with a reason, one
    // request at a time.
    let outcome = format!("/api/v1{meeting}/items/{item_id}/outcome");
    for (body, field) in [
        (json!({"outcome": "deferred", "refuse_return": true, "note": "x"}), "refuse_return"),
        (json!({"outcome": "decision", "refuse_return": true}), "reason"),
        (json!({"outcome": "decision", "refuse_return": true, "refuse_extension": true, "note": "x"}), "refuse_return"),
    ] {
        let r = app.post(&outcome, &token, body.clone()).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)));
    }
    let nothing =
        app.post(&outcome, &token, json!({"outcome": "decision", "refuse_extension": true, "note": "x"})).await;
    assert_eq!(nothing.status, StatusCode::CONFLICT, "no later date asked: {}", nothing.body);
    // Refused through the day screen's form, with the reason the company is told: it stays
    // the company's, its time counted from the assignment; the company's mail is news, not
    // a new assignment.
    let sent_before = app.dispatched().await.len();
    let posted = secretary
        .submit(
            &format!("{meeting}/day"),
            &format!("{meeting}/items/{item_id}/outcome"),
            &[("refuse_return", "1"), ("outcome", "decision"), ("note", "经核实为小区内庭院管线，属物业维护")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let refused = app.get(&format!("/api/v1/issues/{id}"), &app.token(SECRETARY).await).await.body;
    assert!(refused["return_request"].is_null(), "{refused}");
    // The refusal's step records the meeting: the issue's timeline names its day.
    let events = app.get(&format!("/api/v1/issues/{id}/events"), &app.token(SECRETARY).await).await.body;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["transition"].as_str(), last["fields"]["meeting"].as_str()),
        (Some("refuse_return"), Some(meeting_id))
    );
    assert!(company.get(&path).await.html.contains("<li>所在会议: 2026-12-06</li>"));
    assert_eq!((refused["state"].as_str(), refused["responsible_org"].as_str()), (Some("assigned"), Some(&*anshang)));
    assert_eq!(refused["state_entered_at"], assigned["state_entered_at"]);
    let sent = app.dispatched().await;
    let company_mail: Vec<_> =
        sent[sent_before..].iter().filter(|m| m.to.iter().any(|t| t == "anshang@dongsheng.example")).collect();
    assert!(
        company_mail.iter().any(|m| m.text.contains("退回申请未获同意") && m.text.contains("属物业维护")),
        "{:#?}",
        company_mail.iter().map(|m| (&m.subject, &m.text)).collect::<Vec<_>>()
    );
    assert!(company_mail.iter().all(|m| !m.subject.contains("新交办")), "not a new assignment");
    assert!(!company.get(&path).await.html.contains("id=\"return-request\""));
    // The item says what was turned down, and the refusal, having taken the issue's step,
    // stands: no outcome recorded over it, no form for it on the day screen.
    let item_now = app.get(&format!("/api/v1{meeting}"), &token).await.body;
    let item_now = crate::meetings::items(&item_now).iter().find(|i| i["id"] == item_id.as_str()).cloned().unwrap();
    assert_eq!((item_now["outcome"].as_str(), item_now["refused_return"].as_bool()), (Some("decision"), Some(true)));
    let over = app.post(&outcome, &token, json!({"outcome": "deferred"})).await;
    assert_eq!(
        (over.status, over.body["code"].as_str()),
        (StatusCode::CONFLICT, Some("outcome_stands")),
        "{}",
        over.body
    );
    let day = secretary.get(&format!("{meeting}/day")).await.html;
    let on_screen = day[day.find(&format!("id=\"item-{item_id}\"")).unwrap()..].split("</li>").next().unwrap();
    assert!(on_screen.contains("退回不成立") && !on_screen.contains("<form"), "{on_screen}");
    let home = secretary.get("/").await.html;
    assert!(!home.contains("燃气管道归燃气公司维护"), "decided: it no longer waits for the secretary");

    // Asked again and found right: handed to another party, the request is settled.
    let again = fire(&app, ANSHANG, &refused, "request_return", json!({"reason": "属开发商保修范围"})).await;
    let handed =
        fire(&app, SECRETARY, &again, "reassign", json!({"responsible_org": xiean, "reason": "退回成立"})).await;
    assert!(handed["return_request"].is_null(), "{handed}");
    assert_eq!(handed["responsible_org"].as_str(), Some(&*xiean));

    // The meeting closed, the comparison towards January's counts the request turned down
    // against Anshang, whose request it was though the issue is Xie'an's now (listed, not
    // scored); the one granted is no refusal.
    let closed = app.call(Method::POST, &format!("/api/v1{meeting}/close"), Some(&token), None).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let minutes = app.call(Method::GET, &format!("/api/v1{meeting}/minutes?format=md"), Some(&token), None).await;
    let minutes = minutes.body.as_str().expect("markdown").to_owned();
    assert!(minutes.contains("**燃气管道异味**") && minutes.contains("；退回不成立"), "{minutes}");
    let compared = secretary.get("/scorecard").await.html;
    let month = &compared[compared.find("自上次会议以来").unwrap_or_else(|| panic!("{compared}"))..];
    let refused_of = |name: &str| {
        let row = month.split("<tr>").find(|r| r.contains(&format!(">{name}<"))).expect("a row");
        row.split("<td>").last().unwrap().split("</td>").next().unwrap().to_owned()
    };
    assert_eq!((refused_of("安尚物业"), refused_of("谐安物业")), ("1".to_owned(), "0".to_owned()));
}

/// 当场改派: the meeting finds an issue another company's — the one its company asked to
/// hand back, or one it promised and cannot keep — and that company, present, commits:
/// handed on and promised in one outcome, the reason in the minutes.
async fn the_meeting_hands_an_issue_to_the_company_that_commits_on_the_spot(app: TestApp) {
    let (anshang, xiean) = (app.org("安尚物业").to_string(), app.org("谐安物业").to_string());
    let raised = raise(&app, "小区北门道闸损坏").await;
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    let id = assigned["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/issues/{id}");
    // Anshang's staff follow it while it is theirs.
    let anshang_token = app.token(ANSHANG).await;
    assert_eq!(
        app.call(Method::PUT, &format!("{path}/follow"), Some(&anshang_token), None).await.status,
        StatusCode::OK
    );
    let why = "北门道闸属谐安物业 <b>管理范围</b>";
    fire(&app, ANSHANG, &assigned, "request_return", json!({"reason": why})).await;
    let other = raise(&app, "地下车库照明不足").await;
    let other = fire(&app, SECRETARY, &other, "assign", json!({"responsible_org": anshang})).await;
    let due = crate::api_flow::in_days(&app, 40);
    let promised = fire(&app, ANSHANG, &other, "commit", json!({"commitment_text": "更换灯具", "due_date": due})).await;
    let promised_path = format!("/api/v1/issues/{}", promised["id"].as_str().unwrap());

    let (meeting, token) = crate::meetings::build_and_open(&app, "2026-12-06").await;
    let detail = app.get(&meeting, &token).await.body;
    let item_of = |issue: &str| {
        let item = crate::meetings::items(&detail).iter().find(|i| i["issue"] == issue).expect("on the agenda");
        item["id"].as_str().unwrap().to_owned()
    };
    let (asked_item, promised_item) = (item_of(&id), item_of(promised["id"].as_str().unwrap()));
    let meeting = meeting.trim_start_matches("/api/v1").to_owned();

    // The day screen offers it under each: open under the request, its reason written in
    // (escaped), the company it has not offered to take it from itself.
    let secretary = crate::pages::signed_in(&app, SECRETARY).await;
    let day = secretary.get(&format!("{meeting}/day")).await.html;
    let form_of = |item: &str| {
        let at = day.find(&format!("id=\"hand-on-{item}\"")).unwrap_or_else(|| panic!("no hand-on form: {day}"));
        day[at..].split("</details>").next().unwrap().to_owned()
    };
    let asked_form = form_of(&asked_item);
    assert!(asked_form.starts_with(&format!("id=\"hand-on-{asked_item}\" open>")), "{asked_form}");
    assert!(asked_form.contains("value=\"北门道闸属谐安物业 &lt;b&gt;管理范围&lt;/b&gt;\""), "{asked_form}");
    assert!(asked_form.contains(&format!("<option value=\"{xiean}\">")), "{asked_form}");
    assert!(!asked_form.contains(&format!("<option value=\"{anshang}\"")), "{asked_form}");
    assert!(form_of(&promised_item).starts_with(&format!("id=\"hand-on-{promised_item}\">")), "closed: nothing asked");

    // Refused, nothing changed: no reason (or an invisible one), a company of no one here,
    // no promise, a date gone by; the company it has named on its own promise is an
    // extension, which takes no promise text.
    let outcome = |item: &str| format!("/api/v1{meeting}/items/{item}/outcome");
    let west = app.add_community("西城社区", "xicheng", None, "西城物业");
    let (west_org,) = {
        let conn = &mut app.state.db.conn().unwrap();
        let (user, _) = roundtable_store::directory::user_by_login(conn, &west[2]).unwrap().unwrap();
        (user.organisations[0].to_string(),)
    };
    let promise = |org: &str, note: Option<&str>| {
        let mut body = json!({"outcome": "commitment", "responsible_org": org, "commitment_text": "更换道闸电机",
            "due_date": crate::api_flow::in_days(&app, 7)});
        if let Some(note) = note {
            body["note"] = json!(note);
        }
        body
    };
    let unknown = uuid::Uuid::now_v7().to_string();
    let mut past = promise(&xiean, Some("x"));
    past["due_date"] = json!("2020-01-01");
    let mut unpromised = promise(&xiean, Some("x"));
    unpromised.as_object_mut().unwrap().remove("commitment_text");
    for (item, body, field) in [
        (&asked_item, promise(&xiean, None), "reason"),
        (&asked_item, promise(&xiean, Some("\u{200b} ")), "reason"),
        (&asked_item, promise(&unknown, Some("x")), "responsible_org"),
        (&asked_item, promise(&west_org, Some("x")), "responsible_org"),
        (&asked_item, unpromised, "commitment_text"),
        (&asked_item, past, "due_date"),
        (&promised_item, promise(&anshang, Some("x")), "commitment_text"),
        // A decision records no promise and names no company: typed in vain, refused.
        (&asked_item, json!({"outcome": "decision", "commitment_text": "更换道闸电机"}), "commitment_text"),
        (&asked_item, json!({"outcome": "deferred", "responsible_org": xiean}), "responsible_org"),
    ] {
        let r = app.post(&outcome(item), &token, body.clone()).await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}: {}",
            r.body
        );
    }
    // On the day screen, the promise typed under the item and 决定 pressed: said, and kept.
    let typed = secretary
        .submit(
            &format!("{meeting}/day"),
            &format!("{meeting}/items/{asked_item}/outcome"),
            &[("outcome", "decision"), ("commitment_text", "明早派人检修")],
        )
        .await;
    assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", typed.html);
    assert!(typed.html.contains("只有“记录承诺”才记下承诺内容或接手的单位"), "{}", typed.html);
    assert!(typed.html.contains(">明早派人检修</textarea>"), "{}", typed.html);
    let still = app.get(&path, &token).await.body;
    assert_eq!((still["state"].as_str(), still["version"].as_u64()), (Some("assigned"), Some(3)), "nothing half-done");

    // The day screen's hand-over: to Xie'an, which promises there and then, for `note`.
    let due = crate::api_flow::in_days(&app, 5);
    let (day, action) = (format!("{meeting}/day"), format!("{meeting}/items/{asked_item}/outcome"));
    let hand_on = async |note: &str| {
        let fields = [
            ("outcome", "commitment"),
            ("responsible_org", &xiean),
            ("commitment_text", "本周内更换道闸电机"),
            ("due_date", &due),
            ("note", note),
        ];
        secretary.submit(&day, &action, &fields).await
    };
    // Without a reason (a zero-width one): the hand-over's own words name what is missing,
    // the form open again with what was typed.
    let unexplained = hand_on("\u{200b}").await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unexplained.html);
    let said = &unexplained.html[unexplained.html.find("class=\"errors\"").expect("the errors")..];
    assert!(said.split("</ul>").next().unwrap().contains("<li>改派理由: "), "{said}");
    assert!(unexplained.html.contains(">本周内更换道闸电机</textarea>"), "{}", unexplained.html);

    // Through the day screen: handed on with its reason.
    let sent_before = app.dispatched().await.len();
    let reason = "经核实北门属谐安物业 <i>管养</i>";
    let posted = hand_on(reason).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let handed = app.get(&path, &token).await.body;
    assert_eq!(
        (handed["state"].as_str(), handed["responsible_org"].as_str(), handed["commitment"]["text"].as_str()),
        (Some("committed"), Some(&*xiean), Some("本周内更换道闸电机"))
    );
    assert_eq!(handed["commitment"]["meeting"].as_str(), Some(meeting.rsplit('/').next().unwrap()));
    assert!(handed["return_request"].is_null(), "settled: {handed}");
    let timeline = app.get(&format!("{path}/events"), &token).await.body;
    let steps: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["transition"].as_str().unwrap()).collect();
    assert_eq!(steps, ["raise", "assign", "request_return", "reassign", "commit"]);
    assert_eq!(timeline[3]["fields"]["reason"], reason, "the note is why it was handed on");
    // No longer Anshang's to read, nor to follow; Xie'an told it is theirs, Anshang why not.
    assert_eq!(app.get(&path, &anshang_token).await.status, StatusCode::FORBIDDEN);
    let followers = roundtable_store::notices::followers(
        &mut app.state.db.conn().unwrap(),
        roundtable_core::IssueId(id.parse().unwrap()),
    )
    .unwrap();
    assert!(!followers.contains(&app.user(ANSHANG)), "{followers:?}");
    let sent = app.dispatched().await;
    let to = |login: &str| sent[sent_before..].iter().filter(|m| m.to.iter().any(|t| t == login)).collect::<Vec<_>>();
    assert!(to("xiean@dongsheng.example").iter().any(|m| m.subject.contains("小区北门道闸损坏")), "{sent:#?}");
    let told = to(ANSHANG);
    let told = told.iter().find(|m| m.subject.contains("已改派给其他单位")).unwrap_or_else(|| panic!("{told:#?}"));
    assert!(told.text.contains("经核实北门属谐安物业 <i>管养</i>") && !told.html.contains("<i>管养"), "{told:?}");
    // The day screen: dealt with; the item's note is the reason.
    let day = secretary.get(&format!("{meeting}/day")).await.html;
    assert!(!day.contains(&format!("id=\"hand-on-{asked_item}\"")), "dealt with");

    // The promise Anshang cannot keep goes to Xie'an with a promise of its own, through the
    // API; Anshang's is gone with it.
    let body = promise(&xiean, Some("车库照明属谐安物业"));
    let r = app.post(&outcome(&promised_item), &token, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let moved = app.get(&promised_path, &token).await.body;
    assert_eq!(
        (moved["state"].as_str(), moved["responsible_org"].as_str(), moved["commitment"]["text"].as_str()),
        (Some("committed"), Some(&*xiean), Some("更换道闸电机"))
    );
    assert_eq!(moved["extension_count"], 0, "a new promise, not an extension: {moved}");
    // The minutes: each promise under the company that made it, the reason beside the item.
    let closed = app.call(Method::POST, &format!("/api/v1{meeting}/close"), Some(&token), None).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let minutes = app.get(&format!("/api/v1{meeting}/minutes?format=md"), &token).await;
    let text = minutes.body.as_str().expect("markdown");
    assert!(text.contains("| 谐安物业 | 小区北门道闸损坏 | 本周内更换道闸电机 |"), "{text}");
    assert!(text.contains("| 谐安物业 | 地下车库照明不足 | 更换道闸电机 |"), "{text}");
    assert!(!text.contains("| 安尚物业 | 地下车库照明不足 |"), "made before the meeting: {text}");
    assert!(text.contains("经核实北门属谐安物业"), "{text}");
}
