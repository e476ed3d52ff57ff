//! Key custody on SQLite and PostgreSQL: two desks lending one copy at once,
//! a loan for a repair ticket of the key's own house, the append-only key
//! log and loans, returns (a damaged key is retired), owners' authorisations
//! of entrusted keys, another estate's clerk refused, a backup copy's use
//! reported, and drawn signatures.

mod common;

use app::common::{Caller, EstateScope, KeyCopyId, Lang, Role};
use app::db::audit::Actor;
use app::db::Database;
use app::error::AppError;
use app::keys::db::{self as keys, lend, register};
use app::keys::rules::LendForm;
use app::keys::{CopyStatus, IncidentKind, Purpose};
use app::repairs::db::{self as repairs, NewTicket, Viewer};
use app::security::hashing::Hasher;
use chrono::{Duration, FixedOffset, Utc};
use common::TestDb;

/// A member of staff as the desk's code sees them.
struct Staff {
    id: i64,
    actor: Actor,
    caller: Caller,
}

/// The demo estate 翠湖花园 (CH) with a key cabinet, its manager and clerk.
struct Counter {
    db: Database,
    engine: &'static str,
    ch: i64,
    jx: i64,
    manager: Staff,
    clerk: Staff,
    cabinet: i64,
}

async fn one(db: &Database, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
    n
}

async fn text_of(db: &Database, sql: &str) -> String {
    let (s,): (String,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
    s
}

async fn staff(db: &Database, username: &str, estate: i64) -> Staff {
    let (id, name, role): (i64, String, String) =
        sqlx::query_as("select id, display_name, role from account where username = $1")
            .bind(username)
            .fetch_one(&db.pool)
            .await
            .expect("account");
    Staff {
        id,
        actor: Actor {
            account_id: Some(id),
            name: name.clone(),
            ip: None,
        },
        caller: Caller {
            account_id: id,
            role: Role::parse(&role).expect("role"),
            display_name: name,
            lang: Lang::Zh,
            scope: EstateScope::Only(vec![estate]),
            resident_id: None,
            residences: Vec::new(),
        },
    }
}

/// A new account of `role` working for `estate` (as the admin pages store it).
async fn new_staff(db: &Database, username: &str, name: &str, role: &str, estate: i64) -> Staff {
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

async fn counter(t: &TestDb) -> Counter {
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

impl Counter {
    /// Registers a key of `kind` for a house of CH, by the manager; the first copy.
    async fn key(&self, kind: &str, house: &str, hook: &str, copies: &str) -> KeyCopyId {
        let key = self.new_key(kind, house, hook, copies, "业主要求多留一把");
        self.register_as(&self.manager, key)
            .await
            .expect("register")
    }

    fn new_key(
        &self,
        kind: &str,
        house: &str,
        hook: &str,
        copies: &str,
        reason: &str,
    ) -> register::NewKey {
        register::NewKey {
            estate_id: self.ch,
            kind: kind.into(),
            house_number: house.into(),
            cabinet_id: self.cabinet.to_string(),
            hook: hook.into(),
            copies: copies.into(),
            reason: reason.into(),
            ..Default::default()
        }
    }

    async fn account(&self, username: &str) -> i64 {
        let sql = format!("select id from account where username = '{username}'");
        one(&self.db, &sql).await
    }

    /// A check-out by a member of staff, authorised by the manager, due in two hours.
    async fn form(&self, taker: &str, purpose: &str) -> LendForm {
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

    async fn lend(&self, by: &Staff, copy: KeyCopyId, form: &LendForm) -> Result<i64, AppError> {
        lend::lend(&self.db, &by.actor, &by.caller, Lang::Zh, copy, form).await
    }

    async fn give_back(
        &self,
        copy: KeyCopyId,
        condition: &str,
        note: &str,
    ) -> Result<CopyStatus, AppError> {
        lend::give_back(
            &self.db,
            &self.clerk.actor,
            &self.clerk.caller,
            Lang::Zh,
            copy,
            "张师傅",
            condition,
            note,
        )
        .await
    }

    /// The copy's status and its loans, all and open: `"out 1/1"`.
    async fn state(&self, copy: KeyCopyId) -> String {
        let (status, all, open): (String, i64, i64) = sqlx::query_as(
            "select c.status, count(l.id), count(l.id) - count(l.returned_at) \
             from key_copy c left join key_loan l on l.copy_id = c.id where c.id = $1 group by c.status",
        )
        .bind(copy)
        .fetch_one(&self.db.pool)
        .await
        .expect("state");
        format!("{status} {all}/{open}")
    }

    async fn register_as(&self, by: &Staff, key: register::NewKey) -> Result<KeyCopyId, AppError> {
        not_yet_handed_over(&self.db, self.ch, &key).await;
        register::register(&self.db, &by.actor, &by.caller, Lang::Zh, &key).await
    }

    /// The copy's key-log lines, oldest first.
    async fn log(&self, copy: KeyCopyId) -> Vec<String> {
        let rows: Vec<(String,)> =
            sqlx::query_as("select action from key_event where copy_id = $1 order by id")
                .bind(copy)
                .fetch_all(&self.db.pool)
                .await
                .expect("log");
        rows.into_iter().map(|(a,)| a).collect()
    }

    async fn audited_lends(&self) -> i64 {
        let sql = "select count(*) from audit_log where action = 'lend_key'";
        one(&self.db, sql).await
    }

    /// Files an open repair ticket on a house of CH at the desk.
    async fn ticket(&self, house: &str) -> i64 {
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

/// Now at the desk: China Standard Time, UTC+8.
fn desk_now() -> chrono::DateTime<FixedOffset> {
    Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
}

/// Desk time `hours` from now, as the form's `datetime-local` sends it.
fn due_in(hours: i64) -> String {
    (desk_now() + Duration::hours(hours))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The desk's day `days` from today, `YYYY-MM-DD`.
fn desk_day(days: i64) -> String {
    (desk_now().date_naive() + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// The message on `field`, or a panic naming what came instead.
fn field_error<T: std::fmt::Debug>(r: &Result<T, AppError>, field: &str) -> String {
    match r {
        Err(e @ AppError::Invalid(_)) => e
            .field_message(field)
            .unwrap_or_else(|| panic!("no error on {field}: {e:?}")),
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}

fn rule<T: std::fmt::Debug>(r: &Result<T, AppError>) -> String {
    match r {
        Err(AppError::Rule(m)) => m.clone(),
        other => panic!("expected a rule refusal, got {other:?}"),
    }
}

/// A 60 × 20 PNG as a signature pad sends it; `draw` puts a stroke on it.
fn signature(draw: bool) -> String {
    use base64::Engine;
    let mut img = image::RgbaImage::new(60, 20);
    if draw {
        for x in 5..55 {
            img.put_pixel(x, 10 + (x % 3), image::Rgba([10, 10, 40, 255]));
        }
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// An unhanded key's house is one not yet handed over (the demo's flats are lived in).
async fn not_yet_handed_over(db: &app::db::Database, estate: i64, key: &register::NewKey) {
    if key.kind == "unhanded" {
        sqlx::query(
            "update house set status = 'not_handed_over' where estate_id = $1 and number = $2",
        )
        .bind(estate)
        .bind(&key.house_number)
        .execute(&db.pool)
        .await
        .expect("a house not handed over");
    }
}

#[tokio::test]
async fn two_desks_lending_one_copy_at_once_one_wins_and_the_other_is_told_who_has_it() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let copy = c.key("unhanded", "1-1-101", "A01", "1").await;
        let zhang = c.form("maintenance", "inspection").await;
        let liu = c.form("maintenance2", "inspection").await;
        for round in 1..=5 {
            let (ra, rb) = tokio::join!(
                c.lend(&c.clerk, copy, &zhang),
                c.lend(&c.manager, copy, &liu)
            );
            let (winner, loser) = match (&ra, &rb) {
                (Ok(_), Err(_)) => ("张师傅", rb),
                (Err(_), Ok(_)) => ("刘师傅", ra),
                _ => panic!("{e} round {round}: exactly one wins: {ra:?} {rb:?}"),
            };
            match loser {
                Err(AppError::Conflict(m)) => {
                    assert!(
                        m.contains(&format!("已被 {winner} 于")) && m.contains("领用"),
                        "{e}: {m}"
                    )
                }
                other => panic!("{e} round {round}: the loser is told who has it, got {other:?}"),
            }
            let sql = format!(
                "select taker_name from key_loan where copy_id = {} and returned_at is null",
                copy.0
            );
            assert_eq!(text_of(&c.db, &sql).await, winner, "{e}");
            assert_eq!(
                c.state(copy).await,
                format!("out {round}/1"),
                "{e}: one open loan"
            );
            let lends = c.log(copy).await.iter().filter(|a| *a == "lend").count();
            assert_eq!(lends, round, "{e}: one lend logged per round");
            assert_eq!(
                c.give_back(copy, "good", "").await.expect("back"),
                CopyStatus::InCabinet
            );
        }
    }
}

#[tokio::test]
async fn a_repair_loan_names_an_open_ticket_of_the_keys_own_house() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let copy = c.key("unhanded", "1-2-301", "A02", "1").await;
        let own = c.ticket("1-2-301").await;
        let other = c.ticket("2-1-201").await;
        let mut form = c.form("maintenance", "repair").await;
        let audited = c.audited_lends().await;

        form.ticket_id = other.to_string();
        let r = c.lend(&c.clerk, copy, &form).await;
        assert!(
            field_error(&r, "ticket_id").contains("不属于"),
            "{e}: {r:?}"
        );
        assert_eq!(
            c.state(copy).await,
            "in_cabinet 0/0",
            "{e}: no loan written"
        );
        assert_eq!(c.log(copy).await, ["register"], "{e}: no lend logged");
        assert_eq!(c.audited_lends().await, audited, "{e}: nothing audited");
        form.ticket_id = String::new();
        field_error(&c.lend(&c.clerk, copy, &form).await, "ticket_id");

        form.ticket_id = own.to_string();
        let loan = c
            .lend(&c.clerk, copy, &form)
            .await
            .expect("lend for the ticket");
        let on = |estate: i64, ticket: i64| {
            let pool = c.db.pool.clone();
            async move {
                keys::for_ticket(&pool, &EstateScope::Only(vec![estate]), ticket)
                    .await
                    .expect("ticket keys")
            }
        };
        let found = on(c.ch, own).await;
        assert_eq!(found.len(), 1, "{e}");
        let l = &found[0];
        assert_eq!(
            (
                l.id,
                l.ticket_id,
                l.purpose,
                l.taker.as_str(),
                l.authorised_by.as_str()
            ),
            (loan, Some(own), Purpose::Repair, "张师傅", "李主管"),
            "{e}"
        );
        assert!(l.returned_at.is_none(), "{e}");
        assert!(on(c.ch, other).await.is_empty(), "{e}");
        // Another estate's desk does not see this estate's loans.
        assert!(on(c.jx, own).await.is_empty(), "{e}");
    }
}

#[tokio::test]
async fn the_key_log_is_append_only_and_a_returned_loan_never_changes() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let copy = c.key("unhanded", "1-1-101", "A03", "1").await;
        let form = c.form("maintenance", "inspection").await;
        let returned = c.lend(&c.clerk, copy, &form).await.expect("lend");
        c.give_back(copy, "good", "").await.expect("back");
        let open = c.lend(&c.clerk, copy, &form).await.expect("lend again");
        let events = one(&c.db, "select count(*) from key_event").await;
        assert_eq!(
            c.log(copy).await,
            ["register", "lend", "return", "lend"],
            "{e}"
        );

        for (sql, words) in [
            ("update key_event set note = '改过'".to_string(), "append-only"),
            ("delete from key_event".into(), "append-only"),
            (format!("delete from key_loan where id = {returned}"), "never deleted"),
            (format!("update key_loan set return_note = '其实坏了' where id = {returned}"), "only by its return"),
            (
                format!("update key_loan set returned_at = null, condition = null where id = {returned}"),
                "only by its return",
            ),
            // An open loan's taker is who signed for it: not swapped either.
            (format!("update key_loan set taker_name = '别人' where id = {open}"), "only by its return"),
            (format!("delete from key_loan where id = {open}"), "never deleted"),
        ] {
            match sqlx::query(&sql).execute(&c.db.pool).await {
                Err(sqlx::Error::Database(d)) => assert!(d.message().contains(words), "{e} {sql}: {}", d.message()),
                other => panic!("{e}: {sql} must fail, got {other:?}"),
            }
        }
        assert_eq!(
            one(&c.db, "select count(*) from key_event").await,
            events,
            "{e}"
        );
        assert_eq!(
            one(&c.db, "select count(*) from key_event where note = '改过'").await,
            0,
            "{e}"
        );
        assert_eq!(c.state(copy).await, "out 2/1", "{e}");
        let sql = format!("select return_note || taker_name from key_loan where id = {returned}");
        assert_eq!(
            text_of(&c.db, &sql).await,
            "张师傅",
            "{e}: the returned loan as it was"
        );
        // The return itself still goes through.
        assert_eq!(
            c.give_back(copy, "good", "").await.expect("back"),
            CopyStatus::InCabinet
        );
    }
}

#[tokio::test]
async fn a_damaged_key_is_retired_at_its_return_and_can_be_neither_returned_nor_lent_again() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let copy = c.key("unhanded", "1-1-101", "B04", "1").await;
        let form = c.form("maintenance", "inspection").await;
        c.lend(&c.clerk, copy, &form).await.expect("lend");
        assert_eq!(
            c.give_back(copy, "good", "").await.expect("back"),
            CopyStatus::InCabinet
        );
        let again = c.give_back(copy, "good", "").await;
        assert!(rule(&again).contains("不在借出状态"), "{e}: {again:?}");
        assert_eq!(c.state(copy).await, "in_cabinet 1/0", "{e}");

        let loan = c.lend(&c.clerk, copy, &form).await.expect("lend");
        // Damaged needs a word on what happened.
        let r = c.give_back(copy, "damaged", " ").await;
        assert!(field_error(&r, "return_note").contains("损坏"), "{e}");
        assert_eq!(c.state(copy).await, "out 2/1", "{e}");
        let damaged = c.give_back(copy, "damaged", "齿口断裂").await;
        assert_eq!(damaged.expect("damaged"), CopyStatus::Retired, "{e}");
        assert_eq!(
            c.state(copy).await,
            "retired 2/0",
            "{e}: retired, its loan closed"
        );
        let (condition, note): (String, String) = sqlx::query_as(
            "select condition, return_note from key_loan where id = $1 and returned_at is not null",
        )
        .bind(loan)
        .fetch_one(&c.db.pool)
        .await
        .expect("the loan, returned");
        assert_eq!(
            (condition.as_str(), note.as_str()),
            ("damaged", "齿口断裂"),
            "{e}"
        );
        let log = ["register", "lend", "return", "lend", "return", "retire"];
        assert_eq!(c.log(copy).await, log, "{e}");

        let twice = c.give_back(copy, "good", "").await;
        assert!(rule(&twice).contains("已停用"), "{e}: {twice:?}");
        let lent = c.lend(&c.clerk, copy, &form).await;
        assert!(rule(&lent).contains("已停用"), "{e}: {lent:?}");
        assert_eq!(c.state(copy).await, "retired 2/0", "{e}: nothing lent");
        assert_eq!(c.log(copy).await, log, "{e}");
    }
}

#[tokio::test]
async fn an_entrusted_key_goes_out_only_within_the_owners_authorisation() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let owner = format!(
            "select o.resident_id from occupancy o join house h on h.id = o.house_id where h.number = '1-1-102' \
             and h.estate_id = {} and o.role = 'owner' and o.end_date is null",
            c.ch
        );
        let owner = one(&c.db, &owner).await;
        let copy = c.key("entrusted", "1-1-102", "C01", "1").await;
        let emergency = c.form("maintenance", "emergency").await;
        let mut repair = c.form("maintenance", "repair").await;
        repair.ticket_id = c.ticket("1-1-102").await.to_string();

        let r = c.lend(&c.clerk, copy, &emergency).await;
        assert!(
            rule(&r).contains("尚未签署"),
            "{e}: not yet authorised: {r:?}"
        );
        let authorise = |from: String, until: String| {
            let c = &c;
            async move {
                let (who, lang) = (&c.clerk, Lang::Zh);
                register::authorise(
                    &c.db,
                    &who.actor,
                    &who.caller,
                    lang,
                    copy,
                    owner,
                    "emergencies",
                    "",
                    &from,
                    &until,
                )
                .await
            }
        };
        let auth = authorise(desk_day(0), desk_day(30))
            .await
            .expect("authorise");
        let r = c.lend(&c.clerk, copy, &repair).await;
        assert!(field_error(&r, "purpose").contains("不包括"), "{e}: {r:?}");
        assert_eq!(c.state(copy).await, "in_cabinet 0/0", "{e}");

        let loan = c.lend(&c.clerk, copy, &emergency).await.expect("emergency");
        let sql = format!("select authorisation_id from key_loan where id = {loan}");
        assert_eq!(
            one(&c.db, &sql).await,
            auth,
            "{e}: the loan names its authorisation"
        );
        c.give_back(copy, "good", "").await.expect("back");

        // A paper that has already run out is not taken.
        let r = authorise(desk_day(-60), desk_day(-1)).await;
        assert!(
            field_error(&r, "valid_until").contains("过去"),
            "{e}: {r:?}"
        );
        // Time passes: the owner's paper runs out (the stored day moved back stands in for it).
        let until = desk_day(-1);
        sqlx::query("update key_authorisation set valid_from = $1, valid_until = $2 where id = $3")
            .bind(desk_day(-60))
            .bind(&until)
            .bind(auth)
            .execute(&c.db.pool)
            .await
            .expect("age the paper");
        let page = keys::page(&c.db.pool, &c.clerk.caller, copy)
            .await
            .expect("page");
        assert!(!page.authorisation.expect("authorisation").in_force, "{e}");
        let m = rule(&c.lend(&c.clerk, copy, &emergency).await);
        assert!(m.contains(&until) && m.contains("到期"), "{e}: {m}");
        assert_eq!(
            c.state(copy).await,
            "in_cabinet 1/0",
            "{e}: nothing more lent"
        );
    }
}

#[tokio::test]
async fn a_clerk_of_another_estate_can_neither_lend_nor_read_the_key() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let copy = c.key("unhanded", "1-1-101", "A01", "1").await;
        let outsider = new_staff(&c.db, "clerk.jx", "锦绣前台", "clerk", c.jx).await;
        let form = c.form("maintenance", "inspection").await;
        let audited = c.audited_lends().await;

        let r = c.lend(&outsider, copy, &form).await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{e}: {r:?}");
        assert_eq!(c.state(copy).await, "in_cabinet 0/0", "{e}");
        assert_eq!(c.log(copy).await, ["register"], "{e}");
        assert_eq!(c.audited_lends().await, audited, "{e}");
        let page = keys::page(&c.db.pool, &outsider.caller, copy).await;
        assert!(matches!(page, Err(AppError::Forbidden)), "{e}: {page:?}");

        // Out at this estate's counter, it cannot be taken back in at another's.
        c.lend(&c.clerk, copy, &form).await.expect("lend");
        let (who, lang) = (&outsider, Lang::Zh);
        let r = lend::give_back(
            &c.db,
            &who.actor,
            &who.caller,
            lang,
            copy,
            "张师傅",
            "good",
            "",
        )
        .await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{e}: {r:?}");
        assert_eq!(c.state(copy).await, "out 1/1", "{e}");
    }
}

#[tokio::test]
async fn a_backup_copy_is_a_managers_and_its_use_is_reported() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let first = c.key("unhanded", "1-1-101", "A05", "2").await;
        let copies: Vec<(KeyCopyId, String, i64, Option<i64>)> = sqlx::query_as(
            "select id, tag, hook, approved_by from key_copy where key_set_id = \
             (select key_set_id from key_copy where id = $1) order by copy_no",
        )
        .bind(first)
        .fetch_all(&c.db.pool)
        .await
        .expect("copies");
        let [(working, tag1, hook1, _), (backup, tag2, hook2, approved)] = &copies[..] else {
            panic!("{e}: two copies: {copies:?}");
        };
        let backup = *backup;
        assert_eq!(*working, first);
        assert!(
            tag1.ends_with("-1") && tag2.ends_with("-2"),
            "{e}: {copies:?}"
        );
        assert_eq!((*hook1, *hook2), (5, 6), "{e}: each on its own hook");
        assert_eq!(
            *approved,
            Some(c.manager.id),
            "{e}: approved by the manager"
        );

        let form = c.form("maintenance", "inspection").await;
        let incidents = format!(
            "select count(*) from key_incident where copy_id in ({}, {})",
            first.0, backup.0
        );
        c.lend(&c.clerk, first, &form).await.expect("working copy");
        assert_eq!(
            one(&c.db, &incidents).await,
            0,
            "{e}: the working copy is no incident"
        );
        let loan = c.lend(&c.clerk, backup, &form).await.expect("backup copy");
        assert_eq!(one(&c.db, &incidents).await, 1, "{e}");
        let (kind, on_loan): (String, Option<i64>) =
            sqlx::query_as("select kind, loan_id from key_incident where copy_id = $1")
                .bind(backup)
                .fetch_one(&c.db.pool)
                .await
                .expect("the incident");
        assert_eq!((kind.as_str(), on_loan), ("backup_used", Some(loan)), "{e}");
        let mut reports = keys::reports(&c.db.pool, &EstateScope::Only(vec![c.ch]))
            .await
            .expect("reports");
        reports.retain(|r| r.copy_id == backup);
        assert_eq!(
            reports.len(),
            1,
            "{e}: reported to the manager and security"
        );
        assert_eq!(
            (reports[0].kind, &reports[0].tag),
            (IncidentKind::BackupUsed, tag2)
        );
        assert!(
            reports[0].circumstances.contains("张师傅"),
            "{e}: {:?}",
            reports[0]
        );

        // A clerk does not make copies; a manager gives a reason.
        let sets = one(&c.db, "select count(*) from key_set").await;
        let by_clerk = c
            .register_as(
                &c.clerk,
                c.new_key("unhanded", "1-1-102", "B01", "2", "方便"),
            )
            .await;
        assert!(field_error(&by_clerk, "copies").contains("主管"), "{e}");
        let no_reason = c
            .register_as(&c.manager, c.new_key("unhanded", "1-1-102", "B01", "2", ""))
            .await;
        field_error(&no_reason, "reason");
        assert_eq!(
            one(&c.db, "select count(*) from key_set").await,
            sets,
            "{e}: nothing registered"
        );
        // One copy is the desk's to take in.
        let one_copy = c
            .register_as(&c.clerk, c.new_key("unhanded", "1-1-102", "B01", "1", ""))
            .await;
        one_copy.expect("one copy by a clerk");
    }
}

#[tokio::test]
async fn a_check_out_is_signed_and_authorised_by_a_shift_leader_or_a_manager() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let copy = c.key("unhanded", "1-1-101", "A01", "1").await;
        let mut form = c.form("maintenance", "inspection").await;
        form.signed_on_paper = false;
        for blank in [
            String::new(),
            signature(false),
            "data:image/png;base64,AAAA".into(),
        ] {
            form.signature = blank;
            field_error(&c.lend(&c.clerk, copy, &form).await, "signature");
        }
        // A clerk who is not a shift leader authorises nothing, nor another estate's manager.
        form.signature = signature(true);
        let counter_clerk = new_staff(&c.db, "clerk2", "孙前台", "clerk", c.ch).await;
        let other = new_staff(&c.db, "manager.jx", "锦绣主管", "manager", c.jx).await;
        for who in [&counter_clerk, &other] {
            form.authorised_by = who.id.to_string();
            field_error(&c.lend(&c.clerk, copy, &form).await, "authorised_by");
        }
        assert_eq!(c.state(copy).await, "in_cabinet 0/0", "{e}");

        sqlx::query("update account set issues_keys = 1 where id = $1")
            .bind(counter_clerk.id)
            .execute(&c.db.pool)
            .await
            .expect("shift leader");
        form.authorised_by = counter_clerk.id.to_string();
        let loan = c
            .lend(&c.clerk, copy, &form)
            .await
            .expect("signed on the pad");
        let (paper, png): (i64, Option<Vec<u8>>) =
            sqlx::query_as("select signed_on_paper, signature from key_loan where id = $1")
                .bind(loan)
                .fetch_one(&c.db.pool)
                .await
                .expect("loan");
        assert_eq!(paper, 0, "{e}");
        assert!(
            png.expect("signature stored").starts_with(b"\x89PNG"),
            "{e}"
        );
        let page = keys::page(&c.db.pool, &c.clerk.caller, copy)
            .await
            .expect("page");
        let open = page.open_loan.expect("open loan");
        assert!(open.has_signature && !open.signed_on_paper, "{e}: {open:?}");
        assert_eq!(
            (open.taker.as_str(), open.authorised_by.as_str()),
            ("张师傅", "孙前台")
        );
    }
}
