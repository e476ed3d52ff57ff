//! The password policy: length by role and no common passwords.
//! Server-only (zxcvbn's dictionaries stay out of the browser bundle).

use crate::common::Role;

pub const MIN_RESIDENT: usize = 8;
pub const MIN_STAFF: usize = 12;
/// Long enough for any passphrase; bounds the work argon2 is asked to do.
pub const MAX_LEN: usize = 128;

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort { min: usize },
    TooLong { max: usize },
    TooCommon,
}

/// Common Chinese passwords that English-centred dictionaries underrate.
const COMMON_ZH: &[&str] = &[
    "woaini1314",
    "woaini520",
    "5201314520",
    "1314520520",
    "iloveyou1314",
    "qq123456",
    "aa123456",
    "a123456789",
    "abc123456",
    "1qaz2wsx",
    "1qaz2wsx3edc",
    "qwe123456",
    "zxcvbnm123",
    "147258369",
    "123456789a",
    "asd123456",
    "wang123456",
    "zhang123456",
];

pub fn min_len(role: Role) -> usize {
    if role == Role::Resident {
        MIN_RESIDENT
    } else {
        MIN_STAFF
    }
}

/// Checks a new password for an account of `role`; `user_inputs` (username,
/// name, mobile) count as guessable.
pub fn check(password: &str, role: Role, user_inputs: &[&str]) -> Result<(), PasswordProblem> {
    let len = password.chars().count();
    let min = min_len(role);
    if len < min {
        return Err(PasswordProblem::TooShort { min });
    }
    if len > MAX_LEN {
        return Err(PasswordProblem::TooLong { max: MAX_LEN });
    }
    let lower = password.to_lowercase();
    if COMMON_ZH.contains(&lower.as_str()) {
        return Err(PasswordProblem::TooCommon);
    }
    // Score 0–1: guessable within ~10^6 attempts — dictionary words, keyboard
    // walks, repeats, dates and the user's own name or number.
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 2 {
        return Err(PasswordProblem::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_need_twelve_characters() {
        assert_eq!(
            check("Kq7#vLp2x9", Role::Clerk, &[]),
            Err(PasswordProblem::TooShort { min: 12 })
        );
        assert_eq!(check("Kq7#vLp2x9!w", Role::Clerk, &[]), Ok(()));
        assert_eq!(check("Kq7#vLp2x9!w", Role::Admin, &[]), Ok(()));
    }

    #[test]
    fn residents_need_eight() {
        assert_eq!(
            check("Kq7#vLp", Role::Resident, &[]),
            Err(PasswordProblem::TooShort { min: 8 })
        );
        assert_eq!(check("Kq7#vLp2", Role::Resident, &[]), Ok(()));
    }

    #[test]
    fn counts_characters_not_bytes() {
        // Seven Chinese characters are 21 bytes but still too short for anyone.
        assert_eq!(
            check("物业服务中心好", Role::Resident, &[]),
            Err(PasswordProblem::TooShort { min: 8 })
        );
    }

    #[test]
    fn refuses_common_passwords() {
        for common in [
            "password1234",
            "123456789012",
            "qwertyuiop12",
            "111111111111",
            "woaini1314",
        ] {
            let role = if common.len() >= 12 {
                Role::Clerk
            } else {
                Role::Resident
            };
            assert_eq!(
                check(common, role, &[]),
                Err(PasswordProblem::TooCommon),
                "{common}"
            );
        }
        assert_eq!(
            check("12345678", Role::Resident, &[]),
            Err(PasswordProblem::TooCommon)
        );
        assert_eq!(
            check("password", Role::Resident, &[]),
            Err(PasswordProblem::TooCommon)
        );
    }

    #[test]
    fn refuses_the_users_own_details() {
        assert_eq!(
            check("13812345678", Role::Resident, &["13812345678"]),
            Err(PasswordProblem::TooCommon)
        );
    }

    #[test]
    fn refuses_absurd_lengths() {
        let long = "x7#Kq".repeat(30);
        assert_eq!(
            check(&long, Role::Clerk, &[]),
            Err(PasswordProblem::TooLong { max: 128 })
        );
    }
}
