use super::*;
use crate::config::CounterConfig;
use crate::domain::case::CaseInput;
use crate::domain::fund::FundEntry;
use crate::domain::Money;
use crate::store::{StoreOptions, WriteError};
use crate::window::{CaseAction, MoneySource, Window};

fn now(h: u32) -> crate::domain::time::Moment {
    chrono::DateTime::parse_from_rfc3339(&format!("2026-11-30T{h:02}:00:00+08:00")).unwrap()
}

fn input(id_number: &str, kind: &str, channel: &str, amount: &str) -> CaseInput {
    serde_json::from_value(serde_json::json!({
        "kind": kind, "channel": channel,
        "applicant": {"name": "王芳", "id_number": id_number, "residence": "urban"},
        "reason": "serious_illness", "requested_amount": amount,
    }))
    .unwrap()
}

/// A store with a day's work: the budget into the fund, a green case paid
/// from it, a normal case taken to its approval. Its entries and the store.
fn worked(dir: &std::path::Path) -> Store {
    let store = Store::open(dir, &StoreOptions::default()).unwrap();
    let counter = CounterConfig::default();
    let w = Window::new(&store, &counter);
    w.fund_deposit(FundEntry::appropriation(now(8), "head01", Money::yuan(15000))).unwrap();
    let green = w.accept(input("11010519491231002X", "medical", "green", "2000"), "clerk01", now(9)).unwrap();
    w.act(&green.id, &CaseAction::ApproveAsSupervisor(None), "head01", now(10)).unwrap();
    w.pay(&green.id, Some(MoneySource::ReliefFund), None, "clerk01", now(11)).unwrap();
    let normal = w.accept(input("32010619850615351X", "temporary", "normal", "800"), "clerk01", now(9)).unwrap();
    w.act(&normal.id, &CaseAction::Refer(None), "clerk01", now(10)).unwrap();
    store
}

fn entries(store: &Store) -> Vec<AuditEntry> {
    store.audit_log(&AuditFilter::default()).unwrap()
}

/// Rewrites entries inside the store, as someone with the files could.
fn rewrite(store: &Store, f: impl Fn(&Tx) -> TxResult<(), StoreError>) {
    match store.write(f) {
        Ok(()) => {}
        Err(WriteError::Refused(e) | WriteError::Store(e)) => panic!("{e}"),
    }
}

fn raw(store: &Store, seq: u64) -> Vec<u8> {
    let mut out = None;
    store
        .walk_prefix(AUDIT, &entry_key(seq), |_, v| {
            out = Some(v.to_vec());
            Ok(ControlFlow::Break(()))
        })
        .unwrap();
    out.unwrap()
}

#[test]
fn every_change_is_chained_in_its_own_commit_and_a_refusal_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = worked(dir.path());
    let log = entries(&store);
    let actions: Vec<(AuditAction, &str)> = log.iter().map(|e| (e.action, e.detail.as_deref().unwrap_or(""))).collect();
    assert_eq!(
        actions,
        vec![
            (AuditAction::FundMovement, "ledger entry 1: appropriation"),
            (AuditAction::CaseAccepted, "medical green"),
            (AuditAction::CaseStep, "approved: 2000.00"),
            (AuditAction::FundMovement, "ledger entry 2: disbursement"),
            (AuditAction::CaseStep, "disbursed: 2000.00 from relief_fund"),
            (AuditAction::CaseAccepted, "temporary normal"),
            (AuditAction::CaseStep, "referred: civil_affairs"),
        ]
    );
    assert_eq!(log[2].by, "head01", "the approval names who approved");
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=7).collect::<Vec<_>>());
    let chain = store.audit_verify(&[]).unwrap().unwrap();
    let head = store.audit_head().unwrap().unwrap();
    assert_eq!((chain.entries, chain.head), (head.seq, head.digest));

    // A refused step writes neither the change nor an audit entry.
    let before = store.fingerprint().unwrap();
    let counter = CounterConfig::default();
    let w = Window::new(&store, &counter);
    let id = log[5].case.clone().unwrap();
    assert!(w.act(&id, &CaseAction::Disburse, "clerk01", now(12)).is_err());
    assert_eq!(store.fingerprint().unwrap(), before);

    // Reopened, the chain goes on from its head.
    let store = store.reopen(&StoreOptions::default()).unwrap();
    let counter = CounterConfig::default();
    Window::new(&store, &counter).act(&id, &CaseAction::Withdraw(None), "clerk01", now(12)).unwrap();
    let log = entries(&store);
    assert_eq!(log[7].seq, 8);
    assert_eq!(log[7].prev, head.digest);
    assert!(store.audit_verify(&[]).unwrap().is_ok());
}

#[test]
fn the_log_selects_by_case_operator_and_day() {
    let dir = tempfile::tempdir().unwrap();
    let store = worked(dir.path());
    let green = entries(&store)[1].case.clone().unwrap();
    let of_case = store.audit_log(&AuditFilter { case: Some(green.clone()), ..Default::default() }).unwrap();
    assert_eq!(of_case.len(), 4, "accepted, approved, the fund's payment, disbursed");
    let by_head = store.audit_log(&AuditFilter { operator: Some("head01".into()), ..Default::default() }).unwrap();
    assert_eq!(by_head.len(), 2);
    let other_day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1);
    assert!(store.audit_log(&AuditFilter { day: other_day, ..Default::default() }).unwrap().is_empty());
}

#[test]
fn an_altered_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = worked(dir.path());
    // The amount of the fund's payment made smaller, its stored digest left.
    let mut e = entries(&store)[3].clone();
    let digest = Digest(raw(&store, 4)[..32].try_into().unwrap());
    e.amount = Some(Money::yuan(20));
    rewrite(&store, |tx| tx.put_item(AUDIT, &entry_key(4), &stored_bytes(&e, digest).unwrap()));
    assert_eq!(store.audit_verify(&[]).unwrap(), Err(ChainBreak::Altered { seq: 4 }));
    // Its digest made right too: the entry after still names the old one.
    rewrite(&store, |tx| tx.put_item(AUDIT, &entry_key(4), &stored_bytes(&e, e.digest()).unwrap()));
    assert_eq!(store.audit_verify(&[]).unwrap(), Err(ChainBreak::Altered { seq: 4 }));
    // Bytes that no longer read at all.
    rewrite(&store, |tx| tx.put_item(AUDIT, &entry_key(4), &[7; 40]));
    assert_eq!(store.audit_verify(&[]).unwrap(), Err(ChainBreak::Altered { seq: 4 }));
}

#[test]
fn a_removed_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = worked(dir.path());
    rewrite(&store, |tx| tx.remove_item(AUDIT, &entry_key(3)));
    assert_eq!(store.audit_verify(&[]).unwrap(), Err(ChainBreak::Removed { from: 3, to: 3 }));

    // The last entry gone and the head moved back with it: the paper anchor shows it.
    let dir = tempfile::tempdir().unwrap();
    let store = worked(dir.path());
    let anchor = store.audit_head().unwrap().unwrap();
    let before = Digest(raw(&store, 6)[..32].try_into().unwrap());
    rewrite(&store, |tx| {
        tx.remove_item(AUDIT, &entry_key(7))?;
        tx.put_item(AUDIT, HEAD_KEY, &AuditHead { seq: 6, digest: before }.encode())
    });
    assert!(store.audit_verify(&[]).unwrap().is_ok(), "inside the store it is whole");
    assert_eq!(
        store.audit_verify(&[(anchor.seq, anchor.digest)]).unwrap(),
        Err(ChainBreak::Removed { from: 7, to: 7 })
    );
}

#[test]
fn a_reordered_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = worked(dir.path());
    let (two, three) = (raw(&store, 2), raw(&store, 3));
    rewrite(&store, |tx| {
        tx.put_item(AUDIT, &entry_key(2), &three)?;
        tx.put_item(AUDIT, &entry_key(3), &two)
    });
    assert_eq!(store.audit_verify(&[]).unwrap(), Err(ChainBreak::Reordered { seq: 2 }));
}

/// Someone with the files rewrites the whole chain consistently from entry
/// 4 on (the fund's payment made smaller, every digest and the head made
/// right): the store finds nothing, but the head printed on the daily
/// summary a supervisor signed no longer matches.
#[test]
fn a_consistent_rewrite_is_caught_by_the_head_on_the_daily_summary() {
    use crate::receipt::{self, DailySummary, Paper, ReceiptContext, Templates};
    let dir = tempfile::tempdir().unwrap();
    let store = worked(dir.path());
    let day = now(17).date_naive();
    let mut summary = DailySummary::tally(day, std::iter::empty());
    summary.audit_head = store.audit_head().unwrap().map(|h| (h.seq, h.digest));
    let ctx = ReceiptContext::new("宁海路街道", 3, "025-83331234", Paper::MM58);
    let paper = receipt::to_text(&receipt::daily_summary(&summary, &ctx, &Templates::builtin().unwrap())).join("\n");
    let anchor = crate::receipt::anchor_on_paper(&paper).expect("the head is on the paper");
    assert_eq!(anchor, summary.audit_head.unwrap());

    let mut forged = entries(&store);
    forged[3].amount = Some(Money::yuan(20));
    rewrite(&store, |tx| {
        let mut prev = forged[2].digest();
        for e in forged.iter().skip(3) {
            let mut e = e.clone();
            e.prev = prev;
            prev = e.digest();
            tx.put_item(AUDIT, &entry_key(e.seq), &stored_bytes(&e, prev).unwrap())?;
        }
        tx.put_item(AUDIT, HEAD_KEY, &AuditHead { seq: 7, digest: prev }.encode())
    });
    assert!(store.audit_verify(&[]).unwrap().is_ok(), "consistent inside the store");
    assert_ne!(store.audit_head().unwrap().unwrap().digest, anchor.1);
    assert_eq!(store.audit_verify(&[anchor]).unwrap(), Err(ChainBreak::AnchorMismatch { seq: 7 }));
}
