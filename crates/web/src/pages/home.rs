//! "My work": what needs the viewer, by role. A property company sees the issues
//! assigned to it (overdue first) and its items on the next agenda; the secretary the
//! unassigned issues, overdue commitments and the next meeting; the supervisory
//! committee what it raised and what awaits its verification; residents and grid
//! secretaries their compound's issues. The parties that came to the last meeting see its
//! draft minutes while they may review them, the secretary until they are published.

use axum::response::Response;
use roundtable_core::agenda::Section;
use roundtable_core::meeting::AgendaStatus;
use roundtable_core::{IssueId, MeetingStatus, OrgKind, Role};
use roundtable_store::meetings::MeetingRecord;
use roundtable_store::notices;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::meetings::{self as meetings, calendar, review};
use crate::ops::reference;
use crate::pages::issues::{Row, fetch};
use crate::pages::meetings::MeetingShown;
use crate::pages::render::{Ctx, Out, Page, PageResult};
use crate::views::ListQuery;

pub async fn show(ctx: Ctx) -> Response {
    let out = work(&ctx).await;
    ctx.respond(out)
}

fn query(state: Option<&str>, overdue: bool, order: &str) -> ListQuery {
    ListQuery {
        state: state.map(str::to_owned),
        overdue: overdue.then_some(true),
        order: Some(order.into()),
        limit: Some(50),
        ..Default::default()
    }
}

/// A list of issues that need the viewer, with a link to all of them.
#[derive(Serialize)]
struct IssueSection {
    key: &'static str,
    href: &'static str,
    count: usize,
    empty: bool,
    items: Vec<Row>,
}

/// An item of the next agenda about one of the viewer's organisation's issues, or (for
/// anyone else) about an issue they follow.
#[derive(Serialize)]
struct OurItem {
    title: String,
    issue: Option<Uuid>,
    section: Section,
    /// Why it is there — overdue, awaiting our commitment, reopened — unless the section
    /// says it already: what the company has to prepare for.
    reason_shown: Option<roundtable_core::agenda::Reason>,
    minutes: i32,
    /// What the meeting did with it, once recorded (the meeting under way, or held): a
    /// promise on the spot, a decision and the day it is heard again, a request refused.
    outcome: Option<roundtable_core::ItemOutcome>,
    review_on: Option<chrono::NaiveDate>,
    refused_due_date: Option<chrono::NaiveDate>,
    refused_return: bool,
}

#[derive(Serialize)]
struct HomePage {
    sections: Vec<IssueSection>,
    next_meeting: Option<MeetingShown>,
    our_items: Vec<OurItem>,
    /// A company's section, shown even empty (it prepares for the meeting).
    show_our_items: bool,
    /// Anyone else's: the issues they follow on the next agenda, when there are some.
    show_followed: bool,
    /// The next agenda is a draft this viewer may not read yet: "none of ours" would tell a
    /// company it is not on it when it may well be.
    agenda_unpublished: bool,
    /// The next meeting's agenda is not built yet: nothing can be on it.
    agenda_not_built: bool,
    can_raise: bool,
    /// For the secretary: the month-by-month flow and the age of the open issues.
    trends: Option<crate::ops::trends::Trends>,
    /// The last meeting's minutes while they are a draft the viewer reviews or writes.
    review: Option<DraftShown>,
}

/// The draft minutes of the last meeting held: to review (a party that came) or to answer
/// and publish (the secretary).
#[derive(Serialize)]
struct DraftShown {
    meeting: Uuid,
    held_on: chrono::NaiveDate,
    last_day: Option<chrono::NaiveDate>,
    may_ask: bool,
    /// For the secretary: the corrections awaiting an answer.
    unanswered: usize,
    /// For a party: its own corrections still awaiting the secretary's answer, and those
    /// answered (the answers are on the minutes page, and came by mail).
    mine_waiting: usize,
    mine_answered: usize,
}

/// [`DraftShown`] for the caller, if the last closed meeting's minutes are unpublished and
/// theirs to review or write.
async fn draft_to_review(
    ctx: &Ctx,
    caller: &Caller,
    records: &[MeetingRecord],
) -> Result<Option<DraftShown>, ApiError> {
    // Only the secretary and members of an organisation may review: nothing to read for others.
    if !meetings::manages(caller) && caller.actor.memberships.is_empty() {
        return Ok(None);
    }
    let closed = records.iter().filter(|r| r.meeting.status == MeetingStatus::Closed);
    let Some(last) = closed.max_by_key(|r| r.meeting.closed_at) else {
        return Ok(None);
    };
    let standing = review::Standing::of(&ctx.state, caller, last.clone()).await?;
    if standing.published || !standing.reads(caller) {
        return Ok(None);
    }
    let r = review::review_of(&ctx.state, caller, &standing).await?;
    let mine: Vec<_> = r.corrections.iter().filter(|c| c.mine).collect();
    // A party that asked keeps the card past the review's end, until publication.
    if !(r.may_ask || meetings::manages(caller) || !mine.is_empty()) {
        return Ok(None);
    }
    let mine_waiting = mine.iter().filter(|c| c.answer.is_none()).count();
    let m = &standing.record.meeting;
    Ok(Some(DraftShown {
        meeting: m.id.0,
        held_on: m.starts_at.with_timezone(&caller.tz()).date_naive(),
        last_day: r.last_day,
        may_ask: r.may_ask,
        // What to answer is the secretary's to know; a party reads the answers on the page.
        unanswered: match meetings::manages(caller) {
            true => r.unanswered(),
            false => 0,
        },
        mine_waiting,
        mine_answered: mine.len() - mine_waiting,
    }))
}

impl Page for HomePage {
    const TEMPLATE: &'static str = "home";
}

/// A red issue (24 hours) before a yellow one before the routine, each kept in the order
/// read (the most supported, or the oldest, first), as the agenda orders its new issues:
/// on the secretary's "not yet assigned" or the company's "assigned to us" a burst pipe
/// raised an hour ago must not sit below last month's weeds.
fn most_urgent_first(rows: &mut [Row]) {
    rows.sort_by_key(|r| std::cmp::Reverse(r.summary.urgency));
}

async fn work(ctx: &Ctx) -> PageResult {
    let caller = ctx.caller()?;
    let names = reference::names(&ctx.state, &caller).await?;
    let a = &caller.actor;
    let mut sections: Vec<IssueSection> = Vec::new();
    let mut section = |key: &'static str, href: &'static str, items: Vec<Row>| {
        sections.push(IssueSection { key, href, count: items.len(), empty: items.is_empty(), items });
    };
    let property = a.memberships.iter().any(|m| matches!(m.kind, OrgKind::PropertyCompany | OrgKind::Unit));
    let manages = meetings::manages(&caller);
    let mut ours: Vec<Uuid> = Vec::new();

    if property {
        let (overdue, _) = fetch(ctx, query(None, true, "oldest"), &names).await?;
        // What falls due this week, the nearest date first: what to finish before the
        // weekly summary's next Monday and the meeting check.
        let soon = ListQuery { due_within: Some(crate::ops::issues::DUE_SOON_DAYS), ..query(None, false, "oldest") };
        let (mut due_soon, _) = fetch(ctx, soon, &names).await?;
        due_soon.sort_by_key(|r| r.summary.commitment_due);
        let (mut open, _) = fetch(ctx, query(Some("assigned,committed"), false, "oldest"), &names).await?;
        most_urgent_first(&mut open);
        let (resolved, _) = fetch(ctx, query(Some("resolved"), false, "oldest"), &names).await?;
        ours = open.iter().chain(&resolved).map(|i| i.summary.id).collect();
        section("overdue_ours", "/issues?overdue=1", overdue);
        section("due_soon_ours", "/issues?due_soon=1", due_soon);
        section("assigned_to_us", "/issues?state=assigned,committed", open);
        section("awaiting_verification_ours", "/issues?state=resolved", resolved);
    }
    if manages {
        let (mut raised, _) = fetch(ctx, query(Some("raised"), false, "support"), &names).await?;
        most_urgent_first(&mut raised);
        let (overdue, _) = fetch(ctx, query(None, true, "oldest"), &names).await?;
        // What the companies asked and the secretary has not answered, first: all of it
        // (at most 50), so no list to see more of; shown only when there is any.
        let asked = crate::ops::issues::awaiting_decision(&ctx.state, &caller).await?;
        if !asked.is_empty() {
            let (tz, now) = (caller.tz(), ctx.state.now());
            let rows = asked
                .into_iter()
                .map(|(summary, what)| Row {
                    asked: Some(crate::pages::issues::RowAsked::new(what, tz)),
                    ..Row::new(&names, summary, crate::pages::issues::OWN, &caller, now)
                })
                .collect();
            section("awaiting_decision", "", rows);
        }
        section("unassigned", "/issues?state=raised&order=support", raised);
        section("overdue", "/issues?overdue=1", overdue);
    }
    if a.has_role(Role::Supervisor) {
        let mine = ListQuery { raised_by: Some(caller.user.id.0), ..query(None, false, "newest") };
        let (raised, _) = fetch(ctx, mine, &names).await?;
        let (resolved, _) = fetch(ctx, query(Some("resolved"), false, "oldest"), &names).await?;
        section("awaiting_our_verification", "/issues?state=resolved", resolved);
        section("raised_by_us", "/issues", raised);
    }
    if a.has_role(Role::Resident) || a.has_role(Role::Grid) {
        let mine = ListQuery { raised_by: Some(caller.user.id.0), ..query(Some("resolved"), false, "oldest") };
        let (resolved, _) = fetch(ctx, mine, &names).await?;
        let (mut compound, _) =
            fetch(ctx, query(Some("raised,assigned,committed,resolved"), false, "support"), &names).await?;
        most_urgent_first(&mut compound);
        section("awaiting_my_verification", "/issues?state=resolved", resolved);
        section("my_compound", "/issues?order=support", compound);
    }
    // The street office's own work: what it called its communities in for.
    if a.has_role(Role::Street) {
        let called = crate::ops::street::called_in(&ctx.state, &caller).await?;
        section("called_in", "/street#street-called-in", crate::pages::street::called_in_rows(called, ctx.state.now()));
    }

    let next = calendar::next(&ctx.state, &caller).await?;
    let (mut our_items, mut agenda_unpublished) = (Vec::new(), false);
    let agenda_not_built = next.as_ref().is_some_and(|n| n.id.is_none());
    if let Some(id) = next.as_ref().and_then(|n| n.id) {
        let detail = meetings::detail(&ctx.state, &caller, roundtable_core::MeetingId(id)).await?;
        agenda_unpublished = detail.items.is_none() && detail.meeting.agenda_status == AgendaStatus::Draft;
        let items = detail.items.unwrap_or_default();
        // A company's items are its organisation's issues; anyone else's, those they follow
        // (raised, supported or chose to): "your issue is on Sunday's agenda".
        if !property && !items.is_empty() {
            let listed: Vec<IssueId> = items.iter().filter_map(|i| i.issue.map(IssueId)).collect();
            let user = caller.user.id;
            let followed = ctx.state.db.run(move |conn| notices::followed_among(conn, user, &listed)).await?;
            ours = followed.into_iter().map(|i| i.0).collect();
        }
        our_items = items
            .into_iter()
            .filter(|i| i.issue.is_some_and(|x| ours.contains(&x)))
            .map(|i| OurItem {
                reason_shown: roundtable_core::agenda::shown_reason(i.section, i.reason),
                title: i.title,
                issue: i.issue,
                section: i.section,
                minutes: i.minutes,
                outcome: i.outcome,
                review_on: i.review_on,
                refused_due_date: i.refused_due_date,
                refused_return: i.refused_return,
            })
            .collect();
    }
    let next_meeting = next.map(|view| MeetingShown::new(&caller, &ctx.state, view));
    // The meetings, read once: the secretary's trends and the last meeting's draft.
    let records = meetings::all(&ctx.state, &caller).await?;
    let trends = if manages {
        let (community, tz, lang) = (caller.actor.community, caller.tz(), ctx.viewer.lang);
        Some(crate::ops::trends::trends(&ctx.state, community, tz, lang, &records, &names).await?)
    } else {
        None
    };
    let review = draft_to_review(ctx, &caller, &records).await?;
    Out::page(HomePage {
        review,
        sections,
        next_meeting,
        show_followed: !property && !our_items.is_empty(),
        our_items,
        show_our_items: property,
        agenda_unpublished,
        agenda_not_built,
        can_raise: !property || manages,
        trends,
    })
}
