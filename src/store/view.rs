//! Reading the trees of runs outside transactions: one item, or the items
//! from a key on in key order. Each read holds the store's read lock, so it
//! sees whole commits only; a long walk lets go every few dozen runs (a
//! commit waits at most that long) and takes up again where it stopped.

use std::ops::{Bound, ControlFlow};
use std::sync::RwLockReadGuard;

use sled::IVec;

use super::runs;
use super::{sled_error, Store, StoreError};

/// Runs read under one hold of the read lock in a walk.
const RUNS_PER_HOLD: usize = 64;

impl Store {
    /// The read lock: no commit is being applied while it is held.
    pub(super) fn reading(&self) -> RwLockReadGuard<'_, ()> {
        self.applying.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The stored run that holds `key` (its key and bytes); `None` when the tree is empty.
    fn stored_run(&self, tree: usize, key: &[u8]) -> Result<Option<(IVec, IVec)>, StoreError> {
        self.trees[tree].get_le(key).map_err(|e| sled_error(&self.dir, e))
    }

    /// One item of a tree of runs.
    pub(super) fn item(&self, tree: usize, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let _reading = self.reading();
        match self.stored_run(tree, key)? {
            None => Ok(None),
            Some((_, bytes)) => runs::find(&bytes, key).map_err(|e| self.bad_run(tree, e)),
        }
    }

    /// Walks the items of a tree of runs from `start` on, in key order, until
    /// `f` says to stop.
    pub(super) fn walk(
        &self,
        tree: usize,
        start: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<ControlFlow<()>, StoreError>,
    ) -> Result<(), StoreError> {
        let mut cursor = start.to_vec();
        loop {
            let _reading = self.reading();
            let Some((run_key, mut bytes)) = self.stored_run(tree, &cursor)? else {
                // Nothing at or below the cursor: an empty tree (the first run's key is empty).
                return Ok(());
            };
            // The run after this one is read only when this one is done and `f` wants more: a
            // lookup whose items lie in one run reads one run. (A run holds no item at or above
            // the next run's key: under the read lock, runs are whole.)
            let mut following = None;
            for _ in 0..RUNS_PER_HOLD {
                let mut stop = false;
                let mut failed = None;
                runs::each(&bytes, |k, v| {
                    if k < cursor.as_slice() {
                        return ControlFlow::Continue(());
                    }
                    match f(k, v) {
                        Ok(ControlFlow::Continue(())) => ControlFlow::Continue(()),
                        Ok(ControlFlow::Break(())) => {
                            stop = true;
                            ControlFlow::Break(())
                        }
                        Err(e) => {
                            failed = Some(e);
                            ControlFlow::Break(())
                        }
                    }
                })
                .map_err(|e| self.bad_run(tree, e))?;
                if let Some(e) = failed {
                    return Err(e);
                }
                if stop {
                    return Ok(());
                }
                let next = following
                    .get_or_insert_with(|| {
                        self.trees[tree].range::<&[u8], _>((Bound::Excluded(&run_key[..]), Bound::Unbounded))
                    })
                    .next()
                    .transpose()
                    .map_err(|e| sled_error(&self.dir, e))?;
                match next {
                    None => return Ok(()),
                    Some((k, b)) => {
                        cursor = k.to_vec();
                        bytes = b;
                    }
                }
            }
            // Let commits in; go on from the run not yet read.
        }
    }

    /// The items whose key starts with `prefix`, in key order, until `f` says to stop.
    pub(super) fn walk_prefix(
        &self,
        tree: usize,
        prefix: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<ControlFlow<()>, StoreError>,
    ) -> Result<(), StoreError> {
        self.walk(tree, prefix, |k, v| if k.starts_with(prefix) { f(k, v) } else { Ok(ControlFlow::Break(())) })
    }

    /// How many items a tree of runs holds (read from each run's head; not
    /// under the read lock, so a count taken while commits run may be off by those).
    pub(super) fn count_items(&self, tree: usize) -> Result<u64, StoreError> {
        let mut n = 0;
        for item in self.trees[tree].iter().values() {
            let bytes = item.map_err(|e| sled_error(&self.dir, e))?;
            n += runs::count(&bytes).map_err(|e| self.bad_run(tree, e))?;
        }
        Ok(n)
    }
}

/// The stored runs from the one holding `key` down, in key order backwards:
/// the first found in its leaf in place (vendored sled's `Tree::get_le`, no
/// copy of the leaf), the ones below it by sled's iterator.
pub(super) fn runs_down_from<'t>(
    tree: &'t sled::Tree,
    key: &[u8],
) -> impl Iterator<Item = sled::Result<(IVec, IVec)>> + 't {
    first_then(tree.get_le(key), move |k| tree.range::<&[u8], _>(..k).rev())
}

/// The stored runs after the one keyed `key`, in key order: the first found
/// in its leaf in place (`Tree::get_gt`), the ones after it by sled's iterator.
pub(super) fn runs_after<'t>(
    tree: &'t sled::Tree,
    key: &[u8],
) -> impl Iterator<Item = sled::Result<(IVec, IVec)>> + 't {
    first_then(tree.get_gt(key), move |k| tree.range::<&[u8], _>((Bound::Excluded(k), Bound::Unbounded)))
}

/// `first`, then what `rest` gives going on from its key (made only if asked for).
fn first_then<I: Iterator<Item = sled::Result<(IVec, IVec)>>>(
    first: sled::Result<Option<(IVec, IVec)>>,
    rest: impl Fn(&[u8]) -> I,
) -> impl Iterator<Item = sled::Result<(IVec, IVec)>> {
    let first = first.transpose();
    let from = first.as_ref().and_then(|found| found.as_ref().ok()).map(|(k, _)| k.clone());
    first.into_iter().chain(from.into_iter().flat_map(move |k| rest(&k)))
}
