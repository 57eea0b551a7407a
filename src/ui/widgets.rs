//! Small building blocks shared by the screens: the text field, the
//! scrolling list, the status line and the key bar, a popup's frame and
//! cell-width helpers. Widgets take the data they draw, never the app.

pub mod input;
pub mod status;
pub mod table;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;
use unicode_width::UnicodeWidthStr;

/// Display width in terminal cells (a Chinese character is two).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The longest prefix of `s` that fits in `cells`, cut on a character boundary.
pub fn fit(s: &str, cells: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > cells {
            return &s[..i];
        }
        used += w;
    }
    s
}

/// `s` cut or padded with spaces to exactly `cells` cells.
pub fn pad(s: &str, cells: usize) -> String {
    let f = fit(s, cells);
    let mut out = f.to_string();
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(width(f))));
    out
}

/// `s` right-aligned in `cells` cells.
pub fn pad_left(s: &str, cells: usize) -> String {
    let f = fit(s, cells);
    let mut out: String = std::iter::repeat_n(' ', cells.saturating_sub(width(f))).collect();
    out.push_str(f);
    out
}

/// Writes `s` at (x, y), clipped to `area`; returns the x after it.
pub fn put(buf: &mut Buffer, area: Rect, x: u16, y: u16, s: &str, style: Style) -> u16 {
    if y < area.y || y >= area.bottom() || x >= area.right() {
        return x;
    }
    let room = (area.right() - x) as usize;
    let (end, _) = buf.set_stringn(x, y, s, room, style);
    end
}

/// Fills a line of `area` with a style.
pub fn fill_line(buf: &mut Buffer, area: Rect, y: u16, style: Style) {
    if y < area.y || y >= area.bottom() {
        return;
    }
    buf.set_style(Rect::new(area.x, y, area.width, 1), style);
}

/// Clears `area` for a popup. A wide character just left of it, whose right
/// half would be covered, is blanked too, so no half character is left.
pub fn clear(buf: &mut Buffer, area: Rect) {
    use ratatui::widgets::{Clear, Widget};
    Clear.render(area, buf);
    if area.x == 0 {
        return;
    }
    for y in area.top()..area.bottom() {
        if let Some(cell) = buf.cell_mut((area.x - 1, y)) {
            if width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
}

/// A centred box of `w` x `h` cells inside `area`, cleared, with a border
/// and a title; returns the inside.
pub fn popup_frame(buf: &mut Buffer, area: Rect, w: u16, h: u16, title: &str, theme: &super::theme::Theme) -> Rect {
    use ratatui::widgets::{Block, Widget};
    let w = w.min(area.width);
    let h = h.min(area.height);
    let r = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    clear(buf, r);
    let block = Block::bordered()
        .border_set(super::theme::BORDER)
        .border_style(theme.title)
        .style(theme.popup)
        .title(format!(" {title} "));
    let inner = block.inner(r);
    block.render(r, buf);
    inner
}
