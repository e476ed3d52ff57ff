//! Works in progress: the visits (巡查) a reviewer or the desk records, the
//! violations they find with a rectification deadline, the later visit's
//! record that one was put right, the visits' photos; and what the lists
//! and the application's page read of them (the next visit's day, what is
//! overdue). The rules are [`crate::renovation::works`]'.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;
use crate::common::{AuditAction, AuditEntity};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, Write};
use crate::renovation::works;
use crate::repairs::photo::Encoded;

/// The most photos one visit keeps.
pub const MAX_PHOTOS_PER_VISIT: i64 = 6;

/// Who records visits: the estate's reviewers and its desk (not the applicant).
fn visits(who: Option<Who>) -> bool {
    matches!(who, Some(Who::Reviewer | Who::Desk { .. }))
}

/// A visit as the form sent it.
#[derive(Debug, Clone, Default)]
pub struct VisitForm {
    /// What the visit found (巡查情况), required.
    pub note: String,
    /// A violation found, if any, and its rectification deadline.
    pub violation: String,
    pub deadline: String,
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The application read inside a write on works in progress, with the
/// caller's part in it: refused unless they visit and the works are visited
/// now (`seen`: the state the caller's page showed).
async fn visited(
    w: &mut Write,
    caller: &Caller,
    id: i64,
    seen: Option<State>,
) -> Result<AppDb, AppError> {
    let lang = caller.lang;
    let app = find(&mut **w, id).await?.ok_or(AppError::NotFound)?;
    if !visits(super::who(w, caller, &app).await?) {
        return Err(AppError::forbidden(
            "visits are the reviewers' and the desk's",
        ));
    }
    if seen.is_some_and(|s| s != app.state) {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    }
    if !works::inspectable(app.state) {
        return Err(AppError::Conflict(tr(
            lang,
            "renovation.refused.not_visited",
        )));
    }
    Ok(app)
}

/// Records a visit of application `id`'s works, with the violation it found
/// (if any). Returns the visit's id.
pub async fn inspect(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    seen: Option<State>,
    form: &VisitForm,
) -> Result<i64, AppError> {
    let lang = caller.lang;
    let mut problems = Vec::new();
    let note = form.note.trim();
    if note.is_empty() {
        problems.push(rules::Problem::new("note", "renovation.invalid.visit_note"));
    } else if note.chars().count() > 500 {
        problems.push(rules::Problem::new("note", "renovation.invalid.text"));
    }
    let violation = form.violation.trim();
    if violation.chars().count() > 200 {
        problems.push(rules::Problem::new("violation", "renovation.invalid.text"));
    }
    let today = day(&time::desk_today()).ok_or(AppError::NotFound)?;
    let deadline = if violation.is_empty() {
        if !form.deadline.trim().is_empty() {
            problems.push(rules::Problem::new(
                "violation",
                "renovation.invalid.deadline_alone",
            ));
        }
        None
    } else {
        works::check_deadline(&form.deadline, today)
            .map_err(|p| problems.push(p))
            .ok()
    };
    if !problems.is_empty() {
        return Err(refused(lang, problems));
    }
    let house_id = find(&db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?
        .house_id;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(house_id)).await?;
    let app = visited(&mut w, caller, id, seen).await?;
    let now = time::now();
    let (visit_id,): (i64,) = sqlx::query_as(
        "insert into renovation_inspection (renovation_id, inspector_id, inspector_name, note, day, at) \
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(id)
    .bind(actor.account_id)
    .bind(&actor.name)
    .bind(note)
    .bind(time::desk_today())
    .bind(&now)
    .fetch_one(&mut *w)
    .await?;
    if let Some(deadline) = deadline {
        sqlx::query(
            "insert into renovation_violation (renovation_id, inspection_id, text, deadline) \
             values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(visit_id)
        .bind(violation)
        .bind(time::date_to_db(deadline))
        .execute(&mut *w)
        .await?;
    }
    w.audit(
        Change::new(AuditAction::RenovationVisit, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .after(serde_json::json!({
                "visit": visit_id,
                "note": note,
                "violation": violation,
                "deadline": deadline.map(time::date_to_db),
            })),
    )
    .await?;
    w.commit().await?;
    Ok(visit_id)
}

/// Records that violation `violation_id` was found put right, by the caller, now.
pub async fn rectified(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    violation_id: i64,
) -> Result<(), AppError> {
    let lang = caller.lang;
    let row: Option<(i64, i64)> = sqlx::query_as(
        "select v.renovation_id, r.house_id from renovation_violation v \
         join renovation r on r.id = v.renovation_id where v.id = $1",
    )
    .bind(violation_id)
    .fetch_optional(&db.pool)
    .await?;
    let (id, house_id) = row.ok_or(AppError::NotFound)?;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(house_id)).await?;
    let app = visited(&mut w, caller, id, None).await?;
    // Found put right at a later visit: the one that found it cannot clear it.
    let (later,): (i64,) = sqlx::query_as(
        "select count(*) from renovation_inspection i join renovation_violation v on v.id = $1 \
         where i.renovation_id = v.renovation_id and i.id > v.inspection_id",
    )
    .bind(violation_id)
    .fetch_one(&mut *w)
    .await?;
    if later == 0 {
        return Err(AppError::Rule(tr(lang, "renovation.refused.visit_first")));
    }
    let done = sqlx::query(
        "update renovation_violation set rectified_by = $1, rectified_name = $2, rectified_at = $3 \
         where id = $4 and rectified_at is null",
    )
    .bind(actor.account_id)
    .bind(&actor.name)
    .bind(time::now())
    .bind(violation_id)
    .execute(&mut *w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(
            lang,
            "renovation.refused.rectified_already",
        )));
    }
    w.audit(
        Change::new(AuditAction::RenovationRectified, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .after(serde_json::json!({ "violation": violation_id })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// How many violations of the application are not yet put right.
pub async fn open_violations<'e>(ex: impl sqlx::AnyExecutor<'e>, id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from renovation_violation where renovation_id = $1 and rectified_at is null",
    )
    .bind(id)
    .fetch_one(ex)
    .await?;
    Ok(n)
}

/// The application a visit belongs to.
pub async fn visit_app(pool: &AnyPool, visit_id: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("select renovation_id from renovation_inspection where id = $1")
            .bind(visit_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// The visit a photo is added to, if the caller may add one now: who
/// recorded it, or the desk, while the works are visited. Returns the
/// application's page for the caller.
pub async fn may_add_photos(
    pool: &AnyPool,
    caller: &Caller,
    visit_id: i64,
) -> Result<i64, AppError> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "select renovation_id, inspector_id from renovation_inspection where id = $1",
    )
    .bind(visit_id)
    .fetch_optional(pool)
    .await?;
    let (id, inspector) = row.ok_or(AppError::NotFound)?;
    let app = find(pool, id).await?.ok_or(AppError::NotFound)?;
    let who = super::who(&mut *pool.acquire().await?, caller, &app).await?;
    let adds = match who {
        Some(Who::Desk { .. }) => true,
        Some(Who::Reviewer) => inspector == caller.account_id,
        _ => false,
    };
    if !adds {
        return Err(AppError::forbidden(
            "photos are added by the visit's inspector or the desk",
        ));
    }
    if !works::inspectable(app.state) {
        return Err(AppError::Rule(tr(
            caller.lang,
            "renovation.refused.not_visited",
        )));
    }
    Ok(id)
}

/// Keeps re-encoded photos on visit `visit_id` (all or none).
pub async fn add_photos(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    visit_id: i64,
    photos: Vec<Encoded>,
) -> Result<i64, AppError> {
    let lang = caller.lang;
    let id = may_add_photos(&db.pool, caller, visit_id).await?;
    let house_id = find(&db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?
        .house_id;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(house_id)).await?;
    let app = visited(&mut w, caller, id, None).await?;
    let (count,): (i64,) =
        sqlx::query_as("select count(*) from renovation_photo where inspection_id = $1")
            .bind(visit_id)
            .fetch_one(&mut *w)
            .await?;
    if count + photos.len() as i64 > MAX_PHOTOS_PER_VISIT {
        return Err(AppError::field(
            "photo",
            tr(lang, "renovation.photo_too_many"),
        ));
    }
    keep_images(&mut w, Images::Visit, visit_id, &photos).await?;
    w.audit(
        Change::new(AuditAction::RenovationPhotos, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .after(serde_json::json!({ "visit": visit_id, "photos": photos.len() })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// A visit's photo (or its thumbnail), to whoever may see the application.
pub async fn photo(
    pool: &AnyPool,
    caller: &Caller,
    photo_id: i64,
    thumb: bool,
) -> Result<Vec<u8>, AppError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "select i.renovation_id from renovation_photo p \
         join renovation_inspection i on i.id = p.inspection_id where p.id = $1",
    )
    .bind(photo_id)
    .fetch_optional(pool)
    .await?;
    let (id,) = row.ok_or(AppError::NotFound)?;
    let app = find(pool, id).await?.ok_or(AppError::NotFound)?;
    super::who(&mut *pool.acquire().await?, caller, &app).await?;
    let column = if thumb { "thumb" } else { "content" };
    let (bytes,): (Vec<u8>,) = sqlx::query_as(&format!(
        "select {column} from renovation_photo where id = $1"
    ))
    .bind(photo_id)
    .fetch_one(pool)
    .await?;
    Ok(bytes)
}

#[derive(FromRow)]
struct VisitDb {
    id: i64,
    inspector_id: i64,
    inspector_name: String,
    note: String,
    at: String,
}

#[derive(FromRow)]
struct ViolationDb {
    id: i64,
    inspection_id: i64,
    text: String,
    deadline: String,
    rectified_name: Option<String>,
    rectified_at: Option<String>,
}

/// An application's visits for its page, newest first, as `caller` (`who`)
/// may see them: the portal names the service centre, not the inspector.
pub async fn visits_of(
    pool: &AnyPool,
    caller: &Caller,
    app: &AppDb,
    who: Option<Who>,
) -> sqlx::Result<Vec<InspectionView>> {
    let today = time::desk_today();
    let lang = caller.lang;
    let rows: Vec<VisitDb> = sqlx::query_as(
        "select id, inspector_id, inspector_name, note, at from renovation_inspection \
         where renovation_id = $1 order by id desc",
    )
    .bind(app.id)
    .fetch_all(pool)
    .await?;
    let violations: Vec<ViolationDb> = sqlx::query_as(
        "select id, inspection_id, text, deadline, rectified_name, rectified_at from renovation_violation \
         where renovation_id = $1",
    )
    .bind(app.id)
    .fetch_all(pool)
    .await?;
    let photos: Vec<(i64, i64)> = sqlx::query_as(
        "select p.inspection_id, p.id from renovation_photo p \
         join renovation_inspection i on i.id = p.inspection_id where i.renovation_id = $1 order by p.id",
    )
    .bind(app.id)
    .fetch_all(pool)
    .await?;
    let open = works::inspectable(app.state);
    let resident = caller.role == Role::Resident;
    let latest = rows.first().map(|v| v.id);
    Ok(rows
        .into_iter()
        .map(|v| {
            let violation = violations
                .iter()
                .find(|x| x.inspection_id == v.id)
                .map(|x| ViolationView {
                    id: x.id,
                    text: x.text.clone(),
                    deadline: x.deadline.clone(),
                    overdue: works::overdue(&x.deadline, x.rectified_at.is_some(), &today),
                    rectified: match (&x.rectified_at, &x.rectified_name) {
                        (Some(at), _) if resident => format!(
                            "{} {}",
                            desk_minute(at),
                            tr(lang, "renovation.actor.centre")
                        ),
                        (Some(at), Some(name)) => format!("{} {name}", desk_minute(at)),
                        _ => String::new(),
                    },
                    // At a later visit: one recorded after the one that found it.
                    can_rectify: open
                        && visits(who)
                        && x.rectified_at.is_none()
                        && latest.is_some_and(|l| l > x.inspection_id),
                });
            InspectionView {
                id: v.id,
                at: desk_minute(&v.at),
                inspector: if resident {
                    tr(lang, "renovation.actor.centre")
                } else {
                    v.inspector_name
                },
                note: v.note,
                violation,
                photos: photos
                    .iter()
                    .filter(|(visit, _)| *visit == v.id)
                    .map(|(_, p)| *p)
                    .collect(),
                can_add_photos: open
                    && match who {
                        Some(Who::Desk { .. }) => true,
                        Some(Who::Reviewer) => v.inspector_id == caller.account_id,
                        _ => false,
                    },
            }
        })
        .collect())
}

/// The next visit's day of works: the estate's interval after the last visit, or after the permit.
pub async fn next_visit<'e>(
    conn: &mut sqlx::AnyConnection,
    app: &AppDb,
) -> sqlx::Result<Option<NaiveDate>> {
    if !works::inspectable(app.state) {
        return Ok(None);
    }
    let (interval, _) = settings(&mut *conn, app.estate_id).await?;
    let (last,): (Option<String>,) =
        sqlx::query_as("select max(day) from renovation_inspection where renovation_id = $1")
            .bind(app.id)
            .fetch_one(&mut *conn)
            .await?;
    let permit_day = app.permit_at.as_deref().and_then(time::desk_day);
    Ok(permit_day.map(|p| works::next_due(last.as_deref().and_then(day), p, interval)))
}

/// What stands out about each of these applications' works (see [`works::flag`]).
pub async fn flags(pool: &AnyPool, apps: &[AppDb]) -> sqlx::Result<HashMap<i64, works::Flag>> {
    let today_text = time::desk_today();
    let Some(today) = day(&today_text) else {
        return Ok(HashMap::new());
    };
    let visited: Vec<&AppDb> = apps
        .iter()
        .filter(|a| works::inspectable(a.state))
        .collect();
    if visited.is_empty() {
        return Ok(HashMap::new());
    }
    // Ids are integers formatted here: nothing from outside reaches the SQL text.
    let ids = visited
        .iter()
        .map(|a| a.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let overdue: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(&format!(
        "select renovation_id, count(*) from renovation_violation \
         where renovation_id in ({ids}) and rectified_at is null and deadline < $1 group by renovation_id"
    ))
    .bind(&today_text)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let last: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(&format!(
        "select renovation_id, max(day) from renovation_inspection where renovation_id in ({ids}) group by renovation_id"
    ))
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let mut intervals: HashMap<i64, i64> = HashMap::new();
    let mut out = HashMap::new();
    for a in visited {
        let interval = match intervals.get(&a.estate_id) {
            Some(i) => *i,
            None => {
                let (i, _) = settings(pool, a.estate_id).await?;
                intervals.insert(a.estate_id, i);
                i
            }
        };
        let permit_day = a.permit_at.as_deref().and_then(time::desk_day);
        let due =
            permit_day.map(|p| works::next_due(last.get(&a.id).and_then(|l| day(l)), p, interval));
        let count = overdue.get(&a.id).copied().unwrap_or(0);
        if let Some(f) = works::flag(a.state, count, due, today) {
            out.insert(a.id, f);
        }
    }
    Ok(out)
}
