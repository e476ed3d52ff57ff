//! Move-outs' SQL: the case page's read and what the steps share here; the
//! writes by workflow — [`case`] (opening, who leaves, the readings,
//! completion, cancelling) and [`settle`] (billing the leaver, the payment,
//! a manager's override).

pub mod case;
pub mod settle;

use chrono::NaiveDate;
use sqlx::AnyPool;

use crate::billing::basis::explain;
use crate::billing::ledger::{self, house_lines};
use crate::billing::leaving;
use crate::billing::rules::{centi_text, Period};
use crate::common::{Caller, Lang, Permission};
use crate::db::time;
use crate::error::AppError;
use crate::estate::{HouseStatus, OccupancyRole};
use crate::moves::out::rules::{self, OutDone};
use crate::moves::out::{
    EntrustedKey, Occupant, OpenLoan, OutKind, OutPage, OutRow, SettleLine, Settlement,
};
use crate::moves::{CaseStatus, MeterLine};
use crate::ui::desk_minute;

/// A move-out row as stored.
#[derive(sqlx::FromRow, Clone)]
pub(crate) struct OutDb {
    pub id: i64,
    pub estate_id: i64,
    pub house_id: i64,
    pub status: CaseStatus,
    pub kind: Option<OutKind>,
    pub move_out_on: Option<String>,
    pub buyer_name: String,
    pub leaving_at: Option<String>,
    pub readings_at: Option<String>,
    pub billed_at: Option<String>,
    pub payment_id: Option<i64>,
    pub override_reason: String,
    pub override_fen: Option<i64>,
    pub override_by: Option<i64>,
    pub opened_by: i64,
    pub opened_at: String,
    pub completed_by: Option<i64>,
    pub completed_at: Option<String>,
    pub cancelled_reason: String,
}

const COLUMNS: &str = "id, estate_id, house_id, status, kind, move_out_on, buyer_name, leaving_at, \
    readings_at, billed_at, payment_id, override_reason, override_fen, override_by, opened_by, opened_at, \
    completed_by, completed_at, cancelled_reason";

impl OutDb {
    /// The key of the lines this case raises.
    pub fn line_key(&self) -> String {
        format!("moveout:{}", self.id)
    }

    /// The move-out day (today until the leaving step saved one).
    pub fn day(&self) -> Result<NaiveDate, AppError> {
        let day = self.move_out_on.clone().unwrap_or_else(time::desk_today);
        NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(AppError::internal)
    }
}

pub(crate) async fn case_row<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    id: i64,
) -> sqlx::Result<Option<OutDb>> {
    sqlx::query_as(&format!("select {COLUMNS} from move_out where id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The open move-out of a house, if any.
pub async fn open_case_of<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("select id from move_out where house_id = $1 and status = 'open'")
            .bind(house_id)
            .fetch_optional(ex)
            .await?;
    Ok(row.map(|(id,)| id))
}

#[derive(sqlx::FromRow)]
struct OccupantRow {
    occupancy_id: i64,
    resident_id: i64,
    name: String,
    role: OccupancyRole,
    start_date: String,
    /// 0/1.
    leaving: i64,
}

/// The house's occupants now, and those the case lists as leaving (after
/// completion, their occupancies have ended).
pub(crate) async fn occupants(
    conn: &mut sqlx::AnyConnection,
    case: &OutDb,
) -> sqlx::Result<Vec<Occupant>> {
    let rows: Vec<OccupantRow> = sqlx::query_as(
        "select o.id as occupancy_id, o.resident_id, r.name, o.role, o.start_date, \
                case when p.occupancy_id is null then 0 else 1 end as leaving \
         from occupancy o join resident r on r.id = o.resident_id \
         left join move_out_person p on p.occupancy_id = o.id and p.move_out_id = $1 \
         where o.house_id = $2 and (o.end_date is null or p.occupancy_id is not null) \
         order by o.id",
    )
    .bind(case.id)
    .bind(case.house_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Occupant {
            occupancy_id: r.occupancy_id,
            resident_id: r.resident_id,
            name: r.name,
            role: r.role,
            start_date: r.start_date,
            leaving: r.leaving == 1,
        })
        .collect())
}

/// The final readings saved on the case: (fee item, reading centi).
pub(crate) async fn finals(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "select fee_item_id, reading_centi from move_out_reading where move_out_id = $1 order by fee_item_id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await
}

/// The house's metered items with their last readings and the case's finals.
pub(crate) async fn meters(
    conn: &mut sqlx::AnyConnection,
    case: &OutDb,
) -> sqlx::Result<Vec<MeterLine>> {
    let items = crate::billing::db::metered_items(&mut *conn, case.estate_id).await?;
    let taken = finals(conn, case.id).await?;
    let mut meters = Vec::new();
    for item in items {
        let last = crate::billing::db::last_reading(&mut *conn, case.house_id, item.id).await?;
        // A meter never read has nothing to close (no metered billing began).
        let Some(last) = last else { continue };
        let reading = taken.iter().find(|(i, _)| *i == item.id).map(|(_, r)| *r);
        // After billing the final reading is the house's last: show what it counted from.
        meters.push(MeterLine {
            fee_item_id: item.id,
            name: item.name,
            last: centi_text(last),
            reading: reading.map(centi_text).unwrap_or_default(),
        });
    }
    Ok(meters)
}

/// The settlement as it stands, and the ids of the lines the leaver pays
/// (every unpaid line to the move-out month, less what was split off to the
/// house's next occupant).
pub(crate) async fn settlement(
    conn: &mut sqlx::AnyConnection,
    lang: Lang,
    case: &OutDb,
) -> Result<(Settlement, Vec<i64>), AppError> {
    let day = case.day()?;
    let period = Period::of(day).to_string();
    let key = case.line_key();
    let lines = house_lines(&mut *conn, case.house_id).await?;
    let split: Vec<(i64,)> =
        sqlx::query_as("select line_id from bill_line_split where move_out_id = $1")
            .bind(case.id)
            .fetch_all(&mut *conn)
            .await?;
    let policies = ledger::late_policies(&mut *conn, case.estate_id).await?;
    let today =
        NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").map_err(AppError::internal)?;
    let mut out = Settlement {
        billed: case.billed_at.is_some(),
        override_reason: case.override_reason.clone(),
        override_fen: case.override_fen,
        request_key: crate::billing::db::account::new_request_key(),
        ..Settlement::default()
    };
    // Before billing, what billing will raise, planned the same way; a month
    // line the plan splits is the next occupant's and leaves the list.
    let mut planned = Vec::new();
    let mut splitting: Vec<i64> = split.iter().map(|(id,)| *id).collect();
    if case.billed_at.is_none() && case.leaving_at.is_some() {
        let finals = finals(conn, case.id).await?;
        match leaving::plan(&mut *conn, lang, case.house_id, day, &key, &finals).await {
            Ok(bill) => {
                out.paid_to_month_end = bill.paid_to_month_end;
                splitting.extend(bill.lines.iter().filter_map(|p| p.split_from));
                planned = bill.lines.into_iter().filter(|p| p.amount_fen > 0).collect();
            }
            Err(e) => out.problem = crate::ui::error_text(&e),
        }
    }
    let raised: Vec<(i64,)> =
        sqlx::query_as("select line_id from move_out_line where move_out_id = $1")
            .bind(case.id)
            .fetch_all(&mut *conn)
            .await?;
    let raised: Vec<i64> = raised.into_iter().map(|(id,)| id).collect();
    let mut ids = Vec::new();
    let mut sums_in: Vec<(i64, i64)> = Vec::new();
    for l in lines.iter().filter(|l| {
        // A deposit is not a debt the household settles on leaving.
        l.outstanding() > 0
            && l.held == 0
            && (raised.contains(&l.id) || (l.period <= period && !splitting.contains(&l.id)))
    }) {
        let fee = ledger::line_late_fee(l, &policies, today);
        ids.push(l.id);
        sums_in.push((l.outstanding(), fee.fen));
        out.lines.push(SettleLine {
            line_id: Some(l.id),
            item: if l.late_fee_of.is_some() {
                crate::i18n::tr(lang, "billing.late_fee")
            } else {
                l.item_name.clone()
            },
            period: l.period.clone(),
            owed_fen: l.outstanding(),
            late_fee_fen: fee.fen,
            explanation: explain(&l.basis, lang),
            this_move: raised.contains(&l.id),
        });
    }
    for p in planned {
        sums_in.push((p.amount_fen, 0));
        out.lines.push(SettleLine {
            line_id: None,
            item: p.item_name,
            period: p.period.to_string(),
            owed_fen: p.amount_fen,
            late_fee_fen: 0,
            explanation: p.basis.explain(lang),
            this_move: true,
        });
    }
    out.prepaid_fen = ledger::prepaid_balance(&mut *conn, case.house_id).await?;
    // Read oldest month first (the sums below keep billing's order: oldest due first).
    let mut shown = out.lines.clone();
    shown.sort_by(|a, b| (a.period.as_str(), a.this_move).cmp(&(b.period.as_str(), b.this_move)));
    // Billing let the balance settle what it covers (billing's rule, over all
    // the house's lines): what is left of it settles nothing more here.
    let offsetting = if out.billed { 0 } else { out.prepaid_fen };
    let sums = rules::sums(&sums_in, offsetting);
    out.prepaid_offset_fen = sums.prepaid_offset_fen;
    out.due_fen = sums.due_fen;
    out.lines = shown;
    if let Some(payment) = case.payment_id {
        let (receipt,): (String,) = sqlx::query_as("select receipt_no from payment where id = $1")
            .bind(payment)
            .fetch_one(&mut *conn)
            .await?;
        out.receipt_no = receipt;
        out.payment_id = Some(payment);
    }
    out.override_by = staff_name(&mut *conn, case.override_by).await?;
    Ok((out, ids))
}

/// Keys out to anyone who leaves, and (for an owner leaving) the house's
/// entrusted keys still in the cabinet.
pub(crate) async fn keys(
    conn: &mut sqlx::AnyConnection,
    case: &OutDb,
    leaving: &[i64],
) -> sqlx::Result<(Vec<OpenLoan>, Vec<EntrustedKey>)> {
    let mut loans = Vec::new();
    for resident in leaving {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "select c.id, c.tag, l.taker_name, l.out_at from key_loan l join key_copy c on c.id = l.copy_id \
             where l.taker_resident_id = $1 and l.returned_at is null order by l.id",
        )
        .bind(resident)
        .fetch_all(&mut *conn)
        .await?;
        loans.extend(rows.into_iter().map(|(copy_id, tag, taker, out_at)| OpenLoan {
            copy_id,
            tag,
            taker,
            out_at: desk_minute(&out_at),
        }));
    }
    let entrusted = if matches!(case.kind, Some(OutKind::Sale | OutKind::OwnerLeaves)) {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "select c.id, c.tag from key_copy c join key_set s on s.id = c.key_set_id \
             where s.house_id = $1 and s.kind = 'entrusted' and c.status in ('in_cabinet', 'out') order by c.id",
        )
        .bind(case.house_id)
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|(copy_id, tag)| EntrustedKey { copy_id, tag })
            .collect()
    } else {
        Vec::new()
    };
    Ok((loans, entrusted))
}

/// What the case has done, read as it stands.
pub(crate) fn done(
    case: &OutDb,
    meters: &[MeterLine],
    settlement: &Settlement,
    loans: &[OpenLoan],
    entrusted: &[EntrustedKey],
) -> OutDone {
    OutDone {
        leaving: case.leaving_at.is_some(),
        readings: case.readings_at.is_some() || meters.is_empty(),
        settlement: rules::settled(
            case.billed_at.is_some(),
            settlement.due_fen,
            case.override_fen,
        ),
        keys: loans.is_empty() && entrusted.is_empty(),
    }
}

/// A staff member's name as the case and its passes show it ("" for none).
pub(crate) async fn staff_name<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    id: Option<i64>,
) -> sqlx::Result<String> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    let row: Option<(String,)> = sqlx::query_as("select display_name from account where id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|(n,)| n).unwrap_or_default())
}

/// A case the caller may see: in one of their estates, else not found.
pub(crate) async fn visible_case(
    pool: &AnyPool,
    caller: &Caller,
    id: i64,
) -> Result<OutDb, AppError> {
    let case = case_row(pool, id).await?.ok_or(AppError::NotFound)?;
    caller.check_estate(case.estate_id)?;
    Ok(case)
}

/// The page of a move-out.
pub async fn page(pool: &AnyPool, caller: &Caller, lang: Lang, id: i64) -> Result<OutPage, AppError> {
    let c = visible_case(pool, caller, id).await?;
    let mut conn = pool.acquire().await?;
    let (estate_name, house_number, house_status): (String, String, HouseStatus) = sqlx::query_as(
        "select e.name, h.number, h.status from house h join estate e on e.id = h.estate_id where h.id = $1",
    )
    .bind(c.house_id)
    .fetch_one(&mut *conn)
    .await?;
    let occupants = occupants(&mut conn, &c).await?;
    let leaving: Vec<i64> = occupants
        .iter()
        .filter(|o| o.leaving)
        .map(|o| o.resident_id)
        .collect();
    let meters = meters(&mut conn, &c).await?;
    let (settlement, _) = settlement(&mut conn, lang, &c).await?;
    let (loans, entrusted) = keys(&mut conn, &c, &leaving).await?;
    let missing = rules::missing(done(&c, &meters, &settlement, &loans, &entrusted));
    let opened_by = staff_name(&mut *conn, Some(c.opened_by)).await?;
    let completed_by = staff_name(&mut *conn, c.completed_by).await?;
    let passes = crate::moves::pass::db::of_case(&mut conn, c.id).await?;
    let requests = crate::moves::pass::db::requests_of_house(&mut conn, c.house_id).await?;
    let minute = |t: &Option<String>| t.as_deref().map(desk_minute).unwrap_or_default();
    Ok(OutPage {
        id: c.id,
        estate_id: c.estate_id,
        estate_name,
        house_id: c.house_id,
        house_number,
        house_status,
        status: c.status,
        kind: c.kind,
        move_out_on: c.move_out_on.clone().unwrap_or_default(),
        buyer_name: c.buyer_name.clone(),
        occupants,
        meters,
        readings_at: minute(&c.readings_at),
        settlement,
        loans,
        entrusted,
        missing,
        opened_by,
        opened_at: desk_minute(&c.opened_at),
        completed_by,
        completed_at: minute(&c.completed_at),
        cancelled_reason: c.cancelled_reason.clone(),
        today: time::desk_today(),
        can_override: caller.may(Permission::ApproveMoney),
        passes,
        requests,
    })
}

/// The open move-outs of an estate (the list beside the move-ins).
pub async fn open_list(pool: &AnyPool, estate_id: i64) -> sqlx::Result<Vec<OutRow>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        house_id: i64,
        number: String,
        kind: Option<OutKind>,
        opened_at: String,
        names: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "select m.id, m.house_id, h.number, m.kind, m.opened_at, \
                (select min(r.name) from move_out_person p join occupancy o on o.id = p.occupancy_id \
                 join resident r on r.id = o.resident_id where p.move_out_id = m.id) as names \
         from move_out m join house h on h.id = m.house_id \
         where m.estate_id = $1 and m.status = 'open' order by m.id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OutRow {
            id: r.id,
            house_id: r.house_id,
            house_number: r.number,
            names: r.names.unwrap_or_default(),
            kind: r.kind,
            opened_at: desk_minute(&r.opened_at),
            // The list says only whether who leaves is settled; the page says the rest.
            missing: if r.kind.is_none() {
                vec![crate::moves::out::OutStep::Leaving]
            } else {
                Vec::new()
            },
        })
        .collect())
}
