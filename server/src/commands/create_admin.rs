//! `server create-admin`: creates an administrator account (there are no
//! default accounts), with the same username and password rules as the desk's
//! staff page, audited as the system's `create-admin`.

use std::io::IsTerminal;

use anyhow::bail;
use clap::Args;

use app::auth::db::{self as account_db, NewAccount};
use app::auth::password;
use app::common::{AuditAction, AuditEntity, Lang, Role};
use app::db::audit::{Actor, Change};
use app::security::hashing::Hasher;

use crate::config::DatabaseArgs;

#[derive(Args)]
pub struct CreateAdminArgs {
    /// The administrator's username.
    #[arg(long, default_value = "admin")]
    pub username: String,
    /// The name shown in the desk and the audit log.
    #[arg(long, default_value = "系统管理员")]
    pub name: String,
    /// The password (at least 12 characters, not a common one). Asked for when omitted.
    #[arg(long, env = "ADMIN_PASSWORD")]
    pub password: Option<String>,
}

pub async fn run(db: &DatabaseArgs, args: CreateAdminArgs) -> anyhow::Result<()> {
    let db = super::open_migrated(db).await?;
    let username = args.username.trim().to_lowercase();
    let name = args.name;
    if let Err((_, key)) = app::admin::rules::check_username(&username) {
        bail!("{}", app::i18n::tr(Lang::En, key));
    }
    let pw = match args.password {
        Some(pw) => pw,
        None => ask_password()?,
    };
    if let Err(p) = password::check(&pw, Role::Admin, &[&username, &name]) {
        bail!("{}", app::auth::api::password_message(Lang::En, p));
    }
    let hash = Hasher::new(1)?.hash(pw).await?;
    let mut w = db.write(Actor::system("create-admin")).await?;
    let new = NewAccount {
        role: Role::Admin,
        username: Some(&username),
        mobile: None,
        display_name: &name,
        password_hash: &hash,
        resident_id: None,
    };
    // The message a command line wants, not the desk's field error.
    let id = match account_db::insert(&mut *w, &new).await {
        Ok(id) => id,
        Err(e) if app::db::is_unique_violation(&e) => {
            bail!("the username {username} is taken")
        }
        Err(e) => return Err(e.into()),
    };
    w.audit(
        Change::new(AuditAction::Create, AuditEntity::Account)
            .id(id)
            .after(serde_json::json!({ "username": username, "role": "admin" })),
    )
    .await?;
    w.commit().await?;
    eprintln!("created administrator {username} in {}", db.display_url);
    Ok(())
}

/// Asks twice on the terminal, without echo.
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
