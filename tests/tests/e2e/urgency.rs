//! Urgent issues (紧急程度): raised red or yellow, they do not wait for the month's
//! meeting — the secretary and the responsible company are reminded within hours.

use axum::http::StatusCode;
use roundtable_e2e::{TestApp, on_both_databases};
use roundtable_web::jobs::reminders;
use roundtable_web::mail::dispatch_once;
use serde_json::{Value, json};

use crate::api_flow::{fire, try_fire};

on_both_databases!(a_red_issue_reminds_within_hours_and_the_secretary_may_grade_it_again);

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const RESIDENT: &str = "resident@dongsheng.example";

/// Raises an issue in the resident's compound (Hongxi Villa) with this body's `urgency` (if any).
pub async fn raise(app: &TestApp, title: &str, urgency: Option<&str>) -> roundtable_e2e::Reply {
    let mut body = json!({
        "title": title,
        "description": "周末电梯困人，救援电话无人接听。",
        "category": "facilities",
        "compound": app.compound("鸿禧山庄").to_string(),
    });
    if let Some(u) = urgency {
        body["urgency"] = json!(u);
    }
    app.post("/api/v1/issues", &app.token(RESIDENT).await, body).await
}

/// The notifications an issue's timers queued, as `timer:effect`, oldest first.
pub fn timers(app: &TestApp, issue: &Value) -> Vec<String> {
    use roundtable_core::DeliveryStatus;
    let conn = &mut *app.state.db.conn().unwrap();
    let mut rows: Vec<_> = [DeliveryStatus::Pending, DeliveryStatus::Sent]
        .into_iter()
        .flat_map(|s| roundtable_store::outbox::with_status(conn, s).unwrap())
        .filter(|r| r.issue_id.as_deref() == issue["id"].as_str())
        .collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows.into_iter()
        .filter_map(|r| {
            let timer = serde_json::from_str::<Value>(&r.payload).ok()?["timer"].as_str()?.to_owned();
            Some(format!("{timer}:{}", r.effect))
        })
        .collect()
}

async fn a_red_issue_reminds_within_hours_and_the_secretary_may_grade_it_again(app: TestApp) {
    let state = &app.state;
    let calendars = state.calendars();
    let tick = |hours: i64| {
        reminders::tick(&state.db, &state.workflows, &calendars, state.now() + chrono::TimeDelta::hours(hours))
    };
    // A value outside the three is refused, naming them; nothing is raised.
    let wrong = raise(&app, "电梯困人", Some("orange")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    assert!(wrong.body.to_string().contains("routine, yellow, red"), "{}", wrong.body);
    // Raised red by a resident: it says so, and its first step too.
    let red = raise(&app, "电梯困人", Some("red")).await;
    assert_eq!(red.status, StatusCode::CREATED, "{}", red.body);
    let red = red.body;
    assert_eq!(red["urgency"], "red");
    let path = format!("/api/v1/issues/{}", red["id"].as_str().unwrap());
    let timeline = app.get(&format!("{path}/events"), &app.token(SECRETARY).await).await;
    assert_eq!(timeline.body[0]["fields"]["urgency"], "red", "{}", timeline.body);
    // Without one, or with null, routine.
    let routine = raise(&app, "楼道灯不亮", None).await.body;
    assert_eq!(routine["urgency"], "routine");
    let mut null =
        json!({"title": "单元门打不开", "category": "facilities", "compound": app.compound("鸿禧山庄").to_string()});
    null["urgency"] = Value::Null;
    let null = app.post("/api/v1/issues", &app.token(RESIDENT).await, null).await;
    assert_eq!((null.status, null.body["urgency"].as_str()), (StatusCode::CREATED, Some("routine")), "{}", null.body);

    // Not assigned two hours after it was raised: the secretaries are reminded, once.
    tick(1).await.unwrap();
    assert!(timers(&app, &red).is_empty(), "{:?}", timers(&app, &red));
    tick(2).await.unwrap();
    tick(3).await.unwrap();
    assert_eq!(timers(&app, &red), ["red_unassigned:remind_secretary"]);
    assert!(timers(&app, &routine).is_empty(), "a routine issue waits its three days");

    // Assigned, still red; twelve hours after the raise without a commitment, the
    // company and the secretaries hear of it.
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &red, "assign", json!({"responsible_org": anshang})).await;
    assert_eq!(assigned["urgency"], "red");
    tick(12).await.unwrap();
    assert_eq!(timers(&app, &red)[1..], ["red_uncommitted:remind_responsible", "red_uncommitted:remind_secretary"],);
    let report = dispatch_once(
        &state.db,
        &state.mailer,
        &state.email,
        &state.config.mail,
        state.now() + chrono::TimeDelta::hours(12),
        500,
    )
    .await
    .unwrap();
    assert_eq!(report.dead, 0, "{report:?}");
    let sent = state.mailer.sent().await;
    let reminders = |who: &str| -> Vec<&str> {
        sent.iter().filter(|m| m.subject == "提醒：电梯困人" && m.to == [who]).map(|m| m.text.as_str()).collect()
    };
    for who in [ANSHANG, SECRETARY] {
        let told = reminders(who);
        assert!(told.iter().any(|t| t.contains("红色紧急问题：提出已满 12 小时，尚未作出整改承诺")), "{who}: {told:?}");
    }
    assert!(reminders(SECRETARY).iter().any(|t| t.contains("提出已满 2 小时，尚未交办")));

    // The company may not grade it: only the secretary, when assigning.
    let promise = json!({"commitment_text": "维修电梯", "due_date": crate::api_flow::in_days(&app, 1)});
    let mut graded = promise.clone();
    graded["urgency"] = json!("routine");
    let refused = try_fire(&app, ANSHANG, &assigned, "commit", graded).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.to_string().contains("urgency"), "{}", refused.body);
    // Reassigned as routine: no urgent timer runs any more, the step records the grading.
    let xiean = app.org("谐安物业").to_string();
    let reassigned = fire(
        &app,
        SECRETARY,
        &assigned,
        "reassign",
        json!({"responsible_org": xiean, "reason": "属谐安物业管辖", "urgency": "routine"}),
    )
    .await;
    assert_eq!(reassigned["urgency"], "routine");
    let before = timers(&app, &red).len();
    tick(30).await.unwrap();
    assert_eq!(timers(&app, &red).len(), before, "{:?}", timers(&app, &red));
    let timeline = app.get(&format!("{path}/events"), &app.token(SECRETARY).await).await;
    assert_eq!(timeline.body.as_array().unwrap().last().unwrap()["fields"]["urgency"], "routine");
    // And graded red again by a secretary assigning a routine issue.
    let upgraded = fire(
        &app,
        SECRETARY,
        &routine,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string(), "urgency": "red"}),
    )
    .await;
    assert_eq!(upgraded["urgency"], "red");

    // The list says it, and is filtered by it (routine: the unmarked ones).
    let red_only = app.get("/api/v1/issues?urgency=red&limit=200", &app.token(SECRETARY).await).await;
    let reds = red_only.body["items"].as_array().unwrap();
    assert!(reds.iter().any(|i| i["id"] == upgraded["id"]) && reds.iter().all(|i| i["urgency"] == "red"), "{reds:?}");
    let routine_only = app.get("/api/v1/issues?urgency=routine&limit=200", &app.token(SECRETARY).await).await;
    let routines = routine_only.body["items"].as_array().unwrap();
    assert!(routines.iter().any(|i| i["id"] == red["id"]) && routines.iter().all(|i| i["urgency"] == "routine"));
    let purple = app.get("/api/v1/issues?urgency=purple", &app.token(SECRETARY).await).await;
    assert_eq!(purple.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", purple.body);
    // A page shows it in the reader's words.
    let list = app.get("/api/v1/issues?limit=100", &app.token(SECRETARY).await).await;
    let item = list.body["items"].as_array().unwrap().iter().find(|i| i["id"] == upgraded["id"]).cloned();
    assert_eq!(item.expect("listed")["urgency"], "red");
    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    let page = pages.get(&format!("/issues/{}", upgraded["id"].as_str().unwrap())).await;
    assert!(page.html.contains("id=\"issue-urgency\">红色·紧急</span>"), "{}", page.html);
    assert!(page.html.contains("紧急程度: 红色：24 小时内处理"), "the step's grading: {}", page.html);
    let list = pages.get("/issues").await;
    assert!(list.html.contains("class=\"badge urgency-red\""), "{}", list.html);
    let filtered = pages.get("/issues?urgency=red").await;
    assert!(filtered.html.contains("<option value=\"red\" selected>红色·紧急</option>"), "{}", filtered.html);
    assert!(filtered.html.contains("href=\"/issues/ledger.csv?urgency&#x3D;red\""), "{}", filtered.html);
    assert!(!filtered.html.contains("class=\"badge urgency-yellow\""), "{}", filtered.html);
    // A forged filter is named, as a page's other bad filters are.
    let forged = pages.get("/issues?urgency=purple").await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert!(forged.html.contains("紧急程度"), "{}", forged.html);
}

/// The raise page offers the three, routine chosen; a red one is raised so, and a forged
/// value is refused on the form, with what was typed kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_raise_page_asks_how_urgent_it_is() {
    let app = TestApp::sqlite().build();
    let pages = app.pages();
    pages.sign_in(RESIDENT).await;
    let form = pages.get("/issues/new").await;
    assert!(
        form.html.contains("<option value=\"routine\" selected>常规（提交月度联席会议）</option>"),
        "{}",
        form.html
    );
    assert!(form.html.contains("<option value=\"red\">红色：24 小时内处理</option>"), "{}", form.html);
    let compound = app.compound("鸿禧山庄").to_string();
    let fields = |urgency| {
        vec![
            ("compound", compound.clone()),
            ("category", "facilities".to_owned()),
            ("urgency", urgency),
            ("title", "单元门口化粪池外溢".to_owned()),
            ("description", String::new()),
            ("confirm", "1".to_owned()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let pages = &pages;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            pages.submit("/issues/new", "/issues", &f).await
        }
    };
    let forged = send(fields("purple".to_owned())).await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", forged.html);
    assert!(forged.html.contains("紧急程度") && forged.html.contains("单元门口化粪池外溢"), "{}", forged.html);
    let raised = send(fields("red".to_owned())).await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.html);
    let issue = pages.get(raised.location()).await;
    assert!(issue.html.contains("红色·紧急"), "{}", issue.html);
}
