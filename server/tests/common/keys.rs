//! Key custody's test desk: the demo estate with a cabinet, its manager and
//! clerk, and the calls and checks the key tests make (`key_incidents.rs`,
//! `key_edges.rs`).

use super::TestDb;
use app::common::{Caller, EstateScope, KeyCopyId, Lang, Role};
use app::db::audit::Actor;
use app::db::Database;
use app::error::AppError;
use app::keys::db::{lend, register};
use app::keys::rules::LendForm;
use app::keys::CopyStatus;
use app::repairs::db::{self as repairs, NewTicket, Viewer};
use app::security::hashing::Hasher;
use chrono::{Duration, FixedOffset, Utc};

/// Someone signed in, as the desk's and the portal's code see them.
pub struct Person {
    pub id: i64,
    pub actor: Actor,
    pub caller: Caller,
}

/// The demo estate 翠湖花园 (CH) with a key cabinet, its manager and clerk.
pub struct Counter {
    pub db: Database,
    pub engine: &'static str,
    pub ch: i64,
    pub jx: i64,
    pub manager: Person,
    pub clerk: Person,
    pub cabinet: i64,
}

pub async fn one(db: &Database, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
    n
}

pub async fn text_of(db: &Database, sql: &str) -> String {
    let (s,): (String,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
    s
}

pub fn person(
    id: i64,
    name: String,
    role: Role,
    scope: EstateScope,
    resident_id: Option<i64>,
) -> Person {
    Person {
        id,
        actor: Actor {
            account_id: Some(id),
            name: name.clone(),
            ip: None,
        },
        caller: Caller {
            account_id: id,
            role,
            display_name: name,
            lang: Lang::Zh,
            scope,
            resident_id,
            residences: Vec::new(),
        },
    }
}

pub async fn staff(db: &Database, username: &str, estate: i64) -> Person {
    let (id, name, role): (i64, String, String) =
        sqlx::query_as("select id, display_name, role from account where username = $1")
            .bind(username)
            .fetch_one(&db.pool)
            .await
            .expect("account");
    person(
        id,
        name,
        Role::parse(&role).expect("role"),
        EstateScope::Only(vec![estate]),
        None,
    )
}

/// A new account of `role` working for `estate` (as the admin pages store it).
pub async fn new_staff(
    db: &Database,
    username: &str,
    name: &str,
    role: &str,
    estate: i64,
) -> Person {
    let (id,): (i64,) = sqlx::query_as(
        "insert into account (role, username, display_name, password_hash, created_at, updated_at) \
         values ($1, $2, $3, 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') returning id",
    )
    .bind(role)
    .bind(username)
    .bind(name)
    .fetch_one(&db.pool)
    .await
    .expect("account");
    sqlx::query("insert into account_estate (account_id, estate_id) values ($1, $2)")
        .bind(id)
        .bind(estate)
        .execute(&db.pool)
        .await
        .expect("estate");
    staff(db, username, estate).await
}

/// A resident signed in to the portal: their account (made if they have none)
/// and their houses, each from the start of their own occupancy, as a
/// request resolves them.
pub async fn resident(db: &Database, resident_id: i64) -> Person {
    let existing: Option<(i64, String)> =
        sqlx::query_as("select id, display_name from account where resident_id = $1")
            .bind(resident_id)
            .fetch_optional(&db.pool)
            .await
            .expect("account");
    let (id, name) = match existing {
        Some(found) => found,
        None => sqlx::query_as(
            "insert into account (role, mobile, display_name, password_hash, resident_id, created_at, updated_at) \
             select 'resident', mobile, name, 'x', id, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
             from resident where id = $1 returning id, display_name",
        )
        .bind(resident_id)
        .fetch_one(&db.pool)
        .await
        .expect("resident account"),
    };
    let mut p = person(
        id,
        name,
        Role::Resident,
        EstateScope::Only(Vec::new()),
        Some(resident_id),
    );
    p.caller.residences = app::auth::residence::residences(&db.pool, resident_id)
        .await
        .expect("residences");
    p
}

pub async fn counter(t: &TestDb) -> Counter {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let db = t.open().await;
    server::demo::load(&db, &Hasher::new(1).expect("hasher"), "Demo-Estate-2026!")
        .await
        .expect("demo");
    let ch = one(&db, "select id from estate where code = 'CH'").await;
    let jx = one(&db, "select id from estate where code = 'JX'").await;
    let manager = staff(&db, "manager", ch).await;
    let clerk = staff(&db, "clerk", ch).await;
    let cabinet = register::add_cabinet(
        &db,
        &manager.actor,
        &manager.caller,
        Lang::Zh,
        ch,
        "前台钥匙柜",
        "服务中心前台",
        "4",
        "10",
    )
    .await
    .expect("cabinet");
    Counter {
        db,
        engine: t.engine,
        ch,
        jx,
        manager,
        clerk,
        cabinet,
    }
}

/// A let house of CH no demo key opens: its id, number, owner and tenant.
pub struct Rented {
    pub id: i64,
    pub number: String,
    pub owner: i64,
    pub tenant: i64,
}

impl Counter {
    /// Registers a key of `kind` for a house of CH in `cabinet`, by the manager; the first copy.
    pub async fn key_in(
        &self,
        cabinet: i64,
        kind: &str,
        house: &str,
        hook: &str,
        copies: &str,
    ) -> KeyCopyId {
        let key = register::NewKey {
            estate_id: self.ch,
            kind: kind.into(),
            house_number: house.into(),
            cabinet_id: cabinet.to_string(),
            hook: hook.into(),
            copies: copies.into(),
            reason: "业主要求多留一把".into(),
            ..Default::default()
        };
        let m = &self.manager;
        if kind == "unhanded" {
            // An unhanded key's house is one not yet handed over (the demo's flats are lived in).
            sqlx::query(
                "update house set status = 'not_handed_over' where estate_id = $1 and number = $2",
            )
            .bind(self.ch)
            .bind(house)
            .execute(&self.db.pool)
            .await
            .expect("a house not handed over");
        }
        register::register(&self.db, &m.actor, &m.caller, Lang::Zh, &key)
            .await
            .expect("register")
    }

    pub async fn key(&self, kind: &str, house: &str, hook: &str, copies: &str) -> KeyCopyId {
        self.key_in(self.cabinet, kind, house, hook, copies).await
    }

    /// The copies of the key of `first`, by copy number.
    pub async fn copies(&self, first: KeyCopyId) -> Vec<KeyCopyId> {
        let rows: Vec<(KeyCopyId,)> = sqlx::query_as(
            "select id from key_copy where key_set_id = (select key_set_id from key_copy where id = $1) order by copy_no",
        )
        .bind(first)
        .fetch_all(&self.db.pool)
        .await
        .expect("copies");
        rows.into_iter().map(|(id,)| id).collect()
    }

    pub async fn set_of(&self, copy: KeyCopyId) -> i64 {
        one(
            &self.db,
            &format!("select key_set_id from key_copy where id = {}", copy.0),
        )
        .await
    }

    pub async fn tag(&self, copy: KeyCopyId) -> String {
        text_of(
            &self.db,
            &format!("select tag from key_copy where id = {}", copy.0),
        )
        .await
    }

    pub async fn status(&self, copy: KeyCopyId) -> String {
        text_of(
            &self.db,
            &format!("select status from key_copy where id = {}", copy.0),
        )
        .await
    }

    pub async fn house(&self, number: &str) -> i64 {
        let sql = format!(
            "select id from house where estate_id = {} and number = '{number}'",
            self.ch
        );
        one(&self.db, &sql).await
    }

    pub async fn rented(&self) -> Rented {
        let (id, number, owner, tenant): (i64, String, i64, i64) = sqlx::query_as(
            "select h.id, h.number, o.resident_id, t.resident_id from house h \
             join occupancy o on o.house_id = h.id and o.role = 'owner' and o.end_date is null \
             join occupancy t on t.house_id = h.id and t.role = 'tenant' and t.end_date is null \
             where h.estate_id = $1 and h.number not in ('1-1-101', '1-1-202', '2-1-201') \
             order by h.id limit 1",
        )
        .bind(self.ch)
        .fetch_one(&self.db.pool)
        .await
        .expect("a let house in the demo");
        Rented {
            id,
            number,
            owner,
            tenant,
        }
    }

    pub async fn account(&self, username: &str) -> i64 {
        one(
            &self.db,
            &format!("select id from account where username = '{username}'"),
        )
        .await
    }

    /// A check-out by a member of staff, authorised by the manager, due in two hours.
    pub async fn form(&self, taker: &str, purpose: &str) -> LendForm {
        LendForm {
            taker_kind: "staff".into(),
            taker_account_id: self.account(taker).await.to_string(),
            purpose: purpose.into(),
            authorised_by: self.manager.id.to_string(),
            due: due_in(2),
            // An emergency (or other purpose) says what it is.
            note: "楼下报渗水，入户查看".into(),
            signed_on_paper: true,
            ..LendForm::default()
        }
    }

    pub async fn lend(&self, copy: KeyCopyId, form: &LendForm) -> Result<i64, AppError> {
        let c = &self.clerk;
        lend::lend(&self.db, &c.actor, &c.caller, Lang::Zh, copy, form).await
    }

    pub async fn give_back(&self, copy: KeyCopyId) -> Result<CopyStatus, AppError> {
        let c = &self.clerk;
        lend::give_back(
            &self.db,
            &c.actor,
            &c.caller,
            Lang::Zh,
            copy,
            "张师傅",
            "good",
            "",
        )
        .await
    }

    /// The owner's written authorisation of an entrusted key, for repairs, this month.
    pub async fn authorise(&self, copy: KeyCopyId, owner: i64) -> i64 {
        let c = &self.clerk;
        let (from, until) = (desk_day(0), desk_day(30));
        register::authorise(
            &self.db,
            &c.actor,
            &c.caller,
            Lang::Zh,
            copy,
            owner,
            "repairs",
            "",
            &from,
            &until,
        )
        .await
        .expect("authorise")
    }

    /// The copy's key-log lines, oldest first.
    pub async fn log(&self, copy: KeyCopyId) -> Vec<String> {
        let rows: Vec<(String,)> =
            sqlx::query_as("select action from key_event where copy_id = $1 order by id")
                .bind(copy)
                .fetch_all(&self.db.pool)
                .await
                .expect("log");
        rows.into_iter().map(|(a,)| a).collect()
    }

    pub async fn ticket(&self, house: &str) -> i64 {
        repairs::create(
            &self.db,
            &self.clerk.actor,
            Lang::Zh,
            &Viewer::Desk(EstateScope::All),
            NewTicket {
                estate_id: self.ch,
                house_number: house.into(),
                category: "water".into(),
                description: "卫生间漏水，业主不在家".into(),
                urgency: "urgent".into(),
                source: "phone".into(),
                reporter_name: "王建国".into(),
                reporter_phone: "13800000001".into(),
                ..Default::default()
            },
        )
        .await
        .expect("ticket")
    }
}

pub fn desk_now() -> chrono::DateTime<FixedOffset> {
    Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
}

/// Desk time `hours` from now, as the form's `datetime-local` sends it.
pub fn due_in(hours: i64) -> String {
    (desk_now() + Duration::hours(hours))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The desk's day `days` from today, `YYYY-MM-DD`.
pub fn desk_day(days: i64) -> String {
    (desk_now().date_naive() + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

pub fn field_error<T: std::fmt::Debug>(r: &Result<T, AppError>, field: &str) -> String {
    match r {
        Err(e @ AppError::Invalid(_)) => e
            .field_message(field)
            .unwrap_or_else(|| panic!("no error on {field}: {e:?}")),
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}

pub fn rule<T: std::fmt::Debug>(r: &Result<T, AppError>) -> String {
    match r {
        Err(AppError::Rule(m)) => m.clone(),
        other => panic!("expected a rule refusal, got {other:?}"),
    }
}

pub fn forbidden<T: std::fmt::Debug>(r: &Result<T, AppError>, what: &str) {
    assert!(
        matches!(r, Err(AppError::Forbidden)),
        "{what}: expected Forbidden, got {r:?}"
    );
}

/// `sql` is refused by the database, with `words` in its message.
pub async fn refused(db: &Database, e: &str, sql: &str, words: &str) {
    match sqlx::query(sql).execute(&db.pool).await {
        Err(sqlx::Error::Database(d)) => {
            assert!(d.message().contains(words), "{e} {sql}: {}", d.message())
        }
        other => panic!("{e}: {sql} must fail, got {other:?}"),
    }
}

/// A 60 × 20 PNG with a stroke on it, as a signature pad sends it.
pub fn signature() -> String {
    use base64::Engine;
    let mut img = image::RgbaImage::new(60, 20);
    for x in 5..55 {
        img.put_pixel(x, 10 + (x % 3), image::Rgba([10, 10, 40, 255]));
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}
