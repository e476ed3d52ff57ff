//! A move-in case and its steps, each saved in a write of its own as the desk
//! does it, audited: opening the case from the house page, identity and
//! title, the inspection (and a defect's repair ticket), the readings, the
//! keys handed over, the agreements; a case can also be cancelled.

use super::{case_row, CaseDb};
use crate::billing::rules::{centi_text, parse_reading};
use crate::common::personal::mask_mobile;
use crate::common::{AuditAction, AuditEntity, Caller, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, OnUnique, Write};
use crate::error::{AppError, FieldError};
use crate::estate::{HouseStatus, OccupancyRole};
use crate::i18n::{refused, tr, I18n};
use crate::keys::rules::signature_png;
use crate::moves::rules::{self, FindingForm, IdentityForm};
use crate::moves::{CaseStatus, Finding, Step};

/// Opens a write on an open case the caller may work: the house locked, the
/// case read inside the write.
pub(crate) async fn open_write(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
) -> Result<(Write, CaseDb), AppError> {
    let first = case_row(&db.pool, id).await?.ok_or(AppError::NotFound)?;
    caller.check_estate(first.estate_id)?;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(first.house_id)).await?;
    let case = case_row(&mut *w, id).await?.ok_or(AppError::NotFound)?;
    if case.status != CaseStatus::Open {
        return Err(AppError::Conflict(tr(lang, "moves.refused.not_open")));
    }
    Ok((w, case))
}

fn audit_step(case: &CaseDb, step: Step, after: serde_json::Value) -> Change {
    Change::new(AuditAction::SaveMoveInStep, AuditEntity::MoveIn)
        .id(case.id)
        .estate(case.estate_id)
        .after(serde_json::json!({ "step": step, "detail": after }))
}

/// Whether the house has a current owner who stays: an owner selling (listed
/// on the house's open sale) does not count — the buyer moves in as owner,
/// and the buyer's completion completes the sale.
pub(crate) async fn has_owner(w: &mut Write, house_id: i64) -> sqlx::Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from occupancy o where o.house_id = $1 and o.role = 'owner' and o.end_date is null \
           and not exists (select 1 from move_out m join move_out_person p on p.move_out_id = m.id \
                 where m.house_id = o.house_id and m.status = 'open' and m.kind = 'sale' and p.occupancy_id = o.id)",
    )
    .bind(house_id)
    .fetch_one(&mut **w)
    .await?;
    Ok(n > 0)
}

/// Opens a move-in for a house (办理入住), or finds the one open for it.
pub async fn open(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    house_id: i64,
) -> Result<i64, AppError> {
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(house_id)).await?;
    let (estate_id, _status): (i64, HouseStatus) =
        sqlx::query_as("select estate_id, status from house where id = $1")
            .bind(house_id)
            .fetch_optional(&mut *w)
            .await?
            .ok_or(AppError::NotFound)?;
    caller.check_estate(estate_id)?;
    if let Some(id) = super::open_case_of(&mut *w, house_id).await? {
        return Ok(id);
    }
    super::template::ensure_defaults(&mut w, estate_id).await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into move_in (estate_id, house_id, status, opened_by, opened_at) \
         values ($1, $2, 'open', $3, $4) returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    .bind(caller.account_id)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await
    // Two clerks opening the same house's move-in at once: one case.
    .on_unique(|| AppError::Conflict(tr(lang, "moves.refused.open_exists")))?;
    w.audit(
        Change::new(AuditAction::OpenMoveIn, AuditEntity::MoveIn)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({ "house_id": house_id })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// Saves who moves in, as what, and the title or lease.
pub async fn save_identity(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    form: &IdentityForm,
) -> Result<(), AppError> {
    let checked =
        rules::check_identity(form, &time::desk_today()).map_err(|p| refused(lang, p))?;
    let (mut w, case) = open_write(db, actor, caller, lang, id).await?;
    // The keys went to the person named then: who moves in is settled.
    if case.keys_at.is_some()
        && (checked.name != case.name || checked.mobile != case.mobile || Some(checked.role) != case.role)
    {
        return Err(AppError::Rule(tr(lang, "moves.refused.person_after_keys")));
    }
    let status: (HouseStatus,) = sqlx::query_as("select status from house where id = $1")
        .bind(case.house_id)
        .fetch_one(&mut *w)
        .await?;
    let owner = has_owner(&mut w, case.house_id).await?;
    rules::check_house(checked.role, status.0, owner)
        .map_err(|key| AppError::field("role", tr(lang, key)))?;
    let (lease_start, lease_end) = checked
        .lease
        .clone()
        .map(|(s, e)| (Some(s), Some(e)))
        .unwrap_or_default();
    sqlx::query(
        "update move_in set name = $1, mobile = $2, id_number = $3, role = $4, title_no = $5, \
           lease_start = $6, lease_end = $7, owner_consent = $8, handover_on = $9, identity_at = $10 \
         where id = $11",
    )
    .bind(&checked.name)
    .bind(&checked.mobile)
    .bind(checked.id_number.as_deref())
    .bind(checked.role)
    .bind(&checked.title_no)
    .bind(lease_start.as_deref())
    .bind(lease_end.as_deref())
    .bind(i64::from(checked.role == OccupancyRole::Tenant && form.owner_consent))
    .bind(&checked.handover_on)
    .bind(time::now())
    .bind(case.id)
    .execute(&mut *w)
    .await?;
    w.audit(audit_step(
        &case,
        Step::Identity,
        serde_json::json!({
            "name": checked.name, "mobile": mask_mobile(&checked.mobile), "role": checked.role,
            "title_no": checked.title_no, "lease": checked.lease, "handover_on": checked.handover_on,
            "id_number_given": checked.id_number.is_some(),
        }),
    ))
    .await?;
    w.commit().await?;
    Ok(())
}

/// Saves the inspection: every item's finding and the resident's signature.
#[allow(clippy::too_many_arguments)]
pub async fn save_inspection(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    findings: &[FindingForm],
    signature: &str,
    signed_on_paper: bool,
) -> Result<(), AppError> {
    let png = if signed_on_paper {
        None
    } else {
        Some(signature_png(signature).ok_or_else(|| {
            AppError::field("signature", tr(lang, "moves.invalid.signature"))
        })?)
    };
    let (mut w, case) = open_write(db, actor, caller, lang, id).await?;
    let items: Vec<(i64, String, String)> = sqlx::query_as(
        "select i.id, i.room, i.item from inspection_item i \
         left join move_in_check c on c.item_id = i.id and c.move_in_id = $1 \
         where i.estate_id = $2 and (i.retired_at is null or c.move_in_id is not null) order by i.position, i.id",
    )
    .bind(case.id)
    .bind(case.estate_id)
    .fetch_all(&mut *w)
    .await?;
    let ids: Vec<i64> = items.iter().map(|(id, _, _)| *id).collect();
    let checked = rules::check_findings(&ids, findings).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|(item, key)| {
                    let (room, name) = items
                        .iter()
                        .find(|(id, _, _)| *id == item)
                        .map(|(_, r, n)| (r.as_str(), n.as_str()))
                        .unwrap_or_default();
                    FieldError {
                        field: format!("finding_{item}"),
                        message: format!("{room} · {name}：{}", tr(lang, key)),
                    }
                })
                .collect(),
        )
    })?;
    for (item, finding, note) in &checked {
        // A finding already turned into a ticket keeps its ticket.
        let done = sqlx::query(
            "update move_in_check set result = $1, note = $2 where move_in_id = $3 and item_id = $4 and ticket_id is null",
        )
        .bind(*finding)
        .bind(note)
        .bind(case.id)
        .bind(*item)
        .execute(&mut *w)
        .await?;
        if done.rows_affected() == 0 {
            sqlx::query(
                "insert into move_in_check (move_in_id, item_id, result, note) values ($1, $2, $3, $4) \
                 on conflict do nothing",
            )
            .bind(case.id)
            .bind(*item)
            .bind(*finding)
            .bind(note)
            .execute(&mut *w)
            .await?;
        }
    }
    sqlx::query(
        "update move_in set inspection_at = $1, inspection_signature = $2, inspection_on_paper = $3 where id = $4",
    )
    .bind(time::now())
    .bind(png.as_deref())
    .bind(i64::from(signed_on_paper))
    .bind(case.id)
    .execute(&mut *w)
    .await?;
    let defects = checked
        .iter()
        .filter(|(_, f, _)| *f == Finding::Defect)
        .count();
    w.audit(audit_step(
        &case,
        Step::Inspection,
        serde_json::json!({ "items": checked.len(), "defects": defects, "signed_on_paper": signed_on_paper }),
    ))
    .await?;
    w.commit().await?;
    Ok(())
}

/// Turns a recorded defect into a repair ticket on the house (source
/// 验房), linked to the finding, in one write; a defect already ticketed
/// returns its ticket.
pub async fn raise_defect(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    item_id: i64,
) -> Result<i64, AppError> {
    let (mut w, case) = open_write(db, actor, caller, lang, id).await?;
    #[derive(sqlx::FromRow)]
    struct Found {
        result: Finding,
        note: String,
        ticket_id: Option<i64>,
        room: String,
        item: String,
    }
    let found: Option<Found> = sqlx::query_as(
        "select c.result, c.note, c.ticket_id, i.room, i.item from move_in_check c \
         join inspection_item i on i.id = c.item_id where c.move_in_id = $1 and c.item_id = $2",
    )
    .bind(case.id)
    .bind(item_id)
    .fetch_optional(&mut *w)
    .await?;
    let Some(Found {
        result: finding,
        note,
        ticket_id: ticket,
        room,
        item,
    }) = found
    else {
        return Err(AppError::NotFound);
    };
    if let Some(ticket) = ticket {
        return Ok(ticket);
    }
    if case.identity_at.is_none() {
        return Err(AppError::Rule(tr(lang, "moves.refused.identity_first")));
    }
    if finding != Finding::Defect {
        return Err(AppError::Rule(tr(lang, "moves.refused.not_defect")));
    }
    let (number,): (String,) = sqlx::query_as("select number from house where id = $1")
        .bind(case.house_id)
        .fetch_one(&mut *w)
        .await?;
    let category = if item.contains("燃气") {
        crate::repairs::Category::Other
    } else if item.contains("水") || item.contains("漏") {
        crate::repairs::Category::Water
    } else if item.contains("插座") || item.contains("电") {
        crate::repairs::Category::Electrical
    } else if item.contains("门") || item.contains("窗") {
        crate::repairs::Category::DoorsWindows
    } else {
        crate::repairs::Category::Other
    };
    let input = crate::repairs::rules::NewTicket {
        estate_id: case.estate_id,
        house_number: number,
        category: category.as_str().into(),
        description: I18n(lang).f(
            "moves.defect_ticket",
            &[
                ("case", &case.id.to_string()),
                ("room", &room),
                ("item", &item),
                ("note", &note),
            ],
        ),
        urgency: crate::repairs::Urgency::Normal.as_str().into(),
        source: crate::repairs::Source::Inspection.as_str().into(),
        reporter_name: if case.name.is_empty() {
            tr(lang, "moves.inspection")
        } else {
            case.name.clone()
        },
        reporter_phone: case.mobile.clone(),
        ..Default::default()
    };
    let viewer = crate::repairs::db::Viewer::Desk(caller.scope.clone());
    let ticket = crate::repairs::db::report::create_in(&mut w, actor, lang, &viewer, input).await?;
    sqlx::query("update move_in_check set ticket_id = $1 where move_in_id = $2 and item_id = $3")
        .bind(ticket)
        .bind(case.id)
        .bind(item_id)
        .execute(&mut *w)
        .await?;
    w.audit(audit_step(
        &case,
        Step::Inspection,
        serde_json::json!({ "defect": item_id, "ticket_id": ticket }),
    ))
    .await?;
    w.commit().await?;
    Ok(ticket)
}

/// Saves the initial meter readings, one per metered item, none below the
/// house's last reading.
pub async fn save_readings(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    readings: &[(i64, String)],
) -> Result<(), AppError> {
    let (mut w, case) = open_write(db, actor, caller, lang, id).await?;
    let items = crate::billing::db::metered_items(&mut *w, case.estate_id).await?;
    let mut problems = Vec::new();
    let mut values = Vec::new();
    for item in &items {
        let field = format!("reading_{}", item.id);
        let typed = readings
            .iter()
            .find(|(i, _)| *i == item.id)
            .map(|(_, r)| r.as_str())
            .unwrap_or_default();
        let Some(value) = parse_reading(typed) else {
            problems.push(FieldError {
                field,
                message: I18n(lang).f("moves.invalid.reading", &[("item", &item.name)]),
            });
            continue;
        };
        let last = crate::billing::db::last_reading(&mut *w, case.house_id, item.id).await?;
        if let Some(last) = last.filter(|last| value < *last) {
            problems.push(FieldError {
                field,
                message: I18n(lang).f(
                    "moves.invalid.reading_below",
                    &[("item", &item.name), ("last", &centi_text(last))],
                ),
            });
            continue;
        }
        values.push((item.id, value));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    sqlx::query("delete from move_in_reading where move_in_id = $1")
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    for (item, value) in &values {
        sqlx::query(
            "insert into move_in_reading (move_in_id, fee_item_id, reading_centi) values ($1, $2, $3)",
        )
        .bind(case.id)
        .bind(*item)
        .bind(*value)
        .execute(&mut *w)
        .await?;
    }
    sqlx::query("update move_in set readings_at = $1 where id = $2")
        .bind(time::now())
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    w.audit(audit_step(
        &case,
        Step::Readings,
        serde_json::json!(values
            .iter()
            .map(|(i, v)| serde_json::json!({ "fee_item_id": i, "reading": centi_text(*v) }))
            .collect::<Vec<_>>()),
    ))
    .await?;
    w.commit().await?;
    Ok(())
}

/// Hands the keys over: the house's keys held before handover leave the
/// cabinet to the new resident through key custody (a final check-out each),
/// and the count handed (those and any the developer gave) is written on the case.
pub async fn hand_keys(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    count: &str,
) -> Result<Vec<String>, AppError> {
    let count: i64 = count
        .trim()
        .parse()
        .ok()
        .filter(|n| (0..=50).contains(n))
        .ok_or_else(|| AppError::field("keys_count", tr(lang, "moves.invalid.keys_count")))?;
    let (mut w, case) = open_write(db, actor, caller, lang, id).await?;
    if case.identity_at.is_none() {
        return Err(AppError::Rule(tr(lang, "moves.refused.identity_first")));
    }
    if case.keys_at.is_some() {
        return Err(AppError::Conflict(tr(lang, "moves.refused.keys_done")));
    }
    // The developer's keys (未收楼) go to an owner only; anyone else moving in
    // while the cabinet holds them is sent to key custody first.
    let owner_role = matches!(case.role, Some(OccupancyRole::Owner | OccupancyRole::CoOwner));
    if !owner_role
        && !crate::keys::db::owner::unhanded_in_cabinet(&mut *w, case.house_id)
            .await?
            .is_empty()
    {
        return Err(AppError::Rule(tr(lang, "moves.refused.keys_not_owner")));
    }
    let tags = crate::keys::db::owner::hand_over_unhanded_in(
        &mut w,
        lang,
        case.house_id,
        &case.name,
        &case.mobile,
        caller.account_id,
    )
    .await?;
    if count < tags.len() as i64 {
        return Err(AppError::field(
            "keys_count",
            I18n(lang).f(
                "moves.invalid.keys_fewer",
                &[("count", &tags.len().to_string())],
            ),
        ));
    }
    sqlx::query("update move_in set keys_count = $1, keys_at = $2 where id = $3")
        .bind(count)
        .bind(time::now())
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    w.audit(audit_step(
        &case,
        Step::Keys,
        serde_json::json!({ "count": count, "copies": tags }),
    ))
    .await?;
    w.commit().await?;
    Ok(tags)
}

/// Saves the agreements signed, each on its day; every agreement of the estate must be signed.
pub async fn save_agreements(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    signed: &[(i64, String)],
) -> Result<(), AppError> {
    let (mut w, case) = open_write(db, actor, caller, lang, id).await?;
    let kinds: Vec<(i64, String)> = sqlx::query_as(
        "select id, name from agreement_kind where estate_id = $1 and retired_at is null order by position, id",
    )
    .bind(case.estate_id)
    .fetch_all(&mut *w)
    .await?;
    let today = time::desk_today();
    let mut problems = Vec::new();
    let mut days = Vec::new();
    for (kind, name) in &kinds {
        let day = signed
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, d)| d.trim().to_string())
            .unwrap_or_default();
        if rules::check_signed_on(&day, &today) {
            days.push((*kind, day));
        } else {
            problems.push(FieldError {
                field: format!("agreement_{kind}"),
                message: I18n(lang).f("moves.invalid.agreement_day", &[("name", name)]),
            });
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    sqlx::query("delete from move_in_agreement where move_in_id = $1")
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    for (kind, day) in &days {
        sqlx::query(
            "insert into move_in_agreement (move_in_id, agreement_id, signed_on) values ($1, $2, $3)",
        )
        .bind(case.id)
        .bind(*kind)
        .bind(day)
        .execute(&mut *w)
        .await?;
    }
    sqlx::query("update move_in set agreements_at = $1 where id = $2")
        .bind(time::now())
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    w.audit(audit_step(
        &case,
        Step::Agreements,
        serde_json::json!(days),
    ))
    .await?;
    w.commit().await?;
    Ok(())
}

/// Cancels an open case, with a reason; keys already handed over stay handed.
pub async fn cancel(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::field("reason", tr(lang, "moves.invalid.reason")));
    }
    let (mut w, case) = open_write(db, actor, caller, lang, id).await?;
    // Keys handed over stay handed: only a manager closes such a case unfinished.
    if case.keys_at.is_some() && !caller.may(crate::common::Permission::ApproveMoney) {
        return Err(AppError::Rule(tr(lang, "moves.refused.keys_handed")));
    }
    // A cancelled case keeps no copy of the person's numbers.
    sqlx::query(
        "update move_in set status = 'cancelled', cancelled_reason = $1, mobile = '', id_number = null where id = $2",
    )
        .bind(reason)
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    w.audit(
        Change::new(AuditAction::CancelMoveIn, AuditEntity::MoveIn)
            .id(case.id)
            .estate(case.estate_id)
            .after(serde_json::json!({ "reason": reason })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
