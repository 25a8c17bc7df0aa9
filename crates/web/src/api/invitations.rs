//! Invitations: make, list, revoke (`/api/v1/invitations`). Taking one up is the sign-up
//! page the link opens (`pages::join`).

use crate::api::Json;
use axum::extract::State;
use axum::http::StatusCode;
use roundtable_core::{BuildingId, CompoundId, Invitation, OrgId};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiResult, Problem};
use crate::ops::invitations as ops;
use crate::state::AppState;
use crate::views::{InvitationBody, InvitationView};

/// The views of invitations, with their full links (the signing key read once).
pub async fn shown(state: &AppState, list: &[Invitation]) -> ApiResult<Vec<InvitationView>> {
    let key = state.db.run(crate::mail::links::key).await?;
    let url = |id| format!("{}{}", state.config.mail.base_url, crate::mail::links::invitation_path(&key, id));
    Ok(list.iter().map(|i| InvitationView::new(i, url(i.id), state.now())).collect())
}

/// Makes an invitation: the secretary and administrators for any role (administrators
/// alone for administrators), a building leader for residents of their buildings.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "auth", request_body = InvitationBody, security(("bearer" = [])), responses(
    (status = 201, body = InvitationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<InvitationBody>,
) -> ApiResult<(StatusCode, Json<InvitationView>)> {
    let new = ops::NewInvitation {
        role: body.role,
        compound: body.compound.map(CompoundId),
        building: body.building.map(BuildingId),
        unit: body.unit,
        org: body.org.map(OrgId),
        note: body.note,
        days: body.days,
        uses: body.uses,
    };
    let made = ops::create(&state, &caller, new).await?;
    let view = shown(&state, &[made]).await?.pop().ok_or_else(|| crate::error::ApiError::Internal("no view".into()))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The invitations the caller made (for the secretary and administrators: all), newest first.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = [InvitationView]), (status = 401, body = Problem), (status = 403, body = Problem),
))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<InvitationView>>> {
    let list = ops::list(&state, &caller).await?;
    Ok(Json(shown(&state, &list).await?))
}

/// Revokes an invitation: its link stops working at once.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "auth", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    ops::revoke(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
