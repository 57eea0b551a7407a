//! The supervisor's view of the window's day, beside the daily report's
//! figures (`report.rs`): cases and amounts by kind, each clerk's workload and
//! average service time (ticket called to case saved), arrivals per hour, and
//! which cases wait for a supervisor's approval. Pure: the caller brings
//! today's cases, when each ticket was called, and the window's judgement.

use std::collections::BTreeMap;

use chrono::{Duration, Timelike};

use super::case::Case;
use super::kind::Kind;
use super::money::Money;
use super::report::sum;
use super::time::Moment;

/// Cases of one kind received that day, and their amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindFigures {
    pub kind: Kind,
    pub cases: u32,
    pub requested: Money,
    /// Approved (paid, once paid).
    pub granted: Money,
}

/// Every kind, zeros too, in the order of [`Kind::ALL`].
pub fn by_kind(cases: &[Case]) -> Vec<KindFigures> {
    Kind::ALL
        .iter()
        .map(|kind| {
            let of: Vec<&Case> = cases.iter().filter(|c| c.kind == *kind).collect();
            KindFigures {
                kind: *kind,
                cases: of.len() as u32,
                requested: sum(of.iter().map(|c| c.requested_amount)),
                granted: sum(of.iter().filter_map(|c| c.granted_amount)),
            }
        })
        .collect()
}

/// One clerk's day: the cases they accepted, and how long serving a called
/// ticket took on average (from the call to the saved case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClerkLoad {
    pub operator: String,
    pub cases: u32,
    /// Cases whose ticket's call is known (the average is over these).
    pub timed: u32,
    pub average_service: Option<Duration>,
}

/// Each operator who accepted a case that day, by name. `called` says when a
/// ticket of that day was called (`None`: a case without a ticket, or a call
/// not recorded); a call after the case was saved is not a service time.
pub fn clerk_loads(cases: &[Case], called: &dyn Fn(u32) -> Option<Moment>) -> Vec<ClerkLoad> {
    let mut by: BTreeMap<&str, (u32, Vec<Duration>)> = BTreeMap::new();
    for c in cases {
        let entry = by.entry(c.operator.as_str()).or_default();
        entry.0 += 1;
        let served = c.ticket.and_then(called).map(|at| c.received_at.signed_duration_since(at));
        if let Some(d) = served.filter(|d| *d >= Duration::zero()) {
            entry.1.push(d);
        }
    }
    by.into_iter()
        .map(|(operator, (cases, times))| ClerkLoad {
            operator: operator.to_string(),
            cases,
            timed: times.len() as u32,
            average_service: (!times.is_empty()).then(|| times.iter().copied().sum::<Duration>() / times.len() as i32),
        })
        .collect()
}

/// Cases received in each hour of the day (the centre's hours, 0 to 23).
pub fn arrivals_per_hour(cases: &[Case]) -> [u64; 24] {
    let mut hours = [0u64; 24];
    for c in cases {
        hours[c.received_at.hour() as usize % 24] += 1;
    }
    hours
}

/// The hours worth drawing: from the first hour with an arrival (08:00 at
/// the latest) to the last (17:00 at the earliest), so an office day shows whole.
pub fn office_hours(hours: &[u64; 24]) -> std::ops::RangeInclusive<usize> {
    let first = hours.iter().position(|n| *n > 0).unwrap_or(8).min(8);
    let last = hours.iter().rposition(|n| *n > 0).unwrap_or(17).max(17);
    first..=last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{Acceptance, CaseInput};
    use chrono::DateTime;

    fn at(hm: &str) -> Moment {
        DateTime::parse_from_rfc3339(&format!("2026-11-30T{hm}:00+08:00")).unwrap()
    }

    fn case(kind: &str, by: &str, ticket: Option<u32>, saved: &str, amount: &str) -> Case {
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kind": kind,
            "applicant": {"name": "王芳", "id_number": "11010519491231002X", "residence": "urban"},
            "reason": "serious_illness",
            "requested_amount": amount,
            "ticket": ticket,
        }))
        .unwrap();
        let acceptance = Acceptance {
            id: "320106001-01-20261130-0001".parse().unwrap(),
            operator: by.into(),
            at: at(saved),
            due_by: None,
            entitlement: None,
            policy: None,
            related_cases: Vec::new(),
        };
        Case::receive(input, acceptance)
    }

    #[test]
    fn each_clerk_has_their_cases_and_the_average_from_call_to_saved() {
        let cases = [
            case("temporary", "clerk01", Some(1), "09:10", "100"),
            case("medical", "clerk01", Some(2), "09:30", "100"),
            case("dibao", "clerk02", None, "10:00", "100"),
        ];
        let calls = |t: u32| match t {
            1 => Some(at("09:00")),
            2 => Some(at("09:10")),
            _ => None,
        };
        let loads = clerk_loads(&cases, &calls);
        assert_eq!(loads.len(), 2);
        assert_eq!((loads[0].operator.as_str(), loads[0].cases, loads[0].timed), ("clerk01", 2, 2));
        assert_eq!(loads[0].average_service, Some(Duration::minutes(15)));
        assert_eq!((loads[1].cases, loads[1].average_service), (1, None));
    }

    #[test]
    fn kinds_and_hours_count_every_case() {
        let cases = [
            case("temporary", "a", None, "09:10", "100"),
            case("temporary", "a", None, "09:50", "250.50"),
            case("medical", "a", None, "14:00", "100"),
        ];
        let kinds = by_kind(&cases);
        assert_eq!(kinds.len(), Kind::ALL.len());
        let temporary = kinds.iter().find(|k| k.kind == Kind::Temporary).unwrap();
        assert_eq!((temporary.cases, temporary.requested), (2, "350.50".parse().unwrap()));
        let hours = arrivals_per_hour(&cases);
        assert_eq!((hours[9], hours[14], hours[10]), (2, 1, 0));
        assert_eq!(office_hours(&hours), 8..=17);
    }
}
