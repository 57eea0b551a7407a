//! The whole record of one case: applicant, household, application,
//! documents, referrals and history, scrolling; the steps are on the key bar.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::domain::policy::DeadlineStatus;
use crate::domain::{Channel, Source};
use crate::ui::app::App;
use crate::ui::strings::{self, S};
use crate::ui::widgets::pad;

pub fn render(app: &mut App, buf: &mut Buffer, area: Rect) {
    let lang = app.lang;
    let t = app.theme;
    let today = app.today();
    let deadlines = app.detail.as_ref().map(|d| app.window().deadlines(&d.case, today));
    let Some(d) = &mut app.detail else {
        return;
    };
    let c = &d.case;
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
    let mut app_line = format!(
        "{}  {}  {} {}",
        strings::kind(c.kind, lang),
        strings::reason(c.reason, lang),
        S::Requested.get(lang),
        strings::money(c.requested_amount, lang)
    );
    if let Some(g) = c.granted_amount {
        app_line.push_str(&format!("  {} {}", S::Granted.get(lang), strings::money(g, lang)));
    }
    lines.push(row(S::FieldKind, app_line));
    if let Some(e) = &c.entitlement {
        lines.push(row(S::Entitlement, strings::entitlement(e, lang)));
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
        let text = format!("{} {word}", day.format("%Y-%m-%d"));
        Line::from(vec![
            Span::styled(pad(label.get(lang), 11), t.label),
            Span::raw(" "),
            Span::styled(text.trim_end().to_string(), style),
        ])
    };
    if let Some((help, status)) = deadlines.as_ref().and_then(|d| d.help) {
        lines.push(dated(S::HelpBy, help, Some(status)));
    }
    if let Some(due) = c.due_by {
        lines.push(dated(S::DueBy, due, deadlines.as_ref().and_then(|d| d.due).map(|d| d.1)));
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
        let status = deadlines.as_ref().and_then(|d| d.referrals.get(i).copied().flatten());
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
        // A referral's note is the department's code: shown by its name.
        let note = match h.note.as_deref().map(str::parse::<crate::domain::Department>) {
            Some(Ok(d)) => strings::department(d, lang).to_string(),
            _ => h.note.clone().unwrap_or_default(),
        };
        lines.push(Line::from(format!(
            "  {}  {}  {}  {note}",
            h.at.format("%Y-%m-%d %H:%M"),
            pad(&h.by, 10),
            pad(strings::history_action(h.action, lang), 10),
        )));
    }
    let body = Rect::new(area.x + 1, area.y + 1, area.width - 2, area.height - 1);
    let w = body.width.max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(w).max(1)).sum();
    let max_scroll = (rows as u16).saturating_sub(body.height);
    d.scroll = d.scroll.min(max_scroll);
    Line::from(title).render(Rect::new(area.x + 1, area.y, area.width - 2, 1), buf);
    Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }).scroll((d.scroll, 0)).render(body, buf);
}
