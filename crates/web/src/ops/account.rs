//! What every user does to their own account: change the password (which ends their
//! other sessions and tokens) and see and end their sessions.

use roundtable_core::Role;
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_store::{directory, tokens};
use secrecy::{ExposeSecret, SecretString};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::state::AppState;
use crate::views::SessionView;

/// The fewest characters a password has.
pub const PASSWORD_MIN_CHARS: usize = 8;

/// The one rule for a new password: 8 to 1,024 characters.
pub fn password_problem(field: &str, password: &SecretString) -> Option<FieldProblem> {
    let n = password.expose_secret().chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Some(FieldProblem::too_short(field, PASSWORD_MIN_CHARS));
    }
    (n > auth::PASSWORD_MAX_CHARS).then(|| FieldProblem::too_long(field, auth::PASSWORD_MAX_CHARS))
}

/// [`password_problem`], refused at once.
pub fn check_new_password(field: &str, password: &SecretString) -> ApiResult<()> {
    password_problem(field, password).map_or(Ok(()), |p| Err(ApiError::invalid(vec![p])))
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
    client: &auth::Client,
) -> ApiResult<usize> {
    check_new_password("new_password", &new)?;
    if current.expose_secret() == new.expose_secret() {
        return Err(ApiError::field("new_password", "unchanged", "the new password is the current one"));
    }
    confirm(state, caller, "current_password", current, client).await?;
    let hash = hash(new).await?;
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

/// Checks the caller's own password (`field` names it in the refusal) before a change that
/// needs it, throttled like a sign-in: a wrong one counts as a failed sign-in by `client`.
async fn confirm(
    state: &AppState,
    caller: &Caller,
    field: &str,
    password: SecretString,
    client: &auth::Client,
) -> ApiResult<()> {
    if password.expose_secret().chars().count() > auth::PASSWORD_MAX_CHARS {
        return Err(ApiError::too_long(field, auth::PASSWORD_MAX_CHARS));
    }
    let login = caller.user.login.clone();
    if let Some(wait) = state.throttle.check(&login, client) {
        return Err(ApiError::TooManyRequests(wait));
    }
    let lookup = login.clone();
    let (_, stored) = state
        .db
        .run(move |conn| directory::user_by_login(conn, &lookup))
        .await?
        .ok_or(ApiError::Unauthorized("the account is gone"))?;
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(password.expose_secret(), &stored))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !ok {
        state.throttle.record_failure(&login, client);
        return Err(ApiError::field(field, "wrong", "this is not your password"));
    }
    state.throttle.record_success(&login, client);
    Ok(())
}

/// Changes how the caller is reached: the e-mail address their notices and password resets
/// go to and the phone number the responsible company calls — both of which they may sign
/// in with, so their password confirms it, and one that another account has is refused
/// (that account would lose its way in). Blank is none. The trail records that
/// they changed, not the values.
pub async fn change_contact(
    state: &AppState,
    caller: &Caller,
    password: SecretString,
    email: Option<&str>,
    phone: Option<&str>,
    client: &auth::Client,
) -> ApiResult<()> {
    let mut errors = Vec::new();
    let (email, phone) = super::admin::contact_details(email, phone, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    confirm(state, caller, "current_password", password, client).await?;
    set_contact_of(state, caller, &caller.user, (email, phone), AuditAction::ContactChanged).await
}

/// Gives `account` the e-mail address and phone number (checked), refusing one another
/// account has (`taken`); the trail records `action` and which changed, not the values.
pub(crate) async fn set_contact_of(
    state: &AppState,
    caller: &Caller,
    account: &roundtable_core::User,
    (email, phone): (Option<String>, Option<String>),
    action: AuditAction,
) -> ApiResult<()> {
    let mut errors = Vec::new();
    let user = account.id;
    let changed: Vec<&str> = [("email", email != account.email), ("phone", phone != account.phone)]
        .into_iter()
        .filter_map(|(what, changed)| changed.then_some(what))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let entry = super::audit(state, caller, action, AuditSubject::Account, user).with("changed", changed.join(", "));
    // Asked in the write: on SQLite nothing writes in between; on PostgreSQL two taking one
    // number in the same instant could both pass — then both sign in by their logins, as
    // with any shared number (`user_for_sign_in`).
    let taken = state
        .db
        .write(move |conn| {
            let taken = directory::contact_taken(conn, user, email.as_deref(), phone.as_deref())?;
            if taken == (false, false) {
                directory::set_contact(conn, user, email.as_deref(), phone.as_deref())?;
                roundtable_store::audit::record(conn, &entry)?;
            }
            Ok(taken)
        })
        .await?;
    if taken.0 {
        errors.push(FieldProblem::new("email", "taken", "another account has this address"));
    }
    if taken.1 {
        errors.push(FieldProblem::new("phone", "taken", "another account has this number"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    state.auth_cache.evict_user(user);
    Ok(())
}

/// Changes the name the caller is shown by (mistyped when the account was made, or changed
/// since).
pub async fn change_name(state: &AppState, caller: &Caller, typed: &str) -> ApiResult<()> {
    rename_person(state, caller, &caller.user, typed, AuditAction::NameChanged).await
}

/// Gives `account` the name typed: issues, meetings and notices
/// name people by their id, so all say the new name at once. The trail records `action`,
/// not the names — closing an account deletes its name, and the trail keeps no copy of it.
pub(crate) async fn rename_person(
    state: &AppState,
    caller: &Caller,
    account: &roundtable_core::User,
    typed: &str,
    action: AuditAction,
) -> ApiResult<()> {
    let mut errors = Vec::new();
    let name = super::admin::check_name(&mut errors, "name", typed);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if name == account.display_name {
        return Ok(());
    }
    let user = account.id;
    let entry = super::audit(state, caller, action, AuditSubject::Account, user);
    state
        .db
        .write(move |conn| {
            directory::set_display_name(conn, user, &name)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    state.auth_cache.evict_user(user);
    Ok(())
}

/// The caller's live sessions and API tokens, newest first; the one in use is marked.
pub async fn sessions(state: &AppState, caller: &Caller) -> ApiResult<Vec<SessionView>> {
    let (user, now) = (caller.user.id, state.now());
    let live = state.db.run(move |conn| tokens::live_tokens(conn, user, now)).await?;
    Ok(live
        .into_iter()
        .map(|t| SessionView {
            current: *t.id == *caller.token_id,
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
/// against the sign-in throttle for that login and client, so mail cannot be flooded.
pub async fn request_reset(state: &AppState, login: &str, client: &auth::Client) -> ApiResult<()> {
    let login = roundtable_core::text::trim(login).to_owned();
    super::text_within("login", &login, 1, auth::LOGIN_MAX_CHARS)?;
    if let Some(wait) = state.throttle.check(&login, client) {
        return Err(ApiError::TooManyRequests(wait));
    }
    state.throttle.record_failure(&login, client);
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

/// Everything kept about the caller, for them to download (PIPL: the right to a copy).
/// The download itself is on the audit trail.
pub async fn export(state: &AppState, caller: &Caller) -> ApiResult<crate::views::MyData> {
    use crate::views::{IssueRef, MyData, PhotoView, RaisedData, StepData, UserView};
    let (user, community, now) = (caller.user.id, caller.actor.community, state.now());
    let filter = roundtable_store::audit::AuditFilter { actor: Some(user), ..Default::default() };
    let entry = super::audit(state, caller, AuditAction::DataExported, AuditSubject::Account, user);
    let (raised, steps, supported, photos, trail) = state
        .db
        .write(move |conn| {
            roundtable_store::audit::record(conn, &entry)?;
            let roundtable_store::issues::PersonsRecord { raised, steps, supported } =
                roundtable_store::issues::of_person(conn, user)?;
            let photos = roundtable_store::photos::uploaded_by(conn, user)?;
            let (trail, _) = roundtable_store::audit::list(conn, community, &filter, 200)?;
            Ok((raised, steps, supported, photos, trail))
        })
        .await?;
    let me = crate::views::PersonRef { id: user.0, name: caller.user.display_name.clone() };
    Ok(MyData {
        exported_at: now,
        account: UserView::from(&*caller.user),
        buildings: caller.user.buildings.iter().map(|b| b.0).collect(),
        created_at: caller.user.created_at,
        issues_raised: raised
            .into_iter()
            .map(|i| RaisedData {
                id: i.id.0,
                title: i.title,
                description: i.description,
                category: i.category,
                compound: i.compound.0,
                building: i.building.map(|b| b.0),
                unit: i.unit,
                state: i.state.to_string(),
                created_at: i.created_at,
            })
            .collect(),
        steps: steps
            .into_iter()
            .map(|e| StepData { issue: e.issue.0, transition: e.transition, at: e.at, fields: e.fields })
            .collect(),
        supported: supported.into_iter().map(|(id, title)| IssueRef { id: id.0, title }).collect(),
        photos: photos.iter().map(|p| PhotoView::new(p, super::issues::API_PHOTOS)).collect(),
        sessions: sessions(state, caller).await?,
        audit: trail
            .into_iter()
            .map(|e| crate::views::audit::AuditView {
                id: e.id,
                at: e.at,
                actor: Some(me.clone()),
                action: e.action,
                subject: e.subject,
                subject_id: e.subject_id,
                details: e.details,
            })
            .collect(),
    })
}

/// How a closed account is shown on the issues and steps it leaves behind.
pub const CLOSED_ACCOUNT_NAME: &str = "已注销用户";

/// Closes the caller's account at their request (PIPL: the right to deletion): the
/// password confirms it (throttled like a sign-in); their name, login, phone and e-mail
/// go, every session ends, uploads not attached to an issue are deleted; their issues and
/// steps stay under "已注销用户". An administrator's account is closed by another
/// administrator (disabling it), so a community is never left without one by accident.
pub async fn close(state: &AppState, caller: &Caller, password: SecretString, client: &auth::Client) -> ApiResult<()> {
    if caller.actor.has_role(Role::Admin) {
        return Err(ApiError::Forbidden("an administrator's account is closed by another administrator".into()));
    }
    confirm(state, caller, "password", password, client).await?;
    let (user, now) = (caller.user.id, state.now());
    let entry = super::audit(state, caller, AuditAction::AccountClosed, AuditSubject::Account, user);
    let unattached = state
        .db
        .write(move |conn| {
            let unattached: Vec<_> =
                roundtable_store::photos::uploaded_by(conn, user)?.into_iter().filter(|p| p.issue.is_none()).collect();
            let mut files = Vec::new();
            for p in &unattached {
                let (content, thumb) = roundtable_store::photos::delete(conn, p)?;
                files.extend((!content).then(|| p.content_hash.clone()));
                files.extend((!thumb).then(|| p.thumb_hash.clone()));
            }
            directory::pseudonymise(conn, user, CLOSED_ACCOUNT_NAME)?;
            tokens::revoke_all(conn, user, now)?;
            roundtable_store::audit::record(conn, &entry)?;
            Ok(files)
        })
        .await?;
    for hash in unattached {
        state.photos.remove(&hash).await;
    }
    state.auth_cache.evict_user(user);
    tracing::info!(user = %user, "account closed at its owner's request");
    Ok(())
}
