//! The permit (装修许可证) as printed for the door, with the workers'
//! temporary passes (临时出入证), and the staff's check of its QR code:
//! valid, expired, suspended, or no longer in force.

use super::*;
use crate::common::personal::mask_id_number;

async fn sheet_of(pool: &AnyPool, lang: Lang, app: &AppDb) -> Result<PermitSheet, AppError> {
    let (estate_name,): (String,) = sqlx::query_as("select name from estate where id = $1")
        .bind(app.estate_id)
        .fetch_one(pool)
        .await?;
    let (_, work_hours) = settings(pool, app.estate_id).await?;
    let ids: Vec<(String, String)> = sqlx::query_as(
        "select name, id_number from renovation_worker where renovation_id = $1 order by position, id",
    )
    .bind(app.id)
    .fetch_all(pool)
    .await?;
    let (token, at): (Option<String>, Option<String>) =
        sqlx::query_as("select permit_token, permit_at from renovation where id = $1")
            .bind(app.id)
            .fetch_one(pool)
            .await?;
    let token = token.ok_or(AppError::NotFound)?;
    Ok(PermitSheet {
        id: app.id,
        permit_no: app.permit_no.clone().unwrap_or_default(),
        estate_name,
        house_number: app.house_number.clone(),
        applicant: app.applicant.clone(),
        contractor: app.contractor.clone(),
        licence_no: app.licence_no.clone(),
        foreman: app.foreman.clone(),
        planned_start: app.planned_start.clone(),
        planned_end: app.planned_end.clone(),
        work_hours,
        items: items_of(pool, app.id, lang).await?,
        workers: ids
            .into_iter()
            .map(|(name, id)| WorkerPass {
                name,
                id_masked: mask_id_number(&id),
            })
            .collect(),
        issued_on: at
            .map(|a| crate::ui::desk_minute(&a).chars().take(10).collect())
            .unwrap_or_default(),
        check_path: format!("/desk/renovations/check/{token}"),
        qr_svg: String::new(),
        verdict: rules::verdict(
            app.state,
            &app.planned_start,
            &app.planned_end,
            &crate::db::time::desk_today(),
            super::money::settled(&mut *pool.acquire().await?, app).await?,
        ),
    })
}

/// The printed permit and passes, for the desk of the estate.
pub async fn sheet(pool: &AnyPool, caller: &Caller, id: i64) -> Result<PermitSheet, AppError> {
    let app = find(pool, id).await?.ok_or(AppError::NotFound)?;
    if !matches!(
        who(&mut *pool.acquire().await?, caller, &app).await?,
        Some(Who::Desk { .. })
    ) {
        return Err(AppError::forbidden("the desk prints permits"));
    }
    sheet_of(pool, caller.lang, &app).await
}

/// The check of a permit's QR code by staff of its estate (a guard, the desk):
/// `None` when no permit carries the token.
pub async fn check(
    pool: &AnyPool,
    caller: &Caller,
    token: &str,
) -> Result<Option<PermitSheet>, AppError> {
    let found: Option<(i64,)> = sqlx::query_as("select id from renovation where permit_token = $1")
        .bind(token)
        .fetch_optional(pool)
        .await?;
    let Some((id,)) = found else {
        return Ok(None);
    };
    let app = find(pool, id).await?.ok_or(AppError::NotFound)?;
    caller.check_estate(app.estate_id)?;
    Ok(Some(sheet_of(pool, caller.lang, &app).await?))
}
