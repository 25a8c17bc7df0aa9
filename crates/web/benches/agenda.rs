//! Building a draft agenda from a large tracker: 100,000 issues of which 5,000 are open,
//! on SQLite. `cargo bench -p roundtable-web --bench agenda` (ISSUES, OPEN to change).

use std::collections::BTreeSet;
use std::time::Instant;

use chrono::{Days, TimeDelta, TimeZone, Utc};
use diesel::Connection;
use roundtable_core::agenda::{AgendaConfig, AgendaInput, build_agenda};
use roundtable_core::{
    Actor, Commitment, Community, Compound, CompoundId, Issue, IssueState, NewIssue, OrgId, OrgKind, Organisation,
    Role, User, UserId, Verification, VerificationOutcome, Workflow,
};
use roundtable_store::{Db, DbOptions, agenda, directory, issues};

const WORKFLOW: &str = include_str!("../../../workflows/issue.toml");

fn main() {
    let total: usize = std::env::var("ISSUES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let open: usize = std::env::var("OPEN").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let dir = tempfile::tempdir().unwrap();
    let (db, _) =
        Db::open_and_migrate(&format!("sqlite://{}", dir.path().join("rt.db").display()), DbOptions::default())
            .unwrap();
    let conn = &mut *db.conn().unwrap();
    let tz = chrono_tz::Asia::Shanghai;
    let meeting_at = tz.with_ymd_and_hms(2027, 3, 7, 9, 0, 0).unwrap().with_timezone(&Utc);
    let start = meeting_at - TimeDelta::days(3 * 365);
    let community = Community::new("东圣社区", tz, "zh-CN", start);
    directory::insert_community(conn, &community).unwrap();
    let mut compounds = Vec::new();
    let mut companies = Vec::new();
    for n in 0..5 {
        let c = Compound {
            id: CompoundId::new(),
            community: community.id,
            name: format!("小区 {n}"),
            created_at: start,
            location: None,
        };
        directory::insert_compound(conn, &c).unwrap();
        let o = Organisation {
            id: OrgId::new(),
            community: community.id,
            kind: OrgKind::PropertyCompany,
            name: format!("物业 {n}"),
            contact_emails: vec![],
            compound: Some(c.id),
            created_at: start,
        };
        directory::insert_organisation(conn, &o).unwrap();
        compounds.push(c.id);
        companies.push(o.id);
    }
    let user = User {
        id: UserId::new(),
        community: community.id,
        login: "bench".into(),
        display_name: "居民".into(),
        email: None,
        phone: None,
        roles: vec![Role::Resident],
        locale: None,
        compound: None,
        buildings: Vec::new(),
        organisations: vec![],
        disabled: false,
        created_at: start,
    };
    directory::insert_user(conn, &user, "x").unwrap();
    let actor = Actor { user: user.id, community: community.id, roles: [Role::Resident].into(), memberships: vec![] };
    let wf = Workflow::from_toml("issue.toml", WORKFLOW).unwrap();

    let seeding = Instant::now();
    conn.transaction::<_, roundtable_store::StoreError, _>(|conn| {
        for n in 0..total {
            let c = n % 5;
            let raised_at = start + TimeDelta::minutes((n as i64) * (3 * 365 * 24 * 60 - 60 * 24 * 40) / total as i64);
            let new = NewIssue {
                title: format!("问题 {n}"),
                description: "雨后地下室积水".into(),
                category: "building".into(),
                urgency: Default::default(),
                compound: compounds[c],
                building: None,
                unit: None,
            };
            let (mut issue, event) = Issue::raise(&wf, new, &actor, raised_at);
            issue.support_count = (n % 13) as u32;
            let is_open = n >= total - open;
            let state = if is_open { ["raised", "assigned", "committed", "resolved"][n % 4] } else { "verified" };
            issue.state = IssueState::new(state);
            if state != "raised" {
                issue.responsible_org = Some(companies[c]);
            }
            if ["committed", "resolved", "verified"].contains(&state) {
                issue.commitment = Some(Commitment {
                    text: "修".into(),
                    due_date: raised_at.date_naive() + Days::new(20),
                    committed_by: user.id,
                    committed_by_org: Some(companies[c]),
                    meeting: None,
                    committed_at: raised_at + TimeDelta::days(2),
                    dated_at: raised_at + TimeDelta::days(2),
                });
            }
            if state == "verified" {
                issue.verification = Some(Verification {
                    outcome: VerificationOutcome::Verified,
                    satisfaction: Some(4),
                    note: None,
                    by: user.id,
                    at: raised_at + TimeDelta::days(10),
                });
                issue.updated_at = raised_at + TimeDelta::days(10);
            }
            issues::insert_issue(conn, &issue, &event)?;
        }
        Ok(())
    })
    .unwrap();
    println!("seeded {total} issues ({open} open) in {:.1} s", seeding.elapsed().as_secs_f64());

    let since = meeting_at - TimeDelta::days(28);
    let config = AgendaConfig::default();
    let grid = BTreeSet::new();
    let mut times = Vec::new();
    let mut items = 0;
    for _ in 0..15 {
        let t = Instant::now();
        let facts = agenda::agenda_facts(conn, community.id, since, agenda::Returns::default()).unwrap();
        let built = build_agenda(&AgendaInput {
            issues: &facts,
            meeting_at,
            meeting_day: meeting_at.with_timezone(&tz).date_naive(),
            last_meeting_at: Some(since),
            companies: &companies,
            grid_raisers: &grid,
            announcements: "",
            carried: &[],
            reviews: &[],
            config: &config,
            tz,
        });
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        items = built.items.len();
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "agenda from {total} issues ({open} open): {items} items; median {:.1} ms, min {:.1} ms, max {:.1} ms (15 runs, read + build)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}
