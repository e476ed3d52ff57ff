//! The i18n layer: every visible string is looked up here by key, in
//! `app/locales/zh.json` (the default) or `en.json`, through rust-i18n.
//!
//! The language is fixed for a page load: the server decides it (the account's
//! choice, else the `lang` cookie, else Chinese), writes it on `<html lang>`,
//! and the browser reads it back from there when it hydrates. Switching
//! language is a form post that reloads the page.

use leptos::prelude::*;

use crate::common::Lang;
use crate::error::{AppError, FieldError};

/// The translator for the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I18n(pub Lang);

impl I18n {
    /// The text for `key`. A missing key shows as the key itself (and the
    /// locale test fails), never as an empty string.
    pub fn t(&self, key: &str) -> String {
        tr(self.0, key)
    }

    /// The text for `key` with `%{name}` placeholders filled in.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key);
        for (name, value) in args {
            text = text.replace(&format!("%{{{name}}}"), value);
        }
        text
    }

    pub fn lang(&self) -> Lang {
        self.0
    }
}

/// A translation outside of any component (server-side messages).
pub fn tr(lang: Lang, key: &str) -> String {
    rust_i18n::t!(key, locale = lang.as_str()).into_owned()
}

/// A field a rule refused: the field's name, and the i18n key of the reason.
pub type FieldProblem = (&'static str, &'static str);

/// Every refused field at once, each reason in `lang`: the error a form shows
/// under its fields.
pub fn refused(lang: Lang, problems: impl IntoIterator<Item = FieldProblem>) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|(field, key)| FieldError {
                field: field.to_string(),
                message: tr(lang, key),
            })
            .collect(),
    )
}

/// The page's translator (Chinese when no language was provided).
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n(Lang::Zh))
}

/// The BCP 47 tag for `<html lang>`.
pub fn html_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    }
}

pub fn lang_from_html(tag: &str) -> Lang {
    if tag.starts_with("en") {
        Lang::En
    } else {
        Lang::Zh
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if k.starts_with('_') {
                        continue;
                    }
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    keys(v, &key, out);
                }
            }
            _ => {
                out.insert(prefix.to_string());
            }
        }
    }

    fn load(file: &str) -> BTreeSet<String> {
        let path = format!("{}/locales/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("locale file");
        let json: serde_json::Value = serde_json::from_str(&text).expect("locale json");
        let mut out = BTreeSet::new();
        keys(&json, "", &mut out);
        out
    }

    /// The keys of `keys` that either language lacks (for the value sets'
    /// test in `lib.rs`, which lists every set).
    pub(crate) fn missing_labels<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let zh = load("zh.json");
        let en = load("en.json");
        keys.into_iter()
            .filter(|k| !zh.contains(*k) || !en.contains(*k))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = load("zh.json");
        let en = load("en.json");
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only zh: {only_zh:?}; only en: {only_en:?}"
        );
    }

    #[test]
    fn every_key_used_in_the_source_exists() {
        // Every literal passed to .t("…") / .f("…") / tr(_, "…") must be a key.
        let zh = load("zh.json");
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(src)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for marker in [".t(\"", ".f(\"", "tr(lang, \"", "tr(caller.lang, \""] {
                    for piece in text.split(marker).skip(1) {
                        let key = piece.split('"').next().unwrap_or_default();
                        let is_key = !key.is_empty()
                            && key.chars().all(|c| {
                                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                            });
                        if is_key && !zh.contains(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from zh.json: {missing:#?}"
        );
    }

    #[test]
    fn looks_up_both_languages_with_placeholders() {
        assert_eq!(I18n(Lang::Zh).t("login.submit"), "登录");
        assert_eq!(I18n(Lang::En).t("login.submit"), "Sign in");
        assert_eq!(
            I18n(Lang::En).f("login.throttled", &[("secs", "30")]),
            "Too many attempts. Try again in 30 seconds."
        );
    }
}
