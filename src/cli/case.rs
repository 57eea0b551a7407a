//! `onedoor case …`: add, show, list, move, import and export cases.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;

use super::{pad, parse_json, read_input, CliError, CliResult, Session};
use crate::domain::case::CaseInput;
use crate::domain::dedup::SupervisorOverride;
use crate::domain::policy::DeadlineStatus;
use crate::domain::report::action_code;
use crate::domain::{Case, CaseId, IdNumber, Kind, MoneySource, State, TransferRef};
use crate::l10n::{names, Say};
use crate::store::{CaseSummary, Store, StoreError};
use crate::sync::search::DistrictCheck;
use crate::window::{Actor, CaseAction, CaseDeadlines, ImportRecord, Intake, WindowError};
use crate::{tr, Lang};

/// Filters of `case list`.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub day: Option<NaiveDate>,
    pub state: Option<State>,
    pub kind: Option<Kind>,
    pub id_number: Option<IdNumber>,
    pub overdue: bool,
}

/// `case add`; `countersign` is the supervisor letting a blocking duplicate
/// through (`--override-duplicate`) at this operator's command.
pub fn add(
    ctx: &Session,
    json: &Path,
    override_duplicate: Option<&str>,
    countersign: Option<&str>,
    offline: bool,
    out: &mut dyn Write,
) -> CliResult {
    let lang = ctx.lang;
    let text = read_input(ctx, json)?;
    let input: CaseInput = parse_json(&text, lang).map_err(CliError::refused)?;
    let store = ctx.open_store()?;
    let countersign = countersign.map(|name| ctx.countersign(&store, name)).transpose()?;
    let by = countersign.as_ref().map_or(ctx.operator.as_str(), |c| c.name()).to_string();
    let override_by = override_duplicate.map(|reason| SupervisorOverride { by, reason: reason.to_string() });
    // The other towns' records (1 s at most), before the case is saved.
    let district = match offline {
        true => ctx.config.district.url.as_ref().map(|_| DistrictCheck::LocalOnly("--offline".into())),
        false => {
            let members = input.household.iter().flat_map(|h| h.members.iter().map(|m| &m.id_number));
            let people: Vec<&IdNumber> = std::iter::once(&input.applicant.id_number).chain(members).collect();
            crate::sync::search::check(&ctx.config.district, &ctx.config.counter.town_code, &people)
        }
    };
    let intake = Intake { input, override_by, card_photo: None, draft: None, countersign };
    let case = ctx.window(&store).accept(intake, &ctx.operator, ctx.now)?;
    writeln!(out, "{}", case.id)?;
    if !case.related_cases.is_empty() {
        // Saved, but the clerk must see it: on stderr, so stdout stays the id alone.
        let related: Vec<&str> = case.related_cases.iter().map(|id| id.as_str()).collect();
        ctx.note(&tr!(lang, "cli-note-duplicate", id = &case.id, related = related.join(", ")));
    }
    if let Some(check) = district {
        let record = check.record(lang);
        if let DistrictCheck::LocalOnly(why) = &check {
            ctx.note(&tr!(lang, "cli-note-local-only", why = why.as_str()));
        } else if !record.found.is_empty() {
            ctx.note(&tr!(lang, "cli-note-district-found", id = &case.id, cases = record.found.join(", ")));
        }
        store.record_district_check(&case.id, &record)?;
    }
    Ok(())
}

pub fn parse_id(id: &str, lang: Lang) -> Result<CaseId, CliError> {
    id.parse().map_err(|_: crate::domain::case::BadCaseId| CliError::refused(tr!(lang, "bad-case-id", id = id.trim())))
}

fn load(store: &Store, id: &CaseId) -> Result<Case, CliError> {
    store.case(id)?.ok_or_else(|| StoreError::NotFound(id.clone()).into())
}

pub fn show(ctx: &Session, id: &str, json: bool, out: &mut dyn Write) -> CliResult {
    let id = parse_id(id, ctx.lang)?;
    let store = ctx.open_existing_store()?;
    let case = load(&store, &id)?;
    if json {
        writeln!(out, "{}", to_json(&case)?)?;
    } else {
        let deadlines = ctx.window(&store).deadlines(&case, ctx.today());
        write_case(&case, &deadlines, ctx.lang, out)?;
        write_forwarding(&store.forwarding_of(&id)?, ctx.lang, out)?;
        if let Some(check) = store.district_check(&id)? {
            let value = match (check.with_district, check.found.is_empty()) {
                (false, _) => tr!(ctx.lang, "show-district-check-local").to_string(),
                (true, true) => tr!(ctx.lang, "show-district-check-clear").to_string(),
                (true, false) => tr!(ctx.lang, "show-district-check-found", cases = check.found.join(", ")),
            };
            writeln!(out, "{} {value}", pad(tr!(ctx.lang, "show-district-check"), 11))?;
        }
    }
    Ok(())
}

/// Where a finished case stands with the district: its receipt, waiting, or refused.
fn write_forwarding(f: &crate::store::Forwarding, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    use crate::store::Forwarding;
    let value = match f {
        Forwarding::None => return Ok(()),
        Forwarding::Waiting(_) => tr!(lang, "show-district-waiting").to_string(),
        Forwarding::Dead(d) => {
            tr!(lang, "show-district-dead", status = u32::from(d.status), reason = d.reason.as_str())
        }
        Forwarding::Received(r) => {
            tr!(lang, "show-district-value", receipt = r.receipt_id.as_str(), at = r.received_at.as_str())
        }
    };
    writeln!(out, "{} {value}", pad(tr!(lang, "show-district"), 11))
}

fn to_json(case: &Case) -> Result<String, CliError> {
    serde_json::to_string(case).map_err(|e| CliError::environment(format!("cannot write a case as JSON: {e}")))
}

/// A case as JSON with its people's ID numbers masked (`110105********002X`):
/// what lists and exports give unless a supervisor asks for the full numbers.
fn masked_value(case: &Case) -> Result<serde_json::Value, CliError> {
    let failed = |e: serde_json::Error| CliError::environment(format!("cannot write a case as JSON: {e}"));
    let mut v = serde_json::to_value(case).map_err(failed)?;
    if let Some(n) = v.pointer_mut("/applicant/id_number") {
        *n = case.applicant.id_number.masked().into();
    }
    for (i, m) in case.household.members.iter().enumerate() {
        if let Some(n) = v.pointer_mut(&format!("/household/members/{i}/id_number")) {
            *n = m.id_number.masked().into();
        }
    }
    Ok(v)
}

/// Does this record carry masked ID numbers (an export made without `--full-id`)?
fn has_masked_ids(value: &serde_json::Value) -> bool {
    let masked = |v: Option<&serde_json::Value>| v.and_then(|n| n.as_str()).is_some_and(|n| n.contains('*'));
    masked(value.pointer("/applicant/id_number"))
        || value
            .pointer("/household/members")
            .and_then(|m| m.as_array())
            .is_some_and(|members| members.iter().any(|m| masked(m.get("id_number"))))
}

/// A deadline and how it stands: `2026-12-21 (at_risk)`, `2026-12-21（将到期）`.
fn dated(day: NaiveDate, status: DeadlineStatus, lang: Lang) -> String {
    tr!(lang, "show-deadline", date = day, status = names::deadline(status, lang), status_code = status.code())
}

/// The whole record, for a person to read, with how its deadlines stand today.
pub fn write_case(c: &Case, deadlines: &CaseDeadlines, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    let mut line = |label: &str, value: String| writeln!(out, "{} {value}", pad(label, 11));
    let a = &c.applicant;
    line(tr!(lang, "show-case"), c.id.to_string())?;
    line(tr!(lang, "show-state"), tr!(lang, "show-code", name = names::state(c.state, lang), code = c.state.code()))?;
    line(
        tr!(lang, "show-kind"),
        tr!(
            lang,
            "show-kind-value",
            kind = names::kind(c.kind, lang),
            kind_code = c.kind.code(),
            channel = names::channel(c.channel, lang),
            channel_code = c.channel.code(),
        ),
    )?;
    line(
        tr!(lang, "show-reason"),
        tr!(lang, "show-code", name = names::reason(c.reason, lang), code = c.reason.code()),
    )?;
    let residence = tr!(lang, "show-code", name = names::residence(a.residence, lang), code = a.residence.code());
    line(tr!(lang, "show-applicant"), format!("{} {} {residence} ", a.name, a.id_number.masked()))?;
    if let Some(phone) = &a.phone {
        line(tr!(lang, "show-phone"), phone.clone())?;
    }
    let size = c.household.size;
    line(
        tr!(lang, "show-household"),
        tr!(lang, "show-household-value", size = size, income = c.household.monthly_income),
    )?;
    for m in &c.household.members {
        line(tr!(lang, "show-member"), format!("{} {} {}", m.name, m.id_number.masked(), m.relation))?;
    }
    let source = match &c.source {
        crate::domain::Source::WalkIn => tr!(lang, "source-walk-in"),
        crate::domain::Source::OfficerReport { .. } => tr!(lang, "source-officer"),
        crate::domain::Source::DepartmentReferral { .. } => tr!(lang, "source-dept"),
    };
    line(tr!(lang, "show-source"), tr!(lang, "show-code", name = source, code = c.source.code()))?;
    if !c.description.is_empty() {
        line(tr!(lang, "show-description"), c.description.clone())?;
    }
    line(tr!(lang, "show-requested"), c.requested_amount.to_string())?;
    if let Some(e) = &c.entitlement {
        line(tr!(lang, "show-entitled"), tr!(lang, "show-entitled-value", amount = e.amount, basis = &e.basis))?;
        if !e.flags.is_empty() {
            let flags: Vec<String> =
                e.flags.iter().map(|f| tr!(lang, "show-code", name = names::flag(*f, lang), code = f.code())).collect();
            line(tr!(lang, "show-flags"), flags.join(tr!(lang, "list-separator")))?;
        }
    }
    if !c.related_cases.is_empty() {
        let related: Vec<&str> = c.related_cases.iter().map(|id| id.as_str()).collect();
        line(tr!(lang, "show-earlier"), related.join(", "))?;
    }
    if let Some(g) = c.granted_amount {
        line(tr!(lang, "show-granted"), g.to_string())?;
    }
    // A date past the policy calendar's last complete day is only an estimate.
    let estimate = |d: NaiveDate, text: String| match deadlines.is_estimate(d) {
        true => tr!(lang, "show-estimated", date = text),
        false => text,
    };
    if let Some(p) = &c.payment {
        let source = tr!(lang, "show-code", name = names::money_source(p.source, lang), code = p.source.code());
        line(tr!(lang, "show-paid"), crate::l10n::payment(p, &source, lang))?;
    }
    if let Some((d, status)) = deadlines.help {
        line(tr!(lang, "show-help-by"), estimate(d, dated(d, status, lang)))?;
    }
    match (c.due_by, deadlines.due) {
        (_, Some((d, status))) => line(tr!(lang, "show-due-by"), estimate(d, dated(d, status, lang)))?,
        (Some(d), None) => line(tr!(lang, "show-due-by"), estimate(d, d.format("%Y-%m-%d").to_string()))?,
        (None, None) => {}
    }
    let at = c.received_at.format("%Y-%m-%d %H:%M").to_string();
    line(tr!(lang, "show-received"), tr!(lang, "show-received-value", at = at, operator = &c.operator))?;
    let owed: Vec<String> =
        c.documents_owed().map(|d| tr!(lang, "show-code", name = names::document(d, lang), code = d.code())).collect();
    if !owed.is_empty() {
        line(tr!(lang, "show-owed"), owed.join(tr!(lang, "list-separator")))?;
    }
    for (i, r) in c.referrals.iter().enumerate() {
        let handled = match (r.handled_at, deadlines.referrals.get(i).copied().flatten()) {
            (Some(h), _) => tr!(lang, "show-referral-answered", date = h.date_naive()),
            (None, Some(status)) => {
                tr!(
                    lang,
                    "show-referral-open-status",
                    status = names::deadline(status, lang),
                    status_code = status.code()
                )
            }
            (None, None) => tr!(lang, "show-referral-open").to_string(),
        };
        let department =
            tr!(lang, "show-code", name = names::department(r.department, lang), code = r.department.code());
        line(
            tr!(lang, "show-referral"),
            tr!(lang, "show-referral-value", department = department, due = r.due_by, handled = handled),
        )?;
    }
    writeln!(out, "{}", tr!(lang, "show-history"))?;
    for h in &c.history {
        let action = tr!(lang, "show-code", name = names::history_action(h.action, lang), code = action_code(h.action));
        // A countersign's note is the step's code: named as the step is.
        let note = match (h.action, h.note.as_deref()) {
            (crate::domain::case::HistoryAction::Countersigned, Some(step)) => {
                let name = crate::l10n::coded(lang, "history", step).unwrap_or(step);
                format!(" — {}", tr!(lang, "show-code", name = name, code = step))
            }
            (_, note) => note.map(|n| format!(" — {n}")).unwrap_or_default(),
        };
        writeln!(out, "  {} {} {}{note}", h.at.format("%Y-%m-%d %H:%M"), pad(&h.by, 10), pad(&action, 14))?;
    }
    Ok(())
}

pub fn list(ctx: &Session, filter: &ListFilter, json: bool, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_existing_store()?;
    let today = ctx.today();
    let window = ctx.window(&store);
    let mut listing = Listing { store: &store, window: &window, today, lang: ctx.lang, json, out, listed: 0 };
    if filter.overdue && filter.id_number.is_none() {
        list_overdue(&mut listing, filter)?;
    } else {
        for s in select(&store, filter, today)? {
            // A person's few cases, each judged by its open facts.
            if filter.overdue && !store.open_case(&s.id)?.is_some_and(|o| window.is_overdue(&o, today)) {
                continue;
            }
            listing.summary(&s)?;
        }
    }
    listing.end()
}

/// How many overdue cases `case list --overdue` takes from the store at a time.
const OVERDUE_BATCH: usize = 1_000;

/// Every overdue case the other filters keep, in id order, a batch at a time:
/// found from the open cases' facts (at 1,000,000 cases, 600,000 may be
/// late), and only those listed read whole, one at a time.
fn list_overdue(listing: &mut Listing, filter: &ListFilter) -> CliResult {
    let mut after = None;
    loop {
        let batch = listing.window.overdue_after(listing.today, after.as_ref(), OVERDUE_BATCH)?;
        for open in &batch {
            let kept = filter.day.is_none_or(|d| open.received == d)
                && filter.state.is_none_or(|st| open.state == st)
                && filter.kind.is_none_or(|k| open.kind == k);
            if kept {
                // The listing shows the applicant, whom the facts do not hold.
                listing.case(&load(listing.store, &open.id)?)?;
            }
        }
        match batch.into_iter().last() {
            Some(last) => after = Some(last.id),
            None => return Ok(()),
        }
    }
}

/// `case list`'s output, written case by case: a line each, or a JSON array
/// of the cases whole with their ID numbers masked (`case show --json` gives
/// one case whole).
struct Listing<'a> {
    store: &'a Store,
    window: &'a crate::window::Window<'a>,
    today: NaiveDate,
    lang: Lang,
    json: bool,
    out: &'a mut dyn Write,
    listed: usize,
}

impl Listing<'_> {
    /// A case from the index: read whole for JSON.
    fn summary(&mut self, s: &CaseSummary) -> CliResult {
        match self.json {
            true => self.case(&load(self.store, &s.id)?),
            false => self.line(s),
        }
    }

    fn case(&mut self, case: &Case) -> CliResult {
        if !self.json {
            return self.line(&CaseSummary::of(case));
        }
        let text = serde_json::to_string(&masked_value(case)?).map_err(|e| CliError::environment(e.to_string()))?;
        let before = if self.listed == 0 { "[" } else { "," };
        write!(self.out, "{before}{text}")?;
        self.listed += 1;
        Ok(())
    }

    fn line(&mut self, s: &CaseSummary) -> CliResult {
        let lang = self.lang;
        let code = |name: &str, code: &str| tr!(lang, "show-code", name = name, code = code);
        let due = match s.due_by {
            Some(d) if crate::window::still_due(s.channel, s.state) => {
                let status = self.window.deadline(s, self.today);
                format!("{} {}", d.format("%Y-%m-%d"), code(names::deadline(status, lang), status.code()))
            }
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => String::new(),
        };
        let green = if s.channel == crate::domain::Channel::Green { tr!(lang, "list-green") } else { "" };
        let line = format!(
            "{}  {} {} {} {}  {} {}",
            s.id,
            pad(&code(names::state(s.state, lang), s.state.code()), 12),
            pad(&code(names::kind(s.kind, lang), s.kind.code()), 16),
            pad(&s.name, 10),
            s.id_number.masked(),
            pad(&due, 19),
            green
        );
        writeln!(self.out, "{line}")?;
        self.listed += 1;
        Ok(())
    }

    /// Closes the JSON array (`[]` when nothing was listed).
    fn end(self) -> CliResult {
        match (self.json, self.listed) {
            (false, _) => {}
            (true, 0) => writeln!(self.out, "[]")?,
            (true, _) => writeln!(self.out, "]")?,
        }
        Ok(())
    }
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

/// A step on a case; `countersign` names the supervisor countersigning it (an approval).
pub fn act(ctx: &Session, id: &str, action: CaseAction, countersign: Option<&str>, out: &mut dyn Write) -> CliResult {
    let id = parse_id(id, ctx.lang)?;
    let store = ctx.open_store()?;
    let countersign = countersign.map(|name| ctx.countersign(&store, name)).transpose()?;
    let actor = Actor { operator: &ctx.operator, countersign: countersign.as_ref() };
    let case = ctx.window(&store).act_as(&id, &action, &actor, ctx.now)?;
    writeln!(out, "{} {}", case.id, case.state)?;
    Ok(())
}

/// `case disburse`: pays an approved case from the regular budget, with the
/// district finance's transfer reference when it is known.
pub fn disburse(ctx: &Session, id: &str, transfer_ref: Option<&str>, out: &mut dyn Write) -> CliResult {
    let id = parse_id(id, ctx.lang)?;
    let reference = match transfer_ref {
        Some(r) => Some(TransferRef::parse(r).map_err(|e| CliError::refused(e.say(ctx.lang)))?),
        None => None,
    };
    let store = ctx.open_store()?;
    let paid =
        ctx.window(&store).pay_traced(&id, Some(MoneySource::Budget), None, reference, &ctx.operator, ctx.now)?;
    writeln!(out, "{} {}", paid.case.id, paid.case.state)?;
    Ok(())
}

/// One line of an import file: an intake record (gets a new id) or an exported case (keeps its id).
fn parse_import_line(line: &str, lang: Lang) -> Result<ImportRecord, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| tr!(lang, "json-invalid", error = e.to_string()))?;
    if has_masked_ids(&value) {
        return Err(tr!(lang, "import-masked-ids").to_string());
    }
    if value.get("id").is_some() {
        Ok(ImportRecord::Exported(Box::new(parse_json(line, lang)?)))
    } else {
        Ok(ImportRecord::Intake(Box::new(Intake::from(parse_json::<CaseInput>(line, lang)?))))
    }
}

pub fn import(ctx: &Session, file: &Path, out: &mut dyn Write) -> CliResult {
    let lang = ctx.lang;
    let text = read_input(ctx, file)?;
    let mut records = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = parse_import_line(line, lang)
            .map_err(|e| CliError::refused(tr!(lang, "cli-line", line = i + 1, error = e)))?;
        records.push(record);
        lines.push(i + 1);
    }
    if records.is_empty() {
        return Err(CliError::refused(tr!(lang, "cli-no-records", file = file.display().to_string())));
    }
    // Every line is parsed: the file's text is not held through the import.
    drop(text);
    let store = ctx.open_store()?;
    // Every intake goes through the checks of `case add`; all or nothing.
    let imported = ctx.window(&store).import(&records, &ctx.operator, ctx.now).map_err(|refusal| {
        let line = |index: usize| lines.get(index).copied().unwrap_or(0);
        let index = refusal.index;
        let error = match &refusal.error {
            // The record it duplicates is named by its line too.
            WindowError::DuplicateInImport { first, kind, reason, id_number } => CliError::refused(tr!(
                lang,
                "import-duplicate",
                first = line(*first),
                kind = names::kind(*kind, lang),
                kind_code = kind.code(),
                reason = names::reason(*reason, lang),
                reason_code = reason.code(),
                id_number = id_number.masked(),
            )),
            _ => CliError::from(refusal.error),
        };
        match index {
            Some(index) => {
                let said = error.message(lang);
                CliError {
                    code: error.code,
                    ..CliError::refused(tr!(lang, "cli-line", line = line(index), error = said))
                }
            }
            None => error,
        }
    })?;
    for id in &imported {
        writeln!(out, "{id}")?;
    }
    if let crate::session::OpenStore::Own(store) = &store {
        // No counter runs to settle the import's people into the person
        // index (they are found meanwhile all the same): done here, so that
        // the store is left as an older onedoor reads it. The import is
        // saved whatever happens here.
        if let Err(e) = store.settle_every_imported_person() {
            tracing::warn!("settling the imported people: {e}");
        }
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

impl ExportFormat {
    pub fn code(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
        }
    }
}

pub fn export(
    ctx: &Session,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: ExportFormat,
    full_id: bool,
    out: &mut dyn Write,
) -> CliResult {
    let store = if full_id {
        // A supervisor's, signed in with their PIN, and audited before anything is written.
        if !Store::exists(&ctx.paths.data) {
            return Err(crate::session::SessionError::NoStore(ctx.paths.data.clone()).into());
        }
        ctx.open_store()?
    } else {
        ctx.open_existing_store()?
    };
    let summaries = store.cases_between(from.unwrap_or(NaiveDate::MIN), to.unwrap_or(NaiveDate::MAX))?;
    if full_id {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        let what = format!("{} {} to {}", format.code(), day(from), day(to));
        ctx.window(&store).full_id_export(&ctx.operator, summaries.len(), &what, ctx.now)?;
    }
    let id_number = |n: &crate::domain::IdNumber| if full_id { n.as_str().to_string() } else { n.masked() };
    if format == ExportFormat::Jsonl {
        for s in &summaries {
            let case = load(&store, &s.id)?;
            let line = if full_id {
                to_json(&case)?
            } else {
                let v = masked_value(&case)?;
                serde_json::to_string(&v).map_err(|e| CliError::environment(e.to_string()))?
            };
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    w.write_record(CSV_HEADER).map_err(csv_error)?;
    for s in &summaries {
        let c = load(&store, &s.id)?;
        let fields = [
            c.id.to_string(),
            c.received_at.to_rfc3339(),
            c.kind.code().into(),
            c.reason.code().into(),
            c.channel.code().into(),
            c.state.code().into(),
            c.applicant.name.clone(),
            id_number(&c.applicant.id_number),
            c.applicant.residence.code().into(),
            c.requested_amount.to_string(),
            c.granted_amount.map(|g| g.to_string()).unwrap_or_default(),
            c.due_by.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            c.operator.clone(),
        ];
        w.write_record(fields.iter().map(|f| no_formula(f).into_owned())).map_err(csv_error)?;
    }
    w.flush()?;
    Ok(())
}

const CSV_HEADER: [&str; 13] = [
    "id",
    "received_at",
    "kind",
    "reason",
    "channel",
    "state",
    "name",
    "id_number",
    "residence",
    "requested_amount",
    "granted_amount",
    "due_by",
    "operator",
];

pub(crate) fn csv_error(e: csv::Error) -> CliError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e.into(),
        other => CliError::environment(format!("cannot write CSV: {other:?}")),
    }
}

/// A field a spreadsheet would run as a formula (a leading = + - @) is
/// neutralised with a quote mark; the `csv` crate quotes what needs quoting.
fn no_formula(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '@']) || (s.starts_with('-') && s.parse::<f64>().is_err()) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}
