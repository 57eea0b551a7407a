//! `onedoor report daily`: the supervisor's end-of-day account of the window —
//! the cases received that day, the steps taken that day, the relief fund's
//! day and the open cases now — as text, CSV or JSON, and on paper as the
//! daily summary receipt made from the same figures.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;

use chrono::NaiveDate;
use unicode_width::UnicodeWidthStr;

use super::{pad, CliError, CliResult, Session};
use crate::domain::fund::{CorrectionSign, FundEntry, FundEntryKind};
use crate::domain::report::{action_code, Backlog, DayReport, Facts, FundProblem, Sources};
use crate::domain::{CaseId, Money};
use crate::l10n::names;
use crate::printing::{daily_summary_key, Desk, Printed};
use crate::receipt::DailySummary;
use crate::store::{Store, StoreError};
use crate::window::Window;
use crate::{tr, Lang};

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Csv,
    Json,
}

/// The JSON schema name of the report.
pub const SCHEMA: &str = "onedoor.daily_report/1";

/// What the steps of the day are counted on (said under the text report and in the JSON).
const STEPS_COUNTED_ON: &str = "the cases received that day, every case not yet closed and the cases the fund paid that day; not an earlier case since completed, rejected or withdrawn";

pub fn daily(
    ctx: &Session,
    day: Option<NaiveDate>,
    format: ReportFormat,
    print: bool,
    printer: Option<&str>,
    out: &mut dyn Write,
) -> CliResult {
    let day = day.unwrap_or_else(|| ctx.today());
    if printer.is_some() && !print {
        return Err(CliError::refused(tr!(ctx.lang, "report-printer-needs-print")));
    }
    // A bad printer spec or template is refused before anything is written.
    let desk = match print {
        true => Some(Desk::from_config(&ctx.config, printer).map_err(|e| CliError::refused(e.to_string()))?),
        false => None,
    };
    let store = ctx.open_existing_store()?;
    let report = gather(&ctx.window(&store), day, ctx.today())?;
    match format {
        ReportFormat::Text => write_text(ctx, &report, out)?,
        ReportFormat::Csv => write_csv(&report, out)?,
        ReportFormat::Json => write_json(ctx, &report, out)?,
    }
    let Some(desk) = desk else { return Ok(()) };
    // Beside CSV or JSON, what the printer did goes to stderr so stdout stays machine-readable.
    let mut stderr = ctx.stderr();
    let said: &mut dyn Write = if format == ReportFormat::Text {
        writeln!(out)?;
        out
    } else {
        &mut stderr
    };
    print_summary(ctx, &store, &desk, &report, said)
}

/// Reads what the day's report is made from, in a few reads whatever the
/// size of the store: the backlog from the store's counts, what the report
/// needs of the cases received that day, of the open cases with a step that
/// day and of the cases the fund paid that day (their report facts, with
/// when each falls overdue; never the whole records), and the ledger. The
/// same report as [`gather_from_cases`] (a test holds them together).
pub fn gather(window: &Window, day: NaiveDate, today: NaiveDate) -> Result<DayReport, StoreError> {
    let store = window.store;
    let backlog = window.backlog(today)?;
    let mut cases = store.report_cases_received_on(day)?;
    // In id order already (one pass to see it): a case received that day is found by halving.
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let received = cases.len();
    let mut more: BTreeSet<CaseId> = store.open_with_step_on(day)?.into_iter().collect();
    let ledger = store.ledger()?;
    more.extend(paid_from_fund_on(&ledger, day));
    for id in &more {
        if cases[..received].binary_search_by(|c| c.id.cmp(id)).is_err() {
            cases.extend(store.report_case_of(id)?);
        }
    }
    let overdue: HashSet<CaseId> = cases
        .iter()
        .filter(|c| !c.state.is_closed() && window.is_late(c.lateness, c.policy.as_deref(), c.received, today))
        .map(|c| c.id.clone())
        .collect();
    let facts = Facts { cases: &cases, overdue: &overdue, ledger: &ledger, fund_balance: store.fund()?.balance() };
    Ok(DayReport::of_facts(day, facts, backlog))
}

/// The day's report read the long way, the reference [`gather`] is tested
/// against: the cases received that day whole, the facts of every case not
/// yet closed (the backlog, which are overdue now by the window's rules,
/// which had a step that day), those of them with a step that day and the
/// cases the fund paid that day (whole), and the ledger.
pub fn gather_from_cases(window: &Window, day: NaiveDate, today: NaiveDate) -> Result<DayReport, StoreError> {
    let store = window.store;
    let open = store.open_cases()?;
    let overdue: HashSet<CaseId> =
        open.iter().filter(|c| window.deadlines_of(c, today).any_breached()).map(|c| c.id.clone()).collect();
    let backlog = Backlog { open: open.len() as u32, overdue: overdue.len() as u32 };
    let mut cases = store.cases_received_on(day)?;
    let received: HashSet<CaseId> = cases.iter().map(|c| c.id.clone()).collect();
    let mut more: BTreeSet<CaseId> =
        open.iter().filter(|c| c.received != day && c.had_step_on(day)).map(|c| c.id.clone()).collect();
    let ledger = store.ledger()?;
    more.extend(paid_from_fund_on(&ledger, day));
    for id in more.iter().filter(|id| !received.contains(*id)) {
        cases.extend(store.case(id)?);
    }
    let sources = Sources { cases: &cases, overdue: &overdue, ledger: &ledger, fund_balance: store.fund()?.balance() };
    Ok(DayReport::with_backlog(day, sources, backlog))
}

/// The cases the relief fund paid on `day`, by its ledger.
fn paid_from_fund_on(ledger: &[FundEntry], day: NaiveDate) -> impl Iterator<Item = CaseId> + '_ {
    ledger.iter().filter(move |e| e.at.date_naive() == day).filter_map(|e| match &e.kind {
        FundEntryKind::Disbursement { case } => Some(case.clone()),
        _ => None,
    })
}

fn print_summary(ctx: &Session, store: &Store, desk: &Desk, report: &DayReport, said: &mut dyn Write) -> CliResult {
    let day = report.day;
    let mut summary = DailySummary::of(report);
    summary.audit_head = store.audit_head()?.map(|h| (h.seq, h.digest));
    let key = daily_summary_key(day);
    // Marked 补打 only when an earlier print did not reach the paper.
    let reprint = crate::printing::is_pending(store, &key)?;
    let lang = ctx.lang;
    match desk
        .print_daily_summary(store, &summary, &ctx.operator, reprint)
        .map_err(|e| CliError::environment(e.to_string()))?
    {
        Printed::OnPaper { status, .. } => {
            writeln!(said, "{}", tr!(lang, "report-printed", day = day, status = names::printer_advice(status, lang)))?
        }
        Printed::OnScreen(lines) => {
            for line in lines {
                writeln!(said, "{line}")?;
            }
        }
        Printed::Pending { key, error } => {
            return Err(CliError::environment(tr!(
                lang,
                "report-kept-pending",
                reason = error.message(lang),
                day = day,
                key = key
            )))
        }
    }
    Ok(())
}

/// `  label ......... value`: labels to 28 cells, figures flush right in 12.
fn figure(out: &mut dyn Write, label: &str, value: impl std::fmt::Display) -> std::io::Result<()> {
    writeln!(out, "{}{:>12}", pad(label, 28), value.to_string())
}

fn write_text(ctx: &Session, r: &DayReport, out: &mut dyn Write) -> std::io::Result<()> {
    let lang = ctx.lang;
    let c = &ctx.config.counter;
    let town = &c.town_name;
    writeln!(out, "{}", tr!(lang, "report-title", day = r.day, town = town, window = c.window))?;
    writeln!(out, "{}", tr!(lang, "report-as-of", at = ctx.now.format("%Y-%m-%d %H:%M").to_string()))?;
    let code = |name: &str, code: &str| tr!(lang, "report-code", name = name, code = code);

    let rc = &r.received;
    writeln!(out)?;
    figure(out, tr!(lang, "report-received"), rc.total)?;
    for (channel, n) in &rc.by_channel {
        figure(out, &format!("  {}", code(names::channel(*channel, lang), channel.code())), n)?;
    }
    for (kind, n) in rc.by_kind.iter().filter(|(_, n)| **n > 0) {
        figure(out, &format!("  {}", code(names::kind(*kind, lang), kind.code())), n)?;
    }
    for (state, n) in rc.by_state.iter().filter(|(_, n)| **n > 0) {
        let label = tr!(lang, "report-now-in-state", state = names::state(*state, lang), state_code = state.code());
        figure(out, &format!("  {label}"), n)?;
    }
    figure(out, &format!("  {}", tr!(lang, "report-still-open")), rc.open)?;
    figure(out, &format!("  {}", tr!(lang, "report-overdue-now")), rc.overdue)?;
    figure(out, &format!("  {}", tr!(lang, "report-requested")), rc.requested)?;
    figure(out, &format!("  {}", tr!(lang, "report-entitled")), rc.entitled)?;
    figure(out, &format!("  {}", tr!(lang, "report-granted")), rc.granted)?;
    if !rc.cases.is_empty() {
        writeln!(out)?;
        let width = rc.cases.iter().map(|c| c.name.width()).max().unwrap_or(0).max(4);
        let header = format!(
            "  {}  {} {} {} {} {}  {:>10} {:>10}",
            pad(tr!(lang, "report-col-case"), 26),
            pad(tr!(lang, "report-col-kind"), 16),
            pad(tr!(lang, "report-col-channel"), 8),
            pad(tr!(lang, "report-col-state"), 12),
            pad(tr!(lang, "report-col-name"), width),
            pad(tr!(lang, "report-col-id-number"), 18),
            tr!(lang, "report-col-requested"),
            tr!(lang, "report-col-granted")
        );
        writeln!(out, "{}", header.trim_end())?;
        for case in &rc.cases {
            let granted = case.granted.map_or_else(|| "-".to_string(), |g| g.to_string());
            let line = format!(
                "  {}  {} {} {} {} {}  {:>10} {:>10}  {}",
                case.id,
                pad(&code(names::kind(case.kind, lang), case.kind.code()), 16),
                pad(&code(names::channel(case.channel, lang), case.channel.code()), 8),
                pad(&code(names::state(case.state, lang), case.state.code()), 12),
                pad(&case.name, width),
                case.id_masked,
                case.requested.to_string(),
                granted,
                if case.overdue { tr!(lang, "report-overdue") } else { "" }
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }

    let s = &r.steps;
    writeln!(out)?;
    figure(out, tr!(lang, "report-steps"), s.total)?;
    figure(out, &format!("  {}", tr!(lang, "report-on-cases")), s.cases)?;
    for (action, n) in s.by_action.iter().filter(|(_, n)| *n > 0) {
        let label = format!("  {}", code(names::history_action(*action, lang), action_code(*action)));
        match action {
            crate::domain::case::HistoryAction::Approved => {
                writeln!(out, "{}{:>12}{:>12}", pad(&label, 28), n, s.approved_total.to_string())?
            }
            crate::domain::case::HistoryAction::Disbursed => {
                writeln!(out, "{}{:>12}{:>12}", pad(&label, 28), n, s.disbursed_total.to_string())?
            }
            _ => figure(out, &label, n)?,
        }
    }
    writeln!(out, "{}", tr!(lang, "report-steps-counted-on"))?;

    let p = &r.paid;
    writeln!(out)?;
    writeln!(out, "{}{:>12}{:>12}", pad(tr!(lang, "report-paid"), 28), p.paid_count, p.paid.to_string())?;
    let by = |label: &str| pad(&format!("  {label}"), 28);
    writeln!(out, "{}{:>12}{:>12}", by(tr!(lang, "report-from-fund")), p.from_fund_count, p.from_fund.to_string())?;
    let without = match p.through_budget_without_ref {
        0 => String::new(),
        n => format!("  {}", tr!(lang, "report-without-ref", n = n)),
    };
    writeln!(
        out,
        "{}{:>12}{:>12}{without}",
        by(tr!(lang, "report-through-budget")),
        p.through_budget_count,
        p.through_budget.to_string()
    )?;
    if p.unrecorded_count > 0 {
        writeln!(
            out,
            "{}{:>12}{:>12}",
            by(tr!(lang, "report-unrecorded")),
            p.unrecorded_count,
            p.unrecorded.to_string()
        )?;
    }
    let (paid, fund, budget) = (p.paid, p.from_fund, p.through_budget);
    if p.reconciles {
        writeln!(out, "  {}", tr!(lang, "report-reconciles", paid = paid, fund = fund, budget = budget))?;
    } else {
        let (ledger, unrecorded) = (p.fund_ledger, p.unrecorded);
        writeln!(
            out,
            "  {}",
            tr!(
                lang,
                "report-does-not-reconcile",
                paid = paid,
                fund = fund,
                ledger = ledger,
                budget = budget,
                unrecorded = unrecorded
            )
        )?;
    }

    let f = &r.fund;
    writeln!(out)?;
    writeln!(out, "{}", tr!(lang, "report-fund"))?;
    figure(out, &format!("  {}", tr!(lang, "report-opening")), f.opening)?;
    figure(out, &format!("  + {}", tr!(lang, "report-budget")), f.budget)?;
    figure(out, &format!("  + {}", tr!(lang, "report-donations")), f.donations)?;
    figure(out, &format!("  + {}", tr!(lang, "report-corrections-in")), f.corrections_in)?;
    writeln!(
        out,
        "{}{:>12}  {}",
        pad(&format!("  - {}", tr!(lang, "report-disbursements")), 28),
        f.disbursements.to_string(),
        tr!(lang, "report-payments", n = f.disbursement_count)
    )?;
    figure(out, &format!("  - {}", tr!(lang, "report-corrections-out")), f.corrections_out)?;
    figure(out, &format!("  {}", tr!(lang, "report-closing")), f.closing)?;
    match &f.problem {
        None => writeln!(
            out,
            "  {}",
            tr!(
                lang,
                "report-balances",
                opening = f.opening,
                inflows = f.inflows,
                outflows = f.outflows,
                closing = f.closing
            )
        )?,
        Some(problem) => {
            writeln!(out, "  {}", tr!(lang, "report-does-not-balance", problem = fund_problem(problem, lang)))?
        }
    }
    for e in &f.entries {
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
        writeln!(out, "  {}  {sign}{:>12}  {} {what}", e.at.format("%H:%M"), e.amount.to_string(), pad(&e.by, 10))?;
    }

    writeln!(out)?;
    figure(out, tr!(lang, "report-backlog"), r.backlog.open)?;
    figure(out, &format!("  {}", tr!(lang, "report-backlog-overdue")), r.backlog.overdue)?;
    Ok(())
}

/// Why the day's fund does not balance, in the clerk's words.
fn fund_problem(p: &FundProblem, lang: Lang) -> String {
    match p {
        FundProblem::DoesNotAddUp { comes_to, closing, refused } => {
            tr!(lang, "report-fund-does-not-add-up", comes_to = *comes_to, closing = *closing, refused = *refused)
        }
        FundProblem::DiffersFromStored { closing, stored } => {
            tr!(lang, "report-fund-differs", closing = *closing, stored = *stored)
        }
    }
}

/// One row per figure, `day,section,item,value`, the same names as the JSON;
/// every kind, channel, state and action is there, zeros too (written by the
/// `csv` crate, as `case export` is).
fn write_csv(r: &DayReport, out: &mut dyn Write) -> CliResult {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    let fail = super::case::csv_error;
    w.write_record(["day", "section", "item", "value"]).map_err(fail)?;
    let day = r.day.to_string();
    let mut row =
        |section: &str, item: &str, value: String| w.write_record([&day, section, item, &value]).map_err(fail);
    let money = |m: Money| m.to_string();
    let rc = &r.received;
    row("received", "total", rc.total.to_string())?;
    for (kind, n) in &rc.by_kind {
        row("received_by_kind", kind.code(), n.to_string())?;
    }
    for (channel, n) in &rc.by_channel {
        row("received_by_channel", channel.code(), n.to_string())?;
    }
    for (state, n) in &rc.by_state {
        row("received_by_state", state.code(), n.to_string())?;
    }
    row("received", "open", rc.open.to_string())?;
    row("received", "overdue", rc.overdue.to_string())?;
    row("received", "requested", money(rc.requested))?;
    row("received", "entitled", money(rc.entitled))?;
    row("received", "granted", money(rc.granted))?;
    let s = &r.steps;
    row("steps", "total", s.total.to_string())?;
    row("steps", "cases", s.cases.to_string())?;
    for (action, n) in &s.by_action {
        row("steps_by_action", action_code(*action), n.to_string())?;
    }
    row("steps", "approved_total", money(s.approved_total))?;
    row("steps", "disbursed_count", s.disbursed_count.to_string())?;
    row("steps", "disbursed_total", money(s.disbursed_total))?;
    let p = &r.paid;
    for (item, m, n) in [
        ("paid", p.paid, p.paid_count),
        ("from_fund", p.from_fund, p.from_fund_count),
        ("through_budget", p.through_budget, p.through_budget_count),
        ("unrecorded", p.unrecorded, p.unrecorded_count),
    ] {
        row("paid", item, money(m))?;
        row("paid", &format!("{item}_count"), n.to_string())?;
    }
    row("paid", "through_budget_without_ref", p.through_budget_without_ref.to_string())?;
    row("paid", "fund_ledger", money(p.fund_ledger))?;
    row("paid", "reconciles", if p.reconciles { "yes" } else { "no" }.to_string())?;
    let f = &r.fund;
    for (item, m) in [
        ("opening", f.opening),
        ("budget", f.budget),
        ("donations", f.donations),
        ("corrections_in", f.corrections_in),
        ("disbursements", f.disbursements),
        ("corrections_out", f.corrections_out),
        ("inflows", f.inflows),
        ("outflows", f.outflows),
        ("closing", f.closing),
    ] {
        row("fund", item, money(m))?;
    }
    row("fund", "disbursement_count", f.disbursement_count.to_string())?;
    row("fund", "balances", if f.balances { "yes" } else { "no" }.to_string())?;
    row("backlog", "open", r.backlog.open.to_string())?;
    row("backlog", "overdue", r.backlog.overdue.to_string())?;
    w.flush()?;
    Ok(())
}

fn write_json(ctx: &Session, r: &DayReport, out: &mut dyn Write) -> CliResult {
    let c = &ctx.config.counter;
    let value = serde_json::json!({
        "schema": SCHEMA,
        "day": r.day,
        "town_code": c.town_code,
        "town_name": c.town_name,
        "window": c.window,
        "as_of": ctx.now.to_rfc3339(),
        "received": r.received,
        "steps": r.steps,
        "steps_counted_on": STEPS_COUNTED_ON,
        "fund": r.fund,
        "paid": r.paid,
        "backlog": r.backlog,
    });
    writeln!(out, "{value}")?;
    Ok(())
}
