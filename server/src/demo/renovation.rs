//! The demo estate's renovation desk: the engineering reviewer named, and
//! applications in the states a service centre sees on a normal morning —
//! one just submitted, one back with its applicant for the drawings, one with
//! engineering, one with the manager, one approved and waiting for its fees,
//! one rejected; and three under their permits — one whose visit found a
//! violation to put right, one visited clean and waiting for its
//! acceptance, one accepted with a deduction from its deposit and the rest
//! paid back. Written through the functions the pages call, by the people
//! whose steps they are.

use app::common::{Caller, EstateScope, Lang, Role};
use app::db::audit::Actor;
use app::db::Database;
use app::renovation::db::{act, apply, money, refund, setup, works};
use app::renovation::rules::{ApplicationForm, WorkerForm};
use app::renovation::Action;

/// A staff member of the demo, as caller and actor.
async fn staff(db: &Database, username: &str) -> anyhow::Result<(Caller, Actor)> {
    let (id, name, role): (i64, String, Role) =
        sqlx::query_as("select id, display_name, role from account where username = $1")
            .bind(username)
            .fetch_one(&db.pool)
            .await?;
    let caller = Caller {
        account_id: id,
        role,
        display_name: name.clone(),
        lang: Lang::Zh,
        scope: EstateScope::All,
        resident_id: None,
        residences: Vec::new(),
    };
    let actor = Actor {
        account_id: Some(id),
        name,
        ip: None,
    };
    Ok((caller, actor))
}

/// Pays everything a house owes at the counter (its lines with their late fees), on one receipt.
async fn settle(
    db: &Database,
    actor: &Actor,
    clerk: &Caller,
    house_id: i64,
    resident_id: i64,
) -> anyhow::Result<()> {
    use app::billing::ledger;
    let mut conn = db.pool.acquire().await?;
    let lines = ledger::house_lines(&mut conn, house_id).await?;
    let estate_id = lines.first().map_or(0, |l| l.estate_id);
    let policies = ledger::late_policies(&mut *conn, estate_id).await?;
    drop(conn);
    let today = chrono::NaiveDate::parse_from_str(&app::db::time::desk_today(), "%Y-%m-%d")?;
    let open: Vec<&ledger::LineState> = lines
        .iter()
        .filter(|l| l.held == 0 && l.outstanding() > 0)
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let due: i64 = open
        .iter()
        .map(|l| l.outstanding() + ledger::line_late_fee(l, &policies, today).fen)
        .sum();
    let req = ledger::PaymentRequest {
        house_id,
        line_ids: open.iter().map(|l| l.id).collect(),
        method: "wechat".into(),
        received: app::billing::fen_plain(due),
        request_key: app::security::random_token(),
    };
    ledger::take_payment(
        db,
        actor,
        clerk.account_id,
        Lang::Zh,
        &req,
        &ledger::Payer::resident(resident_id),
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo renovation: settling a house: {e:?}"))?;
    Ok(())
}

pub async fn load(db: &Database, estate_id: i64) -> anyhow::Result<()> {
    let fail = |e: app::error::AppError| anyhow::anyhow!("demo renovation: {e:?}");
    let (clerk, clerk_actor) = staff(db, "clerk").await?;
    let (manager, manager_actor) = staff(db, "manager").await?;
    let (engineer, engineer_actor) = staff(db, "maintenance").await?;
    setup::set_reviewer(
        db,
        &manager_actor,
        &manager,
        estate_id,
        engineer.account_id,
        true,
    )
    .await
    .map_err(fail)?;
    // What an approved renovation pays: two fees (income) and the deposit (held).
    for (name, amount) in [
        ("装修管理费", "500.00"),
        ("装修垃圾清运费", "300.00"),
        ("装修押金", "3000.00"),
    ] {
        let existing: Option<(i64,)> =
            sqlx::query_as("select id from fee_item where estate_id = $1 and name = $2")
                .bind(estate_id)
                .bind(name)
                .fetch_optional(&db.pool)
                .await?;
        // The deposit's item is billing's own (装修押金, held); the fees are made here.
        let item = match existing {
            Some((id,)) => id,
            None => app::billing::db::create_fee_item(
                db,
                &manager_actor,
                Lang::Zh,
                estate_id,
                name,
                "one_off",
                "0",
                "",
            )
            .await
            .map_err(fail)?,
        };
        money::set_charge(db, &manager_actor, &manager, estate_id, item, amount)
            .await
            .map_err(fail)?;
    }
    // Owner-occupied houses, leaving the demo resident's own house (the
    // portal's journey applies there) and the move-out's.
    let owners: Vec<(i64, i64)> = sqlx::query_as(
        "select h.id, o.resident_id from house h join occupancy o on o.house_id = h.id \
         where h.estate_id = $1 and o.role = 'owner' and o.end_date is null \
           and h.number not in ('1-1-101', '1-2-1102') \
         order by h.number limit 16",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    let scope = app::renovation::db::scope(db, estate_id, Lang::Zh).await?;
    let item = |code_name: &str| scope.iter().find(|s| s.name == code_name).map(|s| s.id);
    let today = chrono::NaiveDate::parse_from_str(&app::db::time::desk_today(), "%Y-%m-%d")?;
    let day = |days: i64| app::db::time::date_to_db(today + chrono::Duration::days(days));
    // (contractor, foreman, items, the steps taken with their words)
    let plans: [(&str, &str, &[&str], &[(Action, &str)]); 6] = [
        ("美家装饰工程有限公司", "周建华", &["墙面", "地面"], &[]),
        (
            "安居装饰设计有限公司",
            "吴海涛",
            &["卫生间", "给排水改造"],
            &[(Action::Return, "卫生间防水做法未说明，请补交防水施工图。")],
        ),
        (
            "宏图建筑装饰有限公司",
            "郑国平",
            &["厨房", "电路改造"],
            &[(Action::Check, "")],
        ),
        (
            "美家装饰工程有限公司",
            "周建华",
            &["门窗", "空调安装"],
            &[
                (Action::Check, ""),
                (Action::Approve, "空调外机位置符合规划。"),
            ],
        ),
        (
            "城市之光装饰有限公司",
            "孙立",
            &["墙面", "地面", "卫生间"],
            &[
                (Action::Check, ""),
                (Action::Approve, ""),
                (Action::ManagerApprove, ""),
            ],
        ),
        (
            "快装家居服务部",
            "赵小军",
            &["墙面", "电路改造"],
            &[
                (Action::Check, ""),
                (
                    Action::Reject,
                    "电路改造方案在承重墙上开槽过深，不予通过；请调整走线方案后重新申请。",
                ),
            ],
        ),
    ];
    // The works under a permit: their owners settled what the houses owed
    // first (the permit waits for arrears).
    let clear: Vec<(i64, i64)> = owners.iter().skip(plans.len()).take(3).copied().collect();
    for (house_id, resident_id) in &clear {
        settle(db, &clerk_actor, &clerk, *house_id, *resident_id).await?;
    }
    let approved: &[(Action, &str)] = &[
        (Action::Check, ""),
        (Action::Approve, ""),
        (Action::ManagerApprove, ""),
    ];
    let works_plans: [(&str, &str, &[&str], &[(Action, &str)]); 3] = [
        (
            "安居装饰设计有限公司",
            "吴海涛",
            &["墙面", "厨房"],
            approved,
        ),
        (
            "宏图建筑装饰有限公司",
            "郑国平",
            &["地面", "门窗"],
            approved,
        ),
        (
            "美家装饰工程有限公司",
            "周建华",
            &["卫生间", "墙面"],
            approved,
        ),
    ];
    let mut under_permit = Vec::new();
    for (n, ((house_id, applicant_id), (contractor, foreman, items, steps))) in owners
        .iter()
        .take(plans.len())
        .chain(clear.iter())
        .zip(plans.iter().chain(works_plans.iter()))
        .enumerate()
    {
        let form = ApplicationForm {
            contractor: (*contractor).into(),
            licence_no: format!("91310115MA1H{:05}X", 3100 + n),
            foreman: (*foreman).into(),
            foreman_mobile: format!("1391200{:04}", 7100 + n),
            planned_start: day(if n >= plans.len() { 0 } else { 3 + n as i64 }),
            planned_end: day(60 + n as i64),
            description: String::new(),
            owner_consent: String::new(),
            workers: vec![
                WorkerForm {
                    name: "李强".into(),
                    mobile: format!("1370021{:04}", 1000 + n),
                    id_number: "110101199003074514".into(),
                },
                WorkerForm {
                    name: "王师傅".into(),
                    mobile: format!("1370021{:04}", 2000 + n),
                    id_number: "31011519851122302X".into(),
                },
            ],
            items: items
                .iter()
                .filter_map(|i| item(i))
                .map(|id| (id, String::new()))
                .collect(),
        };
        let id = apply::apply(db, &clerk_actor, &clerk, *house_id, *applicant_id, &form)
            .await
            .map_err(fail)?;
        for (action, note) in steps.iter() {
            let (caller, actor) = match action {
                Action::Approve => (&engineer, &engineer_actor),
                Action::ManagerApprove => (&manager, &manager_actor),
                Action::Reject if steps.len() > 1 => (&engineer, &engineer_actor),
                _ => (&clerk, &clerk_actor),
            };
            act::act(db, actor, caller, id, *action, None, note)
                .await
                .map_err(fail)?;
        }
        if n >= plans.len() {
            under_permit.push(id);
        }
    }
    // Fees and deposit taken on one receipt, the permit issued, the works visited.
    let due: i64 = money::charges(&db.pool, estate_id)
        .await?
        .iter()
        .map(|c| c.amount_fen)
        .sum();
    for (n, id) in under_permit.into_iter().enumerate() {
        let key = app::security::random_token();
        let received = app::billing::fen_plain(due);
        money::pay(db, &clerk_actor, &clerk, id, "wechat", &received, &key)
            .await
            .map_err(fail)?;
        money::issue_permit(db, &clerk_actor, &clerk, id)
            .await
            .map_err(fail)?;
        let visit = if n == 0 {
            works::VisitForm {
                note: "墙面开槽施工中，现场堆放建材。".into(),
                violation: "建材堆放在楼道，堵塞消防通道。".into(),
                deadline: day(2),
            }
        } else {
            works::VisitForm {
                note: if n == 1 {
                    "地面找平完成，门窗已安装，现场整洁。".into()
                } else {
                    "卫生间闭水试验合格；搬运时楼道墙面有磕损。".into()
                },
                ..Default::default()
            }
        };
        let visit_id = works::inspect(db, &engineer_actor, &engineer, id, None, &visit)
            .await
            .map_err(fail)?;
        if n == 0 {
            contractor_key(db, estate_id, id, (&clerk, &clerk_actor), (&manager, &manager_actor))
                .await
                .map_err(fail)?;
        }
        if n >= 1 {
            act::act(
                db,
                &clerk_actor,
                &clerk,
                id,
                Action::AskAcceptance,
                None,
                "",
            )
            .await
            .map_err(fail)?;
        }
        if n == 2 {
            // Accepted; the corridor wall it scraped is kept from the deposit, the rest paid back.
            act::act(
                db,
                &engineer_actor,
                &engineer,
                id,
                Action::PassAcceptance,
                None,
                "验收合格。",
            )
            .await
            .map_err(fail)?;
            let deduction = refund::propose(
                db,
                &engineer_actor,
                &engineer,
                id,
                "楼道墙面磕损修补",
                "200.00",
                Some(visit_id),
            )
            .await
            .map_err(fail)?;
            refund::decide(db, &manager_actor, &manager, deduction, true)
                .await
                .map_err(fail)?;
            let key = app::security::random_token();
            refund::refund(db, &clerk_actor, &clerk, id, "cash", "", 280_000, &key)
                .await
                .map_err(fail)?;
        }
    }
    Ok(())
}

/// The owner of the works with a violation left a key with the desk for the
/// contractor, naming their worker 李强 on the paper; he took it this morning
/// against the permit's list of workers.
async fn contractor_key(
    db: &Database,
    estate_id: i64,
    renovation_id: i64,
    (clerk, clerk_actor): (&Caller, &Actor),
    (manager, manager_actor): (&Caller, &Actor),
) -> Result<(), app::error::AppError> {
    use app::keys::db::{lend, register};
    let (house, owner, cabinet): (String, i64, i64) = sqlx::query_as(
        "select h.number, r.applicant_id, (select min(id) from key_cabinet where estate_id = $1) \
         from renovation r join house h on h.id = r.house_id where r.id = $2",
    )
    .bind(estate_id)
    .bind(renovation_id)
    .fetch_one(&db.pool)
    .await?;
    let copy = register::register(
        db,
        manager_actor,
        manager,
        Lang::Zh,
        &register::NewKey {
            estate_id,
            kind: "entrusted".into(),
            house_number: house,
            cabinet_id: cabinet.to_string(),
            hook: "D10".into(),
            copies: "1".into(),
            reason: "装修期间业主托管，供施工人员进出".into(),
            ..Default::default()
        },
    )
    .await?;
    let today = app::db::time::desk_today();
    let until = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d")
        .map(|d| app::db::time::date_to_db(d + chrono::Duration::days(60)))
        .unwrap_or_default();
    register::authorise(
        db, clerk_actor, clerk, Lang::Zh, copy, owner, "named", "李强", &today, &until,
    )
    .await?;
    let due = app::db::time::db_to_desk_minute(chrono::Utc::now() + chrono::Duration::hours(6));
    lend::lend(
        db,
        clerk_actor,
        clerk,
        Lang::Zh,
        copy,
        &app::keys::rules::LendForm {
            taker_kind: "worker".into(),
            taker_name: "李强".into(),
            taker_phone: "13700211000".into(),
            taker_id_number: "110101199003074514".into(),
            purpose: "renovation".into(),
            renovation_id: renovation_id.to_string(),
            authorised_by: manager.account_id.to_string(),
            due,
            signed_on_paper: true,
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
