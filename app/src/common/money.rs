//! Money as the desk holds it: whole fen (分) in an `i64`, never floats. The
//! arithmetic that rounds (rates, proration, late fees) is billing's
//! (`billing::money`); this is the type and how people read it.

use serde::{Deserialize, Serialize};

/// An amount in whole fen. Adding and subtracting keep it whole; a share of
/// it goes through `billing::money`, which rounds half-up.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const fn get(self) -> i64 {
        self.0
    }

    /// As people read it: "1,210.50".
    pub fn text(self) -> String {
        fen_text(self.0)
    }
}

impl std::ops::Add for Fen {
    type Output = Fen;
    fn add(self, other: Fen) -> Fen {
        Fen(self.0 + other.0)
    }
}

impl std::ops::Sub for Fen {
    type Output = Fen;
    fn sub(self, other: Fen) -> Fen {
        Fen(self.0 - other.0)
    }
}

impl std::ops::Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl std::ops::AddAssign for Fen {
    fn add_assign(&mut self, other: Fen) {
        self.0 += other.0;
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(feature = "ssr")]
impl sqlx::Type<sqlx::Any> for Fen {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<sqlx::Any>>::type_info()
    }
    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

#[cfg(feature = "ssr")]
impl<'q> sqlx::Encode<'q, sqlx::Any> for Fen {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <i64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.0, buf)
    }
}

#[cfg(feature = "ssr")]
impl<'r> sqlx::Decode<'r, sqlx::Any> for Fen {
    fn decode(
        value: <sqlx::Any as sqlx::Database>::ValueRef<'r>,
    ) -> Result<Self, sqlx::error::BoxDynError> {
        <i64 as sqlx::Decode<'r, sqlx::Any>>::decode(value).map(Fen)
    }
}

/// Fen as yuan with two decimals and thousands separators: 1210.5 元 → "1,210.50".
pub fn fen_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// Fen as yuan the way a form field takes it back: two decimals, no separators ("1210.50").
pub fn fen_plain(fen: i64) -> String {
    fen_text(fen).replace(',', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_reads_as_yuan_with_separators() {
        assert_eq!(Fen(121_050).text(), "1,210.50");
        assert_eq!(Fen(-5).text(), "-0.05");
        assert_eq!(fen_plain(121_050), "1210.50");
        assert_eq!(Fen(3) + Fen(4) - Fen(2), Fen(5));
        assert_eq!([Fen(1), Fen(2)].into_iter().sum::<Fen>(), Fen(3));
    }
}
