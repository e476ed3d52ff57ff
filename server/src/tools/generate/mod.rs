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
//!
//! Here: the options, the dice, the bulk-SQL helpers and the order of work;
//! `people` (names, mobiles, ID numbers), `residents` (the register and
//! accounts), `bills` (fee setup, bill runs, payments), `tickets` (repairs).

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

mod bills;
mod people;
mod residents;
mod tickets;

use bills::*;
pub use people::id_check_char;
use people::*;
use residents::*;
use tickets::*;

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
    /// Every owner's occupancy, oldest first (a sold house has two): who a
    /// payment on a day names as its payer.
    owners: Vec<GenOwner>,
}

/// An owner's occupancy of a generated house.
#[derive(Clone)]
struct GenOwner {
    resident_id: i64,
    name: String,
    from: NaiveDate,
    until: Option<NaiveDate>,
}

impl GenHouse {
    /// The owner whose occupancy covers `day` (on a sale's day, the seller),
    /// as migration 0013 finds the payer of a payment taken before payers were stored.
    fn owner_on(&self, day: NaiveDate) -> Option<&GenOwner> {
        self.owners
            .iter()
            .find(|o| o.from <= day && o.until.is_none_or(|u| day <= u))
    }
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
