//! The chasing log (催缴记录): an action recorded on a house — phone, SMS,
//! WeChat, a written notice, a visit — with what came of it and when to
//! follow up, one audited, append-only line each; a house's log; and each
//! clerk's list of follow-ups due (today's and the overdue), with the
//! promises broken. A promise is broken when its day has passed without the
//! house paying the amount from the day it was made to that day
//! ([`rules::promise_broken`]) — found when read, never typed in.

use chrono::NaiveDate;
use sqlx::AnyPool;

use crate::arrears::{rules, ChaseAction, ChaseEntry, FollowUp, FollowUps, HouseChase, Outcome};
use crate::billing::money::parse_yuan;
use crate::common::{AuditAction, AuditEntity, Caller};
use crate::db::audit::{Actor, Change};
use crate::db::scope::scoped_estates;
use crate::db::{time, Database};
use crate::error::AppError;
use crate::i18n::{refused, FieldProblem};
use crate::ui::desk_minute;

/// A chasing action as its form sends it.
#[derive(Debug, Clone, Default)]
pub struct ChaseForm {
    pub action: String,
    /// Empty: no outcome yet (a notice handed over, say).
    pub outcome: String,
    pub promise_date: String,
    /// Yuan, as typed.
    pub promise_amount: String,
    pub reason: String,
    pub note: String,
    /// Empty: no follow-up.
    pub follow_up_date: String,
}

/// How far ahead a promise or a follow-up may be set: a year.
const HORIZON_DAYS: i64 = 366;

/// A chasing action, checked.
struct Chase {
    action: ChaseAction,
    outcome: Option<Outcome>,
    promise: Option<(NaiveDate, i64)>,
    reason: String,
    note: String,
    follow_up: Option<NaiveDate>,
}

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn today() -> NaiveDate {
    day(&time::desk_today()).unwrap_or_default()
}

/// Checks the form on `today`; every refused field at once.
fn check(form: &ChaseForm, today: NaiveDate) -> Result<Chase, Vec<FieldProblem>> {
    let mut problems: Vec<FieldProblem> = Vec::new();
    let action = ChaseAction::parse(&form.action);
    if action.is_none() {
        problems.push(("action", "arrears.invalid.action"));
    }
    let outcome = match form.outcome.trim() {
        "" => None,
        text => {
            let o = Outcome::parse(text);
            if o.is_none() {
                problems.push(("outcome", "arrears.invalid.outcome"));
            }
            o
        }
    };
    let promise = if outcome.is_some_and(rules::needs_promise) {
        let amount = parse_yuan(&form.promise_amount).ok();
        match rules::check_promise(day(&form.promise_date), amount, today) {
            // A promise a year away is no promise the desk can hold anyone to.
            Ok((d, _)) if d > today + chrono::Duration::days(HORIZON_DAYS) => {
                problems.push(("promise_date", "arrears.invalid.promise_far"));
                None
            }
            Ok(p) => Some(p),
            Err(p) => {
                problems.extend(p);
                None
            }
        }
    } else {
        None
    };
    let reason = if outcome.is_some_and(rules::needs_reason) {
        match rules::check_reason(&form.reason) {
            Ok(r) => r,
            Err(p) => {
                problems.push(p);
                String::new()
            }
        }
    } else {
        String::new()
    };
    let note = form.note.trim().to_string();
    if note.chars().count() > rules::MAX_REASON_CHARS {
        problems.push(("note", "arrears.invalid.note"));
    }
    let follow_up = match form.follow_up_date.trim() {
        "" => None,
        text => match day(text) {
            None => {
                problems.push(("follow_up_date", "arrears.invalid.follow_up"));
                None
            }
            Some(d) => {
                if let Err(p) = rules::check_follow_up(d, today) {
                    problems.push(p);
                } else if d > today + chrono::Duration::days(HORIZON_DAYS) {
                    problems.push(("follow_up_date", "arrears.invalid.follow_up_far"));
                }
                Some(d)
            }
        },
    };
    match action {
        Some(action) if problems.is_empty() => Ok(Chase {
            action,
            outcome,
            promise,
            reason,
            note,
            follow_up,
        }),
        _ => Err(problems),
    }
}

/// Records a chasing action on house `house_id`; returns its id.
pub async fn record(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    house_id: i64,
    form: &ChaseForm,
) -> Result<i64, AppError> {
    let lang = caller.lang;
    let estate_id = estate_of(&db.pool, house_id).await?;
    caller.check_estate(estate_id)?;
    let c = check(form, today()).map_err(|p| refused(lang, p))?;
    let mut w = db.write(actor.clone()).await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into arrears_chase (estate_id, house_id, action, outcome, promise_date, promise_fen, reason, note, \
                                    follow_up_on, created_by, created_name, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    .bind(c.action)
    .bind(c.outcome.map(Outcome::as_str))
    .bind(c.promise.map(|(d, _)| time::date_to_db(d)))
    .bind(c.promise.map(|(_, fen)| fen))
    .bind(&c.reason)
    .bind(&c.note)
    .bind(c.follow_up.map(time::date_to_db))
    .bind(caller.account_id)
    .bind(&caller.display_name)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await?;
    w.audit(
        Change::new(AuditAction::RecordChase, AuditEntity::House)
            .id(house_id)
            .estate(estate_id)
            .after(serde_json::json!({
                "chase_id": id, "action": c.action, "outcome": c.outcome,
                "promise_date": c.promise.map(|(d, _)| time::date_to_db(d)),
                "promise_fen": c.promise.map(|(_, fen)| fen),
                "follow_up_on": c.follow_up.map(time::date_to_db),
            })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

async fn estate_of(pool: &AnyPool, house_id: i64) -> Result<i64, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_optional(pool)
        .await?;
    row.map(|(e,)| e).ok_or(AppError::NotFound)
}

/// A log line, and for a promise what the house paid towards it: from the
/// moment the promise was recorded to the end of its promised day — desk
/// time, UTC+8 without daylight saving (`db::time::desk_offset`), so the day
/// ends at 16:00 UTC as stored — the payments not reversed, counting what
/// they settled of its fees (never a deposit or a renovation's money held)
/// and what they left on the prepaid balance.
const ENTRY: &str = "select c.id, c.house_id, c.action, c.outcome, c.promise_date, c.promise_fen, c.reason, \
        c.note, c.follow_up_on, c.created_by, c.created_name, c.created_at, \
        case when c.outcome = 'promised' then \
            cast(coalesce((select sum(s.amount_fen) from settlement s join payment p on p.id = s.payment_id \
                join bill_line l on l.id = s.line_id join fee_item f on f.id = l.fee_item_id \
                where p.house_id = c.house_id and f.held = 0 and s.refund_id is null {WINDOW}), 0) as bigint) \
          + cast(coalesce((select sum(p.prepaid_fen) from payment p where p.house_id = c.house_id {WINDOW}), 0) \
                as bigint) \
        else 0 end as paid_since \
     from arrears_chase c";

/// The payments of a promise's window, not reversed.
const WINDOW: &str =
    "and p.created_at >= c.created_at and p.created_at < c.promise_date || 'T16:00:00' \
     and not exists (select 1 from payment_reversal r where r.payment_id = p.id)";

fn entry_sql(rest: &str) -> String {
    format!("{} {rest}", ENTRY.replace("{WINDOW}", WINDOW))
}

#[derive(sqlx::FromRow)]
struct EntryDb {
    id: i64,
    house_id: i64,
    action: ChaseAction,
    outcome: Option<Outcome>,
    promise_date: Option<String>,
    promise_fen: Option<i64>,
    reason: String,
    note: String,
    follow_up_on: Option<String>,
    created_by: i64,
    created_name: String,
    created_at: String,
    /// Paid by the house from the promise to the end of its day (promises only).
    paid_since: i64,
}

impl EntryDb {
    fn view(self, today: NaiveDate) -> ChaseEntry {
        let broken = match (self.promise_date.as_deref().and_then(day), self.promise_fen) {
            (Some(on), Some(fen)) => rules::promise_broken(on, fen, self.paid_since, today),
            _ => false,
        };
        ChaseEntry {
            id: self.id,
            action: self.action,
            outcome: self.outcome,
            promise_date: self.promise_date,
            promise_fen: self.promise_fen,
            broken,
            reason: self.reason,
            note: self.note,
            follow_up_on: self.follow_up_on,
            by: self.created_name,
            at: desk_minute(&self.created_at),
        }
    }
}

/// A house's chase: its ageing today and its log, newest first.
pub async fn house(pool: &AnyPool, caller: &Caller, house_id: i64) -> Result<HouseChase, AppError> {
    let estate_id = estate_of(pool, house_id).await?;
    caller.check_estate(estate_id)?;
    let (number,): (String,) = sqlx::query_as("select number from house where id = $1")
        .bind(house_id)
        .fetch_one(pool)
        .await?;
    let day = today();
    let owed =
        super::ageing::owed_at(pool, estate_id, super::ageing::Place::House(house_id), day).await?;
    let owed = super::ageing::rows_by(&owed, |o| o.house_id)
        .remove(&house_id)
        .unwrap_or_else(|| super::ageing::empty_row(house_id, String::new()));
    let rows: Vec<EntryDb> = sqlx::query_as(&entry_sql("where c.house_id = $1 order by c.id desc"))
        .bind(house_id)
        .fetch_all(pool)
        .await?;
    let mut owed = owed;
    owed.name = number.clone();
    Ok(HouseChase {
        house_id,
        estate_id,
        number,
        today: time::date_to_db(day),
        follow_up_default: time::date_to_db(day + chrono::Duration::days(7)),
        owed,
        entries: rows.into_iter().map(|r| r.view(day)).collect(),
    })
}

/// The follow-ups due in an estate (the caller's own, or all): each house's
/// latest action, when its follow-up day has come, while the house still
/// owes; and the houses whose latest action is a promise now broken.
pub async fn follow_ups(
    pool: &AnyPool,
    caller: &Caller,
    estate_wanted: i64,
    mine: bool,
) -> Result<FollowUps, AppError> {
    let (estates, estate_id) = scoped_estates(pool, &caller.scope, estate_wanted).await?;
    let day = today();
    let today_text = time::date_to_db(day);
    let rows: Vec<EntryDb> = sqlx::query_as(&entry_sql(
        "where c.estate_id = $1 \
           and c.id = (select max(x.id) from arrears_chase x where x.house_id = c.house_id) \
         order by case when c.follow_up_on is null then 1 else 0 end, c.follow_up_on, c.id",
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let owed = super::ageing::owed(pool, estate_id, None, day).await?;
    let by_house = super::ageing::rows_by(&owed, |o| o.house_id);
    let numbers: Vec<(i64, String)> =
        sqlx::query_as("select id, number from house where estate_id = $1")
            .bind(estate_id)
            .fetch_all(pool)
            .await?;
    let numbers: std::collections::HashMap<i64, String> = numbers.into_iter().collect();
    let (mut due, mut broken) = (Vec::new(), Vec::new());
    for r in rows {
        if mine && r.created_by != caller.account_id {
            continue;
        }
        // Paid up since: nothing left to chase.
        let Some(row) = by_house
            .get(&r.house_id)
            .filter(|o| o.total.fen > 0 || o.late_fee_fen > 0)
        else {
            continue;
        };
        let house_id = r.house_id;
        let follow_up = r.follow_up_on.clone();
        let last = r.view(day);
        let item = |last: ChaseEntry| FollowUp {
            house_id,
            number: numbers.get(&house_id).cloned().unwrap_or_default(),
            owed_fen: row.total.fen,
            late_fee_fen: row.late_fee_fen,
            overdue: follow_up
                .as_deref()
                .is_some_and(|f| f < today_text.as_str()),
            last,
        };
        if last.broken {
            broken.push(item(last.clone()));
        }
        if follow_up
            .as_deref()
            .is_some_and(|f| f <= today_text.as_str())
        {
            due.push(item(last));
        }
    }
    Ok(FollowUps {
        estates,
        estate_id,
        today: today_text,
        mine,
        due,
        broken,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ChaseForm {
        ChaseForm {
            action: String::from("phone"),
            outcome: "promised".into(),
            promise_date: "2026-12-10".into(),
            promise_amount: "350.00".into(),
            follow_up_date: "2026-12-11".into(),
            ..ChaseForm::default()
        }
    }

    fn fields(r: Result<Chase, Vec<FieldProblem>>) -> Vec<&'static str> {
        match r {
            Ok(_) => Vec::new(),
            Err(p) => p.into_iter().map(|(f, _)| f).collect(),
        }
    }

    #[test]
    fn a_chase_is_checked_field_by_field() {
        let today = day("2026-12-04").expect("day");
        let c = check(&form(), today).expect("valid");
        assert_eq!(c.promise, Some((day("2026-12-10").expect("d"), 35_000)));
        assert_eq!(c.follow_up, day("2026-12-11"));
        // A promise without a date or an amount; a follow-up in the past.
        let bad = ChaseForm {
            promise_date: String::new(),
            promise_amount: "0".into(),
            follow_up_date: "2026-12-03".into(),
            ..form()
        };
        assert_eq!(
            fields(check(&bad, today)),
            ["promise_date", "promise_amount", "follow_up_date"]
        );
        // A dispute says why; an unknown action or outcome is refused.
        let dispute = ChaseForm {
            outcome: "disputed".into(),
            ..form()
        };
        assert_eq!(fields(check(&dispute, today)), ["reason"]);
        let unknown = ChaseForm {
            action: String::from("telegram"),
            outcome: "maybe".into(),
            ..form()
        };
        assert_eq!(fields(check(&unknown, today)), ["action", "outcome"]);
        // No outcome yet (a notice posted): the promise's fields are not read.
        let notice = ChaseForm {
            action: String::from("notice"),
            outcome: String::new(),
            promise_date: "garbage".into(),
            ..form()
        };
        let c = check(&notice, today).expect("valid");
        assert_eq!((c.outcome, c.promise), (None, None));
    }
}
