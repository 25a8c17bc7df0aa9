//! Open311 keys: an administrator issues one to a client (a 12345 hotline, a city
//! platform) and names the account its requests are raised as. The key is shown once;
//! only its SHA-256 is kept. Issuing and revoking are on the audit trail.

use chrono::{DateTime, TimeDelta, Utc};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::{Role, UserId, text};
use roundtable_store::open311::{self, Open311Key};
use roundtable_store::{StoreError, directory};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::state::AppState;

use super::admin::require_admin;

/// What the administrator sees of a key: everything but the key.
pub struct KeyShown {
    pub key: Open311Key,
    pub account_name: String,
}

/// A key just issued, with the secret the client needs (shown this once).
pub struct Issued {
    pub shown: KeyShown,
    pub secret: String,
}

/// Issues a key. The account must be able to raise anywhere in the community and to
/// report on behalf of the people a client passes on: a secretary or an administrator
/// (usually an account made for the client). 1–100 characters of name.
pub async fn issue(state: &AppState, caller: &Caller, name: &str, account: UserId) -> ApiResult<Issued> {
    require_admin(caller)?;
    let name = text::one_line(name);
    let mut errors = Vec::new();
    // Whose client this is, within a line.
    crate::ops::check_text(&mut errors, "name", &name, 1, 100);
    let community = caller.actor.community;
    let found = state.db.run(move |conn| directory::user_with_actor(conn, account)).await;
    let user = match found {
        Ok((user, actor)) if user.community == community && !user.disabled => {
            if !(actor.has_role(Role::Secretary) || actor.has_role(Role::Admin)) {
                errors.push(FieldProblem::new(
                    "account",
                    "not_a_chair",
                    "requests are raised as this account: choose a secretary's or administrator's account",
                ));
            }
            Some(user)
        }
        Ok(_) | Err(StoreError::NotFound) => {
            errors.push(FieldProblem::new("account", "unknown", "no such account in this community"));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let Some(user) = user.filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    // Not a bearer token: a prefix of its own, so neither is mistaken for the other.
    let (secret, hash) = crate::auth::new_secret("o311_");
    let key = Open311Key {
        id: uuid::Uuid::now_v7().to_string(),
        community,
        name,
        user: account,
        created_by: caller.user.id,
        created_at: state.now(),
        revoked_at: None,
        last_used_at: None,
    };
    let entry = super::audit(state, caller, AuditAction::KeyIssued, AuditSubject::Key, &key.id)
        .with("name", &key.name)
        .with("account", account);
    let stored = key.clone();
    state
        .db
        .write(move |conn| {
            open311::insert_key(conn, &stored, &hash)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    tracing::info!(key = %key.id, account = %account, "Open311 key issued");
    Ok(Issued { shown: KeyShown { key, account_name: user.display_name }, secret })
}

/// The community's keys, newest first.
pub async fn list(state: &AppState, caller: &Caller) -> ApiResult<Vec<KeyShown>> {
    require_admin(caller)?;
    let community = caller.actor.community;
    let (keys, names) = state
        .db
        .run(move |conn| {
            let keys = open311::keys(conn, community)?;
            let users: Vec<UserId> = keys.iter().map(|k| k.user).collect();
            let names = directory::display_names(conn, &users)?;
            Ok((keys, names))
        })
        .await?;
    Ok(keys
        .into_iter()
        .map(|key| {
            let account_name = names.get(&key.user).cloned().unwrap_or_default();
            KeyShown { key, account_name }
        })
        .collect())
}

/// Revokes a key: requests with it are refused (403) at once.
pub async fn revoke(state: &AppState, caller: &Caller, id: &str) -> ApiResult<()> {
    require_admin(caller)?;
    let (community, now) = (caller.actor.community, state.now());
    let entry = super::audit(state, caller, AuditAction::KeyRevoked, AuditSubject::Key, id);
    let id = id.to_owned();
    state
        .db
        .write(move |conn| {
            open311::revoke_key(conn, community, &id, now)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::NotFound("no such key".into()),
            other => other.into(),
        })
}

/// How stale a key's "last used" may get: a client reading every minute costs a read,
/// not a write, per request.
const USE_RECORDED_EVERY: TimeDelta = TimeDelta::minutes(5);

/// The key behind a secret a client sent; `None` for an unknown or revoked one (or one
/// whose account was disabled). Its last use is recorded, to within five minutes.
pub async fn find(state: &AppState, secret: &str) -> ApiResult<Option<Open311Key>> {
    if secret.len() > 200 {
        return Ok(None);
    }
    let (hash, now): (String, DateTime<Utc>) = (crate::auth::token_hash(secret), state.now());
    let Some(key) = state.db.run(move |conn| open311::live_key(conn, &hash)).await? else { return Ok(None) };
    if key.last_used_at.is_none_or(|at| now - at >= USE_RECORDED_EVERY) {
        let id = key.id.clone();
        state.db.write(move |conn| open311::mark_used(conn, &id, now)).await?;
    }
    Ok(Some(key))
}
