//! The status line (window, operator, date and time, device states, fund
//! balance) and the bottom key bar built from the keymap's data. Both take
//! what they show; the app keeps it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::time::Moment;
use crate::domain::Money;
use crate::ui::action::Action;
use crate::ui::keymap::{Key, Keymap, Section};
use crate::ui::strings::{self, S};
use crate::ui::theme::Theme;
use crate::ui::DeviceState;
use crate::Lang;

/// What the status line says, apart from who and when.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusLine {
    pub id_reader: DeviceState,
    pub printer: DeviceState,
    /// The relief fund's balance, once it is read.
    pub fund_balance: Option<Money>,
}

fn device(state: &DeviceState, lang: Lang) -> String {
    match state {
        DeviceState::NotConfigured => S::DeviceNotConfigured.get(lang).to_string(),
        DeviceState::Connecting => S::DeviceConnecting.get(lang).to_string(),
        DeviceState::Ready => S::DeviceReady.get(lang).to_string(),
        DeviceState::Busy => S::DeviceBusy.get(lang).to_string(),
        DeviceState::Simulated => S::DeviceSimulated.get(lang).to_string(),
        DeviceState::Problem(p) => p.clone(),
    }
}

/// Who is at which window, and when.
pub struct Head<'a> {
    pub town: &'a str,
    pub window: u8,
    pub operator: &'a str,
    pub now: Moment,
}

impl StatusLine {
    pub fn render(&self, head: &Head, buf: &mut Buffer, area: Rect, theme: &Theme, lang: Lang) {
        super::fill_line(buf, area, area.y, theme.status);
        let clock = |short: bool| head.now.format(if short { "%m-%d %H:%M" } else { "%Y-%m-%d %H:%M" }).to_string();
        let tail = vec![
            format!("{} {}", S::IdReader.get(lang), device(&self.id_reader, lang)),
            format!("{} {}", S::Printer.get(lang), device(&self.printer, lang)),
        ];
        // The fund's balance is never cut: it is kept whole at the end, the rest fits before it.
        let fund = self.fund_balance.map(|b| format!("{} {}", S::Fund.get(lang), strings::money(b, lang)));
        let window = strings::window_label(head.window, lang);
        let operator = head.operator.to_string();
        let whole = area.width.saturating_sub(1) as usize;
        let room = match &fund {
            Some(f) => whole.saturating_sub(super::width(f) + 2),
            None => whole,
        };
        // The fullest line that fits: the town's name goes first, then the
        // operator's label and the year; what still does not fit is cut.
        let candidates = [
            [format!("{} {window}", head.town), format!("{} {operator}", S::Operator.get(lang)), clock(false)],
            [window.clone(), format!("{} {operator}", S::Operator.get(lang)), clock(false)],
            [window.clone(), operator.clone(), clock(false)],
            [window.clone(), operator.clone(), clock(true)],
        ];
        // Last, the time without the date (the date is on every screen's title).
        let time_only = [window, operator, head.now.format("%H:%M").to_string()];
        // When even the shortest head does not fit, a device that is not
        // configured is said in one word, to leave room for the fund balance.
        let short = |state: &DeviceState| match state {
            DeviceState::NotConfigured => S::DeviceNone.get(lang).to_string(),
            other => device(other, lang),
        };
        let short_tail = vec![
            format!("{} {}", S::IdReader.get(lang), short(&self.id_reader)),
            format!("{} {}", S::Printer.get(lang), short(&self.printer)),
        ];
        let join =
            |head: &[String], tail: &[String]| head.iter().chain(tail.iter()).cloned().collect::<Vec<_>>().join("  ");
        let mut lines: Vec<String> = candidates.iter().map(|head| join(head, &tail)).collect();
        if let Some(last) = candidates.last() {
            lines.push(join(last, &short_tail));
        }
        lines.push(join(&time_only, &short_tail));
        let line = lines.iter().find(|l| super::width(l) <= room).or(lines.last()).cloned().unwrap_or_default();
        let mut line = super::fit(&line, room).to_string();
        if let Some(f) = fund {
            line = format!("{line}  {f}");
        }
        let shown = super::fit(&line, whole);
        super::put(buf, area, area.x + 1, area.y, shown, theme.status);
        // A device in trouble (paper out, cover open, a reader gone) in the alert colour.
        let alert = theme.status.patch(theme.error);
        for (label, state) in [(S::IdReader, &self.id_reader), (S::Printer, &self.printer)] {
            if let DeviceState::Problem(p) = state {
                let said = format!("{} {p}", label.get(lang));
                // Whole, or cut at the end of the line (then from its label on).
                let found = shown.find(&said).or_else(|| shown.find(&format!("{} ", label.get(lang))));
                if let Some(at) = found {
                    let x = area.x + 1 + super::width(&shown[..at]) as u16;
                    let w = super::width(&said).min(super::width(&shown[at..])) as u16;
                    buf.set_style(Rect::new(x, area.y, w, 1).intersection(area), alert);
                }
            }
        }
    }
}

/// The main keys of a section: the global ones (help) first, then the
/// section's; one key per action, the last one merged in (so a laptop map's
/// keys replace the function keys in the bar).
pub fn bar_entries(keymap: &Keymap, section: Section, lang: Lang) -> Vec<(Key, Action, String)> {
    let mut out: Vec<(Key, Action, String)> = Vec::new();
    let mut sources = vec![section];
    if !matches!(section, Section::Popup | Section::Help | Section::Global) {
        sources.insert(0, Section::Global);
    }
    for s in sources {
        let mut own: Vec<(Key, Action, String)> = Vec::new();
        for b in keymap.bindings(s).iter().filter(|b| b.bar) {
            let entry = (b.key, b.action, b.desc.text(lang).to_string());
            match own.iter_mut().find(|(_, a, _)| *a == b.action) {
                Some(old) => *old = entry,
                None => own.push(entry),
            }
        }
        for entry in own {
            if !out.iter().any(|(_, a, _)| *a == entry.1) {
                out.push(entry);
            }
        }
    }
    out
}

/// The key bar: as many of the section's main keys as fit; `says` replaces
/// the words of an action where the screen knows better what it does now.
pub fn key_bar(
    keymap: &Keymap,
    section: Section,
    says: &[(Action, &str)],
    buf: &mut Buffer,
    area: Rect,
    theme: &Theme,
    lang: Lang,
) {
    let mut x = area.x;
    for (key, action, desc) in bar_entries(keymap, section, lang) {
        let desc = says.iter().find(|(a, _)| *a == action).map(|(_, d)| d.to_string()).unwrap_or(desc);
        let key = key.to_string();
        let need = (super::width(&key) + super::width(&desc) + 2) as u16;
        if x + need > area.right() {
            break;
        }
        x = super::put(buf, area, x, area.y, &key, theme.key);
        x = super::put(buf, area, x, area.y, &format!(" {desc} "), theme.base);
    }
}
