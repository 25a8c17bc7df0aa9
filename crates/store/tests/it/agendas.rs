//! Writing a built agenda: every item, in order, however long the month's list is —
//! PostgreSQL writes them in one statement, a column an array, SQLite one by one.

use chrono::{TimeDelta, Utc};
use roundtable_core::agenda::{Agenda, AgendaItem, Reason, Section};
use roundtable_core::{Meeting, MeetingId, MeetingStatus};
use roundtable_store::{agenda, on_both_databases};

use crate::harness::*;

on_both_databases!(a_long_agenda_is_written_whole_and_in_order);

fn item(n: usize, issue: Option<roundtable_core::IssueId>) -> AgendaItem {
    AgendaItem {
        section: if n == 0 { Section::Announcements } else { Section::FollowUp },
        reason: if n == 0 { Reason::Announcements } else { Reason::DueSinceLastMeeting },
        issue,
        title: format!("第{n}项"),
        compound: None,
        responsible_org: None,
        due_date: None,
        support_count: 0,
        minutes: 3,
        in_appendix: n > 40,
        urgency: roundtable_core::Urgency::Routine,
    }
}

/// This month's meeting of `town`, not yet saved.
fn meeting_of(town: &Town) -> Meeting {
    let at = now().with_timezone(&Utc);
    Meeting {
        id: MeetingId::new(),
        community: town.community,
        slot: now().date_naive(),
        starts_at: at + TimeDelta::hours(9),
        place: "社区党群服务中心".into(),
        status: MeetingStatus::Planned,
        announcements: String::new(),
        skip_reason: None,
        opened_at: None,
        closed_at: None,
        created_at: at,
    }
}

fn a_long_agenda_is_written_whole_and_in_order(t: &TestDb) {
    let town = Town::build(&t.db);
    let raised = town.raise(&t.db, "路灯不亮", town.junyue);
    let at = now().with_timezone(&Utc);
    let meeting = meeting_of(&town);
    // Hundreds of items, with an issue and a NULL among them.
    let items: Vec<AgendaItem> = (0..1_201).map(|n| item(n, (n == 700).then_some(raised.id))).collect();
    let built = Agenda { meeting_day: meeting.slot, since: at - TimeDelta::days(28), items, scorecard: Vec::new() };
    let conn = &mut t.db.conn().unwrap();
    assert!(agenda::save_built_agenda(conn, &meeting, &built, "test", at).unwrap());
    let stored = agenda::agenda_items(conn, meeting.id).unwrap();
    assert_eq!(stored.len(), 1_201);
    for (n, s) in stored.iter().enumerate() {
        assert_eq!((s.position as usize, s.title.as_str()), (n, format!("第{n}项").as_str()));
        assert_eq!(s.issue_id, (n == 700).then_some(raised.id), "item {n}");
        assert_eq!(s.in_appendix, n > 40);
        let expected = item(n, None);
        assert_eq!((s.section, s.reason, s.minutes_allowed), (expected.section, expected.reason, 3), "item {n}");
    }
    // A rebuild replaces them all.
    let shorter = Agenda { items: (0..3).map(|n| item(n, None)).collect(), ..built };
    agenda::rebuild_agenda(conn, &meeting, &shorter, at).unwrap();
    assert_eq!(agenda::agenda_items(conn, meeting.id).unwrap().len(), 3);
}

/// On PostgreSQL an item's community is its meeting's, by one foreign key on both columns
/// (which replaced a key on each): an item naming another community is refused. SQLite
/// keeps its two keys, which do not tie the two together (the migration says why).
#[test]
fn postgres_refuses_an_item_of_another_communitys_meeting() {
    use diesel::prelude::*;
    use roundtable_store::schema::agenda_items;
    let Some(t) = TestDb::postgres() else {
        eprintln!("skipped: postgres_refuses_an_item_of_another_communitys_meeting ({POSTGRES_ENV} is not set)");
        return;
    };
    let (ours, theirs) = (Town::build(&t.db), Town::build(&t.db));
    let meeting = meeting_of(&ours);
    let at = now().with_timezone(&Utc);
    let built = Agenda { meeting_day: meeting.slot, since: at, items: vec![item(0, None)], scorecard: Vec::new() };
    let conn = &mut t.db.conn().unwrap();
    assert!(agenda::save_built_agenda(conn, &meeting, &built, "test", at).unwrap());
    let item = |community: String| {
        (
            agenda_items::id.eq(uuid::Uuid::now_v7().to_string()),
            agenda_items::community_id.eq(community),
            agenda_items::meeting_id.eq(meeting.id.to_string()),
            agenda_items::position.eq(1),
            agenda_items::section.eq(Section::OtherBusiness.as_str()),
            agenda_items::reason.eq(Reason::Added.as_str()),
            agenda_items::title.eq("别的社区的事"),
            agenda_items::minutes_allowed.eq(5),
            agenda_items::in_appendix.eq(false),
            agenda_items::created_at.eq(at.naive_utc()),
        )
    };
    let refused = diesel::insert_into(agenda_items::table).values(item(theirs.community.to_string())).execute(conn);
    assert!(refused.is_err(), "an item of another community's meeting was stored");
    // The same item in the meeting's own community is fine: the key, not the row, refused.
    diesel::insert_into(agenda_items::table).values(item(ours.community.to_string())).execute(conn).unwrap();
    assert_eq!(agenda::agenda_items(conn, meeting.id).unwrap().len(), 2);
}
