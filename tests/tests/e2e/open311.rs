//! Open311 GeoReport v2: every endpoint with the spec's parameters in both formats, the
//! error codes, keys issued and revoked by the administrator, requests located by
//! coordinates and by address, nothing private in what anyone can read — and photos the
//! secretary marks public.

use axum::http::{HeaderMap, Method, StatusCode, header};
use roundtable_e2e::{Part, TestApp, images, on_both_databases};
use serde_json::{Value, json};

use crate::api_flow::{fire, in_days, raise};

const SECRETARY: &str = "secretary@dongsheng.example";
const ADMIN: &str = "admin@dongsheng.example";
const YE_LI: &str = "resident@dongsheng.example";

/// A GET with no session: status, headers, body as text.
async fn get(app: &TestApp, path: &str) -> (StatusCode, HeaderMap, String) {
    let (status, headers, bytes) = app.anonymous(path, None).await;
    (status, headers, String::from_utf8(bytes).expect("UTF-8"))
}

/// A JSON answer: status and value.
async fn json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let (status, headers, text) = get(app, path).await;
    assert_eq!(headers[header::CONTENT_TYPE], "application/json; charset=utf-8", "{path}");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")))
}

/// An XML answer: status and text, checked to be a well-formed document.
async fn xml(app: &TestApp, path: &str) -> (StatusCode, String) {
    let (status, headers, text) = get(app, path).await;
    assert_eq!(headers[header::CONTENT_TYPE], "text/xml; charset=utf-8", "{path}");
    let mut reader = quick_xml::Reader::from_str(&text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{path} is not well-formed XML: {e}: {text}"),
        }
    }
    (status, text)
}

/// `POST requests.json` with these form fields.
async fn post(app: &TestApp, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
    let reply =
        app.raw(Method::POST, "/open311/v2/requests.json", None, Some("application/x-www-form-urlencoded"), body).await;
    (reply.status, reply.body)
}

fn error_code(v: &Value) -> u64 {
    v[0]["code"].as_u64().unwrap_or_else(|| panic!("a GeoReport error list: {v}"))
}

/// Issues a key to the secretary's account (as the administrator); returns it.
pub(crate) async fn issue_key(app: &TestApp) -> (String, String) {
    let admin = app.token(ADMIN).await;
    let body = json!({"name": "12345 热线", "account": app.user(SECRETARY).to_string()});
    let reply = app.post("/api/v1/open311/keys", &admin, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    (reply.str("key").to_owned(), reply.str("id").to_owned())
}

on_both_databases!(
    open311_answers_every_endpoint_in_both_formats_and_nothing_private,
    a_hotline_posts_requests_with_its_key_located_by_coordinates_or_address,
    the_extensions_tell_each_request_s_history_and_the_pages_divide_the_list,
);

async fn open311_answers_every_endpoint_in_both_formats_and_nothing_private(app: TestApp) {
    let base = "/open311/v2";
    // Discovery names both formats.
    let (status, discovery) = json(&app, &format!("{base}/discovery.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(discovery["endpoints"][0]["formats"], json!(["text/xml", "application/json"]));
    let (status, text) = xml(&app, &format!("{base}/discovery.xml")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("<endpoints><endpoint>") && text.contains("<format>text/xml</format>"), "{text}");

    // Services: the categories; a definition offers the compounds.
    let (_, services) = json(&app, &format!("{base}/services.json")).await;
    let codes: Vec<&str> = services.as_array().unwrap().iter().map(|s| s["service_code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"parking") && codes.contains(&"environment"), "{codes:?}");
    assert_eq!(services[0]["type"], "realtime");
    let (_, text) = xml(&app, &format!("{base}/services.xml")).await;
    assert_eq!(text.matches("<service>").count(), codes.len(), "{text}");
    let (status, definition) = json(&app, &format!("{base}/services/parking.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(definition["attributes"][0]["code"], "compound");
    assert_eq!(definition["attributes"][0]["values"].as_array().unwrap().len(), 5, "{definition}");
    let (_, text) = xml(&app, &format!("{base}/services/parking.xml")).await;
    assert!(text.contains("<attributes><attribute>") && text.contains("<values><value><key>"), "{text}");
    let (status, unknown) = json(&app, &format!("{base}/services/nope.json")).await;
    assert_eq!((status, error_code(&unknown)), (StatusCode::NOT_FOUND, 404));

    // Requests: the issues a company answers for, in the last 90 days.
    let (status, all) = json(&app, &format!("{base}/requests.json")).await;
    assert_eq!(status, StatusCode::OK);
    let all = all.as_array().unwrap().clone();
    assert!(all.len() >= 5, "{all:?}");
    assert!(all.iter().all(|r| r["agency_responsible"].is_string()), "someone answers for each");
    assert!(all.iter().any(|r| r["status"] == "closed") && all.iter().any(|r| r["status"] == "open"));
    assert!(all.iter().any(|r| r["expected_datetime"].as_str().is_some_and(|t| t.ends_with("23:59:59+08:00"))));
    assert!(all.iter().all(|r| r["lat"].is_f64() && r["requested_datetime"].as_str().unwrap().ends_with("+08:00")));
    let (_, all_xml) = xml(&app, &format!("{base}/requests.xml")).await;
    assert_eq!(all_xml.matches("<request>").count(), all.len());
    assert!(all_xml.starts_with("<?xml") && all_xml.contains("<service_requests><request>"));

    // The standard filters.
    let (_, closed) = json(&app, &format!("{base}/requests.json?status=closed")).await;
    let closed = closed.as_array().unwrap();
    assert!(!closed.is_empty() && closed.iter().all(|r| r["status"] == "closed"));
    let code = all[0]["service_code"].as_str().unwrap();
    let (_, same) = json(&app, &format!("{base}/requests.json?service_code={code}")).await;
    assert!(same.as_array().unwrap().iter().all(|r| r["service_code"] == code));
    let (id1, id2) = (all[0]["service_request_id"].as_str().unwrap(), all[1]["service_request_id"].as_str().unwrap());
    let (_, two) = json(&app, &format!("{base}/requests.json?service_request_id={id1},{id2}")).await;
    assert_eq!(two.as_array().unwrap().len(), 2);
    let (_, old) =
        json(&app, &format!("{base}/requests.json?start_date=2001-01-01&end_date=2001-02-01T00:00:00%2B08:00")).await;
    assert_eq!(old, json!([]), "nothing then");
    let community = app.community();
    let (status, _) = json(&app, &format!("{base}/requests.json?jurisdiction_id={community}")).await;
    assert_eq!(status, StatusCode::OK);
    for (query, expected) in [
        ("status=pending", StatusCode::BAD_REQUEST),
        ("start_date=yesterday", StatusCode::BAD_REQUEST),
        ("start_date=2026-11-02&end_date=2026-11-01", StatusCode::BAD_REQUEST),
        ("service_code=nope", StatusCode::BAD_REQUEST),
        ("service_request_id=42", StatusCode::BAD_REQUEST),
        ("service_code=park%00ing", StatusCode::BAD_REQUEST),
        ("api_key=o311_wrong", StatusCode::FORBIDDEN),
        (&format!("jurisdiction_id={}", uuid::Uuid::now_v7()), StatusCode::NOT_FOUND),
    ] {
        let (status, errors) = json(&app, &format!("{base}/requests.json?{query}")).await;
        assert_eq!(status, expected, "{query}: {errors}");
        assert_eq!(error_code(&errors), u64::from(expected.as_u16()));
        let (status, text) = xml(&app, &format!("{base}/requests.xml?{query}")).await;
        assert_eq!(status, expected);
        assert!(text.contains(&format!("<errors><error><code>{}</code>", expected.as_u16())), "{text}");
    }
    // One request; an unknown one is 404; a format nobody offers is 400 (in XML).
    let (status, one) = json(&app, &format!("{base}/requests/{id1}.json")).await;
    assert_eq!((status, one[0]["service_request_id"].as_str()), (StatusCode::OK, Some(id1)));
    let (status, text) = xml(&app, &format!("{base}/requests/{}.xml", uuid::Uuid::now_v7())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text.contains("<code>404</code>"), "{text}");
    let (status, text) = xml(&app, &format!("{base}/services.csv")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");

    // Nobody's name, phone, e-mail or unit in anything Open311 shows.
    let mut conn = app.state.db.conn().unwrap();
    let filter = roundtable_store::IssueFilter::default();
    let page = roundtable_store::PageRequest { limit: 200, ..Default::default() };
    let issues = roundtable_store::issues::list_issues(&mut conn, community, &filter, &page).unwrap();
    let everything = format!("{} {all_xml}", serde_json::to_string(&all).unwrap());
    app.assert_nothing_private(&everything, "Open311");
    for i in &issues.items {
        if let Some(unit) = &i.unit {
            assert!(all.iter().all(|r| !r["address"].as_str().unwrap().contains(unit.as_str())), "unit {unit}");
        }
        if !i.description.is_empty() {
            assert!(!everything.contains(&i.description), "a resident's own words: {}", i.description);
        }
    }
}

/// The community extensions city platforms implement: `extensions=true` adds the update
/// history (`notes`) and `extended_attributes`; `page`/`page_size` divide the list.
async fn the_extensions_tell_each_request_s_history_and_the_pages_divide_the_list(app: TestApp) {
    let base = "/open311/v2";
    let raised = raise(&app, "5号楼地下室渗水").await;
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    let (due, later) = (in_days(&app, 10), in_days(&app, 20));
    let promise = json!({"commitment_text": "更换地下室防水层", "due_date": due});
    let committed = fire(&app, "anshang@dongsheng.example", &assigned, "commit", promise).await;
    // A reason is someone's own words: it may name a person and a phone number.
    let reason = "业主王建国（13912345678）家里施工，需推迟";
    fire(&app, SECRETARY, &committed, "extend", json!({"due_date": later, "reason": reason})).await;
    let id = raised["id"].as_str().unwrap();

    // Without the switch, the spec's fields alone.
    let (status, plain) = json(&app, &format!("{base}/requests/{id}.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(plain[0].get("notes").is_none() && plain[0].get("extended_attributes").is_none(), "{plain}");

    let (status, one) = json(&app, &format!("{base}/requests/{id}.json?extensions=true")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    let notes = one[0]["notes"].as_array().unwrap();
    let kinds: Vec<&str> = notes.iter().map(|n| n["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["raise", "assign", "commit", "extend"], "{one}");
    assert_eq!(notes[0]["description"], "提出");
    assert_eq!(notes[1]["description"], "已交办 · 安尚物业");
    assert_eq!(notes[2]["description"], format!("责任单位已承诺 · 期限 {due}"));
    assert_eq!(notes[3]["description"], format!("承诺期限已延期 · 期限 {later}"));
    assert!(notes.iter().all(|n| n["datetime"].as_str().unwrap().ends_with("+08:00")), "{one}");
    assert_eq!(one[0]["extended_attributes"], json!({"urgency": "routine", "photos": []}));
    let text = one.to_string();
    assert!(!text.contains("王建国") && !text.contains("13912345678"), "no reason in the history: {text}");

    // A duplicate's last note names the original, so a client can follow it there.
    let twin = raise(&app, "5号楼地下室又渗水").await;
    let twin = fire(&app, SECRETARY, &twin, "assign", json!({"responsible_org": anshang})).await;
    fire(&app, SECRETARY, &twin, "mark_duplicate", json!({"duplicate_of": id})).await;
    let (_, merged) =
        json(&app, &format!("{base}/requests/{}.json?extensions=true", twin["id"].as_str().unwrap())).await;
    let last = merged[0]["notes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["type"], "mark_duplicate", "{merged}");
    assert!(last["description"].as_str().unwrap().ends_with(&format!(" · 原问题 {id}")), "{last}");
    assert_eq!(merged[0]["status"], "closed");

    let (status, doc) = xml(&app, &format!("{base}/requests/{id}.xml?extensions=true")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc.matches("<note>").count(), 4, "{doc}");
    assert!(
        doc.contains("<type>extend</type>")
            && doc.contains("<extended_attributes><photos></photos><urgency>routine</urgency>"),
        "{doc}"
    );

    // The whole list with the switch shows nobody's name, phone or words either.
    let (_, all) = json(&app, &format!("{base}/requests.json?extensions=true")).await;
    let all = all.as_array().unwrap().clone();
    assert!(all.iter().all(|r| r["notes"].as_array().is_some_and(|n| !n.is_empty())), "every request has a step");
    app.assert_nothing_private(&serde_json::to_string(&all).unwrap(), "Open311 with its extensions");

    // Pages: the same order, cut into pieces; past the end, nothing.
    let ids = |v: &Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap().to_owned()).collect()
    };
    let every = ids(&Value::Array(all.clone()));
    assert!(every.len() >= 5, "{every:?}");
    let (_, first) = json(&app, &format!("{base}/requests.json?page_size=2")).await;
    let (_, second) = json(&app, &format!("{base}/requests.json?page_size=2&page=2")).await;
    assert_eq!(ids(&first), every[..2]);
    assert_eq!(ids(&second), every[2..4]);
    let (status, beyond) = json(&app, &format!("{base}/requests.json?page_size=1000&page=2")).await;
    assert_eq!((status, beyond), (StatusCode::OK, json!([])));
    let (_, text) = xml(&app, &format!("{base}/requests.xml?page_size=3&page=1")).await;
    assert_eq!(text.matches("<request>").count(), 3);

    for query in ["extensions=yes", "page=0", "page=-1", "page=two", "page_size=0", "page_size=1001", "page=1000001"] {
        let (status, errors) = json(&app, &format!("{base}/requests.json?{query}")).await;
        assert_eq!((status, error_code(&errors)), (StatusCode::BAD_REQUEST, 400), "{query}: {errors}");
        assert!(errors[0]["description"].as_str().unwrap().contains(query.split('=').next().unwrap()), "{errors}");
    }
}

async fn a_hotline_posts_requests_with_its_key_located_by_coordinates_or_address(app: TestApp) {
    // Without a key, or with a wrong one: 403.
    let (status, body) = post(&app, &[("service_code", "parking"), ("address_string", "公园里")]).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, 403));
    let (status, _) = post(&app, &[("api_key", "o311_nope"), ("service_code", "parking")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Only the administrator issues keys, to a secretary's or administrator's account.
    let secretary = app.token(SECRETARY).await;
    let body = json!({"name": "12345", "account": app.user(SECRETARY).to_string()});
    assert_eq!(app.post("/api/v1/open311/keys", &secretary, body).await.status, StatusCode::FORBIDDEN);
    let admin = app.token(ADMIN).await;
    let to_resident = json!({"name": "12345", "account": app.user(YE_LI).to_string()});
    let refused = app.post("/api/v1/open311/keys", &admin, to_resident).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let (key, key_id) = issue_key(&app).await;
    assert!(key.starts_with("o311_"));

    // A caller near 公园里's gate: located by coordinates; the caller kept as a contact.
    let (lat, long) = roundtable_web::demo::LOCATIONS[4];
    let (lat, long) = ((lat + 0.001).to_string(), (long - 0.001).to_string());
    let fields = [
        ("api_key", key.as_str()),
        ("service_code", "parking"),
        ("lat", lat.as_str()),
        ("long", long.as_str()),
        ("description", "东门消防通道长期被占\n晚上十点后尤其严重"),
        ("first_name", "三"),
        ("last_name", "张"),
        ("phone", "138 0000 1111"),
        ("email", "zhang@example.com"),
        ("media_url", "http://192.0.2.1/x.jpg"),
    ];
    let (status, created) = post(&app, &fields).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(created[0]["service_notice"].as_str().unwrap().contains("联席会议"));
    let issue = app.get(&format!("/api/v1/issues/{id}"), &secretary).await;
    assert_eq!(issue.body["compound"], app.compound("公园里").to_string());
    assert_eq!(issue.body["title"], "东门消防通道长期被占");
    assert_eq!(issue.body["state"], "raised");
    assert_eq!(issue.body["on_behalf"]["households"], 1);
    assert_eq!(issue.body["on_behalf"]["contacts"][0]["name"], "张三", "{}", issue.body);
    // Nobody answers for it yet: public readers do not see it; the key's holder does.
    let path = format!("/open311/v2/requests/{id}.json");
    assert_eq!(json(&app, &path).await.0, StatusCode::NOT_FOUND);
    let (status, mine) = json(&app, &format!("{path}?api_key={key}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine[0]["status"], "open");
    assert_eq!(mine[0]["address"], "公园里");
    let text = mine.to_string();
    // The whole number, as given and as kept: four digits of it turn up in random ids.
    let private = ["张三", "13800001111", "138 0000 1111", "zhang@"];
    assert!(private.iter().all(|p| !text.contains(p)), "{text}");
    // Assigned: public, with the company answerable.
    let jincheng = app.org("锦程物业").to_string();
    fire(&app, SECRETARY, &issue.body, "assign", json!({"responsible_org": jincheng})).await;
    let (status, public) = json(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public[0]["agency_responsible"], "锦程物业");
    assert!(public[0]["status_notes"].as_str().unwrap().starts_with("交办"), "{public}");

    // By address: the compound and building named in it.
    let (status, created) = post(
        &app,
        &[("api_key", &key), ("service_code", "environment"), ("address_string", "晋城市东圣社区鼎秀华城3号楼2单元")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created[0]["service_request_id"].as_str().unwrap();
    let issue = app.get(&format!("/api/v1/issues/{id}"), &secretary).await;
    assert_eq!(issue.body["compound"], app.compound("鼎秀华城").to_string());
    assert!(issue.body["building"].is_string(), "{}", issue.body);
    assert_eq!(issue.body["title"], "环境卫生", "the service's name when there is no description");
    // Zero-width text is no text: the same.
    let zero_width = [
        ("api_key", key.as_str()),
        ("service_code", "environment"),
        ("address_string", "公园里"),
        ("description", "\u{200b} "),
    ];
    let (status, created) = post(&app, &zero_width).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let issue =
        app.get(&format!("/api/v1/issues/{}", created[0]["service_request_id"].as_str().unwrap()), &secretary).await;
    assert_eq!(issue.body["title"], "环境卫生");

    // What a client gets wrong, each a 400 that says what.
    for (fields, says) in [
        (vec![("service_code", "parking")], "say where"),
        (vec![("address_string", "公园里")], "service_code"),
        (vec![("service_code", "nope"), ("address_string", "公园里")], "service_code"),
        (vec![("service_code", "parking"), ("lat", "35.0"), ("long", "112.0")], "not within"),
        (vec![("service_code", "parking"), ("lat", "north"), ("long", "112.0")], "degrees"),
        (vec![("service_code", "parking"), ("lat", "35.49")], "together"),
        (vec![("service_code", "parking"), ("address_string", "别的小区")], "names no compound"),
        (vec![("service_code", "parking"), ("attribute[compound]", "x")], "attribute[compound]"),
        (vec![("service_code", "parking"), ("address_string", "公园里"), ("phone", "12")], "phone: "),
        (vec![("service_code", "parking"), ("address_string", "公园里"), ("last_name", &"张".repeat(51))], "last_name"),
        (
            vec![("service_code", "parking"), ("address_string", "公园里"), ("description", "a\u{0}b")],
            "control character",
        ),
    ] {
        let mut all = vec![("api_key", key.as_str())];
        all.extend(fields.iter().copied());
        let (status, errors) = post(&app, &all).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fields:?}: {errors}");
        let description = errors[0]["description"].as_str().unwrap();
        assert!(description.contains(says), "{fields:?}: {errors}");
        assert!(!description.contains("on_behalf"), "names the parameters the client sent: {errors}");
    }
    // Not a form: 400; another jurisdiction: 403.
    let reply =
        app.raw(Method::POST, "/open311/v2/requests.json", None, Some("application/json"), b"{}".to_vec()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let other = uuid::Uuid::now_v7().to_string();
    let (status, _) = post(&app, &[("api_key", &key), ("jurisdiction_id", &other), ("service_code", "parking")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Listed, last used; revoked, the key stops at once.
    let keys = app.get("/api/v1/open311/keys", &admin).await;
    assert_eq!(keys.status, StatusCode::OK);
    assert!(keys.body[0]["last_used_at"].is_string() && keys.body[0].get("key").is_none(), "{}", keys.body);
    let revoked = app.call(Method::DELETE, &format!("/api/v1/open311/keys/{key_id}"), Some(&admin), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let (status, _) = post(&app, &[("api_key", &key), ("service_code", "parking"), ("address_string", "公园里")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let unknown =
        app.call(Method::DELETE, &format!("/api/v1/open311/keys/{}", uuid::Uuid::now_v7()), Some(&admin), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_is_public_only_once_the_secretary_marks_it() {
    // It promises a fix by 20 December 2026.
    let app = TestApp::sqlite().at(roundtable_e2e::monday()).build();
    let secretary = app.token(SECRETARY).await;
    let parts = [Part::file("photo", "gate.jpg", "image/jpeg", images::jpeg(640, 480))];
    let uploaded = app.multipart("/api/v1/photos", &secretary, &parts).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let photo = uploaded.body[0]["id"].as_str().unwrap().to_owned();
    let body = json!({
        "title": "道闸抬杆失灵", "category": "facilities", "compound": app.compound("公园里").to_string(), "photos": [photo],
    });
    let raised = app.post("/api/v1/issues", &secretary, body).await;
    let jincheng = app.org("锦程物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised.body, "assign", json!({"responsible_org": jincheng})).await;
    fire(
        &app,
        "jincheng@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "一周内更换", "due_date": "2026-12-20"}),
    )
    .await;
    let public = format!("/public/photos/{photo}");
    assert_eq!(app.anonymous(&public, None).await.0, StatusCode::NOT_FOUND, "private until marked");
    let request = format!("/open311/v2/requests/{}.json", raised.str("id"));
    assert_eq!(json(&app, &request).await.1[0]["media_url"], Value::Null);
    // Only the secretary marks it.
    let mark = |token: String, public: bool| {
        let app = &app;
        let photo = photo.clone();
        async move {
            app.call(
                Method::PUT,
                &format!("/api/v1/photos/{photo}/public"),
                Some(&token),
                Some(json!({"public": public})),
            )
            .await
        }
    };
    assert_eq!(mark(app.token(YE_LI).await, true).await.status, StatusCode::FORBIDDEN);
    let marked = mark(secretary.clone(), true).await;
    assert_eq!((marked.status, &marked.body["public"]), (StatusCode::OK, &json!(true)), "{}", marked.body);
    let (status, headers, _) = app.anonymous(&public, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(headers[header::CACHE_CONTROL].to_str().unwrap().starts_with("public"));
    assert_eq!(app.anonymous(&format!("{public}/thumbnail"), None).await.0, StatusCode::OK);
    // Open311 and the board show it.
    let media = json(&app, &request).await.1[0]["media_url"].as_str().unwrap().to_owned();
    assert!(media.ends_with(&public), "{media}");
    let (_, _, board) = get(&app, &format!("/communities/{}/board", app.community())).await;
    assert!(board.contains(&format!("src=\"{public}/thumbnail\"")), "the board shows it");
    // On the audit trail; private again, it is gone from view.
    let trail = app.get("/api/v1/audit?action=photo_published", &secretary).await;
    assert_eq!(trail.body["items"].as_array().map(Vec::len), Some(1), "{}", trail.body);
    assert_eq!(mark(secretary.clone(), false).await.status, StatusCode::OK);
    assert_eq!(app.anonymous(&public, None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_issues_and_revokes_a_key_on_the_admin_page() {
    let app = TestApp::sqlite().build();
    let admin = app.pages();
    admin.sign_in(ADMIN).await;
    let secretary = app.user(SECRETARY).to_string();
    let page = admin.get("/admin").await;
    assert!(
        page.html.contains("id=\"open311\"") && page.html.contains(&format!("value=\"{secretary}\"")),
        "{}",
        page.html
    );
    assert!(!page.html.contains(&format!("value=\"{}\"", app.user(YE_LI))), "a resident's account is not offered");
    // Issued: shown on this page, this once.
    let issued =
        admin.submit("/admin", "/admin/keys", &[("key_name", "12345 热线 <b>"), ("account", &secretary)]).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.html);
    let at = issued.html.find("id=\"new-key\">").expect("the key is shown") + "id=\"new-key\">".len();
    let key = issued.html[at..at + issued.html[at..].find('<').unwrap()].to_owned();
    assert!(key.starts_with("o311_"), "{key}");
    assert!(issued.html.contains("12345 热线 &lt;b&gt;"), "the name is escaped");
    let again = admin.get("/admin").await;
    assert!(!again.html.contains(&key), "not shown again");
    let fields = [("api_key", key.as_str()), ("service_code", "parking"), ("address_string", "公园里")];
    assert_eq!(post(&app, &fields).await.0, StatusCode::OK);
    // A nameless key is refused with the form again; a secretary may not issue one.
    let refused = admin.submit("/admin", "/admin/keys", &[("key_name", " "), ("account", &secretary)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let chosen = format!("<option value=\"{secretary}\" selected>");
    assert_eq!(refused.html.matches(&chosen).count(), 1, "the account chosen stays chosen: {}", refused.html);
    // A resident's account, not offered but sent anyway, is refused saying whose it must be.
    let resident = app.user(YE_LI).to_string();
    let refused = admin.submit("/admin", "/admin/keys", &[("key_name", "热线"), ("account", &resident)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("账号: 须是书记或管理员的账号"), "{}", refused.html);
    let them = app.pages();
    them.sign_in(SECRETARY).await;
    let forbidden = them.submit("/", "/admin/keys", &[("key_name", "x"), ("account", &secretary)]).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    // Revoked with its button: refused at once.
    let at = again.html.find("action=\"/admin/keys/").expect("a revoke button") + "action=\"".len();
    let action = again.html[at..at + again.html[at..].find('"').unwrap()].to_owned();
    let revoked = admin.submit("/admin", &action, &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.html);
    assert_eq!(post(&app, &fields).await.0, StatusCode::FORBIDDEN);
    assert!(admin.get("/admin").await.html.contains("已吊销"));
}
