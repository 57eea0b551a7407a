//! The one text field of the counter ([`TextInput`]): the search line, the
//! value a popup asks for and the focused field of the intake form. Editing
//! stays on character boundaries, the view scrolls by display cells, and the
//! real cursor is placed so an input method's pre-edit text appears in the
//! right spot.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

use crate::ui::action::Action;

/// What a field takes: how many characters, and which.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max_chars: usize,
    pub accepts: fn(char) -> bool,
    /// Letters are typed in upper case (the X of an ID number).
    pub upper: bool,
}

impl Limit {
    /// Any text without control characters, up to `max_chars`.
    pub fn text(max_chars: usize) -> Limit {
        Limit { max_chars, accepts: |c| !c.is_control(), upper: false }
    }

    /// An amount of yuan: digits and a point.
    pub fn amount() -> Limit {
        Limit { max_chars: 12, accepts: |c| c.is_ascii_digit() || c == '.', upper: false }
    }
}

/// What an edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// The text changed.
    Text,
    /// Only the cursor moved.
    Cursor,
    /// The action is not an edit of a text field.
    No,
}

/// A one-line text field and its cursor (a char index).
#[derive(Debug, Clone)]
pub struct TextInput {
    text: String,
    cursor: usize,
    limit: Limit,
}

impl TextInput {
    pub fn new(limit: Limit) -> TextInput {
        TextInput { text: String::new(), cursor: 0, limit }
    }

    /// A field holding `text`, the cursor at its end.
    pub fn with_text(text: &str, limit: Limit) -> TextInput {
        TextInput { text: text.to_string(), cursor: text.chars().count(), limit }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Types `c` at the cursor; a character the field does not take, or one
    /// beyond its length, is refused.
    pub fn insert(&mut self, c: char) -> bool {
        if !(self.limit.accepts)(c) || self.text.chars().count() >= self.limit.max_chars {
            return false;
        }
        let c = if self.limit.upper { c.to_ascii_uppercase() } else { c };
        let at = byte_at(&self.text, self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
        true
    }

    /// The editing keys of a text field: left, right, delete either way, start and end.
    pub fn edit(&mut self, action: Action) -> Edited {
        let n = self.text.chars().count();
        self.cursor = self.cursor.min(n);
        match action {
            Action::Left => self.cursor = self.cursor.saturating_sub(1),
            Action::Right => self.cursor = (self.cursor + 1).min(n),
            Action::LineStart => self.cursor = 0,
            Action::LineEnd => self.cursor = n,
            Action::DeleteBack if self.cursor > 0 => {
                let (start, end) = (byte_at(&self.text, self.cursor - 1), byte_at(&self.text, self.cursor));
                self.text.replace_range(start..end, "");
                self.cursor -= 1;
                return Edited::Text;
            }
            Action::DeleteForward if self.cursor < n => {
                let (start, end) = (byte_at(&self.text, self.cursor), byte_at(&self.text, self.cursor + 1));
                self.text.replace_range(start..end, "");
                return Edited::Text;
            }
            Action::DeleteBack | Action::DeleteForward => {}
            _ => return Edited::No,
        }
        Edited::Cursor
    }

    /// Draws the field in `area` (one line); returns where the cursor goes when it has the focus.
    pub fn render(&self, buf: &mut Buffer, area: Rect, style: Style, focused: bool) -> Option<Position> {
        render_text(buf, area, &self.text, focused.then_some(self.cursor), style)
    }
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
pub fn render_text(buf: &mut Buffer, area: Rect, text: &str, cursor: Option<usize>, style: Style) -> Option<Position> {
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
        let mut t = TextInput::with_text("王芳", Limit::text(10));
        t.edit(Action::Left);
        assert!(t.insert('a'));
        assert_eq!((t.text(), t.cursor()), ("王a芳", 2));
        assert_eq!(t.edit(Action::DeleteBack), Edited::Text);
        assert_eq!(t.edit(Action::DeleteForward), Edited::Text);
        assert_eq!((t.text(), t.cursor()), ("王", 1));
        assert_eq!(t.edit(Action::DeleteForward), Edited::Cursor, "nothing after the cursor");
        assert_eq!(t.edit(Action::Save), Edited::No);
    }

    #[test]
    fn a_field_takes_only_what_it_accepts_up_to_its_length() {
        let mut amount = TextInput::new(Limit::amount());
        for c in "12a.5".chars() {
            amount.insert(c);
        }
        assert_eq!(amount.text(), "12.5");
        let mut short = TextInput::new(Limit::text(2));
        assert!(short.insert('一') && short.insert('二') && !short.insert('三'));
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
