//! `server`: the Estate Desk binary. `serve` | `migrate` | `create-admin` | `demo`.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use app::auth::db::{self as account_db, NewAccount};
use app::auth::{password, Role};
use app::db::Database;
use app::security::hashing::Hasher;
use server::config::{DatabaseArgs, HttpArgs, HttpConfig};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "server",
    version,
    about = "Estate Desk — the service centre's web system"
)]
struct Cli {
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the desk (LEPTOS_SITE_ROOT holds the built site).
    Serve {
        #[command(flatten)]
        http: HttpArgs,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an administrator account (there are no default accounts).
    CreateAdmin {
        /// The administrator's username.
        #[arg(long, default_value = "admin")]
        username: String,
        /// The name shown in the desk and the audit log.
        #[arg(long, default_value = "系统管理员")]
        name: String,
        /// The password (at least 12 characters, not a common one). Asked for when omitted.
        #[arg(long, env = "ADMIN_PASSWORD")]
        password: Option<String>,
    },
    /// Benchmarks (figures only; never part of the tests).
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Run billing for an estate and a period (YYYY-MM) from the command line.
    BillRun {
        /// The estate's code (e.g. CH).
        #[arg(long)]
        estate: String,
        /// The period, YYYY-MM.
        #[arg(long)]
        period: String,
        /// First mark this estate's runs left running by a dead process as interrupted.
        #[arg(long)]
        take_over: bool,
    },
    /// Fill an empty database with a generated company for the benchmarks
    /// (deterministic: the same profile and seed give the same company).
    Generate {
        /// tiny (2 estates, 400 houses), large (one estate of 50,000 houses) or
        /// company (200 estates, 500,000 houses, ~1.5 million residents).
        #[arg(long, default_value = "large")]
        profile: String,
        /// Override the profile's number of estates.
        #[arg(long)]
        estates: Option<i64>,
        /// Override the profile's number of houses (all estates together).
        #[arg(long)]
        houses: Option<i64>,
        /// Months billed, ending with this month.
        #[arg(long)]
        months: Option<u32>,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Every generated account's password.
        #[arg(long, env = "BENCH_PASSWORD", default_value = server::tools::generate::DEFAULT_PASSWORD)]
        password: String,
    },
    /// Load the demo estate and one account per role into an empty database.
    Demo {
        /// The password of every demo account.
        #[arg(long, env = "DEMO_PASSWORD")]
        password: String,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// The desk's search on a large register (fills an empty database first).
    Search {
        /// How many residents to generate (houses: a third as many).
        #[arg(long, default_value_t = 1_500_000)]
        residents: i64,
    },
    /// Re-encoding a 12-megapixel phone photo as a repair photo (CPU only).
    Photos {
        /// How many times.
        #[arg(long, default_value_t = 20)]
        count: usize,
    },
    /// The load benchmarks against the release server on a generated database
    /// (`server generate`), with oha; prints figures and writes BENCHMARKS.md.
    Http {
        /// A company-profile database: search over every estate and a cold start on it.
        #[arg(long)]
        company_database_url: Option<String>,
        /// The built site (the wasm is measured from its pkg/).
        #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
        site_root: std::path::PathBuf,
        /// The port the server under test listens on.
        #[arg(long, default_value_t = 3990)]
        port: u16,
        /// Seconds of load per run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The generated accounts' password.
        #[arg(long, env = "BENCH_PASSWORD", default_value = server::tools::generate::DEFAULT_PASSWORD)]
        password: String,
        /// Write the report here.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The oha binary.
        #[arg(long, default_value = "oha")]
        oha: String,
        /// A second of tiny load per scenario (the tests' smoke run).
        #[arg(long)]
        smoke: bool,
    },
    /// A bill run over a generated estate against a bare bulk insert of the same rows.
    Billing {
        /// How many houses the estate has (3 fee items each).
        #[arg(long, default_value_t = 500_000)]
        houses: i64,
    },
}

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

async fn open_migrated(args: &DatabaseArgs) -> anyhow::Result<Database> {
    let db = Database::connect(&args.url()).await?;
    db.migrate(&app::db::migrations_root()).await?;
    Ok(db)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { http } => serve(&cli.db, &http).await,
        Command::Migrate => {
            let db = open_migrated(&cli.db).await?;
            eprintln!("migrated {}", db.display_url);
            Ok(())
        }
        Command::CreateAdmin {
            username,
            name,
            password: given,
        } => {
            let db = open_migrated(&cli.db).await?;
            let username = username.trim().to_lowercase();
            if let Err((_, key)) = app::admin::rules::check_username(&username) {
                bail!("{}", app::i18n::tr(app::common::Lang::En, key));
            }
            let pw = match given {
                Some(pw) => pw,
                None => ask_password()?,
            };
            if let Err(p) = password::check(&pw, Role::Admin, &[&username, &name]) {
                bail!(
                    "{}",
                    app::auth::api::password_message(app::common::Lang::En, p)
                );
            }
            let hash = Hasher::new(1)?.hash(pw).await?;
            let mut tx = db.begin_write().await?;
            let new = NewAccount {
                role: Role::Admin,
                username: Some(&username),
                mobile: None,
                display_name: &name,
                password_hash: &hash,
                resident_id: None,
            };
            let id = match account_db::insert(&mut *tx, &new).await {
                Ok(id) => id,
                Err(e) if app::db::is_unique_violation(&e) => {
                    bail!("the username {username} is taken")
                }
                Err(e) => return Err(e.into()),
            };
            let actor = app::audit::db::Actor {
                account_id: None,
                name: "create-admin".into(),
                ip: None,
            };
            app::audit::db::record(
                &mut *tx,
                &actor,
                app::audit::db::Change {
                    estate_id: None,
                    entity: app::common::AuditEntity::Account,
                    entity_id: Some(id.to_string()),
                    action: app::common::AuditAction::Create,
                    before: None,
                    after: Some(serde_json::json!({ "username": username, "role": "admin" })),
                },
            )
            .await?;
            tx.commit().await?;
            eprintln!("created administrator {username} in {}", db.display_url);
            Ok(())
        }
        Command::Bench {
            what: BenchWhat::Search { residents },
        } => {
            let db = open_migrated(&cli.db).await?;
            server::tools::bench::search(&db, residents).await
        }
        Command::Bench {
            what: BenchWhat::Photos { count },
        } => server::tools::bench::photos(count),
        Command::Bench {
            what:
                BenchWhat::Http {
                    company_database_url,
                    site_root,
                    port,
                    seconds,
                    password,
                    out,
                    oha,
                    smoke,
                },
        } => {
            server::tools::loadbench::run(&server::tools::loadbench::Options {
                database_url: cli.db.url(),
                company_url: company_database_url,
                site_root,
                port,
                seconds,
                password,
                out,
                oha,
                smoke,
            })
            .await
        }
        Command::Bench {
            what: BenchWhat::Billing { houses },
        } => {
            let db = open_migrated(&cli.db).await?;
            server::tools::bench::billing(&db, houses).await
        }
        Command::Generate {
            profile,
            estates,
            houses,
            months,
            seed,
            password,
        } => {
            let mut opts = server::tools::generate::Options::profile(&profile)?;
            opts.estates = estates.unwrap_or(opts.estates);
            opts.houses = houses.unwrap_or(opts.houses);
            opts.months = months.unwrap_or(opts.months);
            opts.seed = seed;
            opts.password = password;
            let db = open_migrated(&cli.db).await?;
            server::tools::generate::generate(&db, &opts).await
        }
        Command::BillRun {
            estate,
            period,
            take_over,
        } => {
            let db = open_migrated(&cli.db).await?;
            server::tools::bench::bill_run(&db, &estate, &period, take_over).await
        }
        Command::Demo { password: pw } => {
            let db = open_migrated(&cli.db).await?;
            server::demo::load(&db, &Hasher::new(2)?, &pw).await?;
            let mut err = std::io::stderr();
            writeln!(err, "loaded the demo estate into {}", db.display_url)?;
            writeln!(err, "demo sign-ins (password as given):")?;
            for (username, name, role) in server::demo::STAFF {
                writeln!(err, "  {username:<12} {:<12} {name}", role.as_str())?;
            }
            writeln!(
                err,
                "  {:<12} resident     王建国 (1-1-101, 翠湖花园)",
                server::demo::RESIDENT_MOBILE
            )?;
            Ok(())
        }
    }
}

fn ask_password() -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        bail!("no --password given and no terminal to ask on");
    }
    let first = rpassword::prompt_password("Password for the new administrator: ")?;
    let second = rpassword::prompt_password("The same password again: ")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}

async fn serve(db_args: &DatabaseArgs, http: &HttpArgs) -> anyhow::Result<()> {
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
        server::open_app(&db_args.url(), leptos_options, &config, http.hash_slots).await?;
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
    let router = server::router::build(state, store, &config);
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
