//! API bearer tokens, stored as hashes only: a database leak reveals no usable token.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use roundtable_core::{CommunityId, UserId};

use crate::convert::{parse, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::{api_tokens, users};

/// A live token: whose it is and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenGrant {
    pub id: String,
    pub user: UserId,
    pub community: CommunityId,
    pub expires_at: DateTime<Utc>,
}

pub fn insert_token(
    conn: &mut DbConn,
    id: &str,
    user: UserId,
    community: CommunityId,
    token_hash: &str,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(id),
            api_tokens::community_id.eq(community.to_string()),
            api_tokens::user_id.eq(user.to_string()),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::created_at.eq(ts(created_at)),
            api_tokens::expires_at.eq(ts(expires_at)),
        ))
        .execute(conn)
        .map_err(StoreError::from_insert("token"))?;
    Ok(())
}

/// The grant behind a token hash, if it exists, is not revoked or expired, and its user
/// is not disabled.
pub fn find_token(conn: &mut DbConn, token_hash: &str, now: DateTime<Utc>) -> Result<Option<TokenGrant>> {
    let row: Option<(String, String, String, chrono::NaiveDateTime)> = api_tokens::table
        .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(ts(now)))
        .filter(users::disabled.eq(false))
        .select((api_tokens::id, api_tokens::user_id, api_tokens::community_id, api_tokens::expires_at))
        .first(conn)
        .optional()?;
    row.map(|(id, user, community, expires)| {
        Ok(TokenGrant {
            id,
            user: parse("user id", &user)?,
            community: parse("community id", &community)?,
            expires_at: utc(expires),
        })
    })
    .transpose()
}

/// Revokes one token; revoking twice is harmless.
pub fn revoke_token(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> Result<()> {
    diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(ts(now)))
        .execute(conn)?;
    Ok(())
}

/// Revokes every token of a user (after a password change).
pub fn revoke_all(conn: &mut DbConn, user: UserId, now: DateTime<Utc>) -> Result<usize> {
    Ok(diesel::update(
        api_tokens::table.filter(api_tokens::user_id.eq(user.to_string())).filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(ts(now)))
    .execute(conn)?)
}

/// A live token as its owner sees it in "my sessions".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A user's live tokens (sessions and API tokens), newest first.
pub fn live_tokens(conn: &mut DbConn, user: UserId, now: DateTime<Utc>) -> Result<Vec<TokenInfo>> {
    type Row = (String, chrono::NaiveDateTime, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>);
    let rows: Vec<Row> = api_tokens::table
        .filter(api_tokens::user_id.eq(user.to_string()))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(ts(now)))
        .order(api_tokens::created_at.desc())
        .select((api_tokens::id, api_tokens::created_at, api_tokens::expires_at, api_tokens::last_used_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, created, expires, used)| TokenInfo {
            id,
            created_at: utc(created),
            expires_at: utc(expires),
            last_used_at: used.map(utc),
        })
        .collect())
}

/// Revokes a user's own token; `false` when it is not theirs or not live.
pub fn revoke_own(conn: &mut DbConn, user: UserId, id: &str, now: DateTime<Utc>) -> Result<bool> {
    let n = diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::user_id.eq(user.to_string()))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(ts(now)))
    .execute(conn)?;
    Ok(n > 0)
}

/// Revokes every token of a user but `keep` (the session in use); returns how many.
pub fn revoke_others(conn: &mut DbConn, user: UserId, keep: &str, now: DateTime<Utc>) -> Result<usize> {
    Ok(diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user.to_string()))
            .filter(api_tokens::id.ne(keep))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(ts(now)))
    .execute(conn)?)
}
