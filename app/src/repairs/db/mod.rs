//! Repair tickets in the database (server only): a file per workflow —
//! [`report`] (filing a report, the report form), [`act`] (every state change,
//! the charge of a paid repair, 有偿 / free), [`photos`], [`reads`] (the lists
//! and one ticket) and [`setup`] (targets, common areas, workers' skills).
//! Each write is one [`Write`], audited, with its timeline entry.
//!
//! Here: who is asking ([`Viewer`]) and what about a ticket decides whether
//! they may see or touch it ([`Facts`], [`Viewer::who`]) — the one rule every
//! read and write of a ticket goes through — and the pieces the workflows share.

pub mod act;
pub mod photos;
pub mod reads;
pub mod report;
pub mod setup;

pub use act::{act, set_paid};
pub use photos::{add_photos, photo, photo_access, photo_room};
pub use reads::{desk_list, detail, portal_list, queue, visit_list};
pub use report::{create, file_report, report_form};
pub use setup::{add_location, save_settings, set_skills, setup, workers};

pub use super::rules::{ActInput, NewTicket};

use super::rules::{Status, Targets, Who};
use super::TimelineEntry;
use crate::common::{sees_estate, EstateScope, Residence, TicketId};
use crate::db::{time, Write};
use crate::error::AppError;

/// Who is looking at or acting on tickets.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// Clerk, manager or admin, with their estates.
    Desk(EstateScope),
    /// A maintenance worker.
    Worker { account_id: i64, scope: EstateScope },
    /// A resident and the houses they live in now, each from the moment its
    /// tickets are theirs to see: the start of their occupancy
    /// ([`crate::auth::residence`]), so a new owner does not read the last one's.
    Resident {
        resident_id: i64,
        houses: Vec<Residence>,
    },
}

impl Viewer {
    /// The houses a resident may report on.
    pub fn resident_house_ids(&self) -> Vec<i64> {
        match self {
            Viewer::Resident { houses, .. } => houses.iter().map(|r| r.house_id).collect(),
            _ => Vec::new(),
        }
    }

    /// The rules' view of this person for a ticket, or `Forbidden` when the
    /// ticket is none of their business (another estate, another resident's house,
    /// another worker's job).
    fn who(&self, f: &Facts) -> Result<Who, AppError> {
        match self {
            Viewer::Desk(scope) => sees_estate(scope, f.estate_id)
                .then_some(Who::Desk)
                .ok_or(AppError::Forbidden),
            Viewer::Worker { account_id, scope } => {
                if !sees_estate(scope, f.estate_id) {
                    return Err(AppError::Forbidden);
                }
                let assignee = f.worker_id == Some(*account_id);
                let in_pool = f.worker_id.is_none() && f.status.waits_for_worker();
                // A worker sees their own jobs and the pool; others' jobs are not theirs to open.
                (assignee || in_pool)
                    .then_some(Who::Worker { assignee })
                    .ok_or(AppError::Forbidden)
            }
            Viewer::Resident {
                resident_id,
                houses,
            } => {
                // Access ends with the occupancy, for the reporter too (a former
                // occupant rating a ticket would close the new one's return visit):
                // a house's tickets are its occupants' from the start of their
                // occupancy; a common area's, its reporter's while they live in the estate.
                let theirs = match f.house_id {
                    Some(house) => houses
                        .iter()
                        .any(|r| r.house_id == house && f.created_at.as_str() >= r.from.as_str()),
                    None => {
                        f.reporter_resident_id == Some(*resident_id) && f.reporter_in_estate == 1
                    }
                };
                theirs.then_some(Who::Resident).ok_or(AppError::Forbidden)
            }
        }
    }
}

/// The facts about a ticket that decide who may see and touch it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Facts {
    estate_id: i64,
    house_id: Option<i64>,
    status: Status,
    worker_id: Option<i64>,
    reporter_resident_id: Option<i64>,
    /// 1: 户内有偿.
    paid: i64,
    bill_line_id: Option<i64>,
    created_at: String,
    /// 1: the reporter still lives in the ticket's estate (see [`REPORTER_LIVES_IN_ESTATE`]).
    reporter_in_estate: i64,
}

/// SQL: ticket `t`'s reporter has an open occupancy of a house of its estate.
/// A common area's ticket is its reporter's only while this holds.
const REPORTER_LIVES_IN_ESTATE: &str = "exists (select 1 from occupancy ro \
     join house rh on rh.id = ro.house_id where ro.resident_id = t.reporter_resident_id \
     and ro.end_date is null and rh.estate_id = t.estate_id)";

async fn facts<'e>(ex: impl sqlx::AnyExecutor<'e>, id: TicketId) -> Result<Facts, AppError> {
    sqlx::query_as(&format!(
        "select t.estate_id, t.house_id, t.status, t.worker_id, t.reporter_resident_id, t.paid, \
                t.bill_line_id, t.created_at, \
                case when {REPORTER_LIVES_IN_ESTATE} then 1 else 0 end as reporter_in_estate \
         from repair_ticket t where t.id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .ok_or(AppError::NotFound)
}

/// An estate's repair settings as stored.
#[derive(sqlx::FromRow)]
struct SettingRow {
    urgent_response_minutes: i64,
    urgent_completion_minutes: i64,
    normal_response_minutes: i64,
    normal_completion_minutes: i64,
    charge_fee_item_id: Option<i64>,
}

/// An estate's targets and the fee item paid repairs are charged to.
pub async fn settings<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    estate_id: i64,
) -> sqlx::Result<(Targets, Option<i64>)> {
    let row: Option<SettingRow> = sqlx::query_as(
        "select urgent_response_minutes, urgent_completion_minutes, normal_response_minutes, \
                normal_completion_minutes, charge_fee_item_id from repair_setting where estate_id = $1",
    )
    .bind(estate_id)
    .fetch_optional(ex)
    .await?;
    Ok(match row {
        Some(s) => (
            Targets {
                urgent_response: s.urgent_response_minutes,
                urgent_completion: s.urgent_completion_minutes,
                normal_response: s.normal_response_minutes,
                normal_completion: s.normal_completion_minutes,
            },
            s.charge_fee_item_id,
        ),
        None => (Targets::default(), None),
    })
}

/// Adds a line to the ticket's timeline, by the write's author.
async fn event(
    w: &mut Write,
    ticket: TicketId,
    entry: TimelineEntry,
    from: Status,
    to: Status,
    note: &str,
) -> sqlx::Result<()> {
    let (actor_id, actor_name) = (w.actor().account_id, w.actor().name.clone());
    sqlx::query(
        "insert into repair_event (ticket_id, action, from_status, to_status, actor_id, actor_name, note, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ticket)
    .bind(entry)
    .bind(from)
    .bind(to)
    .bind(actor_id)
    .bind(actor_name)
    .bind(note)
    .bind(time::now())
    .execute(&mut **w)
    .await?;
    Ok(())
}
