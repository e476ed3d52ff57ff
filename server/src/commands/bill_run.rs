//! `server bill-run`: one estate's bill run for one month from the command
//! line (the desk's 生成账单 does the same); a rerun creates only the missing
//! lines.

use std::time::Instant;

use anyhow::Context;
use clap::Args;

use app::billing::run;
use app::common::Lang;
use app::db::audit::Actor;

use crate::config::DatabaseArgs;

#[derive(Args)]
pub struct BillRunArgs {
    /// The estate's code (e.g. CH).
    #[arg(long)]
    pub estate: String,
    /// The period, YYYY-MM.
    #[arg(long)]
    pub period: String,
    /// First mark this estate's runs left running by a dead process as interrupted.
    #[arg(long)]
    pub take_over: bool,
}

pub async fn run(db: &DatabaseArgs, args: BillRunArgs) -> anyhow::Result<()> {
    let db = super::open_migrated(db).await?;
    let BillRunArgs {
        estate,
        period,
        take_over,
    } = args;
    let (estate_id,): (i64,) = sqlx::query_as("select id from estate where code = $1")
        .bind(&estate)
        .fetch_optional(&db.pool)
        .await?
        .with_context(|| format!("no estate with code {estate}"))?;
    if take_over {
        run::interrupt_running(&db, Some(estate_id)).await?;
    }
    let actor = Actor::system("bill-run");
    let started = Instant::now();
    let id = run::start(&db, &actor, None, Lang::En, estate_id, &period)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let outcome = run::execute(&db, id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "bill run #{id} for {estate} {period}: {} houses, {} new lines, {} yuan, {} settled from prepaid, {:.1} s",
        outcome.houses,
        outcome.lines_created,
        app::billing::fen_text(outcome.amount_fen),
        outcome.prepaid_lines,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
