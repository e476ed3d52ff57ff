//! The commands of the `server` binary: the clap definition ([`Cli`]) and one
//! file per subcommand, each with its arguments and its body. `main.rs` only
//! parses and dispatches; the definition lives here, in the library, so a
//! test (`server/tests/verify_cli.rs`) can check it and parse every command
//! line the README and `./desk` run. The benchmark commands call into
//! [`crate::tools`], the serving command into the HTTP stack.

pub mod bench;
pub mod bill_run;
pub mod create_admin;
pub mod demo;
pub mod generate;
pub mod migrate;
pub mod serve;

use clap::{Parser, Subcommand};

use app::db::Database;

use crate::config::{DatabaseArgs, HttpArgs};

#[derive(Parser)]
#[command(
    name = "server",
    version,
    about = "Estate Desk — the service centre's web system"
)]
pub struct Cli {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the desk (LEPTOS_SITE_ROOT holds the built site).
    Serve {
        #[command(flatten)]
        http: HttpArgs,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an administrator account (there are no default accounts).
    CreateAdmin(create_admin::CreateAdminArgs),
    /// Benchmarks (figures only; never part of the tests).
    Bench {
        #[command(subcommand)]
        what: bench::BenchWhat,
    },
    /// Run billing for an estate and a period (YYYY-MM) from the command line.
    BillRun(bill_run::BillRunArgs),
    /// Fill an empty database with a generated company for the benchmarks
    /// (deterministic: the same profile and seed give the same company).
    Generate(generate::GenerateArgs),
    /// Load the demo estate and one account per role into an empty database.
    Demo(demo::DemoArgs),
}

/// The database every command but `serve` and `bench http` works on: opened
/// and migrated (`serve` migrates inside [`crate::open_app`]; `bench http`
/// starts servers of its own).
pub async fn open_migrated(args: &DatabaseArgs) -> anyhow::Result<Database> {
    let db = Database::connect(&args.url()).await?;
    db.migrate(&app::db::migrations_root()).await?;
    Ok(db)
}
