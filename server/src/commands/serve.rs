//! `server serve`: migrates the database, clears what a previous process left
//! (expired import rows, bill runs it was executing), then serves the desk
//! until Ctrl-C.

use anyhow::Context;

use crate::config::{DatabaseArgs, HttpArgs, HttpConfig};

pub async fn run(db_args: &DatabaseArgs, http: &HttpArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let conf =
        leptos::config::get_configuration(None).context("cannot read the Leptos configuration")?;
    let mut leptos_options = conf.leptos_options;
    if let Some(addr) = http.addr {
        leptos_options.site_addr = addr;
    }
    let addr = leptos_options.site_addr;
    let config = HttpConfig::from(http);
    let (state, store) =
        crate::open_app(&db_args.url(), leptos_options, &config, http.hash_slots).await?;
    store.spawn_cleanup();
    // Import rows past their 7 days go now, not at the next import.
    let cleared = app::estate::db::clear_expired_import_rows(&state.db.pool).await?;
    if cleared > 0 {
        tracing::info!(cleared, "expired import rows cleared");
    }
    // Bill runs execute inside the process that started them: any still
    // marked running belonged to a process that is gone.
    let interrupted = app::billing::run::interrupt_running(&state.db, None).await?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "bill runs of a previous process marked interrupted; run them again to complete them"
        );
    }
    let display_url = state.db.display_url.clone();
    let router = crate::router::build(state, store, &config);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, database = %display_url, startup_ms = started.elapsed().as_millis() as u64, "Estate Desk is serving");
    eprintln!("Estate Desk: http://{addr}  (database {display_url})");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
