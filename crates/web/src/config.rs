//! Configuration: the embedded `config/default.toml`, then `--config FILE`, then
//! `ROUNDTABLE_*` environment variables, then command-line flags. A key nobody knows,
//! in a file or the environment, is an error rather than a silent default.

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use roundtable_store::{DbOptions, Synchronous};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The shipped defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub listen: String,
    pub workflows: PathBuf,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub auth: AuthConfig,
    pub meeting: MeetingConfig,
    pub scorecard: ScorecardConfig,
    pub uploads: UploadsConfig,
    pub privacy: PrivacyConfig,
    pub public: PublicConfig,
    pub mail: MailConfig,
    /// Holidays and make-up working days, checked as they are read.
    pub calendar: roundtable_core::WorkCalendar,
    pub community: CommunityConfig,
}

/// Where mail goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    Smtp,
    /// `.eml` files in `mail.file_dir` (the embedded default).
    File,
    /// Kept in memory (tests).
    Memory,
}

/// How strict the start-up checks are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Development,
    /// Mail must go by SMTP (unless `mail.allow_non_smtp`).
    Production,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub file_dir: PathBuf,
    /// May hold a password: a secret, never printed (`Debug` shows it redacted).
    pub smtp_url: SecretString,
    pub from: String,
    pub base_url: String,
    pub max_attempts: i32,
    pub smtp_connections: usize,
    pub profile: Profile,
    pub allow_non_smtp: bool,
    /// Messages a minute one group robot is sent at most (WeCom and DingTalk allow 20).
    pub robot_rate_per_minute: u32,
    /// The local hours (each community's zone) in which group robots are not sent to
    /// (`22:00-07:30`; `""` or `"off"`: never held): their messages wait for the window's
    /// end, except those about a red (urgent) issue.
    #[serde(deserialize_with = "quiet_hours")]
    pub robot_quiet_hours: Option<roundtable_core::QuietHours>,
    /// Hosts a robot or webhook may be at besides the robots' own and public https hosts
    /// (a loopback sink for tests, an integrator on the intranet); plain http allowed there.
    pub channel_hosts: Vec<String>,
    /// How long a robot or webhook has to answer.
    pub channel_timeout_seconds: u64,
    /// How long a dispatcher holds the rows it claimed: if its instance dies, another
    /// takes them over after this.
    pub claim_lease_seconds: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingConfig {
    /// Local time, `HH:MM`.
    #[serde(deserialize_with = "hours_minutes", serialize_with = "write_hours_minutes")]
    pub time: chrono::NaiveTime,
    pub place: String,
    pub agenda_lead_days: u32,
    /// How long before its start a meeting may be opened (on its day only).
    pub open_hours_before: u32,
    pub length_minutes: u32,
    pub min_issues_to_rank: u32,
    pub commit_within_days: u32,
    pub max_commitment_days: u32,
    /// For this many days after the close (and the day of it) the organisations that
    /// attended may ask for corrections to the draft minutes; 0: no review.
    pub minutes_review_days: u32,
}

fn write_hours_minutes<S: serde::Serializer>(t: &chrono::NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.format("%H:%M").to_string())
}

/// `HH:MM`, as the configuration writes a time of day.
fn hours_minutes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono::NaiveTime, D::Error> {
    let text = String::deserialize(d)?;
    chrono::NaiveTime::parse_from_str(&text, "%H:%M")
        .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a time of day HH:MM")))
}

/// `HH:MM-HH:MM`, or nothing (`""`, `"off"`).
fn quiet_hours<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<roundtable_core::QuietHours>, D::Error> {
    let text = String::deserialize(d)?;
    match text.trim() {
        "" | "off" => Ok(None),
        _ => roundtable_core::QuietHours::try_from(text).map(Some).map_err(serde::de::Error::custom),
    }
}

impl Config {
    /// What the agenda builder and the company comparison read for a community: the
    /// deployment's settings with the community's own laid over them.
    pub fn agenda_config(&self, community: &roundtable_core::Community) -> roundtable_core::agenda::AgendaConfig {
        let own = crate::community_settings::effective(self, community);
        let (m, s) = (&own.meeting, &own.scorecard);
        roundtable_core::agenda::AgendaConfig {
            meeting_minutes: m.length_minutes,
            min_issues_to_rank: m.min_issues_to_rank,
            commit_within_days: m.commit_within_days,
            max_commitment_days: m.max_commitment_days,
            scoring: roundtable_core::scorecard::ScoreRules {
                weight_response: s.weight_response,
                weight_resolution: s.weight_resolution,
                weight_satisfaction: s.weight_satisfaction,
                satisfied_from: s.satisfied_from,
                extensions_count_as_on_time: s.extensions_count_as_on_time,
                long_overdue_days: s.long_overdue_days,
            },
            ..Default::default()
        }
    }
}

/// How companies are compared (三率); see `roundtable_core::scorecard`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardConfig {
    #[serde(deserialize_with = "weight")]
    pub weight_response: f64,
    #[serde(deserialize_with = "weight")]
    pub weight_resolution: f64,
    #[serde(deserialize_with = "weight")]
    pub weight_satisfaction: f64,
    #[serde(deserialize_with = "satisfaction")]
    pub satisfied_from: u8,
    pub extensions_count_as_on_time: bool,
    pub long_overdue_days: u32,
}

fn weight<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let w = f64::deserialize(d)?;
    if w.is_finite() && (0.0..=100.0).contains(&w) {
        Ok(w)
    } else {
        Err(serde::de::Error::custom(format!("{w} is not a weight (a number from 0 to 100)")))
    }
}

fn satisfaction<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let n = u8::deserialize(d)?;
    if (1..=5).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!("{n} is not a satisfaction from 1 to 5")))
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// A PostgreSQL URL may hold a password: a secret, never printed.
    pub url: SecretString,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
    pub synchronous: Synchronous,
    pub sqlite_mmap_mib: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    pub secure_cookies: bool,
    pub session_hours: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub token_ttl_hours: i64,
    pub max_failures_per_login: usize,
    pub max_failures_per_address: usize,
    pub failure_window_secs: u64,
    pub cache_secs: u64,
}

/// Photos: where they are kept and how large they may be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadsConfig {
    pub dir: PathBuf,
    pub max_bytes: usize,
    pub max_pixels: u64,
}

/// The views that need no sign-in.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicConfig {
    pub enabled: bool,
}

/// Personal data: how long companies keep seeing raisers' contact data.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    pub contact_retention_days: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityConfig {
    /// An IANA zone, parsed when the configuration is read.
    pub time_zone: chrono_tz::Tz,
    pub default_locale: String,
}

/// `ROUNDTABLE_*` variables that are not settings: the log filter, and those of the test
/// and benchmark harnesses (which run the binary with them set).
const NOT_SETTINGS: [&str; 4] = ["LOG", "REQUIRE_BROWSER", "CHROMEDRIVER", "CHROMIUM"];
const NOT_SETTINGS_PREFIXES: [&str; 2] = ["TEST_", "BENCH_"];

/// The setting an environment variable names (`DATABASE_URL` → `database.url`), if it is
/// a setting at all; `None` for the variables of [`NOT_SETTINGS`].
fn env_key(name: &str) -> Option<String> {
    if NOT_SETTINGS.contains(&name) || NOT_SETTINGS_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return None;
    }
    Some(match name {
        // The two short names the README documents, then SECTION__KEY for every key.
        "DATABASE_URL" => "database.url".into(),
        "SMTP_URL" => "mail.smtp_url".into(),
        other => other.to_ascii_lowercase().replace("__", "."),
    })
}

/// Every key of the shipped defaults, dotted (`auth.token_ttl_hours`).
fn known_keys() -> Vec<String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                _ => out.push(key),
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(table) = DEFAULT_TOML.parse::<toml::Table>() {
        walk("", &table, &mut out);
    }
    out
}

impl Config {
    /// Loads the layers from this process's environment; `file` must exist if given.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let env = std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        Config::load_from(file, env)
    }

    /// Loads the layers with `env` as the environment. Errors name the key and its
    /// source; a `ROUNDTABLE_*` variable that names no setting is an error, so a typo
    /// cannot silently leave the default in force.
    pub fn load_from(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Config, String> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(format!("configuration file {} does not exist", path.display()));
            }
            figment = figment.merge(Toml::file(path));
        }
        let known = known_keys();
        let mut unknown = Vec::new();
        let mut vars: Vec<(String, String)> =
            env.into_iter().filter(|(name, _)| name.starts_with("ROUNDTABLE_")).collect();
        vars.sort();
        for (name, value) in vars {
            let Some(key) = env_key(&name["ROUNDTABLE_".len()..]) else { continue };
            if !known.contains(&key) {
                unknown.push(name);
                continue;
            }
            let value: figment::value::Value = value.parse().unwrap_or_else(|never| match never {});
            figment = figment.merge(Serialized::default(&key, value));
        }
        if !unknown.is_empty() {
            return Err(format!(
                "invalid configuration: {} name{} no setting; use ROUNDTABLE_LISTEN, ROUNDTABLE_DATABASE_URL, \
                 ROUNDTABLE_SMTP_URL or ROUNDTABLE_<SECTION>__<KEY> for a key of config/default.toml \
                 (e.g. ROUNDTABLE_AUTH__TOKEN_TTL_HOURS)",
                unknown.join(", "),
                if unknown.len() == 1 { "s" } else { "" },
            ));
        }
        let config: Config = figment.extract().map_err(|e| format!("invalid configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    /// The defaults alone (tests, tools).
    pub fn defaults() -> Config {
        let config: Config = Figment::from(Toml::string(DEFAULT_TOML)).extract().expect("config/default.toml is valid");
        config
    }

    /// For the demo: links (in mail, feeds, Open311) that still point at the shipped
    /// default address point where the server listens instead — `--listen 127.0.0.1:8099`
    /// mails links to port 8099. An address of every interface (`0.0.0.0`, `::`) becomes
    /// the loopback one, which a browser on this machine can open. A `mail.base_url` set by
    /// hand is left alone.
    pub fn links_follow_listen(&mut self) {
        if self.mail.base_url != Config::defaults().mail.base_url {
            return;
        }
        let host = match self.listen.parse::<std::net::SocketAddr>() {
            Ok(mut addr) if addr.ip().is_unspecified() => {
                addr.set_ip(if addr.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
                addr.to_string()
            }
            Ok(addr) => addr.to_string(),
            Err(_) => self.listen.clone(),
        };
        self.mail.base_url = format!("http://{host}");
    }

    fn validate(&self) -> Result<(), String> {
        if self.http.body_limit_bytes < 1024 {
            return Err("invalid configuration: http.body_limit_bytes must be at least 1024".into());
        }
        if self.uploads.max_bytes < 1024 || self.uploads.max_pixels < 10_000 {
            return Err(
                "invalid configuration: uploads.max_bytes must be at least 1024 and uploads.max_pixels at least 10000"
                    .into(),
            );
        }
        Ok(())
    }

    pub fn db_options(&self) -> DbOptions {
        DbOptions {
            pool_size: self.database.pool_size,
            connect_timeout: Duration::from_secs(self.database.connect_timeout_secs),
            synchronous: self.database.synchronous,
            sqlite_mmap_bytes: self.database.sqlite_mmap_mib.saturating_mul(1024 * 1024),
            ..DbOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn load(vars: &[(&str, &str)]) -> Result<Config, String> {
        Config::load_from(None, vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    #[test]
    fn secrets_are_not_printed_and_names_are_parsed() {
        let c = load(&[
            ("ROUNDTABLE_DATABASE_URL", "postgres://app:db-s3cret@127.0.0.1/rt"),
            ("ROUNDTABLE_SMTP_URL", "smtps://me:mail-s3cret@relay:465"),
            ("ROUNDTABLE_MAIL__TRANSPORT", "smtp"),
            ("ROUNDTABLE_MAIL__PROFILE", "production"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!((c.mail.transport, c.mail.profile), (MailTransport::Smtp, Profile::Production));
        let wrong = load(&[("ROUNDTABLE_MAIL__TRANSPORT", "pigeon")]).unwrap_err();
        assert!(wrong.contains("pigeon") && wrong.contains("smtp"), "{wrong}");
    }

    #[test]
    fn the_working_day_calendar_is_read_from_a_file_or_the_environment_and_checked() {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2027, m, d).unwrap();
        assert!(Config::defaults().calendar.covers(2026), "the shipped arrangement for 2026");
        let c = load(&[
            ("ROUNDTABLE_CALENDAR__HOLIDAYS", r#"["2027-01-01", "2027-02-06/2027-02-14"]"#),
            ("ROUNDTABLE_CALENDAR__WORKDAYS", r#"["2027-02-20"]"#),
        ])
        .unwrap();
        assert!(c.calendar.covers(2027) && !c.calendar.covers(2026), "a list replaces the shipped one");
        assert!(!c.calendar.is_working_day(day(2, 10)) && c.calendar.is_working_day(day(2, 20)));
        let wrong = load(&[("ROUNDTABLE_CALENDAR__WORKDAYS", r#"["2026-12-07"]"#)]).unwrap_err();
        assert!(wrong.contains("2026-12-07 is a Monday, a working day already"), "{wrong}");
        // In a file, a day may be written as a TOML date or as a string.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roundtable.toml");
        std::fs::write(&file, "[calendar]\nholidays = [2027-01-01, \"2027-10-01/2027-10-07\"]\nworkdays = []\n")
            .unwrap();
        let c = Config::load_from(Some(&file), []).unwrap();
        assert!(!c.calendar.is_working_day(day(1, 1)) && !c.calendar.is_working_day(day(10, 4)));
        assert!(c.calendar.is_working_day(day(1, 4)), "{:?}", c.calendar);
        std::fs::write(&file, "[calendar]\nholidays = [20270101]\n").unwrap();
        let wrong = Config::load_from(Some(&file), []).unwrap_err();
        assert!(wrong.contains("a calendar entry is a day like \"2026-10-01\""), "{wrong}");
    }

    #[test]
    fn the_robots_quiet_hours_are_read_and_checked() {
        let shipped = Config::defaults().mail.robot_quiet_hours.expect("on by default");
        assert_eq!(shipped.to_string(), "22:00-07:30");
        let set = |v: &str| load(&[("ROUNDTABLE_MAIL__ROBOT_QUIET_HOURS", v)]).map(|c| c.mail.robot_quiet_hours);
        assert_eq!(set("23:00-06:00").unwrap().map(|q| q.to_string()).as_deref(), Some("23:00-06:00"));
        assert_eq!(set("off").unwrap(), None);
        assert_eq!(set("").unwrap(), None);
        let wrong = set("10pm-7am").unwrap_err();
        assert!(
            wrong.contains("written like 22:00-07:30, not `10pm-7am`") && wrong.contains("robot_quiet_hours"),
            "{wrong}"
        );
        assert!(set("07:00-07:00").unwrap_err().contains("no window"));
    }

    #[test]
    fn the_demos_links_follow_where_it_listens_unless_set_by_hand() {
        let demo = |listen: &str, base: Option<&str>| {
            let mut c = Config::defaults();
            c.listen = listen.into();
            if let Some(b) = base {
                c.mail.base_url = b.into();
            }
            c.links_follow_listen();
            c.mail.base_url
        };
        assert_eq!(demo("127.0.0.1:8099", None), "http://127.0.0.1:8099");
        assert_eq!(demo("0.0.0.0:8080", None), "http://127.0.0.1:8080");
        assert_eq!(demo("[::]:9000", None), "http://[::1]:9000");
        assert_eq!(demo("127.0.0.1:8099", Some("https://roundtable.example")), "https://roundtable.example");
    }

    #[test]
    fn every_documented_variable_form_takes_effect() {
        let c = load(&[
            ("ROUNDTABLE_LISTEN", "127.0.0.1:9999"),
            ("ROUNDTABLE_DATABASE_URL", "sqlite://elsewhere.db"),
            ("ROUNDTABLE_SMTP_URL", "smtp://relay:25"),
            ("ROUNDTABLE_AUTH__TOKEN_TTL_HOURS", "24"),
            ("ROUNDTABLE_MAIL__SMTP_CONNECTIONS", "8"),
            ("ROUNDTABLE_HTTP__SECURE_COOKIES", "true"),
            ("ROUNDTABLE_MEETING__PLACE", "东圣社区会议室"),
            ("ROUNDTABLE_MEETING__MINUTES_REVIEW_DAYS", "7"),
            ("ROUNDTABLE_WORKFLOWS", "/etc/roundtable/workflows"),
            ("ROUNDTABLE_DATABASE__SQLITE_MMAP_MIB", "0"),
            ("ROUNDTABLE_DATABASE__POOL_SIZE", "3"),
            ("ROUNDTABLE_DATABASE__CONNECT_TIMEOUT_SECS", "2"),
        ])
        .unwrap();
        assert_eq!(c.db_options().sqlite_mmap_bytes, 0);
        // Their effect on the pool is the store's test `waiting_for_a_connection_…`.
        assert_eq!(c.db_options().pool_size, 3);
        assert_eq!(c.db_options().connect_timeout, Duration::from_secs(2));
        assert_eq!(Config::defaults().db_options().sqlite_mmap_bytes, 1024 * 1024 * 1024);
        assert_eq!(c.listen, "127.0.0.1:9999");
        assert_eq!(c.database.url.expose_secret(), "sqlite://elsewhere.db");
        assert_eq!(c.mail.smtp_url.expose_secret(), "smtp://relay:25");
        assert_eq!(c.auth.token_ttl_hours, 24);
        assert_eq!(c.mail.smtp_connections, 8);
        assert!(c.http.secure_cookies);
        assert_eq!(c.meeting.place, "东圣社区会议室");
        // Its effect on the review is the e2e test `review`.
        assert_eq!((c.meeting.minutes_review_days, Config::defaults().meeting.minutes_review_days), (7, 3));
        assert_eq!(c.workflows, PathBuf::from("/etc/roundtable/workflows"));
        // Variables of other programs, the log filter and the test harness are not settings.
        let c = load(&[
            ("PATH", "/bin"),
            ("ROUNDTABLE_LOG", "debug"),
            ("ROUNDTABLE_TEST_POSTGRES_URL", "postgres://x"),
            ("ROUNDTABLE_REQUIRE_BROWSER", "1"),
            ("ROUNDTABLE_BENCH_ISSUES", "10"),
        ])
        .unwrap();
        assert_eq!(c.database.url.expose_secret(), Config::defaults().database.url.expose_secret());
    }

    #[test]
    fn the_comparison_settings_reach_the_scorecard_and_bad_ones_are_refused() {
        let c = load(&[
            ("ROUNDTABLE_SCORECARD__WEIGHT_RESPONSE", "1"),
            ("ROUNDTABLE_SCORECARD__WEIGHT_RESOLUTION", "0"),
            ("ROUNDTABLE_SCORECARD__WEIGHT_SATISFACTION", "2.5"),
            ("ROUNDTABLE_SCORECARD__SATISFIED_FROM", "5"),
            ("ROUNDTABLE_SCORECARD__EXTENSIONS_COUNT_AS_ON_TIME", "true"),
            ("ROUNDTABLE_SCORECARD__LONG_OVERDUE_DAYS", "45"),
            ("ROUNDTABLE_MEETING__MAX_COMMITMENT_DAYS", "60"),
        ])
        .unwrap();
        let a = c.agenda_config(&crate::community_settings::tests::community(None));
        let s = &a.scoring;
        assert_eq!((s.weight_response, s.weight_resolution, s.weight_satisfaction), (1.0, 0.0, 2.5));
        assert_eq!((s.satisfied_from, s.extensions_count_as_on_time, s.long_overdue_days), (5, true, 45));
        assert_eq!(a.max_commitment_days, 60);
        let d = Config::defaults().agenda_config(&crate::community_settings::tests::community(None));
        assert_eq!(d.scoring, roundtable_core::scorecard::ScoreRules::default(), "the file's defaults are core's");
        let e = load(&[("ROUNDTABLE_SCORECARD__SATISFIED_FROM", "6")]).unwrap_err();
        assert!(e.contains("not a satisfaction from 1 to 5"), "{e}");
        let e = load(&[("ROUNDTABLE_SCORECARD__WEIGHT_RESPONSE", "-1")]).unwrap_err();
        assert!(e.contains("not a weight"), "{e}");
    }

    #[test]
    fn times_and_zones_are_parsed_when_the_configuration_is_read() {
        let c =
            load(&[("ROUNDTABLE_MEETING__TIME", "14:30"), ("ROUNDTABLE_COMMUNITY__TIME_ZONE", "Asia/Urumqi")]).unwrap();
        assert_eq!(c.meeting.time, chrono::NaiveTime::from_hms_opt(14, 30, 0).unwrap());
        assert_eq!(c.community.time_zone, chrono_tz::Asia::Urumqi);
        let e = load(&[("ROUNDTABLE_MEETING__TIME", "9 o'clock")]).unwrap_err();
        assert!(e.contains("is not a time of day HH:MM"), "{e}");
        let e = load(&[("ROUNDTABLE_COMMUNITY__TIME_ZONE", "Mars/Olympus_Mons")]).unwrap_err();
        assert!(e.contains("Mars/Olympus_Mons") || e.contains("time_zone"), "{e}");
    }

    #[test]
    fn a_variable_or_file_key_that_names_no_setting_is_an_error() {
        let e = load(&[("ROUNDTABLE_DATABSE_URL", "x"), ("ROUNDTABLE_MAIL_TRANSPORT", "smtp")]).unwrap_err();
        assert!(e.contains("ROUNDTABLE_DATABSE_URL, ROUNDTABLE_MAIL_TRANSPORT name no setting"), "{e}");
        let e = load(&[("ROUNDTABLE_AUTH__TOKEN_TTL_HOURS", "a day")]).unwrap_err();
        assert!(e.contains("token_ttl_hours"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roundtable.toml");
        std::fs::write(&file, "[database]\nurl = \"sqlite://x.db\"\npool_sise = 4\n").unwrap();
        let e = Config::load_from(Some(&file), std::iter::empty()).unwrap_err();
        assert!(e.contains("pool_sise"), "{e}");
    }
}
