//! The F1 help: every binding of the current screen and the global ones,
//! built from the keymap data, so it is always what the keys really do.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::tr;
use crate::ui::action::Action;
use crate::ui::effect::{Effects, Screen};
use crate::ui::env::Env;
use crate::ui::keymap::Section;
use crate::ui::strings::S;
use crate::ui::theme::BORDER;
use crate::ui::widgets::pad;

/// What the help's keys do.
pub const ACTIONS: &[&[Action]] =
    &[&[Action::Help, Action::Back, Action::Cancel, Action::Up, Action::Down, Action::PageUp, Action::PageDown]];

fn screen_name(screen: Screen) -> S {
    match screen {
        Screen::Queue => S::QueueTitle,
        Screen::Intake => S::IntakeTitle,
        Screen::Detail => S::DetailTitle,
        Screen::Search => S::SearchTitle,
        Screen::Overdue => S::OverdueTitle,
        Screen::Supervisor => S::SupervisorTitle,
    }
}

/// The help over `screen`, scrolled.
pub struct Help {
    pub screen: Screen,
    scroll: u16,
    max_scroll: u16,
}

/// The keymap section of a screen.
pub fn section(screen: Screen) -> Section {
    match screen {
        Screen::Queue => Section::Queue,
        Screen::Intake => Section::Intake,
        Screen::Detail => Section::Detail,
        Screen::Search => Section::Search,
        Screen::Overdue => Section::Overdue,
        Screen::Supervisor => Section::Supervisor,
    }
}

impl Help {
    pub fn new(screen: Screen) -> Help {
        Help { screen, scroll: 0, max_scroll: u16::MAX }
    }

    /// `Some(effects)` while the help stays open, `None` when it closes.
    pub fn act(&mut self, action: Action) -> Option<Effects> {
        let by: i32 = match action {
            Action::Help | Action::Back | Action::Cancel => return None,
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -10,
            Action::PageDown => 10,
            _ => 0,
        };
        self.scroll = (i32::from(self.scroll) + by).clamp(0, i32::from(self.max_scroll)) as u16;
        Some(Effects::new())
    }

    fn lines(&self, env: &Env) -> Vec<Line<'static>> {
        let (t, lang) = (env.theme, env.lang);
        let own = section(self.screen);
        let mut lines: Vec<Line> = Vec::new();
        let add = |s: Section, lines: &mut Vec<Line>| {
            for b in env.keymap.bindings(s) {
                lines.push(Line::from(vec![
                    Span::styled(pad(&format!("  {}", b.key), 14), t.header),
                    Span::raw(b.desc.text(lang).to_string()),
                ]));
            }
        };
        add(own, &mut lines);
        lines.push(Line::from(Span::styled(S::HelpGlobal.get(lang), t.title)));
        add(Section::Global, &mut lines);
        if matches!(self.screen, Screen::Intake | Screen::Search) {
            let delete = env.key(own, Action::DeleteBack);
            lines.push(Line::from(Span::styled(tr!(lang, "help-typing", delete = delete), t.dim)));
        }
        // Below the keys: what the screen's marks mean and how a case goes, not only the keys.
        let key = |s: Section, a: Action| env.key(s, a);
        let guide = match self.screen {
            Screen::Queue => tr!(
                lang,
                "help-guide-queue",
                green = S::GreenMark.get(lang),
                soon = S::AtRiskMark.get(lang),
                late = S::OverdueMark.get(lang),
                estimated = S::EstimatedMark.get(lang),
                call = key(Section::Queue, Action::CallNext),
                save = key(Section::Intake, Action::Save),
                recall = key(Section::Queue, Action::Recall),
                filter = key(Section::Queue, Action::Filter),
                sort = key(Section::Queue, Action::SortByUrgency),
                supervisor = key(Section::Queue, Action::Supervisor),
            ),
            Screen::Intake => tr!(
                lang,
                "help-guide-intake",
                save = key(Section::Intake, Action::Save),
                reread = key(Section::Intake, Action::ReadCard),
                hold = key(Section::Intake, Action::Hold),
                noshow = key(Section::Intake, Action::NoShow),
            ),
            Screen::Detail => tr!(lang, "help-guide-detail").to_string(),
            Screen::Search => tr!(lang, "help-guide-search").to_string(),
            Screen::Overdue => tr!(lang, "help-guide-overdue").to_string(),
            Screen::Supervisor => tr!(lang, "help-guide-supervisor").to_string(),
        };
        lines.push(Line::from(""));
        let room = 60;
        for line in crate::ui::widgets::wrap(&guide, room) {
            lines.push(Line::from(Span::raw(line)));
        }
        lines
    }

    fn frame(area: Rect) -> Rect {
        let w = area.width.min(64);
        Rect::new(area.x + (area.width - w) / 2, area.y, w, area.height)
    }

    pub fn layout(&mut self, area: Rect, env: &Env) {
        let inner = Block::bordered().inner(Help::frame(area));
        self.max_scroll = (self.lines(env).len() as u16).saturating_sub(inner.height);
        self.scroll = self.scroll.min(self.max_scroll);
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) {
        let lang = env.lang;
        let popup = Help::frame(area);
        crate::ui::widgets::clear(buf, popup);
        let title = format!(" {} - {} ", S::HelpTitle.get(lang), screen_name(self.screen).get(lang));
        let block = Block::bordered().border_set(BORDER).title(title);
        let inner = block.inner(popup);
        block.render(popup, buf);
        Paragraph::new(self.lines(env)).scroll((self.scroll.min(self.max_scroll), 0)).render(inner, buf);
    }
}
