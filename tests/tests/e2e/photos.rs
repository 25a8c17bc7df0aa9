//! Photos: uploaded, cleaned, attached to the raise and to a fix, served only to those who
//! may see the issue, deleted on the record; and every kind of bad upload refused with
//! nothing stored.

use axum::http::StatusCode;
use roundtable_e2e::{Part, TestApp, images, on_both_databases};
use serde_json::{Value, json};

use crate::api_flow::{fire, try_fire};

// The clock stands on the Monday before a meeting: on a first Sunday after the meeting has
// begun, issues raised "now" would belong to the next month's agenda.
on_both_databases!(
    at roundtable_e2e::monday();
    a_residents_photos_are_seen_by_the_company_and_by_no_other,
    bad_uploads_are_refused_and_nothing_is_stored,
);

const YE_LI: &str = "resident@dongsheng.example";
const SECRETARY: &str = "secretary@dongsheng.example";
const HONGYUN: &str = "hongyun@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const GRID: &str = "grid@dongsheng.example";

fn photo(file_name: &'static str, content_type: &'static str, bytes: Vec<u8>) -> Part<'static> {
    Part::file("photo", file_name, content_type, bytes)
}

/// Uploads photos as `login`; returns their ids.
pub async fn upload(app: &TestApp, login: &str, parts: &[Part<'_>]) -> Vec<String> {
    let reply = app.multipart("/api/v1/photos", &app.token(login).await, parts).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
}

async fn status_of(app: &TestApp, login: &str, path: &str) -> StatusCode {
    app.bytes(path, &app.token(login).await).await.0
}

async fn a_residents_photos_are_seen_by_the_company_and_by_no_other(app: TestApp) {
    // Ye Li photographs the leak: a phone JPEG and a screenshot.
    let ids = upload(
        &app,
        YE_LI,
        &[
            photo("IMG_0001.JPG", "image/jpeg", images::jpeg(800, 600)),
            photo("shot.png", "image/png", images::png(300, 200)),
        ],
    )
    .await;
    assert_eq!(ids.len(), 2);
    let first = format!("/api/v1/photos/{}", ids[0]);
    // Not yet attached: hers alone, and nobody else can tell it exists.
    assert_eq!(status_of(&app, YE_LI, &first).await, StatusCode::OK);
    assert_eq!(status_of(&app, SECRETARY, &first).await, StatusCode::NOT_FOUND);

    let token = app.token(YE_LI).await;
    let body = json!({
        "title": "地下车库漏水", "description": "3号楼下车库顶板渗水", "category": "building",
        "compound": app.compound("鸿禧山庄").to_string(), "photos": ids,
    });
    let raised = app.post("/api/v1/issues", &token, body).await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let photos = raised.body["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 2);
    assert!(photos.iter().all(|p| p["version"] == 1), "both go with the raise: {photos:?}");
    let media: Vec<&str> = photos.iter().map(|p| p["media_type"].as_str().unwrap()).collect();
    assert!(media.contains(&"image/jpeg") && media.contains(&"image/png"), "{media:?}");
    // An attached photo cannot be attached again.
    let again = json!({
        "title": "又一个", "category": "building", "compound": app.compound("鸿禧山庄").to_string(), "photos": [ids[0]],
    });
    let reply = app.post("/api/v1/issues", &token, again).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["field"], "photos");

    let hongyun = app.org("鸿运物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised.body, "assign", json!({"responsible_org": hongyun})).await;
    // The responsible company sees the photos, typed, never sniffed, cached privately.
    let (status, headers, bytes) = app.bytes(&first, &app.token(HONGYUN).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["cache-control"].to_str().unwrap().starts_with("private"));
    assert!(image_dimensions(&bytes) == (800, 600), "stored as it was, the metadata aside");
    let (status, _, thumb) = app.bytes(&format!("{first}/thumbnail"), &app.token(HONGYUN).await).await;
    assert_eq!(status, StatusCode::OK);
    let (w, h) = image_dimensions(&thumb);
    assert!(w <= 320 && h <= 320, "{w}×{h}");
    // Another company, and a grid secretary of another compound, cannot fetch them by URL.
    for login in [ANSHANG, GRID] {
        assert_eq!(status_of(&app, login, &first).await, StatusCode::FORBIDDEN, "{login}");
        assert_eq!(status_of(&app, login, &format!("{first}/thumbnail")).await, StatusCode::FORBIDDEN, "{login}");
    }
    // The agenda links the photos (to the issue's page, where they are shown to those who
    // may see them); the document carries none.
    let secretary = app.token(SECRETARY).await;
    let slot = app.get("/api/v1/meetings/next", &secretary).await.str("slot").to_owned();
    let built = app
        .call(axum::http::Method::POST, &format!("/api/v1/meetings/slots/{slot}/agenda"), Some(&secretary), None)
        .await;
    assert_eq!(built.status, StatusCode::CREATED, "{}", built.body);
    let md = app.get(&format!("/api/v1/meetings/{}/agenda?format=md", built.str("id")), &secretary).await;
    let issue_url = format!("/issues/{})", raised.body["id"].as_str().unwrap());
    let md = md.body.as_str().unwrap().to_owned();
    assert!(md.contains("[照片 2 张](") && md.contains(&issue_url), "{md}");
    // Nor through the pages.
    let anshang = app.pages();
    anshang.sign_in(ANSHANG).await;
    assert_eq!(anshang.get(&format!("/photos/{}", ids[0])).await.status, StatusCode::FORBIDDEN);

    // The company resolves with a "fixed" photo: it goes with that step.
    let fixed = upload(&app, HONGYUN, &[photo("fixed.jpg", "image/jpeg", images::jpeg(640, 480))]).await;
    let committed = fire(
        &app,
        HONGYUN,
        &assigned,
        "commit",
        json!({"commitment_text": "修补顶板", "due_date": crate::api_flow::in_days(&app, 7)}),
    )
    .await;
    let resolved =
        fire(&app, HONGYUN, &committed, "resolve", json!({"resolution_note": "已修补", "photos": fixed})).await;
    let last = resolved["photos"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["version"], resolved["version"], "the fix photo goes with the resolve step");
    // Another company may not delete them; the raiser may delete hers, on the record.
    let delete = |login: &'static str, id: String| {
        let app = &app;
        async move {
            let path = format!("/api/v1/photos/{id}");
            app.call(axum::http::Method::DELETE, &path, Some(&app.token(login).await), None).await.status
        }
    };
    assert_eq!(delete(ANSHANG, ids[1].clone()).await, StatusCode::FORBIDDEN);
    assert_eq!(delete(HONGYUN, ids[1].clone()).await, StatusCode::FORBIDDEN, "not the uploader, not the secretary");
    let files_before = app.stored_files().len();
    assert_eq!(delete(YE_LI, ids[1].clone()).await, StatusCode::NO_CONTENT);
    assert_eq!(status_of(&app, YE_LI, &format!("/api/v1/photos/{}", ids[1])).await, StatusCode::NOT_FOUND);
    assert_eq!(app.stored_files().len(), files_before - 2, "its file and thumbnail are gone");
    let issue = raised.body["id"].as_str().unwrap();
    let trail =
        app.get(&format!("/api/v1/audit?action=photo_deleted&subject_id={issue}"), &app.token(SECRETARY).await).await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let entry = &trail.body["items"][0];
    assert_eq!(entry["details"]["photo"], ids[1].as_str());
    assert_eq!(entry["actor"]["id"], app.user(YE_LI).to_string());
    // A transition naming someone else's upload is refused, and nothing of it happens.
    let mine = upload(&app, YE_LI, &[photo("x.png", "image/png", images::png(50, 50))]).await;
    let reply = try_fire(&app, HONGYUN, &resolved, "resolve", json!({"photos": mine})).await;
    assert!(reply.status.is_client_error(), "{}", reply.body);
}

fn image_dimensions(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).expect("an image");
    (img.width(), img.height())
}

/// The rows of photos in the database (attached or not).
async fn photo_rows(app: &TestApp) -> usize {
    let user = app.user(YE_LI);
    app.state.db.run(move |conn| roundtable_store::photos::unattached_of(conn, user)).await.unwrap()
}

async fn bad_uploads_are_refused_and_nothing_is_stored(app: TestApp) {
    let token = app.token(YE_LI).await;
    let refused = |reply: &roundtable_e2e::Reply, status: StatusCode, code: &str| {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
        assert_eq!(reply.body["errors"][0]["problem"], code, "{}", reply.body);
    };
    // A PHP script named .jpg and sent as image/jpeg: judged by its content.
    let php = b"<?php echo shell_exec($_GET['cmd']); ?>".to_vec();
    let reply = app.multipart("/api/v1/photos", &token, &[photo("leak.jpg", "image/jpeg", php)]).await;
    refused(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_an_image");
    // 30 MiB: refused once 8 MiB have been read.
    let mut huge = images::jpeg(64, 64);
    huge.resize(30 * 1024 * 1024, 0);
    let reply = app.multipart("/api/v1/photos", &token, &[photo("big.jpg", "image/jpeg", huge)]).await;
    refused(&reply, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    // A truncated PNG.
    let whole = images::png(200, 200);
    let reply = app
        .multipart("/api/v1/photos", &token, &[photo("cut.png", "image/png", whole[..whole.len() / 2].to_vec())])
        .await;
    refused(&reply, StatusCode::UNPROCESSABLE_ENTITY, "damaged");
    // A decompression bomb: 20,000 × 20,000 pixels claimed by a tiny file.
    let reply =
        app.multipart("/api/v1/photos", &token, &[photo("bomb.png", "image/png", images::bomb(20_000, 20_000))]).await;
    refused(&reply, StatusCode::UNPROCESSABLE_ENTITY, "too_many_pixels");
    // An iPhone's HEIC.
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    let reply = app.multipart("/api/v1/photos", &token, &[photo("IMG.HEIC", "image/heic", heic)]).await;
    refused(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "heic");
    // Seven at once; and a good photo after a bad one fails the whole request.
    let seven: Vec<Part> = (0..7).map(|_| photo("p.png", "image/png", images::png(20, 20))).collect();
    let reply = app.multipart("/api/v1/photos", &token, &seven).await;
    refused(&reply, StatusCode::UNPROCESSABLE_ENTITY, "too_many");
    let mixed = [photo("ok.png", "image/png", images::png(20, 20)), photo("no.jpg", "image/jpeg", b"GIF89a".to_vec())];
    let reply = app.multipart("/api/v1/photos", &token, &mixed).await;
    refused(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_an_image");
    // Not multipart at all, and no photo part.
    let reply = app.post("/api/v1/photos", &token, json!({"photo": "aGVsbG8="})).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", reply.body);
    let reply = app.multipart("/api/v1/photos", &token, &[Part::text("note", "hello")]).await;
    refused(&reply, StatusCode::UNPROCESSABLE_ENTITY, "missing");
    // A good JPEG in a part named `file` (as many clients name it): told where photos go.
    let misnamed = Part::file("file", "ok.jpg", "image/jpeg", images::jpeg(20, 20));
    let reply = app.multipart("/api/v1/photos", &token, &[misnamed]).await;
    refused(&reply, StatusCode::UNPROCESSABLE_ENTITY, "not_a_photo_part");
    assert_eq!(reply.body["errors"][0]["field"], "file", "{}", reply.body);
    assert!(reply.body["detail"].as_str().unwrap().contains("`photo`"), "{}", reply.body);
    // Nothing of it was kept.
    assert_eq!(photo_rows(&app).await, 0);
    assert_eq!(app.stored_files(), Vec::<std::path::PathBuf>::new());
    // Unknown ids, bad ids.
    let unknown = format!("/api/v1/photos/{}", uuid::Uuid::now_v7());
    assert_eq!(status_of(&app, YE_LI, &unknown).await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, YE_LI, "/api/v1/photos/not-an-id").await, StatusCode::NOT_FOUND);
    let body = json!({"title": "t", "category": "building", "compound": app.compound("鸿禧山庄").to_string(),
                      "photos": [uuid::Uuid::now_v7()]});
    let reply: Value = app.post("/api/v1/issues", &token, body).await.body;
    assert_eq!(reply["errors"][0]["field"], "photos", "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upload_settings_take_effect() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("photos-here");
    let app = TestApp::sqlite()
        .config(|c| {
            c.uploads.max_bytes = 50_000;
            c.uploads.max_pixels = 40_000;
            c.uploads.dir = elsewhere.clone();
        })
        .build();
    let token = app.token(YE_LI).await;
    // max_bytes: a 60 kB file is refused, a small one taken.
    let mut big = images::png(10, 10);
    big.resize(60_000, 0);
    let reply = app.multipart("/api/v1/photos", &token, &[photo("a.png", "image/png", big)]).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.body);
    // max_pixels: 250 × 250 is too many, 150 × 150 is not.
    let reply = app.multipart("/api/v1/photos", &token, &[photo("b.jpg", "image/jpeg", images::jpeg(250, 250))]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    upload(&app, YE_LI, &[photo("c.jpg", "image/jpeg", images::jpeg(150, 150))]).await;
    // dir: the files are where the setting says.
    let files: Vec<_> = walk(&elsewhere);
    assert_eq!(files.len(), 2, "the photo and its thumbnail under {}: {files:?}", elsewhere.display());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_raises_with_a_photo_on_the_pages_and_keeps_it_across_the_similar_step() {
    let app = TestApp::sqlite().build();
    let pages = app.pages();
    pages.sign_in(YE_LI).await;
    let compound = app.compound("鸿禧山庄").to_string();
    let fields = |title: &'static str| {
        vec![
            Part::text("compound", &compound),
            Part::text("category", "building"),
            Part::text("title", title),
            Part::text("description", "车库顶板渗水"),
        ]
    };
    // A bad photo: the form comes back with the error and what was typed.
    let mut parts = fields("车库顶板渗水严重");
    parts.push(photo("x.jpg", "image/jpeg", b"not a picture".to_vec()));
    let page = pages.submit_multipart("/issues/new", "/issues", parts).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.html);
    assert!(page.html.contains("id=\"photo-error\""), "{}", page.html);
    assert!(page.html.contains("车库顶板渗水严重"), "the title is kept");
    // An open issue like this one: the similar step is shown, the photo kept with it.
    let body = json!({"title": "地下车库顶板漏水", "category": "building", "compound": compound});
    assert_eq!(app.post("/api/v1/issues", &app.token(SECRETARY).await, body).await.status, StatusCode::CREATED);
    let mut parts = fields("地下车库顶板漏水了");
    parts.push(photo("leak.jpg", "image/jpeg", images::jpeg(400, 300)));
    let page = pages.submit_multipart("/issues/new", "/issues", parts).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("id=\"similar\""), "{}", page.html);
    let kept = page.field("photos").expect("the uploaded photo rides along as a hidden field");
    // A kept photo's id tampered with: refused by name, not dropped (the issue would be
    // raised without the photo its raiser saw on the form).
    let mut parts = fields("地下车库顶板漏水了");
    parts.push(Part::text("confirm", "1"));
    parts.push(Part::text("photos", &kept));
    parts.push(Part::text("photos", "not-a-photo"));
    let page = pages.submit_multipart("/issues/new", "/issues", parts).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.html);
    assert!(page.html.contains("照片"), "the refusal names the photos: {}", page.html);
    let listed = app.get("/api/v1/issues?limit=200", &app.token(SECRETARY).await).await.body.to_string();
    assert!(!listed.contains("地下车库顶板漏水了"), "nothing is raised: {listed}");
    let mut parts = fields("地下车库顶板漏水了");
    parts.push(Part::text("confirm", "1"));
    parts.push(Part::text("photos", &kept));
    // The file input left empty sends an empty part.
    parts.push(Part::file("photo", "", "application/octet-stream", Vec::new()));
    let page = pages.submit_multipart("/issues/new", "/issues", parts).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let issue_page = pages.get(page.location()).await;
    assert!(issue_page.html.contains(&format!("/photos/{kept}/thumbnail")), "{}", issue_page.html);
    assert_eq!(pages.get(&format!("/photos/{kept}")).await.status, StatusCode::OK);
}
