//! Browser sessions. A session is an ordinary token (the API's, with a shorter life)
//! kept in an HttpOnly cookie; its CSRF token is derived from it, so a page that cannot
//! read the cookie cannot forge a form. Before signing in, a random pre-session cookie
//! plays the same part for the sign-in and language forms.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::i18n;
use crate::state::AppState;

pub const SESSION: &str = "rt_session";
pub const LANG: &str = "rt_lang";
pub const PRE: &str = "rt_pre";

/// Who is looking at a page, in which language, and the CSRF token for its forms.
pub struct Viewer {
    pub caller: Option<Caller>,
    pub lang: &'static str,
    pub csrf: String,
    /// Cookies to send back with the response (a new pre-session cookie, a cleared
    /// session that expired).
    pub jar: CookieJar,
    /// This page's path and query, to come back to after signing in or switching language.
    pub here: String,
    pub secure: bool,
    /// The signed-in viewer's unread notices (the bell), counted for pages shown.
    pub unread: u32,
}

pub fn csrf_for(secret: &str) -> String {
    hex::encode(Sha256::digest(format!("roundtable-csrf:{secret}").as_bytes()))
}

/// A cookie for the whole site: HttpOnly, SameSite=Lax, Secure when configured.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_path("/");
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_secure(secure);
    c
}

pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::from(name);
    c.set_path("/");
    c
}

/// Compares in time independent of where the strings differ.
pub fn same(a: &str, b: &str) -> bool {
    subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()).into()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secure = state.config.http.secure_cookies;
        let mut jar = CookieJar::from_headers(&parts.headers);
        let session = jar.get(SESSION).map(|c| c.value().to_owned());
        let caller = match &session {
            Some(token) => Caller::from_token(state, token).await.ok(),
            None => None,
        };
        if session.is_some() && caller.is_none() {
            jar = jar.remove(removal(SESSION));
        }
        let seed = match (&caller, &session, jar.get(PRE)) {
            (Some(_), Some(token), _) => token.clone(),
            (_, _, Some(pre)) if pre.value().len() >= 32 => pre.value().to_owned(),
            _ => {
                let (fresh, _) = crate::auth::new_token();
                jar = jar.add(cookie(PRE, fresh.clone(), secure));
                fresh
            }
        };
        let accept = parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let lang = i18n::negotiate(
            jar.get(LANG).map(|c| c.value()),
            caller.as_ref().and_then(|c| c.user.locale.as_deref()),
            accept,
            caller.as_ref().map_or(i18n::LOCALES[0], |c| c.community.default_locale.as_str()),
        );
        let here = parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        // Only a page shown needs the bell's number (not a photo, not a form posted).
        let shown = parts.method == axum::http::Method::GET && !parts.uri.path().starts_with("/photos/");
        let unread = match (&caller, shown) {
            (Some(c), true) => {
                let user = c.user.id;
                state.db.run(move |conn| roundtable_store::notices::unread_count(conn, user)).await.unwrap_or(0)
            }
            _ => 0,
        };
        Ok(Viewer { caller, lang, csrf: csrf_for(&seed), jar, here, secure, unread })
    }
}

/// A path on this site to go back to (after signing in, switching language), safe to put
/// in a `Location` header. Anything that a browser could read as another site is `/`:
/// `//host`, `/\\host`, and paths with control characters or white space, which browsers
/// drop (`/<TAB>/evil.example` is `//evil.example` to them). Characters outside ASCII are
/// percent-encoded, since a header value must be ASCII.
pub fn local_path(next: Option<&str>) -> String {
    let safe = |p: &str| {
        p.starts_with('/')
            && !p[1..].starts_with(['/', '\\'])
            && !p.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    };
    match next {
        Some(p) if safe(p) => percent_encoding::utf8_percent_encode(p, percent_encoding::CONTROLS).to_string(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for hostile in [
            "//evil.example/",
            "/\t/evil.example/",
            "/\\evil.example",
            "/\\/evil.example",
            "https://evil.example/",
            "/a\r\nSet-Cookie: x=1",
            "/\u{85}/evil.example",
            "/ /evil.example",
            "/\u{3000}/evil.example",
            "",
            "evil.example",
        ] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(local_path(Some("/issues?state=raised&q=%E6%BC%8F")), "/issues?state=raised&q=%E6%BC%8F");
        assert_eq!(local_path(Some("/issues?q=漏水")), "/issues?q=%E6%BC%8F%E6%B0%B4");
        assert_eq!(local_path(None), "/");
    }
}
