//! Search across all days by ID number, name or case id; the list answers as
//! the clerk types (every branch is an index range scan in the store).

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Text;

use super::queue::{case_line, Columns};
use crate::store::CaseSummary;
use crate::ui::action::{Action, LIST_KEYS, TEXT_KEYS};
use crate::ui::effect::{Effect, Effects, Screen};
use crate::ui::env::Env;
use crate::ui::strings::{self, S};
use crate::ui::widgets::input::{Edited, Limit, TextInput};
use crate::ui::widgets::put;
use crate::ui::widgets::table::ScrollTable;

/// What the search screen's keys do (besides typing).
pub const ACTIONS: &[&[Action]] = &[&[Action::Select, Action::Back], LIST_KEYS, TEXT_KEYS];

/// Most results shown.
const LIMIT: usize = 200;

pub struct SearchScreen {
    input: TextInput,
    /// What the search found, newest first.
    pub results: Vec<CaseSummary>,
    table: ScrollTable,
}

impl Default for SearchScreen {
    fn default() -> SearchScreen {
        SearchScreen { input: TextInput::new(Limit::text(64)), results: Vec::new(), table: ScrollTable::new(1) }
    }
}

impl SearchScreen {
    pub fn text(&self) -> &str {
        self.input.text()
    }

    /// A character typed into the search line: the list answers at once.
    pub fn typed(&mut self, c: char, env: &Env) -> Effects {
        if self.input.insert(c) {
            self.run(env)
        } else {
            Effects::new()
        }
    }

    pub fn act(&mut self, action: Action, env: &Env) -> Effects {
        match action {
            Action::Select => match self.results.get(self.table.selected()) {
                Some(r) => vec![Effect::OpenCase { id: r.id.clone(), back: Screen::Search }],
                None => vec![Effect::info(S::NothingSelected.get(env.lang))],
            },
            Action::Back => vec![Effect::Show(Screen::Queue)],
            other => {
                if self.table.step(other) {
                    return Effects::new();
                }
                match self.input.edit(other) {
                    Edited::Text => self.run(env),
                    Edited::Cursor | Edited::No => Effects::new(),
                }
            }
        }
    }

    fn run(&mut self, env: &Env) -> Effects {
        let found = env.store.search(self.input.text(), LIMIT);
        let effects = match found {
            Ok(results) => {
                self.results = results;
                Effects::new()
            }
            Err(e) => {
                self.results.clear();
                vec![Effect::error(strings::failed(&e, env.lang))]
            }
        };
        self.table.reset(self.results.len());
        effects
    }

    pub fn layout(&mut self, area: Rect) {
        self.table.layout(area.height.saturating_sub(4));
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) -> Option<Position> {
        let (t, lang) = (&env.theme, env.lang);
        let title = format!("{}  {}", S::SearchTitle.get(lang), S::SearchPrompt.get(lang));
        put(buf, area, area.x + 1, area.y, &title, t.title);
        let x = put(buf, area, area.x + 1, area.y + 1, "> ", t.focus);
        let field = Rect::new(x, area.y + 1, area.right().saturating_sub(x + 1), 1);
        let cursor = self.input.render(buf, field, t.input, true);
        let info = if self.input.text().trim().is_empty() {
            S::SearchHint.get(lang).to_string()
        } else if self.results.is_empty() {
            S::SearchNone.get(lang).to_string()
        } else {
            strings::results(self.results.len(), lang)
        };
        put(buf, area, area.x + 1, area.y + 2, &info, t.dim);
        let c = Columns::new(area.width, lang, 10);
        put(buf, area, area.x, area.y + 3, &c.header(lang), t.header);
        let list = Rect::new(area.x, area.y + 4, area.width, area.height.saturating_sub(4));
        self.table.render(buf, list, t.selected, |i, selected| {
            let r = &self.results[i];
            Text::from(case_line(r, &r.received_at.format("%Y-%m-%d").to_string(), &c, selected, env))
        });
        cursor
    }
}
