//! The demo estate's move-in desk: a handover in progress — the buyer of the
//! second house not yet handed over came in with their ID and purchase
//! contract and had the inspection done; they come back for the readings,
//! keys and agreements. Written through the functions the case page calls.
//! (The first house not handed over is left for a whole move-in: its key
//! waits in the cabinet.)

use app::common::{Caller, EstateScope, Lang, Role};
use app::db::audit::Actor;
use app::db::Database;
use app::moves::db::case;
use app::moves::out::db::case as outs;
use app::moves::rules::{FindingForm, IdentityForm};

pub async fn load(db: &Database, estate_id: i64) -> anyhow::Result<()> {
    let lang = Lang::Zh;
    let fail = |e: app::error::AppError| anyhow::anyhow!("demo move-in: {e:?}");
    let (clerk_id, clerk_name): (i64, String) =
        sqlx::query_as("select id, display_name from account where username = 'clerk'")
            .fetch_one(&db.pool)
            .await?;
    let clerk = Caller {
        account_id: clerk_id,
        role: Role::Clerk,
        display_name: clerk_name.clone(),
        lang,
        scope: EstateScope::All,
        resident_id: None,
        residences: Vec::new(),
    };
    let actor = Actor {
        account_id: Some(clerk_id),
        name: clerk_name,
        ip: None,
    };
    let houses: Vec<(i64,)> = sqlx::query_as(
        "select id from house where estate_id = $1 and status = 'not_handed_over' order by number limit 2",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    let Some((house_id,)) = houses.get(1).copied() else {
        return Ok(());
    };
    let id = case::open(db, &actor, &clerk, lang, house_id)
        .await
        .map_err(fail)?;
    let today = app::db::time::desk_today();
    let identity = IdentityForm {
        name: "陈思远".into(),
        mobile: "13700000088".into(),
        id_number: String::new(),
        role: "owner".into(),
        title_no: "购房合同 HT-2026-0388".into(),
        handover_on: today,
        ..Default::default()
    };
    case::save_identity(db, &actor, &clerk, lang, id, &identity)
        .await
        .map_err(fail)?;
    let items: Vec<(i64, String)> = sqlx::query_as(
        "select id, item from inspection_item where estate_id = $1 and retired_at is null order by position, id",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    let findings: Vec<FindingForm> = items
        .iter()
        .map(|(item_id, item)| {
            let defect = item == "窗户与玻璃";
            FindingForm {
                item_id: *item_id,
                finding: if defect { "defect" } else { "ok" }.into(),
                note: if defect { "窗玻璃有划痕".into() } else { String::new() },
            }
        })
        .collect();
    case::save_inspection(db, &actor, &clerk, lang, id, &findings, "", true)
        .await
        .map_err(fail)?;
    load_move_out(db, estate_id, &actor, &clerk).await
}

/// A tenant moving out with arrears: the last let house of building 1 (its
/// water is metered), the tenant's household ticked as leaving; the final
/// reading, the settlement (October and November unpaid) and the pass wait
/// for the desk.
async fn load_move_out(
    db: &Database,
    estate_id: i64,
    actor: &Actor,
    clerk: &Caller,
) -> anyhow::Result<()> {
    let lang = Lang::Zh;
    let fail = |e: app::error::AppError| anyhow::anyhow!("demo move-out: {e:?}");
    let house: Option<(i64,)> = sqlx::query_as(
        "select h.id from house h join building b on b.id = h.building_id \
         where h.estate_id = $1 and b.code = '1' and h.status = 'let' \
           and exists (select 1 from occupancy o where o.house_id = h.id and o.role = 'tenant' and o.end_date is null) \
         order by h.id desc limit 1",
    )
    .bind(estate_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((house_id,)) = house else {
        return Ok(());
    };
    let id = outs::open(db, actor, clerk, lang, house_id).await.map_err(fail)?;
    let leaving: Vec<(i64,)> = sqlx::query_as(
        "select id from occupancy where house_id = $1 and end_date is null and role in ('tenant', 'family') order by id",
    )
    .bind(house_id)
    .fetch_all(&db.pool)
    .await?;
    let leaving: Vec<i64> = leaving.into_iter().map(|(o,)| o).collect();
    outs::save_leaving(db, actor, clerk, lang, id, "tenant_leaves", &leaving, "")
        .await
        .map_err(fail)?;
    Ok(())
}
