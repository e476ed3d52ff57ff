//! `server bench search`: the desk's search on a large register. Fills a
//! fresh database with N residents (and N/3 houses) spread over estates of
//! 7,500 residents, then times the search box's queries, for one estate's
//! clerk and for an admin who sees every estate. Prints figures; asserts nothing.
//!
//! The rows go in by bulk SQL, not the import (which checks every row and
//! would take far longer for 1.5 million); the columns are the ones the
//! import writes, including the indexed mobile and ID tails.

use std::time::Instant;

use anyhow::Context;

use app::auth::EstateScope;
use app::db::{time, Database};
use app::estate::search::plan;

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
    let mut tx = db.begin_write().await?;
    for e in 1..=estates {
        sqlx::query("insert into estate (id, code, name, created_at) values ($1, $2, $3, $4)")
            .bind(e)
            .bind(format!("E{e:03}"))
            .bind(format!("小区{e:03}"))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        for b in 1..=10i64 {
            sqlx::query("insert into building (id, estate_id, code, name) values ($1, $2, $3, $4)")
                .bind(e * 100 + b)
                .bind(e)
                .bind(b.to_string())
                .bind(format!("{b}栋"))
                .execute(&mut *tx)
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
                insert_values(&mut tx, "house (id, estate_id, building_id, number, room, entrance, floor, area_centi, use_kind, status, created_at)", &mut values).await?;
            }
        }
    }
    insert_values(&mut tx, "house (id, estate_id, building_id, number, room, entrance, floor, area_centi, use_kind, status, created_at)", &mut values).await?;
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
                &mut tx,
                "resident (id, estate_id, name, mobile, mobile_tail, created_at)",
                &mut values,
            )
            .await?;
        }
    }
    insert_values(
        &mut tx,
        "resident (id, estate_id, name, mobile, mobile_tail, created_at)",
        &mut values,
    )
    .await?;
    tx.commit().await?;
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

async fn insert_values(
    tx: &mut app::db::Tx,
    into: &str,
    values: &mut Vec<String>,
) -> anyhow::Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    // Generated numbers and fixed names only: no outside input reaches this SQL.
    sqlx::query(&format!("insert into {into} values {}", values.join(",")))
        .execute(&mut **tx)
        .await?;
    values.clear();
    Ok(())
}
