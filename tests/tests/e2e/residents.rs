//! Residents reach the tracker: building leaders report on behalf of households (代报).

use axum::http::StatusCode;
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::{Value, json};

use crate::api_flow::fire;

on_both_databases!(a_building_leaders_report_for_twelve_households_counts_as_twelve_support);

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
    let elsewhere = app.post("/api/v1/issues", &token, with_compound(report(&one, json!({"households": 3})))).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN, "{}", elsewhere.body);
    let mut nowhere = with_compound(report(&three, json!({"households": 3})));
    nowhere["building"] = Value::Null;
    assert_eq!(app.post("/api/v1/issues", &token, nowhere).await.status, StatusCode::FORBIDDEN);
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
        ("contacts", "王女士 138-0013-8000\n赵先生\n"),
        ("confirm", "1"),
    ];
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
