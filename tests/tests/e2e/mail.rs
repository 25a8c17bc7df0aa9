//! Notifications: every template in both languages (snapshots, escaping), the issue
//! cycle's mail to the right addresses exactly once, retries and dead rows.

use roundtable_e2e::{TestApp, on_both_databases};
use roundtable_store::outbox;
use roundtable_web::mail::{Templates, dispatch_once};
use serde_json::json;

use crate::api_flow::{fire, in_days, raise, through_verification};

on_both_databases!(the_issue_cycle_mails_the_right_people_once);

/// Monday 7 December 2026, 08:00 in Shanghai: each organisation answering for an open
/// issue gets one summary — its overdue promises, those due within the week, what awaits
/// its commitment, how many fixes await verification — and none of another's; not before
/// the hour, not twice, not on Tuesday. Its robots get the counts and a link, no titles.
async fn each_company_gets_its_weekly_summary_on_monday_morning(app: TestApp) {
    use roundtable_web::jobs::summaries;
    const SECRETARY: &str = "secretary@dongsheng.example";
    const ANSHANG: &str = "anshang@dongsheng.example";
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    // Promised on Monday 30 November: one by Thursday (overdue by the 7th), one by the 10th.
    let [late, soon, waiting, fixed] = ["（周报）逾期的承诺", "（周报）本周到期", "（周报）待承诺", "（周报）已办结"];
    let mut ours = Vec::new();
    for title in [late, soon, waiting, fixed] {
        let raised = raise(&app, title).await;
        ours.push(
            fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": app.org("安尚物业").to_string()})).await,
        );
    }
    let promise = |due: &str| json!({"commitment_text": "尽快处理", "due_date": due});
    fire(&app, ANSHANG, &ours[0], "commit", promise("2026-12-03")).await;
    fire(&app, ANSHANG, &ours[1], "commit", promise("2026-12-10")).await;
    let committed = fire(&app, ANSHANG, &ours[3], "commit", promise("2026-12-20")).await;
    fire(&app, ANSHANG, &committed, "resolve", json!({"resolution_note": "已修好"})).await;
    let theirs = raise(&app, "（周报）谐安的问题").await;
    fire(&app, SECRETARY, &theirs, "assign", json!({"responsible_org": app.org("谐安物业").to_string()})).await;

    let db = &app.state.db;
    assert_eq!(summaries::tick(db, at("2026-12-06T23:59:00Z")).await.unwrap(), 0, "07:59 on Monday");
    let queued = summaries::tick(db, at("2026-12-07T00:30:00Z")).await.unwrap();
    assert!(queued >= 2, "安尚 and 谐安 at least: {queued}");
    assert_eq!(summaries::tick(db, at("2026-12-07T00:45:00Z")).await.unwrap(), 0, "once a week");
    assert_eq!(summaries::tick(db, at("2026-12-08T00:30:00Z")).await.unwrap(), 0, "Tuesday");

    app.set_now(at("2026-12-07T00:30:00Z"));
    let state = &app.state;
    let report = dispatch_once(db, &state.mailer, &state.email, &state.config.mail, state.now(), 500).await.unwrap();
    assert_eq!(report.dead, 0);
    let sent = state.mailer.sent().await;
    let of = |org: &str| {
        let subject = format!("{org}本周待办 · 东圣社区（2026-12-07）");
        sent.iter().find(|m| m.subject == subject).unwrap_or_else(|| panic!("{subject}: {sent:?}")).clone()
    };
    let anshang = of("安尚物业");
    let text = &anshang.text;
    let (overdue, this_week, to_commit) = (
        text.find("逾期未兑现的承诺（").unwrap_or_else(|| panic!("{text}")),
        text.find("7 天内到期的承诺（1）").unwrap_or_else(|| panic!("{text}")),
        text.find("已交办、待承诺（").unwrap_or_else(|| panic!("{text}")),
    );
    let place = |title: &str| text.find(title).unwrap_or_else(|| panic!("{title}: {text}"));
    assert!(overdue < place(late) && place(late) < this_week, "{text}");
    assert!(this_week < place(soon) && place(soon) < to_commit && to_commit < place(waiting), "{text}");
    assert!(text.contains("期限 2026-12-03 · 已逾期 4 天") && text.contains("期限 2026-12-10"), "{text}");
    let line = |title: &str| text[place(title)..].lines().next().unwrap().to_owned();
    assert!(!line(soon).contains("逾期"), "{}", line(soon));
    assert!(line(waiting).ends_with("交办 7 天未承诺"), "assigned on Monday 30 November: {}", line(waiting));
    assert!(anshang.html.contains(" · 已逾期 4 天</li>"), "{}", anshang.html);
    assert!(!text.contains(fixed) && text.contains("已办结待验收"), "a fix awaiting verification is counted: {text}");
    assert!(!text.contains("谐安的问题"), "nothing of another company's: {text}");
    assert!(
        anshang.html.contains(&format!("/issues/{}\">{late}</a>", ours[0]["id"].as_str().unwrap())),
        "{}",
        anshang.html
    );
    assert!(of("谐安物业").text.contains("谐安的问题"));

    // What a robot of the company would get: the counts and the link, no titles.
    let conn = &mut *db.conn().unwrap();
    let community = roundtable_store::directory::get_community(conn, app.community()).unwrap();
    let base = "http://127.0.0.1:8080";
    let context = roundtable_web::mail::summary::context(conn, &community, app.org("安尚物业"), base, state.now())
        .unwrap()
        .expect("something is open");
    // Each section names its whole list on the pages, which the mail links past its 20 lines.
    let lists: Vec<&str> =
        context["sections"].as_array().unwrap().iter().map(|s| s["list"].as_str().unwrap()).collect();
    assert_eq!(
        lists,
        [
            format!("{base}/issues?overdue=1"),
            format!("{base}/issues?due_soon=1"),
            format!("{base}/issues?state=assigned&order=oldest")
        ]
    );
    let message = roundtable_web::mail::channels::message("zh-CN", "weekly_summary", &context);
    assert!(message.markdown.starts_with("### 安尚物业本周待办 · 东圣社区"), "{}", message.markdown);
    // As many overdue as the mail lists (the demo's broken promises with the test's).
    let listed = &text[overdue + "逾期未兑现的承诺（".len()..];
    let listed = &listed[..listed.find('）').unwrap()];
    assert!(listed.parse::<u32>().unwrap() >= 1, "{text}");
    let counted = format!("逾期未兑现 {listed}");
    assert!(
        message.markdown.contains(&counted) && message.markdown.contains(&format!("({base}/)")),
        "{}",
        message.markdown
    );
    assert!(!message.markdown.contains("周报"), "{}", message.markdown);
}

/// The timers' test promises a fix by 30 December 2026 and runs the clock to it.
mod on_a_monday {
    use super::*;
    roundtable_e2e::on_both_databases!(
        at roundtable_e2e::monday();
        workflow_timers_remind_and_escalate_exactly_once,
        each_company_gets_its_weekly_summary_on_monday_morning,
    );
}

fn context() -> serde_json::Value {
    json!({
        "community": "东圣社区",
        "org": "安尚物业",
        "issue": {
            "title": "<script>alert(1)</script> 地下室漏水",
            "description": "雨后地下室积水 & 墙皮洇水\n负一层最严重",
            "compound": "君悦湾",
            "url": "http://127.0.0.1:8080/issues/0190a000-0000-7000-8000-000000000001",
            "commitment": "更换防水层",
            "due_date": "2026-12-20",
        },
        "step": "已承诺",
        "note": "<b>已更换</b>\n已试水",
        "links": {"fixed": "http://127.0.0.1:8080/v/1/fixed/2/3/4", "partly_fixed": "http://127.0.0.1:8080/v/1/partly-fixed/2/3/6", "not_fixed": "http://127.0.0.1:8080/v/1/not-fixed/2/3/5"},
        "raiser": {"name": "张秀兰", "email": "supervisor@dongsheng.example", "phone": "13900000000"},
        "what": "议程已发布",
        "login": "<b>anshang</b>@dongsheng.example",
        "link": "http://127.0.0.1:8080/password/reset/1/2/3/4?lang=zh-CN",
        "minutes": 60,
        "items": [{"title": "<script>alert(1)</script> 地下室漏水", "mine": true}, {"title": "小区路灯不亮", "mine": false}],
        // The minutes' mail to a company: what the meeting did with its own items.
        "decided": [
            {"title": "<script>alert(1)</script> 地下室漏水", "outcome": "现场承诺", "promise": {"text": "<b>更换</b>防水层", "due_date": "2026-12-20"}, "note": null},
            {"title": "小区路灯不亮", "outcome": "形成决定 · 不同意延期至 2026-12-20", "promise": null, "note": "<b>先抽水</b>"},
        ],
        "count": 2,
        "lines": [
            {"at": "12-01 09:30", "who": "王俊勇", "step": "交办", "title": "<script>alert(1)</script> 地下室漏水", "details": [{"field": "responsible_org", "value": "安尚物业"}], "url": "http://127.0.0.1:8080/issues/1"},
            {"at": "12-01 10:05", "who": "李明", "step": "承诺", "title": "小区路灯不亮", "details": [{"field": "commitment_text", "value": "<b>更换</b>灯泡"}, {"field": "due_date", "value": "2026-12-20"}], "url": "http://127.0.0.1:8080/issues/2"},
            // What a meeting told at once: one head, its issues beneath.
            {"at": "12-02 08:00", "who": "王俊勇", "step": "2026-12-06 联席会议纪要已发布", "count": 2, "details": [], "items": [
                {"title": "<script>alert(1)</script> 地下室漏水", "step": "形成决定 · 2027-01-03 复议", "details": [{"field": "note", "value": "<b>先抽水</b>"}], "url": "http://127.0.0.1:8080/issues/1"},
                {"title": "小区路灯不亮", "step": "未讨论，转下次会议", "details": [], "url": "http://127.0.0.1:8080/issues/2"},
            ]},
        ],
        "settings": "http://127.0.0.1:8080/account",
        "stop": "http://127.0.0.1:8080/notices/stop/1/2?lang=zh-CN",
        "correction": {"text": "期限应为 <b>12-20</b>", "answer": "declined", "answer_text": "未采纳", "reply": "录音为 12-13 & 不改", "again": true},
        "meeting": {"date": "2026-12-06", "time": "09:00", "place": "东圣社区党群服务中心", "url": "http://127.0.0.1:8080/meetings/1"},
        "date": "2026-12-07",
        "summary": {"overdue": 1, "due_this_week": 0, "to_commit": 21, "resolved": 2},
        "sections": [
            {"key": "overdue", "count": 1, "more": 0, "items": [{"title": "<script>alert(1)</script> 地下室漏水", "compound": "君悦湾", "due_date": "2026-12-03", "url": "http://127.0.0.1:8080/issues/1"}]},
            {"key": "to_commit", "count": 21, "more": 1, "list": "http://127.0.0.1:8080/issues?state=assigned&order=oldest", "items": [{"title": "小区路灯不亮", "compound": "鸿禧山庄", "due_date": null, "url": "http://127.0.0.1:8080/issues/2"}]},
        ],
        "url": "http://127.0.0.1:8080/",
    })
}

#[test]
fn every_email_renders_in_both_languages_escaped_in_html() {
    let templates = Templates::new();
    let names: Vec<&str> = Templates::names().collect();
    assert_eq!(names.len(), 9);
    for name in names {
        for locale in ["zh-CN", "en"] {
            let email = templates.render(locale, name, &context()).unwrap_or_else(|e| panic!("{locale}/{name}: {e}"));
            assert!(!email.html.contains("<script>"), "{locale}/{name} escapes HTML");
            assert!(!email.subject.contains('\n'));
            if email.html.contains("alert(1)") {
                assert!(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{locale}/{name}");
            }
            insta::assert_snapshot!(
                format!("email_{locale}_{name}"),
                format!("Subject: {}\n\n{}\n---\n{}", email.subject, email.text, email.html)
            );
        }
    }
}

/// A description's or a note's lines stay lines in the HTML part, as in the text part,
/// and the templates' own markup adds no line of its own.
#[test]
fn what_people_wrote_keeps_its_lines_in_html_mail() {
    let templates = Templates::new();
    let breaks = ["墙皮洇水\n负一层最严重", "&lt;/b&gt;\n已试水"];
    for name in Templates::names() {
        let email = templates.render("zh-CN", name, &context()).unwrap();
        assert!(
            email.html.contains(r#"<body style="font-family: sans-serif; line-height: 1.6; white-space: pre-line">"#),
            "{name}: line breaks are kept"
        );
        let rest = breaks.iter().fold(email.html.trim_end().to_owned(), |html, b| html.replace(b, ""));
        assert!(!rest.contains('\n'), "{name}: a line break that nobody wrote: {rest}");
    }
    let assigned = templates.render("zh-CN", "issue_assigned", &context()).unwrap();
    assert!(assigned.html.contains("<td>雨后地下室积水 &amp; 墙皮洇水\n负一层最严重</td>"), "{}", assigned.html);
    let update = templates.render("en", "issue_update", &context()).unwrap();
    assert!(update.html.contains("&lt;b&gt;已更换&lt;/b&gt;\n已试水"), "{}", update.html);
}

async fn the_issue_cycle_mails_the_right_people_once(app: TestApp) {
    let state = &app.state;
    let dispatch = || dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, state.now(), 100);
    assert_eq!(dispatch().await.unwrap().sent, 0, "the demo's history is not news");

    through_verification(&app, "地下室漏水").await;
    let anshang = app.org("安尚物业").to_string();

    let report = dispatch().await.unwrap();
    assert_eq!((report.sent, report.retried, report.dead), (4, 0, 0), "{report:?}");
    assert_eq!(dispatch().await.unwrap(), Default::default(), "nothing is sent twice");
    // Sends overlap, so mail is compared in the outbox's order (by Message-ID).
    let mut sent = state.mailer.sent().await;
    sent.sort_by(|a, b| a.message_id.cmp(&b.message_id));
    let got: Vec<(Vec<String>, String)> = sent.iter().map(|m| (m.to.clone(), m.subject.clone())).collect();
    assert_eq!(
        got,
        vec![
            (vec!["anshang@dongsheng.example".to_owned()], "新交办问题：地下室漏水".to_owned()),
            (vec!["supervisor@dongsheng.example".to_owned()], "问题进展：地下室漏水（责任单位已承诺）".to_owned()),
            (vec!["supervisor@dongsheng.example".to_owned()], "请验收：地下室漏水".to_owned()),
            (vec!["anshang@dongsheng.example".to_owned()], "问题进展：地下室漏水（已验收）".to_owned()),
        ]
    );
    assert!(sent[0].text.contains("反映人：张秀兰"), "the responsible company gets the raiser's contact");
    assert!(!sent[1].text.contains("反映人"), "the raiser's own update carries no contact block");
    assert!(sent[2].text.contains("防水层已更换"));
    let ids: std::collections::BTreeSet<_> = sent.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 4, "each message has its own stable Message-ID");

    // A reassignment tells the new party and the one it was taken from.
    let other = raise(&app, "垃圾清运不及时").await;
    let other = fire(&app, "secretary@dongsheng.example", &other, "assign", json!({"responsible_org": anshang})).await;
    let xiean = app.org("谐安物业").to_string();
    fire(
        &app,
        "secretary@dongsheng.example",
        &other,
        "reassign",
        json!({"responsible_org": xiean, "reason": "属谐安物业管辖"}),
    )
    .await;
    assert_eq!(dispatch().await.unwrap().sent, 3);
    let mut latest: Vec<_> = state.mailer.sent().await[4..].to_vec();
    latest.sort_by(|a, b| a.message_id.cmp(&b.message_id));
    let latest: Vec<(String, String)> = latest.iter().map(|m| (m.to[0].clone(), m.subject.clone())).collect();
    assert_eq!(
        latest,
        [
            ("anshang@dongsheng.example".to_owned(), "新交办问题：垃圾清运不及时".to_owned()),
            ("xiean@dongsheng.example".to_owned(), "新交办问题：垃圾清运不及时".to_owned()),
            ("anshang@dongsheng.example".to_owned(), "问题进展：垃圾清运不及时（已改派给其他单位）".to_owned()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_retry_with_backoff_then_die_and_can_be_retried() {
    let kept = tempfile::tempdir().unwrap();
    let blocker = kept.path().join("blocker");
    std::fs::write(&blocker, "a file where the mail directory should be").unwrap();
    let app = TestApp::sqlite()
        .mail(|m| {
            m.transport = roundtable_web::config::MailTransport::File;
            m.file_dir = blocker.join("mail");
            m.max_attempts = 2;
        })
        .build();
    let raised = raise(&app, "电梯经常停运").await;
    fire(
        &app,
        "secretary@dongsheng.example",
        &raised,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string()}),
    )
    .await;
    let state = &app.state;
    let at = |minutes: i64| state.now() + chrono::TimeDelta::minutes(minutes);
    let first = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at(0), 100).await.unwrap();
    assert_eq!((first.sent, first.retried), (0, 1));
    let too_soon = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at(0), 100).await.unwrap();
    assert_eq!(too_soon, Default::default(), "backoff: not due again yet");
    let second = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at(10), 100).await.unwrap();
    assert_eq!(second.dead, 1, "{second:?}");
    let conn = &mut *state.db.conn().unwrap();
    let dead = outbox::with_status(conn, roundtable_core::DeliveryStatus::Dead).unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].last_error.as_deref().unwrap().contains("cannot write the mail file"), "{:?}", dead[0].last_error);
    assert!(outbox::retry(conn, &dead[0].id, at(10)).unwrap());
    assert_eq!(outbox::with_status(conn, roundtable_core::DeliveryStatus::Pending).unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_transport_writes_each_mail_as_an_eml_file_in_a_directory_it_creates() {
    let kept = tempfile::tempdir().unwrap();
    let dir = kept.path().join("outbox");
    let app = TestApp::sqlite()
        .mail(|m| {
            m.transport = roundtable_web::config::MailTransport::File;
            m.file_dir = dir.clone();
        })
        .build();
    let raised = raise(&app, "电梯经常停运").await;
    let anshang = app.org("安尚物业").to_string();
    fire(&app, "secretary@dongsheng.example", &raised, "assign", json!({"responsible_org": anshang})).await;
    assert!(!dir.exists(), "nothing written before the dispatcher runs");
    let state = &app.state;
    let report = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, state.now(), 100).await;
    let sent = report.unwrap().sent;
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert!(sent > 0 && files.len() == sent, "{sent} sent, files {files:?}");
    let text = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect::<String>();
    assert!(text.contains("@roundtable>") && text.contains("To: anshang@dongsheng.example"), "{text}");
}

async fn workflow_timers_remind_and_escalate_exactly_once(app: TestApp) {
    use roundtable_web::jobs::reminders;
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let state = &app.state;
    let raised = raise(&app, "雨水井堵塞").await;
    let assigned = fire(
        &app,
        "secretary@dongsheng.example",
        &raised,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string()}),
    )
    .await;
    // Due on 30 December (local): "due soon" fires two days before the day ends, the
    // escalation when it has ended — 31 December 00:00 in Shanghai, 16:00 UTC the day before.
    fire(
        &app,
        "anshang@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "疏通雨水井", "due_date": "2026-12-30"}),
    )
    .await;
    let id: roundtable_core::IssueId = raised["id"].as_str().unwrap().parse().unwrap();
    let effects = || {
        let conn = &mut *state.db.conn().unwrap();
        roundtable_store::issues::outbox_effects(conn, id).unwrap().into_iter().map(|(e, _)| e).collect::<Vec<_>>()
    };
    let before = effects();
    // The supervisor raised it and stopped following it: no reminder rings their bell.
    let supervisor = app.token("supervisor@dongsheng.example").await;
    let unfollow = format!("/api/v1/issues/{}/follow", raised["id"].as_str().unwrap());
    let reply = app.call(axum::http::Method::DELETE, &unfollow, Some(&supervisor), None).await;
    assert!(reply.status.is_success(), "{}", reply.body);
    for now in ["2026-12-28T15:59:00Z", "2026-12-28T16:00:00Z", "2026-12-28T17:00:00Z", "2026-12-29T09:00:00Z"] {
        reminders::tick(&state.db, &state.workflows, &state.calendars(), at(now)).await.unwrap();
    }
    assert_eq!(effects()[before.len()..], ["remind_responsible"], "one reminder, however many ticks");
    // Two instances at the same moment after the due date ended.
    let calendars = state.calendars();
    let (a, b) = tokio::join!(
        reminders::tick(&state.db, &state.workflows, &calendars, at("2026-12-30T16:00:00Z")),
        reminders::tick(&state.db, &state.workflows, &calendars, at("2026-12-30T16:00:00Z"))
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(effects()[before.len()..], ["remind_responsible", "escalate"]);
    let conn = &mut *state.db.conn().unwrap();
    assert_eq!(roundtable_store::issues::overdue_since(conn, id).unwrap(), Some(at("2026-12-30T16:00:00Z")));

    let report =
        dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at("2026-12-30T16:05:00Z"), 500)
            .await
            .unwrap();
    assert_eq!(report.dead, 0, "{report:?}");
    let sent = state.mailer.sent().await;
    let mine: Vec<_> =
        sent.iter().filter(|m| m.subject.contains("雨水井堵塞")).map(|m| (m.subject.clone(), m.to.clone())).collect();
    assert!(mine.contains(&("提醒：雨水井堵塞".to_owned(), vec!["anshang@dongsheng.example".to_owned()])), "{mine:?}");
    // The company that broke its promise is told too — each audience in a copy of its own.
    let mut escalations: Vec<Vec<String>> =
        mine.iter().filter(|(s, _)| s == "承诺逾期：雨水井堵塞").map(|(_, to)| to.clone()).collect();
    escalations.sort();
    assert_eq!(
        escalations,
        [["anshang@dongsheng.example"], ["secretary@dongsheng.example"], ["supervisors@dongsheng.example"]],
    );
    let ids: std::collections::BTreeSet<_> =
        sent.iter().filter(|m| m.subject == "承诺逾期：雨水井堵塞").map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 3, "each copy its own Message-ID: {ids:?}");

    // The bell says it too, once a firing, to whom each reminder is for: the company
    // both, the secretary the broken promise; nobody acted.
    let reminders = |body: serde_json::Value| -> Vec<(String, serde_json::Value)> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["issue"]["id"] == raised["id"] && !n["reminder"].is_null())
            .map(|n| (n["reminder"].as_str().unwrap().to_owned(), n["actor"].clone()))
            .collect()
    };
    let company = app.get("/api/v1/notices", &app.token("anshang@dongsheng.example").await).await.body;
    let theirs = reminders(company.clone());
    assert_eq!(theirs.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(), ["overdue", "due_soon"], "{company}");
    assert!(theirs.iter().all(|(_, actor)| actor.is_null()), "{theirs:?}");
    let due_soon = company["items"].as_array().unwrap().iter().find(|n| n["reminder"] == "due_soon").unwrap();
    assert_eq!(due_soon["due_date"], "2026-12-30", "the promise's date: {due_soon}");
    let secretary = app.get("/api/v1/notices", &app.token("secretary@dongsheng.example").await).await.body;
    assert_eq!(reminders(secretary).iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(), ["overdue"]);
    assert_eq!(reminders(app.get("/api/v1/notices", &supervisor).await.body), []);
    // Mailed already (the reminder's own mail): no second mail in anyone's digest.
    for setting in [roundtable_core::notice::NoticeMail::Digest, roundtable_core::notice::NoticeMail::Each] {
        let unmailed = roundtable_store::notices::unmailed(conn, setting, 1_000).unwrap();
        assert!(
            !unmailed.iter().any(|n| matches!(n.about, roundtable_core::notice::About::Reminder { .. })),
            "{unmailed:?}"
        );
    }
    // The company's notices page: the reminder's words, marked as a reminder, no name.
    let pages = app.pages();
    pages.sign_in("anshang@dongsheng.example").await;
    let html = pages.get("/notices").await.html;
    let at = html.find("整改承诺即将到期，请按期兑现").expect("the due-soon reminder's words");
    let line = &html[html[..at].rfind("<span class=\"meta\">").unwrap()..at];
    // When it fired (the tick at midnight, Shanghai), then no name: nobody acted.
    assert_eq!(line, "<span class=\"meta\">2026-12-29 00:00 · <span class=\"badge\">提醒</span> · ");
    let after = &html[at..html[at..].find("</li>").unwrap() + at];
    assert!(after.contains("2026-12-30"), "the date it is due: {after}");
    let secretary = app.pages();
    secretary.sign_in("secretary@dongsheng.example").await;
    assert!(secretary.get("/notices").await.html.contains("整改承诺已逾期，未按期兑现"), "the escalation in words");
}

/// The `/v/…` paths of the links in the latest mail about `title`.
/// The (fixed, partly fixed, not fixed) links of the latest is-it-fixed mail about `title`.
async fn links_in_mail(app: &TestApp, title: &str) -> (String, String, String) {
    let sent = app.state.mailer.sent().await;
    let mail =
        sent.iter().rev().find(|m| m.subject.contains(title) && m.text.contains("/v/")).expect("an is-it-fixed mail");
    let paths: Vec<String> = mail
        .text
        .split_whitespace()
        .filter_map(|w| w.split("http://127.0.0.1:8080").nth(1))
        .filter(|p| p.starts_with("/v/"))
        .map(|p| p.trim_end_matches(['）', ')']).to_owned())
        .collect();
    assert_eq!(paths.len(), 3, "{}", mail.text);
    (paths[0].clone(), paths[1].clone(), paths[2].clone())
}

async fn post_form(app: &TestApp, path: &str, body: &str) -> roundtable_e2e::Reply {
    app.raw(axum::http::Method::POST, path, None, Some("application/x-www-form-urlencoded"), body.as_bytes().to_vec())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_click_links_work_once_expire_and_refuse_tampering() {
    let app = TestApp::sqlite().build();
    let state = &app.state;
    let dispatch = || dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, state.now(), 500);
    let anshang = app.org("安尚物业").to_string();
    let resolve = |title: &'static str| {
        let app = &app;
        let anshang = anshang.clone();
        async move {
            let raised = raise(app, title).await;
            let a =
                fire(app, "secretary@dongsheng.example", &raised, "assign", json!({"responsible_org": anshang})).await;
            let c = fire(
                app,
                "anshang@dongsheng.example",
                &a,
                "commit",
                json!({"commitment_text": "修", "due_date": in_days(app, 5)}),
            )
            .await;
            fire(app, "anshang@dongsheng.example", &c, "resolve", json!({"resolution_note": "已修好"})).await
        }
    };
    let lift = resolve("电梯经常停运").await;
    let lamp = resolve("小区路灯不亮").await;
    dispatch().await.unwrap();
    let (lift_fixed, _, lift_not_fixed) = links_in_mail(&app, "电梯经常停运").await;
    let (_, _, lamp_not_fixed) = links_in_mail(&app, "小区路灯不亮").await;

    // Opening a link changes nothing; it shows one button.
    let page = app.raw(axum::http::Method::GET, &lift_fixed, None, None, vec![]).await;
    assert_eq!(page.status, 200);
    assert!(page.body.as_str().unwrap().contains("<form method=\"post\">"));
    assert!(!page.body.as_str().unwrap().contains("style="), "no inline style: the pages' CSP applies");
    assert!(page.headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    // In the mail's language (the raiser reads Chinese), or the one the link names.
    assert!(lift_fixed.ends_with("?lang=zh-CN") && page.body.as_str().unwrap().contains("问题已解决吗"));
    let english = lift_fixed.replace("lang=zh-CN", "lang=en");
    let english = app.raw(axum::http::Method::GET, &english, None, None, vec![]).await;
    assert!(english.body.as_str().unwrap().contains("Is it fixed?"), "{}", english.body);
    // Tampered, or pointed at another issue: refused.
    // (The signature ends the path; the mail's language follows as `?lang=`.)
    let (path, query) = lift_fixed.split_once('?').unwrap_or((&lift_fixed, ""));
    let mut tampered = path.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    let tampered = format!("{tampered}?{query}");
    assert_eq!(post_form(&app, &tampered, "satisfaction=5").await.status, 400);
    let other_issue = lift_fixed.replace(lift["id"].as_str().unwrap(), lamp["id"].as_str().unwrap());
    assert_eq!(post_form(&app, &other_issue, "satisfaction=5").await.status, 400);
    assert_eq!(
        post_form(&app, &lift_fixed.replace("/fixed/", "/not-fixed/"), "reason=x").await.status,
        400,
        "the answer is signed too"
    );
    // An expiry a mail program broke: the link is not valid, said in the page's words.
    let mut segments: Vec<&str> = path.split('/').collect();
    segments[4] = "17x";
    let garbled = segments.join("/");
    for reply in [
        app.raw(axum::http::Method::GET, &garbled, None, None, vec![]).await,
        post_form(&app, &garbled, "satisfaction=5").await,
    ] {
        assert_eq!(reply.status, 400);
        assert!(reply.body.as_str().unwrap().contains("id=\"verify-message\">链接无效"), "{}", reply.body);
    }

    // A satisfaction out of range is asked again, named; the link still works.
    let wild = post_form(&app, &lift_fixed, "satisfaction=9").await;
    assert_eq!(wild.status, 422, "{}", wild.body);
    assert!(wild.body.as_str().unwrap().contains("满意度（1–5）: 超出范围（须在 1 到 5 之间）"), "{}", wild.body);

    // The right answer works once.
    let ok = post_form(&app, &lift_fixed, "satisfaction=4").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let secretary = app.token("secretary@dongsheng.example").await;
    let issue = app.get(&format!("/api/v1/issues/{}", lift["id"].as_str().unwrap()), &secretary).await.body;
    assert_eq!((issue["state"].as_str(), issue["verification"]["satisfaction"].as_u64()), (Some("verified"), Some(4)));
    assert_eq!(issue["verification"]["by"], issue["raised_by"]["id"], "recorded as the raiser");
    assert_ne!(post_form(&app, &lift_not_fixed, "reason=x").await.status, 200, "the other answer is void now");

    // A reason too long is asked again with what was written kept, and nothing changes.
    let long = post_form(&app, &lamp_not_fixed, &format!("reason={}", "%E8%BF%98".repeat(2001))).await;
    assert_eq!(long.status, 422, "{}", long.body);
    let page = long.body.as_str().unwrap();
    assert!(page.contains("原因: 太长了（最多 2000 字）") && page.contains(&"还".repeat(2001)), "{page}");
    assert!(page.contains("maxlength=\"2000\""), "the box holds what the workflow takes: {page}");
    let lamp_now = app.get(&format!("/api/v1/issues/{}", lamp["id"].as_str().unwrap()), &secretary).await.body;
    assert_eq!(lamp_now["state"], "resolved");

    // "Not fixed" reopens; after the next fix, the old link is spent.
    let reopened = post_form(&app, &lamp_not_fixed, "reason=%E8%BF%98%E6%98%AF%E4%B8%8D%E4%BA%AE").await;
    assert_eq!(reopened.status, 200);
    let lamp_now = app.get(&format!("/api/v1/issues/{}", lamp["id"].as_str().unwrap()), &secretary).await.body;
    assert_eq!((lamp_now["state"].as_str(), lamp_now["reopen_count"].as_u64()), (Some("committed"), Some(1)));
    assert_eq!(lamp_now["verification"]["note"], "还是不亮");
    fire(&app, "anshang@dongsheng.example", &lamp_now, "resolve", json!({"resolution_note": "换了灯泡"})).await;
    assert_eq!(post_form(&app, &lamp_not_fixed, "reason=x").await.status, 400, "used once already");
    // A reason of only zero-width characters is no reason: the mail's own words stand in,
    // never an empty-looking note on the issue.
    dispatch().await.unwrap();
    let (_, _, lamp_again) = links_in_mail(&app, "小区路灯不亮").await;
    assert_ne!(lamp_again, lamp_not_fixed, "the new fix sent new links");
    let invisible = post_form(&app, &lamp_again, "reason=%E2%80%8B%E2%80%8C%EF%BB%BF").await;
    assert_eq!(invisible.status, 200, "{}", invisible.body);
    let lamp_now = app.get(&format!("/api/v1/issues/{}", lamp["id"].as_str().unwrap()), &secretary).await.body;
    assert_eq!(
        (lamp_now["reopen_count"].as_u64(), lamp_now["verification"]["note"].as_str()),
        (Some(2), Some("通过邮件反馈：未解决"))
    );

    // "Partly fixed" (the third answer): reopened as such, with the reason, back on the
    // company's desk and the secretary's, and on the next agenda's follow-up.
    let gate = resolve("单元门禁损坏").await;
    dispatch().await.unwrap();
    let (_, gate_partly, _) = links_in_mail(&app, "单元门禁损坏").await;
    let page = app.raw(axum::http::Method::GET, &gate_partly, None, None, vec![]).await;
    assert!(page.body.as_str().unwrap().contains("id=\"confirm-partly_fixed\""), "{}", page.body);
    let partly = post_form(&app, &gate_partly, "reason=%E5%8F%AA%E4%BF%AE%E4%BA%86%E4%B8%80%E6%A0%8B").await;
    assert_eq!(partly.status, 200, "{}", partly.body);
    let gate_now = app.get(&format!("/api/v1/issues/{}", gate["id"].as_str().unwrap()), &secretary).await.body;
    assert_eq!((gate_now["state"].as_str(), gate_now["reopen_count"].as_u64()), (Some("committed"), Some(1)));
    assert_eq!(
        (gate_now["verification"]["outcome"].as_str(), gate_now["verification"]["note"].as_str()),
        (Some("partly_fixed"), Some("只修了一栋"))
    );
    let queued = {
        let conn = &mut *state.db.conn().unwrap();
        roundtable_store::issues::outbox_effects(conn, gate["id"].as_str().unwrap().parse().unwrap()).unwrap()
    };
    let effects: Vec<&str> = queued.iter().map(|(e, _)| e.as_str()).collect();
    assert!(effects.ends_with(&["notify_responsible", "notify_secretary"]), "{effects:?}");

    // Expired.
    let key = state.db.run(roundtable_web::mail::links::key).await.unwrap();
    let old = state.now() - chrono::TimeDelta::days(31);
    let expired = roundtable_web::mail::links::verification_links(
        &key,
        "",
        lamp["id"].as_str().unwrap().parse().unwrap(),
        "en",
        old,
    )
    .fixed;
    let reply = post_form(&app, &expired, "satisfaction=5").await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.as_str().unwrap().contains("expired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_read_mail_in_the_language_they_chose() {
    let app = TestApp::sqlite().build();
    let supervisor = app.token("supervisor@dongsheng.example").await;
    let bad = app.call(axum::http::Method::PATCH, "/api/v1/me", Some(&supervisor), Some(json!({"locale": "fr"}))).await;
    assert_eq!(bad.status, 422);
    let ok = app.call(axum::http::Method::PATCH, "/api/v1/me", Some(&supervisor), Some(json!({"locale": "en"}))).await;
    assert_eq!((ok.status.as_u16(), ok.body["user"]["locale"].as_str()), (200, Some("en")));
    through_verification(&app, "地下室漏水").await;
    let s = &app.state;
    dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 100).await.unwrap();
    let mut sent = s.mailer.sent().await;
    sent.sort_by(|a, b| a.message_id.cmp(&b.message_id));
    let subjects: Vec<&str> = sent.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "新交办问题：地下室漏水",
            "Update on 地下室漏水 (the responsible party committed)",
            "Is it fixed? 地下室漏水",
            "问题进展：地下室漏水（已验收）",
        ],
        "the supervisor's mail in English, the company's in the community's Chinese"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_says_what_it_is_about() {
    use roundtable_web::jobs::reminders;
    let app = TestApp::sqlite().build();
    let state = &app.state;
    let days = |n| state.now() + chrono::TimeDelta::days(n);
    let dispatch = |at| dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at, 500);
    let anshang = json!({"responsible_org": app.org("安尚物业").to_string()});
    // Assigned a week ago without a commitment: a reminder to commit.
    let assigned =
        fire(&app, "secretary@dongsheng.example", &raise(&app, "单元门禁失灵").await, "assign", anshang).await;
    reminders::tick(&state.db, &state.workflows, &state.calendars(), days(8)).await.unwrap();
    dispatch(days(8)).await.unwrap();
    // Committed, and the date draws near: a reminder of the date.
    let promise = json!({"commitment_text": "更换门禁主板", "due_date": in_days(&app, 20)});
    fire(&app, "anshang@dongsheng.example", &assigned, "commit", promise).await;
    reminders::tick(&state.db, &state.workflows, &state.calendars(), days(20)).await.unwrap();
    dispatch(days(20)).await.unwrap();
    let sent = state.mailer.sent().await;
    let reminders: Vec<&str> =
        sent.iter().filter(|m| m.subject == "提醒：单元门禁失灵").map(|m| m.text.as_str()).collect();
    assert_eq!(reminders.len(), 2, "{reminders:?}");
    let commit = reminders.iter().find(|t| t.contains("尚未作出整改承诺")).expect("a reminder to commit");
    let due = reminders.iter().find(|t| t.contains("即将到期")).expect("a reminder of the date");
    assert!(!commit.contains("承诺期限"), "no date before there is one: {commit}");
    assert!(due.contains(&format!("承诺期限：{}", in_days(&app, 20))), "{due}");

    // Resolved two weeks ago and not verified: the raiser is reminded, with the one-click answers.
    through_resolution(&app, "楼道灯不亮").await;
    reminders::tick(&state.db, &state.workflows, &state.calendars(), days(15)).await.unwrap();
    dispatch(days(15)).await.unwrap();
    let sent = state.mailer.sent().await;
    let to_raiser = sent.iter().find(|m| m.subject == "提醒：楼道灯不亮").expect("a reminder to verify");
    assert!(to_raiser.text.contains("等待您验收") && to_raiser.text.contains("/v/"), "{}", to_raiser.text);
    assert!(to_raiser.html.contains("/v/"), "the answers in the HTML part too");
    // The raiser's bell says it, in a page's words (the answers are on the issue's page).
    let supervisor = app.pages();
    supervisor.sign_in("supervisor@dongsheng.example").await;
    let html = supervisor.get("/notices").await.html;
    assert!(html.contains("</span> · 该问题已办结，等待您验收</span>"), "{html}");
    assert!(!html.contains("点选下面一项即可"), "no mail's words on a page");
}

/// An issue raised by the supervisor, resolved by Anshang and not yet verified.
async fn through_resolution(app: &TestApp, title: &str) -> serde_json::Value {
    let raised = raise(app, title).await;
    let anshang = json!({"responsible_org": app.org("安尚物业").to_string()});
    let a = fire(app, "secretary@dongsheng.example", &raised, "assign", anshang).await;
    let promise = json!({"commitment_text": "更换灯泡", "due_date": in_days(app, 10)});
    let c = fire(app, "anshang@dongsheng.example", &a, "commit", promise).await;
    fire(app, "anshang@dongsheng.example", &c, "resolve", json!({"resolution_note": "已更换"})).await
}
