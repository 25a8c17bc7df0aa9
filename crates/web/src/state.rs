//! What every handler shares.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use roundtable_core::WorkflowSet;
use roundtable_store::Db;

use crate::auth::{AuthCache, Throttle};
use crate::config::Config;

/// The clock, injectable so tests can move time.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What every handler shares, behind one `Arc`: axum clones the state for each extractor
/// and middleware of every request, and a dozen reference counts bumped each time showed
/// in the list's profile (2 %, perf).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Clone)]
pub struct Shared {
    pub db: Db,
    pub workflows: Arc<WorkflowSet>,
    pub config: Arc<Config>,
    pub throttle: Arc<Throttle>,
    pub auth_cache: Arc<AuthCache>,
    pub minutes: Arc<crate::documents::Renderer>,
    /// Where notifications go (validated at boot; memory if the configuration is unusable).
    pub mailer: crate::mail::Mailer,
    pub email: Arc<crate::mail::Templates>,
    pub pages: Arc<crate::pages::Pages>,
    pub photos: Arc<crate::photos::PhotoStore>,
    pub places: Arc<crate::places::KnownPlaces>,
    pub clock: Clock,
    /// The working-day calendars in force: the configuration's, with the years each
    /// community's administrator entered in place (`ops::workdays`); swapped whole.
    calendars: Arc<std::sync::RwLock<Arc<roundtable_core::Calendars>>>,
}

impl AppState {
    pub fn new(db: Db, workflows: WorkflowSet, config: Config) -> Self {
        let throttle = Throttle::new(
            config.auth.max_failures_per_login,
            config.auth.max_failures_per_address,
            std::time::Duration::from_secs(config.auth.failure_window_secs),
        );
        let auth_cache = AuthCache::new(std::time::Duration::from_secs(config.auth.cache_secs));
        let mailer = crate::mail::Mailer::from_config(&config.mail)
            .unwrap_or_else(|_| crate::mail::Mailer::Memory(lettre::transport::stub::AsyncStubTransport::new_ok()));
        let photos = Arc::new(crate::photos::PhotoStore::new(config.uploads.dir.clone()));
        let calendars = crate::ops::workdays::load(&db, &config.calendar);
        AppState(Arc::new(Shared {
            db,
            workflows: Arc::new(workflows),
            config: Arc::new(config),
            throttle: Arc::new(throttle),
            auth_cache: Arc::new(auth_cache),
            minutes: Arc::new(crate::documents::Renderer::new()),
            mailer,
            email: Arc::new(crate::mail::Templates::new()),
            pages: Arc::new(crate::pages::Pages::new().expect("the embedded page templates and locales compile")),
            photos,
            places: Arc::default(),
            clock: Arc::new(Utc::now),
            calendars: Arc::new(std::sync::RwLock::new(Arc::new(calendars))),
        }))
    }

    pub fn with_clock(self, clock: Clock) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.0);
        shared.clock = clock;
        AppState(Arc::new(shared))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The working-day calendars in force now, every community's.
    pub fn calendars(&self) -> Arc<roundtable_core::Calendars> {
        // A poisoned lock still holds whole calendars: they are only ever swapped.
        self.calendars.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The working-day calendar `community` counts by now.
    pub fn calendar_of(&self, community: roundtable_core::CommunityId) -> roundtable_core::WorkCalendar {
        self.calendars().of(community).clone()
    }

    pub fn set_calendars(&self, calendars: roundtable_core::Calendars) {
        *self.calendars.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(calendars);
    }

    /// Puts one community's calendar in place, the others' kept.
    pub fn set_calendar(&self, community: roundtable_core::CommunityId, calendar: roundtable_core::WorkCalendar) {
        let mut guard = self.calendars.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = Arc::new((**guard).clone().with(community, calendar));
    }
}
