//! The generated register: buildings, houses, residents, occupancies with
//! move-in and move-out history, and portal accounts, as bulk SQL.

use super::*;

pub(super) fn prev(p: Period) -> Period {
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
pub(super) fn delivered(d: Dice, estate: i64, first: Period) -> NaiveDate {
    first.first_day() - Duration::days(400 + d.below(R_ESTATE, estate, 1, 4_400) as i64)
}

/// One estate's buildings, houses, residents, occupancies and portal accounts.
/// Returns how many residents it has.
#[allow(clippy::too_many_arguments)]
pub(super) async fn register(
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
        Rows::new("house_status_change (house_id, from_status, to_status, effective_on, changed_at, reason)");
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
                        "({h}, {from}, {}, {}, {}, {})",
                        lit(status),
                        lit(&time::date_to_db(when)),
                        lit(&at(when, 10 * 60)),
                        lit(reason)
                    ));
                    if status == "not_handed_over" {
                        estate.houses.push(GenHouse {
                            id: h,
                            number,
                            status,
                            owner: None,
                            owners: Vec::new(),
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
                    let mut owners = Vec::new();
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
                        let (seller, name, _, row) = person("owner", owner_from, Some(sold), ids);
                        rows.push(row);
                        owners.push(GenOwner {
                            resident_id: seller,
                            name,
                            from: owner_from,
                            until: Some(sold),
                        });
                        owner_from = sold;
                    }
                    let (owner_id, owner_name, owner_phone, row) =
                        person("owner", owner_from, None, ids);
                    rows.push(row);
                    owners.push(GenOwner {
                        resident_id: owner_id,
                        name: owner_name.clone(),
                        from: owner_from,
                        until: None,
                    });
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
                        owners,
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
