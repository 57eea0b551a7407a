//! The overdue list (F7): open cases with a deadline missed, as the window
//! lists them, two lines a case: who and what, then the state and every
//! deadline missed (the help-by day of a green case, the due date, each
//! referral a department has not answered in time). Enter opens the case.
//! It holds the oldest [`SHOWN`] cases at most, and says how many there are.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use crate::ui::action::{Action, LIST_KEYS};
use crate::ui::effect::{Effect, Effects, Screen};
use crate::ui::env::Env;
use crate::ui::strings::{self, S};
use crate::ui::widgets::table::ScrollTable;
use crate::ui::widgets::{pad, put};

/// What the overdue list's keys do.
pub const ACTIONS: &[&[Action]] = &[&[Action::Select, Action::Back, Action::Search], LIST_KEYS];

/// One case of the list.
pub use crate::window::OverdueCase as OverdueRow;

/// The most cases the list holds (the oldest first); the title says how many there are in all.
pub const SHOWN: usize = 1_000;

pub struct OverdueScreen {
    pub rows: Vec<OverdueRow>,
    /// How many cases are overdue in all (more than `rows` when over [`SHOWN`]).
    total: usize,
    table: ScrollTable,
}

impl Default for OverdueScreen {
    fn default() -> OverdueScreen {
        OverdueScreen { rows: Vec::new(), total: 0, table: ScrollTable::new(2) }
    }
}

impl OverdueScreen {
    /// Loads the open cases with a deadline missed, by each case's policy.
    pub fn refresh(&mut self, env: &Env) -> Effects {
        let mut effects = Effects::new();
        match env.window().overdue_first(env.today(), SHOWN) {
            Ok((cases, total)) => (self.rows, self.total) = (cases, total),
            Err(e) => {
                tracing::error!("cannot list the overdue cases: {e}");
                effects.push(Effect::error(strings::failed(&e, env.lang)));
            }
        }
        self.table.set_len(self.rows.len());
        effects
    }

    pub fn act(&mut self, action: Action, env: &Env) -> Effects {
        match action {
            Action::Select => match self.rows.get(self.table.selected()) {
                Some(r) => vec![Effect::OpenCase { id: r.id.clone(), back: Screen::Overdue }],
                None => vec![Effect::info(S::NothingSelected.get(env.lang))],
            },
            Action::Back => vec![Effect::Show(Screen::Queue)],
            Action::Search => vec![Effect::Show(Screen::Search)],
            other => {
                self.table.step(other);
                Effects::new()
            }
        }
    }

    pub fn layout(&mut self, area: Rect) {
        self.table.layout(area.height.saturating_sub(2));
    }

    fn row(&self, r: &OverdueRow, selected: bool, env: &Env) -> Text<'static> {
        let (t, lang) = (&env.theme, env.lang);
        let first =
            format!("  {}  {} {}  {}", r.id, pad(&r.name, 10), r.id_number.masked(), strings::kind(r.kind, lang));
        let late: Vec<String> = r.late.iter().map(|l| strings::late(l, lang)).collect();
        let state = format!("    {}  ", pad(strings::state(r.state, lang), 8));
        let why = format!("{} {}", S::OverdueMark.get(lang), late.join(", "));
        let style = if selected { t.base } else { t.overdue };
        Text::from(vec![Line::from(first), Line::from(vec![Span::raw(state), Span::styled(why, style)])])
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) {
        let (t, lang) = (&env.theme, env.lang);
        let total = self.rows.len();
        let mut title =
            format!("{} {}   {}", S::OverdueTitle.get(lang), env.today(), strings::overdue_count(self.total, lang));
        if self.total > total {
            title = format!("{title}, {}", strings::overdue_shown(total, lang));
        }
        put(buf, area, area.x + 1, area.y, &title, t.title);
        let header = format!(
            "  {}  {} {}  {}",
            pad(S::ColCaseId.get(lang), 26),
            pad(S::ColApplicant.get(lang), 10),
            pad(S::ColIdNumber.get(lang), 18),
            S::ColKind.get(lang)
        );
        put(buf, area, area.x, area.y + 1, &header, t.header);
        let list = Rect::new(area.x, area.y + 2, area.width, area.height.saturating_sub(2));
        if total == 0 {
            put(buf, area, area.x + 1, list.y + 1, S::OverdueNone.get(lang), t.dim);
            return;
        }
        self.table.render(buf, list, t.selected, |i, selected| self.row(&self.rows[i], selected, env));
    }
}
