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

/// The one rule for a new password: 8 to 1,024 characters.
pub fn check_new_password(field: &str, password: &SecretString) -> ApiResult<()> {
    let n = password.expose_secret().chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(ApiError::field(field, "too_short", format!("at least {PASSWORD_MIN_CHARS} characters")));
    }
    if n > auth::PASSWORD_MAX_CHARS {
        return Err(ApiError::field(field, "too_long", format!("at most {} characters", auth::PASSWORD_MAX_CHARS)));
    }
    Ok(())
}

/// Hashes a password off the async threads (argon2 takes tens of milliseconds).
pub async fn hash(password: SecretString) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || auth::hash_password(password.expose_secret()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

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
    check_new_password("new_password", &new)?;
    if current.expose_secret().chars().count() > auth::PASSWORD_MAX_CHARS {
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

/// Asks for a password-reset mail for `login`. The answer is the same whether or not the
/// account exists, has an address or is disabled (no enumeration); every request counts
/// against the sign-in throttle for that login and address, so mail cannot be flooded.
pub async fn request_reset(state: &AppState, login: &str, address: &str) -> ApiResult<()> {
    let login = roundtable_core::text::trim(login).to_owned();
    if login.is_empty() || login.chars().count() > auth::LOGIN_MAX_CHARS {
        return Err(ApiError::field("login", "invalid", "a login of 1–100 characters"));
    }
    if let Some(wait) = state.throttle.check(&login, address) {
        return Err(ApiError::TooManyRequests(wait));
    }
    state.throttle.record_failure(&login, address);
    let now = state.now();
    state
        .db
        .write(move |conn| {
            let Some((user, _)) = directory::user_by_login(conn, &login)? else { return Ok(()) };
            if user.disabled || user.email.is_none() {
                return Ok(());
            }
            let payload = serde_json::json!({ "user": user.id.to_string() });
            let effect = roundtable_core::AccountNotice::PasswordReset.as_str();
            roundtable_store::outbox::queue(conn, &user.community.to_string(), effect, None, payload, None, now)?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// Sets a new password through a reset link (checked by the caller): once per link; every
/// session and token of the account ends. `Ok(false)`: the link was used before.
pub async fn reset_password(
    state: &AppState,
    user: roundtable_core::UserId,
    nonce: String,
    new: SecretString,
) -> ApiResult<bool> {
    check_new_password("new_password", &new)?;
    let hash = hash(new).await?;
    let now = state.now();
    let done = state
        .db
        .write(move |conn| {
            let account = directory::get_user(conn, user)?;
            if account.disabled || !roundtable_store::settings::consume_reset_link(conn, &nonce, user, now)? {
                return Ok(false);
            }
            directory::set_password_hash(conn, user, &hash)?;
            let ended = tokens::revoke_all(conn, user, now)?;
            let entry = super::audit_entry(
                account.community,
                Some(user),
                AuditAction::PasswordSet,
                AuditSubject::Account,
                user,
                now,
            )
            .with("via", "reset link")
            .with("tokens_revoked", ended);
            roundtable_store::audit::record(conn, &entry)?;
            Ok(true)
        })
        .await?;
    if done {
        state.auth_cache.evict_user(user);
    }
    Ok(done)
}
