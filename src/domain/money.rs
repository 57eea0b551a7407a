//! Money as the window counts it: yuan with two decimal places, never negative,
//! rounded half away from zero (四舍五入). In JSON a string such as "3000.00".

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of yuan, 0.00 or more, exactly two decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an amount of money (write yuan like 3000 or 3000.50)")]
    NotANumber(String),
    #[error("'{0}' is negative; an amount cannot be below 0.00")]
    Negative(String),
    #[error("'{0}' has more than 2 decimal places (fen is the smallest unit)")]
    TooPrecise(String),
    #[error("'{0}' is too large for an amount of assistance")]
    TooLarge(String),
}

/// The largest amount any single record may carry: 100 million yuan.
const MAX_YUAN: i64 = 100_000_000;

impl Money {
    pub const ZERO: Money = Money(Decimal::from_parts(0, 0, 0, false, 2));

    /// An exact amount; refuses negatives, more than two decimals and absurd sizes.
    pub fn new(value: Decimal) -> Result<Money, MoneyError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative(value.to_string()));
        }
        if value.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise(value.to_string()));
        }
        if value > Decimal::from(MAX_YUAN) {
            return Err(MoneyError::TooLarge(value.to_string()));
        }
        Ok(Money(with_two_places(value.abs())))
    }

    /// Whole yuan, for figures written in code and tests.
    pub fn yuan(whole: u32) -> Money {
        Money(with_two_places(Decimal::from(whole)))
    }

    /// The result of a computation: rounded to fen half away from zero, and
    /// never below zero (a computed entitlement below zero is zero).
    pub fn rounded(value: Decimal) -> Money {
        let r = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        if r.is_sign_negative() || r.is_zero() {
            return Money::ZERO;
        }
        Money(with_two_places(r.min(Decimal::from(MAX_YUAN))))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        Money::new(self.0 + other.0).ok()
    }

    /// `self - other`, or `None` when that would be negative.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        if other.0 > self.0 {
            None
        } else {
            Some(Money(with_two_places(self.0 - other.0)))
        }
    }
}

fn with_two_places(mut d: Decimal) -> Decimal {
    d.rescale(2);
    d
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Money, MoneyError> {
        let trimmed = s.trim();
        let plain = trimmed.strip_prefix('-').unwrap_or(trimmed);
        if plain.is_empty() || plain.starts_with('.') || !plain.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(MoneyError::NotANumber(s.to_string()));
        }
        let value = Decimal::from_str(trimmed).map_err(|_| MoneyError::NotANumber(s.to_string()))?;
        Money::new(value)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        if d.is_human_readable() {
            // JSON: a string "3000.00", or a plain number 3000 / 3000.5 for scripts.
            struct Visit;
            impl serde::de::Visitor<'_> for Visit {
                type Value = Money;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an amount of yuan as a string such as \"3000.00\"")
                }
                fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                    v.parse().map_err(E::custom)
                }
                fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                    Money::new(Decimal::from(v)).map_err(E::custom)
                }
                fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                    Money::new(Decimal::from(v)).map_err(E::custom)
                }
                fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                    v.to_string().parse().map_err(E::custom)
                }
            }
            d.deserialize_any(Visit)
        } else {
            let s = String::deserialize(d)?;
            s.parse().map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints_two_places() {
        assert_eq!("3000".parse::<Money>().unwrap().to_string(), "3000.00");
        assert_eq!("0.5".parse::<Money>().unwrap().to_string(), "0.50");
        assert_eq!(" 12.34 ".parse::<Money>().unwrap().to_string(), "12.34");
        assert_eq!("1.230".parse::<Money>().unwrap().to_string(), "1.23");
    }

    #[test]
    fn refuses_negative_too_precise_and_junk() {
        assert!(matches!("-1".parse::<Money>(), Err(MoneyError::Negative(_))));
        assert!(matches!("1.234".parse::<Money>(), Err(MoneyError::TooPrecise(_))));
        assert!(matches!("abc".parse::<Money>(), Err(MoneyError::NotANumber(_))));
        assert!(matches!("1e3".parse::<Money>(), Err(MoneyError::NotANumber(_))));
        assert!(matches!("100000000.01".parse::<Money>(), Err(MoneyError::TooLarge(_))));
    }

    #[test]
    fn rounds_half_away_from_zero() {
        let r = |s: &str| Money::rounded(Decimal::from_str(s).unwrap()).to_string();
        assert_eq!(r("2.345"), "2.35");
        assert_eq!(r("2.344"), "2.34");
        assert_eq!(r("0.005"), "0.01");
        assert_eq!(r("-5"), "0.00");
    }

    #[test]
    fn json_accepts_strings_and_numbers_and_writes_strings() {
        let m: Money = serde_json::from_str("\"12.5\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"12.50\"");
        let n: Money = serde_json::from_str("800").unwrap();
        assert_eq!(n, Money::yuan(800));
        assert!(serde_json::from_str::<Money>("\"-3\"").is_err());
        assert!(serde_json::from_str::<Money>("1.005").is_err());
    }

    proptest! {
        #[test]
        fn any_fen_amount_round_trips_through_text_and_json(fen in 0u64..10_000_000_000) {
            let m = Money::new(Decimal::new(fen as i64, 2)).unwrap();
            let text = m.to_string();
            prop_assert_eq!(text.parse::<Money>().unwrap(), m);
            let json = serde_json::to_string(&m).unwrap();
            prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
            let bin = bincode::serde::encode_to_vec(m, bincode::config::standard()).unwrap();
            let (back, _): (Money, usize) = bincode::serde::decode_from_slice(&bin, bincode::config::standard()).unwrap();
            prop_assert_eq!(back, m);
        }

        #[test]
        fn rounding_is_never_negative_and_has_two_places(units in -1_000_000i64..1_000_000, scale in 0u32..6) {
            let m = Money::rounded(Decimal::new(units, scale));
            prop_assert!(!m.decimal().is_sign_negative() || m.is_zero());
            prop_assert_eq!(m.decimal().scale(), 2);
        }
    }
}
