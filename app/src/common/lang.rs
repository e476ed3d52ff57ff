//! The interface's language.

crate::value_set! {
    /// The UI's language; `zh` (Simplified Chinese) unless the account chose English.
    pub enum Lang("lang") {
        Zh = "zh",
        En = "en",
    }
}

impl Default for Lang {
    fn default() -> Self {
        Lang::Zh
    }
}
