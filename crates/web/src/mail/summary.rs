//! The weekly summary an organisation gets on Monday morning: what awaits its commitment,
//! what it promised and is overdue or due within the week, and how many of its fixes
//! await the raisers' verification — composed when it is sent, from the issues as they
//! are then, so a summary retried later is not out of date.

use chrono::{DateTime, Days, Utc};
use roundtable_core::{Community, IssueState, OrgId};
use roundtable_store::{DbConn, StoreError, directory, issues};
use serde_json::{Value, json};

/// The states an organisation's issue is open in, for the summary.
pub const OPEN: [&str; 3] = [IssueState::ASSIGNED, IssueState::COMMITTED, IssueState::RESOLVED];

/// At most this many lines a section: the rest are counted and linked.
const SHOWN: usize = 20;

/// The mail's context for `org`, or none when nothing of its is open any more (or it is
/// gone).
pub fn context(
    conn: &mut DbConn,
    community: &Community,
    org: OrgId,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<Option<Value>, StoreError> {
    let org = match directory::get_organisation(conn, org) {
        Ok(org) if org.community == community.id => org,
        Ok(_) | Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let open = issues::of_org(conn, org.id, &OPEN)?;
    let today = now.with_timezone(&community.time_zone).date_naive();
    let week_end = today + Days::new(crate::ops::issues::DUE_SOON_DAYS.into());
    let compounds = directory::compounds(conn, community.id)?;
    // How late a promise is, how long an assignment has waited for one: as the lists say them.
    let line = |i: &roundtable_core::Issue| {
        let due = i.commitment.as_ref().map(|c| c.due_date);
        let late = crate::steps::late_by(crate::views::is_overdue(i, today), due, today);
        let waited = crate::steps::Waited::of(&i.state, i.state_entered_at, community.time_zone, today);
        json!({
            "title": i.title,
            "compound": compounds.iter().find(|c| c.id == i.compound).map(|c| c.name.clone()).unwrap_or_default(),
            "due_date": due.map(|d| d.to_string()),
            "late_days": late,
            "waited": waited,
            "url": format!("{base_url}/issues/{}", i.id),
        })
    };
    let due = |i: &&roundtable_core::Issue| i.commitment.as_ref().map(|c| c.due_date);
    let committed = || open.iter().filter(|i| i.state == IssueState::COMMITTED);
    let mut overdue: Vec<_> = committed().filter(|i| due(i).is_some_and(|d| d < today)).collect();
    let mut this_week: Vec<_> =
        committed().filter(|i| due(i).is_some_and(|d| (today..=week_end).contains(&d))).collect();
    overdue.sort_by_key(due);
    this_week.sort_by_key(due);
    // The longest waiting first: the meeting asks about those.
    let mut to_commit: Vec<_> = open.iter().filter(|i| i.state == IssueState::ASSIGNED).collect();
    to_commit.sort_by_key(|i| (i.state_entered_at, i.created_at));
    let resolved = open.iter().filter(|i| i.state == IssueState::RESOLVED).count();
    if overdue.is_empty() && this_week.is_empty() && to_commit.is_empty() && resolved == 0 {
        return Ok(None);
    }
    // Each section's whole list on the pages (the lines beyond `SHOWN` are there).
    let section = |key: &str, list: &str, items: &[&roundtable_core::Issue]| {
        json!({
            "key": key,
            "count": items.len(),
            "items": items.iter().take(SHOWN).map(|i| line(i)).collect::<Vec<_>>(),
            "more": items.len().saturating_sub(SHOWN),
            "list": format!("{base_url}{list}"),
        })
    };
    let sections: Vec<Value> = [
        ("overdue", "/issues?overdue=1", &overdue),
        ("due_this_week", "/issues?due_soon=1", &this_week),
        ("to_commit", "/issues?state=assigned&order=oldest", &to_commit),
    ]
    .into_iter()
    .filter(|(_, _, items)| !items.is_empty())
    .map(|(key, list, items)| section(key, list, items))
    .collect();
    Ok(Some(json!({
        "community": community.name,
        "org": org.name,
        "date": today.to_string(),
        "summary": {
            "overdue": overdue.len(),
            "due_this_week": this_week.len(),
            "to_commit": to_commit.len(),
            "resolved": resolved,
        },
        "sections": sections,
        "url": format!("{base_url}/"),
    })))
}
