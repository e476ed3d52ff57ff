//! Key custody's SQL: the page reads here; the writes by workflow —
//! [`register`] (cabinets, keys and copies, owners' authorisations) and
//! [`lend`] (check-out and return). Every write is one [`crate::db::Write`]
//! that appends a key-log line ([`log`]) and an audit entry.

pub mod counts;
pub mod incidents;
pub mod lend;
pub mod owner;
pub mod papers;
pub mod register;

use sqlx::AnyPool;

use crate::common::personal::{mask_id_number, mask_mobile};
use crate::common::{Caller, Choice, EstateScope, KeyCopyId, Permission};
use crate::db::{estate_filter, scoped_estates, time, Write};
use crate::error::AppError;
use crate::keys::rules::{self, hook_label};
use crate::keys::{
    AuthorisationView, CabinetMap, CabinetSummary, Condition, CopyStatus, Hook, KeyKind, KeyList,
    KeyPage, KeyReport, KeyRow, KeySetup, KeysOut, LendChoices, ListFilter, LoanSummary, LoanView,
    LogEntry, LogLine, Purpose, TakerKind,
};
use crate::ui::desk_minute;

/// The columns of a copy in a list ([`CopyDbRow`]), with its open loan.
const ROW_SELECT: &str = "select c.id as copy_id, c.tag, c.copy_no, s.kind, \
        coalesce(h.number, l.name) as opens, s.house_id, cab.name as cabinet, cab.hook_cols, \
        c.hook, c.status, lo.taker_name, lo.taker_kind, lo.purpose, lo.ticket_id, lo.out_at, \
        lo.due_at, au.display_name as authorised_by, lo.renovation_id, rv.permit_no \
     from key_copy c join key_set s on s.id = c.key_set_id \
     join key_cabinet cab on cab.id = c.cabinet_id \
     left join house h on h.id = s.house_id left join repair_location l on l.id = s.location_id \
     left join key_loan lo on lo.copy_id = c.id and lo.returned_at is null and c.status = 'out' \
     left join account au on au.id = lo.authorised_by left join renovation rv on rv.id = lo.renovation_id";

#[derive(sqlx::FromRow)]
struct CopyDbRow {
    copy_id: KeyCopyId,
    tag: String,
    copy_no: i64,
    kind: KeyKind,
    opens: Option<String>,
    house_id: Option<i64>,
    cabinet: String,
    hook_cols: i64,
    hook: i64,
    status: CopyStatus,
    taker_name: Option<String>,
    taker_kind: Option<TakerKind>,
    purpose: Option<Purpose>,
    ticket_id: Option<i64>,
    out_at: Option<String>,
    due_at: Option<String>,
    authorised_by: Option<String>,
    renovation_id: Option<i64>,
    permit_no: Option<String>,
}

/// The renovation a loan serves, named by its permit.
fn served(renovation_id: Option<i64>, permit_no: Option<String>) -> Option<Choice> {
    renovation_id.map(|id| Choice {
        id,
        name: permit_no.unwrap_or_default(),
    })
}

impl CopyDbRow {
    fn into_row(self, now: &str) -> KeyRow {
        let loan = match (self.taker_name, self.taker_kind, self.purpose, self.out_at) {
            (Some(taker), Some(taker_kind), Some(purpose), Some(out_at)) => {
                let due = self.due_at.unwrap_or_default();
                Some(LoanSummary {
                    overdue: !due.is_empty() && rules::is_overdue(&due, now),
                    taker,
                    taker_kind,
                    purpose,
                    ticket_id: self.ticket_id,
                    renovation: served(self.renovation_id, self.permit_no),
                    out_at: desk_minute(&out_at),
                    due_at: desk_minute(&due),
                    authorised_by: self.authorised_by.unwrap_or_default(),
                })
            }
            _ => None,
        };
        KeyRow {
            copy_id: self.copy_id,
            tag: self.tag,
            copy_no: self.copy_no,
            kind: self.kind,
            opens: self.opens.unwrap_or_default(),
            house_id: self.house_id,
            cabinet: self.cabinet,
            hook: hook_label(self.hook, self.hook_cols),
            status: self.status,
            loan,
        }
    }
}

/// Overdue first (the longest overdue at the top), then out (due soonest
/// first), then the rest by what they open and their tag.
fn sort_rows(rows: &mut [KeyRow]) {
    rows.sort_by_key(|r| match &r.loan {
        Some(l) if l.overdue => (0, l.due_at.clone(), r.tag.clone()),
        Some(l) => (1, l.due_at.clone(), r.tag.clone()),
        None => (2, r.opens.clone(), r.tag.clone()),
    });
}

async fn rows_where(
    db: impl sqlx::AnyExecutor<'_>,
    filter: &str,
    bind: i64,
) -> Result<Vec<KeyRow>, AppError> {
    let now = time::now();
    let rows: Vec<CopyDbRow> = sqlx::query_as(&format!("{ROW_SELECT} where {filter}"))
        .bind(bind)
        .fetch_all(db)
        .await?;
    let mut rows: Vec<KeyRow> = rows.into_iter().map(|r| r.into_row(&now)).collect();
    sort_rows(&mut rows);
    Ok(rows)
}

/// The key list of one estate the caller sees, filtered, overdue first.
pub async fn list(
    pool: &AnyPool,
    caller: &Caller,
    estate_id: i64,
    filter: ListFilter,
) -> Result<KeyList, AppError> {
    let (estates, estate_id) = scoped_estates(pool, &caller.scope, estate_id).await?;
    let mut rows = rows_where(pool, "c.estate_id = $1", estate_id).await?;
    rows.retain(|r| match filter {
        ListFilter::All => true,
        ListFilter::Out => r.status == CopyStatus::Out,
        ListFilter::Overdue => r.loan.as_ref().is_some_and(|l| l.overdue),
        ListFilter::Entrusted => r.kind == KeyKind::Entrusted,
        ListFilter::Gone => matches!(r.status, CopyStatus::Lost | CopyStatus::Retired),
    });
    let cabinets: Vec<Choice> =
        sqlx::query_as("select id, name from key_cabinet where estate_id = $1 order by name")
            .bind(estate_id)
            .fetch_all(pool)
            .await?;
    Ok(KeyList {
        estates,
        estate_id,
        rows,
        cabinets,
        can_manage: caller.may(Permission::ManageKeys),
        desk: caller.may(Permission::UseDesk),
    })
}

/// The keys out of the cabinet now, in the caller's estates (a home page's
/// list: the desk's, security's), overdue first.
pub async fn out_now(pool: &AnyPool, scope: &EstateScope) -> Result<KeysOut, AppError> {
    let filter = format!(
        "c.status = 'out' and $1 = $1{}",
        estate_filter(scope, "c.estate_id")
    );
    keys_out(rows_where(pool, &filter, 0).await?)
}

/// The reports of the last 30 days in the caller's estates, newest first.
pub async fn reports(pool: &AnyPool, scope: &EstateScope) -> Result<Vec<KeyReport>, AppError> {
    let since = time::to_db(chrono::Utc::now() - chrono::Duration::days(30));
    let mut rows: Vec<KeyReport> = sqlx::query_as(&format!(
        "select i.copy_id, i.reported_at, i.kind, c.tag, coalesce(h.number, l.name) as opens, i.circumstances \
         from key_incident i join key_copy c on c.id = i.copy_id join key_set s on s.id = c.key_set_id \
         left join house h on h.id = s.house_id left join repair_location l on l.id = s.location_id \
         where i.reported_at >= $1{} order by i.id desc limit 100",
        estate_filter(scope, "i.estate_id")
    ))
    .bind(since)
    .fetch_all(pool)
    .await?;
    for r in &mut rows {
        r.reported_at = desk_minute(&r.reported_at);
    }
    Ok(rows)
}

/// The keys a member of staff holds now (a worker's phone).
pub async fn held_by(pool: &AnyPool, account_id: i64) -> Result<KeysOut, AppError> {
    keys_out(
        rows_where(
            pool,
            "c.status = 'out' and lo.taker_account_id = $1",
            account_id,
        )
        .await?,
    )
}

/// A house's keys and where they are (its page), within the caller's estates.
pub async fn of_house(
    pool: &AnyPool,
    scope: &EstateScope,
    house_id: i64,
) -> Result<KeysOut, AppError> {
    let filter = format!(
        "s.house_id = $1 and c.status in ('in_cabinet', 'out'){}",
        estate_filter(scope, "c.estate_id")
    );
    keys_out(rows_where(pool, &filter, house_id).await?)
}

/// The keys lent for a repair ticket (its page), within the caller's estates.
pub async fn for_ticket(
    pool: &AnyPool,
    scope: &EstateScope,
    ticket_id: i64,
) -> Result<Vec<LoanView>, AppError> {
    loans_for(pool, scope, "lo.ticket_id", ticket_id).await
}

/// The keys lent to a renovation's workers (its page), within the caller's estates.
pub async fn for_renovation(
    pool: &AnyPool,
    scope: &EstateScope,
    renovation_id: i64,
) -> Result<Vec<LoanView>, AppError> {
    loans_for(pool, scope, "lo.renovation_id", renovation_id).await
}

/// The loans whose `column` is `id`, newest first.
async fn loans_for(
    pool: &AnyPool,
    scope: &EstateScope,
    column: &'static str,
    id: i64,
) -> Result<Vec<LoanView>, AppError> {
    let rows: Vec<LoanDbRow> = sqlx::query_as(&format!(
        "{LOAN_SELECT} where {column} = $1{} order by lo.id desc",
        estate_filter(scope, "lo.estate_id")
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    let now = time::now();
    Ok(rows.into_iter().map(|r| r.into_view(&now)).collect())
}

fn keys_out(rows: Vec<KeyRow>) -> Result<KeysOut, AppError> {
    let overdue = rows
        .iter()
        .filter(|r| r.loan.as_ref().is_some_and(|l| l.overdue))
        .count();
    Ok(KeysOut {
        overdue: i64::try_from(overdue).unwrap_or(i64::MAX),
        rows,
    })
}

const LOAN_SELECT: &str =
    "select lo.id, c.tag, c.status as copy_status, lo.taker_kind, lo.taker_name, lo.taker_phone, \
        lo.taker_id_number, lo.purpose, lo.ticket_id, lo.note, au.display_name as authorised_by, \
        lb.display_name as lent_by, lo.out_at, lo.due_at, lo.signed_on_paper, \
        case when lo.signature is null then 0 else 1 end as has_signature, lo.returned_at, \
        lo.returned_by_name, lo.condition, lo.return_note, lo.renovation_id, rv.permit_no \
     from key_loan lo join key_copy c on c.id = lo.copy_id \
     join account au on au.id = lo.authorised_by join account lb on lb.id = lo.lent_by \
     left join renovation rv on rv.id = lo.renovation_id";

#[derive(sqlx::FromRow)]
struct LoanDbRow {
    id: i64,
    tag: String,
    copy_status: CopyStatus,
    taker_kind: TakerKind,
    taker_name: String,
    taker_phone: String,
    taker_id_number: Option<String>,
    purpose: Purpose,
    ticket_id: Option<i64>,
    note: String,
    authorised_by: String,
    lent_by: String,
    out_at: String,
    due_at: Option<String>,
    signed_on_paper: i64,
    has_signature: i64,
    returned_at: Option<String>,
    returned_by_name: Option<String>,
    condition: Option<Condition>,
    return_note: String,
    renovation_id: Option<i64>,
    permit_no: Option<String>,
}

impl LoanDbRow {
    fn into_view(self, now: &str) -> LoanView {
        // A copy lost while out keeps its loan open, and is lost, not overdue.
        let overdue = self.returned_at.is_none()
            && self.copy_status == CopyStatus::Out
            && self
                .due_at
                .as_deref()
                .is_some_and(|d| rules::is_overdue(d, now));
        LoanView {
            id: self.id,
            tag: self.tag,
            taker_kind: self.taker_kind,
            taker: self.taker_name,
            taker_phone: mask_mobile(&self.taker_phone),
            taker_id_number: self.taker_id_number.as_deref().map(mask_id_number),
            purpose: self.purpose,
            ticket_id: self.ticket_id,
            renovation: served(self.renovation_id, self.permit_no),
            note: self.note,
            authorised_by: self.authorised_by,
            lent_by: self.lent_by,
            out_at: desk_minute(&self.out_at),
            due_at: self.due_at.as_deref().map(desk_minute),
            overdue,
            signed_on_paper: self.signed_on_paper == 1,
            has_signature: self.has_signature == 1,
            returned_at: self.returned_at.as_deref().map(desk_minute),
            returned_by: self.returned_by_name,
            condition: self.condition,
            return_note: self.return_note,
        }
    }
}

/// What the key's rules need of a copy, read in a write or before it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CopyFacts {
    pub copy_id: KeyCopyId,
    pub key_set_id: i64,
    pub estate_id: i64,
    pub copy_no: i64,
    pub tag: String,
    pub status: CopyStatus,
    pub kind: KeyKind,
    pub house_id: Option<i64>,
    pub location_id: Option<i64>,
}

pub async fn facts(db: impl sqlx::AnyExecutor<'_>, copy: KeyCopyId) -> Result<CopyFacts, AppError> {
    sqlx::query_as(
        "select c.id as copy_id, c.key_set_id, c.estate_id, c.copy_no, c.tag, c.status, s.kind, \
            s.house_id, s.location_id \
         from key_copy c join key_set s on s.id = c.key_set_id where c.id = $1",
    )
    .bind(copy)
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)
}

/// Appends a line to the key log, in the write.
pub async fn log(
    w: &mut Write,
    f: &CopyFacts,
    loan_id: Option<i64>,
    entry: LogEntry,
    note: &str,
) -> Result<(), AppError> {
    let actor = w.actor().clone();
    sqlx::query(
        "insert into key_event (estate_id, key_set_id, copy_id, loan_id, action, actor_id, actor_name, note, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(f.estate_id)
    .bind(f.key_set_id)
    .bind(f.copy_id)
    .bind(loan_id)
    .bind(entry)
    .bind(actor.account_id)
    .bind(&actor.name)
    .bind(note)
    .bind(time::now())
    .execute(&mut **w)
    .await?;
    Ok(())
}

/// A copy found by its tag (the search box, a scanner), in the caller's estates.
pub async fn find_tag(
    pool: &AnyPool,
    scope: &EstateScope,
    tag: &str,
) -> Result<Option<KeyCopyId>, AppError> {
    let found: Option<(KeyCopyId,)> = sqlx::query_as(&format!(
        "select id from key_copy where upper(tag) = upper($1){}",
        estate_filter(scope, "estate_id")
    ))
    .bind(tag.trim())
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|(id,)| id))
}

/// The search box's keys: the copy a tag names, and the live copies of the
/// houses it found — "where is the key to 3-2-1201, who has it, since when,
/// who allowed it" in one search.
pub async fn for_search(
    pool: &AnyPool,
    scope: &EstateScope,
    query: &str,
    house_ids: &[i64],
) -> Result<Vec<KeyRow>, AppError> {
    let mut rows = Vec::new();
    if let (true, Some(copy)) = (
        rules::looks_like_tag(query),
        find_tag(pool, scope, query).await?,
    ) {
        rows.extend(rows_where(pool, "c.id = $1", copy.get()).await?);
    }
    for house in house_ids.iter().take(3) {
        rows.extend(of_house(pool, scope, *house).await?.rows);
    }
    Ok(rows)
}

/// A copy's page, for a caller who may see keys of its estate.
pub async fn page(pool: &AnyPool, caller: &Caller, copy: KeyCopyId) -> Result<KeyPage, AppError> {
    let f = facts(pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    let mut copies = rows_where(pool, "c.key_set_id = $1", f.key_set_id).await?;
    copies.sort_by_key(|r| r.copy_no);
    let key = copies
        .iter()
        .find(|r| r.copy_id == copy)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let now = time::now();
    let loans: Vec<LoanDbRow> = sqlx::query_as(&format!(
        "{LOAN_SELECT} where c.key_set_id = $1 order by lo.id desc limit 50"
    ))
    .bind(f.key_set_id)
    .fetch_all(pool)
    .await?;
    let loans: Vec<LoanView> = loans.into_iter().map(|r| r.into_view(&now)).collect();
    let open_loan = loans
        .iter()
        .find(|l| l.returned_at.is_none() && l.tag == key.tag)
        .cloned();
    let mut history: Vec<LogLine> = sqlx::query_as(
        "select e.created_at as at, e.action as entry, c.tag as copy_tag, e.actor_name as actor, e.note \
         from key_event e left join key_copy c on c.id = e.copy_id where e.key_set_id = $1 order by e.created_at desc, e.id desc",
    )
    .bind(f.key_set_id)
    .fetch_all(pool)
    .await?;
    for line in &mut history {
        line.at = crate::ui::desk_time(&line.at);
    }
    let note: (String,) = sqlx::query_as("select note from key_set where id = $1")
        .bind(f.key_set_id)
        .fetch_one(pool)
        .await?;
    // The owners' names are the desk's (who may sign); security reads keys only.
    let owners: Vec<Choice> = if f.kind == KeyKind::Entrusted && caller.may(Permission::UseDesk) {
        sqlx::query_as(
            "select r.id, r.name from occupancy o join resident r on r.id = o.resident_id \
             where o.house_id = $1 and o.role in ('owner', 'co_owner') and o.end_date is null order by r.name",
        )
        .bind(f.house_id.unwrap_or(0))
        .fetch_all(pool)
        .await?
    } else {
        Vec::new()
    };
    let desk = caller.may(Permission::UseDesk);
    let open_loss = if desk && f.status == CopyStatus::Lost {
        let report: Option<(String, String)> = sqlx::query_as(
            "select reported_at, circumstances from key_incident \
             where copy_id = $1 and kind = 'lost' and closed_at is null order by id desc limit 1",
        )
        .bind(copy)
        .fetch_optional(pool)
        .await?;
        match report {
            Some((at, circumstances)) => Some(crate::keys::OpenLoss {
                reported_at: desk_minute(&at),
                circumstances,
                house_key: f.house_id.is_some(),
                fee_items: sqlx::query_as(
                    "select id, name from fee_item where estate_id = $1 and kind = 'one_off' order by name",
                )
                .bind(f.estate_id)
                .fetch_all(pool)
                .await?,
            }),
            None => None,
        }
    } else {
        None
    };
    let lend = if desk && rules::next(f.status, rules::KeyAction::Lend).is_some() {
        Some(lend_choices(pool, caller, &f).await?)
    } else {
        None
    };
    let mut authorisation = authorisation(pool, f.key_set_id).await?;
    let (mut loans, mut history) = (loans, history);
    if !desk {
        // Who signed, and whom they named, is the desk's to know: security reads
        // neither the paper nor the log lines and hand-backs that name the owner.
        if let Some(a) = authorisation.as_mut() {
            a.owner.clear();
            a.named_people.clear();
        }
        for line in &mut history {
            if matches!(
                line.entry,
                LogEntry::Authorise | LogEntry::HandToOwner | LogEntry::Revoke
            ) {
                line.note.clear();
            }
        }
        for loan in &mut loans {
            if loan.purpose == Purpose::OwnerReturn {
                loan.taker.clear();
                loan.taker_phone.clear();
                loan.returned_by = None;
                loan.return_note.clear();
            }
        }
    }
    Ok(KeyPage {
        desk,
        can_return: desk && f.status == CopyStatus::Out,
        can_report_lost: desk && rules::next(f.status, rules::KeyAction::ReportLost).is_some(),
        can_retire: desk && rules::next(f.status, rules::KeyAction::Retire).is_some(),
        open_loss,
        // A backup copy is a manager's to register.
        can_manage: caller.role == crate::common::Role::Manager,
        authorisation,
        estate_id: f.estate_id,
        owners,
        note: note.0,
        key,
        copies,
        open_loan,
        loans,
        history,
        lend,
    })
}

/// The order that picks a key's authorisation (`$2`: today): one in force
/// today, else the newest — so an older paper recorded later cannot hide the
/// one in force.
pub const IN_FORCE_FIRST: &str = "order by case when revoked_at is null and valid_from <= $2 \
     and valid_until >= $2 and exists (select 1 from occupancy o join key_set s on s.house_id = o.house_id \
       where s.id = key_authorisation.key_set_id and o.resident_id = key_authorisation.resident_id \
         and o.role in ('owner', 'co_owner') and o.end_date is null) then 0 else 1 end, id desc limit 1";

/// Whether the signer of the authorisation whose id is `id` (an SQL
/// expression) still owns the key's house.
pub fn signer_owns(id: &str) -> String {
    format!(
        "exists (select 1 from key_authorisation a \
         join key_set s on s.id = a.key_set_id join occupancy o on o.house_id = s.house_id \
         where a.id = {id} and o.resident_id = a.resident_id and o.role in ('owner', 'co_owner') \
           and o.end_date is null)"
    )
}

/// The authorisation of an entrusted key that decides ([`IN_FORCE_FIRST`]).
pub async fn authorisation(
    pool: &AnyPool,
    key_set_id: i64,
) -> Result<Option<AuthorisationView>, AppError> {
    let row: Option<AuthorisationView> = sqlx::query_as(&format!(
        "select a.id, r.name as owner, a.resident_id, a.created_at, a.scope, a.named_people, \
            a.valid_from, a.valid_until, a.revoked_at \
         from key_authorisation a join resident r on r.id = a.resident_id \
         where a.id = (select id from key_authorisation where key_set_id = $1 {IN_FORCE_FIRST})",
    ))
    .bind(key_set_id)
    .bind(time::desk_today())
    .fetch_optional(pool)
    .await?;
    let today = time::desk_today();
    let (signer_owns, has_paper) = match &row {
        Some(a) => {
            let (owns, paper): (i64, i64) = sqlx::query_as(&format!(
                "select case when {} then 1 else 0 end, \
                    case when paper is null then 0 else 1 end from key_authorisation where id = $1",
                signer_owns("$1")
            ))
            .bind(a.id)
            .fetch_one(pool)
            .await?;
            (owns == 1, paper == 1)
        }
        None => (false, false),
    };
    Ok(row.map(|mut a| {
        a.has_paper = has_paper;
        a.in_force = signer_owns
            && a.revoked_at.is_none()
            && a.valid_from.as_str() <= today.as_str()
            && today.as_str() <= a.valid_until.as_str();
        a.revoked_at = a.revoked_at.as_deref().map(desk_minute);
        a
    }))
}

/// Who may authorise a check-out in an estate: its managers and shift leaders.
pub const AUTHORISERS: &str = "select a.id, a.display_name as name from account a \
     join account_estate ae on ae.account_id = a.id \
     where ae.estate_id = $1 and a.disabled = 0 \
       and (a.role = 'manager' or (a.role = 'clerk' and a.issues_keys = 1))";

async fn lend_choices(
    pool: &AnyPool,
    caller: &Caller,
    f: &CopyFacts,
) -> Result<LendChoices, AppError> {
    let staff: Vec<Choice> = sqlx::query_as(
        "select a.id, a.display_name as name from account a \
         join account_estate ae on ae.account_id = a.id \
         where ae.estate_id = $1 and a.disabled = 0 and a.role in ('maintenance', 'clerk', 'manager', 'security') \
         order by case a.role when 'maintenance' then 0 else 1 end, a.display_name",
    )
    .bind(f.estate_id)
    .fetch_all(pool)
    .await?;
    let authorisers: Vec<Choice> =
        sqlx::query_as(&format!("{AUTHORISERS} order by a.display_name"))
            .bind(f.estate_id)
            .fetch_all(pool)
            .await?;
    let place = match f.house_id {
        Some(_) => "t.house_id = $2",
        None => "t.location_id = $2",
    };
    let tickets: Vec<(i64, Option<String>, String)> = sqlx::query_as(&format!(
        "select t.id, coalesce(h.number, l.name) as place, t.description from repair_ticket t \
         left join house h on h.id = t.house_id left join repair_location l on l.id = t.location_id \
         where t.estate_id = $1 and {place} \
           and t.status in ('submitted', 'assigned', 'accepted', 'in_progress', 'reopened') \
         order by t.id desc limit 50"
    ))
    .bind(f.estate_id)
    .bind(f.house_id.or(f.location_id).unwrap_or(0))
    .fetch_all(pool)
    .await?;
    let tickets = tickets
        .into_iter()
        .map(|(id, place, description)| Choice {
            id,
            name: format!(
                "#{id} {} · {}",
                place.unwrap_or_default(),
                description.chars().take(24).collect::<String>()
            ),
        })
        .collect();
    // Works under a permit in force (states named in SQL: renovation sits above keys).
    let renovations: Vec<(i64, Option<String>, String, String)> = sqlx::query_as(
        "select id, permit_no, contractor, planned_end from renovation \
         where estate_id = $1 and house_id = $2 and state in ('works', 'extension') order by id desc",
    )
    .bind(f.estate_id)
    .bind(f.house_id.unwrap_or(0))
    .fetch_all(pool)
    .await?;
    let renovations = renovations
        .into_iter()
        .map(|(id, permit, contractor, end)| Choice {
            id,
            name: format!("{} · {contractor} · ~{end}", permit.unwrap_or_default()),
        })
        .collect();
    let four_hours = chrono::Utc::now() + chrono::Duration::hours(4);
    Ok(LendChoices {
        me_authoriser: authorisers
            .iter()
            .any(|a| a.id == caller.account_id)
            .then_some(caller.account_id),
        staff,
        authorisers,
        tickets,
        renovations,
        default_due: time::db_to_desk_minute(four_hours),
    })
}

const CABINET_SELECT: &str =
    "select id, estate_id, name, place, hook_rows as rows, hook_cols as cols \
     from key_cabinet";

/// A cabinet as a map of its hooks, for a caller who sees its estate.
pub async fn cabinet_map(pool: &AnyPool, caller: &Caller, id: i64) -> Result<CabinetMap, AppError> {
    let cab: Option<CabinetSummary> = sqlx::query_as(&format!("{CABINET_SELECT} where id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let cab = cab.ok_or(AppError::NotFound)?;
    let (estate_id, name, place, rows, cols) =
        (cab.estate_id, cab.name, cab.place, cab.rows, cab.cols);
    caller.check_estate(estate_id)?;
    let keys = rows_where(
        pool,
        "c.cabinet_id = $1 and c.status in ('in_cabinet', 'out', 'lost')",
        id,
    )
    .await?;
    let mut on_hook: std::collections::HashMap<String, KeyRow> = std::collections::HashMap::new();
    for k in keys {
        // A lost copy keeps its hook on the map until a live copy takes it.
        match on_hook.get(&k.hook) {
            Some(existing) if existing.status != CopyStatus::Lost => {}
            _ => {
                on_hook.insert(k.hook.clone(), k);
            }
        }
    }
    let hooks = (1..=rows * cols)
        .map(|position| {
            let label = hook_label(position, cols);
            Hook {
                position,
                key: on_hook.remove(&label),
                label,
            }
        })
        .collect();
    Ok(CabinetMap {
        desk: caller.may(Permission::UseDesk),
        id,
        estate_id,
        name,
        place,
        cols,
        hooks,
    })
}

/// The setup page: one estate's cabinets and the registration form's choices.
pub async fn setup(pool: &AnyPool, caller: &Caller, estate_id: i64) -> Result<KeySetup, AppError> {
    let (estates, estate_id) = scoped_estates(pool, &caller.scope, estate_id).await?;
    let mut cabinets: Vec<CabinetSummary> = sqlx::query_as(&format!(
        "{CABINET_SELECT} where estate_id = $1 order by name"
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    for cab in &mut cabinets {
        let taken: Vec<(i64,)> = sqlx::query_as(
            "select hook from key_copy where cabinet_id = $1 and status in ('in_cabinet', 'out') order by hook",
        )
        .bind(cab.id)
        .fetch_all(pool)
        .await?;
        let taken: std::collections::HashSet<i64> = taken.into_iter().map(|(h,)| h).collect();
        cab.free_hook = (1..=cab.rows * cab.cols).find(|h| !taken.contains(h));
        cab.keys = i64::try_from(taken.len()).unwrap_or(i64::MAX);
    }
    let locations: Vec<Choice> =
        sqlx::query_as("select id, name from repair_location where estate_id = $1 order by name")
            .bind(estate_id)
            .fetch_all(pool)
            .await?;
    Ok(KeySetup {
        estates,
        estate_id,
        cabinets,
        locations,
        may_add_copies: caller.role == crate::common::Role::Manager,
        can_manage: caller.may(Permission::ManageKeys),
    })
}
