//! The relief fund as the store keeps it: whatever sequence of budget,
//! donations, payments to green-channel cases and corrections is asked for,
//! the stored balance never goes negative, always equals what the stored
//! ledger adds up to, every payment moved its case to `disbursed` in the same
//! commit, and a refused operation leaves the store exactly as it was.

use chrono::DateTime;
use onedoor::config::CounterConfig;
use onedoor::domain::fund::{CorrectionSign, FundEntry, FundEntryKind};
use onedoor::domain::{CaseId, CaseInput, Money, State};
use onedoor::store::{Store, StoreOptions};
use onedoor::window::{CaseAction, MoneySource, Window};
use proptest::prelude::*;
use rust_decimal::Decimal;

const CASES: usize = 4;

#[derive(Debug, Clone)]
enum Op {
    Budget(i64),
    Donation(i64),
    /// Pay the n-th green case, all that was approved or this many fen.
    Pay(usize, Option<i64>),
    Correct(bool, i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0i64..1_500_000).prop_map(Op::Budget),
        (0i64..500_000).prop_map(Op::Donation),
        (0..CASES, proptest::option::of(0i64..1_200_000)).prop_map(|(n, fen)| Op::Pay(n, fen)),
        (any::<bool>(), 0i64..800_000).prop_map(|(up, fen)| Op::Correct(up, fen)),
    ]
}

fn money(fen: i64) -> Money {
    Money::new(Decimal::new(fen, 2)).unwrap()
}

/// What the stored ledger adds up to.
fn ledger_total(store: &Store) -> Decimal {
    store
        .ledger()
        .unwrap()
        .iter()
        .map(|e| match &e.kind {
            FundEntryKind::Disbursement { .. } | FundEntryKind::Correction { sign: CorrectionSign::Decrease, .. } => {
                -e.amount.decimal()
            }
            _ => e.amount.decimal(),
        })
        .sum()
}

fn green_case(window: &Window, n: usize) -> CaseId {
    let numbers = ["11010519491231002X", "32010619850615351X", "110101199003070011", "510108199001014568"];
    let input: CaseInput = serde_json::from_str(&format!(
        r#"{{"kind":"medical","channel":"green","applicant":{{"name":"病人{n}","id_number":"{}","residence":"urban"}},
            "reason":"serious_illness","requested_amount":"10000"}}"#,
        numbers[n]
    ))
    .unwrap();
    let now = DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap();
    let case = window.accept(input, "clerk01", now).unwrap();
    window.act(&case.id, &CaseAction::ApproveAsSupervisor(None), "head01", now).unwrap();
    case.id
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn no_sequence_of_fund_operations_breaks_the_stored_fund(ops in proptest::collection::vec(op(), 1..30)) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let config = CounterConfig::default();
        let window = Window::new(&store, &config);
        let ids: Vec<CaseId> = (0..CASES).map(|n| green_case(&window, n)).collect();
        let now = DateTime::parse_from_rfc3339("2026-11-30T10:00:00+08:00").unwrap();
        for op in ops {
            let before = store.fingerprint().unwrap();
            let result = match &op {
                Op::Budget(fen) => window.fund_deposit(FundEntry::appropriation(now, "head01", money(*fen))).map(|_| ()),
                Op::Donation(fen) => {
                    window.fund_deposit(FundEntry::donation(now, "clerk01", "爱心企业", money(*fen))).map(|_| ())
                }
                Op::Pay(n, fen) => {
                    window.pay(&ids[*n], Some(MoneySource::ReliefFund), fen.map(money), "clerk01", now).map(|_| ())
                }
                Op::Correct(up, fen) => {
                    let sign = if *up { CorrectionSign::Increase } else { CorrectionSign::Decrease };
                    window.fund_correct(sign, money(*fen), "bank statement", "head01", now).map(|_| ())
                }
            };
            let balance = store.fund().unwrap().balance().decimal();
            prop_assert!(balance >= Decimal::ZERO, "{:?} left {}", op, balance);
            prop_assert_eq!(balance, ledger_total(&store), "after {:?}", op);
            if result.is_err() {
                prop_assert_eq!(store.fingerprint().unwrap(), before, "a refused {:?} changed the store", op);
            }
        }
        // Every payment in the ledger is a case that is now paid, and no case was paid twice.
        let mut paid = Vec::new();
        for e in store.ledger().unwrap() {
            if let FundEntryKind::Disbursement { case } = e.kind {
                prop_assert_eq!(store.case(&case).unwrap().unwrap().state, State::Disbursed);
                prop_assert!(!paid.contains(&case), "{} paid twice", case);
                paid.push(case);
            }
        }
        for id in &ids {
            let state = store.case(id).unwrap().unwrap().state;
            prop_assert_eq!(state == State::Disbursed, paid.contains(id), "{} is {} ", id, state);
        }
    }
}
