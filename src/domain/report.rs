//! The window's day in figures, for the supervisor's end-of-day account
//! (`onedoor report daily` and the daily summary receipt): the cases received
//! that day, the steps taken on cases that day, the relief fund's day, and the
//! open cases now. Pure: the caller brings the cases, which of them are overdue
//! (the window's deadline rules) and the fund's ledger.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::case::{Case, CaseId, HistoryAction, Lateness, State};
use super::fund::{CorrectionSign, Fund, FundEntry, FundEntryKind};
use super::kind::{Channel, Kind};
use super::money::Money;
use super::payment::MoneySource;

/// What a day's report is made from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The cases received that day, and every other case that may have had a
    /// step that day. The window gives the cases not yet closed that had a
    /// step that day and those the fund paid that day; a step on an earlier
    /// case since completed, rejected or withdrawn is therefore not counted.
    pub cases: &'a [Case],
    /// The cases overdue now.
    pub overdue: &'a HashSet<CaseId>,
    /// The fund's ledger, every entry in the order it was made.
    pub ledger: &'a [FundEntry],
    /// The fund's balance as the store keeps it: the ledger must come to it.
    pub fund_balance: Money,
}

/// What a day's report is made from, as [`Sources`] but with what the store
/// keeps of each case for the report ([`ReportCase`]).
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub cases: &'a [ReportCase],
    pub overdue: &'a HashSet<CaseId>,
    pub ledger: &'a [FundEntry],
    pub fund_balance: Money,
}

/// A window's day: what the screen shows and the receipt prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayReport {
    pub day: NaiveDate,
    pub received: Received,
    pub steps: Steps,
    pub fund: FundDay,
    /// The day's payments by the money they came from, reconciled.
    pub paid: PaidBySource,
    /// Every case not yet closed now, whatever day it was received.
    pub backlog: Backlog,
}

/// The day's payments by the money they came from: paid = out of the relief
/// fund + paid through the regular budget (+ paid on a case that did not
/// record its source, paid before onedoor kept it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaidBySource {
    pub paid: Money,
    pub paid_count: u32,
    pub from_fund: Money,
    pub from_fund_count: u32,
    pub through_budget: Money,
    pub through_budget_count: u32,
    /// Through the budget, without the finance's transfer reference yet.
    pub through_budget_without_ref: u32,
    pub unrecorded: Money,
    pub unrecorded_count: u32,
    /// What the fund's ledger paid out to cases that day.
    pub fund_ledger: Money,
    /// Paid = out of the fund + through the budget, nothing paid without its
    /// source, and out of the fund = what the ledger paid out.
    pub reconciles: bool,
}

/// The cases received that day, as they stand now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    pub total: u32,
    /// Every kind, zeros too.
    pub by_kind: BTreeMap<Kind, u32>,
    /// Both channels, zeros too.
    pub by_channel: BTreeMap<Channel, u32>,
    /// Every state, zeros too: where the day's cases stand now.
    pub by_state: BTreeMap<State, u32>,
    /// Not yet completed, rejected or withdrawn.
    pub open: u32,
    /// Open and past a deadline now (the case's, the green channel's help-by day, a referral's).
    pub overdue: u32,
    pub requested: Money,
    /// The policy's entitlements, where one was computed.
    pub entitled: Money,
    /// What was approved (the amount paid, once paid).
    pub granted: Money,
    /// The cases, in id order.
    pub cases: Vec<ReceivedCase>,
}

/// One case received that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedCase {
    pub id: CaseId,
    pub kind: Kind,
    pub channel: Channel,
    pub state: State,
    pub name: String,
    /// Never the full number in a list.
    pub id_masked: String,
    pub requested: Money,
    pub entitled: Option<Money>,
    pub granted: Option<Money>,
    pub overdue: bool,
}

/// The steps taken that day on the cases given (see [`Sources::cases`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Steps {
    /// History entries dated that day.
    pub total: u32,
    /// Cases with at least one of them.
    pub cases: u32,
    /// Every action, zeros too, in the order of a case's life.
    #[serde(serialize_with = "actions_as_map")]
    pub by_action: Vec<(HistoryAction, u32)>,
    /// The amounts approved that day.
    pub approved_total: Money,
    /// Cases paid that day (from the fund or not), and what was paid.
    pub disbursed_count: u32,
    pub disbursed_total: Money,
}

impl Steps {
    pub fn count(&self, action: HistoryAction) -> u32 {
        self.by_action.iter().find(|(a, _)| *a == action).map_or(0, |(_, n)| *n)
    }
}

/// The relief fund's day from its ledger: opening + inflows - outflows = closing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundDay {
    pub opening: Money,
    pub budget: Money,
    pub donations: Money,
    pub corrections_in: Money,
    pub disbursements: Money,
    pub disbursement_count: u32,
    pub corrections_out: Money,
    pub inflows: Money,
    pub outflows: Money,
    pub closing: Money,
    /// Does it balance, and does the ledger come to the balance the store keeps?
    pub balances: bool,
    /// Why not, when it does not (in JSON, its English words).
    #[serde(serialize_with = "problem_text")]
    pub problem: Option<FundProblem>,
    /// The day's entries, in the order they were made.
    pub entries: Vec<FundEntry>,
}

/// Why the day's fund does not balance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FundProblem {
    #[error("opening + inflows - outflows = {comes_to}, but the ledger closes at {closing}: {refused} of the day's entries would take the fund below zero or are otherwise invalid; the ledger is damaged")]
    DoesNotAddUp { comes_to: Money, closing: Money, refused: u32 },
    #[error("the ledger comes to {closing}, but the fund holds {stored}; the store is damaged")]
    DiffersFromStored { closing: Money, stored: Money },
}

fn problem_text<S: serde::Serializer>(problem: &Option<FundProblem>, s: S) -> Result<S::Ok, S::Error> {
    match problem {
        Some(p) => s.serialize_some(&p.to_string()),
        None => s.serialize_none(),
    }
}

/// The cases not yet closed now, all days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backlog {
    pub open: u32,
    pub overdue: u32,
}

/// A history action's JSON name (and the compiler's reminder to place a new one in [`ACTIONS`]).
pub fn action_code(action: HistoryAction) -> &'static str {
    match action {
        HistoryAction::Received => "received",
        HistoryAction::Imported => "imported",
        HistoryAction::Override => "override",
        HistoryAction::Referred => "referred",
        HistoryAction::Reviewed => "reviewed",
        HistoryAction::Approved => "approved",
        HistoryAction::Rejected => "rejected",
        HistoryAction::Disbursed => "disbursed",
        HistoryAction::PostReviewed => "post_reviewed",
        HistoryAction::Completed => "completed",
        HistoryAction::Withdrawn => "withdrawn",
        HistoryAction::Countersigned => "countersigned",
    }
}

/// Every history action that is a step, in the order of a case's life (a
/// countersign belongs to the step before it and is not counted apart).
pub const ACTIONS: [HistoryAction; 11] = [
    HistoryAction::Received,
    HistoryAction::Imported,
    HistoryAction::Override,
    HistoryAction::Referred,
    HistoryAction::Reviewed,
    HistoryAction::Approved,
    HistoryAction::Rejected,
    HistoryAction::Disbursed,
    HistoryAction::PostReviewed,
    HistoryAction::Completed,
    HistoryAction::Withdrawn,
];

fn actions_as_map<S: serde::Serializer>(actions: &[(HistoryAction, u32)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(actions.len()))?;
    for (action, n) in actions {
        map.serialize_entry(action_code(*action), n)?;
    }
    map.end()
}

/// What the day's report needs of one case, whatever day it is for: the
/// store keeps this beside each case (written in the same commit), so a day's
/// report never reads whole case records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCase {
    pub id: CaseId,
    pub kind: Kind,
    pub channel: Channel,
    pub state: State,
    /// The day it was received.
    pub received: NaiveDate,
    pub name: String,
    /// The applicant's number, masked as every list shows it.
    pub id_masked: String,
    pub requested: Money,
    pub entitled: Option<Money>,
    pub granted: Option<Money>,
    /// The money it was paid from, and whether the finance's transfer
    /// reference is recorded (`None`: no payment recorded).
    pub payment: Option<(MoneySource, bool)>,
    /// Every step of its history, oldest first.
    pub steps: Vec<ReportStep>,
    /// The version of the policy it was judged by, and when it falls overdue
    /// (while it is not closed).
    pub policy: Option<String>,
    pub lateness: Lateness,
}

/// One step of a case's history as the report counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportStep {
    pub day: NaiveDate,
    pub action: HistoryAction,
    /// What an approval or a payment came to (the amount the step recorded,
    /// else the case's granted amount); zero for other steps.
    pub amount: Money,
}

impl ReportCase {
    pub fn of(case: &Case) -> ReportCase {
        let amount_of = |action: HistoryAction, note: Option<&str>| match action {
            HistoryAction::Approved | HistoryAction::Disbursed => step_amount(note, case),
            _ => Money::ZERO,
        };
        ReportCase {
            id: case.id.clone(),
            kind: case.kind,
            channel: case.channel,
            state: case.state,
            received: case.day(),
            name: case.applicant.name.clone(),
            id_masked: case.applicant.id_number.masked(),
            requested: case.requested_amount,
            entitled: case.entitlement.as_ref().map(|e| e.amount),
            granted: case.granted_amount,
            payment: case.payment.as_ref().map(|p| (p.source, p.transfer_ref.is_some())),
            steps: case
                .history
                .iter()
                .map(|h| ReportStep {
                    day: h.at.date_naive(),
                    action: h.action,
                    amount: amount_of(h.action, h.note.as_deref()),
                })
                .collect(),
            policy: case.policy.clone(),
            lateness: Lateness::of(
                case.channel,
                case.state,
                case.post_reviewed(),
                case.due_by,
                case.referrals.iter().map(|r| (r.due_by, r.handled_at.is_some())),
            ),
        }
    }

    fn steps_on(&self, day: NaiveDate) -> impl Iterator<Item = &ReportStep> {
        self.steps.iter().filter(move |s| s.day == day)
    }
}

/// The sum of amounts (rounded to the fen).
pub(crate) fn sum(amounts: impl IntoIterator<Item = Money>) -> Money {
    Money::rounded(amounts.into_iter().map(Money::decimal).sum())
}

/// The amount a step recorded (approve and disburse write it in the note), else the case's granted amount.
fn step_amount(note: Option<&str>, case: &Case) -> Money {
    note.and_then(|n| n.parse::<Money>().ok()).or(case.granted_amount).unwrap_or(Money::ZERO)
}

impl DayReport {
    /// The report of `day`. Days are the centre's, as each record carries its
    /// offset. The backlog is counted on the cases given: every case not yet
    /// closed must be among them.
    pub fn compute(day: NaiveDate, sources: Sources<'_>) -> DayReport {
        let open = sources.cases.iter().filter(|c| !c.state.is_closed());
        let (mut ids, mut overdue) = (std::collections::HashSet::new(), 0u32);
        for c in open {
            if ids.insert(&c.id) && sources.overdue.contains(&c.id) {
                overdue += 1;
            }
        }
        DayReport::with_backlog(day, sources, Backlog { open: ids.len() as u32, overdue })
    }

    /// As [`DayReport::compute`], with the backlog counted by the caller (from
    /// the open cases' facts): then the cases given need only be those that
    /// may have a step that day (received or paid that day, or open with a
    /// step dated that day).
    pub fn with_backlog(day: NaiveDate, sources: Sources<'_>, backlog: Backlog) -> DayReport {
        let cases: Vec<ReportCase> = sources.cases.iter().map(ReportCase::of).collect();
        let facts = Facts {
            cases: &cases,
            overdue: sources.overdue,
            ledger: sources.ledger,
            fund_balance: sources.fund_balance,
        };
        DayReport::of_facts(day, facts, backlog)
    }

    /// As [`DayReport::with_backlog`], from what the store keeps of each case
    /// for the report instead of the whole cases.
    pub fn of_facts(day: NaiveDate, facts: Facts<'_>, backlog: Backlog) -> DayReport {
        // Each case once (the last given, as a map would keep it), in id order,
        // whatever the caller found it by. Sorting what is mostly in order already is one pass.
        let mut cases: Vec<&ReportCase> = facts.cases.iter().rev().collect();
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        cases.dedup_by(|a, b| a.id == b.id);
        let overdue = |c: &ReportCase| !c.state.is_closed() && facts.overdue.contains(&c.id);
        let steps = steps(day, cases.iter().copied());
        let fund = fund_day(day, facts.ledger, facts.fund_balance);
        DayReport {
            day,
            received: received(cases.iter().copied().filter(|c| c.received == day), &overdue),
            paid: paid_by_source(day, cases.iter().copied(), &steps, &fund),
            steps,
            fund,
            backlog,
        }
    }
}

fn received<'a>(cases: impl Iterator<Item = &'a ReportCase>, overdue: &dyn Fn(&ReportCase) -> bool) -> Received {
    let mut r = Received {
        total: 0,
        by_kind: Kind::ALL.iter().map(|k| (*k, 0)).collect(),
        by_channel: Channel::ALL.iter().map(|c| (*c, 0)).collect(),
        by_state: State::ALL.iter().map(|s| (*s, 0)).collect(),
        open: 0,
        overdue: 0,
        requested: Money::ZERO,
        entitled: Money::ZERO,
        granted: Money::ZERO,
        cases: Vec::new(),
    };
    for c in cases {
        r.total += 1;
        *r.by_kind.entry(c.kind).or_default() += 1;
        *r.by_channel.entry(c.channel).or_default() += 1;
        *r.by_state.entry(c.state).or_default() += 1;
        r.open += u32::from(!c.state.is_closed());
        r.overdue += u32::from(overdue(c));
        r.cases.push(ReceivedCase {
            id: c.id.clone(),
            kind: c.kind,
            channel: c.channel,
            state: c.state,
            name: c.name.clone(),
            id_masked: c.id_masked.clone(),
            requested: c.requested,
            entitled: c.entitled,
            granted: c.granted,
            overdue: overdue(c),
        });
    }
    r.requested = sum(r.cases.iter().map(|c| c.requested));
    r.entitled = sum(r.cases.iter().filter_map(|c| c.entitled));
    r.granted = sum(r.cases.iter().filter_map(|c| c.granted));
    r
}

fn steps<'a>(day: NaiveDate, cases: impl Iterator<Item = &'a ReportCase>) -> Steps {
    let mut counts: BTreeMap<usize, u32> = BTreeMap::new();
    let (mut total, mut touched) = (0u32, 0u32);
    let (mut approved, mut paid) = (Vec::new(), Vec::new());
    for c in cases {
        let mut any = false;
        for h in c.steps_on(day).filter(|h| h.action != HistoryAction::Countersigned) {
            any = true;
            total += 1;
            if let Some(i) = ACTIONS.iter().position(|a| *a == h.action) {
                *counts.entry(i).or_default() += 1;
            }
            match h.action {
                HistoryAction::Approved => approved.push(h.amount),
                HistoryAction::Disbursed => paid.push(h.amount),
                _ => {}
            }
        }
        touched += u32::from(any);
    }
    Steps {
        total,
        cases: touched,
        by_action: ACTIONS.iter().enumerate().map(|(i, a)| (*a, counts.get(&i).copied().unwrap_or(0))).collect(),
        approved_total: sum(approved.iter().copied()),
        disbursed_count: paid.len() as u32,
        disbursed_total: sum(paid),
    }
}

fn paid_by_source<'a>(
    day: NaiveDate,
    cases: impl Iterator<Item = &'a ReportCase>,
    steps: &Steps,
    fund: &FundDay,
) -> PaidBySource {
    let (mut fund_paid, mut budget, mut unrecorded) = (Vec::new(), Vec::new(), Vec::new());
    let mut without_ref = 0u32;
    for c in cases {
        for h in c.steps_on(day).filter(|h| h.action == HistoryAction::Disbursed) {
            let amount = h.amount;
            match c.payment {
                Some((MoneySource::ReliefFund, _)) => fund_paid.push(amount),
                Some((_, has_ref)) => {
                    without_ref += u32::from(!has_ref);
                    budget.push(amount)
                }
                None => unrecorded.push(amount),
            }
        }
    }
    let (from_fund, through_budget, unrecorded_total) =
        (sum(fund_paid.iter().copied()), sum(budget.iter().copied()), sum(unrecorded.iter().copied()));
    let adds_up = from_fund.checked_add(through_budget).and_then(|m| m.checked_add(unrecorded_total))
        == Some(steps.disbursed_total);
    PaidBySource {
        paid: steps.disbursed_total,
        paid_count: steps.disbursed_count,
        from_fund,
        from_fund_count: fund_paid.len() as u32,
        through_budget,
        through_budget_count: budget.len() as u32,
        through_budget_without_ref: without_ref,
        unrecorded: unrecorded_total,
        unrecorded_count: unrecorded.len() as u32,
        fund_ledger: fund.disbursements,
        reconciles: adds_up && unrecorded.is_empty() && from_fund == fund.disbursements,
    }
}

/// The fund's day. The opening and closing balances replay the ledger through
/// [`Fund::apply`]; the inflows and outflows are the day's entries as written.
/// They differ only if the ledger holds an entry the fund refuses (a damaged
/// ledger), and then the day does not balance. When no entry is dated after the
/// day, the closing balance must also be the balance the store keeps.
fn fund_day(day: NaiveDate, ledger: &[FundEntry], stored: Money) -> FundDay {
    let mut fund = Fund::default();
    let (mut opening, mut closing) = (Decimal::ZERO, Decimal::ZERO);
    let mut sums = [Decimal::ZERO; 5]; // budget, donations, corrections in, disbursements, corrections out
    let (mut disbursement_count, mut refused) = (0u32, 0u32);
    let mut entries = Vec::new();
    let mut later = false;
    for e in ledger {
        let d = e.at.date_naive();
        let accepted = fund.apply(e).is_ok();
        let signed = if e.is_outflow() { -e.amount.decimal() } else { e.amount.decimal() };
        if accepted && d < day {
            opening += signed;
        }
        if accepted && d <= day {
            closing += signed;
        }
        later |= d > day;
        if d != day {
            continue;
        }
        refused += u32::from(!accepted);
        let slot = match &e.kind {
            FundEntryKind::Appropriation => 0,
            FundEntryKind::Donation { .. } => 1,
            FundEntryKind::Correction { sign: CorrectionSign::Increase, .. } => 2,
            FundEntryKind::Disbursement { .. } => {
                disbursement_count += 1;
                3
            }
            FundEntryKind::Correction { sign: CorrectionSign::Decrease, .. } => 4,
        };
        sums[slot] += e.amount.decimal();
        entries.push(e.clone());
    }
    let [budget, donations, corrections_in, disbursements, corrections_out] = sums.map(Money::rounded);
    let inflows = Money::rounded(sums[0] + sums[1] + sums[2]);
    let outflows = Money::rounded(sums[3] + sums[4]);
    let (opening, closing) = (Money::rounded(opening), Money::rounded(closing));
    let comes_to = opening.decimal() + inflows.decimal() - outflows.decimal();
    let problem = if comes_to != closing.decimal() {
        Some(FundProblem::DoesNotAddUp { comes_to: Money::rounded(comes_to), closing, refused })
    } else if !later && closing != stored {
        Some(FundProblem::DiffersFromStored { closing, stored })
    } else {
        None
    };
    FundDay {
        opening,
        budget,
        donations,
        corrections_in,
        disbursements,
        disbursement_count,
        corrections_out,
        inflows,
        outflows,
        closing,
        balances: problem.is_none(),
        problem,
        entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{Acceptance, CaseInput, Entitlement, Transition};
    use crate::domain::time::Moment;
    use crate::domain::Department;
    use chrono::{FixedOffset, TimeZone};

    fn at(d: u32, h: u32) -> Moment {
        FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    /// A case received on day `d` at 09:00, number `seq`.
    fn case(d: u32, seq: u32, kind: &str, channel: &str, name: &str, requested: &str, entitled: Option<&str>) -> Case {
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kind": kind,
            "channel": channel,
            "applicant": {"name": name, "id_number": "11010519491231002X", "residence": "urban"},
            "reason": "serious_illness",
            "requested_amount": requested,
        }))
        .unwrap();
        Case::receive(
            input,
            Acceptance {
                id: CaseId::new("320106001", 3, day(d), seq),
                operator: "clerk01".into(),
                at: at(d, 9),
                due_by: Some(day(d + 10)),
                entitlement: entitled.map(|a| Entitlement { amount: m(a), basis: "policy".into(), flags: vec![] }),
                policy: None,
                related_cases: vec![],
            },
        )
    }

    fn step(c: &mut Case, t: Transition, d: u32, h: u32) {
        c.apply(&t, "clerk01", at(d, h)).unwrap();
    }

    fn refer() -> Transition {
        Transition::Refer { department: Department::CivilAffairs, due_by: day(28) }
    }

    /// The 20th: three cases received (one green, paid from the fund the same
    /// day), an earlier case approved and paid; a budget and a donation.
    fn the_twentieth() -> (Vec<Case>, Vec<FundEntry>) {
        let mut earlier = case(18, 1, "temporary", "normal", "李四", "2000", Some("2000"));
        step(&mut earlier, refer(), 18, 10);
        step(&mut earlier, Transition::Review { note: None }, 19, 10);
        step(&mut earlier, Transition::Approve { amount: Some(m("1500")) }, 20, 10);
        step(&mut earlier, Transition::Disburse, 20, 11);

        let a = case(20, 1, "temporary", "normal", "王芳", "800", Some("800"));
        let mut b = case(20, 2, "dibao", "normal", "欧阳小明", "500.50", None);
        step(&mut b, refer(), 20, 14);
        let mut g = case(20, 3, "medical", "green", "张三", "20000", Some("10000"));
        step(&mut g, Transition::Approve { amount: None }, 20, 9);
        step(&mut g, Transition::Disburse, 20, 15);
        let mut closed = case(15, 1, "housing", "normal", "赵五", "100", None);
        step(&mut closed, Transition::Withdraw { note: None }, 16, 9);

        let ledger = vec![
            FundEntry::appropriation(at(1, 9), "head01", m("50000")),
            FundEntry::disbursement(at(3, 9), "clerk01", CaseId::new("320106001", 3, day(2), 1), m("3000")),
            FundEntry::appropriation(at(20, 8), "head01", m("15000")),
            FundEntry::donation(at(20, 12), "clerk01", "爱心企业", m("500")),
            FundEntry::disbursement(at(20, 15), "clerk01", g.id.clone(), m("10000")),
            FundEntry::correction(at(20, 16), "head01", CorrectionSign::Decrease, "bank fee", m("2.50")),
            FundEntry::donation(at(21, 9), "clerk01", "某某公司", m("100")),
        ];
        (vec![g, a, earlier, b, closed], ledger)
    }

    fn report(d: u32, overdue: &[&Case]) -> DayReport {
        let (cases, ledger) = the_twentieth();
        let overdue: HashSet<CaseId> = overdue.iter().map(|c| c.id.clone()).collect();
        let sources = Sources { cases: &cases, overdue: &overdue, ledger: &ledger, fund_balance: m("52597.50") };
        DayReport::compute(day(d), sources)
    }

    #[test]
    fn the_cases_received_that_day_by_kind_channel_and_state_now() {
        let (cases, _) = the_twentieth();
        let r = report(20, &[&cases[3], &cases[2]]).received;
        assert_eq!(r.total, 3);
        assert_eq!(r.by_kind[&Kind::Temporary], 1);
        assert_eq!(r.by_kind[&Kind::Dibao], 1);
        assert_eq!(r.by_kind[&Kind::Medical], 1);
        assert_eq!(r.by_kind[&Kind::Housing], 0, "every kind is there, zeros too");
        assert_eq!((r.by_channel[&Channel::Normal], r.by_channel[&Channel::Green]), (2, 1));
        assert_eq!(r.by_state[&State::Received], 1);
        assert_eq!(r.by_state[&State::Referred], 1);
        assert_eq!(r.by_state[&State::Disbursed], 1);
        assert_eq!(r.by_state[&State::Completed], 0);
        assert_eq!(r.open, 3, "a paid case waiting for completion is not closed");
        assert_eq!(r.overdue, 1, "only the day's own cases: the earlier overdue one is not counted here");
        assert_eq!(r.requested, m("21300.50"));
        assert_eq!(r.entitled, m("10800"), "a case with no entitlement adds nothing");
        assert_eq!(r.granted, m("10000"));
        let ids: Vec<String> = r.cases.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["320106001-03-20261120-0001", "320106001-03-20261120-0002", "320106001-03-20261120-0003"]);
        assert_eq!(r.cases[1].name, "欧阳小明");
        assert_eq!(r.cases[1].id_masked, "110105********002X");
        assert!(r.cases[1].overdue && !r.cases[0].overdue);
    }

    #[test]
    fn the_steps_of_the_day_on_any_case_with_their_amounts() {
        let s = report(20, &[]).steps;
        assert_eq!(s.count(HistoryAction::Received), 3);
        assert_eq!(s.count(HistoryAction::Referred), 1);
        assert_eq!(s.count(HistoryAction::Approved), 2, "the earlier case's approval counts on the day it was made");
        assert_eq!(s.count(HistoryAction::Disbursed), 2);
        assert_eq!(s.count(HistoryAction::Reviewed), 0, "the review was the day before");
        assert_eq!(s.count(HistoryAction::Withdrawn), 0);
        assert_eq!((s.total, s.cases), (8, 4));
        assert_eq!(s.approved_total, m("11500"), "the amount approved, not the entitlement");
        assert_eq!((s.disbursed_count, s.disbursed_total), (2, m("11500")));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["by_action"]["post_reviewed"], 0);
        assert_eq!(json["by_action"]["approved"], 2);
        assert_eq!(json["disbursed_total"], "11500.00");

        let s = report(16, &[]).steps;
        assert_eq!((s.total, s.count(HistoryAction::Withdrawn)), (1, 1));
    }

    #[test]
    fn the_fund_day_opens_where_the_day_before_closed_and_balances() {
        let f = report(20, &[]).fund;
        assert_eq!(f.opening, m("47000"));
        assert_eq!((f.budget, f.donations, f.corrections_in), (m("15000"), m("500"), m("0")));
        assert_eq!((f.disbursements, f.disbursement_count, f.corrections_out), (m("10000"), 1, m("2.50")));
        assert_eq!((f.inflows, f.outflows), (m("15500"), m("10002.50")));
        assert_eq!(f.closing, m("52497.50"));
        assert!(f.balances, "{:?}", f.problem);
        assert_eq!(f.entries.len(), 4);
        let next = report(21, &[]).fund;
        assert_eq!(next.opening, f.closing);
        assert_eq!(next.closing, m("52597.50"));
        assert!(next.balances, "the last day comes to the stored balance: {:?}", next.problem);
        let quiet = report(25, &[]).fund;
        assert_eq!(
            (quiet.opening, quiet.inflows, quiet.outflows, quiet.closing),
            (m("52597.50"), m("0"), m("0"), m("52597.50"))
        );
        assert_eq!(serde_json::to_value(&f).unwrap()["closing"], "52497.50");
    }

    #[test]
    fn a_fund_day_that_does_not_balance_says_why() {
        let (cases, mut ledger) = the_twentieth();
        // A payment the fund could never have made: the ledger is damaged.
        ledger.insert(5, FundEntry::disbursement(at(20, 15), "clerk01", cases[1].id.clone(), m("99999")));
        let none = HashSet::new();
        let sources = Sources { cases: &cases, overdue: &none, ledger: &ledger, fund_balance: m("52597.50") };
        let f = DayReport::compute(day(20), sources).fund;
        assert!(!f.balances);
        assert_eq!(f.outflows, m("110001.50"), "the day's entries as written");
        assert_eq!(f.closing, m("52497.50"), "the replayed balance skips what the fund refuses");
        assert!(f.problem.as_ref().unwrap().to_string().contains("1 of the day's entries"), "{:?}", f.problem);

        // The store's balance is not what the ledger comes to.
        let (_, ledger) = the_twentieth();
        let sources = Sources { cases: &cases, overdue: &none, ledger: &ledger, fund_balance: m("1.00") };
        let f = DayReport::compute(day(21), sources).fund;
        assert!(!f.balances);
        assert!(f.problem.unwrap().to_string().contains("the fund holds 1.00"));
        // An earlier day is not judged by today's balance.
        assert!(DayReport::compute(day(20), sources).fund.balances);
    }

    #[test]
    fn the_backlog_is_every_open_case_and_each_case_counts_once() {
        let (mut cases, ledger) = the_twentieth();
        cases.push(cases[0].clone());
        let overdue: HashSet<CaseId> = [cases[2].id.clone(), cases[4].id.clone()].into();
        let sources = Sources { cases: &cases, overdue: &overdue, ledger: &ledger, fund_balance: m("52597.50") };
        let r = DayReport::compute(day(20), sources);
        assert_eq!(r.backlog, Backlog { open: 4, overdue: 1 }, "a withdrawn case is neither open nor overdue");
        assert_eq!(r.received.total, 3);
        assert_eq!(r.steps.count(HistoryAction::Received), 3);
    }

    #[test]
    fn every_action_has_its_place_and_its_json_name() {
        for a in ACTIONS {
            assert_eq!(serde_json::to_value(a).unwrap(), action_code(a));
        }
        let distinct: HashSet<&str> = ACTIONS.iter().map(|a| action_code(*a)).collect();
        assert_eq!(distinct.len(), ACTIONS.len());
    }
}
