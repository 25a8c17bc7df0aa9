//! The GeoReport v2 operations: what each resource answers, as a JSON value that
//! `format` writes as JSON or XML.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use roundtable_core::{Community, CommunityId, CompoundId, Event, GeoPoint, Issue, IssueId, PhotoId};
use roundtable_store::open311::{self as store, Open311Key, RequestFilter};
use roundtable_store::{StoreError, directory};
use serde_json::{Value, json};

use super::{Failure, Params};
use crate::auth::Caller;
use crate::ops::issues::{self as ops, CATEGORIES};
use crate::ops::reference::{self, Names};
use crate::state::AppState;
use crate::views::{HouseholdBody, NewIssueBody, ProxyReportBody};
use axum::http::StatusCode;

/// Without dates, the spec's default window: the last 90 days.
const DEFAULT_DAYS: i64 = 90;
/// At most this many requests in one answer (the spec's suggestion), and in one page of
/// the pagination extension.
const MAX_REQUESTS: u32 = 1000;
/// A point this close to a compound's gate is in it (compounds here are a few hundred
/// metres across and about a kilometre apart).
const WITHIN_METRES: f64 = 800.0;

/// The community a request is about: `jurisdiction_id`, or the only one this server has.
async fn jurisdiction(state: &AppState, params: &Params) -> Result<Community, Failure> {
    let wanted = match params.get("jurisdiction_id") {
        Some(id) => Some(
            id.parse::<uuid::Uuid>()
                .map(CommunityId)
                .map_err(|_| Failure::new(StatusCode::NOT_FOUND, "jurisdiction_id not found"))?,
        ),
        None => None,
    };
    let found = state
        .db
        .run(move |conn| match wanted {
            Some(id) => directory::get_community(conn, id).map(|c| vec![c]),
            None => directory::communities(conn),
        })
        .await;
    match found {
        Ok(mut list) if list.len() == 1 => Ok(list.remove(0)),
        Ok(list) if list.is_empty() => Err(Failure::new(StatusCode::NOT_FOUND, "jurisdiction_id not found")),
        Ok(_) => Err(Failure::bad("jurisdiction_id is required: this server serves several communities")),
        Err(StoreError::NotFound) => Err(Failure::new(StatusCode::NOT_FOUND, "jurisdiction_id not found")),
        Err(e) => Err(e.into()),
    }
}

/// The key a request names, if it names one; a wrong or revoked key is 403.
async fn key(state: &AppState, params: &Params) -> Result<Option<Open311Key>, Failure> {
    let Some(secret) = params.get("api_key") else { return Ok(None) };
    match crate::ops::keys::find(state, secret).await? {
        Some(k) => Ok(Some(k)),
        None => Err(Failure::new(StatusCode::FORBIDDEN, "api_key is not valid (unknown or revoked)")),
    }
}

fn lang(c: &Community) -> &'static str {
    if c.default_locale == "en" { "en" } else { "zh-CN" }
}

fn label(lang: &str, key: &str) -> String {
    crate::i18n::strings().text(lang, key, &[])
}

pub fn discovery(state: &AppState) -> Value {
    let base = &state.config.mail.base_url;
    json!({
        "changeset": "2026-12-03T00:00:00Z",
        "contact": format!("{base}/board"),
        "key_service": "Keys are issued by the community's administrator (roundtable: Administration → Open311 keys).",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": format!("{base}/open311/v2"),
            "changeset": "2026-12-03T00:00:00Z",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    })
}

/// The services: the issue categories, named in the community's language.
pub async fn services(state: &AppState, params: &Params) -> Result<Value, Failure> {
    let c = jurisdiction(state, params).await?;
    let lang = lang(&c);
    Ok(Value::Array(
        CATEGORIES
            .iter()
            .map(|code| {
                let name = label(lang, &format!("category.{code}"));
                json!({
                    "service_code": code,
                    "service_name": name,
                    "description": name,
                    "metadata": true,
                    "type": "realtime",
                    "keywords": "",
                    "group": "",
                })
            })
            .collect(),
    ))
}

/// A service's definition: where a request may say which compound and building it is in,
/// when neither its address nor its coordinates say so.
pub async fn definition(state: &AppState, params: &Params, code: &str) -> Result<Value, Failure> {
    let c = jurisdiction(state, params).await?;
    if !CATEGORIES.contains(&code) {
        return Err(Failure::new(StatusCode::NOT_FOUND, "service_code not found"));
    }
    let names = reference::names_of(state, c.id).await?;
    let en = lang(&c) == "en";
    let values: Vec<Value> =
        names.compounds.iter().map(|(id, name)| json!({ "key": id.to_string(), "name": name })).collect();
    Ok(json!({
        "service_code": code,
        "attributes": [
            {
                "variable": true,
                "code": "compound",
                "datatype": "singlevaluelist",
                "required": false,
                "datatype_description": if en { "Needed when neither address_string nor lat/long names the compound" } else { "地址或坐标无法确定小区时必填" },
                "order": 1,
                "description": if en { "Compound" } else { "小区" },
                "values": values,
            },
            {
                "variable": true,
                "code": "building",
                "datatype": "string",
                "required": false,
                "datatype_description": if en { "The building's name, e.g. 3号楼" } else { "楼栋名称，如 3号楼" },
                "order": 2,
                "description": if en { "Building" } else { "楼栋" },
                "values": [],
            },
        ],
    }))
}

/// A date parameter: a W3C date-time (`2026-11-01T00:00:00+08:00`) or a day, read in the
/// community's zone (its midnight, or the midnight ending it for `end_date`).
fn instant(params: &Params, name: &str, tz: chrono_tz::Tz, end: bool) -> Result<Option<DateTime<Utc>>, Failure> {
    let Some(v) = params.get(name) else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .filter(|d| roundtable_core::text::date_in_range(*d))
        .ok_or_else(|| Failure::bad(format!("{name} must be a W3C date-time, e.g. 2026-11-01T00:00:00+08:00")))?;
    let day = if end { day + TimeDelta::days(1) } else { day };
    Ok(tz.from_local_datetime(&day.and_time(NaiveTime::MIN)).earliest().map(|t| t.with_timezone(&Utc)))
}

/// The states behind `status=open,closed`.
fn states(state: &AppState, params: &Params) -> Result<Vec<String>, Failure> {
    let wanted = params.list("status");
    if let Some(bad) = wanted.iter().find(|s| !["open", "closed"].contains(s)) {
        return Err(Failure::bad(format!("status must be open or closed, not `{bad}`")));
    }
    let (open, closed) = (wanted.contains(&"open"), wanted.contains(&"closed"));
    if open == closed {
        return Ok(Vec::new());
    }
    Ok(state
        .workflows
        .iter()
        .flat_map(|wf| wf.states.iter().filter(|s| s.terminal == closed).map(|s| s.name.to_string()))
        .collect())
}

/// The extensions' switch (`extensions=true`): each request's update history (`notes`)
/// and what GeoReport has no field for (`extended_attributes`).
fn extensions(params: &Params) -> Result<bool, Failure> {
    match params.get("extensions") {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(Failure::bad("extensions must be true or false")),
    }
}

/// The pagination extension: `page` (from 1) of `page_size` requests (1,000 at most, the
/// default) — as the limit and the number skipped.
fn page(params: &Params) -> Result<(u32, u32), Failure> {
    let number = |name: &str, max: u32| -> Result<Option<u32>, Failure> {
        let Some(v) = params.get(name) else { return Ok(None) };
        v.parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .map(Some)
            .ok_or_else(|| Failure::bad(format!("{name} must be a whole number from 1 to {max}")))
    };
    let size = number("page_size", MAX_REQUESTS)?.unwrap_or(MAX_REQUESTS);
    // Far enough for any community's requests; a larger page is a client's mistake.
    let page = number("page", 1_000_000)?.unwrap_or(1);
    let skipped = (page - 1).checked_mul(size).ok_or_else(|| Failure::bad("page is beyond the last request"))?;
    Ok((size, skipped))
}

fn ids(params: &Params) -> Result<Vec<IssueId>, Failure> {
    params
        .list("service_request_id")
        .iter()
        .map(|id| {
            id.parse::<uuid::Uuid>()
                .map(IssueId)
                .map_err(|_| Failure::bad(format!("service_request_id `{id}` is not one of ours")))
        })
        .collect()
}

/// `GET requests`: by ids, or by service, status and time (90 days without dates), newest
/// first, at most 1,000.
pub async fn list(state: &AppState, params: &Params) -> Result<Value, Failure> {
    let c = jurisdiction(state, params).await?;
    let own = key(state, params).await?.filter(|k| k.community == c.id).map(|k| k.user);
    let categories: Vec<String> = params.list("service_code").iter().map(|s| (*s).to_owned()).collect();
    if let Some(bad) = categories.iter().find(|s| !CATEGORIES.contains(&s.as_str())) {
        return Err(Failure::bad(format!("service_code `{bad}` is not a service here")));
    }
    let (from, to) =
        (instant(params, "start_date", c.time_zone, false)?, instant(params, "end_date", c.time_zone, true)?);
    let window = TimeDelta::days(DEFAULT_DAYS);
    let between = match (from, to) {
        (Some(f), Some(t)) if f >= t => return Err(Failure::bad("start_date is not before end_date")),
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, state.now()),
        (None, Some(t)) => (t - window, t),
        (None, None) => (state.now() - window, state.now()),
    };
    let (limit, offset) = page(params)?;
    let filter = RequestFilter {
        ids: ids(params)?,
        categories,
        states: states(state, params)?,
        between: Some(between),
        own,
        limit,
        offset,
    };
    shown(state, &c, filter, extensions(params)?).await
}

/// `GET requests/{id}`: one request (as a list of one, as the spec has it); 404 for an id
/// that is not one of the public requests (or the key's own).
pub async fn one(state: &AppState, params: &Params, id: &str) -> Result<Value, Failure> {
    let c = jurisdiction(state, params).await?;
    let own = key(state, params).await?.filter(|k| k.community == c.id).map(|k| k.user);
    let not_found = || Failure::new(StatusCode::NOT_FOUND, "service_request_id not found");
    let id = id.parse::<uuid::Uuid>().map_err(|_| not_found())?;
    let filter = RequestFilter { ids: vec![IssueId(id)], own, limit: 1, ..RequestFilter::default() };
    let found = shown(state, &c, filter, extensions(params)?).await?;
    if found.as_array().is_some_and(Vec::is_empty) {
        return Err(not_found());
    }
    Ok(found)
}

/// The requests a filter finds, as GeoReport writes them: the issues, their steps and
/// public photos in one trip, the community's names and places in another. With the
/// extensions, each also carries its history (`notes`: every step, oldest first) and
/// `extended_attributes` (its urgency and every public photo).
async fn shown(state: &AppState, c: &Community, filter: RequestFilter, extended: bool) -> Result<Value, Failure> {
    let community = c.id;
    let (issues, steps, photos) = state
        .db
        .run(move |conn| {
            let issues = store::requests(conn, community, &filter)?;
            let ids: Vec<IssueId> = issues.iter().map(|i| i.id).collect();
            let steps = roundtable_store::issues::timelines(conn, &ids)?;
            let photos = roundtable_store::photos::public_of(conn, &ids)?;
            Ok((issues, steps, photos))
        })
        .await?;
    let names = reference::names_of(state, community).await?;
    let lang = lang(c);
    let base = &state.config.mail.base_url;
    let closed = |i: &Issue| {
        state.workflows.get(&i.workflow).is_some_and(|wf| wf.state(i.state.as_str()).is_some_and(|s| s.terminal))
    };
    let time = |t: DateTime<Utc>| t.with_timezone(&c.time_zone).to_rfc3339_opts(SecondsFormat::Secs, true);
    let photo_url = |p: PhotoId| format!("{base}/public/photos/{p}");
    let list = issues
        .iter()
        .map(|i| {
            let history = steps.get(&i.id).map(Vec::as_slice).unwrap_or_default();
            let step = history.last().map(|e| {
                format!(
                    "{} · {}",
                    label(lang, &format!("transition.{}", e.transition)),
                    e.at.with_timezone(&c.time_zone).format("%Y-%m-%d")
                )
            });
            let place = names.place(i.compound);
            let own_photos: Vec<PhotoId> = photos.iter().filter(|p| p.issue == Some(i.id)).map(|p| p.id).collect();
            let commitment = i.commitment.as_ref();
            let mut request = json!({
                "service_request_id": i.id.to_string(),
                "status": if closed(i) { "closed" } else { "open" },
                "status_notes": step,
                "service_name": label(lang, &format!("category.{}", i.category)),
                "service_code": i.category,
                "description": i.title,
                "agency_responsible": i.responsible_org.and_then(|o| names.org(o)),
                "service_notice": commitment.map(|c| c.text.clone()),
                "requested_datetime": time(i.created_at),
                "updated_datetime": time(i.updated_at),
                "expected_datetime": commitment.and_then(|k| {
                    let end = k.due_date.and_hms_opt(23, 59, 59)?;
                    c.time_zone.from_local_datetime(&end).earliest().map(|t| time(t.with_timezone(&Utc)))
                }),
                "address": address(&names, i),
                "address_id": i.building.map_or_else(|| i.compound.to_string(), |b| b.to_string()),
                "zipcode": null,
                "lat": place.map(|p| p.lat),
                "long": place.map(|p| p.long),
                "media_url": own_photos.first().map(|p| photo_url(*p)),
            });
            if extended {
                request["notes"] = history.iter().map(|e| note(lang, &names, e, time(e.at))).collect();
                request["extended_attributes"] = json!({
                    "urgency": i.urgency.as_str(),
                    "photos": own_photos.iter().map(|p| json!({ "media_url": photo_url(*p) })).collect::<Vec<_>>(),
                });
            }
            request
        })
        .collect();
    Ok(Value::Array(list))
}

/// One step of a request's history, as the board may tell it: what happened (in the past,
/// `step.*`), to which company and by which date — never who did it, nor a note or a
/// reason, which are people's own words.
fn note(lang: &str, names: &Names, e: &Event, datetime: String) -> Value {
    let strings = crate::i18n::strings();
    let f = &e.fields;
    let mut parts = vec![strings.step(lang, &e.transition)];
    parts.extend(f.responsible_org.and_then(|o| names.org(o)).map(str::to_owned));
    parts.extend(f.due_date.map(|d| strings.text(lang, "open311.due", &[("date", d.format("%Y-%m-%d").to_string())])));
    // A client that follows a duplicate learns where it went: the original's request id.
    parts.extend(f.duplicate_of.map(|id| strings.text(lang, "open311.original", &[("id", id.to_string())])));
    json!({ "datetime": datetime, "type": e.transition, "description": parts.join(" · ") })
}

/// The compound and building: never the unit.
fn address(names: &Names, i: &Issue) -> String {
    let compound = names.compound(i.compound).unwrap_or_default();
    match i.building.and_then(|b| names.building(b)) {
        Some(b) => format!("{compound} {b}"),
        None => compound.to_owned(),
    }
}

/// The compound (and building) a posted request is in: `attribute[compound]`, else
/// `address_id`, else the compound named in `address_string`, else the one whose gate is
/// within 800 m of `lat`/`long`.
fn locate(params: &Params, names: &Names) -> Result<(CompoundId, Option<uuid::Uuid>), Failure> {
    let address = params.get("address_string").unwrap_or_default();
    let building_in = |compound: CompoundId| {
        let named = params.get("attribute[building]").unwrap_or(address);
        names
            .buildings
            .iter()
            .filter(|(_, c, name)| *c == compound && named.contains(name.as_str()))
            .max_by_key(|(_, _, name)| name.chars().count())
            .map(|(id, _, _)| id.0)
    };
    let by_id = |v: &str| v.parse::<uuid::Uuid>().ok();
    if let Some(v) = params.get("attribute[compound]") {
        let id = by_id(v).map(CompoundId).filter(|id| names.compound(*id).is_some());
        let id = id.ok_or_else(|| Failure::bad("attribute[compound] is not a compound of this jurisdiction"))?;
        return Ok((id, building_in(id)));
    }
    if let Some(v) = params.get("address_id") {
        let id = by_id(v).ok_or_else(|| Failure::bad("address_id is not one of ours"))?;
        if names.compound(CompoundId(id)).is_some() {
            return Ok((CompoundId(id), building_in(CompoundId(id))));
        }
        let b = names.buildings.iter().find(|(b, _, _)| b.0 == id);
        return b.map(|(b, c, _)| (*c, Some(b.0))).ok_or_else(|| Failure::bad("address_id is not one of ours"));
    }
    if !address.is_empty() {
        let named = names.compounds.iter().filter(|(_, n)| address.contains(n.as_str()));
        if let Some((id, _)) = named.max_by_key(|(_, n)| n.chars().count()) {
            return Ok((*id, building_in(*id)));
        }
    }
    match (params.get("lat"), params.get("long")) {
        (Some(lat), Some(long)) => {
            let degrees = |v: &str| v.parse::<f64>().ok().filter(|d| d.is_finite());
            let point = degrees(lat)
                .zip(degrees(long))
                .and_then(|(a, b)| GeoPoint::new(a, b))
                .ok_or_else(|| Failure::bad("lat and long must be WGS-84 degrees"))?;
            let nearest = names
                .places
                .iter()
                .map(|(id, at)| (*id, at.metres_to(point)))
                .filter(|(_, d)| *d <= WITHIN_METRES)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            nearest
                .map(|(id, _)| (id, building_in(id)))
                .ok_or_else(|| Failure::bad("lat/long is not within any compound of this jurisdiction"))
        }
        (None, None) if address.is_empty() => {
            Err(Failure::bad("say where: address_string, lat and long, address_id or attribute[compound]"))
        }
        (None, None) => Err(Failure::bad("address_string names no compound of this jurisdiction")),
        _ => Err(Failure::bad("lat and long go together")),
    }
}

/// The fields of a raise that come from a posted request's parameters, so that a refusal
/// names what the client sent (`phone`), not a field it never saw.
const IN_PARAMETERS: [(&str, &str); 3] = [
    ("on_behalf.contacts[0].name", "last_name/first_name"),
    ("on_behalf.contacts[0].phone", "phone"),
    ("title", "description"),
];

/// The title an issue needs, from the request's description: its first line, cut at 200
/// characters; the service's name when there is none.
fn title(description: &str, service: &str) -> String {
    let first = description.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or(service);
    if first.chars().count() <= 200 {
        first.to_owned()
    } else {
        format!("{}…", first.chars().take(199).collect::<String>())
    }
}

/// `POST requests`: raised as the key's account, on behalf of the one household that called.
/// With an `Idempotency-Key` (`retry`), at most once: a hotline that posts again after a
/// lost answer gets the first request back and whether it was (`true`).
pub async fn create(state: &AppState, params: &Params, retry: Option<&str>) -> Result<(Value, bool), Failure> {
    let key = key(state, params)
        .await?
        .ok_or_else(|| Failure::new(StatusCode::FORBIDDEN, "api_key is required to post a request"))?;
    if let Some(j) = params.get("jurisdiction_id")
        && j != key.community.to_string()
    {
        return Err(Failure::new(StatusCode::FORBIDDEN, "this api_key is for another jurisdiction"));
    }
    let code = params.get("service_code").ok_or_else(|| Failure::bad("service_code is required"))?;
    if !CATEGORIES.contains(&code) {
        return Err(Failure::bad(format!("service_code `{code}` is not a service here")));
    }
    let caller = Caller::acting_for_key(state, key.user, &key.id).await?;
    let names = reference::names_of(state, key.community).await?;
    let (compound, building) = locate(params, &names)?;
    let lang = caller.lang();
    let description = params.get("description").unwrap_or_default();
    let name: Vec<&str> = ["last_name", "first_name"].iter().filter_map(|n| params.get(n)).collect();
    // 张三 as the family name then the given; Jane Doe the other way round.
    let name = if name.iter().all(|n| n.is_ascii()) {
        name.iter().rev().copied().collect::<Vec<_>>().join(" ")
    } else {
        name.concat()
    };
    let phone = params.get("phone").map(str::to_owned);
    let on_behalf = (!name.is_empty() || phone.is_some()).then(|| ProxyReportBody {
        households: 1,
        contacts: vec![HouseholdBody { name: if name.is_empty() { "—".into() } else { name }, phone }],
    });
    let body = NewIssueBody {
        title: title(description, &label(lang, &format!("category.{code}"))),
        description: description.to_owned(),
        category: code.to_owned(),
        // A hotline's report is graded by the secretary when assigned.
        urgency: None,
        compound: compound.0,
        building,
        unit: None,
        photos: Vec::new(),
        on_behalf,
    };
    // Keys are each Open311 key's own: two hotlines raising as one account may both
    // number their posts by their own ticket numbers.
    let retry = retry.map(|k| format!("open311:{}:{k}", key.id));
    let raised = ops::raise_once(state, &caller, body, retry).await.map_err(|e| e.renamed(&IN_PARAMETERS))?;
    let (raised, again) = raised.issue()?;
    tracing::info!(issue = %raised.id, key = %key.id, again, "Open311 request raised");
    let answer = json!([{
        "service_request_id": raised.id.to_string(),
        "service_notice": label(lang, "open311.notice"),
        "account_id": null,
    }]);
    Ok((answer, again))
}
