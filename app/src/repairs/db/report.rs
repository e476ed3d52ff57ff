//! Filing a report (报修): from the desk (a call, a walk-in, an inspection) or
//! the portal, and the report form's choices. The fields are checked by
//! [`rules::check_report`]; here, what needs the database: where the report is
//! (a house by number or id, or a common area), that the caller may report
//! there, and whose number a masked prefill stands for.

use sqlx::AnyPool;

use super::setup::locations;
use super::{event, settings, Viewer};
use crate::common::personal::mask_mobile;
use crate::common::{sees_estate, AuditAction, AuditEntity, Choice, Lang, TicketId};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, Write};
use crate::error::{AppError, FieldError};
use crate::i18n::{tr, I18n};
use crate::repairs::rules::{self, NewTicket, Status};
use crate::repairs::{ReportForm, TimelineEntry};

fn push(errors: &mut Vec<FieldError>, field: &str, message: String) {
    errors.push(FieldError {
        field: field.into(),
        message,
    });
}

/// Files a report as the form sent it: in the portal the reporter is the
/// resident signed in, whatever the form says, on a house or a common area.
pub async fn file_report(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    viewer: &Viewer,
    mut input: NewTicket,
) -> Result<i64, AppError> {
    if let Viewer::Resident { resident_id, .. } = viewer {
        let (name, mobile) = resident_contact(&db.pool, *resident_id).await?;
        input.reporter_name = name;
        input.reporter_phone = mobile;
        // A resident picks a house or a common area; the house's id says which.
        if input.location_id > 0 {
            input.house_id = 0;
        }
    }
    create(db, actor, lang, viewer, input).await
}

/// Reports a repair. `viewer` decides what the reporter may name: the desk any
/// house or common area of its estates; a resident only their own houses.
pub async fn create(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    viewer: &Viewer,
    input: NewTicket,
) -> Result<i64, AppError> {
    let mut w = db.write(actor.clone()).await?;
    let id = create_in(&mut w, actor, lang, viewer, input).await?;
    w.commit().await?;
    Ok(id)
}

/// [`create`] inside the caller's write (a move-in's inspection defect
/// becomes a ticket and is linked to it in one transaction).
pub async fn create_in(
    w: &mut Write,
    actor: &Actor,
    lang: Lang,
    viewer: &Viewer,
    input: NewTicket,
) -> Result<i64, AppError> {
    let resident = match viewer {
        Viewer::Resident { resident_id, .. } => Some(*resident_id),
        _ => None,
    };
    let (fields, mut errors) =
        rules::check_report(lang, &input, resident.is_some(), chrono::Utc::now());
    let mut reporter_phone = fields.reporter_phone.clone();

    // Where: a house (by number at the desk, by id in the portal) or a common area.
    let mut estate_id = input.estate_id;
    let mut house_id = None;
    let mut location_id = None;
    if input.location_id > 0 {
        let row: Option<(i64,)> =
            sqlx::query_as("select estate_id from repair_location where id = $1")
                .bind(input.location_id)
                .fetch_optional(&mut **w)
                .await?;
        match row {
            // A resident's common areas are those of the estates their houses are in.
            Some((e,))
                if resident.is_some() && resident_estates(&mut **w, viewer).await?.contains(&e) =>
            {
                estate_id = e;
                location_id = Some(input.location_id);
            }
            Some((e,)) if resident.is_none() && e == estate_id => {
                estate_id = e;
                location_id = Some(input.location_id);
            }
            _ => push(&mut errors, "place", tr(lang, "repairs.invalid.location")),
        }
        if input.paid {
            push(&mut errors, "paid", tr(lang, "repairs.invalid.paid_common"));
        }
    } else if let Viewer::Resident { .. } = viewer {
        let house_ids = viewer.resident_house_ids();
        if input.house_id == 0 {
            push(
                &mut errors,
                "place",
                tr(lang, "repairs.invalid.choose_place"),
            );
        } else if !house_ids.contains(&input.house_id) {
            push(
                &mut errors,
                "place",
                tr(lang, "repairs.invalid.not_your_house"),
            );
        } else {
            let (e,): (i64,) = sqlx::query_as("select estate_id from house where id = $1")
                .bind(input.house_id)
                .fetch_one(&mut **w)
                .await?;
            estate_id = e;
            house_id = Some(input.house_id);
        }
    } else {
        let number = input.house_number.trim();
        let row: Option<(i64,)> =
            sqlx::query_as("select id from house where estate_id = $1 and number = $2")
                .bind(estate_id)
                .bind(number)
                .fetch_optional(&mut **w)
                .await?;
        match row {
            Some((id,)) => house_id = Some(id),
            None if number.is_empty() => {
                push(&mut errors, "place", tr(lang, "repairs.invalid.place"))
            }
            None => push(
                &mut errors,
                "place",
                I18n(lang).f("repairs.invalid.no_house", &[("number", number)]),
            ),
        }
    }
    // The estate must be one the caller works for (or, in the portal, the house's own).
    match viewer {
        Viewer::Desk(scope) | Viewer::Worker { scope, .. } => {
            if !sees_estate(scope, estate_id) {
                return Err(AppError::forbidden("report outside the caller's estates"));
            }
        }
        Viewer::Resident { .. } => {}
    }
    // The desk's form arrives filled with the house's occupant, the number
    // masked; sent back unchanged it stands for the register's number.
    if fields.masked_prefill {
        let register = match (viewer, house_id) {
            (Viewer::Desk(_) | Viewer::Worker { .. }, Some(_)) => {
                house_contact(&mut **w, estate_id, input.house_number.trim()).await?
            }
            _ => None,
        };
        match register {
            Some(c) if mask_mobile(&c.mobile) == reporter_phone => {
                reporter_phone = c.mobile;
            }
            _ => push(
                &mut errors,
                "reporter_phone",
                tr(lang, "repairs.invalid.reporter_phone"),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }

    let (targets, _) = settings(&mut **w, estate_id).await?;
    let (response, completion) = targets.for_urgency(fields.urgency);
    let now_t = chrono::Utc::now();
    let now = time::to_db(now_t);
    let (id,): (i64,) = sqlx::query_as(
        "insert into repair_ticket (estate_id, house_id, location_id, category, description, urgency, paid, \
             appointment_at, source, reporter_name, reporter_phone, reporter_resident_id, created_by, status, \
             response_due_at, completion_due_at, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'submitted', $14, $15, $16) returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    .bind(location_id)
    .bind(fields.category)
    .bind(&fields.description)
    .bind(fields.urgency)
    .bind(i64::from(input.paid))
    .bind(fields.appointment.as_deref())
    .bind(fields.source)
    .bind(&fields.reporter_name)
    .bind(&reporter_phone)
    .bind(resident)
    .bind(actor.account_id)
    .bind(time::to_db(now_t + chrono::Duration::minutes(response)))
    .bind(time::to_db(now_t + chrono::Duration::minutes(completion)))
    .bind(&now)
    .fetch_one(&mut **w)
    .await?;
    event(
        w,
        TicketId(id),
        TimelineEntry::Report,
        Status::Submitted,
        Status::Submitted,
        &fields.description,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::ReportRepair, AuditEntity::RepairTicket)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({
                "house_id": house_id, "location_id": location_id, "category": fields.category,
                "urgency": fields.urgency, "paid": input.paid, "source": fields.source,
                "description": fields.description,
                "reporter_from_register": fields.masked_prefill,
            })),
    )
    .await?;
    Ok(id)
}

/// The estates of the houses a resident is linked to.
async fn resident_estates<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    viewer: &Viewer,
) -> sqlx::Result<Vec<i64>> {
    let ids = viewer.resident_house_ids();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64,)> = sqlx::query_as(&format!(
        "select distinct estate_id from house where id in ({})",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    ))
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|(e,)| e).collect())
}

/// A resident's name and number as the register holds them.
async fn resident_contact<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    resident_id: i64,
) -> sqlx::Result<(String, String)> {
    sqlx::query_as("select name, mobile from resident where id = $1")
        .bind(resident_id)
        .fetch_one(ex)
        .await
}

/// Who a report on a house is from when the desk starts it from the house:
/// its current owner, else tenant, else another occupant.
#[derive(sqlx::FromRow)]
struct Contact {
    resident_id: i64,
    name: String,
    mobile: String,
}

async fn house_contact<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    estate_id: i64,
    house_number: &str,
) -> sqlx::Result<Option<Contact>> {
    sqlx::query_as(
        "select r.id as resident_id, r.name, r.mobile from occupancy o join resident r on r.id = o.resident_id \
         join house h on h.id = o.house_id where h.estate_id = $1 and h.number = $2 and o.end_date is null \
         order by case o.role when 'owner' then 0 when 'tenant' then 1 else 2 end, o.id limit 1",
    )
    .bind(estate_id)
    .bind(house_number)
    .fetch_optional(ex)
    .await
}

/// The report form's choices for `viewer`.
pub async fn report_form(
    pool: &AnyPool,
    viewer: &Viewer,
    wanted: i64,
    house_number: &str,
) -> Result<ReportForm, AppError> {
    match viewer {
        Viewer::Resident { resident_id, .. } => {
            let house_ids = viewer.resident_house_ids();
            let houses: Vec<(i64, String, i64)> = if house_ids.is_empty() {
                Vec::new()
            } else {
                sqlx::query_as(&format!(
                    "select id, number, estate_id from house where id in ({}) order by number",
                    house_ids
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ))
                .fetch_all(pool)
                .await?
            };
            let estate_id = houses.first().map(|h| h.2).unwrap_or(0);
            // The portal files the signed-in resident's own details whatever the
            // form says; the form itself needs no more than the masked number.
            let (name, mobile) = resident_contact(pool, *resident_id).await?;
            Ok(ReportForm {
                estates: Vec::new(),
                estate_id,
                locations: locations(pool, estate_id).await?,
                houses: houses
                    .into_iter()
                    .map(|(id, name, _)| Choice { id, name })
                    .collect(),
                reporter_name: name,
                reporter_phone: mask_mobile(&mobile),
                reporter_resident_id: None,
                house_number: String::new(),
            })
        }
        Viewer::Desk(scope) | Viewer::Worker { scope, .. } => {
            let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
            // Coming from a house's page: the house and its current owner or
            // tenant fill the form, their number masked like everywhere else.
            let contact = if house_number.is_empty() {
                None
            } else {
                house_contact(pool, estate_id, house_number).await?
            };
            Ok(ReportForm {
                estates,
                estate_id,
                locations: locations(pool, estate_id).await?,
                houses: Vec::new(),
                reporter_name: contact.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                reporter_phone: contact
                    .as_ref()
                    .map(|c| mask_mobile(&c.mobile))
                    .unwrap_or_default(),
                reporter_resident_id: contact.map(|c| c.resident_id),
                house_number: house_number.to_string(),
            })
        }
    }
}
