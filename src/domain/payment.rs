//! Where the money paid on a case came from, so every yuan can be traced:
//! the relief reserve fund (with the number of its entry in the fund's
//! ledger) or the regular assistance budget paid by the district's finance to
//! the recipient's bank card (the "one card" channel), with the transfer's
//! reference when the finance has given one.

use serde::{Deserialize, Serialize};

use super::money::Money;
use super::time::{self, Moment};

/// Where the money paid on a case comes from; the two are never mixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneySource {
    /// The emergency relief reserve fund: paid by the office, with an entry
    /// in the fund's ledger written in the same commit.
    ReliefFund,
    /// The regular assistance budget, paid by the district's finance to the
    /// recipient's bank card (the "one card" channel).
    Budget,
}

impl MoneySource {
    pub const ALL: [MoneySource; 2] = [MoneySource::ReliefFund, MoneySource::Budget];

    /// The code in the case JSON and the CSV report.
    pub fn code(self) -> &'static str {
        match self {
            MoneySource::ReliefFund => "relief_fund",
            MoneySource::Budget => "budget",
        }
    }
}

/// Longest transfer reference kept on a payment.
pub const MAX_TRANSFER_REF_CHARS: usize = 40;

/// A district finance transfer's reference: 1-40 ASCII letters, digits and
/// `-`, `_`, `/`, `.`, as bank and treasury systems print them, so it reads
/// the same on the receipt, in the report and in the audit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TransferRef(String);

/// Why a text cannot be a transfer reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadTransferRef {
    #[error("a transfer reference cannot be empty")]
    Empty,
    #[error("a transfer reference has at most {MAX_TRANSFER_REF_CHARS} characters")]
    TooLong,
    #[error("a transfer reference may hold only letters, digits, '-', '_', '/' and '.' (found {0:?})")]
    Character(char),
}

impl TransferRef {
    pub fn parse(s: &str) -> Result<TransferRef, BadTransferRef> {
        if s.is_empty() {
            return Err(BadTransferRef::Empty);
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))) {
            return Err(BadTransferRef::Character(c));
        }
        if s.len() > MAX_TRANSFER_REF_CHARS {
            return Err(BadTransferRef::TooLong);
        }
        Ok(TransferRef(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TransferRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TransferRef {
    type Error = BadTransferRef;
    fn try_from(s: String) -> Result<TransferRef, BadTransferRef> {
        TransferRef::parse(&s)
    }
}

impl From<TransferRef> for String {
    fn from(r: TransferRef) -> String {
        r.0
    }
}

/// What was paid on a case, from which money, and how to trace it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    pub source: MoneySource,
    pub amount: Money,
    #[serde(with = "time::moment")]
    pub paid_at: Moment,
    /// From the relief fund: the number of its entry in the fund's ledger (1 for the first).
    #[serde(default)]
    pub ledger_entry: Option<u64>,
    /// Through the budget: the district finance's transfer reference, when known.
    #[serde(default)]
    pub transfer_ref: Option<TransferRef>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_reference_is_printable_ascii_without_spaces() {
        assert_eq!(TransferRef::parse("ZJ-2026/11.30_0042").unwrap().as_str(), "ZJ-2026/11.30_0042");
        assert_eq!(TransferRef::parse(""), Err(BadTransferRef::Empty));
        assert_eq!(TransferRef::parse("A B"), Err(BadTransferRef::Character(' ')));
        assert_eq!(TransferRef::parse("A\nB"), Err(BadTransferRef::Character('\n')));
        assert_eq!(TransferRef::parse("A\u{202e}B"), Err(BadTransferRef::Character('\u{202e}')));
        assert_eq!(TransferRef::parse(&"9".repeat(41)), Err(BadTransferRef::TooLong));
        let json: Result<TransferRef, _> = serde_json::from_str("\"a;b\"");
        assert!(json.is_err(), "the case JSON is held to the same rule");
    }
}
