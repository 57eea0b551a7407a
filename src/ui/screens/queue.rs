//! The home screen: today's cases and the tickets on hold, with counts of
//! waiting, in progress and done. Only the lines that fit are drawn, from
//! summaries loaded once per change (never whole cases).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::policy::DeadlineStatus;
use crate::domain::{Channel, IdNumber, State};
use crate::store::CaseSummary;
use crate::ui::app::App;
use crate::ui::files::HeldTicket;
use crate::ui::strings::{self, S};
use crate::ui::theme::Theme;
use crate::ui::widgets::{fill_line, pad, pad_left, put, width};
use crate::Lang;

/// Column widths of a case line.
pub struct Columns {
    pub when: usize,
    pub name: usize,
    pub kind: usize,
    pub state: usize,
}

impl Columns {
    pub fn new(total: u16, lang: Lang, when: usize) -> Columns {
        let (kind, state) = match lang {
            Lang::ZhCn => (8, 8),
            Lang::En => (10, 9),
        };
        // marker 2, ticket 3, the masked number 18, due 6, and the spaces between.
        let fixed = 2 + 1 + 3 + 1 + when + 1 + 1 + 18 + 1 + kind + 1 + state + 1 + 6;
        let name = (total as usize).saturating_sub(fixed + 1).clamp(6, 24);
        Columns { when, name, kind, state }
    }
}

/// The header line of a case list.
pub fn header(buf: &mut Buffer, area: Rect, y: u16, c: &Columns, lang: Lang, t: &Theme) {
    let line = format!(
        "   {} {} {} {} {} {} {}",
        pad_left(S::ColTicket.get(lang), 3),
        pad(S::ColTime.get(lang), c.when),
        pad(S::ColApplicant.get(lang), c.name),
        pad(S::ColIdNumber.get(lang), 18),
        pad(S::ColKind.get(lang), c.kind),
        pad(S::ColState.get(lang), c.state),
        S::ColDue.get(lang),
    );
    put(buf, area, area.x, y, &line, t.header);
}

/// One case line: green-channel marker, ticket, time, name with the masked
/// number, kind, state, due date (with a mark when overdue).
#[allow(clippy::too_many_arguments)]
pub fn case_line(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    s: &CaseSummary,
    when: &str,
    c: &Columns,
    selected: bool,
    app: &App,
) {
    let t = &app.theme;
    let lang = app.lang;
    let base = if selected { t.selected } else { t.base };
    if selected {
        fill_line(buf, area, y, t.selected);
    }
    let mut x = area.x;
    if s.channel == Channel::Green {
        x = put(buf, area, x, y, &pad(S::GreenMark.get(lang), 2), t.green);
    } else {
        x = put(buf, area, x, y, "  ", base);
    }
    let ticket = s.ticket.map(|n| n.to_string()).unwrap_or_default();
    let state_style = match s.state {
        State::Completed | State::Rejected | State::Withdrawn => {
            if selected {
                base
            } else {
                t.dim
            }
        }
        _ => base,
    };
    let middle = format!(
        " {} {} {} {} {} ",
        pad_left(&ticket, 3),
        pad(when, c.when),
        pad(&s.name, c.name),
        s.id_number.masked(),
        pad(strings::kind(s.kind, lang), c.kind),
    );
    x = put(buf, area, x, y, &middle, base);
    x = put(buf, area, x, y, &pad(strings::state(s.state, lang), c.state), state_style);
    x = put(buf, area, x, y, " ", base);
    let due = app.window().next_due(s).map(|d| d.format("%m-%d").to_string()).unwrap_or_default();
    // Colour for the eye, a mark for monochrome terminals and colour-blind clerks.
    let (mark, style) = match app.deadline(s) {
        DeadlineStatus::OnTrack => ("", base),
        DeadlineStatus::AtRisk => (S::AtRiskMark.get(lang), t.at_risk),
        DeadlineStatus::Breached => (S::OverdueMark.get(lang), t.overdue),
    };
    let style = if selected { base } else { style };
    put(buf, area, x, y, &format!("{due}{mark}"), style);
}

fn held_line(buf: &mut Buffer, area: Rect, y: u16, h: &HeldTicket, c: &Columns, selected: bool, app: &App) {
    let t = &app.theme;
    let lang = app.lang;
    let base = if selected { t.selected } else { t.base };
    if selected {
        fill_line(buf, area, y, t.selected);
    }
    let f = &h.form;
    let ticket = f.ticket.map(|n| n.to_string()).unwrap_or_default();
    let when = if h.day == app.today() { String::new() } else { h.day.format("%m-%d").to_string() };
    let name = if f.name.trim().is_empty() { S::HeldNoName.get(lang) } else { f.name.as_str() };
    let number = IdNumber::parse_any_date(&f.id_number).map(|n| n.masked()).unwrap_or_default();
    let line = format!(
        "   {} {} {} {} {} ",
        pad_left(&ticket, 3),
        pad(&when, c.when),
        pad(name, c.name),
        pad(&number, 18),
        pad(strings::kind(f.kind, lang), c.kind),
    );
    let x = put(buf, area, area.x, y, &line, base);
    let style = if selected { base } else { t.banner };
    put(buf, area, x, y, S::HeldState.get(lang), style);
}

/// Counts for the title: waiting (on hold or just received), in progress, done.
pub fn counts(app: &App) -> (usize, usize, usize) {
    let mut waiting = app.held.len();
    let mut progress = 0;
    let mut done = 0;
    for r in &app.queue.rows {
        match r.state {
            State::Received => waiting += 1,
            State::Referred | State::UnderReview | State::Approved | State::Disbursed => progress += 1,
            State::Completed | State::Rejected | State::Withdrawn => done += 1,
        }
    }
    (waiting, progress, done)
}

pub fn render(app: &mut App, buf: &mut Buffer, area: Rect) {
    let lang = app.lang;
    let t = app.theme;
    let (waiting, progress, done) = counts(app);
    let title = format!(
        "{} {}   {} {} | {} {} | {} {}",
        S::QueueTitle.get(lang),
        app.today().format("%Y-%m-%d"),
        S::Waiting.get(lang),
        waiting,
        S::InProgress.get(lang),
        progress,
        S::Done.get(lang),
        done
    );
    let end = put(buf, area, area.x + 1, area.y, &title, t.title);
    let legend = S::DeadlineLegend.get(lang);
    let legend_x = area.right().saturating_sub(width(legend) as u16 + 1);
    if legend_x > end + 1 {
        put(buf, area, legend_x, area.y, legend, t.dim);
    }
    let c = Columns::new(area.width, lang, 5);
    header(buf, area, area.y + 1, &c, lang, &t);

    let list_top = area.y + 2;
    let page = area.height.saturating_sub(2) as usize;
    app.queue.page = page;
    let total = app.held.len() + app.queue.rows.len();
    if total == 0 {
        let call = app.key_for(crate::ui::keymap::Section::Queue, crate::ui::action::Action::CallNext);
        let new = app.key_for(crate::ui::keymap::Section::Queue, crate::ui::action::Action::NewCase);
        put(buf, area, area.x + 1, list_top + 1, &crate::tr!(lang, "queue-empty", call = call, new = new), t.dim);
        return;
    }
    let sel = app.queue.selected.min(total - 1);
    let q = &mut app.queue;
    if sel < q.offset {
        q.offset = sel;
    } else if page > 0 && sel >= q.offset + page {
        q.offset = sel + 1 - page;
    }
    q.offset = q.offset.min(total.saturating_sub(page));
    let offset = q.offset;
    let held = app.held.len();
    for (line, i) in (offset..total.min(offset + page)).enumerate() {
        let y = list_top + line as u16;
        if i < held {
            held_line(buf, area, y, &app.held[i], &c, i == sel, app);
        } else {
            let s = &app.queue.rows[i - held];
            let when = s.received_at.format("%H:%M").to_string();
            case_line(buf, area, y, s, &when, &c, i == sel, app);
        }
    }
}
