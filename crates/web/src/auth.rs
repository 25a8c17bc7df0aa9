//! Passwords (argon2), bearer tokens (random, stored as SHA-256), sign-in throttling and
//! the `Caller` extractor that turns a token into the acting user.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lru::LruCache;
use roundtable_core::{Actor, User};
use roundtable_store::{directory, tokens};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// The address a request came from, for the sign-in throttle ("local" without one, as in
/// tests that call the router directly).
pub fn client_address(peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>) -> Client {
    Client::Address(
        peer.map_or_else(|| "local".to_owned(), |axum::Extension(axum::extract::ConnectInfo(a))| a.ip().to_string()),
    )
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

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A new token: what the client gets, and what the database keeps.
pub fn new_token() -> (String, String) {
    new_secret("rt_")
}

/// A new secret of 32 random bytes after `prefix` (which tells its kind apart: a bearer
/// token, an Open311 key), and its hash.
pub fn new_secret(prefix: &str) -> (String, String) {
    let secret = format!("{prefix}{}", random_hex(32));
    let hash = token_hash(&secret);
    (secret, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The longest login anyone has (longer ones are refused before any hashing or counting).
pub const LOGIN_MAX_CHARS: usize = 100;
/// The longest password accepted (argon2 takes any length; this bounds the work).
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// Who is trying a password, for the [`Throttle`]: an address, or a browser whose device
/// cookie shows that it signed in to this login before (`pages::device`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Client {
    Address(String),
    /// The device cookie's nonce: one browser, wherever it is.
    KnownDevice(String),
}

impl Client {
    /// Its key in the throttle's tables (an address never looks like a device's key).
    fn key(&self) -> String {
        match self {
            Client::Address(address) => address.clone(),
            Client::KnownDevice(nonce) => format!("device {nonce}"),
        }
    }
}

/// As logged: a device's nonce is half its cookie, so it is not written down.
impl std::fmt::Display for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Client::Address(address) => f.write_str(address),
            Client::KnownDevice(_) => f.write_str("a known browser"),
        }
    }
}

/// Sign-in throttling that an attacker cannot turn against the account's owner:
///
/// - one login from one address: after `per_login` failures in the window, that pair
///   waits for the window to pass (the attacker's own address, not the owner's);
/// - one login from anywhere, and one address for any login: past `per_login` and
///   `per_address` failures, each further attempt waits twice as long as the one before
///   (1 s, 2 s, 4 s … at most [`Throttle::MAX_DELAY`]) — a slowing, never a lock;
/// - a login and address that have signed in successfully before skip both back-offs, so
///   the secretary at her own desk, or a neighbour behind the same NAT, gets in while
///   someone elsewhere guesses;
/// - a browser that signed in to the login before ([`Client::KnownDevice`], OWASP's
///   "device cookies") counts its own failures only: someone without its cookie — behind
///   the same address too, a shared NAT or a carrier's — can neither lock it out nor slow
///   it down, and a restart (these tables are in memory) does not make it a stranger.
///
/// Memory is bounded: each table keeps the [`Throttle::CAPACITY`] most recent keys.
pub struct Throttle {
    per_login: u32,
    per_address: u32,
    window: Duration,
    tables: Mutex<Tables>,
}

struct Tables {
    pairs: LruCache<(String, String), Failures>,
    logins: LruCache<String, Failures>,
    addresses: LruCache<String, Failures>,
    trusted: LruCache<(String, String), Instant>,
}

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
    last: Instant,
}

impl Failures {
    /// Seconds to wait before the next attempt after `count` failures over `free`.
    fn backoff(&self, free: u32, now: Instant) -> Option<u64> {
        let over = self.count.checked_sub(free)?;
        let delay = Duration::from_secs(1u64 << over.min(16)).min(Throttle::MAX_DELAY);
        let waited = now.duration_since(self.last);
        (waited < delay).then(|| (delay - waited).as_secs().max(1))
    }
}

impl Throttle {
    pub const CAPACITY: usize = 10_000;
    pub const MAX_DELAY: Duration = Duration::from_secs(300);
    /// How long a successful sign-in vouches for its login and address.
    pub const TRUST: Duration = Duration::from_secs(30 * 24 * 3600);

    pub fn new(per_login: usize, per_address: usize, window: Duration) -> Self {
        let cap = NonZeroUsize::new(Self::CAPACITY).expect("not zero");
        Throttle {
            per_login: u32::try_from(per_login).unwrap_or(u32::MAX),
            per_address: u32::try_from(per_address).unwrap_or(u32::MAX),
            window,
            tables: Mutex::new(Tables {
                pairs: LruCache::new(cap),
                logins: LruCache::new(cap),
                addresses: LruCache::new(cap),
                trusted: LruCache::new(cap),
            }),
        }
    }

    pub(crate) fn login_key(login: &str) -> String {
        login.trim().to_lowercase()
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Failures still inside the window (older ones are forgotten).
    fn current<K: std::hash::Hash + Eq>(
        &self,
        table: &mut LruCache<K, Failures>,
        key: &K,
        now: Instant,
    ) -> Option<Failures> {
        let f = *table.peek(key)?;
        if now.duration_since(f.last) > self.window {
            table.pop(key);
            return None;
        }
        Some(f)
    }

    /// Seconds to wait before this login may be tried by this client, if any.
    pub fn check(&self, login: &str, client: &Client) -> Option<u64> {
        let now = Instant::now();
        let login = Self::login_key(login);
        let pair = (login.clone(), client.key());
        let mut t = self.tables();
        if let Some(f) = self.current(&mut t.pairs, &pair, now)
            && f.count >= self.per_login
        {
            return Some(self.window.saturating_sub(now.duration_since(f.first)).as_secs().max(1));
        }
        if matches!(client, Client::KnownDevice(_))
            || t.trusted.get(&pair).is_some_and(|at| now.duration_since(*at) < Self::TRUST)
        {
            return None;
        }
        let by_login = self.current(&mut t.logins, &login, now).and_then(|f| f.backoff(self.per_login, now));
        let by_address = self.current(&mut t.addresses, &pair.1, now).and_then(|f| f.backoff(self.per_address, now));
        by_login.max(by_address)
    }

    pub fn record_failure(&self, login: &str, client: &Client) {
        let now = Instant::now();
        let login = Self::login_key(login);
        let address = &client.key();
        let mut t = self.tables();
        let window = self.window;
        let bump = |f: Option<&mut Failures>| match f {
            Some(f) if now.duration_since(f.last) <= window => {
                f.count = f.count.saturating_add(1);
                f.last = now;
                None
            }
            _ => Some(Failures { count: 1, first: now, last: now }),
        };
        let pair = (login.clone(), address.to_owned());
        if let Some(fresh) = bump(t.pairs.get_mut(&pair)) {
            t.pairs.put(pair, fresh);
        }
        if let Some(fresh) = bump(t.logins.get_mut(&login)) {
            t.logins.put(login, fresh);
        }
        if let Some(fresh) = bump(t.addresses.get_mut(address)) {
            t.addresses.put(address.to_owned(), fresh);
        }
    }

    /// A successful sign-in clears the account's counts and vouches for its address.
    pub fn record_success(&self, login: &str, client: &Client) {
        let login = Self::login_key(login);
        let mut t = self.tables();
        let pair = (login.clone(), client.key());
        t.pairs.pop(&pair);
        t.logins.pop(&login);
        t.trusted.put(pair, Instant::now());
    }

    /// How many keys the tables hold (for the memory test).
    pub fn len(&self) -> usize {
        let t = self.tables();
        t.pairs.len() + t.logins.len() + t.addresses.len() + t.trusted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod throttle_tests {
    use super::*;

    fn at(address: impl Into<String>) -> Client {
        Client::Address(address.into())
    }

    fn throttle() -> Throttle {
        Throttle::new(5, 20, Duration::from_secs(900))
    }

    #[test]
    fn an_attacker_elsewhere_cannot_lock_the_owner_out_of_her_own_desk() {
        let t = throttle();
        t.record_success("secretary@x", &at("10.0.0.5"));
        for _ in 0..50 {
            t.record_failure("secretary@x", &at("203.0.113.9"));
        }
        assert!(t.check("secretary@x", &at("203.0.113.9")).is_some(), "the attacker's address waits");
        assert_eq!(t.check("Secretary@X ", &at("10.0.0.5")), None, "her own address does not");
    }

    #[test]
    fn someone_behind_the_same_address_cannot_lock_out_a_known_browser() {
        let t = throttle();
        let phone = Client::KnownDevice("n1".into());
        t.record_success("secretary@x", &phone);
        // The guesser shares her address (a carrier's NAT) but not her browser's cookie.
        for _ in 0..50 {
            t.record_failure("secretary@x", &at("10.0.0.5"));
        }
        assert!(t.check("secretary@x", &at("10.0.0.5")).is_some(), "the address waits");
        assert_eq!(t.check("secretary@x", &phone), None, "her browser does not");
        // Nor after a restart, when the tables start empty and only the failures come back.
        let restarted = throttle();
        for i in 0..50 {
            restarted.record_failure("secretary@x", &at(format!("198.51.100.{i}")));
        }
        assert!(restarted.check("secretary@x", &at("192.0.2.1")).is_some(), "a stranger is slowed down");
        assert_eq!(restarted.check("secretary@x", &phone), None, "her browser is not");
        // Her browser's own failures count against it alone.
        for _ in 0..5 {
            restarted.record_failure("secretary@x", &phone);
        }
        assert!(restarted.check("secretary@x", &phone).is_some(), "five wrong passwords in it wait");
        assert_eq!(restarted.check("secretary@x", &Client::KnownDevice("n2".into())), None);
    }

    #[test]
    fn failures_from_anywhere_slow_a_login_down_but_never_lock_it() {
        let t = throttle();
        for i in 0..8 {
            t.record_failure("wang", &at(format!("198.51.100.{i}")));
        }
        // 8 failures, 5 free: the next attempt from a new address waits 2^3 = 8 s at most.
        let wait = t.check("wang", &at("192.0.2.1")).expect("a back-off");
        assert!((1..=8).contains(&wait), "{wait}");
        for i in 0..40 {
            t.record_failure("wang", &at(format!("198.51.100.{}", 10 + i)));
        }
        assert!(t.check("wang", &at("192.0.2.1")).expect("a back-off") <= Throttle::MAX_DELAY.as_secs());
    }

    #[test]
    fn one_address_failing_for_many_logins_does_not_shut_out_its_known_users() {
        let t = throttle();
        t.record_success("neighbour", &at("192.0.2.7"));
        for i in 0..30 {
            t.record_failure(&format!("guess{i}"), &at("192.0.2.7"));
        }
        assert!(t.check("someone-new", &at("192.0.2.7")).is_some(), "new logins behind it wait a little");
        assert_eq!(t.check("neighbour", &at("192.0.2.7")), None, "a known user behind the same NAT does not");
    }

    #[test]
    fn memory_is_bounded_whatever_is_tried() {
        let t = throttle();
        for i in 0..(Throttle::CAPACITY + 500) {
            t.record_failure(&format!("login{i}"), &at(format!("a{}", i % 7)));
        }
        assert!(t.len() <= 3 * Throttle::CAPACITY, "{}", t.len());
    }
}

/// The signed-in user behind a request. Cloned for every request (out of the token
/// cache, into the blocking thread that reads for it), so what it holds is shared.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: Arc<User>,
    pub actor: Arc<Actor>,
    /// The community acted in: its time zone (due dates and "today" are local), language,
    /// name, meeting place and own settings.
    pub community: Arc<roundtable_core::Community>,
    pub token_id: Arc<str>,
    /// Its token's key in the [`AuthCache`].
    cache_key: TokenKey,
    expires_at: DateTime<Utc>,
}

/// A token's key in the [`AuthCache`]: SipHash (std's keyed hasher) of the token twice,
/// domain-separated, under a key drawn when the cache is made — 128 bits nobody outside
/// the process can aim a collision at, a few hundred instructions where the token's
/// SHA-256 took 7,000 of the 160,000 that reading one issue costs (docs/performance.md).
/// The cache keeps no token, and a hit needs no SHA-256 at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct TokenKey(u64, u64);

/// Recently resolved tokens, so a busy client costs no database round trips for
/// authentication. Revoking through this process evicts at once; a revocation made
/// elsewhere (another instance, `roundtable user passwd`) takes effect within `ttl`.
/// The [`AuthCache::CAPACITY`] most recently used tokens are kept (the least recently
/// used go first, so a flood of new tokens never empties it for everyone).
pub struct AuthCache {
    ttl: Duration,
    hasher: std::hash::RandomState,
    entries: Mutex<LruCache<TokenKey, (Instant, Caller)>>,
}

impl AuthCache {
    pub const CAPACITY: usize = 10_000;

    pub fn new(ttl: Duration) -> Self {
        let cap = NonZeroUsize::new(Self::CAPACITY).expect("not zero");
        AuthCache { ttl, hasher: std::hash::RandomState::new(), entries: Mutex::new(LruCache::new(cap)) }
    }

    fn key(&self, token: &str) -> TokenKey {
        use std::hash::{BuildHasher, Hash, Hasher};
        let half = |domain: u8| {
            let mut h = self.hasher.build_hasher();
            domain.hash(&mut h);
            token.hash(&mut h);
            h.finish()
        };
        TokenKey(half(0), half(1))
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, LruCache<TokenKey, (Instant, Caller)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: TokenKey, now: DateTime<Utc>) -> Option<Caller> {
        let mut map = self.entries();
        let (at, caller) = map.get(&key)?;
        (at.elapsed() < self.ttl && caller.expires_at > now).then(|| caller.clone())
    }

    fn put(&self, caller: &Caller) {
        if self.ttl.is_zero() {
            return;
        }
        self.entries().put(caller.cache_key, (Instant::now(), caller.clone()));
    }

    /// Forgets every cached token of `user` (an account disabled in this process).
    pub fn evict_user(&self, user: roundtable_core::UserId) {
        let mut map = self.entries();
        let theirs: Vec<TokenKey> = map.iter().filter(|(_, (_, c))| c.user.id == user).map(|(k, _)| *k).collect();
        for key in theirs {
            map.pop(&key);
        }
    }

    pub fn evict(&self, caller: &Caller) {
        self.entries().pop(&caller.cache_key);
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        let now = state.now();
        let cache_key = state.auth_cache.key(token);
        if let Some(caller) = state.auth_cache.get(cache_key, now) {
            return Ok(caller);
        }
        let lookup = token_hash(token);
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
        let caller = Caller {
            user: Arc::new(user),
            actor: Arc::new(actor),
            community: Arc::new(community),
            token_id: grant.id.into(),
            cache_key,
            expires_at: grant.expires_at,
        };
        state.auth_cache.put(&caller);
        Ok(caller)
    }

    /// The account an Open311 key acts as, for that one request (never cached: the key is
    /// checked again on every request). `NotFound` if the account has gone.
    pub async fn acting_for_key(
        state: &AppState,
        user: roundtable_core::UserId,
        key_id: &str,
    ) -> Result<Caller, ApiError> {
        let (user, actor, community) = state
            .db
            .run(move |conn| {
                let (user, actor) = directory::user_with_actor(conn, user)?;
                let community = directory::get_community(conn, user.community)?;
                Ok((user, actor, community))
            })
            .await?;
        Ok(Caller {
            user: Arc::new(user),
            actor: Arc::new(actor),
            community: Arc::new(community),
            token_id: format!("open311:{key_id}").into(),
            // Never cached (above).
            cache_key: TokenKey::default(),
            expires_at: state.now(),
        })
    }

    /// This caller acting in another community (the street office calling a community's
    /// meeting in, 吹哨): the same person and session, that community's place and time.
    pub fn acting_in(&self, community: &roundtable_core::Community) -> Caller {
        let mut c = self.clone();
        Arc::make_mut(&mut c.actor).community = community.id;
        c.community = Arc::new(community.clone());
        c
    }

    /// The language this caller reads: their own choice, else the community's.
    pub fn lang(&self) -> &'static str {
        crate::i18n::negotiate(None, self.user.locale.as_deref(), None, &self.community.default_locale)
    }

    /// The community's time zone.
    pub fn tz(&self) -> Tz {
        self.community.time_zone
    }

    /// Now in the community's time zone.
    pub fn now(&self, state: &AppState) -> chrono::DateTime<Tz> {
        state.now().with_timezone(&self.tz())
    }
}
