//! The public commitments board: every promise made at the meeting, kept or not, for
//! anyone to read without signing in — and the companies' 三率 with their sample sizes.
//! No personal data: no raiser, no contact, no unit, no photo the secretary has not
//! marked public; what a line shows is the issue's title, its compound, the company, the
//! promise and what became of it.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use roundtable_core::{AgendaStatus, CommunityId, CompoundId, IssueState, MeetingStatus, OrgId, VerificationOutcome};
use roundtable_store::meetings::MeetingRecord;
use roundtable_store::{IssueFilter, IssueOrder, PageRequest, StoreError, directory, issues, meetings};
use serde::Serialize;

use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::ops::reference::{self, Names};
use crate::ops::trends::Trends;
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
    /// How soon an open promise falls due, within the week (as the lists say it).
    pub due_soon: Option<crate::steps::DueSoon>,
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
    /// The year's charts, each with its table.
    #[serde(flatten)]
    pub trends: Trends,
    #[serde(skip)]
    pub names: Names,
    /// The workflow its new issues follow (whose states the page offers as a filter).
    #[serde(skip)]
    pub workflow: String,
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
    // Another community's company (or one gone) would show an empty board as if nobody
    // had promised anything; said instead.
    if company.is_some_and(|c| !names.responsible().any(|(o, _)| o == c)) {
        errors.push(FieldProblem::new("company", "unknown", "no such company in this community"));
    }
    if compound.is_some_and(|c| !names.compounds.iter().any(|(k, _)| *k == c)) {
        errors.push(FieldProblem::new("compound", "unknown", "no such compound in this community"));
    }
    let states: Vec<String> = q.state.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    let known = |s: &str| state.workflows.iter().any(|wf| wf.state(s).is_some());
    if let Some(bad) = states.iter().find(|s| !known(s)) {
        errors.push(FieldProblem::new("state", "unknown", format!("no state `{bad}`")));
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
    let (listed, histories, records, public) = state
        .db
        .run(move |conn| {
            let listed = issues::list_issues(conn, community, &filter, &page)?;
            let ids: Vec<_> = listed.items.iter().map(|i| i.id).collect();
            let histories = issues::commitment_histories(conn, &ids)?;
            Ok((
                listed,
                histories,
                meetings::records(conn, community)?,
                roundtable_store::photos::public_of(conn, &ids)?,
            ))
        })
        .await?;
    let trends = super::trends::trends(state, community, tz, lang, &records, &names).await?;
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
            let meeting_link = held.and_then(public_link);
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
                due_soon: crate::steps::DueSoon::of(&i.state, Some(c.due_date), today),
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
        .map(|rows| ScoreTable::new(rows, &name, &state.config.agenda_config(&c)));
    Ok(Board {
        workflow: crate::community_settings::workflow(&c).to_owned(),
        community: c.name,
        lines,
        next_cursor: listed.next_cursor,
        scorecard,
        scorecard_month: latest.map(|r| r.meeting.slot.format("%Y-%m").to_string()),
        trends,
        names,
    })
}

/// Where anyone can read about a meeting: its minutes once published, else its agenda once
/// published, else nowhere yet (`None`) — a link never leads the public to a 404 or to
/// the sign-in page.
pub fn public_link(record: &MeetingRecord) -> Option<String> {
    let m = &record.meeting;
    let kind = if record.minutes_published {
        "minutes"
    } else if record.agenda_status == AgendaStatus::Published {
        "agenda"
    } else {
        return None;
    };
    Some(format!("/communities/{}/meetings/{}/{kind}", m.community, m.id))
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
    let c = state.db.run(move |conn| directory::get_community(conn, community)).await?;
    let (tz, config, base) = (c.time_zone, state.config.agenda_config(&c), state.config.mail.base_url.clone());
    let now = state.now();
    match which {
        PublicDocument::Agenda => {
            if record.agenda_status != roundtable_core::AgendaStatus::Published {
                return Err(gone());
            }
            let mut doc = state
                .db
                .run(move |conn| {
                    let printing =
                        crate::documents::Printing { tz, now, lang, base_url: base, progress_reports: Vec::new() };
                    crate::documents::assemble_agenda(conn, &record, &config, &printing)
                })
                .await?;
            // No company's words on the public agenda — neither its progress (none is read:
            // no report names) nor a request to hand an issue back — and no photos.
            for line in doc.sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
                line.photos = None;
                line.progress = None;
                line.returning = None;
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
