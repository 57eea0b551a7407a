//! Search across all days by ID number, name or case id; the list answers as
//! the clerk types (every branch is an index range scan in the store).

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::queue::{case_line, header, Columns};
use crate::ui::app::App;
use crate::ui::strings::{self, S};
use crate::ui::widgets::{input, put};

pub fn render(app: &mut App, buf: &mut Buffer, area: Rect) -> Option<Position> {
    let lang = app.lang;
    let t = app.theme;
    let title = format!("{}  {}", S::SearchTitle.get(lang), S::SearchPrompt.get(lang));
    put(buf, area, area.x + 1, area.y, &title, t.title);
    let x = put(buf, area, area.x + 1, area.y + 1, "> ", t.focus);
    let field = Rect::new(x, area.y + 1, area.right().saturating_sub(x + 1), 1);
    let cursor = input::render(buf, field, &app.search.text, Some(app.search.cursor), t.input);
    let info = if app.search.text.trim().is_empty() {
        S::SearchHint.get(lang).to_string()
    } else if app.search.results.is_empty() {
        S::SearchNone.get(lang).to_string()
    } else {
        strings::results(app.search.results.len(), lang)
    };
    put(buf, area, area.x + 1, area.y + 2, &info, t.dim);
    let c = Columns::new(area.width, lang, 10);
    header(buf, area, area.y + 3, &c, lang, &t);
    let top = area.y + 4;
    let page = area.height.saturating_sub(4) as usize;
    app.search.page = page;
    let total = app.search.results.len();
    if total > 0 {
        let sel = app.search.selected.min(total - 1);
        let s = &mut app.search;
        if sel < s.offset {
            s.offset = sel;
        } else if page > 0 && sel >= s.offset + page {
            s.offset = sel + 1 - page;
        }
        let offset = s.offset;
        for (line, i) in (offset..total.min(offset + page)).enumerate() {
            let r = &app.search.results[i];
            let when = r.received_at.format("%Y-%m-%d").to_string();
            case_line(buf, area, top + line as u16, r, &when, &c, i == sel, app);
        }
    }
    cursor
}
