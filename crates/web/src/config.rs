//! Configuration: the embedded `config/default.toml`, then `--config FILE`, then
//! `ROUNDTABLE_*` environment variables, then command-line flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use roundtable_store::{DbOptions, Synchronous};
use serde::Deserialize;

/// The shipped defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Config {
    pub listen: String,
    pub workflows: PathBuf,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub auth: AuthConfig,
    pub meeting: MeetingConfig,
    pub mail: MailConfig,
    pub community: CommunityConfig,
}

#[derive(Clone, Deserialize)]
pub struct MailConfig {
    pub transport: String,
    pub file_dir: PathBuf,
    pub smtp_url: String,
    pub from: String,
    pub base_url: String,
    pub max_attempts: i32,
    pub smtp_connections: usize,
    pub profile: String,
    pub allow_non_smtp: bool,
}

/// The SMTP URL may hold a password: it is never printed.
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("transport", &self.transport)
            .field("file_dir", &self.file_dir)
            .field("smtp_url", &if self.smtp_url.is_empty() { "" } else { "(set)" })
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct MeetingConfig {
    /// Local time, `HH:MM`.
    pub time: String,
    pub place: String,
    pub agenda_lead_days: u32,
    pub length_minutes: u32,
    pub min_issues_to_rank: u32,
    pub commit_within_days: u32,
}

impl MeetingConfig {
    pub fn time(&self) -> Result<chrono::NaiveTime, String> {
        chrono::NaiveTime::parse_from_str(&self.time, "%H:%M")
            .map_err(|_| format!("invalid configuration: meeting.time `{}` is not HH:MM", self.time))
    }

    pub fn agenda_config(&self) -> roundtable_core::agenda::AgendaConfig {
        roundtable_core::agenda::AgendaConfig {
            meeting_minutes: self.length_minutes,
            min_issues_to_rank: self.min_issues_to_rank,
            commit_within_days: self.commit_within_days,
            ..Default::default()
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseConfig {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
    pub synchronous: Synchronous,
}

#[derive(Clone, Debug, Deserialize)]
pub struct HttpConfig {
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    pub secure_cookies: bool,
    pub session_hours: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AuthConfig {
    pub token_ttl_hours: i64,
    pub max_failures_per_login: usize,
    pub max_failures_per_address: usize,
    pub failure_window_secs: u64,
    pub cache_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CommunityConfig {
    pub time_zone: String,
    pub default_locale: String,
}

impl Config {
    /// Loads the layers; `file` must exist if given. Errors name the key and its source.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(format!("configuration file {} does not exist", path.display()));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Env::prefixed("ROUNDTABLE_").map(|key| {
            // The two documented short names, then SECTION__KEY for everything else.
            match key.as_str() {
                "database_url" => "database.url".into(),
                "smtp_url" => "mail.smtp_url".into(),
                other => other.replace("__", ".").into(),
            }
        }));
        let config: Config = figment.extract().map_err(|e| format!("invalid configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    /// The defaults alone (tests, tools).
    pub fn defaults() -> Config {
        let config: Config = Figment::from(Toml::string(DEFAULT_TOML)).extract().expect("config/default.toml is valid");
        config
    }

    fn validate(&self) -> Result<(), String> {
        self.community.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            format!(
                "invalid configuration: community.time_zone `{}` is not an IANA time zone",
                self.community.time_zone
            )
        })?;
        self.meeting.time()?;
        if self.http.body_limit_bytes < 1024 {
            return Err("invalid configuration: http.body_limit_bytes must be at least 1024".into());
        }
        Ok(())
    }

    pub fn db_options(&self) -> DbOptions {
        DbOptions {
            pool_size: self.database.pool_size,
            connect_timeout: Duration::from_secs(self.database.connect_timeout_secs),
            synchronous: self.database.synchronous,
            ..DbOptions::default()
        }
    }
}
