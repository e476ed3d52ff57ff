//! Closed value sets: one macro gives every set of fixed choices (a repair's
//! category, a payment's method, a house's status …) the same shape, so a new
//! one cannot forget a part of it:
//!
//! - `ALL`, every value in display order (select boxes, the locale test);
//! - `as_str` / `parse`, the text stored in the database and sent by forms;
//! - `key`, the value's i18n key (`<prefix>.<text>`), a `&'static str` — never
//!   a key built with `format!`, so the locale test can check every one;
//! - serde as that same text, `Display`, `FromStr`;
//! - on the server, sqlx encoding and decoding as text (a value the set does
//!   not know fails the decode instead of turning into a default).
//!
//! ```ignore
//! value_set! {
//!     /// How a payment was made (付款方式).
//!     pub enum PayMethod("billing.method") {
//!         Cash = "cash",
//!         Wechat = "wechat",
//!     }
//! }
//! ```

/// Declares a closed value set; see the module documentation.
#[macro_export]
macro_rules! value_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident($prefix:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database and sent by forms.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value for its stored text.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The i18n key of this value's label.
            pub const fn key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, ".", $text)),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::common::values::UnknownValue;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $name::parse(text).ok_or($crate::common::values::UnknownValue(stringify!($name)))
            }
        }

        $crate::value_set_sql!($name);
    };
}

/// sqlx's text encoding for a value set (server only).
#[cfg(feature = "ssr")]
#[doc(hidden)]
#[macro_export]
macro_rules! value_set_sql {
    ($name:ident) => {
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Any>>::encode(self.as_str(), buf)
            }
        }
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(
                value: <sqlx::Any as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                $name::parse(&text)
                    .ok_or_else(|| format!("{} has no value {text:?}", stringify!($name)).into())
            }
        }
    };
}

#[cfg(not(feature = "ssr"))]
#[doc(hidden)]
#[macro_export]
macro_rules! value_set_sql {
    ($name:ident) => {};
}

/// A text no value of the named set has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} has no such value")]
pub struct UnknownValue(pub &'static str);

#[cfg(test)]
mod tests {
    value_set! {
        /// A set for this test.
        pub enum Colour("test.colour") {
            Red = "red",
            DarkBlue = "dark_blue",
        }
    }

    #[test]
    fn a_value_set_reads_and_writes_its_stored_text_and_names_its_key() {
        assert_eq!(Colour::ALL, &[Colour::Red, Colour::DarkBlue]);
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
        assert_eq!(Colour::parse("dark_blue"), Some(Colour::DarkBlue));
        assert_eq!(Colour::parse("blue"), None);
        assert_eq!(Colour::Red.key(), "test.colour.red");
        assert_eq!("red".parse::<Colour>(), Ok(Colour::Red));
        assert_eq!(
            serde_json::to_string(&Colour::DarkBlue).unwrap_or_default(),
            "\"dark_blue\""
        );
        assert_eq!(
            serde_json::from_str::<Colour>("\"red\"").ok(),
            Some(Colour::Red)
        );
    }
}
