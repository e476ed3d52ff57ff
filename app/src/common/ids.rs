//! Ids as types: a function that takes a house, an estate and an account
//! cannot be handed them in the wrong order. Each is the table's `bigint` id,
//! travels as a plain number (serde, forms, the database) and prints as one.

/// Declares an id newtype over the table's `i64` id.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw id, for SQL built as text and for URLs.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }

        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <i64 as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }
        #[cfg(feature = "ssr")]
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <i64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.0, buf)
            }
        }
        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(
                value: <sqlx::Any as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                <i64 as sqlx::Decode<'r, sqlx::Any>>::decode(value).map($name)
            }
        }
    };
}

id_type!(
    /// An estate (小区).
    EstateId
);
id_type!(
    /// A house (房屋).
    HouseId
);
id_type!(
    /// A resident (住户).
    ResidentId
);
id_type!(
    /// A sign-in account, staff or resident.
    AccountId
);
id_type!(
    /// A repair ticket (报修单).
    TicketId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_plain_numbers() {
        assert_eq!(
            serde_json::to_string(&HouseId(42)).unwrap_or_default(),
            "42"
        );
        assert_eq!(
            serde_json::from_str::<EstateId>("7").ok(),
            Some(EstateId(7))
        );
        assert_eq!("12".parse::<TicketId>().ok(), Some(TicketId(12)));
        assert_eq!(AccountId(3).to_string(), "3");
    }
}
id_type!(
    /// A key cabinet (钥匙柜).
    CabinetId
);
id_type!(
    /// A key: one lock's key set, with one or more copies.
    KeySetId
);
id_type!(
    /// One physical copy of a key, with its own tag, hook and status.
    KeyCopyId
);
