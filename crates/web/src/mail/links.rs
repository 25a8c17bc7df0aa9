//! One-click verification links in "is it fixed?" mail: `/v/{issue}/{answer}/{expires}/{nonce}/{sig}`
//! with an HMAC-SHA256 signature over everything before it, under a key the deployment
//! keeps in its database. A link expires, works once, and only for its issue and answer.
//! The page it opens is `pages::verify`; the mail's language rides along as `?lang=`,
//! outside the signature (it changes only how the page reads).

use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use roundtable_core::{IssueId, UserId};
use roundtable_store::{DbConn, StoreError, settings};
use sha2::Sha256;

const KEY: &str = "verification_link_key";
/// How long a link works.
pub const LIFETIME: TimeDelta = TimeDelta::days(30);

/// What the raiser answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Fixed,
    PartlyFixed,
    NotFixed,
}

impl Answer {
    const ALL: [Answer; 3] = [Answer::Fixed, Answer::PartlyFixed, Answer::NotFixed];

    fn segment(self) -> &'static str {
        match self {
            Answer::Fixed => "fixed",
            Answer::PartlyFixed => "partly-fixed",
            Answer::NotFixed => "not-fixed",
        }
    }

    fn parse(segment: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.segment() == segment)
    }
}

/// The three links of an "is it fixed?" mail.
#[derive(Clone, Debug, serde::Serialize)]
pub struct VerificationLinks {
    pub fixed: String,
    pub partly_fixed: String,
    pub not_fixed: String,
}

/// Why a link does not work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkError {
    Invalid,
    Expired,
    Used,
    NotAwaiting,
}

impl LinkError {
    /// Its name in the locale files (`verify.<name>`).
    pub fn key(self) -> &'static str {
        match self {
            LinkError::Invalid => "invalid",
            LinkError::Expired => "expired",
            LinkError::Used => "used",
            LinkError::NotAwaiting => "not_awaiting",
        }
    }
}

/// A link's path segments: issue, answer, expiry (Unix seconds), nonce, signature — all
/// text, so that a link a mail program garbled is "not valid" like a forged one rather
/// than a request the router cannot read.
pub type LinkParts = (String, String, String, String, String);

/// Whether a link's signature is ours for `subject`/`what` and its expiry not past. The
/// expiry is read here: anything but a whole number is a link not ours.
fn signed_and_current(
    key: &str,
    (subject, what): (&str, &str),
    (expires, nonce, sig): (&str, &str, &str),
    now: DateTime<Utc>,
) -> Result<(), LinkError> {
    let expires: i64 = expires.parse().map_err(|_| LinkError::Invalid)?;
    let given = hex::decode(sig).map_err(|_| LinkError::Invalid)?;
    mac(key, subject, what, expires, nonce).verify_slice(&given).map_err(|_| LinkError::Invalid)?;
    if now.timestamp() > expires {
        return Err(LinkError::Expired);
    }
    Ok(())
}

fn mac(key: &str, issue: &str, answer: &str, expires: i64, nonce: &str) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    m.update(format!("{issue}/{answer}/{expires}/{nonce}").as_bytes());
    m
}

/// The deployment's signing key (made once, kept in the database).
pub fn key(conn: &mut DbConn) -> Result<String, StoreError> {
    settings::get_or_create(conn, KEY, || {
        let (token, _) = crate::auth::new_token();
        token
    })
}

/// The links of an "is it fixed?" mail, for a reader of `lang`.
pub fn verification_links(
    key: &str,
    base_url: &str,
    issue: IssueId,
    lang: &str,
    now: DateTime<Utc>,
) -> VerificationLinks {
    let expires = (now + LIFETIME).timestamp();
    let link = |answer: Answer| {
        let answer = answer.segment();
        let nonce = uuid::Uuid::now_v7().simple().to_string();
        let sig = hex::encode(mac(key, &issue.to_string(), answer, expires, &nonce).finalize().into_bytes());
        format!("{base_url}/v/{issue}/{answer}/{expires}/{nonce}/{sig}?lang={}", crate::pages::render::urlencode(lang))
    };
    VerificationLinks {
        fixed: link(Answer::Fixed),
        partly_fixed: link(Answer::PartlyFixed),
        not_fixed: link(Answer::NotFixed),
    }
}

/// Checks a link's signature (under `key`) and expiry; returns its issue and answer.
pub fn check(key: &str, parts: &LinkParts, now: DateTime<Utc>) -> Result<(IssueId, Answer), LinkError> {
    let (issue, answer, expires, nonce, sig) = parts;
    let parsed = Answer::parse(answer).ok_or(LinkError::Invalid)?;
    let id: IssueId = issue.parse().map_err(|_| LinkError::Invalid)?;
    signed_and_current(key, (issue, answer), (expires, nonce, sig), now)?;
    Ok((id, parsed))
}

/// How long a password-reset link works.
pub const RESET_LIFETIME: TimeDelta = TimeDelta::hours(1);

/// The segment that tells a reset link from a verification link under the same key.
const RESET: &str = "reset";

/// A password-reset link for `user`: `/password/reset/{user}/{expires}/{nonce}/{sig}`.
pub fn reset_link(key: &str, base_url: &str, user: UserId, lang: &str, now: DateTime<Utc>) -> String {
    let expires = (now + RESET_LIFETIME).timestamp();
    let nonce = uuid::Uuid::now_v7().simple().to_string();
    let sig = hex::encode(mac(key, &user.to_string(), RESET, expires, &nonce).finalize().into_bytes());
    format!("{base_url}/password/reset/{user}/{expires}/{nonce}/{sig}?lang={}", crate::pages::render::urlencode(lang))
}

/// A reset link's path segments: user, expiry, nonce, signature.
pub type ResetParts = (String, String, String, String);

/// Checks a reset link's signature and expiry; returns its user.
pub fn check_reset(key: &str, parts: &ResetParts, now: DateTime<Utc>) -> Result<UserId, LinkError> {
    let (user, expires, nonce, sig) = parts;
    let id: UserId = user.parse().map_err(|_| LinkError::Invalid)?;
    signed_and_current(key, (user, RESET), (expires, nonce, sig), now)?;
    Ok(id)
}

/// A signature for `subject` under `what` that does not expire (its record, if any, is
/// kept in the database): it only makes the link impossible to guess.
fn lasting(key: &str, subject: &str, what: &str) -> String {
    hex::encode(mac(key, subject, what, 0, "").finalize().into_bytes())
}

/// Whether `sig` is [`lasting`]'s for `subject` under `what`.
fn check_lasting(key: &str, subject: &str, what: &str, sig: &str) -> Result<(), LinkError> {
    let given = hex::decode(sig).map_err(|_| LinkError::Invalid)?;
    mac(key, subject, what, 0, "").verify_slice(&given).map_err(|_| LinkError::Invalid)
}

/// The segment that tells an invitation from the other links under the same key.
const INVITE: &str = "invite";

/// An invitation's link, `/join/{id}/{sig}` (its expiry and uses are kept with it in the
/// database: the signature only makes the link impossible to guess).
pub fn invitation_path(key: &str, id: uuid::Uuid) -> String {
    format!("/join/{id}/{}", lasting(key, &id.to_string(), INVITE))
}

/// Whether `sig` is the signature of invitation `id`.
pub fn check_invitation(key: &str, id: &str, sig: &str) -> Result<uuid::Uuid, LinkError> {
    let parsed = uuid::Uuid::parse_str(id).map_err(|_| LinkError::Invalid)?;
    check_lasting(key, id, INVITE, sig)?;
    Ok(parsed)
}

/// The segment that tells a link that stops notice mail from the others.
const STOP: &str = "stop-notices";

/// The link in a notices mail that stops them, for its reader `user` (`List-Unsubscribe`,
/// one click): `/notices/stop/{user}/{sig}?lang=…`. It does not expire — a mail of last
/// year still stops them — and does nothing else: whoever holds it can only turn that
/// reader's notice mail off, which they turn on again on "My account".
pub fn stop_link(key: &str, base_url: &str, user: UserId, lang: &str) -> String {
    let sig = lasting(key, &user.to_string(), STOP);
    format!("{base_url}/notices/stop/{user}/{sig}?lang={}", crate::pages::render::urlencode(lang))
}

/// Whether `sig` stops `user`'s notice mail; returns the user.
pub fn check_stop(key: &str, user: &str, sig: &str) -> Result<UserId, LinkError> {
    let id: UserId = user.parse().map_err(|_| LinkError::Invalid)?;
    check_lasting(key, user, STOP, sig)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_link_is_for_its_reader_and_no_invitation() {
        let user = UserId::new();
        let link = stop_link("k", "http://h", user, "en");
        let path = link.trim_start_matches("http://h/notices/stop/").trim_end_matches("?lang=en");
        let (who, sig) = path.split_once('/').unwrap();
        assert_eq!(check_stop("k", who, sig), Ok(user));
        assert_eq!(check_stop("other", who, sig), Err(LinkError::Invalid));
        assert_eq!(check_stop("k", &UserId::new().to_string(), sig), Err(LinkError::Invalid));
        assert_eq!(check_stop("k", who, "zz"), Err(LinkError::Invalid));
        assert_eq!(check_invitation("k", who, sig), Err(LinkError::Invalid), "no invitation by another name");
    }

    #[test]
    fn an_invitation_link_is_signed_for_its_invitation() {
        let id = uuid::Uuid::now_v7();
        let path = invitation_path("k", id);
        let parts: Vec<&str> = path.trim_start_matches("/join/").split('/').collect();
        assert_eq!(check_invitation("k", parts[0], parts[1]), Ok(id));
        assert_eq!(check_invitation("other", parts[0], parts[1]), Err(LinkError::Invalid));
        let another = uuid::Uuid::now_v7().to_string();
        assert_eq!(check_invitation("k", &another, parts[1]), Err(LinkError::Invalid));
        assert_eq!(check_invitation("k", "not-an-id", parts[1]), Err(LinkError::Invalid));
    }

    #[test]
    fn a_reset_link_is_for_its_user_until_it_expires_and_is_no_verification_link() {
        let (now, user) = (Utc::now(), UserId::new());
        let link = reset_link("k", "", user, "zh-CN", now);
        let s: Vec<&str> = link.split('?').next().unwrap().trim_start_matches("/password/reset/").split('/').collect();
        let parts: ResetParts = (s[0].into(), s[1].into(), s[2].into(), s[3].into());
        assert_eq!(check_reset("k", &parts, now), Ok(user));
        assert_eq!(check_reset("other", &parts, now), Err(LinkError::Invalid));
        assert_eq!(check_reset("k", &parts, now + RESET_LIFETIME + TimeDelta::seconds(1)), Err(LinkError::Expired));
        let other = (UserId::new().to_string(), parts.1.clone(), parts.2.clone(), parts.3.clone());
        assert_eq!(check_reset("k", &other, now), Err(LinkError::Invalid), "the user is signed");
        // A verification link's signature does not open a reset, nor the other way round.
        let verification = (parts.0.clone(), "fixed".to_owned(), parts.1.clone(), parts.2.clone(), parts.3.clone());
        assert_eq!(check("k", &verification, now), Err(LinkError::Invalid));
    }

    fn parts(link: &str) -> LinkParts {
        let path = link.split('?').next().unwrap();
        let s: Vec<&str> = path.trim_start_matches("/v/").split('/').collect();
        (s[0].into(), s[1].into(), s[2].into(), s[3].into(), s[4].into())
    }

    #[test]
    fn a_link_checks_under_its_key_until_it_expires() {
        let (now, issue) = (Utc::now(), IssueId::new());
        let VerificationLinks { fixed, partly_fixed, not_fixed } = verification_links("k", "", issue, "en", now);
        assert!(fixed.ends_with("?lang=en"));
        assert_eq!(check("k", &parts(&fixed), now), Ok((issue, Answer::Fixed)));
        assert_eq!(check("k", &parts(&partly_fixed), now), Ok((issue, Answer::PartlyFixed)));
        assert_eq!(check("k", &parts(&not_fixed), now), Ok((issue, Answer::NotFixed)));
        assert_eq!(check("other key", &parts(&fixed), now), Err(LinkError::Invalid));
        assert_eq!(check("k", &parts(&fixed), now + LIFETIME + TimeDelta::seconds(1)), Err(LinkError::Expired));
        let mut swapped = parts(&fixed);
        swapped.1 = "not-fixed".into();
        assert_eq!(check("k", &swapped, now), Err(LinkError::Invalid), "the answer is signed");
        // A mail program that broke the expiry (a space, a letter, a number too large) made
        // a link that is not valid, not one the server cannot read.
        for garbled in ["17x", "", "99999999999999999999", "+-1"] {
            let mut broken = parts(&fixed);
            broken.2 = garbled.into();
            assert_eq!(check("k", &broken, now), Err(LinkError::Invalid), "{garbled:?}");
        }
    }
}
