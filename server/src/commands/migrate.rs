//! `server migrate`: applies the pending migrations and exits.

use crate::config::DatabaseArgs;

pub async fn run(db: &DatabaseArgs) -> anyhow::Result<()> {
    let db = super::open_migrated(db).await?;
    eprintln!("migrated {}", db.display_url);
    Ok(())
}
