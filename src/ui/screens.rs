//! Drawing the counter: the status line, the active screen, the message line
//! and the key bar, with popups and the help on top. Screens below 80x24 get
//! a clear request to enlarge the terminal instead of a garbled layout.

pub mod detail;
pub mod help;
pub mod intake;
pub mod overdue;
pub mod queue;
pub mod search;

use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::app::{App, MessageKind, Screen};
use super::keymap::Section;
use super::strings::{self, S};
use super::widgets::{self, popup, status};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Draws the whole counter into `area`.
pub fn render(app: &mut App, frame: &mut Frame, area: Rect) {
    Clear.render(area, frame.buffer_mut());
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(app, frame, area);
        return;
    }
    let status_area = Rect::new(area.x, area.y, area.width, 1);
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 3);
    let message_area = Rect::new(area.x, area.bottom() - 2, area.width, 1);
    let bar_area = Rect::new(area.x, area.bottom() - 1, area.width, 1);

    status::render(app, frame.buffer_mut(), status_area);
    let cursor: Option<Position> = match app.screen {
        Screen::Queue => {
            queue::render(app, frame.buffer_mut(), body);
            None
        }
        Screen::Intake => intake::render(app, frame.buffer_mut(), body),
        Screen::Detail => {
            detail::render(app, frame.buffer_mut(), body);
            None
        }
        Screen::Search => search::render(app, frame.buffer_mut(), body),
        Screen::Overdue => {
            overdue::render(app, frame.buffer_mut(), body);
            None
        }
    };
    render_message(app, frame, message_area);
    let section = if app.popup.is_some() {
        Section::Popup
    } else if app.help.is_some() {
        Section::Help
    } else {
        app.screen.section()
    };
    status::key_bar(app, frame.buffer_mut(), bar_area, section);

    let mut cursor = cursor;
    if app.help.is_some() {
        help::render(app, frame.buffer_mut(), body);
        cursor = None;
    }
    if app.popup.is_some() {
        cursor = popup::render(app, frame.buffer_mut(), body);
    }
    if let Some(p) = cursor {
        frame.set_cursor_position(p);
    }
}

fn render_too_small(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let text = format!("{}\n{}", S::TooSmallTitle.get(lang), strings::too_small(area.width, area.height, lang));
    Paragraph::new(text).style(app.theme.error).wrap(Wrap { trim: true }).render(area, frame.buffer_mut());
}

fn render_message(app: &App, frame: &mut Frame, area: Rect) {
    let Some(m) = &app.message else {
        return;
    };
    let style = match m.kind {
        MessageKind::Info => app.theme.info,
        MessageKind::Error => app.theme.error,
    };
    let text = m.text.replace('\n', " ");
    let room = area.width.saturating_sub(2);
    if widgets::width(&text) <= room as usize {
        widgets::put(frame.buffer_mut(), area, area.x + 1, area.y, &text, style);
    } else {
        // A long refusal takes the line above as well.
        let two = Rect::new(area.x + 1, area.y.saturating_sub(1), room, 2);
        Clear.render(Rect::new(area.x, two.y, area.width, 2), frame.buffer_mut());
        Paragraph::new(text).style(style).wrap(Wrap { trim: true }).render(two, frame.buffer_mut());
    }
}
