//! The public commitments board (`/board`, `/communities/{id}/board`): no sign-in, what
//! `ops::board` gives, cacheable (an ETag of the page; 304 when unchanged).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use roundtable_core::CommunityId;
use serde::Serialize;
use sha2::Digest;
use uuid::Uuid;

use crate::error::{ApiPath, ApiQuery};
use crate::ops::board::{self as ops, Board, BoardQuery};
use crate::pages::render::{Choice, Ctx, Out, Page};

#[derive(Serialize)]
struct BoardPage {
    #[serde(flatten)]
    board: Board,
    companies: Vec<Choice>,
    compounds: Vec<Choice>,
    states: Vec<Choice>,
    month: String,
    next: Option<String>,
    here: String,
    /// The chosen company's due dates as a calendar feed.
    due_feed: Option<String>,
}

impl Page for BoardPage {
    const TEMPLATE: &'static str = "board";
}

/// `/board`: the viewer's own community's board; for someone not signed in, the first
/// community's (a deployment of several links each community's board from its pages).
/// A filtered link (`/board?state=committed`) keeps its filters.
pub async fn first(ctx: Ctx) -> Response {
    let query = ctx.viewer.here.split_once('?').map_or_else(String::new, |(_, q)| format!("?{q}"));
    let to = |community: CommunityId| Redirect::to(&format!("/communities/{community}/board{query}")).into_response();
    if let Some(c) = &ctx.viewer.caller {
        return to(c.actor.community);
    }
    let found = ctx.state.db.run(roundtable_store::directory::communities).await;
    match found.ok().and_then(|c| c.into_iter().next()) {
        Some(c) => to(c.id),
        None => ctx.fail(crate::error::ApiError::NotFound("no community yet".into())),
    }
}

pub async fn show(
    ctx: Ctx,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<BoardQuery>,
    headers: HeaderMap,
) -> Response {
    let here = format!("/communities/{id}/board");
    // The page carries the viewer's form token (the language switch); the tag leaves it out.
    let csrf = ctx.viewer.csrf.clone();
    let out = async {
        let board = ops::board(&ctx.state, CommunityId(id), q.clone(), ctx.viewer.lang).await?;
        let pick = |v: &Option<String>, id: &str| v.as_deref() == Some(id);
        let companies = board
            .names
            .responsible()
            .map(|(o, n)| Choice::new(o, n.to_owned(), pick(&q.company, &o.to_string())))
            .collect();
        let compounds = board
            .names
            .compounds
            .iter()
            .map(|(c, n)| Choice::new(c, n.clone(), pick(&q.compound, &c.to_string())))
            .collect();
        let states = ctx
            .state
            .workflows
            .get(&board.workflow)
            .map(|wf| wf.states.iter().map(|s| Choice::new(&s.name, "", pick(&q.state, s.name.as_str()))).collect())
            .unwrap_or_default();
        let keep = |name: &str, v: &Option<String>| {
            v.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{name}={}", crate::pages::render::urlencode(v)))
        };
        let mut query: Vec<String> = [
            keep("company", &q.company),
            keep("compound", &q.compound),
            keep("state", &q.state),
            keep("month", &q.month),
        ]
        .into_iter()
        .flatten()
        .collect();
        let next = board.next_cursor.as_ref().map(|c| {
            query.push(format!("cursor={}", crate::pages::render::urlencode(c)));
            format!("{here}?{}", query.join("&"))
        });
        let month = q.month.clone().unwrap_or_default();
        let due_feed = q
            .company
            .as_deref()
            .filter(|c| c.parse::<Uuid>().is_ok())
            .map(|c| format!("/communities/{id}/companies/{c}/due.ics"));
        Out::page(BoardPage { board, companies, compounds, states, month, next, here: here.clone(), due_feed })
    }
    .await;
    let mut response = ctx.respond(out);
    if response.status() != StatusCode::OK {
        return response;
    }
    // An ETag of the page as rendered: a reader (or a cache) asking again gets 304.
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = String::from_utf8_lossy(&bytes).replace(&csrf, "");
    let tag = format!("\"{}\"", hex::encode(&sha2::Sha256::digest(page.as_bytes())[..16]));
    let unchanged = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str());
    response = if unchanged {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        *r.headers_mut() = parts.headers;
        r
    } else {
        Response::from_parts(parts, axum::body::Body::from(bytes))
    };
    let h = response.headers_mut();
    h.remove(header::CONTENT_LENGTH);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    response
}

async fn public_document(ctx: Ctx, community: Uuid, meeting: Uuid, which: ops::PublicDocument) -> Response {
    let lang = ctx.viewer.lang;
    let out = ops::document(&ctx.state, CommunityId(community), roundtable_core::MeetingId(meeting), which, lang)
        .await
        .map(|html| Out::Raw(crate::api::meetings::document(html, crate::views::meetings::DocumentFormat::Html)));
    ctx.respond(out)
}

/// `/communities/{id}/meetings/{meeting}/agenda`: a published agenda, for anyone.
pub async fn agenda(ctx: Ctx, ApiPath((id, meeting)): ApiPath<(Uuid, Uuid)>) -> Response {
    public_document(ctx, id, meeting, ops::PublicDocument::Agenda).await
}

/// `/communities/{id}/meetings/{meeting}/minutes`: published minutes, for anyone.
pub async fn minutes(ctx: Ctx, ApiPath((id, meeting)): ApiPath<(Uuid, Uuid)>) -> Response {
    public_document(ctx, id, meeting, ops::PublicDocument::Minutes).await
}
