//! `server`: the Estate Desk binary. Its commands (README, "The `server` binary"):
//!
//! - `serve`: migrates the database, then serves the desk;
//! - `migrate`: applies pending migrations and exits;
//! - `create-admin`: creates an administrator account;
//! - `demo`: loads the demo estate and one account per role into an empty database;
//! - `bill-run`: runs billing for one estate and month;
//! - `generate`: fills an empty database with a generated company for the benchmarks;
//! - `bench search | photos | http | billing`: the benchmarks (figures only).
//!
//! The definition ([`server::commands::Cli`]) and each command's body live in
//! the library's `commands/` (the benchmark tooling in `tools/`); this file
//! sets up logging, parses and dispatches.

use clap::Parser;
use tracing_subscriber::EnvFilter;

use server::commands::{self, Cli, Command};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = &cli.db;
    match cli.command {
        Command::Serve { http } => commands::serve::run(db, &http).await,
        Command::Migrate => commands::migrate::run(db).await,
        Command::CreateAdmin(args) => commands::create_admin::run(db, args).await,
        Command::Bench { what } => commands::bench::run(db, what).await,
        Command::BillRun(args) => commands::bill_run::run(db, args).await,
        Command::Generate(args) => commands::generate::run(db, args).await,
        Command::Demo(args) => commands::demo::run(db, args).await,
    }
}
