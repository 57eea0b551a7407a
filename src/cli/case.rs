//! `onedoor case …`: add, show, list, move, import and export cases.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;

use super::{pad, parse_json, read_input, CliError, CliResult, Session};
use crate::domain::case::CaseInput;
use crate::domain::dedup::SupervisorOverride;
use crate::domain::{Case, CaseId, IdNumber, Kind, State};
use crate::store::{CaseSummary, Store, StoreError};
use crate::window::{CaseAction, CaseDeadlines, ImportRecord, Intake, WindowError};

/// Filters of `case list`.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub day: Option<NaiveDate>,
    pub state: Option<State>,
    pub kind: Option<Kind>,
    pub id_number: Option<IdNumber>,
    pub overdue: bool,
}

pub fn add(ctx: &Session, json: &Path, override_duplicate: Option<&str>, out: &mut dyn Write) -> CliResult {
    let text = read_input(json)?;
    let input: CaseInput = parse_json(&text).map_err(CliError::refused)?;
    let store = ctx.open_store()?;
    let override_by =
        override_duplicate.map(|reason| SupervisorOverride { by: ctx.operator.clone(), reason: reason.to_string() });
    let intake = Intake { input, override_by, card_photo: None };
    let case = ctx.window(&store).accept(intake, &ctx.operator, ctx.now)?;
    writeln!(out, "{}", case.id)?;
    if !case.related_cases.is_empty() {
        // Saved, but the clerk must see it: on stderr, so stdout stays the id alone.
        let related: Vec<&str> = case.related_cases.iter().map(|id| id.as_str()).collect();
        eprintln!("note: {} may duplicate earlier assistance: {}", case.id, related.join(", "));
    }
    Ok(())
}

pub fn parse_id(id: &str) -> Result<CaseId, CliError> {
    id.parse().map_err(|e: crate::domain::case::BadCaseId| CliError::refused(e.to_string()))
}

fn load(store: &Store, id: &CaseId) -> Result<Case, CliError> {
    store.case(id)?.ok_or_else(|| CliError::refused(format!("no case {id}")))
}

pub fn show(ctx: &Session, id: &str, json: bool, out: &mut dyn Write) -> CliResult {
    let id = parse_id(id)?;
    let store = ctx.open_existing_store()?;
    let case = load(&store, &id)?;
    if json {
        writeln!(out, "{}", to_json(&case)?)?;
    } else {
        let deadlines = ctx.window(&store).deadlines(&case, ctx.today());
        write_case(&case, &deadlines, out)?;
    }
    Ok(())
}

fn to_json(case: &Case) -> Result<String, CliError> {
    serde_json::to_string(case).map_err(|e| CliError::environment(format!("cannot write a case as JSON: {e}")))
}

/// The whole record, for a person to read, with how its deadlines stand today.
pub fn write_case(c: &Case, deadlines: &CaseDeadlines, out: &mut dyn Write) -> std::io::Result<()> {
    let a = &c.applicant;
    writeln!(out, "case        {}", c.id)?;
    writeln!(out, "state       {}", c.state)?;
    writeln!(out, "kind        {} ({})", c.kind, c.channel)?;
    writeln!(out, "reason      {}", c.reason)?;
    writeln!(out, "applicant   {} {} {} ", a.name, a.id_number.masked(), a.residence.code())?;
    if let Some(phone) = &a.phone {
        writeln!(out, "phone       {phone}")?;
    }
    writeln!(out, "household   {} people, {} a month", c.household.size, c.household.monthly_income)?;
    for m in &c.household.members {
        writeln!(out, "  member    {} {} {}", m.name, m.id_number.masked(), m.relation)?;
    }
    writeln!(out, "source      {}", c.source.code())?;
    if !c.description.is_empty() {
        writeln!(out, "description {}", c.description)?;
    }
    writeln!(out, "requested   {}", c.requested_amount)?;
    if let Some(e) = &c.entitlement {
        writeln!(out, "entitled    {} ({})", e.amount, e.basis)?;
        if !e.flags.is_empty() {
            let flags: Vec<&str> = e.flags.iter().map(|f| f.code()).collect();
            writeln!(out, "flags       {}", flags.join(", "))?;
        }
    }
    if !c.related_cases.is_empty() {
        let related: Vec<&str> = c.related_cases.iter().map(|id| id.as_str()).collect();
        writeln!(out, "earlier     {}", related.join(", "))?;
    }
    if let Some(g) = c.granted_amount {
        writeln!(out, "granted     {g}")?;
    }
    if let Some((d, status)) = deadlines.help {
        writeln!(out, "help by     {} ({})", d.format("%Y-%m-%d"), status.code())?;
    }
    match (c.due_by, deadlines.due) {
        (_, Some((d, status))) => writeln!(out, "due by      {} ({})", d.format("%Y-%m-%d"), status.code())?,
        (Some(d), None) => writeln!(out, "due by      {}", d.format("%Y-%m-%d"))?,
        (None, None) => {}
    }
    writeln!(out, "received    {} by {}", c.received_at.format("%Y-%m-%d %H:%M"), c.operator)?;
    let owed: Vec<&str> = c.documents_owed().map(|d| d.code()).collect();
    if !owed.is_empty() {
        writeln!(out, "owed        {}", owed.join(", "))?;
    }
    for (i, r) in c.referrals.iter().enumerate() {
        let handled = match (r.handled_at, deadlines.referrals.get(i).copied().flatten()) {
            (Some(h), _) => format!("answered {}", h.format("%Y-%m-%d")),
            (None, Some(status)) => format!("open, {}", status.code()),
            (None, None) => "open".into(),
        };
        writeln!(out, "referral    {} due {} ({handled})", r.department, r.due_by.format("%Y-%m-%d"))?;
    }
    writeln!(out, "history")?;
    for h in &c.history {
        let action =
            serde_json::to_value(h.action).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let note = h.note.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
        writeln!(out, "  {} {:<10} {:<14}{note}", h.at.format("%Y-%m-%d %H:%M"), h.by, action)?;
    }
    Ok(())
}

pub fn list(ctx: &Session, filter: &ListFilter, json: bool, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_existing_store()?;
    let mut summaries = select(&store, filter, ctx.today())?;
    if filter.overdue {
        let late: HashSet<CaseId> = ctx.window(&store).overdue(ctx.today())?.into_iter().map(|o| o.case.id).collect();
        summaries.retain(|s| late.contains(&s.id));
    }
    if json {
        let mut cases = Vec::with_capacity(summaries.len());
        for s in &summaries {
            cases.push(load(&store, &s.id)?);
        }
        let text = serde_json::to_string(&cases).map_err(|e| CliError::environment(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    let window = ctx.window(&store);
    let today = ctx.today();
    for s in &summaries {
        let due = match s.due_by {
            Some(d) if crate::window::still_due(s.channel, s.state) => {
                format!("{} {}", d.format("%Y-%m-%d"), window.deadline(s, today).code())
            }
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => String::new(),
        };
        let green = if s.channel == crate::domain::Channel::Green { "green" } else { "" };
        writeln!(
            out,
            "{}  {:<12} {:<16} {} {}  {:<19} {}",
            s.id,
            s.state.code(),
            s.kind.code(),
            pad(&s.name, 10),
            s.id_number.masked(),
            due,
            green
        )?;
    }
    Ok(())
}

/// Picks the most selective index and filters the rest on the summaries.
/// With no filter at all, today's cases.
pub fn select(store: &Store, f: &ListFilter, today: NaiveDate) -> Result<Vec<CaseSummary>, StoreError> {
    let mut found: Vec<CaseSummary> = if let Some(n) = &f.id_number {
        let mut v = store.cases_of_person(n)?;
        let mut seen = HashSet::new();
        v.retain(|s| seen.insert(s.id.clone()));
        v
    } else if let Some(day) = f.day {
        store.cases_on_day(day)?
    } else if let Some(state) = f.state {
        let mut v = Vec::new();
        for id in store.ids_in_state(state)? {
            if let Some(c) = store.case(&id)? {
                v.push(CaseSummary::of(&c));
            }
        }
        v
    } else if f.kind.is_some() || f.overdue {
        store.cases_between(NaiveDate::MIN, NaiveDate::MAX)?
    } else {
        store.cases_on_day(today)?
    };
    found.retain(|s| {
        f.day.is_none_or(|d| s.day() == d)
            && f.state.is_none_or(|st| s.state == st)
            && f.kind.is_none_or(|k| s.kind == k)
    });
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

pub fn act(ctx: &Session, id: &str, action: CaseAction, out: &mut dyn Write) -> CliResult {
    let id = parse_id(id)?;
    let store = ctx.open_store()?;
    let case = ctx.window(&store).act(&id, &action, &ctx.operator, ctx.now)?;
    writeln!(out, "{} {}", case.id, case.state)?;
    Ok(())
}

/// One line of an import file: an intake record (gets a new id) or an exported case (keeps its id).
fn parse_import_line(line: &str) -> Result<ImportRecord, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    if value.get("id").is_some() {
        Ok(ImportRecord::Exported(Box::new(parse_json(line)?)))
    } else {
        Ok(ImportRecord::Intake(Box::new(Intake::from(parse_json::<CaseInput>(line)?))))
    }
}

pub fn import(ctx: &Session, file: &Path, out: &mut dyn Write) -> CliResult {
    let text = read_input(file)?;
    let mut records = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = parse_import_line(line).map_err(|e| CliError::refused(format!("line {}: {e}", i + 1)))?;
        records.push(record);
        lines.push(i + 1);
    }
    if records.is_empty() {
        return Err(CliError::refused(format!("{} holds no records", file.display())));
    }
    let store = ctx.open_store()?;
    // Every intake goes through the checks of `case add`; all or nothing.
    let imported = ctx.window(&store).import(&records, &ctx.operator, ctx.now).map_err(|refusal| {
        let line = |index: usize| lines.get(index).copied().unwrap_or(0);
        let said = match &refusal.error {
            WindowError::DuplicateInImport { first, kind, reason, id_number } => format!(
                "possible duplicate of line {} ({kind} {reason} for {}); import them separately with a supervisor's override",
                line(*first),
                id_number.masked()
            ),
            WindowError::Input(e) => format!("field '{}': {}", e.field, e.problem),
            other => other.to_string(),
        };
        let error = CliError::from(refusal.error);
        match refusal.index {
            Some(index) => CliError { message: format!("line {}: {said}", line(index)), ..error },
            None => error,
        }
    })?;
    for id in &imported {
        writeln!(out, "{id}")?;
    }
    if imported.len() >= 1000 {
        // Pay sled's recovery scan of the new log now, not at the clerk's next start.
        // The import is saved whatever happens here.
        if let Err(e) = store.reopen(&ctx.store_options()) {
            tracing::warn!("reopening after the import: {e}");
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

pub fn export(
    ctx: &Session,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> CliResult {
    let store = ctx.open_existing_store()?;
    let summaries = store.cases_between(from.unwrap_or(NaiveDate::MIN), to.unwrap_or(NaiveDate::MAX))?;
    if format == ExportFormat::Csv {
        writeln!(out, "id,received_at,kind,reason,channel,state,name,id_number,residence,requested_amount,granted_amount,due_by,operator")?;
    }
    for s in &summaries {
        let c = load(&store, &s.id)?;
        match format {
            ExportFormat::Jsonl => writeln!(out, "{}", to_json(&c)?)?,
            ExportFormat::Csv => {
                let fields = [
                    c.id.to_string(),
                    c.received_at.to_rfc3339(),
                    c.kind.code().into(),
                    c.reason.code().into(),
                    c.channel.code().into(),
                    c.state.code().into(),
                    c.applicant.name.clone(),
                    c.applicant.id_number.masked(),
                    c.applicant.residence.code().into(),
                    c.requested_amount.to_string(),
                    c.granted_amount.map(|g| g.to_string()).unwrap_or_default(),
                    c.due_by.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                    c.operator.clone(),
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                writeln!(out, "{}", line.join(","))?;
            }
        }
    }
    Ok(())
}

/// Quotes a CSV field when it holds a comma, a quote or a line break (RFC 4180);
/// a leading = + - @ is neutralised so a spreadsheet does not run it as a formula.
fn csv_field(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '@']) || (s.starts_with('-') && s.parse::<f64>().is_err()) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}
