//! `onedoor fund …`: the emergency relief reserve fund — deposits (budget or a
//! named donor), payments to approved cases, supervisors' corrections, the
//! balance and the yearly statement that must balance.

use std::io::Write;

use super::case::parse_id;
use super::{CliError, CliResult, Session};
use crate::domain::fund::{statement, CorrectionSign, FundEntry, FundEntryKind};
use crate::domain::Money;
use crate::tr;
use crate::window::{Actor, MoneySource};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositSource {
    Budget,
    Donation,
}

pub fn deposit(
    ctx: &Session,
    amount: Money,
    source: DepositSource,
    donor: Option<&str>,
    note: Option<&str>,
    out: &mut dyn Write,
) -> CliResult {
    let mut entry = match (source, donor) {
        (DepositSource::Budget, None) => FundEntry::appropriation(ctx.now, &ctx.operator, amount),
        (DepositSource::Budget, Some(_)) => return Err(CliError::refused(tr!(ctx.lang, "fund-donor-only-donation"))),
        (DepositSource::Donation, Some(d)) => FundEntry::donation(ctx.now, &ctx.operator, d, amount),
        (DepositSource::Donation, None) => return Err(CliError::refused(tr!(ctx.lang, "fund-donation-needs-donor"))),
    };
    entry.note = note.map(str::to_string);
    let store = ctx.open_store()?;
    let fund = ctx.window(&store).fund_deposit(entry)?;
    writeln!(out, "{}", tr!(ctx.lang, "fund-balance-now", balance = fund.balance()))?;
    Ok(())
}

/// `fund disburse`; `countersign` names the supervisor countersigning the
/// payment when the operator is a clerk.
pub fn disburse(
    ctx: &Session,
    id: &str,
    amount: Option<Money>,
    countersign: Option<&str>,
    out: &mut dyn Write,
) -> CliResult {
    let id = parse_id(id, ctx.lang)?;
    let store = ctx.open_store()?;
    let countersign = countersign.map(|name| ctx.countersign(&store, name)).transpose()?;
    let actor = Actor { operator: &ctx.operator, countersign: countersign.as_ref() };
    let paid = ctx.window(&store).pay_as(&id, Some(MoneySource::ReliefFund), amount, None, &actor, ctx.now)?;
    let amount = paid.case.granted_amount.unwrap_or(Money::ZERO);
    let balance = paid.fund.map_or(Money::ZERO, |f| f.balance());
    writeln!(out, "{}", tr!(ctx.lang, "fund-disbursed", id = &paid.case.id, amount = amount, balance = balance))?;
    Ok(())
}

pub fn correct(ctx: &Session, sign: CorrectionSign, amount: Money, reason: &str, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_store()?;
    let fund = ctx.window(&store).fund_correct(sign, amount, reason, &ctx.operator, ctx.now)?;
    writeln!(out, "{}", tr!(ctx.lang, "fund-balance-now", balance = fund.balance()))?;
    Ok(())
}

pub fn balance(ctx: &Session, json: bool, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_existing_store()?;
    let fund = store.fund()?;
    if json {
        writeln!(out, "{}", serde_json::json!({ "balance": fund.balance().to_string() }))?;
    } else {
        writeln!(out, "{}", fund.balance())?;
    }
    Ok(())
}

pub fn ledger(ctx: &Session, year: Option<i32>, json: bool, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_existing_store()?;
    let entries = store.ledger()?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&ctx.today()));
    let statement = statement(&entries, year);
    let in_year: Vec<&FundEntry> = entries.iter().filter(|e| e.year() == year).collect();
    if !statement.balances() {
        return Err(CliError::environment(tr!(ctx.lang, "fund-statement-damaged", year = year)));
    }
    if json {
        let value = serde_json::json!({ "year": year, "statement": statement, "entries": in_year });
        writeln!(out, "{value}")?;
        return Ok(());
    }
    let lang = ctx.lang;
    writeln!(out, "{}", tr!(lang, "fund-ledger-title", year = year))?;
    for e in &in_year {
        let (what, sign) = match &e.kind {
            FundEntryKind::Appropriation => (tr!(lang, "report-entry-budget").to_string(), "+"),
            FundEntryKind::Donation { donor } => (tr!(lang, "report-entry-donation", donor = donor), "+"),
            FundEntryKind::Disbursement { case } => (tr!(lang, "report-entry-paid", id = case), "-"),
            FundEntryKind::Correction { sign: CorrectionSign::Increase, reason } => {
                (tr!(lang, "report-entry-correction", reason = reason), "+")
            }
            FundEntryKind::Correction { sign: CorrectionSign::Decrease, reason } => {
                (tr!(lang, "report-entry-correction", reason = reason), "-")
            }
        };
        let at = e.at.format("%Y-%m-%d %H:%M");
        writeln!(out, "{at}  {sign}{:>12}  {} {what}", e.amount.to_string(), super::pad(&e.by, 10))?;
    }
    let row = |label: &str| super::pad(label, 17);
    writeln!(out, "{} {:>12}", row(tr!(lang, "report-opening")), statement.opening.to_string())?;
    writeln!(out, "{} {:>12}", row(&format!("+ {}", tr!(lang, "report-budget"))), statement.budget.to_string())?;
    writeln!(out, "{} {:>12}", row(&format!("+ {}", tr!(lang, "report-donations"))), statement.donations.to_string())?;
    let corrections_in = format!("+ {}", tr!(lang, "report-corrections-in"));
    writeln!(out, "{} {:>12}", row(&corrections_in), statement.corrections_in.to_string())?;
    writeln!(
        out,
        "{} {:>12}  {}",
        row(&format!("- {}", tr!(lang, "report-disbursements"))),
        statement.disbursements.to_string(),
        tr!(lang, "report-payments", n = statement.disbursement_count)
    )?;
    let corrections_out = format!("- {}", tr!(lang, "report-corrections-out"));
    writeln!(out, "{} {:>12}", row(&corrections_out), statement.corrections_out.to_string())?;
    writeln!(out, "{} {:>12}", row(tr!(lang, "report-closing")), statement.closing.to_string())?;
    Ok(())
}
