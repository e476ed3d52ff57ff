//! The generated repair tickets, through `repairs::db::create` and `act`,
//! step by step, in every state.

use super::*;

/// What a ticket's description says, by category.
pub(super) fn description(category: &str, n: u64) -> &'static str {
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
pub(super) async fn repairs(
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
