//! How fast the engine fires a transition: `cargo bench -p roundtable-core --bench apply`.

use std::collections::BTreeSet;
use std::hint::black_box;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::{Asia::Shanghai, Tz};
use criterion::{Criterion, criterion_group, criterion_main};
use roundtable_core::{
    Actor, CommunityId, CompoundId, Issue, Membership, NewIssue, OrgId, OrgKind, Role, TransitionFields,
    TransitionRequest, UserId, Workflow, apply,
};

const WORKFLOW: &str = include_str!("../../../workflows/issue.toml");

fn bench(c: &mut Criterion) {
    let wf = Workflow::from_toml("issue.toml", WORKFLOW).expect("default workflow loads");
    let community = CommunityId::new();
    let actor = |role: Role, org: OrgId, kind: OrgKind| Actor {
        user: UserId::new(),
        community,
        roles: BTreeSet::from([role]),
        memberships: vec![Membership { org, kind }],
    };
    let secretary = actor(Role::Secretary, OrgId::new(), OrgKind::ResidentsCommittee);
    let anshang = OrgId::new();
    let property = actor(Role::Property, anshang, OrgKind::PropertyCompany);
    let raiser = actor(Role::Supervisor, OrgId::new(), OrgKind::SupervisoryCommittee);
    let now: DateTime<Tz> = Shanghai.from_utc_datetime(&Utc::now().naive_utc());
    let new = NewIssue {
        title: "地下室漏水".into(),
        description: "墙皮洇水".into(),
        category: "building".into(),
        urgency: Default::default(),
        compound: CompoundId::new(),
        building: None,
        unit: None,
    };
    let (raised, _) = Issue::raise(&wf, new, &raiser, now.with_timezone(&Utc));
    let assign = TransitionRequest {
        transition: "assign".into(),
        version: 1,
        fields: TransitionFields { responsible_org: Some(anshang), ..Default::default() },
    };
    let assigned = apply(&wf, &raised, &secretary, &assign, now).unwrap().issue;
    let commit = TransitionRequest {
        transition: "commit".into(),
        version: 2,
        fields: TransitionFields {
            commitment_text: Some("更换防水层".into()),
            due_date: Some(now.date_naive() + chrono::Days::new(10)),
            ..Default::default()
        },
    };

    c.bench_function("apply assign", |b| {
        b.iter(|| apply(black_box(&wf), black_box(&raised), &secretary, &assign, now))
    });
    c.bench_function("apply commit", |b| {
        b.iter(|| apply(black_box(&wf), black_box(&assigned), &property, &commit, now))
    });
    c.bench_function("apply denied (stale)", |b| {
        b.iter(|| apply(black_box(&wf), black_box(&assigned), &property, &assign, now))
    });
    c.bench_function("due_timers", |b| {
        b.iter(|| wf.due_timers(black_box(&assigned), now, &roundtable_core::WorkCalendar::default()).len())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
