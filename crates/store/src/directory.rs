//! Reference data: communities, compounds, buildings, organisations, users and the
//! actor (roles + memberships) a user acts as.

use diesel::prelude::*;
use roundtable_core::{
    Actor, Building, BuildingId, Community, CommunityId, Compound, CompoundId, GeoPoint, Membership, OrgId, OrgKind,
    Organisation, Role, User, UserId,
};

use crate::convert::{id_opt, parse, parse_opt, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::{buildings, communities, compounds, memberships, organisations, user_buildings, users};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = communities)]
struct CommunityRow {
    id: String,
    name: String,
    time_zone: String,
    default_locale: String,
    created_at: chrono::NaiveDateTime,
    meeting_time: Option<String>,
    meeting_place: Option<String>,
    workflow: Option<String>,
    settings: Option<String>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = compounds)]
struct CompoundRow {
    id: String,
    community_id: String,
    name: String,
    created_at: chrono::NaiveDateTime,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = buildings)]
struct BuildingRow {
    id: String,
    community_id: String,
    compound_id: String,
    name: String,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: String,
    community_id: String,
    kind: String,
    name: String,
    contact_emails: String,
    compound_id: Option<String>,
    created_at: chrono::NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    community_id: String,
    login: String,
    display_name: String,
    email: Option<String>,
    phone: Option<String>,
    password_hash: String,
    roles: String,
    locale: Option<String>,
    compound_id: Option<String>,
    disabled: bool,
    created_at: chrono::NaiveDateTime,
}

pub fn insert_community(conn: &mut DbConn, c: &Community) -> Result<()> {
    let row = CommunityRow {
        id: c.id.to_string(),
        name: c.name.clone(),
        time_zone: c.time_zone.name().to_owned(),
        default_locale: c.default_locale.clone(),
        created_at: ts(c.created_at),
        meeting_time: c.meeting_time.map(|t| t.format("%H:%M").to_string()),
        meeting_place: c.meeting_place.clone(),
        workflow: c.workflow.clone(),
        settings: c.settings.clone(),
    };
    diesel::insert_into(communities::table).values(&row).execute(conn).map_err(StoreError::from_insert("community"))?;
    Ok(())
}

fn community(r: CommunityRow) -> Result<Community> {
    let time_zone = r
        .time_zone
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("community {} has an unknown time zone `{}`", r.name, r.time_zone)))?;
    Ok(Community {
        id: parse("community id", &r.id)?,
        name: r.name,
        time_zone,
        default_locale: r.default_locale,
        created_at: utc(r.created_at),
        meeting_time: r
            .meeting_time
            .map(|t| chrono::NaiveTime::parse_from_str(&t, "%H:%M"))
            .transpose()
            .map_err(|_| StoreError::Corrupt(format!("community {} has a meeting time that is not HH:MM", r.id)))?,
        meeting_place: r.meeting_place,
        workflow: r.workflow,
        settings: r.settings,
    })
}

/// An update of one community's row: `NotFound` if there is no such community.
fn one_row(updated: usize) -> Result<()> {
    if updated == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

/// Puts a community in a street office (街道), or takes it out with `None`.
pub fn set_street(conn: &mut DbConn, community: CommunityId, street: Option<&str>) -> Result<()> {
    let n = diesel::update(communities::table.find(community.to_string()))
        .set(communities::street.eq(street))
        .execute(conn)?;
    one_row(n)
}

/// When and where a community meets, where it differs from the deployment's settings
/// (`None` keeps the deployment's).
pub fn set_meeting(
    conn: &mut DbConn,
    community: CommunityId,
    time: Option<chrono::NaiveTime>,
    place: Option<&str>,
) -> Result<()> {
    let n = diesel::update(communities::table.find(community.to_string()))
        .set((
            communities::meeting_time.eq(time.map(|t| t.format("%H:%M").to_string())),
            communities::meeting_place.eq(place),
        ))
        .execute(conn)?;
    one_row(n)
}

/// The workflow a community's new issues follow, its default language and its own
/// settings (TOML); `None` goes back to the deployment's. The caller has validated them.
pub fn set_own_settings(
    conn: &mut DbConn,
    community: CommunityId,
    workflow: Option<&str>,
    locale: &str,
    settings: Option<&str>,
) -> Result<()> {
    let n = diesel::update(communities::table.find(community.to_string()))
        .set((
            communities::workflow.eq(workflow),
            communities::default_locale.eq(locale),
            communities::settings.eq(settings),
        ))
        .execute(conn)?;
    one_row(n)
}

/// The street office a community belongs to, if any.
pub fn street_of(conn: &mut DbConn, community: CommunityId) -> Result<Option<String>> {
    Ok(communities::table
        .find(community.to_string())
        .select(communities::street)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The communities of a street office, by name.
pub fn street_communities(conn: &mut DbConn, street: &str) -> Result<Vec<Community>> {
    let rows: Vec<CommunityRow> = communities::table
        .filter(communities::street.eq(street))
        .select(CommunityRow::as_select())
        .order(communities::name)
        .load(conn)?;
    rows.into_iter().map(community).collect()
}

pub fn communities(conn: &mut DbConn) -> Result<Vec<Community>> {
    let rows: Vec<CommunityRow> =
        communities::table.select(CommunityRow::as_select()).order(communities::name).load(conn)?;
    rows.into_iter().map(community).collect()
}

pub fn insert_compound(conn: &mut DbConn, c: &Compound) -> Result<()> {
    let row = CompoundRow {
        id: c.id.to_string(),
        community_id: c.community.to_string(),
        name: c.name.clone(),
        created_at: ts(c.created_at),
        latitude: c.location.map(|p| p.lat),
        longitude: c.location.map(|p| p.long),
    };
    diesel::insert_into(compounds::table).values(&row).execute(conn).map_err(StoreError::from_insert("compound"))?;
    Ok(())
}

/// Sets where a compound lies (`None`: not known).
pub fn set_compound_location(conn: &mut DbConn, compound: CompoundId, at: Option<GeoPoint>) -> Result<()> {
    let n = diesel::update(compounds::table.find(compound.to_string()))
        .set((compounds::latitude.eq(at.map(|p| p.lat)), compounds::longitude.eq(at.map(|p| p.long))))
        .execute(conn)?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub fn compounds(conn: &mut DbConn, community: CommunityId) -> Result<Vec<Compound>> {
    compounds_of(conn, &[community])
}

/// The compounds of all of `communities`, in one query (each names its community).
pub fn compounds_of(conn: &mut DbConn, communities: &[CommunityId]) -> Result<Vec<Compound>> {
    let rows: Vec<CompoundRow> = compounds::table
        .filter(compounds::community_id.eq_any(communities.iter().map(|c| c.to_string())))
        .select(CompoundRow::as_select())
        .order(compounds::id)
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(Compound {
                id: parse("compound id", &r.id)?,
                community: parse("community id", &r.community_id)?,
                name: r.name,
                created_at: utc(r.created_at),
                location: r.latitude.zip(r.longitude).and_then(|(lat, long)| GeoPoint::new(lat, long)),
            })
        })
        .collect()
}

/// Whether `compound` is one of `community`'s, and (if given) `building` one of its
/// buildings: what raising an issue checks, in two index lookups rather than the lists.
pub fn place_exists(
    conn: &mut DbConn,
    community: CommunityId,
    compound: CompoundId,
    building: Option<BuildingId>,
) -> Result<(bool, bool)> {
    let (community, compound_id) = (community.to_string(), compound.to_string());
    let query =
        compounds::table.find(&compound_id).filter(compounds::community_id.eq(&community)).select(compounds::id);
    let known: Option<String> = crate::on_backend!(conn, |c| query.get_result(c).optional())?;
    let building_ok = match building {
        Some(b) if known.is_some() => {
            let query = buildings::table
                .find(b.to_string())
                .filter(buildings::compound_id.eq(&compound_id))
                .select(buildings::id);
            crate::on_backend!(conn, |c| query.get_result::<String>(c).optional())?.is_some()
        }
        _ => true,
    };
    Ok((known.is_some(), building_ok))
}

pub fn insert_building(conn: &mut DbConn, b: &Building) -> Result<()> {
    let row = BuildingRow {
        id: b.id.to_string(),
        community_id: b.community.to_string(),
        compound_id: b.compound.to_string(),
        name: b.name.clone(),
    };
    diesel::insert_into(buildings::table).values(&row).execute(conn).map_err(StoreError::from_insert("building"))?;
    Ok(())
}

/// A compound and its buildings, all or nothing.
pub fn insert_compound_with_buildings(conn: &mut DbConn, c: &Compound, buildings: &[Building]) -> Result<()> {
    crate::db::atomically(conn, |conn| {
        insert_compound(conn, c)?;
        buildings.iter().try_for_each(|b| insert_building(conn, b))
    })
}

/// Removes a building nothing names. One that an issue, a building leader or an invitation
/// names is `InUse`: the foreign keys refuse it, in the same instant as anything that would
/// come to name it (no check-then-delete race on either database).
pub fn remove_building(conn: &mut DbConn, id: BuildingId) -> Result<()> {
    let n = diesel::delete(buildings::table.find(id.to_string())).execute(conn).map_err(|e| match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _) => {
            StoreError::InUse("building".into())
        }
        other => other.into(),
    })?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

pub fn buildings(conn: &mut DbConn, compound: CompoundId) -> Result<Vec<Building>> {
    let rows: Vec<BuildingRow> = buildings::table
        .filter(buildings::compound_id.eq(compound.to_string()))
        .select(BuildingRow::as_select())
        .order(buildings::name)
        .load(conn)?;
    rows.into_iter().map(Building::try_from).collect()
}

/// Every building of a community (for choosing one when raising an issue), grouped by
/// compound, by name.
pub fn community_buildings(conn: &mut DbConn, community: CommunityId) -> Result<Vec<Building>> {
    let rows: Vec<BuildingRow> = buildings::table
        .filter(buildings::community_id.eq(community.to_string()))
        .select(BuildingRow::as_select())
        .order((buildings::compound_id, buildings::name))
        .load(conn)?;
    rows.into_iter().map(Building::try_from).collect()
}

impl TryFrom<BuildingRow> for Building {
    type Error = StoreError;

    fn try_from(r: BuildingRow) -> Result<Self> {
        Ok(Building {
            id: parse("building id", &r.id)?,
            community: parse("community id", &r.community_id)?,
            compound: parse("compound id", &r.compound_id)?,
            name: r.name,
        })
    }
}

pub fn insert_organisation(conn: &mut DbConn, o: &Organisation) -> Result<()> {
    let row = OrganisationRow {
        id: o.id.to_string(),
        community_id: o.community.to_string(),
        kind: o.kind.to_string(),
        name: o.name.clone(),
        contact_emails: o.contact_emails.join(","),
        compound_id: id_opt(o.compound),
        created_at: ts(o.created_at),
    };
    diesel::insert_into(organisations::table)
        .values(&row)
        .execute(conn)
        .map_err(StoreError::from_insert("organisation"))?;
    Ok(())
}

fn organisation(r: OrganisationRow) -> Result<Organisation> {
    Ok(Organisation {
        id: parse("organisation id", &r.id)?,
        community: parse("community id", &r.community_id)?,
        kind: parse("organisation kind", &r.kind)?,
        name: r.name,
        contact_emails: r.contact_emails.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        compound: parse_opt("compound id", r.compound_id.as_deref())?,
        created_at: utc(r.created_at),
    })
}

pub fn organisations(conn: &mut DbConn, community: CommunityId) -> Result<Vec<Organisation>> {
    let rows: Vec<OrganisationRow> = organisations::table
        .filter(organisations::community_id.eq(community.to_string()))
        .select(OrganisationRow::as_select())
        .order(organisations::id)
        .load(conn)?;
    rows.into_iter().map(organisation).collect()
}

/// The organisations of several communities, in one query.
pub fn organisations_of(conn: &mut DbConn, communities: &[CommunityId]) -> Result<Vec<Organisation>> {
    let ids: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
    let rows: Vec<OrganisationRow> = organisations::table
        .filter(organisations::community_id.eq_any(ids))
        .select(OrganisationRow::as_select())
        .order(organisations::id)
        .load(conn)?;
    rows.into_iter().map(organisation).collect()
}

/// Sets the addresses an organisation's mail goes to (its staff changed, or a notice
/// bounced): the next notice, and a dead one sent again, go to these.
pub fn set_contact_emails(conn: &mut DbConn, id: OrgId, emails: &[String]) -> Result<()> {
    let n = diesel::update(organisations::table.find(id.to_string()))
        .set(organisations::contact_emails.eq(emails.join(",")))
        .execute(conn)?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

/// Renames an organisation; a name another of its community's has is `Duplicate`.
pub fn rename_organisation(conn: &mut DbConn, id: OrgId, name: &str) -> Result<()> {
    let n = diesel::update(organisations::table.find(id.to_string()))
        .set(organisations::name.eq(name))
        .execute(conn)
        .map_err(StoreError::from_insert("organisation"))?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

/// Renames a compound; a name another of its community's has is `Duplicate`.
pub fn rename_compound(conn: &mut DbConn, id: CompoundId, name: &str) -> Result<()> {
    let n = diesel::update(compounds::table.find(id.to_string()))
        .set(compounds::name.eq(name))
        .execute(conn)
        .map_err(StoreError::from_insert("compound"))?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

/// Renames a building; a name another of its compound's has is `Duplicate`.
pub fn rename_building(conn: &mut DbConn, id: BuildingId, name: &str) -> Result<()> {
    let n = diesel::update(buildings::table.find(id.to_string()))
        .set(buildings::name.eq(name))
        .execute(conn)
        .map_err(StoreError::from_insert("building"))?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

pub fn get_organisation(conn: &mut DbConn, id: OrgId) -> Result<Organisation> {
    let row: Option<OrganisationRow> =
        organisations::table.find(id.to_string()).select(OrganisationRow::as_select()).first(conn).optional()?;
    organisation(row.ok_or(StoreError::NotFound)?)
}

/// Inserts a user with a password hash made by the caller, and the memberships.
pub fn insert_user(conn: &mut DbConn, u: &User, password_hash: &str) -> Result<()> {
    let row = UserRow {
        id: u.id.to_string(),
        community_id: u.community.to_string(),
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        email: u.email.clone(),
        phone: u.phone.clone(),
        password_hash: password_hash.to_owned(),
        roles: u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","),
        locale: u.locale.clone(),
        compound_id: id_opt(u.compound),
        disabled: u.disabled,
        created_at: ts(u.created_at),
    };
    crate::db::atomically(conn, |conn| {
        diesel::insert_into(users::table).values(&row).execute(conn).map_err(StoreError::from_insert("login"))?;
        belongings(conn, u)
    })
}

/// An account's organisations, in order (the first is its default), and its buildings.
fn belongings(conn: &mut DbConn, u: &User) -> Result<()> {
    for (position, org) in u.organisations.iter().enumerate() {
        diesel::insert_into(memberships::table)
            .values((
                memberships::user_id.eq(u.id.to_string()),
                memberships::org_id.eq(org.to_string()),
                memberships::community_id.eq(u.community.to_string()),
                memberships::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    set_buildings(conn, u.id, u.community, &u.buildings)
}

/// The buildings a building leader speaks for (replacing those before).
pub fn set_buildings(
    conn: &mut DbConn,
    user: UserId,
    community: roundtable_core::CommunityId,
    list: &[BuildingId],
) -> Result<()> {
    diesel::delete(user_buildings::table.filter(user_buildings::user_id.eq(user.to_string()))).execute(conn)?;
    for b in list {
        diesel::insert_into(user_buildings::table)
            .values((
                user_buildings::user_id.eq(user.to_string()),
                user_buildings::building_id.eq(b.to_string()),
                user_buildings::community_id.eq(community.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// What an account does: its roles, the organisations it acts for (the first is its
/// default), its compound and the buildings it leads — replacing what was, all or nothing.
pub fn set_place(conn: &mut DbConn, u: &User) -> Result<()> {
    let id = u.id.to_string();
    crate::db::atomically(conn, |conn| {
        let roles = u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
        let n = diesel::update(users::table.find(&id))
            .set((users::roles.eq(roles), users::compound_id.eq(id_opt(u.compound))))
            .execute(conn)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        diesel::delete(memberships::table.filter(memberships::user_id.eq(&id))).execute(conn)?;
        belongings(conn, u)
    })
}

fn buildings_of(conn: &mut DbConn, user: &str) -> Result<Vec<BuildingId>> {
    let ids: Vec<String> = user_buildings::table
        .filter(user_buildings::user_id.eq(user))
        .order(user_buildings::building_id)
        .select(user_buildings::building_id)
        .load(conn)?;
    ids.iter().map(|b| parse("building id", b)).collect()
}

fn user(conn: &mut DbConn, r: UserRow) -> Result<(User, String)> {
    let orgs: Vec<String> = memberships::table
        .filter(memberships::user_id.eq(&r.id))
        .order(memberships::position)
        .select(memberships::org_id)
        .load(conn)?;
    let orgs = orgs.iter().map(|o| parse("organisation id", o)).collect::<Result<_>>()?;
    let buildings = buildings_of(conn, &r.id)?;
    user_from_row(r, orgs, buildings)
}

fn user_from_row(r: UserRow, organisations: Vec<OrgId>, buildings: Vec<BuildingId>) -> Result<(User, String)> {
    let user = User {
        id: parse("user id", &r.id)?,
        community: parse("community id", &r.community_id)?,
        login: r.login,
        display_name: r.display_name,
        email: r.email,
        phone: r.phone,
        roles: r.roles.split(',').filter(|s| !s.is_empty()).map(|s| parse::<Role>("role", s)).collect::<Result<_>>()?,
        locale: r.locale,
        compound: parse_opt("compound id", r.compound_id.as_deref())?,
        buildings,
        organisations,
        disabled: r.disabled,
        created_at: utc(r.created_at),
    };
    Ok((user, r.password_hash))
}

pub fn get_user(conn: &mut DbConn, id: UserId) -> Result<User> {
    let row: Option<UserRow> = users::table.find(id.to_string()).select(UserRow::as_select()).first(conn).optional()?;
    Ok(user(conn, row.ok_or(StoreError::NotFound)?)?.0)
}

/// The user with this login and their password hash, for signing in.
pub fn user_by_login(conn: &mut DbConn, login: &str) -> Result<Option<(User, String)>> {
    let row: Option<UserRow> =
        users::table.filter(users::login.eq(login)).select(UserRow::as_select()).first(conn).optional()?;
    row.map(|r| user(conn, r)).transpose()
}

/// The user who signs in as `name`: the one with that login, else — when `name` is a phone
/// number (`phone`, its digits) or an e-mail address — the one enabled account that has
/// it. Two accounts sharing a number sign in by their logins only.
pub fn user_for_sign_in(conn: &mut DbConn, name: &str, phone: Option<&str>) -> Result<Option<(User, String)>> {
    if let Some(found) = user_by_login(conn, name)? {
        return Ok(Some(found));
    }
    let mut q = users::table.filter(users::disabled.eq(false)).into_boxed();
    q = match phone {
        Some(digits) => q.filter(users::phone.eq(digits.to_owned())),
        None if name.contains('@') => q.filter(users::email.eq(name.to_owned())),
        None => return Ok(None),
    };
    let rows: Vec<UserRow> = q.select(UserRow::as_select()).limit(2).load(conn)?;
    match <[UserRow; 1]>::try_from(rows) {
        Ok([row]) => user(conn, row).map(Some),
        Err(_) => Ok(None),
    }
}

/// Closes an account at its owner's request: what identifies them goes (name, login,
/// e-mail, phone, password, roles, memberships, buildings); the row stays, disabled, so
/// their issues and steps keep an author — shown as `shown_as`.
pub fn pseudonymise(conn: &mut DbConn, user: UserId, shown_as: &str) -> Result<()> {
    let id = user.to_string();
    diesel::update(users::table.find(&id))
        .set((
            users::display_name.eq(shown_as),
            users::login.eq(format!("deleted-{id}")),
            users::email.eq(None::<String>),
            users::phone.eq(None::<String>),
            // No password hashes to this: nobody signs in as a closed account.
            users::password_hash.eq("!closed"),
            users::roles.eq(""),
            users::disabled.eq(true),
        ))
        .execute(conn)?;
    diesel::delete(memberships::table.filter(memberships::user_id.eq(&id))).execute(conn)?;
    diesel::delete(user_buildings::table.filter(user_buildings::user_id.eq(&id))).execute(conn)?;
    Ok(())
}

/// Keeps every account's phone number by its digits, as sign-in by number looks it up:
/// accounts made on `/admin` or by `user add` before they were normalised kept the number
/// as typed (`138-0013-8000`) and could not sign in with it. A number that is not one
/// stays as it was. Returns how many changed; run after the migrations, in one
/// transaction.
pub fn normalise_phones(conn: &mut DbConn) -> Result<usize> {
    let rows: Vec<(String, Option<String>)> =
        users::table.filter(users::phone.is_not_null()).select((users::id, users::phone)).load(conn)?;
    let changes: Vec<(String, String)> = rows
        .into_iter()
        .filter_map(|(id, phone)| {
            let phone = phone?;
            let digits = roundtable_core::text::phone(&phone)?;
            (digits != phone).then_some((id, digits))
        })
        .collect();
    if changes.is_empty() {
        return Ok(0);
    }
    conn.transaction(|conn| {
        for (id, digits) in &changes {
            diesel::update(users::table.find(id)).set(users::phone.eq(digits)).execute(conn)?;
        }
        Ok(changes.len())
    })
}

/// Whether an account already has this phone number (its digits).
pub fn phone_in_use(conn: &mut DbConn, phone: &str) -> Result<bool> {
    let n: i64 = users::table.filter(users::phone.eq(phone)).count().get_result(conn)?;
    Ok(n > 0)
}

/// The actor a user acts as: roles and memberships with their organisations' kinds.
pub fn actor(conn: &mut DbConn, id: UserId) -> Result<Actor> {
    Ok(user_with_actor(conn, id)?.1)
}

/// A user and the actor they act as, in two queries (the per-request path).
pub fn user_with_actor(conn: &mut DbConn, id: UserId) -> Result<(User, Actor)> {
    let row: Option<UserRow> = users::table.find(id.to_string()).select(UserRow::as_select()).first(conn).optional()?;
    let row = row.ok_or(StoreError::NotFound)?;
    let kinds: Vec<(String, String)> = memberships::table
        .inner_join(organisations::table)
        .filter(memberships::user_id.eq(id.to_string()))
        .order(memberships::position)
        .select((organisations::id, organisations::kind))
        .load(conn)?;
    let memberships: Vec<Membership> = kinds
        .iter()
        .map(|(org, kind)| {
            Ok(Membership {
                org: parse::<OrgId>("organisation id", org)?,
                kind: parse::<OrgKind>("organisation kind", kind)?,
            })
        })
        .collect::<Result<_>>()?;
    let buildings = buildings_of(conn, &row.id)?;
    let user = user_from_row(row, memberships.iter().map(|m| m.org).collect(), buildings)?.0;
    let actor =
        Actor { user: user.id, community: user.community, roles: user.roles.iter().copied().collect(), memberships };
    Ok((user, actor))
}

pub fn get_community(conn: &mut DbConn, id: CommunityId) -> Result<Community> {
    let row: Option<CommunityRow> =
        communities::table.find(id.to_string()).select(CommunityRow::as_select()).first(conn).optional()?;
    community(row.ok_or(StoreError::NotFound)?)
}

/// Replaces a user's password hash.
pub fn set_password_hash(conn: &mut DbConn, user: UserId, hash: &str) -> Result<()> {
    let n = diesel::update(users::table.find(user.to_string())).set(users::password_hash.eq(hash)).execute(conn)?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// A community's users, for administrators and timelines.
pub fn list_users(conn: &mut DbConn, community: CommunityId) -> Result<Vec<User>> {
    let rows: Vec<UserRow> = users::table
        .filter(users::community_id.eq(community.to_string()))
        .order(users::login)
        .select(UserRow::as_select())
        .load(conn)?;
    // Every member's organisations in one query, not one per user.
    let mut orgs: std::collections::HashMap<String, Vec<OrgId>> = std::collections::HashMap::new();
    let links: Vec<(String, String)> = memberships::table
        .inner_join(users::table)
        .filter(users::community_id.eq(community.to_string()))
        .order((memberships::user_id, memberships::position))
        .select((memberships::user_id, memberships::org_id))
        .load(conn)?;
    for (user, org) in links {
        orgs.entry(user).or_default().push(parse("organisation id", &org)?);
    }
    let mut led: std::collections::HashMap<String, Vec<BuildingId>> = std::collections::HashMap::new();
    let links: Vec<(String, String)> = user_buildings::table
        .filter(user_buildings::community_id.eq(community.to_string()))
        .order((user_buildings::user_id, user_buildings::building_id))
        .select((user_buildings::user_id, user_buildings::building_id))
        .load(conn)?;
    for (user, building) in links {
        led.entry(user).or_default().push(parse("building id", &building)?);
    }
    rows.into_iter()
        .map(|r| {
            let (theirs, buildings) = (orgs.remove(&r.id).unwrap_or_default(), led.remove(&r.id).unwrap_or_default());
            Ok(user_from_row(r, theirs, buildings)?.0)
        })
        .collect()
}

/// The display names of some users, in one query (a timeline names its actors).
pub fn display_names(conn: &mut DbConn, ids: &[UserId]) -> Result<std::collections::HashMap<UserId, String>> {
    let ids: Vec<String> = ids.iter().map(|u| u.to_string()).collect();
    let rows: Vec<(String, String)> =
        users::table.filter(users::id.eq_any(&ids)).select((users::id, users::display_name)).load(conn)?;
    rows.into_iter().map(|(id, name)| Ok((parse("user id", &id)?, name))).collect()
}

/// How a person appears on an issue: name and contact data (whether the contact data
/// is shown is the caller's decision).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub fn person(conn: &mut DbConn, id: UserId) -> Result<Person> {
    let query = users::table.find(id.to_string()).select((users::display_name, users::email, users::phone));
    let row: Option<(String, Option<String>, Option<String>)> =
        crate::on_backend!(conn, |c| query.get_result(c).optional())?;
    let (display_name, email, phone) = row.ok_or(StoreError::NotFound)?;
    Ok(Person { id, display_name, email, phone })
}

/// Disables (or enables again) an account; disabling also revokes its tokens, so its
/// sessions end (within the token cache's few seconds).
pub fn set_disabled(conn: &mut DbConn, user: UserId, disabled: bool, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let n = diesel::update(users::table.find(user.to_string())).set(users::disabled.eq(disabled)).execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    if disabled {
        crate::tokens::revoke_all(conn, user, now)?;
    }
    Ok(())
}

/// Sets the language a user reads mail and pages in (`None`: the community's).
pub fn set_locale(conn: &mut DbConn, user: UserId, locale: Option<&str>) -> Result<()> {
    let n = diesel::update(users::table.find(user.to_string())).set(users::locale.eq(locale)).execute(conn)?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Sets the e-mail address and phone number (its digits) a user is reached at — and may
/// sign in with; `None` is none.
/// Changes the name a person is shown by.
pub fn set_display_name(conn: &mut DbConn, user: UserId, name: &str) -> Result<()> {
    let n = diesel::update(users::table.find(user.to_string())).set(users::display_name.eq(name)).execute(conn)?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub fn set_contact(conn: &mut DbConn, user: UserId, email: Option<&str>, phone: Option<&str>) -> Result<()> {
    let n = diesel::update(users::table.find(user.to_string()))
        .set((users::email.eq(email), users::phone.eq(phone)))
        .execute(conn)?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Whether an account other than `user` has this e-mail address, and this phone number:
/// sign-in by either finds one account only, so a second holder would shut the first out
/// (a disabled account counts, as it may be enabled again; a closed one has neither).
pub fn contact_taken(
    conn: &mut DbConn,
    user: UserId,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<(bool, bool)> {
    let others = || users::table.filter(users::id.ne(user.to_string())).into_boxed();
    let email_taken = match email {
        Some(e) => others().filter(users::email.eq(e.to_owned())).select(users::id).first::<String>(conn).optional()?,
        None => None,
    };
    let phone_taken = match phone {
        Some(p) => others().filter(users::phone.eq(p.to_owned())).select(users::id).first::<String>(conn).optional()?,
        None => None,
    };
    Ok((email_taken.is_some(), phone_taken.is_some()))
}
