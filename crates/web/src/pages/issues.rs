//! The tracker's pages: the list, an issue with its timeline and the transitions the
//! viewer may fire, raising an issue, supporting one. Each reads and writes through
//! `ops::issues`, so a page shows and does what the API would let its viewer.

use crate::auth::Caller;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use roundtable_core::workflow::Field;
use roundtable_core::{IssueId, MeetingId, OrgId, Role, Urgency, WaitingFor};
use roundtable_store::notices::Seen;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ApiError, ApiPath, ApiQuery, ApiResult, FieldProblem};
use crate::ops::issues::{self as ops, CATEGORIES, ORDERS};
use crate::ops::ledger::Form;
use crate::ops::reference::{self, Names};

use crate::pages::forms::{Posted, WithPhotos, chosen, filled};
use crate::pages::render::{Choice, Ctx, FormErrors, Out, Page, PageResult, community_wide, refusal, urlencode};
use crate::steps::{Detail, Waited, details, late_by};
use crate::views::{
    EventView, HouseholdBody, IssueSummary, IssueView, ListQuery, NewIssueBody, ProxyReportBody, TransitionBody,
};

/// Whose tracker a list or issue page reads: the viewer's own community's, or (for the
/// street office) a community of its street's, read-only under its own paths.
pub struct Tracker {
    caller: Caller,
    /// Where its issues are: `/issues`, or `/street/communities/{id}/issues`.
    base: String,
    /// The community's name, when it is not the viewer's own (read-only).
    other: Option<String>,
}

impl Tracker {
    fn own(ctx: &Ctx) -> Result<Tracker, ApiError> {
        Ok(Tracker { caller: ctx.caller()?, base: OWN.into(), other: None })
    }

    /// A community of the street office's street (403 for anyone else, 404 for another).
    pub async fn of_street(ctx: &Ctx, community: Uuid) -> Result<Tracker, ApiError> {
        let caller = crate::ops::street::reader(&ctx.state, &ctx.caller()?, community.into()).await?;
        let name = caller.community.name.clone();
        Ok(Tracker { caller, base: format!("/street/communities/{community}/issues"), other: Some(name) })
    }

    fn read_only(&self) -> bool {
        self.other.is_some()
    }
}

/// Where the viewer's own community's issues are.
pub(crate) const OWN: &str = "/issues";

/// An issue of a list, with names for its ids.
#[derive(Serialize)]
pub struct Row {
    #[serde(flatten)]
    pub summary: IssueSummary,
    pub compound_name: Option<String>,
    pub org_name: Option<String>,
    /// Its page.
    pub href: String,
    /// How long it has waited for the next party's step, when that is a day or more.
    pub waited: Option<Waited>,
    /// How many days its promise is past its date ("已逾期 144 天", as the agenda says it).
    pub overdue_days: Option<i64>,
    /// How soon its promise falls due, within the week ("还剩 3 天").
    pub due_soon: Option<crate::steps::DueSoon>,
    /// What the company last reported on its promise, where a list shows it (the street
    /// office's calls).
    pub progress: Option<RowProgress>,
    /// What its company asked the secretary, not yet decided (the secretary's home).
    pub asked: Option<RowAsked>,
}

impl Row {
    pub(crate) fn new(
        names: &Names,
        summary: IssueSummary,
        base: &str,
        caller: &Caller,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Row {
        let compound_name = names.compound(summary.compound.into()).map(str::to_owned);
        let org_name = summary.responsible_org.and_then(|o| names.org(o.into())).map(str::to_owned);
        let href = format!("{base}/{}", summary.id);
        Row::timed(summary, href, compound_name, org_name, caller.tz(), now)
    }

    /// A row with how long its issue waited and how late its promise is, by the days of
    /// the issue's community (`tz`).
    pub fn timed(
        summary: IssueSummary,
        href: String,
        compound_name: Option<String>,
        org_name: Option<String>,
        tz: chrono_tz::Tz,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Row {
        let today = now.with_timezone(&tz).date_naive();
        let waited = Waited::of(&summary.state, summary.state_entered_at, tz, today);
        let overdue_days = late_by(summary.overdue, summary.commitment_due, today);
        let due_soon = crate::steps::DueSoon::of(&summary.state, summary.commitment_due, today);
        Row { href, summary, compound_name, org_name, waited, overdue_days, due_soon, progress: None, asked: None }
    }
}

/// A request awaiting the secretary as a row says it: its words (`key`), the reason, the
/// community's day it was asked and, for more time, the date asked for.
#[derive(Serialize)]
pub struct RowAsked {
    key: &'static str,
    note: String,
    date: chrono::NaiveDate,
    due: Option<chrono::NaiveDate>,
}

impl RowAsked {
    pub fn new(asked: ops::Asked, tz: chrono_tz::Tz) -> RowAsked {
        let day = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&tz).date_naive();
        match asked {
            ops::Asked::Return { reason, at } => {
                RowAsked { key: "issue.returning_line", note: reason, date: day(at), due: None }
            }
            ops::Asked::Extension { due_date, reason, at } => {
                RowAsked { key: "issue.extension_asked_line", note: reason, date: day(at), due: Some(due_date) }
            }
        }
    }
}

/// A report on the way (进展) as a row says it: its words and the community's day.
#[derive(Serialize)]
pub struct RowProgress {
    note: String,
    date: chrono::NaiveDate,
}

impl RowProgress {
    pub fn new((at, note): (chrono::DateTime<chrono::Utc>, String), tz: chrono_tz::Tz) -> RowProgress {
        RowProgress { note, date: at.with_timezone(&tz).date_naive() }
    }
}

/// Lists issues of the viewer's own tracker through `ops::issues`, with names.
pub async fn fetch(ctx: &Ctx, query: ListQuery, names: &Names) -> Result<(Vec<Row>, Option<String>), ApiError> {
    fetch_in(ctx, &Tracker::own(ctx)?, query, names).await
}

async fn fetch_in(
    ctx: &Ctx,
    tracker: &Tracker,
    query: ListQuery,
    names: &Names,
) -> Result<(Vec<Row>, Option<String>), ApiError> {
    let list = ops::list(&ctx.state, &tracker.caller, query).await?;
    let (caller, now) = (&tracker.caller, ctx.state.now());
    Ok((list.items.into_iter().map(|s| Row::new(names, s, &tracker.base, caller, now)).collect(), list.next_cursor))
}

/// The compounds as choices.
fn compound_choices(names: &Names, selected: Option<Uuid>) -> Vec<Choice> {
    names.compounds.iter().map(|(id, name)| Choice::new(id, name.clone(), Some(id.0) == selected)).collect()
}

/// The organisations an issue can be assigned to, as choices.
fn responsible_choices(names: &Names, selected: Option<Uuid>) -> Vec<Choice> {
    names.responsible().map(|(id, name)| Choice::new(id, name, Some(id.0) == selected)).collect()
}

/// The list's filters as the page's query string carries them (empty means "any").
#[derive(Deserialize, Default)]
pub struct Filters {
    state: Option<String>,
    compound: Option<String>,
    responsible_org: Option<String>,
    /// Promises past their date or falling due this week: the form's one choice
    /// (`due=overdue|soon`); `overdue=1` and `due_soon=1` say the same in links.
    due: Option<String>,
    overdue: Option<String>,
    due_soon: Option<String>,
    mine: Option<String>,
    urgency: Option<String>,
    q: Option<String>,
    order: Option<String>,
    cursor: Option<String>,
}

fn uuid_field(field: &str, v: &Option<String>, errors: &mut Vec<FieldProblem>) -> Option<Uuid> {
    let text = filled(v)?;
    match text.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldProblem::new(field, "invalid", format!("`{field}` is not an id")));
            None
        }
    }
}

/// Which promises the list shows by their date: one choice, as the API takes `overdue`
/// or `due_within`, never both.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Due {
    Overdue,
    /// Within `ops::issues::DUE_SOON_DAYS`.
    Soon,
}

impl Due {
    const ALL: [Due; 2] = [Due::Overdue, Due::Soon];

    fn as_str(self) -> &'static str {
        match self {
            Due::Overdue => "overdue",
            Due::Soon => "soon",
        }
    }
}

impl std::str::FromStr for Due {
    type Err = roundtable_core::UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let names = Due::ALL.map(Due::as_str);
        Due::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| roundtable_core::UnknownName::new("due filter", s, &names))
    }
}

impl Filters {
    /// The date choice, from the form's select or a link's flag (`overdue=1`, `due_soon=1`).
    fn due(&self, errors: &mut Vec<FieldProblem>) -> Vec<Due> {
        let chosen: Option<Due> = chosen("due", &self.due, errors);
        let flagged = [(Due::Overdue, &self.overdue), (Due::Soon, &self.due_soon)];
        let mut due: Vec<Due> = chosen.into_iter().collect();
        due.extend(flagged.into_iter().filter(|(_, flag)| filled(flag).is_some()).map(|(d, _)| d));
        due.dedup();
        due
    }
}

#[derive(Serialize)]
struct ShownFilters {
    q: Option<String>,
    /// The date choices, the one in force selected.
    dues: Vec<Choice>,
    mine: bool,
    order: String,
    states: Vec<Choice>,
    urgencies: Vec<Choice>,
    /// Only for those who see the whole community.
    compounds: Option<Vec<Choice>>,
    orgs: Option<Vec<Choice>>,
}

#[derive(Serialize)]
struct SortLink {
    value: &'static str,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct ListPage {
    /// Where the list is (the filters' form and the pager link there).
    base: String,
    /// A community of the street, read by the street office: its name; no raising, no ledger.
    other: Option<String>,
    items: Vec<Row>,
    filters: ShownFilters,
    sort: Vec<SortLink>,
    next: Option<String>,
    first: Option<String>,
    /// The ledger (CSV, and as a workbook) of what the filters choose.
    ledger: String,
    ledger_xlsx: String,
}

impl Page for ListPage {
    const TEMPLATE: &'static str = "issues";
}

pub async fn list(ctx: Ctx, ApiQuery(f): ApiQuery<Filters>) -> Response {
    let out = async { list_page(&ctx, &Tracker::own(&ctx)?, f).await }.await;
    ctx.respond(out)
}

/// A community's list as the street office reads it.
pub async fn street_list(ctx: Ctx, ApiPath(community): ApiPath<Uuid>, ApiQuery(f): ApiQuery<Filters>) -> Response {
    let out = async { list_page(&ctx, &Tracker::of_street(&ctx, community).await?, f).await }.await;
    ctx.respond(out)
}

/// One issue of it, read-only.
pub async fn street_show(ctx: Ctx, ApiPath((community, id)): ApiPath<(Uuid, Uuid)>) -> Response {
    let out = async {
        let tracker = Tracker::of_street(&ctx, community).await?;
        issue_page(&ctx, &tracker, IssueId(id), StatusCode::OK, None, None).await
    }
    .await;
    ctx.respond(out)
}

/// The list's filters as the API's query.
fn query_of(caller: &Caller, f: &Filters) -> Result<ListQuery, ApiError> {
    let mut errors = Vec::new();
    let compound = uuid_field("compound", &f.compound, &mut errors);
    let responsible_org = uuid_field("responsible_org", &f.responsible_org, &mut errors);
    let urgency = chosen("urgency", &f.urgency, &mut errors);
    let due = f.due(&mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(ListQuery {
        state: filled(&f.state),
        compound,
        responsible_org,
        raised_by: filled(&f.mine).map(|_| caller.user.id.0),
        // Both chosen (a link with both flags): the API refuses them together, saying why.
        overdue: due.contains(&Due::Overdue).then_some(true),
        due_within: due.contains(&Due::Soon).then_some(crate::ops::issues::DUE_SOON_DAYS),
        urgency,
        q: filled(&f.q),
        order: filled(&f.order),
        limit: Some(25),
        cursor: filled(&f.cursor),
    })
}

/// The ledger (台账) of the issues the list's filters choose, as CSV or as an Excel
/// workbook.
async fn ledger_of(ctx: &Ctx, tracker: &Tracker, f: Filters, form: Form) -> PageResult {
    let caller = &tracker.caller;
    let query = ListQuery { cursor: None, ..query_of(caller, &f)? };
    let response = crate::api::issues::ledger_response(&ctx.state, caller, query, ctx.viewer.lang, form).await?;
    Ok(Out::Raw(response))
}

pub async fn ledger(ctx: Ctx, ApiQuery(f): ApiQuery<Filters>) -> Response {
    let out = async { ledger_of(&ctx, &Tracker::own(&ctx)?, f, Form::Csv).await }.await;
    ctx.respond(out)
}

pub async fn ledger_xlsx(ctx: Ctx, ApiQuery(f): ApiQuery<Filters>) -> Response {
    let out = async { ledger_of(&ctx, &Tracker::own(&ctx)?, f, Form::Xlsx).await }.await;
    ctx.respond(out)
}

/// A community's ledger as the street office downloads it.
pub async fn street_ledger(ctx: Ctx, ApiPath(community): ApiPath<Uuid>, ApiQuery(f): ApiQuery<Filters>) -> Response {
    let out = async { ledger_of(&ctx, &Tracker::of_street(&ctx, community).await?, f, Form::Csv).await }.await;
    ctx.respond(out)
}

pub async fn street_ledger_xlsx(
    ctx: Ctx,
    ApiPath(community): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<Filters>,
) -> Response {
    let out = async { ledger_of(&ctx, &Tracker::of_street(&ctx, community).await?, f, Form::Xlsx).await }.await;
    ctx.respond(out)
}

async fn list_page(ctx: &Ctx, tracker: &Tracker, f: Filters) -> PageResult {
    let caller = &tracker.caller;
    let names = reference::names(&ctx.state, caller).await?;
    let query = query_of(caller, &f)?;
    let (compound, responsible_org, urgency) = (query.compound, query.responsible_org, query.urgency);
    let (overdue, due_soon) = (query.overdue == Some(true), query.due_within.is_some());
    let keep = |name: &str, v: &Option<String>| filled(v).map(|v| format!("{name}={}", urlencode(&v)));
    let base: Vec<String> = [
        keep("state", &f.state),
        keep("compound", &f.compound),
        keep("responsible_org", &f.responsible_org),
        keep("due", &f.due),
        keep("overdue", &f.overdue),
        keep("due_soon", &f.due_soon),
        keep("mine", &f.mine),
        keep("urgency", &f.urgency),
        keep("q", &f.q),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (items, next) = fetch_in(ctx, tracker, query, &names).await?;
    let link = |extra: String| {
        let mut parts = base.clone();
        parts.push(extra);
        format!("{}?{}", tracker.base, parts.join("&"))
    };
    let searching = filled(&f.q).is_some();
    let order = filled(&f.order).unwrap_or_else(|| if searching { "relevance" } else { ORDERS[0] }.into());
    let wf = ctx.state.workflows.get(crate::community_settings::workflow(&caller.community));
    let states = wf
        .map(|w| {
            w.states.iter().map(|s| Choice::new(&s.name, "", f.state.as_deref() == Some(s.name.as_str()))).collect()
        })
        .unwrap_or_default();
    let wide = community_wide(caller) || tracker.read_only();
    let filters = ShownFilters {
        q: f.q.clone(),
        dues: Due::ALL
            .iter()
            .map(|d| {
                let chosen = match d {
                    Due::Overdue => overdue,
                    Due::Soon => due_soon,
                };
                Choice::new(d.as_str(), "", chosen)
            })
            .collect(),
        mine: filled(&f.mine).is_some(),
        states,
        urgencies: Urgency::ALL.iter().map(|u| Choice::new(u, "", urgency == Some(*u))).collect(),
        compounds: wide.then(|| compound_choices(&names, compound)),
        orgs: wide.then(|| responsible_choices(&names, responsible_org)),
        order: order.clone(),
    };
    // Best match only means something while searching.
    let sort = ORDERS.iter().filter(|o| searching || **o != "relevance").map(|o| SortLink {
        value: o,
        href: link(format!("order={o}")),
        current: *o == order,
    });
    Out::page(ListPage {
        base: tracker.base.clone(),
        other: tracker.other.clone(),
        items,
        filters,
        sort: sort.collect(),
        next: next.map(|c| link(format!("order={order}&cursor={}", urlencode(&c)))),
        first: filled(&f.cursor).map(|_| link(format!("order={order}"))),
        ledger: format!("{}/ledger.csv?{}", tracker.base, base.join("&")),
        ledger_xlsx: format!("{}/ledger.xlsx?{}", tracker.base, base.join("&")),
    })
}

#[derive(Deserialize, Serialize, Default)]
pub struct RaiseForm {
    #[serde(default)]
    compound: String,
    building: Option<String>,
    #[serde(default)]
    category: String,
    /// `routine`, `yellow` or `red`; empty: routine.
    urgency: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    unit: Option<String>,
    /// Set by "raise it anyway" after similar open issues were shown.
    confirm: Option<String>,
    /// The form's own key, new at each showing: the same form sent twice (a double tap)
    /// raises one issue.
    submission: Option<String>,
    /// 代报: how many households raised it…
    households: Option<String>,
    /// …and those who gave their names, one a line: "name phone".
    contacts: Option<String>,
}

impl RaiseForm {
    /// The proxy report typed into the form, if any; a count that is not a number is
    /// reported like the API's own field problem.
    fn on_behalf(&self, errors: &mut Vec<FieldProblem>) -> Option<ProxyReportBody> {
        let Some(households) = filled(&self.households) else {
            // Names typed without the count would be dropped unseen: asked for instead.
            if filled(&self.contacts).is_some() {
                errors.push(FieldProblem::new("households", "missing", "say how many households raised it"));
            }
            return None;
        };
        let households = crate::pages::forms::whole_number("households", &households, errors)?;
        let contacts = self
            .contacts
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(roundtable_core::text::trim)
            .filter(|l| !l.is_empty())
            .map(|line| match line.rsplit_once(char::is_whitespace) {
                Some((name, phone)) if roundtable_core::text::phone(phone).is_some() => {
                    HouseholdBody { name: name.trim().to_owned(), phone: Some(phone.to_owned()) }
                }
                _ => HouseholdBody { name: line.to_owned(), phone: None },
            })
            .collect();
        Some(ProxyReportBody { households, contacts })
    }
}

#[derive(Serialize)]
struct RaisePage<'a> {
    compounds: Vec<Choice>,
    buildings: Vec<Choice>,
    categories: Vec<Choice>,
    urgencies: Vec<Choice>,
    /// What was typed, shown again after a refusal.
    values: &'a RaiseForm,
    errors: Option<FormErrors>,
    /// Open issues like this one, offered before it is raised ("support this one instead?").
    similar: Vec<Row>,
    /// Photos already uploaded with this form (kept across its showings).
    uploaded: Vec<Uuid>,
    limits: PhotoLimits,
    /// The viewer may raise on behalf of households (building leaders, the secretary).
    proxy: bool,
    /// This showing's key (`RaiseForm::submission`).
    submission: String,
}

/// What the photo inputs say of the limits.
#[derive(Serialize)]
struct PhotoLimits {
    n: usize,
    mib: String,
}

impl PhotoLimits {
    fn of(ctx: &Ctx) -> Self {
        let mib = ctx.state.config.uploads.max_bytes as f64 / (1024.0 * 1024.0);
        PhotoLimits { n: roundtable_core::photo::MAX_PER_NOTE, mib: format!("{}", (mib * 10.0).round() / 10.0) }
    }
}

impl Page for RaisePage<'_> {
    const TEMPLATE: &'static str = "raise";
}

/// The raise form's choices and what was typed.
async fn raise_page(
    ctx: &Ctx,
    status: StatusCode,
    values: &RaiseForm,
    errors: Option<FormErrors>,
    similar: Vec<IssueSummary>,
    uploaded: Vec<Uuid>,
) -> PageResult {
    let caller = ctx.caller()?;
    let names = reference::names(&ctx.state, &caller).await?;
    let own = caller.user.compound;
    let wide = community_wide(&caller);
    let chosen = values.compound.parse().ok().or(own.map(|c| c.0));
    // Residents and grid secretaries raise in their own compound only.
    let allowed: Vec<_> = names.compounds.iter().map(|(id, _)| *id).filter(|id| wide || Some(*id) == own).collect();
    let compounds =
        compound_choices(&names, chosen).into_iter().filter(|c| allowed.iter().any(|a| a.to_string() == c.value));
    let building = values.building.as_deref().unwrap_or("");
    let buildings = names
        .buildings
        .iter()
        .filter(|(_, c, _)| allowed.contains(c))
        .map(|(id, c, name)| {
            let label = format!("{} · {name}", names.compound(*c).unwrap_or_default());
            Choice::new(id, label, id.to_string() == building)
        })
        .collect();
    let categories = CATEGORIES.iter().map(|c| Choice::new(c, *c, *c == values.category)).collect();
    let urgencies = Choice::urgencies(values.urgency.as_deref());
    let now = ctx.state.now();
    let similar = similar.into_iter().map(|s| Row::new(&names, s, "/issues", &caller, now)).collect();
    let page = RaisePage {
        compounds: compounds.collect(),
        buildings,
        categories,
        urgencies,
        values,
        errors,
        similar,
        uploaded,
        limits: PhotoLimits::of(ctx),
        proxy: [Role::Secretary, Role::Admin, Role::BuildingLeader].iter().any(|r| caller.actor.has_role(*r)),
        submission: Uuid::now_v7().to_string(),
    };
    Out::status(status, page)
}

pub async fn new(ctx: Ctx) -> Response {
    let out = raise_page(&ctx, StatusCode::OK, &RaiseForm::default(), None, Vec::new(), Vec::new()).await;
    ctx.respond(out)
}

pub async fn raise(WithPhotos { ctx, form, uploaded, photos }: WithPhotos<RaiseForm>) -> Response {
    let out = raise_work(&ctx, form, uploaded, photos).await;
    ctx.respond(out)
}

/// The photos of a posted form: those uploaded with an earlier showing and those of this
/// post, now uploaded too — or why they were refused.
async fn form_photos(
    ctx: &Ctx,
    caller: &Caller,
    mut uploaded: Vec<Uuid>,
    photos: Result<Vec<crate::photos::Cleaned>, ApiError>,
) -> (Vec<Uuid>, Option<ApiError>) {
    let cleaned = match photos {
        Ok(c) if c.is_empty() => return (uploaded, None),
        Ok(c) => c,
        Err(e) => return (uploaded, Some(e)),
    };
    match crate::ops::photos::upload(&ctx.state, caller, cleaned).await {
        Ok(stored) => {
            uploaded.extend(stored.iter().map(|p| p.id.0));
            (uploaded, None)
        }
        Err(e) => (uploaded, Some(e)),
    }
}

async fn raise_work(
    ctx: &Ctx,
    form: RaiseForm,
    uploaded: Vec<Uuid>,
    photos: Result<Vec<crate::photos::Cleaned>, ApiError>,
) -> PageResult {
    let caller = ctx.caller()?;
    let (uploaded, refused) = form_photos(ctx, &caller, uploaded, photos).await;
    if let Some(e) = refused {
        let errors = Some(ctx.form_errors(&e));
        return raise_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, &form, errors, Vec::new(), uploaded).await;
    }
    let mut errors = Vec::new();
    let compound = uuid_field("compound", &Some(form.compound.clone()), &mut errors);
    if compound.is_none() && errors.is_empty() {
        errors.push(FieldProblem::new("compound", "missing", "choose a compound"));
    }
    let building = uuid_field("building", &form.building, &mut errors);
    // Before raising, the open issues like it: the raiser may rather support one of them.
    let again = ops::form_sent_before(&ctx.state, &caller, form.submission.as_deref()).await?;
    if let (Some(compound), true, None, false) = (compound, errors.is_empty(), filled(&form.confirm), again) {
        let like = ops::similar(&ctx.state, &caller, &form.title, Some(roundtable_core::CompoundId(compound))).await?;
        if !like.is_empty() {
            return raise_page(ctx, StatusCode::OK, &form, None, like, uploaded).await;
        }
    }
    let result = match (compound, errors.is_empty()) {
        (Some(compound), true) => {
            let body = NewIssueBody {
                title: form.title.clone(),
                description: form.description.clone(),
                category: form.category.clone(),
                urgency: chosen("urgency", &form.urgency, &mut errors),
                compound,
                building,
                unit: filled(&form.unit),
                photos: uploaded.clone(),
                on_behalf: form.on_behalf(&mut errors),
            };
            if !errors.is_empty() {
                return raise_page(
                    ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form,
                    Some(ctx.form_errors(&ApiError::invalid(errors))),
                    Vec::new(),
                    uploaded,
                )
                .await;
            }
            let submission = form.submission.as_deref();
            let (state, caller) = (&ctx.state, &caller);
            ops::once_per_form(submission, |key| ops::raise_once(state, caller, body.clone(), key)).await
        }
        _ => Err(ApiError::invalid(errors)),
    };
    match result {
        Ok(view) => Ok(Out::Done(format!("/issues/{}", view.id), "raised")),
        Err(e @ (ApiError::Invalid { .. } | ApiError::Forbidden(_))) => {
            let errors = Some(ctx.form_errors(&e));
            raise_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, &form, errors, Vec::new(), uploaded).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub struct IssueQuery {
    /// Words of the original's title, when marking this issue a duplicate.
    dup_q: Option<String>,
}

pub async fn show(mut ctx: Ctx, ApiPath(id): ApiPath<Uuid>, ApiQuery(q): ApiQuery<IssueQuery>) -> Response {
    let out =
        async { issue_page(&ctx, &Tracker::own(&ctx)?, IssueId(id), StatusCode::OK, None, q.dup_q.as_deref()).await }
            .await;
    // Shown: what the viewer's notices told of it is read (the page says it all).
    if out.is_ok() {
        ctx.seen(Seen::Issue(IssueId(id))).await;
    }
    ctx.respond(out)
}

/// The issues this one may duplicate, by title: those found by `words` when the secretary
/// searched, else those like it (same compound first); never itself, never a closed one.
async fn originals(
    ctx: &Ctx,
    caller: &Caller,
    view: &IssueView,
    words: Option<&str>,
) -> Result<Vec<IssueSummary>, ApiError> {
    let found = match words.map(str::trim).filter(|w| !w.is_empty()) {
        Some(words) => {
            let query = ListQuery { q: Some(words.to_owned()), limit: Some(10), ..ListQuery::default() };
            ops::list(&ctx.state, caller, query).await?.items
        }
        None => ops::similar(&ctx.state, caller, &view.title, Some(view.compound.into())).await?,
    };
    let open = |state: &roundtable_core::IssueState| !ctx.state.workflows.is_closed(&view.workflow, state);
    Ok(found.into_iter().filter(|s| s.id != view.id && open(&s.state)).collect())
}

/// What a transition form was sent with, to show again after a refusal.
struct Refused<'a> {
    transition: &'a str,
    values: &'a TransitionForm,
    errors: FormErrors,
}

/// How a transition field is asked for.
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum FieldKind {
    Select,
    Date,
    Textarea,
}

impl FieldKind {
    fn of(field: Field) -> FieldKind {
        match field {
            Field::ResponsibleOrg | Field::Satisfaction | Field::Meeting | Field::Urgency | Field::WaitingFor => {
                FieldKind::Select
            }
            Field::DueDate => FieldKind::Date,
            // Chosen among issues found by title (see `originals`), never typed as an id.
            Field::DuplicateOf => FieldKind::Select,
            Field::CommitmentText | Field::ResolutionNote | Field::Note | Field::Reason => FieldKind::Textarea,
        }
    }
}

#[derive(Serialize)]
struct FieldShown {
    name: Field,
    kind: FieldKind,
    required: bool,
    value: String,
    options: Vec<Choice>,
    /// The earliest date a date field takes (today).
    min: Option<NaiveDate>,
    error: Option<String>,
}

#[derive(Serialize)]
struct TransitionShown {
    name: String,
    to: String,
    fields: Vec<FieldShown>,
    /// Unfolded: the form was refused and is shown again.
    open: bool,
    errors: Option<Vec<crate::pages::render::ShownProblem>>,
}

#[derive(Serialize)]
struct TimelineEntry {
    #[serde(flatten)]
    event: EventView,
    at_local: String,
    org_name: Option<String>,
    details: Vec<Detail>,
    photos: Vec<PhotoShown>,
}

/// A photo on the issue page (its image is at `/photos/{id}`).
#[derive(Serialize)]
struct PhotoShown {
    id: Uuid,
    width: u32,
    height: u32,
    /// The viewer uploaded it or is the secretary: a delete button.
    can_delete: bool,
    public: bool,
    /// The secretary: a button to show it on the public board or hide it again.
    can_publish: bool,
}

#[derive(Serialize)]
struct IssueShown {
    #[serde(flatten)]
    view: IssueView,
    compound_name: Option<String>,
    org_name: Option<String>,
    building_name: Option<String>,
    created_local: String,
}

#[derive(Serialize)]
struct IssuePage {
    /// Where the community's issues are (links to the original and duplicates).
    base: String,
    /// Read by the street office: no following, no support.
    read_only: bool,
    issue: IssueShown,
    timeline: Vec<TimelineEntry>,
    transitions: Vec<TransitionShown>,
    supported: bool,
    /// Someone else's open issue: the support button is offered.
    can_support: bool,
    /// Each promise and each extension, oldest first.
    history: Vec<HistoryLine>,
    /// The meetings whose agendas listed it (as far as the caller may read them), oldest
    /// first, and what each did with it.
    meetings: Vec<HeardLine>,
    /// The day a meeting's decision asked to hear it again, while it is open and no later
    /// agenda lists it yet.
    review_pending: Option<chrono::NaiveDate>,
    /// The meeting under way whose agenda does not list this open issue, for its secretary
    /// to list it there (raised at the meeting, or since its agenda went out).
    to_list_at: Option<roundtable_core::Meeting>,
    /// What a paused issue waits for, said at the top (not only in its timeline).
    waiting: Option<Waiting>,
    /// The latest progress reported on the promise (进展), said beside it while it stands.
    progress: Option<Said>,
    /// The responsible party's request to be relieved of it (申请退回), while undecided.
    returning: Option<Said>,
    /// How long it has waited in its state for the next party's step, as its row says.
    waited: Option<Waited>,
    /// How many days its promise is past its date.
    overdue_days: Option<i64>,
    /// How soon its promise falls due, within the week, as its row says.
    due_soon: Option<crate::steps::DueSoon>,
    /// When the workflow reminds or escalates next (an urgent issue's deadline, counted
    /// in working days; a promise's last day).
    next: Option<NextShown>,
    /// What the secretary searched for to find a duplicate's original.
    dup_q: Option<String>,
    limits: PhotoLimits,
    /// For the secretary: which notices went out which way, and whether they arrived.
    deliveries: Option<Deliveries>,
    /// Why a step was refused whose form the page no longer offers (someone took another
    /// step first): said above the issue, not inside a form that is gone.
    refused_elsewhere: Option<Vec<crate::pages::render::ShownProblem>>,
}

/// The deliveries section, shown (if only to say "none yet") to whoever may see it.
#[derive(Serialize)]
struct Deliveries {
    lines: Vec<DeliveryLine>,
}

#[derive(Serialize)]
struct DeliveryLine {
    effect: String,
    /// `None`: by mail.
    channel: Option<String>,
    kind: Option<roundtable_core::ChannelKind>,
    status: roundtable_core::DeliveryStatus,
    attempts: i32,
    error: Option<String>,
    at_local: String,
    /// A pending notice's next try, when it lies ahead.
    next_local: Option<String>,
}

/// What a party said on the way (a progress report, a request to return the issue), and
/// when.
#[derive(Serialize)]
struct Said {
    note: String,
    at_local: String,
}

#[derive(Serialize)]
struct Waiting {
    what: roundtable_core::WaitingFor,
    reason: Option<String>,
    since_local: String,
}

/// The workflow's next timer as the page says it: when, why (the timer's own words, when
/// the strings have them) and what it will do.
#[derive(Serialize)]
struct NextShown {
    at_local: String,
    why: Option<String>,
    does: String,
}

/// A meeting's line on the issue page: what it did with the issue, or, while it has not,
/// where that meeting stands.
#[derive(Serialize)]
struct HeardLine {
    #[serde(flatten)]
    heard: crate::views::meetings::IssueMeetingView,
    /// The words for a meeting without an outcome for it: under way, over without reaching
    /// it, skipped, or to come.
    standing: Option<&'static str>,
}

impl HeardLine {
    fn new(heard: crate::views::meetings::IssueMeetingView) -> Self {
        let standing = heard.item.outcome.is_none().then_some(match heard.meeting.status {
            roundtable_core::MeetingStatus::Closed => "doc.outcome.none",
            roundtable_core::MeetingStatus::Skipped => "issue.meeting_skipped",
            roundtable_core::MeetingStatus::Open => "issue.meeting_open",
            roundtable_core::MeetingStatus::Planned => "issue.on_agenda",
        });
        HeardLine { heard, standing }
    }
}

#[derive(Serialize)]
struct HistoryLine {
    #[serde(flatten)]
    record: crate::views::CommitmentRecordView,
    at_local: String,
    meeting_slot: Option<String>,
}

impl Page for IssuePage {
    const TEMPLATE: &'static str = "issue";
}

async fn issue_page(
    ctx: &Ctx,
    tracker: &Tracker,
    id: IssueId,
    status: StatusCode,
    refused: Option<Refused<'_>>,
    dup_q: Option<&str>,
) -> PageResult {
    let caller = tracker.caller.clone();
    let state = &ctx.state;
    let view = ops::get(state, &caller, id).await?;
    let view = if tracker.read_only() { crate::ops::street::read_only(view) } else { view };
    let events = ops::events(state, &caller, id).await?;
    let records = ops::commitments(state, &caller, id).await?;
    let heard = crate::ops::meetings::of_issue(state, &caller, id).await?;
    let supported = ops::supported(state, &caller, id).await?;
    let names = reference::names(state, &caller).await?;
    let today = caller.now(state).date_naive();
    // Every meeting, to name the one a step or a promise was made at; the recent ones
    // are those a commitment can name.
    let meetings: Vec<_> = crate::ops::meetings::all(state, &caller).await?.into_iter().map(|r| r.meeting).collect();
    let local = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string();
    let marks_duplicates = view.transitions.iter().any(|t| t.required.contains(&Field::DuplicateOf));
    let originals = if marks_duplicates { originals(ctx, &caller, &view, dup_q).await? } else { Vec::new() };
    let offered = |name: &str| view.transitions.iter().any(|t| t.name == name);
    let refused_elsewhere = refused.as_ref().filter(|r| !offered(r.transition)).map(|r| r.errors.list.clone());
    let transitions = view
        .transitions
        .iter()
        .map(|t| {
            let mine = refused.as_ref().filter(|r| r.transition == t.name);
            let fields = t
                .required
                .iter()
                .map(|f| (*f, true))
                .chain(t.optional.iter().map(|f| (*f, false)))
                .map(|(f, required)| {
                    let value = mine.and_then(|r| r.values.get(f)).unwrap_or_default();
                    let options: Vec<(String, String)> = match f {
                        // Not the company it has: a step that names one hands the issue over.
                        Field::ResponsibleOrg => names
                            .responsible()
                            .filter(|(id, _)| Some(id.0) != view.responsible_org)
                            .map(|(id, n)| (id.to_string(), n.to_owned()))
                            .collect(),
                        Field::Satisfaction => (1..=5).map(|n| (n.to_string(), n.to_string())).collect(),
                        Field::Meeting => crate::ops::meetings::recent(&meetings, today)
                            .map(|m| (m.id.to_string(), m.slot.to_string()))
                            .collect(),
                        Field::DuplicateOf => originals.iter().map(|o| (o.id.to_string(), o.title.clone())).collect(),
                        Field::Urgency => {
                            Urgency::ALL.iter().map(|u| (u.to_string(), ctx.t(&format!("urgency.{u}")))).collect()
                        }
                        Field::WaitingFor => WaitingFor::ALL
                            .iter()
                            .map(|w| (w.to_string(), ctx.t(&format!("waiting_for.{w}"))))
                            .collect(),
                        _ => Vec::new(),
                    };
                    FieldShown {
                        name: f,
                        kind: FieldKind::of(f),
                        required,
                        options: options.into_iter().map(|(v, l)| Choice::new(&v, l, v == value)).collect(),
                        min: (f == Field::DueDate).then_some(today),
                        error: mine.and_then(|r| r.errors.field.get(f.as_str()).cloned()),
                        value,
                    }
                })
                .collect();
            TransitionShown {
                name: t.name.clone(),
                to: t.to.clone(),
                fields,
                open: mine.is_some(),
                errors: mine.map(|r| r.errors.list.clone()),
            }
        })
        .collect();
    let chair =
        caller.actor.has_role(roundtable_core::Role::Secretary) || caller.actor.has_role(roundtable_core::Role::Admin);
    // The step that entered the current state (reminders change no state), if it said
    // what the issue waits for.
    let waiting = events.iter().rev().find(|e| e.from.as_ref() != Some(&e.to)).and_then(|e| {
        let what = e.fields.waiting_for.filter(|_| e.to == view.state)?;
        Some(Waiting { what, reason: e.fields.reason.clone(), since_local: local(e.at) })
    });
    // The latest report since the issue entered its state (the steps since then leave it
    // where it is): one made before a fix that was found wanting, or before a new promise,
    // is the timeline's, not the standing promise's.
    let reports = state.workflows.progress_reports();
    let progress = events
        .iter()
        .rev()
        .take_while(|e| e.from.as_ref() == Some(&e.to))
        .find(|e| reports.contains(&e.transition))
        .and_then(|e| Some(Said { note: e.fields.note.clone()?, at_local: local(e.at) }));
    let returning = view.return_request.as_ref().map(|r| Said { note: r.reason.clone(), at_local: local(r.at) });
    let timeline = events
        .into_iter()
        .map(|e| TimelineEntry {
            at_local: local(e.at),
            org_name: e.actor_org.and_then(|o| names.org(OrgId(o))).map(str::to_owned),
            details: details(|o| names.org(o).map(str::to_owned), &meetings, &e.fields),
            photos: view
                .photos
                .iter()
                // The street office sees them as it sees the issue, and changes nothing.
                .filter(|p| p.version == Some(e.version))
                .map(|p| PhotoShown {
                    id: p.id,
                    width: p.width,
                    height: p.height,
                    can_delete: !tracker.read_only() && (chair || p.uploaded_by == caller.user.id.0),
                    public: p.public,
                    can_publish: !tracker.read_only() && chair,
                })
                .collect(),
            event: e,
        })
        .collect();
    let said = |key: String| crate::i18n::strings().lookup(ctx.viewer.lang, &key).map(str::to_owned);
    let next = view.next_timer.as_ref().map(|n| NextShown {
        at_local: local(n.at),
        why: said(format!("step.{}", n.timer)),
        does: n.effects.iter().filter_map(|e| said(format!("effect.{e}"))).collect::<Vec<_>>().join(" · "),
    });
    let issue = IssueShown {
        compound_name: names.compound(view.compound.into()).map(str::to_owned),
        org_name: view.responsible_org.and_then(|o| names.org(OrgId(o))).map(str::to_owned),
        building_name: view.building.and_then(|b| names.building(b.into())).map(str::to_owned),
        created_local: local(view.created_at),
        view,
    };
    let can_support = !tracker.read_only() && ops::can_support(state, &caller, &issue.view);
    let deliveries = if chair {
        let list = crate::ops::channels::deliveries(state, &caller, id).await?;
        let lines = list
            .into_iter()
            .map(|d| DeliveryLine {
                effect: d.effect,
                kind: d.channel.as_ref().map(|c| c.0),
                channel: d.channel.map(|c| c.1),
                status: d.status,
                attempts: d.attempts,
                error: d.error,
                at_local: local(d.sent_at.unwrap_or(d.queued_at)),
                next_local: d.next_try_at.filter(|t| *t > state.now()).map(local),
            })
            .collect();
        Some(Deliveries { lines })
    } else {
        None
    };
    let history = records
        .into_iter()
        .map(|record| HistoryLine {
            at_local: local(record.at),
            meeting_slot: record
                .meeting
                .and_then(|m| meetings.iter().find(|x| x.id.0 == m))
                .map(|m| m.slot.format("%Y-%m").to_string()),
            record,
        })
        .collect();
    let today = caller.now(state).date_naive();
    let waited =
        Waited::of(&issue.view.state, issue.view.state_entered_at, caller.tz(), today).map(Waited::beside_state);
    let due = issue.view.commitment.as_ref().map(|c| c.due_date);
    let overdue_days = late_by(issue.view.overdue, due, today);
    let due_soon = crate::steps::DueSoon::of(&issue.view.state, due, today);
    let open = !state.workflows.is_closed(&issue.view.workflow, &issue.view.state);
    let review_pending = heard
        .last()
        .filter(|h| open && h.meeting.status == roundtable_core::MeetingStatus::Closed)
        .and_then(|h| h.item.review_on);
    let to_list_at = meetings
        .iter()
        .find(|m| m.status == roundtable_core::MeetingStatus::Open)
        .filter(|m| {
            open && crate::ops::meetings::manages(&caller) && !heard.iter().any(|h| h.meeting.id == Some(m.id.0))
        })
        .cloned();
    Out::status(
        status,
        IssuePage {
            waited,
            overdue_days,
            due_soon,
            meetings: heard.into_iter().map(HeardLine::new).collect(),
            review_pending,
            to_list_at,
            base: tracker.base.clone(),
            read_only: tracker.read_only(),
            issue,
            timeline,
            transitions,
            supported,
            can_support,
            history,
            waiting,
            progress,
            returning,
            next,
            dup_q: dup_q.map(str::to_owned),
            limits: PhotoLimits::of(ctx),
            deliveries,
            refused_elsewhere,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct TransitionForm {
    #[serde(default)]
    transition: String,
    #[serde(default)]
    version: String,
    responsible_org: Option<String>,
    commitment_text: Option<String>,
    due_date: Option<String>,
    meeting: Option<String>,
    resolution_note: Option<String>,
    satisfaction: Option<String>,
    note: Option<String>,
    reason: Option<String>,
    duplicate_of: Option<String>,
    urgency: Option<String>,
    waiting_for: Option<String>,
}

impl TransitionForm {
    fn get(&self, field: Field) -> Option<String> {
        match field {
            Field::ResponsibleOrg => &self.responsible_org,
            Field::CommitmentText => &self.commitment_text,
            Field::DueDate => &self.due_date,
            Field::Meeting => &self.meeting,
            Field::ResolutionNote => &self.resolution_note,
            Field::Satisfaction => &self.satisfaction,
            Field::Note => &self.note,
            Field::Reason => &self.reason,
            Field::DuplicateOf => &self.duplicate_of,
            Field::Urgency => &self.urgency,
            Field::WaitingFor => &self.waiting_for,
        }
        .clone()
    }

    /// The API body; fields a browser sent in the wrong shape are reported like the API's own.
    fn body(&self) -> Result<TransitionBody, ApiError> {
        let mut errors = Vec::new();
        let version = self.version.trim().parse().unwrap_or_else(|_| {
            errors.push(FieldProblem::new("version", "invalid", "reload the page"));
            0
        });
        let due_date = crate::pages::forms::dated("due_date", &self.due_date, &mut errors);
        let satisfaction = filled(&self.satisfaction).and_then(|s| {
            s.parse()
                .map_err(|_| errors.push(FieldProblem::new("satisfaction", "invalid", "a number from 1 to 5")))
                .ok()
        });
        let body = TransitionBody {
            transition: self.transition.trim().to_owned(),
            version,
            responsible_org: uuid_field("responsible_org", &self.responsible_org, &mut errors),
            commitment_text: filled(&self.commitment_text),
            due_date,
            meeting: uuid_field("meeting", &self.meeting, &mut errors),
            resolution_note: filled(&self.resolution_note),
            satisfaction,
            note: filled(&self.note),
            reason: filled(&self.reason),
            duplicate_of: uuid_field("duplicate_of", &self.duplicate_of, &mut errors),
            urgency: chosen("urgency", &self.urgency, &mut errors),
            waiting_for: chosen("waiting_for", &self.waiting_for, &mut errors),
            photos: Vec::new(),
        };
        if errors.is_empty() { Ok(body) } else { Err(ApiError::invalid(errors)) }
    }
}

pub async fn transition(
    ApiPath(id): ApiPath<Uuid>,
    WithPhotos { ctx, form, uploaded, photos }: WithPhotos<TransitionForm>,
) -> Response {
    let out = transition_work(&ctx, IssueId(id), &form, uploaded, photos).await;
    ctx.respond(out)
}

async fn transition_work(
    ctx: &Ctx,
    id: IssueId,
    form: &TransitionForm,
    uploaded: Vec<Uuid>,
    photos: Result<Vec<crate::photos::Cleaned>, ApiError>,
) -> PageResult {
    let caller = ctx.caller()?;
    let (uploaded, refused) = form_photos(ctx, &caller, uploaded, photos).await;
    let fired = match (form.body(), refused) {
        (_, Some(e)) | (Err(e), None) => Err(e),
        (Ok(body), None) => {
            let version = body.version;
            match ops::transition(&ctx.state, &caller, id, TransitionBody { photos: uploaded, ..body }).await {
                Err(e @ ApiError::Conflict { .. })
                    if !taken_by(ctx, &caller, id, version, &form.transition).await? =>
                {
                    Err(e)
                }
                // The step was taken from this very form a moment ago (a double tap): done.
                Err(ApiError::Conflict { .. }) => Ok(()),
                other => other.map(drop),
            }
        }
    };
    match fired {
        Ok(()) => Ok(Out::Done(format!("/issues/{id}"), "transition_done")),
        Err(e) => match refusal(&e) {
            Some(status) => {
                let refused = Refused { transition: &form.transition, values: form, errors: ctx.form_errors(&e) };
                issue_page(ctx, &Tracker::own(ctx)?, id, status, Some(refused), None).await
            }
            None => Err(e),
        },
    }
}

/// Whether the step after `version` was `transition`, taken by the caller: what a form
/// sent twice finds the second time.
async fn taken_by(ctx: &Ctx, caller: &Caller, id: IssueId, version: u32, transition: &str) -> ApiResult<bool> {
    let events = ops::events(&ctx.state, caller, id).await?;
    let next = events.iter().find(|e| e.version == version + 1);
    Ok(next.is_some_and(|e| e.actor.id == caller.user.id.0 && e.transition == transition.trim()))
}

/// `add` supports, anything else withdraws.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportAction {
    Add,
    Withdraw,
}

#[derive(Deserialize)]
pub struct SupportForm {
    action: SupportAction,
}

#[derive(Deserialize)]
pub struct ListAtForm {
    meeting: Uuid,
}

/// Lists the issue on the agenda of the meeting under way (raised at the meeting, say):
/// back to the meeting-day screen at its item, where the company can commit on the spot.
pub async fn list_at(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<ListAtForm>) -> Response {
    let out = async {
        let meeting = MeetingId(form.meeting);
        let add = crate::views::meetings::NewItem { title: String::new(), issue: Some(id), section: None, minutes: 5 };
        let edit =
            crate::views::meetings::AgendaEdit { announcements: None, order: None, drop: Vec::new(), add: vec![add] };
        let detail = crate::ops::meetings::agenda::edit(&ctx.state, &ctx.caller()?, meeting, edit).await?;
        let item = detail.items.iter().flatten().find(|i| i.issue == Some(id)).map(|i| format!("#item-{}", i.id));
        Ok(Out::Done(format!("/meetings/{meeting}/day{}", item.unwrap_or_default()), "issue_listed"))
    }
    .await;
    ctx.respond(out)
}

pub async fn support(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<SupportForm>) -> Response {
    let out = async {
        let add = matches!(form.action, SupportAction::Add);
        ops::support(&ctx.state, &ctx.caller()?, IssueId(id), add).await?;
        Ok(Out::Done(format!("/issues/{id}"), if add { "supported" } else { "support_withdrawn" }))
    }
    .await;
    ctx.respond(out)
}
