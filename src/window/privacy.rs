//! Full ID numbers leaving the store: only a supervisor exports them, and
//! every such export is an entry of the audit chain (who, when, how many
//! cases), committed before a single number is written out.

use super::{Window, WindowError};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::time::Moment;

impl Window<'_> {
    /// Lets `by` export `cases` cases with their full ID numbers (`what`
    /// says which, for the auditor): refused unless `by` is a supervisor;
    /// otherwise audited durably.
    pub fn full_id_export(&self, by: &str, cases: usize, what: &str, now: Moment) -> Result<(), WindowError> {
        self.supervisor(by)?;
        Ok(self.store.write::<(), WindowError>(|tx| {
            let mut e = AuditEntry::new(now, by, AuditAction::FullIdExport);
            e.detail = Some(format!("export with full ID numbers: {cases} cases ({what})"));
            tx.audit(e).map(|_| ())
        })?)
    }
}
