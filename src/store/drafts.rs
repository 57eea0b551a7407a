//! Drafts saved as cases: the counter's draft token -> the case it became,
//! written by the same commit as the case. A counter killed between saving a
//! case and removing its draft file knows, when it starts again, that the
//! draft on disk is already a case and does not offer it a second time.

use super::{sled_error, Store, StoreError, Tx, TxResult, DRAFTS};
use crate::domain::CaseId;

impl Tx<'_> {
    /// Records that the draft `token` became `case`.
    pub(super) fn draft_saved<E>(&self, token: &str, case: &CaseId) -> TxResult<(), E> {
        self.insert(DRAFTS, token.as_bytes(), case.as_str().as_bytes())
    }
}

impl Store {
    /// The case the counter's draft `token` was saved as, if it was.
    pub fn saved_draft(&self, token: &str) -> Result<Option<CaseId>, StoreError> {
        let value = self.trees[DRAFTS].get(token.as_bytes()).map_err(|e| sled_error(&self.dir, e))?;
        Ok(value.and_then(|v| std::str::from_utf8(&v).ok().and_then(|s| s.parse().ok())))
    }
}
