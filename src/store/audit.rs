//! The audit chain in the store: one entry per change, appended by the same
//! transaction as the change (a case written, a fund entry, an operator
//! changed…), each carrying the SHA-256 of the entry before (the chain rule
//! is `domain::audit`). Items, in runs: `e` ++ seq (u64, big-endian) -> the
//! entry's digest (32 bytes) ++ the entry; `h` -> the head: seq ++ digest.
//! The chain of a store made before it existed begins at its first change
//! after the upgrade.

use std::cell::RefCell;
use std::ops::ControlFlow;

use super::{abort, damaged, decode, encode, Store, StoreError, Tx, TxResult, AUDIT};
use crate::domain::audit::{self, AuditAction, AuditEntry, ChainBreak, ChainHead, Digest, StoredEntry};
use crate::domain::case::HistoryAction;
use crate::domain::fund::{CorrectionSign, FundEntry, FundEntryKind};
use crate::domain::report::action_code;
use crate::domain::{Case, CaseId, MoneySource};

const HEAD_KEY: &[u8] = b"h";
const ENTRY_PREFIX: &[u8] = b"e";

fn entry_key(seq: u64) -> Vec<u8> {
    let mut k = ENTRY_PREFIX.to_vec();
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The last entry of the chain: its number and digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: u64,
    pub digest: Digest,
}

impl AuditHead {
    fn decode(bytes: &[u8]) -> Option<AuditHead> {
        let seq = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
        let digest = Digest(bytes.get(8..40)?.try_into().ok()?);
        Some(AuditHead { seq, digest })
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = self.seq.to_be_bytes().to_vec();
        out.extend_from_slice(&self.digest.0);
        out
    }
}

/// An entry as the store keeps it: its digest, then the entry.
fn stored_bytes(entry: &AuditEntry, digest: Digest) -> Result<Vec<u8>, StoreError> {
    let mut out = digest.0.to_vec();
    out.extend_from_slice(&encode(entry, "audit entry")?);
    Ok(out)
}

/// An entry read back; `None` when its bytes cannot be read (an altered entry).
fn read_stored(key: &[u8], value: &[u8]) -> Option<StoredEntry> {
    let key_seq = u64::from_be_bytes(key.get(1..9)?.try_into().ok()?);
    let digest = Digest(value.get(..32)?.try_into().ok()?);
    let entry: AuditEntry = decode(value.get(32..)?, "audit entry").ok()?;
    Some(StoredEntry { key_seq, entry, digest })
}

impl Tx<'_> {
    /// The head of the chain as this transaction sees it.
    fn audit_head<E>(&self) -> TxResult<Option<AuditHead>, E> {
        match self.item(AUDIT, HEAD_KEY)? {
            None => Ok(None),
            Some(bytes) => match AuditHead::decode(&bytes) {
                Some(h) => Ok(Some(h)),
                None => abort(damaged(&self.store.dir, "the audit chain's head has the wrong size")),
            },
        }
    }

    /// Appends `entry` to the audit chain in this transaction (its `seq` and
    /// `prev` are set here); its digest.
    pub fn audit<E>(&self, mut entry: AuditEntry) -> TxResult<Digest, E> {
        let head = self.audit_head()?;
        entry.seq = head.map_or(1, |h| h.seq + 1);
        entry.prev = head.map_or(Digest::GENESIS, |h| h.digest);
        let digest = entry.digest();
        let bytes = match stored_bytes(&entry, digest) {
            Ok(b) => b,
            Err(e) => return abort(e),
        };
        self.put_item(AUDIT, &entry_key(entry.seq), &bytes)?;
        self.put_item(AUDIT, HEAD_KEY, &AuditHead { seq: entry.seq, digest }.encode())?;
        Ok(digest)
    }

    /// Audits a case written: a new case once (accepted, or imported), each
    /// history entry this write added, or, with none, that the record changed.
    pub(super) fn audit_case<E>(&self, old: Option<&Case>, case: &Case, imported: bool) -> TxResult<(), E> {
        let id = Some(case.id.clone());
        if old.is_none() {
            let (action, at, by) = match (imported, case.history.last()) {
                (true, Some(h)) => (AuditAction::Imported, h.at, h.by.clone()),
                _ => (AuditAction::CaseAccepted, case.received_at, case.operator.clone()),
            };
            let mut e = AuditEntry::new(at, &by, action);
            e.case = id.clone();
            e.amount = Some(case.requested_amount);
            e.detail = Some(format!("{} {}", case.kind.code(), case.channel.code()));
            // Four eyes: the supervisor who let a duplicate through is the second person.
            if !imported {
                e.second = case.history.iter().find(|h| h.action == HistoryAction::Override).map(|h| h.by.clone());
            }
            self.audit(e)?;
            if !imported {
                for h in case.history.iter().filter(|h| h.action == HistoryAction::Override) {
                    let mut e = AuditEntry::new(h.at, &h.by, AuditAction::Override);
                    e.case = id.clone();
                    e.detail = h.note.clone();
                    self.audit(e)?;
                }
            }
            return Ok(());
        }
        let before = old.map_or(0, |o| o.history.len());
        let added = case.history.get(before..).unwrap_or_default();
        if added.is_empty() {
            let mut e = AuditEntry::new(case.received_at, &case.operator, AuditAction::CaseStep);
            e.case = id;
            e.detail = Some("record changed".into());
            return self.audit(e).map(|_| ());
        }
        for (i, h) in added.iter().enumerate() {
            if h.action == HistoryAction::Countersigned {
                // In the audit entry of the step it countersigned (its `second`).
                continue;
            }
            let mut action = match h.action {
                HistoryAction::Override => AuditAction::Override,
                HistoryAction::Imported => AuditAction::Imported,
                _ => AuditAction::CaseStep,
            };
            let mut e = AuditEntry::new(h.at, &h.by, action);
            e.case = id.clone();
            e.second = added.get(i + 1).filter(|n| n.action == HistoryAction::Countersigned).map(|n| n.by.clone());
            let mut detail = action_code(h.action).to_string();
            if let Some(note) = &h.note {
                detail.push_str(": ");
                detail.push_str(note);
            }
            if matches!(h.action, HistoryAction::Approved | HistoryAction::Disbursed) {
                e.amount = h.note.as_deref().and_then(|n| n.parse().ok()).or(case.granted_amount);
            }
            if h.action == HistoryAction::Disbursed {
                if let Some(p) = &case.payment {
                    detail.push_str(&format!(" from {}", p.source.code()));
                    if let Some(r) = &p.transfer_ref {
                        detail.push_str(&format!(", transfer {r}"));
                    }
                    if p.source == MoneySource::Budget {
                        action = AuditAction::BudgetPayment;
                    }
                }
            }
            e.action = action;
            e.detail = Some(detail);
            self.audit(e)?;
        }
        Ok(())
    }

    /// Audits an entry of the relief fund's ledger, numbered `number`.
    pub(super) fn audit_fund<E>(&self, entry: &FundEntry, number: u64) -> TxResult<(), E> {
        let mut e = AuditEntry::new(entry.at, &entry.by, AuditAction::FundMovement);
        e.amount = Some(entry.amount);
        let what = match &entry.kind {
            FundEntryKind::Appropriation => "appropriation".to_string(),
            FundEntryKind::Donation { donor } => format!("donation from {donor}"),
            FundEntryKind::Disbursement { case } => {
                e.case = Some(case.clone());
                "disbursement".to_string()
            }
            FundEntryKind::Correction { sign: CorrectionSign::Increase, reason } => format!("correction +: {reason}"),
            FundEntryKind::Correction { sign: CorrectionSign::Decrease, reason } => format!("correction -: {reason}"),
        };
        e.detail = Some(format!("ledger entry {number}: {what}"));
        self.audit(e).map(|_| ())
    }
}

/// What `audit log` selects.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub case: Option<CaseId>,
    pub operator: Option<String>,
    pub day: Option<chrono::NaiveDate>,
}

impl AuditFilter {
    fn matches(&self, e: &AuditEntry) -> bool {
        self.case.as_ref().is_none_or(|c| e.case.as_ref() == Some(c))
            && self.operator.as_ref().is_none_or(|o| e.by == *o || e.second.as_ref() == Some(o))
            && self.day.is_none_or(|d| e.at.date_naive() == d)
    }
}

impl Store {
    /// The head of the audit chain; `None` before the first entry.
    pub fn audit_head(&self) -> Result<Option<AuditHead>, StoreError> {
        match self.item(AUDIT, HEAD_KEY)? {
            None => Ok(None),
            Some(bytes) => AuditHead::decode(&bytes)
                .map(Some)
                .ok_or_else(|| damaged(&self.dir, "the audit chain's head has the wrong size")),
        }
    }

    /// Walks the whole chain (streaming: a million entries are never all in
    /// memory) and names the first entry altered, removed or reordered, or an
    /// anchor recorded outside the store (seq, digest) that no longer
    /// matches. The head recorded in the store must be the chain's last entry.
    pub fn audit_verify(&self, anchors: &[(u64, Digest)]) -> Result<Result<ChainHead, ChainBreak>, StoreError> {
        let head = self.audit_head()?;
        let unreadable: RefCell<Option<u64>> = RefCell::new(None);
        let mut buffer: Vec<StoredEntry> = Vec::new();
        let mut next_key = entry_key(0);
        let mut done = false;
        let walk_more = |buffer: &mut Vec<StoredEntry>, next_key: &mut Vec<u8>, done: &mut bool| {
            let mut taken = 0;
            self.walk(AUDIT, &next_key.clone(), |k, v| {
                if !k.starts_with(ENTRY_PREFIX) {
                    return Ok(ControlFlow::Break(()));
                }
                match read_stored(k, v) {
                    Some(s) => buffer.push(s),
                    None => {
                        let seq = k.get(1..9).and_then(|b| b.try_into().ok()).map_or(0, u64::from_be_bytes);
                        *unreadable.borrow_mut() = Some(seq);
                        return Ok(ControlFlow::Break(()));
                    }
                }
                taken += 1;
                let mut after = k.to_vec();
                after.push(0);
                *next_key = after;
                Ok(if taken >= 4096 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
            })?;
            if taken < 4096 {
                *done = true;
            }
            buffer.reverse();
            Ok::<(), StoreError>(())
        };
        let failed: RefCell<Option<StoreError>> = RefCell::new(None);
        let entries = std::iter::from_fn(|| loop {
            if let Some(s) = buffer.pop() {
                return Some(s);
            }
            if done || unreadable.borrow().is_some() {
                return None;
            }
            if let Err(e) = walk_more(&mut buffer, &mut next_key, &mut done) {
                *failed.borrow_mut() = Some(e);
                return None;
            }
        });
        let walked = audit::verify(entries, anchors);
        if let Some(e) = failed.into_inner() {
            return Err(e);
        }
        if let Some(seq) = unreadable.into_inner() {
            // An entry whose bytes no longer read was altered; one before it that broke the chain comes first.
            return Ok(Err(walked.err().unwrap_or(ChainBreak::Altered { seq })));
        }
        let chain = match walked {
            Ok(c) => c,
            Err(b) => return Ok(Err(b)),
        };
        match head {
            Some(h) if h.seq > chain.entries => Ok(Err(ChainBreak::Removed { from: chain.entries + 1, to: h.seq })),
            Some(h) if h.seq != chain.entries || h.digest != chain.head => {
                Ok(Err(ChainBreak::Altered { seq: chain.entries }))
            }
            None if chain.entries > 0 => Ok(Err(ChainBreak::Altered { seq: chain.entries })),
            _ => Ok(Ok(chain)),
        }
    }

    /// The entries `filter` selects, in chain order.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::new();
        self.walk_prefix(AUDIT, ENTRY_PREFIX, |k, v| {
            let Some(s) = read_stored(k, v) else {
                return Err(damaged(&self.dir, "an audit entry cannot be read; run `onedoor audit verify`"));
            };
            if filter.matches(&s.entry) {
                out.push(s.entry);
            }
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
