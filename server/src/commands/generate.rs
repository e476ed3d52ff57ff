//! `server generate`: fills an empty database with a deterministic company
//! for the benchmarks; the generator itself is [`crate::tools::generate`].

use clap::Args;

use crate::config::DatabaseArgs;
use crate::tools::generate::{self, Options, DEFAULT_PASSWORD};

#[derive(Args)]
pub struct GenerateArgs {
    /// tiny (2 estates, 400 houses), large (one estate of 50,000 houses) or
    /// company (200 estates, 500,000 houses, ~1.5 million residents).
    #[arg(long, default_value = "large")]
    pub profile: String,
    /// Override the profile's number of estates.
    #[arg(long)]
    pub estates: Option<i64>,
    /// Override the profile's number of houses (all estates together).
    #[arg(long)]
    pub houses: Option<i64>,
    /// Months billed, ending with this month.
    #[arg(long)]
    pub months: Option<u32>,
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Every generated account's password.
    #[arg(long, env = "BENCH_PASSWORD", default_value = DEFAULT_PASSWORD)]
    pub password: String,
}

pub async fn run(db: &DatabaseArgs, args: GenerateArgs) -> anyhow::Result<()> {
    let mut opts = Options::profile(&args.profile)?;
    opts.estates = args.estates.unwrap_or(opts.estates);
    opts.houses = args.houses.unwrap_or(opts.houses);
    opts.months = args.months.unwrap_or(opts.months);
    opts.seed = args.seed;
    opts.password = args.password;
    let db = super::open_migrated(db).await?;
    generate::generate(&db, &opts).await
}
