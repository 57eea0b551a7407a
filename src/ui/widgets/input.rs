//! A one-line text field: editing on character boundaries, horizontal
//! scrolling measured in display cells, and where the real cursor goes, so an
//! input method's pre-edit text appears in the right spot.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

/// Inserts `c` at char index `cursor` and moves the cursor past it.
pub fn insert(text: &mut String, cursor: &mut usize, c: char) {
    let at = byte_at(text, *cursor);
    text.insert(at, c);
    *cursor += 1;
}

/// Deletes the character before the cursor.
pub fn delete_back(text: &mut String, cursor: &mut usize) {
    if *cursor == 0 {
        return;
    }
    *cursor = (*cursor).min(text.chars().count());
    let start = byte_at(text, *cursor - 1);
    let end = byte_at(text, *cursor);
    text.replace_range(start..end, "");
    *cursor -= 1;
}

/// Deletes the character under the cursor.
pub fn delete_forward(text: &mut String, cursor: &mut usize) {
    let n = text.chars().count();
    if *cursor >= n {
        return;
    }
    let start = byte_at(text, *cursor);
    let end = byte_at(text, *cursor + 1);
    text.replace_range(start..end, "");
}

pub fn left(cursor: &mut usize) {
    *cursor = cursor.saturating_sub(1);
}

pub fn right(text: &str, cursor: &mut usize) {
    *cursor = (*cursor + 1).min(text.chars().count());
}

pub fn end(text: &str) -> usize {
    text.chars().count()
}

fn byte_at(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map(|(i, _)| i).unwrap_or(text.len())
}

/// The part of `text` to show in `cells` cells so that the cursor is visible,
/// and the cursor's cell offset within it.
pub fn view(text: &str, cursor: usize, cells: usize) -> (&str, usize) {
    if cells == 0 {
        return ("", 0);
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let cursor = cursor.min(chars.len());
    let w = |c: char| UnicodeWidthChar::width(c).unwrap_or(0);
    // Start as far left as possible while the cursor (plus one cell for it) still fits.
    let mut start = 0;
    let mut before: usize = chars[..cursor].iter().map(|(_, c)| w(*c)).sum();
    while before + 1 > cells && start < cursor {
        before -= w(chars[start].1);
        start += 1;
    }
    let from = chars.get(start).map(|(i, _)| *i).unwrap_or(text.len());
    let shown = super::fit(&text[from..], cells);
    (shown, before)
}

/// Draws a field's text in `area` (one line); returns where the cursor goes.
pub fn render(buf: &mut Buffer, area: Rect, text: &str, cursor: Option<usize>, style: Style) -> Option<Position> {
    if area.width == 0 || area.height == 0 {
        return None;
    }
    buf.set_style(Rect::new(area.x, area.y, area.width, 1), style);
    let cells = area.width as usize;
    let (shown, at) = view(text, cursor.unwrap_or(0), cells);
    let shown = if cursor.is_none() { super::fit(text, cells) } else { shown };
    buf.set_stringn(area.x, area.y, shown, cells, style);
    cursor.map(|_| Position::new(area.x + (at.min(cells.saturating_sub(1))) as u16, area.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_stays_on_character_boundaries() {
        let mut t = String::from("王芳");
        let mut c = 1;
        insert(&mut t, &mut c, 'a');
        assert_eq!((t.as_str(), c), ("王a芳", 2));
        delete_back(&mut t, &mut c);
        delete_forward(&mut t, &mut c);
        assert_eq!((t.as_str(), c), ("王", 1));
    }

    #[test]
    fn the_view_scrolls_by_cells_to_keep_the_cursor_visible() {
        // Six Chinese characters are twelve cells; a field of 7 cells.
        let t = "一二三四五六";
        let (shown, at) = view(t, 6, 7);
        assert_eq!(shown, "四五六");
        assert_eq!(at, 6);
        let (shown, at) = view(t, 0, 7);
        assert_eq!(shown, "一二三");
        assert_eq!(at, 0);
    }
}
