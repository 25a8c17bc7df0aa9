//! Booting: configuration → database (migrated) → workflows → router → listener, and
//! a graceful shutdown that lets in-flight requests finish.

use secrecy::ExposeSecret;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;

use roundtable_core::WorkflowSet;
use roundtable_core::workflow::DEFAULT_WORKFLOW;
use roundtable_store::Db;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::state::AppState;
use crate::workflows;

/// The default workflow, compiled in for a binary run outside the source tree.
const EMBEDDED_WORKFLOW: &str = include_str!("../../../workflows/issue.toml");

/// The built-in default workflow alone.
pub fn embedded_workflows() -> WorkflowSet {
    WorkflowSet::from_sources([("(built-in) workflows/issue.toml", EMBEDDED_WORKFLOW)])
        .expect("the built-in workflow is valid")
}

/// Loads the configured workflow directory; if it is the default one and absent, the
/// embedded default workflow. The default workflow must be among them.
pub fn load_workflows(dir: &Path) -> Result<WorkflowSet, String> {
    let set = if !dir.exists() && dir == Path::new("workflows") {
        tracing::info!("no ./workflows directory: using the built-in default workflow");
        Ok(embedded_workflows())
    } else {
        workflows::load_dir(dir)
    };
    let set = set.map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        format!("invalid workflows:\n{}", lines.join("\n"))
    })?;
    if set.get(DEFAULT_WORKFLOW).is_none() {
        return Err(format!("{} has no workflow named `{DEFAULT_WORKFLOW}`, which new issues use", dir.display()));
    }
    Ok(set)
}

/// Opens and migrates the database and loads the workflows.
pub fn boot(config: &Config) -> Result<AppState, String> {
    crate::mail::Mailer::from_config(&config.mail)?;
    let (db, applied) =
        Db::open_and_migrate(config.database.url.expose_secret(), config.db_options()).map_err(|e| e.to_string())?;
    if !applied.is_empty() {
        tracing::info!(database = %db.url(), migrations = ?applied, "migrated");
    }
    let workflows = load_workflows(&config.workflows)?;
    // A community whose workflow is missing could not raise an issue: say so now.
    let communities = db.conn().and_then(|mut c| roundtable_store::directory::communities(&mut c));
    for c in communities.map_err(|e| e.to_string())? {
        let name = crate::community_settings::workflow(&c);
        if workflows.get(name).is_none() {
            return Err(format!(
                "{} follows the workflow `{name}`, which {} does not hold (see `roundtable setup settings`)",
                c.name,
                config.workflows.display()
            ));
        }
    }
    let state = AppState::new(db, workflows, config.clone());
    // Each community's calendar; a database with none yet (the demo seeds after this) is
    // told of the configuration's.
    let calendars = state.calendars();
    let communities =
        state.db.conn().and_then(|mut conn| roundtable_store::directory::communities(&mut conn)).unwrap_or_default();
    let today = chrono::Utc::now().date_naive();
    // The configuration's calendar is named by where it is written.
    let lacking: Vec<(String, i32)> = if communities.is_empty() {
        calendars.base().missing_year(today).map(|y| ("[calendar]".to_owned(), y)).into_iter().collect()
    } else {
        communities.iter().filter_map(|c| Some((c.name.clone(), calendars.of(c.id).missing_year(today)?))).collect()
    };
    for (calendar, year) in lacking {
        tracing::warn!(
            year,
            calendar,
            "the working-day calendar holds no holidays for {year}: the community's administrator enters the \
             State Council's arrangement on /admin/workdays, or add it to [calendar] (until then working days \
             in {year} are counted as weekdays only)"
        );
    }
    Ok(state)
}

pub async fn bind(listen: &str) -> Result<TcpListener, String> {
    TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))
}

/// Serves until `shutdown` resolves, then stops accepting and finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let app = crate::app::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.map_err(|e| format!("server error: {e}"))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Drains the outbox every few seconds, for as long as the server runs. Safe with
/// several instances: rows are claimed before they are sent.
pub fn spawn_dispatcher(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            // Followers who want each step by mail: their notices become outbox rows first.
            if let Err(e) =
                crate::jobs::notices::queue(&state.db, roundtable_core::notice::NoticeMail::Each, state.now()).await
            {
                tracing::warn!(error = %e, "queuing notice mail failed; retrying");
            }
            match crate::mail::dispatch_due(&state, 100).await {
                Ok(r) if r.sent + r.retried + r.dead > 0 => tracing::info!(?r, "mail dispatched"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail dispatch failed; retrying"),
            }
        }
    })
}
