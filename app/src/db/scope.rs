//! Limiting reads to the estates a caller works for: the one filter every
//! list's SQL appends, and the estate picker's choices.

use sqlx::AnyPool;

use crate::common::{Choice, EstateScope};

/// ` and <column> in (…)` limiting a query to the estates a caller may see.
/// The ids come from the database (the caller's assignments), never from input.
pub fn estate_filter(scope: &EstateScope, column: &str) -> String {
    match scope {
        EstateScope::All => String::new(),
        EstateScope::Only(ids) if ids.is_empty() => " and 1 = 0".to_string(),
        EstateScope::Only(ids) => {
            format!(
                " and {column} in ({})",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            )
        }
    }
}

/// The estates a caller may pick from, and the one a list shows: the asked-for
/// estate if the caller sees it, else their first.
pub async fn scoped_estates(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
) -> sqlx::Result<(Vec<Choice>, i64)> {
    let estates: Vec<Choice> = sqlx::query_as(&format!(
        "select id, name from estate where 1 = 1{} order by name",
        estate_filter(scope, "id")
    ))
    .fetch_all(pool)
    .await?;
    let chosen = estates
        .iter()
        .find(|e| e.id == wanted)
        .or(estates.first())
        .map(|e| e.id)
        .unwrap_or(0);
    Ok((estates, chosen))
}
