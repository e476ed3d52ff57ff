//! The demo estate: two estates, a few hundred houses with residents, and one
//! account per role, so a newcomer can sign in and look around. Deterministic:
//! the same data every time. Refuses a database that already holds data.

mod keys;
mod moves;
mod renovation;

use anyhow::{bail, Context};

use app::admin::db as admin_db;
use app::auth::db::{self as account_db, NewAccount};
use app::auth::password;
use app::billing::{db as billing, ledger, rules::Period, run, OpeningSource};
use app::common::{AccountId, AuditAction, AuditEntity, EstateId, Lang, Role};
use app::db::audit::{Actor, Change};
use app::db::{time, Database};
use app::estate::import;
use app::repairs::db::{self as repairs, ActInput, NewTicket, Viewer};
use app::repairs::Action;
use app::security::hashing::Hasher;
use app::sheet::read as sheet;

/// The demo's sign-ins, printed after loading.
pub const RESIDENT_MOBILE: &str = "13800000001";
pub const STAFF: [(&str, &str, Role); 6] = [
    ("admin", "系统管理员", Role::Admin),
    ("manager", "李主管", Role::Manager),
    ("clerk", "王小前", Role::Clerk),
    ("maintenance", "张师傅", Role::Maintenance),
    ("maintenance2", "刘师傅", Role::Maintenance),
    ("security", "赵卫东", Role::Security),
];

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "欧阳", "司马", "诸葛", "上官",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "婷婷",
];
/// Gross floor areas of the four flat types, in 0.01 m².
const AREAS: [i64; 4] = [8956, 11230, 7645, 14320];

/// A small deterministic generator (no need for cryptographic randomness here).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

/// Loads the demo. `password` is every demo account's password.
pub async fn load(db: &Database, hasher: &Hasher, demo_password: &str) -> anyhow::Result<()> {
    if !db.is_empty().await? {
        bail!(
            "the database {} already holds data; the demo only loads into an empty database",
            db.display_url
        );
    }
    password::check(demo_password, Role::Admin, &[]).map_err(|p| anyhow::anyhow!("the demo password is refused: {p:?} (staff passwords need at least 12 characters and must not be common)"))?;
    let hash = hasher.hash(demo_password.to_string()).await?;
    let actor = Actor::system("demo");
    let mut rng = Lcg(20261122);
    let mut estate_ids = Vec::new();
    for (code, name, buildings) in [("CH", "翠湖花园", 4), ("JX", "锦绣华庭", 2)] {
        let mut w = db.write(actor.clone()).await?;
        let estate_id = admin_db::insert_estate(&mut w, code, name).await?;
        w.audit(
            Change::new(AuditAction::Create, AuditEntity::Estate)
                .id(estate_id)
                .estate(estate_id)
                .after(serde_json::json!({ "code": code, "name": name })),
        )
        .await?;
        w.commit().await?;
        estate_ids.push(estate_id);
        // The register arrives the way a clerk's spreadsheet does: rows through the import.
        let rows = demo_rows(&mut rng, code, buildings, estate_ids.len());
        let outcome = import::import_rows(
            db,
            estate_id,
            &format!("demo-{code}.xlsx"),
            "demo",
            rows,
            Lang::Zh,
            &actor,
        )
        .await?;
        if !outcome.imported {
            bail!(
                "the demo's own rows were refused (import #{})",
                outcome.batch_id
            );
        }
    }

    let mut w = db.write(actor.clone()).await?;
    let (resident_id,): (i64,) = sqlx::query_as("select id from resident where mobile = $1")
        .bind(RESIDENT_MOBILE)
        .fetch_one(&mut *w)
        .await?;
    account_db::insert(
        &mut *w,
        &NewAccount {
            role: Role::Resident,
            username: None,
            mobile: Some(RESIDENT_MOBILE),
            display_name: "王建国",
            password_hash: &hash,
            resident_id: Some(resident_id),
        },
    )
    .await?;
    let first_estate = estate_ids.first().copied().context("no estate created")?;
    for (username, name, role) in STAFF {
        let id = account_db::insert(
            &mut *w,
            &NewAccount {
                role,
                username: Some(username),
                mobile: None,
                display_name: name,
                password_hash: &hash,
                resident_id: None,
            },
        )
        .await?;
        if role != Role::Admin {
            admin_db::set_estates(&mut w, AccountId(id), &[EstateId(first_estate)]).await?;
        }
        w.audit(
            Change::new(AuditAction::Create, AuditEntity::Account)
                .id(id)
                .after(serde_json::json!({ "username": username, "role": role.as_str() })),
        )
        .await?;
    }
    w.commit().await?;
    load_billing(db, first_estate, &actor).await?;
    load_repairs(db, first_estate, &actor).await?;
    keys::load(db, first_estate).await?;
    moves::load(db, first_estate).await?;
    renovation::load(db, first_estate).await?;
    Ok(())
}

/// The demo estate's repair desk: a 维修费 fee item for paid repairs, common
/// areas, the two workers' skills, and tickets in the states a desk sees on a
/// normal morning — written through the same functions the pages call.
async fn load_repairs(db: &Database, estate_id: i64, actor: &Actor) -> anyhow::Result<()> {
    let lang = Lang::Zh;
    let fail = |e: app::error::AppError| anyhow::anyhow!("demo repairs: {e}");
    let item = app::billing::db::create_fee_item(
        db,
        actor,
        lang,
        estate_id,
        "维修费",
        "one_off",
        "15",
        "",
    )
    .await
    .map_err(fail)?;
    let t = app::repairs::rules::Targets::default();
    repairs::save_settings(
        db,
        actor,
        lang,
        estate_id,
        &t.urgent_response.to_string(),
        &t.urgent_completion.to_string(),
        &t.normal_response.to_string(),
        &t.normal_completion.to_string(),
        item,
    )
    .await
    .map_err(fail)?;
    for name in ["1 栋大堂", "1 号电梯", "中心花园", "地下车库"] {
        repairs::add_location(db, actor, lang, estate_id, name)
            .await
            .map_err(fail)?;
    }
    let workers: Vec<(i64, String)> = sqlx::query_as(
        "select id, username from account where role = 'maintenance' order by username",
    )
    .fetch_all(&db.pool)
    .await?;
    for (id, username) in &workers {
        let skills: Vec<String> = if username == "maintenance" {
            vec!["water".into(), "doors_windows".into(), "other".into()]
        } else {
            vec!["electrical".into(), "lift".into(), "public_facility".into()]
        };
        repairs::set_skills(
            db,
            actor,
            lang,
            app::common::EstateId(estate_id),
            app::common::AccountId(*id),
            &skills,
        )
        .await
        .map_err(fail)?;
    }
    let desk = Viewer::Desk(app::common::EstateScope::All);
    let report =
        |number: &str, category: &str, description: &str, urgency: &str, paid: bool| NewTicket {
            estate_id,
            house_number: number.into(),
            category: category.into(),
            description: description.into(),
            urgency: urgency.into(),
            paid,
            source: "phone".into(),
            reporter_name: "住户".into(),
            reporter_phone: "13800000000".into(),
            ..Default::default()
        };
    // Waiting for dispatch: an urgent leak and a door that sticks.
    repairs::create(
        db,
        actor,
        lang,
        &desk,
        report(
            "1-2-301",
            "water",
            "厨房水管接头漏水，已关阀门",
            "urgent",
            true,
        ),
    )
    .await
    .map_err(fail)?;
    repairs::create(
        db,
        actor,
        lang,
        &desk,
        report("2-1-201", "doors_windows", "入户门关不严", "normal", true),
    )
    .await
    .map_err(fail)?;
    // With 张师傅: assigned, and another he has started.
    let (zhang, _) = workers.first().cloned().context("demo worker")?;
    let worker = Viewer::Worker {
        account_id: zhang,
        scope: app::common::EstateScope::All,
    };
    let assigned = repairs::create(
        db,
        actor,
        lang,
        &desk,
        report("1-1-202", "water", "卫生间地漏堵塞", "normal", true),
    )
    .await
    .map_err(fail)?;
    let started = repairs::create(
        db,
        actor,
        lang,
        &desk,
        report("3-1-102", "other", "阳台晾衣架松动", "normal", true),
    )
    .await
    .map_err(fail)?;
    for id in [assigned, started] {
        let input = ActInput {
            worker_id: zhang,
            ..Default::default()
        };
        repairs::act(db, actor, lang, &desk, id, Action::Assign, input)
            .await
            .map_err(fail)?;
    }
    let zhang_actor = Actor {
        account_id: Some(zhang),
        name: "张师傅".into(),
        ip: None,
    };
    for action in [Action::Accept, Action::Start] {
        repairs::act(
            db,
            &zhang_actor,
            lang,
            &worker,
            started,
            action,
            ActInput::default(),
        )
        .await
        .map_err(fail)?;
    }
    // A common-area job done yesterday, waiting for its return visit.
    let lamp = repairs::create(
        db,
        actor,
        lang,
        &desk,
        NewTicket {
            location_id: sqlx::query_as::<_, (i64,)>(
                "select id from repair_location where estate_id = $1 and name = '1 栋大堂'",
            )
            .bind(estate_id)
            .fetch_one(&db.pool)
            .await?
            .0,
            ..report("", "electrical", "大堂顶灯不亮", "normal", false)
        },
    )
    .await
    .map_err(fail)?;
    repairs::act(
        db,
        &zhang_actor,
        lang,
        &worker,
        lamp,
        Action::Pick,
        ActInput::default(),
    )
    .await
    .map_err(fail)?;
    repairs::act(
        db,
        &zhang_actor,
        lang,
        &worker,
        lamp,
        Action::Start,
        ActInput::default(),
    )
    .await
    .map_err(fail)?;
    let finish = ActInput {
        work_notes: "更换 LED 灯管 2 支".into(),
        materials: "LED 灯管 ×2".into(),
        ..Default::default()
    };
    repairs::act(
        db,
        &zhang_actor,
        lang,
        &worker,
        lamp,
        Action::Finish,
        finish,
    )
    .await
    .map_err(fail)?;
    Ok(())
}

/// The demo estate's fees, set up and billed the way the desk does it: fee
/// items and rates, water readings for building 1, the two months before this
/// one billed, and 王建国 (1-1-101) paying the first month with a surplus that
/// the second month's run then uses.
async fn load_billing(db: &Database, estate_id: i64, actor: &Actor) -> anyhow::Result<()> {
    let lang = Lang::Zh;
    let fail = |e: app::error::AppError| anyhow::anyhow!("demo billing: {e}");
    let this_month = Period::parse(&time::desk_today()[..7]).context("today's period")?;
    let year_start = format!("{}-01-01", this_month.year - 1);
    let any = |_| Ok(());
    let items = [
        ("物业服务费", "area", "residential", "2.35", ""),
        ("电梯运行费", "fixed", "residential", "30", ""),
        ("水费", "metered", "any", "3.45", "吨"),
        // A deposit: money held, not income (no late fee, no arrears).
        ("装修押金", app::billing::rules::DEPOSIT, "any", "", ""),
    ];
    let mut water = 0;
    for (name, kind, use_kind, rate, unit) in items {
        let id = billing::create_fee_item(db, actor, lang, estate_id, name, kind, "15", unit)
            .await
            .map_err(fail)?;
        if !rate.is_empty() {
            billing::add_rate(db, actor, lang, id, use_kind, rate, &year_start, "", any)
                .await
                .map_err(fail)?;
        }
        if name == "物业服务费" {
            billing::add_rate(
                db,
                actor,
                lang,
                id,
                "commercial",
                "4.80",
                &year_start,
                "",
                any,
            )
            .await
            .map_err(fail)?;
        }
        if kind == "metered" {
            water = id;
        }
    }
    let first = {
        let mut p = this_month;
        for _ in 0..2 {
            p = Period {
                year: if p.month == 1 { p.year - 1 } else { p.year },
                month: if p.month == 1 { 12 } else { p.month - 1 },
            };
        }
        p
    };
    let building_one: Vec<(i64,)> = sqlx::query_as(
        "select h.id from house h join building b on b.id = h.building_id where b.estate_id = $1 and b.code = '1' order by h.id",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    let mut rng = Lcg(2026);
    let mut meter: Vec<i64> = building_one
        .iter()
        .map(|_| 10_000 + (rng.next() % 50_000) as i64)
        .collect();
    // The meters' opening readings (起始读数), read the day before the first
    // billed month: the first month's consumption counts from them.
    let read_on = time::date_to_db(first.first_day() - chrono::Duration::days(1));
    let mut w = db.write(actor.clone()).await?;
    for ((house_id,), m) in building_one.iter().zip(meter.iter()) {
        billing::record_opening(
            &mut w,
            lang,
            *house_id,
            water,
            *m,
            &read_on,
            OpeningSource::MoveIn,
            None,
        )
        .await
        .map_err(fail)?;
    }
    w.commit().await?;
    let mut period = first;
    for month in 0..2 {
        let entries: Vec<billing::ReadingEntry> = building_one
            .iter()
            .zip(meter.iter_mut())
            .map(|((house_id,), m)| {
                *m += 500 + (rng.next() % 1_500) as i64;
                billing::ReadingEntry {
                    house_id: *house_id,
                    reading: format!("{}.{:02}", *m / 100, *m % 100),
                    ..Default::default()
                }
            })
            .collect();
        billing::save_readings(
            db,
            actor,
            lang,
            water,
            &period.to_string(),
            &entries,
            None,
            any,
        )
        .await
        .map_err(fail)?;
        let run_id = run::start(db, actor, None, lang, estate_id, &period.to_string())
            .await
            .map_err(fail)?;
        run::execute(db, run_id).await.map_err(fail)?;
        if month == 0 {
            // 王建国 pays his first month at the counter, 500 yuan over.
            let (house_id, clerk_id, owner_id): (i64, i64, i64) = sqlx::query_as(
                "select h.id, (select id from account where username = 'clerk'), \
                        (select o.resident_id from occupancy o where o.house_id = h.id and o.role = 'owner' \
                         and o.end_date is null order by o.id limit 1) \
                 from house h where h.estate_id = $1 and h.number = '1-1-101'",
            )
            .bind(estate_id)
            .fetch_one(&db.pool)
            .await?;
            let mut conn = db.pool.acquire().await?;
            let lines = ledger::house_lines(&mut conn, house_id).await?;
            drop(conn);
            let due: i64 = lines.iter().map(|l| l.outstanding()).sum();
            ledger::take_payment(
                db,
                actor,
                clerk_id,
                lang,
                &ledger::PaymentRequest {
                    house_id,
                    line_ids: lines.iter().map(|l| l.id).collect(),
                    method: "wechat".into(),
                    received: app::billing::fen_plain(due + 50_000),
                    request_key: "demo-first-payment".into(),
                },
                &ledger::Payer::resident(owner_id),
            )
            .await
            .map_err(fail)?;
        }
        period = period.next();
    }
    Ok(())
}

/// The demo estate as spreadsheet rows: one per house and resident.
fn demo_rows(rng: &mut Lcg, code: &str, buildings: i64, nth: usize) -> Vec<sheet::RawRow> {
    let mut rows = Vec::new();
    let mut serial = 0u64;
    let push = |rows: &mut Vec<sheet::RawRow>, cells: &[(&str, String)]| {
        let row = rows.len() + 2;
        rows.push(sheet::RawRow {
            sheet: "房屋住户".into(),
            row,
            cells: cells
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        });
    };
    for b in 1..=buildings {
        for entrance in 1..=2i64 {
            for floor in 1..=18i64 {
                for room in 1..=2i64 {
                    serial += 1;
                    let number = format!("{b}-{entrance}-{floor}{room:02}");
                    let centi = AREAS[((entrance - 1) * 2 + room - 1) as usize];
                    let area = format!("{}.{:02}", centi / 100, centi % 100);
                    let status = match rng.next() % 20 {
                        0 => "未收楼",
                        1 | 2 => "空置",
                        3..=5 => "出租",
                        _ => "自住",
                    };
                    let house = [
                        ("house_number", number.clone()),
                        ("area", area.clone()),
                        ("status", status.to_string()),
                    ];
                    if status == "未收楼" {
                        push(&mut rows, &house);
                        continue;
                    }
                    let first_house = code == "CH" && serial == 1;
                    let surname = if first_house {
                        "王"
                    } else {
                        rng.pick(&SURNAMES)
                    };
                    let owner = if first_house {
                        "王建国".to_string()
                    } else {
                        format!("{surname}{}", rng.pick(&GIVEN))
                    };
                    let mobile = if first_house {
                        RESIDENT_MOBILE.to_string()
                    } else {
                        format!("13{}{:08}", 5 + nth, serial * 3)
                    };
                    // Owners carry an ID number (valid check character), so masking shows.
                    let id_number = demo_id_number(rng, serial);
                    let person = |name: &str, mobile: &str, id: &str, role: &str, since: &str| {
                        let mut cells = house.to_vec();
                        cells.extend([
                            ("name", name.to_string()),
                            ("mobile", mobile.to_string()),
                            ("id_number", id.to_string()),
                            ("role", role.to_string()),
                            ("start_date", since.to_string()),
                        ]);
                        cells
                    };
                    push(
                        &mut rows,
                        &person(&owner, &mobile, &id_number, "业主", "2021-06-01"),
                    );
                    if status == "出租" {
                        let tenant = format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN));
                        let mobile = format!("18{}{:08}", 5 + nth, serial * 7);
                        push(
                            &mut rows,
                            &person(&tenant, &mobile, "", "租户", "2025-03-01"),
                        );
                    } else if rng.next().is_multiple_of(3) {
                        let family = format!("{surname}{}", rng.pick(&GIVEN));
                        let mobile = format!("15{}{:08}", 5 + nth, serial * 11);
                        push(
                            &mut rows,
                            &person(&family, &mobile, "", "家庭成员", "2021-06-01"),
                        );
                    }
                }
            }
        }
    }
    rows
}

/// A valid 18-character ID number: a Beijing district, a birth date, a serial, the check character.
fn demo_id_number(rng: &mut Lcg, serial: u64) -> String {
    let year = 1950 + rng.next() % 50;
    let month = 1 + rng.next() % 12;
    let day = 1 + rng.next() % 28;
    let first17 = format!("110105{year}{month:02}{day:02}{:03}", serial % 1000);
    let check = app::common::personal::id_check_char(first17.as_bytes()) as char;
    format!("{first17}{check}")
}
