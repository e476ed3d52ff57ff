//! The demo estate's key cabinet: facility keys (the pump room's with a
//! manager's backup copy), a house not yet handed over, entrusted keys of a
//! few owners (one authorisation expired), and loans on a normal morning —
//! one overdue. Written through the functions the desk's pages call; only
//! the overdue loan is written as history (a loan cannot be lent in the past).

use anyhow::Context;

use app::common::{Caller, EstateScope, KeyCopyId, Lang, Role};
use app::db::audit::Actor;
use app::db::{time, Database};
use app::keys::db::{lend, register};
use app::keys::rules::LendForm;
use app::repairs::db::{self as repairs, ActInput, NewTicket, Viewer};
use app::repairs::Action;

async fn account(db: &Database, username: &str) -> anyhow::Result<(i64, String)> {
    sqlx::query_as("select id, display_name from account where username = $1")
        .bind(username)
        .fetch_one(&db.pool)
        .await
        .with_context(|| format!("demo account {username}"))
}

fn caller(id: i64, name: &str, role: Role) -> (Caller, Actor) {
    (
        Caller {
            account_id: id,
            role,
            display_name: name.into(),
            lang: Lang::Zh,
            scope: EstateScope::All,
            resident_id: None,
            residences: Vec::new(),
        },
        Actor {
            account_id: Some(id),
            name: name.into(),
            ip: None,
        },
    )
}

pub async fn load(db: &Database, estate_id: i64) -> anyhow::Result<()> {
    let lang = Lang::Zh;
    let fail = |e: app::error::AppError| anyhow::anyhow!("demo keys: {e:?}");
    let (manager_id, manager_name) = account(db, "manager").await?;
    let (clerk_id, clerk_name) = account(db, "clerk").await?;
    let (zhang_id, _) = account(db, "maintenance").await?;
    let (liu_id, _) = account(db, "maintenance2").await?;
    // The clerk leads the day shift (值班组长): she may authorise check-outs.
    sqlx::query("update account set issues_keys = 1 where id = $1")
        .bind(clerk_id)
        .execute(&db.pool)
        .await?;
    let (manager, manager_actor) = caller(manager_id, &manager_name, Role::Manager);
    let (clerk, clerk_actor) = caller(clerk_id, &clerk_name, Role::Clerk);
    for name in ["水泵房", "电梯机房", "屋顶天台", "配电房"] {
        repairs::add_location(db, &manager_actor, lang, estate_id, name)
            .await
            .map_err(fail)?;
    }
    let cabinet = register::add_cabinet(
        db,
        &manager_actor,
        &manager,
        lang,
        estate_id,
        "前台 1 号钥匙柜",
        "服务中心前台后墙",
        "4",
        "10",
    )
    .await
    .map_err(fail)?;
    let location = |name: &'static str| async move {
        sqlx::query_as::<_, (i64,)>(
            "select id from repair_location where estate_id = $1 and name = $2",
        )
        .bind(estate_id)
        .bind(name)
        .fetch_one(&db.pool)
        .await
        .map(|(id,)| id)
    };
    let key = |kind: &str,
               house: &str,
               location_id: Option<i64>,
               hook: &str,
               copies: &str,
               reason: &str,
               note: &str| {
        register::NewKey {
            estate_id,
            kind: kind.into(),
            house_number: house.into(),
            location_id: location_id.map(|l| l.to_string()).unwrap_or_default(),
            cabinet_id: cabinet.to_string(),
            hook: hook.into(),
            copies: copies.into(),
            reason: reason.into(),
            note: note.into(),
        }
    };
    let pump = register::register(
        db,
        &manager_actor,
        &manager,
        lang,
        &key(
            "facility",
            "",
            Some(location("水泵房").await?),
            "A01",
            "2",
            "夜间抢修备用，存放于同一柜",
            "地下一层水泵房防火门",
        ),
    )
    .await
    .map_err(fail)?;
    let lift = register::register(
        db,
        &manager_actor,
        &manager,
        lang,
        &key(
            "facility",
            "",
            Some(location("电梯机房").await?),
            "A03",
            "1",
            "",
            "",
        ),
    )
    .await
    .map_err(fail)?;
    let roof = register::register(
        db,
        &manager_actor,
        &manager,
        lang,
        &key(
            "facility",
            "",
            Some(location("屋顶天台").await?),
            "A04",
            "1",
            "",
            "1 栋屋顶检修门",
        ),
    )
    .await
    .map_err(fail)?;
    register::register(
        db,
        &manager_actor,
        &manager,
        lang,
        &key(
            "facility",
            "",
            Some(location("配电房").await?),
            "A05",
            "1",
            "",
            "",
        ),
    )
    .await
    .map_err(fail)?;
    let unhanded: Option<(String,)> = sqlx::query_as(
        "select number from house where estate_id = $1 and status = 'not_handed_over' order by number limit 1",
    )
    .bind(estate_id)
    .fetch_optional(&db.pool)
    .await?;
    if let Some((number,)) = unhanded {
        register::register(
            db,
            &manager_actor,
            &manager,
            lang,
            &key("unhanded", &number, None, "B01", "1", "", "开发商移交"),
        )
        .await
        .map_err(fail)?;
    }
    // Entrusted keys: 王建国 (1-1-101, the demo resident) for repairs, valid all
    // year; two other owners, one for named people, one expired last month.
    let owners: Vec<(String, i64)> = sqlx::query_as(
        "select h.number, o.resident_id from occupancy o join house h on h.id = o.house_id \
         where h.estate_id = $1 and o.role = 'owner' and o.end_date is null \
           and h.number in ('1-1-101', '1-1-202', '2-1-201') order by h.number",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    let today = time::desk_today();
    let year = &today[..4];
    let mut hook = 0;
    for (number, owner) in &owners {
        hook += 1;
        let copy = register::register(
            db,
            &clerk_actor,
            &clerk,
            lang,
            &key(
                "entrusted",
                number,
                None,
                &format!("C{hook:02}"),
                "1",
                "",
                "业主出差期间托管",
            ),
        )
        .await
        .map_err(fail)?;
        if number == "2-1-201" {
            // Signed last year and run out at the end of October: history, written
            // as it stands (the desk takes no paper that has already run out).
            sqlx::query(
                "insert into key_authorisation (key_set_id, estate_id, resident_id, scope, named_people, \
                    valid_from, valid_until, created_by, created_at) \
                 select key_set_id, estate_id, $2, 'repairs', '', '2025-06-01', '2026-10-31', $3, $4 \
                 from key_copy where id = $1",
            )
            .bind(copy)
            .bind(*owner)
            .bind(clerk_id)
            .bind(time::now())
            .execute(&db.pool)
            .await?;
            continue;
        }
        let (scope, named) = match number.as_str() {
            "1-1-101" => ("repairs", ""),
            _ => ("named", "王芳、李强"),
        };
        let (from, until) = (format!("{year}-01-01"), format!("{year}-12-31"));
        register::authorise(
            db,
            &clerk_actor,
            &clerk,
            lang,
            copy,
            *owner,
            scope,
            named,
            &from,
            &until,
        )
        .await
        .map_err(fail)?;
        if number == "1-1-101" {
            entrusted_use(db, copy, estate_id, zhang_id, manager_id, clerk_id).await?;
        }
    }
    // A pump that hums: 张师傅's ticket, for the journey at the counter.
    let desk = Viewer::Desk(EstateScope::All);
    let pump_ticket = repairs::create(
        db,
        &clerk_actor,
        lang,
        &desk,
        NewTicket {
            estate_id,
            location_id: location("水泵房").await?,
            category: "public_facility".into(),
            description: "2 号水泵运行异响，需检修".into(),
            urgency: "normal".into(),
            source: "inspection".into(),
            reporter_name: "王小前".into(),
            reporter_phone: "13800000000".into(),
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    repairs::act(
        db,
        &clerk_actor,
        lang,
        &desk,
        pump_ticket,
        Action::Assign,
        ActInput {
            worker_id: zhang_id,
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    // Out now: the lift machine room with 刘师傅 for the monthly inspection.
    let due = time::db_to_desk_minute(chrono::Utc::now() + chrono::Duration::hours(3));
    lend::lend(
        db,
        &clerk_actor,
        &clerk,
        lang,
        lift,
        &LendForm {
            taker_kind: "staff".into(),
            taker_account_id: liu_id.to_string(),
            purpose: "inspection".into(),
            note: "电梯月度保养".into(),
            authorised_by: clerk_id.to_string(),
            due,
            signed_on_paper: true,
            ..LendForm::default()
        },
    )
    .await
    .map_err(fail)?;
    overdue_loan(db, roof, estate_id, manager_id, clerk_id).await?;
    let _ = pump;
    Ok(())
}

/// The roof key, taken yesterday by a waterproofing contractor and not back:
/// written as history, with its log line.
async fn overdue_loan(
    db: &Database,
    copy: KeyCopyId,
    estate_id: i64,
    authoriser: i64,
    clerk: i64,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let out_at = time::to_db(now - chrono::Duration::hours(26));
    let due_at = time::to_db(now - chrono::Duration::hours(2));
    let mut w = db.write(Actor::system("demo")).await?;
    let (loan,): (i64,) = sqlx::query_as(
        "insert into key_loan (copy_id, estate_id, taker_kind, taker_name, taker_phone, taker_id_number, purpose, \
            note, authorised_by, lent_by, out_at, due_at, signed_on_paper) \
         values ($1, $2, 'worker', '陈建华', '13966668888', '11010519491231002X', 'other', '屋面防水施工（恒通防水公司）', \
            $3, $4, $5, $6, 1) returning id",
    )
    .bind(copy)
    .bind(estate_id)
    .bind(authoriser)
    .bind(clerk)
    .bind(&out_at)
    .bind(&due_at)
    .fetch_one(&mut *w)
    .await?;
    sqlx::query("update key_copy set status = 'out' where id = $1")
        .bind(copy)
        .execute(&mut *w)
        .await?;
    let (set,): (i64,) = sqlx::query_as("select key_set_id from key_copy where id = $1")
        .bind(copy)
        .fetch_one(&mut *w)
        .await?;
    sqlx::query(
        "insert into key_event (estate_id, key_set_id, copy_id, loan_id, action, actor_id, actor_name, note, created_at) \
         values ($1, $2, $3, $4, 'lend', $5, '王小前', '陈建华 领用（其他），批准人 李主管', $6)",
    )
    .bind(estate_id)
    .bind(set)
    .bind(copy)
    .bind(loan)
    .bind(clerk)
    .bind(&out_at)
    .execute(&mut *w)
    .await?;
    w.commit().await?;
    Ok(())
}

/// 王建国's entrusted key used last week for a repair in his flat, and back:
/// what he sees in the portal.
async fn entrusted_use(
    db: &Database,
    copy: KeyCopyId,
    estate_id: i64,
    worker: i64,
    authoriser: i64,
    clerk: i64,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let out_at = time::to_db(now - chrono::Duration::days(6));
    let due_at = time::to_db(now - chrono::Duration::days(6) + chrono::Duration::hours(3));
    let back_at = time::to_db(now - chrono::Duration::days(6) + chrono::Duration::hours(2));
    let mut w = db.write(Actor::system("demo")).await?;
    let (auth,): (i64,) = sqlx::query_as(
        "select a.id from key_authorisation a join key_copy c on c.key_set_id = a.key_set_id where c.id = $1",
    )
    .bind(copy)
    .fetch_one(&mut *w)
    .await?;
    let (loan,): (i64,) = sqlx::query_as(
        "insert into key_loan (copy_id, estate_id, taker_kind, taker_account_id, taker_name, purpose, note, \
            authorisation_id, authorised_by, lent_by, out_at, due_at, signed_on_paper, returned_at, \
            returned_by_name, received_by, condition) \
         values ($1, $2, 'staff', $3, '张师傅', 'emergency', '楼下报渗水，入户关闭总阀', $4, $5, $6, $7, $8, 1, $9, \
            '张师傅', $6, 'good') returning id",
    )
    .bind(copy)
    .bind(estate_id)
    .bind(worker)
    .bind(auth)
    .bind(authoriser)
    .bind(clerk)
    .bind(&out_at)
    .bind(&due_at)
    .bind(&back_at)
    .fetch_one(&mut *w)
    .await?;
    let (set,): (i64,) = sqlx::query_as("select key_set_id from key_copy where id = $1")
        .bind(copy)
        .fetch_one(&mut *w)
        .await?;
    for (action, note, at) in [
        ("lend", "张师傅 领用（紧急情况），批准人 李主管", &out_at),
        ("return", "张师傅 归还，完好", &back_at),
    ] {
        sqlx::query(
            "insert into key_event (estate_id, key_set_id, copy_id, loan_id, action, actor_id, actor_name, note, created_at) \
             values ($1, $2, $3, $4, $5, $6, '王小前', $7, $8)",
        )
        .bind(estate_id)
        .bind(set)
        .bind(copy)
        .bind(loan)
        .bind(action)
        .bind(clerk)
        .bind(note)
        .bind(at)
        .execute(&mut *w)
        .await?;
    }
    w.commit().await?;
    Ok(())
}
