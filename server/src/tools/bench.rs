//! The in-process benchmarks (figures only; each asserts nothing):
//!
//! - `server bench search`: the desk's search on a large register. Fills a
//!   fresh database with N residents (and N/3 houses) spread over estates of
//!   7,500 residents, then times the search box's queries, for one estate's
//!   clerk and for an admin who sees every estate. The rows go in by bulk SQL,
//!   not the import (which checks every row and would take far longer for 1.5
//!   million); the columns are the ones the import writes, including the
//!   indexed mobile and ID tails.
//! - `server bench billing`: a bill run over a generated estate against a bare
//!   bulk insert of the same rows, then a rerun.
//! - `server bench photos`: re-encoding a phone photo as a repair photo.

use std::io::Write as _;
use std::time::Instant;

use anyhow::Context;

use app::billing::rules::Period;
use app::billing::run;
use app::common::EstateScope;
use app::db::audit::Actor;
use app::db::{time, Database, Write};
use app::estate::search::plan;
use app::repairs::photo;

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "欧阳", "司马",
];
const GIVEN: [&str; 12] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "婷婷", "嫣",
];
const PER_ESTATE: i64 = 7_500;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn search(db: &Database, residents: i64) -> anyhow::Result<()> {
    anyhow::ensure!(db.is_empty().await?, "bench search needs an empty database");
    let estates = (residents + PER_ESTATE - 1) / PER_ESTATE;
    let houses_per_estate = PER_ESTATE / 3;
    let started = Instant::now();
    let now = time::now();
    let mut w = db.write(Actor::system("bench")).await?;
    for e in 1..=estates {
        sqlx::query("insert into estate (id, code, name, created_at) values ($1, $2, $3, $4)")
            .bind(e)
            .bind(format!("E{e:03}"))
            .bind(format!("小区{e:03}"))
            .bind(&now)
            .execute(&mut *w)
            .await?;
        for b in 1..=10i64 {
            sqlx::query("insert into building (id, estate_id, code, name) values ($1, $2, $3, $4)")
                .bind(e * 100 + b)
                .bind(e)
                .bind(b.to_string())
                .bind(format!("{b}栋"))
                .execute(&mut *w)
                .await?;
        }
    }
    // Houses: 10 buildings × 2 entrances × 25 floors × ~5 rooms per estate.
    let mut values = Vec::new();
    let mut house_id = 0i64;
    for e in 1..=estates {
        for n in 0..houses_per_estate {
            house_id += 1;
            let b = n % 10 + 1;
            let entrance = (n / 10) % 2 + 1;
            let floor = (n / 20) % 25 + 1;
            let room = (n / 500) + 1;
            values.push(format!(
                "({house_id}, {e}, {}, '{b}-{entrance}-{floor}{room:02}', '{floor}{room:02}', {entrance}, {floor}, 8956, 'residential', 'occupied', '{now}')",
                e * 100 + b
            ));
            if values.len() == 1000 {
                insert_values(&mut w, "house (id, estate_id, building_id, number, room, entrance, floor, area_centi, use_kind, status, created_at)", &mut values).await?;
            }
        }
    }
    insert_values(&mut w, "house (id, estate_id, building_id, number, room, entrance, floor, area_centi, use_kind, status, created_at)", &mut values).await?;
    let mut seed: u64 = 1_500_000;
    for r in 1..=residents {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pick = (seed >> 33) as usize;
        let name = format!(
            "{}{}",
            SURNAMES[pick % SURNAMES.len()],
            GIVEN[(pick / 13) % GIVEN.len()]
        );
        let mobile = format!("13{:09}", r);
        let estate = (r - 1) / PER_ESTATE + 1;
        values.push(format!(
            "({r}, {estate}, '{name}', '{mobile}', '{}', '{now}')",
            &mobile[7..]
        ));
        if values.len() == 1000 {
            insert_values(
                &mut w,
                "resident (id, estate_id, name, mobile, mobile_tail, created_at)",
                &mut values,
            )
            .await?;
        }
    }
    insert_values(
        &mut w,
        "resident (id, estate_id, name, mobile, mobile_tail, created_at)",
        &mut values,
    )
    .await?;
    w.commit().await?;
    // Planner statistics, as a running system would have them.
    sqlx::query("analyze").execute(&db.pool).await?;
    eprintln!(
        "generated {residents} residents and {house_id} houses in {estates} estates in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let queries = [
        "1201", "3-2-12", "2-1-2503", "王", "王伟", "欧阳", "嫣", "0001", "8888",
    ];
    for (label, scope) in [
        ("one estate", EstateScope::Only(vec![estates / 2 + 1])),
        ("every estate", EstateScope::All),
    ] {
        let mut all = Vec::new();
        for q in queries {
            let p = plan(q);
            let mut times = Vec::new();
            let mut hits = 0;
            for _ in 0..20 {
                let t = Instant::now();
                hits = app::estate::db::search(&db.pool, &scope, &p)
                    .await
                    .context("search")?
                    .len();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            eprintln!(
                "  {label:<13} {q:<10} hits {hits:>2}  p50 {:>8.2} ms  p95 {:>8.2} ms",
                percentile(&times, 0.5),
                percentile(&times, 0.95)
            );
            all.extend(times);
        }
        all.sort_by(f64::total_cmp);
        eprintln!(
            "search ({label}, {residents} residents): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
            percentile(&all, 0.5),
            percentile(&all, 0.95),
            percentile(&all, 0.99)
        );
    }
    Ok(())
}

async fn insert_values(w: &mut Write, into: &str, values: &mut Vec<String>) -> anyhow::Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    // Generated numbers and fixed names only: no outside input reaches this SQL.
    sqlx::query(&format!("insert into {into} values {}", values.join(",")))
        .execute(&mut **w)
        .await?;
    values.clear();
    Ok(())
}

/// `server bench billing`: generates an estate of `houses` houses with three
/// fee items, times a bill run for last month, then a bare bulk insert of the
/// same rows into a table of the same shape, then a rerun (which must create
/// nothing). Prints figures; asserts nothing.
pub async fn billing(db: &Database, houses: i64) -> anyhow::Result<()> {
    anyhow::ensure!(
        db.is_empty().await?,
        "bench billing needs an empty database"
    );
    let now = time::now();
    let generated = Instant::now();
    let mut w = db.write(Actor::system("bench")).await?;
    sqlx::query("insert into estate (id, code, name, created_at) values (1, 'B1', '基准小区', $1)")
        .bind(&now)
        .execute(&mut *w)
        .await?;
    let buildings = (houses / 5_000).max(1);
    for b in 1..=buildings {
        sqlx::query("insert into building (id, estate_id, code, name) values ($1, 1, $2, $3)")
            .bind(b)
            .bind(b.to_string())
            .bind(format!("{b}栋"))
            .execute(&mut *w)
            .await?;
    }
    let mut values = Vec::new();
    for h in 1..=houses {
        let n = h - 1;
        let b = n % buildings + 1;
        let entrance = (n / buildings) % 2 + 1;
        let floor = (n / buildings / 2) % 33 + 1;
        let room = n / buildings / 66 + 1;
        // Areas from 45.00 to 174.99 m²; one house in twenty commercial.
        let area = 4_500 + (h * 7_919) % 13_000;
        let use_kind = if h % 20 == 0 {
            "commercial"
        } else {
            "residential"
        };
        values.push(format!(
            "({h}, 1, {b}, '{b}-{entrance}-{floor}{room:02}', '{floor}{room:02}', {entrance}, {floor}, {area}, '{use_kind}', 'occupied', '{now}')"
        ));
        if values.len() == 1000 {
            insert_values(&mut w, "house (id, estate_id, building_id, number, room, entrance, floor, area_centi, use_kind, status, created_at)", &mut values).await?;
        }
    }
    insert_values(&mut w, "house (id, estate_id, building_id, number, room, entrance, floor, area_centi, use_kind, status, created_at)", &mut values).await?;
    for (id, name, kind) in [
        (1, "物业服务费", "area"),
        (2, "电梯运行费", "fixed"),
        (3, "垃圾清运费", "fixed"),
    ] {
        sqlx::query("insert into fee_item (id, estate_id, name, kind, due_days, created_at) values ($1, 1, $2, $3, 15, $4)")
            .bind(id)
            .bind(name)
            .bind(kind)
            .bind(&now)
            .execute(&mut *w)
            .await?;
    }
    for (item, use_kind, rate) in [
        (1, "residential", "2.35"),
        (1, "commercial", "4.80"),
        (2, "any", "30"),
        (3, "any", "12.5"),
    ] {
        sqlx::query("insert into fee_rate (fee_item_id, use_kind, rate, effective_from, created_at) values ($1, $2, $3, '2020-01-01', $4)")
            .bind(item)
            .bind(use_kind)
            .bind(rate)
            .bind(&now)
            .execute(&mut *w)
            .await?;
    }
    w.commit().await?;
    sqlx::query("analyze").execute(&db.pool).await?;
    eprintln!(
        "generated {houses} houses in {:.1} s ({})",
        generated.elapsed().as_secs_f64(),
        db.display_url
    );

    let today = time::desk_today();
    let this_month = Period::parse(&today[..7]).context("today")?;
    let period = Period {
        year: if this_month.month == 1 {
            this_month.year - 1
        } else {
            this_month.year
        },
        month: if this_month.month == 1 {
            12
        } else {
            this_month.month - 1
        },
    };
    let actor = Actor::system("bench");
    let fail = |e: app::error::AppError| anyhow::anyhow!("{e}");

    // 1. The bill run.
    let started = Instant::now();
    let id = run::start(
        db,
        &actor,
        None,
        app::common::Lang::En,
        1,
        &period.to_string(),
    )
    .await
    .map_err(fail)?;
    let outcome = run::execute(db, id).await.map_err(fail)?;
    let run_secs = started.elapsed().as_secs_f64();
    let run_rate = outcome.lines_created as f64 / run_secs;
    eprintln!(
        "bill run: {} lines, {} yuan in {run_secs:.2} s",
        outcome.lines_created,
        app::billing::fen_text(outcome.amount_fen)
    );

    // 2. A bare bulk insert of the same rows (computed beforehand, untimed)
    // into a table of bill_line's shape: same columns, keys and indexes.
    let id_column = match db.backend {
        app::db::Backend::Sqlite => "integer primary key",
        app::db::Backend::Postgres => "bigint generated by default as identity primary key",
    };
    sqlx::query(&format!(
        "create table bill_line_bare (id {id_column}, estate_id bigint not null references estate(id), \
         house_id bigint not null references house(id), fee_item_id bigint not null references fee_item(id), \
         period text not null, line_key text not null default '', amount_fen bigint not null check (amount_fen >= 0), \
         due_date text not null, basis text not null, late_fee_of bigint, run_id bigint references bill_run(id), \
         created_by bigint, created_at text not null, unique (house_id, fee_item_id, period, line_key))"
    ))
    .execute(&db.pool)
    .await?;
    sqlx::query("create index bill_line_bare_estate_period on bill_line_bare(estate_id, period)")
        .execute(&db.pool)
        .await?;
    let items = run::run_items(&db.pool, 1).await?;
    let house_rows = run::billable_houses(&db.pool, 1, period).await?;
    let rows = run::compute_lines(&items, &house_rows, period, &Default::default(), &Default::default());
    let started = Instant::now();
    let mut bare = 0;
    for chunk in rows.chunks(run::CHUNK_HOUSES * items.len()) {
        let mut w = db.write(Actor::system("bench")).await?;
        bare += run::insert_lines(&mut w, "bill_line_bare", 1, period, id, &now, chunk)
            .await?
            .0;
        w.commit().await?;
    }
    let bare_secs = started.elapsed().as_secs_f64();
    let bare_rate = bare as f64 / bare_secs;
    eprintln!("bare insert: {bare} rows in {bare_secs:.2} s");

    // 3. The rerun: nothing new.
    let started = Instant::now();
    let rerun = run::start(
        db,
        &actor,
        None,
        app::common::Lang::En,
        1,
        &period.to_string(),
    )
    .await
    .map_err(fail)?;
    let again = run::execute(db, rerun).await.map_err(fail)?;
    eprintln!("rerun: {:.2} s", started.elapsed().as_secs_f64());
    println_figures(&format!(
        "billing: {run_rate:.0} lines/s, bare insert: {bare_rate:.0} lines/s, ratio: {:.2}, rerun new lines: {}",
        bare_rate / run_rate,
        again.lines_created
    ));
    Ok(())
}

/// The figures line, on stdout (the rest of the bench talks on stderr).
fn println_figures(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// `server bench photos`: the re-encoding of an uploaded phone photo (a
/// 4032 × 3024 JPEG, a 12-megapixel camera's) into the stored 1600 px JPEG and
/// its thumbnail, the CPU work of every repair photo upload. One core.
pub fn photos(count: usize) -> anyhow::Result<()> {
    let upload = photo::synthetic_photo(4032, 3024);
    let started = Instant::now();
    let mut stored = 0usize;
    for _ in 0..count.max(1) {
        let e = photo::reencode(&upload)
            .map_err(|p| anyhow::anyhow!("the sample photo was refused: {}", p.code()))?;
        stored = e.jpeg.len() + e.thumb.len();
    }
    let each = started.elapsed().as_secs_f64() * 1000.0 / count.max(1) as f64;
    println_figures(&format!(
        "photos: {:.1} per second per core, {each:.0} ms each, {} KB uploaded, {} KB stored",
        1000.0 / each,
        upload.len() / 1024,
        stored / 1024
    ));
    Ok(())
}
