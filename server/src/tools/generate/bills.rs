//! The generated bills: fee items and rates through the desk's functions,
//! one bill run per estate and month, and payments (who pays, when, how
//! much stays unpaid) written as `ledger::take_payment` writes them.

use super::*;

/// Fee items, rates, the late-fee policy, the repair charge item and settings,
/// common areas and skills. Returns the common areas' ids.
pub(super) async fn setup(
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
pub(super) enum Payer {
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

pub(super) fn payer(d: Dice, house: &GenHouse) -> Payer {
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
pub(super) async fn pay(
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
    let mut pay_rows = Rows::new("payment (id, estate_id, house_id, receipt_no, method, received_fen, lines_fen, prepaid_fen, clerk_id, business_day, created_at, request_key, payer_name, payer_resident_id)");
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
        // The owner of the day pays (the seller, before a sale).
        let payer = houses.get(&p.house).and_then(|h| h.owner_on(p.day));
        pay_rows.keep(format!(
            "({id}, {}, {}, {}, {}, {total}, {total}, 0, {clerk_id}, {}, {}, {}, {}, {})",
            estate.id,
            p.house,
            lit(&receipt),
            lit(p.method),
            lit(&time::date_to_db(p.day)),
            lit(&stamp),
            lit(&format!("generated:{id}")),
            opt_lit(&payer.map(|o| o.name.clone())),
            payer.map_or("null".to_string(), |o| o.resident_id.to_string())
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
            "payer": payer.map(|o| o.name.as_str()),
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
