//! The name index: the applicant's name, and each household member's, a 0x00
//! (never in a name), then the case id, with no value, in small runs: search
//! by name is a range of items, and a member's name finds the case too.
//! Cases written before members were indexed (schema 2) get their members'
//! items when the store is brought to schema 3.

use std::ops::ControlFlow;

use super::{Store, StoreError, Tx, TxResult, NAMES};
use crate::domain::{Case, CaseId};

fn key(name: &str, case: &CaseId) -> Vec<u8> {
    let mut k = name.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(case.as_str().as_bytes());
    k
}

/// The names a case is found by: the applicant's, then the members' (each once, none blank).
fn names_of(case: &Case) -> Vec<&str> {
    let mut names = vec![case.applicant.name.as_str()];
    for m in &case.household.members {
        let name = m.name.trim();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

impl Tx<'_> {
    /// Brings the name index in line with `case` (written over `old`): an
    /// item for the applicant and each member, none for a name no longer there.
    pub(super) fn index_name<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        let names = names_of(case);
        let was = old.map(names_of).unwrap_or_default();
        if was == names {
            return Ok(()); // unchanged: the runs are not written again
        }
        if let Some(old) = old {
            for name in was.iter().filter(|n| !names.contains(n)) {
                self.remove_item(NAMES, &key(name, &old.id))?;
            }
        }
        for name in names.iter().filter(|n| !was.contains(n)) {
            self.put_item(NAMES, &key(name, &case.id), &[])?;
        }
        Ok(())
    }

    /// Puts the items of every name of `case` (the applicant's are there
    /// already; a schema-2 store had no members' items).
    pub(super) fn index_every_name<E>(&self, case: &Case) -> TxResult<(), E> {
        for name in names_of(case) {
            self.put_item(NAMES, &key(name, &case.id), &[])?;
        }
        Ok(())
    }
}

impl Store {
    /// Ids of the cases whose applicant's (or a member's) name starts with `prefix`, by name: at most `limit`.
    pub(super) fn ids_by_name(&self, prefix: &str, limit: usize) -> Result<Vec<CaseId>, StoreError> {
        let mut out = Vec::new();
        self.walk_prefix(NAMES, prefix.as_bytes(), |k, _| {
            let id = k
                .iter()
                .position(|b| *b == 0)
                .and_then(|at| std::str::from_utf8(&k[at + 1..]).ok())
                .and_then(|s| s.parse().ok());
            out.extend(id.filter(|id| !out.contains(id)));
            Ok(if out.len() >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })?;
        Ok(out)
    }

    /// Ids of the cases whose applicant's (or a member's) name contains `part` (not at its start), by name: at most `limit`.
    pub(super) fn ids_by_name_containing(&self, part: &str, limit: usize) -> Result<Vec<CaseId>, StoreError> {
        let mut out = Vec::new();
        let part = part.as_bytes();
        self.walk_prefix(NAMES, &[], |k, _| {
            let Some(at) = k.iter().position(|b| *b == 0) else { return Ok(ControlFlow::Continue(())) };
            let name = &k[..at];
            if name.len() > part.len() && !name.starts_with(part) && memchr::memmem::find(name, part).is_some() {
                let id: Option<CaseId> = std::str::from_utf8(&k[at + 1..]).ok().and_then(|s| s.parse().ok());
                out.extend(id.filter(|id| !out.contains(id)));
            }
            Ok(if out.len() >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })?;
        Ok(out)
    }
}
