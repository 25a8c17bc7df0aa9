//! Building a meeting's draft agenda: the calendar says which meeting, core builds the
//! agenda, the store saves it exactly once per slot.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use roundtable_core::agenda::{AgendaInput, build_agenda};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::{
    CommunityId, Effect, Meeting, MeetingId, MeetingRules, MeetingStatus, OrgKind, Override, Role, WorkflowSet,
};
use roundtable_store::{Db, DbConn, StoreError, agenda, directory, meetings};

use crate::config::Config;

/// What a build did.
#[derive(Debug, PartialEq, Eq)]
pub enum Built {
    /// A new draft agenda for this meeting, with so many items.
    Built { meeting: MeetingId, slot: NaiveDate, items: usize },
    /// This meeting's agenda was built before (by a schedule, a person or another instance).
    AlreadyBuilt { slot: NaiveDate },
    /// A draft rebuilt from the tracker as it is now (nothing claimed or sent again).
    Rebuilt { meeting: MeetingId, items: usize },
    /// No meeting's agenda is due now.
    NotDue,
}

/// How a build records itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode<'a> {
    /// The first build of a slot, claimed in `job_runs` under this instance's name.
    Claim(&'a str),
    /// Recompute an existing draft.
    Rebuild,
}

/// The calendar's overrides, as recorded on meeting rows.
pub fn overrides(rules: &MeetingRules, rows: &[Meeting]) -> BTreeMap<NaiveDate, Override> {
    rows.iter()
        .filter_map(|m| {
            let planned = rules.occurrence(&BTreeMap::new(), m.slot)?;
            if m.status == MeetingStatus::Skipped {
                return Some((m.slot, Override::Skipped { reason: m.skip_reason.clone().unwrap_or_default() }));
            }
            let moved = m.starts_at != planned.starts_at.with_timezone(&Utc) || m.place != planned.place;
            moved.then(|| {
                let to = m.starts_at.with_timezone(&rules.tz).naive_local();
                (m.slot, Override::Moved { to, place: Some(m.place.clone()) })
            })
        })
        .collect()
}

/// Why an agenda was not planned or built.
#[derive(Debug, thiserror::Error)]
pub enum AgendaError {
    /// Not the first Sunday of a month, outside the years planned for, or skipped.
    #[error("{0} is not the first Sunday of a month, or that meeting is skipped")]
    NoSuchMeeting(NaiveDate),
    /// A published agenda is fixed; only drafts are rebuilt.
    #[error("only a draft agenda can be rebuilt")]
    NotDraft,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AgendaError {
    /// For work inside a database write: a store failure rolls the write back, a
    /// refusal (found before anything is written) is an answer.
    pub fn in_write<T>(r: Result<T, AgendaError>) -> Result<Result<T, AgendaError>, StoreError> {
        match r {
            Err(AgendaError::Store(e)) => Err(e),
            other => Ok(other),
        }
    }
}

/// The agenda the tracker would give `slot`'s meeting (or the one due now) at `now`,
/// with the meeting it is for; nothing is saved. `None` when no meeting is due.
pub fn plan_agenda(
    conn: &mut DbConn,
    (config, workflows): (&Config, &WorkflowSet),
    community: CommunityId,
    slot: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Option<(Meeting, roundtable_core::agenda::Agenda)>, AgendaError> {
    let c = directory::get_community(conn, community)?;
    let tz = c.time_zone;
    let rules = crate::ops::meetings::community_rules(&config.meeting, &c);
    let own = crate::community_settings::effective(config, &c);
    let rows = meetings::meetings(conn, community)?;
    let overrides = overrides(&rules, &rows);
    let occurrence = match slot {
        Some(slot) => rules.occurrence(&overrides, slot).ok_or(AgendaError::NoSuchMeeting(slot))?,
        None => match rules.agenda_due(&overrides, own.meeting.agenda_lead_days, now) {
            Some(o) => o,
            None => return Ok(None),
        },
    };
    let starts_at = occurrence.starts_at.with_timezone(&Utc);
    let meeting = rows.iter().find(|m| m.slot == occurrence.slot).cloned().unwrap_or_else(|| Meeting {
        id: MeetingId::new(),
        community,
        slot: occurrence.slot,
        starts_at,
        place: occurrence.place.clone(),
        status: MeetingStatus::Planned,
        announcements: String::new(),
        skip_reason: None,
        opened_at: None,
        closed_at: None,
        created_at: now,
    });
    // The last meeting held: one skipped, or planned and never opened (a server down all
    // that day), looked back over nothing, so the look-back reaches past it.
    let last = rows
        .iter()
        .filter(|m| matches!(m.status, MeetingStatus::Open | MeetingStatus::Closed) && m.starts_at < starts_at)
        .map(|m| m.starts_at)
        .max();
    let since = last.unwrap_or(starts_at - TimeDelta::days(31));
    // The comparison looks back six months as well as to the last meeting.
    let half_year = starts_at.checked_sub_months(chrono::Months::new(6)).unwrap_or(since);
    // The requests to hand an issue back turned down, by the steps that ask and refuse.
    let (asked, refused) = (workflows.taking(Effect::RequestReturn), workflows.taking(Effect::ClearReturnRequest));
    let returns = agenda::Returns { asked: &asked, refused: &refused };
    let facts = agenda::agenda_facts(conn, community, since.min(half_year), returns)?;
    let companies: Vec<_> = directory::organisations(conn, community)?
        .into_iter()
        .filter(|o| o.kind == OrgKind::PropertyCompany)
        .map(|o| o.id)
        .collect();
    let grid_raisers: BTreeSet<_> = directory::list_users(conn, community)?
        .into_iter()
        .filter(|u| u.roles.contains(&Role::Grid))
        .map(|u| u.id)
        .collect();
    let carried = match rows
        .iter()
        .filter(|m| m.status == MeetingStatus::Closed && m.starts_at < starts_at)
        .max_by_key(|m| m.starts_at)
    {
        Some(previous) => agenda::unfinished_items(conn, previous.id)?,
        None => Vec::new(),
    };
    let reviews = agenda::reviewed_topics(conn, community)?;
    let agenda_config = config.agenda_config(&c);
    let built = build_agenda(&AgendaInput {
        issues: &facts,
        meeting_at: starts_at,
        meeting_day: occurrence.starts_at.date_naive(),
        last_meeting_at: last,
        companies: &companies,
        grid_raisers: &grid_raisers,
        announcements: &meeting.announcements,
        carried: &carried,
        reviews: &reviews,
        config: &agenda_config,
        tz,
    });
    Ok(Some((meeting, built)))
}

/// Builds the draft agenda of `slot` (or of the meeting due now), unless it was built
/// already. `instance` names who built it, in `job_runs`.
pub fn build_agenda_for(
    conn: &mut DbConn,
    planner: (&Config, &WorkflowSet),
    community: CommunityId,
    slot: Option<NaiveDate>,
    now: DateTime<Utc>,
    mode: Mode<'_>,
) -> Result<Built, AgendaError> {
    let Some((meeting, built)) = plan_agenda(conn, planner, community, slot, now)? else {
        return Ok(Built::NotDue);
    };
    match mode {
        Mode::Rebuild => {
            agenda::rebuild_agenda(conn, &meeting, &built, now).map_err(|e| match e {
                StoreError::Conflict { .. } => AgendaError::NotDraft,
                other => other.into(),
            })?;
            Ok(Built::Rebuilt { meeting: meeting.id, items: built.items.len() })
        }
        Mode::Claim(instance) => {
            if agenda::save_built_agenda(conn, &meeting, &built, instance, now)? {
                Ok(Built::Built { meeting: meeting.id, slot: meeting.slot, items: built.items.len() })
            } else {
                Ok(Built::AlreadyBuilt { slot: meeting.slot })
            }
        }
    }
}

/// What the tracker would now add to `meeting`'s agenda: issues raised or changed since
/// the draft was built (by the backlog rule) that are not on it and that the secretary did
/// not drop.
pub fn late_items(
    conn: &mut DbConn,
    planner: (&Config, &WorkflowSet),
    meeting: &Meeting,
    now: DateTime<Utc>,
) -> Result<Vec<roundtable_core::agenda::AgendaItem>, StoreError> {
    let plan = match plan_agenda(conn, planner, meeting.community, Some(meeting.slot), now) {
        Ok(Some((_, plan))) => plan,
        // A skipped or vanished slot has nothing to add.
        Ok(None) | Err(AgendaError::NoSuchMeeting(_) | AgendaError::NotDraft) => return Ok(Vec::new()),
        Err(AgendaError::Store(e)) => return Err(e),
    };
    let on: BTreeSet<_> = agenda::agenda_items(conn, meeting.id)?.iter().filter_map(|i| i.issue_id).collect();
    let dropped = agenda::dropped_issues(conn, meeting.id)?;
    Ok(plan
        .items
        .into_iter()
        .filter(|i| i.issue.is_some_and(|id| !on.contains(&id) && !dropped.contains(&id)))
        .collect())
}

/// Adds the late items to `meeting`'s agenda (when it is published or the meeting opens,
/// or when the secretary asks); returns how many.
pub fn add_late(
    conn: &mut DbConn,
    planner: (&Config, &WorkflowSet),
    meeting: &Meeting,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let late = late_items(conn, planner, meeting, now)?;
    if late.is_empty() { Ok(0) } else { agenda::add_items(conn, meeting, &late, now) }
}

/// One scheduler tick: builds every community's agenda that is due. Safe to call as
/// often as wanted, from as many instances as there are.
pub async fn tick(
    db: &Db,
    (config, workflows): (&Config, &std::sync::Arc<WorkflowSet>),
    now: DateTime<Utc>,
    instance: &str,
) -> Result<Vec<Built>, String> {
    let (config, workflows, instance) = (config.clone(), workflows.clone(), instance.to_owned());
    db.write(move |conn| {
        let communities = directory::communities(conn)?;
        let mut done = Vec::new();
        for c in communities {
            // With no slot given nothing is refused: the only failures are the store's.
            match AgendaError::in_write(build_agenda_for(
                conn,
                (&config, &*workflows),
                c.id,
                None,
                now,
                Mode::Claim(&instance),
            ))? {
                Ok(built) => {
                    // Built by the schedule: the trail names no person.
                    if let Built::Built { meeting, items, .. } = &built {
                        let entry = crate::ops::audit_entry(
                            c.id,
                            None,
                            AuditAction::AgendaBuilt,
                            AuditSubject::Meeting,
                            meeting,
                            now,
                        )
                        .with("items", items);
                        roundtable_store::audit::record(conn, &entry)?;
                    }
                    done.push(built)
                }
                Err(refused) => tracing::warn!(community = %c.id, %refused, "agenda not built"),
            }
        }
        Ok(done)
    })
    .await
    .map_err(|e| e.to_string())
}
