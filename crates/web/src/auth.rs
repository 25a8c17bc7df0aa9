//! Passwords (argon2), bearer tokens (random, stored as SHA-256), sign-in throttling and
//! the `Caller` extractor that turns a token into the acting user.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use roundtable_core::{Actor, User};
use roundtable_store::{directory, tokens};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password matches, verified for unknown logins so that they take as long
/// as wrong passwords and the two cannot be told apart.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_hex(16)).expect("argon2 hashes"))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new token: what the client gets, and what the database keeps.
pub fn new_token() -> (String, String) {
    let token = format!("rt_{}", random_hex(32));
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts failed sign-ins per key in a sliding window.
pub struct Throttle {
    per_login: usize,
    per_address: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Throttle {
    pub fn new(per_login: usize, per_address: usize, window: Duration) -> Self {
        Throttle { per_login, per_address, window, failures: Mutex::new(HashMap::new()) }
    }

    fn keys(login: &str, address: &str) -> [(String, bool); 2] {
        [(format!("login:{}", login.trim().to_lowercase()), true), (format!("addr:{address}"), false)]
    }

    /// Seconds to wait if either the login or the address is over its limit.
    pub fn check(&self, login: &str, address: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(login, address)
            .iter()
            .filter_map(|(key, is_login)| {
                let limit = if *is_login { self.per_login } else { self.per_address };
                let times = map.get_mut(key)?;
                while times.front().is_some_and(|t| now.duration_since(*t) > self.window) {
                    times.pop_front();
                }
                (times.len() >= limit).then(|| {
                    let oldest = *times.front()?;
                    Some(self.window.saturating_sub(now.duration_since(oldest)).as_secs().max(1))
                })?
            })
            .max()
    }

    pub fn record_failure(&self, login: &str, address: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for (key, _) in Self::keys(login, address) {
            map.entry(key).or_default().push_back(Instant::now());
        }
    }

    /// A successful sign-in clears the account's count (not the address's).
    pub fn record_success(&self, login: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("login:{}", login.trim().to_lowercase()));
    }
}

/// The signed-in user behind a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub actor: Actor,
    /// The community's time zone: due dates and "today" are local.
    pub tz: Tz,
    /// The community's default language.
    pub locale: String,
    pub token_id: String,
    token_hash: String,
    expires_at: DateTime<Utc>,
}

/// Recently resolved tokens, so a busy client costs no database round trips for
/// authentication. Revoking through this process evicts at once; a revocation made
/// elsewhere (another instance, `roundtable user passwd`) takes effect within `ttl`.
pub struct AuthCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Caller)>>,
}

impl AuthCache {
    const MAX_ENTRIES: usize = 10_000;

    pub fn new(ttl: Duration) -> Self {
        AuthCache { ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn get(&self, hash: &str, now: DateTime<Utc>) -> Option<Caller> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (at, caller) = map.get(hash)?;
        (at.elapsed() < self.ttl && caller.expires_at > now).then(|| caller.clone())
    }

    fn put(&self, caller: &Caller) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::MAX_ENTRIES {
            map.clear();
        }
        map.insert(caller.token_hash.clone(), (Instant::now(), caller.clone()));
    }

    /// Forgets every cached token of `user` (an account disabled in this process).
    pub fn evict_user(&self, user: roundtable_core::UserId) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, (_, c)| c.user.id != user);
    }

    pub fn evict(&self, caller: &Caller) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(&caller.token_hash);
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::Unauthorized("sign in first: send `Authorization: Bearer <token>`"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized("the Authorization header must be `Bearer <token>`"))?;
        Caller::from_token(state, token).await
    }
}

impl Caller {
    /// The user a token (from a bearer header or a page session) stands for.
    pub async fn from_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
        let hash = token_hash(token);
        let now = state.now();
        if let Some(caller) = state.auth_cache.get(&hash, now) {
            return Ok(caller);
        }
        let lookup = hash.clone();
        let found = state
            .db
            .run(move |conn| {
                let Some(grant) = tokens::find_token(conn, &lookup, now)? else {
                    return Ok(None);
                };
                let (user, actor) = directory::user_with_actor(conn, grant.user)?;
                let community = directory::get_community(conn, grant.community)?;
                Ok(Some((grant, user, actor, community)))
            })
            .await?;
        let (grant, user, actor, community) =
            found.ok_or(ApiError::Unauthorized("the token is unknown, expired or revoked: sign in again"))?;
        let tz = community.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
        let caller = Caller {
            user,
            actor,
            tz,
            locale: community.default_locale,
            token_id: grant.id,
            token_hash: hash,
            expires_at: grant.expires_at,
        };
        state.auth_cache.put(&caller);
        Ok(caller)
    }

    /// Now in the community's time zone.
    pub fn now(&self, state: &AppState) -> chrono::DateTime<Tz> {
        state.now().with_timezone(&self.tz)
    }
}
