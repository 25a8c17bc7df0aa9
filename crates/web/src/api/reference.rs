//! Reference data of the caller's community, and the loaded workflows.

use crate::api::Json;
use axum::extract::State;
use roundtable_core::{CompoundId, Role};
use roundtable_store::directory;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiPath, ApiResult, Problem};
use crate::state::AppState;
use crate::views::{CommunityView, NamedView, OrganisationView, UserView, WorkflowView};

/// The caller's community (a deployment may serve several; nobody sees another's).
#[utoipa::path(get, path = "/api/v1/communities", tag = "reference", security(("bearer" = [])), responses(
    (status = 200, body = [CommunityView]), (status = 401, body = Problem),
))]
pub async fn communities(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<CommunityView>>> {
    let id = caller.actor.community;
    let c = state.db.run(move |conn| directory::get_community(conn, id)).await?;
    Ok(Json(vec![CommunityView {
        id: c.id.0,
        name: c.name,
        time_zone: c.time_zone.name().into(),
        default_locale: c.default_locale,
    }]))
}

/// The community's compounds (小区).
#[utoipa::path(get, path = "/api/v1/compounds", tag = "reference", security(("bearer" = [])), responses(
    (status = 200, body = [NamedView]), (status = 401, body = Problem),
))]
pub async fn compounds(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<NamedView>>> {
    let id = caller.actor.community;
    let list = state.db.run(move |conn| directory::compounds(conn, id)).await?;
    Ok(Json(list.into_iter().map(|c| NamedView { id: c.id.0, name: c.name }).collect()))
}

/// A compound's buildings (楼栋).
#[utoipa::path(get, path = "/api/v1/compounds/{id}/buildings", tag = "reference", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = [NamedView]), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub async fn buildings(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<NamedView>>> {
    let community = caller.actor.community;
    let compound = CompoundId(id);
    let list = state
        .db
        .run(move |conn| {
            if !directory::compounds(conn, community)?.iter().any(|c| c.id == compound) {
                return Ok(None);
            }
            directory::buildings(conn, compound).map(Some)
        })
        .await?
        .ok_or_else(|| ApiError::NotFound("no such compound".into()))?;
    Ok(Json(list.into_iter().map(|b| NamedView { id: b.id.0, name: b.name }).collect()))
}

/// The organisations taking part in the meeting.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "reference", security(("bearer" = [])), responses(
    (status = 200, body = [OrganisationView]), (status = 401, body = Problem),
))]
pub async fn organisations(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<OrganisationView>>> {
    let id = caller.actor.community;
    let list = state.db.run(move |conn| directory::organisations(conn, id)).await?;
    Ok(Json(list.iter().map(OrganisationView::from).collect()))
}

/// The community's accounts (administrators only).
#[utoipa::path(get, path = "/api/v1/users", tag = "reference", security(("bearer" = [])), responses(
    (status = 200, body = [UserView]), (status = 401, body = Problem), (status = 403, body = Problem),
))]
pub async fn users(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<UserView>>> {
    if !caller.actor.has_role(Role::Admin) {
        return Err(ApiError::Forbidden("only administrators list accounts".into()));
    }
    let id = caller.actor.community;
    let list = state.db.run(move |conn| directory::list_users(conn, id)).await?;
    Ok(Json(list.iter().map(UserView::from).collect()))
}

/// The loaded workflow definitions.
#[utoipa::path(get, path = "/api/v1/workflows", tag = "reference", security(("bearer" = [])), responses(
    (status = 200, body = [WorkflowView]), (status = 401, body = Problem),
))]
pub async fn workflows(State(state): State<AppState>, _caller: Caller) -> Json<Vec<WorkflowView>> {
    Json(state.workflows.iter().map(WorkflowView::from).collect())
}
