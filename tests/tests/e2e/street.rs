//! The street office (街道): its people compare the communities of their street — open
//! issues, promises past their date, the 三率 — and each company across the communities
//! it serves; a community of another street is not in it, and nobody else sees it.

use axum::http::{Method, StatusCode};
use roundtable_e2e::{Part, TestApp, images, on_both_databases};
use serde_json::{Value, json};

on_both_databases!(
    the_street_office_compares_its_communities_and_their_companies,
    the_street_office_follows_its_calls_on_its_page,
    each_community_meets_at_its_own_time_and_place,
    the_street_office_reads_its_communities_issues
);

/// Dongsheng's next meeting some days off, not under way (on a first Sunday morning the
/// demo holds that day's).
mod on_a_monday {
    use super::*;
    roundtable_e2e::on_both_databases!(at roundtable_e2e::monday(); each_community_follows_its_own_workflow_language_and_settings);
}

const STREET: &str = "street@dongsheng.example";

/// `roundtable demo` seeds Dongsheng's neighbour too, so the street office's first look
/// compares two communities: West City has lived through its own six meetings, Anshang
/// serves both, and each secretary sees only their own community.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_street_has_two_communities_to_compare() {
    // Six meetings held: on a first Sunday morning the day's is a seventh, under way.
    let app = TestApp::sqlite().at(roundtable_e2e::monday()).build();
    let seed = || {
        let state = &app.state;
        let tz = "Asia/Shanghai".parse().unwrap();
        let west = roundtable_web::demo::DemoCommunity::WestCity;
        roundtable_web::demo::seed(&state.db, &state.workflows, &state.config, tz, state.now(), west).unwrap()
    };
    let seeded = seed().expect("West City is new");
    assert_eq!((seeded.issues, seeded.meetings), (24, 6));
    assert!(seed().is_none(), "seeded once");

    let view = app.get("/api/v1/street", &app.token(STREET).await).await.body;
    let west = view["communities"].as_array().unwrap().iter().find(|c| c["name"] == "西城社区").expect("{view}");
    assert!(west["open"].as_i64().unwrap() > 0 && west["overdue"].as_i64().unwrap() > 0, "{west}");
    assert!(west["rates_of"].is_string(), "its latest agenda's rates: {west}");
    let anshang = view["companies"].as_array().unwrap().iter().find(|c| c["name"] == "安尚物业").unwrap();
    assert_eq!(anshang["communities"].as_array().unwrap().len(), 2, "{anshang}");

    // Beside the rates, the counts each community's comparison lists — extensions, redone
    // work, refused returns — summed over the communities Anshang serves, as each one's
    // latest agenda has them (Dongsheng's refused Anshang a return in the demo).
    let secretary = app.token(roundtable_web::demo::NEIGHBOUR_ACCOUNTS[0].0).await;
    let mut summed = json!({"extended": 0, "reopened": 0, "returns_refused": 0});
    for who in [secretary.clone(), app.token("secretary@dongsheng.example").await] {
        let community = app.get("/api/v1/me", &who).await.body["community"]["name"].clone();
        let line = view["communities"].as_array().unwrap().iter().find(|c| c["name"] == community).unwrap();
        let meetings = app.get("/api/v1/meetings", &who).await.body;
        let rated = meetings.as_array().unwrap().iter().find(|m| m["slot"] == line["rates_of"]).expect("its agenda");
        let detail = app.get(&format!("/api/v1/meetings/{}", rated["id"].as_str().unwrap()), &who).await.body;
        let orgs = app.get("/api/v1/organisations", &who).await.body;
        let id = orgs.as_array().unwrap().iter().find(|o| o["name"] == "安尚物业").unwrap()["id"].clone();
        let row = detail["scorecard"].as_array().unwrap().iter().find(|r| r["org"] == id).expect("Anshang compared");
        for count in ["extended", "reopened", "returns_refused"] {
            summed[count] = json!(summed[count].as_u64().unwrap() + row["half_year"][count].as_u64().unwrap());
        }
    }
    assert!(summed["returns_refused"].as_u64() >= Some(1), "the demo's refused return: {summed}");
    for count in ["extended", "reopened", "returns_refused"] {
        assert_eq!(anshang["rates"][count], summed[count], "{count}: {anshang}");
    }
    let pages = app.pages();
    pages.sign_in(STREET).await;
    let page = pages.get("/street").await.html;
    let companies = &page[page.find("id=\"street-companies\"").unwrap()..page.find("id=\"street-called-in\"").unwrap()];
    assert!(
        companies.contains("<th scope=\"col\">退回不成立</th>") && companies.contains("<th scope=\"col\">返工</th>")
    );
    let row = &companies[companies.find("安尚物业").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    let cells = format!(
        "<td>{}</td><td>{}</td><td>{}</td></tr>",
        summed["extended"], summed["reopened"], summed["returns_refused"]
    );
    assert!(format!("{row}</tr>").ends_with(&cells), "Anshang's row ends with its counts: {row}");

    let meetings = app.get("/api/v1/meetings", &secretary).await.body;
    let held: Vec<&Value> = meetings.as_array().unwrap().iter().filter(|m| m["status"] == "closed").collect();
    assert_eq!(held.len(), 6, "{meetings}");
    let minutes = format!("/api/v1/meetings/{}/minutes", held[0]["id"].as_str().unwrap());
    assert_eq!(app.call(Method::GET, &minutes, Some(&secretary), None).await.status, StatusCode::OK);
    let theirs = app.get("/api/v1/issues?limit=200", &secretary).await.body;
    let ours = app.get("/api/v1/issues?limit=200", &app.token("secretary@dongsheng.example").await).await.body;
    let ids = |list: &Value| -> Vec<String> {
        list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(&theirs).len(), 24);
    assert_eq!(ids(&ours).len(), 60, "Dongsheng's own, none of West City's");
    assert!(ids(&theirs).iter().all(|id| !ids(&ours).contains(id)));
}

async fn the_street_office_compares_its_communities_and_their_companies(app: TestApp) {
    // West City is in the same street and works with Anshang too; North Gate is not.
    let west = app.add_community("西城社区", "xicheng", Some("开发区街道"), "安尚物业");
    app.add_community("北门社区", "beimen", Some("北门街道"), "北门物业");
    let secretary = app.token(&west[0]).await;
    let compounds = app.get("/api/v1/compounds", &secretary).await.body;
    let orgs = app.get("/api/v1/organisations", &secretary).await.body;
    let raised = app
        .post(
            "/api/v1/issues",
            &secretary,
            json!({"title": "地库照明不足", "category": "building", "compound": compounds[0]["id"]}),
        )
        .await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let path = format!("/api/v1/issues/{}/transitions", raised.body["id"].as_str().unwrap());
    let assign = json!({"transition": "assign", "version": 1, "responsible_org": orgs[0]["id"]});
    assert_eq!(app.post(&path, &secretary, assign).await.status, StatusCode::OK);

    // West City's first agenda computes its comparison.
    let next = app.get("/api/v1/meetings/next", &secretary).await.body;
    let built = app
        .call(
            axum::http::Method::POST,
            &format!("/api/v1/meetings/slots/{}/agenda", next["slot"].as_str().unwrap()),
            Some(&secretary),
            None,
        )
        .await;
    assert!(built.status.is_success(), "{}", built.body);

    let street = app.token(STREET).await;
    let view = app.get("/api/v1/street", &street).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert_eq!(view.body["street"], "开发区街道");
    let names: Vec<&str> =
        view.body["communities"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"东圣社区") && names.contains(&"西城社区") && !names.contains(&"北门社区"));
    let community = |name: &str| -> Value {
        view.body["communities"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone()
    };
    assert_eq!((community("西城社区")["open"].as_i64(), community("西城社区")["overdue"].as_i64()), (Some(1), Some(0)));
    // Dongsheng's open issues, as its secretary counts them.
    let listed = app
        .get(
            "/api/v1/issues?state=raised,assigned,committed,resolved,paused&limit=200",
            &app.token("secretary@dongsheng.example").await,
        )
        .await;
    let open = listed.body["items"].as_array().unwrap().len() as i64;
    assert_eq!(community("东圣社区")["open"].as_i64(), Some(open), "the same count as the tracker's");
    assert!(community("东圣社区")["overdue"].as_i64().unwrap() > 0, "the demo has overdue promises");
    assert!(community("东圣社区")["board"].as_str().unwrap().ends_with("/board"));
    // Anshang serves both: one line, both communities, its received issues summed.
    let anshang = view.body["companies"].as_array().unwrap().iter().find(|c| c["name"] == "安尚物业").unwrap();
    let served: Vec<&str> = anshang["communities"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(served.len(), 2, "{served:?}");
    assert!(view.body.to_string().contains("\"response\":{\"m\""), "rates as counts: {}", view.body);
    assert_eq!(community("西城社区")["rates_of"], next["slot"], "the rates of its latest agenda");

    // Nobody else: not the secretary, not the administrator, not another community's.
    for login in ["secretary@dongsheng.example", "admin@dongsheng.example", west[0].as_str()] {
        assert_eq!(app.get("/api/v1/street", &app.token(login).await).await.status, StatusCode::FORBIDDEN, "{login}");
    }
    // The pages: the nav link, both tables, each community's board linked.
    let pages = app.pages();
    pages.sign_in(STREET).await;
    let home = pages.get("/").await;
    assert!(home.html.contains("href=\"/street\""), "the nav link");
    let page = pages.get("/street").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("街道尚未向各社区吹哨。"), "nothing called in yet");
    assert_eq!(view.body["called_in"], json!([]));
    assert!(
        page.html.contains("西城社区") && page.html.contains("安尚物业") && !page.html.contains("北门社区"),
        "{}",
        page.html
    );
    assert!(page.html.contains(&format!("/communities/{}/board", app.community())));
    // A community's promises past their date are a click away: the count opens its list
    // of them, as many rows as it says; a community without any has no link.
    let overdue = format!("/street/communities/{}/issues?overdue=true", app.community());
    let count = community("东圣社区")["overdue"].as_i64().unwrap();
    assert!(page.html.contains(&format!("<a href=\"{overdue}\" class=\"late\">{count}</a>")), "{}", page.html);
    let list = pages.get(&format!("{overdue}&limit=200")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.html.matches("<li class=\"issue-row overdue\">").count() as i64, count, "{}", list.html);
    assert_eq!(list.html.matches("<li class=\"issue-row").count() as i64, count, "only those");
    let west_id = community("西城社区")["id"].as_str().unwrap().to_owned();
    assert!(!page.html.contains(&format!("/street/communities/{west_id}/issues?overdue=true")));
    let other = app.pages();
    other.sign_in("secretary@dongsheng.example").await;
    assert_eq!(other.get("/street").await.status, StatusCode::FORBIDDEN);
    assert!(!other.get("/").await.html.contains("href=\"/street\""));
    // The whistle (吹哨): into West City, as the street office; on its secretary's list.
    let west_id = app.get("/api/v1/me", &secretary).await.body["community"]["id"].as_str().unwrap().to_owned();
    let whistle = format!("/api/v1/street/communities/{west_id}/issues");
    let body = json!({"title": "燃气管道老化需住建局介入", "category": "facilities", "compound": compounds[0]["id"]});
    let called = app.post(&whistle, &street, body.clone()).await;
    assert_eq!(called.status, StatusCode::CREATED, "{}", called.body);
    assert_eq!(called.body["state"], "raised");
    let theirs = app.get("/api/v1/issues?limit=50", &secretary).await.body.to_string();
    assert!(theirs.contains("燃气管道老化需住建局介入"), "West City's secretary has it: {theirs}");
    // Not into a community of another street, nor with a compound of another community,
    // nor with photos; nobody but the street office.
    let other = app.get("/api/v1/me", &app.token("secretary@beimen.example").await).await.body["community"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.post(&format!("/api/v1/street/communities/{other}/issues"), &street, body.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = format!("/api/v1/street/communities/{}/issues", uuid::Uuid::now_v7());
    assert_eq!(app.post(&unknown, &street, body.clone()).await.status, StatusCode::NOT_FOUND);
    let elsewhere = json!({"title": "x", "category": "facilities", "compound": app.compound("君悦湾").to_string()});
    assert_eq!(app.post(&whistle, &street, elsewhere).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let with_photo = json!({"title": "x", "category": "facilities", "compound": compounds[0]["id"], "photos": [uuid::Uuid::now_v7()]});
    assert_eq!(app.post(&whistle, &street, with_photo).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.post(&whistle, &secretary, body).await.status, StatusCode::FORBIDDEN);
    // And on the page.
    let place = format!("{west_id}:{}", compounds[0]["id"].as_str().unwrap());
    let done = pages
        .submit(
            "/street",
            "/street/issues",
            &[
                ("place", &place),
                ("category", "security"),
                ("urgency", "red"),
                ("title", "小区出入口无人值守"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert!(pages.get(done.location()).await.html.contains("已吹哨"));
    let refused =
        pages.submit("/street", "/street/issues", &[("place", &place), ("category", "security"), ("title", "")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // No place chosen, no title, an unknown category: all three named at once, what was
    // typed kept.
    let several = pages
        .submit(
            "/street",
            "/street/issues",
            &[("category", "nonsense"), ("urgency", "purple"), ("title", "\u{200b}"), ("description", "门口")],
        )
        .await;
    assert_eq!(several.status, StatusCode::UNPROCESSABLE_ENTITY);
    for problem in ["小区: 必须填写", "标题: 不能为空", "类别: 格式不正确", "紧急程度: 格式不正确"]
    {
        assert!(several.html.contains(problem), "{problem}: {}", several.html);
    }
    assert!(several.html.contains(">门口</textarea>"), "{}", several.html);
    let unchosen = [("place", place.as_str()), ("category", ""), ("title", "门禁")];
    assert!(pages.submit("/street", "/street/issues", &unchosen).await.html.contains("类别: 必须填写"));
    let garbled = [("place", "东圣:君悦湾"), ("category", "security"), ("title", "门禁")];
    assert!(pages.submit("/street", "/street/issues", &garbled).await.html.contains("小区: 格式不正确"));
    let listed = app.get("/api/v1/issues?limit=50", &secretary).await.body;
    let called = listed["items"].as_array().unwrap().iter().find(|i| i["title"] == "小区出入口无人值守").cloned();
    assert_eq!(called.expect("on the secretary's list")["urgency"], "red", "called in as urgent");

    // What the street office called in for, as each community takes it up: on the API,
    // its page and its "my work"; West City's own issue is not among them.
    let called = app.get("/api/v1/street", &street).await.body["called_in"].clone();
    let mut titles: Vec<&str> =
        called.as_array().unwrap().iter().map(|c| c["issue"]["title"].as_str().unwrap()).collect();
    titles.sort();
    assert_eq!(titles, ["小区出入口无人值守", "燃气管道老化需住建局介入"], "{called}");
    let call = |title: &str| called.as_array().unwrap().iter().find(|c| c["issue"]["title"] == title).unwrap().clone();
    let gate = call("小区出入口无人值守");
    assert_eq!(
        (gate["community_name"].as_str(), gate["issue"]["urgency"].as_str(), gate["issue"]["state"].as_str()),
        (Some("西城社区"), Some("red"), Some("raised"))
    );
    assert_eq!(gate["compound_name"], compounds[0]["name"]);
    // West City's secretary assigns the gas pipes: the street office sees it, and to whom.
    let gas = call("燃气管道老化需住建局介入")["issue"]["id"].as_str().unwrap().to_owned();
    let assign = json!({"transition": "assign", "version": 1, "responsible_org": orgs[0]["id"]});
    let assigned = app.post(&format!("/api/v1/issues/{gas}/transitions"), &secretary, assign).await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    let called = app.get("/api/v1/street", &street).await.body["called_in"].clone();
    let gas_now = called.as_array().unwrap().iter().find(|c| c["issue"]["id"] == gas.as_str()).unwrap();
    assert_eq!((&gas_now["issue"]["state"], &gas_now["org_name"]), (&json!("assigned"), &orgs[0]["name"]));
    assert_eq!(gas_now["progress"], json!(null), "nothing reported");
    let read = app.get(gas_now["href"].as_str().unwrap(), &street).await;
    assert_eq!((read.status, read.body["title"].as_str()), (StatusCode::OK, Some("燃气管道老化需住建局介入")));
    // A promise, then word of how it goes: the street office reads it without opening it.
    let due = crate::api_flow::in_days(&app, 20);
    let promise = json!({"transition": "commit", "version": 2, "commitment_text": "协调更换", "due_date": due});
    let promised = app.post(&format!("/api/v1/issues/{gas}/transitions"), &secretary, promise).await;
    assert_eq!(promised.status, StatusCode::OK, "{}", promised.body);
    let said = json!({"transition": "report_progress", "version": 3, "note": "住建局已勘查 <b>下周施工</b>"});
    let reported = app.post(&format!("/api/v1/issues/{gas}/transitions"), &secretary, said).await;
    assert_eq!(reported.status, StatusCode::OK, "{}", reported.body);
    let called = app.get("/api/v1/street", &street).await.body["called_in"].clone();
    let gas_now = called.as_array().unwrap().iter().find(|c| c["issue"]["id"] == gas.as_str()).unwrap();
    assert_eq!(gas_now["progress"]["note"], "住建局已勘查 <b>下周施工</b>");
    let html = pages.get("/street").await.html;
    assert!(html.contains("最新进展：住建局已勘查 &lt;b&gt;下周施工&lt;/b&gt; · "), "{html}");
    let card = &html[html.find("id=\"street-called-in\"").unwrap()..html.find("id=\"whistle\"").unwrap()];
    assert!(card.contains(&format!("/street/communities/{west_id}/issues/{gas}")), "{card}");
    assert!(card.contains("西城社区 · ") && card.contains("已承诺") && card.contains("小区出入口无人值守"), "{card}");
    assert!(!card.contains("地库照明不足"), "West City's own issue is not the street's call: {card}");
    let home = pages.get("/").await.html;
    assert!(home.contains("section-called_in") && home.contains("燃气管道老化需住建局介入"), "{home}");
    let secretary_home = app.pages();
    secretary_home.sign_in("secretary@dongsheng.example").await;
    assert!(!secretary_home.get("/").await.html.contains("section-called_in"), "the street office's only");

    // A community in no street office: the street page says so.
    roundtable_store::directory::set_street(&mut app.state.db.conn().unwrap(), app.community(), None).unwrap();
    assert_eq!(app.get("/api/v1/street", &street).await.status, StatusCode::NOT_FOUND);
}

/// West City meets at 09:30 in its own room; Dongsheng keeps the deployment's settings.
async fn each_community_meets_at_its_own_time_and_place(app: TestApp) {
    let west = app.add_community("西城社区", "xicheng", Some("开发区街道"), "西城物业");
    let west_id = {
        let conn = &mut *app.state.db.conn().unwrap();
        let c =
            roundtable_store::directory::communities(conn).unwrap().into_iter().find(|c| c.name == "西城社区").unwrap();
        let nine_thirty = chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap();
        roundtable_store::directory::set_meeting(conn, c.id, Some(nine_thirty), Some("西城社区活动室")).unwrap();
        c.id
    };
    let next = app.get("/api/v1/meetings/next", &app.token(&west[0]).await).await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.body);
    assert_eq!(next.body["place"], "西城社区活动室");
    let starts: chrono::DateTime<chrono::Utc> = next.body["starts_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(starts.with_timezone(&chrono_tz::Asia::Shanghai).format("%H:%M").to_string(), "09:30");
    let ours = app.get("/api/v1/meetings/next", &app.token("secretary@dongsheng.example").await).await;
    assert_eq!(ours.body["place"].as_str(), Some(app.state.config.meeting.place.as_str()), "the deployment's");
    // The public calendar says the same.
    let (_, _, feed) = app.anonymous(&format!("/communities/{west_id}/meetings.ics"), None).await;
    let feed = String::from_utf8(feed).unwrap();
    assert!(feed.contains("LOCATION:西城社区活动室") && feed.contains("T093000"), "{feed}");

    // The street office, whose cadre attends them, reads each community's next meeting:
    // when, where, whether its agenda is out, and the calendar to subscribe to.
    let view = app.get("/api/v1/street", &app.token(STREET).await).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let of = |name: &str| -> Value {
        let c = view.body["communities"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
        c["next_meeting"].clone()
    };
    let theirs = of("西城社区");
    assert_eq!(
        (theirs["slot"].clone(), theirs["starts_at"].clone()),
        (next.body["slot"].clone(), next.body["starts_at"].clone())
    );
    assert_eq!((theirs["place"].as_str(), theirs["agenda_published"].as_bool()), (Some("西城社区活动室"), Some(false)));
    assert_eq!(theirs["agenda"], Value::Null, "{theirs}");
    assert_eq!(theirs["calendar"], format!("/communities/{west_id}/meetings.ics"));
    let dongsheng = of("东圣社区");
    assert_eq!(
        (dongsheng["slot"].clone(), dongsheng["place"].clone()),
        (ours.body["slot"].clone(), ours.body["place"].clone())
    );
    assert_eq!(dongsheng["open"].as_bool(), Some(ours.body["status"] == "open"), "{dongsheng}");
    let published = ours.body["agenda_status"] == "published";
    assert_eq!(dongsheng["agenda_published"].as_bool(), Some(published), "{dongsheng}");
    if published {
        // Its public page opens without signing in.
        let link = dongsheng["agenda"].as_str().expect("the public agenda");
        assert!(link.ends_with(&format!("/meetings/{}/agenda", ours.body["id"].as_str().unwrap())), "{link}");
        let (status, _, _) = app.anonymous(link, None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let pages = app.pages();
    pages.sign_in(STREET).await;
    let page = pages.get("/street").await.html;
    let meetings =
        page.split(r#"id="street-meetings""#).nth(1).expect("the meetings").split("</section>").next().unwrap();
    let west_at = starts.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d 09:30").to_string();
    assert!(meetings.contains(&format!("<strong>西城社区</strong> · {west_at} · 西城社区活动室")), "{meetings}");
    assert!(meetings.contains("议程未发布"), "{meetings}");
    assert!(meetings.contains(&format!(r#"href="/communities/{west_id}/meetings.ics""#)), "{meetings}");
    let west_line = |page: &str| -> String {
        let at = page.find("<strong>西城社区</strong>").expect("West City's next meeting");
        page[at..].split("</li>").next().unwrap().to_owned()
    };
    assert!(!west_line(&page).contains("尚未开始"), "its hour has not come: {}", west_line(&page));
    // Its hour come and nobody opened it: the cadre on the way learns it has not begun.
    app.set_now(starts + chrono::TimeDelta::minutes(40));
    let page = pages.get("/street").await.html;
    assert!(west_line(&page).contains("已到开会时间，尚未开始"), "{}", west_line(&page));
}

/// West City runs on the strict workflow (only the supervisory committee accepts a fix),
/// speaks English by default, builds its agenda a week ahead and holds promises to ten
/// days; Dongsheng keeps the deployment's of each.
async fn each_community_follows_its_own_workflow_language_and_settings(app: TestApp) {
    let west = app.add_community("西城社区", "xicheng", Some("开发区街道"), "西城物业");
    let own = "[meeting]\nagenda_lead_days = 7\nmax_commitment_days = 10\n";
    {
        let conn = &mut *app.state.db.conn().unwrap();
        let c =
            roundtable_store::directory::communities(conn).unwrap().into_iter().find(|c| c.name == "西城社区").unwrap();
        let kept = roundtable_web::community_settings::check(&app.state.config, own).unwrap();
        roundtable_store::directory::set_own_settings(conn, c.id, Some("issue_strict"), "en", kept.as_deref()).unwrap();
    }
    let (secretary, wang, resident) = (app.token(&west[0]).await, app.token(&west[2]).await, app.token(&west[3]).await);
    let compounds = app.get("/api/v1/compounds", &secretary).await.body;
    let orgs = app.get("/api/v1/organisations", &secretary).await.body;
    let raised = app
        .post(
            "/api/v1/issues",
            &resident,
            json!({"title": "单元门禁失灵", "category": "security", "compound": compounds[0]["id"]}),
        )
        .await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    assert_eq!(raised.body["workflow"], "issue_strict", "a new issue follows its community's workflow");
    let path = format!("/api/v1/issues/{}/transitions", raised.body["id"].as_str().unwrap());
    let step = |token: &str, body: Value| {
        let (app, path, token) = (&app, path.clone(), token.to_owned());
        async move { app.post(&path, &token, body).await }
    };
    let assign = json!({"transition": "assign", "version": 1, "responsible_org": orgs[0]["id"]});
    assert_eq!(step(&secretary, assign).await.status, StatusCode::OK);
    // Ten days, not the deployment's ninety.
    let today = app.state.now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let commit = |days: u64, version: u32| {
        json!({"transition": "commit", "version": version, "commitment_text": "更换读卡器",
               "due_date": (today + chrono::Days::new(days)).to_string()})
    };
    let late = step(&wang, commit(20, 2)).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", late.body);
    assert!(late.body.to_string().contains("10"), "the limit is named: {}", late.body);
    assert_eq!(step(&wang, commit(8, 2)).await.status, StatusCode::OK);
    let resolve = json!({"transition": "resolve", "version": 3, "resolution_note": "已更换"});
    assert_eq!(step(&wang, resolve).await.status, StatusCode::OK);
    // The raiser may not accept the fix here: the supervisory committee does.
    let verify = json!({"transition": "verify", "version": 4, "satisfaction": 5});
    assert_eq!(step(&resident, verify).await.status, StatusCode::FORBIDDEN);
    // Dongsheng's issues still follow the default workflow.
    let ours = app
        .post(
            "/api/v1/issues",
            &app.token("secretary@dongsheng.example").await,
            json!({"title": "路灯不亮", "category": "facilities", "compound": app.compound("君悦湾").to_string()}),
        )
        .await;
    assert_eq!(ours.body["workflow"], "issue");

    // English for those who have not chosen; Chinese stays Dongsheng's.
    let pages = app.pages();
    pages.sign_in(&west[0]).await;
    assert!(pages.get("/").await.html.contains("<html lang=\"en\""));
    let ours = app.pages();
    ours.sign_in("secretary@dongsheng.example").await;
    assert!(ours.get("/").await.html.contains("<html lang=\"zh-CN\""));

    // Six days before the meeting, West City's agenda is due (a week ahead) and
    // Dongsheng's is not yet (five days ahead).
    let next = app.get("/api/v1/meetings/next", &secretary).await.body;
    let starts: chrono::DateTime<chrono::Utc> = next["starts_at"].as_str().unwrap().parse().unwrap();
    let at = starts - chrono::TimeDelta::days(6);
    roundtable_web::jobs::agenda::tick(&app.state.db, (&app.state.config, &app.state.workflows), at, "test")
        .await
        .unwrap();
    let status = |token: String| {
        let app = &app;
        async move { app.get("/api/v1/meetings/next", &token).await.body["agenda_status"].clone() }
    };
    assert_eq!(status(secretary.clone()).await, "draft", "West City's agenda is built");
    assert_eq!(status(app.token("secretary@dongsheng.example").await).await, "none", "Dongsheng's waits");
}

/// The street office opens a community's tracker from its comparison: every issue of a
/// community of its street, read-only and without the raisers' contact data; nothing of
/// a community of another street, and nothing through a community the issue is not in.
async fn the_street_office_reads_its_communities_issues(app: TestApp) {
    let west = app.add_community("西城社区", "xicheng", Some("开发区街道"), "安尚物业");
    let north = app.add_community("北门社区", "beimen", Some("北门街道"), "北门物业");
    let at = &app;
    let id_of = |login: String| async move {
        let me = at.get("/api/v1/me", &at.token(&login).await).await.body;
        me["community"]["id"].as_str().unwrap().to_owned()
    };
    let (west_id, north_id) = (id_of(west[0].clone()).await, id_of(north[0].clone()).await);
    let resident = app.token(&west[3]).await;
    let compounds = app.get("/api/v1/compounds", &resident).await.body;
    let shot = |name| Part::file("photo", name, "image/jpeg", images::jpeg(320, 240));
    let photos = crate::photos::upload(&app, &west[3], &[shot("garage.jpg")]).await;
    let body =
        json!({"title": "地库照明不足", "category": "building", "compound": compounds[0]["id"], "photos": photos});
    let raised = app.post("/api/v1/issues", &resident, body).await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let issue = raised.body["id"].as_str().unwrap().to_owned();
    let northern = app.token(&north[3]).await;
    let compound = app.get("/api/v1/compounds", &northern).await.body[0]["id"].clone();
    let their_photos = crate::photos::upload(&app, &north[3], &[shot("north.jpg")]).await;
    let body = json!({"title": "地库照明不足", "category": "building", "compound": compound, "photos": their_photos});
    let theirs = app.post("/api/v1/issues", &northern, body).await.body;
    let theirs = theirs["id"].as_str().unwrap().to_owned();

    let street = app.token(STREET).await;
    let list = app.get(&format!("/api/v1/street/communities/{west_id}/issues"), &street).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let titles: Vec<&str> =
        list.body["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["地库照明不足"], "West City's one issue");
    // The list's filters work as on the tracker's own list, and are checked as there.
    let filtered = app.get(&format!("/api/v1/street/communities/{west_id}/issues?state=verified"), &street).await;
    assert_eq!(filtered.body["items"].as_array().map(Vec::len), Some(0), "{}", filtered.body);
    let bad = app.get(&format!("/api/v1/street/communities/{west_id}/issues?limit=abc"), &street).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let one = app.get(&format!("/api/v1/street/communities/{west_id}/issues/{issue}"), &street).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.body["title"], "地库照明不足");
    assert_eq!(one.body["transitions"], json!([]), "read-only: nothing to fire");
    assert!(one.body["raiser_contact"].is_null(), "no contact data: {}", one.body);
    assert!(!one.body.to_string().contains(&west[3]), "the raiser's mail address: {}", one.body);
    // What its read-only page shows beside the issue, the API gives too: the timeline, the
    // promises, the meetings.
    let beside = |what: &str| format!("/api/v1/street/communities/{west_id}/issues/{issue}/{what}");
    let events = app.get(&beside("events"), &street).await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    assert_eq!(events.body[0]["transition"], "raise", "{}", events.body);
    assert!(!events.body.to_string().contains(&west[3]), "{}", events.body);
    for what in ["commitments", "meetings"] {
        let reply = app.get(&beside(what), &street).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!([])), "{what}");
    }
    // The issue's photos are the street office's to see as the issue is, and only they:
    // not those of a community of another street, nor anyone else's across communities.
    let (ours, north_photo) = (format!("/api/v1/photos/{}", photos[0]), format!("/api/v1/photos/{}", their_photos[0]));
    assert!(one.body.to_string().contains(&photos[0]), "{}", one.body);
    for path in [ours.clone(), format!("{ours}/thumbnail")] {
        assert_eq!(app.bytes(&path, &street).await.0, StatusCode::OK, "{path}");
    }
    for path in [north_photo.clone(), format!("{north_photo}/thumbnail")] {
        assert_eq!(app.bytes(&path, &street).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.bytes(&ours, &northern).await.0, StatusCode::NOT_FOUND, "a resident of another street");
    assert_eq!(app.bytes(&ours, &app.token(&north[0]).await).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.bytes(&ours, &app.token("secretary@dongsheng.example").await).await.0, StatusCode::NOT_FOUND);
    // Reading is all: the street office does not publish a community's photo.
    let publish = app.call(Method::PUT, &format!("{ours}/public"), Some(&street), Some(json!({"public": true}))).await;
    assert_eq!(publish.status, StatusCode::FORBIDDEN, "{}", publish.body);
    // Its own community too, which has the demo's issues.
    let home = app.get(&format!("/api/v1/street/communities/{}/issues?limit=5", app.community()), &street).await;
    assert_eq!(home.body["items"].as_array().map(Vec::len), Some(5), "{}", home.body);

    // Not a community of another street, not an unknown one, not an issue through a
    // community it is not in; nobody but the street office.
    for path in [
        format!("/api/v1/street/communities/{north_id}/issues"),
        format!("/api/v1/street/communities/{north_id}/issues/{theirs}"),
        format!("/api/v1/street/communities/{}/issues", uuid::Uuid::now_v7()),
        format!("/api/v1/street/communities/{west_id}/issues/{theirs}"),
        format!("/api/v1/street/communities/{}/issues/{issue}", app.community()),
        format!("/api/v1/street/communities/{west_id}/issues/{}", uuid::Uuid::now_v7()),
        format!("/api/v1/street/communities/{north_id}/issues/{theirs}/events"),
        format!("/api/v1/street/communities/{west_id}/issues/{theirs}/commitments"),
        format!("/api/v1/street/communities/{}/issues/{issue}/meetings", app.community()),
    ] {
        let reply = app.get(&path, &street).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}: {}", reply.body);
        assert!(!reply.body.to_string().contains("地库照明不足"), "{path}");
    }
    for login in [west[0].as_str(), "secretary@dongsheng.example", north[0].as_str()] {
        let token = app.token(login).await;
        let reply = app.get(&format!("/api/v1/street/communities/{west_id}/issues/{issue}"), &token).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{login}");
        let reply = app.get(&format!("/api/v1/street/communities/{west_id}/issues"), &token).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{login}");
        for what in ["events", "commitments", "meetings"] {
            assert_eq!(app.get(&beside(what), &token).await.status, StatusCode::FORBIDDEN, "{login} {what}");
        }
    }
    // The community's ledger (台账), filtered like its list, as CSV and as a workbook; not
    // another street's, not for anyone but the street office.
    let ledger = format!("/api/v1/street/communities/{west_id}/issues/ledger");
    let (status, headers, csv) = app.bytes(&ledger, &street).await;
    assert_eq!(status, StatusCode::OK);
    let named = crate::ledger::download_name(&app, "西城社区问题台账", "csv");
    assert_eq!(headers["content-disposition"], named, "named by the community read, not the reader's");
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 2, "the header and West City's one issue: {csv}");
    assert!(csv.contains("地库照明不足") && !csv.contains(&west[3]), "{csv}");
    let (_, _, none) = app.bytes(&format!("{ledger}?state=verified"), &street).await;
    assert_eq!(String::from_utf8(none).unwrap().lines().count(), 1, "the filter applies");
    let (status, headers, xlsx) = app.bytes(&format!("{ledger}.xlsx"), &street).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml") && xlsx.starts_with(b"PK"));
    let north_ledger = format!("/api/v1/street/communities/{north_id}/issues/ledger");
    for path in [north_ledger.clone(), format!("{north_ledger}.xlsx")] {
        let (status, _, body) = app.bytes(&path, &street).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("地库照明不足"), "{path}");
    }
    for login in [west[0].as_str(), north[0].as_str()] {
        assert_eq!(app.bytes(&ledger, &app.token(login).await).await.0, StatusCode::FORBIDDEN, "{login}");
    }

    // Read-only: the street office fires nothing in the community it reads.
    let assign = json!({"transition": "assign", "version": 1, "responsible_org": app.org("安尚物业").to_string()});
    let fired = app.post(&format!("/api/v1/issues/{issue}/transitions"), &street, assign).await;
    assert_eq!(fired.status, StatusCode::NOT_FOUND, "{}", fired.body);

    // The pages: from the comparison to the list to the issue, nothing to fire on it.
    let pages = app.pages();
    pages.sign_in(STREET).await;
    let listing = format!("/street/communities/{west_id}/issues");
    assert!(pages.get("/street").await.html.contains(&format!("href=\"{listing}\"")), "linked from the comparison");
    let page = pages.get(&listing).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("西城社区") && page.html.contains("地库照明不足"), "{}", page.html);
    let detail = format!("{listing}/{issue}");
    assert!(page.html.contains(&format!("href=\"{detail}\"")), "{}", page.html);
    assert!(!page.html.contains("/issues/new"), "no raising here");
    // Its ledger, from the list, with the list's filters.
    assert!(page.html.contains(&format!("href=\"{listing}/ledger.csv?")), "{}", page.html);
    assert!(page.html.contains(&format!("href=\"{listing}/ledger.xlsx?")), "{}", page.html);
    let sheet = pages.get(&format!("{listing}/ledger.csv")).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.html.contains("地库照明不足"), "{}", sheet.html);
    assert_eq!(
        pages.get(&format!("/street/communities/{north_id}/issues/ledger.xlsx")).await.status,
        StatusCode::NOT_FOUND
    );
    let shown = pages.get(&detail).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.html);
    assert!(shown.html.contains("地库照明不足"));
    for form in ["/transitions", "/follow", "/support"] {
        assert!(!shown.html.contains(form), "no {form} form: {}", shown.html);
    }
    assert!(!shown.html.contains(&west[3]), "no contact data");
    let thumbnail = format!("/photos/{}/thumbnail", photos[0]);
    assert!(shown.html.contains(&thumbnail), "the photo is shown: {}", shown.html);
    assert!(!shown.html.contains("/delete") && !shown.html.contains("/public\""), "nothing to change on it");
    assert_eq!(pages.get(&thumbnail).await.status, StatusCode::OK);
    assert_eq!(pages.get(&format!("/photos/{}/thumbnail", their_photos[0])).await.status, StatusCode::NOT_FOUND);
    let filtered = pages.get(&format!("{listing}?state=verified")).await;
    assert!(filtered.status.is_success() && !filtered.html.contains("地库照明不足"));
    for path in [format!("/street/communities/{north_id}/issues"), format!("{listing}/{theirs}")] {
        assert_eq!(pages.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let secretary = app.pages();
    secretary.sign_in(&west[0]).await;
    assert_eq!(secretary.get(&detail).await.status, StatusCode::FORBIDDEN);
    assert_eq!(secretary.get(&listing).await.status, StatusCode::FORBIDDEN);
    assert_eq!(secretary.get(&format!("{listing}/ledger.csv")).await.status, StatusCode::FORBIDDEN);
}

/// The street office follows its calls into the other communities on its page, not in
/// the bell: a step on one puts nothing there (its notices page could not show it); a
/// call into its own community it follows as any raiser.
async fn the_street_office_follows_its_calls_on_its_page(app: TestApp) {
    let west = app.add_community("西城社区", "xicheng", Some("开发区街道"), "安尚物业");
    let secretary = app.token(&west[0]).await;
    let west_id = app.get("/api/v1/me", &secretary).await.body["community"]["id"].as_str().unwrap().to_owned();
    let compounds = app.get("/api/v1/compounds", &secretary).await.body;
    let orgs = app.get("/api/v1/organisations", &secretary).await.body;
    let street = app.token(STREET).await;
    let body = json!({"title": "燃气管道老化", "category": "facilities", "compound": compounds[0]["id"]});
    let called = app.post(&format!("/api/v1/street/communities/{west_id}/issues"), &street, body).await;
    assert_eq!(called.status, StatusCode::CREATED, "{}", called.body);
    let path = format!("/api/v1/issues/{}/transitions", called.body["id"].as_str().unwrap());
    let assign = json!({"transition": "assign", "version": 1, "responsible_org": orgs[0]["id"]});
    assert_eq!(app.post(&path, &secretary, assign).await.status, StatusCode::OK);
    let bell = app.get("/api/v1/notices", &street).await.body;
    assert_eq!((bell["unread"].as_u64(), bell["items"].as_array().map(Vec::len)), (Some(0), Some(0)), "{bell}");
    let listed = app.get("/api/v1/street", &street).await.body["called_in"].to_string();
    assert!(listed.contains("燃气管道老化") && listed.contains("assigned"), "on its page, assigned: {listed}");
    // Into its own community: its notices as any raiser's.
    let dongsheng = app.community().to_string();
    let body =
        json!({"title": "主干道路灯不亮", "category": "facilities", "compound": app.compound("君悦湾").to_string()});
    let own = app.post(&format!("/api/v1/street/communities/{dongsheng}/issues"), &street, body).await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    let path = format!("/api/v1/issues/{}/transitions", own.body["id"].as_str().unwrap());
    let assign = json!({"transition": "assign", "version": 1, "responsible_org": app.org("安尚物业").to_string()});
    let secretary = app.token("secretary@dongsheng.example").await;
    assert_eq!(app.post(&path, &secretary, assign).await.status, StatusCode::OK);
    let bell = app.get("/api/v1/notices", &street).await.body;
    assert_eq!((bell["unread"].as_u64(), bell["items"].as_array().map(Vec::len)), (Some(1), Some(1)), "{bell}");
}
