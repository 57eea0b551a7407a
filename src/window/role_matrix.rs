//! The role matrix: every guarded action at the window, by a clerk, by a
//! supervisor, by the supervisor who accepted the case, and by a clerk with
//! a supervisor's countersign (one who did not accept it, and one who did).
//! Each row says allowed or refused (and why); a refused row must leave the
//! store exactly as it was.

use super::*;
use crate::domain::operator::Role;
use crate::store::StoreOptions;

const PIN: &str = "482913";
/// Who accepts every case of the matrix (a supervisor, so the same-person rule can bite).
const ACCEPTER: &str = "head01";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Clerk,
    Supervisor,
    /// The supervisor who accepted the case.
    SameSupervisor,
    /// The clerk, countersigned by a supervisor who did not accept the case.
    ClerkWithSupervisor,
    /// The clerk, countersigned by the supervisor who accepted the case.
    ClerkWithSame,
}

impl Who {
    fn operator(self) -> &'static str {
        match self {
            Who::Clerk | Who::ClerkWithSupervisor | Who::ClerkWithSame => "clerk01",
            Who::Supervisor => "head02",
            Who::SameSupervisor => ACCEPTER,
        }
    }

    fn countersigner(self) -> Option<&'static str> {
        match self {
            Who::ClerkWithSupervisor => Some("head02"),
            Who::ClerkWithSame => Some(ACCEPTER),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Guarded {
    ApproveWithinLimit,
    ApproveAboveLimit,
    PayFromBudget,
    PayFromFund,
    FundDeposit,
    FundCorrection,
    OverrideAtAccept,
    OverrideAtImport,
    /// The after-the-fact review by the clerk who paid (countersigned by head02).
    ReviewAfterwards,
    OperatorAdd,
    OperatorDisable,
    /// Resetting the PIN of clerk02.
    PinReset,
}

/// What a row expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    AboveClerkLimit,
    NeedsSupervisor,
    OwnCase,
    ReviewByPayer,
    NeedsSupervisorOperator,
}

fn refusal(e: &WindowError) -> Expect {
    match e {
        WindowError::AboveClerkLimit { .. } => Expect::AboveClerkLimit,
        WindowError::NeedsSupervisor { .. } => Expect::NeedsSupervisor,
        WindowError::OwnCase { .. } => Expect::OwnCase,
        WindowError::ReviewByPayer { .. } => Expect::ReviewByPayer,
        WindowError::NeedsSupervisorOperator | WindowError::PinOfAnother(_) => Expect::NeedsSupervisorOperator,
        other => panic!("an unexpected refusal: {other:?}"),
    }
}

fn now() -> Moment {
    chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap()
}

/// The `n`-th made-up person's ID number.
fn person(n: u32) -> String {
    let first17 = format!("320106{}0101{:03}", 1950 + n % 50, n % 1000);
    format!("{first17}{}", crate::domain::id_number::check_character(first17.as_bytes()))
}

fn intake(n: u32, kind: &str, reason: &str, amount: &str, green: bool) -> CaseInput {
    serde_json::from_value(serde_json::json!({
        "kind": kind,
        "channel": if green { "green" } else { "normal" },
        "applicant": {"name": "王芳", "id_number": person(n), "residence": "urban"},
        "reason": reason,
        "requested_amount": amount,
    }))
    .unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    counter: CounterConfig,
    next: std::cell::Cell<u32>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let fx = Fixture { _dir: dir, store, counter: CounterConfig::default(), next: std::cell::Cell::new(1) };
        let w = fx.window();
        let head = w.add_operator(None, ACCEPTER, Role::Supervisor, PIN, now()).unwrap();
        for (name, role) in [("head02", Role::Supervisor), ("clerk01", Role::Clerk), ("clerk02", Role::Clerk)] {
            w.add_operator(Some(&head), name, role, PIN, now()).unwrap();
        }
        w.fund_deposit(FundEntry::appropriation(now(), ACCEPTER, Money::yuan(100_000))).unwrap();
        fx
    }

    fn window(&self) -> Window<'_> {
        Window::new(&self.store, &self.counter)
    }

    fn person(&self) -> u32 {
        let n = self.next.get();
        self.next.set(n + 1);
        n
    }

    /// A case accepted by [`ACCEPTER`], taken through `steps` by head02.
    fn case(&self, kind: &str, reason: &str, amount: &str, green: bool, steps: &[CaseAction]) -> CaseId {
        let w = self.window();
        let case = w.accept(intake(self.person(), kind, reason, amount, green), ACCEPTER, now()).unwrap();
        for s in steps {
            w.act(&case.id, s, "head02", now()).unwrap();
        }
        case.id
    }

    fn operator(&self, name: &str) -> crate::domain::operator::Operator {
        self.store.operator(name).unwrap().unwrap()
    }
}

fn reviewed() -> Vec<CaseAction> {
    vec![CaseAction::Refer(None), CaseAction::Review(None)]
}

/// Prepares what the action needs, then takes it as `who`. Returns the
/// store's fingerprint taken just before the action, and its result.
fn take(fx: &Fixture, action: Guarded, who: Who) -> (u64, Result<(), WindowError>) {
    let w = fx.window();
    let operator = who.operator();
    let countersign = who.countersigner().map(|name| w.countersign(name, PIN, now()).unwrap());
    let actor = Actor { operator, countersign: countersign.as_ref() };
    let mark = || fx.store.fingerprint().unwrap();
    match action {
        Guarded::ApproveWithinLimit => {
            let id = fx.case("temporary", "serious_illness", "800", false, &reviewed());
            let before = mark();
            (before, w.act_as(&id, &CaseAction::Approve(Some(Money::yuan(800))), &actor, now()).map(|_| ()))
        }
        Guarded::ApproveAboveLimit => {
            let id = fx.case("disaster", "disaster", "4500", false, &reviewed());
            let before = mark();
            // A supervisor approves as one; a clerk approves, countersigned or not.
            let amount = Some(Money::yuan(4500));
            let step = match who {
                Who::Supervisor | Who::SameSupervisor => CaseAction::ApproveAsSupervisor(amount),
                _ => CaseAction::Approve(amount),
            };
            let done = w.act_as(&id, &step, &actor, now());
            if let (Ok(case), Some(cs)) = (&done, who.countersigner()) {
                // The history names both: the clerk's step, then the countersign.
                let n = case.history.len();
                assert_eq!(case.history[n - 2].by, "clerk01");
                assert_eq!(case.history[n - 1].by, cs);
                assert_eq!(case.history[n - 1].action, crate::domain::case::HistoryAction::Countersigned);
            }
            (before, done.map(|_| ()))
        }
        Guarded::PayFromBudget => {
            let mut steps = reviewed();
            steps.push(CaseAction::Approve(None));
            let id = fx.case("temporary", "serious_illness", "800", false, &steps);
            let before = mark();
            (before, w.pay_as(&id, Some(MoneySource::Budget), None, None, &actor, now()).map(|_| ()))
        }
        Guarded::PayFromFund => {
            let steps = [CaseAction::ApproveAsSupervisor(None)];
            let id = fx.case("medical", "serious_illness", "10000", true, &steps);
            let before = mark();
            (before, w.pay_as(&id, Some(MoneySource::ReliefFund), None, None, &actor, now()).map(|_| ()))
        }
        Guarded::FundDeposit => {
            let before = mark();
            let entry = FundEntry::donation(now(), operator, "某爱心企业", Money::yuan(1000));
            (before, w.fund_deposit(entry).map(|_| ()))
        }
        Guarded::FundCorrection => {
            let before = mark();
            (
                before,
                w.fund_correct(CorrectionSign::Decrease, Money::yuan(10), "银行手续费", operator, now()).map(|_| ()),
            )
        }
        Guarded::OverrideAtAccept | Guarded::OverrideAtImport => {
            let n = fx.person();
            w.accept(intake(n, "temporary", "serious_illness", "300", false), "clerk02", now()).unwrap();
            let before = mark();
            let again = Intake {
                override_by: Some(SupervisorOverride { by: operator.into(), reason: "入户核实属实".into() }),
                countersign: countersign.clone(),
                ..Intake::from(intake(n, "temporary", "serious_illness", "300", false))
            };
            // Accepted by the operator: the same supervisor is the one who accepts it.
            let done = match action {
                Guarded::OverrideAtAccept => w.accept(again, operator, now()).map(|c| vec![c.id]),
                _ => w.import(&[ImportRecord::Intake(Box::new(again))], operator, now()).map_err(|r| r.error),
            };
            if let Ok(ids) = &done {
                let case = fx.store.case(&ids[0]).unwrap().unwrap();
                let by = who.countersigner().unwrap_or(operator);
                let o = case.history.iter().find(|h| h.action == crate::domain::case::HistoryAction::Override);
                assert_eq!(o.map(|h| h.by.as_str()), Some(by), "the override names the supervisor");
            }
            (before, done.map(|_| ()))
        }
        Guarded::ReviewAfterwards => {
            // Paid by the clerk with head02's countersign: neither reviews it afterwards.
            let steps = [CaseAction::ApproveAsSupervisor(None)];
            let id = fx.case("medical", "serious_illness", "10000", true, &steps);
            let head02 = w.countersign("head02", PIN, now()).unwrap();
            let payer = Actor { operator: "clerk01", countersign: Some(&head02) };
            w.pay_as(&id, None, None, None, &payer, now()).unwrap();
            let before = mark();
            (before, w.act_as(&id, &CaseAction::Review(Some("核实属实".into())), &actor, now()).map(|_| ()))
        }
        Guarded::OperatorAdd => {
            let before = mark();
            let name = format!("clerk{}", 10 + fx.person());
            (before, w.add_operator(Some(&fx.operator(operator)), &name, Role::Clerk, PIN, now()).map(|_| ()))
        }
        Guarded::OperatorDisable => {
            let name = format!("clerk{}", 10 + fx.person());
            w.add_operator(Some(&fx.operator("head02")), &name, Role::Clerk, PIN, now()).unwrap();
            let before = mark();
            (before, w.disable_operator(&fx.operator(operator), &name, now()))
        }
        Guarded::PinReset => {
            let before = mark();
            (before, w.set_pin(&fx.operator(operator), "clerk02", "730516", now()))
        }
    }
}

#[test]
fn every_guarded_action_by_every_kind_of_operator() {
    use Expect::*;
    use Guarded::*;
    // Columns: clerk, supervisor, the supervisor who accepted, clerk + a
    // supervisor's countersign, clerk + the accepting supervisor's countersign.
    let matrix: [(Guarded, [Expect; 5]); 12] = [
        (ApproveWithinLimit, [Allowed, Allowed, Allowed, Allowed, OwnCase]),
        (ApproveAboveLimit, [AboveClerkLimit, Allowed, OwnCase, Allowed, OwnCase]),
        (PayFromBudget, [Allowed, Allowed, Allowed, Allowed, Allowed]),
        (PayFromFund, [NeedsSupervisor, Allowed, OwnCase, Allowed, OwnCase]),
        (FundDeposit, [NeedsSupervisor, Allowed, Allowed, NeedsSupervisor, NeedsSupervisor]),
        (FundCorrection, [NeedsSupervisor, Allowed, Allowed, NeedsSupervisor, NeedsSupervisor]),
        (OverrideAtAccept, [NeedsSupervisor, OwnCase, OwnCase, Allowed, Allowed]),
        (OverrideAtImport, [NeedsSupervisor, OwnCase, OwnCase, Allowed, Allowed]),
        (ReviewAfterwards, [ReviewByPayer, ReviewByPayer, Allowed, ReviewByPayer, ReviewByPayer]),
        (OperatorAdd, [NeedsSupervisorOperator, Allowed, Allowed, NeedsSupervisorOperator, NeedsSupervisorOperator]),
        (
            OperatorDisable,
            [NeedsSupervisorOperator, Allowed, Allowed, NeedsSupervisorOperator, NeedsSupervisorOperator],
        ),
        (PinReset, [NeedsSupervisorOperator, Allowed, Allowed, NeedsSupervisorOperator, NeedsSupervisorOperator]),
    ];
    let whos = [Who::Clerk, Who::Supervisor, Who::SameSupervisor, Who::ClerkWithSupervisor, Who::ClerkWithSame];
    let fx = Fixture::new();
    let mut wrong = Vec::new();
    for (action, expected) in matrix {
        for (who, expect) in whos.into_iter().zip(expected) {
            let (before, result) = take(&fx, action, who);
            let got = match &result {
                Ok(()) => Allowed,
                Err(e) => {
                    assert!(e.is_refusal(), "{action:?} by {who:?}: {e}");
                    assert_eq!(
                        fx.store.fingerprint().unwrap(),
                        before,
                        "{action:?} by {who:?} refused changed the store"
                    );
                    refusal(e)
                }
            };
            if got != expect {
                wrong.push(format!("{action:?} by {who:?}: expected {expect:?}, got {got:?} ({result:?})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Once there are operators, an override naming a supervisor is not that
/// supervisor's: without their countersign (their PIN checked) it is the
/// accepting operator's, and refused.
#[test]
fn an_override_is_by_no_named_supervisor_without_their_countersign() {
    let fx = Fixture::new();
    let w = fx.window();
    let n = fx.person();
    w.accept(intake(n, "temporary", "serious_illness", "300", false), "clerk02", now()).unwrap();
    let before = fx.store.fingerprint().unwrap();
    let named = Intake {
        override_by: Some(SupervisorOverride { by: "head02".into(), reason: "入户核实属实".into() }),
        ..Intake::from(intake(n, "temporary", "serious_illness", "300", false))
    };
    let refused = w.accept(named, "clerk01", now()).unwrap_err();
    assert!(matches!(&refused, WindowError::NeedsSupervisor { who, .. } if who == "clerk01"), "{refused:?}");
    assert_eq!(fx.store.fingerprint().unwrap(), before);
}
