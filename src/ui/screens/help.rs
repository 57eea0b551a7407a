//! The F1 help: every binding of the current screen and the global ones,
//! built from the keymap data, so it is always what the keys really do.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::ui::app::{App, Screen};
use crate::ui::keymap::Section;
use crate::ui::strings::S;
use crate::ui::theme::BORDER;
use crate::ui::widgets::pad;

fn screen_name(screen: Screen) -> S {
    match screen {
        Screen::Queue => S::QueueTitle,
        Screen::Intake => S::IntakeTitle,
        Screen::Detail => S::DetailTitle,
        Screen::Search => S::SearchTitle,
        Screen::Overdue => S::OverdueTitle,
    }
}

pub fn render(app: &mut App, buf: &mut Buffer, area: Rect) {
    let lang = app.lang;
    let t = app.theme;
    let section = app.screen.section();
    let mut lines: Vec<Line> = Vec::new();
    let add = |s: Section, lines: &mut Vec<Line>| {
        for b in app.keymap.bindings(s) {
            lines.push(Line::from(vec![
                Span::styled(pad(&format!("  {}", b.key), 14), t.header),
                Span::raw(b.desc.text(lang).to_string()),
            ]));
        }
    };
    add(section, &mut lines);
    lines.push(Line::from(Span::styled(S::HelpGlobal.get(lang), t.title)));
    add(Section::Global, &mut lines);
    if matches!(app.screen, Screen::Intake | Screen::Search) {
        let delete = app.key_for(section, crate::ui::action::Action::DeleteBack);
        lines.push(Line::from(Span::styled(crate::tr!(lang, "help-typing", delete = delete), t.dim)));
    }
    let w = area.width.min(64);
    let h = area.height;
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y, w, h);
    crate::ui::widgets::clear(buf, popup);
    let title = format!(" {} - {} ", S::HelpTitle.get(lang), screen_name(app.screen).get(lang));
    let block = Block::bordered().border_set(BORDER).title(title);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let max = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = app.help.unwrap_or(0).min(max);
    app.help = Some(scroll);
    Paragraph::new(lines).scroll((scroll, 0)).render(inner, buf);
}
