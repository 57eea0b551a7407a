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

/// Where a line may break in text for the clerk: after a space, and after
/// Chinese clause punctuation, so a word like 退出 is never split. A piece
/// longer than a whole line is cut by display cells.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == ' ' || "，。、；：？！）」』".contains(c) {
            let end = i + c.len_utf8();
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `text` wrapped into lines of at most `cells` display cells (each line of
/// the text on its own), breaking only where [`pieces`] allows.
pub fn wrap(text: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(2);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for piece in pieces(paragraph) {
            if width(line.trim_end()) + width(piece.trim_end()) <= cells {
                line.push_str(piece);
                continue;
            }
            if !line.is_empty() {
                lines.push(line.trim_end().to_string());
                line.clear();
            }
            let mut rest = piece;
            while width(rest.trim_end()) > cells {
                let head = fit(rest, cells);
                lines.push(head.to_string());
                rest = &rest[head.len()..];
            }
            line.push_str(rest.trim_start_matches(' '));
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_wraps_after_punctuation_and_never_splits_a_word() {
        let text = "表单还有未保存的内容（已存为草稿，下次启动可恢复）。现在退出吗？";
        let lines = wrap(text, 58);
        assert_eq!(lines, vec!["表单还有未保存的内容（已存为草稿，下次启动可恢复）。", "现在退出吗？"]);
        assert!(lines.iter().all(|l| width(l) <= 58));
        let en = wrap("The form has unsaved input. Quit now?", 20);
        assert_eq!(en, vec!["The form has unsaved", "input. Quit now?"]);
        // A piece longer than the line is cut by cells, never wider than the line.
        assert!(wrap(&"退".repeat(40), 21).iter().all(|l| width(l) <= 21));
    }
}
