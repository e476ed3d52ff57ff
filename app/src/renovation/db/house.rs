//! The house in the register while its works run: the permit turns it to
//! 装修中 (from the status it had, which the application keeps), and the
//! passed acceptance turns it back. Both go through the register's
//! [`change_status`](crate::estate::db::change_status), so billing (which
//! bills a renovating house like a lived-in one) and the house page's status
//! history see them, effective on the desk day they happen.

use super::AppDb;
use crate::common::{AccountId, Lang};
use crate::db::{time, Write};
use crate::error::AppError;
use crate::estate::db as register;
use crate::estate::rules::lifecycle_allows;
use crate::estate::HouseStatus;
use crate::i18n::{tr, I18n};

async fn status_of(w: &mut Write, house_id: i64) -> sqlx::Result<HouseStatus> {
    let (status,): (HouseStatus,) = sqlx::query_as("select status from house where id = $1")
        .bind(house_id)
        .fetch_one(&mut **w)
        .await?;
    Ok(status)
}

/// At the permit (`permit_no`): the house becomes 装修中, and the application
/// remembers what it was. A house already 装修中 (by the register) is left as
/// it is, and nothing is remembered, so the acceptance leaves it too.
pub async fn works_begin(
    w: &mut Write,
    lang: Lang,
    app: &AppDb,
    permit_no: &str,
) -> Result<(), AppError> {
    let status = status_of(w, app.house_id).await?;
    if !lifecycle_allows(status, HouseStatus::Renovating) {
        return Ok(());
    }
    let reason = I18n(lang).f("renovation.status_works", &[("permit", permit_no)]);
    let by = AccountId(w.actor().account_id.unwrap_or_default());
    let today = time::desk_today();
    let changed = register::change_status(
        w,
        crate::common::HouseId(app.house_id),
        status,
        HouseStatus::Renovating,
        &today,
        &reason,
        by,
    )
    .await?;
    if !changed {
        return Err(AppError::Conflict(tr(lang, "register.status_moved_on")));
    }
    sqlx::query("update renovation set status_before = $1 where id = $2")
        .bind(status)
        .bind(app.id)
        .execute(&mut **w)
        .await?;
    Ok(())
}

/// At the passed acceptance: the house goes back to the status it had before
/// the works — unless the register has moved it since (a manager's
/// correction), which stands.
pub async fn works_end(w: &mut Write, lang: Lang, app: &AppDb) -> Result<(), AppError> {
    let (before,): (Option<HouseStatus>,) =
        sqlx::query_as("select status_before from renovation where id = $1")
            .bind(app.id)
            .fetch_one(&mut **w)
            .await?;
    let Some(before) = before else {
        return Ok(());
    };
    if status_of(w, app.house_id).await? != HouseStatus::Renovating {
        return Ok(());
    }
    let permit = app.permit_no.clone().unwrap_or_default();
    let reason = I18n(lang).f("renovation.status_accepted", &[("permit", &permit)]);
    let by = AccountId(w.actor().account_id.unwrap_or_default());
    // A later-dated change in the register wins; the house is then left as it says.
    register::change_status(
        w,
        crate::common::HouseId(app.house_id),
        HouseStatus::Renovating,
        before,
        &time::desk_today(),
        &reason,
        by,
    )
    .await?;
    Ok(())
}
