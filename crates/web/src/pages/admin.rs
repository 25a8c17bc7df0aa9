//! Administration: the community's people, organisations and compounds, adding an
//! account, and notifications that could not be delivered (retry).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use std::collections::BTreeMap;

use roundtable_core::{
    Building, BuildingId, Compound, CompoundId, DeliveryStatus, OrgId, OrgKind, Organisation, Role, User, UserId,
};
use roundtable_store::{StoreError, directory, outbox};
use serde::Serialize;

use crate::error::{ApiError, ApiPath, FieldProblem};
use crate::ops::reference;
use crate::pages::forms::{Empty, Posted, filled};
use crate::pages::render::{Choice, Ctx, FormErrors, Out, Page, PageResult};

/// Roles an administrator can give.
const ROLES: [Role; 6] = [Role::Admin, Role::Secretary, Role::Supervisor, Role::Property, Role::Grid, Role::Resident];

fn require_admin(ctx: &Ctx) -> Result<crate::auth::Caller, ApiError> {
    let caller = ctx.caller()?;
    if caller.actor.has_role(Role::Admin) {
        Ok(caller)
    } else {
        Err(ApiError::Forbidden("administration is for administrators".into()))
    }
}

#[derive(Serialize)]
struct UserRow<'a> {
    id: UserId,
    /// The administrator themself (who cannot disable their own account).
    me: bool,
    login: &'a str,
    name: &'a str,
    email: Option<&'a str>,
    disabled: bool,
    roles: &'a [Role],
    orgs: Vec<&'a str>,
    compound: Option<&'a str>,
}

#[derive(Serialize)]
struct OrgRow<'a> {
    id: OrgId,
    name: &'a str,
    kind: OrgKind,
    emails: String,
}

#[derive(Serialize)]
struct CompoundRow<'a> {
    id: CompoundId,
    name: &'a str,
    buildings: usize,
}

/// A notification that could not be delivered.
#[derive(Serialize)]
struct DeadRow<'a> {
    id: &'a str,
    effect: &'a str,
    attempts: i32,
    error: Option<&'a str>,
    issue: Option<&'a str>,
}

#[derive(Serialize)]
struct AdminPage<'a> {
    users: Vec<UserRow<'a>>,
    orgs: Vec<OrgRow<'a>>,
    compounds: Vec<CompoundRow<'a>>,
    dead: Vec<DeadRow<'a>>,
    roles: [Role; 6],
    kinds: &'static [OrgKind],
    org_options: Vec<Choice>,
    compound_options: Vec<Choice>,
    /// What a refused form was sent with (never the password).
    values: BTreeMap<String, String>,
    errors: Option<FormErrors>,
}

impl Page for AdminPage<'_> {
    const TEMPLATE: &'static str = "admin";
}

async fn admin_page(
    ctx: &Ctx,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: Option<FormErrors>,
) -> PageResult {
    let caller = require_admin(ctx)?;
    let names = reference::names(&ctx.state, &caller).await?;
    let community = caller.actor.community;
    let (users, dead, orgs) = ctx
        .state
        .db
        .run(move |conn| {
            let users = directory::list_users(conn, community)?;
            let dead: Vec<_> = outbox::with_status(conn, DeliveryStatus::Dead)?
                .into_iter()
                .filter(|p| p.community_id == community.to_string())
                .collect();
            Ok((users, dead, directory::organisations(conn, community)?))
        })
        .await?;
    let users = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            me: u.id == caller.user.id,
            login: &u.login,
            name: &u.display_name,
            email: u.email.as_deref(),
            disabled: u.disabled,
            roles: &u.roles,
            orgs: u.organisations.iter().filter_map(|o| names.org(*o)).collect(),
            compound: u.compound.and_then(|c| names.compound(c)),
        })
        .collect();
    let orgs = orgs
        .iter()
        .map(|o| OrgRow { id: o.id, name: &o.name, kind: o.kind, emails: o.contact_emails.join(", ") })
        .collect();
    let compounds = names
        .compounds
        .iter()
        .map(|(id, name)| CompoundRow {
            id: *id,
            name,
            buildings: names.buildings.iter().filter(|(_, c, _)| c == id).count(),
        })
        .collect();
    let dead = dead
        .iter()
        .map(|p| DeadRow {
            id: &p.id,
            effect: &p.effect,
            attempts: p.attempts,
            error: p.last_error.as_deref(),
            issue: p.issue_id.as_deref(),
        })
        .collect();
    let page = AdminPage {
        users,
        orgs,
        compounds,
        dead,
        roles: ROLES,
        kinds: OrgKind::ALL,
        org_options: names.orgs.iter().map(|(id, n, _)| Choice::new(id, n.clone(), false)).collect(),
        compound_options: names.compounds.iter().map(|(id, n)| Choice::new(id, n.clone(), false)).collect(),
        values,
        errors,
    };
    Out::status(status, page)
}

pub async fn show(ctx: Ctx) -> Response {
    let out = admin_page(&ctx, StatusCode::OK, BTreeMap::new(), None).await;
    ctx.respond(out)
}

/// A trimmed, non-empty field of a posted form.
fn field(form: &[(String, String)], name: &str) -> Option<String> {
    filled(&form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

/// Shows the admin page again with a refused form's errors and what was typed
/// (never the password).
async fn refused(ctx: &Ctx, form: &[(String, String)], out: PageResult) -> PageResult {
    match out {
        Err(e @ ApiError::Invalid { .. }) => {
            let values = form
                .iter()
                .filter(|(k, _)| k != "password" && k != "_csrf")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            admin_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, values, Some(ctx.form_errors(&e))).await
        }
        other => other,
    }
}

/// The new-account form; roles arrive as repeated `role` fields.
pub async fn add_user(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = add_user_work(&ctx, &form).await;
    let out = refused(&ctx, &form, out).await;
    ctx.respond(out)
}

/// A new organisation: a property company with the addresses its notices go to, a unit…
pub async fn add_org(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = add_org_work(&ctx, &form).await;
    let out = refused(&ctx, &form, out).await;
    ctx.respond(out)
}

/// A new compound with its buildings (one name per line or comma).
pub async fn add_compound(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = add_compound_work(&ctx, &form).await;
    let out = refused(&ctx, &form, out).await;
    ctx.respond(out)
}

fn names_list(text: Option<String>) -> Vec<String> {
    text.unwrap_or_default()
        .split([',', '，', '\n', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn check_name(errors: &mut Vec<FieldProblem>, field: &str, name: &str) {
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldProblem::new(field, "empty", "a name of 1–100 characters"));
    }
}

fn duplicate(field: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::Duplicate(_) => ApiError::field(field, "taken", "this name is taken"),
        other => other.into(),
    }
}

async fn add_org_work(ctx: &Ctx, form: &[(String, String)]) -> PageResult {
    let caller = require_admin(ctx)?;
    let names = reference::names(&ctx.state, &caller).await?;
    let mut errors = Vec::new();
    let name = field(form, "org_name").unwrap_or_default();
    check_name(&mut errors, "org_name", &name);
    if names.orgs.iter().any(|(_, n, _)| *n == name) {
        errors.push(FieldProblem::new("org_name", "taken", "this name is taken"));
    }
    let kind = field(form, "kind").and_then(|k| k.parse::<OrgKind>().ok());
    if kind.is_none() {
        errors.push(FieldProblem::new("kind", "missing", "choose a kind"));
    }
    let emails = names_list(field(form, "contact_emails"));
    if emails.iter().any(|e| !e.contains('@') || e.contains(' ') || e.len() > 200) {
        errors.push(FieldProblem::new("contact_emails", "invalid", "e-mail addresses, one per line"));
    }
    let compound = field(form, "compound")
        .and_then(|c| c.parse().ok())
        .and_then(|c: uuid::Uuid| names.compound(CompoundId(c)).map(|_| CompoundId(c)));
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let org = Organisation {
        id: OrgId::new(),
        community: caller.actor.community,
        kind: kind.unwrap_or(OrgKind::Unit),
        name,
        contact_emails: emails,
        compound,
        created_at: ctx.state.now(),
    };
    ctx.state.db.write(move |conn| directory::insert_organisation(conn, &org)).await.map_err(duplicate("org_name"))?;
    Ok(Out::Done("/admin".into(), "org_added"))
}

async fn add_compound_work(ctx: &Ctx, form: &[(String, String)]) -> PageResult {
    let caller = require_admin(ctx)?;
    let names = reference::names(&ctx.state, &caller).await?;
    let mut errors = Vec::new();
    let name = field(form, "compound_name").unwrap_or_default();
    check_name(&mut errors, "compound_name", &name);
    if names.compounds.iter().any(|(_, n)| *n == name) {
        errors.push(FieldProblem::new("compound_name", "taken", "this name is taken"));
    }
    let buildings = names_list(field(form, "buildings"));
    if buildings.len() > 500 || buildings.iter().any(|b| b.chars().count() > 100) {
        errors.push(FieldProblem::new("buildings", "invalid", "up to 500 names of up to 100 characters"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let compound =
        Compound { id: CompoundId::new(), community: caller.actor.community, name, created_at: ctx.state.now() };
    let buildings: Vec<Building> = buildings
        .into_iter()
        .map(|b| Building { id: BuildingId::new(), community: compound.community, compound: compound.id, name: b })
        .collect();
    ctx.state
        .db
        .write(move |conn| directory::insert_compound_with_buildings(conn, &compound, &buildings))
        .await
        .map_err(duplicate("compound_name"))?;
    Ok(Out::Done("/admin".into(), "compound_added"))
}

async fn add_user_work(ctx: &Ctx, form: &[(String, String)]) -> PageResult {
    let caller = require_admin(ctx)?;
    let field = |name: &str| field(form, name);
    let mut errors = Vec::new();
    let login = field("login").unwrap_or_default();
    if login.is_empty() || login.chars().count() > crate::auth::LOGIN_MAX_CHARS {
        errors.push(FieldProblem::new("login", "empty", "a login of 1–100 characters"));
    }
    let name = field("name").unwrap_or_default();
    if name.is_empty() {
        errors.push(FieldProblem::new("name", "empty", "a name"));
    }
    let password = form.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
    if password.chars().count() < 8 {
        errors.push(FieldProblem::new("password", "too_short", "at least 8 characters"));
    }
    let roles: Vec<Role> = form
        .iter()
        .filter(|(k, _)| k == "role")
        .filter_map(|(_, v)| v.parse::<Role>().ok().filter(|r| ROLES.contains(r)))
        .collect();
    if roles.is_empty() {
        errors.push(FieldProblem::new("role", "missing", "at least one role"));
    }
    let names = reference::names(&ctx.state, &caller).await?;
    let org = field("org").and_then(|o| o.parse().ok()).and_then(|o: uuid::Uuid| names.org(OrgId(o)).map(|_| OrgId(o)));
    let compound = field("compound")
        .and_then(|c| c.parse().ok())
        .and_then(|c: uuid::Uuid| names.compound(CompoundId(c)).map(|_| CompoundId(c)));
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    let user = User {
        id: UserId::new(),
        community: caller.actor.community,
        login: login.clone(),
        display_name: name,
        email: field("email"),
        phone: field("phone"),
        roles,
        locale: None,
        compound,
        organisations: org.into_iter().collect(),
        disabled: false,
        created_at: Utc::now(),
    };
    ctx.state.db.write(move |conn| directory::insert_user(conn, &user, &hash)).await.map_err(|e| match e {
        StoreError::Duplicate(_) => ApiError::field("login", "taken", "this login is taken"),
        other => other.into(),
    })?;
    Ok(Out::Done("/admin".into(), "user_added"))
}

pub async fn retry(Path(id): Path<String>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        let caller = require_admin(&ctx)?;
        let community = caller.actor.community.to_string();
        let now = ctx.state.now();
        let done = ctx
            .state
            .db
            .write(move |conn| {
                let ours = outbox::with_status(conn, DeliveryStatus::Dead)?
                    .iter()
                    .any(|p| p.id == id && p.community_id == community);
                if ours { outbox::retry(conn, &id, now) } else { Ok(false) }
            })
            .await?;
        if !done {
            return Err(ApiError::NotFound("no such undelivered notification".into()));
        }
        Ok(Out::Done("/admin".into(), "retry_queued"))
    }
    .await;
    ctx.respond(out)
}

#[derive(serde::Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Disable,
    Enable,
}

#[derive(serde::Deserialize)]
pub struct AccessForm {
    action: Access,
}

/// Disables an account (ending its sessions) or enables it again.
pub async fn set_access(ApiPath(id): ApiPath<uuid::Uuid>, Posted { ctx, form }: Posted<AccessForm>) -> Response {
    let out = async {
        let caller = require_admin(&ctx)?;
        let disable = matches!(form.action, Access::Disable);
        if disable && caller.user.id.0 == id {
            return Err(ApiError::Forbidden("administrators cannot disable themselves".into()));
        }
        let (community, user, now) = (caller.actor.community, UserId(id), ctx.state.now());
        ctx.state
            .db
            .write(move |conn| match directory::get_user(conn, user) {
                Ok(u) if u.community == community => directory::set_disabled(conn, user, disable, now),
                Ok(_) | Err(StoreError::NotFound) => Err(StoreError::NotFound),
                Err(e) => Err(e),
            })
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ApiError::NotFound("no such account".into()),
                other => other.into(),
            })?;
        ctx.state.auth_cache.evict_user(user);
        Ok(Out::Done("/admin".into(), if disable { "user_disabled" } else { "user_enabled" }))
    }
    .await;
    ctx.respond(out)
}
