//! The audit log: every change at the window (case steps, fund movements,
//! operator changes, failed sign-ins and lockouts, overrides, exports with full
//! ID numbers) as a chain of entries, each carrying the SHA-256 of the one
//! before. Altering, removing or reordering an entry breaks the chain at that
//! entry; rewriting the whole chain consistently changes its head, which is
//! printed on the daily summary a supervisor signs and sent to the district.
//! Pure: the store appends entries in the same commit as the change.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use super::case::CaseId;
use super::money::Money;
use super::time::{self, Moment};

/// A SHA-256 digest, written as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The `prev` of the first entry.
    pub const GENESIS: Digest = Digest([0; 32]);

    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The first 16 hex digits: what fits on a receipt line beside a label.
    pub fn short(&self) -> String {
        self.hex()[..16].to_string()
    }

    pub fn parse(s: &str) -> Option<Digest> {
        let s = s.trim();
        if s.len() != 64 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Digest(out))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.short())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.hex())
        } else {
            self.0.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            Digest::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("'{s}' is not a SHA-256 in hex")))
        } else {
            <[u8; 32]>::deserialize(d).map(Digest)
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A case was accepted at the window.
    CaseAccepted,
    /// A step on a case (the case history's action is in `detail`).
    CaseStep,
    /// A supervisor let a case through a check that would have stopped it.
    Override,
    /// Money into, out of, or corrected in the relief reserve fund.
    FundMovement,
    /// A payment through the regular assistance budget (the "one card" channel).
    BudgetPayment,
    OperatorAdded,
    OperatorDisabled,
    PinChanged,
    PinReset,
    SignedIn,
    SignInFailed,
    LockedOut,
    /// Cases exported with full ID numbers.
    FullIdExport,
    /// Cases brought in with `case import`.
    Imported,
    /// A backup made or restored.
    Backup,
    Restore,
}

/// One entry as it is hashed and kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// 1 for the first entry, then one more each time: a gap is a removal.
    pub seq: u64,
    #[serde(with = "time::moment")]
    pub at: Moment,
    /// The operator who acted (for a four-eyes step, the second person is in `second`).
    pub by: String,
    #[serde(default)]
    pub second: Option<String>,
    pub action: AuditAction,
    #[serde(default)]
    pub case: Option<CaseId>,
    #[serde(default)]
    pub amount: Option<Money>,
    /// What else an auditor needs, in words (the step, the source of money, the reason…).
    #[serde(default)]
    pub detail: Option<String>,
    /// The digest of the entry before (zeros for the first).
    pub prev: Digest,
}

impl AuditEntry {
    /// An entry of `action` by `by` at `at`; the store numbers and chains it.
    pub fn new(at: Moment, by: &str, action: AuditAction) -> AuditEntry {
        AuditEntry {
            seq: 0,
            at,
            by: by.to_string(),
            second: None,
            action,
            case: None,
            amount: None,
            detail: None,
            prev: Digest::GENESIS,
        }
    }

    /// The entry's own digest, over its canonical JSON (fields in declaration
    /// order, times in RFC 3339), `prev` included: what the next entry records.
    pub fn digest(&self) -> Digest {
        // Serializing these plain fields cannot fail; an empty input would
        // still give a digest that no honest chain matches.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        Digest::of(&bytes)
    }
}

/// An entry as read back: its key's sequence number, the entry, and the
/// digest stored beside it when it was appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub key_seq: u64,
    pub entry: AuditEntry,
    pub digest: Digest,
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq} was altered")]
    Altered { seq: u64 },
    #[error("audit entries {from} to {to} are missing")]
    Removed { from: u64, to: u64 },
    #[error("audit entry {seq} is out of its place")]
    Reordered { seq: u64 },
    #[error("the audit chain's head at entry {seq} is not the one recorded on paper")]
    AnchorMismatch { seq: u64 },
}

/// What a whole walk of the chain found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    /// Entries walked.
    pub entries: u64,
    /// The digest of the last entry ([`Digest::GENESIS`] when there is none).
    pub head: Digest,
}

/// Walks the chain in key order and names the first entry that was altered,
/// removed or reordered. `anchors` are (seq, digest) pairs recorded outside
/// the store (the daily summary, the district): each must match.
pub fn verify(
    entries: impl IntoIterator<Item = StoredEntry>,
    anchors: &[(u64, Digest)],
) -> Result<ChainHead, ChainBreak> {
    let mut expected_seq = 1u64;
    let mut prev = Digest::GENESIS;
    for stored in entries {
        let seq = stored.entry.seq;
        if stored.key_seq != seq {
            return Err(ChainBreak::Reordered { seq: stored.key_seq });
        }
        if seq > expected_seq {
            return Err(ChainBreak::Removed { from: expected_seq, to: seq - 1 });
        }
        if seq < expected_seq {
            return Err(ChainBreak::Reordered { seq });
        }
        let digest = stored.entry.digest();
        if digest != stored.digest {
            return Err(ChainBreak::Altered { seq });
        }
        if stored.entry.prev != prev {
            // The entry before is not the one this entry was chained to.
            return Err(if seq > 1 { ChainBreak::Altered { seq: seq - 1 } } else { ChainBreak::Altered { seq } });
        }
        if anchors.iter().any(|(at, d)| *at == seq && *d != digest) {
            return Err(ChainBreak::AnchorMismatch { seq });
        }
        prev = digest;
        expected_seq = seq + 1;
    }
    if let Some((seq, _)) = anchors.iter().find(|(at, _)| *at >= expected_seq) {
        return Err(ChainBreak::Removed { from: expected_seq, to: *seq });
    }
    Ok(ChainHead { entries: expected_seq - 1, head: prev })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<StoredEntry> {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00").unwrap();
        let mut prev = Digest::GENESIS;
        let mut out = Vec::new();
        for seq in 1..=n {
            let entry = AuditEntry {
                seq,
                at,
                by: "clerk01".into(),
                second: None,
                action: AuditAction::CaseStep,
                case: None,
                amount: Some(Money::yuan(100 * seq as u32)),
                detail: Some(format!("step {seq}")),
                prev,
            };
            let digest = entry.digest();
            prev = digest;
            out.push(StoredEntry { key_seq: seq, entry, digest });
        }
        out
    }

    #[test]
    fn an_intact_chain_gives_its_head() {
        let c = chain(5);
        let head = verify(c.clone(), &[(3, c[2].digest)]).unwrap();
        assert_eq!(head, ChainHead { entries: 5, head: c[4].digest });
        assert_eq!(verify(Vec::new(), &[]).unwrap().head, Digest::GENESIS);
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut c = chain(5);
        c[2].entry.amount = Some(Money::yuan(1));
        assert_eq!(verify(c.clone(), &[]), Err(ChainBreak::Altered { seq: 3 }));
        // Its stored digest rewritten too: the next entry still names it.
        c[2].digest = c[2].entry.digest();
        assert_eq!(verify(c, &[]), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(c, &[]), Err(ChainBreak::Removed { from: 2, to: 2 }));
        // The last ones gone: only the paper anchor shows it.
        let mut c = chain(5);
        let anchor = (5, c[4].digest);
        c.truncate(3);
        assert_eq!(verify(c, &[anchor]), Err(ChainBreak::Removed { from: 4, to: 5 }));
    }

    #[test]
    fn a_reordered_entry_is_named() {
        let mut c = chain(5);
        c.swap(1, 2);
        // Values swapped under their keys: the key says 2, the entry 3.
        for (i, s) in c.iter_mut().enumerate() {
            s.key_seq = i as u64 + 1;
        }
        assert_eq!(verify(c, &[]), Err(ChainBreak::Reordered { seq: 2 }));
    }

    #[test]
    fn a_consistent_rewrite_is_caught_only_by_the_paper_anchor() {
        let honest = chain(4);
        let anchor = (4, honest[3].digest);
        // The whole chain rebuilt from entry 2 with another amount, every digest right.
        let mut forged = honest.clone();
        forged[1].entry.amount = Some(Money::yuan(9999));
        for i in 1..4 {
            if i > 1 {
                forged[i].entry.prev = forged[i - 1].digest;
            }
            forged[i].digest = forged[i].entry.digest();
        }
        assert!(verify(forged.clone(), &[]).is_ok());
        assert_eq!(verify(forged, &[anchor]), Err(ChainBreak::AnchorMismatch { seq: 4 }));
    }

    #[test]
    fn digests_read_back_from_hex() {
        let d = Digest::of(b"onedoor");
        assert_eq!(Digest::parse(&d.hex()), Some(d));
        assert_eq!(d.short().len(), 16);
        assert_eq!(Digest::parse("zz"), None);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), d);
    }
}
