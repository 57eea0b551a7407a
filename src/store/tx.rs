//! Transactions: one commit over every tree, run under the store's commit
//! lock. A transaction reads through its own writes; what it writes stays
//! in its overlay (plain entries as bytes, runs decoded) until the whole of
//! it is written to the commit journal and synced, then applied to sled
//! while readers wait, so no reader ever sees half a commit. Only the last
//! value of each key goes to the journal: an import of 10,000 cases writes
//! each run it touched once.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::MutexGuard;

use super::journal::{Journal, Op};
use super::runs::{self, Run};
use super::view;
use super::{abort, damaged, sled_error, Store, StoreError, TxResult, WriteError, CHECKPOINT_KEY, META, TREES};

/// A transaction's writes to one plain tree by key; `None` is a removal.
type PlainOverlay = BTreeMap<Vec<u8>, Option<Vec<u8>>>;
/// Its runs of one tree by run key, decoded.
type RunOverlay = BTreeMap<Vec<u8>, OwnRun>;

/// A run this transaction holds.
struct OwnRun {
    /// `None`: the run is gone.
    run: Option<Run>,
    /// Once known: how far the store is known to hold no run key above this
    /// one's, the lowest stored run key above it (`Some(None)`: none at all).
    /// A fact of the store alone, which no transaction changes until it
    /// commits, so it stays true whatever happens to the run.
    reach: Option<Option<Vec<u8>>>,
}

impl OwnRun {
    fn new(run: Option<Run>) -> OwnRun {
        OwnRun { run, reach: None }
    }
}

/// Where a run was found: among this transaction's own runs (by its key),
/// or in the store (its key and bytes).
enum Found {
    Own(Vec<u8>),
    Stored(Vec<u8>, sled::IVec),
}

/// One transaction over every tree (see the module's notes).
pub struct Tx<'a> {
    pub(super) store: &'a Store,
    /// One map per tree of [`TREES`] (a plain tree's writes, a tree of runs'
    /// runs): looked up by the key alone, never a copy of it.
    plain: RefCell<Vec<PlainOverlay>>,
    runs: RefCell<Vec<RunOverlay>>,
    /// Per tree, the last two keys put: an item put right after one of them
    /// is written in key order (see [`cut_in_key_order`]).
    recent: RefCell<Vec<[Vec<u8>; 2]>>,
}

impl<'a> Tx<'a> {
    fn new(store: &'a Store) -> Tx<'a> {
        Tx {
            store,
            plain: RefCell::new(TREES.iter().map(|_| BTreeMap::new()).collect()),
            runs: RefCell::new(TREES.iter().map(|_| BTreeMap::new()).collect()),
            recent: RefCell::new(TREES.iter().map(|_| [Vec::new(), Vec::new()]).collect()),
        }
    }

    // ---- plain trees ---------------------------------------------------

    pub(super) fn get<E>(&self, tree: usize, key: &[u8]) -> TxResult<Option<Vec<u8>>, E> {
        debug_assert!(TREES[tree].run_size.is_none(), "{} is a tree of runs", TREES[tree].name);
        if let Some(own) = self.plain.borrow()[tree].get(key) {
            return Ok(own.clone());
        }
        match self.store.trees[tree].get(key) {
            Ok(v) => Ok(v.map(|v| v.to_vec())),
            Err(e) => abort(sled_error(&self.store.dir, e)),
        }
    }

    pub(super) fn insert<E>(&self, tree: usize, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> TxResult<(), E> {
        self.plain.borrow_mut()[tree].insert(key.into(), Some(value.into()));
        Ok(())
    }

    pub(super) fn remove<E>(&self, tree: usize, key: &[u8]) -> TxResult<(), E> {
        self.plain.borrow_mut()[tree].insert(key.to_vec(), None);
        Ok(())
    }

    // ---- trees of runs -------------------------------------------------

    /// The run that holds `key` as this transaction sees it (`None`: the
    /// tree is empty, and the first run, keyed empty, is to be made).
    fn run_for<E>(&self, tree: usize, key: &[u8]) -> TxResult<Option<Found>, E> {
        if let Some(own) = self.own_run_reaching(tree, key) {
            return Ok(Some(Found::Own(own)));
        }
        let overlay = self.runs.borrow();
        let own = overlay[tree].range::<[u8], _>((Bound::Unbounded, Bound::Included(key))).rev();
        let stored = view::runs_down_from(&self.store.trees[tree], key);
        self.first_run(own, stored, |own, stored| own >= stored)
    }

    /// The run of this transaction that holds `key`, when that is known
    /// without sled: the highest of its runs at or below `key` is one it
    /// holds, and the store has no run key between that run's and `key`.
    fn own_run_reaching(&self, tree: usize, key: &[u8]) -> Option<Vec<u8>> {
        let overlay = self.runs.borrow();
        let (k, own) = overlay[tree].range::<[u8], _>((Bound::Unbounded, Bound::Included(key))).next_back()?;
        own.run.as_ref()?;
        match own.reach.as_ref()? {
            Some(above) if key >= above.as_slice() => None,
            _ => Some(k.clone()),
        }
    }

    /// Notes how far this transaction's run keyed `key` reaches: up to the next stored run key.
    fn note_reach<E>(&self, tree: usize, key: &[u8]) -> TxResult<(), E> {
        let above = match self.store.trees[tree].get_gt(key) {
            Ok(next) => next.map(|(k, _)| k.to_vec()),
            Err(e) => return abort(sled_error(&self.store.dir, e)),
        };
        if let Some(own) = self.runs.borrow_mut()[tree].get_mut(key) {
            own.reach = Some(above);
        }
        Ok(())
    }

    /// The run after the one keyed `after`, as this transaction sees it.
    fn run_after<E>(&self, tree: usize, after: &[u8]) -> TxResult<Option<Found>, E> {
        let overlay = self.runs.borrow();
        let own = overlay[tree].range::<[u8], _>((Bound::Excluded(after), Bound::Unbounded));
        let stored = view::runs_after(&self.store.trees[tree], after);
        self.first_run(own, stored, |own, stored| own <= stored)
    }

    /// The first run met walking this transaction's runs (`own`) and the
    /// stored ones side by side, in the same direction; `own_first` says
    /// which of two keys comes first. A run this transaction removed is
    /// passed over (its items are in the run before it now). Nothing is
    /// copied but the key: a stored run comes as its bytes.
    fn first_run<'o, E>(
        &self,
        own: impl Iterator<Item = (&'o Vec<u8>, &'o OwnRun)>,
        stored: impl Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>,
        own_first: fn(&[u8], &[u8]) -> bool,
    ) -> TxResult<Option<Found>, E> {
        let mut own = own.peekable();
        let mut stored = stored.peekable();
        loop {
            let stored_key = match stored.peek() {
                Some(Ok((k, _))) => Some(k.clone()),
                Some(Err(_)) => match stored.next() {
                    Some(Err(e)) => return abort(sled_error(&self.store.dir, e)),
                    _ => None,
                },
                None => None,
            };
            let take_own = match (own.peek(), &stored_key) {
                (None, None) => return Ok(None),
                (Some((o, _)), Some(s)) => own_first(o, s),
                (Some(_), None) => true,
                (None, Some(_)) => false,
            };
            if take_own {
                let Some((k, run)) = own.next() else { return Ok(None) };
                if stored_key.as_deref() == Some(k.as_slice()) {
                    stored.next();
                }
                match run.run {
                    Some(_) => return Ok(Some(Found::Own(k.clone()))),
                    None => continue,
                }
            }
            return match stored.next() {
                Some(Ok((k, bytes))) => Ok(Some(Found::Stored(k.to_vec(), bytes))),
                Some(Err(e)) => abort(sled_error(&self.store.dir, e)),
                None => Ok(None),
            };
        }
    }

    /// A run as found, with its key (an empty first run when the tree is empty).
    fn loaded<E>(&self, tree: usize, found: Option<Found>) -> TxResult<(Vec<u8>, Run), E> {
        match found {
            None => Ok((Vec::new(), Run::default())),
            Some(found) => {
                let run = self.run_of(tree, &found)?;
                match found {
                    Found::Own(k) | Found::Stored(k, _) => Ok((k, run)),
                }
            }
        }
    }

    /// A stored run, decoded.
    fn decode_run<E>(&self, tree: usize, bytes: &[u8]) -> TxResult<Run, E> {
        match Run::decode(bytes) {
            Ok(run) => Ok(run),
            Err(e) => abort(self.store.bad_run(tree, e)),
        }
    }

    /// A run as found, decoded (a copy of this transaction's own).
    fn run_of<E>(&self, tree: usize, found: &Found) -> TxResult<Run, E> {
        match found {
            Found::Own(k) => Ok(self.runs.borrow()[tree].get(k).and_then(|own| own.run.clone()).unwrap_or_default()),
            Found::Stored(_, bytes) => self.decode_run(tree, bytes),
        }
    }

    /// The key of the run that holds `key`, brought into this transaction's
    /// runs to be changed in place (decoded once, the first time).
    fn own_run_for<E>(&self, tree: usize, key: &[u8]) -> TxResult<Vec<u8>, E> {
        match self.run_for(tree, key)? {
            Some(Found::Own(k)) => {
                // Written to a second time: worth a lookup to know how far it reaches.
                if self.runs.borrow()[tree].get(&k).is_some_and(|own| own.reach.is_none()) {
                    self.note_reach(tree, &k)?;
                }
                Ok(k)
            }
            Some(Found::Stored(k, bytes)) => {
                let run = self.decode_run(tree, &bytes)?;
                self.runs.borrow_mut()[tree].insert(k.clone(), OwnRun::new(Some(run)));
                Ok(k)
            }
            None => {
                // An empty tree: the store holds no run at all.
                let first = OwnRun { run: Some(Run::default()), reach: Some(None) };
                self.runs.borrow_mut()[tree].insert(Vec::new(), first);
                Ok(Vec::new())
            }
        }
    }

    /// An item of a tree of runs.
    pub(super) fn item<E>(&self, tree: usize, key: &[u8]) -> TxResult<Option<Vec<u8>>, E> {
        match self.run_for(tree, key)? {
            None => Ok(None),
            Some(Found::Own(k)) => {
                let overlay = self.runs.borrow();
                Ok(overlay[tree].get(&k).and_then(|own| own.run.as_ref()?.get(key)).map(<[u8]>::to_vec))
            }
            Some(Found::Stored(_, bytes)) => match runs::find(&bytes, key) {
                Ok(v) => Ok(v),
                Err(e) => abort(self.store.bad_run(tree, e)),
            },
        }
    }

    /// Puts an item into its run, splitting the run when it grows too large.
    pub(super) fn put_item<E>(&self, tree: usize, key: &[u8], value: &[u8]) -> TxResult<(), E> {
        let limit = TREES[tree].run_size.unwrap_or(usize::MAX);
        let run_key = self.own_run_for(tree, key)?;
        let mut overlay = self.runs.borrow_mut();
        let overlay = &mut overlay[tree];
        let Some(OwnRun { run: Some(run), reach }) = overlay.get_mut(&run_key) else {
            return abort(StoreError::Failed("a transaction lost a run it was writing".into()));
        };
        let at = run.put(key, value);
        let mut recent = self.recent.borrow_mut();
        let recent = &mut recent[tree];
        if run.size() > limit && run.len() > 1 {
            let upper = match cut_in_key_order(run, at, limit, recent) {
                Some(cut) => run.split_before(cut),
                None => run.split(at + 1 == run.len()),
            };
            let upper_key = upper.first_key().map(<[u8]>::to_vec).unwrap_or_default();
            // No stored run key lies between the two halves: the upper one reaches as far.
            let reach = reach.clone();
            // A run this transaction took in before at that key: what it knew of its reach still holds.
            let known = overlay.remove(&upper_key).and_then(|own| own.reach);
            overlay.insert(upper_key, OwnRun { run: Some(upper), reach: reach.or(known) });
        }
        recent.swap(0, 1);
        recent[1].clear();
        recent[1].extend_from_slice(key);
        Ok(())
    }

    /// Takes an item out; a run left small takes in the next one, and a run
    /// left empty goes (but the first, which holds every key below the rest).
    pub(super) fn remove_item<E>(&self, tree: usize, key: &[u8]) -> TxResult<(), E> {
        let limit = TREES[tree].run_size.unwrap_or(usize::MAX);
        // Nothing to take out of an empty tree, nor of a run that does not hold it.
        match self.run_for(tree, key)? {
            None => return Ok(()),
            Some(Found::Stored(_, bytes)) => match runs::find(&bytes, key) {
                Ok(None) => return Ok(()),
                Ok(Some(_)) => {}
                Err(e) => return abort(self.store.bad_run(tree, e)),
            },
            Some(Found::Own(_)) => {}
        }
        let run_key = self.own_run_for(tree, key)?;
        let size = {
            let mut overlay = self.runs.borrow_mut();
            let Some(OwnRun { run: Some(run), .. }) = overlay[tree].get_mut(&run_key) else {
                return abort(StoreError::Failed("a transaction lost a run it was writing".into()));
            };
            if !run.remove(key) {
                return Ok(());
            }
            run.size()
        };
        if size < limit / 4 {
            if let Some(found) = self.run_after(tree, &run_key)? {
                let (next_key, next) = match found {
                    Found::Own(k) => {
                        let run = self.run_of(tree, &Found::Own(k.clone()))?;
                        (k, run)
                    }
                    Found::Stored(k, bytes) => (k, self.decode_run(tree, &bytes)?),
                };
                if size + next.size() <= limit / 4 * 3 {
                    let mut overlay = self.runs.borrow_mut();
                    if let Some(OwnRun { run: Some(run), .. }) = overlay[tree].get_mut(&run_key) {
                        run.absorb(next);
                    }
                    overlay[tree].entry(next_key).or_insert_with(|| OwnRun::new(None)).run = None;
                }
            }
        }
        let mut overlay = self.runs.borrow_mut();
        if let Some(own) = overlay[tree].get_mut(&run_key) {
            if own.run.as_ref().is_some_and(Run::is_empty) && !run_key.is_empty() {
                own.run = None;
            }
        }
        Ok(())
    }

    /// Items whose key starts with `prefix`, as this transaction sees them, in key order.
    pub(super) fn items_with_prefix<E>(&self, tree: usize, prefix: &[u8]) -> TxResult<runs::Items, E> {
        self.first_items_with_prefix(tree, prefix, usize::MAX)
    }

    /// The first `at_most` items whose key starts with `prefix`, as this
    /// transaction sees them, in key order.
    pub(super) fn first_items_with_prefix<E>(
        &self,
        tree: usize,
        prefix: &[u8],
        at_most: usize,
    ) -> TxResult<runs::Items, E> {
        let mut out = Vec::new();
        if at_most == 0 {
            return Ok(out);
        }
        let (mut run_key, mut run) = self.loaded(tree, self.run_for(tree, prefix)?)?;
        loop {
            let next = match self.run_after(tree, &run_key)? {
                None => None,
                found => Some(self.loaded(tree, found)?),
            };
            for (k, v) in run.items() {
                let beyond = next.as_ref().is_some_and(|(n, _)| k >= n);
                if k.as_slice() < prefix || beyond {
                    continue;
                }
                if !k.starts_with(prefix) {
                    return Ok(out);
                }
                out.push((k.clone(), v.clone()));
                if out.len() >= at_most {
                    return Ok(out);
                }
            }
            match next {
                Some((k, r)) if k.starts_with(prefix) || k.as_slice() < prefix => (run_key, run) = (k, r),
                _ => return Ok(out),
            }
        }
    }

    /// The journal's operations for this transaction: the last value of
    /// every key written, runs encoded.
    fn into_ops(self) -> Vec<Op> {
        let mut ops = Vec::new();
        for (tree, plain) in self.plain.into_inner().into_iter().enumerate() {
            ops.extend(plain.into_iter().map(|(key, value)| Op { tree: tree as u8, key, value }));
        }
        for (tree, runs) in self.runs.into_inner().into_iter().enumerate() {
            ops.extend(runs.into_iter().map(|(key, own)| Op {
                tree: tree as u8,
                key,
                value: own.run.map(|r| r.encode()),
            }));
        }
        ops
    }
}

impl Store {
    /// Runs `f` as ONE transaction over all trees and commits it durably; a
    /// refusal or an error from `f` writes nothing at all.
    pub fn write<T, E>(&self, f: impl Fn(&Tx) -> TxResult<T, E>) -> Result<T, WriteError<E>> {
        self.write_before_commit(f, |_, _| Ok(()))
    }

    /// As [`Store::write`], with `before` run under the commit lock once the
    /// transaction is made and before it is committed (an error from it
    /// writes nothing of the transaction).
    pub(super) fn write_before_commit<T, E>(
        &self,
        f: impl Fn(&Tx) -> TxResult<T, E>,
        before: impl FnOnce(&mut Journal, &T) -> Result<(), StoreError>,
    ) -> Result<T, WriteError<E>> {
        let mut journal = self.lock_journal()?;
        let tx = Tx::new(self);
        let value = f(&tx)?;
        before(&mut journal, &value)?;
        self.commit(&mut journal, &tx.into_ops())?;
        Ok(value)
    }

    /// As [`Store::write`], but straight into sled without the journal, then
    /// checkpointed: for loading whole stores (benchmark and training
    /// stores, a migration), never for intake.
    pub(super) fn write_unjournalled<T, E>(&self, f: impl Fn(&Tx) -> TxResult<T, E>) -> Result<T, WriteError<E>> {
        let mut journal = self.lock_journal()?;
        // Nothing may wait in the journal to be replayed over what is written here.
        self.checkpoint(&mut journal)?;
        let tx = Tx::new(self);
        let value = f(&tx)?;
        self.apply(&tx.into_ops())?;
        self.checkpoint(&mut journal)?;
        Ok(value)
    }

    /// Applies again, in commit order, the journalled commits since the last
    /// checkpoint (after a crash sled may not have kept them), then checkpoints.
    pub(super) fn replay(&self, unapplied: Vec<Vec<Op>>) -> Result<(), StoreError> {
        if unapplied.is_empty() {
            return Ok(());
        }
        tracing::info!(commits = unapplied.len(), "replaying the commit journal");
        for ops in &unapplied {
            self.apply(ops)?;
        }
        self.sync()
    }

    /// Applies a committed transaction's writes to sled, while readers wait.
    /// Single inserts: for a handful of keys they cost a third of sled
    /// batches. A large commit (an import) goes in on two threads, each
    /// taking half of its writes (see [`halves`]): sled's inserts are most
    /// of its time, and sled takes writes side by side. The commit is in the
    /// journal already, so it is whole after a crash either way.
    pub(super) fn apply(&self, ops: &[Op]) -> Result<(), StoreError> {
        let _applying = self.applying.write().unwrap_or_else(|e| e.into_inner());
        let two = ops.len() >= APPLY_IN_TWO_FROM && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
        if !two {
            return self.apply_each(ops.iter());
        }
        let (mine, theirs) = halves(ops);
        std::thread::scope(|scope| {
            let helper = std::thread::Builder::new()
                .name("onedoor-apply".into())
                .spawn_scoped(scope, || self.apply_each(theirs.iter()));
            let done = self.apply_each(mine.iter());
            let other = match helper {
                Ok(helper) => helper
                    .join()
                    .unwrap_or_else(|_| Err(StoreError::Failed("applying a commit to sled stopped half-way".into()))),
                // No second thread to be had: this one does it all.
                Err(_) => self.apply_each(theirs.iter()),
            };
            done.and(other)
        })
    }

    /// Applies writes to sled in the order given.
    fn apply_each<'o>(&self, ops: impl Iterator<Item = &'o Op>) -> Result<(), StoreError> {
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

    pub(super) fn lock_journal(&self) -> Result<MutexGuard<'_, Journal>, StoreError> {
        self.journal
            .lock()
            .map_err(|_| StoreError::Failed("a commit failed half-way in another thread; restart onedoor".into()))
    }

    /// Makes sled itself durable and starts a new journal generation.
    pub(super) fn checkpoint(&self, journal: &mut Journal) -> Result<(), StoreError> {
        let io = |source| StoreError::Io { dir: self.dir.clone(), source };
        let next = journal.generation().wrapping_add(1);
        self.trees[META].insert(CHECKPOINT_KEY, &next.to_be_bytes()).map_err(|e| sled_error(&self.dir, e))?;
        self.db.flush().map_err(|e| sled_error(&self.dir, e))?;
        self.db_file.sync_data().map_err(io)?;
        // sled writes pages over ~128 KiB to blob files it never fsyncs: do it here.
        let blobs = self.dir.join("blobs");
        if let Ok(entries) = std::fs::read_dir(&blobs) {
            for entry in entries.flatten() {
                std::fs::File::open(entry.path()).and_then(|f| f.sync_all()).map_err(io)?;
            }
            std::fs::File::open(&blobs).and_then(|d| d.sync_all()).map_err(io)?;
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
        self.refuse_if_poisoned()?;
        let io = |source| StoreError::Io { dir: self.dir.clone(), source };
        // Where it does not fit: everything before made durable in sled, then an empty journal.
        let mut record = journal.record_with_room(ops, io, |journal| self.checkpoint(journal))?;
        // If the append fails part-way, the record may still be on disk: no more
        // writes until a reopen decides from the journal itself.
        journal.append(&mut record).map_err(|e| self.poison(io(e)))?;
        drop(record);
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

    /// Makes everything committed so far durable: sled's flush (which only
    /// writes back, `sync_file_range`), then `fsync` of the store file.
    pub fn sync(&self) -> Result<(), StoreError> {
        let mut journal = self.lock_journal()?;
        self.refuse_if_poisoned()?;
        self.checkpoint(&mut journal)
    }

    /// After a commit that could not be completed, nothing more is written
    /// (and no checkpoint drops its record from the journal) until a reopen.
    pub(super) fn refuse_if_poisoned(&self) -> Result<(), StoreError> {
        if self.poisoned.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Failed("an earlier commit could not be completed; restart onedoor".into()));
        }
        Ok(())
    }
}

impl Store {
    pub(super) fn bad_run(&self, tree: usize, e: runs::BadRun) -> StoreError {
        damaged(&self.dir, &format!("its tree {} holds {}", TREES[tree].name, e.0))
    }
}

/// Where to cut a run grown past `limit` by the item put at place `at`,
/// when the transaction writes there in key order (the item before it is
/// one of the two it put last in the tree: an import's cases, the audit
/// entries before the chain's head). Before the new item when little
/// follows it: that goes on with the newest items (the chain's head stays
/// in the run being filled, so a later commit still writes one run). After
/// it otherwise: what followed goes off once, and the items still to come
/// fill the run instead of leaving runs half full behind them. `None`: as
/// [`Run::split`] cuts (after an item put last, or in the middle).
fn cut_in_key_order(run: &Run, at: usize, limit: usize, recent: &[Vec<u8>; 2]) -> Option<usize> {
    let last = run.len().checked_sub(1)?;
    if at == 0 || at >= last || !recent.contains(&run.items()[at - 1].0) {
        return None;
    }
    let through = run.size_before(at + 1);
    if run.size() - through <= limit / 4 {
        Some(at)
    } else if through <= limit {
        Some(at + 1)
    } else {
        None
    }
}

/// A commit of at least this many writes is applied by two threads (see
/// [`Store::apply`]): a second thread costs some 50 us, 64 of sled's inserts
/// some 2 ms. A counter's commit writes about a dozen.
const APPLY_IN_TWO_FROM: usize = 64;

/// What a write costs to apply: sled's lookup and page fragment, and its bytes compressed.
fn work(op: &Op) -> usize {
    256 + op.key.len() + op.value.as_ref().map_or(0, Vec::len)
}

/// A commit's writes in two halves of about the same work: the first writes
/// and the rest, in the order given (a tree's writes in key order), cut
/// where half the work is done, inside a tree if need be (an import's person
/// index is most of its work). Each key is written once in a commit, so the
/// two halves write different keys, and sled takes them side by side.
fn halves(ops: &[Op]) -> (&[Op], &[Op]) {
    let total: usize = ops.iter().map(work).sum();
    let mut done = 0;
    for (i, op) in ops.iter().enumerate() {
        let after = done + work(op);
        if after * 2 >= total {
            // Before or after the write that crosses the half: whichever is nearer.
            let cut = if total - done * 2 <= after * 2 - total { i } else { i + 1 };
            return ops.split_at(cut);
        }
        done = after;
    }
    (ops, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{StoreOptions, AUDIT, CASES, COUNTERS, NAMES, PEOPLE};

    /// An import's worth of writes: items in three trees of runs and plain keys.
    fn big_commit(store: &Store) -> Vec<Op> {
        let tx = Tx::new(store);
        for i in 0..200u32 {
            let k = format!("{:05}-{}", (i * 7919) % 1000, i).into_bytes();
            tx.put_item::<()>(PEOPLE, &k, &[(i % 251) as u8; 90]).unwrap();
            tx.put_item::<()>(NAMES, &k, b"").unwrap();
            tx.put_item::<()>(CASES, &i.to_be_bytes(), &[1; 300]).unwrap();
            tx.insert::<()>(COUNTERS, format!("c{i}").into_bytes(), i.to_be_bytes()).unwrap();
        }
        tx.remove::<()>(COUNTERS, b"c7").unwrap();
        tx.into_ops()
    }

    #[test]
    fn a_large_commit_applied_on_two_threads_leaves_sled_as_one_thread_would() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let options = StoreOptions::default();
        let (two, one) = (Store::open(a.path(), &options).unwrap(), Store::open(b.path(), &options).unwrap());
        let ops = big_commit(&two);
        assert!(ops.len() >= APPLY_IN_TWO_FROM, "{} writes: too few to be applied in two", ops.len());
        assert_eq!(ops, big_commit(&one));
        two.apply(&ops).unwrap();
        one.apply_each(ops.iter()).unwrap();
        assert_eq!(two.fingerprint().unwrap(), one.fingerprint().unwrap());
        assert_ne!(
            two.fingerprint().unwrap(),
            Store::open(tempfile::tempdir().unwrap().path(), &options).unwrap().fingerprint().unwrap()
        );
        // And after both are closed and opened again.
        drop((two, one));
        let (two, one) = (Store::open(a.path(), &options).unwrap(), Store::open(b.path(), &options).unwrap());
        assert_eq!(two.fingerprint().unwrap(), one.fingerprint().unwrap());
    }

    /// The runs of a tree, as stored: each one's items.
    fn stored_runs(store: &Store, tree: usize) -> Vec<Vec<Vec<u8>>> {
        let runs = store.trees[tree].iter().values().map(|v| Run::decode(&v.unwrap()).unwrap());
        runs.map(|r| r.items().iter().map(|(k, _)| k.clone()).collect()).collect()
    }

    #[test]
    fn items_written_in_key_order_before_others_leave_full_runs_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let limit = TREES[CASES].run_size.unwrap();
        // Cases of another window sort before the ones stored; audit entries before the chain's head.
        store.write::<(), ()>(|tx| tx.put_item(CASES, b"w9-0001", &[9; 200])).unwrap();
        store
            .write::<(), ()>(|tx| {
                for i in 0..200 {
                    tx.put_item(CASES, format!("w7-{i:04}").as_bytes(), &[7; 200])?;
                    tx.put_item(AUDIT, format!("e{i:04}").as_bytes(), &[1; 200])?;
                    tx.put_item(AUDIT, b"h", &[0; 40])?;
                }
                Ok(())
            })
            .unwrap();
        for tree in [CASES, AUDIT] {
            let runs = stored_runs(&store, tree);
            let items: Vec<&Vec<u8>> = runs.iter().flatten().collect();
            assert_eq!(items.len(), 201, "{}", TREES[tree].name);
            assert!(items.windows(2).all(|w| w[0] < w[1]));
            // 200 items of 206 bytes: 41 KB in runs of 4 KiB; cut in the middle, they took twice as many.
            let fewest = (200 * 206usize).div_ceil(limit);
            assert!(runs.len() <= fewest + 2, "{}: {} runs where {fewest} hold them", TREES[tree].name, runs.len());
        }
        // The chain's head stays with its newest entry: the next entry and head are one run to write.
        let audit = stored_runs(&store, AUDIT);
        assert_eq!(
            audit.last().unwrap().iter().rev().take(2).collect::<Vec<_>>(),
            [&b"h".to_vec(), &b"e0199".to_vec()]
        );
    }

    #[test]
    fn the_halves_of_a_commit_are_its_writes_in_order_cut_at_half_the_work() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let ops = big_commit(&store);
        let (mine, theirs) = halves(&ops);
        assert!(!mine.is_empty() && !theirs.is_empty());
        assert_eq!([mine, theirs].concat(), ops);
        let of = |half: &[Op]| half.iter().map(work).sum::<usize>();
        let (a, b) = (of(mine), of(theirs));
        let largest = ops.iter().map(work).max().unwrap();
        assert!(a.abs_diff(b) <= largest, "halves of {a} and {b} bytes of work");
        // Cut inside a tree (here the cases' runs): its keys, each written once, shared out.
        let (last, first) = (mine.last().unwrap(), theirs.first().unwrap());
        assert_eq!(last.tree, first.tree, "cut between trees {} and {}", last.tree, first.tree);
        assert!(last.key < first.key);
    }
}
