//! What every user does to their own account: change the password (which ends their
//! other sessions and tokens) and see and end their sessions.

use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_store::{directory, tokens};
use secrecy::{ExposeSecret, SecretString};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::SessionView;

/// The fewest characters a password has.
pub const PASSWORD_MIN_CHARS: usize = 8;

/// Changes the caller's password after checking the current one. Every other session and
/// API token of theirs ends; the one in use stays. A wrong current password counts as a
/// failed sign-in for the throttle (so this cannot be used to guess it faster).
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    current: SecretString,
    new: SecretString,
    address: &str,
) -> ApiResult<usize> {
    let n = new.expose_secret().chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(ApiError::field("new_password", "too_short", format!("at least {PASSWORD_MIN_CHARS} characters")));
    }
    if n > auth::PASSWORD_MAX_CHARS || current.expose_secret().chars().count() > auth::PASSWORD_MAX_CHARS {
        return Err(ApiError::field(
            "new_password",
            "too_long",
            format!("at most {} characters", auth::PASSWORD_MAX_CHARS),
        ));
    }
    if current.expose_secret() == new.expose_secret() {
        return Err(ApiError::field("new_password", "unchanged", "the new password is the current one"));
    }
    let login = caller.user.login.clone();
    if let Some(wait) = state.throttle.check(&login, address) {
        return Err(ApiError::TooManyRequests(wait));
    }
    let lookup = login.clone();
    let (_, stored) = state
        .db
        .run(move |conn| directory::user_by_login(conn, &lookup))
        .await?
        .ok_or(ApiError::Unauthorized("the account is gone"))?;
    let hash = tokio::task::spawn_blocking(move || {
        auth::verify_password(current.expose_secret(), &stored).then(|| auth::hash_password(new.expose_secret()))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(hash) = hash else {
        state.throttle.record_failure(&login, address);
        return Err(ApiError::field("current_password", "wrong", "this is not the current password"));
    };
    let hash = hash.map_err(ApiError::Internal)?;
    state.throttle.record_success(&login, address);
    let (user, keep, now) = (caller.user.id, caller.token_id.clone(), state.now());
    let entry = super::audit(state, caller, AuditAction::PasswordSet, AuditSubject::Account, user);
    let ended = state
        .db
        .write(move |conn| {
            directory::set_password_hash(conn, user, &hash)?;
            let ended = tokens::revoke_others(conn, user, &keep, now)?;
            roundtable_store::audit::record(conn, &entry.with("via", "account page").with("tokens_revoked", ended))?;
            Ok(ended)
        })
        .await?;
    state.auth_cache.evict_user(user);
    Ok(ended)
}

/// The caller's live sessions and API tokens, newest first; the one in use is marked.
pub async fn sessions(state: &AppState, caller: &Caller) -> ApiResult<Vec<SessionView>> {
    let (user, now) = (caller.user.id, state.now());
    let live = state.db.run(move |conn| tokens::live_tokens(conn, user, now)).await?;
    Ok(live
        .into_iter()
        .map(|t| SessionView {
            current: t.id == caller.token_id,
            id: t.id,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        })
        .collect())
}

/// Ends one of the caller's sessions (not another user's: that is a 404).
pub async fn end_session(state: &AppState, caller: &Caller, id: String) -> ApiResult<()> {
    let (user, now) = (caller.user.id, state.now());
    let ended = state.db.write(move |conn| tokens::revoke_own(conn, user, &id, now)).await?;
    if !ended {
        return Err(ApiError::NotFound("no such session of yours".into()));
    }
    state.auth_cache.evict_user(user);
    Ok(())
}

/// Ends every session and token of the caller's but the one in use; returns how many.
pub async fn end_other_sessions(state: &AppState, caller: &Caller) -> ApiResult<usize> {
    let (user, keep, now) = (caller.user.id, caller.token_id.clone(), state.now());
    let ended = state.db.write(move |conn| tokens::revoke_others(conn, user, &keep, now)).await?;
    state.auth_cache.evict_user(user);
    Ok(ended)
}
