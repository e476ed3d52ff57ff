//! Renovation's reads and what its writes share: who the caller is to an
//! application ([`who`]), the estate's scope list (with the defaults written
//! on first use), the application page; the lists are in [`lists`]. The
//! writes are in [`apply`] (a new application), [`act`] (the state
//! machine's steps), [`money`] (the fees, the deposit and the permit),
//! [`works`] (the visits of works in progress), [`refund`] (deductions and
//! the deposit's refund), [`attachments`] (the application's drawings and
//! photos) and [`setup`] (the estate's settings).

pub mod act;
pub mod apply;
pub mod attachments;
pub mod deposit;
pub mod house;
pub mod lists;
pub mod money;
pub mod permit;
pub mod refund;
pub mod setup;
pub mod works;

pub use lists::{list, portal_list, reviews};

use sqlx::{AnyPool, FromRow};

use super::rules::{self, Who};
use super::*;
use crate::common::personal::{mask_id_number, mask_mobile};
use crate::common::{Caller, Lang, Role};
use crate::db::scope::scoped_estates;
use crate::error::AppError;
use crate::i18n::{tr, I18n};
use crate::ui::desk_minute;

/// The columns of [`AppDb`], in its order.
const COLUMNS: &str = "r.id, r.app_no, r.estate_id, r.house_id, h.number as house_number, r.state, r.channel, \
     r.applicant_id, res.name as applicant, r.applicant_role, r.owner_consent, r.contractor, r.licence_no, \
     r.foreman, r.foreman_mobile, r.planned_start, r.planned_end, r.description, r.last_reason, \
     r.created_at, r.updated_at, r.payment_id, r.permit_no, r.permit_at, r.extension_end";
const FROM: &str =
    "renovation r join house h on h.id = r.house_id join resident res on res.id = r.applicant_id";

/// An application as stored (the foreman's number unmasked: server only).
#[derive(Debug, Clone, FromRow)]
pub struct AppDb {
    pub id: i64,
    pub app_no: String,
    pub estate_id: i64,
    pub house_id: i64,
    pub house_number: String,
    pub state: State,
    pub channel: Channel,
    pub applicant_id: i64,
    pub applicant: String,
    pub applicant_role: OccupancyRole,
    pub owner_consent: String,
    pub contractor: String,
    pub licence_no: String,
    pub foreman: String,
    pub foreman_mobile: String,
    pub planned_start: String,
    pub planned_end: String,
    pub description: String,
    pub last_reason: String,
    pub created_at: String,
    pub updated_at: String,
    pub payment_id: Option<i64>,
    pub permit_no: Option<String>,
    pub permit_at: Option<String>,
    pub extension_end: Option<String>,
}

impl AppDb {
    fn row(&self) -> AppRow {
        AppRow {
            id: self.id,
            app_no: self.app_no.clone(),
            house_id: self.house_id,
            house_number: self.house_number.clone(),
            applicant: self.applicant.clone(),
            contractor: self.contractor.clone(),
            state: self.state,
            planned_start: self.planned_start.clone(),
            planned_end: self.planned_end.clone(),
            updated_at: desk_minute(&self.updated_at),
            flag: None,
        }
    }
}

/// One application, whoever may see it.
pub async fn find<'e>(ex: impl sqlx::AnyExecutor<'e>, id: i64) -> sqlx::Result<Option<AppDb>> {
    sqlx::query_as(&format!("select {COLUMNS} from {FROM} where r.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Whether `account` reviews renovations in `estate`.
pub async fn is_reviewer<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    estate_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "select account_id from renovation_reviewer where estate_id = $1 and account_id = $2",
    )
    .bind(estate_id)
    .bind(account_id)
    .fetch_optional(ex)
    .await?;
    Ok(found.is_some())
}

/// Who the caller is to an application: `Ok(Some(who))` when they may act on
/// it, `Ok(None)` when they may only read it (a resident of the house who did
/// not apply), and an error when it is not theirs to see — not found for a
/// resident (another house is not theirs to know of), forbidden for staff.
/// Asked inside a step's write too, so a reviewer struck off or an applicant
/// moved out meanwhile is seen.
pub async fn who(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    app: &AppDb,
) -> Result<Option<Who>, AppError> {
    match caller.role {
        Role::Admin | Role::Manager | Role::Clerk => {
            caller.check_estate(app.estate_id)?;
            Ok(Some(Who::Desk {
                manager: caller.role == Role::Manager,
            }))
        }
        Role::Maintenance => {
            caller.check_estate(app.estate_id)?;
            if is_reviewer(&mut *conn, app.estate_id, caller.account_id).await? {
                Ok(Some(Who::Reviewer))
            } else {
                Err(AppError::forbidden(
                    "not a renovation reviewer of the estate",
                ))
            }
        }
        Role::Resident => {
            // A resident of the house, for what was applied since their stay began.
            let sees = caller
                .residences
                .iter()
                .any(|r| r.house_id == app.house_id && app.created_at >= r.from);
            if !sees {
                return Err(AppError::NotFound);
            }
            // The applicant: the record that applied is one of the account's
            // (a person may hold two) and still lives in the house.
            let applied: Option<(i64,)> = sqlx::query_as(
                "select o.id from occupancy o join account_resident ar on ar.resident_id = o.resident_id \
                 where ar.account_id = $1 and o.resident_id = $2 and o.house_id = $3 and o.end_date is null \
                 limit 1",
            )
            .bind(caller.account_id)
            .bind(app.applicant_id)
            .bind(app.house_id)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(applied.map(|_| Who::Applicant))
        }
        Role::Security => Err(AppError::forbidden("security does not see renovations")),
    }
}

/// A scope item as stored.
#[derive(Debug, Clone, FromRow)]
struct ScopeDb {
    id: i64,
    code: Option<String>,
    name: String,
    prohibited: i64,
    rule: String,
}

impl ScopeDb {
    /// The item in the reader's language: the defaults by their code, the rest as written.
    fn to_rules(&self, lang: Lang) -> rules::Scope {
        let (name, rule) = match &self.code {
            Some(code) => (
                tr(lang, &format!("renovation.scope_code.{code}")),
                if self.prohibited == 1 {
                    tr(lang, &format!("renovation.rule_code.{code}"))
                } else {
                    String::new()
                },
            ),
            None => (self.name.clone(), self.rule.clone()),
        };
        rules::Scope {
            id: self.id,
            name,
            prohibited: self.prohibited == 1,
            rule,
        }
    }
}

/// The estate's live scope list, in its order, in the reader's language. An
/// estate that never had one starts with [`rules::DEFAULT_SCOPE`] (written
/// once: the unique code makes a second writer's insert do nothing).
pub async fn scope(
    db: &crate::db::Database,
    estate_id: i64,
    lang: Lang,
) -> sqlx::Result<Vec<rules::Scope>> {
    let pool = &db.pool;
    let exists = "select id from renovation_scope where estate_id = $1 limit 1";
    let any: Option<(i64,)> = sqlx::query_as(exists)
        .bind(estate_id)
        .fetch_optional(pool)
        .await?;
    if any.is_none() {
        // The whole default list in one write (a second writer's inserts do
        // nothing: the codes are unique), seen by readers all at once.
        let mut w = db
            .write(crate::db::audit::Actor::system("renovation scope"))
            .await?;
        let now = crate::db::time::now();
        for (position, (code, name, prohibited)) in rules::DEFAULT_SCOPE.iter().enumerate() {
            sqlx::query(
                "insert into renovation_scope (estate_id, code, name, prohibited, position, created_at) \
                 values ($1, $2, $3, $4, $5, $6) on conflict do nothing",
            )
            .bind(estate_id)
            .bind(*code)
            .bind(*name)
            .bind(i64::from(*prohibited))
            .bind(position as i64)
            .bind(&now)
            .execute(&mut *w)
            .await?;
        }
        w.commit().await?;
    }
    let rows: Vec<ScopeDb> = sqlx::query_as(
        "select id, code, name, prohibited, rule from renovation_scope \
         where estate_id = $1 and retired_at is null order by position, id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(|s| s.to_rules(lang)).collect())
}

/// The estate's settings, or the defaults (inspected weekly, the usual hours).
pub async fn settings<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    estate_id: i64,
) -> sqlx::Result<(i64, String)> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "select inspection_days, work_hours from renovation_setting where estate_id = $1",
    )
    .bind(estate_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.unwrap_or_else(|| (7, DEFAULT_WORK_HOURS.to_string())))
}

/// The working hours most estates allow noisy work in.
pub const DEFAULT_WORK_HOURS: &str = "08:00–12:00，14:00–18:00（法定节假日不得进行噪音施工）";

#[derive(FromRow)]
struct WorkerDb {
    id: i64,
    name: String,
    mobile: String,
    id_number: String,
}

#[derive(FromRow)]
struct ItemDb {
    code: Option<String>,
    name: String,
    note: String,
}

/// An application's scope items, in the reader's language.
pub async fn items_of(pool: &AnyPool, id: i64, lang: Lang) -> sqlx::Result<Vec<ItemView>> {
    let items: Vec<ItemDb> = sqlx::query_as(
        "select s.code, s.name, i.note from renovation_item i join renovation_scope s on s.id = i.scope_id \
         where i.renovation_id = $1 order by s.position, s.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(items
        .into_iter()
        .map(|i| ItemView {
            name: match i.code {
                Some(code) => tr(lang, &format!("renovation.scope_code.{code}")),
                None => i.name,
            },
            note: i.note,
        })
        .collect())
}

#[derive(FromRow)]
struct EventDb {
    by_staff: i64,
    actor_name: String,
    action: String,
    from_state: Option<State>,
    to_state: State,
    note: String,
    at: String,
}

/// One application's page, for whoever may see it (see [`who`]).
pub async fn page(pool: &AnyPool, caller: &Caller, id: i64) -> Result<AppPage, AppError> {
    let app = find(pool, id).await?.ok_or(AppError::NotFound)?;
    let who = who(&mut *pool.acquire().await?, caller, &app).await?;
    let lang = caller.lang;
    let (estate_name,): (String,) = sqlx::query_as("select name from estate where id = $1")
        .bind(app.estate_id)
        .fetch_one(pool)
        .await?;
    let workers: Vec<WorkerDb> = sqlx::query_as(
        "select id, name, mobile, id_number from renovation_worker where renovation_id = $1 order by position, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let items = items_of(pool, id, lang).await?;
    let events: Vec<EventDb> = sqlx::query_as(
        "select by_staff, actor_name, action, from_state, to_state, note, at from renovation_event \
         where renovation_id = $1 order by id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let resident = caller.role == Role::Resident;
    let inspections = works::visits_of(pool, caller, &app, who).await?;
    let next_visit = works::next_visit(&mut *pool.acquire().await?, &app).await?;
    let open_violations = works::open_violations(pool, id).await?;
    let timeline = events
        .into_iter()
        .map(|e| EventView {
            at: desk_minute(&e.at),
            // The portal names no staff: the service centre acted.
            actor: if resident && e.by_staff == 1 {
                tr(lang, "renovation.actor.centre")
            } else {
                e.actor_name
            },
            action: Action::parse(&e.action),
            from: e.from_state,
            to: e.to_state,
            note: e.note,
        })
        .collect();
    Ok(AppPage {
        id: app.id,
        app_no: app.app_no.clone(),
        estate_id: app.estate_id,
        estate_name,
        house_id: app.house_id,
        house_number: app.house_number.clone(),
        state: app.state,
        channel: app.channel,
        applicant: app.applicant.clone(),
        applicant_role: app.applicant_role,
        owner_consent: app.owner_consent.clone(),
        contractor: app.contractor.clone(),
        licence_no: app.licence_no.clone(),
        foreman: app.foreman.clone(),
        foreman_mobile_masked: mask_mobile(&app.foreman_mobile),
        planned_start: app.planned_start.clone(),
        planned_end: app.planned_end.clone(),
        description: app.description.clone(),
        last_reason: app.last_reason.clone(),
        workers: workers
            .into_iter()
            .map(|w| WorkerView {
                id: w.id,
                name: w.name,
                mobile_masked: mask_mobile(&w.mobile),
                id_masked: mask_id_number(&w.id_number),
            })
            .collect(),
        items,
        timeline,
        offered: who
            .map(|w| rules::offered(app.state, w))
            .unwrap_or_default()
            .into_iter()
            .filter(|a| act::WIRED.contains(a))
            // Passed only once every violation is put right: not offered before.
            .filter(|a| !(*a == Action::PassAcceptance && open_violations > 0))
            .collect(),
        can_reveal: matches!(who, Some(Who::Desk { .. })),
        fees: fees(pool, &app, who).await?,
        permit_no: app.permit_no.clone().unwrap_or_default(),
        inspections,
        can_inspect: super::works::inspectable(app.state)
            && matches!(who, Some(Who::Reviewer | Who::Desk { .. })),
        next_visit: next_visit.map(crate::db::time::date_to_db).unwrap_or_default(),
        visit_due: next_visit
            .is_some_and(|d| crate::db::time::date_to_db(d) <= crate::db::time::desk_today()),
        extension_end: app.extension_end.clone().unwrap_or_default(),
        open_violations,
        deposit: deposit::deposit_view(pool, caller, &app, who).await?,
        attachments: attachments::ids_of(pool, id).await?,
        can_add_attachments: rules::attaches(app.state, who),
    })
}

/// Where re-encoded images are kept: a visit's photos, an application's drawings and photos.
#[derive(Debug, Clone, Copy)]
enum Images {
    /// `renovation_photo`, by visit.
    Visit,
    /// `renovation_attachment`, by application.
    Application,
}

/// Keeps re-encoded images of `owner_id` (the visit, the application) in
/// write `w`, by its author, now: the one insert of both tables.
async fn keep_images(
    w: &mut crate::db::Write,
    images: Images,
    owner_id: i64,
    photos: &[crate::repairs::photo::Encoded],
) -> sqlx::Result<()> {
    let (table, owner) = match images {
        Images::Visit => ("renovation_photo", "inspection_id"),
        Images::Application => ("renovation_attachment", "renovation_id"),
    };
    // Both names are this function's own: nothing from outside reaches the SQL text.
    let sql = format!(
        "insert into {table} ({owner}, content, thumb, width, height, created_by, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7)"
    );
    let by = w.actor().account_id;
    let now = crate::db::time::now();
    for p in photos {
        sqlx::query(&sql)
            .bind(owner_id)
            .bind(p.jpeg.as_slice())
            .bind(p.thumb.as_slice())
            .bind(i64::from(p.width))
            .bind(i64::from(p.height))
            .bind(by)
            .bind(&now)
            .execute(&mut **w)
            .await?;
    }
    Ok(())
}

#[derive(FromRow)]
struct RaisedDb {
    name: String,
    amount_fen: i64,
    held: i64,
}

/// An approved application's fees: the estate's charges until paid, then the
/// lines raised and their receipt; the permit's conditions for the desk.
async fn fees(pool: &AnyPool, app: &AppDb, who: Option<Who>) -> Result<Option<Fees>, AppError> {
    let approved = matches!(
        app.state,
        State::Payment
            | State::Works
            | State::Extension
            | State::Suspended
            | State::Acceptance
            | State::Rectifying
            | State::Refund
            | State::Closed
    );
    if !approved && app.payment_id.is_none() {
        return Ok(None);
    }
    let lines: Vec<ChargeLine> = match app.payment_id {
        Some(_) => {
            let raised: Vec<RaisedDb> = sqlx::query_as(
                "select f.name, l.amount_fen, f.held from renovation_line rl join bill_line l on l.id = rl.line_id \
                 join fee_item f on f.id = l.fee_item_id where rl.renovation_id = $1 order by l.id",
            )
            .bind(app.id)
            .fetch_all(pool)
            .await?;
            raised
                .into_iter()
                .map(|r| ChargeLine {
                    name: r.name,
                    amount_fen: r.amount_fen,
                    held: r.held == 1,
                })
                .collect()
        }
        None => money::charges(pool, app.estate_id)
            .await?
            .into_iter()
            .map(|c| ChargeLine {
                name: c.name,
                amount_fen: c.amount_fen,
                held: c.held == 1,
            })
            .collect(),
    };
    // The payment while it stands; what is still to take (a reversed
    // payment's lines as they stand, with their late fees).
    let standing = money::standing_payment(pool, app.id).await?;
    let desk = matches!(who, Some(Who::Desk { .. }));
    let waiting = app.state == State::Payment;
    let mut conn = pool.acquire().await?;
    let raised = money::raised_lines(&mut conn, app).await?;
    drop(conn);
    // Not yet raised, `lines` are the estate's charges.
    let settled = money::money_in(&raised, lines.is_empty());
    let total_fen: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let due_fen = if raised.is_empty() {
        total_fen
    } else {
        raised
            .iter()
            .filter(|(l, _)| l.outstanding() > 0)
            .map(|(l, fee)| l.outstanding() + fee)
            .sum()
    };
    Ok(Some(Fees {
        total_fen,
        due_fen,
        lines,
        receipt_no: standing.as_ref().map(|(_, r)| r.clone()),
        payment_id: standing.as_ref().map(|(p, _)| *p),
        arrears_fen: if waiting {
            money::arrears(pool, app.house_id).await?
        } else {
            0
        },
        request_key: crate::billing::db::new_request_key(),
        can_pay: desk && waiting && !settled,
        can_issue: desk && waiting && settled,
    }))
}

/// Who may apply for a house: its owners and co-owners, and its tenants,
/// owners first; `account`: only that account's own records (a resident
/// applying in the portal, who may hold two).
pub async fn applicants<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
    account: Option<i64>,
) -> sqlx::Result<Vec<ApplicantChoice>> {
    let own = if account.is_some() {
        "and exists (select 1 from account_resident ar where ar.resident_id = r.id and ar.account_id = $2)"
    } else {
        "and $2 = 0"
    };
    sqlx::query_as(&format!(
        "select r.id as resident_id, r.name, o.role from occupancy o join resident r on r.id = o.resident_id \
         where o.house_id = $1 and o.end_date is null and o.role in ('owner', 'co_owner', 'tenant') {own} \
         order by case o.role when 'owner' then 0 when 'co_owner' then 1 else 2 end, r.name, r.id"
    ))
    .bind(house_id)
    .bind(account.unwrap_or(0))
    .fetch_all(ex)
    .await
}

/// The open application of a house, if any.
pub async fn open_of<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(&format!(
        "select id from renovation where house_id = $1 and state not in ({})",
        lists::in_states(&[State::Closed, State::Rejected, State::Withdrawn])
    ))
    .bind(house_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// The application form for a house: who may apply (for a resident, only
/// themselves), the scope list, the estate's working hours.
pub async fn apply_page(
    db: &crate::db::Database,
    caller: &Caller,
    house_id: i64,
    estate_id: i64,
    number: &str,
) -> Result<ApplyPage, AppError> {
    let pool = &db.pool;
    let resident = caller.role == Role::Resident;
    // The desk's house-number box: the house of that number in one of its estates.
    let house_id = if house_id <= 0 && !resident {
        caller.check_estate(estate_id)?;
        let found: Option<(i64,)> =
            sqlx::query_as("select id from house where estate_id = $1 and number = $2")
                .bind(estate_id)
                .bind(number.trim())
                .fetch_optional(pool)
                .await?;
        found.map(|(id,)| id).ok_or_else(|| {
            AppError::Rule(
                I18n(caller.lang).f("renovation.no_such_house", &[("number", number.trim())]),
            )
        })?
    } else {
        house_id
    };
    let house: Option<(i64, String)> =
        sqlx::query_as("select estate_id, number from house where id = $1")
            .bind(house_id)
            .fetch_optional(pool)
            .await?;
    let (estate_id, house_number) = house.ok_or(AppError::NotFound)?;
    if resident {
        if !caller.residences.iter().any(|r| r.house_id == house_id) {
            return Err(AppError::NotFound);
        }
    } else {
        caller.check_estate(estate_id)?;
    }
    // A resident applies as their own best record in the house.
    let mut applicants = applicants(pool, house_id, resident.then_some(caller.account_id)).await?;
    if resident {
        applicants.truncate(1);
    }
    let scope = scope(db, estate_id, caller.lang).await?;
    let (_, work_hours) = settings(pool, estate_id).await?;
    // An application under way: shown to whoever may see it; a resident who
    // may not (one made before they moved in) is told to ask the desk.
    let open = match open_of(pool, house_id).await? {
        Some(id) => find(pool, id).await?,
        None => None,
    };
    let (open_id, open_elsewhere) = match open {
        Some(app) => match who(&mut *pool.acquire().await?, caller, &app).await {
            Ok(_) => (Some(app.id), false),
            Err(_) => (None, true),
        },
        None => (None, false),
    };
    Ok(ApplyPage {
        house_id,
        house_number,
        applicants,
        scope: scope
            .into_iter()
            .map(|s| ScopeChoice {
                id: s.id,
                name: s.name,
            })
            .collect(),
        work_hours,
        open_id,
        open_elsewhere,
        today: crate::db::time::desk_today(),
    })
}

/// A resident's portal page: their applications and the houses they may apply for.
pub async fn portal_page(pool: &AnyPool, caller: &Caller) -> Result<PortalApps, AppError> {
    let rows = portal_list(pool, caller).await?;
    let mut houses = Vec::new();
    for r in &caller.residences {
        let house: Option<(i64, String)> =
            sqlx::query_as("select estate_id, number from house where id = $1")
                .bind(r.house_id)
                .fetch_optional(pool)
                .await?;
        let Some((_, number)) = house else {
            continue;
        };
        let may = !applicants(pool, r.house_id, Some(caller.account_id))
            .await?
            .is_empty();
        if may {
            houses.push(Choice {
                id: r.house_id,
                name: number,
            });
        }
    }
    Ok(PortalApps { rows, houses })
}

/// The full number of the foreman (`worker_id` none) or of a worker, for the
/// desk of the estate; every reveal is in the operation log.
pub async fn reveal(
    pool: &AnyPool,
    actor: &crate::db::audit::Actor,
    caller: &Caller,
    id: i64,
    worker_id: Option<i64>,
    field: crate::estate::PersonalField,
) -> Result<String, AppError> {
    use crate::common::{AuditAction, AuditEntity};
    use crate::db::audit::Change;
    use crate::estate::PersonalField;
    let app = find(pool, id).await?.ok_or(AppError::NotFound)?;
    if !matches!(
        who(&mut *pool.acquire().await?, caller, &app).await?,
        Some(Who::Desk { .. })
    ) {
        return Err(AppError::forbidden(
            "only the desk reveals a worker's details",
        ));
    }
    let (value, entity, entity_id) = match worker_id {
        None if field == PersonalField::Mobile => {
            (app.foreman_mobile.clone(), AuditEntity::Renovation, id)
        }
        None => return Err(AppError::NotFound),
        Some(w) => {
            let found: Option<(String, String)> = sqlx::query_as(
                "select mobile, id_number from renovation_worker where id = $1 and renovation_id = $2",
            )
            .bind(w)
            .bind(id)
            .fetch_optional(pool)
            .await?;
            let (mobile, id_number) = found.ok_or(AppError::NotFound)?;
            let value = if field == PersonalField::Mobile {
                mobile
            } else {
                id_number
            };
            (value, AuditEntity::RenovationWorker, w)
        }
    };
    let action = match field {
        PersonalField::Mobile => AuditAction::RevealMobile,
        PersonalField::IdNumber => AuditAction::RevealIdNumber,
    };
    crate::db::audit::record(
        pool,
        actor,
        Change::new(action, entity)
            .id(entity_id)
            .estate(app.estate_id),
    )
    .await?;
    Ok(value)
}

/// Turns the rules' problems into the refusal the form shows, in `lang`.
pub fn refused(lang: Lang, problems: Vec<rules::Problem>) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|p| {
                let args: Vec<(&str, &str)> =
                    p.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                crate::error::FieldError {
                    field: p.field,
                    message: I18n(lang).f(p.key, &args),
                }
            })
            .collect(),
    )
}
