//! The case store: every case, its indexes and the day's counters in one sled
//! database, changed only in single transactions. A transaction runs under the
//! store's commit lock, is written whole to the commit journal and synced (one
//! `fdatasync`, see `journal.rs`) before it is applied to sled and reported as
//! saved; sled itself is flushed and fsynced at checkpoints, and the journal is
//! replayed at open. So a crash at any instant loses no reported commit and
//! leaves no half-applied one.
//!
//! Trees: `cases` (case id -> record), `by_person` (ID number ++ case id ->
//! summary: one range scan gives a person's cases), `by_day` (yyyymmdd ++ case id
//! -> summary: the queue), `by_state` (state ++ case id, open cases only),
//! `by_name` (name ++ 0 ++ case id, for search), `counters` (daily case
//! sequence, ticket numbers), `outbox` (completed cases to forward), `ledger`
//! (the relief fund), `meta` (schema version).

pub mod backup;
mod codec;
mod directory;
mod journal;
mod open;
mod summary;

use std::cell::RefCell;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::NaiveDate;
use std::collections::BTreeMap;

use sled::Tree;

pub use codec::{decode, encode, RECORD_VERSION};
use journal::{Journal, Op};
pub use summary::CaseSummary;

use crate::domain::fund::{Fund, FundEntry, FundError};
use crate::domain::{Case, CaseId, IdNumber, State};

/// The store layout this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// In `meta`: the schema version (u32, big-endian).
const SCHEMA_KEY: &[u8] = b"schema";
/// In `meta`: the journal generation the database was last made durable for
/// (u64, big-endian), written by every checkpoint. A database behind its
/// journal has lost commits.
const CHECKPOINT_KEY: &[u8] = b"checkpoint";

/// Store settings from the config.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// sled's page cache; the kiosk default is 32 MiB.
    pub cache_mb: u64,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions { cache_mb: 32 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store {} is in use by another onedoor process", .0.display())]
    InUse(PathBuf),
    #[error("cannot use the store {}: {source}", dir.display())]
    Io { dir: PathBuf, source: std::io::Error },
    /// The store cannot be used as it is: what is damaged, and how to recover.
    #[error(
        "the store {} is damaged: {what}. No record in it was changed. Restore the last backup with \
         `onedoor restore BACKUP_DIR` (the damaged store is kept aside), or ask for support",
        dir.display()
    )]
    Damaged { dir: PathBuf, what: String },
    /// A failure that is not the store's content (a commit that stopped half-way…).
    #[error("{0}")]
    Failed(String),
    #[error(
        "the store was written by a newer onedoor (schema {found}; this one reads {SCHEMA_VERSION}); upgrade onedoor"
    )]
    NewerSchema { found: u32 },
    #[error("a stored {what} has record version {version}, which this onedoor does not know; upgrade onedoor")]
    UnknownRecordVersion { what: &'static str, version: u8 },
    #[error("the {what} is too large to store ({size} bytes; the limit is {limit})")]
    TooLarge { what: &'static str, size: usize, limit: usize },
    #[error("no case {0}")]
    NotFound(CaseId),
    #[error("case {0} is already in the store")]
    AlreadyExists(CaseId),
}

impl StoreError {
    /// Refusals of the input (exit 2) as against failures of the environment (exit 1).
    pub fn is_refusal(&self) -> bool {
        matches!(self, StoreError::NotFound(_) | StoreError::AlreadyExists(_) | StoreError::TooLarge { .. })
    }
}

/// A write that was refused by the caller's rule (`Refused`) or failed in the store.
#[derive(Debug, thiserror::Error)]
pub enum WriteError<E> {
    #[error("{0}")]
    Refused(E),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Inside a transaction: either the caller's refusal or a store error, both abort.
pub type TxResult<T, E> = Result<T, WriteError<E>>;

fn abort<T, E>(e: StoreError) -> TxResult<T, E> {
    Err(WriteError::Store(e))
}

/// Refuses inside a transaction: nothing is written.
pub fn refuse<T, E>(e: E) -> TxResult<T, E> {
    Err(WriteError::Refused(e))
}

/// The open store. One process per store (sled locks the directory).
pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    db_file: File,
    trees: [Tree; TREE_COUNT],
    /// Held for the whole of a commit, so the journal's order is the commit order.
    journal: Mutex<Journal>,
    /// Set when a journalled commit could not be applied (or the journal could
    /// not be written): no more writes, and no checkpoint that would drop the
    /// record; the next open replays it.
    poisoned: std::sync::atomic::AtomicBool,
    /// The lock on the store's directory: one process per store. Dropped
    /// last, after sled has let go of its files.
    _lock: File,
}

const CASES: usize = 0;
const BY_PERSON: usize = 1;
const BY_DAY: usize = 2;
const BY_STATE: usize = 3;
const COUNTERS: usize = 4;
const OUTBOX: usize = 5;
const LEDGER: usize = 6;
const META: usize = 7;
const BY_NAME: usize = 8;
const PENDING: usize = 9;
/// Case id -> the raw (WLT-compressed) photo of the applicant's ID card, kept
/// only when `[devices] keep_photo` is on.
const PHOTOS: usize = 10;
const TREE_COUNT: usize = 11;
const TREE_NAMES: [&str; TREE_COUNT] = [
    "cases",
    "by_person",
    "by_day",
    "by_state",
    "counters",
    "outbox",
    "ledger",
    "meta",
    "by_name",
    "pending_receipts",
    "card_photos",
];

/// A transaction's own writes by (tree, key); `None` is a removal.
type Overlay = BTreeMap<(usize, Vec<u8>), Option<Vec<u8>>>;

/// One transaction over every tree, run while holding the store's commit
/// lock (so no other writer runs at the same time). It reads through its own
/// writes; nothing reaches sled until the whole transaction is in the journal.
pub struct Tx<'a> {
    store: &'a Store,
    /// This transaction's writes, by tree and key: what its own reads see.
    overlay: RefCell<Overlay>,
    writes: RefCell<Vec<Op>>,
}

impl Tx<'_> {
    fn get<E>(&self, tree: usize, key: &[u8]) -> TxResult<Option<Vec<u8>>, E> {
        if let Some(own) = self.overlay.borrow().get(&(tree, key.to_vec())) {
            return Ok(own.clone());
        }
        match self.store.trees[tree].get(key) {
            Ok(v) => Ok(v.map(|v| v.to_vec())),
            Err(e) => abort(sled_error(&self.store.dir, e)),
        }
    }

    fn insert<E>(&self, tree: usize, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> TxResult<(), E> {
        let (key, value) = (key.into(), value.into());
        self.overlay.borrow_mut().insert((tree, key.clone()), Some(value.clone()));
        self.writes.borrow_mut().push(Op { tree: tree as u8, key, value: Some(value) });
        Ok(())
    }

    fn remove<E>(&self, tree: usize, key: impl Into<Vec<u8>>) -> TxResult<(), E> {
        let key = key.into();
        self.overlay.borrow_mut().insert((tree, key.clone()), None);
        self.writes.borrow_mut().push(Op { tree: tree as u8, key, value: None });
        Ok(())
    }

    /// Reads a case inside the transaction.
    pub fn case<E>(&self, id: &CaseId) -> TxResult<Option<Case>, E> {
        match self.get(CASES, id.as_str().as_bytes())? {
            None => Ok(None),
            Some(bytes) => match self.store.read::<Case>(&bytes, "case") {
                Ok(c) => Ok(Some(c)),
                Err(e) => abort(e),
            },
        }
    }

    /// Writes a case and brings every index entry in line with it, in this
    /// transaction; a case that becomes completed goes into the outbox.
    pub fn put_case<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        self.write_case(old, case, true)
    }

    /// Writes a case brought in by an import: indexed, but never put in the
    /// outbox (it was forwarded where it came from).
    pub fn put_imported_case<E>(&self, case: &Case) -> TxResult<(), E> {
        self.write_case(None, case, false)
    }

    fn write_case<E>(&self, old: Option<&Case>, case: &Case, outbox: bool) -> TxResult<(), E> {
        let bytes = match encode(case, "case") {
            Ok(b) => b,
            Err(e) => return abort(e),
        };
        let summary = match encode(&CaseSummary::of(case), "case summary") {
            Ok(b) => b,
            Err(e) => return abort(e),
        };
        if let Some(old) = old {
            for id_number in old.id_numbers() {
                self.remove(BY_PERSON, summary::person_key(id_number, &old.id))?;
            }
            self.remove(BY_DAY, summary::day_key(old.day(), &old.id))?;
            if !old.state.is_closed() && old.state != case.state {
                self.remove(BY_STATE, summary::state_key(old.state, &old.id))?;
            }
            if old.applicant.name != case.applicant.name {
                self.remove(BY_NAME, summary::name_key(&old.applicant.name, &old.id))?;
            }
        }
        self.insert(CASES, case.id.as_str().as_bytes(), bytes)?;
        for id_number in case.id_numbers() {
            self.insert(BY_PERSON, summary::person_key(id_number, &case.id), summary.clone())?;
        }
        self.insert(BY_DAY, summary::day_key(case.day(), &case.id), summary.clone())?;
        if !case.state.is_closed() && old.map(|o| o.state) != Some(case.state) {
            self.insert(BY_STATE, summary::state_key(case.state, &case.id), [])?;
        }
        if old.map(|o| &o.applicant.name) != Some(&case.applicant.name) {
            self.insert(BY_NAME, summary::name_key(&case.applicant.name, &case.id), [])?;
        }
        if outbox && case.state == State::Completed && old.map(|o| o.state) != Some(State::Completed) {
            self.insert(OUTBOX, case.id.as_str().as_bytes(), [])?;
        }
        Ok(())
    }

    /// Appends an entry to the relief fund's ledger in this transaction, or
    /// refuses it (over the balance, zero, unnamed donor…) and writes nothing.
    pub fn fund_apply<E: From<FundError>>(&self, entry: &FundEntry) -> TxResult<Fund, E> {
        let mut fund: Fund = match self.get(LEDGER, FUND_STATE_KEY)? {
            Some(bytes) => match self.store.read(&bytes, "fund balance") {
                Ok(f) => f,
                Err(e) => return abort(e),
            },
            None => Fund::default(),
        };
        if let Err(e) = fund.apply(entry) {
            return refuse(E::from(e));
        }
        let seq = match self.get(LEDGER, FUND_NEXT_KEY)? {
            Some(v) if v.len() == 8 => u64::from_be_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]]),
            Some(_) => return abort(damaged(&self.store.dir, "the ledger's entry counter has the wrong size")),
            None => 0,
        };
        let (state, record) = match (encode(&fund, "fund balance"), encode(entry, "fund entry")) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return abort(e),
        };
        let mut key = FUND_ENTRY_PREFIX.to_vec();
        key.extend_from_slice(&seq.to_be_bytes());
        self.insert(LEDGER, key, record)?;
        self.insert(LEDGER, FUND_NEXT_KEY, (seq + 1).to_be_bytes())?;
        self.insert(LEDGER, FUND_STATE_KEY, state)?;
        Ok(fund)
    }

    /// Takes the next number of a daily counter (starting at 1).
    pub fn next_number<E>(&self, key: &[u8]) -> TxResult<u32, E> {
        let current = match self.get(COUNTERS, key)? {
            Some(v) if v.len() == 4 => u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            Some(_) => return abort(damaged(&self.store.dir, "a counter has the wrong size")),
            None => 0,
        };
        if current >= MAX_SEQUENCE {
            return abort(StoreError::Failed(format!(
                "the numbers of {} are used up ({MAX_SEQUENCE})",
                String::from_utf8_lossy(key)
            )));
        }
        let next = current + 1;
        self.insert(COUNTERS, key, next.to_be_bytes())?;
        Ok(next)
    }

    /// The id of the next case of a window on `day`. Never one already in the
    /// store: if the day's counter is behind the cases (a store whose counter
    /// was lost), it is moved on past the highest case of the day.
    pub fn next_case_id<E>(&self, town_code: &str, window: u8, day: NaiveDate) -> TxResult<CaseId, E> {
        let key = sequence_key(town_code, window, day);
        let id = CaseId::new(town_code, window, day, self.next_number(&key)?);
        if self.case::<E>(&id)?.is_none() {
            return Ok(id);
        }
        let prefix = format!("{town_code}-{window:02}-{}-", day.format("%Y%m%d"));
        let mut highest = 0;
        for item in self.store.trees[CASES].scan_prefix(prefix.as_bytes()).keys() {
            let k = match item {
                Ok(k) => k,
                Err(e) => return abort(sled_error(&self.store.dir, e)),
            };
            let seq = std::str::from_utf8(&k).ok().and_then(|s| s.parse::<CaseId>().ok()).map(|id| id.seq());
            highest = highest.max(seq.unwrap_or(0));
        }
        tracing::warn!(
            "{}: the case counter of {prefix}* was behind the cases in the store (at {}); continuing after {highest}",
            self.store.dir.display(),
            id.seq()
        );
        self.raise_number(&key, highest)?;
        let next = CaseId::new(town_code, window, day, self.next_number(&key)?);
        match self.case::<E>(&next)? {
            None => Ok(next),
            Some(_) => abort(StoreError::AlreadyExists(next)),
        }
    }

    /// Raises a counter to at least `value` (used when importing cases with their ids).
    pub fn raise_number<E>(&self, key: &[u8], value: u32) -> TxResult<(), E> {
        let current = match self.get(COUNTERS, key)? {
            Some(v) if v.len() == 4 => u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            Some(_) => return abort(damaged(&self.store.dir, "a counter has the wrong size")),
            None => 0,
        };
        if value > current {
            self.insert(COUNTERS, key, value.to_be_bytes())?;
        }
        Ok(())
    }
}

/// The largest daily case or ticket number (a case id has at most 6 sequence digits).
pub const MAX_SEQUENCE: u32 = 999_999;

const FUND_STATE_KEY: &[u8] = b"state";
const FUND_NEXT_KEY: &[u8] = b"next";
const FUND_ENTRY_PREFIX: &[u8] = b"e/";

/// The counter key of the daily case sequence of one window.
pub fn sequence_key(town_code: &str, window: u8, day: NaiveDate) -> Vec<u8> {
    format!("seq/{town_code}-{window:02}/{}", day.format("%Y%m%d")).into_bytes()
}

/// The counter key of the day's waiting tickets.
pub fn ticket_key(day: NaiveDate) -> Vec<u8> {
    format!("ticket/{}", day.format("%Y%m%d")).into_bytes()
}

impl Store {
    /// Is there a store in `dir` (whole, or damaged: not absent, nor left
    /// half-made by a stopped onedoor)? A command that only reads asks first,
    /// so it never makes an empty store where there was none.
    pub fn exists(dir: &Path) -> bool {
        use directory::Found;
        matches!(directory::survey(dir), Ok(Found::Whole | Found::NoJournal | Found::NoDatabase))
    }

    /// Applies again, in commit order, the journalled commits since the last
    /// checkpoint (after a crash sled may not have kept them), then checkpoints.
    fn replay(&self, unapplied: Vec<Vec<Op>>) -> Result<(), StoreError> {
        if unapplied.is_empty() {
            return Ok(());
        }
        tracing::info!(commits = unapplied.len(), "replaying the commit journal");
        for ops in &unapplied {
            self.apply(ops)?;
        }
        self.sync()
    }

    /// Applies a committed transaction's writes to sled in order (the case
    /// before the index entries that point at it). Single inserts: for a
    /// handful of keys they cost a third of sled batches.
    fn apply(&self, ops: &[Op]) -> Result<(), StoreError> {
        for op in ops {
            let tree = self
                .trees
                .get(usize::from(op.tree))
                .ok_or_else(|| damaged(&self.dir, &format!("its commit journal names tree {}", op.tree)))?;
            match &op.value {
                Some(v) => tree.insert(op.key.as_slice(), v.as_slice()).map(|_| ()),
                None => tree.remove(op.key.as_slice()).map(|_| ()),
            }
            .map_err(|e| sled_error(&self.dir, e))?;
        }
        Ok(())
    }

    fn lock_journal(&self) -> Result<MutexGuard<'_, Journal>, StoreError> {
        self.journal
            .lock()
            .map_err(|_| StoreError::Failed("a commit failed half-way in another thread; restart onedoor".into()))
    }

    /// Makes sled itself durable and starts a new journal generation.
    fn checkpoint(&self, journal: &mut Journal) -> Result<(), StoreError> {
        let io = |source| StoreError::Io { dir: self.dir.clone(), source };
        let next = journal.generation().wrapping_add(1);
        self.trees[META].insert(CHECKPOINT_KEY, &next.to_be_bytes()).map_err(|e| sled_error(&self.dir, e))?;
        self.db.flush().map_err(|e| sled_error(&self.dir, e))?;
        self.db_file.sync_data().map_err(io)?;
        // sled writes pages over ~128 KiB to blob files it never fsyncs: do it here.
        let blobs = self.dir.join("blobs");
        if let Ok(entries) = std::fs::read_dir(&blobs) {
            for entry in entries.flatten() {
                File::open(entry.path()).and_then(|f| f.sync_all()).map_err(io)?;
            }
            File::open(&blobs).and_then(|d| d.sync_all()).map_err(io)?;
        }
        journal.reset().map_err(io)
    }

    fn poison(&self, why: StoreError) -> StoreError {
        self.poisoned.store(true, std::sync::atomic::Ordering::SeqCst);
        tracing::error!("the store stops taking writes until it is reopened: {why}");
        why
    }

    /// Commits a transaction's writes: first into the journal (one record, one
    /// `fdatasync`: from here on the commit survives a crash), then into sled.
    /// A full journal is checkpointed afterwards.
    fn commit(&self, journal: &mut Journal, ops: &[Op]) -> Result<(), StoreError> {
        if ops.is_empty() {
            return Ok(());
        }
        if self.poisoned.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Failed("an earlier commit could not be completed; restart onedoor".into()));
        }
        let io = |source| StoreError::Io { dir: self.dir.clone(), source };
        let record = journal.record(ops).map_err(io)?;
        if !journal.has_room(&record) && journal.used() > 0 {
            // Make everything before durable in sled, then start an empty journal.
            self.checkpoint(journal)?;
        }
        // If the append fails part-way, the record may still be on disk: no more
        // writes until a reopen decides from the journal itself.
        journal.append(&record).map_err(|e| self.poison(io(e)))?;
        // From here the commit is durable. If sled cannot take it, the journal
        // keeps it for the next open's replay.
        self.apply(ops).map_err(|e| self.poison(e))?;
        if journal.nearly_full() {
            if let Err(e) = self.checkpoint(journal) {
                // The commit is saved; the checkpoint is tried again later.
                tracing::warn!("checkpoint after a commit: {e}");
            }
        }
        Ok(())
    }

    /// Decodes a stored record; a record that cannot be read names this store.
    fn read<T: serde::de::DeserializeOwned>(&self, bytes: &[u8], what: &'static str) -> Result<T, StoreError> {
        decode(bytes, what).map_err(|e| match e {
            StoreError::Damaged { what, .. } => damaged(&self.dir, &what),
            other => other,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes everything committed so far durable: sled's flush (which only
    /// writes back, `sync_file_range`), then `fsync` of the store file.
    pub fn sync(&self) -> Result<(), StoreError> {
        let mut journal = self.lock_journal()?;
        if self.poisoned.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Failed("an earlier commit could not be completed; restart onedoor".into()));
        }
        self.checkpoint(&mut journal)
    }

    /// Runs `f` as ONE transaction over all trees and commits it durably; a
    /// refusal or an error from `f` writes nothing at all.
    pub fn write<T, E>(&self, f: impl Fn(&Tx) -> TxResult<T, E>) -> Result<T, WriteError<E>> {
        let mut journal = self.lock_journal()?;
        let tx = Tx { store: self, overlay: RefCell::new(BTreeMap::new()), writes: RefCell::new(Vec::new()) };
        let value = f(&tx)?;
        self.commit(&mut journal, &tx.writes.into_inner())?;
        Ok(value)
    }

    /// Adds a new case: takes the window's next sequence number for `day`,
    /// builds the case with `make` and writes it with its indexes, durably.
    pub fn add_case<E>(
        &self,
        town_code: &str,
        window: u8,
        day: NaiveDate,
        make: impl Fn(CaseId) -> Result<Case, E>,
    ) -> Result<Case, WriteError<E>> {
        self.add_case_with_photo(town_code, window, day, None, make)
    }

    /// As [`Store::add_case`], keeping the applicant's ID card photo (raw WLT
    /// bytes) with the case in the same transaction.
    pub fn add_case_with_photo<E>(
        &self,
        town_code: &str,
        window: u8,
        day: NaiveDate,
        card_photo: Option<&[u8]>,
        make: impl Fn(CaseId) -> Result<Case, E>,
    ) -> Result<Case, WriteError<E>> {
        self.write(|tx| {
            let id = tx.next_case_id(town_code, window, day)?;
            let case = match make(id) {
                Ok(c) => c,
                Err(e) => return refuse(e),
            };
            if tx.case::<E>(&case.id)?.is_some() {
                return abort(StoreError::AlreadyExists(case.id.clone()));
            }
            tx.put_case(None, &case)?;
            if let Some(photo) = card_photo {
                tx.insert::<E>(PHOTOS, case.id.as_str().as_bytes(), photo)?;
            }
            Ok(case)
        })
    }

    /// The applicant's ID card photo kept with a case (raw WLT bytes), if any.
    pub fn card_photo(&self, id: &CaseId) -> Result<Option<Vec<u8>>, StoreError> {
        let found = self.trees[PHOTOS].get(id.as_str().as_bytes()).map_err(|e| sled_error(&self.dir, e))?;
        Ok(found.map(|v| v.to_vec()))
    }

    /// Changes a case with `change` (a transition, an override…) in one durable
    /// transaction; a refusal leaves the store exactly as it was.
    pub fn update_case<E>(
        &self,
        id: &CaseId,
        change: impl Fn(&mut Case, &Tx) -> TxResult<(), E>,
    ) -> Result<Case, WriteError<E>> {
        self.write(|tx| {
            let Some(old) = tx.case(id)? else {
                return abort(StoreError::NotFound(id.clone()));
            };
            let mut case = old.clone();
            change(&mut case, tx)?;
            tx.put_case(Some(&old), &case)?;
            Ok(case)
        })
    }

    /// Closes and opens the store again. sled writes its recovery snapshot only
    /// when it opens, so after a bulk import this pays the long scan of the new
    /// log now, instead of at the clerk's next start.
    pub fn reopen(self, options: &StoreOptions) -> Result<Store, StoreError> {
        let dir = self.dir.clone();
        drop(self);
        Store::open(&dir, options)
    }

    /// Loads many ready-made cases fast, tree by tree with sled batches, then
    /// syncs once. Not one transaction: only for seeding benchmark and training
    /// stores, never for real intake (use [`Store::add_case`] or [`Store::import`]).
    pub fn bulk_load(&self, cases: &[Case]) -> Result<(), StoreError> {
        // No commit may run meanwhile, and none may wait in the journal to be
        // replayed over what is loaded here.
        let mut journal = self.lock_journal()?;
        self.checkpoint(&mut journal)?;
        let mut batches: Vec<sled::Batch> = (0..TREE_COUNT).map(|_| sled::Batch::default()).collect();
        let mut highest: std::collections::BTreeMap<Vec<u8>, u32> = std::collections::BTreeMap::new();
        for case in cases {
            let record = encode(case, "case")?;
            let sum = encode(&CaseSummary::of(case), "case summary")?;
            batches[CASES].insert(case.id.as_str().as_bytes(), record);
            for id_number in case.id_numbers() {
                batches[BY_PERSON].insert(summary::person_key(id_number, &case.id), sum.clone());
            }
            batches[BY_DAY].insert(summary::day_key(case.day(), &case.id), sum);
            if !case.state.is_closed() {
                batches[BY_STATE].insert(summary::state_key(case.state, &case.id), &[]);
            }
            batches[BY_NAME].insert(summary::name_key(&case.applicant.name, &case.id), &[]);
            let key = sequence_key(case.id.town_code(), case.id.window(), case.id.day());
            let seq = highest.entry(key).or_insert(0);
            *seq = (*seq).max(case.id.seq());
        }
        for (key, seq) in highest {
            if self.counter(&key)? < seq {
                batches[COUNTERS].insert(key, &seq.to_be_bytes());
            }
        }
        for (tree, batch) in self.trees.iter().zip(batches) {
            tree.apply_batch(batch).map_err(|e| sled_error(&self.dir, e))?;
        }
        self.checkpoint(&mut journal)
    }

    /// Writes cases that already have their ids (an import of exported cases,
    /// or intake records given ids by `make`), all in one transaction.
    pub fn import<E>(&self, build: impl Fn(&Tx) -> TxResult<Vec<Case>, E>) -> Result<Vec<CaseId>, WriteError<E>> {
        self.write(|tx| {
            let cases = build(tx)?;
            let mut ids = Vec::with_capacity(cases.len());
            for case in &cases {
                if tx.case::<E>(&case.id)?.is_some() {
                    return abort(StoreError::AlreadyExists(case.id.clone()));
                }
                tx.put_imported_case(case)?;
                let key = sequence_key(case.id.town_code(), case.id.window(), case.id.day());
                tx.raise_number(&key, case.id.seq())?;
                ids.push(case.id.clone());
            }
            Ok(ids)
        })
    }

    pub fn case(&self, id: &CaseId) -> Result<Option<Case>, StoreError> {
        match self.trees[CASES].get(id.as_str().as_bytes()).map_err(|e| sled_error(&self.dir, e))? {
            None => Ok(None),
            Some(bytes) => self.read(&bytes, "case").map(Some),
        }
    }

    /// Every case of a person (as applicant or household member), oldest first:
    /// one range scan of the ID-number index, no second lookup.
    pub fn cases_of_person(&self, id_number: &IdNumber) -> Result<Vec<CaseSummary>, StoreError> {
        self.summaries(BY_PERSON, id_number.as_str().as_bytes())
    }

    /// The cases received on `day`, in id order.
    pub fn cases_on_day(&self, day: NaiveDate) -> Result<Vec<CaseSummary>, StoreError> {
        self.summaries(BY_DAY, day.format("%Y%m%d").to_string().as_bytes())
    }

    /// Summaries received between two days inclusive, in day order.
    pub fn cases_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CaseSummary>, StoreError> {
        // Keys are yyyymmdd: keep both ends within four-digit years.
        let first = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
        let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
        let start = from.clamp(first, last).format("%Y%m%d").to_string();
        let end = format!("{}\u{7f}", to.clamp(first, last).format("%Y%m%d"));
        let mut out = Vec::new();
        for item in self.trees[BY_DAY].range(start.as_bytes()..end.as_bytes()) {
            let (_, v) = item.map_err(|e| sled_error(&self.dir, e))?;
            out.push(self.read(&v, "case summary")?);
        }
        Ok(out)
    }

    /// Ids of the cases in a state, in id order.
    pub fn ids_in_state(&self, state: State) -> Result<Vec<CaseId>, StoreError> {
        if state.is_closed() {
            // Closed cases are most of a store's history and are not indexed by
            // state: find them through the day index's summaries.
            let mut out = Vec::new();
            for item in self.trees[BY_DAY].iter().values() {
                let v = item.map_err(|e| sled_error(&self.dir, e))?;
                let s: CaseSummary = self.read(&v, "case summary")?;
                if s.state == state {
                    out.push(s.id);
                }
            }
            out.sort();
            return Ok(out);
        }
        let mut out = Vec::new();
        for item in self.trees[BY_STATE].scan_prefix([state.tag()]) {
            let (k, _) = item.map_err(|e| sled_error(&self.dir, e))?;
            let id = std::str::from_utf8(&k[1..])
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| damaged(&self.dir, "a state index key is not a case id"))?;
            out.push(id);
        }
        Ok(out)
    }

    fn summaries(&self, tree: usize, prefix: &[u8]) -> Result<Vec<CaseSummary>, StoreError> {
        let mut out = Vec::new();
        for item in self.trees[tree].scan_prefix(prefix) {
            let (_, v) = item.map_err(|e| sled_error(&self.dir, e))?;
            out.push(self.read(&v, "case summary")?);
        }
        Ok(out)
    }

    /// Cases whose applicant's name, ID number (or a household member's) or case
    /// id starts with `query`, across all days: at most `limit`, each case once.
    /// Every branch is an index range scan, so it answers as the clerk types.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let q = query.trim();
        if q.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut out: Vec<CaseSummary> = Vec::new();
        let push = |s: CaseSummary, out: &mut Vec<CaseSummary>| {
            if !out.iter().any(|o| o.id == s.id) {
                out.push(s);
            }
        };
        let looks_numeric = q.bytes().all(|b| b.is_ascii_digit() || b == b'X' || b == b'x' || b == b'-');
        if looks_numeric {
            let upper = q.to_ascii_uppercase();
            for item in self.trees[BY_PERSON].scan_prefix(upper.as_bytes()).take(limit * 4) {
                let (_, v) = item.map_err(|e| sled_error(&self.dir, e))?;
                push(self.read(&v, "case summary")?, &mut out);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
            for item in self.trees[CASES].scan_prefix(q.as_bytes()).keys().take(limit) {
                let k = item.map_err(|e| sled_error(&self.dir, e))?;
                let id: Option<CaseId> = std::str::from_utf8(&k).ok().and_then(|s| s.parse().ok());
                if let Some(case) = id.map(|id| self.case(&id)).transpose()?.flatten() {
                    push(CaseSummary::of(&case), &mut out);
                }
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        } else {
            for item in self.trees[BY_NAME].scan_prefix(q.as_bytes()).keys().take(limit) {
                let k = item.map_err(|e| sled_error(&self.dir, e))?;
                let id: Option<CaseId> = k
                    .iter()
                    .position(|b| *b == 0)
                    .and_then(|at| std::str::from_utf8(&k[at + 1..]).ok())
                    .and_then(|s| s.parse().ok());
                if let Some(case) = id.map(|id| self.case(&id)).transpose()?.flatten() {
                    push(CaseSummary::of(&case), &mut out);
                }
            }
        }
        Ok(out)
    }

    /// Every case id, in id order (for export and checks).
    pub fn all_case_ids(&self) -> impl Iterator<Item = Result<CaseId, StoreError>> + '_ {
        self.trees[CASES].iter().keys().map(move |k| {
            let k = k.map_err(|e| sled_error(&self.dir, e))?;
            std::str::from_utf8(&k)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| damaged(&self.dir, "a case key is not a case id"))
        })
    }

    pub fn case_count(&self) -> usize {
        self.trees[CASES].len()
    }

    /// The next waiting ticket of the day (persisted; a new day starts at 1).
    pub fn next_ticket(&self, day: NaiveDate) -> Result<u32, StoreError> {
        let key = ticket_key(day);
        match self.write::<u32, std::convert::Infallible>(|tx| tx.next_number(&key)) {
            Ok(n) => Ok(n),
            Err(WriteError::Store(e)) => Err(e),
            Err(WriteError::Refused(never)) => match never {},
        }
    }

    /// The last ticket issued on `day` (0 when none).
    pub fn last_ticket(&self, day: NaiveDate) -> Result<u32, StoreError> {
        self.counter(&ticket_key(day))
    }

    /// The current value of a counter (0 when never used).
    pub fn counter(&self, key: &[u8]) -> Result<u32, StoreError> {
        match self.trees[COUNTERS].get(key).map_err(|e| sled_error(&self.dir, e))? {
            Some(v) if v.len() == 4 => Ok(u32::from_be_bytes([v[0], v[1], v[2], v[3]])),
            Some(_) => Err(damaged(&self.dir, "a counter has the wrong size")),
            None => Ok(0),
        }
    }

    /// Completed cases waiting to be forwarded to the district.
    pub fn outbox_ids(&self) -> Result<Vec<CaseId>, StoreError> {
        let mut out = Vec::new();
        for item in self.trees[OUTBOX].iter().keys() {
            let k = item.map_err(|e| sled_error(&self.dir, e))?;
            if let Some(id) = std::str::from_utf8(&k).ok().and_then(|s| s.parse().ok()) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Keeps a receipt that could not be printed until it is reprinted
    /// (durably). The record is the caller's own; the store keeps it as it is given.
    pub fn add_pending_receipt<R: serde::Serialize>(&self, key: &str, receipt: &R) -> Result<(), StoreError> {
        let bytes = encode(receipt, "pending receipt")?;
        self.trees[PENDING].insert(key.as_bytes(), bytes).map_err(|e| sled_error(&self.dir, e))?;
        self.sync()
    }

    /// Takes a receipt off the pending list once it is printed.
    pub fn remove_pending_receipt(&self, key: &str) -> Result<(), StoreError> {
        self.trees[PENDING].remove(key.as_bytes()).map_err(|e| sled_error(&self.dir, e))?;
        self.sync()
    }

    /// Receipts waiting to be printed, with their keys, oldest key first.
    pub fn pending_receipts<R: serde::de::DeserializeOwned>(&self) -> Result<Vec<(String, R)>, StoreError> {
        let mut out = Vec::new();
        for item in self.trees[PENDING].iter() {
            let (k, v) = item.map_err(|e| sled_error(&self.dir, e))?;
            out.push((String::from_utf8_lossy(&k).into_owned(), self.read(&v, "pending receipt")?));
        }
        Ok(out)
    }

    /// The relief fund as its ledger leaves it.
    pub fn fund(&self) -> Result<Fund, StoreError> {
        match self.trees[LEDGER].get(FUND_STATE_KEY).map_err(|e| sled_error(&self.dir, e))? {
            Some(bytes) => self.read(&bytes, "fund balance"),
            None => Ok(Fund::default()),
        }
    }

    /// Every ledger entry, in the order they were made.
    pub fn ledger(&self) -> Result<Vec<FundEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.trees[LEDGER].scan_prefix(FUND_ENTRY_PREFIX) {
            let (_, v) = item.map_err(|e| sled_error(&self.dir, e))?;
            out.push(self.read(&v, "fund entry")?);
        }
        Ok(out)
    }

    /// A fingerprint of the whole store's content: every key and value of every
    /// tree (but the checkpoint's generation, which is bookkeeping). Equal
    /// fingerprints mean the content is exactly the same.
    pub fn fingerprint(&self) -> Result<u64, StoreError> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (index, (name, tree)) in TREE_NAMES.iter().zip(&self.trees).enumerate() {
            name.hash(&mut h);
            for item in tree.iter() {
                let (k, v) = item.map_err(|e| sled_error(&self.dir, e))?;
                if index == META && k == CHECKPOINT_KEY {
                    continue;
                }
                k.hash(&mut h);
                v.hash(&mut h);
            }
        }
        Ok(h.finish())
    }

    /// For each tree: its name, entries, and bytes of keys and values (before
    /// sled's own overhead): what `onedoor bench` reports next to the disk size.
    pub fn tree_sizes(&self) -> Result<Vec<(&'static str, u64, u64)>, StoreError> {
        let mut out = Vec::new();
        for (name, tree) in TREE_NAMES.iter().zip(&self.trees) {
            let (mut n, mut bytes) = (0u64, 0u64);
            for item in tree.iter() {
                let (k, v) = item.map_err(|e| sled_error(&self.dir, e))?;
                n += 1;
                bytes += (k.len() + v.len()) as u64;
            }
            out.push((*name, n, bytes));
        }
        Ok(out)
    }

    /// Bytes the store takes on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(|e| sled_error(&self.dir, e))
    }
}

impl Drop for Store {
    /// A clean close leaves nothing to replay.
    fn drop(&mut self) {
        if self.poisoned.load(std::sync::atomic::Ordering::SeqCst) {
            return; // the journal must stay for the next open's replay
        }
        if let Ok(mut journal) = self.journal.lock() {
            if journal.used() > 0 {
                if let Err(e) = self.checkpoint(&mut journal) {
                    tracing::warn!("closing the store: {e}");
                }
            }
        }
    }
}

fn sled_error(dir: &Path, e: sled::Error) -> StoreError {
    match e {
        sled::Error::Io(source) => StoreError::Io { dir: dir.to_path_buf(), source },
        sled::Error::Corruption { at, .. } => {
            let at = at.map(|a| format!(" (at {a:?})")).unwrap_or_default();
            damaged(dir, &format!("its database (sled's files `db`, `conf`, `snap.*`) cannot be read{at}"))
        }
        other => damaged(dir, &format!("its database cannot be used: {other}")),
    }
}

/// The store in `dir` is damaged: `what` says how.
fn damaged(dir: &Path, what: &str) -> StoreError {
    StoreError::Damaged { dir: dir.to_path_buf(), what: what.to_string() }
}

#[cfg(test)]
mod tests;
