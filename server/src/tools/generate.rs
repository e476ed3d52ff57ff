//! `server generate`: fills an empty database with a deterministic, realistic
//! company for the benchmarks — estates of high-rise buildings (`3-2-1201`),
//! owners, co-owners, family and tenants with move-in/move-out history,
//! Chinese names (compound surnames and rare characters included), valid
//! mobiles and ID numbers, portal accounts, twelve months of bills with
//! payments and a realistic unpaid share, and repair tickets in every state.
//!
//! What goes through the application's own code and what is bulk SQL:
//! - fee items, rates, the late-fee policy, repair settings, common areas and
//!   skills: the desk's functions (`billing::db`, `repairs::db`);
//! - bill lines: the bill run itself (`billing::run::start` + `execute`), one
//!   run per estate and month, oldest first;
//! - repair tickets: `repairs::db::create` and `act`, step by step, so each
//!   ticket has the timeline, audit entries and (paid repairs) the charge the
//!   desk would have written — stamped with today's time;
//! - the register, accounts and payments: bulk SQL writing exactly the rows
//!   the import and `ledger::take_payment` write (payment, settlements,
//!   receipt numbers from `rules::receipt_number` in sequence, the audit
//!   entry), dated in the past, which the counter cannot do. The tests
//!   (`server/tests/generate.rs`) check that the app reads these rows as its
//!   own: the house account, the arrears, the search, and a payment taken at
//!   the counter afterwards continuing the receipt sequence.
//!
//! Every random choice is a hash of (seed, what, which), so a profile and a
//! seed give the same company whatever the order of work, dated relative to
//! the day it is generated (the last twelve months are billed; birth dates,
//! moves and which payments have happened yet count back from today).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};

use app::billing::db as billing;
use app::billing::rules::Period;
use app::common::{EstateScope, Lang};
use app::db::audit::Actor;
use app::db::{time, Backend, Database, Write};
use app::repairs::db::{self as repairs, ActInput, NewTicket, Viewer};
use app::repairs::{Action, Category, Source};
use app::security::hashing::Hasher;
use app::visits::VisitInput;

/// The sizes of a generated company.
#[derive(Debug, Clone)]
pub struct Options {
    pub estates: i64,
    /// Houses in all, spread evenly over the estates.
    pub houses: i64,
    /// Months billed, ending with this month.
    pub months: u32,
    /// Repair tickets per 1,000 houses.
    pub tickets_per_mille: i64,
    pub seed: u64,
    /// Every generated account's password.
    pub password: String,
}

impl Options {
    /// `tiny` (tests), `large` (one estate of 50,000 houses), `company`
    /// (200 estates, 500,000 houses, about 1.5 million residents).
    pub fn profile(name: &str) -> anyhow::Result<Options> {
        let (estates, houses) = match name {
            "tiny" => (2, 400),
            "large" => (1, 50_000),
            "company" => (200, 500_000),
            other => bail!("unknown profile {other}: tiny, large or company"),
        };
        Ok(Options {
            estates,
            houses,
            months: 12,
            tickets_per_mille: 60,
            seed: 2026,
            password: DEFAULT_PASSWORD.into(),
        })
    }
}

/// The generated accounts' password unless `--password` says otherwise.
pub const DEFAULT_PASSWORD: &str = "Bench-Estate-2026!";

// ---- deterministic dice ------------------------------------------------------

/// SplitMix64's finaliser: a well-mixed 64-bit hash.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Clone, Copy)]
struct Dice(u64);

impl Dice {
    /// A number for (what, which, detail): the same every run with this seed.
    fn roll(self, what: u64, which: i64, detail: i64) -> u64 {
        mix(self.0 ^ mix(what.wrapping_mul(0x0100_0193) ^ mix(which as u64 ^ mix(detail as u64))))
    }
    fn below(self, what: u64, which: i64, detail: i64, n: u64) -> u64 {
        self.roll(what, which, detail) % n.max(1)
    }
    /// True with the given chance in 1,000.
    fn chance(self, what: u64, which: i64, detail: i64, per_mille: u64) -> bool {
        self.below(what, which, detail, 1000) < per_mille
    }
    fn pick<T: Copy>(self, what: u64, which: i64, detail: i64, items: &[T]) -> T {
        items[self.below(what, which, detail, items.len() as u64) as usize]
    }
}

// What a roll is for (keeps unrelated choices independent).
const R_ESTATE: u64 = 1;
const R_BUILDING: u64 = 2;
const R_HOUSE: u64 = 3;
const R_PERSON: u64 = 4;
const R_OCCUPY: u64 = 5;
const R_PAYER: u64 = 6;
const R_PAYDAY: u64 = 7;
const R_TICKET: u64 = 8;
const R_ACCOUNT: u64 = 9;

// ---- people -----------------------------------------------------------------

/// Surnames, the common ones repeated by how common they are; compound
/// surnames and a few rare ones included.
const SURNAMES: [&str; 48] = [
    "王", "王", "王", "李", "李", "李", "张", "张", "张", "刘", "刘", "陈", "陈", "杨", "杨", "黄",
    "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢",
    "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "欧阳", "司马", "诸葛", "上官", "亓", "禤",
    "覃", "邝",
];
/// Given-name characters; rare ones (堃, 喆, 䶮 from CJK Extension A, 𠮷 outside
/// the Basic Multilingual Plane) appear now and then, as they do in a register.
const GIVEN: [&str; 64] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "桂", "英", "华", "建", "国", "志", "文", "红", "秀", "兰", "玉", "海",
    "鹏", "宇", "浩", "欣", "怡", "子", "涵", "梓", "轩", "雨", "萱", "博", "晨", "思", "佳", "琪",
    "婷", "慧", "俊", "嘉", "昊", "然", "堃", "喆", "淼", "垚", "玥", "珺", "昇", "龑", "䶮", "𠮷",
];

fn person_name(d: Dice, person: i64) -> String {
    let surname = d.pick(R_PERSON, person, 1, &SURNAMES);
    let first = d.pick(R_PERSON, person, 2, &GIVEN);
    // About a third have a one-character given name (two characters in all).
    if surname.chars().count() == 1 && d.chance(R_PERSON, person, 3, 330) {
        format!("{surname}{first}")
    } else {
        format!("{surname}{first}{}", d.pick(R_PERSON, person, 4, &GIVEN))
    }
}

/// Mobile prefixes of the three carriers.
const MOBILE_PREFIXES: [&str; 34] = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "198", "199",
];

/// A valid, unique mobile for the n-th generated person: the eight digits
/// are a bijection of n (48271 is prime to 10⁸), the prefix a carrier's.
fn mobile(d: Dice, person: i64) -> String {
    let tail = ((person as u64)
        .wrapping_mul(48_271)
        .wrapping_add(d.0 % 1000))
        % 100_000_000;
    let prefix = d.pick(R_PERSON, person, 5, &MOBILE_PREFIXES);
    format!("{prefix}{tail:08}")
}

/// Region codes (省市区) of the places residents come from.
const REGIONS: [&str; 16] = [
    "110101", "110105", "310104", "310115", "320102", "330106", "440106", "440305", "510107",
    "420106", "370102", "610113", "500103", "120101", "350203", "430104",
];

/// The ISO 7064 MOD 11-2 check character of an 18-digit resident ID number.
pub fn id_check_char(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}

/// A valid ID number, unique for distinct `index` (the company-wide person
/// number): birth day and serial are a bijection of the index below 24 million
/// (1,000,003 is prime to the space).
fn id_number(d: Dice, person: i64, index: i64, today: NaiveDate) -> String {
    const DAYS: i64 = 24_000; // born 18 to 83 years ago
    let space = DAYS * 1000;
    let p = (index * 1_000_003 + (d.0 % 997) as i64).rem_euclid(space);
    let born = today - Duration::days(18 * 366 + p / 1000);
    let first17 = format!(
        "{}{}{:03}",
        d.pick(R_PERSON, person, 6, &REGIONS),
        born.format("%Y%m%d"),
        p % 1000
    );
    let check = id_check_char(&first17);
    format!("{first17}{check}")
}

const ESTATE_FIRST: [&str; 16] = [
    "翠湖", "锦绣", "金色", "阳光", "碧水", "紫荆", "御景", "滨江", "世纪", "星河", "万科", "融创",
    "香樟", "明珠", "龙湖", "绿城",
];
const ESTATE_SECOND: [&str; 8] = ["花园", "华庭", "家园", "雅苑", "公馆", "名邸", "新城", "府"];

// ---- bulk SQL -----------------------------------------------------------------

/// Text as an SQL literal. Only generated text reaches these statements (names
/// from the tables above, numbers, dates), never outside input.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt_lit(s: &Option<String>) -> String {
    s.as_deref().map(lit).unwrap_or_else(|| "null".into())
}

/// Rows for one table, written 500 at a time.
struct Rows {
    into: &'static str,
    values: Vec<String>,
    written: u64,
}

impl Rows {
    fn new(into: &'static str) -> Rows {
        Rows {
            into,
            values: Vec::with_capacity(500),
            written: 0,
        }
    }
    async fn push(&mut self, tx: &mut Write, row: String) -> anyhow::Result<()> {
        self.values.push(row);
        if self.values.len() >= 500 {
            self.flush(tx).await?;
        }
        Ok(())
    }
    /// Keeps the row for a later `flush` (rows that refer to rows of other
    /// tables still being gathered).
    fn keep(&mut self, row: String) {
        self.values.push(row);
    }
    async fn flush(&mut self, tx: &mut Write) -> anyhow::Result<()> {
        if self.values.is_empty() {
            return Ok(());
        }
        let sql = format!("insert into {} values {}", self.into, self.values.join(","));
        sqlx::query(&sql)
            .execute(&mut **tx)
            .await
            .with_context(|| format!("insert into {}", self.into))?;
        self.written += self.values.len() as u64;
        self.values.clear();
        Ok(())
    }
}

/// A desk-local date and time as the database's UTC text.
fn at(day: NaiveDate, minute_of_day: u32) -> String {
    let naive = day
        .and_hms_opt(minute_of_day / 60 % 24, minute_of_day % 60, 0)
        .unwrap_or_default();
    let local = time::desk_offset()
        .from_local_datetime(&naive)
        .single()
        .unwrap_or_else(|| time::desk_offset().from_utc_datetime(&naive));
    time::to_db(local.with_timezone(&Utc))
}

// ---- the company ----------------------------------------------------------------

/// A house as later steps need it.
#[derive(Clone)]
struct GenHouse {
    id: i64,
    number: String,
    status: &'static str,
    /// The current owner: name, mobile, resident id.
    owner: Option<(String, String, i64)>,
}

struct Estate {
    id: i64,
    code: String,
    clerk: (i64, String),
    /// Workers: account id, display name, skills.
    workers: Vec<(i64, String, Vec<&'static str>)>,
    houses: Vec<GenHouse>,
}

/// Ids handed out in order (the database's own sequences are moved past them
/// at the end on PostgreSQL).
#[derive(Default)]
struct Ids {
    building: i64,
    house: i64,
    resident: i64,
    occupancy: i64,
    account: i64,
    payment: i64,
}

pub struct Progress {
    started: Instant,
}

impl Progress {
    fn say(&self, what: &str) {
        eprintln!("[{:>7.1} s] {what}", self.started.elapsed().as_secs_f64());
    }
}

/// Generates the company into an empty, migrated database.
pub async fn generate(db: &Database, opts: &Options) -> anyhow::Result<()> {
    if !db.is_empty().await? {
        bail!(
            "generate needs an empty database; {} already holds data",
            db.display_url
        );
    }
    anyhow::ensure!(
        opts.estates >= 1 && opts.houses >= opts.estates * 20,
        "at least one estate and 20 houses per estate"
    );
    let progress = Progress {
        started: Instant::now(),
    };
    let d = Dice(mix(opts.seed));
    let today = NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d")?;
    let this_month = Period::of(today);
    let mut first = this_month;
    for _ in 1..opts.months.max(1) {
        first = prev(first);
    }
    progress.say(&format!(
        "generating {} estates, {} houses, bills {first} to {this_month} into {}",
        opts.estates, opts.houses, db.display_url
    ));
    let hash = Hasher::new(1)?.hash(opts.password.clone()).await?;
    let mut ids = Ids::default();

    // Staff first: the administrator and the manager see every estate.
    let mut tx = db.write(Actor::system("generate")).await?;
    let mut accounts = Rows::new("account (id, role, username, mobile, display_name, password_hash, resident_id, created_at, updated_at)");
    let mut links = Rows::new("account_estate (account_id, estate_id)");
    let now = time::now();
    let staff = |role: &str, username: &str, name: &str, ids: &mut Ids| {
        ids.account += 1;
        (
            ids.account,
            format!(
                "({}, {}, {}, null, {}, {}, null, {}, {})",
                ids.account,
                lit(role),
                lit(username),
                lit(name),
                lit(&hash),
                lit(&now),
                lit(&now)
            ),
        )
    };
    let (_, row) = staff("admin", "admin", "系统管理员", &mut ids);
    accounts.push(&mut tx, row).await?;
    let (manager_id, row) = staff("manager", "manager", "李经理", &mut ids);
    accounts.push(&mut tx, row).await?;
    let mut estates = Vec::new();
    for e in 1..=opts.estates {
        let houses = opts.houses / opts.estates + i64::from(e <= opts.houses % opts.estates);
        let code = format!("E{e:03}");
        let name = format!(
            "{}{}",
            d.pick(R_ESTATE, e, 2, &ESTATE_FIRST),
            d.pick(R_ESTATE, e, 3, &ESTATE_SECOND)
        );
        sqlx::query(&format!(
            "insert into estate (id, code, name, created_at) values ({e}, {}, {}, {})",
            lit(&code),
            lit(&if e > 1 { format!("{name}{e}期") } else { name }),
            lit(&at(delivered(d, e, first), 9 * 60))
        ))
        .execute(&mut *tx)
        .await?;
        let clerk_user = if e == 1 {
            "clerk".to_string()
        } else {
            format!("clerk{e:03}")
        };
        let clerk_name = person_name(d, -e);
        let (clerk_id, row) = staff("clerk", &clerk_user, &clerk_name, &mut ids);
        accounts.push(&mut tx, row).await?;
        links.keep(format!("({clerk_id}, {e})"));
        links.keep(format!("({manager_id}, {e})"));
        let n_workers = (houses / 1_500).clamp(2, 40);
        let groups = n_workers.min(3) as usize;
        let mut workers = Vec::new();
        for k in 0..n_workers {
            let username = match (e, k) {
                (1, 0) => "maintenance".to_string(),
                (1, k) => format!("maintenance{}", k + 1),
                (e, k) => format!("m{e:03}w{}", k + 1),
            };
            let name = format!(
                "{}师傅",
                d.pick(R_PERSON, -(e * 1000 + k), 1, &SURNAMES[..40])
            );
            let (id, row) = staff("maintenance", &username, &name, &mut ids);
            accounts.push(&mut tx, row).await?;
            links.keep(format!("({id}, {e})"));
            let skills: Vec<&'static str> = app::repairs::Category::ALL
                .iter()
                .enumerate()
                .filter(|(i, c)| c.as_str() == "other" || i % groups == k as usize % groups)
                .map(|(_, c)| c.as_str())
                .collect();
            workers.push((id, name, skills));
        }
        estates.push(Estate {
            id: e,
            code,
            clerk: (clerk_id, clerk_name),
            workers,
            houses: Vec::new(),
        });
    }
    // Accounts before the links that refer to them.
    accounts.flush(&mut tx).await?;
    links.flush(&mut tx).await?;
    tx.commit().await?;

    // The register, estate by estate.
    let mut residents_total = 0u64;
    for estate in &mut estates {
        let houses =
            opts.houses / opts.estates + i64::from(estate.id <= opts.houses % opts.estates);
        residents_total += register(db, d, estate, houses, today, first, &hash, &mut ids).await?;
        if estate.id == 1 || estate.id % 20 == 0 || estate.id == opts.estates {
            progress.say(&format!(
                "register: {} of {} estates, {} houses, {residents_total} residents",
                estate.id, opts.estates, ids.house
            ));
        }
    }

    // Fees and the repair desk, through the desk's own functions.
    let system = Actor::system("generate");
    let mut locations: HashMap<i64, Vec<i64>> = HashMap::new();
    for estate in &estates {
        locations.insert(estate.id, setup(db, &system, estate, first).await?);
    }
    progress.say("fee items, rates, late fees and repair settings set up");

    // Twelve months of bills: the bill run, month by month.
    let mut lines = 0;
    let mut period = first;
    loop {
        for estate in &estates {
            let id = app::billing::run::start(
                db,
                &system,
                None,
                Lang::En,
                estate.id,
                &period.to_string(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("bill run {period}: {e}"))?;
            let outcome = app::billing::run::execute(db, id)
                .await
                .map_err(|e| anyhow::anyhow!("bill run {period}: {e}"))?;
            lines += outcome.lines_created;
        }
        progress.say(&format!("bill runs for {period}: {lines} lines so far"));
        if period == this_month {
            break;
        }
        period = period.next();
    }

    // Payments, as the counter would have taken them over the year.
    let mut payments = 0;
    for estate in &estates {
        payments += pay(db, d, estate, today, &mut ids).await?;
        if estate.id == 1 || estate.id % 20 == 0 || estate.id == opts.estates {
            progress.say(&format!(
                "payments: {} of {} estates, {payments} payments",
                estate.id, opts.estates
            ));
        }
    }

    // Repair tickets in every state, through the repair desk's functions.
    let mut tickets = 0;
    for estate in &estates {
        let n = (estate.houses.len() as i64 * opts.tickets_per_mille / 1000).max(8);
        repairs(db, d, estate, &locations[&estate.id], n).await?;
        tickets += n;
        if estate.id == 1 || estate.id % 20 == 0 || estate.id == opts.estates {
            progress.say(&format!(
                "repairs: {} of {} estates, {tickets} tickets",
                estate.id, opts.estates
            ));
        }
    }

    if db.backend == Backend::Postgres {
        for table in [
            "estate",
            "building",
            "house",
            "resident",
            "occupancy",
            "account",
            "payment",
        ] {
            sqlx::query(&format!(
                "select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
            ))
            .execute(&db.pool)
            .await?;
        }
    }
    sqlx::query("analyze").execute(&db.pool).await?;
    summary(db, &progress).await
}

fn prev(p: Period) -> Period {
    if p.month == 1 {
        Period {
            year: p.year - 1,
            month: 12,
        }
    } else {
        Period {
            year: p.year,
            month: p.month - 1,
        }
    }
}

/// When an estate was delivered: 1 to 13 years before the first billed month.
fn delivered(d: Dice, estate: i64, first: Period) -> NaiveDate {
    first.first_day() - Duration::days(400 + d.below(R_ESTATE, estate, 1, 4_400) as i64)
}

/// One estate's buildings, houses, residents, occupancies and portal accounts.
/// Returns how many residents it has.
#[allow(clippy::too_many_arguments)]
async fn register(
    db: &Database,
    d: Dice,
    estate: &mut Estate,
    houses: i64,
    today: NaiveDate,
    first: Period,
    hash: &str,
    ids: &mut Ids,
) -> anyhow::Result<u64> {
    let e = estate.id;
    let now = time::now();
    let built = delivered(d, e, first);
    let mut tx = db.write(Actor::system("generate")).await?;
    let mut buildings = Rows::new("building (id, estate_id, code, name)");
    let mut house_rows = Rows::new("house (id, estate_id, building_id, number, room, entrance, floor, area_centi, use_kind, status, created_at)");
    let mut changes =
        Rows::new("house_status_change (house_id, from_status, to_status, changed_at, reason)");
    let mut people = Rows::new(
        "resident (id, estate_id, name, mobile, mobile_tail, id_number, id_tail, created_at)",
    );
    let mut stays =
        Rows::new("occupancy (id, house_id, resident_id, role, start_date, end_date, created_at)");
    let mut accounts = Rows::new("account (id, role, username, mobile, display_name, password_hash, resident_id, created_at, updated_at)");
    let mut first_account = false;
    let mut made = 0i64;
    let mut b = 0i64;
    while made < houses {
        b += 1;
        ids.building += 1;
        let building_id = ids.building;
        buildings.keep(format!("({building_id}, {e}, '{b}', '{b}栋')"));
        // High-rise (18–33 floors, 2 entrances, 2–4 flats a floor) or mid-rise
        // (6–11 floors, 3 entrances, 2 flats a floor).
        let high = d.chance(R_BUILDING, building_id, 1, 750);
        let (floors, entrances, flats) = if high {
            (
                18 + d.below(R_BUILDING, building_id, 2, 16) as i64,
                2,
                2 + d.below(R_BUILDING, building_id, 3, 3) as i64,
            )
        } else {
            (6 + d.below(R_BUILDING, building_id, 2, 6) as i64, 3, 2)
        };
        let shops = d.chance(R_BUILDING, building_id, 4, 200);
        'building: for entrance in 1..=entrances {
            for floor in 1..=floors {
                for flat in 1..=flats {
                    if made >= houses {
                        break 'building;
                    }
                    // Rows refer to rows of the tables before them: write them in that order.
                    if people.values.len() >= 2_000 || house_rows.values.len() >= 2_000 {
                        for rows in [
                            &mut buildings,
                            &mut house_rows,
                            &mut changes,
                            &mut people,
                            &mut stays,
                            &mut accounts,
                        ] {
                            rows.flush(&mut tx).await?;
                        }
                    }
                    made += 1;
                    ids.house += 1;
                    let h = ids.house;
                    let room = format!("{floor}{flat:02}");
                    let number = format!("{b}-{entrance}-{room}");
                    let commercial = shops && floor == 1;
                    let area = [8_956i64, 11_230, 7_645, 14_320][(flat - 1) as usize % 4]
                        + d.below(R_HOUSE, h, 1, 600) as i64
                        - 300;
                    let status = match d.below(R_HOUSE, h, 2, 1000) {
                        0..=19 => "not_handed_over",
                        20..=89 => "vacant",
                        90..=189 => "let",
                        190..=209 => "renovating",
                        _ => "occupied",
                    };
                    let handed = built + Duration::days(d.below(R_HOUSE, h, 3, 180) as i64);
                    house_rows
                        .keep(
                            format!(
                                "({h}, {e}, {building_id}, {}, {}, {entrance}, {floor}, {area}, {}, {}, {})",
                                lit(&number),
                                lit(&room),
                                lit(if commercial { "commercial" } else { "residential" }),
                                lit(status),
                                lit(&at(built, 9 * 60))
                            ),
                        );
                    let (from, when, reason) = if status == "not_handed_over" {
                        ("null".to_string(), built, "登记")
                    } else {
                        (lit("not_handed_over"), handed, "交付")
                    };
                    changes.keep(format!(
                        "({h}, {from}, {}, {}, {})",
                        lit(status),
                        lit(&at(when, 10 * 60)),
                        lit(reason)
                    ));
                    if status == "not_handed_over" {
                        estate.houses.push(GenHouse {
                            id: h,
                            number,
                            status,
                            owner: None,
                        });
                        continue;
                    }
                    // Who lives here, and who did.
                    let person = |role: &'static str,
                                  start: NaiveDate,
                                  end: Option<NaiveDate>,
                                  ids: &mut Ids|
                     -> (i64, String, String, (String, String)) {
                        ids.resident += 1;
                        ids.occupancy += 1;
                        let r = ids.resident;
                        let name = person_name(d, r);
                        let phone = mobile(d, r);
                        // Most have their ID number on file; some children do not.
                        let idn = (role != "family" || d.chance(R_PERSON, r, 7, 600))
                            .then(|| id_number(d, r, r, today));
                        let resident = format!(
                            "({r}, {e}, {}, {}, {}, {}, {}, {})",
                            lit(&name),
                            lit(&phone),
                            lit(&phone[7..]),
                            opt_lit(&idn),
                            opt_lit(&idn.as_ref().map(|i| i[14..].to_string())),
                            lit(&at(start, 10 * 60))
                        );
                        let stay = format!(
                            "({}, {h}, {r}, {}, {}, {}, {})",
                            ids.occupancy,
                            lit(role),
                            lit(&time::date_to_db(start)),
                            opt_lit(&end.map(time::date_to_db)),
                            lit(&at(start, 10 * 60))
                        );
                        (r, name, phone, (resident, stay))
                    };
                    let mut rows = Vec::new();
                    let mut owner_from =
                        handed + Duration::days(d.below(R_OCCUPY, h, 1, 60) as i64);
                    // One house in eight changed hands since it was delivered.
                    if d.chance(R_OCCUPY, h, 2, 125) {
                        let sold = owner_from
                            + Duration::days(
                                200 + d.below(
                                    R_OCCUPY,
                                    h,
                                    3,
                                    (today - owner_from).num_days().max(300) as u64 - 100,
                                ) as i64,
                            );
                        let sold = sold.min(today - Duration::days(5));
                        rows.push(person("owner", owner_from, Some(sold), ids).3);
                        owner_from = sold;
                    }
                    let (owner_id, owner_name, owner_phone, row) =
                        person("owner", owner_from, None, ids);
                    rows.push(row);
                    if d.chance(R_OCCUPY, h, 4, 250) {
                        rows.push(person("co_owner", owner_from, None, ids).3);
                    }
                    if matches!(status, "occupied" | "renovating") {
                        for k in 0..d.below(R_OCCUPY, h, 5, 5) {
                            let _ = k;
                            rows.push(person("family", owner_from, None, ids).3);
                        }
                    }
                    if status == "let" {
                        let lease = (today
                            - Duration::days(30 + d.below(R_OCCUPY, h, 6, 700) as i64))
                        .max(owner_from);
                        if d.chance(R_OCCUPY, h, 7, 300) && lease > owner_from + Duration::days(60)
                        {
                            let earlier = owner_from + Duration::days(30);
                            rows.push(person("tenant", earlier, Some(lease), ids).3);
                        }
                        rows.push(person("tenant", lease, None, ids).3);
                        for _ in 0..d.below(R_OCCUPY, h, 8, 3) {
                            rows.push(person("family", lease, None, ids).3);
                        }
                    }
                    for (resident, stay) in rows {
                        people.keep(resident);
                        stays.keep(stay);
                    }
                    // A quarter of owners use the portal (the estate's first one always).
                    if !first_account || d.chance(R_ACCOUNT, owner_id, 1, 250) {
                        first_account = true;
                        ids.account += 1;
                        accounts.keep(format!(
                            "({}, 'resident', null, {}, {}, {}, {owner_id}, {}, {})",
                            ids.account,
                            lit(&owner_phone),
                            lit(&owner_name),
                            lit(hash),
                            lit(&now),
                            lit(&now)
                        ));
                    }
                    estate.houses.push(GenHouse {
                        id: h,
                        number,
                        status,
                        owner: Some((owner_name, owner_phone, owner_id)),
                    });
                }
            }
        }
    }
    for rows in [
        &mut buildings,
        &mut house_rows,
        &mut changes,
        &mut people,
        &mut stays,
        &mut accounts,
    ] {
        rows.flush(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(people.written)
}

/// Fee items, rates, the late-fee policy, the repair charge item and settings,
/// common areas and skills. Returns the common areas' ids.
async fn setup(
    db: &Database,
    actor: &Actor,
    estate: &Estate,
    first: Period,
) -> anyhow::Result<Vec<i64>> {
    let lang = Lang::En;
    let fail = |e: app::error::AppError| anyhow::anyhow!("estate {}: {e:?}", estate.code);
    let any = |_| Ok(());
    // Rates take effect on the 1st of a month: a year before the first bill.
    let from = time::date_to_db(
        Period {
            year: first.year - 1,
            month: first.month,
        }
        .first_day(),
    );
    for (name, kind, rates) in [
        (
            "物业服务费",
            "area",
            &[("residential", "2.35"), ("commercial", "4.80")][..],
        ),
        ("电梯运行费", "fixed", &[("any", "30")][..]),
        ("垃圾清运费", "fixed", &[("any", "12.50")][..]),
    ] {
        let item = billing::create_fee_item(db, actor, lang, estate.id, name, kind, "15", "")
            .await
            .map_err(fail)?;
        for (use_kind, rate) in rates {
            billing::add_rate(db, actor, lang, item, use_kind, rate, &from, "", any)
                .await
                .map_err(fail)?;
        }
    }
    billing::set_late_policy(db, actor, lang, estate.id, "0.0005", "30", &from)
        .await
        .map_err(fail)?;
    let charge =
        billing::create_fee_item(db, actor, lang, estate.id, "维修费", "one_off", "15", "")
            .await
            .map_err(fail)?;
    let t = app::repairs::rules::Targets::default();
    repairs::save_settings(
        db,
        actor,
        lang,
        estate.id,
        &t.urgent_response.to_string(),
        &t.urgent_completion.to_string(),
        &t.normal_response.to_string(),
        &t.normal_completion.to_string(),
        charge,
    )
    .await
    .map_err(fail)?;
    let mut locations = Vec::new();
    for name in ["1 栋大堂", "1 号电梯", "中心花园", "地下车库", "东门岗亭"] {
        locations.push(
            repairs::add_location(db, actor, lang, estate.id, name)
                .await
                .map_err(fail)?,
        );
    }
    for (id, _, skills) in &estate.workers {
        let skills: Vec<String> = skills.iter().map(|s| s.to_string()).collect();
        repairs::set_skills(
            db,
            actor,
            lang,
            app::common::EstateId(estate.id),
            app::common::AccountId(*id),
            &skills,
        )
        .await
        .map_err(fail)?;
    }
    Ok(locations)
}

/// How a household pays.
#[derive(Clone, Copy, PartialEq)]
enum Payer {
    /// Each month's bills, by WeChat or Alipay, before they are due.
    Monthly,
    /// Three months at a time.
    Quarterly,
    /// Half a year at a time.
    HalfYearly,
    /// Paid monthly until some month, then stopped.
    Lapsed(u32),
    /// Has paid nothing this year.
    Never,
}

fn payer(d: Dice, house: &GenHouse) -> Payer {
    let roll = d.below(R_PAYER, house.id, 1, 1000);
    // Empty flats' owners pay less reliably.
    let roll = if house.status == "vacant" {
        (roll + 300).min(999)
    } else {
        roll
    };
    match roll {
        0..=299 => Payer::Monthly,
        300..=649 => Payer::Quarterly,
        650..=819 => Payer::HalfYearly,
        820..=929 => Payer::Lapsed(2 + d.below(R_PAYER, house.id, 2, 8) as u32),
        _ => Payer::Never,
    }
}

/// One estate's payments over the billed months: the rows `take_payment`
/// writes (payment, settlements, audit entry, receipt sequence), dated on the
/// day each was taken. Returns how many.
async fn pay(
    db: &Database,
    d: Dice,
    estate: &Estate,
    today: NaiveDate,
    ids: &mut Ids,
) -> anyhow::Result<u64> {
    struct Payment {
        house: i64,
        day: NaiveDate,
        minute: u32,
        method: &'static str,
        lines: Vec<(i64, i64)>,
    }
    let mut payments: Vec<Payment> = Vec::new();
    let houses: HashMap<i64, &GenHouse> = estate.houses.iter().map(|h| (h.id, h)).collect();
    let mut after = 0i64;
    loop {
        // (house, line, period, amount, due date), a few thousand houses at a time.
        let rows: Vec<(i64, i64, String, i64, String)> = sqlx::query_as(
            "select house_id, id, period, amount_fen, due_date from bill_line \
             where estate_id = $1 and house_id > $2 and house_id <= $3 and late_fee_of is null \
             order by house_id, period, fee_item_id",
        )
        .bind(estate.id)
        .bind(after)
        .bind(after + 2_000)
        .fetch_all(&db.pool)
        .await?;
        if rows.is_empty() {
            let (more,): (Option<i64>,) = sqlx::query_as(
                "select min(house_id) from bill_line where estate_id = $1 and house_id > $2",
            )
            .bind(estate.id)
            .bind(after)
            .fetch_one(&db.pool)
            .await?;
            match more {
                Some(next) if next > after => {
                    after = next - 1;
                    continue;
                }
                _ => break,
            }
        }
        after += 2_000;
        // A house's lines: (line, period, amount, due date).
        type Lines = Vec<(i64, Period, i64, NaiveDate)>;
        let mut by_house: Vec<(i64, Lines)> = Vec::new();
        for (house, line, period, amount, due) in rows {
            let period = Period::parse(&period).context("period")?;
            let due = NaiveDate::parse_from_str(&due, "%Y-%m-%d")?;
            match by_house.last_mut() {
                Some((h, lines)) if *h == house => lines.push((line, period, amount, due)),
                _ => by_house.push((house, vec![(line, period, amount, due)])),
            }
        }
        for (house_id, lines) in by_house {
            let Some(house) = houses.get(&house_id) else {
                continue;
            };
            let kind = payer(d, house);
            let months: Vec<Period> = {
                let mut m: Vec<Period> = lines.iter().map(|l| l.1).collect();
                m.dedup();
                m
            };
            let group = match kind {
                Payer::Monthly | Payer::Lapsed(_) => 1,
                Payer::Quarterly => 3,
                Payer::HalfYearly => 6,
                Payer::Never => continue,
            };
            for (n, chunk) in months.chunks(group).enumerate() {
                if let Payer::Lapsed(stop) = kind {
                    if n as u32 >= stop {
                        break;
                    }
                }
                let picked: Vec<&(i64, Period, i64, NaiveDate)> =
                    lines.iter().filter(|l| chunk.contains(&l.1)).collect();
                let Some(due) = picked.iter().map(|l| l.3).min() else {
                    continue;
                };
                let earliest = chunk[0].first_day();
                let day = (due - Duration::days(d.below(R_PAYDAY, house_id, n as i64, 14) as i64))
                    .max(earliest);
                if day > today {
                    continue;
                }
                let method = match kind {
                    Payer::Monthly | Payer::Lapsed(_) => d.pick(
                        R_PAYDAY,
                        house_id,
                        100 + n as i64,
                        &["wechat", "wechat", "alipay"],
                    ),
                    _ => d.pick(
                        R_PAYDAY,
                        house_id,
                        100 + n as i64,
                        &["wechat", "alipay", "cash", "card", "transfer", "transfer"],
                    ),
                };
                payments.push(Payment {
                    house: house_id,
                    day,
                    minute: 8 * 60
                        + 30
                        + d.below(R_PAYDAY, house_id, 200 + n as i64, 9 * 60) as u32,
                    method,
                    lines: picked.iter().map(|l| (l.0, l.2)).collect(),
                });
            }
        }
    }
    // Receipt numbers run in the order payments were taken, per estate and year.
    payments.sort_by_key(|p| (p.day, p.minute, p.house));
    let mut tx = db.write(Actor::system("generate")).await?;
    let mut pay_rows = Rows::new("payment (id, estate_id, house_id, receipt_no, method, received_fen, lines_fen, prepaid_fen, clerk_id, business_day, created_at, request_key)");
    let mut settle_rows =
        Rows::new("settlement (line_id, attempt, payment_id, amount_fen, created_at)");
    let mut audit_rows = Rows::new("audit_log (at, actor_id, actor_name, ip, estate_id, entity, entity_id, action, before, after)");
    let mut sequence: HashMap<i32, i64> = HashMap::new();
    let (clerk_id, clerk_name) = &estate.clerk;
    for p in &payments {
        ids.payment += 1;
        let id = ids.payment;
        let year = p.day.year();
        let seq = sequence.entry(year).or_insert(0);
        *seq += 1;
        let receipt = app::billing::rules::receipt_number(&estate.code, year, *seq);
        let total: i64 = p.lines.iter().map(|l| l.1).sum();
        let stamp = at(p.day, p.minute);
        pay_rows.keep(format!(
            "({id}, {}, {}, {}, {}, {total}, {total}, 0, {clerk_id}, {}, {}, {})",
            estate.id,
            p.house,
            lit(&receipt),
            lit(p.method),
            lit(&time::date_to_db(p.day)),
            lit(&stamp),
            lit(&format!("generated:{id}"))
        ));
        let mut settled = String::new();
        for (line, amount) in &p.lines {
            settle_rows.keep(format!("({line}, 0, {id}, {amount}, {})", lit(&stamp)));
            let _ = write!(
                settled,
                "{}{line}",
                if settled.is_empty() { "" } else { "," }
            );
        }
        if settle_rows.values.len() >= 2_000 {
            // Payments before the settlements that refer to them.
            pay_rows.flush(&mut tx).await?;
            settle_rows.flush(&mut tx).await?;
            audit_rows.flush(&mut tx).await?;
        }
        let after = serde_json::json!({
            "receipt_no": receipt, "house_id": p.house, "method": p.method,
            "received_fen": total, "lines_fen": total, "prepaid_fen": 0,
            "lines": p.lines.iter().map(|l| l.0).collect::<Vec<_>>(),
        });
        audit_rows.keep(format!(
            "({}, {clerk_id}, {}, null, {}, 'payment', '{id}', 'take_payment', null, {})",
            lit(&stamp),
            lit(clerk_name),
            estate.id,
            lit(&after.to_string())
        ));
    }
    pay_rows.flush(&mut tx).await?;
    settle_rows.flush(&mut tx).await?;
    audit_rows.flush(&mut tx).await?;
    for (year, last) in sequence {
        sqlx::query("insert into receipt_sequence (estate_id, year, last_no) values ($1, $2, $3)")
            .bind(estate.id)
            .bind(i64::from(year))
            .bind(last)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(payments.len() as u64)
}

/// What a ticket's description says, by category.
fn description(category: &str, n: u64) -> &'static str {
    let options: &[&str] = match category {
        "water" => &[
            "厨房水管接头漏水",
            "卫生间地漏堵塞",
            "马桶水箱不停流水",
            "热水器进水阀滴水",
        ],
        "electrical" => &[
            "客厅插座没电",
            "卫生间浴霸不亮",
            "空开频繁跳闸",
            "走廊灯不亮",
        ],
        "doors_windows" => &[
            "入户门关不严",
            "阳台推拉窗卡住",
            "卧室门锁打不开",
            "纱窗脱轨",
        ],
        "lift" => &["电梯按钮失灵", "电梯运行有异响", "电梯门关闭缓慢"],
        "public_facility" => &["楼道扶手松动", "单元门禁刷不开", "花园长椅损坏", "路灯不亮"],
        _ => &["阳台晾衣架松动", "墙面渗水发霉", "天花板掉灰"],
    };
    options[(n % options.len() as u64) as usize]
}

/// One estate's repair tickets, each walked to its state through
/// `repairs::db::create` and `act` — about 80 % closed, the rest spread over
/// the open states, cancelled and reopened.
async fn repairs(
    db: &Database,
    d: Dice,
    estate: &Estate,
    locations: &[i64],
    count: i64,
) -> anyhow::Result<()> {
    let lang = Lang::En;
    let desk = Viewer::Desk(EstateScope::Only(vec![estate.id]));
    let clerk = Actor {
        account_id: Some(estate.clerk.0),
        name: estate.clerk.1.clone(),
        ip: None,
    };
    let lived_in: Vec<&GenHouse> = estate.houses.iter().filter(|h| h.owner.is_some()).collect();
    for t in 0..count {
        let tid = estate.id * 1_000_000 + t;
        let category = d.pick(R_TICKET, tid, 1, Category::ALL).as_str();
        let common = !locations.is_empty()
            && (category == "public_facility"
                || category == "lift"
                || d.chance(R_TICKET, tid, 2, 50));
        let house = lived_in[d.below(R_TICKET, tid, 3, lived_in.len() as u64) as usize];
        let (reporter, phone, resident_id) = house.owner.clone().unwrap_or_default();
        let source = d.pick(R_TICKET, tid, 4, Source::ALL).as_str();
        let paid = !common && d.chance(R_TICKET, tid, 5, 300);
        // A portal report comes from the owner's own phone; the rest the desk types in.
        let portal = source == "portal";
        let input = NewTicket {
            estate_id: estate.id,
            house_number: if common || portal {
                String::new()
            } else {
                house.number.clone()
            },
            house_id: if portal && !common { house.id } else { 0 },
            location_id: if common {
                locations[d.below(R_TICKET, tid, 6, locations.len() as u64) as usize]
            } else {
                0
            },
            category: category.into(),
            description: description(category, d.roll(R_TICKET, tid, 7)).into(),
            urgency: if d.chance(R_TICKET, tid, 8, 100) {
                "urgent"
            } else {
                "normal"
            }
            .into(),
            paid,
            source: source.into(),
            reporter_name: if source == "inspection" {
                estate.clerk.1.clone()
            } else {
                reporter
            },
            // An inspection is reported by the service centre, on its duty phone.
            reporter_phone: if source == "inspection" {
                mobile(d, 90_000_000 + estate.id)
            } else {
                phone
            },
            ..Default::default()
        };
        let fail = |e: app::error::AppError| anyhow::anyhow!("ticket {tid}: {e:?}");
        let id = if portal {
            let owner = Viewer::Resident {
                resident_id,
                houses: vec![app::common::Residence {
                    house_id: house.id,
                    from: String::new(),
                }],
            };
            let actor = Actor {
                account_id: None,
                name: input.reporter_name.clone(),
                ip: None,
            };
            repairs::create(db, &actor, lang, &owner, input).await
        } else {
            repairs::create(db, &clerk, lang, &desk, input).await
        }
        .map_err(fail)?;
        // Where this ticket ends up (per mille); an estate's first eight
        // tickets take one state each, so every state is there however small.
        const EACH: [u64; 8] = [10, 30, 50, 70, 90, 100, 190, 500];
        let fate = match EACH.get(t as usize) {
            Some(f) => *f,
            None => d.below(R_TICKET, tid, 9, 1000),
        };
        if fate < 20 {
            continue; // 待派工
        }
        if fate < 45 {
            let reason = ActInput {
                reason: "住户已自行修好".into(),
                ..Default::default()
            };
            repairs::act(db, &clerk, lang, &desk, id, Action::Cancel, reason)
                .await
                .map_err(fail)?;
            continue;
        }
        let skilled: Vec<&(i64, String, Vec<&str>)> = estate
            .workers
            .iter()
            .filter(|w| w.2.contains(&category))
            .collect();
        let (worker_id, worker_name, _) =
            skilled[d.below(R_TICKET, tid, 10, skilled.len() as u64) as usize];
        let assign = ActInput {
            worker_id: *worker_id,
            ..Default::default()
        };
        repairs::act(db, &clerk, lang, &desk, id, Action::Assign, assign)
            .await
            .map_err(fail)?;
        if fate < 65 {
            continue; // 已派工
        }
        let worker = Viewer::Worker {
            account_id: *worker_id,
            scope: EstateScope::Only(vec![estate.id]),
        };
        let as_worker = Actor {
            account_id: Some(*worker_id),
            name: worker_name.clone(),
            ip: None,
        };
        // The worker's steps on this ticket.
        let work = |action: Action, input: ActInput| {
            repairs::act(db, &as_worker, lang, &worker, id, action, input)
        };
        work(Action::Accept, ActInput::default())
            .await
            .map_err(fail)?;
        if fate < 80 {
            continue; // 已接单
        }
        work(Action::Start, ActInput::default())
            .await
            .map_err(fail)?;
        if fate < 95 {
            continue; // 处理中
        }
        let labour = 50 + d.below(R_TICKET, tid, 11, 16) * 10;
        let finish = ActInput {
            work_notes: "已处理，试用正常".into(),
            materials: if paid {
                "配件 1 个".into()
            } else {
                String::new()
            },
            labour: if paid {
                labour.to_string()
            } else {
                String::new()
            },
            materials_cost: if paid {
                format!("{}.50", d.below(R_TICKET, tid, 12, 60))
            } else {
                String::new()
            },
            ..Default::default()
        };
        work(Action::Finish, finish).await.map_err(fail)?;
        if fate < 175 {
            continue; // 已完工, waiting for the return visit
        }
        let (rating, fixed, comment) = if fate < 200 {
            (2, false, "还是漏水，师傅没修好".to_string())
        } else {
            (
                3 + d.below(R_TICKET, tid, 13, 3) as i64,
                true,
                String::new(),
            )
        };
        let visit = ActInput {
            visit: Some(VisitInput {
                rating,
                fixed,
                comment,
            }),
            ..Default::default()
        };
        repairs::act(db, &clerk, lang, &desk, id, Action::Visit, visit)
            .await
            .map_err(fail)?;
    }
    Ok(())
}

/// Prints what is in the database now.
async fn summary(db: &Database, progress: &Progress) -> anyhow::Result<()> {
    let count = |table: &str| format!("select count(*) from {table}");
    let mut parts = Vec::new();
    for table in [
        "estate",
        "building",
        "house",
        "resident",
        "occupancy",
        "account",
        "bill_line",
        "payment",
        "settlement",
        "repair_ticket",
        "audit_log",
    ] {
        let (n,): (i64,) = sqlx::query_as(&count(table)).fetch_one(&db.pool).await?;
        parts.push(format!("{table} {n}"));
    }
    let (billed, settled): (i64, i64) = sqlx::query_as(
        "select (select cast(coalesce(sum(amount_fen), 0) as bigint) from bill_line), \
                (select cast(coalesce(sum(amount_fen), 0) as bigint) from settlement)",
    )
    .fetch_one(&db.pool)
    .await?;
    let states: Vec<(String, i64)> = sqlx::query_as(
        "select status, count(*) from repair_ticket group by status order by status",
    )
    .fetch_all(&db.pool)
    .await?;
    progress.say(&format!("done: {}", parts.join(", ")));
    eprintln!(
        "  billed {} yuan, paid {} yuan, unpaid share {:.1} %; tickets by state: {}",
        app::billing::fen_text(billed),
        app::billing::fen_text(settled),
        if billed > 0 {
            (billed - settled) as f64 * 100.0 / billed as f64
        } else {
            0.0
        },
        states
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_carry_a_valid_check_character() {
        // The standard's own example: 11010519491231002X.
        assert_eq!(id_check_char("11010519491231002"), 'X');
        let d = Dice(mix(7));
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
        let mut seen = std::collections::HashSet::new();
        for i in 0..5_000 {
            let n = id_number(d, i, i, today);
            assert_eq!(n.len(), 18);
            assert_eq!(n.chars().last(), Some(id_check_char(&n[..17])));
            let born = NaiveDate::parse_from_str(&n[6..14], "%Y%m%d").expect("birth date");
            assert!((18..=84).contains(&(today.year() - born.year())), "{n}");
            assert!(seen.insert(n), "unique within an estate");
        }
    }

    #[test]
    fn mobiles_are_eleven_digits_from_a_carrier_and_unique() {
        let d = Dice(mix(7));
        let mut seen = std::collections::HashSet::new();
        for i in 0..20_000 {
            let m = mobile(d, i);
            assert_eq!(m.len(), 11);
            assert!(m.chars().all(|c| c.is_ascii_digit()));
            assert!(MOBILE_PREFIXES.contains(&&m[..3]));
            assert!(
                seen.insert(m[3..].to_string()),
                "the eight digits are unique"
            );
        }
    }

    #[test]
    fn names_are_two_to_four_characters_and_the_same_for_a_seed() {
        let d = Dice(mix(2026));
        let names: Vec<String> = (0..2_000).map(|i| person_name(d, i)).collect();
        assert!(names.iter().all(|n| (2..=4).contains(&n.chars().count())));
        assert!(names.iter().any(|n| n.chars().count() == 2));
        assert!(names.iter().any(|n| n.contains('𠮷') || n.contains('䶮')));
        assert_eq!(
            names,
            (0..2_000).map(|i| person_name(d, i)).collect::<Vec<_>>()
        );
    }
}
