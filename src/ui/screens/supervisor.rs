//! The supervisor's screen (F9, supervisors only): what needs a supervisor
//! now (approvals waiting, referrals at risk or late, held tickets, receipts
//! to reprint, the fund's day, forwarding to the district, each clerk's
//! workload), the day in figures (by kind and state, a bar chart of cases by
//! kind, a sparkline of arrivals per hour) and today's cases with filters by
//! state, kind, clerk and channel. Three tabs, so it reads at 80x24. Loaded
//! once per change through the window and the store's reading calls, never
//! per frame; the figures are `domain::overview` and `domain::report`.

use std::collections::HashSet;

use ratatui::buffer::Buffer;
use ratatui::layout::{Direction, Rect};
use ratatui::style::Style;
use ratatui::symbols::bar;
use ratatui::text::Text;
use ratatui::widgets::{Bar, BarChart, BarGroup, Sparkline, Widget};

use super::queue::{case_line, Columns};
use crate::domain::overview::{self, ClerkLoad, KindFigures};
use crate::domain::policy::DeadlineStatus;
use crate::domain::report::{Backlog, DayReport, FundDay, Sources};
use crate::domain::{Case, Channel, Kind, Money, State};
use crate::store::CaseSummary;
use crate::sync::forward::ForwardStatus;
use crate::tr;
use crate::ui::action::{Action, LIST_KEYS};
use crate::ui::effect::{Effect, Effects, Screen};
use crate::ui::env::Env;
use crate::ui::files;
use crate::ui::strings::{self, S};
use crate::ui::widgets::table::ScrollTable;
use crate::ui::widgets::{pad, pad_left, put, width};
use crate::window::CaseAction;
use crate::Lang;

/// What the supervisor's screen's keys do.
pub const ACTIONS: &[&[Action]] = &[
    &[
        Action::Select,
        Action::Back,
        Action::Supervisor,
        Action::Left,
        Action::Right,
        Action::NextField,
        Action::PrevField,
        Action::FilterState,
        Action::FilterKind,
        Action::FilterClerk,
        Action::FilterChannel,
    ],
    LIST_KEYS,
];

/// The screen's tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// What waits for a supervisor, first: one key opens an approval.
    #[default]
    Attention,
    Figures,
    Cases,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Attention, Tab::Figures, Tab::Cases];

    fn name(self, lang: Lang) -> &'static str {
        match self {
            Tab::Attention => tr!(lang, "supervisor-tab-attention"),
            Tab::Figures => tr!(lang, "supervisor-tab-figures"),
            Tab::Cases => tr!(lang, "supervisor-tab-cases"),
        }
    }

    fn step(self, by: isize) -> Tab {
        let at = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        Tab::ALL[(at + by).rem_euclid(Tab::ALL.len() as isize) as usize]
    }
}

/// Which of today's cases the cases tab shows (`None`: all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub state: Option<State>,
    pub kind: Option<Kind>,
    pub clerk: Option<String>,
    pub channel: Option<Channel>,
}

impl CaseFilter {
    fn shows(&self, s: &CaseSummary) -> bool {
        self.state.is_none_or(|st| s.state == st)
            && self.kind.is_none_or(|k| s.kind == k)
            && self.channel.is_none_or(|c| s.channel == c)
            && self.clerk.as_ref().is_none_or(|c| s.accepted_by.as_ref() == Some(c))
    }
}

/// The next of `all` after `now` (`None` before the first and after the last).
fn cycle<T: Clone + PartialEq>(now: &Option<T>, all: &[T]) -> Option<T> {
    match now {
        None => all.first().cloned(),
        Some(v) => all.iter().position(|a| a == v).and_then(|i| all.get(i + 1)).cloned(),
    }
}

/// Everything the screen shows, as of the last refresh.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub by_kind: Vec<KindFigures>,
    pub by_state: Vec<(State, u32)>,
    pub total: u32,
    pub requested: Money,
    pub granted: Money,
    pub loads: Vec<ClerkLoad>,
    pub hours: Vec<u64>,
    pub referrals_at_risk: u32,
    pub referrals_breached: u32,
    pub held: usize,
    pub pending_receipts: usize,
    pub fund_balance: Money,
    pub fund: Option<FundDay>,
    /// Cases waiting in the outbox, and dead letters.
    pub outbox: (usize, usize),
    /// The forwarder's last report, when a district is configured.
    pub district: Option<ForwardStatus>,
}

pub struct SupervisorScreen {
    pub tab: Tab,
    pub filter: CaseFilter,
    /// Today's cases, and those the filter shows.
    today: Vec<CaseSummary>,
    pub rows: Vec<CaseSummary>,
    /// Cases approvable now whose approval needs a supervisor, any day, oldest first.
    pub approvals: Vec<CaseSummary>,
    pub figures: Figures,
    approvals_table: ScrollTable,
    cases_table: ScrollTable,
}

impl Default for SupervisorScreen {
    fn default() -> SupervisorScreen {
        SupervisorScreen {
            tab: Tab::Attention,
            filter: CaseFilter::default(),
            today: Vec::new(),
            rows: Vec::new(),
            approvals: Vec::new(),
            figures: Figures::default(),
            approvals_table: ScrollTable::new(1),
            cases_table: ScrollTable::new(1),
        }
    }
}

impl SupervisorScreen {
    /// Reads the day again: today's cases, the open cases' deadlines and
    /// approvals, the fund, the calls, the outbox. `held` and `pending` are
    /// the queue's counts; `district` the forwarder's last word.
    pub fn refresh(&mut self, env: &Env, held: usize, pending: usize, district: Option<ForwardStatus>) -> Effects {
        let mut effects = Effects::new();
        let mut fail = |e: &dyn crate::l10n::Say| effects.push(Effect::error(strings::failed(e, env.lang)));
        let (today, window) = (env.today(), env.window());
        let cases: Vec<Case> = env.store.cases_received_on(today).unwrap_or_else(|e| {
            fail(&e);
            Vec::new()
        });
        let ledger = env.store.ledger().unwrap_or_else(|e| {
            fail(&e);
            Vec::new()
        });
        let balance = env.store.fund().map(|f| f.balance()).unwrap_or(Money::ZERO);
        let overdue: HashSet<_> = HashSet::new();
        let sources = Sources { cases: &cases, overdue: &overdue, ledger: &ledger, fund_balance: balance };
        let report = DayReport::with_backlog(today, sources, Backlog { open: 0, overdue: 0 });
        let calls = files::read_calls(&env.data_dir, today);
        let called = |t: u32| calls.iter().find(|c| c.ticket == t).map(|c| c.at);
        let mut f = Figures {
            by_kind: overview::by_kind(&cases),
            by_state: report.received.by_state.iter().map(|(s, n)| (*s, *n)).collect(),
            total: report.received.total,
            requested: report.received.requested,
            granted: report.received.granted,
            loads: overview::clerk_loads(&cases, &called),
            hours: overview::arrivals_per_hour(&cases).to_vec(),
            held,
            pending_receipts: pending,
            fund_balance: balance,
            fund: Some(report.fund),
            outbox: env.store.outbox_counts(),
            district,
            ..Figures::default()
        };
        // Every open case, any day: its referrals' deadlines, and whether its approval waits for a supervisor.
        let mut approvals = Vec::new();
        match env.store.open_cases() {
            Ok(open) => {
                for o in &open {
                    for status in window.deadlines_of(o, today).referrals.into_iter().flatten() {
                        match status {
                            DeadlineStatus::AtRisk => f.referrals_at_risk += 1,
                            DeadlineStatus::Breached => f.referrals_breached += 1,
                            DeadlineStatus::OnTrack => {}
                        }
                    }
                    let approvable = match o.channel {
                        Channel::Green => o.state == State::Received,
                        Channel::Normal => o.state == State::UnderReview,
                    };
                    if !approvable {
                        continue;
                    }
                    match env.store.case(&o.id) {
                        Ok(Some(case)) => {
                            let check = window.check(&case, &CaseAction::Approve(None), &env.operator, today);
                            if matches!(check, Err(crate::window::WindowError::AboveClerkLimit { .. })) {
                                approvals.push(CaseSummary::of(&case));
                            }
                        }
                        Ok(None) => {}
                        Err(e) => fail(&e),
                    }
                }
            }
            Err(e) => fail(&e),
        }
        self.approvals = approvals;
        self.approvals_table.set_len(self.approvals.len());
        self.today = cases.iter().map(CaseSummary::of).collect();
        self.figures = f;
        self.apply_filter();
        effects
    }

    fn apply_filter(&mut self) {
        self.rows = self.today.iter().filter(|s| self.filter.shows(s)).cloned().collect();
        self.cases_table.set_len(self.rows.len());
    }

    /// The operators who accepted today's cases, by name.
    fn clerks(&self) -> Vec<String> {
        self.figures.loads.iter().map(|l| l.operator.clone()).collect()
    }

    pub fn act(&mut self, action: Action, env: &Env) -> Effects {
        match action {
            Action::Back | Action::Supervisor => vec![Effect::Show(Screen::Queue)],
            Action::Right | Action::NextField => {
                self.tab = self.tab.step(1);
                Effects::new()
            }
            Action::Left | Action::PrevField => {
                self.tab = self.tab.step(-1);
                Effects::new()
            }
            Action::FilterState | Action::FilterKind | Action::FilterClerk | Action::FilterChannel => {
                match action {
                    Action::FilterState => self.filter.state = cycle(&self.filter.state, &State::ALL),
                    Action::FilterKind => self.filter.kind = cycle(&self.filter.kind, Kind::ALL),
                    Action::FilterClerk => self.filter.clerk = cycle(&self.filter.clerk, &self.clerks()),
                    _ => self.filter.channel = cycle(&self.filter.channel, Channel::ALL),
                }
                self.tab = Tab::Cases;
                self.apply_filter();
                self.cases_table.select(0);
                Effects::new()
            }
            Action::Select => {
                let (list, table) = match self.tab {
                    Tab::Cases => (&self.rows, &self.cases_table),
                    Tab::Attention | Tab::Figures => (&self.approvals, &self.approvals_table),
                };
                match list.get(table.selected()) {
                    Some(s) => vec![Effect::OpenCase { id: s.id.clone(), back: Screen::Supervisor }],
                    None => vec![Effect::info(S::NothingSelected.get(env.lang))],
                }
            }
            other => {
                match self.tab {
                    Tab::Cases => self.cases_table.step(other),
                    Tab::Attention | Tab::Figures => self.approvals_table.step(other),
                };
                Effects::new()
            }
        }
    }

    /// Lines the attention tab takes above the approvals list.
    fn attention_head(&self) -> u16 {
        6 + self.figures.loads.len().clamp(1, 4) as u16 + 1
    }

    pub fn layout(&mut self, area: Rect) {
        let body = area.height.saturating_sub(1);
        self.approvals_table.layout(body.saturating_sub(self.attention_head() + 1));
        self.cases_table.layout(body.saturating_sub(2));
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) {
        let (t, lang) = (&env.theme, env.lang);
        // Line 0: the tabs, the one shown marked.
        let mut x = put(buf, area, area.x + 1, area.y, tr!(lang, "supervisor-title"), t.title) + 2;
        for tab in Tab::ALL {
            let name = tab.name(lang);
            let style = if tab == self.tab { t.selected } else { t.dim };
            x = put(buf, area, x, area.y, &format!(" {name} "), style) + 1;
        }
        let left = env.key(crate::ui::keymap::Section::Supervisor, Action::Left);
        let right = env.key(crate::ui::keymap::Section::Supervisor, Action::Right);
        let hint = format!("{left}/{right}");
        let hint_x = area.right().saturating_sub(width(&hint) as u16 + 1);
        if hint_x > x {
            put(buf, area, hint_x, area.y, &hint, t.dim);
        }
        let body = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
        match self.tab {
            Tab::Attention => self.render_attention(buf, body, env),
            Tab::Figures => self.render_figures(buf, body, env),
            Tab::Cases => self.render_cases(buf, body, env),
        }
    }

    fn render_attention(&self, buf: &mut Buffer, area: Rect, env: &Env) {
        let (t, lang, f) = (&env.theme, env.lang, &self.figures);
        let mut y = area.y;
        let mut line = |buf: &mut Buffer, text: String, style: Style| {
            put(buf, area, area.x + 1, y, &text, style);
            y += 1;
        };
        let late = if f.referrals_breached > 0 { t.overdue } else { t.base };
        line(
            buf,
            tr!(
                lang,
                "supervisor-attention",
                approvals = self.approvals.len(),
                at_risk = f.referrals_at_risk,
                breached = f.referrals_breached
            ),
            late,
        );
        let waiting = if f.pending_receipts > 0 { t.error } else { t.base };
        line(buf, tr!(lang, "supervisor-waiting", held = f.held, receipts = f.pending_receipts), waiting);
        let (inflows, outflows, moves) =
            f.fund.as_ref().map_or((Money::ZERO, Money::ZERO, 0), |d| (d.inflows, d.outflows, d.entries.len()));
        line(
            buf,
            tr!(
                lang,
                "supervisor-fund",
                balance = strings::money(f.fund_balance, lang),
                inflows = inflows.to_string(),
                outflows = outflows.to_string(),
                moves = moves
            ),
            t.base,
        );
        let (pending, dead) = f.outbox;
        let last = f
            .district
            .as_ref()
            .and_then(|d| d.last_success)
            .map(|at| at.with_timezone(env.now.offset()).format("%m-%d %H:%M").to_string())
            .unwrap_or_else(|| tr!(lang, "supervisor-never").to_string());
        let district = match &f.district {
            Some(_) => tr!(lang, "supervisor-district", pending = pending, dead = dead, last = last),
            None => tr!(lang, "supervisor-district-none", pending = pending, dead = dead),
        };
        line(buf, district, if dead > 0 { t.error } else { t.base });
        // Each clerk's day.
        let clerk_w = 12;
        let header = format!(
            "{} {} {}",
            pad(tr!(lang, "supervisor-col-clerk"), clerk_w),
            pad_left(tr!(lang, "supervisor-col-cases"), 6),
            tr!(lang, "supervisor-col-service")
        );
        line(buf, String::new(), t.base);
        line(buf, header, t.header);
        if f.loads.is_empty() {
            line(buf, tr!(lang, "supervisor-no-cases").to_string(), t.dim);
        }
        for l in f.loads.iter().take(4) {
            let service = match l.average_service {
                Some(d) => tr!(lang, "supervisor-service", minutes = d.num_minutes(), timed = l.timed),
                None => tr!(lang, "supervisor-service-unknown").to_string(),
            };
            line(buf, format!("{} {} {service}", pad(&l.operator, clerk_w), pad_left(&l.cases.to_string(), 6)), t.base);
        }
        // The approvals waiting for a supervisor: Enter opens one.
        let key = env.key(crate::ui::keymap::Section::Supervisor, Action::Select);
        let head = tr!(lang, "supervisor-approvals", n = self.approvals.len(), key = key);
        put(buf, area, area.x + 1, area.y + self.attention_head(), &head, t.title);
        let list = Rect::new(
            area.x,
            area.y + self.attention_head() + 1,
            area.width,
            area.height.saturating_sub(self.attention_head() + 1),
        );
        if self.approvals.is_empty() {
            put(buf, list, list.x + 3, list.y, tr!(lang, "supervisor-no-approvals"), t.dim);
            return;
        }
        self.list(buf, list, &self.approvals, &self.approvals_table, env);
    }

    /// Case lines (the queue's), today's with their time, earlier ones with their day.
    fn list(&self, buf: &mut Buffer, area: Rect, rows: &[CaseSummary], table: &ScrollTable, env: &Env) {
        let c = Columns::new(area.width, env.lang, 5);
        table.render(buf, area, env.theme.selected, |i, selected| {
            let s = &rows[i];
            let when = if s.day() == env.today() {
                s.received_at.format("%H:%M").to_string()
            } else {
                s.received_at.format("%m-%d").to_string()
            };
            Text::from(case_line(s, &when, &c, selected, env))
        });
    }

    fn render_figures(&self, buf: &mut Buffer, area: Rect, env: &Env) {
        let (t, lang, f) = (&env.theme, env.lang, &self.figures);
        let half = area.width / 2;
        // Left: by kind, count and amounts. Right: by state.
        let (kw, nw, aw) = (10usize, 5usize, 11usize);
        let head = format!(
            "{} {} {} {}",
            pad(S::ColKind.get(lang), kw),
            pad_left(tr!(lang, "supervisor-col-cases"), nw),
            pad_left(tr!(lang, "supervisor-col-requested"), aw),
            pad_left(tr!(lang, "supervisor-col-granted"), aw)
        );
        put(buf, area, area.x + 1, area.y, &head, t.header);
        for (i, k) in f.by_kind.iter().enumerate() {
            let text = format!(
                "{} {} {} {}",
                pad(strings::kind(k.kind, lang), kw),
                pad_left(&k.cases.to_string(), nw),
                pad_left(&k.requested.to_string(), aw),
                pad_left(&k.granted.to_string(), aw)
            );
            put(buf, area, area.x + 1, area.y + 1 + i as u16, &text, if k.cases == 0 { t.dim } else { t.base });
        }
        let total_y = area.y + 1 + f.by_kind.len() as u16;
        let total = format!(
            "{} {} {} {}",
            pad(tr!(lang, "supervisor-total"), kw),
            pad_left(&f.total.to_string(), nw),
            pad_left(&f.requested.to_string(), aw),
            pad_left(&f.granted.to_string(), aw)
        );
        put(buf, area, area.x + 1, total_y, &total, t.title);
        let sx = area.x + 1 + (kw + nw + aw * 2 + 3) as u16 + 2;
        put(buf, area, sx, area.y, &format!("{} {}", pad(S::ColState.get(lang), 10), pad_left("", 3)), t.header);
        for (i, (state, n)) in f.by_state.iter().enumerate() {
            let text = format!("{} {}", pad(strings::state(*state, lang), 10), pad_left(&n.to_string(), 3));
            put(buf, area, sx, area.y + 1 + i as u16, &text, if *n == 0 { t.dim } else { t.base });
        }
        // Below: the bar chart of cases by kind, and arrivals per hour.
        let charts_y = total_y + 2;
        let charts_h = area.bottom().saturating_sub(charts_y).min(Kind::ALL.len() as u16 + 1);
        if charts_h < 3 {
            return;
        }
        put(buf, area, area.x + 1, charts_y - 1, tr!(lang, "supervisor-chart-kinds"), t.header);
        let bars: Vec<Bar> = f
            .by_kind
            .iter()
            .map(|k| Bar::with_label(strings::kind(k.kind, lang).to_string(), u64::from(k.cases)))
            .collect();
        let chart_area = Rect::new(area.x + 1, charts_y, half.saturating_sub(2), charts_h);
        BarChart::default()
            .direction(Direction::Horizontal)
            .data(BarGroup::default().bars(&bars))
            .bar_width(1)
            .bar_gap(0)
            .bar_set(ASCII_BARS)
            .bar_style(t.info)
            .value_style(t.header)
            .label_style(t.base)
            .render(chart_area, buf);
        let hours = overview::office_hours(&self.hours_array());
        let (from, to) = (*hours.start(), *hours.end());
        let caption = tr!(lang, "supervisor-chart-hours", from = format!("{from:02}"), to = format!("{:02}", to + 1));
        put(buf, area, area.x + half + 1, charts_y - 1, &caption, t.header);
        let spark_w = (to - from + 1) as u16;
        let spark = Rect::new(area.x + half + 1, charts_y, spark_w.min(area.width - half - 2), charts_h);
        Sparkline::default().data(&f.hours[from..=to]).bar_set(ASCII_BARS).style(t.info).render(spark, buf);
        let peak = f.hours.iter().copied().max().unwrap_or(0);
        let peak_text = tr!(lang, "supervisor-peak", n = peak);
        put(buf, area, spark.right() + 1, charts_y, &peak_text, t.dim);
    }

    fn hours_array(&self) -> [u64; 24] {
        let mut out = [0u64; 24];
        for (o, h) in out.iter_mut().zip(&self.figures.hours) {
            *o = *h;
        }
        out
    }

    fn render_cases(&self, buf: &mut Buffer, area: Rect, env: &Env) {
        let (t, lang) = (&env.theme, env.lang);
        let all = tr!(lang, "supervisor-filter-all").to_string();
        let state = self.filter.state.map_or(all.clone(), |s| strings::state(s, lang).to_string());
        let kind = self.filter.kind.map_or(all.clone(), |k| strings::kind(k, lang).to_string());
        let clerk = self.filter.clerk.clone().unwrap_or(all.clone());
        let channel = match self.filter.channel {
            None => all.clone(),
            Some(Channel::Green) => S::FilterGreen.get(lang).to_string(),
            Some(Channel::Normal) => tr!(lang, "supervisor-channel-normal").to_string(),
        };
        let key = |a: Action| env.key(crate::ui::keymap::Section::Supervisor, a);
        let line = tr!(
            lang,
            "supervisor-filters",
            state_key = key(Action::FilterState),
            state = state,
            kind_key = key(Action::FilterKind),
            kind = kind,
            clerk_key = key(Action::FilterClerk),
            clerk = clerk,
            channel_key = key(Action::FilterChannel),
            channel = channel,
            shown = self.rows.len(),
            total = self.today.len()
        );
        put(buf, area, area.x + 1, area.y, &line, t.info);
        let c = Columns::new(area.width, lang, 5);
        put(buf, area, area.x, area.y + 1, &c.header(lang), t.header);
        let list = Rect::new(area.x, area.y + 2, area.width, area.height.saturating_sub(2));
        if self.rows.is_empty() {
            put(buf, list, list.x + 3, list.y, tr!(lang, "supervisor-no-cases"), t.dim);
            return;
        }
        self.list(buf, list, &self.rows, &self.cases_table, env);
    }
}

/// Bars drawn in ASCII, as the frames are (kiosk consoles lack the block glyphs).
const ASCII_BARS: bar::Set<'static> = bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "=",
    five_eighths: "=",
    half: "=",
    three_eighths: "-",
    one_quarter: "-",
    one_eighth: ".",
    empty: " ",
};
