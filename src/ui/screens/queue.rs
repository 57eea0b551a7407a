//! The home screen: today's cases and the tickets on hold, with counts of
//! waiting, in progress and done. It keeps the held tickets (and their file)
//! and today's summaries, loaded once per change (never whole cases); only
//! the lines on screen are drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use crate::domain::policy::DeadlineStatus;
use crate::domain::{CaseId, Channel, IdNumber, State};
use crate::store::CaseSummary;
use crate::tr;
use crate::ui::action::{Action, LIST_KEYS};
use crate::ui::effect::{Effect, Effects, Screen};
use crate::ui::env::Env;
use crate::ui::files::{self, HeldTicket};
use crate::ui::form::Form;
use crate::ui::keymap::Section;
use crate::ui::strings::{self, S};
use crate::ui::widgets::table::ScrollTable;
use crate::ui::widgets::{pad, pad_left, put, width};
use crate::Lang;

/// What the queue's keys do.
pub const ACTIONS: &[&[Action]] = &[
    &[
        Action::CallNext,
        Action::NewCase,
        Action::Search,
        Action::Recall,
        Action::Select,
        Action::Overdue,
        Action::Back,
        Action::Filter,
        Action::SortByUrgency,
        Action::Supervisor,
    ],
    LIST_KEYS,
];

/// Column widths of a case line.
pub struct Columns {
    pub when: usize,
    pub name: usize,
    pub kind: usize,
    pub state: usize,
}

impl Columns {
    pub fn new(total: u16, lang: Lang, when: usize) -> Columns {
        let (kind, state) = match lang {
            Lang::ZhCn => (8, 8),
            Lang::En => (10, 9),
        };
        // marker 2, ticket 3, the masked number 18, due 7 (date, estimate and
        // deadline marks), and the spaces between.
        let fixed = 2 + 1 + 3 + 1 + when + 1 + 1 + 18 + 1 + kind + 1 + state + 1 + 7;
        let name = (total as usize).saturating_sub(fixed).clamp(6, 24);
        Columns { when, name, kind, state }
    }

    /// The header line of a case list.
    pub fn header(&self, lang: Lang) -> String {
        format!(
            "   {} {} {} {} {} {} {}",
            pad_left(S::ColTicket.get(lang), 3),
            pad(S::ColTime.get(lang), self.when),
            pad(S::ColApplicant.get(lang), self.name),
            pad(S::ColIdNumber.get(lang), 18),
            pad(S::ColKind.get(lang), self.kind),
            pad(S::ColState.get(lang), self.state),
            S::ColDue.get(lang),
        )
    }
}

/// One case line: green-channel marker, ticket, time, name with the masked
/// number, kind, state, next due date (with a mark when late or at risk).
pub fn case_line(s: &CaseSummary, when: &str, c: &Columns, selected: bool, env: &Env) -> Line<'static> {
    let (t, lang) = (&env.theme, env.lang);
    let mut spans = Vec::with_capacity(6);
    if s.channel == Channel::Green {
        spans.push(Span::styled(pad(S::GreenMark.get(lang), 2), t.green));
    } else {
        spans.push(Span::styled("  ", t.base));
    }
    let ticket = s.ticket.map(|n| n.to_string()).unwrap_or_default();
    spans.push(Span::styled(
        format!(
            " {} {} {} {} {} ",
            pad_left(&ticket, 3),
            pad(when, c.when),
            pad(&s.name, c.name),
            s.id_number.masked(),
            pad(strings::kind(s.kind, lang), c.kind),
        ),
        t.base,
    ));
    let closed = matches!(s.state, State::Completed | State::Rejected | State::Withdrawn);
    let state_style = if closed && !selected { t.dim } else { t.base };
    spans.push(Span::styled(pad(strings::state(s.state, lang), c.state), state_style));
    spans.push(Span::styled(" ", t.base));
    let window = env.window();
    let next = window.next_due(s);
    let due = next.map(|d| d.format("%m-%d").to_string()).unwrap_or_default();
    // A date past the policy calendar's complete range is an estimate, as on the detail.
    let estimate = if next.is_some_and(|d| window.is_estimate(s, d)) { S::EstimatedMark.get(lang) } else { "" };
    // Colour for the eye, a mark for monochrome terminals and colour-blind clerks.
    let (mark, style) = match window.deadline(s, env.today()) {
        DeadlineStatus::OnTrack => ("", t.base),
        DeadlineStatus::AtRisk => (S::AtRiskMark.get(lang), t.at_risk),
        DeadlineStatus::Breached => (S::OverdueMark.get(lang), t.overdue),
    };
    spans.push(Span::styled(format!("{due}{estimate}{mark}"), if selected { t.base } else { style }));
    Line::from(spans)
}

fn held_line(h: &HeldTicket, c: &Columns, selected: bool, env: &Env) -> Line<'static> {
    let (t, lang) = (&env.theme, env.lang);
    let f = &h.form;
    let ticket = f.ticket.map(|n| n.to_string()).unwrap_or_default();
    let when = if h.day == env.today() { String::new() } else { h.day.format("%m-%d").to_string() };
    let name = if f.name.trim().is_empty() { S::HeldNoName.get(lang) } else { f.name.as_str() };
    let number = IdNumber::parse_any_date(&f.id_number).map(|n| n.masked()).unwrap_or_default();
    let line = format!(
        "   {} {} {} {} {} ",
        pad_left(&ticket, 3),
        pad(&when, c.when),
        pad(name, c.name),
        pad(&number, 18),
        pad(strings::kind(f.kind, lang), c.kind),
    );
    let style = if selected { t.base } else { t.banner };
    Line::from(vec![Span::styled(line, t.base), Span::styled(S::HeldState.get(lang), style)])
}

/// Which of today's cases the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueFilter {
    #[default]
    All,
    /// Held tickets and cases just received.
    Waiting,
    /// The green channel.
    Green,
    /// Past a deadline.
    Overdue,
    /// The cases the operator at the window accepted.
    Mine,
}

impl QueueFilter {
    fn next(self) -> QueueFilter {
        match self {
            QueueFilter::All => QueueFilter::Waiting,
            QueueFilter::Waiting => QueueFilter::Green,
            QueueFilter::Green => QueueFilter::Overdue,
            QueueFilter::Overdue => QueueFilter::Mine,
            QueueFilter::Mine => QueueFilter::All,
        }
    }

    fn name(self, lang: Lang) -> &'static str {
        match self {
            QueueFilter::All => S::FilterAll,
            QueueFilter::Waiting => S::FilterWaiting,
            QueueFilter::Green => S::FilterGreen,
            QueueFilter::Overdue => S::FilterOverdue,
            QueueFilter::Mine => S::FilterMine,
        }
        .get(lang)
    }
}

/// Today's queue: the tickets on hold first, then today's cases in id (=
/// time) order, or the most urgent first; all of them or a filter's.
pub struct QueueScreen {
    /// The cases shown, filtered and sorted.
    rows: Vec<CaseSummary>,
    /// Every case of today.
    all: Vec<CaseSummary>,
    held: Vec<HeldTicket>,
    table: ScrollTable,
    pub filter: QueueFilter,
    /// The most urgent first (past a deadline, then due soon, then by date).
    pub by_urgency: bool,
    /// Receipts kept until the printer can print them.
    pub pending_receipts: usize,
}

impl QueueScreen {
    /// The queue with the held tickets kept in the data directory.
    pub fn new(env: &Env) -> QueueScreen {
        QueueScreen {
            rows: Vec::new(),
            all: Vec::new(),
            held: files::read_held(&env.data_dir),
            table: ScrollTable::new(1),
            filter: QueueFilter::All,
            by_urgency: false,
            pending_receipts: 0,
        }
    }

    pub fn rows(&self) -> &[CaseSummary] {
        &self.rows
    }

    pub fn held(&self) -> &[HeldTicket] {
        &self.held
    }

    pub fn selected(&self) -> usize {
        self.table.selected()
    }

    pub fn offset(&self) -> usize {
        self.table.offset()
    }

    /// Reloads today's summaries, keeping the selected case selected.
    pub fn refresh(&mut self, env: &Env) -> Effects {
        let keep = self.selected_case();
        let mut effects = Effects::new();
        match env.store.cases_on_day(env.today()) {
            Ok(rows) => self.all = rows,
            Err(e) => {
                tracing::error!("cannot read today's cases: {e}");
                effects.push(Effect::error(strings::failed(&e, env.lang)));
            }
        }
        self.apply_view(env);
        self.count_pending(env);
        if let Some(id) = keep {
            self.select_case(&id);
        }
        effects
    }

    /// The shown rows from all of today's, by the filter and the order chosen.
    fn apply_view(&mut self, env: &Env) {
        let window = env.window();
        let today = env.today();
        let late = |s: &CaseSummary| window.deadline(s, today) == DeadlineStatus::Breached;
        self.rows = self
            .all
            .iter()
            .filter(|s| match self.filter {
                QueueFilter::All => true,
                QueueFilter::Waiting => s.state == State::Received,
                QueueFilter::Green => s.channel == Channel::Green,
                QueueFilter::Overdue => late(s),
                QueueFilter::Mine => s.accepted_by.as_deref() == Some(env.operator.as_str()),
            })
            .cloned()
            .collect();
        if self.by_urgency {
            let rank = |s: &CaseSummary| match window.deadline(s, today) {
                DeadlineStatus::Breached => 0,
                DeadlineStatus::AtRisk => 1,
                DeadlineStatus::OnTrack => 2,
            };
            let open = |s: &CaseSummary| if crate::window::still_due(s.channel, s.state) { 0 } else { 1 };
            self.rows.sort_by_cached_key(|s| (open(s), rank(s), window.next_due(s), s.id.clone()));
        }
        self.table.set_len(self.held_shown() + self.rows.len());
    }

    /// Counts the receipts waiting for the printer (said on the title).
    pub fn count_pending(&mut self, env: &Env) {
        match crate::printing::pending_receipts(&env.store) {
            Ok(p) => self.pending_receipts = p.len(),
            Err(e) => tracing::warn!("cannot read the pending receipts: {e}"),
        }
    }

    /// How many held tickets the filter shows (all of them, or none).
    fn held_shown(&self) -> usize {
        match self.filter {
            QueueFilter::All | QueueFilter::Waiting => self.held.len(),
            QueueFilter::Green | QueueFilter::Overdue | QueueFilter::Mine => 0,
        }
    }

    fn selected_case(&self) -> Option<CaseId> {
        self.selected().checked_sub(self.held_shown()).and_then(|i| self.rows.get(i)).map(|r| r.id.clone())
    }

    /// Selects a case of today.
    pub fn select_case(&mut self, id: &CaseId) {
        if let Some(i) = self.rows.iter().position(|r| &r.id == id) {
            self.table.select(self.held_shown() + i);
        }
    }

    /// Puts a form on hold (selected, at the end of the held tickets).
    pub fn hold(&mut self, form: Form, env: &Env) -> Effects {
        let ticket = form.ticket;
        self.held.push(HeldTicket { day: env.today(), form });
        let mut effects = self.write_held(env);
        // A held ticket is waiting: shown whatever the filter was.
        if self.held_shown() == 0 {
            self.filter = QueueFilter::All;
            self.apply_view(env);
        }
        self.table.set_len(self.held_shown() + self.rows.len());
        self.table.select(self.held.len() - 1);
        let key = env.key(Section::Queue, Action::Recall);
        effects.push(Effect::info(strings::held(ticket, &key, env.lang)));
        effects
    }

    /// Takes a held ticket back (`None`: the oldest).
    pub fn take_held(&mut self, index: Option<usize>, env: &Env) -> Option<(Form, Effects)> {
        if self.held.is_empty() {
            return None;
        }
        let i = index.unwrap_or(0).min(self.held.len() - 1);
        let held = self.held.remove(i);
        let effects = self.write_held(env);
        self.table.set_len(self.held_shown() + self.rows.len());
        Some((held.form, effects))
    }

    fn write_held(&self, env: &Env) -> Effects {
        match files::write_held(&env.data_dir, &self.held) {
            Ok(()) => Effects::new(),
            Err(e) => {
                tracing::error!("cannot write the held tickets: {e}");
                vec![Effect::error(strings::failed(&e, env.lang))]
            }
        }
    }

    pub fn act(&mut self, action: Action, env: &Env) -> Effects {
        match action {
            Action::CallNext => vec![Effect::CallNext],
            Action::NewCase => vec![Effect::NewCase],
            Action::Search => vec![Effect::Show(Screen::Search)],
            Action::Recall => vec![Effect::Recall(None)],
            Action::Overdue => vec![Effect::Show(Screen::Overdue)],
            Action::Supervisor => vec![Effect::Show(Screen::Supervisor)],
            Action::Select => {
                let sel = self.selected();
                if sel < self.held_shown() {
                    return vec![Effect::Recall(Some(sel))];
                }
                match self.rows.get(sel - self.held_shown()) {
                    Some(r) => vec![Effect::OpenCase { id: r.id.clone(), back: Screen::Queue }],
                    None => vec![Effect::info(S::NothingSelected.get(env.lang))],
                }
            }
            Action::Filter => {
                self.filter = self.filter.next();
                self.apply_view(env);
                self.table.select(0);
                Effects::new()
            }
            Action::SortByUrgency => {
                self.by_urgency = !self.by_urgency;
                self.apply_view(env);
                self.table.select(0);
                Effects::new()
            }
            Action::Back => {
                let key = env.key(Section::Queue, Action::Quit);
                vec![Effect::info(tr!(env.lang, "quit-hint", key = key))]
            }
            other => {
                self.table.step(other);
                Effects::new()
            }
        }
    }

    /// Counts for the title: waiting (on hold or just received), in progress, done.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut waiting = self.held.len();
        let (mut progress, mut done) = (0, 0);
        for r in &self.all {
            match r.state {
                State::Received => waiting += 1,
                State::Referred | State::UnderReview | State::Approved | State::Disbursed => progress += 1,
                State::Completed | State::Rejected | State::Withdrawn => done += 1,
            }
        }
        (waiting, progress, done)
    }

    pub fn layout(&mut self, area: Rect) {
        self.table.layout(area.height.saturating_sub(2));
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) {
        let (t, lang) = (&env.theme, env.lang);
        let (waiting, progress, done) = self.counts();
        let title = format!(
            "{} {}   {} {} | {} {} | {} {}",
            S::QueueTitle.get(lang),
            env.today().format("%Y-%m-%d"),
            S::Waiting.get(lang),
            waiting,
            S::InProgress.get(lang),
            progress,
            S::Done.get(lang),
            done
        );
        let end = if self.filter != QueueFilter::All || self.by_urgency {
            // Which view, and how many of the day's lines it shows ("n of N"), in place of the counts.
            let shown = self.held_shown() + self.rows.len();
            let total = self.held.len() + self.all.len();
            let order = if self.by_urgency { S::SortedByUrgency.get(lang) } else { "" };
            let view =
                tr!(lang, "queue-view", filter = self.filter.name(lang), shown = shown, total = total, order = order);
            let day = format!("{} {}", S::QueueTitle.get(lang), env.today().format("%Y-%m-%d"));
            let end = put(buf, area, area.x + 1, area.y, &day, t.title);
            put(buf, area, end + 2, area.y, &view, t.info)
        } else {
            put(buf, area, area.x + 1, area.y, &title, t.title)
        };
        let end = if self.pending_receipts > 0 {
            let said = tr!(lang, "queue-pending-receipts", count = self.pending_receipts);
            put(buf, area, end + 2, area.y, &said, t.error)
        } else {
            end
        };
        let legend = S::DeadlineLegend.get(lang);
        let legend_x = area.right().saturating_sub(width(legend) as u16 + 1);
        if legend_x > end + 1 {
            put(buf, area, legend_x, area.y, legend, t.dim);
        }
        let c = Columns::new(area.width, lang, 5);
        put(buf, area, area.x, area.y + 1, &c.header(lang), t.header);
        let list = Rect::new(area.x, area.y + 2, area.width, area.height.saturating_sub(2));
        if self.table.is_empty() {
            let call = env.key(Section::Queue, Action::CallNext);
            let new = env.key(Section::Queue, Action::NewCase);
            put(buf, area, area.x + 1, list.y + 1, &tr!(lang, "queue-empty", call = call, new = new), t.dim);
            return;
        }
        let held = self.held_shown();
        self.table.render(buf, list, t.selected, |i, selected| {
            Text::from(if i < held {
                held_line(&self.held[i], &c, selected, env)
            } else {
                let s = &self.rows[i - held];
                case_line(s, &s.received_at.format("%H:%M").to_string(), &c, selected, env)
            })
        });
    }
}
