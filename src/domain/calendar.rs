//! Working days: weekends and public holidays are not counted, and the make-up
//! working days China sets around holidays are. Deadlines are counted on it.
//!
//! The State Council announces each year's holidays late in the year before,
//! so a policy's calendar is complete only up to a date. Beyond it the
//! fixed-date holidays (New Year's Day, Labour Day, National Day 1-3 October)
//! are still known and kept; a deadline that falls there is an estimate until
//! the district loads the new year.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The days off and make-up working days a policy lists; weekends are implied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Public holidays that fall on weekdays (or any day): not working days.
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// Saturdays or Sundays declared working days to make up for a holiday.
    #[serde(default)]
    pub makeup_workdays: BTreeSet<NaiveDate>,
    /// The last day the lists above are complete for; by default the end of
    /// the last year they mention.
    #[serde(default)]
    pub covered_until: Option<NaiveDate>,
}

/// Holidays on the same date every year, whatever the year's announcement
/// (month, day): New Year's Day, Labour Day, National Day.
pub const FIXED_HOLIDAYS: [(u32, u32); 5] = [(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)];

impl Calendar {
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.makeup_workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        if !self.covers(day) && FIXED_HOLIDAYS.contains(&(day.month(), day.day())) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The last day whose holidays and make-up days the calendar lists in
    /// full: `covered_until`, else the 31 December of the last year it names.
    /// `None`: it names no year at all.
    pub fn complete_until(&self) -> Option<NaiveDate> {
        self.covered_until.or_else(|| {
            let last = self.holidays.iter().chain(&self.makeup_workdays).map(|d| d.year()).max()?;
            NaiveDate::from_ymd_opt(last, 12, 31)
        })
    }

    /// Does the calendar list this day's year in full?
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.complete_until().is_some_and(|end| day <= end)
    }

    /// Is a deadline on `due` an estimate (its year's holidays not yet loaded)?
    pub fn is_estimate(&self, due: NaiveDate) -> bool {
        !self.covers(due)
    }

    /// The day that is `n` working days after `start` (the start itself does
    /// not count). With `n == 0`, `start` if it is a working day, else the next one.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        if n == 0 {
            while !self.is_working_day(day) {
                day = day.succ_opt().unwrap_or(day);
                if day == NaiveDate::MAX {
                    break;
                }
            }
            return day;
        }
        let mut left = n;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days strictly after `from` up to and including `to`; negative
    /// when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        let mut count = 0i64;
        let mut day = a;
        while day < b {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
            if self.is_working_day(day) {
                count += 1;
            }
        }
        sign * count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekends_are_skipped() {
        let c = Calendar::default();
        // Friday 2026-11-27 + 1 working day = Monday 2026-11-30.
        assert_eq!(c.add_working_days(d(2026, 11, 27), 1), d(2026, 11, 30));
        // Sunday 2026-11-29 + 15 working days = Friday 2026-12-18.
        assert_eq!(c.add_working_days(d(2026, 11, 29), 15), d(2026, 12, 18));
        assert_eq!(c.add_working_days(d(2026, 11, 29), 0), d(2026, 11, 30));
        assert_eq!(c.working_days_between(d(2026, 11, 27), d(2026, 11, 30)), 1);
        assert_eq!(c.working_days_between(d(2026, 11, 30), d(2026, 11, 27)), -1);
    }

    #[test]
    fn holidays_are_skipped_and_makeup_days_counted() {
        // National Day 2026 (illustrative): Oct 1-7 off, Sat Oct 10 worked.
        let mut c = Calendar::default();
        for day in 1..=7 {
            c.holidays.insert(d(2026, 10, day));
        }
        c.makeup_workdays.insert(d(2026, 10, 10));
        // Wed Sep 30 + 1 = Thu Oct 8 (Oct 1-7 are holidays).
        assert_eq!(c.add_working_days(d(2026, 9, 30), 1), d(2026, 10, 8));
        // Thu Oct 8 + 2 = Sat Oct 10 (a make-up working day).
        assert_eq!(c.add_working_days(d(2026, 10, 8), 2), d(2026, 10, 10));
        assert!(!c.is_working_day(d(2026, 10, 5)));
        assert!(c.is_working_day(d(2026, 10, 10)));
    }

    #[test]
    fn beyond_the_calendar_the_fixed_date_holidays_still_count_and_dates_are_estimates() {
        let mut c = Calendar::default();
        c.holidays.insert(d(2026, 10, 1));
        assert_eq!(c.complete_until(), Some(d(2026, 12, 31)));
        // Thu 2026-12-31 + 1 working day: Fri 2027-01-01 is New Year's Day, so Mon 01-04.
        assert_eq!(c.add_working_days(d(2026, 12, 31), 1), d(2027, 1, 4));
        assert!(!c.is_working_day(d(2027, 5, 1)) && !c.is_working_day(d(2027, 10, 1)));
        assert!(!c.is_estimate(d(2026, 12, 31)));
        assert!(c.is_estimate(d(2027, 1, 4)));
        // Within the covered year only what is listed is a holiday: 2026-05-01 was not listed here.
        assert!(c.is_working_day(d(2026, 5, 1)));
        // A district that says how far its calendar goes is taken at its word.
        c.covered_until = Some(d(2027, 6, 30));
        assert!(c.is_working_day(d(2027, 1, 1)) && !c.is_estimate(d(2027, 6, 30)) && c.is_estimate(d(2027, 7, 1)));
    }
}
