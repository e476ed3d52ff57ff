//! Personal data (个人信息): what a mobile number and an identity card number
//! must look like, and how they are masked wherever they are shown. Every
//! area that records a person (residents, key takers, workers) uses these.

use chrono::NaiveDate;

/// Why a mobile or ID number is refused; each is an i18n key under `register.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalInvalid {
    MobileFormat,
    IdLength,
    IdCharacters,
    IdBirthDate,
    IdCheckDigit,
}

impl PersonalInvalid {
    /// The i18n key of the message.
    pub fn key(self) -> &'static str {
        match self {
            PersonalInvalid::MobileFormat => "register.invalid.mobile",
            PersonalInvalid::IdLength => "register.invalid.id_length",
            PersonalInvalid::IdCharacters => "register.invalid.id_characters",
            PersonalInvalid::IdBirthDate => "register.invalid.id_birth_date",
            PersonalInvalid::IdCheckDigit => "register.invalid.id_check_digit",
        }
    }
}

/// A mainland mobile number: 11 digits starting `1[3-9]`. Spaces and dashes
/// people type are removed first.
pub fn normalise_mobile(input: &str) -> Result<String, PersonalInvalid> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let b = digits.as_bytes();
    if b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
    {
        Ok(digits)
    } else {
        Err(PersonalInvalid::MobileFormat)
    }
}

/// A resident identity card number (居民身份证号码, GB 11643-1999): 17 digits
/// and a check character (0–9 or X), with a real birth date at positions 7–14.
pub fn normalise_id_number(input: &str) -> Result<String, PersonalInvalid> {
    let id: String = input.trim().to_ascii_uppercase();
    if id.chars().count() != 18 {
        return Err(PersonalInvalid::IdLength);
    }
    let b = id.as_bytes();
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err(PersonalInvalid::IdCharacters);
    }
    let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d")
        .map_err(|_| PersonalInvalid::IdBirthDate)?;
    if birth < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(birth) {
        return Err(PersonalInvalid::IdBirthDate);
    }
    if id_check_char(&b[..17]) != b[17] {
        return Err(PersonalInvalid::IdCheckDigit);
    }
    Ok(id)
}

/// The ISO 7064 MOD 11-2 check character of the first 17 digits.
pub fn id_check_char(first17: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// How many characters of an `n`-character value a mask shows at its start
/// and end: none below 8; below 11 a quarter at each end, at most 3 and 4, so
/// at least half is hidden (`62345678` → `62****78`); from 11 on, 3 and 4.
fn shown_ends(n: usize) -> (usize, usize) {
    match n {
        0..8 => (0, 0),
        8..11 => ((n / 4).min(3), (n / 4).min(4)),
        _ => (3, 4),
    }
}

/// `value` with only its shown ends kept: `stars` stars between them, or one
/// per hidden character.
fn mask_with(value: &str, stars: Option<usize>) -> String {
    let c: Vec<char> = value.chars().collect();
    let (head, tail) = shown_ends(c.len());
    if head == 0 {
        return "*".repeat(c.len());
    }
    let hidden = c.len() - head - tail;
    format!(
        "{}{}{}",
        c[..head].iter().collect::<String>(),
        "*".repeat(stars.unwrap_or(hidden)),
        c[c.len() - tail..].iter().collect::<String>()
    )
}

/// `13812345678` → `138****5678`; a number shorter than 11 shows at most half.
pub fn mask_mobile(mobile: &str) -> String {
    let n = mobile.chars().count();
    mask_with(mobile, (n >= 11).then_some(4))
}

/// `11010519491231002X` → `110***********002X`: one star per hidden character.
pub fn mask_id_number(id: &str) -> String {
    mask_with(id, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles() {
        assert_eq!(normalise_mobile("13812345678"), Ok("13812345678".into()));
        assert_eq!(normalise_mobile("138 1234 5678"), Ok("13812345678".into()));
        assert_eq!(normalise_mobile("199-1234-5678"), Ok("19912345678".into()));
        for bad in [
            "12812345678",
            "1381234567",
            "138123456789",
            "23812345678",
            "1381234567a",
            "",
        ] {
            assert_eq!(
                normalise_mobile(bad),
                Err(PersonalInvalid::MobileFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn id_numbers() {
        // The standard's own example, and one ending in X.
        assert_eq!(
            normalise_id_number("11010519491231002X"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            normalise_id_number("11010519491231002x"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            normalise_id_number("440524188001010014"),
            Err(PersonalInvalid::IdBirthDate)
        );
        assert_eq!(
            normalise_id_number("110105194912310021"),
            Err(PersonalInvalid::IdCheckDigit)
        );
        assert_eq!(
            normalise_id_number("11010519491231002"),
            Err(PersonalInvalid::IdLength)
        );
        assert_eq!(
            normalise_id_number("1101051949123100AX"),
            Err(PersonalInvalid::IdCharacters)
        );
        assert_eq!(
            normalise_id_number("110105194902300026"),
            Err(PersonalInvalid::IdBirthDate),
            "30 February"
        );
    }

    #[test]
    fn check_characters() {
        let first = b"11010519491231002";
        assert_eq!(id_check_char(first), b'X');
        let id = b"44052418800101001";
        let c = id_check_char(id);
        assert!(c.is_ascii_digit() || c == b'X');
    }

    #[test]
    fn masking() {
        assert_eq!(mask_mobile("13812345678"), "138****5678");
        assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
        assert_eq!(mask_id_number("11010519491231002X").chars().count(), 18);
        assert_eq!(mask_mobile("123"), "***");
    }

    #[test]
    fn short_numbers_keep_at_most_half() {
        // An 8-digit landline and a 10-digit number: a quarter each end.
        assert_eq!(mask_mobile("62345678"), "62****78");
        assert_eq!(mask_mobile("0101234567"), "01******67");
        assert_eq!(mask_id_number("E1234567"), "E1****67");
        assert_eq!(mask_id_number("E123456789"), "E1******89");
        for value in ["62345678", "623456789", "0101234567"] {
            for masked in [mask_mobile(value), mask_id_number(value)] {
                let shown = masked.chars().filter(|c| *c != '*').count();
                assert!(shown * 2 <= value.len(), "{value} → {masked}");
                assert_eq!(masked.chars().count(), value.len(), "{value} → {masked}");
            }
        }
        // Mobiles keep their familiar form.
        assert_eq!(mask_mobile("13800000001"), "138****0001");
    }
}
