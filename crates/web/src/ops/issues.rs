//! The tracker's operations: list, raise, read, transition, timeline, support — what the
//! API handlers and the pages both call, with the caller's rights checked here.

use roundtable_core::audit::{AuditAction, AuditEntry, AuditSubject};
use roundtable_core::text;
use roundtable_core::{
    BuildingId, CommunityId, CompoundId, Household, Issue, IssueId, IssueState, MeetingId, NewIssue, OrgId,
    ProxyReport, TransitionFields, TransitionRequest, UserId, apply,
};
use roundtable_store::directory::Person;
use roundtable_store::{IssueFilter, IssueOrder, PageRequest, StoreError, directory, issues};

use crate::access;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::ops::check_text;
use crate::state::AppState;
use crate::views::{
    AvailableTransition, CommitmentRecordView, CommitmentView, Contact, EventView, ExtensionRequestView, HouseholdBody,
    IssueList, IssueRef, IssueSummary, IssueView, ListQuery, NewIssueBody, NextTimerView, PersonRef, PhotoView,
    ProxyReportBody, ProxyReportView, ReturnRequestView, SupportView, TransitionBody, VerificationView, is_overdue,
};

/// How a list may be sorted, as `order=` names it.
pub const ORDERS: [&str; 4] = ["newest", "oldest", "support", "relevance"];

/// Categories a raiser chooses from.
pub const CATEGORIES: [&str; 8] =
    ["building", "environment", "security", "parking", "facilities", "property_fee", "neighbourhood", "other"];

/// Reads an issue the caller may see: another community's is not found, one outside the
/// caller's part of the community is forbidden.
pub(crate) async fn visible(state: &AppState, caller: &Caller, id: IssueId) -> ApiResult<Issue> {
    let issue = state.db.run(move |conn| issues::get_issue(conn, id)).await.map_err(not_found)?;
    check_visible(caller, &issue)?;
    Ok(issue)
}

/// Like [`visible`], with the raiser as the issue's view shows them, in one database trip.
/// The issue, its raiser and what it links to, in one trip to the database (each trip
/// is a hand-over to a blocking thread and back); what it links to is read only for an
/// issue the caller may see.
async fn with_raiser_and_related(
    state: &AppState,
    caller: &Caller,
    id: IssueId,
) -> ApiResult<(Issue, Person, Related)> {
    let who = caller.clone();
    let (issue, raiser, related) = state
        .db
        .run(move |conn| {
            let (issue, raiser, beside) = issues::get_for_reader(conn, id, who.user.id)?;
            let related = match check_visible(&who, &issue) {
                Ok(()) => related(conn, &issue, beside)?,
                Err(_) => Related::default(),
            };
            Ok((issue, raiser, related))
        })
        .await
        .map_err(not_found)?;
    check_visible(caller, &issue)?;
    Ok((issue, raiser, related))
}

fn not_found(e: roundtable_store::StoreError) -> ApiError {
    match e {
        roundtable_store::StoreError::NotFound => ApiError::NotFound("no such issue".into()),
        other => other.into(),
    }
}

fn check_visible(caller: &Caller, issue: &Issue) -> ApiResult<()> {
    if issue.community != caller.actor.community {
        return Err(ApiError::NotFound("no such issue".into()));
    }
    if !access::can_see(&caller.user, &caller.actor, issue) {
        return Err(ApiError::Forbidden("this issue belongs to another compound or organisation".into()));
    }
    Ok(())
}

/// The issue as this caller may see it, with the transitions open to them.
/// The issues a view links to: its original and its duplicates.
#[derive(Default)]
struct Related {
    original: Option<Issue>,
    duplicates: Vec<Issue>,
    photos: Vec<roundtable_core::photo::Photo>,
    proxy: Option<ProxyReport>,
    /// The caller follows the issue.
    following: bool,
}

/// Reads what an issue's view shows beside it: its original, duplicates, photos, proxy
/// report, and whether `user` follows it.
fn load_related(
    conn: &mut roundtable_store::DbConn,
    user: roundtable_core::UserId,
    issue: &Issue,
) -> Result<Related, roundtable_store::StoreError> {
    let beside = issues::beside(conn, issue, user)?;
    related(conn, issue, beside)
}

/// What the view links to beside `issue`: read only where `beside` says there is some.
fn related(
    conn: &mut roundtable_store::DbConn,
    issue: &Issue,
    beside: issues::Beside,
) -> Result<Related, roundtable_store::StoreError> {
    let id = issue.id;
    Ok(Related {
        original: issue.duplicate_of.map(|o| issues::get_issue(conn, o)).transpose()?,
        duplicates: if beside.has_duplicates { issues::duplicates_of(conn, id)? } else { Vec::new() },
        photos: if beside.has_photos { roundtable_store::photos::for_issue(conn, id)? } else { Vec::new() },
        proxy: beside.proxy,
        following: beside.following,
    })
}

fn view(state: &AppState, caller: &Caller, issue: Issue, raiser: &Person, related: Related) -> IssueView {
    let shown = |i: &Issue| {
        access::can_see(&caller.user, &caller.actor, i).then(|| IssueRef { id: i.id.0, title: i.title.clone() })
    };
    // Closed long enough ago, the company no longer needs to call the raiser back.
    let days = i64::from(state.config.privacy.contact_retention_days);
    let closed = state.workflows.is_closed(&issue.workflow, &issue.state);
    let retained = !closed || issue.state_entered_at + chrono::TimeDelta::days(days) > state.now();
    let sees_contact = access::sees_contact(&caller.user, &caller.actor, &issue, retained);
    let contact = sees_contact.then(|| Contact { email: raiser.email.clone(), phone: raiser.phone.clone() });
    let transitions = state
        .workflows
        .get(&issue.workflow)
        .map(|wf| {
            wf.available(&issue, &caller.actor)
                .map(|t| AvailableTransition {
                    name: t.name.clone(),
                    to: t.to.to_string(),
                    required: t.require.clone(),
                    optional: t.accept.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let today = caller.now(state).date_naive();
    let max_days =
        u64::from(crate::community_settings::effective(&state.config, &caller.community).meeting.max_commitment_days);
    // Measured from the day the date was set (the promise or its latest extension).
    let beyond_limit = |c: &roundtable_core::Commitment| {
        c.due_date > c.dated_at.with_timezone(&caller.tz()).date_naive() + chrono::Days::new(max_days)
    };
    // What the workflow does next, by the community's clock and the working-day calendar.
    let next_timer = state.workflows.get(&issue.workflow).and_then(|wf| {
        let next = wf.next_timer(&issue, caller.now(state), state.calendars().of(issue.community))?;
        Some(NextTimerView { timer: next.timer.name.clone(), at: next.fire_at, effects: next.timer.effects.clone() })
    });
    IssueView {
        next_timer,
        id: issue.id.0,
        workflow: issue.workflow.clone(),
        state: issue.state.clone(),
        overdue: is_overdue(&issue, today),
        title: issue.title,
        description: issue.description,
        category: issue.category,
        urgency: issue.urgency,
        compound: issue.compound.0,
        building: issue.building.map(|b| b.0),
        unit: issue.unit,
        raised_by: PersonRef { id: raiser.id.0, name: raiser.display_name.clone() },
        raised_by_org: issue.raised_by_org.map(|o| o.0),
        raiser_contact: contact,
        responsible_org: issue.responsible_org.map(|o| o.0),
        commitment: issue.commitment.map(|c| CommitmentView {
            beyond_limit: beyond_limit(&c),
            text: c.text,
            due_date: c.due_date,
            committed_by: c.committed_by.0,
            committed_by_org: c.committed_by_org.map(|o| o.0),
            meeting: c.meeting.map(|m| m.0),
            committed_at: c.committed_at,
        }),
        resolution_note: issue.resolution_note,
        verification: issue.verification.map(|v| VerificationView {
            outcome: serde_json::to_value(v.outcome)
                .ok()
                .and_then(|o| o.as_str().map(str::to_owned))
                .unwrap_or_default(),
            satisfaction: v.satisfaction,
            note: v.note,
            by: v.by.0,
            at: v.at,
        }),
        duplicate_of: issue.duplicate_of.map(|d| d.0),
        original: related.original.as_ref().and_then(shown),
        duplicates: related.duplicates.iter().filter_map(shown).collect(),
        closing_reason: issue.closing_reason,
        support_count: issue.support_count,
        reopen_count: issue.reopen_count,
        extension_count: issue.extension_count,
        extension_request: issue.extension_request.map(|r| ExtensionRequestView {
            due_date: r.due_date,
            reason: r.reason,
            by: r.by.0,
            at: r.at,
        }),
        return_request: issue.return_request.map(|r| ReturnRequestView { reason: r.reason, by: r.by.0, at: r.at }),
        version: issue.version,
        created_at: issue.created_at,
        updated_at: issue.updated_at,
        state_entered_at: issue.state_entered_at,
        transitions,
        photos: related.photos.iter().map(|p| PhotoView::new(p, API_PHOTOS)).collect(),
        following: related.following,
        on_behalf: related.proxy.map(|r| ProxyReportView {
            households: r.households,
            contacts: sees_contact
                .then(|| r.contacts.into_iter().map(|h| HouseholdBody { name: h.name, phone: h.phone }).collect()),
        }),
    }
}

/// Where the API serves photos.
pub const API_PHOTOS: &str = "/api/v1/photos";

/// "Due soon": the coming week, today through 7 days ahead — the weekly summary's
/// section, the list's checkbox and a company's "my work".
pub const DUE_SOON_DAYS: u32 = 7;

/// The list's query as a filter narrowed to what the caller may see, and its order.
pub fn list_filter(state: &AppState, caller: &Caller, q: ListQuery) -> ApiResult<(IssueFilter, IssueOrder, u32)> {
    let searching = q.q.as_deref().is_some_and(|t| !text::is_blank(t));
    let order = match q.order.as_deref() {
        // A search lists the best matches first unless told otherwise.
        None if searching => IssueOrder::Relevance,
        None | Some("newest") => IssueOrder::Newest,
        Some("oldest") => IssueOrder::Oldest,
        Some("support") => IssueOrder::Support,
        Some("relevance") => IssueOrder::Relevance,
        Some(other) => {
            return Err(ApiError::field(
                "order",
                "invalid",
                format!("`order` must be newest, oldest, support or relevance, not `{other}`"),
            ));
        }
    };
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::too_long("q", 200));
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::out_of_range("limit", 1, 200));
    }
    let today = caller.now(state).date_naive();
    let due_between = match q.due_within {
        None => None,
        Some(_) if q.overdue == Some(true) => {
            return Err(ApiError::field(
                "due_within",
                "with_overdue",
                "`due_within` lists promises not yet past their date: leave `overdue` out",
            ));
        }
        Some(days @ 0..=90) => Some((today, today + chrono::Days::new(days.into()))),
        Some(_) => return Err(ApiError::out_of_range("due_within", 0, 90)),
    };
    let states: Vec<String> = q
        .state
        .as_deref()
        .map(|s| s.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    // A state no loaded workflow has would only ever match nothing: say so instead.
    let mut known: Vec<&str> =
        state.workflows.iter().flat_map(|wf| wf.states.iter().map(|s| s.name.as_str())).collect();
    known.sort_unstable();
    known.dedup();
    if let Some(unknown) = states.iter().find(|s| !known.contains(&s.as_str())) {
        return Err(ApiError::field(
            "state",
            "invalid",
            format!("`state` has no state `{unknown}`; the workflows have {}", known.join(", ")),
        ));
    }
    let filter = IssueFilter {
        states,
        compound: q.compound.map(CompoundId),
        responsible_org: q.responsible_org.map(OrgId),
        raised_by: q.raised_by.map(UserId),
        overdue_on: q.overdue.unwrap_or(false).then_some(today),
        due_between,
        urgency: q.urgency,
        // Blank by our rule (zero-width characters too), not only by the store's `trim`.
        text: q.q.filter(|_| searching),
        ..IssueFilter::default()
    };
    let filter = access::scope_filter(&caller.user, &caller.actor, filter)?;
    Ok((filter, order, limit))
}

/// Lists the issues the caller may see, filtered, one page at a time.
pub async fn list(state: &AppState, caller: &Caller, q: ListQuery) -> ApiResult<IssueList> {
    let cursor = q.cursor.clone();
    let (filter, order, limit) = list_filter(state, caller, q)?;
    let today = caller.now(state).date_naive();
    let community = caller.actor.community;
    let page = PageRequest { order, limit, cursor };
    let (compound, org) = (filter.compound, filter.responsible_org);
    let page = state.db.run(move |conn| issues::list_listings(conn, community, &filter, &page)).await?;
    if page.items.is_empty() && (compound.is_some() || org.is_some()) {
        unknown_filters(state, community, compound, org).await?;
    }
    Ok(IssueList {
        items: page.items.into_iter().map(|i| IssueSummary::new(i, today)).collect(),
        next_cursor: page.next_cursor,
    })
}

/// What a responsible party asked the secretary on an issue, not yet decided: the
/// secretary's to answer before the meeting or at it.
pub enum Asked {
    /// More time (申请延期): to this date, for this reason.
    Extension { due_date: chrono::NaiveDate, reason: String, at: chrono::DateTime<chrono::Utc> },
    /// Not its own (申请退回), for this reason.
    Return { reason: String, at: chrono::DateTime<chrono::Utc> },
}

/// The issues with a request awaiting the secretary, the longest waiting first (at most
/// 50): the secretary's and administrator's alone, as the decision is.
pub async fn awaiting_decision(state: &AppState, caller: &Caller) -> ApiResult<Vec<(IssueSummary, Asked)>> {
    crate::ops::meetings::manage(caller)?;
    let (community, today) = (caller.actor.community, caller.now(state).date_naive());
    let asked = state.db.run(move |conn| issues::awaiting_decision(conn, community, 50)).await?;
    Ok(asked
        .into_iter()
        .filter_map(|i| {
            let what = match (&i.return_request, &i.extension_request) {
                (Some(r), _) => Asked::Return { reason: r.reason.clone(), at: r.at },
                (None, Some(r)) => Asked::Extension { due_date: r.due_date, reason: r.reason.clone(), at: r.at },
                (None, None) => return None,
            };
            Some((IssueSummary::new(issues::Listing::from(&i), today), what))
        })
        .collect())
}

/// A compound or company of another community (or none at all) would list nothing, as if
/// nobody there had a problem: said instead. Asked only once a list came back empty, so a
/// list stays one query.
async fn unknown_filters(
    state: &AppState,
    community: CommunityId,
    compound: Option<CompoundId>,
    org: Option<OrgId>,
) -> ApiResult<()> {
    let names = super::reference::names_of(state, community).await?;
    let mut errors = Vec::new();
    if compound.is_some_and(|c| names.compound(c).is_none()) {
        errors.push(FieldProblem::new("compound", "unknown", "no such compound in this community"));
    }
    if org.is_some_and(|o| !names.responsible().any(|(id, _)| id == o)) {
        errors.push(FieldProblem::new("responsible_org", "unknown", "no such company in this community"));
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// What is wrong with a new issue's own words (title, description, category, unit),
/// found without the database: a form that cannot name its place yet still hears of these.
pub fn wording_problems(body: &NewIssueBody) -> Vec<FieldProblem> {
    let mut errors = Vec::new();
    check_text(&mut errors, "title", &body.title, 1, 200);
    check_text(&mut errors, "description", &body.description, 0, 4000);
    if body.category.is_empty() {
        // Left at the form's "choose…": named as not given, not as a wrong value.
        errors.push(FieldProblem::new("category", "missing", "choose a category"));
    } else if !CATEGORIES.contains(&body.category.as_str()) {
        errors.push(FieldProblem::new(
            "category",
            "invalid",
            format!("`category` must be one of {}", CATEGORIES.join(", ")),
        ));
    }
    if let Some(unit) = &body.unit {
        check_text(&mut errors, "unit", unit, 0, 50);
    }
    errors
}

/// Raises a new issue in a compound of the caller's community.
pub async fn raise(state: &AppState, caller: &Caller, body: NewIssueBody) -> ApiResult<IssueView> {
    match raise_once(state, caller, body, None).await? {
        Raised::New(view) | Raised::Again(view) => Ok(view),
        Raised::KeyUsed(id) => Err(ApiError::Internal(format!("a raise without a key met the key of {id}"))),
    }
}

/// What became of a raise sent with a key.
pub enum Raised {
    /// A new issue.
    New(IssueView),
    /// The same raise had been sent before with this key (a double tap, a retry after a
    /// lost answer): the issue the first one made; nothing new was stored.
    Again(IssueView),
    /// The key had gone with another raise before (this issue): nothing was stored.
    KeyUsed(IssueId),
}

impl Raised {
    /// The issue, and whether an earlier raise with the key made it; a key that went with
    /// another raise is refused.
    pub fn issue(self) -> ApiResult<(IssueView, bool)> {
        match self {
            Raised::New(view) => Ok((view, false)),
            Raised::Again(view) => Ok((view, true)),
            Raised::KeyUsed(first) => Err(key_used(first)),
        }
    }
}

/// The header an API client names its raise with (the IETF httpapi draft's).
pub const KEY_HEADER: &str = "idempotency-key";

/// A raise's key as a client sent it: 1–255 visible ASCII characters, bare or as the
/// draft's quoted string.
pub fn raise_key(raw: &str) -> ApiResult<String> {
    let key = raw.strip_prefix('"').and_then(|k| k.strip_suffix('"')).unwrap_or(raw);
    if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(key.to_owned());
    }
    Err(ApiError::field("Idempotency-Key", "invalid", "an Idempotency-Key is 1–255 visible ASCII characters"))
}

/// Raises what a form says (`raise`, given the key or none), once per showing of the
/// form: sent twice, the second gets the first's issue. A form shown once but sent with
/// other words (edited after "back") is another issue: its key is then the form's joined
/// to the issue the key went with, which a double tap of the edited form repeats too.
/// A form without a usable key raises as before.
pub async fn once_per_form<F, R>(submission: Option<&str>, raise: F) -> ApiResult<IssueView>
where
    // Not `AsyncFn`: its futures are not known to be `Send` for axum's handlers.
    F: Fn(Option<String>) -> R,
    R: std::future::Future<Output = ApiResult<Raised>>,
{
    let mut key = submission.and_then(|s| raise_key(s).ok());
    // Each turn adds 37 characters to a 36-character key: five stay within the limit.
    for _ in 0..5 {
        match raise(key.clone()).await? {
            Raised::New(view) | Raised::Again(view) => return Ok(view),
            Raised::KeyUsed(first) => key = key.map(|k| format!("{k}+{first}")),
        }
    }
    match raise(None).await? {
        Raised::New(view) | Raised::Again(view) => Ok(view),
        Raised::KeyUsed(first) => Err(key_used(first)),
    }
}

/// Whether a form with this key has raised something already (a second tap arriving
/// after the first is in): then it is not offered the similar issues — its own among them —
/// but goes straight on to `once_per_form`.
pub async fn form_sent_before(state: &AppState, caller: &Caller, submission: Option<&str>) -> ApiResult<bool> {
    let Some(key) = submission.and_then(|s| raise_key(s).ok()) else { return Ok(false) };
    let user = caller.user.id;
    Ok(state.db.run(move |conn| issues::key_sent(conn, user, &key)).await?.is_some())
}

/// The refusal of a key that went with another raise before.
pub fn key_used(first: IssueId) -> ApiError {
    ApiError::field(
        "Idempotency-Key",
        "key_reused",
        format!("this Idempotency-Key was sent before with another issue ({first}); send a new key with a new issue"),
    )
}

/// Raises an issue; with a key, at most once: sending the same raise again with the same
/// key gives back the first one's issue, whenever and wherever (another instance) it
/// arrives. What counts as the same raise is what it says and where (not its photos: a
/// form sent twice uploads its photos twice).
pub async fn raise_once(
    state: &AppState,
    caller: &Caller,
    body: NewIssueBody,
    key: Option<String>,
) -> ApiResult<Raised> {
    let mut errors = wording_problems(&body);
    let proxy = body.on_behalf.as_ref().map(|b| proxy_report(b, &mut errors));
    let community = caller.actor.community;
    let (compound, building) = (CompoundId(body.compound), body.building.map(BuildingId));
    let (known_compound, known_building) = state.places.check(&state.db, community, compound, building).await?;
    if !known_compound {
        errors.push(FieldProblem::new("compound", "unknown", "no such compound in this community"));
    } else if !known_building {
        errors.push(FieldProblem::new("building", "unknown", "no such building in this compound"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    access::check_raise(&caller.user, &caller.actor, compound)?;
    if proxy.is_some() {
        access::check_proxy(&caller.user, &caller.actor, building)?;
    }
    let photos = super::photos::check_attachable(state, caller, &body.photos).await?;
    // The community's own workflow, checked at start-up and when it was chosen.
    let name = crate::community_settings::workflow(&caller.community);
    let workflow =
        state.workflows.get(name).ok_or_else(|| ApiError::Internal(format!("the workflow `{name}` is not loaded")))?;
    let new = NewIssue {
        title: text::one_line(&body.title),
        description: text::trim(&body.description).to_owned(),
        category: body.category,
        urgency: body.urgency.unwrap_or_default(),
        compound,
        building,
        unit: body.unit.map(|u| text::one_line(&u)).filter(|u| !u.is_empty()),
    };
    let key = key.map(|key| issues::RequestKey { fingerprint: fingerprint(&(&new, proxy.as_ref())), key });
    let (mut issue, event) = Issue::raise(workflow, new, &caller.actor, state.now());
    if let Some(report) = &proxy {
        issue = issue.on_behalf_of(report);
    }
    let (stored, user, reported) = (issue.clone(), caller.user.id, proxy.clone());
    let (rows, version) = (issues::NewIssueRows::new(&issue, &event)?, event.version);
    let attached = state
        .db
        .write(move |conn| {
            issues::insert_new_issue(conn, &rows)?;
            if let Some(key) = &key {
                issues::remember_key(conn, stored.raised_by, &stored, stored.created_at, key)?;
            }
            if let Some(report) = &reported {
                issues::insert_proxy_report(conn, &stored, report)?;
            }
            if photos.is_empty() {
                return Ok(Vec::new());
            }
            roundtable_store::photos::attach(conn, &photos, user, stored.id, version)?;
            roundtable_store::photos::for_issue(conn, stored.id)
        })
        .await;
    let attached = match attached {
        Ok(attached) => attached,
        Err(StoreError::KeySentBefore { issue, same: true }) => {
            return Ok(Raised::Again(get(state, caller, issue).await?));
        }
        Err(StoreError::KeySentBefore { issue, same: false }) => return Ok(Raised::KeyUsed(issue)),
        Err(e) => return Err(e.into()),
    };
    let raiser = Person {
        id: caller.user.id,
        display_name: caller.user.display_name.clone(),
        email: caller.user.email.clone(),
        phone: caller.user.phone.clone(),
    };
    let view =
        view(state, caller, issue, &raiser, Related { photos: attached, proxy, following: true, ..Related::default() });
    Ok(Raised::New(view))
}

/// What a keyed request asks for (a raise: what it says and where; a transition: which,
/// on which issue, with which values), as a SHA-256: two requests with one key are the
/// same request when this is.
fn fingerprint(asked: &impl serde::Serialize) -> String {
    use sha2::{Digest, Sha256};
    let said = serde_json::to_vec(asked).unwrap_or_default();
    hex::encode(Sha256::digest(said))
}

/// A proxy report as typed, checked: 1–2,000 households, at most 200 named (each with a
/// name of 1–50 characters and, if given, a phone number).
fn proxy_report(body: &ProxyReportBody, errors: &mut Vec<FieldProblem>) -> ProxyReport {
    if !(1..=ProxyReport::MAX_HOUSEHOLDS).contains(&body.households) {
        errors.push(FieldProblem::out_of_range("on_behalf.households", 1, i64::from(ProxyReport::MAX_HOUSEHOLDS)));
    }
    if body.contacts.len() > ProxyReport::MAX_CONTACTS {
        errors.push(FieldProblem::new(
            "on_behalf.contacts",
            "too_many_named",
            format!("at most {} households can be named", ProxyReport::MAX_CONTACTS),
        ));
    } else if body.contacts.len() > body.households as usize {
        errors.push(FieldProblem::new(
            "on_behalf.contacts",
            "more_than_households",
            "more households are named than the count reported",
        ));
    }
    let mut contacts = Vec::with_capacity(body.contacts.len());
    for (i, h) in body.contacts.iter().enumerate() {
        check_text(errors, &format!("on_behalf.contacts[{i}].name"), &h.name, 1, 50);
        let phone = h.phone.as_deref().filter(|p| !text::is_blank(p));
        let normalised = phone.and_then(text::phone);
        if phone.is_some() && normalised.is_none() {
            errors.push(FieldProblem::new(
                &format!("on_behalf.contacts[{i}].phone"),
                "invalid",
                "a phone number has 5 to 20 digits",
            ));
        }
        contacts.push(Household { name: text::one_line(&h.name), phone: normalised });
    }
    ProxyReport { households: body.households, contacts }
}

/// One issue, with its version and the transitions the caller may fire now.
pub async fn get(state: &AppState, caller: &Caller, id: IssueId) -> ApiResult<IssueView> {
    let (issue, raiser, related) = with_raiser_and_related(state, caller, id).await?;
    Ok(view(state, caller, issue, &raiser, related))
}

/// The ids a transition names that do not exist in the caller's community.
pub(crate) fn reference_problems(
    conn: &mut roundtable_store::DbConn,
    community: roundtable_core::CommunityId,
    fields: &TransitionFields,
) -> Result<Vec<FieldProblem>, roundtable_store::StoreError> {
    let mut problems = Vec::new();
    if let Some(org) = fields.responsible_org {
        match directory::get_organisation(conn, org) {
            Ok(o) if o.community == community => {}
            Ok(_) | Err(roundtable_store::StoreError::NotFound) => {
                problems.push(FieldProblem::new(
                    "responsible_org",
                    "unknown",
                    "no such organisation in this community",
                ));
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(dup) = fields.duplicate_of {
        match issues::get_issue(conn, dup) {
            Ok(i) if i.community == community => {}
            Ok(_) | Err(roundtable_store::StoreError::NotFound) => {
                problems.push(FieldProblem::new("duplicate_of", "unknown", "no such issue in this community"));
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(meeting) = fields.meeting
        && !issues::meeting_exists(conn, community, meeting)?
    {
        problems.push(FieldProblem::new("meeting", "unknown", "no such meeting in this community"));
    }
    Ok(problems)
}

/// Fires a transition (`assign`, `commit`, `resolve`, `verify`, `reopen`, …) on an issue
/// seen at `version`.
pub async fn transition(state: &AppState, caller: &Caller, id: IssueId, body: TransitionBody) -> ApiResult<IssueView> {
    transition_once(state, caller, id, body, None).await.map(|(view, _)| view)
}

/// Fires a transition; with a key, at most once: sent again with the same key and the
/// same request (a retry after a lost answer, whose version is stale by then), it answers
/// the issue as it is now and `true`, nothing done; the key with another request is
/// refused. Keys are the caller's, apart from their raises' (`transition:` scope).
pub async fn transition_once(
    state: &AppState,
    caller: &Caller,
    id: IssueId,
    body: TransitionBody,
    key: Option<String>,
) -> ApiResult<(IssueView, bool)> {
    let request = TransitionRequest {
        transition: body.transition,
        version: body.version,
        fields: TransitionFields {
            responsible_org: body.responsible_org.map(OrgId),
            commitment_text: body.commitment_text,
            due_date: body.due_date,
            meeting: body.meeting.map(MeetingId),
            resolution_note: body.resolution_note,
            satisfaction: body.satisfaction,
            note: body.note,
            reason: body.reason,
            duplicate_of: body.duplicate_of.map(IssueId),
            urgency: body.urgency,
            waiting_for: body.waiting_for,
        },
    };
    let key = key.map(|key| issues::RequestKey {
        fingerprint: fingerprint(&(id, &request, &body.photos)),
        key: format!("transition:{key}"),
    });
    let photos = super::photos::check_attachable(state, caller, &body.photos).await?;
    // The issue, its raiser, the ids the request names and the key's first use, in one
    // database trip.
    let (community, fields, user, sent) = (caller.actor.community, request.fields.clone(), caller.user.id, key.clone());
    let (issue, raiser, problems, original, first) = state
        .db
        .run(move |conn| {
            let (issue, raiser) = issues::get_with_raiser(conn, id)?;
            // The key after the issue: a repeat committed in between has written both, so
            // an issue read before it is met by its key here, never seen stale without it.
            let first = sent.map(|k| issues::key_sent(conn, user, &k.key)).transpose()?.flatten();
            let problems = reference_problems(conn, community, &fields)?;
            // A duplicate of a duplicate is a duplicate of the original (a bounded walk).
            let mut original = fields.duplicate_of;
            for _ in 0..8 {
                match original.map(|o| issues::get_issue(conn, o)) {
                    Some(Ok(o)) if o.state == IssueState::DUPLICATE && o.duplicate_of.is_some() => {
                        original = o.duplicate_of
                    }
                    _ => break,
                }
            }
            Ok((issue, raiser, problems, original, first))
        })
        .await
        .map_err(not_found)?;
    if let (Some((first, fingerprint)), Some(key)) = (first, &key) {
        return replayed(state, caller, first, fingerprint == key.fingerprint).await;
    }
    let mut request = request;
    request.fields.duplicate_of = original;
    check_visible(caller, &issue)?;
    let workflow = state
        .workflows
        .get(&issue.workflow)
        .ok_or_else(|| ApiError::Internal(format!("workflow `{}` is not loaded", issue.workflow)))?;
    let outcome = apply(workflow, &issue, &caller.actor, &request, caller.now(state))?;
    // After the workflow's own checks (a date of another millennium is named as such).
    let why = request.fields.note.as_deref().or(request.fields.reason.as_deref());
    super::check_due_date(state, caller, request.fields.due_date, why)?;
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let stored = outcome.clone();
    let now = state.now();
    let merged = super::audit(state, caller, AuditAction::SupportMerged, AuditSubject::Issue, "");
    let responsible_before = issue.responsible_org;
    // What the answer shows beside the issue is read in the same trip, after the write:
    // a read of its own was one more hand-over to a blocking thread per transition.
    let related = state
        .db
        .write(move |conn| {
            if let Some(key) = &key {
                issues::remember_key(conn, user, &stored.issue, now, key)?;
            }
            issues::record_transition(conn, &stored)?;
            // Only a reassignment takes an issue out of anyone's sight (a first assignment
            // only adds the company): the common step pays nothing for this.
            if responsible_before.is_some() && stored.issue.responsible_org != responsible_before {
                super::notices::forget_unseeing_followers(conn, &stored.issue, now)?;
            }
            roundtable_store::photos::attach(conn, &photos, user, stored.issue.id, stored.event.version)?;
            // A duplicate's supporters (and its raiser) now back the original.
            if let Some(original) = stored.issue.duplicate_of.filter(|_| stored.issue.state == IssueState::DUPLICATE) {
                let original = issues::get_issue(conn, original)?;
                let count = issues::merge_support(conn, &stored.issue, &original, now)?;
                let entry = AuditEntry { subject_id: original.id.to_string(), ..merged }
                    .with("from", stored.issue.id)
                    .with("support_count", count);
                roundtable_store::audit::record(conn, &entry)?;
            }
            load_related(conn, user, &stored.issue)
        })
        .await;
    let related = match related {
        Ok(related) => related,
        Err(StoreError::KeySentBefore { issue, same }) => return replayed(state, caller, issue, same).await,
        Err(e) => return Err(e.into()),
    };
    tracing::info!(issue = %issue.id, transition = %outcome.event.transition, version = outcome.issue.version, "transition");
    Ok((view(state, caller, outcome.issue, &raiser, related), false))
}

/// The answer to a transition whose key was sent before: the issue as it is now when it
/// was the same request, else the refusal of a key used again.
async fn replayed(state: &AppState, caller: &Caller, first: IssueId, same: bool) -> ApiResult<(IssueView, bool)> {
    if !same {
        return Err(ApiError::field(
            "Idempotency-Key",
            "key_reused",
            format!(
                "this Idempotency-Key was sent before with another request (about issue {first}); send a new key with a new request"
            ),
        ));
    }
    Ok((get(state, caller, first).await?, true))
}

/// The issue's timeline, oldest first: who did what, when, with which values.
pub async fn events(state: &AppState, caller: &Caller, id: IssueId) -> ApiResult<Vec<EventView>> {
    let issue = visible(state, caller, id).await?;
    let (events, names) = state
        .db
        .run(move |conn| {
            let events = issues::timeline(conn, issue.id)?;
            let actors: Vec<UserId> = events.iter().map(|e| e.actor).collect();
            Ok((events, directory::display_names(conn, &actors)?))
        })
        .await?;
    Ok(events.iter().map(|e| EventView::new(e, names.get(&e.actor).cloned().unwrap_or_default())).collect())
}

/// The issue's commitment history, oldest first: each promise and each extension (延期)
/// with the date it moved, the reason, who granted it and at which meeting.
pub async fn commitments(state: &AppState, caller: &Caller, id: IssueId) -> ApiResult<Vec<CommitmentRecordView>> {
    let issue = visible(state, caller, id).await?;
    let (records, names) = state
        .db
        .run(move |conn| {
            let records = issues::commitment_history(conn, issue.id)?;
            let people: Vec<UserId> = records.iter().map(|r| r.by).collect();
            Ok((records, directory::display_names(conn, &people)?))
        })
        .await?;
    Ok(records
        .into_iter()
        .map(|r| CommitmentRecordView {
            by: PersonRef { id: r.by.0, name: names.get(&r.by).cloned().unwrap_or_default() },
            text: r.text,
            due_date: r.due_date,
            extended_from: r.extended_from,
            reason: r.reason,
            org: r.org.map(|o| o.0),
            meeting: r.meeting.map(|m| m.0),
            at: r.at,
        })
        .collect())
}

/// How much of a new title an open issue must share to be offered as "the same?".
const SIMILAR_SHARE: f64 = 0.25;

/// Open issues like a new one about to be raised (FixMyStreet's "is it one of these?"):
/// sharing at least a quarter of the title's words or character pairs, those of `compound`
/// first, then by how much they share and their support; at most five, only ones the
/// caller may see.
pub async fn similar(
    state: &AppState,
    caller: &Caller,
    title: &str,
    compound: Option<CompoundId>,
) -> ApiResult<Vec<IssueSummary>> {
    if title.chars().count() > 200 {
        return Err(ApiError::too_long("title", 200));
    }
    let Some(query) = roundtable_core::search::similar(title) else { return Ok(Vec::new()) };
    let (community, q) = (caller.actor.community, query.clone());
    let found = state
        .db
        .run(move |conn| {
            let ids = roundtable_store::search::matching(conn, community, &q, 50)?;
            issues::get_issues(conn, &ids)
        })
        .await?;
    let open = |i: &Issue| !state.workflows.is_closed(&i.workflow, &i.state);
    let mut like: Vec<(bool, f64, Issue)> = found
        .into_iter()
        .filter(|i| i.community == community && open(i) && access::can_see(&caller.user, &caller.actor, i))
        .map(|i| {
            let share =
                roundtable_core::search::share(&roundtable_core::search::document(&i.title, &i.description), &query);
            (Some(i.compound) == compound, share, i)
        })
        .filter(|(_, share, _)| *share >= SIMILAR_SHARE)
        .collect();
    like.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(b.2.support_count.cmp(&a.2.support_count)));
    let today = caller.now(state).date_naive();
    Ok(like.into_iter().take(5).map(|(_, _, i)| IssueSummary::new((&i).into(), today)).collect())
}

/// Why the caller may not add their support, if they may not. Support is the residents'
/// voice and orders the agenda: the raiser's is counted already, the party responsible
/// for the issue does not vote on its own work, and a closed issue has nothing to push.
fn support_refusal(
    caller: &Caller,
    raised_by: UserId,
    responsible: Option<OrgId>,
    terminal: bool,
) -> Option<&'static str> {
    if raised_by == caller.user.id {
        Some("you raised this issue: your voice is counted already")
    } else if responsible.is_some_and(|org| caller.actor.is_member_of(org)) {
        Some("your organisation is responsible for this issue: support is the residents' voice")
    } else if terminal {
        Some("the issue is closed")
    } else {
        None
    }
}

fn may_support(state: &AppState, caller: &Caller, issue: &Issue) -> ApiResult<()> {
    let terminal = state.workflows.is_closed(&issue.workflow, &issue.state);
    match support_refusal(caller, issue.raised_by, issue.responsible_org, terminal) {
        Some(detail) => Err(ApiError::Conflict { detail: detail.into(), current: None }),
        None => Ok(()),
    }
}

/// Whether the caller may add their support now (for the page's button).
pub fn can_support(state: &AppState, caller: &Caller, view: &IssueView) -> bool {
    let terminal = state.workflows.is_closed(&view.workflow, &view.state);
    let responsible = view.responsible_org.map(OrgId);
    support_refusal(caller, UserId(view.raised_by.id), responsible, terminal).is_none()
}

/// Whether the caller supports the issue.
pub async fn supported(state: &AppState, caller: &Caller, id: IssueId) -> ApiResult<bool> {
    let issue = visible(state, caller, id).await?;
    let user = caller.user.id;
    Ok(state.db.run(move |conn| issues::supports(conn, issue.id, user)).await?)
}

/// Adds the caller's support ("me too"; supporting twice counts once) or withdraws it.
pub async fn support(state: &AppState, caller: &Caller, id: IssueId, supported: bool) -> ApiResult<SupportView> {
    let issue = visible(state, caller, id).await?;
    if supported {
        may_support(state, caller, &issue)?;
    }
    let (user, now) = (caller.user.id, state.now());
    let action = if supported { AuditAction::SupportAdded } else { AuditAction::SupportWithdrawn };
    let entry = super::audit(state, caller, action, AuditSubject::Issue, issue.id);
    let support_count = state
        .db
        .write(move |conn| {
            // Only a change is on the record (supporting twice counts once).
            let changed = issues::supports(conn, issue.id, user)? != supported;
            let count = match supported {
                true => issues::add_support(conn, &issue, user, now)?,
                false => issues::withdraw_support(conn, issue.id, user)?,
            };
            if changed {
                roundtable_store::audit::record(conn, &entry.with("support_count", count))?;
            }
            Ok(count)
        })
        .await?;
    Ok(SupportView { support_count, supported })
}
