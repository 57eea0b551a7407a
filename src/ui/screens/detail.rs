//! The whole record of one case: applicant, household, application,
//! documents, deadlines, referrals and history, scrolling; the steps are on
//! the key bar. A step the case does not allow now is refused at once (the
//! window says why); one it allows opens the popup that asks what it needs.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::domain::case::{HistoryAction, Step};
use crate::domain::policy::DeadlineStatus;
use crate::domain::{Case, Channel, Department, Source};
use crate::l10n::Say;
use crate::ui::action::Action;
use crate::ui::effect::{Effect, Effects, Screen};
use crate::ui::env::Env;
use crate::ui::popups::{Popup, Prompt};
use crate::ui::strings::{self, S};
use crate::ui::widgets::pad;
use crate::window::{CaseAction, CaseDeadlines};

/// What the detail's keys do (Up, Down and the pages scroll the record).
pub const ACTIONS: &[&[Action]] = &[
    &[
        Action::Back,
        Action::Refer,
        Action::Review,
        Action::Approve,
        Action::ApproveAsSupervisor,
        Action::Reject,
        Action::Disburse,
        Action::Complete,
        Action::Withdraw,
        Action::Reprint,
        Action::Search,
        Action::Overdue,
    ],
    &[Action::Up, Action::Down, Action::PageUp, Action::PageDown],
];

pub struct DetailScreen {
    pub case: Case,
    /// How its deadlines stand today (computed when the case is loaded).
    deadlines: CaseDeadlines,
    scroll: u16,
    /// The furthest it scrolls, as the last layout found.
    max_scroll: u16,
    /// Where Back goes.
    pub back: Screen,
}

impl DetailScreen {
    pub fn new(case: Case, back: Screen, env: &Env) -> DetailScreen {
        let deadlines = env.window().deadlines(&case, env.today());
        DetailScreen { case, deadlines, scroll: 0, max_scroll: u16::MAX, back }
    }

    /// The case as it is now in the store (after a step, or another process's write).
    pub fn reload(&mut self, case: Case, env: &Env) {
        self.deadlines = env.window().deadlines(&case, env.today());
        self.case = case;
    }

    pub fn act(&mut self, action: Action, env: &Env) -> Effects {
        let scroll = |d: &mut DetailScreen, by: i32| {
            d.scroll = (i32::from(d.scroll) + by).clamp(0, i32::from(d.max_scroll)) as u16;
        };
        match action {
            Action::Back => vec![Effect::CloseCase],
            Action::Up => {
                scroll(self, -1);
                Effects::new()
            }
            Action::Down => {
                scroll(self, 1);
                Effects::new()
            }
            Action::PageUp => {
                scroll(self, -10);
                Effects::new()
            }
            Action::PageDown => {
                scroll(self, 10);
                Effects::new()
            }
            Action::Search => vec![Effect::Show(Screen::Search)],
            Action::Overdue => vec![Effect::Show(Screen::Overdue)],
            Action::Reprint => vec![Effect::Reprint(Box::new(self.case.clone()))],
            Action::Refer => self.step(Step::Refer, Action::Refer, env),
            Action::Review => self.step(Step::Review, Action::Review, env),
            Action::Approve => self.step(Step::Approve, Action::Approve, env),
            Action::ApproveAsSupervisor => self.step(Step::Approve, Action::ApproveAsSupervisor, env),
            Action::Reject => self.step(Step::Reject, Action::Reject, env),
            Action::Disburse => self.step(Step::Disburse, Action::Disburse, env),
            Action::Complete => self.step(Step::Complete, Action::Complete, env),
            Action::Withdraw => self.step(Step::Withdraw, Action::Withdraw, env),
            _ => Effects::new(),
        }
    }

    /// A step on the case: refused at once if the case does not allow it now,
    /// else the popup that asks for what it needs or for confirmation.
    fn step(&self, step: Step, action: Action, env: &Env) -> Effects {
        let window = env.window();
        let case = &self.case;
        if let Err(e) = window.allows(case, step) {
            return vec![Effect::error(e.say(env.lang))];
        }
        if action == Action::ApproveAsSupervisor && !env.store.has_operators() {
            // Not a supervisor: said before the amount is asked for. Once there
            // are operators, a clerk's supervisor approval asks for a countersign.
            if let Err(e) = window.supervisor(&env.operator) {
                return vec![Effect::error(env.refusal(&e))];
            }
        }
        let id = case.id.clone();
        let popup = match action {
            Action::Refer => {
                let usual = window.department_for(case);
                Popup::choose_department(id, Department::ALL.iter().position(|d| *d == usual).unwrap_or(0))
            }
            Action::Review => Popup::Prompt(Prompt::review_note(id)),
            Action::Approve | Action::ApproveAsSupervisor => {
                let amount = case.entitlement.as_ref().map(|e| e.amount).unwrap_or(case.requested_amount);
                Popup::Prompt(Prompt::amount(id, amount, action == Action::ApproveAsSupervisor))
            }
            Action::Reject => Popup::Prompt(Prompt::reject_reason(id)),
            Action::Disburse | Action::Complete | Action::Withdraw => {
                let action = match action {
                    Action::Disburse => CaseAction::Disburse,
                    Action::Complete => CaseAction::Complete,
                    _ => CaseAction::Withdraw(None),
                };
                // Refused now rather than after "cannot be undone"; a payment from
                // the relief fund by a clerk asks for a supervisor's countersign first.
                match crate::ui::popups::before_step(&id, action, env) {
                    Ok(popup) => popup,
                    Err(e) => return vec![Effect::error(e)],
                }
            }
            _ => return Effects::new(),
        };
        vec![Effect::Popup(popup)]
    }

    /// Has the case been paid (so it has a payment receipt too)?
    pub fn paid(case: &Case) -> bool {
        case.history.iter().any(|h| h.action == HistoryAction::Disbursed)
    }

    fn lines(&self, env: &Env) -> (Line<'static>, Vec<Line<'static>>) {
        let (t, lang) = (env.theme, env.lang);
        let c = &self.case;
        let mut title = vec![
            Span::styled(format!("{} {}  ", S::DetailTitle.get(lang), c.id), t.title),
            Span::styled(strings::state(c.state, lang).to_string(), t.header),
        ];
        if c.channel == Channel::Green {
            title.push(Span::raw("  "));
            title.push(Span::styled(strings::channel(c.channel, lang), t.green));
        }
        let mut lines: Vec<Line> = Vec::new();
        let row = |label: S, value: String| {
            Line::from(vec![Span::styled(pad(label.get(lang), 11), t.label), Span::raw(" "), Span::raw(value)])
        };
        let a = &c.applicant;
        let mut who = format!("{}  {}", a.name, a.id_number);
        if let Some(sex) = a.sex {
            who.push_str(&format!("  {}", strings::sex(sex, lang)));
        }
        who.push_str(&format!(
            "  {}  {}",
            a.id_number.birth_date().format("%Y-%m-%d"),
            strings::residence(a.residence, lang)
        ));
        if let Some(p) = &a.phone {
            who.push_str(&format!("  {p}"));
        }
        lines.push(row(S::Applicant, who));
        if let Some(addr) = &a.address {
            lines.push(row(S::FieldAddress, addr.clone()));
        }
        lines.push(row(
            S::Household,
            format!(
                "{} {}  {} {}",
                c.household.size,
                S::Persons.get(lang),
                S::MonthlyIncome.get(lang),
                strings::money(c.household.monthly_income, lang)
            ),
        ));
        let mut application = format!(
            "{}  {}  {} {}",
            strings::kind(c.kind, lang),
            strings::reason(c.reason, lang),
            S::Requested.get(lang),
            strings::money(c.requested_amount, lang)
        );
        if let Some(g) = c.granted_amount {
            application.push_str(&format!("  {} {}", S::Granted.get(lang), strings::money(g, lang)));
        }
        lines.push(row(S::FieldKind, application));
        if let Some(e) = &c.entitlement {
            lines.push(row(S::Entitlement, strings::entitlement(e, lang)));
        }
        if let Some(p) = &c.payment {
            lines.push(row(S::Paid, crate::l10n::payment(p, crate::l10n::names::money_source(p.source, lang), lang)));
        }
        let source = match &c.source {
            Source::WalkIn => S::SourceWalkIn.get(lang).to_string(),
            Source::OfficerReport { reporter, village } => {
                format!("{}  {reporter}  {village}", S::SourceOfficer.get(lang))
            }
            Source::DepartmentReferral { department } => {
                format!("{}  {}", S::SourceDept.get(lang), strings::department(*department, lang))
            }
        };
        lines.push(row(S::FieldSource, source));
        let ticket = c.ticket.map(|n| format!("  {} {n}", S::TicketLabel.get(lang))).unwrap_or_default();
        lines.push(row(S::Received, format!("{}  {}{ticket}", c.received_at.format("%Y-%m-%d %H:%M"), c.operator)));
        let marked = |status: Option<DeadlineStatus>| match status {
            Some(DeadlineStatus::Breached) => (S::DeadlineBreached.get(lang), t.overdue),
            Some(DeadlineStatus::AtRisk) => (S::DeadlineAtRisk.get(lang), t.at_risk),
            Some(DeadlineStatus::OnTrack) | None => ("", t.base),
        };
        let dated = |label: S, day: chrono::NaiveDate, status: Option<DeadlineStatus>| {
            let (word, style) = marked(status);
            let mut text = format!("{} {word}", day.format("%Y-%m-%d"));
            if self.deadlines.is_estimate(day) {
                // The holidays of that year are not in the calendar yet.
                text = format!("{} {}", text.trim_end(), S::Estimated.get(lang));
            }
            Line::from(vec![
                Span::styled(pad(label.get(lang), 11), t.label),
                Span::raw(" "),
                Span::styled(text.trim_end().to_string(), style),
            ])
        };
        if let Some((help, status)) = self.deadlines.help {
            lines.push(dated(S::HelpBy, help, Some(status)));
        }
        if let Some(due) = c.due_by {
            lines.push(dated(S::DueBy, due, self.deadlines.due.map(|d| d.1)));
        }
        if !c.description.is_empty() {
            lines.push(row(S::FieldDescription, c.description.clone()));
        }
        let docs: Vec<String> = c
            .documents
            .iter()
            .map(|d| format!("{}{}", if d.received { "[x]" } else { "[ ]" }, strings::document(d.name, lang)))
            .collect();
        lines.push(row(S::Documents, docs.join(" ")));
        lines.push(Line::from(Span::styled(S::Referrals.get(lang), t.header)));
        if c.referrals.is_empty() {
            lines.push(Line::from(format!("  {}", S::NoReferrals.get(lang))));
        }
        for (i, r) in c.referrals.iter().enumerate() {
            let status = self.deadlines.referrals.get(i).copied().flatten();
            let (word, style) = marked(status);
            let outcome = match (&r.handled_at, &r.outcome) {
                (Some(at), Some(o)) => format!("{} {o}", at.format("%m-%d")),
                (Some(at), None) => at.format("%m-%d").to_string(),
                (None, _) => format!("{} {word}", S::Pending.get(lang)).trim_end().to_string(),
            };
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "  {}  {}  {} ",
                    pad(strings::department(r.department, lang), 16),
                    r.referred_at.format("%Y-%m-%d"),
                    S::DueBy.get(lang),
                )),
                Span::styled(r.due_by.format("%Y-%m-%d").to_string(), style),
                Span::raw(format!("  {outcome}")),
            ]));
        }
        lines.push(Line::from(Span::styled(S::History.get(lang), t.header)));
        for h in &c.history {
            // A referral's note is the department's code, a countersign's the
            // step's: shown by their names.
            let note = match (h.action, h.note.as_deref()) {
                (HistoryAction::Countersigned, Some(step)) => {
                    crate::l10n::coded(lang, "history", step).unwrap_or(step).to_string()
                }
                (_, Some(note)) => match note.parse::<Department>() {
                    Ok(d) => strings::department(d, lang).to_string(),
                    Err(_) => note.to_string(),
                },
                (_, None) => String::new(),
            };
            lines.push(Line::from(format!(
                "  {}  {}  {}  {note}",
                h.at.format("%Y-%m-%d %H:%M"),
                pad(&h.by, 10),
                pad(strings::history_action(h.action, lang), 10),
            )));
        }
        (Line::from(title), lines)
    }

    fn body(area: Rect) -> Rect {
        Rect::new(area.x + 1, area.y + 1, area.width.saturating_sub(2), area.height.saturating_sub(1))
    }

    /// How far the record scrolls in `area`.
    pub fn layout(&mut self, area: Rect, env: &Env) {
        let body = DetailScreen::body(area);
        let (_, lines) = self.lines(env);
        let w = body.width.max(1) as usize;
        let rows: usize = lines.iter().map(|l| l.width().div_ceil(w).max(1)).sum();
        self.max_scroll = (rows as u16).saturating_sub(body.height);
        self.scroll = self.scroll.min(self.max_scroll);
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) {
        let (title, lines) = self.lines(env);
        title.render(Rect::new(area.x + 1, area.y, area.width.saturating_sub(2), 1), buf);
        let body = DetailScreen::body(area);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll.min(self.max_scroll), 0))
            .render(body, buf);
    }
}
