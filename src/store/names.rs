//! The name index: the applicant's name, a 0x00 (never in a name), then the
//! case id, with no value, in small runs: search by name is a range of items.

use std::ops::ControlFlow;

use super::{Store, StoreError, Tx, TxResult, NAMES};
use crate::domain::{Case, CaseId};

fn key(name: &str, case: &CaseId) -> Vec<u8> {
    let mut k = name.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(case.as_str().as_bytes());
    k
}

impl Tx<'_> {
    /// Brings the name index in line with `case` (written over `old`).
    pub(super) fn index_name<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        let name = &case.applicant.name;
        if let Some(old) = old {
            if old.applicant.name == *name {
                return Ok(());
            }
            self.remove_item(NAMES, &key(&old.applicant.name, &old.id))?;
        }
        self.put_item(NAMES, &key(name, &case.id), &[])
    }
}

impl Store {
    /// Ids of the cases whose applicant's name starts with `prefix`, by name: at most `limit`.
    pub(super) fn ids_by_name(&self, prefix: &str, limit: usize) -> Result<Vec<CaseId>, StoreError> {
        let mut out = Vec::new();
        self.walk_prefix(NAMES, prefix.as_bytes(), |k, _| {
            let id = k
                .iter()
                .position(|b| *b == 0)
                .and_then(|at| std::str::from_utf8(&k[at + 1..]).ok())
                .and_then(|s| s.parse().ok());
            out.extend(id);
            Ok(if out.len() >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })?;
        Ok(out)
    }

    /// Ids of the cases whose applicant's name contains `part` (not at its start), by name: at most `limit`.
    pub(super) fn ids_by_name_containing(&self, part: &str, limit: usize) -> Result<Vec<CaseId>, StoreError> {
        let mut out = Vec::new();
        let part = part.as_bytes();
        self.walk_prefix(NAMES, &[], |k, _| {
            let Some(at) = k.iter().position(|b| *b == 0) else { return Ok(ControlFlow::Continue(())) };
            let name = &k[..at];
            if name.len() > part.len() && !name.starts_with(part) && memchr::memmem::find(name, part).is_some() {
                out.extend(std::str::from_utf8(&k[at + 1..]).ok().and_then(|s| s.parse().ok()));
            }
            Ok(if out.len() >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })?;
        Ok(out)
    }
}
