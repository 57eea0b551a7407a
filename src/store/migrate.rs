//! Bringing a store of an older schema to this one, at open.
//!
//! Schema 2 had no trees for the daily report (`report_facts`, `backlog`,
//! `open_steps`): they are filled in place from the case records
//! ([`to_schema_3`]), the schema record written with the last of them; a kill
//! before that leaves schema 2, and the next open fills them again from empty.
//!
//! Schema 1 kept one sled entry per case and per index entry (about six per
//! case). Its store is first made whole as schema 1 would have (its journal's
//! commits replayed into it), then rebuilt beside it in `.onedoor-migrate`
//! in the schema-2 layout: every tree read in key order and written as full
//! runs, the new store's meta and journal made, all synced and marked ready.
//! Only then are the stores swapped (`directory::settle_migration`), in steps
//! that a kill can stop anywhere: the next open finishes the swap, or, if the
//! rebuilt store was not yet marked ready, removes it and starts again from
//! the old store, which nothing wrote to but its own journal's replay. The
//! rebuilt store is checked against the old one (every case, every index
//! entry counted) before it is marked ready.

use std::convert::Infallible;
use std::ops::ControlFlow;
use std::path::Path;

use sled::{Batch, Db, Tree};

use super::directory;
use super::journal::{Journal, Op};
use super::open::{check_against_journal, compact_sled, open_sled};
use super::runs::Run;
use super::summary::CaseSummary;
use super::{
    damaged, sled_error, OpenCase, Store, StoreError, StoreOptions, WriteError, BACKLOG, CASES, CHECKPOINT_KEY,
    COUNTERS, DAYS, LEDGER, META, NAMES, OPEN_CASES, OPEN_STEPS, OUTBOX, PENDING, PEOPLE, PHOTOS, REPORT_FACTS,
    SCHEMA_KEY, SCHEMA_VERSION, TREES,
};
use crate::domain::Case;

/// The trees of schema 1, in the order its journal names them by.
const V1_TREES: [&str; 11] = [
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
const V1_CASES: usize = 0;
const V1_BY_PERSON: usize = 1;
const V1_BY_DAY: usize = 2;
const V1_BY_STATE: usize = 3;
const V1_COUNTERS: usize = 4;
const V1_OUTBOX: usize = 5;
const V1_LEDGER: usize = 6;
const V1_META: usize = 7;
const V1_BY_NAME: usize = 8;
const V1_PENDING: usize = 9;
const V1_PHOTOS: usize = 10;

/// Runs written per sled batch while rebuilding.
const BATCH_RUNS: usize = 256;

/// The schema a database says it has (`None`: no schema record).
pub(super) fn schema_of(dir: &Path, db: &Db) -> Result<Option<u32>, StoreError> {
    let meta = db.open_tree(TREES[META].name).map_err(|e| sled_error(dir, e))?;
    match meta.get(SCHEMA_KEY).map_err(|e| sled_error(dir, e))?.as_deref() {
        None => Ok(None),
        Some(v) => <[u8; 4]>::try_from(v)
            .map(|b| Some(u32::from_be_bytes(b)))
            .map_err(|_| damaged(dir, "its schema record has the wrong size")),
    }
}

/// Rebuilds the schema-1 store open in `db` (with its journal and the
/// journal's commits not yet applied) as a schema-2 store, and moves it into
/// place. `db` is closed before the swap.
pub(super) fn from_schema_1(
    dir: &Path,
    db: Db,
    journal: &Journal,
    unapplied: Vec<Vec<Op>>,
    options: &StoreOptions,
) -> Result<(), StoreError> {
    rebuild_until_ready(dir, db, journal, unapplied, options)?;
    directory::settle_migration(dir).map_err(|e| StoreError::Io { dir: dir.to_path_buf(), source: e })?;
    tracing::warn!("{}: the store is now schema 2", dir.display());
    Ok(())
}

/// A migration up to its swap (for tests of a swap stopped half-way): the
/// schema-1 store in `dir` rebuilt beside it and marked ready.
#[cfg(test)]
pub(super) fn until_ready(dir: &Path, options: &StoreOptions) -> Result<(), StoreError> {
    let (journal, unapplied) = Journal::open(&dir.join(directory::JOURNAL)).map_err(|_| damaged(dir, "journal"))?;
    let db = open_sled(dir, options)?;
    rebuild_until_ready(dir, db, &journal, unapplied, options)
}

fn rebuild_until_ready(
    dir: &Path,
    db: Db,
    journal: &Journal,
    unapplied: Vec<Vec<Op>>,
    options: &StoreOptions,
) -> Result<(), StoreError> {
    let io = |e| StoreError::Io { dir: dir.to_path_buf(), source: e };
    let old: Vec<Tree> =
        V1_TREES.iter().map(|name| db.open_tree(name).map_err(|e| sled_error(dir, e))).collect::<Result<_, _>>()?;
    check_against_journal(dir, &old[V1_META], journal.generation(), &unapplied, || {
        Ok(old.iter().all(Tree::is_empty) && db.is_empty())
    })?;
    // As schema 1 did at open: its journal's commits into its trees, made durable.
    for ops in &unapplied {
        for op in ops {
            let tree = old
                .get(usize::from(op.tree))
                .ok_or_else(|| damaged(dir, &format!("its commit journal names tree {}", op.tree)))?;
            match &op.value {
                Some(v) => tree.insert(op.key.as_slice(), v.as_slice()).map(|_| ()),
                None => tree.remove(op.key.as_slice()).map(|_| ()),
            }
            .map_err(|e| sled_error(dir, e))?;
        }
    }
    db.flush().map_err(|e| sled_error(dir, e))?;
    std::fs::File::open(dir.join(directory::DB)).and_then(|f| f.sync_all()).map_err(io)?;
    tracing::warn!(
        "{}: the store has schema 1 ({} cases); rebuilding it in the schema-2 layout",
        dir.display(),
        old[V1_CASES].len()
    );
    let place = directory::new_migration(dir).map_err(io)?;
    let rebuilt = rebuild(dir, &old, &place, options);
    drop(old);
    drop(db);
    if let Err(e) = rebuilt {
        let _ = std::fs::remove_dir_all(&place);
        return Err(e);
    }
    directory::mark_migration_ready(&place).map_err(io)
}

/// Writes the schema-2 store in `place` from the schema-1 trees, and checks it
/// (the next open brings it on to schema 3).
fn rebuild(dir: &Path, old: &[Tree], place: &Path, options: &StoreOptions) -> Result<(), StoreError> {
    let io = |e| StoreError::Io { dir: dir.to_path_buf(), source: e };
    let sled_err = |e| sled_error(dir, e);
    let db = open_sled(place, options)?;
    let new: Vec<Tree> = TREES.iter().map(|t| db.open_tree(t.name).map_err(sled_err)).collect::<Result<_, _>>()?;
    let bad = |what: &str| damaged(dir, &format!("its schema-1 {what} cannot be read"));

    // Plain trees, as they were.
    for (from, to) in [(V1_COUNTERS, COUNTERS), (V1_OUTBOX, OUTBOX), (V1_LEDGER, LEDGER), (V1_PENDING, PENDING)] {
        let mut batch = Batch::default();
        for item in old[from].iter() {
            let (k, v) = item.map_err(sled_err)?;
            batch.insert(k, v);
        }
        new[to].apply_batch(batch).map_err(sled_err)?;
    }

    // Case records into runs, counting what the indexes must hold.
    let mut cases = Runs::new(dir, &new[CASES], TREES[CASES].run_size);
    let (mut numbers, mut open) = (0u64, 0u64);
    for item in old[V1_CASES].iter() {
        let (k, v) = item.map_err(sled_err)?;
        let case: Case = super::decode_case(&v).map_err(|_| bad("case record"))?;
        if case.id.as_str().as_bytes() != k.as_ref() {
            return Err(bad("case record (its key is not its id)"));
        }
        numbers += case.id_numbers().count() as u64;
        open += u64::from(!case.state.is_closed());
        cases.push(&k, &v)?;
    }
    let case_count = cases.finish()?;

    // The person index: the same keys, each summary kept as schema 2 keeps it.
    let mut people = Runs::new(dir, &new[PEOPLE], TREES[PEOPLE].run_size);
    for item in old[V1_BY_PERSON].iter() {
        let (k, v) = item.map_err(sled_err)?;
        let summary: CaseSummary = super::decode(&v, "case summary").map_err(|_| bad("person index"))?;
        let number = k.get(..18).and_then(|n| std::str::from_utf8(n).ok()).ok_or_else(|| bad("person index key"))?;
        let number = crate::domain::IdNumber::parse_any_date(number).map_err(|_| bad("person index key"))?;
        let value = super::people::item_bytes(&summary, &number)?;
        people.push(&k, &value)?;
    }
    let person_items = people.finish()?;

    // The name index: the same keys.
    let mut names = Runs::new(dir, &new[NAMES], TREES[NAMES].run_size);
    for key in old[V1_BY_NAME].iter().keys() {
        names.push(&key.map_err(sled_err)?, &[])?;
    }
    let name_items = names.finish()?;

    // Open cases: their facts from their records. The state index is in
    // state order; the runs are in id order.
    let mut open_facts = Vec::new();
    for key in old[V1_BY_STATE].iter().keys() {
        let key = key.map_err(sled_err)?;
        let id = key.get(1..).ok_or_else(|| bad("state index key"))?;
        let record = old[V1_CASES].get(id).map_err(sled_err)?.ok_or_else(|| bad("state index (a case it names)"))?;
        let case: Case = super::decode_case(&record).map_err(|_| bad("case record"))?;
        open_facts.push((id.to_vec(), super::open_cases::item_bytes(&OpenCase::of(&case))?));
    }
    open_facts.sort();
    let mut open_cases = Runs::new(dir, &new[OPEN_CASES], TREES[OPEN_CASES].run_size);
    for (id, facts) in &open_facts {
        open_cases.push(id, facts)?;
    }
    let open_items = open_cases.finish()?;

    // The days directory: one entry per window and day.
    let mut batch = Batch::default();
    let mut last: Option<Vec<u8>> = None;
    for key in old[V1_BY_DAY].iter().keys() {
        let key = key.map_err(sled_err)?;
        let id = key.get(8..).and_then(|id| std::str::from_utf8(id).ok()).ok_or_else(|| bad("day index key"))?;
        let prefix = id.rfind('-').map_or(id, |at| &id[..=at]);
        let mut entry = key[..8].to_vec();
        entry.extend_from_slice(prefix.as_bytes());
        if last.as_ref() != Some(&entry) {
            batch.insert(entry.as_slice(), &[]);
            last = Some(entry);
        }
    }
    new[DAYS].apply_batch(batch).map_err(sled_err)?;

    // ID card photos into runs.
    let mut photos = Runs::new(dir, &new[PHOTOS], TREES[PHOTOS].run_size);
    for item in old[V1_PHOTOS].iter() {
        let (k, v) = item.map_err(sled_err)?;
        photos.push(&k, &v)?;
    }
    let photo_items = photos.finish()?;

    let expected = [
        ("case records", case_count, old[V1_CASES].len() as u64),
        ("person index entries", person_items, numbers),
        ("name index entries", name_items, case_count),
        ("open cases", open_items, open),
        ("card photos", photo_items, old[V1_PHOTOS].len() as u64),
    ];
    for (what, rebuilt, from) in expected {
        if rebuilt != from {
            return Err(damaged(
                dir,
                &format!("its schema-1 indexes do not match its cases ({rebuilt} {what} rebuilt, {from} expected)"),
            ));
        }
    }
    // Schema 2: the next open goes on to schema 3 (`to_schema_3`).
    new[META].insert(SCHEMA_KEY, &2u32.to_be_bytes()).map_err(sled_err)?;
    // The rebuilt store starts a journal of its own (generation 1).
    new[META].insert(CHECKPOINT_KEY, &1u64.to_be_bytes()).map_err(sled_err)?;
    db.flush().map_err(sled_err)?;
    // A rebuild is a bulk load: leave every page in one piece.
    compact_sled(place, &db)?;
    drop(new);
    drop(db);
    Journal::create(&place.join(directory::JOURNAL), directory::SledSettings::of(place).compression).map_err(io)?;
    Ok(())
}

/// Writes items given in key order as full runs of one tree, in batches of
/// runs (the first run keyed empty, each other by its first item).
struct Runs<'a> {
    dir: &'a Path,
    tree: &'a Tree,
    limit: usize,
    run: Run,
    key: Vec<u8>,
    last: Option<Vec<u8>>,
    batch: Batch,
    in_batch: usize,
    items: u64,
}

impl<'a> Runs<'a> {
    fn new(dir: &'a Path, tree: &'a Tree, limit: Option<usize>) -> Runs<'a> {
        Runs {
            dir,
            tree,
            limit: limit.unwrap_or(usize::MAX),
            run: Run::default(),
            key: Vec::new(),
            last: None,
            batch: Batch::default(),
            in_batch: 0,
            items: 0,
        }
    }

    fn push(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        if self.last.as_deref().is_some_and(|last| last >= key) {
            return Err(damaged(self.dir, "its schema-1 trees are not in key order"));
        }
        if !self.run.is_empty() && self.run.size() + key.len() + value.len() > self.limit {
            self.flush_run()?;
            self.key = key.to_vec();
        }
        self.run.put(key, value);
        self.last = Some(key.to_vec());
        self.items += 1;
        Ok(())
    }

    fn flush_run(&mut self) -> Result<(), StoreError> {
        let run = std::mem::take(&mut self.run);
        self.batch.insert(self.key.as_slice(), run.encode());
        self.in_batch += 1;
        if self.in_batch >= BATCH_RUNS {
            self.tree.apply_batch(std::mem::take(&mut self.batch)).map_err(|e| sled_error(self.dir, e))?;
            self.in_batch = 0;
        }
        Ok(())
    }

    /// Writes what is left; returns the number of items written.
    fn finish(mut self) -> Result<u64, StoreError> {
        if !self.run.is_empty() {
            self.flush_run()?;
        }
        self.tree.apply_batch(std::mem::take(&mut self.batch)).map_err(|e| sled_error(self.dir, e))?;
        Ok(self.items)
    }
}

/// Case records read per transaction while filling schema 3's trees.
const FILL_CHUNK: usize = 5_000;

/// Schema 2 to 3: fills the daily report's trees from the case records and
/// puts the household members' names in the name index (schema 2 held the
/// applicant's only), a
/// few thousand cases per (unjournalled, checkpointed) write, and writes the
/// schema record with the last.
pub(super) fn to_schema_3(store: &Store) -> Result<(), StoreError> {
    let dir = store.dir();
    tracing::warn!(
        "{}: the store has schema 2; adding the daily report's trees and the household members' names (schema 3)",
        dir.display()
    );
    for tree in [REPORT_FACTS, BACKLOG, OPEN_STEPS] {
        store.trees[tree].clear().map_err(|e| sled_error(dir, e))?;
    }
    let mut start = Vec::new();
    loop {
        let (mut chunk, mut next) = (Vec::new(), None);
        store.walk(CASES, &start, |k, v| {
            if chunk.len() >= FILL_CHUNK {
                next = Some(k.to_vec());
                return Ok(ControlFlow::Break(()));
            }
            chunk.push(store.read_case(v)?);
            Ok(ControlFlow::Continue(()))
        })?;
        let filled = store.write_unjournalled::<(), Infallible>(|tx| {
            for case in &chunk {
                tx.index_report(None, case)?;
                tx.index_every_name(case)?;
                let open = (!case.state.is_closed()).then(|| OpenCase::of(case));
                tx.count_backlog(None, open.as_ref())?;
                tx.index_open_steps(None, open.as_ref())?;
            }
            if next.is_none() {
                tx.insert(META, SCHEMA_KEY, SCHEMA_VERSION.to_be_bytes())?;
            }
            Ok(())
        });
        match filled {
            Ok(()) => {}
            Err(WriteError::Store(e)) => return Err(e),
            Err(WriteError::Refused(never)) => match never {},
        }
        match next {
            Some(k) => start = k,
            None => {
                // Filling the new trees was a bulk load: leave every page in one piece.
                store.compact()?;
                return Ok(());
            }
        }
    }
}
