//! Who works at the window: operators by name, each a clerk or a supervisor,
//! and the rules that keep a name honest (no control characters, newlines or
//! bidi marks that could forge a history line) and that lock an operator out
//! after wrong PINs. No I/O and no hashing here: PINs are checked in `auth`.

use std::fmt;

use chrono::Duration;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::time::{self, Moment};

/// Longest operator name.
pub const MAX_NAME_CHARS: usize = 32;
/// Wrong PINs in a row before an operator is locked out.
pub const FAILURES_BEFORE_LOCKOUT: u32 = 5;
/// The first lockout; each further lockout doubles it, up to [`MAX_LOCKOUT`].
pub const FIRST_LOCKOUT: Duration = Duration::minutes(1);
pub const MAX_LOCKOUT: Duration = Duration::hours(24);

/// An operator's name: 1-32 ASCII letters, digits, `_`, `-` or `.`, so it
/// reads the same in every history line, log and receipt.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperatorName(String);

/// Why a name cannot be an operator's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadOperatorName {
    #[error("an operator name cannot be empty")]
    Empty,
    #[error("an operator name has at most {MAX_NAME_CHARS} characters")]
    TooLong,
    #[error("an operator name may hold only letters, digits, '_', '-' and '.' (found {0:?})")]
    Character(char),
}

impl OperatorName {
    pub fn parse(s: &str) -> Result<OperatorName, BadOperatorName> {
        if s.is_empty() {
            return Err(BadOperatorName::Empty);
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))) {
            return Err(BadOperatorName::Character(c));
        }
        if s.len() > MAX_NAME_CHARS {
            return Err(BadOperatorName::TooLong);
        }
        Ok(OperatorName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OperatorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for OperatorName {
    type Err = BadOperatorName;
    fn from_str(s: &str) -> Result<OperatorName, BadOperatorName> {
        OperatorName::parse(s)
    }
}

impl Serialize for OperatorName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OperatorName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OperatorName, D::Error> {
        OperatorName::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Shortest and longest PIN, in digits.
pub const MIN_PIN_DIGITS: usize = 6;
pub const MAX_PIN_DIGITS: usize = 12;

/// Why a new PIN is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadPin {
    #[error("a PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits")]
    Length,
    #[error("a PIN is digits only")]
    NotDigits,
    /// One digit repeated, or a run such as 123456 or 987654: guessed first.
    #[error("a PIN of one digit repeated or of a run like 123456 is guessed first; choose another")]
    Guessable,
}

/// Checks a new PIN before it is hashed.
pub fn check_new_pin(pin: &str) -> Result<(), BadPin> {
    if !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(BadPin::NotDigits);
    }
    if !(MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&pin.len()) {
        return Err(BadPin::Length);
    }
    let d: Vec<i32> = pin.bytes().map(|b| i32::from(b - b'0')).collect();
    // Steps between digits, round the dial: 7890 runs on as 1, 1, 1.
    let steps: Vec<i32> = d.windows(2).map(|w| (w[1] - w[0]).rem_euclid(10)).collect();
    if steps.iter().all(|s| *s == steps[0]) && matches!(steps[0], 0 | 1 | 9) {
        return Err(BadPin::Guessable);
    }
    Ok(())
}

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Accepts cases, refers them, approves up to the clerk's limit.
    Clerk,
    /// The office head: also approves above the clerk's limit, lets a blocked
    /// duplicate through, corrects the fund, pays from the reserve fund, and
    /// manages operators.
    Supervisor,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = super::kind::UnknownCode;
    fn from_str(s: &str) -> Result<Role, Self::Err> {
        match s.trim() {
            "clerk" => Ok(Role::Clerk),
            "supervisor" => Ok(Role::Supervisor),
            other => Err(super::kind::UnknownCode {
                what: "role",
                found: other.to_string(),
                expected: &["clerk", "supervisor"],
            }),
        }
    }
}

/// An operator as the store keeps them. The PIN is kept only as a PHC
/// string (argon2id), never in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub name: OperatorName,
    pub role: Role,
    pub pin_hash: String,
    pub disabled: bool,
    /// Wrong PINs since the last good one.
    pub failures: u32,
    /// How many times the operator has been locked out (the next lockout is longer).
    pub lockouts: u32,
    #[serde(with = "time::moment_opt")]
    pub locked_until: Option<Moment>,
    #[serde(with = "time::moment")]
    pub created_at: Moment,
    /// Who added the operator (the operator themself for the first supervisor).
    pub created_by: OperatorName,
}

/// What a sign-in attempt does to an operator's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    /// The PIN was right: the failures are forgotten.
    Accepted,
    /// The PIN was wrong; `left` more tries before a lockout.
    Wrong { left: u32 },
    /// The PIN was wrong once too often: locked out until then.
    LockedOut { until: Moment },
}

/// Why an operator may not sign in now, whatever the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInBlocked {
    Disabled,
    LockedOut { until: Moment },
}

impl Operator {
    /// A new operator; `pin_hash` is the PHC string of their PIN.
    pub fn new(name: OperatorName, role: Role, pin_hash: String, created_by: OperatorName, at: Moment) -> Operator {
        Operator {
            name,
            role,
            pin_hash,
            disabled: false,
            failures: 0,
            lockouts: 0,
            locked_until: None,
            created_at: at,
            created_by,
        }
    }

    pub fn is_supervisor(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// May the operator try a PIN now?
    pub fn may_try(&self, now: Moment) -> Result<(), SignInBlocked> {
        if self.disabled {
            return Err(SignInBlocked::Disabled);
        }
        match self.locked_until {
            Some(until) if until > now => Err(SignInBlocked::LockedOut { until }),
            _ => Ok(()),
        }
    }

    /// Records the result of a PIN check made at `now`.
    pub fn record_attempt(&mut self, pin_was_right: bool, now: Moment) -> SignInOutcome {
        if pin_was_right {
            self.failures = 0;
            self.locked_until = None;
            return SignInOutcome::Accepted;
        }
        self.failures += 1;
        if self.failures < FAILURES_BEFORE_LOCKOUT {
            return SignInOutcome::Wrong { left: FAILURES_BEFORE_LOCKOUT - self.failures };
        }
        let until = now + lockout_for(self.lockouts);
        self.lockouts = self.lockouts.saturating_add(1);
        self.failures = 0;
        self.locked_until = Some(until);
        SignInOutcome::LockedOut { until }
    }
}

/// How long the `n`-th lockout (0 first) lasts: 1 minute, doubling, at most a day.
pub fn lockout_for(n: u32) -> Duration {
    let factor = 1i32.checked_shl(n.min(30)).unwrap_or(i32::MAX);
    FIRST_LOCKOUT.checked_mul(factor).filter(|d| *d < MAX_LOCKOUT).unwrap_or(MAX_LOCKOUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> Moment {
        chrono::DateTime::parse_from_rfc3339(&format!("2026-12-01T09:{minute:02}:00+08:00")).unwrap()
    }

    #[test]
    fn names_that_could_forge_a_line_are_refused() {
        for good in ["clerk01", "head.01", "wang_fang", "a-b", &"x".repeat(32)] {
            assert!(OperatorName::parse(good).is_ok(), "{good}");
        }
        assert_eq!(OperatorName::parse(""), Err(BadOperatorName::Empty));
        assert_eq!(OperatorName::parse(&"x".repeat(33)), Err(BadOperatorName::TooLong));
        for (bad, c) in [
            ("head01\nreceived", '\n'),
            ("head 01", ' '),
            ("head\u{202e}10", '\u{202e}'),
            ("\u{feff}head", '\u{feff}'),
            ("王芳", '王'),
            ("a\tb", '\t'),
            ("a/b", '/'),
        ] {
            assert_eq!(OperatorName::parse(bad), Err(BadOperatorName::Character(c)), "{bad:?}");
        }
        let err = serde_json::from_str::<OperatorName>("\"a\\nb\"").unwrap_err().to_string();
        assert!(err.contains("letters, digits"), "{err}");
    }

    #[test]
    fn five_wrong_pins_lock_out_for_a_growing_delay() {
        let name = OperatorName::parse("clerk01").unwrap();
        let mut op = Operator::new(name.clone(), Role::Clerk, "$argon2id$…".into(), name, at(0));
        for left in (1..5).rev() {
            assert_eq!(op.record_attempt(false, at(0)), SignInOutcome::Wrong { left });
        }
        let SignInOutcome::LockedOut { until } = op.record_attempt(false, at(0)) else { panic!("not locked") };
        assert_eq!(until, at(1));
        assert_eq!(op.may_try(at(0)), Err(SignInBlocked::LockedOut { until: at(1) }));
        assert_eq!(op.may_try(at(1)), Ok(()));
        // The next five wrong PINs lock out for twice as long.
        for _ in 0..4 {
            op.record_attempt(false, at(1));
        }
        assert_eq!(op.record_attempt(false, at(1)), SignInOutcome::LockedOut { until: at(3) });
        // A right PIN forgets the failures, not the lockouts so far.
        assert_eq!(op.record_attempt(true, at(3)), SignInOutcome::Accepted);
        assert_eq!((op.failures, op.lockouts, op.locked_until), (0, 2, None));
        op.disabled = true;
        assert_eq!(op.may_try(at(4)), Err(SignInBlocked::Disabled));
    }

    #[test]
    fn new_pins_are_digits_and_not_the_first_guesses() {
        assert_eq!(check_new_pin("482913"), Ok(()));
        assert_eq!(check_new_pin("120934567812"), Ok(()));
        assert_eq!(check_new_pin("12345"), Err(BadPin::Length));
        assert_eq!(check_new_pin("1234567890123"), Err(BadPin::Length));
        assert_eq!(check_new_pin("48291a"), Err(BadPin::NotDigits));
        assert_eq!(check_new_pin("４８２９１３"), Err(BadPin::NotDigits));
        for guess in ["000000", "123456", "987654", "4567890"] {
            assert_eq!(check_new_pin(guess), Err(BadPin::Guessable), "{guess}");
        }
    }

    #[test]
    fn lockouts_double_up_to_a_day() {
        assert_eq!(lockout_for(0), Duration::minutes(1));
        assert_eq!(lockout_for(3), Duration::minutes(8));
        assert_eq!(lockout_for(11), MAX_LOCKOUT);
        assert_eq!(lockout_for(u32::MAX), MAX_LOCKOUT);
    }
}
