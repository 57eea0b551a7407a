//! Popups over the screen: the confirmation of an irreversible step (or of
//! quitting with unsaved input), the value a step needs, the department to
//! refer to, a supervisor's override reason, the receipt to reprint, and a
//! receipt shown on screen when there is no printer.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::domain::{Department, Money};
use crate::ui::action::Action;
use crate::ui::app::{action_verb, App, InputPurpose, Pending, Popup, RECEIPT_KINDS};
use crate::ui::keymap::Section;
use crate::ui::strings::{self, S};
use crate::ui::theme::BORDER;
use crate::window::CaseAction;
use crate::{tr, Lang};

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

/// The text of a confirmation; `operator` is who a supervisor's approval is recorded as.
pub fn confirm_text(pending: &Pending, operator: &str, lang: Lang) -> String {
    match pending {
        Pending::Act { id, action } => {
            let extra = match action {
                CaseAction::Approve(Some(amount)) => Some(strings::money(*amount, lang)),
                CaseAction::ApproveAsSupervisor(amount) => {
                    let who = strings::supervisor_line(operator, lang);
                    Some(match amount {
                        Some(a) => format!("{}\n{who}", strings::money(*a, lang)),
                        None => who,
                    })
                }
                CaseAction::Reject(reason) => Some(reason.clone()),
                CaseAction::Refer(d) => d.map(|d| strings::department(d, lang).to_string()),
                CaseAction::Approve(None)
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

/// "Enter 确认    Esc 取消", with the keys of the active keymap.
fn confirm_keys(app: &App) -> String {
    let key = |a| app.key_for(Section::Popup, a);
    tr!(app.lang, "confirm-keys", confirm = key(Action::Confirm), cancel = key(Action::Cancel))
}

/// How to close and scroll a receipt shown on screen.
fn receipt_keys(app: &App) -> String {
    let key = |a| app.key_for(Section::Popup, a);
    let close = format!("{}/{}", key(Action::Confirm), key(Action::Cancel));
    let scroll = format!("{}/{}", key(Action::Up), key(Action::Down));
    tr!(app.lang, "receipt-keys", close = close, scroll = scroll)
}

pub fn render(app: &App, buf: &mut Buffer, area: Rect) -> Option<Position> {
    let lang = app.lang;
    let t = &app.theme;
    match app.popup.as_ref()? {
        Popup::Confirm(pending) => {
            let title = match pending {
                Pending::Act { action: CaseAction::ApproveAsSupervisor(_), .. } => {
                    strings::key_desc("approve_as_supervisor", lang).unwrap_or("")
                }
                Pending::Act { .. } | Pending::Quit | Pending::Discard | Pending::RestoreDraft(_) => {
                    S::ConfirmTitle.get(lang)
                }
            };
            let inner = frame(buf, area, 60, 10, title, app);
            let text = confirm_text(pending, &app.operator, lang);
            let mut lines: Vec<Line> = text.lines().map(|l| Line::from(l.to_string())).collect();
            lines.push(Line::from(""));
            lines.push(Line::styled(confirm_keys(app), t.header));
            Paragraph::new(lines).wrap(Wrap { trim: false }).render(inner, buf);
            None
        }
        Popup::Input { purpose, text, cursor, error, .. } => {
            let prompt = match purpose {
                InputPurpose::ApproveAmount => S::EnterAmount,
                InputPurpose::SupervisorAmount => S::EnterSupervisorAmount,
                InputPurpose::RejectReason => S::EnterReason,
                InputPurpose::ReviewNote => S::EnterReviewNote,
            };
            let inner = frame(buf, area, 60, 8, prompt.get(lang), app);
            let field = Rect::new(inner.x + 1, inner.y + 1, inner.width.saturating_sub(2), 1);
            let pos = super::input::render(buf, field, text, Some(*cursor), t.focus);
            if let Some(e) = error {
                super::put(buf, inner, inner.x + 1, inner.y + 3, e, t.error);
            }
            if matches!(purpose, InputPurpose::ApproveAmount | InputPurpose::SupervisorAmount) {
                if let Ok(m) = text.trim().parse::<Money>() {
                    super::put(buf, inner, inner.x + 1, inner.y + 2, &strings::money(m, lang), t.dim);
                }
            }
            super::put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), &confirm_keys(app), t.header);
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
            super::put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), &confirm_keys(app), t.header);
            None
        }
        Popup::ChooseReceipt { selected, .. } => {
            let h = RECEIPT_KINDS.len() as u16 + 4;
            let inner = frame(buf, area, 44, h, S::ChooseReceipt.get(lang), app);
            for (i, kind) in RECEIPT_KINDS.iter().enumerate() {
                let style = if i == *selected { t.selected } else { t.base };
                let line = super::pad(&format!(" {}", strings::receipt_kind(*kind, lang)), inner.width as usize);
                super::put(buf, inner, inner.x, inner.y + i as u16, &line, style);
            }
            super::put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), &confirm_keys(app), t.header);
            None
        }
        Popup::Override { what, text, cursor, error } => {
            let inner = frame(buf, area, 64, 11, S::OverrideTitle.get(lang), app);
            let what_area = Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), 3);
            Paragraph::new(what.as_str()).style(t.error).wrap(Wrap { trim: true }).render(what_area, buf);
            super::put(buf, inner, inner.x + 1, inner.y + 4, S::OverridePrompt.get(lang), t.label);
            let field = Rect::new(inner.x + 1, inner.y + 5, inner.width.saturating_sub(2), 1);
            let pos = super::input::render(buf, field, text, Some(*cursor), t.focus);
            if let Some(e) = error {
                super::put(buf, inner, inner.x + 1, inner.y + 6, e, t.error);
            }
            super::put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), &confirm_keys(app), t.header);
            pos
        }
        Popup::Receipt { kind, lines, scroll, .. } => {
            // The lines are laid out for the paper: the box fits the widest one.
            let widest = lines.iter().map(|l| super::width(l)).max().unwrap_or(0) as u16;
            let title = strings::receipt_on_screen(*kind, lang);
            let w = (widest + 4).max(super::width(&title) as u16 + 6).min(area.width);
            let h = (lines.len() as u16 + 4).min(area.height);
            let inner = frame(buf, area, w, h, &title, app);
            let body = Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), inner.height.saturating_sub(1));
            let max = (lines.len() as u16).saturating_sub(body.height);
            let first = (*scroll).min(max) as usize;
            for (row, line) in lines.iter().skip(first).take(body.height as usize).enumerate() {
                super::put(buf, body, body.x, body.y + row as u16, line, t.base);
            }
            super::put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), &receipt_keys(app), t.header);
            None
        }
    }
}
