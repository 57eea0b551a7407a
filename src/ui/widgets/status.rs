//! The status line (window, operator, date and time, device states, fund
//! balance) and the bottom key bar built from the keymap's data. Both take
//! what they show; the app keeps it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::time::Moment;
use crate::domain::Money;
use crate::sync::forward::ForwardStatus;
use crate::ui::action::Action;
use crate::ui::keymap::{Key, Keymap, Section};
use crate::ui::strings::{self, S};
use crate::ui::theme::Theme;
use crate::ui::DeviceState;
use crate::{tr, Lang};

/// What the status line says, apart from who and when.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusLine {
    pub id_reader: DeviceState,
    pub printer: DeviceState,
    /// The relief fund's balance, once it is read.
    pub fund_balance: Option<Money>,
    /// Forwarding to the district, when a district is configured.
    pub district: Option<ForwardStatus>,
}

/// Forwarding in a few cells: what waits, the last success and the last
/// error (an error older than the last success is not shown), or STOPPED.
/// `short`: the count alone, and `!` when something is wrong.
fn district(status: &ForwardStatus, now: Moment, short: bool, lang: Lang) -> String {
    let label = tr!(lang, "district-status");
    let time = |t: &chrono::DateTime<chrono::Utc>| t.with_timezone(now.offset()).format("%H:%M").to_string();
    let failing = status.last_error.as_ref().filter(|(at, _)| status.last_success.is_none_or(|ok| *at > ok));
    if short {
        let bang = if status.stopped.is_some() || failing.is_some() { "!" } else { "" };
        return format!("{label} {}{bang}", status.waiting);
    }
    if status.stopped.is_some() {
        return format!(
            "{label} {} {}",
            tr!(lang, "district-status-stopped"),
            tr!(lang, "district-status-waiting", n = status.waiting)
        );
    }
    let mut parts = vec![label.to_string(), tr!(lang, "district-status-waiting", n = status.waiting)];
    if status.dead > 0 {
        parts.push(tr!(lang, "district-status-dead", n = status.dead));
    }
    if let Some(ok) = &status.last_success {
        parts.push(tr!(lang, "district-status-ok", time = time(ok)));
    }
    if let Some((at, _)) = failing {
        parts.push(tr!(lang, "district-status-error", time = time(at)));
    }
    parts.join(" ")
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
        let mut tail = vec![
            format!("{} {}", S::IdReader.get(lang), device(&self.id_reader, lang)),
            format!("{} {}", S::Printer.get(lang), device(&self.printer, lang)),
        ];
        // The fund's balance is never cut: it is kept whole at the end, the rest fits before it.
        let fund = self.fund_balance.map(|b| format!("{} {}", S::Fund.get(lang), strings::money(b, lang)));
        if let Some(d) = &self.district {
            tail.push(district(d, head.now, false, lang));
        }
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
        let mut short_tail = vec![
            format!("{} {}", S::IdReader.get(lang), short(&self.id_reader)),
            format!("{} {}", S::Printer.get(lang), short(&self.printer)),
        ];
        if let Some(d) = &self.district {
            short_tail.push(district(d, head.now, true, lang));
        }
        let join =
            |head: &[String], tail: &[String]| head.iter().chain(tail.iter()).cloned().collect::<Vec<_>>().join("  ");
        let mut lines: Vec<String> = candidates.iter().map(|head| join(head, &tail)).collect();
        if let Some(last) = candidates.last() {
            lines.push(join(last, &short_tail));
        }
        lines.push(join(&time_only, &short_tail));
        if self.district.is_some() {
            // Forwarding is not cut off the end: devices not configured are
            // left out, then the date.
            let configured = [&self.id_reader, &self.printer].map(|d| *d != DeviceState::NotConfigured);
            let kept: Vec<String> = short_tail
                .iter()
                .enumerate()
                .filter(|(i, _)| configured.get(*i).copied().unwrap_or(true))
                .map(|(_, t)| t.clone())
                .collect();
            let operator = head.operator.to_string();
            let window = strings::window_label(head.window, lang);
            lines.push(join(&[window.clone(), operator.clone(), clock(true)], &kept));
            lines.push(join(&[window, operator, head.now.format("%H:%M").to_string()], &kept));
        }
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
    if !matches!(section, Section::Popup | Section::Help | Section::Global | Section::SignIn) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn line(status: &StatusLine, width: u16, lang: Lang) -> String {
        let now = crate::config::china_offset().with_ymd_and_hms(2026, 11, 30, 9, 30, 0).unwrap();
        let head = Head { town: "示例街道", window: 3, operator: "clerk01", now };
        let area = Rect::new(0, 0, width, 1);
        let mut buf = Buffer::empty(area);
        status.render(&head, &mut buf, area, &Theme::mono(), lang);
        let mut text = String::new();
        let mut x = 0;
        while x < width {
            let symbol = buf[(x, 0)].symbol();
            text.push_str(symbol);
            x += super::super::width(symbol).max(1) as u16;
        }
        text
    }

    #[test]
    fn the_status_line_says_what_waits_for_the_district_and_how_it_last_went() {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0).unwrap();
        let mut status = StatusLine {
            fund_balance: Some(Money::yuan(50_000)),
            district: Some(ForwardStatus {
                waiting: 3,
                dead: 1,
                last_success: Some(at(1, 12)),
                last_error: Some((at(1, 15), "the district answered 503".into())),
                stopped: None,
            }),
            ..StatusLine::default()
        };
        // Wide: all of it, times in the centre's offset.
        let wide = line(&status, 160, Lang::En);
        assert!(wide.contains("Dist 3 wait 1 dead ok 09:12 err 09:15"), "{wide}");
        let zh = line(&status, 160, Lang::ZhCn);
        assert!(zh.contains("区 待3 退1 成功09:12 失败09:15"), "{zh}");
        // 80 columns: still there, shortened, with the fund balance.
        for lang in [Lang::En, Lang::ZhCn] {
            let narrow = line(&status, 80, lang);
            let label = if lang == Lang::En { "Dist 3!" } else { "区 3!" };
            assert!(narrow.contains(label) && narrow.contains("50000.00"), "{narrow}");
        }
        // An error older than the last success is not shown; a stop is.
        status.district.as_mut().unwrap().last_error = Some((at(1, 0), "old".into()));
        assert!(!line(&status, 160, Lang::En).contains("err"));
        status.district.as_mut().unwrap().stopped = Some("forwarding stopped".into());
        assert!(line(&status, 160, Lang::En).contains("Dist STOPPED 3 wait"));
    }
}
