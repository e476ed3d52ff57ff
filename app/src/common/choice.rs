//! One option of a select box: an id and the name people read.

use serde::{Deserialize, Serialize};

/// An estate, a fee item, a worker, a common area … as a select box offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Choice {
    pub id: i64,
    pub name: String,
}
