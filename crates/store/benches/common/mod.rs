//! What the store's benchmarks share: a community with one resident who raises, and a
//! scratch PostgreSQL database when the environment names a server.

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use roundtable_core::{Actor, Community, CommunityId, Compound, CompoundId, Role, User, UserId, Workflow};
use roundtable_store::{DbConn, directory};

const WORKFLOW: &str = include_str!("../../../../workflows/issue.toml");

/// Who raises the benchmark's issues, where, under which workflow.
#[allow(dead_code)] // each benchmark reads what it needs
pub struct Raiser {
    pub community: CommunityId,
    pub compound: CompoundId,
    pub actor: Actor,
    pub wf: Workflow,
}

/// Dongsheng Community with the compound Junyue Bay and a resident of it, stored.
pub fn raiser(conn: &mut DbConn) -> Raiser {
    let now = Utc::now();
    let community = Community::new("东圣社区", chrono_tz::Asia::Shanghai, "zh-CN", now);
    directory::insert_community(conn, &community).unwrap();
    let compound = Compound {
        id: CompoundId::new(),
        community: community.id,
        name: "君悦湾".into(),
        created_at: now,
        location: None,
    };
    directory::insert_compound(conn, &compound).unwrap();
    let user = User {
        id: UserId::new(),
        community: community.id,
        login: "bench".into(),
        display_name: "bench".into(),
        email: None,
        phone: None,
        roles: vec![Role::Resident],
        locale: None,
        compound: Some(compound.id),
        buildings: Vec::new(),
        organisations: vec![],
        disabled: false,
        created_at: now,
    };
    directory::insert_user(conn, &user, "x").unwrap();
    let actor = Actor { user: user.id, community: community.id, roles: [Role::Resident].into(), memberships: vec![] };
    let wf = Workflow::from_toml("issue.toml", WORKFLOW).unwrap();
    Raiser { community: community.id, compound: compound.id, actor, wf }
}

/// Runs `f` with the URL of a fresh PostgreSQL database (dropped afterwards), when
/// ROUNDTABLE_TEST_POSTGRES_URL names a server; says so when it does not.
pub fn on_postgres<T>(f: impl FnOnce(&str) -> T) -> Option<T> {
    let Some(admin) = std::env::var("ROUNDTABLE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        println!("PostgreSQL skipped: ROUNDTABLE_TEST_POSTGRES_URL is not set");
        return None;
    };
    let name = format!("roundtable_bench_{}", UserId::new().0.simple());
    let mut conn = PgConnection::establish(&admin).unwrap();
    conn.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let result = f(&format!("{base}/{name}"));
    conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
    Some(result)
}
