//! Dongsheng Community in miniature: the default workflow and one actor per party.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::{Asia::Shanghai, Tz};
use roundtable_core::{
    Actor, CommunityId, CompoundId, Issue, Membership, NewIssue, OrgId, OrgKind, Outcome, Role, TransitionFields,
    TransitionRequest, UserId, WorkCalendar, Workflow, apply,
};

pub const DEFAULT_WORKFLOW: &str = include_str!("../../../../workflows/issue.toml");
const DEFAULT_CONFIG: &str = include_str!("../../../../config/default.toml");

/// The working-day calendar the deployment ships (2026's holidays and make-up days).
pub fn shipped_calendar() -> WorkCalendar {
    let config: toml::Table = DEFAULT_CONFIG.parse().expect("config/default.toml is TOML");
    config["calendar"].clone().try_into().expect("the shipped calendar is valid")
}

pub struct World {
    pub wf: Workflow,
    pub calendar: WorkCalendar,
    pub community: CommunityId,
    pub anshang: OrgId,
    pub xiean: OrgId,
    pub supervisory: OrgId,
    pub secretary: Actor,
    pub admin: Actor,
    /// Supervisory committee member; raises the test issues.
    pub supervisor: Actor,
    /// Another member of the supervisory committee (raiser's organisation).
    pub supervisor_colleague: Actor,
    pub anshang_staff: Actor,
    pub xiean_staff: Actor,
    pub grid: Actor,
    pub resident: Actor,
    /// A secretary of another community.
    pub outsider: Actor,
}

pub fn actor(community: CommunityId, roles: &[Role], orgs: &[(OrgId, OrgKind)]) -> Actor {
    Actor {
        user: UserId::new(),
        community,
        roles: roles.iter().copied().collect::<BTreeSet<_>>(),
        memberships: orgs.iter().map(|&(org, kind)| Membership { org, kind }).collect(),
    }
}

impl World {
    pub fn new() -> World {
        let wf = Workflow::from_toml("workflows/issue.toml", DEFAULT_WORKFLOW).expect("default workflow is valid");
        let community = CommunityId::new();
        let (anshang, xiean, supervisory, grid_branch, rc) =
            (OrgId::new(), OrgId::new(), OrgId::new(), OrgId::new(), OrgId::new());
        let a = |roles: &[Role], orgs: &[(OrgId, OrgKind)]| actor(community, roles, orgs);
        World {
            secretary: a(&[Role::Secretary], &[(rc, OrgKind::ResidentsCommittee)]),
            admin: a(&[Role::Admin], &[]),
            supervisor: a(&[Role::Supervisor], &[(supervisory, OrgKind::SupervisoryCommittee)]),
            supervisor_colleague: a(&[Role::Supervisor], &[(supervisory, OrgKind::SupervisoryCommittee)]),
            anshang_staff: a(&[Role::Property], &[(anshang, OrgKind::PropertyCompany)]),
            xiean_staff: a(&[Role::Property], &[(xiean, OrgKind::PropertyCompany)]),
            grid: a(&[Role::Grid], &[(grid_branch, OrgKind::GridBranch)]),
            resident: a(&[Role::Resident], &[]),
            outsider: actor(CommunityId::new(), &[Role::Secretary], &[(OrgId::new(), OrgKind::ResidentsCommittee)]),
            wf,
            calendar: shipped_calendar(),
            community,
            anshang,
            xiean,
            supervisory,
        }
    }

    pub fn raise_by(&self, raiser: &Actor) -> Issue {
        let new = NewIssue {
            title: "地下室漏水、墙皮洇水".into(),
            description: "鸿禧山庄 3 号楼地下室漏水".into(),
            category: "building".into(),
            urgency: Default::default(),
            compound: CompoundId::new(),
            building: None,
            unit: None,
        };
        Issue::raise(&self.wf, new, raiser, now().with_timezone(&Utc)).0
    }

    pub fn fire(&self, issue: &Issue, actor: &Actor, transition: &str, fields: TransitionFields) -> Outcome {
        self.try_fire(issue, actor, transition, fields)
            .unwrap_or_else(|d| panic!("{transition} by {:?} denied: {d}", actor.roles))
    }

    pub fn try_fire(
        &self,
        issue: &Issue,
        actor: &Actor,
        transition: &str,
        fields: TransitionFields,
    ) -> Result<Outcome, roundtable_core::Denial> {
        let req = TransitionRequest { transition: transition.into(), version: issue.version, fields };
        apply(&self.wf, issue, actor, &req, now())
    }

    pub fn assigned(&self) -> Issue {
        let raised = self.raise_by(&self.supervisor);
        self.fire(&raised, &self.secretary, "assign", assign_to(self.anshang)).issue
    }

    pub fn committed(&self) -> Issue {
        self.fire(&self.assigned(), &self.anshang_staff, "commit", commitment(date(2026, 12, 20))).issue
    }

    pub fn resolved(&self) -> Issue {
        self.fire(&self.committed(), &self.anshang_staff, "resolve", resolution()).issue
    }
}

/// The test clock: Sunday 6 December 2026, 00:30 in Shanghai — still Saturday in UTC.
pub fn now() -> DateTime<Tz> {
    Shanghai.with_ymd_and_hms(2026, 12, 6, 0, 30, 0).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn assign_to(org: OrgId) -> TransitionFields {
    TransitionFields { responsible_org: Some(org), ..Default::default() }
}

pub fn commitment(due: NaiveDate) -> TransitionFields {
    TransitionFields {
        commitment_text: Some("更换地下室防水层".into()), due_date: Some(due), ..Default::default()
    }
}

pub fn resolution() -> TransitionFields {
    TransitionFields { resolution_note: Some("防水层已更换".into()), ..Default::default() }
}

pub fn satisfaction(n: i64) -> TransitionFields {
    TransitionFields { satisfaction: Some(n), ..Default::default() }
}

pub fn reason(text: &str) -> TransitionFields {
    TransitionFields { reason: Some(text.into()), ..Default::default() }
}
