//! The desk's search: one box finds a house by its number or part of it
//! (`1201`, `3-2-12`), a resident by name (one or two characters are enough),
//! or by the last four digits of their mobile or ID number. Best matches first.

use serde::{Deserialize, Serialize};

pub const MAX_HITS: usize = 10;

crate::value_set! {
    /// What a search hit is (its label on the hit).
    pub enum HitKind("search") {
        House = "house",
        Resident = "resident",
        Key = "key",
    }
}

/// One result row of the search box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub kind: HitKind,
    pub id: i64,
    /// House number or resident name.
    pub title: String,
    /// The estate, and for a resident the masked mobile.
    pub detail: String,
    /// 0 is best.
    pub rank: u8,
}

impl SearchHit {
    pub fn href(&self) -> String {
        match self.kind {
            HitKind::House => format!("/desk/houses/{}", self.id),
            HitKind::Resident => format!("/desk/residents/{}", self.id),
            HitKind::Key => format!("/desk/keys/{}", self.id),
        }
    }
}

/// What a query can mean.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Part of a house number (digits, letters and dashes with a digit in it).
    pub house: Option<String>,
    /// The last four characters of a mobile or ID number.
    pub tail: Option<String>,
    /// (Part of) a resident's name.
    pub name: Option<String>,
}

pub fn plan(query: &str) -> Plan {
    let q: String = query.trim().chars().take(32).collect();
    if q.is_empty() {
        return Plan::default();
    }
    let has_digit = q.chars().any(|c| c.is_ascii_digit());
    let house_like = has_digit && q.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let upper = q.to_ascii_uppercase();
    let tail_like =
        upper.chars().count() == 4 && upper.chars().all(|c| c.is_ascii_digit() || c == 'X');
    let name_like = !has_digit && q.chars().any(|c| !c.is_ascii_punctuation());
    Plan {
        house: house_like.then(|| upper.clone()),
        tail: tail_like.then_some(upper),
        name: name_like.then_some(q),
    }
}

/// How well a house number matches: exact, the room (`1201` in `3-2-1201`),
/// a prefix (`3-2-12`), anywhere.
pub fn house_rank(number: &str, fragment: &str) -> Option<u8> {
    let number = number.to_ascii_uppercase();
    if number == fragment {
        Some(0)
    } else if number.ends_with(&format!("-{fragment}")) {
        Some(1)
    } else if number.starts_with(fragment) {
        Some(2)
    } else if number.contains(fragment) {
        Some(3)
    } else {
        None
    }
}

/// How well a name matches: exact, surname-first prefix, anywhere.
pub fn name_rank(name: &str, query: &str) -> Option<u8> {
    if name == query {
        Some(0)
    } else if name.starts_with(query) {
        Some(1)
    } else if name.contains(query) {
        Some(2)
    } else {
        None
    }
}

/// Best first (rank, then house before resident, then title), at most `MAX_HITS`.
pub fn best(mut hits: Vec<SearchHit>) -> Vec<SearchHit> {
    hits.sort_by(|a, b| {
        (
            a.rank,
            a.kind == HitKind::Resident,
            a.title.chars().count(),
            &a.title,
        )
            .cmp(&(
                b.rank,
                b.kind == HitKind::Resident,
                b.title.chars().count(),
                &b.title,
            ))
    });
    hits.dedup_by(|a, b| a.kind == b.kind && a.id == b.id);
    hits.truncate(MAX_HITS);
    hits
}

/// The hits with the keys found beside them: each key right after its house
/// (a tag's key first), saying where it is or who has it, since when and
/// who allowed it.
#[cfg(feature = "ssr")]
pub fn with_keys(
    lang: crate::common::Lang,
    hits: Vec<SearchHit>,
    keys: Vec<crate::keys::KeyRow>,
) -> Vec<SearchHit> {
    use crate::i18n::I18n;
    let i18n = I18n(lang);
    let key_hit = |k: &crate::keys::KeyRow, rank: u8| SearchHit {
        kind: HitKind::Key,
        id: k.copy_id.get(),
        title: format!("{} · {}", k.tag, k.opens),
        detail: match &k.loan {
            Some(l) => {
                let line = i18n.f(
                    "keys.hit_out",
                    &[
                        ("taker", &l.taker),
                        ("since", &l.out_at),
                        ("by", &l.authorised_by),
                    ],
                );
                if l.overdue {
                    format!("{line} · {}", i18n.t("keys.overdue"))
                } else {
                    line
                }
            }
            None => i18n.f(
                "keys.hit_in",
                &[("place", &format!("{} {}", k.cabinet, k.hook))],
            ),
        },
        rank,
    };
    let mut out: Vec<SearchHit> = Vec::new();
    let mut placed = std::collections::HashSet::new();
    // A key found by its own tag.
    for k in keys.iter().filter(|k| {
        k.house_id.is_none()
            || !hits
                .iter()
                .any(|h| h.kind == HitKind::House && Some(h.id) == k.house_id)
    }) {
        if placed.insert(k.copy_id) {
            out.push(key_hit(k, 0));
        }
    }
    for h in hits {
        let house = (h.kind == HitKind::House).then_some(h.id);
        let rank = h.rank;
        out.push(h);
        for k in keys
            .iter()
            .filter(|k| house.is_some() && k.house_id == house)
        {
            if placed.insert(k.copy_id) {
                out.push(key_hit(k, rank));
            }
        }
    }
    out.truncate(MAX_HITS + 4);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        assert_eq!(
            plan("1201"),
            Plan {
                house: Some("1201".into()),
                tail: Some("1201".into()),
                name: None
            }
        );
        assert_eq!(
            plan("3-2-12"),
            Plan {
                house: Some("3-2-12".into()),
                tail: None,
                name: None
            }
        );
        assert_eq!(
            plan("王"),
            Plan {
                house: None,
                tail: None,
                name: Some("王".into())
            }
        );
        assert_eq!(
            plan(" 欧阳 "),
            Plan {
                house: None,
                tail: None,
                name: Some("欧阳".into())
            }
        );
        assert_eq!(
            plan("002x"),
            Plan {
                house: Some("002X".into()),
                tail: Some("002X".into()),
                name: None
            }
        );
        assert_eq!(plan(""), Plan::default());
        assert_eq!(plan("--"), Plan::default());
    }

    #[test]
    fn house_ranking() {
        assert_eq!(house_rank("3-2-1201", "3-2-1201"), Some(0));
        assert_eq!(house_rank("3-2-1201", "1201"), Some(1));
        assert_eq!(house_rank("3-2-1201", "3-2-12"), Some(2));
        assert_eq!(house_rank("3-2-1201", "2-12"), Some(3));
        assert_eq!(house_rank("3-2-1202", "1201"), None);
    }

    #[test]
    fn name_ranking() {
        assert_eq!(name_rank("王伟", "王伟"), Some(0));
        assert_eq!(name_rank("王秀英", "王"), Some(1));
        assert_eq!(name_rank("李秀英", "秀英"), Some(2));
        assert_eq!(name_rank("李伟", "王"), None);
    }

    #[test]
    fn best_matches_first() {
        let hit = |kind, id, title: &str, rank| SearchHit {
            kind,
            id,
            title: title.into(),
            detail: String::new(),
            rank,
        };
        let ranked = best(vec![
            hit(HitKind::House, 1, "3-2-1201", 1),
            hit(HitKind::Resident, 9, "王伟", 0),
            hit(HitKind::House, 2, "1-1-1201", 1),
            hit(HitKind::House, 2, "1-1-1201", 1),
        ]);
        let titles: Vec<&str> = ranked.iter().map(|h| h.title.as_str()).collect();
        assert_eq!(titles, vec!["王伟", "1-1-1201", "3-2-1201"]);
    }
}
