//! Test databases and a small Dongsheng Community to fill them with.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::{Asia::Shanghai, Tz};
use roundtable_core::{
    Actor, Community, CommunityId, Compound, CompoundId, Issue, NewIssue, OrgId, OrgKind, Organisation, Outcome, Role,
    TransitionFields, TransitionRequest, User, UserId, Workflow, apply,
};
use roundtable_store::{Db, directory, issues};

pub use roundtable_store::testing::{POSTGRES_ENV, TestDb};

pub const WORKFLOW: &str = include_str!("../../../../workflows/issue.toml");

/// Sunday 6 December 2026, 00:30 in Shanghai.
pub fn now() -> DateTime<Tz> {
    Shanghai.with_ymd_and_hms(2026, 12, 6, 0, 30, 0).unwrap()
}

/// A community with two compounds, Anshang and Xie'an, the supervisory committee and
/// one person per role, stored in the database.
pub struct Town {
    pub wf: Workflow,
    pub community: CommunityId,
    pub junyue: CompoundId,
    pub dingxiu: CompoundId,
    pub anshang: OrgId,
    pub xiean: OrgId,
    pub secretary: Actor,
    pub supervisor: Actor,
    pub anshang_staff: Actor,
    pub resident: Actor,
}

impl Town {
    pub fn build(db: &Db) -> Town {
        let conn = &mut db.conn().unwrap();
        let at = now().with_timezone(&Utc);
        let community = Community::new("东圣社区", chrono_tz::Asia::Shanghai, "zh-CN", at);
        directory::insert_community(conn, &community).unwrap();
        let mut compound = |name: &str| {
            let c = Compound {
                id: CompoundId::new(),
                community: community.id,
                name: name.into(),
                created_at: at,
                location: None,
            };
            directory::insert_compound(conn, &c).unwrap();
            c.id
        };
        let (junyue, dingxiu) = (compound("君悦湾"), compound("鼎秀华城"));
        let mut org = |kind, name: &str, compound| {
            let o = Organisation {
                id: OrgId::new(),
                community: community.id,
                kind,
                name: name.into(),
                contact_emails: vec![format!("{}@example.org", name.len())],
                compound,
                created_at: at,
            };
            directory::insert_organisation(conn, &o).unwrap();
            o.id
        };
        let anshang = org(OrgKind::PropertyCompany, "安尚物业", Some(junyue));
        let xiean = org(OrgKind::PropertyCompany, "谐安物业", Some(dingxiu));
        let supervisory = org(OrgKind::SupervisoryCommittee, "业主监督委员会", None);
        let rc = org(OrgKind::ResidentsCommittee, "社区居委会", None);
        let mut person = |login: &str, role: Role, orgs: Vec<OrgId>| {
            let u = User {
                id: UserId::new(),
                community: community.id,
                login: format!("{login}-{}", UserId::new().0.simple()),
                display_name: login.into(),
                email: Some(format!("{login}@dongsheng.example")),
                phone: None,
                roles: vec![role],
                locale: None,
                compound: Some(junyue),
                buildings: Vec::new(),
                organisations: orgs,
                disabled: false,
                created_at: at,
            };
            directory::insert_user(conn, &u, "$argon2id$test").unwrap();
            directory::actor(conn, u.id).unwrap()
        };
        Town {
            wf: Workflow::from_toml("issue.toml", WORKFLOW).unwrap(),
            secretary: person("secretary", Role::Secretary, vec![rc]),
            supervisor: person("supervisor", Role::Supervisor, vec![supervisory]),
            anshang_staff: person("anshang", Role::Property, vec![anshang]),
            resident: person("resident", Role::Resident, vec![]),
            community: community.id,
            junyue,
            dingxiu,
            anshang,
            xiean,
        }
    }

    pub fn raise(&self, db: &Db, title: &str, compound: CompoundId) -> Issue {
        self.raise_at(db, title, compound, now().with_timezone(&Utc))
    }

    pub fn raise_at(&self, db: &Db, title: &str, compound: CompoundId, at: DateTime<Utc>) -> Issue {
        let new = NewIssue {
            title: title.into(),
            description: format!("{title}，请尽快处理"),
            category: "building".into(),
            urgency: Default::default(),
            compound,
            building: None,
            unit: None,
        };
        let (issue, event) = Issue::raise(&self.wf, new, &self.supervisor, at);
        issues::insert_issue(&mut db.conn().unwrap(), &issue, &event).unwrap();
        issue
    }

    pub fn outcome(&self, issue: &Issue, actor: &Actor, transition: &str, fields: TransitionFields) -> Outcome {
        self.outcome_at(issue, actor, transition, fields, now().with_timezone(&Utc))
    }

    fn outcome_at(
        &self,
        issue: &Issue,
        actor: &Actor,
        transition: &str,
        fields: TransitionFields,
        at: DateTime<Utc>,
    ) -> Outcome {
        let req = TransitionRequest { transition: transition.into(), version: issue.version, fields };
        apply(&self.wf, issue, actor, &req, at.with_timezone(&Shanghai)).unwrap()
    }

    /// The secretary assigns `issue` to `org`.
    pub fn assign(&self, db: &Db, issue: &Issue, org: OrgId) -> Issue {
        let fields = TransitionFields { responsible_org: Some(org), ..Default::default() };
        self.fire(db, issue, &self.secretary, "assign", fields)
    }

    /// Fires and persists a transition; returns the stored issue.
    pub fn fire(&self, db: &Db, issue: &Issue, actor: &Actor, transition: &str, fields: TransitionFields) -> Issue {
        self.fire_at(db, issue, actor, transition, fields, now().with_timezone(&Utc))
    }

    /// Fires and persists a transition at `at`.
    pub fn fire_at(
        &self,
        db: &Db,
        issue: &Issue,
        actor: &Actor,
        transition: &str,
        fields: TransitionFields,
        at: DateTime<Utc>,
    ) -> Issue {
        let out = self.outcome_at(issue, actor, transition, fields, at);
        issues::record_transition(&mut db.conn().unwrap(), &out).unwrap();
        out.issue
    }
}
