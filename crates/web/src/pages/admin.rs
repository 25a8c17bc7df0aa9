//! Administration: the community's people, organisations and compounds, adding an
//! account, and notifications that could not be delivered (retry).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use roundtable_core::{Building, BuildingId, Compound, CompoundId, OrgId, OrgKind, Organisation, Role, User, UserId};
use roundtable_store::{StoreError, directory, outbox};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiPath, FieldProblem};
use crate::pages::forms::{Empty, Posted, filled};
use crate::pages::issues::Names;
use crate::pages::render::{Ctx, Out, PageResult};

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

async fn admin_page(ctx: &Ctx, status: StatusCode, values: Value, errors: Value) -> PageResult {
    let caller = require_admin(ctx)?;
    let names = Names::load(ctx).await?;
    let community = caller.actor.community;
    let (users, dead, orgs) = ctx
        .state
        .db
        .run(move |conn| {
            let users = directory::list_users(conn, community)?;
            let dead: Vec<_> = outbox::with_status(conn, "dead")?
                .into_iter()
                .filter(|p| p.community_id == community.to_string())
                .collect();
            Ok((users, dead, directory::organisations(conn, community)?))
        })
        .await?;
    let users: Vec<Value> = users
        .iter()
        .map(|u| {
            json!({
                "id": u.id.0, "me": u.id == caller.user.id,
                "login": u.login, "name": u.display_name, "email": u.email, "disabled": u.disabled,
                "roles": u.roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                "orgs": u.organisations.iter().filter_map(|o| names.org(Some(o.0))).collect::<Vec<_>>(),
                "compound": names.compound(u.compound.map(|c| c.0)),
            })
        })
        .collect();
    let orgs: Vec<Value> = orgs
        .iter()
        .map(|o| json!({ "id": o.id.0, "name": o.name, "kind": o.kind.to_string(), "emails": o.contact_emails.join(", ") }))
        .collect();
    let compounds: Vec<Value> = names
        .compounds
        .iter()
        .map(|(id, name)| {
            let buildings = names.buildings.iter().filter(|(_, c, _)| c == id).count();
            json!({ "id": id, "name": name, "buildings": buildings })
        })
        .collect();
    let dead: Vec<Value> = dead
        .iter()
        .map(|p| json!({ "id": p.id, "effect": p.effect, "attempts": p.attempts, "error": p.last_error, "issue": p.issue_id }))
        .collect();
    Ok(Out::Status(
        status,
        "admin",
        json!({
            "users": users, "orgs": orgs, "compounds": compounds, "dead": dead,
            "roles": ROLES.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "kinds": OrgKind::ALL.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "org_options": names.orgs.iter().map(|(id, n, _)| json!({ "value": id, "label": n })).collect::<Vec<_>>(),
            "compound_options": names.compounds.iter().map(|(id, n)| json!({ "value": id, "label": n })).collect::<Vec<_>>(),
            "values": values, "errors": errors,
        }),
    ))
}

pub async fn show(ctx: Ctx) -> Response {
    let out = admin_page(&ctx, StatusCode::OK, json!({}), Value::Null).await;
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
            let values: serde_json::Map<String, Value> = form
                .iter()
                .filter(|(k, _)| k != "password" && k != "_csrf")
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            admin_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, Value::Object(values), ctx.form_errors(&e)).await
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
    let names = Names::load(ctx).await?;
    let mut errors = Vec::new();
    let name = field(form, "org_name").unwrap_or_default();
    check_name(&mut errors, "org_name", &name);
    if names.orgs.iter().any(|(_, n, _)| *n == name) {
        errors.push(FieldProblem::new("org_name", "taken", "this name is taken"));
    }
    let kind = field(form, "kind").and_then(|k| OrgKind::ALL.iter().find(|x| x.to_string() == k).copied());
    if kind.is_none() {
        errors.push(FieldProblem::new("kind", "missing", "choose a kind"));
    }
    let emails = names_list(field(form, "contact_emails"));
    if emails.iter().any(|e| !e.contains('@') || e.contains(' ') || e.len() > 200) {
        errors.push(FieldProblem::new("contact_emails", "invalid", "e-mail addresses, one per line"));
    }
    let compound = field(form, "compound")
        .and_then(|c| names.compounds.iter().find(|(id, _)| id.to_string() == c).map(|(id, _)| CompoundId(*id)));
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
    let names = Names::load(ctx).await?;
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
        .filter_map(|(_, v)| ROLES.iter().find(|r| r.to_string() == *v).copied())
        .collect();
    if roles.is_empty() {
        errors.push(FieldProblem::new("role", "missing", "at least one role"));
    }
    let names = Names::load(ctx).await?;
    let org =
        field("org").and_then(|o| names.orgs.iter().find(|(id, ..)| id.to_string() == o).map(|(id, ..)| OrgId(*id)));
    let compound = field("compound")
        .and_then(|c| names.compounds.iter().find(|(id, _)| id.to_string() == c).map(|(id, _)| CompoundId(*id)));
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
                let ours = outbox::with_status(conn, "dead")?.iter().any(|p| p.id == id && p.community_id == community);
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

#[derive(serde::Deserialize)]
pub struct AccessForm {
    action: String,
}

/// Disables an account (ending its sessions) or enables it again.
pub async fn set_access(ApiPath(id): ApiPath<uuid::Uuid>, Posted { ctx, form }: Posted<AccessForm>) -> Response {
    let out = async {
        let caller = require_admin(&ctx)?;
        let disable = match form.action.as_str() {
            "disable" => true,
            "enable" => false,
            _ => return Err(ApiError::BadRequest("the action is disable or enable".into())),
        };
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
