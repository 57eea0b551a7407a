//! `onedoor fund …`: the emergency relief reserve fund — deposits (budget or a
//! named donor), payments to approved cases, supervisors' corrections, the
//! balance and the yearly statement that must balance.

use std::io::Write;

use super::case::parse_id;
use super::{CliError, CliResult, Session};
use crate::domain::fund::{statement, CorrectionSign, FundEntry, FundEntryKind};
use crate::domain::Money;
use crate::window::MoneySource;

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
        (DepositSource::Budget, Some(_)) => return Err(CliError::refused("--donor is only for --source donation")),
        (DepositSource::Donation, Some(d)) => FundEntry::donation(ctx.now, &ctx.operator, d, amount),
        (DepositSource::Donation, None) => return Err(CliError::refused("a donation needs --donor NAME")),
    };
    entry.note = note.map(str::to_string);
    let store = ctx.open_store()?;
    let fund = ctx.window(&store).fund_deposit(entry)?;
    writeln!(out, "balance {}", fund.balance())?;
    Ok(())
}

pub fn disburse(ctx: &Session, id: &str, amount: Option<Money>, out: &mut dyn Write) -> CliResult {
    let id = parse_id(id)?;
    let store = ctx.open_store()?;
    let paid = ctx.window(&store).pay(&id, Some(MoneySource::ReliefFund), amount, &ctx.operator, ctx.now)?;
    let amount = paid.case.granted_amount.unwrap_or(Money::ZERO);
    let balance = paid.fund.map_or(Money::ZERO, |f| f.balance());
    writeln!(out, "{} disbursed {amount}; balance {balance}", paid.case.id)?;
    Ok(())
}

pub fn correct(ctx: &Session, sign: CorrectionSign, amount: Money, reason: &str, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_store()?;
    let fund = ctx.window(&store).fund_correct(sign, amount, reason, &ctx.operator, ctx.now)?;
    writeln!(out, "balance {}", fund.balance())?;
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
        return Err(CliError::environment(format!("the {year} statement does not balance: the ledger is damaged")));
    }
    if json {
        let value = serde_json::json!({ "year": year, "statement": statement, "entries": in_year });
        writeln!(out, "{value}")?;
        return Ok(());
    }
    writeln!(out, "relief reserve fund, {year}")?;
    for e in &in_year {
        let (what, sign) = match &e.kind {
            FundEntryKind::Appropriation => ("budget".to_string(), "+"),
            FundEntryKind::Donation { donor } => (format!("donation from {donor}"), "+"),
            FundEntryKind::Disbursement { case } => (format!("paid to case {case}"), "-"),
            FundEntryKind::Correction { sign: CorrectionSign::Increase, reason } => {
                (format!("correction: {reason}"), "+")
            }
            FundEntryKind::Correction { sign: CorrectionSign::Decrease, reason } => {
                (format!("correction: {reason}"), "-")
            }
        };
        writeln!(out, "{}  {sign}{:>12}  {:<10} {what}", e.at.format("%Y-%m-%d %H:%M"), e.amount.to_string(), e.by)?;
    }
    writeln!(out, "opening balance   {:>12}", statement.opening.to_string())?;
    writeln!(out, "+ budget          {:>12}", statement.budget.to_string())?;
    writeln!(out, "+ donations       {:>12}", statement.donations.to_string())?;
    writeln!(out, "+ corrections in  {:>12}", statement.corrections_in.to_string())?;
    writeln!(
        out,
        "- disbursements   {:>12}  ({} payments)",
        statement.disbursements.to_string(),
        statement.disbursement_count
    )?;
    writeln!(out, "- corrections out {:>12}", statement.corrections_out.to_string())?;
    writeln!(out, "closing balance   {:>12}", statement.closing.to_string())?;
    Ok(())
}
