//! The outbox: completed cases waiting to be forwarded to the district, put
//! in by the same transaction that completes the case (so none is missed and
//! none is forwarded before it is saved). One plain entry per case waiting.

use super::{sled_error, Store, StoreError, Tx, TxResult, OUTBOX};
use crate::domain::{Case, CaseId, State};

impl Tx<'_> {
    /// Puts `case` in the outbox if this write completes it.
    pub(super) fn enqueue_if_completed<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        if case.state == State::Completed && old.map(|o| o.state) != Some(State::Completed) {
            self.insert(OUTBOX, case.id.as_str().as_bytes(), [])?;
        }
        Ok(())
    }
}

impl Store {
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
}
