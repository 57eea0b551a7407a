use super::*;
use chrono::{FixedOffset, TimeZone};
use proptest::prelude::*;

fn at(h: u32) -> Moment {
    FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, h, 0, 0).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

pub(crate) fn input(channel: Channel) -> CaseInput {
    serde_json::from_value(serde_json::json!({
        "kind": "temporary",
        "channel": channel.code(),
        "applicant": {"name": "王芳", "id_number": "11010519491231002X", "residence": "urban"},
        "reason": "serious_illness",
        "requested_amount": "5000",
        "documents": ["id_card"]
    }))
    .unwrap()
}

fn case(channel: Channel) -> Case {
    let id = CaseId::new("320106001", 3, NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(), 7);
    Case::receive(
        input(channel),
        Acceptance {
            id,
            operator: "clerk01".into(),
            at: at(9),
            due_by: Some(day(18)),
            entitlement: None,
            policy: None,
            related_cases: vec![],
        },
    )
}

#[test]
fn case_id_has_the_agreed_shape() {
    let id = CaseId::new("320106001", 3, NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(), 7);
    assert_eq!(id.as_str(), "320106001-03-20261129-0007");
    assert_eq!(id.window(), 3);
    assert_eq!(id.seq(), 7);
    assert_eq!(id.day(), NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
    assert_eq!("320106001-03-20261129-0007".parse::<CaseId>().unwrap(), id);
    for bad in ["", "320106001-3-20261129-0007", "320106001-03-20261329-0007", "a-03-20261129-0007", "1-03-20261129-7"]
    {
        assert!(bad.parse::<CaseId>().is_err(), "{bad}");
    }
    // One spelling per case, however it was typed; a day that is no day is refused.
    for (typed, id) in [
        (" 320106001-03-20261129-00007 ", "320106001-03-20261129-0007"),
        ("1-09-20240229-012345", "1-09-20240229-12345"),
        ("1-09-20240229-12345", "1-09-20240229-12345"),
        ("1-09-20241231-0000", "1-09-20241231-0000"),
    ] {
        assert_eq!(typed.parse::<CaseId>().unwrap().as_str(), id, "{typed}");
    }
    for bad in ["1-09-20230229-0001", "1-09-20241200-0001", "1-09-2024123-10001"] {
        assert!(bad.parse::<CaseId>().is_err(), "{bad}");
    }
}

#[test]
fn receiving_derives_sex_birth_and_the_checklist() {
    let c = case(Channel::Normal);
    assert_eq!(c.state, State::Received);
    assert_eq!(c.applicant.sex, Some(crate::domain::Sex::Female));
    assert_eq!(c.documents.len(), Kind::Temporary.documents().len());
    let owed: Vec<_> = c.documents_owed().collect();
    assert!(!owed.contains(&Document::IdCard));
    assert!(owed.contains(&Document::IncomeProof));
    assert_eq!(c.history.len(), 1);
}

#[test]
fn the_normal_path_is_recorded_step_by_step() {
    let mut c = case(Channel::Normal);
    c.apply(&Transition::Refer { department: Department::CivilAffairs, due_by: day(10) }, "clerk01", at(10)).unwrap();
    c.apply(&Transition::Review { note: Some("household visited".into()) }, "civil01", at(11)).unwrap();
    assert!(c.referrals[0].handled_at.is_some());
    c.apply(&Transition::Approve { amount: Some(Money::yuan(3000)) }, "super01", at(12)).unwrap();
    c.apply(&Transition::Disburse, "clerk01", at(13)).unwrap();
    c.apply(&Transition::Complete, "clerk01", at(14)).unwrap();
    assert_eq!(c.state, State::Completed);
    assert_eq!(c.granted_amount, Some(Money::yuan(3000)));
    let actions: Vec<_> = c.history.iter().map(|h| h.action).collect();
    use HistoryAction::*;
    assert_eq!(actions, [Received, Referred, Reviewed, Approved, Disbursed, Completed]);
    assert_eq!(c.history[2].by, "civil01");
}

#[test]
fn illegal_transitions_change_nothing_and_say_why() {
    let mut c = case(Channel::Normal);
    let before = c.clone();
    let err = c.apply(&Transition::Approve { amount: None }, "clerk01", at(10)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot approve a case that is received: a case is approved only after the department's review"
    );
    assert_eq!(c, before);
    c.apply(&Transition::Withdraw { note: None }, "clerk01", at(10)).unwrap();
    let err = c.apply(&Transition::Withdraw { note: None }, "clerk01", at(11)).unwrap_err();
    assert_eq!(err.why, NotNow::Closed);
}

#[test]
fn green_channel_helps_first_and_is_reviewed_before_completion() {
    let mut c = case(Channel::Green);
    assert!(c.apply(&Transition::Refer { department: Department::Health, due_by: day(4) }, "clerk01", at(9)).is_ok());
    assert_eq!(c.state, State::Received, "referring a green case does not hold up the help");
    c.apply(&Transition::Approve { amount: None }, "clerk01", at(10)).unwrap();
    assert_eq!(c.granted_amount, Some(Money::yuan(5000)));
    c.apply(&Transition::Disburse, "clerk01", at(11)).unwrap();
    let err = c.apply(&Transition::Complete, "clerk01", at(12)).unwrap_err();
    assert_eq!(err.why, NotNow::GreenNeedsReviewFirst);
    c.apply(&Transition::Review { note: Some("confirmed by hospital".into()) }, "health01", at(13)).unwrap();
    assert!(c.post_reviewed());
    assert!(c.apply(&Transition::Review { note: None }, "health01", at(13)).is_err());
    c.apply(&Transition::Complete, "clerk01", at(14)).unwrap();
    assert_eq!(c.state, State::Completed);
}

#[test]
fn input_validation_names_the_field() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let mut i = input(Channel::Normal);
    i.applicant.name = "  ".into();
    assert_eq!(i.validate(today).unwrap_err().field, InputField::ApplicantName);
    let mut i = input(Channel::Normal);
    i.household = Some(Household {
        size: 1,
        monthly_income: Money::ZERO,
        members: vec![Member {
            name: "李四".into(),
            id_number: IdNumber::parse_any_date("110101199003070011").unwrap(),
            relation: "son".into(),
            monthly_income: Money::ZERO,
        }],
    });
    assert_eq!(i.validate(today).unwrap_err().field, InputField::HouseholdSize);
    assert!(input(Channel::Normal).validate(today).is_ok());
}

#[test]
fn json_round_trips_and_carries_the_schema() {
    let c = case(Channel::Normal);
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["schema"], "onedoor.case/1");
    assert_eq!(json["source"]["type"], "walk_in");
    assert_eq!(json["received_at"], "2026-11-29T09:00:00+08:00");
    assert_eq!(json["due_by"], "2026-12-18");
    assert_eq!(json["requested_amount"], "5000.00");
    let back: Case = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
}

#[derive(Debug, Clone)]
enum Step {
    Refer,
    Review,
    Approve,
    Reject,
    Disburse,
    Complete,
    Withdraw,
}

fn transition(s: &Step) -> Transition {
    match s {
        Step::Refer => Transition::Refer { department: Department::CivilAffairs, due_by: day(10) },
        Step::Review => Transition::Review { note: None },
        Step::Approve => Transition::Approve { amount: None },
        Step::Reject => Transition::Reject { reason: "income above the standard".into() },
        Step::Disburse => Transition::Disburse,
        Step::Complete => Transition::Complete,
        Step::Withdraw => Transition::Withdraw { note: None },
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Refer),
        Just(Step::Review),
        Just(Step::Approve),
        Just(Step::Reject),
        Just(Step::Disburse),
        Just(Step::Complete),
        Just(Step::Withdraw),
    ]
}

proptest! {
    /// No sequence of actions reaches an illegal state: every state is reachable
    /// only the legal way, closed cases never change, money is set before it is paid,
    /// and every accepted action is in the history.
    #[test]
    fn no_sequence_of_actions_reaches_an_illegal_state(green in any::<bool>(), steps in proptest::collection::vec(step(), 0..20)) {
        let mut c = case(if green { Channel::Green } else { Channel::Normal });
        let mut applied = 1;
        for s in &steps {
            let before = c.clone();
            match c.apply(&transition(s), "op", at(10)) {
                Ok(()) => {
                    applied += 1;
                    prop_assert!(!before.state.is_closed(), "a closed case moved");
                }
                Err(_) => prop_assert_eq!(&c, &before),
            }
            prop_assert_eq!(c.history.len(), applied);
            if green {
                prop_assert!(!matches!(c.state, State::Referred | State::UnderReview | State::Rejected));
            }
            if matches!(c.state, State::Approved | State::Disbursed | State::Completed) {
                prop_assert!(c.granted_amount.is_some());
            }
            if green && c.state == State::Completed {
                prop_assert!(c.post_reviewed());
            }
            if !green && c.state == State::UnderReview {
                prop_assert!(c.history.iter().any(|h| h.action == HistoryAction::Referred));
            }
        }
    }
}

#[test]
fn a_flags_code_is_its_json_name() {
    use Flag::*;
    for flag in [Capped, Ineligible, FullStandard, PossibleDuplicate, ReceivesDibao, ReserveFund, YearlyCapReached] {
        assert_eq!(serde_json::to_value(flag).unwrap(), flag.code());
    }
}
