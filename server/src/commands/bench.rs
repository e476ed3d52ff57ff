//! `server bench …`: the benchmarks (figures only; never part of the tests).
//! `search`, `billing` and `photos` run in-process ([`crate::tools::bench`]);
//! `http` drives a server of this binary with oha ([`crate::tools::loadbench`]).

use std::path::PathBuf;

use clap::Subcommand;

use crate::config::DatabaseArgs;
use crate::tools::generate::DEFAULT_PASSWORD;
use crate::tools::{bench, loadbench};

#[derive(Subcommand)]
pub enum BenchWhat {
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
        site_root: PathBuf,
        /// The port the server under test listens on.
        #[arg(long, default_value_t = 3990)]
        port: u16,
        /// Seconds of load per run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The generated accounts' password.
        #[arg(long, env = "BENCH_PASSWORD", default_value = DEFAULT_PASSWORD)]
        password: String,
        /// Write the report here.
        #[arg(long)]
        out: Option<PathBuf>,
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

pub async fn run(db: &DatabaseArgs, what: BenchWhat) -> anyhow::Result<()> {
    match what {
        BenchWhat::Search { residents } => {
            let db = super::open_migrated(db).await?;
            bench::search(&db, residents).await
        }
        BenchWhat::Photos { count } => bench::photos(count),
        BenchWhat::Http {
            company_database_url,
            site_root,
            port,
            seconds,
            password,
            out,
            oha,
            smoke,
        } => {
            loadbench::run(&loadbench::Options {
                database_url: db.url(),
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
        BenchWhat::Billing { houses } => {
            let db = super::open_migrated(db).await?;
            bench::billing(&db, houses).await
        }
    }
}
