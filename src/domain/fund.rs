//! The emergency relief reserve fund: a special account fed by the district budget
//! and social donations and spent only on relief. Every movement is a ledger entry,
//! the balance never goes below zero, and each year's statement balances.

use chrono::Datelike;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::case::{CaseId, MAX_TEXT_CHARS};
use super::money::Money;
use super::time::{self, Moment};

/// Which way a correction moves the balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionSign {
    Increase,
    Decrease,
}

/// What a ledger entry is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundEntryKind {
    /// Money the district budget puts into the account.
    Appropriation,
    /// A social donation, with the donor named.
    Donation { donor: String },
    /// Relief paid for a case.
    Disbursement { case: CaseId },
    /// A supervisor's correction of an earlier mistake, with the reason.
    Correction { sign: CorrectionSign, reason: String },
}

/// One movement of the fund, as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundEntry {
    #[serde(with = "time::moment")]
    pub at: Moment,
    /// The operator (a supervisor for corrections; the caller checks the role).
    pub by: String,
    pub kind: FundEntryKind,
    pub amount: Money,
    #[serde(default)]
    pub note: Option<String>,
}

impl FundEntry {
    pub fn appropriation(at: Moment, by: &str, amount: Money) -> FundEntry {
        FundEntry { at, by: by.to_string(), kind: FundEntryKind::Appropriation, amount, note: None }
    }

    pub fn donation(at: Moment, by: &str, donor: &str, amount: Money) -> FundEntry {
        let kind = FundEntryKind::Donation { donor: donor.to_string() };
        FundEntry { at, by: by.to_string(), kind, amount, note: None }
    }

    pub fn disbursement(at: Moment, by: &str, case: CaseId, amount: Money) -> FundEntry {
        let kind = FundEntryKind::Disbursement { case };
        FundEntry { at, by: by.to_string(), kind, amount, note: None }
    }

    pub fn correction(at: Moment, by: &str, sign: CorrectionSign, reason: &str, amount: Money) -> FundEntry {
        let kind = FundEntryKind::Correction { sign, reason: reason.to_string() };
        FundEntry { at, by: by.to_string(), kind, amount, note: None }
    }

    /// Does it take money out of the fund?
    pub fn is_outflow(&self) -> bool {
        matches!(
            self.kind,
            FundEntryKind::Disbursement { .. } | FundEntryKind::Correction { sign: CorrectionSign::Decrease, .. }
        )
    }

    /// The calendar year of the entry, in the centre's time.
    pub fn year(&self) -> i32 {
        self.at.year()
    }
}

/// Why an entry is refused; the fund is left exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FundError {
    #[error("the fund holds {balance}; taking out {amount} would leave it below zero")]
    OverBalance { balance: Money, amount: Money },
    #[error("an entry of 0.00 changes nothing")]
    Zero,
    #[error("the fund cannot hold more than 100000000.00")]
    TooLarge,
    #[error("{field} {problem}")]
    Text { field: FundField, problem: TextProblem },
    #[error("an entry dated in {year} comes after entries of {last}; the ledger is kept year by year")]
    EarlierYear { year: i32, last: i32 },
}

/// A text of a fund entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FundField {
    #[error("the operator")]
    Operator,
    #[error("the note")]
    Note,
    #[error("the donor")]
    Donor,
    #[error("the reason for a correction")]
    CorrectionReason,
}

/// What is wrong with a text of a fund entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("must not be empty")]
    Empty,
    #[error("is too long")]
    TooLong,
    #[error("{0}")]
    Unprintable(super::text::Unprintable),
}

fn check_text(field: FundField, value: &str, required: bool) -> Result<(), FundError> {
    let problem = if required && super::text::is_blank(value) {
        TextProblem::Empty
    } else if value.chars().count() > MAX_TEXT_CHARS {
        TextProblem::TooLong
    } else if let Some(u) = super::text::unprintable(value, false) {
        TextProblem::Unprintable(u)
    } else {
        return Ok(());
    };
    Err(FundError::Text { field, problem })
}

/// The state of the fund: its balance, and the year of the last entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fund {
    balance: Money,
    last_year: Option<i32>,
}

impl Fund {
    pub fn balance(&self) -> Money {
        self.balance
    }

    /// Can this much be paid out now?
    pub fn can_pay(&self, amount: Money) -> bool {
        amount <= self.balance
    }

    /// Applies one entry, or refuses it and changes nothing: a zero amount, an
    /// outflow above the balance, an unnamed operator, donor or reason, or an
    /// entry dated in a year before the last entry's.
    pub fn apply(&mut self, entry: &FundEntry) -> Result<(), FundError> {
        check_text(FundField::Operator, &entry.by, true)?;
        if let Some(note) = &entry.note {
            check_text(FundField::Note, note, false)?;
        }
        match &entry.kind {
            FundEntryKind::Donation { donor } => check_text(FundField::Donor, donor, true)?,
            FundEntryKind::Correction { reason, .. } => check_text(FundField::CorrectionReason, reason, true)?,
            FundEntryKind::Appropriation | FundEntryKind::Disbursement { .. } => {}
        }
        if entry.amount.is_zero() {
            return Err(FundError::Zero);
        }
        let year = entry.year();
        if let Some(last) = self.last_year.filter(|last| year < *last) {
            return Err(FundError::EarlierYear { year, last });
        }
        let balance = if entry.is_outflow() {
            self.balance
                .checked_sub(entry.amount)
                .ok_or(FundError::OverBalance { balance: self.balance, amount: entry.amount })?
        } else {
            self.balance.checked_add(entry.amount).ok_or(FundError::TooLarge)?
        };
        self.balance = balance;
        self.last_year = Some(year);
        Ok(())
    }

    /// The fund as a ledger leaves it; the first entry it refuses, by index, if any.
    pub fn from_ledger(entries: &[FundEntry]) -> Result<Fund, (usize, FundError)> {
        let mut fund = Fund::default();
        for (i, e) in entries.iter().enumerate() {
            fund.apply(e).map_err(|err| (i, err))?;
        }
        Ok(fund)
    }
}

/// A year of the fund for the supervisor and the auditors:
/// opening + budget + donations + corrections in - disbursements - corrections out = closing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearStatement {
    pub year: i32,
    pub opening: Money,
    pub budget: Money,
    pub donations: Money,
    pub corrections_in: Money,
    pub disbursements: Money,
    pub corrections_out: Money,
    pub closing: Money,
    /// How many payments were made (patients or households helped).
    pub disbursement_count: u32,
    /// Entries of the year the fund would refuse: left out of the figures. Not
    /// zero only if the ledger was damaged.
    pub skipped: u32,
}

impl YearStatement {
    pub fn inflows(&self) -> Money {
        Money::rounded(self.budget.decimal() + self.donations.decimal() + self.corrections_in.decimal())
    }

    pub fn outflows(&self) -> Money {
        Money::rounded(self.disbursements.decimal() + self.corrections_out.decimal())
    }

    /// Does opening + inflows - outflows equal closing?
    pub fn balances(&self) -> bool {
        self.opening.decimal() + self.inflows().decimal() - self.outflows().decimal() == self.closing.decimal()
    }
}

/// The statement of `year` from the ledger (entries in the order they were
/// applied). The ledger is replayed through [`Fund::apply`], so the figures
/// always balance; an entry the fund refuses is counted in `skipped`.
pub fn statement(entries: &[FundEntry], year: i32) -> YearStatement {
    let mut fund = Fund::default();
    let (mut opening, mut closing) = (Money::ZERO, Money::ZERO);
    let mut sums = [Decimal::ZERO; 5]; // budget, donations, corrections in, disbursements, corrections out
    let (mut disbursement_count, mut skipped) = (0u32, 0u32);
    for e in entries {
        let y = e.year();
        if fund.apply(e).is_err() {
            if y == year {
                skipped += 1;
            }
            continue;
        }
        if y < year {
            opening = fund.balance();
        }
        if y <= year {
            closing = fund.balance();
        }
        if y != year {
            continue;
        }
        let slot = match &e.kind {
            FundEntryKind::Appropriation => 0,
            FundEntryKind::Donation { .. } => 1,
            FundEntryKind::Correction { sign: CorrectionSign::Increase, .. } => 2,
            FundEntryKind::Disbursement { .. } => {
                disbursement_count += 1;
                3
            }
            FundEntryKind::Correction { sign: CorrectionSign::Decrease, .. } => 4,
        };
        sums[slot] += e.amount.decimal();
    }
    let [budget, donations, corrections_in, disbursements, corrections_out] = sums.map(Money::rounded);
    YearStatement {
        year,
        opening,
        budget,
        donations,
        corrections_in,
        disbursements,
        corrections_out,
        closing,
        disbursement_count,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, NaiveDate, TimeZone};
    use proptest::prelude::*;
    use std::str::FromStr;

    fn at(year: i32, month: u32, day: u32) -> Moment {
        FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(year, month, day, 9, 30, 0).unwrap()
    }

    fn case(seq: u32) -> CaseId {
        CaseId::new("320106001", 3, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), seq)
    }

    fn m(s: &str) -> Money {
        Money::from_str(s).unwrap()
    }

    /// A year like the field report's: 500,000 from the budget, donations, 11 patients at 10,000.
    fn field_report_year() -> Vec<FundEntry> {
        let mut ledger = vec![
            FundEntry::appropriation(at(2025, 12, 20), "head01", m("200000")),
            FundEntry::disbursement(at(2025, 12, 28), "clerk01", case(99), m("10000")),
            FundEntry::appropriation(at(2026, 1, 5), "head01", m("500000")),
            FundEntry::donation(at(2026, 2, 1), "clerk01", "东湖村企业家协会", m("30000")),
        ];
        for seq in 1..=11 {
            ledger.push(FundEntry::disbursement(at(2026, 3, seq), "clerk01", case(seq), m("10000")));
        }
        ledger.push(FundEntry::correction(
            at(2026, 6, 1),
            "head01",
            CorrectionSign::Decrease,
            "bank charge not recorded",
            m("12.50"),
        ));
        ledger.push(FundEntry::correction(at(2026, 6, 2), "head01", CorrectionSign::Increase, "refund", m("2.50")));
        ledger.push(FundEntry::appropriation(at(2027, 1, 4), "head01", m("500000")));
        ledger
    }

    #[test]
    fn the_yearly_statement_balances_by_source() {
        let ledger = field_report_year();
        let s = statement(&ledger, 2026);
        assert_eq!(s.opening, m("190000"));
        assert_eq!(s.budget, m("500000"));
        assert_eq!(s.donations, m("30000"));
        assert_eq!(s.corrections_in, m("2.50"));
        assert_eq!(s.disbursements, m("110000"));
        assert_eq!(s.disbursement_count, 11);
        assert_eq!(s.corrections_out, m("12.50"));
        assert_eq!(s.inflows(), m("530002.50"));
        assert_eq!(s.outflows(), m("110012.50"));
        assert_eq!(s.closing, m("609990"));
        assert!(s.balances());
        assert_eq!(s.skipped, 0);
        assert_eq!(statement(&ledger, 2027).opening, s.closing);
        assert_eq!(Fund::from_ledger(&ledger).unwrap().balance(), m("1109990"));
        // A year with no entries carries the balance through.
        let empty = statement(&ledger, 2030);
        assert_eq!((empty.opening, empty.closing), (m("1109990"), m("1109990")));
    }

    #[test]
    fn refused_entries_change_nothing() {
        let start = || {
            let mut f = Fund::default();
            f.apply(&FundEntry::appropriation(at(2026, 1, 5), "head01", m("5000"))).unwrap();
            f
        };
        let mut no_reason = FundEntry::correction(at(2026, 2, 1), "head01", CorrectionSign::Increase, "", m("1"));
        no_reason.note = Some("typo".into());
        // (entry, the error it gets)
        let rows = [
            (
                FundEntry::disbursement(at(2026, 2, 1), "clerk01", case(1), m("5000.01")),
                FundError::OverBalance { balance: m("5000"), amount: m("5000.01") },
            ),
            (
                FundEntry::correction(at(2026, 2, 1), "head01", CorrectionSign::Decrease, "double entry", m("6000")),
                FundError::OverBalance { balance: m("5000"), amount: m("6000") },
            ),
            (FundEntry::disbursement(at(2026, 2, 1), "clerk01", case(1), Money::ZERO), FundError::Zero),
            (
                FundEntry::donation(at(2026, 2, 1), "clerk01", "  ", m("100")),
                FundError::Text { field: FundField::Donor, problem: TextProblem::Empty },
            ),
            (no_reason, FundError::Text { field: FundField::CorrectionReason, problem: TextProblem::Empty }),
            (
                FundEntry::appropriation(at(2026, 2, 1), "", m("1")),
                FundError::Text { field: FundField::Operator, problem: TextProblem::Empty },
            ),
            (FundEntry::appropriation(at(2026, 2, 1), "head01", m("100000000")), FundError::TooLarge),
            (
                FundEntry::appropriation(at(2025, 12, 31), "head01", m("1")),
                FundError::EarlierYear { year: 2025, last: 2026 },
            ),
        ];
        for (entry, want) in rows {
            let mut f = start();
            assert_eq!(f.apply(&entry), Err(want.clone()), "{entry:?}");
            assert_eq!(f, start(), "a refused entry leaves the fund as it was: {want}");
        }
        let mut f = start();
        assert!(f.can_pay(m("5000")));
        f.apply(&FundEntry::disbursement(at(2026, 2, 1), "clerk01", case(1), m("5000"))).unwrap();
        assert_eq!(f.balance(), Money::ZERO, "paying out the whole balance is allowed");
        let err = FundError::OverBalance { balance: m("5000"), amount: m("5000.01") }.to_string();
        assert_eq!(err, "the fund holds 5000.00; taking out 5000.01 would leave it below zero");
    }

    #[test]
    fn a_damaged_ledger_is_named_and_skipped_in_the_statement() {
        let mut ledger = field_report_year();
        ledger.insert(3, FundEntry::disbursement(at(2026, 1, 6), "clerk01", case(50), m("9999999")));
        assert_eq!(Fund::from_ledger(&ledger).map(|f| f.balance()).unwrap_err().0, 3);
        let s = statement(&ledger, 2026);
        assert_eq!(s.skipped, 1);
        assert!(s.balances());
        assert_eq!(s.closing, m("609990"));
    }

    #[test]
    fn entries_keep_in_the_store_and_read_as_json() {
        let ledger = field_report_year();
        let cfg = bincode::config::standard();
        for e in &ledger {
            let bin = bincode::serde::encode_to_vec(e, cfg).unwrap();
            let (back, _): (FundEntry, usize) = bincode::serde::decode_from_slice(&bin, cfg).unwrap();
            assert_eq!(&back, e);
        }
        let json = serde_json::to_value(&ledger[3]).unwrap();
        assert_eq!(json["kind"]["donation"]["donor"], "东湖村企业家协会");
        assert_eq!(json["amount"], "30000.00");
        assert_eq!(json["at"], "2026-02-01T09:30:00+08:00");
        assert_eq!(serde_json::from_value::<FundEntry>(json).unwrap(), ledger[3]);
        let s = serde_json::to_value(statement(&ledger, 2026)).unwrap();
        assert_eq!(s["closing"], "609990.00");
    }

    /// (kind 0-4, amount in fen, year, ...) -> a ledger entry.
    fn entry(kind: u8, fen: i64, year: i32) -> FundEntry {
        let amount = Money::new(Decimal::new(fen, 2)).unwrap();
        let t = at(year, 6, 1);
        match kind {
            0 => FundEntry::appropriation(t, "head01", amount),
            1 => FundEntry::donation(t, "clerk01", "donor", amount),
            2 => FundEntry::disbursement(t, "clerk01", case(1), amount),
            3 => FundEntry::correction(t, "head01", CorrectionSign::Increase, "fix", amount),
            _ => FundEntry::correction(t, "head01", CorrectionSign::Decrease, "fix", amount),
        }
    }

    proptest! {
        #[test]
        fn no_sequence_of_entries_breaks_the_fund(
            ops in proptest::collection::vec((0u8..5, 0i64..5_000_000, 2025i32..2029), 0..60)
        ) {
            let mut fund = Fund::default();
            let mut model_fen: i64 = 0;
            let mut last_year = i32::MIN;
            let mut ledger = Vec::new();
            let mut accepted = Vec::new();
            let mut refused_by_year = std::collections::BTreeMap::<i32, u32>::new();
            for (kind, fen, year) in ops {
                let e = entry(kind, fen, year);
                let out = kind == 2 || kind == 4;
                let should_accept = fen > 0 && year >= last_year && (!out || fen <= model_fen);
                let before = fund;
                let result = fund.apply(&e);
                prop_assert_eq!(result.is_ok(), should_accept, "{:?} with {} fen in the fund", e, model_fen);
                if result.is_ok() {
                    model_fen += if out { -fen } else { fen };
                    last_year = year;
                    accepted.push(e.clone());
                } else {
                    prop_assert_eq!(fund, before);
                    *refused_by_year.entry(year).or_default() += 1;
                }
                prop_assert!(model_fen >= 0);
                prop_assert_eq!(fund.balance().decimal(), Decimal::new(model_fen, 2));
                ledger.push(e);
            }
            prop_assert_eq!(Fund::from_ledger(&accepted), Ok(fund), "the accepted entries replay to the same fund");
            let mut previous_closing = Money::ZERO;
            for year in 2025..=2029 {
                let s = statement(&ledger, year);
                prop_assert!(s.balances(), "{:?}", s);
                prop_assert_eq!(s.opening, previous_closing, "year {} opens where the last closed", year);
                prop_assert_eq!(s.skipped, refused_by_year.get(&year).copied().unwrap_or(0));
                previous_closing = s.closing;
            }
            prop_assert_eq!(previous_closing, fund.balance(), "the last statement closes on the balance");
        }
    }
}
