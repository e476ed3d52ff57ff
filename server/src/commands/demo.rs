//! `server demo`: loads the demo estate ([`crate::demo`]) and one account per
//! role into an empty database, and prints the sign-ins.

use std::io::Write;

use clap::Args;

use app::security::hashing::Hasher;

use crate::config::DatabaseArgs;

#[derive(Args)]
pub struct DemoArgs {
    /// The password of every demo account.
    #[arg(long, env = "DEMO_PASSWORD")]
    pub password: String,
}

pub async fn run(db: &DatabaseArgs, args: DemoArgs) -> anyhow::Result<()> {
    let db = super::open_migrated(db).await?;
    crate::demo::load(&db, &Hasher::new(2)?, &args.password).await?;
    let mut err = std::io::stderr();
    writeln!(err, "loaded the demo estate into {}", db.display_url)?;
    writeln!(err, "demo sign-ins (password as given):")?;
    for (username, name, role) in crate::demo::STAFF {
        writeln!(err, "  {username:<12} {:<12} {name}", role.as_str())?;
    }
    writeln!(
        err,
        "  {:<12} resident     王建国 (1-1-101, 翠湖花园)",
        crate::demo::RESIDENT_MOBILE
    )?;
    Ok(())
}
