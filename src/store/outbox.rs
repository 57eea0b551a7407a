//! The outbox: finished cases (completed, rejected, withdrawn) waiting to be
//! forwarded to the district, the dead letters the district refused for good,
//! and the district's receipts. A case enters the outbox in the same
//! transaction that finishes it ([`Tx::enqueue_if_finished`], called from the
//! one place a case is written), so a finished case can never miss being
//! forwarded, across a power cut too. An entry keeps how many times it was
//! tried, when it may be tried next and what went wrong last; what the
//! forwarder learns from the district is written back in one transaction per
//! batch ([`Store::record_forwarding`]).
//!
//! Plain trees, keyed by case id: `outbox` (-> [`OutboxEntry`]; an empty
//! value is an entry written before entries carried their attempts),
//! `dead_letters` (-> [`DeadLetter`]), `district_receipts` (-> [`DistrictReceipt`]).

use serde::{Deserialize, Serialize};

use super::{abort, encode, never, refuse, sled_error, Store, StoreError, Tx, TxResult, WriteError};
use super::{DEAD_LETTERS, DISTRICT_CHECKS, META, OUTBOX, RECEIPTS};
use crate::domain::case::HistoryAction;
use crate::domain::{Case, CaseId};

/// In `meta`: set once every case finished before the outbox held rejected and
/// withdrawn cases (and before it kept receipts) has been put in it: the first
/// open after the upgrade.
pub(super) const FILLED_KEY: &[u8] = b"outbox-filled";

/// Cases put in the outbox per transaction while filling it at the upgrade.
const FILL_BATCH: usize = 2000;

/// A finished case waiting to be forwarded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// When it entered the outbox (Unix milliseconds; 0 when not known).
    pub queued_ms: i64,
    /// How many times the district was asked and said "later" (or could not be reached).
    pub attempts: u32,
    /// Not to be sent before this (Unix milliseconds; 0: at once).
    pub next_attempt_ms: i64,
    /// What went wrong the last time, in the words of the moment.
    pub last_error: Option<String>,
}

/// A case the district refused for good (400, 413, 422): it waits here, with
/// the district's reason, until someone fixes it and runs `outbox retry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The HTTP status the district answered.
    pub status: u16,
    /// The district's reason (the problem's detail).
    pub reason: String,
    /// When it was refused (Unix milliseconds).
    pub at_ms: i64,
    pub attempts: u32,
}

/// What the district answered when it took the case: its reference and when
/// it first received it (as the district wrote it, RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictReceipt {
    pub receipt_id: String,
    pub received_at: String,
}

/// Where one case stands with the district ([`Store::forwarding_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forwarding {
    /// Not finished, or imported: nothing to forward.
    None,
    Waiting(OutboxEntry),
    Dead(DeadLetter),
    Received(DistrictReceipt),
}

/// How a case's intake looked for earlier help: with the district's records
/// (and the other towns' cases it found), or in this store only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictCheckRecord {
    pub with_district: bool,
    /// `TOWN CASE_ID` of each case of another town the district named.
    pub found: Vec<String>,
}

/// What the district made of one forwarded case, to be written back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forwarded {
    /// 201 / 200: out of the outbox, the receipt kept with the case.
    Taken { id: CaseId, receipt: DistrictReceipt },
    /// Try again later: the entry as it now is (attempts, next attempt, last error).
    Later { id: CaseId, entry: OutboxEntry },
    /// Refused for good: into the dead letters.
    Refused { id: CaseId, dead: DeadLetter },
}

/// `outbox retry` of a case that is not a dead letter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetryError {
    #[error("case {0} is not in the dead letters")]
    NotDead(CaseId),
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn key(id: &CaseId) -> &[u8] {
    id.as_str().as_bytes()
}

fn parse_id(k: &[u8]) -> Option<CaseId> {
    std::str::from_utf8(k).ok().and_then(|s| s.parse().ok())
}

/// A finished case that was brought in by an import was forwarded where it came from.
fn imported(case: &Case) -> bool {
    case.history.iter().any(|h| h.action == HistoryAction::Imported)
}

/// When a case entered the outbox: its last step (the one that finished it).
fn queued_at(case: &Case) -> i64 {
    case.history.last().map_or_else(now_ms, |h| h.at.timestamp_millis())
}

impl Tx<'_> {
    /// Puts `case` in the outbox if this write finishes it. The one place a
    /// case enters the outbox, called by every write of a case the window made.
    pub(super) fn enqueue_if_finished<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        if case.state.is_closed() && old.is_none_or(|o| !o.state.is_closed()) {
            self.put_entry(&case.id, &OutboxEntry { queued_ms: queued_at(case), ..OutboxEntry::default() })?;
        }
        Ok(())
    }

    fn put_entry<E>(&self, id: &CaseId, entry: &OutboxEntry) -> TxResult<(), E> {
        match encode(entry, "outbox entry") {
            Ok(bytes) => self.insert(OUTBOX, key(id), bytes),
            Err(e) => abort(e),
        }
    }
}

impl Store {
    /// An entry's record; an empty one was written before entries carried attempts.
    fn read_entry(&self, bytes: &[u8]) -> Result<OutboxEntry, StoreError> {
        if bytes.is_empty() {
            return Ok(OutboxEntry::default());
        }
        self.read(bytes, "outbox entry")
    }

    fn plain_entries<T>(
        &self,
        tree: usize,
        mut read: impl FnMut(&[u8]) -> Result<T, StoreError>,
    ) -> Result<Vec<(CaseId, T)>, StoreError> {
        let _reading = self.reading();
        let mut out = Vec::new();
        for item in self.trees[tree].iter() {
            let (k, v) = item.map_err(|e| sled_error(&self.dir, e))?;
            if let Some(id) = parse_id(&k) {
                out.push((id, read(&v)?));
            }
        }
        Ok(out)
    }

    /// Every case waiting in the outbox, in case id order.
    pub fn outbox(&self) -> Result<Vec<(CaseId, OutboxEntry)>, StoreError> {
        self.plain_entries(OUTBOX, |v| self.read_entry(v))
    }

    /// Finished cases waiting to be forwarded to the district.
    pub fn outbox_ids(&self) -> Result<Vec<CaseId>, StoreError> {
        Ok(self.outbox()?.into_iter().map(|(id, _)| id).collect())
    }

    /// The cases the district refused for good, in case id order.
    pub fn dead_letters(&self) -> Result<Vec<(CaseId, DeadLetter)>, StoreError> {
        self.plain_entries(DEAD_LETTERS, |v| self.read(v, "dead letter"))
    }

    /// How many cases wait in the outbox, and how many are dead letters.
    pub fn outbox_counts(&self) -> (usize, usize) {
        (self.trees[OUTBOX].len(), self.trees[DEAD_LETTERS].len())
    }

    /// Where a case stands with the district: waiting, refused, or its receipt.
    pub fn forwarding_of(&self, id: &CaseId) -> Result<Forwarding, StoreError> {
        let get = |tree: usize| self.trees[tree].get(key(id)).map_err(|e| sled_error(&self.dir, e));
        if let Some(v) = get(RECEIPTS)? {
            return Ok(Forwarding::Received(self.read(&v, "district receipt")?));
        }
        if let Some(v) = get(DEAD_LETTERS)? {
            return Ok(Forwarding::Dead(self.read(&v, "dead letter")?));
        }
        if let Some(v) = get(OUTBOX)? {
            return Ok(Forwarding::Waiting(self.read_entry(&v)?));
        }
        Ok(Forwarding::None)
    }

    /// Keeps how a case's intake looked for earlier help (durably).
    pub fn record_district_check(&self, id: &CaseId, check: &DistrictCheckRecord) -> Result<(), StoreError> {
        let bytes = encode(check, "district check")?;
        never(self.write::<(), std::convert::Infallible>(|tx| tx.insert(DISTRICT_CHECKS, key(id), bytes.clone())))
    }

    pub fn district_check(&self, id: &CaseId) -> Result<Option<DistrictCheckRecord>, StoreError> {
        match self.trees[DISTRICT_CHECKS].get(key(id)).map_err(|e| sled_error(&self.dir, e))? {
            None => Ok(None),
            Some(v) => self.read(&v, "district check").map(Some),
        }
    }

    /// The district's receipt for a forwarded case.
    pub fn district_receipt(&self, id: &CaseId) -> Result<Option<DistrictReceipt>, StoreError> {
        match self.trees[RECEIPTS].get(key(id)).map_err(|e| sled_error(&self.dir, e))? {
            None => Ok(None),
            Some(v) => self.read(&v, "district receipt").map(Some),
        }
    }

    /// Writes back what the district made of forwarded cases, all in one
    /// durable transaction. A case no longer in the outbox is left as it is,
    /// but a receipt is always kept.
    pub fn record_forwarding(&self, outcomes: &[Forwarded]) -> Result<(), StoreError> {
        never(self.write::<(), std::convert::Infallible>(|tx| {
            for outcome in outcomes {
                match outcome {
                    Forwarded::Taken { id, receipt } => {
                        tx.remove(OUTBOX, key(id))?;
                        match encode(receipt, "district receipt") {
                            Ok(bytes) => tx.insert(RECEIPTS, key(id), bytes)?,
                            Err(e) => return abort(e),
                        }
                    }
                    Forwarded::Later { id, entry } => {
                        if tx.get(OUTBOX, key(id))?.is_some() {
                            tx.put_entry(id, entry)?;
                        }
                    }
                    Forwarded::Refused { id, dead } => {
                        if tx.get(OUTBOX, key(id))?.is_some() {
                            tx.remove(OUTBOX, key(id))?;
                            match encode(dead, "dead letter") {
                                Ok(bytes) => tx.insert(DEAD_LETTERS, key(id), bytes)?,
                                Err(e) => return abort(e),
                            }
                        }
                    }
                }
            }
            Ok(())
        }))
    }

    /// Puts a dead letter back in the outbox, to be sent at once (after the
    /// district, or the case, was fixed).
    pub fn retry_dead_letter(&self, id: &CaseId) -> Result<(), WriteError<RetryError>> {
        self.write(|tx| {
            if tx.get(DEAD_LETTERS, key(id))?.is_none() {
                return refuse(RetryError::NotDead(id.clone()));
            }
            tx.remove(DEAD_LETTERS, key(id))?;
            tx.put_entry(id, &OutboxEntry { queued_ms: now_ms(), ..OutboxEntry::default() })
        })
    }

    /// Once, at the first open after the upgrade (a schema-1 store migrated,
    /// or a schema-2 store whose outbox took completed cases only): puts in
    /// the outbox every finished case that has no district receipt and is
    /// neither waiting nor a dead letter. A case brought in by an import was
    /// forwarded where it came from and stays out. Journalled in batches; the
    /// mark that it is done is written with the last one, so a kill half-way
    /// only means the next open goes on with it.
    pub(super) fn fill_outbox_once(&self) -> Result<(), StoreError> {
        if self.trees[META].get(FILLED_KEY).map_err(|e| sled_error(&self.dir, e))?.is_some() {
            return Ok(());
        }
        let has =
            |tree: usize, id: &CaseId| self.trees[tree].contains_key(key(id)).map_err(|e| sled_error(&self.dir, e));
        let mut finished = Vec::new();
        self.walk(super::CASES, &[], |_, v| {
            let case: Case = self.read_case(v)?;
            if case.state.is_closed() && !imported(&case) {
                finished.push((case.id.clone(), queued_at(&case)));
            }
            Ok(std::ops::ControlFlow::Continue(()))
        })?;
        let mut waiting = Vec::new();
        for (id, queued_ms) in finished {
            if !has(OUTBOX, &id)? && !has(DEAD_LETTERS, &id)? && !has(RECEIPTS, &id)? {
                waiting.push((id, queued_ms));
            }
        }
        if !waiting.is_empty() {
            tracing::info!(cases = waiting.len(), "finished cases from before the outbox took them all are put in it");
        }
        let mut batches: Vec<&[(CaseId, i64)]> = waiting.chunks(FILL_BATCH).collect();
        if batches.is_empty() {
            batches.push(&[]);
        }
        let last = batches.len() - 1;
        for (i, batch) in batches.into_iter().enumerate() {
            never(self.write::<(), std::convert::Infallible>(|tx| {
                for (id, queued_ms) in batch {
                    tx.put_entry(id, &OutboxEntry { queued_ms: *queued_ms, ..OutboxEntry::default() })?;
                }
                if i == last {
                    tx.insert(META, FILLED_KEY, [1u8])?;
                }
                Ok(())
            }))?;
        }
        Ok(())
    }
}
