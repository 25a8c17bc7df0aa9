//! Notice channels (`/api/v1/channels`): group robots and signed webhooks, managed by
//! secretaries and administrators; and an issue's deliveries.

use crate::api::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use roundtable_core::{ChannelKind, DeliveryStatus, IssueId, OrgId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiResult, Problem};
use crate::ops::channels::{self as ops, ChannelShown, DeliveryShown, NewChannel, Owner};
use crate::state::AppState;
use crate::views::names;

/// `{kind, name, org | user, url, secret?}`: a robot's webhook address as WeCom or DingTalk
/// shows it (or a webhook's https URL), for an organisation's group or one person. `secret`
/// is DingTalk's signing secret (`SEC…`); a webhook's is made by the server.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelBody {
    #[schema(value_type = names::ChannelKindName)]
    pub kind: ChannelKind,
    pub name: String,
    pub org: Option<Uuid>,
    pub user: Option<Uuid>,
    pub url: String,
    pub secret: Option<String>,
}

/// A channel: never its URL or secret, but the host it goes to. `secret` only in the
/// answer that added a webhook.
#[derive(Serialize, ToSchema)]
pub struct ChannelView {
    pub id: String,
    #[schema(value_type = names::ChannelKindName)]
    pub kind: ChannelKind,
    pub name: String,
    pub org: Option<Uuid>,
    pub user: Option<Uuid>,
    pub owner_name: String,
    pub host: String,
    pub created_at: DateTime<Utc>,
    /// The webhook's HMAC-SHA256 key: shown once, keep it with the receiver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl ChannelView {
    pub fn new(c: &ChannelShown, secret: Option<String>) -> ChannelView {
        ChannelView {
            id: c.channel.id.clone(),
            kind: c.channel.kind,
            name: c.channel.name.clone(),
            org: c.channel.org.map(|o| o.0),
            user: c.channel.user.map(|u| u.0),
            owner_name: c.owner_name.clone(),
            host: c.host.clone(),
            created_at: c.channel.created_at,
            secret,
        }
    }
}

/// Adds a channel (secretaries and administrators).
#[utoipa::path(post, path = "/api/v1/channels", tag = "channels", request_body = ChannelBody, security(("bearer" = [])), responses(
    (status = 201, body = ChannelView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ChannelBody>,
) -> ApiResult<(StatusCode, Json<ChannelView>)> {
    let owner = match (body.org, body.user) {
        (Some(o), None) => Owner::Org(OrgId(o)),
        (None, Some(u)) => Owner::User(UserId(u)),
        _ => return Err(ApiError::field("owner", "invalid", "either `org` or `user`, not both")),
    };
    let new = NewChannel { kind: body.kind, name: body.name, owner, url: body.url, secret: body.secret };
    let added = ops::add(&state, &caller, new).await?;
    Ok((StatusCode::CREATED, Json(ChannelView::new(&added.shown, added.secret))))
}

/// The community's channels in use (secretaries and administrators).
#[utoipa::path(get, path = "/api/v1/channels", tag = "channels", security(("bearer" = [])), responses(
    (status = 200, body = [ChannelView]), (status = 401, body = Problem), (status = 403, body = Problem),
))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<ChannelView>>> {
    Ok(Json(ops::list(&state, &caller).await?.iter().map(|c| ChannelView::new(c, None)).collect()))
}

/// Removes a channel; notices waiting for it are dropped.
#[utoipa::path(delete, path = "/api/v1/channels/{id}", tag = "channels", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    ops::remove(&state, &caller, &id.to_string()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether the sample notice arrived, and if not, why.
#[derive(Serialize, ToSchema)]
pub struct TestResult {
    pub delivered: bool,
    pub error: Option<String>,
}

/// Sends a sample notice to the channel now and says whether it arrived.
#[utoipa::path(post, path = "/api/v1/channels/{id}/test", tag = "channels", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = TestResult), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn test(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TestResult>> {
    let result = ops::test(&state, &caller, &id.to_string()).await?;
    Ok(Json(TestResult { delivered: result.is_ok(), error: result.err() }))
}

/// One notice of an issue by one way: `channel` null is mail.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub notice: String,
    #[schema(value_type = Option<names::ChannelKindName>)]
    pub channel_kind: Option<ChannelKind>,
    pub channel: Option<String>,
    #[schema(value_type = names::DeliveryStatusName)]
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// A pending notice's next try (held for a robot's quiet hours or rate limit, or
    /// backing off after a failure); null once sent or dead.
    pub next_try_at: Option<DateTime<Utc>>,
}

impl From<DeliveryShown> for DeliveryView {
    fn from(d: DeliveryShown) -> Self {
        let (channel_kind, channel) = d.channel.map_or((None, None), |(k, n)| (Some(k), Some(n)));
        DeliveryView {
            notice: d.effect,
            channel_kind,
            channel,
            status: d.status,
            attempts: d.attempts,
            error: d.error,
            queued_at: d.queued_at,
            sent_at: d.sent_at,
            next_try_at: d.next_try_at,
        }
    }
}

/// Which notices of an issue went out which way, and whether they arrived (secretaries
/// and administrators).
#[utoipa::path(get, path = "/api/v1/issues/{id}/deliveries", tag = "channels", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = [DeliveryView]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<DeliveryView>>> {
    let list = ops::deliveries(&state, &caller, IssueId(id)).await?;
    Ok(Json(list.into_iter().map(DeliveryView::from).collect()))
}
