//! What a staff account and a new estate must look like. Pure; the
//! messages are i18n keys.

use crate::common::{AccountId, Role};

/// A refused field: the field's name and the i18n key of the reason.
pub use crate::i18n::FieldProblem;

/// Usernames: 3–32 of `a-z 0-9 . _ -`, starting with a letter — so a username
/// can never be mistaken for a resident's mobile number at sign-in.
pub fn check_username(username: &str) -> Result<(), FieldProblem> {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    let starts = username
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase());
    if username.is_empty() {
        Err(("username", "staff.username_required"))
    } else if !(3..=32).contains(&username.chars().count()) || !ok_chars || !starts {
        Err(("username", "staff.username_format"))
    } else {
        Ok(())
    }
}

pub fn check_display_name(name: &str) -> Result<(), FieldProblem> {
    let n = name.trim().chars().count();
    if n == 0 {
        Err(("display_name", "staff.name_required"))
    } else if n > 40 {
        Err(("display_name", "staff.name_too_long"))
    } else {
        Ok(())
    }
}

/// Staff roles only; a role that works on estates needs at least one.
pub fn check_role_and_estates(role: Option<Role>, estates: &[i64]) -> Result<Role, FieldProblem> {
    match role {
        None | Some(Role::Resident) => Err(("role", "staff.role_required")),
        Some(Role::Admin) => Ok(Role::Admin),
        Some(_) if estates.is_empty() => Err(("estates", "staff.estates_required")),
        Some(role) => Ok(role),
    }
}

/// A staff form's fields checked together (the username only when the form
/// has one), every refused field at once: the role, and the estates sorted
/// without repeats — none for an admin, who works for every estate.
pub fn check_staff(
    username: Option<&str>,
    display_name: &str,
    role: &str,
    estates: Option<Vec<i64>>,
) -> Result<(Role, Vec<i64>), Vec<FieldProblem>> {
    let mut estates = estates.unwrap_or_default();
    estates.sort_unstable();
    estates.dedup();
    let mut problems = Vec::new();
    problems.extend(username.and_then(|u| check_username(u).err()));
    problems.extend(check_display_name(display_name).err());
    match check_role_and_estates(Role::parse(role), &estates) {
        Ok(role) if problems.is_empty() => {
            if role == Role::Admin {
                estates.clear();
            }
            Ok((role, estates))
        }
        Ok(_) => Err(problems),
        Err(p) => {
            problems.push(p);
            Err(problems)
        }
    }
}

/// A new estate's code (2–16 of `A-Z 0-9 -`, upper-cased) and name (1–40
/// characters), both trimmed.
pub fn check_estate(code: &str, name: &str) -> Result<(String, String), Vec<FieldProblem>> {
    let code = code.trim().to_ascii_uppercase();
    let name = name.trim().to_string();
    let mut problems = Vec::new();
    if !(2..=16).contains(&code.len())
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        problems.push(("code", "estate.invalid_code"));
    }
    if name.is_empty() || name.chars().count() > 40 {
        problems.push(("name", "estate.invalid_name"));
    }
    if problems.is_empty() {
        Ok((code, name))
    } else {
        Err(problems)
    }
}

/// An admin may not lock themselves out.
pub fn check_not_self(acting_id: AccountId, target_id: AccountId) -> Result<(), &'static str> {
    if acting_id == target_id {
        Err("staff.not_yourself")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for ok in ["clerk", "wang.li", "zhang_3", "a12"] {
            assert_eq!(check_username(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            check_username(""),
            Err(("username", "staff.username_required"))
        );
        for bad in [
            "ab",
            "13812345678",
            "Wang",
            "王五",
            "1abc",
            "a b c",
            &"a".repeat(33),
        ] {
            assert_eq!(
                check_username(bad),
                Err(("username", "staff.username_format")),
                "{bad}"
            );
        }
    }

    #[test]
    fn names() {
        assert_eq!(check_display_name("王小明"), Ok(()));
        assert_eq!(
            check_display_name("  "),
            Err(("display_name", "staff.name_required"))
        );
        assert_eq!(
            check_display_name(&"名".repeat(41)),
            Err(("display_name", "staff.name_too_long"))
        );
    }

    #[test]
    fn roles_and_estates() {
        assert_eq!(
            check_role_and_estates(Some(Role::Admin), &[]),
            Ok(Role::Admin)
        );
        assert_eq!(
            check_role_and_estates(Some(Role::Clerk), &[1]),
            Ok(Role::Clerk)
        );
        assert_eq!(
            check_role_and_estates(Some(Role::Clerk), &[]),
            Err(("estates", "staff.estates_required"))
        );
        assert_eq!(
            check_role_and_estates(Some(Role::Resident), &[1]),
            Err(("role", "staff.role_required"))
        );
        assert_eq!(
            check_role_and_estates(None, &[1]),
            Err(("role", "staff.role_required"))
        );
    }

    #[test]
    fn no_self_lockout() {
        assert_eq!(
            check_not_self(AccountId(1), AccountId(1)),
            Err("staff.not_yourself")
        );
        assert_eq!(check_not_self(AccountId(1), AccountId(2)), Ok(()));
    }

    #[test]
    fn a_staff_form_is_checked_at_once() {
        assert_eq!(
            check_staff(Some("wang.li"), "王立", "clerk", Some(vec![3, 1, 3])),
            Ok((Role::Clerk, vec![1, 3]))
        );
        assert_eq!(
            check_staff(None, "系统管理员", "admin", Some(vec![2])),
            Ok((Role::Admin, vec![])),
            "an admin works for every estate"
        );
        assert_eq!(
            check_staff(Some("X"), " ", "resident", None),
            Err(vec![
                ("username", "staff.username_format"),
                ("display_name", "staff.name_required"),
                ("role", "staff.role_required"),
            ])
        );
        assert_eq!(
            check_staff(None, "王立", "manager", None),
            Err(vec![("estates", "staff.estates_required")])
        );
    }

    #[test]
    fn estate_codes_and_names() {
        assert_eq!(
            check_estate(" ch-2 ", " 翠湖花园 "),
            Ok(("CH-2".into(), "翠湖花园".into()))
        );
        assert_eq!(
            check_estate("C", ""),
            Err(vec![
                ("code", "estate.invalid_code"),
                ("name", "estate.invalid_name"),
            ])
        );
        assert_eq!(
            check_estate("翠湖", &"名".repeat(41)),
            Err(vec![
                ("code", "estate.invalid_code"),
                ("name", "estate.invalid_name"),
            ])
        );
    }
}
