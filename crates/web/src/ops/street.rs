//! The street office's view (街道): the communities of its street side by side — open
//! issues and promises past their date now, and the 三率 over six months as each
//! community's latest agenda computed them (the figures its board and meeting showed; a
//! fresh plan per community would cost the whole history each time, see
//! docs/performance.md) — and each property company across the communities it serves (a
//! company is known by its name: each community registers the companies it works with).
//! Counts only; each community's public board is a click away.

use std::collections::HashMap;

use chrono::NaiveDate;
use roundtable_core::agenda::ScoreRow;
use roundtable_core::scorecard::Rate;
use roundtable_core::{CommunityId, IssueId, Role};
use roundtable_store::{StoreError, directory, issues, notices};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::{IssueList, IssueSummary, IssueView, ListQuery};

/// Rates summed over companies or communities (counts, so "3/4" stays honest), and the
/// counts listed beside them on each community's comparison (the street office ranks its
/// companies on returns and redone work too, as the 12345 hotlines do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rates {
    pub received: u32,
    pub response: Rate,
    pub resolution: Rate,
    pub satisfaction: Rate,
    pub overdue: u32,
    /// Commitments whose date was extended over the six months.
    pub extended: u32,
    /// Issues verified or reopened over the six months that were reopened (返工).
    pub reopened: u32,
    /// Requests to hand an issue back turned down over the six months (退回不成立).
    pub returns_refused: u32,
}

impl Rates {
    fn add(&mut self, row: &ScoreRow) {
        let w = &row.half_year;
        self.received += w.received;
        self.extended += w.extended;
        self.reopened += w.reopened;
        self.returns_refused += w.returns_refused;
        for (sum, r) in [
            (&mut self.response, w.response),
            (&mut self.resolution, w.resolution),
            (&mut self.satisfaction, w.satisfaction),
        ] {
            sum.n += r.n;
            sum.m += r.m;
        }
        self.overdue += row.overdue;
    }
}

/// A community's next joint meeting, as anyone may read it on its public calendar.
pub struct NextMeeting {
    pub slot: NaiveDate,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub place: String,
    /// Under way now.
    pub open: bool,
    pub agenda_published: bool,
    /// Its published agenda's public page, if it is out (and the public views are on).
    pub agenda: Option<String>,
}

pub struct CommunityLine {
    pub id: CommunityId,
    pub name: String,
    /// When and where it meets next (the street office's cadre attends); `None` when every
    /// month ahead is skipped.
    pub next_meeting: Option<NextMeeting>,
    /// Its time zone: when it meets, in its own time.
    pub time_zone: chrono_tz::Tz,
    /// The meeting whose agenda computed its rates, if any was built.
    pub rates_of: Option<NaiveDate>,
    pub open: i64,
    pub overdue: i64,
    pub rates: Rates,
}

pub struct CompanyLine {
    pub name: String,
    /// The communities it serves, by name.
    pub communities: Vec<String>,
    pub rates: Rates,
}

/// An issue the street office raised in one of its communities (吹哨), as it stands.
pub struct CalledIn {
    pub community: CommunityId,
    pub community_name: String,
    /// The community's time zone: its days count how long the issue waits.
    pub time_zone: chrono_tz::Tz,
    /// As a list shows it (overdue by the community's own day).
    pub issue: IssueSummary,
    pub compound_name: Option<String>,
    /// The company answering for it, once assigned.
    pub org_name: Option<String>,
    /// What the company last reported on its promise (进展) and when, while it stands.
    pub progress: Option<(chrono::DateTime<chrono::Utc>, String)>,
}

/// How many of the street office's calls the page and the API list (the newest).
pub const CALLED_IN_SHOWN: i64 = 50;

pub struct Street {
    pub name: String,
    pub communities: Vec<CommunityLine>,
    pub companies: Vec<CompanyLine>,
    /// What the street office called its communities in for, newest first: did each
    /// community take it up?
    pub called_in: Vec<CalledIn>,
}

/// The comparison of the caller's street (the street role only).
pub async fn comparison(state: &AppState, caller: &Caller) -> ApiResult<Street> {
    if !caller.actor.has_role(Role::Street) {
        return Err(ApiError::Forbidden("the street comparison is for the street office".into()));
    }
    let home = caller.actor.community;
    let today = caller.now(state).date_naive();
    // The open states by name, so the count reads the (community, state) index.
    let mut open: Vec<String> = state
        .workflows
        .iter()
        .flat_map(|wf| wf.states.iter().filter(|s| !s.terminal).map(|s| s.name.to_string()))
        .collect();
    open.sort();
    open.dedup();
    let (config, now, reports) = (state.config.clone(), state.now(), state.workflows.progress_reports());
    let found = state
        .db
        .run(move |conn| {
            let Some(street) = directory::street_of(conn, home)? else { return Ok(None) };
            let communities = directory::street_communities(conn, &street)?;
            let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
            let counts = issues::open_and_overdue(conn, &ids, &open, today)?;
            let mut scorecards = roundtable_store::meetings::latest_scorecards(conn, &ids)?;
            let names: HashMap<_, _> =
                directory::organisations_of(conn, &ids)?.into_iter().map(|o| (o.id, o.name)).collect();
            let called_in = called_in_of(conn, &communities, &names, &reports, now)?;
            let mut meetings = roundtable_store::meetings::records_of(conn, &ids)?;
            let mut each = Vec::new();
            for c in communities {
                let (rates_of, rows) =
                    scorecards.remove(&c.id).map_or((None, Vec::new()), |(slot, rows)| (Some(slot), rows));
                let meetings = meetings.remove(&c.id).unwrap_or_default();
                let rules = crate::ops::meetings::community_rules(&config.meeting, &c);
                let next = next_meeting(&rules, &meetings, now, config.public.enabled);
                let named: Vec<(String, ScoreRow)> =
                    rows.into_iter().filter_map(|r| Some((names.get(&r.org)?.clone(), r))).collect();
                let (open, overdue) = counts.get(&c.id).copied().unwrap_or((0, 0));
                each.push((c, rates_of, open, overdue, named, next));
            }
            Ok::<_, StoreError>(Some((street, each, called_in)))
        })
        .await?;
    let Some((name, each, called_in)) = found else {
        return Err(ApiError::NotFound("your community belongs to no street office".into()));
    };
    let mut companies: Vec<CompanyLine> = Vec::new();
    let mut communities = Vec::new();
    for (c, rates_of, open, overdue, rows, next_meeting) in each {
        let mut rates = Rates::default();
        for (company, row) in &rows {
            rates.add(row);
            match companies.iter_mut().find(|x| &x.name == company) {
                Some(line) => {
                    line.rates.add(row);
                    line.communities.push(c.name.clone());
                }
                None => {
                    let mut line = CompanyLine {
                        name: company.clone(),
                        communities: vec![c.name.clone()],
                        rates: Rates::default(),
                    };
                    line.rates.add(row);
                    companies.push(line);
                }
            }
        }
        let time_zone = c.time_zone;
        communities.push(CommunityLine {
            id: c.id,
            name: c.name,
            next_meeting,
            time_zone,
            rates_of,
            open,
            overdue,
            rates,
        });
    }
    companies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Street { name, communities, companies, called_in })
}

/// What the street office called `communities` in for, newest first, each named as its
/// community has it (`names`: the organisations of those communities), with the latest
/// report on each promise (by the workflows' `progress_reports`).
fn called_in_of(
    conn: &mut roundtable_store::DbConn,
    communities: &[roundtable_core::Community],
    names: &HashMap<roundtable_core::OrgId, String>,
    progress_reports: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<CalledIn>, StoreError> {
    let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
    let called = issues::raised_by_role(conn, &ids, Role::Street, CALLED_IN_SHOWN)?;
    if called.is_empty() {
        return Ok(Vec::new());
    }
    let compounds = directory::compounds_of(conn, &ids)?;
    let entered: Vec<_> = called.iter().map(|(_, i)| (i.id, i.state_entered_at)).collect();
    let mut progress = issues::standing_progress(conn, &entered, progress_reports)?;
    let mut out = Vec::new();
    for c in communities {
        let theirs: Vec<&issues::Listing> = called.iter().filter(|(at, _)| *at == c.id).map(|(_, i)| i).collect();
        if theirs.is_empty() {
            continue;
        }
        let today = now.with_timezone(&c.time_zone).date_naive();
        out.extend(theirs.into_iter().map(|issue| CalledIn {
            community: c.id,
            community_name: c.name.clone(),
            time_zone: c.time_zone,
            compound_name: compounds.iter().find(|k| k.id == issue.compound).map(|k| k.name.clone()),
            org_name: issue.responsible_org.and_then(|o| names.get(&o).cloned()),
            progress: progress.remove(&issue.id),
            issue: IssueSummary::new(issue.clone(), today),
        }));
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.issue.created_at));
    Ok(out)
}

/// What the street office called its communities in for (the street role; nothing when
/// the caller's community belongs to no street office): the street office's "my work".
pub async fn called_in(state: &AppState, caller: &Caller) -> ApiResult<Vec<CalledIn>> {
    if !caller.actor.has_role(Role::Street) {
        return Err(ApiError::Forbidden("the street comparison is for the street office".into()));
    }
    let (home, now, reports) = (caller.actor.community, state.now(), state.workflows.progress_reports());
    Ok(state
        .db
        .run(move |conn| {
            let Some(street) = directory::street_of(conn, home)? else { return Ok(Vec::new()) };
            let communities = directory::street_communities(conn, &street)?;
            let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
            let names = directory::organisations_of(conn, &ids)?.into_iter().map(|o| (o.id, o.name)).collect();
            called_in_of(conn, &communities, &names, &reports, now)
        })
        .await?)
}

/// A community's next meeting among its `records`, as its calendar has it.
fn next_meeting(
    rules: &roundtable_core::MeetingRules,
    records: &[roundtable_store::meetings::MeetingRecord],
    now: chrono::DateTime<chrono::Utc>,
    public: bool,
) -> Option<NextMeeting> {
    use crate::ops::meetings::calendar::{Next, next_by};
    Some(match next_by(rules, records, now)? {
        Next::Held(r) => NextMeeting {
            slot: r.meeting.slot,
            starts_at: r.meeting.starts_at,
            place: r.meeting.place.clone(),
            open: r.meeting.status == roundtable_core::MeetingStatus::Open,
            agenda_published: r.agenda_status == roundtable_core::AgendaStatus::Published,
            agenda: (public && r.agenda_status == roundtable_core::AgendaStatus::Published)
                .then(|| format!("/communities/{}/meetings/{}/agenda", r.meeting.community, r.meeting.id)),
        },
        Next::Planned(o) => NextMeeting {
            slot: o.slot,
            starts_at: o.starts_at.with_timezone(&chrono::Utc),
            place: o.place,
            open: false,
            agenda_published: false,
            agenda: None,
        },
    })
}

/// The caller acting in `community` (404 unless it is of the caller's street): how the
/// street office calls a community in and reads its tracker.
async fn in_street(state: &AppState, caller: &Caller, community: CommunityId, refusal: &str) -> ApiResult<Caller> {
    if !caller.actor.has_role(Role::Street) {
        return Err(ApiError::Forbidden(refusal.into()));
    }
    let home = caller.actor.community;
    let target = state
        .db
        .run(move |conn| {
            let ours = directory::street_of(conn, home)?;
            let theirs = directory::street_of(conn, community)?;
            match (ours, theirs) {
                (Some(a), Some(b)) if a == b => Ok(Some(directory::get_community(conn, community)?)),
                _ => Ok(None),
            }
        })
        .await?
        .ok_or_else(|| ApiError::NotFound("no such community in your street".into()))?;
    Ok(caller.acting_in(&target))
}

/// The street office calls a community's meeting in (吹哨): an issue raised in one of its
/// street's communities, as the street office, on that community's next agenda like any
/// new issue. Without photos (they belong to the community they were uploaded in). With
/// a key, at most once, as any raise (`ops::issues::raise_once`).
pub async fn whistle(
    state: &AppState,
    caller: &Caller,
    community: CommunityId,
    body: crate::views::NewIssueBody,
    key: Option<String>,
) -> ApiResult<crate::ops::issues::Raised> {
    let there = in_street(state, caller, community, "only the street office calls a community in").await?;
    if !body.photos.is_empty() || body.on_behalf.is_some() {
        return Err(ApiError::field("photos", "not_allowed", "the street office raises without photos or households"));
    }
    let raised = crate::ops::issues::raise_once(state, &there, body, key).await?;
    // Into another community, the street office follows its call on its own page (the
    // calls, with the company's progress), not in the bell: its notices page lists only
    // its own community's issues, so a notice there would be counted and never shown.
    if let crate::ops::issues::Raised::New(view) = &raised
        && community != caller.actor.community
    {
        let (issue, user, now) = (IssueId(view.id), caller.user.id, state.now());
        state.db.write(move |conn| notices::set_following(conn, issue, community, user, false, now)).await?;
    }
    Ok(raised)
}

const READS: &str = "only the street office reads the communities of its street";

/// The street office reading a community of its street: the caller acting there.
pub async fn reader(state: &AppState, caller: &Caller, community: CommunityId) -> ApiResult<Caller> {
    in_street(state, caller, community, READS).await
}

/// A community's issues as the street office reads them: all of them, with the tracker's
/// own filters and order.
pub async fn community_issues(
    state: &AppState,
    caller: &Caller,
    community: CommunityId,
    q: ListQuery,
) -> ApiResult<IssueList> {
    crate::ops::issues::list(state, &reader(state, caller, community).await?, q).await
}

/// One issue of a community of the street, read-only: nothing to fire from here, and no
/// contact data (`access::sees_contact`).
pub async fn community_issue(
    state: &AppState,
    caller: &Caller,
    community: CommunityId,
    id: IssueId,
) -> ApiResult<IssueView> {
    let view = crate::ops::issues::get(state, &reader(state, caller, community).await?, id).await?;
    Ok(read_only(view))
}

/// What a street reader is shown of an issue: its transitions are the community's to fire.
pub fn read_only(mut view: IssueView) -> IssueView {
    view.transitions.clear();
    view
}

/// The compounds of the street's communities, for the whistle's form: community id and
/// name, compound id and name.
pub async fn places(state: &AppState, caller: &Caller) -> ApiResult<Vec<Place>> {
    if !caller.actor.has_role(Role::Street) {
        return Err(ApiError::Forbidden("the street comparison is for the street office".into()));
    }
    let home = caller.actor.community;
    Ok(state
        .db
        .run(move |conn| {
            let Some(street) = directory::street_of(conn, home)? else { return Ok(Vec::new()) };
            let mut out = Vec::new();
            for c in directory::street_communities(conn, &street)? {
                for k in directory::compounds(conn, c.id)? {
                    out.push(Place {
                        community: c.id,
                        community_name: c.name.clone(),
                        compound: k.id,
                        compound_name: k.name,
                    });
                }
            }
            Ok::<_, StoreError>(out)
        })
        .await?)
}

/// A compound of one of the street's communities.
pub struct Place {
    pub community: CommunityId,
    pub community_name: String,
    pub compound: roundtable_core::CompoundId,
    pub compound_name: String,
}
