//! Check-out (领用) and return (归还) at the counter.
//!
//! The copy's status moves by a guarded update (`… and status = 'in_cabinet'`)
//! and the loan's insert meets the one-open-loan-per-copy index, so of two
//! clerks lending one key at the same moment exactly one wins on both
//! engines; the other is told who has it. A loan of an entrusted key must lie
//! within the owner's authorisation; a backup copy's use is reported.

use super::{facts, log, CopyFacts, AUTHORISERS};
use crate::common::Lang;
use crate::common::{AuditAction, AuditEntity, Caller, KeyCopyId};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, OnUnique, Write};
use crate::error::AppError;
use crate::i18n::{tr, I18n};
use crate::keys::rules::{self, AuthRefusal, Authorisation, KeyAction, Lend, LendForm};
use crate::keys::{AuthScope, Condition, CopyStatus, KeyKind, LogEntry, TakerKind};
use crate::ui::desk_minute;

/// "Lent to 张师傅 at 12-01 10:05 (authorised by 李主管)" for a copy out now.
async fn who_has_it(w: &mut Write, lang: Lang, copy: KeyCopyId) -> Result<AppError, AppError> {
    let holder: Option<(String, String)> = sqlx::query_as(
        "select taker_name, out_at from key_loan where copy_id = $1 and returned_at is null",
    )
    .bind(copy)
    .fetch_optional(&mut **w)
    .await?;
    Ok(match holder {
        Some((taker, out_at)) => AppError::Conflict(I18n(lang).f(
            "keys.refused.held_by",
            &[("taker", &taker), ("since", &desk_minute(&out_at))],
        )),
        None => AppError::Conflict(tr(lang, "keys.refused.out")),
    })
}

fn refused(lang: Lang, status: CopyStatus, action: KeyAction) -> AppError {
    AppError::Rule(tr(lang, rules::refusal_key(status, action)))
}

/// Lends copy `copy` as the form says; returns the loan's id.
pub async fn lend(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    copy: KeyCopyId,
    form: &LendForm,
) -> Result<i64, AppError> {
    // Whose key it is comes first: a clerk of another estate learns nothing of it.
    let f = facts(&db.pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    let mut lend = rules::check_lend(lang, form, chrono::Utc::now())?;
    let mut w = db.write(actor.clone()).await?;
    // One key's copies, authorisation and lock change move one at a time (PostgreSQL).
    w.lock(LockOn::KeySet(f.key_set_id)).await?;
    let f = facts(&mut *w, copy).await?;
    if f.status == CopyStatus::Out {
        return Err(who_has_it(&mut w, lang, copy).await?);
    }
    if rules::next(f.status, KeyAction::Lend).is_none() {
        return Err(refused(lang, f.status, KeyAction::Lend));
    }
    let authoriser: Option<(i64, String)> = sqlx::query_as(&format!("{AUTHORISERS} and a.id = $2"))
        .bind(f.estate_id)
        .bind(lend.authorised_by)
        .fetch_optional(&mut *w)
        .await?;
    let Some((_, authoriser)) = authoriser else {
        return Err(AppError::field(
            "authorised_by",
            tr(lang, "keys.invalid.authoriser"),
        ));
    };
    if let Some(account) = lend.taker_account_id {
        let taker: Option<(String,)> = sqlx::query_as(
            "select a.display_name from account a join account_estate ae on ae.account_id = a.id \
             where a.id = $1 and ae.estate_id = $2 and a.disabled = 0 and a.role <> 'resident'",
        )
        .bind(account)
        .bind(f.estate_id)
        .fetch_optional(&mut *w)
        .await?;
        let Some((name,)) = taker else {
            return Err(AppError::field(
                "taker_account_id",
                tr(lang, "keys.invalid.staff"),
            ));
        };
        lend.taker_name = name;
    }
    if let Some(ticket) = lend.ticket_id {
        check_ticket(&mut w, lang, &f, ticket).await?;
    }
    if let Some(renovation) = lend.renovation_id {
        check_renovation(&mut w, lang, &f, renovation, &lend).await?;
    }
    if f.kind == KeyKind::Unhanded {
        // Handed over since it was registered: the key is the owner's now.
        let (status,): (String,) = sqlx::query_as("select status from house where id = $1")
            .bind(f.house_id.unwrap_or(0))
            .fetch_one(&mut *w)
            .await?;
        if status != "not_handed_over" {
            return Err(AppError::Rule(tr(lang, "keys.refused.handed_over")));
        }
    }
    let authorisation_id = if f.kind == KeyKind::Entrusted {
        Some(check_authorisation(&mut w, lang, &f, &lend).await?)
    } else {
        None
    };
    let now = time::now();
    let moved =
        sqlx::query("update key_copy set status = 'out' where id = $1 and status = 'in_cabinet'")
            .bind(copy)
            .execute(&mut *w)
            .await?;
    if moved.rows_affected() != 1 {
        return Err(who_has_it(&mut w, lang, copy).await?);
    }
    let (loan_id,): (i64,) = sqlx::query_as(
        "insert into key_loan (copy_id, estate_id, taker_kind, taker_account_id, taker_name, taker_phone, \
            taker_id_number, purpose, ticket_id, note, authorisation_id, authorised_by, lent_by, out_at, \
            due_at, signature, signed_on_paper, renovation_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) returning id",
    )
    .bind(copy)
    .bind(f.estate_id)
    .bind(lend.taker_kind)
    .bind(lend.taker_account_id)
    .bind(&lend.taker_name)
    .bind(&lend.taker_phone)
    .bind(&lend.taker_id_number)
    .bind(lend.purpose)
    .bind(lend.ticket_id)
    .bind(&lend.note)
    .bind(authorisation_id)
    .bind(lend.authorised_by)
    .bind(caller.account_id)
    .bind(&now)
    .bind(&lend.due_at)
    .bind(lend.signature.as_deref())
    .bind(i64::from(lend.signed_on_paper))
    .bind(lend.renovation_id)
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::Conflict(tr(lang, "keys.refused.out")))?;
    let i18n = I18n(lang);
    let note = i18n.f(
        "keys.log_lend",
        &[
            ("taker", &lend.taker_name),
            ("purpose", &tr(lang, lend.purpose.key())),
            ("by", &authoriser),
            ("due", &desk_minute(&lend.due_at)),
        ],
    );
    log(&mut w, &f, Some(loan_id), LogEntry::Lend, &note).await?;
    if f.copy_no > 1 {
        // A backup copy in use is reported to the manager and to security.
        sqlx::query(
            "insert into key_incident (estate_id, copy_id, kind, loan_id, circumstances, reported_by, reported_at) \
             values ($1, $2, 'backup_used', $3, $4, $5, $6)",
        )
        .bind(f.estate_id)
        .bind(copy)
        .bind(loan_id)
        .bind(&note)
        .bind(caller.account_id)
        .bind(&now)
        .execute(&mut *w)
        .await?;
    }
    w.audit(
        Change::new(AuditAction::LendKey, AuditEntity::KeyLoan)
            .id(loan_id)
            .estate(f.estate_id)
            .after(serde_json::json!({
                "tag": f.tag,
                "taker_kind": lend.taker_kind,
                "taker": lend.taker_name,
                "taker_phone": crate::common::personal::mask_mobile(&lend.taker_phone),
                "taker_id_number": lend.taker_id_number.as_deref().map(crate::common::personal::mask_id_number),
                "purpose": lend.purpose,
                "ticket_id": lend.ticket_id,
                "renovation_id": lend.renovation_id,
                "authorised_by": lend.authorised_by,
                "due_at": lend.due_at,
                "signed_on_paper": lend.signed_on_paper,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(loan_id)
}

/// A loan for a repair names an open ticket of the key's estate — the
/// house's own for a house key, a common area's for a facility key.
async fn check_ticket(
    w: &mut Write,
    lang: Lang,
    f: &CopyFacts,
    ticket: i64,
) -> Result<(), AppError> {
    // Open: still to be worked (repairs::Status::is_open); named in SQL, as
    // repairs sits above keys.
    let row: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "select estate_id, house_id, location_id from repair_ticket where id = $1 \
           and status in ('submitted', 'assigned', 'accepted', 'in_progress', 'reopened')",
    )
    .bind(ticket)
    .fetch_optional(&mut **w)
    .await?;
    let fits = match row {
        Some((estate, house, location)) => {
            estate == f.estate_id
                && match f.house_id {
                    Some(h) => house == Some(h),
                    None => location.is_some() && location == f.location_id,
                }
        }
        None => false,
    };
    if fits {
        Ok(())
    } else {
        Err(AppError::field(
            "ticket_id",
            tr(lang, "keys.invalid.ticket_other"),
        ))
    }
}

/// A loan for a renovation names the application of the key's house whose
/// permit is in force (works running, not suspended); the taker is one of
/// the workers it lists — the ID number on their card is on the permit — and
/// the key is due back by the works' planned end. Named in SQL: renovation
/// sits above keys.
async fn check_renovation(
    w: &mut Write,
    lang: Lang,
    f: &CopyFacts,
    renovation: i64,
    lend: &Lend,
) -> Result<(), AppError> {
    let row: Option<(i64, i64, String, String)> = sqlx::query_as(
        "select estate_id, house_id, state, planned_end from renovation where id = $1",
    )
    .bind(renovation)
    .fetch_optional(&mut **w)
    .await?;
    let Some((_, _, state, planned_end)) =
        row.filter(|(estate, house, _, _)| *estate == f.estate_id && Some(*house) == f.house_id)
    else {
        return Err(AppError::field(
            "renovation_id",
            tr(lang, "keys.invalid.renovation_other"),
        ));
    };
    match state.as_str() {
        "works" | "extension" => {}
        "suspended" => return Err(AppError::Rule(tr(lang, "keys.refused.works_suspended"))),
        _ => {
            return Err(AppError::field(
                "renovation_id",
                tr(lang, "keys.invalid.renovation_other"),
            ))
        }
    }
    let (listed,): (i64,) = sqlx::query_as(
        "select count(*) from renovation_worker where renovation_id = $1 and id_number = $2",
    )
    .bind(renovation)
    .bind(lend.taker_id_number.as_deref().unwrap_or_default())
    .fetch_one(&mut **w)
    .await?;
    if listed == 0 {
        return Err(AppError::field(
            "taker_id_number",
            tr(lang, "keys.invalid.not_on_permit"),
        ));
    }
    let end = time::next_local_day_start_utc(&planned_end).unwrap_or_default();
    if lend.due_at >= end {
        return Err(AppError::field(
            "due",
            I18n(lang).f("keys.invalid.due_after_permit", &[("until", &planned_end)]),
        ));
    }
    Ok(())
}

/// The owner's authorisation in force that covers this loan; its id.
async fn check_authorisation(
    w: &mut Write,
    lang: Lang,
    f: &CopyFacts,
    lend: &Lend,
) -> Result<i64, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        scope: AuthScope,
        named_people: String,
        valid_from: String,
        valid_until: String,
        revoked_at: Option<String>,
        signer_owns: i64,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "select id, scope, named_people, valid_from, valid_until, revoked_at, \
            case when {} then 1 else 0 end as signer_owns from key_authorisation \
         where key_set_id = $1 {}",
        super::signer_owns("key_authorisation.id"),
        super::IN_FORCE_FIRST
    ))
    .bind(f.key_set_id)
    .bind(time::desk_today())
    .fetch_optional(&mut **w)
    .await?;
    let auth = row.as_ref().map(|r| Authorisation {
        scope: r.scope,
        named_people: r.named_people.clone(),
        valid_from: r.valid_from.clone(),
        valid_until: r.valid_until.clone(),
        revoked: r.revoked_at.is_some(),
    });
    if row
        .as_ref()
        .is_some_and(|r| r.signer_owns == 0 && r.revoked_at.is_none())
    {
        // Sold or moved out since: the paper was the former owner's.
        return Err(AppError::Rule(tr(lang, "keys.refused.auth_owner_gone")));
    }
    match rules::authorisation_allows(
        auth.as_ref(),
        lend.purpose,
        &lend.taker_name,
        &time::desk_today(),
    ) {
        Ok(()) => {
            let Some(r) = row else {
                return Err(AppError::internal("an authorisation allowed without a row"));
            };
            // Not due back after the paper's last day.
            let end = time::next_local_day_start_utc(&r.valid_until).unwrap_or_default();
            if lend.due_at >= end {
                return Err(AppError::field(
                    "due",
                    I18n(lang).f("keys.invalid.due_after_auth", &[("until", &r.valid_until)]),
                ));
            }
            Ok(r.id)
        }
        Err(AuthRefusal::Purpose) => Err(AppError::field(
            "purpose",
            tr(lang, AuthRefusal::Purpose.key()),
        )),
        Err(AuthRefusal::NotNamed) => {
            let field = if lend.taker_kind == TakerKind::Staff {
                "taker_account_id"
            } else {
                "taker_name"
            };
            Err(AppError::field(
                field,
                tr(lang, AuthRefusal::NotNamed.key()),
            ))
        }
        Err(other) => {
            let until = row.map(|r| r.valid_until).unwrap_or_default();
            Err(AppError::Rule(
                I18n(lang).f(other.key(), &[("until", &until)]),
            ))
        }
    }
}

/// Records copy `copy`'s return: who brought it, its condition. A damaged key
/// is retired. Returns the copy's new status.
#[allow(clippy::too_many_arguments)]
pub async fn give_back(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    copy: KeyCopyId,
    returned_by: &str,
    condition: &str,
    note: &str,
) -> Result<CopyStatus, AppError> {
    let f = facts(&db.pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    let back = rules::check_return(lang, returned_by, condition, note)?;
    let action = match back.condition {
        Condition::Good => KeyAction::Return,
        Condition::Damaged => KeyAction::ReturnDamaged,
    };
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(f.key_set_id)).await?;
    let f = facts(&mut *w, copy).await?;
    let Some(to) = rules::next(f.status, action) else {
        return Err(refused(lang, f.status, action));
    };
    let now = time::now();
    let loan: Option<(i64, String)> = sqlx::query_as(
        "select id, taker_name from key_loan where copy_id = $1 and returned_at is null",
    )
    .bind(copy)
    .fetch_optional(&mut *w)
    .await?;
    let Some((loan_id, taker)) = loan else {
        return Err(refused(lang, CopyStatus::InCabinet, action));
    };
    let closed = sqlx::query(
        "update key_loan set returned_at = $2, returned_by_name = $3, received_by = $4, condition = $5, \
            return_note = $6 where id = $1 and returned_at is null",
    )
    .bind(loan_id)
    .bind(&now)
    .bind(&back.returned_by)
    .bind(caller.account_id)
    .bind(back.condition)
    .bind(&back.note)
    .execute(&mut *w)
    .await?;
    let moved = sqlx::query("update key_copy set status = $2 where id = $1 and status = 'out'")
        .bind(copy)
        .bind(to)
        .execute(&mut *w)
        .await?;
    if closed.rows_affected() != 1 || moved.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "keys.refused.not_out")));
    }
    let i18n = I18n(lang);
    let mut line = i18n.f(
        "keys.log_return",
        &[
            ("who", &back.returned_by),
            ("taker", &taker),
            ("condition", &tr(lang, back.condition.key())),
        ],
    );
    if !back.note.is_empty() {
        line = format!("{line} · {}", back.note);
    }
    log(&mut w, &f, Some(loan_id), LogEntry::Return, &line).await?;
    if to == CopyStatus::Retired {
        log(
            &mut w,
            &f,
            Some(loan_id),
            LogEntry::Retire,
            &tr(lang, "keys.retired_damaged"),
        )
        .await?;
    }
    w.audit(
        Change::new(AuditAction::ReturnKey, AuditEntity::KeyLoan)
            .id(loan_id)
            .estate(f.estate_id)
            .before(serde_json::json!({ "tag": f.tag, "status": f.status }))
            .after(serde_json::json!({
                "status": to,
                "returned_by": back.returned_by,
                "condition": back.condition,
                "note": back.note,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(to)
}
