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
use crate::store::{sequence_key, ticket_key, Store, StoreError, WriteError};
use crate::window::{CaseAction, Window, WindowError};

/// Moves a case along so that the queue shows every state.
/// `op` is the clerk, `supervisor` who approves.
fn advance(
    window: &Window,
    case: &Case,
    dice: &mut Sampler,
    op: &str,
    supervisor: &str,
    at: Moment,
) -> Result<(), WindowError> {
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
    // Nothing to grant (the policy's entitlement is zero): rejected, with the reason.
    let nothing = case.entitlement.as_ref().is_some_and(|e| e.amount.is_zero());
    // Four eyes: the after-the-fact review of a green case is not by who paid it.
    let reviewer = if op == "clerk01" { "clerk02" } else { "clerk01" };
    for step in steps {
        if nothing && matches!(step, CaseAction::ApproveAsSupervisor(_)) {
            // (A green case is not rejected before it is reviewed: it stays received.)
            if case.channel == Channel::Normal {
                window.act(&case.id, &CaseAction::Reject("按政策核算救助金额为零".into()), op, at)?;
            }
            break;
        }
        if step == CaseAction::Disburse {
            window.pay(&case.id, None, None, op, at)?;
        } else if matches!(step, CaseAction::ApproveAsSupervisor(_)) {
            window.act(&case.id, &step, supervisor, at)?;
        } else if case.channel == Channel::Green && matches!(step, CaseAction::Review(_)) {
            window.act(&case.id, &step, reviewer, at)?;
        } else {
            window.act(&case.id, &step, op, at)?;
        }
    }
    Ok(())
}

/// Seeds about `today_cases` cases received today (with tickets) and a few
/// open cases from weeks ago that are now overdue, all or nothing: they are
/// made through the window in a scratch store beside `store`, then written
/// into `store` in ONE durable commit (the cases, the fund's entries, the
/// day's tickets). Does nothing when today already has cases.
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
    let parent = store.dir().parent().unwrap_or(store.dir());
    let scratch_dir = parent.join(format!(".demo-seed-{}", std::process::id()));
    let failed = |e: std::io::Error| WindowError::Store(StoreError::Failed(format!("{}: {e}", scratch_dir.display())));
    if scratch_dir.exists() {
        std::fs::remove_dir_all(&scratch_dir).map_err(failed)?;
    }
    crate::private_file::create_dir(&scratch_dir).map_err(failed)?;
    let seeded = seed_through(store, &scratch_dir, counter, now, today_cases);
    // The scratch store is closed inside `seed_through`; its files go whatever happened.
    if let Err(e) = std::fs::remove_dir_all(&scratch_dir) {
        tracing::warn!("cannot remove the demo's scratch store {}: {e}", scratch_dir.display());
    }
    seeded
}

/// The days the demo numbers cases on: five weeks ago and today.
fn demo_days(start: Moment) -> Vec<Moment> {
    let mut days: Vec<Moment> = (0..4).map(|i| start - Duration::days(35 + i)).collect();
    days.push(start);
    days
}

fn seed_through(
    store: &Store,
    scratch_dir: &std::path::Path,
    counter: &CounterConfig,
    now: Moment,
    today_cases: usize,
) -> Result<usize, WindowError> {
    let today = now.date_naive();
    let scratch = Store::open(&scratch_dir.join("store"), &crate::store::StoreOptions::default())?;
    let start = today
        .and_time(NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default())
        .and_local_timezone(*now.offset())
        .single()
        .unwrap_or(now);
    // Numbered after what `store` already holds on those days, and after today's tickets.
    let (town, window_no) = (&counter.town_code, counter.window);
    let mut raised = vec![(ticket_key(today), store.last_ticket(today)?)];
    for day in demo_days(start) {
        let key = sequence_key(town, window_no, day.date_naive());
        raised.push((key.clone(), store.counter(&key)?));
    }
    scratch.write::<(), WindowError>(|tx| {
        for (key, value) in &raised {
            tx.raise_number(key, *value)?;
        }
        Ok(())
    })?;
    let made = make_demo(&scratch, counter, start, today_cases)?;
    // Everything made, now copied whole in one commit.
    let mut cases = Vec::new();
    for summary in scratch.cases_between(NaiveDate::MIN, NaiveDate::MAX)? {
        if let Some(case) = scratch.case(&summary.id)? {
            cases.push(case);
        }
    }
    let ledger = scratch.ledger()?;
    let tickets = scratch.last_ticket(today)?;
    drop(scratch);
    store.import::<WindowError>(|tx, put| {
        tx.raise_number(&ticket_key(today), tickets)?;
        for entry in &ledger {
            tx.fund_apply::<WindowError>(entry)?;
        }
        cases.iter().try_for_each(&mut *put)
    })?;
    Ok(made)
}

/// The demo's cases, made through the window on `store` as the counter would.
fn make_demo(store: &Store, counter: &CounterConfig, start: Moment, today_cases: usize) -> Result<usize, WindowError> {
    let today = start.date_naive();
    let window = Window::new(store, counter);
    let mut dice = Sampler::new(20261130);
    let ops = ["clerk01", "clerk02"];
    // A supervisor's approvals are recorded as the first configured supervisor's.
    let supervisor = counter.supervisors.first().map(String::as_str);
    let mut added = 0;
    // The year's appropriation to the emergency relief reserve fund.
    let budget =
        crate::domain::fund::FundEntry::appropriation(start - Duration::days(40), "supervisor", Money::yuan(500_000));
    window.fund_deposit(budget)?;
    // Overdue: open cases received five weeks ago.
    for (i, at) in demo_days(start).into_iter().take(4).enumerate() {
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
        advance(&window, &case, &mut dice, op, supervisor.unwrap_or(op), at + Duration::minutes(3))?;
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
