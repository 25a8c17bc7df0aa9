//! Invitations on the pages: make one, print it with its QR code for a notice board,
//! revoke it (`/invitations`); and the sign-up page its link opens (`/join/...`), which
//! works without a session.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::TimeDelta;
use roundtable_core::{BuildingId, CompoundId, Invitation, OrgId, Role};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ApiError, ApiPath, FieldProblem};
use crate::ops::invitations as ops;
use crate::ops::reference::{self, Names};
use crate::pages::forms::{Empty, Posted, filled};
use crate::pages::render::{Choice, Ctx, FormErrors, Out, Page, PageResult};
use crate::pages::session::{SESSION, cookie};
use crate::views::InvitationView;

/// An invitation as the pages list it.
#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    view: InvitationView,
    place: String,
    expires_local: String,
}

fn place(names: &Names, i: &InvitationView) -> String {
    let parts = [
        i.compound.and_then(|c| names.compound(CompoundId(c))).map(str::to_owned),
        i.building.and_then(|b| names.building(BuildingId(b))).map(str::to_owned),
        i.unit.clone(),
        i.org.and_then(|o| names.org(OrgId(o))).map(str::to_owned),
    ];
    parts.into_iter().flatten().collect::<Vec<_>>().join(" · ")
}

async fn shown(ctx: &Ctx, list: &[Invitation]) -> Result<Vec<Shown>, ApiError> {
    let caller = ctx.caller()?;
    let names = reference::names(&ctx.state, &caller).await?;
    let views = crate::api::invitations::shown(&ctx.state, list).await?;
    Ok(views
        .into_iter()
        .map(|view| Shown {
            place: place(&names, &view),
            expires_local: view.expires_at.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string(),
            view,
        })
        .collect())
}

#[derive(Deserialize, Serialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    role: String,
    compound: Option<String>,
    building: Option<String>,
    unit: Option<String>,
    org: Option<String>,
    note: Option<String>,
    days: Option<String>,
    uses: Option<String>,
}

#[derive(Serialize)]
struct InvitationsPage<'a> {
    items: Vec<Shown>,
    roles: Vec<Choice>,
    compounds: Vec<Choice>,
    buildings: Vec<Choice>,
    orgs: Vec<Choice>,
    values: &'a InviteForm,
    errors: Option<FormErrors>,
}

impl Page for InvitationsPage<'_> {
    const TEMPLATE: &'static str = "invitations";
}

async fn invitations_page(
    ctx: &Ctx,
    status: StatusCode,
    values: &InviteForm,
    errors: Option<FormErrors>,
) -> PageResult {
    let caller = ctx.caller()?;
    let list = ops::list(&ctx.state, &caller).await?;
    let items = shown(ctx, &list).await?;
    let names = reference::names(&ctx.state, &caller).await?;
    let chair = caller.actor.has_role(Role::Secretary) || caller.actor.has_role(Role::Admin);
    // A building leader invites residents of their buildings; the secretary anyone.
    let roles: Vec<Role> = if chair {
        Role::ALL.iter().copied().filter(|r| *r != Role::Admin || caller.actor.has_role(Role::Admin)).collect()
    } else {
        vec![Role::Resident]
    };
    let chosen = if values.role.is_empty() { Role::Resident.as_str() } else { values.role.as_str() };
    let roles = roles.iter().map(|r| Choice::new(r.as_str(), r.as_str(), r.as_str() == chosen)).collect();
    let pick = |v: &Option<String>, id: &str| v.as_deref() == Some(id);
    let compounds = names
        .compounds
        .iter()
        .filter(|_| chair)
        .map(|(id, n)| Choice::new(id, n.clone(), pick(&values.compound, &id.to_string())))
        .collect();
    let buildings = names
        .buildings
        .iter()
        .filter(|(id, _, _)| chair || caller.user.buildings.contains(id))
        .map(|(id, c, n)| {
            let label = format!("{} · {n}", names.compound(*c).unwrap_or_default());
            Choice::new(id, label, pick(&values.building, &id.to_string()))
        })
        .collect();
    let orgs = names
        .orgs
        .iter()
        .filter(|_| chair)
        .map(|(id, n, _)| Choice::new(id, n.clone(), pick(&values.org, &id.to_string())))
        .collect();
    Out::status(status, InvitationsPage { items, roles, compounds, buildings, orgs, values, errors })
}

pub async fn list(ctx: Ctx) -> Response {
    let out = invitations_page(&ctx, StatusCode::OK, &InviteForm::default(), None).await;
    ctx.respond(out)
}

fn id_field<T: From<Uuid>>(field: &str, v: &Option<String>, errors: &mut Vec<FieldProblem>) -> Option<T> {
    let text = filled(v)?;
    match text.parse::<Uuid>() {
        Ok(id) => Some(T::from(id)),
        Err(_) => {
            errors.push(FieldProblem::new(field, "invalid", "choose one of the list"));
            None
        }
    }
}

fn number(field: &str, v: &Option<String>, errors: &mut Vec<FieldProblem>) -> Option<u32> {
    crate::pages::forms::whole_number(field, &filled(v)?, errors)
}

pub async fn create(Posted { ctx, form }: Posted<InviteForm>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let mut errors = Vec::new();
        let role =
            form.role.parse::<Role>().map_err(|e| errors.push(FieldProblem::new("role", "invalid", e.to_string())));
        let new = ops::NewInvitation {
            role: role.unwrap_or(Role::Resident),
            compound: id_field("compound", &form.compound, &mut errors),
            building: id_field("building", &form.building, &mut errors),
            unit: filled(&form.unit),
            org: id_field("org", &form.org, &mut errors),
            note: filled(&form.note),
            days: number("days", &form.days, &mut errors),
            uses: number("uses", &form.uses, &mut errors),
        };
        let made = if errors.is_empty() {
            ops::create(&ctx.state, &caller, new).await
        } else {
            Err(ApiError::invalid(errors))
        };
        match made {
            Ok(i) => Ok(Out::Done(format!("/invitations/{}", i.id), "invitation_made")),
            Err(e @ ApiError::Invalid { .. }) => {
                invitations_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &form, Some(ctx.form_errors(&e))).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    ctx.respond(out)
}

#[derive(Serialize)]
struct InvitationPage {
    invitation: Shown,
    /// The QR code of the link, as SVG made here from the link alone.
    qr: String,
}

impl Page for InvitationPage {
    const TEMPLATE: &'static str = "invitation";
}

/// The link as a QR code. The SVG is drawn by `qrcode` from the code's modules (rectangles
/// and two colours): no text of anyone's is in it, so the page can embed it as it is.
fn qr_svg(url: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| ApiError::Internal(format!("QR code: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}

pub async fn show(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let invitation = ops::get(&ctx.state, &caller, id).await?;
        let invitation =
            shown(&ctx, &[invitation]).await?.pop().ok_or(ApiError::NotFound("no such invitation".into()))?;
        let qr = qr_svg(&invitation.view.url)?;
        Out::page(InvitationPage { invitation, qr })
    }
    .await;
    ctx.respond(out)
}

pub async fn revoke(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        ops::revoke(&ctx.state, &ctx.caller()?, id).await?;
        Ok(Out::Done("/invitations".into(), "invitation_revoked"))
    }
    .await;
    ctx.respond(out)
}

#[derive(Serialize)]
struct JoinPage<'a> {
    role: &'static str,
    place: String,
    values: &'a JoinForm,
    min_chars: usize,
    errors: Option<FormErrors>,
}

impl Page for JoinPage<'_> {
    const TEMPLATE: &'static str = "join";
}

#[derive(Deserialize, Serialize, Default)]
pub struct JoinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    email: Option<String>,
    /// Never shown again.
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default, skip_serializing)]
    repeat_password: String,
    consent: Option<String>,
}

/// The place an invitation names, by the names anyone may read (the invitee has no session).
async fn place_of(ctx: &Ctx, i: &Invitation) -> Result<String, ApiError> {
    use roundtable_store::directory;
    let (community, compound, building, org) = (i.community, i.compound, i.building, i.org);
    let names = ctx
        .state
        .db
        .run(move |conn| {
            let c = directory::compounds(conn, community)?.into_iter().find(|c| Some(c.id) == compound);
            let b = directory::community_buildings(conn, community)?.into_iter().find(|b| Some(b.id) == building);
            let o = org.map(|o| directory::get_organisation(conn, o)).transpose()?;
            Ok([c.map(|c| c.name), b.map(|b| b.name), o.map(|o| o.name)])
        })
        .await?;
    let mut parts: Vec<String> = names.into_iter().flatten().collect();
    parts.extend(i.unit.clone());
    Ok(parts.join(" · "))
}

async fn join_page(
    ctx: &Ctx,
    i: &Invitation,
    status: StatusCode,
    values: &JoinForm,
    errors: Option<FormErrors>,
) -> PageResult {
    let place = place_of(ctx, i).await?;
    let min_chars = crate::ops::account::PASSWORD_MIN_CHARS;
    Out::status(status, JoinPage { role: i.role.as_str(), place, values, min_chars, errors })
}

pub async fn join(ctx: Ctx, Path((id, sig)): Path<(String, String)>) -> Response {
    let out = async {
        let invitation = ops::by_link(&ctx.state, &id, &sig).await?;
        join_page(&ctx, &invitation, StatusCode::OK, &JoinForm::default(), None).await
    }
    .await;
    ctx.respond(out)
}

/// Makes the account, signs the new user in and takes them to their home page.
pub async fn sign_up(
    Path((id, sig)): Path<(String, String)>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Posted { ctx, form }: Posted<JoinForm>,
) -> Response {
    let address = crate::auth::client_address(peer);
    let state = ctx.state.clone();
    let invitation = match ops::by_link(&state, &id, &sig).await {
        Ok(i) => i,
        Err(e) => return ctx.fail(e),
    };
    // Sign-ups count against the sign-in throttle of their address, so an invitation for
    // a notice board cannot be used to try phone numbers at speed.
    if let Some(wait) = state.throttle.check(&form.phone, &address) {
        let out = join_page(
            &ctx,
            &invitation,
            StatusCode::TOO_MANY_REQUESTS,
            &form,
            Some(ctx.form_errors(&ApiError::TooManyRequests(wait))),
        )
        .await;
        return ctx.respond(out);
    }
    let made = if form.password != form.repeat_password {
        Err(ApiError::field("repeat_password", "mismatch", "the two passwords differ"))
    } else {
        let new = ops::SignUp {
            name: form.name.clone(),
            phone: form.phone.clone(),
            email: filled(&form.email),
            password: SecretString::from(form.password.clone()),
            consent: filled(&form.consent).is_some(),
            locale: Some(ctx.viewer.lang.to_owned()),
        };
        ops::sign_up(&state, &invitation, new).await
    };
    let user = match made {
        Ok(user) => user,
        Err(e @ ApiError::Invalid { .. }) => {
            state.throttle.record_failure(&form.phone, &address);
            let out =
                join_page(&ctx, &invitation, StatusCode::UNPROCESSABLE_ENTITY, &form, Some(ctx.form_errors(&e))).await;
            return ctx.respond(out);
        }
        Err(e) => return ctx.fail(e),
    };
    let ttl = TimeDelta::hours(state.config.http.session_hours);
    match crate::api::auth::sign_in(&state, &user.login, form.password.clone(), &address, ttl).await {
        Ok((token, _)) => {
            let mut jar = ctx.viewer.jar.add(cookie(SESSION, token, ctx.viewer.secure));
            // Known from the start, as after any sign-in on the pages (`pages::device`).
            if let Ok(key) = state.db.run(crate::mail::links::key).await {
                jar = jar.add(super::device::cookie(&key, &user.login, state.now(), ctx.viewer.secure));
            }
            (jar, Redirect::to("/?done=welcome")).into_response()
        }
        Err(e) => ctx.fail(e),
    }
}
