//! The resident identity number (GB 11643-1999): 6-digit region code, 8-digit
//! birth date, 3-digit sequence (odd = male, even = female) and an ISO 7064
//! MOD 11-2 check character. A 15-digit legacy number is converted. Never shown
//! in full on paper or in lists: see [`IdNumber::masked`].

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A checked 18-character identity number, upper-case `X` for a check value of 10.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IdNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("the ID number is empty")]
    Empty,
    #[error("the ID number has {0} characters; it must have 18 (or 15 for an old number)")]
    WrongLength(usize),
    #[error("character {position} of the ID number is '{found}'; only digits are allowed there")]
    NotADigit { position: usize, found: char },
    #[error("the last character of the ID number is '{0}'; it must be a digit or X")]
    BadCheckCharacter(char),
    #[error("the birth date {0} in the ID number is not a real date")]
    NoSuchDate(String),
    #[error("the birth date {0} in the ID number is in the future")]
    FutureDate(String),
    #[error("the check character of the ID number is {found} but should be {expected}; a digit is mistyped")]
    CheckMismatch { expected: char, found: char },
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The MOD 11-2 check character for the first 17 digits (which must be ASCII digits).
pub fn check_character(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl IdNumber {
    /// Validates an 18-character number (or converts a 15-digit one) whose birth
    /// date is a real date on or before `today`. Surrounding spaces are ignored,
    /// a lower-case `x` is accepted.
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let id = IdNumber::parse_any_date(input)?;
        let birth = id.birth_date();
        if birth > today {
            return Err(IdNumberError::FutureDate(birth.format("%Y-%m-%d").to_string()));
        }
        Ok(id)
    }

    /// As [`IdNumber::parse`] without the not-in-the-future check: for numbers
    /// read back from the store, where "today" is not the question.
    pub fn parse_any_date(input: &str) -> Result<IdNumber, IdNumberError> {
        let s = input.trim();
        let chars: Vec<char> = s.chars().collect();
        match chars.len() {
            0 => Err(IdNumberError::Empty),
            15 => IdNumber::from_legacy(&chars),
            18 => IdNumber::from_eighteen(&chars),
            n => Err(IdNumberError::WrongLength(n)),
        }
    }

    fn from_eighteen(chars: &[char]) -> Result<IdNumber, IdNumberError> {
        all_digits(&chars[..17])?;
        let last = chars[17].to_ascii_uppercase();
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(IdNumberError::BadCheckCharacter(chars[17]));
        }
        let digits: String = chars[..17].iter().collect();
        birth_date_of(&digits[6..14])?;
        let expected = check_character(digits.as_bytes());
        if expected != last {
            return Err(IdNumberError::CheckMismatch { expected, found: last });
        }
        Ok(IdNumber(format!("{digits}{last}")))
    }

    /// A 15-digit number (GB 11643-1989): insert "19" before the 6-digit birth
    /// date and append the check character.
    fn from_legacy(chars: &[char]) -> Result<IdNumber, IdNumberError> {
        all_digits(chars)?;
        let s: String = chars.iter().collect();
        let first17 = format!("{}19{}", &s[..6], &s[6..]);
        birth_date_of(&first17[6..14])?;
        let check = check_character(first17.as_bytes());
        Ok(IdNumber(format!("{first17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date; always valid, checked at parse time.
    pub fn birth_date(&self) -> NaiveDate {
        // Safe by construction: the digits were checked to form a real date.
        birth_date_of(&self.0[6..14]).unwrap_or(NaiveDate::MIN)
    }

    /// Odd sequence digit = male, even = female.
    pub fn sex(&self) -> Sex {
        let seq_digit = self.0.as_bytes()[16] - b'0';
        if seq_digit % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 6-digit administrative region code where the number was issued.
    /// Information only: region codes change and are not validated.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// Age in whole years on `day`.
    pub fn age_on(&self, day: NaiveDate) -> u32 {
        let b = self.birth_date();
        let mut years = day.year() - b.year();
        if (day.month(), day.day()) < (b.month(), b.day()) {
            years -= 1;
        }
        years.max(0) as u32
    }

    /// The form shown in lists and printed on paper: region code, eight stars,
    /// the last four characters (`110105********002X`).
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

fn all_digits(chars: &[char]) -> Result<(), IdNumberError> {
    match chars.iter().position(|c| !c.is_ascii_digit()) {
        Some(i) => Err(IdNumberError::NotADigit { position: i + 1, found: chars[i] }),
        None => Ok(()),
    }
}

fn birth_date_of(yyyymmdd: &str) -> Result<NaiveDate, IdNumberError> {
    let shown = || format!("{}-{}-{}", &yyyymmdd[..4], &yyyymmdd[4..6], &yyyymmdd[6..]);
    let date = NaiveDate::parse_from_str(yyyymmdd, "%Y%m%d").map_err(|_| IdNumberError::NoSuchDate(shown()))?;
    if date.year() < 1850 {
        return Err(IdNumberError::NoSuchDate(shown()));
    }
    Ok(date)
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for IdNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IdNumber, D::Error> {
        let s = String::deserialize(d)?;
        IdNumber::parse_any_date(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    /// The worked examples of peripherals.md section B.3.
    #[test]
    fn reference_vectors_are_valid_with_their_sex_and_birth_date() {
        let cases = [
            ("11010519491231002X", "1949-12-31", Sex::Female),
            ("440524188001010014", "1880-01-01", Sex::Male),
            ("110101199003070011", "1990-03-07", Sex::Male),
            ("11010119900307002X", "1990-03-07", Sex::Female),
            ("510108199001014568", "1990-01-01", Sex::Female),
            ("110101200002290034", "2000-02-29", Sex::Male),
            ("32010619850615351X", "1985-06-15", Sex::Male),
            ("310115198001011238", "1980-01-01", Sex::Male),
            ("110101202311012176", "2023-11-01", Sex::Male),
            ("34052419800101001X", "1980-01-01", Sex::Male),
        ];
        for (number, birth, sex) in cases {
            let id = IdNumber::parse(number, today()).unwrap_or_else(|e| panic!("{number}: {e}"));
            assert_eq!(id.birth_date().to_string(), birth, "{number}");
            assert_eq!(id.sex(), sex, "{number}");
            assert_eq!(id.region_code(), &number[..6]);
        }
    }

    #[test]
    fn wrong_check_character_says_which_it_should_be() {
        assert_eq!(
            IdNumber::parse("110105194912310021", today()),
            Err(IdNumberError::CheckMismatch { expected: 'X', found: '1' })
        );
    }

    #[test]
    fn lowercase_x_is_accepted_and_normalised() {
        assert_eq!(IdNumber::parse("11010519491231002x", today()).unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn legacy_fifteen_digit_numbers_are_converted() {
        assert_eq!(IdNumber::parse("110105491231002", today()).unwrap().as_str(), "11010519491231002X");
        assert_eq!(IdNumber::parse("440524800101001", today()).unwrap().as_str(), "440524198001010013");
    }

    #[test]
    fn impossible_and_future_dates_are_refused() {
        // 1990-02-30 does not exist; 2027-01-01 is after "today".
        let mut n = String::from("11010119900230001");
        n.push(check_character(n.as_bytes()));
        assert_eq!(IdNumber::parse(&n, today()), Err(IdNumberError::NoSuchDate("1990-02-30".into())));
        let mut f = String::from("11010120270101001");
        f.push(check_character(f.as_bytes()));
        assert_eq!(IdNumber::parse(&f, today()), Err(IdNumberError::FutureDate("2027-01-01".into())));
        assert!(IdNumber::parse_any_date(&f).is_ok());
    }

    #[test]
    fn format_errors_name_the_problem() {
        assert_eq!(IdNumber::parse("", today()), Err(IdNumberError::Empty));
        assert_eq!(IdNumber::parse("1234", today()), Err(IdNumberError::WrongLength(4)));
        assert_eq!(
            IdNumber::parse("1101051949123100AX", today()),
            Err(IdNumberError::NotADigit { position: 17, found: 'A' })
        );
        assert_eq!(IdNumber::parse("11010519491231002Y", today()), Err(IdNumberError::BadCheckCharacter('Y')));
        assert_eq!(
            IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ", today()).map(|_| ()),
            Err(IdNumberError::NotADigit { position: 1, found: '１' })
        );
    }

    #[test]
    fn masking_keeps_region_and_last_four() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.age_on(today()), 76);
    }

    fn valid_number() -> impl Strategy<Value = String> {
        (100000u32..999999, 0i64..(150 * 365), 0u32..1000).prop_map(|(region, days, seq)| {
            let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            let first17 = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
            format!("{first17}{}", check_character(first17.as_bytes()))
        })
    }

    proptest! {
        #[test]
        fn every_generated_number_is_valid_and_one_changed_digit_is_caught(
            n in valid_number(), pos in 0usize..17, delta in 1u8..10
        ) {
            prop_assert!(IdNumber::parse_any_date(&n).is_ok());
            let mut bytes = n.clone().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            // A single changed digit is always caught: by the date check or the check character.
            prop_assert!(IdNumber::parse_any_date(&changed).is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,24}") {
            let _ = IdNumber::parse(&s, NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
        }
    }
}
