//! Search as the clerk types: a name, an ID number (the applicant's or a
//! household member's) or a case id, first by its first characters (a range
//! of one index), then anywhere in a name or a number (the last four digits
//! clerks read aloud): a walk over the index keys alone, no case record read.

use super::{CaseSummary, Store, StoreError};

impl Store {
    /// Cases whose applicant's name, ID number (or a household member's) or case
    /// id starts with `query`, then those with `query` anywhere in the name or
    /// the number, across all days: at most `limit`, each case once.
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
            for s in self.people_with_prefix(upper.as_bytes(), limit * 4)? {
                push(s, &mut out);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
            for id in self.ids_with_prefix(q.as_bytes(), limit)? {
                if let Some(case) = self.case(&id)? {
                    push(CaseSummary::of(&case), &mut out);
                }
                if out.len() >= limit {
                    return Ok(out);
                }
            }
            // Anywhere in a number: the last four digits read aloud.
            if !q.contains('-') && q.len() >= 4 {
                for s in self.people_containing(upper.as_bytes(), limit * 4)? {
                    push(s, &mut out);
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
            }
        } else {
            let by_prefix = self.ids_by_name(q, limit)?;
            let inside = self.ids_by_name_containing(q, limit)?;
            for id in by_prefix.into_iter().chain(inside) {
                if out.len() >= limit {
                    break;
                }
                if out.iter().any(|o| o.id == id) {
                    continue;
                }
                if let Some(case) = self.case(&id)? {
                    push(CaseSummary::of(&case), &mut out);
                }
            }
        }
        Ok(out)
    }
}
