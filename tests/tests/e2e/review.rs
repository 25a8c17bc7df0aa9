//! The parties' review of draft minutes (会议纪要征求意见): the organisations that came to
//! the meeting read the draft and ask for corrections until the review's last day; the
//! secretary answers each and publishes only then.

use axum::http::{Method, StatusCode};
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::{Value, json};

on_both_databases!(
    at roundtable_e2e::monday();
    the_parties_that_came_review_the_draft_and_the_secretary_answers_each_correction,
    the_review_is_asked_and_answered_on_the_minutes_page,
    one_party_cannot_hold_the_minutes_back_by_flooding_them,
    everyone_sees_where_a_meeting_s_minutes_stand,
    the_secretaries_hear_of_minutes_left_unpublished_after_the_review,
);

mod without_review {
    use super::*;
    roundtable_e2e::on_both_databases!(
        @with (|b: roundtable_e2e::TestAppBuilder| b.at(roundtable_e2e::monday()).config(|c| c.meeting.minutes_review_days = 0));
        with_no_review_days_the_draft_stays_the_secretary_s
    );
}

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
/// The words of the decision `held` takes on an issue of Anshang's.
const DECIDED: &str = "请责任单位一周内作出书面承诺";

/// December's meeting held with Anshang and the supervisory committee present, a decision
/// taken on an issue of Anshang's (`DECIDED`), closed at 11:30 on its day in Jincheng; its
/// API path.
async fn held(app: &TestApp) -> String {
    let secretary = app.token(SECRETARY).await;
    let next = app.get("/api/v1/meetings/next", &secretary).await;
    let (path, secretary) = crate::meetings::build_and_open(app, next.str("slot")).await;
    for (org, who) in [("安尚物业", "李明"), ("业主监督委员会", "张秀兰")] {
        let body = json!({"org": app.org(org), "attendees": who});
        let came = app.call(Method::PUT, &format!("{path}/attendance"), Some(&secretary), Some(body)).await;
        assert_eq!(came.status, StatusCode::OK, "{}", came.body);
    }
    let detail = app.get(&path, &secretary).await.body;
    let anshang = app.org("安尚物业").to_string();
    let mut theirs = None;
    for item in crate::meetings::items(&detail).iter().filter(|i| i["issue"].is_string()) {
        let issue = app.get(&format!("/api/v1/issues/{}", item["issue"].as_str().unwrap()), &secretary).await.body;
        if issue["responsible_org"] == anshang.as_str() {
            theirs = Some(item.clone());
            break;
        }
    }
    let item = theirs.expect("an issue of Anshang's on the agenda");
    let decided = app
        .post(
            &format!("{path}/items/{}/outcome", item["id"].as_str().unwrap()),
            &secretary,
            json!({"outcome": "decision", "note": DECIDED}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    app.set_now("2026-12-06T03:30:00Z".parse().unwrap());
    let closed = app.call(Method::POST, &format!("{path}/close"), Some(&secretary), None).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    path
}

fn queued(app: &TestApp, effect: &str) -> usize {
    let conn = &mut *app.state.db.conn().unwrap();
    let all = roundtable_store::outbox::effects(conn, &app.community().to_string()).unwrap();
    all.iter().filter(|e| *e == effect).count()
}

fn refusal(reply: &roundtable_e2e::Reply) -> (StatusCode, Option<&str>) {
    (reply.status, reply.body["code"].as_str())
}

async fn the_parties_that_came_review_the_draft_and_the_secretary_answers_each_correction(app: TestApp) {
    let path = held(&app).await;
    let (secretary, anshang) = (app.token(SECRETARY).await, app.token(ANSHANG).await);
    let xiean = app.token("xiean@dongsheng.example").await;
    let resident = app.token("resident@dongsheng.example").await;
    let corrections = format!("{path}/minutes/corrections");

    // The two organisations that came are told, and no one else: a notice each, with the
    // review's last day (Sunday the 6th and three days more) and the way to the draft.
    assert_eq!(queued(&app, "minutes_for_review"), 2);
    let mail: Vec<_> = app.dispatched().await.into_iter().filter(|m| m.subject.contains("纪要草稿征求意见")).collect();
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert!(mail.iter().all(|m| m.subject == "东圣社区联席会议纪要草稿征求意见（2026-12-06）"), "{mail:?}");
    let id = path.rsplit('/').next().unwrap();
    assert!(mail.iter().all(|m| m.text.contains("请在 2026-12-09（含）前审阅会议纪要草稿")), "{mail:?}");
    assert!(mail.iter().all(|m| m.text.contains(&format!("/meetings/{id}/minutes"))), "{mail:?}");
    // Anshang's says what the draft records of its own items, to check before the last day;
    // the committee, responsible for none, is not given a list.
    let to = |address: &str| mail.iter().find(|m| m.to == [address]).expect("told");
    let anshang_mail = &to(ANSHANG).text;
    assert!(
        anshang_mail.contains("纪要草稿中贵单位的议题及会议结果（如有出入，请在审阅期内提出更正）：")
            && anshang_mail.contains(&format!("：形成决定；{DECIDED}\n")),
        "{anshang_mail}"
    );
    let committee = &to("supervisors@dongsheng.example").text;
    assert!(!committee.contains("贵单位的议题"), "{committee}");

    // Those who came read the draft; another company and a resident do not.
    for (who, token, status) in [("Anshang", &anshang, 200), ("Xie'an", &xiean, 404), ("a resident", &resident, 404)] {
        let draft = app.call(Method::GET, &format!("{path}/minutes"), Some(token), None).await;
        assert_eq!(draft.status.as_u16(), status, "{who}: {}", draft.body);
    }
    let review = app.get(&corrections, &anshang).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert_eq!(
        (&review.body["last_day"], &review.body["open"], &review.body["may_ask"], &review.body["may_answer"]),
        (&json!("2026-12-09"), &json!(true), &json!(true), &json!(false))
    );
    for token in [&xiean, &resident] {
        assert_eq!(app.get(&corrections, token).await.status, StatusCode::FORBIDDEN);
    }
    let desk = app.get(&corrections, &secretary).await;
    assert_eq!((&desk.body["may_ask"], &desk.body["may_answer"]), (&json!(false), &json!(true)), "{}", desk.body);

    // Nothing bad is kept: empty, blank, control characters, too long, wrong shapes.
    let long = "期".repeat(2001);
    for body in [
        json!({"text": ""}),
        json!({"text": "\u{200b}\u{3000} "}),
        json!({"text": "记录\u{0}有误"}),
        json!({"text": long}),
        json!({"text": 12}),
        json!({"text": "ok", "org": "x"}),
        json!({}),
    ] {
        let refused = app.call(Method::POST, &corrections, Some(&anshang), Some(body.clone())).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", refused.body);
    }
    assert_eq!(app.get(&corrections, &secretary).await.body["corrections"], json!([]));

    // Anshang asks; the same text sent twice (a double tap) is one correction. (The
    // demo's held meetings each had one.)
    let told_before = queued(&app, "minutes_correction_asked");
    let text = "我方承诺期限应为 2026-12-20，不是 12-13 <script>alert(1)</script>";
    let asked = app.call(Method::POST, &corrections, Some(&anshang), Some(json!({"text": text}))).await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    assert_eq!(queued(&app, "minutes_correction_asked") - told_before, 1, "the secretaries are told");
    let twice = app.call(Method::POST, &corrections, Some(&anshang), Some(json!({"text": text}))).await;
    assert_eq!((twice.status, &twice.body["id"]), (StatusCode::CREATED, &asked.body["id"]));
    assert_eq!(
        (asked.str("org_name"), &asked.body["mine"], &asked.body["answer"]),
        ("安尚物业", &json!(true), &Value::Null)
    );
    assert_eq!(queued(&app, "minutes_correction_asked") - told_before, 1, "once, however often it is sent");
    let told: Vec<_> = app.dispatched().await.into_iter().filter(|m| m.subject.contains("纪要收到更正意见")).collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].to.contains(&"secretary@dongsheng.example".to_owned()), "{:?}", told[0].to);
    assert!(told[0].text.contains(&format!("/meetings/{id}/minutes#review")), "{}", told[0].text);
    // Those who did not come may not ask, nor may the secretary (who amends the draft).
    for token in [&xiean, &resident, &secretary] {
        let refused = app.call(Method::POST, &corrections, Some(token), Some(json!({"text": "我也有意见"}))).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    // The supervisory committee sees Anshang's correction, not as its own.
    let supervisor = app.token("supervisor@dongsheng.example").await;
    let seen = app.get(&corrections, &supervisor).await;
    assert_eq!(
        (seen.body["corrections"][0]["text"].as_str(), &seen.body["corrections"][0]["mine"]),
        (Some(text), &json!(false))
    );

    // The review ends with its last day, local time.
    app.set_now("2026-12-09T16:00:00Z".parse().unwrap());
    let late = app.call(Method::POST, &corrections, Some(&supervisor), Some(json!({"text": "晚了一步"}))).await;
    assert_eq!(refusal(&late), (StatusCode::CONFLICT, Some("review_over")), "{}", late.body);
    assert!(late.body["detail"].as_str().unwrap().contains("2026-12-09"), "{}", late.body);
    app.set_now("2026-12-09T15:59:00Z".parse().unwrap());
    let in_time =
        app.call(Method::POST, &corrections, Some(&supervisor), Some(json!({"text": "出席名单漏了刘女士"}))).await;
    assert_eq!(in_time.status, StatusCode::CREATED, "{}", in_time.body);

    // Publishing waits for every answer.
    let publish = format!("{path}/minutes/publish");
    let early = app.call(Method::POST, &publish, Some(&secretary), None).await;
    assert_eq!(refusal(&early), (StatusCode::CONFLICT, Some("corrections_unanswered")), "{}", early.body);
    assert!(early.body["detail"].as_str().unwrap().starts_with("2 correction(s)"), "{}", early.body);

    // Only the secretary answers; an unknown correction, a foreign one, a made-up answer.
    let first = format!("{corrections}/{}", asked.str("id"));
    let accepted = json!({"answer": "accepted", "reply": "已按录音核实，改为 12-20"});
    assert_eq!(
        app.call(Method::PUT, &first, Some(&anshang), Some(accepted.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let unknown = format!("{corrections}/{}", uuid::Uuid::now_v7());
    assert_eq!(
        app.call(Method::PUT, &unknown, Some(&secretary), Some(accepted.clone())).await.status,
        StatusCode::NOT_FOUND
    );
    let maybe = app.call(Method::PUT, &first, Some(&secretary), Some(json!({"answer": "maybe"}))).await;
    assert_eq!(maybe.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", maybe.body);
    let nul =
        app.call(Method::PUT, &first, Some(&secretary), Some(json!({"answer": "declined", "reply": "\u{0}"}))).await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.body);
    // An answer may change until publication.
    let answered_before = queued(&app, "minutes_correction_answered");
    let declined = app.call(Method::PUT, &first, Some(&secretary), Some(json!({"answer": "declined"}))).await;
    assert_eq!((declined.status, declined.str("answer")), (StatusCode::OK, "declined"), "{}", declined.body);
    let answered = app.call(Method::PUT, &first, Some(&secretary), Some(accepted.clone())).await;
    assert_eq!((answered.str("answer"), answered.str("reply")), ("accepted", "已按录音核实，改为 12-20"));
    // Anshang is told each answer, at its address, with its words and the reply (escaped),
    // and that the second changed the first; the same answer sent again tells no one.
    let same = app.call(Method::PUT, &first, Some(&secretary), Some(accepted)).await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    assert_eq!(queued(&app, "minutes_correction_answered") - answered_before, 2, "declined, then accepted");
    let told: Vec<_> =
        app.dispatched().await.into_iter().filter(|m| m.subject.contains("纪要更正意见已答复")).collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told.iter().all(|m| m.to == ["anshang@dongsheng.example"]), "{told:?}");
    assert_eq!(told[0].subject, "东圣社区联席会议纪要更正意见已答复（2026-12-06）");
    for m in &told {
        assert!(m.text.contains(&format!("您单位的更正意见：{text}")), "{}", m.text);
        assert!(m.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !m.html.contains("<script>"), "{}", m.html);
        assert!(m.text.contains(&format!("/meetings/{id}/minutes#review")), "{}", m.text);
    }
    // (Sent in either order: both were answered within the test's frozen clock tick.)
    let said = |answer: &str| told.iter().find(|m| m.text.contains(answer)).expect(answer);
    let first_answer = said("书记答复：未采纳\n");
    assert!(!first_answer.text.contains("更改了此前的答复"), "{}", first_answer.text);
    for line in ["说明：已按录音核实，改为 12-20", "（书记更改了此前的答复。）"] {
        assert!(said("书记答复：已采纳").text.contains(line), "{line}");
    }
    let still = app.call(Method::POST, &publish, Some(&secretary), None).await;
    assert!(still.body["detail"].as_str().unwrap().starts_with("1 correction(s)"), "{}", still.body);
    let second = format!("{corrections}/{}", in_time.str("id"));
    let body = json!({"answer": "declined", "reply": "刘女士未签到"});
    assert_eq!(app.call(Method::PUT, &second, Some(&secretary), Some(body)).await.status, StatusCode::OK);
    let theirs: Vec<_> =
        app.dispatched().await.into_iter().filter(|m| m.subject.contains("纪要更正意见已答复")).skip(2).collect();
    assert_eq!(theirs.len(), 1, "the supervisory committee's answer, to it alone: {theirs:?}");
    assert_eq!(theirs[0].to, ["supervisors@dongsheng.example"]);
    assert!(theirs[0].text.contains("书记答复：未采纳\n说明：刘女士未签到"), "{}", theirs[0].text);
    let done = app.call(Method::POST, &publish, Some(&secretary), None).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);

    // Published: locked for corrections and answers; the record of them stays.
    app.set_now("2026-12-09T10:00:00Z".parse().unwrap());
    let after = app.call(Method::POST, &corrections, Some(&anshang), Some(json!({"text": "还有一处"}))).await;
    assert_eq!(refusal(&after), (StatusCode::CONFLICT, Some("minutes_published")), "{}", after.body);
    let reanswer = app.call(Method::PUT, &second, Some(&secretary), Some(json!({"answer": "accepted"}))).await;
    assert_eq!(refusal(&reanswer), (StatusCode::CONFLICT, Some("minutes_published")), "{}", reanswer.body);
    let record = app.get(&corrections, &anshang).await;
    assert_eq!((&record.body["open"], &record.body["may_ask"]), (&json!(false), &json!(false)));
    let answers: Vec<&str> =
        record.body["corrections"].as_array().unwrap().iter().map(|c| c["answer"].as_str().unwrap()).collect();
    assert_eq!(answers, ["accepted", "declined"]);
    // Everyone reads the published minutes; the corrections stay the parties'.
    let minutes = app.call(Method::GET, &format!("{path}/minutes"), Some(&resident), None).await;
    assert_eq!(minutes.status, StatusCode::OK);
    let document = minutes.body.as_str().unwrap();
    assert!(!document.contains("12-20") && !document.contains("刘女士"), "a correction's words are not in it");
    assert!(document.contains("纪要草稿经参会单位审阅：提出更正意见 2 条，采纳 1 条。"), "{document}");
    assert_eq!(app.get(&corrections, &resident).await.status, StatusCode::FORBIDDEN);
    // Each step is in the audit trail.
    use roundtable_core::audit::AuditAction;
    let conn = &mut *app.state.db.conn().unwrap();
    let mut logged = |action| {
        let only = roundtable_store::audit::AuditFilter { action: Some(action), ..Default::default() };
        roundtable_store::audit::list(conn, app.community(), &only, 200).unwrap().0.len()
    };
    assert_eq!((logged(AuditAction::CorrectionAsked), logged(AuditAction::CorrectionAnswered)), (2, 3));
}

async fn the_review_is_asked_and_answered_on_the_minutes_page(app: TestApp) {
    let path = held(&app).await;
    let page = path.trim_start_matches("/api/v1");
    let minutes = format!("{page}/minutes");

    let anshang = app.pages();
    anshang.sign_in(ANSHANG).await;
    // "My work" leads there.
    let home = anshang.get("/").await.html;
    assert!(home.contains("2026-12-06 会议纪要草稿") && home.contains("参会单位可在 2026-12-09（含）前"), "{home}");
    assert!(home.contains(&format!("href=\"{minutes}#review\"")), "{home}");
    let seen = anshang.get(&minutes).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.html.contains("id=\"minutes\"") && seen.html.contains("草稿"), "the draft is shown");
    assert!(seen.html.contains("参会单位可在 2026-12-09（含）前对草稿提出更正意见。"), "{}", seen.html);
    assert!(seen.html.contains("尚无更正意见。") && !seen.html.contains("publish-minutes"));
    assert!(seen.html.contains("<a href=\"#review\" id=\"to-review\">征求意见（0 条）</a>"), "{}", seen.html);
    // A refused correction keeps what was typed.
    let long = "错".repeat(2001);
    let refused = anshang.submit(&minutes, &format!("{minutes}/corrections"), &[("text", &long)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains(&long), "what was typed is kept");
    let asked = anshang.submit(&minutes, &format!("{minutes}/corrections"), &[("text", "期限应为 <b>12-20</b>")]).await;
    let flash = format!("{minutes}?done=correction_asked#review");
    assert_eq!((asked.status, asked.location()), (StatusCode::SEE_OTHER, flash.as_str()));
    let asked = anshang.get(&flash).await;
    assert!(asked.html.contains("更正意见已提交"), "{}", asked.html);
    assert!(asked.html.contains("期限应为 &lt;b&gt;12-20&lt;/b&gt;") && !asked.html.contains("<b>12-20"));
    assert!(asked.html.contains("（本人提出）") && asked.html.contains("待答复"));
    assert!(asked.html.contains("征求意见（1 条）"), "the way down to them counts them");
    // Its home says its correction waits for the secretary (not the secretary's count).
    let home = anshang.get("/").await.html;
    assert!(home.contains("id=\"home-review\"") && !home.contains("还有 1 条更正意见待答复"), "{home}");
    assert!(
        home.contains("<p class=\"notice\" id=\"mine-waiting\">您单位提出的更正意见有 1 条待书记答复。</p>"),
        "{home}"
    );

    let secretary = app.pages();
    secretary.sign_in(SECRETARY).await;
    let absent = app.pages();
    absent.sign_in("xiean@dongsheng.example").await;
    assert!(!absent.get("/").await.html.contains("home-review"), "not Xie'an's to review");
    let home = secretary.get("/").await.html;
    assert!(home.contains("id=\"home-review\"") && home.contains("还有 1 条更正意见待答复"), "{home}");
    let desk = secretary.get(&minutes).await;
    assert!(desk.html.contains("还有 1 条更正意见待答复"), "{}", desk.html);
    // The button waits for the answer (the server refuses anyway, below).
    assert!(desk.html.contains(r#"id="publish-minutes" disabled aria-describedby="unanswered""#), "{}", desk.html);
    let refused = secretary.submit(&minutes, &format!("{minutes}/publish"), &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.html.contains("还有更正意见待答复"), "the reason, on the minutes page: {}", refused.html);
    let correction = app.get(&format!("{path}/minutes/corrections"), &app.token(SECRETARY).await).await;
    let answer_at = format!("{minutes}/corrections/{}", correction.body["corrections"][0]["id"].as_str().unwrap());
    let bogus = secretary.submit(&minutes, &answer_at, &[("answer", "maybe"), ("reply", "")]).await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answered = secretary.submit(&minutes, &answer_at, &[("answer", "accepted"), ("reply", "已改正 & 重印")]).await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.html);
    let answered = secretary.get(answered.location()).await;
    assert!(answered.html.contains("已答复该更正意见") && answered.html.contains("已改正 &amp; 重印"));
    assert!(!answered.html.contains("id=\"unanswered\"") && answered.html.contains(r#"id="publish-minutes">"#));
    // Answered: Anshang's home says so, past the review's last day too, until publication.
    app.set_now("2026-12-10T01:00:00Z".parse().unwrap());
    let (anshang, secretary) = (app.pages(), app.pages());
    anshang.sign_in(ANSHANG).await;
    secretary.sign_in(SECRETARY).await;
    let home = anshang.get("/").await.html;
    assert!(
        home.contains("书记已答复您单位的 1 条更正意见：答复见纪要页面。") && !home.contains("mine-waiting"),
        "{home}"
    );
    assert!(!home.contains("前对草稿提出更正意见"), "the review is over: {home}");
    let published = secretary.submit(&minutes, &format!("{minutes}/publish"), &[]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let published = secretary.get(published.location()).await;
    assert!(published.html.contains("会议纪要已发布"), "{}", published.html);

    assert!(!secretary.get("/").await.html.contains("home-review"), "published: off the secretary's list");
    // Anshang sees the answer; the form is gone.
    let after = anshang.get(&minutes).await;
    assert!(after.html.contains("已采纳") && after.html.contains("已改正 &amp; 重印"), "{}", after.html);
    assert!(!after.html.contains("ask-correction"));
    // Another company sees neither the corrections nor a form.
    let xiean = app.pages();
    xiean.sign_in("xiean@dongsheng.example").await;
    let other = xiean.get(&minutes).await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(!other.html.contains("id=\"review\"") && !other.html.contains("12-20"), "{}", other.html);
}

async fn with_no_review_days_the_draft_stays_the_secretary_s(app: TestApp) {
    let path = held(&app).await;
    assert_eq!(queued(&app, "minutes_for_review"), 0, "nobody is asked to review");
    let anshang = app.token(ANSHANG).await;
    let draft = app.call(Method::GET, &format!("{path}/minutes"), Some(&anshang), None).await;
    assert_eq!(draft.status, StatusCode::NOT_FOUND, "the draft is the secretary's");
    let corrections = format!("{path}/minutes/corrections");
    let asked = app.call(Method::POST, &corrections, Some(&anshang), Some(json!({"text": "有误"}))).await;
    assert_eq!(refusal(&asked), (StatusCode::CONFLICT, Some("review_off")), "{}", asked.body);
    assert_eq!(app.get(&corrections, &anshang).await.status, StatusCode::FORBIDDEN);
    let desk = app.get(&corrections, &app.token(SECRETARY).await).await;
    assert_eq!((&desk.body["last_day"], &desk.body["open"]), (&Value::Null, &json!(false)), "{}", desk.body);
    // Straight to the secretary's draft, without a review window.
    let listed = app.get("/api/v1/meetings", &anshang).await;
    assert_eq!(stage(&listed.body, &path), (json!("draft"), Value::Null));
    // Unpublished the morning after the close: the secretaries are told, without a review.
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let tick = |now| roundtable_web::jobs::minutes_due::tick(&app.state.db, &app.state.config, at(now));
    assert_eq!(tick("2026-12-06T23:59:00Z").await, Ok(0));
    assert_eq!(tick("2026-12-07T00:00:00Z").await, Ok(1));
    app.set_now(at("2026-12-07T00:00:00Z"));
    let due: Vec<_> = app.dispatched().await.into_iter().filter(|m| m.subject.contains("纪要尚未发布")).collect();
    assert_eq!(due.len(), 1);
    assert!(due[0].text.contains("请在纪要页面核对后发布") && !due[0].text.contains("审阅"), "{}", due[0].text);
    let published =
        app.call(Method::POST, &format!("{path}/minutes/publish"), Some(&app.token(SECRETARY).await), None).await;
    assert_eq!(published.status, StatusCode::OK);
}

async fn one_party_cannot_hold_the_minutes_back_by_flooding_them(app: TestApp) {
    let path = held(&app).await;
    let corrections = format!("{path}/minutes/corrections");
    let anshang = app.token(ANSHANG).await;
    for n in 1..=20 {
        let asked =
            app.call(Method::POST, &corrections, Some(&anshang), Some(json!({"text": format!("第 {n} 处有误")}))).await;
        assert_eq!(asked.status, StatusCode::CREATED, "{n}: {}", asked.body);
    }
    let more = app.call(Method::POST, &corrections, Some(&anshang), Some(json!({"text": "第 21 处有误"}))).await;
    assert_eq!(refusal(&more), (StatusCode::CONFLICT, Some("too_many_corrections")), "{}", more.body);
    assert!(more.body["detail"].as_str().unwrap().contains("20 corrections"), "{}", more.body);
    // A repeat is still the first, not refused; another party still asks.
    let again = app.call(Method::POST, &corrections, Some(&anshang), Some(json!({"text": "第 1 处有误"}))).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let supervisor = app.token("supervisor@dongsheng.example").await;
    let other = app.call(Method::POST, &corrections, Some(&supervisor), Some(json!({"text": "出席名单有误"}))).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    let listed = app.get(&corrections, &supervisor).await;
    assert_eq!(listed.body["corrections"].as_array().unwrap().len(), 21);
}

/// A meeting's `minutes` and `review_until` in a list of meetings.
fn stage(meetings: &Value, path: &str) -> (Value, Value) {
    let id = path.rsplit('/').next().unwrap();
    let m = meetings.as_array().unwrap().iter().find(|m| m["id"] == id).expect("the meeting is listed");
    (m["minutes"].clone(), m["review_until"].clone())
}

/// "Are the minutes out?": the calendar, the meeting's page and the API say where each
/// meeting's minutes stand, to everyone in the community — a resident too, who may not
/// read the draft but may know when to look again.
async fn everyone_sees_where_a_meeting_s_minutes_stand(app: TestApp) {
    let resident = app.token("resident@dongsheng.example").await;
    let next = app.get("/api/v1/meetings/next", &resident).await;
    assert_eq!((next.str("minutes"), &next.body["review_until"]), ("none", &Value::Null), "{}", next.body);
    let path = held(&app).await;
    let page = path.trim_start_matches("/api/v1").to_owned();
    let pages = app.pages();
    pages.sign_in("resident@dongsheng.example").await;
    let in_review = "纪要: <span class=\"minutes-stage minutes-in_review\">草稿征求意见中（至 2026-12-09）</span>";

    // Closed on Sunday: under review until Wednesday, in the list and on the meeting.
    let listed = app.get("/api/v1/meetings", &resident).await;
    assert_eq!(stage(&listed.body, &path), (json!("in_review"), json!("2026-12-09")), "{}", listed.body);
    let one = app.get(&path, &resident).await;
    assert_eq!(one.body["meeting"]["minutes"], "in_review", "{}", one.body);
    let calendar = pages.get("/meetings").await.html;
    assert_eq!(calendar.matches(in_review).count(), 2, "the calendar and the list of meetings: {calendar}");
    assert!(pages.get(&page).await.html.contains(in_review));
    let minutes = pages.get(&format!("{page}/minutes")).await.html;
    // Said once: not "not published" and then the stage's own label.
    let stage_only = in_review.trim_start_matches("纪要: ");
    assert!(minutes.contains(&format!("会议纪要尚未发布：{stage_only}")), "{minutes}");

    // Thursday 00:00 in Jincheng: the review is over, the draft waits for the secretary.
    app.set_now("2026-12-09T16:00:00Z".parse().unwrap());
    let listed = app.get("/api/v1/meetings", &resident).await;
    assert_eq!(stage(&listed.body, &path), (json!("draft"), Value::Null));
    let calendar = pages.get("/meetings").await.html;
    assert!(calendar.contains("纪要: <span class=\"minutes-stage minutes-draft\">草稿，待发布</span>"), "{calendar}");
    assert!(!calendar.contains("征求意见中"), "{calendar}");

    let secretary = app.token(SECRETARY).await;
    let published = app.call(Method::POST, &format!("{path}/minutes/publish"), Some(&secretary), None).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let listed = app.get("/api/v1/meetings", &resident).await;
    assert_eq!(stage(&listed.body, &path), (json!("published"), Value::Null));
    let english = app.pages();
    english.sign_in("resident@dongsheng.example").await;
    english.submit("/meetings", "/lang", &[("lang", "en"), ("next", "/meetings")]).await;
    let calendar = english.get("/meetings").await.html;
    assert!(
        calendar.contains("Minutes: <span class=\"minutes-stage minutes-published\">published</span>"),
        "{calendar}"
    );
}

/// The parties were told the minutes follow the review; a draft nobody publishes leaves
/// every promise of the meeting unrecorded. The morning after the review's last day the
/// secretaries hear of it once — with the corrections still to answer — and no one else.
async fn the_secretaries_hear_of_minutes_left_unpublished_after_the_review(app: TestApp) {
    let path = held(&app).await;
    let anshang = app.token(ANSHANG).await;
    let asked = app
        .call(Method::POST, &format!("{path}/minutes/corrections"), Some(&anshang), Some(json!({"text": "期限有误"})))
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let tick = |now| roundtable_web::jobs::minutes_due::tick(&app.state.db, &app.state.config, at(now));
    // Wednesday, the last day, to its end, and Thursday before 08:00 in Jincheng: not yet.
    for not_yet in ["2026-12-09T15:59:00Z", "2026-12-09T23:59:00Z"] {
        assert_eq!(tick(not_yet).await, Ok(0), "{not_yet}");
    }
    // Thursday 08:00, and every hour after: once.
    assert_eq!(tick("2026-12-10T00:00:00Z").await, Ok(1));
    assert_eq!(tick("2026-12-10T01:00:00Z").await, Ok(0));
    assert_eq!(queued(&app, "minutes_due"), 1);
    app.set_now(at("2026-12-10T00:00:00Z"));
    let sent = app.dispatched().await;
    let due: Vec<_> = sent.iter().filter(|m| m.subject.contains("纪要尚未发布")).collect();
    assert_eq!(due.len(), 1, "{:?}", sent.iter().map(|m| &m.subject).collect::<Vec<_>>());
    assert_eq!(due[0].subject, "东圣社区联席会议纪要尚未发布（2026-12-06）");
    assert_eq!(due[0].to, [SECRETARY], "the secretary's, no company's");
    let id = path.rsplit('/').next().unwrap();
    for line in
        ["参会单位审阅纪要草稿已于 2026-12-09 结束。", "还有 1 条更正意见待答复", &format!("/meetings/{id}/minutes")]
    {
        assert!(due[0].text.contains(line), "{line}: {}", due[0].text);
    }
    assert!(due[0].html.contains("还有 1 条更正意见待答复"), "{}", due[0].html);
}
