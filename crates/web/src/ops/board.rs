//! The public commitments board: every promise made at the meeting, kept or not, for
//! anyone to read without signing in — and the companies' 三率 with their sample sizes.
//! No personal data: no raiser, no contact, no unit, no photo the secretary has not
//! marked public; what a line shows is the issue's title, its compound, the company, the
//! promise and what became of it.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use roundtable_core::{CommunityId, CompoundId, IssueState, MeetingStatus, OrgId, VerificationOutcome};
use roundtable_store::{IssueFilter, IssueOrder, PageRequest, StoreError, directory, issues, meetings};
use serde::Serialize;

use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::ops::reference::{self, Names};
use crate::scores::ScoreTable;
use crate::state::AppState;

/// Lines per page.
pub const PAGE: u32 = 30;

/// What a reader filters by (all optional).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct BoardQuery {
    pub company: Option<String>,
    pub compound: Option<String>,
    pub state: Option<String>,
    /// `YYYY-MM`: promises made that month.
    pub month: Option<String>,
    pub cursor: Option<String>,
}

/// One extension of a promise.
#[derive(Serialize)]
pub struct Extended {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: Option<String>,
}

/// One promise.
#[derive(Serialize)]
pub struct BoardLine {
    pub title: String,
    pub compound: String,
    pub company: String,
    /// The month of the meeting it was made at (`None`: made between meetings).
    pub meeting: Option<String>,
    /// That meeting's public minutes (or, before they are out, its published agenda).
    pub meeting_link: Option<String>,
    pub commitment: String,
    pub due_date: NaiveDate,
    pub extensions: Vec<Extended>,
    pub state: IssueState,
    /// Days past the due date, for a promise still open.
    pub overdue_days: Option<i64>,
    /// `verified`, `partly_fixed` or `not_fixed`, and the satisfaction given.
    pub verification: Option<&'static str>,
    pub satisfaction: Option<u8>,
    /// Photos the secretary marked public (`/public/photos/{id}`).
    pub photos: Vec<roundtable_core::PhotoId>,
}

#[derive(Serialize)]
pub struct Board {
    pub community: String,
    pub lines: Vec<BoardLine>,
    pub next_cursor: Option<String>,
    /// The comparison of the latest published agenda, and its month.
    pub scorecard: Option<ScoreTable>,
    pub scorecard_month: Option<String>,
    /// Issues raised and resolved per month over a year: the chart and its table.
    pub flow: Flow,
    /// How long the open issues have been open.
    pub ages: Ages,
    /// Each company's on-time resolution rate, meeting by meeting over a year.
    pub on_time: OnTime,
    #[serde(skip)]
    pub names: Names,
}

#[derive(Serialize)]
pub struct Flow {
    /// An `<svg>` element, every text in it escaped (`charts::BarChart::svg`).
    pub svg: String,
    pub rows: Vec<FlowRow>,
}

#[derive(Serialize)]
pub struct OnTime {
    pub svg: String,
    pub months: Vec<String>,
    pub rows: Vec<OnTimeRow>,
}

#[derive(Serialize)]
pub struct OnTimeRow {
    pub company: String,
    /// "n/m" for each month, empty where nothing fell due.
    pub cells: Vec<String>,
}

#[derive(Serialize)]
pub struct Ages {
    pub svg: String,
    pub rows: Vec<AgeRow>,
}

#[derive(Serialize)]
pub struct AgeRow {
    pub span: String,
    pub open: u32,
}

#[derive(Serialize)]
pub struct FlowRow {
    pub month: String,
    pub raised: u32,
    pub resolved: u32,
}

/// The board of a community, filtered; 404 when public views are off or there is no such
/// community.
pub async fn board(state: &AppState, community: CommunityId, q: BoardQuery, lang: &'static str) -> ApiResult<Board> {
    if !state.config.public.enabled {
        return Err(ApiError::NotFound("no such page".into()));
    }
    let found = state.db.run(move |conn| directory::get_community(conn, community)).await;
    let c = match found {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(ApiError::NotFound("no such community".into())),
        Err(e) => return Err(e.into()),
    };
    let names = reference::names_of(state, community).await?;
    let mut errors = Vec::new();
    let id = |field: &str, v: &Option<String>, errors: &mut Vec<FieldProblem>| -> Option<uuid::Uuid> {
        let v = v.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        v.parse().map_err(|_| errors.push(FieldProblem::new(field, "invalid", "choose one of the list"))).ok()
    };
    let company = id("company", &q.company, &mut errors).map(OrgId);
    let compound = id("compound", &q.compound, &mut errors).map(CompoundId);
    let states: Vec<String> = q.state.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    let known = |s: &str| state.workflows.iter().any(|wf| wf.state(s).is_some());
    if let Some(bad) = states.iter().find(|s| !known(s)) {
        errors.push(FieldProblem::new("state", "invalid", format!("no state `{bad}`")));
    }
    let tz = c.time_zone;
    let month = q.month.as_deref().map(str::trim).filter(|m| !m.is_empty());
    let between = match month {
        None => None,
        Some(m) => match NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d") {
            Ok(first) if roundtable_core::text::date_in_range(first) => {
                let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
                let at = |d: NaiveDate| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()).earliest();
                at(first).zip(at(next)).map(|(a, b)| (a.with_timezone(&Utc), b.with_timezone(&Utc)))
            }
            _ => {
                errors.push(FieldProblem::new("month", "invalid", "a month, YYYY-MM"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let filter = IssueFilter {
        states,
        compound,
        responsible_org: company,
        committed: true,
        committed_between: between,
        ..IssueFilter::default()
    };
    let page = PageRequest { order: IssueOrder::Newest, limit: PAGE, cursor: q.cursor.clone() };
    let today = state.now().with_timezone(&tz).date_naive();
    let months = crate::charts::last_months(today, 12);
    let since = months
        .first()
        .and_then(|m| tz.from_local_datetime(&m.and_hms_opt(0, 0, 0).unwrap_or_default()).earliest())
        .map_or_else(|| state.now(), |t| t.with_timezone(&Utc));
    let closed: Vec<String> = state
        .workflows
        .iter()
        .flat_map(|wf| wf.states.iter().filter(|s| s.terminal).map(|s| s.name.to_string()))
        .collect();
    let (listed, histories, records, seen, public) = state
        .db
        .run(move |conn| {
            let listed = issues::list_issues(conn, community, &filter, &page)?;
            let ids: Vec<_> = listed.items.iter().map(|i| i.id).collect();
            let histories = issues::commitment_histories(conn, &ids)?;
            Ok((
                listed,
                histories,
                meetings::records(conn, community)?,
                issues::flow_since(conn, community, since, &closed)?,
                roundtable_store::photos::public_of(conn, &ids)?,
            ))
        })
        .await?;
    let flow = flow(&months, &seen.raised, &seen.resolved, tz, lang);
    let ages = ages(&seen.open_since, state.now(), lang);
    let on_time = on_time(&records, &names, lang);
    let lines = listed
        .items
        .iter()
        .filter_map(|i| {
            let c = i.commitment.as_ref()?;
            let history = histories.get(&i.id).map(Vec::as_slice).unwrap_or_default();
            let held = history
                .iter()
                .find(|r| r.extended_from.is_none())
                .and_then(|r| r.meeting)
                .or(c.meeting)
                .and_then(|m| records.iter().find(|r| r.meeting.id == m));
            let meeting = held.map(|r| r.meeting.slot.format("%Y-%m").to_string());
            let meeting_link = held.map(|r| {
                let kind = if r.meeting.status == MeetingStatus::Closed { "minutes" } else { "agenda" };
                format!("/communities/{community}/meetings/{}/{kind}", r.meeting.id)
            });
            let open = i.state == IssueState::COMMITTED;
            Some(BoardLine {
                title: i.title.clone(),
                compound: names.compound(i.compound).unwrap_or_default().to_owned(),
                company: i.responsible_org.and_then(|o| names.org(o)).unwrap_or_default().to_owned(),
                meeting,
                meeting_link,
                commitment: c.text.clone(),
                due_date: c.due_date,
                extensions: history
                    .iter()
                    .filter_map(|r| Some(Extended { from: r.extended_from?, to: r.due_date, reason: r.reason.clone() }))
                    .collect(),
                state: i.state.clone(),
                overdue_days: (open && c.due_date < today).then(|| (today - c.due_date).num_days()),
                verification: i.verification.as_ref().map(|v| match v.outcome {
                    VerificationOutcome::Verified => "verified",
                    VerificationOutcome::PartlyFixed => "partly_fixed",
                    VerificationOutcome::NotFixed => "not_fixed",
                }),
                satisfaction: i.verification.as_ref().and_then(|v| v.satisfaction),
                photos: public.iter().filter(|p| p.issue == Some(i.id)).map(|p| p.id).collect(),
            })
        })
        .collect();
    // The comparison of the latest published agenda (the month the meeting discussed).
    let latest = records
        .iter()
        .find(|r| r.scorecard.is_some() && r.meeting.status != MeetingStatus::Skipped && r.meeting.slot.year() > 1999);
    let name = |o: OrgId| names.org(o).map_or_else(|| o.to_string(), str::to_owned);
    let scorecard = latest
        .and_then(|r| r.scorecard.as_ref())
        .map(|rows| ScoreTable::new(rows, &name, &state.config.agenda_config()));
    Ok(Board {
        community: c.name,
        lines,
        next_cursor: listed.next_cursor,
        scorecard,
        scorecard_month: latest.map(|r| r.meeting.slot.format("%Y-%m").to_string()),
        flow,
        ages,
        on_time,
        names,
    })
}

/// Each company's on-time resolution over the last twelve held meetings' comparisons (the
/// rate of the month before each meeting, as its agenda recorded it).
fn on_time(records: &[roundtable_store::meetings::MeetingRecord], names: &Names, lang: &'static str) -> OnTime {
    use crate::charts::LineChart;
    let t = |k: &str| crate::i18n::strings().text(lang, &format!("board.{k}"), &[]);
    // Records come latest first; the chart reads left to right.
    let mut held: Vec<_> = records.iter().filter(|r| r.scorecard.is_some()).take(12).collect();
    held.reverse();
    let months: Vec<String> = held.iter().map(|r| r.meeting.slot.format("%y-%m").to_string()).collect();
    let mut companies: Vec<OrgId> = Vec::new();
    for r in &held {
        for row in r.scorecard.iter().flatten() {
            if !companies.contains(&row.org) {
                companies.push(row.org);
            }
        }
    }
    let rate = |r: &&roundtable_store::meetings::MeetingRecord, org: OrgId| {
        r.scorecard.iter().flatten().find(|s| s.org == org).map(|s| s.month.resolution)
    };
    let name = |o: OrgId| names.org(o).unwrap_or_default().to_owned();
    let series = companies
        .iter()
        .map(|o| (name(*o), held.iter().map(|r| rate(r, *o).and_then(|x| x.value()).map(|v| v * 100.0)).collect()))
        .collect();
    let rows = companies
        .iter()
        .map(|o| OnTimeRow {
            company: name(*o),
            cells: held
                .iter()
                .map(|r| rate(r, *o).filter(|x| x.m > 0).map(|x| format!("{}/{}", x.n, x.m)).unwrap_or_default())
                .collect(),
        })
        .collect();
    let chart = LineChart { labels: months.clone(), series };
    OnTime { svg: chart.svg(&t("on_time_title")), months, rows }
}

/// How long the open issues have been open, in four spans: the chart and its table.
fn ages(open_since: &[chrono::DateTime<Utc>], now: chrono::DateTime<Utc>, lang: &'static str) -> Ages {
    use crate::charts::{BarChart, Group};
    const SPANS: [(i64, &str); 4] = [(7, "age_week"), (30, "age_month"), (90, "age_quarter"), (i64::MAX, "age_older")];
    let t = |k: &str| crate::i18n::strings().text(lang, &format!("board.{k}"), &[]);
    let mut counts = [0u32; 4];
    for since in open_since {
        let days = (now - *since).num_days();
        if let Some(i) = SPANS.iter().position(|(limit, _)| days < *limit) {
            counts[i] += 1;
        }
    }
    let rows: Vec<AgeRow> = SPANS.iter().zip(counts).map(|((_, k), n)| AgeRow { span: t(k), open: n }).collect();
    let chart = BarChart {
        series: vec![t("open")],
        groups: rows.iter().map(|r| Group { label: r.span.clone(), values: vec![r.open] }).collect(),
    };
    Ages { svg: chart.svg(&t("ages_title")), rows }
}

/// Issues raised and resolved per month: the chart and its table.
fn flow(
    months: &[NaiveDate],
    raised: &[chrono::DateTime<Utc>],
    resolved: &[chrono::DateTime<Utc>],
    tz: chrono_tz::Tz,
    lang: &'static str,
) -> Flow {
    use crate::charts::{BarChart, Group, per_month};
    let t = |k: &str| crate::i18n::strings().text(lang, k, &[]);
    let (up, done) = (per_month(raised, months, tz), per_month(resolved, months, tz));
    let rows: Vec<FlowRow> = months
        .iter()
        .zip(up.iter().zip(&done))
        .map(|(m, (r, d))| FlowRow { month: m.format("%Y-%m").to_string(), raised: *r, resolved: *d })
        .collect();
    let chart = BarChart {
        series: vec![t("board.raised"), t("board.resolved")],
        groups: rows
            .iter()
            .map(|r| Group { label: r.month[2..].to_owned(), values: vec![r.raised, r.resolved] })
            .collect(),
    };
    Flow { svg: chart.svg(&t("board.flow_title")), rows }
}

/// Which public document of a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicDocument {
    Agenda,
    Minutes,
}

/// A meeting's published agenda or minutes for anyone, as print-ready HTML in `lang`:
/// not found unless published. Left out for the public: the names of those who attended
/// (their organisations stay) and the links to photos (behind sign-in).
pub async fn document(
    state: &AppState,
    community: CommunityId,
    meeting: roundtable_core::MeetingId,
    which: PublicDocument,
    lang: &'static str,
) -> ApiResult<String> {
    if !state.config.public.enabled {
        return Err(ApiError::NotFound("no such page".into()));
    }
    let gone = || ApiError::NotFound("this meeting has no published document of that kind".into());
    let record = match state.db.run(move |conn| meetings::get_meeting(conn, meeting)).await {
        Ok(r) if r.meeting.community == community => r,
        Ok(_) | Err(StoreError::NotFound) => return Err(gone()),
        Err(e) => return Err(e.into()),
    };
    let tz = state.db.run(move |conn| directory::get_community(conn, community)).await?.time_zone;
    let (config, base) = (state.config.agenda_config(), state.config.mail.base_url.clone());
    match which {
        PublicDocument::Agenda => {
            if record.agenda_status != roundtable_core::AgendaStatus::Published {
                return Err(gone());
            }
            let mut doc = state
                .db
                .run(move |conn| crate::documents::assemble_agenda(conn, &record, &config, tz, lang, &base))
                .await?;
            for line in doc.sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
                line.photos = None;
            }
            state.minutes.render("agenda", false, &doc).map_err(ApiError::Internal)
        }
        PublicDocument::Minutes => {
            let mut doc =
                state.db.run(move |conn| crate::documents::assemble(conn, &record, &config, tz, lang, &base)).await?;
            if !doc.published {
                return Err(gone());
            }
            for a in &mut doc.attendance {
                a.attendees.clear();
            }
            for item in &mut doc.items {
                item.photos = None;
            }
            state.minutes.render("minutes", false, &doc).map_err(ApiError::Internal)
        }
    }
}
