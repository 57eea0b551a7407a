//! Finished cases as a counter forwards them, made by the library's own rules
//! (received, then referred, reviewed, approved, paid and completed; or
//! rejected, or withdrawn), and people with valid ID numbers.

use chrono::{DateTime, Duration, NaiveDate};
use onedoor::domain::case::{Acceptance, Entitlement};
use onedoor::domain::id_number::check_character;
use onedoor::domain::{Case, CaseId, CaseInput, Department, IdNumber, Money, State, Transition};

/// Person number `n`: a valid ID number, different for every `n` below ten million.
pub fn person(n: u32) -> IdNumber {
    let birth = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap() + Duration::days(i64::from(n / 1000));
    let first17 = format!("320106{}{:03}", birth.format("%Y%m%d"), n % 1000);
    let check = check_character(first17.as_bytes());
    IdNumber::parse_any_date(&format!("{first17}{check}")).unwrap()
}

/// How a case ended.
#[derive(Debug, Clone, Copy)]
pub enum Ending {
    Completed,
    Rejected,
    Withdrawn,
}

/// The day cases are received on, unless a test says otherwise.
pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

/// A finished case of `town`, window 1, received on `day` as number `seq`.
pub fn finished(
    town: &str,
    day: NaiveDate,
    seq: u32,
    applicant: &IdNumber,
    members: &[IdNumber],
    ending: Ending,
) -> Case {
    let members_json: Vec<String> = members
        .iter()
        .enumerate()
        .map(|(i, m)| format!(r#"{{"name":"家人{i}","id_number":"{m}","relation":"child","monthly_income":"0"}}"#))
        .collect();
    let input = format!(
        r#"{{"kind":"temporary","applicant":{{"name":"王芳","id_number":"{applicant}","residence":"urban",
             "address":"南京市秦淮区某路1号","phone":"13800000000"}},
             "household":{{"size":{},"monthly_income":"300.00","members":[{}]}},
             "reason":"serious_illness","description":"住院费用高，家庭无力承担","requested_amount":"5000"}}"#,
        members.len() + 1,
        members_json.join(",")
    );
    let input: CaseInput = serde_json::from_str(&input).unwrap();
    let at = DateTime::parse_from_rfc3339(&format!("{}T09:12:33+08:00", day.format("%Y-%m-%d"))).unwrap();
    let mut case = Case::receive(
        input,
        Acceptance {
            id: CaseId::new(town, 1, day, seq),
            operator: "clerk01".into(),
            at,
            due_by: Some(day + Duration::days(15)),
            entitlement: Some(Entitlement {
                amount: Money::yuan(3000),
                basis: "temporary assistance cap".into(),
                flags: vec![],
            }),
            policy: None,
            related_cases: vec![],
        },
    );
    let mut step = |t: Transition, minutes: i64| case.apply(&t, "clerk01", at + Duration::minutes(minutes)).unwrap();
    match ending {
        Ending::Withdrawn => step(Transition::Withdraw { note: Some("the family found other help".into()) }, 30),
        Ending::Completed | Ending::Rejected => {
            step(Transition::Refer { department: Department::Health, due_by: day + Duration::days(3) }, 10);
            step(Transition::Review { note: Some("visited the household".into()) }, 60);
            if let Ending::Rejected = ending {
                step(Transition::Reject { reason: "income above the standard".into() }, 90);
            } else {
                step(Transition::Approve { amount: Some(Money::yuan(3000)) }, 90);
                step(Transition::Disburse, 120);
                step(Transition::Complete, 150);
            }
        }
    }
    assert!(case.state.is_closed() && matches!(case.state, State::Completed | State::Rejected | State::Withdrawn));
    case
}

/// A completed case of `town` for person `n` alone.
pub fn completed(town: &str, seq: u32, n: u32) -> Case {
    finished(town, day(), seq, &person(n), &[], Ending::Completed)
}

/// Writes finished cases into a counter's store as the window does (each
/// enters the outbox in the same commit), 500 to a commit.
pub fn write_finished(store: &onedoor::store::Store, cases: &[Case]) {
    for chunk in cases.chunks(500) {
        store
            .write::<(), std::convert::Infallible>(|tx| {
                for case in chunk {
                    tx.put_case(None, case)?;
                }
                Ok(())
            })
            .expect("the finished cases are written");
    }
}
