//! The case store: every case, its indexes and the day's counters in one sled
//! database, changed only in single transactions. A transaction runs under the
//! store's commit lock, is written whole to the commit journal and synced (one
//! `fdatasync`, see `journal.rs`) before it is applied to sled and reported as
//! saved; sled itself is flushed and fsynced at checkpoints, and the journal is
//! replayed at open. So a crash at any instant loses no reported commit and
//! leaves no half-applied one.
//!
//! Layout (schema 3). sled 0.34 keeps state for every page in memory, rebuilt
//! at every open, and splits a leaf above 16 entries: what the store costs
//! follows its number of entries. So the large trees are trees of packed runs
//! (`runs.rs`: many small items in sled entries of a few KiB), and nothing is
//! kept twice that one place can answer:
//! - `cases`: case id -> the case record, in runs (`cases.rs`). Beside it
//!   `days` (day ++ the window's case id prefix: which windows took cases on
//!   a day) and `card_photos` (case id -> the ID card's photo, in runs).
//! - `people`: ID number ++ case id -> that case's summary, for the applicant
//!   and every household member, in runs: one read finds a person's cases
//!   for the duplicate check (`people.rs`). An import's items go first to
//!   `people_imported`, a small tree written in few runs, and are settled
//!   into `people` a few hundred at a time in the clerk's pauses (or by
//!   `case import` itself, run with no counter); every read of the person
//!   index reads both.
//! - `names`: applicant's (and each member's) name ++ 0 ++ case id, in runs, for search (`names.rs`).
//! - `open_cases`: case id -> the facts of a case not yet closed (its state,
//!   deadlines, the days it had steps), in runs: the working set, for the
//!   queue of work, the overdue list and the daily report (`open_cases.rs`).
//!   Closed history is only in `cases` and the indexes above.
//! - `report_facts`: case id -> what the daily report needs of the case (its
//!   figures and every step with its day and amount), in runs
//!   (`report_facts.rs`); `backlog`: the open cases counted by received day,
//!   policy and when they fall overdue; `open_steps`: step day ++ case id for
//!   the open cases' steps after the day they were received (`open_cases.rs`).
//!   A day's report reads the day's items and a few hundred counts, whatever
//!   the size of the store (schema 3; `migrate.rs` fills them for schema 2).
//! - `audit_runs`: the audit chain, one entry per change in the same
//!   transaction as the change, in runs (`audit.rs`).
//! - `operators`: name -> the operator, its role and PIN hash (`operators.rs`).
//! - `outbox` (finished cases to forward, with `dead_letters` and
//!   `district_receipts`: `outbox.rs`; `district_checks`: how each intake
//!   looked for earlier help), `ledger` (the relief
//!   fund, `fund.rs`), `counters` (daily case sequence, tickets,
//!   `counters.rs`), `pending_receipts`, `meta` (schema version, checkpoint).
//!
//! A tree is added by giving it a place in [`TREES`] (at the end: the journal
//! names trees by their place) and a module of its own with what it writes in
//! a [`Tx`] and what it answers; `migrate.rs` says how each older schema is
//! brought to this one.

pub mod audit;
pub mod backup;
mod cases;
mod codec;
mod counters;
mod directory;
mod drafts;
mod fund;
mod journal;
mod migrate;
mod names;
mod open;
mod open_cases;
mod operators;
mod outbox;
mod people;
mod report_facts;
mod runs;
mod search;
pub mod settler;
mod summary;
mod tx;
mod view;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use sled::Tree;

pub use cases::CaseIds;
pub use codec::{decode, decode_case, encode, encode_case, CASE_RECORD_VERSION, RECORD_VERSION};
pub use counters::{sequence_key, ticket_key, MAX_SEQUENCE};
use journal::Journal;
pub use open::sled_config;
pub use open_cases::{BacklogGroup, OpenCase};
pub use outbox::{DeadLetter, DistrictCheckRecord, DistrictReceipt, Forwarded, Forwarding, OutboxEntry, RetryError};
pub use summary::CaseSummary;
pub use tx::Tx;

/// The store layout this build writes and reads (older ones are migrated at open).
pub const SCHEMA_VERSION: u32 = 3;

/// Schema 3 with imported people not yet settled into the person index
/// (`people.rs`): a store says so while they wait, so that a onedoor reading
/// schema 3 only refuses it rather than miss those people in its duplicate
/// check. It says [`SCHEMA_VERSION`] again once they are settled. (A next
/// layout takes 5, and reads 4 as this.)
pub const SCHEMA_IMPORTING: u32 = 4;

/// The newest layout this build reads.
pub const NEWEST_SCHEMA: u32 = SCHEMA_IMPORTING;

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
        "the store was written by a newer onedoor (schema {found}; this one reads {NEWEST_SCHEMA}); upgrade onedoor"
    )]
    NewerSchema { found: u32 },
    /// Files of a format this onedoor does not know (a newer onedoor's):
    /// refused, and nothing written.
    #[error(
        "the store {} was written by a newer onedoor: {what}. Nothing in it was changed; open it with \
         that onedoor (or a newer one)",
        dir.display()
    )]
    NewerFormat { dir: PathBuf, what: String },
    #[error("a stored {what} has record version {version}, which this onedoor does not know; upgrade onedoor")]
    UnknownRecordVersion { what: &'static str, version: u8 },
    #[error("the {what} is too large to store ({size} bytes; the limit is {limit})")]
    TooLarge { what: &'static str, size: usize, limit: usize },
    #[error("no case {0}")]
    NotFound(crate::domain::CaseId),
    #[error("case {0} is already in the store")]
    AlreadyExists(crate::domain::CaseId),
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

/// The outcome of a write that refuses nothing: its store error, if any.
fn never<T>(written: Result<T, WriteError<std::convert::Infallible>>) -> Result<T, StoreError> {
    match written {
        Ok(v) => Ok(v),
        Err(WriteError::Store(e)) => Err(e),
        Err(WriteError::Refused(never)) => match never {},
    }
}

/// Refuses inside a transaction: nothing is written.
pub fn refuse<T, E>(e: E) -> TxResult<T, E> {
    Err(WriteError::Refused(e))
}

/// One tree of the store: its sled name, and for a tree of runs the size at
/// which a run is split (bytes, as encoded at most).
pub(crate) struct TreeDef {
    pub name: &'static str,
    pub run_size: Option<usize>,
}

const META: usize = 0;
const COUNTERS: usize = 1;
const CASES: usize = 2;
const DAYS: usize = 3;
const PEOPLE: usize = 4;
const NAMES: usize = 5;
const OPEN_CASES: usize = 6;
const OUTBOX: usize = 7;
const LEDGER: usize = 8;
const PENDING: usize = 9;
/// Case id -> the raw (WLT-compressed) photo of the applicant's ID card, kept
/// only when `[devices] keep_photo` is on.
const PHOTOS: usize = 10;
/// Case id -> why the district refused it for good, and case id -> the
/// district's receipt for it (`outbox.rs`).
const DEAD_LETTERS: usize = 11;
const RECEIPTS: usize = 12;
/// The counter's draft token -> the case it was saved as (`drafts.rs`).
const DRAFTS: usize = 13;
/// The audit chain (`audit.rs`).
const AUDIT: usize = 14;
/// The operators (`operators.rs`).
const OPERATORS: usize = 15;
/// Case id -> how its intake looked for earlier help (with the district, or locally only).
const DISTRICT_CHECKS: usize = 16;
/// What the daily report needs of each case (`report_facts.rs`), the open
/// cases counted by when they fall overdue, and the open cases' step days
/// (`open_cases.rs`).
const REPORT_FACTS: usize = 17;
const BACKLOG: usize = 18;
const OPEN_STEPS: usize = 19;
/// The person index's items of imported cases, until they are settled into
/// `people` (`people.rs`).
const PEOPLE_IMPORTED: usize = 20;

/// Every tree, in the order the journal names them by. The run sizes: case
/// records are read a day at a time, so their runs are larger; the person
/// and name indexes are read at random places, where every read brings a
/// whole sled page (up to 16 runs) into memory, so theirs are small.
pub(crate) const TREES: [TreeDef; 21] = [
    TreeDef { name: "meta", run_size: None },
    TreeDef { name: "counters", run_size: None },
    TreeDef { name: "case_runs", run_size: Some(4096) },
    TreeDef { name: "days", run_size: None },
    TreeDef { name: "people", run_size: Some(1024) },
    TreeDef { name: "names", run_size: Some(1024) },
    TreeDef { name: "open_cases", run_size: Some(2048) },
    TreeDef { name: "outbox", run_size: None },
    TreeDef { name: "ledger", run_size: None },
    TreeDef { name: "pending_receipts", run_size: None },
    TreeDef { name: "card_photo_runs", run_size: Some(4096) },
    TreeDef { name: "dead_letters", run_size: None },
    TreeDef { name: "district_receipts", run_size: None },
    TreeDef { name: "saved_drafts", run_size: None },
    TreeDef { name: "audit_runs", run_size: Some(4096) },
    TreeDef { name: "operators", run_size: None },
    TreeDef { name: "district_checks", run_size: None },
    TreeDef { name: "report_facts", run_size: Some(4096) },
    TreeDef { name: "backlog", run_size: None },
    TreeDef { name: "open_steps", run_size: Some(1024) },
    TreeDef { name: "people_imported", run_size: Some(1024) },
];

/// The open store. One process per store (sled locks the directory).
pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    db_file: File,
    /// One per entry of [`TREES`].
    trees: Vec<Tree>,
    /// Held for the whole of a commit, so the journal's order is the commit order.
    journal: Mutex<Journal>,
    /// Written while a commit is applied to sled, read by every reader: no
    /// reader sees half a commit (a run split in two, a case without its index).
    applying: RwLock<()>,
    /// Set when a journalled commit could not be applied (or the journal could
    /// not be written): no more writes, and no checkpoint that would drop the
    /// record; the next open replays it.
    poisoned: std::sync::atomic::AtomicBool,
    /// Dropped after sled's handles: waits for sled to let go of its files.
    _sled_closed: SledClosed,
    /// The lock on the store's directory: one process per store. Dropped
    /// last, after sled has let go of its files.
    _lock: File,
}

/// sled 0.34 writes full log buffers from its thread pool and drops them
/// later through its epoch-based reclamation, each holding its database
/// file: dropping the last `Db` handle does not close the file (nor free its
/// lock) at once. This waits for that, a moment at most, so the next process
/// (or the next open) finds the store free the moment this one is done.
pub(crate) struct SledClosed {
    pub(crate) db: PathBuf,
}

impl Drop for SledClosed {
    fn drop(&mut self) {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(2) {
            match File::open(&self.db).map(|f| f.try_lock()) {
                Ok(Err(std::fs::TryLockError::WouldBlock)) => {
                    // Let this thread's deferred frees run, then give sled's threads a moment.
                    for _ in 0..64 {
                        drop(sled::pin());
                    }
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                _ => return,
            }
        }
        tracing::warn!("{}: sled still holds the database 2 s after the store was closed", self.db.display());
    }
}

impl Store {
    /// Is there a store in `dir` (whole, or damaged: not absent, nor left
    /// half-made by a stopped onedoor)? A command that only reads asks first,
    /// so it never makes an empty store where there was none.
    pub fn exists(dir: &Path) -> bool {
        use directory::Found;
        matches!(directory::survey(dir), Ok(Found::Whole | Found::NoJournal | Found::NoDatabase))
    }

    /// Decodes a stored record; a record that cannot be read names this store.
    fn read<T: serde::de::DeserializeOwned>(&self, bytes: &[u8], what: &'static str) -> Result<T, StoreError> {
        decode(bytes, what).map_err(|e| self.name_damage(e))
    }

    /// Decodes a stored case record (of either record version).
    fn read_case(&self, bytes: &[u8]) -> Result<crate::domain::Case, StoreError> {
        decode_case(bytes).map_err(|e| self.name_damage(e))
    }

    /// A record that cannot be read names this store.
    fn name_damage(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Damaged { what, .. } => damaged(&self.dir, &what),
            other => other,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Closes and opens the store again. sled writes its recovery snapshot only
    /// when it opens, so after a bulk import this pays the long scan of the new
    /// log now, instead of at the clerk's next start.
    pub fn reopen(self, options: &StoreOptions) -> Result<Store, StoreError> {
        let dir = self.dir.clone();
        drop(self);
        Store::open(&dir, options)
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

    /// A fingerprint of the whole store's content: every key and value of every
    /// tree (but the checkpoint's generation, which is bookkeeping). Equal
    /// fingerprints mean the content is exactly the same.
    pub fn fingerprint(&self) -> Result<u64, StoreError> {
        use std::hash::{Hash, Hasher};
        let _reading = self.reading();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (index, (def, tree)) in TREES.iter().zip(&self.trees).enumerate() {
            def.name.hash(&mut h);
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

    /// For each tree: its name, sled entries, items (a run's items; one per
    /// entry in a plain tree), and bytes of keys and values as stored (before
    /// sled's own overhead): what `onedoor bench` reports next to the disk size.
    pub fn tree_sizes(&self) -> Result<Vec<TreeSize>, StoreError> {
        let mut out = Vec::new();
        for (def, tree) in TREES.iter().zip(&self.trees) {
            let mut size = TreeSize { name: def.name, entries: 0, items: 0, bytes: 0 };
            for item in tree.iter() {
                let (k, v) = item.map_err(|e| sled_error(&self.dir, e))?;
                size.entries += 1;
                size.bytes += (k.len() + v.len()) as u64;
                size.items += match def.run_size {
                    Some(_) => runs::count(&v).unwrap_or(0),
                    None => 1,
                };
            }
            out.push(size);
        }
        Ok(out)
    }

    /// Bytes the store takes on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(|e| sled_error(&self.dir, e))
    }
}

/// One tree's size (see [`Store::tree_sizes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeSize {
    pub name: &'static str,
    pub entries: u64,
    pub items: u64,
    pub bytes: u64,
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
