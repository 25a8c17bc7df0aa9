//! Administration, for administrators only: the community's accounts, organisations and
//! compounds, and notifications that could not be delivered.

use chrono::Utc;
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::{
    Building, BuildingId, CommunityId, Compound, CompoundId, DeliveryStatus, GeoPoint, OrgId, OrgKind, Organisation,
    Role, User, UserId, text,
};
use roundtable_store::outbox::Pending;
use roundtable_store::{StoreError, directory, outbox};
use secrecy::{ExposeSecret, SecretString};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::ops::reference::{self, Names};
use crate::state::AppState;

/// Roles an administrator can give (the street office's accounts are made on the command
/// line: they belong to no community).
pub const ROLES: [Role; 7] =
    [Role::Admin, Role::Secretary, Role::Supervisor, Role::Property, Role::Grid, Role::Resident, Role::BuildingLeader];

pub(crate) fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.actor.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("administration is for administrators".into()))
    }
}

/// What the administration page lists.
pub struct Overview {
    pub names: Names,
    pub users: Vec<User>,
    pub orgs: Vec<Organisation>,
    /// The community's notifications that could not be delivered.
    pub dead: Vec<Pending>,
    /// The kind and name of the channels those rows were for (the rest are mail).
    pub channels: std::collections::HashMap<String, (roundtable_core::ChannelKind, String)>,
    /// The titles of the issues those rows were about, by id: which company to call, which
    /// address to mend.
    pub titles: std::collections::HashMap<String, String>,
}

pub async fn overview(state: &AppState, caller: &Caller) -> ApiResult<Overview> {
    require_admin(caller)?;
    let names = reference::names(state, caller).await?;
    let community = caller.actor.community;
    let (users, dead, orgs, channels, titles) = state
        .db
        .run(move |conn| {
            let users = directory::list_users(conn, community)?;
            let dead: Vec<_> = outbox::with_status(conn, DeliveryStatus::Dead)?
                .into_iter()
                .filter(|p| p.community_id == community.to_string())
                .collect();
            let ids: Vec<String> = dead.iter().filter_map(|p| p.channel_id.clone()).collect();
            let channels = roundtable_store::channels::names(conn, &ids)?;
            let about: Vec<roundtable_core::IssueId> =
                dead.iter().filter_map(|p| p.issue_id.as_deref()?.parse().ok()).collect();
            let titles = roundtable_store::issues::get_issues(conn, &about)?
                .into_iter()
                .map(|i| (i.id.to_string(), i.title))
                .collect();
            Ok((users, dead, directory::organisations(conn, community)?, channels, titles))
        })
        .await?;
    Ok(Overview { names, users, orgs, dead, channels, titles })
}

/// A name as it is kept: without white space or invisible characters around it, 1–100
/// visible characters (a name of zero-width spaces alone shows as nothing in every list).
pub(crate) fn check_name(errors: &mut Vec<FieldProblem>, field: &str, name: &str) -> String {
    super::check_text(errors, field, name, 1, 100);
    text::one_line(name)
}

fn duplicate(field: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::Duplicate(_) => ApiError::field(field, "taken", "this name is taken"),
        other => other.into(),
    }
}

/// The most buildings a compound has.
pub const MAX_BUILDINGS: usize = 500;

/// A new compound's building names, trimmed of invisible characters around them; a name
/// given twice makes one building (two `1号楼` could not be told apart when raising).
pub fn building_names(names: Vec<String>) -> Vec<String> {
    distinct(names.into_iter().map(|n| text::one_line(&n)))
}

/// Each item once, in the order first given (a form's repeated field, a typed list).
fn distinct<T: PartialEq>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut kept = Vec::new();
    for item in items {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    kept
}

/// A compound or organisation named in a form must be the community's.
fn known<T: Copy>(errors: &mut Vec<FieldProblem>, field: &str, id: Option<T>, exists: impl Fn(T) -> bool) {
    if id.is_some_and(|id| !exists(id)) {
        errors.push(FieldProblem::new(field, "unknown", format!("no such {field} in this community")));
    }
}

pub struct NewOrganisation {
    pub name: String,
    pub kind: Option<OrgKind>,
    pub contact_emails: Vec<String>,
    pub compound: Option<CompoundId>,
}

/// Adds an organisation: a property company with the addresses its notices go to, a unit…
pub async fn add_organisation(state: &AppState, caller: &Caller, new: NewOrganisation) -> ApiResult<OrgId> {
    require_admin(caller)?;
    let names = reference::names(state, caller).await?;
    let mut errors = Vec::new();
    let name = check_name(&mut errors, "org_name", &new.name);
    if names.orgs.iter().any(|(_, n, _)| *n == name) {
        errors.push(FieldProblem::new("org_name", "taken", "this name is taken"));
    }
    if new.kind.is_none() {
        errors.push(FieldProblem::new("kind", "missing", "choose a kind"));
    }
    check_addresses(&mut errors, &new.contact_emails);
    known(&mut errors, "compound", new.compound, |c| names.compound(c).is_some());
    let (Some(kind), true) = (new.kind, errors.is_empty()) else { return Err(ApiError::invalid(errors)) };
    let org = Organisation {
        id: OrgId::new(),
        community: caller.actor.community,
        kind,
        name,
        contact_emails: new.contact_emails,
        compound: new.compound,
        created_at: state.now(),
    };
    let id = org.id;
    let entry = super::audit(state, caller, AuditAction::OrganisationCreated, AuditSubject::Organisation, id)
        .with("name", &org.name)
        .with("kind", org.kind)
        .with("contact_emails", org.contact_emails.join(", "));
    state
        .db
        .write(move |conn| {
            directory::insert_organisation(conn, &org)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(duplicate("org_name"))?;
    Ok(id)
}

/// The addresses an organisation's notices go to: each an e-mail address, at most 20 —
/// a refusal names the line that is not one, among up to twenty.
fn check_addresses(errors: &mut Vec<FieldProblem>, emails: &[String]) {
    if emails.len() > MAX_ADDRESSES {
        errors.push(FieldProblem::new("contact_emails", "too_many_addresses", "at most 20 addresses"));
    } else if let Some(bad) = emails.iter().find(|e| !crate::mail::is_address(e)) {
        let said = FieldProblem::new("contact_emails", "invalid", format!("`{bad}` is not an e-mail address"));
        errors.push(said.of_item(bad));
    }
}

/// How many addresses an organisation's notices go to at most.
const MAX_ADDRESSES: usize = 20;

/// Changes where an organisation's notices go — a company's staff changes, or its mail
/// bounced: the next notice, and a dead one sent again from this page, go to the new
/// addresses (the dispatcher reads them when it sends). None leaves it told on the pages only.
pub async fn set_addresses(state: &AppState, caller: &Caller, id: OrgId, emails: Vec<String>) -> ApiResult<()> {
    require_admin(caller)?;
    let names = reference::names(state, caller).await?;
    // Another community's organisation is as unknown as one that never was.
    let name = names.org(id).ok_or_else(|| ApiError::NotFound("no such organisation".into()))?.to_owned();
    let mut errors = Vec::new();
    check_addresses(&mut errors, &emails);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let entry = super::audit(state, caller, AuditAction::AddressesChanged, AuditSubject::Organisation, id)
        .with("name", &name)
        .with("contact_emails", emails.join(", "));
    Ok(state
        .db
        .write(move |conn| {
            directory::set_contact_emails(conn, id, &emails)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?)
}

/// Adds a compound with its buildings and, if given, where it lies (`"lat, long"`).
pub async fn add_compound(
    state: &AppState,
    caller: &Caller,
    name: String,
    buildings: Vec<String>,
    location: Option<String>,
) -> ApiResult<()> {
    require_admin(caller)?;
    let names = reference::names(state, caller).await?;
    let mut errors = Vec::new();
    let name = check_name(&mut errors, "compound_name", &name);
    if names.compounds.iter().any(|(_, n)| *n == name) {
        errors.push(FieldProblem::new("compound_name", "taken", "this name is taken"));
    }
    let buildings = building_names(buildings);
    building_problems(&mut errors, &buildings, &[]);
    let location = location_field(&mut errors, location.as_deref());
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let compound =
        Compound { id: CompoundId::new(), community: caller.actor.community, name, created_at: state.now(), location };
    let buildings: Vec<Building> = buildings
        .into_iter()
        .map(|b| Building { id: BuildingId::new(), community: compound.community, compound: compound.id, name: b })
        .collect();
    let entry = super::audit(state, caller, AuditAction::CompoundCreated, AuditSubject::Compound, compound.id)
        .with("name", &compound.name)
        .with("buildings", buildings.len());
    state
        .db
        .write(move |conn| {
            directory::insert_compound_with_buildings(conn, &compound, &buildings)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(duplicate("compound_name"))
}

/// What is wrong with new building names for a compound that `has` these already, said by
/// the line: too many in all, a name of nothing visible or too long, one it has.
pub(crate) fn building_problems(errors: &mut Vec<FieldProblem>, names: &[String], has: &[&str]) {
    if has.len() + names.len() > MAX_BUILDINGS {
        errors.push(FieldProblem::new("buildings", "too_many_buildings", "a compound has up to 500 buildings"));
    } else if let Some(wrong) = names.iter().find(|b| b.is_empty() || b.chars().count() > 100) {
        let mut said = Vec::new();
        crate::ops::check_text(&mut said, "buildings", wrong, 1, 100);
        // A name too long is found by its start; an empty one has nothing to show.
        errors.extend(said.into_iter().map(|p| if wrong.is_empty() { p } else { p.of_item(wrong) }));
    } else if let Some(there) = names.iter().find(|n| has.contains(&n.as_str())) {
        let taken = FieldProblem::new("buildings", "exists", format!("the compound has `{there}` already"));
        errors.push(taken.of_item(there));
    }
}

/// Adds buildings to one of the community's compounds — a new compound's second phase is
/// handed over a year after the first. A name the compound has already, given twice, empty
/// or too long is refused by its line; so is going past [`MAX_BUILDINGS`]. Returns how many
/// were added.
pub async fn add_buildings(
    state: &AppState,
    caller: &Caller,
    compound: CompoundId,
    names: Vec<String>,
) -> ApiResult<usize> {
    require_admin(caller)?;
    let known = reference::names(state, caller).await?;
    let Some(compound_name) = known.compound(compound).map(str::to_owned) else {
        return Err(ApiError::NotFound("no such compound".into()));
    };
    let has: Vec<&str> = known.buildings.iter().filter(|(_, c, _)| *c == compound).map(|(.., n)| n.as_str()).collect();
    let names = building_names(names);
    let mut errors = Vec::new();
    if names.iter().all(|n| n.is_empty()) {
        errors.push(FieldProblem::new("buildings", "missing", "one building name a line"));
    } else {
        building_problems(&mut errors, &names, &has);
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let community = caller.actor.community;
    let buildings: Vec<Building> =
        names.into_iter().map(|name| Building { id: BuildingId::new(), community, compound, name }).collect();
    let added = buildings.len();
    let entry = super::audit(state, caller, AuditAction::BuildingsAdded, AuditSubject::Compound, compound)
        .with("name", &compound_name)
        .with("added", buildings.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join("、"));
    state
        .db
        .write(move |conn| {
            buildings.iter().try_for_each(|b| directory::insert_building(conn, b))?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        // Added by someone else since the names were read.
        .map_err(|e| match e {
            StoreError::Duplicate(_) => ApiError::field("buildings", "exists", "the compound has one of these already"),
            other => other.into(),
        })?;
    Ok(added)
}

/// What an administrator renames.
#[derive(Clone, Copy)]
pub enum Renamed {
    Organisation(OrgId),
    Compound(CompoundId),
}

/// Renames one of the community's organisations (a company renamed after a takeover) or
/// compounds (a name mistyped): the pages, lists and notices name them by their id, so
/// all say the new name at once. A name another of the same kind has is `taken` — the
/// database keeps that too, against two renames at once.
pub async fn rename(state: &AppState, caller: &Caller, what: Renamed, typed: &str) -> ApiResult<()> {
    require_admin(caller)?;
    let names = reference::names(state, caller).await?;
    // The form's field, what the trail files it under, its name now and the others'.
    let (field, subject, id, old, others): (&'static str, AuditSubject, uuid::Uuid, Option<&str>, Vec<&str>) =
        match what {
            Renamed::Organisation(id) => (
                "org_name",
                AuditSubject::Organisation,
                id.0,
                names.org(id),
                names.orgs.iter().filter(|(o, ..)| *o != id).map(|(_, n, _)| n.as_str()).collect(),
            ),
            Renamed::Compound(id) => (
                "compound_name",
                AuditSubject::Compound,
                id.0,
                names.compound(id),
                names.compounds.iter().filter(|(c, _)| *c != id).map(|(_, n)| n.as_str()).collect(),
            ),
        };
    let old = old.ok_or_else(|| ApiError::NotFound("no such organisation or compound".into()))?.to_owned();
    let mut errors = Vec::new();
    let name = check_name(&mut errors, field, typed);
    if others.contains(&name.as_str()) {
        errors.push(FieldProblem::new(field, "taken", "this name is taken"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if name == old {
        return Ok(());
    }
    let entry =
        super::audit(state, caller, AuditAction::Renamed, subject, id).with("old_name", &old).with("name", &name);
    state
        .db
        .write(move |conn| {
            match what {
                Renamed::Organisation(id) => directory::rename_organisation(conn, id, &name)?,
                Renamed::Compound(id) => directory::rename_compound(conn, id, &name)?,
            }
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(duplicate(field))
}

/// Renames a building of one of the community's compounds (a name mistyped, a number the
/// developer changed): issues, leaders and Open311 addresses name it by id, so all say the
/// new name at once. A name the compound has already is refused.
pub async fn rename_building(
    state: &AppState,
    caller: &Caller,
    compound: CompoundId,
    building: Option<BuildingId>,
    typed: &str,
) -> ApiResult<()> {
    require_admin(caller)?;
    let names = reference::names(state, caller).await?;
    let compound_name =
        names.compound(compound).ok_or_else(|| ApiError::NotFound("no such compound".into()))?.to_owned();
    let mut errors = Vec::new();
    let old = building.and_then(|b| names.buildings.iter().find(|(id, c, _)| *id == b && *c == compound));
    if old.is_none() {
        errors.push(FieldProblem::new("building", "unknown", "choose one of the compound's buildings"));
    }
    let name = check_name(&mut errors, "building_name", typed);
    if names.buildings.iter().any(|(b, c, n)| *c == compound && Some(*b) != building && *n == name) {
        errors.push(
            FieldProblem::new("building_name", "exists", "the compound has a building of this name").of_item(&name),
        );
    }
    let Some((id, _, old)) = old.filter(|_| errors.is_empty()) else { return Err(ApiError::invalid(errors)) };
    if *old == name {
        return Ok(());
    }
    let id = *id;
    let entry = super::audit(state, caller, AuditAction::BuildingRenamed, AuditSubject::Compound, compound)
        .with("compound", &compound_name)
        .with("old_name", old)
        .with("name", &name);
    state
        .db
        .write(move |conn| {
            directory::rename_building(conn, id, &name)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => ApiError::field("building_name", "exists", "the compound has one of this name"),
            other => other.into(),
        })
}

/// Removes a building of one of the community's compounds that nothing names — one added by
/// mistake, say. A building that an issue, a building leader or an invitation names stays
/// (`in_use`): the database refuses to lose what they point at.
pub async fn remove_building(
    state: &AppState,
    caller: &Caller,
    compound: CompoundId,
    building: Option<BuildingId>,
) -> ApiResult<()> {
    require_admin(caller)?;
    let names = reference::names(state, caller).await?;
    let compound_name =
        names.compound(compound).ok_or_else(|| ApiError::NotFound("no such compound".into()))?.to_owned();
    let Some((id, _, name)) =
        building.and_then(|b| names.buildings.iter().find(|(id, c, _)| *id == b && *c == compound))
    else {
        return Err(ApiError::field("building", "unknown", "choose one of the compound's buildings"));
    };
    let (id, name) = (*id, name.clone());
    let entry = super::audit(state, caller, AuditAction::BuildingRemoved, AuditSubject::Compound, compound)
        .with("compound", &compound_name)
        .with("name", &name);
    state
        .db
        .write(move |conn| {
            directory::remove_building(conn, id)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(|e| match e {
            StoreError::InUse(_) => ApiError::invalid(vec![
                FieldProblem::new(
                    "building",
                    "in_use",
                    "issues, a building leader or an invitation name this building",
                )
                .of_item(&name),
            ]),
            other => other.into(),
        })
}

/// Where a compound lies, as typed (`"lat, long"`; blank is unknown), checked.
fn location_field(errors: &mut Vec<FieldProblem>, typed: Option<&str>) -> Option<GeoPoint> {
    let typed = typed.map(text::trim).filter(|l| !l.is_empty())?;
    let point = parse_point(typed);
    if point.is_none() {
        errors.push(FieldProblem::new("location", "invalid", "latitude, longitude in degrees, e.g. 35.4930, 112.8530"));
    }
    point
}

/// Sets where one of the community's compounds lies (its gate), or forgets it (blank):
/// Open311 requests that give only coordinates find their compound by it.
pub async fn set_location(
    state: &AppState,
    caller: &Caller,
    compound: CompoundId,
    typed: Option<String>,
) -> ApiResult<()> {
    require_admin(caller)?;
    let names = reference::names(state, caller).await?;
    let name = names.compound(compound).ok_or_else(|| ApiError::NotFound("no such compound".into()))?.to_owned();
    let mut errors = Vec::new();
    let at = location_field(&mut errors, typed.as_deref());
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let said = at.map_or_else(|| "—".to_owned(), |p| format!("{}, {}", p.lat, p.long));
    let entry = super::audit(state, caller, AuditAction::LocationSet, AuditSubject::Compound, compound)
        .with("name", &name)
        .with("location", said);
    Ok(state
        .db
        .write(move |conn| {
            directory::set_compound_location(conn, compound, at)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?)
}

/// `"35.4930, 112.8530"` (a comma, or the Chinese one, between latitude and longitude).
fn parse_point(text: &str) -> Option<GeoPoint> {
    let (lat, long) = text.split_once([',', '，'])?;
    let degrees = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    GeoPoint::new(degrees(lat)?, degrees(long)?)
}

pub struct NewAccount {
    pub login: String,
    pub name: String,
    pub password: SecretString,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<Role>,
    pub org: Option<OrgId>,
    pub compound: Option<CompoundId>,
    /// The buildings a building leader speaks for.
    pub buildings: Vec<BuildingId>,
}

/// Where an account with `roles` must belong to do its work: a compound for residents,
/// grid secretaries and building leaders, a company for property staff. An account
/// without would sign in to empty lists and could raise nothing.
pub fn place_problems(roles: &[Role], compound: Option<CompoundId>, orgs: &[OrgId], errors: &mut Vec<FieldProblem>) {
    if compound.is_none() && roles.iter().any(|r| r.works_in_compound()) {
        errors.push(FieldProblem::new(
            "compound",
            "missing",
            "residents, grid secretaries and building leaders belong to a compound",
        ));
    }
    if orgs.is_empty() && roles.iter().any(|r| r.works_for_org()) {
        errors.push(FieldProblem::new("org", "missing", "property staff belong to their company"));
    }
}

/// An account's e-mail address and phone number as typed (blank is none), checked: the
/// phone is kept by its digits, as sign-in by phone number looks it up.
pub fn contact_details(
    email: Option<&str>,
    phone: Option<&str>,
    errors: &mut Vec<FieldProblem>,
) -> (Option<String>, Option<String>) {
    let email = email.map(text::trim).filter(|e| !e.is_empty());
    if email.is_some_and(|e| !crate::mail::is_address(e)) {
        errors.push(FieldProblem::new("email", "invalid", "an e-mail address"));
    }
    let phone = phone.map(text::trim).filter(|p| !p.is_empty());
    let digits = phone.and_then(text::phone);
    if phone.is_some() && digits.is_none() {
        errors.push(FieldProblem::new("phone", "invalid", "a phone number of 5 to 20 digits"));
    }
    (email.map(str::to_owned), digits)
}

/// Adds an account with a first password.
pub async fn add_account(state: &AppState, caller: &Caller, new: NewAccount) -> ApiResult<UserId> {
    require_admin(caller)?;
    let mut errors = Vec::new();
    super::check_text(&mut errors, "login", &new.login, 1, crate::auth::LOGIN_MAX_CHARS);
    let name = check_name(&mut errors, "name", &new.name);
    errors.extend(super::account::password_problem("password", &new.password));
    if new.roles.is_empty() || new.roles.iter().any(|r| !ROLES.contains(r)) {
        errors.push(FieldProblem::new("role", "missing", "at least one role"));
    }
    let names = reference::names(state, caller).await?;
    known(&mut errors, "org", new.org, |o| names.org(o).is_some());
    known(&mut errors, "compound", new.compound, |c| names.compound(c).is_some());
    let leader = new.roles.contains(&Role::BuildingLeader);
    if leader && new.buildings.is_empty() {
        errors.push(FieldProblem::new("building", "missing", "a building leader speaks for at least one building"));
    } else if !leader && !new.buildings.is_empty() {
        errors.push(FieldProblem::new("building", "not_accepted", "buildings are given to building leaders"));
    }
    let buildings = check_buildings(&mut errors, &names, new.compound, new.buildings);
    let orgs: Vec<OrgId> = new.org.into_iter().collect();
    place_problems(&new.roles, new.compound, &orgs, &mut errors);
    let (email, phone) = contact_details(new.email.as_deref(), new.phone.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(password.expose_secret()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    let user = User {
        id: UserId::new(),
        community: caller.actor.community,
        login: new.login,
        display_name: name,
        email,
        phone,
        roles: new.roles,
        locale: None,
        compound: new.compound,
        buildings,
        organisations: orgs,
        disabled: false,
        created_at: Utc::now(),
    };
    let id = user.id;
    let entry = super::audit(state, caller, AuditAction::AccountCreated, AuditSubject::Account, id)
        .with("login", &user.login)
        .with("roles", user.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "));
    let created = state.db.write(move |conn| {
        directory::insert_user(conn, &user, &hash)?;
        roundtable_store::audit::record(conn, &entry)
    });
    created.await.map_err(|e| match e {
        StoreError::Duplicate(_) => ApiError::field("login", "taken", "this login is taken"),
        other => other.into(),
    })?;
    Ok(id)
}

/// The buildings a building leader speaks for must be the community's and lie in the
/// leader's own compound (where they raise and where their neighbours know them); the
/// same building named twice counts once.
fn check_buildings(
    errors: &mut Vec<FieldProblem>,
    names: &Names,
    compound: Option<CompoundId>,
    mut buildings: Vec<BuildingId>,
) -> Vec<BuildingId> {
    buildings.sort();
    buildings.dedup();
    for b in &buildings {
        match names.buildings.iter().find(|(id, ..)| id == b) {
            None => errors.push(FieldProblem::new("building", "unknown", "no such building in this community")),
            Some((_, c, _)) if compound != Some(*c) => errors.push(FieldProblem::new(
                "building",
                "other_compound",
                "a building leader's buildings lie in the compound of their account",
            )),
            Some(_) => continue,
        }
        break;
    }
    buildings
}

/// Gives a building leader the buildings they speak for, replacing those before; none
/// (a leader who stepped down) leaves the role with no building to act for. Their next
/// request sees the change on this instance, on others within the sign-in cache's time.
pub async fn set_buildings(
    state: &AppState,
    caller: &Caller,
    user: UserId,
    buildings: Vec<BuildingId>,
) -> ApiResult<()> {
    let account = administered(state, caller, user).await?;
    let community = account.community;
    let mut errors = Vec::new();
    if !account.roles.contains(&Role::BuildingLeader) {
        errors.push(FieldProblem::new("building", "not_a_leader", "this account is not a building leader"));
    }
    let names = reference::names(state, caller).await?;
    let buildings = check_buildings(&mut errors, &names, account.compound, buildings);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let named: Vec<&str> = buildings.iter().filter_map(|b| names.building(*b)).collect();
    let entry = super::audit(state, caller, AuditAction::BuildingsSet, AuditSubject::Account, user)
        .with("leads", if named.is_empty() { "—".to_owned() } else { named.join("、") });
    state
        .db
        .write(move |conn| {
            directory::set_buildings(conn, user, community, &buildings)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    state.auth_cache.evict_user(user);
    Ok(())
}

/// What an administrator may change of an account besides its buildings.
#[derive(Debug)]
pub struct Place {
    pub roles: Vec<Role>,
    /// The organisations it acts for; the first is its default.
    pub orgs: Vec<OrgId>,
    pub compound: Option<CompoundId>,
}

/// Changes what an account does: a resident who becomes a building leader, a company's
/// staff who move to another company, a grid secretary of another compound. Roles this
/// page does not give (the street office's) stay; a leader keeps the buildings of the new
/// compound, anyone else none. Administrators cannot take their own administrator role
/// (someone must be left to give it back). The next request sees the change.
pub async fn change_account(state: &AppState, caller: &Caller, user: UserId, place: Place) -> ApiResult<()> {
    let account = administered(state, caller, user).await?;
    let community = account.community;
    // A street office's account holds its role from the command line: it may hold none
    // of this page's.
    let kept_any = account.roles.iter().any(|r| !ROLES.contains(r));
    let mut errors = Vec::new();
    let mut roles = distinct(place.roles);
    if (roles.is_empty() && !kept_any) || roles.iter().any(|r| !ROLES.contains(r)) {
        errors.push(FieldProblem::new("role", "missing", "at least one role"));
    } else if user == caller.user.id && !roles.contains(&Role::Admin) {
        errors.push(FieldProblem::new("role", "own_admin", "administrators cannot take their own administrator role"));
    }
    let names = reference::names(state, caller).await?;
    let orgs = distinct(place.orgs);
    if orgs.iter().any(|o| names.org(*o).is_none()) {
        errors.push(FieldProblem::new("org", "unknown", "no such org in this community"));
    }
    known(&mut errors, "compound", place.compound, |c| names.compound(c).is_some());
    let leader = roles.contains(&Role::BuildingLeader);
    place_problems(&roles, place.compound, &orgs, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let compound = place.compound;
    let entry = super::audit(state, caller, AuditAction::AccountChanged, AuditSubject::Account, user)
        .with("roles", roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))
        .with("organisations", orgs.iter().filter_map(|o| names.org(*o)).collect::<Vec<_>>().join("、"))
        .with("compound", compound.and_then(|c| names.compound(c)).unwrap_or("—"));
    let in_compound: Vec<BuildingId> =
        names.buildings.iter().filter(|(_, c, _)| Some(*c) == compound).map(|(b, ..)| *b).collect();
    state
        .db
        .write(move |conn| {
            // Read again in the write: a change made since the check above is not undone.
            let mut account = our_account(conn, user, community)?;
            roles.extend(account.roles.iter().filter(|r| !ROLES.contains(r)));
            account.buildings.retain(|b| leader && in_compound.contains(b));
            // The form lists organisations in its own order: the default stays first.
            let mut orgs = orgs;
            orgs.sort_by_key(|o| account.organisations.iter().position(|a| a == o).unwrap_or(usize::MAX));
            (account.roles, account.organisations, account.compound) = (roles, orgs, compound);
            directory::set_place(conn, &account)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(no_such_account)?;
    state.auth_cache.evict_user(user);
    Ok(())
}

/// A password-reset link for one of the community's accounts, for an administrator to hand
/// over (a resident who signed up by phone has no address to mail it to): the link the
/// mail would carry, for an hour, once; setting a password through it ends every session
/// of the account. Nothing changes until it is used; the trail records who made it.
pub async fn reset_link(state: &AppState, caller: &Caller, user: UserId) -> ApiResult<String> {
    require_admin(caller)?;
    let (community, now) = (caller.actor.community, state.now());
    let entry = super::audit(state, caller, AuditAction::ResetLinkMade, AuditSubject::Account, user);
    let made = state
        .db
        .write(move |conn| {
            let account = our_account(conn, user, community)?;
            if account.disabled {
                return Ok(None);
            }
            let locale = match account.locale {
                Some(l) => l,
                None => directory::get_community(conn, community)?.default_locale,
            };
            roundtable_store::audit::record(conn, &entry)?;
            Ok(Some((crate::mail::links::key(conn)?, locale)))
        })
        .await
        .map_err(no_such_account)?;
    let Some((key, locale)) = made else {
        return Err(ApiError::field("account", "disabled", "the account is disabled: enable it first"));
    };
    Ok(crate::mail::links::reset_link(&key, &state.config.mail.base_url, user, &locale, now))
}

/// Corrects the name of one of the community's accounts — for someone who cannot do it on
/// their own page. Filed as `renamed` on the account, without the names.
pub async fn rename_account(state: &AppState, caller: &Caller, user: UserId, typed: &str) -> ApiResult<()> {
    let account = administered(state, caller, user).await?;
    super::account::rename_person(state, caller, &account, typed, AuditAction::Renamed).await
}

/// Corrects how one of the community's accounts is reached — a resident's new number, for
/// someone who cannot do it on their own page. The rules of their own change, without the
/// password; filed as `contact_corrected` with which changed, not the values.
pub async fn correct_contact(
    state: &AppState,
    caller: &Caller,
    user: UserId,
    email: Option<&str>,
    phone: Option<&str>,
) -> ApiResult<()> {
    let account = administered(state, caller, user).await?;
    let mut errors = Vec::new();
    let contact = contact_details(email, phone, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    super::account::set_contact_of(state, caller, &account, contact, AuditAction::ContactCorrected).await
}

/// One of the community's accounts, for an administrator to change.
async fn administered(state: &AppState, caller: &Caller, user: UserId) -> ApiResult<User> {
    require_admin(caller)?;
    let community = caller.actor.community;
    state.db.run(move |conn| our_account(conn, user, community)).await.map_err(no_such_account)
}

/// The community's account `user`; another community's is not found, as if not there.
fn our_account(conn: &mut roundtable_store::DbConn, user: UserId, community: CommunityId) -> Result<User, StoreError> {
    let account = directory::get_user(conn, user)?;
    if account.community == community { Ok(account) } else { Err(StoreError::NotFound) }
}

fn no_such_account(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::NotFound("no such account".into()),
        other => other.into(),
    }
}

/// Sends an undelivered notification of the community again.
pub async fn retry(state: &AppState, caller: &Caller, id: String) -> ApiResult<()> {
    require_admin(caller)?;
    let (community, now) = (caller.actor.community.to_string(), state.now());
    let done = state
        .db
        .write(move |conn| {
            let ours = outbox::with_status(conn, DeliveryStatus::Dead)?
                .iter()
                .any(|p| p.id == id && p.community_id == community);
            if ours { outbox::retry(conn, &id, now) } else { Ok(false) }
        })
        .await?;
    if done { Ok(()) } else { Err(ApiError::NotFound("no such undelivered notification".into())) }
}

/// Disables an account (ending its sessions) or enables it again. Nobody can disable
/// themselves, so a community always keeps an administrator who can undo it.
pub async fn set_access(state: &AppState, caller: &Caller, user: UserId, disable: bool) -> ApiResult<()> {
    require_admin(caller)?;
    if disable && caller.user.id == user {
        return Err(ApiError::Forbidden("administrators cannot disable themselves".into()));
    }
    let (community, now) = (caller.actor.community, state.now());
    let action = if disable { AuditAction::AccountDisabled } else { AuditAction::AccountEnabled };
    let entry = super::audit(state, caller, action, AuditSubject::Account, user);
    state
        .db
        .write(move |conn| {
            our_account(conn, user, community)?;
            directory::set_disabled(conn, user, disable, now)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(no_such_account)?;
    state.auth_cache.evict_user(user);
    Ok(())
}
