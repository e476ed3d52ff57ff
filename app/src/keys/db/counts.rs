//! A count (盘点) of one cabinet: started, each key ticked as found on its
//! hook (a scanner types the tag), then closed — which records every
//! discrepancy: a key missing from its hook, one found on the wrong hook,
//! a tag the cabinet does not know, and the keys out on loan. The closing
//! counter signs; a closed count is kept as it is (its lines are append-only).

use sqlx::AnyPool;

use crate::common::{AuditAction, AuditEntity, Caller, KeyCopyId, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, OnUnique, Write};
use crate::error::AppError;
use crate::i18n::tr;
use crate::keys::rules::{hook_label, parse_hook, signature_png};
use crate::keys::{CopyStatus, CountLine, CountOutcome, CountPage, CountSummary, CountedKey};
use crate::ui::desk_minute;

#[derive(sqlx::FromRow)]
struct Cabinet {
    estate_id: i64,
    name: String,
    hook_rows: i64,
    hook_cols: i64,
}

async fn cabinet(db: impl sqlx::AnyExecutor<'_>, id: i64) -> Result<Cabinet, AppError> {
    sqlx::query_as("select estate_id, name, hook_rows, hook_cols from key_cabinet where id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(sqlx::FromRow)]
struct CountRow {
    cabinet_id: i64,
    estate_id: i64,
    closed_at: Option<String>,
}

async fn count_row(db: impl sqlx::AnyExecutor<'_>, id: i64) -> Result<CountRow, AppError> {
    sqlx::query_as("select cabinet_id, estate_id, closed_at from key_count where id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Starts a count of a cabinet; one open count per cabinet.
pub async fn start(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    cabinet_id: i64,
) -> Result<i64, AppError> {
    let cab = cabinet(&db.pool, cabinet_id).await?;
    caller.check_estate(cab.estate_id)?;
    let mut w = db.write(actor.clone()).await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into key_count (estate_id, cabinet_id, started_by, started_at) values ($1, $2, $3, $4) returning id",
    )
    .bind(cab.estate_id)
    .bind(cabinet_id)
    .bind(caller.account_id)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::Conflict(tr(lang, "keys.refused.count_open")))?;
    w.audit(
        Change::new(AuditAction::StartKeyCount, AuditEntity::KeyCount)
            .id(id)
            .estate(cab.estate_id)
            .after(serde_json::json!({ "cabinet_id": cabinet_id, "cabinet": cab.name })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

async fn add_line(
    w: &mut Write,
    count: i64,
    copy: Option<KeyCopyId>,
    tag: &str,
    hook: Option<i64>,
    outcome: CountOutcome,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into key_count_line (count_id, copy_id, tag, hook, outcome, created_at) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(count)
    .bind(copy)
    .bind(tag)
    .bind(hook)
    .bind(outcome)
    .bind(time::now())
    .execute(&mut **w)
    .await?;
    Ok(())
}

/// Ticks a key found in the cabinet: its tag, and the hook it hangs on
/// (empty: its own). Returns what the tick found.
pub async fn tick(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    count: i64,
    tag: &str,
    hook: &str,
) -> Result<CountOutcome, AppError> {
    let c = count_row(&db.pool, count).await?;
    caller.check_estate(c.estate_id)?;
    let tag = tag.trim().to_ascii_uppercase();
    if tag.is_empty() || tag.chars().count() > 40 {
        return Err(AppError::field("tag", tr(lang, "keys.invalid.tag")));
    }
    let cab = cabinet(&db.pool, c.cabinet_id).await?;
    let at = match hook.trim() {
        "" => None,
        typed => Some(
            parse_hook(typed, cab.hook_rows, cab.hook_cols)
                .ok_or_else(|| AppError::field("hook", tr(lang, "keys.invalid.hook")))?,
        ),
    };
    let mut w = db.write(actor.clone()).await?;
    // A tick and the close of one count never interleave (PostgreSQL).
    w.lock(LockOn::KeyCount(count)).await?;
    if count_row(&mut *w, count).await?.closed_at.is_some() {
        return Err(AppError::Rule(tr(lang, "keys.refused.count_closed")));
    }
    let seen: Option<(i64,)> =
        sqlx::query_as("select id from key_count_line where count_id = $1 and upper(tag) = $2")
            .bind(count)
            .bind(&tag)
            .fetch_optional(&mut *w)
            .await?;
    if seen.is_some() {
        return Err(AppError::Rule(tr(lang, "keys.refused.ticked")));
    }
    let copy: Option<(KeyCopyId, i64, i64, CopyStatus)> = sqlx::query_as(
        "select id, cabinet_id, hook, status from key_copy where upper(tag) = $1 and estate_id = $2",
    )
    .bind(&tag)
    .bind(c.estate_id)
    .fetch_optional(&mut *w)
    .await?;
    let outcome = match copy {
        // On its hook, yet lent in the register: the return is recorded first.
        Some((_, cabinet_id, _, CopyStatus::Out)) if cabinet_id == c.cabinet_id => {
            return Err(AppError::Rule(tr(lang, "keys.refused.count_out")));
        }
        Some((id, cabinet_id, own_hook, CopyStatus::InCabinet)) if cabinet_id == c.cabinet_id => {
            let found_at = at.unwrap_or(own_hook);
            let outcome = if found_at == own_hook {
                CountOutcome::Found
            } else {
                CountOutcome::WrongHook
            };
            add_line(&mut w, count, Some(id), &tag, Some(found_at), outcome).await?;
            outcome
        }
        // Not this cabinet's, not in the register, or lost/retired and yet here.
        other => {
            add_line(
                &mut w,
                count,
                other.map(|o| o.0),
                &tag,
                at,
                CountOutcome::Unknown,
            )
            .await?;
            CountOutcome::Unknown
        }
    };
    w.commit().await?;
    Ok(outcome)
}

/// Closes a count: every live key of the cabinet not ticked is recorded as
/// missing (or on loan, when it is out), and the count is signed.
#[allow(clippy::too_many_arguments)]
pub async fn close(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    count: i64,
    signed_name: &str,
    signature: &str,
    signed_on_paper: bool,
) -> Result<Vec<CountLine>, AppError> {
    let c = count_row(&db.pool, count).await?;
    caller.check_estate(c.estate_id)?;
    let signed_name = signed_name.trim();
    if signed_name.is_empty() || signed_name.chars().count() > 40 {
        return Err(AppError::field(
            "signed_name",
            tr(lang, "keys.invalid.signed_name"),
        ));
    }
    let png = if signed_on_paper {
        None
    } else {
        Some(signature_png(signature).ok_or_else(|| {
            AppError::field("signature", tr(lang, "keys.invalid.count_signature"))
        })?)
    };
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeyCount(count)).await?;
    let closed = sqlx::query(
        "update key_count set closed_at = $2, closed_by = $3, signed_name = $4, signature = $5 \
         where id = $1 and closed_at is null",
    )
    .bind(count)
    .bind(time::now())
    .bind(caller.account_id)
    .bind(signed_name)
    .bind(png.as_deref())
    .execute(&mut *w)
    .await?;
    if closed.rows_affected() != 1 {
        return Err(AppError::Rule(tr(lang, "keys.refused.count_closed")));
    }
    let unticked: Vec<(KeyCopyId, String, i64, CopyStatus)> = sqlx::query_as(
        "select c.id, c.tag, c.hook, c.status from key_copy c where c.cabinet_id = $1 \
           and c.status in ('in_cabinet', 'out') \
           and not exists (select 1 from key_count_line l where l.count_id = $2 and l.copy_id = c.id) \
         order by c.hook",
    )
    .bind(c.cabinet_id)
    .bind(count)
    .fetch_all(&mut *w)
    .await?;
    for (id, tag, hook, status) in unticked {
        let outcome = if status == CopyStatus::Out {
            CountOutcome::OnLoan
        } else {
            CountOutcome::Missing
        };
        add_line(&mut w, count, Some(id), &tag, Some(hook), outcome).await?;
    }
    let lines = lines_of(&mut *w, count, c.cabinet_id).await?;
    let discrepancies: Vec<&CountLine> = lines
        .iter()
        .filter(|l| !matches!(l.outcome, CountOutcome::Found | CountOutcome::OnLoan))
        .collect();
    w.audit(
        Change::new(AuditAction::CloseKeyCount, AuditEntity::KeyCount)
            .id(count)
            .estate(c.estate_id)
            .after(serde_json::json!({
                "signed_name": signed_name,
                "signed_on_paper": signed_on_paper,
                "lines": lines.len(),
                "discrepancies": discrepancies.iter().map(|l| serde_json::json!({
                    "tag": l.tag, "hook": l.hook, "outcome": l.outcome,
                })).collect::<Vec<_>>(),
            })),
    )
    .await?;
    w.commit().await?;
    Ok(lines)
}

async fn lines_of(
    db: impl sqlx::AnyExecutor<'_>,
    count: i64,
    cabinet_id: i64,
) -> Result<Vec<CountLine>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        tag: String,
        hook: Option<i64>,
        outcome: CountOutcome,
        opens: Option<String>,
        hook_cols: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "select l.tag, l.hook, l.outcome, coalesce(h.number, lo.name) as opens, cab.hook_cols \
         from key_count_line l join key_cabinet cab on cab.id = $2 \
         left join key_copy c on c.id = l.copy_id left join key_set s on s.id = c.key_set_id \
         left join house h on h.id = s.house_id left join repair_location lo on lo.id = s.location_id \
         where l.count_id = $1 order by l.id",
    )
    .bind(count)
    .bind(cabinet_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CountLine {
            hook: r.hook.map(|h| hook_label(h, r.hook_cols)),
            tag: r.tag,
            outcome: r.outcome,
            opens: r.opens.unwrap_or_default(),
        })
        .collect())
}

/// A count's page: what was ticked, and the keys the cabinet should hold.
pub async fn page(pool: &AnyPool, caller: &Caller, count: i64) -> Result<CountPage, AppError> {
    let c = count_row(pool, count).await?;
    caller.check_estate(c.estate_id)?;
    let cab = cabinet(pool, c.cabinet_id).await?;
    #[derive(sqlx::FromRow)]
    struct Head {
        started_at: String,
        started_by: Option<String>,
        closed_at: Option<String>,
        signed_name: Option<String>,
    }
    let head: Head = sqlx::query_as(
        "select k.started_at, a.display_name as started_by, k.closed_at, k.signed_name \
         from key_count k left join account a on a.id = k.started_by where k.id = $1",
    )
    .bind(count)
    .fetch_one(pool)
    .await?;
    let lines = lines_of(pool, count, c.cabinet_id).await?;
    #[derive(sqlx::FromRow)]
    struct Expected {
        tag: String,
        hook: i64,
        status: CopyStatus,
        opens: Option<String>,
    }
    let expected: Vec<Expected> = sqlx::query_as(
        "select c.tag, c.hook, c.status, coalesce(h.number, lo.name) as opens from key_copy c \
         join key_set s on s.id = c.key_set_id left join house h on h.id = s.house_id \
         left join repair_location lo on lo.id = s.location_id \
         where c.cabinet_id = $1 and c.status in ('in_cabinet', 'out') order by c.hook",
    )
    .bind(c.cabinet_id)
    .fetch_all(pool)
    .await?;
    let expected = expected
        .into_iter()
        .map(|e| CountedKey {
            ticked: lines.iter().any(|l| l.tag.eq_ignore_ascii_case(&e.tag)),
            hook: hook_label(e.hook, cab.hook_cols),
            tag: e.tag,
            out: e.status == CopyStatus::Out,
            opens: e.opens.unwrap_or_default(),
        })
        .collect();
    Ok(CountPage {
        id: count,
        cabinet_id: c.cabinet_id,
        cabinet: cab.name,
        started_at: desk_minute(&head.started_at),
        started_by: head.started_by.unwrap_or_default(),
        closed_at: head.closed_at.as_deref().map(desk_minute),
        signed_name: head.signed_name,
        lines,
        expected,
    })
}

/// A cabinet's counts, newest first.
pub async fn of_cabinet(
    pool: &AnyPool,
    caller: &Caller,
    cabinet_id: i64,
) -> Result<Vec<CountSummary>, AppError> {
    let cab = cabinet(pool, cabinet_id).await?;
    caller.check_estate(cab.estate_id)?;
    let mut rows: Vec<CountSummary> = sqlx::query_as(
        "select k.id, k.started_at, k.closed_at, k.signed_name, \
            (select count(*) from key_count_line l where l.count_id = k.id \
               and l.outcome in ('wrong_hook', 'missing', 'unknown')) as discrepancies \
         from key_count k where k.cabinet_id = $1 order by k.id desc limit 20",
    )
    .bind(cabinet_id)
    .fetch_all(pool)
    .await?;
    for r in &mut rows {
        r.started_at = desk_minute(&r.started_at);
        r.closed_at = r.closed_at.as_deref().map(desk_minute);
    }
    Ok(rows)
}
