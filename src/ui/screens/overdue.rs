//! The overdue list (F7): open cases past their promised date or with a
//! referral a department has not answered in time, two lines a case: who and
//! what, then the state and what exactly is late. Enter opens the case.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::ui::app::{App, OverdueRow};
use crate::ui::strings::{self, S};
use crate::ui::widgets::{fill_line, pad, put};

/// Lines a case takes in the list.
const ROW_LINES: u16 = 2;

fn row(app: &App, buf: &mut Buffer, area: Rect, y: u16, r: &OverdueRow, selected: bool) {
    let t = &app.theme;
    let lang = app.lang;
    let base = if selected { t.selected } else { t.base };
    if selected {
        fill_line(buf, area, y, t.selected);
        fill_line(buf, area, y + 1, t.selected);
    }
    let first = format!("  {}  {} {}  {}", r.id, pad(&r.name, 10), r.id_number.masked(), strings::kind(r.kind, lang),);
    put(buf, area, area.x, y, &first, base);
    let late: Vec<String> = r.late.iter().map(|l| strings::late(l, lang)).collect();
    let x = put(buf, area, area.x + 4, y + 1, &format!("{}  ", pad(strings::state(r.state, lang), 8)), base);
    let style = if selected { base } else { t.overdue };
    put(buf, area, x, y + 1, &format!("{} {}", S::OverdueMark.get(lang), late.join(", ")), style);
}

pub fn render(app: &mut App, buf: &mut Buffer, area: Rect) {
    let lang = app.lang;
    let t = app.theme;
    let total = app.overdue.rows.len();
    let title = format!("{} {}   {}", S::OverdueTitle.get(lang), app.today(), strings::overdue_count(total, lang));
    put(buf, area, area.x + 1, area.y, &title, t.title);
    let header = format!(
        "  {}  {} {}  {}",
        pad(S::ColCaseId.get(lang), 26),
        pad(S::ColApplicant.get(lang), 10),
        pad(S::ColIdNumber.get(lang), 18),
        S::ColKind.get(lang)
    );
    put(buf, area, area.x, area.y + 1, &header, t.header);
    let top = area.y + 2;
    let page = (area.height.saturating_sub(2) / ROW_LINES) as usize;
    app.overdue.page = page;
    if total == 0 {
        put(buf, area, area.x + 1, top + 1, S::OverdueNone.get(lang), t.dim);
        return;
    }
    let o = &mut app.overdue;
    let sel = o.selected.min(total - 1);
    if sel < o.offset {
        o.offset = sel;
    } else if page > 0 && sel >= o.offset + page {
        o.offset = sel + 1 - page;
    }
    o.offset = o.offset.min(total.saturating_sub(page));
    let offset = o.offset;
    for (line, i) in (offset..total.min(offset + page)).enumerate() {
        let y = top + line as u16 * ROW_LINES;
        row(app, buf, area, y, &app.overdue.rows[i], i == sel);
    }
}
