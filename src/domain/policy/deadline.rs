//! Time limits in working days: when a case, a referral and the green channel's
//! help and review are due, and whether a deadline is on track, at risk or breached.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Policy;
use crate::domain::calendar::Calendar;
use crate::domain::kind::{Channel, Department, Kind};

/// How a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// More than one working day left.
    OnTrack,
    /// One working day left or less, and not past.
    AtRisk,
    /// The due day has passed.
    Breached,
}

impl DeadlineStatus {
    pub fn code(self) -> &'static str {
        match self {
            DeadlineStatus::OnTrack => "on_track",
            DeadlineStatus::AtRisk => "at_risk",
            DeadlineStatus::Breached => "breached",
        }
    }
}

/// How the deadline `due` stands on `today`, counting working days on `calendar`.
pub fn deadline_status(calendar: &Calendar, due: NaiveDate, today: NaiveDate) -> DeadlineStatus {
    if today > due {
        DeadlineStatus::Breached
    } else if calendar.working_days_between(today, due) <= 1 {
        DeadlineStatus::AtRisk
    } else {
        DeadlineStatus::OnTrack
    }
}

impl Policy {
    /// The promised completion date of a case, printed on the receipt: on the
    /// normal channel accept + review + approve working days after it was
    /// received; on the green channel the day its review is due.
    pub fn due_by(&self, kind: Kind, channel: Channel, received: NaiveDate) -> NaiveDate {
        match channel {
            Channel::Normal => self.calendar.add_working_days(received, self.steps_for(kind).total()),
            Channel::Green => self.green_review_by(received),
        }
    }

    /// Green channel: the day help must have been given.
    pub fn green_help_by(&self, received: NaiveDate) -> NaiveDate {
        self.calendar.add_working_days(received, self.green_channel.help)
    }

    /// Green channel: the day the after-the-fact review must be completed.
    pub fn green_review_by(&self, received: NaiveDate) -> NaiveDate {
        self.calendar.add_working_days(self.green_help_by(received), self.green_channel.review)
    }

    /// When a department must answer a referral: its own limit if the policy
    /// sets one, otherwise the review step of the case's kind.
    pub fn referral_due(&self, kind: Kind, department: Department, referred: NaiveDate) -> NaiveDate {
        let days = self.referral_limits.get(&department).copied().unwrap_or(self.steps_for(kind).review);
        self.calendar.add_working_days(referred, days)
    }

    /// How a deadline stands on `today` on this policy's calendar.
    pub fn deadline_status(&self, due: NaiveDate, today: NaiveDate) -> DeadlineStatus {
        deadline_status(&self.calendar, due, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::ALTERNATIVE_POLICY_TOML;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn whole_case_limits_skip_holidays_and_count_makeup_days() {
        let p = Policy::builtin();
        let plain = Policy { calendar: Calendar::default(), ..p.clone() };
        // (kind, received, due on the 2026 calendar, due with weekends and the fixed-date holidays only)
        let rows = [
            // Sunday: the DESIGN.md example case, no holiday in between.
            (Kind::Temporary, d(2026, 11, 29), d(2026, 12, 18), d(2026, 12, 18)),
            // Across National Day: Oct 1-7 off, Saturday Oct 10 worked.
            (Kind::Temporary, d(2026, 9, 30), d(2026, 10, 27), d(2026, 10, 23)),
            // Across the Spring Festival: Feb 15-23 off, Saturday Feb 28 worked.
            (Kind::Medical, d(2026, 2, 13), d(2026, 3, 12), d(2026, 3, 6)),
            (Kind::Dibao, d(2026, 3, 2), d(2026, 4, 14), d(2026, 4, 13)),
            (Kind::Disaster, d(2026, 4, 30), d(2026, 5, 18), d(2026, 5, 15)),
        ];
        for (kind, received, due, due_plain) in rows {
            assert_eq!(p.due_by(kind, Channel::Normal, received), due, "{kind} received {received}");
            assert_eq!(plain.due_by(kind, Channel::Normal, received), due_plain, "{kind} received {received}");
        }
        assert_eq!(p.steps_for(Kind::Temporary).total(), 15);
    }

    #[test]
    fn the_green_channel_helps_within_a_day_and_reviews_within_five_after() {
        let p = Policy::builtin();
        // (received, help by, review by = case due)
        let rows = [
            // Friday before the Spring Festival: Saturday Feb 14 is a working day.
            (d(2026, 2, 13), d(2026, 2, 14), d(2026, 2, 28)),
            // New Year's Eve: Jan 1-3 off, Sunday Jan 4 worked.
            (d(2025, 12, 31), d(2026, 1, 4), d(2026, 1, 9)),
            // An ordinary Tuesday.
            (d(2026, 11, 24), d(2026, 11, 25), d(2026, 12, 2)),
        ];
        for (received, help, review) in rows {
            assert_eq!(p.green_help_by(received), help, "received {received}");
            assert_eq!(p.green_review_by(received), review, "received {received}");
            assert_eq!(p.due_by(Kind::Medical, Channel::Green, received), review, "received {received}");
        }
    }

    #[test]
    fn referrals_are_due_by_the_department_limit_or_the_review_step() {
        let p = Policy::builtin();
        let alt = Policy::from_toml(ALTERNATIVE_POLICY_TOML).unwrap();
        let referred = d(2026, 4, 30); // Thursday before Labour Day (May 1-5 off, Saturday May 9 worked)
                                       // (policy, kind, department, due)
        let rows = [
            (&p, Kind::Medical, Department::Health, d(2026, 5, 15)), // review step 9
            (&p, Kind::Temporary, Department::Justice, d(2026, 5, 11)), // justice: 5
            (&p, Kind::Disaster, Department::EmergencyManagement, d(2026, 5, 9)), // review step 4
            (&alt, Kind::Medical, Department::Health, d(2026, 5, 8)), // health: 3 in this district
        ];
        for (policy, kind, dept, due) in rows {
            assert_eq!(policy.referral_due(kind, dept, referred), due, "{} {kind} -> {dept}", policy.version);
        }
        assert_eq!(p.department_for(Kind::Disaster), Department::EmergencyManagement);
        assert_eq!(alt.department_for(Kind::Disaster), Department::CivilAffairs);
        for kind in Kind::ALL {
            assert_eq!(p.department_for(*kind), kind.usual_department());
        }
    }

    #[test]
    fn a_deadline_is_at_risk_with_one_working_day_left() {
        let cal = Policy::builtin().calendar;
        let due = d(2026, 10, 8); // Thursday after National Day
                                  // (today, status)
        let rows = [
            (d(2026, 9, 28), DeadlineStatus::OnTrack), // Mon: Sep 29, 30, Oct 8 left
            (d(2026, 9, 29), DeadlineStatus::OnTrack), // Sep 30 and Oct 8 left
            (d(2026, 9, 30), DeadlineStatus::AtRisk),  // eight days away, but one working day
            (d(2026, 10, 4), DeadlineStatus::AtRisk),
            (d(2026, 10, 8), DeadlineStatus::AtRisk),   // due today
            (d(2026, 10, 9), DeadlineStatus::Breached), // a day late
            (d(2027, 1, 1), DeadlineStatus::Breached),
        ];
        for (today, status) in rows {
            assert_eq!(deadline_status(&cal, due, today), status, "today {today}");
        }
        // Friday with the deadline on Monday: one working day left.
        assert_eq!(deadline_status(&cal, d(2026, 11, 30), d(2026, 11, 27)), DeadlineStatus::AtRisk);
        assert_eq!(deadline_status(&cal, d(2026, 12, 1), d(2026, 11, 27)), DeadlineStatus::OnTrack);
        assert_eq!(serde_json::to_string(&DeadlineStatus::AtRisk).unwrap(), "\"at_risk\"");
        assert_eq!(DeadlineStatus::Breached.code(), "breached");
    }
}
