//! Reference data and the actor a user acts as.

use chrono::Utc;
use roundtable_core::{OrgKind, Role, User, UserId};
use roundtable_store::{StoreError, directory};

use crate::harness::*;
use roundtable_store::on_both_databases;

on_both_databases!(
    users_and_their_actor_read_back,
    a_login_is_unique,
    a_compound_has_one_building_of_a_name,
    a_building_goes_only_while_nothing_names_it,
    a_community_has_one_compound_and_one_organisation_of_a_name,
    an_unknown_time_zone_is_named_not_guessed,
    a_community_lists_its_users_with_their_organisations_and_names_them_in_one_go,
    migrating_keeps_phone_numbers_by_their_digits,
    migrating_stops_the_street_offices_follows_elsewhere
);

/// An older build kept a number as typed on `/admin` (`138-0013-8000`): its owner could not
/// sign in with it. Migrating keeps it by its digits; what is no number stays as it was.
fn migrating_keeps_phone_numbers_by_their_digits(t: &TestDb) {
    use diesel::connection::SimpleConnection;
    let town = Town::build(&t.db);
    let (typed, garbled) = (town.resident.user, town.supervisor.user);
    {
        let conn = &mut *t.db.conn().unwrap();
        conn.batch_execute(&format!("UPDATE users SET phone = '+86 138-0013-8000' WHERE id = '{typed}'")).unwrap();
        conn.batch_execute(&format!("UPDATE users SET phone = 'call the office' WHERE id = '{garbled}'")).unwrap();
        let before = directory::user_for_sign_in(conn, "13800138000", Some("13800138000")).unwrap();
        assert!(before.is_none(), "as typed, the number signs nobody in");
    }
    t.db.migrate().unwrap();
    let conn = &mut *t.db.conn().unwrap();
    let found = directory::user_for_sign_in(conn, "13800138000", Some("13800138000")).unwrap();
    assert_eq!(found.map(|(u, _)| u.id), Some(typed));
    assert_eq!(directory::get_user(conn, garbled).unwrap().phone.as_deref(), Some("call the office"));
    assert_eq!(directory::normalise_phones(conn).unwrap(), 0, "once is enough");
}

/// The list (and the names a timeline shows) read every user's memberships at once;
/// each user still gets exactly their own organisations, and no other community's users.
fn a_community_lists_its_users_with_their_organisations_and_names_them_in_one_go(t: &TestDb) {
    let town = Town::build(&t.db);
    let conn = &mut *t.db.conn().unwrap();
    let listed = directory::list_users(conn, town.community).unwrap();
    for user in &listed {
        assert_eq!(user, &directory::get_user(conn, user.id).unwrap(), "as read one by one");
    }
    assert!(listed.iter().any(|u| u.organisations == [town.anshang]));
    assert!(directory::list_users(conn, roundtable_core::CommunityId::new()).unwrap().is_empty());
    let ids = [town.supervisor.user, town.resident.user, UserId::new()];
    let names = directory::display_names(conn, &ids).unwrap();
    assert_eq!(names.len(), 2, "an unknown id has no name");
    assert_eq!(names[&town.supervisor.user], directory::get_user(conn, town.supervisor.user).unwrap().display_name);
}

/// A community's zone decides every due date and meeting time: one the program cannot
/// read is an error naming it, never quietly Shanghai.
fn an_unknown_time_zone_is_named_not_guessed(t: &TestDb) {
    use diesel::connection::SimpleConnection;
    let town = Town::build(&t.db);
    let conn = &mut *t.db.conn().unwrap();
    assert_eq!(directory::get_community(conn, town.community).unwrap().time_zone, chrono_tz::Asia::Shanghai);
    conn.batch_execute("UPDATE communities SET time_zone = 'Mars/Olympus_Mons'").unwrap();
    match directory::get_community(conn, town.community) {
        Err(StoreError::Corrupt(why)) => assert!(why.contains("Mars/Olympus_Mons"), "{why}"),
        other => panic!("expected the zone to be refused, got {other:?}"),
    }
}

fn users_and_their_actor_read_back(t: &TestDb) {
    let town = Town::build(&t.db);
    let conn = &mut *t.db.conn().unwrap();
    let actor = directory::actor(conn, town.anshang_staff.user).unwrap();
    assert_eq!(actor.community, town.community);
    assert!(actor.has_role(Role::Property));
    assert_eq!(actor.memberships.len(), 1);
    assert_eq!((actor.memberships[0].org, actor.memberships[0].kind), (town.anshang, OrgKind::PropertyCompany));

    let compounds = directory::compounds(conn, town.community).unwrap();
    assert_eq!(compounds.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["君悦湾", "鼎秀华城"]);
    let orgs = directory::organisations(conn, town.community).unwrap();
    assert_eq!(orgs.len(), 4);
    assert_eq!(directory::get_organisation(conn, town.xiean).unwrap().name, "谐安物业");
    assert!(matches!(directory::get_organisation(conn, roundtable_core::OrgId::new()), Err(StoreError::NotFound)));

    let user = directory::get_user(conn, town.supervisor.user).unwrap();
    let (by_login, hash) = directory::user_by_login(conn, &user.login).unwrap().unwrap();
    assert_eq!(by_login, user);
    assert_eq!(hash, "$argon2id$test");
    assert!(directory::user_by_login(conn, "nobody").unwrap().is_none());
}

/// Two administrators adding the second phase's "21号楼" at once: the database keeps one.
/// Another compound may have its own.
fn a_compound_has_one_building_of_a_name(t: &TestDb) {
    use roundtable_core::{Building, BuildingId};
    let town = Town::build(&t.db);
    let conn = &mut *t.db.conn().unwrap();
    let building =
        |compound| Building { id: BuildingId::new(), community: town.community, compound, name: "21号楼".into() };
    directory::insert_building(conn, &building(town.junyue)).unwrap();
    match directory::insert_building(conn, &building(town.junyue)) {
        Err(StoreError::Duplicate(what)) => assert_eq!(what, "building"),
        other => panic!("expected a duplicate building, got {other:?}"),
    }
    directory::insert_building(conn, &building(town.dingxiu)).unwrap();
    let names: Vec<String> = directory::buildings(conn, town.junyue).unwrap().into_iter().map(|b| b.name).collect();
    assert_eq!(names.iter().filter(|n| *n == "21号楼").count(), 1, "{names:?}");
}

/// A building added by mistake goes; one an issue names stays (`InUse`) — the foreign key
/// refuses it on both databases, so an issue raised in the same instant keeps its building.
fn a_building_goes_only_while_nothing_names_it(t: &TestDb) {
    use roundtable_core::{Building, BuildingId, Issue, NewIssue};
    let town = Town::build(&t.db);
    let conn = &mut *t.db.conn().unwrap();
    let building = |name: &str| Building {
        id: BuildingId::new(),
        community: town.community,
        compound: town.junyue,
        name: name.into(),
    };
    let (spare, named) = (building("99号楼"), building("3号楼"));
    directory::insert_building(conn, &spare).unwrap();
    directory::insert_building(conn, &named).unwrap();
    let new = NewIssue {
        title: "3号楼电梯停运".into(),
        description: String::new(),
        category: "facilities".into(),
        urgency: Default::default(),
        compound: town.junyue,
        building: Some(named.id),
        unit: None,
    };
    let (issue, event) = Issue::raise(&town.wf, new, &town.supervisor, Utc::now());
    roundtable_store::issues::insert_issue(conn, &issue, &event).unwrap();
    match directory::remove_building(conn, named.id) {
        Err(StoreError::InUse(what)) => assert_eq!(what, "building"),
        other => panic!("expected a building in use, got {other:?}"),
    }
    directory::remove_building(conn, spare.id).unwrap();
    assert!(matches!(directory::remove_building(conn, spare.id), Err(StoreError::NotFound)));
    let names: Vec<String> = directory::buildings(conn, town.junyue).unwrap().into_iter().map(|b| b.name).collect();
    assert!(names.contains(&"3号楼".to_owned()) && !names.contains(&"99号楼".to_owned()), "{names:?}");
}

/// Two administrators adding (or renaming to) the same name at once: the database keeps
/// one. Another community may have its own.
fn a_community_has_one_compound_and_one_organisation_of_a_name(t: &TestDb) {
    use roundtable_core::{Compound, CompoundId, OrgId, Organisation};
    let town = Town::build(&t.db);
    let conn = &mut *t.db.conn().unwrap();
    let junyue = directory::compounds(conn, town.community).unwrap().into_iter().find(|c| c.id == town.junyue).unwrap();
    let twin = Compound { id: CompoundId::new(), ..junyue.clone() };
    assert!(matches!(directory::insert_compound(conn, &twin), Err(StoreError::Duplicate(_))));
    assert!(matches!(directory::rename_compound(conn, town.dingxiu, &junyue.name), Err(StoreError::Duplicate(_))));
    let anshang = directory::get_organisation(conn, town.anshang).unwrap();
    let twin = Organisation { id: OrgId::new(), ..anshang.clone() };
    assert!(matches!(directory::insert_organisation(conn, &twin), Err(StoreError::Duplicate(_))));
    assert!(matches!(directory::rename_organisation(conn, town.xiean, &anshang.name), Err(StoreError::Duplicate(_))));
    let elsewhere = roundtable_core::Community::new("西城社区", chrono_tz::Asia::Shanghai, "zh-CN", Utc::now());
    directory::insert_community(conn, &elsewhere).unwrap();
    let theirs = Organisation { id: OrgId::new(), community: elsewhere.id, ..anshang };
    directory::insert_organisation(conn, &theirs).unwrap();
}

fn a_login_is_unique(t: &TestDb) {
    let town = Town::build(&t.db);
    let conn = &mut *t.db.conn().unwrap();
    let existing = directory::get_user(conn, town.resident.user).unwrap();
    let twin = User { id: UserId::new(), created_at: Utc::now(), ..existing };
    match directory::insert_user(conn, &twin, "x") {
        Err(StoreError::Duplicate(what)) => assert_eq!(what, "login"),
        other => panic!("expected a duplicate login, got {other:?}"),
    }
    assert!(matches!(directory::get_user(conn, twin.id), Err(StoreError::NotFound)), "nothing half-written");
}

/// An older build made the street office follow its calls into the other communities of
/// its street: their notices were counted in its bell and never listed. The migration
/// stops those follows and reads those notices; a follow in one's own community stays.
fn migrating_stops_the_street_offices_follows_elsewhere(t: &TestDb) {
    use diesel::connection::SimpleConnection;
    let town = Town::build(&t.db);
    let issue = town.raise(&t.db, "燃气管道老化", town.junyue);
    let at = Utc::now();
    let conn = &mut *t.db.conn().unwrap();
    let home = roundtable_core::Community::new("西城社区", chrono_tz::Asia::Shanghai, "zh-CN", at);
    directory::insert_community(conn, &home).unwrap();
    let street = User {
        id: UserId::new(),
        community: home.id,
        login: "street-office".into(),
        display_name: "街道".into(),
        email: None,
        phone: None,
        roles: vec![Role::Street],
        locale: None,
        compound: None,
        buildings: Vec::new(),
        organisations: Vec::new(),
        disabled: false,
        created_at: at,
    };
    directory::insert_user(conn, &street, "$argon2id$test").unwrap();
    let (elsewhere, own) = (street.id, town.resident.user);
    for user in [elsewhere, own] {
        roundtable_store::notices::set_following(conn, issue.id, town.community, user, true, at).unwrap();
        conn.batch_execute(&format!(
            "INSERT INTO notices (id, community_id, user_id, issue_id, version, transition, actor_id, created_at) \
             VALUES ('{}', '{}', '{user}', '{}', 1, 'raise', '{user}', '2026-12-01 08:00:00')",
            uuid::Uuid::now_v7(),
            town.community,
            issue.id
        ))
        .unwrap();
    }
    let up = match conn {
        roundtable_store::DbConn::Sqlite(_) => {
            include_str!("../../migrations/sqlite/2026-12-24-000000_street_calls_unfollowed/up.sql")
        }
        _ => include_str!("../../migrations/postgres/2026-12-24-000000_street_calls_unfollowed/up.sql"),
    };
    conn.batch_execute(up).unwrap();
    let following =
        |conn: &mut roundtable_store::DbConn, user| roundtable_store::notices::following(conn, issue.id, user).unwrap();
    assert_eq!(following(conn, elsewhere), Some(false), "stopped");
    assert_eq!(following(conn, own), Some(true), "kept");
    assert_eq!(roundtable_store::notices::unread_count(conn, elsewhere).unwrap(), 0);
    assert_eq!(roundtable_store::notices::unread_count(conn, own).unwrap(), 1);
}
