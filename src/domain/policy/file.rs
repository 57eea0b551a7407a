//! Reading a policy file: TOML into a checked [`Policy`], every mistake reported
//! at its line and column with what was expected, so the district can fix it.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{
    Approval, Dibao, Duplicates, Emergency, GreenChannel, Medical, Policy, SpecialHardship, StepLimits, Temporary,
};
use crate::domain::calendar::Calendar;
use crate::domain::kind::{Department, Kind};
use crate::domain::money::Money;

/// A policy file that cannot be used: where (when known) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// 1-based line of the file.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the line.
    pub column: Option<usize>,
    /// The key concerned, e.g. `medical.discounts.bed` or `calendar.holidays[3]`.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: ")?,
            (Some(l), None) => write!(f, "line {l}: ")?,
            _ => {}
        }
        if let Some(k) = &self.key {
            write!(f, "{k}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl PolicyError {
    /// An error about the policy as a whole, with no place in a file.
    pub(super) fn whole(message: impl Into<String>) -> PolicyError {
        PolicyError { line: None, column: None, key: None, message: message.into() }
    }

    fn at(text: &str, span: Option<Range<usize>>, key: Option<String>, message: String) -> PolicyError {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = line_and_column(text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        PolicyError { line, column, key, message }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The file as written: the same sections as [`Policy`], with dates that may be
/// TOML dates or strings and lists that may still repeat themselves.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    version: String,
    effective_from: Day,
    approval: Approval,
    dibao: Dibao,
    special_hardship: SpecialHardship,
    medical: Medical,
    temporary: Temporary,
    emergency: Emergency,
    #[serde(default)]
    kind_caps: BTreeMap<Kind, Money>,
    duplicates: Duplicates,
    steps: BTreeMap<Kind, StepLimits>,
    green_channel: GreenChannel,
    #[serde(default)]
    referral_limits: BTreeMap<Department, u32>,
    #[serde(default)]
    departments: BTreeMap<Kind, Department>,
    calendar: CalendarFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    holidays: Vec<Day>,
    #[serde(default)]
    makeup_workdays: Vec<Day>,
    /// The last day the lists are complete for (default: the end of the last year they name).
    #[serde(default)]
    covered_until: Option<Day>,
}

/// A day written as a TOML date (`2026-10-01`) or a string (`"2026-10-01"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Day(NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        struct Visit;
        fn day<E: serde::de::Error>(s: &str) -> Result<Day, E> {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Day)
                .map_err(|_| E::custom(format!("'{s}' is not a date like 2026-10-01")))
        }
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Day;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date like 2026-10-01")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Day, E> {
                day(v)
            }
            // A TOML date arrives as a one-entry map holding its text.
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Day, A::Error> {
                match map.next_entry::<String, String>()? {
                    Some((_, text)) => day(&text),
                    None => Err(serde::de::Error::custom("expected a date like 2026-10-01")),
                }
            }
        }
        d.deserialize_any(Visit)
    }
}

/// One step of a path to a key: a table key or an array index.
#[derive(Debug, Clone)]
enum Seg {
    Key(&'static str),
    Name(String),
    Index(usize),
}

/// A semantic problem: the key concerned and what is wrong.
struct Problem {
    path: Vec<Seg>,
    message: String,
}

fn problem(path: Vec<Seg>, message: impl Into<String>) -> Problem {
    Problem { path, message: message.into() }
}

fn path_text(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => push_key(&mut s, k),
            Seg::Name(k) => push_key(&mut s, k),
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn push_key(s: &mut String, k: &str) {
    if !s.is_empty() {
        s.push('.');
    }
    s.push_str(k);
}

/// Where a key is in the file: its value's span, or the nearest enclosing one found.
fn locate(text: &str, path: &[Seg]) -> Option<Range<usize>> {
    let doc = DeTable::parse(text).ok()?;
    let mut span = None;
    let mut at: Option<&Spanned<DeValue>> = None;
    for seg in path {
        let next = match (seg, at) {
            (Seg::Key(k), None) => doc.get_ref().get(*k),
            (Seg::Name(k), None) => doc.get_ref().get(k.as_str()),
            (Seg::Key(k), Some(v)) => v.get_ref().as_table().and_then(|t| t.get(*k)),
            (Seg::Name(k), Some(v)) => v.get_ref().as_table().and_then(|t| t.get(k.as_str())),
            (Seg::Index(i), Some(v)) => v.get_ref().as_array().and_then(|a| a.get(*i)),
            (Seg::Index(_), None) => None,
        };
        match next {
            Some(v) => {
                span = Some(v.span());
                at = Some(v);
            }
            None => break,
        }
    }
    span
}

/// Parses and checks a policy file.
pub(super) fn parse(text: &str) -> Result<Policy, PolicyError> {
    let file: PolicyFile = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        PolicyError::at(text, e.span(), None, message)
    })?;
    let (policy, problems) = check(file);
    match problems.into_iter().next() {
        None => Ok(policy),
        Some(p) => Err(PolicyError::at(text, locate(text, &p.path), Some(path_text(&p.path)), p.message)),
    }
}

/// The index of the first item that repeats an earlier one.
fn first_repeat<T: PartialEq>(items: &[T]) -> Option<usize> {
    (1..items.len()).find(|&i| items[..i].contains(&items[i]))
}

/// The most working days any one limit may be: about a year.
const MAX_LIMIT_DAYS: u32 = 250;

/// Checks what serde's types cannot, and builds the policy. Problems come in file order.
fn check(f: PolicyFile) -> (Policy, Vec<Problem>) {
    use Seg::{Index, Key, Name};
    let mut out = Vec::new();

    let version = f.version.trim().to_string();
    if version.is_empty() || version.chars().count() > 64 || version.chars().any(char::is_control) {
        out.push(problem(vec![Key("version")], "expected a name of 1 to 64 characters, such as \"district-2027.1\""));
    }

    if f.dibao.urban.standard.is_zero() {
        out.push(problem(
            vec![Key("dibao"), Key("urban"), Key("standard")],
            "the urban standard must be above 0.00 yuan per person per month",
        ));
    }
    if let Some(i) = first_repeat(&f.dibao.urban.full_standard_categories) {
        out.push(problem(
            vec![Key("dibao"), Key("urban"), Key("full_standard_categories"), Index(i)],
            format!("'{}' is listed twice", f.dibao.urban.full_standard_categories[i].code()),
        ));
    }
    let classes = &f.dibao.rural.classes;
    if classes.is_empty() || classes.len() > 9 {
        out.push(problem(
            vec![Key("dibao"), Key("rural"), Key("classes")],
            "expected 1 to 9 class amounts, class 1 first, such as [80, 50, 30]",
        ));
    }
    if let Some(i) = classes.iter().position(|m| m.is_zero()) {
        out.push(problem(
            vec![Key("dibao"), Key("rural"), Key("classes"), Index(i)],
            format!("class {} must be above 0.00 yuan per person per month", i + 1),
        ));
    }

    for (item, pct) in &f.medical.discounts {
        if *pct < Decimal::ZERO || *pct > Decimal::ONE_HUNDRED {
            out.push(problem(
                vec![Key("medical"), Key("discounts"), Name(item.code().to_string())],
                format!("a discount is a percentage from 0 to 100; found {}", pct.normalize()),
            ));
        }
    }

    let e = &f.emergency;
    if let Some(i) = first_repeat(&e.reasons) {
        out.push(problem(
            vec![Key("emergency"), Key("reasons"), Index(i)],
            format!("'{}' is listed twice", e.reasons[i]),
        ));
    }
    if let Some(i) = first_repeat(&e.kinds) {
        out.push(problem(vec![Key("emergency"), Key("kinds"), Index(i)], format!("'{}' is listed twice", e.kinds[i])));
    }

    for kind in f.kind_caps.keys() {
        if !matches!(kind, Kind::Disaster | Kind::Education | Kind::Housing | Kind::Employment) {
            out.push(problem(
                vec![Key("kind_caps"), Name(kind.code().to_string())],
                format!(
                    "{kind} is not capped here (its amounts come from its own section); \
                     kind_caps is for disaster, education, housing and employment"
                ),
            ));
        }
    }

    let d = &f.duplicates;
    if d.window_months == 0 || d.window_months > 120 {
        out.push(problem(
            vec![Key("duplicates"), Key("window_months")],
            format!("expected 1 to 120 months; found {}", d.window_months),
        ));
    }
    if let Some(i) = first_repeat(&d.blocking_kinds) {
        out.push(problem(
            vec![Key("duplicates"), Key("blocking_kinds"), Index(i)],
            format!("'{}' is listed twice", d.blocking_kinds[i]),
        ));
    }

    for kind in Kind::ALL {
        match f.steps.get(kind) {
            None => out.push(problem(
                vec![Key("steps")],
                format!("no time limits for {kind}: add [steps.{kind}] with accept, review and approve"),
            )),
            Some(s) => {
                let path = vec![Key("steps"), Name(kind.code().to_string())];
                if s.total() == 0 {
                    out.push(problem(path, "a case cannot be due on the day it is received: the steps add up to 0"));
                } else if s.accept.max(s.review).max(s.approve) > MAX_LIMIT_DAYS {
                    out.push(problem(path, format!("a step is longer than {MAX_LIMIT_DAYS} working days")));
                }
            }
        }
    }
    let g = f.green_channel;
    for (name, n) in [("help", g.help), ("review", g.review)] {
        if n > MAX_LIMIT_DAYS {
            out.push(problem(
                vec![Key("green_channel"), Key(name)],
                format!("expected at most {MAX_LIMIT_DAYS} working days; found {n}"),
            ));
        }
    }
    for (dept, n) in &f.referral_limits {
        if *n == 0 || *n > MAX_LIMIT_DAYS {
            out.push(problem(
                vec![Key("referral_limits"), Name(dept.code().to_string())],
                format!("expected 1 to {MAX_LIMIT_DAYS} working days; found {n}"),
            ));
        }
    }

    let holidays: Vec<NaiveDate> = f.calendar.holidays.iter().map(|d| d.0).collect();
    let makeup: Vec<NaiveDate> = f.calendar.makeup_workdays.iter().map(|d| d.0).collect();
    if let Some(i) = first_repeat(&holidays) {
        out.push(problem(vec![Key("calendar"), Key("holidays"), Index(i)], format!("{} is listed twice", holidays[i])));
    }
    if let Some(i) = first_repeat(&makeup) {
        out.push(problem(
            vec![Key("calendar"), Key("makeup_workdays"), Index(i)],
            format!("{} is listed twice", makeup[i]),
        ));
    }
    for (i, day) in makeup.iter().enumerate() {
        let path = || vec![Key("calendar"), Key("makeup_workdays"), Index(i)];
        if holidays.contains(day) {
            out.push(problem(path(), format!("{day} is also listed as a holiday")));
        } else if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(problem(
                path(),
                format!(
                    "{day} is a {}, already a working day; make-up days are Saturdays or Sundays",
                    day.format("%A")
                ),
            ));
        }
    }

    let policy = Policy {
        version,
        effective_from: f.effective_from.0,
        approval: f.approval,
        dibao: f.dibao,
        special_hardship: f.special_hardship,
        medical: f.medical,
        temporary: f.temporary,
        emergency: f.emergency,
        kind_caps: f.kind_caps,
        duplicates: f.duplicates,
        steps: f.steps,
        green_channel: f.green_channel,
        referral_limits: f.referral_limits,
        departments: f.departments,
        calendar: {
            let mut c = Calendar {
                holidays: holidays.into_iter().collect(),
                makeup_workdays: makeup.into_iter().collect(),
                covered_until: f.calendar.covered_until.map(|d| d.0),
            };
            // Said outright, so `policy show --json` gives the date too.
            c.covered_until = c.complete_until();
            c
        },
    };
    (policy, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in policy with one line replaced (the line must exist).
    fn with_line(old: &str, new: &str) -> String {
        let text = super::super::DEFAULT_POLICY_TOML;
        assert!(text.contains(old), "the default policy has no line {old:?}");
        text.replacen(old, new, 1)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap_or(0)
    }

    #[test]
    fn mistakes_are_reported_at_their_line_with_what_was_expected() {
        // (replace this, with this, the error names the line holding this, and says this)
        let cases: &[(&str, &str, &str, &str)] = &[
            ("bed = 50", "bed = 120", "bed = 120", "percentage from 0 to 100; found 120"),
            ("bed = 50", "bed = -5", "bed = -5", "percentage from 0 to 100; found -5"),
            ("per_case_cap = 3000", "per_case_cap = -3000", "per_case_cap = -3000", "negative"),
            ("per_case_cap = 3000", "per_case_cap = \"3000.005\"", "per_case_cap", "more than 2 decimal places"),
            (
                "per_case_cap = 3000",
                "per_case_cap = 3000\nper_case_limit = 1",
                "per_case_limit",
                "unknown field `per_case_limit`",
            ),
            (
                "blocking_kinds = [\"temporary\"]",
                "blocking_kinds = [\"poverty\"]",
                "blocking_kinds",
                "unknown variant `poverty`",
            ),
            ("[steps.temporary]", "[steps.poverty]", "[steps.poverty]", "unknown variant `poverty`"),
            ("window_months = 12", "window_months = 0", "window_months = 0", "1 to 120 months"),
            ("window_months = 12", "window_months = \"twelve\"", "window_months", "invalid type: string"),
            ("  2026-10-07,", "  2026-10-07, 2026-10-07,", "2026-10-07, 2026-10-07", "2026-10-07 is listed twice"),
            ("2026-09-20, 2026-10-10", "2026-09-21, 2026-10-10", "2026-09-21", "make-up days are Saturdays or Sundays"),
            ("2026-09-20, 2026-10-10", "2026-10-03, 2026-10-10", "2026-10-03, 2026-10-10", "also listed as a holiday"),
            ("effective_from = 2026-01-01", "effective_from = 2026-02-30", "effective_from", "date"),
            ("version = \"builtin-2026.1\"", "version = \"  \"", "version =", "1 to 64 characters"),
            ("standard = 240", "standard = 0", "standard = 0", "above 0.00"),
            ("classes = [80, 50, 30]", "classes = []", "classes = []", "1 to 9 class amounts"),
            ("[kind_caps]", "[kind_caps]\ntemporary = 100", "temporary = 100", "kind_caps is for disaster"),
            ("justice = 5", "justice = 0", "justice = 0", "1 to 250 working days"),
            ("help = 1", "help = 1\nhelp = 2", "help = 2", "duplicate key"),
        ];
        for (old, new, at, says) in cases {
            let text = with_line(old, new);
            let err = Policy::from_toml(&text).expect_err(new);
            let want_line = line_of(&text, at);
            assert_eq!(err.line, Some(want_line), "{new:?}: {err}");
            assert!(err.column.is_some(), "{new:?}: {err}");
            assert!(err.to_string().contains(says), "{new:?}: {err}");
            assert!(err.to_string().starts_with(&format!("line {want_line}, column ")), "{err}");
        }
    }

    #[test]
    fn a_missing_kind_in_the_time_limits_is_named() {
        let text = with_line("[steps.housing]", "[unused_housing]");
        let err = Policy::from_toml(&text).unwrap_err();
        // Unknown tables are refused first, at their header.
        assert!(err.to_string().contains("unknown field `unused_housing`"), "{err}");
        let text =
            super::super::DEFAULT_POLICY_TOML.replace("[steps.housing]\naccept = 1\nreview = 14\napprove = 10\n", "");
        let err = Policy::from_toml(&text).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("steps"));
        assert!(err.message.contains("no time limits for housing"), "{err}");
    }

    #[test]
    fn dates_may_be_written_as_strings_and_positions_count_characters() {
        let text = with_line("effective_from = 2026-01-01", "effective_from = \"2027-01-01\"");
        assert_eq!(Policy::from_toml(&text).unwrap().effective_from, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(line_and_column("版本 = x\nab", 9), (1, 6));
        assert_eq!(line_and_column("a\nbc", 3), (2, 2));
    }

    #[test]
    fn not_toml_at_all_is_reported_at_its_line() {
        let err = Policy::from_toml("version = \"x\"\n[approval\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        let err = Policy::from_toml("").unwrap_err();
        assert!(err.to_string().contains("missing field `version`"), "{err}");
    }
}
