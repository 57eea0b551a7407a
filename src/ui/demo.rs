//! The counter's store for `onedoor demo`, training and the counter bench:
//! sample applications (`crate::sample`) accepted and moved along through the
//! window, a few on the green channel and a few overdue from earlier weeks;
//! or many cases loaded at once for the bench.

use chrono::{Duration, NaiveDate, NaiveTime};

use crate::config::CounterConfig;
use crate::domain::case::Acceptance;
use crate::domain::time::Moment;
use crate::domain::{Case, CaseId, Channel, Money};
use crate::sample::Sampler;
use crate::store::{Store, StoreError, WriteError};
use crate::window::{CaseAction, Window, WindowError};

/// Moves a case along so that the queue shows every state.
fn advance(window: &Window, case: &Case, dice: &mut Sampler, op: &str, at: Moment) -> Result<(), WindowError> {
    let approve = CaseAction::ApproveAsSupervisor(None);
    let steps: Vec<CaseAction> = match case.channel {
        Channel::Green => match dice.below(4) {
            0 => vec![],
            1 => vec![approve.clone()],
            2 => vec![approve.clone(), CaseAction::Disburse],
            _ => vec![
                approve.clone(),
                CaseAction::Disburse,
                CaseAction::Review(Some("事后审核：情况属实".into())),
                CaseAction::Complete,
            ],
        },
        Channel::Normal => {
            let refer = CaseAction::Refer(None);
            let review = CaseAction::Review(Some("入户核查属实".into()));
            match dice.below(20) {
                0..=7 => vec![],
                8..=11 => vec![refer],
                12..=14 => vec![refer, review],
                15 | 16 => vec![refer, review, approve.clone()],
                17 => vec![refer, review, CaseAction::Reject("家庭收入高于标准".into())],
                18 => vec![refer, review, approve.clone(), CaseAction::Disburse],
                _ => vec![refer, review, approve.clone(), CaseAction::Disburse, CaseAction::Complete],
            }
        }
    };
    // Four eyes: the after-the-fact review of a green case is not by who paid it.
    let reviewer = if op == "clerk01" { "clerk02" } else { "clerk01" };
    for step in steps {
        if step == CaseAction::Disburse {
            window.pay(&case.id, None, None, op, at)?;
        } else if case.channel == Channel::Green && matches!(step, CaseAction::Review(_)) {
            window.act(&case.id, &step, reviewer, at)?;
        } else {
            window.act(&case.id, &step, op, at)?;
        }
    }
    Ok(())
}

/// Seeds about `today_cases` cases received today (with tickets, through the
/// window, one durable commit each) and a few open cases from weeks ago that
/// are now overdue. Does nothing when today already has cases.
pub fn seed_demo(
    store: &Store,
    counter: &CounterConfig,
    now: Moment,
    today_cases: usize,
) -> Result<usize, WindowError> {
    let today = now.date_naive();
    if !store.cases_on_day(today)?.is_empty() {
        return Ok(0);
    }
    let window = Window::new(store, counter);
    let mut dice = Sampler::new(20261130);
    let start = today
        .and_time(NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default())
        .and_local_timezone(*now.offset())
        .single()
        .unwrap_or(now);
    let ops = ["clerk01", "clerk02"];
    let mut added = 0;
    // The year's appropriation to the emergency relief reserve fund.
    let budget =
        crate::domain::fund::FundEntry::appropriation(start - Duration::days(40), "supervisor", Money::yuan(500_000));
    window.fund_deposit(budget)?;
    // Overdue: open cases received five weeks ago.
    for i in 0..4 {
        let at = start - Duration::days(35 + i);
        let person = dice.below(1_000_000);
        let input = dice.input(person, None);
        let case = window.accept(input, ops[0], at)?;
        if i % 2 == 0 {
            window.act(&case.id, &CaseAction::Refer(None), ops[0], at)?;
        }
        added += 1;
    }
    for i in 0..today_cases {
        let at = start + Duration::minutes(6 * i as i64);
        let ticket = store.next_ticket(today)?;
        let person = dice.below(1_000_000);
        let mut input = dice.input(person, Some(ticket));
        if i % 11 == 3 {
            input.channel = Channel::Green;
        }
        let op = ops[i % 2];
        let case = window.accept(input, op, at)?;
        advance(&window, &case, &mut dice, op, at + Duration::minutes(3))?;
        added += 1;
    }
    Ok(added)
}

/// Seeds `n` cases fast for benchmarks: built in memory and written with
/// [`Store::import`] in chunks (one durable commit per chunk), spread over
/// days before `today` with `per_day` cases each, plus `per_day` on `today`.
pub fn seed_bulk(
    store: &Store,
    counter: &CounterConfig,
    today: NaiveDate,
    n: usize,
    per_day: usize,
) -> Result<(), WriteError<std::convert::Infallible>> {
    let mut dice = Sampler::new(n as u64);
    let per_day = per_day.max(1);
    let offset = crate::config::china_offset();
    let mut chunk: Vec<Case> = Vec::with_capacity(1000);
    for i in 0..n {
        let day_index = i / per_day;
        let day = today - Duration::days(day_index as i64);
        let seq = (i % per_day) as u32 + 1;
        let id = CaseId::new(&counter.town_code, counter.window, day, seq);
        let at = day
            .and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default())
            .and_local_timezone(offset)
            .single()
            .map(|m| m + Duration::seconds(20 * i64::from(seq)))
            .ok_or_else(|| WriteError::Store(StoreError::Failed("bad time".into())))?;
        let input = dice.input(i as u64, Some(seq));
        chunk.push(Case::receive(
            input,
            Acceptance {
                id,
                operator: "bench".into(),
                at,
                due_by: Some(day + Duration::days(21)),
                entitlement: None,
                policy: None,
                related_cases: Vec::new(),
            },
        ));
        if chunk.len() == 1000 || i + 1 == n {
            store.bulk_load(&std::mem::take(&mut chunk))?;
        }
    }
    Ok(())
}
