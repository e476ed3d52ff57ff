//! Writing an import, all or nothing: checked rows go into the register in
//! one write, which also records the attempt and its audit entry; any
//! problem — in the file or against the register — rolls everything back
//! and records only the refusal with its report.

use std::collections::HashMap;

use serde_json::json;

use super::{check::validate, Counts, Outcome, Problem, RawRow, RegisterRow};
use crate::common::{AccountId, AuditAction, AuditEntity, EstateId, HouseId, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, Write};
use crate::estate::db::{self as register, Ensured, NewBatch, NewHouse, NewOccupant};
use crate::estate::ImportStatus;
use crate::i18n::tr;

/// Writes checked rows in the caller's write. A house already in the
/// register must agree with the row (else a problem is returned and the
/// caller rolls back); a resident already living there in that role is left alone.
pub async fn apply(
    w: &mut Write,
    estate_id: EstateId,
    rows: &[RegisterRow],
    raw: &[RawRow],
    lang: Lang,
) -> Result<Result<Counts, Vec<Problem>>, sqlx::Error> {
    let mut counts = Counts::default();
    let mut problems = Vec::new();
    let mut buildings: HashMap<String, i64> = HashMap::new();
    let mut houses: HashMap<String, i64> = HashMap::new();
    for (row, raw) in rows.iter().zip(raw) {
        let building_id = match buildings.get(&row.building) {
            Some(id) => *id,
            None => {
                let id = register::ensure_building(w, estate_id, &row.building).await?;
                buildings.insert(row.building.clone(), id);
                id
            }
        };
        let mut wrote = false;
        let house_id = match houses.get(&row.number) {
            Some(id) => *id,
            None => {
                let existing = register::house_by_number(&mut **w, estate_id, &row.number).await?;
                let id = match existing {
                    Some((id, area, use_kind)) => {
                        if area != row.area_centi || use_kind != row.use_kind {
                            problems.push(Problem {
                                sheet: raw.sheet.clone(),
                                row: raw.row,
                                column: if lang == Lang::En {
                                    "Area".into()
                                } else {
                                    "建筑面积".into()
                                },
                                reason: tr(lang, "import.invalid.differs_from_register"),
                            });
                            continue;
                        }
                        id
                    }
                    None => {
                        let new = NewHouse {
                            estate_id,
                            building_id,
                            number: &row.number,
                            entrance: row.entrance,
                            floor: row.floor,
                            area_centi: row.area_centi,
                            use_kind: row.use_kind,
                            status: row.status,
                        };
                        let id = register::insert_house(w, &new).await?;
                        counts.houses += 1;
                        wrote = true;
                        id
                    }
                };
                houses.insert(row.number.clone(), id);
                id
            }
        };
        if let Some(o) = &row.occupant {
            let new = NewOccupant {
                name: &o.name,
                mobile: &o.mobile,
                id_number: o.id_number.as_deref(),
                role: o.role,
                start_date: &o.start_date,
            };
            match register::ensure_occupant(w, estate_id, HouseId(house_id), &new).await? {
                Ensured::Existing => {}
                Ensured::Linked { new_resident } => {
                    counts.occupancies += 1;
                    counts.residents += i64::from(new_resident);
                    wrote = true;
                }
            }
        }
        if !wrote {
            counts.unchanged += 1;
        }
    }
    Ok(if problems.is_empty() {
        Ok(counts)
    } else {
        Err(problems)
    })
}

/// Checks and writes `rows` for an estate, all or nothing, and records the
/// attempt with its report. Used by the desk's upload and by the demo.
pub async fn import_rows(
    db: &Database,
    estate_id: i64,
    file_name: &str,
    sha256: &str,
    rows: Vec<RawRow>,
    lang: Lang,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    let today = time::desk_today();
    let good = match validate(&rows, lang, &today) {
        Ok(good) => good,
        Err(problems) => {
            return reject(db, estate_id, file_name, sha256, &rows, &problems, actor).await
        }
    };
    let estate = EstateId(estate_id);
    let mut w = db.write(actor.clone()).await?;
    let counts = match apply(&mut w, estate, &good, &rows, lang).await? {
        Ok(counts) => counts,
        Err(problems) => {
            // Dropped, the write rolls back: nothing of the file stays.
            drop(w);
            return reject(db, estate_id, file_name, sha256, &rows, &problems, actor).await;
        }
    };
    let batch = NewBatch {
        estate_id: estate,
        file_name,
        sha256,
        status: ImportStatus::Imported,
        counts,
        problems: &[],
        rows: &rows,
        by: actor.account_id.map(AccountId),
    };
    let batch_id = register::record_import(&mut w, &batch).await?;
    w.audit(
        Change::new(AuditAction::Import, AuditEntity::ImportBatch)
            .id(batch_id)
            .estate(estate_id)
            .after(json!({
                "file": file_name, "rows": rows.len(), "houses": counts.houses,
                "residents": counts.residents, "occupancies": counts.occupancies,
                "unchanged": counts.unchanged,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(Outcome {
        batch_id,
        imported: true,
        counts,
    })
}

/// Records a refused import: the report, and nothing else.
pub async fn reject(
    db: &Database,
    estate_id: i64,
    file_name: &str,
    sha256: &str,
    rows: &[RawRow],
    problems: &[Problem],
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    let mut w = db.write(actor.clone()).await?;
    let batch = NewBatch {
        estate_id: EstateId(estate_id),
        file_name,
        sha256,
        status: ImportStatus::Rejected,
        counts: Counts::default(),
        problems,
        rows,
        by: actor.account_id.map(AccountId),
    };
    let batch_id = register::record_import(&mut w, &batch).await?;
    w.commit().await?;
    Ok(Outcome {
        batch_id,
        imported: false,
        counts: Counts::default(),
    })
}
