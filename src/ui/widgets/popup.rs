//! Popups over the screen: the confirmation of an irreversible step (or of
//! quitting with unsaved input), the value a step needs, the department to refer to.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::domain::{Department, Money};
use crate::ui::app::{action_verb, App, InputPurpose, Pending, Popup};
use crate::ui::strings::{self, S};
use crate::ui::theme::BORDER;
use crate::window::CaseAction;
use crate::Lang;

/// A centred box of `w` x `h` cells inside `area`, cleared, with a border; returns the inside.
fn frame(buf: &mut Buffer, area: Rect, w: u16, h: u16, title: &str, app: &App) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let r = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    super::clear(buf, r);
    let block = Block::bordered()
        .border_set(BORDER)
        .border_style(app.theme.title)
        .style(app.theme.popup)
        .title(format!(" {title} "));
    let inner = block.inner(r);
    block.render(r, buf);
    inner
}

/// The text of a confirmation.
pub fn confirm_text(pending: &Pending, lang: Lang) -> String {
    match pending {
        Pending::Act { id, action } => {
            let extra = match action {
                CaseAction::Approve(Some(amount)) | CaseAction::ApproveAsSupervisor(Some(amount)) => {
                    Some(strings::money(*amount, lang))
                }
                CaseAction::Reject(reason) => Some(reason.clone()),
                CaseAction::Refer(d) => d.map(|d| strings::department(d, lang).to_string()),
                CaseAction::Approve(None)
                | CaseAction::ApproveAsSupervisor(None)
                | CaseAction::Review(_)
                | CaseAction::Disburse
                | CaseAction::Complete
                | CaseAction::Withdraw(_) => None,
            };
            strings::confirm_act(action_verb(action, lang), id.as_str(), extra.as_deref(), lang)
        }
        Pending::Quit => S::ConfirmQuit.get(lang).to_string(),
        Pending::Discard => S::ConfirmDiscard.get(lang).to_string(),
        Pending::RestoreDraft(_) => S::ConfirmRestore.get(lang).to_string(),
    }
}

pub fn render(app: &App, buf: &mut Buffer, area: Rect) -> Option<Position> {
    let lang = app.lang;
    let t = &app.theme;
    match app.popup.as_ref()? {
        Popup::Confirm(pending) => {
            let inner = frame(buf, area, 60, 9, S::ConfirmTitle.get(lang), app);
            let text = confirm_text(pending, lang);
            let mut lines: Vec<Line> = text.lines().map(|l| Line::from(l.to_string())).collect();
            lines.push(Line::from(""));
            lines.push(Line::styled(S::ConfirmKeys.get(lang), t.header));
            Paragraph::new(lines).wrap(Wrap { trim: false }).render(inner, buf);
            None
        }
        Popup::Input { purpose, text, cursor, error, .. } => {
            let prompt = match purpose {
                InputPurpose::ApproveAmount => S::EnterAmount,
                InputPurpose::RejectReason => S::EnterReason,
                InputPurpose::ReviewNote => S::EnterReviewNote,
            };
            let inner = frame(buf, area, 60, 8, prompt.get(lang), app);
            let field = Rect::new(inner.x + 1, inner.y + 1, inner.width.saturating_sub(2), 1);
            let pos = super::input::render(buf, field, text, Some(*cursor), t.focus);
            if let Some(e) = error {
                super::put(buf, inner, inner.x + 1, inner.y + 3, e, t.error);
            }
            if *purpose == InputPurpose::ApproveAmount {
                if let Ok(m) = text.trim().parse::<Money>() {
                    super::put(buf, inner, inner.x + 1, inner.y + 2, &strings::money(m, lang), t.dim);
                }
            }
            super::put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), S::ConfirmKeys.get(lang), t.header);
            pos
        }
        Popup::ChooseDepartment { selected, .. } => {
            let h = Department::ALL.len() as u16 + 4;
            let inner = frame(buf, area, 44, h, S::ChooseDepartment.get(lang), app);
            for (i, d) in Department::ALL.iter().enumerate() {
                let y = inner.y + i as u16;
                let style = if i == *selected { t.selected } else { t.base };
                let line = super::pad(&format!(" {}", strings::department(*d, lang)), inner.width as usize);
                super::put(buf, inner, inner.x, y, &line, style);
            }
            super::put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), S::ConfirmKeys.get(lang), t.header);
            None
        }
    }
}
