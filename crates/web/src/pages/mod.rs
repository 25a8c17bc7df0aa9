//! The web pages: server-rendered handlebars on top of the same handlers as the JSON
//! API (a page calls the API function and renders what it returns), so a page can
//! never show or do more than the API allows its viewer. No script: forms post, the
//! server redirects (post/redirect/get) or shows the form again with its errors.

pub mod account;
pub mod admin;
pub mod auth;
pub mod board;
pub mod channels;
pub mod device;
pub mod edge;
pub mod forms;
pub mod history;
pub mod home;
pub mod invitations;
pub mod issues;
pub mod meetings;
pub mod notices;
pub mod password;
pub mod photos;
pub mod render;
pub mod session;
pub mod street;
pub mod verify;
pub mod workdays;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::AppState;

pub use render::{Ctx, Pages};

const STYLESHEET: &str = include_str!("../../static/app.css");

async fn stylesheet() -> Response {
    let mut r = axum::response::IntoResponse::into_response(STYLESHEET);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

/// Unknown paths: a problem, which `edge::outgoing` turns into a page for browsers.
pub async fn fallback() -> crate::error::ApiError {
    crate::error::ApiError::NotFound("no such route".into())
}

/// `upload_limit` is the body limit of the forms that take photos.
pub fn router(upload_limit: usize) -> Router<AppState> {
    // The forms that take photos have a body limit of their own.
    let uploads = axum::extract::DefaultBodyLimit::max(upload_limit);
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(auth::form).post(auth::sign_in))
        .route("/password/forgot", get(password::forgot).post(password::ask))
        .route("/password/reset/{user}/{expires}/{nonce}/{sig}", get(password::show).post(password::set))
        .route("/logout", post(auth::sign_out))
        .route("/lang", post(auth::language))
        .route("/issues", get(issues::list).post(issues::raise).layer(uploads))
        .route("/issues/new", get(issues::new))
        .route("/issues/ledger.csv", get(issues::ledger))
        .route("/issues/ledger.xlsx", get(issues::ledger_xlsx))
        .route("/issues/{id}", get(issues::show))
        .route("/issues/{id}/transitions", post(issues::transition).layer(uploads))
        .route("/issues/{id}/support", post(issues::support))
        .route("/issues/{id}/agenda", post(issues::list_at))
        .route("/issues/{id}/follow", post(notices::follow))
        .route("/notices", get(notices::list))
        .route("/notices/read", post(notices::mark_read))
        // A notices mail's stop link (List-Unsubscribe, one click): signed, no session.
        .route("/notices/stop/{user}/{sig}", get(notices::stop_page).post(notices::stop))
        .route("/account/notice-mail", post(notices::mail_setting))
        .route("/meetings", get(meetings::list))
        .route("/meetings/schedule", post(meetings::schedule))
        .route("/meetings/slots/{date}/agenda", post(meetings::build))
        .route("/meetings/{id}", get(meetings::show))
        .route("/meetings/{id}/agenda", post(meetings::edit))
        .route("/meetings/{id}/agenda/publish", post(meetings::publish))
        .route("/meetings/{id}/agenda/rebuild", post(meetings::rebuild))
        .route("/meetings/{id}/agenda/late", post(meetings::add_late))
        .route("/meetings/{id}/agenda/print", get(meetings::agenda_print))
        .route("/meetings/{id}/open", post(meetings::open))
        .route("/meetings/{id}/close", post(meetings::close))
        .route("/meetings/{id}/day", get(meetings::day))
        .route("/meetings/{id}/attendance", post(meetings::attendance_form))
        .route("/meetings/{id}/items/{item}/outcome", post(meetings::outcome))
        .route("/meetings/{id}/minutes", get(meetings::minutes_show).post(meetings::amend_minutes))
        .route("/meetings/{id}/minutes/publish", post(meetings::publish_minutes))
        .route("/meetings/{id}/minutes/addenda", post(meetings::addendum))
        .route("/meetings/{id}/minutes/corrections", post(meetings::ask_correction))
        .route("/meetings/{id}/minutes/corrections/{correction}", post(meetings::answer_correction))
        .route("/meetings/{id}/minutes/print", get(meetings::minutes_print))
        .route("/scorecard", get(meetings::scorecard))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/contact", post(account::change_contact))
        .route("/account/name", post(account::change_name))
        .route("/account/data", get(account::data))
        .route("/account/close", post(account::close))
        .route("/account/sessions/{id}/end", post(account::end_session))
        .route("/account/sessions/end-others", post(account::end_others))
        .route("/admin", get(admin::show))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/{id}/access", post(admin::set_access))
        .route("/admin/users/{id}/reset-link", post(admin::reset_link))
        .route("/admin/users/{id}/buildings", post(admin::set_buildings))
        .route("/admin/users/{id}/name", post(admin::rename_account))
        .route("/admin/users/{id}/contact", post(admin::correct_contact))
        .route("/admin/users/{id}/place", post(admin::change_account))
        .route("/admin/organisations", post(admin::add_org))
        .route("/admin/organisations/{id}/addresses", post(admin::set_addresses))
        .route("/admin/organisations/{id}/name", post(admin::rename_org))
        .route("/admin/compounds", post(admin::add_compound))
        .route("/admin/compounds/{id}/buildings", post(admin::add_buildings))
        .route("/admin/compounds/{id}/location", post(admin::set_location))
        .route("/admin/compounds/{id}/name", post(admin::rename_compound))
        .route("/admin/compounds/{id}/buildings/rename", post(admin::rename_building))
        .route("/admin/compounds/{id}/buildings/remove", post(admin::remove_building))
        .route("/admin/outbox/{id}/retry", post(admin::retry))
        .route("/admin/workdays", get(workdays::show))
        .route("/admin/workdays/{year}", post(workdays::enter))
        .route("/admin/workdays/{year}/notice", post(workdays::read))
        .route("/street", get(street::show))
        .route("/street/workdays", get(workdays::street_show))
        .route("/street/workdays/{year}", post(workdays::street_enter))
        .route("/street/workdays/{year}/notice", post(workdays::street_read))
        .route("/street/issues", post(street::whistle))
        .route("/street/communities/{id}/issues", get(issues::street_list))
        .route("/street/communities/{id}/issues/ledger.csv", get(issues::street_ledger))
        .route("/street/communities/{id}/issues/ledger.xlsx", get(issues::street_ledger_xlsx))
        .route("/street/communities/{id}/issues/{issue}", get(issues::street_show))
        .route("/channels", get(channels::show).post(channels::add))
        .route("/channels/{id}/test", post(channels::test))
        .route("/channels/{id}/remove", post(channels::remove))
        // One-click verification from mail: signed links, their own small pages.
        .route("/v/{issue}/{answer}/{expires}/{nonce}/{sig}", get(verify::show).post(verify::answer))
        .route("/invitations", get(invitations::list).post(invitations::create))
        .route("/invitations/{id}", get(invitations::show))
        .route("/invitations/{id}/revoke", post(invitations::revoke))
        .route("/join/{id}/{sig}", get(invitations::join).post(invitations::sign_up))
        .route("/communities/{id}/meetings.ics", get(crate::feeds::meetings))
        .route("/communities/{id}/companies/{org}/due.ics", get(crate::feeds::due_dates))
        .route("/board", get(board::first))
        .route("/communities/{id}/board", get(board::show))
        .route("/communities/{id}/meetings/{meeting}/agenda", get(board::agenda))
        .route("/communities/{id}/meetings/{meeting}/minutes", get(board::minutes))
        .route("/photos/{id}", get(photos::show))
        .route("/photos/{id}/thumbnail", get(photos::thumbnail))
        .route("/photos/{id}/delete", post(photos::delete))
        .route("/photos/{id}/public", post(photos::set_public))
        .route("/admin/keys", post(admin::add_key))
        .route("/admin/keys/{id}/revoke", post(admin::revoke_key))
        .route("/public/photos/{id}", get(photos::public))
        .route("/public/photos/{id}/thumbnail", get(photos::public_thumbnail))
        .route("/static/app.css", get(stylesheet))
}
