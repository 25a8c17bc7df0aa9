//! Feeds that need no sign-in: the community's meetings as iCalendar (RFC 5545), so that
//! everyone's phone calendar knows the first Sunday — and learns of a move or a skipped
//! month by itself. Public information only: dates, place, a link.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Offset, TimeDelta, TimeZone, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::{CommunityId, MeetingStatus};
use roundtable_store::{StoreError, directory, meetings};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The meetings of a year ahead that nobody has scheduled yet are in the feed too.
const MONTHS_AHEAD: usize = 12;

/// A fixed offset if the zone keeps one all year (Asia/Shanghai does); `None` for a zone
/// with summer time, whose events are then given in UTC (no VTIMEZONE needed).
fn fixed_offset(tz: chrono_tz::Tz, year: i32) -> Option<chrono::FixedOffset> {
    let at = |m| tz.with_ymd_and_hms(year, m, 1, 12, 0, 0).single().map(|t| t.offset().fix());
    match (at(1), at(7)) {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => None,
    }
}

/// RFC 5545's VTIMEZONE for a zone of one fixed offset.
fn vtimezone(tz: chrono_tz::Tz, offset: chrono::FixedOffset) -> String {
    let secs = offset.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    let name = tz.name();
    format!(
        "BEGIN:VTIMEZONE\r\nTZID:{name}\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
         TZOFFSETFROM:{sign}{h:02}{m:02}\r\nTZOFFSETTO:{sign}{h:02}{m:02}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
}

/// The community's meetings as an iCalendar document: one VEVENT per meeting, held,
/// planned or skipped (CANCELLED), the UID by month (stable from the first announcement
/// on), SEQUENCE counting every move and skip.
pub async fn meetings_ics(state: &AppState, community: CommunityId) -> ApiResult<String> {
    if !state.config.public.enabled {
        return Err(ApiError::NotFound("no such feed".into()));
    }
    let found = state
        .db
        .run(move |conn| {
            let c = directory::get_community(conn, community)?;
            let records = meetings::records(conn, community)?;
            let changes = roundtable_store::audit::counts(
                conn,
                community,
                AuditSubject::Meeting,
                &[AuditAction::MeetingScheduled, AuditAction::MeetingSkipped],
            )?;
            Ok((c, records, changes))
        })
        .await;
    let (community, records, changes) = match found {
        Ok(f) => f,
        Err(StoreError::NotFound) => return Err(ApiError::NotFound("no such community".into())),
        Err(e) => return Err(e.into()),
    };
    let tz = community.time_zone;
    let cfg = &state.config;
    let rules = crate::ops::meetings::community_rules(&cfg.meeting, &community);
    let rows: Vec<_> = records.iter().map(|r| r.meeting.clone()).collect();
    let overrides = crate::jobs::agenda::overrides(&rules, &rows);
    // Every meeting with a row, and the months ahead nobody has touched yet.
    let mut months: BTreeMap<chrono::NaiveDate, Entry> = records
        .iter()
        .map(|r| {
            let m = &r.meeting;
            let sequence = changes.get(&m.id.to_string()).copied().unwrap_or(0);
            let link = crate::ops::board::public_link(r);
            (m.slot, Entry { starts: m.starts_at, place: m.place.clone(), status: m.status, sequence, link })
        })
        .collect();
    let mut after = state.now();
    for _ in 0..MONTHS_AHEAD {
        let Some(o) = rules.next_after(&overrides, after) else { break };
        after = o.starts_at.with_timezone(&Utc) + TimeDelta::days(1);
        months.entry(o.slot).or_insert(Entry {
            starts: o.starts_at.with_timezone(&Utc),
            place: o.place,
            status: MeetingStatus::Planned,
            sequence: 0,
            link: None,
        });
    }
    let lang = if community.default_locale == "en" { "en" } else { "zh-CN" };
    let title = crate::i18n::strings().text(lang, "feed.meeting_title", &[("community", community.name.clone())]);
    let base = &cfg.mail.base_url;
    let now = state.now();
    let length =
        TimeDelta::minutes(i64::from(crate::community_settings::effective(cfg, &community).meeting.length_minutes));
    let offset = fixed_offset(tz, now.year());
    let mut calendar = Calendar::new();
    calendar.name(&title).timezone(tz.name());
    // Subscribers are mostly not signed in: the meeting's public agenda or minutes once
    // out, the community's public board before that.
    let board = format!("/communities/{}/board", community.id);
    for (slot, e) in &months {
        let link = format!("{base}{}", e.link.as_deref().unwrap_or(&board));
        let when = |t: DateTime<Utc>| -> CalendarDateTime {
            match offset {
                Some(_) => CalendarDateTime::WithTimezone {
                    date_time: t.with_timezone(&tz).naive_local(),
                    tzid: tz.name().to_owned(),
                },
                None => CalendarDateTime::Utc(t),
            }
        };
        let mut event = Event::new();
        event
            .uid(&format!("meeting-{slot}@{}.roundtable", community.id))
            .summary(&title)
            .location(&e.place)
            .description(&link)
            .url(&link)
            .starts(when(e.starts))
            .ends(when(e.starts + length))
            .sequence(e.sequence)
            .timestamp(now)
            .status(if e.status == MeetingStatus::Skipped { EventStatus::Cancelled } else { EventStatus::Confirmed });
        calendar.push(event.done());
    }
    let text = calendar.done().to_string();
    // icalendar writes no VTIMEZONE: it goes before the first event, as RFC 5545 wants.
    Ok(match offset {
        Some(o) => match text.find("BEGIN:VEVENT") {
            Some(at) => format!("{}{}{}", &text[..at], vtimezone(tz, o), &text[at..]),
            None => text,
        },
        None => text,
    })
}

/// A company's open commitments as all-day events on their due dates (the company's staff
/// subscribe to know what falls due); public like the board, so titles only.
pub async fn due_dates_ics(state: &AppState, community: CommunityId, org: roundtable_core::OrgId) -> ApiResult<String> {
    if !state.config.public.enabled {
        return Err(ApiError::NotFound("no such feed".into()));
    }
    let found = state
        .db
        .run(move |conn| {
            let c = directory::get_community(conn, community)?;
            let o = directory::get_organisation(conn, org)?;
            let filter = roundtable_store::IssueFilter {
                states: vec![roundtable_core::IssueState::COMMITTED.to_owned()],
                responsible_org: Some(org),
                ..Default::default()
            };
            // A company's open promises: a few dozen; bounded at 500 all the same.
            let page = roundtable_store::PageRequest { limit: 200, ..Default::default() };
            let mut items = Vec::new();
            let mut page = page;
            for _ in 0..3 {
                let listed = roundtable_store::issues::list_issues(conn, community, &filter, &page)?;
                items.extend(listed.items);
                match listed.next_cursor {
                    Some(c) => page.cursor = Some(c),
                    None => break,
                }
            }
            Ok((c, o, items))
        })
        .await;
    let (community, org, items) = match found {
        Ok((c, o, items)) if o.community == c.id => (c, o, items),
        Ok(_) | Err(StoreError::NotFound) => return Err(ApiError::NotFound("no such feed".into())),
        Err(e) => return Err(e.into()),
    };
    let lang = if community.default_locale == "en" { "en" } else { "zh-CN" };
    let t = |k: &str, args: &[(&str, String)]| crate::i18n::strings().text(lang, k, args);
    let mut calendar = Calendar::new();
    calendar.name(&t("feed.due_title", &[("org", org.name.clone())]));
    let now = state.now();
    let base = &state.config.mail.base_url;
    for issue in items {
        let Some(c) = issue.commitment.as_ref() else { continue };
        let mut event = Event::new();
        event
            .uid(&format!("due-{}@{}.roundtable", issue.id, community.id))
            .summary(&t("feed.due_summary", &[("title", issue.title.clone())]))
            .description(&c.text)
            .url(&format!("{base}/communities/{}/board", community.id))
            .all_day(c.due_date)
            .sequence(issue.extension_count)
            .timestamp(now);
        calendar.push(event.done());
    }
    Ok(calendar.done().to_string())
}

struct Entry {
    starts: DateTime<Utc>,
    place: String,
    status: MeetingStatus,
    sequence: u32,
    /// Where the public reads about it (`ops::board::public_link`).
    link: Option<String>,
}

/// `GET /communities/{id}/companies/{org}/due.ics`.
pub async fn due_dates(
    axum::extract::State(state): axum::extract::State<AppState>,
    crate::error::ApiPath((id, org)): crate::error::ApiPath<(uuid::Uuid, uuid::Uuid)>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    calendar_response(due_dates_ics(&state, CommunityId(id), roundtable_core::OrgId(org)).await, &headers)
}

/// `GET /communities/{id}/meetings.ics`: the feed, with an ETag (a calendar client asking
/// again with `If-None-Match` gets 304) and a short public cache life.
pub async fn meetings(
    axum::extract::State(state): axum::extract::State<AppState>,
    crate::error::ApiPath(id): crate::error::ApiPath<uuid::Uuid>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    calendar_response(meetings_ics(&state, CommunityId(id)).await, &headers)
}

/// A calendar document with an ETag of everything but its DTSTAMP lines, 304 when the
/// client has it already, and five minutes of public caching.
fn calendar_response(made: ApiResult<String>, headers: &axum::http::HeaderMap) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;
    use sha2::Digest;
    let text = match made {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    // DTSTAMP changes every time; the tag is of the rest, so an unchanged calendar matches.
    let stable: String = text.lines().filter(|l| !l.starts_with("DTSTAMP")).collect();
    let tag = format!("\"{}\"", hex::encode(&sha2::Sha256::digest(stable.as_bytes())[..16]));
    let matches = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v == tag);
    let mut r = if matches { StatusCode::NOT_MODIFIED.into_response() } else { text.into_response() };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    r
}
