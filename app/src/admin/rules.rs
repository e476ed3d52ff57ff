//! What a staff account must look like. Pure; the messages are i18n keys.

use crate::common::Role;

/// A refused field: the field's name and the i18n key of the reason.
pub type FieldProblem = (&'static str, &'static str);

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

/// An admin may not lock themselves out.
pub fn check_not_self(acting_id: i64, target_id: i64) -> Result<(), &'static str> {
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
        assert_eq!(check_not_self(1, 1), Err("staff.not_yourself"));
        assert_eq!(check_not_self(1, 2), Ok(()));
    }
}
