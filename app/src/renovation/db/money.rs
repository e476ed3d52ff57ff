//! An approved application's money and permit: the estate's charges (装修管理费,
//! 垃圾清运费 — income; 装修押金 — a deposit, held) raised on the house and
//! paid in the same write on one receipt, so no renovation line is ever left
//! owing; then the permit (装修许可证), issued only once they are paid and the
//! house owes nothing else (the arrears rule the desk shows).

use super::*;
use crate::billing::ledger::{self, Payer, PaymentRequest};
use crate::billing::{charge, fen_text};
use crate::common::{AuditAction, AuditEntity, Permission};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, Write};

/// A charge as the estate sets it: its fee item, name and amount.
#[derive(Debug, Clone, FromRow)]
pub struct ChargeDb {
    pub fee_item_id: i64,
    pub name: String,
    pub held: i64,
    pub amount_fen: i64,
}

/// The estate's charges on an approved renovation, in their order.
pub async fn charges<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    estate_id: i64,
) -> sqlx::Result<Vec<ChargeDb>> {
    sqlx::query_as(
        "select c.fee_item_id, f.name, f.held, c.amount_fen from renovation_charge c \
         join fee_item f on f.id = c.fee_item_id where c.estate_id = $1 order by c.position, c.fee_item_id",
    )
    .bind(estate_id)
    .fetch_all(ex)
    .await
}

/// The application's payment while it stands (not reversed): its id and receipt.
pub async fn standing_payment<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    id: i64,
) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as(
        "select p.id, p.receipt_no from renovation r join payment p on p.id = r.payment_id \
         where r.id = $1 and not exists (select 1 from payment_reversal x where x.payment_id = p.id)",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// What the house owes today outside this application (its arrears).
pub async fn arrears<'e>(ex: impl sqlx::AnyExecutor<'e>, house_id: i64) -> sqlx::Result<i64> {
    let owed = ledger::arrears_by_house(ex, &[house_id], &time::desk_today()).await?;
    Ok(owed.get(&house_id).copied().unwrap_or(0))
}

/// Adds (or changes the amount of) one of the estate's charges: a one-off fee item of the estate.
pub async fn set_charge(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    estate_id: i64,
    fee_item_id: i64,
    amount: &str,
) -> Result<(), AppError> {
    caller.check_estate(estate_id)?;
    let lang = caller.lang;
    let item: Option<(String,)> =
        sqlx::query_as("select kind from fee_item where id = $1 and estate_id = $2")
            .bind(fee_item_id)
            .bind(estate_id)
            .fetch_optional(&db.pool)
            .await?;
    if !item.is_some_and(|(kind,)| kind == "one_off") {
        return Err(AppError::field(
            "fee_item_id",
            tr(lang, "renovation.invalid.charge_item"),
        ));
    }
    let amount_fen = crate::billing::money::parse_yuan(amount)
        .map_err(|e| AppError::field("amount", ledger::amount_message(lang, e)))?;
    let mut w = db.write(actor.clone()).await?;
    let (position,): (i64,) = sqlx::query_as(
        "select coalesce(max(position), 0) + 1 from renovation_charge where estate_id = $1",
    )
    .bind(estate_id)
    .fetch_one(&mut *w)
    .await?;
    sqlx::query(
        "insert into renovation_charge (estate_id, fee_item_id, amount_fen, position) values ($1, $2, $3, $4) \
         on conflict (estate_id, fee_item_id) do update set amount_fen = excluded.amount_fen",
    )
    .bind(estate_id)
    .bind(fee_item_id)
    .bind(amount_fen)
    .bind(position)
    .execute(&mut *w)
    .await?;
    w.audit(
        Change::new(AuditAction::RenovationSettings, AuditEntity::Estate)
            .id(estate_id)
            .estate(estate_id)
            .after(serde_json::json!({ "charge": fee_item_id, "amount_fen": amount_fen })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// Stops charging an item on renovations approved from now on.
pub async fn remove_charge(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    estate_id: i64,
    fee_item_id: i64,
) -> Result<(), AppError> {
    caller.check_estate(estate_id)?;
    let mut w = db.write(actor.clone()).await?;
    let done =
        sqlx::query("delete from renovation_charge where estate_id = $1 and fee_item_id = $2")
            .bind(estate_id)
            .bind(fee_item_id)
            .execute(&mut *w)
            .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    w.audit(
        Change::new(AuditAction::RenovationSettings, AuditEntity::Estate)
            .id(estate_id)
            .estate(estate_id)
            .after(serde_json::json!({ "charge_removed": fee_item_id })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// The desk's money write on an application (its fees, or its deposit's
/// refund): the application read inside the write, by the desk of its
/// estate, in state `state`.
pub(super) async fn desk_write(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    state: State,
) -> Result<(Write, AppDb), AppError> {
    let lang = caller.lang;
    if !caller.may(Permission::UseDesk) {
        return Err(AppError::forbidden("the desk takes renovation fees"));
    }
    let first = find(&db.pool, id).await?.ok_or(AppError::NotFound)?;
    // Another estate's application is refused before anything is locked.
    caller.check_estate(first.estate_id)?;
    let house_id = first.house_id;
    let mut w = db.write(actor.clone()).await?;
    // The counter's order (its day, then the house): a payment taken here and
    // one on the account page by the same clerk never wait on each other.
    w.lock(LockOn::ClerkDay(caller.account_id)).await?;
    w.lock(LockOn::House(house_id)).await?;
    let app = find(&mut *w, id).await?.ok_or(AppError::NotFound)?;
    caller.check_estate(app.estate_id)?;
    if app.state != state {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    }
    Ok((w, app))
}

/// 收取装修费用: raises the estate's charges on the house and takes them on one
/// receipt, in one write — the fees as income, the deposit as money held.
/// After a payment was reversed, the lines it raised are paid again as they
/// stand. `received`: exactly what is due (a surplus would land on the
/// prepaid balance, which a deposit must never mix with). Returns the receipt number.
#[allow(clippy::too_many_arguments)]
pub async fn pay(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    method: &str,
    received: &str,
    request_key: &str,
) -> Result<String, AppError> {
    let lang = caller.lang;
    let (mut w, app) = desk_write(db, actor, caller, id, State::Payment).await?;
    // Lines raised before (their payment was reversed) are paid again as
    // they stand now: what each still owes, with its late fee.
    let raised = raised_lines(&mut w, &app).await?;
    let owing: Vec<(i64, i64)> = raised
        .iter()
        .filter(|(l, _)| l.outstanding() > 0)
        .map(|(l, fee)| (l.id, l.outstanding() + fee))
        .collect();
    if !raised.is_empty() && owing.is_empty() {
        return Err(AppError::Conflict(tr(
            lang,
            "renovation.refused.paid_already",
        )));
    }
    let charges = if raised.is_empty() {
        charges(&mut *w, app.estate_id).await?
    } else {
        Vec::new()
    };
    if raised.is_empty() && charges.is_empty() {
        return Err(AppError::Rule(tr(lang, "renovation.refused.no_charges")));
    }
    let due: i64 = charges
        .iter()
        .map(|c| c.amount_fen)
        .chain(owing.iter().map(|(_, owed)| *owed))
        .sum();
    if crate::billing::money::parse_yuan(received).is_ok_and(|r| r != due) {
        return Err(AppError::field(
            "received",
            I18n(lang).f("renovation.invalid.received", &[("due", &fen_text(due))]),
        ));
    }
    let mut line_ids: Vec<i64> = owing.iter().map(|(line, _)| *line).collect();
    for c in &charges {
        let line = charge::raise_one_off_in(
            &mut w,
            lang,
            crate::common::HouseId(app.house_id),
            c.fee_item_id,
            crate::common::Fen(c.amount_fen),
            &format!("renovation:{id}:{}", c.fee_item_id),
            &I18n(lang).f("renovation.charge_note", &[("no", &app.app_no)]),
        )
        .await?;
        sqlx::query("insert into renovation_line (renovation_id, line_id) values ($1, $2)")
            .bind(id)
            .bind(line)
            .execute(&mut *w)
            .await?;
        line_ids.push(line);
    }
    // The applicant pays: named as on record while they live there.
    let living: Option<(i64,)> = sqlx::query_as(
        "select id from occupancy where house_id = $1 and resident_id = $2 and end_date is null limit 1",
    )
    .bind(app.house_id)
    .bind(app.applicant_id)
    .fetch_optional(&mut *w)
    .await?;
    let payer = if living.is_some() {
        Payer::resident(app.applicant_id)
    } else {
        Payer::named(app.applicant.clone())
    };
    let req = PaymentRequest {
        house_id: app.house_id,
        line_ids,
        method: method.to_string(),
        received: received.to_string(),
        request_key: request_key.to_string(),
    };
    let taken = ledger::take_payment_in(&mut w, caller.account_id, lang, &req, &payer).await?;
    sqlx::query("update renovation set payment_id = $1, updated_at = $2 where id = $3")
        .bind(taken.payment_id)
        .bind(time::now())
        .bind(id)
        .execute(&mut *w)
        .await?;
    super::act::event(
        &mut w,
        id,
        Action::Pay.as_str(),
        Some(app.state),
        app.state,
        &taken.receipt_no,
        true,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RenovationStep, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .after(serde_json::json!({
                "paid": taken.receipt_no, "payment_id": taken.payment_id, "due_fen": due,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(taken.receipt_no)
}

/// The lines an application raised, as they stand (settled, waived, owed),
/// with the late fee each has run up today.
pub async fn raised_lines(
    conn: &mut sqlx::AnyConnection,
    app: &AppDb,
) -> sqlx::Result<Vec<(ledger::LineState, i64)>> {
    let ids: Vec<(i64,)> =
        sqlx::query_as("select line_id from renovation_line where renovation_id = $1")
            .bind(app.id)
            .fetch_all(&mut *conn)
            .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    let policies = ledger::late_policies(&mut *conn, app.estate_id).await?;
    let today =
        chrono::NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").unwrap_or_default();
    Ok(ledger::house_lines(conn, app.house_id)
        .await?
        .into_iter()
        .filter(|l| ids.contains(&l.id))
        .map(|l| {
            let fee = ledger::line_late_fee(&l, &policies, today).fen;
            (l, fee)
        })
        .collect())
}

/// Whether the application's money is in: every line it raised is settled
/// (by its payment, another, or a waiver), or the estate charges nothing and
/// nothing was raised. The permit waits for this.
pub async fn settled(conn: &mut sqlx::AnyConnection, app: &AppDb) -> sqlx::Result<bool> {
    let raised = raised_lines(&mut *conn, app).await?;
    let charges_nothing = raised.is_empty() && charges(&mut *conn, app.estate_id).await?.is_empty();
    Ok(money_in(&raised, charges_nothing))
}

/// [`settled`]'s rule over lines already read.
pub fn money_in(raised: &[(ledger::LineState, i64)], charges_nothing: bool) -> bool {
    if raised.is_empty() {
        charges_nothing
    } else {
        raised.iter().all(|(l, _)| l.outstanding() == 0)
    }
}

/// 发放装修许可证: once the application's charges are paid (or there are none)
/// and the house owes nothing else; numbered per estate and year.
pub async fn issue_permit(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
) -> Result<String, AppError> {
    let lang = caller.lang;
    let (mut w, app) = desk_write(db, actor, caller, id, State::Payment).await?;
    // Permit numbers run per estate: one issuer at a time.
    w.lock(LockOn::RenovationPermits(app.estate_id)).await?;
    if !settled(&mut w, &app).await? {
        return Err(AppError::Rule(tr(lang, "renovation.refused.pay_first")));
    }
    let owed = arrears(&mut *w, app.house_id).await?;
    if owed > 0 {
        return Err(AppError::Rule(
            I18n(lang).f("renovation.refused.arrears", &[("owed", &fen_text(owed))]),
        ));
    }
    let to = rules::decide(app.state, Action::IssuePermit, Who::Desk { manager: false })
        .map_err(|r| AppError::Conflict(tr(lang, r.key())))?;
    let year = &time::desk_today()[..4];
    let (count,): (i64,) = sqlx::query_as(
        "select count(*) from renovation where estate_id = $1 and permit_no like $2",
    )
    .bind(app.estate_id)
    .bind(format!("XK{year}-%"))
    .fetch_one(&mut *w)
    .await?;
    let permit_no = format!("XK{year}-{:04}", count + 1);
    let now = time::now();
    let moved = sqlx::query(
        "update renovation set state = $1, permit_no = $2, permit_at = $3, updated_at = $3, permit_token = $4 \
         where id = $5 and state = 'payment'",
    )
    .bind(to)
    .bind(&permit_no)
    .bind(&now)
    .bind(crate::security::random_token())
    .bind(id)
    .execute(&mut *w)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    }
    // The house is 装修中 from today.
    super::house::works_begin(&mut w, lang, &app, &permit_no).await?;
    super::act::event(
        &mut w,
        id,
        Action::IssuePermit.as_str(),
        Some(app.state),
        to,
        &permit_no,
        true,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RenovationStep, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .before(serde_json::json!({ "state": app.state }))
            .after(serde_json::json!({ "state": to, "permit_no": permit_no })),
    )
    .await?;
    w.commit().await?;
    Ok(permit_no)
}
