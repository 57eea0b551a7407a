//! The one scrolling list of the counter ([`ScrollTable`]): today's queue,
//! the search results, the overdue list and a popup's choices. The selection
//! and the first row shown are a ratatui [`TableState`]; moving changes them,
//! [`ScrollTable::layout`] learns how many rows fit, and drawing only reads
//! them: the rows on screen are built from the caller's data, never all of
//! them, and written straight into the buffer (a row is one pre-laid line of
//! spans, so ratatui's `Table` layout would only cost time on every key).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Text;
use ratatui::widgets::TableState;

use crate::ui::action::Action;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScrollTable {
    state: TableState,
    len: usize,
    /// Rows that fit, as the last layout found.
    page: usize,
    /// Lines a row takes.
    row_height: u16,
}

impl ScrollTable {
    pub fn new(row_height: u16) -> ScrollTable {
        ScrollTable { state: TableState::default(), len: 0, page: 0, row_height: row_height.max(1) }
    }

    /// How many rows there are now; the selection stays on a row.
    pub fn set_len(&mut self, len: usize) {
        self.len = len;
        let selected = self.selected().min(len.saturating_sub(1));
        self.state.select(Some(selected));
        self.keep_in_view();
    }

    /// A new list of `len` rows: the first selected and on top.
    pub fn reset(&mut self, len: usize) {
        self.state = TableState::default();
        self.set_len(len);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The selected row (0 when there are none).
    pub fn selected(&self) -> usize {
        self.state.selected().unwrap_or(0)
    }

    /// The first row on screen.
    pub fn offset(&self) -> usize {
        self.state.offset()
    }

    /// Rows that fit on the screen (at least 1).
    pub fn page(&self) -> usize {
        self.page.max(1)
    }

    pub fn select(&mut self, row: usize) {
        self.state.select(Some(row.min(self.len.saturating_sub(1))));
        self.keep_in_view();
    }

    /// Moves the selection for a navigation key; `false` for any other action.
    pub fn step(&mut self, action: Action) -> bool {
        let page = self.page() as isize;
        let delta = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::First => isize::MIN / 2,
            Action::Last => isize::MAX / 2,
            _ => return false,
        };
        if self.len > 0 {
            let row = (self.selected() as isize + delta).clamp(0, self.len as isize - 1) as usize;
            self.state.select(Some(row));
            self.keep_in_view();
        }
        true
    }

    /// How many rows fit in `height` lines; the selection is kept in view.
    pub fn layout(&mut self, height: u16) {
        self.page = (height / self.row_height) as usize;
        self.keep_in_view();
    }

    fn keep_in_view(&mut self) {
        let (sel, page) = (self.selected(), self.page);
        let mut offset = self.state.offset();
        if sel < offset {
            offset = sel;
        } else if page > 0 && sel >= offset + page {
            offset = sel + 1 - page;
        }
        *self.state.offset_mut() = offset.min(self.len.saturating_sub(page.max(1)));
    }

    /// Draws the rows on screen into `area`: `row(i, selected)` makes row `i`
    /// (only the rows that fit are made); the selected row is drawn in `selected`.
    pub fn render<'a>(&self, buf: &mut Buffer, area: Rect, selected: Style, row: impl Fn(usize, bool) -> Text<'a>) {
        let offset = self.offset();
        let shown = (area.height / self.row_height) as usize;
        let sel = self.selected();
        for (n, i) in (offset..self.len.min(offset + shown)).enumerate() {
            let y = area.y + n as u16 * self.row_height;
            let text = row(i, i == sel);
            for (k, line) in text.lines.iter().take(self.row_height as usize).enumerate() {
                let mut x = area.x;
                for span in &line.spans {
                    if x >= area.right() {
                        break;
                    }
                    let room = (area.right() - x) as usize;
                    x = buf.set_stringn(x, y + k as u16, &span.content, room, line.style.patch(span.style)).0;
                }
            }
            if i == sel {
                buf.set_style(Rect::new(area.x, y, area.width, self.row_height.min(area.bottom() - y)), selected);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_stays_in_view_and_the_page_moves_by_what_fits() {
        let mut t = ScrollTable::new(1);
        t.set_len(60);
        t.layout(20);
        for _ in 0..40 {
            t.step(Action::Down);
        }
        assert_eq!((t.selected(), t.offset()), (40, 21));
        t.step(Action::Up);
        assert_eq!((t.selected(), t.offset()), (39, 21), "moving up inside the page does not scroll");
        t.step(Action::Last);
        assert_eq!((t.selected(), t.offset()), (59, 40));
        t.step(Action::PageUp);
        assert_eq!(t.selected(), 39);
        t.set_len(10);
        assert_eq!((t.selected(), t.offset()), (9, 0), "a shorter list keeps a row selected");
        assert!(!t.step(Action::Save));
    }
}
