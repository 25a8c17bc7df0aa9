//! Authorisation: every route × every role, allowed and denied, and company A against
//! company B. The table must name every route of the OpenAPI document.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::{Value, json};

use crate::api_flow::{fire, raise};

on_both_databases!(
    every_route_for_every_role,
    another_communitys_people_reach_nothing_of_this_one,
    one_company_cannot_touch_anothers_issue,
    contact_data_is_for_secretaries_and_the_responsible
);

const ROLES: [&str; 7] = ["secretary", "supervisor", "anshang", "xiean", "grid", "resident", "admin"];

fn login(role: &str) -> String {
    format!("{role}@dongsheng.example")
}

/// Which issue a row acts on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    None,
    /// Junyue Bay, assigned to Anshang.
    Junyue,
    /// A fresh Junyue Bay issue assigned to Anshang, one per call (for transitions).
    FreshAssigned,
    /// A demo issue of Gongyuan Li (the grid secretary's compound).
    GongyuanLi,
    /// A demo issue of Hongxi Villa (Ye Li's compound).
    Hongxi,
    Compound,
    /// The last demo meeting (closed); `{item}` is one of its agenda items.
    Meeting,
    /// A first Sunday three months ahead.
    Slot,
    /// A photo of a Junyue Bay issue the supervisor raised, assigned to Anshang.
    Photo,
    /// Such a photo, a new one per call (for deleting).
    FreshPhoto,
    /// An invitation the secretary made, a new one per call (for revoking).
    FreshInvitation,
    /// An Open311 key the administrator issued, a new one per call (for revoking).
    FreshKey,
    /// Anshang's webhook, a new one per call (for testing and removing).
    FreshChannel,
    /// This year, of the working-day calendar.
    Year,
}

struct Row {
    method: Method,
    /// The OpenAPI path.
    path: &'static str,
    target: Target,
    body: Option<Value>,
    /// Roles that succeed; the rest get 403. `None`: public, no token needed.
    allowed: Option<&'static [&'static str]>,
    /// For state changes whose outcome depends on the order of calls (open, close, …):
    /// the allowed roles only have to get past authorisation (no 401/403).
    authorised_only: bool,
}

const ALL: &[&str] = &ROLES;
const COMMUNITY_WIDE: &[&str] = &["secretary", "supervisor", "admin"];
const MANAGERS: &[&str] = &["secretary", "admin"];

fn table(app: &TestApp) -> Vec<Row> {
    let row = |method: Method, path, target, body, allowed| Row {
        method,
        path,
        target,
        body,
        allowed,
        authorised_only: false,
    };
    let row_authorised = |method: Method, path, target, body, allowed| Row {
        method,
        path,
        target,
        body,
        allowed: Some(allowed),
        authorised_only: true,
    };
    let state_change = |method: Method, path, target, body| Row {
        method,
        path,
        target,
        body,
        allowed: Some(MANAGERS),
        authorised_only: true,
    };
    let new_issue =
        json!({"title": "楼道堆放杂物", "category": "security", "compound": app.compound("君悦湾").to_string()});
    vec![
        row(Method::POST, "/api/v1/auth/token", Target::None, None, None),
        row(Method::DELETE, "/api/v1/auth/token", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/me", Target::None, None, Some(ALL)),
        // (A wrong current password is a 422, past authorisation.)
        row_authorised(
            Method::PUT,
            "/api/v1/me/password",
            Target::None,
            Some(json!({"current_password": "not-the-password", "new_password": "another-password"})),
            ALL,
        ),
        // (A wrong current password is a 422, past authorisation.)
        row_authorised(
            Method::PUT,
            "/api/v1/me/contact",
            Target::None,
            Some(json!({"current_password": "not-the-password", "email": null, "phone": null})),
            ALL,
        ),
        row(Method::PUT, "/api/v1/me/name", Target::None, Some(json!({"name": "王俊勇"})), Some(ALL)),
        row(Method::GET, "/api/v1/me/sessions", Target::None, None, Some(ALL)),
        row(Method::DELETE, "/api/v1/me/sessions", Target::None, None, Some(ALL)),
        // (Someone else's or no session: 404, past authorisation.)
        row_authorised(Method::DELETE, "/api/v1/me/sessions/{id}", Target::None, None, ALL),
        row(Method::GET, "/api/v1/me/data", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/notices", Target::None, None, Some(ALL)),
        row(Method::POST, "/api/v1/notices/read", Target::None, Some(json!({})), Some(ALL)),
        row(Method::GET, "/api/v1/me/notice-mail", Target::None, None, Some(ALL)),
        row(Method::PUT, "/api/v1/me/notice-mail", Target::None, Some(json!({"mail": "digest"})), Some(ALL)),
        row(
            Method::PUT,
            "/api/v1/issues/{id}/follow",
            Target::Junyue,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        row(
            Method::DELETE,
            "/api/v1/issues/{id}/follow",
            Target::Junyue,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        // (A wrong password is a 422, past authorisation; administrators close no account of theirs.)
        row_authorised(
            Method::DELETE,
            "/api/v1/me",
            Target::None,
            Some(json!({"password": "not-the-password"})),
            &["secretary", "supervisor", "anshang", "xiean", "grid", "resident"],
        ),
        row(Method::PATCH, "/api/v1/me", Target::None, Some(json!({"locale": null})), Some(ALL)),
        row(Method::GET, "/api/v1/issues", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/issues/ledger", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/issues/ledger.xlsx", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/audit", Target::None, None, Some(&["secretary", "admin"])),
        // (Without a title the answer is 400, past authorisation.)
        row_authorised(Method::GET, "/api/v1/issues/similar", Target::None, None, ALL),
        row(Method::POST, "/api/v1/issues", Target::None, Some(new_issue.clone()), Some(COMMUNITY_WIDE)),
        row(
            Method::GET,
            "/api/v1/issues/{id}",
            Target::Junyue,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        row(
            Method::GET,
            "/api/v1/issues/{id}",
            Target::GongyuanLi,
            None,
            Some(&["secretary", "supervisor", "admin", "grid"]),
        ),
        row(
            Method::GET,
            "/api/v1/issues/{id}",
            Target::Hongxi,
            None,
            Some(&["secretary", "supervisor", "admin", "resident"]),
        ),
        row(
            Method::POST,
            "/api/v1/issues/{id}/transitions",
            Target::FreshAssigned,
            Some(
                json!({"transition": "commit", "version": 2, "commitment_text": "三天内清理", "due_date": crate::api_flow::in_days(app, 3)}),
            ),
            Some(&["secretary", "anshang"]),
        ),
        row(
            Method::GET,
            "/api/v1/issues/{id}/events",
            Target::Junyue,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        row(
            Method::GET,
            "/api/v1/issues/{id}/commitments",
            Target::Junyue,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        row(
            Method::GET,
            "/api/v1/issues/{id}/meetings",
            Target::Junyue,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        // (The supervisor raised it: their own support is a 409, past authorisation.)
        row_authorised(
            Method::PUT,
            "/api/v1/issues/{id}/support",
            Target::Junyue,
            None,
            &["secretary", "supervisor", "admin", "anshang"],
        ),
        row(
            Method::DELETE,
            "/api/v1/issues/{id}/support",
            Target::Junyue,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        // Ye Li (`resident`) leads buildings 3 and 5 of Hongxi Villa: she invites to them.
        row(
            Method::POST,
            "/api/v1/invitations",
            Target::None,
            Some(json!({"role": "resident", "building": hongxi_three(app)})),
            Some(&["secretary", "admin", "resident"]),
        ),
        row(Method::GET, "/api/v1/invitations", Target::None, None, Some(&["secretary", "admin", "resident"])),
        row(Method::DELETE, "/api/v1/invitations/{id}", Target::FreshInvitation, None, Some(MANAGERS)),
        // (A JSON body is 415, past authorisation.)
        row_authorised(Method::POST, "/api/v1/photos", Target::None, Some(json!({})), ALL),
        row(
            Method::GET,
            "/api/v1/photos/{id}",
            Target::Photo,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        row(
            Method::GET,
            "/api/v1/photos/{id}/thumbnail",
            Target::Photo,
            None,
            Some(&["secretary", "supervisor", "admin", "anshang"]),
        ),
        // The uploader or the secretary; Anshang sees it but may not delete it.
        row(
            Method::DELETE,
            "/api/v1/photos/{id}",
            Target::FreshPhoto,
            None,
            Some(&["secretary", "supervisor", "admin"]),
        ),
        row(Method::PUT, "/api/v1/photos/{id}/public", Target::Photo, Some(json!({"public": true})), Some(MANAGERS)),
        row(
            Method::POST,
            "/api/v1/open311/keys",
            Target::None,
            Some(json!({"name": "12345", "account": app.user("secretary@dongsheng.example").to_string()})),
            Some(&["admin"]),
        ),
        row(Method::GET, "/api/v1/open311/keys", Target::None, None, Some(&["admin"])),
        row(Method::DELETE, "/api/v1/open311/keys/{id}", Target::FreshKey, None, Some(&["admin"])),
        row(
            Method::POST,
            "/api/v1/channels",
            Target::None,
            Some(
                json!({"kind": "webhook", "name": "对接", "org": app.org("安尚物业").to_string(), "url": "https://hooks.example/x"}),
            ),
            Some(MANAGERS),
        ),
        row(Method::GET, "/api/v1/channels", Target::None, None, Some(MANAGERS)),
        row(Method::DELETE, "/api/v1/channels/{id}", Target::FreshChannel, None, Some(MANAGERS)),
        row(Method::POST, "/api/v1/channels/{id}/test", Target::FreshChannel, None, Some(MANAGERS)),
        row(Method::GET, "/api/v1/issues/{id}/deliveries", Target::Junyue, None, Some(MANAGERS)),
        row(Method::GET, "/api/v1/meetings", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/meetings/next", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/meetings/{id}", Target::Meeting, None, Some(ALL)),
        state_change(
            Method::PUT,
            "/api/v1/meetings/slots/{date}",
            Target::Slot,
            Some(json!({"skip": true, "reason": "测试"})),
        ),
        state_change(Method::POST, "/api/v1/meetings/slots/{date}/agenda", Target::Slot, None),
        state_change(Method::PUT, "/api/v1/meetings/{id}/agenda", Target::Meeting, Some(json!({"add": []}))),
        state_change(Method::POST, "/api/v1/meetings/{id}/agenda/publish", Target::Meeting, None),
        state_change(Method::POST, "/api/v1/meetings/{id}/open", Target::Meeting, None),
        state_change(Method::POST, "/api/v1/meetings/{id}/close", Target::Meeting, None),
        state_change(
            Method::PUT,
            "/api/v1/meetings/{id}/attendance",
            Target::Meeting,
            Some(json!({"org": app.org("安尚物业").to_string(), "attendees": "李明"})),
        ),
        state_change(
            Method::POST,
            "/api/v1/meetings/{id}/items/{item}/outcome",
            Target::Meeting,
            Some(json!({"outcome": "decision"})),
        ),
        row_authorised(Method::GET, "/api/v1/meetings/{id}/minutes", Target::Meeting, None, ALL),
        row_authorised(Method::GET, "/api/v1/meetings/{id}/agenda", Target::Meeting, None, ALL),
        state_change(Method::POST, "/api/v1/meetings/{id}/agenda/rebuild", Target::Meeting, None),
        row_authorised(Method::GET, "/api/v1/meetings/{id}/agenda/late", Target::Meeting, None, MANAGERS),
        state_change(Method::POST, "/api/v1/meetings/{id}/agenda/late", Target::Meeting, None),
        state_change(Method::PUT, "/api/v1/meetings/{id}/minutes", Target::Meeting, Some(json!({"text": "备注"}))),
        state_change(Method::POST, "/api/v1/meetings/{id}/minutes/publish", Target::Meeting, None),
        state_change(
            Method::POST,
            "/api/v1/meetings/{id}/minutes/addenda",
            Target::Meeting,
            Some(json!({"text": "更正"})),
        ),
        // (Everyone came to the demo's meetings but the grid branch and residents; its
        // minutes are published, so a correction or an answer is 409, past authorisation.)
        row(
            Method::GET,
            "/api/v1/meetings/{id}/minutes/corrections",
            Target::Meeting,
            None,
            Some(&["secretary", "supervisor", "anshang", "xiean", "admin"]),
        ),
        row_authorised(
            Method::POST,
            "/api/v1/meetings/{id}/minutes/corrections",
            Target::Meeting,
            Some(json!({"text": "记录有误"})),
            &["supervisor", "anshang", "xiean"],
        ),
        row_authorised(
            Method::PUT,
            "/api/v1/meetings/{id}/minutes/corrections/{correction}",
            Target::Meeting,
            Some(json!({"answer": "accepted"})),
            MANAGERS,
        ),
        row(Method::GET, "/api/v1/communities", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/compounds", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/compounds/{id}/buildings", Target::Compound, None, Some(ALL)),
        row(Method::GET, "/api/v1/organisations", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/users", Target::None, None, Some(&["admin"])),
        row(Method::GET, "/api/v1/workflows", Target::None, None, Some(ALL)),
        row(Method::GET, "/api/v1/workdays", Target::None, None, Some(ALL)),
        row(
            Method::PUT,
            "/api/v1/workdays/{year}",
            Target::Year,
            Some(json!({"holidays": [format!("{}-10-01/{}-10-07 国庆节", this_year(app), this_year(app))]})),
            Some(&["admin"]),
        ),
        row(Method::GET, "/api/v1/street", Target::None, None, Some(&[])),
        row(Method::GET, "/api/v1/street/workdays", Target::None, None, Some(&[])),
        row(
            Method::PUT,
            "/api/v1/street/workdays/{year}",
            Target::Year,
            Some(json!({"holidays": [format!("{}-10-01/{}-10-07 国庆节", this_year(app), this_year(app))]})),
            Some(&[]),
        ),
        // (Only the street office calls a community in; the path's id is not even read.)
        row(
            Method::POST,
            "/api/v1/street/communities/{id}/issues",
            Target::Compound,
            Some(new_issue.clone()),
            Some(&[]),
        ),
        // (It also reads its communities' issues; `{id}` is a community's, unknown here.)
        row(Method::GET, "/api/v1/street/communities/{id}/issues", Target::Compound, None, Some(&[])),
        row(Method::GET, "/api/v1/street/communities/{id}/issues/{issue}", Target::Compound, None, Some(&[])),
        row(Method::GET, "/api/v1/street/communities/{id}/issues/{issue}/events", Target::Compound, None, Some(&[])),
        row(
            Method::GET,
            "/api/v1/street/communities/{id}/issues/{issue}/commitments",
            Target::Compound,
            None,
            Some(&[]),
        ),
        row(Method::GET, "/api/v1/street/communities/{id}/issues/{issue}/meetings", Target::Compound, None, Some(&[])),
        row(Method::GET, "/api/v1/street/communities/{id}/issues/ledger", Target::Compound, None, Some(&[])),
        row(Method::GET, "/api/v1/street/communities/{id}/issues/ledger.xlsx", Target::Compound, None, Some(&[])),
        row(Method::GET, "/healthz", Target::None, None, None),
        row(Method::GET, "/readyz", Target::None, None, None),
    ]
}

/// Building 3 of Hongxi Villa.
fn hongxi_three(app: &TestApp) -> String {
    let mut conn = app.state.db.conn().expect("a connection");
    let buildings = roundtable_store::directory::buildings(&mut conn, app.compound("鸿禧山庄")).expect("buildings");
    buildings.into_iter().find(|b| b.name == "3号楼").expect("the demo has it").id.to_string()
}

/// An invitation the secretary made; its id.
async fn invitation(app: &TestApp) -> String {
    let body = json!({"role": "resident", "compound": app.compound("君悦湾").to_string()});
    let reply = app.post("/api/v1/invitations", &app.token("secretary@dongsheng.example").await, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.str("id").to_owned()
}

/// An Open311 key the administrator issued; its id.
async fn open311_key(app: &TestApp) -> String {
    let body = json!({"name": "12345", "account": app.user("secretary@dongsheng.example").to_string()});
    let reply = app.post("/api/v1/open311/keys", &app.token("admin@dongsheng.example").await, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.str("id").to_owned()
}

/// A webhook of Anshang's, written straight to the store (its port refuses at once, so a
/// test send fails fast); its id.
fn channel(app: &TestApp) -> String {
    let channel = roundtable_store::channels::Channel {
        id: uuid::Uuid::now_v7().to_string(),
        community: app.community(),
        kind: roundtable_core::ChannelKind::Webhook,
        name: "对接".into(),
        org: Some(app.org("安尚物业")),
        user: None,
        url: "http://127.0.0.1:9/hook".into(),
        secret: Some("whsec_x".into()),
        created_by: app.user("secretary@dongsheng.example"),
        created_at: chrono::Utc::now(),
        removed_at: None,
    };
    roundtable_store::channels::insert(&mut app.state.db.conn().expect("a connection"), &channel).expect("stored");
    channel.id
}

/// A photo the supervisor raised a Junyue Bay issue with, that issue assigned to Anshang.
async fn photo_of_an_assigned_issue(app: &TestApp) -> String {
    let supervisor = "supervisor@dongsheng.example";
    let ids = crate::photos::upload(
        app,
        supervisor,
        &[roundtable_e2e::Part::file("photo", "a.png", "image/png", roundtable_e2e::images::png(40, 30))],
    )
    .await;
    let body = json!({"title": "消防通道被占", "category": "security", "compound": app.compound("君悦湾").to_string(),
                      "photos": ids});
    let raised = app.post("/api/v1/issues", &app.token(supervisor).await, body).await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let anshang = app.org("安尚物业").to_string();
    fire(app, "secretary@dongsheng.example", &raised.body, "assign", json!({"responsible_org": anshang})).await;
    ids[0].clone()
}

/// A demo issue of a compound that is assigned to someone (so it has a responsible company).
async fn demo_issue(app: &TestApp, compound: &str) -> String {
    let path = format!("/api/v1/issues?compound={}&state=assigned,committed&limit=1", app.compound(compound));
    let page = app.get(&path, &app.token("secretary@dongsheng.example").await).await;
    page.body["items"][0]["id"].as_str().expect("the demo has such an issue").to_owned()
}

fn this_year(app: &TestApp) -> i32 {
    use chrono::Datelike;
    app.state.now().with_timezone(&chrono_tz::Asia::Shanghai).year()
}

/// The things of the demo community the table's rows act on.
struct Targets {
    junyue: Value,
    gongyuan: String,
    hongxi: String,
    meeting: String,
    slot: chrono::NaiveDate,
    photo: String,
}

impl Targets {
    async fn new(app: &TestApp) -> Targets {
        let junyue = raise(app, "垃圾清运不及时").await;
        let junyue = fire(
            app,
            "secretary@dongsheng.example",
            &junyue,
            "assign",
            json!({"responsible_org": app.org("安尚物业").to_string()}),
        )
        .await;
        let (gongyuan, hongxi) = (demo_issue(app, "公园里").await, demo_issue(app, "鸿禧山庄").await);
        let meetings = app.get("/api/v1/meetings", &app.token("secretary@dongsheng.example").await).await;
        let meeting = meetings.body[0]["id"].as_str().expect("the demo has meetings").to_owned();
        let in_three_months = app.state.now().date_naive() + chrono::Months::new(3);
        let slot = roundtable_core::meeting::next_slot(in_three_months).unwrap();
        let photo = photo_of_an_assigned_issue(app).await;
        Targets { junyue, gongyuan, hongxi, meeting, slot, photo }
    }

    /// The row's path with its target filled in (a fresh one made where the row needs it).
    async fn path(&self, app: &TestApp, row: &Row) -> String {
        match row.target {
            Target::None => row.path.to_owned(),
            Target::Junyue => row.path.replace("{id}", self.junyue["id"].as_str().unwrap()),
            Target::GongyuanLi => row.path.replace("{id}", &self.gongyuan),
            Target::Hongxi => row.path.replace("{id}", &self.hongxi),
            Target::Compound => row
                .path
                .replace("{id}", &app.compound("君悦湾").to_string())
                .replace("{issue}", self.junyue["id"].as_str().unwrap()),
            Target::Meeting => row
                .path
                .replace("{id}", &self.meeting)
                .replace("{item}", "no-such-item")
                .replace("{correction}", &uuid::Uuid::nil().to_string()),
            Target::Slot => row.path.replace("{date}", &self.slot.to_string()),
            Target::Photo => row.path.replace("{id}", &self.photo),
            Target::FreshPhoto => row.path.replace("{id}", &photo_of_an_assigned_issue(app).await),
            Target::FreshInvitation => row.path.replace("{id}", &invitation(app).await),
            Target::FreshKey => row.path.replace("{id}", &open311_key(app).await),
            Target::FreshChannel => row.path.replace("{id}", &channel(app)),
            Target::Year => row.path.replace("{year}", &this_year(app).to_string()),
            Target::FreshAssigned => {
                let fresh = raise(app, "楼道堆放杂物").await;
                let fresh = fire(
                    app,
                    "secretary@dongsheng.example",
                    &fresh,
                    "assign",
                    json!({"responsible_org": app.org("安尚物业").to_string()}),
                )
                .await;
                row.path.replace("{id}", fresh["id"].as_str().unwrap())
            }
        }
    }
}

async fn every_route_for_every_role(app: TestApp) {
    let targets = Targets::new(&app).await;

    // Every route of the OpenAPI document is in the table.
    let doc = app.call(Method::GET, "/api/v1/openapi.json", None, None).await.body;
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone())))
        .collect();
    let rows = table(&app);
    let tabled: BTreeSet<(String, String)> = rows.iter().map(|r| (r.method.to_string(), r.path.to_owned())).collect();
    assert_eq!(documented, tabled, "every route needs a row");

    for row in &rows {
        for role in ROLES.iter().copied().map(Some).chain([None]) {
            let path = targets.path(&app, row).await;
            let token = match (role, &row.method, row.path) {
                (Some(r), &Method::DELETE, "/api/v1/auth/token") => Some(app.fresh_token(&login(r)).await),
                (Some(r), _, _) => Some(app.token(&login(r)).await),
                (None, _, _) => None,
            };
            let body = match (row.path, role) {
                ("/api/v1/auth/token", Some(r)) if row.method == Method::POST => {
                    Some(json!({"login": login(r), "password": "demo1234"}))
                }
                ("/api/v1/auth/token", None) if row.method == Method::POST => {
                    Some(json!({"login": "admin@dongsheng.example", "password": "demo1234"}))
                }
                _ => row.body.clone(),
            };
            let reply = app.call(row.method.clone(), &path, token.as_deref(), body).await;
            if row.method == Method::DELETE && row.path == "/api/v1/me/sessions" {
                app.forget_tokens(); // every other session of that login has ended
            }
            let who = role.unwrap_or("anonymous");
            let expected_ok = match (row.allowed, role) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(allowed), Some(r)) => allowed.contains(&r),
            };
            if expected_ok && row.authorised_only && role.is_some() {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status),
                    "{} {} as {who}: {} {}",
                    row.method,
                    row.path,
                    reply.status,
                    reply.body
                );
            } else if expected_ok {
                assert!(
                    reply.status.is_success(),
                    "{} {} as {who}: {} {}",
                    row.method,
                    row.path,
                    reply.status,
                    reply.body
                );
            } else {
                let denied = if role.is_none() { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
                assert_eq!(reply.status, denied, "{} {} as {who}: {}", row.method, row.path, reply.body);
            }
        }
    }
}

/// Every route, called by each of another community's roles with this community's ids:
/// nothing of this community comes back — no issue, name, person or place — and whatever
/// names this community's things is refused.
async fn another_communitys_people_reach_nothing_of_this_one(app: TestApp) {
    let targets = Targets::new(&app).await;
    let west = app.add_community("西城社区", "xicheng", None, "西城物业");
    // What would give this community away in an answer.
    let mut markers: Vec<String> = vec![app.community().to_string(), "东圣社区".into(), "@dongsheng.example".into()];
    {
        let conn = &mut *app.state.db.conn().unwrap();
        markers
            .extend(roundtable_store::directory::compounds(conn, app.community()).unwrap().into_iter().map(|c| c.name));
        markers.extend(
            roundtable_store::directory::organisations(conn, app.community()).unwrap().into_iter().map(|o| o.name),
        );
    }
    markers.push(targets.junyue["title"].as_str().unwrap().to_owned());
    // A name that is also a word of the pages (业主监督委员会 is a role's too) gives nothing away.
    let words = std::fs::read_to_string(roundtable_e2e::repo().join("crates/web/locales/zh-CN.toml")).unwrap();
    markers.retain(|m| !words.contains(&format!("\"{m}\"")));
    // Ids of this community a request body may name.
    let ours = |body: &str| {
        let conn = &mut *app.state.db.conn().unwrap();
        let compounds = roundtable_store::directory::compounds(conn, app.community()).unwrap();
        let orgs = roundtable_store::directory::organisations(conn, app.community()).unwrap();
        let users = roundtable_store::directory::list_users(conn, app.community()).unwrap();
        compounds.iter().any(|c| body.contains(&c.id.to_string()))
            || orgs.iter().any(|o| body.contains(&o.id.to_string()))
            || users.iter().any(|u| body.contains(&u.id.to_string()))
    };
    for row in table(&app) {
        if row.path == "/api/v1/auth/token" || row.allowed.is_none() {
            continue; // signing in and the public routes are the same for everyone
        }
        for login in &west {
            let path = targets.path(&app, &row).await;
            let token = app.token(login).await;
            let body = row.body.clone();
            let names_ours = body.as_ref().is_some_and(|b| ours(&b.to_string()));
            let reply = app.call(row.method.clone(), &path, Some(&token), body).await;
            let what = format!("{} {} as {login}: {} {}", row.method, row.path, reply.status, reply.body);
            assert!(!reply.status.is_server_error(), "{what}");
            // A slot is a date: the caller's own community's meeting that month; a year, its
            // own working-day calendar's.
            let own = matches!(row.target, Target::None | Target::Slot | Target::Year);
            if !own || names_ours {
                assert!(!reply.status.is_success(), "{what}");
            }
            let text = reply.body.to_string();
            for m in &markers {
                assert!(!text.contains(m.as_str()), "{m} leaks: {what}");
            }
            if row.method == Method::DELETE && row.path == "/api/v1/me/sessions" {
                app.forget_tokens();
            }
        }
    }
    // The pages, as each of them signed in there.
    let junyue = targets.junyue["id"].as_str().unwrap();
    let theirs = [
        format!("/issues/{junyue}"),
        format!("/meetings/{}", targets.meeting),
        format!("/meetings/{}/minutes", targets.meeting),
        format!("/photos/{}", targets.photo),
        format!("/street/communities/{}/issues", app.community()),
        format!("/street/communities/{}/issues/{junyue}", app.community()),
        format!("/street/communities/{}/issues/ledger.csv", app.community()),
        format!("/street/communities/{}/issues/ledger.xlsx", app.community()),
    ];
    let own = [
        "/",
        "/issues",
        "/issues/ledger.csv",
        "/meetings",
        "/scorecard",
        "/notices",
        "/account",
        "/admin",
        "/channels",
        "/invitations",
    ];
    for login in &west {
        let pages = app.pages();
        pages.sign_in(login).await;
        let board = pages.get("/board").await;
        assert!(!board.location().contains(&app.community().to_string()), "their own board: {}", board.location());
        for path in theirs.iter().map(String::as_str).chain(own) {
            let page = pages.get(path).await;
            let what = format!("{path} as {login}: {}", page.status);
            assert!(!page.status.is_server_error(), "{what}");
            if theirs.iter().any(|t| t == path) {
                assert!(!page.status.is_success(), "{what}");
            }
            // (What the request itself named, a page may say back.)
            for m in markers.iter().filter(|m| !path.contains(m.as_str())) {
                assert!(!page.html.contains(m.as_str()), "{m} leaks: {what}");
            }
        }
    }
}

async fn one_company_cannot_touch_anothers_issue(app: TestApp) {
    let issue = raise(&app, "电梯经常停运").await;
    let issue = fire(
        &app,
        "secretary@dongsheng.example",
        &issue,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string()}),
    )
    .await;
    let id = issue["id"].as_str().unwrap();
    let xiean = app.token("xiean@dongsheng.example").await;
    assert_eq!(app.get(&format!("/api/v1/issues/{id}"), &xiean).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/issues/{id}/events"), &xiean).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.call(Method::PUT, &format!("/api/v1/issues/{id}/support"), Some(&xiean), None).await.status,
        StatusCode::FORBIDDEN
    );
    let commit = json!({"transition": "commit", "version": 2, "commitment_text": "我们来修", "due_date": crate::api_flow::in_days(&app, 3)});
    assert_eq!(
        app.post(&format!("/api/v1/issues/{id}/transitions"), &xiean, commit).await.status,
        StatusCode::FORBIDDEN
    );
    let anshang_org = app.org("安尚物业");
    assert_eq!(
        app.get(&format!("/api/v1/issues?responsible_org={anshang_org}"), &xiean).await.status,
        StatusCode::FORBIDDEN
    );
    let own = app.get("/api/v1/issues?limit=200", &xiean).await;
    let xiean_org = app.org("谐安物业").to_string();
    assert!(own.body["items"].as_array().unwrap().iter().all(|i| i["responsible_org"] == xiean_org.as_str()));
    let after = app.get(&format!("/api/v1/issues/{id}"), &app.token("anshang@dongsheng.example").await).await;
    assert_eq!(
        (after.body["state"].as_str(), after.body["support_count"].as_u64()),
        (Some("assigned"), Some(0)),
        "untouched"
    );
}

async fn contact_data_is_for_secretaries_and_the_responsible(app: TestApp) {
    let resident = app.token("resident1@dongsheng.example").await;
    let body = json!({"title": "宠物粪便无人清理", "category": "neighbourhood", "compound": app.compound("君悦湾").to_string()});
    let raised = app.post("/api/v1/issues", &resident, body).await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    assert_eq!(raised.body["raiser_contact"]["email"], "resident1@dongsheng.example", "raisers see their own");
    let assigned = fire(
        &app,
        "secretary@dongsheng.example",
        &raised.body,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string()}),
    )
    .await;
    assert!(assigned["raiser_contact"].is_object(), "the secretary sees it");
    let path = format!("/api/v1/issues/{}", assigned["id"].as_str().unwrap());
    let anshang = app.get(&path, &app.token("anshang@dongsheng.example").await).await;
    assert_eq!(
        anshang.body["raiser_contact"]["email"], "resident1@dongsheng.example",
        "the responsible company sees it"
    );
    let supervisor = app.get(&path, &app.token("supervisor@dongsheng.example").await).await;
    assert_eq!(supervisor.status, StatusCode::OK);
    assert!(supervisor.body.get("raiser_contact").is_none(), "the supervisory committee does not: {}", supervisor.body);
    assert_eq!(supervisor.body["raised_by"]["name"], "刘女士");
    // Raising in another compound is refused for a resident.
    let elsewhere = json!({"title": "x", "category": "other", "compound": app.compound("公园里").to_string()});
    assert_eq!(app.post("/api/v1/issues", &resident, elsewhere).await.status, StatusCode::FORBIDDEN);
}
