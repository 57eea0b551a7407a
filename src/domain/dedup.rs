//! Duplicate assistance: earlier help to the applicant or anyone in the household
//! that looks like the same help, whether it stops the case, and what the
//! household's history means for the entitlement (dibao received, yearly caps).

use std::fmt::Write as _;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::case::{Case, CaseId, CaseInput, Flag, State};
use super::id_number::IdNumber;
use super::kind::{Kind, Reason};
use super::money::Money;
use super::policy::Duplicates;
use super::time;

/// An earlier case found by the ID number of someone in the household, as the
/// store (or the district's assistance records) reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlierCase {
    pub id: CaseId,
    /// The ID number it was found by.
    pub id_number: IdNumber,
    pub kind: Kind,
    pub reason: Reason,
    pub state: State,
    #[serde(with = "time::day")]
    pub received: NaiveDate,
    #[serde(default)]
    pub granted: Option<Money>,
}

impl EarlierCase {
    /// Money was (or is about to be) paid on it.
    fn granted_help(&self) -> bool {
        matches!(self.state, State::Approved | State::Disbursed | State::Completed)
    }
}

/// The application being checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub kind: Kind,
    pub reason: Reason,
    pub received: NaiveDate,
    /// The applicant's and every household member's ID number.
    pub id_numbers: Vec<IdNumber>,
    /// When a stored case is checked again: its own id, so it is not its own duplicate.
    pub case_id: Option<CaseId>,
}

impl NewApplication {
    /// A case about to be received on `received`.
    pub fn for_input(input: &CaseInput, received: NaiveDate) -> NewApplication {
        let household = input.household.clone().unwrap_or_default();
        NewApplication {
            kind: input.kind,
            reason: input.reason,
            received,
            id_numbers: household.id_numbers(&input.applicant).cloned().collect(),
            case_id: None,
        }
    }

    /// A stored case, checked again.
    pub fn for_case(case: &Case) -> NewApplication {
        NewApplication {
            kind: case.kind,
            reason: case.reason,
            received: case.day(),
            id_numbers: case.id_numbers().cloned().collect(),
            case_id: Some(case.id.clone()),
        }
    }
}

/// What the household's earlier cases mean for the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateCheck {
    /// Same kind, same reason, within the policy's window, not withdrawn or rejected.
    pub possible_duplicates: Vec<EarlierCase>,
    /// The kind's duplicates stop the case until a supervisor overrides them.
    pub blocks: bool,
    /// An approved, paid or completed dibao case of anyone in the household.
    pub dibao_case: Option<CaseId>,
    /// Temporary assistance approved for the household in the calendar year of the new case.
    pub granted_this_year_to_household: Money,
}

/// A supervisor letting a possible duplicate through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorOverride {
    pub by: String,
    pub reason: String,
}

/// Why a case may not go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DuplicateRefusal {
    /// The earlier cases that look like the same help.
    #[error("{}; a supervisor must override it with a reason", describe(.0))]
    NeedsOverride(Vec<EarlierCase>),
    #[error("a supervisor's override needs the supervisor's name and a reason")]
    OverrideIncomplete,
}

/// Earlier cases in English words, ID numbers masked (for logs and `Display`).
fn describe(cases: &[EarlierCase]) -> String {
    let mut s = String::new();
    for (i, e) in cases.iter().enumerate() {
        let _ = write!(
            s,
            "{}case {} ({} {}, received {}, {}, {}{})",
            if i == 0 { "possible duplicate of " } else { "; " },
            e.id,
            e.kind,
            e.reason,
            e.received,
            e.id_number.masked(),
            e.state,
            e.granted.map_or(String::new(), |g| format!(", granted {g}")),
        );
    }
    s
}

/// Checks a new application against the household's earlier cases.
///
/// Earlier cases are counted once each however many household ID numbers found
/// them; cases of people outside the household are ignored.
pub fn check(rules: &Duplicates, new: &NewApplication, earlier: &[EarlierCase]) -> DuplicateCheck {
    let months = Months::new(rules.window_months);
    let from = new.received.checked_sub_months(months).unwrap_or(NaiveDate::MIN);
    let to = new.received.checked_add_months(months).unwrap_or(NaiveDate::MAX);
    let mut seen: Vec<&CaseId> = Vec::new();
    let mut possible_duplicates = Vec::new();
    let mut dibao_case = None;
    let mut granted = Decimal::ZERO;
    for e in earlier {
        if Some(&e.id) == new.case_id.as_ref() || seen.contains(&&e.id) || !new.id_numbers.contains(&e.id_number) {
            continue;
        }
        seen.push(&e.id);
        let same_help = e.kind == new.kind && e.reason == new.reason;
        let live = !matches!(e.state, State::Withdrawn | State::Rejected);
        if same_help && live && e.received > from && e.received < to {
            possible_duplicates.push(e.clone());
        }
        if e.kind == Kind::Dibao && e.granted_help() && dibao_case.is_none() {
            dibao_case = Some(e.id.clone());
        }
        if e.kind == Kind::Temporary && e.granted_help() && e.received.year() == new.received.year() {
            granted += e.granted.map_or(Decimal::ZERO, Money::decimal);
        }
    }
    let blocks = !possible_duplicates.is_empty() && rules.blocking_kinds.contains(&new.kind);
    DuplicateCheck { possible_duplicates, blocks, dibao_case, granted_this_year_to_household: Money::rounded(granted) }
}

impl DuplicateCheck {
    pub fn receives_dibao(&self) -> bool {
        self.dibao_case.is_some()
    }

    /// `PossibleDuplicate` and `ReceivesDibao`, as they apply.
    pub fn flags(&self) -> Vec<Flag> {
        let mut flags = Vec::new();
        if !self.possible_duplicates.is_empty() {
            flags.push(Flag::PossibleDuplicate);
        }
        if self.receives_dibao() {
            flags.push(Flag::ReceivesDibao);
        }
        flags
    }

    /// The ids to record as the case's related cases.
    pub fn related_cases(&self) -> Vec<CaseId> {
        self.possible_duplicates.iter().map(|e| e.id.clone()).collect()
    }

    /// The possible duplicates in words, ID numbers masked (for logs).
    pub fn describe(&self) -> String {
        describe(&self.possible_duplicates)
    }

    /// May the case go on? A blocking duplicate needs a supervisor's override
    /// with a name and a reason (which the caller records on the case).
    pub fn admit(&self, by_supervisor: Option<&SupervisorOverride>) -> Result<(), DuplicateRefusal> {
        if !self.blocks {
            return Ok(());
        }
        match by_supervisor {
            None => Err(DuplicateRefusal::NeedsOverride(self.possible_duplicates.clone())),
            Some(o) if o.by.trim().is_empty() || o.reason.trim().is_empty() => {
                Err(DuplicateRefusal::OverrideIncomplete)
            }
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_number::check_character;
    use crate::domain::policy::Policy;
    use std::str::FromStr;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A valid ID number from its first 17 digits.
    fn id(first17: &str) -> IdNumber {
        IdNumber::parse_any_date(&format!("{first17}{}", check_character(first17.as_bytes()))).unwrap()
    }

    fn applicant() -> IdNumber {
        id("11010519491231002")
    }

    fn spouse() -> IdNumber {
        id("11010519500101003")
    }

    fn neighbour() -> IdNumber {
        id("32010619800202004")
    }

    fn new_case(kind: Kind, reason: Reason) -> NewApplication {
        NewApplication {
            kind,
            reason,
            received: d(2026, 11, 29),
            id_numbers: vec![applicant(), spouse()],
            case_id: None,
        }
    }

    fn earlier(seq: u32, who: IdNumber, kind: Kind, reason: Reason, state: State, received: NaiveDate) -> EarlierCase {
        EarlierCase {
            id: CaseId::new("320106001", 3, received, seq),
            id_number: who,
            kind,
            reason,
            state,
            received,
            granted: Some(Money::yuan(500)),
        }
    }

    fn rules() -> Duplicates {
        Policy::builtin().duplicates
    }

    #[test]
    fn possible_duplicates_by_kind_reason_window_and_state() {
        use Kind::*;
        use Reason::*;
        use State::*;
        // (what, earlier case, is it a possible duplicate of temporary/serious_illness on 2026-11-29)
        let rows = [
            (
                "same help to a household member",
                earlier(1, spouse(), Temporary, SeriousIllness, Completed, d(2026, 5, 1)),
                true,
            ),
            (
                "same help to the applicant, still open",
                earlier(2, applicant(), Temporary, SeriousIllness, Referred, d(2026, 11, 2)),
                true,
            ),
            (
                "a day inside the 12 months",
                earlier(3, applicant(), Temporary, SeriousIllness, Completed, d(2025, 11, 30)),
                true,
            ),
            (
                "exactly 12 months before: outside",
                earlier(4, applicant(), Temporary, SeriousIllness, Completed, d(2025, 11, 29)),
                false,
            ),
            ("two years before", earlier(5, spouse(), Temporary, SeriousIllness, Completed, d(2024, 6, 1)), false),
            ("a different reason", earlier(6, spouse(), Temporary, Accident, Completed, d(2026, 5, 1)), false),
            ("a different kind", earlier(7, spouse(), Medical, SeriousIllness, Completed, d(2026, 5, 1)), false),
            ("withdrawn", earlier(8, spouse(), Temporary, SeriousIllness, Withdrawn, d(2026, 5, 1)), false),
            ("rejected", earlier(9, spouse(), Temporary, SeriousIllness, Rejected, d(2026, 5, 1)), false),
            (
                "someone outside the household",
                earlier(10, neighbour(), Temporary, SeriousIllness, Completed, d(2026, 5, 1)),
                false,
            ),
        ];
        for (what, case, duplicate) in rows {
            let c = check(&rules(), &new_case(Temporary, SeriousIllness), std::slice::from_ref(&case));
            assert_eq!(c.possible_duplicates.len(), usize::from(duplicate), "{what}");
            assert_eq!(c.blocks, duplicate, "{what}: temporary assistance blocks");
            assert_eq!(c.flags().contains(&Flag::PossibleDuplicate), duplicate, "{what}");
            if duplicate {
                assert_eq!(c.related_cases(), vec![case.id.clone()], "{what}");
            }
        }
    }

    #[test]
    fn a_temporary_duplicate_blocks_until_a_supervisor_overrides_with_a_reason() {
        let e = earlier(1, spouse(), Kind::Temporary, Reason::SeriousIllness, State::Completed, d(2026, 5, 1));
        let c = check(&rules(), &new_case(Kind::Temporary, Reason::SeriousIllness), &[e]);
        let err = c.admit(None).unwrap_err().to_string();
        assert!(err.contains("possible duplicate of case 320106001-03-20260501-0001"), "{err}");
        assert!(err.contains("110105********003"), "the ID number is masked: {err}");
        assert!(err.contains("granted 500.00"), "{err}");
        assert!(err.contains("a supervisor must override it with a reason"), "{err}");
        let blank = SupervisorOverride { by: "head01".into(), reason: "  ".into() };
        assert_eq!(c.admit(Some(&blank)), Err(DuplicateRefusal::OverrideIncomplete));
        let ok = SupervisorOverride { by: "head01".into(), reason: "second illness, new diagnosis".into() };
        assert_eq!(c.admit(Some(&ok)), Ok(()));
    }

    #[test]
    fn a_medical_duplicate_is_flagged_but_does_not_block() {
        let e = earlier(1, applicant(), Kind::Medical, Reason::SeriousIllness, State::Completed, d(2026, 5, 1));
        let c = check(&rules(), &new_case(Kind::Medical, Reason::SeriousIllness), &[e]);
        assert_eq!(c.flags(), vec![Flag::PossibleDuplicate]);
        assert!(!c.blocks);
        assert_eq!(c.admit(None), Ok(()));
    }

    #[test]
    fn dibao_granted_to_anyone_in_the_household_is_seen() {
        // (state of the spouse's dibao case, does the household receive dibao)
        let rows = [
            (State::Approved, true),
            (State::Disbursed, true),
            (State::Completed, true),
            (State::UnderReview, false),
            (State::Rejected, false),
            (State::Withdrawn, false),
        ];
        for (state, receives) in rows {
            let e = earlier(1, spouse(), Kind::Dibao, Reason::OldAge, state, d(2024, 3, 1));
            let c = check(&rules(), &new_case(Kind::Medical, Reason::SeriousIllness), &[e]);
            assert_eq!(c.receives_dibao(), receives, "{state}");
            assert_eq!(c.flags().contains(&Flag::ReceivesDibao), receives, "{state}");
            assert!(c.possible_duplicates.is_empty(), "{state}: dibao is not a duplicate of medical help");
        }
    }

    #[test]
    fn temporary_help_granted_this_year_is_added_up_once_per_case() {
        use Kind::*;
        use Reason::*;
        use State::*;
        let mut twice = earlier(1, applicant(), Temporary, Accident, Completed, d(2026, 3, 1));
        twice.granted = Some(Money::from_str("300.50").unwrap());
        let mut same_case_via_spouse = twice.clone();
        same_case_via_spouse.id_number = spouse();
        let mut approved = earlier(2, spouse(), Temporary, Unemployment, Approved, d(2026, 10, 1));
        approved.granted = Some(Money::yuan(200));
        let cases = [
            twice,
            same_case_via_spouse,
            approved,
            earlier(3, spouse(), Temporary, Accident, Completed, d(2025, 12, 31)), // last year
            earlier(4, spouse(), Temporary, Accident, Withdrawn, d(2026, 4, 1)),   // never paid
            earlier(5, spouse(), Temporary, Accident, UnderReview, d(2026, 4, 1)), // not yet granted
            earlier(6, spouse(), Medical, Accident, Completed, d(2026, 4, 1)),     // another kind
            earlier(7, neighbour(), Temporary, Accident, Completed, d(2026, 4, 1)), // not the household
        ];
        let c = check(&rules(), &new_case(Temporary, SeriousIllness), &cases);
        assert_eq!(c.granted_this_year_to_household.to_string(), "500.50");
    }

    #[test]
    fn a_stored_case_checked_again_is_not_its_own_duplicate() {
        let e = earlier(7, applicant(), Kind::Temporary, Reason::SeriousIllness, State::Approved, d(2026, 11, 29));
        let mut new = new_case(Kind::Temporary, Reason::SeriousIllness);
        new.case_id = Some(e.id.clone());
        let c = check(&rules(), &new, std::slice::from_ref(&e));
        assert!(c.possible_duplicates.is_empty());
        assert!(c.granted_this_year_to_household.is_zero(), "its own grant is not earlier help");
    }

    #[test]
    fn the_whole_household_is_checked_from_the_case_input() {
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kind": "temporary",
            "applicant": {"name": "王芳", "id_number": applicant().as_str(), "residence": "urban"},
            "household": {"size": 2, "monthly_income": "300", "members": [
                {"name": "李强", "id_number": spouse().as_str(), "relation": "spouse"}]},
            "reason": "serious_illness",
            "requested_amount": "1000"
        }))
        .unwrap();
        let new = NewApplication::for_input(&input, d(2026, 11, 29));
        assert_eq!(new.id_numbers, vec![applicant(), spouse()]);
        let e = earlier(1, spouse(), Kind::Temporary, Reason::SeriousIllness, State::Completed, d(2026, 5, 1));
        assert!(check(&rules(), &new, &[e]).blocks);
    }

    #[test]
    fn earlier_cases_travel_as_json_and_in_the_store() {
        let e = earlier(1, spouse(), Kind::Temporary, Reason::Accident, State::Completed, d(2026, 5, 1));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["received"], "2026-05-01");
        assert_eq!(json["granted"], "500.00");
        assert_eq!(serde_json::from_value::<EarlierCase>(json).unwrap(), e);
        let cfg = bincode::config::standard();
        let bin = bincode::serde::encode_to_vec(&e, cfg).unwrap();
        let (back, _): (EarlierCase, usize) = bincode::serde::decode_from_slice(&bin, cfg).unwrap();
        assert_eq!(back, e);
    }
}
