//! A browser's device cookie (OWASP's "device cookies" against sign-in lock-out). Signing
//! in on the pages leaves one, signed with the deployment's key and bound to the login
//! typed; the next sign-in of that login from this browser is throttled on its own
//! failures only ([`Client::KnownDevice`]), so someone guessing from the same address —
//! a compound's NAT, a carrier's — cannot shut its owner out. It proves nothing else and
//! opens nothing: a session still needs the password.

use axum_extra::extract::cookie::Cookie;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::{Client, Throttle};

pub const DEVICE: &str = "rt_device";

/// How long a browser stays known without signing in (each sign-in renews it).
const LIFETIME: TimeDelta = TimeDelta::days(180);

fn mac(key: &str, login: &str, expires: i64, nonce: &str) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    m.update(format!("device/{}/{expires}/{nonce}", Throttle::login_key(login)).as_bytes());
    m
}

/// The cookie that makes this browser known for `login` (`expires.nonce.signature`).
pub fn cookie(key: &str, login: &str, now: DateTime<Utc>, secure: bool) -> Cookie<'static> {
    let expires = (now + LIFETIME).timestamp();
    let nonce = uuid::Uuid::now_v7().simple().to_string();
    let sig = hex::encode(mac(key, login, expires, &nonce).finalize().into_bytes());
    let mut c = super::session::cookie(DEVICE, format!("{expires}.{nonce}.{sig}"), secure);
    c.set_max_age(time::Duration::seconds(LIFETIME.num_seconds()));
    c
}

/// The browser behind `value` if the cookie is ours, for this login, and current.
pub fn known(key: &str, login: &str, value: &str, now: DateTime<Utc>) -> Option<Client> {
    let mut parts = value.splitn(3, '.');
    let (expires, nonce, sig) = (parts.next()?, parts.next()?, parts.next()?);
    let expires: i64 = expires.parse().ok()?;
    mac(key, login, expires, nonce).verify_slice(&hex::decode(sig).ok()?).ok()?;
    (now.timestamp() <= expires).then(|| Client::KnownDevice(nonce.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_cookie_is_known_for_its_own_login_only_and_until_it_expires() {
        let now = Utc::now();
        let value = cookie("key", "Secretary@X", now, false).value().to_owned();
        assert!(matches!(known("key", " secretary@x", &value, now), Some(Client::KnownDevice(_))), "as typed");
        assert_eq!(known("key", "grid@x", &value, now), None, "another login");
        assert_eq!(known("other key", "secretary@x", &value, now), None, "another deployment");
        assert_eq!(known("key", "secretary@x", &value, now + LIFETIME + TimeDelta::seconds(1)), None, "expired");
        let (expires, rest) = value.split_once('.').unwrap();
        let later = format!("{}.{rest}", expires.parse::<i64>().unwrap() + 3600);
        assert_eq!(known("key", "secretary@x", &later, now), None, "its expiry is signed");
        for junk in ["", "..", "1.2", "x.y.z", "1.n.zz", "9999999999999999999999.n.00"] {
            assert_eq!(known("key", "secretary@x", junk, now), None, "{junk:?}");
        }
    }
}
