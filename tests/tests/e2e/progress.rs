//! Progress on a promise (进展): the company says how the work is going, everyone who
//! follows the issue hears it, and the issue stays as it was — its clocks and the last
//! meeting's word stand.

use axum::http::StatusCode;
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::json;

use crate::api_flow::{fire, in_days, raise, try_fire};

on_both_databases!(at roundtable_e2e::monday(); the_company_reports_progress_and_the_followers_hear_it);

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const SUPERVISOR: &str = "supervisor@dongsheng.example";

async fn the_company_reports_progress_and_the_followers_hear_it(app: TestApp) {
    let raised = raise(&app, "地下车库照明损坏").await;
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    // Nothing promised yet, nothing to report on.
    let early = try_fire(&app, ANSHANG, &assigned, "report_progress", json!({"note": "在查"})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    let committed =
        fire(&app, ANSHANG, &assigned, "commit", json!({"commitment_text": "更换灯具", "due_date": in_days(&app, 10)}))
            .await;
    app.dispatched().await;
    let mailed = app.state.mailer.sent().await.len();
    // A day later: another company may not speak for it, nor may the raiser; something
    // must be said, and said in text.
    app.set_now(app.state.now() + chrono::Duration::days(1));
    let other = try_fire(&app, "xiean@dongsheng.example", &committed, "report_progress", json!({"note": "x"})).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.body);
    let raiser = try_fire(&app, SUPERVISOR, &committed, "report_progress", json!({"note": "x"})).await;
    assert_eq!(raiser.status, StatusCode::FORBIDDEN, "{}", raiser.body);
    for bad in [json!({}), json!({"note": "\u{200b} "}), json!({"note": "灯\u{0}具"}), json!({"note": 7})] {
        let refused = try_fire(&app, ANSHANG, &committed, "report_progress", bad.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", refused.body);
    }
    let said = "灯具已到货，周三晚间施工 <b>停电两小时</b>";
    let reported = fire(&app, ANSHANG, &committed, "report_progress", json!({"note": said})).await;
    assert_eq!(reported["state"], "committed");
    assert_eq!(reported["version"].as_i64(), committed["version"].as_i64().map(|v| v + 1));
    assert_eq!(reported["state_entered_at"], committed["state_entered_at"], "the promise's clock runs on");
    assert_eq!(reported["commitment"], committed["commitment"], "the promise and its date stay");
    // The form that saw the issue before the report is stale, as after any step.
    let stale = try_fire(&app, ANSHANG, &committed, "resolve", json!({"resolution_note": "好了"})).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // The raiser, who follows it, has a notice and a mail; the company that spoke has none.
    let notices = app.get("/api/v1/notices", &app.fresh_token(SUPERVISOR).await).await;
    let told = notices.body["items"].as_array().unwrap().iter().find(|n| n["transition"] == "report_progress");
    let told = told.unwrap_or_else(|| panic!("a notice of the progress: {}", notices.body));
    assert_eq!(told["fields"]["note"], said);
    let theirs = app.get("/api/v1/notices", &app.fresh_token(ANSHANG).await).await;
    assert!(!theirs.body.to_string().contains("report_progress"), "{}", theirs.body);
    let sent = app.dispatched().await;
    let new: Vec<_> = sent[mailed..].iter().filter(|m| m.to.iter().any(|t| t == SUPERVISOR)).collect();
    assert!(
        new.iter().any(|m| m.text.contains("责任单位报告进展") && m.text.contains("停电两小时")),
        "{:#?}",
        sent[mailed..].iter().map(|m| (&m.to, &m.subject, &m.text)).collect::<Vec<_>>()
    );
    assert!(new.iter().all(|m| !m.html.contains("<b>停电")), "the note is text in the mail");

    // On the pages: the company is offered the form; the raiser reads it on the timeline.
    let id = reported["id"].as_str().unwrap();
    let company = crate::pages::signed_in(&app, ANSHANG).await;
    let page = company.get(&format!("/issues/{id}")).await;
    assert!(page.html.contains("id=\"t-report_progress\"") && page.html.contains("报告进展"), "{}", page.html);
    let supervisor = crate::pages::signed_in(&app, SUPERVISOR).await;
    let page = supervisor.get(&format!("/issues/{id}")).await;
    assert!(!page.html.contains("id=\"t-report_progress\""), "the raiser has nothing to report");
    // Beside the promise, what was last said of it, and when.
    assert!(
        page.html.contains("<dd id=\"progress\">灯具已到货，周三晚间施工 &lt;b&gt;停电两小时&lt;/b&gt; <span"),
        "{}",
        page.html
    );
    let timeline = &page.html[page.html.find("办理记录").expect("the timeline")..];
    assert!(timeline.contains("报告进展") && timeline.contains("&lt;b&gt;停电两小时&lt;/b&gt;"), "{timeline}");

    // Reported through the page's form, by the secretary writing down a phone call.
    let secretary = crate::pages::signed_in(&app, SECRETARY).await;
    let path = format!("/issues/{id}");
    let page = secretary.get(&path).await;
    let version = page.field("version").expect("a version");
    let posted = secretary
        .submit(
            &path,
            &format!("{path}/transitions"),
            &[("transition", "report_progress"), ("version", &version), ("note", "物业电话告知：周三施工")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let after = app.get(&format!("/api/v1/issues/{id}"), &app.token(SECRETARY).await).await;
    assert_eq!(after.body["state_entered_at"], committed["state_entered_at"]);
    assert_eq!(after.body["state"], "committed");
    assert!(supervisor.get(&path).await.html.contains("<dd id=\"progress\">物业电话告知：周三施工"), "the latest");
    // At Sunday's meeting the chair reads what was last said of the promise, and when —
    // on the day screen and on the agenda's page.
    let (meeting, _) = crate::meetings::build_and_open(&app, "2026-12-06").await;
    let meeting = meeting.trim_start_matches("/api/v1");
    let said = "最新进展：物业电话告知：周三施工 · 2026-12-01";
    let secretary = crate::pages::signed_in(&app, SECRETARY).await;
    let day = secretary.get(&format!("{meeting}/day")).await.html;
    assert!(day.contains(said), "{day}");
    let agenda = supervisor.get(meeting).await.html;
    assert!(agenda.contains(said), "{agenda}");
    // And the printed agenda, under the promise; not the public one.
    let printed = app.get(&format!("/api/v1{meeting}/agenda?format=md"), &app.token(SUPERVISOR).await).await;
    let printed = printed.body.as_str().expect("markdown").to_owned();
    assert!(printed.contains(&format!("  \n   {said}\n")), "{printed}");
    let html = app.get(&format!("/api/v1{meeting}/agenda"), &app.token(SUPERVISOR).await).await;
    assert!(html.body.as_str().expect("html").contains(&format!("<br>{said}</span>")), "{}", html.body);
    let id = meeting.rsplit('/').next().expect("an id");
    let public = format!("/communities/{}/meetings/{id}/agenda", app.community());
    let (status, _, body) = app.anonymous(&public, None).await;
    let body = String::from_utf8(body).expect("utf-8");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("地下车库照明损坏") && !body.contains("物业电话告知"), "{body}");
    // Fixed, the progress is the timeline's: the fix speaks for itself.
    fire(&app, ANSHANG, &after.body, "resolve", json!({"resolution_note": "已更换灯具"})).await;
    let fixed = supervisor.get(&path).await.html;
    assert!(!fixed.contains("id=\"progress\"") && fixed.contains("物业电话告知：周三施工"), "{fixed}");
}
