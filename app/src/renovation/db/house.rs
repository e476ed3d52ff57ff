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

/// What the house is after its works: the status it had before — unless
/// people moved while it was 装修中 (move-in and move-out leave a renovating
/// house's status alone): a tenant living there now makes it 出租; a let
/// house whose tenant left is 空置; a vacant house someone moved into since
/// the permit is 自住.
fn status_after(before: HouseStatus, tenant_now: bool, moved_in_since: bool) -> HouseStatus {
    match before {
        _ if tenant_now => HouseStatus::Let,
        HouseStatus::Let => HouseStatus::Vacant,
        HouseStatus::Vacant if moved_in_since => HouseStatus::Occupied,
        other => other,
    }
}

/// At the passed acceptance: the house goes back to what it was before the
/// works ([`status_after`]) — unless the register has moved it since (a
/// manager's correction), which stands, or another application's works on
/// the house still run: then they carry the status to their own acceptance.
pub async fn works_end(w: &mut Write, lang: Lang, app: &AppDb) -> Result<(), AppError> {
    let (before,): (Option<HouseStatus>,) =
        sqlx::query_as("select status_before from renovation where id = $1")
            .bind(app.id)
            .fetch_one(&mut **w)
            .await?;
    let Some(before) = before else {
        return Ok(());
    };
    let running: Option<(i64,)> = sqlx::query_as(
        "select id from renovation where house_id = $1 and id <> $2 \
           and state in ('works', 'extension', 'suspended', 'acceptance', 'rectifying') order by id limit 1",
    )
    .bind(app.house_id)
    .bind(app.id)
    .fetch_optional(&mut **w)
    .await?;
    if let Some((other,)) = running {
        sqlx::query(
            "update renovation set status_before = $1 where id = $2 and status_before is null",
        )
        .bind(before)
        .bind(other)
        .execute(&mut **w)
        .await?;
        return Ok(());
    }
    if status_of(w, app.house_id).await? != HouseStatus::Renovating {
        return Ok(());
    }
    let (tenants, moved_in): (i64, i64) = sqlx::query_as(
        "select (select count(*) from occupancy where house_id = $1 and role = 'tenant' \
                   and (end_date is null or end_date >= $3)), \
                (select count(*) from move_in where house_id = $1 and status = 'completed' and completed_at > $2)",
    )
    .bind(app.house_id)
    .bind(app.permit_at.clone().unwrap_or_default())
    .bind(time::desk_today())
    .fetch_one(&mut **w)
    .await?;
    let after = status_after(before, tenants > 0, moved_in > 0);
    let permit = app.permit_no.clone().unwrap_or_default();
    let reason = I18n(lang).f("renovation.status_accepted", &[("permit", &permit)]);
    let by = AccountId(w.actor().account_id.unwrap_or_default());
    // A later-dated change in the register wins; the house is then left as it says.
    register::change_status(
        w,
        crate::common::HouseId(app.house_id),
        HouseStatus::Renovating,
        after,
        &time::desk_today(),
        &reason,
        by,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use HouseStatus::*;

    #[test]
    fn after_the_works_the_house_is_what_its_people_make_it() {
        assert_eq!(status_after(Occupied, false, false), Occupied);
        assert_eq!(status_after(Vacant, false, false), Vacant);
        assert_eq!(status_after(Let, true, false), Let);
        // The tenant left during the works; someone moved into an empty house; a tenant moved in.
        assert_eq!(status_after(Let, false, false), Vacant);
        assert_eq!(status_after(Vacant, false, true), Occupied);
        assert_eq!(status_after(Vacant, true, true), Let);
        assert_eq!(status_after(Occupied, true, true), Let);
    }
}
